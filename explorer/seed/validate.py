"""Validating a whole seed before anything is written: `read_seed`.

Owns the value rules (dates, booleans, enums, ids, NHS numbers...), the rules
within a record (plan fields, ages, end before start) and across records
(duplicate ids, relationships whose ends do not exist, relationships from a
node to itself, attending a service that is not a school, previous plans that
overlap each other, the child's birth or the child's current plan). Every problem in
the seed is collected; `SeedInvalid` carries them all.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import json
import multiprocessing as mp
import operator
import os
import re
import signal
import threading
import time
import unicodedata
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from itertools import compress, count, repeat
from operator import itemgetter
from pathlib import Path
from typing import Any

from explorer.policy import purged_id_hash
from explorer.seed.model import Problem, Seed, SeedInvalid
from explorer.seed.reader import (
    RawRecord,
    RawTable,
    read_csv_file,
    read_jsonl_file,
    seed_files,
)
from explorer.seed.schema import (
    ALWAYS_SENSITIVE,
    BY_LABEL,
    EMAIL_PATTERN,
    ID_PATTERN,
    PHONE_PATTERN,
    PLAN_STATUSES,
    POSTCODE_PATTERN,
    SEED_TYPES,
    USERNAME_PATTERN,
    Column,
    SeedType,
)

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TRUE = frozenset({"true", "yes", "1"})
_FALSE = frozenset({"false", "no", "0"})
_LINE_BREAKS = frozenset("\n\r\t")
_NHS_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)
# Below this many bytes of CSV, starting processes and passing rows back costs more
# than reading in parallel saves.
PARALLEL_FROM_BYTES = 4_000_000
# Unicode's category Cc (C0 and C1 controls and DEL), and the bidirectional embeddings,
# overrides and isolates (U+202A-U+202E, U+2066-U+2069): what _no_control refuses. The
# latter are invisible and reorder the text around them, so a name holding one shows as
# another (a display spoof, as in "Trojan Source").
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


class Bad(ValueError):
    """A value that does not fit its column; the message says what was expected."""


def nhs_check_digit(first_nine: str) -> int | None:
    """The NHS number check digit for nine digits, or None if no valid one exists.

    >>> nhs_check_digit("943476591")
    9
    """
    total = sum(map(operator.mul, map(int, first_nine), _NHS_WEIGHTS))
    check = 11 - total % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def _expect(col: Column) -> str:
    k = col.kind
    if k in ("id", "ref"):
        return ("an id: a letter or digit, then up to 63 letters, digits or _ . : -")
    if k == "date":
        return "a date YYYY-MM-DD"
    if k == "bool":
        return "true or false (or yes/no, 1/0)"
    if k == "enum":
        return "one of " + ", ".join(col.values)
    if k == "nhs":
        return "a 10-digit NHS number with a valid check digit"
    if k == "postcode":
        return "a UK postcode like NM1 4XY"
    if k == "email":
        return "an email address like name@example.org"
    if k == "phone":
        return "a phone number of 6 to 24 digits, spaces, + ( ) -"
    if k == "username":
        return "a username: a letter or digit, then up to 63 letters, digits or _ . @ -"
    if k == "names":
        return "names separated by |"
    return "a value"


def _bad(col: Column, raw: object) -> Bad:
    return Bad(f"expected {_expect(col)}, got {raw!r}")


def _no_control(col: Column, text: str, allow_breaks: bool = False) -> str:
    if _CONTROL.search(text) is None:
        return text
    for ch in text:
        if ch in BIDI_CONTROLS:
            raise Bad(f"contains the invisible bidirectional control U+{ord(ch):04X}, which "
                      "changes how the text around it is shown")
        if unicodedata.category(ch) == "Cc" and not (allow_breaks and ch in _LINE_BREAKS):
            what = "a line break" if ch in "\r\n" else f"control character {ch!r}"
            raise Bad(f"contains {what}; only address may span lines")
    return text


def convert(col: Column, raw: object) -> object:
    """The typed value of one field, the column's default when empty; raises `Bad`."""
    if raw is None:
        raw = ""
    if col.kind == "bool" and isinstance(raw, bool):
        return raw
    if col.kind == "names" and isinstance(raw, list):
        if not all(isinstance(n, str) for n in raw):
            raise Bad(f"expected a list of strings, got {json.dumps(raw, ensure_ascii=False)}")
        return [_no_control(col, n.strip()) for n in raw if n.strip()]
    if not isinstance(raw, str):
        raise Bad(f"expected a string, got {json.dumps(raw, ensure_ascii=False)}")
    value = raw.strip()
    if not value:
        if col.required:
            raise Bad(f"required value is missing; expected {_expect(col)}")
        return list(col.default) if isinstance(col.default, list) else col.default
    kind = col.kind
    if kind in ("id", "ref"):
        if not ID_PATTERN.fullmatch(value):
            raise _bad(col, raw)
        return value
    if kind == "date":
        # date.fromisoformat alone would also take 20190101 and 2019-W01-1.
        if not _DATE.fullmatch(value):
            raise _bad(col, raw)
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise _bad(col, raw) from None
    if kind == "bool":
        low = value.lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        raise _bad(col, raw)
    if kind == "enum":
        low = value.lower()
        if low not in col.values:
            raise _bad(col, raw)
        return low
    if kind == "str":
        return _no_control(col, value)
    if kind == "text":
        return _no_control(col, value.replace("\r\n", "\n"), allow_breaks=True)
    if kind == "names":
        return [_no_control(col, n.strip()) for n in value.split("|") if n.strip()]
    if kind == "nhs":
        digits = value.replace(" ", "")
        if not (len(digits) == 10 and digits.isascii() and digits.isdigit()
                and nhs_check_digit(digits[:9]) == int(digits[9])):
            raise _bad(col, raw)
        return digits
    if kind == "postcode":
        m = POSTCODE_PATTERN.fullmatch(value.upper())
        if not m:
            raise _bad(col, raw)
        return f"{m.group(1)} {m.group(2)}"
    if kind == "email":
        if not EMAIL_PATTERN.fullmatch(value):
            raise _bad(col, raw)
        return value
    if kind == "phone":
        if not PHONE_PATTERN.fullmatch(value) or sum(c.isdigit() for c in value) < 6:
            raise _bad(col, raw)
        return value
    if kind == "username":
        if not USERNAME_PATTERN.fullmatch(value):
            raise _bad(col, raw)
        return value
    raise AssertionError(f"unknown column kind {kind}")


