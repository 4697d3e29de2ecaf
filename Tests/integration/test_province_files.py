"""The files of an application handed over to the province (附件): the relay copies their bytes
from the city before it delivers the hand-over (`received_files`, schema v42), once each, also
when the daemon is killed between the copies and the delivery; the province lists them with the
application and serves them (`GET province/applications/<id>/files/<sha256>`) to whoever there
may see its 附件, and its pages link them."""

from __future__ import annotations

import hashlib
import html
import http.client
import re
import sqlite3
from urllib.parse import quote

import pytest

from api_support import Api, REQUIRED_SECTIONS, REVIEW_SECTIONS, add_reviewer, approved_plan, db_rows, expect, fresh_id_number, jpeg_bytes, png_bytes, province_passes, relay_idle, restore_tenant
from conftest import clean_env, create_tenant, wait_until
from expert_support import SECTIONS as EXPERT_SECTIONS, applicant, become_expert, city_pass, expert_env, province_expert_app, sign_in_expert

SERIES = "中小学教师"
# A PDF as the city's upload checks it (header and end); its bytes are what must arrive.
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n% certificate of Qian\ntrailer <<>>\n%%EOF\n"
PNG = png_bytes(3, 2, seed=1)
PDF_NAME = "职称证书,副本:1.pdf"        # ',' and ':' in a name (the snapshot's separators)
PNG_NAME = "论文<b>&首页.png"           # escaped on the pages


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Hand:
    """The province and 郑州市 (an approved 副高级 plan, a handler and a leader at its office),
    on daemon `d`; applications of new applicants, each with files, passed to the province."""

    def __init__(self, d):
        self.d = d
        create_tenant(d, "province", "41", "河南省", kind="province")
        info = create_tenant(d, "zhengzhou", "4101", "郑州市")
        self.api = Api(d.http_port, "zhengzhou")
        self.city = self.api.first_login(info["admin_login"], info["admin_password"])
        approved_plan(self.city, self.city, 1, [{"series": SERIES, "level": "副高级", "count": 5}])
        self.reviewers = [add_reviewer(self.city, 1, f"city.{role}", [role], series=[SERIES], sections=REVIEW_SECTIONS) for role in ("handler", "leader")]
        self.papi = Api(d.http_port, "province")
        self.office = None

    def sign_in_again(self) -> None:
        """After a restart."""
        self.city = self.api.sign_in(self.city.account["login"], self.city.password)
        self.reviewers = [self.api.sign_in(r.account["login"], r.password) for r in self.reviewers]

    def application(self, files: list[tuple[str, bytes, str]]):
        """A new applicant's 副高级 application, every section filled in, with `files` (name, bytes, type) uploaded, submitted."""
        person = expect(self.city.post("orgs/1/applicants", {"id_number": fresh_id_number(), "name": "钱老师"}), 201).json
        applicant = self.api.first_login(person["account"]["login"], person["password"])
        app = expect(applicant.post("applications", {"kind": "title", "year": 2026, "series": SERIES, "level": "副高级", "title": "高级教师"}), 201).json
        for section in REQUIRED_SECTIONS:
            expect(applicant.put(f"applications/{app['id']}/sections/{quote(section)}", {"内容": section}), 200)
        for name, data, mime in files:
            self.upload(applicant, app["id"], name, data, mime)
        expect(applicant.post(f"applications/{app['id']}/submit"), 200)
        return applicant, app

    def upload(self, applicant, app_id: int, name: str, data: bytes, mime: str) -> dict:
        return expect(self.api.call("POST", f"applications/{app_id}/attachments", token=applicant, data=data, content_type=mime,
                                    headers={"X-Filename": quote(name)}), 201).json

    def city_passes(self, app_id: int) -> None:
        for reviewer in self.reviewers:
            version = expect(reviewer.get(f"applications/{app_id}"), 200).json["version"]
            expect(reviewer.post(f"applications/{app_id}/decision", {"decision": "pass", "comment": "同意", "version": version}), 200)

    def province_admin(self):
        if self.office is None:
            info = self.d.call("account.reset-password", {"tenant": "province", "login": "41"})
            self.office = self.papi.first_login("41", info["password"])
        return self.office

    def received_id(self, app_id: int, submission: int = 1) -> int:
        """The province's id of the city's application `app_id` once its `submission` arrived."""
        db = self.d.tenant_db("province")
        wait_until(lambda: db_rows(db, "SELECT id FROM received_applications WHERE source_tenant = 'zhengzhou' AND source_application_id = ? AND source_submission >= ?",
                                   app_id, submission), 30, f"application {app_id} (submission {submission}) to reach the province")
        relay_idle(self.d, ["zhengzhou", "province"])
        return db_rows(db, "SELECT id FROM received_applications WHERE source_tenant = 'zhengzhou' AND source_application_id = ?", app_id)[0][0]

    def stored(self) -> list[tuple]:
        return db_rows(self.d.tenant_db("province"), "SELECT source_tenant, sha256, mime, size, length(bytes) FROM received_files ORDER BY id")


