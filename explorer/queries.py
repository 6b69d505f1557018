"""Named Cypher queries: one ``.cypher`` file per query in ``explorer/cypher/``.

The file name is the query's name. A header of ``//`` comment lines says what
it returns and which parameters it takes; a header line ``// scan: <why>``
declares that the query deliberately scans a label (tests refuse undeclared
label scans). A query that reads child data names the policy rules it applies in a
header line ``// policy: identified.scope_params, retention.is_retained`` (functions of
``explorer.policy``'s modules; tests/test_queries.py checks each exists). A query applying
an ``identified.`` rule is an identified read: only the data layer that applies the policy
(``explorer.children``) runs it (``explorer.graph.run_policed``). Files under
``explorer/cypher/schema/`` are the schema, applied by ``explorer.schema``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from pathlib import Path

# Inside the package, so an installed (not only an editable) copy has its queries.
CYPHER_DIR = Path(str(resources.files("explorer") / "cypher"))


class UnknownQuery(KeyError):
    """A query name with no file in explorer/cypher/: a programming error, never user input."""


@dataclass(frozen=True)
class Query:
    name: str
    text: str
    header: tuple[str, ...]

    @property
    def scan_allowed(self) -> bool:
        return any(line.startswith("scan:") for line in self.header)

    @property
    def policy_rules(self) -> tuple[str, ...]:
        """The policy rules the header names (``// policy: a.b, c.d``); none for ``none (why)``."""
        for line in self.header:
            if line.startswith("policy:"):
                rules = line.removeprefix("policy:").strip()
                if rules.startswith("none"):
                    return ()
                return tuple(r.strip() for r in rules.split(","))
        return ()

    @property
    def identified(self) -> bool:
        """Does the query read identified child data (so only the policy's data layer runs it)?"""
        return any(rule.startswith("identified.") for rule in self.policy_rules)

    @property
    def variants(self) -> dict[str, tuple[str, ...]]:
        """The allow-list of each ``{{NAME}}`` placeholder, from ``// vary NAME: A, B`` lines."""
        found = {}
        for line in self.header:
            match = _VARY.fullmatch(line)
            if match:
                found[match["name"]] = tuple(v.strip() for v in match["values"].split(","))
        return found

    def with_variant(self, vary: Mapping[str, str]) -> Query:
        allowed = self.variants
        text = self.text
        for name, value in vary.items():
            if value not in allowed.get(name, ()):
                raise UnknownQuery(f"{self.name}: {name}={value!r} is not in its allow-list")
            text = text.replace("{{" + name + "}}", value)
        if "{{" in text:
            raise UnknownQuery(f"{self.name}: a placeholder was left unfilled")
        return replace(self, text=text)


_VARY = re.compile(r"vary (?P<name>[A-Z_]+): (?P<values>[A-Za-z_, ]+)")


def _parse(path: Path) -> Query:
    text = path.read_text(encoding="utf-8")
    header = []
    for line in text.splitlines():
        if not line.startswith("//"):
            break
        header.append(line[2:].strip())
    return Query(name=path.stem, text=text, header=tuple(header))


@cache
def load_all(directory: Path = CYPHER_DIR) -> dict[str, Query]:
    """Read every query once; the schema folder is not part of the named queries."""
    return {path.stem: _parse(path) for path in sorted(directory.glob("*.cypher"))}


def get(name: str, vary: Mapping[str, str] | None = None) -> Query:
    try:
        query = load_all()[name]
    except KeyError:
        raise UnknownQuery(f"no query named {name!r}: expected {CYPHER_DIR / (name + '.cypher')}") from None
    if vary or query.variants:
        return query.with_variant(vary or {})
    return query


def schema_statements(directory: Path = CYPHER_DIR / "schema") -> list[Query]:
    return [_parse(path) for path in sorted(directory.glob("*.cypher"))]
