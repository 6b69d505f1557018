"""Every named query parses on the real database, and none looks a key up by scanning."""

from __future__ import annotations

import ast
import importlib
import itertools
import re
from pathlib import Path

import pytest

from explorer import policy, queries
from explorer.errors import PolicedQuery, QueryFailed
from explorer.graph import Graph, run_named

# Operators that read every node of a label (or every node, or relationship) instead
# of using an index: fine for a report over the whole graph, a bug in a lookup by key.
SCANS = ("AllNodesScan", "NodeByLabelScan", "RelationshipTypeScan", "AllRelationshipsScan")

ALL_QUERIES = sorted(queries.load_all())


def _variants() -> list[tuple[str, dict[str, str]]]:
    """Every query with every allow-listed filling of its placeholders."""
    cases = []
    for name in ALL_QUERIES:
        allowed = queries.load_all()[name].variants
        keys = sorted(allowed)
        for values in itertools.product(*(allowed[k] for k in keys)):
            cases.append((name, dict(zip(keys, values, strict=True))))
    return cases


def _operators(plan: dict) -> list[str]:
    found = [plan["operatorType"].split("@")[0]]
    for child in plan.get("children", []):
        found.extend(_operators(child))
    return found


def _plan(graph: Graph, text: str) -> dict:
    def work(tx):
        summary = tx.run("EXPLAIN " + text).consume()
        return summary.plan

    return graph.read_tx(work)


def test_there_are_queries_and_each_has_a_header():
    assert ALL_QUERIES, "cypher/ holds no queries"
    for name in ALL_QUERIES:
        header = queries.load_all()[name].header
        assert header, f"{name}.cypher has no header saying what it returns"


@pytest.mark.parametrize(("name", "vary"), _variants(),
                         ids=lambda v: "-".join(v.values()) if isinstance(v, dict) else v)
def test_query_parses_and_plans_no_undeclared_scan(session_graph: Graph, name: str, vary: dict):
    query = queries.get(name, vary)
    plan = _plan(session_graph, query.text)
    scans = [op for op in _operators(plan) if any(s in op for s in SCANS)]
    if not query.scan_allowed:
        assert not scans, f"{name} plans {scans}; add an index or declare '// scan: why'"


def test_a_scan_in_a_key_lookup_is_caught(session_graph: Graph):
    # The check above must be able to fail: a lookup on an unindexed property scans.
    plan = _plan(session_graph, "MATCH (c:Child {unindexed_property: $x}) RETURN c")
    assert any("NodeByLabelScan" in op for op in _operators(plan))


def test_a_variant_outside_the_allow_list_is_refused():
    with pytest.raises(queries.UnknownQuery, match="allow-list"):
        queries.get("seed_upsert_node", {"LABEL": "Child) DETACH DELETE (x"})
    with pytest.raises(queries.UnknownQuery, match="unfilled"):
        queries.get("seed_upsert_node")


def test_unknown_query_name_fails_loudly():
    with pytest.raises(queries.UnknownQuery, match="no_such_query"):
        queries.get("no_such_query")


def test_a_query_the_server_refuses_becomes_query_failed(session_graph: Graph):
    with pytest.raises(QueryFailed):
        session_graph.run_autocommit("MATCH (n RETURN n")


# The retention rule (explorer.policy, "retention") is applied in Cypher by every query that
# finds children. A query here reads a child without it only for a reason named below; a new
# query that finds children and forgets the rule fails this test.
RETENTION_LINE = policy.retention.CYPHER
NO_RETENTION_RULE = {
    "child_by_id": "a test's read-back of a stored record (tests/test_localdb.py)",
    # A part of one looked-up child's view, read by id only after child_lookup_* applied it.
    "child_contacts": "a part of one looked-up child's view, read after child_lookup_*",
    "analytics_baseline": "a count for the benchmark's baseline, no child returned",
    "audit_children_outside_involvement": "the management team's audit of past views",
}


