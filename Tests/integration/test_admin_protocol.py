"""Admin protocol (SPEC §4): framing, error codes, pipelining, concurrency, basic commands."""

from __future__ import annotations

import json
import threading

import pytest

from conftest import (
    ALL_COMMANDS,
    AdminClient,
    AdminError,
    Daemon,
    create_tenant,
    expect_error,
    tenant_dirs,
)

MIB = 1 << 20


def state_of(daemon: Daemon) -> tuple:
    """What must not change after a bad line: the tenant list and the tenant dirs."""
    return daemon.call("tenant.list"), tenant_dirs(daemon.data_dir)


# (raw line, expected id, expected code)
MALFORMED = [
    (b"not json", None, "bad_request"),
    (b'{"id": 1, "cmd": ', None, "bad_request"),
    (b"{'id': 1, 'cmd': 'ping'}", None, "bad_request"),
    (b"[1]", None, "bad_request"),
    (b'"x"', None, "bad_request"),
    (b"42", None, "bad_request"),
    (b"null", None, "bad_request"),
    (b"\xff\xfe\xfd", None, "bad_request"),
    (b'{"id": 2}', 2, "bad_request"),
    (b'{"id": 3, "cmd": 5}', 3, "bad_request"),
    (b'{"id": 4, "cmd": "nope"}', 4, "unknown_command"),
    (b'{"id": 5, "cmd": "tenant.show", "args": {"id": 5}}', 5, "bad_request"),
    (b'{"id": 6, "cmd": "tenant.show", "args": {}}', 6, "bad_request"),
    (b'{"id": 7, "cmd": "tenant.show"}', 7, "bad_request"),
    (b'{"id": 8, "cmd": "tenant.create", "args": {"id": "okid", "name": "x"}}', 8, "bad_request"),
    (b'{"id": 9, "cmd": "tenant.create", "args": {"id": "okid", "name": "x", "division_code": 4101}}', 9,
     "bad_request"),
    (b'{"id": 10, "cmd": "tenant.create", "args": {"id": "okid", "name": ["x"], "division_code": "4101"}}', 10,
     "bad_request"),
    (b'{"id": "s", "cmd": "tenant.create", "args": [1]}', "s", "bad_request"),
    (b'{"id": 11, "cmd": "tenant.create", "args": "okid"}', 11, "bad_request"),
    (b'{"id": 12, "cmd": "tenant.archive", "args": {"id": "okid"}}', 12, "bad_request"),
    (b'{"id": 13, "cmd": "account.reset-password", "args": {"tenant": "okid"}}', 13, "bad_request"),
    (b'{"id": 14, "cmd": "log.level", "args": {"level": 3}}', 14, "bad_request"),
    (b'{"id": 15, "cmd": "tenant.restore", "args": {"id": "okid", "path": 1}}', 15, "bad_request"),
    # Strict where readers differ: bytes that are not UTF-8 inside a string (never replaced by
    # U+FFFD and taken), and a key given twice (never the first or the last silently).
    ('{"id": 16, "cmd": "tenant.create", "args": {"id": "okid", "name": "'.encode() + b"\xff\xfe" + '开", "division_code": "4102"}}'.encode(),
     None, "bad_request"),
    (b'{"id": 17, "cmd": "tenant.create", "args": {"id": "okid", "id": "other", "name": "x", "division_code": "4101"}}', None, "bad_request"),
    (b'{"id": 18, "id": 19, "cmd": "ping"}', None, "bad_request"),
    # An argument the command does not take is refused, not ignored: `knid` would have made a
    # city of a province, a misspelt `province_level` shown the settings as if they were set.
    (b'{"id": 20, "cmd": "tenant.create", "args": {"id": "okid", "name": "x", "division_code": "41", "knid": "province"}}', 20, "bad_request"),
    (b'{"id": 21, "cmd": "tenant.configure", "args": {"id": "okid", "province_level": ["\\u6b63\\u9ad8\\u7ea7"]}}', 21, "bad_request"),
    (b'{"id": 22, "cmd": "ping", "args": {"verbose": true}}', 22, "bad_request"),
    (b'{"id": 23, "cmd": "tenant.list", "args": {"id": "okid"}}', 23, "bad_request"),
]

INVALID_IDS = ["../x", "..", "A", "a", "x/y", "a" * 33, "", "Zhengzhou", "1abc", "-ab", "ab_c", "ab c", "ab.c",
               "зh", "郑州", "ab\x00c", "/etc", "ab\\c"]


