"""Org tree, unit info and its review, sub-org admin, certificate and seal uploads, audit
(SPEC §5.1, §6; manual 一 §1, §2 and 三 §7), through the JSON API of a real daemon.

The module fixture walks the manual: under 郑州市 (4101) the city office creates
管城回族区职改办 (office → 410104), which — once its info is approved — creates
管城区教育局 (department → 410104001), which creates 逸夫小学 (unit → 4101040010001).
Every admin login equals its org's code.  One daemon per module; uploads are limited to
64 KiB here so the 413 case stays cheap.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlencode
from dataclasses import dataclass

import pytest

from api_support import (
    CREDIT_CODE,
    MANUAL_CREDIT_CODE,
    NEW_PASSWORD,
    ORG_CODE,
    PHONE,
    POSTCODE,
    PROFILE_KEYS,
    Api,
    module_daemon,
    Session,
    approve_unit,
    create_child,
    db_rows,
    expect,
    fresh_id_number,
    jpeg_bytes,
    org_code,
    png_bytes,
    profile_for,
    unchanged,
    unique,
)
from conftest import Daemon, create_tenant

UPLOAD_LIMIT = 65536
CONFIG = f'[log]\nlevel = "info"\n\n[limits]\nupload_max_bytes = {UPLOAD_LIMIT}\n'
TENANT = "zhengzhou"

# The districts of 郑州市 (GB/T 2260) — codes a non-district office must never take.
ZHENGZHOU_DISTRICTS = {
    "中原区": "410102", "二七区": "410103", "管城回族区": "410104", "金水区": "410105", "上街区": "410106",
    "惠济区": "410108", "中牟县": "410122", "巩义市": "410181", "荥阳市": "410182", "新密市": "410183",
    "新郑市": "410184", "登封市": "410185",
}
REQUIRED = {"name", "category", "city", "affiliation_level", "industry", "nature", "economic_type",
            "credit_code", "contact", "phone", "address", "postcode"}


@dataclass
class Tree:
    d: Daemon
    api: Api
    city: Session
    district: dict
    district_s: Session
    dept: dict
    dept_s: Session
    school: dict           # 逸夫小学, not yet approved; its admin has not signed in
    school_admin: dict
    school2: dict          # 第二小学 under the same department, approved
    school2_s: Session
    other: dict            # 惠济区职改办: an unrelated branch, approved
    other_s: Session


@pytest.fixture(scope="module")
def tree(request: pytest.FixtureRequest, zhichengd_bin: str, tmp_path_factory: pytest.TempPathFactory):
    with module_daemon(request, zhichengd_bin, tmp_path_factory.mktemp("api-orgs"), config=CONFIG) as d:
        info = create_tenant(d, TENANT, "4101", "郑州市")
        api = Api(d.http_port, TENANT)
        city = api.first_login(info["admin_login"], info["admin_password"])

        district, da = create_child(city, 1, "管城回族区职改办", "office")
        district_s = approve_unit(api, city, district["id"], da["login"], da["password"],
                                  profile_for("管城回族区职改办", 1, category="职改办", affiliation_level="县区"))
        dept, ea = create_child(district_s, district["id"], "管城区教育局", "department")
        dept_s = approve_unit(api, district_s, dept["id"], ea["login"], ea["password"],
                              profile_for("管城区教育局", 2, category="主管单位", affiliation_level="县区"))
        school, sa = create_child(dept_s, dept["id"], "逸夫小学", "unit")
        school2, s2a = create_child(dept_s, dept["id"], "第二小学", "unit")
        school2_s = approve_unit(api, dept_s, school2["id"], s2a["login"], s2a["password"])
        other, oa = create_child(city, 1, "惠济区职改办", "office")
        other_s = approve_unit(api, city, other["id"], oa["login"], oa["password"],
                               profile_for("惠济区职改办", 3, category="职改办", affiliation_level="县区"))
        yield Tree(d, api, city, district, district_s, dept, dept_s, school, sa, school2, school2_s, other, other_s)


def org_of(s: Session, oid: int) -> dict:
    return expect(s.get(f"orgs/{oid}"), 200).json


def child_rows(s: Session, oid: int) -> dict[int, dict]:
    rows = expect(s.get(f"orgs/{oid}/children"), 200).json["orgs"]
    return {row["id"]: row for row in rows}


# --------------------------------------------------------------------------- tree (manual §1)


def test_manual_walk_codes_and_admin_logins(tree: Tree) -> None:
    assert (tree.district["code"], tree.district["kind"], tree.district["parent_id"]) == ("410104", "office", 1)
    assert (tree.dept["code"], tree.dept["kind"], tree.dept["parent_id"]) == ("410104001", "department", tree.district["id"])
    assert (tree.school["code"], tree.school["kind"], tree.school["parent_id"]) == ("4101040010001", "unit", tree.dept["id"])
    assert tree.school_admin["login"] == "4101040010001" and tree.school_admin["password"]
    assert tree.district_s.account["login"] == "410104" and tree.dept_s.account["login"] == "410104001"
    assert tree.other["code"] == "410108"
    assert tree.school2["code"] == "4101040010002"
    # the org shape of SPEC §5.1
    o = org_of(tree.city, tree.school["id"])
    assert {"id", "parent_id", "code", "name", "kind", "profile_state"} <= set(o), o
    assert (o["name"], o["profile_state"]) == ("逸夫小学", "draft"), o
    root = org_of(tree.city, 1)
    assert root["code"] == "4101" and "parent_id" in root and root["parent_id"] is None and root["kind"] == "office", root
    # a children row carries the same keys at its top level, beside 单位管理's columns
    row = child_rows(tree.dept_s, tree.dept["id"])[tree.school["id"]]
    assert {k: row[k] for k in o} == o and {"affiliation_level", "category", "has_certificate", "admin"} <= set(row), row
    # each level sees its own children
    assert set(child_rows(tree.city, 1)) >= {tree.district["id"], tree.other["id"]}
    assert set(child_rows(tree.district_s, tree.district["id"])) == {tree.dept["id"]}
    assert set(child_rows(tree.dept_s, tree.dept["id"])) >= {tree.school["id"], tree.school2["id"]}
    # ancestors see the whole subtree
    assert org_of(tree.city, tree.school["id"])["code"] == "4101040010001"
    assert org_of(tree.district_s, tree.school["id"])["code"] == "4101040010001"


@pytest.mark.parametrize("where,body,status,field", [
    ("school", {"name": "一年级", "kind": "unit"}, 400, "kind"),         # units hold nothing
    ("dept", {"name": "某某区职改办", "kind": "office"}, 400, "kind"),   # no office under a department
    ("dept", {"name": "某学校", "kind": "school"}, 400, "kind"),
    ("dept", {"name": "某学校"}, 400, "kind"),
    ("dept", {"kind": "unit"}, 400, "name"),
    ("dept", {"name": "", "kind": "unit"}, 400, "name"),
    ("dept", {"name": "   ", "kind": "unit"}, 400, "name"),
    ("dept", {"name": 12, "kind": "unit"}, 400, "name"),
    ("other", {"name": "越界学校", "kind": "unit"}, 404, None),          # an unrelated branch
    ("root", {"name": "越级学校", "kind": "unit"}, 404, None),           # the district's parent
    ("missing", {"name": "幽灵学校", "kind": "unit"}, 404, None),
])
def test_create_child_refusals(tree: Tree, where: str, body: dict, status: int, field: str | None) -> None:
    target = {"school": tree.school["id"], "dept": tree.dept["id"], "other": tree.other["id"], "root": 1,
              "missing": 99999}[where]
    with unchanged(tree.d, TENANT):
        expect(tree.district_s.post(f"orgs/{target}/children", body), status, field=field)


def test_create_child_wrong_content_type(tree: Tree) -> None:
    with unchanged(tree.d, TENANT):
        expect(tree.district_s.call("POST", f"orgs/{tree.dept['id']}/children",
                                    data=b'{"name":"x","kind":"unit"}', content_type="text/plain"), 415)
        expect(tree.district_s.call("POST", f"orgs/{tree.dept['id']}/children",
                                    data=b'{"name":"x",', content_type="application/json"), 400)


def test_codes_are_unique(tree: Tree) -> None:
    a, admin_a = create_child(tree.city, 1, "中原区职改办", "office")
    assert a["code"] == ZHENGZHOU_DISTRICTS["中原区"] and admin_a["login"] == a["code"]
    b, admin_b = create_child(tree.city, 1, "中原区人社局", "office")  # a second one cannot share it
    assert b["code"] != a["code"] and b["code"].startswith("4101") and admin_b["login"] == b["code"]
    d1, _ = create_child(tree.city, 1, unique("市直主管单位"), "department")
    d2, _ = create_child(tree.city, 1, unique("市直主管单位"), "department")
    assert d1["code"] != d2["code"] and d1["code"].startswith("4101") and d2["code"].startswith("4101")
    codes = [row["code"] for row in child_rows(tree.city, 1).values()]
    assert len(codes) == len(set(codes)), codes


def test_sibling_names_are_unique(tree: Tree) -> None:
    """A form posted twice (a reloaded page) must not add the same unit twice: a live org's
    name is refused under the same parent, by creation, rename, move and 单位信息; another
    parent, or a deleted org's name, is fine."""
    es, ds = tree.dept_s, tree.district_s
    name = unique("重名学校")
    first, _ = create_child(es, tree.dept["id"], name, "unit")
    other, other_admin = create_child(es, tree.dept["id"], unique("另一学校"), "unit")
    health, _ = create_child(ds, tree.district["id"], unique("卫健委"), "department")
    elsewhere, _ = create_child(ds, health["id"], name, "unit")          # another parent: fine
    with unchanged(tree.d, TENANT):
        r = expect(es.post(f"orgs/{tree.dept['id']}/children", {"name": name, "kind": "unit"}), 409, field="name")
        assert name in r.json["error"]["message"], r.json
        expect(es.patch(f"orgs/{other['id']}", {"name": name}), 409, field="name")
        # moved under a parent that has one by that name
        expect(ds.patch(f"orgs/{elsewhere['id']}", {"parent_id": tree.dept["id"]}), 409, field="parent_id")
    # A name under a parent the caller may not use is never told: the move is refused first (404).
    probe = unique("惠济区某局")
    create_child(tree.city, tree.other["id"], probe, "department")
    with unchanged(tree.d, TENANT):
        expect(ds.patch(f"orgs/{health['id']}", {"parent_id": tree.other["id"], "name": probe}), 404)
        expect(ds.patch(f"orgs/{health['id']}", {"parent_id": tree.other["id"], "name": unique("别的名字")}), 404)
    # its own name again is no change; a rename and a move together are checked at the target
    expect(es.patch(f"orgs/{first['id']}", {"name": name}), 200)
    moved = expect(ds.patch(f"orgs/{elsewhere['id']}", {"parent_id": tree.dept["id"], "name": name + "分校"}), 200).json
    assert (moved["parent_id"], moved["name"]) == (tree.dept["id"], name + "分校"), moved
    # 单位信息's 名称 renames the org too: refused the same way, before anything is saved
    us = tree.api.first_login(other_admin["login"], other_admin["password"])
    with unchanged(tree.d, TENANT):
        expect(us.put(f"orgs/{other['id']}/profile", {"name": name, "contact": "张老师"}), 409, field="name")
    assert expect(us.put(f"orgs/{other['id']}/profile", {"name": other["name"], "contact": "张老师"}), 200).json["contact"] == "张老师"
    # a deleted org's name may be used again
    expect(es.delete(f"orgs/{first['id']}"), (200, 204))
    again, _ = create_child(es, tree.dept["id"], name, "unit")
    assert again["name"] == name and again["code"] != first["code"]


