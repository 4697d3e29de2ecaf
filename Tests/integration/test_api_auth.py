"""Sign-in and sessions of the tenant JSON API (SPEC §5): sign-in success and failures,
lock-out, the one-time-password gate, the password policy, sign-out, cookie + CSRF,
tenant isolation of tokens, garbage/expired tokens, disabled staff, role changes that
take effect on the next request, suspended tenants.

One daemon for the whole module; every test makes the few accounts it needs (yescrypt
costs ~20 ms per hash) under the city office of `zhengzhou`.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import quote

import pytest

from api_support import (
    NEW_PASSWORD,
    OTHER_PASSWORD,
    Api,
    city_with_draft,
    module_daemon,
    restore_tenant,
    Session,
    create_child,
    db_rows,
    expect,
    expire_session,
    fresh_id_number,
    unchanged,
    unique,
)
from conftest import Daemon, clean_env, create_tenant, held, run_ctl, wait_until


@dataclass
class Env:
    daemon: Daemon
    zz: Api  # zhengzhou
    ly: Api  # luoyang
    zz_admin: dict
    ly_admin: dict


@pytest.fixture(scope="module")
def env(request: pytest.FixtureRequest, zhichengd_bin: str, tmp_path_factory: pytest.TempPathFactory):
    with module_daemon(request, zhichengd_bin, tmp_path_factory.mktemp("api-auth")) as d:
        zz = create_tenant(d, "zhengzhou", "4101", "郑州市")
        ly = create_tenant(d, "luoyang", "4103", "洛阳市")
        yield Env(d, Api(d.http_port, "zhengzhou"), Api(d.http_port, "luoyang"), zz, ly)


@pytest.fixture(scope="module")
def root(env: Env) -> Session:
    """The city office's admin (org 1), one-time password already changed."""
    return env.zz.first_login(env.zz_admin["admin_login"], env.zz_admin["admin_password"])


def new_org_admin(root: Session) -> tuple[dict, str, str]:
    """A fresh unit under the city office → (org, admin login, one-time password)."""
    org, admin = create_child(root, 1, unique("测试单位"), "unit")
    assert admin["login"] == org["code"]
    return org, admin["login"], admin["password"]


# --------------------------------------------------------------------------- sign-in


def test_sign_in_ok(env: Env, root: Session) -> None:
    r = expect(env.zz.sign_in_raw(" 4101 ", NEW_PASSWORD), 200)  # the login is trimmed
    body = r.json
    assert isinstance(body["token"], str) and len(body["token"]) >= 32, body
    assert isinstance(body["csrf_token"], str) and body["csrf_token"] and body["csrf_token"] != body["token"], body
    acct = body["account"]
    for key in ("id", "login", "name", "org_id", "roles", "must_change_password"):
        assert key in acct, acct
    assert acct["login"] == "4101" and acct["org_id"] == 1 and acct["must_change_password"] is False, acct
    assert acct["roles"] == [], acct
    # HttpOnly, SameSite session cookie scoped to the tenant
    cookie = r.headers.get("set-cookie", "")
    attrs = [a.strip().lower() for a in cookie.split(";")]
    assert attrs[0] == f"zc_session={body['token']}".lower(), cookie
    assert "httponly" in attrs, cookie
    assert any(a.startswith("samesite=") and a != "samesite=none" for a in attrs), cookie
    assert "path=/t/zhengzhou/" in attrs, cookie
    me = expect(env.zz.get("account", token=body["token"]), 200).json
    assert me["id"] == acct["id"] and me["login"] == "4101", me
    # the new session leaves the fixture's session alone
    expect(root.get("account"), 200)


def unknown_failures(daemon: Daemon, tenant: str) -> int:
    """Failed sign-ins with logins that have no account, as the tenant has counted them."""
    rows = db_rows(daemon.tenant_db(tenant), "SELECT value FROM tenant_meta WHERE key = 'unknown_sign_in_failures'")
    return int(rows[0][0]) if rows else 0


def test_wrong_password_and_unknown_login_are_401(env: Env, root: Session) -> None:
    _, login, one_time = new_org_admin(root)
    wrong = expect(env.zz.sign_in_raw(login, one_time + "x"), 401)
    before = unknown_failures(env.daemon, "zhengzhou")
    # Nothing but the count of failures with made-up logins (one row, naming none).
    with unchanged(env.daemon, "zhengzhou", ignore=("tenant_meta",)):
        unknown = expect(env.zz.sign_in_raw("no-such-login", one_time), 401)
        expect(env.zz.sign_in_raw("4101999999", NEW_PASSWORD), 401)
    assert unknown_failures(env.daemon, "zhengzhou") == before + 2
    # the same answer whether or not the login exists
    assert wrong.error()["message"] == unknown.error()["message"]
    assert wrong.error()["code"] == unknown.error()["code"] == "unauthorized"
    # a failure opens no session; the right password still works
    s = env.zz.sign_in(login, one_time)
    assert s.account["login"] == login and s.account["must_change_password"] is True


@pytest.mark.parametrize("body,field", [
    ({}, "login"),
    ({"password": "x"}, "login"),
    ({"login": "4101"}, "password"),
    ({"login": "", "password": "x"}, "login"),
    ({"login": "   ", "password": "x"}, "login"),
    ({"login": "4101", "password": ""}, "password"),
    ({"login": 4101, "password": "x"}, "login"),
    ({"login": "4101", "password": None}, "password"),
])
def test_sign_in_missing_or_bad_field_400(env: Env, root: Session, body: dict, field: str) -> None:
    with unchanged(env.daemon, "zhengzhou"):
        expect(env.zz.post("session", body), 400, field=field)


def test_sign_in_body_not_json(env: Env, root: Session) -> None:
    with unchanged(env.daemon, "zhengzhou"):
        expect(env.zz.call("POST", "session", data=b"{login", content_type="application/json"), 400, contains="不是有效的 JSON")
        expect(env.zz.call("POST", "session", data=b"login=4101&password=x",
                           content_type="application/x-www-form-urlencoded"), 415)
        r = expect(env.zz.call("POST", "session", data=b"[1,2]", content_type="application/json"), 400, contains="请求体应为对象")
        assert "field" not in r.error(), r


def test_json_errors_name_the_field_and_the_kind_of_value_in_words(env: Env, root: Session) -> None:
    """Valid JSON of the wrong shape is not called invalid JSON, and no message shows a Swift type."""
    with unchanged(env.daemon, "zhengzhou"):
        cases = [
            ("orgs/1/plans", {"year": 2026.5, "items": []}, "year", "year"),
            ("orgs/1/plans", {"year": 2026, "items": [{"series": "中小学教师", "level": "中级", "count": 1.5}]}, "items.0.count", "items.0.count"),
            ("orgs/1/plans", {"year": 2026, "items": [{"series": "中小学教师", "level": "中级", "count": 1e20}]}, "items.0.count", "整数"),
            ("orgs/1/plans", {"year": "2026", "items": []}, "year", "应为整数"),
            ("orgs/1/plans", {"year": 2026, "items": {"a": 1}}, "items", "应为数组"),
        ]
        for path, body, field, words in cases:
            r = expect(root.post(path, body), 400, field=field)
            message = r.error()["message"]
            assert words in message and "Int" not in message and "Dictionary" not in message and "_index" not in message, message


