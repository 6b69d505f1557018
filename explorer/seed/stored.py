"""What the database already holds, asked about only the ids a feed names.

A feed into a database that holds children (the normal case: local authorities send daily
feeds of a few hundred rows into a national database of 11 million) is checked against what
is stored: its references may name stored nodes, a stored involvement cannot move, archived
and purged children cannot come back, a person id names one person. Reading every stored id
for this cost gigabytes of Python and minutes before a feed of a few rows was even checked;
`Stored` answers questions about a batch of the feed's ids instead, so a check costs in
proportion to the feed.

Two implementations: `explorer.seed.loader.StoredGraph` asks Neo4j (a query per batch, none
for a label that holds nothing), and `InMemory` answers from a mapping of ids, the form
`read_seed(known_ids=...)` has always taken (tests, and callers without a database).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from explorer.policy import purged_id_hash

# What `holds` may be asked about: the node labels a feed refers to, stored involvements,
# and the tombstones of purged children.
KINDS = ("Child", "Adult", "Household", "Practitioner", "Service", "INVOLVED_WITH", "PurgedChild")


class Stored(Protocol):
    """Batched questions about ids already in the database. Each takes any iterable of ids
    (None and repeats allowed) and answers about those ids only."""

    @property
    def consulted(self) -> bool:
        """Whether a database stands behind the answers (a problem then says "in the seed or
        the database")."""

    def holds(self, kind: str) -> bool:
        """Whether anything of `kind` (one of `KINDS`) is stored at all: when not, every
        question about it is answered without asking."""

    def existing(self, label: str, ids: Iterable[str | None]) -> set[str]:
        """Those of `ids` stored as nodes of `label`."""

    def service_types(self, ids: Iterable[str | None]) -> dict[str, str]:
        """The type of each of `ids` that is a stored service."""

    def involvement_ends(self, ids: Iterable[str | None]) -> dict[str, tuple[str, str]]:
        """(practitioner id, child id) of each of `ids` that is a stored involvement."""

    def archived(self, ids: Iterable[str | None]) -> dict[str, dict[str, Any]]:
        """`policy.archive_state` of each of `ids` that is a stored child archived on the
        day validation judges by (recorded by the retention run, or due under the rule)."""

    def purged(self, ids: Iterable[str | None]) -> set[str]:
        """Those of `ids` whose child was purged (a tombstone holds its hashed id)."""


def distinct(ids: Iterable[str | None]) -> list[str]:
    """Each id once, in the order first given, without None."""
    return [i for i in dict.fromkeys(ids) if i is not None]


class InMemory:
    """`Stored` over a mapping, as `read_seed(known_ids=...)` takes it: a node label
    ("Child", "Adult", "Household", "Practitioner", "Service") to its stored ids ("Service"
    may map each id to its type); "INVOLVED_WITH": involvement id -> (practitioner id, child
    id); "ARCHIVED_CHILD": child id -> `policy.archive_state`; "PURGED_CHILD": the
    `policy.purged_id_hash` of each purged child's id. An empty mapping: no database."""

    def __init__(self, known: Mapping[str, Any]):
        self.known = known

    @property
    def consulted(self) -> bool:
        return bool(self.known)

    def holds(self, kind: str) -> bool:
        key = {"PurgedChild": "PURGED_CHILD"}.get(kind, kind)
        return bool(self.known.get(key)) or (kind == "Child" and bool(self.known.get("ARCHIVED_CHILD")))

    def existing(self, label: str, ids: Iterable[str | None]) -> set[str]:
        stored = self.known.get(label) or ()
        return {i for i in distinct(ids) if i in stored}

    def service_types(self, ids: Iterable[str | None]) -> dict[str, str]:
        stored = self.known.get("Service") or {}
        if not isinstance(stored, Mapping):  # ids alone: types unknown, so never wrong
            return {}
        return {i: stored[i] for i in distinct(ids) if i in stored}

    def involvement_ends(self, ids: Iterable[str | None]) -> dict[str, tuple[str, str]]:
        stored = self.known.get("INVOLVED_WITH") or {}
        return {i: tuple(stored[i]) for i in distinct(ids) if i in stored}

    def archived(self, ids: Iterable[str | None]) -> dict[str, dict[str, Any]]:
        stored = self.known.get("ARCHIVED_CHILD") or {}
        return {i: stored[i] or {} for i in distinct(ids) if i in stored}

    def purged(self, ids: Iterable[str | None]) -> set[str]:
        stored = self.known.get("PURGED_CHILD") or set()
        return {i for i in distinct(ids) if purged_id_hash(i) in stored} if stored else set()


NOTHING = InMemory({})  # no database: every reference must resolve in the seed


def stored_of(known: Stored | Mapping[str, Any] | None) -> Stored:
    """What `read_seed` is given as `known_ids`, as a `Stored`."""
    if known is None:
        return NOTHING
    if isinstance(known, Mapping):
        return InMemory(known)
    return known
