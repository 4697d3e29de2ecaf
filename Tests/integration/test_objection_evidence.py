"""An objection's evidence files (证据材料, schema v43) through the real daemon: `POST
applications/<id>/objections` as `multipart/form-data` (fields text and evidence, up to 3 `file`
parts), the files named where objections are listed and served by `GET
objections/<id>/files/<file>` to the committee's office and the person who lodged it, nobody else;
bad files refused with a 400 naming `file` and nothing changed; and for the province's result on a
city application, the files carried in the relay message to the province, stored there once even
across a restart or a crash between the delivery and its mark, the city keeping their names."""

from __future__ import annotations

import hashlib
import http.client
import json
import re
import uuid
from urllib.parse import quote

import pytest

from api_support import Api, add_reviewer, approve_unit, create_child, db_rows, expect, png_bytes, relay_idle, unchanged
from conftest import clean_env, create_tenant, wait_until
from test_api_committee import SERIES, City, Province

LIMIT = 64 * 1024
CONFIG = f'[log]\nlevel = "info"\n[limits]\npublicity_working_days = 5\nupload_max_bytes = {LIMIT}\n'
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n% a scanned comparison report\ntrailer <<>>\n%%EOF\n"
PNG = png_bytes(3, 2, seed=7)
PDF_NAME = "比对报告 第1页.pdf"
PNG_NAME = "证据<截图>&1.png"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def multipart(fields: dict[str, str], files: list[tuple[str, bytes]], boundary: str | None = None) -> tuple[bytes, str]:
    """A `multipart/form-data` body as a browser writes it, and its Content-Type."""
    b = boundary or "zc" + uuid.uuid4().hex
    out = b""
    for name, value in fields.items():
        out += f'--{b}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode() + value.encode() + b"\r\n"
    for filename, data in files:
        out += (f'--{b}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
                f"Content-Type: application/octet-stream\r\n\r\n").encode() + data + b"\r\n"
    return out + f"--{b}--\r\n".encode(), f"multipart/form-data; boundary={b}"


def lodge(account, path: str, text: str, files: list[tuple[str, bytes]], evidence: str = ""):
    body, content_type = multipart({"text": text, "evidence": evidence}, files)
    return account.call("POST", f"{path}/objections", data=body, content_type=content_type)


def served(account, objection: int, file: dict, data: bytes, mime: str, name: str) -> None:
    r = expect(account.get(f"objections/{objection}/files/{file['id']}"), 200)
    assert r.body == data, (len(r.body), len(data))
    assert r.headers["content-type"] == mime and r.headers["x-content-type-options"] == "nosniff", r.headers
    assert r.headers["cache-control"] == "private, no-store", r.headers
    disposition = r.headers["content-disposition"]
    assert disposition.startswith("attachment; filename=") and disposition.endswith("; filename*=UTF-8''" + quote(name, safe="!#$&+-.^_`|~")), disposition


@pytest.fixture
def setup(daemon_factory):
    d = daemon_factory(config=CONFIG).start()
    info = create_tenant(d, "zhengzhou", "4101", "郑州市")
    api = Api(d.http_port, "zhengzhou")
    return d, City(d, api, api.first_login(info["admin_login"], info["admin_password"]))


def in_publicity(city: City):
    """A 中级 application of the city at its own committee, its result 通过 in 公示."""
    applicant, app = city.passed_application("中级", "一级教师")
    if not expect(city.admin.get("committees"), 200).json["committees"]:
        expect(city.admin.post("committees", {"name": "郑州市中小学教师中级评委会", "series": [SERIES], "levels": ["中级"]}), 201)
    expect(city.admin.post(f"applications/{app['id']}/result", {"result": "通过"}), 200)
    return applicant, app


