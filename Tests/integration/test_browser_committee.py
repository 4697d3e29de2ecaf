"""The committee screens in a real browser (manual §9, SPEC §7): the city office sets up a 评委会,
sends an interview notice and records a 通过 for a 中级 application that climbed the whole city;
the result stands in 评审结果公示, where another signed-in applicant lodges a written objection; the
office finds it on the committee desk, dismisses it with a reason and, the notice period over
(made to end by the test), confirms the result, which the applicant's unit then sees in
申报人员状态查询 and the applicant in 我的申报. Set-up through the API; the rest in the browser.
Screenshots: .build/screenshots/committee-*.png."""

from __future__ import annotations

import re
from urllib.parse import quote

from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from api_support import NEW_PASSWORD, Api, add_reviewer, approved_plan, end_publicity, expect, fresh_id_number, interview_held, interview_time
from api_support import REQUIRED_SECTIONS
from browser_support import Pages, assert_controls_named, assert_refused, browser, png_bytes, shown_text  # noqa: F401  (fixture)
from conftest import create_tenant, wait_until

SERIES = "中小学教师"
SECTIONS = REQUIRED_SECTIONS


def city_passed(d, level: str, title: str, names: tuple[str, str]):
    """郑州市 with its office's 经办人 and 负责人 and two applicants (`names`); the first applies
    for `level` and the city's reviewers pass it. Returns (the tenant's info, the API, the
    office admin, the applicant, the other person, the application)."""
    info = create_tenant(d, "zhengzhou", "4101", "郑州市")
    api = Api(d.http_port, "zhengzhou")
    city = api.first_login(info["admin_login"], info["admin_password"])
    approved_plan(city, city, 1, [{"series": SERIES, "level": level, "count": 5}])
    reviewers = [add_reviewer(city, 1, "c.h", ["handler"], sections=SECTIONS), add_reviewer(city, 1, "c.l", ["leader"], sections=SECTIONS)]
    people = []
    for name in names:
        r = expect(city.post("orgs/1/applicants", {"id_number": fresh_id_number(), "name": name}), 201).json
        people.append(api.first_login(r["account"]["login"], r["password"]))
    applicant, other = people
    app = expect(applicant.post("applications", {"kind": "title", "year": 2026, "series": SERIES, "level": level, "title": title}), 201).json
    for section in SECTIONS:
        expect(applicant.put(f"applications/{app['id']}/sections/{quote(section)}", {"内容": section}), 200)
    expect(applicant.post(f"applications/{app['id']}/submit"), 200)
    for reviewer in reviewers:
        version = expect(reviewer.get(f"applications/{app['id']}"), 200).json["version"]
        expect(reviewer.post(f"applications/{app['id']}/decision", {"decision": "pass", "version": version}), 200)
    return info, api, city, applicant, other, app


