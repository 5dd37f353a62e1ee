"""Forms of the project pages: a project, a year's budget, a comment.

Choices are limited to the plan (a category, unit or year of another plan is a
field error); amounts are ≥ 0 with at most 4 decimals (exact to the yuan). Edit
forms carry the record's `version` (planportal.forms.VersionedForm), so the save can refuse to
overwrite a newer save.
"""

import difflib

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from funding.checks import budget_checks
from funding.models import AnnualBudget
from planportal.forms import VersionedForm
from plans.models import Category, Plan, PlanYear
from funding.filters import AmountInput
from projects.models import Comment, ImplementingUnit, Project
from projects.services import unit_by_spelling

PROJECT_FIELDS = ("name", "category", "nature", "unit", "location_text", "description", "status")
PLANNED_FIELDS = ("total_investment", "beijing_funds", "local_funds")
ACTUAL_FIELDS = ("actual_beijing_funds", "actual_local_funds")
BUDGET_TEXT_FIELDS = ("serial_no", "nature", "scale_and_content", "beijing_funds_use")


def _label(model, name):
    return capfirst(model._meta.get_field(name).verbose_name)


def attach_errors(form: forms.Form, error: ValidationError) -> None:
    """A service's ValidationError on the form: on its field when the form has it, else at the top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


# Django's forms end every label with _(":"); its Chinese catalog leaves the colon ASCII ("搜索:"). Listed here so
# this project's catalog, which Django reads first, gives the full-width "：" of Chinese text.
LABEL_SUFFIX = gettext_noop(":")


class ProjectForm(VersionedForm):
    name = forms.CharField(label=_label(Project, "name"), max_length=300)
    category = forms.ModelChoiceField(label=_label(Project, "category"), queryset=Category.objects.none())
    nature = forms.ChoiceField(label=_label(Project, "nature"), choices=Project.Nature.choices)
    unit = forms.ModelChoiceField(label=_label(Project, "unit"), queryset=ImplementingUnit.objects.none(),
                                  required=False)
    unit_spelling = forms.CharField(
        label=_("or a unit not in the list"), required=False, max_length=200,
        help_text=_("Another spelling of a known unit is recognised (旗农科局 = 科右中旗农科局); "
                    "a new name adds the unit."),
    )
    location_text = forms.CharField(
        label=_label(Project, "location_text"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("As written in the annex; the 苏木/镇 and 嘎查 are recognised from it."),
    )
    description = forms.CharField(label=_label(Project, "description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    status = forms.ChoiceField(label=_label(Project, "status"), choices=Project.Status.choices)
    # Shown (as a checkbox) only when the typed unit is none the plan knows: as the importer warns (new_unit).
    confirm_new_unit = forms.BooleanField(label=_("Add it as a new unit"), required=False, widget=forms.HiddenInput)

    def __init__(self, data=None, *, plan: Plan, creating: bool = False, initial=None, locked: bool = False):
        super().__init__(data, initial=initial)
        self.init_kwargs = {"plan": plan, "creating": creating, "initial": initial, "locked": locked}
        self.plan = plan
        self.fields["category"].queryset = Category.objects.filter(plan=plan).order_by("order", "id")
        self.fields["unit"].queryset = ImplementingUnit.objects.filter(plan=plan).order_by("name")
        if creating:
            del self.fields["version"]
        if locked:  # a budget in an approved year: what its annex row shows stays as signed off
            for name in ("name", "category", "nature", "unit", "unit_spelling", "location_text"):
                self.fields[name].disabled = True

    @classmethod
    def initial_for(cls, project: Project) -> dict:
        return {**{name: getattr(project, name) for name in PROJECT_FIELDS}, "version": project.version}

    def clean(self):
        cleaned = super().clean()
        spelling = cleaned.get("unit_spelling")
        if cleaned.get("unit") and spelling:
            self.add_error("unit_spelling", _("Choose a unit from the list or type one, not both."))
        elif spelling and not cleaned.get("confirm_new_unit") and unit_by_spelling(self.plan, spelling) is None:
            self.fields["confirm_new_unit"].widget = forms.CheckboxInput()
            self.add_error("unit_spelling", self._new_unit_question(spelling))
        return cleaned

    def _new_unit_question(self, spelling: str) -> ValidationError:
        names = [unit.name for unit in self.fields["unit"].queryset]
        close = difflib.get_close_matches(" ".join(spelling.split()), names, n=3, cutoff=0.5)
        if close:
            return ValidationError(
                _("“%(spelling)s” is not a unit of this plan yet. Is it another spelling of %(close)s? Then choose "
                  "that unit from the list; if it is a new unit, tick “Add it as a new unit” and save again."),
                code="new_unit", params={"spelling": spelling, "close": "、".join(f"“{n}”" for n in close)})
        return ValidationError(
            _("“%(spelling)s” is not a unit of this plan yet: if it is a new unit, tick “Add it as a new unit” and "
              "save again."), code="new_unit", params={"spelling": spelling})

    def changes(self) -> dict:
        changes = super().changes()
        changes.pop("unit_spelling", None)
        changes.pop("confirm_new_unit", None)
        return changes


class BudgetForm(VersionedForm):
    form_field_of = {"plan_year": "year"}

    year = forms.IntegerField(label=_("Year"), widget=forms.Select)
    serial_no = forms.CharField(label=_label(AnnualBudget, "serial_no"), required=False, max_length=20)
    nature = forms.ChoiceField(label=_label(AnnualBudget, "nature"), required=False,
                               choices=[("", "—"), *Project.Nature.choices])
    total_investment = AmountInput(label=_label(AnnualBudget, "total_investment"), min_value=0)
    beijing_funds = AmountInput(label=_label(AnnualBudget, "beijing_funds"), min_value=0)
    local_funds = AmountInput(label=_label(AnnualBudget, "local_funds"), min_value=0)
    actual_beijing_funds = AmountInput(
        label=_label(AnnualBudget, "actual_beijing_funds"), min_value=0, required=False,
        help_text=_("Leave empty while nothing has been reported."),
    )
    actual_local_funds = AmountInput(label=_label(AnnualBudget, "actual_local_funds"), min_value=0,
                                     required=False)
    scale_and_content = forms.CharField(label=_label(AnnualBudget, "scale_and_content"), required=False,
                                        widget=forms.Textarea(attrs={"rows": 4}))
    beijing_funds_use = forms.CharField(label=_label(AnnualBudget, "beijing_funds_use"), required=False,
                                        widget=forms.Textarea(attrs={"rows": 2}))
    # Shown (as a checkbox) only when the figures disagree (funding.checks): one click says they are right.
    confirm_figures = forms.BooleanField(label=_("These figures are right: save them as they are"),
                                         required=False, widget=forms.HiddenInput)

    def __init__(self, data=None, *, project: Project, budget: AnnualBudget | None = None, initial=None):
        super().__init__(data, initial=initial)
        self.init_kwargs = {"project": project, "budget": budget}
        self.project, self.budget = project, budget
        # An approved year is not offered: the lock is said on the project page, where the year would be added.
        if budget is None:
            taken = AnnualBudget.objects.filter(project=project).values_list("plan_year__year", flat=True)
            years = self.years_to_add(project, taken)
        else:
            years = [y for y in project.plan.years if y not in locked_years(project.plan) or y == budget.year]
        self.fields["year"].widget.choices = [(year, year) for year in years]
        if budget is None:
            del self.fields["version"]

    @classmethod
    def initial_for(cls, budget: AnnualBudget) -> dict:
        names = (*BUDGET_TEXT_FIELDS, *PLANNED_FIELDS, *ACTUAL_FIELDS)
        return {**{name: getattr(budget, name) for name in names}, "year": budget.year, "version": budget.version}

    @staticmethod
    def years_to_add(project: Project, taken) -> list[int]:
        """The years a new budget of this project may go in: the plan's, neither approved nor taken."""
        closed = locked_years(project.plan) | set(taken)
        return [year for year in project.plan.years if year not in closed]

    def clean_year(self):
        year = self.cleaned_data["year"]
        plan = self.project.plan
        if year not in plan.years:
            raise ValidationError(_("%(year)s is not a year of this plan (%(first)s–%(last)s)."),
                                  code="year_outside_plan",
                                  params={"year": year, "first": plan.first_year, "last": plan.last_year})
        taken = AnnualBudget.objects.filter(project=self.project, plan_year__year=year)
        if self.budget is not None:
            taken = taken.exclude(pk=self.budget.pk)
        if taken.exists():
            raise ValidationError(_("This project already has a budget for %(year)s."), code="year_taken",
                                  params={"year": year})
        return year

    def clean(self):
        """The importer's warnings (funding.checks) as a question: a disagreement this save brings is shown on its
        field, and the save waits until the user confirms it. One the stored budget already had is not asked again."""
        cleaned = super().clean()
        if any(name in self.errors for name in (*PLANNED_FIELDS, *ACTUAL_FIELDS)):
            return cleaned
        checks = budget_checks(**_check_figures(cleaned))
        if self.budget is not None:
            known = {(c.code, c.field) for c in budget_checks(**_check_figures(vars(self.budget)))}
            checks = [c for c in checks if (c.code, c.field) not in known]
        if checks and not cleaned.get("confirm_figures"):
            self.fields["confirm_figures"].widget = forms.CheckboxInput()
            for check in checks:
                self.add_error(check.field, check.text())
            self.add_error(None, ValidationError(
                _("Please check the figures marked below. If they are right, tick “These figures are right” and "
                  "save again."), code="unconfirmed_figures"))
        return cleaned

    def changes(self) -> dict:
        changes = super().changes()
        changes.pop("confirm_figures", None)
        return changes


def locked_years(plan) -> set[int]:
    """The plan's approved years (one query, kept on the plan object for the rest of the request)."""
    if not hasattr(plan, "_locked_years"):
        plan._locked_years = set(PlanYear.objects.filter(plan=plan, review_status=PlanYear.Review.APPROVED)
                                 .values_list("year", flat=True))
    return plan._locked_years


def _check_figures(values: dict) -> dict:
    return {"total": values.get("total_investment"), "beijing": values.get("beijing_funds"),
            "local": values.get("local_funds"), "actual_beijing": values.get("actual_beijing_funds"),
            "actual_local": values.get("actual_local_funds")}


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"), max_length=Comment.BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": Comment.BODY_MAX_LENGTH}),
    )

