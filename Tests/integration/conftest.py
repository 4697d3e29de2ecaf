"""Shared fixtures and helpers for the black-box integration tests of zhichengd / zhichengctl.

Every test gets its own data dir (under pytest's tmp_path), its own short socket dir under
/tmp (AF_UNIX paths are limited to 107 bytes and pytest's tmp_path can be longer) and a free
TCP port.  Every process a test starts is registered and stopped in a finalizer: SIGTERM
first, then SIGKILL to its process group if it does not exit in time.  Every wait is
bounded.  No test asserts how long something took; the timeouts below are only bounds.

Environment:
  ZHICHENGD / ZHICHENGCTL          paths of the binaries (default .build/debug/...)
  ZHICHENG_TEST_START_TIMEOUT      seconds a daemon may take to become ready (default 60)
  CI                               when set, missing binaries fail the tests instead of skipping
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import pathlib
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any, Callable, Iterable

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
ZHICHENGD = os.environ.get("ZHICHENGD") or str(REPO / ".build" / "debug" / "zhichengd")
ZHICHENGCTL = os.environ.get("ZHICHENGCTL") or str(REPO / ".build" / "debug" / "zhichengctl")

START_TIMEOUT = float(os.environ.get("ZHICHENG_TEST_START_TIMEOUT", "60"))
STOP_TIMEOUT = 20.0
IO_TIMEOUT = 30.0
CMD_TIMEOUT = 60.0

# Variables the daemon must not inherit from whatever runs the tests.
_STRIP_ENV = (
    "NOTIFY_SOCKET",
    "LISTEN_FDS",
    "LISTEN_PID",
    "LISTEN_FDNAMES",
    "WATCHDOG_USEC",
    "WATCHDOG_PID",
    "JOURNAL_STREAM",
    "INVOCATION_ID",
    "ZHICHENG_ADMIN_SOCKET",
    # Fault injection (README, crash points): a test arms one for its own daemon, never by
    # inheriting it from a developer's shell.
    "ZHICHENG_CRASH_AT",
    "ZHICHENG_FAIL_AT",
    "ZHICHENG_PAUSE_AT",
    "ZHICHENG_RELAY_HOLD",
)

# Every admin command of the issue; `help` must list each of them.
ALL_COMMANDS = (
    "ping",
    "help",
    "status",
    "tenant.create",
    "tenant.list",
    "tenant.show",
    "tenant.suspend",
    "tenant.resume",
    "tenant.backup",
    "tenant.restore",
    "tenant.check",
    "tenant.archive",
    "tenant.configure",
    "tenant.rename",
    "account.reset-password",
    "draw.verify",
    "plugin.list",
    "plugin.reload",
    "config.reload",
    "log.level",
)

# Henan city division codes (short form) -> full 6-digit form.
CITY_CODES = {
    "4101": "410100",
    "4102": "410200",
    "4103": "410300",
    "4104": "410400",
    "4105": "410500",
    "4106": "410600",
    "4107": "410700",
    "4108": "410800",
    "4109": "410900",
    "4110": "411000",
    "4111": "411100",
    "4112": "411200",
    "4113": "411300",
    "4114": "411400",
    "4115": "411500",
    "4116": "411600",
    "4117": "411700",
    "419001": "419001",
}

SQLITE_MAGIC = b"SQLite format 3\x00"


# --------------------------------------------------------------------------- binaries


def _require_binary(path: str, what: str) -> str:
    if os.path.isfile(path) and os.access(path, os.X_OK):
        return path
    msg = f"{what} binary not found at {path} (build it, or set {what.upper()}=...)"
    if os.environ.get("CI"):
        pytest.fail(msg)
    pytest.skip(msg)


@pytest.fixture(scope="session")
def zhichengd_bin() -> str:
    return _require_binary(ZHICHENGD, "zhichengd")


@pytest.fixture(scope="session")
def zhichengctl_bin() -> str:
    return _require_binary(ZHICHENGCTL, "zhichengctl")


# --------------------------------------------------------------------------- small helpers


def free_port() -> int:
    """A TCP port that was free a moment ago (bind port 0 on loopback)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _STRIP_ENV}
    env.update(extra)
    return env


