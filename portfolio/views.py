"""/portfolio/: the plans a user may see across partner districts and counties, and its xlsx export."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from planportal.downloads import XLSX, attachment
from portfolio.export import portfolio_xlsx
from portfolio.forms import PortfolioFilterForm
from portfolio.queries import filter_choices, portfolio_page, visible_plans


@login_required
@require_GET
def portfolio(request):
    """Who sees what is Plan.objects.visible_to: a member sees their plans only, a superuser every plan."""
    partners, counties = filter_choices(request.user)
    form = PortfolioFilterForm(request.GET, partners=partners, counties=counties)
    filters = form.filters()
    if request.GET.get("format") == "xlsx":
        today = timezone.localdate()
        response = attachment(XLSX, f"portfolio-{today.isoformat()}.xlsx")
        portfolio_xlsx(plans=visible_plans(request.user, filters, today), out=response, today=today)
        return response
    data = portfolio_page(request.user, filters, request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "portfolio/portfolio.html", {
        "form": form, "data": data, "query": query.urlencode(), "filtered": any(vars(filters).values()),
    })
