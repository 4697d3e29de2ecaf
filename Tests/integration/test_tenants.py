"""Tenant lifecycle through the admin protocol (SPEC §3, §4): create, list, show, suspend,
resume, backup (also under concurrent writes), restore (refusals and success), check,
archive, account.reset-password; file modes; lazily opened tenants."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import pathlib
import re
import shutil
import sqlite3
import stat
import struct
import threading
import tempfile
import time

import pytest

from api_support import Api, approve_unit, create_child, db_rows, expect
from conftest import (
    CITY_CODES,
    SQLITE_MAGIC,
    AdminClient,
    Daemon,
    clean_env,
    create_tenant,
    expect_error,
    held,
    http_request,
    run_ctl,
    same_division,
    sha256_file,
    sqlite_integrity,
    sqlite_snapshot,
    tenant_dirs,
    wait_until,
)

ROW_KEYS = {"id", "name", "division_code", "kind", "state", "db_bytes", "orgs", "accounts", "applications"}


def assert_check_ok(res: dict, tid: str) -> None:
    assert res["id"] == tid
    assert res["ok"] is True, res
    assert res["integrity"] == ["ok"], res
    assert res["foreign_keys"] == [], res
    assert res["audit_chain"] == "ok", res


def assert_backup_file(res: dict, tid: str, backup_dir: pathlib.Path) -> pathlib.Path:
    assert res["id"] == tid
    path = pathlib.Path(res["path"])
    assert path.is_absolute(), res
    assert path.resolve().is_relative_to(backup_dir.resolve()), f"{path} is not under {backup_dir}"
    assert path.is_file(), res
    assert res["bytes"] == path.stat().st_size, res
    assert res["sha256"] == sha256_file(path), res
    assert isinstance(res["at"], str) and res["at"], res
    with open(path, "rb") as f:
        assert f.read(16) == SQLITE_MAGIC, "backup is not a SQLite database"
    assert sqlite_integrity(path) == ["ok"]
    return path


# --------------------------------------------------------------------------- create / list / show


def test_create_city_tenant(daemon: Daemon) -> None:
    res = create_tenant(daemon, "zhengzhou", "4101", "郑州市")
    assert res["id"] == "zhengzhou"
    assert res["name"] == "郑州市"
    assert same_division(res["division_code"], "4101"), res
    assert res["kind"] == "city"
    assert res["state"] == "active"
    assert res["admin_login"] == "4101"
    assert isinstance(res["admin_password"], str) and len(res["admin_password"]) >= 8, res
    assert daemon.tenant_db("zhengzhou").is_file()
    assert (daemon.data_dir / "registry.sqlite").is_file()


@pytest.mark.parametrize("code,login", [("410300", "4103"), ("4117", "4117"), ("419001", "419001"),
                                        ("411000", "4110"), ("4199", "4199")])
def test_create_accepts_short_and_full_codes(daemon: Daemon, code: str, login: str) -> None:
    res = create_tenant(daemon, "city-x", code)
    assert res["admin_login"] == login, res
    assert same_division(res["division_code"], code), res


@pytest.mark.parametrize("code", ["41", "410000"])
def test_create_province_tenant(daemon: Daemon, code: str) -> None:
    res = create_tenant(daemon, "province", code, "河南省职改办", kind="province")
    assert res["kind"] == "province"
    assert res["admin_login"] == "41", res
    assert same_division(res["division_code"], "41"), res


def test_create_existing_id_conflicts(daemon: Daemon) -> None:
    first = create_tenant(daemon, "zhengzhou", "4101", "郑州市")
    before = daemon.call("tenant.show", {"id": "zhengzhou"})
    with daemon.admin() as c:
        resp = c.request("tenant.create", {"id": "zhengzhou", "name": "别的", "division_code": "4103"})
        expect_error(resp, "conflict")
        assert c.call("ping") == {"pong": True}
    after = daemon.call("tenant.show", {"id": "zhengzhou"})
    assert after["name"] == first["name"] == "郑州市"
    assert same_division(after["division_code"], "4101")
    for k in ("id", "name", "division_code", "kind", "state", "orgs", "accounts", "applications"):
        assert after[k] == before[k], k


def test_id_boundaries(admin: AdminClient) -> None:
    ok_ids = ["ab", "a" + "b" * 31, "a-1", "z9-9-9"]
    for tid in ok_ids:
        assert create_tenant(admin, tid)["id"] == tid
    ids = [t["id"] for t in admin.call("tenant.list")["tenants"]]
    assert ids == sorted(ok_ids)


def test_list_and_show(daemon: Daemon) -> None:
    assert daemon.call("tenant.list") == {"tenants": []}
    for tid, code, name in [("zhoukou", "4116", "周口市"), ("anyang", "4105", "安阳市"), ("zhengzhou", "4101", "郑州市")]:
        create_tenant(daemon, tid, code, name)
    rows = daemon.call("tenant.list")["tenants"]
    assert [r["id"] for r in rows] == ["anyang", "zhengzhou", "zhoukou"]
    for r in rows:
        assert ROW_KEYS <= set(r), r
        assert r["kind"] == "city" and r["state"] == "active"
        assert isinstance(r["db_bytes"], int) and r["db_bytes"] > 0, r
        assert isinstance(r["orgs"], int) and r["orgs"] >= 1, r  # at least the root office
        assert isinstance(r["accounts"], int) and r["accounts"] >= 1, r  # its admin
        assert r["applications"] == 0, r
    assert rows[0]["name"] == "安阳市"

    show = daemon.call("tenant.show", {"id": "zhengzhou"})
    assert ROW_KEYS <= set(show)
    assert show["id"] == "zhengzhou" and show["name"] == "郑州市"
    assert isinstance(show["schema_version"], int) and show["schema_version"] >= 1, show
    assert show["last_backup"] is None
    expect_error(daemon.request("tenant.show", {"id": "kaifeng"}), "not_found")


# --------------------------------------------------------------------------- suspend / resume


def test_suspend_resume(daemon: Daemon) -> None:
    create_tenant(daemon, "zhengzhou", "4101", "郑州市")
    assert daemon.call("tenant.suspend", {"id": "zhengzhou"}) == {"id": "zhengzhou", "state": "suspended"}
    assert daemon.call("tenant.show", {"id": "zhengzhou"})["state"] == "suspended"
    assert daemon.call("tenant.list")["tenants"][0]["state"] == "suspended"
    assert daemon.call("status")["tenants"]["suspended"] == 1
    # admin commands still work on a suspended tenant
    assert_check_ok(daemon.call("tenant.check", {"id": "zhengzhou"}), "zhengzhou")
    assert daemon.call("account.reset-password", {"tenant": "zhengzhou", "login": "4101"})["password"]
    status, _, _ = daemon.http_get("/t/zhengzhou/api/v1/tenant")
    assert status == 503
    # suspending twice is harmless
    resp = daemon.request("tenant.suspend", {"id": "zhengzhou"})
    assert resp["ok"] is True or resp["error"]["code"] == "conflict", resp
    assert daemon.call("tenant.resume", {"id": "zhengzhou"}) == {"id": "zhengzhou", "state": "active"}
    assert daemon.call("tenant.show", {"id": "zhengzhou"})["state"] == "active"
    assert daemon.call("status")["tenants"]["suspended"] == 0
    status, _, _ = daemon.http_get("/t/zhengzhou/api/v1/tenant")
    assert status == 200
    for cmd in ("tenant.suspend", "tenant.resume", "tenant.backup", "tenant.check"):
        expect_error(daemon.request(cmd, {"id": "kaifeng"}), "not_found")


# --------------------------------------------------------------------------- rename


def tenant_api_name(daemon: Daemon, tid: str) -> str:
    status, _, body = daemon.http_get(f"/t/{tid}/api/v1/tenant")
    assert status == 200, (status, body)
    return json.loads(body)["name"]


def page_title(daemon: Daemon, tid: str) -> str:
    status, _, body = daemon.http_get(f"/t/{tid}/login")
    assert status == 200, status
    return re.search(r"<title>(.*?)</title>", body.decode()).group(1)


def test_rename_corrects_a_tenants_name_everywhere_it_is_read_at_once(daemon: Daemon) -> None:
    """`tenant.rename` corrects the name given at `tenant.create`: the registry's row (list,
    show), the tenant's API and page headings at the very next request (the registry's cached
    row goes with the write), its root office named after it, an audit row in the tenant, the
    command traced in the journal like the other state changes; the name it has is no change."""
    created = create_tenant(daemon, "zhengzhou", "4101", "郑洲市")
    create_tenant(daemon, "luoyang", "4103", "洛阳市")
    # Read (and cached) under the old name first.
    assert tenant_api_name(daemon, "zhengzhou") == "郑洲市" and page_title(daemon, "zhengzhou") == "登录 · 郑洲市职称管理系统"
    city = Api(daemon.http_port, "zhengzhou").first_login(created["admin_login"], created["admin_password"])
    assert expect(city.get("orgs/1"), 200).json["name"] == "郑洲市职改办"
    before = len(daemon.stderr())

    res = daemon.call("tenant.rename", {"id": "zhengzhou", "name": " 郑州市\u200b"})
    assert res == {"id": "zhengzhou", "name": "郑州市", "former_name": "郑洲市", "office": "郑州市职改办", "office_renamed": True}, res
    assert tenant_api_name(daemon, "zhengzhou") == "郑州市" and page_title(daemon, "zhengzhou") == "登录 · 郑州市职称管理系统"
    assert daemon.call("tenant.show", {"id": "zhengzhou"})["name"] == "郑州市"
    assert [(t["id"], t["name"]) for t in daemon.call("tenant.list")["tenants"]] == [("luoyang", "洛阳市"), ("zhengzhou", "郑州市")]
    assert expect(city.get("orgs/1"), 200).json["name"] == "郑州市职改办"
    newest = expect(city.get("audit"), 200).json["entries"][0]
    assert (newest["action"], newest["target"], newest["actor"], json.loads(newest["detail"])) == (
        "tenant.rename", "tenant:zhengzhou", newest["actor"],
        {"name": "郑州市", "former": "郑洲市", "office": "郑州市职改办", "former_office": "郑洲市职改办"}), newest
    assert newest["actor"].startswith("admin:uid="), newest
    lines = wait_for_log(daemon, before, lambda l: "admin command done" in l and "tenant.rename" in l)
    assert any("admin command started" in l and "cmd=tenant.rename" in l and "tenant.id=zhengzhou" in l for l in lines), lines
    assert any("tenant renamed" in l for l in lines), lines

    # The name it has already: answered, nothing written.
    same = daemon.call("tenant.rename", {"id": "zhengzhou", "name": "郑州市"})
    assert same == {"id": "zhengzhou", "name": "郑州市", "former_name": None, "office": "郑州市职改办", "office_renamed": False}, same
    assert [e["action"] for e in expect(city.get("audit"), 200).json["entries"]].count("tenant.rename") == 1

    # An office its admin named otherwise (in its 单位信息) keeps its name.
    expect(city.put("orgs/1/profile", {"name": "郑州市职称改革工作领导小组办公室"}), 200)
    assert expect(city.get("orgs/1"), 200).json["name"] == "郑州市职称改革工作领导小组办公室"
    res = daemon.call("tenant.rename", {"id": "zhengzhou", "name": "郑州"})
    assert (res["office"], res["office_renamed"]) == ("郑州市职称改革工作领导小组办公室", False), res
    assert expect(city.get("orgs/1"), 200).json["name"] == "郑州市职称改革工作领导小组办公室"

    # A suspended tenant can be renamed too; its 503 says the new name.
    daemon.call("tenant.suspend", {"id": "zhengzhou"})
    daemon.call("tenant.rename", {"id": "zhengzhou", "name": "郑州市"})
    status, _, body = daemon.http_get("/t/zhengzhou/api/v1/tenant")
    assert status == 503 and "郑州市的职称管理系统暂停服务" in body.decode(), (status, body)
    daemon.call("tenant.resume", {"id": "zhengzhou"})
    assert_check_ok(daemon.call("tenant.check", {"id": "zhengzhou"}), "zhengzhou")


def test_rename_refuses_bad_input_and_changes_nothing(daemon: Daemon) -> None:
    """An invalid name names the argument; an unknown tenant, an archived one and a malformed id
    are refused with the usual codes; each refusal changes nothing, and is logged as refused."""
    create_tenant(daemon, "zhengzhou", "4101", "郑州市")
    create_tenant(daemon, "anyang", "4105", "安阳市")
    daemon.call("tenant.archive", {"id": "anyang", "confirm": "anyang"})
    snapshot = sqlite_snapshot(daemon.tenant_db("zhengzhou"))
    before = len(daemon.stderr())
    with daemon.admin() as c:
        for name, says in (("", "名称不能为空"), (" \u3000 ", "名称不能为空"), ("郑州\n市", "换行"), ("郑" * 65, "64")):
            err = expect_error(c.request("tenant.rename", {"id": "zhengzhou", "name": name}), "invalid")
            assert err["message"].startswith("name: ") and says in err["message"], err
        expect_error(c.request("tenant.rename", {"id": "zhengzhou"}), "bad_request")
        expect_error(c.request("tenant.rename", {"id": "zhengzhou", "name": 5}), "bad_request")
        expect_error(c.request("tenant.rename", {"id": "kaifeng", "name": "开封市"}), "not_found")
        archived = expect_error(c.request("tenant.rename", {"id": "anyang", "name": "安阳"}), "not_found")
        assert "archived" in archived["message"], archived
        expect_error(c.request("tenant.rename", {"id": "../x", "name": "开封市"}), "invalid")
        assert c.call("ping") == {"pong": True}
    assert daemon.call("tenant.show", {"id": "zhengzhou"})["name"] == "郑州市" and tenant_api_name(daemon, "zhengzhou") == "郑州市"
    assert sqlite_snapshot(daemon.tenant_db("zhengzhou")) == snapshot
    lines = wait_for_log(daemon, before, lambda l: "admin command refused" in l and "tenant.id=anyang" in l)
    assert any("admin command refused" in l and "cmd=tenant.rename" in l and "code=invalid" in l for l in lines), lines


# --------------------------------------------------------------------------- reset password


def test_reset_password(daemon: Daemon) -> None:
    created = create_tenant(daemon, "zhengzhou", "4101")
    res = daemon.call("account.reset-password", {"tenant": "zhengzhou", "login": "4101"})
    assert res["tenant"] == "zhengzhou" and res["login"] == "4101"
    assert isinstance(res["password"], str) and len(res["password"]) >= 8
    assert res["password"] != created["admin_password"]
    res2 = daemon.call("account.reset-password", {"tenant": "zhengzhou", "login": "4101"})
    assert res2["password"] != res["password"]
    expect_error(daemon.request("account.reset-password", {"tenant": "zhengzhou", "login": "4199"}), "not_found")
    expect_error(daemon.request("account.reset-password", {"tenant": "kaifeng", "login": "4102"}), "not_found")


# --------------------------------------------------------------------------- backup


def test_backup(daemon: Daemon) -> None:
    create_tenant(daemon, "zhengzhou", "4101")
    res = daemon.call("tenant.backup", {"id": "zhengzhou"})
    path = assert_backup_file(res, "zhengzhou", daemon.data_dir / "backups")
    last = daemon.call("tenant.show", {"id": "zhengzhou"})["last_backup"]
    assert last is not None
    assert last["path"] == res["path"] and last["bytes"] == res["bytes"] and last["sha256"] == res["sha256"]
    assert last["at"] == res["at"]
    # a second backup does not overwrite the first one
    res2 = daemon.call("tenant.backup", {"id": "zhengzhou"})
    assert res2["path"] != res["path"]
    assert path.is_file() and sha256_file(path) == res["sha256"]
    assert_backup_file(res2, "zhengzhou", daemon.data_dir / "backups")
    assert daemon.call("tenant.show", {"id": "zhengzhou"})["last_backup"]["path"] == res2["path"]


def test_backup_dir_flag(daemon_factory, tmp_path: pathlib.Path) -> None:
    bdir = tmp_path / "elsewhere" / "bk"
    d: Daemon = daemon_factory(args=["--backup-dir", str(bdir)]).start()
    create_tenant(d, "zhengzhou", "4101")
    assert_backup_file(d.call("tenant.backup", {"id": "zhengzhou"}), "zhengzhou", bdir)


def test_backup_while_writing(daemon: Daemon) -> None:
    create_tenant(daemon, "busy", "4101")
    stop = threading.Event()
    done_ops = [0]
    errors: list[str] = []

    def writer() -> None:
        try:
            with daemon.admin() as c:
                i = 0
                while not stop.is_set():
                    c.call("account.reset-password", {"tenant": "busy", "login": "4101"})
                    if i % 4 == 0:
                        create_tenant(c, f"other-{i}", "4102")
                    i += 1
                    done_ops[0] = i
        except BaseException as exc:  # noqa: BLE001
            errors.append(repr(exc))

    t = threading.Thread(target=writer, daemon=True)
    t.start()
    try:
        wait_until(lambda: done_ops[0] >= 3 or errors, 60, "the writer to get going")
        paths = []
        for _ in range(5):
            res = daemon.call("tenant.backup", {"id": "busy"})
            paths.append(assert_backup_file(res, "busy", daemon.data_dir / "backups"))
        # a backup of another tenant under the same load
        assert_backup_file(daemon.call("tenant.backup", {"id": "other-0"}), "other-0", daemon.data_dir / "backups")
    finally:
        stop.set()
        t.join(timeout=60)
    assert not t.is_alive()
    assert not errors, errors
    assert len(set(paths)) == len(paths)
    assert_check_ok(daemon.call("tenant.check", {"id": "busy"}), "busy")


# --------------------------------------------------------------------------- restore


def test_restore_refused_while_active(daemon: Daemon) -> None:
    create_tenant(daemon, "zhengzhou", "4101")
    backup = daemon.call("tenant.backup", {"id": "zhengzhou"})
    with daemon.admin() as c:
        expect_error(c.request("tenant.restore", {"id": "zhengzhou", "path": backup["path"]}), "conflict")
        assert c.call("ping") == {"pong": True}
    assert daemon.call("tenant.show", {"id": "zhengzhou"})["state"] == "active"
    expect_error(daemon.request("tenant.restore", {"id": "kaifeng", "path": backup["path"]}), "not_found")


def _corrupt_files(backup_path: pathlib.Path, where: pathlib.Path) -> dict[str, pathlib.Path]:
    where.mkdir(parents=True, exist_ok=True)
    files = {}
    p = where / "garbage.sqlite"
    p.write_bytes(os.urandom(64 * 1024))
    files["random bytes"] = p
    p = where / "empty.sqlite"
    p.write_bytes(b"")
    files["empty"] = p
    p = where / "text.sqlite"
    p.write_text("this is not a database\n" * 100)
    files["text"] = p
    data = backup_path.read_bytes()
    page = int.from_bytes(data[16:18], "big")
    page = 65536 if page == 1 else page
    # keep the header page, smash every other page with garbage of the right length
    p = where / "smashed.sqlite"
    p.write_bytes(data[:page] + os.urandom(len(data) - page))
    files["valid header, garbage pages"] = p
    p = where / "truncated.sqlite"
    p.write_bytes(data[: max(page, (len(data) // page // 2) * page)] if len(data) > page else data[:100])
    files["truncated"] = p
    return files


def test_restore_corrupt_file_refused(daemon: Daemon) -> None:
    create_tenant(daemon, "zhengzhou", "4101")
    backup = daemon.call("tenant.backup", {"id": "zhengzhou"})
    backup_path = pathlib.Path(backup["path"])
    daemon.call("tenant.suspend", {"id": "zhengzhou"})
    show_before = daemon.call("tenant.show", {"id": "zhengzhou"})
    rows_before = sqlite_snapshot(daemon.tenant_db("zhengzhou"))
    files = _corrupt_files(backup_path, backup_path.parent)
    with daemon.admin() as c:
        for what, path in files.items():
            resp = c.request("tenant.restore", {"id": "zhengzhou", "path": str(path)})
            assert resp["ok"] is False and resp["error"]["code"] == "invalid", f"{what}: {resp}"
            # The file given, not the daemon's staged copy of it (tenant.sqlite.restoring).
            assert resp["error"]["message"].startswith(f"path: {path} "), f"{what}: {resp}"
            assert ".restoring" not in resp["error"]["message"], f"{what}: {resp}"
        resp = c.request("tenant.restore", {"id": "zhengzhou", "path": str(backup_path.parent / "missing.sqlite")})
        assert resp["ok"] is False and resp["error"]["code"] in ("invalid", "not_found"), resp
        assert c.call("ping") == {"pong": True}
    # the tenant is unchanged and intact
    show_after = daemon.call("tenant.show", {"id": "zhengzhou"})
    for k in ("id", "name", "division_code", "kind", "state", "orgs", "accounts", "applications", "schema_version"):
        assert show_after[k] == show_before[k], k
    rows_after = sqlite_snapshot(daemon.tenant_db("zhengzhou"))
    assert rows_after == rows_before, "a refused restore changed the tenant's rows"
    assert_check_ok(daemon.call("tenant.check", {"id": "zhengzhou"}), "zhengzhou")
    daemon.call("tenant.resume", {"id": "zhengzhou"})
    assert daemon.http_get("/t/zhengzhou/api/v1/tenant")[0] == 200


def test_restore_of_another_tenants_backup_is_refused_naming_the_file_given(daemon: Daemon, tmp_path: pathlib.Path) -> None:
    """A backup of luoyang given to zhengzhou's restore is refused naming the file the sysadmin
    gave (here through a symbolic link, as given), not the daemon's staged copy of it
    (`…/tenants/zhengzhou/tenant.sqlite.restoring`, which the message named before)."""
    create_tenant(daemon, "zhengzhou", "4101", "郑州市")
    create_tenant(daemon, "luoyang", "4103", "洛阳市")
    other = daemon.call("tenant.backup", {"id": "luoyang"})["path"]
    link = tmp_path / "zhengzhou-latest.sqlite"
    link.symlink_to(other)
    daemon.call("tenant.suspend", {"id": "zhengzhou"})
    for given in (other, str(link)):
        err = expect_error(daemon.request("tenant.restore", {"id": "zhengzhou", "path": given}), "invalid")
        assert err["message"] == f"path: {given} is a backup of tenant luoyang, not of zhengzhou", err
    assert not pathlib.Path(str(daemon.tenant_db("zhengzhou")) + ".restoring").exists()


def _backed_up_changed_and_suspended(d: Daemon) -> tuple[dict, dict, dict]:
    """zhengzhou backed up, changed after the backup, suspended: the backup, its rows and the
    rows of the database a restore would replace."""
    create_tenant(d, "zhengzhou", "4101", "郑州市")
    backup = d.call("tenant.backup", {"id": "zhengzhou"})
    backup_rows = sqlite_snapshot(backup["path"])
    d.call("account.reset-password", {"tenant": "zhengzhou", "login": "4101"})
    d.call("tenant.suspend", {"id": "zhengzhou"})
    return backup, backup_rows, sqlite_snapshot(d.tenant_db("zhengzhou"))


def _kept_before_restore(d: Daemon) -> list[pathlib.Path]:
    """The databases restores replaced, kept beside zhengzhou's backups."""
    return [p for p in (d.data_dir / "backups" / "zhengzhou").iterdir() if "-pre-restore-" in p.name]


