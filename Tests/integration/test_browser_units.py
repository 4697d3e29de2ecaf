"""Manual chapters 一–三 in a real browser (headless Chromium + Selenium): a city office adds a
supervising department, which fills in and submits its info and is approved; the department
adds a school (逸夫小学), which is refused the manual's own sample credit code, fixes it, submits,
is sent back with a reason, resubmits and is approved; the school then adds a handler and a
leader with roles and review permissions, creates an applicant and uploads its seal; the
applicant signs in with the ID-card number. Screenshots: .build/screenshots/units-*.png."""

from __future__ import annotations

import pytest

from browser_support import Pages, assert_controls_named, assert_refused, assert_skip_link, browser, png_bytes, shown_text  # noqa: F401  (fixture)

NEW_PASSWORD = "Zhicheng2026"


def fill_profile(p: Pages, credit_code: str, kind: str) -> None:
    # 机构类别 is the org's place in the tree, which its parent chose: shown, not picked.
    category = p.by("#f-category")
    assert category.get_attribute("readonly") is not None and category.get_attribute("value") == kind, category.get_attribute("outerHTML")
    assert "由上级机构在单位管理中确定" in p.by("#f-category-note").text
    values = {
        "city": "郑州市 管城回族区", "industry": "教育", "contact": "张老师", "phone": "15236547854",
        "address": "郑州市管城回族区紫荆山路1号", "postcode": "450000", "email": "yifu@example.com", "credit_code": credit_code,
    }
    for key, value in values.items():
        if value is not None:
            p.fill(f"#f-{key}", value)
    from selenium.webdriver.support.ui import Select
    Select(p.by("#f-affiliation_level")).select_by_visible_text("市")
    Select(p.by("#f-nature")).select_by_visible_text("全额拨款事业单位")
    Select(p.by("#f-economic_type")).select_by_visible_text("国有全资")


def upload_certificate(p: Pages, tmp_path) -> None:
    image = tmp_path / "certificate.png"
    image.write_bytes(png_bytes(120, 80, (240, 240, 255)))
    p.by("#certificate-file").send_keys(str(image))
    p.click("#certificate-upload")
    assert "证件图片已上传" in p.flash_ok()
    assert p.all("#certificate-preview"), "the certificate preview is shown"


def row_for(p: Pages, name: str):
    from selenium.webdriver.common.by import By
    for row in p.all("#children tbody tr"):
        if name in row.text:
            return row
    raise AssertionError(f"no row for {name}: {[r.text for r in p.all('#children tbody tr')]}")


