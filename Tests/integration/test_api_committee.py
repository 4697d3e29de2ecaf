"""Committees (评委会), interview notices, results in public notice (公示), objections and the final
result — for a city's own 中级 application, and for a 副高级 one evaluated by the province whose
notice and result flow back to the city. Publicity is set to 0 working days so a result can be
confirmed at once, except where objections are lodged: there it lasts 5, and the test lets it end
(`end_publicity`)."""

from __future__ import annotations

import base64
import datetime
import html
import json
import re
import sqlite3
from urllib.parse import quote

import pytest

from api_support import (Api, add_reviewer, approve_unit, approved_plan, clone_received, clone_rows, create_child, db_rows, end_publicity, expect, fresh_id_number,
                         interview_held, interview_time, province_passes, relay_idle, restore_tenant, unchanged)
from api_support import REQUIRED_SECTIONS, png_bytes
from conftest import clean_env, create_tenant, run_ctl, wait_until

SERIES = "中小学教师"
SECTIONS = REQUIRED_SECTIONS
CONFIG = '[log]\nlevel = "info"\n[limits]\npublicity_working_days = {days}\n'
CHINA = datetime.timezone(datetime.timedelta(hours=8))


class City:
    """A city whose root office reviews, plans and evaluates; applicants sit at the root."""

    def __init__(self, d, api: Api, admin):
        self.d, self.api, self.admin = d, api, admin
        approved_plan(admin, admin, 1, [{"series": SERIES, "level": "中级", "count": 9}, {"series": SERIES, "level": "副高级", "count": 9}])
        self.reviewers = [self.staff("r.h", "handler"), self.staff("r.l", "leader")]

    def staff(self, login: str, role: str):
        r = expect(self.admin.post("orgs/1/staff", {"login": login, "name": login}), 201).json
        expect(self.admin.post(f"staff/{r['account']['id']}/enable"), 200)
        expect(self.admin.put(f"staff/{r['account']['id']}/roles", {"roles": [role]}), 200)
        expect(self.admin.put(f"staff/{r['account']['id']}/permissions", {"series": [SERIES], "sections": SECTIONS}), 200)
        return self.api.first_login(login, r["password"])

    def passed_application(self, level: str, title: str, by: int = 2, name: str = "周老师"):
        """A submitted application of a new applicant `name`, passed by the first `by` reviewers (handler, leader)."""
        person = expect(self.admin.post("orgs/1/applicants", {"id_number": fresh_id_number(), "name": name}), 201).json
        applicant = self.api.first_login(person["account"]["login"], person["password"])
        app = expect(applicant.post("applications", {"kind": "title", "year": 2026, "series": SERIES, "level": level, "title": title}), 201).json
        for section in SECTIONS:
            expect(applicant.put(f"applications/{app['id']}/sections/{quote(section)}", {"内容": section}), 200)
        expect(applicant.post(f"applications/{app['id']}/submit"), 200)
        for reviewer in self.reviewers[:by]:
            self.pass_(reviewer, app["id"])
        return applicant, app

    @staticmethod
    def pass_(reviewer, app_id: int) -> None:
        version = expect(reviewer.get(f"applications/{app_id}"), 200).json["version"]
        expect(reviewer.post(f"applications/{app_id}/decision", {"decision": "pass", "comment": "同意", "version": version}), 200)

    def sign_in_again(self) -> None:
        """After a restore: the restored database has the sessions of the backup's time."""
        self.admin = self.api.sign_in(self.admin.account["login"], self.admin.password)
        self.reviewers = [self.api.sign_in(r.account["login"], r.password) for r in self.reviewers]


@pytest.fixture
def setup(daemon_factory, request):
    """The daemon and the city; 公示 lasts 0 working days unless the test is marked
    `@pytest.mark.publicity_days(n)`."""
    marker = request.node.get_closest_marker("publicity_days")
    d = daemon_factory(config=CONFIG.format(days=marker.args[0] if marker else 0)).start()
    info = create_tenant(d, "zhengzhou", "4101", "郑州市")
    api = Api(d.http_port, "zhengzhou")
    return d, City(d, api, api.first_login(info["admin_login"], info["admin_password"]))


def committee_steps(account, app_id: int) -> list[dict]:
    """The committee's steps in the application's trail, as `account` reads it."""
    trail = expect(account.get(f"applications/{app_id}/trail"), 200).json["trail"]
    return [t for t in trail if t["decision"].startswith("committee-")]


def status_row(city: City, app_id: int) -> dict:
    rows = expect(city.admin.get("orgs/1/applicant-status"), 200).json["rows"]
    return next(r for r in rows if r["application_id"] == app_id)


def marked_controls(page: str) -> list[str]:
    """The ids of the controls a refusal's page marks as at fault (`aria-invalid`), in their order."""
    return [re.search(r'\bid="([^"]*)"', tag).group(1) for tag in re.findall(r'<(?:input|select|textarea) [^>]*aria-invalid="true"[^>]*>', page)]


def interview_cells(page: str, app_id: int) -> tuple[str, str]:
    """The 面试时间 and 面试地点 cells of an application's row of 申报人员状态查询."""
    row = re.search(rf'<tr data-application="{app_id}">(.*?)</tr>', page, re.S)
    assert row, page[-3000:]
    cells = re.search(r'<td class="interview-time">([^<]*)</td><td class="interview-place">([^<]*)</td>', row.group(1))
    assert cells, row.group(1)
    return cells.group(1), cells.group(2)


