import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from plans.access import SYSTEM, ADMIN, EDIT, REVIEW, VIEW, plan_for_user
from plans.services import membership_set
from tests.factories import UserFactory


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role, allowed",
    [
        ("staff", {VIEW, EDIT}),
        ("liaison", {VIEW, REVIEW}),
        ("admin", {VIEW, EDIT, REVIEW, ADMIN}),
    ],
)
def test_roles_grant_what_they_should(plan, role, allowed):
    user = UserFactory()
    membership_set(plan=plan, member=user, role=role, user=SYSTEM)
    for need in (VIEW, EDIT, REVIEW, ADMIN):
        if need in allowed:
            assert plan_for_user(user, plan.code, need) == plan
        else:
            with pytest.raises(PermissionDenied):
                plan_for_user(user, plan.code, need)


@pytest.mark.django_db
def test_another_plans_member_and_anonymous_get_not_found(plan, other_plan):
    from django.contrib.auth.models import AnonymousUser

    outsider = UserFactory()
    membership_set(plan=other_plan, member=outsider, role="admin", user=SYSTEM)
    for user in (outsider, AnonymousUser()):
        with pytest.raises(Http404):
            plan_for_user(user, plan.code)