def test_a_refused_form_shows_what_was_typed_where_its_page_does_not_put_it_back(tree: Tree) -> None:
    """单位管理's 修改名称 refused (a sibling has the name): the page cannot put the text back
    into that form (one of several on the page), so it shows it above, for copying; 添加人员
    refused (the login is taken) puts it back into its fields, and shows nothing twice."""
    es = tree.dept_s
    taken = unique("占用名称")
    create_child(es, tree.dept["id"], taken, "unit")
    other, _ = create_child(es, tree.dept["id"], unique("改名学校"), "unit")
    headers = {"Cookie": f"zc_session={es.cookie}", "Content-Type": "application/x-www-form-urlencoded"}

    def post(path: str, fields: dict) -> tuple[int, str]:
        r = tree.api.raw("POST", f"/t/{TENANT}/{path}", body=urlencode({"_csrf": es.csrf, **fields}).encode(), headers=headers)
        return r.status, r.body.decode()

    with unchanged(tree.d, TENANT):
        status, page = post(f"orgs/{other['id']}/rename", {"name": taken})
        assert status == 409 and "已有名为" in page, page[-2000:]
        assert re.findall(r'<div id="kept-input".*?<textarea class="kept-value"[^>]*>(.*?)</textarea>', page, re.S) == [html.escape(taken)], page[-2500:]
        status, page = post("staff", {"login": tree.dept_s.account["login"], "name": "重复登录名"})
        assert status in (400, 409) and 'id="kept-input"' not in page and 'value="重复登录名"' in page, page[-2500:]


def test_the_unit_info_form_checks_what_its_button_asks_before_it_saves(tree: Tree) -> None:
    """单位信息维护 is one form whose buttons save the typed fields first: a button that cannot
    be done (上传 without a file, an unknown one) is refused before anything is saved, and the
    page comes back with the fields as typed."""
    org, admin = create_child(tree.dept_s, tree.dept["id"], unique("按钮学校"), "unit")
    us = tree.api.first_login(admin["login"], admin["password"])
    headers = {"Cookie": f"zc_session={us.cookie}", "Content-Type": "application/x-www-form-urlencoded"}
    for then, status in (("certificate", 400), ("bogus", 404)):
        with unchanged(tree.d, TENANT):
            r = tree.api.raw("POST", f"/t/{TENANT}/profile", body=urlencode({"_csrf": us.csrf, "contact": "王老师", "then": then}).encode(), headers=headers)
            assert r.status == status, (then, r)
        assert 'value="王老师"' in r.body.decode(), "the typed field comes back"
    # The routes the one form replaced are gone.
    for path in ("profile/certificate", "profile/submit"):
        r = tree.api.raw("POST", f"/t/{TENANT}/{path}", body=urlencode({"_csrf": us.csrf, "contact": "王老师"}).encode(), headers=headers)
        assert r.status == 404, (path, r)


def ui_page(tree: Tree, s: Session, path: str) -> tuple[int, str]:
    r = tree.api.raw("GET", f"/t/{TENANT}/{path}", headers={"Cookie": f"zc_session={s.cookie}"})
    return r.status, r.body.decode()


