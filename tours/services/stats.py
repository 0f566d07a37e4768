"""Tour stats: how many people saw, finished and dismissed a tour, step by step, and what its survey
steps were answered, from the events posthog-js sent to `/e`.

Counted are the project's events whose `$product_tour_id` is the tour's id and whose time (the event's
`timestamp`, else its arrival) lies within the range, both bounds included. `total` counts events,
`unique` counts people (see `tours.selectors.events`).
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, F, Q, QuerySet

from tours.models import ProductTour
from tours.selectors.events import (
    STEP_COMPLETED,
    STEP_EVENTS,
    STEP_ID_MAX,
    STEP_SHOWN,
    SURVEY_SENT,
    TOUR_COMPLETED,
    TOUR_DISMISSED,
    TOUR_EVENTS,
    TOUR_SHOWN,
    people_counts,
    people_tallies,
    stats_session,
    tour_events,
)
from tours.services.stats_dates import StatsRange
from tours.services.survey_answers import rating_labels
from tours.services.surveys import survey_config_problem, survey_question_build

UNKNOWN_REASON = "unknown"


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
    date_from: datetime
    date_to: datetime
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


def step_id_of(step: Any) -> str | None:
    value = step.get("id") if isinstance(step, dict) else None
    return None if value is None or value == "" else str(value)


def step_key(step_id: str) -> str:
    """A step id as events store it (capture keeps its first STEP_ID_MAX characters)."""
    return step_id[:STEP_ID_MAX]


def steps_stats_build(
    *, steps: Sequence[Any], counts: dict[tuple[str, str], Tally], surveys: dict[int, SurveyStats]
) -> list[StepStats]:
    """The tour's current steps in order (zeros where nothing happened), then the step ids only events
    name, by id. `counts` maps (step event, step key) to its tally; `surveys` step index to its answers."""
    listed: list[StepStats] = []
    seen: set[str] = set()
    for index, step in enumerate(steps):
        step_id = step_id_of(step)
        key = step_key(step_id) if step_id is not None else None
        if key is not None:
            seen.add(key)
        listed.append(
            StepStats(
                step_id=step_id,
                step_order=index,
                shown=counts.get((STEP_SHOWN, key), Tally()) if key else Tally(),
                completed=counts.get((STEP_COMPLETED, key), Tally()) if key else Tally(),
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


def question_stats_build(*, question: dict, counts: dict[str, int], respondents: Tally) -> QuestionStats:
    """A question's responses; for a rating question, how many responses gave each value: every value
    the scale offers, then any other value sent (`counts` by answer label)."""
    distribution: dict[str, int] | None = None
    if question["type"] == "rating":
        distribution = dict.fromkeys(rating_labels(scale=question["scale"]), 0)
        for label, total in counts.items():
            distribution[label] = distribution.get(label, 0) + total
    return QuestionStats(
        question_id=question["id"],
        question=question["question"],
        type=question["type"],
        responses=respondents,
        distribution=distribution,
    )


# --- database -------------------------------------------------------------------------------------

# Conditions counted per query: a tour of PRODUCT_TOURS_MAX_STEPS steps stays within what a SELECT may list.
CONDITIONS_PER_PASS = 200

Part = tuple[QuerySet, list[Q]]


def _tallies(*, parts: list[Part], project_id: int) -> list[list[Tally]]:
    """Each part's tallies (`tours.selectors.events.people_tallies`): all parts in one query, unless
    there are more conditions than one SELECT should list."""
    passes: list[list[Part]] = [[]]
    size = 0
    for events, conditions in parts:
        for start in range(0, len(conditions), CONDITIONS_PER_PASS):
            chunk = conditions[start : start + CONDITIONS_PER_PASS]
            if size + len(chunk) > CONDITIONS_PER_PASS and passes[-1]:
                passes.append([])
                size = 0
            passes[-1].append((events, chunk))
            size += len(chunk)
    flat = [
        Tally(total, unique) for chunk in passes for total, unique in people_tallies(parts=chunk, project_id=project_id)
    ]
    tallies, first = [], 0
    for _, conditions in parts:
        tallies.append(flat[first : first + len(conditions)])
        first += len(conditions)
    return tallies


def _as_uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value is not None else None
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class _SurveyStep:
    """What is counted for one survey step: its answers in the range, respondents then one count per
    value of a rating's scale, then answers off the scale. Capture kept each answer as text."""

    survey_id: uuid.UUID | None
    question: dict
    labels: list[str]
    answered: QuerySet

    @classmethod
    def of(cls, *, events: QuerySet, step: dict) -> "_SurveyStep":
        question_id = step.get("linkedSurveyQuestionId")
        question_id = question_id if isinstance(question_id, str) else None
        question = {**survey_question_build(step["survey"], question_id=question_id or ""), "id": question_id}
        survey_id = _as_uuid(step.get("linkedSurveyId"))
        labels = rating_labels(scale=question["scale"]) if question["type"] == "rating" else []
        answered = events.filter(event=SURVEY_SENT, survey_id=survey_id, survey_response__isnull=False)
        return cls(survey_id=survey_id, question=question, labels=labels, answered=answered)

    def conditions(self) -> list[Q]:
        if self.survey_id is None:  # never linked to a survey: nothing to count
            return []
        return [
            Q(event=SURVEY_SENT),
            *(Q(survey_response=label) for label in self.labels),
            ~Q(survey_response__in=self.labels or [""]),
        ]

    def stats(self, tallies: list[Tally]) -> SurveyStats:
        if self.survey_id is None:
            stats = question_stats_build(question=self.question, counts={}, respondents=Tally())
            return SurveyStats(survey_id=None, questions=[stats])
        respondents, *per_label, others = tallies
        counts = {label: tally.total for label, tally in zip(self.labels, per_label, strict=True)}
        if self.labels and others.total:  # values off the scale
            off_scale = self.answered.exclude(survey_response__in=self.labels).values_list("survey_response")
            for value, total in off_scale.annotate(total=Count("*")):
                counts[value] = counts.get(value, 0) + total
        stats = question_stats_build(question=self.question, counts=counts, respondents=respondents)
        return SurveyStats(survey_id=str(self.survey_id), questions=[stats])


