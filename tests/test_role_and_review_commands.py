"""The shell's doors to members and reviews: `grant_role` and `review_year` go through the services' checks."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import translation

from plans.models import PlanMembership, PlanYear
from reviews.models import ReviewEvent
from tests.conftest import member

User = get_user_model()
STRONG = "violet-harbour-7731"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def role(plan, user_or_name):
    name = getattr(user_or_name, "username", user_or_name)
    return PlanMembership.objects.filter(plan=plan, user__username=name).values_list("role", flat=True).first()


# --- grant_role ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_grant_role_creates_the_user_and_grants(plan):
    out = run("grant_role", "newbie", "--plan", plan.code, "--role", "liaison", "--password", STRONG)
    user = User.objects.get(username="newbie")
    assert user.check_password(STRONG) and user.is_staff and not user.is_superuser
    assert role(plan, user) == "liaison"
    assert "Created user newbie" in out and plan.code in out


@pytest.mark.django_db
def test_grant_role_gives_an_existing_user_a_role(plan, other_plan, outsider):
    out = run("grant_role", outsider.username, "--plan", plan.code, "--role", "staff")
    assert role(plan, outsider) == "staff" and role(other_plan, outsider) == "admin"
    assert "Gave" in out


@pytest.mark.django_db
def test_grant_role_changes_a_role(plan, staff):
    out = run("grant_role", staff.username, "--plan", plan.code, "--role", "liaison")
    assert role(plan, staff) == "liaison"
    assert "from staff to liaison" in out
    assert PlanMembership.objects.filter(plan=plan, user=staff).count() == 1


@pytest.mark.django_db
def test_grant_role_same_role_changes_nothing(plan, staff):
    out = run("grant_role", staff.username, "--plan", plan.code, "--role", "staff")
    assert role(plan, staff) == "staff" and "nothing changed" in out


@pytest.mark.django_db
def test_grant_role_removes_a_membership(plan, other_plan, staff):
    PlanMembership.objects.create(plan=other_plan, user=staff, role="liaison")
    out = run("grant_role", staff.username, "--plan", plan.code, "--remove")
    assert role(plan, staff) is None and role(other_plan, staff) == "liaison"
    assert User.objects.filter(pk=staff.pk).exists()  # the account stays
    assert "Removed" in out


@pytest.mark.django_db
def test_grant_role_remove_refuses_unknown_user_and_non_member(plan, outsider):
    with pytest.raises(CommandError, match="No user 'ghost'"):
        call_command("grant_role", "ghost", "--plan", plan.code, "--remove")
    with pytest.raises(CommandError, match="not a member"):
        call_command("grant_role", outsider.username, "--plan", plan.code, "--remove")


@pytest.mark.django_db
def test_grant_role_refuses_unknown_plan(plan):
    with pytest.raises(CommandError, match="No plan with code 'nope'") as refused:
        call_command("grant_role", "newbie", "--plan", "nope", "--role", "staff", "--password", STRONG)
    assert plan.code in str(refused.value)
    assert not User.objects.filter(username="newbie").exists()


@pytest.mark.django_db
def test_grant_role_needs_a_role_or_remove(plan, staff):
    with pytest.raises(CommandError, match="--role"):
        call_command("grant_role", staff.username, "--plan", plan.code)
    with pytest.raises(CommandError, match="--remove takes no --role"):
        call_command("grant_role", staff.username, "--plan", plan.code, "--remove", "--role", "admin")
    assert role(plan, staff) == "staff"


@pytest.mark.django_db
def test_grant_role_rejects_an_unknown_role(plan, staff):
    with pytest.raises(CommandError):
        call_command("grant_role", staff.username, "--plan", plan.code, "--role", "owner")
    assert role(plan, staff) == "staff"


@pytest.mark.django_db
def test_grant_role_new_user_needs_a_password(plan):
    with pytest.raises(CommandError, match="give a password"):
        call_command("grant_role", "newbie", "--plan", plan.code, "--role", "staff")
    assert not User.objects.filter(username="newbie").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("weak", ["12345678", "password", "short"])
def test_grant_role_refuses_a_weak_password(plan, weak):
    with pytest.raises(CommandError) as refused:
        call_command("grant_role", "newbie", "--plan", plan.code, "--role", "staff", "--password", weak)
    assert "password" in str(refused.value).lower()
    assert not User.objects.filter(username="newbie").exists()
    assert role(plan, "newbie") is None


@pytest.mark.django_db
def test_grant_role_as_a_plan_admin_is_allowed(plan, plan_admin, staff):
    run("grant_role", staff.username, "--plan", plan.code, "--role", "liaison", "--as", plan_admin.username)
    assert role(plan, staff) == "liaison"
    run("grant_role", "newbie", "--plan", plan.code, "--role", "staff", "--password", STRONG,
        "--as", plan_admin.username)
    assert role(plan, "newbie") == "staff"
    run("grant_role", "newbie", "--plan", plan.code, "--remove", "--as", plan_admin.username)
    assert role(plan, "newbie") is None


@pytest.mark.django_db
@pytest.mark.parametrize("acting_role", ["staff", "liaison"])
def test_grant_role_as_a_non_admin_is_refused(plan, staff, acting_role):
    acting = member(plan, acting_role)
    with pytest.raises(CommandError, match="Only the plan's administrators"):
        call_command("grant_role", staff.username, "--plan", plan.code, "--role", "admin", "--as", acting.username)
    with pytest.raises(CommandError, match="Only the plan's administrators"):
        call_command("grant_role", "newbie", "--plan", plan.code, "--role", "admin", "--password", STRONG,
                     "--as", acting.username)
    with pytest.raises(CommandError, match="Only the plan's administrators"):
        call_command("grant_role", staff.username, "--plan", plan.code, "--remove", "--as", acting.username)
    assert role(plan, staff) == "staff" and not User.objects.filter(username="newbie").exists()


@pytest.mark.django_db
def test_grant_role_as_an_admin_of_another_plan_is_refused(plan, staff, outsider):
    with pytest.raises(CommandError, match="Only the plan's administrators"):
        call_command("grant_role", staff.username, "--plan", plan.code, "--role", "admin", "--as", outsider.username)
    assert role(plan, staff) == "staff"


@pytest.mark.django_db
def test_grant_role_nobody_changes_their_own_role(plan, plan_admin):
    with pytest.raises(CommandError, match="Nobody changes their own role"):
        call_command("grant_role", plan_admin.username, "--plan", plan.code, "--role", "staff",
                     "--as", plan_admin.username)
    with pytest.raises(CommandError, match="Nobody changes their own role"):
        call_command("grant_role", plan_admin.username, "--plan", plan.code, "--remove", "--as", plan_admin.username)
    assert role(plan, plan_admin) == "admin"


@pytest.mark.django_db
def test_grant_role_as_an_unknown_user(plan, staff):
    with pytest.raises(CommandError, match="No user 'ghost'"):
        call_command("grant_role", staff.username, "--plan", plan.code, "--role", "admin", "--as", "ghost")
    assert role(plan, staff) == "staff"


# --- review_year -----------------------------------------------------------------------------------------------


def status(plan, year=2022):
    return PlanYear.objects.get(plan=plan, year=year).review_status


def review(plan, action, user, *extra, year=2022):
    return run("review_year", "--plan", plan.code, "--year", str(year), "--action", action,
               "--user", user.username, *extra)


@pytest.mark.django_db
def test_review_submit_by_staff(plan, staff):
    out = review(plan, "submit", staff, "--reason", "figures checked")
    assert status(plan) == "submitted" and status(plan, 2021) == "open"
    event = ReviewEvent.objects.get()
    assert (event.action, event.user, event.reason) == ("submit", staff, "figures checked")
    assert "now submitted" in out


@pytest.mark.django_db
def test_review_approve_by_liaison(plan, staff, liaison):
    review(plan, "submit", staff)
    out = review(plan, "approve", liaison)
    plan_year = PlanYear.objects.get(plan=plan, year=2022)
    assert plan_year.review_status == "approved" and plan_year.review_changed_by == liaison
    assert "now approved" in out
    assert list(ReviewEvent.objects.values_list("action", flat=True)) == ["submit", "approve"]


@pytest.mark.django_db
def test_review_staff_approving_is_refused(plan, staff):
    review(plan, "submit", staff)
    with pytest.raises(CommandError, match="does not allow this review step"):
        review(plan, "approve", staff)
    assert status(plan) == "submitted" and ReviewEvent.objects.count() == 1


@pytest.mark.django_db
def test_review_liaison_submitting_and_outsider_are_refused(plan, liaison, outsider):
    with pytest.raises(CommandError, match="does not allow this review step"):
        review(plan, "submit", liaison)
    with pytest.raises(CommandError, match="does not allow this review step"):
        review(plan, "submit", outsider)
    assert status(plan) == "open" and not ReviewEvent.objects.exists()


@pytest.mark.django_db
def test_review_return_needs_a_reason(plan, staff, liaison):
    review(plan, "submit", staff)
    with pytest.raises(CommandError, match="Give a reason for returning"):
        review(plan, "return", liaison)
    with pytest.raises(CommandError, match="Give a reason for returning"):
        review(plan, "return", liaison, "--reason", "   ")
    assert status(plan) == "submitted"
    out = review(plan, "return", liaison, "--reason", "2022 budgets do not add up")
    assert status(plan) == "returned" and "now returned" in out
    assert ReviewEvent.objects.last().reason == "2022 budgets do not add up"


@pytest.mark.django_db
def test_review_reopen_needs_a_reason_and_an_approved_year(plan, staff, liaison):
    with pytest.raises(CommandError, match="Only an approved year can be reopened"):
        review(plan, "reopen", liaison, "--reason", "typo")
    review(plan, "submit", staff)
    review(plan, "approve", liaison)
    with pytest.raises(CommandError, match="Give a reason for reopening"):
        review(plan, "reopen", liaison)
    review(plan, "reopen", liaison, "--reason", "a typo in a budget")
    assert status(plan) == "open"


@pytest.mark.django_db
def test_review_wrong_state_is_refused(plan, liaison):
    with pytest.raises(CommandError, match="Only a submitted year can be approved"):
        review(plan, "approve", liaison)
    assert status(plan) == "open"


@pytest.mark.django_db
def test_review_unknown_year(plan, staff):
    with pytest.raises(CommandError, match="has no year 2030") as refused:
        review(plan, "submit", staff, year=2030)
    assert "2021–2025" in str(refused.value)
    assert not ReviewEvent.objects.exists()


@pytest.mark.django_db
def test_review_unknown_plan_and_user(plan, staff):
    with pytest.raises(CommandError, match="No plan with code 'nope'"):
        call_command("review_year", "--plan", "nope", "--year", "2022", "--action", "submit", "--user", staff.username)
    with pytest.raises(CommandError, match="No user 'ghost'"):
        call_command("review_year", "--plan", plan.code, "--year", "2022", "--action", "submit", "--user", "ghost")
    assert status(plan) == "open"


@pytest.mark.django_db
def test_review_unknown_action_is_refused(plan, staff):
    with pytest.raises(CommandError):
        review(plan, "delete", staff)
    assert status(plan) == "open"
