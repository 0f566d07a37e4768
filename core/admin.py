"""Admin pieces every app shares."""

from django.contrib import admin
from django.http import HttpRequest


class ReadOnlyAdminMixin:
    """Browse only: no add, change or delete (the rows are written by services elsewhere); every model
    field is shown read-only. Apps add their own actions and permissions on top."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        model_admin: admin.ModelAdmin = self  # type: ignore[assignment]
        shown = [
            field.name for field in model_admin.model._meta.fields if field.name not in (model_admin.exclude or ())
        ]
        return shown + [name for name in model_admin.readonly_fields if name not in shown]
