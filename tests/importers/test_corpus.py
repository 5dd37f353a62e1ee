"""Real-world spreadsheets (tests/data/corpus, made by make_corpus.py) each import exactly as
expected.json says, or are refused with exactly its messages and write nothing."""

import json
from decimal import Decimal
from pathlib import Path

import pytest

from figures.models import StatedFigure
from funding.models import AnnualBudget
from importers.models import ImportBatch
from projects.models import ImplementingUnit, Place, Project, UnitAlias
from tests.importers.helpers import run_import

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).resolve().parent.parent / "data" / "corpus"
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))


def snapshot():
    models = (Project, AnnualBudget, ImplementingUnit, UnitAlias, StatedFigure, Place, ImportBatch)
    return {model.__name__: model.objects.count() for model in models}


def test_every_corpus_file_has_an_expectation_and_is_small():
    files = {p.name for p in CORPUS.iterdir() if p.is_file()} - {"make_corpus.py", "expected.json"}
    assert files == set(EXPECTED)
    assert all((CORPUS / name).stat().st_size < 200 * 1024 for name in files)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file(plan, name):
    expected = EXPECTED[name]
    path = CORPUS / name
    before = snapshot()

    preview = run_import(plan, path, dry_run=True)
    assert snapshot() == before  # a dry run writes nothing, whatever the file
    report = run_import(plan, path)

    for message in report.errors + report.warnings:  # every message in both languages, filled in
        zh, en = message.text("zh"), message.text("en")
        assert zh and en and zh != en and "{" not in zh + en and message.where("zh") and message.where("en")
    if expected["outcome"] == "refused":
        errors = [[m.code, m.params.get("reason"), m.sheet, m.row, m.column] for m in report.errors]
        assert errors == expected["errors"], [m.text("en") for m in report.errors]
        assert [m.code for m in preview.errors] == [m.code for m in report.errors]  # the preview says the same
        assert report.rejected and not report.imported
        assert snapshot() == before  # a refused file writes nothing
        return

    assert not report.rejected, [f"{m.where('en')}: {m.text('en')}" for m in report.errors]
    assert report.imported and [m.code for m in report.warnings] == expected["warnings"]
    assert (report.rows_read, report.stated_read) == (expected["rows"], expected["stated"])
    assert report.budgets.created == expected["rows"] == AnnualBudget.objects.for_plan(plan).count()
    assert report.years == expected.get("years", [2021])
    assert StatedFigure.objects.filter(plan=plan).exists() == bool(expected["stated"])
    for project, amounts in expected.get("budgets", {}).items():
        budget = AnnualBudget.objects.get(project__plan=plan, project__name=project)
        assert [budget.total_investment, budget.beijing_funds, budget.local_funds] == [Decimal(a) for a in amounts]
    for project, category in expected.get("categories", {}).items():
        assert Project.objects.get(plan=plan, name=project).category.name_zh == category
    for project, unit in expected.get("units", {}).items():
        assert Project.objects.get(plan=plan, name=project).unit.name == unit
    # Dry run and import agree on what is done.
    assert (preview.budgets.created, preview.projects.created) == (report.budgets.created, report.projects.created)
