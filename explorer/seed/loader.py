"""Loading a validated seed into Neo4j: schema first, then UNWIND batches, idempotently.

Two meanings of a seed (``mode``):

- ``incremental``: a feed of changes. What it holds is created or updated;
  nothing is ended or removed.
- ``snapshot``: the full picture of one ``source``. As incremental, and then
  every open dated relationship (involvement, household, school, GP practice,
  employment) that this source loaded before and that the snapshot no longer
  holds is *ended* (``until`` = the load date), never deleted. Previous plans
  (``plans.csv``) are history that has already ended: a snapshot ends nothing there.

Every write is a MERGE on a key, so loading the same seed twice changes
nothing, and a load interrupted at any point (kill -9 included) completes
without duplicates when run again. A child's shield and a service's
sensitivity are sticky (see ``cypher/seed_upsert_child.cypher``).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import gc
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import repeat
from operator import itemgetter
from typing import Any

from tqdm import tqdm

from explorer import clock, policy, schema
from explorer.analytics.saved import mark_changed
from explorer.errors import DatabaseBusy
from explorer.graph import Graph, run_named, wire_date
from explorer.seed import stored
from explorer.seed.model import Seed
from explorer.seed.schema import SEED_TYPES, SeedType

MODES = ("incremental", "snapshot")
DATED_RELATIONSHIPS = ("LIVES_IN", "WORKS_FOR", "INVOLVED_WITH", "ATTENDS", "REGISTERED_WITH")
OUTCOMES = ("created", "updated", "unchanged")
BATCH_ATTEMPTS = 5
# Two relationship batches in flight keep Neo4j busy while this process prepares the
# next; more only contend for the same pages and locks. Node batches go one at a time:
# concurrent ones contend for the end of the id index and were slower (measured in
# docs/benchmarks.md), while a relationship batch is mostly index lookups.
DEFAULT_WORKERS = 2
# Building the deferred indexes of millions of nodes and relationships takes minutes.
INDEX_WAIT_SECONDS = 3600
# Fewer rows than this into empty labels: maintaining their indexes is cheaper than building.
DEFER_INDEXES_MIN_ROWS = 50_000


@dataclass
class LoadReport:
    """What a load did (or, for a dry run, would do), per seed type."""

    mode: str
    source: str
    outcomes: dict[str, Counter] = field(default_factory=dict)
    ended: dict[str, int] = field(default_factory=dict)
    rows: int = 0
    seconds: float = 0.0
    dry_run: bool = False
    type_seconds: dict[str, float] = field(default_factory=dict)  # wall time per seed type
    deferred_indexes: list[str] = field(default_factory=list)  # dropped, then built after writing
    index_seconds: float = 0.0  # building the deferred indexes (part of `seconds`)

    def total(self, outcome: str) -> int:
        return sum(c[outcome] for c in self.outcomes.values())

    def table(self) -> str:
        verb = "would be" if self.dry_run else "were"
        lines = [f"{'type':<16}{'created':>9}{'updated':>9}{'unchanged':>11}{'ended':>7}"]
        for stype in SEED_TYPES:
            counts = self.outcomes.get(stype.name, Counter())
            ended = self.ended.get(stype.label, 0)
            if sum(counts.values()) or ended:
                lines.append(f"{stype.name:<16}{counts['created']:>9}{counts['updated']:>9}"
                             f"{counts['unchanged']:>11}{ended:>7}")
        rate = self.rows / self.seconds if self.seconds else 0.0
        lines.append(
            f"{self.rows} rows in {self.seconds:.1f}s ({rate:,.0f} rows/s), {self.mode} of "
            f"source {self.source!r}: {self.total('created')} {verb} created, "
            f"{self.total('updated')} updated, {sum(self.ended.values())} ended, "
            f"{self.total('unchanged')} left unchanged"
        )
        if self.deferred_indexes:
            lines.append(f"indexes built after writing, in {self.index_seconds:.1f}s: "
                         + ", ".join(self.deferred_indexes))
        return "\n".join(lines)


def stored_counts(graph: Graph) -> dict[str, int]:
    """How many nodes of each seed label and relationships of each seed type are stored."""
    return graph.read("seed_type_counts")[0]


# Ids asked about in one query: a feed's chunk (reader.CHUNK_ROWS) in a few round trips.
LOOKUP_BATCH = 10_000


class StoredGraph:
    """`explorer.seed.stored.Stored` over the database: each question is a query per batch of
    the feed's ids (`UNWIND $ids`, looked up by the uniqueness constraints), never a read of
    every stored id. What each label holds is counted once, from the count store, when this
    is made: a label that holds nothing is never asked about (a first load into an empty
    database asks nothing)."""

    consulted = True

    def __init__(self, graph: Graph, today: date | None = None):
        self.graph = graph
        self.on = today or clock.today()
        self.counts = stored_counts(graph)

    def holds(self, kind: str) -> bool:
        return bool(self.counts.get(kind))

    def _rows(self, kind: str, name: str, ids: Iterable[str | None], *,
              vary: dict[str, str] | None = None, param: str = "ids",
              key: Callable[[str], str] | None = None, **params: Any) -> Iterator[dict]:
        if not self.holds(kind):
            return
        wanted = stored.distinct(ids)
        if key is not None:
            wanted = list(map(key, wanted))
        for i in range(0, len(wanted), LOOKUP_BATCH):
            yield from self.graph.read(name, vary=vary, **{param: wanted[i:i + LOOKUP_BATCH]},
                                       **params)

    def existing(self, label: str, ids: Iterable[str | None]) -> set[str]:
        if label == "Service":
            return set(self.service_types(ids))
        return {row["id"] for row in self._rows(label, "seed_stored_ids", ids,
                                                 vary={"LABEL": label})}

    def service_types(self, ids: Iterable[str | None]) -> dict[str, str]:
        return {row["id"]: row["type"]
                for row in self._rows("Service", "seed_stored_service_types", ids)}

    def involvement_ends(self, ids: Iterable[str | None]) -> dict[str, tuple[str, str]]:
        return {row["id"]: (row["practitioner_id"], row["child_id"])
                for row in self._rows("INVOLVED_WITH", "seed_stored_involvements", ids)}

    def archived(self, ids: Iterable[str | None]) -> dict[str, dict[str, Any]]:
        found = self._rows("Child", "seed_stored_archived_children", ids,
                           retained=policy.retained(self.on))
        return {row["id"]: policy.archive_state(row, self.on) or {} for row in found}

    def purged(self, ids: Iterable[str | None]) -> set[str]:
        wanted = stored.distinct(ids)
        by_hash = {policy.purged_id_hash(i): i for i in wanted} if self.holds("PurgedChild") else {}
        return {by_hash[row["id_hash"]] for row in self._rows(
            "PurgedChild", "seed_stored_purged_hashes", by_hash, param="hashes")}


def known_ids(graph: Graph, today: date | None = None) -> StoredGraph:
    """What the database holds, for `read_seed(known_ids=...)`: asked about the ids a feed
    names as it is validated (see `StoredGraph`), with the children archived on ``today``
    (default: today) or purged, which a feed may not name."""
    return StoredGraph(graph, today)


def _relationship_key(stype: SeedType, row: dict) -> str:
    if stype.key == ("id",):
        return row["id"]
    parts = [row.get(k) for k in stype.key]
    return "|".join("" if p is None else (p.isoformat() if isinstance(p, date) else str(p))
                    for p in parts)


def _key_texts(values: list) -> list[str]:
    """Each key part as `_relationship_key` writes it, converted once per distinct value."""
    text = {v: "" if v is None else (v.isoformat() if isinstance(v, date) else str(v))
            for v in set(values)}
    return list(map(text.__getitem__, values))


def _column(stype: SeedType, rows: list[dict], name: str, *, wire: bool = False) -> list:
    """One column of a batch's rows; with `wire`, a date column's dates as `wire_date`s."""
    values = (list(map(itemgetter(name), rows)) if name in rows[0]
              else [row.get(name) for row in rows])
    col = stype.column_map.get(name)
    if wire and col is not None and col.kind == "date":
        sent = {v: wire_date(v) for v in set(values) if v is not None}
        sent[None] = None
        values = list(map(sent.__getitem__, values))
    return values


def _node_rows(stype: SeedType, rows: list[dict]) -> list[dict]:
    """The batch's rows as the node queries take them: dates as `wire_date`s."""
    names = tuple(rows[0]) if rows else ()
    if not any((col := stype.column_map.get(n)) is not None and col.kind == "date"
               for n in names):
        return rows
    columns = [_column(stype, rows, name, wire=True) for name in names]
    return list(map(dict, map(zip, repeat(names), zip(*columns, strict=True))))


