"""Password storage: argon2id with argon2-cffi's defaults, and the minimum we accept."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 12
MAX_LENGTH = 1024  # argon2 copes with more; a cap stops a megabyte "password" costing CPU

_hasher = PasswordHasher()

# A few that pass the length rule and are still the first an attacker tries.
OBVIOUS = frozenset({
    "password1234", "password12345", "passwordpassword", "123456789012", "1234567890123",
    "qwertyuiopas", "qwertyuiop123", "letmeinletmein", "iloveyou1234", "administrator",
    "changeme1234", "welcome12345", "aaaaaaaaaaaa", "abcdefghijkl", "abc123abc123",
    "correcthorsebatterystaple", "involvementexplorer", "contactpoint", "safeguarding",
})

# Verifying against this keeps an unknown username as slow as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password-only-for-timing")


class WeakPassword(ValueError):
    """The password breaks the rules; the message says which, never the password."""


def check_strength(password: str, *, username: str = "") -> None:
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"a password needs at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"a password may have at most {MAX_LENGTH} characters")
    folded = password.casefold()
    if folded in OBVIOUS or len(set(folded)) < 4:
        raise WeakPassword("that password is too easy to guess")
    if username and username.casefold() in folded:
        raise WeakPassword("a password must not contain the username")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True if ``password`` matches; an absent hash still costs one verification."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with other parameters than today's defaults."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True