def test_evidence_files_go_with_an_objection_to_the_citys_committee_and_open_for_the_office_and_the_objector(setup):
    d, city = setup
    applicant, app = in_publicity(city)
    path = f"applications/{app['id']}"
    objector = city.reviewers[0]
    files = [(PDF_NAME, PDF), (PNG_NAME, PNG)]
    objection = expect(lodge(objector, path, "论文存在抄袭", files, evidence="见比对报告"), 201).json["id"]
    # Sent twice (a double click, a retry): one objection, its files stored once.
    assert expect(lodge(objector, path, "论文存在抄袭", files, evidence="见比对报告"), 201).json["id"] == objection
    assert db_rows(d.tenant_db("zhengzhou"), "SELECT objection_id, position, name, mime, size, sha256 FROM objection_files ORDER BY id") == [
        (objection, 1, PDF_NAME, "application/pdf", len(PDF), sha(PDF)), (objection, 2, PNG_NAME, "image/png", len(PNG), sha(PNG))]
    # JSON without files keeps working as before.
    plain = expect(city.reviewers[1].post(f"{path}/objections", {"text": "评审程序不当", "evidence": "无"}), 201).json["id"]

    listed = expect(city.admin.get(f"{path}/objections"), 200).json["objections"]
    assert [(o["id"], [(f["name"], f["size"], f["type"]) for f in o["files"]]) for o in listed] == [
        (objection, [(PDF_NAME, len(PDF), "application/pdf"), (PNG_NAME, len(PNG), "image/png")]), (plain, [])], listed
    pdf, png = listed[0]["files"]
    assert set(pdf) == {"id", "name", "size", "type"}
    for reader in (city.admin, objector):
        served(reader, objection, pdf, PDF, "application/pdf", PDF_NAME)
        served(reader, objection, png, PNG, "image/png", PNG_NAME)
    mine = expect(objector.get("objections/mine"), 200).json["objections"]
    assert [(o["id"], [(f["id"], f["name"]) for f in o["files"]]) for o in mine] == [(objection, [(pdf["id"], PDF_NAME), (png["id"], PNG_NAME)])], mine

    # Nobody else opens it: the applicant, another reviewer (who lodged another objection), a unit's
    # admin, a file under another objection's id, an id that is no file; another tenant's token
    # and none are not signed in here at all.
    org, admin = create_child(city.admin, 1, "郑州市第九中学", "unit")
    unit_admin = approve_unit(city.api, city.admin, org["id"], admin["login"], admin["password"])
    for stranger in (applicant, city.reviewers[1], unit_admin):
        expect(stranger.get(f"objections/{objection}/files/{pdf['id']}"), 404)
    expect(city.admin.get(f"objections/{plain}/files/{pdf['id']}"), 404)
    expect(city.admin.get(f"objections/{objection}/files/99999"), 404)
    expect(city.admin.get(f"objections/{objection}/files/x"), 404)
    other = create_tenant(d, "kaifeng", "4102", "开封市")
    kaifeng = Api(d.http_port, "kaifeng").first_login(other["admin_login"], other["admin_password"])
    assert city.api.call("GET", f"objections/{objection}/files/{pdf['id']}", token=kaifeng.token).status == 401
    assert city.api.call("GET", f"objections/{objection}/files/{pdf['id']}").status == 401
    expect(kaifeng.get(f"objections/{objection}/files/{pdf['id']}"), 404)

    # The desk's item page links each file (a download, said to screen readers); 评审结果公示's
    # form takes files; 我提出的异议 names them.
    cookie = {"Cookie": f"zc_session={city.admin.cookie}"}
    page = city.api.raw("GET", f"/t/zhengzhou/committee/application/{app['id']}", headers=cookie).body.decode()
    table = re.search(r'<table id="objections">(.*?)</table>', page, re.S).group(1)
    for f in (pdf, png):
        link = f'<a href="/t/zhengzhou/api/v1/objections/{objection}/files/{f["id"]}" download>'
        assert link in table, table
    assert "证据&lt;截图&gt;&amp;1.png" in table and "（下载）</span>" in table
    form = objector.api.raw("GET", "/t/zhengzhou/publicity", headers={"Cookie": f"zc_session={objector.cookie}"}).body.decode()
    assert 'enctype="multipart/form-data"' in form and re.search(r'<input type="file" name="file"[^>]* multiple accept="application/pdf,image/png,image/jpeg', form), form[-3000:]
    assert "证据材料（PDF、PNG 或 JPEG，最多3个）" in form
    own = re.search(r'<table id="own-objections">(.*?)</table>', form, re.S).group(1)
    assert PDF_NAME in own and f'/objections/{objection}/files/{png["id"]}' in own, own
    # Resolving it leaves its files as they were, still served.
    expect(city.admin.post(f"objections/{objection}/resolve", {"decision": "dismissed", "reason": "经核查不属实"}), 200)
    served(city.admin, objection, png, PNG, "image/png", PNG_NAME)
    assert d.call("tenant.check", {"id": "zhengzhou"})["ok"] is True