def file_path(rid: int, digest: str) -> str:
    return f"province/applications/{rid}/files/{digest}"


def served(session, rid: int, digest: str, data: bytes, mime: str, name: str) -> None:
    """The file is served byte for byte, with its type and name, not to be sniffed or kept."""
    r = expect(session.get(file_path(rid, digest)), 200)
    assert r.body == data
    assert r.headers.get("content-type") == mime, r.headers
    assert r.headers.get("x-content-type-options") == "nosniff" and "no-store" in r.headers.get("cache-control", ""), r.headers
    assert f"filename*=UTF-8''{quote(name, safe='!#$&+-.^_`|~')}" in r.headers.get("content-disposition", ""), r.headers


def test_the_files_reach_the_province_once_and_are_served_to_who_may_see_the_attachments(daemon_factory):
    d = daemon_factory().start()
    h = Hand(d)
    _, app = h.application([(PDF_NAME, PDF, "application/pdf"), (PNG_NAME, PNG, "image/png")])
    h.city_passes(app["id"])
    rid = h.received_id(app["id"])
    assert h.stored() == [("zhengzhou", sha(PDF), "application/pdf", len(PDF), len(PDF)), ("zhengzhou", sha(PNG), "image/png", len(PNG), len(PNG))]

    # Listed with the application, for the office's admin (its committee desk) and its reviewers.
    office = h.province_admin()
    expected = [{"name": PDF_NAME, "sha256": sha(PDF), "received": True, "size": len(PDF), "mime": "application/pdf"},
                {"name": PNG_NAME, "sha256": sha(PNG), "received": True, "size": len(PNG), "mime": "image/png"}]
    whole = expect(office.get(f"province/applications/{rid}"), 200).json
    assert whole["files"] == expected
    assert whole["sections"]["附件"]["文件"] == f"{PDF_NAME}、{PNG_NAME}", "the existing fields stay as they were"
    handler = add_reviewer(office, 1, "prov.h", ["handler"], series=[SERIES], sections=REVIEW_SECTIONS)
    assert expect(handler.get(f"province/reviews/{rid}"), 200).json["files"] == expected
    for who in (office, handler):
        served(who, rid, sha(PDF), PDF, "application/pdf", PDF_NAME)
        served(who, rid, sha(PNG), PNG, "image/png", PNG_NAME)

    # A reviewer without 附件 among their content permissions sees no file and may open none; one
    # of another series does not see the application at all.
    blind = add_reviewer(office, 1, "prov.blind", ["handler"], series=[SERIES], sections=REQUIRED_SECTIONS)
    shown = expect(blind.get(f"province/reviews/{rid}"), 200).json
    assert shown["files"] == [] and "附件" in shown["hidden_sections"]
    expect(blind.get(file_path(rid, sha(PDF))), 403, contains="附件")
    other_series = add_reviewer(office, 1, "prov.other", ["handler"], series=["高等学校教师"], sections=REVIEW_SECTIONS)
    expect(other_series.get(file_path(rid, sha(PDF))), 404)

    # Digests that are not one, that no section names, or that another application names.
    served(handler, rid, sha(PDF).upper(), PDF, "application/pdf", PDF_NAME)   # a digest's case is its reader's
    for bad in ("abc", sha(PDF)[:63], sha(PDF) + "0", "g" * 64, quote("../" + sha(PDF)[3:], safe="")):
        expect(handler.get(file_path(rid, bad)), 400, field="sha256")
    expect(handler.get(file_path(rid, sha(b"never uploaded"))), 404)
    _, second = h.application([("其他.png", png_bytes(4, 4, seed=7), "image/png")])
    h.city_passes(second["id"])
    rid2 = h.received_id(second["id"])
    served(handler, rid2, sha(png_bytes(4, 4, seed=7)), png_bytes(4, 4, seed=7), "image/png", "其他.png")
    expect(handler.get(file_path(rid, sha(png_bytes(4, 4, seed=7)))), 404, contains="没有这个文件")
    expect(handler.get(file_path(rid2, sha(PDF))), 404, contains="没有这个文件")
    expect(handler.get(file_path(999999, sha(PDF))), 404)

    # Another tenant's token, or none, is not signed in here.
    expect(h.papi.get(file_path(rid, sha(PDF)), token=h.city), 401)
    expect(h.papi.get(file_path(rid, sha(PDF))), 401)
    # The city has no such route for its own people either.
    expect(h.city.get(file_path(rid, sha(PDF))), (403, 404))

    # The pages link each file by its digest, names escaped; the page of a reviewer without 附件 links none.
    cookie = {"Cookie": f"zc_session={handler.cookie}"}
    page = h.papi.raw("GET", f"/t/province/province-reviews/{rid}", headers=cookie).body.decode()
    for name, data in ((PDF_NAME, PDF), (PNG_NAME, PNG)):
        assert f'href="/t/province/api/v1/{file_path(rid, sha(data))}"' in page, page[-4000:]
        assert html.escape(name, quote=False) in page
    assert "<b>&首页" not in page, "a file's name is escaped"
    page = h.papi.raw("GET", f"/t/province/province-reviews/{rid}", headers={"Cookie": f"zc_session={blind.cookie}"}).body.decode()
    assert "/files/" not in page and "无权查看" in page

    # Once the office passed it, its committee desk shows the files linked too.
    province_passes(office, rid, series=[SERIES])
    expect(office.post("committees", {"name": "河南省中小学教师高级职称评审委员会", "series": [SERIES], "levels": ["副高级"]}), 201)
    page = h.papi.raw("GET", f"/t/province/committee/received/{rid}", headers={"Cookie": f"zc_session={office.cookie}"})
    assert page.status == 200, page
    for data in (PDF, PNG):
        assert f'href="/t/province/api/v1/{file_path(rid, sha(data))}"' in page.body.decode()


