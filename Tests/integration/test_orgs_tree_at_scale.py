"""单位管理 (manual §1) at the size of a city, through the real daemon: the page draws the path
from the caller's org down to the selected one, each org on it opened to its children (at most
200 listed, then 共 N 个 with a link to the rest on the right), never the whole subtree; the
selected org's children on the right come 100 a page (共 N 个, 上一页/下一页, the selected org
kept); 移到 names the new parent by its 单位编号, which the service resolves under the rules a
move by id is held to.

The module fixture: 郑州市 → 管城回族区职改办 (district) → 管城区教育局 (dept) with 250 schools and
教研室 (sub, a department: its code 410104001001 sorts between the 9th and 10th school's) with 3
schools of its own;
管城区卫健委 (health) beside the dept; 惠济区职改办 (other) beside the district. 开封市, a
second city on the same daemon, has 龙亭区职改办 (410202).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest

from api_support import Api, Session, approve_unit, create_child, expect, module_daemon, profile_for, submit_unit_info, unchanged
from conftest import Daemon, create_tenant

TENANT = "zhengzhou"
SCHOOLS = 250


@dataclass
class City:
    d: Daemon
    api: Api
    city: Session
    district: dict
    district_s: Session
    dept: dict
    children: list[dict]   # the dept's 251 children (its schools and 教研室), in code order
    sub: dict              # 教研室
    deep: list[dict]       # 教研室's schools
    health: dict
    other: dict
    other_city_code: str   # 龙亭区职改办's code, in 开封市


@pytest.fixture(scope="module")
def big(request: pytest.FixtureRequest, zhichengd_bin: str, tmp_path_factory: pytest.TempPathFactory):
    with module_daemon(request, zhichengd_bin, tmp_path_factory.mktemp("orgs-scale")) as d:
        info = create_tenant(d, TENANT, "4101", "郑州市")
        api = Api(d.http_port, TENANT)
        city = api.first_login(info["admin_login"], info["admin_password"])
        district, da = create_child(city, 1, "管城回族区职改办", "office")
        district_s = approve_unit(api, city, district["id"], da["login"], da["password"],
                                  profile_for("管城回族区职改办", 1, category="职改办", affiliation_level="县区"))
        dept, _ = create_child(city, district["id"], "管城区教育局", "department")
        schools = [create_child(city, dept["id"], f"规模学校{n:03d}", "unit")[0] for n in range(1, SCHOOLS + 1)]
        sub, _ = create_child(city, dept["id"], "管城区教研室", "department")
        deep = [create_child(city, sub["id"], f"教研室附属学校{n}", "unit")[0] for n in range(1, 4)]
        health, _ = create_child(city, district["id"], "管城区卫健委", "department")
        other, _ = create_child(city, 1, "惠济区职改办", "office")
        kaifeng = create_tenant(d, "kaifeng", "4102", "开封市")
        kf = Api(d.http_port, "kaifeng").first_login(kaifeng["admin_login"], kaifeng["admin_password"])
        longting, _ = create_child(kf, 1, "龙亭区职改办", "office")
        children = sorted(schools + [sub], key=lambda o: o["code"])
        assert children.index(sub) == 9, [o["code"] for o in children[:12]]
        yield City(d, api, city, district, district_s, dept, children, sub, deep, health, other, longting["code"])


def page(big: City, s: Session, path: str) -> str:
    r = big.api.raw("GET", f"/t/{TENANT}/{path}", headers={"Cookie": f"zc_session={s.cookie}"})
    assert r.status == 200, (path, r.status, r.body.decode()[-2000:])
    return r.body.decode()


def post(big: City, s: Session, path: str, fields: dict):
    return big.api.raw("POST", f"/t/{TENANT}/{path}", body=urlencode({"_csrf": s.csrf, **fields}).encode(),
                       headers={"Cookie": f"zc_session={s.cookie}", "Content-Type": "application/x-www-form-urlencoded"})


def tree(body: str) -> str:
    found = re.search(r'<aside class="tree"[^>]*>(.*?)</aside>', body, re.S)
    assert found, body[-2000:]
    return found.group(1)


def tree_ids(body: str) -> list[int]:
    """The orgs the tree links to, in the order drawn (not its links to the rest of a list)."""
    return [int(i) for i in re.findall(r'orgs\?selected=(\d+)"', tree(body))]


def current(body: str) -> list[int]:
    return [int(i) for i in re.findall(r'orgs\?selected=(\d+)" aria-current="true"', tree(body))]


def rows(body: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr data-org="(\d+)">', body)]


def link(body: str, anchor_id: str) -> str | None:
    found = re.search(rf'<a id="{anchor_id}" href="([^"]+)"', body)
    return html.unescape(found.group(1)).removeprefix(f"/t/{TENANT}/") if found else None


def ids(orgs: list[dict]) -> list[int]:
    return [o["id"] for o in orgs]


def test_the_tree_holds_the_path_and_its_childrens_lists_not_the_subtree(big: City) -> None:
    """The city office's own page: itself and its children, nothing deeper. The 教育局 selected: the
    path to it, each org on it with its children (siblings of the path seen), the 教育局's first 200
    children and 共 251 个 with a link to the rest; nothing past the 200th, nothing below 教研室."""
    own = page(big, big.city, "orgs")
    assert tree_ids(own) == [1, big.district["id"], big.other["id"]], tree(own)
    assert current(own) == [1] and rows(own) == [big.district["id"], big.other["id"]]

    body = page(big, big.city, f"orgs?selected={big.dept['id']}")
    drawn = tree_ids(body)
    assert drawn[:3] == [1, big.district["id"], big.dept["id"]], drawn[:5]
    assert drawn[3:203] == ids(big.children[:200]), "the 教育局's first 200 children, in code order, under it"
    # Then its list's end (共 N 个 and a link to the rest on the right), the 教育局's sibling, the district's.
    more = f'orgs?selected={big.dept["id"]}&amp;after={big.children[199]["code"]}'
    assert drawn[203:] == [big.health["id"], big.other["id"]], drawn[203:]
    assert f'共 251 个，<a href="/t/{TENANT}/{more}">查看其余<span class="vh">：管城区教育局的下级机构</span></a>' in tree(body)
    assert current(body) == [big.dept["id"]]
    for hidden in big.children[200:] + big.deep:
        assert hidden["name"] not in body, hidden
    # Nested as the path goes: the children inside the 教育局's item, inside the district's.
    nested = re.search(rf'selected={big.district["id"]}"[^>]*>[^<]*</a><ul><li><a [^>]*selected={big.dept["id"]}"[^>]*>[^<]*</a><ul><li><a [^>]*selected={big.children[0]["id"]}"',
                       tree(body))
    assert nested, tree(body)[:1500]


def test_an_org_past_the_first_children_is_still_on_the_path(big: City) -> None:
    """The 教育局's 231st child: drawn after its first 200 and its 共 251 个, the others past the 200th
    not. A school of 教研室: the path goes through 教研室, which opens to its schools."""
    picked = big.children[230]
    body = page(big, big.city, f"orgs?selected={picked['id']}")
    drawn = tree_ids(body)
    assert drawn[3:] == ids(big.children[:200]) + [picked["id"], big.health["id"], big.other["id"]], drawn[200:]
    assert tree(body).index("共 251 个") < tree(body).index(f'selected={picked["id"]}"'), "after the list's end"
    assert current(body) == [picked["id"]] and "共 251 个" in tree(body)
    assert big.children[200]["name"] not in body and big.children[231]["name"] not in body
    assert rows(body) == [] and "暂无下级机构" in body and "<caption>下级机构</caption>" in body, "no count of none"

    body = page(big, big.city, f"orgs?selected={big.deep[1]['id']}")
    drawn = tree_ids(body)
    at = drawn.index(big.sub["id"])
    assert drawn[3:at] == ids(big.children[:9]) and drawn[at + 1:at + 4] == ids(big.deep), drawn[:20]
    assert drawn[at + 4:at + 4 + 191] == ids(big.children[10:200]) + [big.health["id"]], "教研室's siblings go on after it"
    assert current(body) == [big.deep[1]["id"]]


def test_the_children_on_the_right_come_a_hundred_a_page(big: City) -> None:
    """共 251 个; 下一页 and 上一页 keep the selected org; the tree's 查看其余 opens the list after its
    200th; a row's form goes back to the page it was on."""
    children = ids(big.children)
    first = page(big, big.city, f"orgs?selected={big.dept['id']}")
    assert rows(first) == children[:100]
    assert "下级机构（共 251 个）" in first and "共 251 个下级机构" in first
    assert link(first, "children-previous") is None
    second = page(big, big.city, link(first, "children-next"))
    assert rows(second) == children[100:200] and current(second) == [big.dept["id"]]
    assert rows(page(big, big.city, link(second, "children-previous"))) == children[:100]
    last = page(big, big.city, link(second, "children-next"))
    assert rows(last) == children[200:] and link(last, "children-next") is None
    assert rows(page(big, big.city, link(last, "children-previous"))) == children[100:200]
    rest = html.unescape(re.search(r'<a href="/t/zhengzhou/([^"]+)">查看其余', tree(first)).group(1))
    assert rows(page(big, big.city, rest)) == children[200:]
    # 编辑信息 of a school on the second page: the answer is that page again.
    school = big.children[150]
    r = post(big, big.city, f"orgs/{school['id']}/admin", {"_back_after": big.children[99]["code"], "_back_before": "",
                                                           "name": "王老师", "phone": "", "email": ""})
    assert r.status == 303, r
    back = r.headers["location"].removeprefix(f"/t/{TENANT}/")
    assert back == f"orgs?selected={big.dept['id']}&after={big.children[99]['code']}", back
    assert rows(page(big, big.city, back)) == children[100:200]
    # An org without so many: no paging line.
    assert "children-pages" not in page(big, big.city, f"orgs?selected={big.sub['id']}")


