"""Who may act on, and see, a committee's (评委会) work on an application, and when.

Only the final authority's office acts on an application: for a city's 初级/中级 application that
is the city's root office (another office of the tenant with a committee of its own has no say),
and for a 副高级/正高级 application it is the province (the city may not set an interview or a
result over it). An evaluation is seen only by those who may see the application. Objections
are lodged during 公示 only: with publicity_working_days = 0 the period ends the moment the
result is recorded. The 申报人员状态查询 names the committee once its result is recorded, with
or without an interview notice.

Most tests run on a daemon with publicity_working_days = 0; the one that needs an objection
lodged during 公示 runs on one with 5 working days. Every refused attempt is checked for having
changed nothing by reading the evaluation (or the status row) before and after it. Every wait is
bounded.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

import pytest

from api_support import (Api, Session, add_reviewer, approve_unit, approved_plan, create_child, expect, fresh_id_number, interview_held, interview_time,
                         province_passes, unchanged)
from conftest import create_tenant, wait_until

SERIES = "中小学教师"
SECTIONS = ["基本信息", "学历学位", "工作经历", "业绩成果", "论文著作", "获奖情况", "年度考核", "继续教育"]
ALL_LEVELS = ["初级", "中级", "副高级", "正高级"]
CONFIG = '[log]\nlevel = "info"\n[limits]\npublicity_working_days = {days}\n'
CITY_COMMITTEE = "郑州市中小学教师中级评委会"
PROVINCE_COMMITTEE = "河南省中小学教师高级评委会"
RELAY_TIMEOUT = 30


class City:
    """The 郑州市 tenant: its root office reviews (handler, leader), plans and evaluates, and
    its applicants sit at the root."""

    def __init__(self, api: Api, admin: Session):
        self.api, self.admin = api, admin
        approved_plan(admin, admin, 1, [{"series": SERIES, "level": "中级", "count": 9}, {"series": SERIES, "level": "副高级", "count": 9}])
        self.reviewers = [self._staff("r.h", "handler"), self._staff("r.l", "leader")]

    def _staff(self, login: str, role: str) -> Session:
        r = expect(self.admin.post("orgs/1/staff", {"login": login, "name": login}), 201).json
        expect(self.admin.post(f"staff/{r['account']['id']}/enable"), 200)
        expect(self.admin.put(f"staff/{r['account']['id']}/roles", {"roles": [role]}), 200)
        expect(self.admin.put(f"staff/{r['account']['id']}/permissions", {"series": [SERIES], "sections": SECTIONS}), 200)
        return self.api.first_login(login, r["password"])

    def applicant(self) -> Session:
        person = expect(self.admin.post("orgs/1/applicants", {"id_number": fresh_id_number(), "name": "周老师"}), 201).json
        return self.api.first_login(person["account"]["login"], person["password"])

    def passed_application(self, level: str, title: str) -> tuple[Session, dict]:
        """A submitted application passed by the root office's handler and leader."""
        applicant = self.applicant()
        app = expect(applicant.post("applications", {"kind": "title", "year": 2026, "series": SERIES, "level": level, "title": title}), 201).json
        for section in SECTIONS:
            expect(applicant.put(f"applications/{app['id']}/sections/{quote(section)}", {"内容": section}), 200)
        expect(applicant.post(f"applications/{app['id']}/submit"), 200)
        for reviewer in self.reviewers:
            version = expect(reviewer.get(f"applications/{app['id']}"), 200).json["version"]
            expect(reviewer.post(f"applications/{app['id']}/decision", {"decision": "pass", "comment": "同意", "version": version}), 200)
        return applicant, app

    def committee(self, name: str = CITY_COMMITTEE, levels: list[str] | None = None) -> dict:
        return expect(self.admin.post("committees", {"name": name, "series": [SERIES], "levels": levels or ["中级"]}), 201).json

    def status_row(self, app_id: int) -> dict:
        rows = expect(self.admin.get("orgs/1/applicant-status"), 200).json["rows"]
        return next(r for r in rows if r["application_id"] == app_id)

    def evaluation(self, app_id: int) -> tuple:
        """What the city's own office reads of the evaluation: committee, result, state, open objections."""
        ev = expect(self.admin.get(f"applications/{app_id}/evaluation"), 200).json
        return ev["committee"], ev.get("result"), ev["state"], ev["open_objections"], ev.get("interview_place")


