"""Reading children: every function takes the viewer and returns only what the policy allows.

The scopes come from ``explorer.policy``; each record passes through the
policy's field rules here, before it leaves this module. This module is the only one that
runs identified reads (queries whose header names an ``identified.`` policy rule): the
graph refuses them to everyone else, and tests/test_queries.py fails if another module names
one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from explorer import policy
from explorer.graph import Graph, read_policed, run_policed
from explorer.policy import Scope, Viewer

# Children per page of the first page's list and of search results. Every list says how many
# there are in all and pages through them: nothing is cut off without saying so.
PAGE_SIZE = 50

# The most children the management team's name search reads (cypher/children_search_by_name
# .cypher): a fragment whose letters more children's names hold than this is too broad to
# answer, and the user is asked for more of the name, a date of birth or an id. A count, not
# a list cut off: nothing is shown as if it were everything.
MOST_CANDIDATES = 25_000


class Page(list):
    """One page of children (a list of records) that knows how many there are in all.

    >>> page = Page([{"id": "C1"}], total=51, page=2, page_size=50)
    >>> (len(page), page.total, page.pages, page.first, page.last, page.has_next)
    (1, 51, 2, 51, 51, False)
    """

    def __init__(self, records: list[dict[str, Any]], *, total: int, page: int, page_size: int,
                 more_than: int | None = None) -> None:
        super().__init__(records)
        self.total = total
        self.page = page
        self.page_size = page_size
        # Set (to the bound) when the search was too broad to answer: more than this many
        # children could match, and none are listed.
        self.more_than = more_than

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def first(self) -> int:
        """The position (from 1) of this page's first child in the whole list; 0 when empty."""
        return (self.page - 1) * self.page_size + 1 if self else 0

    @property
    def last(self) -> int:
        return self.first + len(self) - 1 if self else 0

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _read(graph: Graph, name: str, **params: Any) -> list[dict[str, Any]]:
    """One named query as a read of its own: this module's ``Graph.read``, which refuses the
    identified reads only this module may run (``explorer.graph.read_policed``)."""
    return read_policed(graph, name, params)


