"""A seed's rows, converted, a chunk at a time: what validation reads once, what its checks
across records read again to say where a problem is, and what the loader writes.

Nothing here holds more than a chunk of rows (`reader.CHUNK_ROWS`): the seed's files are
the store, read again for each use, and a seed of any size is read in bounded memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from explorer.seed import reader
from explorer.seed.convert import Bad, convert
from explorer.seed.model import Problem
from explorer.seed.reader import RawRecord, csv_chunks, jsonl_records
from explorer.seed.records import Chunk, check_records, convert_chunk
from explorer.seed.schema import BY_FILE, SeedType


def jsonl_chunk(stype: SeedType, records: list[RawRecord], today: date,
                problems: list[Problem]) -> Chunk:
    """Records of one type from a `.jsonl` seed, converted one by one, rules checked."""
    rows: list[dict] = []
    for rec in records:
        row: dict[str, object] = {}
        for name, raw in rec.values.items():
            try:
                row[name] = convert(stype.column_map[name], raw)
            except Bad as e:
                problems.append(Problem(rec.file, rec.line, name, str(e)))
                row[name] = None
        rows.append(row)
    present = set().union(*rows)
    names = [c.name for c in stype.columns if c.name in present]
    chunk = Chunk(stype, records[0].file, [rec.line for rec in records],
                  {name: [row.get(name) for row in rows] for name in names}, rows)
    check_records(chunk, today, problems)
    return chunk


def jsonl_chunks(path: Path, today: date, problems: list[Problem],
                 only: SeedType | None = None) -> Iterator[Chunk]:
    """The chunks of a `.jsonl` seed's records of every type (or only one), as each type's
    chunk fills, and the part-filled ones at the end."""
    pending: dict[str, list[RawRecord]] = {}
    for rec in jsonl_records(path, problems):
        if only is not None and rec.type is not only:
            continue
        waiting = pending.setdefault(rec.type.name, [])
        waiting.append(rec)
        if len(waiting) == reader.CHUNK_ROWS:
            yield jsonl_chunk(rec.type, waiting, today, problems)
            pending[rec.type.name] = []
    for records in pending.values():
        if records:
            yield jsonl_chunk(records[0].type, records, today, problems)


@dataclass(frozen=True)
class Source:
    """Where a seed's rows are read from: a directory of CSV files or one `.jsonl` file."""

    path: Path
    today: date

    @property
    def jsonl(self) -> bool:
        return self.path.suffix.lower() == ".jsonl"

    def file_of(self, stype: SeedType) -> str:
        """The file a type's problems are reported in."""
        return self.path.name if self.jsonl else stype.file

    def chunks(self, stype: SeedType, problems: list[Problem]) -> Iterator[Chunk]:
        """The type's rows, converted and their record rules checked, a chunk at a time."""
        if self.jsonl:
            yield from jsonl_chunks(self.path, self.today, problems, only=stype)
            return
        path = self.path / stype.file
        if not path.is_file():
            return
        for raw in csv_chunks(stype, path, problems):
            yield convert_chunk(raw, self.today, problems)

    def files(self) -> list[Path]:
        """The files the rows come from."""
        if self.jsonl:
            return [self.path]
        return [self.path / name for name in BY_FILE if (self.path / name).is_file()]
