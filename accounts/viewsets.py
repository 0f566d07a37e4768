"""The base every project-scoped API viewset uses: resolves the project, checks access, scopes querysets."""

from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.db.models import OuterRef, Subquery
from rest_framework import exceptions, permissions, viewsets

from accounts.models import OrganizationMembership, Project
from accounts.permissions import APIScopePermission
from core.ids import object_pk

if TYPE_CHECKING:
    from rest_framework.permissions import _PermissionClass

PROJECT_NOT_FOUND = "Project not found."


def parse_project_id(raw: str, user) -> int:
    """`@current` → the user's current project; otherwise an integer, else 404 `Project not found.`."""
    if raw == "@current":
        if not getattr(user, "is_authenticated", False):
            raise exceptions.AuthenticationFailed()
        if user.current_project_id is None:
            raise exceptions.NotFound(PROJECT_NOT_FOUND)
        return user.current_project_id
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise exceptions.NotFound(PROJECT_NOT_FOUND) from None
    if not 0 < value < 2**63:
        raise exceptions.NotFound(PROJECT_NOT_FOUND)
    return value


MEMBERSHIP_LEVEL = "request_membership_level"


class HandlerMissingPassesMixin:
    """An HTTP method the route does not have must end in a 405 envelope, not a scope/permission error."""

    @staticmethod
    def handler_missing(request, view) -> bool:
        return getattr(view, request.method.lower(), None) is None


class ProjectMembershipPermission(HandlerMissingPassesMixin, permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        if self.handler_missing(request, view):
            return True
        project = view.project  # 404 when absent
        if view.membership_level is None:
            raise exceptions.PermissionDenied("You don't have access to the project.")
        return project is not None


class ScopePermission(HandlerMissingPassesMixin, APIScopePermission):
    def has_permission(self, request, view) -> bool:
        if self.handler_missing(request, view):
            return True
        return super().has_permission(request, view)


class ProjectScopedViewSet(viewsets.GenericViewSet):
    """The base of every viewset registered under `projects/(?P<project_id>[^/]+)/...`.

    Subclasses set `scope_object` (and optionally read/write action lists) and `queryset`;
    `get_queryset()` always filters to the request's project.
    """

    permission_classes: "Sequence[_PermissionClass]" = [
        permissions.IsAuthenticated,
        ScopePermission,
        ProjectMembershipPermission,
    ]
    project_lookup_kwarg = "project_id"
    # Extra values read with the project in the same query (name → expression over the project row).
    project_annotations: dict = {}

    def scoped_project_id(self) -> int:
        return parse_project_id(str(self.kwargs.get(self.project_lookup_kwarg, "")), self.request.user)

    def scoped_organization_id(self):
        project = Project.objects.filter(id=self.scoped_project_id()).only("organization_id").first()
        return project.organization_id if project else None

    @cached_property
    def project_id(self) -> int:
        return self.scoped_project_id()

    @cached_property
    def project(self) -> Project:
        """The project and its organization, with the request user's membership level there and the
        viewset's `project_annotations` (one query)."""
        membership = OrganizationMembership.objects.filter(
            organization_id=OuterRef("organization_id"), user_id=self.request.user.pk or 0
        )
        project = (
            Project.objects.select_related("organization")
            .annotate(**{MEMBERSHIP_LEVEL: Subquery(membership.values("level")[:1])}, **self.project_annotations)
            .filter(id=self.project_id)
            .first()
        )
        if project is None:
            raise exceptions.NotFound(PROJECT_NOT_FOUND)
        return project

    @property
    def membership_level(self) -> int | None:
        """None when the request's user is not a member of the project's organization."""
        return getattr(self.project, MEMBERSHIP_LEVEL)

    def get_queryset(self):
        return super().get_queryset().filter(project_id=self.project.id)

    def object_pk(self) -> Any:
        """The URL's object id as a primary key value (a malformed one is a 404)."""
        return object_pk(self.get_queryset().model, self.kwargs.get(self.lookup_url_kwarg or self.lookup_field))

    def get_object(self):
        """The project's object the URL names, or 404 (another project's objects do not exist here)."""
        obj = self.get_queryset().filter(pk=self.object_pk()).first()
        if obj is None:
            raise exceptions.NotFound()
        self.check_object_permissions(self.request, obj)
        return obj

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context.update({"project": self.project, "project_id": self.project.id, "team_id": self.project.id})
        return context
