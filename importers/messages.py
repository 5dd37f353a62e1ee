"""What the importer tells people: each message names sheet, row and column and says what to fix.

Messages are kept as (code, params) and rendered in Chinese or English when
shown, so one report serves both languages.
"""

from dataclasses import asdict, dataclass, field

ERROR = "error"
WARNING = "warning"

# code → (Chinese, English). Params are filled with str.format.
TEXTS: dict[str, tuple[str, str]] = {
    "unreadable": ("{detail}", "{detail_en}"),
    "no_header": (
        "没有找到附表的表头行：请保留含“项目名称”和金额列（如“京蒙资金”）的表头行。",
        "No annex header row found: keep the header row with 项目名称 (project name) and an amount column such as 京蒙资金.",
    ),
    "missing_column": (
        "表头缺少“{column}”列：请加上这一列。",
        "The header has no “{column}” column: add it.",
    ),
    "missing_name": (
        "这一行有金额或内容，但没有项目名称：请填写项目名称，或删除这一行。",
        "This row has amounts or content but no project name: fill in the project name or delete the row.",
    ),
    "bad_amount": ("{detail}", "{detail_en}"),
    "negative_amount": (
        "金额“{value}”是负数：金额不能小于零，请改正。",
        "The amount “{value}” is negative: amounts cannot be below zero; correct it.",
    ),
    "bad_year": ("{detail}", "{detail_en}"),
    "missing_year": (
        "没有实施年度：请在“实施年度”列填写年份（如 2023），或在表题中写明年份。",
        "No year: fill in the 实施年度 (year) column, e.g. 2023, or name the year in the table title.",
    ),
    "year_outside_plan": (
        "实施年度 {year} 不在规划年限 {first}–{last} 内：请改为规划内的年份。",
        "Year {year} is outside the plan's years {first}–{last}: use a year of the plan.",
    ),
    "unknown_category": (
        "项目类别“{value}”不是本规划的类别：请使用 {known} 之一。",
        "Category “{value}” is not a category of this plan: use one of {known}.",
    ),
    "missing_category": (
        "没有项目类别：请在“项目类别”列填写类别，或把项目放在类别小计行之下。",
        "No category: fill in the 项目类别 column, or place the project under its category's subtotal row.",
    ),
    "duplicate_row": (
        "与{first_sheet}第 {first_row} 行重复（同一项目、地点、实施单位和年度）：请删除其中一行。",
        "Duplicates row {first_row} of {first_sheet} (same project, place, unit and year): delete one of them.",
    ),
    "bad_count": ("{detail}", "{detail_en}"),
    "year_locked": (
        "{year} 年已审核通过并锁定：这一行是该年度没有的，不能新增。如需修改，请先请联络员重新开放该年度；"
        "或在预览中选择“跳过已锁定年度”，只导入其余各行。",
        "{year} has been approved and is locked: this row is not in that year and cannot be added. Ask the "
        "liaison officer to reopen the year first, or choose “skip the locked years” in the preview to import "
        "the other rows.",
    ),
    "locked_value": (
        "{year} 年已审核通过并锁定：{field}会由“{old}”改为“{new}”。如需修改，请先请联络员重新开放该年度；"
        "或在预览中选择“跳过已锁定年度”，只导入其余各行。",
        "{year} has been approved and is locked: {field} would change from “{old}” to “{new}”. Ask the liaison "
        "officer to reopen the year first, or choose “skip the locked years” in the preview to import the other "
        "rows.",
    ),
    "stated_locked_removed": (
        "{year} 年已审核通过并锁定：文件中没有“{label}”这一行，导入会删除它的表列数。如需修改，请先请联络员重新开放该年度；"
        "或在预览中选择“跳过已锁定年度”。",
        "{year} has been approved and is locked: the file has no “{label}” row, so the import would remove its "
        "stated figures. Ask the liaison officer to reopen the year first, or choose “skip the locked years” in "
        "the preview.",
    ),
    "locked_skipped": (
        "{year} 年已审核通过并锁定，按您的选择跳过：{field}保持“{old}”（文件中为“{new}”）。",
        "{year} is approved and locked, skipped as you chose: {field} stays “{old}” (the file says “{new}”).",
    ),
    "stated_locked_kept": (
        "{year} 年已审核通过并锁定，按您的选择保留“{label}”的表列数（文件中没有这一行）。",
        "{year} is approved and locked, kept as you chose: the stated figures of “{label}” stay (the file has "
        "no such row).",
    ),
    "locked_row_skipped": (
        "{year} 年已审核通过并锁定，按您的选择跳过：这一行没有导入。",
        "{year} is approved and locked, skipped as you chose: this row was not imported.",
    ),
    "project_locked": (
        "{years} 年已审核通过并锁定：如需修改，请先请联络员重新开放。这一行会改变项目“{name}”在该年度的类别或建设性质。",
        "{years} has been approved and is locked: ask the liaison officer to reopen it first. This row would "
        "change the category or nature of the project “{name}” in that year.",
    ),
    "file_too_large": (
        "文件“{name}”有 {size_mb} MB，超过上传上限 {limit_mb} MB：请只保留附表所需的工作表和内容后再上传。",
        "The file “{name}” is {size_mb} MB, over the upload limit of {limit_mb} MB: keep only the sheets and "
        "content the annex needs, then upload it again.",
    ),
    "formula_in_stated": (
        "单元格 {cell} 的合计是公式：按表格显示的结果作为表列数导入，并与项目行之和核对。",
        "Cell {cell} holds its total as a formula: the result the sheet shows is imported as the stated figure "
        "and checked against the sum of the rows.",
    ),
    "formula_in_amount": (
        "单元格 {cell} 是公式，不是填写的金额（公式保存的结果可能没有计算或已经过时）：导入只接受直接填写的数字。"
        "请选中这些单元格，复制后用“选择性粘贴 → 数值”粘贴回原处，再上传。",
        "Cell {cell} holds a formula, not a typed amount (a formula's saved result may be missing or out of "
        "date): the import takes only typed numbers. Select the cells, copy them and paste them back with "
        "Paste Special → Values, then upload again.",
    ),
    "formula_in_year": (
        "单元格 {cell} 是公式，不是填写的年份：请直接填写四位年份（如 2023）后再上传。",
        "Cell {cell} holds a formula, not a typed year: type the four-digit year (e.g. 2023), then upload again.",
    ),
    "merged_amount": (
        "金额单元格 {cells} 是合并单元格：一个金额占了几个格子，无法确定它属于哪一行。"
        "请取消合并，在每一行填写各自的金额后再上传。",
        "The amount cells {cells} are merged: one amount covers several cells and cannot be given to one row. "
        "Unmerge them and fill in each row's own amount, then upload again.",
    ),
    "text_too_long": (
        "这一格有 {length} 个字符，超过上限 {limit} 个字符：请删减后再上传。",
        "This cell has {length} characters, over the limit of {limit}: shorten it, then upload again.",
    ),
    "year_shown_as_date": (
        "实施年度单元格的格式是日期，显示为 {value}（单元格里的数是 {number}）：请把这一列的单元格格式改为“常规”，"
        "填写四位年份（如 2023）后再上传。",
        "The year cell is formatted as a date and shows {value} (the number in the cell is {number}): set the "
        "column's cell format to General and type the four-digit year (e.g. 2023), then upload again.",
    ),
    "too_many_errors": (
        "错误太多，只列出前 {shown} 条（共 {total} 条）：请先改正这些再重新上传。",
        "Too many errors: only the first {shown} of {total} are listed; correct these and upload again.",
    ),
    # disbursement sheets (importers.disbursements)
    "no_disbursement_header": (
        "没有找到拨付明细的表头行：请保留含“项目名称”、拨付金额（如“京蒙资金拨付”）、“拨付日期”和“凭证号”的表头行。",
        "No disbursement header row found: keep the header row with 项目名称 (project name), an amount such as "
        "京蒙资金拨付, 拨付日期 (date) and 凭证号 (voucher number).",
    ),
    "missing_voucher": (
        "没有凭证号：请填写这笔拨付的记账凭证号（同一凭证再次导入时据此识别，不会重复计数）。",
        "No voucher number: fill in the payment's voucher number (凭证号); importing the same voucher again is "
        "recognised by it and never counted twice.",
    ),
    "missing_date": (
        "没有拨付日期：请填写日期，如 2023-05-06。",
        "No payment date: fill in the date, e.g. 2023-05-06.",
    ),
    "bad_date": (
        "“{value}”不是日期：请写成 2023-05-06、2023/5/6、2023.05.06 或 2023年5月6日。",
        "“{value}” is not a date: write it as 2023-05-06, 2023/5/6, 2023.05.06 or 2023年5月6日.",
    ),
    "no_payment": (
        "这一行没有拨付金额（京蒙资金和地方自筹都是 0 或空白）：请填写金额，或删除这一行。",
        "This row pays nothing (cooperation and local funds are both 0 or blank): fill in the amount or delete "
        "the row.",
    ),
    "yuan_amount": (
        "“{value}”不是以元为单位的金额：请填写金额，如 125000 或 125000.00（本表单位为元）。",
        "“{value}” is not an amount in 元: enter an amount such as 125000 or 125000.00 (this sheet is in 元).",
    ),
    "yuan_fraction": (
        "金额 {value} 元不是整元（有角、分）：系统按元精确记账，请改为整元金额后再上传。",
        "The amount {value} 元 is not whole yuan (it has jiao or fen): amounts are kept exact to the yuan; correct "
        "it to whole yuan, then upload again.",
    ),
    "project_not_found": (
        "{year} 年附表中没有项目“{name}”{where}：请按附表核对项目名称、建设地点和实施单位，或填写附表序号。",
        "The {year} annex has no project “{name}”{where_en}: check the name, place and unit against the annex, or "
        "give the annex serial number (序号).",
    ),
    "project_ambiguous": (
        "{year} 年附表中有 {count} 个项目叫“{name}”{where}：请补上“建设地点”和“实施单位”列或附表序号，以确定是哪一个。",
        "The {year} annex has {count} projects named “{name}”{where_en}: add the 建设地点 (place) and 实施单位 "
        "(unit) columns or the annex serial number, so the row names one of them.",
    ),
    "serial_mismatch": (
        "{year} 年附表第 {serial} 号项目是“{annex_name}”，不是“{name}”：请改正序号或项目名称。",
        "Serial number {serial} of the {year} annex is “{annex_name}”, not “{name}”: correct the serial number or "
        "the name.",
    ),
    "voucher_conflict": (
        "凭证号“{voucher}”已在{first_sheet}第 {first_row} 行出现，同一项目的日期或金额却不同：同一项目每个凭证只填一行，"
        "请删除或改正其中一行。",
        "The voucher “{voucher}” is already on row {first_row} of {first_sheet} for this project with another date "
        "or amount: keep one row per voucher and project; delete or correct one of them.",
    ),
    "disbursement_locked": (
        "{year} 年已审核通过并锁定：这一行会{change}项目“{name}”的拨付（凭证号“{voucher}”）。如需修改，请先请联络员重新开放该年度。",
        "{year} has been approved and is locked: this row would {change_en} a payment of the project “{name}” "
        "(voucher “{voucher}”). Ask the liaison officer to reopen the year first.",
    ),
    "voucher_repeated": (
        "与{first_sheet}第 {first_row} 行相同（同一项目、凭证号、日期和金额）：只计一次。",
        "Same as row {first_row} of {first_sheet} (same project, voucher, date and amounts): counted once.",
    ),
    "serial_name_differs": (
        "{year} 年附表第 {serial} 号项目是“{annex_name}”：按项目名称、地点和单位匹配到“{name}”，请核对序号。",
        "Serial number {serial} of the {year} annex is “{annex_name}”: matched “{name}” by name, place and unit "
        "instead; check the serial number.",
    ),
    "serial_unknown": (
        "{year} 年附表中没有第 {serial} 号项目：已按项目名称、地点和单位匹配，请核对序号。",
        "The {year} annex has no serial number {serial}: matched by name, place and unit instead; check the serial "
        "number.",
    ),
    "actual_replaced": (
        "项目“{name}”{year} 年的实际拨付原为手工填写（京蒙资金 {beijing}，地方自筹 {local}）：导入后改为各笔拨付之和"
        "（原值保留在历史中）。",
        "The disbursed figures of “{name}” in {year} were entered by hand (cooperation funds {beijing}, local funds "
        "{local}): they become the sums of its disbursements (the old values stay in the history).",
    ),
    "sheet_without_disbursements": (
        "工作表“{sheet}”中没有拨付明细（没有找到表头行），已跳过。",
        "Sheet “{sheet}” holds no disbursements (no header row found) and was skipped.",
    ),
    # warnings
    "actual_above_planned": (
        "实际拨付 {actual} 高于计划 {planned}：已按原样导入，请核对。",
        "Disbursed {actual} is above the planned {planned}: imported as written; please check.",
    ),
    "total_mismatch": (
        "项目总投资 {total} ≠ 京蒙资金 {beijing} + 地方自筹 {local} = {sum}：已按原样导入，请核对。",
        "Total investment {total} ≠ cooperation funds {beijing} + local funds {local} = {sum}: imported as written; please check.",
    ),
    "new_unit": (
        "新的实施单位“{value}”：已新建。如果它是已有单位的另一种写法，请在管理后台把它合并到已有单位。",
        "New implementing unit “{value}”: created. If it is another spelling of an existing unit, merge it in the administration.",
    ),
    "continued_without_earlier_year": (
        "建设性质为“续建”，但该项目在 {year} 年之前没有年度记录：请核对性质或补上之前年度。",
        "Marked 续建 (continued) but the project has no row before {year}: check the nature or add the earlier year.",
    ),
    "unknown_nature": (
        "建设性质“{value}”无法识别：应为 新建、续建 或 扩建；已留空导入。",
        "Nature “{value}” is not recognised: expected 新建, 续建 or 扩建; imported as blank.",
    ),
    "category_differs_from_subtotal": (
        "项目类别“{value}”与所在小计行“{subtotal}”不一致：已按“项目类别”列导入。",
        "Category “{value}” differs from the subtotal row above (“{subtotal}”): imported with the 项目类别 column.",
    ),
    "category_changed": (
        "该项目在其他年度属于“{old}”，本行为“{new}”：项目类别已改为“{new}”。",
        "This project is “{old}” in other years and “{new}” here: its category is now “{new}”.",
    ),
    "hidden_sheet": (
        "工作表“{sheet}”是隐藏的，已跳过。",
        "Sheet “{sheet}” is hidden and was skipped.",
    ),
    "sheet_without_table": (
        "工作表“{sheet}”中没有附表（没有找到表头行），已跳过。",
        "Sheet “{sheet}” holds no annex table (no header row found) and was skipped.",
    ),
    "unknown_status": (
        "项目状态“{value}”无法识别：已保留原状态。",
        "Status “{value}” is not recognised: the status was left unchanged.",
    ),
    "merged_cells_filled": (
        "{cells} 是合并单元格：第 {first}–{last} 行都按“{value}”导入。",
        "The cells {cells} are merged: rows {first}–{last} were each imported with “{value}”.",
    ),
    "year_from_date": (
        "实施年度填的是日期 {value}：按 {year} 年导入，请核对。",
        "The year cell holds the date {value}: imported as the year {year}; please check.",
    ),
    "stated_removed": (
        "{year} 年的表中不再有“{label}”这一行：原来记录的表列数已删除（历史中仍可查）。",
        "The {year} table no longer has the row “{label}”: its stated figures were removed (still in the history).",
    ),
}

