"""Comments on a project: any member of its plan (liaison, staff, admin) may add one."""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from plans.access import VIEW, may
from projects.models import Comment, Project


def comment_create(*, project: Project, author, body: str) -> Comment:
    """A new comment by `author`. The body is kept as typed (plain text; pages escape it)."""
    if not may(author, project.plan, VIEW):
        raise PermissionDenied
    comment = Comment(project=project, author=author, body=(body or "").strip())
    comment.full_clean()
    comment.save()
    return comment


def comments_of(project: Project) -> QuerySet:
    return Comment.objects.filter(project=project).select_related("author").order_by("created_at", "id")
