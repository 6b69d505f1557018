"""Reading children: every function takes the viewer and returns only what the policy allows.

The scopes come from ``explorer.policy``; each record passes through the
policy's field rules here, before it leaves this module.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from explorer import policy
from explorer.graph import Graph, run_named
from explorer.policy import Scope, ViewerLike

LIST_LIMIT = 500


def list_children(graph: Graph, viewer: ViewerLike, *, today: date,
                  limit: int = LIST_LIMIT) -> tuple[str, list[dict[str, Any]]]:
    """The children this viewer may list, as ('identified' | 'analyst' | 'none', records).

    An analyst (the de-identified scope) lists none: a list of every child, even
    de-identified, is a table with no suppression, and counting its rows gives small counts.
    Analysts work from their reports (``explorer.analytics``)."""
    records: dict[str, dict[str, Any]] = {}
    for scope in policy.scopes(viewer):
        if scope is Scope.DEIDENTIFIED:
            return "analyst", []
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


def conference_rows(graph: Graph, viewer: ViewerLike, *, today: date) -> list[dict[str, Any]]:
    """The children on the viewer's conference list (a chair's: those whose conference they
    chair; the management team's: every child with a conference), each as
    ``policy.conference_row`` cuts it, in id order. Empty for anyone else."""
    if not policy.may_list_conferences(viewer):
        return []
    params = policy.scope_params(viewer, today)
    query = "conferences_all" if params["all"] else "conferences_chaired"

    def read(tx) -> tuple[list[Any], frozenset[str]]:
        args = {"today": today, "practitioner_id": params["practitioner_id"],
                "see_shielded": params["see_shielded"]}
        if not params["all"]:
            args["username"] = params["username"]
        rows = run_named(tx, query, args)
        return rows, (_viewer_services(tx, viewer) if rows else frozenset())

    rows, services = graph.read_tx(read)
    return [policy.conference_row(viewer, dict(row), today=today, viewer_service_ids=services)
            for row in rows]


def _viewer_services(tx, viewer: ViewerLike) -> frozenset[str]:
    if "practitioner" not in viewer.roles or not viewer.practitioner_id:
        return frozenset()
    rows = run_named(tx, "practitioner_services", {"practitioner_id": viewer.practitioner_id})
    return frozenset(r["service_id"] for r in rows)


# The parts of a child's view beyond the child's own record, each read by its named query.
PARTS = ("households", "carers", "siblings", "involvements", "universal", "conferences",
         "previous_plans")
_PART_QUERIES = {"households": "child_households", "carers": "child_carers",
                 "siblings": "child_siblings", "involvements": "child_involvements",
                 "universal": "child_universal_services", "conferences": "child_conferences",
                 "previous_plans": "child_previous_plans"}


def child_view(graph: Graph, viewer: ViewerLike, child_id: str, *, today: date,
               override: bool = False) -> dict[str, Any] | None:
    """One child's network as the viewer may see it, or None if out of scope or absent
    (the caller cannot tell which, and neither can the user)."""
    return child_views(graph, viewer, [child_id], today=today, override=override).get(child_id)


def child_views(graph: Graph, viewer: ViewerLike, child_ids: list[str], *, today: date,
                parts: tuple[str, ...] = PARTS, override: bool = False) -> dict[str, dict[str, Any]]:
    """Several children's views in one read transaction, keyed by id, only those the viewer
    may see. ``parts`` names what to read beyond the child's own record (the rest are
    empty): the sibling comparison needs only ``("involvements",)``. Every view passes the
    same policy as :func:`child_view`'s."""
    params = policy.scope_params(viewer, today)
    unknown = set(parts) - set(PARTS)
    if unknown:
        raise ValueError(f"no such parts of a child's view: {sorted(unknown)}")

    def read_one(tx, child_id: str) -> dict[str, Any] | None:
        found = run_named(tx, "child_in_scope", {"id": child_id, **params})
        if not found:
            return None
        raw: dict[str, Any] = {**dict(found[0]), **{part: [] for part in PARTS}}
        shielded = raw["child"].get("shielded")
        if shielded and not (params["see_shielded"] or override):
            return raw  # the hidden parts are not even read: nothing to leak by a later mistake
        for part in parts:
            extra = {"practitioner_id": params["practitioner_id"]} if part == "involvements" else {}
            raw[part] = run_named(tx, _PART_QUERIES[part], {"id": child_id, **extra})
        return raw

    def read(tx) -> tuple[dict[str, dict[str, Any]], frozenset[str]]:
        found = {}
        for child_id in dict.fromkeys(child_ids):
            raw = read_one(tx, child_id)
            if raw is not None:
                found[child_id] = raw
        return found, (_viewer_services(tx, viewer) if found else frozenset())

    raws, services = graph.read_tx(read)
    return {child_id: policy.child_view(viewer, raw, today=today, viewer_service_ids=services,
                                        override=override)
            for child_id, raw in raws.items()}


