"""planportal.lib.places: banner → township → village from 项目建设地点 text, never guessed."""
import dataclasses

import pytest

from planportal.lib.places import (
    KEYOUZHONGQI_TOWNSHIP_ALIASES,
    KEYOUZHONGQI_TOWNSHIPS,
    ParsedPlace,
    learn_villages,
    parse_place,
)

GAZETTEER = {"townships": KEYOUZHONGQI_TOWNSHIPS, "aliases": KEYOUZHONGQI_TOWNSHIP_ALIASES}
NONE = (None, None, None, None, None)


def fields(place: ParsedPlace) -> tuple:
    return (place.banner, place.township, place.township_kind, place.village, place.village_kind)


# Location texts of the seed annex, with what both modes (gazetteer / suffixes only) must find.
SEED_LOCATIONS = [
    ("科右中旗百利舸农牧业产业园", ("科右中旗", None, None, None, None)),
    ("科右中旗", ("科右中旗", None, None, None, None)),
    ("科右中旗各苏木镇", ("科右中旗", None, None, None, None)),
    ("科右中旗各嘎查", ("科右中旗", None, None, None, None)),
    ("科右中旗示范村8个、人居环境“五美”嘎查10个", ("科右中旗", None, None, None, None)),
    ("科右中旗乡村振兴样板村及肉牛产业重点村", ("科右中旗", None, None, None, None)),
    ("科右中旗人民医院西侧吐列毛杜大街北侧", ("科右中旗", None, None, None, None)),
    ("科尔沁右翼中旗蒙医医院院区南侧", ("科尔沁右翼中旗", None, None, None, None)),
    ("科右中旗翰嘎利—五角枫旅游区", ("科右中旗", None, None, None, None)),
    ("杜尔基嘎查", (None, None, None, "杜尔基嘎查", "嘎查")),  # not 杜尔基镇: never guessed
    ("窑艾里嘎查", (None, None, None, "窑艾里嘎查", "嘎查")),
    ("代钦塔拉嘎查", (None, None, None, "代钦塔拉嘎查", "嘎查")),
    ("代钦塔 拉嘎查", (None, None, None, "代钦塔拉嘎查", "嘎查")),
    ("查干敖瑞", NONE),
    ("罕乌拉", NONE),
    ("准太本卫生院", NONE),
    ("对口区（海淀区）", NONE),
    ("旗外、对口区（海淀区）", NONE),
    ("全旗各苏木镇卫生院、社区卫生服务中心、社区（街道）", NONE),
    ("高力板镇", (None, "高力板镇", "镇", None, None)),
    ("吐列毛杜镇卫生院", (None, "吐列毛杜镇", "镇", None, None)),
    ("科右中旗新佳木苏木", ("科右中旗", "新佳木苏木", "苏木", None, None)),
    ("科右中旗额木庭高勒苏木", ("科右中旗", "额木庭高勒苏木", "苏木", None, None)),
    ("巴彦呼舒镇哈日道卜嘎查", (None, "巴彦呼舒镇", "镇", "哈日道卜嘎查", "嘎查")),
    ("科右中旗巴彦茫哈苏木葛根敖日都嘎查", ("科右中旗", "巴彦茫哈苏木", "苏木", "葛根敖日都嘎查", "嘎查")),
    ("科右中旗巴彦茫哈苏木葛根敖包嘎查", ("科右中旗", "巴彦茫哈苏木", "苏木", "葛根敖包嘎查", "嘎查")),
    ("科右中旗好腰苏木镇花灯嘎查", ("科右中旗", "好腰苏木镇", "镇", "花灯嘎查", "嘎查")),
    ("科右中旗杜尔基镇双金嘎查", ("科右中旗", "杜尔基镇", "镇", "双金嘎查", "嘎查")),
    ("科右中旗高力板镇国光嘎查", ("科右中旗", "高力板镇", "镇", "国光嘎查", "嘎查")),
    ("科右中旗哈日诺尔苏木德布特尔嘎查", ("科右中旗", "哈日诺尔苏木", "苏木", "德布特尔嘎查", "嘎查")),
    ("科右中旗额木庭高勒苏木巴彦敖包嘎查", ("科右中旗", "额木庭高勒苏木", "苏木", "巴彦敖包嘎查", "嘎查")),
    # Lists of hospitals in several townships: no single township.
    ("哈日诺尔苏木卫生院、巴彦茫哈苏木卫生院、额木庭高勒苏木、巴扎拉嘎卫生院", NONE),
    (
        "科右中旗高力板镇卫生院、巴仁太本卫生院、义和道卜卫生院、巴仁哲里木镇卫生院、扎木钦卫生院、杜尔基镇卫生院、吐列毛杜农场卫生院",
        ("科右中旗", None, None, None, None),
    ),
    # One item in 巴彦呼舒镇, the others unknown: not all in 巴彦呼舒镇.
    ("科右中旗巴彦呼舒镇社区卫生服务中心、西日嘎卫生院、布敦化卫生院", ("科右中旗", None, None, None, None)),
]


