"""The two login steps, lockout and per-client throttling, kept out of the routes.

Every failure looks the same from outside (same message, same work done), so
the answers never tell whether a username exists or is locked.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from explorer.accounts import passwords, totp, users
from explorer.clock import now
from explorer.graph import Graph


@dataclass(frozen=True)
class LoginPolicy:
    max_failures: int = 5
    lock: timedelta = timedelta(minutes=15)
    client_max_failures: int = 20
    client_window: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class Outcome:
    ok: bool
    throttled: bool = False
    user: dict[str, Any] | None = None
    locked_now: bool = False  # this failure locked the account (for the audit trail)
    # A right code whose 30 s step was already used: said as such, since only someone past
    # the password gets this far (it still counts as a failure: a replayed code is one).
    reused: bool = False


def client_throttled(graph: Graph, client: str, policy: LoginPolicy) -> bool:
    rows = graph.read("login_throttle_get", client=client, window_start=now() - policy.client_window)
    return rows[0]["failures"] >= policy.client_max_failures


def _failed(graph: Graph, username: str | None, client: str, policy: LoginPolicy) -> Outcome:
    at = now()
    graph.write("login_throttle_hit", client=client, now=at, window_start=at - policy.client_window)
    locked_now = False
    if username is not None:
        row = graph.write("user_login_failed", username=username, max_failures=policy.max_failures,
                          now=at, lock_until=at + policy.lock)
        locked_now = bool(row) and row[0]["failed_logins"] == policy.max_failures
    return Outcome(ok=False, locked_now=locked_now)


def check_password(graph: Graph, username: str, password: str, client: str, policy: LoginPolicy) -> Outcome:
    """Step one. ``ok`` only for an enabled, unlocked user whose password matches."""
    if client_throttled(graph, client, policy):
        return Outcome(ok=False, throttled=True)
    row = users.find_row(graph, username)
    # Always one argon2 verification, whether or not the user exists.
    matches = passwords.verify_password(row["password_hash"] if row else None, password or "")
    if row is None:
        return _failed(graph, None, client, policy)
    user = users.User.from_row(row)
    if user.locked(now()):
        # Not counted against the user: more attempts must not stretch the lock.
        return _failed(graph, None, client, policy)
    if user.disabled or not matches:
        return _failed(graph, user.username, client, policy)
    if passwords.needs_rehash(row["password_hash"]):
        users.rehash_password(graph, user.username, password)
    return Outcome(ok=True, user=row)


def check_code(graph: Graph, username: str, code: str, client: str, policy: LoginPolicy) -> Outcome:
    """Step two: a current code (one step of drift), never one already used."""
    if client_throttled(graph, client, policy):
        return Outcome(ok=False, throttled=True)
    row = users.find_row(graph, username)
    if row is None:
        return _failed(graph, None, client, policy)
    user = users.User.from_row(row)
    if user.locked(now()):
        return _failed(graph, None, client, policy)
    if user.disabled:
        return _failed(graph, user.username, client, policy)
    step = totp.matching_step(row["totp_secret"], code, now())
    if step is None:
        return _failed(graph, user.username, client, policy)
    if not _claim(graph, user.username, step):
        return replace(_failed(graph, user.username, client, policy), reused=True)
    return Outcome(ok=True, user=row)


def _claim(graph: Graph, username: str, step: int) -> bool:
    return graph.write("user_totp_claim_step", username=username, step=step)[0]["claimed"]
