"""The page side of the version rule (planportal.concurrency): an edit form that carries the version it was
opened at, and, after a refused save, the same form again based on the newer version.

The bottom layer: Django only, no project app. The project pages (portal) and the
indicator page (indicators) build their edit forms on it.
"""

from django import forms


def _comparable(value):
    return getattr(value, "pk", value)


class VersionedForm(forms.Form):
    """An edit form: `version` is the version of the record the user started from.

    Subclasses set `self.init_kwargs` (the keyword arguments that build the same form again).
    """

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    # model field → form field, where they differ
    form_field_of: dict = {}

    def based_on(self, data, version: int) -> None:
        """Make the posted `data` say the form is based on `version` (a subclass may record more)."""
        data["version"] = str(version)

    def rebased(self, version: int, changes) -> "VersionedForm":
        """After a conflict: the form again, based on the stored `version`, so the next save can go through.

        Three-way: a field the user changed keeps the user's entry; a field only the
        other person changed takes their value, so saving again does not quietly undo it.
        `changes` are the other person's (history.Change: name, then, now). A file is
        never put back into a form: the stored one stays unless the user chooses another.
        """
        data = self.data.copy()
        self.based_on(data, version)
        for change in changes:
            field = self.form_field_of.get(change.name, change.name)
            if field not in self.fields:
                continue
            if isinstance(self.fields[field], forms.FileField):
                change.yours_kept = bool(self.cleaned_data.get(field))
                continue
            mine = _comparable(self.cleaned_data.get(field))
            if (mine in ("", None) and change.then in ("", None)) or mine == change.then:
                data[field] = "" if change.now is None else str(change.now)
            else:
                change.yours_kept = True
        form = type(self)(data, **self.init_kwargs)
        form.is_valid()
        return form

    def changes(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}
