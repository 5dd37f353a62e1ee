"""A disagreement in words a liaison officer reads top to bottom, in Chinese or English."""

from decimal import Decimal

from planportal.lib.money import format_wan

METRIC_NAMES = {
    "projects": ("项目数", "projects"),
    "total_investment": ("项目总投资", "total investment"),
    "beijing_funds": ("京蒙协作资金", "cooperation funds"),
    "local_funds": ("地方自筹资金", "local funds"),
    "enterprises_introduced": ("引进北京落地企业", "Beijing enterprises brought in"),
    "jobs_created": ("带动就业", "jobs created"),
    "labour_transfer": ("转移劳动力在京稳定就业", "workers placed in Beijing"),
    "talent_exchanges": ("专业技术人才交流", "professional exchanges"),
    "technologies_introduced": ("引进技术", "technologies introduced"),
}


def _metric(metric: str, en: bool) -> str:
    names = METRIC_NAMES.get(metric)
    return (names[1] if en else names[0]) if names else metric


def _value(value, metric: str, unit: str, en: bool) -> str:
    if value is None:
        return "—"
    value = Decimal(value)
    if metric in ("total_investment", "beijing_funds", "local_funds") or unit == "万元":
        return f"{format_wan(value)} 万元"
    text = f"{value.normalize():f}"
    return f"{text} {unit}".strip() if unit and unit != "万元" else text


def _category_name(category, en: bool) -> str:
    return (category.name_en or category.name_zh) if en else category.name_zh


def _years(years, en: bool) -> str:
    return (", " if en else "、").join(str(y) for y in years)


def _scope(v, en: bool) -> str:
    year = (str(v.year) if en else f"{v.year}年") if v.year else ("the whole plan" if en else "规划期")
    category = _category_name(v.category, en) if v.category_id else ("all categories" if en else "全部类别")
    return f"{year} · {category}"


def sentence(v, lang: str = "zh") -> str:
    en = lang.startswith("en")
    d = v.details or {}
    unit = d.get("unit", "")
    stated = _value(v.stated, v.metric, unit, en)
    computed = _value(v.computed, v.metric, unit, en)
    diff = _value(v.difference, v.metric, unit, en) if v.difference is not None else ""
    what = _metric(v.metric, en)
    where = _scope(v, en)
    origin_zh = {"annex": "附表", "narrative": "规划正文", "manual": "人工录入的数"}.get(d.get("origin"), "规划")
    origin_en = {"annex": "the annex", "narrative": "the plan text", "manual": "a figure entered by staff"}.get(
        d.get("origin"), "the plan")
    kind = v.kind
    if kind == "figure":
        if v.status == "not_computable":
            return (f"{where}: {origin_en} states {what} {stated}; the project rows cannot count this."
                    if en else f"{where}：{origin_zh}写{what}{stated}，项目数据无法计算此项。")
        if en:
            return f"{where}: {origin_en} states {what} {stated}, the project rows add up to {computed} ({diff})."
        return f"{where}：{origin_zh}写{what}{stated}，项目行合计{computed}（差 {diff}）。"
    if kind == "parts":
        n = d.get("parts", 0)
        if en:
            return (f"{where}: the total “{d.get('label') or what}” in {origin_en} says {what} {stated}, "
                    f"but the {n} category figures under it add up to {computed} ({diff}).")
        return f"{where}：{origin_zh}合计“{d.get('label') or what}”写{what}{stated}，其下 {n} 个类别的数相加为{computed}（差 {diff}）。"
    if kind == "years":
        years = _years(d.get("years", []), en)
        if en:
            return (f"Five-year target: the plan text states {what} {stated}, "
                    f"but its yearly figures ({years}) add up to {computed} ({diff}).")
        return f"五年目标：规划正文写{what}{stated}，而各年（{years}）的数相加为{computed}（差 {diff}）。"
    if kind == "category_empty":
        label = d.get("label") or (_category_name(v.category, en) if v.category_id else "")
        if not d.get("known", True):
            return (f"{where}: the plan text names a category “{label}” that the plan does not have."
                    if en else f"{where}：规划正文提到类别“{label}”，但本规划没有这一类别。")
        return (f"{where}: the plan text gives figures for {label}, but that year's annex has no {label} rows."
                if en else f"{where}：规划正文给出了{label}的数，但当年附表中没有{label}的项目行。")
    if kind == "key_project":
        missing = _years(d.get("missing_years", []), en)
        if en:  # 专栏 N: the plan's box N, as the evaluation names it
            return (f"Box {d.get('column')}: the key project “{d.get('name')}” is not found in the annex of {missing}."
                    if v.status == "differs" else f"Box {d.get('column')}: “{d.get('name')}” is in the annex.")
        return (f"专栏{d.get('column')}：重点项目“{d.get('name')}”在{missing}年的附表中找不到。"
                if v.status == "differs" else f"专栏{d.get('column')}：“{d.get('name')}”在附表中。")
    return f"{where}: {what} {stated} / {computed}"
