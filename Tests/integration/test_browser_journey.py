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
