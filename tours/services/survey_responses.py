"""A survey's responses: the `survey sent` events posthog-js sent for it, with each question's answer."""

from collections.abc import Iterable
from typing import Any

from tours.models import Survey
from tours.selectors.events import survey_sent_events
from tours.services.survey_answers import survey_response_build

RESPONSE_FIELDS = ("id", "distinct_id", "event_time", "tour_id", "properties")


def survey_responses_select(*, survey: Survey):
    """The survey's `survey sent` events, newest first (only what a response shows is read)."""
    return survey_sent_events(project_id=survey.project_id, survey_id=survey.pk).only(*RESPONSE_FIELDS)


def survey_responses_page(*, survey: Survey, events: Iterable[Any]) -> list[dict[str, Any]]:
    """Responses as rendered, one per event: the answer to each of the survey's questions, in order."""
    questions = survey.questions if isinstance(survey.questions, list) else []
    return [
        {
            "id": event.id,
            "distinct_id": event.distinct_id,
            "timestamp": event.event_time,
            "product_tour_id": event.tour_id,
            "responses": survey_response_build(
                properties=event.properties if isinstance(event.properties, dict) else {}, questions=questions
            ),
        }
        for event in events
    ]
