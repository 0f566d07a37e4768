from django.contrib import admin, messages
from django.contrib.auth import get_permission_codename

from core.admin import ReadOnlyAdminMixin
from core.errors import DomainError
from flags.models import FeatureFlag
from flags.payloads import filters_redacted
from flags.services import feature_flag_update


@admin.register(FeatureFlag)
class FeatureFlagAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Browse flags; the only edits are the enable/disable actions, which go through the flag
    service so that validation and `version` behave as in the API."""

    list_display = ["key", "name", "project", "active", "deleted", "version", "updated_at"]
    list_filter = ["active", "deleted"]
    search_fields = ["key", "name"]
    list_select_related = ["project"]
    ordering = ["-created_at"]
    actions = ["enable_flags", "disable_flags"]
    exclude = ["filters"]
    readonly_fields = ["filters_shown"]

    def has_toggle_permission(self, request) -> bool:
        """The enable/disable actions change state: Django's change permission on flags, not just view."""
        codename = get_permission_codename("change", self.opts)
        return request.user.has_perm(f"{self.opts.app_label}.{codename}")

    @admin.display(description="filters")
    def filters_shown(self, flag: FeatureFlag):
        # A session never sees secret payloads in clear (as in the API).
        return filters_redacted(flag.filters) if flag.has_encrypted_payloads else flag.filters

    def _set_active(self, request, queryset, active: bool) -> None:
        updated = 0
        for flag in queryset:
            try:
                feature_flag_update(flag=flag, user=request.user, active=active)
                updated += 1
            except DomainError as error:
                self.message_user(request, f"{flag.key}: {error.detail}", messages.ERROR)
        self.message_user(request, f"{updated} flag(s) updated.", messages.SUCCESS)

    @admin.action(description="Enable selected flags", permissions=["toggle"])
    def enable_flags(self, request, queryset):
        self._set_active(request, queryset, True)

    @admin.action(description="Disable selected flags", permissions=["toggle"])
    def disable_flags(self, request, queryset):
        self._set_active(request, queryset, False)
