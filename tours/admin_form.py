"""The admin's add/change form for a tour: every save goes through the API's input serializer and the
tour and draft services, so the admin validates, syncs the targeting flag and surveys, and logs
activity exactly as the REST API does.

The services validate as they write (launch checks, names, linked flags, targeting — under the
tour's row lock), and the admin only shows errors raised while the form is validated. So the write
is the form's last validation step: a rejected save becomes errors next to the fields it concerns
and nothing is written (the admin view runs in a transaction; the write in a savepoint of its own).

The form carries the tour's ETag as it was when the page was loaded (`version`); a save whose
version no longer matches — the API or another editor wrote since — is refused like a stale
`If-Match`.
"""

import json
import re
from collections.abc import Mapping
from typing import Any

from django import forms
from django.contrib.admin import widgets
from django.db import transaction
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.settings import api_settings

from core.errors import DomainError, PreconditionFailed
from core.exceptions import api_exception_of
from flags.models import FeatureFlag
from tours.models import ProductTour
from tours.serializers import ProductTourSerializerCreateUpdateOnly
from tours.services.drafts import draft_discard, draft_fields_pick, draft_save
from tours.services.etags import if_match_check, tour_etag
from tours.services.targeting import targeting_filters_strip
from tours.services.tours import tour_create, tour_update
from tours.services.transfer.errors import error_text
from tours.services.validation import FLAG_NOT_FOUND

STALE = (
    "This tour was changed (through the API or by another editor) after you opened this page. "
    "Nothing was saved: reload the page to see the current version, then make your changes again."
)
# Form fields a live update sends; the draft is saved by the draft services.
LIVE_FIELDS = (
    "name",
    "description",
    "content",
    "auto_launch",
    "start_date",
    "end_date",
    "archived",
    "linked_flag",
    "targeting_flag_filters",
)
# API attribute → form field, where they differ.
FIELD_OF_ATTR = {"linked_flag_id": "linked_flag"}
# Errors the services raise without an attribute (as PostHog's API does): the field they are about.
STEP_ERROR_RE = re.compile(r"^Step \d+ ")
JSON_WIDGET = forms.Textarea(attrs={"rows": 14, "cols": 100, "style": "font-family: monospace"})


