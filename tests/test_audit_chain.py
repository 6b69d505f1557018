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