@pytest.mark.parametrize("method,path", [("PATCH", "plans/1"), ("DELETE", "catalog"), ("PUT", "account/password"), ("GET", "orgs/1/profile/submit")])
def test_a_known_api_path_with_another_method_is_json_405(env: Env, root: Session, method: str, path: str) -> None:
    with unchanged(env.daemon, "zhengzhou"):
        r = expect(env.zz.call(method, path, {} if method != "GET" else None, token=root), 405)
        assert r.error()["code"] == "method_not_allowed" and method in r.error()["message"], r


# --------------------------------------------------------------------------- lock-out


def test_an_unknown_login_is_answered_as_a_known_one_up_to_its_lock_out(env: Env, root: Session) -> None:
    """Whether a login exists must not show in the answers: an ID-card number with an account
    says its holder applied for a title. Five wrong passwords lock a made-up login as they lock a
    real one (401 four times, then 429 with the same message), and it stays locked alike. Where a
    real login's count and lock are written (which takes a durable commit, so time would tell), a
    made-up one's are counted in one row of `tenant_meta` that names no login."""
    _, known, _ = new_org_admin(root)
    unknown = "410104199003079999"

    def answers(login: str) -> list[tuple[int, str]]:
        out = []
        for i in range(7):
            r = env.zz.sign_in_raw(login, f"Wrong-{i}")
            out.append((r.status, r.error()["message"]))
        return out

    def counted() -> dict[str, str]:
        return dict(db_rows(env.daemon.tenant_db("zhengzhou"), "SELECT key, value FROM tenant_meta WHERE key LIKE 'unknown_sign_in_%'"))

    real = answers(known)
    before = counted()
    with unchanged(env.daemon, "zhengzhou", ignore=("sessions", "tenant_meta")):
        made_up = answers(unknown)
    assert [s for s, _ in real] == [401, 401, 401, 401, 429, 429, 429], real
    assert made_up == real, (made_up, real)
    after = counted()
    # Five counted checks, one of which locked it; the two refused while locked are not counted (as for an account).
    assert int(after["unknown_sign_in_failures"]) - int(before.get("unknown_sign_in_failures", "0")) == 5, (before, after)
    assert int(after["unknown_sign_in_locks"]) - int(before.get("unknown_sign_in_locks", "0")) == 1, (before, after)
    assert unknown not in repr(db_rows(env.daemon.tenant_db("zhengzhou"), "SELECT * FROM tenant_meta"))

    # Sent at once, too: each is counted before its check, so ten get the same answers.
    _, known2, _ = new_org_admin(root)

    def burst(login: str) -> list[int]:
        with ThreadPoolExecutor(max_workers=10) as pool:
            return sorted(pool.map(lambda i: env.zz.sign_in_raw(login, f"Wrong-{i}").status, range(10)))

    assert burst(known2) == burst("410104199003078888") == [401] * 4 + [429] * 6
    # A login longer than any account's is answered 401 without being counted (nor kept), in memory or on disk.
    before = unknown_failures(env.daemon, "zhengzhou")
    assert {env.zz.sign_in_raw("x" * 5000, "Wrong-1").status for _ in range(6)} == {401}
    assert unknown_failures(env.daemon, "zhengzhou") == before


def test_a_password_reset_while_a_sign_in_or_a_change_is_checked_wins(daemon_factory, tmp_path) -> None:
    """The password is checked (a slow hash) before the session is opened, or the new password
    written, in a later transaction. An 初始化密码 by the parent in between wins: the sign-in
    with the old password is refused and opens no session; the change with the old password is
    refused (401: the reset ended the session it came with) and the reset's one-time password
    stands. (Before, both went through: the session outlived the reset, and the change undid it.)"""
    signing, changing = tmp_path / "hold-sign-in", tmp_path / "hold-change"
    d = daemon_factory(env=clean_env(ZHICHENG_PAUSE_AT=f"sign-in.checked:{signing},password-change.checked:{changing}")).start()
    info = create_tenant(d, "zhengzhou", "4101", "郑州市")
    api = Api(d.http_port, "zhengzhou")
    city = api.first_login(info["admin_login"], info["admin_password"])
    org, admin = create_child(city, 1, "测试单位", "unit")
    unit = api.first_login(admin["login"], admin["password"])
    db = d.tenant_db("zhengzhou")

    def reset() -> str:
        return expect(city.post(f"orgs/{org['id']}/admin/reset-password"), 200).json["password"]

    sessions = db_rows(db, "SELECT count(*) FROM sessions WHERE account_id = ?", unit.account["id"])[0][0]
    worker, out = held(signing, lambda: api.sign_in_raw(admin["login"], NEW_PASSWORD))
    one_time = reset()
    signing.unlink()
    worker.join(timeout=30)
    assert out and out[0].status == 401, out
    assert db_rows(db, "SELECT count(*) FROM sessions WHERE account_id = ?", unit.account["id"]) == [(0,)], "no session outlives the reset"
    assert sessions >= 1

    unit = api.first_login(admin["login"], one_time)
    worker, out = held(changing, lambda: unit.post("account/password", {"old_password": NEW_PASSWORD, "new_password": "Taken0ver2026"}))
    one_time = reset()
    changing.unlink()
    worker.join(timeout=30)
    assert out and out[0].status == 401 and "请重新登录" in out[0].error()["message"], out
    expect(api.sign_in_raw(admin["login"], "Taken0ver2026"), 401)
    assert api.sign_in(admin["login"], one_time).account["must_change_password"] is True, "the reset's one-time password stands"


def test_a_password_longer_than_crypt_takes_is_a_wrong_one_for_real_and_made_up_logins(env: Env, root: Session) -> None:
    """crypt(3) refuses a passphrase of 512 bytes or more. Such a password was answered 500 for
    a real login (its check failed) and 401 for a made-up one (whose dummy check's failure was
    ignored), telling which logins exist, and was not counted towards the lock-out. It is a
    wrong password like any other now: 401 for both, counted, locking after five; so is such an
    old password on the password change."""
    _, known, one_time = new_org_admin(root)
    unknown = "410104199003077777"
    for length in (511, 512, 600, 4096):
        for login in (known, unknown):
            r = env.zz.sign_in_raw(login, "a" * length)
            assert (r.status, r.error()["message"]) == (401, "登录名或密码错误"), (login, length, r.status, r.body[:300])
    expect(env.zz.sign_in_raw(known, "a" * 512), 429)   # the fifth failure of the real login locks it
    expect(env.zz.sign_in_raw(known, one_time), 429)
    _, login, one_time = new_org_admin(root)
    s = env.zz.sign_in(login, one_time)
    expect(s.post("account/password", {"old_password": "密" * 200, "new_password": NEW_PASSWORD}), 400, field="old_password")
    expect(s.post("account/password", {"old_password": one_time, "new_password": NEW_PASSWORD}), (200, 204))


