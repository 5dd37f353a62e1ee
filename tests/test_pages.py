"""The plan dashboard, the home page and signing in."""

import pytest
from django.urls import reverse

from plans.services import membership_set
from tests.factories import UserFactory
from plans.access import SYSTEM


@pytest.fixture
def bundled(db):
    from portal.bundled import bundled_plan_ensure

    return bundled_plan_ensure()[0]


def _user(plan, role):
    user = UserFactory()
    membership_set(plan=plan, member=user, role=role, user=SYSTEM)
    return user


@pytest.mark.django_db
def test_dashboard_access(client, bundled, other_plan):
    url = reverse("plan-dashboard", args=[bundled.code])
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    client.force_login(_user(other_plan, "admin"))
    assert client.get(url).status_code == 404
    for role in ("staff", "liaison", "admin"):
        client.force_login(_user(bundled, role))
        assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_dashboard_shows_totals_disagreements_and_reviews(client, bundled, django_assert_max_num_queries):
    client.force_login(_user(bundled, "liaison"))
    with django_assert_max_num_queries(20):
        page = client.get(reverse("plan-dashboard", args=[bundled.code])).content.decode()
    assert "65,971.91" in page and "56,832.60" in page  # total investment and cooperation funds
    assert "<svg" in page and "<title>" in page  # charts, drawn on the server
    assert "75" in page  # open disagreements of the bundled plan
    assert page.count("review-open") == 5


@pytest.mark.django_db
def test_sign_in_and_out(client, plan):
    user = UserFactory(username="amy")
    membership_set(plan=plan, member=user, role="staff", user=SYSTEM)
    page = client.get(reverse("login")).content.decode()
    assert "登录" in page
    bad = client.post(reverse("login"), {"username": "amy", "password": "wrong"})
    assert bad.status_code == 200 and "用户名或密码不正确" in bad.content.decode()
    good = client.post(reverse("login"), {"username": "amy", "password": "pw-for-tests-1"})
    assert good.status_code == 302 and good["Location"] == "/"
    assert plan.name in client.get("/").content.decode()
    assert client.post(reverse("logout")).status_code == 302
    assert client.get("/").status_code == 302
