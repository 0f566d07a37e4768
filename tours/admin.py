from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.utils import timezone
from rest_framework.exceptions import APIException

from core.admin import ReadOnlyAdminMixin
from core.errors import DomainError
from core.exceptions import api_exception_of
from tours.admin_form import ProductTourAdminForm
from tours.admin_preview import steps_preview_html
from tours.admin_stats import ADMIN_STATS_DAYS, tour_stats_html, tour_summary_text
from tours.models import ProductTour, Survey
from tours.serializers import ProductTourSerializerCreateUpdateOnly
from tours.services.stats import tour_stats_get, tours_stats_summarize
from tours.services.stats_dates import stats_range_last_days
from tours.services.targeting import targeting_filters_strip
from tours.services.tours import tour_delete, tour_update
from tours.services.transfer.errors import error_text


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


# A state change for one tour: the PATCH body, or why the tour is skipped.
Change = Callable[[ProductTour], dict[str, Any] | str]


def _launch(tour: ProductTour) -> dict[str, Any] | str:
    if tour.archived:
        return "archived tours cannot be launched"
    if tour.start_date is None:
        return {"start_date": timezone.now(), "end_date": None}
    if tour.end_date is not None:
        return {"end_date": None}  # stopped: resume
    return "already running"


def _stop(tour: ProductTour) -> dict[str, Any] | str:
    if tour.start_date is None or tour.end_date is not None:
        return "not running"
    return {"end_date": timezone.now()}


def _archive(tour: ProductTour) -> dict[str, Any] | str:
    return "already archived" if tour.archived else {"archived": True}


STATS_SUMMARY = "stats_summary"  # set on the listed tours by the change list


class ProductTourChangeList(ChangeList):
    """The tour list, with each listed tour's last-days stats read in one query for the whole page."""

    def get_results(self, request) -> None:
        super().get_results(request)
        tours = list(self.result_list)
        summaries = tours_stats_summarize(
            tours=tours, date_range=stats_range_last_days(days=ADMIN_STATS_DAYS, now=timezone.now())
        )
        for tour in tours:
            setattr(tour, STATS_SUMMARY, summaries.get(str(tour.pk)))


@admin.register(ProductTour)
class ProductTourAdmin(admin.ModelAdmin):
    """Author tours. Saves, actions and deletes go through the same services as the API (validation,
    targeting flag, surveys, activity log with the staff user as actor); Django's view/add/change/delete
    permissions apply, and the state-changing actions need the change permission."""

    form = ProductTourAdminForm
    list_display = ["name", "project", "auto_launch", "start_date", "end_date", "archived", "stats", "updated_at"]
    list_filter = ["archived", LaunchedFilter, "auto_launch"]
    search_fields = ["name"]
    list_select_related = ["project"]
    ordering = ["-created_at"]
    actions = ["launch_tours", "stop_tours", "archive_tours"]
    fieldsets = [
        (None, {"fields": ["project", "name", "description"]}),
        ("Schedule", {"fields": ["auto_launch", "start_date", "end_date", "archived"]}),
        ("Content", {"fields": ["content", "steps_preview"]}),
        ("Targeting", {"fields": ["linked_flag", "targeting_flag_filters", "internal_targeting_flag"]}),
        ("Draft", {"fields": ["draft_content"]}),
        (f"Stats (last {ADMIN_STATS_DAYS} days)", {"fields": ["stats_detail"]}),
        ("Record", {"fields": ["id", "created_by", "created_at", "updated_at", "version"]}),
    ]
    base_readonly = [
        "steps_preview",
        "internal_targeting_flag",
        "stats_detail",
        "id",
        "created_by",
        "created_at",
        "updated_at",
    ]

    def get_readonly_fields(self, request, obj=None):
        return [*self.base_readonly, "project"] if obj is not None else self.base_readonly

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            hidden = set(self.base_readonly)  # nothing to show before the tour exists
        elif not self.has_change_permission(request, obj):
            hidden = {"version"}  # the edit-conflict guard of the change form
        else:
            return self.fieldsets
        shown = [(title, [f for f in opts["fields"] if f not in hidden]) for title, opts in self.fieldsets]
        return [(title, {"fields": fields}) for title, fields in shown if fields]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("internal_targeting_flag", "linked_flag", "created_by")

    def get_changelist(self, request, **kwargs):
        return ProductTourChangeList

    # --- read-only displays -----------------------------------------------------------------

    @admin.display(description="Step preview")
    def steps_preview(self, obj: ProductTour):
        return steps_preview_html(obj.content)

    @admin.display(description="Stats")
    def stats_detail(self, obj: ProductTour):
        date_range = stats_range_last_days(days=ADMIN_STATS_DAYS, now=timezone.now())
        return tour_stats_html(tour_stats_get(tour=obj, date_range=date_range))

    @admin.display(description=f"Stats ({ADMIN_STATS_DAYS} days)")
    def stats(self, obj: ProductTour) -> str:
        return tour_summary_text(getattr(obj, STATS_SUMMARY, None))

    @admin.display(description="Targeting flag filters")
    def targeting_flag_filters(self, obj: ProductTour):
        flag = obj.internal_targeting_flag if obj.internal_targeting_flag_id else None
        return None if flag is None else targeting_filters_strip(tour_id=str(obj.pk), filters=flag.filters)

    # --- saving: the form already wrote through the services (tours.admin_form) --------------

    def save_form(self, request, form, change):
        return form.saved_tour

    def save_model(self, request, obj, form, change) -> None:
        pass

    def save_related(self, request, form, formsets, change) -> None:
        pass

    def delete_model(self, request, obj: ProductTour) -> None:
        tour_delete(tour=obj, user=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for tour in queryset:
            tour_delete(tour=tour, user=request.user)

    # --- actions ----------------------------------------------------------------------------

    def _apply(self, request, queryset, change: Change, done: str) -> None:
        changed = 0
        for tour in queryset.select_related("project"):
            body = change(tour)
            if isinstance(body, str):
                self.message_user(request, f"{tour.name}: not changed ({body}).", messages.WARNING)
                continue
            try:
                serializer = ProductTourSerializerCreateUpdateOnly(tour, data=body, partial=True)
                serializer.is_valid(raise_exception=True)
                tour_update(tour=tour, user=request.user, data=serializer.validated_data)
            except (DomainError, APIException) as raised:
                error = api_exception_of(raised) if isinstance(raised, DomainError) else raised
                self.message_user(request, f"{tour.name}: {error_text(error)}", messages.ERROR)
                continue
            changed += 1
        if changed:
            self.message_user(request, f"{changed} product tour(s) {done}.", messages.SUCCESS)

    @admin.action(description="Launch selected tours (or resume stopped ones)", permissions=["change"])
    def launch_tours(self, request, queryset):
        self._apply(request, queryset, _launch, "launched")

    @admin.action(description="Stop selected tours", permissions=["change"])
    def stop_tours(self, request, queryset):
        self._apply(request, queryset, _stop, "stopped")

    @admin.action(description="Archive selected tours", permissions=["change"])
    def archive_tours(self, request, queryset):
        self._apply(request, queryset, _archive, "archived")


@admin.register(Survey)
class SurveyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Browse the surveys tour survey steps created. Read-only: each tour syncs its surveys on every
    save, so an edit here would be overwritten."""

    list_display = ["name", "project", "product_tour", "type", "start_date", "end_date", "created_at"]
    list_filter = ["type", ("end_date", admin.EmptyFieldListFilter)]
    search_fields = ["name"]
    list_select_related = ["project", "product_tour"]
    ordering = ["-created_at"]
