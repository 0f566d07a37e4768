"""`GET …/feature_flags/activity/` and `GET …/feature_flags/{id}/activity/` (PostHog's flag activity).

Both need `activity_log:read`. An id is answered when the flag exists in this project (soft-deleted
ones too) or this project logged activity for it (a tour's internal flag deleted with its tour);
otherwise — malformed, unknown, or another project's — 404.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions

from accounts.activity.selectors import activity_exists, activity_queryset
from accounts.activity.views import (
    ACTIVITY_PAGE_PARAMETERS,
    ActivityPageSerializer,
    activity_action,
    activity_page_response,
)
from flags.models import FeatureFlag
from flags.services.activity import SCOPE

MAX_ID = 2**63 - 1


class FeatureFlagActivityMixin:
    """Mixed into the feature flags viewset (a ProjectScopedViewSet)."""

    # The activity actions pass `required_scopes` to `@action`; DRF only accepts route arguments the
    # viewset already has as attributes. None elsewhere: the viewset's `scope_object` rules apply.
    required_scopes = None

    @extend_schema(
        operation_id="feature_flags_all_activity_retrieve",
        parameters=ACTIVITY_PAGE_PARAMETERS,
        responses={200: ActivityPageSerializer},
    )
    @activity_action(detail=False)
    def all_activity(self, request, *args, **kwargs):
        return activity_page_response(request, activity_queryset(project_id=self.project.id, scope=SCOPE))

    @extend_schema(
        operation_id="feature_flags_activity_retrieve",
        parameters=ACTIVITY_PAGE_PARAMETERS,
        responses={200: ActivityPageSerializer},
    )
    @activity_action(detail=True)
    def activity(self, request, *args, **kwargs):
        raw = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)
        if not (isinstance(raw, str) and raw.isascii() and raw.isdigit() and 0 < int(raw) <= MAX_ID):
            raise exceptions.NotFound()
        flag_id, project_id = int(raw), self.project.id
        known = FeatureFlag.objects.filter(project_id=project_id, pk=flag_id).exists() or activity_exists(
            project_id=project_id, scope=SCOPE, item_id=str(flag_id)
        )
        if not known:
            raise exceptions.NotFound()
        return activity_page_response(
            request, activity_queryset(project_id=project_id, scope=SCOPE, item_id=str(flag_id))
        )
