"""Rules across records of different files, from each file's `FileSummary`: a person id names
one person, relationships' ends exist (in the seed or the database), attends and
registered_with name a school and a GP practice, and a child's previous plans fit the child
and each other.

The summaries carry hashes, so these checks are set operations on arrays; where they find
something, the file is read again (`Source.chunks`) to confirm it on the values and to say
on which line it is. A valid seed is read once.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from explorer.seed import keys
from explorer.seed.filecheck import WANTED_SERVICE, FileSummary
from explorer.seed.model import Problem
from explorer.seed.schema import BY_LABEL, BY_NAME, SEED_TYPES, SeedType
from explorer.seed.stream import Source


@dataclass
class People:
    """Who the person ids of the seed and the database are: the hashes of each label's ids
    (seed and database), and the ids, exactly, that are both a child and an adult, or
    whose hash is a child's while they are an adult (so a lives_in row finds its person)."""

    ids: dict[str, np.ndarray] = field(default_factory=dict)  # label -> sorted hashes
    both: set[str] = field(default_factory=set)
    adults_like_children: set[str] = field(default_factory=set)


def _first_lines(source: Source, stype: SeedType, wanted: np.ndarray) -> dict[str, int]:
    """The first line of each id of the type whose hash is in `wanted`."""
    first: dict[str, int] = {}
    for chunk in source.chunks(stype, []):
        ids = chunk.columns.get("id") or [None] * len(chunk.lines)
        found = keys.contains(wanted, np.fromiter(map(hash, ids), dtype=np.int64, count=len(ids)))
        for i in np.flatnonzero(found):
            first.setdefault(ids[i], chunk.lines[i])
    first.pop(None, None)  # type: ignore[call-overload]
    return first


def check_people(source: Source, summaries: Mapping[str, FileSummary], known: Mapping[str, Any],
                 problems: list[Problem]) -> People:
    """A person id must name one person: lives_in refers to children and adults by id alone."""
    people = People()
    for stype in SEED_TYPES:
        if stype.is_node:
            seed_ids = summaries[stype.name].ids if stype.name in summaries else keys.EMPTY
            stored = keys.hashes(known.get(stype.label, ()))
            # The seed's own array when the database holds none (a copy is 88 MB a label at
            # 11 million ids).
            people.ids[stype.label] = np.union1d(seed_ids, stored) if len(stored) else seed_ids
    child, adult = summaries.get("child"), summaries.get("adult")
    stored_children = known.get("Child") or set()
    # Adults of the seed whose hash is a child's (of the seed or the database): read again,
    # the ids themselves say which are both, and which only look alike.
    like = keys.among(adult.ids, people.ids["Child"]) if child and adult else keys.EMPTY
    if len(like):
        children_named = _first_lines(source, BY_NAME["child"], like)
        adults_named = _first_lines(source, BY_NAME["adult"], like)
        people.both = set(children_named) & set(adults_named)
        people.adults_like_children = {a for a in adults_named
                                       if a not in people.both and a not in stored_children}
        for rid, line in sorted(adults_named.items(), key=lambda item: item[1]):
            if rid in people.both:
                problems.append(Problem(
                    source.file_of(BY_NAME["adult"]), line, "id",
                    f"id {rid!r} is also a child ({source.file_of(BY_NAME['child'])}:"
                    f"{children_named[rid]}); a person id must name one person"))
    _check_stored_people(source, summaries, known, people, problems)
    return people


def _check_stored_people(source: Source, summaries: Mapping[str, FileSummary],
                         known: Mapping[str, Any], people: People, problems: list[Problem]) -> None:
    """Ids of the seed that the database holds as the other kind of person."""
    seed_both = set(people.both)
    for name, other in (("adult", "a child"), ("child", "an adult")):
        summary = summaries.get(name)
        for line, rid in summary.known_clash if summary else ():
            if rid not in seed_both:
                problems.append(Problem(source.file_of(BY_NAME[name]), line, "id",
                                        f"id {rid!r} is already {other} in the database"))
                people.both.add(rid)  # a person of the seed and of the database
    stored_children, stored_adults = known.get("Child") or set(), list(known.get("Adult") or ())
    people.both.update(a for a in stored_adults if a in stored_children)
    like = keys.contains(people.ids["Child"], keys.hashes(stored_adults)) if stored_adults else ()
    people.adults_like_children.update(a for a, alike in zip(stored_adults, like, strict=True)
                                       if alike and a not in people.both)


def check_references(source: Source, summaries: Mapping[str, FileSummary], known: Mapping[str, Any],
                     people: People, damaged: Mapping[str, str], problems: list[Problem]) -> None:
    """Every reference names an id of its label (one only), in the seed or the database."""
    services = _service_types(summaries, known)
    where = " in the seed" + (" or the database" if known else "")
    for stype in SEED_TYPES:
        summary = summaries.get(stype.name)
        if summary is None or not summary.rows:
            continue
        for col in (c for c in stype.columns if c.kind == "ref"):
            if col.name in summary.unresolved:  # resolved as the file was read
                unknown, ambiguous = summary.unresolved[col.name]
            else:
                unknown, ambiguous = keys.unresolved(summary.refs.get(col.name, keys.EMPTY),
                                                     [people.ids[label] for label in col.ref])
            if len(unknown) or len(ambiguous):
                problems.extend(_unknown_or_ambiguous(source, stype, col.name, col.ref, unknown,
                                                      people, where, damaged))
        want = WANTED_SERVICE.get(stype.name)
        if want:
            problems.extend(_wrong_services(source, stype, summary, services, want))
        problems.extend(summary.repeated)