def sibling_views(graph: Graph, viewer: ViewerLike, root_view: dict[str, Any],
                  sibling_ids: list[str], *, today: date) -> dict[str, dict[str, Any]]:
    """Siblings of a child as ``policy.sibling_view`` shows them, keyed by id: only for a
    ``root_view`` (this viewer's own ``child_view`` of the child) at the 'network' level, and
    only siblings that view shows; any other id is left out."""
    if root_view.get("level") != "network":
        return {}
    shown = {s["sibling"]["id"] for s in root_view.get("siblings", [])}
    wanted = [s for s in dict.fromkeys(sibling_ids) if s in shown]
    if not wanted:
        return {}
    params = policy.scope_params(viewer, today)

    def read(tx) -> tuple[dict[str, dict[str, Any]], frozenset[str]]:
        found = {}
        for sibling_id in wanted:
            rows = run_named(tx, "child_lookup_by_id", {"id": sibling_id})
            if not rows:
                continue
            raw: dict[str, Any] = {"child": rows[0]["child"], "households": [],
                                   "involvements": [], "universal": []}
            if raw["child"].get("shielded") and not params["see_shielded"]:
                found[sibling_id] = raw  # nothing more is read for a shielded child
                continue
            raw["households"] = run_named(tx, "child_households", {"id": sibling_id})
            raw["involvements"] = run_named(tx, "child_involvements", {
                "id": sibling_id, "practitioner_id": params["practitioner_id"]})
            raw["universal"] = run_named(tx, "child_universal_services", {"id": sibling_id})
            found[sibling_id] = raw
        return found, _viewer_services(tx, viewer)

    raws, services = graph.read_tx(read)
    network = frozenset({root_view["child"]["id"], *shown})
    return {sibling_id: policy.sibling_view(viewer, raw, today=today, viewer_service_ids=services,
                                            network_ids=network)
            for sibling_id, raw in raws.items()}


def sibling_view(graph: Graph, viewer: ViewerLike, child_id: str, sibling_id: str, *,
                 today: date) -> dict[str, Any] | None:
    """One sibling of a child as the viewer may see it through that child's network (the
    rule in ``explorer.policy``, "siblings of a chaired child"), with ``via`` (what makes them
    siblings) and ``of`` (the child's record); None when the viewer does not see the child's
    whole network or the child has no such sibling that the viewer may see."""
    root = child_view(graph, viewer, child_id, today=today)
    if root is None:
        return None
    found = sibling_views(graph, viewer, root, [sibling_id], today=today).get(sibling_id)
    if found is None or found["level"] == "shielded":
        return None
    via = next(s["via"] for s in root["siblings"] if s["sibling"]["id"] == sibling_id)
    return {**found, "via": via, "of": root["child"]}


