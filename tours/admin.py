from django.contrib import admin

from tours.models import ProductTour, Survey
from tours.services.tours import tour_delete


class LaunchedFilter(admin.SimpleListFilter):
    title = "launched"
    parameter_name = "launched"

    def lookups(self, request, model_admin):
        return [("yes", "Launched"), ("no", "Not launched"), ("running", "Running (launched, not stopped)")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(start_date__isnull=False)
        if self.value() == "no":
            return queryset.filter(start_date__isnull=True)
        if self.value() == "running":
            return queryset.filter(start_date__isnull=False, end_date__isnull=True)
        return queryset


@admin.register(ProductTour)
class ProductTourAdmin(admin.ModelAdmin):
    """Browse tours. Edits go through the API (they also sync the targeting flag); deleting here
    uses the same service as the API, so the internal flag goes with the tour."""

    list_display = ["name", "project", "auto_launch", "start_date", "end_date", "archived", "updated_at"]
    list_filter = ["archived", LaunchedFilter, "auto_launch"]
    search_fields = ["name"]
    list_select_related = ["project"]
    ordering = ["-created_at"]
    readonly_fields = [field.name for field in ProductTour._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def delete_model(self, request, obj: ProductTour) -> None:
        tour_delete(tour=obj, user=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for tour in queryset:
            tour_delete(tour=tour, user=request.user)


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    """Browse the surveys tour survey steps created. Read-only: each tour syncs its surveys on every
    save, so an edit here would be overwritten."""

    list_display = ["name", "project", "product_tour", "type", "start_date", "end_date", "created_at"]
    list_filter = ["type", ("end_date", admin.EmptyFieldListFilter)]
    search_fields = ["name"]
    list_select_related = ["project", "product_tour"]
    ordering = ["-created_at"]
    readonly_fields = [field.name for field in Survey._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
