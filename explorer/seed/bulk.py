"""A first load into an empty local database through Neo4j's offline importer.

``neo4j-admin database import full`` builds a store from CSV files without transactions,
which is how Neo4j's own documentation says to load a large graph the first time: at 11
million children the online loader (``explorer.seed.loader``) writes for an hour, through
Bolt and Cypher, a batch at a time. This module writes the validated seed (``Seed.chunks``,
read again a chunk at a time: memory stays bounded) into the importer's CSV files with the
same properties the online loader sets, stops the local Neo4j, imports, starts it and
applies the schema (constraints and indexes are built on the imported graph).

It refuses unless all of this holds, each checked before anything is touched:

- the database is one this app runs itself (``LocalNeo4j``): the importer writes the store's
  files, so it cannot reach a server, a cluster or Aura (there, use the online loader);
- the database holds **no node at all**: the importer replaces the whole database, and
  accounts, sessions and the audit trail live in it too. So it is a first load, before the
  first account is made.

Everything else is the online loader's: the seed is validated first (every problem at
file:line:column, nothing written), and the graph is the same (tests/test_bulk.py compares
the two, node by node and relationship by relationship).
"""

from __future__ import annotations

import csv
import shutil
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from explorer import queries, schema
from explorer.analytics.saved import mark_changed
from explorer.graph import Graph
from explorer.localdb import LocalNeo4j
from explorer.seed.loader import _end_label, _key_texts  # the online loader's rules
from explorer.seed.model import Seed
from explorer.seed.schema import SEED_TYPES, SeedType

# Between the names of a list (former names): the importer's array delimiter. A validated
# name never holds a control character.
ARRAY_DELIMITER = "\x1f"

# The properties the online loader sets on a conference and a plan (seed_create_conference,
# seed_create_plan); the child each belongs to becomes a relationship, as there.
CONFERENCE_PROPERTIES = ("id", "date", "kind", "chair", "strategy_discussion")
PLAN_PROPERTIES = ("id", "category", "start", "end")
# The query that stores the empty lists the importer cannot write, per (label, property).
EMPTY_LISTS = {("Child", "former_names"): "seed_bulk_empty_former_names"}
# Properties the online loader defaults when a row has none (seed_create_child, _service).
DEFAULTS = {"child": {"shielded": False}, "service": {"sensitive": False}}


class BulkImportRefused(RuntimeError):
    """The offline import cannot be used here (not a local database, or not an empty one):
    nothing was changed."""


@dataclass
class ImportReport:
    nodes: dict[str, int] = field(default_factory=dict)  # per label
    relationships: dict[str, int] = field(default_factory=dict)  # per type
    write_seconds: float = 0.0  # the importer's CSV files written from the seed
    import_seconds: float = 0.0  # Neo4j stopped, the importer run, Neo4j started again
    schema_seconds: float = 0.0  # constraints and indexes built on the imported graph
    seconds: float = 0.0
    rows: int = 0  # the seed's rows (as the online loader counts them: not ABOUT, HAD_PLAN)


# The importer's type for each kind of seed column (explorer.seed.schema.KINDS): the rest
# are strings.
IMPORT_TYPES = {"bool": "boolean", "date": "date", "names": "string[]"}


def _type_of(stype: SeedType, name: str, values: list) -> str:
    """The importer's type for a column: from its kind in the seed's schema, else (a key the
    reader derives) from its values."""
    column = stype.column_map.get(name)
    if column is not None:
        return IMPORT_TYPES.get(column.kind, "string")
    for v in values:
        if isinstance(v, bool):
            return "boolean"
        if isinstance(v, date):
            return "date"
        if isinstance(v, list | tuple):
            return "string[]"
        if v is not None:
            return "string"
    return "string"


