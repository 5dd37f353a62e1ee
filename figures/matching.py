"""Finding a 专栏 key project among a year's annex project names, tolerantly.

The 专栏 boxes and the annex were typed separately: a 专栏 may drop the
科右中旗 prefix, add a place after "--" ("乡村旅游景点打造项目--新佳木苏木"), or
drop a final 项目. Pure module: no Django.
"""

import re

from planportal.lib.names import DEFAULT_COUNTY_NAMES, normalize_text

_PLACE_SUFFIX = re.compile(r"\s*(?:--|——|－－|—-|-—)\s*")
_TRAILING = re.compile(r"(?:项目|工程|建设)+$")
_MIN_CONTAINED = 4  # shorter keys match too much by containment


def match_key(name: str, county_names=DEFAULT_COUNTY_NAMES) -> str:
    """The part of a project name both lists agree on."""
    text = normalize_text(_PLACE_SUFFIX.split(name or "", maxsplit=1)[0])
    for county in county_names:
        if text.startswith(county):
            text = text[len(county):]
            break
    return _TRAILING.sub("", text) or text


def found_in(key_name: str, annex_keys: set[str]) -> bool:
    """True when a key project's name matches one of the annex names (given as match_key() keys)."""
    key = match_key(key_name)
    if key in annex_keys:
        return True
    if len(key) < _MIN_CONTAINED:
        return False
    return any(key in other or (len(other) >= _MIN_CONTAINED and other in key) for other in annex_keys)
