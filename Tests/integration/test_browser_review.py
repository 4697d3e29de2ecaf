"""The applicant portal and both review screens in a real browser: an applicant of 逸夫小学 creates
and submits an application; the school's 经办人 passes it and its 负责人 returns it naming a
section; the applicant fixes and resubmits; it climbs 管城区教育局 and 郑州市 to the committee;
the school's admin finds it in 申报人员状态查询 and opens the printable 评审表 with the seal.
Organizations and accounts are set up through the API; everything after is done in the browser.
The 评审表 is also printed to PDF (A4) as an office prints it, typical, at every maximum and with
long opinions breaking near their ends, and read back from the PDF's own structure
(pdf_support.py): pages, text, seals.
Screenshots and PDFs: .build/screenshots/review-*."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from api_support import (Api, approve_unit, approved_plan, city_with_draft, create_child, expect, fresh_id_number, interview_held, interview_time,
                         png_bytes as api_png, unchanged)
from api_support import REQUIRED_SECTIONS
from browser_support import SHOTS, Pages, assert_controls_named, assert_refused, assert_skip_link, browser, png_bytes, shown_text  # noqa: F401  (fixture)
from conftest import create_tenant

SERIES = "中小学教师"
SECTIONS = REQUIRED_SECTIONS
PASSWORD = "Zhicheng2024"


def reviewer(api: Api, admin, org_id: int, login: str, role: str) -> None:
    r = expect(admin.post(f"orgs/{org_id}/staff", {"login": login, "name": login}), 201).json
    expect(admin.post(f"staff/{r['account']['id']}/enable"), 200)
    expect(admin.put(f"staff/{r['account']['id']}/roles", {"roles": [role]}), 200)
    expect(admin.put(f"staff/{r['account']['id']}/permissions", {"series": [SERIES], "sections": SECTIONS + ["附件"]}), 200)
    api.first_login(login, r["password"], PASSWORD)


def decide_in_browser(p: Pages, login: str, decision: str = "pass", comment: str = "同意") -> None:
    p.login_ok(login, PASSWORD)
    # Each role has its own menu entry, as in the manual.
    label = "经办人审查" if login.endswith(".h") else "负责人审查"
    # 首页's 待办事项 says how many wait at this step.
    p.go("home")
    assert [a.text for a in p.all("#todo a")] == [f"{label}：1 件待审查"], p.by("main").text
    entries = [a for a in p.all("nav a") if a.text in ("经办人审查", "负责人审查")]
    assert [a.text for a in entries] == [label], [a.text for a in entries]
    p.follow(entries[0])
    assert p.by("main h2").text == label and p.by("nav a[aria-current]").text == label
    p.shot(f"{login}-queue")
    link = p.all("#queue tbody a")
    assert link, f"{login} has nothing to review"
    assert "逸夫小学" in p.by("#queue tbody tr").text, "the queue names the applicant's unit"
    p.follow(link[0])
    p.fill("#decision-comment", comment)
    if decision != "pass":
        p.by(f"input[name=decision][value={decision}]").click()
    p.click("#decision-submit")
    assert "决定" in p.flash_ok(), p.flash_error()
    # Redirected to the queue: reloading it does not send the decision again.
    assert p.d.current_url.endswith(f"reviews?stage={'handler' if login.endswith('.h') else 'leader'}"), p.d.current_url
    # 已审查 lists the decision just made first, and opens the application again.
    p.follow(next(a for a in p.all("nav a") if a.text == "已审查"))
    assert p.by("nav a[aria-current]").text == "已审查"
    newest = p.by("#reviewed tbody tr")
    assert "孙申报" in newest.text and comment in newest.text and "逸夫小学" in newest.text, newest.text
    p.follow(newest.find_element("css selector", "a"))
    assert p.by("main h2").text.startswith("审查：孙申报（逸夫小学）"), p.by("main h2").text
    p.logout()


def test_applicant_portal_and_review_screens(daemon_factory, browser, tmp_path):
    d = daemon_factory().start()
    info = create_tenant(d, "zhengzhou", "4101", "郑州市")
    api = Api(d.http_port, "zhengzhou")
    city = api.first_login(info["admin_login"], info["admin_password"], PASSWORD)
    dept_org, dept_admin = create_child(city, 1, "管城区教育局", "department")
    dept = approve_unit(api, city, dept_org["id"], dept_admin["login"], dept_admin["password"], new_password=PASSWORD)
    school_org, school_admin = create_child(dept, dept_org["id"], "逸夫小学", "unit")
    school = approve_unit(api, dept, school_org["id"], school_admin["login"], school_admin["password"], new_password=PASSWORD)
    expect(school.upload(f"orgs/{school_org['id']}/seal", api_png(40, 40, seed=7)), (200, 204))
    for admin, org_id, prefix in ((school, school_org["id"], "school"), (dept, dept_org["id"], "dept"), (city, 1, "city")):
        reviewer(api, admin, org_id, f"{prefix}.h", "handler")
        reviewer(api, admin, org_id, f"{prefix}.l", "leader")
    person = expect(school.post(f"orgs/{school_org['id']}/applicants", {"id_number": fresh_id_number(), "name": "孙申报"}), 201).json
    api.first_login(person["account"]["login"], person["password"], PASSWORD)
    p = Pages(browser, f"http://127.0.0.1:{d.http_port}/t/zhengzhou/", "review")

    # 申报计划上传 in the browser: the school fills a line, uploads the document, submits; the city approves.
    p.login_ok(school_admin["login"], PASSWORD)
    p.go("plans")
    assert_controls_named(p)
    assert p.all("#plan-form select[name=level]")[1].accessible_name == "第2行 级别"
    from selenium.webdriver.support.ui import Select
    Select(p.all("#plan-form select[name=series]")[0]).select_by_visible_text(SERIES)
    Select(p.all("#plan-form select[name=level]")[0]).select_by_visible_text("中级")
    p.all("#plan-form input[name=count]")[0].send_keys("3")
    p.fill("#plan-year", "2026")
    p.click("#plan-save")
    assert "已保存" in p.flash_ok(), p.flash_error()
    pdf = tmp_path / "plan.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%%EOF\n")
    p.by(".plan-file").send_keys(str(pdf))
    assert p.by(".plan-upload").accessible_name == "上传附件 ：2026年度申报计划"
    p.click(".plan-upload")
    assert p.by(".plan-submit").accessible_name == "提交审核 ：2026年度申报计划"
    p.click(".plan-submit")
    assert "已提交" in p.flash_ok(), p.flash_error()
    p.logout()
    p.login_ok("4101", PASSWORD)
    p.go("plans")
    p.shot("city-plan-review")
    assert_controls_named(p)
    document = p.by("#pending-plans a")
    assert (shown_text(p, document), document.accessible_name) == ("查看附件", "查看附件 ：逸夫小学2026年度申报计划（新窗口）"), document.accessible_name
    p.press(p.by("#pending-plans button.approve"))
    assert "审核通过" in p.flash_ok()
    p.logout()

    # The applicant creates, fills in and submits.
    p.login_ok(person["account"]["login"], PASSWORD)
    p.go("applications/mine")
    p.fill("#app-year", "2026")
    Select(p.by("#app-series")).select_by_visible_text(SERIES)
    Select(p.by("#app-level")).select_by_visible_text("中级")
    p.fill("#app-title", "一级教师")
    p.click("#new-application-submit")
    # The form lands on the new application's own page (a redirect): reloading it creates no second one.
    assert re.search(r"/applications/\d+$", p.d.current_url), p.d.current_url
    assert "已创建申报" in p.flash_ok(), p.flash_error()
    p.d.refresh()
    assert not p.d.find_elements("css selector", ".flash.ok"), "the one-shot message is shown once"
    p.go("applications/mine")
    assert len(p.all("#applications tbody tr")) == 1
    p.follow(p.all("#applications tbody a")[0])
    assert_controls_named(p)
    # Each part's 保存 saves the whole page, and says so with the part it stands in.
    saves = [b.accessible_name for b in p.all("button.save-section")]
    parts = [t.get_attribute("data-section") for t in p.all("textarea[data-section]")]
    assert parts[:len(SECTIONS)] == SECTIONS and saves == [f"保存{part}等本页全部内容" for part in parts], (parts, saves)
    assert {b.text for b in p.all("button.save-section")} == {"保存"}
    assert p.by("#idle-hint").text == "页面2小时无操作将自动退出登录（只输入文字不算操作，保存、提交或打开页面才算），请及时保存。"
    assert_skip_link(p)
    for section in SECTIONS:
        area = p.by(f"textarea[data-section='{section}']")
        area.clear()
        area.send_keys(f"{section}：内容")
        p.press(area.find_element("xpath", "following-sibling::button"))
    certificate = tmp_path / "学历证书.pdf"
    certificate.write_bytes(b"%PDF-1.4\n%%EOF\n")
    p.by("#attachment-file").send_keys(str(certificate))
    p.click("#attachment-upload")
    assert "已上传" in p.flash_ok(), p.flash_error()
    assert "学历证书.pdf" in p.by("#attachments").text
    p.click("#app-submit")
    assert "已提交" in p.flash_ok(), p.flash_error()
    # Where it is: the org and the step it waits for, as the unit's 申报人员状态查询 says it.
    assert p.by("#app-state").text == "审查中（逸夫小学 经办人审查）", p.by("#app-state").text
    p.shot("applicant-submitted")
    p.go("home")
    assert "审查中（逸夫小学 经办人审查）" in p.by("#progress").text, p.by("#progress").text
    p.logout()

    # The school's handler passes; its leader returns it, naming 业绩成果.
    decide_in_browser(p, "school.h")
    p.login_ok("school.l", PASSWORD)
    p.go("reviews")
    p.follow(p.all("#queue tbody a")[0])
    assert "负责人审查" in p.by("#review-step").text
    p.by("input[name=decision][value=return]").click()
    p.by("input[name=sections][value=业绩成果]").click()
    p.fill("#decision-comment", "请补充获奖证书")
    # Refused without a reason: the form comes back as chosen and typed, not as 通过.
    p.click("#decision-submit")
    assert p.flash_error() == "请选择退回原因（材料不完整、格式不正确、信息有误、不符合申报条件、缺少印章、其他）", "said in Chinese, no codes"
    assert_refused(p, "select[name=reason]")
    assert p.d.title.startswith("错误：审查：孙申报"), p.d.title
    assert_controls_named(p)
    assert p.by("#decision-form fieldset.group").accessible_name == "审查决定："
    assert "2小时无操作" in p.by("#decision-form #idle-hint").text
    assert p.by("input[name=decision][value=return]").is_selected() and not p.by("input[name=decision][value=pass]").is_selected()
    assert p.by("input[name=sections][value=业绩成果]").is_selected()
    assert p.by("#decision-comment").get_attribute("value") == "请补充获奖证书"
    Select(p.by("select[name=reason]")).select_by_value("incomplete")
    p.shot("leader-returns")
    p.click("#decision-submit")
    assert "退回修改" in p.flash_ok(), p.flash_error()
    p.logout()

    # The applicant sees exactly what to fix, fixes it and resubmits.
    p.login_ok(person["account"]["login"], PASSWORD)
    p.go("applications/mine")
    p.follow(p.all("#applications tbody a")[0])
    banner = p.by("#returned").text
    assert "材料不完整" in banner and "业绩成果" in banner and "请补充获奖证书" in banner
    p.shot("applicant-returned")
    area = p.by("textarea[data-section='业绩成果']")
    area.clear()
    area.send_keys("业绩成果：补充了获奖证书")
    p.press(area.find_element("xpath", "following-sibling::button"))
    p.click("#app-submit")
    assert "已提交" in p.flash_ok(), p.flash_error()
    p.logout()

    # Resubmission starts at the school again; reviewers see what changed.
    p.login_ok("school.h", PASSWORD)
    p.go("reviews")
    assert "重新提交" in p.by("#queue").text
    p.follow(p.all("#queue tbody a")[0])
    assert p.by("#changed").text == "业绩成果"
    assert [th.text for th in p.all("#review-sections th") if "有修改" in th.text] == ["业绩成果（有修改）"]
    # Under the changed section, what it said in the submission the leader returned.
    previous = p.all("#review-sections .previous")
    assert [e.text for e in previous] == ["上次提交：业绩成果：内容"], [e.text for e in previous]
    assert "学历证书.pdf" in p.by("#review-attachments").text
    p.shot("handler-sees-change")
    p.logout()
    for login in ("school.h", "school.l", "dept.h"):
        decide_in_browser(p, login)
    # Sent up: the applicant follows it to the department's 负责人, on 首页 and on its page.
    p.login_ok(person["account"]["login"], PASSWORD)
    p.go("home")
    assert "审查中（管城区教育局 负责人审查）" in p.by("#progress").text, p.by("#progress").text
    p.follow(p.by("#progress a"))
    assert p.by("#app-state").text == "审查中（管城区教育局 负责人审查）", p.by("#app-state").text
    p.logout()
    for login in ("dept.l", "city.h", "city.l"):
        decide_in_browser(p, login)

    # The school's admin follows it in 申报人员状态查询 and prints the 评审表.
    p.login_ok(school_admin["login"], PASSWORD)
    p.go("status")
    row = p.by("#status tbody tr")
    assert "孙申报" in row.text and "待评委会评审" in row.text and "职称申报" in row.text, row.text
    p.shot("status")
    assert_controls_named(p)
    printed = row.find_element("css selector", "a")
    assert (shown_text(p, printed), printed.accessible_name) == ("打印评审表", "打印评审表 ：孙申报（新窗口）"), printed.accessible_name
    href = row.find_element("css selector", "a").get_attribute("href")
    p.d.get(href)
    opinions = p.by("#opinions").text
    assert opinions.count("通过") == 6 and "逸夫小学" in opinions and "郑州市职改办" in opinions
    assert p.d.execute_script("return Array.from(document.images).filter(i => i.naturalWidth > 0).length") >= 1, "the school's seal is stamped"
    p.shot("review-form")
    p.go("status")
    p.logout()

    # The department above it, with no applicants of its own, opens its 申报人员状态查询 on the
    # school's (含下级单位 ticked), each row naming its unit.
    p.login_ok(dept_admin["login"], PASSWORD)
    p.go("status")
    assert p.by("#status-below").is_selected()
    row = p.by("#status tbody tr")
    assert "孙申报" in row.text and "逸夫小学" in row.text, row.text
    p.shot("status-of-the-units-below")
    # Unticked by hand and sent: its own, none; the choice stays.
    p.click("#status-below")
    p.click("#status-org-submit")
    assert "暂无申报" in p.by("#status").text
    assert not p.by("#status-below").is_selected()
    # Or it picks the school.
    Select(p.by("#status-org")).select_by_visible_text(next(o.text for o in p.all("#status-org option") if "逸夫小学" in o.text))
    p.click("#status-org-submit")
    row = p.by("#status tbody tr")
    assert "孙申报" in row.text and "待评委会评审" in row.text, row.text
    assert "逸夫小学" in Select(p.by("#status-org")).first_selected_option.text
    assert p.by("#status-total").text == "共 1 份"
    p.shot("status-of-a-unit-below")
    # 状态, 系列 and 级别: what is not there is not listed (共 0 份); what is, is, the choices kept.
    Select(p.by("#status-state")).select_by_visible_text("审查中")
    p.click("#status-org-submit")
    assert "暂无申报" in p.by("#status").text and p.by("#status-total").text == "共 0 份"
    assert Select(p.by("#status-state")).first_selected_option.text == "审查中"
    assert "逸夫小学" in Select(p.by("#status-org")).first_selected_option.text
    Select(p.by("#status-state")).select_by_visible_text("待评委会评审")
    Select(p.by("#status-series")).select_by_visible_text(SERIES)
    Select(p.by("#status-level")).select_by_visible_text("中级")
    p.click("#status-org-submit")
    row = p.by("#status tbody tr")
    assert "孙申报" in row.text and p.by("#status-total").text == "共 1 份", row.text
    assert [Select(p.by(f"#status-{name}")).first_selected_option.text for name in ("state", "series", "level")] == ["待评委会评审", SERIES, "中级"]
    assert_controls_named(p)
    p.shot("status-filtered")
    Select(p.by("#status-level")).select_by_visible_text("副高级")
    p.click("#status-org-submit")
    assert "暂无申报" in p.by("#status").text and p.by("#status-total").text == "共 0 份"


def test_nothing_typed_on_the_application_page_is_lost(daemon_factory, browser, tmp_path):
    """The application page is one form: a section's 保存 saves every section typed, so do 上传附件
    and 提交申报; a refused save (a section over 64 KiB) comes back with everything as typed."""
    d = daemon_factory().start()
    _, login, applicant, app = city_with_draft(d, PASSWORD)
    p = Pages(browser, f"http://127.0.0.1:{d.http_port}/t/zhengzhou/", "application-form")
    p.login_ok(login, PASSWORD)
    p.go(f"applications/{app['id']}")
    assert p.by("#trail tbody").text == "尚未提交，暂无审查记录", "a draft's empty trail says why"

    def typed(section: str, text: str) -> None:
        p.fill(f"textarea[data-section='{section}']", text)

    def stored() -> dict:
        return {k: v.get("内容") for k, v in expect(applicant.get(f"applications/{app['id']}"), 200).json["sections"].items()}

    # Two sections typed, the first one's 保存 pressed: both are saved.
    typed("基本信息", "周填写，女")
    typed("工作经历", "逸夫小学任教十年")
    p.press(p.all("button.save-section")[0])
    assert "已保存：基本信息、工作经历" in p.flash_ok(), p.flash_error()
    assert stored() == {"基本信息": "周填写，女", "工作经历": "逸夫小学任教十年"}

    # Another tab (here the API) changes 工作经历; a save of this page, where it was not touched,
    # leaves it as it is now, not as the page showed it.
    expect(applicant.put(f"applications/{app['id']}/sections/{quote('工作经历')}", {"内容": "另一处改的：任教十一年"}), 200)
    typed("基本信息", "周填写，女，汉族")
    p.press(p.all("button.save-section")[0])
    assert "已保存：基本信息" in p.flash_ok(), p.flash_error()
    assert stored() == {"基本信息": "周填写，女，汉族", "工作经历": "另一处改的：任教十一年"}
    # Changed both there and here: refused, nothing saved, the page keeps what was typed; saved
    # again after that, the text typed here stands.
    expect(applicant.put(f"applications/{app['id']}/sections/{quote('基本信息')}", {"内容": "另一处：周填写"}), 200)
    typed("基本信息", "这里填的：周填写，女")
    p.press(p.all("button.save-section")[0])
    assert "已在别处修改" in p.flash_error() and "基本信息" in p.flash_error()
    assert stored()["基本信息"] == "另一处：周填写"
    assert p.by("textarea[data-section='基本信息']").get_attribute("value") == "这里填的：周填写，女"
    p.press(p.all("button.save-section")[0])
    assert "已保存：基本信息" in p.flash_ok(), p.flash_error()
    assert stored()["基本信息"] == "这里填的：周填写，女"

    # Typed, then an attachment uploaded: the text is saved with it.
    typed("学历学位", "本科")
    pdf = tmp_path / "毕业证书;学位证书.pdf"   # a ; in a name: the browser quotes it, nothing cuts it off
    pdf.write_bytes(b"%PDF-1.4\n%%EOF\n")
    p.by("#attachment-file").send_keys(str(pdf))
    p.click("#attachment-upload")
    assert "已上传" in p.flash_ok(), p.flash_error()
    assert stored()["学历学位"] == "本科" and "毕业证书;学位证书.pdf（" in shown_text(p, p.by("#attachments")), shown_text(p, p.by("#attachments"))

    # A section over the limit is refused: the page comes back with everything as typed.
    typed("业绩成果", "优秀教师")
    long_text = "长" * 22000   # 66,000 bytes in UTF-8
    p.d.execute_cdp_cmd("Runtime.evaluate", {"expression": f"document.querySelector(\"textarea[data-section='论文著作']\").value = '{long_text}'"})
    p.press(p.all("button.save-section")[0])
    assert "64" in p.flash_error()
    assert p.by("textarea[data-section='业绩成果']").get_attribute("value") == "优秀教师"
    assert len(p.by("textarea[data-section='论文著作']").get_attribute("value")) == 22000
    assert "论文著作" not in stored() and "业绩成果" not in stored(), "all or nothing: no section of a refused save is kept"

    # Fixed, a file chosen but 上传附件 not pressed, and 提交申报 pressed without 保存: saved, the
    # file uploaded, then submitted with it (the chosen file was once dropped without a word).
    typed("论文著作", "论文两篇")
    for section in ("获奖情况", "年度考核", "继续教育"):
        typed(section, section)
    png = tmp_path / "继续教育证书.png"
    png.write_bytes(api_png())
    p.by("#attachment-file").send_keys(str(png))
    p.click("#app-submit")
    assert "已提交" in p.flash_ok() and "附件“继续教育证书.png”已上传" in p.flash_ok(), (p.flash_ok(), p.flash_error())
    shown = expect(applicant.get(f"applications/{app['id']}"), 200).json
    assert shown["state"] == "in_review" and shown["sections"]["论文著作"] == {"内容": "论文两篇"}, shown
    files = expect(applicant.get(f"applications/{app['id']}/attachments"), 200).json
    assert sorted(f["name"] for f in files["attachments"]) == ["毕业证书;学位证书.pdf", "继续教育证书.png"], files


def test_lines_saved_through_the_api_keep_their_breaks_when_the_page_saves(daemon_factory, browser):
    """A section saved through the API with lines (a field of its own, 内容 with LF) is left as
    it is when the applicant saves another section on the page: the browser posts a textarea's
    lines with CR LF, and a text input would drop them; neither counts as an edit."""
    d = daemon_factory().start()
    _, login, applicant, app = city_with_draft(d, PASSWORD)
    awards = {"获奖明细": "2019 省级一等奖\n2021 国家级二等奖", "内容": "获奖两项\n均为第一完成人"}
    expect(applicant.put(f"applications/{app['id']}/sections/{quote('获奖情况')}", awards), 200)
    before = expect(applicant.get(f"applications/{app['id']}"), 200).json
    p = Pages(browser, f"http://127.0.0.1:{d.http_port}/t/zhengzhou/", "application-form")
    p.login_ok(login, PASSWORD)
    p.go(f"applications/{app['id']}")
    field = p.by("textarea[name='field:获奖情况:获奖明细']")
    assert field.get_attribute("value") == awards["获奖明细"], "a field of several lines is a textarea"
    p.fill("textarea[data-section='学历学位']", "本科")
    p.press(p.all("button.save-section")[0])
    assert p.flash_ok().endswith("已保存：学历学位"), p.flash_ok()
    after = expect(applicant.get(f"applications/{app['id']}"), 200).json
    assert after["sections"]["获奖情况"] == awards
    assert after["version"] == before["version"] + 1, "one section saved, not two"
    # Typed on the page with lines of its own: stored with LF, as the API would store it.
    p.fill("textarea[data-section='学历学位']", "本科\n硕士")
    p.press(p.all("button.save-section")[0])
    assert expect(applicant.get(f"applications/{app['id']}"), 200).json["sections"]["学历学位"] == {"内容": "本科\n硕士"}


def test_text_typed_is_shown_back_when_the_session_has_ended_or_the_page_is_of_an_earlier_one(daemon_factory, browser, tmp_path):
    """An applicant writes 业绩成果 while their session ends (here: signed out elsewhere): the
    save is refused, nothing is stored, and the answer shows what was typed for copying, with the
    sign-in page in a new window. A page opened before signing out and in again (another
    window) is refused as of an earlier session, again with the typed text shown."""
    d = daemon_factory().start()
    _, login, applicant, app = city_with_draft(d, PASSWORD)
    p = Pages(browser, f"http://127.0.0.1:{d.http_port}/t/zhengzhou/", "kept-input")
    p.login_ok(login, PASSWORD)
    p.go(f"applications/{app['id']}")
    written = "主持市级课题一项。\n指导青年教师三名，均获优质课奖。"
    p.fill("textarea[data-section='业绩成果']", written)
    p.fill("textarea[data-section='基本信息']", "周填写，女")
    # A file is chosen too (the page is one form: it travels with every button), larger than
    # the text alone may be.
    big = tmp_path / "业绩材料.pdf"
    big.write_bytes(b"%PDF-1.4\n" + b"0" * (3 << 20) + b"\n%%EOF\n")
    p.by("#attachment-file").send_keys(str(big))
    # The browser's session ends (signed out elsewhere; an idle end reads the same).
    expect(applicant.api.delete("session", token=p.d.get_cookie("zc_session")["value"]), (200, 204))
    p.press(p.all("button.save-section")[0])
    assert "登录已结束" in p.flash_error()
    kept = {area.find_element("xpath", "..").text.split("\n")[0]: area.get_attribute("value") for area in p.all(".kept-value")}
    assert kept == {"基本信息": "周填写，女", "业绩成果": written}, kept
    assert p.by("#kept-login").get_attribute("target") == "_blank"
    p.shot("session-ended")
    assert expect(applicant.get(f"applications/{app['id']}"), 200).json["sections"] == {}, "nothing was saved"

    # Signed in again: a page of that session, posted after signing out and in again in another window.
    p.login_ok(login, PASSWORD)
    p.go(f"applications/{app['id']}")
    p.fill("textarea[data-section='业绩成果']", written)
    first = p.d.current_window_handle
    p.d.switch_to.new_window("tab")
    p.go("home")
    p.logout()
    p.login_ok(login, PASSWORD)
    p.d.close()
    p.d.switch_to.window(first)
    p.press(p.all("button.save-section")[0])
    assert "表单已过期" in p.flash_error()
    assert [a.get_attribute("value") for a in p.all(".kept-value")] == [written]
    assert not p.all("#kept-login"), "signed in: no sign-in link, the page's own menu instead"
    assert p.all("nav a")
    p.shot("earlier-session")
    assert expect(applicant.get(f"applications/{app['id']}"), 200).json["sections"] == {}, "nothing was saved"
    # Back on the page (now of this session), the same text saves.
    p.follow(p.by("#kept-back"))
    p.fill("textarea[data-section='业绩成果']", written)
    p.press(p.all("button.save-section")[0])
    assert "已保存：业绩成果" in p.flash_ok(), p.flash_error()


def test_an_account_set_up_without_a_role_or_series_is_told_why_its_screens_are_empty(daemon_factory, browser):
    """Staff without a review role, or a reviewer without series, see an empty 首页 and queue:
    both say what is missing and who can give it; a reviewer with everything sees no such line."""
    d = daemon_factory().start()
    info = create_tenant(d, "zhengzhou", "4101", "郑州市")
    api = Api(d.http_port, "zhengzhou")
    city = api.first_login(info["admin_login"], info["admin_password"], PASSWORD)
    for login, roles, series in (("staff.none", [], [SERIES]), ("staff.noseries", ["handler"], []), ("staff.full", ["handler"], [SERIES])):
        r = expect(city.post("orgs/1/staff", {"login": login, "name": login}), 201).json
        expect(city.post(f"staff/{r['account']['id']}/enable"), 200)
        expect(city.put(f"staff/{r['account']['id']}/roles", {"roles": roles}), 200)
        expect(city.put(f"staff/{r['account']['id']}/permissions", {"series": series, "sections": SECTIONS}), 200)
        api.first_login(login, r["password"], PASSWORD)
    p = Pages(browser, f"http://127.0.0.1:{d.http_port}/t/zhengzhou/", "review-setup")

    p.login_ok("staff.none", PASSWORD)
    assert "尚未分配审查角色" in p.by("#setup-hint").text and "本单位人员角色管理" in p.by("#setup-hint").text
    assert p.by("#todo-none").text == "暂无待办事项"
    p.shot("no-role")
    p.logout()

    p.login_ok("staff.noseries", PASSWORD)
    assert "尚未授予可审查的系列" in p.by("#setup-hint").text
    p.follow(next(a for a in p.all("nav a") if a.text == "经办人审查"))
    assert "尚未授予可审查的系列" in p.by("#setup-hint").text and "暂无待审查的申报" in p.by("#queue").text
    p.shot("no-series")
    p.logout()

    p.login_ok("staff.full", PASSWORD)
    assert not p.all("#setup-hint")
    p.follow(next(a for a in p.all("nav a") if a.text == "经办人审查"))
    assert not p.all("#setup-hint") and "暂无待审查的申报" in p.by("#queue").text
    p.logout()


def test_a_stale_page_of_a_submitted_application_says_it_can_no_longer_be_changed(daemon_factory):
    """The page was opened, then the application submitted from another tab: a save from the old
    page says it can no longer be changed (not that it conflicts, whose 以本页为准 would invite a
    second save that cannot be made either), and changes nothing."""
    d = daemon_factory().start()
    sections = ["基本信息", "学历学位", "工作经历", "业绩成果", "论文著作", "获奖情况", "年度考核", "继续教育"]
    _, _, applicant, app = city_with_draft(d, PASSWORD, sections)
    cookie = {"Cookie": f"zc_session={applicant.cookie}"}
    page = applicant.api.raw("GET", f"/t/zhengzhou/applications/{app['id']}", headers=cookie).body.decode()
    orig = re.search(r'name="orig:基本信息" value="([^"]*)"', page).group(1)
    # The other tab changes 基本信息, then submits.
    expect(applicant.put(f"applications/{app['id']}/sections/{quote('基本信息')}", {"内容": "另一处改的"}), 200)
    expect(applicant.post(f"applications/{app['id']}/submit"), 200)
    body = "&".join(f"{quote(k)}={quote(v)}" for k, v in [("_csrf", applicant.csrf), ("orig:基本信息", orig), ("content:基本信息", "旧页面改的"), ("then", "save")])
    with unchanged(d, "zhengzhou"):
        r = applicant.api.raw("POST", f"/t/zhengzhou/applications/{app['id']}/sections", body=body.encode(),
                              headers={**cookie, "Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 409 and "不能修改" in r.body.decode() and "以本页为准" not in r.body.decode(), (r.status, r.body.decode()[-2000:])


# The printed 评审表: printed by the browser as an office prints it, and read back from the PDF.

A4_CONTENT_PX = 658  # 210 mm less the 评审表's 18 mm @page margins, in CSS px (96 per inch)
LEVELS = ("school.h", "school.l", "dept.h", "dept.l", "city.h", "city.l")


@dataclass
class Chain:
    api: Api
    city: object
    school: object
    school_id: int
    school_login: str
    series: str
    reviewers: dict
    d: object = None


def three_levels(d, *, dept_name: str, school_name: str, series: str, names: dict[str, str], places: int = 5) -> Chain:
    """郑州市 → dept_name → school_name, each org with its seal (three different images: the
    city's is stamped on its 负责人's opinion and on its committee's) and
    its 经办人 and 负责人 (named `names` by login), the school's plan for `places` 中级 of
    `series`, the city's committee for it."""
    info = create_tenant(d, "zhengzhou", "4101", "郑州市")
    api = Api(d.http_port, "zhengzhou")
    city = api.first_login(info["admin_login"], info["admin_password"], PASSWORD)
    dept_org, dept_admin = create_child(city, 1, dept_name, "department")
    dept = approve_unit(api, city, dept_org["id"], dept_admin["login"], dept_admin["password"], new_password=PASSWORD)
    school_org, school_admin = create_child(dept, dept_org["id"], school_name, "unit")
    school = approve_unit(api, dept, school_org["id"], school_admin["login"], school_admin["password"], new_password=PASSWORD)
    reviewers = {}
    for n, (admin, org_id, prefix) in enumerate(((school, school_org["id"], "school"), (dept, dept_org["id"], "dept"), (city, 1, "city"))):
        expect(admin.upload(f"orgs/{org_id}/seal", api_png(120, 120, seed=11 + n * 50)), (200, 204))
        for role, suffix in (("handler", "h"), ("leader", "l")):
            login = f"{prefix}.{suffix}"
            r = expect(admin.post(f"orgs/{org_id}/staff", {"login": login, "name": names[login]}), 201).json
            expect(admin.post(f"staff/{r['account']['id']}/enable"), 200)
            expect(admin.put(f"staff/{r['account']['id']}/roles", {"roles": [role]}), 200)
            expect(admin.put(f"staff/{r['account']['id']}/permissions", {"series": [series], "sections": SECTIONS + ["附件"]}), 200)
            reviewers[login] = api.first_login(login, r["password"], PASSWORD)
    approved_plan(school, city, school_org["id"], [{"series": series, "level": "中级", "count": places}])
    expect(city.post("committees", {"name": f"郑州市{series}中级评审委员会", "series": [series], "levels": ["中级"]}), 201)
    return Chain(api, city, school, school_org["id"], school_admin["login"], series, reviewers, d)


def through_the_chain(chain: Chain, *, applicant_name: str, title: str, comments: dict[str, str], note: str) -> int:
    """A new applicant of the school whose 中级 application every level passes with `comments`
    (by reviewer login), then the committee's 面试通知 and its result (`note`), in 公示."""
    person = expect(chain.school.post(f"orgs/{chain.school_id}/applicants", {"id_number": fresh_id_number(), "name": applicant_name}), 201).json
    applicant = chain.api.first_login(person["account"]["login"], person["password"], PASSWORD)
    app = expect(applicant.post("applications", {"kind": "title", "year": 2026, "series": chain.series, "level": "中级", "title": title}), 201).json
    for section in SECTIONS:
        expect(applicant.put(f"applications/{app['id']}/sections/{quote(section)}", {"内容": f"{section}：内容"}), 200)
    expect(applicant.post(f"applications/{app['id']}/submit"), 200)
    for login in LEVELS:
        version = expect(chain.reviewers[login].get(f"applications/{app['id']}"), 200).json["version"]
        expect(chain.reviewers[login].post(f"applications/{app['id']}/decision", {"decision": "pass", "comment": comments[login], "version": version}), 200)
    expect(chain.city.put(f"applications/{app['id']}/interview", {"time": interview_time(10, 9), "place": "郑州市人力资源和社会保障局三楼301会议室"}), 200)
    interview_held(chain.d, "zhengzhou")
    expect(chain.city.post(f"applications/{app['id']}/result", {"result": "通过", "note": note}), 200)
    return app["id"]


def long_text(label: str, length: int) -> str:
    """`length` characters of an opinion written at length, numbered clause by clause, ending
    with `label`全文完 (no clause repeats: a line missing from a print is missed, and where the
    text starts and ends is found)."""
    clause = "经审查，该同志思想政治素质好，师德高尚，教育教学业绩突出，所报材料真实、完整、规范，符合申报条件，同意推荐"
    end = f"{label}全文完。"
    out, k = "", 0
    while len(out) < length:
        k += 1
        out += f"{label}第{k}条：{clause}。"
    return out[:length - len(end)] + end


def printed(p: Pages, *, css_page_size: bool = False):
    """The page printed to PDF as a person's 打印 does: on A4 through WebDriver's print (its
    paper size asked for), or with the page's own CSS page size preferred over a Letter
    default (Chromium's DevTools print; WebDriver's has no such option). Kept beside the
    screenshots."""
    import base64
    from pdf_support import Pdf
    if css_page_size:
        data = p.d.execute_cdp_cmd("Page.printToPDF", {"paperWidth": 8.5, "paperHeight": 11, "preferCSSPageSize": True})["data"]
    else:
        from selenium.webdriver.common.print_page_options import PrintOptions
        options = PrintOptions()
        options.page_width, options.page_height = 21.0, 29.7
        data = p.d.print_page(options)
    pdf = base64.b64decode(data)
    p.n += 1
    (SHOTS / f"{p.name}-{p.n:02d}-{'css-page-size' if css_page_size else 'a4'}.pdf").write_bytes(pdf)
    return Pdf(pdf)


def assert_a4(pdf) -> None:
    from pdf_support import A4_POINTS
    for n, page in enumerate(pdf.pages, 1):
        width, height = page.size
        assert abs(width - A4_POINTS[0]) <= 1 and abs(height - A4_POINTS[1]) <= 1, f"page {n} is {width}×{height} pt, not A4"


def print_layout(p: Pages) -> dict:
    """The 评审表 as laid out for print (media emulated, the viewport as wide as A4's printable
    width): elements wider than the body, the opinions whose text lines overlap their seal or
    their signature, how many seals, whether the 打印 button shows, and where the opinions'
    column starts (a share of the width)."""
    p.d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    p.d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": A4_CONTENT_PX, "height": 1000, "deviceScaleFactor": 1, "mobile": False})
    try:
        return p.d.execute_script("""
            document.documentElement.style.scrollbarWidth = 'none';  // the whole width is the page's, as on paper
            const body = document.body.getBoundingClientRect();
            const boxes = n => { const r = document.createRange(); r.selectNodeContents(n);
                                 return Array.from(r.getClientRects()).filter(b => b.width > 0 && b.height > 0); };
            const meet = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
            // Boxes wider than the body, and characters drawn beyond it (not blanks: an ideographic
            // space at the end of a line hangs past it, drawing nothing).
            const out = b => b.width > 0 && (b.right > body.right + 0.5 || b.left < body.left - 0.5);
            const wide = Array.from(document.body.querySelectorAll('*'))
                .filter(e => getComputedStyle(e).display !== 'inline' && out(e.getBoundingClientRect())).map(e => e.outerHTML.slice(0, 120));
            const texts = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
            for (let t; (t = texts.nextNode());) {
                if (!boxes(t).some(out)) continue;
                for (let i = 0; i < t.data.length; i++) {
                    if (/\\s/.test(t.data[i])) continue;
                    const r = document.createRange(); r.setStart(t, i); r.setEnd(t, i + 1);
                    if (Array.from(r.getClientRects()).some(out)) { wide.push(t.data.slice(0, 60)); break; }
                }
            }
            const overlaps = [];
            let sealed = 0;
            for (const op of document.querySelectorAll('#opinions .opinion')) {
                const text = op.querySelector('p'), sign = op.querySelector('.sign'), seal = op.querySelector('.seal');
                // The opinion's own lines: the text of the paragraph, not the signature ending it.
                const lines = Array.from(text.childNodes).filter(n => n.nodeType === Node.TEXT_NODE).flatMap(boxes);
                const signed = sign ? boxes(sign) : [];
                if (seal) {
                    sealed++;
                    const s = seal.getBoundingClientRect();
                    if (lines.concat(signed).some(b => meet(b, s))) overlaps.push('seal: ' + text.textContent.slice(0, 40));
                }
                if (lines.some(l => signed.some(b => meet(l, b)))) overlaps.push('signature: ' + text.textContent.slice(0, 40));
            }
            return {wide: wide, overlaps: overlaps, sealed: sealed, width: document.documentElement.clientWidth,
                    scrolls: document.documentElement.scrollWidth > document.documentElement.clientWidth,
                    button: document.getElementById('print').getClientRects().length > 0,
                    column: document.querySelector('#opinions th').getBoundingClientRect().right / document.documentElement.clientWidth};
        """)
    finally:
        p.d.execute_script("document.documentElement.style.scrollbarWidth = ''")
        p.d.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        p.d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


def assert_lays_out_for_print(p: Pages, seals: int) -> float:
    """print_layout finds nothing wider than the page, nothing overlapping, `seals` seals and
    no 打印 button; returns where the opinions' column starts."""
    layout = print_layout(p)
    column = layout.pop("column")
    assert layout == {"wide": [], "overlaps": [], "sealed": seals, "scrolls": False, "button": False, "width": A4_CONTENT_PX}, layout
    return column


def printed_as(text: str):
    """A pattern of `text` as the PDF's text gives it back: NFKC (as that text is read), and
    an ideograph that the font draws with a radical's glyph (见 → ⻅, CJK Radicals Supplement,
    which NFKC leaves) matches that radical."""
    import unicodedata
    return re.compile("".join(f"[{c}\u2e80-\u2eff]" if "\u4e00" <= c <= "\u9fff" else re.escape(c)
                              for c in unicodedata.normalize("NFKC", text)))


def page_text(page) -> str:
    import unicodedata
    return unicodedata.normalize("NFKC", page.text)


def opinion_columns(pdf, share: float) -> list[str]:
    """Each page's text in the opinions' right-hand column (right of the row headers, which end
    at `share` of the printable width), line after line, as NFKC (a glyph maps back to a
    Kangxi radical where the font shares it: ⼈ for 人)."""
    import unicodedata
    out = []
    for page in pdf.pages:
        area = page.clips[0]
        edge = area.x0 + share * (area.x1 - area.x0)
        glyphs = sorted((g for g in page.glyphs if g.box.x0 >= edge), key=lambda g: (-round(g.box.y0), g.box.x0))
        out.append(unicodedata.normalize("NFKC", "".join(g.char for g in glyphs)))
    return out


def pages_of(columns: list[str], text: str) -> list[int]:
    pattern = printed_as(text)
    return [n for n, column in enumerate(columns, 1) if pattern.search(column)]


def assert_printed_cleanly(pdf) -> None:
    """Every glyph and every image inside its page's printable area (nothing cut at a page's
    edge, no seal split over two pages), and no glyph on an image (a seal)."""
    for n, page in enumerate(pdf.pages, 1):
        area = page.clips[0]
        assert abs(area.x0 - 51.02) < 2 and abs(page.size[1] - area.y1 - 51.02) < 2, f"page {n}: the printable area is not within 18 mm margins: {area}"
        cut = [g.char for g in page.glyphs if not g.box.inside(area, slack=1)]
        assert not cut, f"page {n}: text drawn outside the printable area: {''.join(cut)[:80]}"
        split = [i for i in page.images if not i.box.inside(area, slack=1)]
        assert not split, f"page {n}: a seal cut at the page's edge: {split}"
        on_seal = [g.char for g in page.glyphs for i in page.images if g.box.overlaps(i.box, slack=0.5)]
        assert not on_seal, f"page {n}: text drawn over a seal: {''.join(on_seal)[:80]}"


def assert_opinions_whole(columns: list[str], comments: dict[str, str], what: str = "") -> int:
    """Every level's opinion (通过。 and its comment) printed whole in the opinions' column, in
    the chain's order; returns where the last one ends in the column's text."""
    text, at = "".join(columns), 0
    for login in LEVELS:
        found = printed_as(f"通过。{comments[login]}").search(text, at)
        assert found, f"{what + ': ' if what else ''}{login}'s opinion is not printed whole: {text[at:at + 200]}"
        at = found.end()
    return at


def assert_signed(pdf, columns: list[str], names: dict[str, str], ending: dict[str, str] | None = None) -> None:
    """Each opinion's signature (审查人, the reviewer's name, the date) is printed whole on one
    page, a 负责人's seal on that page too; with `ending` (the opinions), on the page where the
    opinion's text ends."""
    for login in LEVELS:
        signature = re.compile(printed_as(f"审查人：{names[login]}").pattern + r"\s?\d{4}-\d\d-\d\d \d\d:\d\d")
        signed = [n for n, column in enumerate(columns, 1) if signature.search(column)]
        assert len(signed) == 1, f"{login}'s signature is not printed whole on one page: {signed}"
        if login.endswith(".l"):
            assert pdf.pages[signed[0] - 1].images, f"{login}: no seal on page {signed[0]}, where the opinion is signed"
        if ending is not None:
            ends = pages_of(columns, ending[login][-16:])
            assert ends == signed, f"{login}: the opinion ends on page(s) {ends}, signed on {signed}"


def column_lines(page, share: float) -> list[tuple[float, str]]:
    """The page's lines in the opinions' column (right of the row headers, which end at `share`
    of the printable width), top to bottom: each line's top (PDF points, up) and its text (NFKC)."""
    import unicodedata
    area = page.clips[0]
    edge = area.x0 + share * (area.x1 - area.x0)
    lines: list[list] = []
    for g in sorted((g for g in page.glyphs if g.box.x0 >= edge), key=lambda g: (-g.box.y1, g.box.x0)):
        if lines and abs(lines[-1][0] - g.box.y1) < 3:
            lines[-1][1].append(g)
        else:
            lines.append([g.box.y1, [g]])
    return [(top, unicodedata.normalize("NFKC", "".join(g.char for g in sorted(glyphs, key=lambda g: g.box.x0)))) for top, glyphs in lines]


# An opinion's signature line as printed: 审查人 and the reviewer's name when the reader is shown
# them, then the date (the committee's: the date alone).
SIGNATURE_LINE = re.compile(f"(?:{printed_as('审查人：').pattern}.*)?" + r"\d{4}-\d\d-\d\d \d\d:\d\d")


def page_openings(pdf, share: float) -> list[str]:
    """What each page after the first begins with in the opinions' column: "seal" when an image
    is drawn above its first line of text, else that line."""
    out = []
    for page in pdf.pages[1:]:
        lines = column_lines(page, share)
        top = lines[0][0] if lines else float("-inf")
        out.append("seal" if any(i.box.y1 > top + 1 for i in page.images) else lines[0][1] if lines else "")
    return out


def assert_no_signature_opens_a_page(pdf, share: float, what: str) -> None:
    """No page after the first begins with an opinion's signature or seal: each stays with its
    opinion's last lines (a signature alone at the top of a page signs nothing on it)."""
    for n, opening in enumerate(page_openings(pdf, share), 2):
        assert opening != "seal" and not SIGNATURE_LINE.fullmatch(opening), \
            f"{what}: page {n} begins with a signature or seal cut off from its opinion: {opening!r}"


def test_the_review_form_prints_on_one_a4_page_with_every_seal(daemon_factory, browser):
    """A typical 评审表 — three levels' six opinions of a sentence, four seals (each 负责人's
    org's, and the city's on its committee's opinion), the committee's 面试通知 and result — printed as an office prints it: one A4 page (what an office files and
    a committee reads), in the page's own CSS page size too, each seal embedded as an image
    and drawn 24 mm square, no text cut or on a seal, no 打印 button. Opinions of a paragraph
    each take two pages, none of them split, each signed and sealed where it ends."""
    d = daemon_factory().start()
    names = {"school.h": "王经办", "school.l": "李校长", "dept.h": "赵科员", "dept.l": "钱局长", "city.h": "孙审核", "city.l": "周主任"}
    chain = three_levels(d, dept_name="管城区教育局", school_name="逸夫小学", series=SERIES, names=names)
    comments = {"school.h": "材料齐全，情况属实。", "school.l": "经学校职称评审推荐小组审议，同意推荐。",
                "dept.h": "经审核，申报材料真实有效，符合申报条件。", "dept.l": "同意推荐。",
                "city.h": "经审核，符合中级职称申报条件，材料齐全。", "city.l": "同意提交评委会评审，请评委会审议。"}
    app_id = through_the_chain(chain, applicant_name="孙申报", title="一级教师", comments=comments, note="同意")
    p = Pages(browser, f"http://127.0.0.1:{d.http_port}/t/zhengzhou/", "review-print")
    p.login_ok(chain.school_login, PASSWORD)
    p.go(f"api/v1/applications/{app_id}/review-form")
    assert p.by("#print").is_displayed(), "the screen shows 打印"
    assert p.d.execute_script("return Array.from(document.querySelectorAll('img.seal')).filter(i => i.complete && i.naturalWidth > 0).length") == 4
    assert_lays_out_for_print(p, seals=4)

    pdf = printed(p)
    assert_a4(pdf)
    assert len(pdf.pages) == 1, f"a typical 评审表 prints on {len(pdf.pages)} pages"
    page = pdf.pages[0]
    text = page_text(page)
    for login, comment in comments.items():
        assert printed_as(f"通过。{comment}").search(text), (login, text)
        assert printed_as(f"审查人：{names[login]}").search(text), (login, text)
    assert printed_as("评委会意见").search(text) and printed_as("面试时间").search(text) and printed_as("面试地点").search(text), text
    assert not printed_as("打印").search(text), text
    # The three orgs' seals, each its own image, each drawn on the page (the city's twice), 24 mm square (68 pt).
    assert len(pdf.image_objects) >= 3, pdf.image_objects
    assert len({i.obj for i in page.images}) >= 3 and len(page.images) == 4, page.images
    for image in page.images:
        assert abs((image.box.x1 - image.box.x0) - 68.03) < 1.5 and abs((image.box.y1 - image.box.y0) - 68.03) < 1.5, image
    # Printed at its size, not shrunk to fit: the heading's characters are 20 pt.
    heading = next(g for g in page.glyphs if g.char == "专")
    assert abs((heading.box.x1 - heading.box.x0) - 20) < 0.5, heading
    assert_printed_cleanly(pdf)
    # The page's own @page size: preferred over a Letter default, it is A4.
    by_css = printed(p, css_page_size=True)
    assert_a4(by_css)
    assert len(by_css.pages) == 1
    p.shot("typical")

    # A paragraph from each level (150–200 characters): two pages, broken between opinions.
    paragraphs = {login: long_text(f"〔{login}〕", 150 + 10 * n) for n, login in enumerate(LEVELS)}
    longer = through_the_chain(chain, applicant_name="钱申报", title="一级教师", comments=paragraphs, note="同意")
    p.go(f"api/v1/applications/{longer}/review-form")
    column = assert_lays_out_for_print(p, seals=4)
    pdf = printed(p)
    assert_a4(pdf)
    assert len(pdf.pages) == 2, f"six paragraphs print on {len(pdf.pages)} pages"
    assert_printed_cleanly(pdf)
    columns = opinion_columns(pdf, column)
    for login, comment in paragraphs.items():
        assert len(pages_of(columns, f"通过。{comment}")) == 1, f"{login}'s paragraph is split over two pages"
    assert_signed(pdf, columns, names, ending=paragraphs)
    p.shot("paragraphs")

    # A reviewer's copy has the opinions without the seals' images: nothing to embed.
    p.go("home")
    p.logout()
    p.login_ok("school.h", PASSWORD)
    p.go(f"api/v1/applications/{app_id}/review-form")
    assert_lays_out_for_print(p, seals=0)
    plain = printed(p)
    assert plain.image_objects == [] and len(plain.pages) == 1, plain.image_objects
    assert printed_as("通过。材料齐全，情况属实。").search(page_text(plain.pages[0]))


def test_a_review_form_at_every_maximum_breaks_across_pages_without_cutting_text(daemon_factory, browser):
    """The worst 评审表: every opinion at the 2000-character maximum, the committee's note at
    its 1000, the unit, its department, the applicant and every reviewer named at the
    64-character maximum, the catalog's longest 中级 series. It breaks across A4 pages, each
    opinion going on where the last one ended; no line is cut or lost, nothing is wider than
    the page, no text lies on a seal or under a signature, each signature is whole on one page
    with its seal, and every page but the last is filled."""
    d = daemon_factory().start()

    def name(start: str) -> str:
        return (start + "（郑州市管城回族区紫荆山南路与陇海路交叉口向东二百米路北综合服务中心联合体）" * 2)[:64]

    names = {login: name(f"审查人{login}") for login in LEVELS}
    series = max(("卫生技术人员（医疗类）", "卫生技术人员（护理类）", "群众文化专业人员"), key=len)
    chain = three_levels(d, dept_name=name("郑州市管城回族区教育局"), school_name=name("郑州市管城回族区逸夫小学"), series=series, names=names)
    comments = {login: long_text(f"〔{login}〕", 2000) for login in LEVELS}
    note = long_text("〔评委会〕", 1000)
    app_id = through_the_chain(chain, applicant_name=name("阿依古丽·买买提"), title="主治医师", comments=comments, note=note)
    p = Pages(browser, f"http://127.0.0.1:{d.http_port}/t/zhengzhou/", "review-print-longest")
    p.login_ok(chain.school_login, PASSWORD)
    p.go(f"api/v1/applications/{app_id}/review-form")
    column = assert_lays_out_for_print(p, seals=4)

    pdf = printed(p)
    assert_a4(pdf)
    assert_printed_cleanly(pdf)
    assert len({i.obj for page in pdf.pages for i in page.images}) >= 3, [page.images for page in pdf.pages]
    # 13,000 characters take many pages, each filled: every page but the last is printed down to
    # its last lines (a page left half empty is a row moved whole to the next page).
    assert len(pdf.pages) > 6, f"the longest 评审表 prints on {len(pdf.pages)} pages"
    for n, page in enumerate(pdf.pages[:-1], 1):
        lowest = min([g.box.y0 for g in page.glyphs] + [i.box.y0 for i in page.images])
        assert lowest - page.clips[0].y0 < 80, f"page {n} ends {lowest - page.clips[0].y0:.0f} pt above its printable bottom"
    assert not printed_as("打印").search("".join(page_text(page) for page in pdf.pages))
    columns = opinion_columns(pdf, column)
    # Every opinion whole and in order, though each is longer than a page.
    at = assert_opinions_whole(columns, comments)
    assert printed_as(note).search("".join(columns), at), "the committee's note is printed whole, after the opinions"
    assert_signed(pdf, columns, names)
    by_css = printed(p, css_page_size=True)
    assert_a4(by_css)
    assert len(by_css.pages) == len(pdf.pages)
    p.shot("longest")


def test_a_long_opinion_is_signed_and_sealed_beside_its_last_lines(daemon_factory, browser):
    """An opinion too long to be kept on one page (over 400 characters) goes on over the page,
    but its signature (审查人, date) and its org's seal never begin a page alone, cut off from
    what they sign: at least the opinion's last lines come with them, as on a signed paper form.
    Lengths are swept so that a page ends at each point near an opinion's end: six opinions of
    480–660 characters (a page ends within the last lines of one of them), and a 负责人's
    opinion at the 2000 maximum after a 经办人's of 580–760 (it starts low on the first page,
    fills the second and ends at its foot: Chromium honours no break-before: avoid on a
    signature after a paragraph that went on from an earlier page, but it does honour the
    paragraph's widows, and the signature is the paragraph's last line)."""
    d = daemon_factory().start()
    names = {"school.h": "王经办", "school.l": "李校长", "dept.h": "赵科员", "dept.l": "钱局长", "city.h": "孙审核", "city.l": "周主任"}
    sweep = [[n] * 6 for n in range(480, 661, 30)] + [[n, 2000, 50, 50, 50, 50] for n in range(580, 761, 30)]
    chain = three_levels(d, dept_name="管城区教育局", school_name="逸夫小学", series=SERIES, names=names, places=len(sweep))
    p = Pages(browser, f"http://127.0.0.1:{d.http_port}/t/zhengzhou/", "review-print-signed")
    p.login_ok(chain.school_login, PASSWORD)
    # How many pages back an opinion signed within its last lines at the top of a page began:
    # the cases the sweep is there to reach.
    reached = set()
    for lengths in sweep:
        what = f"opinions of {lengths} characters"
        comments = {login: long_text(f"〔{login}〕", n) for login, n in zip(LEVELS, lengths)}
        app_id = through_the_chain(chain, applicant_name="吴申报", title="一级教师", comments=comments, note="同意")
        p.go(f"api/v1/applications/{app_id}/review-form")
        column = assert_lays_out_for_print(p, seals=4)
        pdf = printed(p)
        assert_a4(pdf)
        assert_printed_cleanly(pdf)
        assert_no_signature_opens_a_page(pdf, column, what)
        columns = opinion_columns(pdf, column)
        assert_opinions_whole(columns, comments, what)
        assert_signed(pdf, columns, names, ending=comments)
        for login in LEVELS:
            began = pages_of(columns, f"通过。{comments[login][:12]}")[0]
            signature = printed_as(f"审查人：{names[login]}")
            for n, page in enumerate(pdf.pages, 1):
                above = [k for k, (_, line) in enumerate(column_lines(page, column)) if signature.match(line)]
                if n > began and above and above[0] <= 4:
                    reached.add(n - began)
    # The sweep reaches both: an opinion begun on the page before its signature's, and one that
    # filled the whole page in between (without the fix, each signature began a page alone).
    assert {1, 2} <= reached, f"no length in the sweep breaks a page within an opinion's last lines: {reached}"


def test_a_link_into_the_api_followed_without_a_session_opens_a_page(daemon_factory, browser):
    """打印评审表 and 查看附件 open API paths in a window; followed once the session has ended, Chromium
    shows a page in words with a way back to the city's pages (it sends `Sec-Fetch-Mode: navigate`),
    not the API's JSON."""
    d = daemon_factory().start()
    _, _, _, app = city_with_draft(d)
    p = Pages(browser, f"http://127.0.0.1:{d.http_port}/t/zhengzhou/", "api-link")
    browser.delete_all_cookies()
    p.go(f"api/v1/applications/{app['id']}/review-form")
    assert "请先登录" in p.by("main").text and '"error"' not in browser.page_source, browser.page_source[-1500:]
    p.follow(p.by("#error-home"))
    assert p.by("#login-submit").text == "登录", browser.page_source[-1500:]
