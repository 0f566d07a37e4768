"""Read-only admin for the activity log: entries are written only by the services that make the changes."""

from django.contrib import admin

from activity.models import ActivityLog
from core.admin import ReadOnlyAdminMixin


@admin.register(ActivityLog)
class ActivityLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "scope", "activity", "item_id", "detail_name", "project_id", "user", "is_system"]
    list_filter = ["scope", "activity", "is_system"]
    search_fields = ["item_id", "scope", "user__email"]
    list_select_related = ["user"]
    ordering = ["-created_at", "-id"]

    @admin.display(description="name")
    def detail_name(self, entry: ActivityLog) -> str:
        name = entry.detail.get("name") if isinstance(entry.detail, dict) else None
        return name if isinstance(name, str) else ""