def test_manual_chapters_one_to_three(daemon_factory, browser, tmp_path):
    d = daemon_factory().start()
    created = d.call("tenant.create", {"id": "zhengzhou", "name": "郑州市", "division_code": "4101"})
    p = Pages(browser, f"http://127.0.0.1:{d.http_port}/t/zhengzhou/", "units")

    # The city office signs in with its one-time password and must change it first.
    p.login_ok(created["admin_login"], created["admin_password"])
    p.shot("city-must-change-password")
    p.change_password(created["admin_password"], NEW_PASSWORD)
    assert p.d.current_url.endswith("/home")

    # 单位管理: add a supervising department; its admin account is generated (login = its code).
    p.go("orgs")
    p.fill("#new-org-name", "管城区教育局")
    from selenium.webdriver.support.ui import Select
    Select(p.by("#new-org-kind")).select_by_value("department")
    p.click("#add-org-submit")
    dept_login, dept_password = p.secret()
    assert dept_login == "4101001"
    p.shot("city-added-department")
    # 单位管理 to a screen reader: every control named, the row's buttons naming their org; the
    # skip links past the header and menu, and past the tree.
    p.go("orgs")
    assert_controls_named(p)
    row = row_for(p, "管城区教育局")
    # A row's 初始化密码 and 编辑信息 name its org too (their visible text is the same in each row),
    # by a visually hidden part after the words shown (a speech-input user says 初始化密码):
    # positioned, so Chromium puts a space before it. What the screen shows is the words alone
    # (shown_text: WebDriver's .text has the hidden part too, on a line of its own).
    reset = row.find_element("css selector", "button.secondary")
    assert (shown_text(p, reset), reset.accessible_name) == ("初始化密码", "初始化密码 ：管城区教育局的系统管理员"), reset.accessible_name
    summaries = row.find_elements("css selector", "summary")
    assert [(shown_text(p, s), s.accessible_name) for s in summaries] == [("编辑信息", "编辑信息 ：管城区教育局的系统管理员")], \
        [(shown_text(p, s), s.accessible_name) for s in summaries]
    assert "管城区教育局的系统管理员" in summaries[0].text, "WebDriver's .text tells nothing of what is hidden"
    assert [th.text for th in p.all("#children thead th")][-1] == "操作"
    # Under the row, as the manual's table shows it: its admin's 姓名, 登录名, 手机号, 电子邮箱, read
    # only (编辑信息 changes them), on a line of its own right below the org's.
    admin = p.by(f"#children tr[data-admin-of='{row.get_attribute('data-org')}']")
    assert admin.is_displayed() and not admin.find_elements("css selector", "input, button")
    shown = {dt.text: dd.text for dt, dd in zip(admin.find_elements("css selector", "dt"), admin.find_elements("css selector", "dd"))}
    assert shown == {"姓名": "系统管理员", "登录名": "4101001", "手机号": "未填写", "电子邮箱": "未填写"}, shown
    assert abs(admin.location["y"] - (row.location["y"] + row.size["height"])) <= 2, (row.rect, admin.rect)
    assert admin.location["x"] == row.location["x"] and abs(admin.size["width"] - row.size["width"]) <= 1, (row.rect, admin.rect)
    p.shot("city-sees-department-admin")
    assert p.by(".tree a.skip").get_attribute("href").endswith("#org-detail")
    assert_skip_link(p)
    p.logout()

    # The department signs in; until approved it can only maintain and submit its info.
    p.login_ok(dept_login, dept_password)
    p.change_password(dept_password, NEW_PASSWORD)
    p.go("staff")
    assert p.d.current_url.endswith("/profile"), "an unapproved org is sent to 单位信息维护"
    # The manual's label, and the field begun with the city (a department directly under the city
    # office: no district); nothing of it stored yet.
    city_label = p.by("#f-city").find_element("xpath", "..").text
    assert city_label.startswith("所属地市(或省直)"), city_label
    assert p.by("#f-city").get_attribute("value") == "郑州市"
    fill_profile(p, "91350100M000100Y43", "主管单位")
    p.fill("#f-name", "管城区教育局")
    p.click("#profile-save")
    assert "单位信息已保存" in p.flash_ok()
    upload_certificate(p, tmp_path)
    p.click("#profile-submit")
    assert "已提交" in p.flash_ok()
    p.logout()

    # The city approves it (审核).
    p.login_ok("4101", NEW_PASSWORD)
    p.go("orgs")
    row = row_for(p, "管城区教育局")
    assert "未审核" in row.text
    row.find_element("css selector", "details summary").click()
    p.press(row.find_element("css selector", "button.approve"))
    assert "已审核通过" in p.flash_ok()
    p.logout()

    # The department adds the school 逸夫小学 (单位 is what it offers first).
    p.login_ok(dept_login, NEW_PASSWORD)
    p.go("orgs")
    assert Select(p.by("#new-org-kind")).first_selected_option.get_attribute("value") == "unit"
    p.fill("#new-org-name", "逸夫小学")
    Select(p.by("#new-org-kind")).select_by_value("unit")
    p.click("#add-org-submit")
    school_login, school_password = p.secret()
    assert school_login == "41010010001"
    # The same form again (a page sent twice): refused, and no second 逸夫小学.
    p.go("orgs")
    p.fill("#new-org-name", "逸夫小学")
    Select(p.by("#new-org-kind")).select_by_value("unit")
    p.click("#add-org-submit")
    assert "已有名为“逸夫小学”的机构" in p.flash_error()
    assert_refused(p, "#new-org-name")
    p.go("orgs")
    assert sum("逸夫小学" in r.text for r in p.all("#children tbody tr")) == 1
    p.logout()

    # The school fills in its info: the manual's sample credit code is refused for its check character.
    p.login_ok(school_login, school_password)
    p.change_password(school_password, NEW_PASSWORD)
    p.go("profile")
    fill_profile(p, "114412365412547896", "单位")
    p.click("#profile-save")
    assert "校验位错误" in p.flash_error()
    assert p.by("#f-contact").get_attribute("value") == "张老师", "the form keeps what was typed"
    assert_refused(p, "#f-credit_code")
    assert p.by("#f-contact").get_attribute("aria-required") == "true" and "带 * 为必填项" in p.by("#profile-form legend").text
    assert "2小时无操作将自动退出" in p.by("#idle-hint").text
    assert_controls_named(p)
    p.shot("school-credit-code-refused")
    p.fill("#f-credit_code", "12100000400000624D")
    # The page is one form: submitting (refused: no certificate yet) saves what was typed first.
    p.click("#profile-submit")
    assert "证件" in p.flash_error(), "submitting without a certificate is refused"
    assert_refused(p, "#certificate-file")
    assert p.by("#f-credit_code").get_attribute("value") == "12100000400000624D"
    # So does an upload: the phone changed, then the certificate uploaded without 保存草稿.
    p.fill("#f-phone", "03712345678")
    upload_certificate(p, tmp_path)
    assert p.by("#f-phone").get_attribute("value") == "0371-2345678", "the typed phone was saved with the upload (as phones are stored)"
    assert p.by("#f-credit_code").get_attribute("value") == "12100000400000624D"
    p.click("#profile-submit")
    assert "已提交" in p.flash_ok()
    assert "未审核" in p.by("#profile-state").text
    p.shot("school-submitted")
    p.logout()

    # The department sends it back with a reason …
    p.login_ok(dept_login, NEW_PASSWORD)
    p.go("orgs")
    row = row_for(p, "逸夫小学")
    assert "4101001" in row.text and "点击查看" in row.text
    certificate = row.find_element("css selector", "a[href$='/certificate']")
    assert (shown_text(p, certificate), certificate.accessible_name) == ("点击查看", "点击查看 ：逸夫小学的机构证件（新窗口）"), certificate.accessible_name
    p.shot("department-sees-school")
    row.find_element("css selector", "details summary").click()
    row.find_element("css selector", "input[name=reason]").send_keys("联系电话请填写座机")
    p.press(row.find_element("css selector", "button.danger"))
    assert "已退回" in p.flash_ok()
    p.logout()

    # … the school sees the reason, fixes it and resubmits …
    p.login_ok(school_login, NEW_PASSWORD)
    p.go("profile")
    assert "联系电话请填写座机" in p.flash_error()
    p.fill("#f-phone", "0371-66668888")
    p.click("#profile-save")
    p.click("#profile-submit")
    assert "已提交" in p.flash_ok()
    p.logout()

    # … and the department reads it (查看单位信息), and approves it right there.
    p.login_ok(dept_login, NEW_PASSWORD)
    p.go("orgs")
    row = row_for(p, "逸夫小学")
    row.find_element("css selector", "details summary").click()
    # (WebDriver's link text is its .text, the hidden part too: found by the words it starts with.)
    profile = row.find_element("partial link text", "查看单位信息")
    assert (shown_text(p, profile), profile.accessible_name) == ("查看单位信息", "查看单位信息 ：逸夫小学"), profile.accessible_name
    p.follow(profile)
    assert "0371-66668888" in p.by("#profile-view").text
    assert p.all("#profile-back"), "a way back to 单位管理"
    p.click("#profile-approve")
    assert "已审核通过" in p.flash_ok()
    assert "已审核" in row_for(p, "逸夫小学").text
    p.shot("department-approved-school")
    p.logout()

    # Approved: the school corrects its info in place (保存修改), with nothing to submit, and stays approved.
    p.login_ok(school_login, NEW_PASSWORD)
    p.go("profile")
    assert p.by("#crumb").text == "单位管理 > 单位信息维护", p.by("#crumb").text   # as the manual heads the screen
    assert p.by("#profile-save").text == "保存修改" and not p.all("#profile-submit"), p.by("#profile-form").text
    assert "无需再次提交" in p.by("#profile-approved-note").text
    p.fill("#f-contact", "钱老师")
    p.click("#profile-save")
    assert "单位信息已保存" in p.flash_ok()
    assert "已审核" in p.by("#profile-state").text and p.by("#f-contact").get_attribute("value") == "钱老师"
    # Its 首页 says no seal is uploaded yet, linking to 印章管理.
    p.go("home")
    assert any("尚未上传印章" in a.text and a.get_attribute("href").endswith("/seal") for a in p.all("#todo a")), p.by("#todo").text

    # 本单位人员角色管理: a handler and a leader, started, with roles and review permissions.
    p.go("staff")
    for login, name, role in (("li.handler", "李经办", "handler"), ("wang.leader", "王负责", "leader")):
        p.fill("#staff-login", login)
        p.fill("#staff-name", name)
        p.fill("#staff-phone", "13800138000")
        p.click("#add-staff-submit")
        assert p.secret()[0] == login
        row = next(r for r in p.all("#staff tbody tr") if r.get_attribute("data-login") == login)
        assert "未启动" in row.text
        p.press(row.find_element("css selector", "button.toggle"))
        row = next(r for r in p.all("#staff tbody tr") if r.get_attribute("data-login") == login)
        assert "已启动" in row.text
        # One form: the role, the series and the sections ticked, one 保存.
        row.find_elements("css selector", "details summary")[0].click()
        row.find_element("css selector", f"input[name=roles][value={role}]").click()
        row.find_element("css selector", "input[name=series][value=中小学教师]").click()
        for section in ("基本信息", "业绩成果"):
            row.find_element("css selector", f"input[name=sections][value={section}]").click()
        p.press(row.find_element("css selector", "button.save-access"))
        assert p.flash_ok() == f"已保存{name}的角色和审查权限", p.flash_error()
    table = p.by("#staff").text
    assert "经办人" in table and "负责人" in table and "中小学教师" in table and "业绩成果" in table
    p.shot("school-staff")
    assert_controls_named(p)
    row = next(r for r in p.all("#staff tbody tr") if r.get_attribute("data-login") == "li.handler")
    assert row.find_element("css selector", "button.danger").accessible_name == "删除李经办"
    legends = [e.get_attribute("textContent") for e in row.find_elements("css selector", "fieldset.group legend")]
    assert legends == ["角色：", "按系列：", "按内容："], legends
    summaries = [s.accessible_name for s in row.find_elements("css selector", "summary")]
    assert summaries == ["设置角色和审查权限 ：李经办", "编辑 ：李经办"], summaries
    p.d.execute_script("arguments[0].querySelectorAll('details').forEach(d => d.open = true)", row)
    saves = [(shown_text(p, b), b.accessible_name) for b in row.find_elements("css selector", "button.save-access")]
    assert saves == [("保存", "保存 ：李经办的角色和审查权限")], saves
    p.d.execute_script("arguments[0].querySelectorAll('details').forEach(d => d.open = false)", row)
    # 删除 asks again, naming the person.
    p.press(row.find_element("css selector", "button.danger"))
    assert p.by("#confirm-message").text == "确定删除人员“李经办”吗？其账户将不能再登录。"
    p.follow(p.by("#confirm-no"))
    assert "李经办" in p.by("#staff").text

    # 创建申报人员账户: a bad ID-card number is refused, a good one gets an account.
    p.go("applicants")
    p.fill("#applicant-id", "410104199003071234")
    p.fill("#applicant-name", "赵申报")
    p.click("#add-applicant-submit")
    assert "校验码错误" in p.flash_error()
    assert p.by("#applicant-id").get_attribute("value") == "410104199003071234", "the refused form keeps what was typed"
    assert_refused(p, "#applicant-id")
    assert p.by("#applicant-name").get_attribute("value") == "赵申报"
    p.fill("#applicant-id", "410104199003071233")
    p.fill("#applicant-name", "赵申报")
    p.click("#add-applicant-submit")
    applicant_login, applicant_password = p.secret()
    assert applicant_login == "410104199003071233"
    p.shot("school-applicant")

    # 批量导入 a CSV as Excel in Chinese saves it (GBK): two rows in, one refused with its row.
    csv = tmp_path / "申报人员.csv"
    csv.write_bytes("身份证号,姓名,手机号\r\n410104199003071241,钱导入,15236547854\r\n"
                    "41010419900307125X,孙导入,\r\n410104199003071234,李错号,\r\n".encode("gbk"))
    p.by("#import-file").send_keys(str(csv))
    p.click("#import-submit")
    assert "导入完成：成功 2 行，失败 1 行" in p.flash_ok()
    imported = [e.text for e in p.all("p.imported")]
    assert len(imported) == 2 and "钱导入" in imported[0] and "410104199003071241" in imported[0], imported
    assert "4" in p.by("#import-errors").text and "校验码" in p.by("#import-errors").text
    assert "孙导入" in p.by("#applicants").text
    p.shot("school-applicants-imported")
    assert_controls_named(p)
    row = next(r for r in p.all("#applicants tbody tr") if "孙导入" in r.text)
    assert [s.accessible_name for s in row.find_elements("css selector", "summary")] == ["修改 ：孙导入", "调动 ：孙导入"]
    # A file that is no CSV text (a workbook saved as .xlsx) is refused, saying what is expected.
    workbook = tmp_path / "申报人员.xlsx"
    workbook.write_bytes(b"PK\x03\x04\x14\x00\x06\x00\xff\xfe\xff")
    p.by("#import-file").send_keys(str(workbook))
    p.click("#import-submit")
    assert "GBK" in p.flash_error()

    # 印章管理: upload the seal; a text file posing as an image is refused.
    p.go("seal")
    fake = tmp_path / "seal.png"
    fake.write_text("not an image")
    p.by("#seal-file").send_keys(str(fake))
    p.click("#seal-upload")
    assert "PNG 或 JPEG" in p.flash_error()
    seal = tmp_path / "seal-real.png"
    seal.write_bytes(png_bytes(80, 80, (200, 0, 0)))
    p.by("#seal-file").send_keys(str(seal))
    p.click("#seal-upload")
    assert "印章已上传" in p.flash_ok()
    assert p.d.execute_script("return document.getElementById('seal-preview').naturalWidth") == 80
    p.shot("school-seal")
    assert "此前作出的意见保持原样" in p.by("#seal-use").text
    assert not p.all("#seal-committee"), "a unit has no committee whose opinion its seal would go on"
    p.go("home")
    assert not any("尚未上传印章" in a.text for a in p.all("#todo a")), "the reminder is gone once the seal is uploaded"

    # 操作日志 shows what happened.
    p.go("audit")
    log = p.by("#audit").text
    # In Chinese only, the code in the cell's title: 设置审查角色 / 上传印章 / 登录, and what each acted on.
    codes = {c.get_attribute("title") for c in p.all("#audit td.action")}
    assert {"staff.roles", "org.seal.upload"} <= codes and "staff.roles" not in log and "org.seal.upload" not in log, (codes, log)
    assert "设置审查角色" in log and "上传印章" in log and "登录" in log, log
    assert "账户 " in log and "account:" not in log, log
    # An org by its name and 单位编号, not the database's id.
    assert "机构 逸夫小学（41010010001）" in log, log
    # Details in words too: the roles set, by their names, not as JSON.
    roles = [r.text for r in p.all("#audit tbody tr") if "设置审查角色" in r.text]
    assert any("角色：经办人" in r for r in roles) and any("角色：负责人" in r for r in roles), roles
    assert not any("{" in r for r in roles), roles
    p.logout()

    # The applicant signs in with the ID-card number and must change the password.
    p.login_ok(applicant_login, applicant_password)
    assert p.d.current_url.endswith("/password")
    p.change_password(applicant_password, NEW_PASSWORD)
    assert p.d.current_url.endswith("/home")
    p.shot("applicant-home")


