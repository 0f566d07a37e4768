from django.urls import re_path

from accounts.views import OrganizationViewSet, ProjectViewSet

urlpatterns = [
    re_path(r"^projects/(?P<project_id>[^/]+)/?$", ProjectViewSet.as_view({"get": "retrieve"}), name="project-detail"),
    re_path(
        r"^organizations/(?P<pk>[^/]+)/?$",
        OrganizationViewSet.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="organization-detail",
    ),
]
