"""Declaration plans, applications and the review chain through the JSON API of the real daemon:
an application from a school in 管城区 climbs 管城区教育局 and 郑州市 (handler then leader at
each), is returned and resubmitted, and reaches the committee; quotas, four eyes, section
permissions, stale and repeated decisions, withdrawal, and the trail."""

from __future__ import annotations

import html
import re
import sqlite3
from dataclasses import dataclass
from urllib.parse import urlencode, quote

import pytest

from api_support import (Api, Session, approve_unit, approved_plan, city_with_draft, create_child, db_rows, expect, fresh_id_number, interview_held, interview_time,
                         module_daemon, png_bytes, relay_idle, unchanged)
from api_support import add_reviewer as add_staff_reviewer
from api_support import REQUIRED_SECTIONS, REVIEW_SECTIONS
from conftest import clean_env, create_tenant, held, wait_until

TENANT = "zhengzhou"
SERIES = "中小学教师"
ALL_SECTIONS = REVIEW_SECTIONS
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@dataclass
class Env:
    daemon: object
    api: Api
    city: Session
    dept: Session
    school: Session
    dept_id: int
    school_id: int
    reviewers: dict


def add_reviewer(admin: Session, org_id: int, login: str, roles: list[str], sections: list[str] = ALL_SECTIONS) -> Session:
    r = expect(admin.post(f"orgs/{org_id}/staff", {"login": login, "name": login, "phone": "13800138000"}), 201).json
    account, password = r["account"], r["password"]
    expect(admin.post(f"staff/{account['id']}/enable"), 200)
    expect(admin.put(f"staff/{account['id']}/roles", {"roles": roles}), 200)
    expect(admin.put(f"staff/{account['id']}/permissions", {"series": [SERIES], "sections": sections}), 200)
    return admin.api.first_login(login, password)


@pytest.fixture(scope="module")
def env(request: pytest.FixtureRequest, zhichengd_bin: str, tmp_path_factory: pytest.TempPathFactory):
    with module_daemon(request, zhichengd_bin, tmp_path_factory.mktemp("api-review"),
                       config='[log]\nlevel = "info"\n[limits]\npublicity_working_days = 0\n') as d:
        info = create_tenant(d, TENANT, "4101", "郑州市")
        api = Api(d.http_port, TENANT)
        city = api.first_login(info["admin_login"], info["admin_password"])
        dept_org, dept_admin = create_child(city, 1, "管城区教育局", "department")
        dept = approve_unit(api, city, dept_org["id"], dept_admin["login"], dept_admin["password"])
        school_org, school_admin = create_child(dept, dept_org["id"], "逸夫小学", "unit")
        school = approve_unit(api, dept, school_org["id"], school_admin["login"], school_admin["password"])
        reviewers = {
            "school.h": add_reviewer(school, school_org["id"], "school.h", ["handler"]),
            "school.l": add_reviewer(school, school_org["id"], "school.l", ["leader"]),
            "school.both": add_reviewer(school, school_org["id"], "school.both", ["handler", "leader"]),
            "dept.h": add_reviewer(dept, dept_org["id"], "dept.h", ["handler"]),
            "dept.l": add_reviewer(dept, dept_org["id"], "dept.l", ["leader"], sections=["基本信息", "业绩成果"]),
            "city.h": add_reviewer(city, 1, "city.h", ["handler"]),
            "city.l": add_reviewer(city, 1, "city.l", ["leader"]),
        }
        # The 2026 plan every other test applies under; the plan test itself uses 2027.
        approved_plan(school, city, school_org["id"], [{"series": SERIES, "level": "中级", "count": 50}, {"series": SERIES, "level": "副高级", "count": 50}])
        yield Env(d, api, city, dept, school, dept_org["id"], school_org["id"], reviewers)


def new_applicant(env: Env) -> Session:
    r = expect(env.school.post(f"orgs/{env.school_id}/applicants", {"id_number": fresh_id_number(), "name": "赵老师", "phone": ""}), 201).json
    return env.api.first_login(r["account"]["login"], r["password"])


def filled_application(applicant: Session, level: str = "中级", title: str = "一级教师", year: int = 2026) -> dict:
    app = expect(applicant.post("applications", {"kind": "title", "year": year, "series": SERIES, "level": level, "title": title}), 201).json
    assert app["state"] == "draft"
    for section in ALL_SECTIONS[:-1]:
        expect(applicant.put(f"applications/{app['id']}/sections/{quote(section)}", {"内容": f"{section}的内容"}), 200)
    return app


def decide(reviewer: Session, app_id: int, decision: str = "pass", **extra) -> dict:
    version = expect(reviewer.get(f"applications/{app_id}"), 200).json["version"]
    return expect(reviewer.post(f"applications/{app_id}/decision", {"decision": decision, "comment": "同意", "version": version, **extra}), 200).json


def queue_row(reviewer: Session, app_id: int) -> dict:
    """The application's row in the reviewer's queue (exactly one)."""
    rows = [a for a in expect(reviewer.get("reviews/queue?limit=200"), 200).json["applications"] if a["id"] == app_id]
    assert len(rows) == 1, rows
    return rows[0]


def queue_ids(reviewer: Session) -> list[int]:
    return [a["id"] for a in expect(reviewer.get("reviews/queue"), 200).json["applications"]]


def test_plan_is_needed_validated_and_approved_by_the_city(env: Env) -> None:
    applicant = new_applicant(env)
    app = filled_application(applicant, year=2027)
    expect(applicant.post(f"applications/{app['id']}/submit"), 409, contains="申报计划尚未经审核通过")

    expect(env.school.post(f"orgs/{env.school_id}/plans", {"year": 2027, "items": [{"series": "魔法师", "level": "中级", "count": 1}]}), 400, field="items")
    plan = expect(env.school.post(f"orgs/{env.school_id}/plans", {"year": 2027, "items": [
        {"series": SERIES, "level": "中级", "count": 1}, {"series": SERIES, "level": "副高级", "count": 2}]}), 201).json
    # A draft is the school's own: the city's list of every unit's plans does not show it.
    assert plan["id"] not in [p["id"] for p in expect(env.city.get("plans"), 200).json["plans"]]
    expect(env.school.post(f"plans/{plan['id']}/submit"), 400, field="document")
    expect(env.school.upload(f"plans/{plan['id']}/document", b"plain text", content_type="application/pdf"), 415)
    expect(env.school.upload(f"plans/{plan['id']}/document", PDF, content_type="application/pdf"), 200)
    assert expect(env.school.post(f"plans/{plan['id']}/submit"), 200).json["state"] == "submitted"

    def submitted_at() -> float | None:
        return db_rows(env.daemon.tenant_db(TENANT), "SELECT submitted_at FROM plans WHERE id = ?", plan["id"])[0][0]

    first_submitted = submitted_at()
    assert first_submitted, "a submission says when it was made (the office's waiting list runs by it)"
    waiting = expect(env.city.get("plans?state=submitted"), 200).json["plans"]
    assert [(p["id"], p["org_name"], p["state"]) for p in waiting if p["id"] == plan["id"]] == [(plan["id"], "逸夫小学", "submitted")], waiting
    expect(env.dept.post(f"plans/{plan['id']}/review", {"decision": "approve"}), 403)
    expect(env.city.post(f"plans/{plan['id']}/review", {"decision": "reject"}), 400, field="reason")
    rejected = expect(env.city.post(f"plans/{plan['id']}/review", {"decision": "reject", "reason": "附件不清晰"}), 200).json
    assert rejected["state"] == "rejected" and rejected["reject_reason"] == "附件不清晰"
    expect(env.school.post(f"plans/{plan['id']}/submit"), 200)
    submitted_again = submitted_at()
    assert submitted_again and submitted_again > first_submitted, (first_submitted, submitted_again)
    assert expect(env.city.post(f"plans/{plan['id']}/review", {"decision": "approve"}), 200).json["state"] == "approved"
    assert submitted_at() == submitted_again, "the review leaves when it was submitted"
    assert expect(env.city.get(f"plans/{plan['id']}/document"), 200).body == PDF

    def used() -> list[tuple[str, int, int]]:
        items = expect(env.school.get(f"plans/{plan['id']}"), 200).json["items"]
        return [(i["level"], i["count"], i["used"]) for i in items]

    assert used() == [("中级", 1, 0), ("副高级", 2, 0)]
    # Now the first 中级 application fits the plan; a second one exceeds its line.
    expect(applicant.post(f"applications/{app['id']}/submit"), 200)
    assert used() == [("中级", 1, 1), ("副高级", 2, 0)]
    over = new_applicant(env)
    app2 = filled_application(over, year=2027)
    r = expect(over.post(f"applications/{app2['id']}/submit"), 409)
    assert "中小学教师 中级" in r.error()["message"] and "1 人" in r.error()["message"]
    assert used() == [("中级", 1, 1), ("副高级", 2, 0)], "a refused submission takes no place"
    # The city office lists every unit's plans, by year and state, with what is taken and left.
    mine = [p for p in expect(env.city.get("plans?year=2027"), 200).json["plans"] if p["id"] == plan["id"]]
    assert [(p["org_name"], p["state"], [(i["level"], i["count"], i["used"]) for i in p["items"]]) for p in mine] == [
        ("逸夫小学", "approved", [("中级", 1, 1), ("副高级", 2, 0)])], mine
    assert all(p["year"] == 2027 for p in expect(env.city.get("plans?year=2027"), 200).json["plans"])
    assert plan["id"] not in [p["id"] for p in expect(env.city.get("plans?year=2028"), 200).json["plans"]]
    assert plan["id"] not in [p["id"] for p in expect(env.city.get("plans?state=submitted"), 200).json["plans"]]
    expect(env.city.get("plans?state=draft"), 400, field="state")
    expect(env.city.get("plans?state=maybe"), 400, field="state")
    expect(env.city.get("plans?year=abc"), 400, field="year")
    expect(env.school.get("plans"), 403)
    expect(env.dept.get("plans"), 403)
    office = env.api.raw("GET", f"/t/{TENANT}/plans?year=2027", headers={"Cookie": f"zc_session={env.city.cookie}"}).body.decode()
    assert 'id="unit-plans"' in office and f'data-plan="{plan["id"]}"' in office and f"{SERIES} 中级 1人（已提交 1，余 0）" in office, office[-4000:]
    office = env.api.raw("GET", f"/t/{TENANT}/plans?year=2028", headers={"Cookie": f"zc_session={env.city.cookie}"}).body.decode()
    assert f'data-plan="{plan["id"]}"' not in office.split('id="unit-plans"')[1], office[-2000:]
    # The unit's 申报计划上传 page says what is taken and what is left.
    page = env.api.raw("GET", f"/t/{TENANT}/plans", headers={"Cookie": f"zc_session={env.school.cookie}"}).body.decode()
    assert f"{SERIES} 中级 1人（已提交 1，余 0）" in page and f"{SERIES} 副高级 2人（已提交 0，余 2）" in page, page[-4000:]
    # The first one is rejected at the school (a final decision) so later tests start from an empty queue;
    # turned down on the way, it gives its place back.
    assert decide(env.reviewers["school.h"], app["id"], "reject", comment="不符合条件")["state"] == "rejected"
    assert used() == [("中级", 1, 0), ("副高级", 2, 0)]


def test_a_plan_is_fixed_once_submitted_and_reviewed_only_while_submitted(env: Env) -> None:
    """A submitted plan is the city's to review: the unit can no longer save other lines over it,
    swap its document or submit it again. Approved, it stays as approved (a unit cannot raise its
    approved quota, nor swap the document behind it), and the city cannot approve it again, nor
    review a draft it was never sent (sending an approved plan back for adjustment is
    `test_the_city_may_send_an_approved_plan_back_for_adjustment`). Each refusal changes nothing
    in the tenant's database."""
    year = 2020
    line = {"series": SERIES, "level": "中级", "count": 1}
    plan = expect(env.school.post(f"orgs/{env.school_id}/plans", {"year": year, "items": [line]}), 201).json
    expect(env.school.upload(f"plans/{plan['id']}/document", PDF, content_type="application/pdf"), 200)
    assert expect(env.school.post(f"plans/{plan['id']}/submit"), 200).json["state"] == "submitted"

    def shown() -> tuple:
        p = expect(env.school.get(f"plans/{plan['id']}"), 200).json
        return p["state"], [(i["series"], i["level"], i["count"]) for i in p["items"]], expect(env.school.get(f"plans/{plan['id']}/document"), 200).body

    raised = {"year": year, "items": [dict(line, count=99), {"series": SERIES, "level": "副高级", "count": 5}]}
    other_pdf = PDF.replace(b"trailer", b"%other\ntrailer")
    def fixed(state: str, reviewed_again: bool) -> None:
        """In `state`, the plan's lines, document and state cannot change (nor be reviewed again)."""
        before = shown()
        assert before == (state, [(SERIES, "中级", 1)], PDF), before
        with unchanged(env.daemon, TENANT):
            expect(env.school.post(f"orgs/{env.school_id}/plans", raised), 409)
            expect(env.school.upload(f"plans/{plan['id']}/document", other_pdf, content_type="application/pdf"), 409)
            expect(env.school.post(f"plans/{plan['id']}/submit"), 409)
            if reviewed_again:
                expect(env.city.post(f"plans/{plan['id']}/review", {"decision": "approve"}), 409)
        assert shown() == before

    fixed("submitted", reviewed_again=False)
    assert expect(env.city.post(f"plans/{plan['id']}/review", {"decision": "approve"}), 200).json["state"] == "approved"
    fixed("approved", reviewed_again=True)

    # A draft never sent to the city: the city cannot approve (or reject) it either.
    draft = expect(env.school.post(f"orgs/{env.school_id}/plans", {"year": year + 1, "items": [line]}), 201).json
    expect(env.school.upload(f"plans/{draft['id']}/document", PDF, content_type="application/pdf"), 200)
    with unchanged(env.daemon, TENANT):
        expect(env.city.post(f"plans/{draft['id']}/review", {"decision": "approve"}), 409)
        expect(env.city.post(f"plans/{draft['id']}/review", {"decision": "reject", "reason": "未提交"}), 409)
    assert expect(env.school.get(f"plans/{draft['id']}"), 200).json["state"] == "draft"
    # Submitted, the same plan is the city's to review (and no draft is left for the forms of later tests).
    expect(env.school.post(f"plans/{draft['id']}/submit"), 200)
    assert expect(env.city.post(f"plans/{draft['id']}/review", {"decision": "approve"}), 200).json["state"] == "approved"


