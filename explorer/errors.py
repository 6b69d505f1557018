"""The project's own errors, in a module that imports nothing of ours, so that config, the
graph handle and the web layer can all name them without importing each other."""

from __future__ import annotations


class ExplorerError(Exception):
    """Base of the project's own errors."""


class DatabaseUnavailable(ExplorerError):
    """Neo4j cannot be reached (stopped, restarting, wrong address or credentials)."""


class DatabaseBusy(DatabaseUnavailable):
    """A transient refusal (deadlock, lock timeout, leader switch): the same work may succeed again."""


class QueryFailed(ExplorerError):
    """Neo4j refused a query; carries the server's code for logs, never user data."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


class PolicedQuery(ExplorerError):
    """An identified read (a query applying an ``identified.`` policy rule) asked for outside
    the policy's data layer: a programming error, never user input."""
