"""OpenAPI (drf-spectacular) pieces shared by every API app: the auth scheme and path parameters.

Imported from `AccountsConfig.ready()` so the extension is registered before any schema is built.
"""

import inspect

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import get_doc, get_view_model
from rest_framework.schemas.utils import get_pk_description

PROJECT_ID_DESCRIPTION = "The project's id (an integer), or `@current` for the current project of the API key's user."
# DRF routers with `lookup_value_regex = "[^/]+"` yield this pattern, which tells a reader nothing.
_ANY_SEGMENT = "^[^/]+$"


class PersonalAPIKeyAuthScheme(OpenApiAuthenticationExtension):
    """`Authorization: Bearer phx_…`: PostHog's `PersonalAPIKeyAuth` HTTP bearer scheme."""

    target_class = "accounts.authentication.PersonalAPIKeyAuthentication"
    name = "PersonalAPIKeyAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API key: `Authorization: Bearer phx_…`. "
            "Its scopes (e.g. `product_tour:read`) limit what it may do.",
        }


class ProjectAutoSchema(AutoSchema):
    """Path parameters as PostHog documents them: `project_id` is a string (an id or `@current`), and
    a project-scoped resource's `id` has its primary key's type (a UUID for tours, an integer for flags)
    instead of the router's catch-all pattern."""

    def get_description(self) -> str:  # type: ignore[override]  # drf-spectacular calls it without arguments
        """The action's docstring, else the viewset's *own* one: docstrings inherited from mixins and
        bases (`ProjectScopedViewSet`, …) describe code, not the endpoint."""
        action = getattr(self.view, getattr(self.view, "action", self.method.lower()), None)
        own = self.view.__class__.__dict__.get("__doc__")
        return get_doc(action) or (inspect.cleandoc(own) if own else "")

    def _resolve_path_parameters(self, variables):
        parameters = super()._resolve_path_parameters(variables)
        for parameter in parameters:
            schema = parameter.get("schema", {})
            if schema.get("pattern") == _ANY_SEGMENT:
                schema.pop("pattern")
            if parameter["name"] == "project_id":
                parameter["description"] = PROJECT_ID_DESCRIPTION
            elif parameter["name"] == "id" and hasattr(self.view, "scoped_project_id"):
                self._pk_parameter_describe(parameter)
        return parameters

    def _pk_parameter_describe(self, parameter: dict) -> None:
        model = get_view_model(self.view, emit_warnings=False)
        if model is None:
            return
        pk = model._meta.pk
        schema = self._map_model_field(pk, direction=None)
        schema.pop("readOnly", None)  # a model flag, meaningless for a path parameter
        parameter["schema"] = schema
        parameter["description"] = get_pk_description(model, pk)
