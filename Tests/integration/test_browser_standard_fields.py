"""The standard fields of 基本信息 and 学历学位 in a real browser: the applicant picks 性别, 最高学历
and 最高学位 from their lists, gives the months in month inputs and the rest in text lines,
saves, reloads and finds them as given, empties one (gone), and submits; the unit's 经办人 reads
them first in the section as 名称：值, and the 评审表 prints every one of them in its applicant table. The
applicant, once the application is submitted, and the 经办人 on the review page each find 查看评审表,
which opens the printable 评审表 in a new window.
Screenshots: .build/screenshots/standard-fields-*."""

from __future__ import annotations

from api_support import NEW_PASSWORD, add_reviewer, city_with_draft, expect
from api_support import REQUIRED_SECTIONS
from browser_support import Pages, assert_controls_named, browser  # noqa: F401  (fixture)


STANDARD = {"基本信息": {"性别": "男", "出生年月": "1985-06", "参加工作时间": "2008-07", "现任职务": "教研组长", "现专业技术职称": "一级教师",
                        "取得时间": "2018-12", "从事专业": "小学数学"},
            "学历学位": {"最高学历": "大学本科", "最高学位": "学士", "毕业院校": "河南大学", "所学专业": "数学与应用数学", "毕业时间": "2008-06"}}


def review_form_in_new_window(p: Pages, css: str) -> dict:
    """Follows the 查看评审表 link `css` as a person does (it opens a new window): the 评审表's
    heading and its standard fields' cells by section and name, read there; the window is then
    closed and the page it was opened from is current again."""
    from selenium.webdriver.support.ui import WebDriverWait
    link = p.by(css)
    assert (link.get_attribute("target"), link.accessible_name) == ("_blank", "查看评审表 （新窗口）"), link.accessible_name
    first, before = p.d.current_window_handle, set(p.d.window_handles)
    link.click()
    WebDriverWait(p.d, 20).until(lambda d: len(set(d.window_handles) - before) == 1)
    p.d.switch_to.window((set(p.d.window_handles) - before).pop())
    try:
        WebDriverWait(p.d, 20).until(lambda d: d.current_url.endswith("/review-form") and d.execute_script("return document.readyState") == "complete")
        cells = {(section, name): p.by(f'[id="f-{section}-{name}"]').text for section, fields in STANDARD.items() for name in fields
                 if p.all(f'[id="f-{section}-{name}"]')}
        return {"heading": p.by("h1").text, "cells": cells}
    finally:
        p.d.close()
        p.d.switch_to.window(first)


