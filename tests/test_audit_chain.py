"""The audit chain: what the app writes links up, and `explorer audit verify` names the
first edited, inserted or deleted event when someone with database access meddles."""

from __future__ import annotations

import itertools
import json
import threading

import pytest

from explorer import audit
from explorer.accounts import Viewer
from explorer.cli import main
from explorer.errors import QueryFailed
from explorer.graph import Graph

ALICE = Viewer(username="alice", roles=frozenset({"practitioner"}), practitioner_id="P-1", user_id="u1")


def _record(graph, n: int, **extra) -> list[str]:
    return [audit.record(graph, viewer=ALICE, action="child.view", params={"child_id": f"C-{i}"},
                         returned_ids=[f"C-{i}"], reason=None, client="10.0.0.1", **extra)
            for i in range(n)]


def _event(graph, seq: int) -> dict:
    return graph.read("audit_events_window", **{"from": seq, "to": seq + 1})[0]["event"]


def _renumber(graph, *, after: int, by: int) -> None:
    # Two steps, as an attacker would, because seq is unique.
    graph.run_autocommit("MATCH (e:AuditEvent) WHERE e.seq > $after SET e.seq = e.seq + 1000000",
                         after=after)
    graph.run_autocommit("MATCH (e:AuditEvent) WHERE e.seq > 1000000 SET e.seq = e.seq - 1000000 + $by",
                         by=by)


def _verify_cli(app) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(main, ["audit", "verify"])
    return result.exit_code, result.output


def test_events_form_a_gapless_linked_chain_and_verify_says_intact(graph, app):
    ids = _record(graph, 5)
    events = [_event(graph, s) for s in range(1, 6)]
    assert [e["id"] for e in events] == ids
    assert [e["seq"] for e in events] == [1, 2, 3, 4, 5]
    assert events[0]["prev_hash"] == ""
    assert all(b["prev_hash"] == a["hash"] for a, b in itertools.pairwise(events))
    assert json.loads(events[2]["params"]) == {"child_id": "C-2"}
    assert events[2]["username"] == "alice" and events[2]["roles"] == ["practitioner"]
    code, output = _verify_cli(app)
    assert code == 0 and "intact: 5 event(s)" in output


def test_an_events_time_is_stored_as_a_datetime_at_the_instant_it_was_recorded(graph, app,
                                                                               clock):
    """The time goes to the database as the text it is hashed as; it is stored as a datetime
    (the trail's date filters compare datetimes), to the microsecond, and the chain verifies."""
    clock.advance(microseconds=123457)
    with app.app_context():
        _record(graph, 2)
    rows = graph.run_autocommit("MATCH (e:AuditEvent) RETURN e.at AS at, valueType(e.at) AS type "
                                "ORDER BY e.seq")
    assert [r["type"] for r in rows] == ["ZONED DATETIME NOT NULL"] * 2
    assert [r["at"] for r in rows] == [clock.at, clock.at]
    assert audit.verify(graph).intact


def test_secrets_never_reach_the_trail(graph):
    audit.record(graph, viewer=ALICE, action="admin.user.add",
                 params={"username": "bob", "password": "hunter2hunter2", "totp_code": "123456",
                         "nested": {"new_secret": "ABC"}}, returned_ids=[], reason=None, client="x")
    stored = _event(graph, 1)["params"]
    assert "hunter2" not in stored and "123456" not in stored and "ABC" not in stored
    assert json.loads(stored)["username"] == "bob"


def test_an_edited_field_is_named(graph, app):
    ids = _record(graph, 5)
    graph.run_autocommit("MATCH (e:AuditEvent {seq: 3}) SET e.returned_ids = ['C-someone-else']")
    code, output = _verify_cli(app)
    assert code == 1
    assert "edited" in output and "seq 3" in output and ids[2] in output


def test_an_edit_that_recomputes_its_own_hash_is_still_named(graph, app):
    ids = _record(graph, 5)
    forged = dict(_event(graph, 2), username="mallory")
    forged["hash"] = audit.event_hash(forged)
    graph.run_autocommit("MATCH (e:AuditEvent {seq: 2}) SET e.username = 'mallory', e.hash = $h",
                         h=forged["hash"])
    result = audit.verify(graph)
    assert result.problem.kind == "edited" and result.problem.event_id == ids[1]