def start_city(daemon_factory, publicity_days: int):
    """A daemon whose results stand `publicity_days` working days in 公示, with the city in it."""
    d = daemon_factory(config=CONFIG.format(days=publicity_days)).start()
    info = create_tenant(d, "zhengzhou", "4101", "郑州市")
    api = Api(d.http_port, "zhengzhou")
    return d, City(api, api.first_login(info["admin_login"], info["admin_password"]))


@pytest.fixture
def setup(daemon_factory):
    """The city on a daemon where 公示 ends the moment a result is recorded (0 working days)."""
    return start_city(daemon_factory, 0)


@pytest.fixture
def setup_with_publicity(daemon_factory):
    """The city on a daemon where a result stands 5 working days in 公示 (objections may be lodged)."""
    return start_city(daemon_factory, 5)


def second_office(city: City) -> Session:
    """金水区职改办: another office under the city's root, approved, with a committee of its own
    covering the series at every level."""
    org, admin = create_child(city.admin, 1, "金水区职改办", "office")
    office = approve_unit(city.api, city.admin, org["id"], admin["login"], admin["password"])
    expect(office.post("committees", {"name": "金水区中小学教师评委会", "series": [SERIES], "levels": ALL_LEVELS}), 201)
    return office


def test_only_the_final_authority_office_acts_on_a_city_application(setup_with_publicity):
    """A city's 中级 application is evaluated by the city's root office (the final authority).
    Another office of the tenant, even with a committee covering the series and level, neither
    sees it on its desk nor sets its interview, records its result or resolves its objections."""
    d, city = setup_with_publicity
    city.committee()
    applicant, app = city.passed_application("中级", "一级教师")
    assert expect(applicant.get(f"applications/{app['id']}"), 200).json["state"] == "at_committee"
    expect(city.admin.put(f"applications/{app['id']}/interview", {"time": interview_time(10, 9), "place": "郑州市人社局301"}), 200)
    office = second_office(city)

    work = expect(office.get("committee-worklist"), 200).json["items"]
    assert f"applications/{app['id']}" not in [i["path"] for i in work], f"the other office's desk lists the city's application: {work}"

    before = city.evaluation(app["id"])
    assert before == (CITY_COMMITTEE, None, "pending", 0, "郑州市人社局301"), before
    r = office.put(f"applications/{app['id']}/interview", {"time": interview_time(11, 9), "place": "金水区职改办101"})
    assert r.status in (403, 404), f"another office set the interview of the city's application: {r!r}"
    r = office.post(f"applications/{app['id']}/result", {"result": "未通过", "note": "金水区"})
    assert r.status in (403, 404), f"another office recorded the result of the city's application: {r!r}"
    assert city.evaluation(app["id"]) == before

    interview_held(d, "zhengzhou")
    expect(city.admin.post(f"applications/{app['id']}/result", {"result": "通过", "note": "同意"}), 200)
    objection = expect(applicant.post(f"applications/{app['id']}/objections", {"text": "请复核", "evidence": "无"}), 201).json["id"]
    before = city.evaluation(app["id"])
    assert before == (CITY_COMMITTEE, "通过", "publicity", 1, "郑州市人社局301"), before
    r = office.post(f"objections/{objection}/resolve", {"decision": "upheld", "reason": "金水区认为属实"})
    assert r.status in (403, 404), f"another office resolved an objection to the city's result: {r!r}"
    assert city.evaluation(app["id"]) == before


def test_the_applicants_home_says_the_interview_and_the_result_in_public_notice(setup_with_publicity):
    """The applicant's 首页: 待办事项 names the 面试通知 (time and place) until the result is in, then
    the result standing in 公示; 我的申报进度 lists each application with where it stands."""
    d, city = setup_with_publicity
    city.committee()
    applicant, app = city.passed_application("中级", "一级教师")

    def home() -> str:
        return city.api.raw("GET", "/t/zhengzhou/home", headers={"Cookie": f"zc_session={applicant.cookie}"}).body.decode()

    def todo(html: str) -> str:
        return html[html.index("待办事项"):html.index("我的申报进度")]

    assert "面试通知" not in todo(home()) and "待评委会评审" in home()
    expect(city.admin.put(f"applications/{app['id']}/interview", {"time": interview_time(10, 9), "place": "郑州市人社局301"}), 200)
    html = home()
    assert f'href="/t/zhengzhou/applications/{app["id"]}"' in todo(html) and "面试通知：" in todo(html) and "郑州市人社局301" in todo(html), todo(html)
    progress = html[html.index('id="progress"'):]
    assert "一级教师" in progress and "郑州市人社局301" in progress, progress[:1500]
    # The committee's form asks again naming the result it is about to put into 公示.
    asked = city.api.raw("POST", f"/t/zhengzhou/committee/application/{app['id']}/result",
                         body=urlencode({"_csrf": city.admin.csrf, "result": "未通过", "note": ""}).encode(),
                         headers={"Cookie": f"zc_session={city.admin.cookie}", "Content-Type": "application/x-www-form-urlencoded"})
    assert asked.status == 200 and "确定录入评审结果“未通过”并开始公示吗？" in asked.body.decode(), asked.body.decode()[-1500:]
    interview_held(d, "zhengzhou")
    expect(city.admin.post(f"applications/{app['id']}/result", {"result": "通过", "note": "同意"}), 200)
    html = home()
    assert "面试通知：" not in todo(html) and "公示" in todo(html) and "（通过）" in todo(html), todo(html)