def test_login_errors_and_lockout_are_shown(daemon_factory, browser):
    d = daemon_factory().start()
    created = d.call("tenant.create", {"id": "kaifeng", "name": "开封市", "division_code": "4102"})
    p = Pages(browser, f"http://127.0.0.1:{d.http_port}/t/kaifeng/", "login")
    p.login(created["admin_login"], "wrong-password")
    assert "登录名或密码错误" in p.flash_error()
    assert_refused(p, "#nothing-is-named")   # the error names no field: 错误 in the title, nothing marked
    for _ in range(4):
        p.login(created["admin_login"], "wrong-password")
    # When to try again, not that the account is locked (a familiar address may still sign in).
    assert p.flash_error() == "登录失败次数过多，请在15分钟后再试"
    p.login(created["admin_login"], created["admin_password"])
    assert p.flash_error() == "登录失败次数过多，请在15分钟后再试", "a locked login stays locked even with the right password"
    p.shot("locked")


def test_a_city_whose_id_is_api_has_its_pages_and_its_api(daemon_factory, browser):
    """A tenant id may be `api` (`^[a-z][a-z0-9-]{1,31}$`): its pages are `/t/api/…` and its JSON
    API `/t/api/api/v1/…`. Only the latter is the API (`UI.isAPIPath`): the browser signs in,
    changes its password, adds an org, and a refused form comes back as a page with what was
    typed; an unknown page is a page in Chinese, an unknown API path the API's JSON error."""
    import json

    from conftest import http_request

    d = daemon_factory().start()
    created = d.call("tenant.create", {"id": "api", "name": "开封市", "division_code": "4102"})
    p = Pages(browser, f"http://127.0.0.1:{d.http_port}/t/api/", "tenant-api")
    p.login_ok(created["admin_login"], created["admin_password"])
    p.change_password(created["admin_password"], NEW_PASSWORD)
    assert p.d.current_url.endswith("/t/api/home") and "开封市" in p.d.page_source, p.d.current_url

    # A form: 单位管理 adds a department, its admin's one-time password shown.
    p.go("orgs")
    from selenium.webdriver.support.ui import Select
    p.fill("#new-org-name", "鼓楼区教育局")
    Select(p.by("#new-org-kind")).select_by_value("department")
    p.click("#add-org-submit")
    assert p.secret()[0] == "4102001"
    # Refused (a name over 100 characters): a page, with the name as typed for copying.
    p.go("orgs")
    long_name = "名" * 101
    p.fill("#new-org-name", long_name)
    p.click("#add-org-submit")
    assert p.flash_error() and p.by("html").get_attribute("lang") == "zh-CN", p.d.page_source[:500]
    assert [a.get_attribute("value") for a in p.all("#kept-input .kept-value")] == [long_name], p.d.page_source[-2000:]
    p.shot("refused-form")

    # Not an API path: a page; under /api/v1/: the API's JSON.
    p.go("api/foo")
    assert p.by("#error-home").get_attribute("href").endswith("/t/api/") and "没有这个页面" in p.d.page_source, p.d.page_source[:500]
    status, headers, body = http_request(d.http_port, "GET", "/t/api/api/foo")
    assert status == 404 and headers["content-type"].startswith("text/html"), (status, headers)
    status, headers, body = http_request(d.http_port, "DELETE", "/t/api/home")
    assert status == 404 and headers["content-type"].startswith("text/html"), (status, headers)
    status, headers, body = http_request(d.http_port, "GET", "/t/api/api/v1/no-such-thing")
    assert status == 404 and headers["content-type"].startswith("application/json") and json.loads(body)["error"]["code"], (status, body)
    status, headers, body = http_request(d.http_port, "DELETE", "/t/api/api/v1/tenant")
    assert status == 405 and json.loads(body)["error"]["code"], (status, body)

    # The API: sign in, read the org just added.
    status, _, body = http_request(d.http_port, "POST", "/t/api/api/v1/session", json.dumps({"login": created["admin_login"], "password": NEW_PASSWORD}).encode(),
                                   headers={"Content-Type": "application/json"})
    assert status == 200, body
    token = json.loads(body)["token"]
    status, headers, body = http_request(d.http_port, "GET", "/t/api/api/v1/orgs/1/children", headers={"Authorization": f"Bearer {token}"})
    assert status == 200 and headers["content-type"].startswith("application/json"), (status, body)
    assert [c["name"] for c in json.loads(body)["orgs"]] == ["鼓楼区教育局"], body
    # A bad body is the API's 400, not a page.
    status, headers, body = http_request(d.http_port, "POST", "/t/api/api/v1/session", b"{", headers={"Content-Type": "application/json"})
    assert status == 400 and json.loads(body)["error"]["code"] == "bad_request", (status, body)


