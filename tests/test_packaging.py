"""The wheel ships every project app (with its migrations and commands), and neither tools/ nor tests/."""

import importlib
import tomllib
from pathlib import Path

import pytest
from django.conf import settings
from setuptools import find_packages

ROOT = Path(__file__).resolve().parent.parent
EXPECTED_APPS = {"planportal", "plans", "projects", "funding", "indicators", "importers", "figures", "rollups",
                 "reviews", "evaluation", "succession", "portfolio", "api", "portal"}


def packaged() -> set[str]:
    """The packages setuptools puts in the wheel, found as pyproject.toml tells it to."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    find = config["tool"]["setuptools"]["packages"]["find"]
    where = find.get("where", ["."])
    assert where in (["."], ["./"], [""]), f"packages are looked for in {where}, not the repository root"
    return set(find_packages(where=str(ROOT), include=find.get("include", ["*"]), exclude=find.get("exclude", ())))


def project_apps() -> list[str]:
    """The INSTALLED_APPS whose module lives in this repository (not in site-packages)."""
    apps = []
    for entry in settings.INSTALLED_APPS:
        module = importlib.import_module(entry.split(".apps.")[0] if ".apps." in entry else entry)
        location = Path(module.__file__).resolve()
        if ROOT in location.parents and ".venv" not in location.relative_to(ROOT).parts:
            apps.append(module.__name__)
    return apps


def test_project_apps_are_the_expected_ones():
    assert set(project_apps()) == EXPECTED_APPS


@pytest.mark.parametrize("app", sorted(EXPECTED_APPS))
def test_every_project_app_is_packaged(app):
    packages = packaged()
    assert app in packages, f"app {app!r} of INSTALLED_APPS is not in the wheel: add it to " \
                            f"[tool.setuptools.packages.find] include in pyproject.toml"
    for sub in ("migrations", "management", "management.commands"):
        if (ROOT / app / Path(*sub.split("."))).is_dir():
            assert f"{app}.{sub}" in packages, f"{app}.{sub} of app {app!r} is not in the wheel " \
                                               f"(missing __init__.py, or excluded in pyproject.toml)"


def test_all_installed_project_apps_are_packaged():
    packages = packaged()
    missing = [app for app in project_apps() if app not in packages]
    assert not missing, f"apps of INSTALLED_APPS missing from the wheel: {', '.join(missing)}"
    missing_subs = [f"{app}.{sub}" for app in project_apps() for sub in ("migrations", "management",
                                                                          "management.commands")
                    if (ROOT / app / Path(*sub.split("."))).is_dir() and f"{app}.{sub}" not in packages]
    assert not missing_subs, f"subpackages missing from the wheel: {', '.join(missing_subs)}"


def test_tools_and_tests_are_not_packaged():
    packages = packaged()
    shipped = sorted(p for p in packages if p.split(".")[0] in {"tools", "tests"})
    assert not shipped, f"build-time or test code in the wheel: {', '.join(shipped)}"
