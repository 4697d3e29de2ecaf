"""人员调动 through the JSON API: an applicant who takes a post at another unit of the city
is offered there by their unit's admin (`POST applicants/<id>/move` with the new unit's
单位编号) and moves once that unit's admin accepts (`POST moves/<id>/accept`; it may decline,
and the offering unit may cancel while it waits), keeping their account, their sign-in and
every application they made. Their drafts go with them and are declared by the new unit
(its plan, its route); what they submitted stays on the route it was declared on, in the old
unit's queue and 申报人员状态查询. Refusals (bad or unknown codes, the same unit, a unit not
yet approved, someone else's applicant or offer, a reviewer, another city's code, an offer
decided already) change nothing.

One daemon for the module: 郑州市 with two approved schools under the city office (第一中学
with a 2026 plan, 第二中学 with a 2027 plan) and a third unit whose info was never approved;
开封市 beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

import pytest

from api_support import (
    REVIEW_SECTIONS,
    REVIEW_SERIES,
    Api,
    Session,
    TwoSchools,
    add_reviewer,
    approve_unit,
    approved_plan,
    create_child,
    expect,
    fresh_id_number,
    module_daemon,
    two_schools,
    unchanged,
)
from conftest import Daemon, create_tenant

TENANT = "zhengzhou"


@dataclass
class Env(TwoSchools):
    pending: dict
    a_handler: Session
    b_handler: Session
    kaifeng_unit_code: str


@pytest.fixture(scope="module")
def env(request: pytest.FixtureRequest, zhichengd_bin: str, tmp_path_factory: pytest.TempPathFactory):
    with module_daemon(request, zhichengd_bin, tmp_path_factory.mktemp("api-move")) as d:
        t = two_schools(d, TENANT)
        api, city, a, a_s, b, b_s = t.api, t.city, t.a, t.a_s, t.b, t.b_s
        pending, _ = create_child(city, 1, "郑州市第三中学", "unit")   # its admin never signs in: not approved
        approved_plan(a_s, city, a["id"], [{"series": REVIEW_SERIES, "level": "中级", "count": 5}], year=2026)
        approved_plan(b_s, city, b["id"], [{"series": REVIEW_SERIES, "level": "中级", "count": 5}], year=2027)
        a_handler = add_reviewer(a_s, a["id"], "a.handler", ["handler"])
        b_handler = add_reviewer(b_s, b["id"], "b.handler", ["handler"])
        kaifeng = create_tenant(d, "kaifeng", "4102", "开封市")
        k_api = Api(d.http_port, "kaifeng")
        k_city = k_api.first_login(kaifeng["admin_login"], kaifeng["admin_password"])
        k_unit, _ = create_child(k_city, 1, "开封市第一中学", "unit")
        yield Env(d, api, city, a, a_s, b, b_s, pending, a_handler, b_handler, k_unit["code"])


def applicant_of(unit_admin: Session, env: Env, org_id: int, name: str) -> tuple[dict, Session]:
    r = expect(unit_admin.post(f"orgs/{org_id}/applicants", {"id_number": fresh_id_number(), "name": name}), 201).json
    return r["account"], env.api.first_login(r["account"]["login"], r["password"])


def filled(applicant: Session, year: int) -> dict:
    app = expect(applicant.post("applications", {"kind": "title", "year": year, "series": REVIEW_SERIES, "level": "中级", "title": "一级教师"}), 201).json
    for section in REVIEW_SECTIONS[:-1]:
        expect(applicant.put(f"applications/{app['id']}/sections/{quote(section)}", {"内容": f"{section}的内容"}), 200)
    return app


def offer(env: Env, source: Session, person: dict, code: str) -> dict:
    return expect(source.post(f"applicants/{person['id']}/move", {"unit_code": code}), 201).json


def accept(target: Session, move: dict) -> dict:
    return expect(target.post(f"moves/{move['id']}/accept"), 200).json


def listed(admin: Session, org_id: int) -> set[int]:
    return {a["id"] for a in expect(admin.get(f"orgs/{org_id}/applicants"), 200).json["applicants"]}


def queue(reviewer: Session) -> set[int]:
    return {a["id"] for a in expect(reviewer.get("reviews/queue?limit=200"), 200).json["applications"]}


def test_a_moved_applicant_keeps_account_and_history_and_takes_drafts_along(env: Env) -> None:
    person, applicant = applicant_of(env.a_s, env, env.a["id"], "调动者")
    submitted = filled(applicant, 2026)
    expect(applicant.post(f"applications/{submitted['id']}/submit"), 200)
    draft = filled(applicant, 2027)
    assert expect(applicant.get(f"applications/{draft['id']}"), 200).json["route"] == [env.a["id"], 1]
    assert submitted["id"] in queue(env.a_handler)

    move = offer(env, env.a_s, person, env.b["code"])
    assert move["state"] == "pending" and move["state_label"] == "待接收" and move["account_id"] == person["id"], move
    assert move["from_unit"] == {"id": env.a["id"], "code": env.a["code"], "name": "郑州市第一中学"}
    assert move["to_unit"] == {"id": env.b["id"], "code": env.b["code"], "name": "郑州市第二中学"}
    assert move["login"] == person["login"], "whole for the unit they are in"
    # Nothing moves until the other unit accepts; both see the offer waiting.
    assert person["id"] in listed(env.a_s, env.a["id"]) and person["id"] not in listed(env.b_s, env.b["id"])
    assert [m["id"] for m in expect(env.a_s.get("moves"), 200).json["outgoing"]] == [move["id"]]
    incoming = expect(env.b_s.get("moves"), 200).json["incoming"]
    assert [m["id"] for m in incoming] == [move["id"]] and incoming[0]["login"] != person["login"] and "*" in incoming[0]["login"], incoming
    assert expect(applicant.get(f"applications/{draft['id']}"), 200).json["org_id"] == env.a["id"]

    moved = accept(env.b_s, move)
    assert moved["move"]["state"] == "accepted" and moved["move"]["state_label"] == "已接收"
    assert moved["account"]["id"] == person["id"] and moved["account"]["org_id"] == env.b["id"]
    assert moved["account"]["login"] == person["login"]
    assert moved["drafts_moved"] == 1 and moved["staying_under_way"] == 1
    assert expect(env.a_s.get("moves"), 200).json["outgoing"] == [] and expect(env.b_s.get("moves"), 200).json["incoming"] == []

    # The new unit manages them now; the old one no longer does.
    assert person["id"] in listed(env.b_s, env.b["id"]) and person["id"] not in listed(env.a_s, env.a["id"])
    expect(env.b_s.patch(f"applicants/{person['id']}", {"phone": "13800138000"}), 200)
    expect(env.a_s.patch(f"applicants/{person['id']}", {"phone": "13900139000"}), 404)

    # The same session goes on; every application is still theirs.
    mine = {a["id"] for a in expect(applicant.get("applications"), 200).json["applications"]}
    assert {submitted["id"], draft["id"]} <= mine
    d = expect(applicant.get(f"applications/{draft['id']}"), 200).json
    assert d["org_id"] == env.b["id"] and d["unit_name"] == "郑州市第二中学" and d["route"] == [env.b["id"], 1] and d["state"] == "draft"
    s = expect(applicant.get(f"applications/{submitted['id']}"), 200).json
    assert s["org_id"] == env.a["id"] and s["unit_name"] == "郑州市第一中学" and s["route"] == [env.a["id"], 1] and s["state"] == "in_review"

    # What was submitted stays with the unit that declared it: its queue, its status query.
    assert submitted["id"] in queue(env.a_handler) and submitted["id"] not in queue(env.b_handler)
    a_rows = {r["application_id"] for r in expect(env.a_s.get(f"orgs/{env.a['id']}/applicant-status"), 200).json["rows"]}
    b_rows = {r["application_id"] for r in expect(env.b_s.get(f"orgs/{env.b['id']}/applicant-status"), 200).json["rows"]}
    assert submitted["id"] in a_rows and submitted["id"] not in b_rows
    version = expect(env.a_handler.get(f"applications/{submitted['id']}"), 200).json["version"]
    passed = expect(env.a_handler.post(f"applications/{submitted['id']}/decision", {"decision": "pass", "comment": "同意", "version": version}), 200).json
    assert passed["step"] == "leader"

    # The draft is declared by the new unit: its 2027 plan (the old unit has none for 2027)
    # and its route.
    expect(applicant.post(f"applications/{draft['id']}/submit"), 200)
    assert draft["id"] in queue(env.b_handler) and draft["id"] not in queue(env.a_handler)
    b_rows = {r["application_id"] for r in expect(env.b_s.get(f"orgs/{env.b['id']}/applicant-status"), 200).json["rows"]}
    assert draft["id"] in b_rows

    # 操作日志 says who offered and who accepted whom, from where to where (the number masked).
    entries = expect(env.city.get("audit?limit=100"), 200).json["entries"]
    offered = next(e for e in entries if e["action"] == "applicant.move-offer" and e["target"] == f"account:{person['id']}")
    entry = next(e for e in entries if e["action"] == "applicant.move" and e["target"] == f"account:{person['id']}")
    for e in (offered, entry):
        assert "郑州市第一中学" in e["detail"] and f"郑州市第二中学（{env.b['code']}）" in e["detail"] and "调动者" in e["detail"], e
        assert person["login"] not in e["detail"], "the number masked"
    assert '"drafts":1' in entry["detail"] and '"staying":1' in entry["detail"], entry


def test_the_new_unit_may_move_them_on_or_back(env: Env) -> None:
    person, applicant = applicant_of(env.a_s, env, env.a["id"], "往返者")
    accept(env.b_s, offer(env, env.a_s, person, env.b["code"]))
    back = accept(env.a_s, offer(env, env.b_s, person, f"  {env.a['code']} "))
    assert back["account"]["org_id"] == env.a["id"] and back["drafts_moved"] == 0 and back["staying_under_way"] == 0
    assert person["id"] in listed(env.a_s, env.a["id"])
    # Full-width digits, as an input method types them, are the same code.
    full = env.b["code"].translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    accept(env.b_s, offer(env, env.a_s, person, full))
    # Still signed in, and what they start now is the unit's they are in now.
    new = expect(applicant.post("applications", {"kind": "title", "year": 2027, "series": REVIEW_SERIES, "level": "中级", "title": "一级教师"}), 201).json
    assert new["org_id"] == env.b["id"] and new["route"] == [env.b["id"], 1], new


@pytest.mark.parametrize(("code", "status", "field", "text"), [
    ("", 400, "unit_code", "请填写调入单位"),
    ("逸夫小学", 400, "unit_code", "只含数字"),
    ("4101-01", 400, "unit_code", "只含数字"),
    ("9999999999999", 400, "unit_code", "没有单位编号为 9999999999999 的单位"),
])
def test_a_bad_or_unknown_code_is_refused_naming_the_field(env: Env, code: str, status: int, field: str, text: str) -> None:
    person, _ = applicant_of(env.a_s, env, env.a["id"], "待调动")
    with unchanged(env.d, TENANT):
        expect(env.a_s.post(f"applicants/{person['id']}/move", {"unit_code": code}), status, field=field, contains=text)


def test_refusals_change_nothing(env: Env) -> None:
    person, applicant = applicant_of(env.a_s, env, env.a["id"], "留下者")
    filled(applicant, 2027)
    path = f"applicants/{person['id']}/move"
    with unchanged(env.d, TENANT):
        # The unit they are in.
        expect(env.a_s.post(path, {"unit_code": env.a["code"]}), 400, field="unit_code", contains="无需调动")
        # A unit whose info its parent has not approved (by its code: its name is not told).
        refused = expect(env.a_s.post(path, {"unit_code": env.pending["code"]}), 409, contains="尚未经上级审核通过")
        assert "第三中学" not in refused.body.decode()
        # Another unit's admin, the city office's (only their own unit moves them), a reviewer.
        expect(env.b_s.post(path, {"unit_code": env.b["code"]}), 404, contains="本单位没有该申报人")
        expect(env.city.post(path, {"unit_code": env.b["code"]}), 404)
        expect(env.a_handler.post(path, {"unit_code": env.b["code"]}), 403)
        # The applicant themselves.
        expect(applicant.post(path, {"unit_code": env.b["code"]}), 403)
        # A unit of another city: not in this tenant.
        expect(env.a_s.post(path, {"unit_code": env.kaifeng_unit_code}), 400, field="unit_code", contains="没有单位编号为")
        # Staff are not applicants.
        staff = expect(env.a_s.get(f"orgs/{env.a['id']}/staff"), 200).json["staff"][0]
        expect(env.a_s.post(f"applicants/{staff['id']}/move", {"unit_code": env.b["code"]}), 404)
        # Bodies that are not the contract.
        expect(env.a_s.post(path, {}), 400, contains="unit_code")
        expect(env.a_s.post(path, {"unit_code": 4101}), 400)
        expect(env.a_s.post(f"applicants/999999/move", {"unit_code": env.b["code"]}), 404)
    assert person["id"] in listed(env.a_s, env.a["id"])


def test_a_deleted_unit_cannot_receive_anyone(env: Env) -> None:
    gone, gone_admin = create_child(env.city, 1, "郑州市已撤销学校", "unit")
    expect(env.city.delete(f"orgs/{gone['id']}"), (200, 204))
    person, _ = applicant_of(env.a_s, env, env.a["id"], "不能调入")
    with unchanged(env.d, TENANT):
        expect(env.a_s.post(f"applicants/{person['id']}/move", {"unit_code": gone["code"]}), 400, field="unit_code", contains="没有单位编号为")


def test_an_offer_is_declined_or_cancelled_once_and_nothing_moves(env: Env) -> None:
    person, applicant = applicant_of(env.a_s, env, env.a["id"], "未调成")
    draft = filled(applicant, 2027)
    first = offer(env, env.a_s, person, env.b["code"])
    with unchanged(env.d, TENANT):
        # One waiting offer per person, named when a second is tried.
        expect(env.a_s.post(f"applicants/{person['id']}/move", {"unit_code": env.b["code"]}), 409, contains="请先撤销")
        # Only the unit named accepts or declines it, only the offering one cancels it.
        expect(env.a_s.post(f"moves/{first['id']}/accept"), 404)
        expect(env.a_s.post(f"moves/{first['id']}/decline"), 404)
        expect(env.b_s.post(f"moves/{first['id']}/cancel"), 404)
        expect(env.city.post(f"moves/{first['id']}/accept"), 404)
        expect(env.b_handler.post(f"moves/{first['id']}/accept"), 403)
        expect(applicant.post(f"moves/{first['id']}/accept"), 403)
        expect(env.b_s.post("moves/999999/accept"), 404)
        expect(applicant.get("moves"), 403)
    declined = expect(env.b_s.post(f"moves/{first['id']}/decline"), 200).json
    assert declined["state"] == "declined" and declined["state_label"] == "未接收"
    with unchanged(env.d, TENANT):
        expect(env.b_s.post(f"moves/{first['id']}/accept"), 409, contains="调入单位已不接收该调动，不能再办理")
        expect(env.a_s.post(f"moves/{first['id']}/cancel"), 409)
    assert person["id"] in listed(env.a_s, env.a["id"])
    assert expect(applicant.get(f"applications/{draft['id']}"), 200).json["org_id"] == env.a["id"]

    # Offered again, then cancelled by the offering unit: it can no longer be accepted.
    second = offer(env, env.a_s, person, env.b["code"])
    cancelled = expect(env.a_s.post(f"moves/{second['id']}/cancel"), 200).json
    assert cancelled["state"] == "cancelled"
    with unchanged(env.d, TENANT):
        expect(env.b_s.post(f"moves/{second['id']}/accept"), 409, contains="该调动已撤销，不能再办理")
    assert expect(env.b_s.get("moves"), 200).json["incoming"] == []

    # A person deleted while an offer waits takes it with them.
    third = offer(env, env.a_s, person, env.b["code"])
    expect(env.a_s.delete(f"applicants/{person['id']}"), (200, 204))
    assert expect(env.b_s.get("moves"), 200).json["incoming"] == []
    with unchanged(env.d, TENANT):
        expect(env.b_s.post(f"moves/{third['id']}/accept"), 409, contains="该调动已撤销，不能再办理")
    entries = expect(env.city.get("audit?limit=100"), 200).json["entries"]
    assert "applicant.move-decline" in [e["action"] for e in entries]
    cancels = [e["detail"] for e in entries if e["action"] == "applicant.move-cancel" and e["target"] == f"account:{person['id']}"]
    assert len(cancels) == 2 and any("申报人账户已删除" in c for c in cancels), cancels
    # An accepted offer is not accepted twice.
    again, _ = applicant_of(env.a_s, env, env.a["id"], "接收两次")
    twice = offer(env, env.a_s, again, env.b["code"])
    accept(env.b_s, twice)
    with unchanged(env.d, TENANT):
        expect(env.b_s.post(f"moves/{twice['id']}/accept"), 409, contains="该调动已由调入单位接收，不能再办理")
        expect(env.a_s.post(f"moves/{twice['id']}/cancel"), 409, contains="该调动已由调入单位接收，不能再办理")


def test_a_unit_deleted_while_an_offer_to_it_waits_ends_the_offer(env: Env) -> None:
    gone, gone_admin = create_child(env.city, 1, "郑州市将撤销学校", "unit")
    approve_unit(env.api, env.city, gone["id"], gone_admin["login"], gone_admin["password"])
    person, _ = applicant_of(env.a_s, env, env.a["id"], "待撤销单位")
    waiting = offer(env, env.a_s, person, gone["code"])
    expect(env.city.delete(f"orgs/{gone['id']}"), (200, 204))
    assert waiting["id"] not in [m["id"] for m in expect(env.a_s.get("moves"), 200).json["outgoing"]]
    entry = next(e for e in expect(env.city.get("audit?limit=50"), 200).json["entries"] if e["action"] == "org.delete" and e["target"] == f"org:{gone['id']}")
    assert '"moves_cancelled":1' in entry["detail"], entry
    # The unit that offered it finds why in its own 操作日志.
    cancels = [e for e in expect(env.a_s.get("audit?limit=50"), 200).json["entries"]
               if e["action"] == "applicant.move-cancel" and e["target"] == f"account:{person['id']}"]
    assert cancels and "调入单位已删除" in cancels[0]["detail"], cancels
    # The person may be offered elsewhere now.
    assert offer(env, env.a_s, person, env.b["code"])["state"] == "pending"
