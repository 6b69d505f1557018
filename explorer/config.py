"""Configuration read from the environment, with safe defaults for the local set-up.

When ``NEO4J_URI`` is set the app uses that server (a local one, a cluster or
Aura) with ``NEO4J_USERNAME``/``NEO4J_PASSWORD``/``NEO4J_DATABASE`` and never
starts its own. Otherwise it uses the local Neo4j under ``EXPLORER_NEO4J_HOME``.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from explorer.errors import DatabaseUnavailable
from explorer.localdb import LocalNeo4j
from explorer.paths import DEFAULT_VAR_DIR


@dataclass(frozen=True)
class Neo4jSettings:
    uri: str
    username: str
    database: str
    password: str | None  # None: read from the local instance's password file when needed
    local: LocalNeo4j | None  # the instance we run ourselves, if NEO4J_URI is unset
    max_retry_time: float = 0.5

    def resolve_password(self) -> str:
        if self.password is not None:
            return self.password
        assert self.local is not None
        try:
            return self.local.password
        except FileNotFoundError:
            raise DatabaseUnavailable(
                "the local Neo4j has not been set up yet: run `explorer db start`"
            ) from None


@dataclass(frozen=True)
class Config:
    neo4j: Neo4jSettings
    secret_key: str
    var_dir: Path
    # Keys the analysts' pseudonyms: stable for a deployment, never shown to anyone.
    pseudonym_key: str = ""
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Config:
        env = os.environ if environ is None else environ
        var_dir = Path(env.get("EXPLORER_VAR_DIR", DEFAULT_VAR_DIR))
        return cls(neo4j=neo4j_settings(env, var_dir),
                   secret_key=_kept_secret(env, "SECRET_KEY", var_dir / "secret_key"),
                   var_dir=var_dir,
                   pseudonym_key=_kept_secret(env, "EXPLORER_PSEUDONYM_KEY", var_dir / "pseudonym_key"))


def local_instance(env: Mapping[str, str], var_dir: Path) -> LocalNeo4j:
    return LocalNeo4j(
        Path(env.get("EXPLORER_NEO4J_HOME", var_dir / "neo4j")),
        bolt_port=int(env.get("EXPLORER_NEO4J_BOLT_PORT", "7687")),
        heap=env.get("EXPLORER_NEO4J_HEAP", "1g"),
        pagecache=env.get("EXPLORER_NEO4J_PAGECACHE", "512m"),
    )


def neo4j_settings(env: Mapping[str, str], var_dir: Path) -> Neo4jSettings:
    retry = float(env.get("EXPLORER_NEO4J_RETRY_SECONDS", "0.5"))
    database = env.get("NEO4J_DATABASE", "neo4j")
    if env.get("NEO4J_URI"):
        return Neo4jSettings(
            uri=env["NEO4J_URI"], username=env.get("NEO4J_USERNAME", "neo4j"),
            password=env.get("NEO4J_PASSWORD", ""), database=database, local=None,
            max_retry_time=retry,
        )
    local = local_instance(env, var_dir)
    return Neo4jSettings(uri=local.uri, username="neo4j", password=None, database=database,
                         local=local, max_retry_time=retry)


def _kept_secret(env: Mapping[str, str], name: str, path: Path) -> str:
    """A secret from the environment, else one generated once and kept in ``path`` (0600)."""
    if env.get(name):
        return env[name]
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_text().strip()
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32) + "\n")
    return path.read_text().strip()
