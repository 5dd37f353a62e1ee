"""Every URL of the product. Each app's pages are included under the plan's code."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from portal import place_views, views

admin.site.site_header = _("PlanPortal administration")
admin.site.site_title = _("PlanPortal")
admin.site.index_title = _("Plans, projects and budgets")

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico on pages that name none (the admin's).
    path("favicon.ico", RedirectView.as_view(url=f"/{settings.STATIC_URL.lstrip('/')}img/favicon.svg", permanent=True)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("portfolio/", include("portfolio.urls")),
    # A plan's pages, each app under the plan's code.
    path("plans/<slug:code>/", views.dashboard, name="plan-dashboard"),
    path("plans/<slug:code>/", include("rollups.urls")),
    path("plans/<slug:code>/", include("reviews.urls")),
    path("plans/<slug:code>/projects/", include("portal.project_urls")),
    path("plans/<slug:code>/places/", place_views.place_review, name="plan-places"),
    path("plans/<slug:code>/indicators/", include("indicators.urls")),
    path("plans/<slug:code>/evaluation/", include("evaluation.urls")),
]
