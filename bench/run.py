#!/usr/bin/env python3
"""Zhicheng benchmark harness (`make bench`). Python 3.11, standard library only.

One run measures, each against a baseline taken in the same run:

  (a) admin `ping` round trips per second, 1 and 8 connections, against a bare
      C Unix-socket line echo server (bench/echo.c), interleaved rounds;
  (b) `tenant.create` per second, sequential, against creating a WAL SQLite
      file with synchronous=FULL from Python on the same file system plus one
      default-cost yescrypt hash (libxcrypt, through ctypes);
  (c) time from process start to `READY=1` (sd_notify) with 1,000 tenants on
      disk, against the same with an empty data dir;
  (d) the daemon's VmRSS with 1,000 tenants after READY and after `tenant.list`;
  (e) review decisions per second over HTTP, 1 client and 64 concurrent reviewers,
      against raw SQLite update+insert transactions at synchronous=FULL;
  (f) a reviewer's queue page with 100,000 applications in the tenant, against
      GET /healthz of the same server;
  (g) another tenant's page at one connection during a burst of sign-ins and
      during a backup and restore of that big tenant, against the page alone
      (e, f and g are in bench/review.py).

Nothing here asserts a timing: the aims are shown as yes/no in the table, and
the exit status is 0 unless something failed functionally (daemon missing or
crashed, a reply not ok, a wait that timed out). Every process this script
starts runs in its own process group and is killed in a `finally`; every wait
has a timeout; the whole run has a time budget (--budget, default 300 s).

Results: a table on stdout and `.build/bench/results.json`; daemon logs in
`.build/bench/logs/`. See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import select
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
OUT = ROOT / ".build" / "bench"
LOGS = OUT / "logs"

PING_LINE = '{"id":1,"cmd":"ping"}'
AIM_PING_RATIO = 0.8
AIM_READY_S = 0.5
AIM_RSS_MIB = 64.0
MiB = 1024 * 1024

T0 = time.monotonic()

# bench/review.py does `import run`: make that this very module, not a second copy.
sys.modules.setdefault("run", sys.modules[__name__])


class BenchError(Exception):
    """A functional failure: recorded in results["errors"], never a timing."""


class Interrupted(BaseException):
    """Raised from signal handlers so that every `finally` runs."""


def progress(msg: str) -> None:
    print(f"[bench {time.monotonic() - T0:6.1f}s] {msg}", flush=True)


# --------------------------------------------------------------------------
# Process bookkeeping: everything started goes through Procs, and
# Procs.kill_all() runs in the outermost finally.


class Procs:
    def __init__(self) -> None:
        self.procs: list[subprocess.Popen] = []

    def popen(self, argv: list[str], **kw) -> subprocess.Popen:
        kw.setdefault("stdin", subprocess.DEVNULL)
        p = subprocess.Popen(argv, start_new_session=True, **kw)
        self.procs.append(p)
        return p

    def run(self, argv: list[str], timeout: float, **kw) -> subprocess.CompletedProcess:
        """Like subprocess.run, but the child is in its own group and killed on timeout."""
        p = self.popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
        try:
            out, err = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill(p)
            out, err = p.communicate(timeout=5)
            raise BenchError(f"{Path(argv[0]).name} timed out after {timeout:.0f} s: {err.strip()[-300:]}")
        finally:
            self.forget(p)
        return subprocess.CompletedProcess(argv, p.returncode, out, err)

    def forget(self, p: subprocess.Popen) -> None:
        if p in self.procs and p.poll() is not None:
            self.procs.remove(p)

    @staticmethod
    def kill(p: subprocess.Popen, grace: float = 3.0) -> None:
        """SIGTERM the process group, then SIGKILL it if still there after `grace`."""
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                p.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                pass
        # The leader may be gone while others in its group are not.
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass

    def kill_all(self) -> None:
        for p in reversed(self.procs):
            self.kill(p)
        self.procs.clear()


# --------------------------------------------------------------------------
# Small helpers


def free_tcp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def read_status(pid: int) -> dict[str, int]:
    """VmRSS / VmHWM / Threads from /proc/PID/status (kB for the Vm* fields)."""
    out: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key, _, val = line.partition(":")
                if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile", "Threads"):
                    out[key] = int(val.split()[0])
    except (FileNotFoundError, ProcessLookupError, ValueError):
        pass
    try:
        out["fds"] = len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        pass
    return out


def admin_call(path: str, cmd: str, args: dict | None = None, timeout: float = 10.0) -> tuple[dict, float]:
    """One request on a fresh connection; returns (reply, seconds)."""
    req = {"id": 1, "cmd": cmd}
    if args is not None:
        req["args"] = args
    data = (json.dumps(req, ensure_ascii=False) + "\n").encode()
    deadline = time.monotonic() + timeout
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        t = time.monotonic()
        s.connect(path)
        s.sendall(data)
        buf = bytearray()
        while b"\n" not in buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BenchError(f"{cmd}: no reply within {timeout:.0f} s")
            s.settimeout(left)
            try:
                chunk = s.recv(1 << 20)
            except socket.timeout:
                raise BenchError(f"{cmd}: no reply within {timeout:.0f} s") from None
            if not chunk:
                raise BenchError(f"{cmd}: connection closed without a reply")
            buf += chunk
            if len(buf) > 256 * MiB:
                raise BenchError(f"{cmd}: reply larger than 256 MiB")
        dt = time.monotonic() - t
    line = bytes(buf).split(b"\n", 1)[0]
    try:
        return json.loads(line), dt
    except ValueError:
        raise BenchError(f"{cmd}: reply is not JSON: {line[:200]!r}") from None


def tail(path: Path, n: int = 15) -> str:
    """The last `n` lines the daemon wrote since its latest start."""
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return ""
    starts = [i for i, l in enumerate(lines) if l.startswith("==== start")]
    if starts:
        lines = lines[starts[-1] + 1:]
    return "\n".join(lines[-n:]) or "(empty)"


def median(xs: list[float]) -> float | None:
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def fs_type(path: Path) -> str:
    """File system type of the mount holding `path` (from /proc/self/mounts)."""
    best, kind = "", "?"
    try:
        p = str(path.resolve())
        with open("/proc/self/mounts") as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 3 and (p == parts[1] or p.startswith(parts[1].rstrip("/") + "/")):
                    if len(parts[1]) >= len(best):
                        best, kind = parts[1], parts[2]
    except OSError:
        pass
    return kind


# --------------------------------------------------------------------------
# The daemon under test


class Daemon:
    """One zhichengd process at a time over a given data dir."""

    def __init__(self, procs: Procs, binary: Path, data_dir: Path, sock_dir: Path, name: str,
                 extra_args: list[str], ready_timeout: float) -> None:
        self.procs = procs
        self.binary = binary
        self.data_dir = data_dir
        self.sock_dir = sock_dir
        self.name = name
        self.extra_args = extra_args
        self.ready_timeout = ready_timeout
        self.admin = str(sock_dir / f"{name}.sock")
        self.log = LOGS / f"{name}.log"
        self.proc: subprocess.Popen | None = None
        self.notify: socket.socket | None = None
        self.notify_path = str(sock_dir / f"{name}.notify")
        self.starts = 0
        self.http_port: int | None = None
        self.messages: list[str] = []
        self.exit_reported = False

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def _fail(self, what: str) -> BenchError:
        rc = self.proc.poll() if self.proc else None
        state = f"exited with status {rc}" if rc is not None else "still running; killed"
        if self.proc is not None and rc is None:
            Procs.kill(self.proc, grace=1)  # a daemon that failed its start is not worth a graceful stop
        self.exit_reported = True
        return BenchError(f"{self.name}: {what} (daemon {state}); log tail:\n{tail(self.log)}")

    def start(self) -> dict:
        """Starts the daemon; returns timings. Waits for READY=1 (or, failing that, a ping)."""
        assert self.proc is None or self.proc.poll() is not None
        self.starts += 1
        self.exit_reported = False
        self.data_dir.mkdir(parents=True, exist_ok=True)
        for p in (self.notify_path, self.admin):
            try:
                os.unlink(p)
            except FileNotFoundError:
                pass
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.notify.bind(self.notify_path)
        self.messages = []
        self.ready_at = time.monotonic()
        env = {k: v for k, v in os.environ.items()
               if k not in ("LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "WATCHDOG_USEC", "WATCHDOG_PID",
                            "NOTIFY_SOCKET")}
        env["NOTIFY_SOCKET"] = self.notify_path
        self.http_port = free_tcp_port()
        argv = [str(self.binary), "--data-dir", str(self.data_dir), "--admin-socket", self.admin,
                "--http", f"127.0.0.1:{self.http_port}", *self.extra_args]
        LOGS.mkdir(parents=True, exist_ok=True)
        with open(self.log, "a") as logf:
            logf.write(f"\n==== start #{self.starts}: {' '.join(argv)}\n")
            logf.flush()
            t0 = time.monotonic()
            self.proc = self.procs.popen(argv, stdout=logf, stderr=subprocess.STDOUT, env=env)
        result: dict = {"pid": self.proc.pid, "ready_s": None, "notify": True}
        deadline = t0 + self.ready_timeout
        while True:
            now = time.monotonic()
            if now >= deadline:
                break
            r, _, _ = select.select([self.notify], [], [], min(0.05, deadline - now))
            if r:
                t = time.monotonic()
                msg = self.notify.recv(65536).decode(errors="replace")
                self.messages.append(msg)
                if "READY=1" in msg.split("\n"):
                    self.ready_at = t
                    result["ready_s"] = t - t0
                    result["ready_msg"] = msg
                    break
            elif self.proc.poll() is not None:
                raise self._fail("exited before READY=1")
        if result["ready_s"] is None:
            # No READY=1: does it answer at all? Record and go on if it does.
            result["notify"] = False
            try:
                reply, _ = admin_call(self.admin, "ping", timeout=5)
            except (OSError, BenchError) as e:
                raise self._fail(f"no READY=1 within {self.ready_timeout:.0f} s and ping failed: {e}")
            if reply.get("ok") is not True:
                raise self._fail(f"no READY=1 within {self.ready_timeout:.0f} s; ping said {reply}")
            result["error"] = f"no READY=1 on NOTIFY_SOCKET within {self.ready_timeout:.0f} s (but ping answers)"
        # READY=1 promises listeners are up: the first connect must succeed.
        try:
            reply, dt = admin_call(self.admin, "ping", timeout=10)
            result["first_ping_s"] = dt
            if reply.get("ok") is not True:
                result["error"] = f"first ping after READY=1 not ok: {reply}"
        except (OSError, BenchError) as e:
            result["error"] = f"first ping right after READY=1 failed: {e}"
        return result

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def check_alive(self, step: str) -> None:
        if not self.alive():
            raise self._fail(f"died during {step}")

    def stop(self, timeout: float = 15.0) -> dict:
        """SIGTERM, wait; SIGKILL the group if it does not exit in `timeout`."""
        res: dict = {}
        if self.proc is None:
            return res
        p = self.proc
        if p.poll() is not None:
            res["rc"] = p.returncode
            if not self.exit_reported:
                res["error"] = f"had already exited with status {p.returncode}"
        else:
            t = time.monotonic()
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                p.wait(timeout=timeout)
                res["stop_s"] = time.monotonic() - t
                res["rc"] = p.returncode
                if p.returncode < 0:
                    res["error"] = (f"killed by signal {-p.returncode} ({signal.Signals(-p.returncode).name}) "
                                    f"instead of a clean exit on SIGTERM")
                elif p.returncode != 0:
                    res["error"] = f"exited with status {p.returncode} on SIGTERM"
            except subprocess.TimeoutExpired:
                res["error"] = f"did not exit within {timeout:.0f} s of SIGTERM; killed"
        Procs.kill(p, grace=0)
        self.procs.forget(p)
        # Collect STOPPING=1 (and anything else) that arrived meanwhile.
        if self.notify is not None:
            self.notify.setblocking(False)
            try:
                while True:
                    self.messages.append(self.notify.recv(65536).decode(errors="replace"))
            except (BlockingIOError, OSError):
                pass
            self.notify.close()
            self.notify = None
        res["stopping_sent"] = any("STOPPING=1" in m.split("\n") for m in self.messages)
        self.proc = None
        return res


# --------------------------------------------------------------------------
# The benchmark


class Bench:
    def __init__(self, args: argparse.Namespace, procs: Procs, work: Path, sock_dir: Path) -> None:
        self.a = args
        self.procs = procs
        self.work = work
        self.sock_dir = sock_dir
        self.deadline = T0 + args.budget
        self.r: dict = {"errors": [], "warnings": [], "notes": []}
        self.echo_proc: subprocess.Popen | None = None
        self.echo_sock = str(sock_dir / "echo.sock")
        self.daemon_binary: Path = args.binary

    # -- bookkeeping

    def err(self, step: str, e: BaseException | str) -> None:
        msg = f"{step}: {e}"
        self.r["errors"].append(msg)
        progress(f"ERROR {msg}")

    def warn(self, step: str, e: BaseException | str) -> None:
        msg = f"{step}: {e}"
        self.r["warnings"].append(msg)
        progress(f"WARNING {msg}")

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def stop_timeout(self) -> float:
        return min(self.a.stop_timeout, max(5.0, self.left()))

    def need(self, seconds: float, step: str) -> None:
        if self.left() < seconds:
            raise BenchError(f"time budget ({self.a.budget:.0f} s) nearly spent; skipping {step}")

    # -- pieces

    def compile(self) -> None:
        cc = os.environ.get("CC", "cc")
        OUT.mkdir(parents=True, exist_ok=True)
        for name in ("echo", "pingclient", "httpclient"):
            argv = [cc, "-O2", "-Wall", "-pthread", "-o", str(OUT / name), str(BENCH / f"{name}.c")]
            res = self.procs.run(argv, timeout=120)
            if res.returncode != 0:
                raise BenchError(f"compiling {name}.c failed:\n{res.stderr}")

    def start_echo(self) -> None:
        self.echo_proc = self.procs.popen([str(OUT / "echo"), self.echo_sock],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.echo_proc.poll() is not None:
                raise BenchError(f"echo server exited: {self.echo_proc.stderr.read().decode()[-300:]}")
            try:
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                    s.settimeout(1)
                    s.connect(self.echo_sock)
                return
            except OSError:
                time.sleep(0.02)
        raise BenchError("echo server did not listen within 10 s")

    def pingclient(self, *args: str, timeout: float) -> dict:
        res = self.procs.run([str(OUT / "pingclient"), *args], timeout=timeout)
        try:
            out = json.loads(res.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            raise BenchError(f"pingclient printed no JSON (status {res.returncode}): "
                             f"{res.stdout[-300:]}{res.stderr[-300:]}") from None
        out["exit"] = res.returncode
        return out

    def ping(self, sock: str, check: str, conns: int) -> dict:
        d, w = self.a.ping_seconds, self.a.warmup
        return self.pingclient("ping", "--socket", sock, "--check", check, "--conns", str(conns),
                               "--duration", str(d), "--warmup", str(w), "--line", PING_LINE,
                               "--timeout", "10", timeout=d + w + 30)

    def lines(self, sock: str, lines: list[str], window: int, name: str) -> dict:
        f = self.work / f"{name}.jsonl"
        f.write_text("".join(l + "\n" for l in lines), encoding="utf-8")
        budget = max(30.0, min(self.left() - 20, 600.0))
        return self.pingclient("lines", "--socket", sock, "--file", str(f), "--window", str(window),
                               "--check", "ok", "--timeout", str(self.a.request_timeout),
                               timeout=budget)

    @staticmethod
    def create_lines(first: int, count: int, division: str) -> list[str]:
        out = []
        for i in range(first, first + count):
            req = {"id": i, "cmd": "tenant.create",
                   "args": {"id": f"t{i:05d}", "name": f"测试{i}", "division_code": division}}
            out.append(json.dumps(req, ensure_ascii=False, separators=(",", ":")))
        return out

    def daemon(self, name: str) -> Daemon:
        extra = list(self.a.daemon_arg or [])
        if not self.a.no_log_level:
            extra += ["--log-level", "warning"]
        return Daemon(self.procs, self.daemon_binary, self.work / name, self.sock_dir, name, extra,
                      self.a.ready_timeout)

    @staticmethod
    def yescrypt():
        """libcrypt's crypt() with a default-cost yescrypt setting, or None without libxcrypt."""
        try:
            import ctypes
            lib = ctypes.CDLL("libcrypt.so.1")
            lib.crypt_gensalt.restype = ctypes.c_char_p
            lib.crypt_gensalt.argtypes = [ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p, ctypes.c_int]
            lib.crypt.restype = ctypes.c_char_p
            lib.crypt.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
            setting = lib.crypt_gensalt(b"$y$", 0, None, 0)
            if not setting or not (lib.crypt(b"probe", setting) or b"").startswith(b"$y$"):
                return None
            return lambda pw: lib.crypt(pw, lib.crypt_gensalt(b"$y$", 0, None, 0))
        except (OSError, AttributeError):
            return None

    def sqlite_baseline(self, n: int) -> dict:
        """The least a tenant.create must cost here: a durable WAL database file on this
        file system, plus (when libxcrypt is there) one default-cost yescrypt hash for
        the root office's password, as the daemon does."""
        base = self.work / "sqlite-baseline"
        base.mkdir()
        hasher = self.yescrypt()
        hash_s = 0.0
        if hasher:
            t = time.monotonic()
            for i in range(n):
                hasher(f"password-{i}".encode())
            hash_s = time.monotonic() - t
        t = time.monotonic()
        for i in range(n):
            d = base / f"t{i:05d}"
            d.mkdir()
            con = sqlite3.connect(d / "tenant.sqlite", isolation_level=None)
            try:
                con.execute("PRAGMA journal_mode=WAL")
                con.execute("PRAGMA synchronous=FULL")
                con.execute("BEGIN")
                con.execute("CREATE TABLE tenant(id TEXT PRIMARY KEY, name TEXT, division_code TEXT)")
                con.execute("INSERT INTO tenant VALUES (?, ?, ?)", (f"t{i:05d}", "测试", "4101"))
                con.execute("COMMIT")
            finally:
                con.close()
            os.chmod(d / "tenant.sqlite", 0o600)
        file_s = time.monotonic() - t
        shutil.rmtree(base, ignore_errors=True)
        dt = file_s + hash_s
        return {"n": n, "seconds": dt, "sqlite_seconds": file_s, "yescrypt_seconds": hash_s if hasher else None,
                "what": "sqlite file + yescrypt" if hasher else "sqlite file",
                "rps": n / dt if dt > 0 else None}

    # -- steps

    def step_ping(self) -> None:
        progress(f"ping: {self.a.rounds} interleaved rounds of {self.a.ping_seconds:g} s, echo vs daemon, 1 and 8 conns")
        d = self.daemon("ping")
        try:
            start = d.start()
            self.r["empty_start"] = [start]
            if start.get("error"):
                self.err("start (empty data dir)", start["error"])
            if not start.get("notify"):
                self.r["notes"].append("daemon did not send READY=1; readiness fell back to ping")
            try:
                self._ping_rounds(d)
            except BenchError as e:
                self.err("ping", e)
            try:
                self.step_create(d)
            except BenchError as e:
                self.err("tenant.create", e)
        finally:
            stop = d.stop(timeout=self.stop_timeout())
            self.r.setdefault("stops", []).append(stop)
            if stop.get("error"):
                self.err("stop (ping daemon)", stop["error"])

    def _ping_rounds(self, d: Daemon) -> None:
        out: dict = {}
        self.r["ping"] = out
        for conns in (1, 8):
            echo_runs, daemon_runs = [], []
            for rnd in range(self.a.rounds):
                self.need(2 * (self.a.ping_seconds + self.a.warmup) + 30, "ping")
                # Alternate which goes first, so that drift in the machine's speed
                # (other tenants of the host, CPU frequency) hits both alike.
                if rnd % 2 == 0:
                    e = self.ping(self.echo_sock, "echo", conns)
                    z = self.ping(d.admin, "ok", conns)
                else:
                    z = self.ping(d.admin, "ok", conns)
                    e = self.ping(self.echo_sock, "echo", conns)
                echo_runs.append(e)
                daemon_runs.append(z)
                progress(f"  conns={conns} round {rnd + 1}: echo {e.get('rps', 0):,.0f}/s, "
                         f"daemon {z.get('rps', 0):,.0f}/s")
                for who, x in (("echo", e), ("daemon", z)):
                    if x.get("exit") != 0:
                        raise BenchError(f"ping {who} conns={conns}: {x.get('error', x)}")
                d.check_alive("ping")
            er = median([x["rps"] for x in echo_runs])
            zr = median([x["rps"] for x in daemon_runs])
            out[f"c{conns}"] = {
                "conns": conns,
                "echo_rps": er,
                "daemon_rps": zr,
                "ratio": zr / er if er else None,
                "round_ratios": [z["rps"] / e["rps"] if e["rps"] else None
                                 for e, z in zip(echo_runs, daemon_runs)],
                "daemon_p50_us": median([x["lat_us"]["p50"] for x in daemon_runs]),
                "daemon_p99_us": median([x["lat_us"]["p99"] for x in daemon_runs]),
                "echo_p50_us": median([x["lat_us"]["p50"] for x in echo_runs]),
                "echo_p99_us": median([x["lat_us"]["p99"] for x in echo_runs]),
                "runs": {"echo": echo_runs, "daemon": daemon_runs},
            }

    def step_create(self, d: Daemon) -> None:
        n = self.a.creates
        self.need(30, "tenant.create")
        progress(f"tenant.create: {n} sequential creates, and a baseline of {n} durable SQLite files + password hashes")
        base = self.sqlite_baseline(n)
        res = self.lines(d.admin, self.create_lines(1, n, self.a.division_code), 1, "create-seq")
        d.check_alive("tenant.create")
        self.r["create"] = {"daemon": res, "sqlite_baseline": base,
                            "ratio": res["rps"] / base["rps"] if base.get("rps") else None}
        progress(f"  tenant.create {res['rps']:,.1f}/s (p50 {res['lat_ms']['p50']:.1f} ms), "
                 f"baseline ({base['what']}) {base['rps']:,.1f}/s")
        if res.get("exit") != 0:
            raise BenchError(f"{res.get('not_ok', '?')} of {n} creates not ok; first: {res.get('error')}")

    def step_empty_starts(self) -> None:
        """Start->READY with an empty data dir: the baseline for the 1,000-tenant start."""
        d = self.daemon("empty")
        runs = []
        try:
            for i in range(self.a.starts):
                self.need(30, "empty-dir starts")
                s = d.start()
                s["rss"] = read_status(d.pid)
                s["sigterm_after_ready_s"] = time.monotonic() - d.ready_at
                s["stop"] = d.stop()
                runs.append(s)
                if s.get("error"):
                    self.err(f"start #{i + 1} (empty data dir)", s["error"])
                if s["stop"].get("error"):
                    # A race (SIGTERM lands within milliseconds of READY=1): worth
                    # fixing, but flaky by nature, so a warning, not a failure.
                    self.warn(f"stop #{i + 1} (empty data dir, SIGTERM {s['sigterm_after_ready_s'] * 1000:.0f} ms "
                              f"after READY=1)", s["stop"]["error"])
            progress(f"start->READY, empty data dir: median {self._fmt_s(median([x['ready_s'] for x in runs]))}")
        finally:
            d.stop()
            self.r["empty_starts"] = runs

    def step_populate(self) -> Daemon:
        n = self.a.tenants
        d = self.daemon("big")
        progress(f"populate: {n} tenants via tenant.create (pipelined, window {self.a.window}) on a fresh data dir")
        try:
            d.start()
            self.need(30, "populate")
            res = self.lines(d.admin, self.create_lines(1, n, self.a.division_code), self.a.window, "populate")
            d.check_alive("populate")
            self.r["populate"] = res
            progress(f"  {res['ok']}/{n} ok in {res['seconds']:.1f} s ({res['rps']:,.1f}/s)")
            if res.get("exit") != 0:
                raise BenchError(f"{res.get('not_ok', '?')} of {n} creates not ok; first: {res.get('error')}")
        finally:
            stop = d.stop(timeout=self.stop_timeout())
            self.r["populate_stop"] = stop
            if stop.get("error"):
                self.err("stop after populate", stop["error"])
        return d

    def step_big_starts(self, d: Daemon) -> None:
        runs = []
        try:
            for i in range(self.a.starts):
                self.need(45, "1,000-tenant starts")
                progress(f"start #{i + 1} with {self.a.tenants} tenants on disk")
                s = d.start()
                s["rss_ready"] = read_status(d.pid)
                try:
                    reply, dt = admin_call(d.admin, "tenant.list", timeout=self.a.request_timeout)
                    rows = reply.get("result")
                    if isinstance(rows, dict):  # tolerate {"tenants": [...]} or {"rows": [...]}
                        rows = next((v for v in rows.values() if isinstance(v, list)), None)
                    s["list_s"] = dt
                    s["list_rows"] = len(rows) if isinstance(rows, list) else None
                    if reply.get("ok") is not True:
                        s["error"] = f"tenant.list not ok: {json.dumps(reply, ensure_ascii=False)[:300]}"
                    elif s["list_rows"] != self.a.tenants:
                        s["error"] = f"tenant.list returned {s['list_rows']} rows, expected {self.a.tenants}"
                except (OSError, BenchError) as e:
                    s["error"] = f"tenant.list failed: {e}"
                s["rss_list"] = read_status(d.pid)
                d.check_alive("tenant.list")
                s["stop"] = d.stop(timeout=self.stop_timeout())
                if s["stop"].get("error"):
                    s["error"] = (s.get("error", "") + "; " if s.get("error") else "") + "stop: " + s["stop"]["error"]
                runs.append(s)
                if s.get("error"):
                    self.err(f"start #{i + 1} ({self.a.tenants} tenants)", s["error"])
                progress(f"  READY after {self._fmt_s(s['ready_s'])}, RSS {self._fmt_kb(s['rss_ready'].get('VmRSS'))}; "
                         f"tenant.list {self._fmt_s(s.get('list_s'))} -> RSS {self._fmt_kb(s['rss_list'].get('VmRSS'))}; "
                         f"SIGTERM->exit {self._fmt_s(s['stop'].get('stop_s'))}")
        finally:
            d.stop()
            self.r["big_starts"] = runs

    @staticmethod
    def _fmt_s(x: float | None) -> str:
        return "n/a" if x is None else (f"{x * 1000:.1f} ms" if x < 1 else f"{x:.2f} s")

    @staticmethod
    def _fmt_kb(kb: int | None) -> str:
        return "n/a" if kb is None else f"{kb / 1024:.1f} MiB"

    # -- driver

    def run(self) -> None:
        self.r["meta"] = {
            "time": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "binary": str(self.a.binary),
            "build": self.a.binary.parent.name,
            "binary_mtime": datetime.datetime.fromtimestamp(self.a.binary.stat().st_mtime).isoformat(
                timespec="seconds") if self.a.binary.exists() else None,
            "host": platform.node(),
            "kernel": platform.release(),
            "cpus": os.cpu_count(),
            "loadavg_start": os.getloadavg(),
            "data_fs": fs_type(self.work),
            "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(self.a).items()},
        }
        if self.a.binary.parent.name != "release":
            self.r["notes"].append(f"daemon is a {self.a.binary.parent.name} build: numbers are not representative")
        if self.a.binary.exists():
            newest = max((p.stat().st_mtime for p in (ROOT / "Sources").rglob("*.swift")), default=0)
            if newest > self.a.binary.stat().st_mtime + 1:
                self.r["notes"].append(f"the binary is older than the newest file under Sources/ by "
                                       f"{newest - self.a.binary.stat().st_mtime:,.0f} s: a stale build?")
        shutil.rmtree(LOGS, ignore_errors=True)
        progress("compiling bench/echo.c, bench/pingclient.c and bench/httpclient.c")
        self.compile()
        if not self.a.binary.exists():
            raise BenchError(f"daemon binary {self.a.binary} not found (build it, or set ZHICHENGD)")
        if not self.a.no_snapshot:
            # Run a private copy: a rebuild during the run then neither changes the
            # binary under test nor fails on ETXTBSY because we are running it.
            snap = self.work / "bin" / self.a.binary.name
            snap.parent.mkdir()
            shutil.copy2(self.a.binary, snap)
            self.daemon_binary = snap
        if not (self.a.only_review or self.a.only_queue):
            self.start_echo()
            for step in (self.step_ping, self.step_empty_starts):
                try:
                    step()
                except BenchError as e:
                    self.err(step.__name__.removeprefix("step_"), e)
            try:
                d = self.step_populate()
                self.step_big_starts(d)
            except BenchError as e:
                self.err("1,000 tenants", e)
        if not self.a.no_review:
            import review  # bench/review.py: decisions and the queue page over HTTP
            try:
                review.step(self)
            except BenchError as e:
                self.err("review", e)
        self.r["meta"]["loadavg_end"] = os.getloadavg()
        self.r["meta"]["seconds"] = time.monotonic() - T0


