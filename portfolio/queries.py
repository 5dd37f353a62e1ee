"""The partner district's view: every plan a user may see, with its totals, its years' review and its open questions.

Read from the rollups (rollups.services keeps them), never from the budgets: a page of plans costs the
same handful of queries with one plan visible or a thousand (the plans of the page, their totals, their
years, their open disagreements, their indicators and values, and the summary per partner district),
each one set-based over the page's plans or grouped in the database.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from indicators.overview import Attainment, attainment_by_plan
from planportal.links import Route
from plans.models import Plan, PlanYear
from rollups.models import RecomputeState, Rollup

PAGE_SIZE = 25
ZERO = Decimal(0)
PERIODS = (Plan.Period.RUNNING, Plan.Period.ENDED, Plan.Period.NOT_STARTED)
# A year's review status in a word or two, for the grid a liaison reads at a glance (the full label is its title).
SHORT_STATUS = {
    PlanYear.Review.OPEN: _("open"),
    PlanYear.Review.SUBMITTED: _("to review"),
    PlanYear.Review.RETURNED: _("returned"),
    PlanYear.Review.APPROVED: _("approved"),
}


@dataclass(frozen=True)
class PortfolioFilter:
    """What the user narrowed the view to; empty strings mean "all". Unknown values are ignored by the form."""

    partner: str = ""
    county: str = ""
    period: str = ""

    def apply(self, plans: QuerySet, today: date) -> QuerySet:
        if self.partner:
            plans = plans.filter(partner=self.partner)
        if self.county:
            plans = plans.filter(county=self.county)
        year = today.year
        if self.period == Plan.Period.RUNNING:
            plans = plans.filter(first_year__lte=year, last_year__gte=year)
        elif self.period == Plan.Period.ENDED:
            plans = plans.filter(last_year__lt=year)
        elif self.period == Plan.Period.NOT_STARTED:
            plans = plans.filter(first_year__gt=year)
        return plans


@dataclass
class Money:
    """Planned and disbursed amounts (万元), exact Decimals as the rollups hold them."""

    total_investment: Decimal = ZERO
    beijing_funds: Decimal = ZERO
    local_funds: Decimal = ZERO
    actual_beijing_funds: Decimal = ZERO
    actual_local_funds: Decimal = ZERO
    projects: int = 0

    @property
    def planned_funds(self) -> Decimal:
        return self.beijing_funds + self.local_funds

    @property
    def disbursed_funds(self) -> Decimal:
        return self.actual_beijing_funds + self.actual_local_funds

    @property
    def disbursed_percent(self) -> Decimal | None:
        """Disbursed of planned funds, to one decimal; None when nothing is planned."""
        planned = self.planned_funds
        if not planned:
            return None
        return (self.disbursed_funds * 100 / planned).quantize(Decimal("0.1"))

    @classmethod
    def of(cls, row) -> "Money":
        return cls(**{name: row[name] or (0 if name == "projects" else ZERO) for name in MONEY_FIELDS})


MONEY_FIELDS = ("total_investment", "beijing_funds", "local_funds", "actual_beijing_funds", "actual_local_funds",
                "projects")


@dataclass
class YearCell:
    year: int
    status: str  # PlanYear.Review
    money: Money | None  # None: no totals computed for the year (yet)
    review_url: str = ""

    @property
    def status_label(self) -> str:
        return PlanYear.Review(self.status).label

    @property
    def short_label(self) -> str:
        return SHORT_STATUS[self.status]


@dataclass
class PlanRow:
    plan: Plan
    period: str
    money: Money | None
    years: list[YearCell]
    disagreements_open: int
    indicators: Attainment
    totals_pending: bool  # a change waits for its recompute: the figures are a moment old
    links: dict = field(default_factory=dict)  # "dashboard", "variances" (its disagreements), "indicators"

    @property
    def years_approved(self) -> int:
        return sum(cell.status == PlanYear.Review.APPROVED for cell in self.years)

    @property
    def period_label(self) -> str:
        return Plan.Period(self.period).label


@dataclass
class PartnerSummary:
    """One partner district's plans among those shown (all pages, after the filter)."""

    partner: str
    plans: int = 0
    money: Money = field(default_factory=Money)
    years: int = 0
    years_approved: int = 0
    disagreements_open: int = 0


def visible_plans(user, filters: PortfolioFilter, today: date) -> QuerySet:
    return filters.apply(Plan.objects.visible_to(user), today).order_by("partner", "county", "first_year", "code")


