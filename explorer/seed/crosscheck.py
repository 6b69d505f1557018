"""Rules across records of different files, from each file's `FileSummary`: a person id names
one person, relationships' ends exist (in the seed or the database), attends and
registered_with name a school and a GP practice, and a child's previous plans fit the child
and each other.

The summaries carry hashes, so these checks are set operations on arrays; where they find
something, the file is read again (`Source.chunks`) to confirm it on the values and to say
on which line it is. A valid seed is read once; a feed that refers to stored nodes is read
again for those references alone, which are then asked of the database (`StoredRefs`): what
is read from the database follows the feed, not the database.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from explorer.seed import keys
from explorer.seed.filecheck import WANTED_SERVICE, FileSummary
from explorer.seed.model import Problem
from explorer.seed.schema import BY_LABEL, BY_NAME, SEED_TYPES, SeedType
from explorer.seed.stored import Stored
from explorer.seed.stream import Source


@dataclass
class People:
    """Who the person ids are: the hashes of each label's ids in the seed (and of the seed's
    people the database holds as the other kind of person), the ids, exactly, that are both a
    child and an adult, or whose hash is a child's while they are an adult, and the stored
    children the seed refers to (so a lives_in row finds its person)."""

    ids: dict[str, np.ndarray] = field(default_factory=dict)  # label -> sorted hashes
    both: set[str] = field(default_factory=set)
    adults_like_children: set[str] = field(default_factory=set)
    stored_children: set[str] = field(default_factory=set)


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


def check_people(source: Source, summaries: Mapping[str, FileSummary], problems: list[Problem]) -> People:
    """A person id must name one person: lives_in refers to children and adults by id alone."""
    people = People()
    for stype in SEED_TYPES:
        if stype.is_node:
            people.ids[stype.label] = (summaries[stype.name].ids if stype.name in summaries
                                       else keys.EMPTY)
    child, adult = summaries.get("child"), summaries.get("adult")
    # Adults of the seed whose hash is a child's: read again, the ids themselves say which
    # are both, and which only look alike.
    like = keys.among(adult.ids, people.ids["Child"]) if child and adult else keys.EMPTY
    if len(like):
        children_named = _first_lines(source, BY_NAME["child"], like)
        adults_named = _first_lines(source, BY_NAME["adult"], like)
        people.both = set(children_named) & set(adults_named)
        people.adults_like_children = {a for a in adults_named if a not in people.both}
        for rid, line in sorted(adults_named.items(), key=lambda item: item[1]):
            if rid in people.both:
                problems.append(Problem(
                    source.file_of(BY_NAME["adult"]), line, "id",
                    f"id {rid!r} is also a child ({source.file_of(BY_NAME['child'])}:"
                    f"{children_named[rid]}); a person id must name one person"))
    _check_stored_people(source, summaries, people, problems)
    return people


def _check_stored_people(source: Source, summaries: Mapping[str, FileSummary], people: People,
                         problems: list[Problem]) -> None:
    """Ids of the seed that the database holds as the other kind of person (found as each
    file was read, `FileSummary.known_clash`): reported, and counted as that other kind too,
    so that a reference to one is "both a child and an adult" as it would be in the seed."""
    seed_both = set(people.both)
    for name, other, label in (("adult", "a child", "Child"), ("child", "an adult", "Adult")):
        summary = summaries.get(name)
        clashing = [rid for _, rid in summary.known_clash] if summary else []
        for line, rid in summary.known_clash if summary else ():
            if rid not in seed_both:
                problems.append(Problem(source.file_of(BY_NAME[name]), line, "id",
                                        f"id {rid!r} is already {other} in the database"))
                people.both.add(rid)  # a person of the seed and of the database
        if clashing:
            people.ids[label] = np.union1d(people.ids[label], keys.hashes(clashing))
            people.adults_like_children.difference_update(clashing)


Unresolved = dict[tuple[str, str], tuple[np.ndarray, np.ndarray]]  # (type, column) -> hashes


def check_references(source: Source, summaries: Mapping[str, FileSummary], known: Stored,
                     people: People, damaged: Mapping[str, str], problems: list[Problem]) -> None:
    """Every reference names an id of its label (one only), in the seed or the database: the
    references the seed does not resolve are read again and asked of the database."""
    where = " in the seed" + (" or the database" if known.consulted else "")
    unresolved = _unresolved(summaries, people)
    stored = StoredRefs(source, known, people)
    for stype in SEED_TYPES:
        stored.resolve(stype, {col: found[0] for (name, col), found in unresolved.items()
                               if name == stype.name})
    services = _service_types(summaries, stored.services)
    for stype in SEED_TYPES:
        summary = summaries.get(stype.name)
        if summary is None or not summary.rows:
            continue
        for col in (c for c in stype.columns if c.kind == "ref"):
            unknown, ambiguous = unresolved[stype.name, col.name]
            found = stored.found.get((stype.name, col.name), set())
            if len(ambiguous) or stored.unresolved(stype.name, col.name, unknown):
                problems.extend(_unknown_or_ambiguous(source, stype, col.name, col.ref, unknown,
                                                      found, people, where, damaged))
        want = WANTED_SERVICE.get(stype.name)
        if want:
            problems.extend(_wrong_services(source, stype, summary, services, want))
        problems.extend(summary.repeated)


def _unresolved(summaries: Mapping[str, FileSummary], people: People) -> Unresolved:
    """Each reference column's hashes that name no id of the seed, and those naming two."""
    unresolved: Unresolved = {}
    for stype in SEED_TYPES:
        summary = summaries.get(stype.name)
        if summary is None or not summary.rows:
            continue
        for col in (c for c in stype.columns if c.kind == "ref"):
            if col.name in summary.unresolved:  # resolved as the file was read
                unresolved[stype.name, col.name] = summary.unresolved[col.name]
            else:
                unresolved[stype.name, col.name] = keys.unresolved(
                    summary.refs.get(col.name, keys.EMPTY), [people.ids[lb] for lb in col.ref])
    return unresolved


