"""`make loadtest`: simulated users against gunicorn + PostgreSQL + a Celery worker and beat, on loopback.

    python -m bench.loadtest [--seconds 60] [--users 20] [--quick] [--json PATH] [--keep]

Sets up its own world: the PostgreSQL database postgres://postgres@127.0.0.1:5432/planportal_loadtest
(dropped, created, migrated; `_quick` appended for --quick), Redis database 14 (13 for --quick;
flushed), the bundled plan with the demo users (`load_demo`, run with DEBUG on) and more members
given their roles by `grant_role`. Then it serves as production does — DEBUG=0, a random
SECRET_KEY, ALLOWED_HOSTS=127.0.0.1,localhost, collected static files — with
`gunicorn planportal.wsgi -w 4`, one `celery worker` and one `celery beat`, and stops them all at
the end, also on an error (each in its own process group, which also gets SIGTERM if this process
dies). Everything the server writes (static files, cache, logs) goes to a temporary folder, never
./var; it is kept when a check fails, or with --keep.

HTTPS: with DEBUG=0 the session and CSRF cookies are `Secure` and plain http is redirected to
https. The clients act as browsers behind a TLS-terminating proxy: every request carries
`X-Forwarded-Proto: https` (settings.SECURE_PROXY_SSL_HEADER), writes an `Origin: https://…`
header, and the clients keep their cookies themselves (so `Secure` cookies go back over the
loopback's plain http). No security setting is relaxed, and a request that forgot the header
would show up as an unexpected 301.

Phases:
1. floor: every user fetches a static file (whitenoise, in gunicorn), then /healthz, for a few
   seconds each, at the same concurrency as the mix: what the server costs with nothing behind it.
2. sign-in: each user signs in through /accounts/login/ like a browser (CSRF token from the form);
   at most 8 of them also get an API token by POST /api/token/, once, which keeps under its throttle
   (API_TOKEN_RATE, 10/minute per address); the others call the API with their session (and the
   CSRF header on writes).
3. the mix, for --seconds: each user loops, without think time, over a weighted mix of pages
   (dashboard, project list with filters/sorting/a page, a project, the totals matrix, the
   disagreements), API lists (projects, budgets, stated figures, totals) and — the editors, with the
   staff role — budget edits through the API (GET, then PATCH with the version read; 409 stale is a
   correct answer: refetch and retry) and through the web edit form (GET the form, POST it back with
   its CSRF token and version; 409 shows the form again rebased on the newer version: post it again;
   a form that asks to confirm figures that disagree gets its box ticked and is posted again). An edit
   changes a planned source with the total following it, or a disbursed amount within the planned one.
   Half of the edits go to a few hot budgets, so edits do collide.

Every request is recorded (phase, route group, method, status, latency), and every edit answered
with 2xx as (budget, field, value, resulting version, the amounts it saved). Afterwards, with the
servers stopped once the totals have settled:
- no 5xx, counted by route; and every other answer as expected (no transport error, no 4xx other
  than 409 on an edit);
- every acknowledged edit is in the database: no two acknowledged edits of a budget got the same
  version, each one's version is in the budget's history with exactly the amounts it acknowledged,
  and each budget's current row has the version and amounts of its last acknowledged edit;
- the totals settle (the recompute outbox empties: rollups.services.oldest_pending_age() is None,
  polled up to 120 s) and then equal a fresh recompute exactly: the stored Rollup, Variance and
  DerivedValue rows against those rollups.services.recompute_plan() writes, in a transaction that is
  rolled back.

Prints a table and writes JSON (bench/loadtest.json for a full run; --json PATH to choose); exits 1
when a check fails. --quick: 10 s, 4 users (tests/test_loadtest_quick.py); its figures mean nothing.
"""

import argparse
import collections
import contextlib
import ctypes
import datetime
import io
import json
import logging
import math
import os
import platform
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from decimal import ROUND_DOWN, Decimal
from html.parser import HTMLParser
from http.client import HTTPConnection, HTTPException
from http.cookies import CookieError, SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
PLAN = "keyouzhongqi-2021-2025"
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
REDIS_SERVER = "redis://127.0.0.1:6379"
GUNICORN_WORKERS = 4
MAX_TOKEN_USERS = 8  # POST /api/token/ is throttled to 10/minute per address: stay under it
AMOUNT_FIELDS = ("total_investment", "beijing_funds", "local_funds", "actual_beijing_funds", "actual_local_funds")
# What an edit changes: a planned source (the total follows) or a disbursed amount (within the planned one).
EDITED_FIELDS = ("beijing_funds", "local_funds", "actual_beijing_funds", "actual_local_funds")
YUAN = Decimal("0.0001")
HOT_BUDGETS = 6  # half of the edits go to these few budgets, so that edits collide
EDIT_ATTEMPTS = 4  # an edit refused as stale is retried on the newer version this many times in all
SETTLE_TIMEOUT = 120
# Environment variables the settings read: none of the caller's reaches the servers (README "Settings").
SETTINGS_VARIABLES = (
    "DATABASE_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "CACHE_URL", "SECRET_KEY", "DEBUG",
    "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "PLANPORTAL_VAR_DIR", "EMAIL_BACKEND", "LOGIN_FAILURE_LIMIT",
    "LOGIN_FAILURE_LIMIT_PER_ADDRESS", "LOGIN_COOLOFF_MINUTES", "API_TOKEN_RATE", "PLANPORTAL_MAX_UPLOAD_BYTES",
    "PLANPORTAL_UPLOAD_RETENTION_DAYS", "CELERY_VISIBILITY_TIMEOUT", "REVERSE_PROXY_COUNT", "DB_CONN_MAX_AGE",
    "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
    "LOG_LEVEL", "PLANPORTAL_TASKS_IN_THREAD", "DJANGO_SETTINGS_MODULE",
)

