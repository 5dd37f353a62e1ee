import pytest

from tests.factories import BudgetFactory, PlanFactory, ProjectFactory


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


@pytest.fixture(autouse=True)
def _tasks_inline_and_fresh_cache(settings):
    """Tasks never outlive a test in a thread, and no test sees another's cached markers."""
    from django.core.cache import cache

    settings.PLANPORTAL_TASKS_IN_THREAD = False
    cache.clear()
    yield
    cache.clear()