def test_a_file_the_city_no_longer_has_is_listed_as_not_received_and_holds_nothing_up(daemon_factory, tmp_path):
    """The hand-over is held back while the city's copy of one file loses its bytes (as a removed
    file no submission named does) and another's bytes change (no longer those of its digest):
    the application arrives with the third file, the other two listed as not received, refused
    by the route, shown （未收到） on the page, and a warning each in the log."""
    hold = tmp_path / "hold"
    hold.touch()
    d = daemon_factory(env=clean_env(ZHICHENG_RELAY_HOLD=f"application.forward:{hold}")).start()
    h = Hand(d)
    jpeg = jpeg_bytes()
    _, app = h.application([(PDF_NAME, PDF, "application/pdf"), (PNG_NAME, PNG, "image/png"), ("照片.jpg", jpeg, "image/jpeg")])
    h.city_passes(app["id"])
    con = sqlite3.connect(d.tenant_db("zhengzhou"), timeout=10)
    try:
        with con:
            con.execute("UPDATE attachments SET bytes = x'' WHERE sha256 = ?", (sha(PNG),))
            con.execute("UPDATE attachments SET bytes = ? WHERE sha256 = ?", (jpeg + b"\0", sha(jpeg)))
    finally:
        con.close()
    hold.unlink()
    rid = h.received_id(app["id"])
    assert [r[1] for r in h.stored()] == [sha(PDF)]
    office = h.province_admin()
    files = expect(office.get(f"province/applications/{rid}"), 200).json["files"]
    assert [(f["name"], f["received"]) for f in files] == [(PDF_NAME, True), (PNG_NAME, False), ("照片.jpg", False)]
    assert "size" not in files[1] and "mime" not in files[2]
    for digest in (sha(PNG), sha(jpeg)):
        expect(office.get(file_path(rid, digest)), 404, contains="未收到")
    served(office, rid, sha(PDF), PDF, "application/pdf", PDF_NAME)
    handler = add_reviewer(office, 1, "prov.h", ["handler"], series=[SERIES], sections=REVIEW_SECTIONS)
    page = h.papi.raw("GET", f"/t/province/province-reviews/{rid}", headers={"Cookie": f"zc_session={handler.cookie}"}).body.decode()
    assert f"{html.escape(PNG_NAME, quote=False)}（未收到）" in page and "照片.jpg（未收到）" in page
    assert file_path(rid, sha(PNG)) not in page and file_path(rid, sha(jpeg)) not in page
    assert d.output().count("a file the hand-over names is not in the city") == 2


