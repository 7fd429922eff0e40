"""Private PostgreSQL clusters for tests, CI and ``make run-pg``: real servers, never mocks.

A :class:`Cluster` is one data folder and one loopback port. It is made with Debian's (or any)
``initdb``, started and stopped with ``pg_ctl``, and copied into a streaming standby with
``pg_basebackup -R``. It listens on 127.0.0.1 only and opens no Unix socket, so nothing is
written outside its folder. Everything it does (the commands, their output and the server's
own log) goes to ``<datadir>/cablekit-pg.log``, which :meth:`Cluster.log_tail` returns for a
failing test to print.

PostgreSQL refuses to run as root: when this runs as root, the server commands run as the
``postgres`` OS user (which Debian's package creates) and the data folder belongs to it.

As a script (the connection URL goes to stdout, nothing else does)::

    python tools/pgcluster.py start .pg   # initdb if missing, start on $PGPORT or 5433
    python tools/pgcluster.py url .pg     # the URL of the database ``cablekit``
    python tools/pgcluster.py stop .pg

Only the standard library is imported at the top; psycopg (the ``postgres`` extra) is
imported by the methods that connect.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import psycopg

USER = "cablekit"  # the superuser initdb makes; trust authentication, loopback only
SERVER_USER = "postgres"  # the OS user the server runs as when we are root
DEFAULT_PORT = 5433  # 5432 is left to a system cluster, if any
DEFAULT_DB = "cablekit"
LOG_NAME = "cablekit-pg.log"
NEEDED = ("initdb", "pg_ctl", "postgres", "pg_basebackup", "pg_isready")
COMMAND_TIMEOUT = 120.0  # seconds: no harness command may hang a test run
READY_TIMEOUT = 60.0

StopMode = Literal["smart", "fast", "immediate"]


class ClusterError(RuntimeError):
    """A cluster could not be made, started, stopped or promoted (the log tail says why)."""


def _is_bindir(path: Path) -> bool:
    return all((path / name).is_file() and os.access(path / name, os.X_OK) for name in NEEDED)


def _version_key(path: Path) -> tuple[int, ...]:
    # /usr/lib/postgresql/15/bin -> (15,); a name that is no number sorts first.
    return tuple(int(part) for part in re.findall(r"\d+", path.parent.name)) or (-1,)


def find_bindir() -> Path | None:
    """The folder holding initdb, pg_ctl, postgres, pg_basebackup and pg_isready, or None.

    PATH first (a symlink such as /usr/local/bin/pg_ctl is followed to its folder), then the
    newest /usr/lib/postgresql/<version>/bin, where Debian puts the server programs.
    """
    for name in ("initdb", "pg_ctl"):
        found = shutil.which(name)
        if found:
            for candidate in (Path(found).parent, Path(found).resolve().parent):
                if _is_bindir(candidate):
                    return candidate
    debian = [p for p in Path("/usr/lib/postgresql").glob("*/bin") if _is_bindir(p)]
    return max(debian, key=_version_key) if debian else None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (the kernel's pick)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _server_account() -> pwd.struct_passwd | None:
    """The account server commands run as: ``postgres`` when we are root, else ourselves."""
    if not _as_root():
        return None
    try:
        return pwd.getpwnam(SERVER_USER)
    except KeyError:
        raise ClusterError(
            f"running as root, but there is no {SERVER_USER!r} OS user to run PostgreSQL as "
            "(PostgreSQL refuses root; Debian's postgresql package creates that user)"
        ) from None


def give_to_server(path: Path) -> None:
    """Make ``path`` belong to the account the server runs as (a no-op when not root)."""
    account = _server_account()
    if account is not None:
        os.chown(path, account.pw_uid, account.pw_gid)


def private_dir(prefix: str = "cablekit-pg-") -> Path:
    """A new empty temporary folder that the server account can use (caller removes it)."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    give_to_server(path)
    return path


def _environment(account: pwd.struct_passwd | None) -> dict[str, str]:
    # The caller's PG* variables (PGPORT, PGDATA, PGHOST...) must not redirect our commands.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    if account is not None:
        env.update(HOME=account.pw_dir, USER=account.pw_name, LOGNAME=account.pw_name)
    return env


def configured_port(datadir: Path) -> int | None:
    """The last ``port =`` in the cluster's configuration files, if any."""
    port = None
    for name in ("postgresql.conf", "postgresql.auto.conf"):
        with contextlib.suppress(OSError):
            for line in (datadir / name).read_text().splitlines():
                match = re.match(r"\s*port\s*=\s*'?(\d+)", line)
                if match:
                    port = int(match.group(1))
    return port


