"""Recognise banner (旗) → township (苏木/镇) → village (嘎查/社区/艾里/村) in the
项目建设地点 text of annex rows.

Pure standard library, no Django.

The rule is: never guess. A field is filled only when the text (or a gazetteer /
village mapping the caller passes) says so; anything unsure stays None, and the
text as written is always returned unchanged in ``raw``. In particular:

* the place must be written as a prefix chain — [banner][township][village] — so
  "科右中旗人民医院西侧吐列毛杜大街北侧" is the banner only (吐列毛杜 is a street there);
* a bare village ("杜尔基嘎查") gets a township only from the ``villages`` mapping,
  never from a look-alike township name (杜尔基镇);
* a list ("A嘎查、B嘎查", one item per line, …) gets a township / village only when
  every item resolves to the same one; an item that resolves to nothing blocks it,
  because "X镇社区卫生服务中心、Y卫生院" says nothing about where Y is;
* a banner written once at the start of a list is the banner of the whole list.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from difflib import SequenceMatcher

from planportal.lib.names import DEFAULT_COUNTY_NAMES, normalize_text

# The 12 township-level units of 科右中旗 (domain.md: 6 苏木 and 6 镇), each spelled
# with its kind suffix in the seed document (000_a6106caa575fc814.txt, annex columns
# 项目建设地点 / 项目实施单位 and 专栏 project names):
#   苏木: 额木庭高勒苏木 (e.g. "科右中旗额木庭高勒苏木巴彦敖包嘎查"), 新佳木苏木
#         ("科右中旗新佳木苏木"), 哈日诺尔苏木 ("科右中旗哈日诺尔苏木德布特尔嘎查"),
#         巴彦茫哈苏木 ("科右中旗巴彦茫哈苏木葛根敖日都嘎查"; once 巴彦忙哈),
#         代钦塔拉苏木 ("代钦塔拉苏木人民政府"), 巴彦淖尔苏木 ("巴彦淖尔苏木人民政府");
#   镇:   巴彦呼舒镇 ("巴彦呼舒镇哈日道卜嘎查"), 好腰苏木镇 ("科右中旗好腰苏木镇花灯嘎查":
#         a 镇 whose name contains 苏木), 杜尔基镇 ("科右中旗杜尔基镇双金嘎查"),
#         高力板镇 ("科右中旗高力板镇国光嘎查"), 巴仁哲里木镇 ("巴仁哲里木镇卫生院"),
#         吐列毛杜镇 ("吐列毛杜镇卫生院").
# Hospital names without a suffix (坤都冷, 准太本, 西日嘎, 布敦化, 巴仁太本, 义和道卜,
# 扎木钦, 巴扎拉嘎 …卫生院) name former townships; the document never calls them
# 苏木 or 镇, so they are not listed.
KEYOUZHONGQI_TOWNSHIPS: dict[str, str] = {
    "额木庭高勒苏木": "苏木", "新佳木苏木": "苏木", "哈日诺尔苏木": "苏木",
    "巴彦茫哈苏木": "苏木", "代钦塔拉苏木": "苏木", "巴彦淖尔苏木": "苏木",
    "巴彦呼舒镇": "镇", "好腰苏木镇": "镇", "杜尔基镇": "镇",
    "高力板镇": "镇", "巴仁哲里木镇": "镇", "吐列毛杜镇": "镇",
}
# Other spellings of those townships seen in the seed: "巴彦忙哈苏木" (location and
# unit of one 2023 row) and "好腰苏木" without 镇 ("好腰苏木卫生院", "好腰苏木人民政府").
KEYOUZHONGQI_TOWNSHIP_ALIASES: dict[str, str] = {
    "巴彦忙哈苏木": "巴彦茫哈苏木",
    "好腰苏木": "好腰苏木镇",
}

TOWNSHIP_KINDS = ("苏木", "镇", "乡")
VILLAGE_KINDS = ("嘎查", "艾里", "社区", "村")
_BANNER_NOT = ("全旗", "各旗", "本旗", "该旗", "外旗", "全县", "各县", "本县")
# Words that make "…嘎查" / "…苏木" a description, not a name:
# 各嘎查, 示范村, 乡村振兴样板村, "五美"嘎查, 重点苏木镇, 特色小镇 …
_GENERIC = (
    "各", "全旗", "全县", "重点", "示范", "样板", "试点", "特色", "所在", "相关", "有关",
    "周边", "附近", "贫困", "脱贫", "行政", "自然", "专业", "振兴", "乡村", "农村", "城乡",
    "五好", "五美", "旅游", "所有", "全部", "其他", "其它", "若干",
)
_NAME_CHARS = r"[\u4e00-\u9fff0-9A-Za-z]"
_GENERIC_BANNER = re.compile(rf"{_NAME_CHARS}{{2,7}}?(?:旗|县)")
_SUFFIX_TOWNSHIP = re.compile(rf"(?P<stem>{_NAME_CHARS}{{2,8}}?)(?P<kind>苏木镇|苏木|镇|乡)")
_VILLAGE = re.compile(rf"(?P<stem>{_NAME_CHARS}{{2,12}}?)(?P<kind>嘎查|艾里|社区|村)")
# List separators; 及/和/与 only right after a village ("A嘎查和B嘎查"), since they
# also occur inside names and descriptions.
_LIST_SEPARATORS = re.compile(r"[、,;/。]+|(?<=嘎查|艾里|社区)(?:及|和|与)|(?<=村)(?:及|和|与)")
_PARENTHESES = re.compile(r"\([^()]*\)")
_SHORT_VILLAGE = re.compile(r"(?P<stem>.?)(?:嘎查|艾里|社区|村)")
# Province and league written before the banner; only the three leagues that exist,
# so a village such as "新联盟村" is not cut.
_LEAGUE = re.compile(r"^(?:内蒙古自治区|内蒙古)?(?:兴安盟|锡林郭勒盟|阿拉善盟)?")


# --- the banner's official village list (统计用区划代码), passed in as data -----------------

# Spelling variants the annexes use for one Mongolian sound, each seen in the seed against the
# 2020 list (first of each group is the form the key uses):
#   巴彦/白音/巴音 (东白音套海嘎查 ~ …巴彦套海嘎查), 勒/里/力/列 (窑艾里 = 窑艾勒, 莫力黑哈达 =
#   莫勒黑哈达, 吐列图 = 图勒图), 图/吐 (草高吐 = 草高图, 哈吐布其 = 哈图布其), 保/宝 (浩力宝 =
#   浩力保), 套/陶 (…套海 / …陶海); and the village suffix written or not (查干敖瑞 = 查干敖瑞嘎查,
#   罕乌拉 = 罕乌拉嘎查), 嘎查 or 村 alike.
VARIANT_GROUPS: tuple[tuple[str, ...], ...] = (
    ("巴彦", "白音", "巴音"),
    ("勒", "里", "力", "列"),
    ("图", "吐"),
    ("保", "宝"),
    ("套", "陶"),
)
_VARIANT_SUFFIXES = ("嘎查村", "嘎查", "村")
_VARIANT_TABLE = sorted(
    ((spelling, group[0]) for group in VARIANT_GROUPS for spelling in group[1:]), key=lambda p: -len(p[0])
)
_BARE_NAME = re.compile(rf"{_NAME_CHARS}{{2,12}}")
MAX_CANDIDATES = 6
# Words that make a text name the whole banner (or beyond it), not one township: 全旗各苏木镇卫生院,
# 科右中旗各嘎查, 对口区（海淀区）, 旗外 (outside the banner).
_WIDE_WORDS = ("全旗", "各苏木", "各镇", "各乡", "各嘎查", "各村", "对口区", "旗外")


def variant_key(name: str) -> str:
    """The matching key of a village name under the spelling rules: 窑艾里嘎查 and 窑艾勒 give one key."""
    key = normalize_text(name)
    for suffix in _VARIANT_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix) + 1:
            key = key[: -len(suffix)]
            break
    for spelling, canonical in _VARIANT_TABLE:
        key = key.replace(spelling, canonical)
    return key


@dataclass(frozen=True)
class GazetteerVillage:
    """One administrative village of the official list: its 12-digit code is its identity."""

    code: str
    name: str
    township: str


@dataclass(frozen=True)
class VillageMatch:
    """How a written village name meets the list.

    status: "exact" (the name as listed), "alias" (a spelling recorded before), "variant" (the
    spelling rules make it one listed name), "ambiguous" (two or more listed villages fit),
    "approximate" (only look-alikes: candidates, never chosen), "unknown" (nothing close),
    "dismissed" (a person decided it is none of the listed villages).
    """

    status: str
    villages: tuple[GazetteerVillage, ...] = ()

    @property
    def village(self) -> GazetteerVillage | None:
        return self.villages[0] if self.status in ("exact", "alias", "variant") else None


def _common_run(a: str, b: str) -> int:
    match = SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    return match.size


class VillageIndex:
    """The banner's villages (GazetteerVillage rows) and the spellings recorded for them.

    aliases: spelling → code, the spellings the rules matched or a person confirmed;
    dismissed: spellings a person decided stand for none of the listed villages (never asked again).
    """

    def __init__(self, villages: Iterable[GazetteerVillage], aliases: Mapping[str, str] | None = None,
                 dismissed: Iterable[str] = ()):
        self.villages = list(villages)
        by_code = {village.code: village for village in self.villages}
        self.by_name: dict[str, list[GazetteerVillage]] = {}
        self.by_key: dict[str, list[GazetteerVillage]] = {}
        for village in self.villages:
            self.by_name.setdefault(normalize_text(village.name), []).append(village)
            self.by_key.setdefault(variant_key(village.name), []).append(village)
        self.aliases = {normalize_text(spelling): by_code[code] for spelling, code in (aliases or {}).items()
                        if code in by_code}
        self.townships = {normalize_text(village.township) for village in self.villages}
        self.dismissed = {normalize_text(spelling) for spelling in dismissed}
        self.by_code = by_code

    def __bool__(self) -> bool:
        return bool(self.villages)

    def match(self, name: str, *, township: str | None = None, approximate: bool = True) -> VillageMatch:
        """The listed village(s) a written name stands for; within `township` only, when it is given."""
        name = normalize_text(name)

        def within(found):
            return tuple(v for v in found if township is None or normalize_text(v.township) == township)

        alias = self.aliases.get(name)
        if alias is not None and within([alias]):
            return VillageMatch("alias", (alias,))
        if name in self.dismissed:
            return VillageMatch("dismissed")
        exact = within(self.by_name.get(name, ()))
        if len(exact) == 1:
            return VillageMatch("exact", exact)
        if exact:
            return VillageMatch("ambiguous", exact)
        key = variant_key(name)
        variants = within(self.by_key.get(key, ()))
        if len(variants) == 1:
            return VillageMatch("variant", variants)
        if variants:
            return VillageMatch("ambiguous", variants)
        if not approximate or len(key) < 2:
            return VillageMatch("unknown")
        scored = []
        for village in within(self.villages):
            other = variant_key(village.name)
            run = _common_run(key, other)
            # A shared run of at least two letters covering two thirds of the shorter name:
            # 呼热 ~ 伊和呼热, 东白音套海 ~ 准巴彦套海, never 呼热 ~ 巴彦温都热.
            if run >= 2 and 3 * run >= 2 * min(len(key), len(other)):
                ratio = SequenceMatcher(None, key, other, autojunk=False).ratio()
                scored.append((-ratio, village.code, village))
        scored.sort(key=lambda item: item[:2])
        found = tuple(village for _r, _c, village in scored[:MAX_CANDIDATES])
        return VillageMatch("approximate", found) if found else VillageMatch("unknown")


@dataclass(frozen=True)
class PlaceQuestion:
    """A written village name the list does not settle: for a person to decide (never guessed)."""

    spelling: str
    # "ambiguous" | "approximate" | "unknown" (a village name nothing in the list is close to) |
    # "unplaced" (the whole text: no village, no township, and not the banner as a whole)
    status: str
    candidates: tuple[str, ...] = ()  # codes, best first


@dataclass(frozen=True)
class ParsedPlace:
    raw: str | None
    banner: str | None = None
    township: str | None = None
    township_kind: str | None = None  # "苏木" | "镇" | "乡" | None
    village: str | None = None
    village_kind: str | None = None  # "嘎查" | "社区" | "艾里" | "村" | None
    # With a village list: the village's code, the spellings the rules matched (spelling → code,
    # to be recorded as aliases) and the names left for a person to decide.
    village_code: str | None = None
    learned: tuple[tuple[str, str], ...] = ()
    questions: tuple[PlaceQuestion, ...] = ()
    # No one township, by what the text says: the banner as a whole (科右中旗, 科右中旗各苏木镇),
    # several townships, or beyond the banner (对口区（海淀区）).
    wide: bool = False


@dataclass(frozen=True)
class _Item:
    """One list item of a location text, parsed."""

    banner: str | None = None
    township: str | None = None
    township_kind: str | None = None
    village: str | None = None
    village_kind: str | None = None
    rest: str = ""  # text after the recognised prefix chain
    code: str | None = None  # the listed village's code, when a village list settled it


def _is_generic(stem: str) -> bool:
    return any(word in stem for word in _GENERIC) or stem.endswith("小")


def _kind_of(name: str, kinds: Iterable[str]) -> str | None:
    return next((kind for kind in kinds if name.endswith(kind)), None)


class _Gazetteer:
    """Township names (and aliases) of one banner, normalised, for prefix lookup."""

    def __init__(self, townships: Mapping[str, str] | None, aliases: Mapping[str, str] | None):
        self.kinds = {normalize_text(k): v for k, v in (townships or {}).items()}
        self.lookup = {name: name for name in self.kinds}
        for alias, canonical in (aliases or {}).items():
            canonical = normalize_text(canonical)
            self.lookup[normalize_text(alias)] = canonical
        # Longest first, so 好腰苏木镇 wins over its alias 好腰苏木.
        self.spellings = sorted(self.lookup, key=len, reverse=True)

    def match(self, text: str) -> tuple[str, str, int] | None:
        """(canonical name, kind, length written) of a township starting ``text``."""
        for spelling in self.spellings:
            if text.startswith(spelling):
                name = self.lookup[spelling]
                kind = self.kinds.get(name) or _kind_of(name, ("苏木镇", *TOWNSHIP_KINDS))
                return name, ("镇" if kind == "苏木镇" else kind), len(spelling)
        return None


def _banner(text: str, banners: Iterable[str]) -> tuple[str | None, str]:
    for banner in sorted({normalize_text(b) for b in banners}, key=len, reverse=True):
        if banner and text.startswith(banner):
            return banner, text[len(banner):]
    # Another banner's file: "扎鲁特旗…". Not "五星红旗嘎查" (a village), not "全旗".
    match = _GENERIC_BANNER.match(text)
    if match:
        name, rest = match.group(0), text[match.end():]
        if name not in _BANNER_NOT and not _is_generic(name) and not rest.startswith(
            (*VILLAGE_KINDS, *TOWNSHIP_KINDS)
        ):
            return name, rest
    return None, text


def _village(text: str, inner_township_ok: bool = False) -> tuple[str, str] | None:
    """(name, kind) when ``text`` is exactly one village name."""
    match = _VILLAGE.fullmatch(text)
    if not match:
        return None
    stem = match.group("stem")
    # "A嘎查B嘎查" (two names run together) or "X苏木Y嘎查" with X unknown: not one village.
    inner = ("嘎查", "社区") if inner_township_ok else ("嘎查", "社区", "苏木", "镇", "乡")
    if _is_generic(stem) or any(word in stem for word in inner):
        return None
    return text, match.group("kind")


def _township(text: str, gazetteer: _Gazetteer) -> tuple[str, str, int] | None:
    if gazetteer.kinds:
        return gazetteer.match(text)  # a gazetteer is authoritative: unknown names stay unknown
    match = _SUFFIX_TOWNSHIP.match(text)
    if not match or _is_generic(match.group("stem")) or text[match.end():].startswith("村"):
        return None  # "…乡村旅游区": 乡 starts 乡村, not a township
    name, kind = match.group(0), match.group("kind")
    if name in gazetteer.lookup:  # a known other spelling, even without a gazetteer
        name = gazetteer.lookup[name]
        kind = _kind_of(name, ("苏木镇", *TOWNSHIP_KINDS)) or kind
    return name, ("镇" if kind == "苏木镇" else kind), match.end()


def _parse_item(text: str, gazetteer: _Gazetteer, banners: Iterable[str]) -> _Item:
    text = _LEAGUE.sub("", text)
    banner, text = _banner(text, banners)
    township = _township(text, gazetteer)
    if township:
        name, kind, length = township
        rest = text[length:]
        # "巴彦苏木图嘎查" read as 巴彦苏木 + "图嘎查" leaves a village with a one-letter
        # name: the whole text is one village name after all, so fall through.
        short = _SHORT_VILLAGE.fullmatch(rest)
        if not (short and not _is_generic(short.group("stem"))):
            village = _village(rest)
            if village:
                return _Item(banner, name, kind, *village)
            return _Item(banner, name, kind, rest=rest)
    village = _village(text, inner_township_ok=township is not None)
    if village:
        return _Item(banner, None, None, *village)
    return _Item(banner, rest=text)


def _items(raw: str, gazetteer: _Gazetteer, banners: Iterable[str]) -> list[_Item]:
    """Split into list items. A line that is only a banner / township prefix
    ("科右中旗巴彦呼舒镇" then "哈日道卜嘎查" on the next line) continues on the next line."""
    # Asides in parentheses ("对口区（海淀区）", "社区（街道）") are dropped first, so a
    # separator inside them does not split the list.
    lines = [_PARENTHESES.sub("", normalize_text(line)) for line in raw.splitlines()]
    merged: list[str] = []
    for line in filter(None, lines):
        if merged:
            head = _parse_item(merged[-1], gazetteer, banners)
            tail = _parse_item(line, gazetteer, banners)
            # Join a prefix-only line with a line that goes on one level down
            # ("科右中旗" / "额木庭高勒苏木"); "巴彦呼舒镇" / "高力板镇" on two
            # lines are a list of two townships.
            prefix_only = not head.rest and not head.village and (head.banner or head.township)
            if prefix_only and not tail.banner and not (head.township and tail.township):
                merged[-1] += line
                continue
        merged.append(line)
    return [
        _parse_item(part, gazetteer, banners)
        for line in merged
        for part in _LIST_SEPARATORS.split(line)
        if part
    ]


def _the_one(pairs: list[tuple[str | None, str | None]]) -> tuple[str, str | None] | None:
    """The (name, kind) all items agree on; None if any item lacks a name or they differ."""
    if pairs and all(name for name, _ in pairs) and len(set(pairs)) == 1:
        return pairs[0]
    return None


def _township_stem(name: str) -> str:
    kind = _kind_of(name, ("苏木镇", *TOWNSHIP_KINDS))
    return name.removesuffix(kind) if kind else name


def _listed_item(item: _Item, found: GazetteerVillage, gazetteer: _Gazetteer) -> _Item:
    """The item as the village list names it: the listed name, its township, its code."""
    township = normalize_text(found.township)
    matched = gazetteer.match(township) if gazetteer.kinds else None
    kind = matched[1] if matched else _kind_of(township, ("苏木镇", *TOWNSHIP_KINDS))
    name = normalize_text(found.name)
    return _Item(item.banner, matched[0] if matched else township, "镇" if kind == "苏木镇" else kind, name,
                 _kind_of(name, VILLAGE_KINDS), code=found.code)


def _with_list(item: _Item, index: VillageIndex, gazetteer: _Gazetteer, learned: list, questions: list) -> _Item:
    """Settle an item's village through the list; what the list does not settle becomes a question."""
    if item.village:
        spelling, bare = item.village, False
    elif not item.township and item.rest and _BARE_NAME.fullmatch(item.rest) and not _is_generic(item.rest):
        spelling, bare = item.rest, True  # "查干敖瑞", "罕乌拉": a village written without 嘎查
    else:
        return item
    # Written with its township: only that township's villages. Its look-alikes there are
    # candidates for a person (德布特尔嘎查 ~ 德布特日达巴嘎查); the township stands anyway.
    match = index.match(spelling, township=item.township, approximate=not bare)
    stems = {_township_stem(name) for name in (*gazetteer.kinds, *index.townships)}
    if bare and match.village and spelling in stems:  # "杜尔基": the 镇 or the 嘎查?
        match = VillageMatch("ambiguous", match.villages)
    if match.village:
        if match.status == "variant":
            learned.append((spelling, match.village.code))
        return _listed_item(item, match.village, gazetteer)
    # A bare word ("准太本卫生院" is not one) is asked about only when it fits two villages.
    if match.status != "dismissed" and (not bare or match.status == "ambiguous"):
        questions.append(PlaceQuestion(spelling, match.status, tuple(v.code for v in match.villages)))
    return item