def test_a_draft_plan_is_its_units_own_until_submitted(env: Env) -> None:
    """A unit's draft 申报计划 is its own: the orgs above it (its department, the city office)
    neither list it (orgs/<unit>/plans) nor read it or its document, answered 404 as a plan
    that does not exist; once submitted they see it; sent back and saved again by the unit, it
    is a draft, its own again. Each refused read changes nothing."""
    # A year older than the other tests' plans: the form offers the newest plan still editable.
    items = [{"series": SERIES, "level": "中级", "count": 2}]
    plan = expect(env.school.post(f"orgs/{env.school_id}/plans", {"year": 2010, "items": items}), 201).json
    expect(env.school.upload(f"plans/{plan['id']}/document", PDF, content_type="application/pdf"), 200)
    missing = expect(env.city.get("plans/999999"), 404).error()["message"]

    def seen(who: Session) -> bool:
        listed = plan["id"] in [p["id"] for p in expect(who.get(f"orgs/{env.school_id}/plans"), 200).json["plans"]]
        detail = who.get(f"plans/{plan['id']}")
        document = who.get(f"plans/{plan['id']}/document")
        if not listed:
            expect(detail, 404)
            expect(document, 404)
            assert detail.error()["message"] == document.error()["message"] == missing, (detail, document)
            return False
        assert expect(detail, 200).json["state"] != "draft" and expect(document, 200).body == PDF
        return True

    assert expect(env.school.get(f"plans/{plan['id']}"), 200).json["state"] == "draft"
    assert plan["id"] in [p["id"] for p in expect(env.school.get(f"orgs/{env.school_id}/plans"), 200).json["plans"]]
    for above in (env.dept, env.city):
        with unchanged(env.daemon, TENANT):
            assert not seen(above), "an org above the unit sees its draft plan"
    expect(env.school.post(f"plans/{plan['id']}/submit"), 200)
    assert seen(env.dept) and seen(env.city)
    expect(env.city.post(f"plans/{plan['id']}/review", {"decision": "reject", "reason": "人数有误"}), 200)
    assert seen(env.dept) and seen(env.city), "a plan sent back stays in sight"
    expect(env.school.post(f"orgs/{env.school_id}/plans", {"year": 2010, "items": [{**items[0], "count": 1}]}), 201)
    assert not seen(env.dept) and not seen(env.city), "changed again, it is the unit's draft again"


def test_the_chain_handler_then_leader_up_to_the_committee(env: Env) -> None:
    applicant = new_applicant(env)
    app = filled_application(applicant, level="副高级", title="高级教师")
    expect(applicant.post(f"applications/{app['id']}/submit"), 200)
    assert expect(applicant.put(f"applications/{app['id']}/sections/{quote('基本信息')}", {"x": "y"}), 409)
    r = env.reviewers
    assert app["id"] in queue_ids(r["school.h"])
    assert app["id"] not in queue_ids(r["school.l"]), "the leader waits for the handler"
    assert app["id"] not in queue_ids(r["dept.h"]), "the next level sees nothing yet"
    expect(r["dept.h"].get(f"applications/{app['id']}"), 404)

    # The applicant reads where it is (the org by name, and the step), as 申报人员状态查询 says it.
    def where(reader=applicant) -> tuple:
        shown = expect(reader.get(f"applications/{app['id']}"), 200).json
        return shown["state_label"], shown.get("current_org_name"), shown.get("step_label")
    assert where() == ("审查中", "逸夫小学", "经办人审查")
    first = decide(r["school.h"], app["id"])
    assert first["step"] == "leader" and first["current_org_id"] == env.school_id
    assert where() == ("审查中", "逸夫小学", "负责人审查")
    # The same decision sent again (double click) is answered with the current state.
    again = expect(r["school.h"].post(f"applications/{app['id']}/decision", {"decision": "pass", "version": first["version"] - 1}), 200).json
    assert again["version"] == first["version"]
    decide(r["school.l"], app["id"])
    assert app["id"] in queue_ids(r["dept.h"])
    assert where() == ("审查中", "管城区教育局", "经办人审查") and where(env.school) == where()
    home = env.api.raw("GET", f"/t/{TENANT}/home", headers={"Cookie": f"zc_session={applicant.cookie}"}).body.decode()
    assert "审查中（管城区教育局 经办人审查）" in home, home[-2000:]

    # The leader limited to two sections sees only those, in the API as in the queue.
    decide(r["dept.h"], app["id"])
    seen = expect(r["dept.l"].get(f"applications/{app['id']}"), 200).json
    assert set(seen["sections"]) == {"基本信息", "业绩成果"}
    assert "论文著作" in seen["hidden_sections"]
    decide(r["dept.l"], app["id"])
    assert where() == ("审查中", "郑州市职改办", "经办人审查")
    decide(r["city.h"], app["id"])
    done = decide(r["city.l"], app["id"])
    assert done["state"] == "awaiting_province", "副高级 goes on to the province"
    # With the province, no org of the city: what the city can say (not yet acknowledged: there is
    # no province tenant yet), as 申报人员状态查询 says it and finds it.
    assert where() == ("待报送省职改办", None, None)
    listed = lambda state: [x["application_id"] for x in expect(env.city.get(f"orgs/1/applicant-status?below=true&state={state}"), 200).json["rows"]]  # noqa: E731
    assert app["id"] in listed("awaiting_province") and app["id"] not in listed("forwarded") + listed("in_review")

    trail = expect(applicant.get(f"applications/{app['id']}/trail"), 200).json["trail"]
    assert [t["decision"] for t in trail] == ["submit"] + ["pass"] * 6
    assert all(t.get("reviewer") is None for t in trail[1:]), "applicants do not see reviewer names"
    assert [t["step_label"] for t in trail[1:3]] == ["经办人审查", "负责人审查"]
    admin_trail = expect(env.school.get(f"applications/{app['id']}/trail"), 200).json["trail"]
    assert admin_trail[1]["reviewer"] == "school.h"

    # … to the province's committee and back: the result reaches the applicant in the city.
    pinfo = create_tenant(env.daemon, "province", "41", "河南省", kind="province")
    office = Api(env.daemon.http_port, "province").first_login(pinfo["admin_login"], pinfo["admin_password"])
    rows = wait_until(lambda: expect(office.get("province/applications"), 200).json["applications"], 30, "the province to receive it")
    assert [(r["source_tenant"], r["unit_name"], r["state"]) for r in rows] == [(TENANT, "逸夫小学", "in_review")]
    wait_until(lambda: where()[0] == "已报送省职改办", 30, "the province's acknowledgement to reach the city")
    assert where() == ("已报送省职改办", None, None)
    assert app["id"] in listed("forwarded") and app["id"] not in listed("awaiting_province")
    # The province office reviews it itself, 经办人 then 负责人, before its committee may take it up.
    expect(office.post("committees", {"name": "河南省中小学教师高级评委会", "series": [SERIES], "levels": ["副高级"]}), 201)
    expect(office.put(f"province/applications/{rows[0]['id']}/interview", {"time": interview_time(20, 14), "place": "省人社厅"}), 409)
    province = [add_staff_reviewer(office, 1, f"prov.{role}", [role], series=[SERIES]) for role in ("handler", "leader")]
    waiting = expect(province[0].get("province/reviews?waiting=true"), 200).json["applications"]
    assert [(a["id"], a["step"], a["may_act"]) for a in waiting] == [(rows[0]["id"], "handler", True)], waiting
    seen = expect(province[0].get(f"province/reviews/{rows[0]['id']}"), 200).json
    assert set(seen["sections"]) >= {"基本信息", "业绩成果"} and [t["org"] for t in seen["city_trail"] if t["org"]][-1] == "郑州市职改办", seen
    expect(province[1].post(f"province/reviews/{rows[0]['id']}/decision", {"decision": "pass", "comment": "同意"}), 403)  # the handler's step first
    expect(province[0].post(f"province/reviews/{rows[0]['id']}/decision", {"decision": "return", "comment": "请修改"}), 400, field="sections")
    expect(province[0].post(f"province/reviews/{rows[0]['id']}/decision", {"decision": "pass", "comment": "材料齐全"}), 200)
    # The handler naming the 负责人 step is no repeat of their own pass (it was answered 200 with
    # nothing recorded): refused, nothing changed.
    # (The relay may meanwhile deliver the handler's step to the city: the outbox and inbox move on.)
    with unchanged(env.daemon, "province", ignore=("sessions", "outbox", "inbox")):
        r = province[0].post(f"province/reviews/{rows[0]['id']}/decision", {"decision": "pass", "comment": "同意", "step": "leader"})
        assert r.status in (403, 409), r
    out = expect(province[1].post(f"province/reviews/{rows[0]['id']}/decision", {"decision": "pass", "comment": "同意上会"}), 200).json
    assert (out["state"], out["stage_label"]) == ("received", "省职改办审查通过，待评委会评审"), out
    # Its two steps reach the applicant's trail in the city, without the reviewers' names.
    wait_until(lambda: len([t for t in expect(applicant.get(f"applications/{app['id']}/trail"), 200).json["trail"] if t.get("org_name", "").startswith("河南省")]) == 2,
               30, "the province office's steps to reach the city's trail")
    mine = [t for t in expect(applicant.get(f"applications/{app['id']}/trail"), 200).json["trail"] if t.get("org_name", "").startswith("河南省")]
    assert [(t["step"], t["decision"], t["comment"], t.get("reviewer")) for t in mine] == [("handler", "pass", "材料齐全", None), ("leader", "pass", "同意上会", None)]
    expect(office.put(f"province/applications/{rows[0]['id']}/interview", {"time": interview_time(20, 14), "place": "省人社厅"}), 200)
    interview_held(env.daemon, "province")
    expect(office.post(f"province/applications/{rows[0]['id']}/result", {"result": "通过"}), 200)
    expect(office.post(f"province/applications/{rows[0]['id']}/result/confirm"), 200)
    wait_until(lambda: expect(applicant.get(f"applications/{app['id']}"), 200).json["state"] == "passed", 30, "the result to reach the city")
    status = expect(env.school.get(f"orgs/{env.school_id}/applicant-status"), 200).json["rows"]
    row = next(r for r in status if r["application_id"] == app["id"])
    assert row["committee"] == "河南省中小学教师高级评委会" and "省人社厅" in row["interview"] and row["stage"] == "评审通过"
    # The 评审表 has every level's opinion: the school's, the department's, the city's, the province office's.
    form = expect(env.school.get(f"applications/{app['id']}/review-form"), 200).body.decode()
    assert "同意上会" in form and "河南省职称改革工作领导小组办公室" in form, form[-3000:]
    # One title application a year is the person's, not the account's: deleted (the application
    # has ended) and added again, the same ID-card number may not apply again that year.
    id_number = applicant.account["login"]
    expect(env.school.delete(f"applicants/{applicant.id}"), (200, 204))
    again = expect(env.school.post(f"orgs/{env.school_id}/applicants", {"id_number": id_number, "name": "赵老师", "phone": ""}), 201).json
    same_person = env.api.first_login(again["account"]["login"], again["password"])
    second = filled_application(same_person, level="中级", title="一级教师")
    expect(same_person.post(f"applications/{second['id']}/submit"), 409, contains="每人每年")