def city_field(page: str) -> str:
    """The value the 单位信息 form's 所属地市(或省直) input holds."""
    control = re.search(r'<input[^>]* id="f-city"[^>]*>', page)
    assert control, page[-3000:]
    value = re.search(r' value="([^"]*)"', control.group(0))
    assert value, control.group(0)
    return html.unescape(value.group(1))


def test_the_unit_info_form_begins_the_city_with_the_district_of_the_code(tree: Tree) -> None:
    """单位信息维护 (manual §2) names the field as the manual does, 所属地市(或省直), and an org that has
    not filled it in finds it begun with the tenant's city and the district its code falls in —
    郑州市 管城回族区 for a unit under 管城回族区职改办 (410104…), 郑州市 中牟县 for 中牟县's office
    (410122), the city alone for a department directly under the city office (no district's
    office above it). In the form only: nothing is stored until the unit saves it, a value it
    has is never replaced, a refused form keeps the field as typed (emptied too), and the parent's
    read-only view shows what is stored."""
    unit, ua = create_child(tree.dept_s, tree.dept["id"], unique("地市学校"), "unit")
    us = tree.api.first_login(ua["login"], ua["password"])
    assert unit["code"].startswith("410104001"), unit
    status, page = ui_page(tree, us, "profile")
    assert status == 200 and "<span>所属地市(或省直)<span" in page and city_field(page) == "郑州市 管城回族区", page[-3000:]
    assert expect(us.get(f"orgs/{unit['id']}/profile"), 200).json["city"] == "", "opening the form stores nothing"
    # The parent's view of it: what is stored (nothing), no suggestion.
    status, view = ui_page(tree, tree.dept_s, f"orgs/{unit['id']}/profile")
    assert status == 200 and '<tr><th scope="row">所属地市(或省直)</th><td></td></tr>' in view, view[-3000:]

    headers = {"Cookie": f"zc_session={us.cookie}", "Content-Type": "application/x-www-form-urlencoded"}

    def post(fields: dict) -> tuple[int, str]:
        r = tree.api.raw("POST", f"/t/{TENANT}/profile", body=urlencode({"_csrf": us.csrf, **fields}).encode(), headers=headers)
        return r.status, r.body.decode()

    # A refused form (submitted without the field): the field as typed, empty; the message names it as the manual does.
    typed = profile_for(unit["name"], unit["id"], city="")
    status, page = post({**typed, "then": "submit"})
    assert status == 400 and "请填写所属地市(或省直)" in page and city_field(page) == "", page[-3000:]
    assert 'aria-invalid="true"' in re.search(r'<input[^>]* id="f-city"[^>]*>', page).group(0), "the field is marked as at fault"
    # Saved as the form offered it: stored.
    status, _ = post({**typed, "city": "郑州市 管城回族区", "then": "save"})
    assert status in (200, 303), status
    assert expect(us.get(f"orgs/{unit['id']}/profile"), 200).json["city"] == "郑州市 管城回族区"
    # A value of its own is never replaced.
    expect(us.put(f"orgs/{unit['id']}/profile", {"city": "郑州市 金水区"}), 200)
    assert city_field(ui_page(tree, us, "profile")[1]) == "郑州市 金水区"

    # A district's office (its code the district's own), and a department directly under the city office.
    for parent, kind, name, code, begun in ((1, "office", "中牟县职改办", "410122", "郑州市 中牟县"),
                                             (1, "department", unique("市直部门"), None, "郑州市")):
        org, admin = create_child(tree.city, parent, name, kind)
        assert code is None or org["code"] == code, org
        s = tree.api.first_login(admin["login"], admin["password"])
        assert city_field(ui_page(tree, s, "profile")[1]) == begun, (name, org["code"])
        assert expect(s.get(f"orgs/{org['id']}/profile"), 200).json["city"] == ""


def test_each_sub_units_admin_is_shown_under_its_row(tree: Tree) -> None:
    """单位管理 (manual §1) shows under each sub-unit its admin's 姓名, 登录名, 手机号 and 电子邮箱 as the
    manual's table does, read only (未填写 for what is not given); 编辑信息's form stays, and what it
    saves is what the row shows."""
    es = tree.dept_s
    unit, _ = create_child(es, tree.dept["id"], unique("管理员学校"), "unit")

    def admin_row() -> dict[str, str]:
        status, page = ui_page(tree, es, f"orgs?selected={tree.dept['id']}")
        assert status == 200, page[-2000:]
        row = re.search(rf'<tr class="org-admin" data-admin-of="{unit["id"]}">(.*?)</tr>', page, re.S)
        assert row and "<input" not in row.group(1) and "<button" not in row.group(1), page[-3000:]
        # Right after the sub-unit's own row.
        assert re.search(rf'<tr data-org="{unit["id"]}">(?:(?!<tr).)*?</tr>\s*<tr class="org-admin" data-admin-of="{unit["id"]}">', page, re.S), page[-3000:]
        assert f'action="/t/{TENANT}/orgs/{unit["id"]}/admin"' in page, "编辑信息 is still there"
        return {k: html.unescape(v) for k, v in re.findall(r'<dt>([^<]+)</dt><dd class="admin-\w+">([^<]*)</dd>', row.group(1))}

    assert admin_row() == {"姓名": "系统管理员", "登录名": unit["code"], "手机号": "未填写", "电子邮箱": "未填写"}
    # 编辑信息, as the screen posts it.
    r = tree.api.raw("POST", f"/t/{TENANT}/orgs/{unit['id']}/admin",
                     body=urlencode({"_csrf": es.csrf, "name": "王老师", "phone": "13812345678", "email": "wang@example.com"}).encode(),
                     headers={"Cookie": f"zc_session={es.cookie}", "Content-Type": "application/x-www-form-urlencoded"})
    assert r.status in (200, 303), r
    assert admin_row() == {"姓名": "王老师", "登录名": unit["code"], "手机号": "13812345678", "电子邮箱": "wang@example.com"}


def test_a_destructive_form_is_asked_again_and_changes_nothing_until_confirmed(tree: Tree) -> None:
    """删除机构, 初始化密码, 删除人员 and 删除申报人 posted from the UI without `_confirmed` are
    answered with a page asking again, which posts the same fields back; nothing changes."""
    es = tree.dept_s
    unit, _ = create_child(es, tree.dept["id"], unique("待删学校"), "unit")
    staff = expect(es.post(f"orgs/{tree.dept['id']}/staff", {"login": unique("del").replace("-", ""), "name": "待删人员"}), 201).json
    person = expect(es.post(f"orgs/{tree.dept['id']}/applicants", {"id_number": fresh_id_number(), "name": "待删申报人"}), 201).json
    headers = {"Cookie": f"zc_session={es.cookie}", "Content-Type": "application/x-www-form-urlencoded"}
    for path, asks in ((f"orgs/{unit['id']}/delete", "删除该机构"), (f"orgs/{unit['id']}/reset-password", "初始化"),
                       (f"staff/{staff['account']['id']}/delete", "删除该人员"), (f"applicants/{person['account']['id']}/delete", "删除该申报人")):
        with unchanged(tree.d, TENANT):
            r = tree.api.raw("POST", f"/t/{TENANT}/{path}", body=urlencode({"_csrf": es.csrf}).encode(), headers=headers)
        page = r.body.decode()
        assert r.status == 200 and 'id="confirm-message"' in page and asks in page, (path, page[-1500:])
        assert f'action="/t/{TENANT}/{path}"' in page and 'name="_confirmed" value="1"' in page, (path, page[-1500:])