class _Failed:
    """A value `convert` refused, remembered with its message (see `convert_column`)."""

    __slots__ = ("message",)

    def __init__(self, message: str):
        self.message = message


def convert_column(col: Column, raws: Sequence[object], *,
                   strings: bool = False) -> tuple[list, list[tuple[int, str]]]:
    """`convert` applied to every value of one column.

    Returns the values (None where a value is bad) and `(index, message)` for
    every bad one. `strings` says every raw value is a `str` (as in CSV). The
    result is the same as calling `convert` value by value, only faster: a
    value that repeats (dates, enums, booleans, names, service ids) is
    converted once and the repeats share the result, and a column of ids is
    checked in one pass.

    >>> from explorer.seed.schema import CHILD
    >>> convert_column(CHILD.column_map["date_of_birth"], ["2019-01-02", "2019-13-01"],
    ...                strings=True)
    ([datetime.date(2019, 1, 2), None], [(1, "expected a date YYYY-MM-DD, got '2019-13-01'")])
    """
    values: list = []
    errors: list[tuple[int, str]] = []
    if not strings or isinstance(col.default, list):
        # Mixed JSON values (unhashable lists among them), or a mutable result
        # (a list of names) that rows must not share: one value at a time.
        empty = strings and not col.required and isinstance(col.default, list)
        for i, raw in enumerate(raws):
            if empty and not raw:
                values.append(list(col.default))
                continue
            try:
                values.append(convert(col, raw))
            except Bad as e:
                values.append(None)
                errors.append((i, str(e)))
        return values, errors
    if col.kind in ("id", "ref") and all(map(ID_PATTERN.fullmatch, raws)):
        return list(raws), errors  # a match has no surrounding space: convert would return it
    memo: dict[object, object] = {}
    failed = False
    for raw in set(raws):
        try:
            memo[raw] = convert(col, raw)
        except Bad as e:
            memo[raw] = _Failed(str(e))
            failed = True
    values = list(map(memo.__getitem__, raws))
    if failed:
        for i, value in enumerate(values):
            if type(value) is _Failed:
                errors.append((i, value.message))
                values[i] = None
    return values, errors


def age_on(born: date, today: date) -> int:
    """Completed years.

    >>> age_on(date(2008, 1, 2), date(2026, 1, 1)), age_on(date(2008, 1, 1), date(2026, 1, 1))
    (17, 18)
    """
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


# --- rules within one record -------------------------------------------------

Report = Callable[[str, str], None]  # (column, message)


def _ends_before(start: str, end: str, s: date, e: date) -> str:
    return (f"{end} {e.isoformat()} is before {start} {s.isoformat()}; "
            "it cannot end before it starts")


