"""Journeys of the web UI in a real browser (headless Chromium + Selenium), each a defect a
usability walk found: what a screen shows in words (操作日志's actions, sizes in KB/MB,
results and states by one label), what a printed 评审表 says of an application that ended,
what can be opened from where, forms that keep what was ticked, and a result refused before
its interview. Organizations and accounts are set up through the API; what is checked is done
in the browser. Screenshots: .build/screenshots/journey-*."""

from __future__ import annotations

import datetime
import re

from api_support import NEW_PASSWORD, add_reviewer, city_with_draft, expect
from api_support import REQUIRED_SECTIONS
from browser_support import Pages, browser, shown_text  # noqa: F401  (fixture)

# An action code as the log stores it (`plan.save`, `org.profile.approve`, `session.no-quorum`).
CODE = re.compile(r"\b[a-z][a-z-]*(?:\.[a-z-]+)+\b")


def test_the_operation_log_names_every_action_in_chinese_and_shows_no_code(daemon_factory, browser):
    """操作日志 shows each action by its Chinese name only: no code beside or under it (the code
    is in the cell's title, for an auditor who searches the API's log for it), and nothing in
    the table reads as a code. A plan's 明细 is shown by its parts' names, not as JSON."""
    d = daemon_factory().start()
    city, _, _, _ = city_with_draft(d)
    add_reviewer(city, 1, "cityhandler", ["handler"])
    expect(city.post("orgs/1/children", {"name": "管城区教育局", "kind": "department"}), 201)
    p = Pages(browser, f"http://127.0.0.1:{d.http_port}/t/zhengzhou/", "journey-audit")
    p.login_ok(city.account["login"], NEW_PASSWORD)
    p.go("audit")
    p.shot("log")
    cells = p.all("#audit tbody td.action")
    assert len(cells) >= 10, p.by("main").text
    shown = {shown_text(p, c): c.get_attribute("title") for c in cells}
    for name, code in shown.items():
        assert re.fullmatch(r"[\u4e00-\u9fff（）]+", name), (name, code)
        assert CODE.fullmatch(code or ""), (name, code)
    codes = set(shown.values())
    assert {"session.create", "plan.save", "plan.approve", "staff.create", "staff.roles", "staff.permissions", "org.create",
            "applicant.create"} <= codes, codes
    names = {code: name for name, code in shown.items()}
    assert names["session.create"] == "登录" and names["plan.save"] == "保存申报计划" and names["staff.roles"] == "设置审查角色", names
    table = shown_text(p, p.by("#audit"))
    assert not CODE.search(table), CODE.findall(table)
    plan_saved = next(r for r in p.all("#audit tbody tr") if r.find_element("css selector", "td.action").get_attribute("title") == "plan.save")
    # (Its parts in the order the plan wrote them, which is not fixed.)
    item = re.search(r"明细：（([^）]*)）", shown_text(p, plan_saved))
    assert item and sorted(item.group(1).split("，")) == sorted(["系列：中小学教师", "级别：中级", "数量：3"]), shown_text(p, plan_saved)


LIMIT = 1536 * 1024   # 1.5 MB


def pdf_of(size: int) -> bytes:
    """A whole PDF (its end marker in its last bytes) of exactly `size` bytes."""
    head, tail = b"%PDF-1.4\n", b"\n%%EOF\n"
    return head + b"%" * (size - len(head) - len(tail)) + tail