def test_district_office_keeps_its_own_code(tree: Tree) -> None:
    zones = [create_child(tree.city, 1, name, "office")[0] for name in ("高新技术产业开发区职改办", "航空港区职改办")]
    for z in zones:
        assert z["code"] not in ZHENGZHOU_DISTRICTS.values(), f"{z['name']} took a district's code {z['code']}"
    erqi, _ = create_child(tree.city, 1, "二七区职改办", "office")
    assert erqi["code"] == ZHENGZHOU_DISTRICTS["二七区"], erqi


def test_rename(tree: Tree) -> None:
    o, _ = create_child(tree.dept_s, tree.dept["id"], "临时学校", "unit")
    r = expect(tree.dept_s.patch(f"orgs/{o['id']}", {"name": "管城区实验学校"}), 200).json
    assert r["name"] == "管城区实验学校" and r["code"] == o["code"] and r["parent_id"] == tree.dept["id"], r
    assert org_of(tree.city, o["id"])["name"] == "管城区实验学校"
    assert child_rows(tree.dept_s, tree.dept["id"])[o["id"]]["name"] == "管城区实验学校"
    # 单位信息 shows the new name, so the unit's next save of it keeps the rename.
    assert expect(tree.dept_s.get(f"orgs/{o['id']}/profile"), 200).json["name"] == "管城区实验学校"
    with unchanged(tree.d, TENANT):
        expect(tree.dept_s.patch(f"orgs/{o['id']}", {"name": ""}), 400, field="name")
        expect(tree.dept_s.patch(f"orgs/{o['id']}", {"name": "  "}), 400, field="name")
        expect(tree.dept_s.patch(f"orgs/{o['id']}", {"name": 5}), 400, field="name")
        expect(tree.dept_s.patch(f"orgs/{o['id']}", {"parent_id": "x"}), 400, field="parent_id")
    # the grandparent may rename it too; a no-op rename changes nothing
    expect(tree.district_s.patch(f"orgs/{o['id']}", {"name": "管城区实验小学"}), 200)
    with unchanged(tree.d, TENANT):
        expect(tree.district_s.patch(f"orgs/{o['id']}", {"name": "管城区实验小学"}), 200)


def test_move(tree: Tree) -> None:
    ds = tree.district_s
    health, _ = create_child(ds, tree.district["id"], "管城区卫健委", "department")
    sub, _ = create_child(ds, tree.dept["id"], "管城区教研室", "department")   # a department inside 教育局
    unit, _ = create_child(ds, tree.dept["id"], "待迁学校", "unit")
    moved = expect(ds.patch(f"orgs/{unit['id']}", {"parent_id": health["id"]}), 200).json
    assert moved["parent_id"] == health["id"] and moved["code"] == unit["code"], moved   # codes never change
    assert unit["id"] not in child_rows(ds, tree.dept["id"])
    assert unit["id"] in child_rows(ds, health["id"])
    with unchanged(tree.d, TENANT):
        # into its own subtree, or under itself
        expect(ds.patch(f"orgs/{tree.dept['id']}", {"parent_id": sub["id"]}), 400, field="parent_id")
        expect(ds.patch(f"orgs/{tree.dept['id']}", {"parent_id": tree.school["id"]}), 400, field="parent_id")
        expect(ds.patch(f"orgs/{tree.dept['id']}", {"parent_id": tree.dept["id"]}), 400, field="parent_id")
        # under a kind that cannot hold it
        expect(ds.patch(f"orgs/{unit['id']}", {"parent_id": tree.school2["id"]}), 400, field="parent_id")
        expect(tree.city.patch(f"orgs/{tree.other['id']}", {"parent_id": tree.dept["id"]}), 400, field="parent_id")
        # out of the caller's subtree, or nowhere
        expect(ds.patch(f"orgs/{unit['id']}", {"parent_id": tree.other["id"]}), 404)
        expect(ds.patch(f"orgs/{unit['id']}", {"parent_id": 1}), 404)
        expect(ds.patch(f"orgs/{unit['id']}", {"parent_id": 99999}), 404)
    # and back again, by the district, which manages both places
    back = expect(ds.patch(f"orgs/{unit['id']}", {"parent_id": tree.dept["id"]}), 200).json
    assert back["parent_id"] == tree.dept["id"] and back["code"] == unit["code"]


def test_delete(tree: Tree) -> None:
    ds, es = tree.district_s, tree.dept_s
    with unchanged(tree.d, TENANT):
        expect(ds.delete(f"orgs/{tree.dept['id']}"), 409)        # it has children
    # a unit with people cannot go either
    unit, ua = create_child(es, tree.dept["id"], "待撤并学校", "unit")
    us = approve_unit(tree.api, es, unit["id"], ua["login"], ua["password"])
    app = expect(us.post(f"orgs/{unit['id']}/applicants", {"id_number": fresh_id_number(), "name": "赵六"}), 201).json
    with unchanged(tree.d, TENANT):
        expect(es.delete(f"orgs/{unit['id']}"), 409)
    expect(us.delete(f"applicants/{app['account']['id']}"), (200, 204))
    expect(es.delete(f"orgs/{unit['id']}"), (200, 204))
    expect(es.get(f"orgs/{unit['id']}"), 404)
    expect(tree.city.get(f"orgs/{unit['id']}"), 404)
    assert unit["id"] not in child_rows(es, tree.dept["id"])
    expect(es.delete(f"orgs/{unit['id']}"), 404)
    # its admin is gone with it
    expect(us.get("account"), 401)
    expect(tree.api.sign_in_raw(ua["login"], NEW_PASSWORD), 401)
    # a deleted code is never handed out again
    nxt, admin = create_child(es, tree.dept["id"], "新建学校", "unit")
    assert nxt["code"] != unit["code"] and admin["login"] != unit["code"]
    assert nxt["code"] > unit["code"], (nxt["code"], unit["code"])
    jinshui, _ = create_child(tree.city, 1, "金水区职改办", "office")
    expect(tree.city.delete(f"orgs/{jinshui['id']}"), (200, 204))
    again, _ = create_child(tree.city, 1, "金水区职改办", "office")
    assert again["code"] != jinshui["code"]


def test_only_ancestors_manage_an_org(tree: Tree) -> None:
    es, s2 = tree.dept_s, tree.school2_s
    with unchanged(tree.d, TENANT):
        # nobody manages their own org's place in the tree
        for s, oid in ((es, tree.dept["id"]), (s2, tree.school2["id"]), (tree.district_s, tree.district["id"]),
                       (tree.city, 1)):
            expect(s.patch(f"orgs/{oid}", {"name": "改个名"}), 403)
            expect(s.delete(f"orgs/{oid}"), 403)
            expect(s.patch(f"orgs/{oid}/admin", {"name": "某人"}), 403)
            expect(s.post(f"orgs/{oid}/admin/reset-password"), 403)
        # the parent is invisible from below; an unrelated branch is invisible too
        expect(es.patch(f"orgs/{tree.district['id']}", {"name": "改个名"}), 404)
        expect(es.delete(f"orgs/{tree.district['id']}"), 404)
        expect(es.get(f"orgs/{tree.district['id']}"), 404)
        expect(s2.patch(f"orgs/{tree.school['id']}", {"name": "改个名"}), 404)   # a sibling
        expect(s2.get(f"orgs/{tree.school['id']}"), 404)
        for path in (f"orgs/{tree.school['id']}", f"orgs/{tree.dept['id']}"):
            expect(tree.other_s.get(path), 404)
            expect(tree.other_s.patch(path, {"name": "改个名"}), 404)
            expect(tree.other_s.delete(path), 404)
            expect(tree.other_s.get(path + "/profile"), 404)
            expect(tree.other_s.get(path + "/children"), 404)
            expect(tree.other_s.patch(path + "/admin", {"name": "某人"}), 404)
            expect(tree.other_s.post(path + "/admin/reset-password"), 404)
        expect(tree.other_s.post(f"orgs/{tree.dept['id']}/children", {"name": "越界学校", "kind": "unit"}), 404)


