"""What a 评审会 (review session) decides, and when, and who may be recommended as an expert
(manual §10), through the JSON API and the pages of the real daemon with the real
ExpertRecommendation plugin:

- a closed session's record keeps what that session decided, also once an objection upheld has
  set the result aside and another session decided the application the other way (and a
  session closed before schema v32 gets it from the audit log);
- a session is planned for today or later; its votes and its close wait for its date and for
  the interview (面试通知) of what they decide, as a result entered by hand does, and an expert's
  首页 counts only the votes they can cast now, saying apart what the others wait for;
- someone the 专家信息库 already holds (active or suspended) is not recommended again: refused at
  creation and at submission, and every level's queue (the API's too) and page say so of a
  recommendation already on its way; an expert who retired has left it and may be recommended
  and admitted again.

Results here stand in 公示 for the default 5 working days, so that an objection can be lodged."""

from __future__ import annotations

import datetime
import re
import sqlite3
from urllib.parse import quote

import pytest

from api_support import NEW_PASSWORD, china_day, db_rows, wind_back, expect, interview_held, relay_idle, session_day_come, unchanged
from conftest import wait_until
from expert_support import (SERIES, Env, add_school, applicant, become_expert, city_pass, expert_env, senior_application, sign_in_expert)

CONFIG = '[log]\nlevel = "info"\n'


@pytest.fixture(scope="module")
def env(zhichengd_bin, tmp_path_factory):
    with expert_env(zhichengd_bin, tmp_path_factory.mktemp("api-session-rules"), config=CONFIG) as e:
        yield e


@pytest.fixture(scope="module")
def committee(env: Env) -> dict:
    """Three experts of 小学数学 from 实验中学 (no 回避 with the applicants here, of 逸夫小学 and
    回民中学), and a committee of 副高级 under the national rule."""
    for i in range(3):
        become_expert(env, "实验中学", f"规则专家{i}")
    made = expect(env.prov.post("committees", {"name": "河南省中小学教师高级职称评审委员会", "series": [SERIES], "levels": ["副高级"]}), 201).json
    assert made["rule"] == "national"
    return made


def page(env: Env, session, path: str) -> str:
    """The page at `path` of `session`'s tenant, as that person sees it."""
    r = session.api.raw("GET", f"/t/{session.api.tenant}/{path}", headers={"Cookie": f"zc_session={session.cookie}"})
    assert r.status == 200, (r.status, r.body.decode()[-800:])
    return r.body.decode()


def run_session(env: Env, committee: dict, name: str, received_id: int, votes: list[str]) -> dict:
    """A session of one application, drawn (3 experts), voted as `votes` says, closed: its view."""
    session = expect(env.prov.post(f"committees/{committee['id']}/sessions",
                                   {"name": name, "series": SERIES, "panel_size": 3, "reserves": 0, "applications": [received_id]}), 201).json
    panel = [m["expert_id"] for m in expect(env.prov.post(f"sessions/{session['id']}/draw", {"seed": name}), 200).json["experts"]]
    for expert, vote in zip(panel, votes):
        expect(sign_in_expert(env, expert).post(f"sessions/{session['id']}/votes", {"application_id": received_id, "vote": vote}), 200)
    closed = expect(env.prov.post(f"sessions/{session['id']}/close"), 200).json
    assert closed["state"] == "closed", closed
    return closed


def todo(env: Env, session) -> list[tuple[str, str]]:
    """首页's 待办事项 of `session`'s person: each item's link and words."""
    html = page(env, session, "home")
    found = re.search(r'<ul id="todo">(.*?)</ul>', html, re.S)
    if not found:   # none: the page says so (not markup this helper no longer reads)
        assert '<p id="todo-none">暂无待办事项</p>' in html, html[-1500:]
        return []
    return re.findall(r'<li><a href="([^"]+)">([^<]*)</a></li>', found.group(1))


def decided(view: dict) -> tuple:
    a = view["applications"][0]
    return a["agree"], a["disagree"], a["abstain"], a["outcome"]


def tally(html: str) -> str:
    found = re.search(r'<p class="tally">(.*?)</p>', html, re.S)
    assert found, html[-1500:]
    return re.sub(r"<[^>]+>", "", found.group(1))