@pytest.mark.publicity_days(5)
def test_city_committee_interview_publicity_objection_and_result(setup):
    d, city = setup
    applicant, app = city.passed_application("中级", "一级教师")
    assert expect(applicant.get(f"applications/{app['id']}"), 200).json["state"] == "at_committee"

    expect(city.admin.post(f"applications/{app['id']}/result", {"result": "通过"}), 403, contains="评委会")
    # It waits on the office's desk, marked: no committee covers it yet.
    work = expect(city.admin.get("committee-worklist"), 200).json["items"]
    assert [(i["path"], i["covered"], i.get("evaluation")) for i in work] == [(f"applications/{app['id']}", False, None)], work
    # The desk by 年度: the application's year has it, another year nothing; a year is a number.
    year = expect(applicant.get(f"applications/{app['id']}"), 200).json["year"]
    assert [i["year"] for i in work] == [year]
    assert [i["path"] for i in expect(city.admin.get(f"committee-worklist?year={year}"), 200).json["items"]] == [f"applications/{app['id']}"]
    assert expect(city.admin.get(f"committee-worklist?year={year - 1}"), 200).json["items"] == []
    expect(city.admin.get("committee-worklist?year=x"), 400, field="year")
    # An empty year is every year, in the API as on the screen's filter.
    assert [i["path"] for i in expect(city.admin.get("committee-worklist?year="), 200).json["items"]] == [f"applications/{app['id']}"]
    cookie = {"Cookie": f"zc_session={city.admin.cookie}"}

    def todo() -> list[str]:
        home = city.api.raw("GET", "/t/zhengzhou/home", headers=cookie).body.decode()
        return [t for t in re.findall(r'<li><a href="/t/zhengzhou/committee(?:\?need=\w+)?">([^<]+)</a></li>', home)]

    def todo_link(text: str) -> str:
        """Where the 首页 line `text` leads: the desk narrowed to those items."""
        home = city.api.raw("GET", "/t/zhengzhou/home", headers=cookie).body.decode()
        return html.unescape(re.search(r'<li><a href="([^"]+)">' + re.escape(text) + "</a></li>", home).group(1))

    def desk_items(path: str) -> list[str]:
        return re.findall(r'<tr data-item="([^"]+)">', city.api.raw("GET", path, headers=cookie).body.decode())

    assert todo() == ["有申报已到评委会，但尚无负责的评委会"], todo()
    other = city.api.raw("GET", f"/t/zhengzhou/committee?year={year - 1}", headers=cookie).body.decode()
    assert "暂无到达评委会的申报" in other and f'value="{year - 1}"' in other, other[-3000:]
    assert city.api.raw("GET", "/t/zhengzhou/committee?year=" + quote("二〇二六"), headers=cookie).status == 400
    expect(city.admin.post("committees", {"name": "评委会", "series": ["魔法师"], "levels": ["中级"]}), 400, field="series")
    expect(city.reviewers[0].post("committees", {"name": "评委会", "series": [SERIES], "levels": ["中级"]}), 403)
    committee = expect(city.admin.post("committees", {"name": "郑州市中小学教师中级评委会", "series": [SERIES], "levels": ["中级"]}), 201).json
    # Its name is what applicants and units read: a second committee may not take it.
    with unchanged(d, "zhengzhou"):
        expect(city.admin.post("committees", {"name": "郑州市中小学教师中级评委会", "series": [SERIES], "levels": ["正高级"]}), 409, contains="已有名为")
    assert [c["id"] for c in expect(city.admin.get("committees"), 200).json["committees"]] == [committee["id"]]
    assert [i["covered"] for i in expect(city.admin.get("committee-worklist"), 200).json["items"]] == [True]
    assert todo() == ["评委会评审：1 件待评审"], todo()
    # Each count leads to the desk narrowed to what it counts (待办), as the API narrows it.
    assert todo_link("评委会评审：1 件待评审") == "/t/zhengzhou/committee?need=result"
    assert desk_items("/t/zhengzhou/committee?need=result") == [f"application/{app['id']}"]
    assert [i["path"] for i in expect(city.admin.get("committee-worklist?need=result"), 200).json["items"]] == [f"applications/{app['id']}"]
    assert expect(city.admin.get("committee-worklist?need=confirm"), 200).json["items"] == []
    narrowed = city.api.raw("GET", "/t/zhengzhou/committee?need=objections", headers=cookie).body.decode()
    assert "没有符合条件的申报" in narrowed and '<option value="objections" selected>有异议待处理</option>' in narrowed, narrowed[-3000:]
    with unchanged(d, "zhengzhou"):
        expect(city.admin.get("committee-worklist?need=all"), 400, field="need")
        assert city.api.raw("GET", "/t/zhengzhou/committee?need=all", headers=cookie).status == 400
    # The filter form's 全部 sends an empty need: the whole desk.
    assert desk_items("/t/zhengzhou/committee?year=&applicant=&need=") == [f"application/{app['id']}"]

    when = interview_time(10, 9)
    expect(city.admin.put(f"applications/{app['id']}/interview", {"time": when, "place": "郑州市人社局301"}), 200)
    # The same notice sent twice is one notice (one step in the trail, below), also typed another way.
    expect(city.admin.put(f"applications/{app['id']}/interview", {"time": when.replace(" ", "T"), "place": "郑州市人社局301"}), 200)
    row = status_row(city, app["id"])
    assert row["committee"] == "郑州市中小学教师中级评委会" and "郑州市人社局301" in row["interview"]

    expect(city.admin.post(f"applications/{app['id']}/result", {"result": "优秀"}), 400, field="result")
    expect(city.admin.post(f"applications/{app['id']}/result", {"result": "通过", "note": "长" * 1001}), 400, field="note")
    # Before the interview's time: refused (409), naming it; nothing changes, the UI's form says the same.
    with unchanged(d, "zhengzhou"):
        expect(city.admin.post(f"applications/{app['id']}/result", {"result": "通过", "note": "同意"}), 409, contains=f"面试时间为 {when}，尚未面试")
    item = city.api.raw("GET", f"/t/zhengzhou/committee/application/{app['id']}", headers=cookie).body.decode()
    assert re.search(rf'<p class="hint" id="result-waits">面试时间为 {when}，尚未面试（现在是 [^）]+），面试开始后才能录入评审结果</p>', item), item[-3000:]
    interview_held(d, "zhengzhou")
    assert 'id="result-waits"' not in city.api.raw("GET", f"/t/zhengzhou/committee/application/{app['id']}", headers=cookie).body.decode()
    ev = expect(city.admin.post(f"applications/{app['id']}/result", {"result": "通过", "note": "同意"}), 200).json
    assert ev["state"] == "publicity"
    # The unit's status query says the result and until when it stands in notice.
    # It ends at midnight after the fifth working day, written as the end of that day
    # (YYYY-MM-DD 24:00), which a reader takes to include it.
    until = datetime.datetime.fromisoformat(ev["publicity_until"].replace("Z", "+00:00")).astimezone(CHINA)
    assert (until.hour, until.minute, until.second) == (0, 0, 0), until
    last_day = (until - datetime.timedelta(days=1)).date()
    assert last_day.weekday() < 5, "the last day of the period is a working day"
    assert status_row(city, app["id"])["stage"] == f"公示中（通过，至 {last_day.isoformat()} 24:00）", status_row(city, app["id"])
    notices = expect(applicant.get("public-notices"), 200).json["notices"]
    assert [(n["path"], n["result"], n["committee"]) for n in notices] == [(f"applications/{app['id']}", "通过", "郑州市中小学教师中级评委会")]
    # The 评审表 ends with the committee's opinion, in public notice for now.
    form = expect(city.admin.get(f"applications/{app['id']}/review-form"), 200).body.decode()
    assert "评委会意见" in form and "郑州市中小学教师中级评委会：通过（公示中）。<bdi>同意</bdi>" in form, form[-1500:]
    assert expect(applicant.get(f"applications/{app['id']}"), 200).json["state"] == "publicity"

    # An objection during 公示 blocks the confirmation until the office resolves it.
    objection = expect(city.reviewers[0].post(f"applications/{app['id']}/objections", {"text": "论文存在抄袭", "evidence": "比对报告"}), 201).json["id"]
    # Sent twice (a double click, a retry), it is one objection.
    assert expect(city.reviewers[0].post(f"applications/{app['id']}/objections", {"text": "论文存在抄袭", "evidence": "比对报告"}), 201).json["id"] == objection
    expect(city.admin.post(f"applications/{app['id']}/result/confirm"), 409, contains=f"公示期至 {last_day.isoformat()} 24:00 止")
    assert todo() == ["评审结果公示：1 条异议待处理"], todo()
    assert desk_items(todo_link("评审结果公示：1 条异议待处理")) == [f"application/{app['id']}"]
    assert desk_items("/t/zhengzhou/committee?need=result") == []
    # How many objections are open is the committee's office's to know: the applicant (and the
    # route's reviewers) would tell from it who lodged one.
    assert expect(city.admin.get(f"applications/{app['id']}/evaluation"), 200).json["open_objections"] == 1
    for reader in (applicant, city.reviewers[0]):
        seen = expect(reader.get(f"applications/{app['id']}/evaluation"), 200).json
        assert seen["state"] == "publicity" and "open_objections" not in seen, seen
    end_publicity(d, "zhengzhou")
    expect(city.reviewers[0].post(f"applications/{app['id']}/objections", {"text": "公示期满后的异议"}), 409, contains="公示期已结束")
    expect(city.admin.post(f"applications/{app['id']}/result/confirm"), 409, contains="异议")
    # The desk, the objections and the public notice as the screens read them.
    work = expect(city.admin.get("committee-worklist"), 200).json["items"]
    item = next(i for i in work if i["path"] == f"applications/{app['id']}")
    assert item["evaluation"]["state"] == "publicity" and item["evaluation"]["open_objections"] == 1
    expect(city.reviewers[0].get("committee-worklist"), 403)
    listed = expect(city.admin.get(f"applications/{app['id']}/objections"), 200).json["objections"]
    assert [(o["text"], o["evidence"], o["state"]) for o in listed] == [("论文存在抄袭", "比对报告", "open")]
    # Its period over, the result is no longer in public notice: nobody may object, so it is
    # not listed; every screen says it waits for the office's confirmation.
    assert expect(applicant.get("public-notices"), 200).json["notices"] == []
    assert status_row(city, app["id"])["stage"] == "公示期满，待确认（通过）", status_row(city, app["id"])
    assert expect(applicant.get(f"applications/{app['id']}"), 200).json["state_label"] == "公示期满，待确认"
    form = expect(city.admin.get(f"applications/{app['id']}/review-form"), 200).body.decode()
    assert "郑州市中小学教师中级评委会：通过（公示期满，待确认）。<bdi>同意</bdi>" in form, form[-1500:]
    desk = city.api.raw("GET", "/t/zhengzhou/committee", headers=cookie).body.decode()
    assert "公示期满，待确认（通过）" in desk and "公示中" not in desk, desk[-3000:]
    expect(city.reviewers[0].post(f"objections/{objection}/resolve", {"decision": "dismissed", "reason": "x"}), 403)
    # The desk's form reads the ruling as the API does: one it does not know is refused, not
    # taken as 异议不成立 (final).
    with unchanged(d, "zhengzhou"):
        for ruling in ("uphold", ""):
            r = city.api.raw("POST", f"/t/zhengzhou/committee/application/{app['id']}/objections/{objection}/resolve",
                             body=f"_csrf={city.admin.csrf}&decision={ruling}&reason=x".encode(),
                             headers={**cookie, "Content-Type": "application/x-www-form-urlencoded"})
            # Said in the screens' words: the API's message names the codes (upheld, dismissed).
            assert r.status == 400 and "所选的操作无效，请刷新页面后重新选择" in r.body.decode() and "upheld 或 dismissed" not in r.body.decode(), (ruling, r.status)
        expect(city.admin.post(f"objections/{objection}/resolve", {"decision": "uphold", "reason": "x"}), 400, field="decision")
    expect(city.admin.post(f"objections/{objection}/resolve", {"decision": "dismissed", "reason": ""}), 400, field="reason")
    expect(city.admin.post(f"objections/{objection}/resolve", {"decision": "dismissed", "reason": "长" * 1001}), 400, field="reason")
    expect(city.admin.post(f"objections/{objection}/resolve", {"decision": "dismissed", "reason": "经核查不属实"}), 200)
    assert todo() == ["公示期满待确认结果：1 件"], todo()
    assert desk_items(todo_link("公示期满待确认结果：1 件")) == [f"application/{app['id']}"]
    assert expect(city.admin.get("committee-worklist?need=objections"), 200).json["items"] == []
    final = expect(city.admin.post(f"applications/{app['id']}/result/confirm"), 200).json
    assert final["state"] == "final"
    assert todo() == [], "a final result is no longer work"
    # The desk keeps it; narrowed to what is not final, it is gone.
    assert [i["path"] for i in expect(city.admin.get("committee-worklist"), 200).json["items"]] == [f"applications/{app['id']}"]
    assert expect(city.admin.get("committee-worklist?open=true"), 200).json["items"] == []
    expect(city.admin.get("committee-worklist?open=maybe"), 400, field="open")
    assert "暂无到达评委会的申报" in city.api.raw("GET", "/t/zhengzhou/committee?open=1", headers=cookie).body.decode()
    form = expect(applicant.get(f"applications/{app['id']}/review-form"), 200).body.decode()
    assert "郑州市中小学教师中级评委会：通过。<bdi>同意</bdi>" in form and "公示中" not in form, form[-1500:]
    signed = re.search(r'id="committee-opinion">.*?<span class="sign">([^<]+)</span>', form, re.S)
    final_at = datetime.datetime.fromisoformat(committee_steps(applicant, app["id"])[-1]["at"].replace("Z", "+00:00")).astimezone(CHINA)
    assert signed and signed.group(1) == final_at.strftime("%Y-%m-%d %H:%M"), "dated by the confirmation"
    shown = expect(applicant.get(f"applications/{app['id']}"), 200).json
    assert shown["state"] == "passed" and shown["state_label"] == "评审通过"
    expect(city.reviewers[0].post(f"applications/{app['id']}/objections", {"text": "迟到的异议"}), 409)
    assert expect(applicant.get("public-notices"), 200).json["notices"] == []
    # The trail goes on past the review chain: each step of the committee, the office's
    # staff named to the orgs on the route but not to the applicant.
    steps = committee_steps(applicant, app["id"])
    assert [(t["decision"], t["committee"], t["comment"]) for t in steps] == [
        ("committee-interview", "郑州市中小学教师中级评委会", f"{when}，郑州市人社局301"),
        ("committee-result", "郑州市中小学教师中级评委会", steps[1]["comment"]),
        ("committee-objection-dismissed", "郑州市中小学教师中级评委会", "经核查不属实"),
        ("committee-final", "郑州市中小学教师中级评委会", "通过"),
    ], steps
    assert steps[1]["comment"].startswith("通过，公示至 ") and steps[1]["comment"].endswith("；同意"), steps[1]
    assert [t["decision_label"] for t in steps] == ["面试通知", "评审结果（公示）", "异议不成立", "结果确认"]
    assert {t["org_name"] for t in steps} == {"郑州市职改办"} and {t.get("reviewer") for t in steps} == {None}, steps
    assert {t.get("reviewer") for t in committee_steps(city.reviewers[0], app["id"])} == {city.admin.account["name"]}
    # Whoever objected sees how it was resolved; nobody else sees it.
    own = expect(city.reviewers[0].get("objections/mine"), 200).json["objections"]
    assert [(o["text"], o["state"], o["state_label"], o.get("reason"), o["to_province"], o["committee"]) for o in own] == [
        ("论文存在抄袭", "dismissed", "异议不成立", "经核查不属实", False, "郑州市中小学教师中级评委会")], own
    assert expect(city.admin.get("objections/mine"), 200).json["objections"] == []

    # An upheld objection sets the result aside; the committee decides again.
    _, app2 = city.passed_application("中级", "一级教师")
    expect(city.admin.post(f"applications/{app2['id']}/result", {"result": "通过"}), 200)
    o2 = expect(applicant.post(f"applications/{app2['id']}/objections", {"text": "业绩造假", "evidence": "举报材料"}), 201).json["id"]
    # Logged at the committee's office (org 1), not at the objector's unit, whose admins (and
    # those above) may be the applicant's own.
    assert db_rows(d.tenant_db("zhengzhou"), "SELECT org_id FROM audit WHERE action = 'objection.lodge' AND target = ?", f"objection:{o2}") == [(1,)]
    ev = expect(city.admin.post(f"objections/{o2}/resolve", {"decision": "upheld", "reason": "情况属实"}), 200).json
    assert ev["state"] == "pending" and ev.get("result") is None
    assert expect(city.admin.get(f"applications/{app2['id']}"), 200).json["state"] == "at_committee"
    expect(city.admin.post(f"applications/{app2['id']}/result", {"result": "未通过", "note": "业绩不实"}), 200)
    end_publicity(d, "zhengzhou")
    expect(city.admin.post(f"applications/{app2['id']}/result/confirm"), 200)
    assert expect(city.admin.get(f"applications/{app2['id']}"), 200).json["state"] == "failed"
    assert [(t["decision"], t["comment"].split("，")[0]) for t in committee_steps(city.admin, app2["id"])] == [
        ("committee-result", "通过"), ("committee-objection-upheld", "情况属实"), ("committee-result", "未通过"), ("committee-final", "未通过")]
    assert [(o["text"], o["state"], o["reason"]) for o in expect(applicant.get("objections/mine"), 200).json["objections"]] == [
        ("业绩造假", "upheld", "情况属实")]
    # The trail is append-only, like the reviewers' decisions.
    con = sqlite3.connect(d.tenant_db("zhengzhou"), timeout=10)
    try:
        for sql in ("UPDATE committee_steps SET detail = 'x'", "DELETE FROM committee_steps"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                con.execute(sql)
    finally:
        con.close()
    assert d.call("tenant.check", {"id": "zhengzhou"})["ok"] is True


def committee_seal(form: str) -> tuple[str, str] | None:
    """The seal stamped on a 评审表's 评委会意见: (whose it is, as its alt names it, the image in
    base64), None without one."""
    row = re.search(r'<tr(?: class="keep")? id="committee-opinion">(.*?)</tr>', form, re.S)
    assert row, form[-1500:]
    seal = re.search(r'<img class="seal" src="data:image/png;base64,([A-Za-z0-9+/=]+)" alt="([^"]*)印章">', row.group(1))
    return (seal.group(2), seal.group(1)) if seal else None


def test_the_committees_opinion_is_stamped_with_its_offices_seal_as_it_was_then(setup):
    """The 评委会意见 has the seal of the committee's office beside its date, as each level's
    负责人 opinion has its org's: the seal the office had at the step the opinion is dated by
    (the result entered, then its confirmation), kept with that step, not one uploaded since; none
    when it had none then. Only on an org admin's copy: the applicant's and a reviewer's have no
    seal image. A step written before the office's seal was kept with it (schema v45) is stamped
    with the office's seal now, as older opinions are."""
    d, city = setup
    seals = [png_bytes(3, 3, seed=31 + n) for n in range(3)]
    b64 = [base64.b64encode(seal).decode() for seal in seals]
    office = expect(city.admin.get("orgs/1"), 200).json["name"]
    # 印章管理 says so to the office.
    seal_page = city.api.raw("GET", "/t/zhengzhou/seal", headers={"Cookie": f"zc_session={city.admin.cookie}"}).body.decode()
    assert re.search(r'<p id="seal-committee">[^<]*评委会意见[^<]*</p>', seal_page), seal_page[-2000:]
    applicant, app = city.passed_application("中级", "一级教师")
    expect(city.admin.post("committees", {"name": "郑州市中小学教师中级评委会", "series": [SERIES], "levels": ["中级"]}), 201)

    def stamped(app_id: int) -> tuple[str, str] | None:
        return committee_seal(expect(city.admin.get(f"applications/{app_id}/review-form"), 200).body.decode())

    # Entered while the office had no seal: none, also once it has one.
    expect(city.admin.post(f"applications/{app['id']}/result", {"result": "通过", "note": "同意"}), 200)
    assert stamped(app["id"]) is None
    expect(city.admin.upload("orgs/1/seal", seals[0]), (200, 204))
    assert stamped(app["id"]) is None
    # Confirmed (no days of notice here): dated by the confirmation, with the seal the office had then.
    expect(city.admin.post(f"applications/{app['id']}/result/confirm"), 200)
    assert stamped(app["id"]) == (office, b64[0])
    expect(city.admin.upload("orgs/1/seal", seals[1]), (200, 204))
    assert stamped(app["id"]) == (office, b64[0]), "a later seal changes nothing of a result given"
    # The applicant's copy and a reviewer's: the opinion, no seal image at all.
    for reader in (applicant, city.reviewers[1]):
        copy = expect(reader.get(f"applications/{app['id']}/review-form"), 200).body.decode()
        assert committee_seal(copy) is None and "data:image" not in copy and "郑州市中小学教师中级评委会：通过。<bdi>同意</bdi>" in copy, copy[-1500:]

    # In notice, dated by the result entered: the seal of that moment.
    _, other = city.passed_application("中级", "一级教师")
    expect(city.admin.post(f"applications/{other['id']}/result", {"result": "未通过", "note": "业绩不足"}), 200)
    expect(city.admin.upload("orgs/1/seal", seals[2]), (200, 204))
    assert stamped(other["id"]) == (office, b64[1])

    # A confirmation written as before v45 (no office, no seal with it): the office's seal now.
    db = sqlite3.connect(d.tenant_db("zhengzhou"), timeout=10)
    try:
        with db:
            db.execute("""INSERT INTO committee_steps (application_id, office, committee, actor_name, event, detail, at)
                          SELECT application_id, office, committee, actor_name, event, detail, at FROM committee_steps
                          WHERE application_id = ? AND event = 'final'""", (app["id"],))
    finally:
        db.close()
    assert stamped(app["id"]) == (office, b64[2])


def test_the_city_committee_reads_what_it_judges(setup):
    """The office whose committee judges a city application reads it whole once it has come to
    the committee: every section and each file, in the API and on the desk's item page (which
    had only the 评审表, with no section). Not before: while its reviewers review it, the office's
    admin reads no section, as ever."""
    d, city = setup
    person = expect(city.admin.post("orgs/1/applicants", {"id_number": fresh_id_number(), "name": "钱老师"}), 201).json
    applicant = city.api.first_login(person["account"]["login"], person["password"])
    app = expect(applicant.post("applications", {"kind": "title", "year": 2026, "series": SERIES, "level": "中级", "title": "一级教师"}), 201).json
    for section in SECTIONS:
        expect(applicant.put(f"applications/{app['id']}/sections/{quote(section)}", {"内容": f"{section}：钱老师"}), 200)
    png = png_bytes(4, 4)
    added = expect(city.api.call("POST", f"applications/{app['id']}/attachments", token=applicant, data=png, content_type="image/png",
                                 headers={"X-Filename": quote("教师资格证.png")}), 201).json
    expect(applicant.post(f"applications/{app['id']}/submit"), 200)
    seen = expect(city.admin.get(f"applications/{app['id']}"), 200).json
    assert seen["sections"] == {} and len(seen["hidden_sections"]) == len(SECTIONS) + 1, seen
    expect(city.admin.get(f"applications/{app['id']}/attachments/{added['id']}"), 403)
    for reviewer in city.reviewers:
        city.pass_(reviewer, app["id"])
    seen = expect(city.admin.get(f"applications/{app['id']}"), 200).json
    assert seen["state"] == "at_committee" and seen["hidden_sections"] == [], seen
    assert seen["sections"]["业绩成果"] == {"内容": "业绩成果：钱老师"}, seen["sections"]
    assert expect(city.admin.get(f"applications/{app['id']}/attachments/{added['id']}"), 200).body == png
    expect(city.admin.post("committees", {"name": "郑州市中级评委会", "series": [SERIES], "levels": ["中级"]}), 201)
    page = city.api.raw("GET", f"/t/zhengzhou/committee/application/{app['id']}", headers={"Cookie": f"zc_session={city.admin.cookie}"}).body.decode()
    material = page[page.index('id="item-file"'):]
    material = material[:material.index("</details>")]
    assert "<th scope=\"row\">业绩成果</th><td style=\"white-space:pre-line\">业绩成果：钱老师</td>" in material, material
    assert f'href="/t/zhengzhou/api/v1/applications/{app["id"]}/attachments/{added["id"]}"' in material and "教师资格证.png" in material, material
    assert 'id="item-review-form"' in page
    # One bound for the province has no committee of the city: the office reads no section of it.
    _, senior = city.passed_application("副高级", "高级教师")
    seen = expect(city.admin.get(f"applications/{senior['id']}"), 200).json
    assert seen["state"] == "awaiting_province" and seen["sections"] == {} and len(seen["hidden_sections"]) == len(SECTIONS) + 1, seen


def test_a_department_on_the_route_reads_nothing_of_an_application_at_the_city_committee(setup):
    """Only the office whose committee judges it reads an application at 评委会 whole. The admin
    of a department it came through (here its applicant's own org) reads no section and no file
    of it there, as before it passed: admins read sections only as that office."""
    d, city = setup
    dept_org, dept_login = create_child(city.admin, 1, "郑州市人社局", "department")
    dept = approve_unit(city.api, city.admin, dept_org["id"], dept_login["login"], dept_login["password"])
    approved_plan(dept, city.admin, dept_org["id"], [{"series": SERIES, "level": "中级", "count": 3}])
    reviewers = [add_reviewer(dept, dept_org["id"], login, [role], series=[SERIES]) for login, role in (("rsj.h", "handler"), ("rsj.l", "leader"))]
    person = expect(dept.post(f"orgs/{dept_org['id']}/applicants", {"id_number": fresh_id_number(), "name": "孙老师"}), 201).json
    applicant = city.api.first_login(person["account"]["login"], person["password"])
    app = expect(applicant.post("applications", {"kind": "title", "year": 2026, "series": SERIES, "level": "中级", "title": "一级教师"}), 201).json
    for section in SECTIONS:
        expect(applicant.put(f"applications/{app['id']}/sections/{quote(section)}", {"内容": f"{section}：孙老师"}), 200)
    added = expect(city.api.call("POST", f"applications/{app['id']}/attachments", token=applicant, data=png_bytes(4, 4), content_type="image/png",
                                 headers={"X-Filename": quote("证书.png")}), 201).json
    expect(applicant.post(f"applications/{app['id']}/submit"), 200)
    for reviewer in reviewers + city.reviewers:
        city.pass_(reviewer, app["id"])
    expect(city.admin.post("committees", {"name": "郑州市中级评委会", "series": [SERIES], "levels": ["中级"]}), 201)
    assert expect(city.admin.get(f"applications/{app['id']}"), 200).json["sections"]["业绩成果"] == {"内容": "业绩成果：孙老师"}
    seen = expect(dept.get(f"applications/{app['id']}"), 200).json
    assert seen["state"] == "at_committee" and seen["sections"] == {} and len(seen["hidden_sections"]) == len(SECTIONS) + 1, seen
    with unchanged(d, "zhengzhou"):
        expect(dept.get(f"applications/{app['id']}/attachments/{added['id']}"), 403)
        # Nor the desk's item page, which is the office's.
        assert city.api.raw("GET", f"/t/zhengzhou/committee/application/{app['id']}", headers={"Cookie": f"zc_session={dept.cookie}"}).status == 403
    # Its reviewers read what their content permissions give, as ever.
    assert expect(reviewers[0].get(f"applications/{app['id']}"), 200).json["sections"]["业绩成果"] == {"内容": "业绩成果：孙老师"}


@pytest.mark.publicity_days(5)
def test_the_public_notices_come_a_page_at_a_time_and_by_the_applicants_name(setup):
    """评审结果公示 is seen by every account of the city, each notice with its objection form: 50 a
    page, those ending first first, 下一页 and 第一页, and a search by the applicant's name (taken
    literally); the API's `public-notices` lists every one, or pages them the same way with `limit`
    and `after=next` (and `applicant`, the same search)."""
    d, city = setup
    applicant, app = city.passed_application("中级", "一级教师")
    expect(city.admin.post("committees", {"name": "郑州市中小学教师中级评委会", "series": [SERIES], "levels": ["中级"]}), 201)
    expect(city.admin.post(f"applications/{app['id']}/result", {"result": "通过", "note": "同意"}), 200)
    # 60 more results in notice, each ending a second after the one before (copies beside the daemon).
    db = d.tenant_db("zhengzhou")
    copies = clone_rows(db, "applications", app["id"], 60)
    [(evaluation,)] = db_rows(db, "SELECT id FROM evaluations WHERE application_id = ?", app["id"])
    clone_rows(db, "evaluations", evaluation, 60, bind={"first": copies[0]}, application_id=":first + :n", publicity_until="publicity_until + 1 + :n")
    assert copies == list(range(copies[0], copies[0] + 60))
    ordered = [app["id"]] + copies
    assert [n["path"] for n in expect(applicant.get("public-notices"), 200).json["notices"]] == [f"applications/{i}" for i in ordered]

    cookie = {"Cookie": f"zc_session={applicant.cookie}"}

    def screen(query: str) -> tuple[list[int], str | None, str]:
        r = city.api.raw("GET", "/t/zhengzhou/publicity" + query, headers=cookie)
        assert r.status == 200, (query, r.status)
        body = r.body.decode()
        nxt = re.search(r'id="notices-next" href="([^"]+)"', body)
        return [int(x) for x in re.findall(r'publicity/application/(\d+)/objection', body)], html.unescape(nxt.group(1)) if nxt else None, body

    shown, nxt, body = screen("")
    assert shown == ordered[:50] and nxt is not None and 'id="notices-first"' not in body, body[-2000:]
    shown, nxt, body = screen(nxt[nxt.index("?"):])
    assert shown == ordered[50:] and nxt is None and 'id="notices-first"' in body
    # By name: part of it; nothing else matches, and a wildcard is a character like any other.
    shown, nxt, body = screen("?q=" + quote("周"))
    assert shown == ordered[:50] and "q=%E5%91%A8" in (nxt or ""), nxt
    for other in ("王", "%", "_"):
        shown, nxt, body = screen("?q=" + quote(other))
        assert shown == [] and nxt is None and "目前没有公示中的评审结果" in body, other
    assert city.api.raw("GET", "/t/zhengzhou/publicity?after=abc", headers=cookie).status == 400

    # The API: every one without `limit` (no `next`), or 25 a page, each once, in the same order.
    whole = expect(applicant.get("public-notices"), 200).json
    assert len(whole["notices"]) == 61 and "next" not in whole, whole.keys()
    walked, after, pages = [], "", 0
    for _ in range(10):
        page = expect(applicant.get(f"public-notices?limit=25{after}"), 200).json
        walked += [n["path"] for n in page["notices"]]
        pages += 1
        if page.get("next") is None:
            break
        assert len(page["notices"]) == 25 and page["next"].endswith(f"_0_{page['notices'][-1]['path'].split('/')[1]}"), page["next"]
        after = "&after=" + quote(page["next"], safe="")
    assert walked == [f"applications/{i}" for i in ordered] and pages == 3, (pages, walked[:3])
    # The screen's 下一页 and the API's `next` are the same position.
    assert expect(applicant.get("public-notices?limit=50"), 200).json["next"] == re.search(r"after=([^&]+)", screen("")[1]).group(1)
    # By the applicant's name, as on the screen.
    named = expect(applicant.get("public-notices?limit=50&applicant=" + quote("周")), 200).json
    assert [n["path"] for n in named["notices"]] == [f"applications/{i}" for i in ordered[:50]] and named.get("next")
    for other in ("王", "%", "_"):
        assert expect(applicant.get("public-notices?applicant=" + quote(other)), 200).json == {"notices": []}, other
    with unchanged(d, "zhengzhou"):
        for bad in ("abc", "1.5", "1_5_3", "x_0_3", "nan_0_3", "1_0"):
            expect(applicant.get(f"public-notices?limit=5&after={quote(bad)}"), 400, field="after", contains="after 应为上一页最后一条公示的位置")
        for bad in ("abc", "1.5"):
            expect(applicant.get(f"public-notices?limit={bad}"), 400, field="limit", contains="查询参数 limit 应为整数")
        expect(applicant.get("public-notices?applicant=" + quote("周" * 41)), 400, field="applicant")


def test_the_committee_page_of_an_application_not_yet_taken_up_names_no_committee(setup):
    """Before the office has done anything at its committee, an application's page shows its state
    alone: no committee name, and no separator left standing for one."""
    d, city = setup
    _, app = city.passed_application("中级", "一级教师")
    # The committee covering it (another test of this module may have made it already).
    made = city.admin.post("committees", {"name": "郑州市中小学教师中级评委会", "series": [SERIES], "levels": ["中级"]})
    assert made.status in (201, 409), made
    cookie = {"Cookie": f"zc_session={city.admin.cookie}"}
    page = city.api.raw("GET", f"/t/zhengzhou/committee/application/{app['id']}", headers=cookie)
    assert page.status == 200, page.status
    line = re.search(r'状态：<strong id="item-state">[^<]*</strong>([^<]*)</p>', page.body.decode())
    assert line and line.group(1) == "", (line.group(0) if line else page.body.decode()[-2000:])


@pytest.mark.publicity_days(5)
def test_an_objection_names_who_lodged_it_as_they_were_named_then(setup):
    """An objection is a record of who lodged it: its objector's name corrected afterwards (a
    reviewer's by 人员管理, an applicant's by 编辑) leaves the objections lodged before under the
    name they were lodged under, on the committee's API and page; one lodged since carries the new
    name. Each is named with the objector's org (Objector.displayName). An objection written before
    the name was kept with it reads the account's name now."""
    d, city = setup
    applicant, app = city.passed_application("中级", "一级教师")
    expect(city.admin.post("committees", {"name": "郑州市中小学教师中级评委会", "series": [SERIES], "levels": ["中级"]}), 201)
    expect(city.admin.post(f"applications/{app['id']}/result", {"result": "通过", "note": "同意"}), 200)
    path = f"applications/{app['id']}/objections"
    first = expect(city.reviewers[0].post(path, {"text": "论文存在抄袭", "evidence": "比对报告"}), 201).json["id"]
    second = expect(applicant.post(path, {"text": "业绩材料与事实不符"}), 201).json["id"]
    cookie = {"Cookie": f"zc_session={city.admin.cookie}"}

    def listed() -> list[tuple]:
        return [(o["id"], o["lodged_by"]) for o in expect(city.admin.get(path), 200).json["objections"]]

    def on_page() -> list[str]:
        """Who lodged each objection, as the committee's page of the application lists them."""
        shown = city.api.raw("GET", f"/t/zhengzhou/committee/application/{app['id']}", headers=cookie)
        assert shown.status == 200, shown.status
        table = re.search(r'<table id="objections">(.*?)</table>', shown.body.decode(), re.S)
        assert table, shown.body.decode()[-3000:]
        return re.findall(r"<tr><td>([^<]*)</td>", table.group(1))

    assert listed() == [(first, "r.h（郑州市职改办）"), (second, "周老师（郑州市职改办）")]
    assert on_page() == ["r.h（郑州市职改办）", "周老师（郑州市职改办）"]
    expect(city.admin.patch(f"staff/{city.reviewers[0].id}", {"name": "王审查"}), 200)
    expect(city.admin.patch(f"applicants/{applicant.id}", {"name": "周文"}), 200)
    assert listed() == [(first, "r.h（郑州市职改办）"), (second, "周老师（郑州市职改办）")], "each objection keeps the name it was lodged under"
    assert on_page() == ["r.h（郑州市职改办）", "周老师（郑州市职改办）"]
    # The application itself is the applicant's, named as they are now.
    assert expect(city.admin.get(f"applications/{app['id']}"), 200).json["applicant_name"] == "周文"
    # Lodged since: under the new name.
    third = expect(city.reviewers[0].post(path, {"text": "另一条异议"}), 201).json["id"]
    assert listed()[-1] == (third, "王审查（郑州市职改办）") and on_page()[-1] == "王审查（郑州市职改办）"
    # A row written before the name was kept with it (none there) reads the account as it is now.
    con = sqlite3.connect(d.tenant_db("zhengzhou"), timeout=10)
    try:
        with con:
            con.execute("UPDATE objections SET lodged_by = NULL WHERE id = ?", (first,))
    finally:
        con.close()
    assert listed() == [(first, "王审查"), (second, "周老师（郑州市职改办）"), (third, "王审查（郑州市职改办）")]


@pytest.mark.publicity_days(5)
def test_an_objection_names_who_lodged_it_with_their_org_whichever_committee_it_goes_to(setup):
    """Every unit's admin account is named 系统管理员: an objection to the city's own committee's
    result names who lodged it with their org (系统管理员（回民中学）), as one relayed to the province
    does; the same person objecting to each is named the same on both desks (one rule,
    Objector.displayName). It was the bare account name at the city."""
    d, city = setup
    school, creds = create_child(city.admin, 1, "回民中学", "unit")
    school_admin = approve_unit(city.api, city.admin, school["id"], creds["login"], creds["password"])
    assert school_admin.account["name"] == "系统管理员", school_admin.account
    _, own = city.passed_application("中级", "一级教师")
    expect(city.admin.post("committees", {"name": "郑州市中小学教师中级评委会", "series": [SERIES], "levels": ["中级"]}), 201)
    expect(city.admin.post(f"applications/{own['id']}/result", {"result": "通过"}), 200)
    expect(school_admin.post(f"applications/{own['id']}/objections", {"text": "论文存在抄袭"}), 201)
    listed = expect(city.admin.get(f"applications/{own['id']}/objections"), 200).json["objections"]
    assert [o["lodged_by"] for o in listed] == ["系统管理员（回民中学）"], listed
    assert db_rows(d.tenant_db("zhengzhou"), "SELECT lodged_by FROM objections") == [("系统管理员（回民中学）",)]

    # The same admin objecting to the province's result on the city's 副高级 application.
    province = Province(d)
    _, senior = city.passed_application("副高级", "高级教师")
    rid = province.received(senior["id"])
    expect(province.office.post(f"province/applications/{rid}/result", {"result": "通过"}), 200)
    wait_until(lambda: (expect(city.admin.get(f"applications/{senior['id']}"), 200).json.get("publicity") or {}).get("result") == "通过", 30,
               "the province's notice to reach the city")
    expect(school_admin.post(f"applications/{senior['id']}/objections", {"text": "业绩不实"}), 202)
    relayed = wait_until(lambda: expect(province.office.get(f"province/applications/{rid}/objections"), 200).json["objections"], 30,
                         "the objection to reach the province")
    assert [o["lodged_by"] for o in relayed] == [listed[0]["lodged_by"]], relayed


def test_interview_notices_go_out_in_a_batch_or_not_at_all(setup):
    """POST committee-interviews: one 面试通知 for several applications of the desk, in one
    transaction. One that cannot take it (its result is recorded) refuses the whole batch, named;
    bad input is 400; the desk's 批量发出面试通知 form does the same."""
    d, city = setup
    expect(city.admin.post("committees", {"name": "郑州市中小学教师中级评委会", "series": [SERIES], "levels": ["中级"]}), 201)
    apps = [city.passed_application("中级", "一级教师")[1] for _ in range(4)]
    paths = [f"applications/{a['id']}" for a in apps]
    expect(city.admin.post(f"applications/{apps[2]['id']}/result", {"result": "通过"}), 200)

    url = "committee-interviews"
    notice = {"time": interview_time(20, 14), "place": "市人社局"}
    expect(city.admin.post(url, {"items": paths[:3], **notice}), 409, contains="周老师：评审结果已录入")
    for body, field in (({"items": [], **notice}, "items"), ({"items": ["orgs/1"], **notice}, "items"),
                        ({"items": ["applications/0"], **notice}, "items"), ({"items": paths[:2], "time": " ", "place": "市人社局"}, "time"),
                        ({"items": paths[:2], "time": "14:00", "place": "市人社局"}, "time"),
                        ({"items": paths[:2], "time": notice["time"], "place": ""}, "place")):
        expect(city.admin.post(url, body), 400, field=field)
    expect(city.reviewers[0].post(url, {"items": paths[:2], **notice}), 403)
    assert [status_row(city, a["id"]).get("interview") for a in apps[:2]] == [None, None], "a refused batch sends nothing"

    sent = expect(city.admin.post(url, {"items": paths[:2], **notice}), 200).json["evaluations"]
    assert [(e["interview_time"], e["interview_place"]) for e in sent] == [(notice["time"], "市人社局")] * 2, sent
    assert all("市人社局" in status_row(city, a["id"])["interview"] for a in apps[:2])
    assert [s["decision"] for s in committee_steps(city.admin, apps[0]["id"])] == ["committee-interview"]
    # Sent again, the same notice changes nothing.
    expect(city.admin.post(url, {"items": paths[:2], **notice}), 200)
    assert [s["decision"] for s in committee_steps(city.admin, apps[0]["id"])] == ["committee-interview"]

    # The desk's form: a box for each application without a result, then one notice for those ticked.
    cookie = {"Cookie": f"zc_session={city.admin.cookie}"}
    desk = city.api.raw("GET", "/t/zhengzhou/committee", headers=cookie).body.decode()
    assert f'value="{paths[3]}" form="batch-interview"' in desk and f'value="{paths[2]}" form="batch-interview"' not in desk, desk[-4000:]
    form = f"_csrf={quote(city.admin.csrf)}&items={quote(paths[3])}&time={quote(interview_time(21, 9))}&place={quote('市人社局二楼')}"
    r = city.api.raw("POST", "/t/zhengzhou/committee/batch", body=form.encode(), headers={**cookie, "Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 303 and r.headers.get("location") == "/t/zhengzhou/committee", (r.status, r.headers)
    assert "市人社局二楼" in status_row(city, apps[3]["id"])["interview"]
    # The datetime-local input's value, as the form sends it.
    when = interview_time(23, 9, sep="T")
    form = f"_csrf={quote(city.admin.csrf)}&items={quote(paths[2])}&time={quote(when)}&place={quote('市人社局三楼')}"
    r = city.api.raw("POST", "/t/zhengzhou/committee/batch", body=form.encode(), headers={**cookie, "Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 409 and "评审结果已录入" in r.body.decode(), (r.status, r.body.decode()[-2000:])
    # Refused, the form comes back as typed (the time and place; a box ticked stays ticked).
    page = r.body.decode()
    assert f'value="{when}"' in page and 'value="市人社局三楼"' in page, page[-3000:]

    # The form posts to the page it is on: refused there, that page comes back, filter and
    # ticks kept (not the desk's first page, where the ticked row may not even be).
    view = f"?year=2026&limit=1&after={quote(paths[2], safe='')}"
    desk = city.api.raw("GET", "/t/zhengzhou/committee" + view, headers=cookie).body.decode()
    action = html.unescape(re.search(r'action="([^"]+)" id="batch-interview"', desk).group(1))
    assert action.startswith("/t/zhengzhou/committee/batch?") and "year=2026" in action and "limit=1" in action, action
    assert f"after={paths[2]}" in action, action
    form = f"_csrf={quote(city.admin.csrf)}&items={quote(paths[3])}&time=+&place={quote('市人社局四楼')}"
    r = city.api.raw("POST", action, body=form.encode(), headers={**cookie, "Content-Type": "application/x-www-form-urlencoded"})
    page = r.body.decode()
    assert r.status == 400 and re.findall(r'<tr data-item="([^"]+)"', page) == [paths[3].replace("applications/", "application/")], (r.status, page[-3000:])
    assert re.search(rf'value="{re.escape(paths[3])}" form="batch-interview"[^>]* checked>', page), page[-3000:]
    assert 'value="市人社局四楼"' in page and html.unescape(re.search(r'action="([^"]+)" id="batch-interview"', page).group(1)) == action, page[-3000:]
    assert "市人社局四楼" not in (status_row(city, apps[3]["id"]).get("interview") or ""), "a refused notice is not sent"
    # The time's control is marked as at fault, also when the form posted to the batch's old address
    # (`committee/interviews`, a page left open across an upgrade), which is answered alike.
    assert marked_controls(page) == ["batch-time"], page[-3000:]
    with unchanged(d, "zhengzhou"):
        old = city.api.raw("POST", action.replace("/committee/batch?", "/committee/interviews?"), body=form.encode(),
                           headers={**cookie, "Content-Type": "application/x-www-form-urlencoded"})
    assert old.status == 400 and marked_controls(old.body.decode()) == ["batch-time"], (old.status, old.body.decode()[-3000:])
    assert re.findall(r'<tr data-item="([^"]+)"', old.body.decode()) == re.findall(r'<tr data-item="([^"]+)"', page), "the same page of the desk"
    # Sent, it goes back to that page too.
    form = f"_csrf={quote(city.admin.csrf)}&items={quote(paths[3])}&time={quote(interview_time(22, 9))}&place={quote('市人社局四楼')}"
    r = city.api.raw("POST", action, body=form.encode(), headers={**cookie, "Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 303 and r.headers.get("location") == action.replace("/committee/batch?", "/committee?"), (r.status, r.headers)
    assert "市人社局四楼" in status_row(city, apps[3]["id"])["interview"]

    # 本页全部: the form carries the page's items without a notice yet (no script may tick them all;
    # a notice given is never replaced so: its interview may be held already); nothing ticked and
    # not asked for the page is refused, saying so.
    desk = city.api.raw("GET", "/t/zhengzhou/committee", headers=cookie).body.decode()
    assert 'id="batch-page-submit"' not in desk, "every one has a notice or a result"
    later = [city.passed_application("中级", "一级教师")[1] for _ in range(2)]
    desk = city.api.raw("GET", "/t/zhengzhou/committee", headers=cookie).body.decode()
    carried = re.findall(r'<input type="hidden" name="_page_items" value="([^"]+)">', desk)
    assert carried == [f"applications/{a['id']}" for a in later] and 'id="batch-page-submit"' in desk, (carried, desk[-3000:])
    form = f"_csrf={quote(city.admin.csrf)}&time={quote(interview_time(25, 9))}&place={quote('市人社局五楼')}"
    r = city.api.raw("POST", "/t/zhengzhou/committee/batch", body=form.encode(), headers={**cookie, "Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 400 and "请选择要发出面试通知的申报" in r.body.decode(), (r.status, r.body.decode()[-2000:])
    form += "&scope=page&" + "&".join(f"_page_items={quote(p)}" for p in carried)
    r = city.api.raw("POST", "/t/zhengzhou/committee/batch", body=form.encode(), headers={**cookie, "Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 303, (r.status, r.body.decode()[-2000:])
    assert all("市人社局五楼" in status_row(city, a["id"])["interview"] for a in later)
    assert "市人社局四楼" in status_row(city, apps[3]["id"])["interview"], "a notice given stays"


def test_results_are_entered_and_confirmed_in_a_batch_or_not_at_all(setup):
    """评审结果 for several applications at once (`committee-results`, the desk's batch form with
    its 录入评审结果 button) and 确认结果 of every result a page may confirm (`committee-confirmations`,
    the desk's 确认本页… button): all of them in one transaction or none, one that cannot take
    it named; the single steps keep their own words."""
    d, city = setup
    expect(city.admin.post("committees", {"name": "郑州市中小学教师中级评委会", "series": [SERIES], "levels": ["中级"]}), 201)
    apps = [city.passed_application("中级", "一级教师")[1] for _ in range(3)]
    paths = [f"applications/{a['id']}" for a in apps]
    school, creds = create_child(city.admin, 1, "郑州市第九中学", "unit")
    school_admin = approve_unit(city.api, city.admin, school["id"], creds["login"], creds["password"])
    # The third's interview is to come: a batch naming it is refused whole, naming whose it is.
    expect(city.admin.put(f"applications/{apps[2]['id']}/interview", {"time": interview_time(10, 9), "place": "会议室"}), 200)
    with unchanged(d, "zhengzhou"):
        expect(city.admin.post("committee-results", {"items": paths, "result": "通过", "note": "同意"}), 409, contains="周老师：面试时间为")
        expect(city.admin.post("committee-results", {"items": paths[:2], "result": "优秀"}), 400, field="result")
        expect(city.admin.post("committee-results", {"items": [], "result": "通过"}), 400, field="items", contains="请选择要录入评审结果的申报")
        expect(city.admin.post("committee-results", {"items": ["applications/x"], "result": "通过"}), 400, field="items")
        expect(city.admin.post("committee-results", {"items": paths[:2], "result": "通过", "note": "长" * 1001}), 400, field="note")
        expect(city.reviewers[0].post("committee-results", {"items": paths[:2], "result": "通过"}), 403)
        # A unit's admin, and an item the office cannot act on: refused, and nobody named who the
        # caller may not see (the item by its place in the batch).
        for step, body in (("committee-results", {"result": "通过"}), ("committee-confirmations", {}), ("committee-interviews", {"time": interview_time(10, 9), "place": "会议室"})):
            r = expect(school_admin.post(step, {"items": paths[:2], **body}), 403)
            assert "周老师" not in r.body.decode(), r.body.decode()
        r = expect(city.admin.post("committee-results", {"items": [paths[0], "applications/999999"], "result": "通过"}), 404)
        assert r.json["error"]["message"].startswith("所选的第 2 份申报：") and "周老师" not in r.body.decode(), r.json
        expect(city.admin.post("committee-confirmations", {"items": paths[:2]}), 409, contains="不在公示中")
    # An item named twice is taken once.
    done = expect(city.admin.post("committee-results", {"items": paths[:2] + paths[:1], "result": "通过", "note": "表决通过"}), 200).json["evaluations"]
    assert [e["state"] for e in done] == ["publicity"] * 2 and len({e["publicity_until"] for e in done}) == 1, done
    assert [s["comment"].split("，")[0] for a in apps[:2] for s in committee_steps(city.admin, a["id"])] == ["通过", "通过"]
    # Sent again (a retry): the results are recorded already, nothing changes.
    with unchanged(d, "zhengzhou"):
        expect(city.admin.post("committee-results", {"items": paths[:2], "result": "通过"}), 409, contains="评审结果已录入")
    # 公示 lasts 0 working days here: over at once; both confirmed in one step, then neither again.
    confirmed = expect(city.admin.post("committee-confirmations", {"items": paths[:2]}), 200).json["evaluations"]
    assert [e["state"] for e in confirmed] == ["final"] * 2
    assert [expect(city.admin.get(f"applications/{a['id']}"), 200).json["state"] for a in apps[:2]] == ["passed"] * 2
    with unchanged(d, "zhengzhou"):
        expect(city.admin.post("committee-confirmations", {"items": paths[:2]}), 409, contains="不在公示中")
        expect(city.admin.post("committee-confirmations", {"items": []}), 400, field="items")

    # The desk: 录入评审结果 for the ticked ones through the batch form; refused, it comes back with
    # the ticks, the result and the note kept and the result's control marked.
    cookie = {"Cookie": f"zc_session={city.admin.cookie}", "Content-Type": "application/x-www-form-urlencoded"}
    more = [city.passed_application("中级", "一级教师")[1] for _ in range(2)]
    ticked = "&".join(f"items={quote('applications/' + str(a['id']))}" for a in more)
    with unchanged(d, "zhengzhou"):
        r = city.api.raw("POST", "/t/zhengzhou/committee/batch", body=f"_csrf={quote(city.admin.csrf)}&then=results&note={quote('表决')}&{ticked}".encode(), headers=cookie)
        page = r.body.decode()
        assert r.status == 400 and "评审结果应为“通过”或“未通过”" in page, (r.status, page[-2000:])
        assert 'id="batch-note" size="40" value="表决"' in page and re.search(r'<input aria-invalid="true"[^>]*id="batch-result-pass"', page), page[-3000:]
        assert all(re.search(rf'value="applications/{a["id"]}" form="batch-interview"[^>]* checked>', page) for a in more), page[-3000:]
        assert marked_controls(page) == ["batch-result-pass", "batch-result-fail"], page[-3000:]
        # Posted to the batch's old address (a page left open across an upgrade): the same refusal, the control marked alike.
        r = city.api.raw("POST", "/t/zhengzhou/committee/interviews", body=f"_csrf={quote(city.admin.csrf)}&then=results&note={quote('表决')}&{ticked}".encode(), headers=cookie)
        old = r.body.decode()
        assert r.status == 400 and "评审结果应为“通过”或“未通过”" in old and 'id="batch-note" size="40" value="表决"' in old, (r.status, old[-2000:])
        assert marked_controls(old) == ["batch-result-pass", "batch-result-fail"], old[-3000:]
    # Asked first, counting them and naming the result; then recorded.
    posted = f"_csrf={quote(city.admin.csrf)}&then=results&result={quote('未通过')}&{ticked}"
    r = city.api.raw("POST", "/t/zhengzhou/committee/batch?need=result", body=posted.encode(), headers=cookie)
    asked = r.body.decode()
    assert r.status == 200 and "确定为所选的 2 份申报录入评审结果“未通过”并开始公示吗？" in asked, (r.status, asked[-2000:])
    assert 'action="/t/zhengzhou/committee/batch?need=result"' in asked, "the confirmation posts back to the desk's view"
    # 取消 goes back to the page the form was on, its view (query) too.
    r = city.api.raw("POST", "/t/zhengzhou/committee/batch?need=result", body=posted.encode(),
                     headers={**cookie, "Referer": f"http://127.0.0.1:{d.http_port}/t/zhengzhou/committee?need=result&year=2026"})
    assert re.search(r'href="/t/zhengzhou/committee\?need=result&(amp;)?year=2026" id="confirm-no"', r.body.decode()), r.body.decode()[-1500:]
    # While a 待办 is chosen, 只看未确认结果的 shows ticked and is not sent.
    desk = city.api.raw("GET", "/t/zhengzhou/committee?need=result", headers=cookie).body.decode()
    assert re.search(r'id="worklist-open" checked disabled>', desk), desk[-3000:]
    r = city.api.raw("POST", "/t/zhengzhou/committee/batch", body=(posted + "&_confirmed=1").encode(), headers=cookie)
    assert r.status == 303, (r.status, r.body.decode()[-2000:])
    assert [expect(city.admin.get(f"applications/{a['id']}/evaluation"), 200).json["result"] for a in more] == ["未通过"] * 2
    # 确认本页…: the form carries the page's results that may be confirmed, and only those.
    desk = city.api.raw("GET", "/t/zhengzhou/committee", headers=cookie).body.decode()
    carried = re.findall(r'<input type="hidden" name="_confirm_items" value="([^"]+)">', desk)
    assert carried == [f"applications/{a['id']}" for a in more] and "确认本页 2 份公示期满、异议均已处理的评审结果" in desk, (carried, desk[-3000:])
    form = f"_csrf={quote(city.admin.csrf)}&" + "&".join(f"_confirm_items={quote(p)}" for p in carried)
    r = city.api.raw("POST", "/t/zhengzhou/committee/confirmations", body=form.encode(), headers=cookie)
    assert r.status == 200 and "确定确认这 2 份申报的评审结果吗？确认后即为最终结果，不能撤销。" in r.body.decode(), (r.status, r.body.decode()[-2000:])
    r = city.api.raw("POST", "/t/zhengzhou/committee/confirmations", body=(form + "&_confirmed=1").encode(), headers=cookie)
    assert r.status == 303, (r.status, r.body.decode()[-2000:])
    assert [expect(city.admin.get(f"applications/{a['id']}"), 200).json["state"] for a in more] == ["failed"] * 2
    assert 'id="batch-confirm"' not in city.api.raw("GET", "/t/zhengzhou/committee", headers=cookie).body.decode()


def test_a_batch_names_an_item_the_office_may_not_act_on_by_its_place_not_its_applicant(setup):
    """An item of a batch step that the office sees but may not act on (403, not 404: a 副高级
    application on the city's route, evaluated by the province's committee) refuses the whole
    batch — notices, results and confirmations alike — naming the item by its place in `items`,
    never by whose it is, and nothing is done, not even to the items before it."""
    d, city = setup
    expect(city.admin.post("committees", {"name": "郑州市中小学教师中级评委会", "series": [SERIES], "levels": ["中级"]}), 201)
    pending, decided = (city.passed_application("中级", "一级教师")[1] for _ in range(2))
    expect(city.admin.post(f"applications/{decided['id']}/result", {"result": "通过"}), 200)   # 公示 of 0 days: over at once
    _, senior = city.passed_application("副高级", "高级教师", name="吴老师")
    assert expect(city.admin.get(f"applications/{senior['id']}"), 200).json["state"] == "awaiting_province"
    # Alone, the office is told why (the message of one step, no place to name).
    expect(city.admin.post(f"applications/{senior['id']}/result", {"result": "通过"}), 403, contains="该申报由省职改办的评委会评审")
    first, confirmable, provinces = (f"applications/{a['id']}" for a in (pending, decided, senior))
    with unchanged(d, "zhengzhou"):
        for step, items, body, place, undone in (
                ("committee-interviews", [first, provinces], {"time": interview_time(10, 9), "place": "会议室"}, 2, "本次通知均未发出"),
                ("committee-results", [first, provinces], {"result": "通过", "note": "同意"}, 2, "本次结果均未录入"),
                ("committee-results", [provinces, first], {"result": "通过"}, 1, "本次结果均未录入"),
                ("committee-confirmations", [confirmable, provinces], {}, 2, "本次结果均未确认")):
            r = expect(city.admin.post(step, {"items": items, **body}), 403)
            assert r.json["error"]["message"] == f"所选的第 {place} 份申报：该申报由省职改办的评委会评审（{undone}）", (step, r.json)
            assert "吴老师" not in r.body.decode() and "周老师" not in r.body.decode(), (step, r.json)
    # The items before it were refused with it, not for themselves: alone, each takes the step.
    assert expect(city.admin.post("committee-results", {"items": [first], "result": "通过"}), 200).json["evaluations"][0]["state"] == "publicity"
    assert expect(city.admin.post("committee-confirmations", {"items": [confirmable]}), 200).json["evaluations"][0]["state"] == "final"


@pytest.mark.publicity_days(5)
def test_the_province_decides_the_cities_hand_overs_in_a_batch_and_narrows_its_desk(setup):
    """The province's committee desk: results and their confirmation for the cities' hand-overs in
    one step each (each city told), and 待办 (`need=result`) over a desk whose first hundreds of
    rows wait for a committee the office has not set up: the page still finds the one it may
    decide, past them."""
    d, city = setup
    province = Province(d)
    apps = [city.passed_application("副高级", "高级教师")[1] for _ in range(2)]
    rids = [province.received(a["id"]) for a in apps]
    paths = [f"province/applications/{rid}" for rid in rids]
    assert [i["path"] for i in expect(province.office.get("committee-worklist?need=result"), 200).json["items"]] == paths
    done = expect(province.office.post("committee-results", {"items": paths, "result": "通过", "note": "表决通过"}), 200).json["evaluations"]
    assert [e["state"] for e in done] == ["publicity"] * 2
    wait_until(lambda: all((expect(city.admin.get(f"applications/{a['id']}"), 200).json.get("publicity") or {}).get("result") == "通过" for a in apps), 30,
               "the province's notices to reach the city")
    with unchanged(d, "province"):
        expect(province.office.post("committee-confirmations", {"items": paths}), 409, contains="公示期至")
    end_publicity(d, "province")
    assert [i["path"] for i in expect(province.office.get("committee-worklist?need=confirm"), 200).json["items"]] == paths
    assert [e["state"] for e in expect(province.office.post("committee-confirmations", {"items": paths}), 200).json["evaluations"]] == ["final"] * 2
    wait_until(lambda: [expect(city.admin.get(f"applications/{a['id']}"), 200).json["state"] for a in apps] == ["passed"] * 2, 30,
               "the province's results to reach the city")

    # 130 hand-overs of a series no committee of the office covers, then one it covers.
    uncovered = clone_rows(d.tenant_db("province"), "received_applications", rids[0], 130, bind={"state": "received"},
                           source_application_id="source_application_id + 200000 + :n", message_id="message_id || '-other' || :n",
                           state=":state", result="NULL", series="'工程技术'")
    covered = clone_received(d, rids[0], 1, "received")[0]
    assert min(uncovered) > max(rids) and covered > max(uncovered)
    with unchanged(d, "province"):
        page = expect(province.office.get("committee-worklist?need=result&limit=1"), 200).json
        assert [i["path"] for i in page["items"]] == [f"province/applications/{covered}"] and page.get("next") is None, page
        assert len(expect(province.office.get("committee-worklist?open=true&limit=500"), 200).json["items"]) == 131


def test_an_interview_time_is_one_real_minute_to_come_on_every_path(setup):
    """The time of a 面试通知, one rule for PUT applications/<id>/interview, POST committee-interviews
    and the desk's two forms: what an office types (full width too) and what a datetime-local input
    sends is stored, shown and put in the trail as YYYY-MM-DD HH:MM (China time); one that is no
    minute, no real day or time, already past or after next year is 400 naming `time` and changes
    nothing, for a batch none of its items. A notice of free text stored by an earlier version is
    shown as it is on every screen, never refused on reading, until a new notice replaces it."""
    d, city = setup
    expect(city.admin.post("committees", {"name": "郑州市中小学教师中级评委会", "series": [SERIES], "levels": ["中级"]}), 201)
    people = [city.passed_application("中级", "一级教师") for _ in range(2)]
    apps = [a for _, a in people]
    paths = [f"applications/{a['id']}" for a in apps]
    cookie = {"Cookie": f"zc_session={city.admin.cookie}"}
    posted = {**cookie, "Content-Type": "application/x-www-form-urlencoded"}
    year = datetime.datetime.now(CHINA).year
    refused = {
        "下周三上午": "面试时间应为 2026-12-05 09:30 这样的日期和时间",
        f"{year + 1}-03-01": "面试时间应为",
        f"{year + 1}-02-30 09:00": f"没有 {year + 1}-02-30 这一天",
        f"{year + 1}-13-45 09:00": f"没有 {year + 1}-13-45 这一天",
        f"{year + 1}-03-01 24:00": "没有 24:00 这一时刻",
        interview_time(-1, 9): "已过",
        f"{year + 2}-01-01 09:00": f"面试时间不能晚于 {year + 1}-12-31 23:59",
        " ": "请填写面试时间",
    }
    with unchanged(d, "zhengzhou"):
        for raw, says in refused.items():
            expect(city.admin.put(f"{paths[0]}/interview", {"time": raw, "place": "市人社局"}), 400, field="time", contains=says)
            expect(city.admin.post("committee-interviews", {"items": paths, "time": raw, "place": "市人社局"}), 400, field="time", contains=says)
        # The desk's forms: the same refusal, the time's control marked; the batch form keeps what
        # its datetime-local input can hold.
        past = interview_time(-1, 9, sep="T")
        form = f"_csrf={quote(city.admin.csrf)}&items={quote(paths[0])}&items={quote(paths[1])}&time={quote(past)}&place={quote('市人社局')}"
        r = city.api.raw("POST", "/t/zhengzhou/committee/batch", body=form.encode(), headers=posted)
        page = r.body.decode()
        assert r.status == 400 and "已过" in page, (r.status, page[-2000:])
        control = re.search(r'<input[^>]* id="batch-time"[^>]*>', page).group(0)
        assert 'type="datetime-local"' in control and f'value="{past}"' in control and 'aria-invalid="true"' in control, control
        form = f"_csrf={quote(city.admin.csrf)}&time={quote(f'{year + 1}-02-30T09:00')}&place={quote('市人社局')}"
        r = city.api.raw("POST", f"/t/zhengzhou/committee/application/{apps[0]['id']}/interview", body=form.encode(), headers=posted)
        page = r.body.decode()
        assert r.status == 400 and f"没有 {year + 1}-02-30 这一天" in page, (r.status, page[-2000:])
        control = re.search(r'<input[^>]* id="interview-time"[^>]*>', page).group(0)
        assert 'type="datetime-local"' in control and 'aria-invalid="true"' in control, control
    assert [status_row(city, a["id"]).get("interview") for a in apps] == [None, None]

    # The forms offer the times a notice may name: from now to the end of next year.
    item = city.api.raw("GET", f"/t/zhengzhou/committee/application/{apps[0]['id']}", headers=cookie).body.decode()
    bounds = re.search(r'id="interview-time" required min="([^"]+)" max="([^"]+)"', item)
    assert bounds and bounds.group(2) == f"{year + 1}-12-31T23:59", item[-3000:]
    assert interview_time(0, 0, sep="T") <= bounds.group(1) <= datetime.datetime.now(CHINA).strftime("%Y-%m-%dT%H:%M"), bounds.group(1)

    # Typed as an office does: stored and shown as one minute; the same minute typed otherwise is the same notice.
    full_width = f"{year + 1}年3月1日 9:30".translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789:"})
    ev = expect(city.admin.put(f"{paths[0]}/interview", {"time": full_width, "place": "市人社局"}), 200).json
    assert ev["interview_time"] == f"{year + 1}-03-01 09:30", ev
    expect(city.admin.put(f"{paths[0]}/interview", {"time": f"{year + 1}-03-01T09:30", "place": "市人社局"}), 200)
    assert [(s["decision"], s["comment"]) for s in committee_steps(city.admin, apps[0]["id"])] == [("committee-interview", f"{year + 1}-03-01 09:30，市人社局")]
    row = status_row(city, apps[0]["id"])
    assert (row["interview"], row["interview_time"], row["interview_place"]) == (f"{year + 1}-03-01 09:30，市人社局", f"{year + 1}-03-01 09:30", "市人社局"), row
    # The batch, as the desk's datetime-local input sends it.
    form = f"_csrf={quote(city.admin.csrf)}&items={quote(paths[0])}&items={quote(paths[1])}&time={quote(f'{year + 1}-03-02T14:00')}&place={quote('市人社局二楼')}"
    r = city.api.raw("POST", "/t/zhengzhou/committee/batch", body=form.encode(), headers=posted)
    assert r.status == 303, (r.status, r.body.decode()[-2000:])
    assert [status_row(city, a["id"])["interview"] for a in apps] == [f"{year + 1}-03-02 14:00，市人社局二楼"] * 2
    assert expect(city.admin.get(f"{paths[1]}/evaluation"), 200).json["interview_time"] == f"{year + 1}-03-02 14:00"
    # 申报人员状态查询 shows the time and the place in columns of their own (manual §6: 面试通知, 地点);
    # one without a notice yet has a dash in each.
    fresh = city.passed_application("中级", "一级教师")[1]
    page = city.api.raw("GET", "/t/zhengzhou/status", headers=cookie).body.decode()
    assert "<th>评委会</th><th>面试时间</th><th>面试地点</th><th>评审表</th>" in page, page[-3000:]
    assert [interview_cells(page, a["id"]) for a in apps] == [(f"{year + 1}-03-02 14:00", "市人社局二楼")] * 2
    assert interview_cells(page, fresh["id"]) == ("—", "—")
    assert "，市人社局二楼" not in page, "the notice is not shown joined up as well"

    # A notice an earlier version stored as typed: shown as it is, on every screen.
    con = sqlite3.connect(d.tenant_db("zhengzhou"), timeout=10)
    try:
        with con:
            con.execute("UPDATE evaluations SET interview_time = '下周三上午' WHERE application_id = ?", (apps[1]["id"],))
            con.execute("UPDATE applications SET interview = '下周三上午，市人社局二楼' WHERE id = ?", (apps[1]["id"],))
    finally:
        con.close()
    legacy = "下周三上午，市人社局二楼"
    applicant = people[1][0]
    assert expect(applicant.get(f"{paths[1]}/evaluation"), 200).json["interview_time"] == "下周三上午"
    assert expect(applicant.get(paths[1]), 200).json["interview"] == legacy
    row = status_row(city, apps[1]["id"])
    assert (row["interview"], row["interview_time"], row["interview_place"]) == (legacy, "下周三上午", "市人社局二楼"), row
    # Every screen shows its time as typed and its place, apart.
    page = city.api.raw("GET", "/t/zhengzhou/status", headers=cookie).body.decode()
    assert interview_cells(page, apps[1]["id"]) == ("下周三上午", "市人社局二楼")
    screens = {
        "the committee desk's item": (city.api.raw("GET", f"/t/zhengzhou/committee/application/{apps[1]['id']}", headers=cookie),
                                      'id="item-interview">面试时间：<span id="item-interview-time">下周三上午</span> · 面试地点：<span id="item-interview-place">市人社局二楼</span>'),
        "the applicant's application": (applicant.api.raw("GET", f"/t/zhengzhou/applications/{apps[1]['id']}", headers={"Cookie": f"zc_session={applicant.cookie}"}),
                                        '<th scope="row">面试时间</th><td id="app-interview-time">下周三上午</td>'),
        "the 评审表": (applicant.get(f"{paths[1]}/review-form"),
                      '<th scope="row">面试时间</th><td id="f-interview-time">下周三上午</td><th scope="row">面试地点</th><td id="f-interview-place">市人社局二楼</td>'),
    }
    for screen, (r, shown) in screens.items():
        assert r.status == 200 and shown in r.body.decode(), (screen, r.status, r.body.decode()[-2000:])
    assert '<th scope="row">面试地点</th><td id="app-interview-place">市人社局二楼</td>' in screens["the applicant's application"][0].body.decode()
    # A new notice replaces it (free text is no time to compare with), as one minute.
    expect(city.admin.put(f"{paths[1]}/interview", {"time": f"{year + 1}-03-02 14:00", "place": "市人社局二楼"}), 200)
    assert status_row(city, apps[1]["id"])["interview"] == f"{year + 1}-03-02 14:00，市人社局二楼"


def test_a_committee_is_changed_by_its_office(setup):
    """PATCH committees/<id>: its series and levels decide what it takes up from now on, its rule
    the sessions to come; its name only until it took up an application. Bad input is 400 and
    changes nothing; another org's account cannot change it."""
    d, city = setup
    c = expect(city.admin.post("committees", {"name": "郑州市中小学教师评委会", "series": [SERIES], "levels": ["初级"]}), 201).json
    _, app = city.passed_application("中级", "一级教师")

    def covered() -> bool:
        items = expect(city.admin.get("committee-worklist"), 200).json["items"]
        return next(i for i in items if i["path"] == f"applications/{app['id']}")["covered"]

    assert covered() is False  # 中级 is not its level yet
    for body, field in (({"series": []}, "series"), ({"series": ["魔法师"]}, "series"), ({"levels": ["特级"]}, "levels"),
                        ({"levels": []}, "levels"), ({"rule": "抽签"}, "rule"), ({"name": "  "}, "name")):
        expect(city.admin.patch(f"committees/{c['id']}", body), 400, field=field)
    assert [x for x in expect(city.admin.get("committees"), 200).json["committees"] if x["id"] == c["id"]] == [c], "a refused change changes nothing"
    expect(city.reviewers[0].patch(f"committees/{c['id']}", {"levels": ["中级"]}), 403)
    expect(city.admin.patch(f"committees/{c['id'] + 100}", {"levels": ["中级"]}), 404)

    changed = expect(city.admin.patch(f"committees/{c['id']}", {"levels": ["初级", "中级"], "name": "郑州市中小学教师中初级评委会"}), 200).json
    assert (changed["name"], changed["series"], changed["levels"], changed["rule"]) == ("郑州市中小学教师中初级评委会", [SERIES], ["初级", "中级"], c["rule"]), changed
    assert covered() is True
    # Once it took up an application, its name is what notices went out under.
    expect(city.admin.put(f"applications/{app['id']}/interview", {"time": interview_time(20, 14), "place": "市人社局"}), 200)
    expect(city.admin.patch(f"committees/{c['id']}", {"name": "别的名字"}), 409, contains="名称不能再修改")
    expect(city.admin.patch(f"committees/{c['id']}", {"levels": ["中级"]}), 200)
    assert expect(city.admin.get(f"applications/{app['id']}/evaluation"), 200).json["committee"] == "郑州市中小学教师中初级评委会"
    audit = expect(city.admin.get("audit?limit=20"), 200).json["entries"]
    assert [e["action"] for e in audit].count("committee.update") == 2, [e["action"] for e in audit]

    # The desk's 修改 form: the same rules; a refused change answers with the desk and the reason.
    headers = {"Cookie": f"zc_session={city.admin.cookie}", "Content-Type": "application/x-www-form-urlencoded"}
    desk = city.api.raw("GET", "/t/zhengzhou/committee", headers=headers).body.decode()
    assert f'action="/t/zhengzhou/committee/settings/{c["id"]}"' in desk, desk[-3000:]
    base = f"_csrf={quote(city.admin.csrf)}&name={quote('郑州市中小学教师中初级评委会')}&rule={c['rule']}"
    r = city.api.raw("POST", f"/t/zhengzhou/committee/settings/{c['id']}", body=(base + f"&levels={quote('中级')}").encode(), headers=headers)
    assert r.status == 400 and "请选择评委会负责的系列" in r.body.decode(), (r.status, r.body.decode()[-1500:])
    r = city.api.raw("POST", f"/t/zhengzhou/committee/settings/{c['id']}",
                     body=(base + f"&series={quote(SERIES)}&levels={quote('中级')}&levels={quote('副高级')}").encode(), headers=headers)
    assert r.status == 303 and r.headers.get("location") == "/t/zhengzhou/committee", (r.status, r.headers)
    assert [x["levels"] for x in expect(city.admin.get("committees"), 200).json["committees"] if x["id"] == c["id"]] == [["中级", "副高级"]]


def test_province_committee_result_flows_back_to_the_city(setup):
    d, city = setup
    pinfo = create_tenant(d, "province", "41", "河南省", kind="province")
    applicant, app = city.passed_application("副高级", "高级教师")
    papi = Api(d.http_port, "province")
    office = papi.first_login(pinfo["admin_login"], pinfo["admin_password"])
    # Both offices have a seal: the city's copy of the province's result has neither (the city holds nothing of the province's seal).
    expect(office.upload("orgs/1/seal", png_bytes(3, 3, seed=41)), (200, 204))
    expect(city.admin.upload("orgs/1/seal", png_bytes(3, 3, seed=42)), (200, 204))

    def received():
        rows = expect(office.get("province/applications"), 200).json["applications"]
        return rows[0] if rows else None

    rid = wait_until(received, 30, "the province to receive the application")["id"]
    assert received()["state"] == "in_review"
    # Not the committee's yet: the office's own 经办人 and 负责人 review it first.
    expect(office.post("committees", {"name": "河南省中小学教师高级评委会", "series": [SERIES], "levels": ["副高级", "正高级"]}), 201)
    assert expect(office.get("committee-worklist"), 200).json["items"] == []
    expect(office.put(f"province/applications/{rid}/interview", {"time": interview_time(20, 14), "place": "省人社厅"}), 409, contains="省职改办审查中")
    province_passes(office, rid)
    # The leader's 通过 sent again (a double click) is answered with where it is, recorded once.
    again = expect(office._province_reviewers[1].post(f"province/reviews/{rid}/decision", {"decision": "pass", "comment": "符合申报条件"}), 200).json
    assert again["state"] == "received", again
    assert db_rows(d.tenant_db("province"), "SELECT stage, decision FROM received_decisions WHERE received_id = ?", rid) == [("handler", "pass"), ("leader", "pass")]
    # The province office reads what the city sent: every section and each level's opinion.
    whole = expect(office.get(f"province/applications/{rid}"), 200).json
    assert (whole["id"], whole["source_tenant"], whole["source_application_id"], whole["title"]) == (rid, "zhengzhou", app["id"], "高级教师"), whole
    assert whole["id_number"] == applicant.account["login"], whole
    assert whole["sections"] == {section: {"内容": section} for section in SECTIONS}, whole["sections"]
    assert [(t["org"], t["stage"], t["decision"], t["comment"]) for t in whole["city_trail"] if t["org"]] == [
        ("郑州市职改办", "handler", "pass", "同意"), ("郑州市职改办", "leader", "pass", "同意")], whole["city_trail"]
    expect(office.get(f"province/applications/{rid + 1000}"), 404)
    expect(office.get("province/applications/abc"), 404)
    expect(city.admin.get(f"province/applications/{rid}"), (403, 404))  # a city has no such thing
    assert [(d["step"], d["decision"], d["comment"]) for d in whole["province_decisions"]] == [("handler", "pass", "符合申报条件"), ("leader", "pass", "符合申报条件")]
    # The desk's item page shows the same: 申报材料, the city's opinions and the office's.
    page = office.api.raw("GET", f"/t/province/committee/received/{rid}", headers={"Cookie": f"zc_session={office.cookie}"}).body.decode()
    assert 'id="item-sections"' in page and "论文著作" in page and "郑州市职改办" in page and "负责人审查" in page, page[-3000:]
    # The desk names the city the application came from.
    desk = expect(office.get("committee-worklist"), 200).json["items"]
    assert [(i["source_tenant"], i["source_tenant_name"]) for i in desk] == [("zhengzhou", "郑州市")], desk
    assert expect(office.get(f"committee-worklist?year={desk[0]['year']}"), 200).json["items"] == desk
    assert expect(office.get(f"committee-worklist?year={desk[0]['year'] + 1}"), 200).json["items"] == []
    # The province's notice is read and checked as the city's: a bad time is 400 naming it, and nothing is sent.
    relay_idle(d, ["province", "zhengzhou"])
    with unchanged(d, "province"):
        for bad in ("下周三上午", interview_time(-1, 9), f"{datetime.date.today().year + 5}-03-01 09:00", f"{interview_time(20)[:8]}32 09:00"):
            expect(office.put(f"province/applications/{rid}/interview", {"time": bad, "place": "省人社厅"}), 400, field="time", contains="面试时间")
    # As a datetime-local input with seconds sends it: stored, sent and shown as YYYY-MM-DD HH:MM.
    when = interview_time(20, 14)
    ev = expect(office.put(f"province/applications/{rid}/interview", {"time": when.replace(" ", "T") + ":00", "place": "省人社厅"}), 200).json
    assert (ev["interview_time"], ev["interview_place"]) == (when, "省人社厅"), ev
    wait_until(lambda: status_row(city, app["id"])["interview"] == f"{when}，省人社厅", 30, "the interview notice to reach the city")
    assert status_row(city, app["id"])["committee"] == "河南省中小学教师高级评委会"
    # The province's committee, too, waits for its interview.
    with unchanged(d, "province"):
        expect(office.post(f"province/applications/{rid}/result", {"result": "通过"}), 409, contains=f"面试时间为 {when}，尚未面试")
    interview_held(d, "province")
    expect(office.post(f"province/applications/{rid}/result", {"result": "通过"}), 200)
    # No working days of notice here: the province's own list says it waits for confirmation.
    assert expect(office.get(f"province/reviews/{rid}"), 200).json["stage_label"] == "评审结果公示期满，待确认"
    expect(office.post(f"province/applications/{rid}/result/confirm"), 200)
    wait_until(lambda: expect(applicant.get(f"applications/{app['id']}"), 200).json["state"] == "passed", 30, "the result to reach the city")
    # The applicant reads the province committee's notice and result in the city.
    mine = expect(applicant.get(f"applications/{app['id']}"), 200).json
    assert (mine["committee"], mine["result"], mine["interview"]) == ("河南省中小学教师高级评委会", "通过", f"{when}，省人社厅"), mine
    page = applicant.api.raw("GET", f"/t/zhengzhou/applications/{app['id']}", headers={"Cookie": f"zc_session={applicant.cookie}"}).body.decode()
    assert "河南省中小学教师高级评委会" in page and f'id="app-interview-time">{when}</td>' in page and 'id="app-interview-place">省人社厅</td>' in page, page[:3000]
    # The city's printable 评审表 ends with the province committee's result.
    form = expect(city.admin.get(f"applications/{app['id']}/review-form"), 200).body.decode()
    assert "评委会意见" in form and "河南省中小学教师高级评委会：通过" in form and "公示中" not in form, form[-1500:]
    assert "：通过。<span" not in form, "a result without a note ends without a full stop before its date"
    # With its 面试通知 as every screen shows it: the time and the place apart.
    assert f'<td id="f-interview-time">{when}</td><th scope="row">面试地点</th><td id="f-interview-place">省人社厅</td>' in form, form[:3000]
    # Dated by the confirmation's step in the city's trail (when the province's word arrived;
    # the city holds no evaluation of its own).
    signed = re.search(r'id="committee-opinion">.*?<span class="sign">([^<]+)</span>', form, re.S)
    final_at = datetime.datetime.fromisoformat(committee_steps(applicant, app["id"])[-1]["at"].replace("Z", "+00:00")).astimezone(CHINA)
    assert signed and signed.group(1) == final_at.strftime("%Y-%m-%d %H:%M"), form[-1500:]
    assert committee_seal(form) is None and "data:image" not in form, form[-1500:]
    # A city cannot act as the province's committee.
    expect(city.admin.post(f"applications/{app['id']}/result", {"result": "通过"}), (403, 409))
    # tenant.list counts the application in the city, and in the province the one it received.
    counts = {t["id"]: t["applications"] for t in d.call("tenant.list")["tenants"]}
    assert counts == {"province": 1, "zhengzhou": 1}, counts
    for tenant in ("province", "zhengzhou"):
        assert d.call("tenant.check", {"id": tenant})["ok"] is True


def test_the_province_committees_note_reaches_the_city_as_its_own_committees_does(setup):
    """The 说明 a committee gives with its result is part of it: the city's own committee's is in the
    trail's 公示 row (未通过，公示至 …；业绩不足) and on the 评审表 (：未通过。业绩不足). The province
    committee's reaches the city with its notice and its final result (`note` in
    `application.publicity` and `application.result`) and is shown there the same way; it was
    dropped (未通过，公示至 … alone, and the result without its reason)."""
    d, city = setup
    _, own = city.passed_application("中级", "一级教师")
    expect(city.admin.post("committees", {"name": "郑州市中小学教师中级评委会", "series": [SERIES], "levels": ["中级"]}), 201)
    expect(city.admin.post(f"applications/{own['id']}/result", {"result": "未通过", "note": "业绩不足"}), 200)
    province = Province(d)
    applicant, app = city.passed_application("副高级", "高级教师")
    rid = province.received(app["id"])
    reason = "代表作学术水平未达到副高级要求"
    expect(province.office.post(f"province/applications/{rid}/result", {"result": "未通过", "note": reason}), 200)
    shown = wait_until(lambda: committee_steps(applicant, app["id"]), 30, "the province's notice to reach the city")
    mine = committee_steps(city.admin, own["id"])
    assert [t["decision"] for t in mine] == [t["decision"] for t in shown] == ["committee-result"], (mine, shown)
    assert re.fullmatch(r"未通过，公示至 \d{4}-\d\d-\d\d \d\d:\d\d；业绩不足", mine[0]["comment"]), mine
    assert re.fullmatch(rf"未通过，公示至 \d{{4}}-\d\d-\d\d \d\d:\d\d；{reason}", shown[0]["comment"]), shown
    # On the 评审表 while in 公示 (here already over: 0 working days), then once final.
    form = expect(applicant.get(f"applications/{app['id']}/review-form"), 200).body.decode()
    assert re.search(rf"河南省中小学教师高级评委会：未通过（[^）<]+）。<bdi>{reason}</bdi>", form), form[-1500:]
    expect(city.admin.post(f"applications/{own['id']}/result/confirm"), 200)
    expect(province.office.post(f"province/applications/{rid}/result/confirm"), 200)
    wait_until(lambda: expect(applicant.get(f"applications/{app['id']}"), 200).json["state"] == "failed", 30, "the final result to reach the city")
    own_form = expect(city.admin.get(f"applications/{own['id']}/review-form"), 200).body.decode()
    assert "郑州市中小学教师中级评委会：未通过。<bdi>业绩不足</bdi>" in own_form, own_form[-1500:]
    form = expect(city.admin.get(f"applications/{app['id']}/review-form"), 200).body.decode()
    assert f"河南省中小学教师高级评委会：未通过。<bdi>{reason}</bdi>" in form, form[-1500:]
    # The final step names the result, as the city's own does.
    assert [(t["decision"], t["comment"]) for t in committee_steps(applicant, app["id"])][1:] == \
        [(t["decision"], t["comment"]) for t in committee_steps(city.admin, own["id"])][1:] == [("committee-final", "未通过")]
    # Carried in both messages, as the committee gave it.
    notes = db_rows(d.tenant_db("province"), "SELECT kind, json_extract(payload, '$.note') FROM outbox WHERE kind IN ('application.publicity', 'application.result')")
    assert sorted(notes) == [("application.publicity", reason), ("application.result", reason)], notes


def test_the_province_office_sends_an_application_back_and_the_resubmission_returns_to_it(setup):
    """退回修改 at the province office: the sections at fault (only those the reviewer may see) and a
    reason, as in a city. The applicant in the city reads them and edits; the resubmission climbs
    the city's route again and, handed over again, comes back to the office's 经办人, who sees the
    earlier return in the office's steps. Each step is in the city's trail; the 评审表 of the
    resubmission has only its own opinions."""
    d, city = setup
    pinfo = create_tenant(d, "province", "41", "河南省", kind="province")
    office = Api(d.http_port, "province").first_login(pinfo["admin_login"], pinfo["admin_password"])
    handler = add_reviewer(office, 1, "p.h", ["handler"], series=[SERIES], sections=[s for s in SECTIONS if s != "论文著作"])
    leader = add_reviewer(office, 1, "p.l", ["leader"], series=[SERIES])
    applicant, app = city.passed_application("副高级", "高级教师")
    rid = wait_until(lambda: (expect(office.get("province/applications"), 200).json["applications"] or [{}])[0].get("id"), 30, "the hand-over")
    url = f"province/reviews/{rid}/decision"

    seen = expect(handler.get(f"province/reviews/{rid}"), 200).json
    assert seen["hidden_sections"] == ["论文著作"] and "论文著作" not in seen["sections"], seen
    for body, field in (({"decision": "return", "comment": "请修改"}, "sections"), ({"decision": "return", "sections": ["业绩成果"], "reason": "bad"}, "reason"),
                        ({"decision": "return", "sections": ["业绩成果"], "reason": "other"}, "comment"),
                        ({"decision": "return", "sections": ["论文著作"], "reason": "incomplete"}, "sections")):
        expect(handler.post(url, body), 400, field=field)
    out = expect(handler.post(url, {"decision": "return", "sections": ["业绩成果"], "reason": "incomplete", "comment": "请补充获奖证书"}), 200).json
    assert (out["state"], out["stage_label"]) == ("returned", "已退回修改，待申报人重新提交"), out
    assert out["decisions"][-1] | {"at": None} == {"step": "handler", "step_label": "经办人审查", "decision": "return", "decision_label": "退回修改",
                                                  "comment": "请补充获奖证书", "reviewer": "p.h", "sections": ["业绩成果"], "reason": "incomplete",
                                                  "reason_label": "材料不完整", "at": None}, out["decisions"]
    expect(leader.post(url, {"decision": "pass", "comment": "同意"}), 409)

    wait_until(lambda: expect(applicant.get(f"applications/{app['id']}"), 200).json["state"] == "returned", 30, "the return to reach the city")
    mine = expect(applicant.get(f"applications/{app['id']}"), 200).json
    assert mine["returned"] == {"sections": ["业绩成果"], "reason": "incomplete", "reason_label": "材料不完整", "comment": "请补充获奖证书"}, mine
    assert not mine.get("forwarded_to_province_at"), mine
    steps = lambda: [(t["step"], t["decision"], t.get("sections"), t.get("reason")) for t in  # noqa: E731
                     expect(applicant.get(f"applications/{app['id']}/trail"), 200).json["trail"] if t.get("org_name", "").startswith("河南省") and t.get("step")]
    assert steps() == [("handler", "return", ["业绩成果"], "incomplete")], steps()

    # Edited and submitted again: the city's route from the start, then the office's 经办人 again.
    expect(applicant.put(f"applications/{app['id']}/sections/{quote('业绩成果')}", {"内容": "补充了获奖证书"}), 200)
    assert expect(applicant.post(f"applications/{app['id']}/submit"), 200).json["current_org_id"] == 1
    for reviewer in city.reviewers:
        city.pass_(reviewer, app["id"])
    wait_until(lambda: expect(handler.get(f"province/reviews/{rid}"), 200).json["state"] == "in_review", 30, "the second hand-over")
    again = expect(handler.get(f"province/reviews/{rid}"), 200).json
    assert (again["step"], again["may_act"], again["sections"]["业绩成果"]) == ("handler", True, {"内容": "补充了获奖证书"}), again
    assert [x["decision"] for x in again["decisions"]] == ["return"], "the office's earlier steps stay in its history"
    # This time on the screen: a return without sections is refused with the form again; a pass redirects to the queue.
    cookie = {"Cookie": f"zc_session={handler.cookie}", "Content-Type": "application/x-www-form-urlencoded"}
    form = f"_csrf={quote(handler.csrf)}&version={again['version']}&decision=return&reason=incomplete&comment=x"
    r = office.api.raw("POST", f"/t/province/province-reviews/{rid}", body=form.encode(), headers=cookie)
    assert r.status == 400 and "退回时请选择有问题的部分" in r.body.decode() and 'id="province-decision"' in r.body.decode(), (r.status, r.body.decode()[-2000:])
    form = f"_csrf={quote(handler.csrf)}&version={again['version']}&decision=pass&comment={quote('已补充')}"
    r = office.api.raw("POST", f"/t/province/province-reviews/{rid}", body=form.encode(), headers=cookie)
    assert r.status == 303 and r.headers.get("location") == "/t/province/province-reviews", (r.status, r.headers)
    assert expect(leader.post(url, {"decision": "pass", "comment": "同意上会"}), 200).json["state"] == "received"
    wait_until(lambda: len(steps()) == 3, 30, "the office's steps to reach the city")
    assert [x[:2] for x in steps()] == [("handler", "return"), ("handler", "pass"), ("leader", "pass")]
    # Each step belongs to the submission it was on, in the province and in the city.
    rounds = [("return", 1), ("pass", 2), ("pass", 2)]
    assert db_rows(d.tenant_db("province"), "SELECT decision, submission FROM received_decisions ORDER BY id") == rounds
    assert db_rows(d.tenant_db("zhengzhou"), "SELECT decision, submission FROM province_decisions ORDER BY id") == rounds
    form = expect(city.admin.get(f"applications/{app['id']}/review-form"), 200).body.decode()
    assert "同意上会" in form and "已补充" in form and "请补充获奖证书" not in form, form[-3000:]

    # The handler's 已审查 in the province: their own steps on what the cities handed over, newest first.
    done = expect(handler.get("province/reviews/done"), 200).json["decisions"]
    assert [(x["application_id"], x["received_kind"], x["decision"], x["standing"], x["readable"]) for x in done] == [
        (rid, "title", "pass", "省职改办审查通过，待评委会评审", True), (rid, "title", "return", "省职改办审查通过，待评委会评审", True)], done
    assert [x["decision"] for x in expect(handler.get(f"province/reviews/done?limit=1&before={done[0]['decision_id']}"), 200).json["decisions"]] == ["return"]
    expect(office.get("province/reviews/done"), 403)
    expect(city.reviewers[0].get("province/reviews/done"), 403)
    page = office.api.raw("GET", "/t/province/reviewed", headers={"Cookie": f"zc_session={handler.cookie}"}).body.decode()
    assert 'id="reviewed-received"' in page and re.search(rf'province-reviews/{rid}" aria-label="查看[^"]*">查看</a>', page) and "请补充获奖证书" in page, page[-3000:]
    # The screen's list of the province's steps pages on its own (`before_province`), one row at a time here.
    page = office.api.raw("GET", "/t/province/reviewed?limit=1", headers={"Cookie": f"zc_session={handler.cookie}"}).body.decode()
    received = page[page.index('id="reviewed-received"'):]
    assert received.count("<tr data-received=") == 1 and "请补充获奖证书" not in received, received[:3000]
    older = html.unescape(re.search(r'id="reviewed-received-older" href="([^"]+)"', page).group(1))
    assert f"before_province={done[0]['decision_id']}" in older and "limit=1" in older, older
    page = office.api.raw("GET", older, headers={"Cookie": f"zc_session={handler.cookie}"}).body.decode()
    received = page[page.index('id="reviewed-received"'):]
    assert received.count("<tr data-received=") == 1 and "请补充获奖证书" in received, received[:3000]
    assert 'id="reviewed-received-older"' not in page, page[-3000:]


def handed_over_to_a_province_handler(d, city):
    """The province (its office and a 经办人 of the series) and a new 副高级 application of the
    city, passed by it and received there: (office, handler, applicant, application, received id)."""
    pinfo = create_tenant(d, "province", "41", "河南省", kind="province")
    office = Api(d.http_port, "province").first_login(pinfo["admin_login"], pinfo["admin_password"])
    handler = add_reviewer(office, 1, "p.h", ["handler"], series=[SERIES])
    applicant, app = city.passed_application("副高级", "高级教师")
    rid = wait_until(lambda: (expect(office.get("province/applications"), 200).json["applications"] or [{}])[0].get("id"), 30, "the hand-over")
    return office, handler, applicant, app, rid


def test_an_application_the_province_returned_may_be_withdrawn_in_the_city_and_the_province_learns_it(setup):
    """The province office returns a hand-over; its applicant gives up and withdraws it in the
    city. The city sends application.withdrawn; the province's copy, still returned, ends so
    (state withdrawn, said in words), once, and its history stays."""
    d, city = setup
    office, handler, applicant, app, rid = handed_over_to_a_province_handler(d, city)
    expect(handler.post(f"province/reviews/{rid}/decision", {"decision": "return", "sections": ["业绩成果"], "reason": "not_qualified", "comment": "不符合条件"}), 200)
    wait_until(lambda: expect(applicant.get(f"applications/{app['id']}"), 200).json["state"] == "returned", 30, "the return to reach the city")
    assert expect(applicant.post(f"applications/{app['id']}/withdraw"), 200).json["state"] == "withdrawn"
    seen = wait_until(lambda: (lambda v: v if v["state"] == "withdrawn" else None)(expect(handler.get(f"province/reviews/{rid}"), 200).json),
                      30, "the withdrawal to reach the province")
    assert seen["stage_label"] == "退回后申报人已撤回" and [x["decision"] for x in seen["decisions"]] == ["return"], seen
    assert [a["id"] for a in expect(office.get("province/applications?state=withdrawn"), 200).json["applications"]] == [rid]
    relay_idle(d, ["zhengzhou", "province"])
    assert db_rows(d.tenant_db("province"), "SELECT count(*) FROM inbox WHERE kind = 'application.withdrawn'") == [(1,)]
    assert db_rows(d.tenant_db("province"), "SELECT count(*) FROM audit WHERE action = 'application.withdrawn-in-city'") == [(1,)]
    assert db_rows(d.tenant_db("zhengzhou"), "SELECT count(*) FROM outbox WHERE kind = 'application.withdrawn' AND delivered_at IS NOT NULL") == [(1,)]
    # One the city returned, never handed over, sends nothing when withdrawn.
    other, second = city.passed_application("副高级", "高级教师", by=1)
    version = expect(city.reviewers[1].get(f"applications/{second['id']}"), 200).json["version"]
    expect(city.reviewers[1].post(f"applications/{second['id']}/decision", {"decision": "return", "sections": ["业绩成果"], "reason": "incomplete",
                                                                           "comment": "请补充", "version": version}), 200)
    assert expect(other.post(f"applications/{second['id']}/withdraw"), 200).json["state"] == "withdrawn"
    assert db_rows(d.tenant_db("zhengzhou"), "SELECT count(*) FROM outbox WHERE kind = 'application.withdrawn'") == [(1,)]


def test_a_withdrawal_holds_across_a_restore_of_either_tenant(setup):
    """The province restored to before its return takes the hand-over in again (under review):
    the city's withdrawal, offered again with it, still ends it there. The city restored to before
    the withdrawal, its applicant resubmitting: the province takes the new hand-over in (not
    answered as a withdrawn one it had acted on), and the city waits for nobody."""
    d, city = setup
    office, handler, applicant, app, rid = handed_over_to_a_province_handler(d, city)
    relay_idle(d, ["zhengzhou", "province"])
    province_backup = d.call("tenant.backup", {"id": "province"})["path"]
    expect(handler.post(f"province/reviews/{rid}/decision", {"decision": "return", "sections": ["业绩成果"], "reason": "incomplete", "comment": "请补充"}), 200)
    wait_until(lambda: expect(applicant.get(f"applications/{app['id']}"), 200).json["state"] == "returned", 30, "the return to reach the city")
    relay_idle(d, ["zhengzhou", "province"])
    city_backup = d.call("tenant.backup", {"id": "zhengzhou"})["path"]
    expect(applicant.post(f"applications/{app['id']}/withdraw"), 200)
    wait_until(lambda: expect(office.get(f"province/applications/{rid}"), 200).json["state"] == "withdrawn", 30, "the withdrawal")

    restore_tenant(d, "province", province_backup)
    relay_idle(d, ["zhengzhou", "province"])
    office = Api(d.http_port, "province").sign_in(office.account["login"], office.password)
    assert expect(office.get(f"province/applications/{rid}"), 200).json["state"] == "withdrawn", "the withdrawal, offered again, ends it again"
    assert expect(applicant.get(f"applications/{app['id']}"), 200).json["state"] == "withdrawn"

    restore_tenant(d, "zhengzhou", city_backup)
    relay_idle(d, ["zhengzhou", "province"])
    city.sign_in_again()
    applicant = city.api.sign_in(applicant.account["login"], applicant.password)
    assert expect(applicant.get(f"applications/{app['id']}"), 200).json["state"] == "returned"
    expect(applicant.put(f"applications/{app['id']}/sections/{quote('业绩成果')}", {"内容": "补充后"}), 200)
    expect(applicant.post(f"applications/{app['id']}/submit"), 200)
    for reviewer in city.reviewers:
        city.pass_(reviewer, app["id"])
    wait_until(lambda: expect(office.get(f"province/applications/{rid}"), 200).json["state"] == "in_review", 30, "the new hand-over")
    wait_until(lambda: expect(applicant.get(f"applications/{app['id']}"), 200).json.get("forwarded_to_province_at"), 30, "its receipt in the city")


def test_a_province_restored_to_before_an_interview_notice_can_send_a_new_one(setup):
    """The province restored to a backup older than an interview notice it already sent: the
    notice it sets again is a new message, and the city shows it (an id made again from the
    province's message count would have been dropped by the city as a repeat)."""
    d, city = setup
    pinfo = create_tenant(d, "province", "41", "河南省", kind="province")
    _, app = city.passed_application("副高级", "高级教师")
    papi = Api(d.http_port, "province")
    office = papi.first_login(pinfo["admin_login"], pinfo["admin_password"])
    rid = wait_until(lambda: (expect(office.get("province/applications"), 200).json["applications"] or [None])[0], 30,
                     "the province to receive the application")["id"]
    expect(office.post("committees", {"name": "河南省中小学教师高级评委会", "series": [SERIES], "levels": ["副高级", "正高级"]}), 201)
    province_passes(office, rid)
    backup = d.call("tenant.backup", {"id": "province"})["path"]
    expect(office.put(f"province/applications/{rid}/interview", {"time": interview_time(20, 14), "place": "省人社厅101"}), 200)
    wait_until(lambda: "省人社厅101" in (status_row(city, app["id"])["interview"] or ""), 30, "the first notice to reach the city")
    restore_tenant(d, "province", backup)
    office = papi.sign_in(pinfo["admin_login"], office.password)
    expect(office.put(f"province/applications/{rid}/interview", {"time": interview_time(21, 9), "place": "省人社厅202"}), 200)
    wait_until(lambda: "省人社厅202" in (status_row(city, app["id"])["interview"] or ""), 30, "the notice set again to reach the city")


class Province:
    """The province office with its committee for the city's series."""

    def __init__(self, d):
        self.d = d
        info = create_tenant(d, "province", "41", "河南省", kind="province")
        self.office = Api(d.http_port, "province").first_login(info["admin_login"], info["admin_password"])
        expect(self.office.post("committees", {"name": "河南省中小学教师高级评委会", "series": [SERIES], "levels": ["副高级", "正高级"]}), 201)

    def received(self, app_id: int, city: str = "zhengzhou") -> int:
        """The province's id of the city's application once it arrived; the office's 经办人 and
        负责人 pass it if it waits for them, so that the committee may take it up."""
        def find():
            rows = expect(self.office.get("province/applications"), 200).json["applications"]
            return next((r for r in rows if (r["source_tenant"], r["source_application_id"]) == (city, app_id)), None)
        row = wait_until(find, 30, f"the province to receive application {app_id}")
        if row["state"] == "in_review":
            province_passes(self.office, row["id"])
        return row["id"]

    def interview(self, rid: int, place: str) -> None:
        expect(self.office.put(f"province/applications/{rid}/interview", {"time": interview_time(20, 14), "place": place}), 200)

    def final_result(self, rid: int, result: str, note: str | None = None) -> None:
        interview_held(self.d, "province")
        expect(self.office.post(f"province/applications/{rid}/result", {"result": result} | ({"note": note} if note else {})), 200)
        expect(self.office.post(f"province/applications/{rid}/result/confirm"), 200)


def test_an_objection_reaching_the_province_after_it_confirmed_the_result_is_kept_as_late(daemon_factory, tmp_path):
    """A person of the city objects in time, but the province office confirms the result while the
    objection is still on its way (the relay holds it back: ZHICHENG_RELAY_HOLD). It arrives late:
    the province keeps it as 结果确认后送达 and it changes nothing there or in the city; the
    office cannot resolve it; its author learns that it came after the confirmation."""
    hold = tmp_path / "hold-objections"
    hold.touch()
    d = daemon_factory(config=CONFIG.format(days=5), env=clean_env(ZHICHENG_RELAY_HOLD=f"objection.lodge:{hold}")).start()
    info = create_tenant(d, "zhengzhou", "4101", "郑州市")
    api = Api(d.http_port, "zhengzhou")
    city = City(d, api, api.first_login(info["admin_login"], info["admin_password"]))
    province = Province(d)
    applicant, app = city.passed_application("副高级", "高级教师")
    rid = province.received(app["id"])
    path = f"applications/{app['id']}"
    expect(province.office.post(f"province/applications/{rid}/result", {"result": "通过"}), 200)
    wait_until(lambda: (expect(applicant.get(path), 200).json.get("publicity") or {}).get("result") == "通过", 30, "the notice to reach the city")

    objector = city.reviewers[0]
    expect(objector.post(f"{path}/objections", {"text": "论文存在抄袭", "evidence": "比对报告"}), 202)

    def own() -> list[tuple]:
        return [(o["text"], o["state"], o.get("reason"), o["to_province"]) for o in expect(objector.get("objections/mine"), 200).json["objections"]]

    assert own() == [("论文存在抄袭", "sent", None, True)]
    # Held in the city's outbox while the province's period ends and its office confirms.
    assert db_rows(d.tenant_db("zhengzhou"), "SELECT delivered_at FROM outbox WHERE kind = 'objection.lodge'") == [(None,)]
    end_publicity(d, "province")
    expect(province.office.post(f"province/applications/{rid}/result/confirm"), 200)
    wait_until(lambda: expect(applicant.get(path), 200).json["state"] == "passed", 30, "the final result to reach the city")
    assert expect(province.office.get(f"province/applications/{rid}/objections"), 200).json["objections"] == []

    hold.unlink()

    def arrived():
        return expect(province.office.get(f"province/applications/{rid}/objections"), 200).json["objections"]

    listed = wait_until(arrived, 30, "the held objection to reach the province")
    assert [(o["text"], o["state"], o["reason"]) for o in listed] == [("论文存在抄袭", "late", "结果确认后送达")], listed
    wait_until(lambda: own() == [("论文存在抄袭", "late", "结果确认后送达", True)], 30, "the receipt to reach its author")
    relay_idle(d, ["province", "zhengzhou"])
    with unchanged(d, "province"):
        expect(province.office.post(f"objections/{listed[0]['id']}/resolve", {"decision": "upheld", "reason": "情况属实"}), 409, contains="已处理")
    mine = expect(applicant.get(path), 200).json
    assert mine["state"] == "passed" and mine.get("publicity") is None, mine
    assert [t["decision"] for t in committee_steps(applicant, app["id"])] == ["committee-result", "committee-final"]
    late = db_rows(d.tenant_db("province"), "SELECT detail FROM audit WHERE action = 'objection.lodge'")
    assert [json.loads(x)["state"] for (x,) in late] == ["late"], late


def test_a_city_restored_to_a_backup_gets_again_the_province_answers_it_received_since(setup):
    """The province's answers that reached the city after its backup was taken are offered to it
    again after the restore: its inbox takes those it lacks, and the result shows again."""
    d, city = setup
    province = Province(d)
    applicant, app = city.passed_application("副高级", "高级教师")
    rid = province.received(app["id"])
    wait_until(lambda: expect(applicant.get(f"applications/{app['id']}"), 200).json.get("forwarded_to_province_at"), 30, "the acknowledgement")
    backup = d.call("tenant.backup", {"id": "zhengzhou"})["path"]
    province.interview(rid, "省人社厅101")
    province.final_result(rid, "通过")
    wait_until(lambda: expect(applicant.get(f"applications/{app['id']}"), 200).json["state"] == "passed", 30, "the result to reach the city")

    restore_tenant(d, "zhengzhou", backup)
    applicant = city.api.sign_in(applicant.account["login"], applicant.password)
    wait_until(lambda: expect(applicant.get(f"applications/{app['id']}"), 200).json["state"] == "passed", 30,
               "the result to reach the restored city again")
    city.sign_in_again()
    assert "省人社厅101" in (status_row(city, app["id"])["interview"] or "")
    assert sorted(k for (k,) in db_rows(d.tenant_db("zhengzhou"), "SELECT kind FROM inbox")) == \
        ["application.interview", "application.province-review", "application.province-review", "application.publicity", "application.received",
         "application.result"], "each once"
    # The office's two steps are in the restored city's trail once each.
    steps = [(t["org_name"], t["step"], t["decision"]) for t in expect(applicant.get(f"applications/{app['id']}/trail"), 200).json["trail"] if t.get("org_name") == "河南省职称改革工作领导小组办公室" and t.get("step")]
    assert steps == [("河南省职称改革工作领导小组办公室", "handler", "pass"), ("河南省职称改革工作领导小组办公室", "leader", "pass")], steps


def test_answers_about_an_application_a_restored_city_no_longer_handed_over_are_kept_not_applied(setup):
    """Restored to before it handed application B over, the city has B in review again. The
    province's answers about B are kept in the city's inbox and audited but not applied, and they
    hold up nothing: the notice about A behind them arrives. When the city hands B over again,
    the province, which has evaluated B meanwhile, answers with what it has: the notice and the
    final result."""
    d, city = setup
    province = Province(d)
    _, a = city.passed_application("副高级", "高级教师")
    _, b = city.passed_application("副高级", "高级教师", by=1)
    ra = province.received(a["id"])
    backup = d.call("tenant.backup", {"id": "zhengzhou"})["path"]
    city.pass_(city.reviewers[1], b["id"])
    rb = province.received(b["id"])
    restore_tenant(d, "zhengzhou", backup)
    city.sign_in_again()
    assert expect(city.admin.get(f"applications/{b['id']}"), 200).json["state"] == "in_review"

    province.interview(rb, "省人社厅B")
    province.final_result(rb, "通过", note="同意3票，到会3人")
    province.interview(ra, "省人社厅A")
    wait_until(lambda: "省人社厅A" in (status_row(city, a["id"])["interview"] or ""), 30, "the notice about A, behind those about B")
    shown = expect(city.admin.get(f"applications/{b['id']}"), 200).json
    assert shown["state"] == "in_review" and not shown.get("forwarded_to_province_at")
    unapplied = db_rows(d.tenant_db("zhengzhou"), "SELECT target, detail FROM audit WHERE action = 'relay.unapplied'")
    kinds = sorted(json.loads(detail)["kind"] for target, detail in unapplied if target == f"application:{b['id']}")
    assert kinds == ["application.interview", "application.province-review", "application.province-review", "application.publicity",
                     "application.received", "application.result"], unapplied
    # tenant.check lists them for the sysadmin, each with the message and why it was kept.
    check = d.call("tenant.check", {"id": "zhengzhou"})
    assert check["ok"] is True and check["unapplied_messages"] == len(unapplied), check
    about_b = [u for u in check["unapplied"] if u["reason"].startswith(f"application {b['id']} no longer waits for the province (state: in_review)")]
    assert sorted(u["kind"] for u in about_b) == kinds and all(u["message"] and u["from"] == "province" for u in about_b), check
    assert d.call("status")["relay"]["paused"] == []

    # Handed over again: the province keeps its evaluation and answers with it.
    city.pass_(city.reviewers[1], b["id"])
    wait_until(lambda: expect(city.admin.get(f"applications/{b['id']}"), 200).json["state"] == "passed", 30,
               "the province's answers to the second hand-over of B")
    shown = expect(city.admin.get(f"applications/{b['id']}"), 200).json
    assert shown.get("forwarded_to_province_at") and "省人社厅B" in (status_row(city, b["id"])["interview"] or "")
    assert province.received(b["id"]) == rb
    rows = expect(province.office.get("province/applications"), 200).json["applications"]
    assert [r["state"] for r in rows if r["id"] == rb] == ["final"], "the province's evaluation stands"
    # With its own review steps, sent again to the city (which had lost them): each once in B's trail.
    trail = expect(city.admin.get(f"applications/{b['id']}/trail"), 200).json["trail"]
    assert [(t["step"], t["decision"]) for t in trail if t.get("org_name") == "河南省职称改革工作领导小组办公室" and t.get("step")] == [("handler", "pass"), ("leader", "pass")], trail
    # With the committee's 说明, which its final result carries: on the 评审表.
    form = expect(city.admin.get(f"applications/{b['id']}/review-form"), 200).body.decode()
    assert "河南省中小学教师高级评委会：通过。<bdi>同意3票，到会3人</bdi>" in form, form[-1500:]


def test_final_authority_levels_are_configurable_per_city(setup, zhichengctl_bin):
    """`tenant.configure` shows the levels a city hands to the province (SPEC §7: 副高级 and
    正高级) and sets them per city (issue 4): a lower level handed on too, or 副高级 decided by a
    city the province gave its 评审权. A list that says nothing clear — empty (which would hand
    nothing over), a level named twice, a name that is no level — is refused, `invalid` naming
    `province_levels`, through the socket and `zhichengctl` alike, and changes nothing."""
    d, city = setup
    assert d.call("tenant.configure", {"id": "zhengzhou"})["province_levels"] == ["副高级", "正高级"]
    with unchanged(d, "zhengzhou"):
        for levels, says in (([], "is empty"), (["初级", "初级"], "names 初级 twice"), (["副高级", "正高级", "正高级"], "names 正高级 twice"),
                             (["特级"], "not 特级")):
            bad = d.request("tenant.configure", {"id": "zhengzhou", "province_levels": levels})
            assert bad["ok"] is False and bad["error"]["code"] == "invalid" and says in bad["error"]["message"], (levels, bad)
            assert bad["error"]["message"].startswith("province_levels"), bad
        for flag, says in (("", "is empty"), ("初级,初级", "names 初级 twice"), (" , ", "not an empty name")):
            out = run_ctl(zhichengctl_bin, "tenant", "configure", "zhengzhou", "--province-levels", flag, socket_path=d.admin_socket)
            assert out.returncode == 1 and out.stderr.startswith("zhichengctl: invalid: province_levels") and says in out.stderr, (flag, out)
    assert d.call("tenant.configure", {"id": "zhengzhou"})["province_levels"] == ["副高级", "正高级"]
    # A 副高级 application goes on to the province …
    _, senior = city.passed_application("副高级", "高级教师")
    assert expect(city.admin.get(f"applications/{senior['id']}"), 200).json["state"] == "awaiting_province"
    # … a city may hand 中级 on as well …
    set_ = run_ctl(zhichengctl_bin, "tenant", "configure", "zhengzhou", "--province-levels", "正高级, 中级,副高级", socket_path=d.admin_socket)
    assert set_.returncode == 0 and "中级" in set_.stdout, set_
    assert d.call("tenant.configure", {"id": "zhengzhou"})["province_levels"] == ["中级", "副高级", "正高级"]
    _, app = city.passed_application("中级", "一级教师")
    assert expect(city.admin.get(f"applications/{app['id']}"), 200).json["state"] == "awaiting_province"
    # … and a city given the 副高级 评审权 ends them with its own committee.
    assert d.call("tenant.configure", {"id": "zhengzhou", "province_levels": ["正高级"]})["province_levels"] == ["正高级"]
    _, own = city.passed_application("副高级", "高级教师")
    assert expect(city.admin.get(f"applications/{own['id']}"), 200).json["state"] == "at_committee"
    out = run_ctl(zhichengctl_bin, "tenant", "configure", "zhengzhou", socket_path=d.admin_socket)
    assert out.returncode == 0 and "正高级" in out.stdout and "副高级" not in out.stdout, out


def test_a_notice_to_an_archived_city_is_set_aside_and_holds_up_nothing(setup):
    """The province's outbox is one queue to every city. A notice to a city that was archived
    has nowhere to go: it is set aside (kept with the reason, audited), never retried, and the
    notices to the other cities behind it go. A city created again under the id gets none
    of the old city's notices."""
    d, zhengzhou = setup
    pinfo = create_tenant(d, "province", "41", "河南省", kind="province")
    kinfo = create_tenant(d, "kaifeng", "4102", "开封市")
    kapi = Api(d.http_port, "kaifeng")
    kaifeng = City(d, kapi, kapi.first_login(kinfo["admin_login"], kinfo["admin_password"]))
    _, kapp = kaifeng.passed_application("副高级", "高级教师")
    _, zapp = zhengzhou.passed_application("副高级", "高级教师")
    office = Api(d.http_port, "province").first_login(pinfo["admin_login"], pinfo["admin_password"])

    def received():
        rows = expect(office.get("province/applications"), 200).json["applications"]
        return {r["source_tenant"]: r["id"] for r in rows} if len(rows) == 2 else None

    rids = wait_until(received, 30, "the province to receive both applications")
    expect(office.post("committees", {"name": "河南省中小学教师高级评委会", "series": [SERIES], "levels": ["副高级", "正高级"]}), 201)
    # The office's list of what the cities handed over comes a page at a time, newest first.
    first = expect(office.get("province/reviews?limit=1"), 200).json
    assert [a["id"] for a in first["applications"]] == [max(rids.values())] and first["next"] == max(rids.values()), first
    second = expect(office.get(f"province/reviews?limit=1&before={first['next']}"), 200).json
    assert [a["id"] for a in second["applications"]] == [min(rids.values())] and second.get("next") is None, second
    expect(office.get("province/reviews?limit=x"), 400, field="limit")
    for rid in rids.values():
        province_passes(office, rid)
    # The office's review steps reach both cities before kaifeng is archived.
    wait_until(lambda: db_rows(d.tenant_db("province"), "SELECT id FROM outbox WHERE delivered_at IS NULL") == [], 30, "the review steps to be delivered")
    assert d.call("tenant.archive", {"id": "kaifeng", "confirm": "kaifeng"})
    # The notice to the archived city is first in the province's outbox.
    expect(office.put(f"province/applications/{rids['kaifeng']}/interview", {"time": interview_time(20, 9), "place": "省人社厅101"}), 200)
    expect(office.put(f"province/applications/{rids['zhengzhou']}/interview", {"time": interview_time(20, 14), "place": "省人社厅102"}), 200)
    wait_until(lambda: "省人社厅102" in (status_row(zhengzhou, zapp["id"])["interview"] or ""), 30,
               "the notice to zhengzhou to go past the one to the archived kaifeng")

    province_db = d.tenant_db("province")
    aside = wait_until(lambda: db_rows(province_db, "SELECT target, kind, set_aside_reason, delivered_at FROM outbox WHERE set_aside_at IS NOT NULL"),
                       30, "the notice to kaifeng to be set aside")
    assert [(t, k, "kaifeng was archived" in r, at) for t, k, r, at in aside] == [("kaifeng", "application.interview", True, None)], aside
    # The notice to zhengzhou is applied there before the province marks it delivered: wait for the mark.
    wait_until(lambda: db_rows(province_db, "SELECT id FROM outbox WHERE delivered_at IS NULL AND set_aside_at IS NULL") == [], 30,
               "nothing left to retry")
    audited = db_rows(province_db, "SELECT actor, detail FROM audit WHERE action = 'relay.set-aside'")
    assert [(actor, json.loads(detail)["to"], json.loads(detail)["kind"]) for actor, detail in audited] == [("relay", "kaifeng", "application.interview")]
    # 操作日志 says why in Chinese, with the time of the archive in China time.
    assert re.fullmatch(r"接收方 kaifeng 已于 \d{4}-\d\d-\d\d \d\d:\d\d 归档", json.loads(audited[0][1])["reason"]), audited
    assert d.call("status")["relay"]["paused"] == []
    assert d.call("tenant.show", {"id": "province"})["messages"] == {"waiting": 0, "set_aside": 1}

    # A new kaifeng under the id: the old notice stays set aside and never reaches it.
    create_tenant(d, "kaifeng", "4102", "开封市")
    expect(office.put(f"province/applications/{rids['zhengzhou']}/interview", {"time": interview_time(21, 14), "place": "省人社厅103"}), 200)
    wait_until(lambda: "省人社厅103" in (status_row(zhengzhou, zapp["id"])["interview"] or ""), 30, "a later notice to zhengzhou")
    assert db_rows(d.tenant_db("kaifeng"), "SELECT message_id FROM inbox") == []
    assert len(db_rows(province_db, "SELECT id FROM outbox WHERE set_aside_at IS NOT NULL")) == 1


@pytest.mark.publicity_days(5)
def test_the_province_result_stands_in_public_notice_in_the_city_whose_people_may_object(setup):
    """A 副高级 result of the province stands in public notice in the applicant's city too: the
    city's 评审结果公示 lists it, the applicant sees it with the period's end, and anyone signed
    in to the city may object. The objection goes to the province through the relay, where the
    office resolves it; an upheld one takes the notice down in the city, and the committee's new
    result stands there in its place."""
    d, city = setup
    province = Province(d)
    applicant, app = city.passed_application("副高级", "高级教师")
    rid = province.received(app["id"])
    path = f"applications/{app['id']}"
    # The province's acknowledgement reaches the city (a change of its own, not of the request below).
    wait_until(lambda: expect(applicant.get(path), 200).json.get("forwarded_to_province_at"), 30, "the acknowledgement to reach the city")
    relay_idle(d, ["province", "zhengzhou"])
    # Nothing in notice yet: an objection is refused and changes nothing.
    with unchanged(d, "zhengzhou"):
        expect(city.reviewers[0].post(f"{path}/objections", {"text": "过早的异议"}), 409, contains="不在公示期")
    expect(province.office.post(f"province/applications/{rid}/result", {"result": "通过"}), 200)

    def notice():
        notices = expect(city.reviewers[0].get("public-notices"), 200).json["notices"]
        return next((n for n in notices if n["path"] == path), None)

    shown = wait_until(notice, 30, "the province's notice to reach the city")
    assert (shown["result"], shown["committee"], shown["by_province"]) == ("通过", "河南省中小学教师高级评委会", True), shown
    mine = expect(applicant.get(path), 200).json
    assert mine["publicity"]["result"] == "通过" and mine["publicity"]["until"] == shown["publicity_until"], mine
    # The applicant's own page says what the unit's status query says, not 已报送省职改办.
    assert mine["state_label"] == "省评委会结果公示中", mine["state_label"]
    assert status_row(city, app["id"])["stage"].startswith("省评委会结果公示中（通过，至 "), status_row(city, app["id"])
    assert "河南省中小学教师高级评委会：通过（公示中）" in expect(applicant.get(f"{path}/review-form"), 200).body.decode()
    page = applicant.api.raw("GET", f"/t/zhengzhou/{path}", headers={"Cookie": f"zc_session={applicant.cookie}"}).body.decode()
    assert "公示中" in page, page[:3000]

    # A person of the city objects: the objection goes on to the province office.
    with unchanged(d, "zhengzhou"):
        expect(city.reviewers[0].post(f"{path}/objections", {"text": ""}), 400, field="text")
    expect(city.reviewers[0].post(f"{path}/objections", {"text": "论文存在抄袭", "evidence": "比对报告"}), 202)
    # Sent twice, it goes to the province once.
    expect(city.reviewers[0].post(f"{path}/objections", {"text": "论文存在抄袭", "evidence": "比对报告"}), 202)
    assert db_rows(d.tenant_db("zhengzhou"), "SELECT count(*) FROM outbox WHERE kind = 'objection.lodge'") == [(1,)]
    assert db_rows(d.tenant_db("zhengzhou"), "SELECT count(*) FROM sent_objections") == [(1,)]

    def objections():
        return expect(province.office.get(f"province/applications/{rid}/objections"), 200).json["objections"]

    listed = wait_until(objections, 30, "the objection to reach the province")
    assert [(o["lodged_by"], o["text"], o["evidence"], o["state"]) for o in listed] == [("r.h（郑州市职改办）", "论文存在抄袭", "比对报告", "open")], listed

    def own(account) -> list[tuple]:
        return [(o["text"], o["state"], o.get("reason"), o["to_province"]) for o in expect(account.get("objections/mine"), 200).json["objections"]]

    # Its author sees it sent, then received by the province (a receipt comes back).
    wait_until(lambda: own(city.reviewers[0]) == [("论文存在抄袭", "open", None, True)], 30, "the province's receipt to reach the city")
    # The city cannot resolve it: it is the province's.
    expect(city.admin.post(f"objections/{listed[0]['id']}/resolve", {"decision": "dismissed", "reason": "x"}), 404)
    end_publicity(d, "province")
    end_publicity(d, "zhengzhou")
    with unchanged(d, "zhengzhou"):
        expect(applicant.post(f"{path}/objections", {"text": "公示期满后的异议"}), 409, contains="公示期已结束")
    expect(province.office.post(f"province/applications/{rid}/result/confirm"), 409, contains="异议")

    # Upheld: the notice comes down in the city; the committee decides again, and the new
    # result stands in notice there.
    expect(province.office.post(f"objections/{listed[0]['id']}/resolve", {"decision": "upheld", "reason": "情况属实"}), 200)
    wait_until(lambda: notice() is None, 30, "the notice to come down in the city")
    wait_until(lambda: own(city.reviewers[0]) == [("论文存在抄袭", "upheld", "情况属实", True)], 30, "the resolution to reach its author")
    assert expect(applicant.get(path), 200).json.get("publicity") is None
    expect(province.office.post(f"province/applications/{rid}/result", {"result": "未通过", "note": "业绩不实"}), 200)
    assert wait_until(notice, 30, "the new notice to reach the city")["result"] == "未通过"
    expect(applicant.post(f"{path}/objections", {"text": "评审不公"}), 202)
    second = wait_until(lambda: [o for o in objections() if o["state"] == "open"], 30, "the second objection")
    assert second[0]["lodged_by"] == "周老师（郑州市职改办）"
    expect(province.office.post(f"objections/{second[0]['id']}/resolve", {"decision": "dismissed", "reason": "经核查不属实"}), 200)
    end_publicity(d, "province")
    expect(province.office.post(f"province/applications/{rid}/result/confirm"), 200)
    wait_until(lambda: expect(applicant.get(path), 200).json["state"] == "failed", 30, "the final result to reach the city")
    assert notice() is None
    assert own(applicant) == [("评审不公", "dismissed", "经核查不属实", True)]
    assert own(city.reviewers[0]) == [("论文存在抄袭", "upheld", "情况属实", True)]
    # The province's steps are in the city's trail, named after the province office, nobody's name.
    steps = committee_steps(applicant, app["id"])
    assert [(t["decision"], t["comment"].split("，")[0]) for t in steps] == [
        ("committee-result", "通过"), ("committee-objection-upheld", "情况属实"), ("committee-result", "未通过"),
        ("committee-objection-dismissed", "经核查不属实"), ("committee-final", "未通过")], steps
    province_office = expect(province.office.get("orgs/1"), 200).json["name"]
    assert {(t["org_name"], t["committee"], t.get("reviewer")) for t in steps} == {(province_office, "河南省中小学教师高级评委会", None)}, steps
    forwarded = db_rows(d.tenant_db("zhengzhou"), "SELECT actor FROM audit WHERE action = 'objection.forward'")
    assert len(forwarded) == 2, forwarded
    lodged = db_rows(d.tenant_db("province"), "SELECT actor, source, detail FROM audit WHERE action = 'objection.lodge'")
    assert [(a, s, json.loads(x)["state"]) for a, s, x in lodged] == [("relay", "tenant:zhengzhou", "open")] * 2, lodged
    for tenant in ("province", "zhengzhou"):
        assert d.call("tenant.check", {"id": tenant})["ok"] is True


def test_the_province_lists_come_a_page_at_a_time_and_the_home_page_counts_what_waits(setup):
    """What the cities handed over, as the office admin lists it (`province/applications`: oldest
    first, by state, `after=next`), as its reviewers count it on 首页 (only what waits for their
    own step, four eyes included) and as the 职称申报审查 screen pages it (50 a page, 下一页)."""
    d, city = setup
    pinfo = create_tenant(d, "province", "41", "河南省", kind="province")
    office = Api(d.http_port, "province").first_login(pinfo["admin_login"], pinfo["admin_password"])
    for _ in range(3):
        city.passed_application("副高级", "高级教师")
    rids = wait_until(lambda: (lambda rows: [r["id"] for r in rows] if len(rows) == 3 else None)(
        expect(office.get("province/applications"), 200).json["applications"]), 30, "the three hand-overs")
    assert rids == sorted(rids)

    first = expect(office.get("province/applications?limit=2"), 200).json
    assert [a["id"] for a in first["applications"]] == rids[:2] and first["next"] == rids[1], first
    second = expect(office.get(f"province/applications?limit=2&after={first['next']}"), 200).json
    assert [a["id"] for a in second["applications"]] == rids[2:] and second.get("next") is None, second
    assert [a["state"] for a in expect(office.get("province/applications?state=in_review"), 200).json["applications"]] == ["in_review"] * 3
    assert expect(office.get("province/applications?state=received"), 200).json["applications"] == []
    for query, field in (("state=draft", "state"), ("limit=abc", "limit"), ("after=1.5", "after")):
        expect(office.get(f"province/applications?{query}"), 400, field=field)

    # 首页 counts what waits for each reviewer's own step.
    handler = add_reviewer(office, 1, "p.h", ["handler"], series=[SERIES])
    both = add_reviewer(office, 1, "p.hl", ["handler", "leader"], series=[SERIES])
    home = lambda who: office.api.raw("GET", "/t/province/home", headers={"Cookie": f"zc_session={who.cookie}"}).body.decode()  # noqa: E731
    assert "职称申报审查（各市报送）：3 件待审查" in home(handler)
    expect(handler.post(f"province/reviews/{rids[0]}/decision", {"decision": "pass", "comment": "材料齐全"}), 200)
    assert "职称申报审查（各市报送）：2 件待审查" in home(handler)
    assert "职称申报审查（各市报送）：3 件待审查" in home(both), "two at its handler step, one at its leader step"
    expect(both.post(f"province/reviews/{rids[1]}/decision", {"decision": "pass", "comment": "材料齐全", "step": "handler"}), 200)
    assert "职称申报审查（各市报送）：2 件待审查" in home(both), "not the one it passed itself (four eyes)"
    expect(both.post(f"province/reviews/{rids[0]}/decision", {"decision": "pass", "comment": "同意", "step": "leader"}), 200)
    assert [a["id"] for a in expect(office.get("province/applications?state=received"), 200).json["applications"]] == [rids[0]]

    # The 职称申报审查 screen with more than a page: 50 newest first, 下一页 to the rest, 第一页 back.
    copies = clone_received(d, rids[2], 52, "final")
    page = lambda path: office.api.raw("GET", path, headers={"Cookie": f"zc_session={office.cookie}"}).body.decode()  # noqa: E731
    shown = lambda html: [int(x) for x in re.findall(r'<tr data-id="(\d+)">', html)]  # noqa: E731
    one = page("/t/province/province-reviews")
    assert shown(one) == sorted(rids + copies, reverse=True)[:50]
    next_link = re.search(r'id="province-next" href="([^"]+)"', one).group(1).replace("&amp;", "&")
    assert 'id="province-first"' not in one
    two = page(next_link)
    assert shown(two) == sorted(rids + copies, reverse=True)[50:] and 'id="province-next"' not in two and 'id="province-first"' in two
    assert len(expect(office.get("province/applications?limit=500"), 200).json["applications"]) == 55
    # A reviewer pages their series the same way, newest first (schema v35's received_reviewed,
    # which the service names); what waits for their step comes from the rows in that state.
    walked, before = [], ""
    for _ in range(10):
        mine = expect(handler.get(f"province/reviews?limit=20{before}"), 200).json
        walked += [a["id"] for a in mine["applications"]]
        if mine.get("next") is None:
            break
        before = f"&before={mine['next']}"
    assert walked == sorted(rids + copies, reverse=True)
    assert [a["id"] for a in expect(handler.get("province/reviews?waiting=true"), 200).json["applications"]] == [rids[2]]

    # The office admin's whole list, newest first a page at a time, from the ids of the rows the
    # office reviews (`received_office`, schema v38), not each row's chain: those handed over before
    # it reviewed any (no chain, straight to the committee), here the newest, are not among them.
    legacy = clone_received(d, copies[0], 30, "final")
    prov = d.tenant_db("province")
    con = sqlite3.connect(prov, timeout=10)
    try:
        with con:
            con.execute(f"UPDATE received_applications SET chain = NULL WHERE id IN ({','.join(map(str, legacy))})")
    finally:
        con.close()
    listed = [r[0] for r in db_rows(prov, "SELECT id FROM received_applications WHERE kind = 'title' AND chain IS NOT NULL ORDER BY id DESC")]
    assert listed == sorted(rids + copies, reverse=True) and min(legacy) > max(listed)
    walked, before, pages = [], "", 0
    for _ in range(10):
        mine = expect(office.get(f"province/reviews?limit=20{before}"), 200).json
        walked += [a["id"] for a in mine["applications"]]
        pages += 1
        if mine.get("next") is None:
            break
        assert len(mine["applications"]) == 20 and mine["next"] == mine["applications"][-1]["id"], mine["next"]
        before = f"&before={mine['next']}"
    assert walked == listed and pages == 3, (pages, walked[:3])
    # The default page (200) holds them all; the screen, 50 a page, shows the same.
    assert [a["id"] for a in expect(office.get("province/reviews"), 200).json["applications"]] == listed
    assert shown(page("/t/province/province-reviews")) == listed[:50]
    with unchanged(d, "province"):
        for query, field in (("limit=abc", "limit"), ("limit=1.5", "limit"), ("before=x", "before"), ("before=1.5", "before")):
            expect(office.get(f"province/reviews?{query}"), 400, field=field)


def test_the_committee_desk_comes_a_page_at_a_time(setup):
    """Over the years a desk holds tens of thousands: the API pages it with `limit` and
    `after` (an item's `path`), the screen a hundred at a time (`?limit=`), its filter kept
    across pages; what waits for a committee not yet set up is said on every page."""
    d, city = setup
    apps = [city.passed_application("中级", "一级教师")[1]["id"] for _ in range(3)]
    paths = [f"applications/{i}" for i in apps]
    whole = expect(city.admin.get("committee-worklist"), 200).json
    assert [i["path"] for i in whole["items"]] == paths and whole.get("next") is None, whole

    # The API: one at a time, each once, in order, then no next page.
    seen, after = [], ""
    for _ in range(5):
        page = expect(city.admin.get(f"committee-worklist?limit=1{after}"), 200).json
        seen += [i["path"] for i in page["items"]]
        if page.get("next") is None:
            break
        after = "&after=" + quote(page["next"], safe="")
    assert seen == paths, seen
    assert [i["path"] for i in expect(city.admin.get(f"committee-worklist?limit=2&after={quote(paths[0], safe='')}"), 200).json["items"]] == paths[1:]
    for bad in ["application/1", "applications/x", "applications/0", "province/applications", "../1"]:
        expect(city.admin.get("committee-worklist?limit=1&after=" + quote(bad, safe="")), 400, field="after")
    expect(city.admin.get("committee-worklist?limit=x"), 400, field="limit")
    # An empty `after` is the first page, as on the screen (one reading of it).
    assert [i["path"] for i in expect(city.admin.get("committee-worklist?limit=1&after="), 200).json["items"]] == paths[:1]

    # The screen, a row a page: 下一页 walks them with the filter kept; 第一页 goes back.
    cookie = {"Cookie": f"zc_session={city.admin.cookie}"}

    def screen(query: str) -> tuple[list[str], str | None, str]:
        page = city.api.raw("GET", "/t/zhengzhou/committee" + query, headers=cookie)
        assert page.status == 200, (query, page.status)
        body = page.body.decode()
        nxt = re.search(r'id="worklist-next" href="([^"]+)"', body)
        return re.findall(r'<tr data-item="application/(\d+)">', body), html.unescape(nxt.group(1)) if nxt else None, body

    shown, nxt, body = screen("?limit=1&year=2026&open=1")
    walked = shown
    assert "worklist-first" not in body and "有申报已到评委会，但本单位尚无负责“中小学教师 中级”的评委会" in body, body[-3000:]
    while nxt is not None and len(walked) < 5:
        assert "year=2026" in nxt and "open=1" in nxt and "limit=1" in nxt, nxt
        shown, nxt, body = screen(nxt[nxt.index("?"):])
        walked += shown
        # What no committee covers is said on every page, not only where its row is.
        assert 'id="uncovered"' in body and 'id="worklist-first"' in body, body[-3000:]
    assert walked == [str(i) for i in apps], walked
    for bad in ("received/abc", "application/1"):
        assert city.api.raw("GET", "/t/zhengzhou/committee?after=" + quote(bad, safe=""), headers=cookie).status == 400, bad


def test_the_committee_desk_finds_an_applicant_by_name(setup):
    """The desk narrowed to applicants whose name holds what was typed (taken literally), in the
    API (`committee-worklist?applicant=`) and on the screen, the search kept across pages; the
    province's desk finds the applications it received the same way."""
    d, city = setup
    ids = {}
    for name in ("张三丰", "李四", "张%"):
        _, app = city.passed_application("中级", "一级教师", name=name)
        ids[name] = f"applications/{app['id']}"

    def found(query: str) -> list[str]:
        return [i["path"] for i in expect(city.admin.get("committee-worklist" + query), 200).json["items"]]
    assert found("") == list(ids.values())
    assert found("?applicant=" + quote("张")) == [ids["张三丰"], ids["张%"]]
    assert found("?applicant=" + quote("%")) == [ids["张%"]], "a % is the character"
    assert found("?applicant=" + quote("张") + "&limit=1") == [ids["张三丰"]]
    expect(city.admin.get("committee-worklist?applicant=" + quote("长" * 41)), 400, field="applicant")
    cookie = {"Cookie": f"zc_session={city.admin.cookie}"}
    body = city.api.raw("GET", "/t/zhengzhou/committee?limit=1&applicant=" + quote("张"), headers=cookie).body.decode()
    assert re.findall(r'<tr data-item="application/(\d+)">', body) == [ids["张三丰"].split("/")[1]], body[-3000:]
    assert 'id="worklist-applicant" value="张"' in body, body[-3000:]
    nxt = html.unescape(re.search(r'id="worklist-next" href="([^"]+)"', body).group(1))
    assert "applicant=%E5%BC%A0" in nxt, nxt
    body = city.api.raw("GET", nxt, headers=cookie).body.decode()
    assert re.findall(r'<tr data-item="application/(\d+)">', body) == [ids["张%"].split("/")[1]], body[-3000:]

    # The province's desk, over what it received.
    pinfo = create_tenant(d, "province", "41", "河南省", kind="province")
    office = Api(d.http_port, "province").first_login(pinfo["admin_login"], pinfo["admin_password"])
    provincial = expect(office.post("committees", {"name": "河南省中小学教师高级评委会", "series": [SERIES], "levels": ["副高级"]}), 201).json
    other = expect(office.post("committees", {"name": "河南省中小学教师中级评委会", "series": [SERIES], "levels": ["中级"]}), 201).json
    _, senior = city.passed_application("副高级", "高级教师")
    rid = wait_until(lambda: (expect(office.get("province/applications"), 200).json["applications"] or [{}])[0].get("id"), 30, "the hand-over")
    senior_unit = expect(office.get(f"province/applications/{rid}"), 200).json["unit_name"]
    # 职称申报审查（各市报送）: the same search, by the applicant's or the unit's name.
    assert [a["id"] for a in expect(office.get("province/reviews?q=" + quote("周")), 200).json["applications"]] == [rid]
    assert [a["id"] for a in expect(office.get("province/reviews?q=" + quote(senior_unit)), 200).json["applications"]] == [rid]
    assert expect(office.get("province/reviews?q=" + quote("李")), 200).json["applications"] == []
    expect(office.get("province/reviews?q=" + quote("长" * 41)), 400, field="q")
    ocookie = {"Cookie": f"zc_session={office.cookie}"}
    page = office.api.raw("GET", "/t/province/province-reviews?q=" + quote("李"), headers=ocookie).body.decode()
    assert 'id="province-q" value="李"' in page and 'id="province-search-clear"' in page and f'<tr data-id="{rid}">' not in page, page[-3000:]
    page = office.api.raw("GET", "/t/province/province-reviews?q=" + quote("周"), headers=ocookie).body.decode()
    assert f'<tr data-id="{rid}">' in page, page[-3000:]
    province_passes(office, rid, series=[SERIES])
    assert [i["path"] for i in expect(office.get("committee-worklist?applicant=" + quote("周")), 200).json["items"]] == [f"province/applications/{rid}"]
    assert expect(office.get("committee-worklist?applicant=" + quote("李")), 200).json["items"] == []
    # And by committee: the one covering what it received names it.
    assert [(i["path"], i["committee"]["name"]) for i in expect(office.get(f"committee-worklist?committee={provincial['id']}"), 200).json["items"]] \
        == [(f"province/applications/{rid}", "河南省中小学教师高级评委会")]
    assert expect(office.get(f"committee-worklist?committee={other['id']}"), 200).json["items"] == []
    expect(office.get(f"committee-worklist?committee={provincial['id'] + 99}"), 400, field="committee")


def test_the_committee_desk_names_each_items_committee_and_narrows_to_one(setup):
    """Each desk item names the committee that evaluates it: the one that took it up, or the
    first set up of the office's committees covering its series and level (which will). The
    desk narrows to one committee's items (`committee-worklist?committee=`, the screen's 评委会
    select, offered with two committees or more), the choice kept across pages; an id not of
    the office's committees is refused naming `committee`."""
    d, city = setup
    a = expect(city.admin.post("committees", {"name": "甲评委会", "series": [SERIES], "levels": ["中级"]}), 201).json
    cookie = {"Cookie": f"zc_session={city.admin.cookie}"}
    body = city.api.raw("GET", "/t/zhengzhou/committee", headers=cookie).body.decode()
    assert 'id="worklist-committee"' not in body, "one committee: nothing to choose"
    _, taken = city.passed_application("中级", "一级教师")
    expect(city.admin.put(f"applications/{taken['id']}/interview", {"time": interview_time(10, 9), "place": "会议室"}), 200)
    # 甲 now takes up 初级 only; 乙 and 丙, set up after it, 中级: the one 甲 took up stays with
    # 甲, and 乙, the first set up of the two, takes up the 中级 ones that come.
    expect(city.admin.patch(f"committees/{a['id']}", {"levels": ["初级"]}), 200)
    b = expect(city.admin.post("committees", {"name": "乙评委会", "series": [SERIES], "levels": ["中级"]}), 201).json
    c = expect(city.admin.post("committees", {"name": "丙评委会", "series": [SERIES], "levels": ["中级"]}), 201).json
    _, first = city.passed_application("中级", "一级教师")
    _, second = city.passed_application("中级", "一级教师")

    def desk(query: str = "") -> list[tuple[str, object]]:
        return [(i["path"], i["committee"]) for i in expect(city.admin.get("committee-worklist" + query), 200).json["items"]]
    ref_a, ref_b = {"id": a["id"], "name": "甲评委会"}, {"id": b["id"], "name": "乙评委会"}
    assert desk() == [(f"applications/{taken['id']}", ref_a), (f"applications/{first['id']}", ref_b), (f"applications/{second['id']}", ref_b)]
    assert desk(f"?committee={a['id']}") == [(f"applications/{taken['id']}", ref_a)]
    assert desk(f"?committee={b['id']}") == [(f"applications/{first['id']}", ref_b), (f"applications/{second['id']}", ref_b)]
    assert desk(f"?committee={c['id']}") == []
    assert desk(f"?committee={b['id']}&need=result&limit=1") == [(f"applications/{first['id']}", ref_b)]
    with unchanged(d, "zhengzhou"):
        for bad in ("9999", "甲", "0"):
            expect(city.admin.get("committee-worklist?committee=" + quote(bad)), 400, field="committee")

    body = city.api.raw("GET", f"/t/zhengzhou/committee?committee={b['id']}&limit=1", headers=cookie).body.decode()
    assert re.findall(r'<tr data-item="application/(\d+)">', body) == [str(first["id"])], body[-3000:]
    assert re.findall(r'<td class="work-committee">([^<]*)</td>', body) == ["乙评委会"], body[-3000:]
    assert (f'<option value="{a["id"]}">甲评委会</option><option value="{b["id"]}" selected>乙评委会</option>'
            f'<option value="{c["id"]}">丙评委会</option>') in body, body[-4000:]
    # The batch form posts to the narrowed page, so a refusal shows it again as it was.
    assert re.search(r'action="/t/zhengzhou/committee/batch\?[^"]*committee=' + str(b["id"]), body), body[-3000:]
    nxt = html.unescape(re.search(r'id="worklist-next" href="([^"]+)"', body).group(1))
    assert f"committee={b['id']}" in nxt, nxt
    body = city.api.raw("GET", nxt, headers=cookie).body.decode()
    assert re.findall(r'<tr data-item="application/(\d+)">', body) == [str(second["id"])], body[-3000:]
    body = city.api.raw("GET", f"/t/zhengzhou/committee?committee={c['id']}", headers=cookie).body.decode()
    assert "没有符合条件的申报" in body, body[-3000:]
    assert city.api.raw("GET", "/t/zhengzhou/committee?committee=9999", headers=cookie).status == 400


def test_the_review_form_of_a_person_deleted_since_shows_their_number_and_unit(setup):
    """A person moved to another unit is deleted here and added there; their account is kept
    under a retired login (`<number>#deleted-<id>`). The 评审表 of their finished application
    still shows their ID number as it is, and the unit as the application keeps it."""
    d, city = setup
    applicant, app = city.passed_application("中级", "一级教师")
    expect(city.admin.post("committees", {"name": "郑州市中小学教师中级评委会", "series": [SERIES], "levels": ["中级"]}), 201)
    expect(city.admin.post(f"applications/{app['id']}/result", {"result": "通过"}), 200)
    expect(city.admin.post(f"applications/{app['id']}/result/confirm"), 200)
    assert expect(applicant.get(f"applications/{app['id']}"), 200).json["state"] == "passed"
    number = applicant.account["login"]
    expect(city.admin.delete(f"applicants/{applicant.account['id']}"), (200, 204))
    assert db_rows(d.tenant_db("zhengzhou"), "SELECT login FROM accounts WHERE id = ?", applicant.account["id"])[0][0].startswith(number + "#deleted-")
    # A reviewer who may read 基本信息 sees the number whole; so does the admin of the person's own
    # unit (here the office), who registered it and sees it whole on 申报人员状态查询.
    form = expect(city.reviewers[0].get(f"applications/{app['id']}/review-form"), 200).body.decode()
    assert f"<td>{number}</td>" in form and "#deleted" not in form and '<td colspan="3">郑州市职改办</td>' in form, form[:3000]
    form = expect(city.admin.get(f"applications/{app['id']}/review-form"), 200).body.decode()
    assert f"<td>{number}</td>" in form and "#deleted" not in form, form[:3000]


def test_applications_waiting_for_nobody_are_named_to_the_admin(setup):
    """The only 负责人 disabled (leave, transfer) leaves what waits at 负责人审查 in nobody's
    queue: the admin's 首页 and `reviews/stranded` say how many, at which step and series, and
    what to do; so does four eyes, when the one leader left passed it as 经办人 themselves."""
    d, city = setup
    _, app = city.passed_application("中级", "一级教师", by=1)   # waits at the office's 负责人审查
    cookie = {"Cookie": f"zc_session={city.admin.cookie}"}

    def home() -> str:
        return city.api.raw("GET", "/t/zhengzhou/home", headers=cookie).body.decode()

    assert expect(city.admin.get("reviews/stranded"), 200).json["steps"] == []
    handler, leader = (r.account["id"] for r in city.reviewers)
    expect(city.admin.post(f"staff/{leader}/disable"), 200)
    steps = expect(city.admin.get("reviews/stranded"), 200).json["steps"]
    assert steps == [{"stage": "leader", "stage_label": "负责人审查", "series": SERIES, "count": 1, "kind": "title", "handed_over": False,
                      "needs_another_leader": False}], steps
    assert f"负责人审查：1 件{SERIES}职称申报无人可审" in home() and 'href="/t/zhengzhou/staff"' in home()
    # The handler given the leader's role too: four eyes keeps them from what they passed.
    expect(city.admin.put(f"staff/{handler}/roles", {"roles": ["handler", "leader"]}), 200)
    assert [(s["count"], s["needs_another_leader"]) for s in expect(city.admin.get("reviews/stranded"), 200).json["steps"]] == [(1, True)]
    assert "唯一的负责人已作经办人审查" in home()
    expect(city.admin.post(f"staff/{leader}/enable"), 200)
    assert expect(city.admin.get("reviews/stranded"), 200).json["steps"] == []
    assert "无人可审" not in home()
    expect(city.reviewers[0].get("reviews/stranded"), 403)


def test_a_hand_over_the_province_office_passed_with_no_committee_for_it_is_named_on_the_desk_and_home(setup):
    """The province's committee desk says what has reached it that no committee of the office
    covers (尚无负责“<series> <level>”的评委会), and its admin's 首页 says so: for a city's
    hand-over, once the office's own review passed it, not while the office reviews it, nor
    once the office sent it back or turned it down. A committee of another level covers nothing
    of it; one of its level ends the line."""
    d, city = setup
    pinfo = create_tenant(d, "province", "41", "河南省", kind="province")
    papi = Api(d.http_port, "province")
    office = papi.first_login(pinfo["admin_login"], pinfo["admin_password"])
    handler, leader = (add_reviewer(office, 1, f"prov.{role}", [role], sections=SECTIONS) for role in ("handler", "leader"))
    apps = [city.passed_application("副高级", "高级教师")[1] for _ in range(3)]
    received = wait_until(lambda: (lambda rows: rows if len(rows) == 3 else None)(
        {r["source_application_id"]: r["id"] for r in expect(office.get("province/applications"), 200).json["applications"]}), 30,
        "the province to receive the three applications")
    passing, rejected, returned = (received[a["id"]] for a in apps)
    cookie = {"Cookie": f"zc_session={office.cookie}"}
    line = f"尚无负责“{SERIES} 副高级”的评委会"

    def desk() -> str:
        page = papi.raw("GET", "/t/province/committee", headers=cookie)
        assert page.status == 200, page.status
        return page.body.decode()

    def todo() -> list[str]:
        return re.findall(r'<li><a href="/t/province/committee(?:\?need=\w+)?">([^<]+)</a></li>', papi.raw("GET", "/t/province/home", headers=cookie).body.decode())

    def listed() -> list[tuple]:
        return [(i["path"], i["covered"]) for i in expect(office.get("committee-worklist"), 200).json["items"]]

    # Under the office's own review, sent back, turned down: not at the committee.
    expect(handler.post(f"province/reviews/{rejected}/decision", {"decision": "reject", "comment": "不符合申报条件"}), 200)
    expect(handler.post(f"province/reviews/{returned}/decision", {"decision": "return", "sections": ["基本信息"], "reason": "incomplete",
                                                                   "comment": "请补充"}), 200)
    states = {r["id"]: r["state"] for r in expect(office.get("province/applications"), 200).json["applications"]}
    assert (states[passing], states[rejected], states[returned]) == ("in_review", "rejected", "returned"), states
    assert 'id="uncovered"' not in desk() and todo() == [] and listed() == []

    # Passed by the office's 经办人 and 负责人: at the committee, which the office has not set up.
    for reviewer in (handler, leader):
        expect(reviewer.post(f"province/reviews/{passing}/decision", {"decision": "pass", "comment": "符合申报条件"}), 200)
    assert listed() == [(f"province/applications/{passing}", False)]
    assert line in desk() and todo() == ["有申报已到评委会，但尚无负责的评委会"], (todo(), desk()[-3000:])
    # The city's own desk says nothing of the province's applications.
    city_desk = city.api.raw("GET", "/t/zhengzhou/committee", headers={"Cookie": f"zc_session={city.admin.cookie}"}).body.decode()
    assert "副高级”的评委会" not in city_desk, city_desk[-3000:]

    expect(office.post("committees", {"name": "河南省中小学教师正高级评委会", "series": [SERIES], "levels": ["正高级"]}), 201)
    assert line in desk() and todo() == ["有申报已到评委会，但尚无负责的评委会"]
    expect(office.post("committees", {"name": "河南省中小学教师副高级评委会", "series": [SERIES], "levels": ["副高级"]}), 201)
    assert 'id="uncovered"' not in desk() and listed() == [(f"province/applications/{passing}", True)]
    assert todo() == ["评委会评审：1 件待评审"], todo()

    # 首页 counts the open desk in SQL (by the received rows' state, from their index), as the
    # desk's `open` lists it: received or in notice, not final, not still under the office's review.
    more = {state: clone_rows(d.tenant_db("province"), "received_applications", passing, n, bind={"state": state, "from": 200000 + 1000 * k},
                              source_application_id=":from + :n", message_id="message_id || '-' || :from || '-' || :n", state=":state")
            for k, (state, n) in enumerate((("received", 4), ("publicity", 2), ("final", 3), ("in_review", 2)))}
    assert todo() == ["评委会评审：7 件待评审"], todo()
    opened = [i["path"] for i in expect(office.get("committee-worklist?open=true"), 200).json["items"]]
    assert opened == [f"province/applications/{i}" for i in sorted([passing] + more["received"] + more["publicity"])], opened
    assert len(expect(office.get("committee-worklist"), 200).json["items"]) == 10
    assert len(re.findall(r'<tr data-item="received/', papi.raw("GET", "/t/province/committee?open=1", headers=cookie).body.decode())) == 7


# --------------------------------------------------------------------------- the province's own units


class ProvinceWithUnit:
    """The province tenant beside the city of `setup`: its office's admin, its 经办人 and 负责人
    (one each, as `province_passes` finds them), and a unit directly under the office
    (河南省实验中学, approved, with an approved 副高级 plan, its own handler and leader)."""

    def __init__(self, d):
        info = create_tenant(d, "province", "41", "河南省", kind="province")
        self.d, self.api = d, Api(d.http_port, "province")
        self.office = self.api.first_login(info["admin_login"], info["admin_password"])
        self.office._province_reviewers = [add_reviewer(self.office, 1, f"prov.title.{role}", [role], sections=SECTIONS) for role in ("handler", "leader")]
        org, admin = create_child(self.office, 1, "河南省实验中学", "unit")
        self.unit_id = org["id"]
        self.unit = approve_unit(self.api, self.office, self.unit_id, admin["login"], admin["password"])
        approved_plan(self.unit, self.office, self.unit_id, [{"series": SERIES, "level": "副高级", "count": 9}])
        self.unit_reviewers = [add_reviewer(self.unit, self.unit_id, f"{self.unit_id}.{role}", [role], sections=SECTIONS) for role in ("handler", "leader")]

    def submitted(self, name: str = "省直教师"):
        """A 副高级 application of a teacher of the unit, every section filled in, submitted."""
        person = expect(self.unit.post(f"orgs/{self.unit_id}/applicants", {"id_number": fresh_id_number(), "name": name}), 201).json
        applicant = self.api.first_login(person["account"]["login"], person["password"])
        app = expect(applicant.post("applications", {"kind": "title", "year": 2026, "series": SERIES, "level": "副高级", "title": "高级教师"}), 201).json
        for section in SECTIONS:
            expect(applicant.put(f"applications/{app['id']}/sections/{quote(section)}", {"内容": section}), 200)
        return applicant, expect(applicant.post(f"applications/{app['id']}/submit"), 200).json

    def passed(self, name: str = "省直教师"):
        """Submitted, then passed by the unit's handler and leader and the office's."""
        applicant, app = self.submitted(name)
        for reviewer in self.unit_reviewers + self.office._province_reviewers:
            City.pass_(reviewer, app["id"])
        return applicant, app

    def received(self, city: City) -> int:
        """A 副高级 application of the city, handed over and passed by the office's own review:
        the province's id of it."""
        _, app = city.passed_application("副高级", "高级教师")

        def arrived():
            rows = [r for r in expect(self.office.get("province/applications"), 200).json["applications"] if r["source_application_id"] == app["id"]]
            return rows[0]["id"] if rows else None

        rid = wait_until(arrived, 30, "the province to receive the city's application")
        province_passes(self.office, rid)
        return rid


def test_an_application_of_the_provinces_own_unit_ends_at_its_office_and_committee(setup):
    """A unit directly under the province office is the province's own: its 副高级 application
    climbs the unit and the office (经办人, 负责人 at each) and then waits at the office's own
    committee, as a city's 中级 one does at the city's. It is not handed over to the province
    (itself) for the same office to review a second time, and the province hands no levels on."""
    d, city = setup
    p = ProvinceWithUnit(d)
    assert d.call("tenant.configure", {"id": "province"})["province_levels"] == []
    bad = d.request("tenant.configure", {"id": "province", "province_levels": ["副高级"]})
    assert bad["ok"] is False and bad["error"]["code"] == "invalid", bad

    applicant, app = p.submitted()
    assert app["route"] == [p.unit_id, 1], app
    handler, leader = p.office._province_reviewers
    for reviewer in p.unit_reviewers:
        City.pass_(reviewer, app["id"])
    # At the office it is in its reviewers' own queues (not the 各市报送 review of hand-overs).
    assert [a["id"] for a in expect(handler.get("reviews/queue"), 200).json["applications"]] == [app["id"]]
    assert expect(handler.get("province/reviews?waiting=true"), 200).json["applications"] == []
    City.pass_(handler, app["id"])
    City.pass_(leader, app["id"])
    mine = expect(applicant.get(f"applications/{app['id']}"), 200).json
    assert mine["state"] == "at_committee" and not mine.get("forwarded_to_province_at"), mine
    province_db = d.tenant_db("province")
    relay_idle(d, ["province", "zhengzhou"])
    assert db_rows(province_db, "SELECT kind, target FROM outbox") == [], "nothing handed over, not even to itself"
    assert db_rows(province_db, "SELECT count(*) FROM received_applications") == [(0,)]
    assert expect(p.office.get("province/applications"), 200).json["applications"] == []

    # The office's committee takes it up, by its own path, and records the result itself.
    desk = expect(p.office.get("committee-worklist"), 200).json["items"]
    assert [(i["path"], i["covered"], i.get("source_tenant")) for i in desk] == [(f"applications/{app['id']}", False, None)], desk
    expect(p.office.post("committees", {"name": "河南省中小学教师高级评委会", "series": [SERIES], "levels": ["副高级", "正高级"]}), 201)
    assert [i["covered"] for i in expect(p.office.get("committee-worklist"), 200).json["items"]] == [True]
    expect(p.office.put(f"applications/{app['id']}/interview", {"time": interview_time(20, 14), "place": "省人社厅"}), 200)
    interview_held(d, "province")
    seal = png_bytes(3, 3, seed=43)
    expect(p.office.upload("orgs/1/seal", seal), (200, 204))
    expect(p.office.post(f"applications/{app['id']}/result", {"result": "通过"}), 200)
    expect(p.office.post(f"applications/{app['id']}/result/confirm"), 200)
    mine = expect(applicant.get(f"applications/{app['id']}"), 200).json
    assert (mine["state"], mine["result"], mine["committee"]) == ("passed", "通过", "河南省中小学教师高级评委会"), mine
    # Its 评审表 as the province office prints it: the committee's opinion with the office's seal; the applicant's without.
    printed = expect(p.office.get(f"applications/{app['id']}/review-form"), 200).body.decode()
    assert committee_seal(printed) == (expect(p.office.get("orgs/1"), 200).json["name"], base64.b64encode(seal).decode()), printed[-1500:]
    assert committee_seal(expect(applicant.get(f"applications/{app['id']}/review-form"), 200).body.decode()) is None
    assert [s["decision"] for s in committee_steps(applicant, app["id"])] == ["committee-interview", "committee-result", "committee-final"]
    relay_idle(d, ["province", "zhengzhou"])
    assert db_rows(province_db, "SELECT kind FROM outbox") == [], "the result is the province's own: no message to any city"


def test_the_province_desk_pages_across_its_own_applications_and_those_handed_over(setup):
    """The province office's desk lists its own units' applications, then those the cities
    handed over: a page boundary falling between the two kinds, or inside either, loses and
    repeats nothing, whatever the page size, with `open=true` too."""
    d, city = setup
    p = ProvinceWithUnit(d)
    own = [p.passed(f"省直教师{n}")[1]["id"] for n in range(2)]
    received = [p.received(city) for _ in range(2)]
    paths = [f"applications/{i}" for i in own] + [f"province/applications/{r}" for r in received]
    whole = expect(p.office.get("committee-worklist"), 200).json
    assert [i["path"] for i in whole["items"]] == paths and whole.get("next") is None, whole
    assert [i.get("source_tenant") for i in whole["items"]] == [None, None, "zhengzhou", "zhengzhou"], whole

    def walk(limit: int, query: str = "") -> tuple[list[str], list[str]]:
        seen, cursors, after = [], [], ""
        for _ in range(len(paths) + 2):
            page = expect(p.office.get(f"committee-worklist?limit={limit}{query}{after}"), 200).json
            assert len(page["items"]) <= limit, page
            seen += [i["path"] for i in page["items"]]
            if page.get("next") is None:
                return seen, cursors
            assert page["next"] == seen[-1], page   # the cursor is the last item shown
            cursors.append(page["next"])
            after = "&after=" + quote(page["next"], safe="")
        raise AssertionError(f"the desk did not end: {seen}")

    for limit in (1, 2, 3, 4, 5):
        seen, cursors = walk(limit)
        assert seen == paths, (limit, seen)
    # limit 2: the boundary falls exactly between the office's own and the cities' ones.
    assert walk(2)[1] == [paths[1]]
    assert [i["path"] for i in expect(p.office.get(f"committee-worklist?limit=5&after={quote(paths[1], safe='')}"), 200).json["items"]] == paths[2:]
    assert expect(p.office.get(f"committee-worklist?limit=5&after={quote(paths[3], safe='')}"), 200).json["items"] == []

    # One of the office's own decided for good: `open=true` leaves it out on every page.
    expect(p.office.post("committees", {"name": "河南省中小学教师高级评委会", "series": [SERIES], "levels": ["副高级", "正高级"]}), 201)
    expect(p.office.post(f"applications/{own[0]}/result", {"result": "通过"}), 200)
    expect(p.office.post(f"applications/{own[0]}/result/confirm"), 200)
    for limit in (1, 2, 3):
        assert walk(limit, "&open=true")[0] == paths[1:], limit
        assert walk(limit)[0] == paths, limit


def test_the_province_offices_review_of_hand_overs_waiting_for_nobody_is_named_to_its_admin(setup):
    """What the cities handed over waits for the province office's own 经办人 then 负责人. With
    its only 经办人 of the series disabled, or its only 负责人 given another series, it waits for
    nobody: `reviews/stranded` and the admin's 首页 say so (各市报送), until someone can take it."""
    d, city = setup
    pinfo = create_tenant(d, "province", "41", "河南省", kind="province")
    papi = Api(d.http_port, "province")
    office = papi.first_login(pinfo["admin_login"], pinfo["admin_password"])
    handler, leader = (add_reviewer(office, 1, f"prov.{role}", [role], sections=SECTIONS) for role in ("handler", "leader"))
    _, app = city.passed_application("副高级", "高级教师")
    rid = wait_until(lambda: [r["id"] for r in expect(office.get("province/applications"), 200).json["applications"]], 30,
                     "the province to receive the application")[0]
    cookie = {"Cookie": f"zc_session={office.cookie}"}

    def stranded() -> list[tuple]:
        return [(s["stage"], s["series"], s["count"], s["handed_over"], s["needs_another_leader"])
                for s in expect(office.get("reviews/stranded"), 200).json["steps"]]

    def home() -> str:
        return papi.raw("GET", "/t/province/home", headers=cookie).body.decode()

    assert stranded() == []
    expect(office.post(f"staff/{handler.id}/disable"), 200)
    assert stranded() == [("handler", SERIES, 1, True, False)]
    assert f"经办人审查（各市报送）：1 件{SERIES}职称申报无人可审" in home()
    expect(office.post(f"staff/{handler.id}/enable"), 200)
    assert stranded() == [] and "无人可审" not in home()

    handler = papi.sign_in(handler.account["login"], handler.password)   # disabling ended its session
    expect(handler.post(f"province/reviews/{rid}/decision", {"decision": "pass", "comment": "符合申报条件"}), 200)
    expect(office.put(f"staff/{leader.id}/permissions", {"series": ["高等学校教师"], "sections": SECTIONS}), 200)
    assert stranded() == [("leader", SERIES, 1, True, False)]
    assert f"负责人审查（各市报送）：1 件{SERIES}职称申报无人可审" in home()
    # The 经办人 who passed it given the 负责人 role: four eyes keeps them from it all the same.
    expect(office.put(f"staff/{handler.id}/roles", {"roles": ["handler", "leader"]}), 200)
    assert stranded() == [("leader", SERIES, 1, True, True)]
    assert "唯一的负责人已作经办人审查" in home()
    expect(office.put(f"staff/{leader.id}/permissions", {"series": [SERIES], "sections": SECTIONS}), 200)
    assert stranded() == [] and "无人可审" not in home()
    expect(leader.post(f"province/reviews/{rid}/decision", {"decision": "pass", "comment": "同意"}), 200)
    assert stranded() == []


def test_a_province_reviewers_repeated_step_is_answered_only_while_they_review_that_series(setup):
    """The province office's reviewer's own last step sent again (a double click, a retry after
    a lost answer) is answered with the application as it stands, recorded once. A reviewer
    taken off the series since is no longer one of its reviewers: the repeat is refused as a
    new step would be, and shows them nothing."""
    d, city = setup
    pinfo = create_tenant(d, "province", "41", "河南省", kind="province")
    papi = Api(d.http_port, "province")
    office = papi.first_login(pinfo["admin_login"], pinfo["admin_password"])
    handler, leader = (add_reviewer(office, 1, f"prov.{role}", [role], sections=SECTIONS) for role in ("handler", "leader"))
    city.passed_application("副高级", "高级教师")
    rid = wait_until(lambda: [r["id"] for r in expect(office.get("province/applications"), 200).json["applications"]], 30,
                     "the province to receive the application")[0]
    seen = expect(handler.get(f"province/reviews/{rid}"), 200).json
    body = {"decision": "pass", "comment": "符合申报条件", "version": seen["version"]}
    first = expect(handler.post(f"province/reviews/{rid}/decision", body), 200).json
    again = expect(handler.post(f"province/reviews/{rid}/decision", body), 200).json
    assert (again["version"], again["step"]) == (first["version"], "leader"), (first, again)
    assert expect(handler.post(f"province/reviews/{rid}/decision", {"decision": "pass", "comment": "符合申报条件"}), 200).json["version"] == first["version"]
    steps = lambda: db_rows(d.tenant_db("province"), "SELECT stage, actor_id FROM received_decisions WHERE received_id = ?", rid)  # noqa: E731
    assert steps() == [("handler", handler.id)]

    # Taken off the series: the same repeat is refused, changes nothing and shows nothing.
    expect(office.put(f"staff/{handler.id}/permissions", {"series": ["高等学校教师"], "sections": SECTIONS}), 200)
    relay_idle(d, ["province", "zhengzhou"])
    with unchanged(d, "province"):
        # With the version it was sent against: a stale view (the step is no longer theirs to
        # repeat); without it: a step of the application as it is now, the 负责人's.
        expect(handler.post(f"province/reviews/{rid}/decision", body), 409)
        expect(handler.post(f"province/reviews/{rid}/decision", {"decision": "pass", "comment": "符合申报条件"}), 403, contains="负责人")
    expect(handler.get(f"province/reviews/{rid}"), 404)

    # The 负责人's last step likewise: answered while of the series, refused once off it.
    seen = expect(leader.get(f"province/reviews/{rid}"), 200).json
    body = {"decision": "pass", "comment": "同意", "version": seen["version"]}
    first = expect(leader.post(f"province/reviews/{rid}/decision", body), 200).json
    assert first["state"] == "received", first
    assert expect(leader.post(f"province/reviews/{rid}/decision", body), 200).json["version"] == first["version"]
    assert steps() == [("handler", handler.id), ("leader", leader.id)]
    expect(office.put(f"staff/{leader.id}/permissions", {"series": ["高等学校教师"], "sections": SECTIONS}), 200)
    relay_idle(d, ["province", "zhengzhou"])
    with unchanged(d, "province"):
        expect(leader.post(f"province/reviews/{rid}/decision", body), 409)
    expect(leader.get(f"province/reviews/{rid}"), 404)
    assert steps() == [("handler", handler.id), ("leader", leader.id)]
