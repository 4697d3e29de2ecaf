"""专家推荐, the expert database, the draw (专家抽取) and the evaluation (专家进行评审) through the
JSON API of the real daemon with the real ExpertRecommendation plugin (SPEC §8, manual §10).

One province and one city (郑州市 → 管城区教育局 → 逸夫小学 / 回民中学). Applicants apply to be
experts; the unit, the 主管单位 and the 省职改办 review (handler, then leader); the relay carries the
application to the province and the answer back. A province committee then plans a session for
副高级 applications forwarded by the city, draws a panel (seeded, with conflicts excluded and
reserves), the panel votes in secret, and the result follows the national rule back to the city."""

from __future__ import annotations

import html
import json
import re
import sqlite3
from urllib.parse import quote

import pytest

from api_support import REVIEW_SECTIONS, wind_back, add_reviewer, approved_plan, china_day, clone_received, db_rows, expect, fresh_id_number, relay_idle, unchanged
from conftest import REPO, expect_error, run_ctl, wait_until
from expert_support import (SECTIONS, SERIES, Env, add_department, add_school, applicant, become_expert, city_pass, expert_application, expert_env,
                            province_expert_app, senior_application, sign_in_expert)


@pytest.fixture(scope="module")
def env(zhichengd_bin, tmp_path_factory):
    with expert_env(zhichengd_bin, tmp_path_factory.mktemp("api-experts")) as e:
        yield e


def test_expert_application_climbs_unit_department_and_province_into_the_database(env: Env):
    person = applicant(env, "逸夫小学", "李专家")
    app = expert_application(person)
    assert app["route"] == [env.schools["逸夫小学"][0], 2], "the unit, then its 主管单位"
    # The plugin's automated step ran and passed it.
    trail = expect(person.get(f"applications/{app['id']}/trail"), 200).json["trail"]
    assert any(t["decision"] == "auto-pass" and t["reviewer"] == "专家资格自动审查" for t in trail), trail
    # The next level sees nothing until the unit passed it.
    expect(env.city_reviewers["管城区教育局"][0].get(f"applications/{app['id']}"), 404)
    city_pass(env, app["id"], ["逸夫小学", "管城区教育局"])
    # The city office is not on an expert application's route.
    expect(env.city_reviewers["郑州市"][0].get(f"applications/{app['id']}"), 404)
    papp = province_expert_app(env, "李专家")
    assert papp["specialty"] == "小学数学" and papp["source_tenant"] == "zhengzhou" and papp["step"] == "handler"
    assert [t["org"] for t in papp["city_trail"] if t["org"]] == ["逸夫小学", "逸夫小学", "管城区教育局", "管城区教育局"]
    # Waiting lists: the handler sees it, the leader not yet.
    assert [a["id"] for a in expect(env.prov_h.get("expert-applications?waiting=1"), 200).json["applications"]] == [papp["id"]]
    assert expect(env.prov_l.get("expert-applications?waiting=1"), 200).json["applications"] == []
    # Province decisions: no 退回 here; four eyes; the same step sent twice (a double click) is
    # recorded once and answered with the application as it is, as in a city; another step
    # against the version it replaced is stale.
    expect(env.prov_h.post(f"expert-applications/{papp['id']}/decision", {"decision": "return", "comment": "x"}), 400, field="decision")
    expect(env.prov_l.post(f"expert-applications/{papp['id']}/decision", {"decision": "pass", "version": papp["version"]}), 403)
    first = expect(env.prov_h.post(f"expert-applications/{papp['id']}/decision", {"decision": "pass", "version": papp["version"]}), 200).json
    again = expect(env.prov_h.post(f"expert-applications/{papp['id']}/decision", {"decision": "pass", "version": papp["version"]}), 200).json
    assert again["application"]["version"] == first["application"]["version"] and again["application"]["step"] == "leader", (first, again)
    assert [d["step"] for d in again["application"]["decisions"]] == ["handler"], again["application"]["decisions"]
    expect(env.prov_h.post(f"expert-applications/{papp['id']}/decision", {"decision": "pass"}), 200)
    expect(env.prov_h.post(f"expert-applications/{papp['id']}/decision", {"decision": "reject", "comment": "改主意", "version": papp["version"]}), 409)
    papp = expect(env.prov_l.get(f"expert-applications/{papp['id']}"), 200).json
    assert [d["step"] for d in papp["decisions"]] == ["handler"], papp["decisions"]
    first = expect(env.prov_l.post(f"expert-applications/{papp['id']}/decision", {"decision": "pass", "comment": "同意入库", "version": papp["version"]}), 200).json
    # A double click: recorded once; the screen that replaced the first answer shows a new
    # one-time password (the first one no longer works) while nobody has signed in with it.
    out = expect(env.prov_l.post(f"expert-applications/{papp['id']}/decision", {"decision": "pass", "comment": "同意入库", "version": papp["version"]}), 200).json
    assert out["expert"]["id"] == first["expert"]["id"] and out["one_time_password"] != first["one_time_password"], (first, out)
    assert [d["step"] for d in out["application"]["decisions"]] == ["handler", "leader"]
    expect(env.prov_api.sign_in_raw(out["expert"]["id_number"], first["one_time_password"]), 401)
    assert out["expert"]["series"] == SERIES and out["expert"]["state"] == "active" and out["one_time_password"]
    assert [d["step"] for d in out["application"]["decisions"]] == ["handler", "leader"]
    # The answer flows back to the city exactly once.
    wait_until(lambda: person.get(f"applications/{app['id']}").json["state"] == "passed", 10, "the result to reach the city")
    # The expert signs in to the province with the one-time password and sees no office screens.
    me = env.prov_api.first_login(out["expert"]["id_number"], out["one_time_password"])
    # Once the expert has set their own password, a late repeat replaces nothing.
    late = expect(env.prov_l.post(f"expert-applications/{papp['id']}/decision", {"decision": "pass", "comment": "同意入库", "version": papp["version"]}), 200).json
    assert late.get("one_time_password") is None and late.get("expert") is None, late
    expect(me.get("experts/me"), 200)
    env.experts["李专家"] = (out["expert"], me)
    assert expect(me.get("experts/me"), 200).json["id"] == out["expert"]["id"]
    expect(me.get("experts"), 403)
    expect(me.get("expert-applications"), 403)
    # Searchable by series and specialty.
    found = expect(env.prov.get(f"experts?series={quote(SERIES)}&specialty={quote('数学')}"), 200).json["experts"]
    assert out["expert"]["id"] in [x["id"] for x in found]
    assert expect(env.prov.get(f"experts?specialty={quote('化学')}"), 200).json["experts"] == []
    expect(env.prov.get("experts?state=sleeping"), 400, field="state")
    # An empty state is every state, as the screen's filter left blank.
    assert len(expect(env.prov.get("experts?state="), 200).json["experts"]) == len(expect(env.prov.get("experts"), 200).json["experts"])
    # City accounts cannot reach the province's database (their tokens are worthless there).
    expect(env.prov_api.get("experts", token=env.city), 401)


def test_the_plugin_returns_an_unqualified_expert_application(env: Env):
    person = applicant(env, "回民中学", "王年轻")
    app = expert_application(person, years="6")
    assert app["state"] == "returned"
    assert app["returned"]["sections"] == ["工作经历"] and app["returned"]["reason"] == "not_qualified"
    assert "不足10年" in app["returned"]["comment"]
    # Fix it and resubmit: it now goes to people.
    expect(person.put(f"applications/{app['id']}/sections/{quote('工作经历')}", {"从业年限": "12"}), 200)
    assert expect(person.post(f"applications/{app['id']}/submit"), 200).json["state"] == "in_review"


def test_an_expert_application_below_fu_gaoji_is_told_to_withdraw(env: Env):
    """The level is chosen when an application is made and cannot be edited: the plugin's
    return says so and what helps (withdraw, apply again), and the withdrawal is possible."""
    person = applicant(env, "回民中学", "郑中级")
    app = expert_application(person, level="中级", title="一级教师")
    assert app["state"] == "returned" and app["returned"]["reason"] == "not_qualified", app
    comment = app["returned"]["comment"]
    assert "本申报的级别为中级" in comment and "不能修改" in comment and "请撤回本申报" in comment, comment
    assert expect(person.post(f"applications/{app['id']}/withdraw"), 200).json["state"] == "withdrawn"


def test_the_read_only_pages_name_every_field_and_each_step(env: Env):
    """What a reviewer reads of a section and what the applicant reads of a submitted one: the
    free text, then each other field as "名称：值" (从业年限 with its unit), never a bare value;
    审查记录 names each row's 环节, the automated step by its title."""
    import re

    person = applicant(env, "回民中学", "冯字段")
    app = expert_application(person)
    assert app["state"] == "in_review", app
    handler = env.city_reviewers["回民中学"][0]

    def page(s, path: str) -> str:
        return env.city_api.raw("GET", f"/t/zhengzhou/{path}", headers={"Cookie": f"zc_session={s.cookie}"}).body.decode()

    # An expert application's form has 基本信息, 工作经历 and 附件: a return may name only those.
    offered = re.findall(r'name="sections" value="([^"]+)"', page(handler, f"reviews/{app['id']}"))
    assert offered == ["基本信息", "工作经历", "附件"], offered
    expect(handler.post(f"applications/{app['id']}/decision", {"decision": "return", "sections": ["论文著作"], "reason": "incomplete",
                                                                 "version": app["version"]}), 400, field="sections")
    for html in (page(handler, f"reviews/{app['id']}"), page(person, f"applications/{app['id']}")):
        assert "从业年限：15 年\n经历：长期从事教学</td>" in html, html[html.find("工作经历"):][:400]
        assert "姓名：专家\n职称：高级教师</td>" in html, html[html.find("基本信息"):][:400]
    trail = page(person, f"applications/{app['id']}")
    rows = re.findall(r"<tr><td>[^<]*</td><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td>", trail[trail.find('id="trail"'):])
    assert rows[:2] == [("申报人", "提交申报", "提交"), ("自动审查", "专家资格自动审查", "自动审查通过")], rows


def test_what_changed_counts_from_the_last_submission_a_person_reviewed(env: Env):
    """The unit's handler returns 基本信息; the applicant fixes it but the plugin sends the next
    submission straight back over 工作经历; fixed again, the handler sees both sections changed
    since the submission they returned, not only what changed since the one nobody reviewed."""
    person = applicant(env, "回民中学", "吴两改")
    app = expert_application(person)
    assert app["state"] == "in_review", app
    handler = env.city_reviewers["回民中学"][0]
    v = expect(handler.get(f"applications/{app['id']}"), 200).json["version"]
    expect(handler.post(f"applications/{app['id']}/decision", {"decision": "return", "comment": "请写明取得职称的年份", "sections": ["基本信息"],
                                                              "reason": "incomplete", "version": v}), 200)
    expect(person.put(f"applications/{app['id']}/sections/{quote('基本信息')}", {"姓名": "专家", "职称": "高级教师（2010年取得）"}), 200)
    expect(person.put(f"applications/{app['id']}/sections/{quote('工作经历')}", {"从业年限": "6", "经历": "长期从事教学"}), 200)
    assert expect(person.post(f"applications/{app['id']}/submit"), 200).json["state"] == "returned"
    expect(person.put(f"applications/{app['id']}/sections/{quote('工作经历')}", {"从业年限": "16", "经历": "长期从事教学"}), 200)
    assert expect(person.post(f"applications/{app['id']}/submit"), 200).json["state"] == "in_review"
    seen = expect(handler.get(f"applications/{app['id']}"), 200).json
    assert seen["submissions"] == 3 and sorted(seen["changed_sections"]) == sorted(["基本信息", "工作经历"]), seen
    assert seen["previous_sections"]["基本信息"] == {"姓名": "专家", "职称": "高级教师"}, seen["previous_sections"]
    assert seen["previous_sections"]["工作经历"]["从业年限"] == "15", seen["previous_sections"]


def test_expert_application_input_is_checked(env: Env):
    person = applicant(env, "回民中学", "赵输入")
    expect(person.post("applications", {"kind": "guru", "year": 2026, "series": SERIES, "level": "副高级", "title": "高级教师"}), 400, field="kind")
    expect(person.post("applications", {"kind": "expert", "year": 2026, "series": SERIES, "level": "副高级", "title": "高级教师",
                                        "specialty": "x" * 51}), 400, field="specialty")
    # Only 基本信息 and 工作经历 are required; without them, no submission.
    app = expect(person.post("applications", {"kind": "expert", "year": 2026, "series": SERIES, "level": "副高级",
                                              "title": "高级教师", "specialty": "物理"}), 201).json
    expect(person.post(f"applications/{app['id']}/submit"), 400, field="sections")
    # Only the sections its form has: a 论文著作 nobody would see or could name when returning it.
    with unchanged(env.daemon, "zhengzhou"):
        expect(person.put(f"applications/{app['id']}/sections/{quote('论文著作')}", {"内容": "论文"}), 400, field="section", contains="专家推荐没有")
    expect(person.post("applications", {"kind": "expert", "year": 2026, "series": SERIES, "level": "副高级", "title": "高级教师",
                                        "specialty": " "}), 400, field="specialty")
    # A draw matches a specialty exactly: nothing invisible in it.
    expect(person.post("applications", {"kind": "expert", "year": 2026, "series": SERIES, "level": "副高级", "title": "高级教师",
                                        "specialty": "小学\u200b数学"}), 400, field="specialty")


def test_an_expert_application_in_the_spec_shape_takes_its_specialty_from_basic_information(env: Env):
    """SPEC §5.1 creates with {kind, year, series, level, title}: the specialty may come later,
    as 基本信息's 专业; a submission with none anywhere is refused and changes nothing."""
    person = applicant(env, "回民中学", "周规范")
    app = expect(person.post("applications", {"kind": "expert", "year": 2026, "series": SERIES, "level": "副高级", "title": "高级教师"}), 201).json
    assert (app["state"], app.get("specialty")) == ("draft", None), app
    basic = f"applications/{app['id']}/sections/{quote('基本信息')}"
    expect(person.put(basic, {"姓名": "周规范"}), 200)
    expect(person.put(f"applications/{app['id']}/sections/{quote('工作经历')}", {"从业年限": "15"}), 200)
    expect(person.post(f"applications/{app['id']}/submit"), 400, field="specialty")
    assert expect(person.get(f"applications/{app['id']}"), 200).json["state"] == "draft"
    expect(person.put(basic, {"姓名": "周规范", "专业": "y" * 51}), 200)
    expect(person.post(f"applications/{app['id']}/submit"), 400, field="specialty")
    expect(person.put(basic, {"姓名": "周规范", "专业": "初中化学"}), 200)
    done = expect(person.post(f"applications/{app['id']}/submit"), 200).json
    assert (done["state"], done["specialty"]) == ("in_review", "初中化学"), done


def test_province_rejection_flows_back_and_admits_nobody(env: Env):
    person = applicant(env, "回民中学", "钱不符")
    app = expert_application(person)
    city_pass(env, app["id"], ["回民中学", "管城区教育局"])
    papp = province_expert_app(env, "钱不符")
    expect(env.prov_h.post(f"expert-applications/{papp['id']}/decision", {"decision": "reject", "version": papp["version"]}), 400, field="comment")
    out = expect(env.prov_h.post(f"expert-applications/{papp['id']}/decision", {"decision": "reject", "comment": "专业不符", "version": papp["version"]}), 200).json
    assert out["application"]["state"] == "rejected" and out.get("expert") is None
    # The office's review ended at its 经办人's step: the city ends it there, as its own reviewer's
    # 未通过 (not as a committee's result, with a made-up 结果确认 row).
    wait_until(lambda: person.get(f"applications/{app['id']}").json["state"] == "rejected", 10, "the rejection to reach the city")
    trail = expect(person.get(f"applications/{app['id']}/trail"), 200).json["trail"]
    assert not [t for t in trail if t["decision"].startswith("committee-")], trail
    assert (trail[-1]["org_name"], trail[-1]["step_label"], trail[-1]["decision_label"], trail[-1]["comment"]) == \
        (expect(env.prov.get("orgs/1"), 200).json["name"], "经办人审查", "未通过", "专业不符"), trail[-1]
    form = expect(person.get(f"applications/{app['id']}/review-form"), 200).body.decode()
    assert re.search(r'<p id="f-mark">本申报未通过　审查结束时间：[^<]+</p>', form) and 'id="committee-opinion"' not in form, form[:3000]
    assert all(x["name"] != "钱不符" for x in expect(env.prov.get("experts"), 200).json["experts"])
    # 未通过, as the province says it: no committee judged it (not 评审未通过).
    assert expect(env.prov.get(f"expert-applications/{papp['id']}"), 200).json["stage_label"] == "未通过"
    assert expect(person.get(f"applications/{app['id']}"), 200).json["state_label"] == "未通过"
    # The unit's 申报人员状态查询 tells the expert recommendation from a title application.
    org_id, admin = env.schools["回民中学"]
    rows = expect(admin.get(f"orgs/{org_id}/applicant-status"), 200).json["rows"]
    assert [(r["kind"], r["stage"]) for r in rows if r["application_id"] == app["id"]] == [("expert", "未通过")], rows
    # Its route goes from the 主管单位 to the province office: the city office's row says it does
    # not pass there (not 尚未报送本级, nor that the unit belonged elsewhere when it applied).
    rows = expect(env.city.get(f"orgs/{org_id}/applicant-status"), 200).json["rows"]
    assert [(r["printable"], r.get("form_note")) for r in rows if r["application_id"] == app["id"]] == [(False, "不经本级审查")], rows