def _check_dates(row: dict, start: str, end: str, report: Report) -> None:
    s, e = row.get(start), row.get(end)
    if s is not None and e is not None and e < s:
        report(end, _ends_before(start, end, s, e))


def _check_child(row: dict, today: date, report: Report) -> None:
    if row.get("care_leaver_consent") and not row.get("care_leaver"):
        report("care_leaver_consent", "only a care leaver (care_leaver=true) may consent to "
                                      "being kept until 25")
    status = row.get("status") or "none"
    category = row.get("plan_category")
    if status == "cp_plan" and category is None and "plan_category" in row:
        report("plan_category", "required when status is cp_plan; expected one of "
                                "neglect, physical, sexual, emotional, multiple")
    elif status == "cp_plan" and "plan_category" not in row:
        report("plan_category", "required when status is cp_plan (column is missing)")
    if status != "cp_plan" and category is not None:
        report("plan_category", f"must be empty unless status is cp_plan (status is {status})")
    if status in PLAN_STATUSES and row.get("plan_start") is None:
        report("plan_start", f"required when status is {status}; expected a date YYYY-MM-DD")
    _check_dates(row, "plan_start", "plan_end", report)
    started = row.get("plan_start")
    if started is not None and started > today:
        report("plan_start", f"plan_start {started.isoformat()} is in the future (today is "
                             f"{today.isoformat()}); it is the date the current plan began")
    born = row.get("date_of_birth")
    if born is None:
        return
    if born > today:
        if status != "unborn_plan":
            report("date_of_birth",
                   f"date of birth {born.isoformat()} is in the future (today is "
                   f"{today.isoformat()}); only a child with status unborn_plan may have one")
        return
    age = age_on(born, today)
    # The retention rule (policy.archive_due): a record is archived at 18, at 25 for a care
    # leaver who consented; a feed cannot bring back a record the rule has archived.
    if age >= 25 and row.get("care_leaver"):
        report("date_of_birth", f"care leaver is {age}; care leavers are kept only until 25")
    elif age >= 18 and not (row.get("care_leaver") and row.get("care_leaver_consent")):
        report("date_of_birth", f"child is {age} (18 or over); records are archived at 18, and "
                                "only a care leaver who consented (care_leaver=true, "
                                "care_leaver_consent=true) is kept, until 25")


def _check_plan(row: dict, today: date, report: Report) -> None:
    _check_dates(row, "start", "end", report)
    end = row.get("end")
    if end is not None and end > today:
        report("end", f"end {end.isoformat()} is in the future (today is {today.isoformat()}); "
                      "plans.csv holds previous plans, which have ended (the current plan is "
                      "on the child: status, plan_start)")


def _check_conference(row: dict, today: date, report: Report) -> None:
    """A strategy discussion is what an initial conference is counted from, so it belongs to
    an initial conference only, and comes before it (explorer/reviews.py)."""
    discussed = row.get("strategy_discussion")
    if discussed is None:
        return
    if row.get("kind") != "initial":
        report("strategy_discussion", "must be empty unless kind is initial (a review is "
                                      "counted from the conference before it)")
    elif row.get("date") is not None and discussed > row["date"]:
        report("strategy_discussion", f"strategy_discussion {discussed.isoformat()} is after the "
                                      f"conference's date {row['date'].isoformat()}; the "
                                      "discussion comes first")


def _check_household(row: dict, today: date, report: Report) -> None:
    if row.get("address_status") == "none":
        for col in ("address", "postcode"):
            if row.get(col):
                report(col, "must be empty when address_status is none (no known address)")


def _mark_sensitive(row: dict, today: date, report: Report) -> None:
    row["sensitive"] = bool(row.get("sensitive")) or row.get("type") in ALWAYS_SENSITIVE


# The rules of one record of a seed type beyond its values' own, by type name.
# Rules every type of a shape shares (a dated relationship ends on or after it
# starts, a relationship joins two nodes) are `_check_columns`'.
RECORD_RULES: dict[str, Callable[[dict, date, Report], None]] = {
    "child": _check_child,
    "household": _check_household,
    "plan": _check_plan,
    "conference": _check_conference,
    "service": _mark_sensitive,
}


@dataclass
class Table:
    """The converted rows of one seed type from one file, with the line each starts on."""

    type: SeedType
    file: str
    names: tuple[str, ...]  # the columns the file gave (in the file's order)
    rows: list[dict]
    lines: list[int]
    complete: bool = True  # every row has every column in `names` (always so in CSV)
    # Found while the columns are at hand (in the process that read the file), for
    # `_cross_check`: each reference column's distinct ids, and the relationships
    # given twice.
    distinct: dict[str, set] = field(default_factory=dict)
    repeated: list[Problem] = field(default_factory=list)


