"""django-import-export resource for the admin's budget export: the flat export, nothing else.

The admin's export (funding.admin.AnnualBudgetAdmin, ExportMixin) builds its file
from ``AnnualBudgetResource.export()``. That method does not read model attributes
field by field: it takes the rows of ``funding.export.flat_export_rows`` for the
admin's (filtered, sorted) queryset, so the admin offers exactly the columns
(FLAT_HEADERS, same order) and the values of the project list page and of
``manage.py export_annex --flat``.

The declared fields exist so the admin's export form lists one checkbox per column;
when only some are ticked, those columns are exported, in FLAT_HEADERS order.

Formula safety, in every format the admin offers:

* every text value goes through ``safe_text`` (a "'" in front of text that would
  start a formula), as in the CSV export. For xlsx this matters twice over: tablib
  assigns ``cell.value = text`` and openpyxl turns any string starting with "="
  into a formula cell; a string starting with "'" stays a string cell.
* text formats (csv, tsv, json, yaml, html) get each cell exactly as
  flat_export_csv writes it: "" for None, the Decimals' own digits, quoted text.
* binary formats (xlsx, ods: the admin passes ``force_native_type=True``) get
  numbers as numbers (amounts as planportal.lib.xlsx_cells.cell_number, exact for
  the product's amounts) and text without the control characters XML cannot hold
  (openpyxl would refuse the whole file), cleaned *before* the quote is decided.
"""

import tablib
from import_export import fields, resources

from funding.export import FLAT_HEADERS, flat_export_rows, flat_text_cell
from funding.models import AnnualBudget
from planportal.lib.safe_cells import safe_text, xlsx_text
from planportal.lib.xlsx_cells import cell_number

# Declared field name → column (a FLAT_HEADERS entry), in FLAT_HEADERS order.
FIELD_NAMES = (
    "plan",
    "year",
    "serial_no",
    "project",
    "nature",
    "location",
    "category",
    "scale_and_content",
    "total_investment",
    "beijing_funds",
    "local_funds",
    "actual_beijing_funds",
    "actual_local_funds",
    "beijing_funds_use",
    "unit",
    "township",
    "village",
    "status",
)
assert len(FIELD_NAMES) == len(FLAT_HEADERS)


def _column(index: int) -> fields.Field:
    # No attribute: values never come from the model field by field, only from flat_export_rows.
    return fields.Field(column_name=FLAT_HEADERS[index], readonly=True)


def _native_cell(value):
    """A value for a typed (binary) format: numbers stay numbers, text is a safe string."""
    if isinstance(value, str):
        return safe_text(xlsx_text(value))
    if value is None or isinstance(value, int):
        return value
    return cell_number(value)  # Decimal 万元


class AnnualBudgetResource(resources.ModelResource):
    plan = _column(0)
    year = _column(1)
    serial_no = _column(2)
    project = _column(3)
    nature = _column(4)
    location = _column(5)
    category = _column(6)
    scale_and_content = _column(7)
    total_investment = _column(8)
    beijing_funds = _column(9)
    local_funds = _column(10)
    actual_beijing_funds = _column(11)
    actual_local_funds = _column(12)
    beijing_funds_use = _column(13)
    unit = _column(14)
    township = _column(15)
    village = _column(16)
    status = _column(17)

    class Meta:
        model = AnnualBudget
        fields = FIELD_NAMES
        export_order = FIELD_NAMES

    def _columns(self, selected_fields) -> list[int]:
        """Indexes into FLAT_HEADERS of the columns to export, in FLAT_HEADERS order.

        `selected_fields` is the admin form's list of ticked field names (import-export
        also accepts column names); empty or None means every column, as in import-export.
        """
        if not selected_fields:
            return list(range(len(FLAT_HEADERS)))
        selected = set(selected_fields)
        return [
            index
            for index, (name, header) in enumerate(zip(FIELD_NAMES, FLAT_HEADERS))
            if name in selected or header in selected
        ]

    @staticmethod
    def _cells(values: list, columns: list[int], native: bool) -> list:
        cell = _native_cell if native else flat_text_cell
        return [cell(values[index]) for index in columns]

    def export(self, queryset=None, **kwargs):
        """A tablib Dataset of flat_export_rows(queryset), for the columns the admin selected.

        The admin passes ``export_fields`` (ticked fields, or None) and
        ``force_native_type`` (True for xlsx/ods). An explicit order_by() on the
        queryset (the admin changelist always sets one) is kept by flat_export_rows.
        """
        self.before_export(queryset, **kwargs)
        if queryset is None:
            queryset = self.get_queryset()
        queryset = self.filter_export(queryset, **kwargs)
        columns = self._columns(kwargs.get("export_fields"))
        native = bool(kwargs.get("force_native_type", False))
        dataset = tablib.Dataset(headers=[FLAT_HEADERS[index] for index in columns])
        for values in flat_export_rows(queryset):
            dataset.append(self._cells(values, columns, native))
        self.after_export(queryset, dataset, **kwargs)
        return dataset

    def export_resource(self, instance, selected_fields=None, **kwargs):
        """One budget's row, through flat_export_rows too (export() does not call this)."""
        values = next(flat_export_rows(AnnualBudget.objects.filter(pk=instance.pk)))
        return self._cells(values, self._columns(selected_fields), bool(kwargs.get("force_native_type", False)))
