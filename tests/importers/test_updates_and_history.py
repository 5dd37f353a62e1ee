"""Importing an edited file updates only what changed, shows old → new, and attributes it in the history."""

from decimal import Decimal

import pytest

from plans.services import membership_set

from funding.models import AnnualBudget
from importers.batches import batch_create, batch_run
from importers.models import ImportBatch
from projects.models import Project
from tests.factories import UserFactory
from tests.importers.helpers import annex_sheet, project_row, run_import, write_xlsx
from plans.access import SYSTEM

pytestmark = pytest.mark.django_db


def _workbook(tmp_path, name, beijing=60):
    rows = [
        project_row(1, "道路项目", 2021, "基础设施类", 100, beijing, 100 - beijing),
        project_row(2, "培训项目", 2021, "人才培训类", 20, 20, 0, unit="旗教育局"),
    ]
    return write_xlsx(tmp_path / name, {"2021年": annex_sheet(2021, rows)})


def test_an_edited_file_updates_only_what_changed(plan, tmp_path):
    run_import(plan, _workbook(tmp_path, "v1.xlsx"))
    edited = _workbook(tmp_path, "v2.xlsx", beijing=70)
    preview = run_import(plan, edited, dry_run=True)
    assert (preview.budgets.updated, preview.budgets.unchanged, preview.budgets.created) == (1, 1, 0)
    changed = {(c["field"], c["old"], c["new"]) for c in preview.changes}
    assert changed == {("京蒙资金", "60.00", "70.00"), ("地方自筹资金", "40.00", "30.00")}
    assert AnnualBudget.objects.get(project__name="道路项目").beijing_funds == Decimal("60")  # preview wrote nothing

    report = run_import(plan, edited)
    assert report.imported and report.budgets.updated == 1
    budget = AnnualBudget.objects.get(project__name="道路项目")
    assert (budget.beijing_funds, budget.local_funds) == (Decimal("70"), Decimal("30"))


def test_every_change_is_attributed_to_its_import(plan, tmp_path):
    user = UserFactory(username="importer")
    membership_set(plan=plan, member=user, role="admin", user=SYSTEM)
    with open(_workbook(tmp_path, "v1.xlsx"), "rb") as handle:
        first = batch_create(plan=plan, uploads=[("附表2021.xlsx", handle)], user=user)
    batch_run(first.pk, dry_run=True)
    batch_run(first.pk, dry_run=False)
    with open(_workbook(tmp_path, "v2.xlsx", beijing=75), "rb") as handle:
        second = batch_create(plan=plan, uploads=[("附表2021-修订.xlsx", handle)], user=user)
    batch_run(second.pk, dry_run=True)
    batch_run(second.pk, dry_run=False)

    budget = AnnualBudget.objects.get(project__name="道路项目")
    records = list(budget.history.order_by("history_id"))
    assert [r.history_type for r in records] == ["+", "~"]
    assert [r.beijing_funds for r in records] == [Decimal("60"), Decimal("75")]
    assert all(r.history_user == user for r in records)
    assert "附表2021.xlsx" in records[0].history_change_reason and f"#{first.pk}" in records[0].history_change_reason
    assert "附表2021-修订.xlsx" in records[1].history_change_reason
    project = Project.objects.get(name="道路项目")
    assert project.history.get().history_change_reason == records[0].history_change_reason


def test_preview_then_confirm_flow(plan, tmp_path):
    with open(_workbook(tmp_path, "v1.xlsx"), "rb") as handle:
        batch = batch_create(plan=plan, uploads=[("v1.xlsx", handle)], user=SYSTEM)
    assert batch.status == ImportBatch.Status.UPLOADED
    assert batch_run(batch.pk, dry_run=False) is None  # cannot import before the preview
    batch_run(batch.pk, dry_run=True)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEWED
    assert batch.preview["budgets"]["created"] == 2 and Project.objects.count() == 0
    batch_run(batch.pk, dry_run=False)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.IMPORTED and batch.report["budgets"]["created"] == 2
    assert batch_run(batch.pk, dry_run=False) is None  # a finished batch is left alone
    assert AnnualBudget.objects.count() == 2


def test_a_rejected_preview_cannot_be_imported(plan, tmp_path):
    rows = [project_row(1, "坏", 2030, "基础设施类", 1, 1, 0)]
    path = write_xlsx(tmp_path / "bad.xlsx", {"2021年": annex_sheet(2021, rows)})
    with open(path, "rb") as handle:
        batch = batch_create(plan=plan, uploads=[("bad.xlsx", handle)], user=SYSTEM)
    batch_run(batch.pk, dry_run=True)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.REJECTED
    assert batch.preview["errors"][0]["code"] == "year_outside_plan"
    assert batch_run(batch.pk, dry_run=False) is None
    assert Project.objects.count() == 0
