"""The one module that talks to the Neo4j driver.

Every read and write goes through :class:`Graph`: managed transactions
(``execute_read`` routed to readers, ``execute_write`` to the leader), the
configured database named on every call, results consumed inside the
transaction function and returned as plain Python data, and driver errors
turned into :class:`DatabaseUnavailable` (the server is unreachable: a 503 and
a clear page) or :class:`QueryFailed` (the server refused a query: a bug or bad
input). Query text comes only from ``cypher/`` by name.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import functools
import threading
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from typing import Any, TypeVar

import neo4j
import neo4j.time
from neo4j import GraphDatabase, ManagedTransaction
from neo4j.exceptions import (
    AuthError,
    ClientError,
    DriverError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
)

from explorer import queries
from explorer.config import Neo4jSettings

try:
    # The driver's type for a value already in its wire form (a private module).
    from neo4j._codec.packstream import Structure as _WireStructure
except ImportError:  # pragma: no cover - a driver that moved it: dates go as dates
    _WireStructure = None

T = TypeVar("T")
_UNIX_EPOCH_DAY = date(1970, 1, 1).toordinal()


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


def plain(value: Any) -> Any:
    """Turn driver values into plain Python: temporal types to datetime, nodes to dicts."""
    if isinstance(value, neo4j.time.Date):
        return value.to_native()
    if isinstance(value, neo4j.time.DateTime):
        return value.to_native()
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, neo4j.graph.Node | neo4j.graph.Relationship):
        return {k: plain(v) for k, v in value.items()}
    return value


@functools.lru_cache(maxsize=1 << 16)
def wire_date(value: date) -> Any:
    """A query parameter that Neo4j receives as the date `value`, made once per date.

    The driver converts every date it sends in Python (building a
    ``neo4j.time.Date`` of 1970-01-01 each time, to count the days): for the
    600,000 dates of a 100,000-children seed, a third of the loader's CPU,
    which on a small machine is CPU taken from Neo4j. A value made here is
    Bolt's own date structure (days since 1970), which the driver packs as it
    is. Should a driver no longer have that type, the date itself is returned.
    tests/test_loader.py checks that the dates stored are the dates sent.
    """
    if _WireStructure is None:
        return value
    return _WireStructure(b"D", value.toordinal() - _UNIX_EPOCH_DAY)


def _rows(result: neo4j.Result) -> list[dict[str, Any]]:
    return [{key: plain(record[key]) for key in record.keys()} for record in result]  # noqa: SIM118


def run_named(tx: neo4j.ManagedTransaction | neo4j.Transaction, name: str,
              params: Mapping[str, Any], vary: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """Run a named query inside a transaction the caller holds; return plain rows."""
    return _rows(tx.run(queries.get(name, vary).text, params))


@contextlib.contextmanager
def _translated() -> Iterator[None]:
    try:
        yield
    except AuthError as exc:
        raise DatabaseUnavailable("Neo4j refused our credentials") from exc
    except (ServiceUnavailable, SessionExpired) as exc:
        raise DatabaseUnavailable("Neo4j is not reachable") from exc
    except TransientError as exc:
        raise DatabaseBusy(f"Neo4j is busy ({exc.code}); try again") from exc
    except ClientError as exc:
        raise QueryFailed(exc.message or "query refused", exc.code) from exc
    except Neo4jError as exc:
        raise QueryFailed(exc.message or "query failed", exc.code) from exc
    except DriverError as exc:
        raise DatabaseUnavailable(f"Neo4j driver error: {type(exc).__name__}") from exc
    except OSError as exc:
        raise DatabaseUnavailable(f"Neo4j is not reachable: {exc.strerror or exc}") from exc


class Graph:
    """A driver for one database, created lazily so the app starts while Neo4j is down."""

    def __init__(self, settings: Neo4jSettings) -> None:
        self.settings = settings
        self._driver: neo4j.Driver | None = None
        self._lock = threading.Lock()
        self._pinger = concurrent.futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="ping")

    @property
    def database(self) -> str:
        return self.settings.database

    def driver(self) -> neo4j.Driver:
        with self._lock:
            if self._driver is None:
                self._driver = GraphDatabase.driver(
                    self.settings.uri,
                    auth=(self.settings.username, self.settings.resolve_password()),
                    connection_timeout=2.0,
                    connection_acquisition_timeout=5.0,
                    max_transaction_retry_time=self.settings.max_retry_time,
                    user_agent="involvement-explorer",
                )
            return self._driver

    def close(self) -> None:
        with self._lock:
            if self._driver is not None:
                self._driver.close()
                self._driver = None

    # -- named queries ------------------------------------------------------------
    def read(self, name: str, *, vary: Mapping[str, str] | None = None,
             **params: Any) -> list[dict[str, Any]]:
        """Run the named query in a read transaction (routed to a reader)."""
        queries.get(name, vary)  # fail loudly on a bad name before opening a session
        return self.read_tx(lambda tx: run_named(tx, name, params, vary))

    def write(self, name: str, *, vary: Mapping[str, str] | None = None,
              **params: Any) -> list[dict[str, Any]]:
        """Run the named query in a write transaction; the query must be idempotent (retries)."""
        queries.get(name, vary)
        return self.write_tx(lambda tx: run_named(tx, name, params, vary))

    def read_tx(self, work: Callable[[ManagedTransaction], T]) -> T:
        with _translated(), self.driver().session(
            database=self.database, default_access_mode=neo4j.READ_ACCESS
        ) as session:
            return session.execute_read(work)

    def write_tx(self, work: Callable[[ManagedTransaction], T]) -> T:
        with _translated(), self.driver().session(database=self.database) as session:
            return session.execute_write(work)

    def rehearse(self, work: Callable[[neo4j.Transaction], T]) -> T:
        """Run ``work`` in a write transaction that is always rolled back (dry runs)."""
        with _translated(), self.driver().session(database=self.database) as session:
            tx = session.begin_transaction()
            try:
                return work(tx)
            finally:
                tx.rollback()

    def run_autocommit(self, text: str, **params: Any) -> list[dict[str, Any]]:
        """For statements that cannot run in a managed transaction (schema, CALL IN TRANSACTIONS)."""
        with _translated(), self.driver().session(database=self.database) as session:
            return _rows(session.run(text, params))  # type: ignore[arg-type]

    # -- health --------------------------------------------------------------------
    def ping(self, timeout: float = 2.0) -> None:
        """Raise DatabaseUnavailable unless the server answers within ``timeout`` seconds."""

        def check() -> None:
            with _translated():
                self.driver().verify_connectivity()

        future = self._pinger.submit(check)
        try:
            future.result(timeout=timeout)
        except concurrent.futures.TimeoutError:
            raise DatabaseUnavailable(f"Neo4j did not answer within {timeout:.0f}s") from None

