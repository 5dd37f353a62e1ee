"""The plan dashboard: where every user of a plan starts."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from plans.access import VIEW, plan_for_user, role_of
from plans.dashboard import dashboard_context


@login_required
def dashboard(request, code):
    plan = plan_for_user(request.user, code, VIEW)
    return render(request, "plans/dashboard.html", {
        "plan": plan, "role": role_of(request.user, plan), **dashboard_context(plan),
    })
