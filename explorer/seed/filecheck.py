"""What one file's rows tell the checks across records, gathered as its chunks are read.

A `FileCheck` is given each converted chunk of one seed type in turn and keeps only what
the checks across files need (`FileSummary`): the hashes of its ids and of the ids it refers
to, a service's type, previous plans and the few children they name, chairs. The rules that
need this file alone are finished here, in the process that read it: ids, NHS numbers and
relationships given twice (found by their hashes, then confirmed and placed by reading the
file again), and the rules against what the database already holds (a child stored as an
adult, stored involvements, archived and purged children), asked of the database about each
chunk's ids.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from explorer.seed import keys
from explorer.seed.model import Problem
from explorer.seed.records import Chunk
from explorer.seed.schema import SeedType
from explorer.seed.stored import NOTHING, Stored

Rescan = Callable[[], Iterator[Chunk]]  # the file's chunks, read again

# attends names a school and registered_with a GP practice: the references to services these
# files make are kept, to be checked against the services' types.
WANTED_SERVICE = {"attends": "school", "registered_with": "gp_practice"}


@dataclass(frozen=True)
class Context:
    """What every file's check is given: what the database holds (asked about each chunk's
    ids, see `explorer.seed.stored`), the children that previous plans name (their birth and
    current plan are kept), and, once the files of nodes are read, the hashes of each label's
    ids in the seed (and of the seed's people the database holds as the other kind of
    person), so that a file of relationships resolves its references against the seed as it
    reads them rather than keeping them; those the seed does not resolve are asked of the
    database once every file is read (`explorer.seed.crosscheck.check_references`)."""

    known: Stored = NOTHING
    plan_children: frozenset = frozenset()
    ids: Mapping[str, np.ndarray] = field(default_factory=dict)  # label -> sorted hashes


@dataclass
class FileSummary:
    type: SeedType
    file: str
    rows: int = 0
    names: tuple[str, ...] = ()  # the columns given (in schema order)
    problems: list[Problem] = field(default_factory=list)  # this file's own
    repeated: list[Problem] = field(default_factory=list)  # relationships given twice
    stored: list[Problem] = field(default_factory=list)  # involvements moved (database)
    retention: list[Problem] = field(default_factory=list)  # archived or purged children
    ids: np.ndarray = field(default_factory=lambda: keys.EMPTY)  # hashes of a node type's ids, each once
    refs: dict[str, np.ndarray] = field(default_factory=dict)  # column -> distinct hashes
    # column -> (hashes naming no id, hashes naming a child and an adult), where checked as read
    unresolved: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    services: dict[str, str] = field(default_factory=dict)  # service id -> type
    plans: list[tuple] = field(default_factory=list)  # (child id, start, end, line)
    plan_children: dict = field(default_factory=dict)  # id -> (row, line), last one wins
    chairs: set[str] = field(default_factory=set)
    known_clash: list[tuple[int, str]] = field(default_factory=list)  # (first line, id)


class FileCheck:
    """Gathers a `FileSummary` from one type's chunks (`add`), then finishes it (`finish`)."""

    def __init__(self, stype: SeedType, file: str, context: Context):
        self.summary = FileSummary(stype, file)
        self.context = context
        self.stype = stype
        self.ids = keys.Collected()
        self.nhs = keys.Collected()
        self.rel_keys = keys.Collected()
        refs = [c for c in stype.columns if c.kind == "ref"]
        self.resolving = {c.name: c.ref for c in refs if all(lb in context.ids for lb in c.ref)}
        self.unresolved = {name: (keys.Distinct(), keys.Distinct()) for name in self.resolving}
        self.refs = {c.name: keys.Distinct() for c in refs if c.name not in self.resolving
                     or (c.name == "service_id" and stype.name in WANTED_SERVICE)}
        self.present: set[str] = set()
        self.clashing: set[str] = set()

    def add(self, chunk: Chunk) -> None:
        summary, stype, columns = self.summary, self.stype, chunk.columns
        summary.rows += len(chunk.lines)
        self.present.update(columns)
        if "id" in columns:
            self.ids.add(columns["id"])
        for name, distinct in self.refs.items():
            distinct.add(columns.get(name, ()))
        for name, labels in self.resolving.items():
            unknown, ambiguous = keys.unresolved(keys.hashes(columns.get(name, ())),
                                                 [self.context.ids[label] for label in labels])
            self.unresolved[name][0].add_hashes(unknown)
            self.unresolved[name][1].add_hashes(ambiguous)
        if stype.name == "child":
            self.nhs.add(columns.get("nhs_number", ()))
        if not stype.is_node and stype.key != ("id",):
            self.rel_keys.add(_relationship_keys(stype, chunk))
        _keep(summary, chunk, self.context)
        self._against_known(chunk)

    def _against_known(self, chunk: Chunk) -> None:
        """The rules against the database, on this chunk's ids: asked of the database as a
        batch, so that what is read is in proportion to the feed, not to the database."""
        known = self.context.known
        if not known.consulted:
            return
        other = {"child": "Adult", "adult": "Child"}.get(self.stype.name)
        if other and known.holds(other):
            ids = chunk.columns.get("id", ())
            stored = known.existing(other, ids)
            for rid, line in zip(ids, chunk.lines, strict=False) if stored else ():
                if rid in stored and rid not in self.clashing:
                    self.clashing.add(rid)
                    self.summary.known_clash.append((line, rid))
        check_stored_involvements(self.summary, chunk, known)
        check_retention(self.summary, chunk, known)

    def finish(self, rescan: Rescan) -> FileSummary:
        """The summary, once every chunk is added; `rescan` reads the file again, to place
        what is given twice."""
        summary, stype = self.summary, self.stype
        summary.names = tuple(c.name for c in stype.columns if c.name in self.present)
        summary.refs = {name: distinct.array() for name, distinct in self.refs.items()}
        summary.unresolved = {name: (unknown.array(), ambiguous.array())
                              for name, (unknown, ambiguous) in self.unresolved.items()}
        ids = self.ids.array()
        self.ids = keys.Collected()
        if stype.is_node or "id" in stype.column_map:
            twice = keys.repeated(ids)  # sorts ids
            if len(twice):
                summary.problems.extend(_duplicate_ids(stype, summary.file, twice, rescan))
        if stype.is_node:
            summary.ids = keys.distinct_sorted(ids)
        del ids
        twice = keys.repeated(self.nhs.array())
        self.nhs = keys.Collected()
        if len(twice):
            summary.problems.extend(_duplicate_nhs(summary.file, twice, rescan))
        twice = keys.repeated(self.rel_keys.array())
        self.rel_keys = keys.Collected()
        if len(twice):
            summary.repeated.extend(_duplicate_relationships(stype, summary.file, twice, rescan))
        return summary


