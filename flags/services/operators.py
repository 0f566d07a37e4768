"""The property operators PostHog's flag engine supports, and how flag filters must use them."""

from typing import Any

SUPPORTED_OPERATORS = frozenset(
    {
        "exact",
        "is_not",
        "icontains",
        "not_icontains",
        "icontains_multi",
        "not_icontains_multi",
        "regex",
        "not_regex",
        "gt",
        "gte",
        "lt",
        "lte",
        "semver_gt",
        "semver_gte",
        "semver_lt",
        "semver_lte",
        "semver_eq",
        "semver_neq",
        "semver_tilde",
        "semver_caret",
        "semver_wildcard",
        "is_set",
        "is_not_set",
        "is_date_exact",
        "is_date_after",
        "is_date_before",
        "in",
        "not_in",
        "flag_evaluates_to",
    }
)
OPERATOR_ALIASES = {"min": "gte", "max": "lte"}
STRING_VALUE_OPERATORS = frozenset({"regex", "not_regex", "icontains", "not_icontains", "gt", "gte", "lt", "lte"})
DATE_OPERATORS = frozenset({"is_date_before", "is_date_after", "is_date_exact"})
SEMVER_OPERATORS = frozenset(op for op in SUPPORTED_OPERATORS if op.startswith("semver_"))
LIST_VALUE_OPERATORS = frozenset({"icontains_multi", "not_icontains_multi"})


def canonical_operator(operator: Any) -> str:
    """`null` means exact; `min`/`max` are PostHog's aliases of `gte`/`lte`."""
    if operator is None:
        return "exact"
    return OPERATOR_ALIASES.get(operator, operator)
