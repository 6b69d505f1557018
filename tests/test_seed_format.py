"""The seed format: its documentation matches the schema, and the CSV reader keeps text intact."""

from __future__ import annotations

import csv
import io
import re
import string
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explorer.seed import read_seed
from explorer.seed.schema import SEED_TYPES

DOC = Path(__file__).resolve().parent.parent / "docs" / "seed-format.md"


def test_every_file_and_column_is_documented():
    doc = DOC.read_text(encoding="utf-8")
    for t in SEED_TYPES:
        section = re.search(rf"### `{re.escape(t.file)}`(.*?)(?=\n### |\n## |\Z)", doc, re.S)
        assert section, t.file
        for col in t.columns:
            assert re.search(rf"^\| `{col.name}` \|", section.group(1), re.M), (t.file, col.name)


# Names as exports contain them: commas, quotes, apostrophes, accents, markup.
name_text = st.text(
    alphabet=st.sampled_from(string.ascii_letters + " ,\"'-.<>/&;éëïöüçñøåłśźżÆßŃ"),
    min_size=1, max_size=30,
).map(str.strip).filter(bool)
address_text = st.lists(name_text, min_size=1, max_size=3).map("\n".join)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(given_name=name_text, family_name=name_text, address=address_text,
       crlf=st.booleans(), bom=st.booleans())
def test_names_and_addresses_round_trip_through_csv(tmp_path_factory, given_name, family_name,
                                                    address, crlf, bom):
    d = tmp_path_factory.mktemp("rt")
    newline = "\r\n" if crlf else "\n"

    def write(name: str, header: list[str], rows: list[list[str]]) -> None:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator=newline)
        w.writerow(header)
        w.writerows(rows)
        (d / name).write_bytes((b"\xef\xbb\xbf" if bom else b"") + buf.getvalue().encode())

    write("adults.csv", ["id", "given_name", "family_name"], [["A1", given_name, family_name]])
    write("households.csv", ["id", "address", "local_authority", "address_status"],
          [["H1", address, "Northmere", "known"]])
    write("lives_in.csv", ["person_id", "household_id"], [["A1", "H1"]])
    seed = read_seed(d, today=date(2026, 1, 1))
    adult = seed.rows["adult"][0]
    assert (adult["given_name"], adult["family_name"]) == (given_name, family_name)
    assert seed.rows["household"][0]["address"] == address
