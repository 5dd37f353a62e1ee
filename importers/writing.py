"""Pass 2 of an import: bulk writes of units, projects, budgets and stated figures, with history.

Signal-based history does not see bulk writes, so every bulk write here writes
its history rows too, attributed to the importing user and the import batch.

The year lock (plans.locks, projects.locks) is asked here, where each row meets
what is stored: a row that would add or change a budget or a stated figure of an
approved year, or change what an approved year says of a project (its category,
its nature), is an error; the caller then rolls the whole import back. A file
that repeats an approved year exactly as it is stays importable. Each refusal names
the value it would change (old → new); with `skip_locked` the same rows are left
out instead and noted, so the rest of the file can be imported.
"""

from decimal import Decimal

from django.db.models import F, Min
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from figures.models import StatedFigure
from funding.models import AnnualBudget
from importers.identity import identity_of, stored_identity
from importers.messages import ERROR, WARNING, Message
from importers.parsing import ABSENT, ProjectRow, StatedRow
from importers.report import ImportReport
from planportal.history import import_reason
from planportal.lib.money import format_wan
from plans.access import history_user
from plans.models import Category, Plan, PlanYear
from projects.models import ImplementingUnit, Project, UnitAlias
from importers.fastinsert import create_with_history
from projects.locks import locked_years_by_project, touches_annex
from projects.services import places_for_locations

# Budget field ← row attribute, with the label people know from the annex.
BUDGET_FIELDS = (
    ("serial_no", "serial", "序号"),
    ("nature", "nature", "建设性质"),
    ("scale_and_content", "content", "建设规模和建设内容"),
    ("beijing_funds_use", "use", "京蒙协作资金主要用途"),
    ("total_investment", "total", "项目总投资"),
    ("beijing_funds", "beijing", "京蒙资金"),
    ("local_funds", "local", "地方自筹资金"),
    ("actual_beijing_funds", "actual_beijing", "京蒙资金实际拨付"),
    ("actual_local_funds", "actual_local", "地方自筹实际拨付"),
)
STATED_METRIC_LABELS = {
    StatedFigure.PROJECTS: "项目个数", StatedFigure.TOTAL_INVESTMENT: "项目总投资",
    StatedFigure.BEIJING_FUNDS: "京蒙资金", StatedFigure.LOCAL_FUNDS: "地方自筹资金",
}
STATED_METRICS = (
    (StatedFigure.PROJECTS, "count", "个"),
    (StatedFigure.TOTAL_INVESTMENT, "total", "万元"),
    (StatedFigure.BEIJING_FUNDS, "beijing", "万元"),
    (StatedFigure.LOCAL_FUNDS, "local", "万元"),
)


def _shown(value) -> str:
    if isinstance(value, Decimal):
        return format_wan(value)
    return "" if value is None else str(value)


