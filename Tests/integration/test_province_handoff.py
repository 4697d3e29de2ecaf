"""Crossing to the province exactly once (SPEC §7): when the city's top level passes a 副高级
application, it moves to the `province` tenant once, and the province's acknowledgement flows
back to the city once, whatever instant the daemon is killed. Each case arms a crash point
(ZHICHENG_CRASH_AT) that makes the daemon exit at one step of the hand-off, restarts it, and
checks the application exists once in the province and the city shows it as forwarded."""

from __future__ import annotations

import datetime
import http.client
import json
import pathlib
import re
import shutil
import sqlite3
import subprocess
import threading
import time
from urllib.parse import quote

import pytest

from api_support import Api, add_reviewer, approve_unit, approved_plan, create_child, db_rows, expect, fresh_id_number, province_passes, relay_idle, restore_tenant, unchanged
from api_support import REQUIRED_SECTIONS
from conftest import REPO, clean_env, create_tenant, expect_error, run_ctl, wait_until

SERIES = "中小学教师"
SECTIONS = REQUIRED_SECTIONS

CRASH_POINTS = [
    None,
    "decide.after-commit",
    "relay.before-deliver.application.forward",
    "relay.after-deliver.application.forward",
    "relay.after-mark.application.forward",
    "relay.before-deliver.application.received",
    "relay.after-deliver.application.received",
    "relay.after-mark.application.received",
]


def restart_after_crash(d) -> None:
    """The daemon exited at its crash point (86): start it again without one."""
    assert d.wait_exit(timeout=60) == 86, d.output()[-2000:]
    d.env = clean_env()
    d.start()


def staff(admin, login: str, role: str):
    return add_reviewer(admin, 1, login, [role], sections=SECTIONS)


class Handoff:
    """The province (unless told not to) and 郑州市, whose root office has an approved 副高级
    plan, a handler, a leader and an applicant, all signed in. Each application after the
    first has an applicant of its own (one title application per person a year)."""

    def __init__(self, d, province: bool = True):
        self.d = d
        if province:
            create_tenant(d, "province", "41", "河南省", kind="province")
        info = create_tenant(d, "zhengzhou", "4101", "郑州市")
        self.api = Api(d.http_port, "zhengzhou")
        self.city = self.api.first_login(info["admin_login"], info["admin_password"])
        approved_plan(self.city, self.city, 1, [{"series": SERIES, "level": "副高级", "count": 5}])
        self.handler, self.leader = staff(self.city, "city.h", "handler"), staff(self.city, "city.l", "leader")
        self.applicant = self.new_applicant()
        self.owners: dict[int, object] = {}

    def new_applicant(self):
        person = expect(self.city.post("orgs/1/applicants", {"id_number": fresh_id_number(), "name": "钱老师"}), 201).json
        return self.api.first_login(person["account"]["login"], person["password"])

    def submitted(self) -> dict:
        """A new 副高级 application with every section filled in, submitted (by `applicant`,
        a new one unless this is the first)."""
        if self.owners:
            self.applicant = self.new_applicant()
        app = expect(self.applicant.post("applications", {"kind": "title", "year": 2026, "series": SERIES, "level": "副高级", "title": "高级教师"}), 201).json
        for section in SECTIONS:
            expect(self.applicant.put(f"applications/{app['id']}/sections/{quote(section)}", {"内容": section}), 200)
        expect(self.applicant.post(f"applications/{app['id']}/submit"), 200)
        self.owners[app["id"]] = self.applicant
        return app

    @staticmethod
    def pass_(reviewer, app_id: int):
        version = expect(reviewer.get(f"applications/{app_id}"), 200).json["version"]
        return reviewer.post(f"applications/{app_id}/decision", {"decision": "pass", "comment": "同意", "version": version})

    def forwarded(self, app_id: int):
        return expect(self.owners[app_id].get(f"applications/{app_id}"), 200).json.get("forwarded_to_province_at")

    def wait_forwarded(self, app_id: int, what: str) -> None:
        wait_until(lambda: self.forwarded(app_id), 30, what)

    def passed(self) -> dict:
        """A new application submitted and passed by the handler and the leader (not waited for)."""
        app = self.submitted()
        for reviewer in (self.handler, self.leader):
            expect(self.pass_(reviewer, app["id"]), 200)
        return app

    def handed_over(self) -> dict:
        """A new application passed at the city and acknowledged by the province."""
        app = self.passed()
        self.wait_forwarded(app["id"], f"application {app['id']} to be acknowledged by the province")
        return app

    def province_office(self):
        """The province office's admin, signed in (its password reset first): the province's API and the session."""
        info = self.d.call("account.reset-password", {"tenant": "province", "login": "41"})
        papi = Api(self.d.http_port, "province")
        return papi, papi.first_login("41", info["password"])

    def sign_in_again(self) -> None:
        """After a restart, or a restore (which voids every session of the backup)."""
        self.city, self.applicant, self.handler, self.leader = (self.api.sign_in(s.account["login"], s.password)
                                                                for s in (self.city, self.applicant, self.handler, self.leader))
        self.owners = {app_id: self.api.sign_in(s.account["login"], s.password) for app_id, s in self.owners.items()}


@pytest.mark.parametrize("point", CRASH_POINTS, ids=lambda p: p or "no-crash")
def test_application_crosses_to_the_province_exactly_once(daemon_factory, point):
    env = clean_env(ZHICHENG_CRASH_AT=point) if point else clean_env()
    d = daemon_factory(env=env).start()
    h = Handoff(d)
    app = h.submitted()
    expect(h.pass_(h.handler, app["id"]), 200)
    try:
        expect(h.pass_(h.leader, app["id"]), 200)
    except (ConnectionError, OSError, http.client.HTTPException):
        # The relay starts right after this decision commits, so the daemon may die at the
        # crash point before the answer is written: the decision was committed all the same.
        assert point, "only a crash point may cut the answer off"

    if point:
        restart_after_crash(d)

    province_db = d.tenant_db("province")
    city_db = d.tenant_db("zhengzhou")

    def settled() -> bool:
        return bool(h.forwarded(app["id"])) and not db_rows(city_db, "SELECT id FROM outbox WHERE delivered_at IS NULL") \
            and not db_rows(province_db, "SELECT id FROM outbox WHERE delivered_at IS NULL")

    h.sign_in_again()
    applicant = h.applicant
    wait_until(settled, 30, "the hand-off to settle")
    received = db_rows(province_db, "SELECT source_tenant, source_application_id, applicant_name, level, title FROM received_applications")
    assert received == [("zhengzhou", app["id"], "钱老师", "副高级", "高级教师")]
    assert len(db_rows(province_db, "SELECT message_id FROM inbox")) == 1
    assert len(db_rows(city_db, "SELECT message_id FROM inbox")) == 1
    shown = expect(applicant.get(f"applications/{app['id']}"), 200).json
    assert shown["state"] == "awaiting_province" and shown["state_label"] == "已报送省职改办"
    for tenant in ("province", "zhengzhou"):
        assert d.call("tenant.check", {"id": tenant})["ok"] is True

    # The province office sees it in its list.
    _, office = h.province_office()
    listed = expect(office.get("province/applications"), 200).json["applications"]
    assert [(a["source_tenant"], a["source_application_id"]) for a in listed] == [("zhengzhou", app["id"])]
    expect(applicant.get("province/applications"), 403)


PROVINCE_REVIEW_POINTS = ("relay.before-deliver.application.province-review", "relay.after-deliver.application.province-review",
                          "relay.after-mark.application.province-review")
PROVINCE_REJECTION_POINTS = ("province-review.after-commit", "relay.before-deliver.application.province-rejected",
                             "relay.after-deliver.application.province-rejected", "relay.after-mark.application.province-rejected")


@pytest.mark.parametrize("point", [None, *PROVINCE_REVIEW_POINTS, *PROVINCE_REJECTION_POINTS], ids=lambda p: p or "no-crash")
def test_the_province_offices_review_reaches_the_city_exactly_once(daemon_factory, point):
    """The province office reviews a 副高级 application itself (经办人, then 负责人) before its
    committee may take it up. Each step reaches the applicant's trail in the city once, and the
    负责人's 未通过 ends the application there once, as the review's end at that step (未通过, not a
    committee's 评审未通过: no 结果确认 in the trail), whatever instant the daemon is killed."""
    d = daemon_factory(env=clean_env(ZHICHENG_CRASH_AT=point) if point else clean_env()).start()
    h = Handoff(d)
    app = h.handed_over()
    papi, office = h.province_office()
    reviewers = [staff(office, "prov.h", "handler"), staff(office, "prov.l", "leader")]
    [rid] = [r["id"] for r in expect(office.get("province/applications"), 200).json["applications"]]
    queue = expect(reviewers[0].get("province/reviews?waiting=true"), 200).json["applications"]
    assert [(a["id"], a["step"], a["may_act"]) for a in queue] == [(rid, "handler", True)], queue
    assert expect(reviewers[1].get("province/reviews?waiting=true"), 200).json["applications"] == []

    def restart_if_crashing(points: tuple[str, ...]) -> None:
        if point in points:
            restart_after_crash(d)

    def decide(reviewer, body: dict, may_be_cut_off: tuple[str, ...]) -> None:
        try:
            expect(reviewer.post(f"province/reviews/{rid}/decision", body), 200)
        except (ConnectionError, OSError, http.client.HTTPException):
            # The relay starts right after the step commits: the daemon may die at the crash
            # point before the answer is written; the step was committed all the same.
            assert point in may_be_cut_off, f"a step cut off by {point}"

    decide(reviewers[0], {"decision": "pass", "comment": "材料齐全"}, PROVINCE_REVIEW_POINTS)
    restart_if_crashing(PROVINCE_REVIEW_POINTS)
    leader = papi.sign_in(reviewers[1].account["login"], reviewers[1].password)
    decide(leader, {"decision": "reject", "comment": "业绩条件不足"}, PROVINCE_REJECTION_POINTS)
    restart_if_crashing(PROVINCE_REJECTION_POINTS)

    province_db, city_db = d.tenant_db("province"), d.tenant_db("zhengzhou")
    h.sign_in_again()
    applicant = h.owners[app["id"]]

    def settled() -> bool:
        return expect(applicant.get(f"applications/{app['id']}"), 200).json["state"] == "rejected" \
            and not db_rows(city_db, "SELECT id FROM outbox WHERE delivered_at IS NULL") \
            and not db_rows(province_db, "SELECT id FROM outbox WHERE delivered_at IS NULL")

    wait_until(settled, 30, "the province's review to settle in the city")
    assert db_rows(province_db, "SELECT state, result FROM received_applications") == [("rejected", "未通过")]
    assert db_rows(province_db, "SELECT stage, decision FROM received_decisions ORDER BY id") == [("handler", "pass"), ("leader", "reject")]
    assert sorted(k for (k,) in db_rows(city_db, "SELECT kind FROM inbox")) == \
        ["application.province-rejected", "application.province-review", "application.province-review", "application.received"], "each once"
    assert db_rows(city_db, "SELECT stage, decision, comment FROM province_decisions ORDER BY id") == \
        [("handler", "pass", "材料齐全"), ("leader", "reject", "业绩条件不足")]
    assert db_rows(city_db, "SELECT count(*) FROM committee_steps") == [(0,)], "no committee's step: no 结果确认"
    assert db_rows(city_db, "SELECT result, publicity_result FROM applications WHERE id = ?", app["id"]) == [(None, None)]
    # The applicant reads the office's steps in the trail, without the reviewers' names.
    trail = expect(applicant.get(f"applications/{app['id']}/trail"), 200).json["trail"]
    steps = [(t["org_name"], t["step"], t["decision"], t.get("reviewer")) for t in trail if t.get("org_name", "").startswith("河南省") and t.get("step")]
    assert steps == [("河南省职称改革工作领导小组办公室", "handler", "pass", None), ("河南省职称改革工作领导小组办公室", "leader", "reject", None)], trail
    # Nothing for the committee; the office's review is over.
    office = papi.sign_in("41", office.password)
    assert expect(office.get("committee-worklist"), 200).json["items"] == []
    leader = papi.sign_in(reviewers[1].account["login"], reviewers[1].password)
    expect(leader.post(f"province/reviews/{rid}/decision", {"decision": "pass", "comment": "再审"}), 409)
    for tenant in ("province", "zhengzhou"):
        assert d.call("tenant.check", {"id": tenant})["ok"] is True


PROVINCE_RETURN_POINTS = ("province-review.after-commit", "relay.before-deliver.application.returned", "relay.after-deliver.application.returned",
                          "relay.after-mark.application.returned")


