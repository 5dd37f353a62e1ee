from django.urls import path

from reviews import views

urlpatterns = [
    path("reviews/", views.year_list, name="plan-reviews"),
    path("reviews/close/", views.plan_close_view, name="plan-close"),
    path("reviews/<int:year>/", views.year_detail, name="plan-review"),
    path("reviews/<int:year>/sheet/", views.year_sheet, name="plan-review-sheet"),
    # GET: the confirmation page of the step; POST: the step itself.
    path("reviews/<int:year>/<slug:action>/", views.year_action, name="plan-review-action"),
]
