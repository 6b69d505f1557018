"""User accounts kept in Neo4j as (:User) nodes: create, find, disable, reset the second factor."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from explorer.accounts import passwords, totp
from explorer.clock import now
from explorer.graph import Graph, run_named
from explorer.policy import ROLES, grants_child_data  # stated by the policy; used here and re-exported

USERNAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._-")


class AccountError(ValueError):
    """A request about accounts that cannot be done; the message is safe to show an admin."""


@dataclass(frozen=True)
class User:
    id: str
    username: str
    display_name: str
    family_name: str
    roles: frozenset[str]
    practitioner_id: str | None
    disabled: bool
    demo: bool
    failed_logins: int
    locked_until: datetime | None
    created: datetime | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> User:
        return cls(
            id=row["id"], username=row["username"], display_name=row.get("display_name") or "",
            family_name=row.get("family_name") or "", roles=frozenset(row.get("roles") or ()),
            practitioner_id=row.get("practitioner_id"), disabled=bool(row.get("disabled")),
            demo=bool(row.get("demo")), failed_logins=int(row.get("failed_logins") or 0),
            locked_until=row.get("locked_until"), created=row.get("created"),
        )

    def locked(self, at: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > at


@dataclass(frozen=True)
class Enrolment:
    """What a new user needs once: shown to the admin who made the account, never stored elsewhere."""

    username: str
    totp_secret: str
    otpauth_uri: str


def normalise_username(username: str) -> str:
    name = (username or "").strip().lower()
    if not (1 <= len(name) <= 64) or not set(name) <= USERNAME_CHARS:
        raise AccountError("a username is 1-64 characters: letters, digits, '.', '_' or '-'")
    return name


def check_roles(roles: list[str] | tuple[str, ...] | frozenset[str]) -> list[str]:
    unknown = sorted(set(roles) - set(ROLES))
    if unknown:
        raise AccountError(f"unknown role(s) {', '.join(unknown)}; roles are {', '.join(ROLES)}")
    if not roles:
        raise AccountError("a user needs at least one role")
    return sorted(set(roles))


def create(
    graph: Graph,
    *,
    username: str,
    password: str,
    roles: list[str] | tuple[str, ...],
    display_name: str = "",
    family_name: str = "",
    practitioner_id: str | None = None,
    demo: bool = False,
    totp_secret: str | None = None,
    temporary_password: bool = False,
) -> Enrolment:
    """Create an account with a fresh TOTP secret; AccountError if the username is taken.

    ``temporary_password``: the password was chosen by an admin, so its holder must replace it
    at first sign-in (until then every page leads to the change): the admin who chose it
    cannot go on signing in as them."""
    username = normalise_username(username)
    role_list = check_roles(roles)
    if "practitioner" in role_list and not practitioner_id:
        raise AccountError("a practitioner account needs --practitioner-id (the Practitioner it is)")
    try:
        # Demo passwords are published and name their role: only the length rule applies.
        passwords.check_strength(password, username="" if demo else username,
                                 names=() if demo else (display_name, family_name))
    except passwords.WeakPassword as exc:
        raise AccountError(str(exc)) from None
    secret = totp_secret or totp.new_secret()
    props = {
        "id": uuid.uuid4().hex, "username": username, "display_name": display_name or username,
        "family_name": family_name or "", "roles": role_list, "practitioner_id": practitioner_id or None,
        "password_hash": passwords.hash_password(password), "totp_secret": secret,
        "totp_last_step": -1, "disabled": False, "failed_logins": 0, "locked_until": None,
        "created": now(), "demo": bool(demo), "must_change_password": bool(temporary_password),
    }
    if not graph.write("user_create", username=username, props=props)[0]["created"]:
        raise AccountError(f"the username {username!r} is taken")
    return Enrolment(username, secret, totp.provisioning_uri(secret, username))


def check_family_name(roles: list[str] | tuple[str, ...] | frozenset[str], family_name: str) -> None:
    """An account that sees children needs its holder's family name: a search for one's own
    family name is reported to the management team, and without one it never could be."""
    if grants_child_data(roles) and not (family_name or "").strip():
        raise AccountError("an account that sees children needs the holder's family name "
                           "(searches for one's own family name are reported)")


def check_practitioner_link(graph: Graph, practitioner_id: str | None) -> None:
    """Before an admin links an account to a practitioner: the practitioner must exist and have
    no other enabled account, or a second account would see that practitioner's caseload."""
    if not practitioner_id:
        return
    found = graph.read("practitioner_accounts", practitioner_id=practitioner_id)[0]
    if not found["exists"]:
        raise AccountError(f"there is no practitioner {practitioner_id!r} in the graph")
    if found["accounts"]:
        raise AccountError(f"practitioner {practitioner_id!r} already has an account "
                           f"({', '.join(sorted(found['accounts']))}); disable it first")