def test_editing_the_last_event_and_its_hash_is_caught_by_the_head(graph):
    ids = _record(graph, 3)
    forged = dict(_event(graph, 3), reason="routine")
    forged["hash"] = audit.event_hash(forged)
    graph.run_autocommit("MATCH (e:AuditEvent {seq: 3}) SET e.reason = 'routine', e.hash = $h",
                         h=forged["hash"])
    result = audit.verify(graph)
    assert result.problem.kind == "edited" and result.problem.event_id == ids[2]


@pytest.mark.parametrize("seq", [1, 3, 5])
def test_a_deleted_event_is_named_by_its_position(graph, app, seq):
    _record(graph, 5)
    graph.run_autocommit("MATCH (e:AuditEvent {seq: $seq}) DETACH DELETE e", seq=seq)
    code, output = _verify_cli(app)
    assert code == 1
    assert "deleted" in output and f"seq {seq}" in output


def test_a_deletion_hidden_by_renumbering_is_still_caught(graph):
    _record(graph, 5)
    graph.run_autocommit("MATCH (e:AuditEvent {seq: 2}) DETACH DELETE e")
    _renumber(graph, after=2, by=-1)
    graph.run_autocommit("MATCH (h:AuditHead) SET h.seq = 4")
    result = audit.verify(graph)
    assert result.problem.kind == "deleted" and result.problem.seq == 2


def test_an_inserted_event_is_named(graph, app):
    _record(graph, 4)
    # Make room after seq 2 and forge a well-formed event there, linked to seq 2.
    _renumber(graph, after=2, by=1)
    graph.run_autocommit("MATCH (h:AuditHead) SET h.seq = 5")
    forged = dict(_event(graph, 2), id="forged-event", seq=3, username="alibi")
    forged["prev_hash"] = _event(graph, 2)["hash"]
    forged["hash"] = audit.event_hash(forged)
    graph.run_autocommit("CREATE (e:AuditEvent) SET e = $e", e=forged)
    code, output = _verify_cli(app)
    assert code == 1
    assert "inserted" in output and "forged-event" in output and "seq 3" in output


def test_an_event_appended_past_the_head_is_named(graph):
    _record(graph, 2)
    forged = dict(_event(graph, 2), id="tail-forgery", seq=3, prev_hash=_event(graph, 2)["hash"])
    forged["hash"] = audit.event_hash(forged)
    graph.run_autocommit("CREATE (e:AuditEvent) SET e = $e", e=forged)
    result = audit.verify(graph)
    assert result.problem.kind == "inserted" and result.problem.event_id == "tail-forgery"


def test_an_event_without_a_sequence_number_is_named(graph):
    _record(graph, 2)
    graph.run_autocommit("CREATE (:AuditEvent {id: 'loose-one', action: 'child.view'})")
    result = audit.verify(graph)
    assert result.problem.kind == "inserted" and result.problem.event_id == "loose-one"


def test_concurrent_writers_make_one_unbroken_chain(graph):
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(10):
                audit.record(graph, viewer=ALICE, action="search", params={"w": n, "i": i},
                             returned_ids=[], reason=None, client=f"t{n}")
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    result = audit.verify(graph)
    assert result.intact, result.problem
    assert result.events == 60 and result.head_seq == 60


def test_writers_in_separate_processes_keep_one_chain(graph):
    """Each process remembers where its own last append left the chain and appends there in
    one statement; when another process has appended since, it must chain to the real end."""
    other = Graph(graph.settings)  # a second app process: its own driver and its own memory
    try:
        for round_ in range(3):
            _record(graph, 2)
            audit.record(other, viewer=ALICE, action="search", params={"round": round_},
                         returned_ids=[], reason=None, client="10.0.0.2")
    finally:
        other.close()
    result = audit.verify(graph)
    assert result.intact, result.problem
    assert result.events == 9 and result.head_seq == 9
    events = [_event(graph, s) for s in range(1, 10)]
    assert [e["client"] for e in events] == ["10.0.0.1", "10.0.0.1", "10.0.0.2"] * 3


def test_a_chain_emptied_under_a_writer_starts_again_at_one(graph):
    """A writer whose remembered end no longer exists (a new database) starts a fresh chain."""
    _record(graph, 3)
    graph.run_autocommit("MATCH (n) WHERE n:AuditEvent OR n:AuditHead DETACH DELETE n")
    _record(graph, 2)
    result = audit.verify(graph)
    assert result.intact, result.problem
    assert result.events == 2 and _event(graph, 1)["prev_hash"] == ""