def _texts(values: list, kind: str, default: object = None) -> list[str]:
    """A column's values as the importer reads them back, converted a column at a time (a
    distinct date or flag once): none is an empty field (read as no property, with
    --ignore-empty-strings), a list its names joined by ARRAY_DELIMITER."""
    if default is not None:
        values = [default if v is None else v for v in values]
    if kind == "string[]":
        if any(ARRAY_DELIMITER in name for v in values if v for name in v):
            raise BulkImportRefused(
                "a list value holds the character U+001F, which the importer would read as "
                "two values: load with the online loader instead")
        return [ARRAY_DELIMITER.join(v) if v else "" for v in values]
    if kind in ("date", "boolean"):
        text = {v: "" if v is None else ("true" if v is True else "false" if v is False
                                         else v.isoformat())
                for v in set(values)}
        return list(map(text.__getitem__, values))
    if None in values:
        return ["" if v is None else str(v) for v in values]
    return values


class _Files:
    """The importer's CSV files, each opened on first use with its header."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.open: dict[str, tuple[TextIO, Any]] = {}  # file -> (its handle, a csv writer)
        self.args: list[str] = []
        self.counts: dict[tuple[str, str], int] = {}
        self.multiline = False
        self.empty_lists: set[tuple[str, str]] = set()  # (label, property) with an empty list

    def write(self, kind: str, name: str, file: str, header: list[str],
              columns: list[list[str]]) -> None:
        """Append rows, given as columns (of equal length) in the header's order."""
        if file not in self.open:
            fh = (self.folder / file).open("w", newline="", encoding="utf-8")
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(header)
            self.open[file] = (fh, writer)
            self.args.append(f"--{kind}={name}={self.folder / file}")
        if not self.multiline:
            self.multiline = any("\n" in text or "\r" in text
                                 for text in map("".join, columns))
        self.open[file][1].writerows(zip(*columns, strict=True))
        self.counts[kind, name] = self.counts.get((kind, name), 0) + len(columns[0])

    def close(self) -> None:
        for fh, _ in self.open.values():
            fh.close()


def _node_files(files: _Files, seed: Seed, stype: SeedType) -> None:
    defaults = DEFAULTS.get(stype.name, {})
    keep = {"conference": CONFERENCE_PROPERTIES, "plan": PLAN_PROPERTIES}.get(stype.name)
    header: list[str] | None = None
    names: list[str] = []
    types: list[str] = []
    for columns in seed.column_chunks(stype.name):
        size = len(next(iter(columns.values()), ()))
        if not size:
            continue
        if header is None:
            names = [n for n in columns if keep is None or n in keep]
            names += [n for n in defaults if n not in names]
            types = [_type_of(stype, n, columns.get(n) or []) for n in names]
            header = [f"id:ID({stype.label})" if n == "id" else f"{n}:{t}"
                      for n, t in zip(names, types, strict=True)]
        raw = [columns.get(n) or [None] * size for n in names]
        files.write("nodes", stype.label, f"{stype.name}.csv", header,
                    [_texts(values, t, defaults.get(n))
                     for n, t, values in zip(names, types, raw, strict=True)])
        for n, t, values in zip(names, types, raw, strict=True):
            if t == "string[]" and (stype.label, n) not in files.empty_lists \
                    and any(v == [] for v in values):
                files.empty_lists.add((stype.label, n))
        if stype.name in ("conference", "plan"):
            # The child's relationship, as seed_create_conference and _plan make it.
            ids, children = columns["id"], columns["child_id"]
            if stype.name == "conference":
                files.write("relationships", "ABOUT", "about.csv",
                            [":START_ID(Conference)", ":END_ID(Child)"], [ids, children])
            else:
                files.write("relationships", "HAD_PLAN", "had_plan.csv",
                            [":START_ID(Child)", ":END_ID(Plan)"], [children, ids])


