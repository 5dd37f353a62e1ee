"""planportal.lib.names: matching keys that merge spellings of one thing, and only those."""
from collections import defaultdict

import pytest

from planportal.lib.names import (
    category_key,
    is_grand_total_label,
    normalize_text,
    project_key,
    split_grand_total_label,
    split_subtotal_label,
    unit_key,
)
from planportal.lib.places import KEYOUZHONGQI_TOWNSHIP_ALIASES


@pytest.mark.parametrize(
    "text, expected",
    [
        (None, ""),
        ("", ""),
        ("  旗农科局 \n", "旗农科局"),
        ("新佳 木苏木人民政府", "新佳木苏木人民政府"),
        ("代钦塔 拉嘎查", "代钦塔拉嘎查"),
        ("哈日 诺尔苏木人民政府", "哈日诺尔苏木人民政府"),
        ("项目总投资    （万元）", "项目总投资(万元)"),
        ("建设\n性质（新建/续建）", "建设性质(新建/续建)"),
        ("A\u3000B\u00a0C\u2009D", "ABCD"),
        ("巴彦\u200b呼舒镇", "巴彦呼舒镇"),
        ("人居环境“五美”嘎查", '人居环境"五美"嘎查'),
        ("「五美」『五好』", '"五美""五好"'),
        ("‘甲’", "'甲'"),
        ("【一】〔二〕［三］《四》", "(一)(二)(三)(四)"),
        ("翰嘎利—五角枫旅游区", "翰嘎利-五角枫旅游区"),
        ("翰嘎利——五角枫旅游区", "翰嘎利-五角枫旅游区"),
        ("2022–2025", "2022-2025"),
        ("2022～2025", "2022-2025"),
        ("１２３ＡＢ", "123AB"),
        ("王府・刺绣", "王府·刺绣"),
    ],
)
def test_normalize_text(text, expected):
    assert normalize_text(text) == expected


# Every 项目实施单位 spelling in the seed annex (2021–2025), grouped as one unit each.
SEED_UNIT_GROUPS = {
    "township:代钦塔拉": ["代钦塔拉苏木人民政府"],
    "township:吐列毛杜": ["吐列毛杜镇人民政府"],
    "township:哈日诺尔": ["哈日诺尔苏木人民政府", "哈日 诺尔苏木人民政府"],
    "township:好腰": ["好腰苏木镇", "好腰苏木镇人民政府", "好腰苏木人民政府"],
    "township:巴仁哲里木": ["巴仁哲里木镇人民政府"],
    "township:巴彦呼舒": ["巴彦呼舒镇人民政府", "巴彦呼舒人民政府"],
    "township:巴彦忙哈": ["巴彦忙哈苏木人民政府"],  # merged with 茫哈 only via aliases
    "township:巴彦淖尔": ["巴彦淖尔苏木人民政府"],
    "township:巴彦茫哈": ["巴彦茫哈苏木人民政府"],
    "township:新佳木": ["新佳木苏木人民政府", "新佳 木苏木人民政府"],
    "township:杜尔基": ["科右中旗杜尔基镇人民政府", "杜尔基镇人民政府"],
    "township:额木庭高勒": ["额木庭高勒苏木人民政府", "额木庭高勒苏木"],
    "township:高力板": ["高力板镇人民政府"],
    "乡村振兴局": ["科右中旗乡村振兴局", "旗乡村振兴局", "乡村振兴局"],
    "农科局": ["科右中旗农科局", "旗农科局"],
    "卫健委": ["旗卫健委"],
    "团委": ["旗团委"],
    "妇联": ["旗妇联"],
    "委组织部": ["旗委组织部"],
    "工信局": ["旗工信局"],
    "工商联": ["旗工商联"],
    "教育局": ["旗教育局"],
    "文旅局": ["旗文旅局"],
    "百利舸园区管委会": ["科右中旗百利舸园区管委会"],
    "百吉纳园区": ["百吉纳园区"],
}


