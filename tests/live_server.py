"""The app under its production server (``explorer serve``, gunicorn) in a process of its own,
and a small browser for it over real HTTP (cookies, CSRF tokens, the two sign-in steps).

Used by tests/test_outages.py and bench/serve.py, which need what the test client cannot
give: worker processes, sockets, and time measured from outside the app.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyotp

from explorer.config import Neo4jSettings
from explorer.paths import REPO_ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(settings: Neo4jSettings, *, port: int, var_dir: str, workers: int = 2,
                 threads: int = 8, log_path: str | None = None,
                 source: Path | None = None) -> subprocess.Popen:
    """``explorer serve`` on 127.0.0.1:port over the Neo4j of ``settings``; returns once it
    listens (not necessarily once the database answers). ``source``: another checkout of the
    app to serve instead of this one (bench/serve.py's --baseline)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "EXPLORER_"))}
    env.update({"NEO4J_URI": settings.uri, "NEO4J_USERNAME": settings.username,
                "NEO4J_PASSWORD": settings.resolve_password(), "NEO4J_DATABASE": settings.database,
                "EXPLORER_VAR_DIR": var_dir, "EXPLORER_LOCAL_HTTP": "1",
                "EXPLORER_NEO4J_RETRY_SECONDS": str(settings.max_retry_time)})
    out = open(log_path or os.devnull, "ab")  # noqa: SIM115 - the server's, closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "explorer.cli", "serve", "--port", str(port),
         "--workers", str(workers), "--threads", str(threads)],
        env=env, cwd=source or REPO_ROOT, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    out.close()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"explorer serve exited with {proc.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return proc
        time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("explorer serve did not listen within 60 s")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    text: str
    seconds: float
    location: str = ""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One browser: its own cookies; follows no redirects (a test looks at each answer)."""

    def __init__(self, base: str, timeout: float = 30.0) -> None:
        if not base.startswith("http://127.0.0.1:"):
            raise ValueError(f"a Browser talks to a server on loopback only, not {base!r}")
        self.base = base
        self.timeout = timeout
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar),
                                                  _NoRedirects())

    def request(self, method: str, path: str, data: dict | None = None) -> Reply:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body, method=method,  # noqa: S310 - loopback http
                                     headers={"Referer": self.base + "/"})
        started = time.monotonic()
        try:
            with self.opener.open(req, timeout=self.timeout) as answer:
                status, message, raw = answer.status, answer.headers, answer.read()
        except urllib.error.HTTPError as answer:
            status, message, raw = answer.code, answer.headers, answer.read()
        # Header names are case-insensitive (granian sends them in lower case).
        return Reply(status, dict(message), raw.decode("utf-8", "replace"),
                     time.monotonic() - started, message.get("Location", ""))

    def get(self, path: str) -> Reply:
        return self.request("GET", path)

    def post(self, path: str, data: dict, *, form_at: str | None = None) -> Reply:
        """POST a form, with the CSRF token of the page at ``form_at`` (default: ``path``)."""
        page = self.get(form_at or path)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
        return self.request("POST", path, {**data, **({"csrf_token": token[1]} if token else {})})

    def sign_in(self, username: str, password: str, totp_secret: str) -> None:
        first = self.post("/login", {"username": username, "password": password})
        assert first.status == 302 and first.location.endswith("/login/code"), first.status
        second = self.post("/login/code", {"code": unused_code(totp_secret)})
        assert second.status == 302, (second.status, second.text[:300])


# The last 30 s step whose code each secret signed in with, in this test run.
_last_step: dict[str, int] = {}


def unused_code(secret: str) -> str:
    """A code the server will take for ``secret``: it allows one step of drift and never a
    step at or before the last one it accepted, so tests that sign the same account in twice
    within 30 s use the next step's code, and wait for a new step when none is left (as a
    user told "this code was already used" would). The same rule as conftest's ``totp_code``,
    on the real clock."""
    totp = pyotp.TOTP(secret)
    for _attempt in range(2):
        now = time.time()
        step, into = totp.timecode(datetime.fromtimestamp(now, UTC)), now % totp.interval
        last = _last_step.get(secret)
        for candidate in ([step - 1] if into < 20 else []) + [step, step + 1]:
            if last is None or candidate > last:
                _last_step[secret] = candidate
                return totp.generate_otp(candidate)
        time.sleep(totp.interval - into + 0.5)
    raise AssertionError("no unused code for this secret")