def test_one_person_has_at_most_three_objections_with_files_open_against_a_result(setup):
    """Files are kept for good: one account may not pile them up against one result. A fourth
    objection with files while three wait is 409 naming `file` and changes nothing; one without
    files is taken; once one of the three is resolved, another with files is taken."""
    d, city = setup
    _, app = in_publicity(city)
    path = f"applications/{app['id']}"
    objector = city.reviewers[0]
    ids = [expect(lodge(objector, path, f"异议{n}", [(PDF_NAME, PDF)]), 201).json["id"] for n in range(3)]
    with unchanged(d, "zhengzhou"):
        r = expect(lodge(objector, path, "异议3", [(PNG_NAME, PNG)]), 409, field="file")
        assert "已有 3 条附证据材料的异议尚未处理" in r.json["error"]["message"], r.json
    # Another person, and the same person without files, are not held back by it.
    expect(lodge(city.reviewers[1], path, "另一人的异议", [(PNG_NAME, PNG)]), 201)
    expect(objector.post(f"{path}/objections", {"text": "不附文件的异议"}), 201)
    expect(city.admin.post(f"objections/{ids[0]}/resolve", {"decision": "dismissed", "reason": "经核实无误"}), 200)
    expect(lodge(objector, path, "异议3", [(PNG_NAME, PNG)]), 201)


def test_bad_evidence_is_refused_naming_the_file_input_and_changes_nothing(setup):
    d, city = setup
    _, app = in_publicity(city)
    path = f"applications/{app['id']}"
    objector = city.reviewers[0]
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(200)
    oversized = b"%PDF-1.4\n" + b"x" * LIMIT + b"\n%%EOF\n"
    with unchanged(d, "zhengzhou"):
        for files, says in [
            ([("证据.pdf", exe)], "PDF、PNG 或 JPEG"),                 # a program named .pdf
            ([("说明.pdf", "只是一段文字".encode())], "PDF、PNG 或 JPEG"),  # text named .pdf
            ([("截断.pdf", b"%PDF-1.4\n1 0 obj")], "%%EOF"),           # a PDF cut short
            ([("大.pdf", oversized)], "不能超过 64 KB"),
            ([(f"{i}.pdf", PDF) for i in range(4)], "最多3个"),
            ([("空.pdf", b"")], "空文件"),
            ([("../../x.pdf", PDF)], "路径"),
            ([("a.pdf", PDF), ("b%0D%0Ac.pdf", PDF)], "控制字符"),     # a line break smuggled into a name
        ]:
            r = expect(lodge(objector, path, "论文存在抄袭", files), 400, field="file", contains=says)
            assert r.error()["code"] == "invalid", r
        # A crafted form: a field that is not UTF-8 is refused naming it; a body whose parts cannot
        # be read, or whose boundary the header does not give, is refused whole.
        body = (b'--zz\r\nContent-Disposition: form-data; name="text"\r\n\r\n\xff\xfe\r\n'
                b'--zz\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n' + PDF + b"\r\n--zz--\r\n")
        expect(objector.call("POST", f"{path}/objections", data=body, content_type="multipart/form-data; boundary=zz"), 400, field="text")
        expect(objector.call("POST", f"{path}/objections", data=b"--zz\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\nx", content_type="multipart/form-data; boundary=zz"), 400)
        expect(objector.call("POST", f"{path}/objections", data=body, content_type="multipart/form-data"), 400, contains="分隔符")
        # Past the body's limit (3 files of the limit and the text) it is not read at all.
        big, content_type = multipart({"text": "x"}, [(f"{i}.pdf", oversized) for i in range(5)])
        assert expect(objector.call("POST", f"{path}/objections", data=big, content_type=content_type), 413).error()["code"] == "too_large"
        # The text is still required with files.
        expect(lodge(objector, path, "", [("a.pdf", PDF)]), 400, field="text")
    # The web form's refusal: the typed text shown again for copying, the file input marked.
    form_body, content_type = multipart({"_csrf": objector.csrf, "text": "论文存在抄袭（网页）", "evidence": "比对"}, [("证据.pdf", exe)])
    with unchanged(d, "zhengzhou"):
        r = city.api.raw("POST", f"/t/zhengzhou/publicity/application/{app['id']}/objection", body=form_body,
                         headers={"Cookie": f"zc_session={objector.cookie}", "Content-Type": content_type})
    page = r.body.decode()
    assert r.status == 400 and "PDF、PNG 或 JPEG" in page, page[-2000:]
    assert "论文存在抄袭（网页）" in page
    marked = re.findall(r'<input[^>]*aria-invalid="true"[^>]*>', page)
    assert len(marked) == 1 and 'name="file"' in marked[0] and 'aria-describedby="flash-error"' in marked[0], marked
    # At the limit and of every type, three files are taken.
    at_limit = b"%PDF-1.4\n" + b"x" * (LIMIT - 16) + b"\n%%EOF\n"
    assert len(at_limit) == LIMIT
    from api_support import jpeg_bytes
    expect(lodge(objector, path, "论文存在抄袭", [("满.pdf", at_limit), ("b.png", PNG), ("c.jpg", jpeg_bytes())]), 201)
    assert db_rows(d.tenant_db("zhengzhou"), "SELECT mime FROM objection_files ORDER BY position") == [("application/pdf",), ("image/png",), ("image/jpeg",)]