def test_sizes_are_shown_in_bytes_kb_and_mb(daemon_factory, browser, tmp_path):
    """Sizes read as Chinese users read them (FileSize): an attachment of 800 bytes is 800 字节,
    one of 12,595 bytes 12.3 KB; a section's limit is 64 KB; the upload limit (1.5 MB here) is
    1.5 MB on the seal page and in the refusal of a file over it, as a form too large and as an
    attachment too large. No KiB anywhere."""
    d = daemon_factory(config=f'[log]\nlevel = "info"\n\n[limits]\nupload_max_bytes = {LIMIT}\n').start()
    city, login, applicant, app = city_with_draft(d)
    p = Pages(browser, f"http://127.0.0.1:{d.http_port}/t/zhengzhou/", "journey-sizes")
    p.login_ok(login, NEW_PASSWORD)
    p.go(f"applications/{app['id']}")
    assert "每部分不超过 64 KB（约两万字）" in p.by("#application-form").text, p.by("#application-form").text
    for name, size in (("小文件.pdf", 800), ("证书.pdf", 12_595)):
        path = tmp_path / name
        path.write_bytes(pdf_of(size))
        p.by("#attachment-file").send_keys(str(path))
        p.click("#attachment-upload")
        assert "已上传" in p.flash_ok(), p.flash_error()
    listed = [shown_text(p, li) for li in p.all("#attachments li")]
    assert listed[0].startswith("小文件.pdf（800 字节）") and listed[1].startswith("证书.pdf（12.3 KB）"), listed
    # Over the limit by a little: the attachment is refused by its size.
    big = tmp_path / "大文件.pdf"
    big.write_bytes(pdf_of(LIMIT + 1))
    p.by("#attachment-file").send_keys(str(big))
    p.click("#attachment-upload")
    assert p.flash_error() == "附件不能超过 1.5 MB", p.flash_error()
    # Far over it: the form itself is too large.
    big.write_bytes(pdf_of(LIMIT + 2 * 1024 * 1024))   # beyond what the form takes with its sections
    p.by("#attachment-file").send_keys(str(big))
    p.click("#attachment-upload")
    assert "文件不能超过 1.5 MB" in p.by("main").text, p.by("main").text[:500]
    assert "KiB" not in p.d.page_source
    p.shot("refused")
    # The seal page states the limit the same way.
    p.go("home")
    p.logout()
    p.login_ok(city.account["login"], NEW_PASSWORD)
    p.go("seal")
    assert "不超过 1.5 MB" in p.by("main").text and "KiB" not in p.d.page_source, p.by("main").text


SECTIONS = REQUIRED_SECTIONS


def submitted(city, name: str):
    """A 中级 application of a new applicant of the city office, filled in and submitted:
    (the applicant's session, the application)."""
    from api_support import fresh_id_number
    from urllib.parse import quote
    person = expect(city.post("orgs/1/applicants", {"id_number": fresh_id_number(), "name": name}), 201).json
    applicant = city.api.first_login(person["account"]["login"], person["password"])
    app = expect(applicant.post("applications", {"kind": "title", "year": 2026, "series": "中小学教师", "level": "中级", "title": "一级教师"}), 201).json
    for section in SECTIONS:
        expect(applicant.put(f"applications/{app['id']}/sections/{quote(section)}", {"内容": section}), 200)
    expect(applicant.post(f"applications/{app['id']}/submit"), 200)
    return applicant, app


def form_mark(p: Pages, app_id: int) -> tuple[str, str]:
    """The 评审表's mark over its opinions and its watermark, as shown ("" when none)."""
    p.go(f"api/v1/applications/{app_id}/review-form")
    assert p.by("h1").text == "专业技术职务任职资格评审表", p.d.page_source[:500]
    marks, watermarks = p.all("#f-mark"), p.all(".watermark")
    return (marks[0].text if marks else "", watermarks[0].text if watermarks else "")


def test_a_review_form_says_the_application_was_withdrawn_returned_or_turned_down(daemon_factory, browser):
    """The printable 评审表 of an application that did not go on carries a mark over its opinions
    and a watermark on every page: 已撤回 with its 撤回时间, 退回修改 with its 退回时间, 未通过
    with its 审查结束时间, as the screens say the state. One under review has none."""
    d = daemon_factory().start()
    city, _, _, _ = city_with_draft(d)
    handler = add_reviewer(city, 1, "cityhandler", ["handler"])
    p = Pages(browser, f"http://127.0.0.1:{d.http_port}/t/zhengzhou/", "journey-form-mark")
    p.login_ok(city.account["login"], NEW_PASSWORD)
    stamp = r"\d{4}-\d\d-\d\d \d\d:\d\d"

    applicant, withdrawn = submitted(city, "撤回者")
    assert form_mark(p, withdrawn["id"]) == ("", ""), "one under review has no mark"
    expect(applicant.post(f"applications/{withdrawn['id']}/withdraw"), 200)
    mark, watermark = form_mark(p, withdrawn["id"])
    assert re.fullmatch(rf"本申报已撤回　撤回时间：{stamp}", mark) and watermark == "已撤回", (mark, watermark)
    p.shot("withdrawn")

    _, returned = submitted(city, "退回者")
    expect(handler.post(f"applications/{returned['id']}/decision",
                        {"decision": "return", "comment": "请补充业绩", "sections": ["业绩成果"], "reason": "incomplete"}), 200)
    mark, watermark = form_mark(p, returned["id"])
    assert re.fullmatch(rf"本申报退回修改　退回时间：{stamp}", mark) and watermark == "退回修改", (mark, watermark)
    assert "退回修改。" in p.by("#opinions").text, "the opinion itself says so too"

    _, rejected = submitted(city, "未通过者")
    expect(handler.post(f"applications/{rejected['id']}/decision", {"decision": "reject", "comment": "不符合申报条件"}), 200)
    mark, watermark = form_mark(p, rejected["id"])
    assert re.fullmatch(rf"本申报未通过　审查结束时间：{stamp}", mark) and watermark == "未通过", (mark, watermark)
    p.shot("rejected")
    # The dates are the steps' own, in China time: as the application's trail gives them.
    for app, decision, (mark, _) in ((withdrawn, "withdraw", form_mark(p, withdrawn["id"])), (rejected, "reject", form_mark(p, rejected["id"]))):
        step = [e for e in expect(city.get(f"applications/{app['id']}/trail"), 200).json["trail"] if e["decision"] == decision][-1]
        at = datetime.datetime.fromisoformat(step["at"].replace("Z", "+00:00")).astimezone(datetime.timezone(datetime.timedelta(hours=8)))
        assert mark.endswith(at.strftime("%Y-%m-%d %H:%M")), (mark, step)


