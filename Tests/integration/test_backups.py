"""Backups a sysadmin leaves to systemd: `[backup] keep` removes a tenant's oldest regular backups
after each `tenant.backup` (never a restore's copy, a file of the sysadmin's, a symbolic link out of
the directory, or the last backup), a reload changes it (a bad value at start is refused naming the
key: test_config.py); and
`zhichengctl tenant backup --all` backs up every tenant, going on past one that fails."""

from __future__ import annotations

import datetime
import json
import os
import pathlib
import shutil
import signal
import sqlite3
import subprocess
import time

import pytest


from api_support import db_rows
from conftest import CMD_TIMEOUT, Daemon, clean_env, create_tenant, held, human_bytes, run_ctl, sha256_file, sqlite_integrity, wait_until
from test_tenants import assert_backup_file, assert_check_ok, wait_for_log


def _regular(d: Daemon, tid: str) -> list[str]:
    """The tenant's regular backups (as the daemon names them), oldest first."""
    return sorted(p.name for p in (d.data_dir / "backups" / tid).iterdir()
                  if p.name.startswith(f"{tid}-2") and p.name.endswith(".sqlite") and not p.is_symlink())


def _backup(d: Daemon, tid: str) -> dict:
    res = d.call("tenant.backup", {"id": tid})
    assert_backup_file(res, tid, d.data_dir / "backups")
    assert isinstance(res["pruned"], list) and isinstance(res["prune_errors"], list), res
    return res


def _backup_audit(d: Daemon, tid: str, db: pathlib.Path | None = None) -> list[tuple[str, dict]]:
    """The tenant's audit rows of its backups and of what retention removed, in the order written."""
    rows = db_rows(db or d.tenant_db(tid), "SELECT action, detail FROM audit WHERE action IN ('tenant.backup', 'tenant.backup.prune') ORDER BY seq")
    return [(action, json.loads(detail)) for action, detail in rows]


def _stamp(when: datetime.datetime) -> str:
    """A UTC time as the daemon writes it in a backup's name: 20261129T071502.123Z."""
    return when.astimezone(datetime.timezone.utc).strftime("%Y%m%dT%H%M%S.") + f"{when.microsecond // 1000:03d}Z"


def test_keep_removes_the_oldest_regular_backups_and_nothing_else(daemon_factory, tmp_path: pathlib.Path) -> None:
    d = daemon_factory(config='[log]\nlevel = "info"\n[backup]\nkeep = 2\n').start()
    create_tenant(d, "zhengzhou", "4101")
    create_tenant(d, "kaifeng", "4102")
    b1, b2 = _backup(d, "zhengzhou"), _backup(d, "zhengzhou")
    assert b1["pruned"] == [] and b2["pruned"] == []
    # A restore's copy of the file it replaced, beside them.
    d.call("tenant.suspend", {"id": "zhengzhou"})
    d.call("tenant.restore", {"id": "zhengzhou", "path": b1["path"]})
    d.call("tenant.resume", {"id": "zhengzhou"})
    folder = d.data_dir / "backups" / "zhengzhou"
    [pre_restore] = [p for p in folder.iterdir() if "-pre-restore-" in p.name]
    pre_restore_sha = sha256_file(pre_restore)
    # The sysadmin's own file, and a symbolic link named like an old backup pointing out of
    # the directory: neither is a backup the daemon wrote.
    notes = folder / "notes.txt"
    notes.write_text("kept by hand\n")
    outside = tmp_path / "elsewhere.sqlite"
    shutil.copyfile(b1["path"], outside)
    link = folder / "zhengzhou-20000101T000000.000Z.sqlite"
    link.symlink_to(outside)
    # Another tenant's backups are its own.
    k1 = _backup(d, "kaifeng")

    before = len(d.stderr())
    b3 = _backup(d, "zhengzhou")
    assert b3["pruned"] == [b1["path"]] and b3["prune_errors"] == [], b3
    b4 = _backup(d, "zhengzhou")
    assert b4["pruned"] == [b2["path"]] and b4["prune_errors"] == [], b4
    assert _regular(d, "zhengzhou") == sorted(pathlib.Path(b["path"]).name for b in (b3, b4))
    assert not os.path.exists(b1["path"]) and not os.path.exists(b2["path"])
    assert sha256_file(pre_restore) == pre_restore_sha
    assert notes.read_text() == "kept by hand\n"
    assert link.is_symlink() and sha256_file(outside) == b1["sha256"]
    assert os.path.exists(k1["path"])

    # Each removal is in the log, at notice, with the tenant and the path; and in the audit row.
    lines = wait_for_log(d, before, lambda l: "old backup removed" in l and b2["path"] in l)
    removed = [l for l in lines if "old backup removed" in l]
    assert len(removed) == 2 and all("zhengzhou" in l and "notice" in l.lower() for l in removed), removed
    # (The rows of b1 and b2 went with the restore to b1, which was copied before its own row.)
    assert _backup_audit(d, "zhengzhou") == [
        ("tenant.backup", {"path": b3["path"], "sha256": b3["sha256"]}),
        ("tenant.backup.prune", {"backup": b3["path"], "pruned": [b1["path"]]}),
        ("tenant.backup", {"path": b4["path"], "sha256": b4["sha256"]}),
        ("tenant.backup.prune", {"backup": b4["path"], "pruned": [b2["path"]]}),
    ]

    # The registry's last backup is the newest, still there, and restores.
    assert d.call("tenant.show", {"id": "zhengzhou"})["last_backup"]["path"] == b4["path"]
    d.call("tenant.suspend", {"id": "zhengzhou"})
    assert d.call("tenant.restore", {"id": "zhengzhou", "path": b4["path"]})["sha256"] == b4["sha256"]
    d.call("tenant.resume", {"id": "zhengzhou"})
    assert_check_ok(d.call("tenant.check", {"id": "zhengzhou"}), "zhengzhou")


