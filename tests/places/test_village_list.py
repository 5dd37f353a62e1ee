"""Loading a banner's village list: hostile files refused whole with line and column, reloads idempotent,
a village's code its identity (renamed, not duplicated), every load recorded."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.utils import translation

from plans.access import SYSTEM
from projects.gazetteer import MAX_BYTES, read_village_list, village_list_load
from projects.models import ListedVillage, Place, VillageListLoad
from projects.services import project_create, village_list_apply
from tests.places.conftest import VILLAGES_CSV

HEADER = "township,village,code\n"
SMALL = HEADER + "巴彦呼舒镇,窑艾勒嘎查,152222100201\n巴彦呼舒镇,草高图嘎查,152222100210\n好腰苏木镇,伊和呼热嘎查,152222105203\n"


def problems(data: bytes, lang="en") -> list[str]:
    with translation.override(lang), pytest.raises(ValidationError) as refused:
        read_village_list(data)
    return refused.value.messages


def test_the_bundled_file_reads_with_its_extra_column():
    rows = read_village_list(VILLAGES_CSV.read_bytes())
    assert len(rows) == 173 and len({row.township for row in rows}) == 12
    assert rows[1].village == "窑艾勒嘎查" and rows[1].code == "152222100201" and rows[1].line == 3


def test_a_bom_other_column_order_chinese_headers_and_gb18030_are_read():
    text = "\ufeff代码,嘎查,苏木镇\n152222100201,窑艾勒嘎查,巴彦呼舒镇\n\n"
    assert [(r.township, r.village, r.code) for r in read_village_list(text.encode("utf-8"))] == [
        ("巴彦呼舒镇", "窑艾勒嘎查", "152222100201")]
    assert read_village_list(SMALL.encode("gb18030"))[2].village == "伊和呼热嘎查"


@pytest.mark.parametrize("data, expected", [
    (b"", "The file is empty."),
    (b"\x00\x01PK\x03\x04", "This is not a text (CSV) file"),
    ("township,name\n巴彦呼舒镇,窑艾勒嘎查\n".encode(), "“village、code” is missing"),
    ((HEADER + "巴彦呼舒镇,窑艾勒嘎查,15222210020\n").encode(), "Line 2, column “code”: “15222210020” is not a 12-digit"),
    ((HEADER + "巴彦呼舒镇,窑艾勒嘎查,1522221002O1\n").encode(), "Line 2, column “code”"),
    ((HEADER + "巴彦呼舒镇,,152222100201\n").encode(), "Line 2, column “village”: the name is empty."),
    ((HEADER + "巴彦呼舒镇,=cmd|' /C calc'!A0,152222100201\n").encode(), "Line 2, column “village”: “=cmd"),
    ((HEADER + "巴彦呼舒镇,窑艾勒嘎查\n").encode(), "Line 2: the row has 2 cells; the header has 3."),
    (HEADER.encode(), "a header but no village rows"),
    ((SMALL + "巴彦呼舒镇,王鲁嘎查,152222100201\n").encode(), "Line 5, column “code”: the code 152222100201 is on line 2"),
    ((SMALL + "巴彦呼舒镇,窑艾勒嘎查,152222100299\n").encode(), "Line 5, column “village”: 巴彦呼舒镇 窑艾勒嘎查 is on line 2"),
    ((SMALL + "乌兰浩特,某嘎查,152201100201\n").encode(), "Line 5, column “code”: 152201100201 is not of the banner 152222"),
])
def test_hostile_files_are_refused_saying_where_and_what(data, expected):
    assert any(expected in message for message in problems(data)), problems(data)


def test_every_problem_is_listed_in_chinese_by_default():
    data = (HEADER + "巴彦呼舒镇,窑艾勒嘎查,1\n巴彦呼舒镇,,152222100202\n").encode()
    messages = problems(data, lang="zh-hans")
    assert messages == ["第 2 行，“code”列：“1”不是 12 位统计用区划代码。", "第 3 行，“village”列：名称为空。"]


def test_a_huge_file_is_refused_before_it_is_parsed():
    assert "at most 4 MB" in problems(b"x" * (MAX_BYTES + 1))[0]
    many = HEADER + "".join(f"某镇,村{n},152222{n:06d}\n" for n in range(20_001))
    assert "has 20001 rows" in problems(many.encode())[0]


@pytest.mark.django_db
def test_loading_twice_changes_nothing_and_a_rename_keeps_the_code(plan, settings):
    settings.PLANPORTAL_TASKS_IN_THREAD = False
    village_list, first = village_list_load(county="科右中旗", data=SMALL.encode(), file_name="a.csv", user=SYSTEM)
    assert (first.added, first.unchanged) == (3, 0) and first.loaded_by is None
    _same, again = village_list_load(county="科尔沁右翼中旗", data=SMALL.encode(), file_name="a.csv", user=SYSTEM)
    assert again is None and VillageListLoad.objects.count() == 1  # the other name of the same banner
    project = project_create(plan=plan, user=SYSTEM, name="窑艾里嘎查肉牛养殖", category=plan.categories.first(),
                             location_text="窑艾里嘎查")
    assert (project.township.name, project.village.name, project.village.code) == (
        "巴彦呼舒镇", "窑艾勒嘎查", "152222100201")
    # The next year's list renames 窑艾勒嘎查, moves 草高图嘎查 and drops 伊和呼热嘎查.
    later = HEADER + "巴彦呼舒镇,窑艾里嘎查,152222100201\n杜尔基镇,草高图嘎查,152222100210\n"
    _list, load, resolved = village_list_apply(county="科右中旗", data=later.encode(), file_name="b.csv", user=SYSTEM)
    assert (load.added, load.renamed, load.moved, load.removed, load.unchanged) == (0, 1, 1, 1, 0)
    assert {c["change"] for c in load.changes} == {"renamed", "moved", "removed"}
    assert ListedVillage.objects.count() == 3 and ListedVillage.objects.filter(listed=True).count() == 2
    renamed = ListedVillage.objects.get(code="152222100201")
    assert renamed.name == "窑艾里嘎查"
    assert [h.name for h in renamed.history.order_by("history_date")] == ["窑艾勒嘎查", "窑艾里嘎查"]
    # The project's village place follows under its new name: no second place.
    project.refresh_from_db()
    assert project.village.name == "窑艾里嘎查" and resolved[plan].changed == 0
    assert Place.objects.filter(plan=plan, code="152222100201").count() == 1
    assert not Place.objects.filter(plan=plan, name="窑艾勒嘎查").exists()


@pytest.mark.django_db
def test_only_a_superuser_loads_a_list(staff):
    with pytest.raises(PermissionDenied):
        village_list_load(county="科右中旗", data=SMALL.encode(), file_name="a.csv", user=staff)


@pytest.mark.django_db
def test_the_command_loads_and_refuses_with_the_problems(tmp_path, capsys):
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_bytes(SMALL.encode("utf-8-sig"))
    bad.write_text(HEADER + "巴彦呼舒镇,窑艾勒嘎查,12\n", encoding="utf-8")
    call_command("load_gazetteer", str(good), "--county", "科右中旗")
    assert "新增 3 个嘎查" in capsys.readouterr().out
    call_command("load_gazetteer", str(good), "--county", "科右中旗", "--lang", "en")
    assert "nothing changed" in capsys.readouterr().out
    with pytest.raises(CommandError) as refused:
        call_command("load_gazetteer", str(bad), "--county", "科右中旗")
    assert "bad.csv 未载入" in str(refused.value) and "第 2 行，“code”列" in str(refused.value)
    with pytest.raises(CommandError, match="没有这个文件"):
        call_command("load_gazetteer", str(tmp_path / "none.csv"), "--county", "科右中旗")
