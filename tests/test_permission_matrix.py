"""Every door × every kind of user, generated from the code: who may see and change what.

The doors are enumerated, not listed by hand: every URL pattern of the site, every
API route and method of the router, every admin model's changelist / add / change /
delete / history views, its extra admin URLs and its actions. What each one needs is
stated once below (EXPECTED_*); a door without an entry fails the test, so a new URL
cannot arrive unchecked.

The users, all about plan A: anonymous; a liaison; county staff; a plan admin; staff
of another plan (B); and a user who is liaison on A and staff on B. From the need and
the user's role on A the test derives the answer: anonymous → the sign-in page (401 on
the API); no role on A → not found; a role without the need → 403 (or a read-only
page); otherwise the door opens. Every write runs inside a transaction that is rolled
back, so each request sees the same world.
"""


import pytest
from django.contrib import admin
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from api.urls import router
from plans.access import ADMIN, EDIT, REVIEW, SYSTEM, VIEW, allows
from plans.models import PlanYear
from plans.services import membership_set
from tests.conftest import member
from tests.fuzzing import fuzz_world

PUBLIC, SIGNED_IN, SUPERUSER, NOBODY, AUTHOR = "public", "signed-in", "superuser", "nobody", "author-or-admin"
ROLES = ("anonymous", "liaison", "staff", "plan_admin", "other_plan_staff", "liaison_here_staff_there")
ROLE_ON_A = {"anonymous": None, "liaison": "liaison", "staff": "staff", "plan_admin": "admin",
             "other_plan_staff": None, "liaison_here_staff_there": "liaison"}

# --- pages: URL name → (method, what it needs on the plan) ---------------------------------------
EXPECTED_PAGES = {
    "home": ("GET", SIGNED_IN),
    "portfolio": ("GET", SIGNED_IN),
    "healthz": ("GET", PUBLIC),
    "set_language": ("POST", PUBLIC),
    "login": ("GET", PUBLIC),
    "logout": ("POST", PUBLIC),
    "api-token": ("POST", PUBLIC),
    "api-schema": ("GET", PUBLIC),
    "api-docs": ("GET", PUBLIC),
    "api-redoc": ("GET", PUBLIC),
    "plan-dashboard": ("GET", VIEW),
    "plan-rollups": ("GET", VIEW),
    "plan-variances": ("GET", VIEW),
    "plan-reviews": ("GET", VIEW),
    "plan-review": ("GET", VIEW),
    "plan-review-sheet": ("GET", VIEW),
    "plan-review-action:confirm:submit": ("GET", EDIT),
    "plan-review-action:confirm:approve": ("GET", REVIEW),
    "plan-review-action:confirm:return": ("GET", REVIEW),
    "plan-review-action:confirm:reopen": ("GET", REVIEW),
    "plan-review-action:submit": ("POST", EDIT),
    "plan-review-action:approve": ("POST", REVIEW),
    "plan-review-action:return": ("POST", REVIEW),
    "plan-review-action:reopen": ("POST", REVIEW),
    "plan-close": ("GET", ADMIN),
    "plan-projects": ("GET", VIEW),
    "plan-project-create": ("GET", EDIT),
    "plan-project": ("GET", VIEW),
    "plan-project-edit": ("GET", EDIT),
    "plan-project-edit:post": ("POST", EDIT),
    "plan-project-comment": ("POST", VIEW),
    "plan-budget-create": ("GET", EDIT),
    "plan-budget-edit": ("GET", EDIT),
    "plan-budget-edit:post": ("POST", EDIT),
    "plan-budget-delete": ("GET", EDIT),
    "plan-budget-delete:post": ("POST", EDIT),
    "plan-indicators": ("GET", VIEW),
    "plan-indicator": ("GET", VIEW),
    "plan-indicator:post": ("POST", EDIT),
    "plan-indicator-evidence": ("GET", VIEW),
    "plan-evaluation": ("GET", VIEW),
    "plan-places": ("GET", VIEW),
    "plan-places:post": ("POST", EDIT),
}
UNNAMED_PAGES = {"favicon.ico"}  # a redirect to a static file

# --- API: basename → {action: need} -----------------------------------------------------------------
READ_WRITE = {"list": VIEW, "retrieve": VIEW, "create": EDIT, "update": EDIT, "partial_update": EDIT,
              "destroy": EDIT}