def test_an_application_on_its_way_keeps_its_applicant_its_unit_and_its_route(env: Env) -> None:
    """While an application is on its way (here at the province, which may still send it back
    to climb its route again): its applicant cannot be deleted (nobody could resubmit or
    withdraw it) and its unit cannot move (a return would climb the old route). Each refusal
    changes nothing."""
    applicant = new_applicant(env)
    app = filled_application(applicant, level="副高级", title="高级教师")
    expect(applicant.post(f"applications/{app['id']}/submit"), 200)
    r = env.reviewers
    for reviewer in ("school.h", "school.l", "dept.h", "dept.l", "city.h", "city.l"):
        decide(r[reviewer], app["id"])
    assert expect(applicant.get(f"applications/{app['id']}"), 200).json["state"] in ("awaiting_province", "at_committee"), "handed to the province"
    other_dept, _ = create_child(env.city, 1, "中原区教育局", "department")
    # With a province tenant (made earlier in the module), its acknowledgement (which writes the
    # application's forwarded_at) lands first; without one, the hand-over waits in the outbox.
    if env.daemon.tenant_db("province").exists():
        wait_until(lambda: expect(applicant.get(f"applications/{app['id']}"), 200).json.get("forwarded_to_province_at"), 30,
                   "the acknowledgement to reach the city")
        relay_idle(env.daemon, [TENANT, "province"])
    with unchanged(env.daemon, TENANT, ignore=("sessions",)):
        expect(env.school.delete(f"applicants/{applicant.id}"), 409, contains="申报")
        expect(env.city.patch(f"orgs/{env.school_id}", {"parent_id": other_dept["id"]}), 409, contains="省里审查")
    assert expect(applicant.get("account"), 200).json["login"] == applicant.account["login"]


def test_four_eyes_roles_and_series(env: Env) -> None:
    applicant = new_applicant(env)
    app = filled_application(applicant, level="副高级", title="高级教师")
    expect(applicant.post(f"applications/{app['id']}/submit"), 200)
    r = env.reviewers
    v = expect(r["school.l"].get(f"applications/{app['id']}"), 200).json["version"]
    expect(r["school.l"].post(f"applications/{app['id']}/decision", {"decision": "pass", "version": v}), 403)
    decide(r["school.both"], app["id"])
    v = expect(r["school.both"].get(f"applications/{app['id']}"), 200).json["version"]
    resp = expect(r["school.both"].post(f"applications/{app['id']}/decision", {"decision": "pass", "version": v}), 403)
    assert "四眼" in resp.error()["message"]
    # Without `version`, naming the 负责人 step: not taken for a repeat of their own 经办人 pass
    # (answered 200 with nothing recorded, it told the client a pass went through): refused alike.
    with unchanged(env.daemon, TENANT, ignore=("sessions",)):
        resp = expect(r["school.both"].post(f"applications/{app['id']}/decision", {"decision": "pass", "comment": "同意", "step": "leader"}), 403)
        assert "四眼" in resp.error()["message"]
        # Naming the step they took is the repeat it is: answered again, recorded once.
        again = expect(r["school.both"].post(f"applications/{app['id']}/decision", {"decision": "pass", "comment": "同意", "step": "handler"}), 200).json
        assert again["step"] == "leader" and again["version"] == v, again
    # So their queues leave it out (both steps, and 负责人审查 alone); another leader's has it.
    def queued(reviewer, query: str = "") -> bool:
        return any(q["id"] == app["id"] for q in expect(reviewer.get("reviews/queue" + query), 200).json["applications"])
    assert not queued(r["school.both"]) and not queued(r["school.both"], "?stage=leader")
    assert queued(r["school.l"]) and queued(r["school.l"], "?stage=leader")
    page = r["school.both"].api.raw("GET", f"/t/{TENANT}/reviews", headers={"Cookie": f"zc_session={r['school.both'].cookie}"}).body.decode()
    assert f'reviews/{app["id"]}"' not in page, page[-2000:]
    expect(r["dept.h"].post(f"applications/{app['id']}/decision", {"decision": "pass", "version": v}), (404, 409))
    expect(env.school.post(f"applications/{app['id']}/decision", {"decision": "pass", "version": v}), 403)
    expect(applicant.post(f"applications/{app['id']}/withdraw"), 409, contains="不能撤回")


def senior_at_department(env: Env) -> tuple[Session, dict]:
    """A new applicant's 副高级 application, submitted and passed by the school's handler and
    leader: it waits for the department's handler."""
    applicant = new_applicant(env)
    app = filled_application(applicant, level="副高级", title="高级教师")
    expect(applicant.post(f"applications/{app['id']}/submit"), 200)
    decide(env.reviewers["school.h"], app["id"])
    decide(env.reviewers["school.l"], app["id"])
    return applicant, app


def test_return_names_sections_and_resubmission_starts_at_the_unit(env: Env) -> None:
    applicant, app = senior_at_department(env)
    r = env.reviewers
    v = expect(r["dept.h"].get(f"applications/{app['id']}"), 200).json["version"]
    expect(r["dept.h"].post(f"applications/{app['id']}/decision", {"decision": "return", "version": v}), 400, field="sections")
    expect(r["dept.h"].post(f"applications/{app['id']}/decision", {"decision": "return", "version": v, "sections": ["业绩成果"], "reason": "bad"}), 400, field="reason")
    expect(r["dept.h"].post(f"applications/{app['id']}/decision", {"decision": "return", "version": v, "sections": ["业绩成果"], "reason": "other"}), 400, field="comment")
    returned = decide(r["dept.h"], app["id"], "return", sections=["业绩成果"], reason="incomplete", comment="请补充获奖证书")
    assert returned["state"] == "returned"
    mine = expect(applicant.get(f"applications/{app['id']}"), 200).json
    assert mine["returned"] == {"sections": ["业绩成果"], "reason": "incomplete", "reason_label": "材料不完整", "comment": "请补充获奖证书"}
    assert mine["changed_sections"] == [] and mine["previous_sections"] == {}, mine  # one submission so far
    expect(applicant.put(f"applications/{app['id']}/sections/{quote('业绩成果')}", {"内容": "补充后的业绩"}), 200)
    resubmitted = expect(applicant.post(f"applications/{app['id']}/submit"), 200).json
    assert resubmitted["current_org_id"] == env.school_id and resubmitted["step"] == "handler"
    seen = expect(r["school.h"].get(f"applications/{app['id']}"), 200).json
    assert seen["changed_sections"] == ["业绩成果"]
    # What it said in the returned submission, for the reviewer to compare.
    assert seen["previous_sections"] == {"业绩成果": {"内容": "业绩成果的内容"}}, seen["previous_sections"]
    assert seen["sections"]["业绩成果"] == {"内容": "补充后的业绩"}


def test_each_level_sees_what_changed_since_the_submission_it_saw_itself(env: Env) -> None:
    """The department returns the first submission over 业绩成果; the second is returned by the
    school over 论文著作; the third comes up to the department, which is shown both changes
    against the first, the one it saw (not only what changed since the second, which only the
    school saw), with the text it read then; the city office, which never saw any, is shown no
    changes and no 重新提交."""
    applicant, app = senior_at_department(env)
    r = env.reviewers
    decide(r["dept.h"], app["id"], "return", sections=["业绩成果"], reason="incomplete", comment="请补充业绩")
    expect(applicant.put(f"applications/{app['id']}/sections/{quote('业绩成果')}", {"内容": "补充后的业绩"}), 200)
    expect(applicant.post(f"applications/{app['id']}/submit"), 200)
    decide(r["school.h"], app["id"], "return", sections=["论文著作"], reason="incomplete", comment="请补充论文")
    expect(applicant.put(f"applications/{app['id']}/sections/{quote('论文著作')}", {"内容": "补充后的论文"}), 200)
    expect(applicant.post(f"applications/{app['id']}/submit"), 200)
    school = expect(r["school.h"].get(f"applications/{app['id']}"), 200).json
    assert school["changed_sections"] == ["论文著作"], school  # the school saw the second
    decide(r["school.h"], app["id"])
    decide(r["school.l"], app["id"])
    seen = expect(r["dept.h"].get(f"applications/{app['id']}"), 200).json
    assert seen["submissions"] == 3 and seen["changed_sections"] == ["业绩成果", "论文著作"], seen
    assert seen["previous_sections"] == {"业绩成果": {"内容": "业绩成果的内容"}, "论文著作": {"内容": "论文著作的内容"}}, seen["previous_sections"]
    decide(r["dept.h"], app["id"])
    decide(r["dept.l"], app["id"])
    city = expect(r["city.h"].get(f"applications/{app['id']}"), 200).json
    assert city["changed_sections"] == [] and city["previous_sections"] == {}, city
    assert app["id"] in [q["id"] for q in expect(r["city.h"].get("reviews/queue"), 200).json["applications"]]
    cookie = {"Cookie": f"zc_session={r['city.h'].cookie}"}
    queue = r["city.h"].api.raw("GET", f"/t/{TENANT}/reviews", headers=cookie).body.decode()
    row = re.search(rf'<tr><td>{app["id"]}</td>.*?</tr>', queue, re.S)
    assert row and "经办人审查" in row.group(0) and "重新提交" not in row.group(0), queue[-3000:]
    page = r["city.h"].api.raw("GET", f"/t/{TENANT}/reviews/{app['id']}", headers=cookie).body.decode()
    assert "重新提交后有修改的部分" not in page and "有修改" not in page, page[-3000:]


def test_a_reviewer_lists_what_they_decided(env: Env) -> None:
    """已审查: a reviewer's own decisions, newest first, each with where the application stands now
    and whether they may open it now (not a resubmission that has not come back up to their org);
    paged with `before`; only staff have one; the screen lists the same."""
    applicant, app = senior_at_department(env)
    r = env.reviewers
    decide(r["dept.h"], app["id"], "return", sections=["业绩成果"], reason="incomplete", comment="请补充获奖证书")

    def mine(who: str, query: str = "") -> list[dict]:
        rows = expect(r[who].get("reviews/done" + query), 200).json["decisions"]
        ids = [x["decision_id"] for x in rows]
        assert ids == sorted(ids, reverse=True), ids  # newest first
        return [x for x in rows if x["application_id"] == app["id"]]

    [returned] = mine("dept.h")
    assert (returned["decision"], returned["decision_label"], returned["step"], returned["comment"]) == ("return", "退回修改", "handler", "请补充获奖证书"), returned
    assert (returned["applicant_name"], returned["unit_name"], returned["title"]) == ("赵老师", "逸夫小学", "高级教师"), returned
    assert returned["standing"] == "退回修改" and returned["readable"] is True, returned
    [passed] = mine("school.l")
    assert passed["decision"] == "pass" and passed["step"] == "leader" and passed["standing"] == "退回修改", passed

    # Resubmitted, it starts again at the school: the school's reviewers may open it, the department not yet.
    expect(applicant.put(f"applications/{app['id']}/sections/{quote('业绩成果')}", {"内容": "补充后的业绩"}), 200)
    expect(applicant.post(f"applications/{app['id']}/submit"), 200)
    [returned] = mine("dept.h")
    assert returned["standing"] == "逸夫小学 经办人审查" and returned["readable"] is False, returned
    expect(r["dept.h"].get(f"applications/{app['id']}"), 404)
    decide(r["school.h"], app["id"])
    again, first = mine("school.h")
    assert again["decision_id"] > first["decision_id"] and again["standing"] == "逸夫小学 负责人审查" and again["readable"] is True, (again, first)

    # Pages: `before` continues below the last decision shown.
    [newest] = expect(r["school.h"].get("reviews/done?limit=1"), 200).json["decisions"]
    assert newest["decision_id"] == again["decision_id"], newest
    [next_one] = expect(r["school.h"].get(f"reviews/done?limit=1&before={newest['decision_id']}"), 200).json["decisions"]
    assert next_one["decision_id"] < newest["decision_id"]
    expect(r["school.h"].get("reviews/done?before=abc"), 400, field="before")
    expect(applicant.get("reviews/done"), 403)

    # The screen, with its menu entry: a link to open what may be opened, none otherwise.
    def screen(who: str) -> str:
        return env.api.raw("GET", f"/t/{TENANT}/reviewed", headers={"Cookie": f"zc_session={r[who].cookie}"}).body.decode()
    page = screen("school.h")
    assert ">已审查</a>" in page and f'data-application="{app["id"]}"' in page and re.search(rf'reviews/{app["id"]}" aria-label="查看[^"]*">查看</a>', page), page[-3000:]
    page = screen("dept.h")
    assert f'data-application="{app["id"]}"' in page and "请补充获奖证书" in page and f'reviews/{app["id"]}" aria-label=' not in page, page[-3000:]

    # The screen pages the same way: one row past the page says older ones follow, and is not shown.
    def rows_and_older(query: str) -> tuple[list[str], str | None]:
        page = env.api.raw("GET", f"/t/{TENANT}/reviewed{query}", headers={"Cookie": f"zc_session={r['school.h'].cookie}"}).body.decode()
        older = re.search(r'id="reviewed-older" href="([^"]+)"', page)
        return re.findall(r'<tr data-application="(\d+)"', page), html.unescape(older.group(1)) if older else None
    everything = mine("school.h")
    assert len(everything) == 2, everything
    shown, older = rows_and_older("?limit=1")
    assert shown == [str(app["id"])] and older is not None and f"before={again['decision_id']}" in older and "limit=1" in older, (shown, older)
    shown, older = rows_and_older(older[older.index("?"):])
    assert shown == [str(app["id"])], shown
    mine_all = expect(r["school.h"].get("reviews/done?limit=200"), 200).json["decisions"]
    assert (older is None) == (len(mine_all) == 2), (older, len(mine_all))


