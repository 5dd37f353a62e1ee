"""Users by role on `plan`, an outsider of another plan, and a client signed in as each."""

import pytest
from django.test import Client

from tests.conftest import member  # noqa: F401 — re-exported for the tests of this folder




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