def test_a_departments_units_come_a_page_at_a_time_and_a_unit_moves_by_code(daemon_factory, browser):
    """单位管理 with 105 units under a department: the list on the right shows 100 with 共 105 个
    and 下一页, which shows the rest (上一页 back), the department still selected. 移到 takes the
    new parent's 单位编号: its current parent's is refused with the reason, the other
    department's moves it, and the tree then shows the path to it under its new parent.
    Set-up through the API."""
    from api_support import Api, create_child, expect

    d = daemon_factory().start()
    created = d.call("tenant.create", {"id": "zhengzhou", "name": "郑州市", "division_code": "4101"})
    api = Api(d.http_port, "zhengzhou")
    city = api.first_login(created["admin_login"], created["admin_password"], NEW_PASSWORD)
    edu, _ = create_child(city, 1, "市教育局", "department")
    health, _ = create_child(city, 1, "市卫健委", "department")
    units = [create_child(city, edu["id"], f"第{n:03d}学校", "unit")[0] for n in range(1, 106)]

    p = Pages(browser, f"http://127.0.0.1:{d.http_port}/t/zhengzhou/", "units-scale")
    p.login_ok(created["admin_login"], NEW_PASSWORD)
    p.go(f"orgs?selected={edu['id']}")

    def listed() -> list[str]:
        return [r.get_attribute("data-org") for r in p.all("#children tbody tr[data-org]")]

    assert listed() == [str(u["id"]) for u in units[:100]]
    assert "共 105 个下级机构" in p.by("#children-pages").text and not p.all("#children-previous")
    p.shot("first-page")
    p.follow(p.by("#children-next"))
    assert listed() == [str(u["id"]) for u in units[100:]] and not p.all("#children-next")
    assert p.by(".tree a[aria-current='true']").text == "市教育局"
    p.follow(p.by("#children-previous"))
    assert listed() == [str(u["id"]) for u in units[:100]]

    mover = units[104]
    p.go(f"orgs?selected={mover['id']}")
    assert [a.text for a in p.all(".tree ul a")][:3] == ["郑州市职改办", "市教育局", "第001学校"], "the path to it, its siblings opened"
    p.by("#org-detail details summary").click()
    field = p.by("#move-parent-code")
    assert field.accessible_name.startswith("移到（新上级机构的单位编号）"), field.accessible_name
    assert_controls_named(p)
    p.fill("#move-parent-code", edu["code"])
    p.shot("move-form")
    p.press(p.by("form[action$='/move'] button"))
    assert "已在“市教育局”之下" in p.flash_error()
    p.go(f"orgs?selected={mover['id']}")
    p.by("#org-detail details summary").click()
    p.fill("#move-parent-code", health["code"])
    p.press(p.by("form[action$='/move'] button"))
    assert "已将“第105学校”移动到新的上级机构下" in p.flash_ok()
    assert [a.text for a in p.all(".tree ul a")] == ["郑州市职改办", "市教育局", "市卫健委", "第105学校"], [a.text for a in p.all(".tree ul a")]
    assert p.by(".tree a[aria-current='true']").text == "第105学校"
    assert expect(city.get(f"orgs/{mover['id']}"), 200).json["parent_id"] == health["id"]
    p.shot("moved-by-code")


