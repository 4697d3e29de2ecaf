"""The city office's lists over a whole city, as a scale audit found them unbounded or slow:
申报计划上传's 各单位申报计划 (the current 年度 by default, 100 a page, places taken counted
for the page at once) and `GET plans` (`limit`/`after`), and 申报人员状态查询 with the units
below (a whole city's tree is read from the newest application, not sorted whole).
(The 首页's counts of a province's desk: test_api_committee.py.)

Reuses the module-scoped world of test_api_review.py (郑州市 → 管城区教育局 → 逸夫小学, its
approved plan of 2026); importing its `env` fixture gives this module a daemon of its own. The
volume (hundreds of units, plans and applications) is copied into the tenant database beside the
daemon (`clone_rows`), as the API would take minutes to build it.
"""

from __future__ import annotations

import html
import re
import sqlite3
from datetime import datetime, timedelta, timezone

from urllib.parse import quote

from api_support import clone_rows, db_rows, expect, unchanged
from test_api_review import (  # noqa: F401 - `env` is a fixture used by name
    PDF,
    SERIES,
    TENANT,
    Env,
    env,
    filled_application,
    new_applicant,
)

UNITS = 230


def china_year() -> int:
    return datetime.now(timezone(timedelta(hours=8))).year


def school_plan(env: Env, year: int) -> int:
    return [p["id"] for p in expect(env.school.get(f"orgs/{env.school_id}/plans"), 200).json["plans"] if p["year"] == year][0]


def many_units(env: Env, year: int) -> list[int]:
    """`UNITS` more units under 管城区教育局 (copies of 逸夫小学), each with an approved plan of
    `year` (a copy of the school's), and the first 20 also with one of the year before."""
    db = env.daemon.tenant_db(TENANT)
    existing = db_rows(db, "SELECT id FROM orgs WHERE name LIKE '规模单位%'")
    if existing:
        return [r[0] for r in existing]
    units = clone_rows(db, "orgs", env.school_id, UNITS, code="code || '-' || printf('%03d', :n)", name="'规模单位' || printf('%03d', :n)")
    plan = school_plan(env, 2026)
    con = sqlite3.connect(db, timeout=10)
    try:
        with con:
            for n, unit in enumerate(units):
                for y in ([year, year - 1] if n < 20 else [year]):
                    con.execute("INSERT INTO plans (org_id, year, state, items, document_id, reject_reason, created_at, updated_at) "
                                "SELECT ?, ?, state, items, document_id, NULL, created_at, updated_at FROM plans WHERE id = ?", (unit, y, plan))
    finally:
        con.close()
    return units


