"""A synthetic population in the seed format, reproducible from a seed number.

`generate(out_dir, children=N, seed=S)` writes the CSV files of
docs/seed-format.md. It streams: households are made and written one at a
time, so memory stays flat however many children are asked for. The same
`seed` and `today` give the same bytes (one `random.Random(seed)`, one more
for plan history and one for earlier allocations, fixed iteration orders, no
clock).

Proportions follow docs/domain.md (from the team's domain document): children in
need 3.3% of children *including* those on a child protection plan (0.4%;
neglect about half, emotional about a third, sexual 3%) and those looked
after (0.7%); about 23% of children on a plan had an earlier one (`plans.csv`,
sometimes two), as in England's figures for plans starting in a year; about
12% of children with an allocated social worker had the same worker before
(an ended allocation, then a re-referral: two involvements between the same
two people, ids `IR...`); 0.5%
shielded (whole households: refuges, witness protection); social worker
caseloads averaging about 15 with a long tail; no GP for about 2% and no
school for about 1% of children of compulsory school age. Names
come from Faker's en_GB word lists (with a share of accented and
apostrophised names from its other British-relevant lists); everything is
synthetic.
"""

from __future__ import annotations

import csv
import math
import random
import sys
import unicodedata
from collections import deque
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path

from tqdm import tqdm

from explorer import clock
from explorer.seed.schema import SEED_TYPES
from explorer.seed.validate import nhs_check_digit

# The fixed date the tests and benchmarks generate with, so their populations (and the
# figures measured on them) are the same bytes from one day to the next. Not the
# command line's default: a seed made "as of" a past date fails validation today (its
# oldest children have turned 18 since), so `explorer seed generate` uses today's date.
DEFAULT_TODAY = date(2026, 1, 1)

# Rates per child (domain.md). CIN includes CP and looked-after children.
P_CP = 0.004
P_LAC = 0.007
P_CIN = 0.033
P_SHIELDED_HOUSEHOLD = 0.005
P_NO_GP = 0.02
P_MISSING_EDUCATION = 0.01
P_CARE_LEAVER_HOUSEHOLD = 0.006
P_UNBORN = 0.0015
# England: about 23% of children starting a child protection plan have been on one before;
# a minority of those more than once.
P_REPEAT_PLAN = 0.23
P_THIRD_PLAN = 0.2
# Children with an allocated social worker who had the same worker before (re-referred).
P_EARLIER_ALLOCATION = 0.12
CASELOAD = 15.4
PLAN_CATEGORIES = (("neglect", 0.50), ("emotional", 0.33), ("sexual", 0.03),
                   ("physical", 0.08), ("multiple", 0.06))
STREET_TYPES = ("Road", "Street", "Close", "Avenue", "Lane", "Way", "Drive", "Grove",
                "Crescent", "Gardens", "Terrace", "Court", "Place", "Row", "Walk")
LA_HEADS = ("North", "South", "East", "West", "Upper", "Lower", "Great", "Little", "Kings",
            "Market", "Long", "High")
LA_TAILS = ("mere", "wick", "ford", "ham", "bury", "field", "ton", "stead", "combe", "by",
            "minster", "bridge")
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


