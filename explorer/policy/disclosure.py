"""Disclosure control for analysts' aggregates.

Counts of 1 to 4 are shown as "<5" in every table, chart and export (as in official
statistics). A suppressed cell must not be recoverable from a total by subtraction, so
tables are suppressed as a whole (secondary suppression, see suppress_table): in every row
and every column (its total counted as one more cell of the line), if exactly one cell is
hidden, the next smallest non-zero cell of that line is hidden too, until no line has a
single hidden cell. Zeros are shown: "no child" discloses nothing about anyone.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

SUPPRESSED = "<5"
SUPPRESSION_THRESHOLD = 5


def suppress(count: int) -> int | str:
    """A count as an analyst may see it: 1 to 4 become "<5".

    >>> [suppress(n) for n in (0, 1, 4, 5, 120)]
    [0, '<5', '<5', 5, 120]
    """
    return SUPPRESSED if 0 < count < SUPPRESSION_THRESHOLD else count


def _lines(rows: int, cols: int) -> list[list[tuple[int, int]]]:
    return ([[(r, c) for c in range(cols)] for r in range(rows)]
            + [[(r, c) for r in range(rows)] for c in range(cols)])


def suppression_mask(counts: list[list[int]],
                     published: dict[tuple[int, int], bool] | None = None) -> list[list[bool]]:
    """Which cells of a table with its totals must be hidden (True), primary and secondary.

    ``counts`` is the whole table as shown, totals included (last row and last column).

    >>> suppression_mask([[3, 10, 13], [7, 9, 16], [10, 19, 29]])
    [[True, True, False], [True, True, False], [False, False, False]]
    >>> suppression_mask([[0, 6, 6], [5, 7, 12], [5, 13, 18]])
    [[False, False, False], [False, False, False], [False, False, False]]

    ``published`` fixes cells another table already shows (False) or hides (True): a
    breakdown's totals are the unbroken table's cells, so they stay as that table has them
    and a secondary suppression is never placed on them, where hiding would not hide.

    >>> published = {(0, 2): False, (1, 2): False, (2, 2): False}  # 7, 12 and 19 are shown
    >>> for row in suppression_mask([[7, 0, 7], [3, 9, 12], [10, 9, 19]], published):
    ...     print(row)
    [True, True, False]
    [True, True, False]
    [True, True, False]

    (Area A's 7 children are all in the first column, shown beside a 0: hiding A's 7 alone
    would hide nothing, since its total 7 is published, so the 0 beside it is hidden too.)
    """
    published = published or {}
    hidden = [[published.get((r, c), 0 < n < SUPPRESSION_THRESHOLD) for c, n in enumerate(row)]
              for r, row in enumerate(counts)]
    rows, cols = len(counts), len(counts[0]) if counts else 0

    def free(cells: list[tuple[int, int]]) -> list[tuple[int, int]]:
        # The smallest other figure; a zero only when nothing else can be hidden, since the
        # one hidden cell would otherwise be its total less the zeros shown beside it.
        open_ = [cell for cell in cells if not hidden[cell[0]][cell[1]] and cell not in published]
        return [cell for cell in open_ if counts[cell[0]][cell[1]] > 0] or open_

    def smallest(cells: list[tuple[int, int]]) -> tuple[int, int]:
        return min(cells, key=lambda cell: (counts[cell[0]][cell[1]], cell))

    while True:
        changed = True
        while changed:  # no line with a single hidden cell
            changed = False
            for line in _lines(rows, cols):
                if sum(hidden[r][c] for r, c in line) == 1 and free(line):
                    r, c = smallest(free(line))
                    hidden[r][c] = changed = True
        # Two hidden cells per line is not always enough (a hidden cell can be the one link
        # between two groups of hidden cells, and the table's sums then give it): hide more
        # beside any cell the sums still determine.
        recovered = recoverable(counts, hidden)
        if not recovered:
            return hidden
        r0, c0 = recovered[0]
        near = free([(r0, c) for c in range(cols)] + [(r, c0) for r in range(rows)])
        anywhere = free([(r, c) for r in range(rows) for c in range(cols)])
        if not (near or anywhere):
            return hidden  # every cell is hidden or fixed by another table: nothing left to do
        r, c = smallest(near or anywhere)
        hidden[r][c] = True


def recoverable(counts: list[list[int]], hidden: list[list[bool]]) -> list[tuple[int, int]]:
    """The hidden cells whose values the shown cells and the table's sums determine exactly.

    Each line (a row or a column of a table with totals in its last row and column) says its
    cells add up to its last one. Those equations are the nodes of a graph whose edges are the
    cells: row i to column j for a body cell, row i to "all columns" for its total, "all rows"
    to column j for a column's total, and "all rows" to "all columns" for the grand total.
    The graph is bipartite, so adding and taking away 1 round any cycle of hidden cells
    changes no sum: a hidden cell is recovered exactly when it lies on no cycle of hidden
    cells, i.e. when it is a bridge of the hidden cells' graph. Linear in the table's size
    (a table of every English local authority checks in milliseconds).

    >>> recoverable([[3, 10, 13], [7, 9, 16], [10, 19, 29]],
    ...             [[True, False, False], [False, False, False], [False, False, False]])
    [(0, 0)]
    >>> recoverable([[3, 10, 13], [7, 9, 16], [10, 19, 29]],
    ...             [[True, True, False], [True, True, False], [False, False, False]])
    []
    """
    rows, cols = len(counts), len(counts[0]) if counts else 0
    unknown = [(r, c) for r in range(rows) for c in range(cols) if hidden[r][c]]
    if rows < 2 or cols < 2:
        # One line at most (a column of figures and its total): one unknown in it is given.
        return unknown if len(unknown) == 1 and max(rows, cols) > 1 else []
    graph = nx.Graph()
    edge_cell = {}
    for r, c in unknown:
        edge = (("row", r), ("col", c))
        graph.add_edge(*edge)
        edge_cell[frozenset(edge)] = (r, c)
    return sorted(edge_cell[frozenset(edge)] for edge in nx.bridges(graph))


def suppress_table(counts: list[list[int]], published: dict[tuple[int, int], bool] | None = None
                   ) -> list[list[int | str]]:
    """A table of counts (totals in its last row and column) as analysts see it.

    A single "<5" in a line would be recovered from the line's total, so the next smallest
    cell of that line is hidden too:

    >>> suppress_table([[3, 10, 13], [7, 9, 16], [10, 19, 29]])
    [['<5', '*', 13], ['*', '*', 16], [10, 19, 29]]

    Secondary suppressions show as "*" (they are not small; 1 to 4 is always "<5").
    """
    mask = suppression_mask(counts, published)
    return [[(suppress(n) if 0 < n < SUPPRESSION_THRESHOLD else "*") if mask[r][c] else n
             for c, n in enumerate(row)] for r, row in enumerate(counts)]


def pool_small_groups(sizes: dict[Any, int], *, pooled: int = 0) -> tuple[list[Any], list[Any]]:
    """Which groups a picture may draw as themselves (each child, or one node with its size)
    and which it must pool into one "other" node: a group of 1 to 4 drawn child by child (or
    with its size) would show a count that tables suppress. Small groups are pooled; while
    the pool holds 1 to 4 children (``pooled`` are there already), the smallest shown group
    joins it too, since the pool's size is the headline total minus the groups shown. So the
    pool holds none, or 5 or more, or every child (when there are fewer than 5 in all).

    Returns (shown, pooled): shown largest first, pooled in key order.

    >>> pool_small_groups({"a": 9, "b": 6, "c": 2})
    (['a'], ['b', 'c'])
    >>> pool_small_groups({"a": 9, "b": 6, "c": 3, "d": 2})
    (['a', 'b'], ['c', 'd'])
    >>> pool_small_groups({"a": 3, "b": 1})
    ([], ['a', 'b'])
    >>> pool_small_groups({"a": 7}, pooled=2)
    ([], ['a'])
    """
    shown = sorted((k for k, n in sizes.items() if n >= SUPPRESSION_THRESHOLD),
                   key=lambda k: (-sizes[k], k))
    pool = [k for k, n in sizes.items() if n < SUPPRESSION_THRESHOLD]
    size = pooled + sum(sizes[k] for k in pool)
    while 0 < size < SUPPRESSION_THRESHOLD and shown:
        smallest = shown.pop()
        pool.append(smallest)
        size += sizes[smallest]
    return shown, sorted(pool)
