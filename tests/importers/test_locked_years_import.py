"""Importing again once years are approved: rows that change nothing pass silently, rows that would change an
approved year are refused one message per value (old → new), and "skip the locked years" imports the rest."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from figures.models import StatedFigure
from funding.models import AnnualBudget
from importers.batches import batch_confirm, batch_create, batch_run
from importers.models import ImportBatch
from importers.services import ImportFile, annex_import
from planportal import background
from plans.access import SYSTEM
from plans.models import PlanYear
from projects.models import Project
from tests.importers.helpers import annex_sheet, codes, project_row, run_import, write_xlsx

pytestmark = pytest.mark.django_db


def _total(total, beijing, local):
    return [None, "合计", None, None, None, None, None, total, beijing, local, None, None]


def _workbook(path, *, beijing_2021=10, beijing_2022=20, extra_2021=(), total_2021="合计"):
    rows_2021 = [project_row(1, "甲项目", 2021, "基础设施类", beijing_2021, beijing_2021, 0), *extra_2021]
    total = _total(beijing_2021, beijing_2021, 0)
    total[1] = total_2021
    sheet_2021 = annex_sheet(2021, rows_2021 + [total])
    sheet_2022 = annex_sheet(2022, [project_row(1, "乙项目", 2022, "产业合作类", beijing_2022, beijing_2022, 0),
                                    _total(beijing_2022, beijing_2022, 0)])
    return write_xlsx(path, {"2021年": sheet_2021, "2022年": sheet_2022})


@pytest.fixture
def approved(plan, tmp_path):
    """Both years imported, 2021 approved."""
    first = run_import(plan, _workbook(tmp_path / "first.xlsx"))
    assert not first.rejected and first.budgets.created == 2
    PlanYear.objects.filter(plan=plan, year=2021).update(review_status=PlanYear.Review.APPROVED)
    return plan


def _beijing(plan, name):
    return AnnualBudget.objects.get(project__plan=plan, project__name=name).beijing_funds


def test_the_unchanged_file_imports_again_without_a_message(approved, tmp_path):
    report = run_import(approved, _workbook(tmp_path / "again.xlsx"))
    assert not report.rejected and report.errors_total == 0
    assert report.budgets.unchanged == 2 and report.stated.updated == 0


def test_each_changed_value_of_a_locked_year_is_named_old_to_new(approved, tmp_path):
    path = _workbook(tmp_path / "changed.xlsx", beijing_2021=12, beijing_2022=25)
    report = run_import(approved, path, dry_run=True)
    assert report.rejected and report.skippable
    messages = [m.text("zh") for m in report.errors]
    assert any("项目总投资会由“10.00”改为“12.00”" in m for m in messages)
    assert any("京蒙资金会由“10.00”改为“12.00”" in m for m in messages)
    assert any("“合计”的京蒙资金会由“10.00”改为“12.00”" in m for m in messages)
    assert all("2021" in m and "跳过已锁定年度" in m for m in messages)
    assert {m.row for m in report.errors} == {4, 5}
    # The preview's counts are what skipping the locked years would import: only 2022 changes.
    assert (report.budgets.updated, report.budgets.unchanged) == (1, 0)
    assert {change["year"] for change in report.changes if change["kind"] == "budget"} == {2022}
    refused = run_import(approved, path)
    assert refused.rejected and not refused.imported and refused.budgets.updated == 0
    assert _beijing(approved, "甲项目") == Decimal("10") and _beijing(approved, "乙项目") == Decimal("20")


def test_skipping_the_locked_years_imports_the_rest_and_notes_what_was_left(approved, tmp_path):
    path = _workbook(tmp_path / "changed.xlsx", beijing_2021=12, beijing_2022=25,
                     extra_2021=[project_row(2, "新来的项目", 2021, "基础设施类", 1, 1, 0)])
    report = annex_import(plan=approved, files=[ImportFile(path=path, name=path.name)], user=SYSTEM,
                          skip_locked_years=True)
    assert report.imported and not report.rejected
    assert _beijing(approved, "甲项目") == Decimal("10")  # as approved
    assert _beijing(approved, "乙项目") == Decimal("25")  # the open year is imported
    assert not Project.objects.filter(plan=approved, name="新来的项目").exists()  # no project without its row
    assert {"locked_skipped", "locked_row_skipped"} <= set(codes(report, "warnings"))
    stated = StatedFigure.objects.get(plan=approved, year=2021, metric=StatedFigure.BEIJING_FUNDS, label="合计")
    assert stated.value == Decimal("10")


def test_a_stated_figure_a_locked_year_would_lose_is_refused_or_kept(approved, tmp_path):
    # The 2021 table now states a subtotal where the approved one said 合计.
    path = _workbook(tmp_path / "no-total.xlsx", total_2021="基础设施类1个")
    report = run_import(approved, path, dry_run=True)
    assert set(codes(report)) == {"stated_locked_removed", "year_locked"} and report.skippable
    skipped = annex_import(plan=approved, files=[ImportFile(path=path, name=path.name)], user=SYSTEM,
                           skip_locked_years=True)
    assert skipped.imported and "stated_locked_kept" in codes(skipped, "warnings")
    assert StatedFigure.objects.filter(plan=approved, year=2021, label="合计").exists()


def test_moving_an_approved_project_is_not_skippable(approved, tmp_path):
    rows = [project_row(1, "甲项目", 2022, "产业合作类", 5, 5, 0)]  # a later year moves it to another category
    report = run_import(approved, write_xlsx(tmp_path / "move.xlsx", {"2022年": annex_sheet(2022, rows)}))
    assert "project_locked" in codes(report) and not report.skippable


def _batch(plan, path):
    with open(path, "rb") as handle:
        return batch_create(plan=plan, uploads=[(Path(path).name, handle)], user=SYSTEM)


def test_the_preview_offers_the_choice_and_the_import_keeps_it(approved, tmp_path, settings, admin_client):
    settings.MEDIA_ROOT = tmp_path / "media"
    batch = _batch(approved, _workbook(tmp_path / "changed.xlsx", beijing_2021=12, beijing_2022=25))
    batch_run(batch.pk, dry_run=True)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEWED and batch.preview["skippable"]
    assert batch.files_removed_at is None  # kept for the import the administrator may choose
    page = admin_client.get(reverse("admin:importers_importbatch_review", args=[batch.pk]))
    html = page.content.decode()
    assert 'name="confirm_skipping"' in html and 'name="confirm"' not in html
    assert "2021 年已审核通过并锁定" in html
    assert not batch_confirm(batch=batch, user=SYSTEM)  # importing it whole is not on offer
    with background.inline():  # run here, with or without a broker
        assert batch_confirm(batch=batch, user=SYSTEM, skip_locked_years=True)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.IMPORTED and batch.skip_locked_years
    assert batch.report["skip_locked_years"] and batch.report["imported"]
    assert _beijing(approved, "甲项目") == Decimal("10") and _beijing(approved, "乙项目") == Decimal("25")


def test_the_review_page_counts_say_new_and_updated_not_timestamps(approved, tmp_path, settings, admin_client):
    settings.MEDIA_ROOT = tmp_path / "media"
    batch = _batch(approved, _workbook(tmp_path / "again.xlsx", beijing_2022=21))
    batch_run(batch.pk, dry_run=True)
    html = admin_client.get(reverse("admin:importers_importbatch_review", args=[batch.pk])).content.decode()
    assert "<th>新建</th><th>更新</th><th>未变</th>" in html
    assert "创建时间" not in html and "已按原样导入" not in html