@pytest.mark.parametrize("point", [None, *PROVINCE_RETURN_POINTS], ids=lambda p: p or "no-crash")
def test_a_return_from_the_province_office_reaches_the_city_once_and_the_resubmission_crosses_once(daemon_factory, point):
    """The province office's 经办人 sends the application back (退回修改): the city has it back with
    the applicant once, whatever instant the daemon is killed; resubmitted and passed by the city,
    it crosses again, and the province still has it once, under the office's review again."""
    d = daemon_factory(env=clean_env(ZHICHENG_CRASH_AT=point) if point else clean_env()).start()
    h = Handoff(d)
    app = h.handed_over()
    papi, office = h.province_office()
    handler = staff(office, "prov.h", "handler")
    [rid] = [r["id"] for r in expect(office.get("province/applications"), 200).json["applications"]]
    try:
        expect(handler.post(f"province/reviews/{rid}/decision", {"decision": "return", "sections": ["业绩成果"], "reason": "incomplete",
                                                                  "comment": "请补充"}), 200)
    except (ConnectionError, OSError, http.client.HTTPException):
        assert point, "only a crash point may cut the answer off"
    if point:
        restart_after_crash(d)

    province_db, city_db = d.tenant_db("province"), d.tenant_db("zhengzhou")
    h.sign_in_again()
    applicant = h.owners[app["id"]]

    def settled(state: str) -> bool:
        return expect(applicant.get(f"applications/{app['id']}"), 200).json["state"] == state \
            and not db_rows(city_db, "SELECT id FROM outbox WHERE delivered_at IS NULL") \
            and not db_rows(province_db, "SELECT id FROM outbox WHERE delivered_at IS NULL")

    wait_until(lambda: settled("returned"), 30, "the return to settle in the city")
    # Sent back to the applicant: the province's committee may not put a result on it meanwhile.
    papi_office = papi.sign_in("41", office.password)
    expect(papi_office.post(f"province/applications/{rid}/result", {"result": "通过"}), 409, contains="退回")
    assert sorted(k for (k,) in db_rows(city_db, "SELECT kind FROM inbox")) == \
        ["application.province-review", "application.received", "application.returned"], "each once"
    assert db_rows(city_db, "SELECT stage, decision, sections, reason FROM province_decisions") == [("handler", "return", '["业绩成果"]', "incomplete")]
    assert expect(applicant.get(f"applications/{app['id']}"), 200).json["returned"]["sections"] == ["业绩成果"]

    # Resubmitted: the city's route again, then the province has it once, for its 经办人 again.
    before = expect(handler.get(f"province/reviews/{rid}"), 200).json
    assert before["changed_sections"] == [] and before["previous_sections"] == {}, before
    expect(applicant.put(f"applications/{app['id']}/sections/{quote('业绩成果')}", {"内容": "补充了获奖证书"}), 200)
    expect(applicant.post(f"applications/{app['id']}/submit"), 200)
    for reviewer in (h.handler, h.leader):
        expect(h.pass_(reviewer, app["id"]), 200)
    wait_until(lambda: settled("awaiting_province") and bool(h.forwarded(app["id"])), 30, "the second hand-over to settle")
    assert db_rows(province_db, "SELECT source_application_id, state, source_submission FROM received_applications") == [(app["id"], "in_review", 2)]
    assert [k for (k,) in db_rows(province_db, "SELECT kind FROM inbox")] == ["application.forward", "application.forward"]
    # The office's reviewers see what changed since the hand-over they returned, as a city's do.
    seen = expect(handler.get(f"province/reviews/{rid}"), 200).json
    assert seen["changed_sections"] == ["业绩成果"], seen
    assert seen["previous_sections"]["业绩成果"] == before["sections"]["业绩成果"] != seen["sections"]["业绩成果"], seen
    page = papi.raw("GET", f"/t/province/province-reviews/{rid}", headers={"Cookie": f"zc_session={handler.cookie}"}).body.decode()
    assert 'id="province-changed">业绩成果<' in page and "退回前：" in page, page[-3000:]
    for tenant in ("province", "zhengzhou"):
        assert d.call("tenant.check", {"id": tenant})["ok"] is True


PROVINCE_OFFICE = "河南省职称改革工作领导小组办公室"
CHINA = datetime.timezone(datetime.timedelta(hours=8))


def page_trail(session, app_id: int) -> list[list[str]]:
    """The rows of the application page's 审查记录 (时间, 机构, 环节, 结果, 意见) as `session` reads them."""
    r = session.api.raw("GET", f"/t/{session.api.tenant}/applications/{app_id}", headers={"Cookie": f"zc_session={session.cookie}"})
    assert r.status == 200, r.status
    page = r.body.decode()
    table = page[page.index('<table id="trail"'):]
    table = table[table.index("<tbody>"):table.index("</tbody>")]
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)] for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)]


def what_the_city_shows(h: "Handoff", app_id: int) -> dict:
    """An ended application as the city shows it: its state on the API and the applicant's page,
    申报人员状态查询's row, and the mark over its 评审表."""
    owner = h.owners[app_id]
    shown = expect(owner.get(f"applications/{app_id}"), 200).json
    page = owner.api.raw("GET", f"/t/zhengzhou/applications/{app_id}", headers={"Cookie": f"zc_session={owner.cookie}"}).body.decode()
    row = next(r for r in expect(h.city.get("orgs/1/applicant-status"), 200).json["rows"] if r["application_id"] == app_id)
    form = expect(h.city.get(f"applications/{app_id}/review-form"), 200).body.decode()
    mark = re.search(r'<p id="f-mark"(?: class="([^"]*)")?>本申报([^　<]+)　([^：<]+)：([^<]+)</p>', form)
    watermark = re.search(r'<div class="watermark( [^"]*)?"[^>]*>([^<]*)</div>', form)
    return {"state": shown["state"], "label": shown["state_label"], "result": shown.get("result"), "publicity": shown.get("publicity"),
            "page": re.search(r'<small id="app-state">([^<]*)</small>', page).group(1), "status": (row["state"], row["stage"]),
            "mark": mark.groups()[1:] if mark else form[:3000], "watermark": watermark.group(2),
            # The classes that style them: none for an end short (red), `admitted` for an expert admitted.
            "mark_style": (mark.group(1) if mark else None, (watermark.group(1) or "").strip() or None),
            "committee_opinion": 'id="committee-opinion"' in form, "form": form}


def test_the_province_offices_rejection_ends_the_application_in_the_city_at_its_step(daemon_factory):
    """A 未通过 in the province office's own review (职称申报审查（各市报送）, its 负责人 here) ends the
    application in the city as a city reviewer's 未通过 ends one: 未通过 (not 评审未通过) on the
    application, the applicant's page and 申报人员状态查询; in the trail the office's step under its
    org and 环节 (负责人审查), and no committee's row (no 结果确认 with an empty 环节); the 评审表
    marked 本申报未通过 with the 审查结束时间 of that step, and no committee opinion. No committee
    decided and no 公示 ran. A city restored to before it handed the application over, handing it
    over again, is answered so again."""
    d = daemon_factory().start()
    h = Handoff(d)
    papi, office = h.province_office()
    handler, leader = staff(office, "prov.h", "handler"), staff(office, "prov.l", "leader")
    app = h.handed_over()
    [rid] = [r["id"] for r in expect(office.get("province/applications"), 200).json["applications"]]
    expect(handler.post(f"province/reviews/{rid}/decision", {"decision": "pass", "comment": "材料齐全"}), 200)
    expect(leader.post(f"province/reviews/{rid}/decision", {"decision": "reject", "comment": "代表作未达到副高级要求"}), 200)
    wait_until(lambda: expect(h.owners[app["id"]].get(f"applications/{app['id']}"), 200).json["state"] == "rejected", 30,
               "the office's 未通过 to reach the city")
    shown = what_the_city_shows(h, app["id"])
    trail = expect(h.owners[app["id"]].get(f"applications/{app['id']}/trail"), 200).json["trail"]
    reject_at = datetime.datetime.fromisoformat(trail[-1]["at"].replace("Z", "+00:00")).astimezone(CHINA).strftime("%Y-%m-%d %H:%M")
    assert {k: shown[k] for k in ("state", "label", "result", "publicity", "page", "status", "mark", "watermark", "committee_opinion")} == {
        "state": "rejected", "label": "未通过", "result": None, "publicity": None, "page": "未通过", "status": ("rejected", "未通过"),
        "mark": ("未通过", "审查结束时间", reject_at), "watermark": "未通过", "committee_opinion": False}, shown["mark"]
    assert shown["mark_style"] == (None, None), "printed in the red of an end short"
    assert "代表作未达到副高级要求" in shown["form"] and "评审未通过" not in shown["form"]
    # The trail ends with the office's step, by its org and 环节; no committee's row.
    assert [(t["org_name"], t.get("step_label"), t["decision_label"], t["comment"]) for t in trail if t.get("org_name") == PROVINCE_OFFICE] == [
        (PROVINCE_OFFICE, "经办人审查", "通过", "材料齐全"), (PROVINCE_OFFICE, "负责人审查", "未通过", "代表作未达到副高级要求")], trail
    assert not [t for t in trail if t["decision"].startswith("committee-")], trail
    rows = page_trail(h.owners[app["id"]], app["id"])
    assert rows[-1][1:] == [PROVINCE_OFFICE, "负责人审查", "未通过", "代表作未达到副高级要求"], rows
    assert not [r for r in rows if "结果确认" in r], rows
    assert db_rows(d.tenant_db("zhengzhou"), "SELECT count(*) FROM committee_steps") == [(0,)]

    # The city's own reviewer's 未通过 shows the same.
    own = h.submitted()
    expect(h.pass_(h.handler, own["id"]), 200)
    version = expect(h.leader.get(f"applications/{own['id']}"), 200).json["version"]
    expect(h.leader.post(f"applications/{own['id']}/decision", {"decision": "reject", "comment": "业绩条件不足", "version": version}), 200)
    theirs = what_the_city_shows(h, own["id"])
    for key in ("state", "label", "result", "publicity", "page", "status", "watermark", "committee_opinion"):
        assert theirs[key] == shown[key], (key, theirs[key], shown[key])
    assert theirs["mark"][:2] == shown["mark"][:2] == ("未通过", "审查结束时间"), (theirs["mark"], shown["mark"])

    # Restored to before its leader handed a third application over, which the office then turned
    # down: handed over again, the city is answered with the office's steps and the 未通过 again.
    third = h.submitted()
    expect(h.pass_(h.handler, third["id"]), 200)
    relay_idle(d, ["zhengzhou", "province"])
    backup = d.call("tenant.backup", {"id": "zhengzhou"})["path"]
    expect(h.pass_(h.leader, third["id"]), 200)
    h.wait_forwarded(third["id"], "the third application to be acknowledged")
    rid3 = next(r["id"] for r in expect(office.get("province/applications"), 200).json["applications"] if r["source_application_id"] == third["id"])
    expect(handler.post(f"province/reviews/{rid3}/decision", {"decision": "pass", "comment": "材料齐全"}), 200)
    expect(leader.post(f"province/reviews/{rid3}/decision", {"decision": "reject", "comment": "业绩条件不足"}), 200)
    wait_until(lambda: expect(h.owners[third["id"]].get(f"applications/{third['id']}"), 200).json["state"] == "rejected", 30, "the 未通过")
    restore_tenant(d, "zhengzhou", backup)
    h.sign_in_again()
    relay_idle(d, ["zhengzhou", "province"])
    assert expect(h.city.get(f"applications/{third['id']}"), 200).json["state"] == "in_review"
    expect(h.pass_(h.leader, third["id"]), 200)
    wait_until(lambda: expect(h.city.get(f"applications/{third['id']}"), 200).json["state"] == "rejected", 30,
               "the province's answers to the second hand-over")
    again = expect(h.city.get(f"applications/{third['id']}/trail"), 200).json["trail"]
    assert [(t["step"], t["decision"]) for t in again if t.get("org_name") == PROVINCE_OFFICE] == [("handler", "pass"), ("leader", "reject")], again
    assert not [t for t in again if t["decision"].startswith("committee-")], again
    assert what_the_city_shows(h, third["id"])["mark"][:2] == ("未通过", "审查结束时间")
    kinds = sorted(k for (k,) in db_rows(d.tenant_db("province"), "SELECT kind FROM outbox WHERE json_extract(payload, '$.source_application_id') = ?",
                                         third["id"]))
    assert "application.result" not in kinds and kinds.count("application.province-rejected") == 2, kinds
    for tenant in ("province", "zhengzhou"):
        assert d.call("tenant.check", {"id": tenant})["ok"] is True


def test_answers_an_earlier_version_of_the_province_left_in_its_outbox_are_applied_as_then(daemon_factory):
    """Messages of the form an earlier version wrote, still in the province's outbox when this one
    starts: its office's 未通过 sent as the committee's result (`application.result` 未通过 after the
    step) ends the application as it did then (评审未通过, with its 结果确认 row); a notice and a
    result without a 说明 (`note`) are taken without one, and a result without one keeps the one
    its notice brought."""
    d = daemon_factory().start()
    h = Handoff(d)
    apps = [h.handed_over() for _ in range(3)]
    city_db, province_db = d.tenant_db("zhengzhou"), d.tenant_db("province")
    relay_idle(d, ["zhengzhou", "province"])
    d.terminate()
    committee = "河南省中小学教师高级评委会"

    def about(app: dict, **body) -> dict:
        return {"source_application_id": app["id"], "office": PROVINCE_OFFICE, **body}

    put_in_outbox(province_db, "zhengzhou", [
        ("province:old:review", "application.province-review", about(apps[0], stage="leader", decision="reject", comment="业绩条件不足", at=time.time(),
                                                                      submission=1, sections=[])),
        ("province:old:rejection", "application.result", about(apps[0], result="未通过")),
        ("province:old:publicity-1", "application.publicity", about(apps[1], committee=committee, result="通过", publicity_until=time.time())),
        ("province:old:result-1", "application.result", about(apps[1], committee=committee, result="通过")),
        ("province:new:publicity-2", "application.publicity", about(apps[2], committee=committee, result="通过", note="成果突出", publicity_until=time.time())),
        ("province:old:result-2", "application.result", about(apps[2], committee=committee, result="通过")),
    ])
    d.start()
    relay_idle(d, ["zhengzhou", "province"])
    h.sign_in_again()
    assert db_rows(city_db, "SELECT count(*) FROM audit WHERE action = 'relay.unapplied'") == [(0,)]

    def steps(app: dict) -> list[tuple]:
        trail = expect(h.city.get(f"applications/{app['id']}/trail"), 200).json["trail"]
        return [(t["decision"], t["comment"]) for t in trail if t["decision"].startswith("committee-")]

    shown = expect(h.city.get(f"applications/{apps[0]['id']}"), 200).json
    assert (shown["state"], shown["state_label"], shown["result"]) == ("failed", "评审未通过", "未通过"), shown
    assert steps(apps[0]) == [("committee-final", "未通过")]
    for app, note in ((apps[1], ""), (apps[2], "。<bdi>成果突出</bdi>")):
        assert expect(h.city.get(f"applications/{app['id']}"), 200).json["state"] == "passed"
        form = expect(h.city.get(f"applications/{app['id']}/review-form"), 200).body.decode()
        assert f"{committee}：通过{note}<span" in form, form[-1500:]
    assert re.fullmatch(r"通过，公示至 [^；]+", steps(apps[1])[0][1]) and steps(apps[2])[0][1].endswith("；成果突出"), (steps(apps[1]), steps(apps[2]))