def test_an_archived_tenants_backups_stay_when_its_id_is_used_again(daemon_factory) -> None:
    """An archive moves the tenant's directory, not its backups (the backup dir may be on another
    file system): they stay in <backup_dir>/<id>/, named as the daemon names backups, the archived
    tenant's only point-in-time copies. A tenant created again under the id counts and removes
    only its own backups, those dated from its creation on: the archived one's are never touched."""
    d = daemon_factory().start()
    create_tenant(d, "zhengzhou", "4101", name="郑州市")
    old = [_backup(d, "zhengzhou") for _ in range(3)]
    d.call("tenant.archive", {"id": "zhengzhou", "confirm": "zhengzhou"})
    create_tenant(d, "zhengzhou", "4101", name="郑州市")
    d.write_config('[log]\nlevel = "info"\n[backup]\nkeep = 1\n')
    d.call("config.reload")

    first = _backup(d, "zhengzhou")
    assert first["pruned"] == [] and first["prune_errors"] == [], first
    second = _backup(d, "zhengzhou")
    assert second["pruned"] == [first["path"]] and second["prune_errors"] == [], second
    for b in old:
        assert os.path.isfile(b["path"]) and sha256_file(b["path"]) == b["sha256"], b["path"]
    assert _regular(d, "zhengzhou") == sorted(pathlib.Path(b["path"]).name for b in (*old, second))
    # A third: still only the new tenant's older backup goes.
    third = _backup(d, "zhengzhou")
    assert third["pruned"] == [second["path"]], third
    assert all(os.path.isfile(b["path"]) for b in old)
    # Its own audit rows: each backup, then what retention removed after it.
    assert _backup_audit(d, "zhengzhou") == [
        ("tenant.backup", {"path": first["path"], "sha256": first["sha256"]}),
        ("tenant.backup", {"path": second["path"], "sha256": second["sha256"]}),
        ("tenant.backup.prune", {"backup": second["path"], "pruned": [first["path"]]}),
        ("tenant.backup", {"path": third["path"], "sha256": third["sha256"]}),
        ("tenant.backup.prune", {"backup": third["path"], "pruned": [second["path"]]}),
    ]
    assert_check_ok(d.call("tenant.check", {"id": "zhengzhou"}), "zhengzhou")