def test_lockout_after_five_failures(env: Env, root: Session) -> None:
    org, login, one_time = new_org_admin(root)
    for i in range(4):
        expect(env.zz.sign_in_raw(login, f"wrong-{i}"), 401)
    fifth = expect(env.zz.sign_in_raw(login, "wrong-4"), (401, 429))
    # locked now: even the right password is refused with 429, and so is a wrong one
    with unchanged(env.daemon, "zhengzhou"):
        locked = expect(env.zz.sign_in_raw(login, one_time), 429)
        assert locked.error()["code"] == "too_many_requests"
        expect(env.zz.sign_in_raw(login, "wrong-again"), 429)
    assert fifth.status in (401, 429)
    # the lock is per login: others still sign in
    expect(env.zz.sign_in_raw("4101", NEW_PASSWORD), 200)
    # 初始化密码 by the parent gives a fresh one-time password and lifts the lock
    reset = expect(root.post(f"orgs/{org['id']}/admin/reset-password"), 200).json
    assert reset["login"] == login and reset["password"] and reset["password"] != one_time
    expect(env.zz.sign_in_raw(login, one_time), 401)
    s = env.zz.sign_in(login, reset["password"])
    assert s.account["must_change_password"] is True


def test_sign_ins_sent_at_once_get_no_more_checks_than_the_allowance(env: Env, root: Session) -> None:
    """Each check is counted before it is made: 30 wrong guesses sent at once get at most five
    password checks (401), the rest 429, and the right password sent among them or after them
    finds the login locked."""
    _, login, one_time = new_org_admin(root)
    guesses = [f"wrong-{i}" for i in range(30)]
    guesses.insert(20, one_time)
    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(lambda p: env.zz.sign_in_raw(login, p).status, guesses))
    assert statuses.count(401) + statuses.count(200) <= 5 and statuses.count(429) >= 26, statuses
    if 200 not in statuses:  # the right one came too late: the login is locked, whatever is sent
        expect(env.zz.sign_in_raw(login, one_time), 429)


def test_guessing_the_old_password_counts_against_the_lock_out(env: Env, root: Session) -> None:
    """A stolen session cannot guess the password freely through the password change: the
    fifth wrong old password locks the login (429), for sign-in and change alike."""
    _, login, one_time = new_org_admin(root)
    s = env.zz.sign_in(login, one_time)
    for i in range(4):
        expect(s.post("account/password", {"old_password": f"wrong-{i}", "new_password": NEW_PASSWORD}), 400, field="old_password")
    expect(s.post("account/password", {"old_password": "wrong-4", "new_password": NEW_PASSWORD}), 429)
    expect(s.post("account/password", {"old_password": one_time, "new_password": NEW_PASSWORD}), 429)
    expect(env.zz.sign_in_raw(login, one_time), 429)


def test_the_operators_password_reset_ends_sessions_and_lifts_the_lock(env: Env, root: Session) -> None:
    """`account.reset-password` on the admin socket does what an org admin's 初始化密码 does:
    whoever held a session is out, and a locked login may sign in with the new password."""
    _, login, one_time = new_org_admin(root)
    held = env.zz.first_login(login, one_time)
    expect(held.get("account"), 200)
    for i in range(5):
        expect(env.zz.sign_in_raw(login, f"wrong-{i}"), (401, 429))
    expect(env.zz.sign_in_raw(login, held.password), 429)
    fresh = env.daemon.call("account.reset-password", {"tenant": "zhengzhou", "login": login})["password"]
    expect(held.get("account"), 401)
    assert env.zz.sign_in(login, fresh).account["must_change_password"] is True


# --------------------------------------------------------------------------- logins whatever their case


def new_staff(root: Session, login: str, password: str = NEW_PASSWORD) -> Session:
    """An enabled staff account of the city office with `login`, its one-time password changed to `password`."""
    created = expect(root.post("orgs/1/staff", {"login": login, "name": "张伟"}), 201).json
    expect(root.post(f"staff/{created['account']['id']}/enable"), 200)
    return root.api.first_login(login, created["password"], password)


def test_a_staff_login_signs_in_whatever_its_case(env: Env, root: Session) -> None:
    """`Zhang.Wei` typed as `zhang.wei`, or with a phone's capital first letter, is the account's
    login: the session is the account's, named by its login as it was made; through the API and
    the sign-in page alike."""
    login = unique("Zhang.Wei")
    made = new_staff(root, login)
    for typed in (login.lower(), login.upper(), login[0].upper() + login[1:].lower(), f" {login.swapcase()} "):
        s = env.zz.sign_in(typed, NEW_PASSWORD)
        assert s.account["id"] == made.account["id"] and s.account["login"] == login, (typed, s.account)
        me = expect(s.get("account"), 200).json
        assert me["id"] == made.account["id"] and me["login"] == login, me
    form = expect(env.zz.raw("GET", "/t/zhengzhou/login"), 200)
    csrf = form.headers["set-cookie"].split("zc_login_csrf=", 1)[1].split(";", 1)[0]
    page = env.zz.raw("POST", "/t/zhengzhou/login", body=f"_csrf={quote(csrf)}&login={quote(login.upper())}&password={NEW_PASSWORD}".encode(),
                      headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"zc_login_csrf={csrf}"})
    assert page.status == 303 and "zc_session=" in page.headers.get("set-cookie", ""), (page.status, page.body.decode()[-800:])
    token = page.headers["set-cookie"].split("zc_session=", 1)[1].split(";", 1)[0]
    assert expect(env.zz.get("account", token=token), 200).json["id"] == made.account["id"]


def test_the_lock_out_counts_a_logins_cases_together(env: Env, root: Session) -> None:
    """Wrong passwords typed in any case count against the one account: four in four cases,
    then the fifth locks it, and the right password in yet another case finds it locked. A
    made-up login gets the same answers, step by step, its cases counted together likewise,
    so a lock-out shared across cases does not tell that a login exists."""
    login = unique("Li.Na")
    new_staff(root, login)

    def answers(base: str) -> list[tuple[int, str]]:
        forms = [base, base.lower(), base.upper(), base.swapcase(), base.lower(), base.upper()]
        out = []
        for i, typed in enumerate(forms):
            r = env.zz.sign_in_raw(typed, f"Wrong-{i}")
            out.append((r.status, r.error()["message"]))
        return out

    real = answers(login)
    assert [status for status, _ in real] == [401, 401, 401, 401, 429, 429], real
    expect(env.zz.sign_in_raw(login.swapcase(), NEW_PASSWORD), 429)
    with unchanged(env.daemon, "zhengzhou", ignore=("tenant_meta",)):
        made_up = answers(unique("Wang.Fang"))
    assert made_up == real, (made_up, real)


def test_the_operators_password_reset_finds_a_login_in_any_case(env: Env, root: Session, zhichengctl_bin: str) -> None:
    """The sysadmin need not know the exact case: `account.reset-password` with `zhang.wei`
    resets `Zhang.Wei` and answers the login as it is; a login no account has in any case is
    `not_found`."""
    login = unique("Zhao.Lei")
    held = new_staff(root, login)
    reset = env.daemon.call("account.reset-password", {"tenant": "zhengzhou", "login": login.lower()})
    assert reset["login"] == login, reset
    expect(held.get("account"), 401)
    s = env.zz.sign_in(login.upper(), reset["password"])
    assert s.account["id"] == held.account["id"] and s.account["must_change_password"] is True, s.account
    out = run_ctl(zhichengctl_bin, "--json", "account", "reset-password", "--tenant", "zhengzhou", "--login", login.swapcase(),
                  socket_path=env.daemon.admin_socket)
    assert out.returncode == 0 and json.loads(out.stdout)["login"] == login, (out.stdout, out.stderr)
    expect(env.zz.sign_in_raw(login, reset["password"]), 401)
    with unchanged(env.daemon, "zhengzhou"):
        refused = env.daemon.request("account.reset-password", {"tenant": "zhengzhou", "login": login + "x"})
    assert refused["ok"] is False and refused["error"]["code"] == "not_found", refused


