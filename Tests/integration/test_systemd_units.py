"""Checks of the files under systemd/ with systemd's own tools.

Needs: systemd-analyze, systemd-sysusers, systemd-tmpfiles (Debian: package
`systemd`, 252 or newer). systemd need not run as PID 1: everything here works
offline, on copies inside temporary roots. A missing tool fails the test with
a message; nothing is skipped.

Run: cd /work/main && python3 -m pytest -q Tests/integration/test_systemd_units.py
"""

from __future__ import annotations

import datetime
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
UNITS_DIR = REPO / "systemd"
SERVICE = UNITS_DIR / "zhichengd.service"
ADMIN_SOCKET = UNITS_DIR / "zhichengd.socket"   # both listeners, the admin socket and the HTTP port
BACKUP_SERVICE = UNITS_DIR / "zhichengd-backup.service"
BACKUP_TIMER = UNITS_DIR / "zhichengd-backup.timer"
UNIT_FILES = [SERVICE, ADMIN_SOCKET, BACKUP_SERVICE, BACKUP_TIMER]
SYSUSERS = UNITS_DIR / "sysusers.d" / "zhicheng.conf"
TMPFILES = UNITS_DIR / "tmpfiles.d" / "zhicheng.conf"

HOST_UNIT_DIR = Path("/usr/lib/systemd/system")

# The highest overall exposure we accept (systemd-analyze security scale,
# 0.0 best .. 10.0 worst; Debian 12's best shipped unit scores 1.2).
MAX_EXPOSURE = 1.0

# Checks still failed (✗) by zhichengd.service and zhichengd-backup.service, each one understood:
ACCEPTED_FAILED_CHECKS = {
    # No RootImage/RootDirectory: the daemon runs from the host's /usr;
    # ProtectSystem=strict, NoExecPaths=/ and ExecPaths=/usr cover most of it.
    "RootDirectory=/RootImage=",
    # AF_UNIX is needed: journald, sd_notify, nss/userdb and zhichengctl in
    # ExecReload=. (The TCP listener is passed in already bound.)
    "RestrictAddressFamilies=~AF_UNIX",
    # PrivateUsers= must stay off: in a user namespace every SO_PEERCRED
    # uid/gid of an admin client reads as 65534, defeating the admin check.
    "PrivateUsers=",
    # ProtectClock=yes itself adds DeviceAllow=char-rtc r.
    "DeviceAllow=",
}

UNIT_NAMES = {p.name for p in UNIT_FILES}


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(
            f"{name} not found on PATH: install Debian's 'systemd' package "
            f"(apt-get install systemd) to run the systemd unit checks"
        )
    return path


def run(args: list[str], env_tz: str | None = None, **kw) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, LC_ALL="C.UTF-8", SYSTEMD_COLORS="0", NO_COLOR="1",
               SYSTEMD_PAGER="", PAGER="cat", SYSTEMD_LOG_COLOR="0")
    if env_tz is not None:
        env["TZ"] = env_tz
    return subprocess.run(args, capture_output=True, text=True, env=env,
                          timeout=120, **kw)