def test_committee_desk_publicity_and_objections(daemon_factory, browser):
    d = daemon_factory(config='[log]\nlevel = "info"\n[limits]\npublicity_working_days = 5\n').start()
    info, api, city, applicant, objector, app = city_passed(d, "中级", "一级教师", ("蒋评审", "韩异议"))

    p = Pages(browser, f"http://127.0.0.1:{d.http_port}/t/zhengzhou/", "committee")
    p.login_ok(info["admin_login"], NEW_PASSWORD)
    p.go("committee")
    # Before a committee covers it, the application waits on the desk with a warning.
    assert "尚无负责“中小学教师 中级”的评委会" in p.by("#uncovered").text
    row = next(r for r in p.all("#worklist tbody tr") if "蒋评审" in r.text)
    assert "尚无负责的评委会" in row.text and not row.find_elements("css selector", "a"), row.text
    p.shot("no-committee-yet")
    p.fill("#committee-name", "郑州市中小学教师中级职称评审委员会")
    p.by(f"#committee-form input[name=series][value='{SERIES}']").click()
    p.by("#committee-form input[name=levels][value='中级']").click()
    p.click("#committee-submit")
    assert "已设立评委会" in p.flash_ok(), p.flash_error()
    assert not p.all("#uncovered")
    row = next(r for r in p.all("#worklist tbody tr") if "蒋评审" in r.text)
    assert "待评审" in row.text
    assert_controls_named(p)
    assert row.find_element("css selector", "a").accessible_name == "评审蒋评审的申报"
    assert [s.accessible_name for s in p.all("#committees summary")] == ["修改 ：郑州市中小学教师中级职称评审委员会"]
    p.by("#committees summary").click()
    save = p.by("#committees button.committee-settings-submit")
    assert (shown_text(p, save), save.accessible_name) == ("保存修改", "保存修改 ：郑州市中小学教师中级职称评审委员会"), save.accessible_name
    p.by("#committees summary").click()
    legends = [e.get_attribute("textContent") for e in p.all("#committee-form fieldset.group legend")]
    assert legends == ["负责系列：", "负责级别："], legends
    # 批量发出面试通知 with nothing ticked: refused, the ticked column marked as at fault; the
    # time chosen in its datetime-local input (which offers now to the end of next year) kept.
    assert p.by("#batch-time").get_attribute("type") == "datetime-local" and p.by("#batch-time").get_attribute("max").endswith("-12-31T23:59")
    batch_time = interview_time(10, 9, sep="T")
    p.set_value("#batch-time", batch_time)
    p.fill("#batch-place", "三楼")
    p.click("#batch-submit")
    assert "请选择" in p.flash_error(), p.flash_error()
    assert_refused(p, "input.batch-item")
    assert p.by("#batch-time").get_attribute("value") == batch_time
    row = next(r for r in p.all("#worklist tbody tr") if "蒋评审" in r.text)
    assert row.find_elements("css selector", "input.batch-item"), "an application without a result may be ticked for a batch notice"
    # 年度: the desk narrowed to another year has nothing; to the application's, it is there.
    year = row.find_elements("css selector", "td")[4].text  # 选择, 申报人, 单位, 来源, 年度
    p.fill("#worklist-year", str(int(year) - 1))
    p.click("#worklist-filter button")
    assert "暂无到达评委会的申报" in p.by("#worklist").text and f"committee?year={int(year) - 1}&applicant=" in p.d.current_url, p.d.current_url
    p.fill("#worklist-year", year)
    p.click("#worklist-filter button")
    # 待办: narrowed to what waits for a result it is there; to results to confirm, nothing is.
    Select(p.by("#worklist-need")).select_by_visible_text("公示期满待确认")
    p.click("#worklist-filter button")
    assert "没有符合条件的申报" in p.by("#worklist").text and "need=confirm" in p.d.current_url, p.d.current_url
    Select(p.by("#worklist-need")).select_by_visible_text("待评审")
    p.click("#worklist-filter button")
    assert "need=result" in p.d.current_url and Select(p.by("#worklist-need")).first_selected_option.text == "待评审"
    row = next(r for r in p.all("#worklist tbody tr") if "蒋评审" in r.text)
    p.follow(row.find_element("css selector", "a"))
    assert_controls_named(p)
    # 通过/未通过 are a group named 评审结果 (its legend hidden: the form's own legend says it).
    assert p.by("#result-form fieldset").accessible_name == "评审结果"
    # The item links its 评审表: every level's opinion, for the committee to judge by.
    form_href = p.by("#item-review-form").get_attribute("href")
    assert form_href.endswith(f"/applications/{app['id']}/review-form"), form_href
    item = p.d.current_url
    p.d.get(form_href)
    assert "蒋评审" in p.by("body").text and "通过" in p.by("#opinions").text, p.by("body").text[:500]
    # 打印 runs the page's one script, which its policy allows by hash (no inline handler).
    p.d.execute_script("window.printed = 0; window.print = function () { window.printed += 1; };")
    p.click("#print")
    assert p.d.execute_script("return window.printed") == 1, "the print button's script did not run"
    p.d.get(item)
    # A time already past: the input's min stops it in the browser; sent all the same (a page
    # left open past it), the daemon refuses it and marks the control.
    yesterday = interview_time(-1, 9, sep="T")
    p.set_value("#interview-time", yesterday)
    assert p.d.execute_script("return document.getElementById('interview-time').validity.rangeUnderflow") is True
    p.d.execute_script("document.getElementById('interview-time').removeAttribute('min')")
    p.fill("#interview-place", "郑州市人社局三楼会议室")
    p.click("#interview-submit")
    assert f"面试时间 {yesterday.replace('T', ' ')} 已过" in p.flash_error(), p.flash_error()
    assert_refused(p, "#interview-time")
    assert not p.all("#item-interview")
    when = interview_time(10, 9, sep="T")
    p.set_value("#interview-time", when)
    p.fill("#interview-place", "郑州市人社局三楼会议室")
    p.click("#interview-submit")
    assert "已发出面试通知" in p.flash_ok(), p.flash_error()
    # Shown as every screen writes a time: YYYY-MM-DD HH:MM.
    # The time and the place apart, as the manual names them (面试通知, 地点), on every screen.
    shown_time, shown_place = when.replace("T", " "), "郑州市人社局三楼会议室"
    shown = f"{shown_time}，{shown_place}"  # as the trail records the step
    assert p.by("#item-interview").text == f"面试时间：{shown_time} · 面试地点：{shown_place}", p.by("#item-interview").text
    # Before the interview's time, a result is refused (the form says so beside it), naming the
    # time; nothing changes.
    assert re.fullmatch(rf"面试时间为 {shown_time}，尚未面试（现在是 [^）]+），面试开始后才能录入评审结果", p.by("#result-waits").text), p.by("#result-waits").text
    p.fill("#result-note", "答辩良好")
    p.click("#result-submit")
    p.click("#confirm-yes")
    assert p.flash_error().startswith(f"面试时间为 {shown_time}，尚未面试"), p.flash_error()
    assert p.by("#item-state").text == "已发面试通知" and p.all("#result-form"), p.by("main").text[:500]
    p.shot("result-before-interview")
    interview_held(d, "zhengzhou")   # the day comes
    p.d.get(item)
    assert not p.all("#result-waits")
    p.fill("#result-note", "答辩良好")
    p.click("#result-submit")
    # Asked first (it starts the public notice); 取消 leaves everything as it was.
    assert "公示" in p.by("#confirm-message").text
    p.click("#confirm-no")
    assert "公示中" not in p.by("#item-state").text
    p.fill("#result-note", "答辩良好")
    p.click("#result-submit")
    p.click("#confirm-yes")
    assert re.search(r"公示至 \d{4}-\d\d-\d\d 24:00$", p.flash_ok()), p.flash_error()
    assert re.fullmatch(r"公示中（通过，至 \d{4}-\d\d-\d\d 24:00）", p.by("#item-state").text), p.by("#item-state").text
    # Each step redirects back to the item: reloading it sends nothing again.
    item_url = p.d.current_url
    assert item_url.endswith(f"/committee/application/{app['id']}"), item_url
    # While the notice stands, the page says until when in place of the confirm button.
    assert re.fullmatch(r"公示期至 \d{4}-\d\d-\d\d 24:00 止，之后方可确认", p.by("#confirm-waits").text), p.by("#confirm-waits").text
    assert not p.d.find_elements("css selector", "#confirm-submit")
    p.shot("result-recorded")
    p.logout()

    # Any signed-in account sees the notice and may object, with evidence.
    p.login_ok(objector.account["login"], NEW_PASSWORD)
    p.go("publicity")
    row = next(r for r in p.all("#notices tbody tr") if "蒋评审" in r.text)
    assert "通过" in row.text and "郑州市中小学教师中级职称评审委员会" in row.text
    assert_controls_named(p)
    assert row.find_element("css selector", ".objection-text").accessible_name == "对蒋评审评审结果的异议内容"
    row.find_element("css selector", ".objection-text").send_keys("论文存在抄袭嫌疑")
    row.find_element("css selector", ".objection-evidence").send_keys("见某期刊2025年第3期")
    p.press(row.find_element("css selector", ".objection-lodge"))
    assert "异议已提交" in p.flash_ok(), p.flash_error()
    assert p.d.current_url.endswith("/publicity"), p.d.current_url
    p.shot("objection-lodged")
    p.logout()
    end_publicity(d, "zhengzhou")  # the 5 working days pass

    p.login_ok(info["admin_login"], NEW_PASSWORD)
    p.go("committee")
    desk_headers = [th.text for th in p.all("#worklist thead th")]
    desk_row = next(r for r in p.all("#worklist tbody tr") if "蒋评审" in r.text).find_elements("css selector", "td")
    assert desk_row[desk_headers.index("待处理异议")].text == "1", desk_headers
    assert desk_row[desk_headers.index("评委会")].text == "郑州市中小学教师中级职称评审委员会", desk_headers
    p.d.get(item_url.replace("/result", ""))
    # Confirming waits while an objection is open: the page says so in place of the button.
    assert "异议未处理" in p.by("#confirm-waits").text and not p.d.find_elements("css selector", "#confirm-submit")
    assert "抄袭" in p.by("#objections").text and "韩异议" in p.by("#objections").text
    p.fill(".objection-reason", "经核查不属实")
    p.click(".objection-submit")
    assert "异议已处理" in p.flash_ok(), p.flash_error()
    assert "不成立：经核查不属实" in p.by(".objection-state").text
    p.click("#confirm-submit")
    assert p.flash_ok() == "评审结果已确认：评审通过", p.flash_error()
    # A final result in the one wording of every screen (the desk, 申报人员状态查询, the applicant's page).
    assert p.by("#item-state").text == "评审通过" and p.by("#item-result").text.startswith("最终结果：评审通过（"), p.by("main").text[:500]
    p.go("committee")
    assert next(r for r in p.all("#worklist tbody tr") if "蒋评审" in r.text).find_element("css selector", ".work-state").text == "评审通过"
    p.shot("confirmed")
    p.go("status")
    row = next(r for r in p.all("#status tbody tr") if "蒋评审" in r.text)
    assert "评审通过" in row.text and "郑州市中小学教师中级职称评审委员会" in row.text, row.text
    # 面试时间 and 面试地点 each in a column of its own.
    headers = [th.text for th in p.all("#status thead th")]
    assert headers[headers.index("评委会") + 1:headers.index("评委会") + 3] == ["面试时间", "面试地点"], headers
    cells = [td.text for td in row.find_elements("css selector", "td")]
    assert cells[headers.index("面试时间")] == shown_time and cells[headers.index("面试地点")] == shown_place, cells
    p.logout()

    # The objector reads how their objection was resolved.
    p.login_ok(objector.account["login"], NEW_PASSWORD)
    p.go("publicity")
    own = p.by("#own-objections").text
    assert "论文存在抄袭嫌疑" in own and "异议不成立" in own and "经核查不属实" in own, own
    p.shot("own-objection-resolved")
    p.logout()

    p.login_ok(applicant.account["login"], NEW_PASSWORD)
    p.go("applications/mine")
    assert "评审通过" in p.by("#applications").text
    # Their trail goes on to the committee's steps.
    p.go(f"applications/{app['id']}")
    trail = p.by("#trail").text
    for step in ("面试通知", "评审结果（公示）", "异议不成立", "结果确认", "郑州市中小学教师中级职称评审委员会", shown):
        assert step in trail, (step, trail)
    assert (p.by("#app-interview-time").text, p.by("#app-interview-place").text) == (shown_time, shown_place), p.by("#app-committee").text
    assert p.by("#app-result").text == "评审通过" and p.by("#app-state").text == "评审通过", p.by("#app-committee").text
    p.shot("applicant-trail")


