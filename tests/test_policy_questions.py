"""Routes and templates ask the policy named questions and never name a role; every page that
opens child data (identified or de-identified) records what it showed in the audit trail."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from explorer import audit, audited, policy
from explorer.accounts import require_roles

PACKAGE = Path(__file__).resolve().parent.parent / "explorer"
ROLE_IN_TEMPLATE = re.compile("[\"'](" + "|".join(policy.ROLES) + r")[\"']|has_any\(|in viewer\.roles")


def roles_named_in_python(source: str) -> list[str]:
    """Role names written as strings in a module's code (a Blueprint's own name aside)."""
    tree = ast.parse(source)
    blueprint_names = {id(call.args[0]) for call in ast.walk(tree) if isinstance(call, ast.Call)
                       and getattr(call.func, "id", None) == "Blueprint" and call.args}
    return [f"line {node.lineno}: {node.value!r}" for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and node.value in policy.ROLES
            and id(node) not in blueprint_names]


def roles_named_in_template(source: str) -> list[str]:
    return [f"line {n}: {line.strip()}" for n, line in enumerate(source.splitlines(), 1)
            if ROLE_IN_TEMPLATE.search(line)]


def test_no_route_or_template_names_a_role():
    found = {}
    for path in sorted((PACKAGE / "web").glob("*.py")):
        found[path.name] = roles_named_in_python(path.read_text(encoding="utf-8"))
    for path in sorted((PACKAGE / "templates").rglob("*.html")):
        found[path.relative_to(PACKAGE).as_posix()] = roles_named_in_template(
            path.read_text(encoding="utf-8"))
    found = {path: hits for path, hits in found.items() if hits}
    assert not found, f"ask explorer.policy a named question instead: {found}"


def test_a_role_named_in_a_route_or_template_is_caught():
    assert roles_named_in_python('IDENTIFIED = ("practitioner", "chair", "management")')
    assert roles_named_in_python('everyone = "management" in viewer.roles')
    assert not roles_named_in_python('bp = Blueprint("admin", __name__)')
    assert roles_named_in_template("{% if viewer.has_any('chair') %}")
    assert roles_named_in_template('{% if "analyst" in viewer.roles %}')
    assert not roles_named_in_template("{% if may.look_up %}<a href=\"{{ url_for('admin.users_page') }}\">")


def test_a_page_is_guarded_by_a_question_of_the_policy_never_a_role():
    with pytest.raises(ValueError, match="questions"):
        require_roles("management")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="questions"):
        require_roles(lambda viewer: True)


def test_every_page_of_child_data_is_marked_for_the_audit_check(app):
    child_data = {"children", "networks", "analyst", "conferences"}
    unmarked = [endpoint for endpoint, view in app.view_functions.items()
                if endpoint.split(".")[0] in child_data and not getattr(view, "opens_child_data", False)]
    assert not unmarked
    assert not getattr(app.view_functions["admin.users_page"], "opens_child_data", False)


@pytest.fixture
def probe(app, make_user, login_as):
    """A signed-in practitioner and three pages added to the app: child data that records,
    child data that forgets to, and a page that shows no child data."""

    @require_roles(policy.may_open_children)
    def recorded():
        audited.record("child.view", {"child_id": "C-1"}, ["C-1"])
        return "recorded"

    @require_roles(policy.may_open_children)
    def forgotten():
        return "not recorded"

    @require_roles(policy.may_view_own_caseload)
    def no_child_data():
        return "nothing about a child"

    for view in (recorded, forgotten, no_child_data):
        app.add_url_rule(f"/probe/{view.__name__}", endpoint=f"probe_{view.__name__}",
                         view_func=view)
    make_user("pat", ["practitioner"], family_name="Doe")
    client = app.test_client()
    login_as(client, "pat")
    return client


def test_a_child_data_page_that_records_nothing_fails_the_request(probe, graph):
    before = audit.count(graph)
    answer = probe.get("/probe/forgotten")
    assert answer.status_code == 500
    assert "without recording an audit event" in answer.get_data(as_text=True)
    assert audit.count(graph) == before


def test_a_child_data_page_that_records_its_answer_is_served(probe, graph):
    before = audit.count(graph)
    answer = probe.get("/probe/recorded")
    assert answer.status_code == 200 and answer.get_data(as_text=True) == "recorded"
    assert audit.count(graph) == before + 1
    assert audit.search(graph, limit=1)[0]["action"] == "child.view"


def test_a_page_without_child_data_needs_no_event(probe):
    assert probe.get("/probe/no_child_data").status_code == 200


# What each role's menu offers: the links its questions open (as before the questions were
# named, when base.html tested roles itself), each link one the role may follow.
MENUS = {
    "practitioner": ["Search", "Look up", "My caseload"],
    "chair": ["Search", "Look up", "Conferences"],
    "analyst": ["Service gaps"],
    "management": ["Search", "Conferences", "Audit"],
    "admin": ["Admin"],
}


@pytest.mark.parametrize("role", sorted(MENUS))
def test_each_role_is_offered_the_pages_the_policy_opens_to_it(app, demo, make_user, login_as,
                                                               role):
    # P-SW1 is a practitioner of the demo seed (its caseload page exists).
    make_user(f"menu-{role}", [role], practitioner_id="P-SW1" if role == "practitioner" else None,
              family_name="Doe")
    client = app.test_client()
    login_as(client, f"menu-{role}")
    page = client.get("/account").get_data(as_text=True)
    nav = page[page.index('<nav class="account">'):page.index("</nav>")]
    links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', nav)
    assert [text for _href, text in links] == MENUS[role]
    for href, text in links:
        assert client.get(href).status_code == 200, f"{role}: {text} ({href})"