def test_the_applicant_fills_the_standard_fields_and_reviewers_read_them(daemon_factory, browser):
    from selenium.webdriver.support.ui import Select
    d = daemon_factory().start()
    city, login, applicant, app = city_with_draft(d, sections=REQUIRED_SECTIONS)
    add_reviewer(city, 1, "sf.h", ["handler"])
    p = Pages(browser, f"http://127.0.0.1:{d.http_port}/t/zhengzhou/", "standard-fields")
    p.login_ok(login, NEW_PASSWORD)
    p.go(f"applications/{app['id']}")
    assert_controls_named(p)
    assert not p.all("#app-review-form"), "a draft has no 评审表 to look at"

    def control(section: str, name: str, tag: str = "input"):
        return p.by(f'{tag}[name="field:{section}:{name}"]')

    # Nothing given yet: each list says 请选择, each month input is empty.
    assert Select(control("基本信息", "性别", "select")).first_selected_option.text == "请选择"
    assert control("基本信息", "出生年月").get_attribute("type") == "month" and control("基本信息", "出生年月").get_attribute("value") == ""
    assert control("基本信息", "出生年月").accessible_name == "出生年月"
    assert p.by('textarea[name="content:基本信息"]').accessible_name == "基本信息：其他说明"
    Select(control("基本信息", "性别", "select")).select_by_visible_text("男")
    for name, month in (("出生年月", "1985-06"), ("参加工作时间", "2008-07"), ("取得时间", "2018-12")):
        p.set_value(f'input[name="field:基本信息:{name}"]', month)
    for name, text in (("现任职务", "教研组长"), ("现专业技术职称", "一级教师"), ("从事专业", "小学数学")):
        p.fill(f'input[name="field:基本信息:{name}"]', text)
    Select(control("学历学位", "最高学历", "select")).select_by_visible_text("大学本科")
    Select(control("学历学位", "最高学位", "select")).select_by_visible_text("学士")
    p.fill('input[name="field:学历学位:毕业院校"]', "河南大学")
    p.fill('input[name="field:学历学位:所学专业"]', "数学与应用数学")
    p.set_value('input[name="field:学历学位:毕业时间"]', "2008-06")
    p.fill('textarea[name="content:基本信息"]', "汉族，中共党员")
    p.shot("filled")
    p.press(p.all("button.save-section")[0])
    assert p.flash_ok() == "已保存：基本信息、学历学位", (p.flash_ok(), p.flash_error())
    basic = {"性别": "男", "出生年月": "1985-06", "参加工作时间": "2008-07", "现任职务": "教研组长", "现专业技术职称": "一级教师",
             "取得时间": "2018-12", "从事专业": "小学数学", "内容": "汉族，中共党员"}
    education = {"最高学历": "大学本科", "最高学位": "学士", "毕业院校": "河南大学", "所学专业": "数学与应用数学", "毕业时间": "2008-06", "内容": "学历学位"}
    stored = expect(applicant.get(f"applications/{app['id']}"), 200).json["sections"]
    assert (stored["基本信息"], stored["学历学位"]) == (basic, education), stored

    # Reloaded: as given.
    p.go(f"applications/{app['id']}")
    assert Select(control("基本信息", "性别", "select")).first_selected_option.text == "男"
    assert Select(control("学历学位", "最高学历", "select")).first_selected_option.text == "大学本科"
    assert control("基本信息", "出生年月").get_attribute("value") == "1985-06"
    assert control("学历学位", "毕业时间").get_attribute("value") == "2008-06"
    assert control("学历学位", "毕业院校").get_attribute("value") == "河南大学"
    # Saved again untouched: nothing to save.
    p.press(p.all("button.save-section")[0])
    assert p.flash_ok() == "没有需要保存的修改", (p.flash_ok(), p.flash_error())
    # 现任职务 emptied and 最高学位 back to 请选择: both gone.
    p.fill('input[name="field:基本信息:现任职务"]', "")
    Select(control("学历学位", "最高学位", "select")).select_by_visible_text("请选择")
    p.press(p.all("button.save-section")[0])
    assert p.flash_ok() == "已保存：基本信息、学历学位", (p.flash_ok(), p.flash_error())
    stored = expect(applicant.get(f"applications/{app['id']}"), 200).json["sections"]
    assert "现任职务" not in stored["基本信息"] and "最高学位" not in stored["学历学位"], stored
    p.fill('input[name="field:基本信息:现任职务"]', "教研组长")
    Select(control("学历学位", "最高学位", "select")).select_by_visible_text("学士")
    p.click("#app-submit")
    assert "已提交" in p.flash_ok(), p.flash_error()
    assert p.by("#app-sections td").text.startswith("性别：男\n出生年月：1985-06\n"), p.by("#app-sections td").text
    # Submitted: the applicant's page links its 评审表, which opens in a new window with every standard field.
    everything = {(section, name): value for section, fields in STANDARD.items() for name, value in fields.items()}
    seen = review_form_in_new_window(p, "#app-review-form")
    assert seen == {"heading": "专业技术职务任职资格评审表", "cells": everything}, seen
    assert p.d.current_url.endswith(f"/applications/{app['id']}"), p.d.current_url
    p.logout()

    # The unit's 经办人: the standard fields first, in their order, then the text.
    p.login_ok("sf.h", NEW_PASSWORD)
    p.go(f"reviews/{app['id']}")
    rows = {r.find_element("css selector", "th").text: r.find_element("css selector", "td").text for r in p.all("#review-sections tr")}
    assert rows["基本信息"] == ("性别：男\n出生年月：1985-06\n参加工作时间：2008-07\n现任职务：教研组长\n现专业技术职称：一级教师\n"
                               "取得时间：2018-12\n从事专业：小学数学\n汉族，中共党员"), rows["基本信息"]
    assert rows["学历学位"] == "最高学历：大学本科\n最高学位：学士\n毕业院校：河南大学\n所学专业：数学与应用数学\n毕业时间：2008-06\n学历学位", rows["学历学位"]
    p.shot("reviewer")
    # The review page links the 评审表 too: every standard field, in new window.
    seen = review_form_in_new_window(p, "#review-review-form")
    assert seen == {"heading": "专业技术职务任职资格评审表", "cells": everything}, seen
    p.go(f"api/v1/applications/{app['id']}/review-form")
    p.shot("review-form")
