"""The time accounts and the audit trail run on, injectable for tests.

A test sets ``app.config["EXPLORER_CLOCK"]`` to a function returning an aware
datetime, and timeouts, lockouts and TOTP codes follow it without sleeping.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import current_app, has_app_context


def now() -> datetime:
    if has_app_context():
        clock = current_app.config.get("EXPLORER_CLOCK")
        if clock is not None:
            return clock()
    return datetime.now(UTC)


def today() -> date:
    """The request's date on the same clock: what ages and the retention rule are taken at."""
    return now().date()