# What each kind of user does, by weight. Readers (the liaison role) do the same without the edits.
MIX = {
    "dashboard": 8,
    "project_list": 14,
    "project": 12,
    "totals": 6,
    "disagreements": 5,
    "api_projects": 8,
    "api_budgets": 8,
    "api_stated_figures": 4,
    "api_rollups": 3,
    "api_edit": 20,
    "web_edit": 12,
}
EDITS = ("api_edit", "web_edit")
# The answers that are correct for each route group; anything else is counted as unexpected.
EXPECTED = collections.defaultdict(lambda: {200}, {
    "page:login POST": {302},
    "page:budget-edit POST": {302, 409, 200},  # 200: only the form asking to confirm figures that disagree
    "api:budget PATCH": {200, 409},
})


# --- the simulated browser / API client ------------------------------------------------------------

class TransportError(Exception):
    """No HTTP answer: refused, reset or timed out."""


class Unexpected(Exception):
    """An answer the scenario cannot go on from (already recorded as unexpected)."""


class Response:
    def __init__(self, status: int, headers, body: bytes):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Recorder:
    """Every request of one user: (phase, route group, method, status, latency s, start s since the epoch)."""

    def __init__(self):
        self.rows = []
        self.unexpected = []  # (route, status, the start of the answer)
        self.phase = "setup"


class Client:
    """One user's connection: its own cookies (Secure ones too: see the module's docstring), its token."""

    def __init__(self, port: int, recorder: Recorder, timeout: float = 60):
        self.port = port
        self.origin = f"https://127.0.0.1:{port}"
        self.conn = HTTPConnection("127.0.0.1", port, timeout=timeout)
        self.cookies: dict[str, str] = {}
        self.token: str | None = None
        self.rec = recorder

    def close(self):
        self.conn.close()

    def request(self, route: str, method: str, path: str, *, form=None, data=None, api=False, referer=None,
                expect=None) -> Response:
        headers = {"X-Forwarded-Proto": "https", "Accept-Language": "zh-hans", "User-Agent": "planportal-loadtest"}
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif data is not None:
            body = json.dumps(data).encode()
            headers["Content-Type"] = "application/json"
        if api:
            headers["Accept"] = "application/json"
        if api and self.token:
            headers["Authorization"] = f"Token {self.token}"
        elif self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
            if method not in ("GET", "HEAD") and "csrftoken" in self.cookies:
                headers["X-CSRFToken"] = self.cookies["csrftoken"]
        if method not in ("GET", "HEAD"):
            headers["Origin"] = self.origin
            headers["Referer"] = referer or self.origin + path
        group = f"{route} {method}"
        started, t0 = time.time(), time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=headers)
            answer = self.conn.getresponse()
            content = answer.read()
        except (OSError, HTTPException) as exc:
            self.conn.close()
            self.rec.rows.append((self.rec.phase, group, method, 0, time.perf_counter() - t0, started))
            self.rec.unexpected.append((group, 0, f"{type(exc).__name__}: {exc}"))
            raise TransportError(f"{method} {path}: {exc}") from exc
        latency = time.perf_counter() - t0
        if answer.will_close:
            self.conn.close()
        self._keep_cookies(answer.headers.get_all("Set-Cookie") or [])
        self.rec.rows.append((self.rec.phase, group, method, answer.status, latency, started))
        response = Response(answer.status, answer.headers, content)
        if answer.status not in (expect or EXPECTED[group]):
            self.rec.unexpected.append((group, answer.status, f"{path}: {response.text[:300]}"))
            raise Unexpected(f"{method} {path}: {answer.status}")
        return response

    def _keep_cookies(self, headers):
        for header in headers:
            jar = SimpleCookie()
            try:
                jar.load(header)
            except CookieError:
                continue
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value