def _keep(summary: FileSummary, chunk: Chunk, context: Context) -> None:
    """What the checks across files need of these rows beyond their hashes."""
    name = chunk.type.name
    if name == "service":
        summary.services.update({r["id"]: r["type"] for r in chunk.rows
                                 if r.get("id") and r.get("type")})
    elif name == "plan":
        summary.plans.extend((r.get("child_id"), r.get("start"), r.get("end"), line)
                             for r, line in zip(chunk.rows, chunk.lines, strict=True))
    elif name == "conference":
        summary.chairs.update(r["chair"] for r in chunk.rows if r.get("chair"))
    elif name == "child" and context.plan_children:
        wanted = context.plan_children
        for row, line in zip(chunk.rows, chunk.lines, strict=True):
            if row.get("id") in wanted:
                summary.plan_children[row.get("id")] = (
                    {"date_of_birth": row.get("date_of_birth"),
                     "plan_start": row.get("plan_start")}, line)


def _relationship_keys(stype: SeedType, chunk: Chunk) -> Iterator[tuple]:
    """Each row's key, but those whose ends are not both given (they cannot repeat one)."""
    n = len(chunk.lines)
    columns = [chunk.columns.get(k) or [None] * n for k in stype.key]
    return (key for key in zip(*columns, strict=True) if key[0] is not None and key[1] is not None)


def _placed(values_of: Callable[[Chunk], Any], twice: np.ndarray,
            rescan: Rescan) -> Iterator[tuple[object, int, int]]:
    """(value, line, first line of that value) of each later occurrence of a value whose
    hash is in `twice`, read again from the file: equal hashes of unequal values are not
    repeats."""
    first: dict[object, int] = {}
    for chunk in rescan():
        values = list(values_of(chunk))
        found = keys.contains(twice, np.fromiter(map(hash, values), dtype=np.int64,
                                                 count=len(values)))
        for i in np.flatnonzero(found):
            value, line = values[i], chunk.lines[i]
            if value in first:
                yield value, line, first[value]
            else:
                first[value] = line


def _column(name: str) -> Callable[[Chunk], list]:
    return lambda chunk: chunk.columns.get(name) or [None] * len(chunk.lines)


