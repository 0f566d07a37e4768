"""Object ids from URLs: the one conversion every detail route uses (a malformed id is a 404)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from rest_framework.exceptions import NotFound

MAX_BIGINT = 2**63 - 1


def object_pk(model: type[models.Model], raw: Any) -> Any:
    """`raw` as a value of `model`'s primary key, or `NotFound` when it cannot be one (an integer out of
    the database's range included): never a database error."""
    field = model._meta.pk
    try:
        value = field.to_python(raw)
    except (ValidationError, TypeError, ValueError):
        raise NotFound() from None
    if value is None or (isinstance(value, int) and not 0 < value <= MAX_BIGINT):
        raise NotFound()
    return value
