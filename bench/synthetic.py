"""Synthetic annex workbooks shaped like the real one, of any size."""

import random
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook

HEADER = ["序号", "项目名称", "建设性质（新建/续建）", "项目建设地点", "实施年度", "项目类别", "建设规模和建设内容",
          "项目总投资（万元）", "京蒙资金（万元）", "地方自筹资金（万元）", "京蒙协作资金主要用途", "项目实施单位"]
CATEGORIES = ["基础设施类", "产业合作类", "人才培训类", "劳务协作类", "消费帮扶类", "乡村振兴类", "社会事业类",
              "乡村旅游类", "万企兴万村类"]
TOWNSHIPS = ["巴彦呼舒镇", "杜尔基镇", "高力板镇", "好腰苏木镇", "吐列毛杜镇", "巴仁哲里木镇", "额木庭高勒苏木",
             "新佳木苏木", "哈日诺尔苏木", "巴彦茫哈苏木", "代钦塔拉苏木", "巴彦淖尔苏木"]
UNITS = ["旗农科局", "科右中旗乡村振兴局", "旗卫健委", "旗教育局", "旗文旅局", "旗工信局"] + \
    [f"{t}人民政府" for t in TOWNSHIPS]


def write_annex(path: Path, rows: int, years=(2021, 2022, 2023, 2024, 2025), seed: int = 7) -> Path:
    """`rows` project rows spread over one sheet per year; each project recurs every year (续建)."""
    rng = random.Random(seed)
    workbook = Workbook(write_only=True)
    per_year = rows // len(years)
    projects = [
        (f"科右中旗示范项目{i:06d}", f"科右中旗{rng.choice(TOWNSHIPS)}第{i % 173}嘎查", rng.choice(UNITS),
         CATEGORIES[i % len(CATEGORIES)])
        for i in range(per_year)
    ]
    for index, year in enumerate(years):
        sheet = workbook.create_sheet(f"{year}年")
        sheet.append([f"科右中旗{year}年“十四五”京蒙帮扶协作需求统计表"])
        sheet.append([None] * 11 + ["单位：万元"])
        sheet.append(HEADER)
        for serial, (name, place, unit, category) in enumerate(projects, start=1):
            beijing = Decimal(rng.randrange(0, 500_000)) / 100
            local = Decimal(rng.randrange(0, 200_000)) / 100
            sheet.append([
                serial, name, "新建" if index == 0 else "续建", place, year, category,
                f"建设内容：新建设施{serial}处，配套设备{rng.randrange(1, 50)}台（套）。", float(beijing + local),
                float(beijing), float(local) if local else None, "用于设施建设", unit,
            ])
    workbook.save(path)
    return path
