"""Every route x every role, signed in through the real login on the demo seed.

The table below is the expected answer of each route to each role. A route the app
serves that the table does not name fails the test, so a new route cannot arrive
without someone deciding who may use it.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from explorer import audit
from explorer.paths import REPO_ROOT
from explorer.seed import read_seed
from explorer.seed.loader import load

ROLES = ("anonymous", "practitioner", "chair", "analyst", "management", "admin")
REASON = {"reason": "Preparing for the strategy discussion today"}

# (endpoint, method, path, form) -> expected status per role, in ROLES order.
# 302 for anonymous means "sent to the login page". P-SW1 (practitioner) is involved with
# C-ZOE; 'chair' chairs C-ZOE's conferences; nobody here is involved with C-MAYA.
MATRIX = [
    ("pages.index", "GET", "/", None, (302, 200, 200, 200, 200, 200)),
    ("pages.health", "GET", "/health", None, (200, 200, 200, 200, 200, 200)),
    ("static", "GET", "/static/css/app.css", None, (200, 200, 200, 200, 200, 200)),
    ("auth.account", "GET", "/account", None, (302, 200, 200, 200, 200, 200)),
    ("auth.logout", "POST", "/logout", {}, (302, 302, 302, 302, 302, 302)),
    ("auth.change_password", "GET", "/account/password", None, (302, 200, 200, 200, 200, 200)),
    ("children.child", "GET", "/children/C-ZOE", None, (302, 200, 200, 403, 200, 403)),
    ("children.child", "GET", "/children/C-MAYA", None, (302, 404, 404, 403, 200, 403)),
    ("children.child", "GET", "/children/C-NO-SUCH", None, (302, 404, 404, 403, 404, 403)),
    # The management team's view of an archived record: none is archived in the demo.
    ("children.archived", "POST", "/children/C-ZOE/archived", REASON,
     (302, 403, 403, 403, 404, 403)),
    ("children.sibling", "GET", "/children/C-ZOE/siblings/C-AVA", None,
     (302, 404, 200, 403, 200, 403)),
    ("children.sibling", "GET", "/children/C-MAYA/siblings/C-AVA", None,
     (302, 404, 404, 403, 404, 403)),
    ("children.override", "POST", "/children/C-MAYA/override", REASON,
     (302, 404, 404, 403, 403, 403)),
    ("children.search", "GET", "/search", None, (302, 200, 200, 403, 200, 403)),
    ("children.search", "POST", "/search", {"text": "zoe"}, (302, 200, 200, 403, 200, 403)),
    ("children.lookup", "GET", "/lookup", None, (302, 200, 200, 403, 403, 403)),
    ("children.lookup", "POST", "/lookup", {"child_id": "C-MAYA", **REASON},
     (302, 200, 200, 403, 403, 403)),
    ("networks.ecomap_page", "GET", "/children/C-ZOE/ecomap", None, (302, 200, 200, 403, 200, 403)),
    ("networks.ecomap_page", "GET", "/children/C-MAYA/ecomap", None, (302, 404, 404, 403, 200, 403)),
    ("networks.network_data", "GET", "/api/children/C-ZOE/network?depth=2", None,
     (401, 200, 200, 403, 200, 403)),
    ("networks.network_data", "GET", "/api/children/C-MAYA/network", None,
     (401, 404, 404, 403, 200, 403)),
    ("networks.path", "GET", "/api/children/C-ZOE/path?from=child:C-ZOE&to=adult:A-KEVIN", None,
     (401, 200, 200, 403, 200, 403)),
    ("networks.export", "POST", "/api/children/C-ZOE/exports", {"kind": "png"},
     (401, 200, 200, 403, 200, 403)),
    ("networks.export", "POST", "/api/children/C-MAYA/exports", {"kind": "print"},
     (401, 404, 404, 403, 200, 403)),
    ("networks.pack", "GET", "/children/C-ZOE/pack", None, (302, 200, 200, 403, 200, 403)),
    ("networks.pack", "GET", "/children/C-MAYA/pack?since=2026-01-01", None,
     (302, 404, 404, 403, 200, 403)),
    ("networks.export", "POST", "/api/children/C-ZOE/exports", {"kind": "pack_png"},
     (401, 200, 200, 403, 200, 403)),
    ("networks.household", "GET", "/households/H-OBRIEN", None, (302, 200, 200, 403, 200, 403)),
    ("networks.household", "GET", "/households/H-REFUGE", None, (302, 404, 404, 403, 200, 403)),
    ("networks.caseload_page", "GET", "/practitioners/P-SW1/caseload", None,
     (302, 200, 404, 403, 200, 403)),
    ("networks.caseload_page", "GET", "/practitioners/P-T1/caseload", None,
     (302, 404, 404, 403, 200, 403)),
    ("conferences.conferences_page", "GET", "/conferences", None, (302, 403, 200, 403, 200, 403)),
    ("conferences.conferences_page", "GET", "/conferences?sort=lead&order=desc", None,
     (302, 403, 200, 403, 200, 403)),
    ("conferences.conferences_page", "GET", "/conferences?sort=c.id", None,
     (302, 403, 400, 403, 400, 403)),
    ("audit_pages.events", "GET", "/audit", None, (302, 403, 403, 403, 200, 403)),
    ("audit_pages.export", "GET", "/audit/export.csv", None, (302, 403, 403, 403, 200, 403)),
    ("audit_pages.anomalies", "GET", "/audit/anomalies", None, (302, 403, 403, 403, 200, 403)),
    ("analyst.dashboard", "GET", "/analyst", None, (302, 403, 403, 200, 403, 403)),
    ("analyst.summary_export", "GET", "/analyst/summary.csv", None, (302, 403, 403, 200, 403, 403)),
    ("analyst.gap_list", "GET", "/analyst/gaps/no-gp", None, (302, 403, 403, 200, 403, 403)),
    ("analyst.gap_list", "GET", "/analyst/gaps/no-such-gap", None, (302, 403, 403, 404, 403, 403)),
    ("analyst.gap_export", "GET", "/analyst/gaps/no-gp/export.csv", None,
     (302, 403, 403, 200, 403, 403)),
    ("analyst.caseloads", "GET", "/analyst/caseloads", None, (302, 403, 403, 200, 403, 403)),
    ("analyst.caseloads_export", "GET", "/analyst/caseloads.csv", None,
     (302, 403, 403, 200, 403, 403)),
    ("analyst.analytics", "GET", "/analyst/analytics", None, (302, 403, 403, 200, 403, 403)),
    ("analyst.analytics_export", "GET", "/analyst/analytics.csv", None,
     (302, 403, 403, 200, 403, 403)),
    ("analyst.network", "GET", "/analyst/network", None, (302, 403, 403, 200, 403, 403)),
    ("admin.users_page", "GET", "/admin/users", None, (302, 403, 403, 403, 403, 200)),
    ("admin.users_add", "POST", "/admin/users", {}, (302, 403, 403, 403, 403, 400)),
    ("admin.user_disable", "POST", "/admin/users/nobody/disable", {}, (302, 403, 403, 403, 403, 404)),
    ("admin.user_enable", "POST", "/admin/users/nobody/enable", {}, (302, 403, 403, 403, 403, 404)),
    ("admin.user_reset_2fa", "POST", "/admin/users/nobody/reset-2fa", {},
     (302, 403, 403, 403, 403, 404)),
    ("admin.seed_page", "GET", "/admin/seed", None, (302, 403, 403, 403, 403, 200)),
    ("admin.seed_upload", "POST", "/admin/seed", {}, (302, 403, 403, 403, 403, 400)),
    ("admin.seed_load", "POST", "/admin/seed/no-such-upload-was-made/load",
     {"source": "feed", "mode": "incremental"},
     (302, 403, 403, 403, 403, 404)),
    ("admin.seed_job", "GET", "/admin/seed/jobs/0123456789abcdef", None,
     (302, 403, 403, 403, 403, 404)),
    ("admin.seed_job_state", "GET", "/admin/seed/jobs/0123456789abcdef.json", None,
     (302, 403, 403, 403, 403, 404)),
]
# Reached only while signing in; their own tests cover them step by step.
SIGN_IN_ENDPOINTS = {"auth.login", "auth.login_code"}


def test_every_route_is_in_the_matrix(app):
    served = {rule.endpoint for rule in app.url_map.iter_rules()}
    covered = {row[0] for row in MATRIX} | SIGN_IN_ENDPOINTS
    assert served - covered == set(), "routes with no expected answer per role"


@pytest.fixture
def clients(app, graph, make_user, login_as):
    load(graph, read_seed(REPO_ROOT / "seed" / "demo", today=date.today()), source="demo",
         progress=False)
    made = {"anonymous": app.test_client()}
    for role in ROLES[1:]:
        make_user(role, [role], practitioner_id="P-SW1" if role == "practitioner" else None)
        client = app.test_client()
        login_as(client, role)
        made[role] = client
    return made


REFUSALS = {403: "The roles on your account do not open this page.",
            404: "There is nothing at this address that you may see."}


def test_each_role_gets_the_expected_answer_from_every_route(clients, graph):
    wrong = []
    refused = []
    for endpoint, method, path, form, expected in MATRIX:
        if endpoint == "auth.logout":
            continue  # signs the client out: checked last
        for role, status in zip(ROLES, expected, strict=True):
            client = clients[role]
            reply = client.get(path) if method == "GET" else client.post(path, data=form)
            if reply.status_code != status:
                wrong.append(f"{role} {method} {path}: {reply.status_code}, expected {status}")
            if role == "anonymous" and status == 302:
                assert "/login" in reply.location
            if reply.status_code == 403 and role != "anonymous":
                refused.append((role, method, path.split("?")[0]))
            text = reply.get_data(as_text=True)
            assert "Traceback" not in text
            # Refusals in plain words, the same whatever was asked for: a 404 never says
            # whether the thing is absent or only out of this viewer's sight.
            if reply.status_code in REFUSALS and REFUSALS[reply.status_code] not in text:
                wrong.append(f"{role} {method} {path}: {reply.status_code} without its words")
    assert not wrong, "\n".join(wrong)
    # Every refusal is an authorization decision, and each one is in the audit trail.
    recorded = [(e["username"], *(json.loads(e["params"])[k] for k in ("method", "path")))
                for e in audit.search(graph, action="refused", limit=10_000)]
    assert sorted(recorded) == sorted(refused)
    for role in ROLES:
        assert clients[role].post("/logout").status_code == 302
        assert clients[role].get("/").status_code == 302
