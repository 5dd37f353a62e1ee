"""Synthetic plans shaped like the real ones, at any scale: what the benchmarks and the scale tests run on.

`synthetic_generate(plans=1000, budgets_per_plan=1000)` adds plans through plan_create (the service: its
years and categories) and fills each with what a real annex gives: implementing units under several
spellings (each spelling's key from the plan's own unit rule), a banner with its townships and villages,
projects spanning one to five years (续建 after the first), one AnnualBudget per project and year, money
exact to the yuan with some disbursed, the annex's 合计 and subtotal rows and the plan text's five-year
targets as stated figures (about one in twelve disagreeing with the rows, as real ones do), and years in
every review state. Rows are written in chunks by `_insert`, whose columns, defaults and conversions
are the models' own fields (nothing drifts from the schema, and every database constraint checks every
row): PostgreSQL's COPY for the large tables, bulk_create elsewhere. Never hand-written SQL. bulk_create
builds a model instance and converts each value through the field's whole chain, about 0.4 ms a row
here: 13 minutes for a million budgets and their projects; COPY takes a few. The totals and checks are then recomputed by the
rollups' own service, so the pages show what they would after an import.

Deterministic: the same arguments and seed give the same world.
"""

import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from figures.models import StatedFigure
from funding.fields import WanYuanField
from funding.models import AnnualBudget
from plans.access import SYSTEM
from plans.models import Category, Plan, PlanMembership, PlanYear
from plans.services import plan_create
from projects.models import ImplementingUnit, Place, Project, UnitAlias
from projects.services import plan_unit_key
from rollups.services import recompute_plan

# Banners of 兴安盟 and the Beijing districts paired with them: each synthetic plan takes one pair.
BANNERS = [("科右中旗", "海淀区"), ("科右前旗", "朝阳区"), ("扎赉特旗", "丰台区"), ("突泉县", "石景山区"),
           ("阿尔山市", "西城区"), ("乌兰浩特市", "东城区")]
TOWNSHIPS = ["巴彦呼舒镇", "杜尔基镇", "高力板镇", "好腰苏木镇", "吐列毛杜镇", "巴仁哲里木镇", "额木庭高勒苏木",
             "新佳木苏木", "哈日诺尔苏木", "巴彦茫哈苏木", "代钦塔拉苏木", "巴彦淖尔苏木"]
VILLAGE_STEMS = ["代钦塔拉", "哈吐布其", "西哲里木", "乌逊嘎", "白音套海", "巴彦敖包", "图布信", "阿拉坦花",
                 "额很乌苏", "宝力根花", "乌兰昭", "胡硕", "查干础鲁", "希日塔拉"]
# Bureaus: the canonical name and the other ways the annexes write them (different matching keys).
BUREAUS = [
    ("{county}农牧和科技局", ["旗农科局", "{county}农牧局"]),
    ("{county}卫生健康委员会", ["旗卫健委"]),
    ("{county}教育体育局", ["旗教体局", "旗教育局"]),
    ("{county}文化旅游体育局", ["旗文旅局"]),
    ("{county}乡村振兴局", ["旗乡村振兴局", "旗扶贫办"]),
    ("{county}工业和信息化局", ["旗工信局"]),
    ("{county}人力资源和社会保障局", ["旗人社局"]),
    ("{county}商务局", ["旗商务局"]),
]
NATURES_AFTER_FIRST = Project.Nature.CONTINUED
WORKS = ["新建温室大棚{n}座", "改造村内道路{n}公里", "新建牛舍{n}处", "培训{n}人次", "建设冷链仓储{n}平方米",
         "改造卫生室{n}所", "购置设备{n}台（套）", "组织劳务输出{n}人"]
