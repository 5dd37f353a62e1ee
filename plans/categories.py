"""The nine project categories (项目类别) of a 京蒙协作 annex, in the annex's order.

A new plan starts with these; a plan whose annex uses other categories can
rename, add or reorder them.
"""

# (code, Chinese name, English name)
DEFAULT_CATEGORIES: tuple[tuple[str, str, str], ...] = (
    ("infrastructure", "基础设施类", "Infrastructure"),
    ("industry", "产业合作类", "Industrial cooperation"),
    ("talent", "人才培训类", "Talent training"),
    ("labour", "劳务协作类", "Labour cooperation"),
    ("consumption", "消费帮扶类", "Consumption support"),
    ("revitalisation", "乡村振兴类", "Rural revitalisation"),
    ("social", "社会事业类", "Social undertakings"),
    ("tourism", "乡村旅游类", "Rural tourism"),
    ("enterprises_villages", "万企兴万村类", "Ten thousand enterprises revitalise ten thousand villages"),
)