def running_port(datadir: Path) -> int | None:
    """The port of the server running on ``datadir`` (from postmaster.pid), if it runs."""
    try:
        lines = (datadir / "postmaster.pid").read_text().splitlines()
        pid, port = int(lines[0]), int(lines[3])
        os.kill(pid, 0)
    except (OSError, ValueError, IndexError):
        return None
    return port


class Cluster:
    """One private PostgreSQL cluster: a data folder and a loopback port.

    ``fsync=False`` makes it fast and unsafe against a crash of the machine (not of the
    server): for tests only. It also applies to standbys made from it.
    """

    def __init__(
        self, datadir: Path, port: int, *, fsync: bool = True, bindir: Path | None = None
    ) -> None:
        self.datadir = Path(datadir).absolute()
        self.port = port
        self.fsync = fsync
        found = bindir or find_bindir()
        if found is None:
            raise ClusterError(
                "PostgreSQL's server programs (initdb, pg_ctl, postgres, pg_basebackup, "
                "pg_isready) are not on PATH nor in /usr/lib/postgresql/*/bin; "
                "install them (Debian: apt-get install postgresql)"
            )
        self.bindir = found
        self._held: list[str] | None = None

    def __repr__(self) -> str:
        return f"Cluster({str(self.datadir)!r}, port={self.port})"

    # -- files and commands -------------------------------------------------------------

    @property
    def log_path(self) -> Path:
        return self.datadir / LOG_NAME

    @property
    def initialized(self) -> bool:
        return (self.datadir / "PG_VERSION").is_file()

    def log_tail(self, lines: int = 60) -> str:
        """The end of this cluster's log (harness commands and server messages)."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return f"(no log at {self.log_path})"
        return "\n".join(text.splitlines()[-lines:])

    def _note(self, message: str) -> None:
        line = f"[harness {time.strftime('%H:%M:%S')}] {message}\n"
        if self._held is not None:
            self._held.append(line)  # initdb wants an empty folder: the log waits
        elif self.log_path.parent.is_dir():
            with self.log_path.open("a") as log:
                log.write(line)

    def _fail(self, message: str) -> ClusterError:
        self._note(f"FAILED: {message}")
        tail = "".join(self._held)[-6000:] if self._held is not None else self.log_tail()
        return ClusterError(f"{message}\n--- {self.log_path} (end) ---\n{tail}")

    def _run(
        self, program: str, *args: str, check: bool = True, quiet: bool = False
    ) -> subprocess.CompletedProcess[str]:
        """Run one PostgreSQL program as the server account, logging command and output.

        ``quiet`` (for polls) logs nothing; a failure with ``check`` is logged all the same.
        """
        account = _server_account()
        command = [str(self.bindir / program), *args]
        if not quiet:
            self._note("$ " + " ".join(command))
        try:
            done = subprocess.run(
                command,
                capture_output=True,
                text=True,
                timeout=COMMAND_TIMEOUT,
                cwd="/",  # our own folder may be closed to the server account
                env=_environment(account),
                user=account.pw_uid if account else None,
                group=account.pw_gid if account else None,
                extra_groups=[] if account else None,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise self._fail(f"{program} did not finish in {COMMAND_TIMEOUT:.0f} s") from None
        output = (done.stdout + done.stderr).strip()
        if output and not quiet:
            self._note(output)
        if check and done.returncode != 0:
            shown = f": {output[-2000:]}" if quiet else " (its output is in the log below)"
            raise self._fail(f"{program} exited with {done.returncode}{shown}")
        return done

    def _prepare_dir(self) -> None:
        """An empty data folder, mode 0700, owned by the server account and reachable by it."""
        self.datadir.mkdir(parents=True, exist_ok=True)
        if any(self.datadir.iterdir()):
            raise ClusterError(f"{self.datadir} is not empty: no cluster is made over files")
        give_to_server(self.datadir)
        self.datadir.chmod(0o700)
        account = _server_account()
        if account is not None:
            probe = subprocess.run(
                ["test", "-w", str(self.datadir)],
                user=account.pw_uid,
                group=account.pw_gid,
                extra_groups=[],
                cwd="/",
                check=False,
            )
            if probe.returncode != 0:
                raise ClusterError(
                    f"the {SERVER_USER!r} user cannot reach {self.datadir}: when running as "
                    "root every folder above it must be searchable by others (chmod o+x)"
                )

    def _start_log(self, heading: str) -> None:
        # Made by us, owned by the server account: pg_ctl's server appends to it too.
        self.log_path.write_text(f"[harness {time.strftime('%H:%M:%S')}] {heading}\n")
        give_to_server(self.log_path)

    def _configure(self, settings: dict[str, str]) -> None:
        # Appended last in postgresql.conf, so these win over initdb's (and a copy's) lines.
        block = "".join(f"{key} = {value}\n" for key, value in settings.items())
        with (self.datadir / "postgresql.conf").open("a") as conf:
            conf.write("\n# cablekit harness (tools/pgcluster.py)\n" + block)

    # -- life cycle ------------------------------------------------------------------------

    def init(self) -> None:
        """initdb a new cluster in the (absent or empty) data folder."""
        self._prepare_dir()
        args = ["-D", str(self.datadir), "-A", "trust", "-U", USER]
        args += ["--encoding=UTF8", "--locale=C.UTF-8"]
        if not self.fsync:
            args.append("--no-sync")
        self._held = []
        self._run("initdb", *args)
        held, self._held = self._held, None
        self._start_log(f"initdb {self.datadir} (port {self.port}, fsync {self.fsync})")
        with self.log_path.open("a") as log:
            log.writelines(held)
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "port": str(self.port),
            "unix_socket_directories": "''",  # no socket, so nothing lands in /var/run
            "wal_level": "replica",
            "max_wal_senders": "10",
            "max_replication_slots": "10",
            "hot_standby": "on",
            "hot_standby_feedback": "on",
            "log_line_prefix": "'%m [%p] '",
        }
        if not self.fsync:
            # fsync only: commits still wait for a synchronous standby, and base backups
            # need full_page_writes.
            settings["fsync"] = "off"
        self._configure(settings)

    @property
    def running(self) -> bool:
        if not self.initialized:
            return False
        status = self._run("pg_ctl", "status", "-D", str(self.datadir), check=False, quiet=True)
        return status.returncode == 0

    def start(self) -> None:
        """Start the server and return once it accepts connections."""
        if self.running:
            port = running_port(self.datadir)
            if port != self.port:
                raise ClusterError(f"{self.datadir} already runs on port {port}, not {self.port}")
            return
        # A crash (kill) leaves postmaster.pid behind; pg_ctl copes with a stale one.
        self._run(
            "pg_ctl", "start", "-D", str(self.datadir), "-l", str(self.log_path),
            "-w", "-t", str(int(READY_TIMEOUT)), "-o", f"-p {self.port}",
        )  # fmt: skip
        self.wait_ready()

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> None:
        """Poll pg_isready (bounded) until the server accepts connections."""
        args = ["-h", "127.0.0.1", "-p", str(self.port), "-U", USER, "-d", "postgres", "-q"]
        until(
            lambda: self._run("pg_isready", *args, check=False, quiet=True).returncode == 0,
            timeout,
            what=f"{self} to accept connections",
            on_timeout=self._fail,
        )

    def stop(self, mode: StopMode = "fast") -> None:
        """Stop the server (no-op when it is not running); ``immediate`` is a crash."""
        if not self.running:
            return
        self._run("pg_ctl", "stop", "-D", str(self.datadir), "-m", mode, "-w", "-t", "60")

    def kill(self) -> None:
        """Crash the server: immediate shutdown, no checkpoint; a restart runs recovery."""
        self._note("kill: simulating a crash of the server")
        self.stop("immediate")

    # -- connecting ------------------------------------------------------------------------

    def url(self, dbname: str = DEFAULT_DB) -> str:
        """A libpq URL of ``dbname`` on this cluster."""
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{dbname}"

    def connect(self, dbname: str = "postgres", autocommit: bool = True) -> psycopg.Connection:
        """A psycopg connection to ``dbname`` (autocommit unless asked otherwise)."""
        import psycopg

        return psycopg.connect(self.url(dbname), autocommit=autocommit, connect_timeout=10)

    def create_database(self, name: str, *, exist_ok: bool = False) -> str:
        """CREATE DATABASE ``name`` and return its URL."""
        from psycopg import sql

        with self.connect() as conn:
            found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            if exist_ok and found.fetchone():
                return self.url(name)
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        self._note(f"created database {name}")
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """DROP DATABASE ``name``, closing the connections still open to it."""
        from psycopg import sql

        with self.connect() as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    def in_recovery(self) -> bool:
        """True on a standby (read-only, replaying WAL), False on a primary."""
        with self.connect() as conn:
            row = conn.execute("SELECT pg_is_in_recovery()").fetchone()
        return bool(row and row[0])

    # -- replication -----------------------------------------------------------------------

    def standby(self, datadir: Path, port: int) -> Cluster:
        """A streaming standby of this cluster (pg_basebackup -R), started, on ``port``.

        It streams through a physical replication slot named after its port, so the primary
        keeps the WAL it has not received yet.
        """
        replica = Cluster(datadir, port, fsync=self.fsync, bindir=self.bindir)
        replica._prepare_dir()
        args = ["-D", str(replica.datadir), "-h", "127.0.0.1", "-p", str(self.port), "-U", USER]
        args += ["-R", "-X", "stream", "-c", "fast", "-C", "-S", f"standby_{port}"]
        if not self.fsync:
            args.append("--no-sync")
        self._run("pg_basebackup", *args)
        # The copy took the primary's log along; the standby's own log starts here.
        replica._start_log(f"standby of {self} by pg_basebackup -R (port {port})")
        replica._configure({"port": str(port)})
        replica.start()
        return replica

    def promote(self, timeout: float = READY_TIMEOUT) -> None:
        """Promote this standby (pg_ctl promote) and return once it accepts writes."""
        self._run("pg_ctl", "promote", "-D", str(self.datadir), "-w", "-t", str(int(timeout)))
        until(self._accepts_writes, timeout, what=f"{self} to accept writes", on_timeout=self._fail)
        self._note("promoted: accepts writes")

    def _accepts_writes(self) -> bool:
        import psycopg

        try:
            with self.connect() as conn:
                row = conn.execute(
                    "SELECT NOT pg_is_in_recovery() AND current_setting('transaction_read_only')"
                    " = 'off'"
                ).fetchone()
        except psycopg.OperationalError:
            return False
        return bool(row and row[0])

    def wait_caught_up(self, primary: Cluster, timeout: float = 30.0) -> None:
        """Wait (bounded) until this standby has replayed all WAL the primary has written."""
        with primary.connect() as conn:
            row = conn.execute("SELECT pg_current_wal_lsn()::text").fetchone()
        assert row is not None
        target = str(row[0])

        def replayed() -> bool:
            with self.connect() as conn:
                got = conn.execute(
                    "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (target,)
                ).fetchone()
            return bool(got and got[0])

        until(replayed, timeout, what=f"{self} to replay up to {target}", on_timeout=self._fail)


def until(
    check: Callable[[], bool],
    timeout: float,
    *,
    what: str,
    on_timeout: Callable[[str], Exception] | None = None,
    interval: float = 0.05,
) -> None:
    """Poll ``check`` until it is true; raise after ``timeout`` seconds (never waits longer)."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            message = f"gave up waiting for {what} after {timeout:.0f} s"
            raise on_timeout(message) if on_timeout else ClusterError(message)
        time.sleep(interval)


