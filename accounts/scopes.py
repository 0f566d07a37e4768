"""API key scopes: `<object>:<read|write>` or `*`; write implies read."""

SCOPE_OBJECTS = (
    "product_tour",
    "feature_flag",
    "survey",
    "activity_log",
    "organization",
    "project",
    "user",
)
SCOPE_ACTIONS = ("read", "write")
DEFAULT_READ_ACTIONS = ("list", "retrieve")
DEFAULT_WRITE_ACTIONS = ("create", "update", "partial_update", "patch", "destroy")


def scope_is_valid(scope: str) -> bool:
    if scope == "*":
        return True
    parts = scope.split(":")
    return len(parts) == 2 and parts[0] in SCOPE_OBJECTS and parts[1] in SCOPE_ACTIONS


def scopes_grant(granted: list[str], required: str) -> bool:
    if "*" in granted:
        return True
    if required in granted:
        return True
    obj, _, action = required.partition(":")
    return action == "read" and f"{obj}:write" in granted
