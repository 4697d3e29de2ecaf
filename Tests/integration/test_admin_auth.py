"""Admin socket access control: SO_PEERCRED allow-lists, socket mode and group (SPEC §4, §9)."""

from __future__ import annotations

import grp
import json
import os
import pathlib
import shutil
import stat
import subprocess
import sys

import pytest

from conftest import CMD_TIMEOUT, Daemon, clean_env, run_ctl

NOBODY = 65534

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="switching uid needs root")

CLIENT = r'''
import json, socket, sys
path = sys.argv[1]
out = {"uid": __import__("os").getuid()}
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(15)
try:
    s.connect(path)
except OSError as e:
    out["connect_errno"] = e.errno
    print(json.dumps(out)); sys.exit(0)
try:
    s.sendall(b'{"id":1,"cmd":"ping"}\n'
              b'{"id":2,"cmd":"tenant.create","args":{"id":"intruder","name":"x","division_code":"4101"}}\n')
except OSError as e:
    out["send_errno"] = e.errno
buf = b""
closed = False
try:
    while True:
        d = s.recv(65536)
        if not d:
            closed = True
            break
        buf += d
        if buf.count(b"\n") >= 2:
            break
except ConnectionResetError:
    closed = True
except socket.timeout:
    pass
out["lines"] = [l for l in buf.decode("utf-8", "replace").split("\n") if l]
out["closed"] = closed
print(json.dumps(out))
'''


def _python_for_other_users() -> str:
    # pyenv's python lives under /root, which other users cannot enter
    for cand in ("/usr/bin/python3", "/usr/local/bin/python3"):
        if os.access(cand, os.X_OK):
            return cand
    return sys.executable


