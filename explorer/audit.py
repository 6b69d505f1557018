"""The audit trail: an append-only, tamper-evident chain of (:AuditEvent) nodes.

Every search, view, export and admin action calls :func:`record` before its
response is sent. Each event carries ``seq`` (1, 2, 3, ... with no gaps) and
``hash = sha256(canonical JSON of its fields, including prev_hash)``, where
``prev_hash`` is the previous event's hash. Writers serialise on the single
``(:AuditHead)`` node, so concurrent requests cannot fork the chain; the whole
write is one transaction function, so a driver retry reruns all of it. A process's
concurrent requests append together, one transaction for all the events waiting
(group commit), and each returns only once the transaction holding its event committed.

Nothing in the application edits or deletes an event. :func:`verify` walks the
chain and names the first edited, inserted or deleted event. A hash chain
cannot by itself detect someone who rewrites *every* later event and the head:
keep the head hash that ``explorer audit verify`` prints somewhere else
(a ticket, a signed mail) to anchor it.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import threading
import uuid
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from explorer.clock import now as clock_now
from explorer.errors import QueryFailed
from explorer.graph import Graph, run_named

if TYPE_CHECKING:
    from explorer.policy import Viewer

GENESIS = ""  # prev_hash of the first event
# More children than this viewed outside one's involvement in a day is an anomaly for the
# management team's review (the app's ANOMALY_CHILDREN_PER_DAY may set another).
ANOMALY_CHILDREN_PER_DAY = 20

# Parameter names whose values never reach the audit trail (nor a log).
# Matched per word of the key ("totp_code", "newPassword"), so "postcode" is kept.
_SECRET_WORDS = frozenset({"password", "passwd", "passphrase", "pass", "secret", "totp", "otp", "code",
                           "token", "csrf"})
REMOVED = "[removed]"

# Actions whose returned_ids count as children viewed, and actions that are searches
# (their terms are checked against the searcher's own family name).
CHILD_VIEW_PREFIXES = ("child.", "lookup", "search", "shield.")
SEARCH_PREFIXES = ("search", "lookup", "child.search", "child.lookup")

HASHED_FIELDS = ("id", "seq", "at", "username", "roles", "action", "params", "returned_ids",
                 "reason", "client", "flagged", "prev_hash")


def _is_secret(key: str) -> bool:
    """
    >>> [_is_secret(k) for k in ("password", "totp_code", "newPassword", "postcode", "family_name")]
    [True, True, True, False, False]
    """
    words = re.findall(r"[a-z]+|[A-Z][a-z]*", key)
    return any(w.lower() in _SECRET_WORDS for w in words)


def _scrub(params: dict[str, Any]) -> dict[str, Any]:
    """Drop values of secret-looking keys, at any depth."""
    clean: dict[str, Any] = {}
    for key, value in params.items():
        if _is_secret(str(key)):
            clean[str(key)] = REMOVED
        elif isinstance(value, dict):
            clean[str(key)] = _scrub(value)
        else:
            clean[str(key)] = value
    return clean


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return sorted(value, key=str)
    return str(value)


def _at_text(at: Any) -> str:
    if isinstance(at, datetime):
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        return at.astimezone(UTC).isoformat(timespec="microseconds")
    return str(at)


def canonical(event: dict[str, Any]) -> str:
    """The exact text that is hashed: the hashed fields as sorted, compact JSON.

    >>> canonical({"id": "e1", "seq": 1, "at": datetime(2025, 1, 2, tzinfo=UTC), "username": "u",
    ...            "roles": ["b", "a"], "action": "x", "params": "{}", "returned_ids": [],
    ...            "reason": None, "client": "127.0.0.1", "flagged": False, "prev_hash": ""})[:60]
    '{"action":"x","at":"2025-01-02T00:00:00.000000+00:00","clien'
    """
    fields = {name: event.get(name) for name in HASHED_FIELDS}
    fields["at"] = _at_text(fields["at"])
    fields["roles"] = sorted(fields["roles"] or [])
    fields["returned_ids"] = list(fields["returned_ids"] or [])
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(event: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(event).encode("utf-8")).hexdigest()


def record(
    graph: Graph,
    *,
    viewer: Viewer | None,
    action: str,
    params: dict[str, Any],
    returned_ids: Iterable[str],
    reason: str | None,
    client: str,
    flagged: bool = False,
) -> str:
    """Append one event to the chain and return its id; raises if it cannot be written.

    ``viewer`` None records an anonymous actor (``-``). ``params`` is stored as JSON
    with any password, code, secret or token value removed.
    """
    at = clock_now()
    fields: dict[str, Any] = {
        "id": uuid.uuid4().hex,
        "at": at,
        "username": viewer.username if viewer else "-",
        "roles": sorted(viewer.roles) if viewer else [],
        "action": str(action),
        "params": json.dumps(_scrub(dict(params)), sort_keys=True, default=_json_default,
                             ensure_ascii=False),
        "returned_ids": [str(i) for i in returned_ids],
        "reason": reason,
        "client": str(client),
        "flagged": bool(flagged),
    }
    return _appender(graph).append(graph, fields)["id"]


class _Waiting:
    """One request's event, waiting in :class:`_GroupCommit` until it is committed."""

    __slots__ = ("done", "error", "event", "fields")

    def __init__(self, fields: dict[str, Any]) -> None:
        self.fields = fields
        self.event: dict[str, Any] | None = None
        self.error: BaseException | None = None
        self.done = False