def test_a_backup_dated_after_now_is_neither_counted_nor_removed(daemon_factory) -> None:
    """After the host clock ran ahead (a year, say, until NTP corrected it), the backups made
    meanwhile are named in the future. Counted by their names, they would be the newest, and each
    later backup would remove the real one before it. Dated after now, a name is neither counted
    nor removed, and each backup run says so in one warning naming it; the real backups are
    pruned as keep says."""
    d = daemon_factory(config='[log]\nlevel = "info"\n[backup]\nkeep = 2\n').start()
    create_tenant(d, "zhengzhou", "4101")
    b1, b2 = _backup(d, "zhengzhou"), _backup(d, "zhengzhou")
    folder = d.data_dir / "backups" / "zhengzhou"
    next_year = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=366)
    ahead = folder / f"zhengzhou-{_stamp(next_year)}.sqlite"
    ahead.write_bytes(b"made while the clock ran ahead")
    ahead_later = folder / f"zhengzhou-{_stamp(next_year + datetime.timedelta(days=1))}-2.sqlite"
    shutil.copyfile(b1["path"], ahead_later)

    for previous in (b1, b2):
        before = len(d.stderr())
        res = _backup(d, "zhengzhou")
        assert res["pruned"] == [previous["path"]] and res["prune_errors"] == [], res
        lines = wait_for_log(d, before, lambda l: "dated after now" in l)
        warnings = [l for l in lines if "dated after now" in l]
        assert len(warnings) == 1, warnings
        assert str(ahead) in warnings[0] and str(ahead_later) in warnings[0] and "warning" in warnings[0].lower(), warnings[0]
    assert ahead.read_bytes() == b"made while the clock ran ahead" and ahead_later.is_file()
    assert not os.path.exists(b1["path"]) and not os.path.exists(b2["path"])
    assert len(_regular(d, "zhengzhou")) == 4   # the two real ones keep = 2 keeps, the two dated ahead
    assert_check_ok(d.call("tenant.check", {"id": "zhengzhou"}), "zhengzhou")


def test_an_archived_tenants_backup_dated_after_the_new_creation_is_never_counted(daemon_factory) -> None:
    """The archived tenant's clock ran ahead: a backup it left is dated after the id's next creation.
    The creation records it (tenant_meta.backups_at_creation), and retention never counts nor removes
    it, even once now has passed its date, when it would otherwise be an old backup like any other."""
    d = daemon_factory(config='[log]\nlevel = "info"\n[backup]\nkeep = 1\n').start()
    create_tenant(d, "zhengzhou", "4101", name="郑州市")
    made = _backup(d, "zhengzhou")
    folder = d.data_dir / "backups" / "zhengzhou"
    soon = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=12)
    ahead = folder / f"zhengzhou-{_stamp(soon)}.sqlite"
    shutil.copyfile(made["path"], ahead)
    d.call("tenant.archive", {"id": "zhengzhou", "confirm": "zhengzhou"})
    archived_at = db_rows(d.data_dir / "registry.sqlite", "SELECT max(archived_at) FROM archived WHERE id = 'zhengzhou'")[0][0]
    create_tenant(d, "zhengzhou", "4101", name="郑州市")
    created_at = db_rows(d.data_dir / "registry.sqlite", "SELECT created_at FROM tenants WHERE id = 'zhengzhou'")[0][0]
    assert archived_at <= created_at < soon.timestamp(), (archived_at, created_at)
    assert db_rows(d.tenant_db("zhengzhou"), "SELECT value FROM tenant_meta WHERE key = 'backups_at_creation'") == [(json.dumps([ahead.name]),)]
    # Wait until now has passed the file's date (bounded): it is no longer dated after now.
    deadline = time.monotonic() + 30
    while time.time() < soon.timestamp() + 0.5:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    mine = [_backup(d, "zhengzhou") for _ in range(3)]
    assert mine[0]["pruned"] == [] and mine[1]["pruned"] == [mine[0]["path"]] and mine[2]["pruned"] == [mine[1]["path"]], mine
    assert all(m["prune_errors"] == [] for m in mine), mine
    assert ahead.is_file() and sha256_file(ahead) == made["sha256"] and sha256_file(made["path"]) == made["sha256"]
    assert _regular(d, "zhengzhou") == sorted([pathlib.Path(made["path"]).name, ahead.name, pathlib.Path(mine[2]["path"]).name])
    # A restore of the tenant's own backup keeps the record (it was written at the creation).
    d.call("tenant.suspend", {"id": "zhengzhou"})
    d.call("tenant.restore", {"id": "zhengzhou", "path": mine[2]["path"]})
    d.call("tenant.resume", {"id": "zhengzhou"})
    again = _backup(d, "zhengzhou")
    assert again["pruned"] == [mine[2]["path"]] and ahead.is_file(), again


