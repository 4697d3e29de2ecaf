"""Who may read an application, its trail, attachments and 评审表 while it climbs the review
chain, and what a reviewer may do with it: staff without a review role, the levels above an
application that was returned and resubmitted, the 评审表 of a draft or of an application that
has not reached the caller's org yet, reviewer names on the applicant's 评审表, each opinion under
the org's name, seal and reviewer's name it was given under, returns naming
sections the reviewer may not see, one title application per applicant and year, the
province's list of received applications, and a unit moved in the org tree (its status rows).

Reuses the module-scoped world of test_api_review.py (郑州市 → 管城区教育局 → 逸夫小学 with
reviewers at each level); importing its `env` fixture gives this module a daemon of its own.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from urllib.parse import quote

import pytest

from api_support import Api, Resp, approve_unit, approved_plan, clone_rows, create_child, db_rows, expect, fresh_id_number, png_bytes, unchanged
from api_support import add_reviewer as add_series_reviewer
from conftest import create_tenant
from test_api_review import (  # noqa: F401 - `env` is a fixture used by name
    ALL_SECTIONS,
    SERIES,
    TENANT,
    Env,
    add_reviewer,
    decide,
    env,
    filled_application,
    new_applicant,
    queue_ids,
)

SECTION_TEXTS = [f"{s}的内容" for s in ALL_SECTIONS[:-1]]  # what filled_application writes


def submitted(env: Env, level: str = "中级", title: str = "一级教师"):
    """A new applicant of the school with a filled application, submitted (in review at the school)."""
    applicant = new_applicant(env)
    app = filled_application(applicant, level=level, title=title)
    shown = expect(applicant.post(f"applications/{app['id']}/submit"), 200).json
    assert shown["state"] == "in_review" and shown["current_org_id"] == env.school_id, shown
    return applicant, app


def passed_by_school(env: Env, level: str = "中级", title: str = "一级教师"):
    """A submitted application passed by the school's handler and leader (now at the department)."""
    applicant, app = submitted(env, level, title)
    decide(env.reviewers["school.h"], app["id"])
    at_dept = decide(env.reviewers["school.l"], app["id"])
    assert at_dept["current_org_id"] == env.dept_id and at_dept["step"] == "handler", at_dept
    return applicant, app


def ui_get(env: Env, path: str, cookie: str) -> Resp:
    """A web UI page fetched with a session cookie (as a browser would)."""
    return env.api.raw("GET", f"/t/{TENANT}/{path}", headers={"Cookie": f"zc_session={cookie}"})


def state_of(reader, app_id: int) -> tuple:
    shown = expect(reader.get(f"applications/{app_id}"), 200).json
    return shown["state"], shown["current_org_id"], shown["step"], shown["version"]


def test_staff_without_a_review_role_cannot_read_applications(env: Env) -> None:
    """Reading an application under review is for its applicant, the org admins it has reached and
    the reviewers (handler / leader) of those orgs: a staff account of the school with no role,
    even with series and section permissions, sees none of it, through the API or the web UI."""
    nobody = add_reviewer(env.school, env.school_id, "school.norole", [])
    assert nobody.account.get("roles", []) == [], nobody.account
    _, app = submitted(env)
    assert app["id"] in queue_ids(env.reviewers["school.h"]), "the application waits at the school"

    for path in ("", "/trail", "/attachments", "/review-form"):
        expect(nobody.get(f"applications/{app['id']}{path}"), 404)
    expect(nobody.get("reviews/queue"), 403)

    assert nobody.cookie, "the sign-in sets the session cookie"
    page = ui_get(env, f"reviews/{app['id']}", nobody.cookie)
    text = page.body.decode("utf-8", "replace")
    shown = [t for t in SECTION_TEXTS if t in text]
    assert page.status == 404 or not shown, f"the review page shows sections {shown} (status {page.status})"


def test_a_reviewer_of_another_series_neither_reads_nor_queues_nor_decides(env: Env) -> None:
    """Review permissions are by series: a staff account of the school with both review roles but
    only 会计人员 does not read a 中小学教师 application waiting at its own org's 经办人 step (404,
    as for one it may not know of), does not find it in its queue (at any step), and its decision
    on it is refused (404) and changes nothing. A handler of the series, at the same org, has it."""
    other = add_series_reviewer(env.school, env.school_id, "school.acct", ["handler", "leader"], series=["会计人员"])
    _, app = submitted(env)
    assert app["id"] in queue_ids(env.reviewers["school.h"]), "the application waits at the school's 经办人 step"
    version = expect(env.reviewers["school.h"].get(f"applications/{app['id']}"), 200).json["version"]

    for path in ("", "/trail"):
        got = other.get(f"applications/{app['id']}{path}")
        assert got.status == 404, f"a reviewer of another series reads applications/{app['id']}{path}: {got!r}"
    for query in ("", "?stage=handler", "?stage=leader", "?limit=200"):
        listed = [a["id"] for a in expect(other.get(f"reviews/queue{query}"), 200).json["applications"]]
        assert app["id"] not in listed, f"the queue{query} of a reviewer of another series lists the application: {listed}"

    with unchanged(env.daemon, TENANT):
        for body in ({"decision": "pass", "comment": "同意", "version": version}, {"decision": "pass", "comment": "同意", "step": "handler"},
                     {"decision": "reject", "comment": "不同意", "version": version}):
            got = other.post(f"applications/{app['id']}/decision", body)
            assert got.status == 404, f"a reviewer of another series decided ({body}): {got!r}"
            expect(got, 404)
    assert state_of(env.reviewers["school.h"], app["id"]) == ("in_review", env.school_id, "handler", version)


def test_upper_levels_see_a_resubmission_only_after_the_level_below_passes_it(env: Env) -> None:
    """The next level sees nothing until the level below has passed: an application returned by the
    department and resubmitted starts again at the school, and the department (its reviewers and
    its admin) cannot read it until the school has passed the new submission."""
    r = env.reviewers
    applicant, app = passed_by_school(env)
    decide(r["dept.h"], app["id"])
    returned = decide(r["dept.l"], app["id"], "return", sections=["基本信息"], reason="incomplete", comment="x")
    assert returned["state"] == "returned", returned

    expect(applicant.put(f"applications/{app['id']}/sections/{quote('基本信息')}", {"内容": "新内容"}), 200)
    expect(applicant.put(f"applications/{app['id']}/sections/{quote('论文著作')}", {"内容": "新论文"}), 200)
    again = expect(applicant.post(f"applications/{app['id']}/submit"), 200).json
    assert (again["state"], again["current_org_id"], again["step"]) == ("in_review", env.school_id, "handler"), again

    for who, reader in (("dept.h", r["dept.h"]), ("dept.l", r["dept.l"]), ("dept admin", env.dept)):
        for path in ("", "/trail"):
            got = reader.get(f"applications/{app['id']}{path}")
            assert got.status == 404, f"{who} reads applications/{app['id']}{path} of a resubmission still at the school: {got!r}"

    decide(r["school.h"], app["id"])
    decide(r["school.l"], app["id"])
    seen = expect(r["dept.h"].get(f"applications/{app['id']}"), 200).json
    assert (seen["current_org_id"], seen["step"]) == (env.dept_id, "handler"), seen
    assert seen["sections"]["基本信息"] == {"内容": "新内容"}, seen["sections"]
    # What changed, and what it said before, within each reviewer's content permissions: the
    # department leader (基本信息 and 业绩成果 only) learns nothing of 论文著作.
    assert seen["changed_sections"] == ["基本信息", "论文著作"], seen
    assert seen["previous_sections"] == {"基本信息": {"内容": "基本信息的内容"}, "论文著作": {"内容": "论文著作的内容"}}, seen
    decide(r["dept.h"], app["id"])
    limited = expect(r["dept.l"].get(f"applications/{app['id']}"), 200).json
    assert limited["changed_sections"] == ["基本信息"] and limited["previous_sections"] == {"基本信息": {"内容": "基本信息的内容"}}, limited