class Forms(HTMLParser):
    """The forms of a page as a browser would submit them: inputs, the selected options, textareas."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form = self._select = self._textarea = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"method": (a.get("method") or "get").lower(), "action": a.get("action") or "",
                          "fields": {}, "checkboxes": set()}
            self.forms.append(self._form)
            return
        if self._form is None or "disabled" in a:
            return
        fields = self._form["fields"]
        if tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind == "checkbox":
                self._form["checkboxes"].add(a["name"])
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            fields[a["name"]] = a.get("value") or ("on" if kind == "checkbox" else "")
        elif tag == "select" and a.get("name"):
            self._select = {"name": a["name"], "first": None, "chosen": False}
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in a:
                fields[self._select["name"]] = value
                self._select["chosen"] = True
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            fields[self._textarea] = ""

    def handle_data(self, data):
        if self._form is not None and self._textarea is not None:
            self._form["fields"][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None:
            if not self._select["chosen"] and self._select["first"] is not None and self._form is not None:
                self._form["fields"][self._select["name"]] = self._select["first"]
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            fields = self._form["fields"]
            # A browser drops the newline that starts a textarea's content (Django writes one).
            if fields[self._textarea].startswith("\r\n"):
                fields[self._textarea] = fields[self._textarea][2:]
            elif fields[self._textarea].startswith("\n"):
                fields[self._textarea] = fields[self._textarea][1:]
            self._textarea = None

    def form_with(self, name: str) -> dict | None:
        """The first POST form with this field: {"fields": what it submits, "checkboxes": every checkbox's name}."""
        return next((f for f in self.forms if f["method"] == "post" and name in f["fields"]), None)


def _amount(text) -> Decimal | None:
    if text is None:
        return None
    text = str(text).replace(",", "").replace(" ", "").strip()
    return Decimal(text) if text else None


# --- one simulated user ----------------------------------------------------------------------------

class User(threading.Thread):
    def __init__(self, index: int, username: str, password: str, role: str, wants_token: bool, port: int,
                 world: dict, rng_seed: int, start: threading.Barrier, clock: dict, think: float):
        super().__init__(name=f"user-{username}", daemon=True)
        self.index, self.username, self.password, self.role = index, username, password, role
        self.wants_token, self.world, self.think = wants_token, world, think
        self.rng = random.Random(rng_seed)
        self.rec = Recorder()
        self.client = Client(port, self.rec)
        self.start_barrier, self.clock = start, clock
        self.acks = []  # acknowledged edits
        self.conflicts = collections.Counter()  # 409 stale, by route
        self.gave_up = 0  # edits still refused after EDIT_ATTEMPTS
        self.confirmations = 0  # edit forms that asked to confirm figures that disagree
        self.uncertain = set()  # budgets an edit of which got no answer (it may or may not have been saved)
        self.failed: str | None = None
        mix = {k: v for k, v in MIX.items() if role == "staff" or k not in EDITS}
        self.actions, self.weights = list(mix), list(mix.values())

    # sign-in
    def sign_in(self):
        c = self.client
        page = c.request("page:login", "GET", "/accounts/login/")
        form = Forms(page.text).form_with("username")
        if form is None:
            raise RuntimeError("the sign-in page has no form with a user name")
        fields = form["fields"]
        fields.update(username=self.username, password=self.password, next=f"/plans/{PLAN}/")
        answer = c.request("page:login", "POST", "/accounts/login/", form=fields)
        if "sessionid" not in c.cookies:
            raise RuntimeError(f"signed in ({answer.status}) but got no session cookie")
        if self.wants_token:
            answer = c.request("api:token", "POST", "/api/token/",
                               form={"username": self.username, "password": self.password}, api=True)
            c.token = answer.json()["token"]

    def run(self):
        try:
            self.rec.phase = "sign-in"
            self.sign_in()
        except Exception as exc:  # recorded; the summary reports the user as failed
            self.failed = f"sign-in: {type(exc).__name__}: {exc}"
        finally:
            self.start_barrier.wait()
        if self.failed:
            return
        self.rec.phase = "mix"
        deadline = self.clock["end"]
        while time.time() < deadline:
            action = self.rng.choices(self.actions, self.weights)[0]
            try:
                getattr(self, action)()
            except (TransportError, Unexpected):
                pass  # recorded with the request
            if self.think:
                time.sleep(self.rng.expovariate(1 / self.think))
        self.client.close()

    # what a user does
    @property
    def base(self):
        return f"/plans/{PLAN}"

    @property
    def api(self):
        return f"/api/plans/{PLAN}"

    def dashboard(self):
        self.client.request("page:dashboard", "GET", f"{self.base}/")

    def project_list(self):
        w, r = self.world, self.rng
        params = {}
        if r.random() < 0.4:
            params["year"] = r.choice(w["years"])
        if r.random() < 0.3:
            params["category"] = r.choice(w["categories"])
        if r.random() < 0.15:
            params["nature"] = r.choice(w["natures"])
        if r.random() < 0.15:
            params["status"] = r.choice(w["statuses"])
        if r.random() < 0.15:
            params["q"] = r.choice(w["words"])
        if r.random() < 0.1:
            params["amount_min"] = r.choice(["10", "100", "500"])
        if r.random() < 0.5:
            params["sort"] = r.choice(w["sorts"])
        if r.random() < 0.3:
            params["page"] = r.choice([1, 2, 3])
        query = f"?{urlencode(params)}" if params else ""
        self.client.request("page:projects", "GET", f"{self.base}/projects/{query}")

    def project(self):
        pk = self.rng.choice(self.world["projects"])
        self.client.request("page:project", "GET", f"{self.base}/projects/{pk}/")

    def totals(self):
        self.client.request("page:totals", "GET", f"{self.base}/totals/")

    def disagreements(self):
        self.client.request("page:disagreements", "GET", f"{self.base}/disagreements/")

    def api_projects(self):
        w, r = self.world, self.rng
        params = {"limit": r.choice([20, 50, 100]), "offset": r.choice([0, 0, 50, 100])}
        if r.random() < 0.5:
            params["year"] = r.choice(w["years"])
        if r.random() < 0.3:
            params["category"] = r.choice(w["categories"])
        if r.random() < 0.3:
            params["ordering"] = r.choice(["name", "-id", "status", "category"])
        self.client.request("api:projects", "GET", f"{self.api}/projects/?{urlencode(params)}", api=True)

    def api_budgets(self):
        w, r = self.world, self.rng
        params = {"limit": r.choice([50, 100, 500])}
        if r.random() < 0.5:
            params["year"] = r.choice(w["years"])
        elif r.random() < 0.5:
            params["project"] = r.choice(w["projects"])
        self.client.request("api:budgets", "GET", f"{self.api}/budgets/?{urlencode(params)}", api=True)

    def api_stated_figures(self):
        params = {"year": self.rng.choice([*self.world["years"], "all"])} if self.rng.random() < 0.5 else {}
        query = f"?{urlencode(params)}" if params else ""
        self.client.request("api:stated-figures", "GET", f"{self.api}/stated-figures/{query}", api=True)

    def api_rollups(self):
        kind = self.rng.choice(["category", "total", "unit", "township"])
        self.client.request("api:rollups", "GET", f"{self.api}/rollups/?kind={kind}", api=True)

    def _budget(self):
        w, r = self.world, self.rng
        return r.choice(w["hot"]) if r.random() < 0.5 else r.choice(w["budgets"])

    def _edit(self):
        """One amount to change, as county staff would: a planned source with the total following it (cooperation +
        local funds), or a disbursed amount within what was planned. Returns the field and `change(current amounts)`,
        the fields to send, worked out again on the record as it is at each attempt."""
        field = self.rng.choice(EDITED_FIELDS)
        yuan = self.rng.randint(0, 50_000_000)  # up to 5,000 万元, exact to the yuan
        value, share = Decimal(yuan) / 10_000, Decimal(self.rng.randint(0, 100)) / 100

        def change(current: dict) -> dict:
            if field in ("beijing_funds", "local_funds"):
                other = current["local_funds" if field == "beijing_funds" else "beijing_funds"] or 0
                return {field: f"{value:.4f}", "total_investment": f"{value + other:.4f}"}
            planned = current["beijing_funds" if field == "actual_beijing_funds" else "local_funds"] or 0
            return {field: f"{(planned * share).quantize(YUAN, ROUND_DOWN):.4f}"}

        return field, change

    def api_edit(self):
        """GET the budget, PATCH one amount with the version read; on 409 stale fetch it again and retry."""
        budget_id, _project_id = self._budget()
        field, change = self._edit()
        url = f"{self.api}/budgets/{budget_id}/"
        for _attempt in range(EDIT_ATTEMPTS):
            current = self.client.request("api:budget", "GET", url, api=True).json()
            sent = change({name: _amount(current[name]) for name in AMOUNT_FIELDS})
            try:
                answer = self.client.request("api:budget", "PATCH", url, api=True,
                                             data={**sent, "version": current["version"]})
            except TransportError:
                self.uncertain.add(budget_id)
                raise
            if answer.status == 409:
                if answer.json().get("code") != "stale":
                    self.rec.unexpected.append(("api:budget PATCH", 409, answer.text[:300]))
                    return
                self.conflicts["api:budget PATCH"] += 1
                continue
            saved = answer.json()
            self.acks.append({"budget": budget_id, "field": field, "value": sent[field], "version": saved["version"],
                              "via": "api", "amounts": {name: saved[name] for name in AMOUNT_FIELDS},
                              "at": time.time()})
            return
        self.gave_up += 1

    def web_edit(self):
        """The edit page: GET the form, change an amount, POST it back. A 409 page is the form rebased on the newer
        version (your entries kept): post it again. A form that asks to confirm figures that disagree (the
        `confirm_figures` checkbox) gets it ticked and is posted again, as the page asks."""
        budget_id, project_id = self._budget()
        field, change = self._edit()
        url = f"{self.base}/projects/{project_id}/budgets/{budget_id}/edit/"
        page = self.client.request("page:budget-edit", "GET", url)
        ticked = False
        for _attempt in range(EDIT_ATTEMPTS):
            form = Forms(page.text).form_with("version")
            if form is None:
                self.rec.unexpected.append((f"page:budget-edit {'POST' if _attempt else 'GET'}", page.status,
                                            f"{url}: no edit form on the page"))
                return
            fields = form["fields"]
            if page.status == 200 and _attempt and "confirm_figures" in form["checkboxes"]:
                fields["confirm_figures"] = "on"
                ticked = True
                self.confirmations += 1
            fields.update(change({name: _amount(fields.get(name)) for name in AMOUNT_FIELDS}))
            try:
                page = self.client.request("page:budget-edit", "POST", url, form=fields,
                                           referer=self.client.origin + url, expect={200, 302, 409})
            except TransportError:
                self.uncertain.add(budget_id)
                raise
            if page.status == 409:
                self.conflicts["page:budget-edit POST"] += 1
                continue
            if page.status == 200:
                asks = (Forms(page.text).form_with("version") or {"checkboxes": ()})["checkboxes"]
                if "confirm_figures" in asks and not ticked:
                    continue  # the page asks whether the figures are right: tick and save again
                self.rec.unexpected.append(("page:budget-edit POST", 200, f"{url}: {_form_errors(page.text)}"))
                return
            # 302: saved, as the version posted + 1 (the service refuses any other base), with what was posted.
            self.acks.append({"budget": budget_id, "field": field, "value": fields[field],
                              "version": int(fields["version"]) + 1, "via": "web",
                              "amounts": {name: fields.get(name) for name in AMOUNT_FIELDS}, "at": time.time()})
            location = urlsplit(page.headers.get("Location", ""))
            self.client.request("page:project", "GET", location.path + (f"?{location.query}" if location.query else ""))
            return
        self.gave_up += 1


def _form_errors(html: str) -> str:
    """The error texts of a form page (Django's errorlist items), for the report."""
    errors = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', html, re.S)
    text = " | ".join(re.sub(r"<[^>]+>", "", e).strip() for e in errors)
    return (text or "a form page without error texts")[:400]


def _floor(port: int, users: int, seconds: float, route: str, path: str) -> list:
    """Every user fetches `path` for `seconds`: the latency of the server with nothing behind it."""
    recorders = [Recorder() for _ in range(users)]
    end = time.time() + seconds

    def loop(rec):
        rec.phase = "floor"
        client = Client(port, rec)
        while time.time() < end:
            with contextlib.suppress(TransportError, Unexpected):
                client.request(route, "GET", path)
        client.close()

    threads = [threading.Thread(target=loop, args=(rec,), daemon=True) for rec in recorders]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return recorders


# --- the servers -----------------------------------------------------------------------------------

def _die_with_parent():
    """In the child, before exec: its own process group, and SIGTERM when the load check's process dies."""
    os.setsid()
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Services:
    """gunicorn, the Celery worker and beat: started with their logs in a folder, stopped by process group."""

    def __init__(self, logs: Path, env: dict):
        self.logs, self.env = logs, env
        self.procs: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, args: list[str]) -> subprocess.Popen:
        with open(self.logs / f"{name}.log", "wb") as log:
            proc = subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent)
        self.procs.append((name, proc))
        return proc

    def check_alive(self):
        for name, proc in self.procs:
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited ({proc.returncode}):\n{self.tail(name)}")

    def tail(self, name: str, chars: int = 3000) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    def stop(self):
        for _name, proc in reversed(self.procs):
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.time() + 20
        for _name, proc in self.procs:
            try:
                proc.wait(timeout=max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                pass
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)  # whatever is left of the group (a stuck worker child)
            proc.wait()
        self.procs.clear()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(args, env, what: str) -> str:
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        raise RuntimeError(f"{what} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}")
    return result.stdout


