"""A request is let in (its session checked) as soon as its header has come; what it writes comes
later: its body may come at the client's pace, an import hashes passwords, a submission runs
plugin steps. Whatever ended its session or took its tenant out of service meanwhile wins: a
sign-out, a password reset, a suspension, a restore (which ends every session, and may give the
account's id to someone else), an archive and a new tenant under the same id. Each transaction
made for a signed-in account checks again, inside itself, that its session is still there, and a
write that the tenant is still active: a suspended tenant answers 503, an ended session 401 (as
for any request), and nothing is written.

Each request here is let in for certain before the change: the daemon holds it where its session
has just been checked (`ZHICHENG_PAUSE_AT=session.checked:<file>`) until the test has seen it
there, and the rest of its body is sent only after the change."""

from __future__ import annotations

import http.client
import json
import pathlib
import re
import socket
import urllib.parse

from api_support import (NEW_PASSWORD, REVIEW_SERIES, Api, Session, city_with_draft, db_rows, expect, fresh_id_number,
                         png_bytes, unchanged)
from conftest import IO_TIMEOUT, Daemon, clean_env, create_tenant, wait_until

TENANT = "zhengzhou"


class LateRequest:
    """A request over a raw socket whose header and first bytes of body are sent when it is made,
    and the rest of its body by `finish`. It is made while the daemon holds requests where their
    session has been checked, and returns once this one is held there (let in), letting it go on to
    wait for its body."""

    def __init__(self, d: Daemon, hold: pathlib.Path, method: str, path: str, headers: dict[str, str], body: bytes) -> None:
        assert len(body) > 8, "a body to send in two parts"
        hold.write_text("")
        self.sock = socket.create_connection(("127.0.0.1", d.http_port), timeout=IO_TIMEOUT)
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.sock.sendall(f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{head}Content-Length: {len(body)}\r\n"
                          f"Connection: close\r\n\r\n".encode() + body[:8])
        self.rest = body[8:]
        reached = pathlib.Path(f"{hold}.reached")
        wait_until(reached.exists, IO_TIMEOUT, "the request to be let in (its session checked)")
        hold.unlink()
        wait_until(lambda: not reached.exists(), IO_TIMEOUT, "the request to go on to read its body")

    def finish(self) -> tuple[int, dict[str, str], bytes]:
        """Sends the rest of the body; the answer."""
        try:
            self.sock.sendall(self.rest)
            r = http.client.HTTPResponse(self.sock)
            r.begin()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        finally:
            self.sock.close()


def started(daemon_factory, tmp_path: pathlib.Path) -> tuple[Daemon, pathlib.Path]:
    hold = tmp_path / "hold-session-checked"
    return daemon_factory(env=clean_env(ZHICHENG_PAUSE_AT=f"session.checked:{hold}")).start(), hold


def refused(answer: tuple[int, dict[str, str], bytes], status: int, code: str) -> dict:
    st, headers, body = answer
    assert st == status and "json" in headers.get("content-type", ""), (st, body[:300])
    error = json.loads(body)["error"]
    assert error["code"] == code, error
    return error


def late_upload(d: Daemon, hold: pathlib.Path, token: str, app_id: int) -> LateRequest:
    return LateRequest(d, hold, "POST", f"/t/{TENANT}/api/v1/applications/{app_id}/attachments",
                       {"Authorization": f"Bearer {token}", "Content-Type": "image/png", "X-Filename": "late.png"}, png_bytes(seed=7))