def _wide(text: str, items: list[_Item], banners: set[str]) -> bool:
    """Does the text place itself nowhere narrower than the banner (or outside it)?"""
    if any(word in text for word in _WIDE_WORDS):
        return True
    if len({item.township for item in items if item.township}) > 1:
        return True  # a list across townships: its money reaches no one township
    # "科右中旗百利舸农牧业产业园", "科右中旗巴彦呼舒镇社区卫生服务中心、西日嘎卫生院": the banner
    # named, and no one township.
    return bool(banners)


def parse_place(
    text: str | None,
    townships: Mapping[str, str] | None = None,
    *,
    villages: Mapping[str, str] | None = None,
    aliases: Mapping[str, str] | None = None,
    banners: Iterable[str] = DEFAULT_COUNTY_NAMES,
    village_list: VillageIndex | None = None,
) -> ParsedPlace:
    """Recognise banner / township / village in a location text.

    townships: gazetteer of the banner's townships, name → kind ("巴彦呼舒镇": "镇");
      with it, only those names are townships (aliases map other spellings to them);
      without it, any "<name>苏木 / 镇 / 乡" is (so other banners' files work).
    villages: village name → township name, for texts naming only a village.
    village_list: the banner's official villages with the spellings recorded for them: a
      village named alone gets its township when the list (or the spelling rules,
      VARIANT_GROUPS) make it exactly one listed village; two fits or only look-alikes
      become ``questions``, never a guess; spellings the rules matched come back in
      ``learned``. A village written under its township is settled within that township.
    banners: banner names recognised as written; other "<name>旗 / 县" prefixes
      are recognised by suffix.
    Names come back in matching form (normalize_text: no stray spaces); ``raw`` is
    the text exactly as given.
    """
    if text is None or not text.strip():
        return ParsedPlace(raw=text)
    gazetteer = _Gazetteer(townships, aliases)
    village_map = {normalize_text(v): normalize_text(t) for v, t in (villages or {}).items()}
    items = _items(text, gazetteer, banners)
    resolved = []
    learned: list[tuple[str, str]] = []
    questions: list[PlaceQuestion] = []
    for item in items:
        if item.township is None and item.village in village_map:
            name = village_map[item.village]
            found = gazetteer.match(name) if gazetteer.kinds else None
            kind = found[1] if found else _kind_of(name, TOWNSHIP_KINDS)
            item = _Item(item.banner, found[0] if found else name, kind, item.village, item.village_kind)
        elif village_list:
            item = _with_list(item, village_list, gazetteer, learned, questions)
        resolved.append(item)

    banners_named = {item.banner for item in resolved if item.banner}
    township = _the_one([(item.township, item.township_kind) for item in resolved])
    village = _the_one([(item.village, item.village_kind) for item in resolved])
    codes = {item.code for item in resolved}
    wide = not township and _wide(normalize_text(text), resolved, banners_named)
    if village_list and not township and not wide and not questions:
        spelling = normalize_text(text)
        if spelling not in village_list.dismissed:  # nothing recognised: a person says where it is
            questions.append(PlaceQuestion(spelling, "unplaced"))
    return ParsedPlace(
        raw=text,
        banner=banners_named.pop() if len(banners_named) == 1 else None,
        township=township[0] if township else None,
        township_kind=township[1] if township else None,
        village=village[0] if village else None,
        village_kind=village[1] if village else None,
        village_code=codes.pop() if village and len(codes) == 1 else None,
        learned=tuple(dict.fromkeys(learned)),
        questions=tuple(dict.fromkeys(questions)),
        wide=wide,
    )


def learn_villages(
    texts: Iterable[str | None],
    townships: Mapping[str, str] | None = None,
    *,
    aliases: Mapping[str, str] | None = None,
    banners: Iterable[str] = DEFAULT_COUNTY_NAMES,
) -> dict[str, str]:
    """village → township from texts that name both ("巴彦呼舒镇哈日道卜嘎查").

    A village seen under two different townships is left out. Mongolian village
    names repeat (巴彦敖包, 巴彦高 …), so have a person review the mapping before
    passing it to parse_place as ``villages``.
    """
    seen: dict[str, set[str]] = {}
    for text in texts:
        place = parse_place(text, townships, aliases=aliases, banners=banners)
        if place.township and place.village:
            seen.setdefault(place.village, set()).add(place.township)
    return {village: towns.pop() for village, towns in seen.items() if len(towns) == 1}