def test_review_form_follows_the_same_visibility_as_the_application(env: Env) -> None:
    """The 评审表 of an application is readable by exactly those who may read the application: not
    by the levels above before the school has passed it, and not at all while it is a draft;
    a draft is not in the school's 申报人员状态查询 either."""
    _, app = submitted(env)
    expect(env.city.get(f"applications/{app['id']}"), 404)  # the application itself is hidden from them
    expect(env.dept.get(f"applications/{app['id']}"), 404)
    for who, reader in (("city admin", env.city), ("dept admin", env.dept)):
        got = reader.get(f"applications/{app['id']}/review-form")
        assert got.status == 404, f"the {who} reads the 评审表 of an application still at the school: {got!r}"
    form = expect(env.school.get(f"applications/{app['id']}/review-form"), 200)
    assert "text/html" in form.headers.get("content-type", ""), form.headers

    draft = filled_application(new_applicant(env))
    expect(env.school.get(f"applications/{draft['id']}"), 404)
    got = env.school.get(f"applications/{draft['id']}/review-form")
    assert got.status == 404, f"the school admin reads the 评审表 of a draft: {got!r}"

    rows = expect(env.school.get(f"orgs/{env.school_id}/applicant-status"), 200).json["rows"]
    ids = [row["application_id"] for row in rows]
    assert app["id"] in ids, ids
    assert draft["id"] not in ids, f"the draft {draft['id']} is listed in 申报人员状态查询: {ids}"

    # The status rows say who may open the 评审表 (the screen links it only then): the offices
    # above see the school's row before the school has passed it up, but not its 评审表.
    def printable(reader) -> bool:
        rows = expect(reader.get(f"orgs/{env.school_id}/applicant-status"), 200).json["rows"]
        return next(row for row in rows if row["application_id"] == app["id"])["printable"]
    assert printable(env.school) is True
    assert printable(env.dept) is False and printable(env.city) is False


def test_an_office_follows_every_unit_below_it_in_one_list(env: Env) -> None:
    """申报人员状态查询 with `below=true`: a department or office lists the applications of every
    unit below it, each row naming its unit, a page at a time; `applicant` finds one by name or
    ID-card number. Bad parameters are 400; a unit cannot look above itself."""
    applicant, app = submitted(env)

    def ids(reader, query: str, org: int) -> list[int]:
        return [r["application_id"] for r in expect(reader.get(f"orgs/{org}/applicant-status{query}"), 200).json["rows"]]

    assert app["id"] not in ids(env.dept, "", env.dept_id), "without below, the department's own applicants only"
    for reader, org in ((env.dept, env.dept_id), (env.city, 1)):
        rows = expect(reader.get(f"orgs/{org}/applicant-status?below=true"), 200).json["rows"]
        [row] = [r for r in rows if r["application_id"] == app["id"]]
        assert (row["unit_name"], row["applicant_name"], row["printable"]) == ("逸夫小学", "赵老师", False), row
        assert [r["application_id"] for r in rows] == sorted((r["application_id"] for r in rows), reverse=True), "newest first"
    login = applicant.account["login"]
    assert ids(env.city, f"?below=true&applicant={login}", 1) == [app["id"]]
    assert ids(env.city, f"?below=true&applicant={quote(login[:6] + ' ' + login[6:].lower())}", 1) == [app["id"]], "typed in groups, a lower-case x"
    assert app["id"] in ids(env.city, f"?below=true&applicant={quote('赵')}", 1)
    assert ids(env.city, f"?below=true&applicant={quote('%')}", 1) == [], "what is typed is taken literally"
    # Pages: `limit`, then `before` the last id shown.
    everything = ids(env.city, "?below=true&limit=500", 1)
    assert len(everything) >= 2 and ids(env.city, "?below=true&limit=1", 1) == everything[:1]
    assert ids(env.city, f"?below=true&limit=1&before={everything[0]}", 1) == everything[1:2]
    for query, field in (("?below=maybe", "below"), ("?below=true&limit=x", "limit"), ("?below=true&before=x", "before"),
                         (f"?below=true&applicant={quote('赵' * 41)}", "applicant")):
        expect(env.city.get(f"orgs/1/applicant-status{query}"), 400, field=field)
    expect(env.school.get(f"orgs/{env.dept_id}/applicant-status?below=true"), (403, 404))

    # The screen: 含下级单位, the 单位 column, the applicant search.
    page = ui_get(env, f"status?below=1&applicant={login}", env.city.cookie).body.decode()
    assert 'id="status-below" checked' in page and f'data-application="{app["id"]}"' in page and "<td>逸夫小学</td>" in page, page[-3000:]
    assert page.count("data-application=") == 1, page[-3000:]


def test_status_rows_say_whose_review_form_opens(env: Env) -> None:
    """Once the school passes the application up, the department's status row links its
    评审表 (and the form opens); the city's still does not until it reaches the city."""
    applicant, app = passed_by_school(env)
    def row(reader) -> dict:
        rows = expect(reader.get(f"orgs/{env.school_id}/applicant-status"), 200).json["rows"]
        return next(r for r in rows if r["application_id"] == app["id"])
    assert row(env.dept)["printable"] is True
    # The ID number: whole for the school's admin (who registered the person, and sees it whole
    # on its 申报人员状态查询), masked for the department's (above the unit, as its status query shows it).
    number = applicant.account["login"]
    assert f"<td>{number}</td>" in expect(env.school.get(f"applications/{app['id']}/review-form"), 200).body.decode()
    dept_form = expect(env.dept.get(f"applications/{app['id']}/review-form"), 200).body.decode()
    assert f"<td>{number[:6]}********{number[-4:]}</td>" in dept_form and number not in dept_form, dept_form[:3000]
    assert row(env.city)["printable"] is False
    expect(env.city.get(f"applications/{app['id']}/review-form"), 404)
    # The screen: a link where the form opens, a note where it does not.
    page = expect(ui_get(env, f"status?org={env.school_id}", env.city.cookie), 200).body.decode("utf-8")
    assert "尚未报送本级" in page and f"applications/{app['id']}/review-form" not in page, page[-3000:]
    page = expect(ui_get(env, f"status?org={env.school_id}", env.dept.cookie), 200).body.decode("utf-8")
    assert f"applications/{app['id']}/review-form" in page, page[-3000:]
    # Beside it, 审查记录: the whole trail (the 评审表 has the latest submission's opinions only),
    # read-only for an admin, who is told why there is no decision form.
    assert f'<a class="status-trail" href="/t/{TENANT}/reviews/{app["id"]}">审查记录' in page, page[-3000:]
    trail = expect(ui_get(env, f"reviews/{app['id']}", env.dept.cookie), 200).body.decode("utf-8")
    assert "机构管理员只能查看申报和审查记录" in trail and 'name="decision"' not in trail, trail[-3000:]
    assert trail.count("<td>逸夫小学</td>") >= 2, trail[-3000:]   # the school's two steps in the trail


