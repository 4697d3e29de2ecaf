"""Shared set-up of the expert tests (API and browser): a daemon with the real ExpertRecommendation
plugin, a province and a city with a department and three schools, reviewers at every level, and
helpers that walk an expert application or a 副高级 title application through the whole chain."""

from __future__ import annotations

import contextlib
import pathlib
import shutil
from dataclasses import dataclass, field
from typing import Iterator
from urllib.parse import quote

import pytest

from api_support import NEW_PASSWORD, Api, ModuleDaemon, Session, add_reviewer, approve_unit, approved_plan, create_child, expect, fresh_id_number
from api_support import REQUIRED_SECTIONS
from conftest import REPO, create_tenant, wait_until

SERIES = "中小学教师"
SECTIONS = REQUIRED_SECTIONS
EXPERT_PLUGIN = REPO / ".build" / "plugins" / "libexpert-recommendation.so"
CONFIG = '[log]\nlevel = "info"\n[limits]\npublicity_working_days = 0\n'


@dataclass
class Env:
    daemon: object
    city_api: Api
    prov_api: Api
    city: Session
    dept: Session
    schools: dict            # name -> (org_id, admin Session)
    city_reviewers: dict     # org name -> [handler, leader]
    prov: Session
    prov_h: Session
    prov_l: Session
    experts: dict = field(default_factory=dict)   # name -> (expert dict, Session)
    departments: dict = field(default_factory=dict)   # name -> (org_id, admin Session)


@contextlib.contextmanager
def expert_env(zhichengd_bin: str, workdir: pathlib.Path, config: str = CONFIG) -> Iterator[Env]:
    """A daemon with the ExpertRecommendation plugin, a province and 郑州市 with 管城区教育局 and three
    schools, handler and leader at each org (city and province); every account's password is
    NEW_PASSWORD. Stopped at the end. `config`: the daemon's (by default a result's 公示 ends at once)."""
    if not EXPERT_PLUGIN.exists():
        pytest.fail(f"{EXPERT_PLUGIN} is missing: run `make plugins` first (make test does)")
    md = ModuleDaemon(zhichengd_bin, workdir, config)
    shutil.copy(EXPERT_PLUGIN, md.daemon.plugin_dir / EXPERT_PLUGIN.name)
    try:
        d = md.start()
        prov_info = create_tenant(d, "province", "41", "河南省", kind="province")
        city_info = create_tenant(d, "zhengzhou", "4101", "郑州市")
        city_api, prov_api = Api(d.http_port, "zhengzhou"), Api(d.http_port, "province")
        city = city_api.first_login(city_info["admin_login"], city_info["admin_password"])
        dept_org, dept_admin = create_child(city, 1, "管城区教育局", "department")
        dept = approve_unit(city_api, city, dept_org["id"], dept_admin["login"], dept_admin["password"])
        schools, reviewers = {}, {}
        for name in ("逸夫小学", "回民中学", "实验中学"):
            org, admin = create_child(dept, dept_org["id"], name, "unit")
            school = approve_unit(city_api, dept, org["id"], admin["login"], admin["password"])
            schools[name] = (org["id"], school)
            reviewers[name] = [add_reviewer(school, org["id"], f"{org['id']}.h", ["handler"]), add_reviewer(school, org["id"], f"{org['id']}.l", ["leader"])]
        reviewers["管城区教育局"] = [add_reviewer(dept, dept_org["id"], "dept.h", ["handler"]), add_reviewer(dept, dept_org["id"], "dept.l", ["leader"])]
        reviewers["郑州市"] = [add_reviewer(city, 1, "city.h", ["handler"]), add_reviewer(city, 1, "city.l", ["leader"])]
        prov = prov_api.first_login(prov_info["admin_login"], prov_info["admin_password"])
        e = Env(d, city_api, prov_api, city, dept, schools, reviewers, prov,
                add_reviewer(prov, 1, "prov.h", ["handler"]), add_reviewer(prov, 1, "prov.l", ["leader"]),
                departments={"管城区教育局": (dept_org["id"], dept)})
        yield e
    finally:
        md.stop()


def add_department(env: Env, name: str) -> dict:
    """Another 主管单位 under the city office, approved, with its handler and leader: the org."""
    org, admin = create_child(env.city, 1, name, "department")
    session = approve_unit(env.city_api, env.city, org["id"], admin["login"], admin["password"])
    env.departments[name] = (org["id"], session)
    env.city_reviewers[name] = [add_reviewer(session, org["id"], f"{org['id']}.h", ["handler"]), add_reviewer(session, org["id"], f"{org['id']}.l", ["leader"])]
    return org


def add_school(env: Env, name: str, department: str = "管城区教育局", key: str | None = None) -> dict:
    """Another school under `department`, approved, with its handler and leader, known to the
    helpers as `key` (default its name; two schools of one name need two keys): the org."""
    dept_id, dept = env.departments[department]
    org, admin = create_child(dept, dept_id, name, "unit")
    school = approve_unit(env.city_api, dept, org["id"], admin["login"], admin["password"])
    env.schools[key or name] = (org["id"], school)
    env.city_reviewers[key or name] = [add_reviewer(school, org["id"], f"{org['id']}.h", ["handler"]), add_reviewer(school, org["id"], f"{org['id']}.l", ["leader"])]
    return org