def multi_host_url(clusters: Sequence[Cluster], dbname: str = DEFAULT_DB) -> str:
    """A libpq URL naming every cluster, which connects to whichever one accepts writes."""
    hosts = ",".join(f"127.0.0.1:{c.port}" for c in clusters)
    return f"postgresql://{USER}@{hosts}/{dbname}?target_session_attrs=read-write"


# -- the script ------------------------------------------------------------------------------


def _script_port(datadir: Path) -> int:
    if os.environ.get("PGPORT"):
        return int(os.environ["PGPORT"])
    return configured_port(datadir) or DEFAULT_PORT


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="A local PostgreSQL cluster for cablekit.")
    parser.add_argument("command", choices=["start", "stop", "url", "status"])
    parser.add_argument("datadir", type=Path, help="its data folder, e.g. .pg")
    parser.add_argument("--db", default=DEFAULT_DB, help="the database of the URL printed")
    args = parser.parse_args(argv)
    datadir: Path = args.datadir
    port = running_port(datadir) if args.command in ("url", "status") else None
    try:
        cluster = Cluster(datadir, port or _script_port(datadir))
        if args.command == "start":
            if not cluster.initialized:
                cluster.init()
            cluster.start()
            cluster.create_database(DEFAULT_DB, exist_ok=True)
            print(cluster.url(args.db))
        elif args.command == "stop":
            cluster.stop("fast")
        elif args.command == "url":
            print(cluster.url(args.db))
        else:
            print(f"running on port {port}" if port else "not running")
            return 0 if port else 3
    except ClusterError as error:
        print(f"pgcluster: {error}", file=sys.stderr)
        return 1
    except ImportError as error:  # psycopg: `pip install -e '.[postgres]'`
        print(f"pgcluster: {error.name} is missing: install cablekit[postgres]", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