def _check_bad_lines(daemon: Daemon, cases: list[tuple[bytes, object, str]]) -> None:
    before = state_of(daemon)
    failures = []
    with daemon.admin() as c:
        for raw, rid, code in cases:
            c.send_raw(raw + b"\n")
            try:
                resp = c.read_json()
                expect_error(resp, code, id=rid)
            except (AssertionError, EOFError) as exc:
                failures.append(f"{raw[:80]!r}: {exc}")
                if isinstance(exc, EOFError):
                    break
                continue
            # the same connection keeps working after every bad line
            try:
                assert c.call("ping") == {"pong": True}
            except (AssertionError, AdminError, EOFError, OSError) as exc:
                failures.append(f"{raw[:80]!r}: connection unusable afterwards: {exc!r}")
                break
    after = state_of(daemon)
    assert not failures, "\n".join(failures)
    assert after == before, f"a bad line changed state: {before!r} -> {after!r}"


def test_malformed_lines(daemon: Daemon) -> None:
    _check_bad_lines(daemon, MALFORMED)


def test_an_unknown_argument_is_named_with_what_the_command_takes(daemon: Daemon) -> None:
    err = expect_error(daemon.request("tenant.create", {"id": "kaifeng", "name": "开封市", "division_code": "4102", "knid": "province"}), "bad_request")
    assert err["message"] == "unknown argument knid for tenant.create; it takes id, name, division_code, kind", err
    assert expect_error(daemon.request("status", {"x": 1}), "bad_request")["message"] == "unknown argument x for status; it takes none"
    expect_error(daemon.request("tenant.show", {"id": "kaifeng"}), "not_found")   # nothing was created
    assert daemon.call("tenant.create", {"id": "kaifeng", "name": "开封市", "division_code": "4102", "kind": "city"})["id"] == "kaifeng"


def test_invalid_tenant_ids(daemon: Daemon) -> None:
    cases = []
    for n, tid in enumerate(INVALID_IDS):
        for cmd, args in (
            ("tenant.create", {"id": tid, "name": "x", "division_code": "4101"}),
            ("tenant.show", {"id": tid}),
            ("tenant.suspend", {"id": tid}),
            ("tenant.backup", {"id": tid}),
            ("tenant.archive", {"id": tid, "confirm": tid}),
            ("account.reset-password", {"tenant": tid, "login": "4101"}),
        ):
            rid = f"{cmd}-{n}"
            cases.append((json.dumps({"id": rid, "cmd": cmd, "args": args}).encode(), rid, "invalid"))
    _check_bad_lines(daemon, cases)
    # nothing escaped the data dir
    assert not (daemon.data_dir / "x").exists()
    assert not (daemon.data_dir.parent / "x").exists()


def test_invalid_values(daemon: Daemon) -> None:
    def create(rid: str, **args: object) -> bytes:
        base = {"id": "valid-id", "name": "测试", "division_code": "4101"}
        base.update(args)
        return json.dumps({"id": rid, "cmd": "tenant.create", "args": base}).encode()

    cases = [
        (create("c1", division_code="9999"), "c1", "invalid"),
        (create("c2", division_code="420100"), "c2", "invalid"),  # Hubei, not Henan
        (create("c3", division_code="410102"), "c3", "invalid"),  # a district, not a city
        (create("c4", division_code="41"), "c4", "invalid"),  # province code for a city tenant
        (create("c5", division_code="4101", kind="province"), "c5", "invalid"),
        (create("c6", division_code="4101", kind="village"), "c6", "invalid"),
        (create("c7", division_code=""), "c7", "invalid"),
        (create("c8", division_code="41010"), "c8", "invalid"),
        (create("c9", division_code="41o1"), "c9", "invalid"),
        (b'{"id": "l1", "cmd": "log.level", "args": {"level": "loud"}}', "l1", "invalid"),
    ]
    _check_bad_lines(daemon, cases)


def test_empty_lines_are_ignored(admin: AdminClient) -> None:
    admin.send_raw(b"\n\n" + b'{"id": "after-empty", "cmd": "ping"}\n' + b"\n")
    resp = admin.read_json()
    assert resp == {"id": "after-empty", "ok": True, "result": {"pong": True}}
    # no extra response for the empty lines
    assert admin.request("ping", id="next") == {"id": "next", "ok": True, "result": {"pong": True}}


@pytest.mark.parametrize("rid", [0, 7, -3, 2**40, 2**53 + 1, -(2**63) - 1, 2**64 - 1, 10**30, 1.5, "abc", "郑州", "", True, False, None])
def test_id_is_echoed(admin: AdminClient, rid: object) -> None:
    admin.send({"id": rid, "cmd": "ping"})
    resp = admin.read_json()
    assert "id" in resp and resp["id"] == rid and type(resp["id"]) is type(rid), resp
    assert resp["ok"] is True and resp["result"] == {"pong": True}