def test_restore_success(daemon: Daemon) -> None:
    backup, backup_rows, pre_rows = _backed_up_changed_and_suspended(daemon)
    changed = {t: rows - backup_rows.get(t, set()) for t, rows in pre_rows.items()}
    changed = {t: rows for t, rows in changed.items() if rows}
    assert changed, "reset-password after the backup changed no row in the tenant database"

    res = daemon.call("tenant.restore", {"id": "zhengzhou", "path": backup["path"]})
    assert res["id"] == "zhengzhou"
    assert os.path.realpath(res["restored_from"]) == os.path.realpath(backup["path"])
    assert res["bytes"] == backup["bytes"] and res["sha256"] == backup["sha256"]
    # the backup file itself is left alone
    assert sha256_file(backup["path"]) == backup["sha256"]

    assert daemon.call("tenant.show", {"id": "zhengzhou"})["state"] == "suspended"
    assert daemon.call("tenant.resume", {"id": "zhengzhou"})["state"] == "active"
    assert_check_ok(daemon.call("tenant.check", {"id": "zhengzhou"}), "zhengzhou")
    post_rows = sqlite_snapshot(daemon.tenant_db("zhengzhou"))
    for table, rows in changed.items():
        survivors = rows & post_rows.get(table, set())
        assert not survivors, f"rows written after the backup survived the restore in {table}: {survivors}"
    show = daemon.call("tenant.show", {"id": "zhengzhou"})
    assert show["name"] == "郑州市" and show["state"] == "active"
    assert daemon.http_get("/t/zhengzhou/api/v1/tenant")[0] == 200
    # the restored database keeps the sandbox's file mode
    assert stat.S_IMODE(os.stat(daemon.tenant_db("zhengzhou")).st_mode) == 0o600
    # and the restored tenant takes writes again
    assert daemon.call("account.reset-password", {"tenant": "zhengzhou", "login": "4101"})["password"]
    # the database it replaced is kept beside the backups, whole in one file
    kept = _kept_before_restore(daemon)
    assert len(kept) == 1 and kept[0].suffix == ".sqlite", kept
    assert sqlite_integrity(kept[0]) == ["ok"] and sqlite_snapshot(kept[0]) == pre_rows


