from django.urls import path

from rollups import views

urlpatterns = [
    path("totals/", views.matrix, name="plan-rollups"),
    path("disagreements/", views.variances, name="plan-variances"),
]