def test_an_org_whose_info_is_not_approved_neither_reads_the_public_notices_nor_objects(setup_with_publicity):
    """Until its parent approves its info, an org's accounts act on nothing but that info: not
    评审结果公示 (its list, the caller's own objections, a new objection: each 403, nothing
    written), nor its menu entry."""
    d, city = setup_with_publicity
    city.committee()
    applicant, app = city.passed_application("中级", "一级教师")
    expect(city.admin.post(f"applications/{app['id']}/result", {"result": "通过", "note": "同意"}), 200)
    assert [n for n in expect(applicant.get("public-notices"), 200).json["notices"]], "the notice is listed for an approved org"
    org, admin = create_child(city.admin, 1, "待审小学", "unit")
    pending = city.api.first_login(admin["login"], admin["password"])
    with unchanged(d, "zhengzhou", ignore=("sessions",)):
        for r in (pending.get("public-notices"), pending.get("objections/mine"),
                  pending.post(f"applications/{app['id']}/objections", {"text": "请复核", "evidence": "无"})):
            expect(r, 403, contains="尚未经上级审核通过")
    home = city.api.raw("GET", "/t/zhengzhou/home", headers={"Cookie": f"zc_session={pending.cookie}"}).body.decode()
    assert "评审结果公示" not in home and "单位信息维护" in home, home[-2000:]
    assert city.evaluation(app["id"])[3] == 0, "no objection was lodged"