def test_an_applicant_is_moved_to_another_unit_on_the_applicants_page(daemon_factory, browser):
    """人员调动 on 创建申报人员账户: the school's admin opens 调动 on a person's row, types the
    other school's 单位编号, is asked again (naming the person and the code), confirms; the offer
    waits in 待对方接收的调出人员. A code that is no unit's comes back as the page with the
    message. The other school's admin finds the person in 待本单位接收的调入人员 (the number
    masked), is asked again, accepts, and lists them; their draft is under the new unit now.
    Set-up through the API."""
    from urllib.parse import quote

    from api_support import NEW_PASSWORD as API_PASSWORD, REVIEW_SECTIONS, REVIEW_SERIES, Api, approve_unit, create_child, expect, fresh_id_number

    d = daemon_factory().start()
    created = d.call("tenant.create", {"id": "zhengzhou", "name": "郑州市", "division_code": "4101"})
    api = Api(d.http_port, "zhengzhou")
    city = api.first_login(created["admin_login"], created["admin_password"])
    a, aa = create_child(city, 1, "郑州市第一中学", "unit")
    a_s = approve_unit(api, city, a["id"], aa["login"], aa["password"])
    b, ba = create_child(city, 1, "郑州市第二中学", "unit")
    approve_unit(api, city, b["id"], ba["login"], ba["password"])
    person = expect(a_s.post(f"orgs/{a['id']}/applicants", {"id_number": fresh_id_number(), "name": "周调动"}), 201).json
    applicant = api.first_login(person["account"]["login"], person["password"])
    draft = expect(applicant.post("applications", {"kind": "title", "year": 2026, "series": REVIEW_SERIES, "level": "中级", "title": "一级教师"}), 201).json
    expect(applicant.put(f"applications/{draft['id']}/sections/{quote(REVIEW_SECTIONS[0])}", {"内容": "基本信息"}), 200)

    p = Pages(browser, f"http://127.0.0.1:{d.http_port}/t/zhengzhou/", "units-move")
    p.login_ok(aa["login"], API_PASSWORD)
    p.go("applicants")
    assert not p.all("#moves-in") and not p.all("#moves-out")

    def row():
        return next(r for r in p.all("#applicants tbody tr") if "周调动" in r.text)

    def open_move(code: str) -> None:
        r = row()
        summary = next(s for s in r.find_elements("css selector", "summary") if s.accessible_name == "调动 ：周调动")
        summary.click()
        field = r.find_element("css selector", "input[name=unit_code]")
        assert field.accessible_name == "调入单位编号", field.accessible_name
        field.clear()
        field.send_keys(code)
        button = r.find_element("css selector", "form[action$='/move'] button")
        assert button.accessible_name == "调动周调动", button.accessible_name
        p.press(button)

    assert_controls_named(p)
    # A code that is no unit's: the page again with the message.
    open_move("4101999")
    assert p.by("#confirm-message").text.startswith("确定将申报人“周调动”调动到单位编号为 4101999 的单位吗？对方单位接收后才调动"), p.by("#confirm-message").text
    p.click("#confirm-yes")
    assert "没有单位编号为 4101999 的单位" in p.flash_error(), p.d.page_source[-1500:]
    assert p.d.title.startswith("错误："), p.d.title
    assert "周调动" in p.by("#applicants").text
    p.shot("refused")

    # The other school's code: asked again, then offered; it waits.
    open_move(b["code"])
    assert "单位编号为 " + b["code"] in p.by("#confirm-message").text
    p.click("#confirm-yes")
    assert p.flash_ok() == f"已提出将周调动调动到郑州市第二中学（单位编号{b['code']}），待对方接收", p.flash_ok()
    waiting = p.by("#moves-out").text
    assert "周调动" in waiting and f"郑州市第二中学（{b['code']}）" in waiting, waiting
    assert "周调动" in p.by("#applicants").text, "still here until accepted"
    assert_controls_named(p)
    # Each button names its row: the person and the other unit (two people of one name apart).
    assert p.by("#moves-out button").accessible_name == f"撤销周调动调往郑州市第二中学（{b['code']}）的调动"
    p.shot("offered")
    p.logout()

    # The other school accepts it: its 首页 says someone waits for it, and links to the list.
    p.login_ok(ba["login"], API_PASSWORD)
    p.go("home")
    todo = next(a for a in p.all("#todo a") if "待接收的调入人员" in a.text)
    assert todo.text == "待接收的调入人员：周调动（郑州市第一中学）", todo.text
    p.follow(todo)
    incoming = p.by("#moves-in").text
    assert "周调动" in incoming and f"郑州市第一中学（{a['code']}）" in incoming and person["account"]["login"] not in incoming, incoming
    assert [b_.accessible_name for b_ in p.all("#moves-in button")] == [f"接收来自郑州市第一中学（{a['code']}）的周调动", f"不接收来自郑州市第一中学（{a['code']}）的周调动"]
    assert_controls_named(p)
    p.shot("incoming")
    p.press(p.all("#moves-in button")[0])
    assert p.by("#confirm-message").text.startswith("确定接收申报人“周调动”调入本单位吗？"), p.by("#confirm-message").text
    p.click("#confirm-yes")
    assert p.flash_ok() == "已接收周调动调入本单位，1份草稿随人调入", p.flash_ok()
    assert "周调动" in p.by("#applicants").text and not p.all("#moves-in")
    p.go("home")
    assert not [a for a in p.all("#todo a") if "待接收的调入人员" in a.text]
    p.go("audit")
    moved = [r.text for r in p.all("#audit tbody tr") if "申报人调动（调入）" in r.text]
    assert moved and "调入单位：郑州市第二中学" in moved[0] and "随人调动的草稿：1" in moved[0], moved
    p.logout()
    mine = expect(applicant.get(f"applications/{draft['id']}"), 200).json   # the same session as before
    assert mine["org_id"] == b["id"] and mine["unit_name"] == "郑州市第二中学" and mine["route"] == [b["id"], 1], mine
