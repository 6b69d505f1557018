"""Validating a whole seed before anything is written: `read_seed`.

Every problem in the seed is collected, with its file, line and column; `SeedInvalid`
carries them all. The seed is read a chunk of rows at a time, and what is kept between
chunks is only what the checks across records need (hashes of ids and references, a
service's type, previous plans): memory stays about flat however many rows the seed holds.
The ideas live in their own modules:

- `convert`: each value as written to its typed value (dates, booleans, enums, ids, NHS
  numbers...);
- `records`: the rules within one record (plan fields, ages, end before start);
- `filecheck`: what one file gives the checks across records, and the rules within one
  file (ids, NHS numbers, relationships given twice) or against the database (stored
  involvements, archived and purged children);
- `crosscheck`: the rules across files (relationships whose ends do not exist, a person id
  naming a child and an adult, attending a service that is not a school, previous plans
  against the child and each other);
- `parallel`: reading a large seed's files in several processes.
"""

from __future__ import annotations

import functools
import itertools
import os
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from explorer.seed import keys, parallel
from explorer.seed.convert import (  # noqa: F401 (the names tests and the generator use)
    BIDI_CONTROLS,
    Bad,
    age_on,
    convert,
    convert_column,
    nhs_check_digit,
)
from explorer.seed.crosscheck import People, check_people, check_plan_history, check_references
from explorer.seed.filecheck import Context, FileCheck, FileSummary
from explorer.seed.model import Problem, Seed, SeedChanged, SeedInvalid
from explorer.seed.parallel import die_with_parent, without_cycle_collection  # noqa: F401
from explorer.seed.reader import csv_chunks, seed_files
from explorer.seed.records import RECORD_RULES_THAT_COMPLETE, convert_chunk
from explorer.seed.schema import BY_NAME, SEED_TYPES, SeedType
from explorer.seed.stored import NOTHING, Stored, stored_of
from explorer.seed.stream import Source, jsonl_chunks

# Below this many bytes of CSV, starting processes costs more than reading in parallel saves.
PARALLEL_FROM_BYTES = 4_000_000

# The context of the files being checked: this thread's for the check of one file (whose
# signature stays (type, path, today)), reached in a forked reader through a registry entry
# it inherits, named by a number (the context itself, with the database's ids, is not
# pickled for each reader).
_CHECKING = threading.local()
_CONTEXTS: dict[int, Context] = {}
_NUMBERS = itertools.count()


@contextmanager
def _checking(context: Context) -> Iterator[None]:
    _CHECKING.context = context
    try:
        yield
    finally:
        del _CHECKING.context


def check_csv_file(stype: SeedType, path: Path, today: date) -> FileSummary:
    """Read one seed CSV file a chunk at a time, convert its values, check its records' own
    rules and those within the file, and keep what the checks across files need.
    A module-level function, so a process pool can run it."""
    check = FileCheck(stype, path.name, getattr(_CHECKING, "context", None) or Context())
    problems = check.summary.problems
    for raw in csv_chunks(stype, path, problems):
        check.add(convert_chunk(raw, today, problems))
    source = Source(path.parent, today)
    return check.finish(lambda: source.chunks(stype, []))


def check_csv_files(files: list[tuple[SeedType, Path]], today: date,
                    number: int) -> list[FileSummary]:
    """`check_csv_file` of each file (what a reader process is given)."""
    with without_cycle_collection(), _checking(_CONTEXTS[number]):
        return [check_csv_file(stype, path, today) for stype, path in files]


def _check_directory(source: Source, known: Stored, workers: int,
                     problems: list[Problem]) -> tuple[dict[str, FileSummary], People]:
    """Each CSV file's summary, and who the people are. Previous plans are read first, here,
    so that the reader of children.csv keeps the children they name; then the files that
    refer to no other (people, households, practitioners, services); then the rest, which
    check their references against those ids as they read them, so that no file's references
    are kept (88 MB a column at 11 million children)."""
    files = seed_files(source.path, problems)
    number = next(_NUMBERS)
    _CONTEXTS[number] = Context(known)
    try:
        found = check_csv_files([f for f in files if f[0].name == "plan"], source.today, number)
        named = frozenset(plan[0] for summary in found for plan in summary.plans)
        _CONTEXTS[number] = Context(known, named)
        found += parallel.check_shared([f for f in files if not _refers(f[0])], check_csv_files,
                                       (source.today, number), workers, PARALLEL_FROM_BYTES)
        summaries = _gathered(found, problems)
        people = check_people(source, summaries, problems)
        _CONTEXTS[number] = Context(known, named, people.ids)
        rest = [f for f in files if _refers(f[0]) and f[0].name != "plan"]
        summaries.update(_gathered(parallel.check_shared(rest, check_csv_files,
                                                         (source.today, number), workers,
                                                         PARALLEL_FROM_BYTES), problems))
    finally:
        del _CONTEXTS[number]
    return summaries, people


