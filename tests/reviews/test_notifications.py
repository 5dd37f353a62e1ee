"""Who is told about each review step, after it commits, with the plan, year, who, reason and page."""

import pytest
from django.core.exceptions import ValidationError

from reviews.services import year_approve, year_reopen, year_return, year_submit


@pytest.fixture
def people(member, staff, liaison, admin_member):
    member("liaison", email="liaison2@example.org")
    member("liaison", email="")  # no address: skipped
    member("staff", email="staff2@example.org")
    return staff, liaison


def _to(mails):
    return sorted(address for mail in mails for address in mail.to)


def test_submitting_tells_the_liaison_officers(people, year_2021, plan, mailoutbox,
                                                django_capture_on_commit_callbacks):
    staff, _liaison = people
    with django_capture_on_commit_callbacks(execute=True):
        year_submit(plan_year=year_2021, user=staff, note="2021年数据已更新")
    assert _to(mailoutbox) == ["liaison2@example.org", "liaison@example.org"]
    mail = mailoutbox[0]
    assert plan.name in mail.subject and "2021" in mail.subject and "审核" in mail.subject
    assert "县办" in mail.body and "2021年数据已更新" in mail.body
    assert f"/plans/{plan.code}/reviews/2021/" in mail.body


def test_returning_and_approving_tell_the_staff(people, year_2021, plan, mailoutbox,
                                                django_capture_on_commit_callbacks):
    staff, liaison = people
    year_submit(plan_year=year_2021, user=staff)  # not captured: its mails are never sent
    with django_capture_on_commit_callbacks(execute=True):
        year_return(plan_year=year_2021, user=liaison, reason="第12行京蒙资金与合计不符")
    assert _to(mailoutbox) == ["staff2@example.org", "staff@example.org"]
    assert all("第12行京蒙资金与合计不符" in mail.body for mail in mailoutbox)
    assert all(liaison.username in mail.body and plan.name in mail.subject for mail in mailoutbox)

    mailoutbox.clear()
    year_submit(plan_year=year_2021, user=staff)
    with django_capture_on_commit_callbacks(execute=True):
        year_approve(plan_year=year_2021, user=liaison)
    assert _to(mailoutbox) == ["staff2@example.org", "staff@example.org"]
    assert f"/plans/{plan.code}/reviews/2021/" in mailoutbox[0].body

    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        year_reopen(plan_year=year_2021, user=liaison, reason="审计调整")
    assert _to(mailoutbox) == ["staff2@example.org", "staff@example.org"]
    assert "审计调整" in mailoutbox[0].body


def test_a_refused_step_sends_nothing(people, year_2021, mailoutbox, django_capture_on_commit_callbacks):
    _staff, liaison = people
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(ValidationError):
        year_approve(plan_year=year_2021, user=liaison)  # still open
    assert not callbacks and not mailoutbox


def test_mail_waits_for_the_commit(people, year_2021, mailoutbox, django_capture_on_commit_callbacks):
    staff, _liaison = people
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        year_submit(plan_year=year_2021, user=staff)
    assert len(callbacks) == 1 and not mailoutbox
