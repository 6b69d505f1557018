"""Seed validation: every malformed seed is rejected with the exact file:line:column.

Pure Python, no database. Each test builds a small seed in tmp_path from a
valid base and breaks one thing.
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.seed import SEED_TYPES, SeedInvalid, read_seed
from explorer.seed.validate import Bad, convert, convert_column

TODAY = date(2026, 1, 1)

BASE = {
    "children.csv": (
        "id,given_name,family_name,former_names,date_of_birth,gender,nhs_number,shielded,"
        "status,plan_category,plan_start,plan_end,care_leaver\n"
        "C1,Zoë,O'Brien,Zoe Smith|Zoë Smith,2017-04-12,female,9434765919,false,cp_plan,"
        "neglect,2025-03-02,,false\n"
        "C2,Liam,O'Brien,,2020-08-30,male,,true,none,,,,false\n"
    ),
    "adults.csv": "id,given_name,family_name,date_of_birth,phone,email\n"
                  "A1,Siobhán,O'Brien,1991-02-14,07700 900101,s@example.org\n",
    "households.csv": "id,address,postcode,local_authority,address_status\n"
                      'H1,"14 Winter Road, Northmere",nm1 4xy,Northmere,known\n',
    "practitioners.csv": "id,given_name,family_name,profession,phone,email\n"
                         "P1,Amara,Okafor,social_worker,01632 960101,a@example.org\n",
    "services.csv": "id,name,type,sensitive,local_authority\n"
                    "S1,Social Care,social_care,false,Northmere\n"
                    "S2,Oakfield Primary,school,false,Northmere\n"
                    "S3,High Street Surgery,gp_practice,false,Northmere\n"
                    "S4,Sexual Health,sexual_health,false,Northmere\n",
    "conferences.csv": "id,child_id,date,kind,chair\nK1,C1,2025-03-02,initial,chair\n",
    "plans.csv": "id,child_id,category,start,end\nPL1,C1,physical,2021-01-04,2022-06-30\n",
    "lives_in.csv": "person_id,household_id,since,until\nC1,H1,2017-04-12,\nA1,H1,,\n",
    "parent_of.csv": "adult_id,child_id,parental_responsibility\nA1,C1,\nA1,C2,true\n",
    "carer_of.csv": "adult_id,child_id,parental_responsibility\n",
    "works_for.csv": "practitioner_id,service_id,since,until\nP1,S1,2019-09-02,\n",
    "involved_with.csv": (
        "id,practitioner_id,child_id,service_id,role,since,until,lead,caf,consent_to_share\n"
        "I1,P1,C1,S1,allocated social worker,2025-01-10,,TRUE,no,0\n"
        "I2,P1,C2,S4,nurse,2025-01-10,2025-06-01,false,false,yes\n"
    ),
    "attends.csv": "child_id,service_id,since,until\nC1,S2,2021-09-01,\n",
    "registered_with.csv": "child_id,service_id,since,until\nC1,S3,2017-04-20,\n",
}


def make_seed(tmp_path: Path, **files: str | bytes | None) -> Path:
    """The base seed with some files replaced (name with '.' as '__') or removed (None)."""
    d = tmp_path / "seed"
    d.mkdir(parents=True)
    contents: dict[str, str | bytes | None] = dict(BASE)
    contents.update({k.replace("__", "."): v for k, v in files.items()})
    for name, text in contents.items():
        if text is None:
            continue
        (d / name).write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return d


def problems_of(path: Path, **kw) -> list[str]:
    with pytest.raises(SeedInvalid) as e:
        read_seed(path, today=TODAY, **kw)
    return [str(p) for p in e.value.problems]


def replace_line(name: str, line: int, new: str) -> str:
    lines = BASE[name].split("\n")
    lines[line - 1] = new
    return "\n".join(lines)


def test_base_seed_is_valid_and_typed(tmp_path):
    seed = read_seed(make_seed(tmp_path), today=TODAY)
    zoe = seed.rows["child"][0]
    assert zoe["given_name"] == "Zoë" and zoe["family_name"] == "O'Brien"
    assert zoe["date_of_birth"] == date(2017, 4, 12)
    assert zoe["former_names"] == ["Zoe Smith", "Zoë Smith"]
    assert zoe["shielded"] is False and seed.rows["child"][1]["shielded"] is True
    assert seed.rows["household"][0]["postcode"] == "NM1 4XY"
    inv = {r["id"]: r for r in seed.rows["involved_with"]}
    assert (inv["I1"]["lead"], inv["I1"]["caf"], inv["I1"]["consent_to_share"]) == (
        True, False, False)
    assert inv["I2"]["consent_to_share"] is True and inv["I2"]["until"] == date(2025, 6, 1)
    # Empty parental_responsibility on parent_of defaults to true.
    assert [r["parental_responsibility"] for r in seed.rows["parent_of"]] == [True, True]
    assert [r["person_label"] for r in seed.rows["lives_in"]] == ["Child", "Adult"]
    assert seed.summary()["child"] == 2 and seed.summary()["carer_of"] == 0


def test_rows_of_one_type_share_keys_for_unwind(tmp_path):
    seed = read_seed(make_seed(tmp_path), today=TODAY)
    for name, rows in seed.rows.items():
        keys = {tuple(sorted(r)) for r in rows}
        assert len(keys) <= 1, name


def test_always_sensitive_service_types_cannot_be_declassified_by_a_file(tmp_path):
    seed = read_seed(make_seed(tmp_path), today=TODAY)
    sensitive = {r["id"]: r["sensitive"] for r in seed.rows["service"]}
    assert sensitive == {"S1": False, "S2": False, "S3": False, "S4": True}


def test_optional_files_may_be_absent(tmp_path):
    seed = read_seed(make_seed(tmp_path, conferences__csv=None, carer_of__csv=None),
                     today=TODAY)
    assert seed.summary()["conference"] == 0


def test_optional_column_absent_means_key_absent(tmp_path):
    path = make_seed(tmp_path, adults__csv="id,given_name,family_name\nA1,Siobhán,O'Brien\n")
    seed = read_seed(path, today=TODAY)
    assert seed.rows["adult"] == [{"id": "A1", "given_name": "Siobhán", "family_name": "O'Brien"}]


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param(
            {"children__csv": replace_line(
                "children.csv", 3, "C2,Liam,O'Brien,,2019-13-01,male,,true,none,,,,false")},
            "children.csv:3:date_of_birth: expected a date YYYY-MM-DD, got '2019-13-01'",
            id="malformed date"),
        pytest.param(
            {"children__csv": replace_line(
                "children.csv", 3, "C2,Liam,O'Brien,,30/08/2020,male,,true,none,,,,false")},
            "children.csv:3:date_of_birth: expected a date YYYY-MM-DD, got '30/08/2020'",
            id="non-ISO date"),
        pytest.param(
            {"children__csv": replace_line(
                "children.csv", 3, "C2,Liam,O'Brien,,20200830,male,,true,none,,,,false")},
            "children.csv:3:date_of_birth: expected a date YYYY-MM-DD, got '20200830'",
            id="compact ISO date is not accepted"),
        pytest.param(
            {"children__csv": replace_line(
                "children.csv", 3, "C2,Liam,O'Brien,,2020-08-30,boy,,true,none,,,,false")},
            "children.csv:3:gender: expected one of female, male, other, not_specified, "
            "got 'boy'",
            id="unknown enum value"),
        pytest.param(
            {"children__csv": replace_line(
                "children.csv", 3, "C2,,O'Brien,,2020-08-30,male,,true,none,,,,false")},
            "children.csv:3:given_name: required value is missing; expected a value",
            id="missing required value"),
        pytest.param(
            {"children__csv": replace_line(
                "children.csv", 3, "C 2,Liam,O'Brien,,2020-08-30,male,,true,none,,,,false")},
            "children.csv:3:id: expected an id: a letter or digit, then up to 63 letters, "
            "digits or _ . : -, got 'C 2'",
            id="bad id shape"),
        pytest.param(
            {"children__csv": replace_line(
                "children.csv", 3, "C1,Liam,O'Brien,,2020-08-30,male,,true,none,,,,false")},
            "children.csv:3:id: duplicate id 'C1' (first at line 2)",
            id="duplicate id"),
        pytest.param(
            {"children__csv": replace_line(
                "children.csv", 3, "C2,Liam,O'Brien,,2020-08-30,male,9434765918,true,none,,,,"
                "false")},
            "children.csv:3:nhs_number: expected a 10-digit NHS number with a valid check "
            "digit, got '9434765918'",
            id="NHS number check digit"),
        pytest.param(
            {"children__csv": replace_line(
                "children.csv", 3, "C2,Liam,O'Brien,,2020-08-30,male,,maybe,none,,,,false")},
            "children.csv:3:shielded: expected true or false (or yes/no, 1/0), got 'maybe'",
            id="bad boolean"),
        pytest.param(
            {"children__csv": replace_line(
                "children.csv", 3, "C2,Liam,O'Brien,,2026-06-30,male,,true,none,,,,false")},
            "children.csv:3:date_of_birth: date of birth 2026-06-30 is in the future (today "
            "is 2026-01-01); only a child with status unborn_plan may have one",
            id="born in the future"),
        pytest.param(
            {"children__csv": replace_line(
                "children.csv", 3, "C2,Liam,O'Brien,,2008-01-01,male,,true,none,,,,false")},
            "children.csv:3:date_of_birth: child is 18 (18 or over); records are archived at "
            "18, and only a care leaver who consented (care_leaver=true, care_leaver_consent=true) "
            "is kept, until 25",
            id="18 on the day"),
        pytest.param(
            {"children__csv": replace_line(
                "children.csv", 3, "C2,Liam,O'Brien,,2001-01-01,male,,true,none,,,,true")},
            "children.csv:3:date_of_birth: care leaver is 25; care leavers are kept only "
            "until 25",
            id="care leaver 25"),
        pytest.param(
            {"children__csv": replace_line(
                "children.csv", 3, "C2,Liam,O'Brien,,2020-08-30,male,,true,cp_plan,,2025-01-01,"
                ",false")},
            "children.csv:3:plan_category: required when status is cp_plan; expected one of "
            "neglect, physical, sexual, emotional, multiple",
            id="cp plan without category"),
        pytest.param(
            {"children__csv": replace_line(
                "children.csv", 3, "C2,Liam,O'Brien,,2020-08-30,male,,true,looked_after,neglect,"
                "2025-01-01,,false")},
            "children.csv:3:plan_category: must be empty unless status is cp_plan (status is "
            "looked_after)",
            id="category without cp plan"),
        pytest.param(
            {"children__csv": replace_line(
                "children.csv", 3, "C2,Liam,O'Brien,,2020-08-30,male,,true,looked_after,,,,"
                "false")},
            "children.csv:3:plan_start: required when status is looked_after; expected a date "
            "YYYY-MM-DD",
            id="plan without start"),
        pytest.param(
            {"involved_with__csv": replace_line(
                "involved_with.csv", 3, "I2,P1,C2,S4,nurse,2025-01-10,2024-06-01,false,false,yes")},
            "involved_with.csv:3:until: until 2024-06-01 is before since 2025-01-10; it cannot "
            "end before it starts",
            id="involvement ends before it starts"),
        pytest.param(
            {"involved_with__csv": replace_line(
                "involved_with.csv", 3, "I2,P1,C9,S4,nurse,2025-01-10,,false,false,yes")},
            "involved_with.csv:3:child_id: no child with id 'C9' in the seed (children.csv)",
            id="relationship end does not exist"),
        pytest.param(
            {"involved_with__csv": replace_line(
                "involved_with.csv", 3, "I1,P1,C2,S4,nurse,2025-01-10,,false,false,yes")},
            "involved_with.csv:3:id: duplicate id 'I1' (first at line 2)",
            id="duplicate involvement id"),
        pytest.param(
            {"parent_of__csv": "adult_id,child_id,parental_responsibility\nA1,A1,true\n"},
            "parent_of.csv:2:child_id: a relationship from a node to itself: adult_id and "
            "child_id are both 'A1'",
            id="relationship to itself"),
        pytest.param(
            {"parent_of__csv": "adult_id,child_id,parental_responsibility\nA1,C1,true\n"
                               "A1,C1,false\n"},
            "parent_of.csv:3:adult_id: duplicate relationship: same adult_id, child_id as "
            "line 2",
            id="duplicate relationship"),
        pytest.param(
            {"attends__csv": "child_id,service_id,since,until\nC1,S3,2021-09-01,\n"},
            "attends.csv:2:service_id: service 'S3' is a gp_practice, expected a school "
            "(attends.csv links children to a school)",
            id="attends a non-school"),
        pytest.param(
            {"registered_with__csv": "child_id,service_id,since,until\nC1,S2,2021-09-01,\n"},
            "registered_with.csv:2:service_id: service 'S2' is a school, expected a gp_practice "
            "(registered_with.csv links children to a gp_practice)",
            id="registered with a non-GP"),
        pytest.param(
            {"households__csv": "id,address,postcode,local_authority,address_status\n"
                                "H1,1 Road,NM1 4XY,Northmere,none\n"},
            "households.csv:2:address: must be empty when address_status is none (no known "
            "address)",
            id="no known address with an address"),
        pytest.param(
            {"households__csv": "id,address,postcode,local_authority,address_status\n"
                                "H1,1 Road,12345,Northmere,known\n"},
            "households.csv:2:postcode: expected a UK postcode like NM1 4XY, got '12345'",
            id="bad postcode"),
        pytest.param(
            {"adults__csv": "id,given_name,family_name,date_of_birth,phone,email\n"
                            "C1,Siobhán,O'Brien,1991-02-14,,\n"},
            "adults.csv:2:id: id 'C1' is also a child (children.csv:2); a person id must name "
            "one person",
            id="adult id reused for a child"),
        pytest.param(
            {"practitioners__csv": "id,given_name,family_name,profesion,phone,email\n"
                                   "P1,Amara,Okafor,social_worker,,\n"},
            "practitioners.csv:1:profesion: unknown column (did you mean 'profession'?); "
            "practitioners.csv has columns id, given_name, family_name, profession, phone, email",
            id="typo in a column name"),
        pytest.param(
            {"practitioners__csv": "id,given_name,family_name,phone,email\n"
                                   "P1,Amara,Okafor,,\n"},
            "practitioners.csv:1:profession: required column is missing from the header",
            id="missing required column"),
        pytest.param(
            {"notes__txt": "hello\n"},
            "notes.txt: not a seed file; seed files are households.csv, adults.csv, "
            "children.csv, practitioners.csv, services.csv, conferences.csv, plans.csv, "
            "lives_in.csv, parent_of.csv, carer_of.csv, works_for.csv, involved_with.csv, attends.csv, "
            "registered_with.csv",
            id="unknown file"),
        pytest.param(
            {"child__csv": "id\n"},
            "child.csv: not a seed file (did you mean 'children.csv'?); seed files are "
            "households.csv, adults.csv, children.csv, practitioners.csv, services.csv, "
            "conferences.csv, plans.csv, lives_in.csv, parent_of.csv, carer_of.csv, "
            "works_for.csv, "
            "involved_with.csv, attends.csv, registered_with.csv",
            id="misnamed seed file"),
        pytest.param(
            {"adults__csv": "id,given_name,family_name,date_of_birth,phone,email\n"
                            "A1,Siobhán,O'Brien,1991-02-14,,\n"
                            "A2,Kevin,O'Brien,1988-07-21,,\n".encode()
                            + "A3,Ren\u00e9e,Smith,,,\n".encode("latin-1")},
            "adults.csv:4: not UTF-8 (byte(s) b'\\xe9e,S' at position 7); save the file as "
            "UTF-8",
            id="not UTF-8"),
        pytest.param(
            {"adults__csv": "id,given_name,family_name,date_of_birth,phone,email\n"
                            "A1,Siobhán,O'Brien,1991-02-14,,\n"
                            "A2,Kevin,O'Brien,1988-07-21,\n"},
            "adults.csv:3: expected 6 fields as in the header, got 5 (a field with a comma or "
            "line break must be in double quotes)",
            id="ragged row"),
    ],
)
def test_malformed_seed_is_rejected_at_file_line_column(tmp_path, files, expected):
    assert expected in problems_of(make_seed(tmp_path, **files))


PLANS_HEADER = "id,child_id,category,start,end\n"


@pytest.mark.parametrize(
    ("plans", "expected"),
    [
        pytest.param("PL1,C1,physical,2021-01-04,2021-01-03\n",
                     "plans.csv:2:end: end 2021-01-03 is before start 2021-01-04; it cannot end "
                     "before it starts",
                     id="end before start"),
        pytest.param("PL1,C2,neglect,2025-06-01,2026-02-01\n",
                     "plans.csv:2:end: end 2026-02-01 is in the future (today is 2026-01-01); "
                     "plans.csv holds previous plans, which have ended (the current plan is on "
                     "the child: status, plan_start)",
                     id="end in the future"),
        pytest.param("PL1,C1,neglect,2024-06-01,2025-03-02\n",
                     "plans.csv:2:end: end 2025-03-02 is not before the current plan_start "
                     "2025-03-02 of child 'C1' (children.csv:2); a previous plan ends before "
                     "the current one starts",
                     id="ends on the day the current plan starts"),
        pytest.param("PL1,C1,neglect,2025-06-01,2025-09-01\n",
                     "plans.csv:2:end: end 2025-09-01 is not before the current plan_start "
                     "2025-03-02 of child 'C1' (children.csv:2); a previous plan ends before "
                     "the current one starts",
                     id="after the current plan started"),
        pytest.param("PL1,C1,neglect,2017-01-01,2018-01-01\n",
                     "plans.csv:2:start: start 2017-01-01 is before child 'C1' was born "
                     "(2017-04-12, children.csv:2)",
                     id="before birth"),
        pytest.param("PL1,C1,neglect,2019-01-07,2020-03-01\nPL2,C1,sexual,2020-02-03,2021-05-01\n",
                     "plans.csv:3:start: previous plan of child 'C1' from 2020-02-03 overlaps the "
                     "one at line 2 (2019-01-07 to 2020-03-01); a child is on one plan at a time",
                     id="two previous plans overlap"),
        pytest.param("PL1,C1,abuse,2019-01-07,2020-03-01\n",
                     "plans.csv:2:category: expected one of neglect, physical, sexual, emotional, "
                     "multiple, got 'abuse'",
                     id="unknown category"),
        pytest.param("PL1,C9,neglect,2019-01-07,2020-03-01\n",
                     "plans.csv:2:child_id: no child with id 'C9' in the seed (children.csv)",
                     id="no such child"),
        pytest.param("PL1,C1,neglect,2019-01-07,\n",
                     "plans.csv:2:end: required value is missing; expected a date YYYY-MM-DD",
                     id="no end"),
        pytest.param("PL1,C1,neglect,2019-01-07,2020-03-01\nPL1,C2,neglect,2021-01-07,2022-03-01\n",
                     "plans.csv:3:id: duplicate id 'PL1' (first at line 2)",
                     id="duplicate id"),
    ],
)
def test_malformed_previous_plans_are_rejected_at_file_line_column(tmp_path, plans, expected):
    assert expected in problems_of(make_seed(tmp_path, plans__csv=PLANS_HEADER + plans))


def test_previous_plans_before_the_current_one_are_valid(tmp_path):
    plans = PLANS_HEADER + ("PL1,C1,neglect,2017-04-12,2018-01-01\n"
                            "PL2,C1,emotional,2018-01-02,2025-03-01\n"
                            "PL3,C2,physical,2021-01-01,2021-06-30\n")  # C2 is on no plan now
    seed = read_seed(make_seed(tmp_path, plans__csv=plans), today=TODAY)
    assert [r["category"] for r in seed.rows["plan"]] == ["neglect", "emotional", "physical"]
    assert seed.rows["plan"][1]["end"] == date(2025, 3, 1)


def test_plans_header_needs_every_required_column(tmp_path):
    problems = problems_of(make_seed(tmp_path, plans__csv="id,child_id,category,start\n"
                                                          "PL1,C1,neglect,2019-01-07\n"))
    assert "plans.csv:1:end: required column is missing from the header" in problems


def test_plan_problems_in_jsonl_carry_the_jsonl_line(tmp_path):
    p = tmp_path / "s.jsonl"
    p.write_text(
        '{"type": "plan", "id": "PL1", "child_id": "C1", "category": "neglect", '
        '"start": "2024-01-01", "end": "2025-05-01"}\n'
        '{"type": "child", "id": "C1", "given_name": "Zoë", "family_name": "O\'Brien", '
        '"date_of_birth": "2017-04-12", "gender": "female", "status": "cp_plan", '
        '"plan_category": "neglect", "plan_start": "2025-03-02"}\n'
        '{"type": "plan", "id": "PL2", "child_id": "C1", "category": "sexual", '
        '"start": "2016-01-01", "end": "2017-01-01"}\n', encoding="utf-8")
    assert problems_of(p) == [
        "s.jsonl:1:end: end 2025-05-01 is not before the current plan_start 2025-03-02 of "
        "child 'C1' (s.jsonl:2); a previous plan ends before the current one starts",
        "s.jsonl:3:start: start 2016-01-01 is before child 'C1' was born (2017-04-12, s.jsonl:2)",
    ]


def test_quoted_newline_reports_line_where_the_record_starts(tmp_path):
    households = (
        "id,address,postcode,local_authority,address_status\n"
        'H1,"The Cedars\n2 Orchard Close\nNorthmere",NM2 1CD,Northmere,known\n'
        "H2,1 Road,NOT A CODE,Northmere,known\n"
    )
    assert problems_of(make_seed(tmp_path, households__csv=households)) == [
        "households.csv:5:postcode: expected a UK postcode like NM1 4XY, got 'NOT A CODE'"]


def test_every_problem_is_reported_at_once(tmp_path):
    children = (
        BASE["children.csv"]
        + "C3,Ann,Lee,,2019-02-30,female,,,,,,,\n"
        + "C4,Bob,Lee,,2019-02-01,fish,,,,,,,\n"
    )
    involved = BASE["involved_with.csv"] + "I3,P9,C1,S1,worker,2025-01-10,,,,\n"
    problems = problems_of(make_seed(tmp_path, children__csv=children,
                                     involved_with__csv=involved))
    assert problems == [
        "children.csv:4:date_of_birth: expected a date YYYY-MM-DD, got '2019-02-30'",
        "children.csv:5:gender: expected one of female, male, other, not_specified, got 'fish'",
        "involved_with.csv:4:practitioner_id: no practitioner with id 'P9' in the seed "
        "(practitioners.csv)",
    ]


def test_unborn_plan_may_have_a_future_date_of_birth(tmp_path):
    children = BASE["children.csv"] + "C3,Baby,Hughes,,2026-05-01,not_specified,,,unborn_plan,," \
                                      "2025-12-01,,\n"
    seed = read_seed(make_seed(tmp_path, children__csv=children), today=TODAY)
    assert seed.rows["child"][2]["status"] == "unborn_plan"


def _with_consent(children: str) -> str:
    lines = children.splitlines()
    return "\n".join([lines[0] + ",care_leaver_consent"] + [line + "," for line in lines[1:]]) + "\n"


def test_care_leaver_under_25_who_consented_is_kept(tmp_path):
    children = _with_consent(BASE["children.csv"]) + "C3,Kieran,Walsh,,2002-01-02,male,,,,,,,yes,yes\n"
    seed = read_seed(make_seed(tmp_path, children__csv=children), today=TODAY)
    assert seed.rows["child"][2]["care_leaver"] is True
    assert seed.rows["child"][2]["care_leaver_consent"] is True


def test_care_leaver_of_18_without_consent_is_refused_as_archived(tmp_path):
    children = _with_consent(BASE["children.csv"]) + "C3,Kieran,Walsh,,2007-12-31,male,,,,,,,yes,no\n"
    assert problems_of(make_seed(tmp_path, children__csv=children)) == [
        "children.csv:4:date_of_birth: child is 18 (18 or over); records are archived at 18, "
        "and only a care leaver who consented (care_leaver=true, care_leaver_consent=true) is "
        "kept, until 25"]


def test_consent_to_be_kept_is_for_care_leavers_only(tmp_path):
    children = _with_consent(BASE["children.csv"]) + "C3,Ann,Lee,,2012-01-02,female,,,,,,,no,yes\n"
    assert problems_of(make_seed(tmp_path, children__csv=children)) == [
        "children.csv:4:care_leaver_consent: only a care leaver (care_leaver=true) may consent "
        "to being kept until 25"]


def test_today_decides_ages(tmp_path):
    children = BASE["children.csv"] + "C3,Ann,Lee,,2008-01-02,female,,,,,,,\n"
    path = make_seed(tmp_path, children__csv=children)
    read_seed(path, today=TODAY)  # 17 on 2026-01-01
    with pytest.raises(SeedInvalid):
        read_seed(path, today=date(2026, 1, 2))  # 18 the next day


def test_incremental_feed_may_refer_to_ids_already_in_the_database(tmp_path):
    d = tmp_path / "feed"
    d.mkdir()
    (d / "involved_with.csv").write_text(
        "id,practitioner_id,child_id,service_id,role,since\nI9,P1,C1,S1,worker,2025-01-01\n",
        encoding="utf-8")
    (d / "attends.csv").write_text("child_id,service_id,since\nC1,S3,2025-01-01\n",
                                   encoding="utf-8")
    assert problems_of(d) == [
        "attends.csv:2:child_id: no child with id 'C1' in the seed (children.csv)",
        "attends.csv:2:service_id: no service with id 'S3' in the seed (services.csv)",
        "involved_with.csv:2:child_id: no child with id 'C1' in the seed (children.csv)",
        "involved_with.csv:2:practitioner_id: no practitioner with id 'P1' in the seed "
        "(practitioners.csv)",
        "involved_with.csv:2:service_id: no service with id 'S1' in the seed (services.csv)",
    ]
    known = {"Child": {"C1"}, "Practitioner": {"P1"}, "Service": {"S1": "social_care",
                                                                   "S3": "gp_practice"}}
    assert problems_of(d, known_ids=known) == [
        "attends.csv:2:service_id: service 'S3' is a gp_practice, expected a school "
        "(attends.csv links children to a school)"]
    (d / "attends.csv").unlink()
    seed = read_seed(d, today=TODAY, known_ids=known)
    assert seed.summary()["involved_with"] == 1


# --- real exports ---------------------------------------------------------------


def _feed(tmp_path: Path, **files: str) -> Path:
    d = tmp_path / "feed"
    d.mkdir()
    for name, text in files.items():
        (d / name.replace("__", ".")).write_text(text, encoding="utf-8")
    return d


def test_a_feed_may_name_stored_people_and_each_is_loaded_as_what_it_is(tmp_path):
    d = _feed(tmp_path, lives_in__csv="person_id,household_id,since,until\n"
                                      "C9,H9,2020-01-01,\nA9,H9,,\nC1,H9,,\n",
              children__csv=BASE["children.csv"])
    known = {"Child": {"C9"}, "Adult": {"A9"}, "Household": {"H9"}}
    seed = read_seed(d, today=TODAY, known_ids=known)
    assert [(r["person_id"], r["person_label"]) for r in seed.rows["lives_in"]] == [
        ("C9", "Child"), ("A9", "Adult"), ("C1", "Child")]
    assert problems_of(d, known_ids={"Child": {"C9"}, "Household": {"H9"}}) == [
        "lives_in.csv:3:person_id: no child or adult with id 'A9' in the seed or the database "
        "(children.csv, adults.csv)"]


def test_a_person_id_the_database_holds_as_a_child_and_an_adult_is_refused(tmp_path):
    d = _feed(tmp_path, lives_in__csv="person_id,household_id,since,until\nX1,H9,,\n",
              parent_of__csv="adult_id,child_id,parental_responsibility\nX1,C9,\n")
    known = {"Child": {"X1", "C9"}, "Adult": {"X1"}, "Household": {"H9"}}
    assert problems_of(d, known_ids=known) == [
        "lives_in.csv:2:person_id: id 'X1' is both a child and an adult"]


def test_a_seed_person_stored_as_the_other_kind_is_refused_where_it_is_and_where_named(tmp_path):
    d = make_seed(tmp_path)
    assert problems_of(d, known_ids={"Adult": {"C1"}, "Child": {"A1"}}) == [
        "adults.csv:2:id: id 'A1' is already a child in the database",
        "children.csv:2:id: id 'C1' is already an adult in the database",
        "lives_in.csv:2:person_id: id 'C1' is both a child and an adult",
        "lives_in.csv:3:person_id: id 'A1' is both a child and an adult",
    ]


def test_a_feed_naming_a_stored_school_that_is_not_one_is_refused(tmp_path):
    d = _feed(tmp_path, attends__csv="child_id,service_id,since,until\n"
                                     "C9,S8,2021-09-01,\nC9,S9,2021-09-01,\n")
    known = {"Child": {"C9"}, "Service": {"S8": "school", "S9": "camhs", "S7": "camhs"}}
    assert problems_of(d, known_ids=known) == [
        "attends.csv:3:service_id: service 'S9' is a camhs, expected a school (attends.csv "
        "links children to a school)"]


def test_bom_crlf_and_blank_trailing_lines_are_accepted(tmp_path):
    exported = {
        name.replace(".", "__"): b"\xef\xbb\xbf"
        + text.replace("\n", "\r\n").encode("utf-8") + b"\r\n\r\n  \r\n"
        for name, text in BASE.items()
    }
    seed = read_seed(make_seed(tmp_path, **exported), today=TODAY)
    assert seed.rows == read_seed(make_seed(tmp_path / "lf"), today=TODAY).rows
    # The BOM must not leak into the first column's name.
    assert seed.rows["child"][0]["id"] == "C1"


def test_line_numbers_count_crlf_lines(tmp_path):
    text = BASE["adults.csv"].replace("\n", "\r\n") + "\r\nA2,,Lee,,,\r\n"
    assert problems_of(make_seed(tmp_path, adults__csv=text)) == [
        "adults.csv:4:given_name: required value is missing; expected a value"]


def test_demo_seed_is_valid():
    demo = Path(__file__).resolve().parent.parent / "seed" / "demo"
    for today in (date(2026, 11, 24), date.today()):
        seed = read_seed(demo, today=today)
        assert seed.summary()["child"] >= 20


# --- JSON Lines ----------------------------------------------------------------


def csv_seed_as_jsonl(seed_dir: Path, out: Path) -> Path:
    import csv

    from explorer.seed.schema import SEED_TYPES

    with out.open("w", encoding="utf-8") as f:
        for t in SEED_TYPES:
            p = seed_dir / t.file
            if not p.exists():
                continue
            with p.open(encoding="utf-8-sig", newline="") as src:
                for row in csv.DictReader(src):
                    if t.name == "service":  # "type" names the record in JSON Lines
                        row["service_type"] = row.pop("type")
                    f.write(json.dumps({"type": t.name, **row}, ensure_ascii=False) + "\n")
    return out


def test_jsonl_is_equivalent_to_csv(tmp_path):
    d = make_seed(tmp_path)
    jsonl = csv_seed_as_jsonl(d, tmp_path / "seed.jsonl")
    assert read_seed(jsonl, today=TODAY).rows == read_seed(d, today=TODAY).rows


def test_demo_seed_as_jsonl_is_equivalent(tmp_path):
    demo = Path(__file__).resolve().parent.parent / "seed" / "demo"
    jsonl = csv_seed_as_jsonl(demo, tmp_path / "demo.jsonl")
    today = date(2026, 11, 24)
    assert read_seed(jsonl, today=today).rows == read_seed(demo, today=today).rows


def test_jsonl_accepts_native_json_values(tmp_path):
    p = tmp_path / "s.jsonl"
    p.write_text(
        '{"type": "child", "id": "C1", "given_name": "Zoë", "family_name": "O\'Brien", '
        '"date_of_birth": "2017-04-12", "gender": "female", "shielded": true, '
        '"former_names": ["Zoe Smith"], "plan_end": null}\n', encoding="utf-8")
    row = read_seed(p, today=TODAY).rows["child"][0]
    assert row["shielded"] is True and row["former_names"] == ["Zoe Smith"]


def test_jsonl_problems_carry_the_jsonl_line(tmp_path):
    p = tmp_path / "s.jsonl"
    p.write_text(
        '{"type": "adult", "id": "A1", "given_name": "Ann", "family_name": "Lee"}\n'
        "\n"
        '{"type": "adlut", "id": "A2"}\n'
        '{"type": "adult", "id": "A3", "given_name": "Bo", "family_name": "Lee", "fone": "1"}\n'
        '{"type": "adult", "id": "A4", "given_name": "Cy"}\n'
        '{"type": "lives_in", "person_id": "A1", "household_id": "H1"}\n'
        'not json\n', encoding="utf-8")
    assert problems_of(p) == [
        "s.jsonl:3:type: unknown type 'adlut' (did you mean 'adult'?); expected one of "
        "household, adult, child, practitioner, service, conference, plan, lives_in, "
        "parent_of, carer_of, works_for, involved_with, attends, registered_with",
        "s.jsonl:4:fone: unknown field for type adult (did you mean 'phone'?)",
        "s.jsonl:5:family_name: required field is missing",
        "s.jsonl:7: not a JSON object: Expecting value",
        # Line 7 could have been the household: this one may follow from it.
        "s.jsonl:6:household_id: no household with id 'H1' in the seed (type household) "
        "(perhaps only because part of s.jsonl could not be read)",
    ]


# --- converting a column at a time ------------------------------------------------

COLUMNS = [col for t in SEED_TYPES for col in t.columns]
field_text = st.one_of(
    st.sampled_from(["", " ", "2019-01-02", " 2019-01-02 ", "2019-13-01", "20190102", "true",
                     "Yes", "maybe", "female", "FEMALE", "cp_plan", "9434765919", "943 476 5919",
                     "nm1 4xy", "a@b.org", "01632 960123", "C1", "C 1", "Zoë|Zoe", "a\x01b",
                     "1 Road\r\nTown", "x" * 70]),
    st.text(alphabet=st.sampled_from("aZ09 -_.:@|,\n\r\t\x00\x85é"), max_size=12),
)


# As many examples as the hypothesis profile gives (tests/conftest.py: 1,000 in CI).
@settings(deadline=None)
@given(col=st.sampled_from(COLUMNS), raws=st.lists(field_text, max_size=8))
def test_a_column_converts_as_its_values_do_one_by_one(col, raws):
    values, errors = convert_column(col, raws, strings=True)
    expected_values, expected_errors = [], []
    for i, raw in enumerate(raws):
        try:
            expected_values.append(convert(col, raw))
        except Bad as e:
            expected_values.append(None)
            expected_errors.append((i, str(e)))
    assert (values, errors) == (expected_values, expected_errors)
    # A list (former names) is each row's own, never shared with another row.
    lists = [id(v) for v in values if isinstance(v, list)]
    assert len(lists) == len(set(lists))


# --- reading files in parallel processes ------------------------------------------


@pytest.fixture
def population(tmp_path):
    from explorer.seed.generate import generate

    out = tmp_path / "pop"
    generate(out, children=400, seed=3, today=TODAY)
    return out


def _break(path: Path, line: int, old: str, new: str) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    assert old in lines[line - 1], (path.name, line, lines[line - 1])
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    path.write_text("\n".join(lines), encoding="utf-8")


def _in_parallel(monkeypatch, record: Path) -> None:
    """Split even a small seed between processes, and record which process read each file."""
    from tqdm import tqdm

    from explorer.seed import validate

    # The generator's progress bar left tqdm's monitor thread running, and files are
    # read in parallel only by a process with no other thread (see _check_files).
    if tqdm.monitor is not None:
        tqdm.monitor.exit()
        tqdm.monitor = None

    check = validate.check_csv_file

    def recorded(stype, path, today):
        with record.open("a") as fh:
            fh.write(f"{os.getpid()}\n")
        return check(stype, path, today)

    monkeypatch.setattr(validate, "PARALLEL_FROM_BYTES", 0)
    monkeypatch.setattr(validate, "check_csv_file", recorded)


def test_files_read_in_parallel_give_the_same_seed(population, monkeypatch, tmp_path):
    serial = read_seed(population, today=TODAY, workers=1)
    _in_parallel(monkeypatch, tmp_path / "pids")
    parallel = read_seed(population, today=TODAY, workers=3)
    assert (parallel.rows, parallel.lines, parallel.columns) == (
        serial.rows, serial.lines, serial.columns)
    # Read by this process and by readers forked in each of the two rounds (the files that
    # refer to none, then those that refer to them): at least one reader a round, and up to
    # two (a reader done with its share may take the other's).
    pids = set((tmp_path / "pids").read_text().split())
    assert str(os.getpid()) in pids and 3 <= len(pids) <= 5


def test_a_problem_in_any_file_read_in_parallel_is_reported_where_it_is(population, monkeypatch,
                                                                        tmp_path):
    # One problem in each of four files, two of them found only across files.
    children = (population / "children.csv").read_text(encoding="utf-8").split("\n")
    _break(population / "children.csv", 6, children[5].split(",")[4], "2019-02-30")
    households = population / "households.csv"
    household_id = households.read_text(encoding="utf-8").split("\n")[3].split(",")[0]
    _break(households, 4, household_id + ",", household_id + "x y,")
    lives_in = (population / "lives_in.csv").read_text(encoding="utf-8").split("\n")
    _break(population / "lives_in.csv", 3, lives_in[2].split(",")[1], "H-NOBODY")
    parent_of = (population / "parent_of.csv").read_text(encoding="utf-8").split("\n")
    _break(population / "parent_of.csv", len(parent_of) - 1, parent_of[-2], parent_of[1])
    expected = [
        "children.csv:6:date_of_birth: expected a date YYYY-MM-DD, got '2019-02-30'",
        f"households.csv:4:id: expected an id: a letter or digit, then up to 63 letters, "
        f"digits or _ . : -, got '{household_id}x y'",
        "lives_in.csv:3:household_id: no household with id 'H-NOBODY' in the seed "
        "(households.csv)",
        f"parent_of.csv:{len(parent_of) - 1}:adult_id: duplicate relationship: same adult_id, "
        "child_id as line 2",
    ]
    serial = problems_of(population, workers=1)
    _in_parallel(monkeypatch, tmp_path / "pids")
    parallel = problems_of(population, workers=2)
    assert parallel == serial
    pids = set((tmp_path / "pids").read_text().split())  # this one, and another in each round
    assert str(os.getpid()) in pids and len(pids) == 3
    for problem in expected:
        assert problem in parallel


@pytest.mark.parametrize(("bom", "encoding"), [("utf-16-le", "UTF-16"), ("utf-16-be", "UTF-16"),
                                               ("utf-32-le", "UTF-32")])
def test_a_file_saved_as_utf16_or_utf32_is_one_clear_problem(tmp_path, bom, encoding):
    # Spreadsheets offer "Unicode text", which is UTF-16 with a byte order mark.
    data = "\ufeff".encode(bom) + BASE["households.csv"].encode(bom)
    found = problems_of(make_seed(tmp_path, households__csv=data))
    assert found[0] == (f"households.csv:1: the file is {encoding} (it starts with that "
                        "encoding's byte order mark); save it as UTF-8")
    assert not [p for p in found if p.startswith("households.csv") and p != found[0]]


def test_problems_that_may_follow_from_an_unreadable_file_come_after_it(tmp_path):
    # A header with one name too many makes every row of children.csv unreadable; the files
    # that refer to those children then name ids that seem missing. The cause is listed
    # first, and each consequence says where it may come from, with its own file and line.
    header, *rows = BASE["children.csv"].split("\n")
    broken = "\n".join([header + ",colour", *rows])
    found = problems_of(make_seed(tmp_path, children__csv=broken))
    assert found[0].startswith("children.csv:1:colour: unknown column")
    assert found[1].startswith("children.csv:2: expected 14 fields as in the header, got 13")
    follows = [p for p in found if "perhaps only because part of children.csv could not be read" in p]
    assert ("attends.csv:2:child_id: no child with id 'C1' in the seed (children.csv) (perhaps only "
            "because part of children.csv could not be read)") in follows
    assert found[-len(follows):] == follows  # consequences last
    assert all(not p.startswith("children.csv") for p in follows)


def test_a_missing_id_with_every_file_readable_is_not_called_a_consequence(tmp_path):
    found = problems_of(make_seed(tmp_path, attends__csv="child_id,service_id,since,until\n"
                                                         "C9,S2,2021-09-01,\n"))
    assert found == ["attends.csv:2:child_id: no child with id 'C9' in the seed (children.csv)"]


def test_a_jsonl_record_with_a_field_twice_is_rejected_not_resolved_silently(tmp_path):
    p = tmp_path / "s.jsonl"
    p.write_text('{"type": "household", "id": "H1", "address": "1 Road", "postcode": "NM1 4XY", '
                 '"local_authority": "Northmere", "address_status": "known", "id": "H2"}\n',
                 encoding="utf-8")
    assert problems_of(p) == ["s.jsonl:1:id: field appears twice in the record"]


def test_a_current_plan_that_starts_in_the_future_is_rejected(tmp_path):
    children = BASE["children.csv"].replace("neglect,2025-03-02,", "neglect,2026-03-02,")
    assert problems_of(make_seed(tmp_path, children__csv=children)) == [
        "children.csv:2:plan_start: plan_start 2026-03-02 is in the future (today is 2026-01-01); "
        "it is the date the current plan began"]


def test_a_header_ending_in_a_comma_names_the_nameless_column(tmp_path):
    # Some spreadsheet exports end every line with a comma: one problem, saying so.
    households = "".join(line + ",\n" for line in BASE["households.csv"].splitlines())
    assert problems_of(make_seed(tmp_path, households__csv=households)) == [
        "households.csv:1:#6: column 6 has no name in the header (a comma at the end of the "
        "header line?)"]


CONFERENCES_HEADER = "id,child_id,date,kind,strategy_discussion,chair\n"


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        pytest.param("K1,C1,2025-03-02,review,2025-02-20,chair\n",
                     "conferences.csv:2:strategy_discussion: must be empty unless kind is initial",
                     id="a review has no strategy discussion"),
        pytest.param("K1,C1,2025-03-02,initial,2025-03-09,chair\n",
                     "conferences.csv:2:strategy_discussion: strategy_discussion 2025-03-09 is after "
                     "the conference's date 2025-03-02",
                     id="discussion after the conference"),
        pytest.param("K1,C1,2025-03-02,initial,2025-02-30,chair\n",
                     "conferences.csv:2:strategy_discussion:",
                     id="not a date"),
    ],
)
def test_a_strategy_discussion_belongs_before_an_initial_conference(tmp_path, rows, expected):
    problems = problems_of(make_seed(tmp_path, conferences__csv=CONFERENCES_HEADER + rows))
    assert [p for p in problems if p.startswith(expected)], problems


def test_a_strategy_discussion_before_the_initial_conference_is_stored(tmp_path):
    seed = read_seed(make_seed(tmp_path, conferences__csv=CONFERENCES_HEADER
                               + "K1,C1,2025-03-02,initial,2025-02-12,chair\n"), today=TODAY)
    assert seed.rows["conference"][0]["strategy_discussion"] == date(2025, 2, 12)


# --- reading a chunk at a time (issue 20) -------------------------------------------


def _spoil(population: Path) -> None:
    """A problem of each kind the checks across records find by hashes and place by reading
    again, a malformed line, and an address over three lines (a quoted field)."""
    children = (population / "children.csv").read_text(encoding="utf-8").split("\n")
    first_child = children[1].split(",")
    _break(population / "children.csv", 40, children[39].split(",")[0] + ",", first_child[0] + ",")
    _break(population / "children.csv", 90, children[89].split(",")[6], first_child[6])
    _break(population / "children.csv", 120, children[119].split(",")[4], "2019-02-30")
    with (population / "attends.csv").open("a", encoding="utf-8") as fh:
        fh.write("C-NOBODY,S-NOWHERE,2025-01-01,\n")
    households = (population / "households.csv").read_text(encoding="utf-8").split("\n")
    households[30] = households[30].replace(",", ',"Flat 2\r\n1 Long Road\nNorthmere",', 1)
    households[31] = households[31].replace(",", ',"unclosed', 1)
    (population / "households.csv").write_text("\n".join(households), encoding="utf-8")


def test_a_seed_read_in_small_chunks_and_blocks_gives_the_same_seed(population, monkeypatch):
    from explorer.seed import reader

    whole = read_seed(population, today=TODAY, workers=1)
    monkeypatch.setattr(reader, "CHUNK_ROWS", 7)
    monkeypatch.setattr(reader, "BLOCK_BYTES", 100)
    small = read_seed(population, today=TODAY, workers=1)
    assert (small.rows, small.lines, small.columns) == (whole.rows, whole.lines, whole.columns)


def test_problems_are_placed_the_same_however_small_the_chunks(population, monkeypatch):
    from explorer.seed import reader

    _spoil(population)
    found = problems_of(population, workers=1)
    monkeypatch.setattr(reader, "CHUNK_ROWS", 3)
    monkeypatch.setattr(reader, "BLOCK_BYTES", 64)
    assert problems_of(population, workers=1) == found
    first = (population / "children.csv").read_text(encoding="utf-8").split("\n")[1].split(",")
    assert f"children.csv:40:id: duplicate id '{first[0]}' (first at line 2)" in found
    assert f"children.csv:90:nhs_number: NHS number {first[6]} is also on line 2; " \
           "it identifies one child" in found
    assert any(p.startswith("children.csv:120:date_of_birth: expected a date") for p in found)
    # The address spans lines 31 to 33; the unclosed quote starts on line 34 and ends the file.
    assert any(p.startswith("households.csv:34: malformed CSV") for p in found), found
    attends = len((population / "attends.csv").read_text(encoding="utf-8").splitlines())
    assert f"attends.csv:{attends}:child_id: no child with id 'C-NOBODY' in the seed " \
           "(children.csv)" in found
