"""django-import-export resource: the flat list of budgets with their project, for export."""

from import_export import fields, resources

from funding.models import AnnualBudget


class AnnualBudgetResource(resources.ModelResource):
    plan = fields.Field(attribute="plan_year__plan__code", column_name="plan")
    year = fields.Field(attribute="plan_year__year", column_name="year")
    project = fields.Field(attribute="project__name", column_name="project")
    category = fields.Field(attribute="project__category__name_zh", column_name="category")
    unit = fields.Field(attribute="project__unit__name", column_name="unit")
    location = fields.Field(attribute="project__location_text", column_name="location")

    class Meta:
        model = AnnualBudget
        fields = (
            "id",
            "plan",
            "year",
            "serial_no",
            "project",
            "category",
            "unit",
            "location",
            "nature",
            "total_investment",
            "beijing_funds",
            "local_funds",
            "actual_beijing_funds",
            "actual_local_funds",
            "beijing_funds_use",
            "scale_and_content",
        )
        export_order = fields

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("plan_year__plan", "project__category", "project__unit")