# --------------------------------------------------------------------------
# Report


def summarize(r: dict) -> list[dict]:
    """Rows of the table; each: metric, value, baseline, ratio, aim, met (True/False/None)."""
    rows: list[dict] = []

    def row(metric, value=None, baseline=None, ratio=None, aim="", met=None, key=None, spread=None):
        rows.append({"metric": metric, "value": value, "baseline": baseline, "ratio": ratio,
                     "aim": aim, "met": met, "key": key, "spread": spread})

    ping = r.get("ping", {})
    for c in ("c1", "c8"):
        p = ping.get(c)
        if p:
            ratio = p["ratio"]
            rr = [x for x in p["round_ratios"] if x is not None]
            row(f"ping round trips/s, {p['conns']} conn{'s' if p['conns'] > 1 else ''}",
                f"{p['daemon_rps']:,.0f}/s", f"{p['echo_rps']:,.0f}/s echo",
                ratio, f">= {AIM_PING_RATIO}x echo", None if ratio is None else ratio >= AIM_PING_RATIO,
                key=f"ping_ratio_{c}", spread=(min(rr), max(rr)) if len(rr) > 1 else None)
            row(f"  ping latency p50 / p99, {p['conns']} conn{'s' if p['conns'] > 1 else ''}",
                f"{p['daemon_p50_us']:.0f} / {p['daemon_p99_us']:.0f} µs "
                f"({p['daemon_p50_us'] - p['echo_p50_us']:+.0f} µs p50)",
                f"{p['echo_p50_us']:.0f} / {p['echo_p99_us']:.0f} µs echo")
    cr = r.get("create")
    if cr:
        dm, b = cr["daemon"], cr["sqlite_baseline"]
        row(f"tenant.create/s, sequential ({dm['replies']})", f"{dm['rps']:,.1f}/s",
            f"{b['rps']:,.1f}/s {b.get('what', 'sqlite file')}" if b.get("rps") else None, cr["ratio"],
            key="create_ratio")
        row("  tenant.create latency p50 / p99", f"{dm['lat_ms']['p50']:.1f} / {dm['lat_ms']['p99']:.1f} ms")
    pop = r.get("populate")
    if pop:
        row(f"tenant.create/s, pipelined (window {pop['window']}, {pop['requests']})", f"{pop['rps']:,.1f}/s")
    big = r.get("big_starts") or []
    empty = r.get("empty_starts") or []
    ready_big = median([x.get("ready_s") for x in big])
    ready_empty = median([x.get("ready_s") for x in empty])
    nt = f"{r['meta']['args']['tenants']:,}"
    if big:
        row(f"start -> READY=1, {nt} tenants (median of {len(big)})",
            Bench._fmt_s(ready_big),
            f"{Bench._fmt_s(ready_empty)} empty dir" if ready_empty is not None else None,
            ready_big / ready_empty if ready_big and ready_empty else None,
            f"<= {AIM_READY_S} s", None if ready_big is None else ready_big <= AIM_READY_S, key="ready_s")
        rss_ready = median([x["rss_ready"].get("VmRSS") for x in big])
        rss_list = median([x["rss_list"].get("VmRSS") for x in big])
        hwm_list = max((x["rss_list"].get("VmHWM") or 0 for x in big), default=0) or None
        rss_empty = median([(x.get("rss") or {}).get("VmRSS") for x in empty])
        base = f"{Bench._fmt_kb(rss_empty)} empty dir" if rss_empty else None
        anon_ready = median([x["rss_ready"].get("RssAnon") for x in big])
        anon_list = median([x["rss_list"].get("RssAnon") for x in big])
        row(f"RSS after READY=1, {nt} tenants", f"{Bench._fmt_kb(rss_ready)} (anon {Bench._fmt_kb(anon_ready)})", base,
            rss_ready / rss_empty if rss_ready and rss_empty else None, f"< {AIM_RSS_MIB:.0f} MiB",
            None if rss_ready is None else rss_ready / 1024 < AIM_RSS_MIB, key="rss_ready_kb")
        row(f"RSS after tenant.list, {nt} tenants", f"{Bench._fmt_kb(rss_list)} (anon {Bench._fmt_kb(anon_list)})", base,
            rss_list / rss_empty if rss_list and rss_empty else None, f"< {AIM_RSS_MIB:.0f} MiB",
            None if rss_list is None else rss_list / 1024 < AIM_RSS_MIB, key="rss_list_kb")
        row("  peak RSS (VmHWM) by then", Bench._fmt_kb(hwm_list))
        row(f"  tenant.list, {nt} tenants", Bench._fmt_s(median([x.get("list_s") for x in big])))
        row(f"  SIGTERM -> exit, {nt} tenants", Bench._fmt_s(median([x["stop"].get("stop_s") for x in big])))
    elif empty:
        row("start -> READY=1, empty data dir", Bench._fmt_s(ready_empty))
    if r.get("review"):
        import review
        review.summary_rows(r, row)
    return rows


