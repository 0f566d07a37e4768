"""Turning a `Detail` into the JSON stored in `ActivityLog.detail` (PostHog's `ActivityDetailEncoder`).

A changed foreign key holds the related object; how it is shown is chosen by its model: a User
as `{first_name, email}`, other apps register theirs (flags: the FeatureFlag summary), anything
else as `str(obj)`. `accounts` knows no other app, hence the registry.
"""

import dataclasses
import datetime
import json
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import models

from accounts.models import User

_RENDERERS: dict[type[models.Model], Callable[[Any], Any]] = {}


def related_renderer_register(model: type[models.Model], render: Callable[[Any], Any]) -> None:
    """How instances of `model` appear as a change's before/after."""
    _RENDERERS[model] = render


def _number(value: Decimal) -> str:
    # PostHog: up to 6 decimals, trailing zeros stripped.
    return format(value, ".6f").rstrip("0").rstrip(".")


class ActivityDetailEncoder(json.JSONEncoder):
    def default(self, obj: Any) -> Any:
        if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            return {field.name: getattr(obj, field.name) for field in dataclasses.fields(obj)}
        if isinstance(obj, (datetime.datetime, datetime.date, datetime.time)):
            return obj.isoformat()
        if isinstance(obj, datetime.timedelta):
            return str(obj)
        if isinstance(obj, uuid.UUID):
            return str(obj)
        if isinstance(obj, Decimal):
            return _number(obj)
        if isinstance(obj, (set, frozenset)):
            return sorted(obj, key=str)
        if isinstance(obj, User):
            return {"first_name": obj.first_name, "email": obj.email}
        if isinstance(obj, models.Model):
            for model in type(obj).__mro__:
                if model in _RENDERERS:
                    return _RENDERERS[model](obj)
            return str(obj)
        return super().default(obj)


def detail_to_json(detail: Any) -> Any:
    """The detail as plain JSON data, rendered now (a later change to a related object does not leak in)."""
    return json.loads(json.dumps(detail, cls=ActivityDetailEncoder, allow_nan=False))