def sha256_file(path: str | os.PathLike[str]) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


def wait_until(pred: Callable[[], Any], timeout: float, what: str, interval: float = 0.05) -> Any:
    """Poll pred() until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last_exc: BaseException | None = None
    while True:
        try:
            value = pred()
            if value:
                return value
        except DaemonExited:
            raise
        except Exception as exc:  # noqa: BLE001 - we re-raise the context below
            last_exc = exc
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out waiting for {what}" + (f" (last error: {last_exc!r})" if last_exc else ""))
        time.sleep(interval)


def held(hold: pathlib.Path, call: Callable[[], Any], timeout: float = 30) -> tuple[threading.Thread, list]:
    """Runs `call` in a thread with the file `hold` created first, for a daemon started with
    `ZHICHENG_PAUSE_AT=<point>:<hold>`; returns once the request is held at that point (the
    daemon creates `<hold>.reached`), with the thread and the list its answer will be put in.
    The caller removes `hold` to let it go, then joins the thread (with a timeout)."""
    hold.write_text("")
    out: list = []
    worker = threading.Thread(target=lambda: out.append(call()), daemon=True)
    worker.start()
    wait_until(lambda: pathlib.Path(f"{hold}.reached").exists() or not worker.is_alive(), timeout, f"the request to be held at {hold.name}")
    assert worker.is_alive(), f"the request was not held: {out!r}"
    return worker, out


def tenant_dirs(data_dir: pathlib.Path) -> list[str]:
    d = data_dir / "tenants"
    if not d.is_dir():
        return []
    return sorted(os.listdir(d))


def sqlite_snapshot(db_path: str | os.PathLike[str]) -> dict[str, set[tuple]]:
    """All rows of all tables of a SQLite file, as sets of tuples (opened on a private copy
    so that a WAL-mode file without -shm is readable and the original stays untouched)."""
    with tempfile.TemporaryDirectory(prefix="zc-snap-") as td:
        copy = os.path.join(td, "copy.sqlite")
        shutil.copyfile(db_path, copy)
        for suffix in ("-wal",):
            if os.path.exists(str(db_path) + suffix):
                shutil.copyfile(str(db_path) + suffix, copy + suffix)
        con = sqlite3.connect(copy, timeout=10)
        # Text as stored, byte for byte: a test may have planted text that is not UTF-8 (a
        # module's later `unchanged` blocks must still compare its rows).
        con.text_factory = lambda raw: raw.decode("utf-8", "surrogateescape")
        try:
            tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
            out: dict[str, set[tuple]] = {}
            for t in tables:
                quoted = '"' + t.replace('"', '""') + '"'
                out[t] = set(con.execute(f"SELECT * FROM {quoted}").fetchall())
            return out
        finally:
            con.close()


def sqlite_integrity(db_path: str | os.PathLike[str]) -> list[str]:
    """PRAGMA integrity_check of a private copy of a SQLite file."""
    with tempfile.TemporaryDirectory(prefix="zc-chk-") as td:
        copy = os.path.join(td, "copy.sqlite")
        shutil.copyfile(db_path, copy)
        con = sqlite3.connect(copy, timeout=10)
        try:
            return [r[0] for r in con.execute("PRAGMA integrity_check").fetchall()]
        finally:
            con.close()


# --------------------------------------------------------------------------- admin client


class AdminError(Exception):
    def __init__(self, response: dict):
        self.response = response
        err = response.get("error") or {}
        self.code = err.get("code")
        self.message = err.get("message")
        super().__init__(f"{self.code}: {self.message} (response {response!r})")


class AdminClient:
    """One connection to the admin socket. Line-based JSON, every recv bounded."""

    def __init__(self, path: str | os.PathLike[str], timeout: float = IO_TIMEOUT, connect: bool = True):
        self.path = str(path)
        self.timeout = timeout
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.buf = b""
        self._next_id = 1000
        if connect:
            self.sock.connect(self.path)

    # context manager
    def __enter__(self) -> "AdminClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass

    def next_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def send_raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    def send(self, obj: Any) -> None:
        self.send_raw(json.dumps(obj, ensure_ascii=False).encode("utf-8") + b"\n")

    def read_line(self) -> bytes | None:
        """One response line without the newline, or None at EOF."""
        while b"\n" not in self.buf:
            try:
                chunk = self.sock.recv(1 << 16)
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                if self.buf:
                    line, self.buf = self.buf, b""
                    return line
                return None
            self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\n")
        return line

    def read_json(self) -> dict:
        line = self.read_line()
        if line is None:
            raise EOFError("admin connection closed by the daemon")
        try:
            obj = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise AssertionError(f"daemon sent a line that is not JSON: {line[:500]!r}") from exc
        assert isinstance(obj, dict), f"response is not a JSON object: {obj!r}"
        return obj

    def request(self, cmd: str, args: dict | None = None, id: Any = "auto") -> dict:
        """Send one request and return the whole response object (ok or not)."""
        rid = self.next_id() if id == "auto" else id
        req: dict[str, Any] = {"id": rid, "cmd": cmd}
        if args is not None:
            req["args"] = args
        self.send(req)
        resp = self.read_json()
        assert resp.get("id") == rid, f"response id {resp.get('id')!r} != request id {rid!r}: {resp!r}"
        return resp

    def call(self, cmd: str, args: dict | None = None) -> dict:
        """Send one request; return its result or raise AdminError."""
        resp = self.request(cmd, args)
        if resp.get("ok") is not True:
            raise AdminError(resp)
        assert "result" in resp, f"ok response without result: {resp!r}"
        return resp["result"]

    def is_closed(self, timeout: float = 10.0) -> bool:
        """True when the daemon closed the connection (EOF/reset) within `timeout`."""
        if self.buf:
            return False
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(1)
        except ConnectionResetError:
            return True
        except socket.timeout:
            return False
        finally:
            self.sock.settimeout(self.timeout)
        if data:
            self.buf += data
            return False
        return True


def expect_error(resp: dict, code: str, id: Any = ...) -> dict:
    assert resp.get("ok") is False, f"expected error {code}, got {resp!r}"
    err = resp.get("error")
    assert isinstance(err, dict), f"error is not an object: {resp!r}"
    assert err.get("code") == code, f"expected error code {code!r}, got {resp!r}"
    assert isinstance(err.get("message"), str) and err["message"], f"error without message: {resp!r}"
    if id is not ...:
        assert "id" in resp and resp["id"] == id, f"expected id {id!r}: {resp!r}"
    return err


def connect_admin(path: str | os.PathLike[str], timeout: float = IO_TIMEOUT) -> AdminClient:
    return AdminClient(path, timeout=timeout)


# --------------------------------------------------------------------------- HTTP


def http_request(port: int, method: str, path: str, body: bytes | None = None,
                 headers: dict[str, str] | None = None, timeout: float = IO_TIMEOUT,
                 host: str = "127.0.0.1") -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        hdrs = {k.lower(): v for k, v in resp.getheaders()}
        return resp.status, hdrs, data
    finally:
        conn.close()


def http_get(port: int, path: str, **kw: Any) -> tuple[int, dict[str, str], bytes]:
    return http_request(port, "GET", path, **kw)


# --------------------------------------------------------------------------- processes


class ProcessRegistry:
    """Tracks every process a test starts; stops them all at teardown."""

    def __init__(self) -> None:
        self.procs: list[subprocess.Popen] = []

    def popen(self, cmd: list[str], **kw: Any) -> subprocess.Popen:
        kw.setdefault("stdin", subprocess.DEVNULL)
        kw.setdefault("start_new_session", True)
        p = subprocess.Popen(cmd, **kw)
        self.procs.append(p)
        return p

    @staticmethod
    def stop(p: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = STOP_TIMEOUT) -> int | None:
        if p.poll() is None:
            try:
                p.send_signal(sig)
            except ProcessLookupError:
                pass
            try:
                p.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
                try:
                    p.kill()
                except ProcessLookupError:
                    pass
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    pass
        return p.returncode

    def stop_all(self) -> None:
        for p in reversed(self.procs):
            self.stop(p)


@pytest.fixture
def procs() -> Iterable[ProcessRegistry]:
    reg = ProcessRegistry()
    try:
        yield reg
    finally:
        reg.stop_all()


@pytest.fixture
def sock_dir() -> Iterable[pathlib.Path]:
    """A short, world-traversable directory for sockets (and scripts run as other users)."""
    d = tempfile.mkdtemp(prefix="zc", dir="/tmp")
    os.chmod(d, 0o755)
    try:
        yield pathlib.Path(d)
    finally:
        shutil.rmtree(d, ignore_errors=True)


class DaemonExited(AssertionError):
    pass


DEFAULT_CONFIG = '[log]\nlevel = "info"\n'


class Daemon:
    """One zhichengd instance. Built by the `daemon_factory` fixture."""

    _counter = 0

    def __init__(self, registry: ProcessRegistry, bin: str, workdir: pathlib.Path, sock_dir: pathlib.Path, *,
                 data_dir: pathlib.Path | None = None, admin_socket: pathlib.Path | None = None,
                 http_port: int | None = None, config: str | None = DEFAULT_CONFIG,
                 args: Iterable[str] = (), env: dict[str, str] | None = None,
                 flags: Iterable[str] = ("config", "data-dir", "admin-socket", "http", "plugin-dir"),
                 wrapper: list[str] | None = None):
        Daemon._counter += 1
        self.n = Daemon._counter
        self.registry = registry
        self.bin = bin
        self.workdir = workdir
        self.sock_dir = sock_dir
        self.data_dir = data_dir or (workdir / "data")
        self.admin_socket = admin_socket or (sock_dir / "admin.sock")
        self.http_port = http_port or free_port()
        self.plugin_dir = workdir / "plugins"
        self.plugin_dir.mkdir(parents=True, exist_ok=True)
        self.config_path = workdir / "zhichengd.toml"
        if config is not None:
            self.config_path.write_text(config, encoding="utf-8")
        self.extra_args = list(args)
        self.env = env
        self.flags = set(flags)
        self.wrapper = list(wrapper or [])
        self.proc: subprocess.Popen | None = None
        self.stdout_path = workdir / f"daemon-{self.n}.stdout"
        self.stderr_path = workdir / f"daemon-{self.n}.stderr"

    # -- command line
    def command(self) -> list[str]:
        cmd = [self.bin]
        if "config" in self.flags:
            cmd += ["--config", str(self.config_path)]
        if "data-dir" in self.flags:
            cmd += ["--data-dir", str(self.data_dir)]
        if "admin-socket" in self.flags:
            cmd += ["--admin-socket", str(self.admin_socket)]
        if "http" in self.flags:
            cmd += ["--http", f"127.0.0.1:{self.http_port}"]
        if "plugin-dir" in self.flags:
            cmd += ["--plugin-dir", str(self.plugin_dir)]
        return self.wrapper + cmd + self.extra_args

    def write_config(self, text: str) -> None:
        self.config_path.write_text(text, encoding="utf-8")

    # -- lifecycle
    def start(self, wait: bool = True) -> "Daemon":
        assert self.proc is None or self.proc.poll() is not None, "daemon already running"
        if self.proc is not None:  # a restart: keep the previous run's logs
            Daemon._counter += 1
            self.n = Daemon._counter
            self.stdout_path = self.workdir / f"daemon-{self.n}.stdout"
            self.stderr_path = self.workdir / f"daemon-{self.n}.stderr"
        env = self.env if self.env is not None else clean_env()
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.proc = self.registry.popen(self.command(), stdout=out, stderr=err, env=env, cwd=str(self.workdir))
        if wait:
            self.wait_ready()
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def output(self) -> str:
        parts = []
        for p in (self.stdout_path, self.stderr_path):
            try:
                parts.append(p.read_text(encoding="utf-8", errors="replace"))
            except FileNotFoundError:
                pass
        return "\n".join(parts)

    def stderr(self) -> str:
        try:
            return self.stderr_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def check_alive(self) -> None:
        if not self.alive():
            rc = self.proc.returncode if self.proc else None
            raise DaemonExited(f"zhichengd exited with status {rc}; output:\n{self.output()[-4000:]}")

    def _admin_ready(self) -> bool:
        self.check_alive()
        try:
            with AdminClient(self.admin_socket, timeout=5) as c:
                return c.call("ping") == {"pong": True}
        except (OSError, EOFError, AdminError):
            return False

    def _http_ready(self) -> bool:
        self.check_alive()
        try:
            with socket.create_connection(("127.0.0.1", self.http_port), timeout=5):
                return True
        except OSError:
            return False

    def wait_ready(self, timeout: float = START_TIMEOUT) -> "Daemon":
        deadline = time.monotonic() + timeout
        while True:
            if self._admin_ready() and self._http_ready():
                return self
            if time.monotonic() >= deadline:
                raise AssertionError(f"zhichengd not ready after {timeout}s; output:\n{self.output()[-4000:]}")
            time.sleep(0.05)

    def wait_exit(self, timeout: float = STOP_TIMEOUT) -> int:
        assert self.proc is not None
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"zhichengd did not exit within {timeout}s; output:\n{self.output()[-4000:]}")

    def terminate(self, timeout: float = STOP_TIMEOUT) -> int:
        """SIGTERM and wait; fails (after killing it) if it does not exit in time."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                return self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                ProcessRegistry.stop(self.proc, signal.SIGKILL, 10)
                raise AssertionError(f"zhichengd ignored SIGTERM for {timeout}s; output:\n{self.output()[-4000:]}")
        return self.proc.returncode

    def kill9(self) -> None:
        assert self.proc is not None
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=STOP_TIMEOUT)

    # -- clients
    def admin(self, timeout: float = IO_TIMEOUT) -> AdminClient:
        return AdminClient(self.admin_socket, timeout=timeout)

    def call(self, cmd: str, args: dict | None = None) -> dict:
        with self.admin() as c:
            return c.call(cmd, args)

    def request(self, cmd: str, args: dict | None = None) -> dict:
        with self.admin() as c:
            return c.request(cmd, args)

    def http_get(self, path: str, **kw: Any) -> tuple[int, dict[str, str], bytes]:
        return http_get(self.http_port, path, **kw)

    def tenant_db(self, tenant: str) -> pathlib.Path:
        return self.data_dir / "tenants" / tenant / "tenant.sqlite"