# --------------------------------------------------------------------------- unit info (manual §2)


BAD_PROFILE_INPUTS = [
    ({"credit_code": MANUAL_CREDIT_CODE}, "credit_code", "校验位"),
    ({"credit_code": CREDIT_CODE[:-1]}, "credit_code", None),
    ({"credit_code": "91350100M000100YI3"}, "credit_code", None),
    ({"org_code": "M000100Y-5"}, "org_code", None),
    ({"org_code": "12345"}, "org_code", None),
    ({"org_code": org_code("12345678"), "credit_code": CREDIT_CODE}, "org_code", None),   # 9–17 do not match
    ({"phone": "1523654785"}, "phone", None),
    ({"phone": "12345678901"}, "phone", None),
    ({"phone": "电话"}, "phone", None),
    ({"fax": "12"}, "fax", None),
    ({"postcode": "45000"}, "postcode", None),
    ({"postcode": "45000a"}, "postcode", None),
    ({"email": "yifu@"}, "email", None),
    ({"email": "yifu.example.com"}, "email", None),
    ({"email": "a@b"}, "email", None),
    ({"affiliation_level": "村"}, "affiliation_level", None),
    ({"contact": "张" * 201}, "contact", None),
    ({"address": "紫荆山路\x001号"}, "address", None),
    ({"name": "逸夫\u200b小学"}, "name", "不可见"),
    ({"name": "逸夫\n小学"}, "name", None),
    ({"name": "逸" * 65}, "name", None),
]


