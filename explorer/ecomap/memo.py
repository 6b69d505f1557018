"""Geometry already worked out: where a network's nodes were drawn, how its lines bent and
which form of each line's label was placed, kept for the next request that draws exactly the
same network (:class:`GeometryMemo`).

Laying out, bending and placing labels is a pure function of the network handed to it (the
nodes, lines and rings, after the policy's cut and the grouping) and is most of the time an
ecomap request costs at 200 nodes. A conference is many people opening the same child's
map, and each change of date, depth or expansion is a request: the same network drawn again
costs one digest instead.

What is kept holds nothing about anyone: node and edge ids (as the audit trail records),
coordinates, bends and the index of each label's chosen form. The key is a BLAKE2b digest
of the whole network as the layout receives it, details included, so two networks that
differ in anything the layout could read never share geometry; what is drawn (labels,
details, titles) is always built from the request's own reads.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import orjson

# Per process; about 25 kB per 200-node entry.
MAX_ENTRIES = 256


@dataclass(frozen=True)
class Geometry:
    """A laid-out network: each node's (x, y), each line's smooth (bend) and the index of its
    label's drawn form among ``labels.label_choices`` (-1: none drawn)."""

    at: dict[str, tuple[int, int]]
    smooth: dict[str, Any]
    label_form: dict[str, int]


def network_key(nodes: dict[str, Any], edges: dict[str, Any], ring: dict[str, int], root: str,
                own_edges: list[str], marks: dict[str, str]) -> bytes:
    """The digest of everything the layout, the bends, pyvis's order and label placement
    read. Anything orjson cannot write natively (a set, say) is written by ``repr``: at worst
    a miss, never two networks sharing a key."""
    raw = orjson.dumps([nodes, edges, ring, root, own_edges, marks],
                       option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS, default=repr)
    return hashlib.blake2b(raw, digest_size=32).digest()


class GeometryMemo:
    """A bounded, thread-safe map from :func:`network_key` to :class:`Geometry`, least
    recently used first out."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._lock = threading.Lock()
        self._entries: OrderedDict[bytes, Geometry] = OrderedDict()
        self.hits = self.misses = 0

    def get(self, key: bytes) -> Geometry | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return found

    def put(self, key: bytes, geometry: Geometry) -> None:
        with self._lock:
            self._entries[key] = geometry
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)


# The app's one memo: every request of a process shares it.
MEMO = GeometryMemo()