def test_many_concurrent_requests_each_get_their_own_committed_event_in_one_gapless_chain(graph):
    """Group commit: 24 threads appending at once (a busy worker's requests). Each record()
    returns only once its event is committed (another driver, i.e. another process, reads it
    straight away), every event is there once, and the chain has no gaps or forks."""
    other = Graph(graph.settings)
    found: dict[str, str] = {}  # event id -> the writer that recorded it
    missing: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(24)

    def writer(n: int) -> None:
        try:
            start.wait()
            for i in range(8):
                event_id = audit.record(graph, viewer=ALICE, action="search", params={"w": n, "i": i},
                                        returned_ids=[], reason=None, client=f"t{n}")
                rows = other.run_autocommit("MATCH (e:AuditEvent {id: $id}) RETURN e.seq AS s",
                                            id=event_id)
                if len(rows) != 1:
                    missing.append(event_id)
                found[event_id] = f"t{n}"
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(24)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        other.close()
    assert not errors and not missing
    result = audit.verify(graph)
    assert result.intact, result.problem
    assert result.events == 24 * 8 == len(found) and result.head_seq == 24 * 8
    events = [_event(graph, s) for s in range(1, 24 * 8 + 1)]
    assert {e["id"]: e["client"] for e in events} == found
    for n in range(24):  # each writer's events in the order it recorded them
        mine = [json.loads(e["params"])["i"] for e in events if e["client"] == f"t{n}"]
        assert mine == list(range(8))


def _hold_the_chain_head(graph):
    """A transaction holding the chain head's lock, as a slow append in another process would."""
    session = graph.driver().session(database=graph.database)
    tx = session.begin_transaction()
    tx.run("MERGE (h:AuditHead {id: 'audit'}) ON CREATE SET h.seq = 0, h.hash = '' "
           "SET h._lock = true").consume()
    return session, tx


def _wait_for_waiting(graph, count: int) -> None:
    appender = audit._appender(graph)
    for _ in range(500):
        with appender._cond:
            if len(appender._pending) >= count:
                return
        threading.Event().wait(0.01)
    raise AssertionError(f"{count} appends never queued up")


def test_appends_queued_behind_a_held_head_commit_together_and_in_order(graph):
    """While the head is locked elsewhere, one request's append waits on the lock and the
    others queue in the process; once it is free, they commit (as one batch) in arrival order."""
    _record(graph, 1)  # the chain's head exists
    session, tx = _hold_the_chain_head(graph)
    done: list[str] = []
    threads = [threading.Thread(target=lambda n=n: done.append(audit.record(
        graph, viewer=ALICE, action="search", params={"n": n}, returned_ids=[], reason=None,
        client=f"q{n}"))) for n in range(6)]
    try:
        threads[0].start()
        threading.Event().wait(0.3)  # the first is now waiting on the lock, leading
        for t in threads[1:]:
            t.start()
            _wait_for_waiting(graph, threads.index(t))
        assert done == []  # nobody answered while their events could not be committed
    finally:
        tx.rollback()
        session.close()
    for t in threads:
        t.join()
    assert len(done) == 6
    result = audit.verify(graph)
    assert result.intact and result.events == 7
    assert [_event(graph, s)["client"] for s in range(2, 8)] == [f"q{n}" for n in range(6)]


def test_an_event_the_database_refuses_fails_only_its_own_request(graph):
    """A batch holding one event Neo4j cannot store (here a map where a string belongs) is
    committed event by event: that request fails, the others in its batch are recorded."""
    _record(graph, 1)
    session, tx = _hold_the_chain_head(graph)
    outcome: dict[int, object] = {}

    def writer(n: int) -> None:
        try:
            outcome[n] = audit.record(graph, viewer=ALICE, action="search", params={"n": n},
                                      returned_ids=[], client=f"r{n}",
                                      reason={"not": "a string"} if n == 2 else None)
        except Exception as exc:  # the outcome is the assertion
            outcome[n] = exc

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(5)]
    try:
        threads[0].start()
        threading.Event().wait(0.3)
        for t in threads[1:]:
            t.start()
            _wait_for_waiting(graph, threads.index(t))
    finally:
        tx.rollback()
        session.close()
    for t in threads:
        t.join()
    assert isinstance(outcome[2], QueryFailed)
    assert all(isinstance(outcome[n], str) for n in (0, 1, 3, 4))
    result = audit.verify(graph)
    assert result.intact and result.events == 5
    assert sorted(_event(graph, s)["client"] for s in range(2, 6)) == ["r0", "r1", "r3", "r4"]