def _get(port: int, path: str) -> Response | None:
    conn = HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", path, headers={"X-Forwarded-Proto": "https"})
        answer = conn.getresponse()
        return Response(answer.status, answer.headers, answer.read())
    except (OSError, HTTPException):
        return None
    finally:
        conn.close()


def _wait_until(what: str, ready, services: Services, timeout: float = 90):
    deadline = time.time() + timeout
    while time.time() < deadline:
        services.check_alive()
        if ready():
            return
        time.sleep(0.25)
    raise RuntimeError(f"{what} not ready after {timeout:.0f} s")


# --- setting up the world --------------------------------------------------------------------------

def _environment(db_url: str, redis_url: str, var_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    env.update(
        DATABASE_URL=db_url, CELERY_BROKER_URL=redis_url, PLANPORTAL_VAR_DIR=str(var_dir),
        DEBUG="0", SECRET_KEY=secrets.token_urlsafe(64), ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SETTINGS_MODULE="planportal.settings", PYTHONUNBUFFERED="1",
    )
    return env


def _fresh_database(db_url: str):
    import psycopg

    name = db_url.rsplit("/", 1)[1]
    with psycopg.connect(db_url.rsplit("/", 1)[0] + "/postgres", autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _flush_redis(redis_url: str):
    import redis

    redis.Redis.from_url(redis_url, socket_connect_timeout=2).flushdb()


def _seed(env: dict, users: list[dict], services: "Services") -> dict:
    """Migrate; load the bundled plan and demo users and collect static files while the worker and beat start;
    then the members, and what the users pick from."""
    manage = [sys.executable, "manage.py"]
    _run([*manage, "migrate", "--noinput"], env, "migrate")
    services.start("worker", [sys.executable, "-m", "celery", "-A", "planportal", "worker", "--loglevel=INFO",
                              "-n", f"loadtest-{os.getpid()}@%h"])
    services.start("beat", [sys.executable, "-m", "celery", "-A", "planportal", "beat", "--loglevel=INFO",
                            f"--pidfile={services.logs.parent / 'beat.pid'}"])
    jobs = [
        (subprocess.Popen([*manage, "load_demo"], cwd=ROOT, env={**env, "DEBUG": "1"}, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL), "load_demo (DEBUG=1)"),
        (subprocess.Popen([*manage, "collectstatic", "--noinput"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL), "collectstatic"),
    ]
    # Meanwhile Django in this process, with the servers' settings (the checks need it too).
    os.environ.update(env)
    import django

    django.setup()
    for proc, what in jobs:
        out, err = proc.communicate()
        if proc.returncode != 0:
            raise RuntimeError(f"{what} failed:\n{out[-2000:]}\n{err[-4000:]}")
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command

    from funding.models import AnnualBudget
    from funding.filters import SORT_LABELS
    from plans.models import Category, Plan, PlanYear
    from projects.models import Project

    # The demo users have their password; the others get one account each (one hash for all: hashing is
    # slow on purpose), then their role through `grant_role`, as an operator gives it.
    User = get_user_model()
    hashed = make_password(users[-1]["password"])
    for user in users:
        if not User.objects.filter(username=user["username"]).exists():
            User.objects.create(username=user["username"], password=hashed, is_staff=True)
        call_command("grant_role", user["username"], plan=PLAN, role=user["role"], stdout=io.StringIO())

    plan = Plan.objects.get(code=PLAN)
    editable_years = list(PlanYear.objects.filter(plan=plan).exclude(review_status=PlanYear.Review.APPROVED)
                          .values_list("pk", flat=True))
    budgets = list(AnnualBudget.objects.filter(plan_year__in=editable_years).order_by("pk")
                   .values_list("pk", "project_id"))
    names = list(Project.objects.for_plan(plan).values_list("name", flat=True))
    rng = random.Random(7)
    sorts = [*SORT_LABELS, *(f"-{key}" for key in SORT_LABELS if key != "category")]
    return {
        "plan_id": plan.pk,
        "years": list(plan.years),
        "categories": list(Category.objects.filter(plan=plan).values_list("pk", flat=True)),
        "natures": list(Project.Nature.values),
        "statuses": list(Project.Status.values),
        "sorts": sorts,
        "words": sorted({name[:2] for name in names if len(name) >= 2}) or ["项目"],
        "projects": list(Project.objects.for_plan(plan).values_list("pk", flat=True)),
        "budgets": budgets,
        "hot": rng.sample(budgets, min(HOT_BUDGETS, len(budgets))),
    }


# --- the checks ------------------------------------------------------------------------------------

def _settle(started_at: float) -> dict:
    """Wait until no change waits for its totals (the outbox is empty); seconds since the end of the mix."""
    from django.db import close_old_connections

    from rollups.models import RecomputeState
    from rollups.services import oldest_pending_age

    deadline = time.time() + SETTLE_TIMEOUT
    while True:
        close_old_connections()
        age = oldest_pending_age()
        if age is None:
            errors = list(RecomputeState.objects.exclude(last_error="").values_list("last_error", flat=True))
            return {"ok": True, "settled_after_s": round(time.time() - started_at, 2), "last_errors": errors}
        if time.time() > deadline:
            return {"ok": False, "settled_after_s": None, "oldest_pending_s": round(age, 1),
                    "detail": f"still pending after {SETTLE_TIMEOUT} s"}
        time.sleep(0.2)


def _check_edits(acks: list[dict], uncertain: set) -> dict:
    """Every acknowledged edit is in the database: its version in the history with its amounts; the last one current."""
    from funding.models import AnnualBudget

    problems = []
    by_budget = collections.defaultdict(list)
    for ack in acks:
        by_budget[ack["budget"]].append(ack)
    history = collections.defaultdict(dict)
    for row in AnnualBudget.history.filter(id__in=list(by_budget)).values("id", "version", *AMOUNT_FIELDS):
        history[row["id"]].setdefault(row["version"], []).append(row)
    current = {row["id"]: row for row in AnnualBudget.objects.filter(pk__in=list(by_budget))
               .values("id", "version", *AMOUNT_FIELDS)}

    def same(amounts: dict, row: dict) -> list[str]:
        return [f"{name}: acknowledged {amounts[name]}, stored {row[name]}" for name in AMOUNT_FIELDS
                if _amount(amounts[name]) != row[name]]

    for budget_id, edits in sorted(by_budget.items()):
        versions = collections.Counter(ack["version"] for ack in edits)
        for version, count in versions.items():
            if count > 1:
                problems.append(f"budget {budget_id}: {count} acknowledged edits got version {version} (lost update)")
        for ack in edits:
            rows = history[budget_id].get(ack["version"], [])
            if len(rows) != 1:
                problems.append(f"budget {budget_id} v{ack['version']} ({ack['via']}): {len(rows)} history rows")
            elif diffs := same(ack["amounts"], rows[0]):
                problems.append(f"budget {budget_id} v{ack['version']} ({ack['via']}) in history: {'; '.join(diffs)}")
            if _amount(ack["amounts"][ack["field"]]) != _amount(ack["value"]):
                problems.append(f"budget {budget_id} v{ack['version']}: {ack['field']} answered "
                                f"{ack['amounts'][ack['field']]}, sent {ack['value']}")
        last = max(edits, key=lambda ack: ack["version"])
        row = current.get(budget_id)
        if row is None:
            problems.append(f"budget {budget_id}: gone")
        elif row["version"] != last["version"] and not (budget_id in uncertain and row["version"] > last["version"]):
            problems.append(f"budget {budget_id}: version {row['version']} stored, last acknowledged {last['version']}")
        elif row["version"] == last["version"] and (diffs := same(last["amounts"], row)):
            problems.append(f"budget {budget_id} v{row['version']} now: {'; '.join(diffs)}")
    return {"ok": not problems, "edits": len(acks), "budgets": len(by_budget), "uncertain_budgets": len(uncertain),
            "problems": problems[:50], "problem_count": len(problems)}


def _derived_snapshot(plan_id: int) -> dict:
    from indicators.models import DerivedValue
    from rollups.models import Rollup, Variance

    def rows(queryset, fields):
        return collections.Counter(
            tuple(json.dumps(v, sort_keys=True, default=str) if isinstance(v, (dict, list)) else v for v in row)
            for row in queryset.values_list(*fields))

    return {
        "rollups": rows(Rollup.objects.filter(plan_id=plan_id),
                        ["kind", "year", "category_id", "unit_id", "township_id", "projects", *AMOUNT_FIELDS]),
        "variances": rows(Variance.objects.filter(plan_id=plan_id),
                          ["kind", "status", "figure_id", "year", "category_id", "metric", "stated", "computed",
                           "difference", "source", "details"]),
        "derived_values": rows(DerivedValue.objects.filter(indicator__plan_id=plan_id),
                               ["indicator_id", "year", "value", "rule"]),
    }


def _check_rollups(plan_id: int) -> dict:
    """The stored totals, disagreements and derived counts against a fresh recompute (rolled back afterwards)."""
    from django.db import transaction

    from rollups.services import recompute_plan

    stored = _derived_snapshot(plan_id)
    logging.getLogger("rollups.services").setLevel(logging.WARNING)  # its "recomputed plan …" is not news here
    with transaction.atomic():
        recompute_plan(plan_id)
        fresh = _derived_snapshot(plan_id)
        transaction.set_rollback(True)
    result = {"ok": True}
    for table in stored:
        missing, extra = fresh[table] - stored[table], stored[table] - fresh[table]
        result[table] = {"rows": sum(stored[table].values()), "equal": not missing and not extra}
        if missing or extra:
            result["ok"] = False
            result[table].update(only_in_fresh=[repr(r) for r in list(missing)[:10]],
                                 only_in_stored=[repr(r) for r in list(extra)[:10]])
    return result


# --- figures ---------------------------------------------------------------------------------------

def _percentile(sorted_values: list[float], p: float) -> float | None:
    if not sorted_values:
        return None
    return sorted_values[max(0, math.ceil(p / 100 * len(sorted_values)) - 1)]


def _latencies(rows) -> dict:
    values = sorted(row[4] for row in rows)
    ms = lambda v: None if v is None else round(v * 1000, 1)  # noqa: E731
    return {"count": len(values), "p50_ms": ms(_percentile(values, 50)), "p95_ms": ms(_percentile(values, 95)),
            "p99_ms": ms(_percentile(values, 99)), "max_ms": ms(values[-1] if values else None)}


def _route_figures(rows, seconds: float, floors: dict | None = None) -> dict:
    """Latencies and answers by route group; each p50 over the p50 of each floor (the static file, /healthz)."""
    groups = collections.defaultdict(list)
    for row in rows:
        groups[row[1]].append(row)
    figures = {}
    for group in sorted(groups):
        g = groups[group]
        statuses = collections.Counter(row[3] for row in g)
        figures[group] = {
            **_latencies(g),
            "per_s": round(len(g) / seconds, 1) if seconds else None,
            "statuses": {str(k): v for k, v in sorted(statuses.items())},
            "5xx": sum(v for k, v in statuses.items() if k >= 500),
            **_over_floors(_latencies(g)["p50_ms"], floors),
        }
    return figures


def _over_floors(p50: float | None, floors: dict | None) -> dict:
    return {f"p50_over_{name}": (round(p50 / floor, 1) if p50 is not None and floor else None)
            for name, floor in (floors or {}).items()}


def _machine() -> dict:
    memory_kb = None
    with contextlib.suppress(OSError, ValueError, IndexError):
        memory_kb = int(next(line for line in open("/proc/meminfo") if line.startswith("MemTotal")).split()[1])
    return {"nproc": os.cpu_count(), "memory_gib": round(memory_kb / 2**20, 1) if memory_kb else None,
            "python": platform.python_version(), "system": platform.platform()}


def _table(report: dict) -> str:
    lines = [f"{'route':<28} {'n':>6} {'per s':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} "
             f"{'5xx':>4} {'p50/static':>10} {'p50/healthz':>11}  statuses"]
    sections = [("floor", report["floor"]), ("sign-in", report["sign_in"]), ("mix", report["routes"]),
                ("", {"mix overall": report["overall"]})]
    for title, routes in sections:
        if title:
            lines.append(f"-- {title}")
        for name, f in routes.items():
            cell = lambda v: "-" if v is None else str(v)  # noqa: E731
            lines.append(f"{name:<28} {f['count']:>6} {cell(f.get('per_s')):>6} {cell(f['p50_ms']):>8} "
                         f"{cell(f['p95_ms']):>8} {cell(f['p99_ms']):>8} {cell(f['max_ms']):>8} "
                         f"{cell(f.get('5xx')):>4} {cell(f.get('p50_over_static')):>10} "
                         f"{cell(f.get('p50_over_healthz')):>11}  "
                         f"{' '.join(f'{k}:{v}' for k, v in f.get('statuses', {}).items())}")
    return "\n".join(lines)


# --- the run ---------------------------------------------------------------------------------------

def _users(count: int, password: str) -> list[dict]:
    """Editors (staff) and readers (liaison): about 60/40, the demo users `staff` and `liaison` first."""
    readers = max(1, round(count * 0.4)) if count > 1 else 0
    editors = count - readers
    users = [{"username": "staff" if i == 0 else f"loadtest-staff-{i + 1:02d}", "role": "staff"}
             for i in range(editors)]
    users += [{"username": "liaison" if i == 0 else f"loadtest-liaison-{i + 1:02d}", "role": "liaison"}
              for i in range(readers)]
    tokens = 0
    for i, user in enumerate(users):
        user["password"] = "planportal-demo" if user["username"] in ("staff", "liaison") else password
        # Every other user (editors and readers alike) calls the API with a token, the others with their session.
        user["token"] = i % 2 == 1 and tokens < MAX_TOKEN_USERS
        tokens += user["token"]
    return users


def run(args) -> dict:
    quick = args.quick
    suffix = "_quick" if quick else ""
    db_url = f"{PG_SERVER}/planportal_loadtest{suffix}"
    redis_url = f"{REDIS_SERVER}/{13 if quick else 14}"
    work = Path(tempfile.mkdtemp(prefix="planportal-loadtest-"))
    (work / "logs").mkdir()
    env = _environment(db_url, redis_url, work / "var")
    services = Services(work / "logs", env)
    report = {"when": datetime.datetime.now().astimezone().isoformat(timespec="seconds"), "machine": _machine(),
              "quick": quick, "seconds": args.seconds, "users": args.users, "database": db_url,
              "broker": redis_url, "gunicorn_workers": GUNICORN_WORKERS, "think_s": args.think,
              "logs": str(work / "logs")}
    # Other work on the machine shows here: the 1, 5 and 15 minute load averages before anything started.
    report["machine"]["load_average_at_start"] = [round(x, 2) for x in os.getloadavg()]
    t_setup = time.time()
    ok = False
    try:
        _fresh_database(db_url)
        _flush_redis(redis_url)
        password = secrets.token_urlsafe(18)
        users = _users(args.users, password)
        world = _seed(env, users, services)
        report["timings_s"] = {"setup": round(time.time() - t_setup, 1)}
        t_phase = time.time()

        port = _free_port()
        py = sys.executable
        services.start("gunicorn", [py, "-m", "gunicorn", "planportal.wsgi", "-w", str(GUNICORN_WORKERS),
                                    "-b", f"127.0.0.1:{port}", "--timeout", "60", "--graceful-timeout", "10"])

        def healthy():
            answer = _get(port, "/healthz")
            return answer is not None and answer.status == 200 and answer.json().get("status") == "ok"

        _wait_until("gunicorn (/healthz ok)", healthy, services)
        _wait_until("the Celery worker", lambda: " ready." in services.tail("worker", 100_000), services)
        _wait_until("celery beat", lambda: "beat: Starting" in services.tail("beat", 100_000), services)
        static = "/static/img/favicon.svg"
        if (answer := _get(port, static)) is None or answer.status != 200:
            raise RuntimeError(f"the static file {static} is not served")

        report["timings_s"]["servers_start"] = round(time.time() - t_phase, 1)
        t_phase = time.time()

        # 1. the floor
        floor_seconds = 1.5 if quick else 8
        floor_rows = []
        for route, path in (("floor:static", static), ("floor:healthz", "/healthz")):
            for rec in _floor(port, args.users, floor_seconds, route, path):
                floor_rows += rec.rows
                report.setdefault("floor_unexpected", []).extend(rec.unexpected[:5])
        floor = _route_figures(floor_rows, floor_seconds)
        floors = {"static": floor.get("floor:static GET", {}).get("p50_ms"),
                  "healthz": floor.get("floor:healthz GET", {}).get("p50_ms")}
        report["timings_s"]["floor"] = round(time.time() - t_phase, 1)

        # 2. sign-in, then 3. the mix
        t_phase = time.time()
        report["machine"]["load_average_before_mix"] = [round(x, 2) for x in os.getloadavg()]
        clock = {}
        barrier = threading.Barrier(len(users), action=lambda: clock.update(start=time.time(),
                                                                           end=time.time() + args.seconds))
        threads = [User(i, u["username"], u["password"], u["role"], u["token"], port, world, args.seed * 1000 + i,
                        barrier, clock, args.think) for i, u in enumerate(users)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(args.seconds + 300)
        mix_end = time.time()
        report["machine"]["load_average_after_mix"] = [round(x, 2) for x in os.getloadavg()]
        mix_seconds = mix_end - clock["start"]
        rows = [row for t in threads for row in t.rec.rows]
        mix_rows = [row for row in rows if row[0] == "mix"]
        acks = [ack for t in threads for ack in t.acks]
        last_ack = max((ack["at"] for ack in acks), default=mix_end)

        report["floor"] = floor
        report["sign_in"] = _route_figures([row for row in rows if row[0] == "sign-in"], 0)
        report["routes"] = _route_figures(mix_rows, mix_seconds, floors)
        overall = _latencies(mix_rows)
        report["overall"] = {**overall, "per_s": round(len(mix_rows) / mix_seconds, 1),
                             "5xx": sum(1 for row in mix_rows if row[3] >= 500),
                             **_over_floors(overall["p50_ms"], floors)}
        report["timings_s"]["sign_in_and_mix"] = round(mix_end - t_phase, 1)
        report["mix_seconds"] = round(mix_seconds, 1)
        report["requests"] = len(mix_rows)
        report["requests_per_s"] = report["overall"]["per_s"]
        conflicts = sum((t.conflicts for t in threads), collections.Counter())
        report["edits"] = {
            "acknowledged": len(acks),
            "acknowledged_api": sum(1 for a in acks if a["via"] == "api"),
            "acknowledged_web": sum(1 for a in acks if a["via"] == "web"),
            "conflicts_409": sum(conflicts.values()),
            "conflicts_by_route": dict(conflicts),
            "gave_up_after_retries": sum(t.gave_up for t in threads),
            "web_confirmations": sum(t.confirmations for t in threads),
            "budgets_edited": len({a["budget"] for a in acks}),
        }
        report["failed_users"] = {t.username: t.failed for t in threads if t.failed}

        # The checks: first the totals must settle, with the servers still running; then the servers stop.
        settle = _settle(last_ack)
        services.stop()
        all_rows = rows + floor_rows
        fivexx = collections.Counter(row[1] for row in all_rows if row[3] >= 500)
        unexpected = [u for t in threads for u in t.rec.unexpected] + report.pop("floor_unexpected", [])
        unexpected_by_route = collections.Counter(f"{route} {status}" for route, status, _ in unexpected)
        uncertain = set().union(*(t.uncertain for t in threads))
        report["checks"] = {
            "no_5xx": {"ok": not fivexx, "by_route": dict(fivexx)},
            "answers_as_expected": {"ok": not unexpected and not report["failed_users"],
                                    "by_route_and_status": dict(unexpected_by_route),
                                    "examples": [f"{r} {s}: {text}" for r, s, text in unexpected[:10]]},
            "edits_in_database": _check_edits(acks, uncertain),
            "rollups_settled": settle,
            "rollups_equal_fresh_recompute": (_check_rollups(world["plan_id"]) if settle["ok"]
                                              else {"ok": False, "detail": "not compared: never settled"}),
        }
        if not report["checks"]["edits_in_database"]["edits"]:
            report["checks"]["edits_in_database"].update(ok=False, detail="no edit was acknowledged")
        report["server_errors_logged"] = _logged_errors(work / "logs")
        report["timings_s"]["total"] = round(time.time() - t_setup, 1)
        ok = all(check["ok"] for check in report["checks"].values())
        report["ok"] = ok
        return report
    except Exception as exc:  # a server that did not start, a database that is not there: say why, keep the logs
        report.update(ok=False, error=f"{type(exc).__name__}: {exc}", traceback=traceback.format_exc())
        return report
    finally:
        services.stop()
        if ok and not args.keep:
            shutil.rmtree(work, ignore_errors=True)
            report["logs"] = None


def _logged_errors(logs: Path) -> dict:
    """Tracebacks and timeouts in the servers' logs (the first lines of each)."""
    found = {}
    for path in sorted(logs.glob("*.log")):
        text = path.read_text(errors="replace")
        blocks = []
        lines = text.splitlines()
        for i, line in enumerate(lines):
            if ("Traceback" in line or "WORKER TIMEOUT" in line or "ERROR/" in line
                    or "Internal Server Error" in line):
                blocks.append("\n".join(lines[max(0, i - 1):i + 25]))
        if blocks:
            found[path.stem] = {"count": len(blocks), "first": blocks[:3]}
    return found


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.loadtest", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, help="length of the mix (60; --quick: 10)")
    parser.add_argument("--users", type=int, help="simulated users (20; --quick: 4)")
    parser.add_argument("--quick", action="store_true", help="10 s, 4 users: proves the load check still works")
    parser.add_argument("--think", type=float, default=0.0, help="mean think time between a user's actions, s")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", help="where to write the JSON report (bench/loadtest.json; --quick: none)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, static files)")
    args = parser.parse_args(argv)
    args.seconds = args.seconds or (10 if args.quick else 60)
    args.users = args.users or (4 if args.quick else 20)
    if args.users < 2:
        parser.error("--users must be at least 2 (an editor and a reader)")
    json_path = args.json or (None if args.quick else str(ROOT / "bench" / "loadtest.json"))
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the servers (finally) on SIGTERM too

    report = run(args)
    if report.get("error"):
        print(f"the load check could not run: {report['error']}\nlogs kept in {report['logs']}", file=sys.stderr)
        if json_path:
            Path(json_path).write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        return 2
    print(_table(report))
    print(f"\n{report['requests']} requests in {report['mix_seconds']} s: {report['requests_per_s']}/s; "
          f"edits acknowledged {report['edits']['acknowledged']} (api {report['edits']['acknowledged_api']}, "
          f"web {report['edits']['acknowledged_web']}), 409 conflicts {report['edits']['conflicts_409']}; "
          f"totals settled {report['checks']['rollups_settled'].get('settled_after_s')} s after the last edit")
    for name, check in report["checks"].items():
        detail = "" if check["ok"] else "  " + json.dumps({k: v for k, v in check.items() if k != "ok"},
                                                          ensure_ascii=False)[:2000]
        print(f"{'ok  ' if check['ok'] else 'FAIL'} {name}{detail}")
    if report.get("server_errors_logged"):
        print("errors in the server logs:", json.dumps(report["server_errors_logged"], ensure_ascii=False)[:3000])
    if not report["ok"]:
        print(f"logs kept in {report['logs']}")
    if json_path:
        Path(json_path).write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
