"""Value conversion: one field of a seed as written to its typed value, or `Bad` saying what
was expected (dates, booleans, enums, ids, NHS numbers, postcodes, free text without control
characters). `convert_column` converts a whole column of a chunk at once."""

from __future__ import annotations

import json
import operator
import re
import unicodedata
from collections.abc import Callable, Sequence
from datetime import date
from typing import cast

from explorer.seed.schema import (
    EMAIL_PATTERN,
    ID_PATTERN,
    PHONE_PATTERN,
    POSTCODE_PATTERN,
    USERNAME_PATTERN,
    Column,
)

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TRUE = frozenset({"true", "yes", "1"})
_FALSE = frozenset({"false", "no", "0"})
_LINE_BREAKS = frozenset("\n\r\t")
_NHS_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)
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


_EXPECT = {
    "id": "an id: a letter or digit, then up to 63 letters, digits or _ . : -",
    "ref": "an id: a letter or digit, then up to 63 letters, digits or _ . : -",
    "date": "a date YYYY-MM-DD",
    "bool": "true or false (or yes/no, 1/0)",
    "nhs": "a 10-digit NHS number with a valid check digit",
    "postcode": "a UK postcode like NM1 4XY",
    "email": "an email address like name@example.org",
    "phone": "a phone number of 6 to 24 digits, spaces, + ( ) -",
    "username": "a username: a letter or digit, then up to 63 letters, digits or _ . @ -",
    "names": "names separated by |",
}


def _expect(col: Column) -> str:
    if col.kind == "enum":
        return "one of " + ", ".join(col.values)
    return _EXPECT.get(col.kind, "a value")


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


def _as_id(col: Column, value: str, raw: object) -> object:
    if not ID_PATTERN.fullmatch(value):
        raise _bad(col, raw)
    return value


def _as_date(col: Column, value: str, raw: object) -> object:
    # date.fromisoformat alone would also take 20190101 and 2019-W01-1.
    if not _DATE.fullmatch(value):
        raise _bad(col, raw)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _bad(col, raw) from None


def _as_bool(col: Column, value: str, raw: object) -> object:
    low = value.lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise _bad(col, raw)


def _as_enum(col: Column, value: str, raw: object) -> object:
    low = value.lower()
    if low not in col.values:
        raise _bad(col, raw)
    return low


def _as_nhs(col: Column, value: str, raw: object) -> object:
    digits = value.replace(" ", "")
    if not (len(digits) == 10 and digits.isascii() and digits.isdigit()
            and nhs_check_digit(digits[:9]) == int(digits[9])):
        raise _bad(col, raw)
    return digits


def _as_postcode(col: Column, value: str, raw: object) -> object:
    m = POSTCODE_PATTERN.fullmatch(value.upper())
    if not m:
        raise _bad(col, raw)
    return f"{m.group(1)} {m.group(2)}"


def _matching(pattern: re.Pattern) -> Callable[[Column, str, object], object]:
    def as_kind(col: Column, value: str, raw: object) -> object:
        if not pattern.fullmatch(value):
            raise _bad(col, raw)
        return value
    return as_kind


def _as_phone(col: Column, value: str, raw: object) -> object:
    if not PHONE_PATTERN.fullmatch(value) or sum(c.isdigit() for c in value) < 6:
        raise _bad(col, raw)
    return value


# Each column kind's conversion of a stripped, non-empty value (`raw` is what was written,
# for the message).
_CONVERT: dict[str, Callable[[Column, str, object], object]] = {
    "id": _as_id,
    "ref": _as_id,
    "date": _as_date,
    "bool": _as_bool,
    "enum": _as_enum,
    "str": lambda col, value, raw: _no_control(col, value),
    "text": lambda col, value, raw: _no_control(col, value.replace("\r\n", "\n"),
                                                allow_breaks=True),
    "names": lambda col, value, raw: [_no_control(col, n.strip()) for n in value.split("|")
                                      if n.strip()],
    "nhs": _as_nhs,
    "postcode": _as_postcode,
    "email": _matching(EMAIL_PATTERN),
    "phone": _as_phone,
    "username": _matching(USERNAME_PATTERN),
}


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
    converter = _CONVERT.get(col.kind)
    if converter is None:
        raise AssertionError(f"unknown column kind {col.kind}")
    return converter(col, value, raw)


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
                values.append(list(cast(list, col.default)))
                continue
            try:
                values.append(convert(col, raw))
            except Bad as e:
                values.append(None)
                errors.append((i, str(e)))
        return values, errors
    if col.kind in ("id", "ref") and all(map(ID_PATTERN.fullmatch, cast(Sequence[str], raws))):
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
