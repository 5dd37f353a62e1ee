"""Where a year's figures stand against its last sign-off, for the reviewer; built on the history tables.

Two answers, each with a constant number of queries whatever the number of budgets or history records:
counts and sums are aggregated in the database, and only a capped list of records is loaded.

- `since_approval(plan_year, approval)`: the year was approved before (and has been reopened since, or is
  approved now). The totals as approved (the approval's snapshot) beside the totals now, per source; how many
  budgets, projects and stated figures of the year changed since, of which kind, and by whom; then the
  changed records grouped by project, each with its net change "as approved → now".
- `origin(plan_year)`: never approved (first review). Where the figures came from: the import batches that
  wrote the year's budgets and stated figures (file names, when, by whom, how many rows), the records
  written by the system (the bundled data, commands), and the edits people made by hand (how many, by
  whom), with the hand-edited records grouped by project ("before the first hand edit → now").

History is read from django-simple-history's tables of AnnualBudget, Project and StatedFigure; values are
shown by planportal.history.Display, as on every other page.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, Max, Min, OuterRef, Q, Subquery
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from figures.models import StatedFigure
from funding.models import AnnualBudget
from importers.models import ImportBatch
from planportal.history import Change, Display, with_previous
from planportal.lib.money import format_wan
from plans.models import Category, PlanYear
from projects.models import Project
from reviews.models import ReviewEvent
from reviews.queries import DISBURSED, PLANNED, YearFigures
from rollups.sentences import METRIC_NAMES

LIMIT = 30  # projects listed; "and N more" for the rest
FIGURE_LIMIT = 20  # stated figures listed
SOURCE_LIMIT = 20  # import batches and editors listed
# Bookkeeping that changes on every save and tells a reader nothing; a budget never changes project.
IGNORED_FIELDS = {"id", "version", "created_at", "updated_at"}
BUDGET_IGNORED = IGNORED_FIELDS | {"project"}
PROJECT_IGNORED = IGNORED_FIELDS | {"plan"}
FIGURE_FIELDS = ["value", "unit", "qualifier", "label", "source", "category", "year"]

CREATED, CHANGED, DELETED = "+", "~", "-"


def person(user) -> str:
    """Who, as the review pages name people: the full name, else the user name; nobody is the system."""
    if user is None:
        return _("the system (bundled data or a command)")
    return user.get_full_name() or user.get_username()


# --- what the page shows ---------------------------------------------------------------------------------------

@dataclass
class RecordChange:
    """One record's net change over the period: created, changed (fields old → new) or deleted."""

    kind: str
    fields: list[Change] = field(default_factory=list)
    edits: int = 0  # history records in the period


@dataclass
class ProjectChanges:
    """Everything that changed about one project in the year: its budget of the year and its own fields."""

    project_id: int
    name: str
    last_at: datetime
    edits: int = 0
    who: list[str] = field(default_factory=list)
    budget: RecordChange | None = None
    project: RecordChange | None = None

    @property
    def kind(self) -> str:
        return self.budget.kind if self.budget is not None else CHANGED


@dataclass
class FigureChange:
    label: str
    change: RecordChange
    last_at: datetime
    who: list[str] = field(default_factory=list)


@dataclass
class Counts:
    """Records (distinct objects) created, changed, deleted in the period, and all their history records."""

    records: int = 0
    created: int = 0
    deleted: int = 0
    edits: int = 0

    @property
    def changed(self) -> int:
        return max(self.records - self.created - self.deleted, 0)


@dataclass
class Listing:
    """The records grouped by project (capped) and the stated figures (capped), with how many are not shown."""

    projects: list[ProjectChanges] = field(default_factory=list)
    projects_total: int = 0
    figures: list[FigureChange] = field(default_factory=list)
    figures_total: int = 0

    @property
    def projects_more(self) -> int:
        return max(self.projects_total - len(self.projects), 0)

    @property
    def figures_more(self) -> int:
        return max(self.figures_total - len(self.figures), 0)


