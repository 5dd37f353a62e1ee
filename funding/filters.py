"""The project list of a plan: filters, search, sorting and per-project sums, in a constant number of queries.

Every condition on budgets is a subquery (`pk IN (SELECT project_id …)`) and every
per-project sum is a correlated subquery, so the projects table is never joined to
its budgets: a project with five budgets is counted once and its sums are not
multiplied by any join, whatever combination of filters is used. When a year is
chosen, the sums, the amount range, the totals and the export are of that year's
budgets; otherwise of all the project's budgets.
"""

from dataclasses import dataclass
from django import forms
from django.db.models import Count, F, IntegerField, Max, Min, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from funding.fields import WanYuanField
from funding.models import AnnualBudget
from plans.models import Category, Plan
from projects.models import ImplementingUnit, Place, Project

SUM_FIELDS = ("total_investment", "beijing_funds", "local_funds")
AMOUNT_FIELDS = {
    "beijing_funds": _("cooperation funds (京蒙资金)"),
    "total_investment": _("total investment"),
}
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


class AmountInput(forms.DecimalField):
    """An amount in 万元 as people type it: spaces and thousands separators are allowed."""

    widget = forms.TextInput

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 19)
        kwargs.setdefault("decimal_places", 4)
        kwargs.setdefault("error_messages", {
            "invalid": _("Enter an amount in 万元, e.g. 1234.5."),
            "max_decimal_places": _("At most 4 decimals: amounts are kept exact to the yuan."),
            "min_value": _("An amount cannot be negative."),
        })
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "decimal", "autocomplete": "off"})
        attrs.pop("step", None)
        return attrs

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace(",", "").replace("，", "").replace(" ", "").strip()
        return super().to_python(value)


class ProjectFilterForm(forms.Form):
    """The list's GET form. Choices are this plan's only; a value of another plan is an error."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    category = forms.ModelChoiceField(label=_("Category"), required=False, queryset=Category.objects.none())
    unit = forms.ModelChoiceField(label=_("Implementing unit"), required=False,
                                  queryset=ImplementingUnit.objects.none())
    township = forms.ModelChoiceField(label=_("Township (苏木/镇)"), required=False, queryset=Place.objects.none())
    nature = forms.ChoiceField(label=_("Nature"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    amount = forms.ChoiceField(label=_("Amount"), required=False, choices=list(AMOUNT_FIELDS.items()))
    amount_min = AmountInput(label=_("from (万元)"), required=False)
    amount_max = AmountInput(label=_("to (万元)"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False)

    def __init__(self, data=None, *, plan: Plan):
        super().__init__(data)
        self.plan = plan
        everything = [("", _("all"))]
        self.fields["year"].choices = everything + [(year, year) for year in plan.years]
        self.fields["category"].queryset = Category.objects.filter(plan=plan).order_by("order", "id")
        self.fields["unit"].queryset = ImplementingUnit.objects.filter(plan=plan).order_by("name")
        self.fields["township"].queryset = Place.objects.filter(plan=plan, kind=Place.Kind.TOWNSHIP).order_by("name")
        for name in ("category", "unit", "township"):
            self.fields[name].empty_label = _("all")
        self.fields["nature"].choices = everything + list(Project.Nature.choices)
        self.fields["status"].choices = everything + list(Project.Status.choices)
        sorts = []
        for key, label in SORT_LABELS.items():
            sorts.append((key, label))
            if key != "category":
                sorts.append((f"-{key}", _("%(field)s, descending") % {"field": label}))
        self.fields["sort"].choices = sorts

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("amount_min"), cleaned.get("amount_max")
        if low is not None and high is not None and low > high:
            self.add_error("amount_max", _("The upper bound is below the lower bound."))
        return cleaned

    def applied(self) -> dict:
        """What the list applies: only the fields that were valid (an invalid one is shown, not applied)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {key: value for key, value in self.cleaned_data.items() if value not in (None, "")}


@dataclass
class ProjectList:
    projects: QuerySet  # annotated, filtered, sorted projects
    budgets: QuerySet  # the budgets behind the sums (the filtered projects' budgets, in the year if one is chosen)
    year: int | None
    sort: str


def _budgets(year: int | None) -> QuerySet:
    budgets = AnnualBudget.objects.all()
    return budgets.filter(plan_year__year=year) if year else budgets


def _per_project(aggregate, field: str, budgets: QuerySet, output_field=None):
    rows = budgets.filter(project=OuterRef("pk")).order_by().values("project").annotate(value=aggregate(field))
    return Subquery(rows.values("value"), output_field=output_field)


def project_list(*, plan: Plan, choices: dict) -> ProjectList:
    """The plan's projects as filtered and sorted by `choices` (ProjectFilterForm.applied())."""
    year = choices.get("year")
    budgets = _budgets(year).filter(plan_year__plan=plan)
    projects = Project.objects.for_plan(plan)
    if year:
        projects = projects.filter(pk__in=budgets.values("project_id"))
    for field in ("category", "unit", "township", "nature", "status"):
        if field in choices:
            projects = projects.filter(**{field: choices[field]})
    if choices.get("q"):
        text = choices["q"].strip()
        in_content = AnnualBudget.objects.filter(plan_year__plan=plan, scale_and_content__icontains=text)
        projects = projects.filter(
            Q(name__icontains=text) | Q(location_text__icontains=text) | Q(description__icontains=text)
            | Q(pk__in=in_content.values("project_id"))
        )
    money = WanYuanField()
    projects = projects.annotate(
        first_year=_per_project(Min, "plan_year__year", AnnualBudget.objects.all()),
        last_year=_per_project(Max, "plan_year__year", AnnualBudget.objects.all()),
        budget_count=Coalesce(_per_project(Count, "id", budgets, IntegerField()), Value(0)),
        **{
            f"{field}_sum": Coalesce(_per_project(Sum, field, budgets, money), Value(0, output_field=money),
                                     output_field=money)
            for field in SUM_FIELDS
        },
    )
    amount = choices.get("amount") or "beijing_funds"
    if "amount_min" in choices:
        projects = projects.filter(**{f"{amount}_sum__gte": choices["amount_min"]})
    if "amount_max" in choices:
        projects = projects.filter(**{f"{amount}_sum__lte": choices["amount_max"]})
    sort = choices.get("sort") or DEFAULT_SORT
    first, *ties = SORTS[sort.lstrip("-")]
    first = F(first).desc(nulls_last=True) if sort.startswith("-") else F(first).asc(nulls_last=True)
    projects = projects.select_related("category", "unit", "township").order_by(first, *ties)
    return ProjectList(
        projects=projects,
        budgets=budgets.filter(project__in=projects.order_by().values("pk")),
        year=year,
        sort=sort,
    )