def test_a_decision_in_the_spec_shape_needs_no_version(env: Env) -> None:
    """SPEC §5.1's decision body is `{decision, comment}`: without `version` the decision is on the
    application as it is now; the same decision sent again by the same reviewer is answered with
    the current state (recorded once); a step already taken leaves nothing for the caller to decide."""
    applicant = new_applicant(env)
    app = filled_application(applicant, level="副高级", title="高级教师")
    expect(applicant.post(f"applications/{app['id']}/submit"), 200)
    r = env.reviewers
    url = f"applications/{app['id']}/decision"
    first = expect(r["school.h"].post(url, {"decision": "pass", "comment": "同意"}), 200).json
    assert (first["state"], first["step"]) == ("in_review", "leader"), first
    assert expect(r["school.h"].post(url, {"decision": "pass", "comment": "同意"}), 200).json == first
    resp = r["school.h"].post(url, {"decision": "reject", "comment": "不同意"})
    assert resp.status in (403, 409), resp
    trail = expect(applicant.get(f"applications/{app['id']}/trail"), 200).json["trail"]
    assert [t["decision"] for t in trail] == ["submit", "pass"], trail
    moved = expect(r["school.l"].post(url, {"decision": "pass", "comment": "同意"}), 200).json
    assert moved["current_org_id"] == env.dept_id and moved["version"] == first["version"] + 1, moved
    # A stale `version` is still refused.
    expect(r["dept.h"].post(url, {"decision": "pass", "comment": "同意", "version": first["version"]}), 409)
    expect(r["dept.h"].post(url, {"decision": "pass", "version": "新"}), 400)


def test_a_reviewer_with_both_roles_names_the_step_when_sending_no_version(env: Env) -> None:
    """Without `version`, a reviewer holding both roles says which step the decision is for
    (`step`): their 经办人 pass, sent just as another handler's pass moved the application on,
    is refused instead of being taken as a 负责人 pass nobody meant to give."""
    applicant = new_applicant(env)
    app = filled_application(applicant, level="副高级", title="高级教师")
    expect(applicant.post(f"applications/{app['id']}/submit"), 200)
    r = env.reviewers
    url = f"applications/{app['id']}/decision"
    both = r["school.both"]
    expect(both.post(url, {"decision": "pass", "comment": "同意"}), 400, field="step")
    expect(both.post(url, {"decision": "pass", "comment": "同意", "step": "boss"}), 400, field="step")
    first = expect(r["school.h"].post(url, {"decision": "pass", "comment": "同意"}), 200).json
    assert first["step"] == "leader", first
    resp = expect(both.post(url, {"decision": "pass", "comment": "同意", "step": "handler"}), 409)
    assert "负责人审查" in resp.error()["message"], resp.error()
    trail = expect(applicant.get(f"applications/{app['id']}/trail"), 200).json["trail"]
    assert [t["decision"] for t in trail] == ["submit", "pass"], trail
    moved = expect(both.post(url, {"decision": "pass", "comment": "同意", "step": "leader"}), 200).json
    assert moved["current_org_id"] == env.dept_id and moved["version"] == first["version"] + 1, moved
    # A one-role reviewer's step is their role; naming another is refused like any stale decision.
    expect(r["dept.l"].post(url, {"decision": "pass", "comment": "同意", "step": "leader"}), 409)


def test_stale_decisions_and_withdrawal(env: Env) -> None:
    applicant = new_applicant(env)
    app = filled_application(applicant, level="副高级", title="高级教师")
    expect(applicant.post(f"applications/{app['id']}/submit"), 200)
    r = env.reviewers
    v = expect(r["school.h"].get(f"applications/{app['id']}"), 200).json["version"]
    expect(r["school.both"].post(f"applications/{app['id']}/decision", {"decision": "pass", "version": v}), 200)
    resp = expect(r["school.h"].post(f"applications/{app['id']}/decision", {"decision": "pass", "version": v}), 409)
    assert "刷新" in resp.error()["message"]

    quick = new_applicant(env)
    app2 = filled_application(quick, level="副高级", title="高级教师")
    expect(quick.post(f"applications/{app2['id']}/submit"), 200)
    withdrawn = expect(quick.post(f"applications/{app2['id']}/withdraw"), 200).json
    assert withdrawn["state"] == "withdrawn"
    assert app2["id"] not in queue_ids(r["school.h"])
    trail = expect(quick.get(f"applications/{app2['id']}/trail"), 200).json["trail"]
    assert [t["decision"] for t in trail] == ["submit", "withdraw"]


def test_the_city_may_send_an_approved_plan_back_for_adjustment(env: Env) -> None:
    """退回调整: the city office sends an approved plan back with a reason (more places mid-year,
    an approval made by mistake). No new application goes in under it until it is approved
    again; the applications it holds keep their places, so the unit may not set a line below
    them, nor drop it; adjusted and approved again, the new count holds. Only the city office,
    only with a reason; an approved plan is not approved again."""
    unit_org, unit_admin = create_child(env.dept, env.dept_id, "管城区实验小学", "unit")
    unit = approve_unit(env.api, env.dept, unit_org["id"], unit_admin["login"], unit_admin["password"])

    def applicant() -> Session:
        r = expect(unit.post(f"orgs/{unit_org['id']}/applicants", {"id_number": fresh_id_number(), "name": "孙老师", "phone": ""}), 201).json
        return env.api.first_login(r["account"]["login"], r["password"])

    plan = approved_plan(unit, env.city, unit_org["id"], [{"series": SERIES, "level": "中级", "count": 2}])
    for _ in range(2):
        first = applicant()
        app = filled_application(first)
        expect(first.post(f"applications/{app['id']}/submit"), 200)
    expect(env.city.post(f"plans/{plan['id']}/review", {"decision": "approve"}), 409)
    with unchanged(env.daemon, TENANT, ignore=("sessions",)):
        expect(env.dept.post(f"plans/{plan['id']}/review", {"decision": "reject", "reason": "调整"}), 403)
        expect(env.city.post(f"plans/{plan['id']}/review", {"decision": "reject"}), 400, field="reason")
    back = expect(env.city.post(f"plans/{plan['id']}/review", {"decision": "reject", "reason": "请按实际需要增加名额"}), 200).json
    assert back["state"] == "rejected" and back["reject_reason"] == "请按实际需要增加名额", back
    second = applicant()
    other = filled_application(second)
    expect(second.post(f"applications/{other['id']}/submit"), 409, contains="申报计划")
    with unchanged(env.daemon, TENANT, ignore=("sessions",)):
        expect(unit.post(f"orgs/{unit_org['id']}/plans", {"year": 2026, "items": [{"series": SERIES, "level": "中级", "count": 1}]}), 400,
               field="items", contains="已有2份申报占用名额，人数不能少于2")
        expect(unit.post(f"orgs/{unit_org['id']}/plans", {"year": 2026, "items": [{"series": SERIES, "level": "副高级", "count": 2}]}), 400,
               field="items", contains="中小学教师 中级")
    adjusted = expect(unit.post(f"orgs/{unit_org['id']}/plans", {"year": 2026, "items": [{"series": SERIES, "level": "中级", "count": 3}]}), 201).json
    assert adjusted["id"] == plan["id"] and adjusted["state"] == "draft", adjusted
    expect(unit.post(f"plans/{plan['id']}/submit"), 200)
    expect(env.city.post(f"plans/{plan['id']}/review", {"decision": "approve"}), 200)
    assert expect(second.post(f"applications/{other['id']}/submit"), 200).json["state"] == "in_review"
    # The screen: an approved plan of the office's list has its 退回调整 form.
    page = env.api.raw("GET", f"/t/{TENANT}/plans?year=2026", headers={"Cookie": f"zc_session={env.city.cookie}"}).body.decode()
    row = re.search(rf'<tr data-plan="{plan["id"]}">.*?</tr>', page[page.index('id="unit-plans"'):], re.S).group(0)
    assert "退回调整" in row and 'name="decision" value="reject"' in row, row


def test_a_returned_application_may_be_withdrawn_and_frees_the_applicants_year(env: Env) -> None:
    """退回修改 puts the application back in the applicant's hands: an applicant who gives up on it
    withdraws it, though reviewers acted on it (before, it stayed returned for good, holding the
    year and its plan place). Its history stays whole; no reviewer's queue has it; the person may
    submit another title application of that year; 撤回申报 is offered on its page."""
    applicant, app = senior_at_department(env)
    r = env.reviewers
    decide(r["dept.h"], app["id"], "return", sections=["业绩成果"], reason="not_qualified", comment="不符合申报条件")
    page = applicant.api.raw("GET", f"/t/{TENANT}/applications/{app['id']}", headers={"Cookie": f"zc_session={applicant.cookie}"}).body.decode()
    assert 'id="app-withdraw"' in page, page[-3000:]
    # Nobody else withdraws it.
    expect(new_applicant(env).post(f"applications/{app['id']}/withdraw"), 404)
    withdrawn = expect(applicant.post(f"applications/{app['id']}/withdraw"), 200).json
    assert withdrawn["state"] == "withdrawn", withdrawn
    expect(applicant.post(f"applications/{app['id']}/withdraw"), 409, contains="不能撤回")
    expect(applicant.post(f"applications/{app['id']}/submit"), 409)
    trail = expect(applicant.get(f"applications/{app['id']}/trail"), 200).json["trail"]
    assert [t["decision"] for t in trail] == ["submit", "pass", "pass", "return", "withdraw"], trail
    for name, reviewer in r.items():
        assert app["id"] not in queue_ids(reviewer), name
    page = applicant.api.raw("GET", f"/t/{TENANT}/applications/{app['id']}", headers={"Cookie": f"zc_session={applicant.cookie}"}).body.decode()
    assert 'id="app-withdraw"' not in page, page[-3000:]
    # The year is free again: a new application of it goes in.
    other = filled_application(applicant, level="副高级", title="高级教师")
    assert expect(applicant.post(f"applications/{other['id']}/submit"), 200).json["state"] == "in_review"


def test_an_applicant_sees_who_reviewed_on_the_page_where_the_deployment_shows_it(daemon_factory) -> None:
    """`review.show_reviewer_names_to_applicants = true`: the applicant's trail names each
    reviewer in the API and in the page's 审查人 column; without it neither does (the env's daemon)."""
    d = daemon_factory(config="[review]\nshow_reviewer_names_to_applicants = true\n").start()
    city, _, applicant, app = city_with_draft(d, sections=REQUIRED_SECTIONS)
    handler = add_staff_reviewer(city, 1, "office.h", ["handler"])
    expect(applicant.post(f"applications/{app['id']}/submit"), 200)
    decide(handler, app["id"])
    trail = expect(applicant.get(f"applications/{app['id']}/trail"), 200).json["trail"]
    assert trail[-1]["reviewer"] == "office.h", trail
    page = applicant.api.raw("GET", f"/t/zhengzhou/applications/{app['id']}", headers={"Cookie": f"zc_session={applicant.cookie}"}).body.decode()
    table = page[page.index('<table id="trail">'):]
    table = table[:table.index("</table>")]
    assert "<th>审查人</th>" in table and "<td>office.h</td>" in table, table


def test_an_applicant_sees_no_reviewer_column_by_default(env: Env) -> None:
    applicant = new_applicant(env)
    app = filled_application(applicant)
    expect(applicant.post(f"applications/{app['id']}/submit"), 200)
    decide(env.reviewers["school.h"], app["id"])
    page = applicant.api.raw("GET", f"/t/{TENANT}/applications/{app['id']}", headers={"Cookie": f"zc_session={applicant.cookie}"}).body.decode()
    table = page[page.index('<table id="trail">'):]
    table = table[:table.index("</table>")]
    assert "审查人" not in table and "school.h" not in table, table


def test_applications_are_private(env: Env) -> None:
    a = new_applicant(env)
    b = new_applicant(env)
    app = filled_application(a)
    expect(b.get(f"applications/{app['id']}"), 404)
    expect(b.put(f"applications/{app['id']}/sections/{quote('基本信息')}", {"x": "y"}), 404)
    expect(env.reviewers["school.h"].get(f"applications/{app['id']}"), 404)  # a draft is the applicant's alone
    expect(a.put(f"applications/{app['id']}/sections/{quote('秘密')}", {"x": "y"}), 404)
    expect(a.post("applications", {"kind": "title", "year": 2026, "series": SERIES, "level": "中级", "title": "教授"}), 400, field="title")
    expect(a.post("applications", {"kind": "honorary", "year": 2026, "series": SERIES, "level": "中级", "title": "一级教师"}), 400, field="kind")
    expect(env.school.post("applications", {"kind": "title", "year": 2026, "series": SERIES, "level": "中级", "title": "一级教师"}), 403)
    expect(a.get("reviews/queue"), 403)