class AnnexWriter:
    def __init__(self, *, plan: Plan, report: ImportReport, user, batch, unit_ids: dict, skip_locked: bool = False):
        self.plan = plan
        self.skip_locked = skip_locked
        self.report = report
        self.user = history_user(user)
        self.batch = batch
        self.reason = batch.change_reason if batch is not None else import_reason(", ".join(report.files))
        self.unit_ids = unit_ids
        self.now = timezone.now()
        self.plan_years = dict(PlanYear.objects.filter(plan=plan).values_list("year", "id"))
        self.locked_years = set(PlanYear.objects.filter(plan=plan, review_status=PlanYear.Review.APPROVED)
                                .values_list("year", flat=True))
        self.category_names = dict(Category.objects.filter(plan=plan).values_list("id", "name_zh"))
        # identity → project id, and what an import may change of each stored project; kept as
        # tuples, not model instances, so a plan of 20,000 projects stays small in memory.
        self.projects: dict[tuple, int] = {}
        self.project_state: dict[int, tuple] = {}  # id → (name, category id, nature, status)
        # Identities of the projects that continue one of the earlier plan's (Project.continues): their
        # 续建 needs no earlier year in this plan.
        self.continued: set[tuple] = set()
        for pk, name, location, unit_id, category_id, nature, status, continues_id in (
                Project.objects.filter(plan=plan).values_list(
                    "id", "name", "location_text", "unit_id", "category_id", "nature", "status", "continues_id")):
            identity = stored_identity(name, location, unit_id)
            self.projects[identity] = pk
            self.project_state[pk] = (name, category_id, nature, status)
            if continues_id is not None:
                self.continued.add(identity)
        self.seen: set[tuple] = set()  # identities already created or compared in this import
        self.project_updates: dict[int, dict] = {}  # project id → {field: new value}
        self.project_update_rows: dict[int, tuple] = {}  # project id → (sheet, row) asking for the update
        self.created_here: set[int] = set()
        self._stored_first: dict | None = None
        self._earlier: tuple[dict, dict] | None = None

    # --- units ---------------------------------------------------------------
    def create_units(self, new_units: dict) -> None:
        if not new_units:
            return
        names = {key: " ".join(spelling.split()) for key, spelling in new_units.items()}
        existing = dict(
            ImplementingUnit.objects.filter(plan=self.plan, name__in=set(names.values())).values_list("name", "id")
        )
        to_create = [
            ImplementingUnit(plan=self.plan, name=name) for name in dict.fromkeys(names.values()) if name not in existing
        ]
        known = set(existing.values())
        for unit in ImplementingUnit.objects.bulk_create(to_create):
            existing[unit.name] = unit.pk
        UnitAlias.objects.bulk_create(
            UnitAlias(plan=self.plan, unit_id=existing[names[key]], spelling=spelling.strip(), key=key)
            for key, spelling in new_units.items()
        )
        # A known unit that learnt a spelling is changed: an editor's form opened before this import is now stale.
        learnt = known & {existing[names[key]] for key in new_units}
        if learnt:
            ImplementingUnit.objects.filter(pk__in=learnt).update(version=F("version") + 1)
        for key in new_units:
            self.unit_ids[key] = existing[names[key]]
        self.report.units_created = sorted(set(names.values()) - {n for n in existing if n not in names.values()})

    def stored_first_years(self) -> dict:
        """identity → the earliest year the project already has a budget in."""
        if self._stored_first is None:
            first = dict(
                AnnualBudget.objects.filter(project__plan=self.plan)
                .values("project_id").annotate(first=Min("plan_year__year")).values_list("project_id", "first")
            )
            self._stored_first = {identity: first[pk] for identity, pk in self.projects.items() if pk in first}
        return self._stored_first

    def earlier_project(self, row: ProjectRow) -> int | None:
        """The project of the plan this plan follows (Plan.follows) that a 续建 row continues: the same name,
        place and unit after normalisation, as the importer matches projects within a plan. Two queries for
        the whole import, made on first need."""
        if self.plan.follows_id is None:
            return None
        if self._earlier is None:
            earlier_units = dict(UnitAlias.objects.filter(plan_id=self.plan.follows_id).values_list("key", "unit_id"))
            projects: dict[tuple, int] = {}
            for pk, name, location, unit_id in (Project.objects.filter(plan_id=self.plan.follows_id).order_by("id")
                                                .values_list("id", "name", "location_text", "unit_id")):
                projects.setdefault(stored_identity(name, location, unit_id), pk)
            self._earlier = (earlier_units, projects)
        earlier_units, projects = self._earlier
        return projects.get(identity_of(row, earlier_units))

    def earlier_label(self, project_id: int) -> str:
        """How a change list names the earlier plan's project a 续建 project is linked to."""
        return f"{self.plan.follows.code} #{project_id}"

    # --- projects and budgets ---------------------------------------------------
    def _project_for(self, row: ProjectRow, facts: dict, created: list) -> int | dict:
        """The stored project id of a row, or the new (not yet inserted) project it creates: a dict of the
        Project's attnames (create_with_history fills in the defaults), not a model instance, whose every
        foreign-key assignment costs a descriptor's checks."""
        identity = identity_of(row, self.unit_ids)
        project = self.projects.get(identity)
        if identity in self.seen:
            return project
        self.seen.add(identity)
        first_year, nature, _last_year, category_id, status, *_where = facts[hash(row.key)]
        if project is None:
            project = {
                "plan_id": self.plan.pk, "name": row.name, "location_text": row.location, "unit_id": identity[2],
                "category_id": category_id, "nature": nature or Project.Nature.NEW,
                "status": Project.Status.PLANNED if status is ABSENT else status, "continues_id": None,
            }
            if project["nature"] == Project.Nature.CONTINUED:
                project["continues_id"] = self.earlier_project(row)
                if project["continues_id"] is not None:
                    self.continued.add(identity)
            self.projects[identity] = project
            created.append(project)
            self.report.projects.created += 1
            return project
        self._compare_project(project, row, identity, first_year, nature, category_id, status)
        return project

    def _compare_project(self, pk, row, identity, first_year, nature, category_id, status) -> None:
        name, old_category, old_nature, old_status = self.project_state[pk]
        changes = {}
        if category_id != old_category:
            self.report.add(Message(WARNING, "category_changed", row.sheet, row.row, "项目类别", {
                "old": self.category_names.get(old_category), "new": self.category_names.get(category_id)}))
            changes["category_id"] = ("项目类别", self.category_names.get(old_category),
                                      self.category_names.get(category_id), category_id)
        stored_first = self.stored_first_years().get(identity)
        if nature and nature != old_nature and (stored_first is None or first_year <= stored_first):
            changes["nature"] = ("建设性质", old_nature, nature, nature)
        if status is not ABSENT and status != old_status:
            changes["status"] = ("项目状态", old_status, status, status)
        # A 续建 project imported before its plan followed another (or before the earlier plan had the project)
        # is linked on the next import, as a new one would be.
        if (nature or old_nature) == Project.Nature.CONTINUED and identity not in self.continued:
            earlier = self.earlier_project(row)
            if earlier is not None:
                self.continued.add(identity)
                changes["continues_id"] = ("续建衔接", None, self.earlier_label(earlier), earlier)
        if not changes:
            self.report.projects.unchanged += 1
            return
        self.report.projects.updated += 1
        for label, old, new, _value in changes.values():
            self.report.change(kind="project", project=name, year=None, field=label, old=_shown(old),
                               new=_shown(new), sheet=row.sheet, row=row.row)
        self.project_updates[pk] = {field: value for field, (_l, _o, _n, value) in changes.items()}
        self.project_update_rows[pk] = (row.sheet, row.row)

    def write_rows(self, chunk: list[ProjectRow], facts: dict) -> None:
        created: list[dict] = []
        # A row of an approved year whose project is not stored cannot be in that year: refused before it
        # creates a project (which skipping the row would leave without a budget).
        chunk = [row for row in chunk if not (
            row.year in self.locked_years and identity_of(row, self.unit_ids) not in self.projects
            and self._refuse_row(row))]
        pairs = [(row, self._project_for(row, facts, created)) for row in chunk]
        if created:
            places = places_for_locations(plan=self.plan, texts=[p["location_text"] for p in created])
            for project in created:
                project["township_id"], project["village_id"] = places[project["location_text"]]
            # create_with_history fills each dict in (defaults, timestamps, its id)
            ids = create_with_history(Project, created, user=self.user, reason=self.reason, now=self.now)
            self.created_here.update(ids)
            for project, pk in zip(created, ids):  # from now on the import knows it by id, like any stored project
                project["id"] = pk
                self.projects[stored_identity(project["name"], project["location_text"], project["unit_id"])] = pk
                self.project_state[pk] = (project["name"], project["category_id"], project["nature"],
                                          project["status"])
        pairs = [(row, p if isinstance(p, int) else p["id"]) for row, p in pairs]
        stored = {}
        # A project created by this import has only this import's budgets, and pass 1 already
        # refused a (project, year) twice: there is nothing stored to compare with.
        stored_ids = {pk for _row, pk in pairs} - self.created_here
        if stored_ids:
            columns = ["id", "project_id", "plan_year_id"] + [field for field, _attr, _label in BUDGET_FIELDS]
            for values in AnnualBudget.objects.filter(project_id__in=stored_ids).values_list(*columns):
                stored[(values[1], values[2])] = values
        new_budgets, changed = [], {}
        for row, project_id in pairs:
            plan_year_id = self.plan_years[row.year]
            values = stored.get((project_id, plan_year_id))
            if values is None:
                if row.year in self.locked_years:
                    self._refuse_row(row)
                    continue
                new_budgets.append(self._new_budget(row, project_id, plan_year_id))
                continue
            fields = self._compare_budget(values, row)
            if fields and row.year in self.locked_years:
                for _field, label, old, new in fields:
                    self._refuse_value(row.year, row.sheet, row.row, label, old, new)
                continue
            if fields:
                for _field, label, old, new in fields:
                    self.report.change(kind="budget", project=self.project_state[project_id][0], year=row.year,
                                       field=label, old=_shown(old), new=_shown(new), sheet=row.sheet, row=row.row)
                changed[values[0]] = {field: new for field, _label, _old, new in fields}
                self.report.budgets.updated += 1
            else:
                self.report.budgets.unchanged += 1
        create_with_history(AnnualBudget, new_budgets, user=self.user, reason=self.reason, now=self.now)
        self.report.budgets.created += len(new_budgets)
        if changed:
            budgets = list(AnnualBudget.objects.filter(pk__in=changed))
            for budget in budgets:
                for field, value in changed[budget.pk].items():
                    setattr(budget, field, value)
                budget.updated_at = self.now
                budget.version += 1  # an editor's form opened before this import is now stale
            fields = sorted(set().union(*changed.values()) | {"updated_at", "version"})
            bulk_update_with_history(budgets, AnnualBudget, fields, batch_size=1000,
                                     default_user=self.user, default_change_reason=self.reason)

    # --- the year lock ---------------------------------------------------------------
    def _refuse(self, code: str, sheet: str, row, column: str, params: dict) -> None:
        """An error, or with skip_locked a note that the row or figure was left as approved."""
        if not self.skip_locked:
            self.report.add(Message(ERROR, code, sheet, row, column, params))
        elif code == "year_locked":
            self.report.add(Message(WARNING, "locked_row_skipped", sheet, row, column, params))
        else:
            self.report.add(Message(WARNING, "locked_skipped", sheet, row, column, params))

    def _refuse_row(self, row: ProjectRow) -> bool:
        self._refuse("year_locked", row.sheet, row.row, "实施年度", {"year": row.year})
        return True

    def _refuse_value(self, year: int, sheet: str, row, label: str, old, new) -> None:
        self._refuse("locked_value", sheet, row, label,
                     {"year": year, "field": label, "old": _shown(old) or "（空）", "new": _shown(new) or "（空）"})

    def _new_budget(self, row: ProjectRow, project_id: int, plan_year_id: int) -> dict:
        values = {field: getattr(row, attr) for field, attr, _label in BUDGET_FIELDS}
        for field in ("actual_beijing_funds", "actual_local_funds"):
            if values[field] is ABSENT:
                values[field] = None
        values.update(project_id=project_id, plan_year_id=plan_year_id)
        return values

    @staticmethod
    def _compare_budget(stored: tuple, row: ProjectRow) -> list[tuple]:
        """(field, label, old, new) of each changed value; `stored` is (id, project id, plan year id,
        *BUDGET_FIELDS values)."""
        fields = []
        for (field, attr, label), old in zip(BUDGET_FIELDS, stored[3:]):
            new = getattr(row, attr)
            if new is not ABSENT and old != new:
                fields.append((field, label, old, new))
        return fields

    def finish_projects(self) -> None:
        if not self.project_updates:
            return
        self._refuse_locked_project_changes()
        projects = list(Project.objects.filter(pk__in=self.project_updates))
        for project in projects:
            for field, value in self.project_updates[project.pk].items():
                setattr(project, field, value)
            project.updated_at = self.now
            project.version += 1
        fields = sorted(set().union(*self.project_updates.values()) | {"updated_at", "version"})
        bulk_update_with_history(projects, Project, fields, batch_size=1000,
                                 default_user=self.user, default_change_reason=self.reason)

    def _refuse_locked_project_changes(self) -> None:
        """A project's category or nature, as approved for a year, stays (also when a later year's row changes it)."""
        touched = [pk for pk, fields in self.project_updates.items() if touches_annex(fields)]
        for pk, years in sorted(locked_years_by_project(touched).items()):
            sheet, row = self.project_update_rows[pk]
            self.report.add(Message(ERROR, "project_locked", sheet, row, "项目类别", {
                "name": self.project_state[pk][0], "years": "、".join(map(str, sorted(years)))}))

    # --- stated figures -----------------------------------------------------------
    def write_stated(self, rows: list[StatedRow]) -> None:
        # Only the years whose tables this file states figures for are replaced: a flat
        # list (no 合计 or subtotal rows) leaves the annex's stated figures alone.
        years = {row.year for row in rows}
        stored = {
            f.slot: f for f in StatedFigure.objects.select_for_update().filter(
                plan=self.plan, origin=StatedFigure.Origin.ANNEX, year__in=years)
        }
        wanted: dict[str, StatedFigure] = {}
        for row in rows:
            for metric, attr, unit in STATED_METRICS:
                value = getattr(row, attr)
                if value is None:
                    continue
                figure = StatedFigure(
                    plan=self.plan, origin=StatedFigure.Origin.ANNEX, year=row.year, category_id=row.category_id,
                    label=row.label, metric=metric, value=Decimal(value), unit=unit,
                    source=f"附表 工作表“{row.sheet}”第 {row.row} 行“{row.label}”", sheet=row.sheet[:100], row=row.row,
                    import_batch=self.batch, created_by=self.user,
                ).assign_slot()
                wanted[figure.slot] = figure
        to_create, to_update = [], []
        for slot, figure in wanted.items():
            old = stored.get(slot)
            if old is None:
                if figure.year in self.locked_years:
                    self._refuse("year_locked", figure.sheet, figure.row, "", {"year": figure.year})
                else:
                    to_create.append(figure)
                continue
            if (old.value, old.label, old.source, old.row) == (figure.value, figure.label, figure.source, figure.row):
                self.report.stated.unchanged += 1
                continue
            if old.value != figure.value and figure.year in self.locked_years:
                self._refuse_value(figure.year, figure.sheet, figure.row, self._stated_field(figure),
                                   self._stated_value(old), self._stated_value(figure))
                continue
            old.value, old.label, old.source, old.sheet, old.row = (
                figure.value, figure.label, figure.source, figure.sheet, figure.row)
            old.import_batch = self.batch
            to_update.append(old)
        if to_create:
            bulk_create_with_history(to_create, StatedFigure, default_user=self.user,
                                     default_change_reason=self.reason)
        if to_update:
            for figure in to_update:
                figure.updated_at = self.now
                figure.version += 1  # an editor's form opened before this import is now stale
            bulk_update_with_history(to_update, StatedFigure,
                                     ["value", "label", "source", "sheet", "row", "import_batch", "updated_at",
                                      "version"],
                                     default_user=self.user, default_change_reason=self.reason)
        self.report.stated.created += len(to_create)
        self.report.stated.updated += len(to_update)
        gone = [figure for slot, figure in stored.items() if slot not in wanted]
        kept = {(f.year, f.label) for f in gone if f.year in self.locked_years}
        for year, label in sorted(kept):
            if self.skip_locked:
                self.report.add(Message(WARNING, "stated_locked_kept", "", None, "", {"year": year, "label": label}))
            else:
                self.report.add(Message(ERROR, "stated_locked_removed", "", None, "", {"year": year, "label": label}))
        gone = [figure for figure in gone if figure.year not in self.locked_years]
        for label, year in sorted({(f.label, f.year) for f in gone}, key=lambda item: (item[1], item[0])):
            self.report.add(Message(WARNING, "stated_removed", "", None, "", {"label": label, "year": year}))
        for figure in gone:
            figure._change_reason = self.reason
            figure._history_user = self.user
            figure.delete()  # one by one, so the history keeps each removal
        self.report.stated_removed = len(gone)

    @staticmethod
    def _stated_field(figure: StatedFigure) -> str:
        return f"“{figure.label}”的{STATED_METRIC_LABELS.get(figure.metric, figure.metric)}"

    @staticmethod
    def _stated_value(figure: StatedFigure) -> str:
        if figure.metric == StatedFigure.PROJECTS:
            return format(figure.value.normalize(), "f")
        return format_wan(figure.value)