@dataclass
class TotalLine:
    label: str
    before: Decimal | int | None
    after: Decimal | int | None
    money: bool = True

    @property
    def difference(self):
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


@dataclass
class Editor:
    name: str
    records: int  # distinct records
    edits: int  # history records


@dataclass
class SinceApproval:
    approval: ReviewEvent
    totals: list[TotalLine]
    budgets: Counts
    projects: Counts
    figures: Counts
    editors: list[Editor]
    listing: Listing

    @property
    def changed_records(self) -> int:
        return self.budgets.records + self.projects.records + self.figures.records

    @property
    def nothing(self) -> bool:
        return self.changed_records == 0


@dataclass
class Batch:
    batch: ImportBatch | None  # None: an import recorded without a batch (its reason names the files)
    label: str  # the file names
    when: datetime | None
    who: str
    budgets: int = 0  # budget rows of this year it wrote
    figures: int = 0  # stated figures of this year it wrote
    projects: int = 0  # projects of this year it created or updated


@dataclass
class Origin:
    batches: list[Batch]
    batches_more: int
    system_records: int  # written by the system outside an import (bundled plan text, commands)
    manual: Counts  # edits by people, outside imports
    editors: list[Editor]
    listing: Listing


# --- the history of the year -------------------------------------------------------------------------------------

def _budget_history(plan_year: PlanYear, since: datetime | None):
    history = AnnualBudget.history
    if since is None:
        return history.filter(plan_year_id=plan_year.pk)
    # The year's budgets as they were at `since` (also those moved to another year since), and those in it now.
    latest_then = (history.filter(id=OuterRef("id"), history_date__lte=since)
                   .order_by("-history_date", "-history_id").values("history_id")[:1])
    in_year_then = (history.filter(plan_year_id=plan_year.pk, history_date__lte=since,
                                   history_id=Subquery(latest_then)).exclude(history_type=DELETED).values("id"))
    return history.filter(history_date__gt=since).filter(Q(plan_year_id=plan_year.pk) | Q(id__in=in_year_then))


def _project_history(plan_year: PlanYear, since: datetime | None):
    in_year = AnnualBudget.history.filter(plan_year_id=plan_year.pk).values("project_id")
    history = Project.history.filter(id__in=in_year)
    return history.filter(history_date__gt=since) if since is not None else history


def _figure_history(plan_year: PlanYear, since: datetime | None):
    history = StatedFigure.history.filter(plan_id=plan_year.plan_id, year=plan_year.year)
    return history.filter(history_date__gt=since) if since is not None else history


def _counts(history) -> Counts:
    row = history.aggregate(records=Count("id", distinct=True),
                            created=Count("id", distinct=True, filter=Q(history_type=CREATED)),
                            deleted=Count("id", distinct=True, filter=Q(history_type=DELETED)),
                            edits=Count("history_id"))
    return Counts(**row)


def _by_user(*histories) -> dict:
    """{user id or None: [distinct records, history records]} over several history querysets."""
    totals: dict = {}
    for history in histories:
        for row in history.values("history_user_id").annotate(records=Count("id", distinct=True),
                                                              edits=Count("history_id")).order_by():
            slot = totals.setdefault(row["history_user_id"], [0, 0])
            slot[0] += row["records"]
            slot[1] += row["edits"]
    return totals


def _users(ids) -> dict:
    ids = {pk for pk in ids if pk is not None}
    return {user.pk: user for user in get_user_model().objects.filter(pk__in=ids)} if ids else {}


def _editors(by_user: dict, users: dict) -> list[Editor]:
    editors = [Editor(name=person(users.get(pk)), records=records, edits=edits)
               for pk, (records, edits) in by_user.items()]
    return sorted(editors, key=lambda e: (-e.edits, e.name))[:SOURCE_LIMIT]


def _groups(history, limit: int, extra: dict | None = None) -> list[dict]:
    """Per object of `history`, newest change first: its first and last record, how many, when last."""
    return list(history.values("id").annotate(first=Min("history_id"), last=Max("history_id"),
                                              edits=Count("history_id"), at=Max("history_date"), **(extra or {}))
                .order_by("-at", "-last")[:limit])


