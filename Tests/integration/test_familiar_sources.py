"""Familiar sign-in sources (found by a security audit): five wrong passwords locked the account
for every address, so anyone could keep a city office's admin (login: its public division code)
out by sending five guesses every 15 minutes. Now an address the account has signed in from
(a session opened, within 90 days, the 20 most recent) has a count and lock-out of its own for
it; every other address shares the account's count as before. So guesses from elsewhere still
get five tries per lock between them all, and then 429, even with the right password, for every
address the account never signed in from, while its holder signs in where they did before.

The daemon trusts 127.0.0.2 as a proxy, so a request sent from there says its client's address
in `X-Forwarded-For`; requests from 127.0.0.1 are that address's own (and what they say in the
header is ignored)."""

from __future__ import annotations

import html
import http.client
import json
import re
import sqlite3
import time
from urllib.parse import urlencode

import pytest

from api_support import NEW_PASSWORD, OTHER_PASSWORD, Api, Resp, Session, create_child, db_rows, expect, module_daemon, unchanged, unique
from conftest import IO_TIMEOUT, Daemon, create_tenant

CITY = "kaifeng"  # where the tests make units and staff
PROXY = "127.0.0.2"
HOME = "127.0.0.1"


@pytest.fixture(scope="module")
def d(request: pytest.FixtureRequest, zhichengd_bin: str, tmp_path_factory: pytest.TempPathFactory):
    with module_daemon(request, zhichengd_bin, tmp_path_factory.mktemp("familiar"), config=f'[http]\ntrusted_proxies = ["{PROXY}"]\n') as daemon:
        yield daemon


@pytest.fixture(scope="module")
def city(d: Daemon) -> tuple[Api, Session]:
    """开封市, and its office's admin signed in from 127.0.0.1 (which makes units and staff)."""
    info = create_tenant(d, CITY, "4102", "开封市")
    api = Api(d.http_port, CITY)
    return api, api.first_login(info["admin_login"], info["admin_password"])


def new_unit_admin(city: tuple[Api, Session]) -> tuple[dict, str, str]:
    """A new unit of 开封市 → (org, its admin's login, one-time password); never signed in."""
    org, admin = create_child(city[1], 1, unique("测试单位"), "unit")
    return org, admin["login"], admin["password"]


def post(d: Daemon, path: str, body: dict, client: str = HOME, token: str | None = None, tenant: str = CITY) -> Resp:
    """POSTs to the tenant's API as `client`: from 127.0.0.1 itself, else through the trusted proxy."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if client != HOME:
        headers["X-Forwarded-For"] = client
    conn = http.client.HTTPConnection("127.0.0.1", d.http_port, timeout=IO_TIMEOUT, source_address=(HOME if client == HOME else PROXY, 0))
    try:
        conn.request("POST", f"/t/{tenant}/api/v1/{path}", body=json.dumps(body).encode(), headers=headers)
        r = conn.getresponse()
        return Resp(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
    finally:
        conn.close()


def sign_in(d: Daemon, login: str, password: str, client: str = HOME, tenant: str = CITY) -> Resp:
    return post(d, "session", {"login": login, "password": password}, client, tenant=tenant)


def wrong(d: Daemon, login: str, clients: list[str], tenant: str = CITY) -> list[int]:
    """A wrong password from each of `clients` in turn: the statuses."""
    return [sign_in(d, login, f"Wrong-{n}", c, tenant).status for n, c in enumerate(clients)]


def familiar(d: Daemon, account_id: int, tenant: str = CITY) -> list[tuple[str, int, bool]]:
    """The account's familiar sources as stored: (address, failures, locked)."""
    return [(s, f, l is not None) for s, f, l in db_rows(d.tenant_db(tenant), "SELECT source, failures, locked_until FROM sign_in_sources WHERE account_id = ? ORDER BY source", account_id)]