def _refers(stype: SeedType) -> bool:
    return any(c.kind == "ref" for c in stype.columns)


def _gathered(found: list[FileSummary], problems: list[Problem]) -> dict[str, FileSummary]:
    """The summaries by type, their files' own problems moved to `problems`."""
    for summary in found:
        problems.extend(summary.problems)
        summary.problems = []
    return {summary.type.name: summary for summary in found}


def _check_jsonl(source: Source, known: Stored,
                 problems: list[Problem]) -> dict[str, FileSummary]:
    """Each type's summary of a `.jsonl` seed, read once (and its children again for the few
    that previous plans name)."""
    checks: dict[str, FileCheck] = {}
    for chunk in jsonl_chunks(source.path, source.today, problems):
        name = chunk.type.name
        if name not in checks:
            checks[name] = FileCheck(chunk.type, source.path.name, Context(known))
        checks[name].add(chunk)
    if "plan" in checks and "child" in checks:
        named = frozenset(plan[0] for plan in checks["plan"].summary.plans)
        again = FileCheck(BY_NAME["child"], source.path.name, Context(NOTHING, named))
        for chunk in source.chunks(BY_NAME["child"], []):
            again.add(chunk)
        checks["child"].summary.plan_children = again.summary.plan_children
    summaries = {}
    for name, check in checks.items():
        summaries[name] = check.finish(functools.partial(source.chunks, check.stype, []))
        problems.extend(summaries[name].problems)
        summaries[name].problems = []
    return summaries


def _damaged(source: Source, problems: list[Problem]) -> dict[str, str]:
    """Label -> the file its nodes come from, for files with rows that could not be read
    (a problem with the header, line 1, or with a whole line): a reference to an id of
    such a label may be missing only because its row was unreadable."""
    broken = {p.file for p in problems if p.line == 1 or p.column is None}
    return {t.label: source.file_of(t) for t in SEED_TYPES
            if t.is_node and source.file_of(t) in broken}


def read_seed(path: str | Path, *, today: date,
              known_ids: Stored | Mapping[str, Any] | None = None,
              workers: int | None = None) -> Seed:
    """Read and validate a seed (a directory of CSV files or one `.jsonl` file).

    `today` decides ages and what is "in the future". `known_ids` is what the
    database already holds, which an incremental feed may refer to and is checked
    against: a `explorer.seed.stored.Stored` (`explorer.seed.loader.known_ids(graph)`
    asks the database about the ids the feed names, a batch at a time), or a mapping
    as `explorer.seed.stored.InMemory` takes it: a node label ("Child", "Adult",
    "Household", "Practitioner", "Service") to ids already in the database; for
    "Service" it may be a mapping id -> service type, so that attends/registered_with
    can be checked against stored services too; "INVOLVED_WITH" maps stored
    involvement ids to their (practitioner id, child id), as an involvement cannot
    move to another practitioner or child.

    `workers` is how many processes read and check the CSV files of a large
    seed (default: one per core; forked, so only where fork is available and
    while this process runs no other thread); the checks across files are
    made once all are read, in this process. The result is the same for any
    number.

    The seed is read a chunk at a time, and again for the load (`Seed.chunks`).
    Returns a `Seed`, or raises `SeedInvalid` listing every problem found.
    """
    with without_cycle_collection():
        return _read_seed(Path(path), today, stored_of(known_ids), workers or os.cpu_count() or 1)