def test_an_upload_let_in_before_a_suspend_and_a_restore_writes_nothing_into_the_restored_tenant(daemon_factory, tmp_path) -> None:
    """(a) An applicant's upload is let in; the tenant is suspended and restored from a backup,
    still suspended, with no sessions; the upload's body ends: 503 (before, 201 and the file was
    in the restored tenant). After the resume, the token is worthless (the restore ended it)."""
    d, hold = started(daemon_factory, tmp_path)
    _, _, applicant, app = city_with_draft(d)
    backup = d.call("tenant.backup", {"id": TENANT})["path"]
    late = late_upload(d, hold, applicant.token, app["id"])
    d.call("tenant.suspend", {"id": TENANT})
    d.call("tenant.restore", {"id": TENANT, "path": backup})
    with unchanged(d, TENANT):
        refused(late.finish(), 503, "unavailable")
    assert db_rows(d.tenant_db(TENANT), "SELECT count(*) FROM attachments WHERE name = 'late.png'") == [(0,)]
    d.call("tenant.resume", {"id": TENANT})
    expect(applicant.get(f"applications/{app['id']}/attachments"), 401)


def test_a_create_let_in_before_a_restore_does_not_act_for_whoever_gets_the_account_id(daemon_factory, tmp_path) -> None:
    """(b) Applicant X, made after the backup, starts an application; the tenant is suspended,
    restored from that backup (before X) and resumed, and a new applicant Y gets X's account id;
    X's request ends: 401 (before, 201 with Y's name on it, and an audit row naming Y's account
    with X's login). Y has no application, and nothing was written."""
    d, hold = started(daemon_factory, tmp_path)
    city, _, applicant, _ = city_with_draft(d)
    api = applicant.api
    backup = d.call("tenant.backup", {"id": TENANT})["path"]
    px = expect(city.post("orgs/1/applicants", {"id_number": fresh_id_number(), "name": "甲某"}), 201).json
    x = api.first_login(px["account"]["login"], px["password"])
    body = json.dumps({"kind": "title", "year": 2026, "series": REVIEW_SERIES, "level": "中级", "title": "一级教师"}, ensure_ascii=False).encode()
    late = LateRequest(d, hold, "POST", f"/t/{TENANT}/api/v1/applications",
                       {"Authorization": f"Bearer {x.token}", "Content-Type": "application/json"}, body)
    for cmd in ("tenant.suspend", "tenant.restore", "tenant.resume"):
        d.call(cmd, {"id": TENANT, "path": backup} if cmd == "tenant.restore" else {"id": TENANT})
    city = api.sign_in(city.account["login"], NEW_PASSWORD)
    py = expect(city.post("orgs/1/applicants", {"id_number": fresh_id_number(), "name": "乙某"}), 201).json
    assert py["account"]["id"] == x.id, "the restore gave X's account id to Y (the case this test is about)"
    with unchanged(d, TENANT):
        refused(late.finish(), 401, "unauthorized")
    y = api.first_login(py["account"]["login"], py["password"])
    assert expect(y.get("applications"), 200).json["applications"] == []


