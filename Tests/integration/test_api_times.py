"""Every time the JSON API answers is ISO 8601 in UTC (`2026-12-01T01:35:03Z`), through one
helper (`WireTime`): the city's trail a province reads (`city_trail[].at`), what it received
(`received_at`), a session's votes (`votes[].at`, `my_vote.at`) and every other `at` or `…_at`
of the answers walked here, of a province, a city, their reviewers, an expert and an applicant.
The web pages show the same moments in China time."""

from __future__ import annotations

import datetime
import re
from typing import Any, Iterator

import pytest

from api_support import expect
from expert_support import SERIES, Env, applicant, become_expert, expert_application, city_pass, expert_env, province_expert_app, senior_application, sign_in_expert

ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
LIST_POSITION = re.compile(r"\[\d+\]")


@pytest.fixture(scope="module")
def env(zhichengd_bin, tmp_path_factory):
    with expert_env(zhichengd_bin, tmp_path_factory.mktemp("api-times")) as e:
        yield e


def times(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every (path, value) of a key named `at` or ending in `_at`, anywhere in `value`."""
    if isinstance(value, dict):
        for key, inner in value.items():
            here = f"{path}.{key}" if path else key
            if key == "at" or key.endswith("_at"):
                yield here, inner
            yield from times(inner, here)
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from times(inner, f"{path}[{index}]")


def walk(answers: dict[str, Any]) -> set[str]:
    """Asserts every time in the answers (path → JSON) is ISO 8601 or null; returns the paths
    of the times seen, their list positions left out (`sessions/7: votes[].at`)."""
    seen, wrong = set(), []
    for where, answer in answers.items():
        for path, value in times(answer):
            seen.add(where + ": " + LIST_POSITION.sub("[]", path))
            if value is not None and not (isinstance(value, str) and ISO.fullmatch(value)):
                wrong.append(f"{where}: {path} = {value!r}")
    assert not wrong, "times not in ISO 8601:\n" + "\n".join(wrong)
    return seen


def get_all(session, paths: list[str]) -> dict[str, Any]:
    return {f"{session.account['login']} GET {p}": expect(session.get(p), 200).json for p in paths}


def china_minute(iso: str) -> str:
    """`2026-11-30T17:05:09Z` as a page writes it in China time: `2026-12-01 01:05`."""
    at = datetime.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    return (at + datetime.timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")


def test_every_time_the_api_answers_is_iso_8601(env: Env):
    # Three experts of 实验中学 (no conflict with an applicant of 逸夫小学), a title application
    # the province reviewed and its committee decided by a vote, one still under the
    # province's review, and an expert application under it.
    for i in range(3):
        become_expert(env, "实验中学", f"时间专家{i}")
    committee = expect(env.prov.post("committees", {"name": "河南省中小学教师高级评委会（时间）", "series": [SERIES], "levels": ["副高级", "正高级"]}),
                       201).json
    person, app, received = senior_application(env, "逸夫小学", "时申报")
    waiting_person, waiting_app, waiting = senior_application(env, "回民中学", "时待审", province_review=False)
    expert_person = applicant(env, "逸夫小学", "时推荐")
    expert_app = expert_application(expert_person)
    city_pass(env, expert_app["id"], ["逸夫小学", "管城区教育局"])
    papp = province_expert_app(env, "时推荐")

    body = {"name": "时间评审会", "series": SERIES, "panel_size": 3, "reserves": 0, "applications": [received["id"]]}
    session = expect(env.prov.post(f"committees/{committee['id']}/sessions", body), 201).json
    drawn = expect(env.prov.post(f"sessions/{session['id']}/draw", {"seed": "times"}), 200).json
    panel = [sign_in_expert(env, m["expert_id"]) for m in drawn["experts"]]
    for voter in panel:
        expect(voter.post(f"sessions/{session['id']}/votes", {"application": received["id"], "vote": "agree", "score": 90}), 200)
    expect(env.prov.post(f"sessions/{session['id']}/close"), 200)

    rid, sid = received["id"], session["id"]
    answers = get_all(env.prov, [
        "province/applications", f"province/applications/{rid}", f"province/applications/{waiting['id']}", f"province/applications/{rid}/evaluation",
        f"province/applications/{rid}/objections", "province/reviews", f"province/reviews/{rid}", f"province/reviews/{waiting['id']}",
        "expert-applications", f"expert-applications/{papp['id']}", "sessions", f"sessions/{sid}", f"sessions/{sid}/verify", "committees",
        "committee-worklist", "experts", "audit", "public-notices", "orgs/1", "orgs/1/children", "orgs/1/staff", "account"])
    answers |= get_all(env.prov_h, ["reviews/done", f"province/reviews/{waiting['id']}", f"expert-applications/{papp['id']}", "province/reviews?waiting=true"])
    answers |= get_all(env.prov_l, ["reviews/done"])
    answers |= get_all(panel[0], ["sessions", f"sessions/{sid}", "experts/me"])
    school_id, school = env.schools["逸夫小学"]
    answers |= get_all(env.city, [f"applications/{app['id']}", f"applications/{app['id']}/trail", "orgs/1/applicant-status?below=true", "plans",
                                  "audit", "moves", "public-notices", "committee-worklist", "applicant-status/orgs"])
    answers |= get_all(school, [f"orgs/{school_id}/applicants", f"orgs/{school_id}/plans", "audit", "moves", f"orgs/{school_id}/profile"])
    answers |= get_all(env.city_reviewers["郑州市"][0], ["reviews/queue", "reviews/done"])
    answers |= get_all(person, ["applications", f"applications/{app['id']}", f"applications/{app['id']}/trail", "objections/mine"])
    answers |= get_all(waiting_person, [f"applications/{waiting_app['id']}"])
    answers |= get_all(expert_person, [f"applications/{expert_app['id']}/trail"])
    seen = walk(answers)

    # The walk was not empty: the times that were once numbers were among those checked.
    prov = env.prov.account["login"]
    for expected in (f"{prov} GET province/applications: applications[].received_at",
                     f"{prov} GET province/applications/{rid}: received_at",
                     f"{prov} GET province/applications/{rid}: city_trail[].at",
                     f"{prov} GET province/reviews/{rid}: city_trail[].at",
                     f"{prov} GET expert-applications/{papp['id']}: city_trail[].at",
                     f"{prov} GET sessions/{sid}: votes[].at",
                     f"{panel[0].account['login']} GET sessions/{sid}: applications[].my_vote.at",
                     f"{prov} GET audit: entries[].at"):
        assert expected in seen, (expected, sorted(seen))
    # Every step the city decided carries its time; the submission, which names no org, too.
    whole = answers[f"{prov} GET province/applications/{rid}"]
    assert all(ISO.fullmatch(t["at"]) for t in whole["city_trail"]), whole["city_trail"]
    assert set(whole["city_trail"][0]) == {"org", "stage", "decision", "comment", "at"}, whole["city_trail"]
    votes = answers[f"{prov} GET sessions/{sid}"]["votes"]
    assert len(votes) == 3 and all(v["vote"] == "agree" and v["score"] == 90 for v in votes), votes

    # The province's page shows the city's steps at the same moments, in China time.
    html = env.prov_api.raw("GET", f"/t/province/province-reviews/{rid}", headers={"Cookie": f"zc_session={env.prov.cookie}"}).body.decode()
    shown = re.findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td>", html[html.find('id="city-trail"'):html.find('id="province-trail"')])
    steps = [t for t in whole["city_trail"] if t["org"]]
    assert [(at, org) for at, org in shown] == [(china_minute(t["at"]), t["org"]) for t in steps], (shown, steps)