def _read_seed(path: Path, today: date, known: Stored, workers: int) -> Seed:
    problems: list[Problem] = []
    source = Source(path, today)
    summaries: dict[str, FileSummary] = {}
    people: People | None = None
    if path.is_file():
        if not source.jsonl:
            problems.append(Problem(path.name, None, None,
                                    "a seed is a directory of CSV files or one .jsonl file"))
        else:
            summaries = _check_jsonl(source, known, problems)
    elif not path.is_dir():
        problems.append(Problem(str(path), None, None, "no such seed directory or .jsonl file"))
    else:
        summaries, people = _check_directory(source, known, workers, problems)
    if people is None:
        people = check_people(source, summaries, problems)
    damaged = _damaged(source, problems)  # by the files' own problems only
    check_references(source, summaries, known, people, damaged, problems)
    check_plan_history(source, summaries, problems)
    involvements = summaries.get("involved_with")
    problems.extend(involvements.stored if involvements else ())
    for stype in sorted(SEED_TYPES, key=lambda t: t.name != "child"):
        problems.extend(summaries[stype.name].retention if stype.name in summaries else ())
    if problems:
        raise SeedInvalid(problems)
    return _validated(source, summaries, people)


def _validated(source: Source, summaries: Mapping[str, FileSummary], people: People) -> Seed:
    columns: dict[str, tuple[str, ...]] = {}
    for stype in SEED_TYPES:
        summary = summaries.get(stype.name)
        cols = summary.names if summary and summary.rows else ()
        if cols and stype.name == "service":
            cols = tuple(dict.fromkeys((*cols, "sensitive")))
        if cols and stype.name == "lives_in":
            cols = (*cols, "person_label")
        columns[stype.name] = cols
    conferences = summaries.get("conference")
    return Seed(source=source.path, columns=columns,
                counts={name: summary.rows for name, summary in summaries.items()},
                chair_names=tuple(conferences.chairs) if conferences else (),
                read_rows=_Rows(source, columns, people))


class _Rows:
    """The validated rows of a seed type, read again from its files a chunk at a time, as
    validation found them (and completed: defaults for columns some records of a `.jsonl`
    seed left out, the person's label on lives_in)."""

    def __init__(self, source: Source, columns: dict[str, tuple[str, ...]], people: People):
        self.source = source
        self.columns = columns
        self.children = people.ids.get("Child", keys.EMPTY)
        self.adults_like_children = people.adults_like_children
        self.stored_children = people.stored_children
        self.stamps = self._stamps()

    def _stamps(self) -> dict[Path, tuple[int, int]]:
        return {p: (p.stat().st_size, p.stat().st_mtime_ns) for p in self.source.files()}

    def __call__(self, name: str) -> Iterator[tuple[list[dict], list[int]]]:
        stype = BY_NAME[name]
        problems: list[Problem] = []
        self._unchanged()
        for chunk in self.source.chunks(stype, problems):
            if problems:
                break
            self._complete(stype, chunk.rows)
            yield chunk.rows, chunk.lines
        self._unchanged(problems)

    def column_chunks(self, name: str) -> Iterator[dict[str, list]]:
        """The same rows a chunk at a time as columns (name -> values), as the reader
        converted them, without building a dict per row: for a writer that wants columns
        (explorer.seed.bulk). Where rows are completed one by one (a `.jsonl` seed's
        defaults; a service's `sensitive`, set by its record rule), from the rows."""
        stype = BY_NAME[name]
        if self.source.jsonl or stype.name in RECORD_RULES_THAT_COMPLETE:
            for rows, _ in self(name):
                yield {key: [row.get(key) for row in rows] for key in rows[0]} if rows else {}
            return
        problems: list[Problem] = []
        self._unchanged()
        for chunk in self.source.chunks(stype, problems):
            if problems:
                break
            columns = dict(chunk.columns)
            if stype.name == "lives_in":
                columns["person_label"] = self._person_labels(columns["person_id"])
            yield columns
        self._unchanged(problems)

    def _person_labels(self, people: list) -> list[str]:
        """Each lives_in row's person as a child or an adult (see `_complete`)."""
        child = keys.contains(self.children, np.fromiter(map(hash, people), dtype=np.int64,
                                                         count=len(people)))
        return ["Child" if person in self.stored_children
                or (is_child and person not in self.adults_like_children) else "Adult"
                for person, is_child in zip(people, child, strict=True)]

    def _unchanged(self, problems: list[Problem] | None = None) -> None:
        if problems or self._stamps() != self.stamps:
            raise SeedChanged(self.source.path, problems or [])

    def _complete(self, stype: SeedType, rows: list[dict]) -> None:
        cols = self.columns[stype.name]
        if stype.name == "lives_in":
            people = [row.get("person_id") for row in rows]
            for row, label in zip(rows, self._person_labels(people), strict=True):
                row["person_label"] = label
        if self.source.jsonl:
            for row in rows:
                for name in cols:
                    if name not in row:
                        default = stype.column_map[name].default
                        row[name] = list(default) if isinstance(default, list) else default