def _check_columns(table: Table, columns: Mapping[str, Sequence], problems: list[Problem]) -> None:
    """Rules shared by every seed type of a shape, checked a column at a time."""
    stype, lines, file = table.type, table.lines, table.file
    since, until = columns.get("since"), columns.get("until")
    if "since" in stype.column_map and since is not None and until is not None:
        for i, (s, e) in enumerate(zip(since, until, strict=True)):
            if e is not None and s is not None and e < s:
                problems.append(Problem(file, lines[i], "until", _ends_before("since", "until", s, e)))
    if stype.start and stype.end:
        a, b = columns.get(stype.start), columns.get(stype.end)
        if a is not None and b is not None:
            for i in compress(count(), map(operator.eq, a, b)):
                if a[i] is not None:
                    problems.append(Problem(
                        file, lines[i], stype.end,
                        f"a relationship from a node to itself: {stype.start} and "
                        f"{stype.end} are both {a[i]!r}"))


def _check_records(table: Table, columns: Mapping[str, Sequence], today: date,
                   problems: list[Problem]) -> None:
    rule = RECORD_RULES.get(table.type.name)
    if rule is not None:
        line = 0

        def report(column: str, message: str) -> None:
            problems.append(Problem(table.file, line, column, message))

        for row, line in zip(table.rows, table.lines, strict=True):  # noqa: B007 (report reads it)
            rule(row, today, report)
    _check_columns(table, columns, problems)
    _summarise(table, columns)


def _summarise(table: Table, columns: Mapping[str, Sequence]) -> None:
    """What `_cross_check` needs of a table beyond its rows (see `Table.distinct`)."""
    stype, n = table.type, len(table.rows)
    for col in stype.columns:
        if col.kind == "ref":
            distinct = set(columns.get(col.name, ()))
            distinct.discard(None)
            table.distinct[col.name] = distinct
    if stype.is_node or stype.key == ("id",):
        return
    keys = list(zip(*(columns.get(k) or [None] * n for k in stype.key), strict=True))
    if len(set(keys)) == len(keys):
        return  # no relationship repeats: the usual case, found without a loop
    first: dict[tuple, int] = {}
    for key, line in zip(keys, table.lines, strict=True):
        if any(k is None for k in key[:2]):
            continue
        if key in first:
            table.repeated.append(Problem(table.file, line, stype.key[0],
                                          "duplicate relationship: same " + ", ".join(stype.key)
                                          + f" as line {first[key]}"))
        else:
            first[key] = line


def _csv_table(raw: RawTable, today: date, problems: list[Problem]) -> Table:
    """A CSV file's rows converted a column at a time, with its record rules checked."""
    stype, names = raw.type, tuple(raw.names)
    converted = []
    for name, column in zip(names, raw.columns, strict=True):
        values, errors = convert_column(stype.column_map[name], column, strings=True)
        problems.extend(Problem(raw.file, raw.lines[i], name, message) for i, message in errors)
        converted.append(values)
    if converted:
        rows = list(map(dict, map(zip, repeat(names), zip(*converted, strict=True))))
    else:
        rows = [{} for _ in raw.lines]
    table = Table(stype, raw.file, names, rows, raw.lines)
    _check_records(table, dict(zip(names, converted, strict=True)), today, problems)
    return table


def check_csv_file(stype: SeedType, path: Path, today: date) -> tuple[Table, list[Problem]]:
    """Read one seed CSV file, convert its values and check its records' own rules.

    What needs other files too (ids, references) is `_cross_check`'s, once
    every file is read. A module-level function, so a process pool can run it.
    """
    problems: list[Problem] = []
    table = _csv_table(read_csv_file(stype, path, problems), today, problems)
    return table, problems


def _jsonl_tables(records: list[RawRecord], today: date, problems: list[Problem]) -> list[Table]:
    """The records of a `.jsonl` seed, converted one by one, as one table per type."""
    tables: dict[str, Table] = {}
    for rec in records:
        stype = rec.type
        table = tables.get(stype.name)
        if table is None:
            table = tables[stype.name] = Table(stype, rec.file, (), [], [])
        row: dict[str, object] = {}
        for name, raw in rec.values.items():
            try:
                row[name] = convert(stype.column_map[name], raw)
            except Bad as e:
                problems.append(Problem(rec.file, rec.line, name, str(e)))
                row[name] = None
        table.rows.append(row)
        table.lines.append(rec.line)
    for table in tables.values():
        present = set().union(*table.rows)
        table.names = tuple(c.name for c in table.type.columns if c.name in present)
        table.complete = all(len(row) == len(table.names) for row in table.rows)
        columns = {name: [row.get(name) for row in table.rows] for name in table.names}
        _check_records(table, columns, today, problems)
    return list(tables.values())