def test_queue_pages(env: Env) -> None:
    r = env.reviewers["school.h"]
    apps = []
    for _ in range(3):
        applicant = new_applicant(env)
        app = filled_application(applicant, level="副高级", title="高级教师")
        expect(applicant.post(f"applications/{app['id']}/submit"), 200)
        apps.append(app["id"])
    first = expect(r.get("reviews/queue?limit=2"), 200).json["applications"]
    assert len(first) == 2 and first[0]["id"] < first[1]["id"]
    assert {"applicant_name", "series", "level", "title", "step", "version"} <= set(first[0])
    rest = expect(r.get(f"reviews/queue?limit=50&after={first[-1]['id']}"), 200).json["applications"]
    seen = [a["id"] for a in first + rest]
    assert all(a in seen for a in apps) and len(seen) == len(set(seen))


def test_each_step_has_its_own_queue(env: Env) -> None:
    """经办人审查 and 负责人审查 are separate screens: `?stage=` gives one step's queue, which the
    caller's roles must include; without it, every step of the caller's roles."""
    both = env.reviewers["school.both"]
    applicant = new_applicant(env)
    app = filled_application(applicant)
    expect(applicant.post(f"applications/{app['id']}/submit"), 200)

    def ids(who: Session, stage: str) -> list[int]:
        return [a["id"] for a in expect(who.get(f"reviews/queue?stage={stage}&limit=200"), 200).json["applications"]]

    assert app["id"] in ids(both, "handler") and app["id"] not in ids(both, "leader")
    assert app["id"] in queue_ids(both)
    decide(env.reviewers["school.h"], app["id"])
    assert app["id"] not in ids(both, "handler") and app["id"] in ids(both, "leader")
    assert all(a["step"] == "leader" for a in expect(both.get("reviews/queue?stage=leader&limit=200"), 200).json["applications"])
    expect(env.reviewers["school.h"].get("reviews/queue?stage=leader"), 403, contains="负责人")
    expect(both.get("reviews/queue?stage=boss"), 400, field="stage")
    # The screens answer the same, as pages, in the words of the screens (the API's names the codes).
    for who, query, status, text in ((both, "stage=boss", 400, "审查环节应为经办人审查或负责人审查"), (env.reviewers["school.h"], "stage=leader", 403, "负责人角色")):
        page = who.api.raw("GET", f"/t/{TENANT}/reviews?{query}", headers={"Cookie": f"zc_session={who.cookie}"})
        assert page.status == status and text in page.body.decode(), (page.status, page.body.decode()[-800:])
    decide(env.reviewers["school.l"], app["id"], "reject")


def test_queue_and_audit_paging_parameters_are_checked(env: Env) -> None:
    r = env.reviewers["school.h"]
    expect(r.get("reviews/queue?limit=abc"), 400, field="limit")
    expect(r.get("reviews/queue?after=1.5"), 400, field="after")
    expect(r.get("reviews/queue?limit=-3"), 200)  # out of range is clamped to 1…200
    expect(env.city.get("audit?before=yesterday"), 400, field="before")
    expect(env.city.get("audit?limit=ten"), 400, field="limit")


def test_queue_shows_the_applicants_current_name_and_only_valid_utf8(env: Env) -> None:
    """The queue reads the applicant's name kept on the application by triggers (schema v8),
    and writes text straight from SQLite's bytes: a rename shows at once, and bytes that are
    not UTF-8 (written behind the daemon's back) come out as U+FFFD in valid JSON."""
    r = env.reviewers["school.h"]
    created = expect(env.school.post(f"orgs/{env.school_id}/applicants", {"id_number": fresh_id_number(), "name": "钱老师", "phone": ""}), 201).json
    applicant = env.api.first_login(created["account"]["login"], created["password"])
    app = filled_application(applicant)
    expect(applicant.post(f"applications/{app['id']}/submit"), 200)

    def row() -> dict:
        return queue_row(r, app["id"])

    assert row()["applicant_name"] == "钱老师"
    expect(env.school.patch(f"applicants/{created['account']['id']}", {"name": "钱晓东"}), 200)
    assert row()["applicant_name"] == "钱晓东"

    con = sqlite3.connect(str(env.daemon.tenant_db(TENANT)), timeout=10)
    try:
        con.execute("UPDATE applications SET title = CAST(x'e4b880ff' AS TEXT) WHERE id = ?", (app["id"],))  # "一" + a stray byte
        con.commit()
    finally:
        con.close()
    page = expect(r.get("reviews/queue?limit=200"), 200)
    page.body.decode("utf-8")  # strict: the whole page is UTF-8
    assert row()["title"] == "一\ufffd"


def test_queue_and_application_name_the_applicants_unit(env: Env) -> None:
    """A reviewer sees which unit an application comes from: `unit_name` in the queue (kept on the
    application by triggers, schema v13, so a renamed unit shows at once), in the application,
    and on the 经办人审查 screens (a 单位 column; the unit beside the applicant's name)."""
    r = env.reviewers["school.h"]
    applicant = new_applicant(env)
    app = filled_application(applicant)
    expect(applicant.post(f"applications/{app['id']}/submit"), 200)

    def row() -> dict:
        return queue_row(r, app["id"])

    # Every field, in order; a tenant without expert recommendations has none in the 专家信息库.
    assert list(row()) == ["id", "applicant_name", "unit_name", "series", "level", "title", "step", "step_label", "submissions", "version",
                           "in_expert_library"], row()
    assert row()["in_expert_library"] is False, row()
    assert row()["unit_name"] == "逸夫小学", row()
    assert expect(r.get(f"applications/{app['id']}"), 200).json["unit_name"] == "逸夫小学"
    expect(env.dept.patch(f"orgs/{env.school_id}", {"name": "逸夫小学（南校区）"}), 200)
    try:
        assert row()["unit_name"] == "逸夫小学（南校区）", row()
        assert expect(applicant.get(f"applications/{app['id']}"), 200).json["unit_name"] == "逸夫小学（南校区）"
        cookie = {"Cookie": f"zc_session={r.cookie}"}
        queue = env.api.raw("GET", f"/t/{TENANT}/reviews", headers=cookie).body.decode()
        assert "<th>单位</th>" in queue and "逸夫小学（南校区）" in queue, queue[-3000:]
        page = env.api.raw("GET", f"/t/{TENANT}/reviews/{app['id']}", headers=cookie).body.decode()
        assert "赵老师（逸夫小学（南校区））" in page, page[-3000:]
    finally:
        expect(env.dept.patch(f"orgs/{env.school_id}", {"name": "逸夫小学"}), 200)


def test_a_leader_is_told_when_the_opinion_will_go_without_a_seal(env: Env) -> None:
    """The 评审表 stamps a leader's opinion with the seal the org has when it is given (not one
    uploaded later): while the org has none, the leader's 审查 page says the opinion will go
    without one; the handler's does not (a handler's opinion is never stamped); once the seal is
    uploaded, the note is gone."""
    r = env.reviewers
    applicant = new_applicant(env)
    app = filled_application(applicant)
    expect(applicant.post(f"applications/{app['id']}/submit"), 200)

    def page(who: str) -> str:
        return env.api.raw("GET", f"/t/{TENANT}/reviews/{app['id']}", headers={"Cookie": f"zc_session={r[who].cookie}"}).body.decode()

    assert 'id="decision-form"' in page("school.h") and 'id="no-seal"' not in page("school.h")
    decide(r["school.h"], app["id"])
    leader = page("school.l")
    assert 'id="decision-form"' in leader and 'id="no-seal"' in leader and "评审表上将不带印章" in leader, leader[-3000:]
    expect(env.school.upload(f"orgs/{env.school_id}/seal", png_bytes(seed=3)), (200, 204))
    assert 'id="no-seal"' not in page("school.l")


def test_a_reviews_unpassed_decision_on_the_page_is_asked_again(env: Env) -> None:
    """未通过 ends the review for good: the page's form asks again (naming it) before making it;
    通过 is not asked. The question's form makes it."""
    applicant = new_applicant(env)
    app = filled_application(applicant)
    expect(applicant.post(f"applications/{app['id']}/submit"), 200)
    r = env.reviewers["school.h"]
    version = expect(r.get(f"applications/{app['id']}"), 200).json["version"]
    fields = [("_csrf", r.csrf), ("version", str(version)), ("stage", "handler"), ("decision", "reject"), ("comment", "不符合申报条件")]
    headers = {"Cookie": f"zc_session={r.cookie}", "Content-Type": "application/x-www-form-urlencoded"}
    with unchanged(env.daemon, TENANT, ignore=("sessions",)):
        asked = env.api.raw("POST", f"/t/{TENANT}/reviews/{app['id']}", body=urlencode(fields).encode(), headers=headers)
        page = asked.body.decode()
        assert asked.status == 200 and "确定作出“未通过”的审查决定吗" in page and 'id="confirm-form"' in page, page[-2000:]
    done = env.api.raw("POST", f"/t/{TENANT}/reviews/{app['id']}", body=urlencode(fields + [("_confirmed", "1")]).encode(), headers=headers)
    assert done.status == 303, done
    assert expect(applicant.get(f"applications/{app['id']}"), 200).json["state"] == "rejected"


def test_a_refused_form_whose_page_cannot_be_shown_is_headed_by_the_city(env: Env) -> None:
    """A reviewer posting 本单位人员角色管理's form (an admin's) is refused on a page of its own,
    headed by the city's name as every page of the city is (it said 河南省)."""
    r = env.reviewers["school.h"]
    with unchanged(env.daemon, TENANT, ignore=("sessions",)):
        page = env.api.raw("POST", f"/t/{TENANT}/staff", body=urlencode({"_csrf": r.csrf, "login": "x.y", "name": "某人"}).encode(),
                           headers={"Cookie": f"zc_session={r.cookie}", "Content-Type": "application/x-www-form-urlencoded"})
    html = page.body.decode()
    assert page.status == 403 and "郑州市职称管理系统" in html and "河南省职称管理系统" not in html, (page.status, html[:1500])


def test_attachments_are_checked_by_content_and_follow_section_permissions(env: Env) -> None:
    applicant = new_applicant(env)
    app = filled_application(applicant, level="副高级", title="高级教师")
    api = env.api
    bad = api.call("POST", f"applications/{app['id']}/attachments", token=applicant, data=b"MZ\x90\x00 not a document", content_type="application/pdf")
    expect(bad, 415)
    # A PDF cut short (no end-of-file marker) is refused as such.
    cut = api.call("POST", f"applications/{app['id']}/attachments", token=applicant, data=PDF[: PDF.index(b"%%EOF")], content_type="application/pdf")
    assert "%%EOF" in expect(cut, 415).error()["message"]
    # So is an image cut short (its end is found by walking its chunks or segments).
    cut = api.call("POST", f"applications/{app['id']}/attachments", token=applicant, data=png_bytes(8, 8)[:-6], content_type="image/png")
    assert "IEND" in expect(cut, 415).error()["message"]
    ok = api.call("POST", f"applications/{app['id']}/attachments", token=applicant, data=PDF, content_type="application/pdf")
    info = expect(ok, 201).json
    assert info["mime"] == "application/pdf" and info["size"] == len(PDF)
    assert [a["id"] for a in expect(applicant.get(f"applications/{app['id']}/attachments"), 200).json["attachments"]] == [info["id"]]
    expect(applicant.post(f"applications/{app['id']}/submit"), 200)
    expect(api.call("POST", f"applications/{app['id']}/attachments", token=applicant, data=PDF, content_type="application/pdf"), 409)
    # The school handler may see 附件; the department leader (two sections only) may not.
    r = env.reviewers
    assert expect(r["school.h"].get(f"applications/{app['id']}/attachments/{info['id']}"), 200).body == PDF
    decide(r["school.h"], app["id"])
    decide(r["school.l"], app["id"])
    decide(r["dept.h"], app["id"])
    expect(r["dept.l"].get(f"applications/{app['id']}/attachments"), 403)
    expect(r["dept.l"].get(f"applications/{app['id']}/attachments/{info['id']}"), 403)


