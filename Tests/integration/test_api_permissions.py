"""Permission matrix of the tenant JSON API (SPEC §5, §6): roles × endpoint families ×
target inside / outside the caller's subtree → expected status.

The world (one daemon for the module), tenant `zhengzhou`:

    郑州市职改办 (city, org 1)
    ├── 管城回族区职改办 D (district, approved)
    │   └── 管城区教育局 E (department, approved)
    │       ├── 逸夫小学 U (unit, approved): staff H (经办人), applicant A, a seal
    │       ├── 待审小学 P (unit, info NOT approved yet; its admin changed the password)
    │       └── 受托小学 V (unit, draft, certificate uploaded): what the managers act on
    └── 惠济区职改办 D2 (approved)
        └── 惠济区实验小学 X (unit, approved) with staff XH: "outside" for everybody but the city

plus the root admin of another tenant (`luoyang`) whose token is tried in `zhengzhou`.

"in" is the natural target of the role (the org it manages, or its own org); "out" is X
(for the city office, which sees everything, a non-existent org).  A few cells expect
400/409: the caller passed the access check and was refused for the target's state
(e.g. deleting U, which has people, is 409 for its ancestors), which is how the matrix
tests deletion and review without changing the world.  Every refused request must leave
the tenant database unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import pytest

from api_support import (
    NEW_PASSWORD,
    Api,
    module_daemon,
    Session,
    approve_unit,
    create_child,
    expect,
    fresh_id_number,
    png_bytes,
    unchanged,
    unique,
)
from conftest import Daemon, create_tenant

TENANT = "zhengzhou"
MISSING = 999999

ROLES = ("city", "district", "department", "unit", "unit_pending", "staff", "applicant", "anonymous", "foreign")
MANAGERS = ("city", "district", "department")


@dataclass
class World:
    d: Daemon
    api: Api
    orgs: dict[str, dict]                      # key → org
    sessions: dict[str, Session | None]        # role → session (None for anonymous)
    accounts: dict[str, int] = field(default_factory=dict)   # "H", "XH" → account id

    def org_id(self, key: str) -> int:
        return MISSING if key == "missing" else self.orgs[key]["id"]


@pytest.fixture(scope="module")
def world(request: pytest.FixtureRequest, zhichengd_bin: str, tmp_path_factory: pytest.TempPathFactory):
    with module_daemon(request, zhichengd_bin, tmp_path_factory.mktemp("api-perm")) as d:
        info = create_tenant(d, TENANT, "4101", "郑州市")
        ly = create_tenant(d, "luoyang", "4103", "洛阳市")
        api = Api(d.http_port, TENANT)
        city = api.first_login(info["admin_login"], info["admin_password"])
        orgs: dict[str, dict] = {}

        orgs["D"], a = create_child(city, 1, "管城回族区职改办", "office")
        district = approve_unit(api, city, orgs["D"]["id"], a["login"], a["password"])
        orgs["E"], a = create_child(district, orgs["D"]["id"], "管城区教育局", "department")
        department = approve_unit(api, district, orgs["E"]["id"], a["login"], a["password"])
        orgs["U"], a = create_child(department, orgs["E"]["id"], "逸夫小学", "unit")
        unit = approve_unit(api, department, orgs["U"]["id"], a["login"], a["password"])
        orgs["P"], a = create_child(department, orgs["E"]["id"], "待审小学", "unit")
        pending = api.first_login(a["login"], a["password"])
        expect(pending.put(f"orgs/{orgs['P']['id']}/profile", {"contact": "孙老师"}), 200)
        expect(pending.upload(f"orgs/{orgs['P']['id']}/certificate", png_bytes(seed=3)), (200, 204))
        orgs["V"], a = create_child(department, orgs["E"]["id"], "受托小学", "unit")
        v_admin = api.first_login(a["login"], a["password"])
        expect(v_admin.upload(f"orgs/{orgs['V']['id']}/certificate", png_bytes(seed=4)), (200, 204))
        orgs["D2"], a = create_child(city, 1, "惠济区职改办", "office")
        d2 = approve_unit(api, city, orgs["D2"]["id"], a["login"], a["password"])
        orgs["X"], a = create_child(d2, orgs["D2"]["id"], "惠济区实验小学", "unit")
        x_admin = approve_unit(api, d2, orgs["X"]["id"], a["login"], a["password"])

        # U's people and seal
        uid = orgs["U"]["id"]
        expect(unit.upload(f"orgs/{uid}/seal", png_bytes(seed=5)), (200, 204))
        r = expect(unit.post(f"orgs/{uid}/staff", {"login": "handler-u", "name": "经办人甲"}), 201).json
        h_id, h_pw = r["account"]["id"], r["password"]
        expect(unit.post(f"staff/{h_id}/enable"), 200)
        expect(unit.put(f"staff/{h_id}/roles", {"roles": ["handler"]}), 200)
        staff = api.first_login("handler-u", h_pw)
        r = expect(unit.post(f"orgs/{uid}/applicants", {"id_number": "410104199003071233", "name": "申报人乙"}), 201).json
        applicant = api.first_login("410104199003071233", r["password"])
        r = expect(x_admin.post(f"orgs/{orgs['X']['id']}/staff", {"login": "handler-x", "name": "经办人丙"}), 201).json
        xh_id = r["account"]["id"]

        foreign_api = Api(d.http_port, "luoyang")
        foreign = foreign_api.first_login(ly["admin_login"], ly["admin_password"])

        sessions = {"city": city, "district": district, "department": department, "unit": unit,
                    "unit_pending": pending, "staff": staff, "applicant": applicant, "anonymous": None,
                    "foreign": foreign}
        yield World(d, api, orgs, sessions, {"H": h_id, "XH": xh_id})


# --------------------------------------------------------------------------- targets and requests


def default_in(role: str) -> str:
    if role in MANAGERS:
        return "V"
    return "P" if role == "unit_pending" else "U"


def default_out(role: str) -> str:
    return "missing" if role == "city" else "X"


# action → (in-target for the role, out-target for the role); keys of World.orgs, "missing",
# or account keys ("H", "XH") for the staff/<id> endpoints.
TARGET_OVERRIDES: dict[str, Callable[[str], tuple[str, str]]] = {
    "org.create_child": lambda role: ("E" if role in MANAGERS else default_in(role), default_out(role)),
    "org.delete": lambda role: ("U" if role in MANAGERS else default_in(role), default_out(role)),
    "seal.get": lambda role: ("U" if role in MANAGERS else default_in(role), default_out(role)),
    "staff.roles": lambda role: ("H", "XH"),
}

NAMES = {"V": "受托小学", "U": "逸夫小学", "P": "待审小学", "X": "惠济区实验小学", "E": "管城区教育局"}


def build_request(action: str, w: World, target: str) -> tuple[str, str, Any, bytes | None]:
    """(method, path, json body, raw bytes) of one action on one target."""
    if action == "staff.roles":
        return "PUT", f"staff/{w.accounts[target]}/roles", {"roles": ["handler"]}, None
    if action in ("audit", "account"):
        return "GET", action, None, None
    oid = w.org_id(target)
    o = f"orgs/{oid}"
    return {
        "org.get": ("GET", o, None, None),
        "org.children": ("GET", f"{o}/children", None, None),
        "org.create_child": ("POST", f"{o}/children", {"name": unique("矩阵学校"), "kind": "unit"}, None),
        "org.rename": ("PATCH", o, {"name": NAMES.get(target, "某单位")}, None),
        "org.delete": ("DELETE", o, None, None),
        "profile.get": ("GET", f"{o}/profile", None, None),
        "profile.put": ("PUT", f"{o}/profile", {"contact": "孙老师"}, None),
        "profile.submit": ("POST", f"{o}/profile/submit", None, None),
        "profile.review": ("POST", f"{o}/profile/review", {"decision": "approve", "reason": ""}, None),
        "certificate.put": ("PUT", f"{o}/certificate", None, png_bytes(seed=21)),
        "certificate.get": ("GET", f"{o}/certificate", None, None),
        "seal.put": ("PUT", f"{o}/seal", None, png_bytes(seed=22)),
        "seal.get": ("GET", f"{o}/seal", None, None),
        "admin.patch": ("PATCH", f"{o}/admin", {"name": "系统管理员"}, None),
        "admin.reset": ("POST", f"{o}/admin/reset-password", None, None),
        "staff.list": ("GET", f"{o}/staff", None, None),
        "staff.add": ("POST", f"{o}/staff", {"login": unique("matrix-staff"), "name": "矩阵人员"}, None),
        "applicants.list": ("GET", f"{o}/applicants", None, None),
        "applicants.add": ("POST", f"{o}/applicants", {"id_number": fresh_id_number(), "name": "矩阵申报人"}, None),
    }[action]


# --------------------------------------------------------------------------- the matrix

OK, CREATED, NOCONTENT = 200, 201, (200, 204)
Exp = Any  # an int, a tuple of acceptable ints, None (= not applicable), or a pytest.param-wrapped xfail

# action → role → (in, out).  Anonymous and the other tenant's token are 401 everywhere.
MATRIX: dict[str, dict[str, tuple[Exp, Exp]]] = {
    "org.get": {
        "city": (OK, 404), "district": (OK, 404), "department": (OK, 404), "unit": (OK, 404),
        "unit_pending": (403, 403), "staff": (OK, 404), "applicant": (OK, 404)},
    "org.children": {       # the list carries sub-org admins' contacts: org admins only
        "city": (OK, 404), "district": (OK, 404), "department": (OK, 404), "unit": (OK, 404),
        "unit_pending": (403, 403), "staff": (403, 403), "applicant": (403, 403)},
    "org.create_child": {   # in = E for managers; a unit cannot hold orgs (400)
        "city": (CREATED, 404), "district": (CREATED, 404), "department": (CREATED, 404), "unit": (400, 404),
        "unit_pending": (403, 403), "staff": (403, 403), "applicant": (403, 403)},
    "org.rename": {         # nobody renames their own org
        "city": (OK, 404), "district": (OK, 404), "department": (OK, 404), "unit": (403, 404),
        "unit_pending": (403, 403), "staff": (403, 403), "applicant": (403, 403)},
    "org.delete": {         # in = U for managers: it has people → 409
        "city": (409, 404), "district": (409, 404), "department": (409, 404), "unit": (403, 404),
        "unit_pending": (403, 403), "staff": (403, 403), "applicant": (403, 403)},
    "profile.get": {
        "city": (OK, 404), "district": (OK, 404), "department": (OK, 404), "unit": (OK, 404),
        "unit_pending": (OK, 404), "staff": (OK, 404), "applicant": (OK, 404)},
    "profile.put": {        # only the org's own admin; (U's own save would send it back to review: not run)
        "city": (403, 404), "district": (403, 404), "department": (403, 404), "unit": (None, 404),
        "unit_pending": (OK, 404), "staff": (403, 403), "applicant": (403, 403)},
    "profile.submit": {     # U is approved already (409); P's info is incomplete (400)
        "city": (403, 404), "district": (403, 404), "department": (403, 404), "unit": (409, 404),
        "unit_pending": (400, 404), "staff": (403, 403), "applicant": (403, 403)},
    "profile.review": {     # only the direct parent (E) reviews; V has nothing submitted (409)
        "city": (403, 404), "district": (403, 404), "department": (409, 404), "unit": (403, 404),
        "unit_pending": (403, 403), "staff": (403, 403), "applicant": (403, 403)},
    "certificate.put": {
        "city": (403, 404), "district": (403, 404), "department": (403, 404), "unit": (NOCONTENT, 404),
        "unit_pending": (NOCONTENT, 404), "staff": (403, 403), "applicant": (403, 403)},
    "certificate.get": {
        "city": (OK, 404), "district": (OK, 404), "department": (OK, 404), "unit": (OK, 404),
        "unit_pending": (OK, 404), "staff": (OK, 404), "applicant": (OK, 404)},
    "seal.put": {           # the seal is one of the "other endpoints": not before approval
        "city": (403, 404), "district": (403, 404), "department": (403, 404), "unit": (NOCONTENT, 404),
        "unit_pending": (403, (403, 404)), "staff": (403, 403), "applicant": (403, 403)},
    "seal.get": {           # in = U for managers; P has no seal (404); an official seal's image is for admins only
        "city": (OK, 404), "district": (OK, 404), "department": (OK, 404), "unit": (OK, 404),
        "unit_pending": ((403, 404), (403, 404)), "staff": (403, 404), "applicant": (403, 404)},
    "admin.patch": {
        "city": (OK, 404), "district": (OK, 404), "department": (OK, 404), "unit": (403, 404),
        "unit_pending": (403, 403), "staff": (403, 403), "applicant": (403, 403)},
    "admin.reset": {
        "city": (OK, 404), "district": (OK, 404), "department": (OK, 404), "unit": (403, 404),
        "unit_pending": (403, 403), "staff": (403, 403), "applicant": (403, 403)},
    "staff.list": {         # people are managed by their own org's admin only
        "city": (403, 404), "district": (403, 404), "department": (403, 404), "unit": (OK, 404),
        "unit_pending": (403, 403), "staff": (403, 403), "applicant": (403, 403)},
    "staff.add": {
        "city": (403, 404), "district": (403, 404), "department": (403, 404), "unit": (CREATED, 404),
        "unit_pending": (403, 403), "staff": (403, 403), "applicant": (403, 403)},
    "staff.roles": {        # in = H (U's handler), out = XH (X's staff)
        "city": (404, 404), "district": (404, 404), "department": (404, 404), "unit": (OK, 404),
        "unit_pending": (403, 403), "staff": (403, 403), "applicant": (403, 403)},
    "applicants.list": {
        "city": (403, 404), "district": (403, 404), "department": (403, 404), "unit": (OK, 404),
        "unit_pending": (403, 403), "staff": (403, 403), "applicant": (403, 403)},
    "applicants.add": {
        "city": (403, 404), "district": (403, 404), "department": (403, 404), "unit": (CREATED, 404),
        "unit_pending": (403, 403), "staff": (403, 403), "applicant": (403, 403)},
    # no target: only "in"
    "audit": {
        "city": (OK, None), "district": (OK, None), "department": (OK, None), "unit": (OK, None),
        "unit_pending": (403, None), "staff": (403, None), "applicant": (403, None)},
    "account": {
        "city": (OK, None), "district": (OK, None), "department": (OK, None), "unit": (OK, None),
        "unit_pending": (OK, None), "staff": (OK, None), "applicant": (OK, None)},
}

BUGS = {
    ("audit", "unit_pending"): "daemon bug: GET audit does not require the caller's org to be approved, so a unit "
                               "whose info is not yet approved can read its audit log (SPEC §6: only maintain and "
                               "submit its info until approved)",
}


def cases() -> list:
    out = []
    for action, per_role in MATRIX.items():
        for role in ROLES:
            for i, where in enumerate(("in", "out")):
                if role in ("anonymous", "foreign"):
                    expected: Exp = 401 if (where == "in" or per_role["city"][1] is not None) else None
                else:
                    expected = per_role[role][i]
                if expected is None:
                    continue
                marks = []
                if expected == "xfail-403":
                    expected = 403
                    marks.append(pytest.mark.xfail(strict=True, reason=BUGS[(action, role)]))
                out.append(pytest.param(role, action, where, expected, id=f"{action}-{role}-{where}", marks=marks))
    return out


def target_of(action: str, role: str, where: str) -> str:
    if action in TARGET_OVERRIDES:
        t_in, t_out = TARGET_OVERRIDES[action](role)
    else:
        t_in, t_out = default_in(role), default_out(role)
    return t_in if where == "in" else t_out


@pytest.mark.parametrize("role,action,where,expected", cases())
def test_permission_matrix(world: World, role: str, action: str, where: str, expected: Exp) -> None:
    target = target_of(action, role, where)
    method, path, body, data = build_request(action, world, target)
    session = world.sessions[role]
    token = session.token if session is not None else None
    statuses = expected if isinstance(expected, tuple) else (expected,)
    refused = all(s >= 400 for s in statuses)

    def run():
        return world.api.call(method, path, body, token=token, data=data,
                              content_type="image/png" if data is not None else None)

    if refused:
        with unchanged(world.d, TENANT):
            r = run()
        expect(r, statuses)
    else:
        expect(run(), statuses)


def test_matrix_world_is_intact(world: World) -> None:
    """The matrix changed only what the allowed cells were meant to change."""
    city = world.sessions["city"]
    assert city is not None
    for key, state in (("U", "approved"), ("P", "draft"), ("V", "draft"), ("X", "approved"), ("E", "approved")):
        o = expect(city.get(f"orgs/{world.org_id(key)}"), 200).json
        assert o["profile_state"] == state and o["name"] == NAMES[key], o
    # U's people are still there, and U still signs in with its password
    for role in ("unit", "staff", "applicant"):
        s = world.sessions[role]
        assert s is not None
        expect(s.get("account"), 200)
    expect(world.api.sign_in_raw(world.sessions["unit"].account["login"], NEW_PASSWORD), 200)


# --------------------------------------------------------------------------- bad input from the wrong caller

# Invalid bodies sent by an account that may not make the call at all: the refusal is 403 (who
# you are is checked before what you sent), and nothing changes.
BAD_INPUT_BY_WRONG_CALLER = [
    ("PATCH", "orgs/{U}", {"name": ""}),
    ("PUT", "orgs/{U}/profile", {"credit_code": "114412365412547896"}),
    ("POST", "orgs/{V}/profile/review", {"decision": "reject", "reason": ""}),
    ("PATCH", "orgs/{U}/admin", {"phone": "12345"}),
    ("POST", "orgs/{U}/staff", {"login": "1", "name": ""}),
    ("PATCH", "staff/{H}", {"phone": "abc"}),
    ("PUT", "staff/{H}/permissions", {"series": ["魔法师"], "sections": []}),
    ("POST", "orgs/{U}/applicants", {"id_number": "123", "name": ""}),
    ("POST", "orgs/{U}/plans", {"year": 1900, "items": []}),
    ("POST", "plans/1/review", {"decision": "reject", "reason": ""}),
    ("POST", "committees", {"name": "", "series": ["魔法师"], "levels": ["特级"]}),
    ("POST", "applications/1/result", {"result": "优秀"}),
    ("PUT", "applications/1/interview", {"time": "", "place": ""}),
    ("POST", "objections/1/resolve", {"decision": "dismissed", "reason": ""}),
    ("POST", "applications/1/decision", {"decision": "maybe", "version": 1}),
    ("POST", "expert-applications/1/decision", {"decision": "maybe"}),
    ("POST", "committees/1/sessions", {"name": "", "series": "", "panel_size": 2, "applications": []}),
    ("POST", "experts/1/state", {"state": "sleeping"}),
    ("POST", "sessions/1/votes", {"application": 1, "vote": "maybe"}),
    ("POST", "sessions/1/cancel", {"reason": ""}),
]


# The staff account H reviews: its bad review decision is a 400 by right, not a case here.
WRONG_CALLER_CASES = [(role, m, p, b) for role in ("staff", "applicant") for m, p, b in BAD_INPUT_BY_WRONG_CALLER
                      if not (role == "staff" and p.startswith("applications") and p.endswith("/decision"))]


@pytest.mark.parametrize("role,method,path,body", WRONG_CALLER_CASES, ids=[f"{r}-{m} {p}" for r, m, p, _ in WRONG_CALLER_CASES])
def test_bad_input_from_a_caller_without_the_right_is_forbidden(world: World, role: str, method: str, path: str, body: dict) -> None:
    session = world.sessions[role]
    assert session is not None
    target = path.format(U=world.org_id("U"), V=world.org_id("V"), H=world.accounts["H"])
    with unchanged(world.d, TENANT):
        r = world.api.call(method, target, body, token=session.token)
    expect(r, 403)
