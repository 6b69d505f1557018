"""The geometry memo (explorer/ecomap/memo.py): a network drawn again from the geometry kept
is the network laid out afresh, byte for byte; a network that differs in anything the layout
reads is laid out afresh; what is kept is ids and numbers; and the memo stays bounded."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from explorer.ecomap import memo
from explorer.ecomap.memo import Geometry, GeometryMemo, network_key


@pytest.fixture(autouse=True)
def fresh_memo():
    memo.MEMO.clear()
    yield
    memo.MEMO.clear()


def _net(client, child_id: str, query: str = "") -> bytes:
    reply = client.get(f"/api/children/{child_id}/network?{query}")
    assert reply.status_code == 200, (child_id, query, reply.status_code)
    body = reply.get_json()
    # What the page draws: everything but the audit event's id, which differs per request.
    return json.dumps({k: v for k, v in body.items() if k != "event_id"}, sort_keys=True).encode()


def test_a_network_drawn_from_the_memo_is_the_network_laid_out_afresh(signed_in, demo):
    children = [r["id"] for r in demo.run_autocommit("MATCH (c:Child) RETURN c.id AS id ORDER BY id")]
    assert len(children) >= 10
    for username, roles in (("management", ["management"]), ("chair", ["chair"])):
        client = signed_in(username, roles)
        for child_id in children:
            for query in ("", "depth=2", "ceased=0", "as_of=2025-06-01"):
                memo.MEMO.clear()
                reply = client.get(f"/api/children/{child_id}/network?{query}")
                if reply.status_code != 200:  # out of this role's scope: nothing laid out
                    assert reply.status_code in (403, 404)
                    continue
                fresh = _net(client, child_id, query) if memo.MEMO.hits == 0 else None
                hits = memo.MEMO.hits
                again = _net(client, child_id, query)
                assert memo.MEMO.hits == hits + 1, (child_id, query)
                memo.MEMO.clear()
                laid_out = _net(client, child_id, query)
                assert memo.MEMO.hits == 0 and memo.MEMO.misses == 1
                assert again == laid_out, (username, child_id, query)
                assert fresh in (None, laid_out)


def test_the_memo_keeps_ids_and_numbers_only(signed_in, demo):
    client = signed_in("management", ["management"])
    children = [r["id"] for r in demo.run_autocommit("MATCH (c:Child) RETURN c.id AS id")]
    words, ids = set(), set()
    for child_id in children:
        body = client.get(f"/api/children/{child_id}/network?depth=2").get_json()
        for item in body["nodes"] + body["edges"]:
            ids.add(item["id"])
            words |= {item["label"], item.get("title") or "", item.get("canvas_label") or ""}
            words |= {str(v) for v in (item.get("details") or {}).values()}
    assert len(memo.MEMO) >= len(children) // 2
    strings: set[str] = set()

    def walk(value) -> None:
        if isinstance(value, dict):
            strings.update(value)
            for v in value.values():
                walk(v)
        elif isinstance(value, list | tuple):
            for v in value:
                walk(v)
        elif isinstance(value, str):
            strings.add(value)
        else:
            assert value is None or isinstance(value, bool | int | float), value

    for geometry in memo.MEMO._entries.values():
        walk([geometry.at, geometry.smooth, geometry.label_form])
    assert strings & ids, "the memo should hold the geometry of the networks drawn"
    smooth_words = {"enabled", "type", "roundness", "curvedCW", "curvedCCW"}
    assert strings <= ids | smooth_words, sorted(strings - ids - smooth_words)[:10]
    assert not strings & (words - ids - {""}), sorted(strings & words)[:5]


def test_the_memo_is_bounded_and_forgets_the_least_recently_used():
    kept = GeometryMemo(max_entries=3)
    geometry = Geometry(at={"a": (0, 0)}, smooth={}, label_form={})
    for key in (b"1", b"2", b"3"):
        kept.put(key, geometry)
    assert kept.get(b"1") is geometry  # 1 is now the most recently used
    kept.put(b"4", geometry)
    assert len(kept) == 3
    assert kept.get(b"2") is None and kept.get(b"1") is geometry and kept.get(b"4") is geometry


# Integers as Neo4j holds them (64 bits).
_values = st.recursive(st.none() | st.booleans() | st.integers(-2**63, 2**63 - 1) | st.text(max_size=8),
                       lambda inner: st.lists(inner, max_size=3)
                       | st.dictionaries(st.text(max_size=4), inner, max_size=3), max_leaves=8)
_nodes = st.dictionaries(st.text(min_size=1, max_size=6), st.dictionaries(
    st.sampled_from(["kind", "label", "details", "lead"]), _values, min_size=1), min_size=1,
    max_size=5)


@given(_nodes, st.data())
def test_the_key_is_the_whole_network_in_any_order(nodes, data):
    edges = {"e": {"from": next(iter(nodes)), "to": next(iter(nodes)), "label": "x"}}
    ring = {n: 1 for n in nodes}
    key = network_key(nodes, edges, ring, "r", [], {})
    shuffled = dict(reversed(list(nodes.items())))
    assert network_key(shuffled, edges, dict(reversed(list(ring.items()))), "r", [], {}) == key
    # Any one value changed, anywhere: another key.
    node_id = data.draw(st.sampled_from(sorted(nodes)))
    field = data.draw(st.sampled_from(sorted(nodes[node_id])))
    changed = data.draw(_values.filter(lambda v: v != nodes[node_id][field]
                                       and json.dumps(v) != json.dumps(nodes[node_id][field])))
    other = {**nodes, node_id: {**nodes[node_id], field: changed}}
    assert network_key(other, edges, ring, "r", [], {}) != key
    assert network_key(nodes, edges, ring, "r", ["e"], {}) != key
    assert network_key(nodes, edges, ring, "r", [], {"e": "new"}) != key
    assert network_key(nodes, {"e": {**edges["e"], "label": "y"}}, ring, "r", [], {}) != key
