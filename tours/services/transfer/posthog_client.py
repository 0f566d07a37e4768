"""A small client for PostHog's REST API (and this service's, which speaks it): JSON GETs with a
personal API key, `next` links followed, rate-limit answers waited out.

Standard library only (`urllib`): an import is a handful of sequential GETs. Redirects to another
host are refused, so the key is only ever sent to the host it was given for.
"""

import json
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http.client import HTTPException
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

USER_AGENT = "product-tours-api-import"
TIMEOUT_SECONDS = 30.0
MAX_ATTEMPTS = 6  # per request; the waits between them honour Retry-After
MAX_WAIT_SECONDS = 300.0  # a longer Retry-After (an hourly budget spent) ends the import instead
# DRF writes sub-second waits as `Retry-After: 0`; retrying at once would only spend the attempts.
MIN_WAIT_SECONDS = 1.0
RETRYABLE = {429, 502, 503, 504}
MAX_PAGES = 10_000


class SourceError(Exception):
    """The import cannot go on: nothing useful can be read from the source (exit code 2)."""


class SourceRefused(SourceError):
    """401/403: the key is wrong, revoked, lacks a scope, or has no access to the project."""


class SourceUnreachable(SourceError):
    """No HTTP answer: connection refused, unknown host, TLS failure, timeout."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any  # decoded JSON, or None when the body was not JSON


# --- pure -------------------------------------------------------------------------------------


def host_normalize(host: str) -> str:
    """`https://eu.posthog.com/` → `https://eu.posthog.com`; a ValueError for anything but an http(s) URL."""
    parts = urlsplit(host.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"--host must be an http(s) URL such as https://us.posthog.com, not {host!r}")
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """`Retry-After` as seconds to wait: delta-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def backoff_seconds(attempt: int) -> float:
    """1, 2, 4, … seconds (capped) when the source gives no Retry-After."""
    return float(min(2**attempt, 60))


def next_url_resolve(*, host: str, next_url: str) -> str:
    """The `next` link's path and query on our host: the key never goes where a link points elsewhere."""
    base, link = urlsplit(host), urlsplit(next_url)
    return urlunsplit((base.scheme, base.netloc, link.path, link.query, ""))


def error_detail(body: Any) -> str | None:
    """The `detail` of PostHog's error envelope, when there is one."""
    if isinstance(body, dict) and isinstance(body.get("detail"), str):
        return body["detail"]
    return None


# --- the client -------------------------------------------------------------------------------


class _SameHostRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urlsplit(newurl).netloc != urlsplit(req.full_url).netloc:
            return None  # urllib then raises the 3xx as an HTTPError
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class PostHogClient:
    """GETs against one PostHog host with one personal API key."""

    def __init__(
        self,
        *,
        host: str,
        personal_api_key: str,
        timeout: float = TIMEOUT_SECONDS,
        sleep: Callable[[float], None] = time.sleep,
        on_wait: Callable[[str], None] | None = None,
    ):
        self.host = host_normalize(host)
        self._key = personal_api_key
        self._timeout = timeout
        self._sleep = sleep
        self._on_wait = on_wait or (lambda message: None)
        self._opener = urllib.request.build_opener(_SameHostRedirects)

    def url(self, path: str) -> str:
        return f"{self.host}{path}"

    def get(self, url: str) -> Answer:
        """One GET; 429 and 502–504 are retried (Retry-After honoured), 401/403 raise `SourceRefused`."""
        for attempt in range(MAX_ATTEMPTS):
            answer, retry_after = self._get_once(url)
            if answer.status in (401, 403):
                detail = error_detail(answer.body) or "no detail given"
                raise SourceRefused(f"{self.host} refused the personal API key ({answer.status}: {detail})")
            if answer.status not in RETRYABLE:
                return answer
            if attempt == MAX_ATTEMPTS - 1:
                break
            wait = max(MIN_WAIT_SECONDS, retry_after if retry_after is not None else backoff_seconds(attempt))
            if wait > MAX_WAIT_SECONDS:
                raise SourceError(f"{self.host} asks to wait {wait:.0f} s before the next request (rate limited)")
            self._on_wait(f"{self.host} answered {answer.status}; waiting {wait:.0f} s before retrying")
            self._sleep(wait)
        raise SourceError(f"{self.host} kept answering {answer.status} after {MAX_ATTEMPTS} attempts")

    def _get_once(self, url: str) -> tuple[Answer, float | None]:
        request = urllib.request.Request(
            url,
            headers={
                "Authorization": f"Bearer {self._key}",
                "Accept": "application/json",
                "User-Agent": USER_AGENT,
            },
        )
        try:
            with self._opener.open(request, timeout=self._timeout) as response:
                return Answer(status=response.status, body=_json_or_none(response.read())), None
        except urllib.error.HTTPError as error:
            with error:
                body = _json_or_none(error.read())
            return Answer(status=error.code, body=body), retry_after_seconds(error.headers.get("Retry-After"))
        except urllib.error.URLError as error:
            raise SourceUnreachable(f"cannot reach {self.host}: {_reason(error.reason)}") from None
        except TimeoutError:
            raise SourceUnreachable(f"cannot reach {self.host}: timed out after {self._timeout:.0f} s") from None
        except (ConnectionError, HTTPException, ssl.SSLError, OSError) as error:
            raise SourceUnreachable(f"cannot reach {self.host}: {_reason(error)}") from None

    def pages(self, path: str) -> Iterator[list]:
        """The `results` of a paginated list, page by page, following `next` links."""
        url: str | None = self.url(path)
        seen: set[str] = set()
        while url is not None and url not in seen and len(seen) < MAX_PAGES:
            seen.add(url)
            answer = self.get(url)
            if answer.status == 404:
                raise SourceError(f"{url} was not found (404): check --source-project")
            body = answer.body
            if answer.status != 200 or not isinstance(body, dict) or not isinstance(body.get("results"), list):
                raise SourceError(_unexpected(url, answer))
            yield body["results"]
            next_link = body.get("next")
            url = next_url_resolve(host=self.host, next_url=next_link) if isinstance(next_link, str) else None

    def object(self, path: str) -> dict | None:
        """One object; None when the source answers 404."""
        url = self.url(path)
        answer = self.get(url)
        if answer.status == 404:
            return None
        if answer.status != 200 or not isinstance(answer.body, dict):
            raise SourceError(_unexpected(url, answer))
        return answer.body


def path_segment(value: Any) -> str:
    return quote(str(value), safe="@")


def _json_or_none(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        return None


def _reason(reason: Any) -> str:
    text = str(getattr(reason, "strerror", None) or reason)
    return text.splitlines()[0] if text else reason.__class__.__name__


def _unexpected(url: str, answer: Answer) -> str:
    if answer.body is None:
        return f"{url} answered {answer.status} without JSON: is --host the address of a PostHog instance?"
    detail = error_detail(answer.body)
    return f"{url} answered {answer.status}" + (f": {detail}" if detail else " with an unexpected body")