EXPERT_PLUGIN = REPO / ".build" / "plugins" / "libexpert-recommendation.so"
FORWARD_POINTS = ("decide.after-commit", "relay.before-deliver.application.forward", "relay.after-deliver.application.forward",
                  "relay.after-mark.application.forward", "relay.after-deliver.application.received")
ADMISSION_POINTS = ("expert-decide.after-commit", "relay.before-deliver.application.province-admitted", "relay.after-deliver.application.province-admitted",
                    "relay.after-mark.application.province-admitted")


class ExpertHandoff:
    """The province and 郑州市 with the ExpertRecommendation plugin, a handler and a leader in
    each office, all signed in; each `applied()` is a new person's submitted 专家推荐."""

    def __init__(self, d):
        self.d = d
        pinfo = create_tenant(d, "province", "41", "河南省", kind="province")
        info = create_tenant(d, "zhengzhou", "4101", "郑州市")
        self.api, self.papi = Api(d.http_port, "zhengzhou"), Api(d.http_port, "province")
        self.city = self.api.first_login(info["admin_login"], info["admin_password"])
        self.office = self.papi.first_login(pinfo["admin_login"], pinfo["admin_password"])
        self.city_reviewers = [staff(self.city, "city.h", "handler"), staff(self.city, "city.l", "leader")]
        self.province_reviewers = [staff(self.office, "prov.h", "handler"), staff(self.office, "prov.l", "leader")]
        self.owners: dict[int, object] = {}

    @staticmethod
    def start(daemon_factory, env=None):
        if not EXPERT_PLUGIN.exists():
            pytest.fail(f"{EXPERT_PLUGIN} is missing: run `make plugins` first (make test does)")
        d = daemon_factory(env=env or clean_env())
        shutil.copy(EXPERT_PLUGIN, d.plugin_dir / EXPERT_PLUGIN.name)
        return d.start()

    def applied(self, name: str) -> dict:
        person = expect(self.city.post("orgs/1/applicants", {"id_number": fresh_id_number(), "name": name}), 201).json
        applicant = self.api.first_login(person["account"]["login"], person["password"])
        app = expect(applicant.post("applications", {"kind": "expert", "year": 2026, "series": SERIES, "level": "正高级",
                                                     "title": "正高级教师", "specialty": "高中物理"}), 201).json
        expect(applicant.put(f"applications/{app['id']}/sections/{quote('基本信息')}", {"姓名": name}), 200)
        expect(applicant.put(f"applications/{app['id']}/sections/{quote('工作经历')}", {"从业年限": "20"}), 200)
        assert expect(applicant.post(f"applications/{app['id']}/submit"), 200).json["state"] == "in_review"
        self.owners[app["id"]] = applicant
        return app

    @staticmethod
    def decide(reviewer, path: str, decision: str = "pass", comment: str = "同意"):
        version = expect(reviewer.get(path), 200).json["version"]
        return reviewer.post(path + "/decision", {"decision": decision, "comment": comment, "version": version})

    def city_passes(self, app: dict) -> None:
        for reviewer in self.city_reviewers:
            expect(self.decide(reviewer, f"applications/{app['id']}"), 200)

    def received(self, app: dict) -> int:
        """The province's id of `app`, once it arrived there."""
        return wait_until(lambda: next((a["id"] for a in expect(self.province_reviewers[0].get("expert-applications"), 200).json["applications"]
                                        if a["source_application_id"] == app["id"]), None), 30, "the expert application to reach the province")

    def sign_in_again(self) -> None:
        self.city = self.api.sign_in(self.city.account["login"], self.city.password)
        self.city_reviewers = [self.api.sign_in(s.account["login"], s.password) for s in self.city_reviewers]
        self.province_reviewers = [self.papi.sign_in(s.account["login"], s.password) for s in self.province_reviewers]
        self.owners = {app_id: self.api.sign_in(s.account["login"], s.password) for app_id, s in self.owners.items()}


@pytest.mark.parametrize("point", [None, *FORWARD_POINTS, *ADMISSION_POINTS], ids=lambda p: p or "no-crash")
def test_expert_application_crosses_and_its_answer_returns_exactly_once(daemon_factory, point):
    """专家推荐 crosses the same way: the city's pass sends it to the province once, the province
    office's final pass admits the expert once and the answer (`application.province-admitted`)
    reaches the city once, whatever instant the daemon is killed."""
    d = ExpertHandoff.start(daemon_factory, env=clean_env(ZHICHENG_CRASH_AT=point) if point else None)
    h = ExpertHandoff(d)
    app = h.applied("褚专家")

    def decide(reviewer, path: str, last: bool) -> None:
        try:
            resp = h.decide(reviewer, path)
        except (ConnectionError, OSError, http.client.HTTPException):
            assert last and point, "only the deciding vote may be cut off by a crash point"
            return
        expect(resp, 200)

    def restart_if_crashing(points: tuple[str, ...]) -> None:
        if point in points:
            restart_after_crash(d)

    for i, reviewer in enumerate(h.city_reviewers):
        decide(reviewer, f"applications/{app['id']}", last=i == 1)
    restart_if_crashing(FORWARD_POINTS)
    h.sign_in_again()
    received = wait_until(lambda: expect(h.province_reviewers[0].get("expert-applications"), 200).json["applications"], 30,
                          "the expert application to reach the province")
    assert [(a["source_tenant"], a["source_application_id"], a["applicant_name"]) for a in received] == [("zhengzhou", app["id"], "褚专家")]
    for i, reviewer in enumerate(h.province_reviewers):
        decide(reviewer, f"expert-applications/{received[0]['id']}", last=i == 1)
    restart_if_crashing(ADMISSION_POINTS)

    province_db, city_db = d.tenant_db("province"), d.tenant_db("zhengzhou")
    h.sign_in_again()
    applicant = h.owners[app["id"]]

    def settled() -> bool:
        return expect(applicant.get(f"applications/{app['id']}"), 200).json["state"] == "passed" \
            and not db_rows(city_db, "SELECT id FROM outbox WHERE delivered_at IS NULL") \
            and not db_rows(province_db, "SELECT id FROM outbox WHERE delivered_at IS NULL")

    wait_until(settled, 30, "the expert's admission to reach the city")
    assert db_rows(province_db, "SELECT name, specialty, level, state FROM experts") == [("褚专家", "高中物理", "正高级", "active")]
    assert db_rows(province_db, "SELECT kind, state FROM received_applications") == [("expert", "passed")]
    assert sorted(k for (k,) in db_rows(city_db, "SELECT kind FROM inbox")) == \
        ["application.province-admitted", "application.province-review", "application.province-review", "application.received"], "each once"
    # The office's two steps are in the city's trail, once each; no committee's step.
    assert db_rows(city_db, "SELECT stage, decision FROM province_decisions ORDER BY id") == [("handler", "pass"), ("leader", "pass")]
    assert db_rows(city_db, "SELECT count(*) FROM committee_steps") == [(0,)], "no committee's step: no 结果确认"
    assert [k for (k,) in db_rows(province_db, "SELECT kind FROM inbox")] == ["application.forward"]
    for tenant in ("province", "zhengzhou"):
        assert d.call("tenant.check", {"id": tenant})["ok"] is True


def test_the_province_offices_admission_ends_the_recommendation_in_the_city_at_its_step(daemon_factory):
    """The province office's 负责人审查 通过 of a 专家推荐 admits the person into its 专家信息库 and
    ends the recommendation there: the city learns it as that step (`application.province-admitted`),
    not as a committee's result. 已入库（专家信息库） on the application, the applicant's page and
    申报人员状态查询; in the trail the office's step under its org and 环节 (负责人审查, 通过), and no
    committee's row (no 结果确认 with an empty 环节 and committee); the 评审表 marked 本申报已入库
    （专家信息库） with its 入库时间, that step's, as a rejection's is marked 未通过 with its
    审查结束时间, and no committee opinion. A city restored to before it handed the
    recommendation over, handing it over again, is answered so again."""
    d = ExpertHandoff.start(daemon_factory)
    h = ExpertHandoff(d)
    app = h.applied("孔专家")
    h.city_passes(app)
    rid = h.received(app)
    handler, leader = h.province_reviewers
    expect(h.decide(handler, f"expert-applications/{rid}", comment="材料齐全"), 200)
    expect(h.decide(leader, f"expert-applications/{rid}", comment="同意入库"), 200)
    owner = h.owners[app["id"]]
    wait_until(lambda: expect(owner.get(f"applications/{app['id']}"), 200).json["state"] == "passed", 30, "the admission to reach the city")
    relay_idle(d, ["zhengzhou", "province"])
    admitted = "已入库（专家信息库）"
    shown = what_the_city_shows(h, app["id"])
    trail = expect(owner.get(f"applications/{app['id']}/trail"), 200).json["trail"]
    admit_at = datetime.datetime.fromisoformat(trail[-1]["at"].replace("Z", "+00:00")).astimezone(CHINA).strftime("%Y-%m-%d %H:%M")
    assert {k: shown[k] for k in ("state", "label", "result", "publicity", "page", "status", "mark", "watermark", "committee_opinion")} == {
        "state": "passed", "label": admitted, "result": None, "publicity": None, "page": admitted, "status": ("passed", admitted),
        "mark": (admitted, "入库时间", admit_at), "watermark": admitted, "committee_opinion": False}, shown["mark"]
    # Not in the red of an application withdrawn, returned or turned down: in the green of a pass
    # (the screens' 审核通过, `.state-approved`), its watermark too.
    assert shown["mark_style"] == ("admitted", "admitted"), shown["mark_style"]
    assert "#f-mark.admitted{color:#137333;border-color:#137333}" in shown["form"] and ".watermark.admitted{color:rgba(19,115,51,.15)}" in shown["form"]
    assert "同意入库" in shown["form"] and "评审通过" not in shown["form"]
    # The trail ends with the office's step, by its org and 环节; no committee's row.
    assert [(t["org_name"], t.get("step_label"), t["decision_label"], t["comment"]) for t in trail if t.get("org_name") == PROVINCE_OFFICE] == [
        (PROVINCE_OFFICE, "经办人审查", "通过", "材料齐全"), (PROVINCE_OFFICE, "负责人审查", "通过", "同意入库")], trail
    assert not [t for t in trail if t["decision"].startswith("committee-")], trail
    rows = page_trail(owner, app["id"])
    assert rows[-1][1:] == [PROVINCE_OFFICE, "负责人审查", "通过", "同意入库"], rows
    assert not [r for r in rows if "结果确认" in r], rows
    city_db = d.tenant_db("zhengzhou")
    assert db_rows(city_db, "SELECT count(*) FROM committee_steps") == [(0,)]
    assert db_rows(city_db, "SELECT result, committee_name, publicity_result FROM applications WHERE id = ?", app["id"]) == [(None, None, None)]
    assert db_rows(city_db, "SELECT action FROM audit WHERE target = ? AND action LIKE 'application.province-%' ORDER BY seq", f"application:{app['id']}") == \
        [("application.province-review",), ("application.province-review",), ("application.province-admitted",)]

    # Restored to before its leader handed a second recommendation over, which the office then
    # admitted: handed over again, the city is answered with the office's steps and the admission again.
    second = h.applied("孟专家")
    expect(h.decide(h.city_reviewers[0], f"applications/{second['id']}"), 200)
    relay_idle(d, ["zhengzhou", "province"])
    backup = d.call("tenant.backup", {"id": "zhengzhou"})["path"]
    expect(h.decide(h.city_reviewers[1], f"applications/{second['id']}"), 200)
    rid2 = h.received(second)
    expect(h.decide(handler, f"expert-applications/{rid2}", comment="材料齐全"), 200)
    expect(h.decide(leader, f"expert-applications/{rid2}", comment="同意入库"), 200)
    wait_until(lambda: expect(h.owners[second["id"]].get(f"applications/{second['id']}"), 200).json["state"] == "passed", 30, "the admission")
    relay_idle(d, ["zhengzhou", "province"])
    restore_tenant(d, "zhengzhou", backup)
    h.sign_in_again()
    relay_idle(d, ["zhengzhou", "province"])
    assert expect(h.city.get(f"applications/{second['id']}"), 200).json["state"] == "in_review"
    expect(h.decide(h.city_reviewers[1], f"applications/{second['id']}"), 200)
    wait_until(lambda: expect(h.city.get(f"applications/{second['id']}"), 200).json["state"] == "passed", 30,
               "the province's answers to the second hand-over")
    again = expect(h.city.get(f"applications/{second['id']}/trail"), 200).json["trail"]
    assert [(t["step"], t["decision"]) for t in again if t.get("org_name") == PROVINCE_OFFICE] == [("handler", "pass"), ("leader", "pass")], again
    assert not [t for t in again if t["decision"].startswith("committee-")], again
    assert what_the_city_shows(h, second["id"])["mark"][:2] == (admitted, "入库时间")
    kinds = sorted(k for (k,) in db_rows(d.tenant_db("province"), "SELECT kind FROM outbox WHERE json_extract(payload, '$.source_application_id') = ?",
                                         second["id"]))
    assert "application.result" not in kinds and kinds.count("application.province-admitted") == 2, kinds
    assert db_rows(d.tenant_db("province"), "SELECT count(*) FROM experts WHERE name = '孟专家'") == [(1,)], "admitted once"
    for tenant in ("province", "zhengzhou"):
        assert d.call("tenant.check", {"id": tenant})["ok"] is True