def test_the_city_lists_every_units_plans_of_the_year_a_page_at_a_time(env: Env) -> None:
    year = china_year()
    assert year == 2026, "the world's approved plan is of 2026"
    # One application of the school takes a place on its plan: the page counts it.
    applicant = new_applicant(env)
    app = filled_application(applicant, year=year)
    expect(applicant.post(f"applications/{app['id']}/submit"), 200)
    many_units(env, year)
    db = env.daemon.tenant_db(TENANT)
    seen = "p.state IN ('submitted', 'approved', 'rejected')"
    of_year = [r[0] for r in db_rows(db, f"SELECT p.id FROM plans p JOIN orgs o ON o.id = p.org_id WHERE {seen} AND p.year = ? ORDER BY o.code, p.id", year)]
    every = [r[0] for r in db_rows(db, f"SELECT p.id FROM plans p JOIN orgs o ON o.id = p.org_id WHERE {seen} ORDER BY p.year DESC, o.code, p.id")]
    assert len(of_year) == UNITS + 1 and len(every) > len(of_year), (len(of_year), len(every))
    school = school_plan(env, year)

    # The API keeps its contract: every plan without `limit` ...
    assert [p["id"] for p in expect(env.city.get("plans"), 200).json["plans"]] == every
    # ... and pages with `limit` and `after` (the last id of the page before).
    walked, after, pages = [], "", 0
    while True:
        page = expect(env.city.get(f"plans?year={year}&limit=100{after}"), 200).json
        walked += page["plans"]
        pages += 1
        if page.get("next") is None:
            break
        # `next`: where the next page starts (opaque; here the last plan's id, which says where it is).
        assert page["next"] == str(page["plans"][-1]["id"]) and len(page["plans"]) == 100, page.get("next")
        after = f"&after={page['next']}"
    assert [p["id"] for p in walked] == of_year and pages == 3
    # The places taken, counted for the page as for the plan alone.
    mine = [p for p in walked if p["id"] == school]
    assert [(i["level"], i["count"], i["used"]) for i in mine[0]["items"]] == [
        (i["level"], i["count"], i["used"]) for i in expect(env.school.get(f"plans/{school}"), 200).json["items"]]
    assert any(i["used"] >= 1 for i in mine[0]["items"]), mine
    walked, after = [], ""
    for _ in range(10):
        page = expect(env.city.get(f"plans?limit=150{after}"), 200).json
        walked += [p["id"] for p in page["plans"]]
        if page.get("next") is None:
            break
        after = f"&after={page['next']}"
    assert walked == every
    expect(env.city.get("plans?limit=2&after=99999999"), 400, field="after")
    expect(env.city.get("plans?limit=abc"), 400, field="limit")
    expect(env.city.get("plans?after=x"), 400, field="after")

    # The screen: this year's, 100 a page, 下一页 keeping the year, 第一页 back.
    cookie = {"Cookie": f"zc_session={env.city.cookie}"}

    def screen(query: str) -> tuple[list[int], str | None, str]:
        r = env.api.raw("GET", f"/t/{TENANT}/plans{query}", headers=cookie)
        assert r.status == 200, (query, r.status)
        page = r.body.decode()
        units = page.split('id="unit-plans"')[1]
        nxt = re.search(r'id="unit-plans-next" href="([^"]+)"', units)
        return [int(x) for x in re.findall(r'data-plan="(\d+)"', units)], html.unescape(nxt.group(1)) if nxt else None, page

    shown, nxt, page = screen("")
    assert shown == of_year[:100] and 'id="unit-plans-first"' not in page and f'id="unit-plans-year" value="{year}"' in page, page[-3000:]
    # The school's code is its copies' prefix: first, with the place its application takes.
    assert shown[0] == school and "已提交 1" in re.search(rf'<tr data-plan="{school}">(.*?)</tr>', page.split('id="unit-plans"')[1], re.S).group(1)
    walked = shown
    while nxt is not None:
        assert f"year={year}" in nxt, nxt
        shown, nxt, page = screen(nxt[nxt.index("?"):])
        assert 'id="unit-plans-first"' in page
        walked += shown
    assert walked == of_year
    # The year cleared: every year, still a page at a time.
    shown, nxt, page = screen("?year=")
    assert shown == every[:100] and nxt is not None and "year=&" in nxt and 'id="unit-plans-year" value=""' in page, nxt
    assert screen(f"?year={year - 1}")[0] == [p for p in every if p not in of_year][:100]
    assert env.api.raw("GET", f"/t/{TENANT}/plans?after=abc", headers=cookie).status == 400