# --- rules across records ------------------------------------------------------


def _column(seed: Seed, name: str, column: str) -> list:
    """The values of one column of a seed type's rows (None for a column it lacks)."""
    rows = seed.rows.get(name, [])
    if column in seed.columns.get(name, ()):
        return list(map(itemgetter(column), rows))
    return [row.get(column) for row in rows]


def _first_lines(values: Sequence, lines: Sequence[int]) -> dict:
    """Each value (but None) and the first line it is on."""
    first = dict(zip(reversed(values), reversed(lines), strict=True))
    first.pop(None, None)
    return first


def _repeats(values: Sequence, lines: Sequence[int], first: Mapping) -> Iterator[tuple[int, object]]:
    """(line, value) of every value (but None) on a later line than its first."""
    if len(first) == len(values) - values.count(None):
        return  # no value repeats: the usual case, found without a loop
    seen = set()
    for value, line in zip(values, lines, strict=True):
        if value is None:
            continue
        if value in seen:
            yield line, value
        else:
            seen.add(value)


def _among(values: set, *collections: Collection) -> set:
    """The values that are in any of the collections (sets, dicts or lists)."""
    found: set = set()
    for collection in collections:
        if collection:
            # set.intersection walks `collection` in C when it is not a set itself.
            found |= values.intersection(collection)
    return found


def _merge(tables: list[Table], seed: Seed) -> None:
    """The tables' rows into `seed`, every row of a type with the same keys (for UNWIND)."""
    by_type = {table.type.name: table for table in tables}
    for stype in SEED_TYPES:
        table = by_type.get(stype.name)
        if table is None or not table.rows:
            seed.columns[stype.name] = ()
            continue
        seed.rows[stype.name] = table.rows
        seed.lines[stype.name] = table.lines
        cols = tuple(c.name for c in stype.columns if c.name in table.names)
        if stype.name == "service":
            cols = tuple(dict.fromkeys((*cols, "sensitive")))
        seed.columns[stype.name] = cols
        if not table.complete:
            for row in table.rows:
                for name in cols:
                    if name not in row:
                        default = stype.column_map[name].default
                        row[name] = list(default) if isinstance(default, list) else default


def _problem_files(seed: Seed) -> dict[str, str]:
    """Seed type name -> the file its problems are reported in: the type's CSV file, or
    the one file of a .jsonl seed."""
    jsonl = seed.source.suffix.lower() == ".jsonl"
    return {t.name: seed.source.name if jsonl else t.file for t in SEED_TYPES}


def _damaged(seed: Seed, problems: list[Problem]) -> dict[str, str]:
    """Label -> the file its nodes come from, for files with rows that could not be read
    (a problem with the header, line 1, or with a whole line): a reference to an id of
    such a label may be missing only because its row was unreadable."""
    broken = {p.file for p in problems if p.line == 1 or p.column is None}
    files = _problem_files(seed)
    return {t.label: files[t.name] for t in SEED_TYPES if t.is_node and files[t.name] in broken}