def test_a_file_replaced_after_the_province_returned_it_arrives_and_the_returned_one_stays_served(daemon_factory):
    """The office returns the application for its 附件; the applicant replaces the PNG and it is
    passed again: the new file arrives, the earlier one is still served while the hand-over the
    office returned (previous_sections, what its reviewers compare with) names it, and the page
    shows both, the earlier under 退回前."""
    d = daemon_factory().start()
    h = Hand(d)
    applicant, app = h.application([(PDF_NAME, PDF, "application/pdf"), (PNG_NAME, PNG, "image/png")])
    h.city_passes(app["id"])
    rid = h.received_id(app["id"])
    office = h.province_admin()
    handler = add_reviewer(office, 1, "prov.h", ["handler"], series=[SERIES], sections=REVIEW_SECTIONS)
    expect(handler.post(f"province/reviews/{rid}/decision", {"decision": "return", "comment": "请重新上传论文首页", "sections": ["附件"],
                                                            "reason": "incomplete"}), 200)
    wait_until(lambda: expect(applicant.get(f"applications/{app['id']}"), 200).json["state"] == "returned", 30, "the return to reach the city")

    png_id = next(a["id"] for a in expect(applicant.get(f"applications/{app['id']}/attachments"), 200).json["attachments"] if a["name"] == PNG_NAME)
    expect(applicant.delete(f"applications/{app['id']}/attachments/{png_id}"), 204)
    new_png = png_bytes(5, 5, seed=3)
    h.upload(applicant, app["id"], "论文首页（新）.png", new_png, "image/png")
    expect(applicant.post(f"applications/{app['id']}/submit"), 200)
    h.city_passes(app["id"])
    assert h.received_id(app["id"], submission=2) == rid
    assert sorted(r[1] for r in h.stored()) == sorted([sha(PDF), sha(PNG), sha(new_png)]), "each file once"

    shown = expect(handler.get(f"province/reviews/{rid}"), 200).json
    assert [f["name"] for f in shown["files"]] == [PDF_NAME, "论文首页（新）.png"] and all(f["received"] for f in shown["files"])
    assert "附件" in shown["changed_sections"]
    assert [f["name"] for f in shown["previous_files"]] == [PDF_NAME, PNG_NAME]
    served(handler, rid, sha(new_png), new_png, "image/png", "论文首页（新）.png")
    served(handler, rid, sha(PNG), PNG, "image/png", PNG_NAME)   # named by the returned hand-over
    page = h.papi.raw("GET", f"/t/province/province-reviews/{rid}", headers={"Cookie": f"zc_session={handler.cookie}"}).body.decode()
    previous = re.search(r'<div class="previous">退回前：(.*?)</div>\s*</td>', page, re.S)
    assert previous and file_path(rid, sha(PNG)) in previous.group(1), page[-4000:]
    assert file_path(rid, sha(new_png)) in page.split('<div class="previous">')[0]


@pytest.mark.parametrize("point", ["relay.after-file.application.forward", "relay.files-copied.application.forward"])
def test_a_kill_between_the_copies_and_the_delivery_copies_each_file_once_and_delivers_once(daemon_factory, point):
    """Killed after the first file's copy, or after all of them before the hand-over is
    delivered: started again, the relay copies what is missing (nothing twice), delivers the
    hand-over once, and the city is acknowledged once."""
    d = daemon_factory(env=clean_env(ZHICHENG_CRASH_AT=point)).start()
    h = Hand(d)
    _, app = h.application([(PDF_NAME, PDF, "application/pdf"), (PNG_NAME, PNG, "image/png")])
    try:
        h.city_passes(app["id"])
    except (ConnectionError, OSError, http.client.HTTPException):
        pass   # the relay may reach the crash point before the leader's answer is written
    assert d.wait_exit(timeout=60) == 86, d.output()[-2000:]
    province, city = d.tenant_db("province"), d.tenant_db("zhengzhou")
    copied = len(db_rows(province, "SELECT id FROM received_files"))
    assert copied == (1 if point == "relay.after-file.application.forward" else 2)
    assert not db_rows(province, "SELECT id FROM received_applications"), "killed before the delivery"
    d.env = clean_env()
    d.start()
    h.sign_in_again()
    rid = h.received_id(app["id"])
    wait_until(lambda: db_rows(city, "SELECT forwarded_at FROM applications WHERE id = ?", app["id"])[0][0], 30, "the acknowledgement")
    relay_idle(d, ["zhengzhou", "province"])
    assert sorted(r[1] for r in h.stored()) == sorted([sha(PDF), sha(PNG)])
    assert sorted(db_rows(province, "SELECT target, json_extract(detail, '$.sha256') FROM audit WHERE action = 'application.file-receive'")) \
        == sorted((f"received_file:{i}", digest) for i, digest in db_rows(province, "SELECT id, sha256 FROM received_files")), "each copy audited once"
    assert len(db_rows(province, "SELECT id FROM received_applications")) == 1
    assert len(db_rows(province, "SELECT message_id FROM inbox")) == 1
    assert len(db_rows(city, "SELECT message_id FROM inbox WHERE kind = 'application.received'")) == 1
    served(h.province_admin(), rid, sha(PNG), PNG, "image/png", PNG_NAME)
    for tenant in ("province", "zhengzhou"):
        assert d.call("tenant.check", {"id": tenant})["ok"] is True