class _Names:
    """Faker's word lists, loaded once and sampled with our own Random."""

    def __init__(self) -> None:
        from faker.providers.person.en_GB import Provider as GB
        from faker.providers.person.en_IE import Provider as IE
        from faker.providers.person.fr_FR import Provider as FR
        from faker.providers.person.pl_PL import Provider as PL
        from faker.providers.person.pt_PT import Provider as PT

        def accented(*lists: tuple[str, ...]) -> list[str]:
            return sorted({n for lst in lists for n in lst if not n.isascii() and " " not in n})

        self.female = list(GB.first_names_female)
        self.male = list(GB.first_names_male)
        self.last = list(GB.last_names)
        self.last_cum = list(accumulate(GB.last_names.values()))
        self.female_accented = accented(FR.first_names_female, PT.first_names_female,
                                        PL.first_names_female)
        self.male_accented = accented(FR.first_names_male, PT.first_names_male,
                                      PL.first_names_male)
        self.last_apostrophe = sorted({n for n in (*GB.last_names, *IE.last_names) if "'" in n})
        self.last_accented = accented(tuple(PL.last_names), tuple(FR.last_names))

    def given(self, rng: random.Random, gender: str) -> str:
        if gender not in ("female", "male"):
            gender = "female" if rng.random() < 0.5 else "male"
        if rng.random() < 0.04:
            pool = self.female_accented if gender == "female" else self.male_accented
        else:
            pool = self.female if gender == "female" else self.male
        return pool[int(rng.random() * len(pool))]

    def family(self, rng: random.Random) -> str:
        r = rng.random()
        if r < 0.03:
            return self.last_apostrophe[int(rng.random() * len(self.last_apostrophe))]
        if r < 0.05 and self.last_accented:
            return self.last_accented[int(rng.random() * len(self.last_accented))]
        return rng.choices(self.last, cum_weights=self.last_cum)[0]


def _ascii(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text)
                   if c.isascii() and (c.isalnum() or c in ".-")).lower()


def _b(value: bool) -> str:
    return "true" if value else "false"


def _d(value: date | None) -> str:
    return value.isoformat() if value else ""


class _Pool:
    """Practitioners of one profession in one LA, picked with fixed weights."""

    def __init__(self, ids: list[str], weights: list[float]):
        self.ids = ids
        self.cum = list(accumulate(weights))

    def pick(self, rng: random.Random) -> str:
        return rng.choices(self.ids, cum_weights=self.cum)[0]


def _plan_category(rng: random.Random) -> str:
    """A plan category in England's proportions (one draw)."""
    v, acc = rng.random(), 0.0
    for category, p in PLAN_CATEGORIES:
        acc += p
        if v < acc:
            return category
    return PLAN_CATEGORIES[-1][0]


# (minimum age, rate, profession, service, role, chance of consent to share)
TARGETED_SERVICES = (
    (5, 0.015, "camhs_clinician", "camhs", "CAMHS clinician", 0.55),
    (13, 0.01, "sexual_health_nurse", "sexual_health", "sexual health nurse", 0.5),
    (12, 0.004, "substance_misuse_worker", "substance_misuse", "substance misuse worker", 0.4),
    (10, 0.003, "youth_justice_officer", "youth_justice", "youth justice case manager", 1.0),
)


@dataclass(frozen=True)
class _Child:
    """What the later steps of making a child need of its record."""

    id: str
    kind: str
    dob: date
    age: int
    status: str
    plan_start: date | None
    care_leaver: bool
    shielded: bool