def test_two_logins_differing_only_by_case_made_before_both_keep_working(daemon_factory, zhichengctl_bin) -> None:
    """A tenant may hold `Zhang.Wei` and `zhang.wei` both, made when logins were one only in the
    same case. No door of this build makes such a pair any more, so the second is given its
    login in the tenant's file while the daemon is stopped (as a file of an earlier build would
    come). Each still signs in by its exact login, to its own account, and counts its own
    failures; a third form (`ZHANG.WEI`) names neither: refused as a wrong password is, whichever
    password is sent, and counted as a made-up login is (its forms together, in memory and the
    one anonymous counter; neither account's count), so it locks after five as any login does,
    but not the two exact ones. The sysadmin's reset takes each exact login, and is told which
    logins a third form could be. A new login in any of their cases is taken."""
    d = daemon_factory().start()
    info = create_tenant(d, "zhengzhou", "4101", "郑州市")
    api = Api(d.http_port, "zhengzhou")
    city = api.first_login(info["admin_login"], info["admin_password"])
    first = new_staff(city, "Zhang.Wei", NEW_PASSWORD)
    second = new_staff(city, "Zhang.Wei.2", OTHER_PASSWORD)
    li = [new_staff(city, login, NEW_PASSWORD).account["id"] for login in ("Li.Si", "Li.Si.2")]
    d.terminate()
    con = sqlite3.connect(d.tenant_db("zhengzhou"))
    try:
        with con:
            con.execute("UPDATE accounts SET login = 'zhang.wei' WHERE id = ?", (second.account["id"],))
            con.execute("UPDATE accounts SET login = 'LI.SI' WHERE id = ?", (li[1],))
    finally:
        con.close()
    d.start()

    a = api.sign_in("Zhang.Wei", NEW_PASSWORD)
    b = api.sign_in("zhang.wei", OTHER_PASSWORD)
    assert (a.account["id"], a.account["login"]) == (first.account["id"], "Zhang.Wei"), a.account
    assert (b.account["id"], b.account["login"]) == (second.account["id"], "zhang.wei"), b.account
    expect(api.sign_in_raw("Zhang.Wei", OTHER_PASSWORD), 401)
    expect(api.sign_in_raw("zhang.wei", NEW_PASSWORD), 401)

    wrong = expect(api.sign_in_raw("Zhang.Wei", "Wrong-1"), 401).error()
    anonymous = unknown_failures(d, "zhengzhou")
    failures = "SELECT account_id, failures FROM sign_in_failures ORDER BY account_id"
    counted = db_rows(d.tenant_db("zhengzhou"), failures)
    with unchanged(d, "zhengzhou", ignore=("tenant_meta",)):
        for typed, password in (("ZHANG.WEI", NEW_PASSWORD), ("ZHANG.WEI", OTHER_PASSWORD), ("zhang.Wei", NEW_PASSWORD), ("ZHANG.wei", OTHER_PASSWORD)):
            assert expect(api.sign_in_raw(typed, password), 401).error() == wrong, typed
        # Its forms count together, as a made-up login's do: the fifth locks it.
        expect(api.sign_in_raw("Zhang.WEI", NEW_PASSWORD), 429)
        expect(api.sign_in_raw("ZHANG.WEI", OTHER_PASSWORD), 429)
    assert unknown_failures(d, "zhengzhou") == anonymous + 5
    assert db_rows(d.tenant_db("zhengzhou"), failures) == counted, "neither account's count moved"
    # The exact logins still sign in: the failures of the third form are not theirs.
    api.sign_in("Zhang.Wei", NEW_PASSWORD)
    api.sign_in("zhang.wei", OTHER_PASSWORD)

    with unchanged(d, "zhengzhou"):
        for typed in ("ZHANG.WEI", "zhang.Wei", "Zhang.Wei", "zhang.wei"):
            expect(city.post("orgs/1/staff", {"login": typed, "name": "又一个张伟"}), 409, contains="登录名")
        refused = d.request("account.reset-password", {"tenant": "zhengzhou", "login": "ZHANG.WEI"})
    assert refused["ok"] is False and refused["error"]["code"] == "conflict", refused
    assert "Zhang.Wei, zhang.wei" in refused["error"]["message"], refused
    reset = d.call("account.reset-password", {"tenant": "zhengzhou", "login": "zhang.wei"})
    assert reset["login"] == "zhang.wei", reset
    assert api.sign_in("zhang.wei", reset["password"]).account["id"] == second.account["id"]
    assert api.sign_in("Zhang.Wei", NEW_PASSWORD).account["must_change_password"] is False, "the other keeps its password"
    # tenant.check names the pair, in the order made, for the sysadmin to part them; the file is sound.
    report = d.call("tenant.check", {"id": "zhengzhou"})
    assert report["ok"] is True and report["login_case_pairs"] == [["Zhang.Wei", "zhang.wei"], ["Li.Si", "LI.SI"]], report
    shown = run_ctl(zhichengctl_bin, "tenant", "check", "zhengzhou", socket_path=d.admin_socket)
    assert shown.returncode == 0 and "Zhang.Wei, zhang.wei; Li.Si, LI.SI" in shown.stdout, (shown.stdout, shown.stderr)
    # Once one of a pair is gone (deleted, its login retired), it is no pair.
    expect(city.delete(f"staff/{li[1]}"), (200, 204))
    assert d.call("tenant.check", {"id": "zhengzhou"})["login_case_pairs"] == [["Zhang.Wei", "zhang.wei"]]


def test_a_restore_brings_back_no_session(env: Env, root: Session) -> None:
    """A backup holds the sessions of its time: a token signed out since must not work again
    once the backup is restored. Every session of the backup is void; people sign in again."""
    info = create_tenant(env.daemon, "anyang", "4105", "安阳市")
    kf = Api(env.daemon.http_port, "anyang")
    signed_out = kf.first_login(info["admin_login"], info["admin_password"])
    kept = kf.sign_in(info["admin_login"], NEW_PASSWORD)
    backup = env.daemon.call("tenant.backup", {"id": "anyang"})["path"]
    expect(kf.delete("session", token=signed_out), (200, 204))
    expect(kf.get("account", token=signed_out), 401)
    restore_tenant(env.daemon, "anyang", backup)
    expect(kf.get("account", token=signed_out), 401)
    expect(kf.get("account", token=kept), 401)
    kf.sign_in(info["admin_login"], NEW_PASSWORD)
    # Another tenant's sessions are untouched.
    expect(root.get("account"), 200)


