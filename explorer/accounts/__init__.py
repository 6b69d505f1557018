"""Who is signed in: accounts, two-factor login, server-side sessions, roles.

Public API for the rest of the app:

- ``current_viewer() -> Viewer``: the signed-in user (raises ``NotSignedIn``
  outside a signed-in request; the login gate makes that unreachable from a route).
- ``require_roles(question)``: route decorator guarding a page by one of the policy's
  named questions (``policy.may_look_up``...); a viewer it answers no gets 403, an
  anonymous one is sent to the login page. Routes never name a role.
- ``client_address()``: the address recorded in the audit trail.
- ``init_app(app)``: Flask-Login (loading the user from the server-side session
  on every request), CSRF protection, cookie flags and the login gate.

Every page needs a signed-in user except the endpoints in ``PUBLIC_ENDPOINTS``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, abort, current_app, redirect, request, session, url_for
from flask_login import LoginManager, UserMixin, current_user
from flask_wtf.csrf import CSRFProtect

from explorer.accounts import sessions
from explorer.accounts.login import LoginPolicy
from explorer.graph import graph_of
from explorer.policy import QUESTIONS, ROLES, Question, Viewer, opens_child_data

__all__ = ["ROLES", "NotSignedIn", "Viewer", "client_address", "current_viewer", "init_app",
           "require_roles"]

F = TypeVar("F", bound=Callable[..., Any])

# Reachable without signing in: the login steps, the health check and static files; and the
# sign-out, which also ends a half-signed-in session ("Start again" on the code step).
PUBLIC_ENDPOINTS = frozenset({"auth.login", "auth.login_code", "auth.logout", "pages.health", "static"})
# What a signed-in user with a temporary password may reach: the change, and signing out.
PASSWORD_CHANGE_ENDPOINTS = frozenset({"auth.change_password", "auth.logout", "static"})
SESSION_TOKEN_KEY = "t"  # noqa: S105 - a key name. The only thing in the signed session cookie

csrf = CSRFProtect()
login_manager = LoginManager()


class NotSignedIn(Exception):
    """current_viewer() was called where nobody is signed in."""


class SignedIn(UserMixin):
    """Flask-Login's view of a user: the Viewer plus the display name for pages."""

    def __init__(self, viewer: Viewer, display_name: str, must_change_password: bool = False) -> None:
        self.viewer = viewer
        self.display_name = display_name
        self.must_change_password = must_change_password

    def get_id(self) -> str:
        return self.viewer.username


class Answers:
    """The policy's named questions about the signed-in viewer, for templates: ``may.look_up``
    is ``policy.may_look_up(viewer)`` (False for nobody signed in), so a template never
    names a role."""

    def __init__(self, viewer: Viewer | None) -> None:
        self._viewer = viewer

    def __getattr__(self, name: str) -> bool:
        question = QUESTIONS.get(f"may_{name}") or QUESTIONS.get(name)
        if question is None:
            raise AttributeError(f"the policy asks no question {name!r}")
        return self._viewer is not None and question(self._viewer)


def current_viewer() -> Viewer:
    if not current_user or not current_user.is_authenticated:
        raise NotSignedIn("nobody is signed in")
    return current_user.viewer


def require_roles(question: Question) -> Callable[[F], F]:
    """Guard a page by one of the policy's named questions about the viewer.

    A page guarded by a question that opens child data is marked ``opens_child_data``:
    ``explorer.audited`` then checks (where the app asks it to) that each of its answers
    was recorded in the audit trail.
    """
    if QUESTIONS.get(getattr(question, "__name__", "")) is not question:
        raise ValueError(f"require_roles takes one of the policy's questions {sorted(QUESTIONS)}, "
                         f"got {question!r}")

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not question(current_viewer()):
                abort(403)
            return view(*args, **kwargs)

        wrapped.opens_child_data = opens_child_data(question)  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorate


def client_address() -> str:
    return request.remote_addr or "unknown"


