from django.db.models import Count, Window
from rest_framework import pagination

WINDOW_TOTAL = "_window_total"


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    default_limit = 100
    max_limit = 1000

    def paginate_queryset(self, queryset, request, view=None):
        """A view whose result must be computed whole anyway (a ranked search: every match is scored
        before the sort) sets `count_with_page = True`: the total then comes with the page, as
        `COUNT(*) OVER ()`, instead of from a second query that would match and score everything again
        (the rows keep it as an attribute no serializer reads)."""
        if not getattr(view, "count_with_page", False):
            return super().paginate_queryset(queryset, request, view)
        self.request = request
        self.limit = self.get_limit(request)
        if self.limit is None:
            return None
        self.offset = self.get_offset(request)
        rows = list(queryset.annotate(**{WINDOW_TOTAL: Window(Count("*"))})[self.offset : self.offset + self.limit])
        # An empty page (no matches, or an offset past the end) carries no total: count then.
        self.count = getattr(rows[0], WINDOW_TOTAL) if rows else self.get_count(queryset)
        if self.count > self.limit and self.template is not None:
            self.display_page_controls = True
        return rows