def _append_unfiled_audit_row(db: pathlib.Path, at: float, actor: str, action: str, target: str, detail: str, source: str) -> None:
    """An audit row filed under no org (`org_id` NULL), as versions before the tenant's rows were
    filed under its root office wrote them, chained as the daemon chains (`AuditEntry.hash`)."""
    con = sqlite3.connect(db, timeout=10)
    try:
        with con:
            seq, previous = con.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
            seq += 1
            text = previous
            for field in (str(seq), str(struct.unpack("<Q", struct.pack("<d", at))[0]), actor, "-", action, target, detail, source):
                text += f"|{len(field.encode())}:{field}"
            con.execute("INSERT INTO audit (seq, at, actor, org_id, action, target, detail, source, prev_hash, hash) VALUES (?,?,?,NULL,?,?,?,?,?,?)",
                        (seq, at, actor, action, target, detail, source, previous, hashlib.sha256(text.encode()).hexdigest()))
    finally:
        con.close()


def test_the_root_office_log_shows_what_was_done_to_the_tenant(daemon: Daemon) -> None:
    """Suspend, resume, backup and restore through the admin socket are filed under the tenant's
    root office, as configure and rename are: its 操作日志 (GET audit, and the page with their
    Chinese names) shows that its data was restored; a unit below it does not see them. A row an
    earlier version filed under no org is in the root office's log too."""
    info = create_tenant(daemon, "zhengzhou", "4101", "郑州市")
    api = Api(daemon.http_port, "zhengzhou")
    office = api.first_login(info["admin_login"], info["admin_password"])
    unit_org, unit_admin = create_child(office, 1, "逸夫小学", "unit")
    unit = approve_unit(api, office, unit_org["id"], unit_admin["login"], unit_admin["password"])
    daemon.call("tenant.suspend", {"id": "zhengzhou"})
    daemon.call("tenant.resume", {"id": "zhengzhou"})
    backup = daemon.call("tenant.backup", {"id": "zhengzhou"})
    daemon.call("tenant.suspend", {"id": "zhengzhou"})
    daemon.call("tenant.restore", {"id": "zhengzhou", "path": backup["path"]})
    _append_unfiled_audit_row(daemon.tenant_db("zhengzhou"), time.time(), "admin:uid=0", "tenant.backup", "tenant:zhengzhou",
                              '{"path":"/var/backups/zhengzhou-old.sqlite","sha256":"00"}', "admin-socket")
    daemon.call("tenant.resume", {"id": "zhengzhou"})
    daemon.call("tenant.backup", {"id": "zhengzhou"})
    assert_check_ok(daemon.call("tenant.check", {"id": "zhengzhou"}), "zhengzhou")

    # The restore voided every session: signed in again. The backup's own row is not in the
    # backup (it is written once the copy is made), and the rows after it were replaced.
    office = api.sign_in(info["admin_login"], office.password)
    entries = expect(office.get("audit"), 200).json["entries"]
    tenant_rows = [(e["action"], e.get("org_id")) for e in entries if e["action"].startswith("tenant.")]
    assert tenant_rows == [("tenant.backup", 1), ("tenant.resume", 1), ("tenant.backup", None), ("tenant.restore", 1),
                           ("tenant.resume", 1), ("tenant.suspend", 1), ("tenant.create", 1)], tenant_rows
    # The same a row at a time (`before`), read org by org through the index (a few orgs) …
    def one_by_one() -> list[dict]:
        seen, before = [], None
        while True:
            page = expect(office.get("audit?limit=1" + (f"&before={before}" if before else "")), 200).json["entries"]
            if not page:
                return seen
            seen += page
            before = page[-1]["seq"]

    assert [e["seq"] for e in one_by_one()] == [e["seq"] for e in entries], "paged alike"
    # … and from the log's newest row down (an office with more orgs than the index is read for).
    for i in range(65):
        create_child(office, 1, f"单位{i}", "unit")
    many = expect(office.get("audit?limit=500"), 200).json["entries"]
    assert [(e["action"], e.get("org_id")) for e in many if e["action"].startswith("tenant.")] == tenant_rows
    assert [e["seq"] for e in one_by_one()] == [e["seq"] for e in many]
    # The page names each in Chinese, with its details.
    html = api.raw("GET", "/t/zhengzhou/audit", headers={"Cookie": f"zc_session={office.cookie}"}).body.decode()
    rows = re.findall(r"<tr><td>[^<]*</td><td>([^<]*)</td><td class=\"action\" title=\"(tenant\.[a-z.-]+)\">([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td>",
                      html)
    rows = [(actor, label, code, target, detail) for actor, code, label, target, detail in rows]
    assert [(label, code) for _, label, code, _, _ in rows] == [
        ("备份", "tenant.backup"), ("恢复服务", "tenant.resume"), ("备份", "tenant.backup"), ("从备份恢复", "tenant.restore"),
        ("恢复服务", "tenant.resume"), ("暂停服务", "tenant.suspend"), ("开通系统", "tenant.create")], rows
    restored = next(r for r in rows if r[2] == "tenant.restore")
    assert restored[0].startswith("系统管理员") and restored[3] == "系统 zhengzhou", restored
    assert "恢复标识：" in restored[4] and "SHA-256：" + backup["sha256"] in restored[4] and "restore" not in restored[4], restored
    # A unit below the office sees none of them.
    unit = api.sign_in(unit_admin["login"], unit.password)
    assert [e["action"] for e in expect(unit.get("audit"), 200).json["entries"] if e["action"].startswith("tenant.")] == []