def test_a_backup_dated_after_now_under_an_id_archived_before_is_said_to_be_maybe_the_earlier_tenants(daemon_factory) -> None:
    d = daemon_factory(config='[log]\nlevel = "info"\n[backup]\nkeep = 1\n').start()
    create_tenant(d, "zhengzhou", "4101")
    d.call("tenant.archive", {"id": "zhengzhou", "confirm": "zhengzhou"})
    create_tenant(d, "zhengzhou", "4101")
    first = _backup(d, "zhengzhou")
    # Put there after the creation (not recorded): only its date keeps it out.
    ahead = d.data_dir / "backups" / "zhengzhou" / f"zhengzhou-{_stamp(datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=366))}.sqlite"
    ahead.write_bytes(b"ahead")
    before = len(d.stderr())
    res = _backup(d, "zhengzhou")
    assert res["pruned"] == [first["path"]] and ahead.is_file(), res
    lines = wait_for_log(d, before, lambda l: "dated after now" in l)
    [warning] = [l for l in lines if "dated after now" in l]
    assert "archived before" in warning and "earlier tenant" in warning and str(ahead) in warning, warning


def test_a_removal_is_logged_before_the_next_one_is_made(daemon_factory, tmp_path: pathlib.Path) -> None:
    """Each removal is in the log as soon as it is done: a daemon killed between two removals
    leaves the first logged (there is no audit row for either: that is written after them)."""
    hold = tmp_path / "hold-removed-one"
    d = daemon_factory(config='[log]\nlevel = "info"\n', env=clean_env(ZHICHENG_PAUSE_AT=f"backup.removed-one:{hold}")).start()
    create_tenant(d, "zhengzhou", "4101")
    old = [_backup(d, "zhengzhou") for _ in range(3)]
    d.write_config('[log]\nlevel = "info"\n[backup]\nkeep = 1\n')
    d.call("config.reload")
    before = len(d.stderr())
    def backup() -> object:
        try:
            return d.request("tenant.backup", {"id": "zhengzhou"})
        except (EOFError, OSError) as killed:   # the daemon is killed while the request is held
            return killed

    worker, out = held(hold, backup)
    try:
        assert not os.path.exists(old[0]["path"]) and os.path.isfile(old[1]["path"])
        lines = d.stderr()[before:].splitlines()
        removed = [l for l in lines if "old backup removed" in l]
        assert len(removed) == 1 and old[0]["path"] in removed[0], lines[-10:]
        d.kill9()
    finally:
        hold.unlink()
    worker.join(CMD_TIMEOUT)
    assert not worker.is_alive() and isinstance(out[0], (EOFError, OSError)), out
    lines = d.stderr()[before:].splitlines()
    assert [l for l in lines if "old backup removed" in l] == removed
    assert os.path.isfile(old[1]["path"]) and os.path.isfile(old[2]["path"])


def test_a_tenant_created_while_the_clock_ran_ahead_is_warned_about_at_each_backup(daemon_factory) -> None:
    """A tenant created while the host clock ran ahead (here its registry created_at set a year
    ahead while the daemon was stopped): every backup is dated before its creation, so retention
    neither counts nor removes any of them. Each backup run says so in one warning, naming why."""
    d = daemon_factory(config='[log]\nlevel = "info"\n[backup]\nkeep = 1\n').start()
    create_tenant(d, "zhengzhou", "4101")
    d.terminate()
    con = sqlite3.connect(d.data_dir / "registry.sqlite")
    with con:
        con.execute("UPDATE tenants SET created_at = ? WHERE id = 'zhengzhou'", (time.time() + 366 * 86_400,))
    con.close()
    d.start()
    made = []
    for _ in range(3):
        before = len(d.stderr())
        res = _backup(d, "zhengzhou")
        assert res["pruned"] == [] and res["prune_errors"] == [], res
        made.append(res)
        lines = wait_for_log(d, before, lambda l: "retention cannot apply" in l)
        warnings = [l for l in lines if "retention cannot apply" in l]
        assert len(warnings) == 1 and "warning" in warnings[0].lower() and "zhengzhou" in warnings[0], warnings
        assert "created while the host clock ran ahead" in warnings[0], warnings[0]
    assert all(os.path.isfile(m["path"]) for m in made)
    # A tenant created again under an id archived before, with the clock right: no such warning.
    create_tenant(d, "kaifeng", "4102")
    _backup(d, "kaifeng")
    d.call("tenant.archive", {"id": "kaifeng", "confirm": "kaifeng"})
    create_tenant(d, "kaifeng", "4102")
    before = len(d.stderr())
    _backup(d, "kaifeng")
    _backup(d, "kaifeng")
    wait_for_log(d, before, lambda l: "old backup removed" in l and "kaifeng" in l)
    assert "retention cannot apply" not in d.stderr()[before:]


