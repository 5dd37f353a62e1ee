"""The final evaluation report as a Word document (python-docx): 《…规划》终期评估报告, in Chinese.

Six sections: 一、总体完成情况 二、分年度 三、分类别 四、主要指标 五、重点项目 六、存在的问题（未解决的差异）.
Amounts in 万元 with thousands separators and two decimals; every stated figure with where the plan
states it. The office edits and prints it; the xlsx holds the same tables for further work.
"""

from evaluation.docx_base import body, heading, official_document, table, title
from evaluation.numbers import wan_display

ORIGINS = {"annex": "附表", "narrative": "规划正文", "manual": "人工录入", "derived": "项目行计算"}
CHECKS = {"agrees": "一致", "differs": "不一致", "not_computable": "项目数据无法核对", None: "—"}
STATUSES = {"completed": "已完成", "in_progress": "实施中", "cancelled": "已取消", "never_started": "未启动"}
ATTAINED = {True: "已实现", False: "未实现", None: "未报送"}
SCOPE_WIDTHS = (22, 16, 24, 23, 23, 24, 24)  # mm; the text is 156 mm wide
SCOPE_HEADS = ["项目数（个）", "项目总投资", "京蒙协作资金", "地方自筹资金", "已拨付京蒙资金", "已拨付地方资金"]


def _money(text) -> str:
    return wan_display(text)


def _stated_value(s: dict, key: str) -> str:
    value = s[key]
    if value is None:
        return "—"
    return _money(value) if s["unit"] == "万元" else value


def _scope_row(scope: dict) -> list:
    """Projects, the planned amounts and the disbursed ones ("—" where no row has reported any)."""
    planned, disbursed = scope["planned"], scope["disbursed"]
    paid = [_money(disbursed[m]) if scope["reported_rows"] else "—" for m in ("beijing_funds", "local_funds")]
    return [scope["projects"], _money(planned["total_investment"]), _money(planned["beijing_funds"]),
            _money(planned["local_funds"]), *paid]


def _stated_rows(scopes: list[tuple[str, dict]]) -> list[list]:
    return [[label, s["name"], ORIGINS.get(s["origin"], s["origin"]), _stated_value(s, "value"),
             _stated_value(s, "computed"), _stated_value(s, "difference"), CHECKS.get(s["status"], s["status"]),
             s["source"]]
            for label, scope in scopes for s in scope["stated"]]


def _stated_table(document, scopes: list[tuple[str, dict]], scope_head: str) -> None:
    rows = _stated_rows(scopes)
    if not rows:
        body(document, "规划未对此列出数字。")
        return
    table(document, [scope_head, "指标", "出处类别", "表列数", "项目行合计", "差（行−表列）", "核对结果", "出处"], rows,
          numeric={3, 4, 5}, widths=(16, 22, 16, 16, 16, 16, 16, 38))


def _overall(document, report: dict) -> None:
    heading(document, "一、总体完成情况")
    totals = report["totals"]
    planned, disbursed = totals["planned"], totals["disbursed"]
    body(document, f"规划期（{report['first_year']}—{report['last_year']}年）附表共列年度项目{totals['projects']}个，"
                   f"计划项目总投资{_money(planned['total_investment'])}万元，其中京蒙协作资金"
                   f"{_money(planned['beijing_funds'])}万元、地方自筹资金{_money(planned['local_funds'])}万元。")
    if totals["reported_rows"]:
        share = totals["disbursed_percent"]["beijing_funds"]
        body(document, f"已有{totals['reported_rows']}个年度项目报送资金拨付数：已拨付京蒙协作资金"
                       f"{_money(disbursed['beijing_funds'])}万元" + (f"（占计划的{share}%）" if share else "")
                       + f"，地方自筹资金{_money(disbursed['local_funds'])}万元。")
    else:
        body(document, "各项目尚未报送资金拨付数。")
    status = totals["status"]
    body(document, "项目按实施状态：" + "，".join(f"{STATUSES[k]}{status[k]}个" for k in STATUSES) + "。")
    table(document, ["", *SCOPE_HEADS], [["规划期合计", *_scope_row(totals)]], numeric=set(range(1, 7)),
          widths=SCOPE_WIDTHS)
    body(document, "规划对全期列出的数字与项目行核对如下（计划数、拨付数均由项目行计算）：")
    _stated_table(document, [("全期", totals)], "范围")


