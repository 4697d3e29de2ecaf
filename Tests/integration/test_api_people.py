"""本单位人员角色管理 and 创建申报人员账户 (SPEC §6; manual 二 §4, §5) through the JSON API:
staff (add disabled, 启动/停用, roles, review permissions by series and content, edit,
delete), applicants (ID-card numbers checked per GB 11643, unique in the tenant, edit,
delete, CSV import), and the first sign-in of both with their one-time passwords.

One daemon for the module; two approved units (A and B) directly under the city office.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from urllib.parse import quote

import pytest

from api_support import (
    ID_NUMBERS,
    NEW_PASSWORD,
    PHONE,
    Api,
    module_daemon,
    Session,
    TwoSchools,
    approve_unit,
    bad_check,
    create_child,
    expect,
    fresh_id_number,
    id_number,
    two_schools,
    unchanged,
    unique,
)
from api_support import REVIEW_SECTIONS
from conftest import Daemon, clean_env, create_tenant

TENANT = "zhengzhou"


Env = TwoSchools


@pytest.fixture(scope="module")
def env(request: pytest.FixtureRequest, zhichengd_bin: str, tmp_path_factory: pytest.TempPathFactory):
    with module_daemon(request, zhichengd_bin, tmp_path_factory.mktemp("api-people")) as d:
        yield two_schools(d, TENANT)


def add_staff(s: Session, org_id: int, login: str | None = None, name: str = "王老师", **extra: str) -> tuple[dict, str]:
    body = {"login": login or unique("staff"), "name": name, **extra}
    r = expect(s.post(f"orgs/{org_id}/staff", body), 201).json
    return r["account"], r["password"]


def add_applicant(s: Session, org_id: int, number: str | None = None, name: str = "张三", **extra: str) -> tuple[dict, str]:
    body = {"id_number": number or fresh_id_number(), "name": name, **extra}
    r = expect(s.post(f"orgs/{org_id}/applicants", body), 201).json
    return r["account"], r["password"]


def staff_ids(s: Session, org_id: int) -> dict[int, dict]:
    return {a["id"]: a for a in expect(s.get(f"orgs/{org_id}/staff"), 200).json["staff"]}


def applicant_ids(s: Session, org_id: int) -> dict[int, dict]:
    return {a["id"]: a for a in expect(s.get(f"orgs/{org_id}/applicants"), 200).json["applicants"]}


# --------------------------------------------------------------------------- staff


def test_staff_added_disabled_until_enabled(env: Env) -> None:
    login = unique("wanglaoshi")
    acct, one_time = add_staff(env.a_s, env.a["id"], login, "王老师", phone=PHONE)
    assert (acct["login"], acct["name"], acct["org_id"], acct["kind"]) == (login, "王老师", env.a["id"], "staff"), acct
    assert acct["enabled"] is False and acct["roles"] == [] and acct["must_change_password"] is True, acct
    assert acct["phone"] == PHONE and acct["permissions"] == {"series": [], "sections": []}, acct
    assert isinstance(one_time, str) and len(one_time) >= 8
    assert staff_ids(env.a_s, env.a["id"])[acct["id"]]["enabled"] is False
    # disabled: sign-in refused, whatever the password
    expect(env.api.sign_in_raw(login, one_time), 403)
    # 启动
    r = expect(env.a_s.post(f"staff/{acct['id']}/enable"), 200).json
    assert r["enabled"] is True and r["id"] == acct["id"]
    assert staff_ids(env.a_s, env.a["id"])[acct["id"]]["enabled"] is True
    expect(env.a_s.post(f"staff/{acct['id']}/enable"), 200)   # enabling twice is harmless
    s = env.api.sign_in(login, one_time)
    assert s.account["must_change_password"] is True and s.account["kind"] == "staff"
    expect(s.get(f"orgs/{env.a['id']}"), 403)                       # must change the password first
    expect(s.post("account/password", {"old_password": one_time, "new_password": NEW_PASSWORD}), (200, 204))
    me = expect(s.get("account"), 200).json
    assert me["login"] == login and me["org_id"] == env.a["id"] and me["must_change_password"] is False
    # 停用 ends the session
    expect(env.a_s.post(f"staff/{acct['id']}/disable"), 200)
    expect(s.get("account"), 401)
    expect(env.api.sign_in_raw(login, NEW_PASSWORD), 403)


@pytest.mark.parametrize("body,field", [
    ({"login": "ab", "name": "赵六"}, "login"),
    ({"login": "a" * 33, "name": "赵六"}, "login"),
    ({"login": "张三丰", "name": "赵六"}, "login"),
    ({"login": "zhao liu", "name": "赵六"}, "login"),
    ({"login": "zhao@liu", "name": "赵六"}, "login"),
    ({"login": "12345", "name": "赵六"}, "login"),            # digits are for org codes and ID numbers
    ({"name": "赵六"}, "login"),
    ({"login": "zhaoliu"}, "name"),
    ({"login": "zhaoliu", "name": ""}, "name"),
    ({"login": "zhaoliu", "name": "赵六", "phone": "123"}, "phone"),
    ({"login": ["zhaoliu"], "name": "赵六"}, "login"),
])
def test_staff_add_validation(env: Env, body: dict, field: str) -> None:
    with unchanged(env.d, TENANT):
        expect(env.a_s.post(f"orgs/{env.a['id']}/staff", body), 400, field=field)


def fresh_id_ending_in_x() -> str:
    while True:
        n = fresh_id_number()
        if n.endswith("X"):
            return n


def test_staff_login_shaped_like_an_id_number_is_refused(env: Env) -> None:
    number = fresh_id_ending_in_x()
    with unchanged(env.d, TENANT):
        expect(env.a_s.post(f"orgs/{env.a['id']}/staff", {"login": number, "name": "赵六"}), 400, field="login")


def test_staff_login_unique_in_tenant(env: Env) -> None:
    login = unique("lilaoshi")
    add_staff(env.a_s, env.a["id"], login)
    with unchanged(env.d, TENANT):
        expect(env.a_s.post(f"orgs/{env.a['id']}/staff", {"login": login, "name": "李老师"}), 409)
        expect(env.b_s.post(f"orgs/{env.b['id']}/staff", {"login": login, "name": "另一个李老师"}), 409)
        expect(env.city.post("orgs/1/staff", {"login": login, "name": "市里的李老师"}), 409)


def test_staff_login_unique_in_tenant_whatever_its_case(env: Env) -> None:
    """A login is one login whatever its case (sign-in finds `Zhang.Wei` by `zhang.wei`): a new
    one that differs from a live one only by case is taken, 409 naming the 登录名 and the login
    that has it, through the API and the 本单位人员 form alike, and nothing is written."""
    login = unique("Zhang.Wei")
    add_staff(env.a_s, env.a["id"], login)
    with unchanged(env.d, TENANT):
        for s, org_id, typed in ((env.a_s, env.a["id"], login.lower()), (env.b_s, env.b["id"], login.upper()),
                                 (env.city, 1, login.swapcase()), (env.a_s, env.a["id"], f" {login.lower()} ")):
            r = expect(s.post(f"orgs/{org_id}/staff", {"login": typed, "name": "张伟"}), 409, contains="登录名")
            assert r.error()["message"] == f"登录名 {typed.strip()} 已被使用（登录名不区分大小写，已有 {login}）", r.error()
        form = "&".join(f"{quote(k)}={quote(v)}" for k, v in [("_csrf", env.a_s.csrf), ("login", login.upper()), ("name", "张伟"), ("phone", "")])
        page = env.api.raw("POST", f"/t/{TENANT}/staff", body=form.encode(),
                           headers={"Cookie": f"zc_session={env.a_s.cookie}", "Content-Type": "application/x-www-form-urlencoded"})
        assert page.status == 409 and f"登录名 {login.upper()} 已被使用" in page.body.decode(), (page.status, page.body.decode()[-1500:])
    # The exact login's refusal reads as before; a deleted account's login is free again, in any case.
    with unchanged(env.d, TENANT):
        r = expect(env.b_s.post(f"orgs/{env.b['id']}/staff", {"login": login, "name": "张伟"}), 409)
        assert r.error()["message"] == f"登录名 {login} 已被使用", r.error()
    gone, _ = add_staff(env.a_s, env.a["id"], unique("Li.Na"))
    expect(env.a_s.delete(f"staff/{gone['id']}"), (200, 204))
    again, _ = add_staff(env.b_s, env.b["id"], gone["login"].upper())
    assert again["login"] == gone["login"].upper(), again


def test_staff_roles(env: Env) -> None:
    acct, _ = add_staff(env.a_s, env.a["id"])
    sid = acct["id"]
    assert expect(env.a_s.put(f"staff/{sid}/roles", {"roles": ["handler"]}), 200).json["roles"] == ["handler"]
    r = expect(env.a_s.put(f"staff/{sid}/roles", {"roles": ["leader", "handler"]}), 200).json
    assert sorted(r["roles"]) == ["handler", "leader"]
    r = expect(env.a_s.put(f"staff/{sid}/roles", {"roles": ["leader", "leader"]}), 200).json
    assert r["roles"] == ["leader"]
    with unchanged(env.d, TENANT):
        expect(env.a_s.put(f"staff/{sid}/roles", {"roles": ["boss"]}), 400, field="roles")
        expect(env.a_s.put(f"staff/{sid}/roles", {"roles": ["handler", "经办人"]}), 400, field="roles")
        expect(env.a_s.put(f"staff/{sid}/roles", {"roles": "handler"}), 400, field="roles")
        expect(env.a_s.put(f"staff/{sid}/roles", {}), 400, field="roles")
        expect(env.a_s.put("staff/99999/roles", {"roles": ["handler"]}), 404)
        expect(env.b_s.put(f"staff/{sid}/roles", {"roles": ["handler"]}), 404)    # another org's admin
        expect(env.city.put(f"staff/{sid}/roles", {"roles": ["handler"]}), 404)    # even the parent
    assert staff_ids(env.a_s, env.a["id"])[sid]["roles"] == ["leader"]
    # an applicant's account is not staff
    app, _ = add_applicant(env.a_s, env.a["id"])
    with unchanged(env.d, TENANT):
        expect(env.a_s.put(f"staff/{app['id']}/roles", {"roles": ["handler"]}), 404)
        expect(env.a_s.post(f"staff/{app['id']}/enable"), 404)


def test_staff_permissions_by_series_and_content(env: Env) -> None:
    catalog = expect(env.api.get("catalog"), 200).json
    series = [s["name"] for s in catalog["series"]]
    sections = catalog["sections"]
    assert len(series) >= 2 and sections == REVIEW_SECTIONS, catalog  # the tests' one list of them
    assert catalog["levels"] == ["初级", "中级", "副高级", "正高级"], catalog
    acct, _ = add_staff(env.a_s, env.a["id"])
    sid = acct["id"]
    want_series, want_sections = series[:2], [sections[0], sections[4]]
    r = expect(env.a_s.put(f"staff/{sid}/permissions", {"series": want_series, "sections": want_sections}), 200).json
    assert r["permissions"]["series"] == want_series and r["permissions"]["sections"] == want_sections, r
    listed = staff_ids(env.a_s, env.a["id"])[sid]["permissions"]
    assert listed == {"series": want_series, "sections": want_sections}, listed
    with unchanged(env.d, TENANT):
        expect(env.a_s.put(f"staff/{sid}/permissions", {"series": ["火箭科学"], "sections": []}), 400, field="series")
        expect(env.a_s.put(f"staff/{sid}/permissions", {"series": [series[0], "不存在的系列"], "sections": []}), 400,
               field="series")
        expect(env.a_s.put(f"staff/{sid}/permissions", {"series": [], "sections": ["八卦"]}), 400, field="sections")
        expect(env.a_s.put(f"staff/{sid}/permissions", {"series": []}), 400, field="sections")
        expect(env.a_s.put(f"staff/{sid}/permissions", {"series": series[0], "sections": []}), 400, field="series")
        expect(env.b_s.put(f"staff/{sid}/permissions", {"series": [], "sections": []}), 404)
    r = expect(env.a_s.put(f"staff/{sid}/permissions", {"series": [], "sections": []}), 200).json
    assert r["permissions"] == {"series": [], "sections": []}


def test_staff_edit_and_delete(env: Env) -> None:
    login = unique("zhoulaoshi")
    acct, one_time = add_staff(env.a_s, env.a["id"], login, "周老师")
    sid = acct["id"]
    expect(env.a_s.post(f"staff/{sid}/enable"), 200)
    s = env.api.first_login(login, one_time)
    r = expect(env.a_s.patch(f"staff/{sid}", {"name": "周老师（教务）", "phone": "0371-65123456"}), 200).json
    assert (r["name"], r["phone"], r["login"]) == ("周老师（教务）", "0371-65123456", login), r
    r = expect(env.a_s.patch(f"staff/{sid}", {"phone": ""}), 200).json
    assert (r["name"], r["phone"]) == ("周老师（教务）", ""), r
    with unchanged(env.d, TENANT):
        expect(env.a_s.patch(f"staff/{sid}", {"phone": "12"}), 400, field="phone")
        expect(env.a_s.patch(f"staff/{sid}", {"name": ""}), 400, field="name")
        expect(env.b_s.patch(f"staff/{sid}", {"name": "越界"}), 404)
        expect(env.city.patch(f"staff/{sid}", {"name": "越界"}), 404)
        expect(s.patch(f"staff/{sid}", {"name": "自己改"}), 403)
        expect(env.b_s.delete(f"staff/{sid}"), 404)
        expect(s.delete(f"staff/{sid}"), 403)
    assert expect(s.get("account"), 200).json["name"] == "周老师（教务）"
    expect(env.a_s.delete(f"staff/{sid}"), (200, 204))
    assert sid not in staff_ids(env.a_s, env.a["id"])
    expect(s.get("account"), 401)
    expect(env.api.sign_in_raw(login, NEW_PASSWORD), 401)
    with unchanged(env.d, TENANT):
        expect(env.a_s.delete(f"staff/{sid}"), 404)
        expect(env.a_s.patch(f"staff/{sid}", {"name": "复活"}), 404)
        expect(env.a_s.post(f"staff/{sid}/enable"), 404)


def test_staff_are_found_by_a_whole_login_in_any_case(env: Env) -> None:
    """A login is one login whatever its case (schema v28): the staff list's search finds
    `Zhang.Wei` typed as `zhang.wei`, in capitals, in full width or with blanks around, through
    the API and the 本单位人员 screen, and still only whole; two logins that differ only by case,
    made before logins were one, are both found by either (a search names no account)."""
    org, admin = create_child(env.city, 1, unique("郑州市骨科医院"), "unit")
    unit = approve_unit(env.api, env.city, org["id"], admin["login"], admin["password"])
    login = unique("Zhang.Wei")
    zhang, _ = add_staff(unit, org["id"], login=login, name="张伟")
    other, _ = add_staff(unit, org["id"], login=unique("li.na"), name="李娜")

    def found(q: str) -> list[int]:
        got = expect(unit.get(f"orgs/{org['id']}/staff?q={quote(q)}"), 200).json
        assert got["total"] == len(got["staff"]), got
        return [a["id"] for a in got["staff"]]

    full_width = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in login.swapcase())
    for typed in (login, login.lower(), login.upper(), login.swapcase(), f" {login.lower()} ", full_width):
        assert found(typed) == [zhang["id"]], typed
    for part in (login.lower()[:-1], "zhang", login.lower().replace(".", "_")):
        assert found(part) == [], part
    page = env.api.raw("GET", f"/t/{TENANT}/staff?q={quote(login.upper())}", headers={"Cookie": f"zc_session={unit.cookie}"}).body.decode()
    assert 'id="staff-total">1<' in page and "张伟" in page and "李娜" not in page, page[-3000:]
    # Logins that differ only by case, made before (given behind the daemon's back, as an older
    # database may hold them): a search in any case lists both.
    con = sqlite3.connect(env.d.tenant_db(TENANT), timeout=10)
    try:
        with con:
            con.execute("UPDATE accounts SET login = ? WHERE id = ?", (login.lower(), other["id"]))
    finally:
        con.close()
    for typed in (login, login.lower(), login.upper()):
        assert sorted(found(typed)) == sorted([zhang["id"], other["id"]]), typed


# --------------------------------------------------------------------------- applicants


@pytest.mark.parametrize("number,field", [
    (bad_check(ID_NUMBERS[1]), "id_number"),                 # wrong check digit
    (bad_check(ID_NUMBERS[0]), "id_number"),
    (ID_NUMBERS[2][:17], "id_number"),                       # 17 characters
    (ID_NUMBERS[2] + "1", "id_number"),
    ("41010419900307123A", "id_number"),
    (id_number("11010519491331002"), "id_number"),           # month 13, right check digit
    (id_number("11010519490230002"), "id_number"),           # 30 February
    (id_number("99010519491231002"), "id_number"),           # no such province
    ("", "id_number"),
])
def test_applicant_id_number_validation(env: Env, number: str, field: str) -> None:
    with unchanged(env.d, TENANT):
        expect(env.a_s.post(f"orgs/{env.a['id']}/applicants", {"id_number": number, "name": "张三"}), 400, field=field)


def test_applicant_bad_check_digit_message(env: Env) -> None:
    with unchanged(env.d, TENANT):
        r = expect(env.a_s.post(f"orgs/{env.a['id']}/applicants",
                                {"id_number": bad_check(ID_NUMBERS[2]), "name": "张三"}), 400, field="id_number")
        assert "校验" in r.error()["message"], r


def test_applicant_other_fields_validation(env: Env) -> None:
    with unchanged(env.d, TENANT):
        expect(env.a_s.post(f"orgs/{env.a['id']}/applicants", {"id_number": fresh_id_number()}), 400, field="name")
        expect(env.a_s.post(f"orgs/{env.a['id']}/applicants", {"id_number": fresh_id_number(), "name": ""}), 400,
               field="name")
        expect(env.a_s.post(f"orgs/{env.a['id']}/applicants", {"name": "张三"}), 400, field="id_number")
        expect(env.a_s.post(f"orgs/{env.a['id']}/applicants",
                            {"id_number": fresh_id_number(), "name": "张三", "phone": "5551234"}), 400, field="phone")


def test_applicant_add_edit_delete_and_uniqueness(env: Env) -> None:
    number = ID_NUMBERS[0]  # ends in X
    acct, one_time = add_applicant(env.a_s, env.a["id"], number.lower(), "张三", phone=PHONE)
    assert acct["login"] == number and acct["kind"] == "applicant" and acct["org_id"] == env.a["id"], acct
    assert acct["enabled"] is True and acct["must_change_password"] is True and acct["name"] == "张三", acct
    assert applicant_ids(env.a_s, env.a["id"])[acct["id"]]["login"] == number
    # unique in the tenant, whatever the case of the X and whichever org
    with unchanged(env.d, TENANT):
        expect(env.a_s.post(f"orgs/{env.a['id']}/applicants", {"id_number": number, "name": "张三"}), 409)
        expect(env.a_s.post(f"orgs/{env.a['id']}/applicants", {"id_number": number.lower(), "name": "张三"}), 409)
        expect(env.b_s.post(f"orgs/{env.b['id']}/applicants", {"id_number": number, "name": "张三"}), 409)
        expect(env.city.post("orgs/1/applicants", {"id_number": f" {number} ", "name": "张三"}), 409)
    # edit
    r = expect(env.a_s.patch(f"applicants/{acct['id']}", {"name": "张三丰", "phone": "13912345678"}), 200).json
    assert (r["name"], r["phone"], r["login"]) == ("张三丰", "13912345678", number), r
    with unchanged(env.d, TENANT):
        expect(env.a_s.patch(f"applicants/{acct['id']}", {"phone": "139"}), 400, field="phone")
        expect(env.a_s.patch(f"applicants/{acct['id']}", {"name": " "}), 400, field="name")
        expect(env.b_s.patch(f"applicants/{acct['id']}", {"name": "越界"}), 404)
        expect(env.city.patch(f"applicants/{acct['id']}", {"name": "越界"}), 404)
        expect(env.b_s.delete(f"applicants/{acct['id']}"), 404)
    assert applicant_ids(env.a_s, env.a["id"])[acct["id"]]["name"] == "张三丰"
    # the applicant signs in with the ID number (a lower-case x works) and must change the password
    s = env.api.sign_in(number.lower(), one_time)
    assert s.account["login"] == number and s.account["kind"] == "applicant" and s.account["must_change_password"] is True
    expect(s.get(f"orgs/{env.a['id']}/profile"), 403)
    with unchanged(env.d, TENANT):
        expect(s.patch(f"applicants/{acct['id']}", {"name": "自己改"}), 403)
    expect(s.post("account/password", {"old_password": one_time, "new_password": NEW_PASSWORD}), (200, 204))
    me = expect(s.get("account"), 200).json
    assert me["must_change_password"] is False and me["login"] == number
    # delete
    expect(env.a_s.delete(f"applicants/{acct['id']}"), (200, 204))
    assert acct["id"] not in applicant_ids(env.a_s, env.a["id"])
    expect(s.get("account"), 401)
    expect(env.api.sign_in_raw(number, NEW_PASSWORD), 401)
    with unchanged(env.d, TENANT):
        expect(env.a_s.delete(f"applicants/{acct['id']}"), 404)
        expect(env.a_s.patch(f"applicants/{acct['id']}", {"name": "复活"}), 404)


def test_deleted_applicant_can_be_added_again(env: Env) -> None:
    number = fresh_id_number()
    acct, _ = add_applicant(env.a_s, env.a["id"], number)
    expect(env.a_s.delete(f"applicants/{acct['id']}"), (200, 204))
    # e.g. added to the wrong unit by mistake: the right unit adds the person again
    again = expect(env.b_s.post(f"orgs/{env.b['id']}/applicants", {"id_number": number, "name": "张三"}), 201).json
    assert again["account"]["login"] == number


def test_applicants_come_a_page_at_a_time_and_are_found_by_name_or_number(env: Env) -> None:
    """A hospital has thousands of applicants: the list comes a page at a time when asked (the
    screen always asks), with how many match in all; a name (part of it, taken literally) or a
    whole ID-card number as typed finds a person."""
    org, admin = create_child(env.city, 1, unique("郑州市人民医院"), "unit")
    unit = approve_unit(env.api, env.city, org["id"], admin["login"], admin["password"])
    made = [add_applicant(unit, org["id"], name=name)[0] for name in ("李明", "王明", "赵华", "钱100%", "孙_一")]
    everyone = expect(unit.get(f"orgs/{org['id']}/applicants"), 200).json
    assert [a["id"] for a in everyone["applicants"]] == [a["id"] for a in made] and everyone["total"] == 5, everyone
    seen, after = [], None
    while True:
        page = expect(unit.get(f"orgs/{org['id']}/applicants?limit=2" + (f"&after={after}" if after else "")), 200).json
        assert page["total"] == 5 and len(page["applicants"]) <= 2, page
        seen += [a["id"] for a in page["applicants"]]
        if (after := page.get("next")) is None:
            break
    assert seen == [a["id"] for a in made]

    def found(q: str) -> list[str]:
        got = expect(unit.get(f"orgs/{org['id']}/applicants?q={quote(q)}"), 200).json
        assert got["total"] == len(got["applicants"]), got
        return [a["name"] for a in got["applicants"]]

    assert found("明") == ["李明", "王明"]
    assert found("%") == ["钱100%"] and found("_") == ["孙_一"], "wildcards are taken literally"
    number = made[2]["login"]
    assert found(number.lower()) == ["赵华"] and found(number[:10]) == [], "a number is found whole only"
    assert found(f" {number[:6]} {number[6:]} ") == ["赵华"]
    # A client that sends a blank as + (as forms do) is read the same as the screens read it.
    assert [a["name"] for a in expect(unit.get(f"orgs/{org['id']}/applicants?q={number[:6]}+{number[6:]}"), 200).json["applicants"]] == ["赵华"]
    expect(unit.get(f"orgs/{org['id']}/applicants?limit=abc"), 400, field="limit")
    expect(unit.get(f"orgs/{org['id']}/applicants?after=x1"), 400, field="after")
    # Empty is absent (as the committee desk's cursor and ?year= read it): the first page, the default size.
    assert expect(unit.get(f"orgs/{org['id']}/applicants?after=&limit="), 200).json == expect(unit.get(f"orgs/{org['id']}/applicants"), 200).json
    expect(unit.get(f"orgs/{org['id']}/applicants?q=" + quote("长" * 41)), 400, field="q")
    # The screen: its search box (a browser sends a blank as +), and its pages of 100.
    cookie = {"Cookie": f"zc_session={unit.cookie}"}
    page = env.api.raw("GET", f"/t/{TENANT}/applicants?q={quote('明')}", headers=cookie).body.decode()
    assert 'id="applicant-total">2<' in page and "李明" in page and "赵华" not in page, page[-3000:]
    grouped = env.api.raw("GET", f"/t/{TENANT}/applicants?q={number[:6]}+{number[6:14]}+{number[14:]}+", headers=cookie).body.decode()
    assert 'id="applicant-total">1<' in grouped and "赵华" in grouped, grouped[-3000:]
    assert f'value="{number[:6]} {number[6:14]} {number[14:]} "' in grouped, "the box shows the blanks typed, not +"
    imported = expect(import_csv(unit, org["id"], "\n".join(f"{fresh_id_number()},批量{i}," for i in range(96))), 200).json
    assert len(imported["created"]) == 96, imported["errors"]
    first = env.api.raw("GET", f"/t/{TENANT}/applicants", headers=cookie).body.decode()
    assert 'id="applicant-total">101<' in first and first.count("<tr data-login=") == 100 and 'id="applicants-first"' not in first
    following = re.search(r'id="applicants-next" href="([^"]+)"', first)
    assert following, first[-2000:]
    second = env.api.raw("GET", following.group(1).replace("&amp;", "&"), headers=cookie).body.decode()
    assert second.count("<tr data-login=") == 1 and "批量95" in second and 'id="applicants-first"' in second and 'id="applicants-next"' not in second
    # Its only row deleted from there, the answer is the first page, not an empty one.
    last = re.search(r'action="/t/[^"]+/applicants/(\d+)/delete"><input type="hidden" name="_csrf" value="[^"]*"><input type="hidden" name="_back_q" value=""><input type="hidden" name="_back_after" value="(\d+)">', second)
    assert last, second[-2000:]
    body = "&".join(f"{quote(k)}={quote(v)}" for k, v in [("_csrf", unit.csrf), ("_back_q", ""), ("_back_after", last.group(2)), ("_confirmed", "1")])
    gone = env.api.raw("POST", f"/t/{TENANT}/applicants/{last.group(1)}/delete", body=body.encode(), headers={**cookie, "Content-Type": "application/x-www-form-urlencoded"})
    assert gone.status == 303 and gone.headers.get("location", "").endswith(f"applicants?after={last.group(2)}"), gone.headers
    back = env.api.raw("GET", gone.headers["location"], headers=cookie).body.decode()
    assert 'id="applicant-total">100<' in back and back.count("<tr data-login=") == 100, back[-2000:]


def test_staff_come_a_page_at_a_time_and_are_found_by_name_or_login(env: Env) -> None:
    """As applicants: the province office's staff are its thousands of experts too."""
    org, admin = create_child(env.city, 1, unique("郑州市中心医院"), "unit")
    unit = approve_unit(env.api, env.city, org["id"], admin["login"], admin["password"])
    made = [add_staff(unit, org["id"], login=unique("doc"), name=name)[0] for name in ("周医生", "吴医生", "郑护士")]
    everyone = expect(unit.get(f"orgs/{org['id']}/staff"), 200).json
    assert [a["id"] for a in everyone["staff"]] == [a["id"] for a in made] and everyone["total"] == 3, everyone
    first = expect(unit.get(f"orgs/{org['id']}/staff?limit=2"), 200).json
    rest = expect(unit.get(f"orgs/{org['id']}/staff?limit=2&after={first['next']}"), 200).json
    assert [a["id"] for a in first["staff"] + rest["staff"]] == [a["id"] for a in made] and rest.get("next") is None
    assert [a["name"] for a in expect(unit.get(f"orgs/{org['id']}/staff?q={quote('医生')}"), 200).json["staff"]] == ["周医生", "吴医生"]
    assert [a["name"] for a in expect(unit.get(f"orgs/{org['id']}/staff?q={made[2]['login']}"), 200).json["staff"]] == ["郑护士"]
    page = env.api.raw("GET", f"/t/{TENANT}/staff?q={quote('护士')}", headers={"Cookie": f"zc_session={unit.cookie}"}).body.decode()
    assert 'id="staff-total">1<' in page and "郑护士" in page and "周医生" not in page, page[-3000:]
    # A row's form posted from that view goes back to it, search kept (not to page 1 of everyone).
    assert 'name="_back_q" value="护士"' in page, page[-3000:]
    body = "&".join(f"{quote(k)}={quote(v)}" for k, v in [("_csrf", unit.csrf), ("name", "郑护士长"), ("phone", ""), ("_back_q", "护士"), ("_back_after", "")])
    r = env.api.raw("POST", f"/t/{TENANT}/staff/{made[2]['id']}/edit", body=body.encode(),
                    headers={"Cookie": f"zc_session={unit.cookie}", "Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 303 and r.headers.get("location", "").endswith(f"/t/{TENANT}/staff?q={quote('护士', safe='')}"), (r.status, r.headers)
    # Refused, it comes back to that view too, and says nothing of the view's fields as unsaved text.
    body = "&".join(f"{quote(k)}={quote(v)}" for k, v in [("_csrf", unit.csrf), ("_back_q", "护士"), ("_back_after", "")])
    refused = env.api.raw("POST", f"/t/{TENANT}/staff/999999/disable", body=body.encode(),
                          headers={"Cookie": f"zc_session={unit.cookie}", "Content-Type": "application/x-www-form-urlencoded"}).body.decode()
    assert "郑护士长" in refused and "周医生" not in refused and "没有保存" not in refused, refused[-3000:]


def test_applicant_first_sign_in(env: Env) -> None:
    acct, one_time = add_applicant(env.a_s, env.a["id"], ID_NUMBERS[1], "李四")
    s = env.api.sign_in(ID_NUMBERS[1], one_time)
    assert s.account["must_change_password"] is True and s.account["kind"] == "applicant"
    with unchanged(env.d, TENANT):
        expect(s.get("audit"), 403)
        expect(s.post("account/password", {"old_password": one_time, "new_password": "1234567"}), 400,
               field="new_password")
    expect(s.post("account/password", {"old_password": one_time, "new_password": NEW_PASSWORD}), (200, 204))
    expect(env.api.sign_in_raw(ID_NUMBERS[1], one_time), 401)
    assert env.api.sign_in(ID_NUMBERS[1], NEW_PASSWORD).account["id"] == acct["id"]


# --------------------------------------------------------------------------- CSV import


def import_csv(s: Session, org_id: int, text: str | bytes, content_type: str = "text/csv; charset=utf-8"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return s.call("POST", f"orgs/{org_id}/applicants/import", data=data, content_type=content_type)


def test_csv_import_with_header(env: Env) -> None:
    existing, _ = add_applicant(env.a_s, env.a["id"])
    v1, v2, v3 = fresh_id_number(), fresh_id_number(), fresh_id_number()
    csv = "\n".join([
        "身份证号,姓名,手机号",            # row 1: header
        f"{v1},张一,{PHONE}",              # row 2: ok
        f"{bad_check(v3)},张二,",          # row 3: wrong check digit
        f"{v2},张三",                      # row 4: ok, no phone
        f"{fresh_id_number()}",            # row 5: too few cells
        f"{existing['login']},张五,",      # row 6: already has an account
        f"{v3},张六,123",                  # row 7: bad phone
        "",                                # blank lines are skipped
        f"{v1},张一,{PHONE}",              # row 9: duplicate of row 2
        "",
    ])
    r = expect(import_csv(env.a_s, env.a["id"], csv), 200).json
    created = {c["account"]["login"]: c for c in r["created"]}
    assert set(created) == {v1, v2}, r
    for c in r["created"]:
        assert c["password"] and c["account"]["kind"] == "applicant" and c["account"]["org_id"] == env.a["id"], c
    assert created[v1]["account"]["name"] == "张一" and created[v1]["account"]["phone"] == PHONE
    assert created[v2]["account"]["name"] == "张三"
    rows = {e["row"]: e["message"] for e in r["errors"]}
    assert [e["row"] for e in r["errors"]] == [3, 5, 6, 7, 9], r["errors"]
    assert "校验码" in rows[3] and "已有账户" in rows[6] and "已有账户" in rows[9] and "电话" in rows[7], rows
    listed = {a["login"] for a in applicant_ids(env.a_s, env.a["id"]).values()}
    assert {v1, v2} <= listed and v3 not in listed
    # an imported applicant signs in with its one-time password and must change it
    s = env.api.sign_in(v2, created[v2]["password"])
    assert s.account["must_change_password"] is True
    # importing the same file again creates nothing and changes nothing
    with unchanged(env.d, TENANT):
        again = expect(import_csv(env.a_s, env.a["id"], csv), 200).json
    assert again["created"] == [] and {e["row"] for e in again["errors"]} == {2, 3, 4, 5, 6, 7, 9}, again


def test_csv_import_without_header_crlf(env: Env) -> None:
    v1, v2 = fresh_id_number(), fresh_id_number()
    csv = f"{v1},李一\r\n{bad_check(v2)},李二,13800000000\r\n{v2} , 李三 , 13800000000\r\n"
    r = expect(import_csv(env.a_s, env.a["id"], csv, "text/csv"), 200).json
    assert {c["account"]["login"] for c in r["created"]} == {v1, v2}, r
    assert [e["row"] for e in r["errors"]] == [2], r
    names = {c["account"]["login"]: c["account"]["name"] for c in r["created"]}
    assert names[v2] == "李三"


def test_csv_import_refusals(env: Env) -> None:
    csv = f"{fresh_id_number()},王一\n"
    with unchanged(env.d, TENANT):
        expect(import_csv(env.a_s, env.a["id"], csv, "application/json"), 415)
        expect(import_csv(env.a_s, env.a["id"], csv, "text/plain"), 415)
        expect(import_csv(env.a_s, env.a["id"], csv, "application/vnd.ms-excel"), 415)
        # neither UTF-8 nor GB18030 (a spreadsheet's bytes, say)
        expect(import_csv(env.a_s, env.a["id"], b"PK\x03\x04\xff\xff\x80,\xff\n"), 400, contains="GBK")
        # valid rows into an org the caller does not administer
        expect(import_csv(env.b_s, env.a["id"], csv), (403, 404))
        expect(import_csv(env.city, env.a["id"], csv), 403)
        expect(import_csv(env.a_s, 99999, csv), 404)


def test_csv_import_of_more_than_5000_rows_is_refused_whole(env: Env) -> None:
    """5,002 rows (5,000 and a header are allowed) is 413 and creates nothing; the file is read
    only that far, so an unclosed quote further down is never reached."""
    rows = "".join(f"{fresh_id_number()},王{n}\n" for n in range(5002))
    with unchanged(env.d, TENANT):
        expect(import_csv(env.a_s, env.a["id"], rows + '"never read,\n'), 413, contains="5000")


def test_csv_import_checks_access_before_rows(env: Env) -> None:
    with unchanged(env.d, TENANT):
        expect(import_csv(env.b_s, env.a["id"], "123,王三\n"), (403, 404))
        expect(import_csv(env.b_s, 99999, ""), 404)


def test_csv_import_gbk_as_excel_saves_it(env: Env) -> None:
    """Excel in Chinese saves "CSV (逗号分隔)" in GBK: such a file imports as one in UTF-8 would,
    names and all (GB18030, which includes GBK, also covers rarer characters such as 㑇)."""
    v1, v2 = fresh_id_number(), fresh_id_number()
    data = f"身份证号,姓名,手机号\r\n{v1},欧阳娜娜,{PHONE}\r\n{v2},张㑇,\r\n".encode("gb18030")
    r = expect(import_csv(env.a_s, env.a["id"], data, "text/csv"), 200).json
    assert {c["account"]["login"]: c["account"]["name"] for c in r["created"]} == {v1: "欧阳娜娜", v2: "张㑇"}, r
    assert r["errors"] == [], r


def test_csv_import_utf8_bom(env: Env) -> None:
    v = fresh_id_number()
    r = expect(import_csv(env.a_s, env.a["id"], f"\ufeff{v},王四\n"), 200).json
    assert [c["account"]["login"] for c in r["created"]] == [v], r


def test_csv_import_quoted_cells(env: Env) -> None:
    v = fresh_id_number()
    r = expect(import_csv(env.a_s, env.a["id"], f'"{v}","王五","{PHONE}"\n'), 200).json
    assert [c["account"]["login"] for c in r["created"]] == [v], r


# --------------------------------------------------------------------------- who manages people


def test_people_are_managed_by_their_own_org_admin_only(env: Env) -> None:
    staff, one_time = add_staff(env.a_s, env.a["id"])
    expect(env.a_s.post(f"staff/{staff['id']}/enable"), 200)
    st = env.api.first_login(staff["login"], one_time)
    oid = env.a["id"]
    with unchanged(env.d, TENANT):
        for s, status in ((env.city, 403), (env.b_s, 404), (st, 403)):
            expect(s.get(f"orgs/{oid}/staff"), status)
            expect(s.post(f"orgs/{oid}/staff", {"login": unique("x-staff"), "name": "越权"}), status)
            expect(s.get(f"orgs/{oid}/applicants"), status)
            expect(s.post(f"orgs/{oid}/applicants", {"id_number": fresh_id_number(), "name": "越权"}), status)
        expect(st.post(f"staff/{staff['id']}/enable"), 403)
        expect(st.put(f"staff/{staff['id']}/roles", {"roles": ["leader"]}), 403)


def test_an_import_whose_later_part_fails_keeps_and_shows_what_it_made(daemon_factory) -> None:
    """An import writes its accounts a few hundred to a transaction: when a later part cannot be
    written, the accounts already made stand and their one-time passwords are shown; the rows
    not imported are reported, to be imported again."""
    d = daemon_factory(env=clean_env(ZHICHENG_FAIL_AT="import.later-part")).start()
    info = create_tenant(d, TENANT, "4101", "郑州市")
    api = Api(d.http_port, TENANT)
    city = api.first_login(info["admin_login"], info["admin_password"])
    rows = [f"{fresh_id_number()},批量{i}," for i in range(260)]
    r = expect(import_csv(city, 1, "\n".join(rows)), 200).json
    assert len(r["created"]) == 250 and all(c["password"] for c in r["created"]), len(r["created"])
    assert [e["row"] for e in r["errors"]] == list(range(251, 261)) and all("未导入" in e["message"] for e in r["errors"]), r["errors"][:2]
    assert expect(city.get("orgs/1/applicants"), 200).json["total"] == 250
    # The cause, which the person is not shown, is in the log.
    cut = [l for l in d.stderr().splitlines() if "applicant import cut short" in l]
    assert cut and "import.later-part" in cut[0] and "written=250" in cut[0] and "not_written=10" in cut[0], d.stderr()[-2000:]
    # Sent again, the rows made are refused as having accounts, the rest imported.
    again = expect(import_csv(city, 1, "\n".join(rows)), 200).json
    assert len(again["created"]) == 10 and len(again["errors"]) == 250, (len(again["created"]), len(again["errors"]))