def test_a_move_names_the_new_parent_by_its_code(big: City) -> None:
    """移到 takes the new parent's 单位编号 (full-width digits too) and no list of every org; refused,
    each with its reason and nothing changed: a code no org has, one outside the caller's subtree
    (of its own city or another: told as one no org has), one inside the moved org's own subtree,
    its parent already, none. The JSON API's move by id is as it was."""
    mover, _ = create_child(big.district_s, big.health["id"], "待迁医院", "unit")
    form = page(big, big.city, f"orgs?selected={mover['id']}")
    assert 'name="parent_code"' in form and 'name="parent_id"' not in form and "<option" not in form.split('id="add-org"')[0].split("移到")[1]

    def refused(s: Session, org: dict, code: str, message: str) -> None:
        with unchanged(big.d, TENANT):
            r = post(big, s, f"orgs/{org['id']}/move", {"parent_code": code})
            body = html.unescape(r.body.decode())
            assert r.status == 400 and message in body, (code, r.status, body[-1500:])
            if code.strip():
                assert re.search(r'<textarea class="kept-value"[^>]*>' + re.escape(code.strip()), body), "what was typed is shown for copying"

    ds = big.district_s
    nobody = "本单位及其下级机构中没有单位编号为 {} 的机构"
    refused(ds, mover, "4101049999", nobody.format("4101049999"))
    refused(ds, mover, big.other["code"], nobody.format(big.other["code"]))      # 惠济区: the same city, not the caller's
    refused(ds, mover, big.other_city_code, nobody.format(big.other_city_code))  # 开封市's 龙亭区
    refused(big.city, big.dept, big.sub["code"], "不能把机构移到它自己或它的下级之下")
    refused(big.city, big.dept, big.children[0]["code"], "不能把机构移到它自己或它的下级之下")
    refused(ds, mover, big.health["code"], "“待迁医院”已在“管城区卫健委”之下")
    refused(ds, mover, "", "请填写新上级机构的单位编号")
    refused(ds, mover, big.dept["code"] + "x", "单位编号只含数字")

    full_width = "".join(chr(ord(c) + 0xFEE0) for c in big.sub["code"])
    r = post(big, ds, f"orgs/{mover['id']}/move", {"parent_code": f" {full_width} "})
    assert r.status == 303 and r.headers["location"] == f"/t/{TENANT}/orgs?selected={mover['id']}", r
    assert expect(ds.get(f"orgs/{mover['id']}"), 200).json["parent_id"] == big.sub["id"]
    moved = page(big, ds, f"orgs?selected={mover['id']}")
    assert current(moved) == [mover["id"]]
    assert tree_ids(moved)[:3] == [big.district["id"], big.dept["id"]] + ids(big.children[:1]), "the path to it, from the caller's org"
    # The API's move, by id, as before; and the 教育局's list as it was for the other tests.
    back = expect(ds.patch(f"orgs/{mover['id']}", {"parent_id": big.health["id"]}), 200).json
    assert back["parent_id"] == big.health["id"] and back["code"] == mover["code"]


