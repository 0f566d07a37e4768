"""Feature flag operations used by the REST API and by other apps (tours) inside their transaction."""

from flags.services.errors import FiltersInvalid
from flags.services.filters import filters_clean
from flags.services.flags import (
    feature_flag_create,
    feature_flag_soft_delete,
    feature_flag_update,
    filters_validate,
    flag_dependents,
)
from flags.services.keys import flag_key_validate

__all__ = [
    "FiltersInvalid",
    "feature_flag_create",
    "feature_flag_soft_delete",
    "feature_flag_update",
    "filters_clean",
    "filters_validate",
    "flag_dependents",
    "flag_key_validate",
]