def test_ui_forms_wait_for_the_one_time_password_to_be_changed(env: Env, root: Session) -> None:
    """The web forms hold to the API's gate: with a one-time password only 修改密码 and 退出 may
    be posted; any other form (here adding staff) is refused and changes nothing."""
    org, login, one_time = new_org_admin(root)
    s = env.zz.sign_in(login, one_time)
    headers = {"Cookie": f"zc_session={s.cookie}", "Content-Type": "application/x-www-form-urlencoded"}
    form = f"_csrf={quote(s.csrf)}&login=otp.staff&name={quote('王五')}&phone=13812345678".encode()
    with unchanged(env.daemon, "zhengzhou"):
        r = env.zz.raw("POST", "/t/zhengzhou/staff", body=form, headers=headers)
        assert r.status == 403 and "请先修改初始密码" in r.body.decode(), (r.status, r.body.decode()[-800:])
    change = f"_csrf={quote(s.csrf)}&old_password={quote(one_time)}&new_password={NEW_PASSWORD}&new_password2={NEW_PASSWORD}".encode()
    r = env.zz.raw("POST", "/t/zhengzhou/password", body=change, headers=headers)
    assert r.status == 303, (r.status, r.body.decode()[-800:])
    # Past the gate now: the form reaches the rules of 人员管理 (a unit not yet approved may not add staff).
    r = env.zz.raw("POST", "/t/zhengzhou/staff", body=form, headers=headers)
    assert "请先修改初始密码" not in r.body.decode() and "尚未经上级审核" in r.body.decode(), (r.status, r.body.decode()[-800:])


def test_failures_must_be_consecutive(env: Env, root: Session) -> None:
    _, login, one_time = new_org_admin(root)
    for i in range(4):
        expect(env.zz.sign_in_raw(login, f"wrong-{i}"), 401)
    expect(env.zz.sign_in_raw(login, one_time), 200)  # success resets the counter
    for i in range(4):
        expect(env.zz.sign_in_raw(login, f"wrong-{i}"), 401)
    expect(env.zz.sign_in_raw(login, one_time), 200)


# --------------------------------------------------------------------------- one-time password


def test_must_change_password_gate(env: Env, root: Session) -> None:
    org, login, one_time = new_org_admin(root)
    s = env.zz.sign_in(login, one_time)
    assert s.account["must_change_password"] is True
    oid = org["id"]
    with unchanged(env.daemon, "zhengzhou"):
        for method, path, body in [
            ("GET", f"orgs/{oid}/profile", None),
            ("PUT", f"orgs/{oid}/profile", {"contact": "张老师"}),
            ("POST", f"orgs/{oid}/profile/submit", None),
            ("GET", f"orgs/{oid}", None),
            ("GET", f"orgs/{oid}/children", None),
            ("GET", "audit", None),
            ("GET", f"orgs/{oid}/staff", None),
        ]:
            r = expect(env.zz.call(method, path, body, token=s), 403)
            assert r.error()["code"] == "forbidden", (method, path, r)
    me = expect(s.get("account"), 200).json
    assert me["must_change_password"] is True and me["login"] == login
    expect(s.post("account/password", {"old_password": one_time, "new_password": NEW_PASSWORD}), (200, 204))
    # the same session now works, and the flag is gone
    assert expect(s.get("account"), 200).json["must_change_password"] is False
    expect(s.get(f"orgs/{oid}/profile"), 200)
    again = env.zz.sign_in(login, NEW_PASSWORD)
    assert again.account["must_change_password"] is False


@pytest.mark.parametrize("new,field", [
    ("abc123", "new_password"),             # too short
    ("abcdefghijk", "new_password"),        # no digit
    ("12345678901", "new_password"),        # no letter
    ("a1" * 65, "new_password"),            # too long
    ("", "new_password"),
])
def test_password_policy(env: Env, root: Session, new: str, field: str) -> None:
    _, login, one_time = new_org_admin(root)
    s = env.zz.sign_in(login, one_time)
    with unchanged(env.daemon, "zhengzhou"):
        expect(s.post("account/password", {"old_password": one_time, "new_password": new}), 400, field=field)
    assert expect(s.get("account"), 200).json["must_change_password"] is True
    expect(env.zz.sign_in_raw(login, one_time), 200)


def test_password_change_refusals(env: Env, root: Session) -> None:
    _, login, one_time = new_org_admin(root)
    s = env.zz.sign_in(login, one_time)
    # A wrong old password is refused and counted against the lock-out (see below).
    expect(s.post("account/password", {"old_password": one_time + "x", "new_password": NEW_PASSWORD}), 400, field="old_password")
    with unchanged(env.daemon, "zhengzhou"):
        expect(s.post("account/password", {"new_password": NEW_PASSWORD}), 400, field="old_password")
        expect(s.post("account/password", {"old_password": one_time}), 400, field="new_password")
        # a new password equal to the old one is refused (whichever rule names it)
        expect(s.post("account/password", {"old_password": one_time, "new_password": one_time}), 400,
               field="new_password")
    assert expect(s.get("account"), 200).json["must_change_password"] is True
    expect(s.post("account/password", {"old_password": one_time, "new_password": NEW_PASSWORD}), (200, 204))
    expect(env.zz.sign_in_raw(login, one_time), 401)
    expect(env.zz.sign_in_raw(login, NEW_PASSWORD), 200)


def test_password_change_ends_other_sessions(env: Env, root: Session) -> None:
    _, login, one_time = new_org_admin(root)
    s1 = env.zz.first_login(login, one_time)
    s2 = env.zz.sign_in(login, NEW_PASSWORD)
    expect(s2.get("account"), 200)
    expect(s1.post("account/password", {"old_password": NEW_PASSWORD, "new_password": OTHER_PASSWORD}), (200, 204))
    expect(s1.get("account"), 200)   # the session that changed it stays
    expect(s2.get("account"), 401)   # every other session ends
    expect(env.zz.sign_in_raw(login, NEW_PASSWORD), 401)
    expect(env.zz.sign_in_raw(login, OTHER_PASSWORD), 200)


# --------------------------------------------------------------------------- sign-out, cookie, CSRF


def test_sign_out_invalidates_token(env: Env, root: Session) -> None:
    s = env.zz.sign_in("4101", NEW_PASSWORD)
    r = expect(s.delete("session"), (200, 204))
    cookie = r.headers.get("set-cookie", "").lower()
    assert cookie.startswith("zc_session=") and ("max-age=0" in cookie or "expires=" in cookie), cookie
    expect(s.get("account"), 401)
    expect(s.delete("session"), 401)
    expect(root.get("account"), 200)  # other sessions of the account stay


def test_cookie_auth_and_csrf(env: Env, root: Session) -> None:
    s = env.zz.sign_in("4101", NEW_PASSWORD)
    other = env.zz.sign_in("4101", NEW_PASSWORD)
    assert s.cookie == s.token
    cookie = {"Cookie": f"zc_session={s.cookie}"}
    # reads work with the cookie alone
    me = expect(env.zz.get("account", headers=cookie), 200).json
    assert me["login"] == "4101"
    expect(env.zz.get("orgs/1", headers=cookie), 200)
    # writes need the session's CSRF token
    body = {"contact": unique("李老师")}
    with unchanged(env.daemon, "zhengzhou"):
        expect(env.zz.put("orgs/1/profile", body, headers=cookie), 403)
        expect(env.zz.put("orgs/1/profile", body, headers={**cookie, "X-CSRF-Token": "nope"}), 403)
        expect(env.zz.put("orgs/1/profile", body, headers={**cookie, "X-CSRF-Token": other.csrf}), 403)
        expect(env.zz.put("orgs/1/profile", body, headers={**cookie, "X-CSRF-Token": s.token}), 403)
        expect(env.zz.post("orgs/1/children", {"name": "无令牌单位", "kind": "unit"}, headers=cookie), 403)
        expect(env.zz.delete("session", headers=cookie), 403)
    r = expect(env.zz.put("orgs/1/profile", body, headers={**cookie, "X-CSRF-Token": s.csrf}), 200)
    assert r.json["contact"] == body["contact"]
    # sign-out by cookie needs it too, and then the cookie is worthless
    expect(env.zz.delete("session", headers={**cookie, "X-CSRF-Token": s.csrf}), (200, 204))
    expect(env.zz.get("account", headers=cookie), 401)
    expect(other.get("account"), 200)