def parse_unit(path: Path) -> dict[str, list[tuple[str, str]]]:
    """A unit file as {section: [(key, value), ...]}, repeated keys kept."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
            sections.setdefault(current, [])
            continue
        assert current is not None, f"{path.name}: key outside a section: {raw!r}"
        assert "=" in line, f"{path.name}: not a key=value line: {raw!r}"
        key, value = line.split("=", 1)
        sections[current].append((key.strip(), value.strip()))
    return sections


def values(unit: dict[str, list[tuple[str, str]]], section: str, key: str) -> list[str]:
    return [v for k, v in unit.get(section, []) if k == key]


def one(unit: dict[str, list[tuple[str, str]]], section: str, key: str) -> str:
    vs = values(unit, section, key)
    assert len(vs) == 1, f"[{section}] {key}= expected once, got {vs!r}"
    return vs[0]


def make_verify_root(tmp_path: Path) -> Path:
    """A throw-away root for `systemd-analyze verify --root=`.

    It holds the host's stock units (for sysinit.target, sockets.target and
    friends that our units depend on implicitly), our unit files verbatim, and
    executable stand-ins for /usr/bin/zhichengd and /usr/bin/zhichengctl:
    verify only checks that ExecStart=/ExecReload= name executable files, and
    with --root it looks for them inside the root, so the unit files need no
    rewriting to be checked as they will be installed.
    """
    root = tmp_path / "root"
    unit_dir = root / "usr/lib/systemd/system"
    if not HOST_UNIT_DIR.is_dir():
        pytest.fail(f"{HOST_UNIT_DIR} missing: systemd's stock units are needed "
                    "for systemd-analyze verify")
    shutil.copytree(HOST_UNIT_DIR, unit_dir, symlinks=True)
    for f in UNIT_FILES:
        shutil.copy2(f, unit_dir / f.name)
    bindir = root / "usr/bin"
    bindir.mkdir(parents=True, exist_ok=True)
    true_bin = shutil.which("true") or "/bin/true"
    for name in ("zhichengd", "zhichengctl"):
        shutil.copy2(true_bin, bindir / name)
        (bindir / name).chmod(0o755)
    return root


def verify(root: Path) -> subprocess.CompletedProcess[str]:
    unit_dir = root / "usr/lib/systemd/system"
    return run([tool("systemd-analyze"), "verify", f"--root={root}",
                *(str(unit_dir / f.name) for f in UNIT_FILES)])


def verify_messages(result: subprocess.CompletedProcess[str]) -> list[str]:
    """Lines of verify's output that concern our units.

    Verify loads the host's stock units too; a complaint about one of those
    (none on Debian 12's systemd 252, but a distribution may ship one) is not
    ours to fix. Every line naming one of our units counts, as does any line
    naming no unit at all.
    """
    lines = [ln for ln in (result.stdout + result.stderr).splitlines() if ln.strip()]
    ours = []
    for ln in lines:
        named = re.findall(r"([A-Za-z0-9@_.\\:-]+\.(?:service|socket|target|mount|"
                           r"path|timer|slice|scope|swap|device|automount))\b", ln)
        if not named or any(Path(n).name in UNIT_NAMES for n in named):
            ours.append(ln)
    return ours


# --------------------------------------------------------------------------
# systemd-analyze verify


def test_verify_is_clean(tmp_path: Path) -> None:
    result = verify(make_verify_root(tmp_path))
    msgs = verify_messages(result)
    assert result.returncode == 0 and not msgs, (
        f"systemd-analyze verify exit {result.returncode}:\n" + "\n".join(msgs)
        + f"\n--- full stderr ---\n{result.stderr}")


def test_verify_would_catch_mistakes(tmp_path: Path) -> None:
    """The harness above is not vacuous: broken copies are reported."""
    root = make_verify_root(tmp_path)
    unit_dir = root / "usr/lib/systemd/system"
    svc = unit_dir / SERVICE.name
    svc.write_text(svc.read_text().replace("NoNewPrivileges=", "NoNewPrivilegez="))
    sock = unit_dir / ADMIN_SOCKET.name
    sock.write_text(sock.read_text().replace("FileDescriptorName=zhichengd",
                                             "FileDescriptorName=ht:tp"))
    (root / "usr/bin/zhichengctl").unlink()
    timer = unit_dir / BACKUP_TIMER.name
    timer.write_text(timer.read_text().replace("Persistent=true", "Persistent=ture"))
    result = verify(root)
    out = result.stdout + result.stderr
    assert result.returncode != 0, out
    assert "NoNewPrivilegez" in out, out
    assert "ht:tp" in out, out
    assert "/usr/bin/zhichengctl" in out, out
    assert "ture" in out, out



# --------------------------------------------------------------------------
# systemd-analyze security


def security_report(unit: Path = SERVICE) -> tuple[float, list[str], str]:
    result = run([tool("systemd-analyze"), "security", "--offline=yes",
                  "--no-pager", str(unit)])
    out = result.stdout + result.stderr
    assert result.returncode == 0, f"systemd-analyze security failed:\n{out}"
    m = re.search(r"Overall exposure level for " + re.escape(unit.name) + r":\s*([0-9]+(?:\.[0-9]+)?)",
                  out)
    assert m, f"no 'Overall exposure level' line in:\n{out}"
    failed, passed = [], 0
    for ln in result.stdout.splitlines():
        # "✗ Name   description   weight" (UTF-8) or "- Name ..." (ASCII).
        fm = re.match(r"^\s*(?:\u2717|-)\s+(\S+)\s", ln)
        if fm:
            failed.append(fm.group(1))
        elif re.match(r"^\s*(?:\u2713|\+)\s+\S", ln):
            passed += 1
    # systemd 252 lists ~80 checks; far fewer means the format changed and
    # the parse above can no longer be trusted.
    assert passed + len(failed) >= 40, f"could not parse the check lines:\n{out}"
    return float(m.group(1)), failed, out


@pytest.mark.parametrize("unit", [SERVICE, BACKUP_SERVICE], ids=lambda p: p.name)
def test_security_exposure_at_most_1_0(unit: Path) -> None:
    score, _, out = security_report(unit)
    assert score <= MAX_EXPOSURE, f"exposure {score} > {MAX_EXPOSURE}:\n{out}"


@pytest.mark.parametrize("unit", [SERVICE, BACKUP_SERVICE], ids=lambda p: p.name)
def test_security_only_understood_checks_fail(unit: Path) -> None:
    _, failed, out = security_report(unit)
    unexpected = sorted(set(failed) - ACCEPTED_FAILED_CHECKS)
    assert not unexpected, f"new failed checks {unexpected}:\n{out}"


# --------------------------------------------------------------------------
# What the daemon relies on (see systemd/README.md)


def test_service_contract() -> None:
    svc = parse_unit(SERVICE)
    assert one(svc, "Service", "Type") == "notify"
    assert one(svc, "Service", "NotifyAccess") == "main"
    assert one(svc, "Service", "WatchdogSec") == "30s"
    assert one(svc, "Service", "ExecStart") == \
        "/usr/bin/zhichengd --config /etc/zhicheng/zhichengd.toml"
    assert one(svc, "Service", "ExecReload") == \
        "/usr/bin/zhichengctl --socket /run/zhicheng/admin.sock config reload"
    assert one(svc, "Service", "User") == "zhicheng"
    assert one(svc, "Service", "StateDirectory") == "zhicheng"
    assert one(svc, "Service", "StateDirectoryMode") == "0700"
    sockets = " ".join(values(svc, "Service", "Sockets")).split()
    assert sockets == ["zhichengd.socket"]
    assert one(svc, "Unit", "Requires") == "zhichengd.socket" and one(svc, "Install", "Also") == "zhichengd.socket"
    # RuntimeDirectory= would be removed on stop, taking admin.sock with it.
    assert not values(svc, "Service", "RuntimeDirectory")
    # PrivateUsers= would turn every SO_PEERCRED uid into 65534.
    assert values(svc, "Service", "PrivateUsers") in ([], ["no"])
    assert not values(svc, "Service", "DynamicUser")


def test_socket_contract() -> None:
    """SPEC §9: one `zhichengd.socket` holds the admin socket and the HTTP port, with a
    `FileDescriptorName=` (one for both: the daemon tells them apart by address family)."""
    assert not (UNITS_DIR / "zhichengd-http.socket").exists()
    admin = parse_unit(ADMIN_SOCKET)
    assert values(admin, "Socket", "ListenStream") == ["/run/zhicheng/admin.sock", "127.0.0.1:8080"]
    assert one(admin, "Socket", "FileDescriptorName") == "zhichengd"
    assert not values(admin, "Socket", "NoDelay"), "it would set TCP_NODELAY on the Unix socket too"
    assert one(admin, "Socket", "SocketMode") == "0660"
    assert one(admin, "Socket", "SocketGroup") == "zhicheng-admin"
    assert one(admin, "Socket", "Service") == "zhichengd.service"
    assert "sockets.target" in one(admin, "Install", "WantedBy").split()



def test_backup_service_contract() -> None:
    """zhichengd-backup.service runs `zhichengctl tenant backup --all` on the admin socket as a
    user the daemon accepts there: its own (the daemon accepts admin clients of its own uid, as
    for ExecReload=), which owns the socket (0660) and its directory (0750), so it needs neither
    the zhicheng-admin group nor an entry in [admin] allowed_uids."""
    backup = parse_unit(BACKUP_SERVICE)
    daemon = parse_unit(SERVICE)
    admin = parse_unit(ADMIN_SOCKET)
    assert one(backup, "Service", "Type") == "oneshot"
    socket_path = values(admin, "Socket", "ListenStream")[0]
    argv = one(backup, "Service", "ExecStart").split()
    assert argv[0] == "/usr/bin/zhichengctl" and argv[-3:] == ["tenant", "backup", "--all"], argv
    assert argv[argv.index("--socket") + 1] == socket_path, argv
    # Per tenant, and within what zhichengctl accepts (1-86400).
    assert 300 <= int(argv[argv.index("--timeout") + 1]) <= 86400, argv
    assert one(backup, "Service", "User") == one(daemon, "Service", "User") == one(admin, "Socket", "SocketUser")
    assert values(backup, "Service", "PrivateUsers") in ([], ["no"])
    assert not values(backup, "Service", "DynamicUser")
    # Never starts a daemon the sysadmin stopped; waits for one starting.
    assert "zhichengd.socket" in " ".join(values(backup, "Unit", "Requisite")).split()
    assert {"zhichengd.socket", "zhichengd.service"} <= set(" ".join(values(backup, "Unit", "After")).split())
    # A oneshot waits for ever by default: a hung run would hold back the next.
    assert one(backup, "Service", "TimeoutStartSec") not in ("", "0", "infinity")
    # Started by its timer, not enabled on its own.
    assert "Install" not in backup
    # The client is kept away from the daemon's files.
    hidden = " ".join(values(backup, "Service", "InaccessiblePaths")).split()
    assert "-/var/lib/zhicheng" in hidden and "-/etc/zhicheng" in hidden


def test_backup_timer_is_daily_persistent_and_spread(tmp_path: Path) -> None:
    timer = parse_unit(BACKUP_TIMER)
    assert one(timer, "Timer", "Persistent") == "true"
    assert one(timer, "Timer", "Unit") == BACKUP_SERVICE.name
    assert "timers.target" in one(timer, "Install", "WantedBy").split()
    delay = one(timer, "Timer", "RandomizedDelaySec")
    span = run([tool("systemd-analyze"), "timespan", delay])
    m = re.search(r"μs:\s*(\d+)", span.stdout)
    assert span.returncode == 0 and m, span.stdout + span.stderr
    assert 0 < int(m.group(1)) <= 6 * 3600 * 10**6, f"RandomizedDelaySec={delay}"
    # Daily: systemd's own reading of OnCalendar= elapses once a day.
    calendar = values(timer, "Timer", "OnCalendar")
    assert len(calendar) == 1, calendar
    cal = run([tool("systemd-analyze"), "calendar", "--iterations=3", calendar[0]], env_tz="UTC")
    assert cal.returncode == 0, cal.stderr
    stamps = [datetime.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S")
              for m in re.finditer(r"(?:Next elapse|Iter\. #\d+): \w+ (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)", cal.stdout)]
    assert len(stamps) == 3, cal.stdout
    assert {b - a for a, b in zip(stamps, stamps[1:])} == {datetime.timedelta(days=1)}, cal.stdout


# --------------------------------------------------------------------------
# sysusers.d and tmpfiles.d, applied to a temporary root


def read_db(path: Path) -> dict[str, list[str]]:
    return {ln.split(":")[0]: ln.split(":") for ln in path.read_text().splitlines() if ln}


def apply_sysusers(root: Path) -> subprocess.CompletedProcess[str]:
    etc = root / "etc"
    etc.mkdir(parents=True)
    (etc / "passwd").write_text("root:x:0:0:root:/root:/bin/bash\n")
    (etc / "group").write_text("root:x:0:\n")
    (etc / "shadow").write_text("root:*:19000:0:99999:7:::\n")
    (etc / "gshadow").write_text("root:*::\n")
    return run([tool("systemd-sysusers"), f"--root={root}", str(SYSUSERS)])


def test_sysusers_creates_user_and_groups(tmp_path: Path) -> None:
    root = tmp_path / "root"
    result = apply_sysusers(root)
    assert result.returncode == 0, result.stderr
    for ln in result.stderr.splitlines():
        assert ln.startswith("Creating "), f"unexpected sysusers output: {ln!r}"
    passwd = read_db(root / "etc/passwd")
    group = read_db(root / "etc/group")
    assert "zhicheng" in passwd and "zhicheng" in group and "zhicheng-admin" in group
    uid, gid = int(passwd["zhicheng"][2]), int(passwd["zhicheng"][3])
    assert 0 < uid < 1000 and gid == int(group["zhicheng"][2])
    assert passwd["zhicheng"][5] == "/var/lib/zhicheng"
    assert passwd["zhicheng"][6] == "/usr/sbin/nologin"
    # The daemon's user is not an admin by group; it reaches the admin socket
    # (for ExecReload=) as the socket's owner.
    assert "zhicheng" not in group["zhicheng-admin"][3].split(",")


def test_tmpfiles_creates_dirs(tmp_path: Path) -> None:
    root = tmp_path / "root"
    assert apply_sysusers(root).returncode == 0
    result = run([tool("systemd-tmpfiles"), f"--root={root}", "--create", str(TMPFILES)])
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr
    passwd = read_db(root / "etc/passwd")
    group = read_db(root / "etc/group")
    zuid = int(passwd["zhicheng"][2])
    zgid = int(group["zhicheng"][2])
    agid = int(group["zhicheng-admin"][2])
    expect = {
        "run/zhicheng": (0o750, zuid, agid),
        "var/lib/zhicheng": (0o700, zuid, zgid),
        "var/lib/zhicheng/tenants": (0o700, zuid, zgid),
        "var/lib/zhicheng/backups": (0o700, zuid, zgid),
        "var/lib/zhicheng/archive": (0o700, zuid, zgid),
        "etc/zhicheng": (0o750, 0, zgid),
    }
    for rel, (mode, uid, gid) in expect.items():
        st = (root / rel).stat()
        got = (st.st_mode & 0o7777, st.st_uid, st.st_gid)
        assert got == (mode, uid, gid), f"/{rel}: {got} != {(mode, uid, gid)}"


def test_tmpfiles_gives_the_installed_config_the_daemons_group(tmp_path: Path) -> None:
    """`make install` puts the config in place as 0640 root:root, maybe before the group exists;
    the service runs as zhicheng and could not read it (exit 78, a restart loop). tmpfiles.d
    gives it the group zhicheng and keeps it unreadable to others."""
    root = tmp_path / "root"
    assert apply_sysusers(root).returncode == 0
    config = root / "etc/zhicheng/zhichengd.toml"
    config.parent.mkdir(parents=True)
    config.write_text("[http]\n")
    config.chmod(0o644)
    result = run([tool("systemd-tmpfiles"), f"--root={root}", "--create", str(TMPFILES)])
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr
    zgid = int(read_db(root / "etc/group")["zhicheng"][2])
    st = config.stat()
    assert (st.st_mode & 0o7777, st.st_uid, st.st_gid) == (0o640, 0, zgid)
    assert config.read_text() == "[http]\n"


def test_tmpfiles_and_sysusers_would_catch_mistakes(tmp_path: Path) -> None:
    """Both tools exit non-zero on a broken line, so the tests above mean something."""
    bad_users = tmp_path / "bad-sysusers.conf"
    bad_users.write_text("u zhicheng not-a-uid\nx\n")
    root = tmp_path / "root"
    assert apply_sysusers(root).returncode == 0
    r = run([tool("systemd-sysusers"), f"--root={root}", str(bad_users)])
    assert r.returncode != 0, r.stderr
    bad_tmp = tmp_path / "bad-tmpfiles.conf"
    bad_tmp.write_text("d /x 0700 no-such-user -\nQQ /y\n")
    r = run([tool("systemd-tmpfiles"), f"--root={root}", "--create", str(bad_tmp)])
    assert r.returncode != 0, r.stderr