def test_line_too_long_closes_only_that_connection(daemon: Daemon) -> None:
    before = state_of(daemon)
    other = daemon.admin()
    try:
        assert other.call("ping") == {"pong": True}
        big = daemon.admin()
        try:
            payload = (b'{"id": 1, "cmd": "tenant.create", "args": {"id": "toolong", "division_code": "4101", "name": "'
                       + b"x" * (MIB + 16) + b'"}}\n')
            try:
                big.send_raw(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the daemon may close before reading everything
            resp = big.read_json()
            expect_error(resp, "line_too_long")
            assert resp.get("id") is None, resp
            assert big.is_closed(), "connection not closed after line_too_long"
        finally:
            big.close()
        # the daemon keeps serving: the other, older connection and a new one
        assert other.call("ping") == {"pong": True}
        assert daemon.call("ping") == {"pong": True}
    finally:
        other.close()
    assert state_of(daemon) == before


def test_line_without_newline_over_limit(daemon: Daemon) -> None:
    """A client that streams more than 1 MiB without any newline is cut off too."""
    with daemon.admin() as big:
        try:
            big.send_raw(b"y" * (MIB + 4096))
        except (BrokenPipeError, ConnectionResetError):
            pass
        resp = big.read_json()
        expect_error(resp, "line_too_long")
        assert big.is_closed()
    assert daemon.call("ping") == {"pong": True}


def test_line_just_under_limit_is_not_too_long(admin: AdminClient) -> None:
    pad = "p" * (MIB - 4096)
    admin.send_raw(json.dumps({"id": "big", "cmd": "ping", "pad": pad}).encode() + b"\n")
    resp = admin.read_json()
    assert resp.get("id") == "big"
    if resp.get("ok") is False:
        assert resp["error"]["code"] != "line_too_long", resp
    assert admin.call("ping") == {"pong": True}


def test_pipelined_requests_answered_in_order(daemon: Daemon) -> None:
    reqs: list[tuple[object, str, bytes]] = []  # (id, expectation, raw line)
    for i in range(200):
        rid: object = i if i % 2 == 0 else f"r{i}"
        if i == 100:
            reqs.append((None, "bad_request", b"{this is not json"))
        elif i % 20 == 3:
            tid = f"pipe-{i}"
            line = {"id": rid, "cmd": "tenant.create", "args": {"id": tid, "name": f"管道{i}", "division_code": "4101"}}
            reqs.append((rid, "ok", json.dumps(line).encode()))
        elif i % 20 == 4:
            # the tenant created by the previous request is visible to this one
            line = {"id": rid, "cmd": "tenant.show", "args": {"id": f"pipe-{i - 1}"}}
            reqs.append((rid, "ok", json.dumps(line).encode()))
        elif i % 7 == 0:
            line = {"id": rid, "cmd": "tenant.show", "args": {"id": "no-such-tenant"}}
            reqs.append((rid, "not_found", json.dumps(line).encode()))
        elif i % 5 == 0:
            reqs.append((rid, "ok", json.dumps({"id": rid, "cmd": "tenant.list"}).encode()))
        elif i % 11 == 0:
            reqs.append((rid, "ok", json.dumps({"id": rid, "cmd": "status"}).encode()))
        else:
            reqs.append((rid, "pong", json.dumps({"id": rid, "cmd": "ping"}).encode()))
    with daemon.admin(timeout=120) as c:
        c.send_raw(b"".join(raw + b"\n" for _, _, raw in reqs))
        for n, (rid, expect, _) in enumerate(reqs):
            resp = c.read_json()
            assert "id" in resp and resp["id"] == rid, f"response #{n} has id {resp.get('id')!r}, want {rid!r}"
            if expect == "ok":
                assert resp["ok"] is True, resp
            elif expect == "pong":
                assert resp == {"id": rid, "ok": True, "result": {"pong": True}}
            else:
                expect_error(resp, expect)
        assert c.call("ping") == {"pong": True}
    ids = [t["id"] for t in daemon.call("tenant.list")["tenants"]]
    assert ids == sorted(f"pipe-{i}" for i in range(200) if i % 20 == 3 and i != 100)


def test_concurrent_clients(daemon: Daemon) -> None:
    n_clients, n_requests = 50, 20
    barrier = threading.Barrier(n_clients, timeout=60)
    errors: list[str] = []
    lock = threading.Lock()

    def worker(k: int) -> None:
        try:
            with daemon.admin(timeout=120) as c:
                barrier.wait()
                tid = f"conc-{k:02d}"
                res = create_tenant(c, tid, code="4101" if k % 2 else "410300")
                assert res["id"] == tid and res["state"] == "active", res
                done = 1
                cmds = ["ping", "tenant.show", "status", "tenant.list", "help"]
                while done < n_requests:
                    cmd = cmds[done % len(cmds)]
                    if cmd == "tenant.show":
                        r = c.call(cmd, {"id": tid})
                        assert r["id"] == tid, r
                    elif cmd == "ping":
                        assert c.call(cmd) == {"pong": True}
                    else:
                        c.call(cmd)
                    done += 1
        except BaseException as exc:  # noqa: BLE001
            with lock:
                errors.append(f"client {k}: {exc!r}")

    threads = [threading.Thread(target=worker, args=(k,), daemon=True) for k in range(n_clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not any(t.is_alive() for t in threads), "some clients did not finish"
    assert not errors, "\n".join(errors[:20])
    tenants = daemon.call("tenant.list")["tenants"]
    assert [t["id"] for t in tenants] == [f"conc-{k:02d}" for k in range(n_clients)]
    assert daemon.call("status")["tenants"]["total"] == n_clients


def test_ping_help(admin: AdminClient) -> None:
    assert admin.call("ping") == {"pong": True}
    result = admin.call("help")
    cmds = result["commands"]
    assert isinstance(cmds, list)
    for entry in cmds:
        assert isinstance(entry.get("cmd"), str) and isinstance(entry.get("summary"), str) and entry["summary"], entry
    names = {e["cmd"] for e in cmds}
    missing = [c for c in ALL_COMMANDS if c not in names]
    assert not missing, f"help does not list {missing}"


def test_status(daemon: Daemon) -> None:
    with daemon.admin() as c1, daemon.admin() as c2:
        assert c2.call("ping") == {"pong": True}
        st = c1.call("status")
    assert isinstance(st["version"], str) and st["version"]
    assert isinstance(st["uptime_seconds"], (int, float)) and st["uptime_seconds"] >= 0
    assert st["pid"] == daemon.pid
    assert st["listeners"]["admin"] == str(daemon.admin_socket)
    assert st["listeners"]["http"] == f"127.0.0.1:{daemon.http_port}"
    assert st["tenants"] == {"total": 0, "open": 0, "suspended": 0}, st["tenants"]
    assert isinstance(st["plugins"], list)
    assert isinstance(st["connections"]["admin"], int) and st["connections"]["admin"] >= 2, st["connections"]

    create_tenant(daemon, "zhengzhou", "4101", "郑州市")
    create_tenant(daemon, "luoyang", "4103", "洛阳市")
    daemon.call("tenant.suspend", {"id": "luoyang"})
    st = daemon.call("status")
    assert st["tenants"]["total"] == 2 and st["tenants"]["suspended"] == 1, st["tenants"]
    assert 0 <= st["tenants"]["open"] <= 2


def test_log_level(admin: AdminClient) -> None:
    for level in ("trace", "debug", "info", "notice", "warning", "error", "critical"):
        assert admin.call("log.level", {"level": level})["level"] == level
    expect_error(admin.request("log.level", {"level": "loud"}), "invalid")
    expect_error(admin.request("log.level", {}), "bad_request")
    assert admin.call("log.level", {"level": "info"})["level"] == "info"


@pytest.mark.parametrize("cmd", ["plugin.list", "plugin.reload"])
def test_plugin_commands_with_an_empty_plugin_dir(admin: AdminClient, cmd: str) -> None:
    assert admin.call(cmd) == {"plugins": []}
    assert admin.call("ping") == {"pong": True}


def test_config_reload_command(daemon: Daemon) -> None:
    res = daemon.call("config.reload")
    assert res.get("reloaded") is True, res
    daemon.write_config('[log]\nlevel = "debug"\n[limits]\nmax_open_tenants = 8\n')
    assert daemon.call("config.reload").get("reloaded") is True
    assert daemon.call("ping") == {"pong": True}


def test_a_second_daemon_does_not_take_over_a_live_admin_socket(daemon_factory, tmp_path) -> None:
    """A second zhichengd (another data dir) pointed at the admin socket of a running one
    refuses to start, naming the path; the first keeps its socket, also after the second
    has exited (binding had removed the live socket, and its exit the path itself)."""
    for name in ("first", "second"):
        (tmp_path / name).mkdir()
    first = daemon_factory(workdir=tmp_path / "first").start()
    create_tenant(first, "zhengzhou")
    second = daemon_factory(workdir=tmp_path / "second", admin_socket=first.admin_socket).start(wait=False)
    rc = second.wait_exit()
    assert rc != 0, second.output()
    assert "admin socket" in second.stderr() and str(first.admin_socket) in second.stderr(), second.stderr()
    assert "not free" in second.stderr(), second.stderr()
    assert first.admin_socket.exists()
    assert first.call("status")["listeners"]["http"].endswith(f":{first.http_port}")
    assert "zhengzhou" in json.dumps(first.call("tenant.list"))


def test_a_stale_admin_socket_left_by_a_crash_is_replaced(daemon_factory) -> None:
    """A socket file nobody listens on (the daemon was killed) does not keep the next start
    from binding the path."""
    d = daemon_factory().start()
    d.kill9()
    assert d.admin_socket.exists()  # left behind by the kill
    d.start()
    assert d.call("ping") == {"pong": True}
