"""What is reported on the portfolio: stated figures, totals, disagreements and indicators."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from api.filters import FIGURE_PARAMS, ROLLUP_PARAMS, VARIANCE_PARAMS, Ordering, ParamFilter
from api.serializers import (IndicatorSerializer, IndicatorValueConflictSerializer, IndicatorValueSerializer,
                             RollupSerializer, StatedFigureConflictSerializer, StatedFigureSerializer,
                             VarianceSerializer)
from figures.services import stated_figure_create, stated_figure_update
from api.views.base import CODE_PARAMETER, ID_PARAMETER, INVALID, LOCKED, PlanScopedViewSet, conflict
from figures.models import StatedFigure
from indicators.models import Indicator, IndicatorValue
from indicators.overview import overview_rows
from indicators.services import indicator_value_set
from rollups.models import Rollup, Variance


def _documented(tag: str, **actions):
    """Every action of a viewset under one tag, with the plan code (and a record's id) as path parameters."""
    return extend_schema_view(**{
        name: extend_schema(tags=[tag], parameters=[CODE_PARAMETER] + ([] if name == "list" else [ID_PARAMETER]),
                            **extra)
        for name, extra in actions.items()
    })


_FIGURE_CHANGED = {200: StatedFigureSerializer, 400: INVALID, 409: conflict(StatedFigureConflictSerializer)}
VALUE_CONFLICT = OpenApiResponse(IndicatorValueConflictSerializer, description=(
    "Someone saved a newer version of the year's value, or entered one first (body: the value as it is now)."))


@_documented("stated figures", list={}, retrieve={},
             create={"responses": {201: StatedFigureSerializer, 400: INVALID, 409: LOCKED}},
             update={"responses": _FIGURE_CHANGED}, partial_update={"responses": _FIGURE_CHANGED})
class StatedFigureViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                          mixins.UpdateModelMixin, PlanScopedViewSet):
    """Every figure the plan states (annex, text, staff). Staff add "manual" ones and correct the value and
    wording of any, sending the `version` they read; origin, year, category and metric say which figure it is
    and never change."""

    serializer_class = StatedFigureSerializer
    filter_backends = [ParamFilter, Ordering]
    filter_params = FIGURE_PARAMS
    ordering_fields = ["id", "origin", "year", "metric", "updated_at"]
    ordering = ["origin", "year", "category__order", "metric", "id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return StatedFigure.objects.none()
        return StatedFigure.objects.for_plan(self.plan).select_related("category", "created_by")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("origin", None)
        data.pop("version", None)
        serializer.instance = stated_figure_create(plan=self.plan, user=self.request.user, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        version = data.pop("version")
        serializer.instance = stated_figure_update(figure=serializer.instance, user=self.request.user,
                                                   expected_version=version, **data)


@_documented("totals", list={})
class RollupViewSet(mixins.ListModelMixin, PlanScopedViewSet):
    """The plan's totals as of the last recompute: per year × category, category, unit, township and in all."""

    serializer_class = RollupSerializer
    filter_backends = [ParamFilter]
    filter_params = ROLLUP_PARAMS

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Rollup.objects.none()
        return (Rollup.objects.filter(plan=self.plan).select_related("category", "unit", "township")
                .order_by("kind", "year", "category__order", "unit__name", "township__name", "id"))


@_documented("disagreements", list={})
class VarianceViewSet(mixins.ListModelMixin, PlanScopedViewSet):
    """Every comparison of a stated figure with the rows (or with other figures), agreeing or not."""

    serializer_class = VarianceSerializer
    filter_backends = [ParamFilter]
    filter_params = VARIANCE_PARAMS

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Variance.objects.none()
        return (Variance.objects.filter(plan=self.plan).select_related("category")
                .order_by("year", "category__order", "kind", "id"))


@_documented("indicators", list={"responses": IndicatorSerializer(many=True)})
class IndicatorViewSet(PlanScopedViewSet):
    """The plan's indicators with their progress; staff report a year's value."""

    serializer_class = IndicatorSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Indicator.objects.none()
        return Indicator.objects.for_plan(self.plan).select_related("plan")

    def get_serializer_class(self):
        return IndicatorValueSerializer if self.action == "values" else IndicatorSerializer

    def stale_record(self, record):
        return IndicatorValue.objects.select_related("entered_by").filter(pk=record.pk).first() or record

    def list(self, request, *args, **kwargs):
        rows = overview_rows(plan=self.plan)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(IndicatorSerializer(page, many=True).data)

    @extend_schema(methods=["GET"], tags=["indicators"], parameters=[CODE_PARAMETER, ID_PARAMETER],
                   responses=IndicatorValueSerializer(many=True), summary="The values reported for an indicator")
    @extend_schema(methods=["POST"], tags=["indicators"], parameters=[CODE_PARAMETER, ID_PARAMETER],
                   request=IndicatorValueSerializer,
                   responses={200: IndicatorValueSerializer, 201: IndicatorValueSerializer, 400: INVALID,
                              409: VALUE_CONFLICT},
                   summary="Report or correct an indicator's value for a year (the old value stays in the history)",
                   description="A year with no value yet: the value is entered (201). A year with one: send the "
                               "`version` of the value you read to correct it (200); a correction based on an "
                               "older version is refused with 409 and the value as it is now.")
    @action(detail=True, methods=["get", "post"])
    def values(self, request, *args, **kwargs):
        indicator = self.get_object()
        if request.method != "POST":  # GET or HEAD
            entries = indicator.values.select_related("entered_by").order_by("year")
            return Response(self.get_serializer(entries, many=True).data)
        serializer = self.get_serializer(data=request.data,
                                         context={**self.get_serializer_context(), "indicator": indicator})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        # No version: the caller has seen no value for the year (0), and is refused if someone entered one first.
        version = data.pop("version", None) or 0
        entry = indicator_value_set(indicator=indicator, user=request.user, expected_version=version, **data)
        created = entry.version == 1
        return Response(self.get_serializer(entry).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
