"""OpenAPI description of a tour's `content` JSON (what posthog-js reads: steps, conditions, appearance).

The server stores content as sent (an object; steps normalised), so the description documents the
known keys restricting no more than their JSON types (enforced on input, so responses match): no
`type` at the top (PostHog's schema says "any"), `additionalProperties: true` everywhere, no `enum`s
(allowed values are listed in descriptions, so clients generated from this schema do not reject
values a newer editor writes) and nested objects and leaf values nullable.
"""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tours.fields import StrictJSONField
from tours.services.steps import content_with_normalized_steps


def _object(description: str, properties: dict[str, Any], *, nullable: bool = True) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "description": description,
        "properties": properties,
        "additionalProperties": True,
    }
    if nullable:
        schema["nullable"] = True
    return schema


# Leaf values are nullable (null = unset, as posthog-js reads it); their type is enforced on input
# (tours/services/content_types.py), so every returned tour matches this description.
def _str(description: str) -> dict[str, Any]:
    return {"type": "string", "nullable": True, "description": description}


def _num(description: str) -> dict[str, Any]:
    return {"type": "number", "nullable": True, "description": description}


def _bool(description: str) -> dict[str, Any]:
    return {"type": "boolean", "nullable": True, "description": description}


_ANY_JSON = {"description": "Any JSON value."}

_BUTTON = _object(
    "A custom step button.",
    {
        "text": _str("Button label."),
        "action": _str("`dismiss` | `link` | `next_step` | `previous_step` | `trigger_tour`."),
        "link": _str("URL opened by a `link` button."),
        "tourId": _str("Tour started by a `trigger_tour` button."),
    },
)

_SURVEY_QUESTION = _object(
    "The inline question of a `survey` step.",
    {
        "type": _str("`open` | `rating`."),
        "questionText": _str("The question."),
        "display": _str("Rating display: `emoji` | `number`."),
        "scale": _num("Rating scale: 3, 5 or 10."),
        "lowerBoundLabel": _str("Label of the lowest rating."),
        "upperBoundLabel": _str("Label of the highest rating."),
        "submitButtonText": _str("Submit button label."),
        "backButtonText": _str("Back button label."),
    },
)

STEP_SCHEMA = _object(
    "One tour step (posthog-js `ProductTourStep`). A step with no element target "
    "(`useManualSelector ? selector : inferenceData`) is shown as a screen-positioned modal.",
    {
        "id": _str("Step id, unique within the tour."),
        "type": _str("`element` | `modal` | `survey` | `banner`."),
        "selector": _str("CSS selector of the target element (used when `useManualSelector` is true)."),
        "useManualSelector": _bool("Use `selector` instead of element inference. Default false."),
        "inferenceData": _object(
            "Element inference data recorded by the toolbar.",
            {
                # No type: posthog-js writes a JSON string, older data may hold the object itself.
                "autoData": {"description": "A JSON string of `{textGroups, notextGroups}` selector groups."},
                "text": {"type": "string", "nullable": True, "description": "Text the element must show."},
                "excludeText": _bool("Ignore the element's text when matching."),
                "precision": _num("1 = most specific selector group only, 0 = all groups."),
            },
        ),
        "elementTargeting": _str("`auto` | `manual` (kept in agreement with `useManualSelector` by the server)."),
        "progressionTrigger": _str("`button` | `click` (clicking the target advances)."),
        "content": {
            "description": "Rich text as TipTap `JSONContent` (`{type, attrs, content, marks, text}`), or null."
        },
        "contentHtml": _str("Pre-rendered HTML; preferred by posthog-js."),
        "survey": _SURVEY_QUESTION,
        "linkedSurveyId": {"type": "string", "nullable": True, "readOnly": True, "description": "Set by the server."},
        "linkedSurveyQuestionId": {
            "type": "string",
            "nullable": True,
            "readOnly": True,
            "description": "Set by the server.",
        },
        "maxWidth": _num("Maximum width in px (default 320)."),
        "modalPosition": _str(
            "Position of a screen-positioned step: `top_left` | `top_center` | `top_right` | `middle_left` | "
            "`middle_center` (default) | `middle_right` | `left` | `right` | `center`."
        ),
        "buttons": _object(
            "Custom buttons; default Back / Next (Done on the last step).",
            {
                "primary": _BUTTON,
                "secondary": _BUTTON,
            },
        ),
        "bannerConfig": _object(
            "Banner step settings.",
            {
                "behavior": _str("`sticky` | `static` | `custom` (mounted into `selector`)."),
                "selector": _str("Container of a `custom` banner."),
                "action": _object(
                    "What clicking the banner does.",
                    {
                        "type": _str("`none` | `link` | `trigger_tour`."),
                        "link": _str("URL for `link`."),
                        "tourId": _str("Tour for `trigger_tour`."),
                    },
                ),
                "animation": _object("Banner animation.", {"duration": _num("Duration in ms.")}),
            },
        ),
        "translations": {
            "type": "object",
            "nullable": True,
            "description": "Per language (`en`, `en-US`, …): `{content, contentHtml, buttons: {primary: {text}, "
            "secondary: {text}}, survey: {questionText, …}}`. Exact language first, then the base language.",
            "additionalProperties": True,
        },
    },
    nullable=False,
)

