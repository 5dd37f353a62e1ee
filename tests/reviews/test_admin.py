"""Review events in the admin: read-only, and each member sees only their own plans' events."""

from django.urls import reverse

from plans.models import PlanYear
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
