"""Who may call the API: the same per-plan rules as the pages (plans.access).

Every member of a plan reads it; county staff and plan administrators change it;
liaison officers change nothing through the API (their sign-off is on the pages).
A plan the user may not see is "not found" (404) whatever the method, so its
existence leaks nothing.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from plans.access import EDIT, may


class PlanRolePermission(BasePermission):
    """Reads for every role on the view's plan, writes for the roles that may EDIT it.

    The view resolves its plan (`view.plan`) through plans.access.plan_for_user,
    which raises Http404 for a plan the user is no member of.
    """

    message = _("Your role on this plan may read it but not change it.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False  # DRF answers 401 with a Token challenge (see api.views.base)
        plan = view.plan
        if request.method in SAFE_METHODS:
            return True  # plan_for_user has already checked VIEW
        return may(user, plan, EDIT)