_EVENT_TRIGGERS = _object(
    "Events that trigger (or cancel) an auto-launch.",
    {
        "values": {
            "type": "array",
            "items": _object(
                "An event, optionally with property filters `{prop: {values: [..], operator}}`.",
                {
                    "name": _str("Event name."),
                    "propertyFilters": {"type": "object", "nullable": True, "additionalProperties": True},
                },
                nullable=False,
            ),
        },
    },
)

CONDITIONS_SCHEMA = _object(
    "When posthog-js shows the tour (posthog-js `ProductTourConditions`).",
    {
        "url": _str("URL to match against the current page."),
        "urlMatchType": _str(
            "`exact` (ignores a trailing slash) | `is_not` | `icontains` (default) | `not_icontains` | `regex` | "
            "`not_regex`."
        ),
        "selector": _str("Clicking a matching element shows the tour, whether or not it is eligible."),
        "deviceTypes": {
            "type": "array",
            "items": {"type": "string"},
            "nullable": True,
            "description": "e.g. `Desktop`, `Mobile`, `Tablet` (case-insensitive contains).",
        },
        "autoShowDelaySeconds": _num("Delay before an auto-launch."),
        "events": _EVENT_TRIGGERS,
        "cancelEvents": _EVENT_TRIGGERS,
        "actions": _object(
            "Actions that trigger an auto-launch.",
            {
                "values": {
                    "type": "array",
                    "items": _object(
                        "An action.",
                        {"id": {"description": "Action id."}, "name": _str("Action name.")},
                        nullable=False,
                    ),
                },
            },
        ),
        "linkedFlagVariant": {
            "type": "string",
            "nullable": True,
            "description": "Variant of the linked flag the user must have, or `any`.",
        },
        "seenTourWaitPeriod": _object(
            "Do not auto-launch within `days` of having seen a tour of one of `types`.",
            {
                "days": _num("Days to wait."),
                "types": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "`tour` | `announcement` | `banner`.",
                },
            },
        ),
    },
)

APPEARANCE_SCHEMA = _object(
    "Look of the tour (posthog-js `ProductTourAppearance`); becomes CSS variables.",
    {
        "backgroundColor": _str("Default `#ffffff`."),
        "textColor": _str("Default `#1d1f27`."),
        "buttonColor": _str("Default `#1d1f27`."),
        "borderColor": _str("Default `#e5e7eb`."),
        "borderRadius": _num("Default 8."),
        "buttonBorderRadius": _num("Default 6."),
        "boxShadow": _str("Default `0 4px 12px rgba(0,0,0,.15)`."),
        "fontFamily": _str("Default `system-ui`."),
        "showOverlay": _bool("Default true."),
        "whiteLabel": _bool('Hide the "Tour by PostHog" branding. Default false.'),
        "dismissOnClickOutside": _bool("Default true."),
        "zIndex": _num("z-index of the tour."),
    },
)

CONTENT_SCHEMA: dict[str, Any] = {
    "description": "The tour as posthog-js runs it: a JSON object, stored as sent (steps normalised). "
    "Keys not listed here are kept.",
    "properties": {
        "type": _str("`tour` (default) | `announcement` (exactly one step; a banner when that step is one)."),
        "steps": {"type": "array", "items": STEP_SCHEMA, "description": "The steps, in order."},
        "conditions": CONDITIONS_SCHEMA,
        "appearance": APPEARANCE_SCHEMA,
        "displayFrequency": _str("`show_once` | `until_interacted` (default) | `always`."),
    },
    "additionalProperties": True,
}


@extend_schema_field(CONTENT_SCHEMA)
class TourContentReadField(serializers.JSONField):
    """`ProductTour.content` as rendered: steps normalised as posthog-js reads them."""

    def to_representation(self, value: Any) -> Any:
        return content_with_normalized_steps(value)


@extend_schema_field(CONTENT_SCHEMA)
class TourContentField(StrictJSONField):
    """`content` input (nullable: null is stored as `{}`)."""
