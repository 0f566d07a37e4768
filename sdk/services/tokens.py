"""Public project tokens (`phc_…`): where posthog-js sends them, and the project one belongs to.

Looked up on every request, with the project's tours revision in the same small indexed query: a
changed or deleted token stops working at once, and the revision tells every remembered value of the
project whether it is still current (`core.revision_memo`).
"""

from dataclasses import dataclass
from typing import Any

from accounts.models import Project
from sdk.db import fetchone_probing
from tours.models import ProjectToursRevision

# Project.api_token is a varchar(200): anything longer cannot match, so it is refused without a query.
TOKEN_MAX_LENGTH = 200

_HELP = "You can find your project token in your PostHog project settings."
MISSING_TOKEN_DETAIL = f"Project token not provided. {_HELP}"
INVALID_TOKEN_DETAIL = f"Project token invalid. {_HELP}"


@dataclass(frozen=True, slots=True)
class TokenProject:
    """The project a public token belongs to, and its tours revision as of this request."""

    id: int
    revision: int


def token_plausible(token: str) -> bool:
    """False for what no project token can be; such tokens are refused without touching the database.

    `isprintable()` also rejects NUL (PostgreSQL refuses it in text) and lone surrogates (not encodable).
    """
    return 0 < len(token) <= TOKEN_MAX_LENGTH and token.isprintable()


def token_from_payload(data: Any) -> Any:
    """The project token a decoded JSON body carries: `$token`, `token`, `api_key`, then `properties.token`.

    Returns what was sent (possibly not a string), or None.
    """
    if not isinstance(data, dict):
        return None
    for name in ("$token", "token", "api_key"):
        if data.get(name):
            return data[name]
    properties = data.get("properties")
    return properties.get("token") if isinstance(properties, dict) else None


# Plain SQL, not the ORM: this runs on every posthog-js request, and building the query would cost more
# than running it. A project without a revision row has never had a tour or flag written: revision 0.
_TOKEN_SQL = (
    f"SELECT p.id, COALESCE(r.value, 0) FROM {Project._meta.db_table} p "
    f"LEFT JOIN {ProjectToursRevision._meta.db_table} r ON r.project_id = p.id "
    "WHERE p.api_token = %s"
)


def project_for_token(token: Any) -> TokenProject | None:
    """The project whose public token this is, with its current revision; None for anything else."""
    if not isinstance(token, str):
        return None
    token = token.strip()
    if not token_plausible(token):
        return None
    row = fetchone_probing(_TOKEN_SQL, [token])
    return TokenProject(id=row[0], revision=row[1]) if row else None