def _rows(html: str, table: str) -> list[list[str]]:
    """The body rows of the page's table `table` (its id), each as its cells' text."""
    body = html[html.find(f'<table id="{table}"'):]
    body = body[body.find("<tbody>"):body.find("</tbody>")]
    strip = lambda cell: re.sub(r"<[^>]+>", "", cell).strip()  # noqa: E731
    return [[strip(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)] for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def test_an_admins_home_counts_stranded_title_applications_and_expert_recommendations_apart(env: Env):
    """What waits at an org for nobody is counted by kind: a title application and an expert
    recommendation at the same step and series are two lines on its admin's 首页 (职称申报, 专家推荐),
    each with its own count and linking to 本单位人员角色管理, where the admin gives the role and the
    series; `reviews/stranded` says each one's `kind`. They were one number (…件…申报无人可审)."""
    org = add_school(env, "第九中学")
    school_admin = env.schools["第九中学"][1]
    handler = env.city_reviewers["第九中学"][0]
    approved_plan(school_admin, env.city, org["id"], [{"series": SERIES, "level": "副高级", "count": 5}])
    titled = applicant(env, "第九中学", "孙职称")
    tapp = expect(titled.post("applications", {"kind": "title", "year": 2026, "series": SERIES, "level": "副高级", "title": "高级教师"}), 201).json
    for section in SECTIONS:
        expect(titled.put(f"applications/{tapp['id']}/sections/{quote(section)}", {"内容": f"孙职称的{section}"}), 200)
    assert expect(titled.post(f"applications/{tapp['id']}/submit"), 200).json["state"] == "in_review"
    for name in ("孙专家", "李专家"):
        assert expert_application(applicant(env, "第九中学", name), specialty="初中物理")["state"] == "in_review"

    def home() -> list[tuple[str, str]]:
        r = env.city_api.raw("GET", "/t/zhengzhou/home", headers={"Cookie": f"zc_session={school_admin.cookie}"})
        assert r.status == 200, r
        return re.findall(r'<li><a href="([^"]+)">([^<]*无人可审[^<]*)</a></li>', r.body.decode())

    assert expect(school_admin.get("reviews/stranded"), 200).json["steps"] == [] and home() == []
    # Its one 经办人 now reviews another series: all three wait at 经办人审查 for nobody.
    expect(school_admin.put(f"staff/{handler.id}/permissions", {"series": ["高等学校教师"], "sections": REVIEW_SECTIONS}), 200)
    steps = expect(school_admin.get("reviews/stranded"), 200).json["steps"]
    assert [(s["kind"], s["stage"], s["series"], s["count"], s["handed_over"]) for s in steps] == [
        ("title", "handler", SERIES, 1, False), ("expert", "handler", SERIES, 2, False)], steps
    fix = "，请在“本单位人员角色管理”中为人员分配经办人角色并授予该系列"
    assert home() == [("/t/zhengzhou/staff", f"经办人审查：1 件{SERIES}职称申报无人可审{fix}"),
                      ("/t/zhengzhou/staff", f"经办人审查：2 件{SERIES}专家推荐无人可审{fix}")], home()
    expect(school_admin.put(f"staff/{handler.id}/permissions", {"series": [SERIES], "sections": REVIEW_SECTIONS}), 200)
    assert expect(school_admin.get("reviews/stranded"), 200).json["steps"] == [] and home() == []


def test_a_city_tells_an_expert_recommendation_from_a_title_application_on_every_screen(env: Env):
    """Manual §10: an expert recommendation is reviewed by the unit and the 主管单位 in their
    ordinary 经办人审查 / 负责人审查, so their queue and 已审查 name each row's 类别, and the review
    page is headed 专家推荐 with its 专业, as the applicant's own page is. Once the province has
    entered the person into the expert database, the applicant's 我的申报 and the unit's and the
    city's 申报人员状态查询 say 已入库（专家信息库）, as the province does, not 评审通过. And while
    nobody of the province office can take its 经办人 step, its admin's 首页 names 专家推荐审查."""
    school = "实验中学"
    org_id, school_admin = env.schools[school]
    handler, leader = env.city_reviewers[school]
    dept_handler = env.city_reviewers["管城区教育局"][0]
    # A title application beside it in the same queue: the 类别 tells the two apart.
    if not any(p["state"] == "approved" for p in expect(school_admin.get(f"orgs/{org_id}/plans"), 200).json["plans"]):
        approved_plan(school_admin, env.city, org_id, [{"series": SERIES, "level": "副高级", "count": 20}])
    titled = applicant(env, school, "赵职称")
    tapp = expect(titled.post("applications", {"kind": "title", "year": 2026, "series": SERIES, "level": "副高级", "title": "高级教师"}), 201).json
    for section in SECTIONS:
        expect(titled.put(f"applications/{tapp['id']}/sections/{quote(section)}", {"内容": f"赵职称的{section}"}), 200)
    assert expect(titled.post(f"applications/{tapp['id']}/submit"), 200).json["state"] == "in_review"
    person = applicant(env, school, "赵专家")
    app = expert_application(person, specialty="小学珠算")   # a specialty of its own: no draw of the other tests finds this expert
    assert app["state"] == "in_review", app

    def page(s, path: str, api=None) -> str:
        r = (api or env.city_api).raw("GET", f"/t/{'province' if api else 'zhengzhou'}/{path}", headers={"Cookie": f"zc_session={s.cookie}"})
        assert r.status == 200, (path, r.status)
        return r.body.decode()

    def queue_row(s, name: str) -> list[str]:
        return next(r for r in _rows(page(s, "reviews"), "queue") if name in r)

    # The unit's 经办人审查: 编号, 申报人, 单位, 类别, 年度, 系列, 级别, 职称, 环节.
    assert queue_row(handler, "赵专家")[:9] == [str(app["id"]), "赵专家", school, "专家推荐", "2026", SERIES, "副高级", "高级教师", "经办人审查"]
    assert queue_row(handler, "赵职称")[3] == "职称申报"
    html = page(handler, "reviews")
    assert 'aria-label="审查赵专家的专家推荐"' in html and 'aria-label="审查赵职称的职称申报"' in html
    # The review page is headed as the applicant's own page is: 专家推荐 and its 专业.
    heading = f"专家推荐：小学珠算 · {SERIES} 副高级 高级教师"
    assert f"<h2>审查：赵专家（{school}） · {heading}</h2>" in page(handler, f"reviews/{app['id']}")
    assert f"<h2>{heading}（2026年度）<small" in page(person, f"applications/{app['id']}")
    assert f"<h2>审查：赵职称（{school}） · {SERIES} 副高级 高级教师</h2>" in page(handler, f"reviews/{tapp['id']}")
    # The JSON queue keeps its fields (its rows come from the covering index, which has no kind).
    row = next(r for r in expect(handler.get("reviews/queue"), 200).json["applications"] if r["id"] == app["id"])
    assert row["applicant_name"] == "赵专家" and row["step"] == "handler", row

    city_pass(env, app["id"], [school])
    # The 主管单位's 经办人审查 and the unit's 已审查 (HTML and API) say 专家推荐 too.
    assert queue_row(dept_handler, "赵专家")[3:6] == ["专家推荐", "2026", SERIES]
    assert f"<h2>审查：赵专家（{school}） · {heading}</h2>" in page(dept_handler, f"reviews/{app['id']}")
    done = next(r for r in _rows(page(handler, "reviewed"), "reviewed") if "赵专家" in r)
    assert done[1:5] == ["赵专家", school, "专家推荐", SERIES], done
    decisions = expect(handler.get("reviews/done"), 200).json["decisions"]
    assert [d["kind"] for d in decisions if d["application_id"] == app["id"]] == ["expert"], decisions
    city_pass(env, app["id"], ["管城区教育局"])
    papp = province_expert_app(env, "赵专家")

    # Nobody of the province office may take its 经办人 step (its one 经办人 now reviews another
    # series): the admin's 首页 names 专家推荐审查, not the title applications' 各市报送.
    prov_home = lambda: page(env.prov, "home", api=env.prov_api)  # noqa: E731
    expect(env.prov.put(f"staff/{env.prov_h.id}/permissions", {"series": ["高等学校教师"], "sections": REVIEW_SECTIONS}), 200)
    try:
        steps = expect(env.prov.get("reviews/stranded"), 200).json["steps"]
        experts = [s for s in steps if s.get("received_kind") == "expert"]
        assert [(s["stage"], s["series"], s["handed_over"]) for s in experts] == [("handler", SERIES, True)] and experts[0]["count"] >= 1, steps
        home = prov_home()
        assert f"专家推荐审查（经办人审查）：{experts[0]['count']} 件{SERIES}专家推荐无人可审，请在“本单位人员角色管理”中为人员分配经办人角色并授予该系列" in home, home
        # The title applications' step, if any wait for nobody too, counts only them.
        titles = sum(s["count"] for s in steps if s.get("received_kind") == "title" and s["stage"] == "handler")
        counted = [int(n) for n in re.findall(rf"经办人审查（各市报送）：(\d+) 件{SERIES}职称申报无人可审", home)]
        assert counted == ([titles] if titles else []), (counted, steps)
    finally:
        expect(env.prov.put(f"staff/{env.prov_h.id}/permissions", {"series": [SERIES], "sections": REVIEW_SECTIONS}), 200)
    assert not [s for s in expect(env.prov.get("reviews/stranded"), 200).json["steps"] if s.get("received_kind") == "expert"]
    assert "专家推荐审查（经办人审查）" not in prov_home()

    expect(env.prov_h.post(f"expert-applications/{papp['id']}/decision", {"decision": "pass", "comment": "符合条件", "version": papp["version"]}), 200)
    papp = expect(env.prov_l.get(f"expert-applications/{papp['id']}"), 200).json
    expect(env.prov_l.post(f"expert-applications/{papp['id']}/decision", {"decision": "pass", "comment": "同意入库", "version": papp["version"]}), 200)
    wait_until(lambda: person.get(f"applications/{app['id']}").json["state"] == "passed", 10, "the city to learn the expert was admitted")

    # In the database: one wording, the province's and the city's.
    admitted = "已入库（专家信息库）"
    assert expect(env.prov.get(f"expert-applications/{papp['id']}"), 200).json["stage_label"] == admitted
    assert expect(person.get(f"applications/{app['id']}"), 200).json["state_label"] == admitted
    assert [r[6] for r in _rows(page(person, "applications/mine"), "applications") if r[0] == str(app["id"])] == [admitted]
    assert f'<small id="app-state">{admitted}</small>' in page(person, f"applications/{app['id']}")
    for admin, shown in ((school_admin, org_id), (env.city, org_id)):
        rows = expect(admin.get(f"orgs/{shown}/applicant-status"), 200).json["rows"]
        assert [r["stage"] for r in rows if r["application_id"] == app["id"]] == [admitted], rows
        html = page(admin, "status" if admin is school_admin else f"status?org={shown}")
        assert [r[8] for r in _rows(html, "status") if r[0] == "赵专家"] == [admitted], _rows(html, "status")
    # 已审查 says where it ended, for the unit's reviewer and the province's.
    assert next(r for r in _rows(page(handler, "reviewed"), "reviewed") if "赵专家" in r)[10] == admitted
    received = next(r for r in _rows(page(env.prov_l, "reviewed", api=env.prov_api), "reviewed-received") if "赵专家" in r)
    assert received[3] == "专家推荐" and received[10] == admitted, received
    # The title application beside it, which nobody has taken up yet, is withdrawn: the unit's queue is as it was.
    assert expect(titled.post(f"applications/{tapp['id']}/withdraw"), 200).json["state"] == "withdrawn"
    assert not [r for r in _rows(page(handler, "reviews"), "queue") if "赵职称" in r or "赵专家" in r]
    # The module's later draws pick among the experts it made itself (`env.experts`): this one
    # leaves the database again, so that no draw can put it on a panel nobody signs in for.
    admitted_expert = next(e for e in expect(env.prov.get("experts"), 200).json["experts"] if e["name"] == "赵专家")
    expect(env.prov.post(f"experts/{admitted_expert['id']}/state", {"state": "retired", "reason": "测试结束"}), 200)


def test_suspend_retire_and_reinstate(env: Env):
    expert, session = become_expert(env, "回民中学", "孙暂停", specialty="初中物理")
    expect(env.prov_h.post(f"experts/{expert['id']}/state", {"state": "suspended", "reason": "x"}), 403)
    expect(env.prov.post(f"experts/{expert['id']}/state", {"state": "suspended"}), 400, field="reason")
    # A reason is free text (`FreeText`): nothing invisible fills it, no control character is kept.
    expect(env.prov.post(f"experts/{expert['id']}/state", {"state": "suspended", "reason": "\u200b\u3164"}), 400, field="reason", contains="请填写暂停或退出的理由")
    expect(env.prov.post(f"experts/{expert['id']}/state", {"state": "suspended", "reason": "暂停\u0000"}), 400, field="reason", contains="U+0000")
    # So are the relations an expert declares, each on one line.
    expect(env.prov.put(f"experts/{expert['id']}/relations", {"relations": ["周\u202e申报"]}), 400, field="relations", contains="回避关系不能含文字方向控制符")
    expect(env.prov.put(f"experts/{expert['id']}/relations", {"relations": ["周\n申报"]}), 400, field="relations", contains="只能填写一行")
    assert expect(env.prov.post(f"experts/{expert['id']}/state", {"state": "suspended", "reason": "本年度暂停"}), 200).json["state"] == "suspended"
    expect(session.get("experts/me"), 401)      # signed out and disabled
    assert expect(env.prov.get("experts?state=suspended"), 200).json["experts"][0]["id"] == expert["id"]
    assert expect(env.prov.post(f"experts/{expert['id']}/state", {"state": "active"}), 200).json["state"] == "active"
    assert expect(env.prov.post(f"experts/{expert['id']}/state", {"state": "retired", "reason": "退休"}), 200).json["state"] == "retired"
    expect(env.prov.post(f"experts/{expert['id']}/state", {"state": "active"}), 409)


# --------------------------------------------------------------------------- draw and evaluation


@pytest.fixture(scope="module")
def pool(env: Env):
    """Seven experts of 中小学教师/小学数学: five from 实验中学, one from 回民中学 and one from
    逸夫小学 (a conflict for applicants of those schools)."""
    for i, school in enumerate(["实验中学"] * 5 + ["回民中学", "逸夫小学"]):
        if f"专家{i}" not in env.experts:
            become_expert(env, school, f"专家{i}")
    committee = expect(env.prov.post("committees", {"name": "河南省中小学教师高级职称评审委员会", "series": [SERIES], "levels": ["副高级", "正高级"]}), 201).json
    assert committee["rule"] == "national"
    return committee


def test_draw_is_recorded_verifiable_and_avoids_conflicts(env: Env, pool: dict):
    person, app, received = senior_application(env, "逸夫小学", "周申报")
    related = env.experts["专家1"][0]
    expect(env.prov.put(f"experts/{related['id']}/relations", {"relations": ["周申报"]}), 200)
    # The office's admin manages the database in full; its other staff see no ID-card numbers
    # and not whom an expert must avoid.
    full = next(e for e in expect(env.prov.get("experts"), 200).json["experts"] if e["id"] == related["id"])
    staff = next(e for e in expect(env.prov_h.get("experts"), 200).json["experts"] if e["id"] == related["id"])
    assert full["relations"] == ["周申报"] and len(full["id_number"]) == 18 and "*" not in full["id_number"], full
    assert staff["relations"] == [] and staff["id_number"] == full["id_number"][:6] + "*" * 8 + full["id_number"][-4:], staff
    body = {"name": "2026年第一次评审会", "series": SERIES, "specialty": "小学数学", "panel_size": 3, "reserves": 2, "applications": [received["id"]]}
    expect(env.prov.post(f"committees/{pool['id']}/sessions", dict(body, panel_size=4)), 400, field="panel_size")   # national rule: odd
    expect(env.prov.post(f"committees/{pool['id']}/sessions", dict(body, applications=[999999])), 400, field="applications")
    expect(env.prov_h.post(f"committees/{pool['id']}/sessions", body), 403)
    session = expect(env.prov.post(f"committees/{pool['id']}/sessions", body), 201).json
    assert session["state"] == "planned"
    expect(env.prov.get(f"sessions/{session['id']}/verify"), 409)
    drawn = expect(env.prov.post(f"sessions/{session['id']}/draw", {"seed": "henan-2026-01"}), 200).json
    assert drawn["session"]["state"] == "drawn" and drawn["seed"] == "henan-2026-01" and len(drawn["inputs_digest"]) == 64
    panel = [m["expert_id"] for m in drawn["experts"]]
    reserves = [m["expert_id"] for m in drawn["reserves"]]
    assert panel == [m["expert_id"] for m in drawn["session"]["members"] if m["role"] == "panel"]
    assert len(panel) == 3 and len(reserves) == 2
    excluded = {x["expert_id"]: x["reason"] for x in drawn["excluded"]}
    same_unit = env.experts["专家6"][0]["id"]
    assert "同一单位" in excluded[same_unit] and "回避" in excluded[related["id"]]
    assert same_unit not in panel + reserves and related["id"] not in panel + reserves
    expect(env.prov.post(f"sessions/{session['id']}/draw", {"seed": "again"}), 409)
    # Verify: API, admin protocol and zhichengctl all re-run it and get the same experts.
    v = expect(env.prov.get(f"sessions/{session['id']}/verify"), 200).json
    assert v["reproduced"] and v["digest_matches"] and v["inputs_current"] and v["recomputed_panel"] == panel
    r = env.daemon.call("draw.verify", {"tenant": "province", "session": session["id"]})
    assert r["recomputed_panel"] == panel and r["recomputed_reserves"] == reserves and r["reproduced"]
    out = run_ctl(str(REPO / ".build" / "debug" / "zhichengctl"), "draw", "verify", "--tenant", "province", "--session", str(session["id"]),
                  socket_path=env.daemon.admin_socket)
    assert out.returncode == 0, out.stderr
    assert "reproduced       yes" in out.stdout and ", ".join(map(str, panel)) in out.stdout
    expect_error(env.daemon.request("draw.verify", {"tenant": "../province", "session": session["id"]}), "invalid")
    expect_error(env.daemon.request("draw.verify", {"tenant": "province", "session": "1"}), "bad_request")
    expect_error(env.daemon.request("draw.verify", {"tenant": "province", "session": 99999}), "not_found")
    # A changed input changes the result: suspend a drawn expert and the draw today differs.
    expect(env.prov.post(f"experts/{panel[0]}/state", {"state": "suspended", "reason": "临时出差"}), 200)
    try:
        v = expect(env.prov.get(f"sessions/{session['id']}/verify"), 200).json
        assert v["reproduced"] and not v["inputs_current"]
        assert v["current_panel"] != panel and panel[0] not in v["current_panel"]
    finally:
        expect(env.prov.post(f"experts/{panel[0]}/state", {"state": "active"}), 200)
    # The office replaces a panel member with the first reserve before anyone votes.
    replaced = expect(env.prov.post(f"sessions/{session['id']}/replace", {"expert_id": panel[0]}), 200).json
    new_panel = sorted(m["expert_id"] for m in replaced["members"] if m["role"] == "panel")
    assert new_panel == sorted(panel[1:] + reserves[:1])
    expect(env.prov.post(f"sessions/{session['id']}/replace", {"expert_id": 424242}), 404)


def test_the_draw_knows_a_renamed_unit_by_its_code(env: Env, pool: dict):
    """SPEC §8 回避, same unit: a unit is its city and its code (单位编号), which never changes.
    育才小学's teacher becomes an expert; then its 主管单位 renames it 育才实验小学, and another of
    its teachers applies. The hand-over carries the new name and the code; the draw excludes
    the expert as 同一单位 (it compared the names, 育才小学 ≠ 育才实验小学, and let them judge
    a colleague), and the record verifies."""
    school = add_school(env, "育才小学")
    expert, _ = become_expert(env, "育才小学", "杨育才", specialty="小学科学")
    other, _ = become_expert(env, "实验中学", "许实验", specialty="小学科学")
    assert (expert["unit_name"], expert["unit_code"]) == ("育才小学", school["code"]), expert
    renamed = expect(env.dept.patch(f"orgs/{school['id']}", {"name": "育才实验小学"}), 200).json
    assert (renamed["name"], renamed["code"]) == ("育才实验小学", school["code"])
    _, _, received = senior_application(env, "育才小学", "柏申报")
    seen = expect(env.prov.get(f"province/reviews/{received['id']}"), 200).json
    assert (seen["unit_name"], seen["unit_code"], seen["source_tenant"]) == ("育才实验小学", school["code"], "zhengzhou"), seen
    session = expect(env.prov.post(f"committees/{pool['id']}/sessions", {"name": "单位更名回避评审会", "series": SERIES, "specialty": "小学科学",
                                                                          "panel_size": 1, "reserves": 0, "applications": [received["id"]]}), 201).json
    drawn = expect(env.prov.post(f"sessions/{session['id']}/draw", {"seed": "renamed-unit"}), 200).json
    excluded = {x["expert_id"]: x["reason"] for x in drawn["excluded"]}
    assert excluded == {expert["id"]: f"与申报人柏申报同一单位（育才实验小学，单位编号{school['code']}）"}, excluded
    assert [m["expert_id"] for m in drawn["experts"]] == [other["id"]]
    v = expect(env.prov.post(f"sessions/{session['id']}/draw/verify"), 200).json
    assert v["matches"] and v["inputs_current"] and v["recomputed_panel"] == [other["id"]], v


def test_an_expert_moved_to_another_unit_in_the_city_is_kept_off_that_units_applicants(env: Env, pool: dict):
    """人员调动 of an expert's person in the city (offered by 调出小学, accepted by 调入小学) reaches
    the province (`applicant.moved`): the 专家信息库 entry names the unit they work at now, by
    name and code, and the draw keeps them off an applicant of 调入小学 as 同一单位, no longer off
    one of 调出小学. Their expert application at the province keeps the unit that declared it.
    A move of a person the province holds no expert application of sends nothing."""
    # Schools of this test's own (the module's plans have 20 places each, which later tests use).
    add_school(env, "调出小学")
    target_org = add_school(env, "调入小学")
    expert, _ = become_expert(env, "调出小学", "严调动", specialty="小学英语")
    other, _ = become_expert(env, "逸夫小学", "曾不动", specialty="小学英语")
    assert expert["unit_name"] == "调出小学"
    school_id, school = env.schools["调出小学"]
    target_id, target = env.schools["调入小学"]
    target_code = target_org["code"]
    person = next(a for a in expect(school.get(f"orgs/{school_id}/applicants?q={quote('严调动')}"), 200).json["applicants"])
    move = expect(school.post(f"applicants/{person['id']}/move", {"unit_code": target_code}), 201).json
    expect(target.post(f"moves/{move['id']}/accept"), 200)

    def entry() -> dict:
        return next(e for e in expect(env.prov.get(f"experts?specialty={quote('小学英语')}"), 200).json["experts"] if e["id"] == expert["id"])

    wait_until(lambda: entry()["unit_name"] == "调入小学", 30, "the province to learn the expert's new unit")
    assert entry()["unit_code"] == target_code, entry()
    audit = [e for e in expect(env.prov.get("audit?limit=50"), 200).json["entries"] if e["action"] == "applicant.moved-in-city"]
    assert audit and target_code in audit[0]["detail"] and '"experts":1' in audit[0]["detail"] and expert["id_number"] not in str(audit), audit[:1]
    assert expect(env.prov.get(f"expert-applications/{province_expert_app(env, '严调动')['id']}"), 200).json["unit_name"] == "调出小学"
    # The new unit renamed while the province holds none of its own applications: the message
    # names the recommendation of the person who moved there, whose entry takes the name (its
    # copy keeps the unit that recommended them).
    dept_id, _ = env.departments["管城区教育局"]
    expect(env.dept.patch(f"orgs/{target_id}", {"name": "调入小学二"}), 200)
    wait_until(lambda: entry()["unit_name"] == "调入小学二", 30, "the province to learn the new unit's name")
    moved_in = [json.loads(e["detail"]) for e in expect(env.prov.get("audit?limit=50"), 200).json["entries"]
                if e["action"] == "org.renamed-in-city" and json.loads(e["detail"])["unit_code"] == target_code]
    assert moved_in and (moved_in[0]["applications"], moved_in[0]["experts"]) == (0, 1), moved_in
    assert expect(env.prov.get(f"expert-applications/{province_expert_app(env, '严调动')['id']}"), 200).json["unit_name"] == "调出小学"

    # The draw: an applicant of 调入小学 is the expert's colleague now; one of 调出小学 no longer is.
    _, _, there = senior_application(env, "调入小学", "钟回民")
    _, _, before = senior_application(env, "调出小学", "钟实验")
    for received, seed in ((there, "moved-there"), (before, "moved-before")):
        session = expect(env.prov.post(f"committees/{pool['id']}/sessions", {"name": f"调动回避评审会{seed}", "series": SERIES, "specialty": "小学英语",
                                                                              "panel_size": 1, "reserves": 0, "applications": [received["id"]]}), 201).json
        drawn = expect(env.prov.post(f"sessions/{session['id']}/draw", {"seed": seed}), 200).json
        excluded = {x["expert_id"]: x["reason"] for x in drawn["excluded"]}
        if received is there:
            assert excluded == {expert["id"]: f"与申报人钟回民同一单位（调入小学二，单位编号{target_code}）"}, excluded
            assert [m["expert_id"] for m in drawn["experts"]] == [other["id"]]
        else:
            assert expert["id"] not in excluded, excluded
        expect(env.prov.post(f"sessions/{session['id']}/cancel", {"reason": "测试结束"}), 200)

    # Renames after the move: the former unit's reaches the province (its applications) but not
    # the expert, whose unit is another now; the new unit's reaches the expert by its code.
    expect(env.dept.patch(f"orgs/{school_id}", {"name": "调出实验小学"}), 200)
    expect(env.dept.patch(f"orgs/{target_id}", {"name": "调入实验小学"}), 200)
    wait_until(lambda: entry()["unit_name"] == "调入实验小学", 30, "the province to learn the new unit's new name")
    relay_idle(env.daemon, ["zhengzhou", "province"])
    assert (entry()["unit_name"], entry()["unit_code"]) == ("调入实验小学", target_code), entry()
    assert expect(env.prov.get(f"province/reviews/{before['id']}"), 200).json["unit_name"] == "调出实验小学"
    renames = {json.loads(e["detail"])["unit_code"]: json.loads(e["detail"])["experts"]   # the newest of each unit's
               for e in reversed(expect(env.prov.get("audit?limit=50"), 200).json["entries"]) if e["action"] == "org.renamed-in-city"}
    school_code = next(o["code"] for o in expect(env.dept.get(f"orgs/{dept_id}/children"), 200).json["orgs"] if o["id"] == school_id)
    assert (renames[school_code], renames[target_code]) == (0, 1), renames

    # An expert recommendation under way holds a move until it ends (the province admits the
    # expert with the unit that recommended them).
    pending_person = applicant(env, "调出小学", "严在审")
    recommendation = expert_application(pending_person, specialty="小学英语")
    assert recommendation["state"] == "in_review"
    pending_account = expect(school.get(f"orgs/{school_id}/applicants?q={quote('严在审')}"), 200).json["applicants"][0]
    with unchanged(env.daemon, "zhengzhou"):
        expect(school.post(f"applicants/{pending_account['id']}/move", {"unit_code": target_code}), 409,
               contains="严在审的专家推荐申报尚未办结（审查中或退回修改），办结后再调动")

    # A person the province holds no expert application of: moved without a message.
    quiet = applicant(env, "调出小学", "严未报")
    listed = expect(school.get(f"orgs/{school_id}/applicants?q={quote('严未报')}"), 200).json["applicants"][0]
    quiet_move = expect(school.post(f"applicants/{listed['id']}/move", {"unit_code": target_code}), 201).json
    expect(target.post(f"moves/{quiet_move['id']}/accept"), 200)
    sent = db_rows(env.daemon.tenant_db("zhengzhou"), "SELECT json_extract(payload, '$.id_number') FROM outbox WHERE kind = 'applicant.moved'")
    assert sent == [(person["login"],)], sent


def test_two_units_of_one_name_are_two_units_in_the_draw(env: Env, pool: dict):
    """Two 实验小学, one under 管城区教育局 and one under 金水区教育局, are two units: an expert of
    the one may judge an applicant of the other (the name comparison excluded them). An expert
    admitted before codes were carried (unit_code NULL, as rows written before schema v22) is
    still compared by name in the same city, as before."""
    add_department(env, "金水区教育局")
    guancheng = add_school(env, "实验小学", key="实验小学·管城")
    jinshui = add_school(env, "实验小学", department="金水区教育局", key="实验小学·金水")
    assert guancheng["name"] == jinshui["name"] and guancheng["code"] != jinshui["code"]
    expert, _ = become_expert(env, "实验小学·管城", "何实验", specialty="小学美术")
    other, _ = become_expert(env, "实验中学", "孔实验", specialty="小学美术")
    _, _, first = senior_application(env, "实验小学·金水", "吕金水", department="金水区教育局")
    assert expect(env.prov.get(f"province/reviews/{first['id']}"), 200).json["unit_code"] == jinshui["code"]
    body = {"series": SERIES, "specialty": "小学美术", "panel_size": 1, "reserves": 1}
    session = expect(env.prov.post(f"committees/{pool['id']}/sessions", dict(body, name="同名单位评审会", applications=[first["id"]])), 201).json
    drawn = expect(env.prov.post(f"sessions/{session['id']}/draw", {"seed": "namesakes"}), 200).json
    assert drawn["excluded"] == [], drawn["excluded"]
    assert sorted(m["expert_id"] for m in drawn["experts"] + drawn["reserves"]) == sorted([expert["id"], other["id"]])
    # An older expert row, without a code: by name, as before.
    _, _, second = senior_application(env, "实验小学·金水", "施金水", department="金水区教育局")
    con = sqlite3.connect(env.daemon.tenant_db("province"), timeout=10)
    try:
        with con:
            con.execute("UPDATE experts SET unit_code = NULL WHERE id = ?", (expert["id"],))
        session = expect(env.prov.post(f"committees/{pool['id']}/sessions", dict(body, name="同名单位旧记录评审会", applications=[second["id"]])), 201).json
        drawn = expect(env.prov.post(f"sessions/{session['id']}/draw", {"seed": "namesakes-old-row"}), 200).json
        assert {x["expert_id"]: x["reason"] for x in drawn["excluded"]} == {expert["id"]: "与申报人施金水同一单位（实验小学）"}, drawn["excluded"]
        assert [m["expert_id"] for m in drawn["experts"]] == [other["id"]]
    finally:
        with con:
            con.execute("UPDATE experts SET unit_code = ? WHERE id = ?", (guancheng["code"], expert["id"]))
        con.close()


def test_votes_are_secret_until_close_and_the_national_rule_decides(env: Env, pool: dict):
    person, app, received = senior_application(env, "回民中学", "吴评审")
    body = {"name": "2026年第二次评审会", "series": SERIES, "panel_size": 3, "reserves": 1, "applications": [received["id"]]}
    session = expect(env.prov.post(f"committees/{pool['id']}/sessions", body), 201).json
    expect(env.prov.post(f"committees/{pool['id']}/sessions", body), 409)        # already in an open session
    drawn = expect(env.prov.post(f"sessions/{session['id']}/draw", {}), 200).json
    assert len(drawn["seed"]) == 32, "a random 128-bit seed is chosen and recorded"
    panel = [m["expert_id"] for m in drawn["experts"]]
    outsider = next(e["id"] for e, _ in env.experts.values() if e["id"] not in panel and e["specialty"] == "小学数学")
    voters = [sign_in_expert(env, i) for i in panel]
    # Panel experts see the session and the application's sections; others do not.
    seen = expect(voters[0].get(f"sessions/{session['id']}"), 200).json
    assert seen["may_vote"] and seen["applications"][0]["sections"]["工作经历"]["内容"] == "吴评审的工作经历"
    expect(sign_in_expert(env, outsider).get(f"sessions/{session['id']}"), 404)
    expect(sign_in_expert(env, outsider).post(f"sessions/{session['id']}/votes", {"application": received["id"], "vote": "agree"}), 403)
    assert [s["id"] for s in expect(voters[0].get("sessions"), 200).json["sessions"]][0] == session["id"]
    # Bad votes change nothing.
    expect(voters[0].post(f"sessions/{session['id']}/votes", {"application": received["id"], "vote": "maybe"}), 400, field="vote")
    expect(voters[0].post(f"sessions/{session['id']}/votes", {"application": received["id"], "vote": "agree", "score": 101}), 400, field="score")
    expect(voters[0].post(f"sessions/{session['id']}/votes", {"application": 999999, "vote": "agree"}), 404)
    expect(env.prov.post(f"sessions/{session['id']}/votes", {"application": received["id"], "vote": "agree"}), 403)
    # Two of three agree (2 ≥ 2/3 × 3): passed.
    expect(voters[0].post(f"sessions/{session['id']}/votes", {"application": received["id"], "vote": "disagree", "comment": "先投反对"}), 200)
    mine = expect(voters[0].post(f"sessions/{session['id']}/votes", {"application": received["id"], "vote": "agree", "score": 88}), 200).json
    assert mine["applications"][0]["my_vote"]["vote"] == "agree" and mine["applications"][0]["my_vote"]["score"] == 88
    other = expect(voters[1].get(f"sessions/{session['id']}"), 200).json
    assert other["applications"][0].get("my_vote") is None and other["votes"] == [] and other["applications"][0].get("agree") is None
    # Nor who has voted, nor whom the draw left out and why: those are the office's.
    assert [m.get("votes_cast") for m in other["members"] if m["role"] == "panel"] == [0 if m["expert_id"] == panel[1] else None
                                                                                      for m in other["members"] if m["role"] == "panel"], other["members"]
    assert other["excluded"] == []
    office = expect(env.prov.get(f"sessions/{session['id']}"), 200).json
    assert office["votes"] == [] and sum(m["votes_cast"] for m in office["members"]) == 1
    expect(voters[1].post(f"sessions/{session['id']}/votes", {"application": received["id"], "vote": "agree"}), 200)
    expect(voters[2].post(f"sessions/{session['id']}/votes", {"application": received["id"], "vote": "disagree"}), 200)
    expect(env.prov.post(f"sessions/{session['id']}/replace", {"expert_id": panel[0]}), 409)       # votes cast: no more replacing
    expect(voters[0].post(f"sessions/{session['id']}/close"), 403)
    closed = expect(env.prov.post(f"sessions/{session['id']}/close"), 200).json
    assert closed["state"] == "closed" and closed["applications"][0]["outcome"] == "通过"
    assert (closed["applications"][0]["agree"], closed["applications"][0]["disagree"]) == (2, 1)
    assert len(closed["votes"]) == 3
    # A panelist sees the tallies and their own vote, not who voted how: that is the office's.
    seen = expect(voters[1].get(f"sessions/{session['id']}"), 200).json
    assert seen["votes"] == [] and (seen["applications"][0]["agree"], seen["applications"][0]["disagree"]) == (2, 1), seen
    assert seen["applications"][0]["my_vote"]["vote"] == "agree"
    expect(voters[2].post(f"sessions/{session['id']}/votes", {"application": received["id"], "vote": "agree"}), 409)
    # The result stands in 公示 (0 working days here); confirmed, it flows back to the city.
    evaluation = expect(env.prov.get(f"province/applications/{received['id']}/evaluation"), 200).json
    assert evaluation["result"] == "通过" and evaluation["state"] == "publicity" and "同意2票" in evaluation["note"]
    expect(env.prov.post(f"province/applications/{received['id']}/result/confirm"), 200)
    wait_until(lambda: person.get(f"applications/{app['id']}").json["state"] == "passed", 10, "the result to reach the city")
    # The session's tally, the result's 说明, reaches the city with it: its trail and 评审表.
    tally = evaluation["note"]
    trail = expect(person.get(f"applications/{app['id']}/trail"), 200).json["trail"]
    assert [t["comment"].endswith(f"；{tally}") for t in trail if t["decision"] == "committee-result"] == [True], trail
    assert f"：通过。<bdi>{tally}</bdi>" in expect(person.get(f"applications/{app['id']}/review-form"), 200).body.decode()


def test_votes_of_experts_suspended_or_in_conflict_since_are_left_out_at_the_close(env: Env, pool: dict):
    """At the close a vote counts only if its expert is still 在库 and has no 回避 with the
    application's applicant under today's relations; the outcome names the votes left out, the
    tallies and the result are of the votes counted, and the quorum is still measured against
    the whole panel. A panel expert who declares a relation naming the applicant cannot vote on
    that application any more."""
    _, _, first = senior_application(env, "回民中学", "严暂停")
    _, _, second = senior_application(env, "回民中学", "华回避")
    body = {"series": SERIES, "specialty": "小学数学", "panel_size": 3, "reserves": 0}
    names = {e["id"]: e["name"] for e, _ in env.experts.values()}

    def vote_and_draw(received: dict, name: str, seed: str) -> tuple[dict, list[int], list]:
        session = expect(env.prov.post(f"committees/{pool['id']}/sessions", dict(body, name=name, applications=[received["id"]])), 201).json
        panel = [m["expert_id"] for m in expect(env.prov.post(f"sessions/{session['id']}/draw", {"seed": seed}), 200).json["experts"]]
        voters = [sign_in_expert(env, i) for i in panel]
        # Two of three agree: passed, had every vote counted.
        for voter, vote in zip(voters, ["agree", "agree", "disagree"]):
            expect(voter.post(f"sessions/{session['id']}/votes", {"application_id": received["id"], "vote": vote}), 200)
        return session, panel, voters

    # 1. An expert suspended after voting.
    session, panel, _ = vote_and_draw(first, "暂停专家计票评审会", "left-out-suspended")
    expect(env.prov.post(f"experts/{panel[0]}/suspend", {"reason": "违反评审纪律"}), 200)
    try:
        closed = expect(env.prov.post(f"sessions/{session['id']}/close"), 200).json
    finally:
        expect(env.prov.post(f"experts/{panel[0]}/state", {"state": "active"}), 200)
    assert closed["state"] == "closed" and closed["outcome"].endswith(f"不计入：{names[panel[0]]}（已暂停）"), closed["outcome"]
    app = closed["applications"][0]
    assert (app["outcome"], app["agree"], app["disagree"]) == ("未通过", 1, 1), app
    assert {v["expert_id"]: v.get("left_out") for v in closed["votes"]} == {panel[0]: "已暂停", panel[1]: None, panel[2]: None}, closed["votes"]
    evaluation = expect(env.prov.get(f"province/applications/{first['id']}/evaluation"), 200).json
    assert evaluation["result"] == "未通过" and "同意1票，到会2人" in evaluation["note"], evaluation
    # Reinstated since, the expert's vote stays left out of what the session decided.
    assert expect(env.prov.get(f"sessions/{session['id']}"), 200).json["applications"][0]["agree"] == 1

    # 2. An expert who declares, after the draw and their vote, a relation naming the applicant.
    session, panel, voters = vote_and_draw(second, "回避专家计票评审会", "left-out-conflict")
    before = next(e for e in expect(env.prov.get("experts"), 200).json["experts"] if e["id"] == panel[1])["relations"]
    expect(voters[1].put(f"experts/{panel[1]}/relations", {"relations": before + ["华回避"]}), 200)
    try:
        expect(voters[1].post(f"sessions/{session['id']}/votes", {"application_id": second["id"], "vote": "disagree"}), 403,
               field="application_id", contains="须回避（申报了与申报人华回避的回避关系）")
        closed = expect(env.prov.post(f"sessions/{session['id']}/close"), 200).json
    finally:
        expect(env.prov.put(f"experts/{panel[1]}/relations", {"relations": before}), 200)
    assert closed["outcome"].endswith(f"不计入：{names[panel[1]]}（申报了与申报人华回避的回避关系）"), closed["outcome"]
    # The panel reads the outcome without whose vote did not count, nor why (a relation names
    # an applicant's family): that is the office's record.
    seen = expect(voters[0].get(f"sessions/{session['id']}"), 200).json
    assert seen["outcome"].startswith("已按") and "进入公示" in seen["outcome"], seen["outcome"]
    assert "不计入" not in seen["outcome"] and "回避" not in seen["outcome"], seen["outcome"]
    app = closed["applications"][0]
    assert (app["outcome"], app["agree"], app["disagree"]) == ("未通过", 1, 1), app
    assert [v["vote"] for v in closed["votes"] if v["expert_id"] == panel[1]] == ["agree"], "the refused vote changed nothing"


def test_a_retired_experts_vote_is_left_out_and_the_quorum_stays_the_whole_panel(env: Env, pool: dict):
    """An expert who leaves the database (退出专家库) after voting no longer judges: at the close
    their vote is left out (已退出, kept on the vote as `left_out`), and the quorum is still
    measured against the panel as drawn, not the experts left. Four of a panel of five voted
    (two thirds of five: at least 4 present); one of them retired, 3 are present: the session
    decides nothing (counted against a panel of four, 3 would have passed it), and the
    application is free for a new session."""
    experts = {}
    for i in range(5):   # a specialty of their own, so that the draw seats all five
        name = f"音乐专家{i}"
        if name not in env.experts:
            become_expert(env, ["实验中学", "逸夫小学"][i % 2], name, specialty="小学音乐")
        experts[env.experts[name][0]["id"]] = name
    _, _, received = senior_application(env, "回民中学", "冯退出")
    body = {"name": "退出专家计票评审会", "series": SERIES, "specialty": "小学音乐", "panel_size": 5, "reserves": 0, "applications": [received["id"]]}
    session = expect(env.prov.post(f"committees/{pool['id']}/sessions", body), 201).json
    panel = [m["expert_id"] for m in expect(env.prov.post(f"sessions/{session['id']}/draw", {"seed": "left-out-retired"}), 200).json["experts"]]
    assert sorted(panel) == sorted(experts), panel
    for expert_id in panel[:4]:
        expect(sign_in_expert(env, expert_id).post(f"sessions/{session['id']}/votes", {"application_id": received["id"], "vote": "agree"}), 200)
    retired = panel[0]
    assert expect(env.prov.post(f"experts/{retired}/retire", {"reason": "退休"}), 200).json["state"] == "retired"

    closed = expect(env.prov.post(f"sessions/{session['id']}/close"), 200).json
    assert closed["state"] == "no_quorum", closed
    assert "冯退出（高级教师）到会3人（须至少4人）" in closed["outcome"], closed["outcome"]
    assert closed["outcome"].endswith(f"不计入：{experts[retired]}（已退出）"), closed["outcome"]
    assert {v["expert_id"]: v.get("left_out") for v in closed["votes"]} == {retired: "已退出", **{i: None for i in panel[1:4]}}, closed["votes"]
    assert closed["applications"][0].get("outcome") is None, closed["applications"]
    expect(env.prov.get(f"province/applications/{received['id']}/evaluation"), 404)
    assert db_rows(env.daemon.tenant_db("province"), "SELECT expert_id, left_out FROM votes WHERE session_id = ? AND left_out IS NOT NULL",
                   session["id"]) == [(retired, "已退出")]
    # Nothing was decided: the application may sit in a new session, whose draw has four left.
    again = expect(env.prov.post(f"committees/{pool['id']}/sessions", dict(body, name="退出专家补充评审会", panel_size=3)), 201).json
    drawn = expect(env.prov.post(f"sessions/{again['id']}/draw", {"seed": "after-retired"}), 200).json
    assert retired not in [m["expert_id"] for m in drawn["experts"]], drawn["experts"]
    expect(env.prov.post(f"sessions/{again['id']}/cancel", {"reason": "仅为验证抽取"}), 200)


def test_a_session_decides_what_sits_in_it_under_its_own_committee(env: Env, pool: dict):
    """An application in a planned or drawn session gets its result from the experts' votes: the
    office cannot enter one by hand meanwhile (that left the session unable to close). The result
    is recorded under the session's committee, even when an older committee covers the same
    series and level, and even after the session's committee was edited not to."""
    person, app, received = senior_application(env, "回民中学", "钱两会")
    second = expect(env.prov.post("committees", {"name": "河南省中小学教师高级职称第二评审委员会", "series": [SERIES],
                                                 "levels": ["副高级", "正高级"]}), 201).json
    session = expect(env.prov.post(f"committees/{second['id']}/sessions", {"name": "第二评委会评审会", "series": SERIES, "panel_size": 3,
                                                                            "reserves": 0, "applications": [received["id"]]}), 201).json
    by_hand = {"result": "通过", "note": "手工录入"}
    expect(env.prov.post(f"province/applications/{received['id']}/result", by_hand), 409, contains="专家表决")
    panel = [m["expert_id"] for m in expect(env.prov.post(f"sessions/{session['id']}/draw", {"seed": "two-committees"}), 200).json["experts"]]
    expect(env.prov.post(f"province/applications/{received['id']}/result", by_hand), 409, contains="专家表决")
    expect(env.prov.patch(f"committees/{second['id']}", {"levels": ["正高级"]}), 200)
    for expert in panel:
        expect(sign_in_expert(env, expert).post(f"sessions/{session['id']}/votes", {"application_id": received["id"], "vote": "agree"}), 200)
    closed = expect(env.prov.post(f"sessions/{session['id']}/close"), 200).json
    assert closed["state"] == "closed" and closed["applications"][0]["outcome"] == "通过", closed
    # The office's reviewers, each limited to their series and sections, see none of it: a
    # session holds every application's sections in full and who voted how (the admin's).
    for reviewer in (env.prov_h, env.prov_l):
        assert expect(reviewer.get("sessions"), 200).json["sessions"] == []
        expect(reviewer.get(f"sessions/{session['id']}"), 403)
        expect(reviewer.post(f"sessions/{session['id']}/draw/verify"), 403)
        page = env.prov_api.raw("GET", f"/t/province/sessions/{session['id']}", headers={"Cookie": f"zc_session={reviewer.cookie}"})
        assert page.status == 403 and "钱两会" not in page.body.decode(), page.status
    evaluation = expect(env.prov.get(f"province/applications/{received['id']}/evaluation"), 200).json
    assert evaluation["committee"] == second["name"] and evaluation["result"] == "通过", evaluation


def test_a_replacement_comes_from_the_reserves_still_in_the_database(env: Env, pool: dict):
    """A reserve suspended since the draw could never vote: the office's 替补 takes the next
    reserve still 在库, and says so when there is none."""
    _, _, received = senior_application(env, "回民中学", "孙替补")
    session = expect(env.prov.post(f"committees/{pool['id']}/sessions", {"name": "替补评审会", "series": SERIES, "panel_size": 3,
                                                                          "reserves": 2, "applications": [received["id"]]}), 201).json
    drawn = expect(env.prov.post(f"sessions/{session['id']}/draw", {"seed": "replace"}), 200).json
    panel, reserves = [m["expert_id"] for m in drawn["experts"]], [m["expert_id"] for m in drawn["reserves"]]
    expect(env.prov.post(f"experts/{reserves[0]}/suspend", {"reason": "出国访学"}), 200)
    try:
        replaced = expect(env.prov.post(f"sessions/{session['id']}/replace", {"expert_id": panel[0]}), 200).json
        assert sorted(m["expert_id"] for m in replaced["members"] if m["role"] == "panel") == sorted(panel[1:] + reserves[1:2])
        expect(env.prov.post(f"sessions/{session['id']}/replace", {"expert_id": panel[1]}), 409, contains="没有可替补的备选专家")
    finally:
        expect(env.prov.post(f"experts/{reserves[0]}/state", {"state": "active"}), 200)


def test_a_replacement_skips_a_reserve_who_must_now_avoid_an_applicant(env: Env, pool: dict):
    """A reserve who declared, since the draw, a relation naming an applicant of the session
    could not vote on it (and once votes are cast nobody can be replaced): 替补 takes the next."""
    _, _, received = senior_application(env, "回民中学", "钱回避替补")
    session = expect(env.prov.post(f"committees/{pool['id']}/sessions", {"name": "回避替补评审会", "series": SERIES, "panel_size": 3,
                                                                          "reserves": 2, "applications": [received["id"]]}), 201).json
    drawn = expect(env.prov.post(f"sessions/{session['id']}/draw", {"seed": "replace-avoid"}), 200).json
    panel, reserves = [m["expert_id"] for m in drawn["experts"]], [m["expert_id"] for m in drawn["reserves"]]
    before = next(e for e in expect(env.prov.get("experts"), 200).json["experts"] if e["id"] == reserves[0])["relations"]
    expect(env.prov.put(f"experts/{reserves[0]}/relations", {"relations": before + ["钱回避替补"]}), 200)
    try:
        replaced = expect(env.prov.post(f"sessions/{session['id']}/replace", {"expert_id": panel[0]}), 200).json
        assert sorted(m["expert_id"] for m in replaced["members"] if m["role"] == "panel") == sorted(panel[1:] + reserves[1:2])
    finally:
        expect(env.prov.put(f"experts/{reserves[0]}/relations", {"relations": before}), 200)


def test_a_session_short_of_its_quorum_decides_nothing(env: Env, pool: dict):
    person, app, received = senior_application(env, "回民中学", "郑缺席")
    session = expect(env.prov.post(f"committees/{pool['id']}/sessions", {"name": "2026年第三次评审会", "series": SERIES, "panel_size": 3,
                                                                          "reserves": 0, "applications": [received["id"]]}), 201).json
    drawn = expect(env.prov.post(f"sessions/{session['id']}/draw", {"seed": "quorum"}), 200).json
    panel = [m["expert_id"] for m in drawn["experts"]]
    expect(sign_in_expert(env, panel[0]).post(f"sessions/{session['id']}/votes", {"application": received["id"], "vote": "agree"}), 200)
    closed = expect(env.prov.post(f"sessions/{session['id']}/close"), 200).json
    assert closed["state"] == "no_quorum" and "未达到法定人数" in closed["outcome"] and "须至少2人" in closed["outcome"]
    # Named by its applicant and title, as the session page names it (not the province's internal id).
    assert "郑缺席（高级教师）到会1人" in closed["outcome"], closed["outcome"]
    assert closed["applications"][0].get("outcome") is None
    expect(env.prov.get(f"province/applications/{received['id']}/evaluation"), 404)
    # Nothing was decided: the application can go to a new session.
    expect(env.prov.post(f"committees/{pool['id']}/sessions", {"name": "补充评审会", "series": SERIES, "panel_size": 3,
                                                                "applications": [received["id"]]}), 201)


def test_committee_rules_and_session_input_are_checked(env: Env, pool: dict):
    """Bad input to committees, sessions and draws is answered with the field at fault and changes nothing."""
    expect(env.prov.post("committees", {"name": "规则有误的评委会", "series": [SERIES], "levels": ["副高级"], "rule": "unanimous"}), 400, field="rule")
    majority = expect(env.prov.post("committees", {"name": "过半数评委会", "series": [SERIES], "levels": ["正高级"], "rule": "majority"}), 201).json
    assert majority["rule"] == "majority" and "过半数" in majority["rule_label"]
    _, _, received = senior_application(env, "回民中学", "林输入")
    base = {"name": "输入检查评审会", "series": SERIES, "panel_size": 3, "reserves": 1, "applications": [received["id"]]}
    before = expect(env.prov.get("sessions"), 200).json["sessions"]
    expect(env.prov.post(f"committees/{pool['id']}/sessions", dict(base, reserves=21)), 400, field="reserves")
    expect(env.prov.post(f"committees/{pool['id']}/sessions", dict(base, panel_size=0)), 400, field="panel_size")
    expect(env.prov.post(f"committees/{pool['id']}/sessions", dict(base, specialty="x" * 51)), 400, field="specialty")
    # 评审地点 is one line of free text: it was only length-checked.
    expect(env.prov.post(f"committees/{pool['id']}/sessions", dict(base, place="省人社厅\u0000301")), 400, field="place", contains="评审地点不能含控制字符（U+0000）")
    expect(env.prov.post(f"committees/{pool['id']}/sessions", dict(base, place="省人社厅\u202e301")), 400, field="place", contains="评审地点不能含文字方向控制符")
    expect(env.prov.post(f"committees/{pool['id']}/sessions", dict(base, place="a" + "\u0301" * 5000)), 400, field="place", contains="组合符号")
    expect(env.prov.post(f"committees/{pool['id']}/sessions", dict(base, place="省人社厅\n301")), 400, field="place", contains="只能填写一行")
    expect(env.prov.post(f"committees/{pool['id']}/sessions", dict(base, applications=[])), 400, field="applications")
    expect(env.prov.post(f"committees/{pool['id']}/sessions", dict(base, series="会计人员")), 400, field="series")
    expect(env.prov.post(f"committees/{majority['id']}/sessions", base), 400, field="applications")   # 副高级 is not this committee's level
    expect(env.prov.post("committees/999999/sessions", base), 404)
    assert expect(env.prov.get("sessions"), 200).json["sessions"] == before
    session = expect(env.prov.post(f"committees/{pool['id']}/sessions", base), 201).json
    expect(env.prov.post(f"sessions/{session['id']}/draw", {"seed": "s" * 129}), 400, field="seed")
    expect(env.prov.post(f"sessions/{session['id']}/draw", {"seed": "s\u0000"}), 400, field="seed", contains="随机种子不能含控制字符")
    assert expect(env.prov.get(f"sessions/{session['id']}"), 200).json["state"] == "planned"
    expect(env.prov.post(f"sessions/{session['id']}/close"), 409)          # nothing drawn yet
    expect(env.prov.post(f"sessions/{session['id']}/replace", {"expert_id": 1}), 409)


def test_the_spec_paths_for_sessions_draws_votes_and_experts(env: Env, pool: dict):
    """SPEC §5.1 fixes these paths and bodies, and other programs rely on them: a session
    planned by `{date, place, series, specialty, applications}`, drawn by `{count, reserves,
    seed?}` → `{experts, reserves, seed, inputs_digest}`, checked by `POST …/draw/verify` →
    `{matches}`, voted on with `application_id`; experts suspended and retired by path."""
    _, _, received = senior_application(env, "回民中学", "黄契约")
    sessions = f"committees/{pool['id']}/sessions"
    # Held today (China time): its votes are taken from its date on.
    today = china_day()
    body = {"date": today, "place": "郑州市金水东路1号", "series": SERIES, "specialty": "小学数学", "applications": [received["id"]]}
    before = expect(env.prov.get("sessions"), 200).json["sessions"]
    expect(env.prov.post(sessions, dict(body, date="2026-02-30")), 400, field="date", contains="没有 2026-02-30 这一天")
    expect(env.prov.post(sessions, dict(body, date="12/08/2026")), 400, field="date")
    expect(env.prov.post(sessions, {k: v for k, v in body.items() if k != "date"}), 400, field="name")
    expect(env.prov.post(sessions, dict(body, place="地" * 101)), 400, field="place")
    expect(env.prov_h.post(sessions, body), 403)
    assert expect(env.prov.get("sessions"), 200).json["sessions"] == before
    session = expect(env.prov.post(sessions, body), 201).json
    assert (session["name"], session["date"], session["place"], session["panel_size"]) == (f"{today}评审会", today, "郑州市金水东路1号", 0)
    assert session["state"] == "planned"
    # The draw says how many; the committee's rule checks it. Refused draws draw nothing.
    draw = f"sessions/{session['id']}/draw"
    expect(env.prov.post(draw, {}), 400, field="count")
    expect(env.prov.post(draw), 400, field="count")                       # no body at all: the same
    expect(env.prov.post(draw, {"count": 4}), 400, field="count")         # national rule: odd
    expect(env.prov.post(draw, {"count": 3, "reserves": 21}), 400, field="reserves")
    expect(env.prov_h.post(draw, {"count": 3}), 403)
    still = expect(env.prov.get(f"sessions/{session['id']}"), 200).json
    assert (still["state"], still["panel_size"], still["members"]) == ("planned", 0, [])
    drawn = expect(env.prov.post(draw, {"count": 3, "reserves": 1, "seed": "spec-2026-12"}), 200).json
    assert {"experts", "reserves", "seed", "inputs_digest"} <= drawn.keys()
    panel = [m["expert_id"] for m in drawn["experts"]]
    assert len(panel) == 3 and len(drawn["reserves"]) == 1 and drawn["seed"] == "spec-2026-12" and len(drawn["inputs_digest"]) == 64
    assert (drawn["session"]["panel_size"], drawn["session"]["reserves"], drawn["session"]["state"]) == (3, 1, "drawn")
    assert all(m["unit_name"] != "回民中学" for m in drawn["experts"] + drawn["reserves"]), "同一单位 is avoided"
    # Verify, by the SPEC's POST and by GET: the same report, and it matches.
    verified = expect(env.prov.post(f"{draw}/verify"), 200).json
    assert verified["matches"] is True and verified["recomputed_panel"] == panel
    assert verified == expect(env.prov.get(f"sessions/{session['id']}/verify"), 200).json
    expect(env.prov_api.post(f"{draw}/verify"), 401)
    # An edited record no longer matches (the inputs' digest gives it away), and says so everywhere.
    con = sqlite3.connect(env.daemon.tenant_db("province"), timeout=10)
    try:
        (inputs,) = con.execute("SELECT inputs FROM review_sessions WHERE id = ?", (session["id"],)).fetchone()
        with con:
            con.execute("UPDATE review_sessions SET inputs = ? WHERE id = ?", (inputs.replace("黄契约", "黄改过"), session["id"]))
        tampered = expect(env.prov.post(f"{draw}/verify"), 200).json
        assert tampered["matches"] is False and tampered["digest_matches"] is False
        assert env.daemon.call("draw.verify", {"tenant": "province", "session": session["id"]})["matches"] is False
        out = run_ctl(str(REPO / ".build" / "debug" / "zhichengctl"), "draw", "verify", "--tenant", "province", "--session", str(session["id"]),
                      socket_path=env.daemon.admin_socket)
        assert out.returncode == 1 and "(matches recorded inputs: NO)" in out.stdout, out
        # A record edited until it no longer reads, or no longer draws, does not stand: that
        # is the answer (matches false), not an error.
        for broken in ("{", inputs.replace('"panel_size":3', '"panel_size":99')):
            with con:
                con.execute("UPDATE review_sessions SET inputs = ? WHERE id = ?", (broken, session["id"]))
            report = expect(env.prov.post(f"{draw}/verify"), 200).json
            assert report["matches"] is False and report["reproduced"] is False and report["recomputed_panel"] == [], report
    finally:
        with con:
            con.execute("UPDATE review_sessions SET inputs = ? WHERE id = ?", (inputs, session["id"]))
        con.close()
    assert expect(env.prov.post(f"{draw}/verify"), 200).json["matches"] is True
    # Votes name the application as `application_id` (the first form, `application`, still works).
    voter = sign_in_expert(env, panel[0])
    votes = f"sessions/{session['id']}/votes"
    expect(voter.post(votes, {"vote": "agree"}), 400, field="application_id")
    expect(voter.post(votes, {"application_id": received["id"], "application": received["id"] + 1, "vote": "agree"}), 400, field="application_id")
    assert expect(env.prov.get(f"sessions/{session['id']}"), 200).json["members"][0]["votes_cast"] == 0
    mine = expect(voter.post(votes, {"application_id": received["id"], "vote": "agree", "score": 90}), 200).json
    assert mine["applications"][0]["my_vote"]["vote"] == "agree" and mine["applications"][0]["my_vote"]["score"] == 90
    assert expect(voter.post(votes, {"application": received["id"], "vote": "abstain"}), 200).json["applications"][0]["my_vote"]["vote"] == "abstain"
    # Experts are suspended and retired by path, with a reason; retired is final.
    expert, _ = become_expert(env, "逸夫小学", "契约专家", specialty="初中语文")
    expect(env.prov.post(f"experts/{expert['id']}/suspend"), 400, field="reason")
    expect(env.prov.post(f"experts/{expert['id']}/suspend", {"reason": " "}), 400, field="reason")
    expect(env.prov.post(f"experts/{expert['id']}/suspend", {"reason": "长" * 501}), 400, field="reason")
    expect(env.prov_h.post(f"experts/{expert['id']}/suspend", {"reason": "本年度暂停"}), 403)
    expect(env.prov.post("experts/999999/suspend", {"reason": "本年度暂停"}), 404)
    assert expect(env.prov.get(f"experts?specialty={quote('初中语文')}"), 200).json["experts"][0]["state"] == "active"
    assert expect(env.prov.post(f"experts/{expert['id']}/suspend", {"reason": "本年度暂停"}), 200).json["state"] == "suspended"
    assert expect(env.prov.post(f"experts/{expert['id']}/retire", {"reason": "退休"}), 200).json["state"] == "retired"
    expect(env.prov.post(f"experts/{expert['id']}/suspend", {"reason": "再暂停"}), 409)
    audit = [e["action"] for e in expect(env.prov.get("audit?limit=20"), 200).json["entries"]]
    assert "expert.suspended" in audit and "expert.retired" in audit


def test_expert_applications_come_a_page_at_a_time(env: Env):
    """专家推荐审查 as the office lists it: newest first, `limit` and `before=next` in the API, 50 a
    page with 下一页 on the screen; bad paging parameters are 400 naming them."""
    listed = expect(env.prov.get("expert-applications"), 200).json
    assert listed.get("next") is None and len(listed["applications"]) >= 2
    ids = [a["id"] for a in listed["applications"]]
    assert ids == sorted(ids, reverse=True)
    first = expect(env.prov.get("expert-applications?limit=1"), 200).json
    assert [a["id"] for a in first["applications"]] == ids[:1] and first["next"] == ids[0]
    second = expect(env.prov.get(f"expert-applications?limit=1&before={first['next']}"), 200).json
    assert [a["id"] for a in second["applications"]] == ids[1:2]
    for query, field in (("waiting=maybe", "waiting"), ("limit=x", "limit"), ("before=1e3", "before"), ("q=" + quote("长" * 41), "q")):
        expect(env.prov.get(f"expert-applications?{query}"), 400, field=field)
    # 查询 by the applicant's name (taken literally), or the unit's.
    named = listed["applications"][-1]
    by_name = [a["id"] for a in listed["applications"] if named["applicant_name"] in a["applicant_name"] or named["applicant_name"] in a["unit_name"]]
    assert [a["id"] for a in expect(env.prov.get("expert-applications?q=" + quote(named["applicant_name"])), 200).json["applications"]] == by_name
    assert expect(env.prov.get("expert-applications?q=" + quote("%")), 200).json["applications"] == []
    # The screen, with more than a page of them (copies of a decided one, so nobody's waiting list changes).
    copies = clone_received(env.daemon, ids[-1], 52, "passed")
    everything = sorted(ids + copies, reverse=True)
    headers = {"Cookie": f"zc_session={env.prov.cookie}"}
    shown = lambda html: [int(x) for x in re.findall(r'<tr data-id="(\d+)">', html)]  # noqa: E731
    one = env.prov_api.raw("GET", "/t/province/expert-reviews", headers=headers).body.decode()
    assert shown(one) == everything[:50] and 'id="expert-first"' not in one
    two = env.prov_api.raw("GET", re.search(r'id="expert-next" href="([^"]+)"', one).group(1).replace("&amp;", "&"), headers=headers).body.decode()
    assert shown(two) == everything[50:] and 'id="expert-next"' not in two and 'id="expert-first"' in two
    assert env.prov_api.raw("GET", "/t/province/expert-reviews?before=abc", headers=headers).status == 400


def test_the_session_forms_refuse_what_is_missing_and_plan_nothing(env: Env, pool: dict):
    """评审会与专家抽取 on the screen: a session with neither 名称 nor 评审日期, with a day that
    does not exist, or with a 备选人数, a chosen application or a place that cannot be read (never
    taken as 0, dropped or blank), is answered with the page and the reason and plans nothing; a draw whose
    抽取人数 is not a number is refused the same way and draws nothing."""
    _, _, received = senior_application(env, "回民中学", "孙表单")
    headers = {"Cookie": f"zc_session={env.prov.cookie}", "Content-Type": "application/x-www-form-urlencoded"}
    post = lambda path, form: env.prov_api.raw("POST", f"/t/province/{path}", body=form.encode(), headers=headers)  # noqa: E731
    base = f"_csrf={quote(env.prov.csrf)}&committee={pool['id']}&series={quote(SERIES)}&reserves=1&applications={received['id']}"
    day = china_day(8)   # a day to come
    before = expect(env.prov.get("sessions"), 200).json["sessions"]
    for extra, message in (("&name=&date=&panel_size=3", "请填写评审会名称或评审日期"), ("&date=2026-02-30", "没有 2026-02-30 这一天"),
                           ("&date=2020-01-01", "评审日期 2020-01-01 已过"),
                           (f"&date={day}&panel_size=three", "抽取人数应为整数"),
                           (f"&date={day}&reserves=abc", "备选人数应为整数"),   # its own value: base's is dropped below
                           (f"&date={day}&applications=abc", "所选申报的编号应为整数")):
        r = post("sessions", (base.replace("&reserves=1", "") if "reserves=" in extra else base) + extra)
        assert r.status == 400 and message in r.body.decode() and 'id="session-form"' in r.body.decode(), (extra, r.status, r.body.decode()[-1500:])
    r = post("sessions", base + f"&date={day}&place=%FF")
    assert r.status == 400 and "表单不是 UTF-8 编码" in r.body.decode(), (r.status, r.body.decode()[-1500:])
    assert expect(env.prov.get("sessions"), 200).json["sessions"] == before
    r = post("sessions", base + f"&date={day}&place={quote('省人社厅')}")
    assert r.status == 303, (r.status, r.body.decode()[-1500:])
    session = expect(env.prov.get("sessions"), 200).json["sessions"][0]
    assert (session["name"], session["date"], session["place"], session["panel_size"]) == (f"{day}评审会", day, "省人社厅", 0)
    r = post(f"sessions/{session['id']}/draw", f"_csrf={quote(env.prov.csrf)}&count=x&reserves=1")
    assert r.status == 400 and "抽取人数应为整数" in r.body.decode(), (r.status, r.body.decode()[-1500:])
    assert expect(env.prov.get(f"sessions/{session['id']}"), 200).json["state"] == "planned"


def test_a_session_takes_only_applications_the_office_passed_and_not_yet_decided(env: Env, pool: dict):
    """A review session is planned only for applications the province office's own review has
    passed (经办人, 负责人) and that have no result yet: one still in that review (409, 审查中), one
    whose result is recorded (in 公示) or final (409, 已有评审结果) is refused, alone or beside an
    application that may sit, and nothing is planned. The one that may sit then can."""
    _, _, waiting = senior_application(env, "回民中学", "冯待审", province_review=False)
    _, _, decided = senior_application(env, "回民中学", "陈已评")
    _, _, confirmed = senior_application(env, "回民中学", "褚已定")
    _, _, ready = senior_application(env, "回民中学", "卫待评")
    expect(env.prov.post(f"province/applications/{decided['id']}/result", {"result": "通过", "note": "手工录入"}), 200)
    expect(env.prov.post(f"province/applications/{confirmed['id']}/result", {"result": "未通过", "note": "手工录入"}), 200)
    expect(env.prov.post(f"province/applications/{confirmed['id']}/result/confirm"), 200)

    def state(rid: int) -> str:
        return expect(env.prov.get(f"province/applications/{rid}"), 200).json["state"]

    assert [state(r["id"]) for r in (waiting, decided, confirmed, ready)] == ["in_review", "publicity", "final", "received"]
    body = {"name": "受理状态检查评审会", "series": SERIES, "panel_size": 3, "reserves": 0}
    sessions = f"committees/{pool['id']}/sessions"
    before = expect(env.prov.get("sessions"), 200).json["sessions"]
    relay_idle(env.daemon, ["zhengzhou", "province"])
    with unchanged(env.daemon, "province"):
        for applications in ([waiting["id"]], [ready["id"], waiting["id"]]):
            expect(env.prov.post(sessions, dict(body, applications=applications)), 409, contains="尚在省职改办审查中")
        for rid in (decided["id"], confirmed["id"]):
            for applications in ([rid], [ready["id"], rid]):
                expect(env.prov.post(sessions, dict(body, applications=applications)), 409, contains="已有评审结果")
    assert expect(env.prov.get("sessions"), 200).json["sessions"] == before
    assert [state(r["id"]) for r in (waiting, decided, confirmed, ready)] == ["in_review", "publicity", "final", "received"]
    session = expect(env.prov.post(sessions, dict(body, applications=[ready["id"]])), 201).json
    assert session["state"] == "planned"


def test_the_database_comes_a_page_at_a_time_and_relations_read_numbers_as_typed(env: Env, pool: dict):
    """A province has thousands of experts: the database comes a page at a time with how many
    match in all, none out of reach. A 回避 relation typed as an ID-card number in full width or
    in groups is stored as the number, which the draw compares with the applicant's."""
    everyone = expect(env.prov.get("experts?limit=500"), 200).json
    assert everyone["total"] == len(everyone["experts"]) >= 7 and everyone.get("next") is None, everyone
    seen, after = [], None
    while True:
        page = expect(env.prov.get("experts?limit=3" + (f"&after={after}" if after else "")), 200).json
        assert page["total"] == everyone["total"] and len(page["experts"]) <= 3, page
        seen += [e["id"] for e in page["experts"]]
        after = page.get("next")
        if after is None:
            break
    assert seen == [e["id"] for e in everyone["experts"]], "every expert once, in the order admitted"
    # The screen reads its pages too: from after the first expert, without it, with a way back.
    first_id = everyone["experts"][0]["id"]
    screen = env.prov_api.raw("GET", f"/t/province/experts?after={first_id}", headers={"Cookie": f"zc_session={env.prov.cookie}"}).body.decode()
    assert f'data-expert="{first_id}"' not in screen and f'data-expert="{everyone["experts"][1]["id"]}"' in screen and 'id="experts-first"' in screen
    expect(env.prov.get("experts?limit=abc"), 400, field="limit")
    expect(env.prov.get("experts?after=1.5"), 400, field="after")

    expert = env.experts["专家2"][0]
    number = fresh_id_number()
    typed = "".join(chr(ord(c) + 0xFEE0) for c in number[:6]) + " " + number[6:-1] + " " + number[-1].lower()
    stored = expect(env.prov.put(f"experts/{expert['id']}/relations", {"relations": [typed, " 周某某\u200b"]}), 200).json
    assert stored["relations"] == [number, "周某某"], stored
    expect(env.prov.put(f"experts/{expert['id']}/relations", {"relations": []}), 200)


# --------------------------------------------------------------------------- cancelling a session (取消评审会)


def test_a_session_that_cannot_be_drawn_is_cancelled_and_frees_its_applications(env: Env, pool: dict):
    """A session planned for a specialty no expert has can never be drawn (409), and while it is
    planned it holds its applications: no result by hand, no other session (409). The office's
    admin cancels it with a reason (none, or one over 500 characters: 400 naming `reason`; office
    staff or an expert: 403); it stays readable as 已取消 with who, when and why, refuses draw,
    replace, close and another cancel (409), and its applications are free: one sits in a new
    session, the other gets its result by hand."""
    _, _, first = senior_application(env, "回民中学", "何无专家")
    _, _, second = senior_application(env, "回民中学", "吕无专家")
    session = expect(env.prov.post(f"committees/{pool['id']}/sessions", {"name": "无此专业评审会", "series": SERIES, "specialty": "无此专业",
                                                                          "panel_size": 3, "reserves": 0, "applications": [first["id"], second["id"]]}), 201).json
    assert session["state"] == "planned" and session["may_cancel"] is True
    path = f"sessions/{session['id']}"
    relay_idle(env.daemon, ["zhengzhou", "province"])
    expert = sign_in_expert(env, env.experts["专家0"][0]["id"])
    with unchanged(env.daemon, "province"):
        expect(env.prov.post(f"{path}/draw", {"seed": "nobody"}), 409, contains="符合条件且无需回避的专家只有0名")
        expect(env.prov.post(f"province/applications/{first['id']}/result", {"result": "通过", "note": "手工录入"}), 409, contains="评审结果由专家表决产生")
        expect(env.prov.post(f"committees/{pool['id']}/sessions", {"name": "抢先评审会", "series": SERIES, "panel_size": 3,
                                                                    "applications": [first["id"]]}), 409, contains="已在另一场未结束的评审会")
        expect(env.prov.post(f"{path}/cancel"), 400, field="reason")
        expect(env.prov.post(f"{path}/cancel", {}), 400, field="reason")
        expect(env.prov.post(f"{path}/cancel", {"reason": " \u200b "}), 400, field="reason", contains="请填写取消评审会的理由")
        expect(env.prov.post(f"{path}/cancel", {"reason": "缺" * 501}), 400, field="reason")
        expect(env.prov_h.post(f"{path}/cancel", {"reason": "专家不足"}), 403)
        expect(expert.post(f"{path}/cancel", {"reason": "专家不足"}), 403)
        expect(env.prov.post("sessions/999999/cancel", {"reason": "专家不足"}), 404)
        # Who and which session are checked before what was sent.
        expect(env.prov_h.post(f"{path}/cancel", {}), 403)
        expect(env.prov.post("sessions/999999/cancel", {}), 404)
        expect(env.prov.post(f"{path}/cancel", {"reason": 5}), 400)
    assert expect(env.prov.get(path), 200).json["state"] == "planned"

    cancelled = expect(env.prov.post(f"{path}/cancel", {"reason": "符合条件的专家不足，无法抽取"}), 200).json
    assert (cancelled["state"], cancelled["state_label"], cancelled["may_cancel"]) == ("cancelled", "已取消", False), cancelled
    assert cancelled["cancellation"]["reason"] == "符合条件的专家不足，无法抽取"
    assert cancelled["cancellation"]["by"] == env.prov.account["name"] and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", cancelled["cancellation"]["at"])
    # History is kept: the session, its applications, in the office's list, in the audit.
    read = expect(env.prov.get(path), 200).json
    assert read["state"] == "cancelled" and sorted(a["id"] for a in read["applications"]) == sorted([first["id"], second["id"]])
    assert next(s for s in expect(env.prov.get("sessions"), 200).json["sessions"] if s["id"] == session["id"])["state_label"] == "已取消"
    entry = next(e for e in expect(env.prov.get("audit?limit=20"), 200).json["entries"] if e["action"] == "session.cancel")
    assert entry["target"] == f"session:{session['id']}" and "符合条件的专家不足" in entry["detail"] and '"was":"planned"' in entry["detail"], entry
    with unchanged(env.daemon, "province"):
        expect(env.prov.post(f"{path}/draw", {"seed": "again", "count": 1}), 409, contains="已取消")
        expect(env.prov.post(f"{path}/replace", {"expert_id": 1}), 409, contains="已取消")
        expect(env.prov.post(f"{path}/close"), 409, contains="已取消")
        expect(env.prov.post(f"{path}/cancel", {"reason": "再取消"}), 409, contains="已取消")

    # Free again: a new session takes the first; the second's result is entered by hand.
    expect(env.prov.post(f"committees/{pool['id']}/sessions", {"name": "重新安排评审会", "series": SERIES, "specialty": "小学数学", "panel_size": 3,
                                                                "applications": [first["id"]]}), 201)
    result = expect(env.prov.post(f"province/applications/{second['id']}/result", {"result": "未通过", "note": "评审会取消后录入"}), 200).json
    assert result["result"] == "未通过" and result["state"] == "publicity", result


def test_a_drawn_session_is_cancelled_only_before_any_vote(env: Env, pool: dict):
    """A drawn session may be cancelled until its first vote (its panel stays on record, can no
    longer vote, and is no longer asked to); once an expert has voted it is refused (409) and the
    session ends by its close."""
    _, _, quiet = senior_application(env, "回民中学", "施未投票")
    _, _, voted = senior_application(env, "回民中学", "孔已投票")
    body = {"series": SERIES, "specialty": "小学数学", "panel_size": 3, "reserves": 0}
    session = expect(env.prov.post(f"committees/{pool['id']}/sessions", dict(body, name="取消前未投票评审会", applications=[quiet["id"]])), 201).json
    drawn = expect(env.prov.post(f"sessions/{session['id']}/draw", {"seed": "cancel-drawn"}), 200).json
    assert drawn["session"]["may_cancel"] is True
    panel = [m["expert_id"] for m in drawn["experts"]]
    voter = sign_in_expert(env, panel[0])
    assert voter.get(f"sessions/{session['id']}").json["may_cancel"] is False, "an expert is never offered it"
    cancelled = expect(env.prov.post(f"sessions/{session['id']}/cancel", {"reason": "评审地点临时无法使用"}), 200).json
    assert cancelled["state"] == "cancelled" and sorted(m["expert_id"] for m in cancelled["members"] if m["role"] == "panel") == sorted(panel)
    seen = expect(voter.get(f"sessions/{session['id']}"), 200).json
    assert seen["state"] == "cancelled" and seen["may_vote"] is False and seen["cancellation"]["reason"] == "评审地点临时无法使用"
    expect(voter.post(f"sessions/{session['id']}/votes", {"application_id": quiet["id"], "vote": "agree"}), 409, contains="已取消")
    # The re-run of its draw is still there to read.
    assert expect(env.prov.get(f"sessions/{session['id']}/verify"), 200).json["matches"] is True

    other = expect(env.prov.post(f"committees/{pool['id']}/sessions", dict(body, name="已有投票评审会", applications=[voted["id"]])), 201).json
    panel = [m["expert_id"] for m in expect(env.prov.post(f"sessions/{other['id']}/draw", {"seed": "cancel-voted"}), 200).json["experts"]]
    expect(sign_in_expert(env, panel[0]).post(f"sessions/{other['id']}/votes", {"application_id": voted["id"], "vote": "agree"}), 200)
    assert expect(env.prov.get(f"sessions/{other['id']}"), 200).json["may_cancel"] is False
    expect(env.prov.post(f"sessions/{other['id']}/cancel", {"reason": "改期"}), 409, contains="已有专家投票")
    assert expect(env.prov.get(f"sessions/{other['id']}"), 200).json["state"] == "drawn"
    expect(env.prov.post(f"committees/{pool['id']}/sessions", dict(body, name="抢先评审会二", applications=[voted["id"]])), 409)
    # It ends by its close: one vote of three is short of the quorum, which frees the application too.
    assert expect(env.prov.post(f"sessions/{other['id']}/close"), 200).json["state"] == "no_quorum"
    expect(env.prov.post(f"sessions/{other['id']}/cancel", {"reason": "改期"}), 409, contains="已结束")


def test_the_cancel_form_asks_again_needs_a_reason_and_shows_the_cancelled_session(env: Env, pool: dict):
    """取消评审会 on the session page (the office, while it may): posted without `_confirmed` it is
    asked again on a page of its own and changes nothing; confirmed without a reason it comes back
    with the reason asked for; with one it cancels (303), and the page says 已取消 with who, when
    and why, without the draw or cancel forms, and the list of sessions says 已取消."""
    _, _, received = senior_application(env, "回民中学", "严表单取消")
    session = expect(env.prov.post(f"committees/{pool['id']}/sessions", {"name": "表单取消评审会", "series": SERIES, "specialty": "无此专业",
                                                                          "panel_size": 3, "applications": [received["id"]]}), 201).json
    cookie = {"Cookie": f"zc_session={env.prov.cookie}"}
    form = dict(cookie, **{"Content-Type": "application/x-www-form-urlencoded"})
    page_path = f"/t/province/sessions/{session['id']}"

    def page() -> str:
        r = env.prov_api.raw("GET", page_path, headers=cookie)
        assert r.status == 200, r.status
        return r.body.decode()

    def post(fields: str):
        return env.prov_api.raw("POST", f"{page_path}/cancel", body=f"_csrf={quote(env.prov.csrf)}&{fields}".encode(), headers=form)

    shown = page()
    assert 'id="cancel-form"' in shown and 'id="draw-form"' in shown and 'name="reason"' in shown
    # An expert's page never has the form (a panel expert of a drawn session: see the API test).
    asked = post(f"reason={quote('专家不足')}")
    body = asked.body.decode()
    assert asked.status == 200 and "确定取消本次评审会" in body and 'name="_confirmed" value="1"' in body, (asked.status, body[-1500:])
    assert f'action="{page_path}/cancel"' in body and 'value="专家不足"' in body, "the reason is posted again with the confirmation"
    assert expect(env.prov.get(f"sessions/{session['id']}"), 200).json["state"] == "planned"
    refused = post("_confirmed=1&reason=")
    body = refused.body.decode()
    assert refused.status == 400 and "请填写取消评审会的理由" in body and 'id="cancel-form"' in body, (refused.status, body[-1500:])
    long_reason = "缺" * 501
    refused = post(f"_confirmed=1&reason={quote(long_reason)}")
    body = refused.body.decode()
    assert refused.status == 400 and "理由不能超过500个字符" in body and f">{long_reason}</textarea>" in body, "the reason typed comes back in its field"
    assert expect(env.prov.get(f"sessions/{session['id']}"), 200).json["state"] == "planned"

    done = post(f"_confirmed=1&reason={quote('符合条件的专家不足 <无法抽取>')}")
    assert done.status == 303 and done.headers.get("location", "").endswith(f"/sessions/{session['id']}"), (done.status, done.headers)
    shown = page()
    assert 'id="session-state">已取消<' in shown
    cancelled = re.search(r'<p id="session-cancelled">(.*?)</p>', shown, re.S).group(1)
    assert "已取消" in cancelled and env.prov.account["name"] in cancelled and "符合条件的专家不足 &lt;无法抽取&gt;" in cancelled, cancelled
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", cancelled), "when, in China time"
    assert 'id="cancel-form"' not in shown and 'id="draw-form"' not in shown and 'id="close-form"' not in shown
    listed = env.prov_api.raw("GET", "/t/province/sessions", headers=cookie).body.decode()
    row = re.search(rf'<tr><td><a href="/t/province/sessions/{session["id"]}">.*?</tr>', listed, re.S).group(0)
    assert "<td>已取消</td>" in row, row
    # Posted again (a second tab): refused with the page, which says why.
    again = post(f"_confirmed=1&reason={quote('再取消')}")
    assert again.status == 409 and "本场评审会已取消" in again.body.decode()


# --------------------------------------------------------------------------- names: as they were, as they are now


def test_the_province_office_steps_and_a_cancellation_keep_who_took_them_as_named_then(env: Env, pool: dict):
    """The province office's review steps are the record of who took them: a reviewer's name
    corrected afterwards leaves the steps taken before under the name they were taken under (the
    API and the page of the received application), and the steps taken since show the new one.
    So does who cancelled a review session. (No interface renames the province office's admin
    account, the only one that may cancel; the test renames it in the database, as a sysadmin
    could, to show the page no longer depends on it.)"""
    _, _, received = senior_application(env, "逸夫小学", "冯改名")
    _, _, later = senior_application(env, "逸夫小学", "褚改名", province_review=False)

    def reviewers(app_id: int) -> list[str]:
        return [d["reviewer"] for d in expect(env.prov.get(f"province/reviews/{app_id}"), 200).json["decisions"]]

    assert reviewers(received["id"]) == ["prov.h", "prov.l"]
    session = expect(env.prov.post(f"committees/{pool['id']}/sessions", {"name": "改名前取消的评审会", "series": SERIES, "specialty": "无此专业",
                                                                          "panel_size": 3, "reserves": 0, "applications": [received["id"]]}), 201).json
    cancelled = expect(env.prov.post(f"sessions/{session['id']}/cancel", {"reason": "专家不足"}), 200).json
    assert cancelled["cancellation"]["by"] == "系统管理员", cancelled["cancellation"]

    assert expect(env.prov.patch(f"staff/{env.prov_h.id}", {"name": "王经办"}), 200).json["name"] == "王经办"
    con = sqlite3.connect(env.daemon.tenant_db("province"), timeout=10)
    try:
        with con:
            con.execute("UPDATE accounts SET name = '省职改办管理员' WHERE id = ?", (env.prov.id,))
        assert reviewers(received["id"]) == ["prov.h", "prov.l"], "a step keeps the name it was taken under"
        page = env.prov_api.raw("GET", f"/t/province/province-reviews/{received['id']}", headers={"Cookie": f"zc_session={env.prov.cookie}"}).body.decode()
        assert "<td>prov.h</td>" in page and "王经办" not in page, page[-3000:]
        by = expect(env.prov.get(f"sessions/{session['id']}"), 200).json["cancellation"]["by"]
        assert by == "系统管理员", by
        shown = env.prov_api.raw("GET", f"/t/province/sessions/{session['id']}", headers={"Cookie": f"zc_session={env.prov.cookie}"}).body.decode()
        cancelled_line = re.search(r'<p id="session-cancelled">(.*?)</p>', shown, re.S).group(1)
        assert "系统管理员" in cancelled_line and "省职改办管理员" not in cancelled_line, cancelled_line
        # A step taken since: under the new name.
        expect(env.prov_h.post(f"province/reviews/{later['id']}/decision", {"decision": "pass", "comment": "符合申报条件"}), 200)
        assert reviewers(later["id"]) == ["王经办"]
    finally:
        with con:
            con.execute("UPDATE accounts SET name = '系统管理员' WHERE id = ?", (env.prov.id,))
        con.close()
        expect(env.prov.patch(f"staff/{env.prov_h.id}", {"name": "prov.h"}), 200)
    expect(env.prov_l.post(f"province/reviews/{later['id']}/decision", {"decision": "pass", "comment": "同意"}), 200)


def test_a_unit_renamed_in_the_city_is_named_so_by_the_province_while_its_opinions_keep_their_name(env: Env):
    """A unit's name corrected in the city (by its 主管单位, or by itself in 单位信息维护) reaches the
    province, which holds its applications: the province's received application and its list, and
    the 专家信息库's entry of an expert from that unit, name it as the city does now. The city's
    opinions handed over with the application keep the name each was given under (the record of
    what was decided). A unit the city never handed anything over of sends nothing."""
    school = add_school(env, "春风小学")
    # A specialty of its own (the draw tests of 小学音乐, 小学书法 and 小学戏曲 count their experts).
    expert, _ = become_expert(env, "春风小学", "褚春风", specialty="小学舞蹈")
    _, _, received = senior_application(env, "春风小学", "卫春风", province_review=False)
    path = f"province/reviews/{received['id']}"
    seen = expect(env.prov.get(path), 200).json
    assert (seen["unit_name"], seen["unit_code"]) == ("春风小学", school["code"]), seen
    opinions = [(e["org"], e["stage"]) for e in seen["city_trail"] if e.get("stage")]
    assert opinions[:2] == [("春风小学", "handler"), ("春风小学", "leader")], opinions

    def unit_names() -> tuple:
        listed = next(a for a in expect(env.prov.get("province/applications"), 200).json["applications"] if a["id"] == received["id"])
        entry = next(e for e in expect(env.prov.get(f"experts?specialty={quote('小学舞蹈')}"), 200).json["experts"] if e["id"] == expert["id"])
        return expect(env.prov.get(path), 200).json["unit_name"], listed["unit_name"], entry["unit_name"]

    assert unit_names() == ("春风小学",) * 3
    # A name refused changes nothing and sends nothing.
    with unchanged(env.daemon, "zhengzhou"):
        for bad in ("", "   ", "名" * 101):
            expect(env.dept.patch(f"orgs/{school['id']}", {"name": bad}), 400, field="name")
    expect(env.dept.patch(f"orgs/{school['id']}", {"name": "春风实验小学"}), 200)
    wait_until(lambda: unit_names() == ("春风实验小学",) * 3, 30, "the province to learn the unit's new name")
    shown = expect(env.prov.get(path), 200).json
    assert [(e["org"], e["stage"]) for e in shown["city_trail"] if e.get("stage")] == opinions, "the opinions keep the name they were given under"
    renamed = [e for e in expect(env.prov.get("audit?limit=50"), 200).json["entries"] if e["action"] == "org.renamed-in-city"]
    assert renamed and school["code"] in renamed[0]["detail"] and "春风实验小学" in renamed[0]["detail"], renamed[:1]

    # The province knows the unit's applications by their ids, not by the unit's code: a
    # hand-over of a city version before codes (none) is renamed too, and a row of another unit
    # that has the code (a city created again, or restored, counts codes from the start again)
    # is not.
    prov_db = env.daemon.tenant_db("province")
    add_school(env, "秋实小学")
    _, _, other = senior_application(env, "秋实小学", "卫秋实", province_review=False)
    other_id, other_name, other_code = db_rows(prov_db, "SELECT id, unit_name, unit_code FROM received_applications WHERE id = ?", other["id"])[0]

    def set_codes(rows: list[tuple]) -> None:
        con = sqlite3.connect(prov_db, timeout=10)
        try:
            con.executemany("UPDATE received_applications SET unit_code = ? WHERE id = ?", rows)
            con.commit()
        finally:
            con.close()

    set_codes([(None, received["id"]), (school["code"], other_id)])
    try:

        # The school corrects its own name in 单位信息维护.
        school_id, school_admin = env.schools["春风小学"]
        profile = expect(school_admin.get(f"orgs/{school_id}/profile"), 200).json
        fields = {k: profile[k] for k in ("name", "category", "city", "affiliation_level", "industry", "nature", "economic_type", "org_code", "credit_code",
                                          "contact", "phone", "address", "postcode", "fax", "email")}
        expect(school_admin.put(f"orgs/{school_id}/profile", dict(fields, name="郑州市春风实验小学")), 200)
        wait_until(lambda: unit_names() == ("郑州市春风实验小学",) * 3, 30, "the province to learn the name the school corrected")
        assert db_rows(prov_db, "SELECT unit_name FROM received_applications WHERE id = ?", other_id) == [(other_name,)], "another unit with the code keeps its name"
    finally:
        set_codes([(school["code"], received["id"]), (other_code, other_id)])   # as they were, for the tests after this one

    # A unit the province holds nothing of: renamed without a message.
    quiet = add_school(env, "秋水小学")
    expect(env.dept.patch(f"orgs/{quiet['id']}", {"name": "秋水实验小学"}), 200)
    sent = [code for (code,) in db_rows(env.daemon.tenant_db("zhengzhou"), "SELECT json_extract(payload, '$.unit_code') FROM outbox WHERE kind = 'org.renamed'")]
    assert sent.count(school["code"]) == 2 and quiet["code"] not in sent, sent
    expect(env.prov_h.post(f"{path}/decision", {"decision": "pass", "comment": "符合申报条件"}), 200)
    expect(env.prov_l.post(f"{path}/decision", {"decision": "pass", "comment": "同意"}), 200)


def test_a_relation_naming_a_unit_by_the_name_it_had_before_a_rename_still_names_it(env: Env, pool: dict):
    """SPEC §8 回避, declared relations: an expert declares a relation with 晨光小学; its 主管单位
    then renames it 晨光实验小学, and again 郑州市晨光实验小学, and the province learns each
    name. The province keeps the names the unit had (`former_unit_names`, each once), so the
    draw of a session with the school's applicant still excludes the expert (it compared the
    relation with the new name only, and seated them), and the record verifies."""
    school = add_school(env, "晨光小学")
    declared, _ = become_expert(env, "实验中学", "董回避", specialty="小学书法")
    other, _ = become_expert(env, "实验中学", "苗书法", specialty="小学书法")
    expect(env.prov.put(f"experts/{declared['id']}/relations", {"relations": ["晨光小学"]}), 200)
    _, _, received = senior_application(env, "晨光小学", "路晨光")
    path = f"province/reviews/{received['id']}"
    assert expect(env.prov.get(path), 200).json["unit_name"] == "晨光小学"
    for name in ("晨光实验小学", "郑州市晨光实验小学"):
        expect(env.dept.patch(f"orgs/{school['id']}", {"name": name}), 200)
        wait_until(lambda name=name: expect(env.prov.get(path), 200).json["unit_name"] == name, 30, f"the province to learn the name {name}")
    prov_db = env.daemon.tenant_db("province")
    former = db_rows(prov_db, "SELECT former_unit_names FROM received_applications WHERE id = ?", received["id"])
    assert [json.loads(f) for (f,) in former] == [["晨光小学", "晨光实验小学"]], former
    session = expect(env.prov.post(f"committees/{pool['id']}/sessions", {"name": "曾用名回避评审会", "series": SERIES, "specialty": "小学书法",
                                                                          "panel_size": 1, "reserves": 0, "applications": [received["id"]]}), 201).json
    drawn = expect(env.prov.post(f"sessions/{session['id']}/draw", {"seed": "former-name"}), 200).json
    excluded = {x["expert_id"]: x["reason"] for x in drawn["excluded"]}
    assert excluded == {declared["id"]: "申报了与申报人路晨光的回避关系"}, excluded
    assert [m["expert_id"] for m in drawn["experts"]] == [other["id"]]
    v = expect(env.prov.post(f"sessions/{session['id']}/draw/verify"), 200).json
    assert v["matches"] and v["inputs_current"] and v["recomputed_panel"] == [other["id"]], v
    inputs = json.loads(db_rows(prov_db, "SELECT inputs FROM review_sessions WHERE id = ?", session["id"])[0][0])
    assert inputs["rules"] == 4 and inputs["applicants"][0]["former_units"] == ["晨光小学", "晨光实验小学"], inputs
    # The unit's next application, handed over under its new name, knows the names it had too.
    _, _, later = senior_application(env, "晨光小学", "路晨阳", province_review=False)
    former = db_rows(prov_db, "SELECT unit_name, former_unit_names FROM received_applications WHERE id = ?", later["id"])
    assert [(n, sorted(json.loads(f))) for n, f in former] == [("郑州市晨光实验小学", sorted(["晨光小学", "晨光实验小学"]))], former


def test_a_relation_naming_an_applicant_by_the_name_they_had_before_a_correction_still_names_them(env: Env, pool: dict):
    """As for a unit: an expert declares a relation with 路暮色 (as the city first registered
    her); her unit's admin corrects the name to 路慕色 after the hand-over, and the province
    learns it. It keeps the name she had (`former_applicant_names`), so the draw of a session
    with her application still excludes the expert, and the record verifies."""
    add_school(env, "暮色小学")
    declared, _ = become_expert(env, "实验中学", "严回避", specialty="小学戏曲")
    other, _ = become_expert(env, "实验中学", "戚戏曲", specialty="小学戏曲")
    expect(env.prov.put(f"experts/{declared['id']}/relations", {"relations": ["路暮色"]}), 200)
    person, _, received = senior_application(env, "暮色小学", "路暮色")
    org_id, admin = env.schools["暮色小学"]
    expect(admin.patch(f"applicants/{person.id}", {"name": "路慕色"}), 200)
    path = f"province/reviews/{received['id']}"
    wait_until(lambda: expect(env.prov.get(path), 200).json["applicant_name"] == "路慕色", 30, "the province to learn the corrected name")
    prov_db = env.daemon.tenant_db("province")
    former = db_rows(prov_db, "SELECT former_applicant_names FROM received_applications WHERE id = ?", received["id"])
    assert [json.loads(f) for (f,) in former] == [["路暮色"]], former
    session = expect(env.prov.post(f"committees/{pool['id']}/sessions", {"name": "曾用名回避评审会（申报人）", "series": SERIES, "specialty": "小学戏曲",
                                                                          "panel_size": 1, "reserves": 0, "applications": [received["id"]]}), 201).json
    drawn = expect(env.prov.post(f"sessions/{session['id']}/draw", {"seed": "former-applicant-name"}), 200).json
    assert {x["expert_id"]: x["reason"] for x in drawn["excluded"]} == {declared["id"]: "申报了与申报人路慕色的回避关系"}, drawn["excluded"]
    assert [m["expert_id"] for m in drawn["experts"]] == [other["id"]]
    v = expect(env.prov.post(f"sessions/{session['id']}/draw/verify"), 200).json
    assert v["matches"] and v["inputs_current"], v
    inputs = json.loads(db_rows(prov_db, "SELECT inputs FROM review_sessions WHERE id = ?", session["id"])[0][0])
    assert inputs["rules"] == 4 and inputs["applicants"][0]["former_names"] == ["路暮色"], inputs
    # Her next application (an expert recommendation), handed over after the correction, knows it too.
    app = expert_application(person, specialty="小学戏曲")
    city_pass(env, app["id"], ["暮色小学", "管城区教育局"])
    later = province_expert_app(env, "路慕色")
    former = db_rows(prov_db, "SELECT applicant_name, former_applicant_names FROM received_applications WHERE id = ?", later["id"])
    assert [(n, json.loads(f)) for n, f in former] == [("路慕色", ["路暮色"])], former


def test_an_applicant_renamed_in_the_city_is_named_so_by_the_province(env: Env):
    """An applicant's name corrected in the city (their unit's admin, by the API's PATCH or the
    申报人 page's 编辑 form) after their application was handed over reaches the province: the
    received application, 职称申报审查 (list, API and page), the committee's desk, 专家推荐审查 and
    the 专家信息库's entry of an expert admitted from it (with the expert's account) name the person
    as the city does now. A person the city handed nothing over of sends nothing."""
    org_id, admin = env.schools["实验中学"]
    expert, _ = become_expert(env, "实验中学", "韩秋月", specialty="中学物理")
    expert_app = province_expert_app(env, "韩秋月")
    _, app, received = senior_application(env, "实验中学", "韩冬雪", province_review=False)
    path = f"province/reviews/{received['id']}"
    cookie = {"Cookie": f"zc_session={env.prov.cookie}"}

    def account(name: str) -> dict:
        found = expect(admin.get(f"orgs/{org_id}/applicants?q={quote(name)}"), 200).json["applicants"]
        assert [a["name"] for a in found] == [name], found
        return found[0]

    title_person, expert_person = account("韩冬雪"), account("韩秋月")

    def names() -> tuple:
        listed = next(a for a in expect(env.prov.get("province/applications"), 200).json["applications"] if a["id"] == received["id"])
        entry = next(e for e in expect(env.prov.get(f"experts?specialty={quote('中学物理')}"), 200).json["experts"] if e["id"] == expert["id"])
        return (expect(env.prov.get(path), 200).json["applicant_name"], listed["applicant_name"],
                expect(env.prov.get(f"expert-applications/{expert_app['id']}"), 200).json["applicant_name"], entry["name"])

    assert names() == ("韩冬雪", "韩冬雪", "韩秋月", "韩秋月")
    # A name refused changes nothing and sends nothing.
    with unchanged(env.daemon, "zhengzhou"):
        for bad in ("", "   ", "名" * 101):
            expect(admin.patch(f"applicants/{title_person['id']}", {"name": bad}), 400, field="name")
    # Corrected by the API, and by the page's form.
    assert expect(admin.patch(f"applicants/{title_person['id']}", {"name": "韩东雪"}), 200).json["name"] == "韩东雪"
    form = f"_csrf={admin.csrf}&name={quote('韩秋悦')}&phone=".encode()
    edited = env.city_api.raw("POST", f"/t/zhengzhou/applicants/{expert_person['id']}/edit", body=form,
                              headers={"Cookie": f"zc_session={admin.cookie}", "Content-Type": "application/x-www-form-urlencoded"})
    assert edited.status in (200, 303), (edited.status, edited.body[-500:])
    assert account("韩秋悦")["id"] == expert_person["id"]
    wait_until(lambda: names() == ("韩东雪", "韩东雪", "韩秋悦", "韩秋悦"), 30, "the province to learn the applicants' corrected names")
    page = env.prov_api.raw("GET", f"/t/province/province-reviews/{received['id']}", headers=cookie).body.decode()
    # (What the applicant wrote in the sections, their old name included, is theirs and stays.)
    assert re.search(r"<h2>职称申报审查：(\S+) · ", page).group(1) == "韩东雪", page[-3000:]
    # The expert's account of the office (its login the ID-card number) is named so too.
    assert sign_in_expert(env, expert["id"]).account["name"] == "韩秋悦"
    # And the other way: the province office corrects the name of the expert's account (编辑 of
    # its staff), and the 专家信息库's entry follows it.
    expect(env.prov.patch(f"staff/{expert['account_id']}", {"name": "韩秋月"}), 200)
    assert names()[3] == "韩秋月"
    expect(env.prov.patch(f"staff/{expert['account_id']}", {"name": "韩秋悦"}), 200)
    renamed = [e for e in expect(env.prov.get("audit?limit=50"), 200).json["entries"] if e["action"] == "applicant.renamed-in-city" and "韩" in e["detail"]]
    assert len(renamed) == 2 and "韩秋悦" in renamed[0]["detail"] and "韩东雪" in renamed[1]["detail"], renamed
    assert expert["id_number"] not in str(renamed), "the ID-card number is masked in the log"

    # Passed by the office, it reaches the committee's desk under the new name.
    for reviewer in (env.prov_h, env.prov_l):
        expect(reviewer.post(f"{path}/decision", {"decision": "pass", "comment": "符合申报条件"}), 200)
    work = expect(env.prov.get("committee-worklist"), 200).json["items"]
    assert [i["applicant_name"] for i in work if i["path"] == f"province/applications/{received['id']}"] == ["韩东雪"], work
    desk = env.prov_api.raw("GET", "/t/province/committee", headers=cookie).body.decode()
    assert "韩东雪" in desk and "韩冬雪" not in desk, desk[-3000:]

    # A person the province holds nothing of: renamed without a message.
    quiet = applicant(env, "实验中学", "韩未报")
    expect(admin.patch(f"applicants/{quiet.id}", {"name": "韩未报送"}), 200)
    sent = db_rows(env.daemon.tenant_db("zhengzhou"),
                   "SELECT json_extract(payload, '$.id_number'), json_extract(payload, '$.name'), json_extract(payload, '$.source_application_ids')"
                   " FROM outbox WHERE kind = 'applicant.renamed' ORDER BY id")
    expert_source = expect(env.prov.get(f"expert-applications/{expert_app['id']}"), 200).json["source_application_id"]
    sent = [row for row in sent if row[1].startswith("韩")]   # this test's people
    assert sent == [(title_person["login"], "韩东雪", f"[{app['id']}]"), (expert_person["login"], "韩秋悦", f"[{expert_source}]")], sent


def test_a_repeated_admission_shows_no_new_password_off_the_series_or_once_the_account_was_used(env: Env):
    """The 负责人's 通过 of an expert application, sent again (a double click) with its version,
    shows a new one-time password only while that 负责人 still reviews the series and nobody has
    used the new account. Moved off the series since, the repeat is refused as a new step would
    be (409) and changes nothing; after the sysadmin's `account.reset-password` (the person may
    hold that password), or once somebody signed in with the first one (and signed out again,
    leaving no session), the repeat is answered with the application as it stands, and the
    password in force stays the one that works."""
    leader = add_reviewer(env.prov, 1, "prov.l.otp", ["leader"])
    prov_db = env.daemon.tenant_db("province")

    def admitted(name: str, specialty: str) -> tuple[dict, dict, dict]:
        """The person's expert application through the city and the province's 经办人; then the
        test's 负责人 passes it: (the application as the 负责人 saw it, the body sent, the answer)."""
        person = applicant(env, "回民中学", name)
        app = expert_application(person, specialty=specialty)
        city_pass(env, app["id"], ["回民中学", "管城区教育局"])
        papp = province_expert_app(env, name)
        expect(env.prov_h.post(f"expert-applications/{papp['id']}/decision", {"decision": "pass", "version": papp["version"]}), 200)
        papp = expect(leader.get(f"expert-applications/{papp['id']}"), 200).json
        body = {"decision": "pass", "comment": "同意入库", "version": papp["version"]}
        first = expect(leader.post(f"expert-applications/{papp['id']}/decision", body), 200).json
        assert first["one_time_password"] and first["expert"]["name"] == name, first
        return papp, body, first

    def reissued(expert: dict) -> int:
        """How many times the 负责人's repeat gave the expert's account a new password."""
        return db_rows(prov_db, "SELECT count(*) FROM audit WHERE action = 'expert.password-reissued' AND target = ?", f"expert:{expert['id']}")[0][0]

    # Moved off the series: refused, nothing shown, nothing changed; the first password works.
    papp, body, first = admitted("施换系", "小学心理健康")
    expect(env.prov.put(f"staff/{leader.id}/permissions", {"series": ["高等学校教师"], "sections": ["基本信息", "工作经历"]}), 200)
    relay_idle(env.daemon, ["province", "zhengzhou"])
    with unchanged(env.daemon, "province"):
        again = expect(leader.post(f"expert-applications/{papp['id']}/decision", body), 409)
    assert "one_time_password" not in again.body.decode(), again
    assert reissued(first["expert"]) == 0
    env.prov_api.first_login(first["expert"]["id_number"], first["one_time_password"])
    expect(env.prov.put(f"staff/{leader.id}/permissions", {"series": [SERIES], "sections": ["基本信息", "工作经历"]}), 200)

    # Reset by the sysadmin: the repeat shows no password, and the sysadmin's stays the one.
    papp, body, first = admitted("施重置", "小学心理健康")
    number = first["expert"]["id_number"]
    reset = env.daemon.call("account.reset-password", {"tenant": "province", "login": number})["password"]
    relay_idle(env.daemon, ["province", "zhengzhou"])
    with unchanged(env.daemon, "province"):
        again = expect(leader.post(f"expert-applications/{papp['id']}/decision", body), 200).json
    assert again.get("one_time_password") is None and again.get("expert") is None, again
    assert [d["step"] for d in again["application"]["decisions"]] == ["handler", "leader"], again["application"]["decisions"]
    assert reissued(first["expert"]) == 0
    expect(env.prov_api.sign_in_raw(number, first["one_time_password"]), 401)
    env.prov_api.first_login(number, reset)

    # Signed in with the first password and out again (no session left, still a one-time
    # password): used all the same.
    papp, body, first = admitted("施登录", "小学心理健康")
    number = first["expert"]["id_number"]
    session = env.prov_api.sign_in(number, first["one_time_password"])
    expect(session.delete("session"), (200, 204))
    assert db_rows(prov_db, "SELECT count(*) FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE a.login = ?", number) == [(0,)]
    relay_idle(env.daemon, ["province", "zhengzhou"])
    with unchanged(env.daemon, "province"):
        again = expect(leader.post(f"expert-applications/{papp['id']}/decision", body), 200).json
    assert again.get("one_time_password") is None and again.get("expert") is None, again
    assert reissued(first["expert"]) == 0
    env.prov_api.first_login(number, first["one_time_password"])

    # Unused, by the 负责人 of the series: the double click's new password, as before.
    papp, body, first = admitted("施双击", "小学心理健康")
    again = expect(leader.post(f"expert-applications/{papp['id']}/decision", body), 200).json
    assert again["one_time_password"] and again["one_time_password"] != first["one_time_password"], again
    assert reissued(first["expert"]) == 1
    expect(env.prov_api.sign_in_raw(first["expert"]["id_number"], first["one_time_password"]), 401)
    env.prov_api.first_login(first["expert"]["id_number"], again["one_time_password"])



def test_a_draw_recorded_with_the_current_names_among_the_former_ones_verifies_after_schema_v29(env: Env, pool: dict):
    """Before the relay took a name that comes back out of the former ones, the province could
    list an application's current unit or applicant name among `former_unit_names` /
    `former_applicant_names`, and a draw recorded then has them in its recorded inputs. Schema
    v29 takes each current name out of the former ones when the province's file is opened (here
    the file left so, marked as v28, while the daemon is stopped), and rewrites no record: the
    draw's inputs and digest stay as drawn, and `verify` (API, admin protocol, zhichengctl) still
    finds it reproduced and current; a new draw with the application still excludes the expert
    whose relation names a former name that stays."""
    add_school(env, "向阳小学")
    declared, _ = become_expert(env, "实验中学", "冯回避", specialty="小学天文")
    other, _ = become_expert(env, "实验中学", "褚天文", specialty="小学天文")
    expect(env.prov.put(f"experts/{declared['id']}/relations", {"relations": ["向阳实验小学"]}), 200)
    _, _, received = senior_application(env, "向阳小学", "卫向阳")
    prov_db = env.daemon.tenant_db("province")
    lists = "SELECT unit_name, former_unit_names, applicant_name, former_applicant_names FROM received_applications WHERE id = ?"
    # As v28 could leave it (a correction undone): 向阳小学 both the unit's name and a former one.
    con = sqlite3.connect(prov_db, timeout=10)
    try:
        with con:
            con.execute("""UPDATE received_applications SET former_unit_names = json_array('向阳实验小学', unit_name),
                           former_applicant_names = json_array(applicant_name) WHERE id = ?""", (received["id"],))
    finally:
        con.close()
    assert db_rows(prov_db, lists, received["id"]) == [("向阳小学", '["向阳实验小学","向阳小学"]', "卫向阳", '["卫向阳"]')]
    session = expect(env.prov.post(f"committees/{pool['id']}/sessions", {"name": "v28曾用名评审会", "series": SERIES, "specialty": "小学天文",
                                                                          "panel_size": 1, "reserves": 0, "applications": [received["id"]]}), 201).json
    drawn = expect(env.prov.post(f"sessions/{session['id']}/draw", {"seed": "v28-former-names"}), 200).json
    assert {x["expert_id"]: x["reason"] for x in drawn["excluded"]} == {declared["id"]: "申报了与申报人卫向阳的回避关系"}, drawn["excluded"]
    assert [m["expert_id"] for m in drawn["experts"]] == [other["id"]]
    record = "SELECT inputs, inputs_digest, result FROM review_sessions WHERE id = ?"
    recorded = db_rows(prov_db, record, session["id"])
    inputs = json.loads(recorded[0][0])["applicants"][0]
    assert (inputs["former_units"], inputs["former_names"]) == (["向阳实验小学", "向阳小学"], ["卫向阳"]), inputs
    before = expect(env.prov.post(f"sessions/{session['id']}/draw/verify"), 200).json
    assert before["matches"] and before["inputs_current"], before

    # The file as a v28 daemon left it (v29 changes data only), opened by this build.
    env.daemon.terminate()
    try:
        con = sqlite3.connect(prov_db, timeout=10)
        try:
            (latest,) = con.execute("PRAGMA user_version").fetchone()
            assert latest >= 29, latest
            wind_back(con, 28)  # what later versions added, taken out again
            con.commit()
        finally:
            con.close()
    finally:
        env.daemon.start()
    # Opened (and migrated) by the first request that reads it.
    after = expect(env.prov.post(f"sessions/{session['id']}/draw/verify"), 200).json
    assert db_rows(prov_db, "PRAGMA user_version") == [(latest,)]
    assert db_rows(prov_db, lists, received["id"]) == [("向阳小学", '["向阳实验小学"]', "卫向阳", "[]")]
    assert db_rows(prov_db, record, session["id"]) == recorded, "the draw's record is not rewritten"
    assert after["matches"] and after["digest_matches"] and after["reproduced"] and after["inputs_current"], after
    assert after["recomputed_panel"] == [other["id"]] and after["current_panel"] == [other["id"]], after
    v = env.daemon.call("draw.verify", {"tenant": "province", "session": session["id"]})
    assert v["matches"] and v["inputs_current"], v
    out = run_ctl(str(REPO / ".build" / "debug" / "zhichengctl"), "draw", "verify", "--tenant", "province", "--session", str(session["id"]),
                  socket_path=env.daemon.admin_socket)
    assert out.returncode == 0 and "inputs current   yes" in out.stdout, (out.stdout, out.stderr)
    assert env.daemon.call("tenant.check", {"id": "province"})["ok"] is True
    # The former name that stays still names the unit in a new draw.
    expect(env.prov.post(f"sessions/{session['id']}/cancel", {"reason": "改期"}), 200)
    again = expect(env.prov.post(f"committees/{pool['id']}/sessions", {"name": "v29曾用名评审会", "series": SERIES, "specialty": "小学天文",
                                                                        "panel_size": 1, "reserves": 0, "applications": [received["id"]]}), 201).json
    drawn = expect(env.prov.post(f"sessions/{again['id']}/draw", {"seed": "v29-former-names"}), 200).json
    assert {x["expert_id"]: x["reason"] for x in drawn["excluded"]} == {declared["id"]: "申报了与申报人卫向阳的回避关系"}, drawn["excluded"]
    inputs = json.loads(db_rows(prov_db, record, again["id"])[0][0])["applicants"][0]
    assert (inputs["former_units"], "former_names" in inputs) == (["向阳实验小学"], False), inputs


def test_a_city_reviewer_narrows_the_queue_to_a_kind_and_a_series(env: Env):
    """经办人审查 narrowed to 专家推荐 or 职称申报 (`kind`) and to one of the reviewer's series
    (`series`), in the API (`reviews/queue?kind=&series=`) and on the screen, whose 共 N 件 is then
    of what it finds and whose pages keep the search; 专家推荐审查, the city reviewers' menu entry
    (manual §10), is the queue of expert recommendations at both steps. A series the reviewer does
    not review finds nothing; an unknown kind or series is 400 naming it and changes nothing; blank
    ones (the screen's 全部) are none."""
    org = add_school(env, "筛选小学")
    _, admin = env.schools["筛选小学"]
    accounting = "会计人员"
    approved_plan(admin, env.city, org["id"], [{"series": SERIES, "level": "副高级", "count": 5}, {"series": accounting, "level": "副高级", "count": 5}])
    handler = add_reviewer(admin, org["id"], f"{org['id']}.both", ["handler"], series=[SERIES, accounting])
    ids = {}
    for name, kind, series, title in (("筛选甲", "title", SERIES, "高级教师"), ("筛选乙", "expert", SERIES, "高级教师"),
                                      ("筛选丙", "title", accounting, "高级会计师"), ("筛选丁", "expert", accounting, "高级会计师")):
        person = applicant(env, "筛选小学", name)
        app = expect(person.post("applications", {"kind": kind, "year": 2026, "series": series, "level": "副高级", "title": title,
                                                  **({"specialty": "财务管理"} if kind == "expert" else {})}), 201).json
        for section in (SECTIONS if kind == "title" else ["基本信息", "工作经历"]):
            fields = {"从业年限": "15", "经历": "长期从事本专业"} if section == "工作经历" and kind == "expert" else {"内容": f"{name}的{section}"}
            expect(person.put(f"applications/{app['id']}/sections/{quote(section)}", fields), 200)
        assert expect(person.post(f"applications/{app['id']}/submit"), 200).json["state"] == "in_review", name
        ids[name] = app["id"]

    def found(query: str) -> list[int]:
        return [a["id"] for a in expect(handler.get("reviews/queue" + query), 200).json["applications"]]
    everything = sorted(ids.values())
    assert found("") == everything and found("?kind=&series=") == everything, "blank is none"
    assert found("?kind=expert") == [ids["筛选乙"], ids["筛选丁"]]
    assert found("?kind=title") == [ids["筛选甲"], ids["筛选丙"]]
    assert found("?series=" + quote(accounting)) == [ids["筛选丙"], ids["筛选丁"]]
    assert found("?kind=expert&series=" + quote(accounting)) == [ids["筛选丁"]]
    assert found("?kind=expert&stage=handler&q=" + quote("筛选")) == [ids["筛选乙"], ids["筛选丁"]]
    assert found("?kind=expert&limit=1") == [ids["筛选乙"]]
    assert found(f"?kind=expert&limit=1&after={ids['筛选乙']}") == [ids["筛选丁"]]
    assert found("?series=" + quote("档案专业人员")) == [], "a series of the catalog the reviewer does not review"
    # The expert recommendations read from their items say whether the person is in the 专家信息库.
    assert all(a["in_expert_library"] is False for a in expect(handler.get("reviews/queue?kind=expert"), 200).json["applications"])
    cookie = {"Cookie": f"zc_session={handler.cookie}"}
    with unchanged(env.daemon, "zhengzhou"):
        expect(handler.get("reviews/queue?kind=" + quote("专家推荐")), 400, field="kind")
        expect(handler.get("reviews/queue?series=" + quote("不存在的系列")), 400, field="series")
        expect(handler.get("reviews/queue?kind=expert&series=" + quote("不存在的系列")), 400, field="series")
        assert env.city_api.raw("GET", "/t/zhengzhou/reviews?kind=bogus", headers=cookie).status == 400
        assert env.city_api.raw("GET", "/t/zhengzhou/reviews?series=" + quote("不存在的系列"), headers=cookie).status == 400

    def screen(path: str) -> tuple[list[int], str]:
        r = env.city_api.raw("GET", f"/t/zhengzhou/{path}", headers=cookie)
        assert r.status == 200, r
        page = r.body.decode()
        table = page[page.index('id="queue"'):page.index("</table>", page.index('id="queue"'))]
        return [int(x) for x in re.findall(r"<tr><td>(\d+)</td>", table)], page
    # 专家推荐审查: in the menu, marked as the page's; its 类别 is the page's own (共 N 件 of it, no 显示全部).
    shown, page = screen("reviews?kind=expert&limit=1")
    assert shown == [ids["筛选乙"]] and "<h2>专家推荐审查</h2>" in page and "待审查：共 2 件" in page, page[-3000:]
    assert re.search(r'<a href="/t/zhengzhou/reviews\?kind=expert" aria-current="page">专家推荐审查</a>', page), page[:3000]
    assert 'id="queue-search-clear"' not in page and '<option value="expert" selected>专家推荐</option>' in page
    assert re.findall(r"<option(?: selected)?>([^<]+)</option>", page[page.index('id="queue-series"'):page.index("</select>", page.index('id="queue-series"'))]) \
        == [SERIES, accounting], "only the reviewer's series"
    assert re.search(r'<td class="year">2026</td>', page), "the 年度 column"
    nxt = html.unescape(re.search(r'id="queue-next" href="([^"]+)"', page).group(1))
    assert "kind=expert" in nxt and "limit=1" in nxt, nxt
    assert screen(nxt.removeprefix("/t/zhengzhou/"))[0] == [ids["筛选丁"]]
    # A search on it keeps to expert recommendations; 显示全部 goes back to 专家推荐审查.
    shown, page = screen("reviews?kind=expert&series=" + quote(accounting))
    assert shown == [ids["筛选丁"]] and "符合查询条件的待审查申报：共 1 件" in page
    assert 'id="queue-search-clear" href="/t/zhengzhou/reviews?kind=expert"' in page, page[-3000:]
    # On 经办人审查, 类别 and 系列 are a search: its count, its pages, 显示全部 back to the step.
    shown, page = screen(f"reviews?stage=handler&kind=title&series={quote(accounting)}")
    assert shown == [ids["筛选丙"]] and "符合查询条件的待审查申报：共 1 件" in page and "<h2>经办人审查</h2>" in page
    assert 'id="queue-search-clear" href="/t/zhengzhou/reviews?stage=handler"' in page
    assert re.search(r'<a href="/t/zhengzhou/reviews\?stage=handler" aria-current="page">经办人审查</a>', page)
    shown, page = screen("reviews?stage=handler&kind=title&limit=1")
    nxt = html.unescape(re.search(r'id="queue-next" href="([^"]+)"', page).group(1))
    assert "stage=handler" in nxt and "kind=title" in nxt, nxt
    assert screen(nxt.removeprefix("/t/zhengzhou/"))[0] == [ids["筛选丙"]]
    shown, page = screen("reviews?stage=handler")
    assert shown == everything and "待审查：共 4 件" in page and 'id="queue-search-clear"' not in page
    # The entry is a city reviewer's: not an org admin's; in the province only the office's own
    # 专家推荐审查 (what the cities hand over), once.
    home = env.city_api.raw("GET", "/t/zhengzhou/home", headers={"Cookie": f"zc_session={env.city.cookie}"}).body.decode()
    assert "reviews?kind=expert" not in home
    prov = env.prov_api.raw("GET", "/t/province/home", headers={"Cookie": f"zc_session={env.prov_h.cookie}"}).body.decode()
    assert prov.count(">专家推荐审查</a>") == 1 and "reviews?kind=expert" not in prov, prov[:3000]