def _relationship_files(files: _Files, seed: Seed, stype: SeedType, source: str) -> None:
    assert stype.start and stype.end
    start_label = stype.column_map[stype.start].ref[0]
    end_label = _end_label(stype)
    skip = {stype.start, stype.end, "person_label"}
    names: list[str] | None = None
    types: list[str] = []
    for columns in seed.column_chunks(stype.name):
        size = len(next(iter(columns.values()), ()))
        if not size:
            continue
        if names is None:
            names = [n for n in columns if n not in skip]
            types = [_type_of(stype, n, columns[n]) for n in names]
        if stype.key == ("id",):
            keys = columns["id"]
        else:
            keys = list(map("|".join, zip(*(_key_texts(columns[k]) if k in columns
                                            else [""] * size for k in stype.key), strict=True)))
        texts = [columns[stype.start], columns[stype.end], keys,
                 *(_texts(columns[n], t) for n, t in zip(names, types, strict=True)),
                 [source] * size]
        labels = columns.get("person_label")  # lives_in: a person is a child or an adult
        for label in sorted(set(labels)) if labels else [start_label]:
            if labels:
                picked = [i for i, x in enumerate(labels) if x == label]
                group = [[column[i] for i in picked] for column in texts]
            else:
                group = texts
            header = [f":START_ID({label})", f":END_ID({end_label})", "key:string",
                      *(f"{n}:{t}" for n, t in zip(names, types, strict=True)), "source:string"]
            files.write("relationships", stype.label, f"{stype.name}_{label.lower()}.csv",
                        header, group)


def write_files(seed: Seed, folder: Path, *, source: str) -> _Files:
    """The importer's CSV files for the whole seed, in ``folder`` (emptied first)."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    files = _Files(folder)
    try:
        for stype in SEED_TYPES:
            if not seed.summary()[stype.name]:
                continue
            if stype.is_node:
                _node_files(files, seed, stype)
            else:
                _relationship_files(files, seed, stype, source)
    finally:
        files.close()
    return files


def refuse_unless_empty(graph: Graph) -> None:
    """Refuse (BulkImportRefused) unless the database holds no node at all."""
    if graph.read("seed_any_node")[0]["any"]:
        raise BulkImportRefused(
            "the offline import replaces the whole database, and this one is not empty (it "
            "holds data, accounts or audit events): load with the online loader instead, or "
            "start from an empty database")


def initial_import(graph: Graph, local: LocalNeo4j | None, seed: Seed, *, source: str,
                   staging: Path, threads: int | None = None) -> ImportReport:
    """Load ``seed`` (validated) into the empty local database ``local`` by the offline
    importer, then build the schema; ``staging`` holds the importer's files meanwhile (and is
    removed afterwards). Refuses, changing nothing, unless the database is local and empty."""
    if local is None:
        raise BulkImportRefused(
            "the offline import writes the store's files, so it needs the local database "
            "this app runs (NEO4J_URI points elsewhere): load with the online loader instead")
    refuse_unless_empty(graph)
    report = ImportReport(rows=sum(seed.summary().values()))
    started = time.monotonic()
    try:
        files = write_files(seed, staging, source=source)
        report.write_seconds = time.monotonic() - started
        # Again, now that the files are written (minutes, for millions of children): an
        # account made meanwhile would be lost with the database the importer replaces.
        refuse_unless_empty(graph)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    for (kind, name), n in files.counts.items():
        (report.nodes if kind == "nodes" else report.relationships)[name] = n
    mark = time.monotonic()
    graph.replaced()  # its connections and bookmarks are the old database's
    local.stop()
    try:
        local.import_full([
            *files.args, f"--array-delimiter=U+{ord(ARRAY_DELIMITER):04X}",
            "--ignore-empty-strings=true", f"--multiline-fields={str(files.multiline).lower()}",
            *([f"--threads={threads}"] if threads else [])])
    finally:
        local.start(quiet=True)
        graph.replaced()
        shutil.rmtree(staging, ignore_errors=True)
    report.import_seconds = time.monotonic() - mark
    mark = time.monotonic()
    for where in sorted(files.empty_lists):
        graph.run_autocommit(queries.get(EMPTY_LISTS[where]).text)
    schema.apply(graph)
    graph.write_tx(lambda tx: mark_changed(tx, "seed"))
    report.schema_seconds = time.monotonic() - mark
    report.seconds = time.monotonic() - started
    return report
