"""A banner's official village list (统计用区划代码): reading its CSV, loading it, reading it back.

The CSV has a header with the columns township, village and code (in any order, other
columns ignored; 苏木镇 / 嘎查 / 统计用区划代码 are understood too), one village a row.
Nothing of a hostile file is loaded: every problem is collected with its line and
column, and the file is refused as a whole until they are corrected.

A village's 12-digit code is its identity: a later year's list that renames a village,
or moves it to another township, changes that village; one the later list lacks is kept,
marked as no longer listed. Every load that changes anything is recorded (who, when,
which file, what changed); loading the same file again changes nothing and records nothing.

Which places of which projects follow, and the review of the names the list does not
settle, are projects.services (the one place that writes places).
"""

import csv
import hashlib
import io
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from planportal.lib.names import DEFAULT_COUNTY_NAMES, normalize_text
from planportal.lib.places import GazetteerVillage, VillageIndex
from plans.access import history_user, require_superuser
from projects.models import ListedVillage, VillageAlias, VillageList, VillageListLoad

MAX_BYTES = 4 * 1024 * 1024  # a banner has a few hundred villages; the whole country's list is ~50 MB
MAX_ROWS = 20_000
MAX_PROBLEMS = 50  # listed one by one; more are counted
NAME_MAX_LENGTH = 100
CODE = re.compile(r"[0-9]{12}")
# Header spellings of each column, in matching form (normalize_text, lower case).
COLUMNS = {
    "township": ("township", "苏木镇", "苏木/镇", "乡镇", "乡镇街道"),
    "village": ("village", "嘎查", "嘎查村", "村", "村委会"),
    "code": ("code", "统计用区划代码", "区划代码", "代码"),
}
# A name starting like a spreadsheet formula, or holding control characters, is no village name.
_BAD_NAME = re.compile(r"^[=+\-@]|[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class ListRow:
    line: int
    township: str
    village: str
    code: str


def county_names(county: str) -> tuple[str, ...]:
    """The spellings one banner goes by (科右中旗 = 科尔沁右翼中旗)."""
    county = normalize_text(county)
    return DEFAULT_COUNTY_NAMES if county in DEFAULT_COUNTY_NAMES else (county,)


def _problem(line: int | None, column: str | None, message: str) -> str:
    if line is not None and column:
        return _("Line %(line)s, column “%(column)s”: %(message)s") % {"line": line, "column": column,
                                                                        "message": message}
    if line is not None:
        return _("Line %(line)s: %(message)s") % {"line": line, "message": message}
    return message


def _decoded(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise ValidationError(_("The file is %(size)s MB; a village list is at most %(max)s MB. Is it the "
                                "right file?") % {"size": round(len(data) / 2**20, 1), "max": MAX_BYTES // 2**20})
    if not data.strip():
        raise ValidationError(_("The file is empty."))
    if b"\x00" in data:
        raise ValidationError(_("This is not a text (CSV) file. Save the list as CSV (UTF-8) and load that."))
    try:
        return data.decode("utf-8-sig")  # Excel's "CSV UTF-8" starts with a BOM
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")  # Excel's plain "CSV" on a Chinese Windows
    except UnicodeDecodeError:
        raise ValidationError(_("The file is neither UTF-8 nor GB18030 text. Save it as CSV (UTF-8).")) from None


def _header(cells: list[str]) -> dict[str, int]:
    found = {}
    for index, cell in enumerate(cells):
        key = normalize_text(cell).lower()
        for column, spellings in COLUMNS.items():
            if key in spellings and column not in found:
                found[column] = index
    missing = [column for column in COLUMNS if column not in found]
    if missing:
        raise ValidationError(_problem(1, None, _(
            "the header must name the columns township, village and code; “%(missing)s” is missing "
            "(the header read: %(header)s).") % {"missing": "、".join(missing),
                                               "header": "、".join(c.strip() for c in cells) or "—"}))
    return found


def _name(value: str, line: int, column: str, problems: list) -> str:
    name = normalize_text(value)
    if not name:
        problems.append(_problem(line, column, _("the name is empty.")))
    elif len(name) > NAME_MAX_LENGTH:
        problems.append(_problem(line, column, _("the name has %(length)s characters; at most %(max)s.")
                                 % {"length": len(name), "max": NAME_MAX_LENGTH}))
    elif _BAD_NAME.search(name):
        problems.append(_problem(line, column, _("“%(value)s” is not a place name.") % {"value": name[:40]}))
    return name


def read_village_list(data: bytes) -> list[ListRow]:
    """The rows of a village-list CSV, or ValidationError listing every problem (line, column, what to fix)."""
    text = _decoded(data)
    try:
        lines = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise ValidationError(_("The file cannot be read as CSV: %(error)s") % {"error": exc}) from None
    if not lines:
        raise ValidationError(_("The file is empty."))
    columns = _header(lines[0])
    problems: list[str] = []
    rows: list[ListRow] = []
    codes: dict[str, int] = {}
    names: dict[tuple[str, str], int] = {}
    county_code = None
    if len(lines) - 1 > MAX_ROWS:
        raise ValidationError(_("The file has %(count)s rows; a village list has at most %(max)s.")
                              % {"count": len(lines) - 1, "max": MAX_ROWS})
    for line, cells in enumerate(lines[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue  # blank lines, as spreadsheets leave them
        if len(cells) <= max(columns.values()):
            problems.append(_problem(line, None, _("the row has %(count)s cells; the header has %(header)s.")
                                     % {"count": len(cells), "header": len(lines[0])}))
            continue
        township = _name(cells[columns["township"]], line, "township", problems)
        village = _name(cells[columns["village"]], line, "village", problems)
        code = normalize_text(cells[columns["code"]])
        if not CODE.fullmatch(code):
            problems.append(_problem(line, "code", _("“%(value)s” is not a 12-digit statistical code.")
                                     % {"value": code[:40]}))
            continue
        if county_code is None:
            county_code = code[:6]
        elif code[:6] != county_code:
            problems.append(_problem(line, "code", _(
                "%(code)s is not of the banner %(county)s of the first row: one file, one banner.")
                % {"code": code, "county": county_code}))
        if code in codes:
            problems.append(_problem(line, "code", _("the code %(code)s is on line %(first)s already.")
                                     % {"code": code, "first": codes[code]}))
            continue
        codes[code] = line
        if township and village and (township, village) in names:
            problems.append(_problem(line, "village", _("%(township)s %(village)s is on line %(first)s "
                                                        "already, with another code.")
                                     % {"township": township, "village": village,
                                        "first": names[(township, village)]}))
        names.setdefault((township, village), line)
        rows.append(ListRow(line, township, village, code))
    if not rows and not problems:
        problems.append(_("The file has a header but no village rows."))
    if problems:
        shown = problems[:MAX_PROBLEMS]
        if len(problems) > MAX_PROBLEMS:
            shown.append(_("… and %(count)s more problems.") % {"count": len(problems) - MAX_PROBLEMS})
        raise ValidationError(shown)
    return rows


@transaction.atomic
def village_list_load(*, county: str, data: bytes, file_name: str, user) -> tuple[VillageList, VillageListLoad | None]:
    """Load (or reload) a banner's village list from CSV bytes. Returns (list, the load recorded, or None
    when the file changed nothing). Superusers only: one banner's list serves all its plans."""
    require_superuser(user)
    county = normalize_text(county)
    if not county:
        raise ValidationError({"county": _("Name the banner (county) the list is of.")})
    rows = read_village_list(data)
    names = county_names(county)
    village_list = VillageList.objects.select_for_update().filter(county__in=names).first()
    if village_list is None:
        village_list = VillageList.objects.create(county=county)
    stored = {village.code: village for village in village_list.villages.all()}
    changes, new, changed = [], [], []
    counts = {"added": 0, "renamed": 0, "moved": 0, "removed": 0, "unchanged": 0}
    for row in rows:
        village = stored.get(row.code)
        if village is None:
            new.append(ListedVillage(village_list=village_list, code=row.code, name=row.village,
                                     township=row.township))
            counts["added"] += 1
            changes.append({"code": row.code, "change": "added", "old": "", "new": f"{row.township} {row.village}"})
            continue
        old = f"{village.township} {village.name}"
        kinds = [kind for kind, differs in (("moved", village.township != row.township),
                                            ("renamed", village.name != row.village),
                                            ("relisted", not village.listed)) if differs]
        if not kinds:
            counts["unchanged"] += 1
            continue
        for kind in kinds:
            if kind in counts:
                counts[kind] += 1
        village.township, village.name, village.listed = row.township, row.village, True
        changed.append(village)
        changes.append({"code": row.code, "change": "+".join(kinds), "old": old, "new": f"{row.township} {row.village}"})
    in_file = {row.code for row in rows}
    for code, village in sorted(stored.items()):
        if code not in in_file and village.listed:
            village.listed = False
            changed.append(village)
            counts["removed"] += 1
            changes.append({"code": code, "change": "removed", "old": f"{village.township} {village.name}", "new": ""})
    if not changes:
        return village_list, None
    who = history_user(user)
    if new:
        bulk_create_with_history(new, ListedVillage, default_user=who, default_change_reason=f"载入 {file_name}")
    if changed:
        bulk_update_with_history(changed, ListedVillage, ["name", "township", "listed"], default_user=who,
                                 default_change_reason=f"载入 {file_name}")
    village_list.save(update_fields=["updated_at"])
    load = VillageListLoad.objects.create(
        village_list=village_list, loaded_by=who, file_name=file_name[:255],
        sha256=hashlib.sha256(data).hexdigest(), changes=changes, **counts)
    return village_list, load


def load_summary(load, resolved) -> list[str]:
    """What a load did, as lines for a person (the command and the admin say the same)."""
    lines = []
    if load is None:
        lines.append(_("The list is as loaded before: nothing changed."))
    else:
        lines.append(_("%(county)s: %(added)s villages added, %(renamed)s renamed, %(moved)s moved to another "
                       "township, %(removed)s no longer listed, %(unchanged)s unchanged.")
                     % {"county": load.village_list.county, "added": load.added, "renamed": load.renamed,
                        "moved": load.moved, "removed": load.removed, "unchanged": load.unchanged})
    for plan, result in resolved.items():
        lines.append(_("Plan %(plan)s: the place of %(count)s projects changed.")
                     % {"plan": plan.code, "count": result.changed})
        if result.kept_locked:
            lines.append(_("Plan %(plan)s: %(count)s projects of approved years keep their place until the year "
                           "is reopened: %(names)s") % {"plan": plan.code, "count": len(result.kept_locked),
                                                         "names": "、".join(result.kept_locked[:10])})
    return lines


# --- reading it back ------------------------------------------------------------------------------

def village_list_of(county: str) -> VillageList | None:
    return VillageList.objects.filter(county__in=county_names(county)).first()


def village_index(village_list: VillageList | None) -> VillageIndex | None:
    """What recognition needs of a list: its listed villages, the spellings matched or confirmed for
    them and those dismissed (two queries)."""
    if village_list is None:
        return None
    villages = [GazetteerVillage(code, name, township) for code, name, township in
                village_list.villages.filter(listed=True).values_list("code", "name", "township")]
    aliases, dismissed = {}, []
    for spelling, code in village_list.aliases.values_list("spelling", "village__code"):
        if code is None:
            dismissed.append(spelling)
        else:
            aliases[spelling] = code
    return VillageIndex(villages, aliases, dismissed=dismissed)


def learned_aliases_record(*, village_list: VillageList, learned: dict[str, str]) -> int:
    """Record spellings the spelling rules matched (spelling → code) as the villages' aliases; a
    spelling already recorded or decided stays as it is. Returns how many were new."""
    if not learned:
        return 0
    known = set(village_list.aliases.filter(spelling__in=learned).values_list("spelling", flat=True))
    ids = dict(village_list.villages.filter(code__in=learned.values()).values_list("code", "pk"))
    new = [VillageAlias(village_list=village_list, spelling=spelling, village_id=ids[code],
                        source=VillageAlias.Source.RULE)
           for spelling, code in sorted(learned.items()) if spelling not in known and code in ids]
    VillageAlias.objects.bulk_create(new)
    return len(new)
