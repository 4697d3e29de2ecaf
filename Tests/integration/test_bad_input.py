"""Bad input at the HTTP doors of the real daemon, each answered with a clear error that names
what is wrong, and changing nothing: a multipart form whose boundary cannot be used (it once
stopped the daemon, before anyone signed in), form values that are not UTF-8 once decoded
(once taken as empty, clearing the field), passwords crypt(3) would cut short or refuse, JSON
that names a key twice or nests too deep, an upload's name that is not a plain file name, and
a storage failure, answered in the API's error shape."""

from __future__ import annotations

import contextlib
import datetime
import re

import sqlite3
from types import SimpleNamespace
from urllib.parse import quote

import pytest

from api_support import NEW_PASSWORD, Api, expect, fresh_id_number, module_daemon, unchanged
from conftest import create_tenant, wait_until

TENANT = "badin"
PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(scope="module")
def env(request: pytest.FixtureRequest, zhichengd_bin: str, tmp_path_factory: pytest.TempPathFactory):
    with module_daemon(request, zhichengd_bin, tmp_path_factory.mktemp("bad-input")) as d:
        info = create_tenant(d, TENANT, "4101", "郑州市")
        api = Api(d.http_port, TENANT)
        city = api.first_login(info["admin_login"], info["admin_password"])
        staff = expect(city.post("orgs/1/staff", {"login": "li.si", "name": "李四", "phone": "13812345678"}), 201).json["account"]
        yield SimpleNamespace(daemon=d, api=api, city=city, staff=staff)


def form_post(env, path: str, body: bytes, content_type: str = "application/x-www-form-urlencoded", cookie: bool = True):
    headers = {"Content-Type": content_type}
    if cookie:
        headers["Cookie"] = f"zc_session={env.city.cookie}"
    return env.api.raw("POST", f"/t/{TENANT}/{path}", body=body, headers=headers)


def staff_row(env) -> dict:
    return next(s for s in expect(env.city.get("orgs/1/staff"), 200).json["staff"] if s["id"] == env.staff["id"])


