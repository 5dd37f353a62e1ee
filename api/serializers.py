"""What the API reads and writes. Serializers validate shapes only; every write goes through a service."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.fields import AmountField, CategoryField, PlainDecimalField, PlanScopedPrimaryKeyField
from figures.models import StatedFigure
from funding.models import AnnualBudget
from indicators.models import Indicator, IndicatorValue
from plans.access import VIEW, may
from plans.models import Category, Plan, PlanYear
from projects.models import ImplementingUnit, Project
from rollups.models import Rollup, Variance

VERSION_HELP = ("The version you read. Send it back with every change: a change based on an older version "
                "is refused with 409 and the current record.")
VALUE_VERSION_HELP = ("The version of the year's value you read. Send it back to correct that value: a correction "
                      "based on an older version is refused with 409 and the current value. A year with no value "
                      "yet needs none (if someone else enters one first, 409 with theirs).")
SEND_VERSION = _("Send the version of the record you read.")


def _version_field(help_text: str = VERSION_HELP):
    return serializers.IntegerField(min_value=1, required=False, help_text=help_text)


def _version_missing():
    return serializers.ValidationError({"version": [SEND_VERSION]})


class VersionedSerializer(serializers.ModelSerializer):
    """A record changed only by whoever has seen its latest version (updates must send `version`)."""

    def validate(self, attrs):
        if self.instance is not None and attrs.get("version") is None:
            raise _version_missing()
        return attrs


# --- plans ---------------------------------------------------------------------------------

class PlanYearSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanYear
        fields = ["year", "review_status", "review_changed_at"]


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "code", "name_zh", "name_en", "order"]


class PlanSerializer(serializers.ModelSerializer):
    role = serializers.CharField(read_only=True, allow_null=True, help_text="Your role on this plan.")

    class Meta:
        model = Plan
        fields = ["code", "name", "county", "partner", "first_year", "last_year", "amount_unit", "role"]


class PlanDetailSerializer(PlanSerializer):
    years = PlanYearSerializer(source="plan_years", many=True, read_only=True)
    categories = CategorySerializer(many=True, read_only=True)

    class Meta(PlanSerializer.Meta):
        fields = PlanSerializer.Meta.fields + ["years", "categories"]


# --- projects and budgets ---------------------------------------------------------------------

class ProjectLinkSerializer(serializers.Serializer):
    plan = serializers.CharField(help_text="The plan's code.")
    id = serializers.IntegerField()


class ProjectSerializer(VersionedSerializer):
    category = CategoryField()
    category_name = serializers.CharField(source="category.name_zh", read_only=True)
    unit = PlanScopedPrimaryKeyField(queryset=ImplementingUnit.objects.all(), allow_null=True, required=False,
                                     help_text="The implementing unit's id.")
    unit_name = serializers.CharField(source="unit.name", read_only=True, allow_null=True)
    unit_spelling = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=200,
        help_text="The implementing unit as written (instead of `unit`): a known spelling finds its unit, "
                  "another creates a new unit.",
    )
    township = serializers.IntegerField(source="township_id", read_only=True, allow_null=True)
    township_name = serializers.CharField(source="township.name", read_only=True, allow_null=True)
    village = serializers.IntegerField(source="village_id", read_only=True, allow_null=True)
    village_name = serializers.CharField(source="village.name", read_only=True, allow_null=True)
    years = serializers.SerializerMethodField(help_text="The years the project has a budget in.")
    continues = serializers.SerializerMethodField(
        help_text="The project of an earlier plan this 续建 project continues, as {plan: code, id}, or null "
                  "(also when you may not see that plan).")
    version = _version_field()

    class Meta:
        model = Project
        fields = [
            "id", "name", "nature", "status", "category", "category_name", "unit", "unit_name", "unit_spelling",
            "location_text", "township", "township_name", "village", "village_name", "description", "years",
            "continues", "version", "created_at", "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def get_years(self, project) -> list[int]:
        return sorted(budget.plan_year.year for budget in project.budgets.all())

    @extend_schema_field(ProjectLinkSerializer(allow_null=True))
    def get_continues(self, project) -> dict | None:
        earlier = project.continues
        if earlier is None:
            return None
        visible = self.context.setdefault("visible_plan_ids", {})
        if earlier.plan_id not in visible:
            request = self.context.get("request")
            visible[earlier.plan_id] = request is not None and may(request.user, earlier.plan_id, VIEW)
        return {"plan": earlier.plan.code, "id": earlier.pk} if visible[earlier.plan_id] else None

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if "unit" in attrs and attrs.get("unit_spelling"):
            raise serializers.ValidationError({"unit_spelling": [_("Send either unit or unit_spelling, not both.")]})
        return attrs


class BudgetSerializer(VersionedSerializer):
    project = PlanScopedPrimaryKeyField(queryset=Project.objects.all(),
                                        help_text="The project's id; it cannot change after creation.")
    project_name = serializers.CharField(source="project.name", read_only=True)
    category = serializers.IntegerField(source="project.category_id", read_only=True)
    category_name = serializers.CharField(source="project.category.name_zh", read_only=True)
    year = serializers.IntegerField(help_text="One of the plan's years.")
    nature = serializers.ChoiceField(choices=[("", "")] + Project.Nature.choices, required=False, allow_blank=True)
    total_investment = AmountField(required=False)
    beijing_funds = AmountField(required=False)
    local_funds = AmountField(required=False)
    actual_beijing_funds = AmountField(required=False, allow_null=True)
    actual_local_funds = AmountField(required=False, allow_null=True)
    version = _version_field()

    class Meta:
        model = AnnualBudget
        fields = [
            "id", "project", "project_name", "category", "category_name", "year", "serial_no", "nature",
            "scale_and_content", "beijing_funds_use", "total_investment", "beijing_funds", "local_funds",
            "actual_beijing_funds", "actual_local_funds", "version", "created_at", "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def validate_project(self, project):
        if isinstance(self.instance, AnnualBudget) and project.pk != self.instance.project_id:
            raise serializers.ValidationError(
                _("A budget stays with its project: delete it and add one to the other project."))
        return project


# --- stated figures, totals, disagreements -----------------------------------------------------

class StatedFigureSerializer(VersionedSerializer):
    """Origin, year, category and metric say which figure it is: they are set once, at creation.
    A correction sends the `version` it read."""

    origin = serializers.ChoiceField(choices=StatedFigure.Origin.choices, required=False,
                                     help_text="Only “manual” figures (the default) can be created through the API.")
    category = CategoryField(allow_null=True, required=False)
    category_name = serializers.CharField(source="category.name_zh", read_only=True, allow_null=True)
    value = PlainDecimalField()
    created_by = serializers.CharField(source="created_by.username", read_only=True, allow_null=True)
    version = _version_field()

    class Meta:
        model = StatedFigure
        fields = [
            "id", "origin", "year", "category", "category_name", "label", "metric", "value", "unit", "qualifier",
            "source", "sheet", "row", "import_batch", "created_by", "version", "updated_at",
        ]
        read_only_fields = ["sheet", "row", "import_batch", "updated_at"]

    IDENTITY = ("origin", "year", "category", "metric")

    def validate(self, attrs):
        if self.instance is None:
            if attrs.setdefault("origin", StatedFigure.Origin.MANUAL) != StatedFigure.Origin.MANUAL:
                raise serializers.ValidationError({"origin": [
                    _("Only figures entered by staff (origin “manual”) can be created here; "
                      "the others come from the plan's documents.")]})
            return attrs
        attrs = super().validate(attrs)
        changed = [name for name in self.IDENTITY if name in attrs and attrs[name] != getattr(self.instance, name)]
        if changed:
            message = _("This says which figure it is and cannot change: add another figure instead.")
            raise serializers.ValidationError({name: [message] for name in changed})
        return {name: value for name, value in attrs.items() if name not in self.IDENTITY}


class RollupSerializer(serializers.ModelSerializer):
    category_name = serializers.CharField(source="category.name_zh", read_only=True, allow_null=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True, allow_null=True)
    township_name = serializers.CharField(source="township.name", read_only=True, allow_null=True)
    total_investment = AmountField(read_only=True)
    beijing_funds = AmountField(read_only=True)
    local_funds = AmountField(read_only=True)
    actual_beijing_funds = AmountField(read_only=True)
    actual_local_funds = AmountField(read_only=True)

    class Meta:
        model = Rollup
        fields = [
            "id", "kind", "year", "category", "category_name", "unit", "unit_name", "township", "township_name",
            "projects", "total_investment", "beijing_funds", "local_funds", "actual_beijing_funds",
            "actual_local_funds", "computed_at",
        ]
        read_only_fields = fields


class VarianceSerializer(serializers.ModelSerializer):
    category_name = serializers.CharField(source="category.name_zh", read_only=True, allow_null=True)
    stated = PlainDecimalField(read_only=True, allow_null=True)
    computed = PlainDecimalField(read_only=True, allow_null=True)
    difference = PlainDecimalField(read_only=True, allow_null=True)

    class Meta:
        model = Variance
        fields = [
            "id", "kind", "status", "figure", "year", "category", "category_name", "metric", "stated", "computed",
            "difference", "source", "details", "computed_at",
        ]
        read_only_fields = fields


# --- indicators --------------------------------------------------------------------------------

class IndicatorSerializer(serializers.Serializer):
    """An indicator with its progress (indicators.overview): latest value, percent of target and status."""

    id = serializers.IntegerField(source="indicator.pk")
    key = serializers.CharField(source="indicator.key")
    kind = serializers.ChoiceField(source="indicator.kind", choices=Indicator.Kind.choices)
    seq = serializers.IntegerField(source="indicator.seq")
    name = serializers.CharField(source="indicator.name")
    unit = serializers.CharField(source="indicator.unit")
    target = PlainDecimalField(source="indicator.target")
    target_year = serializers.IntegerField(source="indicator.target_year")
    attribute = serializers.ChoiceField(source="indicator.attribute", choices=Indicator.Attribute.choices)
    direction = serializers.ChoiceField(source="indicator.direction", choices=Indicator.Direction.choices)
    source = serializers.CharField(source="indicator.source")
    latest_value = PlainDecimalField(source="progress.latest_value", allow_null=True)
    latest_year = serializers.IntegerField(source="progress.latest_year", allow_null=True)
    percent = PlainDecimalField(source="progress.percent", allow_null=True,
                                help_text="Latest value as a percentage of the target; empty for a target of 0.")
    status = serializers.ChoiceField(source="progress.status",
                                     choices=["achieved", "on_track", "at_risk", "no_data"])
    missing_this_year = serializers.BooleanField(source="progress.missing_this_year")
    derived_value = PlainDecimalField(allow_null=True,
                                      help_text="What the project rows count for the whole plan, if a rule applies.")


class IndicatorValueSerializer(serializers.ModelSerializer):
    """A year's value; posting a year that has one corrects it, sending the `version` read
    (context["indicator"]: the indicator posted to)."""

    value = PlainDecimalField(max_digits=14, decimal_places=4)
    entered_by = serializers.CharField(source="entered_by.username", read_only=True, allow_null=True)
    version = _version_field(VALUE_VERSION_HELP)

    class Meta:
        model = IndicatorValue
        fields = ["id", "year", "value", "note", "evidence_text", "evidence_file", "entered_by", "entered_at",
                  "version"]
        read_only_fields = ["entered_at"]
        # (indicator, year) is unique: a second value for a year corrects the first, it is no error.
        validators = []

    def validate(self, attrs):
        indicator = self.context.get("indicator")
        if (indicator is not None and attrs.get("version") is None
                and IndicatorValue.objects.filter(indicator=indicator, year=attrs.get("year")).exists()):
            raise _version_missing()  # a correction: of the value the caller has seen
        return attrs


class ProjectConflictSerializer(serializers.Serializer):
    """The 409 body of a stale edit: why, and the project as it is now."""

    detail = serializers.CharField()
    code = serializers.CharField(help_text="stale")
    current = ProjectSerializer()


class BudgetConflictSerializer(serializers.Serializer):
    """The 409 body of a stale edit: why, and the budget as it is now."""

    detail = serializers.CharField()
    code = serializers.CharField(help_text="stale")
    current = BudgetSerializer()


class StatedFigureConflictSerializer(serializers.Serializer):
    """The 409 body of a stale edit: why, and the figure as it is now."""

    detail = serializers.CharField()
    code = serializers.CharField(help_text="stale")
    current = StatedFigureSerializer()


class IndicatorValueConflictSerializer(serializers.Serializer):
    """The 409 body of a stale edit: why, and the year's value as it is now."""

    detail = serializers.CharField()
    code = serializers.CharField(help_text="stale")
    current = IndicatorValueSerializer()


class LockedSerializer(serializers.Serializer):
    """The 409 body of a change to an approved (locked) year."""

    detail = serializers.CharField()
    code = serializers.CharField(help_text="year_locked")
