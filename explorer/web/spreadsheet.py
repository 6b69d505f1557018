"""CSV downloads that a spreadsheet opens as text: one writer for every export."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from flask import Response

from explorer.clock import now

# A cell starting with one of these is read as a formula by some spreadsheet (a line feed or
# carriage return too, once the cell's quoting is stripped).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def cell(value: object) -> str:
    """Plain text a spreadsheet will not run: a leading = + - @ tab or line break becomes text.

    >>> [cell(v) for v in ("=1+1", "\\n=cmd", "-3", None, ["a", "b"], "Zoe")]
    ["'=1+1", "'\\n=cmd", "'-3", '', 'a b', 'Zoe']
    """
    if isinstance(value, list | tuple):
        text = " ".join(str(v) for v in value)
    elif value is None:
        text = ""
    elif hasattr(value, "isoformat"):
        text = value.isoformat()
    else:
        text = str(value)
    if text.startswith(FORMULA_STARTS):
        text = "'" + text
    return text


# Every export carries its provenance, as the printed and PNG exports do: the marking, who
# exported it, when, and the audit event recorded before it was produced. As columns on every
# row, so a file that is filtered or split in a spreadsheet keeps them.
PROVENANCE_COLUMNS = ("marking", "exported_by", "exported_at", "audit_event")
MARKING = "OFFICIAL-SENSITIVE"


def download(name: str, header: Iterable[str], rows: Iterable[Iterable[object]], *,
             viewer: str, event_id: str) -> Response:
    """A CSV attachment named ``name-<UTC time>.csv``, never cached, each row ending with its
    provenance (``PROVENANCE_COLUMNS``): ``event_id`` is the audit event recorded for it. The
    header goes through ``cell`` too: some headers are data (the caseloads export names each
    local authority)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*(cell(h) for h in header), *PROVENANCE_COLUMNS])
    at = now()
    stamp = at.strftime("%Y%m%dT%H%M%SZ")
    provenance = [MARKING, cell(viewer), at.strftime("%Y-%m-%d %H:%M UTC"), event_id]
    for row in rows:
        writer.writerow([*(cell(v) for v in row), *provenance])
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}-{stamp}.csv"',
                             "Cache-Control": "no-store"})