def test_applicant_review_form_hides_reviewer_names_by_default(env: Env) -> None:
    """Reviewer names are hidden from applicants (unless configured otherwise): the applicant's own
    评审表 has every opinion but no reviewer's name; the school admin's shows them."""
    applicant, app = passed_by_school(env)
    admin_form = expect(env.school.get(f"applications/{app['id']}/review-form"), 200).body.decode("utf-8")
    assert "school.h" in admin_form and "school.l" in admin_form, admin_form[:2000]

    mine = expect(applicant.get(f"applications/{app['id']}/review-form"), 200)
    assert "text/html" in mine.headers.get("content-type", ""), mine.headers
    html = mine.body.decode("utf-8")
    assert "逸夫小学" in html, html[:2000]
    named = [n for n in ("school.h", "school.l") if n in html]
    assert named == [], f"the applicant's 评审表 names the reviewers {named}"


def test_a_return_may_name_only_sections_the_reviewer_may_see(env: Env) -> None:
    """A return names sections the reviewer may see: the department leader limited to 基本信息 and
    业绩成果 cannot return 论文著作 (400, field `sections`, nothing changes) but can return 业绩成果."""
    r = env.reviewers
    _, app = passed_by_school(env)
    decide(r["dept.h"], app["id"])
    seen = expect(r["dept.l"].get(f"applications/{app['id']}"), 200).json
    assert "论文著作" in seen["hidden_sections"] and "论文著作" not in seen["sections"], seen
    before = state_of(r["dept.l"], app["id"])
    assert before[:3] == ("in_review", env.dept_id, "leader"), before

    refused = r["dept.l"].post(f"applications/{app['id']}/decision", {
        "decision": "return", "sections": ["论文著作"], "reason": "incomplete", "comment": "x", "version": before[3]})
    expect(refused, 400, field="sections")
    assert state_of(r["dept.l"], app["id"]) == before, "a refused return changed the application"

    ok = expect(r["dept.l"].post(f"applications/{app['id']}/decision", {
        "decision": "return", "sections": ["业绩成果"], "reason": "incomplete", "comment": "x", "version": before[3]}), 200).json
    assert ok["state"] == "returned", ok


def test_one_title_application_per_applicant_per_year(env: Env) -> None:
    """An applicant may have one title application per year in review: a second one of the same
    year is refused at submission (409, 每人每年…) and stays a draft, until the first is withdrawn."""
    applicant = new_applicant(env)
    first = filled_application(applicant, level="中级", title="一级教师")
    second = filled_application(applicant, level="副高级", title="高级教师")
    assert expect(applicant.post(f"applications/{first['id']}/submit"), 200).json["state"] == "in_review"

    expect(applicant.post(f"applications/{second['id']}/submit"), 409, contains="每人每年")
    assert expect(applicant.get(f"applications/{second['id']}"), 200).json["state"] == "draft"

    assert expect(applicant.post(f"applications/{first['id']}/withdraw"), 200).json["state"] == "withdrawn"
    assert expect(applicant.post(f"applications/{second['id']}/submit"), 200).json["state"] == "in_review"


def test_only_the_province_office_admin_reads_received_applications(env: Env) -> None:
    """The applications the province received from the cities are read by the province office's
    admin only: a staff account of the office with no role gets 403."""
    info = create_tenant(env.daemon, "province", "41", "河南省", kind="province")
    papi = Api(env.daemon.http_port, "province")
    office = papi.first_login(info["admin_login"], info["admin_password"])
    root = office.org_id
    assert expect(office.get("province/applications"), 200).json["applications"] == []

    created = expect(office.post(f"orgs/{root}/staff", {"login": "prov.norole", "name": "prov.norole"}), 201).json
    expect(office.post(f"staff/{created['account']['id']}/enable"), 200)
    staff = papi.first_login("prov.norole", created["password"])
    assert staff.org_id == root and staff.account.get("roles", []) == [], staff.account

    expect(staff.get("province/applications"), 403)


def test_a_unit_moves_only_without_applications_under_way_and_drafts_take_the_new_route(env: Env) -> None:
    """An application under way keeps the route it was submitted on, so its unit cannot move in
    the org tree meanwhile (409, nothing changes); once none is, the move goes through, and a
    draft begun before the move climbs the new route when it is submitted."""
    unit_org, unit_admin = create_child(env.dept, env.dept_id, "二七小学", "unit")
    unit = approve_unit(env.api, env.dept, unit_org["id"], unit_admin["login"], unit_admin["password"])
    other_org, other_admin = create_child(env.city, 1, "金水区教育局", "department")
    approve_unit(env.api, env.city, other_org["id"], other_admin["login"], other_admin["password"])
    handler = add_reviewer(unit, unit_org["id"], "erqi.h", ["handler"])
    leader = add_reviewer(unit, unit_org["id"], "erqi.l", ["leader"])
    approved_plan(unit, env.city, unit_org["id"], [{"series": SERIES, "level": "中级", "count": 5}])

    def applicant_of_the_unit():
        r = expect(unit.post(f"orgs/{unit_org['id']}/applicants", {"id_number": fresh_id_number(), "name": "孙老师"}), 201).json
        return env.api.first_login(r["account"]["login"], r["password"])

    under_way, early = applicant_of_the_unit(), applicant_of_the_unit()
    app = filled_application(under_way)
    expect(under_way.post(f"applications/{app['id']}/submit"), 200)
    draft = filled_application(early)

    expect(env.city.patch(f"orgs/{unit_org['id']}", {"parent_id": other_org["id"]}), 409, contains="正在审查")
    assert expect(env.city.get(f"orgs/{unit_org['id']}"), 200).json["parent_id"] == env.dept_id

    expect(under_way.post(f"applications/{app['id']}/withdraw"), 200)
    moved = expect(env.city.patch(f"orgs/{unit_org['id']}", {"parent_id": other_org["id"]}), 200).json
    assert moved["parent_id"] == other_org["id"], moved

    expect(early.post(f"applications/{draft['id']}/submit"), 200)
    decide(handler, draft["id"])
    after_unit = decide(leader, draft["id"])
    assert after_unit["current_org_id"] == other_org["id"], f"the draft kept the route of before the move: {after_unit}"


