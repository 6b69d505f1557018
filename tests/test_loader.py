"""Loading seeds into the real Neo4j: idempotent, sticky shields, snapshots end and never
delete, interrupted loads complete, invalid seeds write nothing."""

from __future__ import annotations

import gc
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from explorer import audit, schema
from explorer.graph import Graph
from explorer.paths import REPO_ROOT
from explorer.seed import SeedInvalid, read_seed
from explorer.seed.generate import generate
from explorer.seed.loader import known_ids, load
from explorer.seed.model import SeedChanged

DEMO = REPO_ROOT / "seed" / "demo"
TODAY = date(2026, 11, 24)


def snapshot_of_graph(graph: Graph) -> tuple[list, list]:
    """Every node and relationship with all its properties, in a stable order; the audit trail
    (which a completed load adds to) is not the data."""
    nodes = graph.run_autocommit(
        "MATCH (n) WHERE NOT n:AuditEvent AND NOT n:AuditHead "
        "RETURN labels(n) AS labels, properties(n) AS props ORDER BY n.id, labels(n)[0]")
    rels = graph.run_autocommit(
        "MATCH (a)-[r]->(b) RETURN a.id AS a, type(r) AS type, b.id AS b, properties(r) AS props "
        "ORDER BY a, type, b, r.key")
    return nodes, rels


def _load(graph: Graph, path: Path, **kwargs):
    seed = read_seed(path, today=TODAY, known_ids=known_ids(graph))
    return load(graph, seed, source=kwargs.pop("source", "test"), on=TODAY, progress=False, **kwargs)


def _copy_demo(tmp_path: Path) -> Path:
    target = tmp_path / "feed"
    shutil.copytree(DEMO, target)
    return target


def _index_states(graph: Graph) -> dict[str, str]:
    return {row["name"]: row["state"] for row in graph.run_autocommit(
        "SHOW INDEXES YIELD name, state RETURN name, state")}


def _all_plain_indexes_online(graph: Graph) -> bool:
    states = _index_states(graph)
    return all(states.get(name) == "ONLINE" for name in schema.plain_indexes())


def _rewrite(path: Path, edit) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(edit(lines)), encoding="utf-8")


def test_loading_the_demo_creates_every_row(graph: Graph):
    seed = read_seed(DEMO, today=TODAY)
    report = load(graph, seed, source="demo", on=TODAY, progress=False)
    counts = seed.summary()
    for name, n in counts.items():
        assert sum(report.outcomes[name].values()) == n
    children = graph.run_autocommit("MATCH (c:Child) RETURN count(c) AS n")[0]["n"]
    assert children == counts["child"]
    lives_in = graph.run_autocommit("MATCH ()-[r:LIVES_IN]->() RETURN count(r) AS n")[0]["n"]
    assert lives_in == counts["lives_in"]
    plans = graph.run_autocommit("MATCH (:Child)-[:HAD_PLAN]->(p:Plan) RETURN count(p) AS n")
    assert plans[0]["n"] == counts["plan"] > 0


def test_loading_the_same_seed_twice_changes_nothing(graph: Graph):
    first = _load(graph, DEMO)
    before = snapshot_of_graph(graph)
    second = _load(graph, DEMO)
    assert snapshot_of_graph(graph) == before
    assert second.total("created") == second.total("updated") == 0
    assert second.total("unchanged") == first.total("created")


def test_dry_run_reports_what_a_load_would_do_and_writes_nothing(graph: Graph):
    rehearsal = _load(graph, DEMO, dry_run=True)
    assert snapshot_of_graph(graph) == ([], [])
    real = _load(graph, DEMO)
    assert rehearsal.outcomes == real.outcomes


def _shielded(graph: Graph, child_id: str) -> bool:
    return graph.run_autocommit("MATCH (c:Child {id: $id}) RETURN c.shielded AS s", id=child_id)[0]["s"]