def test_a_removal_whose_audit_row_cannot_be_written_does_not_fail_the_backup(daemon_factory, tmp_path: pathlib.Path) -> None:
    """The backup's audit row is written before anything is removed: once it is there the
    backup is done. The removals' own row (tenant.backup.prune) that cannot be written (here
    the tenant was archived between the removal and the row) is logged at error and reported in
    prune_errors; the command succeeds."""
    hold = tmp_path / "hold-pruned"
    d = daemon_factory(config='[log]\nlevel = "info"\n[backup]\nkeep = 1\n',
                       env=clean_env(ZHICHENG_PAUSE_AT=f"backup.pruned:{hold}")).start()
    create_tenant(d, "zhengzhou", "4101")
    first = _backup(d, "zhengzhou")
    worker, out = held(hold, lambda: d.request("tenant.backup", {"id": "zhengzhou"}))
    archived = d.call("tenant.archive", {"id": "zhengzhou", "confirm": "zhengzhou"})
    before = len(d.stderr())
    hold.unlink()
    worker.join(CMD_TIMEOUT)
    assert not worker.is_alive() and out and out[0]["ok"] is True, out
    res = out[0]["result"]
    assert res["pruned"] == [first["path"]] and not os.path.exists(first["path"]), res
    assert os.path.isfile(res["path"]) and sqlite_integrity(res["path"]) == ["ok"]
    [problem] = res["prune_errors"]
    assert problem["path"] == str(d.data_dir / "backups" / "zhengzhou"), problem
    assert "tenant.backup.prune" in problem["error"] and "could not be written" in problem["error"], problem
    lines = wait_for_log(d, before, lambda l: "audit row could not be written" in l)
    line = [l for l in lines if "audit row could not be written" in l][0]
    assert first["path"] in line and "zhengzhou" in line and "error" in line.lower(), line
    # The archived database has the backup's row (written before the removal), not the other.
    [db] = list(pathlib.Path(archived["archived_to"]).rglob("tenant.sqlite"))
    assert _backup_audit(d, "zhengzhou", db) == [
        ("tenant.backup", {"path": first["path"], "sha256": first["sha256"]}),
        ("tenant.backup", {"path": res["path"], "sha256": res["sha256"]}),
    ]


def test_keep_zero_is_the_default_and_a_reload_applies_a_new_keep(daemon_factory) -> None:
    """Without [backup] every backup stays; a reload to keep = 2 applies at the next backup (no
    restart needed); a bad value at reload is refused naming the key and the running keep stays;
    keep = 0 again keeps every one from then on."""
    d = daemon_factory().start()
    create_tenant(d, "zhengzhou", "4101")
    made = [_backup(d, "zhengzhou") for _ in range(4)]
    assert all(b["pruned"] == [] for b in made)
    assert _regular(d, "zhengzhou") == [pathlib.Path(b["path"]).name for b in made]

    d.write_config('[log]\nlevel = "info"\n[backup]\nkeep = 2\n')
    assert d.call("config.reload")["restart_required"] == []
    fifth = _backup(d, "zhengzhou")
    assert fifth["pruned"] == [b["path"] for b in made[:3]], fifth
    assert _regular(d, "zhengzhou") == [pathlib.Path(b["path"]).name for b in (made[3], fifth)]

    d.write_config('[log]\nlevel = "info"\n[backup]\nkeep = -3\n')
    err = d.request("config.reload")
    assert err["ok"] is False and err["error"]["code"] == "invalid" and "backup.keep" in err["error"]["message"], err
    sixth = _backup(d, "zhengzhou")
    assert sixth["pruned"] == [made[3]["path"]], "the running keep = 2 still applies"

    d.write_config('[log]\nlevel = "info"\n[backup]\nkeep = 0\n')
    d.call("config.reload")
    more = [_backup(d, "zhengzhou") for _ in range(3)]
    assert all(b["pruned"] == [] for b in more)
    assert len(_regular(d, "zhengzhou")) == 5


