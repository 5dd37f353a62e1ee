"""Settings come from the environment; production refuses to start on unsafe ones."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOOD_KEY = "k3y-" + "x9Qz7vB2" * 8


def manage(*args, **env):
    # Only the variables under test: nothing another test set (browser tests set DJANGO_ALLOW_ASYNC_UNSAFE).
    base = {k: v for k, v in os.environ.items()
            if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    base.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=base, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_production_settings():
    result = manage("check", "--deploy", DEBUG="0", SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="planportal.example.org")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    "secret",
    [None, "", "short", "planportal-insecure-development-key-do-not-use-in-production", "a" * 60],
)
def test_production_refuses_to_start_without_a_real_secret_key(secret):
    env = {"DEBUG": "0", "ALLOWED_HOSTS": "planportal.example.org"}
    if secret is not None:
        env["SECRET_KEY"] = secret
    result = manage("check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = manage("check", DEBUG="0", SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="")
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_a_misspelt_boolean_stops_the_process():
    result = manage("check", DEBUG="flase")
    assert result.returncode != 0
    assert "DEBUG='flase' is not a boolean" in result.stderr


def test_defaults_are_the_embedded_mode(settings):
    # No broker configured in this run means tasks run eagerly in-process.
    if not os.environ.get("CELERY_BROKER_URL"):
        assert settings.CELERY_TASK_ALWAYS_EAGER is True
    if not os.environ.get("DATABASE_URL"):
        assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert settings.LANGUAGE_CODE == "zh-hans"
