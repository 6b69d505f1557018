"""Who may run the analytics: every public entry point of ``explorer.analytics`` takes the
viewer and calls :func:`require_analysts_scope` before it reads anything, so a new route (or
a script) that forgets its decorator still gets nothing.

The policy decides which scope a role gives (``policy.scopes``); analysts' data is the
de-identified scope, which the ``analyst`` role gives. ``policy.scopes`` of the whole account
lists that scope only for an analyst with no identified role (it is the scope of their list of
children, which an identified role replaces), yet such an account is still an analyst on the
analysts' pages: so the question asked here is which scope the account's analyst role gives.
"""

from __future__ import annotations

from dataclasses import dataclass

from werkzeug.exceptions import Forbidden

from explorer import policy


@dataclass(frozen=True)
class _AnalystPart:
    """The part of an account the analysts' scope comes from: its analyst role alone."""

    username: str
    roles: frozenset[str]
    practitioner_id: str | None = None


def sees_analysts_data(viewer: policy.ViewerLike) -> bool:
    """Does the policy give this viewer the de-identified scope of analysts' data?

    >>> class V: username = "v"; practitioner_id = None
    >>> [sees_analysts_data(type("W", (V,), {"roles": frozenset(r)})()) for r in
    ...  ({"analyst"}, {"analyst", "chair"}, {"management"}, {"practitioner"}, set())]
    [True, True, False, False, False]
    """
    part = _AnalystPart(viewer.username, frozenset(viewer.roles) & {"analyst"})
    return policy.Scope.DEIDENTIFIED in policy.scopes(part)


def require_analysts_scope(viewer: policy.ViewerLike) -> None:
    """Raise the app's 403 (``werkzeug.exceptions.Forbidden``, which the error pages render
    and the audit trail records as a refusal) unless the viewer may see analysts' data."""
    if not sees_analysts_data(viewer):
        raise Forbidden()
