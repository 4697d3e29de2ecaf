"""The expert screens in a real browser (manual §10): an applicant of 逸夫小学 applies to be an
expert in 我的申报; after the school and 管城区教育局 pass it, the 省职改办's 经办人 and 负责人
pass it in 专家推荐审查 and the new expert's one-time password is shown; the office finds the
expert in 专家信息库 and suspends and reinstates them. Then the draw and voting screens: the office
sets up a 评委会 and a 评审会 for a forwarded 副高级 application, draws the panel with a seed,
sees who was excluded and why, verifies the draw; three experts sign in and vote, none seeing
another's vote; the office closes the session and the national rule's result is shown.
Accounts, the city's reviews and the expert pool are set up through the API.
Screenshots: .build/screenshots/experts-*.png."""

from __future__ import annotations

import pytest

from urllib.parse import quote

from selenium.webdriver.support.ui import Select

from api_support import NEW_PASSWORD, china_day, expect
from conftest import wait_until
from browser_support import Pages, assert_controls_named, assert_refused, browser  # noqa: F401  (fixture)
from expert_support import SECTIONS, SERIES, applicant, become_expert, city_pass, expert_env, senior_application


@pytest.fixture(scope="module")
def env(zhichengd_bin, tmp_path_factory):
    with expert_env(zhichengd_bin, tmp_path_factory.mktemp("browser-experts")) as e:
        yield e


def province_pages(env, browser) -> Pages:
    return Pages(browser, f"http://127.0.0.1:{env.daemon.http_port}/t/province/", "experts")


