"""The outcome of an import or a preview, as people and programs read it."""

from dataclasses import dataclass, field

from importers.messages import ERROR, LOCK_REFUSALS, Message

MAX_MESSAGES = 500  # of each level; the totals say how many there were
MAX_CHANGES = 2000


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_json(self) -> dict:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


@dataclass
class ImportReport:
    files: list = field(default_factory=list)
    dry_run: bool = False
    imported: bool = False
    rows_read: int = 0
    projects: Counts = field(default_factory=Counts)
    budgets: Counts = field(default_factory=Counts)
    stated: Counts = field(default_factory=Counts)
    stated_read: int = 0
    stated_removed: int = 0
    units_created: list = field(default_factory=list)
    years: list = field(default_factory=list)
    changes: list = field(default_factory=list)
    changes_total: int = 0
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    errors_total: int = 0
    warnings_total: int = 0
    lock_refusals: int = 0  # errors that "skip the locked years" would turn into notes
    skip_locked_years: bool = False

    def add(self, message: Message) -> None:
        if message.level == ERROR:
            self.errors_total += 1
            self.lock_refusals += message.code in LOCK_REFUSALS
            if len(self.errors) < MAX_MESSAGES:
                self.errors.append(message)
        else:
            self.warnings_total += 1
            if len(self.warnings) < MAX_MESSAGES:
                self.warnings.append(message)

    def forget_counts(self) -> None:
        """A refused import writes nothing: what it would have changed is not reported as done."""
        self.projects, self.budgets, self.stated = Counts(), Counts(), Counts()
        self.stated_removed, self.units_created, self.changes, self.changes_total = 0, [], [], 0

    def change(self, **change) -> None:
        self.changes_total += 1
        if len(self.changes) < MAX_CHANGES:
            self.changes.append(change)

    @property
    def rejected(self) -> bool:
        return self.errors_total > 0

    @property
    def skippable(self) -> bool:
        """Refused only because rows change approved years: importable with "skip the locked years"."""
        return self.rejected and self.errors_total == self.lock_refusals

    def as_json(self, lang: str = "zh") -> dict:
        return {
            "files": self.files,
            "dry_run": self.dry_run,
            "imported": self.imported,
            "rejected": self.rejected,
            "rows_read": self.rows_read,
            "years": self.years,
            "projects": self.projects.as_json(),
            "budgets": self.budgets.as_json(),
            "stated_figures": {"read": self.stated_read, **self.stated.as_json(), "removed": self.stated_removed},
            "units_created": self.units_created,
            "changes": self.changes,
            "changes_total": self.changes_total,
            "warnings": [m.as_json(lang) for m in self.warnings],
            "errors": [m.as_json(lang) for m in self.errors],
            "warnings_total": self.warnings_total,
            "errors_total": self.errors_total,
            "lock_refusals": self.lock_refusals,
            "skippable": self.skippable,
            "skip_locked_years": self.skip_locked_years,
        }

    def to_store(self) -> dict:
        """For the ImportBatch: messages kept as codes so they render in either language later."""
        data = self.as_json("zh")
        data["warnings"] = [m.to_store() for m in self.warnings]
        data["errors"] = [m.to_store() for m in self.errors]
        return data


def stored_messages(data: dict, level: str) -> list[Message]:
    return [Message.from_store(item) for item in (data or {}).get(level, [])]
