"""Sign-in protection: django-axes counts failed sign-ins, and these are the project's pieces of it.

Every way in (the sign-in page, the admin's, POST /api/token/) calls
django.contrib.auth.authenticate() with the request; axes' backend, first in
AUTHENTICATION_BACKENDS, refuses a locked-out client before any password is checked,
and its signal handler counts each failure. The policy (README "Sign-in protection"):

- a user name at one client address is locked after AXES_FAILURE_LIMIT failures;
- a client address, whatever the user names, after LOGIN_FAILURE_LIMIT_PER_ADDRESS;
- never a user name alone: anyone could then lock anyone out from anywhere; the same
  user at another address, and a colleague at the same one, keep signing in;
- a lock lasts AXES_COOLOFF_TIME after the last failure, the right password refused
  too; a refused attempt counts as a failure, so it starts the wait again.

Whatever calls authenticate() must pass the request (axes' backend refuses a call
without one): tests sign in with Client.force_login, never Client.login.

The bottom layer: Django and axes only, no project app.
"""

import math
from datetime import timedelta

from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.timesince import timeuntil
from django.utils.translation import gettext as _

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off, get_lockout_parameters

LOCKED_OUT = "locked_out"  # the API's error code


def client_address(request: HttpRequest) -> str | None:
    """The client's address (AXES_CLIENT_IP_CALLABLE), the same one DRF's throttles see.

    Behind REVERSE_PROXY_COUNT proxies that each append to X-Forwarded-For, the address
    the first of them saw; without proxies REMOTE_ADDR, so a client cannot pick its own.
    """
    proxies = settings.REVERSE_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if proxies and forwarded:
        addresses = [address.strip() for address in forwarded.split(",")]
        return addresses[-min(proxies, len(addresses))] or None
    return request.META.get("REMOTE_ADDR") or None


class SignInAttempts(AxesDatabaseHandler):
    """Axes' database handler (AXES_HANDLER), with the address rule held to its own, higher limit.

    Axes compares one count with one limit (AXES_FAILURE_LIMIT, the per-name limit);
    the failures of a whole address are scaled to it: an address with
    LOGIN_FAILURE_LIMIT_PER_ADDRESS failures counts as AXES_FAILURE_LIMIT.
    """

    def get_failures(self, request, credentials=None) -> int:
        per_name, per_address = settings.AXES_FAILURE_LIMIT, settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS
        counts = [0]
        rules = get_lockout_parameters(request, credentials)
        for rule, attempts in zip(rules, self.get_user_attempts(request, credentials), strict=True):
            failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            counts.append(failures * per_name // per_address if rule == "ip_address" else failures)
        return max(counts)


def cool_off(request: HttpRequest | None = None) -> timedelta:
    return get_cool_off(request) or timedelta(0)


def wait_text(request: HttpRequest | None = None) -> str:
    """How long to wait, in the request's language ("15 分钟", "15 minutes"), rounded up to whole minutes."""
    minutes = max(1, math.ceil(cool_off(request).total_seconds() / 60))
    now = timezone.now()
    return timeuntil(now + timedelta(minutes=minutes), now).replace("\xa0", " ")


def lockout_message(request: HttpRequest | None = None) -> str:
    return _("Too many failed sign-in attempts. Try again in %(wait)s.") % {"wait": wait_text(request)}


def retry_after(request: HttpRequest | None = None) -> str:
    return str(max(1, math.ceil(cool_off(request).total_seconds())))


def lockout_page(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """The answer to a locked-out sign-in (AXES_LOCKOUT_CALLABLE): a page, HTTP 429, in the user's language."""
    response = render(request, "registration/locked_out.html",
                      {"wait": wait_text(request), "sign_in_url": request.get_full_path()},
                      status=429)
    response["Retry-After"] = retry_after(request)
    return response
