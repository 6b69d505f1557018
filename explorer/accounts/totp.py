"""The second factor: RFC 6238 codes (30 s, 6 digits), one step of drift either way,
and each code usable once: the last accepted step is kept on the user."""

from __future__ import annotations

import hmac
from datetime import datetime

import pyotp

ISSUER = "Involvement Explorer"
DRIFT_STEPS = 1


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def qr_svg_data_uri(uri: str) -> str:
    """The otpauth URI as a QR code, an SVG data: URI drawn here (nothing is fetched)."""
    import segno

    return segno.make(uri, error="m").svg_data_uri(scale=4, border=2)


def code_at(secret: str, when: datetime) -> str:
    return pyotp.TOTP(secret).at(when)


def matching_step(secret: str, code: str, when: datetime) -> int | None:
    """The time step whose code is ``code`` (within the allowed drift), else None.

    Six ASCII digits only: "١٢٣٤٥٦" is digits to ``isdigit`` but not to ``compare_digest``.
    """
    code = (code or "").strip().replace(" ", "")
    if not (code.isascii() and code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    step = totp.timecode(when)
    found = None
    for candidate in range(step - DRIFT_STEPS, step + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(candidate), code):
            found = candidate
    return found
