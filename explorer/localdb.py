"""The local Neo4j the project runs itself: fetch, configure, start, stop, status.

Neo4j Community is not packaged for Debian and its tarball is not on Maven
Central, but its jars are. `maven/pom.xml` pins the release; Maven resolves it
into ``var/neo4j-dist/VERSION/lib`` once, and we start
``org.neo4j.server.CommunityEntryPoint`` on that class path with a config we
write ourselves (loopback only, authentication on, HTTP off).

One *home* directory holds everything a running instance owns: ``conf/``,
``data/``, ``logs/``, ``run/`` (pid file) and ``auth/password`` (the generated
password, mode 0600). Stopping keeps the home; starting again finds the data.

Nothing here is used when ``NEO4J_URI`` points at a server of the user's own.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from explorer.paths import DEFAULT_VAR_DIR, REPO_ROOT

NEO4J_VERSION = "5.26.30"
POM = REPO_ROOT / "maven" / "pom.xml"
BOOKMARK_READY_SECONDS = 5
ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
ADMIN_TOOL = "org.neo4j.cli.AdminTool"
SUPPORTED_JAVA = (17, 21)
# Pinned so a fresh machine resolves the same plugin the project was tested with.
DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1"

# The JVM options Neo4j's own launcher would add on Java 17/21 (netty and the
# page cache need these packages opened), minus the ones that slow start-up.
JVM_OPTIONS = (
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+ExitOnOutOfMemoryError",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Dlog4j2.disable.jmx=true",
    "-Dfile.encoding=UTF-8",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
)


class LocalDatabaseError(RuntimeError):
    """The local Neo4j could not be fetched, started or stopped; the message says why."""


@dataclass(frozen=True)
class Status:
    running: bool
    pid: int | None
    uri: str
    home: Path

    def describe(self) -> str:
        if self.running:
            return f"Neo4j {NEO4J_VERSION} is running (pid {self.pid}) at {self.uri}, home {self.home}"
        return f"Neo4j is not running; its home is {self.home}"


def dist_dir() -> Path:
    base = os.environ.get("EXPLORER_NEO4J_DIST")
    return Path(base) if base else DEFAULT_VAR_DIR / "neo4j-dist" / NEO4J_VERSION


def _java() -> str:
    java_home = os.environ.get("JAVA_HOME")
    java = str(Path(java_home) / "bin" / "java") if java_home else shutil.which("java")
    if not java or not Path(java).exists():
        raise LocalDatabaseError(
            "Java was not found: install a JDK 17 (apt-get install openjdk-17-jre-headless)"
        )
    out = subprocess.run([java, "-version"], capture_output=True, text=True, check=False).stderr
    match = re.search(r'version "(\d+)', out)
    major = int(match.group(1)) if match else 0
    if major not in SUPPORTED_JAVA:
        raise LocalDatabaseError(
            f"Neo4j {NEO4J_VERSION} runs on Java 17 or 21; {java} is Java {major or 'unknown'}. "
            "Set JAVA_HOME to a JDK 17 or 21."
        )
    return java


def fetch(*, quiet: bool = False) -> Path:
    """Resolve Neo4j's jars from Maven Central into dist_dir() once; return the lib folder.

    Maven prints one 'Downloaded from' line per artifact; we turn those into a
    progress bar, since the first fetch brings ~200 jars (~120 MB).
    """
    lib = dist_dir() / "lib"
    marker = dist_dir() / ".complete"
    if marker.exists():
        return lib
    mvn = shutil.which("mvn")
    if not mvn:
        raise LocalDatabaseError("Maven was not found: install it (apt-get install maven)")
    lib.mkdir(parents=True, exist_ok=True)
    cmd = [
        mvn, "-B", "-f", str(POM), f"{DEPENDENCY_PLUGIN}:copy-dependencies",
        f"-DoutputDirectory={lib}", "-DincludeScope=runtime", "-Dmdep.overWriteIfNewer=true",
    ]
    log_lines: list[str] = []
    bar = tqdm(desc=f"Fetching Neo4j {NEO4J_VERSION} from Maven Central", unit=" files",
               disable=quiet, file=sys.stderr)
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            log_lines.append(line)
            # Downloads on a first fetch, copies out of ~/.m2 on every fetch.
            if "Downloaded from" in line or "Copying " in line:
                bar.update(1)
    bar.close()
    if proc.returncode != 0:
        tail = "".join(log_lines[-25:])
        raise LocalDatabaseError(f"Maven could not fetch Neo4j {NEO4J_VERSION}:\n{tail}")
    if not any(lib.glob(f"neo4j-{NEO4J_VERSION}.jar")):
        raise LocalDatabaseError(f"Maven finished but {lib} has no neo4j-{NEO4J_VERSION}.jar")
    marker.write_text(NEO4J_VERSION + "\n")
    return lib


def initial_password() -> str:
    """A new database password: 192 random bits in hex. Never URL-safe base64, whose "-" as a
    first character (1 time in 64) neo4j-admin reads as an option and refuses (exit 64)."""
    return secrets.token_hex(24)


class LocalNeo4j:
    """One local Neo4j instance: a home directory and a loopback Bolt port."""

    def __init__(self, home: Path, *, bolt_port: int = 7687, heap: str = "1g",
                 pagecache: str = "512m", transaction_memory: str | None = None) -> None:
        self.home = Path(home).resolve()
        self.bolt_port = bolt_port
        self.heap = heap
        self.pagecache = pagecache
        self.transaction_memory = transaction_memory

    # -- paths ---------------------------------------------------------------
    @property
    def uri(self) -> str:
        return f"neo4j://127.0.0.1:{self.bolt_port}"

    @property
    def password_file(self) -> Path:
        return self.home / "auth" / "password"

    @property
    def pid_file(self) -> Path:
        return self.home / "run" / "explorer-neo4j.pid"

    @property
    def log_file(self) -> Path:
        return self.home / "logs" / "neo4j.log"

    @property
    def import_dir(self) -> Path:
        return self.home / "import"

    @property
    def password(self) -> str:
        return self.password_file.read_text().strip()

    # -- state ---------------------------------------------------------------
    def _pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except FileNotFoundError:
            return None
        # Guard against a recycled pid belonging to something else.
        if ENTRY_POINT.encode() in cmdline and str(self.home).encode() in cmdline:
            return pid
        return None

    def status(self) -> Status:
        pid = self._pid()
        return Status(running=pid is not None, pid=pid, uri=self.uri, home=self.home)

    # -- set-up --------------------------------------------------------------
    def _write_config(self) -> None:
        conf = self.home / "conf"
        conf.mkdir(parents=True, exist_ok=True)
        lines = [
            "# Written by explorer/localdb.py on every start; edit the code, not this file.",
            f"server.directories.data={self.home / 'data'}",
            f"server.directories.logs={self.home / 'logs'}",
            f"server.directories.run={self.home / 'run'}",
            f"server.directories.import={self.import_dir}",
            "server.default_listen_address=127.0.0.1",
            "server.default_advertised_address=127.0.0.1",
            f"server.bolt.listen_address=127.0.0.1:{self.bolt_port}",
            f"server.bolt.advertised_address=127.0.0.1:{self.bolt_port}",
            "server.http.enabled=false",
            "server.https.enabled=false",
            "dbms.security.auth_enabled=true",
            "dbms.usage_report.enabled=false",
            f"server.memory.heap.initial_size={self.heap}",
            f"server.memory.heap.max_size={self.heap}",
            f"server.memory.pagecache.size={self.pagecache}",
            "db.logs.query.enabled=OFF",
            # How long a transaction waits for the server to reach the bookmarks it was given
            # (a cluster's follower catching up) before it fails; inside the app's 10 s request
            # budget, as a cluster's should be (docs/scaling.md). One server is always caught up.
            f"db.transaction.bookmark_ready_timeout={BOOKMARK_READY_SECONDS}s",
        ]
        if self.transaction_memory:
            lines.append(f"dbms.memory.transaction.total.max={self.transaction_memory}")
        (conf / "neo4j.conf").write_text("\n".join(lines) + "\n")

    def _ensure_password(self, java: str, lib: Path) -> None:
        if self.password_file.exists():
            return
        self.password_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(self.password_file.parent, 0o700)
        password = initial_password()
        # The initial password is only honoured before the first start, so it is
        # set on a home with no data yet; an existing database keeps its own.
        if (self.home / "data" / "dbms").exists():
            raise LocalDatabaseError(
                f"{self.home} holds a database but no password file ({self.password_file}); "
                "restore the file or remove the home directory to start afresh"
            )
        env = self._env()
        proc = subprocess.run(
            [java, "-cp", f"{lib}/*", ADMIN_TOOL, "dbms", "set-initial-password", password],
            env=env, capture_output=True, text=True, check=False,
        )
        if proc.returncode != 0:
            raise LocalDatabaseError(
                f"neo4j-admin set-initial-password failed (exit {proc.returncode}) for {self.home}:\n"
                f"{(proc.stdout + proc.stderr)[-2000:]}")
        fd = os.open(self.password_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(password + "\n")

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["NEO4J_HOME"] = str(self.home)
        env["NEO4J_CONF"] = str(self.home / "conf")
        return env

    def import_full(self, args: list[str]) -> str:
        """Run ``neo4j-admin database import full`` (with ``args``: the files and options)
        into this instance's database, replacing it; the instance must be stopped. Returns
        the importer's report; raises LocalDatabaseError with its last lines if it fails."""
        if self.status().running:
            raise LocalDatabaseError(f"stop Neo4j in {self.home} before importing into it")
        java = _java()
        lib = fetch(quiet=True)
        self._write_config()
        proc = subprocess.run(
            [java, "-cp", f"{lib}/*", ADMIN_TOOL, "database", "import", "full",
             "--overwrite-destination=true", *args, "neo4j"],
            env=self._env(), capture_output=True, text=True, check=False, cwd=self.home)
        out = proc.stdout + proc.stderr
        if proc.returncode != 0:
            raise LocalDatabaseError(
                f"neo4j-admin database import failed (exit {proc.returncode}):\n{out[-3000:]}")
        return out

    # -- lifecycle -----------------------------------------------------------
    def start(self, *, timeout: float = 180.0, quiet: bool = False) -> str:
        """Start if not running; return a sentence saying what happened."""
        status = self.status()
        if status.running:
            return f"already running: {status.describe()}"
        if _port_open(self.bolt_port):
            raise LocalDatabaseError(
                f"port {self.bolt_port} on 127.0.0.1 is taken by another process; "
                "stop it or choose another port with EXPLORER_NEO4J_BOLT_PORT"
            )
        java = _java()
        lib = fetch(quiet=quiet)
        for sub in ("data", "logs", "run", "import"):
            (self.home / sub).mkdir(parents=True, exist_ok=True)
        self._write_config()
        self._ensure_password(java, lib)
        cmd = [
            java, f"-Xms{self.heap}", f"-Xmx{self.heap}", *JVM_OPTIONS,
            "-cp", f"{lib}/*", ENTRY_POINT,
            f"--home-dir={self.home}", f"--config-dir={self.home / 'conf'}",
        ]
        console = open(self.home / "logs" / "console.log", "ab")  # noqa: SIM115 - owned by the child
        proc = subprocess.Popen(
            cmd, stdout=console, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env=self._env(), start_new_session=True, cwd=self.home,
        )
        console.close()
        self.pid_file.write_text(f"{proc.pid}\n")
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if proc.poll() is not None:
                raise LocalDatabaseError(
                    f"Neo4j exited with code {proc.returncode} while starting; last log lines:\n"
                    + self._log_tail()
                )
            if _port_open(self.bolt_port) and self._accepts_queries():
                return f"started in {time.monotonic() - started:.1f}s: {self.status().describe()}"
            time.sleep(0.5)
        self.stop()
        raise LocalDatabaseError(f"Neo4j did not answer within {timeout:.0f}s; see {self.log_file}")

    def _accepts_queries(self) -> bool:
        from neo4j import GraphDatabase
        from neo4j.exceptions import DriverError, Neo4jError

        try:
            with GraphDatabase.driver(self.uri, auth=("neo4j", self.password),
                                      connection_timeout=2) as driver:
                driver.verify_connectivity()
                driver.execute_query("RETURN 1")
            return True
        except (DriverError, Neo4jError, OSError):
            return False

    def stop(self, *, timeout: float = 60.0) -> str:
        """Stop if running (data kept); return a sentence saying what happened."""
        pid = self._pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return "not running"
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not _alive(pid):
                break
            time.sleep(0.2)
        else:
            os.kill(pid, signal.SIGKILL)
            while _alive(pid):
                time.sleep(0.1)
        self.pid_file.unlink(missing_ok=True)
        return f"stopped (pid {pid}); data kept in {self.home / 'data'}"

    def _log_tail(self, lines: int = 30) -> str:
        texts = []
        for path in (self.log_file, self.home / "logs" / "console.log"):
            with contextlib.suppress(FileNotFoundError):
                texts.append("".join(path.read_text(errors="replace").splitlines(True)[-lines:]))
        return "\n".join(texts)


def _alive(pid: int) -> bool:
    # A stopped child of ours may linger as a zombie; reap it if so.
    with contextlib.suppress(ChildProcessError):
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = Path(f"/proc/{pid}/stat")
    with contextlib.suppress(FileNotFoundError, IndexError):
        if state.read_text().split(") ", 1)[1].startswith("Z"):
            return False
    return True


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0
