"""Personal API key authentication, read in PostHog's order: Bearer header, body, query string."""

import re

from django.utils import timezone
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from accounts.models import PersonalAPIKey
from accounts.tokens import hash_key_value
from core.throttles import InvalidKeyIPThrottle, client_ip

BEARER_RE = re.compile(r"^Bearer\s+(\S.+)$")


def find_key_with_source(request: Request) -> tuple[str, str] | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    match = BEARER_RE.match(header)
    if match:
        token = match.group(1).strip()
        if token.startswith("pha_"):  # OAuth access tokens are not ours
            return None
        return token, "Authorization header"
    # An unreadable body (malformed, nested too deeply) is a 400 here, as in PostHog: swallowing the
    # ParseError would leave `request.data` empty for the view, silently dropping the request's input.
    data = request.data
    if hasattr(data, "get"):
        value = data.get("personal_api_key")
        if isinstance(value, str) and value:
            return value, "body"
    value = request.query_params.get("personal_api_key")
    if value:
        return value, "query string"
    return None


def personal_api_key_lookup(value: str) -> PersonalAPIKey | None:
    """The active user's key with this value, its user loaded with it (one query)."""
    return (
        PersonalAPIKey.objects.select_related("user")
        .filter(secure_value=hash_key_value(value), user__is_active=True)
        .first()
    )


class PersonalAPIKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request):
        found = find_key_with_source(request)
        if found is None:
            return None
        value, source = found
        # Guessing keys must not get fresh tries: an address that used up its budget of failed lookups
        # is refused before the lookup, whatever key it sends now (see InvalidKeyIPThrottle).
        bad_keys, ip = InvalidKeyIPThrottle(), client_ip(request)
        wait = bad_keys.wait_seconds(ip)
        if wait is not None:
            raise exceptions.Throttled(wait=wait)
        key = personal_api_key_lookup(value)
        if key is None:
            bad_keys.failure_record(ip)
            raise exceptions.AuthenticationFailed(detail=f"Personal API key found in request {source} is invalid.")
        now = timezone.now()
        if key.last_used_at is None or now - key.last_used_at > PersonalAPIKey.LAST_USED_AT_PRECISION:
            key.last_used_at = now
            key.save(update_fields=["last_used_at"])
        request.personal_api_key = key  # type: ignore[attr-defined]  # read by the key throttle
        return key.user, key

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class SessionAuthentication(authentication.SessionAuthentication):
    """Session auth whose 401 (not 403) answer matches PostHog's for unauthenticated requests."""

    def authenticate_header(self, request: Request) -> str:
        return "Bearer"
