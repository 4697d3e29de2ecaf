"""The standard fields of 基本信息 and 学历学位 (性别, 出生年月 …, 最高学历 …) through the real
daemon: `PUT applications/<id>/sections/<section>` keeps each as its kind keeps it (a month as
YYYY-MM, an empty one left out) and refuses a value its kind does not take with 400 naming the
field, changing nothing; other fields stay free. The application page gives each its control,
saves it by the same rule (a refused save keeps what was typed and marks the control), and a
page saved as it shows a section changes nothing, also when a value was stored before the rule.
The reading screens and the 评审表 show them to those who may read their section."""

from __future__ import annotations

import datetime
import re
from html.parser import HTMLParser
from types import SimpleNamespace
from urllib.parse import quote, urlencode

import pytest

from api_support import REVIEW_SECTIONS, REVIEW_SERIES, Api, add_reviewer, approved_plan, expect, module_daemon, store_section_as_before, unchanged
from conftest import create_tenant
from test_free_text import draft  # an applicant of the city office and a draft 中级 application, every section's 内容 filled in

TENANT = "zhengzhou"
BASIC = {"性别": "男", "出生年月": "1985年6月", "参加工作时间": "2008.7", "现任职务": " 教研组长 ", "现专业技术职称": "一级教师",
         "取得时间": "2018/12", "从事专业": "小学数学", "内容": "汉族，中共党员", "籍贯": "河南郑州"}
BASIC_KEPT = {"性别": "男", "出生年月": "1985-06", "参加工作时间": "2008-07", "现任职务": "教研组长", "现专业技术职称": "一级教师",
              "取得时间": "2018-12", "从事专业": "小学数学", "内容": "汉族，中共党员", "籍贯": "河南郑州"}
EDUCATION = {"最高学历": "大学本科", "最高学位": "学士", "毕业院校": "河南大学", "所学专业": "数学与应用数学", "毕业时间": "2008-06",
             "内容": "2004.09—2008.06 河南大学 数学与应用数学 本科 学士"}


@pytest.fixture(scope="module")
def env(request: pytest.FixtureRequest, zhichengd_bin: str, tmp_path_factory: pytest.TempPathFactory):
    with module_daemon(request, zhichengd_bin, tmp_path_factory.mktemp("standard-fields")) as d:
        info = create_tenant(d, TENANT, "4101", "郑州市")
        api = Api(d.http_port, TENANT)
        city = api.first_login(info["admin_login"], info["admin_password"])
        approved_plan(city, city, 1, [{"series": REVIEW_SERIES, "level": "中级", "count": 9}])
        handler = add_reviewer(city, 1, "sf.h", ["handler"])
        # A 经办人 who may not read 基本信息 or 学历学位.
        blind = add_reviewer(city, 1, "sf.b", ["handler"], sections=[s for s in REVIEW_SECTIONS if s not in ("基本信息", "学历学位")])
        # One who may read 基本信息 but not 学历学位.
        half = add_reviewer(city, 1, "sf.half", ["handler"], sections=[s for s in REVIEW_SECTIONS if s != "学历学位"])
        yield SimpleNamespace(d=d, api=api, city=city, handler=handler, blind=blind, half=half)


def section_path(app: dict, section: str) -> str:
    return f"applications/{app['id']}/sections/{quote(section)}"


def sections(applicant, app: dict) -> dict:
    return expect(applicant.get(f"applications/{app['id']}"), 200).json["sections"]


def version(applicant, app: dict) -> int:
    return expect(applicant.get(f"applications/{app['id']}"), 200).json["version"]


def page_of(env, session, path: str) -> str:
    return env.api.raw("GET", f"/t/{TENANT}/{path}", headers={"Cookie": f"zc_session={session.cookie}"}).body.decode()