def test_unit_info_flow(tree: Tree) -> None:
    api, es, oid = tree.api, tree.dept_s, tree.school["id"]
    us = api.first_login(tree.school_admin["login"], tree.school_admin["password"])
    # before approval the unit can only maintain and submit its info
    with unchanged(tree.d, TENANT):
        expect(us.get(f"orgs/{oid}"), 403)
        expect(us.get(f"orgs/{oid}/staff"), 403)
        expect(us.post(f"orgs/{oid}/staff", {"login": "wanglaoshi", "name": "王老师"}), 403)
        expect(us.get(f"orgs/{oid}/applicants"), 403)
        expect(us.upload(f"orgs/{oid}/seal", png_bytes()), 403)
    p = expect(us.get(f"orgs/{oid}/profile"), 200).json
    for key in PROFILE_KEYS:
        assert key in p, (key, p)
    assert p["name"] == "逸夫小学" and p["code"] == "4101040010001" and p["state"] == "draft", p
    assert p["has_certificate"] is False and p["credit_code"] == "", p
    # 机构类别 is the org's place in the tree, chosen by its parent: shown before any save,
    # kept when left out, and another one is refused.
    assert p["category"] == "单位", p
    with unchanged(tree.d, TENANT):
        for other in ("主管单位", "职改办", "学校"):
            expect(us.put(f"orgs/{oid}/profile", {"contact": "张老师", "category": other}), 400, field="category", contains="单位管理")

    # a draft may hold only some fields
    p = expect(us.put(f"orgs/{oid}/profile", {"contact": "张老师", "phone": PHONE}), 200).json
    assert (p["contact"], p["phone"], p["credit_code"], p["state"]) == ("张老师", PHONE, "", "draft"), p
    # every validator names its field, and a refused save changes nothing
    for body, field, text in BAD_PROFILE_INPUTS:
        with unchanged(tree.d, TENANT):
            expect(us.put(f"orgs/{oid}/profile", {"contact": "李老师", **body}), 400, field=field, contains=text)
    p = expect(us.get(f"orgs/{oid}/profile"), 200).json
    assert p["contact"] == "张老师", p
    # valid variants are accepted and normalized
    p = expect(us.put(f"orgs/{oid}/profile", {"credit_code": CREDIT_CODE.lower(), "org_code": ORG_CODE,
                                                "phone": "0371-65123456", "postcode": POSTCODE}), 200).json
    assert p["credit_code"] == CREDIT_CODE and p["phone"] == "0371-65123456", p
    # A phone as people write it is stored one way.
    assert expect(us.put(f"orgs/{oid}/profile", {"phone": "（0371）6512 3456"}), 200).json["phone"] == "0371-65123456"

    # submit needs every required field, then a certificate
    with unchanged(tree.d, TENANT):
        r = expect(us.post(f"orgs/{oid}/profile/submit"), 400)
        assert r.error().get("field") in REQUIRED, r
    full = profile_for("逸夫小学", oid)
    expect(us.put(f"orgs/{oid}/profile", full), 200)
    with unchanged(tree.d, TENANT):
        expect(us.post(f"orgs/{oid}/profile/submit"), 400, field="certificate")

    # the certificate: checked by its bytes, size-limited
    text = "这不是图片，只是改了扩展名的文本文件。\n".encode() * 20
    with unchanged(tree.d, TENANT):
        expect(tree.api.call("PUT", f"orgs/{oid}/certificate", token=us, data=text,
                             headers={"Content-Type": "image/png", "Content-Disposition": 'attachment; filename="certificate.png"'}), 415)
        expect(us.upload(f"orgs/{oid}/certificate", b"GIF89a" + b"\0" * 64, "image/gif"), 415)
        expect(us.upload(f"orgs/{oid}/certificate", png_bytes()[:20]), 415)
        # Cut short (an interrupted copy): the image's end is missing, and the message says so.
        assert "IEND" in expect(us.upload(f"orgs/{oid}/certificate", png_bytes(8, 8)[:-12]), 415).error()["message"]
        assert "FFD9" in expect(us.upload(f"orgs/{oid}/certificate", jpeg_bytes()[:-2], "image/jpeg"), 415).error()["message"]
        expect(us.upload(f"orgs/{oid}/certificate", b""), (400, 415))
        big = png_bytes() + b"\0" * UPLOAD_LIMIT
        expect(us.upload(f"orgs/{oid}/certificate", big), 413)
    assert expect(us.get(f"orgs/{oid}/profile"), 200).json["has_certificate"] is False
    expect(us.get(f"orgs/{oid}/certificate"), 404)
    # a PNG exactly at the limit is fine; a JPEG replaces it
    at_limit = png_bytes(seed=9)
    at_limit += b"\0" * (UPLOAD_LIMIT - len(at_limit))
    expect(us.upload(f"orgs/{oid}/certificate", at_limit, "application/octet-stream"), (200, 204))
    got = expect(us.get(f"orgs/{oid}/certificate"), 200)
    assert got.body == at_limit and got.headers["content-type"].startswith("image/png"), got.headers
    assert got.headers.get("x-content-type-options") == "nosniff"
    cert = png_bytes(seed=5)
    expect(us.upload(f"orgs/{oid}/certificate", cert), (200, 204))
    assert expect(us.get(f"orgs/{oid}/certificate"), 200).body == cert

    # submit → the parent sees 未审核
    p = expect(us.post(f"orgs/{oid}/profile/submit"), 200).json
    assert p["state"] == "submitted" and p["state_label"] == "未审核", p
    row = child_rows(es, tree.dept["id"])[oid]
    assert row["profile_state"] == "submitted" and row["profile_state_label"] == "未审核", row
    assert row["has_certificate"] is True
    assert expect(es.get(f"orgs/{oid}/certificate"), 200).body == cert        # 机构证件预览
    assert expect(es.get(f"orgs/{oid}/profile"), 200).json["credit_code"] == full["credit_code"]
    # The parent's 首页 lists it under 待办事项, linking to 单位管理 where the review is.
    home = tree.api.raw("GET", f"/t/{TENANT}/home", headers={"Cookie": f"zc_session={es.cookie}"}).body.decode()
    todo = home[home.index('id="todo"'):home.index("</ul>", home.index('id="todo"'))]
    name = expect(us.get(f"orgs/{oid}/profile"), 200).json["name"]
    assert f'href="/t/{TENANT}/orgs?selected={tree.dept["id"]}"' in todo and "下级单位信息待审核" in todo and name in todo, todo

    # while it waits, the info is frozen
    with unchanged(tree.d, TENANT):
        expect(us.put(f"orgs/{oid}/profile", full), 409)
        expect(us.upload(f"orgs/{oid}/certificate", png_bytes(seed=6)), 409)
        expect(us.post(f"orgs/{oid}/profile/submit"), 409)
        expect(us.get(f"orgs/{oid}"), 403)
    # reject needs a reason; only the direct parent reviews
    with unchanged(tree.d, TENANT):
        expect(es.post(f"orgs/{oid}/profile/review", {"decision": "reject"}), 400, field="reason")
        expect(es.post(f"orgs/{oid}/profile/review", {"decision": "reject", "reason": "  "}), 400, field="reason")
        expect(es.post(f"orgs/{oid}/profile/review", {"decision": "reject", "reason": "长" * 501}), 400, field="reason")
        expect(es.post(f"orgs/{oid}/profile/review", {"decision": "maybe", "reason": "x"}), 400, field="decision")
        expect(es.post(f"orgs/{oid}/profile/review", {"reason": "x"}), 400, field="decision")
        expect(tree.district_s.post(f"orgs/{oid}/profile/review", {"decision": "reject", "reason": "越级"}), 403)
        expect(tree.city.post(f"orgs/{oid}/profile/review", {"decision": "approve"}), 403)
        expect(us.post(f"orgs/{oid}/profile/review", {"decision": "approve"}), 403)
        expect(tree.other_s.post(f"orgs/{oid}/profile/review", {"decision": "approve"}), 404)
        # The screen's form reads its answer as the API does: one it does not know is refused,
        # not taken as 退回 (a stale page, a hand-made post).
        for decision in ("approved", "", "通过"):
            r = tree.api.raw("POST", f"/t/{TENANT}/orgs/{oid}/review", body=urlencode({"_csrf": es.csrf, "decision": decision, "reason": "x"}).encode(),
                             headers={"Cookie": f"zc_session={es.cookie}", "Content-Type": "application/x-www-form-urlencoded"})
            # Said in the screens' words: the API's message names the codes (approve, reject).
            assert r.status == 400 and "所选的操作无效，请刷新页面后重新选择" in r.body.decode() and "approve 或 reject" not in r.body.decode(), \
                (decision, r.status, r.body.decode()[-1500:])
    reason = "证件图片不清晰，请重新上传"
    p = expect(es.post(f"orgs/{oid}/profile/review", {"decision": "reject", "reason": reason}), 200).json
    assert p["state"] == "rejected", p
    # the unit sees why, and is still limited to its info
    p = expect(us.get(f"orgs/{oid}/profile"), 200).json
    assert (p["state"], p["state_label"], p["reject_reason"]) == ("rejected", "已退回", reason), p
    assert child_rows(es, tree.dept["id"])[oid]["profile_state"] == "rejected"
    expect(us.get(f"orgs/{oid}"), 403)
    # fix and resubmit
    expect(us.upload(f"orgs/{oid}/certificate", png_bytes(width=4, height=4, seed=7)), (200, 204))
    p = expect(us.post(f"orgs/{oid}/profile/submit"), 200).json
    assert p["state"] == "submitted" and not p.get("reject_reason"), p
    p = expect(es.post(f"orgs/{oid}/profile/review", {"decision": "approve", "reason": ""}), 200).json
    assert (p["state"], p["state_label"]) == ("approved", "已审核"), p
    with unchanged(tree.d, TENANT):
        expect(es.post(f"orgs/{oid}/profile/review", {"decision": "approve"}), 409)
    # approved: the unit admin may now use the rest of the API
    assert org_of(us, oid)["profile_state"] == "approved"
    assert expect(us.get(f"orgs/{oid}/staff"), 200).json["staff"] == []
    assert expect(us.get(f"orgs/{oid}/applicants"), 200).json["applicants"] == []
    expect(us.get(f"orgs/{oid}/children"), 200)

    # the parent's list, as the manual shows it
    row = child_rows(es, tree.dept["id"])[oid]
    assert row["name"] == "逸夫小学" and row["code"] == "4101040010001"
    assert row["profile_state_label"] == "已审核"
    assert (row["affiliation_level"], row["category"], row["industry"], row["nature"]) == \
        ("市", "单位", "教育", "全额拨款事业单位"), row
    assert row["has_certificate"] is True
    assert row["admin"]["login"] == "4101040010001" and row["admin"]["name"] == "系统管理员", row
    assert "phone" in row["admin"] and "email" in row["admin"], row

    # Approved info is corrected in place and stays approved, but stays complete: a save that
    # leaves out a required field (a PUT is the whole info) is refused and changes nothing.
    approved = expect(us.get(f"orgs/{oid}/profile"), 200).json
    with unchanged(tree.d, TENANT):
        expect(us.put(f"orgs/{oid}/profile", {"contact": "赵老师"}), 400, field="name")
        expect(us.put(f"orgs/{oid}/profile", {**full, "credit_code": ""}), 400, field="credit_code", contains="请填写")
        expect(us.put(f"orgs/{oid}/profile", {**full, "category": "主管单位"}), 400, field="category")
    p = expect(us.put(f"orgs/{oid}/profile", {**full, "contact": "赵老师", "category": ""}), 200).json
    assert (p["contact"], p["category"], p["state"], p["credit_code"]) == ("赵老师", "单位", "approved", approved["credit_code"]), p


def test_profile_non_string_value_names_the_field(tree: Tree) -> None:
    s2, oid = tree.school2_s, tree.school2["id"]
    with unchanged(tree.d, TENANT):
        expect(s2.put(f"orgs/{oid}/profile", {"credit_code": 91350100}), 400, field="credit_code")


