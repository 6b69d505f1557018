"""Reading a browser's own writes on any app server (docs/scaling.md).

A signed-in (or signing-in) browser carries, in a signed cookie, the bookmarks of the writes
its requests were answered after; each request reads at least that far, on any app server.
So behind a load balancer over a Neo4j cluster, the sign-in's session row is found on the next
request even when another app server and a lagging follower answer it. The values are opaque
transaction positions, no data; they are signed so that Neo4j is only ever handed bookmarks it
issued. The session cookie itself still holds only the session token.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, g, request, session
from itsdangerous import BadSignature, URLSafeSerializer

from explorer.graph import end_causal_chain, graph_of, start_causal_chain

BOOKMARKS_COOKIE = "explorer-bookmarks"


def init_app(app: Flask) -> None:
    app.before_request(_read_from)
    app.after_request(_hand_on)
    app.teardown_request(_end)


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="database-bookmarks")


def _carried() -> list[str] | None:
    """The bookmarks this browser's cookie holds, if the app signed them; else None."""
    value = request.cookies.get(BOOKMARKS_COOKIE)
    if not value:
        return None
    try:
        seen = _signer().loads(value)
    except BadSignature:
        return None
    if isinstance(seen, list) and all(isinstance(b, str) for b in seen):
        return seen
    return None


def _read_from() -> None:
    seen = _carried()
    if seen:
        g.causal_chain = start_causal_chain(tuple(seen))
        g.bookmarks_carried = seen


def _hand_on(response: Response) -> Response:
    if request.endpoint == "static":
        return response
    if not session:  # never signed in, or just signed out
        if request.cookies.get(BOOKMARKS_COOKIE):
            response.delete_cookie(BOOKMARKS_COOKIE)
        return response
    written = list(graph_of(current_app).bookmarks())
    if written and g.get("bookmarks_carried") != written:
        response.set_cookie(BOOKMARKS_COOKIE, _signer().dumps(written), httponly=True,
                            secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
                            samesite="Lax")
    return response


def _end(_exc: BaseException | None) -> None:
    token = g.pop("causal_chain", None)
    if token is not None:
        end_causal_chain(token)