def run_as(uid: int, gid: int, argv: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("setpriv not installed")
    return subprocess.run([setpriv, f"--reuid={uid}", f"--regid={gid}", "--clear-groups", *argv],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=CMD_TIMEOUT,
                          env=env if env is not None else clean_env())


def client_as(sock_dir: pathlib.Path, socket_path: pathlib.Path, uid: int, gid: int) -> dict:
    script = sock_dir / "client.py"
    script.write_text(CLIENT)
    os.chmod(script, 0o644)
    cp = run_as(uid, gid, [_python_for_other_users(), str(script), str(socket_path)])
    assert cp.returncode == 0, f"client failed: {cp.stderr}"
    return json.loads(cp.stdout.strip().splitlines()[-1])


def config(mode: str = "0666", uids: str = "[0]", gids: str = "[]", group: str | None = None) -> str:
    text = f'[admin]\nsocket_mode = "{mode}"\nallowed_uids = {uids}\nallowed_gids = {gids}\n'
    if group is not None:
        text += f'socket_group = "{group}"\n'
    return text


def mode_of(path: pathlib.Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@needs_root
def test_forbidden_uid_is_refused(daemon_factory, sock_dir: pathlib.Path) -> None:
    d: Daemon = daemon_factory(config=config("0666", "[0]")).start()
    out = client_as(sock_dir, d.admin_socket, NOBODY, NOBODY)
    assert "connect_errno" not in out, f"socket mode 0666 should let uid {NOBODY} connect: {out}"
    assert len(out["lines"]) == 1, f"want exactly one line then close: {out}"
    resp = json.loads(out["lines"][0])
    assert resp["id"] is None and resp["ok"] is False and resp["error"]["code"] == "forbidden", resp
    assert out["closed"], f"connection not closed after forbidden: {out}"
    # nothing the refused client sent was executed; the daemon keeps serving root
    assert d.call("tenant.list")["tenants"] == []
    assert not (d.data_dir / "tenants" / "intruder").exists()
    assert d.call("ping") == {"pong": True}


@needs_root
def test_allowed_uid(daemon_factory, sock_dir: pathlib.Path) -> None:
    d: Daemon = daemon_factory(config=config("0666", f"[0, {NOBODY}]")).start()
    out = client_as(sock_dir, d.admin_socket, NOBODY, NOBODY)
    resp = [json.loads(l) for l in out["lines"]]
    assert resp and resp[0] == {"id": 1, "ok": True, "result": {"pong": True}}, out


@needs_root
def test_allowed_gid(daemon_factory, sock_dir: pathlib.Path) -> None:
    d: Daemon = daemon_factory(config=config("0666", "[0]", f"[{NOBODY}]")).start()
    out = client_as(sock_dir, d.admin_socket, NOBODY - 1, NOBODY)
    resp = [json.loads(l) for l in out["lines"]]
    assert resp and resp[0] == {"id": 1, "ok": True, "result": {"pong": True}}, out
    # and a uid/gid pair on neither list is refused
    out = client_as(sock_dir, d.admin_socket, NOBODY - 1, NOBODY - 1)
    resp = [json.loads(l) for l in out["lines"]]
    assert len(resp) == 1 and resp[0]["error"]["code"] == "forbidden", out


@pytest.mark.parametrize("mode", ["0600", "0660", "0666"])
def test_socket_mode(daemon_factory, mode: str) -> None:
    d: Daemon = daemon_factory(config=config(mode)).start()
    assert stat.S_ISSOCK(os.stat(d.admin_socket).st_mode)
    assert mode_of(d.admin_socket) == int(mode, 8)


def test_default_socket_mode_is_0660(daemon: Daemon) -> None:
    assert mode_of(daemon.admin_socket) == 0o660


def test_socket_group_applied_when_it_exists(daemon_factory) -> None:
    try:
        g = grp.getgrgid(NOBODY)
    except KeyError:
        pytest.skip(f"no group {NOBODY} on this machine")
    d: Daemon = daemon_factory(config=config("0660", group=g.gr_name)).start()
    assert os.stat(d.admin_socket).st_gid == NOBODY


def test_socket_group_missing_is_not_fatal(daemon_factory) -> None:
    d: Daemon = daemon_factory(config=config("0660", group="zc-no-such-group-xyz")).start()
    assert d.call("ping") == {"pong": True}


@needs_root
def test_socket_mode_0660_denies_others(daemon_factory, sock_dir: pathlib.Path) -> None:
    d: Daemon = daemon_factory(config=config("0660")).start()
    out = client_as(sock_dir, d.admin_socket, NOBODY, NOBODY)
    assert out.get("connect_errno") == 13, out  # EACCES


def _ctl_as_nobody_or_skip(zhichengctl_bin: str) -> None:
    cp = run_as(NOBODY, NOBODY, [zhichengctl_bin, "--help"])
    if cp.returncode in (126, 127) or "Permission denied" in cp.stderr:
        pytest.skip(f"{zhichengctl_bin} is not executable by uid {NOBODY}")


@needs_root
def test_ctl_permission_denied_exit_77(daemon_factory, zhichengctl_bin: str) -> None:
    _ctl_as_nobody_or_skip(zhichengctl_bin)
    d: Daemon = daemon_factory(config=config("0660")).start()
    cp = run_as(NOBODY, NOBODY, [zhichengctl_bin, "--socket", str(d.admin_socket), "ping"])
    assert cp.returncode == 77, (cp.returncode, cp.stdout, cp.stderr)
    assert "denied" in cp.stderr.lower() and "allowed_gids" in cp.stderr, "says what the sysadmin changes: " + cp.stderr


@needs_root
def test_ctl_forbidden_exit_77(daemon_factory, zhichengctl_bin: str) -> None:
    _ctl_as_nobody_or_skip(zhichengctl_bin)
    d: Daemon = daemon_factory(config=config("0666", "[0]")).start()
    cp = run_as(NOBODY, NOBODY, [zhichengctl_bin, "--socket", str(d.admin_socket), "tenant", "list"])
    assert cp.returncode == 77, (cp.returncode, cp.stdout, cp.stderr)
    assert "forbidden" in cp.stderr.lower() and "allowed_uids" in cp.stderr, "says what the sysadmin changes: " + cp.stderr
    # root is still served
    assert run_ctl(zhichengctl_bin, "ping", socket_path=d.admin_socket).returncode == 0