def test_an_expert_recommendations_reviewers_and_a_review_sessions_panel_open_the_files(zhichengd_bin, tmp_path):
    """专家推荐审查 lists and serves an expert recommendation's files as 职称申报审查 does; a review
    session shows its panel the applications' files and lets them open them, and no other expert."""
    with expert_env(zhichengd_bin, tmp_path) as env:
        cookie = lambda s: {"Cookie": f"zc_session={s.cookie}"}
        person = applicant(env, "逸夫小学", "文专家")
        app = expect(person.post("applications", {"kind": "expert", "year": 2026, "series": SERIES, "level": "副高级", "title": "高级教师",
                                                  "specialty": "小学数学"}), 201).json
        expect(person.put(f"applications/{app['id']}/sections/{quote('基本信息')}", {"姓名": "文专家", "职称": "高级教师"}), 200)
        expect(person.put(f"applications/{app['id']}/sections/{quote('工作经历')}", {"从业年限": "15", "经历": "长期从事教学"}), 200)
        expect(env.city_api.call("POST", f"applications/{app['id']}/attachments", token=person, data=PDF, content_type="application/pdf",
                                 headers={"X-Filename": quote("专家证书.pdf")}), 201)
        expect(person.post(f"applications/{app['id']}/submit"), 200)
        city_pass(env, app["id"], ["逸夫小学", "管城区教育局"])
        eid = province_expert_app(env, "文专家")["id"]
        relay_idle(env.daemon, ["zhengzhou", "province"])
        shown = expect(env.prov_h.get(f"expert-applications/{eid}"), 200).json
        assert [(f["name"], f["sha256"], f["received"]) for f in shown["files"]] == [("专家证书.pdf", sha(PDF), True)]
        served(env.prov_h, eid, sha(PDF), PDF, "application/pdf", "专家证书.pdf")
        page = env.prov_api.raw("GET", f"/t/province/expert-reviews/{eid}", headers=cookie(env.prov_h)).body.decode()
        assert f'href="/t/province/api/v1/{file_path(eid, sha(PDF))}"' in page

        # A 副高级 application with a PNG, in a session of three and a reserve drawn from four experts.
        for i in range(4):
            become_expert(env, "实验中学", f"文件专家{i}")
        org_id, admin = env.schools["回民中学"]
        approved_plan(admin, env.city, org_id, [{"series": SERIES, "level": "副高级", "count": 5}])
        person = applicant(env, "回民中学", "周文件")
        app = expect(person.post("applications", {"kind": "title", "year": 2026, "series": SERIES, "level": "副高级", "title": "高级教师"}), 201).json
        for section in EXPERT_SECTIONS:
            expect(person.put(f"applications/{app['id']}/sections/{quote(section)}", {"内容": section}), 200)
        expect(env.city_api.call("POST", f"applications/{app['id']}/attachments", token=person, data=PNG, content_type="image/png",
                                 headers={"X-Filename": quote(PNG_NAME)}), 201)
        expect(person.post(f"applications/{app['id']}/submit"), 200)
        city_pass(env, app["id"], ["回民中学", "管城区教育局", "郑州市"])
        rid = wait_until(lambda: [r["id"] for r in expect(env.prov.get("province/applications"), 200).json["applications"] if r["applicant_name"] == "周文件"],
                         30, "the application to reach the province")[0]
        for reviewer in (env.prov_h, env.prov_l):
            expect(reviewer.post(f"province/reviews/{rid}/decision", {"decision": "pass", "comment": "符合申报条件"}), 200)
        committee = expect(env.prov.post("committees", {"name": "文件评委会", "series": [SERIES], "levels": ["副高级"]}), 201).json
        session = expect(env.prov.post(f"committees/{committee['id']}/sessions", {"name": "文件评审会", "series": SERIES, "panel_size": 3, "reserves": 1,
                                                                                  "applications": [rid]}), 201).json
        drawn = expect(env.prov.post(f"sessions/{session['id']}/draw", {"seed": "files"}), 200).json
        panel, reserves = [m["expert_id"] for m in drawn["experts"]], [m["expert_id"] for m in drawn["reserves"]]
        assert len(panel) == 3 and len(reserves) == 1
        voter, reserve = sign_in_expert(env, panel[0]), sign_in_expert(env, reserves[0])
        seen = expect(voter.get(f"sessions/{session['id']}"), 200).json["applications"][0]
        assert [(f["name"], f["sha256"], f["received"], f["size"]) for f in seen["files"]] == [(PNG_NAME, sha(PNG), True, len(PNG))]
        served(voter, rid, sha(PNG), PNG, "image/png", PNG_NAME)
        page = env.prov_api.raw("GET", f"/t/province/sessions/{session['id']}", headers=cookie(voter)).body.decode()
        assert f'href="/t/province/api/v1/{file_path(rid, sha(PNG))}"' in page and html.escape(PNG_NAME, quote=False) in page
        # A reserve (not on the panel) sees no session, nor its files; nor does a panelist see another application's.
        expect(reserve.get(file_path(rid, sha(PNG))), 404)
        expect(voter.get(file_path(eid, sha(PDF))), 404)