USES = ["用于设施建设", "用于设备购置", "用于培训补贴", "用于以奖代补", "用于基础设施配套"]
# How many years a project spans, by weight: most last one year, a few the whole plan.
SPAN_WEIGHTS = {1: 50, 2: 20, 3: 15, 4: 10, 5: 5}
DISAGREEING = 12  # about one stated figure in this many disagrees with the rows
BATCH = 2000  # rows per INSERT: bounded memory and statement size whatever the scale
CENT = Decimal("0.01")


@dataclass
class GeneratedWorld:
    plans: list[int] = field(default_factory=list)
    projects: int = 0
    budgets: int = 0
    stated_figures: int = 0
    disagreements_planted: int = 0


def _next_index(prefix: str) -> int:
    """Plans `<prefix>-0001`, -0002 …: a second call adds to the first call's plans."""
    codes = Plan.objects.filter(code__startswith=f"{prefix}-").values_list("code", flat=True)
    numbers = [int(code.rsplit("-", 1)[1]) for code in codes if code.rsplit("-", 1)[1].isdigit()]
    return max(numbers, default=0) + 1


def _money(rng: random.Random, high_wan: int) -> Decimal:
    """An amount in 万元 with up to two decimals (as the annexes write them)."""
    return Decimal(rng.randrange(0, high_wan * 100)) / 100


def _spans(rng: random.Random, budgets: int, years: list[int]) -> list[tuple[int, int]]:
    """(first year, number of years) per project, adding up to exactly `budgets` yearly rows."""
    spans, left = [], budgets
    lengths, weights = list(SPAN_WEIGHTS), list(SPAN_WEIGHTS.values())
    while left:
        length = min(rng.choices(lengths, weights)[0], left, len(years))
        first = rng.randrange(0, len(years) - length + 1)
        spans.append((first, length))
        left -= length
    return spans


