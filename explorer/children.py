"""Reading children: every function takes the viewer and returns only what the policy allows.

The scopes come from ``explorer.policy``; each record passes through the
policy's field rules here, before it leaves this module.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from explorer import policy
from explorer.graph import Graph
from explorer.policy import Scope, ViewerLike

LIST_LIMIT = 500


def list_children(graph: Graph, viewer: ViewerLike, *, pseudonym_key: bytes, today: date,
                  limit: int = LIST_LIMIT) -> tuple[str, list[dict[str, Any]]]:
    """The children this viewer may list, as ('identified' | 'deidentified' | 'none', records)."""
    records: dict[str, dict[str, Any]] = {}
    for scope in policy.scopes(viewer):
        if scope is Scope.DEIDENTIFIED:
            rows = graph.read("children_deidentified", limit=limit)
            return "deidentified", [policy.deidentified_record(pseudonym_key, r["child"], today)
                                    for r in rows]
        if scope is Scope.ALL:
            rows = graph.read("children_all", limit=limit)
        elif scope is Scope.INVOLVED:
            rows = graph.read("children_involved", practitioner_id=viewer.practitioner_id,
                              today=today, limit=limit)
        else:
            rows = graph.read("children_chaired", username=viewer.username, limit=limit)
        for row in rows:
            records.setdefault(row["child"]["id"], policy.child_record(viewer, row["child"]))
    if not policy.scopes(viewer):
        return "none", []
    ordered = sorted(records.values(), key=lambda c: (c["family_name"], c["given_name"], c["id"]))
    return "identified", ordered[:limit]
