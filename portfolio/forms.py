"""The portfolio's filter: partner district, county and period, each chosen from what the user's plans have."""

from django import forms
from django.utils.translation import gettext_lazy as _

from plans.models import Plan
from portfolio.queries import PERIODS, PortfolioFilter


class PortfolioFilterForm(forms.Form):
    partner = forms.ChoiceField(label=_("Partner district"), required=False)
    county = forms.ChoiceField(label=_("County (banner)"), required=False)
    period = forms.ChoiceField(label=_("Period"), required=False)

    def __init__(self, data, *, partners: list[str], counties: list[str]):
        super().__init__(data)
        everything = [("", _("all"))]
        self.fields["partner"].choices = everything + [(p, p) for p in partners]
        self.fields["county"].choices = everything + [(c, c) for c in counties]
        self.fields["period"].choices = everything + [(p, Plan.Period(p).label) for p in PERIODS]

    def filters(self) -> PortfolioFilter:
        """The valid part of the query: a value not among the choices (a stale link, a typed URL) is left out,
        and the form says so next to its field."""
        self.is_valid()
        cleaned = {name: value for name, value in getattr(self, "cleaned_data", {}).items() if value}
        return PortfolioFilter(**cleaned)