def test_an_office_on_the_route_below_the_final_authority_does_not_act(setup_with_publicity):
    """A 中级 application of a school under 金水区职改办 climbs the school, 金水区职改办 and the city's
    root office, whose committee evaluates it (the final authority is the top of the route).
    金水区职改办 is on the route and reads the application, and has a committee of its own
    covering the series at every level; yet neither its admin nor its reviewers set the
    interview, record the result or resolve an objection (403), and none of it changes anything."""
    d, city = setup_with_publicity
    city.committee()
    office = second_office(city)
    office_id = office.org_id
    org, admin = create_child(office, office_id, "金水区实验小学", "unit")
    school = approve_unit(city.api, office, org["id"], admin["login"], admin["password"])
    approved_plan(school, city.admin, org["id"], [{"series": SERIES, "level": "中级", "count": 9}])
    reviewers = [add_reviewer(school, org["id"], f"js.school.{role}", [role], sections=SECTIONS) for role in ("handler", "leader")]
    office_reviewers = [add_reviewer(office, office_id, f"js.office.{role}", [role], sections=SECTIONS) for role in ("handler", "leader")]
    person = expect(school.post(f"orgs/{org['id']}/applicants", {"id_number": fresh_id_number(), "name": "金老师"}), 201).json
    applicant = city.api.first_login(person["account"]["login"], person["password"])
    app = expect(applicant.post("applications", {"kind": "title", "year": 2026, "series": SERIES, "level": "中级", "title": "一级教师"}), 201).json
    for section in SECTIONS:
        expect(applicant.put(f"applications/{app['id']}/sections/{quote(section)}", {"内容": section}), 200)
    expect(applicant.post(f"applications/{app['id']}/submit"), 200)
    for reviewer in reviewers + office_reviewers + city.reviewers:
        version = expect(reviewer.get(f"applications/{app['id']}"), 200).json["version"]
        expect(reviewer.post(f"applications/{app['id']}/decision", {"decision": "pass", "comment": "同意", "version": version}), 200)
    shown = expect(office.get(f"applications/{app['id']}"), 200).json
    assert shown["state"] == "at_committee", shown
    work = expect(office.get("committee-worklist"), 200).json["items"]
    assert f"applications/{app['id']}" not in [i["path"] for i in work], f"the office below the final authority lists it: {work}"

    # Before the city's committee has taken it up (no evaluation yet), and after it set an interview.
    for when in ("before the city acts", "after the city's interview notice"):
        with unchanged(d, "zhengzhou"):
            r = office.put(f"applications/{app['id']}/interview", {"time": interview_time(11, 9), "place": "金水区职改办101"})
            assert r.status == 403, f"{when}: the office below the final authority set the interview: {r!r}"
            r = office.post(f"applications/{app['id']}/result", {"result": "未通过", "note": "金水区"})
            assert r.status == 403, f"{when}: the office below the final authority recorded the result: {r!r}"
            for reviewer in office_reviewers:
                expect(reviewer.put(f"applications/{app['id']}/interview", {"time": interview_time(11, 9), "place": "金水区职改办101"}), 403)
                expect(reviewer.post(f"applications/{app['id']}/result", {"result": "未通过"}), 403)
        if when == "before the city acts":
            expect(city.admin.put(f"applications/{app['id']}/interview", {"time": interview_time(10, 9), "place": "郑州市人社局301"}), 200)
    assert city.evaluation(app["id"]) == (CITY_COMMITTEE, None, "pending", 0, "郑州市人社局301")

    interview_held(d, "zhengzhou")
    expect(city.admin.post(f"applications/{app['id']}/result", {"result": "通过", "note": "同意"}), 200)
    objection = expect(applicant.post(f"applications/{app['id']}/objections", {"text": "请复核", "evidence": "无"}), 201).json["id"]
    before = city.evaluation(app["id"])
    assert before == (CITY_COMMITTEE, "通过", "publicity", 1, "郑州市人社局301"), before
    with unchanged(d, "zhengzhou"):
        r = office.post(f"objections/{objection}/resolve", {"decision": "upheld", "reason": "金水区认为属实"})
        assert r.status == 403, f"the office below the final authority resolved an objection: {r!r}"
        expect(office_reviewers[0].post(f"objections/{objection}/resolve", {"decision": "dismissed", "reason": "金水区"}), 403)
    assert city.evaluation(app["id"]) == before


def test_a_city_cannot_set_an_interview_on_a_province_decided_application(setup):
    """A 副高级 application is the province's to evaluate: once the province's result has come
    back, a committee of the city covering 副高级 may neither set an interview nor record a result
    over it, and the city's status row keeps the province committee's name and interview.
    Asked for its evaluation, the city answers those who may read the application, at every
    step, that the province's committee evaluates it (409), not a 404 that reads as no such
    application; the application shows what the province sent back. Anyone else still gets 404."""
    d, city = setup
    pinfo = create_tenant(d, "province", "41", "河南省", kind="province")
    province = Api(d.http_port, "province").first_login(pinfo["admin_login"], pinfo["admin_password"])
    expect(province.post("committees", {"name": PROVINCE_COMMITTEE, "series": [SERIES], "levels": ["副高级", "正高级"]}), 201)
    applicant, app = city.passed_application("副高级", "高级教师")
    evaluated_there = "该申报由省职改办的评委会评审，评审记录在省职改办；评委会、面试通知和评审结果见申报详情"

    def evaluation_is_the_provinces() -> None:
        for who in (applicant, city.admin, *city.reviewers):
            expect(who.get(f"applications/{app['id']}/evaluation"), 409, contains=evaluated_there)
        expect(city.applicant().get(f"applications/{app['id']}/evaluation"), 404, contains="没有这个申报")

    evaluation_is_the_provinces()

    def received():
        rows = expect(province.get("province/applications"), 200).json["applications"]
        return next((r["id"] for r in rows if (r["source_tenant"], r["source_application_id"]) == ("zhengzhou", app["id"])), None)

    rid = wait_until(received, RELAY_TIMEOUT, "the province to receive the application")
    province_passes(province, rid)
    expect(province.put(f"province/applications/{rid}/interview", {"time": interview_time(20, 14), "place": "省人社厅"}), 200)
    interview_held(d, "province")
    expect(province.post(f"province/applications/{rid}/result", {"result": "通过"}), 200)
    expect(province.post(f"province/applications/{rid}/result/confirm"), 200)
    wait_until(lambda: expect(applicant.get(f"applications/{app['id']}"), 200).json["state"] == "passed", RELAY_TIMEOUT,
               "the province's result to reach the city")
    wait_until(lambda: "省人社厅" in (city.status_row(app["id"])["interview"] or ""), RELAY_TIMEOUT, "the interview notice to reach the city")
    before = city.status_row(app["id"])
    assert before["committee"] == PROVINCE_COMMITTEE, before
    evaluation_is_the_provinces()
    shown = expect(applicant.get(f"applications/{app['id']}"), 200).json
    assert (shown["committee"], shown["result"]) == (PROVINCE_COMMITTEE, "通过") and "省人社厅" in shown["interview"], shown

    city.committee("郑州市中小学教师高级评委会", ["副高级"])
    r = city.admin.put(f"applications/{app['id']}/interview", {"time": interview_time(35, 9), "place": "郑州市人社局302"})
    assert r.status in (403, 404, 409), f"the city set an interview on a province-decided application: {r!r}"
    r = city.admin.post(f"applications/{app['id']}/result", {"result": "未通过"})
    assert r.status in (403, 404, 409), f"the city recorded a result on a province-decided application: {r!r}"
    after = city.status_row(app["id"])
    assert (after.get("committee"), after.get("interview")) == (before["committee"], before["interview"]), after
    assert expect(applicant.get(f"applications/{app['id']}"), 200).json["state"] == "passed"
    evaluation_is_the_provinces()


