"""--demo (SPEC §9): creates `province` and `zhengzhou` with a small org tree, prints their
admin logins, and is idempotent across restarts."""

from __future__ import annotations

import re

from conftest import Daemon, create_tenant, same_division, wait_until


def _rows(d: Daemon) -> dict[str, dict]:
    return {t["id"]: t for t in d.call("tenant.list")["tenants"]}


def test_demo_creates_tenants(daemon_factory) -> None:
    d: Daemon = daemon_factory(args=["--demo"]).start()
    rows = _rows(d)
    assert set(rows) == {"province", "zhengzhou"}, rows
    assert rows["province"]["kind"] == "province" and same_division(rows["province"]["division_code"], "41")
    assert rows["zhengzhou"]["kind"] == "city" and same_division(rows["zhengzhou"]["division_code"], "4101")
    assert all(r["state"] == "active" for r in rows.values())
    # admin logins are printed (stdout or stderr); the daemon may print them after becoming ready
    wait_until(lambda: re.search(r"(?<!\d)4101(?!\d)", d.output()) and re.search(r"(?<!\d)41(?!\d)", d.output()),
               30, "the demo admin logins in the output")
    out = d.output()
    assert "province" in out and "zhengzhou" in out
    for tid in rows:
        res = d.call("tenant.check", {"id": tid})
        assert res["ok"] is True, res
    assert d.http_get("/t/zhengzhou/api/v1/tenant")[0] == 200
    assert d.http_get("/t/province/api/v1/tenant")[0] == 200


def test_demo_is_idempotent(daemon_factory) -> None:
    d: Daemon = daemon_factory(args=["--demo"]).start()
    first = _rows(d)
    assert d.terminate() == 0
    d.start()
    second = _rows(d)
    assert set(second) == set(first) == {"province", "zhengzhou"}
    for tid in first:
        for k in ("name", "division_code", "kind", "state", "orgs", "accounts", "applications"):
            assert second[tid][k] == first[tid][k], (tid, k, first[tid][k], second[tid][k])
    assert d.terminate() == 0
    # and once more without --demo: nothing is removed
    d.extra_args = []
    d.start()
    assert set(_rows(d)) == {"province", "zhengzhou"}


def test_demo_with_existing_tenant(daemon_factory) -> None:
    d: Daemon = daemon_factory().start()
    create_tenant(d, "zhengzhou", "4101", "郑州市")
    before = _rows(d)["zhengzhou"]
    assert d.terminate() == 0
    d.extra_args = ["--demo"]
    d.start()
    rows = _rows(d)
    assert set(rows) == {"province", "zhengzhou"}
    assert rows["zhengzhou"]["name"] == before["name"]
    assert rows["zhengzhou"]["state"] == "active"
