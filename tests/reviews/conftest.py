import pytest

from plans.models import PlanYear
from plans.services import membership_set
from tests.factories import UserFactory
from plans.access import SYSTEM


@pytest.fixture
def member(plan):
    """member(role, email=…): a new user with that role on `plan`."""
    def make(role, **fields):
        user = UserFactory(**fields)
        membership_set(plan=plan, member=user, role=role, user=SYSTEM)
        return user
    return make


@pytest.fixture
def staff(member):
    return member("staff", email="staff@example.org", first_name="县办", last_name="")


@pytest.fixture
def liaison(member):
    return member("liaison", email="liaison@example.org")


@pytest.fixture
def admin_member(member):
    return member("admin", email="admin@example.org")


@pytest.fixture
def outsider(other_plan):
    user = UserFactory(email="outsider@example.org")
    membership_set(plan=other_plan, member=user, role="admin", user=SYSTEM)
    return user


@pytest.fixture
def year_2021(plan):
    return PlanYear.objects.get(plan=plan, year=2021)