def fmt_ratio(x: float) -> str:
    """Two decimals, or three significant digits for small ratios (0.0031 is not 0.00)."""
    return f"{x:.2f}" if abs(x) >= 0.1 else f"{x:.2g}" if x else "0"


def print_table(r: dict, rows: list[dict]) -> None:
    m = r["meta"]
    print()
    print(f"Zhicheng bench — {m['time']}, {m['build']} build {m['binary']}")
    print(f"{m['cpus']} CPUs, load {m['loadavg_start'][0]:.2f} -> {m.get('loadavg_end', [float('nan')])[0]:.2f}, "
          f"data on {m['data_fs']}, {m.get('seconds', 0):.0f} s")
    hdr = ("metric", "zhichengd", "baseline (same run)", "ratio", "aim", "")
    table = [hdr]
    for x in rows:
        met = {True: "yes", False: "NO", None: ""}[x["met"]]
        table.append((x["metric"], x["value"] or "", x["baseline"] or "",
                      (f"{fmt_ratio(x['ratio'])}x" if x["ratio"] is not None else "")
                      + (f" ({fmt_ratio(x['spread'][0])}-{fmt_ratio(x['spread'][1])})" if x.get("spread") else ""),
                      x["aim"], met))
    widths = [max(len(str(t[i])) for t in table) for i in range(len(hdr))]
    for i, t in enumerate(table):
        print("  ".join(str(c).ljust(w) for c, w in zip(t, widths)).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))
    for n in r.get("notes", []):
        print(f"note: {n}")
    for w in r.get("warnings", []):
        print(f"WARNING: {w}")
    for e in r.get("errors", []):
        print(f"ERROR: {e}")
    print(f"(aims are informational and never fail the run; raw numbers in {OUT / 'results.json'})")


