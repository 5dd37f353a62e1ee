"""Included under plans/<slug:code>/indicators/ (planportal/urls.py), so every view receives `code`."""

from django.urls import path

from indicators import views

urlpatterns = [
    path("", views.indicator_overview, name="plan-indicators"),
    path("<int:pk>/", views.indicator_detail, name="plan-indicator"),
    path("<int:pk>/values/<int:value_pk>/evidence/", views.indicator_evidence, name="plan-indicator-evidence"),
]
