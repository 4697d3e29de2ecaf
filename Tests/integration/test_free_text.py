"""Free text through the real daemon (`FreeText`, one rule for every field people type for others to
read): a NUL, another control character, a bidi override, a character stacked under thousands of
combining marks, or (in a one-line field) a line break is refused with 400 naming the field, and
changes nothing; text of nothing visible does not fill a required field; the same text with its
line breaks is taken. A section's field names are checked as its values are. The pages say what is
wrong in the screens' words, and no message shows a control character raw."""

from __future__ import annotations

import re
from types import SimpleNamespace
from urllib.parse import quote

import pytest

from api_support import (REVIEW_SERIES, Api, add_reviewer, approved_plan, expect, fresh_id_number, interview_held, interview_time, module_daemon,
                         store_section_as_before, unchanged)
from api_support import REQUIRED_SECTIONS
from conftest import create_tenant

TENANT = "zhengzhou"
SECTIONS = REQUIRED_SECTIONS
# 公示 lasts long enough for an objection to be lodged and resolved.
CONFIG = '[log]\nlevel = "info"\n[limits]\npublicity_working_days = 5\n'
STACKED = "a" + "\u0301" * 5000          # one character: a letter under 5,000 combining marks
INVISIBLE = "\u200b\u3164 \u2060"         # nothing anyone can see


@pytest.fixture(scope="module")
def env(request: pytest.FixtureRequest, zhichengd_bin: str, tmp_path_factory: pytest.TempPathFactory):
    with module_daemon(request, zhichengd_bin, tmp_path_factory.mktemp("free-text"), CONFIG) as d:
        info = create_tenant(d, TENANT, "4101", "郑州市")
        api = Api(d.http_port, TENANT)
        city = api.first_login(info["admin_login"], info["admin_password"])
        approved_plan(city, city, 1, [{"series": REVIEW_SERIES, "level": "中级", "count": 9}])
        handler, leader = add_reviewer(city, 1, "ft.h", ["handler"]), add_reviewer(city, 1, "ft.l", ["leader"])
        expect(city.post("committees", {"name": "郑州市中小学教师中级评委会", "series": [REVIEW_SERIES], "levels": ["中级"]}), 201)
        yield SimpleNamespace(d=d, api=api, city=city, handler=handler, leader=leader)


def draft(env, name: str):
    """An applicant of the city office and a draft 中级 application of theirs with every section filled in."""
    person = expect(env.city.post("orgs/1/applicants", {"id_number": fresh_id_number(), "name": name}), 201).json
    applicant = env.api.first_login(person["account"]["login"], person["password"])
    app = expect(applicant.post("applications", {"kind": "title", "year": 2026, "series": REVIEW_SERIES, "level": "中级", "title": "一级教师"}), 201).json
    for section in SECTIONS:
        expect(applicant.put(f"applications/{app['id']}/sections/{quote(section)}", {"内容": section}), 200)
    return applicant, app


def submitted(env, name: str):
    applicant, app = draft(env, name)
    expect(applicant.post(f"applications/{app['id']}/submit"), 200)
    return applicant, app


def decide(reviewer, app_id: int, decision: str, comment: str):
    version = expect(reviewer.get(f"applications/{app_id}"), 200).json["version"]
    return reviewer.post(f"applications/{app_id}/decision", {"decision": decision, "comment": comment, "version": version})


def refused(resp, field: str, says: str) -> None:
    """400 naming `field`, saying `says`, with no control or bidi character in the message."""
    err = expect(resp, 400, field=field, contains=says).error()
    assert not re.search("[\u0000-\u0008\u000b-\u001f\u007f\u202a-\u202e\u2066-\u2069]", err["message"]), err


def ui_post(env, session, path: str, body: str):
    return env.api.raw("POST", f"/t/{TENANT}/{path}", body=f"_csrf={quote(session.csrf)}&{body}".encode(),
                       headers={"Cookie": f"zc_session={session.cookie}", "Content-Type": "application/x-www-form-urlencoded"})


def flash_error(page) -> str:
    found = re.search(r'<div class="flash error" role="alert" id="flash-error">(.*?)</div>', page.body.decode(), re.S)
    assert found, (page.status, page.body.decode()[-1500:])
    return found.group(1)