def test_the_copy_of_a_backup_a_crash_cut_off_is_removed_at_the_next_start(daemon_factory) -> None:
    """Killed with the backup copied but not yet renamed into place (ZHICHENG_CRASH_AT=
    tenant.backup.copied): the `.partial` copy, a whole database, is never recorded and nobody
    keeps it. The next start removes it and says so; the backups made before stay, and the
    next backup works. (Before, each such crash left one behind for good.)"""
    d = daemon_factory(config='[log]\nlevel = "info"\n').start()
    create_tenant(d, "zhengzhou", "4101")
    first = _backup(d, "zhengzhou")
    d.terminate()
    d.env = clean_env(ZHICHENG_CRASH_AT="tenant.backup.copied")
    d.start()
    with pytest.raises(EOFError):
        d.call("tenant.backup", {"id": "zhengzhou"})
    assert d.wait_exit(60) == 86, d.output()[-2000:]
    folder = d.data_dir / "backups" / "zhengzhou"
    partial = [p for p in folder.iterdir() if p.name.endswith(".partial")]
    assert len(partial) == 1 and partial[0].stat().st_size > 0, sorted(folder.iterdir())

    d.env = clean_env()
    d.start()
    assert not partial[0].exists(), sorted(folder.iterdir())
    assert "removed the copy of a backup a stop interrupted" in d.output()
    assert _regular(d, "zhengzhou") == [pathlib.Path(first["path"]).name]
    second = _backup(d, "zhengzhou")
    assert _regular(d, "zhengzhou") == [pathlib.Path(first["path"]).name, pathlib.Path(second["path"]).name]


def test_a_backup_killed_mid_copy_leaves_no_journal_behind_after_the_next_start(daemon_factory) -> None:
    """Killed during the copy itself (ZHICHENG_CRASH_AT=tenant.backup.copying, after its first
    page): beside the `.partial` copy SQLite has its hot rollback journal, `.partial-journal`.
    The next start removes both (before, only `.partial`, and the journal stayed for good); a
    `-wal` / `-shm` of the copy would go too (planted here: SQLite may leave them when the copy
    is turned from WAL to rollback mode). The backups made before stay; the next one works."""
    d = daemon_factory(config='[log]\nlevel = "info"\n').start()
    create_tenant(d, "zhengzhou", "4101")
    first = _backup(d, "zhengzhou")
    d.terminate()
    d.env = clean_env(ZHICHENG_CRASH_AT="tenant.backup.copying")
    d.start()
    with pytest.raises(EOFError):
        d.call("tenant.backup", {"id": "zhengzhou"})
    assert d.wait_exit(60) == 86, d.output()[-2000:]
    folder = d.data_dir / "backups" / "zhengzhou"
    [partial] = [p for p in folder.iterdir() if p.name.endswith(".partial")]
    journal = pathlib.Path(f"{partial}-journal")
    assert journal.is_file(), sorted(folder.iterdir())
    planted = [pathlib.Path(f"{partial}-wal"), pathlib.Path(f"{partial}-shm")]
    for p in planted:
        p.write_bytes(b"")

    d.env = clean_env()
    d.start()
    assert sorted(p.name for p in folder.iterdir()) == [pathlib.Path(first["path"]).name], sorted(folder.iterdir())
    assert f"{journal}" in d.output() and "removed the copy of a backup a stop interrupted" in d.output()
    second = _backup(d, "zhengzhou")
    assert _regular(d, "zhengzhou") == [pathlib.Path(first["path"]).name, pathlib.Path(second["path"]).name]


def test_a_backup_whose_old_files_cannot_be_removed_still_succeeds_and_says_so(daemon_factory) -> None:
    """An old backup that cannot be removed (here made immutable: root is not stopped by file
    modes) is reported in prune_errors and logged at error; the others go; the new backup stands."""
    chattr = shutil.which("chattr")
    assert chattr, "chattr (e2fsprogs) is needed for this test"
    d = daemon_factory(config='[log]\nlevel = "info"\n[backup]\nkeep = 1\n').start()
    create_tenant(d, "zhengzhou", "4101")
    first, second = _backup(d, "zhengzhou"), _backup(d, "zhengzhou")
    assert second["pruned"] == [first["path"]]
    third = _backup(d, "zhengzhou")
    assert third["pruned"] == [second["path"]]
    fourth = None
    stuck = third["path"]
    made = subprocess.run([chattr, "+i", stuck], capture_output=True, text=True, timeout=CMD_TIMEOUT)
    assert made.returncode == 0, f"chattr +i failed (a file system without the immutable flag?): {made.stderr}"
    try:
        before = len(d.stderr())
        fourth = d.request("tenant.backup", {"id": "zhengzhou"})
        assert fourth["ok"] is True, fourth
        res = fourth["result"]
        assert res["pruned"] == [] and [e["path"] for e in res["prune_errors"]] == [stuck], res
        assert "cannot remove" in res["prune_errors"][0]["error"], res
        assert os.path.exists(stuck) and sqlite_integrity(res["path"]) == ["ok"]
        assert d.call("tenant.show", {"id": "zhengzhou"})["last_backup"]["path"] == res["path"]
        lines = wait_for_log(d, before, lambda l: "could not remove an old backup" in l)
        line = [l for l in lines if "could not remove an old backup" in l][0]
        assert stuck in line and "zhengzhou" in line, line
    finally:
        subprocess.run([chattr, "-i", stuck], capture_output=True, timeout=CMD_TIMEOUT)
    # Once it can be removed, the next backup catches up.
    fifth = _backup(d, "zhengzhou")
    assert sorted(fifth["pruned"]) == sorted([stuck, fourth["result"]["path"]]), fifth