EXPECTED_API = {
    "api-plans": {"list": SIGNED_IN, "retrieve": VIEW},
    "api-projects": READ_WRITE,
    "api-budgets": READ_WRITE,
    "api-stated-figures": {k: v for k, v in READ_WRITE.items() if k != "destroy"},
    "api-rollups": {"list": VIEW},
    "api-variances": {"list": VIEW},
    "api-indicators": {"list": VIEW, "values:get": VIEW, "values:post": EDIT},
}

# --- admin: model → needs for view, add, change, delete on the object's plan -------------------------
DATA = (VIEW, EDIT, EDIT, EDIT)
READ_ONLY = (VIEW, NOBODY, NOBODY, NOBODY)
EXPECTED_ADMIN = {
    "plans.plan": (VIEW, SUPERUSER, ADMIN, SUPERUSER),
    "plans.planyear": READ_ONLY,
    "plans.category": (VIEW, ADMIN, ADMIN, ADMIN),
    "plans.planmembership": (VIEW, ADMIN, ADMIN, ADMIN),
    "projects.implementingunit": DATA,
    "projects.unitalias": DATA,
    "projects.place": DATA,
    "projects.comment": (VIEW, NOBODY, NOBODY, AUTHOR),
    "projects.project": DATA,
    "funding.annualbudget": DATA,
    "funding.disbursement": DATA,
    "figures.statedfigure": DATA,
    "figures.keyproject": DATA,
    "indicators.indicator": DATA,
    "indicators.indicatorvalue": DATA,
    "indicators.derivedvalue": READ_ONLY,
    "importers.importbatch": READ_ONLY,
    "rollups.recomputestate": READ_ONLY,
    "rollups.rollup": READ_ONLY,
    "rollups.variance": READ_ONLY,
    "reviews.reviewevent": READ_ONLY,
    "reviews.planevent": READ_ONLY,
}
# Models of the site itself (accounts, tokens, periodic jobs, sign-in attempts): superusers only.
SITE_MODELS = {"auth.group", "auth.user", "authtoken.tokenproxy", "django_celery_beat.periodictask",
               "django_celery_beat.clockedschedule", "django_celery_beat.crontabschedule",
               "django_celery_beat.solarschedule", "django_celery_beat.intervalschedule",
               "axes.accessattempt", "axes.accesslog", "axes.accessfailurelog",
               # A banner's village list serves all its plans: loaded by superusers, read-only otherwise.
               "projects.villagelist", "projects.listedvillage", "projects.villagealias"}
# Admin URLs beyond the standard five: name → (method, need on the object's plan, or somewhere for no object).
EXPECTED_ADMIN_EXTRA = {
    "importers_importbatch_upload": ("GET", ADMIN),
    "importers_importbatch_upload_disbursements": ("GET", ADMIN),
    "importers_importbatch_review": ("GET", VIEW),
    "importers_importbatch_review:post": ("POST", ADMIN),
    "importers_importbatch_progress": ("GET", VIEW),
    "funding_annualbudget_export": ("GET", VIEW),
    "projects_villagelist_upload": ("GET", SUPERUSER),
}
STANDARD_ADMIN_VIEWS = ("changelist", "add", "change", "delete", "history", "autocomplete")


@pytest.fixture
def world(db, tmp_path):
    """Plan A with one of every record, plan B beside it (tests.fuzzing.fuzz_world), and the six users."""
    w = fuzz_world(tmp_path)
    plan, other = w["plan"], w["other"]
    users = {"anonymous": None, "liaison": member(plan, "liaison"), "staff": w["staff"],
             "plan_admin": member(plan, "admin"), "other_plan_staff": member(other, "staff"),
             "liaison_here_staff_there": member(plan, "liaison")}
    membership_set(plan=other, member=users["liaison_here_staff_there"], role="staff", user=SYSTEM)
    return {**w, "users": users, "clients": {role: browser(user) for role, user in users.items()}}


