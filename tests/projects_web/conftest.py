"""Users by role on `plan`, an outsider of another plan, and a client signed in as each."""

import pytest
from django.test import Client

from plans.services import membership_set
from tests.factories import UserFactory


def member(plan, role):
    user = UserFactory()
    membership_set(plan=plan, user=user, role=role)
    return user


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
    """An administrator of another plan: must learn nothing about `plan`."""
    return member(other_plan, "admin")


def signed_in(user, lang="en"):
    """A browser of `user`; English unless asked, so assertions can read the messages."""
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def as_staff(staff):
    return signed_in(staff)


@pytest.fixture
def as_liaison(liaison):
    return signed_in(liaison)