def test_seed_unit_spellings_group_exactly():
    """No seed spelling is merged with another unit, and each unit's spellings collide."""
    found = defaultdict(set)
    for key, spellings in SEED_UNIT_GROUPS.items():
        for spelling in spellings:
            found[unit_key(spelling)].add(spelling)
    assert {key: sorted(v) for key, v in found.items()} == {
        key: sorted(v) for key, v in SEED_UNIT_GROUPS.items()
    }


@pytest.mark.parametrize(
    "spellings, key",
    [
        (["科右中旗农科局", "旗农科局", "农科局", "科尔沁右翼中旗农科局", " 旗 农科局 "], "农科局"),
        (["巴彦呼舒镇人民政府", "巴彦呼舒人民政府", "巴彦呼舒镇政府", "巴彦呼舒镇", "科右中旗巴彦呼舒镇人民政府"], "township:巴彦呼舒"),
        (["新佳木苏木人民政府", "新佳木苏木政府", "新佳木苏木", "新佳 木苏木人民政府"], "township:新佳木"),
        (["好腰苏木镇人民政府", "好腰苏木人民政府", "好腰苏木镇"], "township:好腰"),
        (["科右中旗人民政府", "旗人民政府", "旗政府", "人民政府"], "人民政府"),
        (["巴彦忙哈苏木人民政府", "巴彦茫哈苏木人民政府", "巴彦茫哈苏木"], "township:巴彦茫哈"),
    ],
)
def test_unit_key_merges(spellings, key):
    assert {unit_key(s, aliases=KEYOUZHONGQI_TOWNSHIP_ALIASES) for s in spellings} == {key}


@pytest.mark.parametrize(
    "a, b",
    [
        ("旗农科局", "旗农牧局"),
        ("旗卫健委", "卫生院"),
        ("旗卫健委", "巴彦呼舒镇卫生院"),
        ("巴彦呼舒镇人民政府", "巴彦呼舒镇卫生院"),
        ("巴彦呼舒镇人民政府", "巴彦呼舒镇党委"),
        ("巴彦呼舒镇人民政府", "巴彦呼舒镇哈日道卜嘎查"),
        ("巴彦呼舒镇人民政府", "高力板镇人民政府"),
        ("巴彦呼舒人民政府", "旗人民政府"),
        ("兴安盟人民政府", "旗人民政府"),
        ("百吉纳园区", "科右中旗百利舸园区管委会"),
        ("旗乡村振兴局", "旗农科局"),
        ("旗教育局", "巴彦呼舒镇教育办"),
        ("巴彦忙哈苏木人民政府", "巴彦茫哈苏木人民政府"),  # without aliases: kept apart
        ("科右中旗农科局", "科右前旗农科局"),  # another banner's bureau
    ],
)
def test_unit_key_keeps_apart(a, b):
    assert unit_key(a) != unit_key(b)


@pytest.mark.parametrize(
    "spelling, key",
    [
        ("双金农旅小镇", "双金农旅小镇"),  # a 小镇 is a project, not a township
        ("兴安盟人民政府", "兴安盟人民政府"),  # a league's government, not a township's
        ("巴彦呼舒镇党委政府", "巴彦呼舒镇党委政府"),
        ("教育局人民政府", "教育局人民政府"),
        ("巴彦呼舒人民政府", "township:巴彦呼舒"),
        ("旗卫健委", "卫健委"),
        ("各苏木镇", "各苏木镇"),
        ("全旗各苏木镇", "全旗各苏木镇"),
        ("城镇", "城镇"),
        ("巴彦呼舒镇卫生院", "巴彦呼舒镇卫生院"),
        ("科右中旗", "科右中旗"),  # never strip the whole text
        ("旗", "旗"),
        ("", ""),
        (None, ""),
    ],
)
def test_unit_key_exact(spelling, key):
    assert unit_key(spelling) == key


def test_unit_key_other_banner():
    assert unit_key("扎鲁特旗农牧局", county_names=("扎鲁特旗",)) == "农牧局"
    assert unit_key("扎鲁特旗农牧局") == "扎鲁特旗农牧局"