def test_a_sections_field_names_and_values_are_free_text_too(env) -> None:
    """`PUT …/sections/<section>` documents free field names (`从业年限`, `专业` …): a name that is
    empty, invisible, holds a NUL or runs to 5,000 characters is refused, as is a value with a
    control or bidi character; a value keeps its lines (LF) as typed."""
    applicant, app = draft(env, "周字段")
    path = f"applications/{app['id']}/sections/{quote('基本信息')}"
    with unchanged(env.d, TENANT):
        refused(applicant.put(path, {"": "x"}), "fields", "“基本信息”的字段名不能为空")
        refused(applicant.put(path, {INVISIBLE: "x"}), "fields", "“基本信息”的字段名不能为空")
        refused(applicant.put(path, {"\u0000": "x"}), "fields", "字段名不能含控制字符（U+0000）")
        refused(applicant.put(path, {"键" * 5000: "x"}), "fields", "字段名不能超过40个字符")
        refused(applicant.put(path, {"专\n业": "x"}), "fields", "字段名只能填写一行")
        refused(applicant.put(path, {"内容": "x", "内容 ": "y"}), "内容", "“内容”出现了两次")
        refused(applicant.put(path, {"内容": "同意\u0000推荐"}), "内容", "“基本信息”的“内容”不能含控制字符（U+0000）")
        refused(applicant.put(path, {"内容": "同意\u202e反向"}), "内容", "不能含文字方向控制符（U+202E）")
        refused(applicant.put(path, {"专业": STACKED}), "专业", "组合符号")
    shown = expect(applicant.put(path, {"内容": "第一段\r\n\t第二段", "专业": "小学数学"}), 200).json["sections"]["基本信息"]
    assert shown == {"内容": "第一段\n\t第二段", "专业": "小学数学"}, shown
    # The application page offers the named field again under its name.
    page = env.api.raw("GET", f"/t/{TENANT}/applications/{app['id']}", headers={"Cookie": f"zc_session={applicant.cookie}"}).body.decode()
    assert 'name="field:基本信息:专业"' in page


def test_a_section_over_its_size_gets_one_answer_whatever_makes_it_up(env) -> None:
    """A section holds 64 KiB: 66,000 letters, 22,000 Chinese characters (66,000 bytes), either of
    them sent with every character escaped (`\\u957f`, as many JSON encoders write them), or
    200,000 letters, are refused alike: 400 `invalid` naming the field, saying the limit in KB
    and in characters and how much it holds; nothing changes. Only a body beyond the transport
    cap (256 KiB: room for any section within its limit however escaped) is 413. A section of
    just under the limit, escaped, is taken; the page says what the API says."""
    import json
    applicant, app = draft(env, "周长文")
    path = f"applications/{app['id']}/sections/{quote('业绩成果')}"
    limit = "“业绩成果”内容过长：每部分最多 64 KB（约两万个汉字，或六万多个字母和数字），现有 "

    def put(fields: dict, ascii_only: bool = False):
        body = json.dumps(fields, ensure_ascii=ascii_only).encode()
        return env.api.raw("PUT", path, body, {"Authorization": f"Bearer {applicant.token}", "Content-Type": "application/json"})

    with unchanged(env.d, TENANT):
        for text, held in (("a" * 66_000, "64.5"), ("长" * 22_000, "64.5"), ("a" * 200_000, "195.4")):
            for ascii_only in (False, True):
                refused(put({"内容": text}, ascii_only), "内容", limit + held + " KB，请删减后再保存")
        # Spread over fields, none too long alone: the longest is named.
        refused(put({"内容": "长" * 15_000, "附记": "数" * 7_000}), "内容", limit + "64.5 KB")
        beyond = expect(put({"内容": "a" * 300_000}), 413).error()
        assert beyond["code"] == "too_large" and "256 KB" in beyond["message"], beyond
    # 21,843 Chinese characters and the field's name: 65,535 bytes, sent as 131 KB of escapes.
    full = "长" * 21_843
    assert expect(put({"内容": full}, ascii_only=True), 200).json["sections"]["业绩成果"]["内容"] == full
    # The application page, saving the same section too long, says the same.
    page = ui_post(env, applicant, f"applications/{app['id']}/sections", f"then=save&{quote('content:业绩成果')}={quote('长' * 22_000)}")
    assert limit + "64.5 KB" in flash_error(page), flash_error(page)
    assert expect(applicant.get(f"applications/{app['id']}"), 200).json["sections"]["业绩成果"]["内容"] == full


