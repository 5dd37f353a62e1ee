"""The page side of the version rule (planportal.concurrency): an edit form that carries the version it was
opened at, and, after a refused save, the same form again based on the newer version.

The bottom layer: Django only, no project app. The project pages (portal) and the
indicator page (indicators) build their edit forms on it.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import DecimalValidator
from django.utils.translation import get_language

from planportal.lib.numbers import AmountError, parse_amount


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


class TypedNumberInput(forms.DecimalField):
    """A number as people type it, read as the importer reads a cell (planportal.lib.numbers.parse_amount):
    full-width digits, thousands separators (also "，") and spaces are accepted; an exponent ("1e3"), two
    decimal points or any other text is refused with a message that says what to type."""

    widget = forms.TextInput
    amount_messages = False  # True: refusals say "an amount in 万元" (funding.filters.AmountInput)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "decimal", "autocomplete": "off"})
        attrs.pop("step", None)
        return attrs

    def to_python(self, value):
        if not isinstance(value, str):
            return super().to_python(value)
        if "\x00" in value or len(value) > 100:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            return parse_amount(value.replace("，", ","))
        except AmountError as refused:
            if self.amount_messages:  # an amount in 万元: the importer's own words
                raise ValidationError(refused.message(get_language() or "zh"), code=refused.code) from None
            if refused.code == "too_many_decimals":
                raise ValidationError(DecimalValidator(None, None).messages["max_decimal_places"], code=refused.code,
                                      params={"max": self.decimal_places, "value": value}) from None
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
