"""systemd integration seen from outside (SPEC §2, §9): sd_notify READY/STATUS/RELOADING/
STOPPING/WATCHDOG on NOTIFY_SOCKET, SIGHUP reload, SIGTERM, and socket activation through
systemd-socket-activate with named fds."""

from __future__ import annotations

import os
import pathlib
import shutil
import signal
import stat
import time

import pytest

from conftest import (
    START_TIMEOUT,
    AdminClient,
    Daemon,
    NotifySocket,
    ProcessRegistry,
    clean_env,
    create_tenant,
    expect_error,
    free_port,
    http_get,
    http_request,
    wait_until,
)

BAD_CONFIG = '[limits]\nmax_open_tenants = -1\n'


def start_notified(daemon_factory, ns: NotifySocket, **kw) -> Daemon:
    extra_env = kw.pop("extra_env", {})
    d: Daemon = daemon_factory(env=clean_env(NOTIFY_SOCKET=str(ns.path), **extra_env), **kw)
    d.start(wait=False)
    ns.wait_for("READY=1", timeout=START_TIMEOUT, alive=d.check_alive)
    return d


def test_ready_only_when_listeners_accept(daemon_factory, notify_socket: NotifySocket) -> None:
    d = start_notified(daemon_factory, notify_socket)
    # READY=1 was sent: both listeners must accept right now, without any retry
    with AdminClient(d.admin_socket, timeout=10) as c:
        assert c.call("ping") == {"pong": True}
    status, _, body = http_get(d.http_port, "/healthz", timeout=10)
    assert status == 200
    msgs = notify_socket.snapshot()
    ready = next(m for m in msgs if "READY=1" in m)
    assert any(l.startswith("STATUS=") and len(l) > len("STATUS=") for l in ready), \
        f"READY=1 without a STATUS= line: {ready}"
    assert sum("READY=1" in m for m in msgs) == 1, msgs
    # MAINPID, if sent, is the daemon's
    for l in notify_socket.lines_after(0):
        if l.startswith("MAINPID="):
            assert int(l.split("=", 1)[1]) == d.pid


def test_sighup_reload(daemon_factory, notify_socket: NotifySocket) -> None:
    d = start_notified(daemon_factory, notify_socket)
    mark = notify_socket.count()
    d.write_config('[log]\nlevel = "debug"\n')
    os.kill(d.pid, signal.SIGHUP)
    i = notify_socket.wait_for("RELOADING=1", after=mark, timeout=30, alive=d.check_alive)
    notify_socket.wait_for("READY=1", after=i, timeout=30, alive=d.check_alive)
    assert d.call("ping") == {"pong": True}
    assert d.alive()


def test_admin_config_reload_notifies(daemon_factory, notify_socket: NotifySocket) -> None:
    d = start_notified(daemon_factory, notify_socket)
    mark = notify_socket.count()
    assert d.call("config.reload")["reloaded"] is True
    i = notify_socket.wait_for("RELOADING=1", after=mark, timeout=30, alive=d.check_alive)
    notify_socket.wait_for("READY=1", after=i, timeout=30, alive=d.check_alive)


def test_bad_config_on_sighup_keeps_running(daemon_factory, notify_socket: NotifySocket) -> None:
    d = start_notified(daemon_factory, notify_socket, config='[limits]\nmax_open_tenants = 4\n')
    create_tenant(d, "zhengzhou", "4101")
    before = d.call("status")
    mark = notify_socket.count()
    d.write_config(BAD_CONFIG)
    os.kill(d.pid, signal.SIGHUP)
    # the refusal is logged naming the key
    def logged() -> bool:
        d.check_alive()
        return "limits.max_open_tenants" in d.stderr()
    wait_until(logged, 30, "the bad key to be logged", interval=0.1)
    d.check_alive()
    # a reload that began also ends: systemd must not be left in "reloading"
    i = notify_socket.wait_for("RELOADING=1", after=mark, timeout=30, alive=d.check_alive)
    notify_socket.wait_for("READY=1", after=i, timeout=30, alive=d.check_alive)
    # `systemctl status` says the reload was refused and which key, not that it was done.
    status = [line for m in notify_socket.snapshot()[i:] for line in m if line.startswith("STATUS=")]
    assert "refused" in status[-1] and "limits.max_open_tenants" in status[-1] and "reloaded" not in status[-1], status
    after = d.call("status")
    assert after["pid"] == before["pid"] and after["listeners"] == before["listeners"]
    assert d.call("tenant.show", {"id": "zhengzhou"})["state"] == "active"
    assert http_get(d.http_port, "/healthz")[0] == 200
    assert not any("STOPPING=1" in m for m in notify_socket.snapshot())


def test_bad_config_on_admin_reload(daemon: Daemon) -> None:
    daemon.write_config(BAD_CONFIG)
    with daemon.admin() as c:
        err = expect_error(c.request("config.reload"), "invalid")
        assert "limits.max_open_tenants" in err["message"], err
        assert c.call("ping") == {"pong": True}
    daemon.write_config('[log]\nlevel = "info"\n')
    assert daemon.call("config.reload")["reloaded"] is True
    assert daemon.alive()


