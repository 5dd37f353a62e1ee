"""The portfolio and the home page in Chromium at a laptop's and a phone's width: they fit, and screenshots.

A liaison of two plans (the bundled 2021–2025 plan and a 2026–2030 plan of another partner district)
sees both, grouped, with each year's review in the grid; a plan of which they are not a member is absent.
"""

import pytest

from plans.access import SYSTEM
from plans.services import membership_set
from tests.browser.conftest import PASSWORD, screenshot
from tests.factories import PlanFactory, UserFactory


@pytest.mark.parametrize("width", [1366, 390])
def test_the_portfolio_fits_and_is_screenshot(bundled_live, login, live_server, width):
    user = UserFactory(password=PASSWORD)
    later = PlanFactory(name="阿尔山市2026—2030年京蒙协作规划", county="阿尔山市", partner="朝阳区",
                        first_year=2026, last_year=2030)
    hidden = PlanFactory(name="不可见的规划", county="别的旗")
    for plan in (bundled_live, later):
        membership_set(plan=plan, member=user, role="liaison", user=SYSTEM)
    page = login(user, width=width)
    page.goto(f"{live_server.url}/portfolio/")
    body = page.locator("main").inner_text()
    assert bundled_live.name in body and later.name in body and hidden.name not in body
    assert "56,832.60" in body  # the bundled plan's cooperation funds, from its rollups
    assert page.locator(f"tr.plan-row:has-text('{bundled_live.name}') .yr").count() == 5
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert screenshot(page, f"portfolio-{width}").exists()
    page.goto(f"{live_server.url}/")
    assert page.locator("tr.plan-row").count() == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert screenshot(page, f"home-{width}").exists()
