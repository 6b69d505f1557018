"""Sets of keys (ids, NHS numbers, relationship keys) in 8 bytes a key, for the checks across
records of a seed of any size.

A Python set of 11 million ids costs about 85 bytes an id (the string and the set's slot);
an array of their 64-bit hashes costs 8. The checks ask of these arrays only which hashes
repeat and which are missing from another array; whatever they find is then confirmed on the
values themselves, read again from the file (`explorer.seed.crosscheck`), so two different
ids whose hashes happen to be equal are never reported as one. The hashes are Python's own
(`hash`), the same in this process and the reader processes it forks.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

EMPTY = np.empty(0, dtype=np.int64)


def hashes(values: Iterable[object]) -> np.ndarray:
    """The hash of every value but None."""
    return np.fromiter(map(hash, filter(_present, values)), dtype=np.int64)


def _present(value: object) -> bool:
    return value is not None


def repeated(keys: np.ndarray) -> np.ndarray:
    """The hashes that occur more than once (sorted, each once). Sorts `keys` in place (the
    memory a copy would take is what this module saves).

    >>> repeated(np.array([3, 1, 3, 2, 1, 3])).tolist()
    [1, 3]
    """
    keys.sort()
    return np.unique(keys[1:][keys[1:] == keys[:-1]])


def distinct_sorted(keys: np.ndarray) -> np.ndarray:
    """Each hash of sorted `keys` once.

    >>> distinct_sorted(np.array([1, 1, 2, 3, 3])).tolist()
    [1, 2, 3]
    """
    if not len(keys):
        return keys
    first = np.empty(len(keys), dtype=bool)
    first[0] = True
    np.not_equal(keys[1:], keys[:-1], out=first[1:])
    return keys[first]


def among(keys: np.ndarray, pool: np.ndarray) -> np.ndarray:
    """The keys that are in `pool`, both sorted and distinct (as `Distinct` gives): the
    result is too. A binary search per key: `np.intersect1d` would sort a copy of both arrays
    together, hundreds of megabytes at 11 million ids.

    >>> among(np.array([1, 3, 5]), np.array([2, 3, 4, 5])).tolist()
    [3, 5]
    """
    return keys[contains(pool, keys)]


def unresolved(refs: np.ndarray, pools: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Of reference hashes, those in none of `pools` (each sorted and distinct: the ids of
    each label a reference may name), and those in two of them (a person id that is both a
    child's and an adult's). Each in the order of `refs`.

    >>> [a.tolist() for a in unresolved(np.array([1, 2, 3, 4]), [np.array([2, 3]), np.array([3])])]
    [[1, 4], [3]]
    """
    named = [contains(pool, refs) for pool in pools]
    found = np.logical_or.reduce(named) if named else np.zeros(len(refs), dtype=bool)
    twice = np.add.reduce([n.astype(np.int8) for n in named]) > 1 if len(named) > 1 else None
    return refs[~found], (refs[twice] if twice is not None else EMPTY)


def contains(pool: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """For each key, whether it is in `pool` (sorted and distinct, as `Distinct` gives)."""
    if not len(pool):
        return np.zeros(len(keys), dtype=bool)
    at = np.searchsorted(pool, keys)
    at[at == len(pool)] = 0
    return pool[at] == keys


class Distinct:
    """The distinct hashes of values added a chunk at a time, kept compact as they come."""

    COMPACT_AT = 1_000_000  # hashes waiting in parts (8 MB) before they are merged

    def __init__(self) -> None:
        self._parts: list[np.ndarray] = []
        self._pending = 0

    def add(self, values: Iterable[object]) -> None:
        self.add_hashes(hashes(values))

    def add_hashes(self, found: np.ndarray) -> None:
        if not len(found):
            return
        part = np.unique(found)
        self._parts.append(part)
        self._pending += len(part)
        if self._pending > self.COMPACT_AT:
            self._parts = [self.array()]
            self._pending = 0

    def _merged(self) -> np.ndarray:
        merged = np.concatenate(self._parts)
        self._parts = []  # each part goes as soon as it is copied
        merged.sort()
        return distinct_sorted(merged)

    def array(self) -> np.ndarray:
        """Sorted, each hash once."""
        if not self._parts:
            return EMPTY
        if len(self._parts) > 1:
            self._parts = [self._merged()]
        return self._parts[0]


class Collected:
    """Every hash of values added a chunk at a time (repeats kept, to be found)."""

    def __init__(self) -> None:
        self._parts: list[np.ndarray] = []

    def add(self, values: Iterable[object]) -> None:
        self._parts.append(hashes(values))

    def array(self) -> np.ndarray:
        if not self._parts:
            return EMPTY
        if len(self._parts) > 1:
            merged = np.concatenate(self._parts)
            self._parts = [merged]
        return self._parts[0]