def test_sigterm_stopping_exit_0(daemon_factory, notify_socket: NotifySocket) -> None:
    d = start_notified(daemon_factory, notify_socket)
    create_tenant(d, "zhengzhou", "4101")
    mark = notify_socket.count()
    os.kill(d.pid, signal.SIGTERM)
    rc = d.wait_exit(timeout=30)
    assert rc == 0, f"exit status {rc}\n{d.output()[-3000:]}"
    # the datagram may still be in the socket buffer: give the reader a bounded moment
    notify_socket.wait_for("STOPPING=1", after=mark, timeout=10)


def _watchdogs(ns: NotifySocket, after: int = 0) -> int:
    return sum("WATCHDOG=1" in m for m in ns.snapshot()[after:])


def _wait_watchdogs(ns: NotifySocket, d: Daemon, n: int) -> None:
    def enough() -> bool:
        d.check_alive()
        return _watchdogs(ns) >= n
    wait_until(enough, 30, f"{n} WATCHDOG=1 pings")


def test_watchdog(daemon_factory, notify_socket: NotifySocket) -> None:
    d = start_notified(daemon_factory, notify_socket, extra_env={"WATCHDOG_USEC": "200000"})
    _wait_watchdogs(notify_socket, d, 5)
    assert d.call("ping") == {"pong": True}


def test_watchdog_pid_is_own_pid(daemon_factory, notify_socket: NotifySocket) -> None:
    # exec keeps the pid: WATCHDOG_PID is the daemon's own pid
    wrapper = ["/bin/sh", "-c", 'WATCHDOG_PID=$$; export WATCHDOG_PID; exec "$@"', "sh"]
    d = start_notified(daemon_factory, notify_socket, extra_env={"WATCHDOG_USEC": "200000"}, wrapper=wrapper)
    _wait_watchdogs(notify_socket, d, 3)


def test_watchdog_for_another_pid_is_ignored(daemon_factory, notify_socket: NotifySocket) -> None:
    d = start_notified(daemon_factory, notify_socket,
                       extra_env={"WATCHDOG_USEC": "200000", "WATCHDOG_PID": "1"})
    # in this window a watchdog meant for the daemon would have been sent ~10 times
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline:
        d.check_alive()
        time.sleep(0.1)
    assert _watchdogs(notify_socket) == 0, notify_socket.snapshot()


# --------------------------------------------------------------------------- socket activation


def _activate(procs: ProcessRegistry, zhichengd_bin: str, tmp_path: pathlib.Path, sock_dir: pathlib.Path,
              extra: list[str] | None = None, http_listen: str = "127.0.0.1:{port}", fdnames: tuple[str, str] = ("admin", "http"),
              http_first: bool = False):
    tool = shutil.which("systemd-socket-activate")
    if tool is None:
        pytest.skip("systemd-socket-activate not installed")
    admin_path = sock_dir / "activated.sock"
    port = free_port()
    data = tmp_path / "data"
    cfg = tmp_path / "zhichengd.toml"
    cfg.write_text('[log]\nlevel = "info"\n')
    (tmp_path / "plugins").mkdir(exist_ok=True)
    listen = [("-l", str(admin_path), fdnames[0]), ("-l", http_listen.format(port=port), fdnames[1])]
    if http_first:
        listen.reverse()
    cmd = [tool, *[a for flag, address, _ in listen for a in (flag, address)], "--fdname=" + ":".join(name for _, _, name in listen), *(extra or []),
           zhichengd_bin, "--config", str(cfg), "--data-dir", str(data), "--plugin-dir", str(tmp_path / "plugins")]
    log = open(tmp_path / "activate.log", "wb")
    p = procs.popen(cmd, stdout=log, stderr=log, env=clean_env())
    log.close()

    def listening() -> bool:
        if p.poll() is not None:
            raise AssertionError(f"systemd-socket-activate exited: {(tmp_path / 'activate.log').read_text()}")
        return admin_path.exists()

    wait_until(listening, 30, "systemd-socket-activate to listen")
    return p, admin_path, port, data


def _connect_with_retries(path: pathlib.Path, timeout: float) -> AdminClient:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return AdminClient(path, timeout=START_TIMEOUT)
        except OSError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.1)


def test_socket_activation_admin_first(procs: ProcessRegistry, zhichengd_bin: str, tmp_path: pathlib.Path,
                                       sock_dir: pathlib.Path) -> None:
    p, admin_path, port, data = _activate(procs, zhichengd_bin, tmp_path, sock_dir)
    inode = os.stat(admin_path).st_ino
    with _connect_with_retries(admin_path, 30) as c:
        assert c.call("ping") == {"pong": True}  # served by the daemon started on this connection
        st = c.call("status")
        assert st["pid"] == p.pid, "the daemon should be exec'd in place by systemd-socket-activate"
        assert st["listeners"]["admin"] == str(admin_path)
        assert st["listeners"]["http"] == f"127.0.0.1:{port}"
        create_tenant(c, "zhengzhou", "4101")
    # the daemon used the passed socket: it did not unlink and re-create the file
    assert stat.S_ISSOCK(os.stat(admin_path).st_mode)
    assert os.stat(admin_path).st_ino == inode
    assert http_get(port, "/healthz")[0] == 200
    assert http_get(port, "/t/zhengzhou/api/v1/tenant")[0] == 200
    assert (data / "tenants" / "zhengzhou" / "tenant.sqlite").is_file()


