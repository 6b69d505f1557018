"""The one module that talks to the Neo4j driver.

Every read and write goes through :class:`Graph`: transactions retried like managed ones
but within a time bound of ours (reads in read sessions, routed to readers), the
configured database named on every call, results consumed inside the
transaction function and returned as plain Python data, and driver errors
turned into :class:`DatabaseUnavailable` (the server is unreachable: a 503 and
a clear page) or :class:`QueryFailed` (the server refused a query: a bug or bad
input). Query text comes only from ``cypher/`` by name.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import contextvars
import functools
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

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
from explorer.errors import DatabaseBusy, DatabaseUnavailable, PolicedQuery, QueryFailed

if TYPE_CHECKING:
    from flask import Flask

try:
    # The driver's type for a value already in its wire form (a private module).
    from neo4j._codec.packstream import Structure as _WireStructure
except ImportError:  # pragma: no cover - a driver that moved it: dates go as dates
    _WireStructure = None

T = TypeVar("T")
_UNIX_EPOCH_DAY = date(1970, 1, 1).toordinal()


# What most values of a row are, returned as they are before any of plain()'s isinstance
# tests: a request converts about 200 values, and the tests were a tenth of its CPU in a
# profile (issue 14).
_AS_IS = frozenset({str, int, float, bool, type(None)})


def plain(value: Any) -> Any:
    """Turn driver values into plain Python: temporal types to datetime, nodes to dicts."""
    kind = type(value)
    if kind in _AS_IS:
        return value
    # The lists and maps a query returns, their plain values kept without a call each (a
    # 200-node view converts about 2,150 values: a third less time, issue 14).
    if kind is dict:
        return {k: v if type(v) in _AS_IS else plain(v) for k, v in value.items()}
    if kind is list:
        return [v if type(v) in _AS_IS else plain(v) for v in value]
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


def _not_identified(query: queries.Query) -> queries.Query:
    if query.identified:
        raise PolicedQuery(f"{query.name} reads identified child data: only the policy's data "
                           "layer (explorer.children) runs it")
    return query


def run_named(tx: neo4j.ManagedTransaction | neo4j.Transaction, name: str,
              params: Mapping[str, Any], vary: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """Run a named query inside a transaction the caller holds; return plain rows. An
    identified read is refused (``PolicedQuery``): see ``run_policed``."""
    return _rows(tx.run(_not_identified(queries.get(name, vary)).text, dict(params)))


def run_policed(tx: neo4j.ManagedTransaction | neo4j.Transaction, name: str,
                params: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Run a named query, identified reads included, inside a transaction the caller holds.

    Only the data layer that applies the policy to what it reads (``explorer.children``) calls
    this: tests/test_queries.py fails if any other module of the package names it, or names
    an identified query. Everything else goes through ``run_named`` and ``Graph.read``, which
    refuse identified reads, so a route or report cannot fetch a child around the policy.
    """
    return _rows(tx.run(queries.get(name).text, dict(params)))