def timeouts() -> sessions.Timeouts:
    config = current_app.config
    return sessions.Timeouts(
        idle=timedelta(minutes=config["SESSION_IDLE_MINUTES"]),
        absolute=timedelta(hours=config["SESSION_ABSOLUTE_HOURS"]),
        pending=timedelta(minutes=config["LOGIN_PENDING_MINUTES"]),
    )


def login_policy() -> LoginPolicy:
    config = current_app.config
    return LoginPolicy(
        max_failures=config["LOGIN_MAX_FAILURES"],
        lock=timedelta(minutes=config["LOGIN_LOCK_MINUTES"]),
        client_max_failures=config["LOGIN_CLIENT_MAX_FAILURES"],
        client_window=timedelta(minutes=config["LOGIN_CLIENT_WINDOW_MINUTES"]),
    )


def _load_from_session(_request: Any) -> SignedIn | None:
    user = sessions.resolve(graph_of(current_app), session.get(SESSION_TOKEN_KEY),
                            sessions.STAGE_FULL, timeouts())
    if user is None:
        return None
    viewer = Viewer(username=user["username"], roles=frozenset(user.get("roles") or ()),
                    practitioner_id=user.get("practitioner_id"), user_id=user["id"])
    return SignedIn(viewer, user.get("display_name") or user["username"],
                    must_change_password=bool(user.get("must_change_password")))


def _gate() -> Any:
    """Send anyone not signed in to the login page, except for public endpoints and 404s."""
    if request.endpoint is None or request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if current_user.is_authenticated:
        if current_user.must_change_password and request.endpoint not in PASSWORD_CHANGE_ENDPOINTS:
            # A password an admin chose is replaced before anything else is opened.
            if request.path.startswith("/api/"):
                abort(403)
            return redirect(url_for("auth.change_password"))
        return None
    if request.path.startswith("/api/"):
        abort(401)
    return login_manager.unauthorized()


def _secure_cookies_default(app: Flask) -> bool:
    # Plain local http (EXPLORER_LOCAL_HTTP=1, e.g. `explorer run` on 127.0.0.1) and tests
    # cannot send Secure cookies back; everything else must.
    return not (app.testing or os.environ.get("EXPLORER_LOCAL_HTTP") == "1")


DEFAULTS = {
    "SESSION_IDLE_MINUTES": 30,
    "SESSION_ABSOLUTE_HOURS": 12,
    "LOGIN_PENDING_MINUTES": 5,
    "LOGIN_MAX_FAILURES": 5,
    "LOGIN_LOCK_MINUTES": 15,
    "LOGIN_CLIENT_MAX_FAILURES": 20,
    "LOGIN_CLIENT_WINDOW_MINUTES": 15,
    "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session it is bound to
}


def init_app(app: Flask) -> None:
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    # Tests post forms without tokens unless they turn CSRF on (WTF_CSRF_ENABLED=True).
    app.config.setdefault("WTF_CSRF_ENABLED", not app.testing)
    secure = app.config.get("EXPLORER_SECURE_COOKIES")
    if secure is None:
        secure = _secure_cookies_default(app)
    app.config["SESSION_COOKIE_SECURE"] = bool(secure)
    # __Host- binds the cookie to this exact origin (needs Secure, Path=/, no Domain).
    app.config["SESSION_COOKIE_NAME"] = "__Host-explorer" if secure else "explorer"
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = app.config.get("SESSION_COOKIE_SAMESITE") or "Lax"
    app.config["REMEMBER_COOKIE_NAME"] = "explorer_remember_unused"

    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = None  # the server-side session is the protection
    login_manager.request_loader(_load_from_session)
    login_manager.user_loader(lambda _id: None)  # nothing but the token lives in the cookie
    app.before_request(_gate)

    @app.context_processor
    def signed_in() -> dict[str, Any]:
        user = current_user if current_user and current_user.is_authenticated else None
        viewer = user.viewer if user else None
        return {"signed_in": user, "viewer": viewer, "may": Answers(viewer)}