def test_a_closed_sessions_record_keeps_what_it_decided(env: Env, committee: dict):
    """评审会一 passes X (同意2票，不同意1票); an objection against X is upheld (结果撤销); 评审会二
    decides X again and fails it. 评审会一 still says 通过 with its tally (API, its page, its
    panel), 评审会二 未通过; and so does a database that recorded the two closes before schema
    v32, which takes each session's decision from the audit log."""
    _, _, received = senior_application(env, "逸夫小学", "甲记录")
    rid = received["id"]
    first = run_session(env, committee, "记录评审会一", rid, ["agree", "agree", "disagree"])
    assert decided(first) == (2, 1, 0, "通过")
    # An objection in the province (any of its people may lodge one while the result stands), upheld.
    objection = expect(env.prov_h.post(f"province/applications/{rid}/objections", {"text": "业绩材料与原件不符", "evidence": "核查记录"}), 201).json["id"]
    evaluation = expect(env.prov.post(f"objections/{objection}/resolve", {"decision": "upheld", "reason": "情况属实，结果撤销"}), 200).json
    assert evaluation["state"] == "pending" and evaluation.get("result") is None, evaluation
    assert decided(expect(env.prov.get(f"sessions/{first['id']}"), 200).json) == (2, 1, 0, "通过"), "the result set aside is not the session's record"
    second = run_session(env, committee, "记录评审会二", rid, ["agree", "disagree", "disagree"])
    assert decided(second) == (1, 2, 0, "未通过")
    assert expect(env.prov.get(f"province/applications/{rid}/evaluation"), 200).json["result"] == "未通过"

    def assert_records() -> None:
        assert decided(expect(env.prov.get(f"sessions/{first['id']}"), 200).json) == (2, 1, 0, "通过")
        assert decided(expect(env.prov.get(f"sessions/{second['id']}"), 200).json) == (1, 2, 0, "未通过")
        assert tally(page(env, env.prov, f"sessions/{first['id']}")) == "同意2票，不同意1票，弃权0票：通过"
        assert tally(page(env, env.prov, f"sessions/{second['id']}")) == "同意1票，不同意2票，弃权0票：未通过"
        # A panelist of the first reads the same record.
        panelist = next(m["expert_id"] for m in first["members"] if m["role"] == "panel")
        assert decided(expect(sign_in_expert(env, panelist).get(f"sessions/{first['id']}"), 200).json) == (2, 1, 0, "通过")

    assert_records()
    prov_db = env.daemon.tenant_db("province")
    assert db_rows(prov_db, "SELECT session_id, outcome FROM session_applications WHERE received_id = ? ORDER BY session_id", rid) == [
        (first["id"], "通过"), (second["id"], "未通过")]

    # The same two sessions as a database written before v32 holds them (no decision of their
    # own), opened by this build: each gets its decision from the audit log.
    relay_idle(env.daemon, ["province", "zhengzhou"])
    env.daemon.terminate()
    try:
        con = sqlite3.connect(prov_db, timeout=10)
        try:
            (latest,) = con.execute("PRAGMA user_version").fetchone()
            wind_back(con, 31)
            con.commit()
        finally:
            con.close()
    finally:
        env.daemon.start()
    assert_records()
    assert db_rows(prov_db, "PRAGMA user_version") == [(latest,)]
    assert db_rows(prov_db, "SELECT session_id, outcome FROM session_applications WHERE received_id = ? ORDER BY session_id", rid) == [
        (first["id"], "通过"), (second["id"], "未通过")]