FETCH = """const done = arguments[arguments.length - 1];
fetch(arguments[0], {credentials: 'same-origin'}).then(async r => done([r.status, r.headers.get('content-type'), (await r.arrayBuffer()).byteLength]))
    .catch(e => done([0, String(e), 0]));"""


def test_a_drafts_attachment_opens_from_the_application_page(daemon_factory, browser, tmp_path):
    """On the applicant's own page, a draft's attachment is a link (in a new window) to the same
    download the read-only page and the reviewers use, which answers it to the applicant and to
    nobody else who may not see the application."""
    d = daemon_factory().start()
    city, login, applicant, app = city_with_draft(d)
    p = Pages(browser, f"http://127.0.0.1:{d.http_port}/t/zhengzhou/", "journey-draft-attachment")
    p.login_ok(login, NEW_PASSWORD)
    p.go(f"applications/{app['id']}")
    path = tmp_path / "职称证书.pdf"
    path.write_bytes(pdf_of(2048))
    p.by("#attachment-file").send_keys(str(path))
    p.click("#attachment-upload")
    assert "已上传" in p.flash_ok(), p.flash_error()
    (file,) = expect(applicant.get(f"applications/{app['id']}/attachments"), 200).json["attachments"]
    links = p.all("#attachments li a")
    assert [shown_text(p, a) for a in links] == ["职称证书.pdf"], p.by("#attachments").text
    href = links[0].get_attribute("href")
    assert href.endswith(f"/t/zhengzhou/api/v1/applications/{app['id']}/attachments/{file['id']}") and links[0].get_attribute("target") == "_blank", href
    assert p.d.execute_async_script(FETCH, href) == [200, "application/pdf", 2048]
    p.shot("draft")
    # Another applicant of the same unit may not open it.
    from api_support import fresh_id_number
    other = expect(city.post("orgs/1/applicants", {"id_number": fresh_id_number(), "name": "旁人"}), 201).json
    stranger = city.api.first_login(other["account"]["login"], other["password"])
    assert expect(stranger.get(f"applications/{app['id']}/attachments/{file['id']}"), (403, 404)).status in (403, 404)