def test_zhichengctl_reports_old_backups_it_could_not_remove_and_exits_0(daemon_factory, zhichengctl_bin: str) -> None:
    chattr = shutil.which("chattr")
    assert chattr, "chattr (e2fsprogs) is needed for this test"
    d = daemon_factory(config='[log]\nlevel = "info"\n[backup]\nkeep = 1\n').start()
    create_tenant(d, "zhengzhou", "4101")
    stuck = _backup(d, "zhengzhou")["path"]
    assert subprocess.run([chattr, "+i", stuck], capture_output=True, timeout=CMD_TIMEOUT).returncode == 0
    try:
        out = run_ctl(zhichengctl_bin, "tenant", "backup", "zhengzhou", socket_path=d.admin_socket)
        assert out.returncode == 0, out.stderr
        assert f"zhengzhou: backup retention: {stuck}: cannot remove" in out.stderr, out.stderr
        out = run_ctl(zhichengctl_bin, "tenant", "backup", "--all", socket_path=d.admin_socket)
        assert out.returncode == 0, out.stdout + out.stderr
        assert f"zhengzhou: backup retention: {stuck}: cannot remove" in out.stderr, out.stderr
    finally:
        subprocess.run([chattr, "-i", stuck], capture_output=True, timeout=CMD_TIMEOUT)


# --------------------------------------------------------------------------- tenant backup --all


def test_backup_all_goes_on_past_a_failure_and_exits_1(daemon_factory, zhichengctl_bin: str) -> None:
    """Every tenant, active or suspended, is backed up, one line each (id, bytes, path); one whose
    backup fails (a regular file where its backup directory should be) is named on stderr with the
    daemon's error, the others are backed up all the same, and the exit status is 1. With the
    obstacle gone, the same run exits 0."""
    d = daemon_factory(config='[log]\nlevel = "info"\n[backup]\nkeep = 1\n').start()
    create_tenant(d, "zhengzhou", "4101")
    create_tenant(d, "kaifeng", "4102")
    create_tenant(d, "luoyang", "4103")
    d.call("tenant.suspend", {"id": "kaifeng"})
    blocker = d.data_dir / "backups" / "luoyang"
    blocker.parent.mkdir(parents=True, exist_ok=True)
    blocker.write_text("not a directory")

    out = run_ctl(zhichengctl_bin, "tenant", "backup", "--all", socket_path=d.admin_socket)
    assert out.returncode == 1, out.stdout + out.stderr
    lines = {l.split()[0]: l for l in out.stdout.splitlines() if l.strip() and not l.startswith("backed up")}
    assert set(lines) == {"zhengzhou", "kaifeng"}, out.stdout
    for tid in ("zhengzhou", "kaifeng"):
        last = d.call("tenant.show", {"id": tid})["last_backup"]
        assert last is not None, tid
        assert f"  {human_bytes(last['bytes'])}  {last['path']}" in lines[tid], lines[tid]
        assert os.path.isfile(last["path"]) and sha256_file(last["path"]) == last["sha256"]
    failed = [l for l in out.stderr.splitlines() if l.startswith("luoyang")]
    assert len(failed) == 1 and "FAILED" in failed[0] and "internal" in failed[0], out.stderr
    # In columns: ids padded to the longest (zhengzhou), sizes right-aligned, paths lined up.
    assert len({lines[t].index(str(d.data_dir)) for t in lines}) == 1, out.stdout
    assert lines["kaifeng"].startswith("kaifeng    ") and failed[0].startswith("luoyang    FAILED  "), (out.stdout, out.stderr)
    assert "backed up 2 of 3 tenants; failed: luoyang" in out.stderr, out.stderr
    assert d.call("tenant.show", {"id": "luoyang"})["last_backup"] is None
    assert d.call("tenant.show", {"id": "kaifeng"})["state"] == "suspended"

    # --json: one result at the end, the failure in it too.
    out = run_ctl(zhichengctl_bin, "tenant", "backup", "--all", socket_path=d.admin_socket, json_out=True)
    assert out.returncode == 1, out.stdout + out.stderr
    result = json.loads(out.stdout)
    assert result["failed"] == ["luoyang"], result
    by_id = {t["id"]: t for t in result["tenants"]}
    assert by_id["luoyang"]["ok"] is False and "internal" in by_id["luoyang"]["error"], result
    for tid in ("zhengzhou", "kaifeng"):
        # keep = 1: the first run's backup is removed by the second.
        assert by_id[tid]["ok"] is True and len(by_id[tid]["pruned"]) == 1 and os.path.isfile(by_id[tid]["path"]), by_id[tid]

    blocker.unlink()
    out = run_ctl(zhichengctl_bin, "tenant", "backup", "--all", socket_path=d.admin_socket)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "backed up 3 of 3 tenants" in out.stdout and "removed 1 old backup" in out.stdout, out.stdout
    assert d.call("tenant.show", {"id": "luoyang"})["last_backup"] is not None