def test_one_socket_units_listeners_sharing_one_name_are_told_apart_by_their_family(procs: ProcessRegistry, zhichengd_bin: str,
                                                                                   tmp_path: pathlib.Path, sock_dir: pathlib.Path) -> None:
    """SPEC §9's one `zhichengd.socket` passes both listeners under its one FileDescriptorName=
    (here `zhichengd`, the HTTP port first): the Unix socket is taken as the admin socket and the
    TCP one as the HTTP port, whatever their order."""
    p, admin_path, port, data = _activate(procs, zhichengd_bin, tmp_path, sock_dir, fdnames=("zhichengd", "zhichengd"), http_first=True)
    inode = os.stat(admin_path).st_ino
    with _connect_with_retries(admin_path, 30) as c:
        assert c.call("ping") == {"pong": True}
        st = c.call("status")
        assert st["pid"] == p.pid and st["listeners"] == {"admin": str(admin_path), "http": f"127.0.0.1:{port}"}, st["listeners"]
        create_tenant(c, "zhengzhou", "4101")
    assert os.stat(admin_path).st_ino == inode, "the passed socket, not one bound again"
    assert http_get(port, "/t/zhengzhou/api/v1/tenant")[0] == 200
    assert "ignoring a socket" not in (tmp_path / "activate.log").read_text()


def test_socket_activation_http_first(procs: ProcessRegistry, zhichengd_bin: str, tmp_path: pathlib.Path,
                                      sock_dir: pathlib.Path) -> None:
    p, admin_path, port, data = _activate(procs, zhichengd_bin, tmp_path, sock_dir)
    inode = os.stat(admin_path).st_ino
    status, _, body = http_get(port, "/healthz", timeout=START_TIMEOUT)
    assert status == 200 and b"ok" in body
    with _connect_with_retries(admin_path, 30) as c:
        assert c.call("ping") == {"pong": True}
        assert c.call("status")["pid"] == p.pid
    assert os.stat(admin_path).st_ino == inode


def test_an_ipv4_client_of_a_socket_systemd_passes_for_any_address_is_recorded_as_ipv4(procs: ProcessRegistry, zhichengd_bin: str,
                                                                                       tmp_path: pathlib.Path, sock_dir: pathlib.Path) -> None:
    """`ListenStream=8080` (a port alone, as a drop-in may say) makes systemd pass an IPv6 socket
    that takes IPv4 too (`[::]:8080`): an IPv4 client's peer comes IPv4-mapped, and is recorded
    as `127.0.0.1` in the audit log and the session, as on the shipped `127.0.0.1:8080`."""
    import json

    from api_support import NEW_PASSWORD, Api, db_rows

    p, admin_path, port, data = _activate(procs, zhichengd_bin, tmp_path, sock_dir, http_listen="{port}")
    with _connect_with_retries(admin_path, 30) as c:
        assert c.call("status")["listeners"]["http"].startswith("::"), c.call("status")["listeners"]
        info = create_tenant(c, "zhengzhou", "4101")
    city = Api(port, "zhengzhou").first_login(info["admin_login"], info["admin_password"])
    status, _, body = http_request(port, "POST", "/t/zhengzhou/api/v1/session", json.dumps({"login": info["admin_login"], "password": NEW_PASSWORD}).encode(),
                                   headers={"Content-Type": "application/json"})
    assert status == 200, body
    db = data / "tenants" / "zhengzhou" / "tenant.sqlite"
    assert {s for (s,) in db_rows(db, "SELECT source FROM sessions")} == {"127.0.0.1"}
    assert {s for (s,) in db_rows(db, "SELECT source FROM audit WHERE action = 'session.create'")} == {"127.0.0.1"}
    assert city.account["login"] == info["admin_login"]


def test_socket_activation_with_notify(procs: ProcessRegistry, zhichengd_bin: str, tmp_path: pathlib.Path,
                                       sock_dir: pathlib.Path, notify_socket: NotifySocket) -> None:
    p, admin_path, port, data = _activate(procs, zhichengd_bin, tmp_path, sock_dir,
                                          extra=[f"--setenv=NOTIFY_SOCKET={notify_socket.path}"])
    with _connect_with_retries(admin_path, 30) as c:
        assert c.call("ping") == {"pong": True}
    notify_socket.wait_for("READY=1", timeout=30)
    mark = notify_socket.count()
    p.send_signal(signal.SIGTERM)
    assert p.wait(timeout=30) == 0
    notify_socket.wait_for("STOPPING=1", after=mark, timeout=10)
