"""Browser tests: Debian's Chromium driven by Playwright (no browser download), against a live server.

They run when /usr/bin/chromium (or PLANPORTAL_CHROMIUM) exists; with
PLANPORTAL_REQUIRE_BROWSER_TESTS=1 (set by .ci/run) a missing browser fails
instead of skipping. Screenshots of the pages go to artifacts/screenshots/.
"""

import os
import shutil
from pathlib import Path

import pytest
from plans.access import SYSTEM

CHROMIUM = os.environ.get("PLANPORTAL_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
PASSWORD = "browser-test-pw-1"


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("PLANPORTAL_REQUIRE_BROWSER_TESTS") == "1":
        raise pytest.UsageError(f"PLANPORTAL_REQUIRE_BROWSER_TESTS=1 but there is no Chromium at {CHROMIUM}")
    skip = pytest.mark.skip(reason="no Chromium on this machine (apt-get install chromium)")
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop; Django then needs to be told that the
    # test's own (synchronous) database calls are fine — for these tests only.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"],
        )
        yield browser
        browser.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def bundled_live(transactional_db, settings):
    """The bundled plan, with recomputes run inside each request (the embedded default)."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.PLANPORTAL_TASKS_IN_THREAD = False
    from portal.bundled import bundled_plan_ensure

    plan, _created = bundled_plan_ensure()
    return plan


@pytest.fixture
def login(browser, live_server):
    """login(user, width=1280) → a Playwright page signed in as that user, in Chinese."""
    pages = []

    def open_as(user, width=1280):
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN",
                                      extra_http_headers={"Accept-Language": "zh-CN"})
        page = context.new_page()
        page.set_default_timeout(15000)
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        pages.append(context)
        return page

    yield open_as
    for context in pages:
        context.close()


@pytest.fixture
def member(bundled_live):
    from plans.services import membership_set
    from tests.factories import UserFactory

    def make(role, **extra):
        user = UserFactory(password=PASSWORD, **extra)
        membership_set(plan=bundled_live, member=user, role=role, user=SYSTEM)
        return user

    return make


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
