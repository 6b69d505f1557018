"""The analytics check their viewer themselves (issue 19): every public entry point of
``explorer.analytics`` refuses, with the app's 403, a viewer to whom the policy gives no
de-identified scope, before a route decorator or anything else is in the way; an analyst
(alone or beside another role, as the pages admit them) gets the same answer as ever."""

from __future__ import annotations

from datetime import date

import pytest
from werkzeug.exceptions import Forbidden

from explorer.accounts import Viewer
from explorer.analytics import gaps, network_view, overview

KEY = b"test-pseudonym-key"
ON = date(2026, 1, 1)


def _entry_points(graph) -> dict:
    area = gaps.areas(graph)[0]
    return {
        "gaps.summary": lambda v: gaps.summary(graph, viewer=v, key=KEY, on=ON),
        "gaps.gap_records": lambda v: gaps.gap_records(graph, "no-gp", viewer=v, key=KEY, on=ON),
        "gaps.gap_column": lambda v: gaps.gap_column(graph, "no-gp", viewer=v, key=KEY, on=ON,
                                                     filters=gaps.Filters()),
        "gaps.caseload_rows": lambda v: gaps.caseload_rows(graph, KEY, ON, viewer=v),
        "gaps.caseload_distribution": lambda v: gaps.caseload_distribution(graph, viewer=v,
                                                                           key=KEY, on=ON),
        "overview.read_graph": lambda v: overview.read_graph(graph, ON, viewer=v),
        "overview.overview": lambda v: overview.overview(graph, viewer=v, on=ON),
        "network_view.network_view": lambda v: network_view.network_view(
            graph, viewer=v, key=KEY, on=ON, local_authority=area),
    }


NOT_ANALYSTS = [
    Viewer("pat", frozenset({"practitioner"}), "P-001", "u1"),
    Viewer("cam", frozenset({"chair"}), None, "u2"),
    Viewer("mo", frozenset({"management"}), None, "u3"),
    Viewer("ada", frozenset({"admin"}), None, "u4"),
    Viewer("nobody", frozenset(), None, "u5"),
]


def test_every_entry_point_refuses_a_viewer_who_is_not_an_analyst(demo):
    for name, call in _entry_points(demo).items():
        for viewer in NOT_ANALYSTS:
            with pytest.raises(Forbidden) as refused:
                call(viewer)
            assert refused.value.code == 403, (name, viewer.username)


def test_an_analyst_alone_or_with_another_role_is_answered_the_same(demo):
    analyst = Viewer("ana", frozenset({"analyst"}), None, "u6")
    # policy.scopes gives a chair who is also an analyst the chair's scope for their list of
    # children; on the analysts' pages (which admit them) they are still an analyst.
    chair_too = Viewer("dora", frozenset({"analyst", "chair"}), None, "u7")
    for name, call in _entry_points(demo).items():
        alone, both = call(analyst), call(chair_too)
        if name == "overview.read_graph":  # a networkx graph: compare its contents
            alone, both = (sorted(alone[0].edges), alone[1]), (sorted(both[0].edges), both[1])
        if name == "overview.overview":  # timings differ from call to call
            alone, both = ({k: v for k, v in found.items() if not k.endswith("seconds")}
                           for found in (alone, both))
        assert alone == both, name
    assert gaps.gap_records(demo, "no-gp", viewer=analyst, key=KEY, on=ON), \
        "the demo seed has children with no GP: an empty answer would prove nothing"
