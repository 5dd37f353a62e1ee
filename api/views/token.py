"""POST /api/token/: a token for another system, behind the same sign-in protection as the pages.

DRF's AuthTokenSerializer calls authenticate(request=…), so axes counts every wrong
password here like one on the sign-in page. A locked-out caller gets 429
{"detail": …, "code": "locked_out"}, also with the right password; axes flags the
DRF request, which its middleware never sees, so this view answers for it. DRF's
throttle (scope "api-token", API_TOKEN_RATE per client address) is the second guard:
429 with code "throttled".
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import Throttled, ValidationError
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from planportal.signin import LOCKED_OUT, lockout_message, retry_after

TOKEN = inline_serializer("Token", {"token": serializers.CharField()})
REFUSED = inline_serializer("SignInRefused", {"detail": serializers.CharField(),
                                              "code": serializers.CharField(help_text="locked_out or throttled")})


class TokenView(ObtainAuthToken):
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "api-token"

    @extend_schema(
        responses={
            200: TOKEN,
            400: OpenApiResponse(description="Wrong user name or password: {non_field_errors: [message]}."),
            429: OpenApiResponse(REFUSED, description="Too many failed sign-ins from this client (code "
                                                      "“locked_out”, for the cool-off time) or too many requests "
                                                      "(code “throttled”); Retry-After says how many seconds."),
        },
    )
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            if getattr(request, "axes_locked_out", False):
                return Response({"detail": lockout_message(request), "code": LOCKED_OUT},
                                status=status.HTTP_429_TOO_MANY_REQUESTS, headers={"Retry-After": retry_after(request)})
            raise ValidationError(serializer.errors)
        token, _created = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        if isinstance(exc, Throttled) and isinstance(response.data, dict):
            response.data["code"] = "throttled"
        return response
