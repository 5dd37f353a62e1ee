"""The evaluation page in Chromium at a laptop's and a phone's width: it fits, and screenshots to look at.

Runs with the other browser tests, in their one Playwright session (Debian's Chromium); the screenshots
go to artifacts/screenshots/.
"""

import pytest

from plans.access import SYSTEM
from plans.services import membership_set
from tests.browser.conftest import PASSWORD, screenshot
from tests.factories import UserFactory


@pytest.mark.parametrize("width", [1366, 390])
def test_the_page_fits_and_is_screenshot(bundled_live, login, live_server, width):
    user = UserFactory(password=PASSWORD)
    membership_set(plan=bundled_live, member=user, role="liaison", user=SYSTEM)
    page = login(user, width=width)
    page.goto(f"{live_server.url}/plans/{bundled_live.code}/evaluation/")
    assert page.locator("h2#overall").inner_text() == "一、总体完成情况"
    assert "56,832.60" in page.locator(".cards").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # wide tables scroll in their box
    page.locator("details").first.evaluate("d => d.open = true")
    assert screenshot(page, f"evaluation-{width}").exists()
