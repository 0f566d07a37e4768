"""Log formatters (`LOG_FORMAT=json|text`) that never write a personal API key or project token.

Kept free of Django imports: settings.LOGGING loads it before the apps are ready.
"""

import contextvars
import json
import logging
import re
from datetime import UTC, datetime
from typing import Literal

# The id of the request being served, added to every record logged while serving it.
current_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

# `phx_…` personal API keys, `phc_…` project tokens (and PostHog's other prefixed secrets), wherever they
# appear: a path such as /array/<token>/config, an exception message, a SQL statement in DEBUG.
SECRET_RE = re.compile(r"\b(ph[xcsar]_)[A-Za-z0-9]+")

# Attributes every LogRecord has; anything else on a record came from `extra=` and is written as a field.
_STANDARD_ATTRS = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def secrets_redact(text: str) -> str:
    return SECRET_RE.sub(r"\1***", text) if "ph" in text else text


def _extra_fields(record: logging.LogRecord) -> dict:
    fields = {key: value for key, value in record.__dict__.items() if key not in _STANDARD_ATTRS}
    if "request_id" not in fields:
        request_id = current_request_id.get()
        if request_id is not None:
            fields["request_id"] = request_id
    return fields


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the record's extra fields, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(_extra_fields(record))
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exc_info"] = record.exc_text
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        return secrets_redact(json.dumps(entry, default=str, ensure_ascii=False))


class TextFormatter(logging.Formatter):
    """`time level logger message key=value …` for reading in a terminal."""

    def __init__(
        self, fmt: str | None = None, datefmt: str | None = None, style: Literal["%", "{", "$"] = "%", **kwargs
    ):
        super().__init__(fmt or "%(asctime)s %(levelname)s %(name)s %(message)s", datefmt, style, **kwargs)

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        fields = _extra_fields(record)
        if fields:
            first, newline, rest = text.partition("\n")  # keep a traceback below the fields
            pairs = " ".join(f"{key}={value}" for key, value in fields.items())
            text = f"{first} {pairs}{newline}{rest}"
        return secrets_redact(text)