def test_profile_refusals_by_others(tree: Tree) -> None:
    oid = tree.school2["id"]
    with unchanged(tree.d, TENANT):
        # only the org's own admin maintains its info
        expect(tree.dept_s.put(f"orgs/{oid}/profile", {"contact": "王老师"}), 403)
        expect(tree.dept_s.post(f"orgs/{oid}/profile/submit"), 403)
        expect(tree.dept_s.upload(f"orgs/{oid}/certificate", png_bytes()), 403)
        expect(tree.other_s.put(f"orgs/{oid}/profile", {"contact": "王老师"}), 404)
        expect(tree.other_s.get(f"orgs/{oid}/certificate"), 404)
        expect(tree.school2_s.get(f"orgs/{tree.school['id']}/profile"), 404)
        # the root office has no parent to review it
        expect(tree.city.post("orgs/1/profile/submit"), 409)


# --------------------------------------------------------------------------- sub-org admin: 编辑信息, 初始化密码


def test_edit_sub_admin_and_reset_password(tree: Tree) -> None:
    es, api = tree.dept_s, tree.api
    unit, ua = create_child(es, tree.dept["id"], "第三小学", "unit")
    us = api.first_login(ua["login"], ua["password"])
    oid = unit["id"]
    r = expect(es.patch(f"orgs/{oid}/admin", {"name": "王老师", "phone": "13812345678", "email": "wang@example.com"}), 200).json
    assert (r["name"], r["phone"], r["email"], r["login"]) == ("王老师", "13812345678", "wang@example.com", unit["code"]), r
    admin = child_rows(es, tree.dept["id"])[oid]["admin"]
    assert (admin["name"], admin["phone"], admin["email"]) == ("王老师", "13812345678", "wang@example.com"), admin
    r = expect(es.patch(f"orgs/{oid}/admin", {"phone": "0371-66668888"}), 200).json
    assert (r["name"], r["phone"], r["email"]) == ("王老师", "0371-66668888", "wang@example.com"), r
    with unchanged(tree.d, TENANT):
        expect(es.patch(f"orgs/{oid}/admin", {"phone": "123"}), 400, field="phone")
        expect(es.patch(f"orgs/{oid}/admin", {"email": "wang@"}), 400, field="email")
        expect(es.patch(f"orgs/{oid}/admin", {"name": ""}), 400, field="name")
        expect(es.patch(f"orgs/{oid}/admin", {"name": ["x"]}), 400, field="name")
        expect(tree.other_s.patch(f"orgs/{oid}/admin", {"name": "越界"}), 404)
        expect(us.patch(f"orgs/{oid}/admin", {"name": "自己改"}), 403)
        expect(us.post(f"orgs/{oid}/admin/reset-password"), 403)
    assert expect(us.get("account"), 200).json["name"] == "王老师"

    # 初始化密码: a new one-time password; the old one and old sessions end
    reset = expect(es.post(f"orgs/{oid}/admin/reset-password"), 200).json
    assert reset["login"] == unit["code"] and len(reset["password"]) >= 8, reset
    expect(us.get("account"), 401)
    expect(api.sign_in_raw(unit["code"], NEW_PASSWORD), 401)
    s = api.sign_in(unit["code"], reset["password"])
    assert s.account["must_change_password"] is True
    expect(s.get(f"orgs/{oid}/profile"), 403)
    expect(s.post("account/password", {"old_password": reset["password"], "new_password": "Sanxiao2025"}), (200, 204))
    expect(s.get(f"orgs/{oid}/profile"), 200)
    # the grandparent may reset it too
    r2 = expect(tree.district_s.post(f"orgs/{oid}/admin/reset-password"), 200).json
    assert r2["password"] != reset["password"]
    expect(s.get("account"), 401)


# --------------------------------------------------------------------------- seal (manual §7)


def test_seal_upload_view_replace(tree: Tree) -> None:
    s2, oid = tree.school2_s, tree.school2["id"]
    expect(s2.get(f"orgs/{oid}/seal"), 404)
    seal = png_bytes(width=8, height=8, seed=11)
    expect(s2.upload(f"orgs/{oid}/seal", seal), (200, 204))
    got = expect(s2.get(f"orgs/{oid}/seal"), 200)
    assert got.body == seal and got.headers["content-type"].startswith("image/png")
    assert got.headers.get("x-content-type-options") == "nosniff"
    jpg = jpeg_bytes()
    expect(s2.upload(f"orgs/{oid}/seal", jpg, "image/png"), (200, 204))    # the declared type does not matter
    got = expect(s2.get(f"orgs/{oid}/seal"), 200)
    assert got.body == jpg and got.headers["content-type"].startswith("image/jpeg"), got.headers
    with unchanged(tree.d, TENANT):
        expect(s2.upload(f"orgs/{oid}/seal", b"<svg xmlns='http://www.w3.org/2000/svg'/>" * 3, "image/svg+xml"), 415)
        expect(s2.upload(f"orgs/{oid}/seal", "印章.png".encode() * 10), 415)
        expect(s2.upload(f"orgs/{oid}/seal", png_bytes() + b"\0" * UPLOAD_LIMIT), 413)
        expect(tree.dept_s.upload(f"orgs/{oid}/seal", png_bytes()), 403)       # only the org itself
        expect(tree.other_s.upload(f"orgs/{oid}/seal", png_bytes()), 404)
        expect(tree.other_s.get(f"orgs/{oid}/seal"), 404)
        expect(tree.school2_s.get(f"orgs/{tree.dept['id']}/seal"), 404)       # the parent's is not the unit's business
    assert expect(s2.get(f"orgs/{oid}/seal"), 200).body == jpg
    # ancestors may look at it
    assert expect(tree.dept_s.get(f"orgs/{oid}/seal"), 200).body == jpg
    assert expect(tree.city.get(f"orgs/{oid}/seal"), 200).body == jpg


# --------------------------------------------------------------------------- audit


def test_audit_newest_first_and_scoped(tree: Tree) -> None:
    s2, oid = tree.school2_s, tree.school2["id"]
    expect(s2.put(f"orgs/{oid}/certificate", None), (400, 415))   # an empty body: refused, not audited
    marker = png_bytes(seed=42)
    expect(s2.upload(f"orgs/{oid}/seal", marker), (200, 204))
    entries = expect(s2.get("audit"), 200).json["entries"]
    assert entries, "no audit entries"
    seqs = [e["seq"] for e in entries]
    assert seqs == sorted(seqs, reverse=True) and len(set(seqs)) == len(seqs), seqs
    ats = [e["at"] for e in entries]
    assert ats == sorted(ats, reverse=True), ats
    newest = entries[0]
    assert newest["action"] == "org.seal.upload" and newest["target"] == f"org:{oid}", newest
    for key in ("seq", "at", "actor", "action", "target", "detail", "source"):
        assert key in newest, newest
    actions = {e["action"] for e in entries}
    assert {"org.profile.save", "org.profile.submit", "org.certificate.upload", "account.change-password"} <= actions, actions
    # its own org only
    assert all(e.get("org_id") == oid for e in entries), entries
    # paging
    two = expect(s2.get("audit?limit=2"), 200).json["entries"]
    assert [e["seq"] for e in two] == seqs[:2]
    older = expect(s2.get(f"audit?limit=2&before={seqs[0]}"), 200).json["entries"]
    assert [e["seq"] for e in older] == seqs[1:3]
    # 操作日志 pages the same way: 更早的记录 / 最新记录 links, keeping the page size.
    cookie = {"Cookie": f"zc_session={s2.cookie}"}

    def screen(path: str) -> tuple[int, str]:
        r = tree.api.raw("GET", path, headers=cookie)
        assert r.status == 200, r
        page = r.body.decode()
        return page[page.index('id="audit"'):page.index("</table>", page.index('id="audit"'))].count("<tr><td>"), page

    rows, page = screen(f"/t/{TENANT}/audit?limit=2")
    assert rows == 2 and 'id="audit-newest"' not in page
    link = re.search(r'id="audit-older" href="([^"]+)"', page).group(1)
    assert html.unescape(link) == f"/t/{TENANT}/audit?limit=2&before={seqs[1]}", link
    rows, page = screen(html.unescape(link))
    assert rows == 2 and 'id="audit-newest"' in page, page[:3000]
    rows, page = screen(f"/t/{TENANT}/audit?limit=499")
    assert rows == len(seqs) and 'id="audit-older"' not in page, (rows, len(seqs))
    assert tree.api.raw("GET", f"/t/{TENANT}/audit?before=x", headers=cookie).status == 400

    # ancestors see it, newest first
    for s in (tree.dept_s, tree.district_s, tree.city):
        theirs = expect(s.get("audit?limit=500"), 200).json["entries"]
        assert newest["seq"] in [e["seq"] for e in theirs], s.account["login"]
        their_seqs = [e["seq"] for e in theirs]
        assert their_seqs == sorted(their_seqs, reverse=True)
    # nobody else does
    for s in (tree.other_s,):
        theirs = expect(s.get("audit?limit=500"), 200).json["entries"]
        assert not [e for e in theirs if e.get("org_id") in (oid, tree.dept["id"], tree.district["id"])], theirs
    # a department sees only its own subtree: nothing of its parent, the root or another branch
    dept_entries = expect(tree.dept_s.get("audit?limit=500"), 200).json["entries"]
    assert not [e for e in dept_entries if e.get("org_id") in (1, tree.district["id"], tree.other["id"])]