class _PlanBuilder:
    """One plan's rows, built in memory and written with bulk_create."""

    def __init__(self, plan: Plan, rng: random.Random, budgets: int):
        self.plan, self.rng, self.budget_count = plan, rng, budgets
        self.years = {py.year: py for py in PlanYear.objects.filter(plan=plan)}
        self.categories = list(Category.objects.filter(plan=plan).order_by("order"))

    def places(self) -> list[tuple[Place, list[Place]]]:
        banner = Place.objects.create(plan=self.plan, kind=Place.Kind.BANNER, name=self.plan.county)
        townships = Place.objects.bulk_create(
            Place(plan=self.plan, kind=Place.Kind.TOWNSHIP, name=name, parent=banner) for name in TOWNSHIPS)
        villages = Place.objects.bulk_create(
            Place(plan=self.plan, kind=Place.Kind.VILLAGE, name=f"{stem}嘎查", parent=township)
            for township in townships for stem in self.rng.sample(VILLAGE_STEMS, 4))
        by_township = defaultdict(list)
        for village in villages:
            by_township[village.parent_id].append(village)
        return [(township, by_township[township.pk]) for township in townships]

    def units(self) -> list[ImplementingUnit]:
        """Bureaus and township governments, each with the spellings annexes use (one key per spelling)."""
        county = self.plan.county
        named = [(canonical.format(county=county), [s.format(county=county) for s in others])
                 for canonical, others in BUREAUS]
        for township in TOWNSHIPS:
            stem = township.removesuffix("镇").removesuffix("苏木") if township.endswith("镇") else township
            # 巴彦呼舒镇人民政府 / 巴彦呼舒人民政府 / with a stray space: one key, so one alias row.
            named.append((f"{township}人民政府", [f"{stem}人民政府", f"{township[:2]} {township[2:]}人民政府"]))
        units = ImplementingUnit.objects.bulk_create(ImplementingUnit(plan=self.plan, name=name) for name, _ in named)
        aliases, keys = [], set()
        for unit, (name, others) in zip(units, named, strict=True):
            for spelling in [name, *others]:
                key = plan_unit_key(self.plan, spelling)
                if key not in keys:  # a spelling with a key already taken is the same unit written another way
                    keys.add(key)
                    aliases.append(UnitAlias(plan=self.plan, unit=unit, spelling=spelling, key=key))
        UnitAlias.objects.bulk_create(aliases)
        return units

    def projects(self, units, places) -> list[tuple[dict, int, int]]:
        rng, plan = self.rng, self.plan
        years = sorted(self.years)
        rows, spans = [], _spans(rng, self.budget_count, years)
        for n, (first, length) in enumerate(spans, start=1):
            township, villages = rng.choice(places)
            village = rng.choice(villages)
            category = self.categories[n % len(self.categories)]
            last = first + length - 1
            if years[last] < 2024:
                status = Project.Status.COMPLETED if rng.random() < 0.95 else Project.Status.CANCELLED
            else:
                status = Project.Status.IN_PROGRESS if years[first] <= 2024 else Project.Status.PLANNED
            # A programme that recurs every year keeps its name: names repeat, as in the real annexes.
            name = (f"{plan.county}肉牛改良项目" if n % 97 == 0 else
                    f"{plan.county}{township.name}{village.name}{category.name_zh.removesuffix('类')}项目{n:05d}")
            project = {
                "plan_id": plan.pk, "name": name, "category_id": category.pk, "unit_id": rng.choice(units).pk,
                "nature": Project.Nature.CONTINUED if length > 1 else rng.choice([Project.Nature.NEW,
                                                                                  Project.Nature.EXPANSION]),
                "location_text": f"{plan.county}{township.name}{village.name}", "township_id": township.pk,
                "village_id": village.pk, "description": rng.choice(WORKS).format(n=rng.randrange(1, 60)),
                "status": status,
            }
            rows.append((project, first, length))
        _insert(Project, [project for project, _, _ in rows], returning_ids=True)
        return rows

    def budgets(self, projects) -> tuple[list[dict], dict]:
        """The yearly rows, and what they add up to per (year, category) (for the stated figures)."""
        rng, years = self.rng, sorted(self.years)
        sums = defaultdict(lambda: [0, Decimal(0), Decimal(0), Decimal(0)])
        budgets, serial = [], defaultdict(int)
        for project, first, length in projects:
            for offset in range(length):
                year = years[first + offset]
                beijing = _money(rng, 5000)
                local = _money(rng, 2000) if rng.random() < 0.8 else Decimal(0)  # blank local funds: 0
                total = beijing + local + (_money(rng, 500) if rng.random() < 0.2 else Decimal(0))
                disbursed = year <= 2024 and project["status"] != Project.Status.CANCELLED
                serial[year] += 1
                budgets.append({
                    "project_id": project["id"], "plan_year_id": self.years[year].pk, "serial_no": str(serial[year]),
                    "nature": project["nature"] if offset == 0 else NATURES_AFTER_FIRST,
                    "scale_and_content": project["description"], "beijing_funds_use": rng.choice(USES),
                    "total_investment": total, "beijing_funds": beijing, "local_funds": local,
                    "actual_beijing_funds": (beijing * Decimal(rng.randrange(60, 101)) / 100).quantize(CENT)
                    if disbursed else None,
                    "actual_local_funds": (local * Decimal(rng.randrange(0, 101)) / 100).quantize(CENT)
                    if disbursed else None,
                })
                for key in ((year, project["category_id"]), (year, None)):
                    row = sums[key]
                    row[0] += 1
                    row[1] += total
                    row[2] += beijing
                    row[3] += local
        return budgets, sums

    def stated_figures(self, sums) -> tuple[list[dict], int]:
        """The annex's 合计 and subtotal rows per year and the plan text's five-year targets; a few disagree."""
        rng, figures, planted = self.rng, [], 0
        names = {c.pk: c.name_zh for c in self.categories}
        order = {pk: index for index, pk in enumerate(names, start=1)}
        metrics = ((StatedFigure.PROJECTS, "个", 0), (StatedFigure.TOTAL_INVESTMENT, "万元", 1),
                   (StatedFigure.BEIJING_FUNDS, "万元", 2), (StatedFigure.LOCAL_FUNDS, "万元", 3))
        for (year, category_id), row in sorted(sums.items(), key=lambda item: (item[0][0], item[0][1] or 0)):
            label = f"{names[category_id]}{row[0]}个" if category_id else f"合计{row[0]}个"
            sheet_row = 4 + order.get(category_id, 0)
            for metric, unit, index in metrics:
                value = Decimal(row[index])
                if rng.randrange(DISAGREEING) == 0:  # a 合计 or subtotal that does not add up, as in the document
                    value += 1 if metric == StatedFigure.PROJECTS else _money(rng, 50) + CENT
                    planted += 1
                figures.append(self._figure(StatedFigure.Origin.ANNEX, year, category_id, metric, value, unit,
                                            label=label, sheet=f"{year}年", row=sheet_row,
                                            source=f"附表 工作表“{year}年”第 {sheet_row} 行“{label}”"))
        whole = [sum(row[i] for (_y, c), row in sums.items() if c is None) for i in range(4)]
        for metric, unit, index in (metrics[0], metrics[2]):  # the text states five-year projects and funds
            value = Decimal(whole[index])
            if rng.randrange(3) == 0:  # five-year totals that differ from the sum of the years
                value = (value * Decimal("1.05")).quantize(CENT)
                planted += 1
            figures.append(self._figure(StatedFigure.Origin.NARRATIVE, None, None, metric, value, unit,
                                        label="“十四五”期间合计", source="第二章 第三节 三、发展目标"))
        return figures, planted

    def _figure(self, origin, year, category_id, metric, value, unit, **rest) -> dict:
        return {"plan_id": self.plan.pk, "origin": origin, "year": year, "category_id": category_id,
                "metric": metric, "value": value, "unit": unit,
                "slot": StatedFigure.slot_for(origin, year, category_id, metric), **rest}

    def review_states(self, now) -> None:
        """Early years approved, then submitted or returned, the last ones open (as a running plan's are)."""
        states = [PlanYear.Review.APPROVED, PlanYear.Review.APPROVED, PlanYear.Review.SUBMITTED,
                  PlanYear.Review.RETURNED, PlanYear.Review.OPEN]
        shift = self.rng.randrange(0, 3)
        changed = []
        for index, year in enumerate(sorted(self.years)):
            plan_year = self.years[year]
            plan_year.review_status = states[min(index + shift, len(states) - 1)] if index < 4 else PlanYear.Review.OPEN
            plan_year.review_changed_at = now if plan_year.review_status != PlanYear.Review.OPEN else None
            changed.append(plan_year)
        PlanYear.objects.bulk_update(changed, ["review_status", "review_changed_at"])