def test_the_status_of_a_whole_city_comes_a_page_at_a_time_newest_first(env: Env) -> None:
    """With the units below, the city office's 申报人员状态查询 reads a whole tree of hundreds of
    units by walking the applications from the newest (as its 操作日志 does); a unit alone still
    from the index by org. Both list the same rows as before, newest first."""
    year = china_year()
    applicant = new_applicant(env)
    app = filled_application(applicant, year=year, level="副高级", title="高级教师")
    expect(applicant.post(f"applications/{app['id']}/submit"), 200)
    units = many_units(env, year)
    db = env.daemon.tenant_db(TENANT)
    # 300 more submitted applications, of the copied units, and 5 drafts that are not listed.
    copies = clone_rows(db, "applications", app["id"], 300, bind={"first": units[0], "count": len(units)}, org_id=":first + (:n % :count)")
    drafts = clone_rows(db, "applications", app["id"], 5, state="'draft'")
    listed = [r[0] for r in db_rows(db, "SELECT id FROM applications WHERE state != 'draft' ORDER BY id DESC")]
    assert set(copies) <= set(listed) and not set(drafts) & set(listed)

    walked, before = [], ""
    for _ in range(10):
        page = expect(env.city.get(f"orgs/1/applicant-status?below=true&limit=120{before}"), 200).json
        rows = page["rows"]
        # Every page says how many there are in all (counted by org, not walked).
        assert page["total"] == len(listed), (page["total"], len(listed))
        walked += [r["application_id"] for r in rows]
        if len(rows) < 120:
            break
        before = f"&before={rows[-1]['application_id']}"
    assert walked == listed
    # A state, a series and a level on the walked path, with their total.
    in_review = [r[0] for r in db_rows(db, "SELECT id FROM applications WHERE state = 'in_review' AND level = '副高级' ORDER BY id DESC")]
    page = expect(env.city.get(f"orgs/1/applicant-status?below=true&state=in_review&series={quote(SERIES)}&level={quote('副高级')}&limit=50"), 200).json
    assert [r["application_id"] for r in page["rows"]] == in_review[:50] and page["total"] == len(in_review) > 300, page["total"]
    returned = [r[0] for r in db_rows(db, "SELECT id FROM applications WHERE state = 'returned' ORDER BY id DESC")]
    page = expect(env.city.get("orgs/1/applicant-status?below=true&state=returned&limit=50"), 200).json
    assert ([r["application_id"] for r in page["rows"]], page["total"]) == (returned[:50], len(returned))
    # A year, and an applicant, on the walked path too.
    of_year = [r[0] for r in db_rows(db, "SELECT id FROM applications WHERE state != 'draft' AND year = ? ORDER BY id DESC", year)]
    assert [r["application_id"] for r in expect(env.city.get(f"orgs/1/applicant-status?below=true&year={year}&limit=500"), 200).json["rows"]] == of_year[:500]
    # The picker: the orgs of the tree with what their applicants submitted, by code (a whole
    # city counted in one pass grouped by org; a unit alone org by org).
    counted = db_rows(db, """
        SELECT o.id, o.code, count(*) FROM applications a JOIN orgs o ON o.id = a.org_id
        WHERE a.state != 'draft' AND o.deleted_at IS NULL GROUP BY o.id ORDER BY o.code""")
    assert [(o["id"], o["code"], o["applications"]) for o in expect(env.city.get("applicant-status/orgs"), 200).json["orgs"]] == [tuple(r) for r in counted]
    assert [(o["id"], o["applications"]) for o in expect(env.school.get("applicant-status/orgs"), 200).json["orgs"]] == [
        (r[0], r[2]) for r in counted if r[0] == env.school_id]
    # The department: its units (the school and the copies under it, most of the city: walked too).
    dept = [r[0] for r in db_rows(db, """
        WITH RECURSIVE down(id) AS (SELECT ? UNION ALL SELECT o.id FROM orgs o JOIN down ON o.parent_id = down.id)
        SELECT id FROM applications WHERE state != 'draft' AND org_id IN (SELECT id FROM down) ORDER BY id DESC LIMIT 50""", env.dept_id)]
    assert [r["application_id"] for r in expect(env.dept.get(f"orgs/{env.dept_id}/applicant-status?below=true&limit=50"), 200).json["rows"]] == dept
    school = [r[0] for r in db_rows(db, "SELECT id FROM applications WHERE state != 'draft' AND org_id = ? ORDER BY id DESC LIMIT 20", env.school_id)]
    assert [r["application_id"] for r in expect(env.school.get(f"orgs/{env.school_id}/applicant-status?below=true&limit=20"), 200).json["rows"]] == school


