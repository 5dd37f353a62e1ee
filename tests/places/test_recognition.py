"""planportal.lib.places with a village list: the spelling rules, and never a guess."""

import pytest

from planportal.lib.places import (
    KEYOUZHONGQI_TOWNSHIP_ALIASES,
    KEYOUZHONGQI_TOWNSHIPS,
    GazetteerVillage,
    VillageIndex,
    parse_place,
    variant_key,
)

VILLAGES = [
    GazetteerVillage("152222100201", "窑艾勒嘎查", "巴彦呼舒镇"),
    GazetteerVillage("152222100200", "莫勒黑哈达嘎查", "巴彦呼舒镇"),
    GazetteerVillage("152222100210", "草高图嘎查", "巴彦呼舒镇"),
    GazetteerVillage("152222100211", "海龙嘎查", "巴彦呼舒镇"),
    GazetteerVillage("152222105201", "准巴彦套海嘎查", "好腰苏木镇"),
    GazetteerVillage("152222105203", "伊和呼热嘎查", "好腰苏木镇"),
    GazetteerVillage("152222103202", "杜尔基嘎查", "杜尔基镇"),
    GazetteerVillage("152222201201", "浩力保嘎查", "新佳木苏木"),
    # One name in two townships (巴彦敖包 is common): never one of them by chance.
    GazetteerVillage("152222203208", "巴彦敖包嘎查", "额木庭高勒苏木"),
    GazetteerVillage("152222204299", "巴彦敖包嘎查", "巴彦茫哈苏木"),
]


def parse(text, index=None, **kw):
    return parse_place(text, KEYOUZHONGQI_TOWNSHIPS, aliases=KEYOUZHONGQI_TOWNSHIP_ALIASES,
                       village_list=index if index is not None else VillageIndex(VILLAGES, **kw))


@pytest.mark.parametrize("a, b", [
    ("窑艾里嘎查", "窑艾勒嘎查"), ("莫力黑哈达", "莫勒黑哈达嘎查"), ("草高吐", "草高图嘎查"), ("浩力宝嘎查", "浩力保嘎查"),
    ("东白音套海", "东巴彦陶海嘎查"), ("罕乌拉村", "罕乌拉嘎查"),
])
def test_the_spelling_rules_give_one_key(a, b):
    assert variant_key(a) == variant_key(b)


@pytest.mark.parametrize("a, b", [("呼热嘎查", "伊和呼热嘎查"), ("海龙屯嘎查", "海龙嘎查"), ("双金嘎查", "双井嘎查")])
def test_different_names_keep_different_keys(a, b):
    assert variant_key(a) != variant_key(b)


@pytest.mark.parametrize("text, township, village, learned", [
    ("窑艾里嘎查", "巴彦呼舒镇", "窑艾勒嘎查", ("窑艾里嘎查", "152222100201")),
    ("草高吐", "巴彦呼舒镇", "草高图嘎查", ("草高吐", "152222100210")),  # bare, suffix dropped
    ("莫力黑哈达嘎查", "巴彦呼舒镇", "莫勒黑哈达嘎查", ("莫力黑哈达嘎查", "152222100200")),
    ("杜尔基嘎查", "杜尔基镇", "杜尔基嘎查", None),  # the listed village, not a look-alike of the 镇
    ("科右中旗额木庭高勒苏木巴彦敖包嘎查", "额木庭高勒苏木", "巴彦敖包嘎查", None),  # its township decides
])
def test_a_village_named_alone_gets_its_township(text, township, village, learned):
    place = parse(text)
    assert (place.township, place.village, place.questions) == (township, village, ())
    assert place.village_code and place.learned == ((learned,) if learned else ())


@pytest.mark.parametrize("text, status, candidates", [
    ("巴彦敖包嘎查", "ambiguous", {"152222203208", "152222204299"}),
    ("呼热嘎查", "approximate", {"152222105203"}),
    ("海龙屯嘎查", "approximate", {"152222100211"}),
    ("准太本卫生院", "unplaced", set()),
])
def test_two_fits_or_a_look_alike_is_a_question_never_a_guess(text, status, candidates):
    place = parse(text)
    assert place.township is None and place.village_code is None
    [question] = place.questions
    assert question.status == status and set(question.candidates) >= candidates


def test_杜尔基_alone_is_the_镇_or_the_嘎查_so_it_is_asked():
    [question] = parse("杜尔基").questions
    assert (question.status, question.candidates) == ("ambiguous", ("152222103202",))


@pytest.mark.parametrize("text", ["科右中旗", "对口区（海淀区）", "科右中旗各苏木镇", "旗外、对口区（海淀区）",
                                  "全旗各苏木镇卫生院、社区卫生服务中心、社区（街道）", "科右中旗百利舸农牧业产业园",
                                  "哈日诺尔苏木卫生院、巴彦茫哈苏木卫生院、额木庭高勒苏木、巴扎拉嘎卫生院"])
def test_banner_wide_places_are_not_questions(text):
    place = parse(text)
    assert place.wide and place.township is None and place.questions == ()


def test_a_confirmed_spelling_and_a_dismissed_one_settle_the_question():
    index = VillageIndex(VILLAGES, {"呼热嘎查": "152222105203"}, dismissed=["准太本卫生院"])
    place = parse("呼热嘎查", index)
    assert (place.township, place.village, place.learned, place.questions) == ("好腰苏木镇", "伊和呼热嘎查", (), ())
    assert parse("准太本卫生院", index).questions == ()


def test_without_a_list_nothing_changes():
    place = parse_place("窑艾里嘎查", KEYOUZHONGQI_TOWNSHIPS, aliases=KEYOUZHONGQI_TOWNSHIP_ALIASES)
    assert (place.township, place.village, place.questions, place.wide) == (None, "窑艾里嘎查", (), False)
