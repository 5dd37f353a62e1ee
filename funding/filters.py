"""The project filters of a plan, written once: the list page, the API and the admin use them.

`ProjectFilterSet` (django-filter) is the one definition: the page renders its form,
the API's DjangoFilterBackend applies it (a bad value is a 400 naming the parameter)
and drf-spectacular documents it, the admin gets SimpleListFilter classes from
`admin_list_filters()`. Every choice is of one plan: a value of another plan is a
validation error. Category, unit and township accept an id or a name as people
write it (api.lookups).

Every condition on budgets is a subquery (`EXISTS (SELECT … budget …)`) and every
per-project sum is a correlated subquery, so the projects table is never joined to
its budgets: a project with five budgets is counted once and its sums are not
multiplied by any join, whatever combination of filters is used. When a year is
chosen, the sums, the amount range, the totals and the export are of that year's
budgets; otherwise of all the project's budgets.
"""

import re
from dataclasses import dataclass
from functools import partial

import django_filters
from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, F, IntegerField, Max, Min, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from projects.lookups import find_category, find_township, find_unit
from funding.fields import WanYuanField
from funding.list_figures import GROUPS, ListQuestion, stored_or_live_totals
from funding.models import AnnualBudget
from planportal.lib.money import MAX_WAN
from planportal.forms import TypedNumberInput
from planportal.lib.params import whole_number
from planportal.paging import IdsFirstPaginator
from plans.models import Category, Plan
from projects.models import ImplementingUnit, Place, Project

SUM_FIELDS = ("total_investment", "beijing_funds", "local_funds")
AMOUNT_FIELDS = {
    "beijing_funds": _("cooperation funds (京蒙资金)"),
    "total_investment": _("total investment"),
}
DEFAULT_AMOUNT = "beijing_funds"
# sort key → the columns ordered by; the first one follows the direction, the rest break ties.
SORTS = {
    "name": ("name", "pk"),
    "category": ("category__order", "category_id", "name", "pk"),
    "first_year": ("first_year", "name", "pk"),
    "total_investment": ("total_investment_sum", "name", "pk"),
    "beijing_funds": ("beijing_funds_sum", "name", "pk"),
}
SORT_LABELS = {
    "category": _("category"),
    "name": _("name"),
    "first_year": _("first year"),
    "total_investment": _("total investment"),
    "beijing_funds": _("cooperation funds"),
}
DEFAULT_SORT = "category"
SEARCH_MAX_LENGTH = 200
SEARCH_MAX_WORDS = 20
NAME_MAX_LENGTH = 200  # longer than any category, unit or township name
# The admin's plan filter (plans.admin_scoping.PlanFilter) uses this GET parameter.
ADMIN_PLAN_PARAMETER = "plan"
ADMIN_TITLES = {
    "year": _("year"),
    "category": _("category"),
    "unit": _("implementing unit"),
    "township": _("township"),
    "nature": _("nature"),
    "status": _("status"),
}


class AmountInput(TypedNumberInput):
    """An amount in 万元 as people type it (planportal.forms.TypedNumberInput), within what the database keeps."""

    amount_messages = True

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 19)
        kwargs.setdefault("decimal_places", 4)
        kwargs.setdefault("max_value", MAX_WAN)  # what a BIGINT of yuan holds: larger is an error, not a crash
        kwargs.setdefault("error_messages", {
            "invalid": _("Enter an amount in 万元, e.g. 1234.5."),
            "max_decimal_places": _("At most 4 decimals: amounts are kept exact to the yuan."),
            "min_value": _("An amount cannot be negative."),
            "max_value": _("No amount is that large."),
        })
        super().__init__(**kwargs)


class PlanRecordField(forms.ModelChoiceField):
    """A select of the plan's records that also accepts a record's id or its name, as another system sends it.

    `find(text)` looks the text up in the plan only (api.lookups), so an id of another
    plan is as unknown as a name nobody uses.
    """

    def __init__(self, *, find=None, **kwargs):
        self.find = find
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, self.queryset.model):
            value = value.pk
        text = str(value).strip()
        if not text:
            return None
        record = None
        if self.find is not None and "\x00" not in text and len(text) <= NAME_MAX_LENGTH:
            record = self.find(text)
        if record is None:
            shown = "".join(c if c.isprintable() else "\ufffd" for c in text[:NAME_MAX_LENGTH])
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                                  params={"value": shown})
        return record


class PlanRecordFilter(django_filters.Filter):
    """`category=3` or `category=基础设施类`: one record of the plan (see PlanRecordField)."""

    field_class = PlanRecordField