def applicant(env: Env, school: str, name: str) -> Session:
    org_id, admin = env.schools[school]
    r = expect(admin.post(f"orgs/{org_id}/applicants", {"id_number": fresh_id_number(), "name": name}), 201).json
    return env.city_api.first_login(r["account"]["login"], r["password"])


def expert_application(person: Session, years: str = "15", specialty: str = "小学数学", level: str = "副高级", title: str = "高级教师") -> dict:
    app = expect(person.post("applications", {"kind": "expert", "year": 2026, "series": SERIES, "level": level,
                                              "title": title, "specialty": specialty}), 201).json
    assert app["kind"] == "expert" and app["specialty"] == specialty
    expect(person.put(f"applications/{app['id']}/sections/{quote('基本信息')}", {"姓名": "专家", "职称": "高级教师"}), 200)
    expect(person.put(f"applications/{app['id']}/sections/{quote('工作经历')}", {"从业年限": years, "经历": "长期从事教学"}), 200)
    return expect(person.post(f"applications/{app['id']}/submit"), 200).json


def city_pass(env: Env, app_id: int, orgs: list[str]) -> dict:
    last = {}
    for org in orgs:
        for reviewer in env.city_reviewers[org]:
            version = expect(reviewer.get(f"applications/{app_id}"), 200).json["version"]
            last = expect(reviewer.post(f"applications/{app_id}/decision", {"decision": "pass", "comment": "同意推荐", "version": version}), 200).json
    return last


def province_expert_app(env: Env, name: str) -> dict:
    apps = wait_until(lambda: [a for a in expect(env.prov.get("expert-applications"), 200).json["applications"] if a["applicant_name"] == name],
                      10, f"{name}'s expert application to reach the province")
    return apps[0]


def become_expert(env: Env, school: str, name: str, specialty: str = "小学数学", department: str = "管城区教育局") -> tuple[dict, Session]:
    person = applicant(env, school, name)
    app = expert_application(person, specialty=specialty)
    assert app["state"] == "in_review", app
    done = city_pass(env, app["id"], [school, department])
    assert done["state"] == "awaiting_province"
    papp = province_expert_app(env, name)
    expect(env.prov_h.post(f"expert-applications/{papp['id']}/decision", {"decision": "pass", "comment": "符合条件", "version": papp["version"]}), 200)
    papp = expect(env.prov_l.get(f"expert-applications/{papp['id']}"), 200).json
    out = expect(env.prov_l.post(f"expert-applications/{papp['id']}/decision", {"decision": "pass", "comment": "同意入库", "version": papp["version"]}), 200).json
    assert out["application"]["state"] == "passed" and out["expert"]["name"] == name
    session = env.prov_api.first_login(out["expert"]["id_number"], out["one_time_password"])
    wait_until(lambda: person.get(f"applications/{app['id']}").json["state"] == "passed", 10, "the city to learn the expert was admitted")
    env.experts[name] = (out["expert"], session)
    return out["expert"], session


def senior_application(env: Env, school: str, name: str, province_review: bool = True,
                       department: str = "管城区教育局") -> tuple[Session, dict, dict]:
    """A 副高级 title application passed by the whole city (`school`, its `department`, the
    city office), as the province received it; with `province_review`, passed by the
    province office's own review too (else still in it)."""
    org_id, admin = env.schools[school]
    plan_items = [{"series": SERIES, "level": "副高级", "count": 20}]
    plans = expect(admin.get(f"orgs/{org_id}/plans"), 200).json["plans"]
    if not any(p["state"] == "approved" for p in plans):
        approved_plan(admin, env.city, org_id, plan_items)
    person = applicant(env, school, name)
    app = expect(person.post("applications", {"kind": "title", "year": 2026, "series": SERIES, "level": "副高级", "title": "高级教师"}), 201).json
    for section in SECTIONS:
        expect(person.put(f"applications/{app['id']}/sections/{quote(section)}", {"内容": f"{name}的{section}"}), 200)
    expect(person.post(f"applications/{app['id']}/submit"), 200)
    city_pass(env, app["id"], [school, department, "郑州市"])
    received = wait_until(lambda: [r for r in expect(env.prov.get("province/applications"), 200).json["applications"]
                                   if r["applicant_name"] == name], 10, f"{name}'s application to reach the province")[0]
    if not province_review:
        assert received["state"] == "in_review", received
        return person, app, received
    # The province office's own review (经办人, 负责人) before its committee takes it up.
    for reviewer in (env.prov_h, env.prov_l):
        expect(reviewer.post(f"province/reviews/{received['id']}/decision", {"decision": "pass", "comment": "符合申报条件"}), 200)
    received = next(r for r in expect(env.prov.get("province/applications"), 200).json["applications"] if r["id"] == received["id"])
    assert received["state"] == "received", received
    return person, app, received


def sign_in_expert(env: Env, expert_id: int) -> Session:
    """A fresh sign-in (suspending an expert ends their sessions)."""
    expert = next(e for e, _ in env.experts.values() if e["id"] == expert_id)
    return env.prov_api.sign_in(expert["id_number"], NEW_PASSWORD)


