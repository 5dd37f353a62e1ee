"""The project pages of a plan, under /plans/<code>/projects/."""

from django.urls import path

from portal import project_edit_views as edit_views
from portal import project_views as views

urlpatterns = [
    path("", views.project_list_view, name="plan-projects"),
    path("new/", edit_views.project_create_view, name="plan-project-create"),
    path("<int:pk>/", views.project_detail, name="plan-project"),
    path("<int:pk>/edit/", edit_views.project_edit_view, name="plan-project-edit"),
    path("<int:pk>/comments/", views.project_comment, name="plan-project-comment"),
    path("<int:pk>/budgets/new/", edit_views.budget_create_view, name="plan-budget-create"),
    path("<int:pk>/budgets/<int:budget_pk>/edit/", edit_views.budget_edit_view, name="plan-budget-edit"),
    path("<int:pk>/budgets/<int:budget_pk>/delete/", edit_views.budget_delete_view, name="plan-budget-delete"),
]
