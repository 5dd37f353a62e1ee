from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from planportal import views

admin.site.site_header = _("PlanPortal administration")
admin.site.site_title = _("PlanPortal")
admin.site.index_title = _("Plans, projects and budgets")

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("plans/<slug:code>/indicators/", include("indicators.urls")),
    path("plans/<slug:code>/", include("rollups.urls")),
]
