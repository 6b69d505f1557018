"""Password storage: argon2id with argon2-cffi's defaults, and the minimum we accept."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

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

# Words of this service a password must not contain (ASVS 6.2.11: context-specific words).
SERVICE_WORDS = ("explorer", "involvement", "contactpoint", "safeguarding")
# zxcvbn's score: 3 is "safely unguessable" (about 10^8 guesses or more). It matches the
# 30,000 most common passwords it ships, and their variants (l33t, digits added, keyboard
# walks, reversals), which an exact list misses: 'P@ssw0rd1234' is 'password' + '1234'.
MIN_SCORE = 3
ZXCVBN_MAX_LENGTH = 72  # zxcvbn refuses longer input; the first 72 characters decide

# Verifying against this keeps an unknown username as slow as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password-only-for-timing")


class WeakPassword(ValueError):
    """The password breaks the rules; the message says which, never the password."""


@cache
def common_passwords() -> frozenset[str]:
    """The common passwords zxcvbn ships (30,000, most used first), each refused."""
    return frozenset(FREQUENCY_LISTS["passwords"])


def _name_parts(names: Iterable[str]) -> list[str]:
    # "Zoe O'Brien" -> zoe, o'brien, obrien: a part under 3 letters would refuse too much.
    parts = {p.casefold() for name in names for p in re.split(r"[\s.,_-]+", name or "")}
    parts |= {p.replace("'", "") for p in parts}
    return sorted(p for p in parts if len(p) >= 3)


def check_strength(password: str, *, username: str = "", names: Iterable[str] = ()) -> None:
    """WeakPassword unless ``password`` is long enough, not a common password or a variant of
    one, and free of the username, the holder's ``names`` and this service's name."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"a password needs at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"a password may have at most {MAX_LENGTH} characters")
    folded = password.casefold()
    if folded in OBVIOUS or len(set(folded)) < 4:
        raise WeakPassword("that password is too easy to guess")
    if username and username.casefold() in folded:
        raise WeakPassword("a password must not contain the username")
    parts = _name_parts(names)
    if any(part in folded for part in parts):
        raise WeakPassword("a password must not contain your name")
    if any(word in folded for word in SERVICE_WORDS):
        raise WeakPassword("a password must not contain the name of this service")
    context = [username, *parts, *SERVICE_WORDS] if username else [*parts, *SERVICE_WORDS]
    if (folded in common_passwords()
            or zxcvbn(password[:ZXCVBN_MAX_LENGTH], user_inputs=context)["score"] < MIN_SCORE):
        raise WeakPassword("that password is too easy to guess: it is, or is close to, a common one")


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
