"""Reads over the events posthog-js sent to `/e` for tours: counts of events and of people.

A person is what `$identify` / `$create_alias` made of one or more distinct ids: events are resolved to
persons through `PersonDistinctId` when they are read, so ids merged after the events still count once.
A distinct id no person knows counts as a person of its own.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import F, QuerySet
from django.db.models.expressions import Combinable

from flags.models import PersonDistinctId

# Captured events are stored by the capture endpoint (`sdk`); the stats are their only reader. Should the
# events move to an analytics store, the queries here move with them.
from sdk.models import CapturedEvent

TOUR_SHOWN = "product tour shown"
TOUR_COMPLETED = "product tour completed"
TOUR_DISMISSED = "product tour dismissed"
STEP_SHOWN = "product tour step shown"
STEP_COMPLETED = "product tour step completed"
SURVEY_SENT = "survey sent"
TOUR_EVENTS = (TOUR_SHOWN, TOUR_COMPLETED, TOUR_DISMISSED)
STEP_EVENTS = (STEP_SHOWN, STEP_COMPLETED)


def tour_events(*, project_ids: Sequence[int], tour_ids: Sequence[str], date_from: datetime, date_to: datetime):
    """Events of these tours in these projects whose time lies in [date_from, date_to] (the tour index)."""
    return CapturedEvent.objects.filter(
        project_id__in=project_ids, tour_id__in=tour_ids, event_time__gte=date_from, event_time__lte=date_to
    ).order_by()


def people_counts(*, events: QuerySet, groups: Sequence[Combinable]) -> list[tuple[Any, ...]]:
    """`(*group values, events, people)` for each group of `events`.

    One query: the events, grouped as the ORM writes them (JSON keys, dates), left-joined to the
    persons of their distinct ids. People are the distinct persons plus the distinct ids no person has.
    """
    columns = {f"g{index}": group for index, group in enumerate(groups)}
    inner_sql, params = events.values(
        **columns, p_project=F("project_id"), p_who=F("distinct_id")
    ).query.sql_with_params()
    quote = connection.ops.quote_name
    names = ", ".join(f"e.{quote(name)}" for name in columns)
    project, who = f"e.{quote('p_project')}", f"e.{quote('p_who')}"
    select = f"{names}, " if names else ""
    group_by = f" GROUP BY {names}" if names else ""
    sql = (
        f"SELECT {select}COUNT(*), COUNT(DISTINCT p.person_id)"
        f" + COUNT(DISTINCT CASE WHEN p.person_id IS NULL THEN {who} END)"
        f" FROM ({inner_sql}) e"
        f" LEFT JOIN {quote(PersonDistinctId._meta.db_table)} p"
        f" ON p.project_id = {project} AND p.distinct_id = {who}{group_by}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(row) for row in cursor.fetchall()]


def survey_sent_events(*, project_id: int, survey_id: str):
    """`survey sent` events answering this survey, newest first (the survey index)."""
    return CapturedEvent.objects.filter(project_id=project_id, survey_id=survey_id, event=SURVEY_SENT).order_by(
        "-event_time", "-id"
    )