def test_each_section_of_the_form_says_what_goes_in_it_and_the_attachment_list_is_not_the_upload(daemon_factory, browser):
    """The applicant's form has, under each section's heading, a line saying what to write
    there (read out with its box); the 附件 text is headed 附件说明 and says the files go in the
    upload below, which is headed 上传附件文件: two parts no longer share the name 附件. What is
    typed in 附件说明 is saved as the 附件 section, the name the API, the trail and a return use."""
    d = daemon_factory().start()
    city, login, applicant, app = city_with_draft(d)
    p = Pages(browser, f"http://127.0.0.1:{d.http_port}/t/zhengzhou/", "journey-guidance")
    p.login_ok(login, NEW_PASSWORD)
    p.go(f"applications/{app['id']}")
    p.shot("form")
    legends = [shown_text(p, e) for e in p.all("#application-form fieldset > legend")]
    assert legends == ["基本信息", "学历学位", "工作经历", "业绩成果", "论文著作", "获奖情况", "年度考核", "继续教育", "附件说明",
                       "上传附件文件（PDF、PNG 或 JPEG）"], legends
    for section in ["基本信息", "学历学位", "工作经历", "业绩成果", "论文著作", "获奖情况", "年度考核", "继续教育", "附件"]:
        box = p.by(f'textarea[name="content:{section}"]')
        guide = p.by(f'[id="guide-{section}"]')
        assert len(shown_text(p, guide)) >= 10, (section, guide.text)
        assert box.get_attribute("aria-describedby") == f"guide-{section}", section
    assert "上传附件文件" in shown_text(p, p.by('[id="guide-附件"]'))
    assert p.by('textarea[name="content:附件"]').get_attribute("aria-label") == "附件说明"
    box = p.by('textarea[name="content:附件"]')
    box.clear()
    box.send_keys("职称证书一份，论文两篇")
    p.click(".save-section")
    assert "保存" in p.flash_ok(), p.flash_error()
    got = expect(applicant.get(f"applications/{app['id']}"), 200).json
    assert got["sections"]["附件"]["内容"] == "职称证书一份，论文两篇", got["sections"]


def queue_marks(p: Pages, login: str) -> dict[str, str]:
    """A reviewer's queue as they see it: applicant → the 环节 column."""
    p.login_ok(login, NEW_PASSWORD)
    p.go("reviews?stage=" + ("handler" if login.endswith("h") else "leader"))
    rows = {r.find_elements("css selector", "td")[1].text: r.find_elements("css selector", "td")[8].text for r in p.all("#queue tbody tr")
            if len(r.find_elements("css selector", "td")) > 8}
    p.logout()
    return rows


def test_resubmitted_is_said_only_to_a_level_that_saw_an_earlier_submission(daemon_factory, browser):
    """（重新提交） in a queue tells a reviewer they have seen the application before. A school's
    reviewers who returned it are told; the city's, which the first submission never reached,
    are not (it is new to them). Once the city returned it too, it is 重新提交 to both."""
    from api_support import Api, approve_unit, approved_plan, create_child, fresh_id_number
    from urllib.parse import quote
    from conftest import create_tenant
    d = daemon_factory().start()
    info = create_tenant(d, "zhengzhou", "4101", "郑州市")
    api = Api(d.http_port, "zhengzhou")
    city = api.first_login(info["admin_login"], info["admin_password"])
    school_org, school_admin = create_child(city, 1, "逸夫小学", "unit")
    school = approve_unit(api, city, school_org["id"], school_admin["login"], school_admin["password"])
    approved_plan(school, city, school_org["id"], [{"series": "中小学教师", "level": "中级", "count": 3}])
    reviewers = {login: add_reviewer(admin, org, login, [role]) for admin, org, prefix in ((school, school_org["id"], "school"), (city, 1, "city"))
                 for login, role in ((f"{prefix}h", "handler"), (f"{prefix}l", "leader"))}
    person = expect(school.post(f"orgs/{school_org['id']}/applicants", {"id_number": fresh_id_number(), "name": "孙申报"}), 201).json
    applicant = api.first_login(person["account"]["login"], person["password"])
    app = expect(applicant.post("applications", {"kind": "title", "year": 2026, "series": "中小学教师", "level": "中级", "title": "一级教师"}), 201).json
    for section in SECTIONS:
        expect(applicant.put(f"applications/{app['id']}/sections/{quote(section)}", {"内容": section}), 200)
    path = f"applications/{app['id']}"

    def decide(login: str, decision: str = "pass") -> None:
        body = {"decision": decision, "comment": "请补充"} | ({"sections": ["业绩成果"], "reason": "incomplete"} if decision == "return" else {})
        expect(reviewers[login].post(f"{path}/decision", body), 200)

    def resubmit() -> None:
        expect(applicant.put(f"{path}/sections/{quote('业绩成果')}", {"内容": "业绩成果（补充）"}), 200)
        expect(applicant.post(f"{path}/submit"), 200)

    p = Pages(browser, f"http://127.0.0.1:{d.http_port}/t/zhengzhou/", "journey-resubmitted")
    expect(applicant.post(f"{path}/submit"), 200)
    assert queue_marks(p, "schoolh") == {"孙申报": "经办人审查"}, "a first submission is not marked"
    decide("schoolh", "return")
    resubmit()
    assert queue_marks(p, "schoolh") == {"孙申报": "经办人审查（重新提交）"}, "the school's handler returned it: told"
    decide("schoolh")
    assert queue_marks(p, "schooll") == {"孙申报": "负责人审查（重新提交）"}, "the school reviewed the first submission"
    decide("schooll")
    assert queue_marks(p, "cityh") == {"孙申报": "经办人审查"}, "the city never saw the first submission"
    p.shot("city-first-time")
    decide("cityh", "return")
    resubmit()
    decide("schoolh")
    decide("schooll")
    assert queue_marks(p, "cityh") == {"孙申报": "经办人审查（重新提交）"}, "now the city returned one: told"


