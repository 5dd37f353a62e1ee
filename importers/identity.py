"""When two rows are the same project: name and place as normalised, and the unit they name."""

from importers.parsing import ProjectRow
from planportal.lib.names import normalize_text


def identity_of(row: ProjectRow, unit_ids: dict) -> tuple:
    """(name key, location key, unit): the unit is the stored unit a spelling stands for, when known.

    Two spellings of one unit (旗农科局 / 科右中旗农科局) give one identity; a unit
    not seen before is named by its key until it is created.
    """
    name_key, location_key, unit_key = row.key
    unit = unit_ids.get(unit_key, f"new:{unit_key}") if unit_key else None
    return (name_key, location_key, unit)


def stored_identity(name: str, location_text: str, unit_id: int | None) -> tuple:
    return (normalize_text(name), normalize_text(location_text), unit_id)