def test_places_taken_are_counted_once_over_more_plans_than_one_query_reads(env: Env) -> None:
    """Places taken are counted 400 plans to a query, each over the units and years of its plans:
    a unit and a year met again in the next chunk were added again, so a listing of more than 400
    plans showed some with twice their places taken (found by a review)."""
    year = china_year()
    units = many_units(env, year)
    db = env.daemon.tenant_db(TENANT)
    plan = school_plan(env, 2026)
    con = sqlite3.connect(db, timeout=10)
    try:
        with con:
            # A plan of the year before for every unit: the listing runs past 400, a year's
            # units being split between its two chunks.
            for unit in units:
                con.execute("INSERT OR IGNORE INTO plans (org_id, year, state, items, document_id, reject_reason, created_at, updated_at) "
                            "SELECT ?, ?, 'approved', items, document_id, NULL, created_at, updated_at FROM plans WHERE id = ?", (unit, year - 1, plan))
    finally:
        con.close()
    listing = expect(env.city.get("plans"), 200).json["plans"]
    assert len(listing) > 400, len(listing)
    last = listing[-1]   # in the second chunk, of the year before, as is its unit's plan of the year in the first
    assert last["year"] == year - 1 and any(p["org_id"] == last["org_id"] and p["year"] == year for p in listing[:400]), last
    # One application of that unit and year, in review: one place taken on its line.
    (school_app,) = db_rows(db, "SELECT id FROM applications WHERE org_id = ? AND kind = 'title' AND state = 'in_review' LIMIT 1", env.school_id)[0]
    clone_rows(db, "applications", school_app, 1, org_id=str(last["org_id"]), year=str(year - 1))
    alone = expect(env.city.get(f"plans/{last['id']}"), 200).json
    assert sorted(i["used"] for i in alone["items"]) [-1] == 1, alone["items"]
    listed = next(p for p in expect(env.city.get("plans"), 200).json["plans"] if p["id"] == last["id"])
    assert [(i["level"], i["used"]) for i in listed["items"]] == [(i["level"], i["used"]) for i in alone["items"]], (listed["items"], alone["items"])


def test_the_plans_waiting_are_paged_by_when_they_were_submitted_which_a_review_leaves(env: Env) -> None:
    """The office reviews the waiting plans a page at a time: the next page starts where the page
    before ended, also once the plans on it were reviewed (their review set `updated_at`, by which
    the list ran, to now, and the next page came back empty). A plan sent back and submitted again
    waits at the end."""
    year = china_year()
    units = many_units(env, year)
    db = env.daemon.tenant_db(TENANT)
    waiting_units = units[100:106]
    con = sqlite3.connect(db, timeout=10)
    try:
        with con:
            for n, unit in enumerate(waiting_units):
                con.execute("UPDATE plans SET state = 'submitted', submitted_at = ?, updated_at = ? WHERE org_id = ? AND year = ?",
                            (1_700_000_000 + n, 1_700_000_000 + n, unit, year))
    finally:
        con.close()
    order = [r[0] for r in db_rows(db, "SELECT id FROM plans WHERE state = 'submitted' ORDER BY submitted_at, id")]
    assert len(order) >= len(waiting_units), order
    first = expect(env.city.get("plans?state=submitted&limit=2"), 200).json
    assert [p["id"] for p in first["plans"]] == order[:2] and first["next"] == f"1700000001.0_{order[1]}", first
    for p in first["plans"]:
        expect(env.city.post(f"plans/{p['id']}/review", {"decision": "approve"}), 200)
    second = expect(env.city.get(f"plans?state=submitted&limit=2&after={first['next']}"), 200).json
    assert [p["id"] for p in second["plans"]] == order[2:4], (second, order)
    # The review left when each was submitted.
    assert db_rows(db, f"SELECT submitted_at FROM plans WHERE id IN ({first['plans'][0]['id']}, {first['plans'][1]['id']}) ORDER BY submitted_at") == [
        (1_700_000_000.0,), (1_700_000_001.0,)]


def waiting_order(db: str) -> list[int]:
    """The plans waiting for the city office's 审核, in the order it reviews them."""
    return [r[0] for r in db_rows(db, "SELECT id FROM plans WHERE state = 'submitted' ORDER BY submitted_at, id")]


def set_waiting(db: str, plans: list[tuple[int, float]]) -> None:
    """Makes each plan (id, submitted_at) wait for the office's 审核, submitted at that time."""
    con = sqlite3.connect(db, timeout=10)
    try:
        with con:
            for plan, at in plans:
                con.execute("UPDATE plans SET state = 'submitted', submitted_at = ?, updated_at = ? WHERE id = ?", (at, at, plan))
    finally:
        con.close()


