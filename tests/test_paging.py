"""Lists and search results say how many there are and page through them: nothing is cut off
without saying so (the management team's first page once showed 500 of 20,025)."""

from __future__ import annotations

import json
import re

import pytest

from explorer import audit
from explorer.graph import Graph

CHILDREN = 120  # more than two pages of 50


@pytest.fixture
def manager(client, graph: Graph, make_user, login_as):
    graph.run_autocommit(
        "UNWIND range(1, $n) AS i CREATE (:Child {id: 'C-' + right('000' + i, 3), given_name: 'Kim',"
        " family_name: 'Pager' + right('000' + i, 3), date_of_birth: date('2015-01-01'),"
        " gender: 'female', shielded: false})", n=CHILDREN)
    make_user("manager", ["management"])
    login_as(client, "manager")
    return client


def _ids(text: str) -> list[str]:
    return re.findall(r"/children/(C-\d{3})\"", text)


def test_the_first_page_says_how_many_and_pages_through_all(manager, graph: Graph):
    first = manager.get("/").get_data(as_text=True)
    assert "120 children" in first and "1 to 50" in first and "Page 1 of 3" in first
    seen = []
    for page in (1, 2, 3):
        seen += _ids(manager.get(f"/?page={page}").get_data(as_text=True))
    assert seen == [f"C-{i:03d}" for i in range(1, CHILDREN + 1)]
    last = manager.get("/?page=99").get_data(as_text=True)  # past the end: the last page
    assert "101 to 120" in last and "Page 3 of 3" in last
    assert manager.get("/?page=two").status_code == 400
    pages = [json.loads(e["params"]) for e in audit.search(graph, action="list_children", limit=100)]
    assert {p.get("page") for p in pages} >= {1, 2, 3}  # each page seen is in the audit trail


def test_search_results_say_how_many_and_page_with_the_terms_kept(manager):
    found = manager.post("/search", data={"text": "kim pager"}).get_data(as_text=True)
    assert "120 found" in found and "Showing 1 to 50 of 120" in found
    assert 'name="page" value="2"' in found and 'name="text" value="kim pager"' in found
    seen = []
    for page in (1, 2, 3):
        seen += _ids(manager.post("/search", data={"text": "kim pager", "page": str(page)})
                     .get_data(as_text=True))
    assert seen == [f"C-{i:03d}" for i in range(1, CHILDREN + 1)]


def test_a_search_too_broad_to_answer_says_so_and_lists_nobody(manager, graph: Graph,
                                                                 monkeypatch):
    """At 11 million children a fragment like "son" is in a million names: the management
    team's search then asks for more of the name instead of reading them all (and never
    shows a few as if they were all). At the bound itself it still answers."""
    from explorer import children

    monkeypatch.setattr(children, "MOST_CANDIDATES", CHILDREN)
    at_the_bound = manager.post("/search", data={"text": "pager"}).get_data(as_text=True)
    assert "120 found" in at_the_bound and "Too many" not in at_the_bound

    monkeypatch.setattr(children, "MOST_CANDIDATES", CHILDREN - 1)
    broad = manager.post("/search", data={"text": "pager"}).get_data(as_text=True)
    assert "Too many to list" in broad and "More than 119 children" in broad
    assert _ids(broad) == [] and "found" not in broad
    narrower = manager.post("/search", data={"text": "pager0"}).get_data(as_text=True)
    assert "99 found" in narrower and "Too many" not in narrower  # Pager001 to Pager099
    logged = [json.loads(e["params"]) for e in audit.search(graph, action="search", limit=10)]
    assert {(p["text"], p["more_than"]) for p in logged} >= {("pager", 119), ("pager0", None)}


def test_the_management_total_leaves_out_exactly_whom_the_retention_rule_does(graph: Graph):
    """The first page's total is counted from indexes (count store, less the archived, less
    the live over-18s, plus consenting care leavers under 25): one child of each kind the rule
    tells apart, and the total and the list agree with the rule."""
    from datetime import date

    from explorer import children as reads
    from explorer.accounts import Viewer

    today = date(2026, 6, 1)
    # (id, years old (None: no date of birth), care leaver, consented, marked archived, kept)
    kinds = [("C-10", 10, False, False, False, True),
             ("C-18", 18, False, False, False, False),
             ("C-LEAVER-24", 24, True, True, False, True),
             ("C-LEAVER-25", 25, True, True, False, False),
             ("C-LEAVER-20-NO", 20, True, False, False, False),
             ("C-9-ARCHIVED", 9, False, False, True, False),
             ("C-19-ARCHIVED", 19, False, False, True, False),
             ("C-LEAVER-22-ARCHIVED", 22, True, True, True, False),
             ("C-NO-DOB", None, False, False, False, True)]
    graph.run_autocommit(
        "UNWIND $kinds AS k CREATE (:Child {id: k[0], given_name: 'Kim', family_name: k[0],"
        " date_of_birth: CASE WHEN k[1] IS NULL THEN null"
        "   ELSE $today - duration({years: k[1]}) END,"
        " care_leaver: k[2], care_leaver_consent: k[3], shielded: false, gender: 'female',"
        " archived_at: CASE WHEN k[4] THEN datetime('2026-05-01T00:00:00Z') END,"
        " archived_reason: CASE WHEN k[4] THEN 'aged 18' END})",
        kinds=[list(k[:5]) for k in kinds], today=today)
    manager = Viewer(username="manager", roles=frozenset({"management"}), practitioner_id=None,
                     user_id="u")
    kind, listed = reads.list_children(graph, manager, today=today)
    kept = sorted(k[0] for k in kinds if k[5])
    assert kind == "identified" and listed.total == len(kept) == 3
    assert sorted(c["id"] for c in listed) == kept
