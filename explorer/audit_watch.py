"""The audit page's check of the hash chain: incremental and bounded, so every page load can
afford it, with what it has verified kept outside the database.

`explorer audit verify` walks the whole chain: thorough, but O(events), too slow for a page
once the trail is large. The page instead keeps a *checkpoint* (the seq and hash of the last
event it verified) in ``var/audit-checkpoint.json``, outside Neo4j, so someone who can edit
the database cannot also edit what the page already vouched for. Each load of the page

1. walks forward from the checkpoint over at most ``window`` new events, checking each one's
   own hash and its link to the one before, and that the checkpoint event itself still has the
   hash it had; then moves the checkpoint;
2. re-walks one window of *older* events, a cursor cycling from seq 1 to the checkpoint, so
   an edit to an old event is found within (events / window) page loads, not only by the
   command line;
3. compares the chain's recorded head with what it walked (events deleted from the end).

A problem found is kept in the file and shown on the page until someone resets it (deleting
the file after `explorer audit verify` says the chain is intact, or after restoring a backup):
a banner that went away by itself on the next load would be easy to miss. The app keeps
writing events meanwhile: refusing every audited action would stop the service, and the new
events are still chained and checkable from the break onwards.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from explorer.audit import GENESIS, event_hash
from explorer.graph import Graph

DEFAULT_WINDOW = 5000
FILE_NAME = "audit-checkpoint.json"


@dataclass(frozen=True)
class ChainState:
    verified_seq: int = 0  # every event up to here was found intact and linked
    verified_hash: str = GENESIS
    rescan_from: int = 1  # where the next re-walk of older events starts
    head_seq: int = 0  # the chain's recorded end when last looked at
    problem: str | None = None  # the first break found, kept until reset

    @property
    def intact(self) -> bool:
        return self.problem is None

    @property
    def unchecked(self) -> int:
        """Events written but not yet walked (a large trail takes a few page loads)."""
        return max(0, self.head_seq - self.verified_seq)


def _read(path: Path) -> ChainState:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return ChainState(**{k: data[k] for k in ChainState.__dataclass_fields__ if k in data})
    except FileNotFoundError:
        return ChainState()
    except (ValueError, TypeError):
        # An unreadable checkpoint vouches for nothing: start again from seq 1, and say so.
        return ChainState(problem="the page's checkpoint file was unreadable; it was reset, "
                                  "run `explorer audit verify`")


def _write(path: Path, state: ChainState) -> None:
    # Written whole and renamed into place: two page loads at once leave one of their files.
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(asdict(state), fh)
    os.replace(tmp, path)


def _window(graph: Graph, start: int, end: int) -> list[dict[str, Any]]:
    """The events with start <= seq <= end, by seq."""
    if end < start:
        return []
    span: dict[str, Any] = {"from": start, "to": end + 1}  # "from" is a keyword: no plain kwargs
    return [row["event"] for row in graph.read("audit_events_window", **span)]


def broken_link(events: list[dict[str, Any]], start: int, prev_hash: str) -> str | None:
    """The first break among ``events`` (read for seq ``start`` onwards, after an event whose
    hash is ``prev_hash``), as a sentence; None if they are intact and linked.

    >>> first = {"id": "a", "seq": 1, "prev_hash": "", "action": "x", "roles": [], "returned_ids": []}
    >>> first["hash"] = event_hash(first)
    >>> broken_link([first], 1, "") is None
    True
    >>> broken_link([dict(first, action="y")], 1, "")
    'event seq 1 (id a) was edited: its hash does not match'
    >>> broken_link([], 1, "")
    """
    expected = start
    for event in events:
        seq, eid = event.get("seq"), event.get("id")
        if seq != expected:
            if isinstance(seq, int) and seq > expected:
                return f"event seq {expected} is missing (deleted) before seq {seq} (id {eid})"
            return f"event seq {seq} (id {eid}) was inserted: seq {expected} appears twice"
        if event.get("prev_hash") != prev_hash:
            return (f"event seq {seq} (id {eid}) does not link to the event before it: "
                    "an event was edited, inserted or deleted")
        if event_hash(event) != event.get("hash"):
            return f"event seq {seq} (id {eid}) was edited: its hash does not match"
        prev_hash = event["hash"]
        expected += 1
    return None


def check(graph: Graph, var_dir: Path, *, window: int = DEFAULT_WINDOW) -> ChainState:
    """Advance the page's check of the chain by at most two windows of events; return it."""
    path = var_dir / FILE_NAME
    state = _read(path)
    if state.problem is not None:
        return state
    head = graph.read("audit_head")
    head_seq = int(head[0]["seq"]) if head else 0
    head_hash = head[0]["hash"] if head else GENESIS
    state = replace(state, head_seq=head_seq)

    def found(problem: str) -> ChainState:
        broken = replace(state, problem=problem)
        _write(path, broken)
        return broken

    # 1. Forward, from the checkpoint (whose event must still be as it was).
    if head_seq < state.verified_seq:
        return found(f"the chain now ends at seq {head_seq}, but seq {state.verified_seq} was "
                     "verified earlier: events were deleted from its end")
    start = max(state.verified_seq, 1)
    upto = min(head_seq, state.verified_seq + window)
    events = _window(graph, start, upto)
    if state.verified_seq:
        anchor = events[0] if events else None
        if anchor is None or anchor.get("seq") != state.verified_seq \
                or anchor.get("hash") != state.verified_hash or event_hash(anchor) != anchor["hash"]:
            return found(f"event seq {state.verified_seq}, verified earlier, was edited or "
                         "deleted since")
        prev_hash, events = state.verified_hash, events[1:]
        start = state.verified_seq + 1
    else:
        prev_hash = GENESIS
    problem = broken_link(events, start, prev_hash)
    if problem is None and len(events) < upto - start + 1:
        problem = f"event seq {start + len(events)} is missing: deleted"
    if problem is not None:
        return found(problem)
    if events:
        state = replace(state, verified_seq=events[-1]["seq"], verified_hash=events[-1]["hash"])
    if state.verified_seq == head_seq and state.verified_hash != head_hash:
        return found(f"event seq {head_seq} was edited and re-hashed: the chain's head recorded "
                     "a different hash for it")

    # 2. One window of older events, cycling: an edit far back is found in time too.
    rescan_from = state.rescan_from if state.rescan_from < state.verified_seq else 1
    rescan_to = min(state.verified_seq, rescan_from + window)
    if rescan_to > rescan_from:
        before = _window(graph, rescan_from - 1, rescan_from - 1) if rescan_from > 1 else []
        prev = str(before[0]["hash"]) if before else GENESIS
        problem = broken_link(_window(graph, rescan_from, rescan_to), rescan_from, prev)
        if problem is not None:
            return found(problem)
        # Back to seq 1 once it reaches the checkpoint: the checkpoint moves on a little at
        # every visit, and chasing it would re-walk only the newest events for ever.
        state = replace(state, rescan_from=1 if rescan_to >= state.verified_seq else rescan_to)
    _write(path, state)
    return state
