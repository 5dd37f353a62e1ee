"""/api/: plans and, under each plan's code, its records; a token for other systems; the schema and its docs."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from api.views.docs import LocalRedocView
from api.views.plans import PlanViewSet
from api.views.portfolio import BudgetViewSet, ProjectViewSet
from api.views.reporting import IndicatorViewSet, RollupViewSet, StatedFigureViewSet, VarianceViewSet
from api.views.token import TokenView

PLAN = r"plans/(?P<code>[-a-zA-Z0-9_]+)"

router = SimpleRouter()
router.register("plans", PlanViewSet, basename="api-plans")
router.register(f"{PLAN}/projects", ProjectViewSet, basename="api-projects")
router.register(f"{PLAN}/budgets", BudgetViewSet, basename="api-budgets")
router.register(f"{PLAN}/stated-figures", StatedFigureViewSet, basename="api-stated-figures")
router.register(f"{PLAN}/rollups", RollupViewSet, basename="api-rollups")
router.register(f"{PLAN}/variances", VarianceViewSet, basename="api-variances")
router.register(f"{PLAN}/indicators", IndicatorViewSet, basename="api-indicators")

urlpatterns = [
    path("token/", TokenView.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", LocalRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    *router.urls,
]