def test_ui_forms_refused_before_any_change_answer_with_a_page(env: Env, root: Session) -> None:
    """A web form with a stale CSRF token, or a file over the upload limit, gets an HTML page of
    the UI that says so (not the API's JSON), and changes nothing."""
    s = env.zz.sign_in("4101", NEW_PASSWORD)
    cookie = f"zc_session={s.cookie}"
    with unchanged(env.daemon, "zhengzhou"):
        r = env.zz.raw("POST", "/t/zhengzhou/profile", body="contact=李老师&_csrf=stale".encode(),
                       headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
        assert r.status == 403 and r.headers.get("content-type", "").startswith("text/html"), r
        page = r.body.decode()
        assert "表单已过期" in page and "返回首页" in page and '{"error"' not in page, page[:500]
        # What was typed is shown back for copying (the page came from an earlier session).
        assert re.search(r'<textarea class="kept-value"[^>]*>李老师</textarea>', page), page[-1500:]

        boundary = "zcboundary"
        big = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{s.csrf}\r\n"
               f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"seal.png\"\r\nContent-Type: image/png\r\n\r\n").encode() \
            + b"\x89PNG" + b"\0" * (6 << 20) + f"\r\n--{boundary}--\r\n".encode()
        r = env.zz.raw("POST", "/t/zhengzhou/seal", body=big, headers={"Cookie": cookie, "Content-Type": f"multipart/form-data; boundary={boundary}"})
        assert r.status == 413 and r.headers.get("content-type", "").startswith("text/html"), r
        page = r.body.decode()
        assert "文件不能超过 5 MB" in page and '{"error"' not in page, page[:500]


def test_a_form_posted_after_its_session_ended_shows_what_was_typed(env: Env, root: Session) -> None:
    """A session ended (signed out elsewhere, idle): the post changes nothing and is answered
    with a page (401) showing the typed text, escaped, without hidden fields or passwords; a
    post with nothing typed, or without any session, goes to the sign-in page as before."""
    s = env.zz.sign_in("4101", NEW_PASSWORD)
    cookie = {"Cookie": f"zc_session={s.cookie}", "Content-Type": "application/x-www-form-urlencoded"}
    expect(env.zz.delete("session", token=s), (200, 204))
    with unchanged(env.daemon, "zhengzhou"):
        body = f"_csrf={s.csrf}&contact=%3Cb%3E李老师%3C%2Fb%3E&old_password=Secret123&category=单位".encode()
        r = env.zz.raw("POST", "/t/zhengzhou/profile", body=body, headers=cookie)
        assert r.status == 401 and r.headers.get("content-type", "").startswith("text/html"), r
        page = r.body.decode()
        assert "登录已结束" in page and 'id="kept-login"' in page, page[-1500:]
        assert re.findall(r'<textarea class="kept-value"[^>]*>(.*?)</textarea>', page) == ["&lt;b&gt;李老师&lt;/b&gt;"], page[-1500:]
        assert "Secret123" not in page and s.csrf not in page
        # Nothing typed; or no cookie at all (a form another site posts, the cookie being
        # SameSite=Strict): the sign-in page, nothing read or shown back.
        for body, headers in ((f"_csrf={s.csrf}&category=单位", cookie),
                              ("contact=请致电某某核实账户", {"Content-Type": "application/x-www-form-urlencoded"})):
            r = env.zz.raw("POST", "/t/zhengzhou/profile", body=body.encode(), headers=headers)
            assert r.status == 303 and "/t/zhengzhou/login" in r.headers.get("location", ""), r


def test_token_of_one_tenant_is_worthless_in_another(env: Env, root: Session) -> None:
    ly_root = env.ly.first_login(env.ly_admin["admin_login"], env.ly_admin["admin_password"])
    before = unknown_failures(env.daemon, "luoyang")
    with unchanged(env.daemon, "zhengzhou"), unchanged(env.daemon, "luoyang", ignore=("tenant_meta",)):
        expect(env.zz.get("account", token=ly_root.token), 401)
        expect(env.zz.get("orgs/1", token=ly_root.token), 401)
        expect(env.ly.get("account", token=root.token), 401)
        expect(env.ly.get("orgs/1", token=root.token), 401)
        expect(env.ly.put("orgs/1/profile", {"contact": "x"}, token=root.token), 401)
        expect(env.ly.get("account", headers={"Cookie": f"zc_session={root.token}"}), 401)
        expect(env.ly.put("orgs/1/profile", {"contact": "x"},
                          headers={"Cookie": f"zc_session={root.token}", "X-CSRF-Token": root.csrf}), 401)
        # logins are per tenant too
        expect(env.ly.sign_in_raw("4101", NEW_PASSWORD), 401)
    assert unknown_failures(env.daemon, "luoyang") == before + 1, "counted as a made-up login in luoyang"
    assert expect(ly_root.get("account"), 200).json["login"] == "4103"
    assert expect(root.get("account"), 200).json["login"] == "4101"


@pytest.mark.parametrize("header", [
    "Bearer x",
    "Bearer " + "a" * 43,
    "Bearer " + "a" * 2000,
    "Bearer ../../../../etc/passwd/../../../../etc/passwd",
    "Bearer ",
    "Bearer",
    "Basic NDEwMTpaaGljaGVuZzIwMjQ=",
    "Token abc",
])
def test_garbage_tokens_401(env: Env, root: Session, header: str) -> None:
    with unchanged(env.daemon, "zhengzhou"):
        r = expect(env.zz.get("account", headers={"Authorization": header}), 401)
        assert r.error()["code"] == "unauthorized"
        expect(env.zz.put("orgs/1/profile", {"contact": "x"}, headers={"Authorization": header}), 401)


def test_tampered_and_csrf_tokens_are_not_session_tokens(env: Env, root: Session) -> None:
    with unchanged(env.daemon, "zhengzhou"):
        for bad in (root.token[:-1], root.token + "A", root.token[::-1], root.csrf):
            expect(env.zz.get("account", token=bad), 401)
        expect(env.zz.get("account"), 401)  # no credentials at all


def test_expired_token_401(env: Env, root: Session) -> None:
    s = env.zz.sign_in("4101", NEW_PASSWORD)
    expect(s.get("account"), 200)
    expire_session(env.daemon, "zhengzhou", s.token)
    expect(s.get("account"), 401)
    expect(env.zz.get("account", headers={"Cookie": f"zc_session={s.token}"}), 401)
    expect(root.get("account"), 200)


# --------------------------------------------------------------------------- staff accounts


