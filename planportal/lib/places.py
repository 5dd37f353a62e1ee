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


@dataclass(frozen=True)
class ParsedPlace:
    raw: str | None
    banner: str | None = None
    township: str | None = None
    township_kind: str | None = None  # "苏木" | "镇" | "乡" | None
    village: str | None = None
    village_kind: str | None = None  # "嘎查" | "社区" | "艾里" | "村" | None


@dataclass(frozen=True)
class _Item:
    """One list item of a location text, parsed."""

    banner: str | None = None
    township: str | None = None
    township_kind: str | None = None
    village: str | None = None
    village_kind: str | None = None
    rest: str = ""  # text after the recognised prefix chain


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


def parse_place(
    text: str | None,
    townships: Mapping[str, str] | None = None,
    *,
    villages: Mapping[str, str] | None = None,
    aliases: Mapping[str, str] | None = None,
    banners: Iterable[str] = DEFAULT_COUNTY_NAMES,
) -> ParsedPlace:
    """Recognise banner / township / village in a location text.

    townships: gazetteer of the banner's townships, name → kind ("巴彦呼舒镇": "镇");
      with it, only those names are townships (aliases map other spellings to them);
      without it, any "<name>苏木 / 镇 / 乡" is (so other banners' files work).
    villages: village name → township name, for texts naming only a village.
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
    for item in items:
        if item.township is None and item.village in village_map:
            name = village_map[item.village]
            found = gazetteer.match(name) if gazetteer.kinds else None
            kind = found[1] if found else _kind_of(name, TOWNSHIP_KINDS)
            item = _Item(item.banner, found[0] if found else name, kind, item.village, item.village_kind)
        resolved.append(item)

    banners_named = {item.banner for item in resolved if item.banner}
    township = _the_one([(item.township, item.township_kind) for item in resolved])
    village = _the_one([(item.village, item.village_kind) for item in resolved])
    return ParsedPlace(
        raw=text,
        banner=banners_named.pop() if len(banners_named) == 1 else None,
        township=township[0] if township else None,
        township_kind=township[1] if township else None,
        village=village[0] if village else None,
        village_kind=village[1] if village else None,
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