def _before_and_after(model, groups: list[dict]) -> tuple[dict, dict]:
    """({object id: record before the period or None}, {object id: its latest record}): two queries."""
    if not groups:
        return {}, {}
    history = model.history
    firsts = {group["first"]: group["id"] for group in groups}
    previous = dict(with_previous(history.filter(history_id__in=firsts)).values_list("history_id", "prev_history_id"))
    wanted = {prev for prev in previous.values() if prev is not None} | {group["last"] for group in groups}
    records = history.filter(history_id__in=wanted).select_related("history_user").in_bulk()
    before = {firsts[first]: records.get(prev) for first, prev in previous.items()}
    after = {group["id"]: records[group["last"]] for group in groups}
    return before, after


def _editors_of(history, ids, users: dict) -> dict:
    """{object id: [names]} of who wrote the records of these objects in the period: one query."""
    names: dict = {}
    if not ids:
        return names
    for pk, user_id in history.filter(id__in=ids).order_by().values_list("id", "history_user_id").distinct():
        names.setdefault(pk, []).append(person(users.get(user_id)))
    return {pk: sorted(set(who)) for pk, who in names.items()}


def _net(model, before, after, exclude: set, fields: list[str] | None = None, shown: tuple = ()) -> RecordChange:
    """The record's change from `before` (None: it did not exist) to `after`; a record created or deleted
    lists the `shown` fields it was created with or had when deleted (a "-" record keeps the last values)."""
    if after.history_type == DELETED:
        return RecordChange(kind=DELETED, fields=[(name, getattr(after, name), None) for name in shown])
    if before is None or before.history_type == DELETED:
        return RecordChange(kind=CREATED, fields=[(name, None, getattr(after, name)) for name in shown])
    delta = after.diff_against(before, excluded_fields=exclude, included_fields=fields)
    order = {name: position for position, name in
             enumerate(fields or [model_field.name for model_field in model._meta.fields])}
    changes = sorted(delta.changes, key=lambda change: order.get(change.field, len(order)))
    return RecordChange(kind=CHANGED, fields=[(c.field, c.old, c.new) for c in changes])


def _shown(model, change: RecordChange, display: Display) -> RecordChange:
    change.fields = [Change(display.label(model, name), display.show(model, name, old), display.show(model, name, new),
                            name=name, then=old, now=new) for name, old, new in change.fields]
    return change


def _figure_value(record, value) -> str:
    if value is None:
        return "—"
    value = Decimal(value)
    if record.metric in StatedFigure.MONEY_METRICS:
        return format_wan(value)
    return f"{value.normalize():f}"


def _figure_label(record, display: Display) -> str:
    names = METRIC_NAMES.get(record.metric)
    metric = (names[1] if (get_language() or "").startswith("en") else names[0]) if names else record.metric
    category = display.name(Category, record.category_id) if record.category_id else _("all categories")
    origin = dict(StatedFigure.Origin.choices).get(record.origin, record.origin)
    return f"{origin} · {category} · {metric}"


