"""Reads over the events posthog-js sent to `/e` for tours: counts of events and of people.

A person is what `$identify` / `$create_alias` made of one or more distinct ids: events are resolved to
persons through `PersonDistinctId` when they are read, so ids merged after the events still count once.
A distinct id no person knows counts as a person of its own.

The SQL around the ORM's query is portable (PostgreSQL and SQLite) and avoids COUNT(DISTINCT …) over
text: people are counted as groups, which both databases do by hashing rather than by sorting text, or
(`people_tallies`) as distinct integer person ids plus the distinct ids no person knows.
"""

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, Q, QuerySet
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

# Capture keeps this many characters of a step id.
STEP_ID_MAX: int = CapturedEvent._meta.get_field("step_id").max_length or 0
_LINKS = PersonDistinctId._meta.db_table


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


# Memory PostgreSQL may use per sort or hash in a stats read: a tour's month of events is then counted in
# memory (hashing) instead of sorted on disk at the 4MB default.
STATS_WORK_MEM = "32MB"


@contextmanager
def stats_session() -> Iterator[None]:
    """The reads of one stats answer. On PostgreSQL one transaction (one snapshot) with STATS_WORK_MEM.
    Not on SQLite, where every transaction begins IMMEDIATE (takes the write lock): a read must not."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL work_mem = '{STATS_WORK_MEM}'")
        yield


def tour_events(
    *, project_ids: Sequence[int], tour_ids: Sequence[uuid.UUID], date_from: datetime, date_to: datetime
) -> QuerySet[CapturedEvent]:
    """Events of these tours in these projects whose time lies in [date_from, date_to] (the tour index)."""
    return CapturedEvent.objects.filter(
        project_id__in=project_ids, tour_id__in=tour_ids, event_time__gte=date_from, event_time__lte=date_to
    ).order_by()


def survey_sent_events(*, project_id: int, survey_id: uuid.UUID) -> QuerySet[CapturedEvent]:
    """`survey sent` events answering this survey, newest first (the survey index)."""
    return CapturedEvent.objects.filter(project_id=project_id, survey_id=survey_id, event=SURVEY_SENT).order_by(
        "-event_time", "-id"
    )


def _persons_join(*, project: str, who: str, project_id: int | None) -> tuple[str, list[Any]]:
    """The LEFT JOIN from event rows to their persons. With `project_id` (events of one project) the
    project is also a value, so the database looks ids up in that project's persons alone."""
    condition = f"p.project_id = {project} AND p.distinct_id = {who}"
    if project_id is None:
        return f" LEFT JOIN {_quote(_LINKS)} p ON {condition}", []
    return f" LEFT JOIN {_quote(_LINKS)} p ON p.project_id = %s AND {condition}", [project_id]


def _int(expression: str) -> str:
    """Counts summed as integers: PostgreSQL sums BIGINT (what COUNT gives) as NUMERIC, several times slower."""
    return f"CAST({expression} AS INTEGER)"


def _run(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(row) for row in cursor.fetchall()]


def people_tallies(*, parts: Sequence[tuple[QuerySet, Sequence[Q]]], project_id: int | None) -> list[tuple[int, int]]:
    """`(events, people)` for each condition of each part (a set of events and conditions over them), in
    one query, in order (`project_id`: the events' one project, when they have one).

    Each part's events are counted per distinct id (one count per condition; a condition belongs to one
    part, so an id's row in another part counts 0 for it) and each row's distinct id is looked up in its
    project's persons. The people under a condition are then the distinct ids no person knows that have
    events under it, plus the distinct persons whose ids do: one aggregate over the rows, with no pass per
    person (COUNT(DISTINCT …) over integer person ids).
    """
    names = [f"c{index}" for index in range(sum(len(conditions) for _, conditions in parts))]
    if not names:
        return []
    sources, params, first = [], [], 0
    for events, conditions in parts:
        if not conditions:
            continue
        own = names[first : first + len(conditions)]
        counts = {name: Count("event", filter=condition) for name, condition in zip(own, conditions, strict=True)}
        per_id = events.values(p_project=F("project_id"), p_who=F("distinct_id")).annotate(**counts).order_by()
        inner_sql, inner_params = per_id.query.sql_with_params()
        columns = ", ".join(f"{f's.{_quote(name)}' if name in own else '0'} AS {_quote(name)}" for name in names)
        keys = f"s.{_quote('p_project')} AS {_quote('p_project')}, s.{_quote('p_who')} AS {_quote('p_who')}"
        sources.append(f"SELECT {keys}, {columns} FROM ({inner_sql}) s")
        params.extend(inner_params)
        first += len(conditions)
    project, who = f"i.{_quote('p_project')}", f"i.{_quote('p_who')}"
    join, join_params = _persons_join(project=project, who=who, project_id=project_id)
    tallies = []
    for name in (f"i.{_quote(name)}" for name in names):
        unknown_ids = f"SUM(CASE WHEN {name} > 0 AND p.person_id IS NULL THEN 1 ELSE 0 END)"
        persons = f"COUNT(DISTINCT CASE WHEN {name} > 0 THEN p.person_id END)"
        tallies.append(f"SUM({_int(name)}), {unknown_ids} + {persons}")
    sql = f"SELECT {', '.join(tallies)} FROM ({' UNION ALL '.join(sources)}) i{join}"
    row = _run(sql, [*params, *join_params])[0]
    return [(int(row[2 * index] or 0), int(row[2 * index + 1] or 0)) for index in range(len(names))]


def people_counts(*, events: QuerySet, groups: Sequence[Combinable], project_id: int | None) -> list[tuple[Any, ...]]:
    """`(*group values, events, people)` for each group of `events` (at least one group, as the ORM
    writes it), in one query: events per (group, person), then persons per group."""
    columns = {f"g{index}": group for index, group in enumerate(groups)}
    inner_sql, params = events.values(
        **columns, p_project=F("project_id"), p_who=F("distinct_id")
    ).query.sql_with_params()
    inner_groups = ", ".join(f"e.{_quote(name)}" for name in columns)
    outer_groups = ", ".join(f"t.{_quote(name)}" for name in columns)
    project, who = f"e.{_quote('p_project')}", f"e.{_quote('p_who')}"
    join, join_params = _persons_join(project=project, who=who, project_id=project_id)
    sql = (
        f"SELECT {outer_groups}, SUM({_int('t.n')}), COUNT(*) FROM ("
        f"SELECT {inner_groups}, COUNT(*) AS n FROM ({inner_sql}) e{join}"
        f" GROUP BY {inner_groups}, p.person_id, CASE WHEN p.person_id IS NULL THEN {who} END) t"
        f" GROUP BY {outer_groups}"
    )
    return [(*row[:-2], int(row[-2]), int(row[-1])) for row in _run(sql, [*params, *join_params])]