def test_a_feed_that_drops_or_contradicts_a_shield_leaves_the_child_shielded(graph: Graph, tmp_path):
    _load(graph, DEMO)
    shielded = [r["id"] for r in graph.run_autocommit("MATCH (c:Child {shielded: true}) RETURN c.id AS id")]
    assert shielded, "the demo seed must have a shielded child"

    contradicts = _copy_demo(tmp_path / "a")
    _rewrite(contradicts / "children.csv",
             lambda lines: [line.replace(",true,", ",false,") if any(i in line for i in shielded)
                            else line for line in lines])
    _load(graph, contradicts, mode="snapshot")
    assert all(_shielded(graph, cid) for cid in shielded)

    # A feed without the column at all: read it, drop the column, write it back.
    omits = _copy_demo(tmp_path / "b")
    import csv
    with (omits / "children.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    fields = [f for f in rows[0] if f != "shielded"]
    with (omits / "children.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    _load(graph, omits)
    assert all(_shielded(graph, cid) for cid in shielded)


def test_a_feed_can_shield_a_child(graph: Graph, tmp_path):
    _load(graph, DEMO)
    child = graph.run_autocommit("MATCH (c:Child {shielded: false}) RETURN c.id AS id LIMIT 1")[0]["id"]
    feed = tmp_path / "feed.jsonl"
    row = graph.run_autocommit("MATCH (c:Child {id: $id}) RETURN properties(c) AS p", id=child)[0]["p"]
    import json
    row = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}
    row.update(type="child", shielded=True, former_names="|".join(row.get("former_names") or []))
    feed.write_text(json.dumps(row) + "\n", encoding="utf-8")
    report = _load(graph, feed)
    assert report.outcomes["child"]["updated"] == 1, report.table()
    assert _shielded(graph, child)


def test_a_snapshot_ends_absent_involvements_and_deletes_nothing(graph: Graph, tmp_path):
    _load(graph, DEMO, source="council")
    open_before = graph.run_autocommit(
        "MATCH ()-[r:INVOLVED_WITH]->() WHERE r.until IS NULL RETURN r.id AS id ORDER BY id")
    dropped = open_before[0]["id"]
    feed = _copy_demo(tmp_path)
    _rewrite(feed / "involved_with.csv",
             lambda lines: [line for line in lines if not line.startswith(dropped + ",")])
    before_count = graph.run_autocommit("MATCH ()-[r:INVOLVED_WITH]->() RETURN count(r) AS n")[0]["n"]

    incremental = _load(graph, feed, source="council", mode="incremental")
    assert sum(incremental.ended.values()) == 0

    snapshot = _load(graph, feed, source="council", mode="snapshot")
    assert snapshot.ended == {"INVOLVED_WITH": 1}
    row = graph.run_autocommit(
        "MATCH ()-[r:INVOLVED_WITH {id: $id}]->() RETURN r.until AS until, r.ended_by AS by", id=dropped)
    assert row == [{"until": TODAY, "by": "snapshot"}]
    assert graph.run_autocommit("MATCH ()-[r:INVOLVED_WITH]->() RETURN count(r) AS n")[0]["n"] == before_count

    # The same snapshot again: nothing more to end, nothing changed.
    again = _load(graph, feed, source="council", mode="snapshot")
    assert sum(again.ended.values()) == 0 and again.total("updated") == 0


def test_a_snapshot_of_one_source_does_not_end_another_sources_data(graph: Graph, tmp_path):
    _load(graph, DEMO, source="health")
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "children.csv").write_text(
        "id,given_name,family_name,date_of_birth,gender\n", encoding="utf-8")
    report = _load(graph, empty, source="education", mode="snapshot")
    assert sum(report.ended.values()) == 0


def test_an_interrupted_load_completes_without_duplicates(graph: Graph, tmp_path):
    population = tmp_path / "pop"
    generate(population, children=600, seed=7, today=TODAY)

    class Interrupted(Exception):
        pass

    def stop_after(batches: int) -> None:
        if batches == 5:
            raise Interrupted

    seed = read_seed(population, today=TODAY)
    with pytest.raises(Interrupted):
        load(graph, seed, source="pop", on=TODAY, batch_size=200, progress=False, after_batch=stop_after)
    partial = graph.run_autocommit("MATCH (n) RETURN count(n) AS n")[0]["n"]
    assert partial > 0

    load(graph, read_seed(population, today=TODAY, known_ids=known_ids(graph)), source="pop",
         on=TODAY, batch_size=200, progress=False)
    resumed = snapshot_of_graph(graph)

    graph.run_autocommit("MATCH (n) DETACH DELETE n")
    load(graph, seed, source="pop", on=TODAY, batch_size=200, progress=False)
    assert snapshot_of_graph(graph) == resumed