def _relationship_rows(stype: SeedType, rows: list[dict], source: str) -> list[dict]:
    """The batch's rows as ``seed_*_relationship`` takes them: start, end, key, props.

    Built a column at a time (the rows of one type share their keys), as this
    runs while Neo4j writes the previous batches and competes with it for CPU.
    """
    assert stype.start and stype.end
    if not rows:
        return []

    def column(name: str, wire: bool = False) -> list:
        return _column(stype, rows, name, wire=wire)

    skip = {stype.start, stype.end, "person_label"}
    names = tuple(k for k in rows[0] if k not in skip)
    if names:
        values = zip(*(column(name, wire=True) for name in names), repeat(source))
        props = list(map(dict, map(zip, repeat((*names, "source")), values)))
    else:
        props = [{"source": source} for _ in rows]
    if stype.key == ("id",):
        keys = column("id")
    else:
        keys = list(map("|".join, zip(*(_key_texts(column(k)) for k in stype.key), strict=True)))
    return list(map(dict, map(zip, repeat(("start", "end", "key", "props")),
                              zip(column(stype.start), column(stype.end), keys, props,
                                  strict=True))))


def _end_label(stype: SeedType) -> str:
    ref = stype.column_map[stype.end].ref  # type: ignore[index]
    return ref[0]