def _listing(budgets, projects, figures, users: dict) -> Listing:
    """The changed records of the three histories grouped by project, newest first, capped; ~12 queries."""
    display = Display()
    budget_groups = _groups(budgets, LIMIT, {"project": Max("project_id")})
    project_groups = _groups(projects, LIMIT)
    figure_groups = _groups(figures, FIGURE_LIMIT)
    budget_before, budget_after = _before_and_after(AnnualBudget, budget_groups)
    project_before, project_after = _before_and_after(Project, project_groups)
    figure_before, figure_after = _before_and_after(StatedFigure, figure_groups)
    budget_who = _editors_of(budgets, [g["id"] for g in budget_groups], users)
    project_who = _editors_of(projects, [g["id"] for g in project_groups], users)
    figure_who = _editors_of(figures, [g["id"] for g in figure_groups], users)

    nets = []  # (model, RecordChange): their values are shown once every name is loaded
    by_project: dict[int, ProjectChanges] = {}

    def entry(project_id, at) -> ProjectChanges:
        item = by_project.get(project_id)
        if item is None:
            item = by_project[project_id] = ProjectChanges(project_id=project_id, name="", last_at=at)
        item.last_at = max(item.last_at, at)
        return item

    display.want(Project, [g["project"] for g in budget_groups])
    for group in budget_groups:
        item = entry(group["project"], group["at"])
        net = _net(AnnualBudget, budget_before.get(group["id"]), budget_after[group["id"]], BUDGET_IGNORED,
                   shown=PLANNED)
        net.edits = group["edits"]
        item.budget, item.edits = net, item.edits + group["edits"]
        item.who = sorted(set(item.who) | set(budget_who.get(group["id"], [])))
        nets.append((AnnualBudget, net))
    for group in project_groups:
        item = entry(group["id"], group["at"])
        after = project_after[group["id"]]
        net = _net(Project, project_before.get(group["id"]), after, PROJECT_IGNORED)
        net.edits = group["edits"]
        item.project, item.edits, item.name = net, item.edits + group["edits"], after.name
        item.who = sorted(set(item.who) | set(project_who.get(group["id"], [])))
        nets.append((Project, net))
    figure_items = []
    for group in figure_groups:
        after = figure_after[group["id"]]
        net = _net(StatedFigure, figure_before.get(group["id"]), after, IGNORED_FIELDS, FIGURE_FIELDS,
                   shown=("value",))
        net.edits = group["edits"]
        display.want_value(StatedFigure, "category", after.category_id)
        figure_items.append((after, group, net))
        nets.append((StatedFigure, net))
    for model, net in nets:
        for name, old, new in net.fields:
            display.want_value(model, name, old, new)
    display.load()
    for model, net in nets:
        _shown(model, net, display)
    for after, _group, net in figure_items:  # a stated figure's value as the page shows amounts or counts
        for change in net.fields:
            if change.name == "value":
                change.old, change.new = _figure_value(after, change.then), _figure_value(after, change.now)
    for item in by_project.values():
        item.name = item.name or display.name(Project, item.project_id)

    listed = sorted(by_project.values(), key=lambda item: item.last_at, reverse=True)[:LIMIT]
    # How many projects changed in all: those with a changed budget of the year or changed project fields.
    total = (budgets.order_by().values("project_id").union(projects.order_by().values("id")).count()
             if listed else 0)
    return Listing(
        projects=listed, projects_total=total,
        figures=[FigureChange(label=_figure_label(after, display), change=net, last_at=group["at"],
                              who=figure_who.get(group["id"], [])) for after, group, net in figure_items],
        figures_total=figures.order_by().values("id").distinct().count() if figure_items else 0,
    )


# --- the two answers -------------------------------------------------------------------------------------------

def last_approval(events: list[ReviewEvent]) -> ReviewEvent | None:
    """The reference of "what changed": the year's last approval (a submission or a return is not a sign-off)."""
    approvals = [event for event in events if event.action == ReviewEvent.Action.APPROVE]
    return approvals[-1] if approvals else None


def _amount(snapshot: dict, name: str):
    value = snapshot.get(name)
    return Decimal(value) if value not in (None, "") else None