def test_guesses_from_elsewhere_do_not_lock_the_office_out_where_it_signed_in(d: Daemon) -> None:
    """The audit's case: 洛阳市's office admin (login 4103, its public division code) signed in
    once, from 127.0.0.1. Five wrong passwords from other addresses (one each) lock every address
    the account never signed in from: the fifth is 429, and so is the right password from a
    third, never-used address; 127.0.0.1 still signs in with the right password. Five wrong ones
    from 127.0.0.1 then lock 127.0.0.1 too (its own count), and the audit says which lock each
    was. The sysadmin's reset lifts both and keeps 127.0.0.1 familiar."""
    tenant = "luoyang"
    info = create_tenant(d, tenant, "4103", "洛阳市")
    api = Api(d.http_port, tenant)
    login = info["admin_login"]
    assert login == "4103"
    account = api.first_login(login, info["admin_password"]).account["id"]
    db = d.tenant_db(tenant)
    assert familiar(d, account, tenant) == [(HOME, 0, False)], "the sign-in made its address familiar"
    seq = db_rows(db, "SELECT max(seq) FROM audit")[0][0]

    attackers = [f"203.0.113.{n}" for n in range(1, 6)]
    assert wrong(d, login, attackers, tenant) == [401, 401, 401, 401, 429]
    assert wrong(d, login, ["203.0.113.1", "203.0.113.77"], tenant) == [429, 429], "every unfamiliar address shares the lock"
    third = sign_in(d, login, NEW_PASSWORD, "198.51.100.9", tenant)
    assert third.status == 429 and "分钟后再试" in third.error()["message"], "the right password from a never-used address is refused too"
    # The office, where it signed in before: in, with the right password, more than once.
    for _ in range(2):
        assert expect(sign_in(d, login, NEW_PASSWORD, HOME, tenant), 200).json["account"]["id"] == account
    expect(sign_in(d, login, NEW_PASSWORD, "203.0.113.1", tenant), 429)  # its sign-in lifted no other lock
    assert familiar(d, account, tenant) == [(HOME, 0, False)], "failures from elsewhere make no address familiar"

    # Wrong ones at the familiar address lock that address, for this account, alone (and then
    # the right password there is refused too); the shared lock stands as it was.
    assert wrong(d, login, [HOME] * 5, tenant) == [401, 401, 401, 401, 429]
    expect(sign_in(d, login, NEW_PASSWORD, HOME, tenant), 429)
    expect(sign_in(d, login, NEW_PASSWORD, "198.51.100.9", tenant), 429)
    assert familiar(d, account, tenant) == [(HOME, 0, True)]
    assert db_rows(db, "SELECT source, detail FROM audit WHERE action = 'account.locked' AND seq > ? ORDER BY seq", seq) == [
        ("203.0.113.5", '{"failures":5}'), (HOME, '{"failures":5,"familiar_source":true}')]

    # The sysadmin's reset lifts both locks and keeps the address familiar: the next wrong guess
    # from elsewhere is only wrong again (a new run of five, not more), and the office signs in
    # with the new one-time password from 127.0.0.1, even with that run locked again.
    reset = d.call("account.reset-password", {"tenant": tenant, "login": login})
    assert familiar(d, account, tenant) == [(HOME, 0, False)]
    assert db_rows(db, "SELECT count(*) FROM sign_in_failures WHERE account_id = ?", account) == [(0,)]
    assert wrong(d, login, attackers, tenant) == [401, 401, 401, 401, 429]
    expect(sign_in(d, login, reset["password"], "198.51.100.9", tenant), 429)
    s = expect(sign_in(d, login, reset["password"], HOME, tenant), 200).json
    assert s["account"]["id"] == account and s["account"]["must_change_password"] is True


def page_sign_in(d: Daemon, login: str, password: str, client: str = HOME, tenant: str = CITY) -> tuple[int, str]:
    """The sign-in page's form sent as `client` (as `post` sends): the status, and the page's error
    (its flash) if it answers with one."""
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": "zc_login_csrf=familiar-test"}
    if client != HOME:
        headers["X-Forwarded-For"] = client
    conn = http.client.HTTPConnection("127.0.0.1", d.http_port, timeout=IO_TIMEOUT, source_address=(HOME if client == HOME else PROXY, 0))
    try:
        conn.request("POST", f"/t/{tenant}/login", body=urlencode({"_csrf": "familiar-test", "login": login, "password": password}).encode(), headers=headers)
        r = conn.getresponse()
        found = re.search(r'<div class="flash error" role="alert" id="flash-error">(.*?)</div>', r.read().decode())
        return r.status, html.unescape(found.group(1)) if found else ""
    finally:
        conn.close()


LOCKED = "登录失败次数过多，请在15分钟后再试"