def test_disabled_staff_cannot_sign_in_and_roles_apply_next_request(env: Env, root: Session) -> None:
    login = unique("zhangsan")
    created = expect(root.post("orgs/1/staff", {"login": login, "name": "张三", "phone": "15236547854"}), 201).json
    acct, one_time = created["account"], created["password"]
    assert acct["enabled"] is False and acct["roles"] == [] and acct["kind"] == "staff", acct
    # A phone as people write it is stored one way; a blank one is no phone.
    other = expect(root.post("orgs/1/staff", {"login": unique("lisi"), "name": "李四", "phone": "+86 152-3654-7854"}), 201).json["account"]
    assert other["phone"] == "15236547854", other
    blank = expect(root.post("orgs/1/staff", {"login": unique("wangwu"), "name": "王五", "phone": "\u3000 "}), 201).json["account"]
    assert blank["phone"] == "", blank
    # disabled until 启动
    with unchanged(env.daemon, "zhengzhou"):
        r = expect(env.zz.sign_in_raw(login, one_time), 403)
        assert r.error()["code"] == "forbidden"
    expect(env.zz.sign_in_raw(login, one_time + "x"), 401)
    assert expect(root.post(f"staff/{acct['id']}/enable"), 200).json["enabled"] is True
    s = env.zz.first_login(login, one_time)
    assert s.account["kind"] == "staff" and s.account["roles"] == []
    # a role change takes effect on the next request of the existing session
    expect(root.put(f"staff/{acct['id']}/roles", {"roles": ["handler"]}), 200)
    assert expect(s.get("account"), 200).json["roles"] == ["handler"]
    expect(root.put(f"staff/{acct['id']}/roles", {"roles": ["handler", "leader"]}), 200)
    assert sorted(expect(s.get("account"), 200).json["roles"]) == ["handler", "leader"]
    expect(root.put(f"staff/{acct['id']}/roles", {"roles": []}), 200)
    assert expect(s.get("account"), 200).json["roles"] == []
    # disabling ends the session at once and blocks sign-in
    assert expect(root.post(f"staff/{acct['id']}/disable"), 200).json["enabled"] is False
    expect(s.get("account"), 401)
    expect(env.zz.sign_in_raw(login, NEW_PASSWORD), 403)
    # re-enabled: the chosen password works again
    expect(root.post(f"staff/{acct['id']}/enable"), 200)
    expect(env.zz.sign_in_raw(login, NEW_PASSWORD), 200)


def test_suspended_tenant_503(env: Env) -> None:
    kf = create_tenant(env.daemon, "kaifeng", "4102", "开封市")
    api = Api(env.daemon.http_port, "kaifeng")
    s = api.first_login(kf["admin_login"], kf["admin_password"])
    env.daemon.call("tenant.suspend", {"id": "kaifeng"})
    try:
        expect(api.sign_in_raw(kf["admin_login"], NEW_PASSWORD), 503)
        expect(s.get("account"), 503)
    finally:
        env.daemon.call("tenant.resume", {"id": "kaifeng"})
    expect(s.get("account"), 200)


# --------------------------------------------------------------------------- unknown paths


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE"])
def test_unknown_api_path_is_json_404(env: Env, root: Session, method: str) -> None:
    """SPEC §5: API errors are JSON objects — for unknown paths too, signed in or not."""
    with unchanged(env.daemon, "zhengzhou"):
        for token in (root.token, None):
            r = expect(env.zz.call(method, "orgs/1/no-such-thing", {} if method != "GET" else None, token=token), 404)
            assert r.error()["code"] == "not_found"
            r = expect(env.zz.call(method, "no-such-thing", None, token=token), 404)
            assert r.error()["code"] == "not_found"


# --------------------------------------------------------------------------- Secure cookies


def test_cookies_are_secure_when_the_proxy_says_the_request_came_over_https(env: Env, root: Session) -> None:
    """`http.secure_cookies = "auto"` (the default): behind a TLS proxy that sends
    X-Forwarded-Proto or Forwarded, every cookie (session, the sign-in form's, its sign-out) is
    Secure; on plain HTTP (`make run`, tests) it is not, or browsers would drop it."""
    body = json.dumps({"login": "4101", "password": NEW_PASSWORD}).encode()
    json_type = {"Content-Type": "application/json"}
    for headers in ({"X-Forwarded-Proto": "https"}, {"X-Forwarded-Proto": "HTTPS, http"}, {"Forwarded": "for=10.0.0.1;proto=https;host=zc.example"}):
        r = expect(env.zz.raw("POST", "/t/zhengzhou/api/v1/session", body, {**json_type, **headers}), 200)
        cookie = r.headers["set-cookie"]
        assert cookie.startswith("zc_session=") and cookie.endswith("; Secure") and "SameSite=Strict" in cookie, (headers, cookie)
        out = expect(env.zz.raw("DELETE", "/t/zhengzhou/api/v1/session", None, {"Authorization": f"Bearer {r.json['token']}", **headers}), (200, 204))
        assert out.headers["set-cookie"].endswith("; Secure"), out.headers
        page = expect(env.zz.raw("GET", "/t/zhengzhou/login", None, headers), 200)
        assert page.headers["set-cookie"].startswith("zc_login_csrf=") and page.headers["set-cookie"].endswith("; Secure"), page.headers
    for headers in ({}, {"X-Forwarded-Proto": "http"}, {"Forwarded": "for=10.0.0.1;proto=http"}):
        r = expect(env.zz.raw("POST", "/t/zhengzhou/api/v1/session", body, {**json_type, **headers}), 200)
        assert "secure" not in r.headers["set-cookie"].lower(), (headers, r.headers)
        expect(env.zz.raw("DELETE", "/t/zhengzhou/api/v1/session", None, {"Authorization": f"Bearer {r.json['token']}"}), (200, 204))


@pytest.mark.parametrize("setting,secure_plain,secure_proxied", [("always", True, True), ("never", False, False)])
def test_secure_cookies_can_be_forced_either_way(daemon_factory, setting: str, secure_plain: bool, secure_proxied: bool) -> None:
    d = daemon_factory(config=f'[http]\nsecure_cookies = "{setting}"\n').start()
    create_tenant(d, "zz", "4101")
    api = Api(d.http_port, "zz")
    for headers, expected in (({}, secure_plain), ({"X-Forwarded-Proto": "https"}, secure_proxied)):
        page = expect(api.raw("GET", "/t/zz/login", None, headers), 200)
        assert page.headers["set-cookie"].endswith("; Secure") == expected, (setting, headers, page.headers)


def test_a_flood_of_sign_ins_is_refused_beyond_the_checks_admitted(daemon_factory) -> None:
    """`limits.password_checks_queued` (8 here; three quarters of them, 6, for one tenant):
    checks under way, running or waiting for a hasher thread, beyond those are answered 503 at
    once. 100 sign-ins at once, unknown logins and a real one with a wrong password: each is a 401
    or a 503 (never a 500, never a lock), the daemon answers the rest, and a right password then
    signs in. (That a refused check is not counted is shown in Swift, with the slots held:
    AuthAndPeopleTests.aCheckRefusedForLoadIsNotCounted.)"""
    d = daemon_factory(config="[limits]\npassword_checks_queued = 8\n").start()
    info = create_tenant(d, "zhengzhou", "4101", "郑州市")
    api = Api(d.http_port, "zhengzhou")
    api.first_login(info["admin_login"], info["admin_password"])
    body_wrong = json.dumps({"login": "4101", "password": "Wrong-pass1"}).encode()

    def one(n: int) -> tuple[int, str]:
        # A login of its own each (an unknown login too is locked after five failures).
        body_unknown = json.dumps({"login": f"nobody-at-all-{n}", "password": "Wrong-pass1"}).encode()
        r = api.raw("POST", "/t/zhengzhou/api/v1/session", body_wrong if n % 50 == 0 else body_unknown, {"Content-Type": "application/json"})
        return r.status, (r.error()["code"] if r.status >= 400 else "")

    with ThreadPoolExecutor(max_workers=100) as pool:
        answers = list(pool.map(one, range(100)))
    assert set(answers) <= {(401, "unauthorized"), (503, "unavailable")}, set(answers)
    assert (503, "unavailable") in answers and (401, "unauthorized") in answers, answers.count((503, "unavailable"))
    assert d.http_get("/healthz")[0] == 200
    assert expect(api.sign_in_raw("4101", NEW_PASSWORD), 200).json["account"]["login"] == "4101"