def test_expert_recommendation_and_expert_database_screens(env, browser):
    person = applicant(env, "逸夫小学", "冯推荐")
    city = Pages(browser, f"http://127.0.0.1:{env.daemon.http_port}/t/zhengzhou/", "experts")
    city.login_ok(person.account["login"], NEW_PASSWORD)
    city.go("applications/mine")
    city.fill("#expert-title", "高级教师")
    city.by("#expert-level").send_keys("副高级")
    city.fill("#expert-specialty", "小学语文")
    city.click("#new-expert-application-submit")
    assert "已创建" in city.flash_ok(), city.flash_error()
    assert "专家推荐：小学语文" in city.by("main h2").text
    # Only 基本信息 and 工作经历 are asked for, with 附件说明 beside the upload (a return may name
    # 附件, as the API's form of it does); 工作经历 has the 从业年限 field the plugin checks.
    assert [t.get_attribute("data-section") for t in city.all("textarea[data-section]")] == ["基本信息", "工作经历", "附件"]
    assert [l.text for l in city.all("#application-form legend")][:3] == ["基本信息", "工作经历", "附件说明"]
    city.fill("textarea[data-section='基本信息']", "冯推荐，高级教师，逸夫小学")
    city.press(city.all("button.save-section")[0])
    city.fill("#years", "16")
    city.fill("textarea[data-section='工作经历']", "从事小学语文教学16年")
    city.press(city.all("button.save-section")[1])
    city.click("#app-submit")
    assert "已提交" in city.flash_ok(), city.flash_error()
    assert city.by("#app-state").text == "审查中（逸夫小学 经办人审查）", city.by("#app-state").text
    city.shot("applicant-submitted")
    app_id = expect(person.get("applications"), 200).json["applications"][0]["id"]
    city.logout()

    # The unit's 经办人 finds it in the ordinary 经办人审查, named a 专家推荐 by its 类别, and the
    # review page is headed as the applicant's page is.
    city.login_ok(env.city_reviewers["逸夫小学"][0].account["login"], NEW_PASSWORD)
    city.follow(next(a for a in city.all("nav a") if a.text == "经办人审查"))
    row = next(r for r in city.all("#queue tbody tr") if "冯推荐" in r.text)
    assert row.find_element("css selector", "td.kind").text == "专家推荐", row.text
    assert [th.text for th in city.all("#queue thead th")][3] == "类别"
    link = row.find_element("css selector", "a[aria-label]")
    assert link.accessible_name == "审查冯推荐的专家推荐"
    city.follow(link)
    assert city.by("main h2").text == "审查：冯推荐（逸夫小学） · 专家推荐：小学语文 · 中小学教师 副高级 高级教师", city.by("main h2").text
    city.shot("unit-expert-review")
    # An expert recommendation is reviewed under 专家推荐审查, the menu's own entry for them (manual §10):
    # the queue at the reviewer's steps, of expert recommendations, its 查询 with 类别 and 系列 (only
    # the reviewer's series) besides 级别, and a 年度 column.
    current = city.all("nav a[aria-current]")
    assert [a.text for a in current] == ["专家推荐审查"], [a.text for a in current]
    city.follow(current[0])
    assert city.by("main h2").text == "专家推荐审查" and city.by("nav a[aria-current]").text == "专家推荐审查"
    kind, series = Select(city.by("#queue-kind")), Select(city.by("#queue-series"))
    assert [o.text for o in kind.options] == ["全部", "职称申报", "专家推荐"] and kind.first_selected_option.text == "专家推荐"
    assert [o.text for o in series.options] == ["全部", SERIES], "only the reviewer's series"
    assert [th.text for th in city.all("#queue thead th")][3:5] == ["类别", "年度"]
    row = next(r for r in city.all("#queue tbody tr") if "冯推荐" in r.text)
    assert row.find_element("css selector", "td.kind").text == "专家推荐" and row.find_element("css selector", "td.year").text.isdigit(), row.text
    assert city.by("#queue-waiting").text == "待审查：共 1 件"
    assert_controls_named(city)
    city.shot("unit-expert-queue")
    # 类别 职称申报: none here; the count is of the search, 显示全部 goes back to the whole queue.
    kind.select_by_visible_text("职称申报")
    series.select_by_visible_text(SERIES)
    city.click("#queue-search-submit")
    assert "kind=title" in city.d.current_url and "暂无待审查的申报" in city.by("#queue").text, city.d.current_url
    assert city.by("#queue-waiting").text == "符合查询条件的待审查申报：共 0 件"
    assert Select(city.by("#queue-series")).first_selected_option.text == SERIES
    city.follow(city.by("#queue-search-clear"))
    assert city.by("main h2").text == "经办人审查" and "冯推荐" in city.by("#queue").text
    # Decided from 专家推荐审查, back to it.
    city.follow(next(a for a in city.all("nav a") if a.text == "专家推荐审查"))
    city.follow(next(r for r in city.all("#queue tbody tr") if "冯推荐" in r.text).find_element("css selector", "a[aria-label]"))
    city.fill("#decision-comment", "同意推荐")
    city.click("#decision-submit")
    assert "决定" in city.flash_ok(), city.flash_error()
    assert city.d.current_url.endswith("reviews?kind=expert") and city.by("main h2").text == "专家推荐审查", city.d.current_url
    assert "冯推荐" not in city.by("#queue").text, "at the leader's step now"
    city.logout()

    version = expect(env.city_reviewers["逸夫小学"][1].get(f"applications/{app_id}"), 200).json["version"]
    expect(env.city_reviewers["逸夫小学"][1].post(f"applications/{app_id}/decision", {"decision": "pass", "comment": "同意推荐", "version": version}), 200)
    city_pass(env, app_id, ["管城区教育局"])

    p = province_pages(env, browser)
    for login, decision in (("prov.h", "pass"), ("prov.l", "pass")):
        p.login_ok(login, NEW_PASSWORD)
        # One 专家推荐审查 in the province office's menu: what the cities hand over.
        assert [a.get_attribute("href").rsplit("/", 1)[1] for a in p.all("nav a") if a.text == "专家推荐审查"] == ["expert-reviews"]
        p.go("expert-reviews")
        row = next(r for r in p.all("#expert-queue tbody tr") if "冯推荐" in r.text)
        assert "待您审查" in row.text and "郑州市" in row.text, row.text
        p.follow(row.find_element("css selector", "a"))
        p.shot(f"{login}-expert-review")
        assert "从业年限：16" in p.by("#expert-info").text
        assert_controls_named(p)
        assert p.by("#expert-decision fieldset").accessible_name == "审查决定："
        assert p.by("#city-trail").text.count("通过") == 4, "unit and 主管单位, handler and leader"
        p.fill("#expert-comment", "同意入库" if login == "prov.l" else "符合条件")
        p.click("#expert-decision-submit")
        if login == "prov.l":
            expert_login, password = p.secret()
            assert expert_login == person.account["login"] and len(password) >= 8
        else:
            assert "决定" in p.flash_ok(), p.flash_error()
        p.logout()

    p.login_ok(env.prov.account["login"], NEW_PASSWORD)
    p.go("experts")
    p.fill("#search-specialty", "语文")
    p.click("#search-submit")
    assert p.by("#expert-count").text == "1"
    row = p.by("#experts tbody tr")
    assert "冯推荐" in row.text and "在库" in row.text
    assert_controls_named(p)
    assert row.find_element("css selector", ".retire-reason").accessible_name == "冯推荐退出专家库的理由"
    assert [s.accessible_name for s in row.find_elements("css selector", "summary")] == ["回避关系 ：冯推荐"]
    row.find_element("css selector", ".suspend-reason").send_keys("年度考核未完成")
    p.press(row.find_element("css selector", "button.suspend"))
    assert "暂停" in p.flash_ok(), p.flash_error()
    p.shot("database-suspended")
    row = next(r for r in p.all("#experts tbody tr") if "冯推荐" in r.text)
    assert row.find_element("css selector", ".expert-state").text == "暂停"
    p.press(row.find_element("css selector", "button.reinstate"))
    row = next(r for r in p.all("#experts tbody tr") if "冯推荐" in r.text)
    assert row.find_element("css selector", ".expert-state").text == "在库"
    p.logout()

    # The applicant's 我的申报 says where it ended as the province does: in the expert database.
    wait_until(lambda: expect(person.get(f"applications/{app_id}"), 200).json["state"] == "passed", 10, "the city to learn the expert was admitted")
    city.login_ok(person.account["login"], NEW_PASSWORD)
    city.go("applications/mine")
    row = next(r for r in city.all("#applications tbody tr") if r.find_elements("css selector", "td") and r.find_element("css selector", "td").text == str(app_id))
    assert "专家推荐" in row.text and "已入库（专家信息库）" in row.text and "评审通过" not in row.text, row.text
    # Its 评审表 is marked 已入库 in the green of a pass (审核通过's), not the red of an end short.
    city.go(f"api/v1/applications/{app_id}/review-form")
    colour = lambda css: city.d.execute_script("return getComputedStyle(document.querySelector(arguments[0])).color", css)  # noqa: E731
    assert city.by("#f-mark").text.startswith("本申报已入库（专家信息库）　入库时间："), city.by("#f-mark").text
    assert (colour("#f-mark"), colour(".watermark")) == ("rgb(19, 115, 51)", "rgba(19, 115, 51, 0.15)")
    city.go("applications/mine")
    city.logout()