def test_what_ends_a_session_meanwhile_refuses_the_write_and_a_suspend_alone_answers_503(daemon_factory, tmp_path) -> None:
    """The same for a sign-out, an operator's `account.reset-password` and a parent's 初始化密码
    (401), and for a suspension (503) while the request waits for its body: nothing is written.
    A suspension ends no session: resumed, the same token writes (also a request let in before a
    suspend and a resume goes through; nothing ended)."""
    d, hold = started(daemon_factory, tmp_path)
    city, login, applicant, app = city_with_draft(d)
    api = applicant.api

    def fresh() -> Session:
        return api.sign_in(login, NEW_PASSWORD)

    # A sign-out by the session itself.
    s = fresh()
    late = late_upload(d, hold, s.token, app["id"])
    expect(s.delete("session"), (200, 204))
    with unchanged(d, TENANT):
        assert "请重新登录" in refused(late.finish(), 401, "unauthorized")["message"]

    # The operator's reset of the applicant's password (zhichengctl account reset-password).
    s = fresh()
    late = late_upload(d, hold, s.token, app["id"])
    password = d.call("account.reset-password", {"tenant": TENANT, "login": login})["password"]
    with unchanged(d, TENANT):
        refused(late.finish(), 401, "unauthorized")
    applicant = api.first_login(login, password)

    # A parent's 初始化密码 of a unit's admin, whose request was let in.
    org = expect(city.post("orgs/1/children", {"name": "测试学校", "kind": "unit"}), 201).json
    unit = api.first_login(org["admin"]["login"], org["admin"]["password"])
    profile = json.dumps({"contact": "李老师"}, ensure_ascii=False).encode()
    late = LateRequest(d, hold, "PUT", f"/t/{TENANT}/api/v1/orgs/{org['org']['id']}/profile",
                       {"Authorization": f"Bearer {unit.token}", "Content-Type": "application/json"}, profile)
    expect(city.post(f"orgs/{org['org']['id']}/admin/reset-password"), 200)
    with unchanged(d, TENANT):
        refused(late.finish(), 401, "unauthorized")

    # A suspension: 503; the session stays, and writes again once the tenant is resumed.
    late = late_upload(d, hold, applicant.token, app["id"])
    d.call("tenant.suspend", {"id": TENANT})
    with unchanged(d, TENANT):
        refused(late.finish(), 503, "unavailable")
    d.call("tenant.resume", {"id": TENANT})
    expect(applicant.post(f"applications/{app['id']}/attachments", data=png_bytes(seed=8), content_type="image/png",
                          headers={"X-Filename": "again.png"}), 201)

    # Suspended and resumed meanwhile: nothing ended, the write goes through.
    late = late_upload(d, hold, applicant.token, app["id"])
    d.call("tenant.suspend", {"id": TENANT})
    d.call("tenant.resume", {"id": TENANT})
    st, _, body = late.finish()
    assert st == 201, (st, body[:300])
    assert db_rows(d.tenant_db(TENANT), "SELECT count(*) FROM attachments WHERE name = 'late.png'") == [(1,)]


def test_a_write_let_in_before_the_tenant_was_archived_and_made_again_reaches_nobody(daemon_factory, tmp_path) -> None:
    """A tenant archived and created again under the same id is a new file with new sessions:
    a request let in by the old one's session is refused (401), the new tenant unchanged."""
    d, hold = started(daemon_factory, tmp_path)
    _, _, applicant, app = city_with_draft(d)
    late = late_upload(d, hold, applicant.token, app["id"])
    d.call("tenant.archive", {"id": TENANT, "confirm": TENANT})
    create_tenant(d, TENANT, "4101", "郑州市")
    with unchanged(d, TENANT):
        refused(late.finish(), 401, "unauthorized")


def test_a_web_form_whose_session_ended_meanwhile_shows_what_was_typed(daemon_factory, tmp_path) -> None:
    """The web UI's cookie sessions go the same way: a form post let in, then signed out
    elsewhere, saves nothing and is answered 401 with its page saying the session ended and
    showing the text as typed (a read let in before a sign-out is not refused: it shows the same
    person what they could read a moment before)."""
    d, hold = started(daemon_factory, tmp_path)
    _, login, _, app = city_with_draft(d)
    ui = Api(d.http_port, TENANT).sign_in(login, NEW_PASSWORD)
    written = "主持市级课题一项。"
    form = urllib.parse.urlencode({"_csrf": ui.csrf, "content:业绩成果": written, "then": "save"}).encode()
    late = LateRequest(d, hold, "POST", f"/t/{TENANT}/applications/{app['id']}/sections",
                       {"Cookie": f"zc_session={ui.cookie}", "Content-Type": "application/x-www-form-urlencoded"}, form)
    expect(ui.delete("session"), (200, 204))
    with unchanged(d, TENANT):
        st, headers, body = late.finish()
    page = body.decode()
    assert st == 401 and headers.get("content-type", "").startswith("text/html"), (st, page[:300])
    typed = re.findall(r'<textarea name="content:业绩成果"[^>]*>\n?(.*?)</textarea>', page, re.S) + \
        re.findall(r'<textarea class="kept-value"[^>]*>(.*?)</textarea>', page)
    assert "登录已失效" in page and written in typed, (typed, page[:3000])
