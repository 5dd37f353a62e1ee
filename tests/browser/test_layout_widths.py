"""Every page a signed-in user visits fits a phone (390 px) and a laptop (1366 px), in Chinese and in English.

The pages are all the site's URL patterns outside the API and the admin (tests.fuzzing.site_routes, their
path parameters filled from the bundled plan's records), plus the login page, a 404 page, an empty plan's
overview and the admin's import upload page. On each, the page itself must not scroll sideways (a wide table
scrolls inside its own box) and its charts' text shows at 11 px or more; a full-page screenshot of each goes to
artifacts/screenshots/<page>-<width>-<lang>.png. On a phone the project list's filters leave its first result
on the first screen; on a laptop the totals matrix shows all its columns.

One browser context per width and language, reused across the pages, keeps it fast.
"""

from collections import Counter

import pytest
from django.urls import reverse

from api.urls import urlpatterns as api_urlpatterns
from funding.models import AnnualBudget
from indicators.models import Indicator
from indicators.services import indicator_value_set
from plans.access import SYSTEM
from plans.services import membership_set, plan_create
from projects.comments import comment_create
from tests.browser.conftest import PASSWORD, screenshot
from tests.fuzzing import site_routes

WIDTHS = {390: 844, 1366: 900}
LANGUAGES = {"zh": ("zh-CN", "zh-CN,zh;q=0.9", "zh-hans"), "en": ("en-US", "en-US,en;q=0.9", "en")}

# URL patterns that are not pages a user reads: the API (its docs are drf-spectacular's), files and
# endpoints without a page of their own.
NOT_PAGES = {
    "healthz": "a probe for the load balancer, plain text",
    "set_language": "POST only: the language menu's target",
    "logout": "POST only",
    "plan-indicator-evidence": "a file download",
}

# Elements that stick out on the right of the window, outside any box that scrolls sideways: what a
# failure names, so that it says where to look.
OFFENDERS_JS = """() => {
  const width = window.innerWidth, found = [];
  const clipped = el => {  // by a box that scrolls or clips, and that holds it (an absolute part may escape it)
    const position = getComputedStyle(el).position;
    if (position === 'fixed') return false;
    let escaping = position === 'absolute';
    for (let p = el.parentElement; p; p = p.parentElement) {
      const style = getComputedStyle(p);
      if (escaping && style.position !== 'static') escaping = false;  // its containing block
      if (!escaping && style.overflowX !== 'visible') return true;
    }
    return false;
  };
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.right > width + 0.5 && r.width > 0 && !clipped(el)) {
      const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
        (typeof el.className === 'string' && el.className.trim()
          ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
      found.push(name + ' (right ' + Math.round(r.right) + ')');
    }
  }
  return found.slice(0, 6);
}"""


@pytest.fixture
def world(bundled_live, member):
    """A user who may do everything; the bundled plan's project with the most years and text, with a comment
    holding a long address; an indicator with values; and an empty plan beside."""
    plan = bundled_live
    user = member("admin", is_superuser=True, is_staff=True)
    budgets = list(AnnualBudget.objects.filter(project__plan=plan).select_related("project", "plan_year"))
    years = Counter(b.project_id for b in budgets)
    budget = max(budgets, key=lambda b: (not b.plan_year.locked, years[b.project_id], len(b.scale_and_content or ""),
                                         len(b.project.description or ""), -b.pk))
    indicator = Indicator.objects.filter(plan=plan).order_by("seq", "pk").first()
    for year, value in ((2021, "12.5"), (2022, "10.25")):  # the bundled plan has none: a chart with bars
        indicator_value_set(indicator=indicator, year=year, value=value, note="统计公报", user=SYSTEM)
    comment_create(project=budget.project, user=user,
                   body="核对依据见 https://www.example.org/keyouzhongqi/2021-2025/annex/%E9%99%84%E8%A1%A8"
                        "-revised-final-version-with-all-the-corrections.xlsx")
    empty_plan = plan_create(user=SYSTEM, code="empty-plan", name="空规划", county="科右中旗", partner="北京市",
                             first_year=2021, last_year=2025)
    membership_set(plan=empty_plan, member=user, role="admin", user=SYSTEM)
    return {"plan": plan, "user": user, "project": budget.project, "budget": budget, "indicator": indicator,
            "value": indicator.values.first(), "empty_plan": empty_plan}


def _pages(world):
    api_names = {pattern.name for pattern in api_urlpatterns}  # the API and its docs: not the site's pages
    pages = [(pattern.name, url) for _route, pattern, url in site_routes(world, skip_names=set(NOT_PAGES) | api_names)
             if pattern.name]  # favicon.ico, the one unnamed pattern, is a redirect to an image
    pages += [
        ("plan-dashboard-empty", reverse("plan-dashboard", kwargs={"code": world["empty_plan"].code})),
        ("error-404", f"/plans/{world['plan'].code}/projects/999999999/"),
        ("admin-import-upload", "/admin/importers/importbatch/upload/"),
    ]
    return pages


