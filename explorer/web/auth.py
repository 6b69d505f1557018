"""Signing in (password, then a TOTP code) and out.

The cookie holds only a session token. Each step issues a new token, so a token
seen before login (a fixated one) is worthless after it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from explorer import audited
from explorer.accounts import (
    SESSION_TOKEN_KEY,
    Viewer,
    client_address,
    current_viewer,
    login_policy,
    sessions,
    timeouts,
    users,
)
from explorer.accounts import login as login_steps
from explorer.graph import graph_of

bp = Blueprint("auth", __name__)

FAILED = ("Sign-in failed. Check your username, password and code. After repeated failures "
          "sign-in is paused for 15 minutes.")
CODE_REUSED = ("This code was already used. Wait for the next one (codes change every 30 "
               "seconds) and enter that.")
THROTTLED = "Too many failed sign-ins from this address. Wait 15 minutes and try again."
CURRENT_THROTTLED = ("Too many wrong passwords. Password changes and sign-in are paused for "
                     "15 minutes.")
PENDING_USER_KEY = "u"


class PasswordForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])


class CodeForm(FlaskForm):
    code = StringField("Code from your authenticator app", validators=[DataRequired(), Length(max=10)])


class SignOutForm(FlaskForm):
    pass


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect.

    Browsers and Werkzeug drop tabs and newlines from a URL and read a backslash as a
    slash, so "/%09/evil.example" (a tab) would become "//evil.example": any such character, and
    anything that parses with a scheme or a host, sends the user to the first page instead.
    """
    if (target and target.startswith("/") and not target.startswith("//")
            and not any(c == "\\" or c.isspace() or not c.isprintable() for c in target)):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("pages.index")


def _new_session(token: str, **extra: str) -> None:
    """Replace whatever the cookie held: rotation, never reuse."""
    old = session.get(SESSION_TOKEN_KEY)
    sessions.end(graph_of(current_app), old)
    session.clear()
    session[SESSION_TOKEN_KEY] = token
    session.update(extra)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("pages.index"))
    form = PasswordForm()
    next_page = _safe_next(request.args.get("next"))
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form, error=None,
                               next=request.args.get("next", ""))
    graph = graph_of(current_app)
    outcome = login_steps.check_password(graph, form.username.data, form.password.data,
                                         client_address(), login_policy())
    if not outcome.ok:
        _audit_failure(outcome, form.username.data)
        status = 429 if outcome.throttled else 200
        return render_template("auth/login.html", form=form, next=request.args.get("next", ""),
                               error=THROTTLED if outcome.throttled else FAILED), status
    user = outcome.user
    sessions.end_expired(graph, user["username"], timeouts())
    token = sessions.start(graph, user["username"], sessions.STAGE_TOTP)
    _new_session(token, **{PENDING_USER_KEY: user["username"], "n": next_page})
    return redirect(url_for("auth.login_code"))


@bp.route("/login/code", methods=["GET", "POST"])
def login_code():
    graph = graph_of(current_app)
    token = session.get(SESSION_TOKEN_KEY)
    pending = sessions.resolve(graph, token, sessions.STAGE_TOTP, timeouts())
    if pending is None:
        if current_user.is_authenticated:
            # Already signed in: a GET here (a link on another site) must not drop the cookie
            # of a session the server keeps.
            return redirect(url_for("pages.index"))
        # The cookie is dropped only with its session: the server never keeps one the
        # browser has abandoned.
        sessions.end(graph, token)
        session.clear()
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if not form.validate_on_submit():
        return render_template("auth/code.html", form=form, error=None)
    outcome = login_steps.check_code(graph, pending["username"], form.code.data, client_address(),
                                     login_policy())
    if not outcome.ok:
        _audit_failure(outcome, pending["username"])
        if outcome.locked_now:
            sessions.end(graph, token)
            session.clear()
        status = 429 if outcome.throttled else 200
        error = THROTTLED if outcome.throttled else CODE_REUSED if outcome.reused else FAILED
        return render_template("auth/code.html", form=form, error=error), status
    user = outcome.user
    next_page = _safe_next(session.get("n"))
    _new_session(sessions.start(graph, user["username"], sessions.STAGE_FULL))
    viewer = Viewer(username=user["username"], roles=frozenset(user.get("roles") or ()),
                    practitioner_id=user.get("practitioner_id"), user_id=user["id"])
    audited.record("auth.login", {}, viewer=viewer)
    return redirect(next_page)


@bp.post("/logout")
def logout():
    """Sign out (or leave the code step): only by POST with a CSRF token, and the server-side
    session ends before the cookie is cleared."""
    graph = graph_of(current_app)
    if current_user.is_authenticated:
        audited.record("auth.logout", {})
    sessions.end(graph, session.get(SESSION_TOKEN_KEY))
    session.clear()
    return redirect(url_for("auth.login"))


def _audit_failure(outcome: login_steps.Outcome, username: str) -> None:
    # Only a lock is recorded with a username: a failed attempt's "username" is sometimes
    # a password typed into the wrong box, and must not be kept.
    if outcome.locked_now:
        audited.record("auth.locked", {"username": username}, flagged=True, viewer=None)


class PasswordChangeForm(FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired(), Length(max=1024)])
    new = PasswordField("New password", validators=[DataRequired(), Length(max=1024)])
    again = PasswordField("New password again", validators=[
        DataRequired(), EqualTo("new", message="The two new passwords differ.")])


@bp.route("/account/password", methods=["GET", "POST"])
def change_password():
    """Replace one's own password (the current one is asked for); every session of the account
    ends, so the next page is the sign-in."""
    viewer = current_viewer()
    form = PasswordChangeForm()
    error = None
    if form.validate_on_submit():
        graph = graph_of(current_app)
        # The current password is checked as a sign-in's password is: the same per-account
        # lockout and per-address throttle, or a stolen session could guess it without limit.
        outcome = login_steps.check_password(graph, viewer.username, form.current.data,
                                             client_address(), login_policy())
        if not outcome.ok:
            audited.record("auth.password_change_failed", {"throttled": outcome.throttled},
                           flagged=outcome.locked_now, viewer=viewer)
            _audit_failure(outcome, viewer.username)
            if outcome.locked_now:
                # Whoever holds this session failed as often as a lockout allows: it ends.
                sessions.end(graph, session.get(SESSION_TOKEN_KEY))
                session.clear()
            return render_template("auth/password.html", form=form,
                                   error=CURRENT_THROTTLED if outcome.throttled or outcome.locked_now
                                   else "The current password is not right.",
                                   required=current_user.must_change_password), \
                429 if outcome.throttled or outcome.locked_now else 400
        try:
            users.change_password(graph, viewer.username, form.current.data, form.new.data)
        except users.AccountError as exc:
            error = str(exc)
        else:
            audited.record("auth.password_changed", {}, viewer=viewer)
            session.clear()
            return render_template("auth/password_changed.html")
    elif form.errors:
        error = " ".join(m for messages in form.errors.values() for m in messages)
    return render_template("auth/password.html", form=form, error=error,
                           required=current_user.must_change_password), 200 if error is None else 400


@bp.get("/account")
def account():
    """Who you are signed in as, and your roles."""
    return render_template("auth/account.html", viewer=current_viewer())