def _insert(model, rows: list[dict], *, returning_ids: bool = False) -> None:
    """Write rows given as {field attname: value}; every other field takes its model default.

    The columns, defaults (auto_now included) and conversions to database values are the model's
    fields'; the database checks every constraint. With `returning_ids` each row gets its "id".
    """
    if not rows:
        return
    if connection.vendor != "postgresql":
        objects = model.objects.bulk_create([model(**row) for row in rows], batch_size=BATCH)
        if returning_ids:
            for row, obj in zip(rows, objects, strict=True):
                row["id"] = obj.pk
        return
    pk = model._meta.pk
    fields = [f for f in model._meta.concrete_fields if f is not pk]
    now = timezone.now()
    defaults = {f.attname: (now if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
                            else f.get_default()) for f in fields}
    # Only fields that change a value on its way to the database convert (money: 万元 → integer yuan);
    # for the rest (text, integers, ids, datetimes) the value is the database value.
    convert = {f.attname: f.get_db_prep_save for f in fields if isinstance(f, WanYuanField)}
    with connection.cursor() as cursor:
        if returning_ids:
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [model._meta.db_table, pk.column, len(rows)])
            for row, (new_id,) in zip(rows, cursor.fetchall(), strict=True):
                row["id"] = new_id
        columns = ([pk] if returning_ids else []) + fields
        names = ", ".join(connection.ops.quote_name(f.column) for f in columns)
        with cursor.cursor.copy(f"COPY {connection.ops.quote_name(model._meta.db_table)} ({names}) FROM STDIN") as copy:
            for row in rows:
                values = []
                for f in columns:
                    value = row.get(f.attname, defaults.get(f.attname))
                    if value is not None and f.attname in convert:
                        value = convert[f.attname](value, connection)
                    values.append(value)
                copy.write_row(values)


