from decimal import Decimal

from figures.models import StatedFigure
from plans.models import PlanYear


def set_status(plan_year, status):
    """Put a year in a review state directly, to test the step from there."""
    PlanYear.objects.filter(pk=plan_year.pk).update(review_status=status)
    plan_year.refresh_from_db()
    return plan_year


def stated_figure(plan, origin, year, category, metric, value):
    figure = StatedFigure(plan=plan, origin=origin, year=year, category=category, metric=metric,
                          value=Decimal(value), source=f"测试 {origin} {year} {metric}").assign_slot()
    figure.save()
    return figure
