"""Named Cypher queries: one ``.cypher`` file per query in ``cypher/``.

The file name is the query's name. A header of ``//`` comment lines says what
it returns and which parameters it takes; a header line ``// scan: <why>``
declares that the query deliberately scans a label (tests refuse undeclared
label scans). Files under ``cypher/schema/`` are the schema, applied by
``explorer.schema``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from explorer.localdb import REPO_ROOT

CYPHER_DIR = REPO_ROOT / "cypher"


class UnknownQuery(KeyError):
    """A query name with no file in cypher/: a programming error, never user input."""


@dataclass(frozen=True)
class Query:
    name: str
    text: str
    header: tuple[str, ...]

    @property
    def scan_allowed(self) -> bool:
        return any(line.startswith("scan:") for line in self.header)


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


def get(name: str) -> Query:
    try:
        return load_all()[name]
    except KeyError:
        raise UnknownQuery(f"no query named {name!r}: expected {CYPHER_DIR / (name + '.cypher')}") from None


def schema_statements(directory: Path = CYPHER_DIR / "schema") -> list[Query]:
    return [_parse(path) for path in sorted(directory.glob("*.cypher"))]