def test_an_ended_sessions_record_keeps_its_people_as_named_when_it_ended(env: Env, committee: dict):
    """A session closed on 甲原名 of 更名前小学, and one cancelled before it; then the city corrects
    her name to 甲新名 and renames the school 更名后小学, and the province office renames a panel
    expert's account. The province names them anew in its lists, but the two ended sessions (API
    and page: the application, the panel, the office's votes) say who they were about and who sat
    as they were named when they ended (schema v39). A database written before v39 gives sessions
    that ended before the names they have at the upgrade, kept from then on."""
    school = add_school(env, "更名前小学")
    person, _, received = senior_application(env, "更名前小学", "甲原名")
    rid = received["id"]
    planned = expect(env.prov.post(f"committees/{committee['id']}/sessions",
                                   {"name": "改名前取消的评审会", "series": SERIES, "panel_size": 3, "reserves": 0, "applications": [rid]}), 201).json
    expect(env.prov.post(f"sessions/{planned['id']}/cancel", {"reason": "改期"}), 200)
    closed = run_session(env, committee, "改名前结束的评审会", rid, ["agree", "agree", "disagree"])
    expert_id = next(m["expert_id"] for m in closed["members"] if m["role"] == "panel")
    expert = next(e for e, _ in env.experts.values() if e["id"] == expert_id)
    was = next(m["name"] for m in closed["members"] if m["expert_id"] == expert_id)

    def record(session_id: int) -> tuple:
        v = expect(env.prov.get(f"sessions/{session_id}"), 200).json
        a = v["applications"][0]
        return (a["applicant_name"], a["unit_name"], sorted(m["name"] for m in v["members"] if m["expert_id"] == expert_id),
                sorted({x["expert_name"] for x in v["votes"] if x["expert_id"] == expert_id}))

    def page_names(session_id: int) -> str:
        html = page(env, env.prov, f"sessions/{session_id}")
        return re.search(r'<fieldset class="session-application"[^>]*><legend>(.*?)</legend>', html).group(1)

    assert record(closed["id"]) == ("甲原名", "更名前小学", [was], [was])
    assert record(planned["id"])[:2] == ("甲原名", "更名前小学")

    _, school_admin = env.schools["更名前小学"]
    expect(school_admin.patch(f"applicants/{person.id}", {"name": "甲新名"}), 200)
    expect(env.dept.patch(f"orgs/{school['id']}", {"name": "更名后小学"}), 200)
    expect(env.prov.patch(f"staff/{expert['account_id']}", {"name": f"{was}改名"}), 200)
    wait_until(lambda: [(r["applicant_name"], r["unit_name"]) for r in expect(env.prov.get("province/applications"), 200).json["applications"]
                        if r["id"] == rid] == [("甲新名", "更名后小学")], 30, "the province to learn the corrected names")
    assert db_rows(env.daemon.tenant_db("province"), "SELECT name FROM experts WHERE id = ?", expert_id) == [(f"{was}改名",)]

    assert record(closed["id"]) == ("甲原名", "更名前小学", [was], [was]), "the closed session names them as they were"
    assert record(planned["id"])[:2] == ("甲原名", "更名前小学"), "so does the cancelled one"
    assert page_names(closed["id"]) == "甲原名 · 更名前小学 · 中小学教师 副高级 高级教师"
    html = page(env, env.prov, f"sessions/{closed['id']}")
    assert f'<td class="member-name">{was}</td>' in html and f"{was}改名" not in html and "甲新名" not in html, html[-3000:]

    # A database written before v39: the sessions that had ended take the names as they are now,
    # and keep them from then on.
    prov_db = env.daemon.tenant_db("province")
    relay_idle(env.daemon, ["province", "zhengzhou"])
    env.daemon.terminate()
    try:
        con = sqlite3.connect(prov_db, timeout=10)
        try:
            wind_back(con, 37)
            con.commit()
        finally:
            con.close()
    finally:
        env.daemon.start()
    assert record(closed["id"]) == ("甲新名", "更名后小学", [f"{was}改名"], [f"{was}改名"])
    assert record(planned["id"])[:2] == ("甲新名", "更名后小学")
    expect(env.prov.patch(f"staff/{expert['account_id']}", {"name": was}), 200)
    assert record(closed["id"]) == ("甲新名", "更名后小学", [f"{was}改名"], [f"{was}改名"])