def test_an_org_outside_the_callers_subtree_is_not_shown(big: City) -> None:
    """Selecting an org the caller cannot see (another branch's, or none at all) shows the caller's
    own org with a 404 that says so and names nothing of the other; the API's answer is 404 too."""
    for missing in (big.other["id"], 987654):
        r = big.api.raw("GET", f"/t/{TENANT}/orgs?selected={missing}", headers={"Cookie": f"zc_session={big.district_s.cookie}"})
        body = r.body.decode()
        assert r.status == 404 and "没有这个单位，或它不在本单位之下" in body, (missing, r.status, body[-1500:])
        assert current(body) == [big.district["id"]] and big.other["name"] not in body and big.other["code"] not in body
    body = page(big, big.district_s, f"orgs?selected={big.district['id']}")
    assert "没有这个单位" not in body, "its own org is no error"
    assert tree_ids(body)[:3] == [big.district["id"], big.dept["id"], big.health["id"]]
    expect(big.district_s.get(f"orgs/{big.other['id']}/children"), 404)


def test_the_apis_children_come_a_page_at_a_time_when_asked(big: City) -> None:
    """`GET orgs/<id>/children?limit=N` answers one page in code order with `total` and the
    `after` of the next page (the last child's 单位编号), absent on the last; without `limit`
    every child, as it always has. A cursor that is no 单位编号 is 400; one past the end is an
    empty page, never the first again (a client following `next` would start over)."""
    dept = big.dept["id"]
    whole = expect(big.city.get(f"orgs/{dept}/children"), 200).json
    assert set(whole) == {"orgs"} and [o["id"] for o in whole["orgs"]] == ids(big.children)
    seen, after, pages = [], "", 0
    while True:
        body = expect(big.city.get(f"orgs/{dept}/children?limit=100&after={after}"), 200).json
        pages += 1
        assert body["total"] == len(big.children) and len(body["orgs"]) <= 100, body["total"]
        seen += body["orgs"]
        if "next" not in body or body["next"] is None:
            break
        assert body["next"] == body["orgs"][-1]["code"]
        after = body["next"]
    assert pages == 3 and [o["id"] for o in seen] == ids(big.children)
    assert seen[0]["admin"]["login"] == big.children[0]["code"], seen[0]["admin"]   # each row with its admin, as in the whole list
    past = expect(big.city.get(f"orgs/{dept}/children?limit=100&after=9999999999999"), 200).json
    assert past["orgs"] == [] and past["total"] == len(big.children) and past.get("next") is None
    expect(big.city.get(f"orgs/{dept}/children?limit=100&after=abc"), 400, field="after")
    expect(big.city.get(f"orgs/{dept}/children?limit=ten"), 400, field="limit")
    # A limit is brought within 1–500, as the other lists' are (Paging).
    assert len(expect(big.city.get(f"orgs/{dept}/children?limit=0"), 200).json["orgs"]) == 1
    assert len(expect(big.city.get(f"orgs/{dept}/children?limit=100000"), 200).json["orgs"]) == len(big.children)
    expect(big.district_s.get(f"orgs/{big.other['id']}/children?limit=10"), 404)


