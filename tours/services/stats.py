"""Tour stats: how many people saw, finished and dismissed a tour, step by step, and what its survey
steps were answered, from the events posthog-js sent to `/e`.

Counted are the project's events whose `$product_tour_id` is the tour's id and whose time (the event's
`timestamp`, else its arrival) lies within the range, both bounds included. `total` counts events,
`unique` counts people (see `tours.selectors.events`).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, CharField, Count, F, Value, When
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce

from tours.models import ProductTour
from tours.selectors.events import (
    STEP_COMPLETED,
    STEP_EVENTS,
    STEP_SHOWN,
    SURVEY_SENT,
    TOUR_COMPLETED,
    TOUR_DISMISSED,
    TOUR_EVENTS,
    TOUR_SHOWN,
    people_counts,
    tour_events,
)
from tours.services.stats_dates import StatsRange
from tours.services.survey_answers import answer_label, rating_labels, survey_answer_keys
from tours.services.surveys import survey_config_problem, survey_question_build

UNKNOWN_REASON = "unknown"
# Step events are grouped by step; the tour's own events (a dismissal names its step too) are not.
STEP_OF_STEP_EVENTS = Case(
    When(event__in=STEP_EVENTS, then=F("step_id")), default=Value(None), output_field=CharField()
)


@dataclass(frozen=True, slots=True)
class Tally:
    total: int = 0
    unique: int = 0


@dataclass(frozen=True, slots=True)
class QuestionStats:
    question_id: str | None
    question: str
    type: str
    responses: Tally
    distribution: dict[str, int] | None  # rating questions: responses per value


@dataclass(frozen=True, slots=True)
class SurveyStats:
    survey_id: str | None
    questions: list[QuestionStats]


@dataclass(frozen=True, slots=True)
class StepStats:
    step_id: str | None
    step_order: int | None  # index in the tour's current steps; None for steps seen only in events
    shown: Tally
    completed: Tally
    survey: SurveyStats | None = None


@dataclass(frozen=True, slots=True)
class TourStats:
    tour_id: str
    date_from: Any
    date_to: Any
    shown: Tally
    completed: Tally
    dismissed: Tally
    completion_rate: float | None
    steps: list[StepStats] = field(default_factory=list)
    dismiss_reasons: dict[str, int] = field(default_factory=dict)


# --- pure -----------------------------------------------------------------------------------------


def completion_rate(*, shown: Tally, completed: Tally) -> float | None:
    """People who completed per person shown, to 4 decimals; None when nobody was shown the tour."""
    return round(completed.unique / shown.unique, 4) if shown.unique else None


def _step_id(step: Any) -> str | None:
    value = step.get("id") if isinstance(step, dict) else None
    return None if value is None or value == "" else str(value)


def steps_stats_build(
    *, steps: Sequence[Any], counts: dict[tuple[str, str], Tally], surveys: dict[int, SurveyStats]
) -> list[StepStats]:
    """The tour's current steps in order (zeros where nothing happened), then the step ids only events
    name, by id. `counts` maps (step event, step id) to its tally; `surveys` step index to its answers."""
    listed: list[StepStats] = []
    seen: set[str] = set()
    for index, step in enumerate(steps):
        step_id = _step_id(step)
        if step_id is not None:
            seen.add(step_id)
        listed.append(
            StepStats(
                step_id=step_id,
                step_order=index,
                shown=counts.get((STEP_SHOWN, step_id), Tally()) if step_id else Tally(),
                completed=counts.get((STEP_COMPLETED, step_id), Tally()) if step_id else Tally(),
                survey=surveys.get(index),
            )
        )
    for step_id in sorted({step_id for _, step_id in counts} - seen):
        listed.append(
            StepStats(
                step_id=step_id,
                step_order=None,
                shown=counts.get((STEP_SHOWN, step_id), Tally()),
                completed=counts.get((STEP_COMPLETED, step_id), Tally()),
            )
        )
    return listed


def survey_steps(steps: Sequence[Any]) -> list[tuple[int, dict]]:
    """(index, step) of the steps that ask a survey question."""
    return [
        (index, step)
        for index, step in enumerate(steps)
        if isinstance(step, dict) and step.get("survey") is not None and survey_config_problem(step["survey"]) is None
    ]


def question_stats_build(*, question: dict, by_answer: list[tuple[Any, int, int]], respondents: Tally) -> QuestionStats:
    """A question's responses; for a rating question, how many responses gave each value (every value
    the scale offers, then any other value sent)."""
    distribution: dict[str, int] | None = None
    if question["type"] == "rating":
        distribution = dict.fromkeys(rating_labels(scale=question["scale"]), 0)
        for value, total, _ in by_answer:
            label = answer_label(value)
            if label is not None:
                distribution[label] = distribution.get(label, 0) + total
    return QuestionStats(
        question_id=question["id"],
        question=question["question"],
        type=question["type"],
        responses=respondents,
        distribution=distribution,
    )


# --- database -------------------------------------------------------------------------------------


def _survey_stats(*, events, step: dict) -> SurveyStats:
    survey_id = step.get("linkedSurveyId") if isinstance(step.get("linkedSurveyId"), str) else None
    question_id = step.get("linkedSurveyQuestionId") if isinstance(step.get("linkedSurveyQuestionId"), str) else None
    question = survey_question_build(step["survey"], question_id=question_id or "")
    question["id"] = question_id
    if survey_id is None:
        return SurveyStats(
            survey_id=None, questions=[question_stats_build(question=question, by_answer=[], respondents=Tally())]
        )
    keys = survey_answer_keys(question_id=question_id, index=0)
    answer = (
        Coalesce(*(KeyTextTransform(key, "properties") for key in keys))
        if len(keys) > 1
        else KeyTextTransform(keys[0], "properties")
    )
    sent = events.filter(event=SURVEY_SENT, survey_id=survey_id).annotate(answer=answer)
    by_answer = people_counts(events=sent, groups=[F("answer")])
    answered = people_counts(events=sent.exclude(answer__isnull=True).exclude(answer=""), groups=[])
    total, unique = answered[0] if answered else (0, 0)
    return SurveyStats(
        survey_id=survey_id,
        questions=[question_stats_build(question=question, by_answer=by_answer, respondents=Tally(total, unique))],
    )


def tour_stats_get(*, tour: ProductTour, date_range: StatsRange) -> TourStats:
    """The tour's stats over the range (a handful of indexed queries, whatever the number of events)."""
    events = tour_events(
        project_ids=[tour.project_id],
        tour_ids=[str(tour.pk)],
        date_from=date_range.date_from,
        date_to=date_range.date_to,
    )
    tour_counts: dict[str, Tally] = {}
    step_counts: dict[tuple[str, str], Tally] = {}
    for event, step_id, total, unique in people_counts(
        events=events.filter(event__in=(*TOUR_EVENTS, *STEP_EVENTS)), groups=[F("event"), STEP_OF_STEP_EVENTS]
    ):
        if event in TOUR_EVENTS:
            tour_counts[event] = Tally(total, unique)
        elif step_id is not None:
            step_counts[(event, step_id)] = Tally(total, unique)
    reasons: dict[str, int] = {}
    for reason, count in (
        events.filter(event=TOUR_DISMISSED).values_list("dismiss_reason").annotate(count=Count("*")).order_by()
    ):
        key = reason or UNKNOWN_REASON
        reasons[key] = reasons.get(key, 0) + count
    content = tour.content if isinstance(tour.content, dict) else {}
    steps = content["steps"] if isinstance(content.get("steps"), list) else []
    surveys = {index: _survey_stats(events=events, step=step) for index, step in survey_steps(steps)}
    shown, completed = tour_counts.get(TOUR_SHOWN, Tally()), tour_counts.get(TOUR_COMPLETED, Tally())
    return TourStats(
        tour_id=str(tour.pk),
        date_from=date_range.date_from,
        date_to=date_range.date_to,
        shown=shown,
        completed=completed,
        dismissed=tour_counts.get(TOUR_DISMISSED, Tally()),
        completion_rate=completion_rate(shown=shown, completed=completed),
        steps=steps_stats_build(steps=steps, counts=step_counts, surveys=surveys),
        dismiss_reasons=dict(sorted(reasons.items(), key=lambda item: (-item[1], item[0]))),
    )