@pytest.fixture
def daemon_factory(request: pytest.FixtureRequest, zhichengd_bin: str, tmp_path: pathlib.Path,
                   sock_dir: pathlib.Path, procs: ProcessRegistry) -> Iterable[Callable[..., Daemon]]:
    made: list[Daemon] = []

    def make(**kw: Any) -> Daemon:
        workdir = kw.pop("workdir", None) or tmp_path
        d = Daemon(procs, zhichengd_bin, workdir, sock_dir, **kw)
        made.append(d)
        return d

    try:
        yield make
    finally:
        for d in made:
            if d.proc is not None:
                ProcessRegistry.stop(d.proc)
        rep = getattr(request.node, "rep_call", None)
        if rep is not None and rep.failed:
            for d in made:
                sys.stderr.write(f"\n===== zhichengd #{d.n} ({' '.join(d.command())}) output =====\n")
                sys.stderr.write(d.output()[-8000:])


@pytest.fixture
def daemon(daemon_factory: Callable[..., Daemon]) -> Daemon:
    """A running daemon with a fresh data dir."""
    return daemon_factory().start()


@pytest.fixture
def admin(daemon: Daemon) -> Iterable[AdminClient]:
    c = daemon.admin()
    try:
        yield c
    finally:
        c.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)


# --------------------------------------------------------------------------- zhichengctl