def to_province(d, city: City):
    """The province with its committee; a 副高级 application of the city passed and handed over,
    its result 通过 standing in 公示 in the city. Returns (province, the city's application, the
    province's id of it)."""
    province = Province(d)
    _, app = city.passed_application("副高级", "高级教师")
    rid = province.received(app["id"])
    expect(province.office.post(f"province/applications/{rid}/result", {"result": "通过"}), 200)
    wait_until(lambda: any(n["path"] == f"applications/{app['id']}" for n in expect(city.reviewers[0].get("public-notices"), 200).json["notices"]),
               30, "the province's notice to reach the city")
    return province, app, rid


def held_at_province(daemon_factory, tmp_path):
    """A daemon whose relay holds objections to the province (while the returned `hold` file
    exists), the city and the province of `to_province`. Returns (hold, daemon, city, province,
    the city's application, the province's id of it)."""
    hold = tmp_path / "hold-objections"
    hold.touch()
    d = daemon_factory(config=CONFIG, env=clean_env(ZHICHENG_RELAY_HOLD=f"objection.lodge:{hold}")).start()
    info = create_tenant(d, "zhengzhou", "4101", "郑州市")
    api = Api(d.http_port, "zhengzhou")
    city = City(d, api, api.first_login(info["admin_login"], info["admin_password"]))
    province, app, rid = to_province(d, city)
    return hold, d, city, province, app, rid


def assert_arrived_once(d, province: Province, rid: int) -> tuple[int, list[dict]]:
    """The objection reached the province once with both files, which its office opens."""
    listed = wait_until(lambda: expect(province.office.get(f"province/applications/{rid}/objections"), 200).json["objections"], 30,
                        "the objection to reach the province")
    relay_idle(d, ["zhengzhou", "province"])
    listed = expect(province.office.get(f"province/applications/{rid}/objections"), 200).json["objections"]
    assert len(listed) == 1 and [(f["name"], f["size"], f["type"]) for f in listed[0]["files"]] == [
        (PDF_NAME, len(PDF), "application/pdf"), (PNG_NAME, len(PNG), "image/png")], listed
    prov = d.tenant_db("province")
    assert db_rows(prov, "SELECT count(*) FROM objection_files") == [(2,)]
    assert db_rows(prov, "SELECT count(*) FROM inbox WHERE kind = 'objection.lodge'") == [(1,)]
    audit = db_rows(prov, "SELECT detail FROM audit WHERE action = 'objection.lodge'")
    assert [json.loads(a)["files"] for (a,) in audit] == [2], audit
    objection = listed[0]["id"]
    served(province.office, objection, listed[0]["files"][0], PDF, "application/pdf", PDF_NAME)
    served(province.office, objection, listed[0]["files"][1], PNG, "image/png", PNG_NAME)
    return objection, listed[0]["files"]


