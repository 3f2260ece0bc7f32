"""Odoo search domains: prefix `&`, `|`, `!` over `(field, operator, value)` leaves.

The store hands `matches` a callback that reads one field of one record (computed fields
included), so the rules here stay about Odoo's comparison semantics only: `False` matches an
empty value, `like` wraps the value in `%`, `=like` takes it as an SQL pattern, and an empty
value never compares with `<` or `>`, as in PostgreSQL.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

OPERATORS = frozenset(
    {
        "=",
        "!=",
        "<>",
        "<",
        "<=",
        ">",
        ">=",
        "in",
        "not in",
        "like",
        "not like",
        "ilike",
        "not ilike",
        "=like",
        "=ilike",
        "child_of",
        "parent_of",
    }
)

Leaf = tuple[str, str, Any]
Node = tuple[str, list[Any]] | Leaf
FieldReader = Callable[[str], Any]


def parse(domain: list[Any]) -> Node:
    """Turn a prefix-notation domain into a tree of ("&" | "|" | "!", children) and leaves."""
    items = [item for item in domain]
    if not items:
        return ("&", [])

    def take() -> Node:
        item = items.pop(0)
        if item in ("&", "|"):
            return (item, [take(), take()])
        if item == "!":
            return ("!", [take()])
        if isinstance(item, (list, tuple)) and len(item) == 3:
            return (str(item[0]), str(item[1]).lower(), item[2])
        if item in (True, 1, [1, "=", 1]):
            return ("&", [])
        raise ValueError(f"Invalid leaf {item!r}")

    nodes = []
    while items:
        nodes.append(take())
    return nodes[0] if len(nodes) == 1 else ("&", nodes)


def leaves(node: Node) -> list[Leaf]:
    """Every leaf of a parsed domain."""
    if len(node) == 3:
        return [node]  # type: ignore[list-item]
    found: list[Leaf] = []
    for child in node[1]:
        found.extend(leaves(child))
    return found


def like_pattern(pattern: str, *, wrap: bool) -> re.Pattern[str]:
    """An SQL LIKE pattern (`%`, `_`) as a regular expression; `wrap` adds `%` at both ends."""
    parts = []
    for char in pattern:
        if char == "%":
            parts.append(".*")
        elif char == "_":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    body = "".join(parts)
    if wrap:
        body = f".*{body}.*"
    return re.compile(f"^{body}$", re.DOTALL)


def _empty(value: Any) -> bool:
    return value is None or value is False or value == []


def compare(actual: Any, operator: str, value: Any) -> bool:
    """One leaf on one value; `actual` is an id for many2one, a list of ids for x2many."""
    if isinstance(actual, list):
        return _compare_many(actual, operator, value)

    if operator in ("=", "!=", "<>"):
        if value is False or value is None:
            equal = _empty(actual)
        else:
            equal = not _empty(actual) and actual == value
        return equal if operator == "=" else not equal
    if operator in ("in", "not in"):
        values = list(value) if isinstance(value, (list, tuple)) else [value]
        wants_empty = any(v is False or v is None for v in values)
        inside = (_empty(actual) and wants_empty) or (not _empty(actual) and actual in values)
        return inside if operator == "in" else not inside
    if operator in ("<", "<=", ">", ">="):
        if _empty(actual) or value is False or value is None:
            return False
        if operator == "<":
            return bool(actual < value)
        if operator == "<=":
            return bool(actual <= value)
        if operator == ">":
            return bool(actual > value)
        return bool(actual >= value)
    if operator in ("like", "not like", "ilike", "not ilike", "=like", "=ilike"):
        negative = operator.startswith("not")
        if _empty(actual):
            return negative
        text, pattern = str(actual), str(value)
        if "ilike" in operator:
            text, pattern = text.lower(), pattern.lower()
        found = bool(like_pattern(pattern, wrap=not operator.startswith("=")).match(text))
        return found != negative
    raise ValueError(f"Invalid operator {operator!r}")


def _compare_many(actual: list[Any], operator: str, value: Any) -> bool:
    if operator in ("=", "in"):
        if value is False or value is None:
            return not actual
        values = value if isinstance(value, (list, tuple)) else [value]
        return any(item in values for item in actual)
    if operator in ("!=", "<>", "not in"):
        if value is False or value is None:
            return bool(actual)
        values = value if isinstance(value, (list, tuple)) else [value]
        return not any(item in values for item in actual)
    return any(compare(item, operator, value) for item in actual)


def matches(node: Node, evaluate_leaf: Callable[[Leaf], bool]) -> bool:
    """Whether a record satisfies a parsed domain, given how to evaluate one leaf on it."""
    if len(node) == 3:
        return evaluate_leaf(node)  # type: ignore[arg-type]
    operator, children = node[0], node[1]
    if operator == "&":
        return all(matches(child, evaluate_leaf) for child in children)
    if operator == "|":
        return any(matches(child, evaluate_leaf) for child in children)
    return not matches(children[0], evaluate_leaf)
