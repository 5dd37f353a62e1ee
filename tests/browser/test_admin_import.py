"""An admin uploads a workbook, sees the preview with the changed value, confirms, and the totals follow."""

from decimal import Decimal

from openpyxl import load_workbook

from funding.models import AnnualBudget
from portal.bundled import BUNDLED_ANNEX
from tests.browser.conftest import screenshot


def test_admin_uploads_previews_and_confirms(login, member, bundled_live, live_server, tmp_path):
    admin = member("admin", is_superuser=True)
    workbook = load_workbook(BUNDLED_ANNEX)
    sheet = workbook["2022年"]
    for row in sheet.iter_rows(min_row=4):
        if row[1].value == "科右中旗嘎查环境整治项目":
            row[8].value = 1234.5  # 京蒙资金 of one row
    edited = tmp_path / "附表-修订.xlsx"
    workbook.save(edited)

    page = login(admin)
    page.goto(f"{live_server.url}/admin/importers/importbatch/upload/")
    page.select_option("#id_plan", value=str(bundled_live.pk))
    page.set_input_files("#id_files", str(edited))
    page.click("input[type=submit]")
    page.wait_for_selector("input[name=confirm]")
    preview = page.content()
    assert "1,234.50" in preview and "京蒙资金" in preview  # the change, old → new
    screenshot(page, "import-preview")
    assert AnnualBudget.objects.get(project__name="科右中旗嘎查环境整治项目", plan_year__year=2022).beijing_funds != \
        Decimal("1234.5")  # nothing written before confirming

    page.click("input[name=confirm]")
    page.wait_for_selector("text=导入结果")
    screenshot(page, "import-done")
    budget = AnnualBudget.objects.get(project__name="科右中旗嘎查环境整治项目", plan_year__year=2022)
    assert budget.beijing_funds == Decimal("1234.5")
    assert "附表-修订.xlsx" in budget.history.latest().history_change_reason
