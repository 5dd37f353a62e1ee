"""The next plan at work: its annex recognises the last plan's spellings; the command and the admin call the service."""

from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from plans.access import SYSTEM
from plans.models import Plan
from projects.models import ImplementingUnit, Project
from projects.services import unit_add_alias, unit_for_spelling
from succession import admin as succession_admin
from succession.services import plan_succeed
from tests.conftest import member
from tests.factories import PlanFactory, UserFactory
from tests.importers.helpers import annex_sheet, codes, project_row, run_import, write_xlsx


@pytest.fixture
def old_plan(db):
    plan = PlanFactory(code="old-2021-2025")
    unit, _created = unit_for_spelling(plan=plan, spelling="旗农科局", user=SYSTEM)
    unit_add_alias(unit=unit, spelling="科右中旗农牧和科技局", user=SYSTEM)
    return plan


def _annex(tmp_path, unit):
    rows = [["合计", None, None, None, None, None, None, 100, 60, 40],
            ["基础设施类1个"], project_row(1, "嘎查道路硬化", 2026, "基础设施类", 100, 60, 40, unit=unit)]
    return write_xlsx(tmp_path / "annex-2026.xlsx", {"2026": annex_sheet(2026, rows)})


def test_an_old_spelling_is_known_to_the_next_plan(old_plan, tmp_path):
    new = plan_succeed(user=SYSTEM, source=old_plan, code="new-2026-2030", name="x", first_year=2026,
                       last_year=2030).plan
    report = run_import(new, _annex(tmp_path, "科右中旗农牧和科技局"))
    assert not report.rejected, [m.text("en") for m in report.errors]
    assert "new_unit" not in codes(report, "warnings")
    project = Project.objects.get(plan=new)
    assert project.unit == ImplementingUnit.objects.get(plan=new, name="旗农科局")
    assert ImplementingUnit.objects.filter(plan=new).count() == 1
    # A plan made without --from knows no unit: the same row is a new unit there.
    fresh = PlanFactory(first_year=2026, last_year=2030)
    assert "new_unit" in codes(run_import(fresh, _annex(tmp_path, "科右中旗农牧和科技局")), "warnings")


def test_the_command_copies_and_refuses_an_existing_code(old_plan, capsys):
    call_command("create_plan", "new-2026-2030", "--name", "十五五", "--years", "2026-2030",
                 "--from", old_plan.code)
    new = Plan.objects.get(code="new-2026-2030")
    assert new.follows == old_plan and ImplementingUnit.objects.filter(plan=new).count() == 1
    assert "1 implementing units with 2 spellings" in capsys.readouterr().out
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_plan", "new-2026-2030", "--name", "again", "--years", "2026-2030",
                     "--from", old_plan.code)
    with pytest.raises(CommandError, match="no plan"):
        call_command("create_plan", "other", "--name", "x", "--years", "2026-2030", "--from", "nope")
    assert Plan.objects.get(code="new-2026-2030").name == "十五五" and not Plan.objects.filter(code="other").exists()


def _action(client, plan, **fields):
    data = {"action": "create_next_plan", "_selected_action": [plan.pk]}
    if fields:
        data.update(apply="1", **fields)
    return client.post(reverse("admin:plans_plan_changelist"), data)


def test_the_admin_action_asks_then_calls_the_service(old_plan, client):
    root = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(root)
    form = _action(client, old_plan)
    assert form.status_code == 200 and 'value="2026"' in form.content.decode()
    with mock.patch.object(succession_admin, "plan_succeed", wraps=plan_succeed) as service:
        done = _action(client, old_plan, code="new-2026-2030", name="十五五", first_year=2026, last_year=2030)
    new = Plan.objects.get(code="new-2026-2030")
    assert done.status_code == 302 and done["Location"] == reverse("admin:plans_plan_change", args=[new.pk])
    assert service.call_args.kwargs["user"] == root and service.call_args.kwargs["source"] == old_plan
    assert new.follows == old_plan and ImplementingUnit.objects.filter(plan=new).count() == 1
    # The service's refusal (the code exists) comes back on the form; nothing more is made.
    again = _action(client, old_plan, code="new-2026-2030", name="again", first_year=2026, last_year=2030)
    assert again.status_code == 200 and "new-2026-2030" in again.content.decode()
    assert Plan.objects.filter(code__startswith="new-").count() == 1


def test_a_plan_administrator_has_no_such_action(old_plan, client):
    client.force_login(member(old_plan, "admin"))
    response = _action(client, old_plan, code="by-admin", name="x", first_year=2026, last_year=2030)
    assert response.status_code in (200, 302, 403)
    assert not Plan.objects.filter(code="by-admin").exists()
