"""Brute-force protection on every way in (issue 10, item 3): the sign-in page, the admin's, POST /api/token/.

The policy (planportal/signin.py, README "Sign-in protection"): a user name at one
address is locked after AXES_FAILURE_LIMIT failures, an address after
LOGIN_FAILURE_LIMIT_PER_ADDRESS across user names; never a user name alone. A lock
refuses the right password too, for AXES_COOLOFF_TIME after the last attempt.
"""

import logging
from datetime import timedelta
from io import StringIO

import pytest
from axes.models import AccessAttempt, AccessLog
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db.models import F
from django.test import Client, RequestFactory
from django.utils import translation
from rest_framework.authtoken.models import Token
from rest_framework.throttling import ScopedRateThrottle

from planportal.env import env_rate
from planportal.signin import client_address
from tests.factories import UserFactory
from tests.test_settings import GOOD_KEY, manage

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-1"
HERE, THERE = "10.0.0.1", "10.0.0.2"
DOORS = ("page", "admin", "token")
URLS = {"page": "/accounts/login/", "admin": "/admin/login/?next=/admin/", "token": "/api/token/"}


@pytest.fixture
def amy(db):
    # A superuser, so that the admin's sign-in lets her in too.
    return UserFactory(username="amy", is_staff=True, is_superuser=True)


def attempt(door, username, password, address=HERE, language=None, **extra):
    """One sign-in through `door`, from a browser of its own at `address`."""
    headers = {"REMOTE_ADDR": address, **extra}
    if language:
        headers["HTTP_ACCEPT_LANGUAGE"] = language
    return Client().post(URLS[door], {"username": username, "password": password}, **headers)


def signed_in(door, response) -> bool:
    if door == "token":
        return response.status_code == 200 and "token" in response.json()
    return response.status_code == 302 and response["Location"] == ("/admin/" if door == "admin" else "/")


def refused_normally(door, response) -> bool:
    """A wrong password, answered as ever: the form again, or 400 on the API."""
    return response.status_code == (400 if door == "token" else 200)


def lock_out(door, username="amy", address=HERE):
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        response = attempt(door, username, "wrong", address)
    return response


def locked(door, response) -> bool:
    if response.status_code != 429:
        return False
    if door == "token":
        return response.json()["code"] == "locked_out"
    return "registration/locked_out.html" in [t.name for t in response.templates]


