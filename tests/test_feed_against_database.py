"""A daily feed into a database that already holds children: checked against what is stored
by asking the database about the ids the feed names, never by reading every stored id.

On the real Neo4j: a population is loaded, then small feeds that name what it holds are
validated (each rule against stored data still says file:line:column) and loaded.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from explorer import policy
from explorer.graph import Graph
from explorer.paths import REPO_ROOT
from explorer.seed import SeedInvalid, read_seed
from explorer.seed.generate import generate
from explorer.seed.loader import known_ids, load

DEMO = REPO_ROOT / "seed" / "demo"
TODAY = date(2026, 11, 24)


class CountingGraph(Graph):
    """The graph, counting what validation reads from it: the rows each query returned and
    every id it was asked about (the lookups' list parameters)."""

    def __init__(self, graph: Graph) -> None:
        super().__init__(graph.settings)
        self.rows = 0
        self.asked: list[str] = []

    def read(self, name: str, *, vary: Any = None, **params: Any) -> list[dict[str, Any]]:
        found = super().read(name, vary=vary, **params)
        self.rows += len(found)
        self.asked.extend(v for value in params.values() if isinstance(value, list) for v in value)
        return found


def _load(graph: Graph, path: Path) -> None:
    seed = read_seed(path, today=TODAY, known_ids=known_ids(graph, TODAY))
    load(graph, seed, source="test", on=TODAY, progress=False)


def _feed(tmp_path: Path, **files: str) -> Path:
    d = tmp_path / "feed"
    d.mkdir()
    for name, text in files.items():
        (d / f"{name}.csv").write_text(text, encoding="utf-8")
    return d


def _problems(graph: Graph, path: Path) -> list[str]:
    with pytest.raises(SeedInvalid) as raised:
        read_seed(path, today=TODAY, known_ids=known_ids(graph, TODAY))
    return [str(p) for p in raised.value.problems]


def _stored(graph: Graph, label: str, n: int) -> list[str]:
    return [r["id"] for r in graph.run_autocommit(
        f"MATCH (n:{label}) RETURN n.id AS id ORDER BY n.id LIMIT $n", n=n)]


def test_a_small_feed_is_checked_by_asking_about_its_own_ids_only(graph: Graph, tmp_path):
    generate(tmp_path / "pop", children=400, seed=5, today=TODAY)
    _load(graph, tmp_path / "pop")
    stored_ids = graph.run_autocommit("MATCH (n) WHERE n:Child OR n:Adult OR n:Household OR "
                                      "n:Practitioner OR n:Service RETURN count(n) AS n")[0]["n"]
    involvement = graph.run_autocommit(
        "MATCH (p:Practitioner)-[r:INVOLVED_WITH]->(c:Child) RETURN r.id AS id, p.id AS p, "
        "c.id AS c, r.since AS since LIMIT 1")[0]
    worker = graph.run_autocommit("MATCH (p:Practitioner)-[:WORKS_FOR]->(s:Service) "
                                  "RETURN p.id AS p, s.id AS s LIMIT 1")[0]
    (child, other), (adult,), (household,) = (_stored(graph, "Child", 2), _stored(graph, "Adult", 1),
                                               _stored(graph, "Household", 1))
    feed = _feed(
        tmp_path,
        involved_with="id,practitioner_id,child_id,service_id,role,since\n"
                      f"I-FEED-1,{worker['p']},{child},{worker['s']},duty worker,2026-10-01\n"
                      f"{involvement['id']},{involvement['p']},{involvement['c']},{worker['s']},"
                      f"duty worker,{involvement['since'].isoformat()}\n",
        lives_in=f"person_id,household_id,since\n{other},{household},2026-10-01\n"
                 f"{adult},{household},2026-10-01\n")
    named = {"I-FEED-1", worker["p"], child, worker["s"], involvement["id"], involvement["p"],
             involvement["c"], other, household, adult}
    counting = CountingGraph(graph)
    try:
        seed = read_seed(feed, today=TODAY, known_ids=known_ids(counting, TODAY))
    finally:
        counting.close()
    # Asked about the feed's ids (and the tombstone hashes of its children), nothing else;
    # what came back is at most a row an id and the one row of counts, of thousands stored.
    hashes = {policy.purged_id_hash(i) for i in named}
    assert set(counting.asked) <= named | hashes
    assert counting.rows <= len(named) + 1
    assert stored_ids > 1_000
    report = load(graph, seed, source="feed", on=TODAY, progress=False)
    assert report.outcomes["involved_with"]["created"] == 1
    assert report.outcomes["lives_in"]["created"] == 2
    assert graph.run_autocommit(
        "MATCH (c:Child {id: $c})-[:LIVES_IN {source: 'feed'}]->(:Household {id: $h}), "
        "(a:Adult {id: $a})-[:LIVES_IN {source: 'feed'}]->(:Household {id: $h}) "
        "RETURN count(*) AS n", c=other, a=adult, h=household)[0]["n"] == 1


def test_each_rule_against_stored_data_says_file_line_and_column(graph: Graph, tmp_path):
    _load(graph, DEMO)
    graph.run_autocommit("CREATE (:Child {id: 'X-BOTH'}), (:Adult {id: 'X-BOTH'})")
    feed = _feed(
        tmp_path,
        children="id,given_name,family_name,date_of_birth,gender\n"
                 "C-NEW,Ada,Lovelace,2019-05-01,female\n"
                 "A-SIOBHAN,Siobhan,O'Brien,2019-05-01,female\n",
        adults="id,given_name,family_name\nC-ZOE,Zoe,O'Brien\n",
        attends="child_id,service_id,since\nC-NEW,S-OAK,2025-09-01\nC-LIAM,S-GP-HIGH,2025-09-01\n",
        lives_in="person_id,household_id,since\nX-BOTH,H-OBRIEN,2026-01-01\n"
                 "C-NEW,H-NOWHERE,2026-01-01\n",
        involved_with="id,practitioner_id,child_id,service_id,role,since\n"
                      "I-NEW,P-NOBODY,C-LIAM,S-CSC,duty worker,2026-10-01\n"
                      "I-001,P-SW1,C-LIAM,S-CSC,duty worker,2026-10-01\n")
    assert _problems(graph, feed) == [
        "adults.csv:2:id: id 'C-ZOE' is already a child in the database",
        "attends.csv:3:service_id: service 'S-GP-HIGH' is a gp_practice, expected a school "
        "(attends.csv links children to a school)",
        "children.csv:3:id: id 'A-SIOBHAN' is already an adult in the database",
        "involved_with.csv:2:practitioner_id: no practitioner with id 'P-NOBODY' in the seed or "
        "the database (practitioners.csv)",
        "involved_with.csv:3:child_id: involvement 'I-001' is stored between practitioner "
        "'P-SW1' and child 'C-ZOE'; an involvement cannot move to another practitioner or "
        "child (end it, and give the new one a new id)",
        "lives_in.csv:2:person_id: id 'X-BOTH' is both a child and an adult",
        "lives_in.csv:3:household_id: no household with id 'H-NOWHERE' in the seed or the "
        "database (households.csv)",
    ]


def test_a_first_load_into_an_empty_database_asks_it_nothing_but_its_counts(graph: Graph):
    counting = CountingGraph(graph)
    try:
        seed = read_seed(DEMO, today=TODAY, known_ids=known_ids(counting, TODAY))
    finally:
        counting.close()
    assert counting.rows == 1 and counting.asked == []
    assert sum(seed.summary().values()) > 200