def test_attachment_names_are_checked_and_removed_files_keep_their_ids(env: Env) -> None:
    """A file's name is the last part of the path a browser sends, without control characters or
    direction overrides (which would show `evil‮fdp.exe` as `evilexe.pdf`); a download keeps the
    name. A removed file leaves the list but keeps its row, so no later file gets its id; its bytes
    stay only if a submission included it."""
    applicant = new_applicant(env)
    app = filled_application(applicant)
    path = f"applications/{app['id']}/attachments"

    def upload(name: str | None):
        headers = {} if name is None else {"X-Filename": name}
        return env.api.call("POST", path, token=applicant, data=PDF, content_type="application/pdf", headers=headers)

    # A path that climbs (`../`) is no name a browser sends: refused, not taken as its last part.
    for bad in ("..", quote("a\x00b.pdf"), quote("a\nb.pdf"), quote("evil\u202efdp.exe"), quote("名" * 201), "%zz", quote("../../x.pdf"), quote("a\\..\\x.pdf")):
        expect(upload(bad), 400, field="name")
    assert expect(applicant.get(path), 200).json["attachments"] == [], "a refused file was kept"

    first = expect(upload(quote("C:\\Users\\张\\学历证书.pdf")), 201).json
    assert first["name"] == "学历证书.pdf", first
    download = expect(applicant.get(f"{path}/{first['id']}"), 200)
    disposition = download.headers.get("content-disposition", "")
    assert disposition.startswith("inline;") and "filename*=UTF-8''" + quote("学历证书.pdf") in disposition, disposition

    # The name ends as the bytes' type says: a PDF that is also an HTML page is never saved as
    # a working .html, and a name without an extension gets the type's. A file stored before
    # names were fitted (its row changed here to one) is listed and served fitted too.
    polyglot = expect(upload("x.html"), 201).json
    assert polyglot["name"] == "x.html.pdf", polyglot
    served = expect(applicant.get(f"{path}/{polyglot['id']}"), 200)
    assert served.headers.get("content-type") == "application/pdf" and 'filename="x.html.pdf"' in served.headers.get("content-disposition", ""), served.headers
    bare = expect(upload(quote("证书")), 201).json
    assert bare["name"] == "证书.pdf", bare
    with sqlite3.connect(env.daemon.tenant_db(TENANT), timeout=10) as con:
        con.execute("UPDATE attachments SET name = 'old.htm' WHERE id = ?", (bare["id"],))
    assert "old.htm.pdf" in [a["name"] for a in expect(applicant.get(path), 200).json["attachments"]]
    assert "old.htm.pdf" in expect(applicant.get(f"{path}/{bare['id']}"), 200).headers.get("content-disposition", "")
    for extra in (polyglot, bare):
        expect(applicant.call("DELETE", f"{path}/{extra['id']}"), 204)

    expect(applicant.call("DELETE", f"{path}/{first['id']}"), 204)
    expect(applicant.get(f"{path}/{first['id']}"), 404)
    expect(applicant.call("DELETE", f"{path}/{first['id']}"), 404)
    second = expect(upload(quote("职称证书.pdf")), 201).json
    assert second["id"] != first["id"], "a removed file's id was given to another"
    assert [a["name"] for a in expect(applicant.get(path), 200).json["attachments"]] == ["职称证书.pdf"]
    with sqlite3.connect(f"file:{env.daemon.tenant_db(TENANT)}?mode=ro", uri=True, timeout=10) as con:
        kept = con.execute("SELECT name, removed_at IS NOT NULL FROM attachments WHERE owner = 'application' AND owner_id = ? ORDER BY id", (app["id"],)).fetchall()
    assert kept == [("学历证书.pdf", 1), ("x.html.pdf", 1), ("old.htm", 1), ("职称证书.pdf", 0)], kept

    # A file no submission included gives up its bytes when removed; one a submission included
    # keeps them (its reviewers saw it), also when the application comes back to be corrected.
    def stored_bytes(attachment_id: int) -> int:
        with sqlite3.connect(f"file:{env.daemon.tenant_db(TENANT)}?mode=ro", uri=True, timeout=10) as con:
            return con.execute("SELECT length(bytes) FROM attachments WHERE id = ?", (attachment_id,)).fetchone()[0]

    assert stored_bytes(first["id"]) == 0 and stored_bytes(second["id"]) == len(PDF)
    expect(applicant.post(f"applications/{app['id']}/submit"), 200)
    decide(env.reviewers["school.h"], app["id"], "return", sections=["附件"], reason="incomplete", comment="请重新上传")
    other = PDF.replace(b"%PDF-1.4\n", b"%PDF-1.4\n% more\n")
    third = expect(env.api.call("POST", path, token=applicant, data=other, content_type="application/pdf",
                                headers={"X-Filename": quote("补充材料.pdf")}), 201).json
    same = expect(upload(quote("职称证书（再传）.pdf")), 201).json    # the bytes of a submitted file
    for file in (second, third, same):
        expect(applicant.call("DELETE", f"{path}/{file['id']}"), 204)
    assert stored_bytes(second["id"]) == len(PDF) and stored_bytes(third["id"]) == 0
    assert stored_bytes(same["id"]) == len(PDF), "the same bytes as a submitted file are kept (the snapshot names its digest)"


