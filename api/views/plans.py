"""GET /api/plans/ and /api/plans/<code>/: the plans the user may see, one with its years and categories."""

from django.db.models import OuterRef, Subquery, Value
from django.utils.functional import cached_property
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.mixins import ListModelMixin, RetrieveModelMixin
from rest_framework.permissions import IsAuthenticated
from rest_framework.viewsets import GenericViewSet

from api.permissions import PlanRolePermission
from api.serializers import PlanDetailSerializer, PlanSerializer
from api.views.base import API_AUTHENTICATION
from plans.access import VIEW, plan_for_user
from plans.models import Plan, PlanMembership


@extend_schema_view(
    list=extend_schema(summary="Plans you are a member of", tags=["plans"]),
    retrieve=extend_schema(summary="A plan with its years (and their review status) and categories", tags=["plans"]),
)
class PlanViewSet(ListModelMixin, RetrieveModelMixin, GenericViewSet):
    authentication_classes = API_AUTHENTICATION
    lookup_field = "code"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"

    def get_permissions(self):
        return [PlanRolePermission()] if "code" in self.kwargs else [IsAuthenticated()]

    @cached_property
    def plan(self):
        return plan_for_user(self.request.user, self.kwargs["code"], VIEW)

    def get_serializer_class(self):
        return PlanDetailSerializer if self.action == "retrieve" else PlanSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Plan.objects.none()
        user = self.request.user
        if user.is_superuser:
            role = Value(PlanMembership.Role.ADMIN)  # as plans.access.role_of has it
        else:
            role = Subquery(PlanMembership.objects.filter(plan=OuterRef("pk"), user=user).values("role")[:1])
        plans = Plan.objects.visible_to(user).annotate(role=role).order_by("code")
        if self.action == "retrieve":
            plans = plans.prefetch_related("plan_years", "categories")
        return plans