def _unknown_or_ambiguous(source: Source, stype: SeedType, column: str, labels: tuple[str, ...],
                          unknown: np.ndarray, people: People, where: str,
                          damaged: Mapping[str, str]) -> Iterator[Problem]:
    file = source.file_of(stype)
    names = " or ".join(label.lower() for label in labels)
    sources = ", ".join(("type " + BY_LABEL[label].name) if source.jsonl
                        else BY_LABEL[label].file for label in labels)
    follows = next((damaged[label] for label in labels if label in damaged), None)
    for chunk in source.chunks(stype, []):
        values = chunk.columns.get(column) or [None] * len(chunk.lines)
        missing = keys.contains(unknown, np.fromiter(map(hash, values), dtype=np.int64,
                                                    count=len(values)))
        for value, line, lost in zip(values, chunk.lines, missing, strict=True):
            if value is None:
                continue
            if lost:
                yield Problem(file, line, column, f"no {names} with id {value!r}{where} ({sources})",
                              follows)
            elif len(labels) > 1 and value in people.both:
                yield Problem(file, line, column, f"id {value!r} is both a child and an adult")


def _service_types(summaries: Mapping[str, FileSummary], known: Mapping[str, Any]) -> dict[str, str]:
    types: dict[str, str] = {}
    stored = known.get("Service", ())
    if isinstance(stored, Mapping):
        types.update(stored)
    if "service" in summaries:
        types.update(summaries["service"].services)
    return types


def _wrong_services(source: Source, stype: SeedType, summary: FileSummary,
                    services: Mapping[str, str], want: str) -> Iterator[Problem]:
    """attends names a school, registered_with a GP practice."""
    wrong = {sid for sid, kind in services.items() if kind != want}
    if not wrong or not len(keys.among(summary.refs.get("service_id", keys.EMPTY),
                                       np.unique(keys.hashes(wrong)))):
        return
    file = source.file_of(stype)
    for chunk in source.chunks(stype, []):
        for sid, line in zip(chunk.columns.get("service_id", ()), chunk.lines, strict=False):
            if sid in wrong:
                yield Problem(file, line, "service_id",
                              f"service {sid!r} is a {services[sid]}, expected a {want} "
                              f"({file} links children to a {want})")


def check_plan_history(source: Source, summaries: Mapping[str, FileSummary],
                       problems: list[Problem]) -> None:
    """A child's previous plans against the child in the same seed (born before the plan
    started, current plan started after it ended) and against each other (no overlap).
    A plan whose child is only in the database is checked for its own dates alone."""
    plans = summaries["plan"].plans if "plan" in summaries else []
    if not plans:
        return
    plan_file, child_file = source.file_of(BY_NAME["plan"]), source.file_of(BY_NAME["child"])
    children = summaries["child"].plan_children if "child" in summaries else {}
    spans: dict[str, list[tuple[date, date, int]]] = {}
    for cid, start, end, line in plans:
        if cid in children:
            problems.extend(_plan_against_child(cid, start, end, line, children[cid], plan_file,
                                                child_file))
        if cid is not None and start is not None and end is not None and start <= end:
            spans.setdefault(cid, []).append((start, end, line))
    for cid, found in spans.items():
        problems.extend(_overlaps(cid, found, plan_file))


def _plan_against_child(cid: str, start: date | None, end: date | None, line: int,
                        known_child: tuple[dict, int], plan_file: str,
                        child_file: str) -> Iterator[Problem]:
    child, child_line = known_child
    born, current = child.get("date_of_birth"), child.get("plan_start")
    if start is not None and born is not None and start < born:
        yield Problem(plan_file, line, "start",
                      f"start {start.isoformat()} is before child {cid!r} was born "
                      f"({born.isoformat()}, {child_file}:{child_line})")
    if end is not None and current is not None and end >= current:
        yield Problem(plan_file, line, "end",
                      f"end {end.isoformat()} is not before the current plan_start "
                      f"{current.isoformat()} of child {cid!r} ({child_file}:{child_line}); a "
                      "previous plan ends before the current one starts")


def _overlaps(cid: str, found: list[tuple[date, date, int]], plan_file: str) -> Iterator[Problem]:
    found.sort()
    latest = found[0]
    for span in found[1:]:
        if span[0] <= latest[1]:
            yield Problem(
                plan_file, span[2], "start",
                f"previous plan of child {cid!r} from {span[0].isoformat()} overlaps the one "
                f"at line {latest[2]} ({latest[0].isoformat()} to {latest[1].isoformat()}); "
                "a child is on one plan at a time")
        if span[1] > latest[1]:
            latest = span
