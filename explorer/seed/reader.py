"""Reading seed files into raw records with the line each record starts on.

Owns the file-level rules: which file names are seed files, encodings (UTF-8
with or without BOM; any other bytes are a problem on their line), CSV
dialect details (CRLF or LF, quoted fields with commas and line breaks, blank
lines) and JSON Lines. Files are streamed: a block of lines is read at a time and
rows come out a chunk at a time, so a file of any size is read in bounded memory.
Values come out as they were written (a chunk of a CSV file column by column, as a
`RawTable`); converting and checking them is `records`' and `convert`'s job.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate, chain, islice
from operator import itemgetter
from pathlib import Path

from explorer.seed.model import Problem
from explorer.seed.schema import BY_FILE, BY_NAME, SeedType

BOM = b"\xef\xbb\xbf"


@dataclass
class RawRecord:
    type: SeedType
    file: str
    line: int
    values: dict[str, object]  # column name -> value as written ('' or None when empty)


def _is_ignored(path: Path) -> bool:
    # Documentation beside the data (the demo seed's README) and hidden files
    # (editor and OS droppings) are not data; anything else unknown is an error.
    return path.name.startswith(".") or path.suffix.lower() == ".md"


# Byte order marks of the encodings spreadsheet programs also save as ("Unicode text"):
# such a file is not UTF-8 anywhere, so it is one problem, not one per line and column.
OTHER_BOMS = ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"),
              (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16"))


# Bytes read at a time: whole lines of about this many bytes, so a file of any size is read
# in memory of this order.
BLOCK_BYTES = 1 << 22
# Rows converted and checked at a time.
CHUNK_ROWS = 50_000


def _decode_block(file: str, data: bytes, before: int, problems: list[Problem]) -> str:
    """UTF-8 text of whole lines `data`, which follow line `before`; every line that is not
    UTF-8 becomes a problem (and is decoded with replacement characters)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    for number, line in enumerate(data.split(b"\n"), start=before + 1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as e:
            bad = line[e.start : e.start + 4]
            problems.append(Problem(file, number, None,
                                    f"not UTF-8 (byte(s) {bad!r} at position {e.start + 1}); "
                                    "save the file as UTF-8"))
    return data.decode("utf-8", errors="replace")


def _other_encoding(file: str, data: bytes, problems: list[Problem]) -> bool:
    """Whether `data` (a file's start) is marked as another Unicode encoding: one problem,
    as nothing in the file can be read."""
    for mark, encoding in OTHER_BOMS:
        if data.startswith(mark):
            problems.append(Problem(file, 1, None, f"the file is {encoding} (it starts with "
                                    f"that encoding's byte order mark); save it as UTF-8"))
            return True
    return False


def readable(path: Path, problems: list[Problem]) -> bool:
    """Whether the file may be UTF-8 (it does not start as another Unicode encoding)."""
    with path.open("rb") as fh:
        return not _other_encoding(path.name, fh.read(4), problems)


def text_blocks(path: Path, problems: list[Problem]) -> Iterator[str]:
    """The file's text a block of whole lines (split on \\n) at a time: UTF-8 with or without
    a BOM; a line that is not UTF-8 is a problem on its line; a file in another Unicode
    encoding is one problem and no text (`readable`)."""
    if not readable(path, problems):
        return
    before = 0
    with path.open("rb") as fh:
        while lines := fh.readlines(BLOCK_BYTES):
            data = b"".join(lines)
            if not before:
                data = data.removeprefix(BOM)
            yield _decode_block(path.name, data, before, problems)
            before += len(lines)


def suggest(name: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(name, choices, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


@dataclass
class RawTable:
    """The data rows of one CSV file as written, column by column.

    `columns[j][i]` is the field of column `names[j]` (the header's known
    columns, in header order) in data row `i`, which starts on line `lines[i]`.
    """

    type: SeedType
    file: str
    names: list[str]
    columns: list[Sequence[str]]
    lines: list[int]


def _lines(block: str) -> io.StringIO:
    # newline="" keeps line breaks inside quoted fields as written and lets csv count
    # physical lines in line_num. A block ends after a \\n, so no \\r\\n is split between two.
    return io.StringIO(block, newline="")


def _header(stype: SeedType, file: str, reader, problems: list[Problem]) -> list[tuple[int, str]] | None:
    """(position, name) of the header's known columns, or None when there is no header;
    header problems go to `problems`."""
    try:
        header = next(reader, None)
    except csv.Error as e:
        problems.append(Problem(file, reader.line_num or 1, None, f"malformed CSV: {e}"))
        return None
    if header is None or not any(h.strip() for h in header):
        problems.append(Problem(file, 1, None,
                                "expected a header line naming the columns, found none"))
        return None
    header = [h.strip() for h in header]
    usable: list[tuple[int, str]] = []
    seen: set[str] = set()
    for i, name in enumerate(header):
        problem = _header_problem(stype, file, header, i, seen)
        if problem:
            problems.append(problem)
        else:
            usable.append((i, name))
        seen.add(name)
    for col in stype.columns:
        if col.in_header and col.name not in seen:
            problems.append(Problem(file, 1, col.name, "required column is missing from the header"))
    usable.append((len(header), ""))  # the width, for the rows
    return usable


def _header_problem(stype: SeedType, file: str, header: list[str], i: int,
                    seen: set[str]) -> Problem | None:
    name = header[i]
    if not name:
        trailing = " (a comma at the end of the header line?)" if i == len(header) - 1 else ""
        return Problem(file, 1, f"#{i + 1}", f"column {i + 1} has no name in the header{trailing}")
    if name in seen:
        return Problem(file, 1, name, "column appears twice in the header")
    if name not in stype.column_map:
        known = [c.name for c in stype.columns]
        return Problem(file, 1, name, f"unknown column{suggest(name, known)}; {stype.file} has "
                       "columns " + ", ".join(known))
    return None


def _spans(records: list[list[str]]) -> list[int]:
    """Physical lines each record spans: one, and one more per line break in its fields
    (\\r\\n, \\r or \\n, as io's universal newlines split lines)."""
    return [1 + sum(f.count("\n") + f.count("\r") - f.count("\r\n") for f in fields)
            for fields in records]


def _read_records(reader, size: int) -> tuple[list[list[str]], list[int], csv.Error | None]:
    """Up to `size` records and the line each starts on, then the line the next record
    starts on; a malformed record ends the file, and is returned as the error."""
    before = reader.line_num
    records: list[list[str]] = []
    error = None
    try:
        records.extend(islice(reader, size))
    except csv.Error as e:
        error = e
    if error is None and reader.line_num - before == len(records):
        # Every record is one physical line (no quoted line breaks), the usual case.
        return records, list(range(before + 1, before + 2 + len(records))), None
    return records, list(accumulate(_spans(records), initial=before + 1)), error


def csv_chunks(stype: SeedType, path: Path, problems: list[Problem],
               size: int | None = None) -> Iterator[RawTable]:
    """The data rows of one CSV file, at most `size` at a time, as they were written; file,
    header and row-shape problems go to `problems` as they are met."""
    file = path.name
    if not readable(path, []):
        list(text_blocks(path, problems))  # the one problem
        return
    reader = csv.reader(chain.from_iterable(map(_lines, text_blocks(path, problems))),
                        strict=True)
    usable = _header(stype, file, reader, problems)
    if usable is None:
        return
    width = usable.pop()[0]
    names = [name for _, name in usable]
    size = size or CHUNK_ROWS
    while True:
        records, lines, error = _read_records(reader, size)
        rows, after = records, lines.pop()
        if not (all(map(width.__eq__, map(len, records)))
                and all(map(str.strip, map(itemgetter(0), records)))):
            rows, lines = _usual_rows(file, width, zip(lines, records, strict=True), problems)
        if rows:
            # itemgetter per column is several times faster than transposing with zip(*rows).
            yield RawTable(stype, file, names, [list(map(itemgetter(i), rows)) for i, _ in usable],
                           lines)
        if error is not None:
            problems.append(Problem(file, after, None, f"malformed CSV: {error}"))
            return
        if len(records) < size:
            return


def _usual_rows(file: str, width: int, numbered: Iterable[tuple[int, list[str]]],
                problems: list[Problem]) -> tuple[list[list[str]], list[int]]:
    """The records that are data rows, and their lines: blank lines (e.g. trailing
    blank lines of an export) are skipped, a row of the wrong width is a problem."""
    rows: list[list[str]] = []
    lines: list[int] = []
    for line, fields in numbered:
        if not any(f.strip() for f in fields):
            continue
        if len(fields) != width:
            problems.append(Problem(
                file, line, None,
                f"expected {width} fields as in the header, got {len(fields)} "
                "(a field with a comma or line break must be in double quotes)"))
            continue
        rows.append(fields)
        lines.append(line)
    return rows, lines


class _RepeatedKey(ValueError):
    pass


def _no_repeated_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    obj = dict(pairs)
    if len(obj) < len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _RepeatedKey(key)
            seen.add(key)
    return obj


def _jsonl_object(file: str, number: int, line: str,
                  problems: list[Problem]) -> dict[str, object] | None:
    try:
        obj = json.loads(line, object_pairs_hook=_no_repeated_keys)
    except json.JSONDecodeError as e:
        problems.append(Problem(file, number, None, f"not a JSON object: {e.msg}"))
        return None
    except _RepeatedKey as e:
        # JSON would keep the last value silently: which one the source meant is unknown.
        problems.append(Problem(file, number, str(e), "field appears twice in the record"))
        return None
    if not isinstance(obj, dict):
        problems.append(Problem(file, number, None, "expected a JSON object {...}"))
        return None
    return obj


def _jsonl_record(file: str, number: int, line: str, problems: list[Problem]) -> RawRecord | None:
    obj = _jsonl_object(file, number, line, problems)
    if obj is None:
        return None
    kind = obj.pop("type", None)
    stype = BY_NAME.get(kind) if isinstance(kind, str) else None
    if stype is None:
        problems.append(Problem(
            file, number, "type",
            f"unknown type {kind!r}{suggest(str(kind), list(BY_NAME))}; expected one of "
            + ", ".join(BY_NAME)))
        return None
    if stype.name == "service":
        # "type" names the record, so a service's own type is "service_type".
        obj["type"] = obj.pop("service_type", None)
    values = {}
    for key, value in obj.items():
        if key in stype.column_map:
            values[key] = value
        else:
            problems.append(Problem(
                file, number, key,
                f"unknown field for type {stype.name}{suggest(key, list(stype.column_map))}"))
    for col in stype.columns:
        if col.in_header and col.name not in values:
            problems.append(Problem(file, number, col.name, "required field is missing"))
    return RawRecord(stype, file, number, values)


def _numbered_lines(blocks: Iterable[str]) -> Iterator[tuple[int, str]]:
    # split on \n only: str.splitlines would also split on U+2028 and other
    # separators that JSON allows inside strings, and miscount lines.
    number = 0
    for block in blocks:
        lines = block.split("\n")
        if block.endswith("\n"):
            lines.pop()  # the empty text after the block's last line break
        for number, line in enumerate(lines, start=number + 1):  # noqa: B020 (numbering goes on)
            yield number, line


def jsonl_records(path: Path, problems: list[Problem]) -> Iterator[RawRecord]:
    """The records of a `.jsonl` seed, in file order, read a block at a time."""
    for number, line in _numbered_lines(text_blocks(path, problems)):
        if line.strip():
            record = _jsonl_record(path.name, number, line, problems)
            if record is not None:
                yield record


def seed_files(path: Path, problems: list[Problem]) -> list[tuple[SeedType, Path]]:
    """The seed files of a seed directory, with the type each holds, in name order.

    Anything else in the directory (except documentation and hidden files) is
    a problem, and so is a directory without any seed file.
    """
    found: list[tuple[SeedType, Path]] = []
    listed: list[Problem] = []
    for entry in sorted(path.iterdir()):
        if _is_ignored(entry):
            continue
        stype = BY_FILE.get(entry.name)
        if stype is None or not entry.is_file():
            listed.append(Problem(
                entry.name, None, None,
                f"not a seed file{suggest(entry.name, list(BY_FILE))}; seed files are "
                + ", ".join(BY_FILE)))
            continue
        found.append((stype, entry))
    if not found and not listed:
        listed.append(Problem(path.name, None, None,
                              "no seed files found; expected some of " + ", ".join(BY_FILE)))
    problems.extend(listed)
    return found
