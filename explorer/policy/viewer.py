"""Who is asking: the one ``Viewer`` type every rule of the policy takes.

The policy owns it; ``explorer.accounts`` builds one for the signed-in user from their
server-side session (and re-exports it), the CLI builds one for the operating-system
account, tests and benchmarks build their own.
"""

from __future__ import annotations

from dataclasses import dataclass

# Every role an account may hold (domain.md, "Who uses it and what each may see").
ROLES = ("practitioner", "chair", "analyst", "management", "admin")


@dataclass(frozen=True)
class Viewer:
    """The signed-in user, as the permission policy and the audit trail see them."""

    username: str
    roles: frozenset[str]
    practitioner_id: str | None
    user_id: str
