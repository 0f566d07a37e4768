"""The read representation of a product tour (`ProductTour` in the OpenAPI schema), from plain rows.

List, search and retrieve read one `.values()` row per tour (`tours_read_rows`): the tour, its two flags
and its creator through joins, JSON columns *as text*. `tour_represent` turns a row into the response
dict; JSON goes into it as `orjson.Fragment`s, so a page of tours is never decoded and re-encoded (the
API renderer, `accounts.renderers.ORJSONRenderer`, writes fragments as they are).

Two JSON values are derived, not stored: `content` with normalised steps and `targeting_flag_filters`
(the internal flag's filters without the system-managed properties). Both are pure functions of a
column's text, memoised per process, so a page costs a dictionary lookup per tour once warm.

`ProductTourSerializer` renders through the same function (`tour_row_from_instance`): one shape for
every response that carries a tour.

On PostgreSQL, turning stored JSON into text costs the database more than anything else in a list
(about 10 ms for 100 tours of 6 KB). So a page is read in two steps (`tours_page`): first the ids and
*row versions* of the tours, their flags and creators (`xmin` and `ctid`: they change with every
write to the row, whoever makes it — ORM, `QuerySet.update()`, raw SQL — and no two committed versions
of a row share them); then the full rows of only the tours whose representation this worker has not
built for exactly those versions. SQLite has no row versions: there every page reads full rows.
"""

import json
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any, Iterable, Mapping

import orjson
from django.db import connections
from django.db.models import OuterRef, QuerySet, Subquery, TextField
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast

from accounts.models import User
from accounts.recent import RecentItems
from accounts.renderers import json_bytes
from accounts.serializers import hedgehog_config_represent
from flags.models import FeatureFlag
from tours.models import ProductTour
from tours.services.steps import content_with_normalized_steps
from tours.services.targeting import targeting_filters_strip

TOUR_FIELDS = ("id", "name", "description", "auto_launch", "start_date", "end_date", "created_at", "updated_at",
               "archived")  # fmt: skip
FLAG_FIELDS = ("id", "project", "name", "key", "deleted", "active", "ensure_experience_continuity",
               "has_encrypted_payloads", "version", "evaluation_runtime", "bucketing_identifier")  # fmt: skip
USER_FIELDS = ("id", "uuid", "distinct_id", "first_name", "last_name", "email", "is_email_verified",
               "role_at_organization")  # fmt: skip
INTERNAL, LINKED, CREATOR = "internal_targeting_flag", "linked_flag", "created_by"
# Row key → JSON column path (read as text).
JSON_COLUMNS = {
    "content_json": "content",
    "draft_content_json": "draft_content",
    "internal_filters_json": f"{INTERNAL}__filters",
    "linked_filters_json": f"{LINKED}__filters",
    "creator_hedgehog_json": f"{CREATOR}__hedgehog_config",
}
ROW_FIELDS = (
    TOUR_FIELDS
    + tuple(f"{INTERNAL}__{name}" for name in FLAG_FIELDS)
    + tuple(f"{LINKED}__{name}" for name in FLAG_FIELDS)
    + tuple(f"{CREATOR}__{name}" for name in USER_FIELDS)
)
SEARCH_MATCH_TYPE = "search_match_type"  # annotated by `tours_search` on searched lists
MEMO_SIZE = 2048
NULL = orjson.Fragment(b"null")


# --- pure -----------------------------------------------------------------------------------------


def datetime_render(value: datetime | None) -> str | None:
    """DRF's rendering: ISO-8601 in UTC, `+00:00` written as `Z`."""
    if value is None:
        return None
    text = value.astimezone(timezone.utc).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _fragment(value: Any) -> orjson.Fragment:
    return orjson.Fragment(json_bytes(value))


@lru_cache(maxsize=MEMO_SIZE)
def _content_fragment(text: str) -> orjson.Fragment:
    content = json.loads(text)
    normalized = content_with_normalized_steps(content)
    return orjson.Fragment(text.encode()) if normalized == content else _fragment(normalized)


