"""Helpers for the black-box tests of the tenant JSON API (SPEC §5, §5.1, §6):
a tiny HTTP client for `/t/<tenant>/api/v1`, sign-in and first-login helpers, sample
images, a "nothing changed" database check and a module-scoped daemon.

Python stdlib only.  Every HTTP call is bounded by IO_TIMEOUT.
"""

from __future__ import annotations

import contextlib
import datetime
import errno
import hashlib
import http.client
import itertools
import json
import pathlib
import shutil
import sqlite3
import struct
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator
from urllib.parse import quote

from conftest import IO_TIMEOUT, Daemon, ProcessRegistry, create_tenant, sqlite_snapshot, wait_until

# Valid sample values (SPEC §6, the brief).
CREDIT_CODE = "91350100M000100Y43"
ORG_CODE = "M000100Y-4"
MANUAL_CREDIT_CODE = "114412365412547896"  # the manual's sample: wrong check character
PHONE = "15236547854"
POSTCODE = "450000"
ID_NUMBERS = ("11010519491231002X", "440524188001010014", "410104199003071233")

NEW_PASSWORD = "Zhicheng2024"
OTHER_PASSWORD = "Yifu2024school"

# A complete 单位信息 as the manual's screen shows it, with valid codes.
FULL_PROFILE = {
    "name": "逸夫小学",
    "category": "单位",
    "city": "郑州市 管城回族区",
    "affiliation_level": "市",
    "industry": "教育",
    "nature": "全额拨款事业单位",
    "economic_type": "国有全资",
    "org_code": ORG_CODE,
    "credit_code": CREDIT_CODE,
    "contact": "张老师",
    "phone": PHONE,
    "address": "郑州市管城回族区紫荆山路1号",
    "postcode": POSTCODE,
    "fax": "0371-65123456",
    "email": "yifu@example.com",
}
PROFILE_KEYS = tuple(FULL_PROFILE)


_CC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_OC_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def org_code(body8: str) -> str:
    """A GB 11714 organization code `XXXXXXXX-C` for an 8-character body (digits / capitals)."""
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body8, _OC_WEIGHTS))
    check = 11 - total % 11
    return f"{body8}-{'X' if check == 10 else '0' if check == 11 else check}"


def credit_code(body8: str, division: str = "410104", prefix: str = "12") -> str:
    """A GB 32100 unified social credit code embedding org_code(body8)."""
    first17 = prefix + division + org_code(body8).replace("-", "")
    total = sum(_CC_ALPHABET.index(c) * w for c, w in zip(first17, _CC_WEIGHTS))
    return first17 + _CC_ALPHABET[(31 - total % 31) % 31]


def profile_for(name: str, n: int, **overrides: str) -> dict:
    """A complete, valid 单位信息 with its own codes (n picks them)."""
    body8 = f"{n:08d}"
    p = dict(FULL_PROFILE, name=name, org_code=org_code(body8), credit_code=credit_code(body8))
    p.update(overrides)
    return p


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECKS = "10X98765432"


def id_number(first17: str) -> str:
    """A GB 11643 ID-card number: `first17` plus its check character."""
    assert len(first17) == 17 and first17.isdigit(), first17
    return first17 + _ID_CHECKS[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS)) % 11]


def bad_check(number: str) -> str:
    """The same number with a wrong check character."""
    wrong = [c for c in "0123456789X" if c != number[-1]][0]
    return number[:-1] + wrong


_ids = itertools.count(1)


def fresh_id_number() -> str:
    """A valid, never-before-used (in this test run) ID-card number, born 1980-1999."""
    n = next(_ids)
    return id_number(f"410105{1980 + n % 20}{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}")


CHINA = datetime.timezone(datetime.timedelta(hours=8))


def interview_time(days: int = 10, hour: int = 9, minute: int = 0, sep: str = " ") -> str:
    """A 面试通知 time `days` days after today (China time, as the daemon reads every time), at
    `hour`:`minute`: `YYYY-MM-DD HH:MM`, or with `sep="T"` as a datetime-local input sends it.
    A notice must name a time to come, no later than next year: a test computes one rather than
    write a date that some day passes."""
    day = datetime.datetime.now(CHINA).date() + datetime.timedelta(days=days)
    return f"{day.isoformat()}{sep}{hour:02d}:{minute:02d}"