class _Generator:
    def __init__(self, out: Path, children: int, seed: int, today: date, progress: bool):
        self.out = out
        self.target = children
        self.rng = random.Random(seed)  # noqa: S311 (synthetic data, reproducible by design)
        # Plan history draws from its own stream, so that adding it left every other file of
        # a given seed as it was (cached benchmark populations stay comparable).
        self.plan_rng = random.Random(f"plans:{seed}")  # noqa: S311
        # So do earlier allocations of a child's current social worker (re-referrals), with
        # ids of their own (IR...): every other id and row is as it was.
        self.return_rng = random.Random(f"returns:{seed}")  # noqa: S311
        self.today = today
        self.progress = progress
        self.names = _Names()
        self.counts = {t.name: 0 for t in SEED_TYPES}
        self.n = {"C": 0, "A": 0, "H": 0, "P": 0, "I": 0, "IR": 0, "K": 0, "PL": 0}
        self.nhs_i = 0
        self.nhs_offset = self.rng.randrange(10**9)

    # --- output -------------------------------------------------------------

    def open(self) -> None:
        self.out.mkdir(parents=True, exist_ok=True)
        self.files = {}
        self.writers = {}
        for t in SEED_TYPES:
            f = open(self.out / t.file, "w", encoding="utf-8", newline="")  # noqa: SIM115
            self.files[t.name] = f
            w = csv.writer(f, lineterminator="\n")
            w.writerow([c.name for c in t.columns])
            self.writers[t.name] = w

    def close(self) -> None:
        for f in self.files.values():
            f.close()

    def write(self, name: str, row: list) -> None:
        self.writers[name].writerow(row)
        self.counts[name] += 1

    def next_id(self, prefix: str, width: int = 7) -> str:
        self.n[prefix] += 1
        return f"{prefix}{self.n[prefix]:0{width}d}"

    # --- helpers ------------------------------------------------------------

    def nhs_number(self) -> str:
        # A bijection of a counter onto 9 digits (3**18 is coprime with 10**9)
        # gives unique, scattered numbers without remembering the used ones.
        while True:
            self.nhs_i += 1
            body = f"{(self.nhs_i * 387_420_489 + self.nhs_offset) % 10**9:09d}"
            check = nhs_check_digit(body)
            if check is not None:
                return body + str(check)

    def days_ago(self, low: int, high: int) -> date:
        return self.today - timedelta(days=self.rng.randint(low, high))

    def between(self, start: date, end: date) -> date:
        if end <= start:
            return start
        return start + timedelta(days=int(self.rng.random() * (end - start).days))

    def years_ago(self, years: int) -> date:
        try:
            return self.today.replace(year=self.today.year - years)
        except ValueError:  # 29 February
            return self.today.replace(year=self.today.year - years, day=28)

    # --- the fixed part: authorities, services, practitioners ------------------

    def setup(self) -> None:
        rng = self.rng
        n_la = max(3, math.ceil(self.target / 75_000))
        combos = [h + t for h in LA_HEADS for t in LA_TAILS]
        rng.shuffle(combos)
        self.las = []
        per_la = self.target / n_la
        for i in range(n_la):
            name = combos[i % len(combos)] + ("" if i < len(combos) else f" {i // len(combos)}")
            area = (POSTCODE_LETTERS[i % 20] + POSTCODE_LETTERS[(i // 20 + 7) % 20])
            la = {"name": name, "area": area, "pools": {}, "services": {}}
            self.las.append(la)
            self.services(la, i, per_la)
            self.pools(la, per_la)
            la["chairs"] = [f"chair.{_ascii(name)}.{k + 1}"
                            for k in range(max(1, round(per_la * P_CP / 60)))]
            la["adults"] = deque(maxlen=2000)

    def services(self, la: dict, i: int, per_la: float) -> None:
        """An authority's services, schools and GP practices, and their named leads."""
        rng, name = self.rng, la["name"]
        n_svc = 0

        def service(kind: str, title: str, sensitive: bool = False) -> str:
            nonlocal n_svc
            n_svc += 1
            sid = f"S{i + 1:03d}-{n_svc:04d}"
            self.write("service", [sid, title, kind, _b(sensitive), name])
            return sid

        s = la["services"]
        for kind, title in (
            ("social_care", f"{name} Children's Social Care"),
            ("health_visiting", f"{name} Health Visiting"),
            ("camhs", f"{name} CAMHS"),
            ("sexual_health", f"{name} Sexual Health Service"),
            ("substance_misuse", f"{name} Young People's Substance Misuse Service"),
            ("youth_justice", f"{name} Youth Justice Service"),
            ("early_help", f"{name} Early Help"),
            ("leaving_care", f"{name} Leaving Care Team"),
            ("police", f"{name} Police Child Protection Unit"),
            ("mental_health", f"{name} Mental Health Trust"),
            ("other", f"{name} Maternity"),
        ):
            s[kind] = service(kind, title, kind in ("camhs", "sexual_health",
                                                    "substance_misuse", "mental_health"))
        s["domestic_abuse"] = service("other", f"{name} Domestic Abuse Service", True)
        n_primary = max(2, round(per_la * 7 / 18 / 300))
        n_secondary = max(1, round(per_la * 7 / 18 / 1000))
        n_gp = max(2, round(per_la / 2000))
        la["primary"] = [service("school", f"{self.names.family(rng)} Primary School")
                         for _ in range(n_primary)]
        la["secondary"] = [service("school", f"{self.names.family(rng)} Academy")
                           for _ in range(n_secondary)]
        la["gp"] = [service("gp_practice", f"{self.names.family(rng)} Surgery")
                    for _ in range(n_gp)]
        la["dsl"] = {sid: self.practitioner(la, "teacher", sid)
                     for sid in la["primary"] + la["secondary"]}
        la["school_nurse"] = {sid: self.practitioner(la, "school_nurse", sid)
                              for sid in la["secondary"]}
        la["gp_lead"] = {sid: self.practitioner(la, "gp", sid) for sid in la["gp"]}

    def pools(self, la: dict, per_la: float) -> None:
        """An authority's practitioners by profession, sized by the children they serve."""
        rng = self.rng

        def pool(profession: str, service_kind: str, count: float, sigma: float = 0.3) -> None:
            ids = [self.practitioner(la, profession, la["services"][service_kind])
                   for _ in range(max(1, round(count)))]
            # Lognormal weights give the long tail of caseloads.
            weights = [rng.lognormvariate(0, sigma) for _ in ids]
            la["pools"][profession] = _Pool(ids, weights)

        pool("social_worker", "social_care", per_la * P_CIN / CASELOAD, sigma=0.6)
        pool("health_visitor", "health_visiting", per_la * 5 / 18 / 300)
        pool("camhs_clinician", "camhs", per_la * 0.015 / 40)
        pool("sexual_health_nurse", "sexual_health", per_la * 0.003 / 40)
        pool("substance_misuse_worker", "substance_misuse", per_la * 0.0015 / 30)
        pool("youth_justice_officer", "youth_justice", per_la * 0.0012 / 12)
        pool("family_support_worker", "early_help", per_la * 0.02 / 25)
        pool("personal_adviser", "leaving_care", per_la * P_CARE_LEAVER_HOUSEHOLD / 20)
        pool("police_officer", "police", per_la * P_CP / 20)
        pool("midwife", "other", per_la * P_UNBORN * 2 / 10)
        pool("other", "domestic_abuse", per_la * P_SHIELDED_HOUSEHOLD / 15)

    def practitioner(self, la: dict, profession: str, service_id: str) -> str:
        rng = self.rng
        pid = self.next_id("P", 6)
        gender = "female" if rng.random() < 0.75 else "male"
        given, family = self.names.given(rng, gender), self.names.family(rng)
        phone = f"01632 960{rng.randrange(1000):03d}"
        email = f"{_ascii(given)}.{_ascii(family)}.{pid.lower()}@{_ascii(la['name'])}.example"
        self.write("practitioner", [pid, given, family, profession, phone, email])
        since = self.days_ago(30, 365 * 15)
        self.write("works_for", [pid, service_id, _d(since), ""])
        return pid

    # --- the streamed part: households -----------------------------------------

    def household(self, la: dict, address_status: str | None = None) -> str:
        rng = self.rng
        hid = self.next_id("H")
        status = address_status or ("known" if rng.random() < 0.97 else
                                    "last_known" if rng.random() < 0.67 else "none")
        if status == "none":
            address = postcode = ""
        else:
            street = f"{self.names.family(rng)} {STREET_TYPES[rng.randrange(len(STREET_TYPES))]}"
            address = f"{rng.randint(1, 240)} {street}, {la['name']}"
            letters = POSTCODE_LETTERS
            postcode = (f"{la['area']}{rng.randint(1, 29)} {rng.randrange(10)}"
                        f"{letters[rng.randrange(20)]}{letters[rng.randrange(20)]}")
        self.write("household", [hid, address, postcode, la["name"], status])
        return hid

    def adult(self, family: str, hid: str, since: date) -> str:
        rng = self.rng
        aid = self.next_id("A")
        gender = "female" if rng.random() < 0.5 else "male"
        given = self.names.given(rng, gender)
        dob = self.days_ago(365 * 19, 365 * 55)
        phone = f"07700 900{rng.randrange(1000):03d}" if rng.random() < 0.8 else ""
        email = (f"{_ascii(given)}.{_ascii(family)}{rng.randrange(100)}@example.org"
                 if rng.random() < 0.3 else "")
        self.write("adult", [aid, given, family, _d(dob), phone, email])
        self.write("lives_in", [aid, hid, _d(since), ""])
        return aid

    def involve(self, pid: str, cid: str, sid: str, role: str, since: date,
                until: date | None = None, lead: bool = False, caf: bool = False,
                consent: bool = False) -> None:
        if until is not None and until < since:
            until = since
        if until is not None and until > self.today:
            until = None
        self.write("involved_with", [self.next_id("I", 8), pid, cid, sid, role, _d(since),
                                     _d(until), _b(lead), _b(caf), _b(consent)])

    def earlier_allocation(self, pid: str, cid: str, sid: str, dob: date, since: date) -> None:
        """Sometimes the same social worker had the child before: an ended allocation (a case
        closed, then re-referred), so a child's network holds two involvements between the
        same two people. About one in five children in need in England is re-referred within
        a year; a fraction of those come back to the same worker."""
        rng = self.return_rng
        if rng.random() >= P_EARLIER_ALLOCATION:
            return
        latest_end = since - timedelta(days=60)
        earliest = max(dob, since - timedelta(days=3 * 365))
        room = (latest_end - earliest).days - 30
        if room <= 0:
            return
        start = earliest + timedelta(days=int(rng.random() * room))
        end = min(start + timedelta(days=rng.randint(30, 400)), latest_end)
        self.write("involved_with", [self.next_id("IR", 7), pid, cid, sid, "allocated social worker",
                                     _d(start), _d(end), _b(True), _b(False), _b(False)])

    def child(self, la: dict, hid: str, family: str, parents: list[str], schools: tuple,
              gp: str, hv: str, social_worker: str | None, shielded: bool,
              kind: str = "child") -> str | None:
        # Each step draws from the same random streams in the same order as ever: the same
        # seed gives the same bytes.
        kid = self.child_record(family, shielded, kind)
        for aid in parents:
            self.write("parent_of", [aid, kid.id, "true"])
        self.homes(la, hid, kid)
        if kind == "unborn":
            assert kid.plan_start is not None  # an unborn plan always has its start
            rng = self.rng
            self.involve(la["pools"]["midwife"].pick(rng), kid.id, la["services"]["other"],
                         "community midwife", self.days_ago(30, 200))
            self.involve(social_worker or la["pools"]["social_worker"].pick(rng), kid.id,
                         la["services"]["social_care"], "allocated social worker (pre-birth)",
                         kid.plan_start, lead=True)
            return kid.id
        school = self.universal_services(la, kid, schools, gp, hv)
        self.social_care(la, kid, social_worker, school, gp)
        if kid.care_leaver:
            self.leaving_care(la, kid)
            return kid.id
        self.targeted_services(la, kid)
        return kid.id

    def child_record(self, family: str, shielded: bool, kind: str) -> _Child:
        """The child's own row: who, born when, and on what plan."""
        rng, today = self.rng, self.today
        cid = self.next_id("C")
        r = rng.random()
        gender = ("female" if r < 0.49 else "male" if r < 0.98 else
                  "other" if r < 0.985 else "not_specified")
        given = self.names.given(rng, gender)
        care_leaver = kind == "care_leaver"
        status, category, plan_start = "none", "", None
        if kind == "unborn":
            dob = today + timedelta(days=rng.randint(14, 200))
            status, plan_start = "unborn_plan", self.days_ago(1, 120)
            given, gender = "Baby", "not_specified"
        elif care_leaver:
            dob = self.between(self.years_ago(25) + timedelta(days=1), self.years_ago(18))
        else:
            dob, status, category, plan_start = self.current_plan()
        former = ""
        if rng.random() < 0.01 and kind == "child":
            former = f"{given} {self.names.family(rng)}"
        nhs = self.nhs_number() if kind != "unborn" and rng.random() < 0.99 else ""
        self.write("child", [cid, given, family, former, _d(dob), gender, nhs, _b(shielded),
                             status, category, _d(plan_start), "", _b(care_leaver),
                             # Every care leaver generated is 18 to 24, and one who had not
                             # consented would have been archived at 18 and never be in a feed.
                             _b(care_leaver)])
        return _Child(cid, kind, dob, (today - dob).days // 365, status, plan_start,
                      care_leaver, shielded)

    def current_plan(self) -> tuple[date, str, str, date | None]:
        """A born child's birth, status, plan category and plan start."""
        rng, today = self.rng, self.today
        status, category, plan_start = "none", "", None
        dob = today - timedelta(days=rng.randrange(18 * 365))
        u = rng.random()
        if u < P_CP:
            status = "cp_plan"
            category = _plan_category(rng)
            plan_start = max(dob, today - timedelta(days=min(1500, int(
                rng.expovariate(1 / 300)) + 1)))
        elif u < P_CP + P_LAC:
            status = "looked_after"
            plan_start = self.between(dob, today - timedelta(days=1))
        elif u < P_CIN:
            status = "child_in_need"
        return dob, status, category, plan_start

    def homes(self, la: dict, hid: str, kid: _Child) -> None:
        """Where the child lives: the family's household, or a foster home since the plan."""
        rng, cid = self.rng, kid.id
        if kid.status == "looked_after":
            self.write("lives_in", [cid, hid, _d(kid.dob), _d(kid.plan_start)])
            foster = self.household(la, "known")
            carers = [self.adult(self.names.family(rng), foster, self.days_ago(365, 7000))
                      for _ in range(1 if rng.random() < 0.4 else 2)]
            for aid in carers:
                self.write("carer_of", [aid, cid, "false"])
            self.write("lives_in", [cid, foster, _d(kid.plan_start), ""])
        elif kid.kind != "unborn":
            self.write("lives_in", [cid, hid, _d(kid.dob) if not kid.care_leaver else
                                    _d(self.between(self.years_ago(18), self.today)), ""])

    def universal_services(self, la: dict, kid: _Child, schools: tuple, gp: str,
                           hv: str) -> str | None:
        """GP, school and health visitor; returns the school attended now, if any."""
        rng, today, cid, dob, age = self.rng, self.today, kid.id, kid.dob, kid.age
        if rng.random() >= P_NO_GP:
            self.write("registered_with", [cid, gp, _d(min(today, dob + timedelta(days=14))), ""])
        school = None
        if not kid.care_leaver and age >= 4:
            first_year = dob.year + (5 if dob.month >= 9 else 4)
            primary_start = date(first_year, 9, 1)
            secondary_start = date(first_year + 7, 9, 1)
            missing = 5 <= age <= 15 and rng.random() < P_MISSING_EDUCATION
            if not missing and primary_start <= today:
                if secondary_start <= today:
                    if age < 16 or rng.random() < 0.7:
                        school = schools[1]
                        self.write("attends", [cid, school, _d(secondary_start), ""])
                else:
                    school = schools[0]
                    self.write("attends", [cid, school, _d(primary_start), ""])
        if age < 5:
            self.involve(hv, cid, la["services"]["health_visiting"], "health visitor",
                         dob + timedelta(days=10))
        elif age == 5:
            self.involve(hv, cid, la["services"]["health_visiting"], "health visitor",
                         dob + timedelta(days=10), until=dob + timedelta(days=365 * 5 + 1))
        return school

    def social_care(self, la: dict, kid: _Child, social_worker: str | None, school: str | None,
                    gp: str) -> None:
        """The allocated social worker and, for a plan, the professionals around it."""
        rng, today, cid, dob, status = self.rng, self.today, kid.id, kid.dob, kid.status
        sw_service = la["services"]["social_care"]
        if status in ("cp_plan", "looked_after", "child_in_need"):
            # A few plans have no allocated social worker: the gap analysts look for.
            allocated = rng.random() >= (0.005 if status != "child_in_need" else 0.03)
            since = kid.plan_start or self.between(max(dob, self.years_ago(3)), today)
            if allocated and social_worker:
                self.earlier_allocation(social_worker, cid, sw_service, dob, since)
                self.involve(social_worker, cid, sw_service, "allocated social worker",
                             since, lead=status != "child_in_need" or rng.random() < 0.9)
            if status == "cp_plan":
                self.protection_plan(la, kid, school, gp, since)
        elif rng.random() < 0.015 and kid.age > 0:
            since = self.between(dob, today)
            self.involve(la["pools"]["social_worker"].pick(rng), cid, sw_service,
                         "allocated social worker", since,
                         until=since + timedelta(days=rng.randint(30, 400)), lead=True)

    def protection_plan(self, la: dict, kid: _Child, school: str | None, gp: str,
                        since: date) -> None:
        rng, cid = self.rng, kid.id
        if school:
            self.involve(la["dsl"][school], cid, school, "designated safeguarding lead", since)
        self.involve(la["gp_lead"][gp], cid, gp, "safeguarding lead GP", since)
        if rng.random() < 0.3:
            self.involve(la["pools"]["police_officer"].pick(rng), cid,
                         la["services"]["police"], "investigating officer",
                         since - timedelta(days=14), until=since + timedelta(days=60))
        assert kid.plan_start is not None
        self.conferences(la, cid, kid.plan_start)
        self.previous_plans(cid, kid.dob, kid.plan_start)

    def leaving_care(self, la: dict, kid: _Child) -> None:
        rng, dob = self.rng, kid.dob
        turned_18 = dob.replace(year=dob.year + 18) if not (dob.month == 2 and dob.day == 29) \
            else date(dob.year + 18, 3, 1)
        self.involve(la["pools"]["social_worker"].pick(rng), kid.id, la["services"]["social_care"],
                     "allocated social worker (looked after)", self.between(
                         dob, turned_18 - timedelta(days=365)), until=turned_18, lead=True)
        if rng.random() < 0.85:
            self.involve(la["pools"]["personal_adviser"].pick(rng), kid.id,
                         la["services"]["leaving_care"], "personal adviser", turned_18,
                         lead=True)

    def targeted_services(self, la: dict, kid: _Child) -> None:
        """Targeted and sensitive services; some ceased."""
        rng, today, cid, dob, age = self.rng, self.today, kid.id, kid.dob, kid.age
        if kid.shielded:
            self.involve(la["pools"]["other"].pick(rng), cid, la["services"]["domestic_abuse"],
                         "children's domestic abuse worker", self.days_ago(1, 700))
        if kid.status == "none" and rng.random() < 0.02:
            since = self.between(dob, today)
            ended = rng.random() < 0.3
            self.involve(la["pools"]["family_support_worker"].pick(rng), cid,
                         la["services"]["early_help"], "family support worker", since,
                         until=since + timedelta(days=rng.randint(60, 300)) if ended else None,
                         lead=rng.random() < 0.7, caf=rng.random() < 0.8)
        for min_age, rate, prof, svc, role, p_consent in TARGETED_SERVICES:
            if age >= min_age and rng.random() < rate:
                since = self.between(self.years_ago(2), today)
                until = since + timedelta(days=rng.randint(30, 400)) \
                    if rng.random() < 0.2 else None
                self.involve(la["pools"][prof].pick(rng), cid, la["services"][svc], role,
                             since, until=until, consent=rng.random() < p_consent)

    def conferences(self, la: dict, cid: str, plan_start: date) -> None:
        chair = la["chairs"][int(self.rng.random() * len(la["chairs"]))]
        when, kind = plan_start, "initial"
        while when <= self.today:
            # The strategy discussion a fortnight before the initial conference (ten working
            # days, within the fifteen allowed); a review has none.
            discussed = _d(when - timedelta(days=14)) if kind == "initial" else ""
            self.write("conference", [self.next_id("K", 6), cid, _d(when), kind, discussed, chair])
            when += timedelta(days=91 if kind == "initial" else 182)
            kind = "review"

    def previous_plans(self, cid: str, dob: date, plan_start: date) -> None:
        """Earlier, ended plans of a child now on a plan, going back from the current one:
        each ends a while before the next starts and starts on or after birth."""
        rng = self.plan_rng
        if rng.random() >= P_REPEAT_PLAN:
            return
        count = 2 if rng.random() < P_THIRD_PLAN else 1
        spans = []
        next_start = plan_start
        for _ in range(count):
            end = next_start - timedelta(days=30 + min(2500, int(rng.expovariate(1 / 500))))
            start = max(dob, end - timedelta(days=90 + min(1400, int(rng.expovariate(1 / 270)))))
            if end < dob + timedelta(days=30):
                break  # too young for (another) earlier plan
            spans.append((start, end))
            next_start = start
        for start, end in reversed(spans):
            self.write("plan", [self.next_id("PL"), cid, _plan_category(rng), _d(start), _d(end)])

    def family(self, la: dict) -> int:
        rng = self.rng
        shielded = rng.random() < P_SHIELDED_HOUSEHOLD
        hid = self.household(la)
        family = self.names.family(rng)
        if rng.random() < P_CARE_LEAVER_HOUSEHOLD:
            self.child(la, hid, family, [], (None, None), la["gp"][rng.randrange(len(la["gp"]))],
                       "", None, shielded, kind="care_leaver")
            return 1
        n_children = rng.choices((1, 2, 3, 4), cum_weights=(45, 78, 93, 100))[0]
        n_adults = 1 if rng.random() < 0.3 else 2
        moved_in = self.days_ago(0, 6000)
        adults = [self.adult(family, hid, moved_in) for _ in range(n_adults)]
        parents = list(adults)
        # Siblings across households: a parent who lives elsewhere.
        if n_adults == 1 and la["adults"] and rng.random() < 0.4:
            parents.append(la["adults"][int(rng.random() * len(la["adults"]))])
        la["adults"].extend(adults)
        schools = (la["primary"][rng.randrange(len(la["primary"]))],
                   la["secondary"][rng.randrange(len(la["secondary"]))])
        gp = la["gp"][rng.randrange(len(la["gp"]))]
        hv = la["pools"]["health_visitor"].pick(rng)
        sw = la["pools"]["social_worker"].pick(rng)  # siblings share a social worker
        made = 0
        for _ in range(n_children):
            self.child(la, hid, family, parents, schools, gp, hv, sw, shielded)
            made += 1
        if rng.random() < P_UNBORN * 2:
            self.child(la, hid, family, adults[:1], schools, gp, hv, sw, shielded,
                       kind="unborn")
            made += 1
        return made

    def run(self) -> dict[str, int]:
        self.open()
        try:
            self.setup()
            made = 0
            with tqdm(total=self.target, unit="child", file=sys.stderr, mininterval=0.5,
                      disable=not self.progress, desc="generating") as bar:
                while made < self.target:
                    la = self.las[int(self.rng.random() * len(self.las))]
                    n = self.family(la)
                    made += n
                    bar.update(n)
        finally:
            self.close()
        return dict(self.counts)


def generate(out_dir: str | Path, *, children: int, seed: int,
             today: date | None = None, progress: bool = False) -> dict[str, int]:
    """Write a synthetic population of about `children` children to `out_dir`, as of
    `today` (default: today's date, so that it validates and loads today).

    The last household may take the count a few children past `children`.
    Returns the number of rows written per seed type. The same `seed` and
    `today` always give byte-identical files.
    """
    if children < 1:
        raise ValueError("children must be at least 1")
    return _Generator(Path(out_dir), children, seed, today or clock.today(), progress).run()
