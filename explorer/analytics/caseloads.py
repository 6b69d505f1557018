"""The distribution of social workers' open caseloads, per area and in all, suppressed."""

from __future__ import annotations

from datetime import date
from typing import Any

from explorer import policy
from explorer.analytics import networks, records
from explorer.analytics.catalogue import CASELOAD_NATIONAL_AVERAGE, CASELOAD_THRESHOLD
from explorer.analytics.suppression import suppress_statistic
from explorer.graph import Graph

HISTOGRAM = (0, 1, 5, 10, 15, 20, 25, 30, 40)


def _shown_stats(d: dict[str, Any]) -> dict[str, Any]:
    # Beside fewer than 5 workers, a mean and a maximum would give one worker's caseload.
    few = 0 < d["count"] < policy.SUPPRESSION_THRESHOLD
    return {k: "*" if few else suppress_statistic(d[k]) for k in ("mean", "median", "p90", "max")}


def caseload_distribution(graph: Graph, *, viewer: policy.ViewerLike, key: bytes,
                          on: date) -> dict[str, Any]:
    """The distribution of open caseloads per social worker: one table, buckets by area with
    totals both ways, suppressed as a whole (so no area's small bucket can be recovered from
    another area's or from the totals), and each area's mean, median, 90th percentile and
    maximum beside the national average."""
    rows = records.caseload_rows(graph, key, on, viewer=viewer)
    area_names = sorted({r["local_authority"] for r in rows})
    per_area = {a: networks.distribution([r["caseload"] for r in rows if r["local_authority"] == a],
                                         buckets=HISTOGRAM) for a in area_names}
    overall = networks.distribution([r["caseload"] for r in rows], buckets=HISTOGRAM)
    labels = list(overall["histogram"])
    raw = [[per_area[a]["histogram"][b] for a in area_names] + [overall["histogram"][b]]
           for b in labels]
    raw.append([per_area[a]["count"] for a in area_names] + [overall["count"]])
    table = policy.suppress_table(raw)
    stats = {a: _shown_stats(per_area[a]) for a in area_names}
    stats["all"] = _shown_stats(overall)
    return {"areas": area_names, "buckets": labels, "table": table, "stats": stats,
            "scale_all": max([row[-1] for row in table[:-1] if isinstance(row[-1], int)] + [1]),
            "national_average": CASELOAD_NATIONAL_AVERAGE, "threshold": CASELOAD_THRESHOLD}
