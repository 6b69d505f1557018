"""Disclosure control as the gap reports use it: counts per area, suppressed as a whole
(``policy.suppress_table``), and the breakdown by one focus whose totals are the unfocused
table's cells as that table shows them.

Counts come either from de-identified records (one each) or from groups counted in Cypher
(a record's fields and how many records share them): :func:`tally` takes groups, so both give
the same tables by construction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from explorer import policy
from explorer.analytics.catalogue import GAPS, Gap  # noqa: F401 (GAPS: the doctests)
from explorer.analytics.filters import category

Group = tuple[dict[str, Any], int]  # the fields a focus looks at, and how many records have them


@dataclass(frozen=True)
class Column:
    """One gap's counts per area as shown: suppressed cells and a total that cannot undo them."""

    gap: Gap
    cells: dict[str, int | str]  # area -> shown count
    total: int | str

    def shown(self, areas: list[str]) -> list[int | str]:
        return [self.cells.get(a, 0) for a in areas]

    @property
    def scale(self) -> int:
        """The largest figure shown, for charts: never a hidden one."""
        return max([v for v in self.cells.values() if isinstance(v, int)] + [1])

    def list_allowed(self, area: str | None) -> bool:
        """May the list behind a cell be shown? Not behind a suppressed cell (its length would
        give the count away); for all areas at once only if no cell is suppressed (the list's
        area column would)."""
        if area is None:
            return isinstance(self.total, int) and all(isinstance(v, int)
                                                       for v in self.cells.values())
        return isinstance(self.cells.get(area, 0), int)


def suppressed_column(gap: Gap, counts: dict[str, int], areas: list[str]) -> Column:
    """Counts per area with primary and secondary suppression and the total.

    >>> col = suppressed_column(GAPS[0], {"A": 3, "B": 9, "C": 20}, ["A", "B", "C"])
    >>> col.cells, col.total
    ({'A': '<5', 'B': '*', 'C': 20}, 32)
    >>> col.list_allowed("C"), col.list_allowed("B"), col.list_allowed(None)
    (True, False, False)
    """
    raw = [counts.get(a, 0) for a in areas]
    total = sum(counts.values())
    table = policy.suppress_table([[n] for n in raw] + [[total]])
    return Column(gap, {a: table[i][0] for i, a in enumerate(areas)}, table[-1][0])


def count_by_area(records: Iterable[dict[str, Any]]) -> dict[str, int]:
    return dict(Counter(r["local_authority"] for r in records))


def _count_groups_by_area(groups: list[Group]) -> dict[str, int]:
    found: Counter[str] = Counter()
    for fields, n in groups:
        found[fields["local_authority"]] += n
    return dict(found)


def column(gap: Gap, records: list[dict[str, Any]], rows: list[str],
           focus: tuple[str, str] | None) -> Column:
    """One gap's counts per area under a focus, suppressed.

    ``records`` are the gap's records in every area with no focus. With no focus this is
    the table per area. With one, it is one column of the breakdown of that table by the
    focus's dimension (every status, every age band; for a service type, with it and
    without it), suppressed as a whole, with the unfocused table's cells as its totals, held
    as that table shows them: so no two reports, nor one report and the same report
    narrowed, differ by a count that either hides.

    >>> kids = [{"local_authority": a, "age_band": b} for a, b, n in
    ...         (("A", "5-9", 7), ("B", "5-9", 3), ("B", "10-15", 9)) for _ in range(n)]
    >>> column(GAPS[0], kids, ["A", "B"], None).cells
    {'A': 7, 'B': 12}
    >>> col = column(GAPS[0], kids, ["A", "B"], ("age_band", "5-9"))
    >>> col.cells, col.total
    ({'A': '*', 'B': '<5'}, '*')
    """
    return tally(gap, [(r, 1) for r in records], rows, focus)


def tally(gap: Gap, groups: list[Group], rows: list[str],
          focus: tuple[str, str] | None) -> Column:
    """:func:`column` from groups of records that share the fields a focus looks at.

    >>> groups = [({"local_authority": "A", "age_band": "5-9"}, 7),
    ...           ({"local_authority": "B", "age_band": "5-9"}, 3),
    ...           ({"local_authority": "B", "age_band": "10-15"}, 9)]
    >>> col = tally(GAPS[0], groups, ["A", "B"], ("age_band", "5-9"))
    >>> col.cells, col.total
    ({'A': '*', 'B': '<5'}, '*')
    """
    unfocused = suppressed_column(gap, _count_groups_by_area(groups), rows)
    if focus is None:
        return unfocused
    dim, value = focus
    found = [category(fields, dim, value) for fields, _ in groups]
    categories = [c for c in found if c is not None]
    if not groups or len(categories) < len(found):
        return unfocused  # the focus does not narrow this report
    columns = sorted({*categories, value})
    grid: Counter[tuple[str, str]] = Counter()
    for (fields, n), c in zip(groups, categories, strict=True):
        grid[(fields["local_authority"], c)] += n
    table = [[grid[(a, c)] for c in columns] for a in rows]
    table = [[*line, sum(line)] for line in table]
    table.append([sum(line[j] for line in table) for j in range(len(columns) + 1)])
    totals = len(columns)
    published = {(i, totals): not isinstance(unfocused.cells[a], int) for i, a in enumerate(rows)}
    published[(len(rows), totals)] = not isinstance(unfocused.total, int)
    shown = policy.suppress_table(table, published)
    j = columns.index(value)
    return Column(gap, {a: shown[i][j] for i, a in enumerate(rows)}, shown[-1][j])


def suppress_statistic(value: float | int | None) -> float | int | str | None:
    """A mean, median, percentile or maximum of counts, shown like a count: under 5 (but not 0)
    it would say how few children one worker has, so it shows as "<5".

    >>> [suppress_statistic(v) for v in (None, 0, 2.5, 4, 5, 17.3)]
    [None, 0, '<5', '<5', 5, 17.3]
    """
    if value is None or value == 0 or value >= policy.SUPPRESSION_THRESHOLD:
        return value
    return policy.SUPPRESSED