def test_backup_takes_an_id_or_all(daemon: Daemon, zhichengctl_bin: str) -> None:
    for args in ([], ["zhengzhou", "--all"]):
        out = run_ctl(zhichengctl_bin, "tenant", "backup", *args, socket_path=daemon.admin_socket)
        assert out.returncode == 64, (args, out.stdout, out.stderr)
        assert "--all" in out.stderr, out.stderr
    # No tenants: nothing to do, and nothing failed.
    out = run_ctl(zhichengctl_bin, "tenant", "backup", "--all", socket_path=daemon.admin_socket)
    assert out.returncode == 0 and "backed up 0 of 0 tenants" in out.stdout, out.stdout + out.stderr


def test_backup_all_without_a_daemon_fails_like_any_command(zhichengctl_bin: str, tmp_path: pathlib.Path) -> None:
    out = run_ctl(zhichengctl_bin, "tenant", "backup", "--all", socket_path=tmp_path / "absent.sock")
    assert out.returncode == 69, out.stdout + out.stderr
    assert "not running" in out.stderr, out.stderr


# --------------------------------------------------------------------------- zhichengctl interrupted


@pytest.mark.parametrize("sig,status,name", [(signal.SIGINT, 130, "SIGINT"), (signal.SIGTERM, 143, "SIGTERM")])
def test_zhichengctl_interrupted_while_the_daemon_backs_up_says_the_backup_goes_on(
        daemon_factory, zhichengctl_bin: str, procs, tmp_path: pathlib.Path, sig: int, status: int, name: str) -> None:
    """Ctrl-C (or SIGTERM) on zhichengctl while the daemon copies the tenant (held mid-copy at
    `backup.copying`) does not cancel the backup: zhichengctl says so, as --timeout does, and
    exits 128 + the signal; the daemon finishes the backup (recorded, the file whole). Before,
    zhichengctl died silently."""
    hold = tmp_path / "hold-copying"
    d = daemon_factory(env=clean_env(ZHICHENG_PAUSE_AT=f"backup.copying:{hold}")).start()
    create_tenant(d, "zhengzhou", "4101")
    hold.write_text("")
    ctl = procs.popen([zhichengctl_bin, "--socket", str(d.admin_socket), "tenant", "backup", "zhengzhou"],
                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=clean_env())
    try:
        wait_until(lambda: pathlib.Path(f"{hold}.reached").exists() or ctl.poll() is not None, 30, "the backup to be held mid-copy")
        assert ctl.poll() is None, ctl.communicate(timeout=10)
        ctl.send_signal(sig)
        out, err = ctl.communicate(timeout=30)
    finally:
        hold.unlink(missing_ok=True)
    assert ctl.returncode == status, (ctl.returncode, out, err)
    assert f"zhichengctl: interrupted ({name}) before zhichengd answered" in err, err
    assert "The command was not cancelled and may still finish" in err, err
    assert out == "", out
    # The daemon goes on: the backup is recorded and whole.
    last = wait_until(lambda: d.call("tenant.show", {"id": "zhengzhou"})["last_backup"], 30, "the backup to finish")
    assert os.path.isfile(last["path"]) and sha256_file(last["path"]) == last["sha256"], last
    assert sqlite_integrity(last["path"]) == ["ok"]
    assert [a for a, _ in _backup_audit(d, "zhengzhou")] == ["tenant.backup"]
    assert d.alive()