def _duplicate_ids(stype: SeedType, file: str, twice: np.ndarray, rescan: Rescan) -> list[Problem]:
    return [Problem(file, line, "id", f"duplicate id {rid!r} (first at line {first})")
            for rid, line, first in _placed(_column("id"), twice, rescan) if rid is not None]


def _duplicate_nhs(file: str, twice: np.ndarray, rescan: Rescan) -> list[Problem]:
    return [Problem(file, line, "nhs_number", f"NHS number {number} is also on line {first}; "
                                              "it identifies one child")
            for number, line, first in _placed(_column("nhs_number"), twice, rescan)
            if number is not None]


def _duplicate_relationships(stype: SeedType, file: str, twice: np.ndarray,
                             rescan: Rescan) -> list[Problem]:
    def keys_of(chunk: Chunk) -> list[tuple]:
        n = len(chunk.lines)
        return list(zip(*(chunk.columns.get(k) or [None] * n for k in stype.key), strict=True))

    return [Problem(file, line, stype.key[0], "duplicate relationship: same "
                    + ", ".join(stype.key) + f" as line {first}")
            for key, line, first in _placed(keys_of, twice, rescan)
            if isinstance(key, tuple) and key[0] is not None and key[1] is not None]


def check_stored_involvements(summary: FileSummary, chunk: Chunk, known: Stored) -> None:
    """An involvement id already stored between one practitioner and child may not name
    another pair: the load would otherwise stop part-way on the id's uniqueness."""
    if chunk.type.name != "involved_with" or not known.holds("INVOLVED_WITH"):
        return
    stored = known.involvement_ends(chunk.columns.get("id", ()))
    if not stored:
        return
    for row, line in zip(chunk.rows, chunk.lines, strict=True):
        ends = stored.get(row.get("id"))  # type: ignore[arg-type]
        if ends is None or ends == (row.get("practitioner_id"), row.get("child_id")):
            continue
        column = "practitioner_id" if ends[0] != row.get("practitioner_id") else "child_id"
        summary.stored.append(Problem(
            summary.file, line, column,
            f"involvement {row['id']!r} is stored between practitioner {ends[0]!r} and child "
            f"{ends[1]!r}; an involvement cannot move to another practitioner or child (end "
            "it, and give the new one a new id)"))


def check_retention(summary: FileSummary, chunk: Chunk, known: Stored) -> None:
    """A feed may not bring back a child whose record is archived or was purged (domain.md:
    archived at 18, or 25 for a care leaver who consented, and purged when the archive period
    ends), nor add to an archived record: such a row is refused, and with it the whole feed,
    so a source that still sends the child is told rather than silently obeyed or ignored.
    ``known`` is asked which of the chunk's children are archived (`Stored.archived`, with
    their policy.archive_state) or purged (`Stored.purged`, by their tombstones)."""
    if chunk.type.name == "child":
        ids = chunk.columns.get("id", ())
        archived = known.archived(ids) if known.holds("Child") else {}
        purged = known.purged(ids) if known.holds("PurgedChild") else set()
        if archived or purged:
            _refused_children(summary, chunk, archived, purged)
        return
    if not known.holds("Child"):
        return
    # An archived child is still a Child, so a lives_in row naming one names a child.
    for col in chunk.type.columns:
        if col.kind != "ref" or "Child" not in col.ref:
            continue
        values = chunk.columns.get(col.name, ())
        archived = known.archived(values)
        for cid, line in zip(values, chunk.lines, strict=False) if archived else ():
            if cid is not None and cid in archived:
                summary.retention.append(Problem(summary.file, line, col.name, (
                    f"child {cid!r} is archived; a feed cannot add to or change an "
                    "archived record")))


def _refused_children(summary: FileSummary, chunk: Chunk, archived: Mapping[str, Any],
                      purged: set[str]) -> None:
    for row, line in zip(chunk.rows, chunk.lines, strict=True):
        cid = row.get("id")
        if cid is not None and cid in archived:
            state = archived[cid] or {}
            summary.retention.append(Problem(summary.file, line, "id", (
                f"child {cid!r} is archived (since {state.get('on')}, {state.get('reason')}); "
                "an archived record is not changed or brought back by a feed")))
        elif cid is not None and cid in purged:
            summary.retention.append(Problem(summary.file, line, "id", (
                f"child {cid!r} was purged under the retention rules; a purged record is "
                "never loaded again")))
