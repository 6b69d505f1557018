"""Reading seed files into raw records with the line each record starts on.

Owns the file-level rules: which file names are seed files, encodings (UTF-8
with or without BOM; any other bytes are a problem on their line), CSV
dialect details (CRLF or LF, quoted fields with commas and line breaks, blank
lines) and JSON Lines. Values come out as they were written; converting and
checking them is `validate`'s job.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
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


def decode(file: str, data: bytes, problems: list[Problem]) -> str:
    """UTF-8 text of `data`; every line that is not UTF-8 becomes a problem."""
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


def csv_records(stype: SeedType, file: str, text: str,
                problems: list[Problem]) -> Iterator[RawRecord]:
    """Records of one CSV file; header problems go to `problems`."""
    # newline="" keeps line breaks inside quoted fields as written and lets
    # csv count physical lines in line_num.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as e:
        problems.append(Problem(file, reader.line_num or 1, None, f"malformed CSV: {e}"))
        return
    if header is None or not any(h.strip() for h in header):
        problems.append(Problem(file, 1, None,
                                "expected a header line naming the columns, found none"))
        return
    header = [h.strip() for h in header]
    known = [c.name for c in stype.columns]
    usable: list[tuple[int, str]] = []
    seen: set[str] = set()
    for i, name in enumerate(header):
        if name in seen:
            problems.append(Problem(file, 1, name, "column appears twice in the header"))
        elif name not in stype.column_map:
            problems.append(Problem(
                file, 1, name or f"#{i + 1}",
                f"unknown column{suggest(name, known)}; {stype.file} has columns "
                + ", ".join(known)))
        else:
            usable.append((i, name))
        seen.add(name)
    for col in stype.columns:
        if col.in_header and col.name not in seen:
            problems.append(Problem(file, 1, col.name, "required column is missing from the header"))
    width = len(header)
    start = reader.line_num + 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            problems.append(Problem(file, start, None, f"malformed CSV: {e}"))
            break
        line = start
        start = reader.line_num + 1
        if not any(f.strip() for f in fields):
            continue  # blank line, e.g. trailing blank lines of an export
        if len(fields) != width:
            problems.append(Problem(
                file, line, None,
                f"expected {width} fields as in the header, got {len(fields)} "
                "(a field with a comma or line break must be in double quotes)"))
            continue
        yield RawRecord(stype, file, line, {name: fields[i] for i, name in usable})


def jsonl_records(file: str, text: str, problems: list[Problem]) -> Iterator[RawRecord]:
    # split on \n only: str.splitlines would also split on U+2028 and other
    # separators that JSON allows inside strings, and miscount lines.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            problems.append(Problem(file, number, None, f"not a JSON object: {e.msg}"))
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


def read_records(path: Path, problems: list[Problem]) -> list[RawRecord]:
    """All raw records of a seed directory (CSV files) or a `.jsonl` file."""
    path = Path(path)
    records: list[RawRecord] = []
    if path.is_file():
        if path.suffix.lower() != ".jsonl":
            problems.append(Problem(path.name, None, None,
                                    "a seed is a directory of CSV files or one .jsonl file"))
            return records
        text = decode(path.name, path.read_bytes(), problems)
        records.extend(jsonl_records(path.name, text, problems))
        return records
    if not path.is_dir():
        problems.append(Problem(str(path), None, None, "no such seed directory or .jsonl file"))
        return records
    found = False
    for entry in sorted(path.iterdir()):
        if _is_ignored(entry):
            continue
        stype = BY_FILE.get(entry.name)
        if stype is None or not entry.is_file():
            problems.append(Problem(
                entry.name, None, None,
                f"not a seed file{suggest(entry.name, list(BY_FILE))}; seed files are "
                + ", ".join(BY_FILE)))
            continue
        found = True
        text = decode(entry.name, entry.read_bytes(), problems)
        records.extend(csv_records(stype, entry.name, text, problems))
    if not found and not problems:
        problems.append(Problem(path.name, None, None,
                                "no seed files found; expected some of " + ", ".join(BY_FILE)))
    return records