def test_the_status_of_a_unit_moved_after_submitting_says_its_application_goes_through_the_old_parent(env: Env) -> None:
    """申报人员状态查询 says where an application is. One on its way up reads 尚未报送本级 to an org of
    its route it has not reached yet; but a unit moved under another 主管单位 after submitting keeps
    the route it was submitted on, so its new parent's row does not say 尚未报送本级 (it would wait
    for what never comes): it names the parent the unit had then and that it does not pass this
    level, in the API and on the screen. The city office, on the route, prints its 评审表 as before."""
    unit_org, unit_admin = create_child(env.dept, env.dept_id, "陇海小学", "unit")
    unit = approve_unit(env.api, env.dept, unit_org["id"], unit_admin["login"], unit_admin["password"])
    handler = add_reviewer(unit, unit_org["id"], "longhai.h", ["handler"])
    leader = add_reviewer(unit, unit_org["id"], "longhai.l", ["leader"])
    approved_plan(unit, env.city, unit_org["id"], [{"series": SERIES, "level": "中级", "count": 5}])
    r = expect(unit.post(f"orgs/{unit_org['id']}/applicants", {"id_number": fresh_id_number(), "name": "陶老师"}), 201).json
    applicant = env.api.first_login(r["account"]["login"], r["password"])
    app = filled_application(applicant)
    expect(applicant.post(f"applications/{app['id']}/submit"), 200)

    def row(reader, org_id: int) -> dict:
        rows = expect(reader.get(f"orgs/{org_id}/applicant-status"), 200).json["rows"]
        return next(r for r in rows if r["application_id"] == app["id"])

    decide(handler, app["id"])
    decide(leader, app["id"])
    at_dept = row(env.city, unit_org["id"])
    assert (at_dept["printable"], at_dept.get("form_note")) == (False, "尚未报送本级"), at_dept
    for who in ("dept.h", "dept.l", "city.h", "city.l"):
        decide(env.reviewers[who], app["id"])
    assert expect(applicant.get(f"applications/{app['id']}"), 200).json["state"] == "at_committee"

    # At the city's committee nothing of the unit is under review in the chain: it may move.
    new_org, new_admin = create_child(env.city, 1, "中原区教育局", "department")
    new_dept = approve_unit(env.api, env.city, new_org["id"], new_admin["login"], new_admin["password"])
    assert expect(env.city.patch(f"orgs/{unit_org['id']}", {"parent_id": new_org["id"]}), 200).json["parent_id"] == new_org["id"]

    moved = row(new_dept, unit_org["id"])
    assert (moved["printable"], moved["form_note"], moved["stage"]) == (False, "报送时隶属管城区教育局，不经本级审查", "待评委会评审"), moved
    expect(new_dept.get(f"applications/{app['id']}/review-form"), 404)
    page = expect(ui_get(env, f"status?org={unit_org['id']}", new_dept.cookie), 200).body.decode("utf-8")
    mine = re.search(rf'<tr data-application="{app["id"]}">.*?</tr>', page, re.S)
    assert mine and "报送时隶属管城区教育局，不经本级审查" in mine.group(0) and "尚未报送本级" not in mine.group(0), page[-3000:]
    # The city office is on its route: it prints the 评审表, with no note.
    at_city = row(env.city, unit_org["id"])
    assert at_city["printable"] is True and "form_note" not in at_city, at_city