def _cross_check(seed: Seed, tables: Mapping[str, Table],
                 known: Mapping[str, Collection[str]] | None, problems: list[Problem],
                 damaged: Mapping[str, str] | None = None) -> None:
    # In a .jsonl seed every problem is in that one file.
    jsonl = seed.source.suffix.lower() == ".jsonl"
    files = _problem_files(seed)
    ids: dict[str, dict[str, int]] = {}  # label -> id -> first line
    for stype in SEED_TYPES:
        if not stype.is_node and "id" not in stype.column_map:
            continue
        values, lines = _column(seed, stype.name, "id"), seed.lines.get(stype.name, [])
        first = ids[stype.label] = _first_lines(values, lines)
        for line, rid in _repeats(values, lines, first):
            problems.append(Problem(files[stype.name], line, "id",
                                    f"duplicate id {rid!r} (first at line {first[rid]})"))
    # A person id must name one person: lives_in refers to children and
    # adults by id alone.
    known = known or {}
    known_children, known_adults = known.get("Child", ()), known.get("Adult", ())
    for rid, line in ids.get("Adult", {}).items():
        other = ids["Child"].get(rid)
        if other is not None:
            problems.append(Problem(files["adult"], line, "id",
                                    f"id {rid!r} is also a child ({files['child']}:{other}); "
                                    "a person id must name one person"))
        elif rid in known_children:
            problems.append(Problem(files["adult"], line, "id",
                                    f"id {rid!r} is already a child in the database"))
    if known_adults:
        for rid, line in ids.get("Child", {}).items():
            if rid not in ids["Adult"] and rid in known_adults:
                problems.append(Problem(files["child"], line, "id",
                                        f"id {rid!r} is already an adult in the database"))

    numbers, lines = _column(seed, "child", "nhs_number"), seed.lines.get("child", [])
    nhs = _first_lines(numbers, lines)
    for line, number in _repeats(numbers, lines, nhs):
        problems.append(Problem(files["child"], line, "nhs_number",
                                f"NHS number {number} is also on line {nhs[number]}; "
                                "it identifies one child"))

    service_types: dict[str, str] = {}
    known_services = known.get("Service", ())
    if isinstance(known_services, Mapping):
        service_types.update(known_services)
    service_types.update({r["id"]: r["type"] for r in seed.rows.get("service", ())
                          if r.get("id") and r.get("type")})
    wanted_type = {"attends": "school", "registered_with": "gp_practice"}
    where = " in the seed" + (" or the database" if known else "")

    for stype in SEED_TYPES:
        refs = [c for c in stype.columns if c.kind == "ref"]
        rows = seed.rows.get(stype.name)
        if not refs or not rows:
            continue
        file, lines = files[stype.name], seed.lines[stype.name]
        for col in refs:
            distinct = tables[stype.name].distinct[col.name]
            # The ids of each label the column may name, among the distinct values:
            # set operations, so a column whose every reference is sound costs no loop.
            named = {label: _among(distinct, ids.get(label, {}), known.get(label, ()))
                     for label in col.ref}
            unknown = distinct.difference(*named.values())
            ambiguous = set.intersection(*named.values()) if len(col.ref) > 1 else set()
            person = stype.name == "lives_in" and col.name == "person_id"
            values = _column(seed, stype.name, col.name) if unknown or ambiguous or person else []
            if unknown or ambiguous:
                names = " or ".join(label.lower() for label in col.ref)
                sources = ", ".join(("type " + BY_LABEL[label].name) if jsonl
                                    else BY_LABEL[label].file for label in col.ref)
                follows = next((damaged[label] for label in col.ref if label in (damaged or {})),
                               None)
                for i, value in enumerate(values):
                    if value in unknown:
                        problems.append(Problem(file, lines[i], col.name,
                                                f"no {names} with id {value!r}{where} ({sources})",
                                                follows))
                    elif value in ambiguous:
                        problems.append(Problem(file, lines[i], col.name,
                                                f"id {value!r} is both a child and an adult"))
            if person:
                label_of: dict[object, str] = {}
                for label in col.ref:
                    label_of.update(dict.fromkeys(named[label] - ambiguous, label))
                for row, value in zip(rows, values, strict=True):
                    row["person_label"] = label_of.get(value)
        want = wanted_type.get(stype.name)
        if want:
            sids = _column(seed, stype.name, "service_id")
            wrong = {sid for sid in set(sids) if sid in service_types and service_types[sid] != want}
            for i in (i for i, sid in enumerate(sids) if sid in wrong) if wrong else ():
                sid = sids[i]
                problems.append(Problem(file, lines[i], "service_id",
                                        f"service {sid!r} is a {service_types[sid]}, "
                                        f"expected a {want} ({file} links "
                                        f"children to a {want})"))
        problems.extend(tables[stype.name].repeated)
    if seed.rows.get("lives_in"):
        seed.columns["lives_in"] = (*seed.columns["lives_in"], "person_label")
        if "person_id" not in seed.columns["lives_in"]:
            for row in seed.rows["lives_in"]:
                row.setdefault("person_label", None)


def _check_stored_involvements(seed: Seed, known: Mapping[str, Any],
                               problems: list[Problem]) -> None:
    """An involvement id already stored between one practitioner and child may not name
    another pair: the load would otherwise stop part-way on the id's uniqueness."""
    stored = known.get("INVOLVED_WITH")
    rows = seed.rows.get("involved_with")
    if not stored or not rows:
        return
    file = _problem_files(seed)["involved_with"]
    for row, line in zip(rows, seed.lines["involved_with"], strict=True):
        ends = stored.get(row.get("id"))
        if ends is None or ends == (row.get("practitioner_id"), row.get("child_id")):
            continue
        column = "practitioner_id" if ends[0] != row.get("practitioner_id") else "child_id"
        problems.append(Problem(file, line, column,
                                f"involvement {row['id']!r} is stored between practitioner "
                                f"{ends[0]!r} and child {ends[1]!r}; an involvement cannot move "
                                "to another practitioner or child (end it, and give the new one "
                                "a new id)"))