UPSERT_NODE = {"child": "seed_upsert_child", "service": "seed_upsert_service",
               "conference": "seed_upsert_conference", "plan": "seed_upsert_plan"}
CREATE_NODE = {"child": "seed_create_child", "service": "seed_create_service",
               "conference": "seed_create_conference", "plan": "seed_create_plan"}


def _query(stype: SeedType, fresh: bool) -> tuple[str, dict | None]:
    """The query that writes a batch of the type, and its vary (label, types)."""
    if stype.is_node:
        if fresh:
            name = CREATE_NODE.get(stype.name, "seed_create_node")
        else:
            name = UPSERT_NODE.get(stype.name, "seed_upsert_node")
        return name, {"LABEL": stype.label} if name.endswith("_node") else None
    name = "seed_create_relationship" if fresh else "seed_upsert_relationship"
    start_label = stype.column_map[stype.start].ref[0]  # type: ignore[index]
    return name, {"START": start_label, "TYPE": stype.label, "END": _end_label(stype)}


def _by_person(seed: Seed, batch_size: int) -> Iterator[tuple[str, list[dict]]]:
    """lives_in's rows in batches of one start label each (a person may be a child or an
    adult): each label's rows gather as the file is read, a batch goes when it is full."""
    waiting: dict[str, list[dict]] = {"Child": [], "Adult": []}
    for rows, _ in seed.chunks("lives_in"):
        for row in rows:
            group = waiting[row["person_label"]]
            group.append(row)
            if len(group) == batch_size:
                yield row["person_label"], group
                waiting[row["person_label"]] = []
    for label, group in waiting.items():
        if group:
            yield label, group