def _years(document, report: dict) -> None:
    heading(document, "二、分年度")
    rows = [[f"{y['year']}年", *_scope_row(y)] for y in report["years"]]
    rows.append(["合计", *_scope_row(report["totals"])])
    table(document, ["年度", *SCOPE_HEADS], rows, numeric=set(range(1, 7)), bold_last=True, widths=SCOPE_WIDTHS)
    body(document, "注：“—”为尚未报送拨付数。各年度表列数与项目行核对：")
    _stated_table(document, [(f"{y['year']}年", y) for y in report["years"]], "年度")


def _categories(document, report: dict) -> None:
    heading(document, "三、分类别")
    rows = [[c["category"], *_scope_row(c)] for c in report["categories"]]
    rows.append(["合计", *_scope_row(report["totals"])])
    table(document, ["类别", *SCOPE_HEADS], rows, numeric=set(range(1, 7)), bold_last=True, widths=SCOPE_WIDTHS)
    heads = ["类别", *(STATUSES[k] for k in STATUSES)]
    table(document, heads, [[c["category"], *(c["status"][k] for k in STATUSES)] for c in report["categories"]],
          numeric=set(range(1, 5)), widths=(36, 30, 30, 30, 30))
    body(document, "各年度分类别表列数与项目行核对：")
    _stated_table(document, [(f"{y['year']}年{c['category']}", c) for y in report["years"] for c in y["categories"]],
                  "年度·类别")


def _indicators(document, report: dict) -> None:
    heading(document, "四、主要指标")
    for kind, label in (("main", "（一）专栏1主要指标"), ("goal", "（二）五年发展目标")):
        rows = [r for r in report["indicators"] if r["kind"] == kind]
        if not rows:
            continue
        heading(document, label, level=2)
        table(document, ["序号", "指标", "单位", "目标值", "最终值", "是否实现", "佐证材料"], [
            [r["seq"], r["name"], r["unit"], r["target"],
             f"{r['final_value']}（{r['final_year']}年）" if r["final_value"] is not None else "—",
             ATTAINED[r["attained"]], "；".join(part for part in (r["evidence_text"], r["evidence_file"]) if part) or "—"]
            for r in rows], numeric={0, 3, 4}, widths=(10, 46, 14, 18, 24, 18, 26))


def _key_projects(document, report: dict) -> None:
    heading(document, "五、重点项目")
    keys = report["key_projects"]
    body(document, f"规划各专栏共列重点建设工程和项目{keys['listed']}个，在相应年度附表中找到{keys['found']}个，"
                   f"未找到{keys['missing']}个。")
    missing = [item for item in keys["items"] if not item["found"]]
    if missing:
        table(document, ["专栏", "项目名称", "年度", "附表中缺少的年度"], [
            [item["column"], item["name"], "、".join(map(str, item["years"])), "、".join(map(str, item["missing_years"]))]
            for item in missing], numeric={0}, widths=(12, 80, 30, 34))


def _problems(document, report: dict) -> None:
    heading(document, "六、存在的问题（未解决的差异）")
    rows = report["disagreements"]
    if not rows:
        body(document, "规划表列的数字与项目行均一致，没有未解决的差异。")
        return
    body(document, f"截至本报告，仍有{report['disagreements_open']}处差异未解决：")
    for number, row in enumerate(rows, start=1):
        body(document, f"{number}. {row['text']}（出处：{row['source']}）")


def evaluation_docx(report: dict, out) -> None:
    """Write the report (the dict of evaluation.report, built in Chinese) to `out`, a path or a file-like object."""
    document = official_document()
    title(document, f"《{report['name']}》终期评估报告")
    body(document, f"{report['county']} · 结对帮扶：{report['partner']} · {report['first_year']}—{report['last_year']}年",
         centre=True)
    if report["computed_at"]:
        body(document, f"数据截至 {report['computed_at'][:10]}；金额单位：万元", centre=True)
    if report["period"] != "ended":
        body(document, "规划期尚未结束，本报告为阶段性评估。")
    if report["recompute_pending"]:
        body(document, "注意：最近的修改尚未计入以下合计。")
    for section in (_overall, _years, _categories, _indicators, _key_projects, _problems):
        section(document, report)
    document.core_properties.title = f"《{report['name']}》终期评估报告"
    document.save(out)
