"""Who made a change, for django-simple-history, also outside a request (API, commands, tasks)."""


def attribute_to(obj, user, reason: str | None = None) -> None:
    """The next history entry of `obj` names `user` (a real, signed-in user; not SYSTEM) and `reason`."""
    if user is not None and getattr(user, "pk", None) is not None and getattr(user, "is_authenticated", False):
        obj._history_user = user
    if reason:
        obj._change_reason = reason