def _steps(seed: Seed, source: str, batch_size: int, is_empty: Callable[[SeedType], bool]):
    """(seed type, query name, vary, rows, fresh) for each batch, nodes before relationships.

    A type whose label (or relationship type) holds nothing when it starts
    loading is written with CREATE: every row is new (ids and relationship keys
    are unique within a validated seed), so CREATE gives the same graph and
    outcomes as MERGE without the lookups. The check is made once, for every
    type, when the load starts (`_empty_types`): a load interrupted part-way
    finds the labels it wrote no longer empty when run again and merges.

    The rows are read from the seed's files as the batches go (`Seed.chunks`).
    """
    for stype in SEED_TYPES:
        if not seed.summary()[stype.name]:
            continue
        fresh = is_empty(stype)
        name, vary = _query(stype, fresh)
        if stype.is_node:
            for batch in seed.batches(stype.name, batch_size):
                yield stype, name, vary, _node_rows(stype, batch), fresh
        elif stype.name == "lives_in":
            for label, batch in _by_person(seed, batch_size):
                vary = {"START": label, "TYPE": "LIVES_IN", "END": "Household"}
                yield stype, name, vary, _relationship_rows(stype, batch, source), fresh
        else:
            for batch in seed.batches(stype.name, batch_size):
                yield stype, name, vary, _relationship_rows(stype, batch, source), fresh


def _to_end(graph: Graph, seed: Seed, source: str) -> dict[str, list[str]]:
    """For a snapshot: keys of open relationships of this source that the seed no longer holds."""
    by_label = {t.label: t for t in SEED_TYPES}
    to_end = {}
    for rel_type in DATED_RELATIONSHIPS:
        stype = by_label[rel_type]
        # What is stored less what the seed holds: held in memory is what is stored, the
        # seed's rows are read as they come.
        stored = {row["key"] for row in graph.read("seed_open_relationship_keys",
                                                   vary={"TYPE": rel_type}, source=source)}
        for rows, _ in seed.chunks(stype.name):
            stored.difference_update(_relationship_key(stype, row) for row in rows)
        to_end[rel_type] = sorted(stored)
    return to_end


Run = Callable[[str, dict | None, dict], list[dict]]  # (query name, vary, params) -> rows


def _empty_types(run: Run, seed: Seed) -> set[str]:
    """The seed types with rows whose label (or relationship type) holds nothing yet: one
    statement reading the count store (one per type cost a cold server's planner seconds)."""
    counts = run("seed_type_counts", None, {})[0]
    return {stype.name for stype in SEED_TYPES
            if seed.summary()[stype.name] and not counts[stype.label]}


def _deferrable(seed: Seed, empty: set[str], defer: bool | None) -> list[str]:
    """Labels and types whose plain indexes this load builds at the end.

    Those of the types this seed writes into that hold nothing yet: their plain
    indexes serve no query of the load (every row of an empty type is written
    with CREATE, which looks nodes up by their id constraints only), so they can
    be built once at the end instead of maintained batch by batch. With ``defer``
    None, only when that is many rows: for a few, building costs more than it saves.
    """
    if defer is False:
        return []
    rows = sum(seed.summary()[name] for name in empty)
    if not defer and rows < DEFER_INDEXES_MIN_ROWS:
        return []
    return [t.label for t in SEED_TYPES if t.name in empty]