def test_the_province_result_in_the_city_publicity_page_and_an_objection_sent_on(daemon_factory, browser):
    """A 副高级 result of the province stands in the city's 评审结果公示 too: a person of the city
    objects there in the browser, the objection goes on to the province office, and the applicant
    reads the result with the end of its period on their application page."""
    d = daemon_factory(config='[log]\nlevel = "info"\n[limits]\npublicity_working_days = 5\n').start()
    pinfo = create_tenant(d, "province", "41", "河南省", kind="province")
    office = Api(d.http_port, "province").first_login(pinfo["admin_login"], pinfo["admin_password"])
    expect(office.post("committees", {"name": "河南省中小学教师高级职称评审委员会", "series": [SERIES], "levels": ["副高级"]}), 201)
    _, _, _, applicant, objector, app = city_passed(d, "副高级", "高级教师", ("卫高级", "冯异议"))
    rid = wait_until(lambda: (expect(office.get("province/applications"), 200).json["applications"] or [{}])[0].get("id"), 30, "the hand-over")

    # The province office's 经办人 and 负责人 review it in the browser before its committee may take it up.
    for login, role in (("prov.h", "handler"), ("prov.l", "leader")):
        add_reviewer(office, 1, login, [role])
    pp = Pages(browser, f"http://127.0.0.1:{d.http_port}/t/province/", "province-review")
    for login, comment in (("prov.h", "材料齐全"), ("prov.l", "同意上会")):
        pp.login_ok(login, NEW_PASSWORD)
        pp.go("home")  # 首页's 待办事项 says what waits for this step
        assert [a.text for a in pp.all("#todo a")] == ["职称申报审查（各市报送）：1 件待审查"], pp.by("main").text
        pp.follow(next(a for a in pp.all("nav a") if a.text == "职称申报审查（各市报送）"))
        row = next(r for r in pp.all("#province-queue tbody tr") if "卫高级" in r.text)
        assert "待您审查" in row.text and "郑州市" in row.text, row.text
        pp.shot(f"{login}-queue")
        pp.follow(row.find_element("css selector", "td a"))
        assert "业绩成果" in pp.by("#province-info").text and "郑州市职改办" in pp.by("#city-trail").text
        # What the city sent, in the application form's order (after 身份证号, 工作单位, 年度, 当前状态).
        assert [th.text for th in pp.all("#province-info th")][4:] == SECTIONS
        assert_controls_named(pp)
        assert pp.by("#province-decision fieldset.group").accessible_name == "审查决定："
        pp.fill("#province-comment", comment)
        pp.click("#province-decision-submit")
        assert "通过" in pp.flash_ok(), pp.flash_error()
        pp.logout()
    pp.login_ok("prov.l", NEW_PASSWORD)
    pp.go(f"province-reviews/{rid}")
    assert "省职改办审查通过，待评委会评审" in pp.by("#province-stage").text and not pp.all("#province-decision")
    assert [r.text.split()[-1] for r in pp.all("#province-trail tbody tr")] == ["材料齐全", "同意上会"]
    pp.shot("reviewed")
    pp.logout()

    interview_held(d, "province")
    expect(office.post(f"province/applications/{rid}/result", {"result": "通过"}), 200)
    wait_until(lambda: expect(objector.get("public-notices"), 200).json["notices"], 30, "the province's notice to reach the city")

    p = Pages(browser, f"http://127.0.0.1:{d.http_port}/t/zhengzhou/", "committee-province")
    p.login_ok(objector.account["login"], NEW_PASSWORD)
    p.go("publicity")
    row = next(r for r in p.all("#notices tbody tr") if "卫高级" in r.text)
    assert "河南省中小学教师高级职称评审委员会（省职改办）" in row.text and "通过" in row.text, row.text
    row.find_element("css selector", ".objection-text").send_keys("业绩材料与事实不符")
    p.press(row.find_element("css selector", ".objection-lodge"))
    assert "已转送省职改办" in p.flash_ok(), p.flash_error()
    p.shot("objection-sent-on")
    p.logout()
    sent = wait_until(lambda: expect(office.get(f"province/applications/{rid}/objections"), 200).json["objections"], 30, "the objection at the province")
    assert [(o["lodged_by"], o["text"], o["state"]) for o in sent] == [("冯异议（郑州市职改办）", "业绩材料与事实不符", "open")], sent

    p.login_ok(applicant.account["login"], NEW_PASSWORD)
    p.go(f"applications/{app['id']}")
    assert re.fullmatch(r"公示中（通过，至 \d{4}-\d\d-\d\d 24:00）", p.by("#app-result").text), p.by("#app-committee").text
    assert "评审结果（公示）" in p.by("#trail").text and "河南省中小学教师高级职称评审委员会" in p.by("#trail").text, p.by("#trail").text
    p.logout()

    # The province dismisses the objection; its author reads that in the city.
    expect(office.post(f"objections/{sent[0]['id']}/resolve", {"decision": "dismissed", "reason": "材料属实"}), 200)
    wait_until(lambda: [o["state"] for o in expect(objector.get("objections/mine"), 200).json["objections"]] == ["dismissed"], 30,
               "the province's answer to reach the city")
    p.login_ok(objector.account["login"], NEW_PASSWORD)
    p.go("publicity")
    own = p.by("#own-objections").text
    assert "业绩材料与事实不符" in own and "（省职改办）" in own and "异议不成立" in own and "材料属实" in own, own


