"""Response headers every page carries: a strict CSP (nothing from another origin, no
inline script or style) and the usual hardening headers."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, request

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
])

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # Never to another site; to this one, since Flask-WTF refuses a form posted over https
    # without a Referer of this origin (no-referrer broke every sign-in over https).
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}

# Only over https (directly, or as a trusted proxy's X-Forwarded-Proto says): RFC 6797 (7.2)
# says a host must not send it over plain http, where browsers ignore it anyway.
HSTS = "max-age=31536000; includeSubDomains"


def _secure_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    if request.endpoint != "static":
        # Pages, data and exports about children must not linger in caches or the back button.
        response.headers["Cache-Control"] = "no-store"
    return response


# Invisible bidirectional embeddings, overrides and isolates: seeds refuse them, but text that
# came in another way (an older load, a typed reason, an account's name) is shown with each
# replaced by U+FFFD, so it cannot reorder what is around it. Names are also put in <bdi>.
_BIDI_CONTROLS = {c: "\ufffd" for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


def _without_bidi_controls(value: Any) -> Any:
    """Every value a template prints (Jinja's ``finalize``): strings lose their bidi controls.

    >>> _without_bidi_controls("Ann\u202eeel"), _without_bidi_controls(3)
    ('Ann\ufffdeel', 3)
    """
    return value.translate(_BIDI_CONTROLS) if isinstance(value, str) else value


def init_app(app: Flask) -> None:
    app.after_request(_secure_headers)
    app.jinja_env.finalize = _without_bidi_controls