class StoredRefs:
    """The references a seed does not resolve, asked of the database: each file holding some
    is read again for their values (only those, by their hashes), and the database asked about
    those values alone, a batch at a time."""

    def __init__(self, source: Source, known: Stored, people: People):
        self.source, self.known, self.people = source, known, people
        self.values: dict[tuple[str, str], set[str]] = {}  # (type, column) -> values unresolved
        self.found: dict[tuple[str, str], set[str]] = {}  # ... of those, stored as one node
        self.services: dict[str, str] = {}  # stored service id -> type, of those referred to

    def resolve(self, stype: SeedType, unknown: Mapping[str, np.ndarray]) -> None:
        """Ask the database about the values of the type's columns whose hashes are
        `unknown` (column -> hashes the seed does not resolve)."""
        asked = {name: hashes for name, hashes in unknown.items()
                 if len(hashes) and any(map(self.known.holds, stype.column_map[name].ref or ()))}
        if not asked or not self.known.consulted:
            return
        values = _values_of(self.source, stype, asked)
        for name, wanted in values.items():
            labels = stype.column_map[name].ref or ()
            found = {label: self._stored(label, wanted) for label in labels}
            named = Counter(v for ids in found.values() for v in ids)
            self.values[stype.name, name] = wanted
            self.found[stype.name, name] = {v for v, n in named.items() if n == 1}
            self.people.both.update(v for v, n in named.items() if n > 1)
            self._people(found.get("Child", set()), found.get("Adult", set()))

    def _stored(self, label: str, ids: set[str]) -> set[str]:
        if label != "Service":
            return self.known.existing(label, ids)
        types = self.known.service_types(ids)
        self.services.update(types)
        return set(types)

    def _people(self, children: set[str], adults: set[str]) -> None:
        """Stored children named are children (a lives_in row's person); a stored adult whose
        hash is a child's of the seed is not one."""
        people = self.people
        people.stored_children.update(children - adults)
        only = sorted(adults - children)
        like = keys.contains(people.ids["Child"], np.fromiter(map(hash, only), dtype=np.int64,
                                                             count=len(only)))
        people.adults_like_children.update(a for a, alike in zip(only, like, strict=True) if alike)

    def unresolved(self, type_name: str, column: str, unknown: np.ndarray) -> bool:
        """Whether any of the column's references is unresolved by the seed and the database
        (or names a stored child and a stored adult)."""
        if not len(unknown):
            return False
        values = self.values.get((type_name, column))
        if values is None:  # not asked: no database, or nothing of the labels stored
            return True
        return bool(values - self.found[type_name, column])


def _values_of(source: Source, stype: SeedType,
               wanted: Mapping[str, np.ndarray]) -> dict[str, set[str]]:
    """The values of each column whose hashes are in `wanted` (column -> hashes), read again."""
    values: dict[str, set[str]] = {name: set() for name in wanted}
    for chunk in source.chunks(stype, []):
        for name, hashes in wanted.items():
            column = chunk.columns.get(name) or [None] * len(chunk.lines)
            hit = keys.contains(hashes, np.fromiter(map(hash, column), dtype=np.int64,
                                                    count=len(column)))
            values[name].update(v for v in (column[i] for i in np.flatnonzero(hit))
                                if v is not None)
    return values


def _unknown_or_ambiguous(source: Source, stype: SeedType, column: str, labels: tuple[str, ...],
                          unknown: np.ndarray, stored: set[str], people: People, where: str,
                          damaged: Mapping[str, str]) -> Iterator[Problem]:
    """Each reference (by line) whose hash the seed left `unknown` and that is not one node
    `stored` in the database, or that names both a child and an adult."""
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
            both = len(labels) > 1 and value in people.both
            if lost and value not in stored and not both:
                yield Problem(file, line, column, f"no {names} with id {value!r}{where} ({sources})",
                              follows)
            elif both:
                yield Problem(file, line, column, f"id {value!r} is both a child and an adult")


def _service_types(summaries: Mapping[str, FileSummary], stored: Mapping[str, str]) -> dict[str, str]:
    """The type of each service of the seed, and of each stored one the seed refers to
    (the seed's, where it gives one the database holds too)."""
    types = dict(stored)
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
