"""The dashboard's counts, saved (issue 20): counted once per report date and data version,
then served to every analyst from Neo4j, by every app server, until the data or the date
changes.

Counting every gap reads every child (ten passes at 11 million children: minutes on one
core), and the answer is the same for every analyst until a seed load or the retention run
changes the children, or the date changes. So what ``counting.groups`` returns (counts by
area, status, age band and service types: no child's id, before suppression) is saved as a
``(:GapCounts)`` node per gap, report date and definition, and each view tallies and
suppresses those groups exactly as it tallies freshly counted ones (``suppression.tally``):
every focus the filters offer is answered from the same saved groups.

When saved counts may be served: only when they were counted

- at the **data version** now: how many ``(:DataChange)`` marks there are. Every
  transaction that changes what a gap counts (each seed-load batch, each retention batch)
  adds one in the same transaction (``mark_changed``), so a change and its mark commit
  together, even when a load is killed part-way; counts saved before it are never served
  after it. A count read before counting and checked again when saving: counts whose data
  changed while they were counted are not saved.
- at the **retention date** now (``policy.analysts_retention_date``: the month's end):
  an archived child leaves every report, past dates too, when the month turns;
- for the **report date** asked (ages and "as of" change daily: it is part of the key);
- by the **same definition** (the gap's count query and this package's counting code,
  hashed into the key): a release that changes a gap counts it afresh.

When nothing current is saved, the dashboard counts live as before and saves the result, so
the next view (on any app server) is fast; ``explorer analytics count`` (a nightly cron) and
the admin's seed-load job count ahead, so that no analyst waits.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import inspect
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextvars import copy_context
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from explorer import clock, policy, queries
from explorer.analytics import counting
from explorer.analytics.catalogue import (
    AGE_BANDS,
    CASELOAD_THRESHOLD,
    FILTER_SERVICE_TYPES,
    GAPS,
    MIN_SERVICES_FOR_LEAD,
    STATUSES,
    Gap,
)
from explorer.analytics.suppression import Group
from explorer.errors import DatabaseBusy
from explorer.graph import Graph, run_named

log = logging.getLogger(__name__)
T = TypeVar("T")
WORKERS = 4  # gaps counted side by side


@dataclass(frozen=True)
class Counted:
    """One gap's groups on a report date, and when they were counted."""

    groups: list[Group]
    counted_at: datetime


@dataclass(frozen=True)
class Ahead:
    """What counting ahead did: for ``explorer analytics count`` and its audit event."""

    on: date
    gaps: int
    version: int
    seconds: float
    pruned: int


def mark_changed(tx: Any, by: str) -> None:
    """In a transaction that changes children's data: mark it, so saved counts are not served
    after it commits (``by``: 'seed' or 'retention')."""
    run_named(tx, "data_change_mark", {"by": by})


@functools.cache
def definition(gap: Gap) -> str:
    """What the gap's counts are counted by, hashed: its count query, the counting code and
    the thresholds and choices it counts with. (A release changing a rule of the policy that
    the counts use, an age band's bounds aside, runs ``explorer analytics count
    --data-changed``: docs/analytics.md.)

    >>> len(definition(GAPS[0])), definition(GAPS[0]) == definition(GAPS[1])
    (16, False)
    """
    query = "gap_caseloads" if gap.slug == "caseloads" else f"{gap.query}_counts"
    try:
        code = inspect.getsource(counting)
    except OSError:  # pragma: no cover - installed without its sources: the query still counts
        code = ""
    used = (CASELOAD_THRESHOLD, MIN_SERVICES_FOR_LEAD, STATUSES, AGE_BANDS,
            FILTER_SERVICE_TYPES, policy.AGE_BANDS)
    text = "\n".join((queries.get(query).text, code, repr(used)))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def key(gap: Gap, on: date) -> str:
    """The saved counts' key: gap, report date, definition."""
    return f"{gap.slug}|{on.isoformat()}|{definition(gap)}"


def encode(groups: list[Group]) -> str:
    """Groups as the JSON text saved (fields, then how many records share them).

    >>> text = encode([({"local_authority": "A", "service_types": ["school"]}, 3)])
    >>> text
    '[[{"local_authority":"A","service_types":["school"]},3]]'
    >>> decode(text)
    [({'local_authority': 'A', 'service_types': ['school']}, 3)]
    """
    return json.dumps([[fields, n] for fields, n in groups], sort_keys=True,
                      separators=(",", ":"))


def decode(text: str) -> list[Group]:
    return [(fields, n) for fields, n in json.loads(text)]


def current(saved: dict[str, Any], version: int, retained_on: date) -> bool:
    """May these saved counts be served: counted at this data version and retention date?

    >>> saved = {"version": 7, "retained_on": date(2026, 12, 31)}
    >>> current(saved, 7, date(2026, 12, 31)), current(saved, 8, date(2026, 12, 31))
    (True, False)
    >>> current(saved, 7, date(2027, 1, 31))
    False
    """
    return saved["version"] == version and saved["retained_on"] == retained_on