def test_a_multipart_boundary_that_cannot_be_used_is_refused_and_the_daemon_stays_up(env) -> None:
    """`boundary=` empty, quoted empty, over RFC 2046's 70 characters or with a character it does
    not allow: 400 naming the boundary, before any sign-in (the sign-in form) and after it."""
    body = b'--x\r\nContent-Disposition: form-data; name="login"\r\n\r\na\r\n--x--\r\n'
    with unchanged(env.daemon, TENANT):
        for boundary in ("", '""', "b" * 71, "a\tb", 'a"b', "é"):
            for path, cookie in (("login", False), (f"staff/{env.staff['id']}/edit", True)):
                r = form_post(env, path, body, f"multipart/form-data; boundary={boundary}", cookie=cookie)
                assert r.status == 400 and "分隔符" in r.body.decode(), (boundary, path, r.status, r.body.decode()[-500:])
    assert env.api.raw("GET", "/healthz").status == 200
    # A usable boundary still works, quoted or not.
    for boundary in ("x", '"x"'):
        fields = {"_csrf": env.city.csrf, "name": "李四", "phone": "13812345678"}
        form = b"".join(f'--x\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in fields.items()) + b"--x--\r\n"
        r = form_post(env, f"staff/{env.staff['id']}/edit", form, f"multipart/form-data; boundary={boundary}")
        assert r.status == 303, (boundary, r.status, r.body.decode()[-500:])


def test_a_form_value_that_is_not_utf8_is_refused_not_taken_as_empty(env) -> None:
    before = staff_row(env)
    assert before["phone"] == "13812345678"
    csrf = f"_csrf={quote(env.city.csrf)}"
    path = f"staff/{env.staff['id']}/edit"
    with unchanged(env.daemon, TENANT):
        for body in (f"{csrf}&name={quote('李四')}&phone=%FF", f"{csrf}&name=%E6%9D%8E%FF&phone=13812345678", f"{csrf}&%FF=1&name=x&phone="):
            r = form_post(env, path, body.encode())
            assert r.status == 400 and "表单不是 UTF-8 编码" in r.body.decode(), (body, r.status, r.body.decode()[-500:])
        # The same in a multipart form: a field that is not UTF-8 is refused, never dropped.
        multipart = (b'--x\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n' + env.city.csrf.encode() + b"\r\n"
                     b'--x\r\nContent-Disposition: form-data; name="name"\r\n\r\n\xff\xfe\r\n--x--\r\n')
        r = form_post(env, path, multipart, "multipart/form-data; boundary=x")
        assert r.status == 400 and "表单不是 UTF-8 编码" in r.body.decode(), (r.status, r.body.decode()[-500:])
    assert staff_row(env) == before
    # `+` is a space and a `%` without two hex digits is kept as typed, as browsers send them.
    r = form_post(env, path, f"{csrf}&name=%E6%9D%8E+%E5%9B%9B%&phone=13812345678".encode())
    assert r.status == 303, (r.status, r.body.decode()[-500:])
    assert staff_row(env)["name"] == "李 四%"


def test_a_password_crypt_would_cut_short_or_refuse_is_refused_with_its_field(env) -> None:
    """crypt(3) stops at a NUL (so "Ab1\\0zzzz" would be stored as "Ab1") and reads at most 512
    bytes (30 family emoji are 33 characters but 753 bytes): both are refused naming
    new_password, and the old password still signs in."""
    person = env.api.sign_in(env.city.account["login"], NEW_PASSWORD)
    with unchanged(env.daemon, TENANT, ignore=("sessions",)):
        for new, message in (("Ab1\u0000zzzzzz", "控制字符"), ("Ab1\nzzzzzz", "控制字符"), ("Ab1" + "👨‍👩‍👧‍👦" * 30, "字节")):
            r = expect(person.post("account/password", {"old_password": NEW_PASSWORD, "new_password": new}), 400, field="new_password")
            assert message in r.error()["message"], r.error()
    expect(env.api.sign_in_raw(env.city.account["login"], "Ab1"), 401)
    env.api.sign_in(env.city.account["login"], NEW_PASSWORD)


def test_json_that_names_a_key_twice_or_nests_too_deep_is_refused(env) -> None:
    """JSONDecoder would keep the first of two `name`s; the admin protocol's reader refuses
    them. Both doors now read a body alike."""
    headers = {"Authorization": f"Bearer {env.city.token}", "Content-Type": "application/json"}
    with unchanged(env.daemon, TENANT):
        r = env.api.raw("POST", f"/t/{TENANT}/api/v1/orgs/1/children", body='{"name":"甲","name":"乙","kind":"department"}'.encode(), headers=headers)
        expect(r, 400, field="name")
        deep = ('{"name":"甲","kind":"department","x":' + "[" * 70 + "]" * 70 + "}").encode()
        r = env.api.raw("POST", f"/t/{TENANT}/api/v1/orgs/1/children", body=deep, headers=headers)
        assert r.status == 400 and "64" in r.error()["message"], (r.status, r.body[:300])
        r = env.api.raw("POST", f"/t/{TENANT}/api/v1/orgs/1/children", body=b'{"name":"\xff","kind":"department"}', headers=headers)
        expect(r, 400)


def test_a_body_that_is_null_or_not_json_is_told_so_in_chinese_and_a_byte_order_mark_is_skipped(env) -> None:
    """`null` was "字段  不能为空" (no field, two spaces); a syntax error said the parser's English
    ("unexpected end of input at byte 0"); a UTF-8 byte order mark (Notepad, PowerShell) made a
    body "not JSON". Now: what is wrong in Chinese, with its byte and, inside a field, the field;
    the mark is skipped."""
    headers = {"Authorization": f"Bearer {env.city.token}", "Content-Type": "application/json"}
    path = f"/t/{TENANT}/api/v1/staff/{env.staff['id']}"

    def message(body: bytes, field: str | None = None) -> str:
        return expect(env.api.raw("PATCH", path, body=body, headers=headers), 400, field=field).error()["message"]

    with unchanged(env.daemon, TENANT):
        assert message(b"null") == "请求体不能为 null，应为对象 {…}"
        assert message(b"") == "请求体为空，应为 JSON"
        assert message(b"{") == "请求体不是有效的 JSON：此处应为带双引号的字段名（第 2 个字节处）"
        assert message('{"name":"李四'.encode(), field="name") == "请求体不是有效的 JSON：字段 name：字符串没有结束（缺少右引号）（第 16 个字节处）"
        assert message(b'{"name":"\\ud800"}', field="name").endswith("不成对的 UTF-16 代理项（第 16 个字节处）")
        assert message(b'{"name":"a"} x') == "请求体不是有效的 JSON：JSON 值之后还有多余的内容（第 14 个字节处）"
        # Counted in the body as sent, the mark included.
        assert message(b"\xef\xbb\xbf{") == "请求体不是有效的 JSON：此处应为带双引号的字段名（第 5 个字节处）"
        for body in (b"null", b"", b"{", b"[1,]", b'{"a" 1}', b"tru", b"01", b'{"name":"\\x"}', b'{"name":"a"} x'):
            said = message(body)
            assert not re.search(r"[A-Za-z]{3,}", re.sub(r"JSON|UTF|true|false|null|uXXXX|字段 [a-z_.]+", "", said)), (body, said)
    changed = expect(env.api.raw("PATCH", path, body="\ufeff".encode() + '{"name":"李四四"}'.encode(), headers=headers), 200).json
    assert changed["name"] == "李四四", changed
    expect(env.city.patch(f"staff/{env.staff['id']}", {"name": "李四"}), 200)


def test_a_body_full_of_fractions_is_answered_with_a_short_error(env) -> None:
    """Where an integer is expected, a number that is not one is named by its path. A 1 MiB
    body of 150,000 fractions (nested too: the depth check comes first) once had the path of
    every one collected, copied and sorted: seconds of CPU and a gigabyte per request, from any
    signed-in account. The answer names the first five."""
    headers = {"Authorization": f"Bearer {env.city.token}", "Content-Type": "application/json"}
    many = '{"year":2026.5,"items":[],"x":[' + ",".join(["1.5"] * 150_000) + "]}"
    deep = '{"year":2026.5,"items":[],"x":' + "[" * 500 + ",".join(["1.5"] * 150_000) + "]" * 500 + "}"
    assert len(many) < (1 << 20) and len(deep) < (1 << 20)
    with unchanged(env.daemon, TENANT):
        r = env.api.raw("POST", f"/t/{TENANT}/api/v1/orgs/1/plans", body=many.encode(), headers=headers)
        message = r.error()["message"]
        assert r.status == 400 and r.error()["field"] == "x.0" and len(r.body) < 1000, (r.status, r.body[:300])
        assert "字段 x.0、x.1、x.2、x.3、x.4 等 应为整数" in message, message
        r = env.api.raw("POST", f"/t/{TENANT}/api/v1/orgs/1/plans", body=deep.encode(), headers=headers)
        assert r.status == 400 and "64" in r.error()["message"] and len(r.body) < 1000, (r.status, r.body[:300])
    assert env.api.raw("GET", "/healthz").status == 200


def test_a_form_of_too_many_fields_or_parts_is_refused_whole(env) -> None:
    """A web form has at most 2,000 fields (or multipart parts): a 1 MiB body cut into tiny
    fields is refused (400, a page of the UI) before it becomes hundreds of thousands of strings.
    2,000 are still read (the CSRF check then refuses them)."""
    with unchanged(env.daemon, TENANT):
        r = form_post(env, "orgs/1/rename", b"&".join(b"a=%d" % n for n in range(2001)))
        assert r.status == 400 and "字段过多" in r.body.decode(), (r.status, r.body[:300])
        r = form_post(env, "orgs/1/rename", b"&".join(b"a=%d" % n for n in range(2000)))
        assert r.status != 400 or "字段过多" not in r.body.decode(), r.body[:300]
        boundary = "zzBOUNDARYzz"
        parts = b"".join(b'--%s\r\nContent-Disposition: form-data; name="a"\r\n\r\n%d\r\n' % (boundary.encode(), n) for n in range(2001))
        r = form_post(env, "orgs/1/rename", parts + b"--%s--\r\n" % boundary.encode(), content_type=f"multipart/form-data; boundary={boundary}")
        assert r.status == 400 and "字段过多" in r.body.decode(), (r.status, r.body[:300])
    assert env.api.raw("GET", "/healthz").status == 200


def test_a_year_typed_far_ahead_is_refused(env) -> None:
    """A 年度 goes up to next year (China time): 2062 typed for 2026 is refused, naming the
    bound, for a plan and for an application alike, and changes nothing."""
    far = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).year + 2
    person = expect(env.city.post("orgs/1/applicants", {"id_number": fresh_id_number(), "name": "年度"}), 201).json
    applicant = env.api.first_login(person["account"]["login"], person["password"])
    with unchanged(env.daemon, TENANT):
        expect(env.city.post("orgs/1/plans", {"year": far, "items": [{"series": "中小学教师", "level": "中级", "count": 1}]}), 400, field="year",
               contains=f"至 {far - 1} ")
        expect(applicant.post("applications", {"kind": "title", "year": far, "series": "中小学教师", "level": "中级", "title": "一级教师"}), 400,
               field="year")
    plan = expect(env.city.post("orgs/1/plans", {"year": far - 1, "items": [{"series": "中小学教师", "level": "中级", "count": 1}]}), (200, 201)).json
    # A plan saved with such a year before the bound (here written into the file) goes no further.
    con = sqlite3.connect(env.daemon.tenant_db(TENANT), timeout=10)
    try:
        with con:
            con.execute("UPDATE plans SET year = ? WHERE id = ?", (far + 35, plan["id"]))
    finally:
        con.close()
    headers = {"Authorization": f"Bearer {env.city.token}", "Content-Type": "application/pdf", "X-Filename": "plan.pdf"}
    with unchanged(env.daemon, TENANT):
        expect(env.api.raw("PUT", f"/t/{TENANT}/api/v1/plans/{plan['id']}/document", body=PDF_BYTES, headers=headers), 400, field="year",
               contains=f"（{far + 35}）")
        expect(env.city.post(f"plans/{plan['id']}/submit"), 400, field="year")
    assert expect(env.city.get(f"plans/{plan['id']}"), 200).json["state"] == "draft"