def test_a_plan_sent_back_and_submitted_again_between_two_pages_skips_none_still_waiting(env: Env) -> None:
    """The next page of the waiting plans starts where the page before ended as that page read it:
    `next` carries when its last plan was submitted, with its id. Read from that plan's row (as
    `after`, a bare id, was), a plan sent back and submitted again between the two page reads had
    moved the next page to the end of the list, past every plan still waiting after it."""
    year = china_year()
    units = many_units(env, year)
    db = env.daemon.tenant_db(TENANT)
    # The school's plan of a later year, which it may submit again once the city sends it back.
    plan = expect(env.school.post(f"orgs/{env.school_id}/plans", {"year": year + 1, "items": [{"series": SERIES, "level": "中级", "count": 2}]}), 201).json["id"]
    expect(env.school.upload(f"plans/{plan}/document", PDF, content_type="application/pdf"), 200)
    expect(env.school.post(f"plans/{plan}/submit"), 200)
    # Waiting before any other: a copied unit's plan, the school's, then four more copies.
    copies = [r[0] for r in db_rows(db, f"SELECT id FROM plans WHERE year = ? AND org_id IN ({','.join(map(str, units[110:115]))}) ORDER BY id", year)]
    set_waiting(db, [(copies[0], 1_600_000_000), (plan, 1_600_000_001)] + [(c, 1_600_000_002 + n) for n, c in enumerate(copies[1:])])
    order = waiting_order(db)
    assert order[:6] == [copies[0], plan] + copies[1:], order[:6]

    first = expect(env.city.get("plans?state=submitted&limit=2"), 200).json
    assert [p["id"] for p in first["plans"]] == order[:2] and first["next"] == f"1600000001.0_{plan}", first
    # Between the two page reads the office sends the school's plan back and the school submits it again.
    expect(env.city.post(f"plans/{plan}/review", {"decision": "reject", "reason": "请补充说明"}), 200)
    expect(env.school.post(f"plans/{plan}/submit"), 200)
    now = waiting_order(db)
    assert now[-1] == plan and now[:-1] == [p for p in order if p != plan], "submitted again, it waits at the end"

    second = expect(env.city.get(f"plans?state=submitted&limit=2&after={quote(first['next'])}"), 200).json
    assert [p["id"] for p in second["plans"]] == order[2:4], (second, order[:6])
    # Walked on to the end: every plan still waiting once, the school's again where it waits now.
    walked, after = [p["id"] for p in second["plans"]], second["next"]
    for _ in range(len(now)):
        page = expect(env.city.get(f"plans?state=submitted&limit=2&after={quote(after)}"), 200).json
        walked += [p["id"] for p in page["plans"]]
        after = page.get("next")
        if after is None:
            break
        assert len(page["plans"]) == 2 and after.endswith(f"_{page['plans'][-1]['id']}"), page
    assert walked == now[1:], (walked, now)
    # A bare id, as earlier versions answered `next`, is still taken: read from the plan's row.
    assert [p["id"] for p in expect(env.city.get(f"plans?state=submitted&limit=2&after={copies[0]}"), 200).json["plans"]] == order[2:4]
    # Other lists page by id as before; a position of the waiting list names its plan there too.
    assert [p["id"] for p in expect(env.city.get(f"plans?limit=3&after={quote(first['next'])}"), 200).json["plans"]] == [
        p["id"] for p in expect(env.city.get(f"plans?limit=3&after={plan}"), 200).json["plans"]]

    # Bad values: 400 naming the parameter, nothing changed.
    with unchanged(env.daemon, TENANT):
        for bad in ("abc", "0", "-3", "1.5", "1.5_x", "x_3", "nan_3", "inf_3", "_3", "3_", "1_2_3", f"1600000001.0_0", "99999999"):
            expect(env.city.get(f"plans?state=submitted&limit=2&after={quote(bad)}"), 400, field="after", contains="after 应为上一页的 next")
        expect(env.city.get("plans?limit=2&after=1600000001.0_99999999"), 400, field="after")
        for bad in ("abc", "1.5", "2x"):
            expect(env.city.get(f"plans?state=submitted&limit={bad}"), 400, field="limit", contains="查询参数 limit 应为整数")
    # Sizes beyond 1–500 are brought within them.
    assert len(expect(env.city.get("plans?state=submitted&limit=0"), 200).json["plans"]) == 1