def unique(prefix: str) -> str:
    return f"{prefix}{next(_ids)}"


# --------------------------------------------------------------------------- images


def png_bytes(width: int = 2, height: int = 2, seed: int = 0) -> bytes:
    """A minimal, valid RGB PNG (different `seed` → different pixels → different bytes)."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    # one filter byte per row, then `width` RGB pixels
    rows = []
    for y in range(height):
        row = b"\x00" + b"".join(bytes(((x * 40 + seed) % 256, (y * 40) % 256, (seed * 7) % 256)) for x in range(width))
        rows.append(row)
    raw = b"".join(rows)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def jpeg_bytes() -> bytes:
    """Bytes that begin like a JFIF JPEG (SOI + APP0) and end with EOI."""
    app0 = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    return b"\xff\xd8\xff\xe0" + struct.pack(">H", len(app0) + 2) + app0 + b"\xff\xd9"


# --------------------------------------------------------------------------- HTTP


@dataclass
class Resp:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        assert "json" in self.headers.get("content-type", ""), (self.status, self.headers, self.body[:300])
        return json.loads(self.body.decode("utf-8"))

    def error(self) -> dict:
        err = self.json.get("error")
        assert isinstance(err, dict), (self.status, self.body[:300])
        assert isinstance(err.get("code"), str) and err["code"], err
        assert isinstance(err.get("message"), str) and err["message"], err
        return err

    def __repr__(self) -> str:  # keeps assertion messages short and readable
        return f"<{self.status} {self.body[:400].decode('utf-8', 'replace')}>"


ERROR_CODES = {400: ("invalid", "bad_request"), 401: ("unauthorized",), 403: ("forbidden",), 404: ("not_found",),
               409: ("conflict",), 413: ("too_large",), 415: ("unsupported_media_type",), 429: ("too_many_requests",),
               503: ("unavailable",)}


def expect(resp: Resp, status: int | Iterable[int], field: str | None = None, contains: str | None = None) -> Resp:
    """Asserts the status; for errors also the error object (code fits the status, field, message text)."""
    allowed = {status} if isinstance(status, int) else set(status)
    assert resp.status in allowed, f"expected {sorted(allowed)}, got {resp!r}"
    if resp.status >= 400:
        err = resp.error()
        if resp.status in ERROR_CODES:
            assert err["code"] in ERROR_CODES[resp.status], f"error code {err['code']!r} does not fit {resp.status}: {err}"
        if field is not None:
            assert err.get("field") == field, f"expected field {field!r}: {err}"
        if contains is not None:
            assert contains in err["message"], f"expected {contains!r} in the message: {err}"
    return resp


class Api:
    """A client for one tenant's JSON API on one daemon."""

    def __init__(self, port: int, tenant: str):
        self.port = port
        self.tenant = tenant
        self.prefix = f"/t/{tenant}/api/v1"

    def raw(self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> Resp:
        url = path if path.startswith("/") else f"{self.prefix}/{path}"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=IO_TIMEOUT)
        try:
            conn.request(method, url, body=body, headers=headers or {})
            r = conn.getresponse()
            data = r.read()
            return Resp(r.status, {k.lower(): v for k, v in r.getheaders()}, data)
        finally:
            conn.close()

    def call(self, method: str, path: str, json_body: Any = None, token: "str | Session | None" = None,
             headers: dict[str, str] | None = None, data: bytes | None = None, content_type: str | None = None) -> Resp:
        hdrs = dict(headers or {})
        if isinstance(token, Session):
            token = token.token
        if token is not None:
            hdrs["Authorization"] = f"Bearer {token}"
        body = data
        if json_body is not None:
            body = json.dumps(json_body, ensure_ascii=False).encode("utf-8")
            hdrs.setdefault("Content-Type", "application/json")
        elif data is not None and content_type is not None:
            hdrs["Content-Type"] = content_type
        if body is None and method in ("POST", "PUT", "PATCH"):
            body = b""
        return self.raw(method, path, body, hdrs)

    def get(self, path: str, token: "str | Session | None" = None, **kw: Any) -> Resp:
        return self.call("GET", path, token=token, **kw)

    def post(self, path: str, body: Any = None, token: "str | Session | None" = None, **kw: Any) -> Resp:
        return self.call("POST", path, body, token=token, **kw)

    def put(self, path: str, body: Any = None, token: "str | Session | None" = None, **kw: Any) -> Resp:
        return self.call("PUT", path, body, token=token, **kw)

    def patch(self, path: str, body: Any = None, token: "str | Session | None" = None, **kw: Any) -> Resp:
        return self.call("PATCH", path, body, token=token, **kw)

    def delete(self, path: str, token: "str | Session | None" = None, **kw: Any) -> Resp:
        return self.call("DELETE", path, token=token, **kw)

    def upload(self, path: str, data: bytes, token: "str | Session", content_type: str = "image/png") -> Resp:
        return self.call("PUT", path, token=token, data=data, content_type=content_type)

    # -- sessions
    def sign_in_raw(self, login: str, password: str) -> Resp:
        return self.post("session", {"login": login, "password": password})

    def sign_in(self, login: str, password: str) -> "Session":
        r = expect(self.sign_in_raw(login, password), 200)
        body = r.json
        cookie = _cookie_value(r.headers.get("set-cookie", ""), "zc_session")
        return Session(self, body["token"], body["csrf_token"], body["account"], cookie, r.headers.get("set-cookie", ""), password)

    def first_login(self, login: str, one_time: str, new_password: str = NEW_PASSWORD) -> "Session":
        """Signs in with a one-time password and changes it; returns the (still valid) session."""
        s = self.sign_in(login, one_time)
        assert s.account["must_change_password"] is True, s.account
        expect(self.post("account/password", {"old_password": one_time, "new_password": new_password}, token=s), (200, 204))
        s.password = new_password
        s.account["must_change_password"] = False
        return s


