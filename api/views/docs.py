"""The API's documentation pages, with every asset served by the app itself (drf-spectacular-sidecar)."""

from drf_spectacular.views import SpectacularRedocView


class LocalRedocView(SpectacularRedocView):
    """Redoc from the sidecar package, without the web fonts the stock page fetches from Google."""

    template_name = "api/redoc.html"