def _cli_env(neo4j_settings) -> dict[str, str]:
    env = dict(os.environ)
    env.update(NEO4J_URI=neo4j_settings.uri, NEO4J_USERNAME=neo4j_settings.username,
               NEO4J_PASSWORD=neo4j_settings.resolve_password(),
               NEO4J_DATABASE=neo4j_settings.database)
    return env


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "explorer.cli", *args], env=env,
                          capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.slow
def test_kill_9_mid_load_then_rerun_completes_without_duplicates(graph: Graph, tmp_path, neo4j_settings):
    population = tmp_path / "pop"
    generate(population, children=3000, seed=11, today=TODAY)
    env = _cli_env(neo4j_settings)
    cmd = [sys.executable, "-m", "explorer.cli", "seed", "load", str(population),
           "--batch-size", "500", "--today", TODAY.isoformat()]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if graph.run_autocommit("MATCH (n:Adult) RETURN count(n) AS n")[0]["n"] > 0:
            break
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert graph.run_autocommit("MATCH ()-[r]->() RETURN count(r) AS n")[0]["n"] == 0, \
        "the load finished before it could be killed; make the population larger"

    # A load killed while it deferred its indexes leaves them dropped (this one was too
    # small to defer them): the next load builds them.
    schema.drop_plain_indexes(graph, set(schema.plain_indexes().values()))
    rerun = _cli("seed", "load", str(population), "--batch-size", "500", "--today", TODAY.isoformat(),
                 env=env)
    assert rerun.returncode == 0, rerun.stderr
    assert _all_plain_indexes_online(graph)  # whatever the killed load had dropped
    resumed = snapshot_of_graph(graph)
    # The completed load is in the audit trail, with the chairs its conferences name; the
    # killed one, which finished nothing, is not.
    loads = audit.search(graph, action="admin.seed.load")
    assert len(loads) == 1 and loads[0]["username"].startswith("cli:")
    assert '"chairs": ["chair.' in loads[0]["params"]
    graph.run_autocommit("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS")
    clean = _cli("seed", "load", str(population), "--batch-size", "500", "--today", TODAY.isoformat(),
                 env=env)
    assert clean.returncode == 0, clean.stderr
    assert snapshot_of_graph(graph) == resumed


def _refused_by_cli(graph: Graph, feed: Path, neo4j_settings) -> str:
    """`explorer seed load` of a malformed feed over the loaded demo: exit status 2, the
    graph exactly as it was; returns what it printed."""
    before = snapshot_of_graph(graph)
    result = _cli("seed", "load", str(feed), env=_cli_env(neo4j_settings))
    assert result.returncode == 2
    assert "Nothing was written" in result.stderr
    assert snapshot_of_graph(graph) == before
    return result.stderr


def test_an_invalid_seed_is_rejected_with_file_and_line_and_nothing_is_written(
    graph: Graph, tmp_path, neo4j_settings
):
    _load(graph, DEMO)
    feed = _copy_demo(tmp_path)
    # Line 4 of children.csv gets a malformed date; involved_with.csv a last line naming nobody.
    _rewrite(feed / "children.csv",
             lambda lines: [*lines[:3], lines[3].replace(",2024-06-05,", ",2024/06/05,"), *lines[4:]])
    _rewrite(feed / "involved_with.csv",
             lambda lines: [*lines, "I-NEW,P-SW1,C-NOBODY,S-CSC,sw,2025-01-01,,,,\n"])
    printed = _refused_by_cli(graph, feed, neo4j_settings)
    assert "children.csv:4:date_of_birth" in printed
    assert f"involved_with.csv:{len((feed / 'involved_with.csv').read_text().splitlines())}:child_id" \
        in printed


def test_a_malformed_previous_plan_is_rejected_and_nothing_is_written(
    graph: Graph, tmp_path, neo4j_settings
):
    _load(graph, DEMO)
    feed = _copy_demo(tmp_path)
    # Zoë's current plan started 2026-03-02: an earlier plan cannot end after it.
    _rewrite(feed / "plans.csv",
             lambda lines: [*lines, "PL-ZOE-2,C-ZOE,emotional,2025-01-06,2026-04-01\n"])
    line = len((feed / "plans.csv").read_text().splitlines())
    assert (f"plans.csv:{line}:end: end 2026-04-01 is not before the current plan_start "
            "2026-03-02 of child 'C-ZOE' (children.csv:2)") in _refused_by_cli(graph, feed,
                                                                             neo4j_settings)