def test_the_office_reviews_the_waiting_plans_on_its_screen_a_page_at_a_time(env: Env) -> None:
    """申报计划上传's 待审核的申报计划 comes 100 a page in the order the plans were submitted, with
    how many wait, 下一页 and 第一页 (keeping 各单位申报计划's year and page, as its links keep this
    list's page); a 审核 made on a page comes back to that page, the plan reviewed gone from it.
    首页 counts what waits."""
    year = china_year()
    units = many_units(env, year)
    db = env.daemon.tenant_db(TENANT)
    copies = [r[0] for r in db_rows(db, f"SELECT id FROM plans WHERE year = ? AND org_id IN ({','.join(map(str, units[120:230]))}) ORDER BY id", year)]
    set_waiting(db, [(c, 1_650_000_000 + n) for n, c in enumerate(copies)])
    order = waiting_order(db)
    assert len(order) > 110, len(order)
    cookie = {"Cookie": f"zc_session={env.city.cookie}"}

    def screen(query: str) -> tuple[list[int], str | None, str]:
        r = env.api.raw("GET", f"/t/{TENANT}/plans{query}", headers=cookie)
        assert r.status == 200, (query, r.status, r.body[-2000:])
        page = r.body.decode()
        pending = page.split('id="pending-plans"')[1].split("</fieldset>")[0]
        nxt = re.search(r'id="pending-plans-next" href="([^"]+)"', pending)
        return [int(x) for x in re.findall(r'data-plan="(\d+)"', pending)], html.unescape(nxt.group(1)) if nxt else None, page

    shown, nxt, page = screen("")
    assert shown == order[:100] and nxt is not None and 'id="pending-plans-first"' not in page, nxt
    assert f"共 {len(order)} 份待审核" in page
    home = env.api.raw("GET", f"/t/{TENANT}/home", headers=cookie).body.decode()
    assert f"待审核的申报计划：{len(order)} 份" in home
    # 下一页 keeps the year of 各单位申报计划; that list's own 下一页 keeps this page.
    assert f"year={year}" in nxt and "pending_after=" in nxt, nxt
    shown, nxt2, page = screen(nxt[nxt.index("?"):])
    assert shown == order[100:200] and 'id="pending-plans-first"' in page, (shown[:3], order[100:103])
    pending_after = re.search(r"pending_after=([^&]+)", nxt).group(1)
    units_next = html.unescape(re.search(r'id="unit-plans-next" href="([^"]+)"', page).group(1))
    assert f"pending_after={pending_after}" in units_next and f"year={year}" in units_next, units_next
    assert screen(units_next[units_next.index("?"):])[0] == order[100:200], "the units' next page keeps this one"

    # 审核通过 on the second page: back to that page, the plan reviewed no longer on it.
    target = shown[1]
    row = re.search(rf'<tr data-plan="{target}">(.*?)</tr>', page.split('id="pending-plans"')[1], re.S).group(1)
    back = dict(re.findall(r'<input type="hidden" name="(_back_[a-z]+)" value="([^"]*)">', row))
    assert back == {"_back_year": str(year), "_back_after": "", "_back_pending": pending_after}, back
    form = "&".join([f"_csrf={quote(env.city.csrf)}", "decision=approve"] + [f"{k}={quote(v)}" for k, v in back.items()])
    r = env.api.raw("POST", f"/t/{TENANT}/plans/{target}/review", body=form.encode(),
                    headers={**cookie, "Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 303 and r.headers["location"] == f"/t/{TENANT}/plans?year={year}&pending_after={pending_after}", (r.status, r.headers)
    assert expect(env.city.get(f"plans/{target}"), 200).json["state"] == "approved"
    rest = [p for p in order if p != target]
    shown, _, page = screen(r.headers["location"][r.headers["location"].index("?"):])
    assert shown == rest[100:200] and f"共 {len(rest)} 份待审核" in page

    # A cursor that is no position: 400, nothing changed.
    with unchanged(env.daemon, TENANT):
        for bad in ("abc", "1.5_x", "0"):
            assert env.api.raw("GET", f"/t/{TENANT}/plans?pending_after={quote(bad)}", headers=cookie).status == 400, bad
