"""Included under plans/<slug:code>/evaluation/ (portal/urls.py), so every view receives `code`."""

from django.urls import path

from evaluation import views

urlpatterns = [
    path("", views.evaluation, name="plan-evaluation"),
]