def search_children(graph: Graph, viewer: ViewerLike, *, text: str | None, dob: date | None,
                    child_id: str | None, today: date, limit: int = 100) -> list[dict[str, Any]]:
    """Children within the viewer's scope matching the search, as the policy shows them."""
    if not policy.scopes(viewer) or policy.scopes(viewer) == [Scope.DEIDENTIFIED]:
        return []
    params = policy.scope_params(viewer, today)
    rows = graph.read("children_search", text=text.lower() if text else None, dob=dob,
                      id=child_id, limit=limit, **params)
    return [policy.child_record(viewer, r["child"]) for r in rows]


def look_up(graph: Graph, viewer: ViewerLike, *, child_id: str | None, family_name: str | None,
            dob: date | None, today: date) -> list[dict[str, Any]]:
    """A look-up by exact identifiers outside one's involvement: basic records and contacts."""
    if not policy.may_look_up(viewer):
        return []

    def read(tx) -> list[dict[str, Any]]:
        if child_id:
            rows = run_named(tx, "child_lookup_by_id", {"id": child_id})
        elif family_name and dob:
            rows = run_named(tx, "child_lookup_by_name_dob",
                             {"family_name": family_name.strip().lower(), "dob": dob})
        else:
            return []
        found = []
        for row in rows:
            contacts = ([] if row["child"].get("shielded") else
                        run_named(tx, "child_contacts", {"id": row["child"]["id"], "today": today}))
            found.append(policy.lookup_view(row["child"], contacts))
        return found

    return graph.read_tx(read)


def household_view(graph: Graph, viewer: ViewerLike, household_id: str, *,
                   today: date) -> dict[str, Any] | None:
    """A household: every child in it whose own view shows it, each as child_view cuts it, and
    who lives there as those views show it (``members``: adults and children, with dates),
    and ``child_ids``, every child the page names (for the audit trail).

    The household's address comes from those views, never from a read of its own, so a
    household is shown only through a child the viewer may see there. None when no child is.
    """
    ids = [r["id"] for r in graph.read("household_children", id=household_id)]
    views = []
    for child_id in ids:
        view = child_view(graph, viewer, child_id, today=today)
        if policy.household_shown_in(view, household_id):
            views.append(view)
    if not views:
        return None
    household = next(h["household"] for h in views[0]["households"]
                     if h["household"]["id"] == household_id)
    # Who lives there: each shown child, and the members each child's own view shows there.
    members: dict[str, dict[str, Any]] = {}
    for view in views:
        for h in view["households"]:
            if h["household"]["id"] == household_id:
                child = view["child"]
                members.setdefault(child["id"], {
                    "id": child["id"], "label": "Child", "given_name": child.get("given_name"),
                    "family_name": child.get("family_name"), "since": h.get("since"),
                    "until": h.get("until")})
                for m in h["members"]:
                    members.setdefault(m["id"], m)
    ordered = sorted(members.values(), key=lambda m: (m.get("until") is not None,
                                                      m["label"] == "Child", m["id"]))
    named = [v["child"]["id"] for v in views] + [m["id"] for m in ordered if m["label"] == "Child"]
    return {"household": household, "children": views, "members": ordered,
            "child_ids": list(dict.fromkeys(named))}


def caseload(graph: Graph, viewer: ViewerLike, practitioner_id: str, *,
             today: date) -> dict[str, Any] | None:
    """A practitioner's caseload (open involvements) as the viewer may see it; None when the
    viewer may not see this caseload or the practitioner does not exist."""
    if not policy.may_view_caseload(viewer, practitioner_id):
        return None

    def read(tx) -> dict[str, Any] | None:
        rows = run_named(tx, "practitioner_caseload", {"id": practitioner_id, "today": today})
        if not rows:
            return None
        return {"rows": rows, "services": _viewer_services(tx, viewer)}

    result = graph.read_tx(read)
    if result is None:
        return None
    rows = [r for r in result["rows"] if r["child"] is not None and r["service"] is not None]
    return policy.caseload_view(viewer, result["rows"][0]["practitioner"], rows,
                                viewer_service_ids=result["services"])