# Refusals by the year lock that "skip the locked years" turns into notes: rows and stated figures of an
# approved year. (project_locked is not among them: skipping rows cannot keep what a project says.)
LOCK_REFUSALS = frozenset({"year_locked", "locked_value", "stated_locked_removed"})


@dataclass(frozen=True)
class Message:
    level: str
    code: str
    sheet: str = ""
    row: int | None = None
    column: str = ""
    params: dict = field(default_factory=dict)

    def text(self, lang: str = "zh") -> str:
        zh, en = TEXTS[self.code]
        template = en if lang.startswith("en") else zh
        params = {**self.params}
        params.setdefault("detail_en", params.get("detail", ""))
        return template.format(**params)

    def where(self, lang: str = "zh") -> str:
        parts = []
        if lang.startswith("en"):
            if self.sheet:
                parts.append(f"sheet “{self.sheet}”")
            if self.row:
                parts.append(f"row {self.row}")
            if self.column:
                parts.append(f"column “{self.column}”")
            return ", ".join(parts)
        if self.sheet:
            parts.append(f"工作表“{self.sheet}”")
        if self.row:
            parts.append(f"第 {self.row} 行")
        if self.column:
            parts.append(f"“{self.column}”列")
        return "，".join(parts)

    def as_json(self, lang: str = "zh") -> dict:
        return {
            "level": self.level,
            "code": self.code,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.text(lang),
            "where": self.where(lang),
        }

    def to_store(self) -> dict:
        return asdict(self)

    @classmethod
    def from_store(cls, data: dict) -> "Message":
        return cls(**data)