def read_policed(graph: Graph, name: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Run a named query, identified reads included, as a read on its own (an auto-commit
    transaction, ``Graph._one_read``): ``run_policed``'s counterpart for a page whose reads are
    one query, and under the same rule (only ``explorer.children`` calls it)."""
    return graph._one_read(queries.get(name).text, params)


# Server codes that mean the database itself is going or gone (a shutdown, a restart, a
# database still starting), not that the query was wrong: the page is a 503, not a 500.
_GONE_CODES = frozenset({
    "Neo.TransientError.General.DatabaseUnavailable",
    "Neo.ClientError.Database.DatabaseNotFound",  # while the server starts, before it is listed
    "Neo.ClientError.Transaction.Terminated",  # shut down under a running transaction
    "Neo.TransientError.Transaction.Terminated",
    "Neo.ClientError.Transaction.TransactionTimedOut",
    "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
    "Neo.ClientError.Transaction.TransactionNotFound",
    "Neo.ClientError.Transaction.LockClientStopped",
    "Neo.TransientError.Transaction.LockClientStopped",
    "Neo.DatabaseError.Transaction.TransactionStartFailed",
    "Neo.DatabaseError.Transaction.TransactionCommitFailed",
})


def _gone(exc: BaseException) -> bool:
    """Is this the database going away (as opposed to a refused query or a busy moment)?"""
    if isinstance(exc, ServiceUnavailable | SessionExpired | OSError):
        return True
    return isinstance(exc, Neo4jError) and exc.code in _GONE_CODES


@contextlib.contextmanager
def _translated() -> Iterator[None]:
    try:
        yield
    except AuthError as exc:
        raise DatabaseUnavailable("Neo4j refused our credentials") from exc
    except (ServiceUnavailable, SessionExpired) as exc:
        raise DatabaseUnavailable("Neo4j is not reachable") from exc
    except Neo4jError as exc:
        if exc.code in _GONE_CODES:
            raise DatabaseUnavailable(f"Neo4j is not available ({exc.code})") from exc
        if isinstance(exc, TransientError):
            raise DatabaseBusy(f"Neo4j is busy ({exc.code}); try again") from exc
        if isinstance(exc, ClientError):
            raise QueryFailed(exc.message or "query refused", exc.code) from exc
        raise QueryFailed(exc.message or "query failed", exc.code) from exc
    except DriverError as exc:
        raise DatabaseUnavailable(f"Neo4j driver error: {type(exc).__name__}") from exc
    except OSError as exc:
        raise DatabaseUnavailable(f"Neo4j is not reachable: {exc.strerror or exc}") from exc


# Between two tries of a transaction. The driver's own retry waits 1 s, then 2 s, ... before
# trying again, so one failed transaction took 3 s and a sign-in (several) 6 s before the page
# said the database was gone; a page must say so within 2 s (issue 14).
RETRY_PAUSE = 0.1
# How long a transaction is retried while the server is there but refuses for a moment (a
# deadlock, a lock held by another audit append): these pass, and the answer is worth waiting for.
BUSY_RETRY_SECONDS = 5.0
# Once the database has been found gone, requests wait at most this long for the probe that
# says it is back (a restarting Neo4j can hold a query for many seconds before answering).
PROBE_WAIT_SECONDS = 1.0

# When the current request must be answered by (time.monotonic()); None outside a request.
_request_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "explorer_request_deadline", default=None)


def start_request_deadline(seconds: float) -> contextvars.Token:
    """From now on, this request's transactions share ``seconds`` of database time: each is
    begun with the time left as its server-side timeout, and none begins once it is spent
    (DatabaseUnavailable, a 503). A server that is up but crawling (just restarted, its JVM
    cold, every query planned afresh) then gives a 503 rather than a page that never comes.
    Undo with :func:`end_request_deadline`."""
    return _request_deadline.set(time.monotonic() + seconds)


def end_request_deadline(token: contextvars.Token) -> None:
    _request_deadline.reset(token)


# The bookmarks the current request must read at least as far as: those of the writes the same
# browser saw answered, on whichever app server answered them. () outside a request.
_request_bookmarks: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar(
    "explorer_request_bookmarks", default=())


def start_causal_chain(bookmarks: tuple[str, ...]) -> contextvars.Token:
    """This request's transactions start no earlier than ``bookmarks`` (a cluster's follower
    waits until it has caught up, up to the server's ``db.transaction.bookmark_ready_timeout``).
    With several app servers, a browser's next request may reach another one: the session row
    written at sign-in, a password just changed, an account just added must be read back there
    too. Undo with :func:`end_causal_chain`."""
    return _request_bookmarks.set(tuple(bookmarks))


def end_causal_chain(token: contextvars.Token) -> None:
    _request_bookmarks.reset(token)


def _time_left() -> float | None:
    deadline = _request_deadline.get()
    if deadline is None:
        return None
    left = deadline - time.monotonic()
    if left < 0.01:
        raise DatabaseUnavailable("this request's time for the database ran out")
    return left


class Graph:
    """A driver for one database, created lazily so the app starts while Neo4j is down."""

    def __init__(self, settings: Neo4jSettings) -> None:
        self.settings = settings
        self._driver: neo4j.Driver | None = None
        self._made_in_pid = os.getpid()
        self._lock = threading.Lock()
        self._pinger = concurrent.futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="ping")
        # Set when a transaction found the database gone; cleared by the first probe query that
        # succeeds. Until then no request sends its own queries (see _wait_until_back).
        self._gone = False
        self._probe: concurrent.futures.Future | None = None
        # Every session of this process is chained through one bookmark manager, so a read sees
        # every write this process committed before it, even when a cluster routes the read to
        # a follower (on a single server the chain costs nothing: it is always up to date).
        self._bookmarks = GraphDatabase.bookmark_manager()

    @property
    def database(self) -> str:
        return self.settings.database

    def driver(self) -> neo4j.Driver:
        if self._made_in_pid != os.getpid():
            self._forget_parents_driver()
        with self._lock:
            if self._driver is None:
                self._driver = GraphDatabase.driver(
                    self.settings.uri,
                    auth=(self.settings.username, self.settings.resolve_password()),
                    # Bounded so that a page says "database not available" within 2 s: a
                    # connection on loopback opens in milliseconds or not at all.
                    connection_timeout=1.0,
                    connection_acquisition_timeout=1.0,
                    # Our own retry loop (Graph._run) decides; the driver's waits seconds.
                    max_transaction_retry_time=self.settings.max_retry_time,
                    user_agent="involvement-explorer",
                    # The server's hints (an unknown property, say) are for writing queries, not
                    # for the log of a running app: the driver logged one per query.
                    notifications_min_severity="OFF",
                )
            return self._driver

    def _forget_parents_driver(self) -> None:
        """In a process forked from the one that made the driver (a gunicorn worker from a
        preloaded app): start afresh. The parent's driver is dropped, never closed: closing
        would speak on sockets the parent still uses."""
        self._driver = None
        self._lock = threading.Lock()
        self._pinger = concurrent.futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="ping")
        self._probe = None
        self._bookmarks = GraphDatabase.bookmark_manager()
        self._made_in_pid = os.getpid()

    def close(self) -> None:
        with self._lock:
            if self._driver is not None and self._made_in_pid == os.getpid():
                self._driver.close()
            self._driver = None

    def replaced(self) -> None:
        """The database was replaced under us (explorer.seed.bulk's offline import): close the
        driver and forget the bookmarks, which name transactions of the old database that
        the new one will never reach (a read chained to them would wait, then fail)."""
        self.close()
        self._bookmarks = GraphDatabase.bookmark_manager()

    # -- named queries ------------------------------------------------------------
    def read(self, name: str, *, vary: Mapping[str, str] | None = None,
             **params: Any) -> list[dict[str, Any]]:
        """Run the named query as a read of its own (an auto-commit transaction, routed to a
        reader: ``_one_read``); never an identified read (``read_policed``)."""
        query = _not_identified(queries.get(name, vary))  # fail before opening a session
        return self._one_read(query.text, params)

    def write(self, name: str, *, vary: Mapping[str, str] | None = None,
              **params: Any) -> list[dict[str, Any]]:
        """Run the named query in a write transaction; the query must be idempotent (retries)."""
        queries.get(name, vary)
        return self.write_tx(lambda tx: run_named(tx, name, params, vary))

    def read_tx(self, work: Callable[[ManagedTransaction], T]) -> T:
        return self._run(neo4j.READ_ACCESS, work)

    def write_tx(self, work: Callable[[ManagedTransaction], T]) -> T:
        return self._run(neo4j.WRITE_ACCESS, work)

    def _run(self, mode: str, work: Callable[[Any], T]) -> T:
        """A transaction, retried as the driver's managed ones are but on our clock (see
        ``_attempts``). ``work`` must be idempotent, as for a managed transaction."""
        def attempt(session: neo4j.Session) -> T:
            # An explicit transaction, so that the driver never retries by itself.
            with session.begin_transaction(timeout=_time_left()) as tx:
                result = work(tx)
                tx.commit()
                return result

        return self._attempts(mode, attempt)

    def _one_read(self, text: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        """One read query as an auto-commit transaction, retried as ``_run`` retries: RUN and
        PULL without BEGIN and COMMIT, two round trips and four Bolt messages fewer than an
        explicit transaction (about a third of a millisecond of the app's CPU each time, on
        every request's session check: docs/serve-benchmarks.md). Routed, timed out and
        chained to the request's bookmarks exactly as a transaction is."""
        def attempt(session: neo4j.Session) -> list[dict[str, Any]]:
            return _rows(session.run(neo4j.Query(text, timeout=_time_left()), dict(params)))

        return self._attempts(neo4j.READ_ACCESS, attempt)

    def _attempts(self, mode: str, attempt: Callable[[neo4j.Session], T]) -> T:
        """``attempt`` in a session of its own, again after a short pause while the error is
        retryable and time remains (``max_retry_time`` when the database is gone, longer when
        it is only busy), then the project's error."""
        if self._gone:
            self._wait_until_back(PROBE_WAIT_SECONDS)
        started = time.monotonic()
        with _translated():
            while True:
                try:
                    with self._session(mode) as session:
                        return attempt(session)
                except (DriverError, Neo4jError) as exc:
                    gone = _gone(exc)
                    budget = (self.settings.max_retry_time if gone
                              else max(self.settings.max_retry_time, BUSY_RETRY_SECONDS))
                    if (not exc.is_retryable()
                            or time.monotonic() + RETRY_PAUSE - started > budget):
                        if gone:
                            self._gone = True
                        raise
                except OSError:
                    self._gone = True
                    raise
                time.sleep(RETRY_PAUSE)

    def _session(self, mode: str) -> neo4j.Session:
        seen = _request_bookmarks.get()
        return self.driver().session(database=self.database, default_access_mode=mode,
                                     bookmark_manager=self._bookmarks,
                                     bookmarks=neo4j.Bookmarks.from_raw_values(seen) if seen else None)

    def bookmarks(self) -> tuple[str, ...]:
        """Where this process's writes have got to: handed to the browser (see
        :func:`start_causal_chain`) so that another app server reads at least this far."""
        return tuple(sorted(self._bookmarks.get_bookmarks()))

    def _probe_once(self) -> None:
        """One query on our database, no retry; clears the 'gone' mark when it succeeds."""
        with _translated(), self._session(neo4j.READ_ACCESS) as session, \
                session.begin_transaction() as tx:
            tx.run("RETURN 1 AS ok").consume()
            tx.commit()
        self._gone = False

    def _wait_until_back(self, timeout: float) -> None:
        """Raise DatabaseUnavailable unless a probe query succeeds within ``timeout`` seconds.

        One probe runs at a time (in the background), and every request waiting on the
        database watches it rather than sending queries of its own: while Neo4j restarts, a
        query can be held for many seconds (the server listens before its database is up), and
        a page must still say "not available" within 2 s, then work as soon as the probe does.
        """
        with self._lock:
            probe = self._probe
            if probe is None or probe.done():
                probe = self._probe = self._pinger.submit(self._probe_once)
        try:
            probe.result(timeout=timeout)
        except concurrent.futures.TimeoutError:
            raise DatabaseUnavailable(f"Neo4j did not answer within {timeout:.0f}s") from None

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
            return _rows(session.run(text, params))

    # -- health --------------------------------------------------------------------
    def ping(self, timeout: float = 2.0) -> None:
        """Raise DatabaseUnavailable unless a query on our database answers within ``timeout``
        seconds: a server that accepts connections while its database is still starting is not
        yet available (/health says 503 until queries really succeed)."""
        self._wait_until_back(timeout)


def attach(app: Flask, graph: Graph) -> None:
    """Give ``app`` its graph handle: one per app (and per worker process, see ``Graph``)."""
    app.extensions["graph"] = graph


def graph_of(app: Flask) -> Graph:
    """The app's graph handle, for blueprints, accounts and CLI commands. It lives here, beside
    the class it returns, so that nothing imports up to the package root for it."""
    return app.extensions["graph"]