def test_restore_while_another_process_has_the_database_open_is_refused_and_changes_nothing(daemon: Daemon) -> None:
    """An operator's sqlite3 shell left open on the tenant's file holds SQLite's shared lock:
    the current file cannot be kept whole, so the restore is refused with a clear message,
    and goes once the shell is closed."""
    backup, _, pre_rows = _backed_up_changed_and_suspended(daemon)
    shell = sqlite3.connect(f"file:{daemon.tenant_db('zhengzhou')}?mode=ro", uri=True)
    try:
        shell.execute("SELECT count(*) FROM accounts").fetchall()
        err = expect_error(daemon.request("tenant.restore", {"id": "zhengzhou", "path": backup["path"]}), "unavailable")
        assert "another process" in err["message"], err
    finally:
        shell.close()
    assert sqlite_snapshot(daemon.tenant_db("zhengzhou")) == pre_rows
    assert _kept_before_restore(daemon) == []
    assert not pathlib.Path(str(daemon.tenant_db("zhengzhou")) + ".restoring").exists()
    assert daemon.call("tenant.restore", {"id": "zhengzhou", "path": backup["path"]})["sha256"] == backup["sha256"]
    assert len(_kept_before_restore(daemon)) == 1


@pytest.mark.parametrize("point", ["tenant.restore.kept", "tenant.restore.swapped"])
def test_a_restore_cut_off_by_a_crash_leaves_one_whole_database(daemon_factory, point: str) -> None:
    """Killed after the current file was kept but before the backup took its place, the
    tenant has its current data; killed after, the backup's. Never no file, never a WAL of
    one paired with the other; and the restore can simply be run again."""
    d: Daemon = daemon_factory(env=clean_env(ZHICHENG_CRASH_AT=point)).start()
    backup, backup_rows, pre_rows = _backed_up_changed_and_suspended(d)
    assert pre_rows != backup_rows
    with pytest.raises(EOFError):
        d.call("tenant.restore", {"id": "zhengzhou", "path": backup["path"]})
    assert d.wait_exit(timeout=60) == 86, d.output()[-2000:]

    d.env = clean_env()
    d.start()
    assert d.call("tenant.show", {"id": "zhengzhou"})["state"] == "suspended"
    # Settled at start, before serving: the audit says what happened and who asked.
    rows = sqlite_snapshot(d.tenant_db("zhengzhou"))
    expected = dict(pre_rows if point == "tenant.restore.kept" else backup_rows)
    audit, expected_audit = sorted(rows.pop("audit")), sorted(expected.pop("audit"))
    marks = lambda meta: {m for m in meta if m[0] != "restore_token"}  # noqa: E731 (the restore's own mark)
    assert marks(rows.pop("tenant_meta")) == marks(expected.pop("tenant_meta"))
    assert audit[:-1] == expected_audit and rows == expected
    actor, action, detail = audit[-1][2], audit[-1][4], json.loads(audit[-1][6])
    assert actor.startswith("admin:") and detail["from"] == backup["path"]
    if point == "tenant.restore.kept":
        assert action == "tenant.restore.cut-off" and not pathlib.Path(str(d.tenant_db("zhengzhou")) + ".restoring").exists()
    else:
        assert action == "tenant.restore" and detail["finished_after_stop"] is True
    assert_check_ok(d.call("tenant.check", {"id": "zhengzhou"}), "zhengzhou")
    kept = _kept_before_restore(d)
    assert len(kept) == 1 and sqlite_snapshot(kept[0]) == pre_rows, kept

    assert d.call("tenant.restore", {"id": "zhengzhou", "path": backup["path"]})["sha256"] == backup["sha256"]
    assert d.call("tenant.resume", {"id": "zhengzhou"})["state"] == "active"
    assert_check_ok(d.call("tenant.check", {"id": "zhengzhou"}), "zhengzhou")
    assert d.http_get("/t/zhengzhou/api/v1/tenant")[0] == 200


def test_a_restore_whose_follow_up_failed_is_finished_by_the_next_restore(daemon_factory) -> None:
    """The backup is in place but the restore's follow-up fails (its audit row cannot be written:
    ZHICHENG_FAIL_AT, once). The error says so; the tenant has the backup's data; and the next
    restore of the tenant, with no restart, first finishes the one left (its audit row, marked
    finished_before_next_restore), then runs. Before, it was refused until the daemon restarted."""
    d: Daemon = daemon_factory(env=clean_env(ZHICHENG_FAIL_AT="tenant.restore.follow-up")).start()
    backup, backup_rows, _ = _backed_up_changed_and_suspended(d)
    err = expect_error(d.request("tenant.restore", {"id": "zhengzhou", "path": backup["path"]}), "internal")
    assert "next restore of this tenant" in err["message"], err
    marks = lambda meta: {m for m in meta if m[0] != "restore_token"}  # noqa: E731 (the restore's own mark)
    rows = sqlite_snapshot(d.tenant_db("zhengzhou"))
    assert rows["audit"] == backup_rows["audit"] and marks(rows["tenant_meta"]) == marks(backup_rows["tenant_meta"])

    assert d.call("tenant.restore", {"id": "zhengzhou", "path": backup["path"]})["sha256"] == backup["sha256"]
    actions = [(r[4], json.loads(r[6])) for r in sorted(sqlite_snapshot(d.tenant_db("zhengzhou"))["audit"])][len(backup_rows["audit"]):]
    assert [a for a, _ in actions] == ["tenant.restore"] and actions[0][1]["from"] == backup["path"], actions
    assert "an unfinished restore had put the backup in place; finishing it" in d.output()
    # The finished follow-up's row is in the database the second restore replaced (kept).
    settled = [json.loads(r[6]) for k in _kept_before_restore(d) for r in sqlite_snapshot(k)["audit"] if r[4] == "tenant.restore"]
    assert [x.get("finished_before_next_restore") for x in settled] == [True], settled
    assert d.call("tenant.resume", {"id": "zhengzhou"})["state"] == "active"
    assert_check_ok(d.call("tenant.check", {"id": "zhengzhou"}), "zhengzhou")
    # Nothing is left under way: a third restore begins at once.
    d.call("tenant.suspend", {"id": "zhengzhou"})
    assert d.call("tenant.restore", {"id": "zhengzhou", "path": backup["path"]})["sha256"] == backup["sha256"]


def test_a_restore_whose_follow_up_failed_is_shown_and_finished_before_the_tenant_is_resumed(daemon_factory) -> None:
    """Its follow-up owed (the other tenants' messages since the backup: the province's answers),
    the restore is in `tenant show`, and a resume finishes it first (audited
    finished_before_resume): a city resumed without it missed those answers until a restart."""
    d: Daemon = daemon_factory(env=clean_env(ZHICHENG_FAIL_AT="tenant.restore.follow-up")).start()
    backup, backup_rows, _ = _backed_up_changed_and_suspended(d)
    expect_error(d.request("tenant.restore", {"id": "zhengzhou", "path": backup["path"]}), "internal")
    owed = d.call("tenant.show", {"id": "zhengzhou"})["restore"]
    assert owed["from"] == backup["path"] and owed["by"].startswith("admin:") and owed["since"], owed
    assert d.call("tenant.resume", {"id": "zhengzhou"})["state"] == "active"
    actions = [json.loads(r[6]) for r in sorted(sqlite_snapshot(d.tenant_db("zhengzhou"))["audit"]) if r[4] == "tenant.restore"]
    assert [a.get("finished_before_resume") for a in actions][-1:] == [True], actions
    assert d.call("tenant.show", {"id": "zhengzhou"})["restore"] is None


# --------------------------------------------------------------------------- check