def retention_date() -> date:
    """The retention date the counts are counted at (``records.analysts_retained``'s)."""
    return policy.analysts_retention_date(clock.today())


def side_by_side(work: Callable[[Gap], T], gaps: Iterable[Gap]) -> dict[str, T]:
    """``work(gap)`` for each gap, four at a time (independent reads: the driver is
    thread-safe), each in a copy of this context so the reads take today (retention) from
    the app's clock."""
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = {g.slug: pool.submit(copy_context().run, work, g) for g in gaps}
        return {slug: f.result() for slug, f in futures.items()}


def counts(graph: Graph, on: date, gaps: Iterable[Gap] = GAPS) -> dict[str, Counted]:
    """Every gap's groups on ``on``: the saved ones where they are current, the others
    counted now (side by side) and saved for the next view on any app server."""
    return _counts(graph, on, tuple(gaps), recount=False)[1]


def _counts(graph: Graph, on: date, gaps: tuple[Gap, ...], *,
            recount: bool) -> tuple[int, dict[str, Counted]]:
    if not recount:
        version, found = _saved(graph, on, gaps)
        if len(found) == len(gaps):
            return version, found
    # One count of a date at a time in this process: views that arrive while it counts wait
    # for it and find its counts saved, instead of each counting again beside it (on two
    # cores, ten counts at once would each take ten times as long).
    with _one_at_a_time(on):
        version, found = _saved(graph, on, gaps)
        if recount:
            found = {}
        missing = [g for g in gaps if g.slug not in found]
        if missing:
            at = clock.now()
            counted = side_by_side(lambda g: counting.groups(graph, g, on), missing)
            _save(graph, on, version, retention_date(), at,
                  [{"key": key(g, on), "gap": g.slug, "definition": definition(g),
                    "groups": encode(counted[g.slug])} for g in missing])
            found.update({slug: Counted(groups, at) for slug, groups in counted.items()})
    return version, found


def _saved(graph: Graph, on: date, gaps: tuple[Gap, ...]) -> tuple[int, dict[str, Counted]]:
    """The data version now, and the gaps' saved counts on ``on`` that are current."""
    retained_on = retention_date()
    row = graph.read("gap_counts_saved", keys=[key(g, on) for g in gaps])[0]
    version = row["version"]
    return version, {s["gap"]: Counted(decode(s["groups"]), s["counted_at"])
                     for s in row["saved"] if current(s, version, retained_on)}


_COUNTING: dict[date, threading.Lock] = {}
_COUNTING_GUARD = threading.Lock()


@contextlib.contextmanager
def _one_at_a_time(on: date) -> Iterator[None]:
    with _COUNTING_GUARD:
        lock = _COUNTING.setdefault(on, threading.Lock())
    with lock:
        yield


def _save(graph: Graph, on: date, version: int, retained_on: date, at: datetime,
          rows: list[dict[str, Any]]) -> None:
    try:
        graph.write("gap_counts_save", rows=rows, version=version, retained_on=retained_on,
                    on=on, counted_at=at)
    except DatabaseBusy:
        # Another app server saving the same counts at the same moment: this view has its
        # counts, and the next view finds theirs.
        log.warning("saved counts not written (the database was busy); the next view counts")


def count_ahead(graph: Graph, on: date) -> Ahead:
    """Count every gap on ``on`` afresh and save the counts (``explorer analytics count``,
    the seed-load job), then delete saved counts no request can be served any more."""
    started = time.monotonic()
    version, found = _counts(graph, on, GAPS, recount=True)
    pruned = graph.write("gap_counts_prune", version=version, retained_on=retention_date(),
                         today=clock.today())[0]["deleted"]
    return Ahead(on, len(found), version, time.monotonic() - started, pruned)


def counted_phrase(times: Iterable[datetime]) -> str:
    """When a page's counts were counted, as the dashboard says it (UTC, as the app's other
    times are).

    >>> at = datetime(2026, 12, 3, 6, 2, 41, tzinfo=UTC)
    >>> counted_phrase([at, at.replace(second=59)])
    'Counted at 06:02 UTC on 3 December 2026'
    >>> counted_phrase([at, datetime(2026, 12, 3, 11, 15, tzinfo=UTC)])
    'Counted between 06:02 UTC on 3 December 2026 and 11:15 UTC on 3 December 2026'
    >>> counted_phrase([])
    ''
    """
    shown = sorted({_when(t) for t in times}, key=lambda s: s[0])
    if not shown:
        return ""
    if len(shown) == 1:
        return f"Counted at {shown[0][1]}"
    return f"Counted between {shown[0][1]} and {shown[-1][1]}"


def _when(at: datetime) -> tuple[datetime, str]:
    at = at.astimezone(UTC).replace(second=0, microsecond=0)
    return at, f"{at:%H:%M} UTC on {at.day} {at:%B %Y}"