def _check_retention(seed: Seed, known: Mapping[str, Any], problems: list[Problem]) -> None:
    """A feed may not bring back a child whose record is archived or was purged (domain.md:
    archived at 18, or 25 for a care leaver who consented, and purged when the archive period
    ends), nor add to an archived record: such a row is refused, and with it the whole feed,
    so a source that still sends the child is told rather than silently obeyed or ignored.
    ``known`` carries the archived ids (``ARCHIVED_CHILD``: id -> policy.archive_state) and
    the purged children's tombstones (``PURGED_CHILD``: policy.purged_id_hash of each id)."""
    archived = known.get("ARCHIVED_CHILD") or {}
    purged = known.get("PURGED_CHILD") or set()
    if not (archived or purged):
        return
    files = _problem_files(seed)
    for row, line in zip(seed.rows.get("child", ()), seed.lines.get("child", ()), strict=True):
        cid = row.get("id")
        if cid in archived:
            state = archived[cid] or {}
            problems.append(Problem(files["child"], line, "id", (
                f"child {cid!r} is archived (since {state.get('on')}, {state.get('reason')}); "
                "an archived record is not changed or brought back by a feed")))
        elif cid is not None and purged_id_hash(cid) in purged:
            problems.append(Problem(files["child"], line, "id", (
                f"child {cid!r} was purged under the retention rules; a purged record is "
                "never loaded again")))
    if not archived:
        return
    for stype in SEED_TYPES:
        rows = seed.rows.get(stype.name)
        if stype.name == "child" or not rows:
            continue
        for col in stype.columns:
            if col.kind != "ref" or "Child" not in col.ref:
                continue
            for row, line in zip(rows, seed.lines[stype.name], strict=True):
                cid = row.get(col.name)
                if cid in archived and (stype.name != "lives_in"
                                        or row.get("person_label") in (None, "Child")):
                    problems.append(Problem(files[stype.name], line, col.name, (
                        f"child {cid!r} is archived; a feed cannot add to or change an "
                        "archived record")))


def _check_plan_history(seed: Seed, problems: list[Problem]) -> None:
    """A child's previous plans against the child in the same seed (born before the plan
    started, current plan started after it ended) and against each other (no overlap).
    A plan whose child is only in the database is checked for its own dates alone."""
    plans = seed.rows.get("plan")
    if not plans:
        return
    files = _problem_files(seed)
    plan_file, child_file = files["plan"], files["child"]
    children = {c.get("id"): (c, line) for c, line in zip(seed.rows.get("child", ()),
                                                          seed.lines.get("child", ()),
                                                          strict=True)}
    spans: dict[str, list[tuple[date, date, int]]] = {}
    for row, line in zip(plans, seed.lines["plan"], strict=True):
        cid, start, end = row.get("child_id"), row.get("start"), row.get("end")
        if cid in children:
            child, child_line = children[cid]
            born, current = child.get("date_of_birth"), child.get("plan_start")
            if start is not None and born is not None and start < born:
                problems.append(Problem(
                    plan_file, line, "start",
                    f"start {start.isoformat()} is before child {cid!r} was born "
                    f"({born.isoformat()}, {child_file}:{child_line})"))
            if end is not None and current is not None and end >= current:
                problems.append(Problem(
                    plan_file, line, "end",
                    f"end {end.isoformat()} is not before the current plan_start "
                    f"{current.isoformat()} of child {cid!r} ({child_file}:{child_line}); a "
                    "previous plan ends before the current one starts"))
        if cid is not None and start is not None and end is not None and start <= end:
            spans.setdefault(cid, []).append((start, end, line))
    for cid, found in spans.items():
        found.sort()
        latest = found[0]
        for span in found[1:]:
            if span[0] <= latest[1]:
                problems.append(Problem(
                    plan_file, span[2], "start",
                    f"previous plan of child {cid!r} from {span[0].isoformat()} overlaps the one "
                    f"at line {latest[2]} ({latest[0].isoformat()} to {latest[1].isoformat()}); "
                    "a child is on one plan at a time"))
            if span[1] > latest[1]:
                latest = span


def read_seed(path: str | Path, *, today: date,
              known_ids: Mapping[str, Collection[str]] | None = None,
              workers: int | None = None) -> Seed:
    """Read and validate a seed (a directory of CSV files or one `.jsonl` file).

    `today` decides ages and what is "in the future". `known_ids` maps a
    node label ("Child", "Adult", "Household", "Practitioner", "Service") to
    ids already in the database, which relationships in an incremental feed
    may refer to; for "Service" it may be a mapping id -> service type, so
    that attends/registered_with can be checked against stored services too;
    "INVOLVED_WITH" maps stored involvement ids to their (practitioner id,
    child id), as an involvement cannot move to another practitioner or child.

    `workers` is how many processes read and check the CSV files of a large
    seed (default: one per core; forked, so only where fork is available and
    while this process runs no other thread); the checks across files are
    made once all are read, in this process. The result is the same for any
    number.

    Returns a `Seed`, or raises `SeedInvalid` listing every problem found.
    """
    with without_cycle_collection():
        return _read_seed(Path(path), today, known_ids, workers or os.cpu_count() or 1)


