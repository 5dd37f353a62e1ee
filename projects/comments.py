"""Comments on a project: any member of its plan (liaison, staff, admin) may add one;
its author or a plan administrator may remove it."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from plans.access import ADMIN, VIEW, history_user, may, require
from projects.models import Comment, Project


@transaction.atomic
def comment_create(*, project: Project, user, body: str) -> Comment:
    """A new comment by `user`. The body is kept as typed (plain text; pages escape it)."""
    require(user, project.plan_id, VIEW)
    comment = Comment(project=project, author=history_user(user), body=(body or "").strip())
    comment.full_clean()
    comment.save()
    return comment


@transaction.atomic
def comment_delete(*, comment: Comment, user) -> None:
    plan_id = Project.objects.filter(pk=comment.project_id).values_list("plan_id", flat=True).first()
    own = comment.author_id is not None and comment.author_id == getattr(user, "pk", None)
    if not ((own and may(user, plan_id, VIEW)) or may(user, plan_id, ADMIN)):
        raise PermissionDenied(_("Only its author or an administrator of the plan removes a comment."))
    Comment.objects.filter(pk=comment.pk).delete()


def comments_of(project: Project) -> QuerySet:
    return Comment.objects.filter(project=project).select_related("author").order_by("created_at", "id")