def test_an_expert_admission_an_earlier_version_left_in_the_provinces_outbox_is_applied_as_then(daemon_factory):
    """An expert's admission in the form an earlier version wrote (`application.result` 通过 after the
    office's 负责人 step), still in the province's outbox when this one starts: the city applies it
    as it did then (已入库（专家信息库）, with its result and its 结果确认 row)."""
    d = ExpertHandoff.start(daemon_factory)
    h = ExpertHandoff(d)
    app = h.applied("韩专家")
    h.city_passes(app)
    h.received(app)
    relay_idle(d, ["zhengzhou", "province"])
    d.terminate()
    put_in_outbox(d.tenant_db("province"), "zhengzhou", [
        ("province:old:expert-review", "application.province-review", {"source_application_id": app["id"], "office": PROVINCE_OFFICE, "stage": "leader",
                                                                        "decision": "pass", "comment": "同意入库", "at": time.time(), "submission": 1, "sections": []}),
        ("province:old:expert-result", "application.result", {"source_application_id": app["id"], "office": PROVINCE_OFFICE, "result": "通过"}),
    ])
    d.start()
    relay_idle(d, ["zhengzhou", "province"])
    h.sign_in_again()
    assert db_rows(d.tenant_db("zhengzhou"), "SELECT count(*) FROM audit WHERE action = 'relay.unapplied'") == [(0,)]
    shown = expect(h.city.get(f"applications/{app['id']}"), 200).json
    assert (shown["state"], shown["state_label"], shown["result"]) == ("passed", "已入库（专家信息库）", "通过"), shown
    trail = expect(h.city.get(f"applications/{app['id']}/trail"), 200).json["trail"]
    assert [(t["decision"], t["comment"]) for t in trail if t["decision"].startswith("committee-")] == [("committee-final", "通过")], trail
    assert [(t.get("step"), t["decision"]) for t in trail if t.get("org_name") == PROVINCE_OFFICE] == [("leader", "pass"), (None, "committee-final")], trail


def test_an_end_of_the_offices_review_whose_comment_the_city_refuses_still_ends_it(daemon_factory):
    """The office's admission of an expert, sent with a comment the city's rules refuse (a bidi
    override, typed under an earlier rule): the city takes the admission in with the step's comment
    left out, where the message was kept unapplied and the recommendation waited for the province
    for good (nothing re-applies a message kept in an inbox)."""
    d = ExpertHandoff.start(daemon_factory)
    h = ExpertHandoff(d)
    app = h.applied("钱专家")
    h.city_passes(app)
    h.received(app)
    relay_idle(d, ["zhengzhou", "province"])
    d.terminate()
    put_in_outbox(d.tenant_db("province"), "zhengzhou", [
        ("province:old:expert-admitted", "application.province-admitted", {
            "source_application_id": app["id"], "office": PROVINCE_OFFICE, "stage": "leader", "decision": "pass",
            "comment": "同意\u202e入库", "at": time.time(), "submission": 1, "sections": []}),
    ])
    d.start()
    relay_idle(d, ["zhengzhou", "province"])
    h.sign_in_again()
    assert db_rows(d.tenant_db("zhengzhou"), "SELECT count(*) FROM audit WHERE action = 'relay.unapplied'") == [(0,)]
    shown = expect(h.city.get(f"applications/{app['id']}"), 200).json
    assert (shown["state"], shown["state_label"]) == ("passed", "已入库（专家信息库）"), shown
    trail = expect(h.city.get(f"applications/{app['id']}/trail"), 200).json["trail"]
    assert [(t.get("step"), t["decision"], t["comment"]) for t in trail if t.get("org_name") == PROVINCE_OFFICE] == [("leader", "pass", "")], trail


def test_after_a_restore_to_an_older_backup_a_new_application_still_reaches_the_province(daemon_factory):
    """The province knows an application by (city, application id). A city restored to a
    backup older than an application it already handed over must not give that id to a new
    application: the province would drop the new one as a repeat of the old, and it would
    wait for the province forever."""
    d = daemon_factory().start()
    h = Handoff(d)
    backup = d.call("tenant.backup", {"id": "zhengzhou"})["path"]

    first = h.handed_over()["id"]
    restore_tenant(d, "zhengzhou", backup)
    h.sign_in_again()
    assert expect(h.applicant.get("applications"), 200).json["applications"] == [], "the backup predates the first application"
    second = h.handed_over()["id"]
    assert second > first
    received = db_rows(d.tenant_db("province"), "SELECT source_tenant, source_application_id FROM received_applications ORDER BY id")
    assert received == [("zhengzhou", first), ("zhengzhou", second)]


def test_a_city_restored_to_before_its_hand_over_hands_the_application_over_again(daemon_factory):
    """Restored to a backup taken while the application waited for the city's leader, the city
    shows it in review again; when the leader passes it again, the hand-over is a new message:
    the province takes it (as the same application, updated) and acknowledges it again."""
    d = daemon_factory().start()
    h = Handoff(d)
    app = h.submitted()
    expect(h.pass_(h.handler, app["id"]), 200)
    backup = d.call("tenant.backup", {"id": "zhengzhou"})["path"]
    expect(h.pass_(h.leader, app["id"]), 200)
    h.wait_forwarded(app["id"], "the first hand-over to be acknowledged")
    restore_tenant(d, "zhengzhou", backup)
    h.sign_in_again()
    assert not h.forwarded(app["id"]), "the backup predates the hand-over"
    expect(h.pass_(h.leader, app["id"]), 200)
    h.wait_forwarded(app["id"], "the second hand-over to be acknowledged")
    province_db = d.tenant_db("province")
    assert db_rows(province_db, "SELECT source_tenant, source_application_id, version FROM received_applications") == [("zhengzhou", app["id"], 2)]
    assert [k for (k,) in db_rows(province_db, "SELECT kind FROM inbox")] == ["application.forward"] * 2


def test_a_province_restored_to_a_backup_gets_again_the_applications_handed_over_since(daemon_factory):
    """Applications the cities handed over after the province's backup was taken are offered to
    it again after the restore: it receives each once more, and the cities see nothing change."""
    d = daemon_factory().start()
    h = Handoff(d)
    backup = d.call("tenant.backup", {"id": "province"})["path"]
    app = h.handed_over()
    forwarded_at = h.forwarded(app["id"])

    restore_tenant(d, "province", backup)
    province_db, city_db = d.tenant_db("province"), d.tenant_db("zhengzhou")
    wait_until(lambda: db_rows(province_db, "SELECT source_tenant, source_application_id FROM received_applications") == [("zhengzhou", app["id"])],
               30, "the province to receive the application again")
    wait_until(lambda: not db_rows(city_db, "SELECT id FROM outbox WHERE delivered_at IS NULL")
               and not db_rows(province_db, "SELECT id FROM outbox WHERE delivered_at IS NULL"), 30, "both outboxes to settle")
    assert h.forwarded(app["id"]) == forwarded_at
    assert len(db_rows(city_db, "SELECT message_id FROM inbox")) == 1, "the repeated acknowledgement was dropped as a repeat"


def test_a_restore_of_the_province_while_a_hand_over_is_being_delivered_loses_nothing(daemon_factory, tmp_path):
    """The relay puts a hand-over into the province's inbox, then marks it delivered at the city.
    A restore of the province in between (to a backup without it) must not lose it: the relay
    keeps the province leased until the mark is made, so the restore waits, and its re-offer
    then finds the message marked and offers it again. (With the lease let go in between, the
    restore ran at once, the re-offer found nothing marked, the mark followed: lost for good.)"""
    hold = tmp_path / "hold-after-deliver"
    hold.write_text("")
    d = daemon_factory(env=clean_env(ZHICHENG_PAUSE_AT=f"relay.after-deliver.application.forward:{hold}")).start()
    h = Handoff(d)
    backup = d.call("tenant.backup", {"id": "province"})["path"]
    app = h.passed()
    province_db, city_db = d.tenant_db("province"), d.tenant_db("zhengzhou")
    received = [("zhengzhou", app["id"])]
    wait_until(lambda: db_rows(province_db, "SELECT source_tenant, source_application_id FROM received_applications") == received,
               30, "the hand-over to be in the province's inbox (the relay then pauses before its mark)")
    assert db_rows(city_db, "SELECT delivered_at FROM outbox WHERE kind = 'application.forward'") == [(None,)]

    errors: list[BaseException] = []

    def restore() -> None:
        try:
            restore_tenant(d, "province", backup)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    worker = threading.Thread(target=restore, daemon=True)
    worker.start()
    # Read from the registry file: admin commands wait for the restore's answer.
    wait_until(lambda: not worker.is_alive()
               or db_rows(d.data_dir / "registry.sqlite", "SELECT count(*) FROM restores WHERE id = 'province'") == [(1,)], 30,
               "the restore to begin")
    time.sleep(0.5)   # the restore is under way (waiting for the relay's lease, or, unfixed, done)
    hold.unlink()
    worker.join(timeout=60)
    assert not worker.is_alive() and not errors, errors
    wait_until(lambda: db_rows(province_db, "SELECT source_tenant, source_application_id FROM received_applications") == received,
               30, "the province, restored to a backup without it, to receive the application again")
    wait_until(lambda: not db_rows(city_db, "SELECT id FROM outbox WHERE delivered_at IS NULL")
               and not db_rows(province_db, "SELECT id FROM outbox WHERE delivered_at IS NULL"), 30, "both outboxes to settle")
    h.sign_in_again()
    assert h.forwarded(app["id"]), "the city sees it acknowledged"


def test_a_restore_of_the_city_while_its_hand_over_is_being_delivered_loses_no_later_message(daemon_factory, tmp_path):
    """The relay puts A's hand-over into the province's inbox and is held before marking it
    delivered at the city. Meanwhile the city is restored to a backup from before A was passed,
    and B is passed: its message gets the outbox row A's had (row ids start again from the
    backup). The mark is made by the message's id, so it does not fall on B's row: B reaches the
    province too. (Marked by row id, B's message was taken for delivered and lost for good: a
    re-offer only resets messages to a restored tenant.)"""
    hold = tmp_path / "hold-after-deliver"
    hold.write_text("")
    d = daemon_factory(env=clean_env(ZHICHENG_PAUSE_AT=f"relay.after-deliver.application.forward:{hold}")).start()
    h = Handoff(d)
    a, b = h.submitted(), h.submitted()
    for app in (a, b):
        expect(h.pass_(h.handler, app["id"]), 200)
    backup = d.call("tenant.backup", {"id": "zhengzhou"})["path"]
    expect(h.pass_(h.leader, a["id"]), 200)
    province_db, city_db = d.tenant_db("province"), d.tenant_db("zhengzhou")

    def received() -> list[tuple]:
        return db_rows(province_db, "SELECT source_tenant, source_application_id FROM received_applications ORDER BY source_application_id")

    wait_until(lambda: received() == [("zhengzhou", a["id"])], 30, "A in the province's inbox (the relay then holds before its mark)")
    [(row_a, message_a)] = db_rows(city_db, "SELECT id, message_id FROM outbox WHERE kind = 'application.forward'")
    try:
        restore_tenant(d, "zhengzhou", backup)
        h.sign_in_again()
        expect(h.pass_(h.leader, b["id"]), 200)
        [(row_b, message_b, delivered)] = db_rows(city_db, "SELECT id, message_id, delivered_at FROM outbox WHERE kind = 'application.forward'")
        assert (row_b, delivered) == (row_a, None) and message_b != message_a, (row_b, message_b, row_a, message_a)
    finally:
        hold.unlink()
    wait_until(lambda: received() == [("zhengzhou", a["id"]), ("zhengzhou", b["id"])], 30, "B to reach the province too")
    wait_until(lambda: db_rows(city_db, "SELECT delivered_at IS NOT NULL FROM outbox WHERE message_id = ?", message_b) == [(1,)], 30,
               "B's message to be marked delivered, once")