def test_every_query_that_finds_children_applies_the_retention_rule():
    missing = []
    for name in ALL_QUERIES:
        if name.startswith(("seed_", "retention_")) or name in NO_RETENTION_RULE:
            continue  # loading and retention itself must see every record
        text = queries.load_all()[name].text
        if ":Child" not in text:
            continue
        if "$retained" not in text or not any(RETENTION_LINE.format(v=v) in text
                                              for v in "cspm"):
            missing.append(name)
    assert not missing, f"these queries find children without the retention rule: {missing}"



# -- each query that reads child data names the policy rule it applies (explorer.policy) ----

# A query reading children without applying a rule of the policy, and why; none is run by the
# package (test_queries_applying_no_rule_are_not_run_by_the_package).
APPLIES_NO_RULE = {
    "analytics_baseline": "the benchmark's baseline: a count of every child, no child returned",
    "child_by_id": "a test's read-back of a stored record (tests/test_localdb.py)",
}
PACKAGE = Path(__file__).resolve().parent.parent / "explorer"


def reads_children(name: str) -> bool:
    # Loading writes children and reads them only to compare with what it writes.
    return not name.startswith("seed_") and ":Child" in queries.load_all()[name].text


def rule_problems(name: str, header: tuple[str, ...]) -> list[str]:
    """What is wrong with a query's ``// policy:`` header line: missing, or naming a rule
    that is no function of explorer.policy's modules."""
    lines = [line for line in header if line.startswith("policy:")]
    if not lines:
        return [f"{name} reads children and names no policy rule (// policy: module.rule)"]
    rules = lines[0].removeprefix("policy:").strip()
    if rules.startswith("none"):
        return [] if name in APPLIES_NO_RULE else [f"{name} applies no rule and is not exempt"]
    problems = []
    for rule in (r.strip() for r in rules.split(",")):
        module, _, function = rule.partition(".")
        try:
            found = getattr(importlib.import_module(f"explorer.policy.{module}"), function, None)
        except ModuleNotFoundError:
            found = None
        if not callable(found):
            problems.append(f"{name} names {rule!r}, which is no rule of explorer.policy")
    return problems


def test_every_query_that_reads_children_names_the_policy_rules_it_applies():
    problems = [p for name in ALL_QUERIES if reads_children(name)
                for p in rule_problems(name, queries.load_all()[name].header)]
    assert not problems, "\n".join(problems)


def test_a_missing_or_unknown_policy_rule_is_caught():
    assert rule_problems("q", ("Returns: x.",))
    assert rule_problems("q", ("policy: identified.no_such_rule",))
    assert rule_problems("q", ("policy: nowhere.scope_params",))
    assert rule_problems("q", ("policy: none (no reason this test accepts)",))
    assert not rule_problems("q", ("policy: identified.scope_params, retention.is_retained",))


def test_queries_applying_no_rule_are_not_run_by_the_package():
    named = {name for name in APPLIES_NO_RULE if _named_in_package(name)}
    assert not named, f"the package runs queries that apply no policy rule: {named}"


# -- the sensitive-service rule: one text per reader, stated in explorer.policy.sensitive ----

def _sensitive_pattern(rule: str) -> re.Pattern:
    """The policy's Cypher text for ``rule`` with its variables ({s}, {i}) as any names."""
    text = re.escape(policy.sensitive.CYPHER[rule])
    text = text.replace(re.escape("{s}"), r"(?P<s>\w+)", 1).replace(re.escape("{s}"), r"(?P=s)")
    text = text.replace(re.escape("{i}"), r"(?P<i>\w+)", 1).replace(re.escape("{i}"), r"(?P=i)")
    return re.compile(text)


def sensitive_problems(name: str, query: queries.Query) -> list[str]:
    """Lines of a query that mention ``sensitive`` but are not one of the policy's texts named
    in its header; and texts its header names that it does not contain."""
    named = [r.removeprefix("sensitive.") for r in query.policy_rules if r.startswith("sensitive.")]
    body = [line for line in query.text.splitlines() if not line.startswith("//")]
    problems = [f"{name}: {line.strip()!r} is not the policy's text for {named or 'any rule'}"
                for line in body if "sensitive" in line
                and not any(_sensitive_pattern(rule).search(line) for rule in named)]
    problems += [f"{name}: names sensitive.{rule} but has no line applying it" for rule in named
                 if not any(_sensitive_pattern(rule).search(line) for line in body)]
    return problems


