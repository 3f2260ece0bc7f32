"""Associations between CRM records as HubSpot's v4 associations API returns them.

Each association is kept in both directions with HubSpot's own association type ids (the
"HUBSPOT_DEFINED" ids of HubSpot's associations documentation): a primary company association
carries the labelled "Primary" type and the unlabelled one, as HubSpot returns both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# (from, to) -> (unlabelled type id, primary type id or None), per HubSpot's published table.
TYPE_IDS: dict[tuple[str, str], tuple[int, int | None]] = {
    ("contacts", "companies"): (279, 1),
    ("companies", "contacts"): (280, 2),
    ("deals", "contacts"): (3, None),
    ("contacts", "deals"): (4, None),
    ("deals", "companies"): (341, 5),
    ("companies", "deals"): (342, 6),
}


@dataclass
class AssociationStore:
    """For each record, the records of each other type it is associated with, and how."""

    # (from type, from id) -> to type -> to id -> association specs as v4 returns them.
    links: dict[tuple[str, int], dict[str, dict[int, list[dict[str, Any]]]]] = field(
        default_factory=dict
    )

    def add(self, from_type: str, from_id: int, to_type: str, to_id: int, primary: bool) -> None:
        """Associate two records both ways; `primary` marks the primary company."""
        for (a_type, a_id), (b_type, b_id) in (
            ((from_type, from_id), (to_type, to_id)),
            ((to_type, to_id), (from_type, from_id)),
        ):
            unlabelled, primary_id = TYPE_IDS[(a_type, b_type)]
            specs = [{"category": "HUBSPOT_DEFINED", "typeId": unlabelled}]
            if primary and primary_id is not None:
                specs.insert(
                    0, {"category": "HUBSPOT_DEFINED", "typeId": primary_id, "label": "Primary"}
                )
            self.links.setdefault((a_type, a_id), {}).setdefault(b_type, {})[b_id] = specs

    def of(self, from_type: str, from_id: int, to_type: str) -> list[dict[str, Any]]:
        """A record's associations to one type, by ascending id, as `MultiAssociatedObject`s."""
        targets = self.links.get((from_type, from_id), {}).get(to_type, {})
        return [
            {"toObjectId": str(to_id), "associationTypes": targets[to_id]}
            for to_id in sorted(targets)
        ]

    def count(self) -> int:
        """Associations counted once per pair of records."""
        return sum(len(ids) for by_type in self.links.values() for ids in by_type.values()) // 2
