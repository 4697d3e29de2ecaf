"""Journeys of the web UI in a real browser (headless Chromium + Selenium), each a defect a
usability walk found: what a screen shows in words (操作日志's actions, sizes in KB/MB,
results and states by one label), what a printed 评审表 says of an application that ended,
what can be opened from where, forms that keep what was ticked, and a result refused before
its interview. Organizations and accounts are set up through the API; what is checked is done
in the browser. Screenshots: .build/screenshots/journey-*."""

from __future__ import annotations

import re

from api_support import NEW_PASSWORD, add_reviewer, city_with_draft, expect
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