def test_every_sensitive_service_filter_is_the_policys_text():
    problems = [p for name in ALL_QUERIES if not name.startswith("seed_")
                for p in sensitive_problems(name, queries.load_all()[name])]
    assert not problems, "\n".join(problems)


def test_a_filter_that_differs_from_the_policys_text_is_caught():
    def query(header: str, body: str) -> queries.Query:
        return queries.Query(name="q", text=f"// {header}\n{body}", header=(header,))

    analysts = "policy: sensitive.in_analysts_data"
    assert not sensitive_problems("q", query(analysts, "MATCH (sv:Service) WHERE sv.sensitive = false"))
    # Counting a service with no flag as not sensitive is the look-up's text, not analysts'.
    assert sensitive_problems("q", query(analysts, "WHERE NOT coalesce(s.sensitive, false)"))
    assert sensitive_problems("q", query("policy: identified.child_view",
                                         "WHERE NOT s.sensitive OR i.consent_to_share"))
    assert sensitive_problems("q", query(analysts, "MATCH (s:Service) RETURN s"))
    identified = "policy: sensitive.involvement_visible"
    assert not sensitive_problems("q", query(identified, "WHERE s IS NOT NULL AND "
        + policy.sensitive.CYPHER["involvement_visible"].replace("{s}", "svc").replace("{i}", "inv")))


# -- identified reads by construction: only explorer.children runs them ----------------------

IDENTIFIED = sorted(name for name in ALL_QUERIES if queries.load_all()[name].identified)
DATA_LAYER = {"children.py"}  # the module that applies the policy to what it reads
GRAPH_MODULE = {"graph.py"}  # defines run_policed


def _sources() -> dict[str, str]:
    return {path.relative_to(PACKAGE).as_posix(): path.read_text(encoding="utf-8")
            for path in PACKAGE.rglob("*.py")}


def _named_in_package(name: str) -> list[str]:
    return [path for path, text in _sources().items()
            if re.search(rf"""["']{re.escape(name)}["']""", text)]


def modules_naming_identified_reads(sources: dict[str, str]) -> dict[str, list[str]]:
    """Module -> the identified queries (as strings) and run_policed (as a name in its code)
    it names, outside the data layer."""
    found: dict[str, list[str]] = {}
    for path, text in sources.items():
        tree = ast.parse(text)
        strings = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)}
        names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        names |= {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
        names |= {a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names}
        named = [q for q in IDENTIFIED if q in strings and path not in DATA_LAYER]
        for runner in ("run_policed", "read_policed"):
            if runner in names and path not in DATA_LAYER | GRAPH_MODULE:
                named.append(runner)
        if named:
            found[path] = named
    return found


def test_the_identified_reads_are_named_only_by_the_data_layer():
    assert {"child_in_scope", "children_search", "household_children",
            "practitioner_caseload", "conferences_chaired"} <= set(IDENTIFIED)
    found = modules_naming_identified_reads(_sources())
    assert not found, f"only explorer/children.py may run identified reads: {found}"


def test_a_new_module_naming_an_identified_read_is_caught():
    assert modules_naming_identified_reads({"web/new.py": 'graph.read("child_in_scope", id=x)'})
    assert modules_naming_identified_reads({"reports.py": "from explorer.graph import run_policed"})
    assert modules_naming_identified_reads({"reports.py": "graph_module.read_policed(g, q, {})"})
    assert not modules_naming_identified_reads({"children.py": 'run_policed(tx, "child_in_scope")'})


def test_the_graph_refuses_an_identified_read_outside_the_data_layer(session_graph: Graph):
    with pytest.raises(PolicedQuery, match="child_in_scope"):
        session_graph.read("child_in_scope", id="C-1")
    with pytest.raises(PolicedQuery, match="household_children"):
        session_graph.read_tx(lambda tx: run_named(tx, "household_children", {"id": "H-1"}))
    # Reads that are not identified still run as before.
    assert session_graph.read("analytics_local_authorities") is not None
