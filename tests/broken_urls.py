"""A URLconf with one view that fails, for tests/test_error_pages.py (the 500 page)."""

from django.urls import include, path


def broken(request):
    raise RuntimeError("boom")


urlpatterns = [path("broken/", broken), path("", include("portal.urls"))]