def _plans(graph: Graph) -> list[tuple]:
    return [tuple(r.values()) for r in graph.run_autocommit(
        "MATCH (c:Child)-[:HAD_PLAN]->(p:Plan) "
        "RETURN p.id AS id, c.id AS child, p.category AS category, p.start AS start, "
        "p.`end` AS end ORDER BY id, child")]


def test_previous_plans_are_upserted_moved_and_never_ended_by_a_snapshot(graph: Graph, tmp_path):
    _load(graph, DEMO)
    stored = _plans(graph)
    feed = tmp_path / "feed"
    feed.mkdir()
    # One plan corrected (its end), one moved to the child it really belonged to, one as it was.
    (feed / "plans.csv").write_text(
        "id,child_id,category,start,end\n"
        "PL-ZOE-1,C-ZOE,neglect,2021-06-14,2022-10-03\n"
        "PL-MUHAMMAD-1,C-LIAM,emotional,2022-02-07,2023-03-13\n"
        "PL-OLIVER-1,C-OLIVER,neglect,2023-05-22,2025-01-19\n", encoding="utf-8")
    report = _load(graph, feed)
    assert report.outcomes["plan"] == {"updated": 2, "unchanged": 1}
    plans = {p[0]: p for p in _plans(graph)}
    assert len(plans) == len(stored)  # one child per plan: the move left Muhammad
    assert plans["PL-ZOE-1"][4] == date(2022, 10, 3)
    assert plans["PL-MUHAMMAD-1"][1] == "C-LIAM"
    again = _load(graph, feed)
    assert again.outcomes["plan"] == {"unchanged": 3}
    # A snapshot without plans.csv: plans are history, nothing of theirs is ended or removed.
    before = _plans(graph)
    snapshot = _copy_demo(tmp_path / "snapshot")
    (snapshot / "plans.csv").unlink()
    result = _load(graph, snapshot, mode="snapshot", source="test")
    assert "Plan" not in result.ended and "HAD_PLAN" not in result.ended
    assert _plans(graph) == before


def test_an_incremental_feed_may_refer_to_stored_nodes(graph: Graph, tmp_path):
    _load(graph, DEMO)
    child = graph.run_autocommit("MATCH (c:Child) RETURN c.id AS id LIMIT 1")[0]["id"]
    practitioner = graph.run_autocommit("MATCH (p:Practitioner)-[:WORKS_FOR]->(s:Service) "
                                        "RETURN p.id AS p, s.id AS s LIMIT 1")[0]
    feed = tmp_path / "feed"
    feed.mkdir()
    (feed / "involved_with.csv").write_text(
        "id,practitioner_id,child_id,service_id,role,since\n"
        f"I-FEED-1,{practitioner['p']},{child},{practitioner['s']},duty worker,2026-10-01\n",
        encoding="utf-8")
    report = _load(graph, feed)
    assert report.outcomes["involved_with"]["created"] == 1


def test_concurrent_batches_load_the_same_graph_as_one_at_a_time(graph: Graph, tmp_path):
    population = tmp_path / "pop"
    generate(population, children=600, seed=11, today=TODAY)
    seed = read_seed(population, today=TODAY)
    one = load(graph, seed, source="pop", on=TODAY, batch_size=150, progress=False, workers=1)
    serial = snapshot_of_graph(graph)
    graph.run_autocommit("MATCH (n) DETACH DELETE n")
    two = load(graph, seed, source="pop", on=TODAY, batch_size=150, progress=False, workers=2)
    assert snapshot_of_graph(graph) == serial
    assert two.outcomes == one.outcomes
    # A second load into the now non-empty labels merges: nothing changes.
    again = load(graph, seed, source="pop", on=TODAY, batch_size=150, progress=False, workers=2)
    assert again.total("created") == again.total("updated") == 0