@pytest.mark.parametrize("text, expected", SEED_LOCATIONS)
@pytest.mark.parametrize("mode", ["gazetteer", "suffixes"])
def test_seed_locations(text, expected, mode):
    place = parse_place(text, **GAZETTEER) if mode == "gazetteer" else parse_place(text)
    assert place.raw == text
    assert fields(place) == expected


@pytest.mark.parametrize(
    "text, with_gazetteer, without",
    [
        # 巴彦忙哈 is a variant of 巴彦茫哈: resolved only through the aliases.
        (
            "科右中旗巴彦忙哈苏木巴彦温都尔嘎查",
            ("科右中旗", "巴彦茫哈苏木", "苏木", "巴彦温都尔嘎查", "嘎查"),
            ("科右中旗", "巴彦忙哈苏木", "苏木", "巴彦温都尔嘎查", "嘎查"),
        ),
        # 好腰苏木 without 镇 is the 镇 好腰苏木镇.
        (
            "科右中旗吐列毛杜卫生院、坤都冷卫生院、巴彦淖尔卫生院、好腰苏木卫生院",
            ("科右中旗", None, None, None, None),
            ("科右中旗", None, None, None, None),
        ),
        ("好腰苏木卫生院", (None, "好腰苏木镇", "镇", None, None), (None, "好腰苏木", "苏木", None, None)),
        # Another banner: its townships are not in this gazetteer, so with it nothing is guessed.
        (
            "扎鲁特旗鲁北镇新立嘎查",
            ("扎鲁特旗", None, None, None, None),
            ("扎鲁特旗", "鲁北镇", "镇", "新立嘎查", "嘎查"),
        ),
        (
            "兴安盟突泉县水泉镇永安村",
            ("突泉县", None, None, None, None),
            ("突泉县", "水泉镇", "镇", "永安村", "村"),
        ),
        ("巴彦苏木图嘎查", NONE, (None, None, None, "巴彦苏木图嘎查", "嘎查")),
    ],
)
def test_gazetteer_versus_suffixes(text, with_gazetteer, without):
    assert fields(parse_place(text, **GAZETTEER)) == with_gazetteer
    assert fields(parse_place(text)) == without


@pytest.mark.parametrize(
    "text, expected",
    [
        ("五星红旗嘎查", (None, None, None, "五星红旗嘎查", "嘎查")),  # 旗 inside a village name
        ("红旗村", (None, None, None, "红旗村", "村")),
        ("新联盟村", (None, None, None, "新联盟村", "村")),
        ("巴彦浩特镇幸福社区", (None, "巴彦浩特镇", "镇", "幸福社区", "社区")),
        ("某某乡村旅游区", NONE),  # 乡 of 乡村 is no township
        ("阿拉善盟阿拉善左旗巴彦浩特镇", ("阿拉善左旗", "巴彦浩特镇", "镇", None, None)),
        ("内蒙古自治区兴安盟科右中旗高力板镇", ("科右中旗", "高力板镇", "镇", None, None)),
        ("鲁北镇各嘎查", (None, "鲁北镇", "镇", None, None)),
        ("鲁北镇示范村", (None, "鲁北镇", "镇", None, None)),
        ("特色小镇", NONE),
    ],
)
def test_suffix_recognition(text, expected):
    assert fields(parse_place(text)) == expected