def test_a_plan_document_name_that_is_not_a_plain_file_name_is_refused(env) -> None:
    plan = expect(env.city.post("orgs/1/plans", {"year": 2010, "items": [{"series": "中小学教师", "level": "中级", "count": 1}]}), (200, 201)).json
    url = f"/t/{TENANT}/api/v1/plans/{plan['id']}/document"
    headers = {"Authorization": f"Bearer {env.city.token}", "Content-Type": "application/pdf"}
    with unchanged(env.daemon, TENANT):
        for name in ("..", "a%0Ab.pdf", "%E2%80%AEfdp.exe", "x" * 201, "%FF"):
            r = env.api.raw("PUT", url, body=PDF_BYTES, headers={**headers, "X-Filename": name})
            expect(r, 400, field="name")
    r = env.api.raw("PUT", url, body=PDF_BYTES, headers={**headers, "X-Filename": quote("目录/2010年申报计划.pdf")})
    expect(r, 200)


def test_a_storage_failure_is_answered_in_the_api_error_shape(env) -> None:
    """An error that is not the caller's (here the plans table renamed behind the daemon's back)
    is a 500 with `{"error": {"code": "internal", "message"}}`, not an empty body; the daemon
    goes on serving, and the same request works once the table is back."""
    with plans_table_gone(env):
        r = env.city.get("plans")
        assert r.status == 500 and r.error()["code"] == "internal" and r.error()["message"], (r.status, r.body[:300])
        assert "plans" not in r.error()["message"]          # the details go to the log, not to the caller
    expect(env.city.get("plans"), 200)