def test_audit_of_a_sibling_is_invisible(tree: Tree) -> None:
    """Two approved units under the same department: neither sees the other's entries."""
    sib, sa = create_child(tree.dept_s, tree.dept["id"], "第四小学", "unit")
    ss = approve_unit(tree.api, tree.dept_s, sib["id"], sa["login"], sa["password"])
    s2 = tree.school2_s
    mine = expect(s2.get("audit?limit=500"), 200).json["entries"]
    assert mine and not [e for e in mine if e.get("org_id") != tree.school2["id"]], mine
    theirs = expect(ss.get("audit?limit=500"), 200).json["entries"]
    assert theirs and not [e for e in theirs if e.get("org_id") != sib["id"]], theirs
    # both show up for the common parent
    parent_orgs = {e.get("org_id") for e in expect(tree.dept_s.get("audit?limit=500"), 200).json["entries"]}
    assert {sib["id"], tree.school2["id"]} <= parent_orgs
    # a staff member of the unit may not read the audit log
    staff = expect(s2.post(f"orgs/{tree.school2['id']}/staff", {"login": unique("audit-staff"), "name": "审计员"}), 201).json
    login, one_time = staff["account"]["login"], staff["password"]
    expect(s2.post(f"staff/{staff['account']['id']}/enable"), 200)
    st = tree.api.first_login(login, one_time)
    with unchanged(tree.d, TENANT):
        expect(st.get("audit"), 403)


def test_audit_of_a_deleted_org_stays_visible_to_ancestors(tree: Tree) -> None:
    es = tree.dept_s
    unit, ua = create_child(es, tree.dept["id"], "即将撤销学校", "unit")
    tree.api.first_login(ua["login"], ua["password"])   # session.create + account.change-password, org_id = unit
    seen = [e["seq"] for e in expect(es.get("audit?limit=500"), 200).json["entries"] if e.get("org_id") == unit["id"]]
    assert len(seen) >= 2, seen
    expect(es.delete(f"orgs/{unit['id']}"), (200, 204))
    after = [e["seq"] for e in expect(es.get("audit?limit=500"), 200).json["entries"] if e.get("org_id") == unit["id"]]
    assert set(seen) <= set(after), (seen, after)


def test_audit_pages_read_org_by_org_or_from_the_newest_give_the_same_entries(daemon_factory) -> None:
    """Up to 64 orgs in the caller's subtree, 操作日志 is read org by org from audit_org (schema
    v18) and merged; above, the tenant's log from the newest. Both give exactly the subtree's
    entries, newest first, paged by `before`, as the database holds them."""
    d = daemon_factory().start()
    info = create_tenant(d, "zz", "4101", "郑州市")
    api = Api(d.http_port, "zz")
    city = api.first_login(info["admin_login"], info["admin_password"])
    dept, dept_admin = create_child(city, 1, "教育局", "department")
    dept_s = approve_unit(api, city, dept["id"], dept_admin["login"], dept_admin["password"])
    units = [create_child(dept_s if n % 2 else city, dept["id"] if n % 2 else 1, f"单位{n}", "unit")[0] for n in range(70)]
    assert len(units) == 70
    db = d.tenant_db("zz")

    def expected(orgs: list[int], limit: int, before: int | None = None) -> list[int]:
        marks = ",".join("?" * len(orgs))
        return [r[0] for r in db_rows(db, f"SELECT seq FROM audit WHERE org_id IN ({marks}) AND seq < ? ORDER BY seq DESC LIMIT ?",
                                      *orgs, before or 2**62, limit)]

    everyone = [r[0] for r in db_rows(db, "SELECT id FROM orgs")]
    dept_tree = [dept["id"]] + [u["id"] for n, u in enumerate(units) if n % 2]
    assert len(everyone) > 64 >= len(dept_tree)
    for session, orgs in ((city, everyone), (dept_s, dept_tree)):
        first = [e["seq"] for e in expect(session.get("audit?limit=20"), 200).json["entries"]]
        assert first == expected(orgs, 20) and len(first) == 20, (first, expected(orgs, 20))
        older = [e["seq"] for e in expect(session.get(f"audit?limit=20&before={first[-1]}"), 200).json["entries"]]
        assert older == expected(orgs, 20, first[-1]), older
        everything = [e["seq"] for e in expect(session.get("audit?limit=500"), 200).json["entries"]]
        assert everything == expected(orgs, 500), len(everything)


def test_an_org_tree_holds_ten_levels(daemon_factory) -> None:
    """The root office is level 1; a child on the 11th level, or a move that would put part of a
    subtree there, is refused naming parent_id, and changes nothing (a tree grown by script to
    thousands of levels made every page that draws it a recursion without end)."""
    d = daemon_factory().start()
    info = create_tenant(d, "zz", "4101", "郑州市")
    api = Api(d.http_port, "zz")
    city = api.first_login(info["admin_login"], info["admin_password"])
    chain = [1]
    for level in range(2, 11):
        org, _ = create_child(city, chain[-1], f"第{level}级部门", "department")
        chain.append(org["id"])
    assert len(chain) == 10
    with unchanged(d, "zz"):
        expect(city.post(f"orgs/{chain[-1]}/children", {"name": "第11级", "kind": "unit"}), 400, field="parent_id", contains="11级")
    # A department with a unit under it (2 levels) fits under level 8, not under level 9.
    branch, _ = create_child(city, 1, "分支部门", "department")
    create_child(city, branch["id"], "分支单位", "unit")
    with unchanged(d, "zz"):
        expect(city.patch(f"orgs/{branch['id']}", {"parent_id": chain[8]}), 400, field="parent_id")
    moved = expect(city.patch(f"orgs/{branch['id']}", {"parent_id": chain[7]}), 200).json
    assert moved["parent_id"] == chain[7], moved
