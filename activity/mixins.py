"""`GET …/{objects}/activity/` and `GET …/{objects}/{id}/activity/` for a project-scoped viewset.

Both need `activity_log:read`. An id is answered when the object exists in this project or this project
logged activity for it (a deleted object keeps its history); otherwise — malformed, unknown, or another
project's — 404.
"""

from collections.abc import Callable
from typing import Any

from django.db.models import Model
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions

from activity.selectors import activity_exists, activity_queryset
from activity.views import ACTIVITY_PAGE_PARAMETERS, ActivityPageSerializer, activity_action, activity_page_response


def activity_mixin(
    *, model: type[Model], scope: str, operation_prefix: str, item_id: Callable[[Any], str | None], tags=None
) -> type:
    """A mixin with both activity actions for `model`'s viewset; `item_id` turns the URL's id into the
    logged item id (None: malformed)."""

    class ActivityMixin:
        # The activity actions pass `required_scopes` to `@action`; DRF only accepts route arguments the
        # viewset already has as attributes. None elsewhere: the viewset's `scope_object` rules apply.
        required_scopes = None

        @extend_schema(
            operation_id=f"{operation_prefix}_all_activity_retrieve",
            parameters=ACTIVITY_PAGE_PARAMETERS,
            responses={200: ActivityPageSerializer},
            tags=tags,
        )
        @activity_action(detail=False)
        def all_activity(self, request, *args, **kwargs):
            return activity_page_response(request, activity_queryset(project_id=self.project.id, scope=scope))

        @extend_schema(
            operation_id=f"{operation_prefix}_activity_retrieve",
            parameters=ACTIVITY_PAGE_PARAMETERS,
            responses={200: ActivityPageSerializer},
            tags=tags,
        )
        @activity_action(detail=True)
        def activity(self, request, *args, **kwargs):
            logged_id = item_id(self.kwargs.get(self.lookup_url_kwarg or self.lookup_field))
            if logged_id is None:
                raise exceptions.NotFound()
            project_id = self.project.id
            known = model._default_manager.filter(project_id=project_id, pk=logged_id).exists() or activity_exists(
                project_id=project_id, scope=scope, item_id=logged_id
            )
            if not known:
                raise exceptions.NotFound()
            return activity_page_response(
                request, activity_queryset(project_id=project_id, scope=scope, item_id=logged_id)
            )

    return ActivityMixin
