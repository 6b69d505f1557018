"""Server-side sessions: (:Session {id_hash, username, stage, created, last_seen}).

The browser's cookie holds only a random token; the database holds its sha256,
so a copy of the database does not yield live sessions. A session in stage
``totp`` has passed the password and may only submit a code; ``full`` is a
signed-in user. Timeouts are decided here, on the server, on every request.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from explorer.clock import now
from explorer.graph import Graph

STAGE_TOTP = "totp"
STAGE_FULL = "full"


@dataclass(frozen=True)
class Timeouts:
    idle: timedelta = timedelta(minutes=30)
    absolute: timedelta = timedelta(hours=12)
    pending: timedelta = timedelta(minutes=5)  # between the password and the code
    # last_seen is written at most this often: a request within it is a read, not a write.
    # The idle timeout is therefore measured from a moment up to this much before the last
    # request, i.e. it can end a session up to this much early, never late.
    touch_every: timedelta = timedelta(seconds=60)


def id_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def start(graph: Graph, username: str, stage: str) -> str:
    """A new session; returns the token for the cookie (never stored)."""
    token = secrets.token_urlsafe(32)
    graph.write("session_create", id_hash=id_hash(token), username=username, stage=stage, now=now())
    return token


def end(graph: Graph, token: str | None) -> None:
    if token:
        graph.write("session_delete", id_hash=id_hash(token))


def end_all(graph: Graph, username: str) -> int:
    return graph.write("sessions_delete_for_user", username=username)[0]["deleted"]


def end_expired(graph: Graph, username: str, timeouts: Timeouts) -> int:
    """Delete the user's timed-out sessions that nobody presented again (resolve deletes
    only those it is shown), so an abandoned session is ended on the server too."""
    at = now()
    return graph.write("sessions_delete_expired_for_user", username=username,
                       pending_before=at - timeouts.pending, idle_before=at - timeouts.idle,
                       absolute_before=at - timeouts.absolute)[0]["deleted"]


def _since(at: datetime, epoch_ms: int) -> timedelta:
    """How long before ``at`` a time read as milliseconds since the epoch was."""
    return at - datetime.fromtimestamp(epoch_ms / 1000, UTC)


def _expired(session: dict[str, Any], at: datetime, timeouts: Timeouts) -> bool:
    age = _since(at, session["created_ms"])
    if session.get("stage") != STAGE_FULL:
        return age > timeouts.pending
    return _since(at, session["last_seen_ms"]) > timeouts.idle or age > timeouts.absolute


def resolve(graph: Graph, token: str | None, stage: str, timeouts: Timeouts) -> dict[str, Any] | None:
    """The user behind a live session of ``stage``, marking it used; None (and the session
    deleted) if it is unknown, expired, of another stage, or its user is gone or disabled.

    A read transaction decides; it writes only to end a dead session or, at most once per
    ``timeouts.touch_every``, to move ``last_seen`` on (so most requests cost no write)."""
    if not token:
        return None
    hashed = id_hash(token)
    at = now()
    rows = graph.read("session_with_user", id_hash=hashed)
    if not rows:
        return None
    session, user = rows[0]["session"], rows[0]["user"]
    if user is None or user.get("disabled") or _expired(session, at, timeouts):
        graph.write("session_delete", id_hash=hashed)
        return None
    if session.get("stage") != stage:
        return None
    if _since(at, session["last_seen_ms"]) >= timeouts.touch_every:
        graph.write("session_touch", id_hash=hashed, now=at)
    return user