def since_approval(plan_year: PlanYear, approval: ReviewEvent, figures: YearFigures) -> SinceApproval:
    """What changed in the year since `approval`, totals first; `figures`: the year's figures now."""
    budgets = _budget_history(plan_year, approval.at)
    projects = _project_history(plan_year, approval.at)
    stated = _figure_history(plan_year, approval.at)
    snapshot = approval.snapshot or {}
    labels = {"total_investment": _("Total investment"), "beijing_funds": _("Cooperation funds"),
              "local_funds": _("Local funds"), "actual_beijing_funds": _("Cooperation funds disbursed"),
              "actual_local_funds": _("Local funds disbursed")}
    totals = [TotalLine(_("Projects"), snapshot.get("projects"), figures.projects, money=False)]
    totals += [TotalLine(labels[name], _amount(snapshot, name), getattr(figures, name)) for name in PLANNED]
    totals += [TotalLine(labels[name], _amount(snapshot, name), getattr(figures, name)) for name in DISBURSED
               if _amount(snapshot, name) is not None or getattr(figures, name) is not None]
    counts = [_counts(history) for history in (budgets, projects, stated)]
    by_user = _by_user(budgets, projects, stated)
    users = _users(by_user)
    listing = _listing(budgets, projects, stated, users) if any(c.records for c in counts) else Listing()
    return SinceApproval(approval=approval, totals=totals, budgets=counts[0], projects=counts[1], figures=counts[2],
                         editors=_editors(by_user, users), listing=listing)


def origin(plan_year: PlanYear) -> Origin:
    """Where the year's figures came from, for a year never approved: imports, the system, hand edits."""
    budgets, projects, stated = (_budget_history(plan_year, None), _project_history(plan_year, None),
                                 _figure_history(plan_year, None))
    batches = list(ImportBatch.objects.filter(plan_id=plan_year.plan_id, status=ImportBatch.Status.IMPORTED)
                   .select_related("uploaded_by").order_by("-created_at", "-id"))
    by_reason = {batch.change_reason: batch for batch in batches}

    # Per reason and user, in each history: a handful of rows (one per import and per person).
    written: dict = {}
    for kind, history in (("budgets", budgets), ("projects", projects), ("figures", stated)):
        rows = (history.values("history_change_reason", "history_user_id")
                .annotate(records=Count("id", distinct=True), edits=Count("history_id")).order_by())
        for row in rows:
            written.setdefault((row["history_change_reason"], row["history_user_id"]), {})[kind] = row
    imports: dict = {}
    system_records, manual_by_user = 0, {}
    for (reason, user_id), kinds in written.items():
        if reason in by_reason or (reason or "").startswith("导入 "):
            item = imports.setdefault(reason, {"user_id": user_id})
            for kind, row in kinds.items():
                item[kind] = item.get(kind, 0) + row["records"]
        elif user_id is None:
            system_records += sum(row["records"] for row in kinds.values())
        else:
            slot = manual_by_user.setdefault(user_id, [0, 0])
            for row in kinds.values():
                slot[0] += row["records"]
                slot[1] += row["edits"]
    users = _users([*manual_by_user, *(item["user_id"] for item in imports.values())])

    found = []
    for reason, item in imports.items():
        batch = by_reason.get(reason)
        if batch is not None:
            found.append(Batch(batch=batch, label=batch.name, when=batch.finished_at or batch.created_at,
                               who=person(batch.uploaded_by), budgets=item.get("budgets", 0),
                               figures=item.get("figures", 0), projects=item.get("projects", 0)))
        else:
            found.append(Batch(batch=None, label=reason.removeprefix("导入 "), when=None,
                               who=person(users.get(item["user_id"])), budgets=item.get("budgets", 0),
                               figures=item.get("figures", 0), projects=item.get("projects", 0)))
    found.sort(key=lambda b: (b.when is None, -(b.when.timestamp() if b.when else 0)))

    # The hand edits: by a person, not by an import.
    import_reasons = list(imports)
    by_hand = Q(history_user__isnull=False) & ~Q(history_change_reason__in=import_reasons)
    hand = [history.filter(by_hand) for history in (budgets, projects, stated)]
    manual = Counts()
    for history in hand:
        part = _counts(history)
        manual.records += part.records
        manual.created += part.created
        manual.deleted += part.deleted
        manual.edits += part.edits
    listing = _listing(*hand, users) if manual.records else Listing()
    return Origin(batches=found[:SOURCE_LIMIT], batches_more=max(len(found) - SOURCE_LIMIT, 0),
                  system_records=system_records, manual=manual,
                  editors=_editors(manual_by_user, users), listing=listing)