def test_plan_form_keeps_what_was_typed_and_offers_a_returned_plan_again(env: Env) -> None:
    """申报计划上传 through the web form: a refused plan comes back as typed (not an empty form),
    and a plan the city sent back fills the form again for correction."""
    cookie = {"Cookie": f"zc_session={env.school.cookie}"}

    def post(fields: list[tuple[str, str]]) -> str:
        body = "&".join(f"{quote(k)}={quote(v)}" for k, v in [("_csrf", env.school.csrf), *fields])
        r = env.api.raw("POST", f"/t/{TENANT}/plans", body=body.encode(), headers={**cookie, "Content-Type": "application/x-www-form-urlencoded"})
        assert r.headers.get("content-type", "").startswith("text/html"), r
        return r.body.decode()

    page = post([("year", "2013"), ("series", SERIES), ("level", "中级"), ("count", "x")])
    assert "第1行：人数应为整数" in page, page[:2000]
    assert 'value="2013"' in page and f"<option selected>{SERIES}</option>" in page and "<option selected>中级</option>" in page and 'value="x"' in page, page[:4000]
    # A line with a number but no series is refused and named (it was dropped, the rest saved);
    # a line left wholly blank is no line.
    with unchanged(env.daemon, TENANT):
        page = post([("year", "2013"), ("series", SERIES), ("level", "中级"), ("count", "3"), ("series", ""), ("level", "初级"), ("count", "2")])
        assert "第2行：请选择系列" in page and 'value="2"' in page, page[:2000]
    fields = [("_csrf", env.school.csrf), ("year", "2013"), ("series", SERIES), ("level", "中级"), ("count", "3"), ("series", ""), ("level", "初级"), ("count", " ")]
    r = env.api.raw("POST", f"/t/{TENANT}/plans", body="&".join(f"{quote(k)}={quote(v)}" for k, v in fields).encode(),
                    headers={**cookie, "Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 303, r
    saved = next(p for p in expect(env.school.get(f"orgs/{env.school_id}/plans"), 200).json["plans"] if p["year"] == 2013)
    assert [(i["series"], i["level"], i["count"]) for i in saved["items"]] == [(SERIES, "中级", 3)], saved

    expect(env.school.post(f"orgs/{env.school_id}/plans", {"year": 2014, "items": [{"series": SERIES, "level": "副高级", "count": 7}]}), 201)
    plan = next(p for p in expect(env.school.get(f"orgs/{env.school_id}/plans"), 200).json["plans"] if p["year"] == 2014)
    expect(env.school.upload(f"plans/{plan['id']}/document", PDF, content_type="application/pdf"), 200)
    expect(env.school.post(f"plans/{plan['id']}/submit"), 200)
    expect(env.city.post(f"plans/{plan['id']}/review", {"decision": "reject", "reason": "人数过多"}), 200)
    page = env.api.raw("GET", f"/t/{TENANT}/plans", headers=cookie).body.decode()
    assert 'value="2014"' in page and "<option selected>副高级</option>" in page and 'value="7"' in page, page[:4000]


def test_new_application_form_keeps_what_was_typed(env: Env) -> None:
    """A new application refused by the web form (a title not in the catalog) comes back with the
    year, series, level and title as typed; the title field offers the catalog's titles."""
    applicant = new_applicant(env)
    cookie = {"Cookie": f"zc_session={applicant.cookie}"}
    body = "&".join(f"{quote(k)}={quote(v)}" for k, v in
                    [("_csrf", applicant.csrf), ("year", "2027"), ("series", SERIES), ("level", "副高级"), ("title", "特级魔法师")])
    r = env.api.raw("POST", f"/t/{TENANT}/applications", body=body.encode(), headers={**cookie, "Content-Type": "application/x-www-form-urlencoded"})
    page = r.body.decode()
    assert r.status == 400 and "职称应为" in page, page[:2000]
    form = page[page.index('id="new-application"'):page.index('id="new-application-submit"')]
    assert 'value="2027"' in form and f"<option selected>{SERIES}</option>" in form and "<option selected>副高级</option>" in form, form
    assert 'value="特级魔法师"' in form and '<option value="高级教师">' in page, form
    body = "&".join(f"{quote(k)}={quote(v)}" for k, v in [("_csrf", applicant.csrf), ("year", "二〇二七"), ("series", SERIES), ("level", "中级"), ("title", "一级教师")])
    r = env.api.raw("POST", f"/t/{TENANT}/applications", body=body.encode(), headers={**cookie, "Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 400 and "年度应为四位数字" in r.body.decode() and 'value="二〇二七"' in r.body.decode(), r
    assert expect(applicant.get("applications"), 200).json["applications"] == []


def test_a_decision_in_the_web_form_redirects_to_the_queue_which_says_it_once(env: Env) -> None:
    """Post, redirect, get: the decision form answers 303 to the reviewer's queue with a one-shot
    message (cookie `zc_flash`); the queue shows it once and clears it, so reloading the queue
    neither repeats the message nor sends the decision again. A refused decision answers with
    the review page itself (its status, the message, nothing decided)."""
    applicant = new_applicant(env)
    app = filled_application(applicant)
    expect(applicant.post(f"applications/{app['id']}/submit"), 200)
    reviewer = env.reviewers["school.h"]
    version = expect(reviewer.get(f"applications/{app['id']}"), 200).json["version"]
    cookie = f"zc_session={reviewer.cookie}"

    def post(fields: list[tuple[str, str]]):
        body = "&".join(f"{quote(k)}={quote(v)}" for k, v in [("_csrf", reviewer.csrf), *fields])
        return env.api.raw("POST", f"/t/{TENANT}/reviews/{app['id']}", body=body.encode(),
                           headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})

    refused = post([("decision", "return"), ("version", str(version))])  # a return names sections
    assert refused.status == 400 and "退回时请选择" in refused.body.decode() and "zc_flash" not in refused.headers.get("set-cookie", ""), refused
    assert expect(reviewer.get(f"applications/{app['id']}"), 200).json["version"] == version

    done = post([("decision", "pass"), ("version", str(version)), ("comment", "同意")])
    assert done.status == 303 and done.headers.get("location") == f"/t/{TENANT}/reviews?stage=handler", done.headers
    flash = done.headers.get("set-cookie", "")
    assert flash.startswith("zc_flash=%") and flash.isascii() and "HttpOnly" in flash and f"Path=/t/{TENANT}/" in flash, flash
    assert expect(reviewer.get(f"applications/{app['id']}"), 200).json["step"] == "leader"

    carried = flash.split(";")[0]
    page = env.api.raw("GET", done.headers["location"], headers={"Cookie": f"{cookie}; {carried}"})
    assert page.status == 200 and "作出“通过”决定" in page.body.decode(), page.body.decode()[:3000]
    assert "Max-Age=0" in page.headers.get("set-cookie", ""), page.headers
    again = env.api.raw("GET", done.headers["location"], headers={"Cookie": cookie})
    assert "作出“通过”决定" not in again.body.decode()
    # Shown once also when the page it leads to is an error page.
    missing = env.api.raw("GET", f"/t/{TENANT}/reviews/999999", headers={"Cookie": f"{cookie}; {carried}"})
    assert missing.status == 404 and "Max-Age=0" in missing.headers.get("set-cookie", ""), missing.headers


def test_the_queue_screen_pages_through_everything_waiting_and_counts_it(env: Env) -> None:
    """经办人审查 shows one page of the queue (50 rows, or ?limit=), oldest first, with 共 N 件 for
    all that waits and 下一页 / 第一页 links that keep the step and the size; the pages together
    are the API's queue. A limit or after that is not a number is a 400 page."""
    for _ in range(3):
        applicant = new_applicant(env)
        app = filled_application(applicant)
        expect(applicant.post(f"applications/{app['id']}/submit"), 200)
    reviewer = env.reviewers["school.h"]
    ids = [a["id"] for a in expect(reviewer.get("reviews/queue?stage=handler&limit=200"), 200).json["applications"]]
    assert len(ids) >= 3, ids
    cookie = {"Cookie": f"zc_session={reviewer.cookie}"}

    def screen(path: str) -> tuple[list[int], str]:
        r = env.api.raw("GET", path, headers=cookie)
        assert r.status == 200, r
        page = r.body.decode()
        table = page[page.index('id="queue"'):page.index("</table>", page.index('id="queue"'))]
        return [int(x) for x in re.findall(r"<tr><td>(\d+)</td>", table)], page

    shown, page = screen(f"/t/{TENANT}/reviews?stage=handler&limit=2")
    assert shown == ids[:2] and f"待审查：共 {len(ids)} 件" in page, (shown, ids)
    assert 'id="queue-first"' not in page
    seen = list(shown)
    while 'id="queue-next"' in page:
        link = html.unescape(re.search(r'id="queue-next" href="([^"]+)"', page).group(1))
        assert "stage=handler" in link and "limit=2" in link, link
        shown, page = screen(link)
        assert 1 <= len(shown) <= 2 and 'id="queue-first"' in page, (link, shown)
        seen += shown
    assert seen == ids, (seen, ids)
    # The default page is 50 rows.
    shown, _ = screen(f"/t/{TENANT}/reviews?stage=handler")
    assert shown == ids[:50]
    for bad in ("limit=x", "after=1e3"):
        r = env.api.raw("GET", f"/t/{TENANT}/reviews?{bad}", headers=cookie)
        assert r.status == 400 and "应为整数" in r.body.decode(), (bad, r)


def test_the_home_page_lists_what_waits_for_each_person(env: Env) -> None:
    """首页's 待办事项: a reviewer's queues with their counts, an applicant's draft and returned
    applications, the city office's plans to review; each links to the screen to act on."""

    def todo(who: Session) -> list[tuple[str, str]]:
        page = env.api.raw("GET", f"/t/{TENANT}/home", headers={"Cookie": f"zc_session={who.cookie}"}).body.decode()
        if 'id="todo-none"' in page:
            return []
        items = page[page.index('id="todo"'):page.index("</ul>", page.index('id="todo"'))]
        return [(html.unescape(text), html.unescape(href)) for href, text in re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', items)]

    applicant = new_applicant(env)
    assert todo(applicant) == []
    draft = filled_application(applicant)
    assert todo(applicant) == [(f"申报“2026年度 {SERIES} 中级 一级教师”尚未提交", f"/t/{TENANT}/applications/{draft['id']}")]
    expect(applicant.post(f"applications/{draft['id']}/submit"), 200)
    assert todo(applicant) == []
    reviewer = env.reviewers["school.h"]
    waiting = len(expect(reviewer.get("reviews/queue?stage=handler&limit=200"), 200).json["applications"])
    assert (f"经办人审查：{waiting} 件待审查", f"/t/{TENANT}/reviews?stage=handler") in todo(reviewer)
    decide(reviewer, draft["id"])
    returned = decide(env.reviewers["school.l"], draft["id"], "return", sections=["业绩成果"], reason="incomplete", comment="补充")
    assert returned["state"] == "returned"
    assert todo(applicant) == [(f"申报“2026年度 {SERIES} 中级 一级教师”已退回修改，请修改后重新提交", f"/t/{TENANT}/applications/{draft['id']}")]

    plan = expect(env.school.post(f"orgs/{env.school_id}/plans", {"year": 2018, "items": [{"series": SERIES, "level": "中级", "count": 1}]}), 201).json
    expect(env.school.upload(f"plans/{plan['id']}/document", PDF, content_type="application/pdf"), 200)
    before = [t for t in todo(env.city) if "申报计划" in t[0]]
    expect(env.school.post(f"plans/{plan['id']}/submit"), 200)
    pending = [t for t in todo(env.city) if "申报计划" in t[0]]
    assert len(pending) == 1 and pending[0][1] == f"/t/{TENANT}/plans" and pending != before, (before, pending)
    expect(env.city.post(f"plans/{plan['id']}/review", {"decision": "approve"}), 200)


def test_the_applicant_plan_and_staff_forms_redirect_after_success_but_a_one_time_password_is_answered_at_once(env: Env) -> None:
    """Post, redirect, get beyond the decision form: creating an application in the web form answers
    303 to its page (reloading that page creates no second draft), and so do saving a section,
    withdrawing and saving a plan. A refused form still answers with its page and the reason. A new
    staff account's one-time password is never put in a cookie: that form answers with the page."""
    applicant = new_applicant(env)

    def post(who: Session, path: str, fields: list[tuple[str, str]]):
        body = "&".join(f"{quote(k)}={quote(v)}" for k, v in [("_csrf", who.csrf), *fields])
        return env.api.raw("POST", f"/t/{TENANT}/{path}", body=body.encode(),
                           headers={"Cookie": f"zc_session={who.cookie}", "Content-Type": "application/x-www-form-urlencoded"})

    created = post(applicant, "applications", [("year", "2027"), ("series", SERIES), ("level", "中级"), ("title", "一级教师")])
    mine = expect(applicant.get("applications"), 200).json["applications"]
    assert len(mine) == 1, mine
    page_path = f"/t/{TENANT}/applications/{mine[0]['id']}"
    assert created.status == 303 and created.headers.get("location") == page_path, (created.status, created.headers)
    carried = created.headers.get("set-cookie", "").split(";")[0]
    assert carried.startswith("zc_flash=%"), created.headers
    page = env.api.raw("GET", page_path, headers={"Cookie": f"zc_session={applicant.cookie}; {carried}"})
    assert page.status == 200 and "已创建申报，请逐项填写后提交" in page.body.decode(), page.body.decode()[:2000]
    env.api.raw("GET", page_path, headers={"Cookie": f"zc_session={applicant.cookie}"})  # the reload
    assert len(expect(applicant.get("applications"), 200).json["applications"]) == 1

    saved = post(applicant, f"applications/{mine[0]['id']}/sections", [("content:基本信息", "张三"), ("then", "save")])
    assert saved.status == 303 and saved.headers.get("location") == page_path, saved.headers
    assert expect(applicant.get(f"applications/{mine[0]['id']}"), 200).json["sections"]["基本信息"] == {"内容": "张三"}
    # A withdrawal is asked again first (the same form, to post once more), and changes nothing yet.
    asked = post(applicant, f"applications/{mine[0]['id']}/withdraw", [])
    assert asked.status == 200 and "确定撤回" in asked.body.decode() and 'name="_confirmed"' in asked.body.decode(), asked.status
    assert expect(applicant.get(f"applications/{mine[0]['id']}"), 200).json["state"] == "draft"
    withdrawn = post(applicant, f"applications/{mine[0]['id']}/withdraw", [("_confirmed", "1")])
    assert withdrawn.status == 303 and withdrawn.headers.get("location") == page_path, withdrawn.headers
    again = post(applicant, f"applications/{mine[0]['id']}/withdraw", [("_confirmed", "1")])
    assert again.status == 409 and again.headers.get("content-type", "").startswith("text/html"), again
    assert "zc_flash" not in again.headers.get("set-cookie", "") and "已撤回" in again.body.decode(), again.body.decode()[:2000]

    plan = post(env.school, "plans", [("year", "2016"), ("series", SERIES), ("level", "中级"), ("count", "3")])
    assert plan.status == 303 and plan.headers.get("location") == f"/t/{TENANT}/plans", plan.headers
    plans = [p for p in expect(env.school.get(f"orgs/{env.school_id}/plans"), 200).json["plans"] if p["year"] == 2016]
    assert len(plans) == 1 and plans[0]["items"] == [{"series": SERIES, "level": "中级", "count": 3, "used": 0}], plans

    staff = post(env.school, "staff", [("login", "prg.staff"), ("name", "王五"), ("phone", "")])
    body = staff.body.decode()
    assert staff.status == 200 and 'id="secret-password"' in body and "prg.staff" in body, body[:2000]
    assert "zc_flash" not in staff.headers.get("set-cookie", ""), staff.headers


def test_an_applicant_deleted_while_a_submission_waits_cannot_submit(daemon_factory, tmp_path) -> None:
    """A submission is checked, then (after the plugins' steps, which may take seconds) written.
    The unit deleting the applicant's account in between (a draft does not stop that) wins: the
    submission is refused (401) and the application stays a draft, on no queue and no plan."""
    hold = tmp_path / "hold-submit"
    d = daemon_factory(env=clean_env(ZHICHENG_PAUSE_AT=f"submit.before-write:{hold}")).start()
    city, _, applicant, app = city_with_draft(d, sections=ALL_SECTIONS[:-1])
    person = applicant.account
    worker, out = held(hold, lambda: applicant.post(f"applications/{app['id']}/submit"))
    expect(city.delete(f"applicants/{person['id']}"), (200, 204))
    hold.unlink()
    worker.join(timeout=30)
    assert out and out[0].status == 401, out
    assert db_rows(d.tenant_db("zhengzhou"), "SELECT state, submissions FROM applications WHERE id = ?", app["id"]) == [("draft", 0)]


def test_a_section_saved_blank_is_not_filled_in(env: Env) -> None:
    """Submission needs every section filled in: one saved through the API with every field
    blank (`{}`, or only spaces) is not, as the application page never stores a section
    nobody typed in. The application stays a draft and takes no place of the plan."""
    applicant = new_applicant(env)
    app = filled_application(applicant)
    for blank in ({}, {"内容": "   "}, {"内容": "\u200b"}):
        expect(applicant.put(f"applications/{app['id']}/sections/{quote('获奖情况')}", blank), 200)
        with unchanged(env.daemon, TENANT):
            r = expect(applicant.post(f"applications/{app['id']}/submit"), 400, field="sections")
            assert "获奖情况" in r.error()["message"] and "业绩成果" not in r.error()["message"], r.error()
    expect(applicant.put(f"applications/{app['id']}/sections/{quote('获奖情况')}", {"内容": "无"}), 200)
    assert expect(applicant.post(f"applications/{app['id']}/submit"), 200).json["state"] == "in_review"


def test_a_title_is_read_the_same_from_the_api_and_the_form(env: Env) -> None:
    """Blanks around a title are not part of it, through the API as on the form (the API
    refused "一级教师 " that the form took)."""
    applicant = new_applicant(env)
    app = expect(applicant.post("applications", {"kind": "title", "year": 2026, "series": SERIES, "level": "中级", "title": " 一级教师\u200b "}), 201).json
    assert app["title"] == "一级教师", app
    expect(applicant.post("applications", {"kind": "title", "year": 2026, "series": SERIES, "level": "中级", "title": "一级 教师"}), 400, field="title")


def test_a_draft_takes_a_corrected_year_series_level_and_title(env: Env) -> None:
    """A draft's 年度, 系列, 级别 and 职称 chosen wrong are corrected in place (the sections kept),
    held to the catalog as at creation; 中级 to 副高级 draws its route to the province. Once
    submitted it is refused (withdraw and create anew). Another applicant cannot. The screen's
    修改 form does the same and keeps what was typed when refused."""
    applicant = new_applicant(env)
    app = filled_application(applicant)
    assert app["level"] == "中级"
    stranger = new_applicant(env)
    with unchanged(env.daemon, TENANT, ignore=("sessions",)):
        for body, field in (({"year": 2026, "series": SERIES, "level": "副高级", "title": "一级教师"}, "title"),
                            ({"year": 2026, "series": "魔法师", "level": "中级", "title": "一级教师"}, "series"),
                            ({"year": 2026, "series": SERIES, "level": "特级", "title": "一级教师"}, "level"),
                            ({"year": 1999, "series": SERIES, "level": "中级", "title": "一级教师"}, "year")):
            expect(applicant.put(f"applications/{app['id']}", body), 400, field=field)
        expect(stranger.put(f"applications/{app['id']}", {"year": 2026, "series": SERIES, "level": "副高级", "title": "高级教师"}), 404)
    changed = expect(applicant.put(f"applications/{app['id']}", {"year": 2026, "series": SERIES, "level": "副高级", "title": "高级教师"}), 200).json
    assert (changed["level"], changed["title"], changed["state"]) == ("副高级", "高级教师", "draft"), changed
    assert changed["sections"]["业绩成果"] == {"内容": "业绩成果的内容"}, "the sections stay"
    expect(applicant.post(f"applications/{app['id']}/submit"), 200)
    r = env.reviewers
    for reviewer in ("school.h", "school.l", "dept.h", "dept.l", "city.h"):
        decide(r[reviewer], app["id"])
    assert decide(r["city.l"], app["id"])["state"] == "awaiting_province", "a 副高级 application goes on to the province"
    expect(applicant.put(f"applications/{app['id']}", {"year": 2026, "series": SERIES, "level": "中级", "title": "一级教师"}), 409, contains="撤回后重新创建")
    # The screen.
    draft = filled_application(applicant, level="副高级", title="高级教师", year=2027)
    cookie = {"Cookie": f"zc_session={applicant.cookie}"}
    page = env.api.raw("GET", f"/t/{TENANT}/applications/{draft['id']}", headers=cookie).body.decode()
    assert 'id="heading-form"' in page and 'value="2027"' in page, page[-3000:]

    def post(fields: list[tuple[str, str]]):
        return env.api.raw("POST", f"/t/{TENANT}/applications/{draft['id']}/heading", body=urlencode([("_csrf", applicant.csrf), *fields]).encode(),
                           headers={**cookie, "Content-Type": "application/x-www-form-urlencoded"})
    refused = post([("year", "2027"), ("series", SERIES), ("level", "中级"), ("title", "正高级教师")])
    body = refused.body.decode()
    assert refused.status == 400 and "职称应为" in body and 'id="heading-title" required list="heading-titles" value="正高级教师"' in body, body[-3000:]
    done = post([("year", "2027"), ("series", SERIES), ("level", "中级"), ("title", "一级教师")])
    assert done.status == 303, done
    assert expect(applicant.get(f"applications/{draft['id']}"), 200).json["level"] == "中级"


def test_a_reviewer_finds_in_the_queue_by_name_unit_and_level(env: Env) -> None:
    """经办人审查 narrowed to what a reviewer looks for: an applicant's or a unit's name holding the
    text typed (taken literally: % and _ are no wildcards) and one level, in the API
    (`reviews/queue?q=&level=`) and on the screen, whose count is then of what it finds and whose
    pages keep the search. Too long a text or an unknown level is 400."""
    unit_org, unit_admin = create_child(env.dept, env.dept_id, "检索实验小学", "unit")
    unit = approve_unit(env.api, env.dept, unit_org["id"], unit_admin["login"], unit_admin["password"])
    handler = add_reviewer(unit, unit_org["id"], "search.h", ["handler"])
    approved_plan(unit, env.city, unit_org["id"], [{"series": SERIES, "level": "中级", "count": 10}, {"series": SERIES, "level": "副高级", "count": 10}])
    apps = {}
    for name, level, title in (("张三丰", "中级", "一级教师"), ("李四", "中级", "一级教师"), ("张%", "副高级", "高级教师"), ("王五", "副高级", "高级教师")):
        r = expect(unit.post(f"orgs/{unit_org['id']}/applicants", {"id_number": fresh_id_number(), "name": name, "phone": ""}), 201).json
        applicant = env.api.first_login(r["account"]["login"], r["password"])
        app = filled_application(applicant, level=level, title=title)
        expect(applicant.post(f"applications/{app['id']}/submit"), 200)
        apps[name] = app["id"]

    def found(query: str) -> list[int]:
        return [a["id"] for a in expect(handler.get("reviews/queue" + query), 200).json["applications"]]
    assert found("") == sorted(apps.values())
    assert found("?q=" + quote("张")) == [apps["张三丰"], apps["张%"]]
    assert found("?q=" + quote("%")) == [apps["张%"]], "a % is the character, not a wildcard"
    assert found("?q=" + quote("_")) == []
    assert found("?q=" + quote("实验小学")) == sorted(apps.values()), "the unit's name"
    assert found("?level=" + quote("副高级")) == [apps["张%"], apps["王五"]]
    assert found("?q=" + quote("张") + "&level=" + quote("中级")) == [apps["张三丰"]]
    assert found("?q=" + quote("张") + "&limit=1") == [apps["张三丰"]]
    assert found(f"?q={quote('张')}&limit=1&after={apps['张三丰']}") == [apps["张%"]]
    expect(handler.get("reviews/queue?q=" + quote("长" * 41)), 400, field="q")
    expect(handler.get("reviews/queue?level=" + quote("特级")), 400, field="level")

    cookie = {"Cookie": f"zc_session={handler.cookie}"}
    page = env.api.raw("GET", f"/t/{TENANT}/reviews?q={quote('张')}&limit=1", headers=cookie).body.decode()
    assert "符合查询条件的待审查申报：共 2 件" in page and 'id="queue-q" value="张"' in page, page[-3000:]
    rows = re.findall(r'<tr><td>(\d+)</td>', page[page.index('id="queue"'):])
    assert rows == [str(apps["张三丰"])], rows
    nxt = html.unescape(re.search(r'id="queue-next" href="([^"]+)"', page).group(1))
    assert "q=%E5%BC%A0" in nxt and "limit=1" in nxt, nxt
    page = env.api.raw("GET", nxt, headers=cookie).body.decode()
    assert re.findall(r'<tr><td>(\d+)</td>', page[page.index('id="queue"'):]) == [str(apps["张%"])]
    page = env.api.raw("GET", f"/t/{TENANT}/reviews", headers=cookie).body.decode()
    assert "待审查：共 4 件" in page and 'id="queue-search-clear"' not in page, page[-3000:]


def test_delete_with_a_replacement_chosen_takes_the_old_file_away_first(env: Env) -> None:
    """On the application page, 删除 on a file with a replacement chosen: the old one is taken away,
    then the chosen one uploaded (at the limit of 20 files the replacement then fits); the flash
    says both."""
    applicant = new_applicant(env)
    app = filled_application(applicant)
    ids = []
    for n in range(20):
        r = env.api.call("POST", f"applications/{app['id']}/attachments", token=applicant, data=png_bytes(2, 2, seed=n), content_type="image/png",
                         headers={"X-Filename": quote(f"证书{n}.png")})
        ids.append(expect(r, 201).json["id"])
    boundary = "----zc-delete-and-replace"
    replacement = png_bytes(3, 3, seed=99)
    body = b"".join([
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{applicant.csrf}\r\n".encode(),
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"then\"\r\n\r\ndelete:{ids[0]}\r\n".encode(),
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"new.png\"\r\nContent-Type: image/png\r\n\r\n".encode(), replacement, b"\r\n",
        f"--{boundary}--\r\n".encode()])
    r = env.api.raw("POST", f"/t/{TENANT}/applications/{app['id']}/sections", body=body,
                    headers={"Cookie": f"zc_session={applicant.cookie}", "Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert r.status == 303, (r.status, r.body.decode()[-2000:])
    names = [a["name"] for a in expect(applicant.get(f"applications/{app['id']}/attachments"), 200).json["attachments"]]
    assert len(names) == 20 and "证书0.png" not in names and "new.png" in names, names


def test_a_draft_is_told_its_plan_place_and_the_unit_admin_what_its_plan_needs(env: Env) -> None:
    """Before 提交申报, a draft's applicant reads the place the unit's approved plan has for it
    (`applications/<id>/plan-place`, the draft's page, the 首页's to-do), or why a submission
    would be refused, by the rule the submission follows; the unit's admin's 首页 says what the
    unit's own plan needs: none while its applicants draft for that year, not submitted, sent
    back with the reason. (Year 2025, which no other test of the module plans.)"""
    def page(who: Session, path: str) -> str:
        return env.api.raw("GET", f"/t/{TENANT}/{path}", headers={"Cookie": f"zc_session={who.cookie}"}).body.decode()

    def plan_todos() -> list[str]:
        return [t for t in re.findall(r'<li><a href="/t/zhengzhou/plans">([^<]+)</a></li>', page(env.school, "home")) if "2025" in t]

    applicant = new_applicant(env)
    app = filled_application(applicant, year=2025)
    place = expect(applicant.get(f"applications/{app['id']}/plan-place"), 200).json
    assert place == {"year": 2025, "series": SERIES, "level": "中级", "taken": 0,
                     "refusal": "本单位2025年度的申报计划尚未经审核通过，暂不能提交申报"}, place   # no count, nothing left
    assert "尚未提交（本单位2025年度的申报计划尚未经审核通过，暂不能提交申报）" in html.unescape(page(applicant, "home"))
    assert '<p id="plan-place" class="flash error">提交前请注意：本单位2025年度的申报计划尚未经审核通过' in page(applicant, f"applications/{app['id']}")
    assert plan_todos() == ["本单位申报人有 1 份2025年度职称申报草稿，但尚未填报2025年度申报计划：计划审核通过后方可提交申报"]

    plan = expect(env.school.post(f"orgs/{env.school_id}/plans", {"year": 2025, "items": [{"series": SERIES, "level": "中级", "count": 1}]}), 201).json
    assert plan_todos() == ["2025年度申报计划尚未提交审核：审核通过后，本单位申报人方可按计划提交申报"]
    expect(env.school.upload(f"plans/{plan['id']}/document", PDF, content_type="application/pdf"), 200)
    expect(env.school.post(f"plans/{plan['id']}/submit"), 200)
    assert plan_todos() == [], "waiting for the city: nothing for the unit to do"
    expect(env.city.post(f"plans/{plan['id']}/review", {"decision": "reject", "reason": "人数有误"}), 200)
    assert plan_todos() == ["2025年度申报计划已退回调整（人数有误），请修改后重新提交"]
    expect(env.school.post(f"plans/{plan['id']}/submit"), 200)
    expect(env.city.post(f"plans/{plan['id']}/review", {"decision": "approve"}), 200)
    assert plan_todos() == []

    place = expect(applicant.get(f"applications/{app['id']}/plan-place"), 200).json
    assert (place["count"], place["taken"], place["left"], place.get("refusal")) == (1, 0, 1, None), place
    assert f'<p id="plan-place" class="hint">本单位2025年度申报计划“{SERIES} 中级”共 1 人，已提交 0 人，尚余 1 人</p>' in page(applicant, f"applications/{app['id']}")
    other = new_applicant(env)
    second = filled_application(other, year=2025)
    expect(applicant.post(f"applications/{app['id']}/submit"), 200)
    place = expect(other.get(f"applications/{second['id']}/plan-place"), 200).json
    assert (place["taken"], place["left"], place.get("refusal")) == (1, 0, f"已超出2025年度申报计划“{SERIES} 中级”的 1 人名额（已提交 1 人）"), place
    # The refusal told is the one the submission gives.
    assert expect(other.post(f"applications/{second['id']}/submit"), 409).error()["message"] == place["refusal"]
    with unchanged(env.daemon, TENANT):
        expect(applicant.get(f"applications/{app['id']}/plan-place"), 409, contains="已提交的在提交时已占用名额")
        expect(other.get(f"applications/{app['id']}/plan-place"), 404)
        expect(env.school.get(f"applications/{second['id']}/plan-place"), (403, 404))
    # Given back (withdrawn), the place is the other's again.
    expect(applicant.post(f"applications/{app['id']}/withdraw"), 200)
    assert "refusal" not in expect(other.get(f"applications/{second['id']}/plan-place"), 200).json


def test_an_admin_is_told_which_sections_no_reviewer_of_a_series_may_read(env: Env) -> None:
    """The department's 负责人 may read 基本信息 and 业绩成果 alone, its 经办人 every section:
    between them the department reads everything, and its admin is told nothing. Once the
    经办人 may not read 附件 either, nobody there reads it: its admin is told so, on 首页 and on
    本单位人员角色管理, where permissions are given (`reviews/unread-sections` in the API), until
    one of them may read it again."""
    handler = env.reviewers["dept.h"].account["id"]
    cookie = {"Cookie": f"zc_session={env.dept.cookie}"}
    assert expect(env.dept.get("reviews/unread-sections"), 200).json["series"] == []
    assert 'id="unread-sections"' not in env.api.raw("GET", f"/t/{TENANT}/staff", headers=cookie).body.decode()
    expect(env.reviewers["dept.h"].get("reviews/unread-sections"), 403)
    try:
        expect(env.dept.put(f"staff/{handler}/permissions", {"series": [SERIES], "sections": ALL_SECTIONS[:-1]}), 200)
        assert expect(env.dept.get("reviews/unread-sections"), 200).json["series"] == [{"series": SERIES, "sections": ["附件"]}]
        text = f"{SERIES}系列的经办人、负责人均无权查看“附件”，这些内容在本单位无人审查，请在“本单位人员角色管理”中为其中一人勾选可查看的内容"
        home = env.api.raw("GET", f"/t/{TENANT}/home", headers=cookie).body.decode()
        assert f'<li><a href="/t/{TENANT}/staff">{text}</a></li>' in home, home[-3000:]
        staff = env.api.raw("GET", f"/t/{TENANT}/staff", headers=cookie).body.decode()
        assert f'<ul class="flash error" id="unread-sections"><li>{text}</li></ul>' in staff, staff[:3000]
        # Every section is read at the school.
        assert expect(env.school.get("reviews/unread-sections"), 200).json["series"] == []
    finally:   # the module's other tests rely on this handler's permissions
        expect(env.dept.put(f"staff/{handler}/permissions", {"series": [SERIES], "sections": ALL_SECTIONS}), 200)
    assert expect(env.dept.get("reviews/unread-sections"), 200).json["series"] == []


def test_a_search_for_expert_recommendations_in_a_tenant_of_titles_finds_none(env: Env) -> None:
    """专家推荐审查 where no expert recommendation is in review: empty (answered without walking
    the queue, whose rows' kind is not in its index), while the title applications waiting stay
    in the queue and in a search for them."""
    applicant = new_applicant(env)
    app = filled_application(applicant)
    expect(applicant.post(f"applications/{app['id']}/submit"), 200)
    reviewer = env.reviewers["school.h"]
    assert app["id"] in queue_ids(reviewer)
    assert expect(reviewer.get("reviews/queue?kind=expert"), 200).json["applications"] == []
    assert app["id"] in [a["id"] for a in expect(reviewer.get("reviews/queue?kind=title"), 200).json["applications"]]
    page = env.api.raw("GET", f"/t/{TENANT}/reviews?kind=expert", headers={"Cookie": f"zc_session={reviewer.cookie}"}).body.decode()
    assert f'reviews/{app["id"]}"' not in page and "共 0 件" in page and "暂无待审查的申报" in page, page[-3000:]
    decide(reviewer, app["id"], "reject", comment="不符合条件")   # later tests start from an empty school queue


def test_the_review_form_is_offered_to_the_applicant_once_submitted_not_for_a_draft_withdrawn(env: Env) -> None:
    """查看评审表 on the applicant's page: not on a draft, nor on a draft withdrawn (never submitted:
    an empty form), and on one submitted, also once withdrawn after."""
    def page(app_id: int) -> str:
        return env.api.raw("GET", f"/t/{TENANT}/applications/{app_id}", headers={"Cookie": f"zc_session={applicant.cookie}"}).body.decode()

    applicant = new_applicant(env)
    draft = filled_application(applicant)
    assert 'id="app-review-form"' not in page(draft["id"])
    expect(applicant.post(f"applications/{draft['id']}/withdraw"), 200)
    assert 'id="app-review-form"' not in page(draft["id"])
    submitted = filled_application(applicant)
    expect(applicant.post(f"applications/{submitted['id']}/submit"), 200)
    assert f'id="app-review-form" href="/t/{TENANT}/api/v1/applications/{submitted["id"]}/review-form"' in page(submitted["id"])
    expect(applicant.post(f"applications/{submitted['id']}/withdraw"), 200)
    assert 'id="app-review-form"' in page(submitted["id"])