def test_text_stored_before_the_rule_does_not_keep_the_page_from_saving_other_sections(env) -> None:
    """A section holding an invisible character (stored by an earlier version, which took any
    text) that the page posts back as it showed it is neither saved nor checked: the section
    the applicant did change is saved. (Every posted section was checked first, and the page
    refused with “学历学位”的“内容”不能含不可见的格式字符 until they found what they cannot see.)"""
    import html
    from urllib.parse import urlencode
    applicant, app = draft(env, "周旧文")
    store_section_as_before(env.d, TENANT, app["id"], "学历学位", {"内容": "北京师范\u200b大学"})
    cookie = {"Cookie": f"zc_session={applicant.cookie}"}
    page = env.api.raw("GET", f"/t/{TENANT}/applications/{app['id']}", headers=cookie).body.decode()
    fields = [("_csrf", applicant.csrf), ("then", "save")]
    fields += [(m.group(1), html.unescape(m.group(2))) for m in re.finditer(r'<input type="hidden" name="(orig:[^"]+)" value="([^"]*)"', page)]
    for m in re.finditer(r'<textarea name="(content:[^"]+)"[^>]*>\n?(.*?)</textarea>', page, re.S):
        fields.append((m.group(1), "改过的基本信息" if m.group(1) == "content:基本信息" else html.unescape(m.group(2))))
    assert ("content:学历学位", "北京师范\u200b大学") in fields, [f for f in fields if f[0].startswith("content:")]
    r = env.api.raw("POST", f"/t/{TENANT}/applications/{app['id']}/sections", body=urlencode(fields).encode(),
                    headers={**cookie, "Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 303, (r.status, r.body.decode()[-1500:])
    sections = expect(applicant.get(f"applications/{app['id']}"), 200).json["sections"]
    assert sections["基本信息"]["内容"] == "改过的基本信息" and sections["学历学位"]["内容"] == "北京师范\u200b大学", sections


def test_a_reviewers_comment_is_checked_and_the_review_form_prints_it_whole(env) -> None:
    """The probe's 意见 "同意\\0推荐\\u202e反向\\a" is refused (it was stored and printed raw in the
    评审表, where an unclosed RLO could turn the 审查人 and date around); 未通过 is not satisfied
    by a NUL or by invisible text; the page says why, naming 意见; a comment of two lines is taken
    and printed isolated from the signature."""
    _, app = submitted(env, "周意见")
    with unchanged(env.d, TENANT):
        refused(decide(env.handler, app["id"], "pass", "同意\u0000推荐\u202e反向\u0007"), "comment", "意见不能含控制字符（U+0000）")
        refused(decide(env.handler, app["id"], "pass", "同意\u202e反向"), "comment", "意见不能含文字方向控制符（U+202E）")
        refused(decide(env.handler, app["id"], "reject", "\u0000"), "comment", "意见不能含控制字符（U+0000）")
        refused(decide(env.handler, app["id"], "reject", INVISIBLE), "comment", "未通过时请填写意见")
        refused(decide(env.handler, app["id"], "pass", "好" + STACKED), "comment", "组合符号")
        # The review page's form: the same rule, said on the page.
        version = expect(env.handler.get(f"applications/{app['id']}"), 200).json["version"]
        page = ui_post(env, env.handler, f"reviews/{app['id']}", f"decision=pass&version={version}&comment={quote('同意%s推荐' % chr(0))}")
        assert page.status == 400 and flash_error(page) == "意见不能含控制字符（U+0000）", flash_error(page)
    # Lines typed in the page's text area (CR LF) are kept, as LF.
    version = expect(env.handler.get(f"applications/{app['id']}"), 200).json["version"]
    page = ui_post(env, env.handler, f"reviews/{app['id']}", f"decision=pass&version={version}&comment={quote('同意。' + chr(13) + chr(10) + '推荐申报')}")
    assert page.status == 303, (page.status, page.body.decode()[-800:])
    expect(decide(env.leader, app["id"], "pass", "同意"), 200)
    comments = [t["comment"] for t in expect(env.city.get(f"applications/{app['id']}/trail"), 200).json["trail"] if t["decision"] == "pass"]
    assert comments == ["同意。\n推荐申报", "同意"], comments
    form = env.api.raw("GET", f"/t/{TENANT}/api/v1/applications/{app['id']}/review-form", headers={"Authorization": f"Bearer {env.city.token}"})
    assert form.status == 200, form
    text = form.body.decode()
    assert "通过。<bdi>同意。\n推荐申报</bdi><span class=\"signoff\">" in text, text[-3000:]
    assert not re.search("[\u0000\u0007\u202a-\u202e\u2066-\u2069]", text)


def test_the_committees_places_notes_objections_and_resolutions_are_checked(env) -> None:
    """面试地点 is one line (the probe's "会议室\\0A\\u202e" and a letter under 5,000 marks were
    taken), a result's 说明 is held to the rule (3,000 combining marks were taken), and so are an
    objection, its evidence and the office's reason for resolving it; each refusal changes nothing."""
    _, app = submitted(env, "周评审")
    for reviewer in (env.handler, env.leader):
        expect(decide(reviewer, app["id"], "pass", "同意"), 200)
    base = f"applications/{app['id']}"
    when = interview_time(10, 9)
    with unchanged(env.d, TENANT):
        refused(env.city.put(f"{base}/interview", {"time": when, "place": "会议室\u0000A\u202e"}), "place", "面试地点不能含控制字符（U+0000）")
        refused(env.city.put(f"{base}/interview", {"time": when, "place": "会议室\u202eA"}), "place", "面试地点不能含文字方向控制符")
        refused(env.city.put(f"{base}/interview", {"time": when, "place": STACKED}), "place", "面试地点中有字符叠加了过多的组合符号")
        refused(env.city.put(f"{base}/interview", {"time": when, "place": "会议室\nA"}), "place", "面试地点只能填写一行")
        refused(env.city.put(f"{base}/interview", {"time": when, "place": INVISIBLE}), "place", "请填写面试地点")
        # The desk's form: one notice for ticked applications, refused alike.
        page = ui_post(env, env.city, "committee/interviews", f"items={quote(base)}&time={quote(when)}&place={quote('会议室' + chr(0x202e) + 'A')}")
        assert page.status == 400 and flash_error(page).startswith("面试地点不能含文字方向控制符（U+202E）"), flash_error(page)
    expect(env.city.put(f"{base}/interview", {"time": when, "place": "郑州市人社局301"}), 200)
    with unchanged(env.d, TENANT):
        refused(env.city.post(f"{base}/result", {"result": "通过", "note": "备注" + "\u0301" * 3000}), "note", "说明中有字符叠加了过多的组合符号")
        refused(env.city.post(f"{base}/result", {"result": "通过", "note": "同意\u202e"  + "x"}), "note", "说明不能含文字方向控制符")
    interview_held(env.d, TENANT)
    ev = expect(env.city.post(f"{base}/result", {"result": "通过", "note": "同意\n材料齐全"}), 200).json
    assert ev["state"] == "publicity" and ev["note"] == "同意\n材料齐全", ev
    with unchanged(env.d, TENANT):
        refused(env.handler.post(f"{base}/objections", {"text": "论文\u202e抄袭"}), "text", "异议内容不能含文字方向控制符")
        refused(env.handler.post(f"{base}/objections", {"text": INVISIBLE}), "text", "请填写异议内容")
        refused(env.handler.post(f"{base}/objections", {"text": "论文抄袭", "evidence": "报告\u0000"}), "evidence", "证据说明不能含控制字符（U+0000）")
    objection = expect(env.handler.post(f"{base}/objections", {"text": "论文抄袭\n见附件", "evidence": "比对报告"}), 201).json["id"]
    with unchanged(env.d, TENANT):
        refused(env.city.post(f"objections/{objection}/resolve", {"decision": "dismissed", "reason": "\u0000"}), "reason", "处理理由不能含控制字符（U+0000）")
        refused(env.city.post(f"objections/{objection}/resolve", {"decision": "dismissed", "reason": INVISIBLE}), "reason", "请填写处理理由")
    expect(env.city.post(f"objections/{objection}/resolve", {"decision": "dismissed", "reason": "经核查\n不属实"}), 200)
    listed = expect(env.city.get(f"{base}/objections"), 200).json["objections"]
    assert [(o["text"], o["reason"]) for o in listed] == [("论文抄袭\n见附件", "经核查\n不属实")], listed
    form = env.api.raw("GET", f"/t/{TENANT}/api/v1/{base}/review-form", headers={"Authorization": f"Bearer {env.city.token}"}).body.decode()
    assert "。<bdi>同意\n材料齐全</bdi>" in form, form[-2000:]


def test_a_plans_reason_for_going_back_must_be_visible_text(env) -> None:
    """The probe's `{"decision":"reject","reason":"\\u0000"}` was taken, a NUL satisfying "reason
    required" (a zero-width space was refused); now neither is, and a reason of two lines is kept."""
    plan = expect(env.city.post("orgs/1/plans", {"year": 2027, "items": [{"series": REVIEW_SERIES, "level": "中级", "count": 2}]}), 201).json
    expect(env.city.upload(f"plans/{plan['id']}/document", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"), 200)
    expect(env.city.post(f"plans/{plan['id']}/submit"), 200)
    with unchanged(env.d, TENANT):
        refused(env.city.post(f"plans/{plan['id']}/review", {"decision": "reject", "reason": "\u0000"}), "reason", "原因不能含控制字符（U+0000）")
        refused(env.city.post(f"plans/{plan['id']}/review", {"decision": "reject", "reason": "\u200b"}), "reason", "退回时请填写原因")
        refused(env.city.post(f"plans/{plan['id']}/review", {"decision": "reject", "reason": "请补充\u202e附件"}), "reason", "原因不能含文字方向控制符")
        page = ui_post(env, env.city, f"plans/{plan['id']}/review", f"decision=reject&reason={quote(INVISIBLE)}")
        assert page.status == 400 and flash_error(page) == "退回时请填写原因", flash_error(page)
    rejected = expect(env.city.post(f"plans/{plan['id']}/review", {"decision": "reject", "reason": "请补充附件\n并重新提交"}), 200).json
    assert rejected["state"] == "rejected" and rejected["reject_reason"] == "请补充附件\n并重新提交", rejected


def test_the_pages_say_whats_wrong_in_the_screens_words(env) -> None:
    """A form sent with a choice its page does not offer (a stale page, a hand-made post) is told
    what to choose by the labels the page shows, where the API names its codes; a value echoed in
    a message shows its control characters by code point; a form field that is not UTF-8 is named
    as the page names it."""
    staff = expect(env.city.post("orgs/1/staff", {"login": "ft.words", "name": "王文字"}), 201).json["account"]
    with unchanged(env.d, TENANT):
        page = ui_post(env, env.city, "orgs/1/children", f"name={quote('新单位')}&kind=unitx")
        assert page.status == 400 and flash_error(page) == "请选择机构类别：职改办、主管单位、单位", flash_error(page)
        expect(env.city.post("orgs/1/children", {"name": "新单位", "kind": "unitx"}), 400, field="kind",
               contains="机构类别应为 office（职改办）、department（主管单位）或 unit（单位）")
        page = ui_post(env, env.city, "committee/new", f"name={quote('新评委会')}&series={quote(REVIEW_SERIES)}&levels={quote('正高级')}&rule=unanimous")
        assert page.status == 400 and flash_error(page).startswith("请选择表决规则：全国通行规则"), flash_error(page)
        assert "national" not in flash_error(page)
        expect(env.city.post("committees", {"name": "新评委会", "series": [REVIEW_SERIES], "levels": ["正高级"], "rule": "unanimous"}), 400,
               field="rule", contains="评审规则应为 national 或 majority")
        page = ui_post(env, env.city, f"staff/{staff['id']}/roles", "roles=a%00b")
        assert page.status == 400 and flash_error(page) == "请选择角色：经办人或负责人", flash_error(page)
        assert "\u0000" not in page.body.decode()
        refused(env.city.put(f"staff/{staff['id']}/roles", {"roles": ["a\u0000b\u202e"]}), "roles", "不是 a<U+0000>b<U+202E>")
        page = ui_post(env, env.city, "plans", "year=%FF&series=x&level=x&count=1")
        assert page.status == 400 and flash_error(page).startswith("表单不是 UTF-8 编码：“年度”的内容无法解码"), flash_error(page)
