"""What every plan-scoped endpoint shares: the plan, the permission, and how service errors become answers.

- The plan comes from the URL's code through plans.access.plan_for_user: a plan the
  user is no member of is 404, exactly like an unknown code.
- Token authentication is tried first, so a caller without credentials gets
  401 with `WWW-Authenticate: Token` (with session first DRF would answer 403).
- A stale version is 409 with the record as it is now; an approved year is 409
  with code "year_locked"; a model ValidationError is 400 with field errors.
"""

from django.core.exceptions import NON_FIELD_ERRORS
from django.http import Http404
from django.utils.functional import Promise
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import status
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.viewsets import GenericViewSet
from rest_framework.views import set_rollback

from api.permissions import PlanRolePermission
from api.serializers import LockedSerializer
from planportal.concurrency import StaleEdit
from plans.access import VIEW, plan_for_user
from plans.locks import YearLocked

STALE_MESSAGE = _("Someone else changed this record after you read it. It is shown as it is now in “current”: "
                  "apply your change to it and send its version.")
API_AUTHENTICATION = [TokenAuthentication, SessionAuthentication]

CODE_PARAMETER = OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.PATH, description="The plan's code.")
ID_PARAMETER = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)
INVALID = OpenApiResponse(description="Field errors: {field: [messages]}.")
LOCKED = OpenApiResponse(LockedSerializer, description="The record belongs to an approved (locked) year.")


def conflict(serializer) -> OpenApiResponse:
    return OpenApiResponse(serializer, description="Someone saved a newer version (body: the current record), "
                                                   "or the year is approved and locked (code “year_locked”).")


class PlanScopedViewSet(GenericViewSet):
    authentication_classes = API_AUTHENTICATION
    permission_classes = [PlanRolePermission]
    lookup_value_regex = r"\d+"
    # Model field → API field, for errors raised by services (e.g. plan_year → year).
    error_field_names: dict[str, str] = {}

    @cached_property
    def plan(self):
        return plan_for_user(self.request.user, self.kwargs["code"], VIEW)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False) and "code" in self.kwargs:
            context["plan"] = self.plan
        return context

    def stale_record(self, record):
        """The record a stale edit was refused over, as this endpoint shows it now."""
        return self.get_queryset().filter(pk=record.pk).first() or record

    def handle_exception(self, exc):
        if isinstance(exc, StaleEdit):
            set_rollback()
            current = self.stale_record(exc.current)
            return Response(
                {"detail": STALE_MESSAGE, "code": "stale", "current": self.get_serializer(current).data},
                status=status.HTTP_409_CONFLICT,
            )
        if isinstance(exc, YearLocked):
            set_rollback()
            return Response({"detail": " ".join(exc.messages), "code": "year_locked"},
                            status=status.HTTP_409_CONFLICT)
        if isinstance(exc, DjangoValidationError):
            exc = ValidationError(self.field_errors(exc))
        if isinstance(exc, Http404):
            # Django's get_object_or_404 says "No Project matches the given query." in English whatever the
            # language: answer in the reader's language, naming the plan when that is what is missing.
            exc = NotFound(str(exc) if isinstance(exc.args[0] if exc.args else None, Promise) else None)
        return super().handle_exception(exc)

    def field_errors(self, exc: DjangoValidationError) -> dict[str, list[str]]:
        non_field = api_settings.NON_FIELD_ERRORS_KEY
        if not hasattr(exc, "error_dict"):
            return {non_field: exc.messages}
        errors: dict[str, list[str]] = {}
        for field, messages in exc.message_dict.items():
            key = non_field if field == NON_FIELD_ERRORS else self.error_field_names.get(field, field)
            errors.setdefault(key, []).extend(messages)
        return errors