def test_a_restore_whose_re_offer_failed_owes_it_until_the_next_start_makes_it(daemon_factory):
    """The province is restored to a backup taken before a hand-over, but the follow-up cannot
    ask the city to offer its messages again (ZHICHENG_FAIL_AT=tenant.restore.reoffer, once).
    The restore says so and stays recorded as owing its follow-up; the next start makes it, and
    the application reaches the province again. (Before, a sender that could not be asked was
    skipped with a log line and the restore forgotten: the hand-over was lost to the province.)"""
    d = daemon_factory(env=clean_env(ZHICHENG_FAIL_AT="tenant.restore.reoffer")).start()
    h = Handoff(d)
    backup = d.call("tenant.backup", {"id": "province"})["path"]
    app = h.handed_over()
    d.call("tenant.suspend", {"id": "province"})
    err = expect_error(d.request("tenant.restore", {"id": "province", "path": backup}), "internal")
    assert "follow-up failed" in err["message"], err
    province_db, registry = d.tenant_db("province"), d.data_dir / "registry.sqlite"
    assert db_rows(province_db, "SELECT count(*) FROM received_applications") == [(0,)], "the backup is in place"
    assert db_rows(registry, "SELECT id FROM restores") == [("province",)], "the follow-up is owed"

    d.terminate()
    d.env = clean_env()
    d.start()
    wait_until(lambda: db_rows(province_db, "SELECT source_tenant, source_application_id FROM received_applications") == [("zhengzhou", app["id"])],
               30, "the province to receive the application again after the next start")
    assert db_rows(registry, "SELECT id FROM restores") == []
    # Audited once, by the restore itself (before the offer failed); the retry did not write it again.
    restored = [json.loads(x) for (x,) in db_rows(province_db, "SELECT detail FROM audit WHERE action = 'tenant.restore'")]
    assert [r["from"] for r in restored] == [backup] and restored[0]["restore"], restored


def test_a_province_restore_cut_off_after_its_swap_is_followed_up_at_the_next_start(daemon_factory):
    """Killed after the backup took the province's place but before the cities' messages were
    offered to it again: the next start finishes the restore, and the province receives the
    application handed over after its backup."""
    d = daemon_factory(env=clean_env(ZHICHENG_CRASH_AT="tenant.restore.swapped")).start()
    h = Handoff(d)
    backup = d.call("tenant.backup", {"id": "province"})["path"]
    app = h.handed_over()
    d.call("tenant.suspend", {"id": "province"})
    with pytest.raises(EOFError):
        d.call("tenant.restore", {"id": "province", "path": backup})
    restart_after_crash(d)
    assert "an unfinished restore had put the backup in place; finishing it" in d.output()
    d.call("tenant.resume", {"id": "province"})
    province_db = d.tenant_db("province")
    wait_until(lambda: db_rows(province_db, "SELECT source_tenant, source_application_id FROM received_applications") == [("zhengzhou", app["id"])],
               30, "the province to receive the application again")
    assert [a for (a,) in db_rows(province_db, "SELECT action FROM audit WHERE action LIKE 'tenant.restore%'")] == ["tenant.restore"]