def age_attempts(by: timedelta):
    """As if every failure so far had happened `by` earlier."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - by)


# --- the cases ---------------------------------------------------------------------------------

@pytest.mark.parametrize("door", DOORS)
def test_after_the_limit_even_the_right_password_is_refused(door, amy):
    limit = django_settings.AXES_FAILURE_LIMIT
    for n in range(1, limit):
        assert refused_normally(door, attempt(door, "amy", "wrong")), f"failure {n} of {limit}"
    assert locked(door, attempt(door, "amy", "wrong")), "the last failure allowed is answered with the lock"
    for _ in range(3):
        response = attempt(door, "amy", PASSWORD)
        assert locked(door, response)
        assert int(response["Retry-After"]) == django_settings.AXES_COOLOFF_TIME.total_seconds()
    assert not Token.objects.filter(user=amy).exists()
    assert not AccessLog.objects.filter(username="amy").exists()  # never signed in


@pytest.mark.parametrize("door", DOORS)
def test_the_right_password_works_below_the_limit(door, amy):
    for _ in range(django_settings.AXES_FAILURE_LIMIT - 1):
        attempt(door, "amy", "wrong")
    assert signed_in(door, attempt(door, "amy", PASSWORD))


def test_the_doors_share_one_count(amy):
    """Failures on the page, in the admin and on the API add up: trying each door in turn gains nothing."""
    for n in range(django_settings.AXES_FAILURE_LIMIT - 1):
        attempt(DOORS[n % 3], "amy", "wrong")
    assert locked("token", attempt("token", "amy", "wrong"))
    assert locked("page", attempt("page", "amy", PASSWORD))
    assert locked("admin", attempt("admin", "amy", PASSWORD))


@pytest.mark.parametrize("door", DOORS)
def test_a_lock_holds_one_name_at_one_address_only(door, amy):
    UserFactory(username="bob", is_staff=True, is_superuser=True)
    lock_out(door, "amy", HERE)
    assert locked(door, attempt(door, "amy", PASSWORD, HERE))
    # Amy elsewhere, and a colleague at the same address, still sign in.
    assert signed_in(door, attempt(door, "amy", PASSWORD, THERE))
    assert signed_in(door, attempt(door, "bob", PASSWORD, HERE))


def test_an_address_trying_many_names_is_locked_for_every_name(amy, settings):
    settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS = 8
    # Two failures per name stay far below the per-name limit, but the address adds them up.
    for n in range(4):
        for _ in range(2):
            last = attempt("page", f"guess{n}", "wrong", HERE)
    assert last.status_code == 429
    assert locked("page", attempt("page", "amy", PASSWORD, HERE))
    assert locked("token", attempt("token", "amy", PASSWORD, HERE))
    assert signed_in("page", attempt("page", "amy", PASSWORD, THERE))


def test_a_forwarded_for_header_does_not_change_the_address(amy):
    """Without REVERSE_PROXY_COUNT, X-Forwarded-For is the client's to choose: it is not read."""
    limit = django_settings.AXES_FAILURE_LIMIT
    for n in range(limit):
        attempt("page", "amy", "wrong", HERE, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    assert locked("page", attempt("page", "amy", PASSWORD, HERE, HTTP_X_FORWARDED_FOR="192.0.2.200"))


def test_behind_a_proxy_the_address_is_the_one_it_forwards(settings):
    factory = RequestFactory()
    spoofed = factory.post("/", REMOTE_ADDR="172.16.0.5", HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.7")
    assert client_address(spoofed) == "172.16.0.5"
    settings.REVERSE_PROXY_COUNT = 1
    assert client_address(spoofed) == "198.51.100.7"  # what our proxy saw, not what the client wrote before it
    settings.REVERSE_PROXY_COUNT = 2
    assert client_address(spoofed) == "203.0.113.9"
    assert client_address(factory.post("/", REMOTE_ADDR="172.16.0.5")) == "172.16.0.5"


@pytest.mark.parametrize("door", DOORS)
def test_the_lock_ends_after_the_cool_off(door, amy):
    cool_off = django_settings.AXES_COOLOFF_TIME
    lock_out(door)
    age_attempts(cool_off - timedelta(minutes=1))
    # Still locked a minute before the end; and that refused attempt starts the wait again.
    assert locked(door, attempt(door, "amy", PASSWORD))
    age_attempts(cool_off - timedelta(minutes=1))
    assert locked(door, attempt(door, "amy", PASSWORD))
    age_attempts(cool_off + timedelta(seconds=1))
    assert signed_in(door, attempt(door, "amy", PASSWORD))


def test_a_short_cool_off_from_the_settings(amy, settings):
    settings.AXES_COOLOFF_TIME = timedelta(minutes=2)
    lock_out("page")
    response = attempt("page", "amy", PASSWORD)
    assert locked("page", response) and response["Retry-After"] == "120"
    assert "2 分钟" in response.content.decode()
    age_attempts(timedelta(minutes=2, seconds=1))
    assert signed_in("page", attempt("page", "amy", PASSWORD))


# --- what the locked-out user reads ----------------------------------------------------------------------

def _zh(message: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(message)


def test_the_lockout_page_is_chinese_by_default(amy):
    lock_out("page")
    page = attempt("page", "amy", PASSWORD).content.decode()
    assert '<html lang="zh-hans">' in page
    assert "15 分钟" in page  # how long to wait
    assert _zh("Too many failed sign-in attempts") in page
    assert 'href="/accounts/login/"' in page  # back to the sign-in page


def test_the_lockout_page_speaks_english_to_an_english_browser(amy):
    lock_out("admin")
    response = attempt("admin", "amy", PASSWORD, language="en")
    page = response.content.decode()
    assert response.status_code == 429 and '<html lang="en">' in page
    assert "Too many failed sign-in attempts" in page
    assert "Please wait 15 minutes and try again." in page
    assert 'href="/admin/login/?next=/admin/"' in page


def test_the_api_says_why_in_json(amy):
    lock_out("token")
    body = attempt("token", "amy", PASSWORD).json()
    assert body["code"] == "locked_out" and "15 分钟" in body["detail"]
    english = attempt("token", "amy", PASSWORD, language="en").json()
    assert english == {"detail": "Too many failed sign-in attempts. Try again in 15 minutes.", "code": "locked_out"}


# --- logs, unlocking ------------------------------------------------------------------------------

def test_failures_and_lockouts_are_logged_with_name_and_address(amy, caplog):
    assert django_settings.LOGGING["loggers"]["axes"]["handlers"] == ["console"]
    axes_logger = logging.getLogger("axes")
    attached = caplog.handler in axes_logger.handlers  # the axes logger does not propagate to caplog's root
    axes_logger.addHandler(caplog.handler)
    try:
        lock_out("page")
    finally:
        if not attached:
            axes_logger.removeHandler(caplog.handler)
    failures = [r.getMessage() for r in caplog.records if "login failure by" in r.getMessage()]
    lockouts = [r.getMessage() for r in caplog.records if "Locking out" in r.getMessage()]
    assert len(failures) == django_settings.AXES_FAILURE_LIMIT and len(lockouts) == 1
    assert 'username: "amy"' in lockouts[0] and f'ip_address: "{HERE}"' in lockouts[0]
    assert "wrong" not in " ".join(failures)  # never a password


@pytest.mark.parametrize("command, args", [("axes_reset_username", ["amy"]), ("axes_reset", [])])
def test_an_administrator_unlocks_with_a_command(command, args, amy):
    for door in DOORS:
        lock_out(door)
        assert locked(door, attempt(door, "amy", PASSWORD))
        call_command(command, *args, stdout=StringIO())
        assert signed_in(door, attempt(door, "amy", PASSWORD))


def test_an_address_is_unlocked_with_axes_reset_ip(amy, settings):
    settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS = django_settings.AXES_FAILURE_LIMIT
    for n in range(django_settings.AXES_FAILURE_LIMIT):
        attempt("page", f"guess{n}", "wrong")
    assert locked("page", attempt("page", "amy", PASSWORD))
    call_command("axes_reset_ip", HERE, stdout=StringIO())
    assert signed_in("page", attempt("page", "amy", PASSWORD))


def test_superusers_see_the_attempts_in_the_admin(amy, admin_client):
    lock_out("page")
    page = admin_client.get("/admin/axes/accessattempt/")
    assert page.status_code == 200 and "amy" in page.content.decode() and HERE in page.content.decode()
    staff = UserFactory(is_staff=True)
    other = Client()
    other.force_login(staff)
    assert other.get("/admin/axes/accessattempt/").status_code == 403


# --- the token endpoint's second guard: DRF's throttle --------------------------------------------------

def test_the_token_endpoint_is_throttled_per_address(amy, settings):
    settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS = 1000  # only the throttle here
    rate = django_settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["api-token"]
    allowed, _period = ScopedRateThrottle().parse_rate(rate)
    for n in range(allowed):
        assert attempt("token", f"guess{n}", "wrong").status_code == 400
    response = attempt("token", "amy", PASSWORD)
    assert response.status_code == 429 and response.json()["code"] == "throttled" and response["Retry-After"]
    assert not Token.objects.filter(user=amy).exists()
    assert signed_in("token", attempt("token", "amy", PASSWORD, THERE))


def test_force_login_still_signs_test_clients_in(amy):
    client = Client()
    client.force_login(amy)
    assert client.get("/").status_code == 200


# --- settings -------------------------------------------------------------------------------------------

def test_the_defaults(settings):
    assert (django_settings.AXES_FAILURE_LIMIT, django_settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS) == (5, 20)
    assert django_settings.AXES_COOLOFF_TIME == timedelta(minutes=15)
    assert django_settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"], "ip_address"]
    assert django_settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert django_settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["api-token"] == "10/minute"


@pytest.mark.parametrize("raw, value", [(None, "10/minute"), ("", "10/minute"), ("30/hour", "30/hour"),
                                        (" 5/min ", "5/min")])
def test_env_rate_reads_a_rate(monkeypatch, raw, value):
    if raw is None:
        monkeypatch.delenv("API_TOKEN_RATE", raising=False)
    else:
        monkeypatch.setenv("API_TOKEN_RATE", raw)
    assert env_rate("API_TOKEN_RATE", "10/minute") == value


@pytest.mark.parametrize("raw", ["fast", "10", "0/minute", "10/fortnight", "-1/day"])
def test_env_rate_refuses_what_is_not_a_rate(monkeypatch, raw):
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setenv("API_TOKEN_RATE", raw)
    with pytest.raises(ImproperlyConfigured, match="is not a rate"):
        env_rate("API_TOKEN_RATE", "10/minute")


@pytest.mark.parametrize("env, message", [
    ({"LOGIN_FAILURE_LIMIT": "0"}, "LOGIN_FAILURE_LIMIT must be at least 1"),
    ({"LOGIN_FAILURE_LIMIT": "10", "LOGIN_FAILURE_LIMIT_PER_ADDRESS": "5"}, "LOGIN_FAILURE_LIMIT_PER_ADDRESS"),
    ({"LOGIN_COOLOFF_MINUTES": "0"}, "LOGIN_COOLOFF_MINUTES must be at least 1"),
])
def test_unsafe_sign_in_settings_stop_the_process(env, message):
    result = manage("check", DEBUG="0", SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="planportal.example.org", **env)
    assert result.returncode != 0 and message in result.stderr