def test_results_in_a_batch_and_their_confirmation_on_the_desk(daemon_factory, browser):
    """The office ticks two applications on the desk, enters 通过 for both at once, and once
    their 公示 is over confirms every result of the page with one button."""
    d = daemon_factory(config='[log]\nlevel = "info"\n[limits]\npublicity_working_days = 5\n').start()
    info, api, city, applicant, other, app = city_passed(d, "中级", "一级教师", ("魏批量", "陶批量"))
    expect(city.post("committees", {"name": "郑州市中小学教师中级评委会", "series": [SERIES], "levels": ["中级"]}), 201)
    second = expect(other.post("applications", {"kind": "title", "year": 2026, "series": SERIES, "level": "中级", "title": "一级教师"}), 201).json
    for section in SECTIONS:
        expect(other.put(f"applications/{second['id']}/sections/{quote(section)}", {"内容": section}), 200)
    expect(other.post(f"applications/{second['id']}/submit"), 200)
    for login in ("c.h", "c.l"):
        reviewer = api.sign_in(login, NEW_PASSWORD)
        version = expect(reviewer.get(f"applications/{second['id']}"), 200).json["version"]
        expect(reviewer.post(f"applications/{second['id']}/decision", {"decision": "pass", "version": version}), 200)

    p = Pages(browser, f"http://127.0.0.1:{d.http_port}/t/zhengzhou/", "committee-batch")
    p.login_ok(info["admin_login"], NEW_PASSWORD)
    p.go("committee")
    assert not p.all("#batch-confirm"), "nothing to confirm yet"
    for box in p.all("input.batch-item"):
        box.click()
    # No result chosen: refused, the ticks and the note kept, the choice marked.
    p.fill("#batch-note", "评委会表决通过")
    p.click("#batch-result-submit")
    assert "评审结果应为“通过”或“未通过”" in p.flash_error(), p.flash_error()
    assert_refused(p, "#batch-interview input[name=result]")
    assert len([b for b in p.all("input.batch-item") if b.is_selected()]) == 2
    assert p.by("#batch-note").get_attribute("value") == "评委会表决通过"
    p.by("#batch-result-pass").click()
    # Enter in 说明 sends nothing, not even with a 面试通知's time and place filled in: the form's
    # two buttons mean two steps (面试通知, 评审结果).
    p.set_value("#batch-time", interview_time(10, 9, sep="T"))
    p.fill("#batch-place", "三楼")
    page = p.d.current_url
    p.by("#batch-note").send_keys(Keys.ENTER)
    assert p.d.current_url == page and p.by("#batch-note").get_attribute("value") == "评委会表决通过"
    assert [r.find_element("css selector", "td.work-state").text for r in p.all("#worklist tbody tr")] == ["待评审", "待评审"], "no notice sent"
    p.click("#batch-result-submit")
    assert "确定为所选的 2 份申报录入评审结果“通过”并开始公示吗？" in p.by("main").text, p.by("main").text[:300]
    p.click("#confirm-yes")
    assert "已为 2 份申报录入评审结果“通过”" in p.flash_ok(), p.flash_error()
    states = [r.find_element("css selector", "td.work-state").text for r in p.all("#worklist tbody tr")]
    assert all(s.startswith("公示中（通过") for s in states) and len(states) == 2, states
    assert not p.all("#batch-confirm"), "公示 still runs"

    end_publicity(d, "zhengzhou")
    p.go("committee?need=confirm")
    assert len(p.all("#worklist tbody tr[data-item]")) == 2
    button = p.by("#batch-confirm-submit")
    assert button.text == "确认本页 2 份公示期满、异议均已处理的评审结果", button.text
    p.click("#batch-confirm-submit")
    assert "确定确认这 2 份申报的评审结果吗？" in p.by("main").text, p.by("main").text[:300]
    p.click("#confirm-yes")
    assert "已确认 2 份申报的评审结果" in p.flash_ok(), p.flash_error()
    assert "need=confirm" in p.d.current_url, "back to the desk's view it was confirmed from"
    assert "没有符合条件的申报" in p.by("#worklist").text
    assert [expect(who.get(f"applications/{a['id']}"), 200).json["state"] for who, a in ((applicant, app), (other, second))] == ["passed", "passed"]