def test_a_session_is_planned_for_today_or_later(env: Env, committee: dict):
    """A 评审日期 before today (China time) is refused, 400 naming `date`, and plans nothing;
    today is a date, and the form offers no earlier day."""
    _, _, received = senior_application(env, "回民中学", "乙日期")
    sessions = f"committees/{committee['id']}/sessions"
    body = {"place": "省人社厅", "series": SERIES, "panel_size": 3, "applications": [received["id"]]}
    before = expect(env.prov.get("sessions"), 200).json["sessions"]
    expect(env.prov.post(sessions, dict(body, date="2020-01-01")), 400, field="date",
           contains=f"评审日期 2020-01-01 已过（今天是 {china_day()}），请填写今天或以后的日期")
    expect(env.prov.post(sessions, dict(body, date=china_day(-1))), 400, field="date", contains="已过")
    # The form the same way: the page says why and keeps what was typed.
    form = (f"_csrf={quote(env.prov.csrf)}&committee={committee['id']}&series={quote(SERIES)}&panel_size=3&reserves=0"
            f"&applications={received['id']}&date=2020-01-01")
    r = env.prov_api.raw("POST", "/t/province/sessions", body=form.encode(),
                         headers={"Cookie": f"zc_session={env.prov.cookie}", "Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 400 and "评审日期 2020-01-01 已过" in r.body.decode() and 'value="2020-01-01"' in r.body.decode(), r.body.decode()[-1500:]
    assert expect(env.prov.get("sessions"), 200).json["sessions"] == before
    assert f'min="{china_day()}"' in page(env, env.prov, "sessions")
    made = expect(env.prov.post(sessions, dict(body, date=china_day())), 201).json
    assert made["date"] == china_day()
    expect(env.prov.post(f"sessions/{made['id']}/cancel", {"reason": "仅为验证日期"}), 200)


def test_votes_and_the_close_wait_for_the_sessions_date_and_the_interview(env: Env, committee: dict):
    """Before its 评审日期 a drawn session takes no vote and does not close (409, naming the
    date); nor, once the day has come, before the interview of its applicant (409, naming the
    applicant and the time), as a result by hand waits for it. The pages say why in place of
    the vote form and the close button, and each expert's 首页 counts no vote to cast while it
    waits, but says what it waits for. Refused, nothing changes; from then on both are taken."""
    _, _, received = senior_application(env, "回民中学", "丙面试")
    rid = received["id"]
    tomorrow = china_day(1)
    session = expect(env.prov.post(f"committees/{committee['id']}/sessions", {"date": tomorrow, "place": "省人社厅", "series": SERIES,
                                                                             "panel_size": 3, "reserves": 0, "applications": [rid]}), 201).json
    sid = session["id"]
    panel = [m["expert_id"] for m in expect(env.prov.post(f"sessions/{sid}/draw", {"seed": "timing"}), 200).json["experts"]]
    voters = [sign_in_expert(env, e) for e in panel]
    votes = f"sessions/{sid}/votes"
    waiting_day = f"本场评审会的评审日期为 {tomorrow}（今天是 {china_day()}），评审日期到后才能"
    relay_idle(env.daemon, ["province", "zhengzhou"])
    with unchanged(env.daemon, "province", ignore=("sessions",)):
        expect(voters[0].post(votes, {"application_id": rid, "vote": "agree"}), 409, contains=waiting_day + "投票")
        expect(env.prov.post(f"sessions/{sid}/close"), 409, contains=waiting_day + "结束评审")
    seen = expect(voters[0].get(f"sessions/{sid}"), 200).json
    assert seen["may_vote"] and seen["applications"][0]["vote_waits"] == waiting_day + "投票", seen["applications"][0]
    assert expect(env.prov.get(f"sessions/{sid}"), 200).json["close_waits"] == waiting_day + "结束评审"
    html = page(env, voters[0], f"sessions/{sid}")
    assert waiting_day + "投票" in html and 'class="vote-form"' not in html
    html = page(env, env.prov, f"sessions/{sid}")
    assert 'id="close-waits"' in html and waiting_day + "结束评审" in html and 'id="close-submit"' not in html
    # 首页: nothing to vote on yet, and why (the same rule as the vote's, SessionTiming).
    link = f"/t/province/sessions/{sid}"
    name = session["name"]
    for voter in voters:
        assert [t for t in todo(env, voter) if t[0] == link] == [(link, f"评审会“{name}”：1 份申报待评审日期（{tomorrow}）到后投票")], todo(env, voter)

    # The committee's 面试通知 for the applicant, tomorrow 09:30; the session's day has come.
    china = datetime.timezone(datetime.timedelta(hours=8))
    interview = (datetime.datetime.now(china) + datetime.timedelta(days=1)).strftime("%Y-%m-%d 09:30")
    expect(env.prov.put(f"province/applications/{rid}/interview", {"time": interview, "place": "省人社厅301"}), 200)
    session_day_come(env.daemon, sid)
    waiting_interview = f"申报人丙面试（高级教师）的面试时间为 {interview}，尚未面试（现在是 "
    relay_idle(env.daemon, ["province", "zhengzhou"])
    with unchanged(env.daemon, "province", ignore=("sessions",)):
        r = expect(voters[0].post(votes, {"application_id": rid, "vote": "agree"}), 409, contains=waiting_interview)
        assert r.error()["message"].endswith("），面试开始后才能投票"), r.error()
        r = expect(env.prov.post(f"sessions/{sid}/close"), 409, contains=waiting_interview)
        assert r.error()["message"].endswith("），面试开始后才能结束评审"), r.error()
    assert expect(voters[1].get(f"sessions/{sid}"), 200).json["applications"][0]["vote_waits"].startswith(waiting_interview)
    assert expect(env.prov.get(f"sessions/{sid}"), 200).json["close_waits"].startswith(waiting_interview)
    assert waiting_interview in page(env, env.prov, f"sessions/{sid}")
    assert [t for t in todo(env, voters[0]) if t[0] == link] == [(link, f"评审会“{name}”：1 份申报待面试开始后投票")], todo(env, voters[0])

    # The interview held: the votes are taken and the session decides.
    interview_held(env.daemon, "province")
    assert expect(voters[0].get(f"sessions/{sid}"), 200).json["applications"][0].get("vote_waits") is None
    assert [t for t in todo(env, voters[0]) if t[0] == link] == [(link, f"评审会“{name}”：1 份申报待投票")], todo(env, voters[0])
    for voter in voters:
        expect(voter.post(votes, {"application_id": rid, "vote": "agree"}), 200)
    assert not [t for t in todo(env, voters[0]) if t[0] == link], "voted: nothing left to do"
    assert expect(env.prov.get(f"sessions/{sid}"), 200).json.get("close_waits") is None
    assert 'id="close-submit"' in page(env, env.prov, f"sessions/{sid}")
    closed = expect(env.prov.post(f"sessions/{sid}/close"), 200).json
    assert closed["state"] == "closed" and decided(closed) == (3, 0, 0, "通过")


def test_an_experts_home_does_not_offer_a_vote_they_must_recuse_from(env: Env, committee: dict):
    """A vote the expert may not cast at all — a relation declared since the draw names the
    applicant (回避, the rule the vote and the close hold to) — is not counted as waiting on their
    首页: it is said apart; the session's page says why in place of the vote's form, and the vote
    refuses it in the same words, before the session's date too (what bars it for good comes
    before what it waits for). Withdrawn, the vote waits for the date again."""
    _, _, received = senior_application(env, "回民中学", "梁回避")
    name = "回避不计待办评审会"
    tomorrow = china_day(1)
    session = expect(env.prov.post(f"committees/{committee['id']}/sessions",
                                   {"name": name, "date": tomorrow, "series": SERIES, "panel_size": 3, "reserves": 0,
                                    "applications": [received["id"]]}), 201).json
    sid = session["id"]
    panel = [m["expert_id"] for m in expect(env.prov.post(f"sessions/{sid}/draw", {"seed": name}), 200).json["experts"]]
    voter = sign_in_expert(env, panel[0])
    link = f"/t/province/sessions/{sid}"
    waiting_day = f"本场评审会的评审日期为 {tomorrow}（今天是 {china_day()}），评审日期到后才能投票"
    assert [t for t in todo(env, voter) if t[0] == link] == [(link, f"评审会“{name}”：1 份申报待评审日期（{tomorrow}）到后投票")], todo(env, voter)
    before = next(e for e in expect(env.prov.get("experts?limit=500"), 200).json["experts"] if e["id"] == panel[0])["relations"]
    try:
        expect(voter.put(f"experts/{panel[0]}/relations", {"relations": before + ["梁回避"]}), 200)
        try:
            refusal = expect(voter.post(f"sessions/{sid}/votes", {"application_id": received["id"], "vote": "agree"}), 403,
                             field="application_id", contains="须回避").error()["message"]
            assert [t for t in todo(env, voter) if t[0] == link] == [(link, f"评审会“{name}”：1 份申报您须回避或暂不能投票")], todo(env, voter)
            assert expect(voter.get(f"sessions/{sid}"), 200).json["applications"][0]["vote_waits"] == refusal, refusal
            html = page(env, voter, f"sessions/{sid}")
            assert 'class="vote-form"' not in html and f'<p class="vote-waits">{refusal}</p>' in html, html[-2000:]
            # The office's view of the same session is its own: what the votes wait for, no 回避 of its own.
            assert expect(env.prov.get(f"sessions/{sid}"), 200).json["applications"][0]["vote_waits"] == waiting_day
        finally:
            expect(voter.put(f"experts/{panel[0]}/relations", {"relations": before}), 200)
        expect(voter.post(f"sessions/{sid}/votes", {"application_id": received["id"], "vote": "agree"}), 409, contains=waiting_day)
        assert expect(voter.get(f"sessions/{sid}"), 200).json["applications"][0]["vote_waits"] == waiting_day
        session_day_come(env.daemon, sid)
        assert expect(voter.get(f"sessions/{sid}"), 200).json["applications"][0].get("vote_waits") is None
        assert 'class="vote-form"' in page(env, voter, f"sessions/{sid}")
    finally:
        expect(env.prov.post(f"sessions/{sid}/cancel", {"reason": "测试结束"}), 200)
    assert not [t for t in todo(env, voter) if t[0] == link], "a cancelled session asks nothing"


def expert_draft(person, specialty: str = "小学数学") -> dict:
    """An expert recommendation filled in and not yet submitted."""
    app = expect(person.post("applications", {"kind": "expert", "year": 2026, "series": SERIES, "level": "副高级",
                                              "title": "高级教师", "specialty": specialty}), 201).json
    expect(person.put(f"applications/{app['id']}/sections/{quote('基本信息')}", {"姓名": "专家", "职称": "高级教师"}), 200)
    expect(person.put(f"applications/{app['id']}/sections/{quote('工作经历')}", {"从业年限": "15", "经历": "长期从事教学"}), 200)
    return app


def province_copy(env: Env, source_id: int) -> dict:
    return wait_until(lambda: next((a for a in expect(env.prov.get("expert-applications"), 200).json["applications"]
                                    if a["source_application_id"] == source_id and a["source_tenant"] == "zhengzhou"), None),
                      10, f"expert application {source_id} to reach the province")


QUEUE_FIELDS = ["id", "applicant_name", "unit_name", "series", "level", "title", "step", "step_label", "submissions", "version", "in_expert_library"]


def api_queue(reviewer) -> dict:
    """`GET reviews/queue`'s rows (every field, in order) as `{id: in_expert_library}`."""
    rows = expect(reviewer.get("reviews/queue?limit=200"), 200).json["applications"]
    assert all(list(r) == QUEUE_FIELDS for r in rows), rows
    return {r["id"]: r["in_expert_library"] for r in rows}


def queue_mark(env: Env, reviewer, app_id: int) -> bool:
    """Whether the reviewer's 经办人审查 screen marks the application （已在专家库中）."""
    row = next(r for r in re.findall(r"<tr>(.*?)</tr>", page(env, reviewer, "reviews"), re.S) if f"reviews/{app_id}\"" in r)
    return "（已在专家库中）" in row


def test_someone_in_the_expert_database_is_not_recommended_again(env: Env):
    """A person with two recommendations on their way and a third in draft: once the first puts
    them in the 专家信息库, a new one is refused at creation and the draft at submission (409);
    the second, already on its way, is marked 已在专家库中 in the unit's queue and page and in the
    province's, and its 通过 is still refused at the province 负责人's step."""
    person = applicant(env, "逸夫小学", "丁推荐")
    first, second, third = expert_draft(person), expert_draft(person, "小学科学"), expert_draft(person, "小学英语")
    for app in (first, second):
        assert expect(person.post(f"applications/{app['id']}/submit"), 200).json["state"] == "in_review"
    unit_handler = env.city_reviewers["逸夫小学"][0]
    assert expect(unit_handler.get(f"applications/{second['id']}"), 200).json["in_expert_library"] is False
    assert api_queue(unit_handler)[second["id"]] is False

    # The first goes all the way: the unit, the 主管单位, the province's handler and leader.
    city_pass(env, first["id"], ["逸夫小学", "管城区教育局"])
    copy = province_copy(env, first["id"])
    expect(env.prov_h.post(f"expert-applications/{copy['id']}/decision", {"decision": "pass", "comment": "符合条件", "version": copy["version"]}), 200)
    copy = expect(env.prov_l.get(f"expert-applications/{copy['id']}"), 200).json
    admitted = expect(env.prov_l.post(f"expert-applications/{copy['id']}/decision", {"decision": "pass", "version": copy["version"]}), 200).json
    number = admitted["expert"]["id_number"]
    refusal = f"身份证号 {number} 的人员已在专家库中"

    # No new recommendation, no submission of the draft.
    relay_idle(env.daemon, ["province", "zhengzhou"])
    with unchanged(env.daemon, "zhengzhou", ignore=("sessions",)):
        expect(person.post("applications", {"kind": "expert", "year": 2026, "series": SERIES, "level": "副高级", "title": "高级教师",
                                            "specialty": "初中数学"}), 409, contains=refusal)
        expect(person.post(f"applications/{third['id']}/submit"), 409, contains=refusal)
    assert expect(person.get(f"applications/{third['id']}"), 200).json["state"] == "draft"
    # A title application is no recommendation: the person may still apply for a title.
    expect(person.post("applications", {"kind": "title", "year": 2026, "series": SERIES, "level": "副高级", "title": "高级教师"}), 201)

    # The second, on its way: each level is told before it acts, on the API's queue too.
    assert expect(unit_handler.get(f"applications/{second['id']}"), 200).json["in_expert_library"] is True
    flags = api_queue(unit_handler)
    assert flags[second["id"]] is True and not [i for i, held in flags.items() if held and i != second["id"]], flags
    queue = page(env, unit_handler, "reviews")
    row = next(r for r in re.findall(r"<tr>(.*?)</tr>", queue, re.S) if f"reviews/{second['id']}\"" in r)
    assert "（已在专家库中）" in row, row
    review = page(env, unit_handler, f"reviews/{second['id']}")
    assert 'id="in-library"' in review and "丁推荐已在专家库中" in review
    city_pass(env, second["id"], ["逸夫小学", "管城区教育局"])
    copy = province_copy(env, second["id"])
    assert copy["in_expert_library"] is True and copy["state"] == "received", copy
    listed = {a["id"]: a["in_expert_library"] for a in expect(env.prov.get("expert-applications"), 200).json["applications"]
              if a["applicant_name"] == "丁推荐"}
    assert listed == {copy["id"]: True, province_copy(env, first["id"])["id"]: False}, listed
    province_list = page(env, env.prov_h, "expert-reviews")
    row = re.search(rf'<tr data-id="{copy["id"]}">(.*?)</tr>', province_list, re.S).group(1)
    assert "（已在专家库中）" in row, row
    assert 'id="in-library"' in page(env, env.prov_h, f"expert-reviews/{copy['id']}")
    expect(env.prov_h.post(f"expert-applications/{copy['id']}/decision", {"decision": "pass", "version": copy["version"]}), 200)
    copy = expect(env.prov_l.get(f"expert-applications/{copy['id']}"), 200).json
    expect(env.prov_l.post(f"expert-applications/{copy['id']}/decision", {"decision": "pass", "version": copy["version"]}), 409, contains=refusal)
    done = expect(env.prov_l.post(f"expert-applications/{copy['id']}/decision", {"decision": "reject", "comment": "已在专家库中", "version": copy["version"]}),
                  200).json
    assert done["application"]["state"] == "rejected" and done["application"]["in_expert_library"] is False


def admitted_by_the_province(env: Env, app: dict) -> dict:
    """`app`, in review at its unit, passed by the unit, the 主管单位 and the province office's
    经办人 and 负责人: the 负责人's answer (the application, the expert, the one-time password)."""
    city_pass(env, app["id"], ["回民中学", "管城区教育局"])
    copy = province_copy(env, app["id"])
    expect(env.prov_h.post(f"expert-applications/{copy['id']}/decision", {"decision": "pass", "comment": "符合条件", "version": copy["version"]}), 200)
    copy = expect(env.prov_l.get(f"expert-applications/{copy['id']}"), 200).json
    return expect(env.prov_l.post(f"expert-applications/{copy['id']}/decision", {"decision": "pass", "comment": "同意入库", "version": copy["version"]}), 200).json


def test_a_retired_expert_may_be_recommended_and_admitted_again(env: Env):
    """An expert who retired (退出, for good) has left the 专家信息库: a recommendation of them is
    taken again, and one already on its way is no longer marked 已在专家库中 (the API's queue,
    the application, the screens, the province); passed by every level, it admits them again,
    into the entry they had, active, signing in to the account they had with a new one-time
    password. One suspended (暂停, a pause) is still in it: refused and marked. Either way the
    province's list and page of the admitted recommendation say 已入库（专家信息库）, and its JSON
    state stays `passed`."""
    person = applicant(env, "回民中学", "戊退出")
    unit_handler = env.city_reviewers["回民中学"][0]
    first, pending = expert_draft(person, "小学书法"), expert_draft(person, "小学美术")
    for app in (first, pending):
        assert expect(person.post(f"applications/{app['id']}/submit"), 200).json["state"] == "in_review"
    out = admitted_by_the_province(env, first)
    expert, number = out["expert"], out["expert"]["id_number"]
    env.prov_api.first_login(number, out["one_time_password"])
    refusal = f"身份证号 {number} 的人员已在专家库中"
    new = {"kind": "expert", "year": 2026, "series": SERIES, "level": "副高级", "title": "高级教师", "specialty": "小学音乐"}

    # In it (active, then suspended): refused, and the one on its way is marked everywhere.
    for state in ("active", "suspended"):
        if state == "suspended":
            expect(env.prov.post(f"experts/{expert['id']}/state", {"state": "suspended", "reason": "年度考核未完成"}), 200)
        expect(person.post("applications", new), 409, contains=refusal)
        assert api_queue(unit_handler)[pending["id"]] is True, state
        assert expect(unit_handler.get(f"applications/{pending['id']}"), 200).json["in_expert_library"] is True
        assert queue_mark(env, unit_handler, pending["id"]), state

    # Retired: out of it. Nothing is marked; a new recommendation is taken (and withdrawn here).
    expect(env.prov.post(f"experts/{expert['id']}/state", {"state": "retired", "reason": "本人申请退出"}), 200)
    assert api_queue(unit_handler)[pending["id"]] is False
    assert expect(unit_handler.get(f"applications/{pending['id']}"), 200).json["in_expert_library"] is False
    assert not queue_mark(env, unit_handler, pending["id"])
    taken = expect(person.post("applications", new), 201).json
    assert expect(person.post(f"applications/{taken['id']}/withdraw"), 200).json["state"] == "withdrawn"

    # The one on its way goes all the way: admitted again, into the entry they had.
    city_pass(env, pending["id"], ["回民中学", "管城区教育局"])
    copy = province_copy(env, pending["id"])
    assert copy["in_expert_library"] is False, copy
    row = re.search(rf'<tr data-id="{copy["id"]}">(.*?)</tr>', page(env, env.prov_h, "expert-reviews"), re.S).group(1)
    assert "（已在专家库中）" not in row, row
    expect(env.prov_h.post(f"expert-applications/{copy['id']}/decision", {"decision": "pass", "comment": "符合条件", "version": copy["version"]}), 200)
    copy = expect(env.prov_l.get(f"expert-applications/{copy['id']}"), 200).json
    again = expect(env.prov_l.post(f"expert-applications/{copy['id']}/decision", {"decision": "pass", "comment": "同意再次入库", "version": copy["version"]}),
                   200).json
    assert (again["expert"]["id"], again["expert"]["state"], again["expert"]["specialty"]) == (expert["id"], "active", "小学美术"), again["expert"]
    assert again["expert"]["account_id"] == expert["account_id"] and again["one_time_password"], again
    expect(env.prov_api.sign_in_raw(number, NEW_PASSWORD), 401)   # the password they had is void
    me = env.prov_api.first_login(number, again["one_time_password"], new_password="Zhicheng2025")
    assert expect(me.get("experts/me"), 200).json["id"] == expert["id"]
    listed = [e for e in expect(env.prov.get("experts?state=active"), 200).json["experts"] if e["id_number"] == number]
    assert [(e["id"], e["specialty"]) for e in listed] == [(expert["id"], "小学美术")], listed
    assert db_rows(env.daemon.tenant_db("province"), "SELECT count(*) FROM experts WHERE id_number = ?", number) == [(1,)]

    # The province's own row says where it ended, as the city does; its state stays `passed`.
    admitted = "已入库（专家信息库）"
    shown = expect(env.prov.get(f"expert-applications/{copy['id']}"), 200).json
    assert (shown["state"], shown["stage_label"]) == ("passed", admitted), shown
    assert [(a["state"], a["stage_label"]) for a in expect(env.prov.get("expert-applications"), 200).json["applications"] if a["id"] == copy["id"]] == \
        [("passed", admitted)]
    row = re.search(rf'<tr data-id="{copy["id"]}">(.*?)</tr>', page(env, env.prov, "expert-reviews"), re.S).group(1)
    assert admitted in row and "通过" not in re.sub(r"<[^>]+>", "", row), row
    assert f'<td id="expert-stage">{admitted}</td>' in page(env, env.prov, f"expert-reviews/{copy['id']}")
    wait_until(lambda: expect(person.get(f"applications/{pending['id']}"), 200).json["state_label"] == admitted, 10, "the city to learn it")

    # In it again: refused again. It leaves again, so that no later draw of this module puts it on a panel.
    expect(person.post("applications", new), 409, contains=refusal)
    expect(env.prov.post(f"experts/{expert['id']}/state", {"state": "retired", "reason": "测试结束"}), 200)