def test_a_lock_out_says_when_to_try_again_not_that_the_account_is_locked(d: Daemon, city) -> None:
    """A 429 is for the attempt's own count (`FamiliarSources`), which may leave the account open
    elsewhere: five wrong passwords from unfamiliar addresses lock those, while the holder still
    signs in from 127.0.0.1. So no lock-out says 账户已锁定: the one that locks and those refused
    after it say when to try again, 登录失败次数过多，请在15分钟后再试 — for the shared count of
    unfamiliar addresses, for a familiar address's own lock, and, step by step the same, for a
    made-up login (which tells nothing of whether a login exists). The sign-in page says the
    same words with the same status."""
    _, login, one_time = new_unit_admin(city)
    account = expect(sign_in(d, login, one_time, HOME), 200).json["account"]["id"]   # 127.0.0.1 is familiar from now on

    def answers(login: str, clients: list[str]) -> list[tuple[int, str]]:
        return [(r.status, r.error()["message"]) for r in (sign_in(d, login, f"Wrong-{n}", c) for n, c in enumerate(clients))]

    unfamiliar = [f"203.0.113.{n}" for n in range(60, 66)]
    shared = answers(login, unfamiliar)
    assert shared == [(401, "登录名或密码错误")] * 4 + [(429, LOCKED)] * 2, shared
    right_elsewhere = sign_in(d, login, one_time, "198.51.100.60")
    assert (right_elsewhere.status, right_elsewhere.error()["message"]) == (429, LOCKED)
    # What a 账户已锁定 would have denied: the holder, where they signed in before.
    expect(sign_in(d, login, one_time, HOME), 200)
    # The page, from another unfamiliar address: the same words, the same status.
    assert page_sign_in(d, login, one_time, "198.51.100.61") == (429, LOCKED)

    # A made-up login, from an address of its own, answered as the real one at every step.
    made_up = answers(unique("zhao.liu"), [f"203.0.113.{n}" for n in range(70, 76)])
    assert made_up == shared, (made_up, shared)

    # The familiar address's own lock: the same words (the shared count's lock stands apart).
    at_home = answers(login, [HOME] * 6)
    assert at_home == [(401, "登录名或密码错误")] * 4 + [(429, LOCKED)] * 2, at_home
    assert page_sign_in(d, login, one_time, HOME) == (429, LOCKED)
    assert familiar(d, account) == [(HOME, 0, True)]


def test_the_source_is_the_client_address_without_its_port(d: Daemon, city) -> None:
    """The source is the client's address alone: a sign-in through the proxy for 192.0.2.44 (said
    with a port, as some proxies add one) makes 192.0.2.44 familiar, and the right password from
    there, on another port, works while the shared count is locked; the proxy's own address and
    127.0.0.1, never signed in from, stay locked. The parent's 初始化密码 lifts the lock and
    keeps the familiar address."""
    api, admin = city
    org, login, one_time = new_unit_admin(city)
    first = expect(sign_in(d, login, one_time, "192.0.2.44:50001"), 200).json
    account = first["account"]["id"]
    expect(post(d, "account/password", {"old_password": one_time, "new_password": NEW_PASSWORD}, "192.0.2.44", token=first["token"]), (200, 204))
    assert familiar(d, account) == [("192.0.2.44", 0, False)]
    assert wrong(d, login, [f"203.0.113.{n}" for n in range(10, 15)]) == [401, 401, 401, 401, 429]
    expect(sign_in(d, login, NEW_PASSWORD, "192.0.2.44:61000"), 200)
    expect(sign_in(d, login, NEW_PASSWORD, "192.0.2.44"), 200)
    expect(sign_in(d, login, NEW_PASSWORD, "192.0.2.45"), 429)
    expect(sign_in(d, login, NEW_PASSWORD, PROXY), 429)
    expect(sign_in(d, login, NEW_PASSWORD, HOME), 429)

    reset = expect(admin.post(f"orgs/{org['id']}/admin/reset-password"), 200).json["password"]
    assert familiar(d, account) == [("192.0.2.44", 0, False)]
    expect(sign_in(d, login, "Wrong-after-reset", "203.0.113.10"), 401)
    expect(sign_in(d, login, reset, HOME), 200)