@contextlib.contextmanager
def _seed_set_aside() -> Iterator[None]:
    """Keep Python's cycle collector off the seed's rows while they are written.

    Every full collection walked the millions of rows (1.5 s of 7 s of our CPU
    loading 100k children, CPU Neo4j needed): they are frozen, so collections
    look only at what the load itself creates (the driver's per-batch objects,
    some in cycles, which pausing the collector altogether left uncollected:
    300 MB at 100k children). Not when something else froze objects already:
    unfreezing would release those too.
    """
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def load(graph: Graph, seed: Seed, *, source: str, mode: str = "incremental",
         on: date | None = None, batch_size: int = 10_000, dry_run: bool = False,
         progress: bool = True, after_batch: Callable[[int], None] | None = None,
         workers: int | None = None, defer_indexes: bool | None = None,
         on_rows: Callable[[int], None] | None = None) -> LoadReport:
    """Write ``seed`` into the graph (or rehearse it, with ``dry_run``); return what changed.

    ``on`` is the date a snapshot ends absent relationships with (default today).
    ``after_batch`` is called with the number of batches committed so far (tests
    use it to interrupt a load part-way); ``on_rows`` with the number of rows written so
    far (the web page's progress). ``workers`` is how many batches of an
    empty relationship type may be written at once (default two, one on a single
    core; nodes are written a batch at a time; a dry run is one transaction, so
    always one).

    ``defer_indexes``: the plain indexes (not the uniqueness constraints) on
    labels and types that are empty when the load starts are dropped, and
    built again once everything is written, as ``neo4j-admin import`` does:
    always (True), never (False), or when that is at least
    ``DEFER_INDEXES_MIN_ROWS`` rows (None, the default).
    They are back, and online, when ``load`` returns or raises; after a load
    killed part-way, the next load (or ``explorer db schema``) builds them,
    as both apply the schema first. Meanwhile other readers of those labels
    find no index: it is meant for a first load into a new database.
    """
    if workers is None:
        workers = min(DEFAULT_WORKERS, os.cpu_count() or 1)
    if workers < 1:
        raise ValueError("workers must be at least 1")
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    report = LoadReport(mode=mode, source=source, dry_run=dry_run,
                        outcomes={t.name: Counter() for t in SEED_TYPES})
    started = time.monotonic()
    run = _Run(graph, seed, report, batch_size=batch_size, on=on or clock.today(),
               progress=progress, after_batch=after_batch, on_rows=on_rows)
    if dry_run:
        graph.rehearse(lambda tx: run.all(
            lambda name, vary, params: run_named(tx, name, params, vary), workers=1))
    else:
        _write(graph, seed, run, workers, defer_indexes)
    report.rows = run.total
    report.seconds = time.monotonic() - started
    return report


def _write(graph: Graph, seed: Seed, run: _Run, workers: int, defer_indexes: bool | None) -> None:
    """The load itself (not a rehearsal): schema first, plain indexes of empty labels set
    aside while writing and built at the end, and put back if the load stops."""
    report = run.report
    schema.apply(graph)
    run.empty = graph.read_tx(lambda tx: _empty_types(
        lambda name, vary, params: run_named(tx, name, params, vary), seed))
    report.deferred_indexes = schema.drop_plain_indexes(
        graph, _deferrable(seed, run.empty, defer_indexes))
    with _seed_set_aside():
        try:
            run.all(lambda name, vary, params: graph.write_tx(
                lambda tx: _changing(tx, name, vary, params)), workers=workers)
        except BaseException:
            if report.deferred_indexes:
                # Put the indexes back (built in the background) without hiding why
                # the load stopped; if the database is gone, the next load builds them.
                with contextlib.suppress(Exception):
                    schema.apply(graph, wait=False)
            raise
        if report.deferred_indexes:
            built = time.monotonic()
            schema.apply(graph, wait_seconds=INDEX_WAIT_SECONDS)
            report.index_seconds = time.monotonic() - built


def _changing(tx: Any, name: str, vary: dict | None, params: dict) -> list[dict]:
    """One batch; if it created, updated or ended anything, marked as a change of children's
    data in its own transaction: the analysts' saved counts are not served after it commits,
    even if the load stops right after. A batch that changed nothing leaves them served."""
    rows = run_named(tx, name, params, vary)
    if any(r.get("ended") or (r.get("outcome") != "unchanged" and r.get("count")) for r in rows):
        mark_changed(tx, "seed")
    return rows