def plan_rows(plans: list[Plan], today: date) -> list[PlanRow]:
    """Each plan with its totals, years, open disagreements (counted by the recompute) and indicators: four
    queries for any number of plans, and each link pattern reversed once (planportal.links)."""
    ids = [plan.pk for plan in plans]
    totals: dict[int, Money] = {}
    by_year: dict[tuple[int, int], Money] = {}
    rollups = Rollup.objects.filter(plan_id__in=ids, kind=Rollup.Kind.TOTAL).order_by()
    for row in rollups.values("plan_id", "year", *MONEY_FIELDS):
        if row["year"] is None:
            totals[row["plan_id"]] = Money.of(row)
        else:
            by_year[row["plan_id"], row["year"]] = Money.of(row)
    codes = {plan.pk: plan.code for plan in plans}
    routes = {name: Route(name, "slug") for name in ("plan-dashboard", "plan-variances", "plan-indicators")}
    review = Route("plan-review", "slug", "int")
    years: dict[int, list[YearCell]] = defaultdict(list)
    for plan_id, year, status in (PlanYear.objects.filter(plan_id__in=ids).order_by("plan_id", "year")
                                  .values_list("plan_id", "year", "review_status")):
        years[plan_id].append(YearCell(year, status, by_year.get((plan_id, year)), review.url(codes[plan_id], year)))
    attainment = attainment_by_plan(ids, today)
    rows = []
    for plan in plans:
        state = getattr(plan, "recompute_state", None)
        rows.append(PlanRow(
            plan=plan, period=plan.period(today), money=totals.get(plan.pk), years=years[plan.pk],
            disagreements_open=state.disagreements_open if state else 0,
            indicators=attainment.get(plan.pk, Attainment()),
            totals_pending=bool(state and state.pending),
            links={name.removeprefix("plan-"): route.url(plan.code) for name, route in routes.items()},
        ))
    return rows


def partner_summaries(plans: QuerySet) -> list[PartnerSummary]:
    """Per partner district over every plan of `plans` (not only one page): three grouped queries."""
    chosen = plans.order_by().values("pk")
    summaries: dict[str, PartnerSummary] = {}

    def summary(partner) -> PartnerSummary:
        return summaries.setdefault(partner, PartnerSummary(partner))

    money = (Rollup.objects.filter(plan__in=chosen, kind=Rollup.Kind.TOTAL, year__isnull=True).order_by()
             .values("plan__partner").annotate(plans=Count("plan_id"), **{f: Sum(f) for f in MONEY_FIELDS}))
    for row in money:
        found = summary(row["plan__partner"])
        found.money = Money.of(row)
    years = (PlanYear.objects.filter(plan__in=chosen).order_by().values("plan__partner")
             .annotate(plans=Count("plan_id", distinct=True), years=Count("id"),
                       approved=Count("id", filter=Q(review_status=PlanYear.Review.APPROVED))))
    for row in years:
        found = summary(row["plan__partner"])
        found.plans, found.years, found.years_approved = row["plans"], row["years"], row["approved"]
    disagreements = (RecomputeState.objects.filter(plan__in=chosen).order_by()
                     .values("plan__partner").annotate(n=Sum("disagreements_open")))
    for row in disagreements:
        summary(row["plan__partner"]).disagreements_open = row["n"]
    return sorted(summaries.values(), key=lambda s: s.partner)


def filter_choices(user) -> tuple[list[str], list[str]]:
    """The partner districts and counties among the user's plans, for the filter form (one query)."""
    pairs = (Plan.objects.visible_to(user).order_by("partner", "county")
             .values_list("partner", "county").distinct())
    partners, counties = set(), set()
    for partner, county in pairs:
        partners.add(partner)
        counties.add(county)
    return sorted(partners), sorted(counties)


@dataclass
class PortfolioPage:
    filters: PortfolioFilter
    page: object  # django.core.paginator.Page of plans
    rows: list[PlanRow]
    partners: list[PartnerSummary]


def portfolio_page(user, filters: PortfolioFilter, page_number, *, today: date | None = None,
                   summaries: bool = True) -> PortfolioPage:
    """One page of the user's plans (PAGE_SIZE), grouped by partner district and county, with the summaries."""
    today = today or timezone.localdate()
    plans = visible_plans(user, filters, today)
    page = Paginator(plans.select_related("recompute_state"), PAGE_SIZE).get_page(page_number)
    return PortfolioPage(filters, page, plan_rows(list(page.object_list), today),
                         partner_summaries(plans) if summaries else [])
