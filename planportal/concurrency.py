"""No lost updates: a save based on an older version of a record is refused, with what changed."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class StaleEdit(ValidationError):
    """Someone else saved the record after this edit started. `current` is the record as it is now."""

    def __init__(self, current):
        super().__init__(
            _("Someone else changed this record while you were editing it. Their changes are shown below; "
              "your entries are kept in the form: check them and save again."),
            code="stale",
        )
        self.current = current


def check_version(obj, expected_version) -> None:
    """Call with the row locked (select_for_update); None means the caller does not guard (e.g. an import)."""
    if expected_version is not None and int(expected_version) != obj.version:
        raise StaleEdit(obj)


def next_version(current, expected_version) -> int:
    """The one version rule: refuse a save based on an older version (StaleEdit), else the version it gets.

    `current` is the stored record, locked (select_for_update) by the caller.
    """
    check_version(current, expected_version)
    return current.version + 1