def test_draw_and_voting_screens(env, browser):
    for i, school in enumerate(["实验中学"] * 4 + ["逸夫小学"]):
        become_expert(env, school, f"评委{i}")
    _, _, received = senior_application(env, "逸夫小学", "陈晋升")

    p = province_pages(env, browser)
    p.login_ok(env.prov.account["login"], NEW_PASSWORD)
    p.go("sessions")
    p.fill("#committee-name", "河南省中小学教师高级职称评审委员会")
    p.by(f"#committee-form input[name=series][value='{SERIES}']").click()
    p.by("#committee-form input[name=levels][value='副高级']").click()
    p.click("#committee-submit")
    assert "已设立评委会" in p.flash_ok(), p.flash_error()
    # Planned by date and place, its name left to the date and its size to the draw: held today
    # (China time), the first day the form offers, so that its experts may vote.
    today = china_day()
    assert p.by("#session-date").get_attribute("min") == today
    p.d.execute_script("arguments[0].value = arguments[1]", p.by("#session-date"), today)
    p.fill("#session-place", "郑州市金水东路1号")
    p.fill("#session-specialty", "小学数学")
    p.by(f"#session-applications input[value='{received['id']}']").click()
    # An even panel is refused: the form comes back as typed and ticked.
    p.fill("#session-panel", "4")
    p.click("#session-submit")
    assert "奇数" in p.flash_error()
    assert_refused(p, "#session-panel")
    assert_controls_named(p)
    assert p.by(f"#session-applications input[value='{received['id']}']").is_selected(), "the ticked application stays ticked"
    assert p.by("#session-place").get_attribute("value") == "郑州市金水东路1号" and p.by("#session-panel").get_attribute("value") == "4"
    p.by("#session-panel").clear()
    p.shot("session-form")
    p.click("#session-submit")
    assert "已创建评审会" in p.flash_ok(), p.flash_error()
    assert p.by("main h2").text.startswith(f"{today}评审会") and "抽取时确定" in p.by("main").text
    assert p.by("#session-when").text == f"评审时间地点：{today} 郑州市金水东路1号"
    p.click("#draw-submit")
    assert "未定抽取人数" in p.flash_error(), "a draw without a size is refused"
    assert_refused(p, "#draw-count")
    p.fill("#draw-count", "3")
    p.fill("#draw-reserves", "1")
    p.fill("#draw-seed", "henan-2026-browser")
    p.click("#draw-submit")
    assert "已抽取" in p.flash_ok(), p.flash_error()
    assert "评审专家 3 名（备选 1 名）" in p.by("main").text
    p.shot("drawn")
    assert p.by("#draw-seed-value").text == "henan-2026-browser" and len(p.by("#draw-digest").text) == 64
    roles = [r.text for r in p.all("#members .member-role")]
    assert roles.count("评审专家") == 3 and roles.count("备选专家") == 1
    excluded = p.by("#excluded").text
    assert "评委4" in excluded and "同一单位" in excluded, "the 逸夫小学 expert is excluded for the 逸夫小学 applicant"
    panel = [r.find_element("css selector", ".member-name").text for r in p.all("#members tbody tr") if "评审专家" in r.text]
    p.click("#verify-submit")
    assert "复现一致" in p.flash_ok(), p.flash_error()
    assert all(name in p.by("#verification").text for name in panel)
    session_url = p.d.current_url.replace("/verify", "")
    session_path = session_url.split("/t/province/")[1]
    p.logout()

    comments = {}
    for n, (name, vote) in enumerate(zip(panel, ["agree", "agree", "disagree"])):
        expert = env.experts[name][0]
        p.login_ok(expert["id_number"], NEW_PASSWORD)
        # 首页 says what waits for the expert: the session's one application to vote on.
        p.go("home")
        assert [a.text for a in p.all("#todo a")] == [f"评审会“{today}评审会”：1 份申报待投票"], p.by("main").text
        assert not p.all("#setup-hint"), "an expert's account lacks nothing"
        p.go("sessions")
        if n == 0:
            # Refused (more than 50 lines): the page shows the list as it stands, and what was
            # typed above it for copying, so none of it is lost.
            typed = "\n".join(f"亲属{i}" for i in range(51))
            p.fill("#my-relations-text", typed)
            p.click("#my-relations-submit")
            assert p.flash_error(), "51 lines are refused"
            assert [a.get_attribute("value") for a in p.all("#kept-input .kept-value")] == [typed]
            p.fill("#my-relations-text", "陈晋升的表弟")
            p.click("#my-relations-submit")
            assert "已保存您的回避关系" in p.flash_ok(), p.flash_error()
            listed = expect(env.prov.get(f"experts?specialty={quote('小学数学')}"), 200).json["experts"]
            assert next(e for e in listed if e["id"] == expert["id"])["relations"] == ["陈晋升的表弟"]
        p.follow(p.by("#sessions tbody a"))
        page = p.by("main").text
        assert "陈晋升的工作经历" in page, "the panel sees the application's sections"
        shown = [th.text for th in p.all(".session-application th")]
        assert shown == SECTIONS, f"the sections in the application form's order: {shown}"
        for earlier in comments.values():
            assert earlier not in page, "votes are secret until the session closes"
        assert not p.all(".my-vote")
        if n == 0:
            assert_controls_named(p)   # the vote's radio buttons too: a group named 表决
        form = p.by(".vote-form")
        assert form.find_element("css selector", "fieldset").accessible_name == "表决："
        form.find_element("css selector", f"input[name=vote][value={vote}]").click()
        form.find_element("css selector", ".vote-score").send_keys(str(80 + n))
        comments[name] = f"{name}的评审意见"
        form.find_element("css selector", ".vote-comment").send_keys(comments[name])
        p.press(form.find_element("css selector", ".vote-submit"))
        assert "已保存您的投票" in p.flash_ok(), p.flash_error()
        assert comments[name] in p.by(".my-vote").text
        p.go("home")
        assert not p.all("#todo a") and p.by("#todo-none").text == "暂无待办事项"
        p.shot(f"voted-{n}")
        p.logout()

    p.login_ok(env.prov.account["login"], NEW_PASSWORD)
    p.go(session_path)
    assert "的评审意见" not in p.by("main").text, "the office does not see the votes before the close either"
    p.click("#close-submit")
    assert "结束" in p.by("#confirm-message").text
    p.click("#confirm-yes")
    assert "作出评审结果" in p.flash_ok(), p.flash_error()
    p.shot("closed")
    assert p.by("#session-state").text == "已结束"
    tally = p.by(".tally").text
    assert "同意2票，不同意1票" in tally and p.by(".result").text == "通过"
    assert all(c in p.by("#votes").text for c in comments.values())
    # 投票明细 names the application as 评审的申报 does, not by the province's internal id.
    assert {r.find_element("css selector", "td").text for r in p.all("#votes tbody tr")} == {"陈晋升 · 高级教师"}
    p.logout()
    evaluation = expect(env.prov.get(f"province/applications/{received['id']}/evaluation"), 200).json
    assert evaluation["result"] == "通过" and evaluation["state"] == "publicity"