def test_project_key():
    a = project_key("科右中旗肉牛改良项目", "科右中旗", "旗农科局")
    assert a == ("科右中旗肉牛改良项目", "科右中旗", "农科局")
    assert project_key(" 科右中旗肉牛改良项目", "科右中旗 ", "科右中旗农科局") == a
    assert project_key("科右中旗肉牛改良项目", "巴彦呼舒镇", "旗农科局") != a
    assert project_key("肉牛改良项目", "科右中旗", "旗农科局") != a
    assert project_key("科右中旗肉牛改良项目", "科右中旗", "旗农牧局") != a
    assert project_key("科右中旗代钦塔 拉嘎查示范村打造项目", "代钦塔拉嘎查", "代钦塔拉苏木人民政府") == (
        "科右中旗代钦塔拉嘎查示范村打造项目", "代钦塔拉嘎查", "township:代钦塔拉",
    )
    assert project_key(
        "X", "科右中旗巴彦忙哈苏木巴彦温都尔嘎查", "巴彦忙哈苏木人民政府", aliases=KEYOUZHONGQI_TOWNSHIP_ALIASES
    ) == ("X", "科右中旗巴彦茫哈苏木巴彦温都尔嘎查", "township:巴彦茫哈")


@pytest.mark.parametrize(
    "label, key",
    [
        ("基础设施类3个", "基础设施"),
        ("基础设施类", "基础设施"),
        ("万企兴万村1个", "万企兴万村"),
        ("万企兴万村类1个", "万企兴万村"),
        ("产业合作类", "产业合作"),
        ("产业合作类7个", "产业合作"),
        ("产业协作类", "产业合作"),
        ("社会事业类 4个", "社会事业"),
        ("乡村旅游类 1 个", "乡村旅游"),
        ("（一）人才培训类", "人才培训"),
        ("1、劳务协作类", "劳务协作"),
        ("消费帮扶类小计", "消费帮扶"),
        ("基础设施类项目", "基础设施"),
        (" 乡村振兴类 ", "乡村振兴"),
    ],
)
def test_category_key(label, key):
    assert category_key(label) == key


def test_category_key_without_aliases():
    assert category_key("产业协作类", aliases={}) == "产业协作"


@pytest.mark.parametrize(
    "label, expected",
    [
        ("产业合作类7个", ("产业合作类", 7)),
        ("万企兴万村1个", ("万企兴万村", 1)),
        ("万企兴万村类1个", ("万企兴万村类", 1)),
        ("人才培训类 4 个", ("人才培训类", 4)),
        ("社会事业类 4个", ("社会事业类", 4)),
        ("基础设施类３个", ("基础设施类", 3)),
        ("乡村振兴类11个", ("乡村振兴类", 11)),
        ("生态保护类2个", ("生态保护类", 2)),  # another banner's category
        ("乡村振兴类", ("乡村振兴类", None)),
        ("产业合作类小计7个", ("产业合作类", 7)),
        ("科右中旗合计25个", None),
        ("合计", None),
        ("科右中旗肉牛改良服务中心建设项目", None),
        ("建设冷库3个", None),
        ("万企兴万村", None),  # no 类 and no count: could be a project name
        ("1", None),
        ("", None),
        (None, None),
    ],
)
def test_split_subtotal_label(label, expected):
    assert split_subtotal_label(label) == expected


@pytest.mark.parametrize(
    "label, expected",
    [
        ("科右中旗合计25个", ("科右中旗", 25)),
        ("合计", ("", None)),
        ("合 计", ("", None)),
        ("总计 29 个", ("", 29)),
        ("共计：35个", ("", 35)),
        ("科右中旗合计25个项目", ("科右中旗", 25)),
        ("产业合作类7个", None),
        ("产业合作类合计7个", None),
        ("小计", None),
        ("合计金额", None),
        ("科右中旗肉牛改良项目", None),
        (None, None),
    ],
)
def test_grand_total_label(label, expected):
    assert split_grand_total_label(label) == expected
    assert is_grand_total_label(label) is (expected is not None)