def test_a_load_into_an_empty_graph_builds_its_plain_indexes_after_writing(graph: Graph):
    during: list[set[str]] = []
    report = _load(graph, DEMO, defer_indexes=True,
                   after_batch=lambda n: during.append(set(_index_states(graph))))
    deferred = set(report.deferred_indexes)
    # Every plain index of a label or type the demo fills; the constraints stay.
    assert {"child_nhs_number", "child_family_name_dob", "lives_in_key", "attends_key"} <= deferred
    assert not deferred & {"session_username", "audit_event_at"}  # nothing the seed writes
    assert during and all(not names & deferred for names in during)
    assert all({"child_id", "involvement_id"} <= names for names in during)
    assert _all_plain_indexes_online(graph)
    assert "indexes built after writing" in report.table()
    # The same graph as a load that maintains every index while writing.
    deferred_graph = snapshot_of_graph(graph)
    graph.run_autocommit("MATCH (n) DETACH DELETE n")
    kept = _load(graph, DEMO, defer_indexes=False)
    assert kept.deferred_indexes == [] and kept.outcomes == report.outcomes
    assert snapshot_of_graph(graph) == deferred_graph


def test_a_load_into_a_filled_label_keeps_its_indexes(graph: Graph, tmp_path):
    without_schools = _copy_demo(tmp_path)
    (without_schools / "attends.csv").unlink()
    _load(graph, without_schools)
    during: list[set[str]] = []
    report = _load(graph, DEMO, defer_indexes=True,
                   after_batch=lambda n: during.append(set(_index_states(graph))))
    # Only ATTENDS was empty; the indexes of everything already stored stay in use.
    assert report.deferred_indexes == ["attends_key"]
    assert all("child_nhs_number" in names and "lives_in_key" in names for names in during)
    assert _all_plain_indexes_online(graph)


def test_a_small_load_maintains_its_indexes_unless_asked(graph: Graph):
    assert _load(graph, DEMO).deferred_indexes == []  # the demo is far below the threshold


def test_an_interrupted_load_puts_its_deferred_indexes_back(graph: Graph):
    class Interrupted(Exception):
        pass

    def stop(batches: int) -> None:
        if batches == 3:
            raise Interrupted

    with pytest.raises(Interrupted):
        _load(graph, DEMO, defer_indexes=True, after_batch=stop)
    graph.run_autocommit("CALL db.awaitIndexes(60)")
    assert _all_plain_indexes_online(graph)


def test_an_invalid_seed_checked_in_parallel_writes_nothing(graph: Graph, tmp_path, neo4j_settings,
                                                             monkeypatch):
    from click.testing import CliRunner

    from explorer import cli
    from explorer.seed import validate

    _load(graph, DEMO)
    before = snapshot_of_graph(graph)
    population = tmp_path / "pop"
    generate(population, children=400, seed=5, today=TODAY)
    children = (population / "children.csv").read_text(encoding="utf-8").split("\n")
    children[6] = children[6].replace(children[6].split(",")[4], "2019/01/01", 1)
    (population / "children.csv").write_text("\n".join(children), encoding="utf-8")
    with (population / "attends.csv").open("a", encoding="utf-8") as fh:
        fh.write("C-NOBODY,S-NOWHERE,2025-01-01,\n")
    attends_line = len((population / "attends.csv").read_text(encoding="utf-8").splitlines())
    from tqdm import tqdm
    if tqdm.monitor is not None:  # a thread: files would be read by this process alone
        tqdm.monitor.exit()
        tqdm.monitor = None
    monkeypatch.setattr(validate, "PARALLEL_FROM_BYTES", 0)  # so this small seed is split too
    forks = []
    get_context = multiprocessing.get_context
    monkeypatch.setattr(multiprocessing, "get_context",
                        lambda method: forks.append(method) or get_context(method))
    result = CliRunner().invoke(cli.main, ["seed", "load", str(population),
                                           "--today", TODAY.isoformat()],
                                env=_cli_env(neo4j_settings))
    assert result.exit_code == 2, result.output
    assert "children.csv:7:date_of_birth: expected a date YYYY-MM-DD" in result.output
    assert f"attends.csv:{attends_line}:child_id: no child with id 'C-NOBODY'" in result.output
    assert "Nothing was written" in result.output
    assert snapshot_of_graph(graph) == before
    # The files were read in parallel: those that refer to no other, then the rest.
    assert forks == ["fork", "fork"]


def test_a_load_leaves_the_cycle_collector_as_it_found_it(graph: Graph):
    """The seed's rows are frozen while they are written, and only while: a long-running
    app that loads a seed must collect its own garbage afterwards, and objects someone
    else froze stay frozen."""
    assert gc.isenabled() and gc.get_freeze_count() == 0
    _load(graph, DEMO)
    assert gc.isenabled() and gc.get_freeze_count() == 0

    gc.freeze()
    frozen = gc.get_freeze_count()
    try:
        _load(graph, DEMO)
        assert gc.isenabled() and gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


