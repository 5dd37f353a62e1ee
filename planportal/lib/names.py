"""Matching keys for names in annex spreadsheets: units, projects, category labels.

Pure standard library, no Django. Every function here produces a *key* for
comparing spellings; keys are never shown to people and never stored in place of
the text as written (the raw spelling is always kept next to its key).

The rules merge only spellings the documents show to be one thing (科右中旗农科局 /
旗农科局; 巴彦呼舒镇人民政府 / 巴彦呼舒人民政府; 新佳 木苏木人民政府 with a stray
space). When in doubt a rule does not merge: two keys for one unit cost a person
one click to link; one key for two units silently mixes their projects.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

DEFAULT_COUNTY_NAMES = ("科右中旗", "科尔沁右翼中旗")
TOWNSHIP_KEY_PREFIX = "township:"
# Category stems (category_key results) of the annex; other banners may add more.
KNOWN_CATEGORY_KEYS = (
    "基础设施", "产业合作", "人才培训", "劳务协作", "消费帮扶",
    "乡村振兴", "社会事业", "乡村旅游", "万企兴万村",
)
# The plan's 专栏 boxes say 产业协作类 for the annex's 产业合作类 (same category).
CATEGORY_KEY_ALIASES = {"产业协作": "产业合作"}

# NFKC already folds full-width forms; these are the variants it leaves apart.
_TRANSLATE = str.maketrans({
    **dict.fromkeys("“”„‟«»「」『』〝〞〟", '"'),
    **dict.fromkeys("‘’‚‛‹›′", "'"),
    **dict.fromkeys("【〔〖〘〚［[{〈《⟨", "("),
    **dict.fromkeys("】〕〗〙〛］]}〉》⟩", ")"),
    **dict.fromkeys("‐‑‒–—―−﹘﹣－~〜～", "-"),
    **dict.fromkeys("・•‧∙⋅", "·"),
})
# \s covers U+3000 and no-break spaces; zero-width characters are not \s.
_INVISIBLE = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")
_DASH_RUN = re.compile(r"-{2,}")

_GOVERNMENT = re.compile(r"(.*?)(?:人民政府|政府)")
_TOWNSHIP_KINDS = ("苏木", "镇", "乡")
# A "<X>人民政府" whose X ends like this is a bureau, league, banner …, not a township.
_NOT_TOWNSHIP_END = (
    "局", "委", "办", "院", "所", "站", "中心", "会", "部", "区", "公司", "队", "社",
    "处", "科", "厅", "盟", "市", "县", "旗", "组", "馆", "校", "嘎查", "村", "社区",
)

_ENUMERATOR = re.compile(r"^(?:[一二三四五六七八九十]+[、.]|\([一二三四五六七八九十\d]+\)|\d+[、.])(?=.)")
_COUNTED = re.compile(r"(?P<text>.+?)(?P<n>\d+)(?:个|项)(?:项目)?")
_GRAND_TOTAL = re.compile(
    r"(?P<scope>.{0,12}?)(?:总合计|合计|总计|共计)[:]?(?:(?P<n>\d+)(?:个|项)(?:项目)?)?"
)


def normalize_text(s: str | None) -> str:
    """Matching form of any text: NFKC, no whitespace at all, one quote/bracket/dash form.

    Whitespace is dropped everywhere, not just at the ends: in these documents an
    inner space is always a typing slip ("新佳 木苏木人民政府", "代钦塔 拉嘎查"),
    and Chinese names never contain one. None → "".
    """
    if s is None:
        return ""
    text = unicodedata.normalize("NFKC", s).translate(_TRANSLATE)
    return _DASH_RUN.sub("-", _INVISIBLE.sub("", text))


def _apply_aliases(text: str, aliases: Mapping[str, str] | None) -> str:
    """Rewrite known variant spellings to their canonical one (巴彦忙哈苏木 → 巴彦茫哈苏木).

    Scans left to right, longest spelling first, and leaves a canonical spelling
    alone, so an alias that is a prefix of its canonical form ("好腰苏木" →
    "好腰苏木镇") does not turn "好腰苏木镇" into "好腰苏木镇镇".
    """
    if not aliases:
        return text
    table = {normalize_text(c): normalize_text(c) for c in aliases.values()}
    table.update({normalize_text(a): normalize_text(c) for a, c in aliases.items()})
    spellings = sorted((s for s in table if s), key=len, reverse=True)
    out, pos = [], 0
    while pos < len(text):
        spelling = next((s for s in spellings if text.startswith(s, pos)), None)
        if spelling is None:
            out.append(text[pos])
            pos += 1
        else:
            out.append(table[spelling])
            pos += len(spelling)
    return "".join(out)


def _strip_county(text: str, county_names: Iterable[str]) -> str:
    """"科右中旗农科局" / "旗农科局" → "农科局": a banner-level unit written with or
    without the banner's name. Only a prefix is dropped, and never the whole text."""
    for county in sorted({normalize_text(c) for c in county_names}, key=len, reverse=True):
        if county and text.startswith(county) and len(text) > len(county):
            text = text[len(county):]
            break
    if text.startswith("旗") and len(text) > 1:
        text = text[1:]
    return text


