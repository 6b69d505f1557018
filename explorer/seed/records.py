"""Record rules: what one record of a seed type must satisfy beyond its values' own (plan
fields, ages, end before start, a relationship joining two nodes), and the chunk of rows
they are checked on: a file's rows converted a column at a time (`convert_chunk`)."""

from __future__ import annotations

import operator
from collections.abc import Callable
from datetime import date
from itertools import compress, count, repeat

from explorer.seed.convert import age_on, convert_column
from explorer.seed.model import Problem
from explorer.seed.reader import RawTable
from explorer.seed.schema import ALWAYS_SENSITIVE, PLAN_STATUSES, SeedType

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
    _check_current_plan(row, status, today, report)
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


def _check_current_plan(row: dict, status: str, today: date, report: Report) -> None:
    """The child's current plan: its category and start, as its status needs them."""
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


# The types whose record rule completes a row (not only checks it): their rows, not the
# chunk's columns, hold the values to load.
RECORD_RULES_THAT_COMPLETE = frozenset({"service"})

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


class Chunk:
    """Converted rows of one seed type from one file, with the line each starts on, and
    their values by column. The rows (dicts) are built from the columns when first asked
    for: the rules of most types (relationships) need only the columns."""

    def __init__(self, stype: SeedType, file: str, lines: list[int], columns: dict[str, list],
                 rows: list[dict] | None = None):
        self.type, self.file, self.lines, self.columns = stype, file, lines, columns
        self._rows = rows

    @property
    def rows(self) -> list[dict]:
        if self._rows is None:
            names = tuple(self.columns)
            if names:
                values = zip(*self.columns.values(), strict=True)
                self._rows = list(map(dict, map(zip, repeat(names), values)))
            else:
                self._rows = [{} for _ in self.lines]
        return self._rows


def _check_columns(chunk: Chunk, problems: list[Problem]) -> None:
    """Rules shared by every seed type of a shape, checked a column at a time."""
    stype, lines, file, columns = chunk.type, chunk.lines, chunk.file, chunk.columns
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


def check_records(chunk: Chunk, today: date, problems: list[Problem]) -> None:
    """Every record rule of the chunk's type, on each of its rows (a rule may also complete a
    row: a service's `sensitive`)."""
    rule = RECORD_RULES.get(chunk.type.name)
    if rule is not None:
        line = 0

        def report(column: str, message: str) -> None:
            problems.append(Problem(chunk.file, line, column, message))

        for row, line in zip(chunk.rows, chunk.lines, strict=True):  # noqa: B007 (report reads it)
            rule(row, today, report)
    _check_columns(chunk, problems)


def convert_chunk(raw: RawTable, today: date, problems: list[Problem]) -> Chunk:
    """A chunk of a CSV file's rows converted a column at a time, its record rules checked."""
    stype = raw.type
    columns = {}
    for name, column in zip(raw.names, raw.columns, strict=True):
        values, errors = convert_column(stype.column_map[name], column, strings=True)
        problems.extend(Problem(raw.file, raw.lines[i], name, message) for i, message in errors)
        columns[name] = values
    chunk = Chunk(stype, raw.file, raw.lines, columns)
    check_records(chunk, today, problems)
    return chunk
