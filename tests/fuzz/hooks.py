"""Schemathesis hooks for tests/fuzz/test_schemathesis.py (loaded through `hooks` in schemathesis.toml).

Two adaptations to the PostHog-compatible schema, each as narrow as possible, and one extra check.
"""

import json
import re

import schemathesis
from schemathesis.core.failures import AcceptedNegativeData

# PostHog's schema marks these `writeOnly` (reference/openapi.md, kept for generated SDKs), yet PostHog
# — and DESIGN.md §2 — echo them in the create/PATCH responses. OpenAPI says a writeOnly property
# SHOULD NOT be in a response, not MUST NOT; schemathesis forbids it, so the fuzz run drops the flag.
ECHOED_WRITE_ONLY = {
    "ProductTourSerializerCreateUpdateOnly": ("linked_flag_id", "targeting_flag_filters", "creation_context"),
    "PatchedProductTourSerializerCreateUpdateOnly": ("linked_flag_id", "targeting_flag_filters", "creation_context"),
}

ENVELOPE_KEYS = {"type", "code", "detail", "attr"}
# Errors any operation may answer with. 5xx are never expected, except an upstream LLM failure or
# timeout of `generate` (502/504, DESIGN.md §3.4); `not_a_server_error` reports a 500.
CLIENT_ERRORS = {400, 401, 403, 404, 405, 406, 409, 412, 413, 415, 429}
UPSTREAM_ERRORS = {"product_tours_generate_create": {502, 504}}


@schemathesis.hook
def before_load_schema(context, raw_schema: dict) -> None:
    components = raw_schema.get("components", {}).get("schemas", {})
    for component, fields in ECHOED_WRITE_ONLY.items():
        properties = components.get(component, {}).get("properties", {})
        for field in fields:
            assert properties.get(field, {}).get("writeOnly") is True, (component, field)  # still PostHog's
            properties[field].pop("writeOnly")


def _documented_statuses(case) -> set[int]:
    statuses = set()
    for code in case.operation.definition.raw.get("responses", {}):
        if str(code).isdigit():
            statuses.add(int(code))
    return statuses


@schemathesis.check
def error_envelope(ctx, response, case):
    """A success status is one the operation documents; any other answer is PostHog's JSON error envelope
    `{type, code, detail, attr}` with a status the API uses — never an HTML page, never an empty body."""
    status = response.status_code
    documented = _documented_statuses(case)
    if case.method.upper() == "OPTIONS" and status == 200:
        return None  # DRF's metadata answer (the route's name and accepted media types)
    if status in documented and case.method.upper() == case.operation.method.upper():
        return None
    if 200 <= status < 400:
        raise AssertionError(f"Undocumented success status {status} (documented: {sorted(documented)})")
    allowed = CLIENT_ERRORS | UPSTREAM_ERRORS.get(case.operation.definition.raw.get("operationId"), set())
    if status not in allowed and status != 500:  # a 500 is `not_a_server_error`'s to report
        raise AssertionError(f"Unexpected status {status}")
    content_type = (response.headers.get("content-type") or [""])[0]
    if not content_type.startswith("application/json"):
        raise AssertionError(f"Error {status} is not JSON (Content-Type: {content_type!r})")
    try:
        body = json.loads(response.content)
    except ValueError:
        raise AssertionError(f"Error {status} has a body that is not JSON") from None
    if not isinstance(body, dict) or not ENVELOPE_KEYS <= set(body):
        raise AssertionError(f"Error {status} is not the error envelope: {str(body)[:300]}")
    if not isinstance(body["detail"], str) or not body["detail"]:
        raise AssertionError(f"Error {status} has no readable detail: {str(body)[:300]}")
    return None


# What counts as accepting invalid data by design (PostHog's DRF API behaves the same way):
# - scalar-to-scalar type changes in a body: DRF converts between JSON scalars as form bodies need it
#   ("12" → 12, 0 → "0", 0 → false, "" → null for a nullable boolean);
# - list query parameters the API ignores when unusable: limit/offset (DRF's pagination falls back
#   to its defaults) and the flag list's `active`/`order` filters.
# Every other negative case (objects or arrays for scalars, enums and formats in bodies, lengths,
# required fields, invalid path ids, …) must still be rejected with a 4xx.
SCALARS = (str, int, float, bool, type(None))
SCALAR = r"(?:null|string|integer|number|boolean)"
SCALAR_TYPE_CHANGE = re.compile(rf"violates `type` at \S+ \(was {SCALAR}, became {SCALAR}\)$")
BODY_FIELD_TYPE = re.compile(r"^in body - (?P<field>[^:]+): Incorrect type$")
QUERY_PARAMETERS = re.compile(r"^parameters? (?P<names>`[^`]+`(?:, `[^`]+`)*) in query\b")
IGNORED_QUERY_PARAMETERS = {"limit", "offset", "active", "order"}


def _negative_description(failure) -> str:
    for line in failure.message.splitlines():
        line = line.strip()
        if line.startswith("Invalid component:"):
            return line.removeprefix("Invalid component:").strip()
    return ""


def _accepted_by_design(description: str, case) -> bool:
    if SCALAR_TYPE_CHANGE.search(description):
        return True
    field = BODY_FIELD_TYPE.match(description)
    if field and isinstance(case.body, dict) and isinstance(case.body.get(field["field"]), SCALARS):
        return True
    query = QUERY_PARAMETERS.match(description)
    if query and set(re.findall(r"`([^`]+)`", query["names"])) <= IGNORED_QUERY_PARAMETERS:
        return True
    return False


@schemathesis.hook
def filter_failure(context, failure, case, response) -> bool:
    """Keep every failure except a "schema-violating request accepted" that is accepted by design."""
    if not isinstance(failure, AcceptedNegativeData):
        return True
    return not _accepted_by_design(_negative_description(failure), case)
