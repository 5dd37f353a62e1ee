"""Export, then import: the same projects and budgets come back."""

import io

import pytest

from funding.models import AnnualBudget
from funding.export import flat_export_csv
from importers.exporting import annex_export
from portal.bundled import BUNDLED_ANNEX
from projects.models import Project
from tests.factories import PlanFactory
from tests.importers.helpers import run_import
from plans.access import SYSTEM

pytestmark = pytest.mark.django_db


def _portfolio(plan):
    """Everything an annex says of a plan, independent of ids."""
    return sorted(
        AnnualBudget.objects.for_plan(plan).values_list(
            "project__name", "project__location_text", "project__unit__name", "project__category__name_zh",
            "plan_year__year", "serial_no", "nature", "total_investment", "beijing_funds", "local_funds",
            "beijing_funds_use", "scale_and_content",
        )
    )


def test_export_then_import_into_a_new_plan_gives_the_same_portfolio(plan, tmp_path):
    assert not run_import(plan, BUNDLED_ANNEX).rejected
    exported = tmp_path / "exported.xlsx"
    annex_export(plan=plan, out=exported)

    copy = PlanFactory(code="copy-of-plan")
    report = run_import(copy, exported)
    assert not report.rejected, [m.text("en") for m in report.errors]
    assert _portfolio(copy) == _portfolio(plan)
    assert Project.objects.filter(plan=copy).count() == Project.objects.filter(plan=plan).count()


def test_exported_file_imports_back_into_its_plan_without_changes(plan, tmp_path):
    assert not run_import(plan, BUNDLED_ANNEX).rejected
    exported = tmp_path / "exported.xlsx"
    annex_export(plan=plan, out=exported)
    again = run_import(plan, exported)
    assert (again.budgets.created, again.budgets.updated) == (0, 0)
    assert again.projects.created == 0 and again.changes == []


def test_flat_csv_round_trip_keeps_formula_like_names_as_text(plan, tmp_path):
    from decimal import Decimal

    from funding.services import budget_create
    from projects.services import project_create, unit_for_spelling

    unit, _ = unit_for_spelling(plan=plan, spelling="旗农科局", user=SYSTEM)
    for name in ("=HYPERLINK(\"http://x\")", "@SUM(A1)", "+1项目", "<script>alert(1)</script>"):
        project = project_create(plan=plan, name=name, category=plan.categories.first(), unit=unit,
                                 location_text="科右中旗", user=SYSTEM)
        budget_create(project=project, year=2022, total_investment=Decimal("168.15"),
                      beijing_funds=Decimal("168.15"), user=SYSTEM)
    buffer = io.StringIO()
    flat_export_csv(queryset=AnnualBudget.objects.for_plan(plan), out_text_stream=buffer)
    path = tmp_path / "flat.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8-sig")
    assert "'=HYPERLINK" in buffer.getvalue()  # escaped in the file

    copy = PlanFactory(code="flat-copy")
    report = run_import(copy, path)
    assert not report.rejected, [m.text("en") for m in report.errors]
    names = set(Project.objects.filter(plan=copy).values_list("name", flat=True))
    assert names == {"=HYPERLINK(\"http://x\")", "@SUM(A1)", "+1项目", "<script>alert(1)</script>"}
    assert all(b == Decimal("168.15") for b in
               AnnualBudget.objects.for_plan(copy).values_list("beijing_funds", flat=True))
