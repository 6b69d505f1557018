"""What reading a seed produces: the validated `Seed`, or `SeedInvalid` with its problems."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from explorer.seed.schema import SEED_TYPES


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a seed, where an admin can find it.

    `line` is the 1-based physical line where the record starts (the header
    is line 1 of a CSV file); `line` and `column` are None for a problem with
    a whole file.

    >>> str(Problem("children.csv", 12, "date_of_birth",
    ...             "expected a date YYYY-MM-DD, got '2019-13-01'"))
    "children.csv:12:date_of_birth: expected a date YYYY-MM-DD, got '2019-13-01'"
    >>> str(Problem("notes.txt", None, None, "not a seed file"))
    'notes.txt: not a seed file'
    """

    file: str
    line: int | None
    column: str | None
    message: str
    # A file with rows that could not be read (a broken header, a malformed line), when this
    # problem may only follow from that: an id "missing" because its row was unreadable.
    follows: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        if self.column:
            where += f":{self.column}"
        after = f" (perhaps only because part of {self.follows} could not be read)" if self.follows else ""
        return f"{where}: {self.message}{after}"

    def sort_key(self) -> tuple[bool, str, int, str]:
        """Causes before what may follow from them, then by file, line and column."""
        return (self.follows is not None, self.file, self.line or 0, self.column or "")


class SeedInvalid(Exception):
    """The seed has problems; nothing may be written. `problems` lists all of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=Problem.sort_key)
        super().__init__(self.report())

    def report(self, limit: int | None = None) -> str:
        shown = self.problems if limit is None else self.problems[:limit]
        lines = [f"{len(self.problems)} problem(s) in the seed:"]
        lines += [f"  {p}" for p in shown]
        if len(shown) < len(self.problems):
            lines.append(f"  ... and {len(self.problems) - len(shown)} more")
        return "\n".join(lines)


# A seed type's rows, a chunk at a time, with the line each starts on.
Rows = Callable[[str], Iterator[tuple[list[dict], list[int]]]]


@dataclass(eq=False)
class Seed:
    """A validated seed, ready for loading.

    Its rows are not held: `chunks(name)` reads them again from the seed's files, a chunk at
    a time, converted as validation found them (so a seed of any size loads in bounded
    memory). For each seed type name (`child`, `lives_in`, ... see
    `explorer.seed.schema.SEED_TYPES`) the rows are plain dicts ready for `UNWIND $rows`:
    values are str, bool, `datetime.date`, list of str or None. Every row of one type has
    the same keys: the columns the source provided (`columns[name]`) plus derived keys:

    - `lives_in` rows carry `person_label` ("Child" or "Adult"), because a
      person id may be either;
    - `service` rows have `sensitive` forced true for the always-sensitive
      types, and `sensitive` is always present.

    An optional column absent from a file is absent from its rows, so a
    loader that does `SET n += row` leaves that property as it is (an
    incremental feed need not know everything).

    `rows[name]` and `lines[name]` (the source line of each row) hold a whole type in
    memory at once: for tests and small seeds, not for loading.
    """

    source: Path
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    chair_names: tuple[str, ...] = ()
    read_rows: Rows | None = None
    _held: dict[str, tuple[list[dict], list[int]]] = field(default_factory=dict, repr=False)
    _rows: dict[str, list[dict]] | None = field(default=None, repr=False)

    def chunks(self, name: str) -> Iterator[tuple[list[dict], list[int]]]:
        """The rows of one type and their lines, a chunk at a time, read again each time. Once
        `rows` has been asked for, the rows held in memory are the seed (a test that edits
        them loads its edits, as before validation streamed)."""
        if self._rows is not None and name in self._rows:
            rows, (held, lines) = self._rows[name], self._held[name]
            if rows is not held or len(lines) != len(rows):
                lines = list(range(1, len(rows) + 1))  # edited by the caller: no file lines
            return iter([(rows, lines)] if rows else [])
        if self.read_rows is None or not self.counts.get(name):
            return iter(())
        return self.read_rows(name)

    def column_chunks(self, name: str) -> Iterator[dict[str, list]]:
        """The rows of one type a chunk at a time as columns (name -> values, every row's
        keys, as `chunks` gives them), read again each time without a dict per row where the
        reader can (`_Rows.column_chunks`)."""
        if (self._rows is None or name not in self._rows) and self.counts.get(name) \
                and hasattr(self.read_rows, "column_chunks"):
            yield from self.read_rows.column_chunks(name)  # type: ignore[union-attr]
            return
        for rows, _ in self.chunks(name):
            if rows:
                yield {key: [row.get(key) for row in rows] for key in rows[0]}

    def _hold(self, name: str) -> tuple[list[dict], list[int]]:
        if name not in self._held:
            rows: list[dict] = []
            lines: list[int] = []
            for chunk_rows, chunk_lines in self.chunks(name):
                rows.extend(chunk_rows)
                lines.extend(chunk_lines)
            self._held[name] = rows, lines
        return self._held[name]

    @property
    def rows(self) -> dict[str, list[dict]]:
        if self._rows is None:
            self._rows = {t.name: self._hold(t.name)[0] for t in SEED_TYPES if self.counts.get(t.name)}
        return self._rows

    @property
    def lines(self) -> dict[str, list[int]]:
        return {t.name: self._hold(t.name)[1] for t in SEED_TYPES if self.counts.get(t.name)}

    def chairs(self) -> list[str]:
        """The usernames the seed's conferences name as chair: loading a conference gives its
        chair the child's whole network, so each load's audit event lists them."""
        return sorted(self.chair_names)

    def summary(self) -> dict[str, int]:
        """Number of rows per seed type, in load order, zero for absent types."""
        return {t.name: self.counts.get(t.name, 0) for t in SEED_TYPES}

    def batches(self, name: str, size: int = 10_000) -> Iterator[list[dict]]:
        """The rows of one type in lists of at most `size`, for UNWIND batches."""
        batch: list[dict] = []
        for rows, _ in self.chunks(name):
            batch.extend(rows)
            while len(batch) >= size:
                yield batch[:size]
                del batch[:size]
        if batch:
            yield batch


class SeedChanged(Exception):
    """A seed's files changed between validating and loading them: what is read now was
    not validated, so the load stops (what it wrote is complete rows, and loading the seed
    again, validated again, completes or corrects it)."""

    def __init__(self, source: Path, problems: list[Problem]):
        self.problems = problems
        found = f": {problems[0]}" if problems else ""
        super().__init__(f"the seed {source} changed after it was validated{found}; "
                         "validate and load it again")