def test_roles_and_review_permissions_are_one_form_and_nothing_ticked_is_lost(daemon_factory, browser):
    """本单位人员角色管理: a person's roles, series and sections are one form with one 保存, so
    ticks in one part are never lost by saving another (they were two forms: ticks in 设置角色
    were dropped by 保存审查权限). Saved together, each part is audited as before when it
    changed, and a 保存 that changes nothing records nothing. The API sets them apart, as before."""
    d = daemon_factory().start()
    city, _, _, _ = city_with_draft(d)
    staff = expect(city.post("orgs/1/staff", {"login": "liuhandler", "name": "刘经办"}), 201).json["account"]
    p = Pages(browser, f"http://127.0.0.1:{d.http_port}/t/zhengzhou/", "journey-staff-access")
    p.login_ok(city.account["login"], NEW_PASSWORD)
    p.go("staff")

    def row():
        return next(r for r in p.all("#staff tbody tr") if r.get_attribute("data-login") == "liuhandler")

    forms = row().find_elements("css selector", "form.access-form")
    assert len(forms) == 1 and len(row().find_elements("css selector", "form[action$='/roles'], form[action$='/permissions']")) == 0
    form = forms[0]
    assert len(form.find_elements("css selector", "input[name=roles]")) == 2 and form.find_elements("css selector", "input[name=series]") \
        and len(form.find_elements("css selector", "input[name=sections]")) == 9
    assert [shown_text(p, b) for b in form.find_elements("css selector", "button")] == ["保存"]
    row().find_element("css selector", "details summary").click()
    for css in ("input[name=roles][value=handler]", "input[name=roles][value=leader]", "input[name=series][value=中小学教师]",
                "input[name=sections][value=基本信息]", "input[name=sections][value=业绩成果]"):
        form.find_element("css selector", css).click()
    p.shot("ticked")
    p.press(form.find_element("css selector", "button.save-access"))
    assert p.flash_ok() == "已保存刘经办的角色和审查权限", p.flash_error()
    saved = next(a for a in expect(city.get("orgs/1/staff"), 200).json["staff"] if a["id"] == staff["id"])
    assert (sorted(saved["roles"]), saved["permissions"]["series"], saved["permissions"]["sections"]) == \
        (["handler", "leader"], ["中小学教师"], ["基本信息", "业绩成果"]), saved
    cells = row().text
    assert "经办人、负责人" in cells and "系列：中小学教师" in cells and "内容：基本信息、业绩成果" in cells, cells

    def audited() -> list[str]:
        return [e["action"] for e in expect(city.get("audit?limit=50"), 200).json["entries"] if e["target"] == f"account:{staff['id']}"]
    assert audited()[:2] == ["staff.permissions", "staff.roles"], audited()
    # A role taken away alone: only the roles change, and only they are audited.
    before = len(audited())
    row().find_element("css selector", "details summary").click()
    row().find_element("css selector", "input[name=roles][value=leader]").click()
    p.press(row().find_element("css selector", "button.save-access"))
    saved = next(a for a in expect(city.get("orgs/1/staff"), 200).json["staff"] if a["id"] == staff["id"])
    assert (saved["roles"], saved["permissions"]["series"], saved["permissions"]["sections"]) == (["handler"], ["中小学教师"], ["基本信息", "业绩成果"]), saved
    assert audited()[0] == "staff.roles" and len(audited()) == before + 1, audited()
    # Saved again unchanged: nothing recorded.
    row().find_element("css selector", "details summary").click()
    p.press(row().find_element("css selector", "button.save-access"))
    assert "已保存" in p.flash_ok() and len(audited()) == before + 1, audited()