class AmountFilter(django_filters.Filter):
    """An amount in 万元 (AmountInput: `1,234.5` and `1 234.5` are accepted)."""

    field_class = AmountInput


class ProjectFilterForm(forms.Form):
    """The FilterSet's form (django-filter adds the fields): a bounded search, an amount range the right way up."""

    def clean_q(self):
        text = self.cleaned_data.get("q") or ""
        if len(_words(text)) > SEARCH_MAX_WORDS:
            raise ValidationError(_("Search with at most %(count)d words."), code="too_many_words",
                                  params={"count": SEARCH_MAX_WORDS})
        return text

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("amount_min"), cleaned.get("amount_max")
        if low is not None and high is not None and low > high:
            self.add_error("amount_max", _("The upper bound is below the lower bound."))
        return cleaned


def _documented(openapi_type: str, filter_: django_filters.Filter) -> django_filters.Filter:
    """The OpenAPI type of a filter django-filter's introspection cannot guess (drf-spectacular), with its help."""
    return extend_schema_field({"type": openapi_type, "description": filter_.extra.get("help_text", "")})(filter_)


def _words(text: str) -> list[str]:
    return list(dict.fromkeys(word for word in re.split(r"[\s,，、]+", text) if word))


def _budgets(year: int | None) -> QuerySet:
    budgets = AnnualBudget.objects.all()
    return budgets.filter(plan_year__year=year) if year else budgets


def _per_project(aggregate, field: str, budgets: QuerySet, output_field=None):
    rows = budgets.filter(project=OuterRef("pk")).order_by().values("project").annotate(value=aggregate(field))
    return Subquery(rows.values("value"), output_field=output_field)


def project_sum(field: str, year: int | None = None):
    """A project's sum of one amount over its budgets of `year` (all years without one); 0 without budgets."""
    money = WanYuanField()
    return Coalesce(_per_project(Sum, field, _budgets(year), money), Value(0, output_field=money),
                    output_field=money)