def _cookie_value(set_cookie: str, name: str) -> str | None:
    first = set_cookie.split(";", 1)[0].strip()
    if first.startswith(name + "="):
        return first[len(name) + 1:]
    return None


@dataclass
class Session:
    api: Api
    token: str
    csrf: str
    account: dict
    cookie: str | None
    set_cookie: str
    password: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def id(self) -> int:
        return self.account["id"]

    @property
    def org_id(self) -> int:
        return self.account["org_id"]

    def call(self, method: str, path: str, json_body: Any = None, **kw: Any) -> Resp:
        return self.api.call(method, path, json_body, token=self, **kw)

    def get(self, path: str, **kw: Any) -> Resp:
        return self.api.get(path, token=self, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Resp:
        return self.api.post(path, body, token=self, **kw)

    def put(self, path: str, body: Any = None, **kw: Any) -> Resp:
        return self.api.put(path, body, token=self, **kw)

    def patch(self, path: str, body: Any = None, **kw: Any) -> Resp:
        return self.api.patch(path, body, token=self, **kw)

    def delete(self, path: str, **kw: Any) -> Resp:
        return self.api.delete(path, token=self, **kw)

    def upload(self, path: str, data: bytes, content_type: str = "image/png") -> Resp:
        return self.api.upload(path, data, self, content_type)


# --------------------------------------------------------------------------- org set-up


def create_child(parent: Session, parent_id: int, name: str, kind: str) -> tuple[dict, dict]:
    """POST orgs/<parent_id>/children → (org, admin {login, password})."""
    r = expect(parent.post(f"orgs/{parent_id}/children", {"name": name, "kind": kind}), 201)
    body = r.json
    return body["org"], body["admin"]


REVIEW_SERIES = "中小学教师"
# The sections of a title application as the daemon names them (GET catalog's `sections`, which a
# test compares with these): every one but 附件 must be filled in to submit; a reviewer's content
# permissions name them all. Import these rather than writing the list again.
REQUIRED_SECTIONS = ["基本信息", "学历学位", "工作经历", "业绩成果", "论文著作", "获奖情况", "年度考核", "继续教育"]
REVIEW_SECTIONS = REQUIRED_SECTIONS + ["附件"]


def add_reviewer(admin: "Session", org_id: int, login: str, roles: list[str], series: Iterable[str] = (REVIEW_SERIES,),
                 sections: Iterable[str] = tuple(REVIEW_SECTIONS)) -> "Session":
    """A staff account of `org_id` (added by its admin), enabled, with `roles` and review
    permissions, signed in with its password changed to NEW_PASSWORD."""
    r = expect(admin.post(f"orgs/{org_id}/staff", {"login": login, "name": login}), 201).json
    expect(admin.post(f"staff/{r['account']['id']}/enable"), 200)
    expect(admin.put(f"staff/{r['account']['id']}/roles", {"roles": list(roles)}), 200)
    expect(admin.put(f"staff/{r['account']['id']}/permissions", {"series": list(series), "sections": list(sections)}), 200)
    return admin.api.first_login(login, r["password"])


def city_with_draft(d: Daemon, password: str = NEW_PASSWORD, sections: Iterable[str] = ()) -> tuple["Session", str, "Session", dict]:
    """郑州市 on the running daemon `d`, its office with an approved plan for 中级, one applicant
    (周填写) signed in through the API with `password`, and a draft 中级 application of theirs
    with `sections` filled in ("<section>" as its 内容): (the city office's admin, the
    applicant's login, their session, the application)."""
    info = create_tenant(d, "zhengzhou", "4101", "郑州市")
    api = Api(d.http_port, "zhengzhou")
    city = api.first_login(info["admin_login"], info["admin_password"], password)
    approved_plan(city, city, 1, [{"series": REVIEW_SERIES, "level": "中级", "count": 3}])
    person = expect(city.post("orgs/1/applicants", {"id_number": fresh_id_number(), "name": "周填写"}), 201).json
    applicant = api.first_login(person["account"]["login"], person["password"], password)
    app = expect(applicant.post("applications", {"kind": "title", "year": 2026, "series": REVIEW_SERIES, "level": "中级", "title": "一级教师"}), 201).json
    for section in sections:
        expect(applicant.put(f"applications/{app['id']}/sections/{quote(section)}", {"内容": section}), 200)
    return city, person["account"]["login"], applicant, app


def province_passes(office: Session, received_id: int, series: Iterable[str] = (REVIEW_SERIES,)) -> dict:
    """The province office's own review of a received title application: its 经办人 and 负责人
    (staff of the office, added on first use and kept on `office`) pass it, so that the office's
    committee may take it up. Returns the application as the leader's answer gives it."""
    reviewers = getattr(office, "_province_reviewers", None)
    if reviewers is None:
        reviewers = [add_reviewer(office, 1, f"prov.title.{role}", [role], series=series) for role in ("handler", "leader")]
        office._province_reviewers = reviewers
    out: dict = {}
    for reviewer in reviewers:
        out = expect(reviewer.post(f"province/reviews/{received_id}/decision", {"decision": "pass", "comment": "符合申报条件"}), 200).json
    assert out["state"] == "received", out
    return out


def approved_plan(unit_admin: Session, city_admin: Session, org_id: int, items: list[dict], year: int = 2026) -> dict:
    """A declaration plan of `org_id` saved, with its document, submitted and approved by the city."""
    plan = expect(unit_admin.post(f"orgs/{org_id}/plans", {"year": year, "items": items}), 201).json
    expect(unit_admin.upload(f"plans/{plan['id']}/document", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"), 200)
    expect(unit_admin.post(f"plans/{plan['id']}/submit"), 200)
    return expect(city_admin.post(f"plans/{plan['id']}/review", {"decision": "approve"}), 200).json


def submit_unit_info(api: Api, org_id: int, admin_login: str, admin_password: str,
                     profile: dict | None = None, new_password: str = NEW_PASSWORD) -> Session:
    """First login of a new org's admin, full profile + certificate, submitted for the parent's 审核."""
    s = api.first_login(admin_login, admin_password, new_password)
    current = expect(s.get(f"orgs/{org_id}/profile"), 200).json
    if profile is None:
        profile = profile_for(current["name"], org_id)
    # 机构类别 is the org's kind (its parent chose it): what the profile shows.
    expect(s.put(f"orgs/{org_id}/profile", {**profile, "category": current["category"]}), 200)
    expect(s.upload(f"orgs/{org_id}/certificate", png_bytes(seed=org_id)), (200, 204))
    expect(s.post(f"orgs/{org_id}/profile/submit"), 200)
    return s


def approve_unit(api: Api, parent: Session, org_id: int, admin_login: str, admin_password: str,
                 profile: dict | None = None, new_password: str = NEW_PASSWORD) -> Session:
    """`submit_unit_info`, then the parent approves."""
    s = submit_unit_info(api, org_id, admin_login, admin_password, profile, new_password)
    r = expect(parent.post(f"orgs/{org_id}/profile/review", {"decision": "approve", "reason": ""}), 200)
    assert r.json["state"] == "approved", r
    return s


# --------------------------------------------------------------------------- "nothing changed"


def restore_tenant(daemon: Daemon, tenant: str, backup: str) -> None:
    """Suspends `tenant`, restores it from `backup` and resumes it, through the admin socket."""
    for cmd, args in (("tenant.suspend", {"id": tenant}), ("tenant.restore", {"id": tenant, "path": backup}), ("tenant.resume", {"id": tenant})):
        daemon.call(cmd, args)


def db_rows(path, sql: str, *args) -> list[tuple]:
    """Rows of a query on a tenant database, opened read-only beside the running daemon."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def store_section_as_before(daemon: Daemon, tenant: str, application_id: int, section: str, content: dict[str, str]) -> None:
    """Writes `content` as section `section` of an application, as an older version of the
    daemon stored it (text a rule of today would refuse or keep otherwise): straight into the
    tenant database beside the running daemon, past the service that would check it."""
    con = sqlite3.connect(daemon.tenant_db(tenant), timeout=10)
    try:
        with con:
            con.execute("UPDATE application_sections SET content = ? WHERE application_id = ? AND section = ?",
                        (json.dumps(content, ensure_ascii=False, separators=(",", ":")), application_id, section))
    finally:
        con.close()


def clone_rows(db, table: str, row_id: int, copies: int, bind: dict | None = None, **changed: str) -> list[int]:
    """Adds `copies` copies of row `row_id` of `table` to a tenant database beside the running
    daemon: the volume a list screen pages through, which the API would take minutes to build.
    `changed` gives a column an SQL expression instead of its value, in which `:n` is the copy's
    number (0…) and `bind`'s names are parameters. Returns the new ids."""
    con = sqlite3.connect(db, timeout=10)
    try:
        kept = [c[1] for c in con.execute(f"PRAGMA table_info({table})") if c[1] != "id" and c[1] not in changed]
        columns, values = ", ".join(kept + list(changed)), ", ".join(kept + list(changed.values()))
        with con:
            return [con.execute(f"INSERT INTO {table} ({columns}) SELECT {values} FROM {table} WHERE id = :id",
                                {**(bind or {}), "n": n, "id": row_id}).lastrowid for n in range(copies)]
    finally:
        con.close()


def clone_received(d, rid: int, copies: int, state: str) -> list[int]:
    """`copies` more received applications (either kind) in the province, each a copy of `rid` as
    if another city application had been handed over, in `state`."""
    return clone_rows(d.tenant_db("province"), "received_applications", rid, copies, bind={"state": state},
                      source_application_id="source_application_id + 100000 + :n", message_id="message_id || '-copy' || :n", state=":state")


def end_publicity(daemon: Daemon, tenant: str) -> None:
    """Lets the 公示 of every result now in public notice in `tenant` end, as if its working
    days had passed (a test cannot wait for them): sets their end a second ago, in the tenant
    database beside the running daemon, which reads the period's end on every request. In a
    city this also ends the province's notices it shows."""
    con = sqlite3.connect(daemon.tenant_db(tenant), timeout=10)
    try:
        with con:
            ended = time.time() - 1
            con.execute("UPDATE evaluations SET publicity_until = ? WHERE state = 'publicity'", (ended,))
            # The province's notices as a city shows them (its applications waiting for the province).
            con.execute("UPDATE applications SET publicity_until = ? WHERE publicity_until IS NOT NULL"
                        " AND state IN ('publicity', 'awaiting_province')", (ended,))
    finally:
        con.close()


def interview_held(daemon: Daemon, tenant: str) -> None:
    """Lets the interviews of every 面试通知 in `tenant` whose result is not entered yet have
    taken place, as if their day had come (a test cannot wait for it; a result is refused
    before its interview): moves their time, as the committee's evaluation keeps it, to the
    minute before now, in the tenant database beside the running daemon. What the applicant,
    the unit and the trail were told stays as it was sent."""
    china = datetime.timezone(datetime.timedelta(hours=8))
    past = (datetime.datetime.now(china) - datetime.timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M")
    con = sqlite3.connect(daemon.tenant_db(tenant), timeout=10)
    try:
        with con:
            con.execute("UPDATE evaluations SET interview_time = ? WHERE state = 'pending' AND interview_time IS NOT NULL", (past,))
    finally:
        con.close()


def china_day(days: int = 0) -> str:
    """The date `days` from today in China (YYYY-MM-DD), as the daemon tells today: a review
    session is planned for today or later, and takes votes from its date on."""
    china = datetime.timezone(datetime.timedelta(hours=8))
    return (datetime.datetime.now(china) + datetime.timedelta(days=days)).strftime("%Y-%m-%d")


def session_day_come(daemon: Daemon, session_id: int) -> None:
    """Lets the 评审日期 of province review session `session_id` have come, as if the days had
    passed (a test cannot wait for them; votes and the close wait for it): sets it to today,
    China time, in the province database beside the running daemon. Its name stays as made."""
    con = sqlite3.connect(daemon.tenant_db("province"), timeout=10)
    try:
        with con:
            con.execute("UPDATE review_sessions SET date = ? WHERE id = ?", (china_day(), session_id))
    finally:
        con.close()


def relay_idle(daemon: Daemon, tenants: Iterable[str], timeout: float = 30) -> None:
    """Waits until no cross-tenant message of `tenants` is still to deliver (twice in a row: a
    delivery may make its target answer), so that an `unchanged()` block that follows compares
    the effect of its own requests only, not a delivery landing meanwhile."""
    tenants = list(tenants)

    def pending() -> int:
        return sum(db_rows(daemon.tenant_db(t), "SELECT count(*) FROM outbox WHERE delivered_at IS NULL AND set_aside_at IS NULL")[0][0]
                   for t in tenants)

    def idle_twice() -> bool:
        if pending():
            return False
        time.sleep(0.1)
        return pending() == 0

    wait_until(idle_twice, timeout, f"the cross-tenant messages of {', '.join(tenants)} to be delivered")


@contextlib.contextmanager
def unchanged(daemon: Daemon, tenant: str, ignore: Iterable[str] = ()) -> Iterator[None]:
    """Asserts that the tenant database holds exactly the same rows after the block."""
    db = daemon.tenant_db(tenant)
    before = sqlite_snapshot(db)
    yield
    after = sqlite_snapshot(db)
    skip = set(ignore)
    diffs = {}
    for table in sorted(set(before) | set(after)):
        if table in skip:
            continue
        b, a = before.get(table, set()), after.get(table, set())
        if a != b:
            diffs[table] = {"added": sorted(map(repr, a - b))[:5], "removed": sorted(map(repr, b - a))[:5]}
    assert not diffs, f"a refused request changed the database: {diffs}"


# --------------------------------------------------------------------------- a module-scoped daemon


class ModuleDaemon:
    """Starts one daemon for a whole test module (the conftest fixtures are per test)."""

    def __init__(self, bin: str, workdir: pathlib.Path, config: str | None = None):
        self.registry = ProcessRegistry()
        self.sock_dir = pathlib.Path(tempfile.mkdtemp(prefix="zc", dir="/tmp"))
        kw: dict[str, Any] = {}
        if config is not None:
            kw["config"] = config
        self.daemon = Daemon(self.registry, bin, workdir, self.sock_dir, **kw)

    def start(self) -> Daemon:
        # The binary may be being rebuilt under us ("Text file busy"): retry a few times.
        for attempt in range(20):
            try:
                return self.daemon.start()
            except OSError as exc:
                if exc.errno != errno.ETXTBSY or attempt == 19:
                    raise
                time.sleep(0.5)
        raise AssertionError("unreachable")

    def stop(self) -> None:
        try:
            self.registry.stop_all()
        finally:
            shutil.rmtree(self.sock_dir, ignore_errors=True)


def expire_session(daemon: Daemon, tenant: str, token: str) -> None:
    """Ages a session to past its expiry.  The daemon's clock cannot be moved from a black-box
    test, so the session row (only the SHA-256 of the token is stored) is back-dated in place."""
    digest = hashlib.sha256(token.encode()).hexdigest()
    con = sqlite3.connect(str(daemon.tenant_db(tenant)), timeout=10)
    try:
        cur = con.execute("UPDATE sessions SET expires_at = 1 WHERE token_hash = ?", (digest,))
        con.commit()
        assert cur.rowcount == 1, "session row not found"
    finally:
        con.close()


@contextlib.contextmanager
def module_daemon(request: Any, bin: str, workdir: pathlib.Path, config: str | None = None) -> Iterator[Daemon]:
    """A daemon for a module-scoped fixture: stopped at the end; its output is printed when a
    test of the module failed (the conftest fixtures do the same for per-test daemons)."""
    md = ModuleDaemon(bin, workdir, config)
    failed_before = request.session.testsfailed
    try:
        yield md.start()
    finally:
        md.stop()
        if request.session.testsfailed > failed_before:
            d = md.daemon
            sys.stderr.write(f"\n===== zhichengd #{d.n} ({' '.join(d.command())}) output =====\n")
            sys.stderr.write(d.output()[-8000:])


# --------------------------------------------------------------------------- a city with two schools


@dataclass
class TwoSchools:
    """郑州市 with two approved schools directly under its office (`two_schools`)."""
    d: Daemon
    api: Api
    city: Session
    a: dict
    a_s: Session
    b: dict
    b_s: Session


def two_schools(d: Daemon, tenant: str = "zhengzhou") -> TwoSchools:
    """Creates 郑州市 as `tenant` on `d`, and 郑州市第一中学 (a) and 郑州市第二中学 (b) under its
    office, each approved, with their admins signed in (password NEW_PASSWORD)."""
    info = create_tenant(d, tenant, "4101", "郑州市")
    api = Api(d.http_port, tenant)
    city = api.first_login(info["admin_login"], info["admin_password"])
    a, aa = create_child(city, 1, "郑州市第一中学", "unit")
    a_s = approve_unit(api, city, a["id"], aa["login"], aa["password"])
    b, ba = create_child(city, 1, "郑州市第二中学", "unit")
    b_s = approve_unit(api, city, b["id"], ba["login"], ba["password"])
    return TwoSchools(d, api, city, a, a_s, b, b_s)


# What each schema version from v30 on added, taken out again, for the tests that open a database
# "as an older daemon left it": a migration that adds a table, a column or a trigger gets its
# entry here, or those tests fail when the version is applied a second time.
SCHEMA_UNDO: dict[int, list[str]] = {
    30: ["DROP TABLE IF EXISTS applicant_moves"],
    31: ["DELETE FROM tenant_meta WHERE key = 'incarnation'"],
    32: ["DROP TRIGGER IF EXISTS session_outcome_kept", "ALTER TABLE session_applications DROP COLUMN outcome"],
    33: ["ALTER TABLE applications DROP COLUMN committee_note"],
    34: ["DROP TABLE IF EXISTS sign_in_sources"],
    35: ["DROP INDEX IF EXISTS received_reviewed"],
    37: ["ALTER TABLE plans DROP COLUMN submitted_at"],
    38: ["DROP INDEX IF EXISTS plans_waiting", "DROP INDEX IF EXISTS received_office"],
    39: ["DROP TRIGGER IF EXISTS session_applicant_names_kept", "DROP TRIGGER IF EXISTS session_expert_names_kept",
         "ALTER TABLE session_applications DROP COLUMN applicant_name", "ALTER TABLE session_applications DROP COLUMN unit_name",
         "ALTER TABLE session_experts DROP COLUMN name", "ALTER TABLE session_experts DROP COLUMN unit_name"],
    40: ["DROP INDEX IF EXISTS orgs_children", "DROP INDEX IF EXISTS accounts_org_admin"],
    41: ["CREATE INDEX IF NOT EXISTS orgs_parent ON orgs(parent_id)"],
    42: ["DROP TABLE IF EXISTS received_file_sources", "DROP TABLE IF EXISTS received_files"],
    43: ["DROP TABLE IF EXISTS objection_files", "DROP TABLE IF EXISTS sent_objection_files"],
    44: ["DROP INDEX IF EXISTS outbox_waiting"],
    45: ["ALTER TABLE committee_steps DROP COLUMN office_seal_file_id", "ALTER TABLE committee_steps DROP COLUMN office_id"],
}


def wind_back(con: sqlite3.Connection, version: int) -> None:
    """Makes the tenant database open in `con` (the daemon stopped) look as a daemon of schema
    `version` left it: what each later version added is taken out, newest first, and
    `user_version` set; the caller commits. Data-only versions need no entry."""
    assert version >= 28, "SCHEMA_UNDO starts at v30 (v29 changes data only)"
    for v in sorted(SCHEMA_UNDO, reverse=True):
        if v > version:
            for statement in SCHEMA_UNDO[v]:
                con.execute(statement)
    con.execute(f"PRAGMA user_version = {version}")

