"""graph.plain: what every read returns is plain Python, however deeply the driver's values
are nested (a child's view is lists of maps of lists)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import neo4j.time
from hypothesis import given
from hypothesis import strategies as st

from explorer.graph import plain

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                    st.text(max_size=5), st.dates(), st.datetimes(timezones=st.just(UTC)))


def driver_form(value):
    """``value`` as the driver hands it over: its own temporal types."""
    if isinstance(value, datetime):
        return neo4j.time.DateTime.from_native(value)
    if isinstance(value, date):
        return neo4j.time.Date.from_native(value)
    if isinstance(value, list):
        return [driver_form(v) for v in value]
    if isinstance(value, dict):
        return {k: driver_form(v) for k, v in value.items()}
    return value


nested = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=3), inner, max_size=4), max_leaves=30)


@given(nested)
def test_every_value_comes_back_as_plain_python_at_any_depth(value):
    back = plain(driver_form(value))
    assert back == value

    def no_driver_types(v):
        assert not isinstance(v, neo4j.time.Date | neo4j.time.DateTime)
        for inner in (v.values() if isinstance(v, dict) else v if isinstance(v, list) else ()):
            no_driver_types(inner)

    no_driver_types(back)


def test_a_date_inside_a_map_inside_a_list_is_a_python_date():
    row = {"involvements": [{"since": neo4j.time.Date(2024, 1, 2), "until": None}]}
    since = plain(row)["involvements"][0]["since"]
    assert type(since) is date and since == date(2024, 1, 2)