def create_for_someone_else(graph: Graph, *, username: str, password: str,
                           roles: list[str] | tuple[str, ...], display_name: str = "",
                           family_name: str = "", practitioner_id: str | None = None) -> Enrolment:
    """An admin makes an account for its holder (the Accounts page, ``explorer users add``):
    the holder's family name when it sees children, a practitioner who exists and has no
    other account, and a temporary password the holder replaces at first sign-in."""
    check_family_name(roles, family_name)
    check_practitioner_link(graph, practitioner_id)
    return create(graph, username=username, password=password, roles=roles,
                  display_name=display_name, family_name=family_name,
                  practitioner_id=practitioner_id, temporary_password=True)


def find_row(graph: Graph, username: str) -> dict[str, Any] | None:
    """The stored properties, secrets included: for the login code only."""
    try:
        username = normalise_username(username)
    except AccountError:
        return None
    rows = graph.read("user_by_username", username=username)
    return rows[0]["user"] if rows else None


def find(graph: Graph, username: str) -> User | None:
    row = find_row(graph, username)
    return User.from_row(row) if row else None


def all_users(graph: Graph) -> list[User]:
    return [User.from_row(row["user"]) for row in graph.read("users_list")]


def _update(graph: Graph, username: str, props: dict[str, Any], *, end_sessions: bool) -> None:
    username = normalise_username(username)
    def work(tx) -> bool:
        found = bool(run_named(tx, "user_update", {"username": username, "props": props}))
        if found and end_sessions:
            run_named(tx, "sessions_delete_for_user", {"username": username})
        return found

    if not graph.write_tx(work):
        raise AccountError(f"no user {username!r}")


def set_disabled(graph: Graph, username: str, disabled: bool) -> None:
    """Disable (ending every session at once) or enable an account."""
    _update(graph, username, {"disabled": bool(disabled)}, end_sessions=disabled)


def reset_second_factor(graph: Graph, username: str) -> Enrolment:
    """A new TOTP secret (the old one stops working; sessions end); unlocks the account."""
    username = normalise_username(username)
    secret = totp.new_secret()
    _update(graph, username, {"totp_secret": secret, "totp_last_step": -1, "failed_logins": 0,
                              "locked_until": None}, end_sessions=True)
    return Enrolment(username, secret, totp.provisioning_uri(secret, username))


def change_password(graph: Graph, username: str, current: str, new: str) -> None:
    """The account holder replaces their password: the current one is asked for, the new one
    must pass the strength rule and differ from it. Every session of the account ends (the
    holder signs in again with the new one); a temporary password is one no more."""
    row = find_row(graph, username)
    if row is None or not passwords.verify_password(row.get("password_hash"), current):
        raise AccountError("The current password is not right.")
    if new == current:
        raise AccountError("The new password must differ from the current one.")
    try:
        passwords.check_strength(new, username=row["username"],
                                 names=(row.get("display_name") or "", row.get("family_name") or ""))
    except passwords.WeakPassword as exc:
        raise AccountError(str(exc)) from None
    _update(graph, row["username"], {"password_hash": passwords.hash_password(new),
                                     "must_change_password": False}, end_sessions=True)


def rehash_password(graph: Graph, username: str, password: str) -> None:
    """After a successful login with a hash made under older parameters."""
    _update(graph, username, {"password_hash": passwords.hash_password(password)}, end_sessions=False)