def tour_stats_get(*, tour: ProductTour, date_range: StatsRange) -> TourStats:
    """The tour's stats over the range: one query counts the tour, its current steps and its survey
    steps' answers (people resolved once), one the dismiss reasons; one more only when events name steps
    the tour no longer has, or a rating was answered off its scale."""
    with stats_session():
        return _tour_stats(tour=tour, date_range=date_range)


def _tour_stats(*, tour: ProductTour, date_range: StatsRange) -> TourStats:
    events = tour_events(
        project_ids=[tour.project_id], tour_ids=[tour.pk], date_from=date_range.date_from, date_to=date_range.date_to
    )
    content = tour.content if isinstance(tour.content, dict) else {}
    steps = content["steps"] if isinstance(content.get("steps"), list) else []
    keys = list(dict.fromkeys(step_key(step_id) for step in steps if (step_id := step_id_of(step)) is not None))
    known = [(event, key) for key in keys for event in STEP_EVENTS]
    others = Q(event__in=STEP_EVENTS, step_id__isnull=False)  # steps the tour no longer has
    if keys:
        others &= ~Q(step_id__in=keys)
    counted = events.filter(event__in=(*TOUR_EVENTS, *STEP_EVENTS))
    conditions = [
        *(Q(event=event) for event in TOUR_EVENTS),
        *(Q(event=event, step_id=key) for event, key in known),
        others,
    ]
    surveys = {index: _SurveyStep.of(events=events, step=step) for index, step in survey_steps(steps)}
    tour_tallies, *survey_tallies = _tallies(
        parts=[(counted, conditions), *((survey.answered, survey.conditions()) for survey in surveys.values())],
        project_id=tour.project_id,
    )
    shown, completed, dismissed, *step_tallies, unknown = tour_tallies
    step_counts = dict(zip(known, step_tallies, strict=True))
    if unknown.total:
        for event, key, total, unique in people_counts(
            events=counted.filter(others), groups=[F("event"), F("step_id")], project_id=tour.project_id
        ):
            step_counts[(event, key)] = Tally(total, unique)
    reasons: dict[str, int] = {}
    for reason, count in events.filter(event=TOUR_DISMISSED).values_list("dismiss_reason").annotate(count=Count("*")):
        reasons[reason or UNKNOWN_REASON] = reasons.get(reason or UNKNOWN_REASON, 0) + count
    survey_stats = {
        index: survey.stats(tallies) for (index, survey), tallies in zip(surveys.items(), survey_tallies, strict=True)
    }
    return TourStats(
        tour_id=str(tour.pk),
        date_from=date_range.date_from,
        date_to=date_range.date_to,
        shown=shown,
        completed=completed,
        dismissed=dismissed,
        completion_rate=completion_rate(shown=shown, completed=completed),
        steps=steps_stats_build(steps=steps, counts=step_counts, surveys=survey_stats),
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
    project_ids = sorted({tour.project_id for tour in tours})
    events = tour_events(
        project_ids=project_ids,
        tour_ids=sorted({tour.pk for tour in tours}),
        date_from=date_range.date_from,
        date_to=date_range.date_to,
    ).filter(event__in=(TOUR_SHOWN, TOUR_COMPLETED))
    people: dict[tuple[int, str, str], int] = {}
    with stats_session():
        single = project_ids[0] if len(project_ids) == 1 else None
        rows = people_counts(events=events, groups=[F("project_id"), F("tour_id"), F("event")], project_id=single)
    for project_id, tour_id, event, _, unique in rows:
        people[(project_id, str(_as_uuid(tour_id)), event)] = unique
    summaries: dict[str, TourSummary] = {}
    for tour in tours:
        key = (tour.project_id, str(tour.pk))
        shown, completed = people.get((*key, TOUR_SHOWN), 0), people.get((*key, TOUR_COMPLETED), 0)
        rate = completion_rate(shown=Tally(unique=shown), completed=Tally(unique=completed))
        summaries[str(tour.pk)] = TourSummary(shown=shown, completed=completed, completion_rate=rate)
    return summaries
