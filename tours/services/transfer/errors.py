"""Validation errors as the one line an import reports per failed tour."""

from typing import Any

from rest_framework.exceptions import APIException
from rest_framework.settings import api_settings

from core.errors import DomainError
from core.exceptions import api_exception_of


def _messages(detail: Any, field: str | None = None) -> list[str]:
    if isinstance(detail, dict):
        messages = []
        for key, value in detail.items():
            name = None if key == api_settings.NON_FIELD_ERRORS_KEY else (f"{field}.{key}" if field else str(key))
            messages.extend(_messages(value, name))
        return messages
    if isinstance(detail, list):
        return [message for item in detail for message in _messages(item, field)]
    return [f"{field}: {detail}" if field else str(detail)]


def error_text(error: APIException | DomainError) -> str:
    """`content: Announcements must have exactly 1 step.`; several messages joined by `; `."""
    if isinstance(error, DomainError):
        error = api_exception_of(error)
    return "; ".join(_messages(error.detail)) or error.__class__.__name__


def database_error_text(error: Exception) -> str:
    """The first line of a database error (constraint names, not SQL)."""
    text = str(error).strip()
    return f"database error: {text.splitlines()[0] if text else error.__class__.__name__}"