def test_home_names_the_first_children_waiting_for_review_and_counts_the_rest(big: City) -> None:
    """首页's 下级单位信息待审核 names the first ten children (in code order) whose 单位信息 waits
    for the admin's 审核 and counts the others (…等N个单位); reviewing one takes it off."""
    bureau, admin = create_child(big.district_s, big.district["id"], "管城区文旅局", "department")
    bureau_s = approve_unit(big.api, big.district_s, bureau["id"], admin["login"], admin["password"],
                            profile_for("管城区文旅局", bureau["id"], category="主管单位"))
    waiting = []
    for n in range(1, 13):
        unit, unit_admin = create_child(bureau_s, bureau["id"], f"文旅单位{n:02d}", "unit")
        submit_unit_info(big.api, unit["id"], unit_admin["login"], unit_admin["password"])
        waiting.append(unit)
    waiting.sort(key=lambda o: o["code"])

    def todo_line() -> str | None:
        found = re.search(r'<li><a href="[^"]*orgs\?selected=\d+">(下级单位信息待审核：[^<]*)</a></li>', page(big, bureau_s, "home"))
        return found.group(1) if found else None

    assert todo_line() == "下级单位信息待审核：" + "、".join(o["name"] for o in waiting[:10]) + "等12个单位", todo_line()
    for unit in waiting[:2]:
        expect(bureau_s.post(f"orgs/{unit['id']}/profile/review", {"decision": "approve", "reason": ""}), 200)
    assert todo_line() == "下级单位信息待审核：" + "、".join(o["name"] for o in waiting[2:12]), todo_line()
