"""A 续建 project of the next plan is linked to the project it continues in the plan before."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from rest_framework.test import APIClient

from plans.access import SYSTEM
from plans.services import membership_set
from projects.models import Project
from succession.services import plan_succeed
from tests.conftest import member
from tests.factories import PlanFactory
from tests.importers.helpers import annex_sheet, project_row, run_import, write_xlsx


def _annex(tmp_path, year, rows, name):
    total = sum(row[7] for row in rows)
    sheet = [["合计", None, None, None, None, None, None, total, total, 0], [f"基础设施类{len(rows)}个"], *rows]
    return write_xlsx(tmp_path / name, {str(year): annex_sheet(year, sheet)})


@pytest.fixture
def plans(db, tmp_path):
    old = PlanFactory(code="old-2021-2025")
    report = run_import(old, _annex(tmp_path, 2025, [
        project_row(1, "嘎查道路硬化", 2025, "基础设施类", 100, 100, 0, place="巴彦呼舒镇查干嘎查", unit="旗农科局"),
        project_row(2, "嘎查道路硬化", 2025, "基础设施类", 50, 50, 0, place="杜尔基镇", unit="旗农科局"),
    ], "old.xlsx"))
    assert not report.rejected, [m.text("en") for m in report.errors]
    new = plan_succeed(user=SYSTEM, source=old, code="new-2026-2030", name="x", first_year=2026,
                       last_year=2030).plan
    return old, new


def test_a_continued_row_links_to_the_same_project_of_the_plan_before(plans, tmp_path):
    old, new = plans
    report = run_import(new, _annex(tmp_path, 2026, [
        # The same name, place and unit after normalisation (the unit spelled otherwise, stray spaces).
        project_row(1, "嘎查道路 硬化", 2026, "基础设施类", 80, 80, 0, nature="续建", place="巴彦呼舒镇查干嘎查",
                    unit="科右中旗农科局"),
        project_row(2, "嘎查道路硬化", 2026, "基础设施类", 40, 40, 0, nature="新建", place="杜尔基镇",
                    unit="旗农科局"),
        project_row(3, "嘎查道路硬化", 2026, "基础设施类", 30, 30, 0, nature="续建", place="高力板镇",
                    unit="旗农科局"),
    ], "new.xlsx"))
    assert not report.rejected, [m.text("en") for m in report.errors]
    earlier = Project.objects.get(plan=old, location_text="巴彦呼舒镇查干嘎查")
    links = dict(Project.objects.filter(plan=new).values_list("location_text", "continues"))
    assert links == {"巴彦呼舒镇查干嘎查": earlier.pk, "杜尔基镇": None, "高力板镇": None}
    # The history records the link with the rest of the new project.
    assert Project.history.get(location_text="巴彦呼舒镇查干嘎查", plan_id=new.pk).continues_id == earlier.pk


def test_a_plan_that_follows_none_links_nothing(plans, tmp_path):
    _old, _new = plans
    alone = PlanFactory(first_year=2026, last_year=2030)
    run_import(alone, _annex(tmp_path, 2026, [project_row(
        1, "嘎查道路硬化", 2026, "基础设施类", 80, 80, 0, nature="续建", place="巴彦呼舒镇查干嘎查")], "alone.xlsx"))
    assert Project.objects.get(plan=alone).continues is None


def test_a_project_continues_another_plans_project_only(plans):
    old, _new = plans
    project, other = Project.objects.filter(plan=old)
    project.continues = other
    with pytest.raises(ValidationError) as refused:
        project.full_clean()
    assert "continues" in refused.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.filter(pk=project.pk).update(continues=project.pk)


def test_the_api_names_the_continued_project_to_whoever_may_see_its_plan(plans, tmp_path):
    old, new = plans
    run_import(new, _annex(tmp_path, 2026, [project_row(
        1, "嘎查道路硬化", 2026, "基础设施类", 80, 80, 0, nature="续建", place="巴彦呼舒镇查干嘎查",
        unit="旗农科局")], "new.xlsx"))
    project = Project.objects.get(plan=new)
    both, only_new = member(new, "staff"), member(new, "staff")
    membership_set(plan=old, member=both, role="liaison", user=SYSTEM)

    def continues(user):
        client = APIClient()
        client.force_login(user)
        response = client.get(f"/api/plans/{new.code}/projects/{project.pk}/")
        assert response.status_code == 200, response.content
        return response.json()["continues"]

    assert continues(both) == {"plan": old.code, "id": project.continues_id}
    assert continues(only_new) is None  # the earlier plan is not theirs: nothing of it shows


def test_a_linked_continued_row_is_not_warned_about_a_missing_earlier_year(plans, tmp_path):
    _old, new = plans
    report = run_import(new, _annex(tmp_path, 2026, [
        project_row(1, "嘎查道路硬化", 2026, "基础设施类", 80, 80, 0, nature="续建", place="巴彦呼舒镇查干嘎查",
                    unit="旗农科局"),
        project_row(2, "嘎查道路硬化", 2026, "基础设施类", 30, 30, 0, nature="续建", place="高力板镇",
                    unit="旗农科局"),
    ], "new.xlsx"))
    warned = [m.row for m in report.warnings if m.code == "continued_without_earlier_year"]
    assert len(warned) == 1  # only the row that continues nothing of the plan before
    assert not [m for m in report.warnings if m.code == "new_unit"]  # the units came with the new plan


def test_a_project_imported_before_its_plan_followed_another_is_linked_on_the_next_import(db, tmp_path):
    old = PlanFactory(code="older")
    run_import(old, _annex(tmp_path, 2025, [project_row(1, "牧区水源井", 2025, "基础设施类", 10, 10, 0,
                                                        place="杜尔基镇", unit="旗水利局")], "old.xlsx"))
    new = PlanFactory(code="newer", first_year=2026, last_year=2030)
    row = project_row(1, "牧区水源井", 2026, "基础设施类", 20, 20, 0, nature="续建", place="杜尔基镇",
                      unit="旗水利局")
    run_import(new, _annex(tmp_path, 2026, [row], "first.xlsx"))
    project = Project.objects.get(plan=new)
    assert project.continues is None  # the plan followed none then
    new.follows = old
    new.save(update_fields=["follows"])
    report = run_import(new, _annex(tmp_path, 2026, [row], "again.xlsx"))
    assert not report.rejected, [m.text("en") for m in report.errors]
    project.refresh_from_db()
    assert project.continues == Project.objects.get(plan=old)
    assert [c for c in report.changes if c["field"] == "续建衔接"]
    assert not [m for m in report.warnings if m.code == "continued_without_earlier_year"]


def test_the_project_page_shows_the_funding_across_both_plans(plans, tmp_path, client):
    old, new = plans
    run_import(new, _annex(tmp_path, 2026, [
        project_row(1, "嘎查道路硬化", 2026, "基础设施类", 80, 80, 0, nature="续建", place="巴彦呼舒镇查干嘎查",
                    unit="旗农科局")], "new.xlsx"))
    project = Project.objects.get(plan=new)
    assert project.continues is not None
    both = member(new, "liaison")
    membership_set(plan=old, member=both, role="liaison", user=SYSTEM)
    client.force_login(both)
    page = client.get(f"/plans/{new.code}/projects/{project.pk}/").content.decode()
    section = page.split('id="across-plans"', 1)[1].split("</section>", 1)[0]
    assert old.name in section and "2025" in section
    assert "180.00" in section  # 100 in 2025 of the earlier plan + 80 in 2026 of this one

    only_new = member(new, "liaison")
    client.force_login(only_new)
    page = client.get(f"/plans/{new.code}/projects/{project.pk}/").content.decode()
    section = page.split('id="across-plans"', 1)[1].split("</section>", 1)[0]
    assert f"/plans/{old.code}/" not in section and "180.00" not in section  # not a member of the earlier plan
    assert "80.00" in section


def test_a_project_that_continues_none_has_no_funding_across_plans(plans, tmp_path, client):
    old, _new = plans
    client.force_login(member(old, "liaison"))
    project = Project.objects.filter(plan=old).first()
    assert 'id="across-plans"' not in client.get(f"/plans/{old.code}/projects/{project.pk}/").content.decode()
