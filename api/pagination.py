"""The API's paging: `limit` (at most MAX_LIMIT rows a page) and `offset`, read strictly.

DRF's LimitOffsetPagination takes any limit (a limit of 10^20 reached the database
as `LIMIT 100000000000000000000`, which SQLite and PostgreSQL refuse: a 500) and
quietly replaces one it cannot read by the default. Here a value that is not a whole
number in range is a 400 naming the parameter, like every other parameter of the API,
and the schema states the bounds.
"""

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination

from planportal.lib.params import MAX_DIGITS, whole_number

MAX_LIMIT = 1000


class Pagination(LimitOffsetPagination):
    max_limit = MAX_LIMIT

    def get_limit(self, request):
        raw = request.query_params.get(self.limit_query_param, "")
        if not raw.strip():
            return self.default_limit
        limit = whole_number(raw)
        if limit is None or not 1 <= limit <= self.max_limit:
            raise ValidationError({self.limit_query_param: [
                _("Enter a whole number from 1 to %(max)d.") % {"max": self.max_limit}]})
        return limit

    def get_offset(self, request):
        raw = request.query_params.get(self.offset_query_param, "")
        if not raw.strip():
            return 0
        offset = whole_number(raw)
        if offset is None:
            raise ValidationError({self.offset_query_param: [_("Enter a whole number of at most 18 digits.")]})
        return offset

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        bounds = {self.limit_query_param: {"minimum": 1, "maximum": self.max_limit},
                  self.offset_query_param: {"minimum": 0, "maximum": 10 ** MAX_DIGITS - 1}}
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters
