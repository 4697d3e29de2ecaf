"""zhichengctl (SPEC §4): every subcommand, table and --json output, exit codes, messages."""

from __future__ import annotations

import json
import os
import pathlib
import re
import socket
import subprocess

import pytest

from conftest import Daemon, clean_env, expect_error, human_bytes, run_ctl, same_division, sha256_file

USAGE_EXIT = 64


@pytest.fixture
def ctl(daemon: Daemon, zhichengctl_bin: str):
    def run(*args: str, json_out: bool = False, **kw) -> subprocess.CompletedProcess:
        return run_ctl(zhichengctl_bin, *args, socket_path=daemon.admin_socket, json_out=json_out, **kw)
    return run


def ok(cp: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert cp.returncode == 0, f"exit {cp.returncode}\nstdout: {cp.stdout}\nstderr: {cp.stderr}"
    return cp


def ok_json(cp: subprocess.CompletedProcess) -> dict:
    ok(cp)
    try:
        return json.loads(cp.stdout)
    except json.JSONDecodeError as exc:
        raise AssertionError(f"--json output is not JSON: {cp.stdout!r}") from exc


def fails_with(cp: subprocess.CompletedProcess, code: str) -> None:
    assert cp.returncode == 1, f"exit {cp.returncode}, want 1\nstdout: {cp.stdout}\nstderr: {cp.stderr}"
    assert re.search(rf"^zhichengctl: {re.escape(code)}: \S", cp.stderr, re.M), cp.stderr


def table_lines(out: str) -> list[str]:
    return [l for l in out.splitlines() if l.strip() and not set(l.strip()) <= set("-=+|─━┼┬┴│ ")]


def test_ping_and_help(ctl) -> None:
    assert ok_json(ctl("ping", json_out=True)) == {"pong": True}
    ok(ctl("ping"))
    help_json = ok_json(ctl("help", json_out=True))
    assert {"cmd", "summary"} <= set(help_json["commands"][0])
    out = ok(ctl("help")).stdout
    for cmd in ("tenant.create", "tenant.archive", "account.reset-password", "log.level"):
        assert cmd in out, out
    # `help <subcommand>`, which every usage line points to, describes that subcommand.
    described = ok(ctl("help", "tenant", "create")).stdout
    assert "USAGE: zhichengctl tenant create" in described and "--division-code" in described, described
    assert described == ok(ctl("tenant", "create", "--help")).stdout


def test_status(ctl, daemon: Daemon) -> None:
    st = ok_json(ctl("status", json_out=True))
    assert st["pid"] == daemon.pid
    assert st["listeners"]["admin"] == str(daemon.admin_socket)
    out = ok(ctl("status")).stdout
    assert str(daemon.pid) in out
    # For a person: the uptime in units, the plugins as text (none here), never raw JSON.
    [uptime] = [l for l in out.splitlines() if l.startswith("uptime")]
    assert re.fullmatch(r"uptime\s+(\d+s|\d+m\d\ds)", uptime), out
    assert [l.split() for l in out.splitlines() if l.startswith("plugins")] == [["plugins", "none"]], out
    assert "{" not in out and "[" not in out and "uptime_seconds" not in out, out
    assert isinstance(st["uptime_seconds"], (int, float)), st


def test_tenant_create_and_list_table(ctl) -> None:
    cp = ok(ctl("tenant", "create", "zhengzhou", "--name", "Zhengzhou", "--division-code", "4101"))
    assert "zhengzhou" in cp.stdout and "4101" in cp.stdout
    res = ok_json(ctl("tenant", "create", "luoyang", "--name", "洛阳市", "--division-code", "410300", json_out=True))
    assert res["id"] == "luoyang" and res["admin_login"] == "4103" and res["admin_password"]
    assert res["kind"] == "city" and res["state"] == "active"
    res = ok_json(ctl("tenant", "create", "province", "--name", "河南省", "--division-code", "41",
                      "--kind", "province", json_out=True))
    assert res["kind"] == "province" and res["admin_login"] == "41"

    out = ok(ctl("tenant", "list")).stdout
    lines = table_lines(out)
    header = lines[0]
    assert re.search(r"\bid\b", header, re.I) and re.search(r"\bstate\b", header, re.I), out
    assert re.search(r"\bname\b", header, re.I), out
    assert "zhengzhou" in out and "luoyang" in out and "province" in out and "洛阳市" in out
    # aligned: the state column starts where its header starts (ASCII-only row)
    zz = next(l for l in lines[1:] if "zhengzhou" in l)
    col = {name: re.search(rf"\b{name}\b", header.lower()).start() for name in ("id", "state")}
    assert zz.index("active") == col["state"], f"columns not aligned:\n{out}"
    assert zz.index("zhengzhou") == col["id"], f"columns not aligned:\n{out}"

    data = ok_json(ctl("tenant", "list", json_out=True))
    assert [t["id"] for t in data["tenants"]] == ["luoyang", "province", "zhengzhou"]
    # Sizes for a person in the table (DB_SIZE 368.0 KiB), bytes in --json.
    assert "DB_SIZE" in header and "DB_BYTES" not in header, out
    size_at = header.index("DB_SIZE")
    for t in data["tenants"]:
        assert isinstance(t["db_bytes"], int) and t["db_bytes"] > 1024, t
        row = next(l for l in lines[1:] if l.startswith(t["id"] + " "))
        assert re.search(rf"(^|\s){re.escape(human_bytes(t['db_bytes']))}(\s|$)", row), (t, out)
    zz_row = next(l for l in lines[1:] if l.startswith("zhengzhou "))
    assert re.match(r"\d+\.\d [KMG]iB", zz_row[size_at:]), out


def test_tenant_create_warns_of_a_code_held_already_and_a_name_not_the_codes(ctl) -> None:
    """tenant.create does not refuse a division code another tenant in service holds (tests and
    benchmarks make many of one code) nor a name that is not the code's (4105 is 安阳市): the
    reply's `warnings` say so, zhichengctl prints each on stderr as `warning: …` and exits 0.
    A create that fits has an empty list and says nothing."""
    fine = ok_json(ctl("tenant", "create", "kaifeng", "--name", "开封市", "--division-code", "410200", json_out=True))
    assert fine["warnings"] == [], fine
    cp = ok(ctl("tenant", "create", "anyang", "--name", "安阳市", "--division-code", "4105"))
    assert cp.stderr == "" and "warning" not in cp.stdout, (cp.stdout, cp.stderr)
    cp = ok(ctl("tenant", "create", "anyang-2", "--name", "安阳市", "--division-code", "410500"))
    assert cp.stderr == "warning: division code 4105 (安阳市) is held by tenant anyang (安阳市, active) already\n", cp.stderr
    ok(ctl("tenant", "suspend", "anyang-2"))

    cp = ok(ctl("tenant", "create", "zhengzhou", "--name", "郑州市", "--division-code", "4105"))
    assert "zhengzhou" in cp.stdout and "warning" not in cp.stdout, cp.stdout
    assert cp.stderr.splitlines() == [
        "warning: division code 4105 (安阳市) is held by 2 other tenants: anyang (安阳市, active), anyang-2 (安阳市, suspended) already",
        "warning: the name 郑州市 does not match division code 4105 (安阳市)",
    ], cp.stderr
    res = ok_json(ctl("tenant", "create", "zz", "--name", "郑州市", "--division-code", "4105", json_out=True))
    assert res["id"] == "zz" and len(res["warnings"]) == 2 and "zhengzhou (郑州市, active)" in res["warnings"][0], res
    assert [t["id"] for t in ok_json(ctl("tenant", "list", json_out=True))["tenants"]] == ["anyang", "anyang-2", "kaifeng", "zhengzhou", "zz"]


def test_tenant_commands(ctl, daemon: Daemon) -> None:
    ok(ctl("tenant", "create", "kaifeng", "--name", "开封市", "--division-code", "4102"))
    show = ok_json(ctl("tenant", "show", "kaifeng", json_out=True))
    assert show["id"] == "kaifeng" and show["name"] == "开封市" and same_division(show["division_code"], "4102")
    assert "schema_version" in show and show["last_backup"] is None
    assert show["messages"] == {"waiting": 0, "set_aside": 0}
    out = ok(ctl("tenant", "show", "kaifeng")).stdout
    assert "kaifeng" in out and "开封市" in out
    assert [line.split()[1:] for line in out.splitlines() if line.startswith("messages ")] == [["waiting=0", "set_aside=0"]], out

    assert ok_json(ctl("tenant", "suspend", "kaifeng", json_out=True)) == {"id": "kaifeng", "state": "suspended"}
    assert "suspended" in ok(ctl("tenant", "show", "kaifeng")).stdout
    assert ok_json(ctl("tenant", "resume", "kaifeng", json_out=True)) == {"id": "kaifeng", "state": "active"}

    b = ok_json(ctl("tenant", "backup", "kaifeng", json_out=True))
    assert sha256_file(b["path"]) == b["sha256"] and isinstance(b["bytes"], int)
    out = ok(ctl("tenant", "backup", "kaifeng")).stdout
    assert "kaifeng" in out
    [size] = [l for l in out.splitlines() if l.startswith("size ")]
    assert size.split(None, 1)[1] == human_bytes(os.path.getsize(b["path"])), out
    shown = ok(ctl("tenant", "show", "kaifeng")).stdout
    [last] = [l for l in shown.splitlines() if l.startswith("last_backup ")]
    recorded = ok_json(ctl("tenant", "show", "kaifeng", json_out=True))["last_backup"]
    assert f"  size={human_bytes(recorded['bytes'])}  " in last and f"path={recorded['path']}" in last and "{" not in last, last

    chk = ok_json(ctl("tenant", "check", "kaifeng", json_out=True))
    assert chk["ok"] is True and chk["integrity"] == ["ok"]
    ok(ctl("tenant", "check", "kaifeng"))

    fails_with(ctl("tenant", "restore", "kaifeng", "--path", b["path"]), "conflict")
    ok(ctl("tenant", "suspend", "kaifeng"))
    r = ok_json(ctl("tenant", "restore", "kaifeng", "--path", b["path"], json_out=True))
    assert r["sha256"] == b["sha256"]
    ok(ctl("tenant", "resume", "kaifeng"))

    pw = ok_json(ctl("account", "reset-password", "--tenant", "kaifeng", "--login", "4102", json_out=True))
    assert pw["tenant"] == "kaifeng" and pw["login"] == "4102" and pw["password"]
    out = ok(ctl("account", "reset-password", "--tenant", "kaifeng", "--login", "4102")).stdout
    assert "4102" in out

    fails_with(ctl("tenant", "archive", "kaifeng", "--confirm", "luoyang"), "invalid")
    a = ok_json(ctl("tenant", "archive", "kaifeng", "--confirm", "kaifeng", json_out=True))
    assert pathlib.Path(a["archived_to"]).is_dir()
    assert a["undelivered_messages"] == 0
    assert ok_json(ctl("tenant", "list", json_out=True)) == {"tenants": []}


def test_tenant_rename(ctl) -> None:
    ok(ctl("tenant", "create", "kaifeng", "--name", "开封", "--division-code", "4102"))
    res = ok_json(ctl("tenant", "rename", "kaifeng", "--name", "开封市", json_out=True))
    assert res == {"id": "kaifeng", "name": "开封市", "former_name": "开封", "office": "开封市职改办", "office_renamed": True}, res
    out = ok(ctl("tenant", "rename", "kaifeng", "--name", "开封市")).stdout
    assert "开封市" in out and "开封市职改办" in out, out
    assert ok_json(ctl("tenant", "show", "kaifeng", json_out=True))["name"] == "开封市"
    refused = ctl("tenant", "rename", "kaifeng", "--name", " ")
    fails_with(refused, "invalid")
    assert "name: " in refused.stderr, refused.stderr
    fails_with(ctl("tenant", "rename", "luoyang", "--name", "洛阳市"), "not_found")
    assert ctl("tenant", "rename", "kaifeng").returncode == USAGE_EXIT
    described = ok(ctl("help", "tenant", "rename")).stdout
    assert "USAGE: zhichengctl tenant rename" in described and "--name" in described, described


def test_config_log_plugin(ctl) -> None:
    assert ok_json(ctl("config", "reload", json_out=True))["reloaded"] is True
    ok(ctl("config", "reload"))
    assert ok_json(ctl("log", "level", "debug", json_out=True))["level"] == "debug"
    ok(ctl("log", "level", "info"))
    fails_with(ctl("log", "level", "loud"), "invalid")
    for verb in ("list", "reload"):
        r = ctl("plugin", verb)
        assert r.returncode == 0 and "no plugins" in r.stdout, (r.returncode, r.stdout, r.stderr)


def test_error_responses_exit_1(ctl) -> None:
    fails_with(ctl("tenant", "show", "nosuch"), "not_found")
    fails_with(ctl("tenant", "show", "../etc"), "invalid")
    fails_with(ctl("tenant", "create", "Bad", "--name", "x", "--division-code", "4101"), "invalid")
    fails_with(ctl("tenant", "create", "good", "--name", "x", "--division-code", "9999"), "invalid")
    ok(ctl("tenant", "create", "good", "--name", "x", "--division-code", "4101"))
    fails_with(ctl("tenant", "create", "good", "--name", "x", "--division-code", "4101"), "conflict")
    fails_with(ctl("account", "reset-password", "--tenant", "good", "--login", "9999"), "not_found")
    cp = ctl("tenant", "show", "nosuch", json_out=True)
    assert cp.returncode == 1 and cp.stderr.startswith("zhichengctl: not_found: "), cp.stderr


def test_usage_errors(ctl) -> None:
    for args in (["frobnicate"], ["tenant", "create", "x"], ["tenant", "archive", "x"],
                 ["tenant", "show"], ["log", "level"], ["--timeout", "0", "ping"], ["--timeout", "-5", "ping"], ["--timeout", "86401", "ping"]):
        cp = ctl(*args)
        assert cp.returncode == 64, (args, cp.returncode, cp.stderr)
        assert cp.stderr.strip(), args


@pytest.mark.parametrize("args,names", [
    ([], "a subcommand is needed: ping, help, status, tenant"), (["tenant"], "tenant needs a subcommand: create, list"),
    (["plugin"], "plugin needs a subcommand: list, reload"), (["account"], "account needs a subcommand: reset-password"),
    (["draw"], "draw needs a subcommand: verify"), (["config"], "config needs a subcommand: reload"),
    (["log"], "log needs a subcommand: level"), (["--json", "tenant"], "tenant needs a subcommand"),
    (["help", "nosuch"], "help: no subcommand nosuch"), (["help", "tenant", "nosuch"], "help: tenant has no subcommand nosuch"),
    (["help", "tenant", "create", "x"], "help: tenant create has no subcommand x"),
])
def test_a_missing_or_unknown_subcommand_is_bad_usage_with_the_help_on_stderr(ctl, args: list[str], names: str) -> None:
    """`zhichengctl tenant` (no subcommand) and `zhichengctl help nosuch` printed help on stdout
    and exited 0, as if something had been done: now exit 64, the reason and the help of the
    command (the last one known) on stderr, nothing on stdout."""
    cp = ctl(*args)
    assert cp.returncode == USAGE_EXIT, (args, cp.returncode, cp.stdout, cp.stderr)
    assert cp.stdout == "", cp.stdout
    assert cp.stderr.startswith(f"zhichengctl: {names}"), cp.stderr
    assert "USAGE: zhichengctl" in cp.stderr, cp.stderr
    assert ("SUBCOMMANDS:" in cp.stderr) == ("create" not in args), cp.stderr
    if args[:1] == ["help"] and len(args) > 2:
        assert f"USAGE: zhichengctl {' '.join(args[1:-1])}" in cp.stderr, cp.stderr


def test_help_of_a_group_or_a_command_and_help_flags_still_exit_0(ctl) -> None:
    for args in (["help", "tenant"], ["tenant", "--help"], ["--help"], ["help", "plugin", "list"]):
        cp = ok(ctl(*args))
        assert "USAGE: zhichengctl" in cp.stdout and cp.stderr == "", (args, cp.stderr)


def test_restore_takes_a_path_relative_to_the_current_directory(ctl, daemon: Daemon, tmp_path: pathlib.Path) -> None:
    """zhichengctl makes a relative --path absolute against its own working directory (the
    daemon's is another, and it keeps refusing relative paths sent to it directly)."""
    ok(ctl("tenant", "create", "kaifeng", "--name", "开封市", "--division-code", "4102"))
    b = ok_json(ctl("tenant", "backup", "kaifeng", json_out=True))
    here = tmp_path / "copies"
    (here / "sub").mkdir(parents=True)
    (here / "kaifeng.sqlite").write_bytes(pathlib.Path(b["path"]).read_bytes())
    ok(ctl("tenant", "suspend", "kaifeng"))
    r = ok_json(ctl("tenant", "restore", "kaifeng", "--path", "./kaifeng.sqlite", json_out=True, cwd=here))
    assert r["restored_from"] == f"{here}/kaifeng.sqlite" and r["sha256"] == b["sha256"], r
    r = ok_json(ctl("tenant", "restore", "kaifeng", "--path", "kaifeng.sqlite", json_out=True, cwd=here))
    assert r["restored_from"] == f"{here}/kaifeng.sqlite", r
    # `..` is left for the kernel to follow, relative to the directory given.
    r = ok_json(ctl("tenant", "restore", "kaifeng", "--path", "sub/../kaifeng.sqlite", json_out=True, cwd=here))
    assert r["restored_from"] == f"{here}/sub/../kaifeng.sqlite", r
    missing = ctl("tenant", "restore", "kaifeng", "--path", "nope.sqlite", cwd=here)
    fails_with(missing, "not_found")
    assert f"{here}/nope.sqlite" in missing.stderr, missing.stderr
    with daemon.admin() as c:
        err = expect_error(c.request("tenant.restore", {"id": "kaifeng", "path": "kaifeng.sqlite"}), "invalid")
        assert "absolute" in err["message"], err


def test_show_of_an_archived_tenant_says_it_was_archived(ctl) -> None:
    ok(ctl("tenant", "create", "kaifeng", "--name", "开封市", "--division-code", "4102"))
    archived = ok_json(ctl("tenant", "archive", "kaifeng", "--confirm", "kaifeng", json_out=True))["archived_to"]
    for args in (["tenant", "show", "kaifeng"], ["tenant", "backup", "kaifeng"], ["tenant", "suspend", "kaifeng"]):
        cp = ctl(*args)
        fails_with(cp, "not_found")
        assert re.fullmatch(rf"zhichengctl: not_found: tenant kaifeng does not exist: it was archived on \d{{4}}-\d\d-\d\dT\S+Z to {re.escape(archived)}\n",
                            cp.stderr), cp.stderr
    cp = ctl("tenant", "show", "luoyang")
    fails_with(cp, "not_found")
    assert cp.stderr == "zhichengctl: not_found: tenant luoyang does not exist\n", cp.stderr


def test_config_reload_without_a_config_file_says_there_was_none(daemon_factory, zhichengctl_bin: str) -> None:
    """A daemon started without --config has no file to read again: the reply says so
    (`config_file` null, a `note`), so that nobody takes it for an edited file being applied.
    With a file, `config_file` names it and there is no note."""
    d = daemon_factory(config=None, flags=("data-dir", "admin-socket", "http", "plugin-dir")).start()
    res = json.loads(ok(run_ctl(zhichengctl_bin, "config", "reload", socket_path=d.admin_socket, json_out=True)).stdout)
    assert res["reloaded"] is True and res["config_file"] is None, res
    assert "started without --config" in res["note"] and "no file was read" in res["note"], res
    out = ok(run_ctl(zhichengctl_bin, "config", "reload", socket_path=d.admin_socket)).stdout
    assert re.search(r"^note\s+started without --config", out, re.M), out
    d.terminate()

    d = daemon_factory().start()
    res = json.loads(ok(run_ctl(zhichengctl_bin, "config", "reload", socket_path=d.admin_socket, json_out=True)).stdout)
    assert res["reloaded"] is True and res["config_file"] == str(d.config_path) and "note" not in res, res


def test_no_answer_within_the_timeout_says_the_command_may_still_finish(zhichengctl_bin: str, sock_dir: pathlib.Path) -> None:
    """A daemon that takes the command and does not answer in --timeout (a long restore): exit
    75, and the message says the command was not cancelled, so that nobody runs it again blind."""
    path = sock_dir / "silent.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind(str(path))
        server.listen(1)
        cp = run_ctl(zhichengctl_bin, "--timeout", "1", "tenant", "list", socket_path=path, timeout=30)
    finally:
        server.close()
    assert cp.returncode == 75, (cp.returncode, cp.stderr)
    assert "within 1 s" in cp.stderr and "may still finish" in cp.stderr, cp.stderr


def test_daemon_not_running(zhichengctl_bin: str, sock_dir: pathlib.Path) -> None:
    missing = sock_dir / "missing.sock"
    cp = run_ctl(zhichengctl_bin, "ping", socket_path=missing)
    assert cp.returncode == 69, (cp.returncode, cp.stderr)
    assert "not running" in cp.stderr.lower(), cp.stderr

    # a stale socket file nobody listens on: connection refused
    stale = sock_dir / "stale.sock"
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(str(stale))
    s.close()
    cp = run_ctl(zhichengctl_bin, "tenant", "list", socket_path=stale)
    assert cp.returncode == 69, (cp.returncode, cp.stderr)
    assert "not running" in cp.stderr.lower(), cp.stderr


def test_socket_from_environment(daemon: Daemon, zhichengctl_bin: str) -> None:
    env = clean_env(ZHICHENG_ADMIN_SOCKET=str(daemon.admin_socket))
    cp = run_ctl(zhichengctl_bin, "--json", "ping", env=env)
    assert cp.returncode == 0, cp.stderr
    assert json.loads(cp.stdout) == {"pong": True}


def test_default_socket_path_when_unset(zhichengctl_bin: str) -> None:
    if os.path.exists("/run/zhicheng/admin.sock"):
        pytest.skip("a real daemon listens on the default socket")
    cp = run_ctl(zhichengctl_bin, "ping", env=clean_env())
    assert cp.returncode == 69, (cp.returncode, cp.stderr)
    assert "not running" in cp.stderr.lower()