def synthetic_generate(*, plans: int, budgets_per_plan: int, prefix: str = "synthetic", seed: int = 1,
                       members: tuple[tuple[str, str], ...] = (), recompute: bool = True,
                       progress=None) -> GeneratedWorld:
    """Add `plans` plans of `budgets_per_plan` yearly budgets each; give `members` ((username, role)) a role
    on each (the user is created when missing, without a usable password). Returns what was made."""
    if plans < 1 or budgets_per_plan < 1:
        raise ValueError("plans and budgets per plan must be at least 1")
    for _username, role in members:
        if role not in PlanMembership.Role.values:
            raise ValueError(f"unknown role {role!r}: one of {', '.join(PlanMembership.Role.values)}")
    world = GeneratedWorld()
    first = _next_index(prefix)
    now = timezone.now()
    User = get_user_model()
    users = []
    for username, role in members:
        user, created = User.objects.get_or_create(username=username, defaults={"is_staff": True})
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        users.append((user, role))
    for index in range(first, first + plans):
        rng = random.Random(f"{seed}-{prefix}-{index}")
        county, partner = BANNERS[index % len(BANNERS)]
        with transaction.atomic():
            plan = plan_create(user=SYSTEM, code=f"{prefix}-{index:04d}", name=f"{county}京蒙协作规划（合成{index}）",
                               county=county, partner=partner, first_year=2021, last_year=2025)
            builder = _PlanBuilder(plan, rng, budgets_per_plan)
            places = builder.places()
            projects = builder.projects(builder.units(), places)
            budgets, sums = builder.budgets(projects)
            _insert(AnnualBudget, budgets)
            figures, planted = builder.stated_figures(sums)
            _insert(StatedFigure, figures)
            builder.review_states(now)
            PlanMembership.objects.bulk_create(PlanMembership(plan=plan, user=user, role=role) for user, role in users)
        world.plans.append(plan.pk)
        world.projects += len(projects)
        world.budgets += len(budgets)
        world.stated_figures += len(figures)
        world.disagreements_planted += planted
        done = len(world.plans)
        if done & (done - 1) == 0 or done % ANALYZE_EVERY == 0:  # 1, 2, 4 … 64, then every 100
            _analyze_grown_tables()
        if progress and len(world.plans) % 100 == 0:
            progress(f"{len(world.plans)} plans, {world.budgets} budgets")
    if recompute:
        synthetic_recompute(world.plans)
    return world


# PostgreSQL plans each statement from its statistics, and keeps the plans of the foreign-key checks every
# COMMIT runs for the whole connection: statistics taken when the tables held ten plans had those checks
# scanning whole tables by the hundredth (1,000 plans took 11 minutes instead of 90 s). Refreshed as they grow,
# as autovacuum would do between one real import and the next.
ANALYZE_EVERY = 100
_GROWN_TABLES = (Project, AnnualBudget, StatedFigure, Place, ImplementingUnit, UnitAlias, PlanYear, Category,
                 Plan, PlanMembership)


def _analyze_grown_tables() -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in _GROWN_TABLES:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
            history = getattr(model, "history", None)
            if history is not None:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(history.model._meta.db_table)}")


def synthetic_recompute(plan_ids: list[int]) -> None:
    """Each plan's totals, checks and derived indicators, by the service a change triggers."""
    for plan_id in plan_ids:
        recompute_plan(plan_id)