@contextlib.contextmanager
def plans_table_gone(env):
    """The tenant's plans table renamed behind the daemon's back (a failure that is not the
    caller's: every request reading it is a 500), and put back afterwards, also on failure."""
    con = sqlite3.connect(env.daemon.tenant_db(TENANT), timeout=10)
    try:
        con.execute("ALTER TABLE plans RENAME TO plans_gone")
        con.commit()
        yield
    finally:
        try:
            con.execute("ALTER TABLE plans_gone RENAME TO plans")
            con.commit()
        except sqlite3.OperationalError:
            pass   # never renamed (the first ALTER failed): its own error is the one to see
        finally:
            con.close()


def test_an_internal_error_is_joined_to_its_log_line_by_the_request_id(env) -> None:
    """Every answer carries an `X-Request-Id`, a new one each time (a client's own is not taken
    up). A 500 shows its request's id in the API's error body (`request_id`, and 错误编号 in the
    message) and on the web UI's page, and the log line of that error has the same `request.id`."""
    ids = [env.api.raw("GET", "/healthz", headers={"X-Request-Id": "mine"}).headers.get("x-request-id") for _ in range(2)]
    assert all(ids) and ids[0] != ids[1] and "mine" not in ids, ids
    assert expect(env.city.get("orgs/1"), 200).headers.get("x-request-id")
    assert env.api.raw("GET", f"/t/{TENANT}/no-such-page").headers.get("x-request-id")

    def logged(request_id: str) -> list[str]:
        return [l for l in env.daemon.stderr().splitlines() if f"request.id={request_id}" in l]

    with plans_table_gone(env):
        r = env.city.get("plans")
        api_id = r.headers.get("x-request-id")
        assert r.status == 500 and api_id and r.error()["request_id"] == api_id and f"错误编号: {api_id}" in r.error()["message"], (r, r.headers)
        form = {"Cookie": f"zc_session={env.city.cookie}", "Content-Type": "application/x-www-form-urlencoded"}
        page = env.api.raw("POST", f"/t/{TENANT}/plans", body=f"_csrf={env.city.csrf}&year=2026&series={quote('中小学教师')}&level={quote('中级')}&count=1".encode(), headers=form)
        page_id = page.headers.get("x-request-id")
        assert page.status == 500 and page_id and page_id != api_id, (page.status, page.headers)
        assert page.headers.get("content-type", "").startswith("text/html") and f"错误编号: {page_id}" in page.body.decode(), page.body.decode()[-2000:]
    for request_id, method, path in ((api_id, "GET", f"/t/{TENANT}/api/v1/plans"), (page_id, "POST", f"/t/{TENANT}/plans")):
        lines = wait_until(lambda: logged(request_id) or None, 10, f"the log line of request {request_id}")
        # (A form whose page then fails too says so twice, both under the one id.)
        errors = [l for l in lines if "internal error" in l]
        assert errors and all("no such table" in l and f"http.method={method}" in l and f"path={path}" in l for l in errors), lines
    expect(env.city.get("plans"), 200)


