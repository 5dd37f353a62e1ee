"""planportal.links.Route fills a once-reversed pattern: the same URL as reverse() for every value."""

import pytest
from django.urls import reverse

from planportal.links import Route


@pytest.mark.parametrize("code", ["keyouzhongqi-2021-2025", "a", "X_9-b"])
def test_a_route_gives_what_reverse_gives(code):
    assert Route("plan-dashboard", "slug").url(code) == reverse("plan-dashboard", args=[code])
    for year in (2021, 1, 900000000000000007):
        assert Route("plan-review", "slug", "int").url(code, year) == reverse("plan-review", args=[code, year])


def test_a_value_is_quoted_as_one_path_segment():
    # Codes are slugs; anything else still stays inside its own segment.
    assert Route("plan-dashboard", "slug").url("a/b?c") == "/plans/a%2Fb%3Fc/"