def test_a_section_saved_through_the_api_keeps_its_fields_when_saved_in_the_ui(env: Env) -> None:
    """A section the API saved as named fields shows each field as an input of its own in the
    applicant's page, and saving it there keeps them (no flattening into one 内容 text)."""
    applicant = new_applicant(env)
    app = filled_application(applicant)
    section = quote("基本信息")
    expect(applicant.put(f"applications/{app['id']}/sections/{section}", {"姓名": "张三", "性别": "男"}), 200)
    cookie = {"Cookie": f"zc_session={applicant.cookie}"}
    page = env.api.raw("GET", f"/t/{TENANT}/applications/{app['id']}", headers=cookie).body.decode()
    assert 'name="field:基本信息:姓名" value="张三"' in page, page[:3000]
    # 性别 is one of 基本信息's standard fields: a list of its choices, 男 chosen.
    assert re.search(r'<select name="field:基本信息:性别"><option value="">请选择</option><option value="男" selected>', page), page[:3000]

    form = (f"_csrf={quote(applicant.csrf)}&then=save&{quote('content:基本信息')}=&{quote('field:基本信息:姓名')}={quote('张三')}"
            f"&{quote('field:基本信息:性别')}={quote('女')}")
    r = env.api.raw("POST", f"/t/{TENANT}/applications/{app['id']}/sections", body=form.encode(),
                    headers={**cookie, "Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 303 and r.headers.get("location") == f"/t/{TENANT}/applications/{app['id']}", r.headers
    assert "zc_flash=" in r.headers.get("set-cookie", ""), r.headers
    assert expect(applicant.get(f"applications/{app['id']}"), 200).json["sections"]["基本信息"] == {"姓名": "张三", "性别": "女"}


@pytest.mark.parametrize("then,status,says", [("publish", 404, "没有这个操作"), ("delete:abc", 404, "没有这个附件"), ("upload", 400, "请选择附件")])
def test_an_application_form_asking_what_cannot_be_done_saves_nothing(env: Env, then: str, status: int, says: str) -> None:
    """The application page's button says what to do after saving (`then`): one that cannot be
    done (an unknown action, a garbled attachment, an upload without a file) is refused first,
    saying why, and the sections typed with it are not saved. The old one-purpose routes are gone."""
    applicant = new_applicant(env)
    app = filled_application(applicant)
    cookie = {"Cookie": f"zc_session={applicant.cookie}"}
    form = f"_csrf={quote(applicant.csrf)}&then={quote(then)}&{quote('content:基本信息')}={quote('不应保存')}"
    with unchanged(env.daemon, TENANT, ignore=("sessions",)):
        r = env.api.raw("POST", f"/t/{TENANT}/applications/{app['id']}/sections", body=form.encode(),
                        headers={**cookie, "Content-Type": "application/x-www-form-urlencoded"})
        assert r.status == status and says in r.body.decode(), (r.status, r.body.decode()[-1500:])
        assert "不应保存" in r.body.decode(), "the page keeps what was typed"
        for old in ("submit", "attachments", "attachments/1/delete"):
            gone = env.api.raw("POST", f"/t/{TENANT}/applications/{app['id']}/{old}", body=f"_csrf={quote(applicant.csrf)}".encode(),
                               headers={**cookie, "Content-Type": "application/x-www-form-urlencoded"})
            assert gone.status == 404, (old, gone.status)


def test_small_refusals_say_what_is_wrong(env: Env) -> None:
    """A series without the level names that, not an empty list of titles; a withdrawn draft says
    it is withdrawn when edited; a plan's rejection reason has a limit; names are refused in Chinese."""
    applicant = new_applicant(env)
    r = expect(applicant.post("applications", {"kind": "title", "year": 2026, "series": "社会工作专业人员", "level": "正高级", "title": "x"}), 400, field="level")
    assert "没有正高级职称" in r.error()["message"], r
    draft = filled_application(applicant)
    expect(applicant.post(f"applications/{draft['id']}/withdraw"), 200)
    expect(applicant.put(f"applications/{draft['id']}/sections/{quote('基本信息')}", {"内容": "x"}), 409, contains="已撤回")
    expect(env.city.post("orgs/1/children", {"name": "  ", "kind": "unit"}), 400, field="name", contains="名称不能为空")
    plan = expect(env.school.post(f"orgs/{env.school_id}/plans", {"year": 2011, "items": [{"series": SERIES, "level": "中级", "count": 1}]}), 201).json
    expect(env.school.upload(f"plans/{plan['id']}/document", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"), 200)
    expect(env.school.post(f"plans/{plan['id']}/submit"), 200)
    expect(env.city.post(f"plans/{plan['id']}/review", {"decision": "reject", "reason": "长" * 501}), 400, field="reason")
    assert expect(env.city.post(f"plans/{plan['id']}/review", {"decision": "reject", "reason": "人数过多"}), 200).json["state"] == "rejected"


def test_a_department_picks_a_unit_below_it_in_the_status_query(env: Env) -> None:
    """申报人员状态查询 of a department or office offers the orgs below it whose applicants
    submitted (by code, with how many), and shows the one picked; never an org outside its tree."""
    applicant, app = submitted(env)
    name = applicant.account["name"]

    def offered(admin) -> dict:
        return {o["id"]: o for o in expect(admin.get("applicant-status/orgs"), 200).json["orgs"]}

    for admin in (env.dept, env.city):
        school = offered(admin)[env.school_id]
        assert school["name"] == "逸夫小学" and school["code"].startswith("4101") and school["applications"] >= 1, school
    assert set(offered(env.school)) == {env.school_id}
    assert 1 not in offered(env.dept), "the department is offered the city office above it"
    expect(applicant.get("applicant-status/orgs"), 403)
    expect(env.reviewers["dept.h"].get("applicant-status/orgs"), 403)

    page = ui_get(env, f"status?org={env.school_id}", env.dept.cookie)
    assert page.status == 200 and name in page.body.decode() and f'data-application="{app["id"]}"' in page.body.decode(), page.body.decode()[-3000:]
    assert 'id="status-org"' in page.body.decode() and "逸夫小学" in page.body.decode()
    # Its own org, as picked in the form (含下级单位 unticked: the form sends its 单位 and no box); an
    # org above it, or no number, is refused with a page.
    assert f'data-application="{app["id"]}"' not in ui_get(env, f"status?org={env.dept_id}&year=&applicant=", env.dept.cookie).body.decode()
    assert ui_get(env, "status?org=1", env.dept.cookie).status in (403, 404)
    assert ui_get(env, "status?org=abc", env.dept.cookie).status == 400
    # A unit has nothing below it to pick from.
    assert 'id="status-org"' not in ui_get(env, "status", env.school.cookie).body.decode()


def test_a_supervising_org_opens_the_status_query_on_its_units(env: Env) -> None:
    """申报人员状态查询 opened without a choice (no `org`, no `below`), by an org with nobody of its
    own who submitted but units below it with applicants — the city office, a 主管单位 — opens with
    含下级单位 ticked and lists them, each row with its 单位; the next page keeps the box as shown.
    A choice in the query is honoured: the form's query with the box unticked (its 单位 sent, no
    `below`), `below=0`, and a unit picked. An org with applicants of its own opens on them,
    unticked; a unit has no box. The API keeps its documented default (`below` false)."""
    _, app = submitted(env)
    mark = f'data-application="{app["id"]}"'

    def box(page: str) -> str:
        return re.search(r'<input type="checkbox" name="below"[^>]*>', page).group(0)

    for who, admin, own in (("city office", env.city, 1), ("department", env.dept, env.dept_id)):
        page = expect(ui_get(env, "status", admin.cookie), 200).body.decode()
        assert "checked" in box(page) and mark in page and "<td>逸夫小学</td>" in page, (who, page[-3000:])
        assert "暂无申报" not in page, (who, page[-3000:])
        # The 单位 offered is still its own, with its own count.
        assert re.search(r'<option value="%d" selected>本单位（[^<]*）（0份）</option>' % own, page), (who, page[-3000:])
        # Explicit choices win: the form sent with the box unticked, below=0, a unit picked.
        for query in (f"status?org={own}&year=&applicant=", "status?below=0", f"status?org={own}"):
            page = expect(ui_get(env, query, admin.cookie), 200).body.decode()
            assert "checked" not in box(page) and mark not in page and "暂无申报" in page, (who, query, page[-3000:])
        page = expect(ui_get(env, f"status?org={env.school_id}", admin.cookie), 200).body.decode()
        assert "checked" not in box(page) and mark in page, (who, page[-3000:])
        # Ticked by hand, as before.
        assert mark in expect(ui_get(env, f"status?org={own}&below=1", admin.cookie), 200).body.decode()
        # The API: an org's own applicants unless `below` is asked for.
        assert app["id"] not in [r["application_id"] for r in expect(admin.get(f"orgs/{own}/applicant-status"), 200).json["rows"]], who

    # A unit: its own applicants, no box to tick.
    page = expect(ui_get(env, "status", env.school.cookie), 200).body.decode()
    assert mark in page and 'name="below"' not in page, page[-3000:]

    # A 主管单位 with an applicant of its own who submitted opens on its own, the box unticked.
    dept_org, dept_admin = create_child(env.city, 1, "二七区教育局", "department")
    dept = approve_unit(env.api, env.city, dept_org["id"], dept_admin["login"], dept_admin["password"])
    unit_org, unit_admin = create_child(dept, dept_org["id"], "大学路小学", "unit")
    unit = approve_unit(env.api, dept, unit_org["id"], unit_admin["login"], unit_admin["password"])
    for org_id, admin in ((dept_org["id"], dept), (unit_org["id"], unit)):
        approved_plan(admin, env.city, org_id, [{"series": SERIES, "level": "中级", "count": 5}])
    submitted_of = {}
    for org_id, admin, name in ((unit_org["id"], unit, "冯老师"), (dept_org["id"], dept, "陈科长")):
        r = expect(admin.post(f"orgs/{org_id}/applicants", {"id_number": fresh_id_number(), "name": name}), 201).json
        person = env.api.first_login(r["account"]["login"], r["password"])
        draft = filled_application(person)
        expect(person.post(f"applications/{draft['id']}/submit"), 200)
        submitted_of[org_id] = draft["id"]
        page = expect(ui_get(env, "status", dept.cookie), 200).body.decode()
        if org_id == unit_org["id"]:
            # Only its unit's so far: it opens on them.
            assert "checked" in box(page) and f'data-application="{draft["id"]}"' in page, page[-3000:]
    assert "checked" not in box(page), page[-3000:]
    assert f'data-application="{submitted_of[dept_org["id"]]}"' in page and f'data-application="{submitted_of[unit_org["id"]]}"' not in page, page[-3000:]


def test_the_status_query_narrows_to_one_year(env: Env) -> None:
    """申报人员状态查询 by 年度 (`?year=` in the API and the screen): the year of an application
    shows it, another year does not; an empty 年度 is every year; a year not a number is 400."""
    _, app = submitted(env)
    year = app["year"]

    def rows(query: str = "") -> list[int]:
        return [r["application_id"] for r in expect(env.school.get(f"orgs/{env.school_id}/applicant-status{query}"), 200).json["rows"]]

    assert app["id"] in rows() and app["id"] in rows(f"?year={year}")
    assert app["id"] not in rows(f"?year={year + 1}")
    assert all(r["year"] == year for r in expect(env.school.get(f"orgs/{env.school_id}/applicant-status?year={year}"), 200).json["rows"])
    expect(env.school.get(f"orgs/{env.school_id}/applicant-status?year=x"), 400, field="year")
    mark = f'data-application="{app["id"]}"'
    assert mark in ui_get(env, f"status?year={year}", env.school.cookie).body.decode()
    assert mark in ui_get(env, "status?year=", env.school.cookie).body.decode()
    other = ui_get(env, f"status?year={year + 1}", env.school.cookie).body.decode()
    assert mark not in other and f'id="status-year" value="{year + 1}"' in other, other[-2000:]
    assert ui_get(env, "status?year=abc", env.school.cookie).status == 400


def test_the_status_query_narrows_to_a_state_a_series_and_a_level_and_counts_them(env: Env) -> None:
    """申报人员状态查询 by 状态 (as its rows are labelled), 系列 and 级别 (`?state=`, `?series=`,
    `?level=` in the API and on the screen), with how many rows match over every page (`total`,
    共 N 份). An empty choice is none; a value not in the lists is 400 naming its parameter, and
    changes nothing."""
    _, waiting = submitted(env)
    _, senior = passed_by_school(env, level="副高级", title="高级教师")
    _, back = submitted(env)
    decide(env.reviewers["school.h"], back["id"], "return", sections=["基本信息"], reason="incomplete", comment="请补充")

    def read(query: str = "") -> tuple[list[int], int]:
        got = expect(env.school.get(f"orgs/{env.school_id}/applicant-status{query}"), 200).json
        return [r["application_id"] for r in got["rows"]], got["total"]

    rows = expect(env.school.get(f"orgs/{env.school_id}/applicant-status"), 200).json["rows"]
    everything = [r["application_id"] for r in rows]
    assert read() == (everything, len(everything)) and read("?state=&series=&level=") == read()
    of = lambda test: [r["application_id"] for r in rows if test(r)]  # noqa: E731
    # All of this module's applications are 职称申报: each state's code finds the rows in that state.
    for state in ("in_review", "returned", "rejected", "withdrawn", "at_committee", "passed"):
        found = of(lambda r: r["state"] == state)
        assert read(f"?state={state}") == (found, len(found)), state
    assert waiting["id"] in read("?state=in_review")[0] and senior["id"] in read("?state=in_review")[0] and back["id"] in read("?state=returned")[0]
    assert read(f"?series={quote(SERIES)}") == read() and read(f"?series={quote('会计人员')}") == ([], 0)
    seniors = of(lambda r: r["level"] == "副高级")
    assert senior["id"] in seniors and read(f"?level={quote('副高级')}") == (seniors, len(seniors))
    both = of(lambda r: r["level"] == "副高级" and r["state"] == "in_review")
    assert read(f"?state=in_review&series={quote(SERIES)}&level={quote('副高级')}") == (both, len(both))
    # A page of them: the total is of every page.
    in_review = of(lambda r: r["state"] == "in_review")
    assert len(in_review) >= 2 and read("?state=in_review&limit=1") == (in_review[:1], len(in_review))
    assert read(f"?state=in_review&limit=1&before={in_review[0]}") == (in_review[1:2], len(in_review))
    with unchanged(env.daemon, TENANT, ignore=("sessions",)):
        for query, field in (("?state=draft", "state"), (f"?state={quote('审查中')}", "state"), ("?state=IN_REVIEW", "state"),
                             (f"?series={quote('中小学')}", "series"), (f"?level={quote('高级')}", "level"), ("?level=senior", "level")):
            expect(env.school.get(f"orgs/{env.school_id}/applicant-status{query}"), 400, field=field)
            expect(env.city.get(f"orgs/1/applicant-status?below=true&{query[1:]}"), 400, field=field)
        # The screen: the same lists, an unknown choice refused in words of the list.
        refused = ui_get(env, "status?state=draft", env.school.cookie)
        assert refused.status == 400 and "“审查中”" in refused.body.decode(), refused.body.decode()[-2000:]
        assert ui_get(env, f"status?level={quote('高级')}", env.school.cookie).status == 400

    # The screen: 状态, 系列 and 级别 chosen and shown again, 共 N 份 of what they find.
    page = ui_get(env, f"status?state=in_review&series={quote(SERIES)}&level={quote('副高级')}", env.school.cookie).body.decode()
    assert [int(x) for x in re.findall(r'data-application="(\d+)"', page)] == both and f'<p id="status-total">共 {len(both)} 份</p>' in page, page[-3000:]
    assert '<option value="in_review" selected>审查中</option>' in page and f"<option selected>{SERIES}</option>" in page and "<option selected>副高级</option>" in page, page[-4000:]
    labels = re.findall(r'<option value="([a-z_]+)"(?: selected)?>([^<]+)</option>', page.split('id="status-state"')[1].split("</select>")[0])
    assert labels == [("in_review", "审查中"), ("returned", "退回修改"), ("rejected", "未通过"), ("withdrawn", "已撤回"),
                      ("awaiting_province", "待报送省职改办"), ("forwarded", "已报送省职改办"), ("at_committee", "待评委会评审"), ("publicity", "公示中"),
                      ("passed", "评审通过"), ("failed", "评审未通过"), ("admitted", "已入库（专家信息库）")], labels
    page = ui_get(env, "status?state=returned&series=&level=", env.school.cookie).body.decode()
    returned = of(lambda r: r["state"] == "returned")
    assert [int(x) for x in re.findall(r'data-application="(\d+)"', page)] == returned and f"共 {len(returned)} 份" in page, page[-3000:]


def test_the_status_screen_walks_its_pages(env: Env) -> None:
    """申报人员状态查询 over more than a page (100 rows): 下一页 shows the rest, newest first, and
    第一页 leads back. (Last in this module: the copies are listed by every status query after it.)"""
    _, app = submitted(env)
    copies = clone_rows(env.daemon.tenant_db(TENANT), "applications", app["id"], 101)
    listed = lambda html: [int(x) for x in re.findall(r'data-application="(\d+)"', html)]  # noqa: E731
    everything = [r["application_id"] for r in expect(env.city.get("orgs/1/applicant-status?below=true&limit=500"), 200).json["rows"]]
    assert set(copies) | {app["id"]} <= set(everything) and len(everything) > 100
    one = ui_get(env, "status?below=1", env.city.cookie).body.decode()
    assert listed(one) == everything[:100] and 'id="status-first"' not in one
    link = re.search(r'id="status-next" href="([^"]+)"', one).group(1).replace("&amp;", "&")
    assert link.startswith(f"/t/{TENANT}/status?") and "below=1" in link, link
    two = expect(env.api.raw("GET", link, headers={"Cookie": f"zc_session={env.city.cookie}"}), 200).body.decode()
    assert listed(two) == everything[100:200] and 'id="status-first"' in two
    assert f"共 {len(everything)} 份" in one and f"共 {len(everything)} 份" in two
    # Filtered, the pages keep the filters (the copies are in review, of the series and level).
    chosen = f"state=in_review&series={quote(SERIES)}&level={quote('中级')}"
    found = expect(env.city.get(f"orgs/1/applicant-status?below=true&limit=500&{chosen}"), 200).json
    assert set(copies) <= set(r["application_id"] for r in found["rows"]) and found["total"] == len(found["rows"]) > 100
    one = ui_get(env, f"status?below=1&{chosen}", env.city.cookie).body.decode()
    assert listed(one) == [r["application_id"] for r in found["rows"]][:100] and f"共 {found['total']} 份" in one, one[-3000:]
    link = re.search(r'id="status-next" href="([^"]+)"', one).group(1).replace("&amp;", "&")
    assert chosen in link and "below=1" in link, link
    two = expect(env.api.raw("GET", link, headers={"Cookie": f"zc_session={env.city.cookie}"}), 200).body.decode()
    assert listed(two) == [r["application_id"] for r in found["rows"]][100:200] and f"共 {found['total']} 份" in two
    first = re.search(r'id="status-first" href="([^"]+)"', two).group(1).replace("&amp;", "&")
    assert chosen in first and "before=" not in first, first


# A quote followed by a combining mark (U+0301) is one grapheme: an escaper comparing
# characters left the quote raw, and the name broke out of the attribute it was put in.
BREAKOUT = 'X"\u0301 onload=alert(1)// \'\u0301 <\u0301b>'


def test_names_with_a_combining_mark_after_a_quote_stay_inside_their_attribute(env: Env) -> None:
    """Stored (a unit named by its parent's admin, shown in the rename box of 组织机构) and
    reflected (申报人员状态查询's ?applicant=): every markup character is escaped whatever mark
    follows it, through the real templates."""
    child, _ = create_child(env.dept, env.dept_id, BREAKOUT, "unit")
    page = expect(ui_get(env, f"orgs?selected={child['id']}", env.dept.cookie), 200).body.decode()
    assert 'name="name" value="X&quot;\u0301 onload=alert(1)// &#39;\u0301 &lt;\u0301b&gt;"' in page, page[-3000:]
    page = expect(ui_get(env, f"status?applicant={quote(BREAKOUT)}", env.dept.cookie), 200).body.decode()
    assert 'id="status-applicant" value="X&quot;\u0301 onload=' in page, page[-3000:]
    for raw in ('"\u0301', "'\u0301", "<\u0301"):
        assert raw not in page
    expect(env.dept.delete(f"orgs/{child['id']}"), (200, 204))


def test_the_review_form_stamps_the_seal_and_runs_only_its_print_script(env: Env) -> None:
    """The 评审表 carries each org's seal on its leader's opinion. Its policy allows one script,
    by its hash (the 打印 button's), and no form or inline handler: markup that got into a name
    could not run there."""
    seal = png_bytes(3, 3, seed=7)
    expect(env.school.upload(f"orgs/{env.school_id}/seal", seal), (200, 201, 204))
    applicant, app = passed_by_school(env, level="副高级", title="高级教师")  # the 中级 plan line is used up by then
    got = expect(env.school.get(f"applications/{app['id']}/review-form"), 200)
    # The school's seal, stamped on its leader's opinion only (the handler's has none).
    stamped = re.findall(r'<img class="seal" src="data:image/png;base64,([A-Za-z0-9+/=]+)"', got.body.decode())
    assert stamped == [base64.b64encode(seal).decode()], stamped
    # A reviewer's and the applicant's copy: the opinions, without the seal's image.
    for reader in (env.reviewers["school.l"], applicant):
        copy = expect(reader.get(f"applications/{app['id']}/review-form"), 200).body.decode()
        assert "data:image" not in copy and "负责人意见" in copy, copy[-2000:]
    policy = got.headers["content-security-policy"]
    scripts = re.findall(r"<script>(.*?)</script>", got.body.decode(), re.S)
    assert len(scripts) == 1 and "print" in scripts[0], scripts
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in policy, policy
    assert "unsafe-inline'; " not in policy.split("script-src", 1)[1].split(";")[0] and "form-action 'none'" in policy, policy
    assert "onclick" not in got.body.decode()


# One opinion of a 评审表: its org, step, reviewer (None when not named) and seal (base64, None without one).
OPINION = re.compile(r'<tr(?: class="keep")?><th scope="row">([^<]*)<br>([^<]*)意见</th><td><div class="opinion"><p>.*?<span class="signoff"><span class="sign">(?:审查人：([^<]*?)　)?[^<]*</span>'
                     r'(?:<img class="seal" src="data:image/png;base64,([A-Za-z0-9+/=]+)")?', re.S)


def test_the_review_form_and_the_trail_keep_who_decided_as_they_were_then(env: Env) -> None:
    """The 评审表 and the trail are the record of what each level decided: an opinion keeps the
    org's name, the org's seal and the reviewer's name it was given under. After the bureau renames
    a school, the school uploads a new seal and its leader's name is corrected, the school's earlier
    opinions still show the old name, the original seal and the old reviewer's name (on the
    评审表, in the trail, in the trail handed over to the province); an opinion given since shows
    the new ones. A school of its own, so that the module's 逸夫小学 keeps its name."""
    org, admin = create_child(env.dept, env.dept_id, "实验小学", "unit")
    sid = org["id"]
    school = approve_unit(env.api, env.dept, sid, admin["login"], admin["password"])
    handler = add_reviewer(school, sid, "shiyan.h", ["handler"])
    leader = add_reviewer(school, sid, "shiyan.l", ["leader"])
    approved_plan(school, env.city, sid, [{"series": SERIES, "level": "副高级", "count": 5}])
    old_seal, new_seal = png_bytes(3, 3, seed=21), png_bytes(4, 4, seed=42)
    assert old_seal != new_seal
    expect(school.upload(f"orgs/{sid}/seal", old_seal), (200, 201, 204))

    def submitted_here() -> dict:
        r = expect(school.post(f"orgs/{sid}/applicants", {"id_number": fresh_id_number(), "name": "钱老师", "phone": ""}), 201).json
        applicant = env.api.first_login(r["account"]["login"], r["password"])
        app = filled_application(applicant, level="副高级", title="高级教师")
        expect(applicant.post(f"applications/{app['id']}/submit"), 200)
        return app

    early, late = submitted_here(), submitted_here()
    decide(handler, early["id"])
    assert decide(leader, early["id"])["current_org_id"] == env.dept_id

    def opinions(app_id: int) -> list[tuple]:
        page = expect(school.get(f"applications/{app_id}/review-form"), 200).body.decode()
        return [(o, step, who or None, seal or None) for o, step, who, seal in OPINION.findall(page)]

    def trail(app_id: int) -> list[tuple]:
        entries = expect(school.get(f"applications/{app_id}/trail"), 200).json["trail"]
        return [(e["org_name"], e["step"], e.get("reviewer")) for e in entries if e.get("org_id") == sid]

    old_b64, new_b64 = base64.b64encode(old_seal).decode(), base64.b64encode(new_seal).decode()
    as_decided = [("实验小学", "经办人", "shiyan.h", None), ("实验小学", "负责人", "shiyan.l", old_b64)]
    assert opinions(early["id"]) == as_decided

    # The bureau renames the school, the school uploads another seal, the leader's name is corrected.
    assert expect(env.dept.patch(f"orgs/{sid}", {"name": "实验小学教育集团"}), 200).json["name"] == "实验小学教育集团"
    expect(school.upload(f"orgs/{sid}/seal", new_seal), (200, 201, 204))
    assert expect(school.get(f"orgs/{sid}/seal"), 200).body == new_seal
    assert expect(school.patch(f"staff/{leader.id}", {"name": "吴校长"}), 200).json["name"] == "吴校长"

    # The opinions given before: as they were given.
    assert opinions(early["id"]) == as_decided
    assert trail(early["id"]) == [("实验小学", "handler", "shiyan.h"), ("实验小学", "leader", "shiyan.l")]
    # Those given since: under the new name, seal and reviewer's name.
    decide(handler, late["id"])
    decide(leader, late["id"])
    assert opinions(late["id"]) == [("实验小学教育集团", "经办人", "shiyan.h", None), ("实验小学教育集团", "负责人", "吴校长", new_b64)]
    assert trail(late["id"]) == [("实验小学教育集团", "handler", "shiyan.h"), ("实验小学教育集团", "leader", "吴校长")]
    assert opinions(early["id"]) == as_decided, "a later decision changes nothing of an earlier one"

    # The hand-over to the province names each level as the city's record does.
    for reviewer in ("dept.h", "dept.l", "city.h", "city.l"):
        decide(env.reviewers[reviewer], early["id"])
    payloads = [json.loads(p) for (p,) in db_rows(env.daemon.tenant_db(TENANT), "SELECT payload FROM outbox WHERE kind = 'application.forward'")]
    handed = [p for p in payloads if p["source_application_id"] == early["id"]]
    assert len(handed) == 1, payloads
    orgs = [(step["org"], step["stage"]) for step in json.loads(handed[0]["trail"]) if step["stage"]]
    assert orgs == [("实验小学", "handler"), ("实验小学", "leader"), ("管城区教育局", "handler"), ("管城区教育局", "leader"),
                    ("郑州市职改办", "handler"), ("郑州市职改办", "leader")], orgs
    # Its 评审表 as the school prints it now: the school's opinions as they were given, the levels above after them.
    assert opinions(early["id"])[:2] == as_decided and len(opinions(early["id"])) == 6


def test_an_applicant_creates_at_most_twenty_applications_a_year(env: Env) -> None:
    """Drafts, withdrawn ones and the rest count (nothing is deleted); another 年度 has its own."""
    applicant = new_applicant(env)
    body = {"kind": "title", "series": SERIES, "level": "中级", "title": "一级教师"}
    for _ in range(20):
        expect(applicant.post("applications", {**body, "year": 2024}), 201)
    expect(applicant.post("applications", {**body, "year": 2024}), 409, contains="最多创建20份")
    expect(applicant.post("applications", {**body, "year": 2025}), 201)
    assert len(expect(applicant.get("applications"), 200).json["applications"]) == 21


def _masked(number: str) -> str:
    return number[:6] + "*" * 8 + number[-4:]


def test_id_card_numbers_are_shown_whole_only_to_who_needs_them(env: Env) -> None:
    """An applicant's 身份证号 (also their login) is shown whole to their own unit, which
    registered it; the orgs above see it masked (410104********123X) in 申报人员状态查询 and in
    every audit entry, and may find an applicant by the whole number, not by a prefix (which
    would spell out the masked digits). A reviewer who may not read 基本信息 sees it masked on
    the 评审表."""
    applicant, app = passed_by_school(env, level="副高级", title="高级教师")  # the 中级 plan line is used up by then
    number = applicant.account["login"]
    own = expect(env.school.get(f"orgs/{env.school_id}/applicant-status"), 200).json["rows"]
    assert next(r for r in own if r["application_id"] == app["id"])["id_number"] == number
    above = expect(env.dept.get(f"orgs/{env.dept_id}/applicant-status?below=true&limit=500"), 200).json["rows"]
    assert next(r for r in above if r["application_id"] == app["id"])["id_number"] == _masked(number)
    assert number not in json.dumps(above, ensure_ascii=False)
    found = expect(env.dept.get(f"orgs/{env.dept_id}/applicant-status?below=true&applicant={number}"), 200).json["rows"]
    assert [r["application_id"] for r in found] == [app["id"]], found
    assert expect(env.dept.get(f"orgs/{env.dept_id}/applicant-status?below=true&applicant={number[:10]}"), 200).json["rows"] == []
    # The audit log: the applicant's sign-in and their creation, as the orgs above read it.
    for admin in (env.dept, env.city):
        log = json.dumps(expect(admin.get("audit?limit=500"), 200).json["entries"], ensure_ascii=False)
        assert _masked(number) in log and number not in log, admin.account["login"]
    # A department handler permitted only 业绩成果.
    partial = add_reviewer(env.dept, env.dept_id, "dept.results", ["handler"], sections=["业绩成果"])
    form = expect(partial.get(f"applications/{app['id']}/review-form"), 200).body.decode()
    assert _masked(number) in form and number not in form
    assert number in expect(env.reviewers["dept.h"].get(f"applications/{app['id']}/review-form"), 200).body.decode()