def ui_post(env, session, path: str, fields: list[tuple[str, str]]):
    body = urlencode([("_csrf", session.csrf)] + [f for f in fields if f[0] != "_csrf"]).encode()
    return env.api.raw("POST", f"/t/{TENANT}/{path}", body=body,
                       headers={"Cookie": f"zc_session={session.cookie}", "Content-Type": "application/x-www-form-urlencoded"})


def flash_error(html: str) -> str:
    found = re.search(r'<div class="flash error" role="alert" id="flash-error">(.*?)</div>', html, re.S)
    assert found, html[-1500:]
    return found.group(1)


class FormControls(HTMLParser):
    """The controls of one form of a page as a browser would post it untouched: each input's
    value (not a file, nor a button), each list's chosen option (else its first), each box's
    text (the line break after `<textarea>` dropped, as a browser drops it). Also each control's
    tag and attributes by name, to look at."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.fields, self.controls = form_id, False, [], {}
        self._select: dict | None = None
        self._option: dict | None = None
        self._textarea: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside:
            return
        if tag == "input" and a.get("type") not in ("file", "submit", "button") and "name" in a:
            self.fields.append((a["name"], a.get("value", "")))
            self.controls[a["name"]] = ("input", a)
        elif tag == "select":
            self._select = {"name": a.get("name"), "options": [], "attrs": a}
        elif tag == "option" and self._select is not None:
            self._option = {"value": a.get("value"), "selected": "selected" in a, "text": ""}
            self._select["options"].append(self._option)
        elif tag == "textarea":
            self._textarea = {"name": a.get("name"), "text": "", "attrs": a}

    def handle_data(self, data):
        if self._option is not None:
            self._option["text"] += data
        if self._textarea is not None:
            self._textarea["text"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "option":
            self._option = None
        elif tag == "select" and self._select is not None:
            options = self._select["options"]
            chosen = next((o for o in options if o["selected"]), options[0] if options else None)
            value = "" if chosen is None else (chosen["value"] if chosen["value"] is not None else chosen["text"])
            self.fields.append((self._select["name"], value))
            self.controls[self._select["name"]] = ("select", self._select)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = self._textarea["text"]
            self.fields.append((self._textarea["name"], text[1:] if text.startswith("\n") else text))
            self.controls[self._textarea["name"]] = ("textarea", self._textarea["attrs"])
            self._textarea = None


# The 评审表's applicant table, row by row: each standard field's (name, cell id, value, as wide as the row).
FORM_ROW = re.compile(r"<tr>(.*?)</tr>", re.S)
FORM_CELL = re.compile(r'<th scope="row">([^<]+)</th><td id="f-([^"]+)"( colspan="3")?>([^<]*)</td>')


def standard_rows(printed: str) -> list[list[tuple[str, str, str, bool]]]:
    """The rows of standard fields of a 评审表 (the applicant's table, before the opinions), each
    a list of its fields: (name, cell id without `f-`, value, whether it spans the row)."""
    table = printed.split('id="opinions"')[0]
    rows = [FORM_CELL.findall(r) for r in FORM_ROW.findall(table)]
    return [[(name, cell, value, bool(wide)) for name, cell, wide, value in r] for r in rows if r and r[0][1].split("-")[0] in ("基本信息", "学历学位", "继续教育")]


def application_form(html: str) -> FormControls:
    parsed = FormControls("application-form")
    parsed.feed(html)
    assert parsed.fields, html[-2000:]
    return parsed


def test_standard_fields_are_kept_as_their_kind_keeps_them(env) -> None:
    """Months written 1985年6月, 2008.7, 2018/12 are kept as YYYY-MM, a text trimmed, a choice as
    it is; another field (籍贯) as before; a standard field sent empty is left out."""
    applicant, app = draft(env, "周标准")
    kept = expect(applicant.put(section_path(app, "基本信息"), BASIC), 200).json["sections"]["基本信息"]
    assert kept == BASIC_KEPT, kept
    kept = expect(applicant.put(section_path(app, "学历学位"), EDUCATION), 200).json["sections"]["学历学位"]
    assert kept == EDUCATION, kept
    assert sections(applicant, app)["基本信息"] == BASIC_KEPT
    emptied = expect(applicant.put(section_path(app, "基本信息"), {**BASIC, "性别": "", "出生年月": "  ", "现任职务": "\u200b"}), 200).json
    assert emptied["sections"]["基本信息"] == {k: v for k, v in BASIC_KEPT.items() if k not in ("性别", "出生年月", "现任职务")}, emptied
    # A standard field's name in a section without standard fields is any field there.
    free = expect(applicant.put(section_path(app, "工作经历"), {"内容": "任教", "性别": "男性", "出生年月": "八五年"}), 200).json
    assert free["sections"]["工作经历"] == {"内容": "任教", "性别": "男性", "出生年月": "八五年"}


def test_a_value_its_kind_does_not_take_is_refused_naming_the_field_and_changes_nothing(env) -> None:
    applicant, app = draft(env, "周拒绝")
    expect(applicant.put(section_path(app, "基本信息"), BASIC), 200)
    expect(applicant.put(section_path(app, "学历学位"), EDUCATION), 200)
    latest = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).year + 1
    month = "应写作年月，如 1985-06（也可写作 1985年6月 或 1985.6）"
    cases = [
        ("基本信息", "性别", "男性", "“基本信息”的“性别”应为“男”或“女”"),
        ("基本信息", "出生年月", "1985-13", "“基本信息”的“出生年月”的月份应为1至12月"),
        ("基本信息", "出生年月", "一九八五年六月", "“基本信息”的“出生年月”" + month),
        ("基本信息", "出生年月", "1985-06-01", "“基本信息”的“出生年月”" + month),
        ("基本信息", "参加工作时间", "1899-12", f"“基本信息”的“参加工作时间”的年份应在1900至{latest}年之间"),
        ("基本信息", "取得时间", f"{latest + 1}-01", f"“基本信息”的“取得时间”的年份应在1900至{latest}年之间"),
        ("基本信息", "现任职务", "教研组长\n年级主任", "“基本信息”的“现任职务”"),
        ("基本信息", "从事专业", "数" * 61, "“基本信息”的“从事专业”"),
        ("学历学位", "最高学历", "本科", "“学历学位”的“最高学历”应为“博士研究生”、“硕士研究生”、“大学本科”、“大学专科”、“中专”或“高中及以下”"),
        ("学历学位", "最高学位", "学士学位", "“学历学位”的“最高学位”应为“博士”、“硕士”、“学士”或“无”"),
        ("学历学位", "毕业时间", "2008年0月", "“学历学位”的“毕业时间”的月份应为1至12月"),
    ]
    with unchanged(env.d, TENANT):
        for section, field, value, says in cases:
            expect(applicant.put(section_path(app, section), {"内容": "改过", field: value}), 400, field=field, contains=says)
    assert sections(applicant, app)["基本信息"] == BASIC_KEPT and sections(applicant, app)["学历学位"] == EDUCATION


def test_the_page_gives_each_standard_field_its_control_and_a_refused_save_keeps_what_was_typed(env) -> None:
    """A list for a choice (请选择 first), a month input holding YYYY-MM, a text line; none of
    them again among the other named fields; the section's text box labelled 其他说明. A form
    posted with a month no month input holds (a raw post) or a choice not offered is refused
    naming the field: nothing saved, the page comes back with it as typed, its control marked."""
    applicant, app = draft(env, "周表单")
    expect(applicant.put(section_path(app, "基本信息"), BASIC), 200)
    html = page_of(env, applicant, f"applications/{app['id']}")
    form = application_form(html)
    kind, select = form.controls["field:基本信息:性别"]
    assert kind == "select" and [(o["value"], o["text"]) for o in select["options"]] == [("", "请选择"), ("男", "男"), ("女", "女")], select
    assert [o["value"] for o in select["options"] if o["selected"]] == ["男"], select
    for name, value in (("出生年月", "1985-06"), ("参加工作时间", "2008-07"), ("取得时间", "2018-12")):
        kind, attrs = form.controls[f"field:基本信息:{name}"]
        assert (kind, attrs.get("type"), attrs.get("value")) == ("input", "month", value), (name, attrs)
    kind, attrs = form.controls["field:基本信息:现任职务"]
    assert (attrs.get("type"), attrs.get("value")) == ("text", "教研组长"), attrs
    kind, education = form.controls["field:学历学位:最高学历"]
    assert [o["value"] for o in education["options"]] == ["", "博士研究生", "硕士研究生", "大学本科", "大学专科", "中专", "高中及以下"]
    assert not any(o["selected"] for o in education["options"]), "nothing given: 请选择"
    assert form.controls["field:学历学位:毕业时间"][1].get("type") == "month"
    # Each once: the standard fields are not among the other named fields (籍贯 is).
    for name in BASIC_KEPT:
        if name != "内容":
            assert html.count(f'name="field:基本信息:{name}"') == 1, name
    assert form.controls["content:基本信息"][1]["aria-label"] == "基本信息：其他说明"
    assert form.controls["content:工作经历"][1]["aria-label"] == "工作经历"
    assert not any(n.startswith("field:工作经历:") for n in form.controls), "no standard fields there"

    typed = [(n, v) for n, v in form.fields if n not in ("field:基本信息:出生年月", "field:基本信息:性别")]
    before = version(applicant, app)
    with unchanged(env.d, TENANT, ignore=("sessions",)):
        r = ui_post(env, applicant, f"applications/{app['id']}/sections",
                    typed + [("then", "save"), ("field:基本信息:出生年月", "1985-13"), ("field:基本信息:性别", "女")])
        assert r.status == 400, (r.status, r.body.decode()[-1500:])
        answer = r.body.decode()
        assert flash_error(answer) == "“基本信息”的“出生年月”的月份应为1至12月", flash_error(answer)
        again = application_form(answer)
        kind, attrs = again.controls["field:基本信息:出生年月"]
        # Kept as typed: a text line (a month input would empty it), marked as the control at fault.
        assert (attrs.get("type"), attrs.get("value"), attrs.get("aria-invalid")) == ("text", "1985-13", "true"), attrs
        assert [o["value"] for o in again.controls["field:基本信息:性别"][1]["options"] if o["selected"]] == ["女"]
        assert answer.count('aria-invalid="true"') == 1, "only the control at fault"

        r = ui_post(env, applicant, f"applications/{app['id']}/sections", typed + [("then", "save"), ("field:基本信息:性别", "男性")])
        assert r.status == 400 and flash_error(r.body.decode()) == "“基本信息”的“性别”应为“男”或“女”", r.status
        kept = application_form(r.body.decode()).controls["field:基本信息:性别"][1]
        assert [o["value"] for o in kept["options"] if o["selected"]] == ["男性"] and kept["attrs"].get("aria-invalid") == "true", kept
    assert version(applicant, app) == before and sections(applicant, app)["基本信息"] == BASIC_KEPT


def test_a_page_saved_as_it_shows_a_section_changes_nothing(env) -> None:
    """A 基本信息 stored before the rule (出生年月 1985年6月, 性别 男性): the page shows the month as
    its input holds it (1985-06) and 男性 as a choice of its own; posted back untouched it is no
    change (not saved, not refused), also after a change made elsewhere meanwhile, which stands.
    A standard field emptied on the page is gone; one changed is kept as its kind keeps it."""
    applicant, app = draft(env, "周原样")
    legacy = {"内容": "汉族", "出生年月": "1985年6月", "性别": "男性"}
    store_section_as_before(env.d, TENANT, app["id"], "基本信息", legacy)
    form = application_form(page_of(env, applicant, f"applications/{app['id']}"))
    assert form.controls["field:基本信息:出生年月"][1].get("value") == "1985-06"
    assert [o["value"] for o in form.controls["field:基本信息:性别"][1]["options"] if o["selected"]] == ["男性"]
    before = version(applicant, app)
    r = ui_post(env, applicant, f"applications/{app['id']}/sections", form.fields + [("then", "save")])
    assert r.status == 303, (r.status, r.body.decode()[-1500:])
    assert version(applicant, app) == before and sections(applicant, app)["基本信息"] == legacy

    # Changed elsewhere meanwhile (another tab, the API); this page, untouched, posted again: no conflict, that change stands.
    elsewhere = {"内容": "汉族，党员", "出生年月": "1985-06", "性别": "男"}
    expect(applicant.put(section_path(app, "基本信息"), elsewhere), 200)
    r = ui_post(env, applicant, f"applications/{app['id']}/sections", form.fields + [("then", "save")])
    assert r.status == 303, (r.status, r.body.decode()[-1500:])
    assert sections(applicant, app)["基本信息"] == elsewhere

    # A fresh page: 出生年月 emptied, 取得时间 given, saved.
    form = application_form(page_of(env, applicant, f"applications/{app['id']}"))
    fields = [(n, "" if n == "field:基本信息:出生年月" else "2018-12" if n == "field:基本信息:取得时间" else v) for n, v in form.fields]
    r = ui_post(env, applicant, f"applications/{app['id']}/sections", fields + [("then", "save")])
    assert r.status == 303, (r.status, r.body.decode()[-1500:])
    assert sections(applicant, app)["基本信息"] == {"内容": "汉族，党员", "性别": "男", "取得时间": "2018-12"}


def test_the_reading_screens_and_the_review_form_show_them_to_who_may_read_them(env) -> None:
    """Submitted: the reviewer's page lists the standard fields first, in their order, as
    名称：值; the 评审表 has every standard field of both sections in its applicant table, in
    their order, two to a row. A 经办人 who may not read 学历学位 gets 基本信息's rows only, one who
    may read neither gets neither the lines nor the rows; an application without them has the
    rows, blank."""
    applicant, app = draft(env, "周阅读")
    expect(applicant.put(section_path(app, "基本信息"), BASIC), 200)
    expect(applicant.put(section_path(app, "学历学位"), EDUCATION), 200)
    expect(applicant.put(section_path(app, "继续教育"), {"内容": "省级培训", "公需科目学时": "30", "专业科目学时": "60"}), 200)
    expect(applicant.post(f"applications/{app['id']}/submit"), 200)
    bare_applicant, bare = draft(env, "周空白")
    expect(bare_applicant.post(f"applications/{bare['id']}/submit"), 200)

    review = page_of(env, env.handler, f"reviews/{app['id']}")
    cell = re.search(r'<th scope="row">基本信息</th><td style="white-space:pre-line">(.*?)</td>', review, re.S)
    assert cell and cell.group(1) == ("性别：男\n出生年月：1985-06\n参加工作时间：2008-07\n现任职务：教研组长\n现专业技术职称：一级教师\n"
                                      "取得时间：2018-12\n从事专业：小学数学\n汉族，中共党员\n籍贯：河南郑州"), review[-3000:]
    assert "最高学历：大学本科\n最高学位：学士\n毕业院校：河南大学" in review
    # The applicant's own page, submitted: the same lines.
    mine = page_of(env, applicant, f"applications/{app['id']}")
    assert "性别：男\n出生年月：1985-06" in mine and "<select" not in mine.split('id="trail"')[0]

    # Every standard field in the order its section defines it, two to a row, a section's odd
    # last one alone across the row; 基本信息's under 姓名, 学历学位's under 工作单位.
    printed = expect(env.handler.get(f"applications/{app['id']}/review-form"), 200).body.decode()
    basic = [("性别", "男"), ("出生年月", "1985-06"), ("参加工作时间", "2008-07"), ("现任职务", "教研组长"), ("现专业技术职称", "一级教师"),
             ("取得时间", "2018-12"), ("从事专业", "小学数学")]
    education = [("最高学历", "大学本科"), ("最高学位", "学士"), ("毕业院校", "河南大学"), ("所学专业", "数学与应用数学"), ("毕业时间", "2008-06")]
    training = [("公需科目学时", "30 学时"), ("专业科目学时", "60 学时")]   # 学时 with their unit

    def laid_out(section: str, fields: list[tuple[str, str]], blank: bool = False) -> list[list[tuple]]:
        cells = [(name, f"{section}-{name}", "" if blank else value) for name, value in fields]
        return [[(*c, len(cells[i:i + 2]) == 1) for c in cells[i:i + 2]] for i in range(0, len(cells), 2)]

    assert standard_rows(printed) == laid_out("基本信息", basic) + laid_out("学历学位", education) + laid_out("继续教育", training), printed[:5000]
    table = printed.split('id="opinions"')[0]
    assert table.index("f-name") < table.index("f-基本信息-性别") < table.index("工作单位") < table.index("f-学历学位-最高学历") < table.index("申报系列"), table
    # An application without them: the same rows, blank.
    blank = expect(env.handler.get(f"applications/{bare['id']}/review-form"), 200).body.decode()
    assert standard_rows(blank) == (laid_out("基本信息", basic, blank=True) + laid_out("学历学位", education, blank=True)
                                    + laid_out("继续教育", training, blank=True)), blank[:5000]

    # A reader who may not read 学历学位 has 基本信息's rows only; one who may read neither, none,
    # not even the fields' names.
    half = expect(env.half.get(f"applications/{app['id']}/review-form"), 200).body.decode()
    assert standard_rows(half) == laid_out("基本信息", basic) + laid_out("继续教育", training), half[:5000]
    assert not any(name in half.split('id="opinions"')[0] for name, _ in education), half[:5000]
    hidden = expect(env.blind.get(f"applications/{app['id']}/review-form"), 200).body.decode()
    assert standard_rows(hidden) == laid_out("继续教育", training), hidden[:5000]   # it may read 继续教育
    before_opinions = hidden.split('id="opinions"')[0]
    assert not any(name in before_opinions for name, _ in basic + education), hidden[:5000]
    assert not any(value in before_opinions for value in ("男", "1985-06", "教研组长", "小学数学", "河南大学", "数学与应用数学")), hidden[:5000]
    assert "性别：" not in page_of(env, env.blind, f"reviews/{app['id']}")


def test_continuing_education_hours_are_whole_numbers_and_read_with_their_unit(env) -> None:
    """继续教育's 公需科目学时 and 专业科目学时: whole numbers of 学时 up to 9999, typed with full-width
    digits or 学时 after them and kept as digits; anything else refused naming the field, nothing
    saved; the page gives each a short numeric line."""
    applicant, app = draft(env, "周学时")
    kept = expect(applicant.put(section_path(app, "继续教育"), {"内容": "2025年参加省级培训", "公需科目学时": "３０学时", "专业科目学时": " 60 "}), 200).json
    assert kept["sections"]["继续教育"] == {"内容": "2025年参加省级培训", "公需科目学时": "30", "专业科目学时": "60"}, kept
    with unchanged(env.d, TENANT):
        for value in ("九十", "90.5", "10000", "-1"):
            expect(applicant.put(section_path(app, "继续教育"), {"内容": "改过", "专业科目学时": value}), 400, field="专业科目学时",
                   contains="“继续教育”的“专业科目学时”应为 0 至 9999 的整数学时")
    assert sections(applicant, app)["继续教育"]["专业科目学时"] == "60"
    form = application_form(page_of(env, applicant, f"applications/{app['id']}"))
    kind, attrs = form.controls["field:继续教育:公需科目学时"]
    assert (kind, attrs.get("type"), attrs.get("inputmode"), attrs.get("value")) == ("input", "text", "numeric", "30"), attrs