def browser(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.name


def _router_names() -> set[str]:
    return {url.name for url in router.urls}


def _site_pages() -> dict[str, str]:
    """Every URL of the site outside the admin and the API router: name → route."""
    routes = {}
    for route, name in _walk(get_resolver().url_patterns):
        if route.startswith("admin/") or name in _router_names():
            continue
        routes[name or route] = route
    return routes


def _allowed(role: str, need: str, *, author: bool = False) -> bool:
    if need == PUBLIC:
        return True
    if role == "anonymous":
        return False
    if need == SIGNED_IN:
        return True
    if need in (SUPERUSER, NOBODY):
        return False
    if need == AUTHOR:
        return author or allows(ROLE_ON_A[role], ADMIN)
    return allows(ROLE_ON_A[role], need)


def _expect(role: str, need: str, status: int, *, api: bool = False) -> str | None:
    """None when `status` is what `role` should get from a door needing `need` on plan A; else why not."""
    if status >= 500:
        return f"server error {status}"
    if need == PUBLIC:
        return None
    if role == "anonymous":
        wanted = (401,) if api else (302,)
        return None if status in wanted else f"anonymous got {status}"
    if need not in (SIGNED_IN,) and ROLE_ON_A[role] is None:
        return None if status == 404 else f"outsider got {status}, not 404"
    if _allowed(role, need):
        return None if status not in (401, 403, 404) else f"refused with {status}"
    return None if status == 403 else f"got {status}, not 403"


def _page_url(name: str, w) -> str:
    base = name.split(":")[0]
    plan, project, budget = w["plan"], w["project"], w["budget"]
    kwargs = {
        "plan-review": {"year": 2022},
        "plan-review-sheet": {"year": 2022},
        "plan-review-action": {"year": 2023 if name.endswith(("approve", "return")) else 2022,
                               "action": name.split(":")[-1]},
        "plan-project": {"pk": project.pk},
        "plan-project-edit": {"pk": project.pk},
        "plan-project-comment": {"pk": project.pk},
        "plan-budget-create": {"pk": project.pk},
        "plan-budget-edit": {"pk": project.pk, "budget_pk": budget.pk},
        "plan-budget-delete": {"pk": project.pk, "budget_pk": budget.pk},
        "plan-indicator": {"pk": w["indicator"].pk},
        "plan-indicator-evidence": {"pk": w["indicator"].pk, "value_pk": w["value"].pk},
    }.get(base, {})
    if base.startswith("plan-"):
        kwargs["code"] = plan.code
    return reverse(base, kwargs=kwargs)


def _request(client, method: str, url: str, data=None, **extra):
    with transaction.atomic():  # every write is undone: each request sees the same world
        response = getattr(client, method.lower())(url, data or {}, **extra)
        transaction.set_rollback(True)
    return response


@pytest.mark.django_db
def test_every_page_answers_each_user_as_their_role_allows(world):
    pages = _site_pages()
    unlisted = set(pages) - {name.split(":")[0] for name in EXPECTED_PAGES} - UNNAMED_PAGES
    assert not unlisted, f"URLs without an entry in EXPECTED_PAGES: {sorted(unlisted)}"
    stale = {name.split(":")[0] for name in EXPECTED_PAGES} - set(pages)
    assert not stale, f"EXPECTED_PAGES names URLs that no longer exist: {sorted(stale)}"
    wrong, checked = [], 0
    for name, (method, need) in EXPECTED_PAGES.items():
        url = _page_url(name, world)
        for role in ROLES:
            # A browser of its own for each request: signing out (or in) must not carry over.
            response = _request(browser(world["users"][role]), method, url)
            checked += 1
            problem = _expect(role, need, response.status_code)
            if problem:
                wrong.append(f"{method} {url} as {role}: {problem}")
    assert not wrong, "\n".join(wrong)
    assert checked == len(EXPECTED_PAGES) * len(ROLES)


def _api_operations():
    """(basename, action, method, detail?) for every route and method the router serves."""
    methods = {"list": ("get", False), "create": ("post", False), "retrieve": ("get", True),
               "update": ("put", True), "partial_update": ("patch", True), "destroy": ("delete", True)}
    for _prefix, viewset, basename in router.registry:
        for action, (method, detail) in methods.items():
            if hasattr(viewset, action):
                yield basename, action, method, detail
        for extra in viewset.get_extra_actions():
            for method in sorted(extra.mapping):
                yield basename, f"{extra.url_path}:{method}", method, extra.detail


def _api_url(basename: str, action: str, detail: bool, w) -> str:
    plan = w["plan"]
    if basename == "api-plans":
        return reverse(f"{basename}-{'detail' if detail else 'list'}", kwargs={"code": plan.code} if detail else {})
    pk = {"api-projects": w["project"].pk, "api-budgets": w["budget"].pk, "api-stated-figures": w["figure"].pk,
          "api-indicators": w["indicator"].pk}.get(basename)
    if ":" in action:
        return reverse(f"{basename}-{action.split(':')[0]}", kwargs={"code": plan.code, "pk": pk})
    suffix = "detail" if detail else "list"
    return reverse(f"{basename}-{suffix}", kwargs={"code": plan.code, **({"pk": pk} if detail else {})})


@pytest.mark.django_db
def test_every_api_operation_answers_each_user_as_their_role_allows(world):
    operations = list(_api_operations())
    unlisted = [(b, a) for b, a, _m, _d in operations if a not in EXPECTED_API.get(b, {})]
    assert not unlisted, f"API operations without an entry in EXPECTED_API: {unlisted}"
    wrong, checked = [], 0
    for basename, action, method, detail in operations:
        url = _api_url(basename, action, detail, world)
        need = EXPECTED_API[basename][action]
        for role in ROLES:
            client = APIClient()
            if world["users"][role] is not None:
                client.force_login(world["users"][role])
            response = _request(client, method, url, {}, format="json")
            checked += 1
            problem = _expect(role, need, response.status_code, api=True)
            if problem:
                wrong.append(f"{method.upper()} {url} ({basename} {action}) as {role}: {problem}")
    assert not wrong, "\n".join(wrong)
    assert checked == len(operations) * len(ROLES) and len(operations) >= 24


def _admin_object(label: str, w):
    """Plan A's row of each admin model (the row every user is tried on)."""
    from django.apps import apps

    model = apps.get_model(label)
    plan_path = admin.site._registry[model].plan_path
    rows = model._default_manager.filter(**({f"{plan_path}": w["plan"]} if plan_path else {"pk": w["plan"].pk}))
    if label == "plans.planmembership":
        rows = rows.filter(user=w["users"]["staff"])
    if label == "projects.comment":
        return w["comment"]
    return rows.order_by("pk").first()


def _admin_url(model, view: str, obj=None) -> str:
    opts = model._meta
    name = f"admin:{opts.app_label}_{opts.model_name}_{view}"
    return reverse(name, args=[obj.pk] if obj is not None else [])


def _admin_expect(role, need, status, *, has_object, author=False, readonly_ok=False) -> str | None:
    if status >= 500:
        return f"server error {status}"
    if role == "anonymous":
        return None if status == 302 else f"anonymous got {status}"
    if has_object and ROLE_ON_A[role] is None:
        # Another plan's row does not exist for this user: the admin says so and goes back (302), or refuses
        # (403) what the user's roles allow nowhere, as it would for an id that does not exist at all.
        return None if status in (302, 403) else f"outsider got {status}"
    if not has_object:
        # No object: the user's roles on any plan count (the outsider is staff on plan B).
        somewhere = {"other_plan_staff": "staff", "liaison_here_staff_there": "staff"}.get(role, ROLE_ON_A[role])
        allowed = need not in (SUPERUSER, NOBODY) and allows(somewhere, EDIT if need == AUTHOR else need)
    else:
        allowed = _allowed(role, need, author=author)
    if allowed:
        return None if status in (200, 302) else f"refused with {status}"
    return None if status == 403 else f"got {status}, not 403"


@pytest.mark.django_db
def test_every_admin_view_answers_each_user_as_their_role_allows(world):
    registered = {model._meta.label_lower: model for model in admin.site._registry}
    unlisted = set(registered) - set(EXPECTED_ADMIN) - SITE_MODELS
    assert not unlisted, f"admin models without an entry in EXPECTED_ADMIN: {sorted(unlisted)}"
    wrong, checked = [], 0
    for label, model in registered.items():
        clients = world["clients"]
        if label in SITE_MODELS:
            for role in ROLES:
                response = clients[role].get(_admin_url(model, "changelist"))
                checked += 1
                if response.status_code != (302 if role == "anonymous" else 403):
                    wrong.append(f"{label} changelist as {role}: {response.status_code}")
            continue
        view_need, add_need, change_need, delete_need = EXPECTED_ADMIN[label]
        obj = _admin_object(label, world)
        assert obj is not None, f"the test world has no {label} of plan A"
        for role in ROLES:
            author = label == "projects.comment" and role == "staff"
            tries = [
                ("GET", _admin_url(model, "changelist"), view_need, False),
                ("GET", _admin_url(model, "add"), add_need, False),
                ("GET", _admin_url(model, "change", obj), view_need, True),
                ("POST", _admin_url(model, "change", obj), change_need, True),
                ("GET", _admin_url(model, "history", obj), view_need, True),
                ("GET", _admin_url(model, "delete", obj), delete_need, True),
            ]
            answers = {}
            for method, url, need, has_object in tries:
                response = answers[(method, url)] = _request(clients[role], method, url)
                checked += 1
                problem = _admin_expect(role, need, response.status_code, has_object=has_object, author=author)
                if problem:
                    wrong.append(f"{label}: {method} {url} as {role}: {problem}")
            if role == "anonymous":
                continue
            # A liaison's change page is read-only: no save button.
            change_page = answers[("GET", _admin_url(model, "change", obj))]
            if role in ("liaison", "liaison_here_staff_there") and 'name="_save"' in change_page.content.decode():
                wrong.append(f"{label}: the change page offers a liaison a save button")
            # The changelist lists plan A's row only for those who may see plan A.
            listing = answers[("GET", _admin_url(model, "changelist"))]
            if listing.status_code == 200:
                shown = _admin_url(model, "change", obj) in listing.content.decode()
                if shown != (ROLE_ON_A[role] is not None) and label != "plans.planmembership":
                    wrong.append(f"{label}: plan A's row {'shown' if shown else 'hidden'} to {role}")
            # The delete action: only where the role may delete, and then through the service.
            with transaction.atomic():
                clients[role].post(_admin_url(model, "changelist"),
                                   {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"})
                gone = not model._default_manager.filter(pk=obj.pk).exists()
                transaction.set_rollback(True)
            checked += 1
            may_delete = _allowed(role, delete_need, author=author) and role != "anonymous"
            if gone and not may_delete:
                wrong.append(f"{label}: the delete action removed plan A's row for {role}")
    assert not wrong, "\n".join(wrong)
    assert checked >= len(EXPECTED_ADMIN) * (len(ROLES) * 6 + len(ROLES) - 1)


@pytest.mark.django_db
def test_every_extra_admin_url_answers_each_user_as_their_role_allows(world):
    standard = tuple(f"_{view}" for view in STANDARD_ADMIN_VIEWS)
    names = {name for _route, name in _walk(admin.site.get_urls())
             if name and "_" in name and not name.endswith(standard)
             and name not in ("index", "login", "logout", "password_change", "password_change_done", "jsi18n",
                              "view_on_site", "app_list", "auth_user_password_change")}
    unlisted = names - {name.split(":")[0] for name in EXPECTED_ADMIN_EXTRA}
    assert not unlisted, f"admin URLs without an entry in EXPECTED_ADMIN_EXTRA: {sorted(unlisted)}"
    wrong = []
    for name, (method, need) in EXPECTED_ADMIN_EXTRA.items():
        base = name.split(":")[0]
        has_object = "batch_id" in str(next(p.pattern for _r, p in _patterns(admin.site.get_urls()) if p.name == base))
        url = reverse(f"admin:{base}", args=[world["batch"].pk] if has_object else [])
        for role in ROLES:
            response = _request(world["clients"][role], method, url)
            problem = _admin_expect(role, need, response.status_code, has_object=has_object)
            if has_object and ROLE_ON_A[role] is None and role != "anonymous":
                problem = None if response.status_code == 404 else f"outsider got {response.status_code}"
            if problem:
                wrong.append(f"{method} {url} as {role}: {problem}")
    assert not wrong, "\n".join(wrong)


def _patterns(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix, pattern


def _snapshot(w):
    budget, project, figure = w["budget"], w["project"], w["figure"]
    budget.refresh_from_db()
    project.refresh_from_db()
    figure.refresh_from_db()
    return (budget.beijing_funds, budget.version, project.category_id, project.name, figure.value,
            type(budget)._default_manager.filter(pk=budget.pk).exists(), type(budget)._default_manager.count(),
            type(project)._default_manager.count())


@pytest.mark.django_db
def test_no_write_path_changes_an_approved_year(world, tmp_path):
    from funding.models import AnnualBudget
    from tests.admin_forms import admin_form
    from tests.importers.helpers import annex_sheet, project_row, run_import, write_xlsx

    plan, project, budget, figure = world["plan"], world["project"], world["budget"], world["figure"]
    PlanYear.objects.filter(plan=plan, year=2022).update(review_status=PlanYear.Review.APPROVED)
    before = _snapshot(world)
    staff = world["users"]["staff"]
    page, api = browser(staff), APIClient()
    api.force_login(staff)
    other_category = plan.categories.exclude(pk=project.category_id).first()
    code = plan.code
    budget_api = reverse("api-budgets-detail", kwargs={"code": code, "pk": budget.pk})
    project_api = reverse("api-projects-detail", kwargs={"code": code, "pk": project.pk})
    budget_page = {"code": code, "pk": project.pk, "budget_pk": budget.pk}
    admin_budget = reverse("admin:funding_annualbudget_change", args=[budget.pk])
    admin_project = reverse("admin:projects_project_change", args=[project.pk])
    admin_figure = reverse("admin:figures_statedfigure_change", args=[figure.pk])

    def admin_post(url, model, **changes):
        data = admin_form(page, url, model)
        data.update({key: str(value) for key, value in changes.items()})
        return page.post(url, data)

    inline_prefix = "budgets-0-"
    attempts = {
        "page: budget form": lambda: page.post(reverse("plan-budget-edit", kwargs=budget_page), {
            "version": budget.version, "year": 2022, "total_investment": "1", "beijing_funds": "1",
            "local_funds": "0"}),
        "page: budget delete": lambda: page.post(reverse("plan-budget-delete", kwargs=budget_page)),
        "page: new budget in the year": lambda: page.post(
            reverse("plan-budget-create", kwargs={"code": code, "pk": project.pk}),
            {"year": 2022, "total_investment": "1", "beijing_funds": "1", "local_funds": "0"}),
        "page: project category": lambda: page.post(reverse("plan-project-edit", kwargs={"code": code,
                                                                                         "pk": project.pk}), {
            "version": project.version, "name": project.name, "category": other_category.pk, "nature": "新建",
            "status": "planned"}),
        "API: budget change": lambda: api.patch(budget_api, {"version": budget.version, "beijing_funds": "1"},
                                                format="json"),
        "API: budget delete": lambda: api.delete(budget_api),
        "API: project category": lambda: api.patch(project_api, {"version": project.version,
                                                                 "category": other_category.pk}, format="json"),
        "API: project delete": lambda: api.delete(project_api),
        "API: stated figure of the year": lambda: api.patch(
            reverse("api-stated-figures-detail", kwargs={"code": code, "pk": figure.pk}),
            {"value": "9", "version": figure.version}, format="json"),
        "admin: budget form": lambda: admin_post(admin_budget, AnnualBudget, beijing_funds="777"),
        "admin: budget inline": lambda: admin_post(admin_project, type(project), **{
            f"{inline_prefix}beijing_funds": "777"}),
        "admin: project category": lambda: admin_post(admin_project, type(project), category=other_category.pk),
        "admin: project delete": lambda: page.post(reverse("admin:projects_project_delete", args=[project.pk]),
                                                   {"post": "yes"}),
        "admin: budget delete": lambda: page.post(reverse("admin:funding_annualbudget_delete", args=[budget.pk]),
                                                  {"post": "yes"}),
        "admin: delete action": lambda: page.post(reverse("admin:funding_annualbudget_changelist"), {
            "action": "delete_selected", "_selected_action": [budget.pk], "post": "yes"}),
        "admin: stated figure": lambda: admin_post(admin_figure, type(figure), value="9"),
        "importer: a row of the year": lambda: run_import(plan, write_xlsx(tmp_path / "y.xlsx", {
            "2022年": annex_sheet(2022, [project_row(1, project.name, 2022, project.category.name_zh, 9, 9, 0,
                                                    place=project.location_text, unit=project.unit.name)])})),
        "importer: a later row moving the category": lambda: run_import(plan, write_xlsx(tmp_path / "z.xlsx", {
            "2023年": annex_sheet(2023, [project_row(1, project.name, 2023, other_category.name_zh, 9, 9, 0,
                                                    place=project.location_text, unit=project.unit.name)])})),
    }
    changed = []
    for door, attempt in attempts.items():
        with transaction.atomic():
            outcome = attempt()
            if _snapshot(world) != before or AnnualBudget.objects.filter(project=project).count() != 1:
                changed.append(f"{door}: changed the approved year ({getattr(outcome, 'status_code', outcome)})")
            transaction.set_rollback(True)
    assert not changed, "\n".join(changed)
    assert len(attempts) == 18