@pytest.mark.parametrize(
    "text, kwargs, expected",
    [
        # A line holding only the banner / township continues on the next line.
        ("科右中旗巴彦呼舒镇\n哈日道卜嘎查", {}, ("科右中旗", "巴彦呼舒镇", "镇", "哈日道卜嘎查", "嘎查")),
        ("科右中旗\n额木庭高勒苏木\n吴龙宝嘎查", {}, ("科右中旗", "额木庭高勒苏木", "苏木", "吴龙宝嘎查", "嘎查")),
        # Two townships on two lines are a list.
        ("巴彦呼舒镇\n高力板镇", {}, NONE),
        # Villages of one township, listed: the township, no single village.
        (
            "巴彦呼舒镇哈日道卜嘎查、巴彦呼舒镇西日道卜嘎查",
            {},
            (None, "巴彦呼舒镇", "镇", None, None),
        ),
        (
            "巴彦呼舒镇哈日道卜嘎查\n巴彦呼舒镇西日道卜嘎查",
            {},
            (None, "巴彦呼舒镇", "镇", None, None),
        ),
        ("哈日道卜嘎查、哈日道卜嘎查", {}, (None, None, None, "哈日道卜嘎查", "嘎查")),
        # The second village's township is unknown: not assumed to be the first one's.
        ("巴彦呼舒镇哈日道卜嘎查、西日道卜嘎查", {}, NONE),
        (
            "巴彦呼舒镇哈日道卜嘎查、西日道卜嘎查",
            {"villages": {"西日道卜嘎查": "巴彦呼舒镇"}},
            (None, "巴彦呼舒镇", "镇", None, None),
        ),
        ("杜尔基嘎查、双金嘎查", {"villages": {"双金嘎查": "杜尔基镇"}}, NONE),
        ("科右中旗杜尔基镇双金嘎查、高力板镇国光嘎查", {}, ("科右中旗", None, None, None, None)),
        # A bare village gets its township from the villages mapping only.
        ("杜尔基嘎查", {"villages": {"杜尔基嘎查": "杜尔基镇"}}, (None, "杜尔基镇", "镇", "杜尔基嘎查", "嘎查")),
        ("花灯嘎查", {"villages": {"花灯嘎查": "好腰苏木镇"}}, (None, "好腰苏木镇", "镇", "花灯嘎查", "嘎查")),
        ("花灯 嘎查", {"villages": {"花灯嘎查": "好腰苏木镇"}}, (None, "好腰苏木镇", "镇", "花灯嘎查", "嘎查")),
        # An explicit township is kept over the mapping.
        ("高力板镇花灯嘎查", {"villages": {"花灯嘎查": "好腰苏木镇"}}, (None, "高力板镇", "镇", "花灯嘎查", "嘎查")),
        ("  ", {}, NONE),
        ("", {}, NONE),
    ],
)
def test_lists_lines_and_village_mapping(text, kwargs, expected):
    place = parse_place(text, **kwargs)
    assert place.raw == text
    assert fields(place) == expected


def test_village_mapping_with_gazetteer_uses_canonical_township():
    place = parse_place("花灯嘎查", **GAZETTEER, villages={"花灯嘎查": "好腰苏木"})
    assert fields(place) == (None, "好腰苏木镇", "镇", "花灯嘎查", "嘎查")


def test_none_and_raw_kept():
    assert parse_place(None) == ParsedPlace(raw=None)
    text = " 科右中旗 巴彦呼舒镇\n哈日道卜嘎查 "
    assert parse_place(text).raw == text


def test_parsed_place_is_frozen():
    place = parse_place("高力板镇")
    with pytest.raises(dataclasses.FrozenInstanceError):
        place.township = "杜尔基镇"


def test_keyouzhongqi_townships():
    kinds = list(KEYOUZHONGQI_TOWNSHIPS.values())
    assert len(KEYOUZHONGQI_TOWNSHIPS) == 12
    assert kinds.count("苏木") == 6 and kinds.count("镇") == 6
    assert all(name.endswith(kind) for name, kind in KEYOUZHONGQI_TOWNSHIPS.items())
    assert set(KEYOUZHONGQI_TOWNSHIP_ALIASES.values()) <= set(KEYOUZHONGQI_TOWNSHIPS)


def test_learn_villages():
    texts = [
        "科右中旗巴彦呼舒镇哈日道卜嘎查",
        "科右中旗杜尔基镇双金嘎查",
        "高力板镇巴彦高嘎查",
        "杜尔基镇巴彦高嘎查",  # seen in two townships: left out
        "国光嘎查",
        "科右中旗巴彦忙哈苏木巴彦温都尔嘎查",
        None,
    ]
    assert learn_villages(texts, KEYOUZHONGQI_TOWNSHIPS, aliases=KEYOUZHONGQI_TOWNSHIP_ALIASES) == {
        "哈日道卜嘎查": "巴彦呼舒镇",
        "双金嘎查": "杜尔基镇",
        "巴彦温都尔嘎查": "巴彦茫哈苏木",
    }


@pytest.mark.parametrize(
    "text, expected",
    [
        ("巴彦呼舒镇哈日道卜嘎查和巴彦呼舒镇西日道卜嘎查", (None, "巴彦呼舒镇", "镇", None, None)),
        ("哈日道卜嘎查及西日道卜嘎查", NONE),
        ("对口区（海淀区、朝阳区）", NONE),
        ("高力板镇（原巴彦淖尔苏木）国光嘎查", (None, "高力板镇", "镇", "国光嘎查", "嘎查")),
        ("科右中旗乡村振兴样板村及肉牛产业重点村", ("科右中旗", None, None, None, None)),
    ],
)
def test_separators_and_asides(text, expected):
    assert fields(parse_place(text, **GAZETTEER)) == expected