def human_bytes(n: int) -> str:
    """A byte count as zhichengctl's tables show it (HumanReadable.bytes): `512 B`, `403.0 MiB`."""
    if n < 1024:
        return f"{n} B"
    value, units = n / 1024, ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
    unit = 0
    while unit < len(units) - 1 and int(value * 10 + 0.5) >= 10240:
        value, unit = value / 1024, unit + 1
    tenths = int(value * 10 + 0.5)
    return f"{tenths // 10}.{tenths % 10} {units[unit]}"


def run_ctl(bin: str, *args: str, socket_path: str | os.PathLike[str] | None = None, json_out: bool = False,
            env: dict[str, str] | None = None, timeout: float = CMD_TIMEOUT,
            prefix: list[str] | None = None, cwd: str | os.PathLike[str] | None = None) -> subprocess.CompletedProcess:
    cmd = list(prefix or []) + [bin]
    if socket_path is not None:
        cmd += ["--socket", str(socket_path)]
    if json_out:
        cmd.append("--json")
    cmd += list(args)
    return subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          env=env if env is not None else clean_env(), timeout=timeout, cwd=cwd)


# --------------------------------------------------------------------------- sd_notify


class NotifySocket:
    """An AF_UNIX datagram socket standing in for systemd's NOTIFY_SOCKET."""

    def __init__(self, path: pathlib.Path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))
        os.chmod(path, 0o666)
        self.sock.settimeout(0.2)
        self.messages: list[list[str]] = []  # one entry per datagram: its lines
        self.cond = threading.Condition()
        self._stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self._stop:
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                return
            lines = [l for l in data.decode("utf-8", errors="replace").split("\n") if l]
            with self.cond:
                self.messages.append(lines)
                self.cond.notify_all()

    def close(self) -> None:
        self._stop = True
        self.thread.join(timeout=5)
        self.sock.close()

    def count(self) -> int:
        with self.cond:
            return len(self.messages)

    def snapshot(self) -> list[list[str]]:
        with self.cond:
            return list(self.messages)

    def wait_for(self, line: str, after: int = 0, timeout: float = START_TIMEOUT,
                 alive: Callable[[], None] | None = None) -> int:
        """Index of the first datagram at or after `after` containing the line `line`."""
        deadline = time.monotonic() + timeout
        while True:
            with self.cond:
                for i in range(after, len(self.messages)):
                    if line in self.messages[i]:
                        return i
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"no {line!r} on NOTIFY_SOCKET within {timeout}s; got {self.messages!r}")
                self.cond.wait(min(remaining, 0.2))
            if alive is not None:
                alive()

    def lines_after(self, after: int = 0) -> list[str]:
        with self.cond:
            return [l for m in self.messages[after:] for l in m]


@pytest.fixture
def notify_socket(sock_dir: pathlib.Path) -> Iterable[NotifySocket]:
    ns = NotifySocket(sock_dir / "notify.sock")
    try:
        yield ns
    finally:
        ns.close()


# --------------------------------------------------------------------------- tenants


def create_tenant(client: AdminClient | Daemon, tid: str, code: str = "4101", name: str | None = None,
                  kind: str | None = None) -> dict:
    args: dict[str, Any] = {"id": tid, "name": name or f"测试{tid}", "division_code": code}
    if kind is not None:
        args["kind"] = kind
    return client.call("tenant.create", args)


def short_code(code: str) -> str:
    """'410100' -> '4101', '410000' -> '41', '419001' -> '419001'."""
    if len(code) == 6 and code.endswith("0000"):
        return code[:2]
    if len(code) == 6 and code.endswith("00"):
        return code[:4]
    return code


def same_division(a: str, b: str) -> bool:
    return short_code(a) == short_code(b)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "publicity_days(n): the working days of 公示 in the daemon's config (test_api_committee.py)")