def township_stem(text: str) -> str | None:
    """The township a government spelling names, or None if it names no township.

    "巴彦呼舒镇人民政府", "巴彦呼舒人民政府", "巴彦呼舒镇政府", "巴彦呼舒镇" → "巴彦呼舒";
    "好腰苏木镇人民政府", "好腰苏木人民政府" → "好腰" (the 镇 is named 好腰苏木镇).
    Expects normalised text with the county prefix already removed.
    """
    core, government = text, False
    match = _GOVERNMENT.fullmatch(text)
    if match:
        core, government = match.group(1), True
    had_kind = False
    stripping = True
    while stripping:
        stripping = False
        for kind in _TOWNSHIP_KINDS:
            # Keep at least two characters: "各苏木", "城镇" are words, not townships.
            if core.endswith(kind) and len(core) - len(kind) >= 2:
                core, had_kind, stripping = core[: -len(kind)], True, True
                break
    if len(core) < 2 or core.endswith("小") or any(w in core for w in ("各", "全旗", "重点", "示范", "特色")):
        return None  # 小镇, 各苏木镇, 重点苏木镇: descriptions, not a township's name
    if had_kind:
        return core
    if government and not core.endswith(_NOT_TOWNSHIP_END):
        return core
    return None


def unit_key(
    name: str | None,
    county_names: Iterable[str] = DEFAULT_COUNTY_NAMES,
    *,
    aliases: Mapping[str, str] | None = None,
) -> str:
    """Matching key of an implementing unit (项目实施单位).

    * normalize_text, then known variant spellings via ``aliases`` (variant → canonical,
      e.g. places.KEYOUZHONGQI_TOWNSHIP_ALIASES);
    * a leading county name or "旗" is dropped: 科右中旗农科局 = 旗农科局 = 农科局;
    * a township government, however written (X镇人民政府, X人民政府, X镇政府, X镇,
      X苏木, X苏木人民政府), becomes "township:X";
    * nothing else is merged: 旗农科局 ≠ 旗农牧局, 旗卫健委 ≠ X镇卫生院, and a
      township's own bodies (X镇卫生院, X镇党委) keep their full names.
    """
    text = _strip_county(_apply_aliases(normalize_text(name), aliases), county_names)
    if _GOVERNMENT.fullmatch(text) and not _GOVERNMENT.fullmatch(text).group(1):
        return "人民政府"  # 科右中旗人民政府 = 旗人民政府 = 旗政府: the banner's government
    stem = township_stem(text)
    return TOWNSHIP_KEY_PREFIX + stem if stem else text


def project_key(
    name: str | None,
    location: str | None,
    unit: str | None,
    county_names: Iterable[str] = DEFAULT_COUNTY_NAMES,
    *,
    aliases: Mapping[str, str] | None = None,
) -> tuple[str, str, str]:
    """(name, location, unit) key deciding whether rows of different years are one project.

    A programme recurring every year at the same place by the same unit gets one
    key; the same name at another place, or by another unit, gets another key.
    Names and locations are only normalised (no prefix dropping): "科右中旗X项目"
    and "X项目" stay apart, because the document uses both for different projects.
    """
    return (
        _apply_aliases(normalize_text(name), aliases),
        _apply_aliases(normalize_text(location), aliases),
        unit_key(unit, county_names, aliases=aliases),
    )


def category_key(label: str | None, aliases: Mapping[str, str] = CATEGORY_KEY_ALIASES) -> str:
    """"基础设施类3个" → "基础设施"; "万企兴万村1个", "万企兴万村类" → "万企兴万村";
    "（一）产业合作类" → "产业合作"; "产业协作类" → "产业合作" (via ``aliases``; pass {} to keep it)."""
    text = _ENUMERATOR.sub("", normalize_text(label))
    counted = _COUNTED.fullmatch(text)
    if counted:
        text = counted.group("text")
    for suffix in ("小计", "项目", "类"):
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
    return aliases.get(text, text)


def _is_category_text(text: str) -> bool:
    if not text or any(w in text for w in ("合计", "总计", "共计")):
        return False
    return text.endswith(("类", "类小计")) or category_key(text) in KNOWN_CATEGORY_KEYS


def split_subtotal_label(label: str | None) -> tuple[str, int | None] | None:
    """A category subtotal label → (category text, stated count), else None.

    "产业合作类7个" → ("产业合作类", 7); "人才培训类 4 个" → ("人才培训类", 4);
    "万企兴万村1个" → ("万企兴万村", 1) (known category without 类);
    "乡村振兴类" → ("乡村振兴类", None) (a subtotal that states no count).
    The category text must end in 类 or be a known category, so a project name that
    ends in "…3个" is not taken for a subtotal; grand totals ("合计25个") are not subtotals.
    """
    text = _ENUMERATOR.sub("", normalize_text(label))
    counted = _COUNTED.fullmatch(text)
    category, count = (counted.group("text"), int(counted.group("n"))) if counted else (text, None)
    category = category.rstrip(":")
    if category.endswith("小计"):
        category = category[:-2]
    if counted is None and not category.endswith("类"):
        return None  # without a count, only an explicit "…类" label is a subtotal
    return (category, count) if _is_category_text(category) else None


def split_grand_total_label(label: str | None) -> tuple[str, int | None] | None:
    """A grand-total label → (scope, stated count), else None.

    "科右中旗合计25个" → ("科右中旗", 25); "合计" → ("", None); "总计 29 个" → ("", 29).
    """
    match = _GRAND_TOTAL.fullmatch(normalize_text(label))
    if not match or any(w in match.group("scope") for w in ("类", "小计")):
        return None
    count = match.group("n")
    return match.group("scope"), int(count) if count else None


def is_grand_total_label(label: str | None) -> bool:
    """True for "科右中旗合计25个", "合计", "总计 29 个"; the count is in split_grand_total_label."""
    return split_grand_total_label(label) is not None