def test_evaluation_is_visible_only_to_those_who_may_see_the_application(setup):
    """GET applications/<id>/evaluation follows the application's own visibility: another
    applicant of the same tenant gets 404; the application's applicant sees the interview."""
    _, city = setup
    city.committee()
    applicant, app = city.passed_application("中级", "一级教师")
    when = interview_time(10, 9)
    expect(city.admin.put(f"applications/{app['id']}/interview", {"time": when, "place": "郑州市人社局301"}), 200)
    other = city.applicant()
    expect(other.get(f"applications/{app['id']}"), 404)

    r = other.get(f"applications/{app['id']}/evaluation")
    assert r.status == 404, f"another applicant reads the evaluation of someone else's application: {r!r}"
    own = expect(applicant.get(f"applications/{app['id']}/evaluation"), 200).json
    assert (own["committee"], own["interview_time"], own["interview_place"]) == (CITY_COMMITTEE, when, "郑州市人社局301"), own


def test_no_objection_after_publicity_has_ended(setup):
    """With publicity_working_days = 0, 公示 ends the moment the result is recorded: an objection
    lodged afterwards is refused (409, 公示期已结束), nothing is opened, and the result can be
    confirmed at once."""
    _, city = setup
    city.committee()
    applicant, app = city.passed_application("中级", "一级教师")
    expect(city.admin.post(f"applications/{app['id']}/result", {"result": "通过", "note": "同意"}), 200)
    before = city.evaluation(app["id"])
    assert before[1:4] == ("通过", "publicity", 0), before

    r = applicant.post(f"applications/{app['id']}/objections", {"text": "论文存在抄袭", "evidence": "比对报告"})
    assert r.status == 409, f"an objection was taken after 公示 had ended: {r!r}"
    expect(r, 409, contains="公示期已结束")
    assert city.evaluation(app["id"]) == before
    assert expect(city.admin.post(f"applications/{app['id']}/result/confirm"), 200).json["state"] == "final"


def test_status_query_names_the_committee_once_a_result_is_recorded(setup):
    """申报人员状态查询 names the committee that evaluated the application once its result is
    recorded, even when no interview notice was ever set."""
    _, city = setup
    committee = city.committee()
    _, app = city.passed_application("中级", "一级教师")
    assert not city.status_row(app["id"]).get("interview"), "no interview was set"
    expect(city.admin.post(f"applications/{app['id']}/result", {"result": "通过", "note": "同意"}), 200)

    row = city.status_row(app["id"])
    assert row.get("committee") == committee["name"], f"the status row does not name the committee: {row}"