def _paged(read, page: int, page_size: int) -> tuple[int, list[dict[str, Any]], int]:
    """Run ``read(skip, limit)`` (-> total, rows) for a page; a page past the end (the list
    shrank since the link was made) gives the last page instead."""
    page = max(1, page)
    total, rows = read((page - 1) * page_size, page_size)
    last = max(1, -(-total // page_size))
    if page > last:
        page = last
        total, rows = read((page - 1) * page_size, page_size)
    return total, rows, page


def list_children(graph: Graph, viewer: Viewer, *, today: date, page: int = 1,
                  page_size: int = PAGE_SIZE) -> tuple[str, Page]:
    """The children this viewer may list, as ('identified' | 'analyst' | 'none', a Page).

    An analyst (the de-identified scope) lists none: a list of every child, even
    de-identified, is a table with no suppression, and counting its rows gives small counts.
    Analysts work from their reports (``explorer.analytics``)."""
    scopes = policy.scopes(viewer)
    if not scopes:
        return "none", Page([], total=0, page=1, page_size=page_size)
    if scopes == [Scope.DEIDENTIFIED]:
        return "analyst", Page([], total=0, page=1, page_size=page_size)
    found = _read_page(graph, viewer, today=today, text=None, dob=None, child_id=None,
                       page=page, page_size=page_size, archived=False)
    return "identified", found


def _read_page(graph: Graph, viewer: Viewer, *, today: date, text: str | None,
               dob: date | None, child_id: str | None, page: int, page_size: int,
               archived: bool) -> Page:
    """One page of the children in the viewer's identified scope matching the terms (none:
    all of them), each cut by the policy. The scope is applied inside the query, which starts
    from it: a chair's or practitioner's own children, or for the management team an index.
    ``archived`` asks for archived records too (only the management team receive them, each
    marked with when and why it was archived)."""
    params = policy.scope_params(viewer, today, archived=archived)
    text = text.lower() if text else None
    if Scope.ALL in policy.scopes(viewer):
        terms = {"text": text, "dob": dob, "id": child_id, "see_shielded": params["see_shielded"],
                 "retained": params["retained"]}
        if child_id:
            name, args = "children_search_by_id", terms
        elif dob:
            name, args = "children_search_by_dob", terms
        elif text:
            lucene = name_query(text)
            if lucene is None:  # no letter or digit: nothing the index (or a name) could hold
                return Page([], total=0, page=1, page_size=page_size)
            name, args = "children_search_by_name", {**terms, "lucene": lucene,
                                                     "most": MOST_CANDIDATES}
        else:
            name, args = "children_all", {"retained": params["retained"]}
    else:
        name = "children_search"
        args = {"text": text, "dob": dob, "id": child_id, **params}

    too_many = False

    def read(skip: int, limit: int) -> tuple[int, list[dict[str, Any]]]:
        nonlocal too_many
        row = _read(graph, name, skip=skip, limit=limit, **args)[0]
        too_many = row.get("too_many", False)
        return row["total"], row["children"]

    total, rows, page = _paged(read, page, page_size)
    if too_many:
        return Page([], total=0, page=1, page_size=page_size, more_than=MOST_CANDIDATES)
    return Page([_record(viewer, child, today) for child in rows], total=total, page=page,
                page_size=page_size)


def _record(viewer: Viewer, child: dict[str, Any], today: date) -> dict[str, Any]:
    """A child as the policy shows it to the viewer, marked if its record is archived."""
    record = policy.child_record(viewer, child)
    state = policy.archive_state(child, today)
    if state:
        record["archive"] = state
    return record


def name_query(text: str) -> str | None:
    """The full-text query that finds every child whose indexed names could contain ``text``:
    each run of letters, digits and apostrophes (what the index's analyzer keeps together)
    inside some name. Only candidates: the query then tests the fragment itself. None when
    the text has no such run. Nothing of the user's text reaches Lucene's syntax unescaped:
    the runs hold no operator characters.

    >>> name_query("Zoë O'Brien-Smith")
    "*zoë* AND *o'brien* AND *smith*"
    >>> name_query(" - ") is None
    True
    """
    words = re.findall(r"[\w']+", text.lower())
    words = [w for w in (w.strip("'") for w in words) if w]
    return " AND ".join(f"*{w}*" for w in dict.fromkeys(words)) or None


def conference_rows(graph: Graph, viewer: Viewer, *, today: date) -> list[dict[str, Any]]:
    """The children on the viewer's conference list (a chair's: those whose conference they
    chair; the management team's: every child with a conference), each as
    ``policy.conference_row`` cuts it, in id order. Empty for anyone else."""
    if not policy.may_list_conferences(viewer):
        return []
    params = policy.scope_params(viewer, today)
    query = "conferences_all" if params["all"] else "conferences_chaired"

    def read(tx) -> tuple[list[Any], frozenset[str]]:
        args = {"today": today, "practitioner_id": params["practitioner_id"],
                "see_shielded": params["see_shielded"], "retained": params["retained"]}
        if not params["all"]:
            args["username"] = params["username"]
        rows = run_policed(tx, query, args)
        return rows, (_viewer_services(tx, viewer) if rows else frozenset())

    rows, services = graph.read_tx(read)
    return [policy.conference_row(viewer, dict(row), today=today, viewer_service_ids=services)
            for row in rows]


def _viewer_services(tx, viewer: Viewer) -> frozenset[str]:
    practitioner_id = policy.acting_practitioner(viewer)
    if not practitioner_id:
        return frozenset()
    rows = run_policed(tx, "practitioner_services", {"practitioner_id": practitioner_id})
    return frozenset(r["service_id"] for r in rows)


# The parts of a child's view beyond the child's own record, each read by its own CALL
# of cypher/child_views.cypher.
PARTS = ("households", "carers", "siblings", "involvements", "universal", "conferences",
         "previous_plans")


def child_view(graph: Graph, viewer: Viewer, child_id: str, *, today: date,
               override: bool = False, archived: bool = False) -> dict[str, Any] | None:
    """One child's network as the viewer may see it, or None if out of scope or absent
    (the caller cannot tell which, and neither can the user). An archived record is absent
    too, except with ``archived`` for the management team (the read-only view, reason asked):
    then the view carries ``archive``, when and why it was archived."""
    return child_views(graph, viewer, [child_id], today=today, override=override,
                       archived=archived).get(child_id)


def shown_ids(view: dict[str, Any]) -> list[str]:
    """Every child id a child's view shows (the child, its siblings, the children in its
    households), in that order: what the audit trail records for a page of the view."""
    ids = [view["child"]["id"]]
    ids += [s["sibling"]["id"] for s in view["siblings"]]
    for h in view["households"]:
        ids += [m["id"] for m in h["members"] if m.get("label") == "Child"]
    return list(dict.fromkeys(ids))


def archive_notice(graph: Graph, viewer: Viewer, child_id: str, *,
                   today: date) -> dict[str, Any] | None:
    """For the management team, when and why a child's record was archived (nothing else of
    it: the record opens only with a reason); None for a live or absent record, and for
    everyone else, so that to them an archived record is one that does not exist."""
    if not policy.sees_archived(viewer):
        return None
    found = _read(graph, "child_in_scope", id=child_id,
                  **policy.scope_params(viewer, today, archived=True))
    state = policy.archive_state(found[0]["child"], today) if found else None
    return {"id": child_id, **state} if state else None


def child_views(graph: Graph, viewer: Viewer, child_ids: list[str], *, today: date,
                parts: tuple[str, ...] = PARTS, override: bool = False,
                archived: bool = False) -> dict[str, dict[str, Any]]:
    """Several children's views in one read transaction, keyed by id, only those the viewer
    may see. ``parts`` names what to read beyond the child's own record (the rest are
    empty): the sibling comparison needs only ``("involvements",)``. Every view passes the
    same policy as :func:`child_view`'s."""
    unknown = set(parts) - set(PARTS)
    if unknown:
        raise ValueError(f"no such parts of a child's view: {sorted(unknown)}")
    raws, services = _raw_views(lambda name, params: read_policed(graph, name, params), viewer,
                                child_ids, today=today, parts=parts, override=override,
                                archived=archived)
    return _policed_views(viewer, raws, services, today=today, override=override)


def _raw_views(run: Callable[[str, dict[str, Any]], list[dict[str, Any]]], viewer: Viewer,
               child_ids: list[str], *, today: date,
               parts: tuple[str, ...] = PARTS, override: bool = False, archived: bool = False,
               siblings_shown: list[str] | None = None,
               ) -> tuple[dict[str, dict[str, Any]], frozenset[str]]:
    """What :func:`child_views` reads, with ``run`` (a policed query in the caller's
    transaction, or a read of its own: it is one query): each child in
    the viewer's scope (or in ``siblings_shown``: see :func:`sibling_views`) with its
    ``parts``, and the viewer's services (for the policy's cut). One query
    (cypher/child_views.cypher) for every child and part: the parts of a shielded child are
    not even read unless the viewer sees shielded children's details (or ``override``), so
    nothing hidden can leak by a later mistake."""
    ids = list(dict.fromkeys(child_ids))
    if not ids:
        return {}, frozenset()
    params = policy.scope_params(viewer, today, archived=archived)
    rows = run("child_views", {
        **params, "ids": ids, "parts": list(parts), "siblings_shown": siblings_shown or [],
        "read_shielded": bool(params["see_shielded"] or override),
        "archived_view": params["retained"]["archived"],
        # The people around a child are read with the rule as it stands, archived view or not.
        "retained": policy.retained(today)})
    if not rows:
        return {}, frozenset()
    by_id = {row["child"]["id"]: row for row in rows}
    found = {}
    for child_id in ids:
        row = by_id.get(child_id)
        if row is not None:
            found[child_id] = {key: value for key, value in row.items()
                               if key != "viewer_services"}
    return found, frozenset(rows[0]["viewer_services"])


def _policed_views(viewer: Viewer, raws: dict[str, dict[str, Any]], services: frozenset[str], *,
                   today: date, override: bool) -> dict[str, dict[str, Any]]:
    """The views of :func:`_raw_views`' reads as the policy cuts them, keyed by id."""
    views = {}
    for child_id, raw in raws.items():
        views[child_id] = policy.child_view(viewer, raw, today=today, viewer_service_ids=services,
                                            override=override)
        state = policy.archive_state(raw["child"], today)  # only ever with ``archived``
        if state:
            views[child_id]["archive"] = state
    return views


def sibling_views(graph: Graph, viewer: Viewer, root_view: dict[str, Any],
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
    # The siblings the root's view shows are reached through it (``siblings_shown``), each
    # as the policy's sibling level cuts it; only what that level uses is read.
    raws, services = _raw_views(
        lambda name, params: read_policed(graph, name, params), viewer, wanted, today=today,
        parts=("households", "involvements", "universal"), siblings_shown=wanted)
    network = frozenset({root_view["child"]["id"], *shown})
    return {sibling_id: policy.sibling_view(viewer, raw, today=today, viewer_service_ids=services,
                                            network_ids=network)
            for sibling_id, raw in raws.items()}


def sibling_view(graph: Graph, viewer: Viewer, child_id: str, sibling_id: str, *,
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


def search_children(graph: Graph, viewer: Viewer, *, text: str | None, dob: date | None,
                    child_id: str | None, today: date, page: int = 1,
                    page_size: int = PAGE_SIZE) -> Page:
    """Children within the viewer's scope matching the search, as the policy shows them: one
    page, and how many match in all."""
    if not policy.scopes(viewer) or policy.scopes(viewer) == [Scope.DEIDENTIFIED]:
        return Page([], total=0, page=1, page_size=page_size)
    # The management team find archived records too, marked as such (they open with a reason).
    return _read_page(graph, viewer, today=today, text=text, dob=dob, child_id=child_id,
                      page=page, page_size=page_size, archived=True)


def look_up(graph: Graph, viewer: Viewer, *, child_id: str | None, family_name: str | None,
            dob: date | None, today: date) -> list[dict[str, Any]]:
    """A look-up by exact identifiers outside one's involvement: basic records and contacts."""
    if not policy.may_look_up(viewer):
        return []

    retained = policy.retained(today)

    def read(tx) -> list[dict[str, Any]]:
        if child_id:
            rows = run_policed(tx, "child_lookup_by_id", {"id": child_id, "retained": retained})
        elif family_name and dob:
            rows = run_policed(tx, "child_lookup_by_name_dob",
                             {"family_name": family_name.strip().lower(), "dob": dob,
                              "retained": retained})
        else:
            return []
        found = []
        for row in rows:
            contacts = ([] if row["child"].get("shielded") else
                        run_policed(tx, "child_contacts", {"id": row["child"]["id"], "today": today}))
            found.append(policy.lookup_view(row["child"], contacts))
        return found

    return graph.read_tx(read)


def household_view(graph: Graph, viewer: Viewer, household_id: str, *,
                   today: date) -> dict[str, Any] | None:
    """A household: every child in it whose own view shows it, each as child_view cuts it, and
    who lives there as those views show it (``members``: adults and children, with dates),
    and ``child_ids``, every child the page names (for the audit trail).

    The household's address comes from those views, never from a read of its own, so a
    household is shown only through a child the viewer may see there. None when no child is.
    """
    def read(tx) -> tuple[list[str], dict[str, dict[str, Any]], frozenset[str]]:
        ids = [r["id"] for r in run_policed(tx, "household_children", {
            "id": household_id, "retained": policy.retained(today)})]
        return (ids, *_raw_views(lambda name, params: run_policed(tx, name, params), viewer,
                                 ids, today=today))

    # One transaction for the household and each child's view (each as child_view reads and
    # cuts it): a transaction per child cost three round trips more each (issue 14).
    ids, raws, services = graph.read_tx(read)
    shown = _policed_views(viewer, raws, services, today=today, override=False)
    views = [shown[child_id] for child_id in ids if child_id in shown
             and policy.household_shown_in(shown[child_id], household_id)]
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


def caseload(graph: Graph, viewer: Viewer, practitioner_id: str, *,
             today: date) -> dict[str, Any] | None:
    """A practitioner's caseload (open involvements) as the viewer may see it; None when the
    viewer may not see this caseload or the practitioner does not exist."""
    if not policy.may_view_caseload(viewer, practitioner_id):
        return None

    def read(tx) -> dict[str, Any] | None:
        rows = run_policed(tx, "practitioner_caseload", {"id": practitioner_id, "today": today,
                                                        "retained": policy.retained(today)})
        if not rows:
            return None
        return {"rows": rows, "services": _viewer_services(tx, viewer)}

    result = graph.read_tx(read)
    if result is None:
        return None
    rows = [r for r in result["rows"] if r["child"] is not None and r["service"] is not None]
    return policy.caseload_view(viewer, result["rows"][0]["practitioner"], rows,
                                viewer_service_ids=result["services"])
