"""The import reviews (annex and disbursements) share their message tables and progress block."""

from django.template.loader import render_to_string
from django.utils import translation


def test_the_message_table_marks_errors_and_not_warnings():
    rows = [{"where": "2021年 第3行 京蒙资金", "message": "<b>不是金额</b>"}]
    with translation.override("en"):
        errors = render_to_string("admin/importers/_message_table.html", {"messages": rows, "errors_table": True})
        notes = render_to_string("admin/importers/_message_table.html", {"messages": rows, "errors_table": False})
    assert "What to fix" in errors and 'class="level-error"' in errors and "&lt;b&gt;" in errors
    assert "Note" in notes and "level-error" not in notes and "2021年 第3行 京蒙资金" in notes
