"""The retention run: records archived children and purges those whose archive period ended.

The rule itself lives in ``explorer.policy`` (archived at 18, at 25 for a care leaver who
consented) and every read applies it as of the request's date, so nothing here is needed for
an archived record to disappear: this run records the archiving (when and why, for the
management team's view) and, once the archive period has ended (``policy.ARCHIVE_YEARS``
after archiving by default), deletes the child, their involvements and every other
relationship, their previous plans and conferences, and any adult or household the purge
leaves with no child. A purged child leaves a tombstone (``policy.purged_id_hash``) so that
a feed cannot bring it back.

Every batch is one transaction, and each step only looks for what is still to do, so a run
stopped at any point (even by kill -9) loses nothing and the next run finishes the work;
running it twice changes nothing the second time. The audit trail is never touched (the
queries match children, plans, conferences, adults and households only): it keeps its ids
and stays verifiable.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from explorer import policy
from explorer.analytics.saved import mark_changed
from explorer.graph import Graph, run_named

BATCH = 500


@dataclass
class RetentionReport:
    """What a run did (or, dry, would do): counts only, never a name."""

    dry_run: bool
    today: date
    archive_years: int
    counts: Counter = field(default_factory=Counter)

    def as_params(self) -> dict[str, Any]:
        return {"dry_run": self.dry_run, "today": self.today.isoformat(),
                "archive_years": self.archive_years, **dict(sorted(self.counts.items()))}

    def table(self) -> str:
        names = (("archived", "children archived"), ("purged", "children purged"),
                 ("plans", "previous plans deleted"), ("conferences", "conferences deleted"),
                 ("adults", "adults left with no child deleted"),
                 ("households", "households left with no child deleted"))
        lines = [f"Retention as of {self.today.isoformat()} (archive period "
                 f"{self.archive_years} years){' — dry run, nothing written' if self.dry_run else ''}:"]
        for key, label in names:
            if key in self.counts or key in ("archived", "purged"):
                lines.append(f"  {self.counts.get(key, 0):>8}  {label}")
        return "\n".join(lines)


def run(graph: Graph, *, today: date, now: datetime, archive_years: int = policy.ARCHIVE_YEARS,
        dry_run: bool = False, batch: int = BATCH,
        progress: Callable[[str, int], None] | None = None) -> RetentionReport:
    """Mark every record due for archiving on ``today``, then purge every record archived
    ``archive_years`` or more before ``today``. ``now`` is when marks and tombstones are
    recorded. A dry run does the same work in one transaction that is rolled back, so its
    counts are exactly what a run would do. ``progress(step, count)`` follows each batch."""
    report = RetentionReport(dry_run=dry_run, today=today, archive_years=archive_years)
    retained = policy.retained(today)
    archived_by = policy.purged_by(today, archive_years)

    def steps(execute: Callable[[Callable[[Any], Any]], Any]) -> None:
        while marked := execute(lambda tx: _mark_batch(tx, retained, today, now, batch)):
            report.counts["archived"] += marked
            if progress:
                progress("archived", marked)
        report.counts["archived"] += 0
        while (done := execute(lambda tx: _purge_batch(tx, archived_by, now, batch)))["purged"]:
            report.counts.update(done)
            if progress:
                progress("purged", done["purged"])
        report.counts["purged"] += 0

    if dry_run:
        graph.rehearse(lambda tx: steps(lambda work: work(tx)))
    else:
        steps(graph.write_tx)  # one transaction per batch: a stopped run loses no batch
    return report


def _mark_batch(tx, retained: dict[str, Any], today: date, now: datetime, batch: int) -> int:
    """Mark up to ``batch`` of the children the rule archives, with the day it did and why."""
    children = [r["child"] for r in run_named(tx, "retention_due",
                                              {"retained": retained, "limit": batch})]
    rows = []
    for child in children:
        state = policy.archive_state(child, today)
        if state:  # always: the query asked the same rule
            rows.append({"id": child["id"], "archived_at": state["on"], "reason": state["reason"]})
    if not rows:
        return 0
    mark_changed(tx, "retention")  # the analysts' saved counts are not served after it
    return run_named(tx, "retention_mark", {"rows": rows, "recorded_at": now})[0]["marked"]


def _purge_batch(tx, archived_by: date, now: datetime, batch: int) -> Counter:
    """Purge up to ``batch`` children archived on or before ``archived_by``: tombstones, the
    children, then the adults and households they leave with no child."""
    ids = [r["id"] for r in run_named(tx, "retention_purge_due",
                                      {"archived_by": archived_by, "limit": batch})]
    if not ids:
        return Counter({"purged": 0})
    mark_changed(tx, "retention")  # the analysts' saved counts are not served after it
    near = run_named(tx, "retention_purge_neighbours", {"ids": ids})[0]
    gone = run_named(tx, "retention_purge_children", {
        "rows": [{"id": i, "id_hash": policy.purged_id_hash(i)} for i in ids],
        "purged_at": now})[0]
    left = run_named(tx, "retention_purge_orphans", {"adult_ids": near["adult_ids"],
                                                     "household_ids": near["household_ids"]})[0]
    return Counter({"purged": gone["children"], "plans": gone["plans"],
                    "conferences": gone["conferences"], "adults": left["adults"],
                    "households": left["households"]})
