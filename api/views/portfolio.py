"""Projects and their yearly budgets: read for every member, written through projects/funding services."""

from django.db import transaction
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins

from api.filters import BUDGET_PARAMS, Ordering, ParamFilter, PlanFilterBackend
from api.serializers import BudgetConflictSerializer, BudgetSerializer, ProjectConflictSerializer, ProjectSerializer
from projects.services import project_delete
from api.views.base import CODE_PARAMETER, ID_PARAMETER, INVALID, LOCKED, PlanScopedViewSet, conflict
from funding.filters import ProjectFilterSet
from funding.models import AnnualBudget
from funding.services import budget_create, budget_delete, budget_update
from projects.models import Project
from projects.services import project_create, project_update, unit_for_spelling


class CrudViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                  mixins.UpdateModelMixin, mixins.DestroyModelMixin, PlanScopedViewSet):
    """List, read, create, change (sending `version`) and delete."""


def _schema(tag: str, serializer, conflict_serializer, *, create_may_lock: bool):
    """The same documentation for projects and budgets: 400 field errors, 409 stale or locked."""
    one, write = [CODE_PARAMETER, ID_PARAMETER], {400: INVALID, 409: conflict(conflict_serializer)}
    created = {201: serializer, 400: INVALID, **({409: LOCKED} if create_may_lock else {})}
    return extend_schema_view(
        list=extend_schema(tags=[tag], parameters=[CODE_PARAMETER]),
        retrieve=extend_schema(tags=[tag], parameters=one),
        create=extend_schema(tags=[tag], parameters=[CODE_PARAMETER], responses=created),
        update=extend_schema(tags=[tag], parameters=one, responses={200: serializer, **write}),
        partial_update=extend_schema(tags=[tag], parameters=one, responses={200: serializer, **write}),
        destroy=extend_schema(tags=[tag], parameters=one, responses={204: None, 409: LOCKED}),
    )


@_schema("projects", ProjectSerializer, ProjectConflictSerializer, create_may_lock=False)
class ProjectViewSet(CrudViewSet):
    """A plan's projects. Filter by year (a budget in it), category, unit, township, nature, status, the amount
    range; search with q (the filters of the project list page).
    Changes send the `version` they read; deleting a project deletes its budgets."""

    serializer_class = ProjectSerializer
    filter_backends = [PlanFilterBackend, Ordering]
    filterset_class = ProjectFilterSet
    ordering_fields = ["id", "name", "nature", "status", "category", "unit", "created_at", "updated_at"]
    ordering = ["id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Project.objects.none()
        budgets = AnnualBudget.objects.select_related("plan_year")
        return (Project.objects.for_plan(self.plan)
                .select_related("category", "unit", "township", "village", "continues__plan")
                .prefetch_related(Prefetch("budgets", queryset=budgets)))

    def _write(self, serializer, write) -> None:
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        spelling = data.pop("unit_spelling", None)
        with transaction.atomic():  # a unit created for the spelling goes if the project is refused
            if spelling is not None:
                data["unit"], _created = unit_for_spelling(plan=self.plan, spelling=spelling, user=self.request.user)
            serializer.instance = write(data, version)

    def perform_create(self, serializer):
        self._write(serializer, lambda data, _version: project_create(plan=self.plan, user=self.request.user,
                                                                      **data))

    def perform_update(self, serializer):
        self._write(serializer, lambda data, version: project_update(
            project=serializer.instance, user=self.request.user, expected_version=version, **data))

    def perform_destroy(self, instance):
        project_delete(project=instance, user=self.request.user)


@_schema("budgets", BudgetSerializer, BudgetConflictSerializer, create_may_lock=True)
class BudgetViewSet(CrudViewSet):
    """Yearly budgets (one per project and year), amounts in 万元 as decimal strings.
    Changes send the `version` they read; nothing changes in an approved year."""

    serializer_class = BudgetSerializer
    filter_backends = [ParamFilter, Ordering]
    filter_params = BUDGET_PARAMS
    ordering_fields = ["id", "project", "total_investment", "beijing_funds", "local_funds", "updated_at"]
    ordering = ["plan_year__year", "id"]
    error_field_names = {"plan_year": "year"}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AnnualBudget.objects.none()
        return AnnualBudget.objects.for_plan(self.plan).select_related("plan_year", "project__category")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        serializer.instance = budget_create(user=self.request.user, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        version = data.pop("version")
        data.pop("project", None)  # the same project (the serializer refuses another)
        serializer.instance = budget_update(budget=serializer.instance, user=self.request.user,
                                            expected_version=version, **data)

    def perform_destroy(self, instance):
        budget_delete(budget=instance, user=self.request.user)
