"""Reading seed files into raw records with the line each record starts on.

Owns the file-level rules: which file names are seed files, encodings (UTF-8
with or without BOM; any other bytes are a problem on their line), CSV
dialect details (CRLF or LF, quoted fields with commas and line breaks, blank
lines) and JSON Lines. Values come out as they were written (a CSV file
column by column, as a `RawTable`); converting and checking them is
`validate`'s job.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
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


def decode(file: str, data: bytes, problems: list[Problem]) -> str | None:
    """UTF-8 text of `data`; every line that is not UTF-8 becomes a problem. None for a file
    in another Unicode encoding (one problem: nothing in it can be read)."""
    for mark, encoding in OTHER_BOMS:
        if data.startswith(mark):
            problems.append(Problem(file, 1, None, f"the file is {encoding} (it starts with "
                                    f"that encoding's byte order mark); save it as UTF-8"))
            return None
    if data.startswith(BOM):
        data = data[len(BOM):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    for number, line in enumerate(data.split(b"\n"), start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as e:
            bad = line[e.start : e.start + 4]
            problems.append(Problem(file, number, None,
                                    f"not UTF-8 (byte(s) {bad!r} at position {e.start + 1}); "
                                    "save the file as UTF-8"))
    return data.decode("utf-8", errors="replace")


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


def csv_table(stype: SeedType, file: str, text: str, problems: list[Problem]) -> RawTable:
    """The data rows of one CSV file; header and row-shape problems go to `problems`."""
    # newline="" keeps line breaks inside quoted fields as written and lets
    # csv count physical lines in line_num.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    empty = RawTable(stype, file, [], [], [])
    try:
        header = next(reader, None)
    except csv.Error as e:
        problems.append(Problem(file, reader.line_num or 1, None, f"malformed CSV: {e}"))
        return empty
    if header is None or not any(h.strip() for h in header):
        problems.append(Problem(file, 1, None,
                                "expected a header line naming the columns, found none"))
        return empty
    header = [h.strip() for h in header]
    known = [c.name for c in stype.columns]
    usable: list[tuple[int, str]] = []
    seen: set[str] = set()
    for i, name in enumerate(header):
        if not name:
            trailing = " (a comma at the end of the header line?)" if i == len(header) - 1 else ""
            problems.append(Problem(file, 1, f"#{i + 1}",
                                    f"column {i + 1} has no name in the header{trailing}"))
        elif name in seen:
            problems.append(Problem(file, 1, name, "column appears twice in the header"))
        elif name not in stype.column_map:
            problems.append(Problem(
                file, 1, name,
                f"unknown column{suggest(name, known)}; {stype.file} has columns "
                + ", ".join(known)))
        else:
            usable.append((i, name))
        seen.add(name)
    for col in stype.columns:
        if col.in_header and col.name not in seen:
            problems.append(Problem(file, 1, col.name, "required column is missing from the header"))
    width = len(header)
    first_line = reader.line_num + 1
    try:
        records = list(reader)
    except csv.Error:
        records = None  # found again, at its line, by the record-by-record reading below
    if records is not None and reader.line_num == first_line - 1 + len(records):
        # Every record is one physical line (no quoted line breaks): record i is on
        # line first_line + i, with no need to ask the reader record by record.
        lines = list(range(first_line, first_line + len(records)))
        rows = records
        if not (all(map(width.__eq__, map(len, records)))
                and all(map(str.strip, map(itemgetter(0), records)))):
            rows, lines = _usual_rows(file, width, zip(lines, records, strict=True), problems)
    else:
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        next(reader)
        rows, lines = _usual_rows(file, width, _numbered(reader, file, problems), problems)
    # itemgetter per column is several times faster than transposing with zip(*rows).
    return RawTable(stype, file, [name for _, name in usable],
                    [list(map(itemgetter(i), rows)) for i, _ in usable], lines)


def _numbered(reader, file: str, problems: list[Problem]) -> Iterator[tuple[int, list[str]]]:
    """(line where the record starts, fields) of each record; a malformed record
    is a problem at its line and ends the file."""
    start = reader.line_num + 1
    try:
        for fields in reader:
            yield start, fields
            start = reader.line_num + 1
    except csv.Error as e:
        problems.append(Problem(file, start, None, f"malformed CSV: {e}"))


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
        raise _RepeatedKey(next(k for k, _ in pairs if k in seen or seen.add(k)))
    return obj


def jsonl_records(file: str, text: str, problems: list[Problem]) -> Iterator[RawRecord]:
    # split on \n only: str.splitlines would also split on U+2028 and other
    # separators that JSON allows inside strings, and miscount lines.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line, object_pairs_hook=_no_repeated_keys)
        except json.JSONDecodeError as e:
            problems.append(Problem(file, number, None, f"not a JSON object: {e.msg}"))
            continue
        except _RepeatedKey as e:
            # JSON would keep the last value silently: which one the source meant is unknown.
            problems.append(Problem(file, number, str(e), "field appears twice in the record"))
            continue
        if not isinstance(obj, dict):
            problems.append(Problem(file, number, None, "expected a JSON object {...}"))
            continue
        kind = obj.pop("type", None)
        stype = BY_NAME.get(kind) if isinstance(kind, str) else None
        if stype is None:
            problems.append(Problem(
                file, number, "type",
                f"unknown type {kind!r}{suggest(str(kind), list(BY_NAME))}; expected one of "
                + ", ".join(BY_NAME)))
            continue
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
                    f"unknown field for type {stype.name}"
                    f"{suggest(key, list(stype.column_map))}"))
        for col in stype.columns:
            if col.in_header and col.name not in values:
                problems.append(Problem(file, number, col.name, "required field is missing"))
        yield RawRecord(stype, file, number, values)


def read_csv_file(stype: SeedType, path: Path, problems: list[Problem]) -> RawTable:
    """One seed CSV file, decoded and split into columns."""
    text = decode(path.name, path.read_bytes(), problems)
    if text is None:
        return RawTable(stype, path.name, [], [], [])
    return csv_table(stype, path.name, text, problems)


def read_jsonl_file(path: Path, problems: list[Problem]) -> list[RawRecord]:
    """The records of a `.jsonl` seed, in file order."""
    text = decode(path.name, path.read_bytes(), problems)
    return [] if text is None else list(jsonl_records(path.name, text, problems))


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
