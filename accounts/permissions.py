"""Per-action scopes for personal API keys and project membership, in PostHog's order of checks."""

from rest_framework import exceptions, permissions

from accounts.models import PersonalAPIKey
from accounts.scopes import DEFAULT_READ_ACTIONS, DEFAULT_WRITE_ACTIONS, scopes_grant


def required_scopes_for(view, request) -> list[str] | None:
    action_name = getattr(view, "action", None)
    explicit = getattr(view, "required_scopes", None)
    if action_name is not None:
        handler = getattr(view, action_name, None)
        explicit = getattr(handler, "required_scopes", None) or explicit
    if explicit:
        return list(explicit)
    scope_object = getattr(view, "scope_object", None)
    if not scope_object:
        return None
    if request.method == "OPTIONS":
        return [f"{scope_object}:read"]
    if action_name is None and request.method == "PATCH":
        action_name = "patch"
    read_actions = getattr(view, "scope_object_read_actions", DEFAULT_READ_ACTIONS)
    write_actions = getattr(view, "scope_object_write_actions", DEFAULT_WRITE_ACTIONS)
    if action_name in write_actions:
        return [f"{scope_object}:write"]
    if action_name in read_actions:
        return [f"{scope_object}:read"]
    return None


class APIScopePermission(permissions.BasePermission):
    """Only personal-API-key requests are restricted; session users pass (as in PostHog)."""

    def has_permission(self, request, view) -> bool:
        key = request.auth
        if not isinstance(key, PersonalAPIKey):
            return True
        required = required_scopes_for(view, request)
        if not required:
            raise exceptions.PermissionDenied("This action does not support personal API key access")
        self._check_scoped_resources(key, view)
        for scope in required:
            if not scopes_grant(list(key.scopes or []), scope):
                raise exceptions.PermissionDenied(f"API key missing required scope '{scope}'")
        return True

    def _check_scoped_resources(self, key: PersonalAPIKey, view) -> None:
        if key.scoped_projects:
            project_id = view.scoped_project_id() if hasattr(view, "scoped_project_id") else None
            if project_id is None:
                raise exceptions.PermissionDenied(
                    "API keys with scoped projects are only supported on project-based endpoints."
                )
            if project_id not in {int(p) for p in key.scoped_projects}:
                raise exceptions.PermissionDenied(
                    f"API key does not have access to the requested project: ID {project_id}."
                )
        if key.scoped_organizations:
            org_id = view.scoped_organization_id() if hasattr(view, "scoped_organization_id") else None
            if org_id is not None and str(org_id) not in {str(o) for o in key.scoped_organizations}:
                raise exceptions.PermissionDenied(
                    f"API key does not have access to the requested organization: ID {org_id}."
                )
