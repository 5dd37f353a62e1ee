import pytest

from plans.access import SYSTEM
from plans.services import membership_set
from tests.factories import BudgetFactory, PlanFactory, ProjectFactory, UserFactory


def pytest_configure(config):
    """Hash test passwords with a fast hasher: the default one (rightly slow) dominated the suite's time."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_collection_modifyitems(config, items):
    """The tests that run a real Celery worker share one broker queue: run them in one process (-n, loadgroup)."""
    for item in items:
        if item.get_closest_marker("worker"):
            item.add_marker(pytest.mark.xdist_group("celery-worker"))


def member(plan, role):
    """A new user with this role on this plan."""
    user = UserFactory()
    membership_set(plan=plan, member=user, role=role, user=SYSTEM)
    return user


@pytest.fixture
def plan(db):
    return PlanFactory()


@pytest.fixture
def other_plan(db):
    return PlanFactory(county="科右前旗", name="另一个旗的规划")


@pytest.fixture
def project(plan):
    return ProjectFactory(plan=plan)


@pytest.fixture
def budget(project):
    return BudgetFactory(project=project)


@pytest.fixture
def staff(plan):
    return member(plan, "staff")


@pytest.fixture
def liaison(plan):
    return member(plan, "liaison")


@pytest.fixture
def plan_admin(plan):
    return member(plan, "admin")


@pytest.fixture
def outsider(other_plan):
    """An administrator of another plan: for `plan`, everything is "not found"."""
    return member(other_plan, "admin")


@pytest.fixture(autouse=True)
def _tasks_inline_and_fresh_cache(settings):
    """Tasks never outlive a test in a thread, and no test sees another's cached markers.

    The cache is this process's memory: the file cache in ./var is shared with any other
    test run or server on the machine, which would clear or set markers under a test's feet.
    """
    from django.core.cache import cache
    from django.utils import translation

    # Every test starts in the site's language (Chinese): a test that switched languages
    # (a command, a view with ?lang=en) must not change what the next one in this process reads.
    translation.activate(settings.LANGUAGE_CODE)
    settings.PLANPORTAL_TASKS_IN_THREAD = False
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "planportal-tests"}}
    cache.clear()
    yield
    cache.clear()
