"""The management audit pages and the admin pages, as their users would check them."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date

from explorer import audit
from explorer.accounts import Viewer


def _viewer(username: str) -> Viewer:
    return Viewer(username=username, roles=frozenset({"practitioner"}), practitioner_id="P-1",
                  user_id=username)


def test_filters_and_csv_export_and_the_export_is_itself_audited(graph, client, make_user, login_as):
    make_user("mo", ["management"])
    audit.record(graph, viewer=_viewer("pat"), action="child.view", params={"child_id": "C-1"},
                 returned_ids=["C-1"], reason="visit", client="10.0.0.5")
    audit.record(graph, viewer=_viewer("quin"), action="search", params={"family_name": "=HYPERLINK()"},
                 returned_ids=["C-2"], reason="\n=HYPERLINK(\"x\")", client="10.0.0.6",
                 flagged=True)
    login_as(client, "mo")
    page = client.get("/audit?user=pat").get_data(as_text=True)
    assert "child.view" in page and "quin" not in page
    assert '<span class="nowrap">C-1</span>' in page  # an id never breaks at its hyphen
    page = client.get("/audit?flagged=yes").get_data(as_text=True)
    assert "quin" in page and "pat" not in page.split("<tbody>")[1]
    export = client.get("/audit/export.csv?action=search")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True))))
    assert [r["username"] for r in rows] == ["quin"]
    assert rows[0]["params"].startswith("{")  # JSON, and a formula-looking cell would be quoted
    assert rows[0]["reason"] == "'\n=HYPERLINK(\"x\")"  # a reason typed as a formula is text
    exports = audit.search(graph, action="audit.export")
    assert len(exports) == 1 and exports[0]["username"] == "mo"
    assert exports[0]["returned_ids"] == [rows[0]["id"]]


def test_an_admins_first_page_leads_to_accounts_and_seed_graphs(client, make_user, login_as):
    make_user("ada", ["admin"])
    login_as(client, "ada")
    page = client.get("/").get_data(as_text=True)
    assert "no role that shows children" in page
    assert 'href="/admin/users"' in page and 'href="/admin/seed"' in page


def test_anomalies_report_own_family_name_searches_and_many_children(app, graph, client, make_user,
                                                                     login_as):
    make_user("mo", ["management"])
    make_user("pat", ["practitioner"], practitioner_id="P-1", family_name="Okonjo")
    app.config["ANOMALY_CHILDREN_PER_DAY"] = 3
    graph.run_autocommit(
        "CREATE (p:Practitioner {id: 'P-1'}) WITH p UNWIND range(1, 6) AS n "
        "CREATE (c:Child {id: 'C-' + n}) "
        "FOREACH (_ IN CASE WHEN n <= 2 THEN [1] ELSE [] END | CREATE (p)-[:INVOLVED_WITH]->(c))")
    pat = _viewer("pat")
    # Four children outside involvement (C-3..C-6) and two inside: over a threshold of 3.
    for n in range(1, 7):
        audit.record(graph, viewer=pat, action="child.view", params={"child_id": f"C-{n}"},
                     returned_ids=[f"C-{n}"], reason=None, client="x")
    audit.record(graph, viewer=pat, action="search", params={"family_name": "okonjo", "dob": "2015-01-01"},
                 returned_ids=[], reason=None, client="x")
    audit.record(graph, viewer=pat, action="search", params={"family_name": "Smith"},
                 returned_ids=[], reason=None, client="x")
    login_as(client, "mo")
    today = date.today().isoformat()
    page = client.get(f"/audit/anomalies?date_from={today}&date_to={today}").get_data(as_text=True)
    many, own = page.split("Searches for the searcher")
    assert "pat" in many and ">4<" in many and "C-3" in many and "C-1," not in many
    assert "okonjo" in own and "Smith" not in own


def test_admin_adds_a_user_who_can_then_sign_in(graph, client, make_user, login_as, made_users, app):
    make_user("ada", ["admin"])
    login_as(client, "ada")
    reply = client.post("/admin/users", data={"username": "newbie", "roles": ["chair", "analyst"],
                                              "family_name": "Newell",
                                              "password": "a fine long passphrase", "display_name": "N"})
    assert reply.status_code == 200
    text = reply.get_data(as_text=True)
    secret = graph.read("user_by_username", username="newbie")[0]["user"]["totp_secret"]
    assert secret in text and "otpauth://" in text and "data:image/svg+xml" in text
    made_users["newbie"] = ("a fine long passphrase", secret)
    login_as(app.test_client(), "newbie")
    added = audit.search(graph, action="admin.user.add")
    assert added[0]["username"] == "ada" and "passphrase" not in added[0]["params"]


def _zip(files: dict[str, str]) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    buffer.seek(0)
    return buffer


def wait_for_job(client, job_page: str, seconds: float = 120) -> dict:
    """Poll the job's state, as its page's script does, until it ends; return the state."""
    import time

    deadline = time.monotonic() + seconds
    while True:
        state = client.get(job_page + ".json").get_json()
        if not state["active"]:
            return state
        assert time.monotonic() < deadline, state
        time.sleep(0.2)


def test_seed_upload_reports_each_problem_with_file_line_and_column(client, make_user, login_as, graph):
    make_user("ada", ["admin"])
    login_as(client, "ada")
    bad = _zip({"seed/children.csv": "id,given_name,family_name,date_of_birth,gender\n"
                                     "C1,Ann,Lee,2019-13-01,female\n"})
    reply = client.post("/admin/seed", data={"archive": (bad, "feed.zip")},
                        content_type="multipart/form-data")
    assert reply.status_code == 400
    text = reply.get_data(as_text=True)
    assert "children.csv:2:date_of_birth:" in text
    assert graph.run_autocommit("MATCH (c:Child) RETURN count(c) AS n")[0]["n"] == 0


def test_seed_upload_refuses_paths_outside_the_seed(client, make_user, login_as):
    make_user("ada", ["admin"])
    login_as(client, "ada")
    evil = _zip({"../../escape.csv": "x\n"})
    reply = client.post("/admin/seed", data={"archive": (evil, "evil.zip")},
                        content_type="multipart/form-data")
    assert reply.status_code == 400 and "outside the seed" in reply.get_data(as_text=True)


def test_a_valid_seed_is_validated_then_loaded_and_both_are_audited(client, make_user, login_as, graph):
    from explorer.paths import REPO_ROOT

    make_user("ada", ["admin"])
    login_as(client, "ada")
    demo = REPO_ROOT / "seed" / "demo"
    archive = _zip({f"demo/{p.name}": p.read_text() for p in demo.glob("*.csv")})
    reply = client.post("/admin/seed", data={"archive": (archive, "demo.zip")},
                        content_type="multipart/form-data")
    text = reply.get_data(as_text=True)
    assert reply.status_code == 200, text[:2000]
    upload_id = text.split("/admin/seed/")[1].split("/load")[0]
    loaded = client.post(f"/admin/seed/{upload_id}/load", data={"source": "demo", "mode": "incremental"})
    assert loaded.status_code == 303  # to the job's page
    assert wait_for_job(client, loaded.location)["status"] == "done"
    assert graph.run_autocommit("MATCH (c:Child) RETURN count(c) AS n")[0]["n"] > 0
    assert [e["action"] for e in audit.search(graph, action="admin.seed.")] == [
        "admin.seed.load", "admin.seed.upload"]
    load_event = audit.search(graph, action="admin.seed.load")[0]
    assert '"chairs": ["chair", "chair2"]' in load_event["params"] and not load_event["flagged"]


def test_an_admin_who_names_themselves_a_conference_chair_is_flagged(client, make_user, login_as,
                                                                     graph):
    from explorer.paths import REPO_ROOT

    make_user("ada", ["admin", "chair"], family_name="Ames")
    login_as(client, "ada")
    files = {f"demo/{p.name}": p.read_text() for p in (REPO_ROOT / "seed" / "demo").glob("*.csv")}
    header, rows = files["demo/conferences.csv"].split("\n", 1)
    files["demo/conferences.csv"] = header + "\n" + rows.replace(",chair\n", ",ada\n")
    assert ",ada\n" in files["demo/conferences.csv"]
    text = client.post("/admin/seed", data={"archive": (_zip(files), "demo.zip")},
                       content_type="multipart/form-data").get_data(as_text=True)
    upload_id = text.split("/admin/seed/")[1].split("/load")[0]
    started = client.post(f"/admin/seed/{upload_id}/load", data={"source": "demo", "mode": "incremental"})
    wait_for_job(client, started.location)
    load_event = audit.search(graph, action="admin.seed.load")[0]
    assert '"ada"' in load_event["params"] and load_event["flagged"]


def test_an_account_that_sees_children_is_flagged_for_review_when_made(graph, client, make_user,
                                                                       login_as):
    make_user("ada", ["admin"])
    login_as(client, "ada")
    for username, roles in (("moe2", ["management"]), ("adm2", ["admin"])):
        reply = client.post("/admin/users", data={"username": username, "roles": roles,
                                                  "family_name": "Moss",
                                                  "password": "a temporary passphrase 7070"})
        assert reply.status_code == 200, reply.get_data(as_text=True)[:300]
    made = {e["params"]: e["flagged"] for e in audit.search(graph, action="admin.user.add")}
    flagged = {next(u for u in ("moe2", "adm2") if u in p): f for p, f in made.items()}
    # An admin giving an account (perhaps their own second one) the management team's view
    # is put in front of the management team; another admin account is not.
    assert flagged == {"moe2": True, "adm2": False}


def test_an_account_is_linked_only_to_a_practitioner_who_exists_and_has_none(graph, client,
                                                                             make_user, login_as):
    make_user("ada", ["admin"])
    graph.run_autocommit("CREATE (:Practitioner {id: 'P-NEW'}), (:Practitioner {id: 'P-TAKEN'})")
    make_user("tess", ["practitioner"], practitioner_id="P-TAKEN")
    login_as(client, "ada")

    def add(username: str, practitioner_id: str):
        return client.post("/admin/users", data={
            "username": username, "roles": ["practitioner"], "practitioner_id": practitioner_id,
            "family_name": "Pike", "password": "a temporary passphrase 7070"})

    missing = add("pat1", "P-NOBODY")
    assert missing.status_code == 400 and "no practitioner" in missing.get_data(as_text=True)
    taken = add("pat2", "P-TAKEN")
    assert taken.status_code == 400 and "already has an account (tess)" in taken.get_data(as_text=True)
    assert add("pat3", "P-NEW").status_code == 200
    assert [u["user"]["username"] for u in graph.read("users_list")
            if u["user"]["username"].startswith("pat")] == ["pat3"]


def test_an_upload_never_loaded_is_deleted_after_a_day_and_a_load_names_its_file(
        client, make_user, login_as, graph, config):
    import hashlib
    import os
    import time

    from explorer.paths import REPO_ROOT

    make_user("ada", ["admin"])
    login_as(client, "ada")
    demo = REPO_ROOT / "seed" / "demo"
    archive = _zip({f"demo/{p.name}": p.read_text() for p in demo.glob("*.csv")})
    sha = hashlib.sha256(archive.getvalue()).hexdigest()
    first = client.post("/admin/seed", data={"archive": (archive, "demo.zip")},
                        content_type="multipart/form-data").get_data(as_text=True)
    upload_id = first.split("/admin/seed/")[1].split("/load")[0]
    folder = config.var_dir / "uploads" / upload_id
    assert (folder / "upload.zip").exists()
    # Left for a day and an hour: the next visit to the seed page deletes it, and it cannot load.
    old = time.time() - 25 * 3600
    os.utime(folder, (old, old))
    assert client.get("/admin/seed").status_code == 200
    assert not folder.exists()
    gone = client.post(f"/admin/seed/{upload_id}/load", data={"source": "demo", "mode": "incremental"})
    assert gone.status_code == 404
    assert graph.run_autocommit("MATCH (c:Child) RETURN count(c) AS n")[0]["n"] == 0
    upload = audit.search(graph, action="admin.seed.upload")[0]
    assert sha in upload["params"]  # which file it was


def test_an_account_that_sees_children_needs_its_holders_family_name(graph, client, make_user,
                                                                     login_as):
    make_user("ada", ["admin"])
    login_as(client, "ada")
    reply = client.post("/admin/users", data={"username": "nameless", "roles": ["chair"],
                                              "password": "a temporary passphrase 7070"})
    assert reply.status_code == 400 and "family name" in reply.get_data(as_text=True)
    assert graph.read("user_by_username", username="nameless") == []
    # Searching even part of it is then reported.
    assert audit.searched_own_family_name("Nameless-Pike", ["pik"])


# -- the events page: counts with ids on demand, real totals, pages, the chain's state ----------

def _events(graph, n: int, *, ids_each: int = 1, action: str = "child.view") -> None:
    for i in range(n):
        audit.record(graph, viewer=_viewer("pat"), action=action, params={"i": i},
                     returned_ids=[f"C-{i}-{k}" for k in range(ids_each)], reason=None,
                     client="10.0.0.5")


def test_returned_ids_are_counted_and_listed_behind_a_disclosure(graph, client, make_user, login_as):
    make_user("mo", ["management"])
    _events(graph, 1, ids_each=500)
    login_as(client, "mo")
    page = client.get("/audit?action=child.view").get_data(as_text=True)
    row = page.split("<tbody>")[1]
    assert '<details class="returned"><summary>500 ids</summary>' in row
    # Every id is there, but inside the closed disclosure: the row is one line until opened.
    inside = row.split("<details")[1].split("</details>")[0]
    assert inside.count('<span class="nowrap">C-0-') == 500
    assert row.count("C-0-") == 500


def test_pages_carry_the_real_total_and_keep_the_filters(graph, client, make_user, login_as):
    make_user("mo", ["management"])
    _events(graph, 120)
    _events(graph, 3, action="search")
    login_as(client, "mo")
    first = client.get("/audit?action=child.view").get_data(as_text=True)
    assert "Events 1 to 50 of 120, newest first" in first and "Page 1 of 3" in first
    assert 'href="/audit?action=child.view&amp;page=2" rel="next"' in first
    assert first.split("<tbody>")[1].count("<tr>") == 50
    last = client.get("/audit?action=child.view&page=3").get_data(as_text=True)
    assert "Events 101 to 120 of 120" in last and "Page 3 of 3" in last
    seqs = [int(cell.split("<")[0]) for cell in last.split("<tbody>")[1].split("<tr><td>")[1:]]
    assert seqs == list(range(20, 0, -1))  # the 20 oldest, newest first
    # A page past the end shows the last one; the page viewed is in the audit trail.
    assert "Page 3 of 3" in client.get("/audit?action=child.view&page=99").get_data(as_text=True)
    views = audit.search(graph, action="audit.view")
    assert '"page": 3' in views[0]["params"] and len(views[0]["returned_ids"]) == 20


def test_filters_by_date_and_a_bad_date_says_so(app, graph, client, make_user, login_as, clock):
    from datetime import UTC, datetime

    make_user("mo", ["management"])
    with app.app_context():
        clock.at = datetime(2025, 3, 1, 12, tzinfo=UTC)
        _events(graph, 2)
        clock.at = datetime(2025, 3, 5, 12, tzinfo=UTC)
        _events(graph, 1, action="search")
        clock.at = datetime.now(UTC)
    login_as(client, "mo")
    page = client.get("/audit?date_from=2025-03-01&date_to=2025-03-02").get_data(as_text=True)
    assert "of 2, newest first" in page
    assert "search" not in page.split("<tbody>")[1].split("</tbody>")[0]
    page = client.get("/audit?date_from=2025-03-05&date_to=2025-03-05").get_data(as_text=True)
    assert "Events 1 to 1 of 1" in page
    page = client.get("/audit?date_from=March").get_data(as_text=True)
    assert "Filters not applied: From: Not a valid date value." in page


def _tamper(graph, seq: int) -> None:
    graph.run_autocommit("MATCH (e:AuditEvent {seq: $seq}) SET e.action = 'nothing.to.see'", seq=seq)


BANNER = "The audit trail has been tampered with"


def test_a_new_edit_to_the_chain_shows_a_banner_that_stays(graph, client, make_user, login_as):
    make_user("mo", ["management"])
    _events(graph, 5)
    login_as(client, "mo")
    assert BANNER not in client.get("/audit").get_data(as_text=True)
    _events(graph, 3)
    _tamper(graph, 7)
    page = client.get("/audit").get_data(as_text=True)
    assert BANNER in page and "event seq 7 (id " in page and "its hash does not match" in page
    # Put back, the banner stays: a break is reported until someone looks into it.
    graph.run_autocommit("MATCH (e:AuditEvent {seq: 7}) SET e.action = 'child.view'")
    assert BANNER in client.get("/audit").get_data(as_text=True)


def test_an_event_deleted_from_the_middle_shows_the_banner(graph, client, make_user, login_as):
    make_user("mo", ["management"])
    _events(graph, 6)
    graph.run_autocommit("MATCH (e:AuditEvent {seq: 3}) DELETE e")
    login_as(client, "mo")
    page = client.get("/audit").get_data(as_text=True)
    assert BANNER in page and "event seq 3 is missing" in page


def test_an_edit_to_an_old_event_is_found_within_a_few_visits(app, graph, client, make_user,
                                                              login_as):
    """Each visit walks only a window of events (10 here): new ones, then a cycling window of
    older ones, so an edit behind the checkpoint is found too, without a whole walk per visit."""
    app.config["AUDIT_VERIFY_WINDOW"] = 10
    make_user("mo", ["management"])
    _events(graph, 45)
    login_as(client, "mo")
    first = client.get("/audit").get_data(as_text=True)
    assert BANNER not in first and "not checked yet" in first  # 45+ events, 10 a visit
    for _ in range(5):
        client.get("/audit")
    assert "not checked yet" not in client.get("/audit").get_data(as_text=True)
    _tamper(graph, 4)  # long verified
    pages = [client.get("/audit").get_data(as_text=True) for _ in range(7)]
    assert BANNER in pages[-1] and "event seq 4 (id " in pages[-1]