class _GroupCommit:
    """The appends of one process's concurrent requests, committed together.

    The chain has one head, and whoever appends holds its lock from the append until the
    commit has reached the transaction log, so appends are serialised across the whole app:
    one transaction per event capped the app at about 120 events a second on two cores
    (docs/serve-benchmarks.md), while the same write without the shared lock scaled. Here the
    first request to arrive while no append is in flight leads: it takes every event waiting
    (its own and those that arrived meanwhile, up to MAX_BATCH), chains them in arrival order
    and appends them in one transaction, holding the lock once for all of them. The others
    wait for that commit (or lead the next batch), so each request still answers only once
    its own event is committed, and fails (a 503) if its batch could not be.
    """

    MAX_BATCH = 64

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._pending: list[_Waiting] = []
        self._leading = False
        # Where this process's last committed append left the chain: a guess (another process
        # may have appended since) that saves a round trip under the lock when it is right.
        self.end: tuple[int, str] | None = None

    def append(self, graph: Graph, fields: dict[str, Any]) -> dict[str, Any]:
        mine = _Waiting(fields)
        with self._cond:
            self._pending.append(mine)
        while True:
            with self._cond:
                # Until done, ``mine`` is waiting in _pending: a leader takes events out of it
                # only into its batch, and marks its batch done before it stops leading.
                while not mine.done and self._leading:
                    self._cond.wait()
                if mine.done:
                    break
                batch = self._pending[:self.MAX_BATCH]
                del self._pending[:self.MAX_BATCH]
                self._leading = True
            try:
                self._commit_batch(graph, batch)
            finally:
                with self._cond:
                    for waiting in batch:
                        waiting.done = True
                    self._leading = False
                    self._cond.notify_all()
        if mine.error is not None:
            # A copy per request: one exception object raised in several threads at once
            # would collect all their tracebacks.
            raise copy.copy(mine.error) from mine.error
        assert mine.event is not None
        return mine.event

    def _commit_batch(self, graph: Graph, batch: list[_Waiting]) -> None:
        try:
            events = self._commit(graph, [w.fields for w in batch])
        except QueryFailed as exc:
            if len(batch) == 1:
                batch[0].error = exc
                return
            # The database refused the statement (a bug, not an outage): one event it cannot
            # store must not fail the requests whose events were fine, so each alone.
            for waiting in batch:
                self._commit_batch(graph, [waiting])
            return
        except BaseException as exc:  # the database is gone or busy: the batch's requests fail
            for waiting in batch:
                waiting.error = exc
            return
        for waiting, event in zip(batch, events, strict=True):
            waiting.event = event

    def _commit(self, graph: Graph, batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
        def chained(seq: int, prev_hash: str) -> list[dict[str, Any]]:
            events = []
            for fields in batch:
                seq += 1
                event = dict(fields, seq=int(seq), prev_hash=prev_hash or GENESIS)
                event["hash"] = prev_hash = event_hash(event)
                events.append(event)
            return events

        def sent(events: list[dict[str, Any]]) -> dict[str, Any]:
            # ``at`` goes as the text it is hashed as, and the query stores it as a datetime:
            # the driver's own conversion of a datetime, in Python, was 3% of the app's CPU.
            return {"events": [dict(event, at=_at_text(event["at"])) for event in events]}

        def work(tx) -> list[dict[str, Any]]:
            # A retry reruns all of this from the head: nothing is remembered until committed.
            end = self.end
            if end is not None:
                # Hashed before the lock is taken; if the chain still ends there, one statement.
                events = chained(*end)
                row = run_named(tx, "audit_append_at_end", sent(events))[0]
                if row["appended"]:
                    return events
                end = (row["seq"], row["hash"])  # another process moved it; the head is locked
            else:
                head = run_named(tx, "audit_head_lock", {})[0]
                end = (head["seq"], head["hash"])
            events = chained(*end)
            run_named(tx, "audit_append", sent(events))
            return events

        events = graph.write_tx(work)
        self.end = (events[-1]["seq"], events[-1]["hash"])  # only once committed
        return events


_appenders: weakref.WeakKeyDictionary[Graph, _GroupCommit] = weakref.WeakKeyDictionary()
_appenders_lock = threading.Lock()


def _appender(graph: Graph) -> _GroupCommit:
    with _appenders_lock:
        found = _appenders.get(graph)
        if found is None:
            found = _appenders[graph] = _GroupCommit()
        return found


# -- verification ---------------------------------------------------------------------

@dataclass(frozen=True)
class ChainProblem:
    kind: str  # "edited", "inserted" or "deleted"
    seq: int | None
    event_id: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"


@dataclass(frozen=True)
class Verification:
    events: int
    head_seq: int
    head_hash: str
    problem: ChainProblem | None

    @property
    def intact(self) -> bool:
        return self.problem is None


def _span(start: Any, end: Any) -> dict[str, Any]:
    """The window parameters of the audit reads: ``from`` is a Python keyword, so they go as a
    mapping, typed so that it cannot be taken for ``Graph.read``'s own arguments."""
    return {"from": start, "to": end}


def _events(graph: Graph, page: int) -> Iterable[dict[str, Any]]:
    start = 1
    while True:
        rows = graph.read("audit_events_window", **_span(start, start + page))
        for row in rows:
            yield row["event"]
        if not rows:
            # A gap of a whole page is possible only if events were deleted; look past it.
            more = graph.read("audit_events_window", **_span(start + page, 2**62))
            if not more:
                return
        start += page


def verify(graph: Graph, *, page: int = 5000) -> Verification:
    """Walk the chain from seq 1 and report the first edited, inserted or deleted event."""
    head_rows = graph.read("audit_head")
    head_seq = int(head_rows[0]["seq"]) if head_rows else 0
    head_hash = head_rows[0]["hash"] if head_rows else GENESIS
    stray = graph.read("audit_events_unsequenced")
    first_stray = stray[0] if stray else None

    prev: dict[str, Any] | None = None
    known_hashes: dict[str, dict[str, Any]] = {}  # hash -> event, for events already walked
    count = 0
    groups = _by_seq(_events(graph, page))
    group = next(groups, None)
    while group is not None:
        following = next(groups, None)
        count += len(group)
        prev_hash = prev["hash"] if prev else GENESIS
        if len(group) > 1 or not isinstance(group[0].get("seq"), int):
            fake = _inserted_among(group, prev_hash, following, head_hash)
            return Verification(count, head_seq, head_hash, ChainProblem(
                "inserted", fake.get("seq"), fake.get("id"),
                f"event seq {fake.get('seq')} (id {fake.get('id')}) was inserted: "
                "it takes a position that belongs to another event"))
        problem = _link_problem(graph, group[0], prev, known_hashes)
        if problem is not None:
            return Verification(count, head_seq, head_hash, problem)
        known_hashes[group[0]["hash"]] = prev = group[0]
        group = following
    return Verification(count, head_seq, head_hash,
                        _end_problem(graph, prev, first_stray, head_seq, head_hash))


def _link_problem(graph: Graph, event: dict[str, Any], prev: dict[str, Any] | None,
                  known_hashes: dict[str, dict[str, Any]]) -> ChainProblem | None:
    """What is wrong with the next event in the chain after ``prev`` (None: the first), if
    anything: its seq skips some (deleted), its link names an earlier event (inserted), another
    (the one before edited, or deleted and renumbered), or its own hash does not match."""
    expected_seq = prev["seq"] + 1 if prev else 1
    prev_hash = prev["hash"] if prev else GENESIS
    seq, eid = event["seq"], event.get("id")
    self_ok = event_hash(event) == event.get("hash")
    if seq > expected_seq:
        missing = f"seq {expected_seq}" if seq == expected_seq + 1 else f"seq {expected_seq}..{seq - 1}"
        return ChainProblem("deleted", expected_seq, None,
                            f"event {missing} is missing: deleted between "
                            f"{_name(prev)} and seq {seq} (id {eid})")
    if event.get("prev_hash") != prev_hash:
        earlier = known_hashes.get(event.get("prev_hash") or "\0")
        if earlier is not None:
            first_inserted = earlier["seq"] + 1
            inserted_id = _id_at(graph, first_inserted)
            return ChainProblem("inserted", first_inserted, inserted_id,
                                f"event seq {first_inserted} (id {inserted_id}) was inserted: "
                                f"seq {seq} (id {eid}) links back to seq {earlier['seq']}")
        if prev is not None and self_ok:
            return ChainProblem("edited", prev["seq"], prev["id"],
                                f"event seq {prev['seq']} (id {prev['id']}) was edited and re-hashed: "
                                f"seq {seq} (id {eid}) recorded a different hash for it")
        return ChainProblem("deleted", seq, eid,
                            f"an event before seq {seq} (id {eid}) was deleted and later events "
                            "renumbered: its prev_hash names no event in the chain")
    if not self_ok:
        return ChainProblem("edited", seq, eid,
                            f"event seq {seq} (id {eid}) was edited: its hash does not match")
    return None


def _end_problem(graph: Graph, last: dict[str, Any] | None, first_stray: dict[str, Any] | None,
                 head_seq: int, head_hash: str) -> ChainProblem | None:
    """What is wrong once every event has been walked up to ``last``, if anything: an event
    with no valid seq, or a chain that ends before or after its recorded head, or whose last
    event's hash is not the head's."""
    last_seq = last["seq"] if last else 0
    if first_stray is not None:
        return ChainProblem("inserted", None, first_stray["id"],
                            f"event id {first_stray['id']} was inserted: it has no valid seq "
                            f"({first_stray['seq']!r})")
    if head_seq > last_seq:
        return ChainProblem("deleted", last_seq + 1, None,
                            f"event seq {last_seq + 1} is missing: the chain should end at seq "
                            f"{head_seq}, it ends at {_name(last)}")
    if head_seq < last_seq:
        inserted_id = _id_at(graph, head_seq + 1)
        return ChainProblem("inserted", head_seq + 1, inserted_id,
                            f"event seq {head_seq + 1} (id {inserted_id}) was inserted after the "
                            f"recorded end of the chain (seq {head_seq})")
    if last is not None and last["hash"] != head_hash:
        return ChainProblem("edited", last["seq"], last["id"],
                            f"event seq {last['seq']} (id {last['id']}) was edited and re-hashed: "
                            "the chain's head recorded a different hash for it")
    return None


def _by_seq(events: Iterable[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    group: list[dict[str, Any]] = []
    for event in events:
        if group and event.get("seq") != group[0].get("seq"):
            yield group
            group = []
        group.append(event)
    if group:
        yield group


def _inserted_among(group: list[dict[str, Any]], prev_hash: str,
                    following: list[dict[str, Any]] | None, head_hash: str) -> dict[str, Any]:
    """Of events sharing one position, the one that is not the genuine link."""
    next_prev = following[0].get("prev_hash") if following else head_hash
    def genuine(event: dict[str, Any]) -> tuple[bool, bool]:
        return (event.get("hash") == next_prev,
                event.get("prev_hash") == prev_hash and event_hash(event) == event.get("hash"))
    ranked = sorted(group, key=genuine)  # least genuine first
    return ranked[0]


def _name(event: dict[str, Any] | None) -> str:
    return "the start of the chain" if event is None else f"seq {event['seq']} (id {event['id']})"


def _id_at(graph: Graph, seq: int) -> str | None:
    rows = graph.read("audit_events_window", **_span(seq, seq + 1))
    return rows[0]["event"]["id"] if rows else None


# -- reading for the management pages ----------------------------------------------------

def search(
    graph: Graph,
    *,
    username: str | None = None,
    action: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    flagged: bool | None = None,
    limit: int = 500,
    skip: int = 0,
) -> list[dict[str, Any]]:
    """Events matching the filters, newest first, after the ``skip`` newest; ``date_to`` is
    inclusive."""
    return graph.read("audit_search", limit=int(limit), skip=int(skip),
                      **_filter_params(username, action, date_from, date_to, flagged))


def count(
    graph: Graph,
    *,
    username: str | None = None,
    action: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    flagged: bool | None = None,
) -> int:
    """How many events :func:`search` would page through with these filters."""
    return int(graph.read("audit_count", **_filter_params(username, action, date_from, date_to,
                                                          flagged))[0]["n"])


def _filter_params(username: str | None, action: str | None, date_from: date | None,
                   date_to: date | None, flagged: bool | None) -> dict[str, Any]:
    """The filters of :func:`search` and :func:`count` as their queries' parameters (one
    place, so the count always counts what the pages show)."""
    return {"username": username or None, "action": action or None, "flagged": flagged,
            "from": _day_start(date_from), "to": _day_start(date_to, 1)}


def _day_start(day: date | None, plus_days: int = 0) -> datetime | None:
    if day is None:
        return None
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=plus_days)


@dataclass(frozen=True)
class Anomalies:
    many_children: list[dict[str, Any]]  # username, day, outside, child_ids
    own_family_name: list[dict[str, Any]]  # id, seq, at, username, action, terms, family_name


def _terms(params_json: str) -> list[str]:
    try:
        params = json.loads(params_json or "{}")
    except ValueError:
        return []
    words: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, str):
            words.extend(w for w in re.split(r"[^\w'-]+", value.casefold()) if w)

    walk(params)
    return words


def anomalies(graph: Graph, *, date_from: date, date_to: date,
              threshold: int = ANOMALY_CHILDREN_PER_DAY) -> Anomalies:
    """Unusual patterns for the management team, ``date_from`` to ``date_to`` inclusive."""
    window = _span(_day_start(date_from), _day_start(date_to, 1))
    many = graph.read("audit_children_outside_involvement", prefixes=list(CHILD_VIEW_PREFIXES),
                      threshold=int(threshold), **window)
    own = [row for row in graph.read("audit_searches_with_family_names",
                                     prefixes=list(SEARCH_PREFIXES), **window)
           if searched_own_family_name(row["family_name"], _terms(row["params"]))]
    return Anomalies(many_children=many, own_family_name=own)


def searched_own_family_name(family_name: str, terms: list[str]) -> bool:
    """Did a search ask for (part of) the searcher's own family name? Search matches names by
    containment, so a term of 3 letters or more inside the family name finds the family
    ("mith" finds Smith), and either half of a double-barrelled name counts.

    >>> [searched_own_family_name("Smith-Jones", [t]) for t in ("smith-jones", "jones", "mith")]
    [True, True, True]
    >>> [searched_own_family_name("Smith", [t]) for t in ("smyth", "2015-01-01", "sm", "lee")]
    [False, False, False, False]
    """
    family = family_name.casefold()
    pieces = {p for term in terms for p in re.split(r"[^\w']+", term.casefold())}
    return any(len(p) >= 3 and p in family for p in pieces)
