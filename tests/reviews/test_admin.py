"""Review events in the admin: read-only, and each member sees only their own plans' events."""

from django.urls import reverse

from plans.models import PlanYear
from reviews.models import ReviewEvent
from reviews.services import year_submit


def test_members_read_their_own_plans_events_and_nobody_edits_them(client, plan, other_plan, staff, liaison,
                                                                     outsider):
    mine = year_submit(plan_year=PlanYear.objects.get(plan=plan, year=2021), user=staff, note="本规划的提交")
    year_submit(plan_year=PlanYear.objects.get(plan=other_plan, year=2022), user=outsider, note="别的规划的提交")
    changelist = reverse("admin:reviews_reviewevent_changelist")

    client.force_login(liaison)
    page = client.get(changelist)
    assert page.status_code == 200
    assert "本规划的提交" in page.content.decode() and "别的规划的提交" not in page.content.decode()
    assert client.get(reverse("admin:reviews_reviewevent_change", args=[mine.pk])).status_code == 200
    assert client.get(reverse("admin:reviews_reviewevent_add")).status_code == 403
    assert client.post(reverse("admin:reviews_reviewevent_delete", args=[mine.pk]), {"post": "yes"}).status_code == 403

    client.force_login(outsider)
    assert client.get(reverse("admin:reviews_reviewevent_change", args=[mine.pk])).status_code in (302, 404)


def test_the_admin_offers_no_review_step(client, plan, liaison):
    """A year's review status is read only in the admin: the steps are the review pages' (and the command's)."""
    year = PlanYear.objects.get(plan=plan, year=2021)
    client.force_login(liaison)
    url = reverse("admin:plans_planyear_change", args=[year.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'name="review_status"' not in page.content.decode()
    client.post(url, {"review_status": "approved"})
    assert PlanYear.objects.get(pk=year.pk).review_status == "open"
    assert not ReviewEvent.objects.exists()