class ProjectFilterSet(django_filters.FilterSet):
    """The filters of one plan's projects: `ProjectFilterSet(request.GET, plan=plan)`.

    Without a queryset it filters the plan's projects. `plan=None` (the admin with
    no plan chosen) offers no choice of year, category, unit or township, so any
    value of those is an error.
    """

    q = django_filters.CharFilter(
        label=_("Search"), method="filter_q", max_length=SEARCH_MAX_LENGTH,
        help_text=_("Words that must all appear, each in the name, place, description, implementing unit "
                    "or a budget's scale and content."))
    year = _documented("integer", django_filters.TypedChoiceFilter(
        label=_("Year"), method="filter_year", coerce=int, empty_value=None,
        help_text=_("Projects with a budget in this year (one of the plan's years); the amount range then "
                    "bounds that year's sums.")))
    category = _documented("string", PlanRecordFilter(
        label=_("Category"), empty_label=_("all"), queryset=Category.objects.none(),
        error_messages={"invalid_choice": _("This plan has no category “%(value)s”.")},
        help_text=_("Category: its id, Chinese name (基础设施类 or 基础设施), code or English name.")))
    unit = _documented("string", PlanRecordFilter(
        label=_("Implementing unit"), empty_label=_("all"), queryset=ImplementingUnit.objects.none(),
        error_messages={"invalid_choice": _("This plan has no implementing unit “%(value)s”.")},
        help_text=_("Implementing unit: its id or any known spelling of its name (旗农科局 = 科右中旗农科局).")))
    township = _documented("string", PlanRecordFilter(
        label=_("Township (苏木/镇)"), empty_label=_("all"), queryset=Place.objects.none(),
        error_messages={"invalid_choice": _("This plan has no township “%(value)s”.")},
        help_text=_("Township (苏木/镇): its id or name.")))
    nature = django_filters.ChoiceFilter(label=_("Nature"), choices=Project.Nature.choices, empty_label=_("all"),
                                         help_text=_("Nature (新建, 续建, 扩建)."))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Project.Status.choices, empty_label=_("all"),
                                         help_text=_("Status."))
    amount = django_filters.ChoiceFilter(
        label=_("Amount"), choices=list(AMOUNT_FIELDS.items()), empty_label=None, method="filter_nothing",
        help_text=_("Which sum amount_min and amount_max bound: beijing_funds (the default) or "
                    "total_investment."))
    amount_min = _documented("number", AmountFilter(
        label=_("from (万元)"), method="filter_amount", min_value=0,
        help_text=_("Projects whose sum (of the year if one is given) is at least this many 万元.")))
    amount_max = _documented("number", AmountFilter(
        label=_("to (万元)"), method="filter_amount", min_value=0,
        help_text=_("Projects whose sum (of the year if one is given) is at most this many 万元.")))

    # Filters whose choices are the plan's own: without a plan they offer none.
    PLAN_DEPENDENT = ("year", "category", "unit", "township")

    class Meta:
        model = Project
        fields = []
        form = ProjectFilterForm

    def __init__(self, data=None, queryset=None, *, plan: Plan | None = None, **kwargs):
        if queryset is None and plan is not None:
            queryset = Project.objects.for_plan(plan)
        super().__init__(data, queryset, **kwargs)
        self.plan = plan
        for filter_ in self.filters.values():
            # help_text documents the API (drf-spectacular reads the class's base_filters); the page shows none.
            filter_.extra.pop("help_text", None)
        years = list(plan.years) if plan is not None else []
        self.filters["year"].extra["choices"] = [("", _("all"))] + [(year, year) for year in years]
        records = {
            "category": (Category.objects.order_by("order", "id"), find_category),
            "unit": (ImplementingUnit.objects.order_by("name"), find_unit),
            "township": (Place.objects.filter(kind=Place.Kind.TOWNSHIP).order_by("name"), find_township),
        }
        for name, (rows, find) in records.items():
            extra = self.filters[name].extra
            if plan is None:
                extra.update(queryset=rows.none(), find=None)
            else:
                extra.update(queryset=rows.filter(plan=plan), find=partial(find, plan))

    # --- the filters written as methods -------------------------------------

    def filter_q(self, queryset, name, value):
        for word in _words(value):
            in_content = AnnualBudget.objects.filter(project=OuterRef("pk"), scale_and_content__icontains=word)
            queryset = queryset.filter(
                Q(name__icontains=word) | Q(location_text__icontains=word) | Q(description__icontains=word)
                | Q(unit__name__icontains=word) | Q(Exists(in_content))
            )
        return queryset

    def filter_year(self, queryset, name, value):
        return queryset.filter(Exists(AnnualBudget.objects.filter(project=OuterRef("pk"), plan_year__year=value)))

    def filter_amount(self, queryset, name, value):
        """amount_min / amount_max on the project's sum of `amount`, of the chosen year if there is one."""
        total = project_sum(self.amount_field, self.applied().get("year"))
        bound = GreaterThanOrEqual if name == "amount_min" else LessThanOrEqual
        return queryset.filter(bound(total, value))

    def filter_nothing(self, queryset, name, value):
        return queryset  # `amount` only says which sum the amount range bounds

    # --- what was applied ----------------------------------------------------

    def applied(self) -> dict:
        """The values that filter: only the valid ones (an invalid one is shown on the form, not applied)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {key: value for key, value in self.form.cleaned_data.items() if value not in (None, "")}

    @property
    def amount_field(self) -> str:
        return self.applied().get("amount") or DEFAULT_AMOUNT


class ProjectListFilterSet(ProjectFilterSet):
    """The list page's form: the filters, and the order of the list (sorted by project_list on its sums)."""

    sort = django_filters.ChoiceFilter(label=_("Sort by"), empty_label=None, method="filter_nothing",
                                       choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        sorts = []
        for key, label in SORT_LABELS.items():
            sorts.append((key, label))
            if key != "category":
                sorts.append((f"-{key}", _("%(field)s, descending") % {"field": label}))
        self.filters["sort"].extra["choices"] = sorts


@dataclass
class ProjectList:
    projects: QuerySet  # annotated, filtered, sorted projects
    budgets: QuerySet  # the budgets behind the sums (the filtered projects' budgets, in the year if one is chosen)
    year: int | None
    sort: str
    ordered: QuerySet  # the same projects in the same order, annotated only with what the order needs
    question: ListQuestion | None = None  # what the stored totals must answer for `totals`; None: they cannot

    def totals(self) -> dict:
        """The count and sums of `budgets`: from the stored totals when the filters are ones they hold (a year,
        one category, unit or township), the plan's rows summed live while its totals are not current."""
        stored = stored_or_live_totals(self.question, self.budgets) if self.question is not None else None
        return stored if stored is not None else self.budgets.totals()

    def paginator(self, per_page: int) -> IdsFirstPaginator:
        """Pages of `projects` that cost the same at page 1 and page 200 (planportal.paging)."""
        return IdsFirstPaginator(self.ordered, per_page, lambda ids: self.projects.filter(pk__in=ids))


def project_list(filterset: ProjectFilterSet) -> ProjectList:
    """The projects the FilterSet keeps (its valid values only), with their sums, sorted by its `sort` if any."""
    choices = filterset.applied()
    year = choices.get("year")
    budgets = _budgets(year)
    if filterset.plan is not None:
        budgets = budgets.filter(plan_year__plan=filterset.plan)
    figures = {
        "first_year": _per_project(Min, "plan_year__year", AnnualBudget.objects.all()),
        "last_year": _per_project(Max, "plan_year__year", AnnualBudget.objects.all()),
        "budget_count": Coalesce(_per_project(Count, "id", budgets, IntegerField()), Value(0)),
        **{f"{field}_sum": project_sum(field, year) for field in SUM_FIELDS},
    }
    sort = choices.get("sort")
    if sort is None or sort.lstrip("-") not in SORTS:
        sort = DEFAULT_SORT
    first_column, *ties = SORTS[sort.lstrip("-")]
    first = F(first_column).desc(nulls_last=True) if sort.startswith("-") else F(first_column).asc(nulls_last=True)
    projects = filterset.qs.annotate(**figures).select_related("category", "unit", "township").order_by(first, *ties)
    needed = {name: figures[name] for name in (first_column,) if name in figures}
    return ProjectList(
        question=_list_question(filterset.plan, choices),
        projects=projects,
        budgets=budgets.filter(project__in=filterset.qs.order_by().values("pk")),
        year=year,
        sort=sort,
        ordered=filterset.qs.annotate(**needed).order_by(first, *ties),
    )


# The filters whose budgets the stored totals hold (funding.list_figures); `sort` and `amount` filter nothing.
_STORED_CHOICES = {"year", *GROUPS, "sort", "amount"}


def _list_question(plan: Plan | None, choices: dict) -> ListQuestion | None:
    groups = [name for name in GROUPS if name in choices]
    if plan is None or not set(choices) <= _STORED_CHOICES or len(groups) > 1:
        return None
    group = (groups[0], choices[groups[0]].pk) if groups else None
    return ListQuestion(plan_ids=(plan.pk,), year=int(choices["year"]) if "year" in choices else None, group=group)


# --- the admin's list filters ------------------------------------------------

def admin_plan(request) -> Plan | None:
    """The plan the admin's list is filtered by: the `plan` GET parameter (a plan the user sees), else the
    user's only plan; None when no plan (or an unknown one) is chosen."""
    cached = getattr(request, "_project_filters_plan", False)
    if cached is not False:
        return cached
    visible = Plan.objects.visible_to(request.user)
    raw = request.GET.get(ADMIN_PLAN_PARAMETER, "")
    if raw:
        plan_id = whole_number(raw)
        plan = visible.filter(pk=plan_id).first() if plan_id is not None else None
    else:
        plans = list(visible.order_by("pk")[:2])
        plan = plans[0] if len(plans) == 1 else None
    request._project_filters_plan = plan
    return plan


class ProjectFilterSetListFilter(admin.SimpleListFilter):
    """One ProjectFilterSet filter in the admin's sidebar: its choices and its rule, for the admin's plan."""

    filterset_class = ProjectFilterSet

    def lookups(self, request, model_admin):
        plan = admin_plan(request)
        if plan is None and self.parameter_name in self.filterset_class.PLAN_DEPENDENT:
            return []
        field = self.filterset_class(plan=plan).form.fields[self.parameter_name]
        return [(str(value), label) for value, label in field.choices if str(value) != ""]

    def has_output(self):
        return True  # shown (empty) before a plan is chosen, like the other plan-dependent filters

    def queryset(self, request, queryset):
        value = self.value()
        if value in (None, ""):
            return queryset
        filterset = self.filterset_class({self.parameter_name: value}, queryset, plan=admin_plan(request))
        if not filterset.is_valid():
            return queryset.none()  # a value the plan does not have matches nothing
        name = self.parameter_name
        return filterset.filters[name].filter(queryset, filterset.form.cleaned_data[name])


def admin_list_filters(names, filterset_class: type[ProjectFilterSet] = ProjectFilterSet) -> list[type]:
    """SimpleListFilter classes for ModelAdmin.list_filter, one per FilterSet filter name, e.g.
    `[plan_filter("plan"), *admin_list_filters(["year", "category", "unit", "township", "nature", "status"])]`."""
    classes = []
    for name in names:
        declared = filterset_class.base_filters[name]  # KeyError for a name the FilterSet does not have
        classes.append(type(f"ProjectListFilter_{name}", (ProjectFilterSetListFilter,), {
            "title": ADMIN_TITLES.get(name) or declared.label or name,
            "parameter_name": name,
            "filterset_class": filterset_class,
        }))
    return classes
