"""Feature flag keys: PostHog's checks, in PostHog's order (unique, then characters, then length)."""

import re

from core.errors import InvalidInput
from flags.models import FeatureFlag

KEY_RE = re.compile(r"^[a-zA-Z0-9_-]+$")
KEY_MAX_LENGTH = 400
KEY_NOT_UNIQUE = "There is already a feature flag with this key."
KEY_INVALID = "Only letters, numbers, hyphens (-) & underscores (_) are allowed."
KEY_TOO_LONG = f"Ensure this field has no more than {KEY_MAX_LENGTH} characters."


def key_error(detail: str, code: str) -> InvalidInput:
    return InvalidInput(detail, attr="key", code=code)


def flag_key_validate(key: str, *, project, flag: FeatureFlag | None = None) -> str:
    """Raise a 400 (attr `key`) unless `key` is free among the project's live flags and well formed."""
    if not isinstance(key, str):
        raise key_error("Not a valid string.", "invalid")
    if "\x00" in key:  # PostgreSQL refuses NUL in text; such a key cannot exist anyway
        raise key_error(KEY_INVALID, "invalid_key")
    others = FeatureFlag.objects.filter(project=project, key=key, deleted=False)
    if flag is not None and flag.pk is not None:
        others = others.exclude(pk=flag.pk)
    if others.exists():
        raise key_error(KEY_NOT_UNIQUE, "unique")
    if not KEY_RE.fullmatch(key):  # fullmatch: `$` would accept a trailing newline
        raise key_error(KEY_INVALID, "invalid_key")
    if len(key) > KEY_MAX_LENGTH:
        raise key_error(KEY_TOO_LONG, "max_length")
    return key
