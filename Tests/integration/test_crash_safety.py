"""Crash safety and clean shutdown (SPEC §3 synchronous=FULL, §9 SIGTERM): kill -9 in the
middle of a stream of acknowledged writes, restart on the same data dir, every acknowledged
write is there and every tenant checks ok; SIGTERM finishes, checkpoints and exits 0."""

from __future__ import annotations

import http.client
import os
import pathlib
import signal
import threading

from conftest import (
    CITY_CODES,
    AdminClient,
    Daemon,
    create_tenant,
    sqlite_integrity,
    wait_until,
)

CODES = list(CITY_CODES)


def _writer(daemon: Daemon, prefix: str, acked_creates: list[str], acked_resets: list[str],
            stop: threading.Event, errors: list[str]) -> None:
    """Create tenants and reset their admin password until the connection dies."""
    try:
        c = daemon.admin(timeout=30)
    except OSError as exc:
        errors.append(f"connect: {exc!r}")
        return
    try:
        i = 0
        while not stop.is_set():
            tid = f"{prefix}-{i}"
            code = CODES[i % len(CODES)]
            resp = c.request("tenant.create", {"id": tid, "name": f"崩溃{i}", "division_code": code})
            if not resp.get("ok"):
                errors.append(f"create {tid}: {resp}")
                return
            acked_creates.append(tid)
            login = resp["result"]["admin_login"]
            resp = c.request("account.reset-password", {"tenant": tid, "login": login})
            if not resp.get("ok"):
                errors.append(f"reset {tid}: {resp}")
                return
            acked_resets.append(tid)
            i += 1
    except (OSError, EOFError):
        pass  # the daemon was killed under us: expected
    finally:
        c.close()


def _verify(d: Daemon, must_have: list[str]) -> None:
    listed = {t["id"]: t for t in d.call("tenant.list")["tenants"]}
    missing = [t for t in must_have if t not in listed]
    assert not missing, f"acknowledged tenant.create lost after kill -9: {missing}"
    for tid, row in listed.items():
        res = d.call("tenant.check", {"id": tid})
        assert res["ok"] is True and res["integrity"] == ["ok"] and res["foreign_keys"] == [] \
            and res["audit_chain"] == "ok", f"{tid}: {res}"
        assert row["accounts"] >= 1 and row["orgs"] >= 1, row
    for tid in must_have:
        assert d.tenant_db(tid).is_file()


def test_kill9_mid_stream(daemon_factory) -> None:
    d: Daemon = daemon_factory()
    d.start()
    all_acked: list[str] = []
    for rnd in range(3):
        acked_creates: list[str] = []
        acked_resets: list[str] = []
        errors: list[str] = []
        stop = threading.Event()
        t = threading.Thread(target=_writer, args=(d, f"r{rnd}", acked_creates, acked_resets, stop, errors),
                             daemon=True)
        t.start()
        try:
            wait_until(lambda: len(acked_resets) >= 4 + rnd or errors or not t.is_alive(), 120,
                       "some acknowledged writes")
            d.kill9()
        finally:
            stop.set()
            t.join(timeout=60)
        assert not t.is_alive()
        assert not errors, errors
        assert set(acked_resets) <= set(acked_creates)
        all_acked += acked_creates
        # restart on the same data dir (the stale socket file of the killed daemon is still there)
        d.start()
        _verify(d, all_acked)
    assert d.call("status")["tenants"]["total"] >= len(all_acked)


def test_kill9_during_backup_and_suspend(daemon_factory) -> None:
    d: Daemon = daemon_factory().start()
    for n in range(3):
        create_tenant(d, f"t{n}", CODES[n])
    d.call("tenant.suspend", {"id": "t1"})
    d.call("tenant.backup", {"id": "t0"})
    with d.admin() as c:
        # fire a backup and kill while it may still run
        c.send({"id": 1, "cmd": "tenant.backup", "args": {"id": "t2"}})
        d.kill9()
    d.start()
    _verify(d, ["t0", "t1", "t2"])
    assert d.call("tenant.show", {"id": "t1"})["state"] == "suspended"
    assert d.call("tenant.show", {"id": "t0"})["last_backup"] is not None


def test_sigterm_with_keep_alive_http_connections_open_exits_promptly(daemon_factory) -> None:
    """An idle keep-alive connection (a metrics scraper's, a browser's) is told to close when the
    daemon stops: the stop does not wait for the client, and the WAL is checkpointed. It once
    held the stop until systemd's SIGKILL, 60 s later, skipping the checkpoint. The idle timeout
    is set far beyond the wait here, so that it cannot be what ends the stop."""
    d: Daemon = daemon_factory(config='[http]\nclient_timeout_seconds = 300\n').start()
    create_tenant(d, "t0", CODES[0])
    idle = []
    for _ in range(3):
        conn = http.client.HTTPConnection("127.0.0.1", d.http_port, timeout=30)
        conn.request("GET", "/metrics")
        assert conn.getresponse().read()
        idle.append(conn)     # kept open: HTTP/1.1 keep-alive
    try:
        os.kill(d.pid, signal.SIGTERM)
        # Held by the idle connections, the stop would last their 300 s idle timeout.
        assert d.wait_exit(timeout=30) == 0, d.output()[-3000:]
        assert "zhichengd stopped" in d.output()
    finally:
        for conn in idle:
            conn.close()
    wal = pathlib.Path(str(d.tenant_db("t0")) + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0


def test_sigterm_checkpoints_and_exits_0(daemon_factory) -> None:
    d: Daemon = daemon_factory().start()
    for n in range(3):
        create_tenant(d, f"t{n}", CODES[n])
        d.call("account.reset-password", {"tenant": f"t{n}", "login": CODES[n]})
    # requests in flight when SIGTERM arrives are answered (a prefix, in order), nothing is garbled
    c = d.admin(timeout=30)
    try:
        c.send_raw(b"".join(b'{"id": %d, "cmd": "tenant.list"}\n' % i for i in range(30)))
        first = c.read_json()
        assert first["id"] == 0 and first["ok"] is True
        os.kill(d.pid, signal.SIGTERM)
        n = 1
        while True:
            try:
                resp = c.read_json()
            except EOFError:
                break
            assert resp["id"] == n and resp["ok"] is True, resp
            n += 1
    except (ConnectionResetError, BrokenPipeError):
        pass
    finally:
        c.close()
    rc = d.wait_exit(timeout=30)
    assert rc == 0, f"exit status {rc}\n{d.output()[-3000:]}"
    # WAL checkpointed and databases closed: no WAL content left behind
    dbs = [d.data_dir / "registry.sqlite"] + [d.tenant_db(f"t{n}") for n in range(3)]
    for db in dbs:
        wal = pathlib.Path(str(db) + "-wal")
        assert not wal.exists() or wal.stat().st_size == 0, f"{wal} still holds {wal.stat().st_size} bytes"
        assert sqlite_integrity(db) == ["ok"], db
    # and it starts again on the same data dir
    d.start()
    _verify(d, ["t0", "t1", "t2"])


def test_restart_after_kill_replaces_stale_socket(daemon_factory) -> None:
    d: Daemon = daemon_factory().start()
    d.kill9()
    assert d.admin_socket.exists(), "precondition: kill -9 leaves the socket file"
    d.start()
    with AdminClient(d.admin_socket) as c:
        assert c.call("ping") == {"pong": True}
