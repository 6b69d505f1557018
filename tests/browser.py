"""What the browser tests share: Debian's Chromium and its flags, the app served on 127.0.0.1
from a thread, and signing in through the real two steps."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from werkzeug.serving import make_server

from tests.conftest import totp_code_for

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]


@contextmanager
def serving(app) -> Iterator[str]:
    """The app served on a free loopback port for as long as the block runs; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)


def sign_in(page, base: str, app, username: str, password: str, secret: str, *,
            at_each_step: Callable[[str], None] = lambda step: None) -> None:
    """Password, then the TOTP code, as a person types them; ``at_each_step`` is called on
    each of the two pages (with its path) before it is filled in."""
    page.goto(f"{base}/login")
    at_each_step("/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("main button[type=submit]")
    at_each_step("/login/code")
    page.fill("#code", totp_code_for(app, secret, set()))
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")