def test_made_up_logins_are_answered_as_real_ones_from_an_unfamiliar_address(d: Daemon, city) -> None:
    """An attacker's address is familiar to no account: a real login that has signed in (from
    127.0.0.1) and a made-up one get the same answers from it, step by step (401 four times, then
    429 with the same message), the made-up one counted as before (a `tenant_meta` counter that
    names no login), and neither makes any address familiar. 127.0.0.1 then finds the made-up
    login locked (it has no familiar address), the real one not."""
    api, admin = city
    login = unique("li.si")
    created = expect(admin.post("orgs/1/staff", {"login": login, "name": "李四"}), 201).json
    expect(admin.post(f"staff/{created['account']['id']}/enable"), 200)
    staff = api.first_login(login, created["password"])
    assert familiar(d, staff.account["id"]) == [(HOME, 0, False)]

    def answers(login: str, client: str) -> list[tuple[int, str]]:
        return [(r.status, r.error()["message"]) for r in (sign_in(d, login, f"Wrong-{n}", client) for n in range(7))]

    def counted() -> dict[str, str]:
        return dict(db_rows(d.tenant_db(CITY), "SELECT key, value FROM tenant_meta WHERE key LIKE 'unknown_sign_in_%'"))

    made_up_login = "410204199003079999"
    before = counted()
    with unchanged(d, CITY, ignore=("sign_in_failures", "audit", "tenant_meta")):
        real = answers(login, "203.0.113.20")
        made_up = answers(made_up_login, "203.0.113.21")
    assert [s for s, _ in real] == [401, 401, 401, 401, 429, 429, 429], real
    assert made_up == real, (made_up, real)
    after = counted()
    assert int(after["unknown_sign_in_failures"]) - int(before.get("unknown_sign_in_failures", "0")) == 5, (before, after)
    assert int(after["unknown_sign_in_locks"]) - int(before.get("unknown_sign_in_locks", "0")) == 1, (before, after)
    assert made_up_login not in repr(db_rows(d.tenant_db(CITY), "SELECT * FROM tenant_meta"))
    expect(sign_in(d, made_up_login, "Wrong-x", HOME), 429)
    expect(sign_in(d, login, NEW_PASSWORD, HOME), 200)


def test_a_wrong_old_password_counts_where_it_is_sent_from(d: Daemon, city) -> None:
    """Changing the password: a wrong old password counts as a failed sign-in from the request's
    address. From the familiar address it locks that address, not the shared count: an address
    never used still signs in. The change, once made, clears every count (the lock at 127.0.0.1
    too) and keeps the familiar addresses."""
    org, login, one_time = new_unit_admin(city)
    s = city[0].first_login(login, one_time)
    account = s.account["id"]
    codes = [post(d, "account/password", {"old_password": f"Wrong-{n}1", "new_password": OTHER_PASSWORD}, HOME, token=s.token).status for n in range(5)]
    assert codes == [400, 400, 400, 400, 429], codes
    expect(sign_in(d, login, NEW_PASSWORD, HOME), 429)
    assert familiar(d, account) == [(HOME, 0, True)]
    other = expect(sign_in(d, login, NEW_PASSWORD, "198.51.100.30"), 200).json
    expect(post(d, "account/password", {"old_password": NEW_PASSWORD, "new_password": OTHER_PASSWORD}, "198.51.100.30", token=other["token"]), (200, 204))
    assert familiar(d, account) == [(HOME, 0, False), ("198.51.100.30", 0, False)]
    expect(sign_in(d, login, OTHER_PASSWORD, HOME), 200)


def test_an_address_signed_in_from_more_than_90_days_ago_is_unfamiliar_again(d: Daemon, city) -> None:
    """Familiar for 90 days after its latest sign-in: past that, the address counts in the shared
    count again (locked here); within them, it has its own."""
    org, login, one_time = new_unit_admin(city)
    account = city[0].first_login(login, one_time).account["id"]
    db = d.tenant_db(CITY)

    def signed_in_days_ago(days: int) -> None:
        con = sqlite3.connect(db, timeout=10)
        try:
            with con:
                con.execute("UPDATE sign_in_sources SET signed_in_at = ? WHERE account_id = ?", (time.time() - days * 86400, account))
        finally:
            con.close()

    signed_in_days_ago(91)
    assert wrong(d, login, [f"203.0.113.{n}" for n in range(30, 35)]) == [401, 401, 401, 401, 429]
    expect(sign_in(d, login, NEW_PASSWORD, HOME), 429)
    signed_in_days_ago(89)
    expect(sign_in(d, login, NEW_PASSWORD, HOME), 200)
    assert db_rows(db, "SELECT signed_in_at > ? FROM sign_in_sources WHERE account_id = ?", time.time() - 60, account) == [(1,)]