@lru_cache(maxsize=MEMO_SIZE)
def _targeting_fragment(tour_id: str, filters_text: str) -> orjson.Fragment:
    stripped = targeting_filters_strip(tour_id=tour_id, filters=json.loads(filters_text))
    return NULL if stripped is None else _fragment(stripped)


@lru_cache(maxsize=256)
def _hedgehog(text: str) -> dict | None:
    return hedgehog_config_represent(json.loads(text))


def _json_text(text: str | None) -> orjson.Fragment | None:
    return None if text is None or text == "null" else orjson.Fragment(text.encode())


def _flag_represent(row: Mapping[str, Any], prefix: str, filters_text: str | None) -> dict | None:
    if row[f"{prefix}__id"] is None:
        return None
    return {
        "id": row[f"{prefix}__id"],
        "team_id": row[f"{prefix}__project"],
        "name": row[f"{prefix}__name"],
        "key": row[f"{prefix}__key"],
        "filters": _json_text(filters_text) or {},
        "deleted": row[f"{prefix}__deleted"],
        "active": row[f"{prefix}__active"],
        "ensure_experience_continuity": row[f"{prefix}__ensure_experience_continuity"],
        "has_encrypted_payloads": row[f"{prefix}__has_encrypted_payloads"],
        "version": row[f"{prefix}__version"],
        "evaluation_runtime": row[f"{prefix}__evaluation_runtime"],
        "bucketing_identifier": row[f"{prefix}__bucketing_identifier"],
        "evaluation_tags": [],
        "evaluation_contexts": [],
    }


def _creator_represent(row: Mapping[str, Any]) -> dict | None:
    if row[f"{CREATOR}__id"] is None:
        return None
    hedgehog = row["creator_hedgehog_json"]
    return {
        "id": row[f"{CREATOR}__id"],
        "uuid": str(row[f"{CREATOR}__uuid"]),
        "distinct_id": row[f"{CREATOR}__distinct_id"],
        "first_name": row[f"{CREATOR}__first_name"],
        "last_name": row[f"{CREATOR}__last_name"],
        "email": row[f"{CREATOR}__email"],
        "is_email_verified": row[f"{CREATOR}__is_email_verified"],
        "hedgehog_config": None if hedgehog is None else _hedgehog(hedgehog),
        "role_at_organization": row[f"{CREATOR}__role_at_organization"],
    }


def tour_represent(row: Mapping[str, Any]) -> dict[str, Any]:
    """One tour as the API returns it (PostHog's ProductTourSerializer), from a `tours_read_rows` row."""
    tour_id = str(row["id"])
    internal_filters = row["internal_filters_json"]
    has_internal = row[f"{INTERNAL}__id"] is not None
    draft = _json_text(row["draft_content_json"])
    content = row["content_json"]
    data = {
        "id": tour_id,
        "name": row["name"],
        "description": row["description"],
        "internal_targeting_flag": _flag_represent(row, INTERNAL, internal_filters),
        "linked_flag": _flag_represent(row, LINKED, row["linked_filters_json"]),
        "targeting_flag_filters": (
            _targeting_fragment(tour_id, internal_filters) if has_internal and internal_filters else None
        ),
        "content": NULL if content is None else _content_fragment(content),
        "draft_content": draft,
        "has_draft": draft is not None,
        "auto_launch": row["auto_launch"],
        "start_date": datetime_render(row["start_date"]),
        "end_date": datetime_render(row["end_date"]),
        "created_at": datetime_render(row["created_at"]),
        "created_by": _creator_represent(row),
        "updated_at": datetime_render(row["updated_at"]),
        "archived": row["archived"],
    }
    return data


def _path_value(instance: Any, path: str) -> Any:
    *relations, name = path.split("__")
    for relation in relations:
        instance = getattr(instance, relation)
        if instance is None:
            return None
    return getattr(instance, instance._meta.get_field(name).attname)


def _json_dump(value: Any) -> str | None:
    return None if value is None else json_bytes(value).decode()


def tour_row_from_instance(tour: ProductTour) -> dict[str, Any]:
    """The `tours_read_rows` row of a loaded tour (with its flags and creator), for `tour_represent`."""
    row = {path: _path_value(tour, path) for path in ROW_FIELDS}
    row.update({key: _json_dump(_path_value(tour, path)) for key, path in JSON_COLUMNS.items()})
    return row