def test_an_internal_errors_log_line_masks_an_id_card_number_in_its_path(env) -> None:
    """The log line of an internal error names the request's path; an ID-card number in it (a
    path a person typed or a link carried, here where an id belongs) is masked there as
    everywhere in the log, for the API and for a page. Caused by the session check failing
    (its table renamed behind the daemon's back), which runs before the path's id is read."""
    number = fresh_id_number()
    masked = number[:6] + "*" * 8 + number[-4:]
    cookie = {"Cookie": f"zc_session={env.city.cookie}"}
    con = sqlite3.connect(env.daemon.tenant_db(TENANT), timeout=10)
    try:
        before = len(env.daemon.stderr())
        con.execute("ALTER TABLE sessions RENAME TO sessions_gone")
        con.commit()
        api = env.city.get(f"orgs/{number}")
        page = env.api.raw("GET", f"/t/{TENANT}/applications/{number}", headers=cookie)
        assert api.status == 500 and page.status == 500, (api, page.status)
    finally:
        try:
            con.execute("ALTER TABLE sessions_gone RENAME TO sessions")
            con.commit()
        finally:
            con.close()
    for path, request_id in ((f"/t/{TENANT}/api/v1/orgs/{masked}", api.headers["x-request-id"]),
                             (f"/t/{TENANT}/applications/{masked}", page.headers["x-request-id"])):
        lines = wait_until(lambda: [l for l in env.daemon.stderr()[before:].splitlines() if f"request.id={request_id}" in l and "internal error" in l] or None,
                           10, f"the internal error of {path} in the log")
        assert all(f"path={path}" in l for l in lines), lines
    assert number not in env.daemon.stderr()[before:], "a whole ID-card number in the log"
    assert env.api.raw("GET", f"/t/{TENANT}/home", headers=cookie).status == 200