class _Run:
    """One pass of writes over a seed's batches, through a `Run` (a transaction's or the
    graph's), counting outcomes into the report as batches finish."""

    def __init__(self, graph: Graph, seed: Seed, report: LoadReport, *, batch_size: int,
                 on: date, progress: bool, after_batch: Callable[[int], None] | None,
                 on_rows: Callable[[int], None] | None):
        self.graph, self.seed, self.report = graph, seed, report
        self.batch_size, self.on, self.progress = batch_size, on, progress
        self.after_batch, self.on_rows = after_batch, on_rows
        self.total = sum(seed.summary().values())
        self.empty: set[str] = set()
        self.done = 0
        self.rows_done = 0
        self.mark = time.monotonic()

    def write(self, run: Run, name: str, vary: dict | None, batch: list[dict]) -> list[dict]:
        for attempt in range(1, BATCH_ATTEMPTS + 1):
            try:
                return run(name, vary, {"rows": batch})
            except DatabaseBusy:
                # A deadlock or lock timeout between concurrent batches: the batch
                # was rolled back, so running it again is safe.
                if attempt == BATCH_ATTEMPTS:
                    raise
                time.sleep(0.1 * attempt)
        raise AssertionError("unreachable")

    def finished(self, stype: SeedType, size: int, rows: list[dict]) -> None:
        report = self.report
        for row in rows:
            report.outcomes[stype.name][row["outcome"]] += row["count"]
        self.bar.update(size)
        self.rows_done += size
        if self.on_rows:
            self.on_rows(self.rows_done)
        now = time.monotonic()
        report.type_seconds[stype.name] = report.type_seconds.get(stype.name, 0.0) + now - self.mark
        self.mark = now
        self.done += 1
        if self.after_batch:
            self.after_batch(self.done)

    def all(self, run: Run, workers: int) -> None:
        self.bar = tqdm(total=self.total, unit=" rows", disable=not self.progress,
                        desc="Loading seed", smoothing=0.1, dynamic_ncols=True)
        if self.report.dry_run:
            self.empty.update(_empty_types(run, self.seed))
        self._batches(run, workers)
        self.bar.close()
        if self.report.mode == "snapshot":
            self._end_absent(run)

    def _batches(self, run: Run, workers: int) -> None:
        """The next batch is prepared here while up to `workers` batches are written:
        batches of fresh (CREATE) relationship types run concurrently. A MERGE batch is
        written alone, as MERGEs of concurrent batches could deadlock, and so is a node batch
        (see DEFAULT_WORKERS), but the next is prepared while it is written: preparing a
        batch (reading its rows again, converting them, packing them) costs this process
        about what writing it costs Neo4j, and one after the other left each waiting on the
        other. A type starts once the type before it is written: nodes come first, in order
        (a conference or plan after its child), so every relationship batch finds both its
        ends."""
        steps = _steps(self.seed, self.report.source, self.batch_size,
                       lambda stype: stype.name in self.empty)
        with concurrent.futures.ThreadPoolExecutor(max_workers=workers,
                                                   thread_name_prefix="seed-load") as pool:
            pending: dict[concurrent.futures.Future, tuple[SeedType, int]] = {}

            def drain(keep: int) -> None:
                while len(pending) > keep:
                    complete, _ = concurrent.futures.wait(
                        pending, return_when=concurrent.futures.FIRST_COMPLETED)
                    for future in complete:
                        stype_, size = pending.pop(future)
                        self.finished(stype_, size, future.result())

            try:
                last: SeedType | None = None
                for stype, name, vary, batch, fresh in steps:
                    if workers == 1:  # a rehearsal's transaction is this thread's alone
                        self.finished(stype, len(batch), self.write(run, name, vary, batch))
                        continue
                    alone = not fresh or stype.is_node
                    if alone or stype is not last:
                        drain(0)  # a batch written alone, or a new type
                        last = stype
                    pending[pool.submit(self.write, run, name, vary, batch)] = (stype, len(batch))
                    drain(workers - 1)
                drain(0)
            finally:
                # On an error or an interruption, let the batches in flight end
                # (committed or not) before returning, without reporting them.
                concurrent.futures.wait(pending)

    def _end_absent(self, run: Run) -> None:
        report, source, size = self.report, self.report.source, self.batch_size
        for rel_type, keys in _to_end(self.graph, self.seed, source).items():
            for i in range(0, len(keys), size):
                rows = run("seed_end_relationships", {"TYPE": rel_type},
                           {"keys": keys[i:i + size], "source": source, "on": self.on})
                report.ended[rel_type] = report.ended.get(rel_type, 0) + rows[0]["ended"]