def test_evidence_to_the_provinces_result_travels_to_the_province_once_even_across_a_restart(daemon_factory, tmp_path):
    """The objection waits in the city's outbox (the relay holds it) while the daemon is stopped and
    started again: then it reaches the province with its files, once. The province's office opens
    them; its reviewers, and the city's people (another tenant there), do not. The city keeps the
    names, which the objector reads, and no bytes beyond the message it sent."""
    hold, d, city, province, app, rid = held_at_province(daemon_factory, tmp_path)
    path = f"applications/{app['id']}"
    objector = city.reviewers[0]
    files = [(PDF_NAME, PDF), (PNG_NAME, PNG)]
    assert expect(lodge(objector, path, "业绩不实", files, evidence="两份材料"), 202).json == {"forwarded_to": "province"}
    expect(lodge(objector, path, "业绩不实", files, evidence="两份材料"), 202)
    cdb = d.tenant_db("zhengzhou")
    assert db_rows(cdb, "SELECT delivered_at FROM outbox WHERE kind = 'objection.lodge'") == [(None,)]
    (payload,) = db_rows(cdb, "SELECT payload FROM outbox WHERE kind = 'objection.lodge'")[0]
    sent = json.loads(payload)["files"]
    assert [(f["name"], f["mime"], f["size"], f["sha256"]) for f in sent] == [(PDF_NAME, "application/pdf", len(PDF), sha(PDF)), (PNG_NAME, "image/png", len(PNG), sha(PNG))]
    # The city keeps the names, types, sizes and digests of what was sent, no file of its own.
    assert db_rows(cdb, "SELECT name, mime, size, sha256 FROM sent_objection_files ORDER BY position") == [
        (PDF_NAME, "application/pdf", len(PDF), sha(PDF)), (PNG_NAME, "image/png", len(PNG), sha(PNG))]
    assert db_rows(cdb, "SELECT count(*) FROM objection_files") == [(0,)]
    mine = expect(objector.get("objections/mine"), 200).json["objections"]
    assert [(o["to_province"], o.get("id"), o["files"]) for o in mine] == [
        (True, None, [{"name": PDF_NAME, "size": len(PDF), "type": "application/pdf"}, {"name": PNG_NAME, "size": len(PNG), "type": "image/png"}])], mine
    page = city.api.raw("GET", "/t/zhengzhou/publicity", headers={"Cookie": f"zc_session={objector.cookie}"}).body.decode()
    own = re.search(r'<table id="own-objections">(.*?)</table>', page, re.S).group(1)
    assert "比对报告 第1页.pdf" in own and "/files/" not in own, own

    d.terminate()
    hold.unlink()
    d.env = clean_env()
    d.start()
    objection, (pdf, _) = assert_arrived_once(d, province, rid)
    reviewer = add_reviewer(province.office, 1, "prov.h", ["handler"])
    expect(reviewer.get(f"objections/{objection}/files/{pdf['id']}"), 404)
    assert city.api.call("GET", f"/t/province/api/v1/objections/{objection}/files/{pdf['id']}", token=objector.token).status == 401
    # The receipt reaches its author, whose list still names the files.
    wait_until(lambda: [o["state"] for o in expect(objector.get("objections/mine"), 200).json["objections"]] == ["open"], 30, "the receipt")
    for tenant in ("province", "zhengzhou"):
        assert d.call("tenant.check", {"id": tenant})["ok"] is True