def test_a_session_unused_for_the_idle_period_ends(daemon_factory) -> None:
    """`auth.session_idle_seconds` (2 here): a session used within the period stays, one left
    unused longer ends (401, and it is deleted); signing in again works. In the web UI a page
    asked with an ended session leads to the sign-in page, which says so."""
    d = daemon_factory(config="[auth]\nsession_idle_seconds = 2\n").start()
    info = create_tenant(d, "zhengzhou", "4101", "郑州市")
    api = Api(d.http_port, "zhengzhou")
    s = api.first_login(info["admin_login"], info["admin_password"])
    for _ in range(6):                       # 3 s of use, a request every half second
        expect(s.get("account"), 200)
        time.sleep(0.5)
    ui = api.sign_in("4101", NEW_PASSWORD)
    assert api.raw("GET", "/t/zhengzhou/home", headers={"Cookie": f"zc_session={ui.cookie}"}).status == 200
    time.sleep(3)
    r = expect(s.get("account"), 401)
    assert "长时间未操作" in r.error()["message"], r.error()
    assert "长时间未操作" not in expect(s.get("account"), 401).error()["message"], "the session was deleted"
    page = api.raw("GET", "/t/zhengzhou/home", headers={"Cookie": f"zc_session={ui.cookie}"})
    assert page.status == 303 and page.headers["location"] == "/t/zhengzhou/login?ended=1", page.headers
    assert "登录已结束" in api.raw("GET", page.headers["location"]).body.decode()
    plain = api.raw("GET", "/t/zhengzhou/home")
    assert plain.status == 303 and plain.headers["location"] == "/t/zhengzhou/login", plain.headers
    assert "登录已结束" not in api.raw("GET", "/t/zhengzhou/login").body.decode()
    expect(api.sign_in("4101", NEW_PASSWORD).get("account"), 200)


@pytest.mark.parametrize(("idle", "said"), [(1800, "页面30分钟无操作将自动退出登录"), (0, "登录12小时后将自动退出")])
def test_the_long_forms_say_when_the_configured_sign_out_comes(daemon_factory, idle: int, said: str) -> None:
    """The application page and 单位信息维护 state the automatic sign-out from
    `auth.session_idle_seconds`, not a fixed 2 hours; with 0 only the 12 h lifetime, nothing of
    an idle period."""
    d = daemon_factory(config=f"[auth]\nsession_idle_seconds = {idle}\n").start()
    _, _, applicant, app = city_with_draft(d)
    page = applicant.api.raw("GET", f"/t/zhengzhou/applications/{app['id']}", headers={"Cookie": f"zc_session={applicant.cookie}"}).body.decode()
    hint = re.search(r'<p class="hint" id="idle-hint">([^<]*)</p>', page)
    assert hint and hint.group(1).startswith(said), page[-3000:]
    assert ("无操作" in hint.group(1)) == (idle > 0) and "页面2小时" not in hint.group(1), hint.group(1)


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def test_an_id_card_number_is_one_login_however_it_is_typed(env: Env, root: Session, zhichengctl_bin: str) -> None:
    """An IME in full-width mode, a number copied from a table in groups or from a web page with
    a zero-width space, a lower-case x: creation, sign-in and the operator's reset (zhichengctl)
    all read the one number; a second account for it is refused."""
    number = next(n for n in iter(fresh_id_number, None) if n.endswith("X"))
    typed = _full_width(number[:6]) + " " + number[6:14] + "\u3000" + number[14:-1] + "ｘ\u200b"
    made = expect(root.post("orgs/1/applicants", {"id_number": typed, "name": "宽字符"}), 201).json
    assert made["account"]["login"] == number, made
    with unchanged(env.daemon, "zhengzhou"):
        expect(root.post("orgs/1/applicants", {"id_number": number.lower(), "name": "又一个"}), 409)
    signed = env.zz.first_login(f" {number[:-1]}x\t", made["password"])
    assert signed.account["login"] == number
    for variant in (number.lower(), _full_width(number), f"{number[:6]} {number[6:14]} {number[14:]}", "\u200b" + number):
        expect(env.zz.sign_in_raw(variant, NEW_PASSWORD), 200)
    reset = run_ctl(zhichengctl_bin, "--json", "account", "reset-password", "--tenant", "zhengzhou", "--login", number.lower() + " ",
                    socket_path=env.daemon.admin_socket)
    assert reset.returncode == 0, reset.stderr
    expect(signed.get("account"), 401)
    assert env.zz.sign_in(_full_width(number), json.loads(reset.stdout)["password"]).account["must_change_password"] is True


def test_a_browsers_navigation_to_the_api_is_answered_with_a_page(env: Env, root: Session) -> None:
    """The UI opens some API paths in a window (打印评审表, 查看附件, a plan's document). Followed
    after the session ended, or to something gone, the browser's navigation (`Sec-Fetch-Mode:
    navigate`) is answered with a page in words and a way back, the status the same; any other
    request (a program's, a script's) with the API's JSON, as ever."""
    nav = {"Sec-Fetch-Mode": "navigate", "Accept": "text/html"}
    r = env.zz.raw("GET", "/t/zhengzhou/api/v1/applications/1/review-form", headers=nav)
    body = r.body.decode()
    assert r.status == 401 and r.headers.get("content-type", "").startswith("text/html"), (r.status, r.headers)
    assert "请先登录" in body and 'href="/t/zhengzhou/home" id="error-home"' in body, body[-1500:]
    gone = env.zz.raw("GET", "/t/zhengzhou/api/v1/plans/999999/document", headers={**nav, "Cookie": f"zc_session={root.cookie}"})
    assert gone.status == 404 and gone.headers.get("content-type", "").startswith("text/html") and "error-home" in gone.body.decode(), gone
    # The same requests from a program: JSON.
    r = env.zz.raw("GET", "/t/zhengzhou/api/v1/applications/1/review-form", headers={"Accept": "text/html"})
    assert r.status == 401 and r.json["error"]["code"] == "unauthorized", r
    r = env.zz.raw("GET", "/t/zhengzhou/api/v1/plans/999999/document", headers={"Sec-Fetch-Mode": "cors", "Cookie": f"zc_session={root.cookie}"})
    assert r.status == 404 and r.json["error"]["code"] == "not_found", r
    # A post is never a navigation to a page; an unknown city's API goes back to the city picker.
    r = env.zz.raw("POST", "/t/zhengzhou/api/v1/session", body=b"{}", headers={**nav, "Content-Type": "application/json"})
    assert r.json["error"]["field"] == "login", r
    r = env.zz.raw("GET", "/t/nowhere/api/v1/tenant", headers=nav)
    assert r.status == 404 and 'href="/" id="error-home"' in r.body.decode(), r.body.decode()[-1000:]