@dataclass(frozen=True, slots=True)
class TourSummary:
    shown: int = 0  # people
    completed: int = 0  # people
    completion_rate: float | None = None


def tours_stats_summarize(*, tours: Sequence[ProductTour], date_range: StatsRange) -> dict[str, TourSummary]:
    """People shown and completing each tour over the range, by tour id, in one query (admin lists)."""
    if not tours:
        return {}
    events = tour_events(
        project_ids=sorted({tour.project_id for tour in tours}),
        tour_ids=sorted({str(tour.pk) for tour in tours}),
        date_from=date_range.date_from,
        date_to=date_range.date_to,
    ).filter(event__in=(TOUR_SHOWN, TOUR_COMPLETED))
    people: dict[tuple[int, str, str], int] = {}
    for project_id, tour_id, event, _, unique in people_counts(
        events=events, groups=[F("project_id"), F("tour_id"), F("event")]
    ):
        people[(project_id, tour_id, event)] = unique
    summaries: dict[str, TourSummary] = {}
    for tour in tours:
        key = (tour.project_id, str(tour.pk))
        shown, completed = people.get((*key, TOUR_SHOWN), 0), people.get((*key, TOUR_COMPLETED), 0)
        rate = completion_rate(shown=Tally(unique=shown), completed=Tally(unique=completed))
        summaries[str(tour.pk)] = TourSummary(shown=shown, completed=completed, completion_rate=rate)
    return summaries