def test_a_province_restored_to_before_the_hand_over_gets_its_files_again(daemon_factory):
    """The province restored to a backup taken before a hand-over is offered it again: its files
    come again with it, once each, and are served as before."""
    d = daemon_factory().start()
    h = Hand(d)
    backup = d.call("tenant.backup", {"id": "province"})["path"]
    _, app = h.application([(PDF_NAME, PDF, "application/pdf"), (PNG_NAME, PNG, "image/png")])
    h.city_passes(app["id"])
    h.received_id(app["id"])
    assert len(h.stored()) == 2
    restore_tenant(d, "province", backup)
    rid = h.received_id(app["id"])
    assert sorted(r[1] for r in h.stored()) == sorted([sha(PDF), sha(PNG)])
    # Copied again into the restored database (whose backup held none), each once.
    copies = db_rows(d.tenant_db("province"), "SELECT json_extract(detail, '$.sha256') FROM audit WHERE action = 'application.file-receive'")
    assert sorted(c[0] for c in copies) == sorted([sha(PDF), sha(PNG)])
    served(h.province_admin(), rid, sha(PDF), PDF, "application/pdf", PDF_NAME)


def test_a_name_spelling_out_another_files_digest_opens_nothing_of_another_application(daemon_factory):
    """The hand-over lists 附件's files as `name:<digest>,…` and a name is the applicant's: one named
    `x:<another application's digest>,y.png` reads as two entries. The province serves a file for an
    application only as found among that application's own files when it was copied, so the other
    application's file is listed as not received there and refused; the real file is served."""
    d = daemon_factory().start()
    h = Hand(d)
    _, first = h.application([(PDF_NAME, PDF, "application/pdf")])
    h.city_passes(first["id"])
    h.received_id(first["id"])
    other = png_bytes(6, 6, seed=7)
    crafted = f"x:{sha(PDF)},y.png"
    _, second = h.application([(crafted, other, "image/png")])
    # The city's row says another type (an earlier version's, or a hand-edited one): not taken on trust.
    con = sqlite3.connect(d.tenant_db("zhengzhou"))
    with con:
        con.execute("UPDATE attachments SET mime = 'text/html' WHERE sha256 = ?", (sha(other),))
    con.close()
    h.city_passes(second["id"])
    rid = h.received_id(second["id"])
    office = h.province_admin()
    listed = {f["sha256"]: f["received"] for f in expect(office.get(f"province/applications/{rid}"), 200).json["files"]}
    assert listed.get(sha(PDF)) is False and listed.get(sha(other)) is True, listed
    expect(office.get(file_path(rid, sha(PDF))), 404)
    assert expect(office.get(file_path(rid, sha(other))), 200).body == other
    # Its type is told from the bytes when copied, not taken from the city's row.
    assert db_rows(d.tenant_db("province"), "SELECT mime FROM received_files WHERE sha256 = ?", sha(other)) == [("image/png",)]