def test_the_committee_list_is_its_offices_alone(setup):
    """GET committees answers the admin of an office (职改办) with its own committees: not
    another office's, not even its parent's. A department, a unit, their staff, the office's
    own reviewers and applicants are refused (403, in Chinese), changing nothing: they read an
    application's committee by name with the application (申报人员状态查询). The web UI's
    committee desk (评委会评审) answers a unit's admin alike."""
    d, city = setup
    city.committee()
    office = second_office(city)
    assert [c["name"] for c in expect(city.admin.get("committees"), 200).json["committees"]] == [CITY_COMMITTEE]
    assert [c["name"] for c in expect(office.get("committees"), 200).json["committees"]] == ["金水区中小学教师评委会"], "not the parent's"

    dept_org, dept_login = create_child(city.admin, 1, "郑州市教育局", "department")
    dept = approve_unit(city.api, city.admin, dept_org["id"], dept_login["login"], dept_login["password"])
    unit_org, unit_login = create_child(dept, dept_org["id"], "郑州市第一中学", "unit")
    unit = approve_unit(city.api, dept, unit_org["id"], unit_login["login"], unit_login["password"])
    unit_reviewer = add_reviewer(unit, unit_org["id"], "unit.h", ["handler"])
    for who in (dept, unit, unit_reviewer, *city.reviewers, city.applicant()):
        with unchanged(d, "zhengzhou"):
            expect(who.get("committees"), 403, contains="职改办")
    # The desk's worklist alike: a department's or a unit's admin is refused, not answered an
    # empty desk (the screen refused them already); a second office reads its own.
    for who in (dept, unit):
        with unchanged(d, "zhengzhou"):
            expect(who.get("committee-worklist"), 403, contains="职改办")
    assert expect(office.get("committee-worklist"), 200).json["items"] == []

    cookie = {"Cookie": f"zc_session={unit.cookie}"}
    page = city.api.raw("GET", "/t/zhengzhou/committee", headers=cookie)
    assert page.status == 403 and "职改办" in page.body.decode() and CITY_COMMITTEE not in page.body.decode(), (page.status, page.body.decode()[-2000:])


def test_a_results_objections_are_read_by_its_committees_office_alone(setup_with_publicity):
    """GET applications/<id>/objections is the committee's office's, as its desk is: a
    department's or a unit's admin of the city is refused (403, naming 职改办, as for
    `committee-worklist`), not answered an empty list, and so are the applicant (who reads their
    own on 评审结果公示, `objections/mine`) and the office's reviewers; nothing changes. The
    office reads the objection; another office reads none of the city's."""
    d, city = setup_with_publicity
    city.committee()
    applicant, app = city.passed_application("中级", "一级教师")
    expect(city.admin.post(f"applications/{app['id']}/result", {"result": "通过", "note": "同意"}), 200)
    expect(applicant.post(f"applications/{app['id']}/objections", {"text": "请复核", "evidence": "无"}), 201)
    path = f"applications/{app['id']}/objections"
    assert [o["text"] for o in expect(city.admin.get(path), 200).json["objections"]] == ["请复核"]
    assert [o["text"] for o in expect(applicant.get("objections/mine"), 200).json["objections"]] == ["请复核"]

    dept_org, dept_login = create_child(city.admin, 1, "郑州市人社局", "department")
    dept = approve_unit(city.api, city.admin, dept_org["id"], dept_login["login"], dept_login["password"])
    unit_org, unit_login = create_child(dept, dept_org["id"], "郑州市第二中学", "unit")
    unit = approve_unit(city.api, dept, unit_org["id"], unit_login["login"], unit_login["password"])
    with unchanged(d, "zhengzhou"):
        for who in (dept, unit):
            expect(who.get(path), 403, contains="职改办")
        for who in (applicant, *city.reviewers):
            expect(who.get(path), 403)
    assert expect(second_office(city).get(path), 200).json["objections"] == [], "another office reads none of the city's"


def test_the_provinces_office_menus_are_its_own(setup):
    """In the province, 评委会评审, 职称申报审查（各市报送） and the expert pages are the office's: a
    department's admin is not offered them (each would answer 403), the office's admin is."""
    d, _ = setup
    pinfo = create_tenant(d, "province", "41", "河南省", kind="province")
    papi = Api(d.http_port, "province")
    office = papi.first_login(pinfo["admin_login"], pinfo["admin_password"])
    dept_org, dept_login = create_child(office, 1, "河南省教育厅", "department")
    dept = approve_unit(papi, office, dept_org["id"], dept_login["login"], dept_login["password"])
    paths = ("committee", "province-reviews", "expert-reviews", "experts", "sessions")

    def offered(who) -> set[str]:
        html = papi.raw("GET", "/t/province/home", headers={"Cookie": f"zc_session={who.cookie}"}).body.decode()
        return {p for p in paths if f'href="/t/province/{p}"' in html}

    assert offered(office) == set(paths)
    assert offered(dept) == set()
    for p in paths:
        page = papi.raw("GET", f"/t/province/{p}", headers={"Cookie": f"zc_session={dept.cookie}"})
        assert page.status == 403, (p, page.status)