class JSONTextField(forms.JSONField):
    """JSON in a textarea, indented for editing."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value
        return json.dumps(value, ensure_ascii=False, indent=2, cls=self.encoder)


class FlagChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, flag: FeatureFlag) -> str:
        return f"{flag.key} ({flag.project})"


def _linkable_flags(project_id: int | None):
    """Live flags that are not a tour's internal targeting flag (of the tour's project, once known)."""
    flags = FeatureFlag.objects.filter(deleted=False, targeted_tours__isnull=True).select_related("project")
    return flags.filter(project_id=project_id) if project_id is not None else flags


def field_of_message(text: str) -> str | None:
    """The form field an attribute-less service error is about: the linked flag, or the steps in content."""
    if text == FLAG_NOT_FOUND:
        return "linked_flag"
    if text.startswith(("linkedFlagVariant", "Feature flag variant")) or STEP_ERROR_RE.match(text):
        return "content"
    return None


class _FieldErrors(Exception):
    def __init__(self, field: str | None, error: APIException):
        self.field, self.error = field, error


class ProductTourAdminForm(forms.ModelForm):
    user = None  # the admin sets the request's user on the class it builds per request

    content = JSONTextField(
        required=False,
        widget=JSON_WIDGET,
        help_text='An object: {"steps": [...], "type": "tour" | "announcement", "displayFrequency": …, '
        '"conditions": {…}, "appearance": {…}}. Validated as the API validates it.',
    )
    draft_content = JSONTextField(
        required=False,
        label="Draft",
        widget=JSON_WIDGET,
        help_text="Unpublished changes (name, description, content, auto_launch, targeting_flag_filters, "
        "linked_flag_id); empty for no draft. Publish a draft through the API's publish_draft.",
    )
    targeting_flag_filters = JSONTextField(
        required=False,
        widget=JSON_WIDGET,
        help_text='Who sees an auto-launched tour: {"groups": [{"properties": [{"key": "plan", "value": "pro", '
        '"operator": "exact", "type": "person"}]}]}; empty for everyone.',
    )
    linked_flag = FlagChoiceField(queryset=FeatureFlag.objects.none(), required=False)
    start_date = forms.SplitDateTimeField(
        required=False, widget=widgets.AdminSplitDateTime, help_text="Set to launch; clear to un-launch."
    )
    end_date = forms.SplitDateTimeField(required=False, widget=widgets.AdminSplitDateTime, help_text="Set to stop.")
    version = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = ProductTour
        fields = [
            "project",
            "name",
            "description",
            "content",
            "draft_content",
            "auto_launch",
            "start_date",
            "end_date",
            "archived",
            "linked_flag",
        ]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        tour = None if self.instance._state.adding else self.instance
        linked_flag = self.fields["linked_flag"]
        linked_flag.queryset = _linkable_flags(tour.project_id if tour is not None else None)  # type: ignore[attr-defined]
        if tour is not None:
            flag = tour.internal_targeting_flag if tour.internal_targeting_flag_id else None
            if flag is not None:
                self.initial["targeting_flag_filters"] = targeting_filters_strip(
                    tour_id=str(tour.pk), filters=flag.filters
                )
            self.initial["version"] = tour_etag(tour_id=tour.pk, updated_at=tour.updated_at)
        self.saved_tour: ProductTour | None = None

    def _post_clean(self) -> None:
        """In place of Django's model validation: the services' (the API's rules and messages), as the
        write. The instance is not touched: the services write the row."""
        if not self.errors:
            self._write()

    # --- the write ------------------------------------------------------------------------------

    def _body(self, *, adding: bool) -> dict[str, Any]:
        data = self.cleaned_data
        linked = data.get("linked_flag")
        body = {
            "name": data["name"],
            "description": data.get("description") or "",
            "content": data.get("content"),
            "auto_launch": data.get("auto_launch", False),
            "start_date": data.get("start_date"),
            "end_date": data.get("end_date"),
            "archived": data.get("archived", False),
            "linked_flag_id": linked.pk if linked is not None else None,
        }
        # Sent only when it matters, as a PATCH would: an unchanged value must not rebuild the flag.
        if adding or {"targeting_flag_filters", "auto_launch"} & set(self.changed_data):
            body["targeting_flag_filters"] = data.get("targeting_flag_filters")
        return body

    def _validated(self, *, tour: ProductTour | None, body: Mapping[str, Any]) -> Mapping[str, Any]:
        serializer = ProductTourSerializerCreateUpdateOnly(tour, data=body)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _precondition(self):
        version = self.cleaned_data.get("version") or None
        return lambda tour: if_match_check(header=version, etag=tour_etag(tour_id=tour.pk, updated_at=tour.updated_at))

    def _write(self) -> None:
        adding = self.instance._state.adding
        draft = self.cleaned_data.get("draft_content")
        try:
            if draft is not None:
                try:
                    draft_fields_pick(draft)  # before any write: a bad draft must not leave a half-saved tour
                except DomainError as error:
                    raise _FieldErrors("draft_content", api_exception_of(error)) from None
            with transaction.atomic():
                if adding:
                    self.saved_tour = self._create(draft=draft)
                else:
                    self.saved_tour = self._change(draft=draft)
        except _FieldErrors as failure:
            self._show(failure.field, failure.error)
        except PreconditionFailed:
            self.add_error(None, STALE)
        except (DomainError, APIException) as raised:
            api_error = api_exception_of(raised) if isinstance(raised, DomainError) else raised
            if isinstance(api_error, ValidationError):
                self._show(None, api_error)
            else:  # e.g. the tour was deleted meanwhile (404)
                self.add_error(None, error_text(api_error))

    def _create(self, *, draft: Any) -> ProductTour:
        data = self._validated(tour=None, body=self._body(adding=True))
        tour = tour_create(project=self.cleaned_data["project"], user=self.user, data=data)
        if draft is not None:
            draft_save(tour=tour, body=draft)
        return tour

    def _change(self, *, draft: Any) -> ProductTour:
        tour = self.instance
        precondition = self._precondition()
        if set(LIVE_FIELDS) & set(self.changed_data):
            data = self._validated(tour=tour, body=self._body(adding=False))
            tour = tour_update(tour=tour, user=self.user, data=data, precondition=precondition)
            if draft is not None:  # a live update discards the draft; the form's draft is what is kept
                draft_save(tour=tour, body=draft)
        elif "draft_content" in self.changed_data:
            tour = draft_discard(tour=tour, precondition=precondition)  # the form's draft replaces it whole
            if draft is not None:
                tour = draft_save(tour=tour, body=draft)
        return ProductTour.objects.get(pk=tour.pk)

    def _show(self, field: str | None, error: APIException) -> None:
        """Each message next to the field it concerns; messages without one above the form."""
        detail = error.detail
        if not isinstance(detail, Mapping):
            text = error_text(error)
            self.add_error(field or field_of_message(text), text)
            return
        for attr, messages in detail.items():
            name = FIELD_OF_ATTR.get(attr, attr)
            text = error_text(ValidationError(messages))
            if name in self.fields:
                self.add_error(name, text)
            elif attr == api_settings.NON_FIELD_ERRORS_KEY:
                self.add_error(field, text)
            else:
                self.add_error(field, f"{attr}: {text}")