def test_a_session_that_cannot_be_drawn_is_cancelled_on_its_page(env, browser):
    """取消评审会 in the browser: the office plans a session for a specialty no expert has, the draw
    is refused on the page, the office cancels it with a reason after the confirmation page, the
    page says 已取消 with who and why, the list says 已取消, and a new session takes the application."""
    _, _, received = senior_application(env, "逸夫小学", "袁取消")
    committee = expect(env.prov.post("committees", {"name": "取消测试评委会", "series": [SERIES], "levels": ["副高级"]}), 201).json
    session = expect(env.prov.post(f"committees/{committee['id']}/sessions", {"name": "无此专业评审会", "series": SERIES, "specialty": "无此专业",
                                                                               "panel_size": 3, "applications": [received["id"]]}), 201).json
    p = province_pages(env, browser)
    p.login_ok(env.prov.account["login"], NEW_PASSWORD)
    p.go(f"sessions/{session['id']}")
    p.click("#draw-submit")
    assert "符合条件且无需回避的专家只有0名" in p.flash_error(), p.flash_error()
    p.fill("#cancel-reason", "符合条件的专家不足，无法抽取")
    p.shot("cancel-form")
    p.click("#cancel-submit")
    assert "取消本次评审会" in p.by("#confirm-message").text
    p.click("#confirm-yes")
    assert "已取消评审会" in p.flash_ok(), p.flash_error()
    p.shot("cancelled")
    assert p.by("#session-state").text == "已取消"
    cancelled = p.by("#session-cancelled").text
    assert "符合条件的专家不足，无法抽取" in cancelled and env.prov.account["name"] in cancelled, cancelled
    assert not p.all("#cancel-form") and not p.all("#draw-form")
    p.go("sessions")
    row = next(r for r in p.all("#sessions tbody tr") if "无此专业评审会" in r.text)
    assert "已取消" in row.text, row.text
    # Free again: a new session takes it on the same screen.
    Select(p.by("#session-committee")).select_by_value(str(committee["id"]))
    Select(p.by("#session-series")).select_by_visible_text(SERIES)
    p.fill("#session-name", "重新安排评审会")
    p.by(f"#session-applications input[value='{received['id']}']").click()
    p.click("#session-submit")
    assert "已创建评审会" in p.flash_ok(), p.flash_error()
    assert p.by("main h2").text.startswith("重新安排评审会")
    p.logout()