# --- database --------------------------------------------------------------------------------------


def tours_read_rows(queryset: QuerySet[ProductTour]) -> QuerySet:
    """`queryset` (filtered and ordered) as `tour_represent` rows: one query, JSON columns as text
    (and, on PostgreSQL, the row versions `tours_page` remembers representations by)."""
    columns = {key: Cast(path, TextField()) for key, path in JSON_COLUMNS.items()}
    return queryset.values(*ROW_FIELDS, **columns, **_version_columns(queryset))


# --- pages, with representations remembered per row version (PostgreSQL) ------------------------

ROW_VERSION_SQL = "(xmin::text || ctid::text)"
TOUR_VERSION_SQL = f'("{ProductTour._meta.db_table}".xmin::text || "{ProductTour._meta.db_table}".ctid::text)'
REMEMBERED_TOURS = 2048
# tour id → (versions, representation), per worker process.
_REMEMBERED = RecentItems(REMEMBERED_TOURS)


def _row_version(model, fk: str) -> Subquery:
    return Subquery(model.objects.filter(pk=OuterRef(fk)).values(v=RawSQL(ROW_VERSION_SQL, ()))[:1])


@lru_cache(maxsize=None)
def _postgresql_version_columns() -> dict[str, Any]:
    # Built once: annotating copies and resolves them, and building the subqueries costs more than that.
    return {
        "v_tour": RawSQL(TOUR_VERSION_SQL, ()),
        "v_internal": _row_version(FeatureFlag, "internal_targeting_flag_id"),
        "v_linked": _row_version(FeatureFlag, "linked_flag_id"),
        "v_creator": _row_version(User, "created_by_id"),
    }


def _version_columns(queryset: QuerySet) -> dict[str, Any]:
    return _postgresql_version_columns() if connections[queryset.db].vendor == "postgresql" else {}


def tour_keys(queryset: QuerySet[ProductTour]) -> QuerySet:
    """`queryset` (filtered and ordered) as light rows: id, row versions, and the search match type."""
    fields = ["id"]
    if SEARCH_MATCH_TYPE in queryset.query.annotations:
        fields.append(SEARCH_MATCH_TYPE)
    return queryset.values(*fields, **_version_columns(queryset))


def _versions(key: Mapping[str, Any]) -> tuple | None:
    if "v_tour" not in key:
        return None
    return (key["v_tour"], key["v_internal"], key["v_linked"], key["v_creator"])


def remembered_clear() -> None:
    """Forget every remembered representation (benchmarks measure cold requests after it)."""
    _REMEMBERED.clear()


def tours_page(*, keys: Iterable[Mapping[str, Any]], queryset: QuerySet[ProductTour]) -> list[dict[str, Any]]:
    """Representations of the tours `keys` (from `tour_keys`) name, in their order; full rows are read
    (one query, from `queryset`) only for tours not remembered at their current versions."""
    keys = list(keys)
    found: dict[str, dict[str, Any]] = {}
    for key in keys:
        tour_id, versions = str(key["id"]), _versions(key)
        remembered = _REMEMBERED.get(tour_id) if versions is not None else None
        if remembered is not None and remembered[0] == versions:
            found[tour_id] = remembered[1]
    missing = [key["id"] for key in keys if str(key["id"]) not in found]
    if missing:
        for row in tours_read_rows(queryset.filter(pk__in=missing)):
            tour_id = str(row["id"])
            found[tour_id] = data = tour_represent(row)
            versions = _versions(row)  # as read with this row, not with the key a moment earlier
            if versions is not None:
                _REMEMBERED.store(tour_id, (versions, data))
    page = []
    for key in keys:
        data = found.get(str(key["id"]))
        if data is None:  # deleted between the two reads: as if the page had been read a moment later
            continue
        if SEARCH_MATCH_TYPE in key:
            data = {**data, SEARCH_MATCH_TYPE: key[SEARCH_MATCH_TYPE]}
        page.append(data)
    return page
