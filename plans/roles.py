"""The three roles of a plan and the Django permissions each one carries.

Permissions say what a role may do to a kind of record; PlanMembership says on
which plan. Both are needed: a staff user of plan A holds "change project" but
only ever sees plan A's projects.
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from plans.models import PlanMembership

_RECORDS = [
    "projects.project",
    "projects.implementingunit",
    "projects.unitalias",
    "projects.place",
    "funding.annualbudget",
    "indicators.indicator",
    "figures.statedfigure",
    "indicators.indicatorvalue",
]
_READ_ONLY = ["plans.plan", "plans.planyear", "plans.category", "plans.planmembership", "importers.importbatch",
              "indicators.derivedvalue", "figures.keyproject", "rollups.rollup", "rollups.variance",
              "rollups.recomputestate", "reviews.reviewevent"]


def _perms(models, actions):
    return [f"{model.split('.')[0]}.{action}_{model.split('.')[1]}" for model in models for action in actions]


ROLE_GROUPS = {
    PlanMembership.Role.STAFF: "County office staff",
    PlanMembership.Role.LIAISON: "Liaison officers",
    PlanMembership.Role.ADMIN: "Plan administrators",
}

ROLE_PERMISSIONS = {
    PlanMembership.Role.STAFF: _perms(_RECORDS, ["view", "add", "change", "delete"]) + _perms(_READ_ONLY, ["view"]),
    PlanMembership.Role.LIAISON: _perms(_RECORDS + _READ_ONLY, ["view"]),
    PlanMembership.Role.ADMIN: _perms(_RECORDS, ["view", "add", "change", "delete"])
    + _perms(["importers.importbatch"], ["view", "add"])
    + _perms(["indicators.derivedvalue", "figures.keyproject", "rollups.rollup", "rollups.variance",
              "rollups.recomputestate", "reviews.reviewevent"], ["view"])
    + _perms(["plans.category", "plans.planmembership"], ["view", "add", "change", "delete"])
    + _perms(["plans.plan", "plans.planyear"], ["view", "change"]),
}


@transaction.atomic
def role_groups_sync() -> dict[str, Group]:
    """Create or refresh the role groups with exactly their permissions. Idempotent."""
    groups = {}
    for role, group_name in ROLE_GROUPS.items():
        group, _created = Group.objects.get_or_create(name=group_name)
        wanted = ROLE_PERMISSIONS[role]
        perms = []
        for dotted in wanted:
            app_label, codename = dotted.split(".")
            perms.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        group.permissions.set(perms)
        groups[role] = group
    return groups