def test_a_hand_over_before_the_province_exists_waits_and_goes_when_it_is_created(daemon_factory, zhichengctl_bin):
    """With no province tenant yet, the hand-over waits in the city's outbox (status,
    zhichengctl and /metrics say so, and the relay does not spin); creating the province
    ends the pause and it goes."""
    d = daemon_factory().start()
    h = Handoff(d, province=False)
    app = h.passed()
    paused = wait_until(lambda: d.call("status")["relay"]["paused"], 30, "the relay to pause the hand-over")
    assert [(p.get("target"), "no province tenant" in p["error"]) for p in paused] == [("@province", True)], paused
    assert paused[0]["failures"] >= 1 and paused[0]["retry_in_seconds"] >= 0
    assert not h.forwarded(app["id"])
    gauge = [float(line.split()[1]) for line in d.http_get("/metrics")[2].decode().splitlines() if line.startswith("zhicheng_relay_paused ")]
    assert gauge == [1], "an alert can watch the gauge"
    out = subprocess.run([zhichengctl_bin, "--socket", str(d.admin_socket), "status"], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out
    table = out.stdout[out.stdout.index("relay:"):].splitlines()
    assert table[1].split()[:2] == ["TARGET", "FAILURES"] and table[2].split()[0] == "@province", out.stdout
    create_tenant(d, "province", "41", "河南省", kind="province")
    h.wait_forwarded(app["id"], "the hand-over to go once the province exists")
    assert d.call("status")["relay"]["paused"] == []
    assert db_rows(d.tenant_db("province"), "SELECT source_tenant, source_application_id FROM received_applications") == [("zhengzhou", app["id"])]


def test_archiving_a_city_whose_hand_over_has_not_left_says_so(daemon_factory, zhichengctl_bin):
    """The hand-over waits for a province that does not exist; archiving the city takes it
    out of service with the city, and the operator is told how many messages went with it.
    The relay's pause for it ends: nothing waits behind it any more."""
    d = daemon_factory().start()
    h = Handoff(d, province=False)
    app = h.passed()
    wait_until(lambda: d.call("status")["relay"]["paused"], 30, "the relay to find no province")
    assert d.call("tenant.show", {"id": "zhengzhou"})["messages"] == {"waiting": 1, "set_aside": 0}
    out = subprocess.run([zhichengctl_bin, "--socket", str(d.admin_socket), "tenant", "archive", "zhengzhou", "--confirm", "zhengzhou"],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0 and "undelivered_messages" in out.stdout, out
    assert [line.split()[-1] for line in out.stdout.splitlines() if "undelivered_messages" in line] == ["1"], out.stdout
    archived = [line.split()[-1] for line in out.stdout.splitlines() if "archived_to" in line]
    assert db_rows(f"{archived[0]}/tenant.sqlite", "SELECT target, kind FROM outbox WHERE delivered_at IS NULL") == [("@province", "application.forward")]
    # The application it took out of service was still undecided.
    assert [line.split()[-1] for line in out.stdout.splitlines() if "undecided_applications" in line] == ["1"], out.stdout
    # Nothing waits behind the pause any more: status and the gauge an alert watches no
    # longer show it (they did until a restart).
    # (A relay pass running at the archive may pause it again for a moment: it ends with it.)
    wait_until(lambda: d.call("status")["relay"]["paused"] == [], 10, "the pause to end with the archived city")
    wait_until(lambda: [float(line.split()[1]) for line in d.http_get("/metrics")[2].decode().splitlines()
                        if line.startswith("zhicheng_relay_paused ")] == [0], 10, "the gauge to read 0")


def test_archiving_the_province_while_it_holds_undecided_applications_says_so(daemon_factory):
    """An application the province received and has not decided leaves service with it: the
    operator is told how many (and the log warns); one decided since no longer counts."""
    d = daemon_factory(config='[log]\nlevel = "info"\n[limits]\npublicity_working_days = 0\n').start()
    h = Handoff(d)
    apps = [h.handed_over(), h.handed_over()]
    _, office = h.province_office()
    expect(office.post("committees", {"name": "河南省中小学教师高级评委会", "series": [SERIES], "levels": ["副高级"]}), 201)
    received = {r["source_application_id"]: r["id"] for r in expect(office.get("province/applications"), 200).json["applications"]}
    province_passes(office, received[apps[0]["id"]])  # the other one waits for the office's own review
    expect(office.post(f"province/applications/{received[apps[0]['id']]}/result", {"result": "通过"}), 200)
    expect(office.post(f"province/applications/{received[apps[0]['id']]}/result/confirm"), 200)
    archived = d.call("tenant.archive", {"id": "province", "confirm": "province"})
    assert archived["undecided_applications"] == 1, archived
    assert "undecided applications left service" in d.output(), d.output()[-2000:]


def test_a_city_archived_and_created_again_numbers_its_applications_above_the_old_ones(daemon_factory):
    """The province still knows the archived city's applications by their ids, so the new
    city of the same id never reuses one."""
    d = daemon_factory().start()
    old = Handoff(d)
    used = [old.submitted()["id"] for _ in range(2)]
    assert d.call("tenant.archive", {"id": "zhengzhou", "confirm": "zhengzhou"})
    new = Handoff(d, province=False)
    assert new.submitted()["id"] == max(used) + 1


def test_a_city_archived_unreadable_and_created_again_numbers_above_what_the_province_holds(daemon_factory):
    """An archive of a database that cannot be read records no application ids (it says so in
    the log); the province still holds the old city's applications by their ids, so the city
    created again numbers above those anyway (else the province would take a new application
    for a repeat of an old one and drop it)."""
    d = daemon_factory().start()
    old = Handoff(d)
    handed = [old.handed_over()["id"] for _ in range(2)]
    d.call("tenant.suspend", {"id": "zhengzhou"})
    db = d.tenant_db("zhengzhou")
    for suffix in ("-wal", "-shm"):
        pathlib.Path(f"{db}{suffix}").unlink(missing_ok=True)
    db.write_bytes(b"this is not a database\n" * 512)
    d.call("tenant.archive", {"id": "zhengzhou", "confirm": "zhengzhou"})
    assert "cannot read the database" in d.output(), d.output()[-2000:]
    assert db_rows(d.data_dir / "registry.sqlite", "SELECT application_ids_used FROM archived WHERE id = 'zhengzhou'") == [(0,)]
    new = Handoff(d, province=False)
    assert new.submitted()["id"] == max(handed) + 1


def test_a_city_archived_before_is_not_created_again_while_the_province_cannot_be_read(daemon_factory):
    """Creating an id archived before needs the province's word on which of its ids it holds:
    while the province's database cannot be read, the create is refused (unavailable) and
    leaves nothing behind; an id never used is created with a warning in the log."""
    from conftest import AdminError

    d = daemon_factory().start()
    old = Handoff(d)
    old.handed_over()
    d.call("tenant.archive", {"id": "zhengzhou", "confirm": "zhengzhou"})
    d.call("tenant.suspend", {"id": "province"})
    province_db = d.tenant_db("province")
    saved = province_db.read_bytes()
    for suffix in ("-wal", "-shm"):
        pathlib.Path(f"{province_db}{suffix}").unlink(missing_ok=True)
    province_db.write_bytes(b"this is not a database\n" * 512)
    try:
        with pytest.raises(AdminError) as refused:
            d.call("tenant.create", {"id": "zhengzhou", "name": "郑州市", "division_code": "4101"})
        assert refused.value.code == "unavailable" and "province" in refused.value.message, refused.value
        assert "zhengzhou" not in {t["id"] for t in d.call("tenant.list")["tenants"]}
        assert not d.tenant_db("zhengzhou").exists()
        # An id never used is not held up (what the province holds of it is only looked for).
        d.call("tenant.create", {"id": "luoyang", "name": "洛阳市", "division_code": "4103"})
        assert "cannot read which applications of this id the province holds" in d.output(), d.output()[-2000:]
    finally:
        province_db.write_bytes(saved)


def test_a_damaged_city_restored_to_an_older_backup_numbers_new_applications_above_what_the_province_holds(daemon_factory):
    """The city's database is damaged (the reason for many a restore): which application ids it
    used cannot be read from it, so the restore takes them from the province, which holds its
    applications by id. A new application after the restore still reaches the province (with
    the ids counted from the backup alone, it took the id of one the province already held and
    was dropped as a repeat). The damaged file and its -wal are kept aside."""
    d = daemon_factory().start()
    h, backup, first = _city_damaged_after_backup(d)
    db = d.tenant_db("zhengzhou")
    d.start()
    # (SQLite itself removes a -wal beside a file it cannot read once it has looked at it: one
    # put there now stands for what a damaged file may have beside it. The relay's first look at
    # every outbox, after READY, is such a look: the -wal goes in once it is over.)
    wait_until(lambda: "its messages wait for its restore" in d.stderr() or None, 15, "the relay to note the damaged tenant")
    pathlib.Path(str(db) + "-wal").write_bytes(b"a stray log of the damaged file")
    d.call("tenant.restore", {"id": "zhengzhou", "path": backup})
    kept = list((d.data_dir / "backups" / "zhengzhou").glob("zhengzhou-pre-restore-*.sqlite"))
    assert len(kept) == 1 and pathlib.Path(str(kept[0]) + "-wal").read_bytes() == b"a stray log of the damaged file", kept
    d.call("tenant.resume", {"id": "zhengzhou"})
    h.sign_in_again()
    second = h.handed_over()["id"]
    assert second > first, (first, second)
    received = db_rows(d.tenant_db("province"), "SELECT source_tenant, source_application_id FROM received_applications ORDER BY id")
    assert received == [("zhengzhou", first), ("zhengzhou", second)]


PUBLICITY_0 = '[log]\nlevel = "info"\n[limits]\npublicity_working_days = 0\n'


def test_a_hand_over_without_the_units_code_from_a_city_of_the_previous_version_is_taken(daemon_factory, tmp_path):
    """A city daemon of the previous version hands over without the unit's code (`unit_code`,
    schema v22): such a message may still wait in an outbox when the daemon is upgraded. The
    province takes it all the same (the unit then known by its name only), acknowledges it,
    reviews it and evaluates it, and the result reaches the city. Here the hand-over is held
    in the city's outbox and its code taken out, as the previous version wrote it."""
    hold = tmp_path / "hold-forward"
    hold.write_text("")
    d = daemon_factory(config=PUBLICITY_0, env=clean_env(ZHICHENG_RELAY_HOLD=f"application.forward:{hold}")).start()
    h = Handoff(d)
    app = h.passed()
    city_db, province_db = d.tenant_db("zhengzhou"), d.tenant_db("province")
    waiting = wait_until(lambda: db_rows(city_db, "SELECT payload FROM outbox WHERE kind = 'application.forward' AND delivered_at IS NULL"), 10,
                         "the hand-over to wait in the city's outbox")
    assert json.loads(waiting[0][0])["unit_code"], "this version writes the unit's code"
    con = sqlite3.connect(city_db, timeout=10)
    try:
        with con:
            con.execute("UPDATE outbox SET payload = json_remove(payload, '$.unit_code') WHERE kind = 'application.forward'")
    finally:
        con.close()
    assert "unit_code" not in json.loads(db_rows(city_db, "SELECT payload FROM outbox WHERE kind = 'application.forward'")[0][0])
    hold.unlink()
    h.wait_forwarded(app["id"], "the province to acknowledge the hand-over without a code")

    papi, office = h.province_office()
    rows = expect(office.get("province/applications"), 200).json["applications"]
    assert [(r["source_tenant"], r["source_application_id"], r["state"]) for r in rows] == [("zhengzhou", app["id"], "in_review")], rows
    rid = rows[0]["id"]
    seen = expect(office.get(f"province/reviews/{rid}"), 200).json
    assert seen.get("unit_code") is None and seen["unit_name"] and seen["applicant_name"] == "钱老师", seen
    assert db_rows(province_db, "SELECT unit_code FROM received_applications WHERE id = ?", rid) == [(None,)]
    province_passes(office, rid)
    expect(office.post("committees", {"name": "河南省中小学教师高级评委会", "series": [SERIES], "levels": ["副高级"]}), 201)
    assert [i["path"] for i in expect(office.get("committee-worklist"), 200).json["items"]] == [f"province/applications/{rid}"]
    expect(office.post(f"province/applications/{rid}/result", {"result": "通过"}), 200)
    expect(office.post(f"province/applications/{rid}/result/confirm"), 200)
    wait_until(lambda: expect(h.owners[app["id"]].get(f"applications/{app['id']}"), 200).json["state"] == "passed", 30,
               "the province's result to reach the city")
    assert db_rows(province_db, "SELECT count(*) FROM inbox WHERE kind = 'application.forward'") == [(1,)]


def test_a_city_database_held_locked_by_another_process_pauses_its_hand_over_until_released(daemon_factory, tmp_path):
    """Another process (here `sqlite3`, as a sysadmin's shell would) holds the city's database
    locked for writing while its hand-over is delivered: the province takes it, but the city's
    mark cannot be written. The relay pauses that delivery (status and /metrics say so) and
    retries; once the lock is released the hand-over completes, delivered exactly once."""
    hold = tmp_path / "hold-forward"
    hold.write_text("")
    d = daemon_factory(env=clean_env(ZHICHENG_RELAY_HOLD=f"application.forward:{hold}")).start()
    h = Handoff(d)
    app = h.passed()
    city_db, province_db = d.tenant_db("zhengzhou"), d.tenant_db("province")
    wait_until(lambda: db_rows(city_db, "SELECT id FROM outbox WHERE kind = 'application.forward' AND delivered_at IS NULL"), 10,
               "the hand-over to wait in the city's outbox")

    def gauge() -> float:
        lines = d.http_get("/metrics")[2].decode().splitlines()
        return [float(line.split()[1]) for line in lines if line.startswith("zhicheng_relay_paused ")][0]

    assert gauge() == 0
    lock = sqlite3.connect(city_db, timeout=10, isolation_level=None)
    try:
        lock.execute("BEGIN EXCLUSIVE")
        hold.unlink()
        paused = wait_until(lambda: d.call("status")["relay"]["paused"], 30, "the relay to pause the delivery the lock holds up")
        assert paused[0]["failures"] >= 1 and "locked" in paused[0]["error"], paused
        assert wait_until(lambda: gauge() >= 1, 10, "the gauge to count the paused delivery")
        # Meanwhile the province took the application once; the city's mark waits.
        assert db_rows(province_db, "SELECT source_application_id FROM received_applications") == [(app["id"],)]
        assert db_rows(city_db, "SELECT delivered_at FROM outbox WHERE kind = 'application.forward'") == [(None,)]
    finally:
        if lock.in_transaction:
            lock.execute("ROLLBACK")
        lock.close()

    h.wait_forwarded(app["id"], "the hand-over to complete once the lock is released")
    wait_until(lambda: d.call("status")["relay"]["paused"] == [] and gauge() == 0, 30, "the pauses to end")
    wait_until(lambda: not db_rows(city_db, "SELECT id FROM outbox WHERE delivered_at IS NULL")
               and not db_rows(province_db, "SELECT id FROM outbox WHERE delivered_at IS NULL"), 30, "both outboxes to settle")
    assert db_rows(province_db, "SELECT source_tenant, source_application_id, version FROM received_applications") == [("zhengzhou", app["id"], 1)]
    assert [k for (k,) in db_rows(province_db, "SELECT kind FROM inbox")] == ["application.forward"]
    assert [k for (k,) in db_rows(province_db, "SELECT kind FROM outbox")] == ["application.received"], "acknowledged once"
    assert [k for (k,) in db_rows(city_db, "SELECT kind FROM inbox")] == ["application.received"]
    assert db_rows(city_db, "SELECT count(*) FROM audit WHERE action = 'application.forwarded'") == [(1,)]
    assert "relay could not deliver" in d.output()


def _city_damaged_after_backup(d) -> tuple[Handoff, str, int]:
    """zhengzhou backed up, then an application handed over (the backup predates it), then the
    city suspended, the daemon stopped and the city's database overwritten at its start (the
    reason for many a restore). Returns the hand-off helper, the backup's path and the
    application's id; the daemon is left stopped."""
    h = Handoff(d)
    backup = d.call("tenant.backup", {"id": "zhengzhou"})["path"]
    first = h.handed_over()["id"]
    d.call("tenant.suspend", {"id": "zhengzhou"})
    assert d.terminate() == 0
    with open(d.tenant_db("zhengzhou"), "r+b") as f:
        f.write(b"this is not a database file, no")
    return h, backup, first


def _damage(db: pathlib.Path) -> bytes:
    """Makes the database of a stopped daemon's tenant unreadable; returns its bytes (the stop
    checkpointed it whole into the file), to put back once the daemon is stopped again."""
    assert not pathlib.Path(f"{db}-wal").exists() or not pathlib.Path(f"{db}-wal").stat().st_size, "a stop checkpoints the file"
    saved = db.read_bytes()
    for suffix in ("-wal", "-shm"):
        pathlib.Path(f"{db}{suffix}").unlink(missing_ok=True)
    db.write_bytes(b"this is not a database\n" * 512)
    return saved


def test_a_damaged_city_is_not_restored_while_the_province_cannot_be_read_either(daemon_factory):
    """A restore numbers the city's new applications above the ids its replaced database used
    and above those the province holds. With the city's database damaged and the province's
    unreadable too, neither can say: the restore is refused (unavailable, saying to try again
    once the province can be read) and changes nothing; once the province is back it works,
    and a new application still reaches the province."""
    d = daemon_factory().start()
    h, backup, first = _city_damaged_after_backup(d)
    city_db, province_db = d.tenant_db("zhengzhou"), d.tenant_db("province")
    damaged = city_db.read_bytes()
    saved = _damage(province_db)
    d.start()
    err = expect_error(d.request("tenant.restore", {"id": "zhengzhou", "path": backup}), "unavailable")
    assert "province" in err["message"], err
    assert city_db.read_bytes() == damaged, "the damaged file is still in place"
    assert not list((d.data_dir / "backups" / "zhengzhou").glob("zhengzhou-pre-restore-*")), "nothing was taken aside"
    assert db_rows(d.data_dir / "registry.sqlite", "SELECT count(*) FROM restores") == [(0,)]
    assert d.call("tenant.show", {"id": "zhengzhou"})["restore"] is None

    # The province readable again, the same restore goes through.
    assert d.terminate() == 0
    province_db.write_bytes(saved)
    d.start()
    d.call("tenant.restore", {"id": "zhengzhou", "path": backup})
    d.call("tenant.resume", {"id": "zhengzhou"})
    h.sign_in_again()
    second = h.handed_over()["id"]
    assert second > first, (first, second)
    assert db_rows(province_db, "SELECT source_tenant, source_application_id FROM received_applications ORDER BY id") == [
        ("zhengzhou", first), ("zhengzhou", second)]


def test_a_resume_goes_on_when_the_owed_follow_up_of_a_restore_still_fails(daemon_factory):
    """The province is restored (its follow-up fails once: ZHICHENG_FAIL_AT) and owes the cities'
    messages since its backup. Meanwhile a city's database is damaged, so the follow-up cannot
    be made at the next start nor at the resume: the province is resumed all the same (a
    restored province with one damaged city could never be served otherwise), the log says why
    at `error`, and `tenant show` keeps the restore owed; the start after the city is mended
    makes it."""
    d = daemon_factory(env=clean_env(ZHICHENG_FAIL_AT="tenant.restore.follow-up")).start()
    h = Handoff(d)
    create_tenant(d, "kaifeng", "4102", "开封市")
    backup = d.call("tenant.backup", {"id": "province"})["path"]
    app = h.handed_over()
    d.call("tenant.suspend", {"id": "province"})
    err = expect_error(d.request("tenant.restore", {"id": "province", "path": backup}), "internal")
    assert "follow-up" in err["message"], err
    owed = d.call("tenant.show", {"id": "province"})["restore"]
    assert owed["from"] == backup, owed

    assert d.terminate() == 0
    kaifeng_db = d.tenant_db("kaifeng")
    saved = _damage(kaifeng_db)
    d.env = clean_env()
    d.start()
    wait_until(lambda: "cannot settle an unfinished restore" in d.stderr(), 30, "the start to try the owed follow-up")
    assert d.call("tenant.show", {"id": "province"})["restore"] == owed
    before = len(d.stderr())
    assert d.call("tenant.resume", {"id": "province"})["state"] == "active"
    logged = d.stderr()[before:]
    assert "cannot settle an unfinished restore" in logged and "kaifeng" in logged, logged[-3000:]
    assert [l for l in logged.splitlines() if "tenant resumed while its last restore still owes its follow-up" in l and " error " in l], logged[-3000:]
    shown = d.call("tenant.show", {"id": "province"})
    assert shown["state"] == "active" and shown["restore"] == owed, shown
    assert d.http_get("/t/province/api/v1/tenant")[0] == 200

    assert d.terminate() == 0
    kaifeng_db.write_bytes(saved)
    d.start()
    wait_until(lambda: d.call("tenant.show", {"id": "province"})["restore"] is None, 30, "the next start to make the owed follow-up")
    wait_until(lambda: db_rows(d.tenant_db("province"), "SELECT source_tenant, source_application_id FROM received_applications") == [("zhengzhou", app["id"])],
               30, "the province to receive again the application handed over since its backup")


def send_while_stopped(d, city_db: str, messages: list[tuple[str, str, str]]) -> None:
    """Puts `(message_id, kind, payload text)` in the stopped city's outbox for the province, as a
    city daemon would have written them, then starts the daemon and waits for the relay to be idle."""
    con = sqlite3.connect(city_db, timeout=10)
    try:
        with con:
            for message_id, kind, payload in messages:
                con.execute("INSERT INTO outbox (message_id, target, kind, payload, created_at) VALUES (?, '@province', ?, ?, ?)",
                            (message_id, kind, payload, time.time()))
    finally:
        con.close()
    d.start()
    relay_idle(d, ["zhengzhou", "province"])


def province_page(d, office, path: str) -> str:
    """A page of the province's web UI as its office's admin sees it."""
    r = office.api.raw("GET", f"/t/province/{path}", headers={"Cookie": f"zc_session={office.cookie}"})
    assert r.status == 200, r
    return r.body.decode()


def test_a_city_renamed_is_named_so_at_the_province_at_once_and_its_office_in_what_it_handed_over(daemon_factory):
    """`tenant.rename` of a city: the province's screens name the city an application came from
    by the new name at the next request (read live from the registry); the city's root office,
    named after the city, is renamed with it, and as an org rename it reaches the province's
    copies of the applications it handed over (the old name kept among the former ones). What
    was decided keeps its names: the 评审表's opinions and the trail the province received."""
    d = daemon_factory().start()
    h = Handoff(d)
    app = h.handed_over()
    papi, office = h.province_office()
    rid = expect(office.get("province/applications"), 200).json["applications"][0]["id"]
    assert "<td>郑州市职改办</td><td>郑州市</td>" in province_page(d, office, "province-reviews")

    res = d.call("tenant.rename", {"id": "zhengzhou", "name": "郑州"})
    assert (res["former_name"], res["office"], res["office_renamed"]) == ("郑州市", "郑州职改办", True), res
    page = province_page(d, office, "province-reviews")
    assert "<td>郑州</td>" in page and "<td>郑州市</td>" not in page, page[-2000:]

    province_db = d.tenant_db("province")
    wait_until(lambda: db_rows(province_db, "SELECT unit_name, former_unit_names FROM received_applications WHERE id = ?", rid)
               == [("郑州职改办", '["郑州市职改办"]')], 30, "the office's new name to reach the province")
    assert expect(office.get(f"province/reviews/{rid}"), 200).json["unit_name"] == "郑州职改办"
    audit = db_rows(province_db, "SELECT target, detail FROM audit WHERE action = 'org.renamed-in-city'")
    assert [(t, json.loads(detail)["name"]) for t, detail in audit] == [("unit:zhengzhou:4101", "郑州职改办")], audit
    # History stays as written: the city's opinions under the office's name of the day.
    seen = expect(office.get(f"province/reviews/{rid}"), 200).json
    assert {t["org"] for t in seen["city_trail"] if t["org"]} == {"郑州市职改办"}, seen["city_trail"]
    # The 评审表: each opinion under the office's name when it was given; the applicant's unit
    # (工作单位) by its name now, as for any unit renamed.
    form = expect(h.city.get(f"applications/{app['id']}/review-form"), 200).body.decode()
    assert re.findall(r"<th[^>]*>([^<]*)<br>(?:经办人|负责人)意见</th>", form) == ["郑州市职改办", "郑州市职改办"], form[-2000:]
    assert '<th scope="row">工作单位</th><td colspan="3">郑州职改办</td>' in form, form[-2000:]


def test_a_hand_over_without_names_and_malformed_rename_messages_change_no_name_and_are_logged(daemon_factory, zhichengctl_bin):
    """Messages a city daemon of another version, or a damaged outbox, might hold: a hand-over
    again whose unit and applicant names are empty or blank keeps the names the province knows
    and files none as former; rename messages with a malformed payload (a blank name, no ID-card
    number, no JSON) are kept in the province's inbox without their effect, each logged as a
    warning with its message id, kind, source tenant and what was wrong (an ID-card number
    masked), and written to the province's audit log; the good message after them is applied.
    They are put in the city's outbox while the daemon is stopped; the relay sends them at start."""
    d = daemon_factory().start()
    h = Handoff(d)
    app = h.handed_over()
    id_number = h.applicant.account["login"]
    city_db, province_db = d.tenant_db("zhengzhou"), d.tenant_db("province")
    relay_idle(d, ["zhengzhou", "province"])
    names = "SELECT applicant_name, former_applicant_names, unit_name, former_unit_names FROM received_applications"
    assert db_rows(province_db, names) == [("钱老师", "[]", "郑州市职改办", "[]")]
    forward = json.loads(db_rows(city_db, "SELECT payload FROM outbox WHERE kind = 'application.forward'")[0][0])
    d.terminate()

    blank = dict(forward, applicant_name="", unit_name=" \u3000")
    messages = [
        ("zhengzhou:test:forward-blank", "application.forward", json.dumps(blank, ensure_ascii=False)),
        ("zhengzhou:test:org-blank", "org.renamed", json.dumps({"name": "  ", "unit_code": "4101", "source_application_ids": [app["id"]]})),
        ("zhengzhou:test:applicant-blank", "applicant.renamed", json.dumps({"name": "", "id_number": id_number, "source_application_ids": [app["id"]]})),
        ("zhengzhou:test:applicant-no-number", "applicant.renamed", json.dumps({"name": "钱新", "source_application_ids": [app["id"]]})),
        ("zhengzhou:test:org-not-json", "org.renamed", "{not json"),
        ("zhengzhou:test:applicant-good", "applicant.renamed",
         json.dumps({"name": "钱新老师", "id_number": id_number, "source_application_ids": [app["id"]]}, ensure_ascii=False)),
    ]
    send_while_stopped(d, city_db, messages)
    assert db_rows(province_db, names) == [("钱新老师", '["钱老师"]', "郑州市职改办", "[]")]
    assert {m for (m,) in db_rows(province_db, "SELECT message_id FROM inbox")} >= {m for m, _, _ in messages}

    log = d.stderr()
    warned = {m: line for line in log.splitlines() if "malformed payload" in line for m, _, _ in messages if f"relay.message={m}" in line}
    assert set(warned) == {"zhengzhou:test:org-blank", "zhengzhou:test:applicant-blank", "zhengzhou:test:applicant-no-number",
                           "zhengzhou:test:org-not-json"}, log[-3000:]
    for m, kind, _ in messages:
        if m in warned:
            assert "warning" in warned[m] and f"relay.kind={kind}" in warned[m] and "tenant.id=zhengzhou" in warned[m], warned[m]
    assert 'error="name is blank"' in warned["zhengzhou:test:org-blank"]
    assert 'error="id_number is missing"' in warned["zhengzhou:test:applicant-no-number"]
    assert 'error="the payload is not a JSON object"' in warned["zhengzhou:test:org-not-json"]
    masked = id_number[:6] + "*" * 8 + id_number[14:]
    assert 'error="name is blank"' in warned["zhengzhou:test:applicant-blank"] and f"applicant={masked}" in warned["zhengzhou:test:applicant-blank"]
    assert id_number not in log, "an ID-card number in the log unmasked"
    unapplied = db_rows(province_db, "SELECT target FROM audit WHERE action = 'relay.unapplied'")
    assert sorted(t for (t,) in unapplied) == sorted(f"message:{m}" for m in warned), unapplied

    # tenant.check tells the sysadmin: how many were kept, each by id, kind, sender and why (no
    # ID-card number), newest first; not a fault of the file. The city kept none.
    check = d.call("tenant.check", {"id": "province"})
    assert check["ok"] is True and check["unapplied_messages"] == 4, check
    listed = {u["message"]: u for u in check["unapplied"]}
    assert set(listed) == set(warned), check
    assert listed["zhengzhou:test:org-blank"]["kind"] == "org.renamed" and listed["zhengzhou:test:org-blank"]["reason"] == "name is blank"
    assert all(u["from"] == "zhengzhou" and re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:.]+Z", u["at"]) for u in check["unapplied"]), check
    assert [u["message"] for u in check["unapplied"]][::-1] == [m for m, _, _ in messages if m in warned], check
    assert id_number not in json.dumps(check, ensure_ascii=False)
    assert d.call("tenant.check", {"id": "zhengzhou"})["unapplied_messages"] == 0
    shown = run_ctl(zhichengctl_bin, "tenant", "check", "province", socket_path=d.admin_socket)
    assert shown.returncode == 0 and "unapplied_messages  4" in shown.stdout and "reason=name is blank" in shown.stdout, shown.stdout


def put_in_outbox(db, target: str, messages: list[tuple[str, str, dict]]) -> None:
    """Puts `(message_id, kind, payload)` in a stopped tenant's outbox for `target`, as a daemon
    of another version (or someone editing the file) might have written them."""
    con = sqlite3.connect(db, timeout=10)
    try:
        with con:
            for message_id, kind, payload in messages:
                con.execute("INSERT INTO outbox (message_id, target, kind, payload, created_at) VALUES (?, ?, ?, ?, ?)",
                            (message_id, target, kind, json.dumps(payload, ensure_ascii=False), time.time()))
    finally:
        con.close()


def test_relayed_text_the_receiver_would_refuse_is_kept_unapplied_said_and_holds_nothing_up(daemon_factory):
    """Text a message between tenants brings is held where it arrives to the rules it was typed
    under (RelayedText, FreeText): a hand-over whose section carries a NUL is not received by the
    province, a step of the province office whose comment carries a bidi override (U+202E) does
    not enter the city's trail. Neither is lost unsaid nor retried for ever: each stays in its
    receiver's inbox as it came, changes nothing else there, is written to its 操作日志 as
    跨地市消息未执行 with the field and the character by its code point, and logged as a warning;
    the messages after it to the same tenant are applied in the same pass."""
    d = daemon_factory().start()
    h = Handoff(d)
    app = h.handed_over()
    id_number = h.applicant.account["login"]
    city_db, province_db = d.tenant_db("zhengzhou"), d.tenant_db("province")
    relay_idle(d, ["zhengzhou", "province"])
    forward = json.loads(db_rows(city_db, "SELECT payload FROM outbox WHERE kind = 'application.forward'")[0][0])
    sections = json.loads(forward["sections"])
    sections["业绩成果"] = json.dumps({"内容": "论文\x00三篇"}, ensure_ascii=False)
    bad_forward = dict(forward, source_application_id=app["id"] + 1000, sections=json.dumps(sections, ensure_ascii=False))

    def step(comment: str) -> dict:
        return {"source_application_id": app["id"], "office": "河南省职称改革办公室", "stage": "handler", "decision": "pass",
                "comment": comment, "at": time.time(), "submission": forward["submission"], "sections": []}

    decisions = "SELECT comment FROM province_decisions WHERE application_id = ?"
    assert db_rows(city_db, decisions, app["id"]) == []
    d.terminate()
    put_in_outbox(city_db, "@province", [("zhengzhou:test:forward-nul", "application.forward", bad_forward)])
    put_in_outbox(province_db, "zhengzhou", [("province:test:review-bidi", "application.province-review", step("材料齐全\u202e，同意"))])
    with unchanged(d, "province", ignore=("inbox", "audit", "outbox")), unchanged(d, "zhengzhou", ignore=("inbox", "audit", "outbox")):
        d.start()
        relay_idle(d, ["zhengzhou", "province"])
    for db, message in ((province_db, "zhengzhou:test:forward-nul"), (city_db, "province:test:review-bidi")):
        assert db_rows(db, "SELECT count(*) FROM inbox WHERE message_id = ?", message) == [(1,)], "kept in the inbox as it came"
    assert db_rows(province_db, "SELECT count(*) FROM received_applications WHERE source_application_id = ?", app["id"] + 1000) == [(0,)]
    assert db_rows(city_db, decisions, app["id"]) == []

    # Said where the receiving office reads its 操作日志, and in the log.
    papi, office = h.province_office()
    h.sign_in_again()
    for session, message, field, code in ((office, "zhengzhou:test:forward-nul", "sections", "U+0000"),
                                          (h.city, "province:test:review-bidi", "comment", "U+202E")):
        rows = [e for e in expect(session.get("audit?limit=100"), 200).json["entries"] if e["action"] == "relay.unapplied" and e["target"] == f"message:{message}"]
        assert len(rows) == 1, rows
        reason = json.loads(rows[0]["detail"])["reason"]
        assert reason.startswith(f"{field}：") and code in reason and "\x00" not in reason and "\u202e" not in reason, reason
        page = session.api.raw("GET", f"/t/{session.api.tenant}/audit", headers={"Cookie": f"zc_session={session.cookie}"}).body.decode()
        assert "跨地市消息未执行" in page and code in page, page[-3000:]
        warned = [line for line in d.stderr().splitlines() if f"relay.message={message}" in line and "text the receiver's rules refuse" in line]
        assert len(warned) == 1 and "warning" in warned[0] and code in warned[0], warned

    # Behind a refused message, the next ones to the same tenant are applied in the same pass.
    d.terminate()
    put_in_outbox(city_db, "@province", [
        ("zhengzhou:test:forward-nul-2", "application.forward", dict(bad_forward, source_application_id=app["id"] + 1001)),
        ("zhengzhou:test:renamed", "applicant.renamed", {"name": "钱新老师", "id_number": id_number, "source_application_ids": [app["id"]]}),
    ])
    put_in_outbox(province_db, "zhengzhou", [("province:test:review-bidi-2", "application.province-review", step("\u2066材料齐全")),
                                             ("province:test:review", "application.province-review", step("材料齐全，同意"))])
    d.start()
    relay_idle(d, ["zhengzhou", "province"])
    assert db_rows(province_db, "SELECT applicant_name FROM received_applications") == [("钱新老师",)]
    assert db_rows(city_db, decisions, app["id"]) == [("材料齐全，同意",)]
    unapplied = {t for (t,) in db_rows(province_db, "SELECT target FROM audit WHERE action = 'relay.unapplied'")} | \
                {t for (t,) in db_rows(city_db, "SELECT target FROM audit WHERE action = 'relay.unapplied'")}
    assert unapplied == {f"message:{m}" for m in ("zhengzhou:test:forward-nul", "zhengzhou:test:forward-nul-2", "province:test:review-bidi",
                                                  "province:test:review-bidi-2")}, unapplied
    for tenant in ("zhengzhou", "province"):
        assert d.call("tenant.show", {"id": tenant})["messages"] == {"waiting": 0, "set_aside": 0}


def test_a_rename_reads_the_number_as_the_hand_over_did_and_one_that_finds_nothing_is_logged_so(daemon_factory):
    """The ID-card number of an `applicant.renamed` is read as the hand-over's was (in full width,
    in groups, with an invisible character: the one number), so the correction finds its copy. A
    rename that finds none of the copies it names (another person's number with the
    application's id; application ids the province does not hold) changes nothing, is kept in the
    province's inbox, logged as a warning saying so (the number masked) and audited as
    `relay.unapplied` with why, never as a rename (`applicant.renamed-in-city` /
    `org.renamed-in-city`). Put in the city's outbox while the daemon is stopped."""
    d = daemon_factory().start()
    h = Handoff(d)
    app = h.handed_over()
    id_number = h.applicant.account["login"]
    other = fresh_id_number()
    city_db, province_db = d.tenant_db("zhengzhou"), d.tenant_db("province")
    relay_idle(d, ["zhengzhou", "province"])
    names = "SELECT applicant_name, former_applicant_names, unit_name, former_unit_names FROM received_applications"
    assert db_rows(province_db, names) == [("钱老师", "[]", "郑州市职改办", "[]")]
    d.terminate()

    typed = "".join(chr(ord(c) + 0xFEE0) for c in id_number[:6]) + " " + id_number[6:14] + "\u200b " + id_number[14:].lower()
    messages = [
        ("zhengzhou:test:applicant-other-number", "applicant.renamed", {"name": "吴新", "id_number": other, "source_application_ids": [app["id"]]}),
        ("zhengzhou:test:applicant-unknown-ids", "applicant.renamed", {"name": "钱新", "id_number": id_number, "source_application_ids": [app["id"] + 900, app["id"] + 901]}),
        ("zhengzhou:test:org-unknown-ids", "org.renamed", {"name": "郑州职改办", "unit_code": "4101", "source_application_ids": [app["id"] + 900]}),
        ("zhengzhou:test:applicant-typed-number", "applicant.renamed", {"name": "钱新老师", "id_number": typed, "source_application_ids": [app["id"]]}),
    ]
    send_while_stopped(d, city_db, [(m, kind, json.dumps(payload, ensure_ascii=False)) for m, kind, payload in messages])
    assert db_rows(province_db, names) == [("钱新老师", '["钱老师"]', "郑州市职改办", "[]")]
    assert {m for (m,) in db_rows(province_db, "SELECT message_id FROM inbox")} >= {m for m, _, _ in messages}
    renamed = db_rows(province_db, "SELECT action, target, detail FROM audit WHERE action LIKE '%renamed-in-city'")
    masked = id_number[:6] + "*" * 8 + id_number[14:]
    assert [(a, t, json.loads(x)["name"], json.loads(x)["applications"]) for a, t, x in renamed] == \
        [("applicant.renamed-in-city", f"applicant:zhengzhou:{masked}", "钱新老师", 1)], renamed
    unmatched = {m for m, _, _ in messages[:3]}
    unapplied = {t: json.loads(x) for t, x in db_rows(province_db, "SELECT target, detail FROM audit WHERE action = 'relay.unapplied'")}
    assert set(unapplied) == {f"message:{m}" for m in unmatched}, unapplied
    assert unapplied["message:zhengzhou:test:applicant-other-number"] == \
        {"kind": "applicant.renamed", "reason": "the province holds none of the applications it names with its id_number"}
    assert unapplied["message:zhengzhou:test:org-unknown-ids"] == {"kind": "org.renamed", "reason": "the province holds none of the applications it names"}

    log = d.stderr()
    warned = {m: line for line in log.splitlines() if "found none of the copies it names" in line for m in unmatched if f"relay.message={m}" in line}
    assert set(warned) == unmatched, log[-3000:]
    assert all("warning" in line and "tenant.id=zhengzhou" in line for line in warned.values()), warned
    assert f"applicant={other[:6]}{'*' * 8}{other[14:]}" in warned["zhengzhou:test:applicant-other-number"], warned
    assert other not in log and id_number not in log, "an ID-card number in the log unmasked"
    assert not any("malformed payload" in line for line in log.splitlines()), "found nothing, not malformed"


# --------------------------------------------------------------------------- names through a hand-over


class UnitHandoff:
    """The province (its office's 经办人 and admin) and 郑州市 with a unit under its office
    (东风小学, approved, with an approved 副高级 plan), a handler and a leader in the unit and in
    the office, and one applicant of the unit (钱老师) whose 副高级 application is submitted. The
    unit and the applicant may be renamed in the city; `names()` says how the province names them."""

    UNIT = "东风小学"

    def __init__(self, d):
        self.d = d
        pinfo = create_tenant(d, "province", "41", "河南省", kind="province")
        info = create_tenant(d, "zhengzhou", "4101", "郑州市")
        self.api, self.papi = Api(d.http_port, "zhengzhou"), Api(d.http_port, "province")
        self.office = self.papi.first_login(pinfo["admin_login"], pinfo["admin_password"])
        self.prov_handler = add_reviewer(self.office, 1, "prov.h", ["handler"], sections=SECTIONS)
        self.city = self.api.first_login(info["admin_login"], info["admin_password"])
        org, admin = create_child(self.city, 1, self.UNIT, "unit")
        self.unit_id = org["id"]
        self.unit = approve_unit(self.api, self.city, self.unit_id, admin["login"], admin["password"])
        approved_plan(self.unit, self.city, self.unit_id, [{"series": SERIES, "level": "副高级", "count": 5}])
        self.reviewers = [add_reviewer(self.unit, self.unit_id, f"{self.unit_id}.{role}", [role], sections=SECTIONS) for role in ("handler", "leader")] \
            + [add_reviewer(self.city, 1, f"city.{role}", [role], sections=SECTIONS) for role in ("handler", "leader")]
        person = expect(self.unit.post(f"orgs/{self.unit_id}/applicants", {"id_number": fresh_id_number(), "name": "钱老师"}), 201).json
        self.person_id = person["account"]["id"]
        self.applicant = self.api.first_login(person["account"]["login"], person["password"])
        self.app = expect(self.applicant.post("applications", {"kind": "title", "year": 2026, "series": SERIES, "level": "副高级", "title": "高级教师"}), 201).json
        for section in SECTIONS:
            expect(self.applicant.put(f"applications/{self.app['id']}/sections/{quote(section)}", {"内容": section}), 200)
        expect(self.applicant.post(f"applications/{self.app['id']}/submit"), 200)

    def pass_by(self, reviewers) -> None:
        for reviewer in reviewers:
            expect(Handoff.pass_(reviewer, self.app["id"]), 200)

    def forwarded(self):
        return expect(self.applicant.get(f"applications/{self.app['id']}"), 200).json.get("forwarded_to_province_at")

    def received_id(self) -> int:
        return wait_until(lambda: db_rows(self.d.tenant_db("province"), "SELECT id FROM received_applications WHERE source_application_id = ?",
                                          self.app["id"]), 30, "the province to receive the application")[0][0]

    def names(self) -> tuple:
        """(unit, its former names, applicant, their former names) as the province has them; the
        current ones as its API shows them."""
        rid = self.received_id()
        shown = expect(self.office.get(f"province/reviews/{rid}"), 200).json
        (units, people), = db_rows(self.d.tenant_db("province"), "SELECT former_unit_names, former_applicant_names FROM received_applications WHERE id = ?", rid)
        return shown["unit_name"], json.loads(units), shown["applicant_name"], json.loads(people)

    def rename(self, unit: str, person: str) -> None:
        """The unit renamed by its parent (the city office), the applicant's name corrected by the unit's admin."""
        expect(self.city.patch(f"orgs/{self.unit_id}", {"name": unit}), 200)
        expect(self.unit.patch(f"applicants/{self.person_id}", {"name": person}), 200)

    def wait_names(self, expected: tuple, what: str) -> None:
        seen: list[tuple] = []
        try:
            wait_until(lambda: seen.append(self.names()) or seen[-1] == expected, 30, what)
        except AssertionError as exc:
            raise AssertionError(f"{exc}: the province has {seen[-1:]}, not {expected}") from None
        relay_idle(self.d, ["province", "zhengzhou"])
        assert self.names() == expected, self.names()

    def sign_in_again(self) -> None:
        """After a restore of the city (which voids every session of the backup)."""
        self.city, self.unit, self.applicant = (self.api.sign_in(s.account["login"], s.password) for s in (self.city, self.unit, self.applicant))
        self.reviewers = [self.api.sign_in(s.account["login"], s.password) for s in self.reviewers]

    def inbox(self, tenant: str) -> list[str]:
        return sorted(k for (k,) in db_rows(self.d.tenant_db(tenant), "SELECT kind FROM inbox"))


def test_a_hand_over_again_after_a_restore_names_the_unit_and_the_applicant_as_the_city_does_now(daemon_factory):
    """The city hands an application over and the province office acts on it; the city then
    renames the unit and corrects the applicant's name, which the province learns. Restored to
    a backup taken before the hand-over (and so before the corrections), the city names them as
    it did; its leader passes the application again, and the hand-over again, of an application
    the province acted on (`renameCopies`), carries the names the city uses now: the province
    names them so, and keeps the corrected ones among their former names (a relation declared
    under them still names them), never the current name among them. Corrected again, each
    former name stays once."""
    d = daemon_factory().start()
    u = UnitHandoff(d)
    u.pass_by(u.reviewers[:3])   # waits for the city office's 负责人
    backup = d.call("tenant.backup", {"id": "zhengzhou"})["path"]
    u.pass_by(u.reviewers[3:])
    wait_until(u.forwarded, 30, "the hand-over to be acknowledged")
    rid = u.received_id()
    expect(u.prov_handler.post(f"province/reviews/{rid}/decision", {"decision": "pass", "comment": "符合申报条件"}), 200)
    assert u.names() == ("东风小学", [], "钱老师", [])
    u.rename("东风实验小学", "钱晓")
    u.wait_names(("东风实验小学", ["东风小学"], "钱晓", ["钱老师"]), "the province to learn the corrected names")

    restore_tenant(d, "zhengzhou", backup)
    u.sign_in_again()
    assert not u.forwarded() and expect(u.city.get(f"orgs/{u.unit_id}"), 200).json["name"] == "东风小学"
    u.pass_by(u.reviewers[3:])
    wait_until(u.forwarded, 30, "the hand-over again to be acknowledged")
    # The province acted on it: it keeps its review (the 经办人's step) and takes the names.
    u.wait_names(("东风小学", ["东风实验小学"], "钱老师", ["钱晓"]), "the province to take the names the hand-over again carries")
    seen = expect(u.office.get(f"province/reviews/{rid}"), 200).json
    assert (seen["state"], seen["step"], [s["step"] for s in seen["decisions"]]) == ("in_review", "leader", ["handler"]), seen
    assert db_rows(d.tenant_db("province"), "SELECT count(*) FROM audit WHERE action = 'application.receive-again'") == [(1,)]

    # Corrected again in the city: each former name once, the current one never among them.
    u.rename("东风实验小学", "钱晓")
    u.wait_names(("东风实验小学", ["东风小学"], "钱晓", ["钱老师"]), "the province to learn the names corrected again")
    assert u.inbox("province").count("application.forward") == 2
    for tenant in ("province", "zhengzhou"):
        assert d.call("tenant.check", {"id": tenant})["ok"] is True


def test_names_corrected_while_the_hand_over_waits_and_after_the_province_returned_it_reach_the_province_once(daemon_factory, tmp_path):
    """The unit renamed and the applicant's name corrected while the hand-over still waits in the
    city's outbox (the relay holds it back: ZHICHENG_RELAY_HOLD): the corrections follow it, in
    order, and the province names them as the city does, the names it was handed over under
    kept as former ones. Corrected again after the province office sent the application back
    (退回修改), then resubmitted and handed over again: the province has the last names, each
    former one once, and every message once."""
    hold = tmp_path / "hold-forward"
    hold.write_text("")
    d = daemon_factory(env=clean_env(ZHICHENG_RELAY_HOLD=f"application.forward:{hold}")).start()
    u = UnitHandoff(d)
    city_db, province_db = d.tenant_db("zhengzhou"), d.tenant_db("province")
    u.pass_by(u.reviewers)
    wait_until(lambda: db_rows(city_db, "SELECT id FROM outbox WHERE kind = 'application.forward' AND delivered_at IS NULL"), 10,
               "the hand-over to wait in the city's outbox")
    u.rename("东风实验小学", "钱晓")
    waiting = [k for (k,) in db_rows(city_db, "SELECT kind FROM outbox WHERE delivered_at IS NULL ORDER BY id")]
    assert waiting == ["application.forward", "org.renamed", "applicant.renamed"], waiting
    assert db_rows(province_db, "SELECT count(*) FROM received_applications") == [(0,)], "held back, and what follows it"
    hold.unlink()
    wait_until(u.forwarded, 30, "the hand-over to be acknowledged")
    u.wait_names(("东风实验小学", ["东风小学"], "钱晓", ["钱老师"]), "the province to take the corrections after the hand-over")

    # Sent back by the province office; corrected again while the applicant has it.
    rid = u.received_id()
    expect(u.prov_handler.post(f"province/reviews/{rid}/decision", {"decision": "return", "sections": ["业绩成果"], "reason": "incomplete",
                                                                     "comment": "请补充"}), 200)
    wait_until(lambda: expect(u.applicant.get(f"applications/{u.app['id']}"), 200).json["state"] == "returned", 30, "the return to reach the city")
    u.rename("郑州市东风实验小学", "钱晓明")
    u.wait_names(("郑州市东风实验小学", ["东风小学", "东风实验小学"], "钱晓明", ["钱老师", "钱晓"]), "the province to learn the names corrected after its return")
    expect(u.applicant.put(f"applications/{u.app['id']}/sections/{quote('业绩成果')}", {"内容": "补充了获奖证书"}), 200)
    expect(u.applicant.post(f"applications/{u.app['id']}/submit"), 200)
    u.pass_by(u.reviewers)
    wait_until(lambda: db_rows(province_db, "SELECT state, source_submission FROM received_applications WHERE id = ?", rid) == [("in_review", 2)], 30,
               "the resubmission to reach the province")
    u.wait_names(("郑州市东风实验小学", ["东风小学", "东风实验小学"], "钱晓明", ["钱老师", "钱晓"]), "the province to keep the names through the hand-over again")

    # Each message once: two hand-overs, two corrections of each name, each answered once.
    assert u.inbox("province") == sorted(["application.forward"] * 2 + ["org.renamed"] * 2 + ["applicant.renamed"] * 2), u.inbox("province")
    assert u.inbox("zhengzhou") == sorted(["application.received"] * 2 + ["application.province-review", "application.returned"]), u.inbox("zhengzhou")
    assert db_rows(province_db, "SELECT action, count(*) FROM audit WHERE action LIKE '%renamed-in-city' GROUP BY action ORDER BY action") == \
        [("applicant.renamed-in-city", 2), ("org.renamed-in-city", 2)]
    for tenant in ("province", "zhengzhou"):
        assert d.call("tenant.check", {"id": tenant})["ok"] is True
