"""The audit log is append-only and hash-chained: an entry edited, deleted or reordered with the
sqlite3 CLI behind the daemon's back is reported by `tenant.check` (while the daemon runs)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from conftest import run_ctl


def sqlite3(db, sql: str) -> None:
    if not shutil.which("sqlite3"):
        pytest.fail("the sqlite3 CLI is required (make test installs it)")
    subprocess.run(["sqlite3", str(db), sql], check=True, timeout=30, capture_output=True)


@pytest.mark.parametrize("tamper, expected", [
    ("UPDATE audit SET actor = 'someone else' WHERE seq = 2", "altered"),
    ("DELETE FROM audit WHERE seq = 2", "missing"),
    ("UPDATE audit SET seq = 100 WHERE seq = 1; UPDATE audit SET seq = 1 WHERE seq = 3; UPDATE audit SET seq = 3 WHERE seq = 100", "follow"),
])
def test_tampering_is_reported_by_tenant_check(daemon_factory, zhichengctl_bin, tamper, expected):
    d = daemon_factory().start()
    created = d.call("tenant.create", {"id": "zhengzhou", "name": "郑州市", "division_code": "4101"})
    for _ in range(3):
        d.call("account.reset-password", {"tenant": "zhengzhou", "login": created["admin_login"]})
    assert d.call("tenant.check", {"id": "zhengzhou"})["ok"] is True

    # The triggers refuse edits even from the CLI …
    with pytest.raises(subprocess.CalledProcessError):
        sqlite3(d.tenant_db("zhengzhou"), "UPDATE audit SET actor = 'x' WHERE seq = 1")
    # … so the tamperer drops them first.
    sqlite3(d.tenant_db("zhengzhou"), "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete; " + tamper)

    report = d.call("tenant.check", {"id": "zhengzhou"})
    assert report["ok"] is False
    assert expected in report["audit_chain"], report
    # zhichengctl says so by its exit status too, as a table and as JSON.
    for json_out in (False, True):
        r = run_ctl(zhichengctl_bin, "tenant", "check", "zhengzhou", socket_path=d.admin_socket, json_out=json_out)
        assert r.returncode == 1 and expected in r.stdout, (json_out, r.returncode, r.stdout, r.stderr)
