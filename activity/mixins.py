"""`GET …/{objects}/activity/` and `GET …/{objects}/{id}/activity/` for a project-scoped viewset.

Both need `activity_log:read`. An id is answered when the object exists in this project or this project
logged activity for it (a deleted object keeps its history); otherwise — malformed, unknown, or another
project's — 404. Each viewset names the operations in its own `extend_schema_view` (PostHog's ids).
"""

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.viewsets import ProjectScopedViewSet
from activity.selectors import activity_exists, activity_queryset
from activity.views import ACTIVITY_PAGE_PARAMETERS, ActivityPageSerializer, activity_action, activity_page_response


class ActivityActionsMixin(ProjectScopedViewSet):
    """Mixed into a project-scoped viewset whose objects are logged under `activity_scope`."""

    activity_scope: str
    # The activity actions pass `required_scopes` to `@action`; DRF only accepts route arguments the
    # viewset already has as attributes. None elsewhere: the viewset's `scope_object` rules apply.
    required_scopes = None

    @extend_schema(parameters=ACTIVITY_PAGE_PARAMETERS, responses={200: ActivityPageSerializer})
    @activity_action(detail=False)
    def all_activity(self, request: Request, *args, **kwargs) -> Response:
        return activity_page_response(request, activity_queryset(project_id=self.project.id, scope=self.activity_scope))

    @extend_schema(parameters=ACTIVITY_PAGE_PARAMETERS, responses={200: ActivityPageSerializer})
    @activity_action(detail=True)
    def activity(self, request: Request, *args, **kwargs) -> Response:
        logged_id = str(self.object_pk())
        project_id, scope = self.project.id, self.activity_scope
        model = self.get_queryset().model
        known = model._default_manager.filter(project_id=project_id, pk=logged_id).exists() or activity_exists(
            project_id=project_id, scope=scope, item_id=logged_id
        )
        if not known:
            raise exceptions.NotFound()
        return activity_page_response(request, activity_queryset(project_id=project_id, scope=scope, item_id=logged_id))