def test_a_storage_failure_behind_a_page_or_a_form_is_logged_and_not_taken_for_a_sign_out(env) -> None:
    """The web UI's answer to an error that is not the user's says it was written to the log:
    it is, with the request's method and path (the tenant in it), for a page, for a form and
    for the session check itself. A session that cannot be checked (its table gone here) is a
    500 page, not "登录已结束" with the sign-in page, as if everybody had been signed out."""
    db = env.daemon.tenant_db(TENANT)
    cookie = {"Cookie": f"zc_session={env.city.cookie}"}
    form = {**cookie, "Content-Type": "application/x-www-form-urlencoded"}
    con = sqlite3.connect(db)
    try:
        before = len(env.daemon.stderr())
        con.execute("ALTER TABLE plans RENAME TO plans_gone")
        con.commit()
        r = env.api.raw("POST", f"/t/{TENANT}/plans", body=f"_csrf={env.city.csrf}&year=2026&series={quote('中小学教师')}&level={quote('中级')}&count=1".encode(), headers=form)
        assert r.status == 500 and "已记入日志" in r.body.decode() and "no such table" not in r.body.decode(), (r.status, r.body.decode()[-2000:])
        # A page of the UI, not the API's JSON.
        assert r.headers.get("content-type", "").startswith("text/html") and 'href="/t/badin/home"' in r.body.decode(), r.headers
        con.execute("ALTER TABLE plans_gone RENAME TO plans")
        con.commit()
        logged = wait_until(lambda: [l for l in env.daemon.stderr()[before:].splitlines() if "internal error" in l and f"/t/{TENANT}/plans" in l] or None,
                            10, "the form's error in the log")
        assert "POST" in logged[0] and "no such table" in logged[0], logged

        before = len(env.daemon.stderr())
        con.execute("ALTER TABLE sessions RENAME TO sessions_gone")
        con.commit()
        r = env.api.raw("GET", f"/t/{TENANT}/home", headers=cookie)
        assert r.status == 500 and "已记入日志" in r.body.decode(), (r.status, r.headers.get("location"), r.body.decode()[-2000:])
        r = env.api.raw("POST", f"/t/{TENANT}/plans", body=f"_csrf={env.city.csrf}&year=2026".encode(), headers=form)
        assert r.status == 500 and "已记入日志" in r.body.decode(), (r.status, r.headers.get("location"))
        con.execute("ALTER TABLE sessions_gone RENAME TO sessions")
        con.commit()
        logged = wait_until(lambda: [l for l in env.daemon.stderr()[before:].splitlines() if "internal error" in l and f"/t/{TENANT}/" in l] or None,
                            10, "the session check's error in the log")
        assert any("/home" in l for l in logged) and any("/plans" in l for l in logged), logged
    finally:
        for gone, name in (("plans_gone", "plans"), ("sessions_gone", "sessions")):
            try:
                con.execute(f"ALTER TABLE {gone} RENAME TO {name}")
                con.commit()
            except sqlite3.OperationalError:
                pass
        con.close()
    assert env.api.raw("GET", f"/t/{TENANT}/home", headers=cookie).status == 200