# A fetch of a link's address in the page's session, as its new window would open it.
FETCH = """const done = arguments[arguments.length - 1];
fetch(arguments[0], {credentials: 'same-origin'}).then(async r => done([r.status, r.headers.get('content-type'), r.headers.get('content-disposition'),
    (await r.arrayBuffer()).byteLength])).catch(e => done([0, String(e), '', 0]));"""


def test_an_objection_with_a_png_as_evidence_and_the_office_opening_it_from_the_desk(daemon_factory, browser, tmp_path):
    """On 评审结果公示 a person lodges an objection with a screenshot (a PNG) chosen in its file input:
    a file that is no PDF, PNG or JPEG is refused first, the file input marked and the typed text
    shown again; the PNG is taken, and 我提出的异议 names it. The office finds the objection on the
    desk's item page with the file as a link opening in a new window, which serves it."""
    d = daemon_factory(config='[log]\nlevel = "info"\n[limits]\npublicity_working_days = 5\n').start()
    info, api, city, applicant, objector, app = city_passed(d, "中级", "一级教师", ("褚评审", "魏异议"))
    expect(city.post("committees", {"name": "郑州市中小学教师中级评委会", "series": [SERIES], "levels": ["中级"]}), 201)
    expect(city.post(f"applications/{app['id']}/result", {"result": "通过"}), 200)
    screenshot = tmp_path / "聊天记录截图.png"
    screenshot.write_bytes(png_bytes(40, 30))
    disguised = tmp_path / "证明.pdf"
    disguised.write_bytes("这不是 PDF，只是一段文字".encode())

    p = Pages(browser, f"http://127.0.0.1:{d.http_port}/t/zhengzhou/", "committee-evidence")
    p.login_ok(objector.account["login"], NEW_PASSWORD)
    p.go("publicity")
    row = next(r for r in p.all("#notices tbody tr") if "褚评审" in r.text)
    files = row.find_element("css selector", ".objection-files")
    assert files.get_attribute("multiple") is not None and files.get_attribute("accept") == "application/pdf,image/png,image/jpeg,.pdf,.png,.jpg,.jpeg"
    assert files.accessible_name == "对褚评审评审结果的证据材料（PDF、PNG 或 JPEG，最多3个）", files.accessible_name
    assert shown_text(p, row.find_element("css selector", ".objection-files-label")).startswith("证据材料（PDF、PNG 或 JPEG，最多3个）")
    assert_controls_named(p)
    row.find_element("css selector", ".objection-text").send_keys("评审材料与事实不符")
    row.find_element("css selector", ".objection-evidence").send_keys("见聊天记录截图")
    files.send_keys(str(disguised))
    p.press(row.find_element("css selector", ".objection-lodge"))
    assert "证明.pdf" in p.flash_error() and "PDF、PNG 或 JPEG" in p.flash_error(), p.flash_error()
    row = next(r for r in p.all("#notices tbody tr") if "褚评审" in r.text)
    assert_refused(p, f"form[action$='publicity/application/{app['id']}/objection'] .objection-files")
    assert "评审材料与事实不符" in p.by("main").text, "the typed text is shown again for copying"
    assert expect(objector.get("objections/mine"), 200).json["objections"] == []
    p.shot("evidence-refused")

    row.find_element("css selector", ".objection-text").send_keys("评审材料与事实不符")
    row.find_element("css selector", ".objection-evidence").send_keys("见聊天记录截图")
    row.find_element("css selector", ".objection-files").send_keys(str(screenshot))
    p.press(row.find_element("css selector", ".objection-lodge"))
    assert "异议已提交" in p.flash_ok(), p.flash_error()
    own = p.by("#own-objections .own-objection-files").text
    assert "聊天记录截图.png" in own, own
    p.shot("evidence-lodged")
    p.logout()

    p.login_ok(info["admin_login"], NEW_PASSWORD)
    p.go(f"committee/application/{app['id']}")
    links = p.all("#objections .objection-file a")
    assert len(links) == 1 and shown_text(p, links[0]).startswith("聊天记录截图.png（"), [a.text for a in links]
    # Saved, not shown (the route answers `attachment`): the link says so, and opens no window.
    assert links[0].get_attribute("download") is not None and not links[0].get_attribute("target"), links[0].get_attribute("outerHTML")
    assert links[0].accessible_name.endswith("（下载）"), links[0].accessible_name
    (objection,) = expect(city.get(f"applications/{app['id']}/objections"), 200).json["objections"]
    (file,) = objection["files"]
    href = links[0].get_attribute("href")
    assert href.endswith(f"/t/zhengzhou/api/v1/objections/{objection['id']}/files/{file['id']}"), href
    status, content_type, disposition, size = p.d.execute_async_script(FETCH, href)
    assert (status, content_type, size) == (200, "image/png", len(screenshot.read_bytes())), (status, content_type, size)
    assert disposition.startswith("attachment;") and "filename*=UTF-8''" in disposition, disposition
    p.shot("evidence-on-the-desk")