def test_a_crash_between_the_delivery_and_its_mark_stores_the_files_once(daemon_factory):
    """Killed after the province took the message in but before the city marked it delivered:
    started again, the relay offers it again, the inbox knows it, and the files stay two."""
    d = daemon_factory(config=CONFIG, env=clean_env(ZHICHENG_CRASH_AT="relay.after-deliver.objection.lodge")).start()
    info = create_tenant(d, "zhengzhou", "4101", "郑州市")
    api = Api(d.http_port, "zhengzhou")
    city = City(d, api, api.first_login(info["admin_login"], info["admin_password"]))
    province, app, rid = to_province(d, city)
    try:
        lodge(city.reviewers[0], f"applications/{app['id']}", "业绩不实", [(PDF_NAME, PDF), (PNG_NAME, PNG)])
    except (ConnectionError, OSError, http.client.HTTPException):
        pass   # the relay may reach the crash point before the answer is written
    assert d.wait_exit(timeout=60) == 86, d.output()[-2000:]
    assert db_rows(d.tenant_db("province"), "SELECT count(*) FROM objection_files") == [(2,)]
    assert db_rows(d.tenant_db("zhengzhou"), "SELECT delivered_at FROM outbox WHERE kind = 'objection.lodge'") == [(None,)]
    d.env = clean_env()
    d.start()
    province.office = Api(d.http_port, "province").sign_in(province.office.account["login"], province.office.password)
    assert_arrived_once(d, province, rid)
    assert db_rows(d.tenant_db("zhengzhou"), "SELECT delivered_at IS NOT NULL FROM outbox WHERE kind = 'objection.lodge'") == [(1,)]


def test_one_person_has_at_most_three_objections_with_files_open_against_the_provinces_result(daemon_factory, tmp_path):
    """The cap holds for the province's result on a city application too, counted in the city where
    the person lodges (`ObjectionEvidence.requireRoom`, the rule of the city's own results): three
    with files sent and not yet answered (the relay holds them), and then open at the province, leave
    no room for a fourth with files, 409 naming `file`, nothing sent or kept; one without files is
    taken, as is another person's; once the province resolves one and the city learns it, another
    with files is taken."""
    hold, d, city, province, app, rid = held_at_province(daemon_factory, tmp_path)
    path = f"applications/{app['id']}"
    objector = city.reviewers[0]

    def states() -> list[str]:
        return [o["state"] for o in expect(objector.get("objections/mine"), 200).json["objections"]]

    def fourth_refused() -> None:
        r = expect(lodge(objector, path, "异议3", [(PNG_NAME, PNG)]), 409, field="file")
        assert "已有 3 条附证据材料的异议尚未处理" in r.json["error"]["message"], r.json

    for n in range(3):
        assert expect(lodge(objector, path, f"异议{n}", [(PDF_NAME, PDF)]), 202).json == {"forwarded_to": "province"}
    assert states() == ["sent"] * 3
    with unchanged(d, "zhengzhou"):
        fourth_refused()
    # Received by the province, open there: still three.
    hold.unlink()
    wait_until(lambda: states() == ["open"] * 3, 30, "the province's receipts")
    relay_idle(d, ["zhengzhou", "province"])
    with unchanged(d, "zhengzhou"), unchanged(d, "province"):
        fourth_refused()
    # Another person, and the same person without files, are not held back by it.
    expect(lodge(city.reviewers[1], path, "另一人的异议", [(PNG_NAME, PNG)]), 202)
    expect(objector.post(f"{path}/objections", {"text": "不附文件的异议"}), 202)
    listed = wait_until(lambda: (lambda o: o if len(o) == 5 else None)(expect(province.office.get(f"province/applications/{rid}/objections"), 200).json["objections"]),
                        30, "the five objections to reach the province")
    first = next(o for o in listed if o["text"] == "异议0")
    expect(province.office.post(f"objections/{first['id']}/resolve", {"decision": "dismissed", "reason": "经核实无误"}), 200)
    wait_until(lambda: "dismissed" in states(), 30, "the province's answer to reach the city")
    expect(lodge(objector, path, "异议3", [(PNG_NAME, PNG)]), 202)
    wait_until(lambda: len(expect(province.office.get(f"province/applications/{rid}/objections"), 200).json["objections"]) == 6, 30,
               "the new objection to reach the province")
