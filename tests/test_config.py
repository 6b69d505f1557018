"""Configuration from the environment: NEO4J_URI means "use that server, start none"."""

from __future__ import annotations

import subprocess
import sys

from explorer import create_app
from explorer.config import Config


def test_without_neo4j_uri_the_local_instance_is_used(tmp_path):
    config = Config.from_environment({"EXPLORER_VAR_DIR": str(tmp_path),
                                      "EXPLORER_NEO4J_BOLT_PORT": "7999"})
    assert config.neo4j.local is not None
    assert config.neo4j.uri == "neo4j://127.0.0.1:7999"
    assert config.neo4j.local.home == (tmp_path / "neo4j").resolve()


def test_with_neo4j_uri_that_server_is_used_and_none_is_started(tmp_path):
    env = {"EXPLORER_VAR_DIR": str(tmp_path), "NEO4J_URI": "neo4j+s://example.invalid:7687",
           "NEO4J_USERNAME": "reader", "NEO4J_PASSWORD": "pw", "NEO4J_DATABASE": "children"}
    config = Config.from_environment(env)
    assert config.neo4j.local is None
    assert (config.neo4j.uri, config.neo4j.username, config.neo4j.database) == (
        "neo4j+s://example.invalid:7687", "reader", "children")
    assert config.neo4j.resolve_password() == "pw"


def test_db_start_refuses_while_neo4j_uri_is_set(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "EXPLORER_VAR_DIR": str(tmp_path),
           "NEO4J_URI": "bolt://127.0.0.1:1", "NEO4J_PASSWORD": "x"}
    result = subprocess.run([sys.executable, "-m", "explorer.cli", "db", "start"], env=env,
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode != 0
    assert "NEO4J_URI is set" in result.stderr
    assert not (tmp_path / "neo4j").exists()


def test_secrets_are_generated_once_and_kept_owner_only(tmp_path):
    first = Config.from_environment({"EXPLORER_VAR_DIR": str(tmp_path)})
    second = Config.from_environment({"EXPLORER_VAR_DIR": str(tmp_path)})
    assert first.secret_key == second.secret_key and len(first.secret_key) >= 32
    assert first.pseudonym_key == second.pseudonym_key != first.secret_key
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_the_app_is_created_with_the_server_named_by_neo4j_uri(tmp_path):
    config = Config.from_environment({"EXPLORER_VAR_DIR": str(tmp_path),
                                      "NEO4J_URI": "neo4j://db.example.invalid:7687",
                                      "NEO4J_PASSWORD": "x"})
    app = create_app({"TESTING": True, "EXPLORER_CONFIG": config})
    assert app.extensions["graph"].settings.uri == "neo4j://db.example.invalid:7687"