def _too_wide(page, name, width) -> list[str]:
    scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if scroll_width <= inner_width:
        return []
    return [f"{name} at {width} px: the page is {scroll_width} px wide; sticking out: {page.evaluate(OFFENDERS_JS)}"]


# The smallest text of the page's charts as it shows on the screen: an SVG's text scales with the SVG.
CHART_TEXT_JS = """() => {
  const sizes = [...document.querySelectorAll('svg text')].map(t => {
    const m = t.getScreenCTM();
    return m && t.getBBox().width ? parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b) : Infinity;
  });
  for (const el of document.querySelectorAll('.bar-chart th, .bar-chart td, .bar-chart li, .bar-chart p'))
    sizes.push(parseFloat(getComputedStyle(el).fontSize));
  return Math.min(...sizes, Infinity);
}"""
SMALLEST_TEXT = 11  # px
NO_FUNDS = {"zh": "尚无项目资金", "en": "No project funds yet"}  # an empty plan's charts, instead of empty frames


def _checks_of(page, name, lang, width, height) -> list[str]:
    """What a page must do besides fitting: its charts' text is legible, and an empty plan's say so; the project
    list's results come first on a phone; every column of the totals matrix shows on a laptop."""
    problems = []
    smallest = page.evaluate(CHART_TEXT_JS)
    if smallest < SMALLEST_TEXT:
        problems.append(f"{name} ({lang}) at {width} px: chart text shows at {smallest:.1f} px, under "
                        f"{SMALLEST_TEXT} px")
    if name == "plan-dashboard-empty":
        said = page.locator(".charts").inner_text()
        if NO_FUNDS[lang] not in said:
            problems.append(f"{name} ({lang}) at {width} px: its charts do not say {NO_FUNDS[lang]!r}: {said!r}")
    if name == "plan-projects" and width < 600:
        top = page.evaluate("document.querySelector('table.projects tbody tr').getBoundingClientRect().top")
        if top >= height:
            problems.append(f"{name} ({lang}) at {width} px: the first result is at {top:.0f} px, below the first "
                            f"screen ({height} px): fold the filters")
    if name == "plan-rollups" and width >= 1280:
        box, table = page.evaluate("(() => { const box = document.querySelector('table.matrix').parentElement;"
                                   " return [box.clientWidth, box.scrollWidth]; })()")
        if table > box:
            problems.append(f"{name} ({lang}) at {width} px: the matrix is {table} px wide in a {box} px box: its last "
                            f"column is cut")
    return problems


def _signed_in_context(browser, live_server, user, width, height, locale, accept, code):
    """A context at this width and language, signed in through the login page (measured on the way)."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale=locale,
                                  extra_http_headers={"Accept-Language": accept})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.get_attribute("html", "lang") == code, f"the login page is not in {code}"
    problems = _too_wide(page, f"login (signed out, {code})", width)
    screenshot(page, f"login-{width}-{code[:2]}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return context, page, problems


def test_every_page_fits_its_width(browser, live_server, world):
    user = world["user"]
    pages = [(name, url) for name, url in _pages(world) if name != "login"]  # signed out, below
    names = {name for name, _url in pages}
    assert {"home", "plan-dashboard", "plan-projects", "plan-project", "plan-project-create", "plan-project-edit",
            "plan-budget-edit", "plan-budget-create", "plan-rollups", "plan-variances", "plan-indicators",
            "plan-indicator", "plan-reviews", "plan-review"} <= names, names

    problems, measured = [], 0
    for width, height in WIDTHS.items():
        for lang, (locale, accept, code) in LANGUAGES.items():
            context, page, found = _signed_in_context(browser, live_server, user, width, height, locale, accept, code)
            problems += found
            try:
                for name, url in pages:
                    response = page.goto(f"{live_server.url}{url}")
                    if response.status != (404 if name.startswith("error-") else 200):
                        problems.append(f"{name} ({url}, {lang}) at {width} px: answered {response.status}, "
                                        f"not measured")
                        continue
                    if response.request.redirected_from is not None:
                        continue  # a GET that goes back to a page measured on its own (a comment's target)
                    assert page.get_attribute("html", "lang") == code, f"{name} ({url}) is not in {code}"
                    problems += _too_wide(page, f"{name} ({url}, {lang})", width)
                    problems += _checks_of(page, name, lang, width, height)
                    screenshot(page, f"{name}-{width}-{lang}")
                    measured += 1
            finally:
                context.close()
    assert measured >= 4 * 20, measured
    assert not problems, "pages that do not fit (or do not answer):\n" + "\n".join(problems)
