"""Validating a whole seed before anything is written: `read_seed`.

Owns the value rules (dates, booleans, enums, ids, NHS numbers...), the rules
within a record (plan fields, ages, end before start) and across records
(duplicate ids, relationships whose ends do not exist, relationships from a
node to itself, attending a service that is not a school, previous plans that
overlap each other, the child's birth or the child's current plan). Every problem in
the seed is collected; `SeedInvalid` carries them all.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Collection, Mapping
from datetime import date
from pathlib import Path

from explorer.seed.model import Problem, Seed, SeedInvalid
from explorer.seed.reader import RawRecord, read_records
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


class Bad(ValueError):
    """A value that does not fit its column; the message says what was expected."""


def nhs_check_digit(first_nine: str) -> int | None:
    """The NHS number check digit for nine digits, or None if no valid one exists.

    >>> nhs_check_digit("943476591")
    9
    """
    total = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True))
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
    for ch in text:
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


def age_on(born: date, today: date) -> int:
    """Completed years.

    >>> age_on(date(2008, 1, 2), date(2026, 1, 1)), age_on(date(2008, 1, 1), date(2026, 1, 1))
    (17, 18)
    """
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


# --- rules within one record -------------------------------------------------

Report = Callable[[str, str], None]  # (column, message)


def _check_dates(row: dict, start: str, end: str, report: Report) -> None:
    s, e = row.get(start), row.get(end)
    if s is not None and e is not None and e < s:
        report(end, f"{end} {e.isoformat()} is before {start} {s.isoformat()}; "
                    "it cannot end before it starts")


def _check_child(row: dict, today: date, report: Report) -> None:
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
    if age >= 18 and not row.get("care_leaver"):
        report("date_of_birth", f"child is {age} (18 or over); only a care leaver "
                                "(care_leaver=true) under 25 may be kept")
    elif age >= 25:
        report("date_of_birth", f"care leaver is {age}; care leavers are kept only until 25")


def _check_plan(row: dict, today: date, report: Report) -> None:
    _check_dates(row, "start", "end", report)
    end = row.get("end")
    if end is not None and end > today:
        report("end", f"end {end.isoformat()} is in the future (today is {today.isoformat()}); "
                      "plans.csv holds previous plans, which have ended (the current plan is "
                      "on the child: status, plan_start)")


def _check_household(row: dict, report: Report) -> None:
    if row.get("address_status") == "none":
        for col in ("address", "postcode"):
            if row.get(col):
                report(col, "must be empty when address_status is none (no known address)")


def _check_record(stype: SeedType, row: dict, today: date, report: Report) -> None:
    if stype.name == "child":
        _check_child(row, today, report)
    elif stype.name == "household":
        _check_household(row, report)
    elif stype.name == "plan":
        _check_plan(row, today, report)
    elif stype.name == "service":
        row["sensitive"] = bool(row.get("sensitive")) or row.get("type") in ALWAYS_SENSITIVE
    if "since" in stype.column_map:
        _check_dates(row, "since", "until", report)
    if stype.start and stype.end:
        a, b = row.get(stype.start), row.get(stype.end)
        if a is not None and a == b:
            report(stype.end, f"a relationship from a node to itself: {stype.start} and "
                              f"{stype.end} are both {a!r}")


# --- rules across records ------------------------------------------------------


def _convert_records(records: list[RawRecord], today: date, seed: Seed,
                     problems: list[Problem]) -> None:
    present: dict[str, set[str]] = {t.name: set() for t in SEED_TYPES}
    for rec in records:
        stype = rec.type
        row: dict[str, object] = {}

        def report(column: str, message: str, rec: RawRecord = rec) -> None:
            problems.append(Problem(rec.file, rec.line, column, message))

        for name, raw in rec.values.items():
            col = stype.column_map[name]
            try:
                row[name] = convert(col, raw)
            except Bad as e:
                report(name, str(e))
                row[name] = None
        present[stype.name].update(rec.values)
        _check_record(stype, row, today, report)
        seed.rows.setdefault(stype.name, []).append(row)
        seed.lines.setdefault(stype.name, []).append(rec.line)
    # One set of keys per type, so a loader can UNWIND a batch with one query.
    for stype in SEED_TYPES:
        cols = tuple(c.name for c in stype.columns if c.name in present[stype.name])
        if stype.name == "service" and seed.rows.get("service"):
            cols = tuple(dict.fromkeys((*cols, "sensitive")))
        seed.columns[stype.name] = cols
        for row in seed.rows.get(stype.name, ()):
            for name in cols:
                if name not in row:
                    default = stype.column_map[name].default
                    row[name] = list(default) if isinstance(default, list) else default


def _cross_check(seed: Seed, known: Mapping[str, Collection[str]] | None,
                 problems: list[Problem]) -> None:
    # In a .jsonl seed every problem is in that one file.
    jsonl = seed.source.suffix.lower() == ".jsonl"
    files = {t.name: seed.source.name if jsonl else t.file for t in SEED_TYPES}
    ids: dict[str, dict[str, int]] = {}  # label -> id -> first line
    for stype in SEED_TYPES:
        if not stype.is_node and "id" not in stype.column_map:
            continue
        first: dict[str, int] = {}
        ids[stype.label] = first
        for row, line in zip(seed.rows.get(stype.name, ()), seed.lines.get(stype.name, ()),
                             strict=True):
            rid = row.get("id")
            if rid is None:
                continue
            if rid in first:
                problems.append(Problem(files[stype.name], line, "id",
                                        f"duplicate id {rid!r} (first at line {first[rid]})"))
            else:
                first[rid] = line
    # A person id must name one person: lives_in refers to children and
    # adults by id alone.
    known = known or {}
    for rid, line in ids.get("Adult", {}).items():
        other = ids["Child"].get(rid)
        if other is not None:
            problems.append(Problem(files["adult"], line, "id",
                                    f"id {rid!r} is also a child ({files['child']}:{other}); "
                                    "a person id must name one person"))
        elif rid in known.get("Child", ()):
            problems.append(Problem(files["adult"], line, "id",
                                    f"id {rid!r} is already a child in the database"))
    for rid, line in ids.get("Child", {}).items():
        if rid not in ids["Adult"] and rid in known.get("Adult", ()):
            problems.append(Problem(files["child"], line, "id",
                                    f"id {rid!r} is already an adult in the database"))

    nhs: dict[str, int] = {}
    for row, line in zip(seed.rows.get("child", ()), seed.lines.get("child", ()), strict=True):
        number = row.get("nhs_number")
        if number is None:
            continue
        if number in nhs:
            problems.append(Problem(files["child"], line, "nhs_number",
                                    f"NHS number {number} is also on line {nhs[number]}; "
                                    "it identifies one child"))
        else:
            nhs.setdefault(number, line)

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
        if not refs:
            continue
        keys: dict[tuple, int] = {}
        for row, line in zip(seed.rows.get(stype.name, ()), seed.lines.get(stype.name, ()),
                             strict=True):
            for col in refs:
                value = row.get(col.name)
                if value is None:
                    continue
                found = [label for label in col.ref
                         if value in ids.get(label, ()) or value in known.get(label, ())]
                names = " or ".join(label.lower() for label in col.ref)
                if not found:
                    sources = ", ".join(("type " + BY_LABEL[label].name) if jsonl
                                        else BY_LABEL[label].file for label in col.ref)
                    problems.append(Problem(files[stype.name], line, col.name,
                                            f"no {names} with id {value!r}{where} ({sources})"))
                elif len(found) > 1:
                    problems.append(Problem(files[stype.name], line, col.name,
                                            f"id {value!r} is both a child and an adult"))
                elif stype.name == "lives_in" and col.name == "person_id":
                    row["person_label"] = found[0]
            want = wanted_type.get(stype.name)
            sid = row.get("service_id")
            if want and sid in service_types and service_types[sid] != want:
                problems.append(Problem(files[stype.name], line, "service_id",
                                        f"service {sid!r} is a {service_types[sid]}, "
                                        f"expected a {want} ({files[stype.name]} links "
                                        f"children to a {want})"))
            if stype.is_node or stype.key == ("id",):
                continue
            key = tuple(row.get(k) for k in stype.key)
            if any(k is None for k in key[:2]):
                continue
            if key in keys:
                problems.append(Problem(files[stype.name], line, stype.key[0],
                                        "duplicate relationship: same "
                                        + ", ".join(stype.key) + f" as line {keys[key]}"))
            else:
                keys[key] = line
    if seed.rows.get("lives_in"):
        seed.columns["lives_in"] = (*seed.columns["lives_in"], "person_label")
        for row in seed.rows["lives_in"]:
            row.setdefault("person_label", None)


def _check_plan_history(seed: Seed, problems: list[Problem]) -> None:
    """A child's previous plans against the child in the same seed (born before the plan
    started, current plan started after it ended) and against each other (no overlap).
    A plan whose child is only in the database is checked for its own dates alone."""
    plans = seed.rows.get("plan")
    if not plans:
        return
    jsonl = seed.source.suffix.lower() == ".jsonl"
    plan_file = seed.source.name if jsonl else "plans.csv"
    child_file = seed.source.name if jsonl else "children.csv"
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
              known_ids: Mapping[str, Collection[str]] | None = None) -> Seed:
    """Read and validate a seed (a directory of CSV files or one `.jsonl` file).

    `today` decides ages and what is "in the future". `known_ids` maps a
    node label ("Child", "Adult", "Household", "Practitioner", "Service") to
    ids already in the database, which relationships in an incremental feed
    may refer to; for "Service" it may be a mapping id -> service type, so
    that attends/registered_with can be checked against stored services too.

    Returns a `Seed`, or raises `SeedInvalid` listing every problem found.
    """
    path = Path(path)
    problems: list[Problem] = []
    records = read_records(path, problems)
    seed = Seed(source=path)
    _convert_records(records, today, seed, problems)
    del records
    _cross_check(seed, known_ids, problems)
    _check_plan_history(seed, problems)
    if problems:
        raise SeedInvalid(problems)
    return seed
