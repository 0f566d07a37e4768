from rest_framework import exceptions, mixins, permissions, viewsets
from rest_framework.response import Response

from accounts.models import Organization, OrganizationMembership
from accounts.serializers import OrganizationSerializer, ProjectSerializer
from accounts.viewsets import ProjectScopedViewSet, ScopePermission
from core.ids import object_pk


class ProjectViewSet(ProjectScopedViewSet):
    """`/api/projects/{project_id}/`: the project itself (its id is the URL's project id)."""

    scope_object = "project"
    serializer_class = ProjectSerializer

    def retrieve(self, request, *args, **kwargs):
        return Response(self.get_serializer(self.project).data)


class OrganizationAdminPermission(permissions.BasePermission):
    message = "Your organization access level is insufficient."

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return OrganizationMembership.objects.filter(
            organization=obj, user_id=request.user.id, level__gte=OrganizationMembership.Level.ADMIN
        ).exists()


class OrganizationViewSet(mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """`/api/organizations/{id}/`: members read, admins and owners update (e.g. AI data processing consent)."""

    scope_object = "organization"
    serializer_class = OrganizationSerializer
    permission_classes = [permissions.IsAuthenticated, ScopePermission, OrganizationAdminPermission]
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        return Organization.objects.filter(memberships__user=self.request.user)

    def scoped_organization_id(self):
        return (
            self.kwargs.get("pk") if self.kwargs.get("pk") != "@current" else self.request.user.current_organization_id
        )

    def get_object(self):
        pk = self.kwargs.get("pk")
        if pk == "@current":
            pk = self.request.user.current_organization_id
        organization = self.get_queryset().filter(pk=object_pk(Organization, pk)).first()
        if organization is None:
            raise exceptions.NotFound()
        self.check_object_permissions(self.request, organization)
        return organization
