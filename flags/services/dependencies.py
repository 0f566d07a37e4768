"""Flag dependencies: `flag` properties whose key is another flag's id (pure)."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flags.services.errors import FiltersInvalid


@dataclass(frozen=True)
class FlagNode:
    """What dependency checks need to know about another flag of the project."""

    key: str
    active: bool
    dependency_refs: tuple = field(default_factory=tuple)


def flag_dependency_refs(filters: Any) -> list:
    """The raw `key`s of `flag` properties, tolerant of malformed stored filters."""
    refs: list = []
    groups = filters.get("groups") if isinstance(filters, dict) else None
    for group in groups if isinstance(groups, list) else []:
        properties = group.get("properties") if isinstance(group, dict) else None
        for prop in properties if isinstance(properties, list) else []:
            if isinstance(prop, dict) and prop.get("type") == "flag" and prop.get("key") not in (None, ""):
                refs.append(prop["key"])
    return refs


def flag_ref_to_id(ref: Any) -> int | None:
    if isinstance(ref, bool):
        return None
    if isinstance(ref, int):
        return ref
    if isinstance(ref, str):
        try:
            return int(ref)
        except ValueError:
            return None
    return None


def flag_dependencies_check(
    filters: dict, *, flag_id: int | None, flag_key: str | None, project_flags: Mapping[int, FlagNode]
) -> None:
    """Flag properties reference live, active flags of the project by id; no self-reference, no cycle."""
    dependency_ids: list[int] = []
    for ref in flag_dependency_refs(filters):
        dependency_id = flag_ref_to_id(ref)
        if dependency_id is None:
            raise FiltersInvalid(
                f"Flag dependencies must reference flag IDs (integers), not flag keys. Invalid reference: '{ref}'"
            )
        if dependency_id == flag_id and flag_id is not None:
            dependency_ids.append(dependency_id)
            continue
        node = project_flags.get(dependency_id)
        if node is None:
            raise FiltersInvalid(f"Flag dependency references non-existent flag with ID {dependency_id}")
        if not node.active:
            raise FiltersInvalid(
                f"Cannot create dependency on disabled flag '{node.key}' (ID: {dependency_id}). "
                "Flag dependencies must reference active flags only."
            )
        dependency_ids.append(dependency_id)
    if not dependency_ids or flag_id is None:
        return  # a flag being created has no id yet, so nothing can lead back to it
    current_key = flag_key or str(flag_id)
    if flag_id in dependency_ids:
        raise FiltersInvalid(f"Feature flag '{current_key}' cannot depend on itself")

    def key_of(node_id: int) -> str:
        return current_key if node_id == flag_id else project_flags[node_id].key

    explored: set[int] = set()

    def visit(node_id: int, path: list[int]) -> None:
        if node_id in path:
            cycle = [*path[path.index(node_id) :], node_id]
            raise FiltersInvalid(f"Circular dependency detected: {' → '.join(key_of(i) for i in cycle)}")
        if node_id in explored or node_id not in project_flags:
            return
        for ref in project_flags[node_id].dependency_refs:
            next_id = flag_ref_to_id(ref)
            if next_id is not None and (next_id == flag_id or next_id in project_flags):
                visit(next_id, [*path, node_id])
        explored.add(node_id)

    for dependency_id in dict.fromkeys(dependency_ids):
        visit(dependency_id, [flag_id])
