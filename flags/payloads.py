"""Secret flag payloads (`has_encrypted_payloads`): who may read them, as PostHog decides.

Payloads are stored JSON-encoded. A flag with encrypted payloads shows PostHog's placeholder instead of
each value everywhere except to requests authenticated with a personal API key: never in `/flags` (the
browser), never to sessions (admin, browsable API), never in the activity log.
"""

from typing import Any

# The JSON encoding of the string "********* (encrypted)", as payloads are stored JSON-encoded.
REDACTED_PAYLOAD_VALUE = '"********* (encrypted)"'


def payloads_redacted(payloads: Any) -> Any:
    """Every payload value replaced by the placeholder (anything but a dict is returned as it is)."""
    if not isinstance(payloads, dict):
        return payloads
    return {key: REDACTED_PAYLOAD_VALUE for key in payloads}


def filters_redacted(filters: Any) -> Any:
    """A copy of a flag's `filters` with its payloads redacted; unchanged when it has none."""
    if not isinstance(filters, dict) or not isinstance(filters.get("payloads"), dict) or not filters["payloads"]:
        return filters
    return {**filters, "payloads": payloads_redacted(filters["payloads"])}


def flag_payload_public(*, filters: Any, key: str, encrypted: bool | None) -> str | None:
    """The payload `/flags` answers for the matched variant `key` (or `"true"`), redacted when secret."""
    payloads = filters.get("payloads") if isinstance(filters, dict) else None
    value = payloads.get(key) if isinstance(payloads, dict) else None
    if value is None:
        return None
    return REDACTED_PAYLOAD_VALUE if encrypted else value


def payloads_keep_secrets(*, new_filters: Any, stored_filters: Any) -> Any:
    """Writes that echo the placeholder back (a GET → edit → PATCH by a session) keep the stored value.

    A placeholder without a stored value under its key is dropped: it was never a payload.
    """
    if not isinstance(new_filters, dict) or not isinstance(new_filters.get("payloads"), dict):
        return new_filters
    stored = stored_filters.get("payloads") if isinstance(stored_filters, dict) else None
    stored = stored if isinstance(stored, dict) else {}
    payloads = {}
    for key, value in new_filters["payloads"].items():
        if value == REDACTED_PAYLOAD_VALUE or value == "********* (encrypted)":
            if key in stored:
                payloads[key] = stored[key]
            continue
        payloads[key] = value
    return {**new_filters, "payloads": payloads}
