"""Paging a sorted list whose rows carry costly per-row figures (sums over budgets, first and last years).

PostgreSQL computes a row's select-list subqueries before OFFSET skips it: page 200 of a
plan of 12,000 projects summed the budgets of the 10,000 projects before it (7 s under
load). This paginator takes the page's ids from the sorted query (which computes only
what the sort needs), then reads those few rows with every figure, in the same order.
"""

from collections.abc import Callable

from django.core.paginator import Paginator
from django.db.models import QuerySet


class IdsFirstPaginator(Paginator):
    """`ordered`: the rows in page order (annotated only with what the order needs); `rows(ids)`: the same rows
    with everything the page shows. Counting and slicing use `ordered`; a page is one query more."""

    def __init__(self, ordered: QuerySet, per_page: int, rows: Callable[[list], QuerySet], **kwargs):
        super().__init__(ordered, per_page, **kwargs)
        self.rows = rows

    def _get_page(self, object_list, number, paginator):
        ids = list(object_list.values_list("pk", flat=True))
        found = {row.pk: row for row in self.rows(ids)} if ids else {}
        return super()._get_page([found[pk] for pk in ids if pk in found], number, paginator)
