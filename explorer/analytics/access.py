"""Who may run the analytics: every public entry point of ``explorer.analytics`` takes the
viewer and calls :func:`require_analysts_scope` before it reads anything, so a new route (or
a script) that forgets its decorator still gets nothing.

The question is the policy's own (``policy.may_use_analyst_reports``), the same one the
analysts' routes and menu ask: an account with the analyst role, whatever other roles it has.
"""

from __future__ import annotations

from werkzeug.exceptions import Forbidden

from explorer import policy


def require_analysts_scope(viewer: policy.Viewer) -> None:
    """Raise the app's 403 (``werkzeug.exceptions.Forbidden``, which the error pages render
    and the audit trail records as a refusal) unless the viewer may see analysts' data.

    >>> from explorer.policy import Viewer
    >>> require_analysts_scope(Viewer("a", frozenset({"analyst", "chair"}), None, "u1"))
    >>> require_analysts_scope(Viewer("m", frozenset({"management"}), None, "u2"))
    Traceback (most recent call last):
    werkzeug.exceptions.Forbidden: 403 Forbidden: ...
    """
    if not policy.may_use_analyst_reports(viewer):
        raise Forbidden()