def test_check(daemon: Daemon) -> None:
    create_tenant(daemon, "zhengzhou", "4101")
    for _ in range(3):
        daemon.call("account.reset-password", {"tenant": "zhengzhou", "login": "4101"})
    assert_check_ok(daemon.call("tenant.check", {"id": "zhengzhou"}), "zhengzhou")
    # The indexes that hold a province's growing reads (schema v21) are in the tenant's file.
    indexes = {name for (name,) in db_rows(daemon.tenant_db("zhengzhou"), "SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"received_kind", "received_kind_state", "sessions_expiry", "applications_at_committee",
            "applications_province_notice", "evaluations_notice"} <= indexes, sorted(indexes)


def test_a_check_holds_none_of_the_tenants_readers(daemon_factory, tmp_path) -> None:
    """tenant.check reads the whole file (hours on a large city): through a connection of its
    own, so that the tenant's pages, read by its two readers in turn, go on meanwhile."""
    hold = tmp_path / "hold-check"
    d = daemon_factory(env=clean_env(ZHICHENG_PAUSE_AT=f"check.reading:{hold}")).start()
    info = create_tenant(d, "zhengzhou", "4101", "郑州市")
    api = Api(d.http_port, "zhengzhou")
    admin = api.first_login(info["admin_login"], info["admin_password"])
    worker, out = held(hold, lambda: d.call("tenant.check", {"id": "zhengzhou"}))
    try:
        for _ in range(6):   # each reader several times over
            expect(admin.get("orgs/1/children"), 200)
            expect(admin.get("audit?limit=5"), 200)
    finally:
        hold.unlink()
        worker.join(timeout=30)
    assert out, "the check answered once let go"
    assert_check_ok(out[0], "zhengzhou")


# --------------------------------------------------------------------------- archive


def test_archive(daemon: Daemon) -> None:
    create_tenant(daemon, "zhengzhou", "4101", "郑州市")
    create_tenant(daemon, "luoyang", "4103", "洛阳市")
    tdir = daemon.data_dir / "tenants" / "zhengzhou"
    digest_rows = sqlite_snapshot(tdir / "tenant.sqlite")

    with daemon.admin() as c:
        expect_error(c.request("tenant.archive", {"id": "zhengzhou", "confirm": "luoyang"}), "invalid")
        expect_error(c.request("tenant.archive", {"id": "zhengzhou", "confirm": ""}), "invalid")
        expect_error(c.request("tenant.archive", {"id": "zhengzhou"}), "bad_request")
        expect_error(c.request("tenant.archive", {"id": "kaifeng", "confirm": "kaifeng"}), "not_found")
        assert c.call("ping") == {"pong": True}
    assert tdir.is_dir()
    assert daemon.call("tenant.show", {"id": "zhengzhou"})["state"] == "active"

    res = daemon.call("tenant.archive", {"id": "zhengzhou", "confirm": "zhengzhou"})
    assert res["id"] == "zhengzhou"
    archived = pathlib.Path(res["archived_to"])
    # The archived database records who archived it, once.
    assert [a for (a,) in db_rows(archived / "tenant.sqlite", "SELECT action FROM audit WHERE action = 'tenant.archive'")] == ["tenant.archive"]
    assert archived.resolve().is_relative_to((daemon.data_dir / "archive").resolve()), archived
    assert archived.is_dir()
    assert not tdir.exists(), "tenant dir still in service after archive"
    dbs = list(archived.rglob("tenant.sqlite"))
    assert len(dbs) == 1, f"archived dir should hold the tenant database: {list(archived.rglob('*'))}"
    assert sqlite_integrity(dbs[0]) == ["ok"]
    archived_rows = sqlite_snapshot(dbs[0])
    for table, rows in digest_rows.items():
        assert rows <= archived_rows.get(table, set()), f"archived database lost rows of {table}"

    expect_error(daemon.request("tenant.show", {"id": "zhengzhou"}), "not_found")
    assert [t["id"] for t in daemon.call("tenant.list")["tenants"]] == ["luoyang"]
    assert daemon.http_get("/t/zhengzhou/api/v1/tenant")[0] == 404
    assert daemon.call("status")["tenants"]["total"] == 1

    # the id can be used again; archiving again never overwrites the first archive
    again = create_tenant(daemon, "zhengzhou", "4101", "郑州市")
    assert again["state"] == "active" and again["admin_login"] == "4101"
    res2 = daemon.call("tenant.archive", {"id": "zhengzhou", "confirm": "zhengzhou"})
    assert res2["archived_to"] != res["archived_to"]
    assert archived.is_dir() and pathlib.Path(res2["archived_to"]).is_dir()
    assert_check_ok(daemon.call("tenant.check", {"id": "luoyang"}), "luoyang")


def test_an_archive_refused_while_the_tenant_is_in_use_records_nothing(daemon_factory, tmp_path) -> None:
    """tenant.archive waits up to 10 s for the tenant's work to end; a check holding it longer
    makes it answer `unavailable` with the tenant still active, and its audit log has no row
    saying it was archived (before, each refused try wrote one)."""
    hold = tmp_path / "hold-check"
    d = daemon_factory(env=clean_env(ZHICHENG_PAUSE_AT=f"check.reading:{hold}")).start()
    create_tenant(d, "kaifeng", "4102", "开封市")
    worker, out = held(hold, lambda: d.call("tenant.check", {"id": "kaifeng"}))
    try:
        err = expect_error(d.request("tenant.archive", {"id": "kaifeng", "confirm": "kaifeng"}), "unavailable")
        assert "still in use" in err["message"], err
    finally:
        hold.unlink()
        worker.join(timeout=30)
    assert out, "the check answered once let go"
    assert d.call("tenant.show", {"id": "kaifeng"})["state"] == "active"
    assert db_rows(d.tenant_db("kaifeng"), "SELECT count(*) FROM audit WHERE action = 'tenant.archive'") == [(0,)]
    archived = pathlib.Path(d.call("tenant.archive", {"id": "kaifeng", "confirm": "kaifeng"})["archived_to"])
    rows = db_rows(archived / "tenant.sqlite", "SELECT actor FROM audit WHERE action = 'tenant.archive'")
    assert len(rows) == 1 and rows[0][0].startswith("admin:uid="), rows


def test_archive_suspended_tenant_and_dir_flag(daemon_factory, tmp_path: pathlib.Path) -> None:
    adir = tmp_path / "cold" / "storage"
    d: Daemon = daemon_factory(args=["--archive-dir", str(adir)]).start()
    create_tenant(d, "zhengzhou", "4101")
    d.call("tenant.suspend", {"id": "zhengzhou"})
    res = d.call("tenant.archive", {"id": "zhengzhou", "confirm": "zhengzhou"})
    assert pathlib.Path(res["archived_to"]).resolve().is_relative_to(adir.resolve())
    assert pathlib.Path(res["archived_to"]).is_dir()
    assert tenant_dirs(d.data_dir) == []


def test_an_archive_dir_on_another_file_system_is_refused_and_moves_nothing(daemon_factory, tmp_path: pathlib.Path) -> None:
    """An archive is a rename: across file systems the move would be a copy, then a delete, and
    a power cut after the delete could lose the tenant. An archive dir on another file system
    than the data dir is refused, saying why, and the tenant stays in service as it was."""
    shm = pathlib.Path("/dev/shm")
    assert shm.is_dir() and shm.stat().st_dev != tmp_path.stat().st_dev, "needs /dev/shm on a file system of its own"
    adir = pathlib.Path(tempfile.mkdtemp(prefix="zc-archive-", dir=shm))
    try:
        d: Daemon = daemon_factory(args=["--archive-dir", str(adir)]).start()
        create_tenant(d, "zhengzhou", "4101")
        d.call("tenant.suspend", {"id": "zhengzhou"})
        before = sqlite_snapshot(d.tenant_db("zhengzhou"))
        err = expect_error(d.request("tenant.archive", {"id": "zhengzhou", "confirm": "zhengzhou"}), "unavailable")
        assert "same file system" in err["message"], err
        assert sqlite_snapshot(d.tenant_db("zhengzhou")) == before, "not even an audit row"
        assert list(adir.iterdir()) == []
        assert tenant_dirs(d.data_dir) == ["zhengzhou"]
        assert d.call("tenant.show", {"id": "zhengzhou"})["state"] == "suspended"
        assert d.call("tenant.resume", {"id": "zhengzhou"})["state"] == "active"
        assert_check_ok(d.call("tenant.check", {"id": "zhengzhou"}), "zhengzhou")
        # A start finding an unregistered directory it cannot move there (a create cut off)
        # leaves it where it is and starts all the same.
        d.terminate()
        (d.data_dir / "tenants" / "stray").mkdir()
        d.start()
        assert d.call("ping") == {"pong": True} and (d.data_dir / "tenants" / "stray").is_dir()
        assert "it stays where it is" in d.output(), d.output()[-2000:]
    finally:
        shutil.rmtree(adir, ignore_errors=True)


def test_an_archive_cut_off_by_a_crash_is_finished_at_the_next_start(daemon_factory) -> None:
    """The registry records where the files go before they move. Killed in between, the
    daemon finishes the archive when it starts again: the tenant is gone from service, its
    files are whole where the registry says, and the id can be created again."""
    d: Daemon = daemon_factory(env=clean_env(ZHICHENG_CRASH_AT="tenant.archive.unregistered")).start()
    create_tenant(d, "zhengzhou", "4101", "郑州市")
    create_tenant(d, "luoyang", "4103", "洛阳市")
    before = sqlite_snapshot(d.tenant_db("zhengzhou"))
    with pytest.raises(EOFError):
        d.call("tenant.archive", {"id": "zhengzhou", "confirm": "zhengzhou"})
    assert d.wait_exit(timeout=60) == 86, d.output()[-2000:]
    assert d.tenant_db("zhengzhou").exists(), "killed before the move"

    d.env = clean_env()
    d.start()
    assert [t["id"] for t in d.call("tenant.list")["tenants"]] == ["luoyang"]
    assert tenant_dirs(d.data_dir) == ["luoyang"]
    archived = [p for p in (d.data_dir / "archive").iterdir()]
    assert [p.name.startswith("zhengzhou-") for p in archived] == [True], archived
    assert sqlite_integrity(archived[0] / "tenant.sqlite") == ["ok"]
    after = sqlite_snapshot(archived[0] / "tenant.sqlite")
    assert [row[4] for row in after.pop("audit") - before.pop("audit")] == ["tenant.archive"]
    assert after == before, "every row as it was"
    assert "finished an archive interrupted by a stop" in d.output()
    create_tenant(d, "zhengzhou", "4101", "郑州市")
    assert d.call("tenant.show", {"id": "zhengzhou"})["state"] == "active"


# --------------------------------------------------------------------------- whole lifecycle in one go


def test_full_lifecycle(daemon: Daemon) -> None:
    bdir = daemon.data_dir / "backups"
    c = create_tenant(daemon, "kaifeng", "410200", "开封市")
    assert c["admin_login"] == "4102"
    assert daemon.call("tenant.show", {"id": "kaifeng"})["state"] == "active"
    pw = daemon.call("account.reset-password", {"tenant": "kaifeng", "login": "4102"})["password"]
    assert pw
    b = daemon.call("tenant.backup", {"id": "kaifeng"})
    assert_backup_file(b, "kaifeng", bdir)
    assert_check_ok(daemon.call("tenant.check", {"id": "kaifeng"}), "kaifeng")
    daemon.call("tenant.suspend", {"id": "kaifeng"})
    r = daemon.call("tenant.restore", {"id": "kaifeng", "path": b["path"]})
    assert r["sha256"] == b["sha256"]
    daemon.call("tenant.resume", {"id": "kaifeng"})
    assert_check_ok(daemon.call("tenant.check", {"id": "kaifeng"}), "kaifeng")
    a = daemon.call("tenant.archive", {"id": "kaifeng", "confirm": "kaifeng"})
    assert pathlib.Path(a["archived_to"]).is_dir()
    assert daemon.call("tenant.list") == {"tenants": []}
    # the backup survives archiving
    assert sha256_file(b["path"]) == b["sha256"]


# --------------------------------------------------------------------------- files and limits


def test_tenant_file_modes(daemon: Daemon) -> None:
    create_tenant(daemon, "zhengzhou", "4101")
    daemon.call("account.reset-password", {"tenant": "zhengzhou", "login": "4101"})
    tdir = daemon.data_dir / "tenants" / "zhengzhou"
    db = tdir / "tenant.sqlite"
    assert stat.S_IMODE(os.stat(db).st_mode) == 0o600
    for suffix in ("-wal", "-shm"):
        side = pathlib.Path(str(db) + suffix)
        if side.exists():
            assert stat.S_IMODE(os.stat(side).st_mode) == 0o600, side
    # no file in the tenant dir is readable by others (SPEC §3: files mode 0600)
    for p in tdir.rglob("*"):
        if p.is_file():
            assert stat.S_IMODE(os.stat(p).st_mode) & 0o077 == 0, f"{p} is accessible to group/others"
    # the database is in WAL mode
    with open(db, "rb") as f:
        header = f.read(20)
    assert header[18] == 2 and header[19] == 2, "tenant.sqlite is not in WAL mode"


def shm_lock_holder(shm: pathlib.Path) -> tuple[int, int]:
    """Who holds a lock on the wal-index's DMS byte (SQLite's unix VFS: byte 128 of the
    `-shm` file), as another process sees it: (lock type, pid)."""
    fd = os.open(shm, os.O_RDWR)
    try:
        query = struct.pack("hhxxxxqqixxxx", fcntl.F_WRLCK, os.SEEK_SET, 128, 1, 0)
        l_type, _, _, _, pid = struct.unpack("hhxxxxqqixxxx", fcntl.fcntl(fd, fcntl.F_GETLK, query))
        return l_type, pid
    finally:
        os.close(fd)


def test_an_open_tenant_keeps_sqlites_lock_on_its_wal_index(daemon: Daemon) -> None:
    """While the daemon has a tenant open, SQLite's shared lock on the wal-index must hold:
    without it, the next process to open the database (an operator's `sqlite3`, even
    read-only) believes itself the first, truncates the wal-index under the daemon's
    mapping, and the daemon dies of SIGBUS. The session cache's change counter maps the
    same file; closing its own descriptor used to drop the lock for the whole process."""
    create_tenant(daemon, "zhengzhou", "4101", "郑州市")
    daemon.call("account.reset-password", {"tenant": "zhengzhou", "login": "4101"})   # opens the tenant
    db = daemon.data_dir / "tenants" / "zhengzhou" / "tenant.sqlite"
    shm = pathlib.Path(str(db) + "-shm")
    l_type, pid = shm_lock_holder(shm)
    assert (l_type, pid) == (fcntl.F_RDLCK, daemon.pid), "the daemon holds no lock on the wal-index"
    # Another process reads the database meanwhile; the daemon keeps writing and serving.
    size = shm.stat().st_size
    for n in range(20):
        assert db_rows(db, "SELECT count(*) FROM accounts") == [(1,)]
        daemon.call("account.reset-password", {"tenant": "zhengzhou", "login": "4101"})
        assert shm.stat().st_size >= size, "the wal-index was truncated"
    assert daemon.http_get("/t/zhengzhou/api/v1/tenant")[0] == 200
    assert daemon.call("tenant.check", {"id": "zhengzhou"})["ok"] is True


def test_max_open_tenants(daemon_factory) -> None:
    d: Daemon = daemon_factory(config='[limits]\nmax_open_tenants = 2\n').start()
    codes = list(CITY_CODES)[:6]
    for n, code in enumerate(codes):
        create_tenant(d, f"city-{n}", code)
    for n in range(len(codes)):
        assert_check_ok(d.call("tenant.check", {"id": f"city-{n}"}), f"city-{n}")
        d.call("account.reset-password", {"tenant": f"city-{n}", "login": codes[n]})
        st = d.call("status")["tenants"]
        assert st["total"] == len(codes)
        assert st["open"] <= 2, st
    rows = d.call("tenant.list")["tenants"]
    assert len(rows) == len(codes) and all(r["orgs"] >= 1 for r in rows)
    assert d.call("status")["tenants"]["open"] <= 2


def test_idle_tenants_are_closed(daemon_factory) -> None:
    d: Daemon = daemon_factory(config='[limits]\ntenant_idle_seconds = 1\n').start()
    create_tenant(d, "zhengzhou", "4101")
    d.call("tenant.check", {"id": "zhengzhou"})
    wait_until(lambda: d.call("status")["tenants"]["open"] == 0, 30, "the idle tenant to be closed")
    # and it opens again on demand
    assert_check_ok(d.call("tenant.check", {"id": "zhengzhou"}), "zhengzhou")


def test_a_second_province_tenant_is_refused(daemon: Daemon) -> None:
    """An installation serves one province (SPEC §2), and every city hands its senior
    applications to it: a second province tenant is refused and leaves nothing behind."""
    create_tenant(daemon, "province", "41", "河南省", kind="province")
    before = {t["id"] for t in daemon.call("tenant.list")["tenants"]}
    resp = daemon.request("tenant.create", {"id": "henan", "name": "河南省", "division_code": "41", "kind": "province"})
    expect_error(resp, "conflict")
    assert "province" in resp["error"]["message"], resp
    assert {t["id"] for t in daemon.call("tenant.list")["tenants"]} == before
    assert not (daemon.data_dir / "tenants" / "henan").exists()
    assert not [p for p in (daemon.data_dir / "tenants").iterdir() if p.name.startswith(".creating-")]
    # The id is free for a city.
    create_tenant(daemon, "henan", "4101", "郑州市")


# --------------------------------------------------------------------------- what a restore takes, and a tenant that cannot open


def test_a_restore_takes_only_a_regular_backup_file_of_this_very_tenant(daemon: Daemon, tmp_path: pathlib.Path) -> None:
    """A link is followed and the file it names copied (never the link moved into place); a
    link to the live database, a FIFO (which would block the store's file lane) and a backup of
    an earlier tenant under the same id are refused, and the daemon goes on serving."""
    create_tenant(daemon, "xuchang", "4110", "许昌市")
    old = daemon.call("tenant.backup", {"id": "xuchang"})["path"]
    daemon.call("tenant.archive", {"id": "xuchang", "confirm": "xuchang"})
    create_tenant(daemon, "xuchang", "4111", "漯河市")
    backup = daemon.call("tenant.backup", {"id": "xuchang"})["path"]
    daemon.call("tenant.suspend", {"id": "xuchang"})
    live = daemon.tenant_db("xuchang")
    fifo = tmp_path / "fifo.sqlite"
    os.mkfifo(fifo)
    to_live = tmp_path / "live.sqlite"
    to_live.symlink_to(live)
    with daemon.admin() as c:
        for path, says in ((fifo, "not a regular file"), (to_live, "live database"), (old, "earlier tenant")):
            resp = c.request("tenant.restore", {"id": "xuchang", "path": str(path)})
            assert resp["ok"] is False and resp["error"]["code"] == "invalid" and says in resp["error"]["message"], (path, resp)
        assert c.call("ping") == {"pong": True}
    # The file lane is free: another tenant backs up at once.
    create_tenant(daemon, "zhoukou", "4116", "周口市")
    assert daemon.call("tenant.backup", {"id": "zhoukou"})["bytes"] > 0
    link = tmp_path / "latest.sqlite"
    link.symlink_to(backup)
    assert daemon.call("tenant.restore", {"id": "xuchang", "path": str(link)})["sha256"] == sha256_file(backup)
    assert live.is_file() and not live.is_symlink()
    daemon.call("tenant.resume", {"id": "xuchang"})
    assert_check_ok(daemon.call("tenant.check", {"id": "xuchang"}), "xuchang")


def test_a_backup_of_an_earlier_tenant_of_the_same_id_division_and_kind_needs_force(daemon_factory, zhichengctl_bin: str) -> None:
    """许昌市 is archived and created again under its id, division and kind: its earlier backup
    passes every check of the file, but its database was made as another tenant (v31's
    `tenant_meta.incarnation`), so a restore from it is refused, saying so and how to do it all
    the same, and changes nothing; `force` (zhichengctl `--force`) restores it. The new tenant's
    own backups restore as always, and a bad `force` is a bad request."""
    d = daemon_factory().start()
    create_tenant(d, "xuchang", "4110", "许昌市")
    earlier_admin = d.call("account.reset-password", {"tenant": "xuchang", "login": "4110"})["password"]
    old = d.call("tenant.backup", {"id": "xuchang"})["path"]
    d.call("tenant.archive", {"id": "xuchang", "confirm": "xuchang"})
    create_tenant(d, "xuchang", "4110", "许昌市")
    own = d.call("tenant.backup", {"id": "xuchang"})
    d.call("tenant.suspend", {"id": "xuchang"})
    live = d.tenant_db("xuchang")
    before = sqlite_snapshot(live)
    with d.admin() as c:
        resp = c.request("tenant.restore", {"id": "xuchang", "path": old})
        assert resp["ok"] is False and resp["error"]["code"] == "invalid", resp
        message = resp["error"]["message"]
        assert "earlier tenant xuchang" in message and "force" in message and old in message, message
        bad = c.request("tenant.restore", {"id": "xuchang", "path": old, "force": "yes"})
        assert bad["ok"] is False and bad["error"]["code"] == "bad_request" and "force" in bad["error"]["message"], bad
    assert sqlite_snapshot(live) == before, "a refused restore leaves the database's rows as they were"
    # The tenant's own backup: as always.
    assert d.call("tenant.restore", {"id": "xuchang", "path": own["path"]})["sha256"] == own["sha256"]
    # zhichengctl says why, and restores it with --force.
    refused = run_ctl(zhichengctl_bin, "tenant", "restore", "xuchang", "--path", old, socket_path=d.admin_socket)
    assert refused.returncode == 1 and "force" in refused.stderr, (refused.stdout, refused.stderr)
    done = run_ctl(zhichengctl_bin, "tenant", "restore", "xuchang", "--path", old, "--force", socket_path=d.admin_socket)
    assert done.returncode == 0 and old in done.stdout, (done.stdout, done.stderr)
    d.call("tenant.resume", {"id": "xuchang"})
    assert_check_ok(d.call("tenant.check", {"id": "xuchang"}), "xuchang")
    # The earlier tenant's data is back: its admin's password of then signs in.
    sign_in = json.dumps({"login": "4110", "password": earlier_admin}).encode()
    status, _, body = http_request(d.http_port, "POST", "/t/xuchang/api/v1/session", sign_in, headers={"Content-Type": "application/json"})
    assert status == 200, (status, body[:300])
    # It is this tenant's data now: the copy the forced restore kept of what it replaced (this
    # tenant's) restores without force, undoing it; the earlier tenant's backup needs it again.
    [kept] = sorted((d.data_dir / "backups" / "xuchang").glob("xuchang-pre-restore-*.sqlite"))[-1:]
    d.call("tenant.suspend", {"id": "xuchang"})
    assert d.call("tenant.restore", {"id": "xuchang", "path": str(kept)})["restored_from"] == str(kept)
    with d.admin() as c:
        again = c.request("tenant.restore", {"id": "xuchang", "path": old})
    assert again["ok"] is False and "earlier tenant" in again["error"]["message"], again


def test_a_backup_made_before_v31_keeps_the_tenant_one_tenant(daemon_factory, tmp_path: pathlib.Path) -> None:
    """A backup made before v31 has no incarnation: restored, it takes the one of the database it
    replaces (opened, it would otherwise get a new one), so the tenant's backups made since v31
    still restore as its own."""
    d = daemon_factory().start()
    create_tenant(d, "luohe", "4111", "漯河市")
    made = d.call("tenant.backup", {"id": "luohe"})["path"]
    before_v31 = tmp_path / "luohe-before-v31.sqlite"
    shutil.copy(made, before_v31)
    con = sqlite3.connect(before_v31)
    try:
        con.execute("DELETE FROM tenant_meta WHERE key = 'incarnation'")
        con.execute("ALTER TABLE applications DROP COLUMN committee_note")   # v33's, which that version had not
        con.execute("PRAGMA user_version = 30")
        con.commit()
    finally:
        con.close()
    since = d.call("tenant.backup", {"id": "luohe"})["path"]
    incarnation = "SELECT value FROM tenant_meta WHERE key = 'incarnation'"
    [(current,)] = db_rows(d.tenant_db("luohe"), incarnation)
    d.call("tenant.suspend", {"id": "luohe"})
    d.call("tenant.restore", {"id": "luohe", "path": str(before_v31)})
    d.call("tenant.resume", {"id": "luohe"})
    assert_check_ok(d.call("tenant.check", {"id": "luohe"}), "luohe")   # opened, migrated
    assert db_rows(d.tenant_db("luohe"), incarnation) == [(current,)]
    d.call("tenant.suspend", {"id": "luohe"})
    assert d.call("tenant.restore", {"id": "luohe", "path": since})["restored_from"] == since


def test_a_tenant_whose_database_cannot_open_can_be_suspended_and_restored(daemon_factory) -> None:
    """A tenant file this build cannot open (here a schema newer than it) answers HTTP with a
    500 that keeps the details for the log, and can still be suspended (its audit row cannot
    be written there; the log says so), restored from a backup and resumed."""
    d = daemon_factory().start()
    create_tenant(d, "pingdingshan", "4104", "平顶山市")
    backup = d.call("tenant.backup", {"id": "pingdingshan"})["path"]
    d.terminate()
    con = sqlite3.connect(d.tenant_db("pingdingshan"))
    con.execute("PRAGMA user_version = 99")
    con.close()
    d.start()
    sign_in = json.dumps({"login": "4104", "password": "whatever1"}).encode()
    status, _, body = http_request(d.http_port, "POST", "/t/pingdingshan/api/v1/session", sign_in, headers={"Content-Type": "application/json"})
    error = json.loads(body)["error"]
    # (The request id, which the message names, is the daemon's pid and a count: it may hold a 99.)
    said = error["message"].replace(error["request_id"], "")
    assert status == 500 and "99" not in said and "记入日志" in said, (status, body[:300])
    wait_until(lambda: "99" in d.output(), 10, "the open failure to be logged with its details: " + d.output()[-1500:])
    assert d.call("tenant.suspend", {"id": "pingdingshan"})["state"] == "suspended"
    assert "without its audit row" in d.output()
    d.call("tenant.restore", {"id": "pingdingshan", "path": backup})
    d.call("tenant.resume", {"id": "pingdingshan"})
    assert http_request(d.http_port, "POST", "/t/pingdingshan/api/v1/session", sign_in, headers={"Content-Type": "application/json"})[0] == 401
    assert_check_ok(d.call("tenant.check", {"id": "pingdingshan"}), "pingdingshan")


def test_a_missing_registry_beside_tenant_directories_stops_the_start_and_moves_nothing(daemon_factory) -> None:
    """Made afresh, the registry would know none of the tenants and the start would move them
    all out of service: the daemon refuses to start instead, and the directories stay."""
    d = daemon_factory().start()
    create_tenant(d, "nanyang", "4113", "南阳市")
    d.terminate()
    (d.data_dir / "registry.sqlite").unlink()
    d.start(wait=False)
    assert d.wait_exit() != 0
    assert "registry" in d.output() and "nanyang" in d.output(), d.output()[-2000:]
    assert (d.data_dir / "tenants" / "nanyang" / "tenant.sqlite").is_file()
    assert not (d.data_dir / "registry.sqlite").exists()
    assert not any((d.data_dir / "archive").glob("incomplete-*")) if (d.data_dir / "archive").exists() else True


def test_a_second_daemon_on_the_same_data_stops_before_touching_it(daemon_factory, tmp_path) -> None:
    """A second zhichengd on a data dir in use (by hand beside the service) used to run its start-up
    first: it moved what looked unregistered (a create in progress) to the archive. It now stops at
    once, naming the lock, and the running daemon and its files are as they were."""
    first = daemon_factory().start()
    create_tenant(first, "nanyang", "4113", "南阳市")
    # What a create in progress looks like on disk: a tenant directory not yet registered.
    scratch = first.data_dir / "tenants" / "luoyang"
    scratch.mkdir()
    (scratch / "tenant.sqlite").write_bytes(b"")
    (tmp_path / "second").mkdir()
    second = daemon_factory(data_dir=first.data_dir, admin_socket=tmp_path / "second.sock", workdir=tmp_path / "second")
    second.start(wait=False)
    assert second.wait_exit() != 0
    assert "another zhichengd is running" in second.output(), second.output()[-2000:]
    assert scratch.is_dir() and (scratch / "tenant.sqlite").is_file()
    assert not (first.data_dir / "archive").exists() or not any((first.data_dir / "archive").iterdir())
    assert first.call("tenant.show", {"id": "nanyang"})["state"] == "active"
    scratch.joinpath("tenant.sqlite").unlink()
    scratch.rmdir()
    # Once the first has stopped, the lock is free: the next start takes it.
    first.terminate()
    second.start()
    assert second.call("tenant.show", {"id": "nanyang"})["state"] == "active"


def test_a_registry_row_this_build_cannot_read_is_not_served_and_its_files_stay(daemon_factory) -> None:
    """A registered tenant whose row this build cannot read (here a division code only a later build
    would know) is left out, named in the log, and its files stay where they are: taking it for an
    unregistered directory would move a live tenant to the archive."""
    d = daemon_factory().start()
    create_tenant(d, "nanyang", "4113", "南阳市")
    create_tenant(d, "luoyang", "4103", "洛阳市")
    d.terminate()
    con = sqlite3.connect(d.data_dir / "registry.sqlite")
    with con:
        con.execute("UPDATE tenants SET division_code = '419800' WHERE id = 'nanyang'")
    con.close()
    d.start()
    assert [t["id"] for t in d.call("tenant.list")["tenants"]] == ["luoyang"]
    assert (d.data_dir / "tenants" / "nanyang" / "tenant.sqlite").is_file()
    assert not (d.data_dir / "archive").exists() or not any((d.data_dir / "archive").iterdir())
    assert "cannot read is not served" in d.output() and "nanyang" in d.output(), d.output()[-2000:]


def test_a_failed_backup_is_in_the_journal_and_counted_by_command(daemon: Daemon) -> None:
    """A nightly backup that fails (here its directory cannot be made: a file is in the way)
    leaves a line in the daemon's log naming the command, the tenant and the cause, and a
    count of that command's failures by code on /metrics; a backup that works is logged when
    it starts and ends, with how long it took. A typo is counted, not logged as an error."""
    create_tenant(daemon, "zhengzhou", "4101")
    # Each command's count of failures that are not the sysadmin's is there, at 0, before any.
    text = daemon.http_get("/metrics")[2].decode("utf-8")
    assert re.search(r'zhicheng_admin_command_errors_total\{cmd="tenant.backup",code="internal"\} 0', text), text[:3000]
    before = len(daemon.stderr())
    daemon.call("tenant.backup", {"id": "zhengzhou"})
    lines = wait_for_log(daemon, before, lambda l: "admin command done" in l and "tenant.backup" in l)
    done = [l for l in lines if "admin command done" in l][0]
    assert "zhengzhou" in done and "seconds=" in done, done
    assert any("admin command started" in l and "tenant.backup" in l for l in lines), lines

    blocker = daemon.data_dir / "backups" / "kaifeng"
    create_tenant(daemon, "kaifeng", "4102")
    blocker.parent.mkdir(parents=True, exist_ok=True)
    blocker.write_text("not a directory")
    before = len(daemon.stderr())
    err = daemon.request("tenant.backup", {"id": "kaifeng"})
    assert err["ok"] is False and err["error"]["code"] == "internal", err
    failed = [l for l in wait_for_log(daemon, before, lambda l: "admin command failed" in l) if "admin command failed" in l][0]
    assert "tenant.backup" in failed and "kaifeng" in failed and "code=internal" in failed, failed
    daemon.request("tenant.show", {"id": "nosuchcity"})
    text = daemon.http_get("/metrics")[2].decode("utf-8")
    assert re.search(r'zhicheng_admin_command_errors_total\{cmd="tenant.backup",code="internal"\} 1', text), text[:3000]
    assert re.search(r'zhicheng_admin_command_errors_total\{[^}]*cmd="tenant.show"[^}]*code="not_found"[^}]*\} 1', text) or \
        re.search(r'zhicheng_admin_command_errors_total\{[^}]*code="not_found"[^}]*cmd="tenant.show"[^}]*\} 1', text), text[:3000]


def test_the_time_of_each_tenants_last_good_backup_is_on_metrics(daemon_factory) -> None:
    """`zhicheng_backup_last_success_timestamp_seconds{tenant}`: its creation for a tenant never
    backed up (an alert on the backup's age fires a day later, not at once), the time of its last backup that worked (as `tenant.show` gives it) once one has, unchanged by
    one that fails, known again after a restart; an archived tenant's series is gone."""
    import datetime

    d = daemon_factory().start()

    def last_success() -> dict[str, float]:
        text = d.http_get("/metrics")[2].decode("utf-8")
        return {m.group(1): float(m.group(2)) for m in
                re.finditer(r'^zhicheng_backup_last_success_timestamp_seconds\{tenant="([^"]+)"\} (\S+)$', text, re.M)}

    create_tenant(d, "zhengzhou", "4101")
    create_tenant(d, "kaifeng", "4102")

    def created(tenant: str) -> float:
        return db_rows(d.data_dir / "registry.sqlite", "SELECT created_at FROM tenants WHERE id = ?", tenant)[0][0]

    never = last_success()
    assert sorted(never) == ["kaifeng", "zhengzhou"] and all(abs(never[t] - created(t)) < 1 for t in never), never
    # A gauge, with its help text, as alerts and dashboards know it.
    text = d.http_get("/metrics")[2].decode("utf-8")
    assert "# TYPE zhicheng_backup_last_success_timestamp_seconds gauge\n" in text, text[-3000:]
    assert "# HELP zhicheng_backup_last_success_timestamp_seconds When the tenant's last backup succeeded, in seconds since 1970 (its creation if never)\n" in text
    d.call("tenant.backup", {"id": "zhengzhou"})
    shown = d.call("tenant.show", {"id": "zhengzhou"})["last_backup"]["at"]
    at = datetime.datetime.fromisoformat(shown.replace("Z", "+00:00")).timestamp()
    first = last_success()
    assert int(first["zhengzhou"]) == int(at) and first["kaifeng"] == never["kaifeng"], (first, shown)

    blocker = d.data_dir / "backups" / "kaifeng"
    blocker.parent.mkdir(parents=True, exist_ok=True)
    blocker.write_text("not a directory")
    assert d.request("tenant.backup", {"id": "kaifeng"})["ok"] is False
    assert last_success() == first

    d.terminate()
    d.start()
    assert last_success() == first
    d.call("tenant.archive", {"id": "kaifeng", "confirm": "kaifeng"})
    assert last_success() == {"zhengzhou": first["zhengzhou"]}


def wait_for_log(daemon: Daemon, since: int, found, timeout: float = 10) -> list[str]:
    """The daemon's log lines written after `since` characters, once one of them is `found`."""
    deadline = time.monotonic() + timeout
    while True:
        lines = daemon.stderr()[since:].splitlines()
        if any(found(l) for l in lines):
            return lines
        if time.monotonic() > deadline:
            raise AssertionError(f"not in the log within {timeout} s:\n" + "\n".join(lines[-20:]))
        time.sleep(0.05)


def test_a_stop_whose_checkpoint_another_reader_held_back_says_so(daemon_factory) -> None:
    """SIGTERM checkpoints every database into its main file. When another process holds a
    read transaction open on it (a sysadmin's sqlite3 shell), part of the log stays in the
    -wal file: safe, but a copy of the main file alone would miss it, so the log says so."""
    d = daemon_factory().start()
    create_tenant(d, "zhengzhou", "4101")
    d.call("tenant.suspend", {"id": "zhengzhou"})      # a write: the database is open, its log not empty
    d.call("tenant.resume", {"id": "zhengzhou"})
    api = Api(d.http_port, "zhengzhou")
    expect(api.raw("POST", "/t/zhengzhou/api/v1/session", body=json.dumps({"login": "4101", "password": "wrong-password"}).encode(),
                   headers={"Content-Type": "application/json"}), 401)
    reader = sqlite3.connect(d.tenant_db("zhengzhou"))
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM orgs").fetchall()
        expect(api.raw("POST", "/t/zhengzhou/api/v1/session", body=json.dumps({"login": "4101", "password": "wrong-again"}).encode(),
                       headers={"Content-Type": "application/json"}), 401)
        assert d.terminate() == 0
    finally:
        reader.close()
    warned = [l for l in d.stderr().splitlines() if "without a complete checkpoint" in l]
    assert warned and "zhengzhou" in warned[0], d.stderr()[-3000:]


def test_a_stored_password_hash_that_cannot_be_read_is_a_logged_error_not_a_wrong_password(daemon: Daemon) -> None:
    """An account whose stored hash libxcrypt cannot read (written by hand, carried over from
    another system) is answered 500 with the cause in the log: before, it was "wrong password"
    for the right one, towards a lock-out, and nothing in the log."""
    info = create_tenant(daemon, "zhengzhou", "4101")
    con = sqlite3.connect(daemon.tenant_db("zhengzhou"))
    try:
        con.execute("UPDATE accounts SET password_hash = '$y$broken' WHERE login = ?", (info["admin_login"],))
        con.commit()
    finally:
        con.close()
    before = len(daemon.stderr())
    api = Api(daemon.http_port, "zhengzhou")
    r = api.raw("POST", "/t/zhengzhou/api/v1/session", body=json.dumps({"login": info["admin_login"], "password": info["admin_password"]}).encode(),
                headers={"Content-Type": "application/json"})
    assert r.status == 500 and r.error()["code"] == "internal", (r.status, r.body[:300])
    lines = wait_for_log(daemon, before, lambda l: "internal error" in l and "password hashing failed" in l)
    assert any("/t/zhengzhou/api/v1/session" in l for l in lines if "password hashing failed" in l), lines
    # Not counted towards a lock-out: the sixth try is still the same error, not 429.
    for _ in range(6):
        r = api.raw("POST", "/t/zhengzhou/api/v1/session", body=json.dumps({"login": info["admin_login"], "password": info["admin_password"]}).encode(),
                    headers={"Content-Type": "application/json"})
        assert r.status == 500, r.status
    assert db_rows(daemon.tenant_db("zhengzhou"), "SELECT coalesce(sum(failures), 0) FROM sign_in_failures")[0][0] == 0


def test_a_damaged_tenant_is_shown_with_why_and_its_last_backup(daemon_factory) -> None:
    """The way back for a damaged tenant is its last backup: `tenant show` gives it, with why
    the database cannot be read, instead of failing whole; `tenant list` says why its counts
    are missing; the restore then works."""
    d = daemon_factory().start()
    create_tenant(d, "zhengzhou", "4101")
    create_tenant(d, "kaifeng", "4102")
    backup = d.call("tenant.backup", {"id": "zhengzhou"})
    assert d.terminate() == 0
    db = d.tenant_db("zhengzhou")
    with open(db, "r+b") as f:
        f.write(b"this is not a database file, no")
    d.start()
    # Its outbox cannot be read at start: the relay says so in the log, and leaves its messages
    # to its restore rather than opening a damaged file again and again.
    wait_until(lambda: "its messages wait for its restore" in d.stderr() or None, 15, "the relay to note the damaged tenant")
    assert not [p for p in d.call("status")["relay"]["paused"] if p.get("source") == "zhengzhou"]
    shown = d.call("tenant.show", {"id": "zhengzhou"})
    assert shown["last_backup"]["path"] == backup["path"] and shown["state"] == "active", shown
    assert "database cannot be read" in shown["error"] and shown["orgs"] is None and shown["messages"] is None, shown
    rows = {r["id"]: r for r in d.call("tenant.list")["tenants"]}
    assert "database cannot be read" in rows["zhengzhou"]["error"] and rows["zhengzhou"]["orgs"] is None, rows
    assert "error" not in rows["kaifeng"] and rows["kaifeng"]["orgs"] == 1, rows
    assert "tenant database cannot be read" in d.stderr() and "zhengzhou" in d.stderr()   # from show, not from every list
    d.call("tenant.suspend", {"id": "zhengzhou"})
    # The restore takes the damaged file aside byte for byte (it once refused: "file is not a database").
    d.call("tenant.restore", {"id": "zhengzhou", "path": backup["path"]})
    kept = list((d.data_dir / "backups" / "zhengzhou").glob("zhengzhou-pre-restore-*.sqlite"))
    assert len(kept) == 1 and kept[0].read_bytes().startswith(b"this is not a database file"), kept
    d.call("tenant.resume", {"id": "zhengzhou"})
    healed = d.call("tenant.show", {"id": "zhengzhou"})
    assert "error" not in healed and healed["orgs"] == 1 and healed["messages"] == {"waiting": 0, "set_aside": 0}, healed


def test_a_refused_command_naming_a_person_logs_their_number_masked(daemon: Daemon) -> None:
    """A reset refused for a login that is an ID-card number says so in the log with the number
    masked, as the audit log names people: the journal is no place for whole ID numbers."""
    create_tenant(daemon, "zhengzhou", "4101")
    before = len(daemon.stderr())
    err = daemon.request("account.reset-password", {"tenant": "zhengzhou", "login": "41010219900101111X"})
    assert err["ok"] is False and "41010219900101111X" in err["error"]["message"], err   # the sysadmin who typed it is told
    lines = wait_for_log(daemon, before, lambda l: "admin command refused" in l)
    refused = [l for l in lines if "admin command refused" in l][0]
    assert "410102********111X" in refused and "41010219900101111X" not in daemon.stderr()[before:], refused