def test_the_dates_stored_are_the_dates_of_the_seed(graph: Graph):
    # Dates are sent in Bolt's own form (explorer.graph.wire_date), not as the driver
    # would convert them: what is stored must still be each row's date.
    seed = read_seed(DEMO, today=TODAY)
    load(graph, seed, source="demo", on=TODAY, progress=False)
    born = {r["id"]: r["born"] for r in graph.run_autocommit(
        "MATCH (c:Child) RETURN c.id AS id, c.date_of_birth AS born")}
    assert born == {row["id"]: row["date_of_birth"] for row in seed.rows["child"]}
    since = {r["id"]: (r["since"], r["until"]) for r in graph.run_autocommit(
        "MATCH ()-[r:INVOLVED_WITH]->() RETURN r.id AS id, r.since AS since, r.until AS until")}
    assert since == {row["id"]: (row["since"], row["until"]) for row in seed.rows["involved_with"]}
    assert all(type(d) is date for d in born.values())  # a DATE, not a datetime


def test_a_feed_that_moves_a_stored_involvement_is_rejected_before_anything_is_written(
        graph: Graph, tmp_path):
    # Involvement ids are unique in the database: a feed giving a stored one to another
    # child would otherwise stop the load part-way, after earlier batches had committed.
    _load(graph, DEMO)
    before = snapshot_of_graph(graph)
    header, first = (DEMO / "involved_with.csv").read_text(encoding="utf-8").splitlines()[:2]
    fields = first.split(",")
    assert fields[:3] == ["I-001", "P-SW1", "C-ZOE"]
    new = ["I-NEW", "P-SW1", "C-LIAM", *fields[3:]]
    moved = ["I-001", "P-SW1", "C-LIAM", *fields[3:]]
    feed = tmp_path / "feed"
    feed.mkdir()
    (feed / "involved_with.csv").write_text(
        "\n".join([header, ",".join(new), ",".join(moved)]) + "\n", encoding="utf-8")
    with pytest.raises(SeedInvalid) as raised:
        _load(graph, feed, batch_size=1)
    assert [str(p) for p in raised.value.problems] == [
        "involved_with.csv:3:child_id: involvement 'I-001' is stored between practitioner "
        "'P-SW1' and child 'C-ZOE'; an involvement cannot move to another practitioner or "
        "child (end it, and give the new one a new id)"]
    assert snapshot_of_graph(graph) == before


def test_a_conference_a_feed_gives_another_child_moves_to_that_child(graph: Graph, tmp_path):
    _load(graph, DEMO)
    header, first = (DEMO / "conferences.csv").read_text(encoding="utf-8").splitlines()[:2]
    conference, child, *rest = first.split(",")
    assert child == "C-ZOE"
    feed = tmp_path / "feed"
    feed.mkdir()
    (feed / "conferences.csv").write_text(
        "\n".join([header, ",".join([conference, "C-LIAM", *rest])]) + "\n", encoding="utf-8")
    report = _load(graph, feed)
    assert report.outcomes["conference"] == {"updated": 1}
    about = graph.run_autocommit(
        "MATCH (:Conference {id: $id})-[:ABOUT]->(c) RETURN collect(c.id) AS ids", id=conference)
    assert about[0]["ids"] == ["C-LIAM"]
    assert _load(graph, feed).outcomes["conference"] == {"unchanged": 1}


def test_a_seed_changed_after_it_was_validated_is_not_loaded(graph: Graph, tmp_path):
    """The load reads the seed's files again (issue 20: no rows held in memory); what it would
    read now was not validated, so it stops before writing anything."""
    path = _copy_demo(tmp_path)
    seed = read_seed(path, today=TODAY, known_ids=known_ids(graph))
    children = path / "children.csv"
    children.write_text(children.read_text(encoding="utf-8").replace("C-ZOE", "C-ZOE-2"),
                        encoding="utf-8")
    before = snapshot_of_graph(graph)
    with pytest.raises(SeedChanged, match="changed after it was validated"):
        load(graph, seed, source="test", on=TODAY, progress=False)
    assert snapshot_of_graph(graph) == before
