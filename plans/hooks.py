"""How the apps below the totals tell them that a plan's figures changed.

The rollups app computes totals and disagreements from projects, budgets and
stated figures; the apps that hold those records sit below it and must not
import it. Their services call `totals_changed(plan_id)` after every write, and
the rollups app registers what that does (ask for a recompute) in its
AppConfig.ready(). One hook, registered once, called from every write path.
"""

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured

_handler: Callable[[int], object] | None = None


def register_totals_changed(handler: Callable[[int], object]) -> None:
    global _handler
    _handler = handler


def totals_changed(plan_id: int) -> None:
    """A plan's projects, budgets or stated figures changed: its totals must follow."""
    if _handler is None:
        raise ImproperlyConfigured("No handler for totals_changed: the rollups app registers one when it loads.")
    _handler(plan_id)
