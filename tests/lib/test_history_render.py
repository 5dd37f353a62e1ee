"""planportal.history: the one renderer of the history of changes (who, when, field old → new)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from funding.models import AnnualBudget
from funding.services import budget_create, budget_delete, budget_update
from planportal.history import Display, conflict_for, history_entries, with_previous
from plans.models import Category, PlanYear
from projects.models import ImplementingUnit, Project
from projects.services import project_update
from tests.factories import ProjectFactory, UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _records(model, **filters):
    return list(model.history.filter(**filters).select_related("history_user"))


def _queries(run):
    with CaptureQueriesContext(connection) as captured:
        result = run()
    return len(captured), result


def _change_category_and_unit(plan, staff, n):
    first, second = Category.objects.filter(plan=plan).order_by("order", "id")[:2]
    projects = []
    for i in range(n):
        project = ProjectFactory(plan=plan, category=first, unit=UnitFactory(plan=plan, name=f"旧单位{n}-{i}"))
        project_update(project=project, user=staff, category=second, unit=UnitFactory(plan=plan, name=f"新单位{n}-{i}"))
        projects.append(project)
    return first, second, projects


def test_ids_are_shown_by_name_with_one_query_per_related_model(plan, staff):
    first, second, projects = _change_category_and_unit(plan, staff, 3)
    records = _records(Project, id__in=[p.pk for p in projects])
    queries, entries = _queries(lambda: history_entries(records, fields=("category", "unit")))
    assert queries == 2  # the categories, the units: for every record at once
    changed = [entry for entry in entries if entry.changed]
    assert len(changed) == 3
    for entry in changed:
        assert (entry.changes[0].name, entry.changes[0].old, entry.changes[0].new) == (
            "category", first.name_zh, second.name_zh)
    unit = next(c for c in changed[-1].changes if c.name == "unit")
    assert (unit.label, unit.old, unit.new) == ("Implementing unit", "旧单位3-0", "新单位3-0")
    assert (unit.then, unit.now) == (projects[0].history.earliest("history_date").unit_id, projects[0].unit_id)

    _change_category_and_unit(plan, staff, 12)
    records = _records(Project, plan=plan)
    many, entries = _queries(lambda: history_entries(records, fields=("category", "unit")))
    assert many == queries and len([entry for entry in entries if entry.changed]) == 15


def test_related_model_history_label_is_used_and_a_shared_display_loads_once(budget):
    display = Display()
    display.want(PlanYear, [budget.plan_year_id])
    queries, _nothing = _queries(display.load)
    assert queries == 1
    queries, name = _queries(lambda: display.name(PlanYear, budget.plan_year_id))
    assert (queries, name) == (0, "2021")  # PlanYear.history_label, not "plan-code 2021"
    assert display.show(AnnualBudget, "plan_year", budget.plan_year_id) == "2021"
    assert display.show(AnnualBudget, "project", budget.project_id) == budget.project.name  # str()
    assert display.name(PlanYear, 999_999) == "#999999"
    assert display.show(AnnualBudget, "plan_year", None) == "—"


def test_money_in_wan_with_separators(budget, staff):
    budget_update(budget=budget, user=staff, beijing_funds=Decimal("1234.5678"), local_funds=Decimal("12345"))
    newest = history_entries(_records(AnnualBudget, id=budget.pk))[0]
    assert [(c.label, c.old, c.new) for c in newest.changes] == [
        ("Cooperation funds 京蒙协作资金 (万元)", "800.00", "1,234.5678"),
        ("Local funds 地方自筹资金 (万元)", "700.00", "12,345.00"),
    ]
    assert (newest.changes[0].then, newest.changes[0].now) == (Decimal("800"), Decimal("1234.5678"))
    display = Display()
    assert display.show(AnnualBudget, "actual_local_funds", None) == "—"
    assert display.show(AnnualBudget, "total_investment", Decimal("0")) == "0.00"


def test_choices_by_their_label_and_long_text_cut(project, staff):
    project_update(project=project, user=staff, status=Project.Status.IN_PROGRESS, nature=Project.Nature.CONTINUED,
                   description="长" * 300)
    newest = history_entries(_records(Project, id=project.pk))[0]
    by_name = {c.name: c for c in newest.changes}
    assert (by_name["status"].old, by_name["status"].new) == ("planned", "in progress")
    assert (by_name["nature"].old, by_name["nature"].new) == ("new (新建)", "continued (续建)")
    assert by_name["description"].old == "—"
    assert by_name["description"].new == "长" * 119 + "…" and len(by_name["description"].new) == 120
    assert list(by_name) == ["nature", "description", "status"]  # in the model's order


def test_a_deleted_related_row_is_shown_by_its_id(plan, staff):
    old_unit, new_unit = UnitFactory(plan=plan, name="撤并的单位"), UnitFactory(plan=plan, name="新单位")
    project = ProjectFactory(plan=plan, unit=old_unit)
    project_update(project=project, user=staff, unit=new_unit)
    gone = old_unit.pk
    ImplementingUnit.objects.filter(pk=gone).delete()
    change = history_entries(_records(Project, id=project.pk), fields=("unit",))[0].changes[0]
    assert (change.old, change.new, change.then) == (f"#{gone}", "新单位", gone)


def test_created_changed_and_deleted_entries_newest_first(project, staff):
    budget = budget_create(project=project, user=staff, year=2022, total_investment=Decimal("10"),
                           beijing_funds=Decimal("6"), local_funds=Decimal("4"))
    budget_update(budget=budget, user=staff, serial_no="7")
    budget.refresh_from_db()
    budget_update(budget=budget, user=staff, serial_no="7")  # saved again, nothing changed
    budget_delete(budget=AnnualBudget.objects.get(pk=budget.pk), user=staff)
    records = _records(AnnualBudget, id=budget.pk)

    entries = history_entries(records, values_at_creation=True)
    assert [entry.kind for entry in entries] == ["-", "~", "+"]  # the unchanged save is left out
    deleted, changed, created = entries
    assert deleted.deleted and not deleted.changes and deleted.who == staff.username
    assert changed.changed and [(c.name, c.old, c.new) for c in changed.changes] == [("serial_no", "—", "7")]
    assert changed.previous.history_type == "+" and changed.user == staff
    assert created.created and not created.changes
    values = {c.name: c.new for c in created.values}
    assert values["plan_year"] == "2022" and values["beijing_funds"] == "6.00" and "serial_no" not in values
    assert "version" not in values and "id" not in values

    kept = history_entries(records, keep_unchanged=True)
    assert [entry.kind for entry in kept] == ["-", "~", "~", "+"] and kept[1].changes == []


def test_fields_and_exclude_choose_and_order_the_fields(budget, staff):
    budget_update(budget=budget, user=staff, local_funds=Decimal("1"), serial_no="9", beijing_funds=Decimal("2"))
    records = _records(AnnualBudget, id=budget.pk)
    only = history_entries(records, fields=("local_funds", "serial_no"))[0]
    assert [c.name for c in only.changes] == ["local_funds", "serial_no"]
    rest = history_entries(records, exclude={"serial_no"})[0]
    assert [c.name for c in rest.changes] == ["beijing_funds", "local_funds"]


def test_records_cut_by_date_are_diffed_against_the_record_before_the_cut(budget, staff):
    budget_update(budget=budget, user=staff, beijing_funds=Decimal("801"))
    since = timezone.now()
    budget_update(budget=AnnualBudget.objects.get(pk=budget.pk), user=staff, beijing_funds=Decimal("802"))
    records = list(with_previous(AnnualBudget.history.filter(id=budget.pk, history_date__gt=since))
                   .select_related("history_user"))
    queries, entries = _queries(lambda: history_entries(records))
    assert queries == 1  # the record before the cut
    assert [(c.old, c.new) for c in entries[0].changes] == [("801.00", "802.00")]
    # Without the annotation, the list is taken as the whole history: nothing to diff against.
    assert history_entries(_records(AnnualBudget, id=budget.pk, history_date__gt=since)) == []


def test_conflict_for_shows_what_changed_since_the_opened_version(plan, staff, budget):
    opened, opened_year = budget.version, budget.plan_year_id
    later_year = PlanYear.objects.get(plan=plan, year=2023)
    budget_update(budget=budget, user=staff, beijing_funds=Decimal("900"), year=2023)
    current = AnnualBudget.objects.get(pk=budget.pk)
    queries, conflict = _queries(lambda: conflict_for(current, opened, ("plan_year", "beijing_funds", "local_funds"),
                                                      related_as={"plan_year": "year"}))
    assert conflict.who == staff.username and conflict.when == current.history.latest("history_date").history_date
    assert [(c.name, c.label, c.old, c.new) for c in conflict.changes] == [
        ("plan_year", "Year", "2021", "2023"),
        ("beijing_funds", "Cooperation funds 京蒙协作资金 (万元)", "800.00", "900.00"),
    ]
    assert [(c.then, c.now, c.yours_kept) for c in conflict.changes] == [
        (2021, 2023, False), (Decimal("800"), Decimal("900"), False)]
    assert queries == 3  # the latest record, the opened one, the years

    plain = conflict_for(current, opened, ("plan_year",))
    assert (plain.changes[0].then, plain.changes[0].now) == (opened_year, later_year.pk)  # ids by default
    assert conflict_for(current, current.version, ("beijing_funds",)).changes == []
    assert conflict_for(current, 99, ("beijing_funds",)).changes == []  # a version the history does not know


def test_conflict_for_any_model_with_history_and_version(project, staff):
    opened = project.version
    project_update(project=project, user=staff, status=Project.Status.COMPLETED, name="新的名字")
    current = Project.objects.get(pk=project.pk)
    conflict = conflict_for(current, opened, ("name", "status", "category"))
    assert [(c.name, c.old, c.new) for c in conflict.changes] == [
        ("name", project.history.earliest("history_date").name, "新的名字"), ("status", "planned", "completed")]


def test_an_imports_reason_is_shown_in_the_readers_language():
    from django.utils import translation

    from planportal.history import import_reason, reason_shown

    stored = import_reason("附表 2021.xlsx", 7)
    assert stored == "导入 附表 2021.xlsx（导入批次 #7）"  # kept in the record's language
    with translation.override("en"):
        assert reason_shown(stored) == "Imported from 附表 2021.xlsx (import batch #7)"
        assert reason_shown(import_reason("a.xlsx, b.csv")) == "Imported from a.xlsx, b.csv"
        assert reason_shown("人工更正") == "人工更正" and reason_shown(None) == ""
    with translation.override("zh-hans"):
        assert reason_shown(stored) == "从“附表 2021.xlsx”导入（导入批次 #7）"