@contextmanager
def without_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector while a seed's millions of rows are built.

    Every container created counts towards the next collection, and every
    full collection walks all the rows built so far: a third of the reading
    time, for nothing, as rows hold no reference cycles.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def check_csv_files(files: list[tuple[SeedType, Path]],
                    today: date) -> list[tuple[Table, list[Problem]]]:
    """`check_csv_file` of each file (what a worker process is given)."""
    with without_cycle_collection():
        return [check_csv_file(stype, path, today) for stype, path in files]


_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent(parent: int) -> None:
    """A worker's initializer: it ends when the process that started it does.

    A `kill -9` of `explorer seed load` gives the pool no chance to stop its workers, which
    would read on (holding a seed's child data in memory) for nothing. Linux sends them SIGKILL
    when the parent dies (prctl PR_SET_PDEATHSIG); elsewhere a thread watches the parent's pid.
    """
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        armed = libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        armed = False
    if os.getppid() != parent:  # it died before the signal was armed
        os._exit(1)
    if not armed:
        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(0.5)
            os._exit(1)

        threading.Thread(target=watch, daemon=True).start()


def _check_files(files: list[tuple[SeedType, Path]], today: date,
                 workers: int) -> list[tuple[Table, list[Problem]]]:
    """`check_csv_file` of every file, in the files' order; shared between this process
    and `workers - 1` others when the seed is large.

    Each file is read and checked whole by one process (largest first, each to
    the least loaded by bytes), and a worker's rows come back pickled: a cost
    large seeds repay many times over, small ones not. (Handing files out one
    at a time to whichever process is free was slower: this process then
    unpickles a worker's rows while reading its own.)
    """
    sizes = {path: path.stat().st_size for _, path in files}
    workers = min(workers, len(files))
    # Workers are forked: they start at once, with this process's modules. Forking is
    # only safe while no other thread could hold a lock; and "spawn" would run the
    # caller's main module again in each worker (a script without a __main__ guard
    # would start workers recursively). So with other threads, one process reads.
    forkable = "fork" in mp.get_all_start_methods() and threading.active_count() == 1
    if workers < 2 or not forkable or sum(sizes.values()) < PARALLEL_FROM_BYTES:
        return check_csv_files(files, today)
    shares: list[list[tuple[SeedType, Path]]] = [[] for _ in range(workers)]
    loads = [0] * workers
    for stype, path in sorted(files, key=lambda f: -sizes[f[1]]):
        least = loads.index(min(loads))
        shares[least].append((stype, path))
        loads[least] += sizes[path]
    with ProcessPoolExecutor(workers - 1, mp_context=mp.get_context("fork"),
                             initializer=die_with_parent, initargs=(os.getpid(),)) as pool:
        theirs = [pool.submit(check_csv_files, share, today) for share in shares[1:]]
        results = check_csv_files(shares[0], today)
        for future in theirs:
            results.extend(future.result())
    order = {path.name: i for i, (_, path) in enumerate(files)}
    return sorted(results, key=lambda result: order[result[0].file])


def _read_seed(path: Path, today: date, known_ids: Mapping[str, Collection[str]] | None,
               workers: int) -> Seed:
    problems: list[Problem] = []
    tables: list[Table] = []
    if path.is_file():
        if path.suffix.lower() != ".jsonl":
            problems.append(Problem(path.name, None, None,
                                    "a seed is a directory of CSV files or one .jsonl file"))
        else:
            tables = _jsonl_tables(read_jsonl_file(path, problems), today, problems)
    elif not path.is_dir():
        problems.append(Problem(str(path), None, None, "no such seed directory or .jsonl file"))
    else:
        for table, found in _check_files(seed_files(path, problems), today, workers):
            tables.append(table)
            problems.extend(found)
    seed = Seed(source=path)
    _merge(tables, seed)
    _cross_check(seed, {table.type.name: table for table in tables}, known_ids, problems,
                 _damaged(seed, problems))
    del tables
    _check_plan_history(seed, problems)
    _check_stored_involvements(seed, known_ids or {}, problems)
    _check_retention(seed, known_ids or {}, problems)
    if problems:
        raise SeedInvalid(problems)
    return seed