# --------------------------------------------------------------------------


def default_binary() -> Path:
    env = os.environ.get("ZHICHENGD")
    if env:
        return Path(env)
    rel = ROOT / ".build" / "release" / "zhichengd"
    return rel if rel.exists() else ROOT / ".build" / "debug" / "zhichengd"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", type=Path, default=default_binary(), help="zhichengd to test (env ZHICHENGD)")
    ap.add_argument("--budget", type=float, default=300, help="whole-run time budget, seconds")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved echo/daemon ping rounds")
    ap.add_argument("--ping-seconds", type=float, default=1.5, help="measured seconds per ping run")
    ap.add_argument("--warmup", type=float, default=0.3, help="unmeasured warm-up seconds per ping run")
    ap.add_argument("--creates", type=int, default=200, help="sequential tenant.create requests")
    ap.add_argument("--tenants", type=int, default=1000, help="tenants on disk for the start/RSS step")
    ap.add_argument("--window", type=int, default=64, help="requests in flight while populating")
    ap.add_argument("--starts", type=int, default=3, help="starts to take the median of")
    ap.add_argument("--division-code", default="4101")
    ap.add_argument("--no-review", action="store_true", help="skip the review decisions / queue page part")
    ap.add_argument("--only-review", action="store_true", help="run only the review decisions / queue page part")
    ap.add_argument("--only-queue", action="store_true",
                    help="run only the queue page part (implies --only-review; seeds no applications to decide)")
    ap.add_argument("--review-apps", type=int, default=160000, help="applications seeded for decisions (each is decided once)")
    ap.add_argument("--review-clients", type=int, default=64, help="concurrent reviewers (handler accounts, one connection each)")
    ap.add_argument("--review-seconds", type=float, default=2.0, help="measured seconds per decision run (and raw baseline run)")
    ap.add_argument("--review-rounds", type=int, default=2, help="interleaved rounds for decisions and for the queue page")
    ap.add_argument("--queue-apps", type=int, default=100000, help="applications in the queue page's tenant")
    ap.add_argument("--queue-matching", type=int, default=300, help="of which waiting for the queue's reviewer")
    ap.add_argument("--queue-children", type=int, default=20, help="units under the root office in the queue tenant")
    ap.add_argument("--queue-conns", type=int, default=16, help="connections for the queue page and /healthz runs")
    ap.add_argument("--queue-seconds", type=float, default=2.0, help="measured seconds per queue page / healthz run")
    ap.add_argument("--no-fsync-count", dest="fsync_count", action="store_false",
                    help="do not count the daemon's fsyncs with `perf stat` during the decision runs")
    ap.add_argument("--ready-timeout", type=float, default=20, help="seconds to wait for READY=1")
    ap.add_argument("--stop-timeout", type=float, default=60, help="seconds to wait for exit after SIGTERM")
    ap.add_argument("--request-timeout", type=float, default=60, help="seconds to wait for one admin reply")
    ap.add_argument("--daemon-arg", action="append", help="extra argument for zhichengd (repeatable)")
    ap.add_argument("--no-log-level", action="store_true", help="do not pass --log-level warning")
    ap.add_argument("--keep", action="store_true", help="keep the temporary data dirs")
    ap.add_argument("--no-snapshot", action="store_true", help="run the binary in place, not a private copy")
    args = ap.parse_args()
    args.binary = args.binary.resolve() if args.binary.exists() else args.binary

    def on_signal(signum, _frame):
        raise Interrupted(f"signal {signum}")

    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)
    signal.signal(signal.SIGALRM, on_signal)
    signal.alarm(int(args.budget) + 120)  # hard stop even if a step ignores the budget

    procs = Procs()
    work = Path(tempfile.mkdtemp(prefix="zcbench-"))
    sock_dir = work
    if len(str(work / "populate.notify")) > 100:  # sun_path is 108 bytes
        sock_dir = Path(tempfile.mkdtemp(prefix="zcb-", dir="/tmp"))
    bench = Bench(args, procs, work, sock_dir)
    status = 0
    try:
        try:
            bench.run()
        except BenchError as e:
            bench.err("bench", e)
        except Interrupted as e:
            bench.err("bench", f"interrupted ({e}); partial results")
            status = 130
    finally:
        signal.alarm(0)
        for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(s, signal.SIG_IGN)  # let the clean-up finish
        procs.kill_all()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
            if sock_dir != work:
                shutil.rmtree(sock_dir, ignore_errors=True)
        else:
            progress(f"kept {work}")
    r = bench.r
    r.setdefault("meta", {})
    r["meta"].setdefault("loadavg_end", os.getloadavg())
    r["meta"]["seconds"] = time.monotonic() - T0
    rows = summarize(r) if "time" in r["meta"] else []
    r["summary"] = {x["key"]: {"ratio": x["ratio"], "value": x["value"], "met": x["met"]} for x in rows if x["key"]}
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(r, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if "time" in r["meta"]:
        print_table(r, rows)
    else:
        for e in r["errors"]:
            print(f"ERROR: {e}")
    if status:
        return status
    return 1 if r["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
