"""Review-step plugins (SPEC §8): the C ABI, the supervised helper processes, plugin.list and
plugin.reload, and isolation. Deliberately bad plugins are compiled during the test run — one that
crashes (SIGSEGV), one that hangs, one that leaks memory, one that answers garbage, one built for
another ABI version — next to the shipped C example (Plugins/QualificationCheck), and an
application is submitted through all of them: the example returns it for too few years, the bad
ones are recorded as failed steps and marked faulty, and the daemon keeps serving."""

from __future__ import annotations

import json
import re
import os
import pathlib
import shutil
import signal
import subprocess
import threading
import time
from urllib.parse import quote

import pytest

from api_support import NEW_PASSWORD, Api, approved_plan, expect, fresh_id_number
from api_support import REQUIRED_SECTIONS
from conftest import REPO, create_tenant, run_ctl, wait_until

HEADER_DIR = REPO / "Sources" / "CZhichengPlugin" / "include"
SERIES = "中小学教师"
SECTIONS = REQUIRED_SECTIONS

TEMPLATE = r"""
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>
#include "zhicheng_plugin.h"
static const char manifest[] = "{\"name\":\"%(name)s\",\"version\":\"0.1\",\"steps\":[{\"id\":\"%(name)s-step\",\"title\":\"%(name)s\",\"at\":\"submit\"}]}";
static char *call(const char *step, const char *input) {
    (void)step; (void)input;
    %(body)s
}
static void free_result(char *r) { free(r); }
static const zhicheng_plugin_v1 plugin = { %(abi)s, manifest, call, free_result };
const zhicheng_plugin_v1 *zhicheng_plugin_entry(void) { return &plugin; }
"""

BAD = {
    "crasher": "volatile int *p = 0; *p = 1; return 0;",
    "hanger": "for (;;) {} return 0;",
    "leaker": "static char *volatile kept[64]; static int n; char *big = malloc(400u << 20); "
              "if (big) memset(big, n + 1, 400u << 20); kept[n++ % 64] = big; "
              "char *r = malloc(32); strcpy(r, \"{\\\"decision\\\":\\\"pass\\\"}\"); return r;",
    # Grows past the limit and never answers: killed for its memory while the call waits, not
    # left to grow until the deadline.
    "hog": "char *big = malloc(400u << 20); if (big) memset(big, 1, 400u << 20); sleep(300); return big;",
    "garbage": "char *r = malloc(32); strcpy(r, \"not json {\"); return r;",
    # Closes the helper's answer pipe (moved off stdout, to a descriptor above 2) and lives on:
    # the supervisor must not wait for it to exit.
    "mute": "for (int fd = 3; fd < 1024; fd++) close(fd); sleep(300); return 0;",
    "oldabi": "return 0;",
}


def compile_plugin(source: pathlib.Path, out: pathlib.Path) -> None:
    cc = shutil.which("cc") or shutil.which("gcc")
    if not cc:
        pytest.fail("a C compiler is needed to build test plugins")
    subprocess.run([cc, "-O1", "-fPIC", "-shared", "-I", str(HEADER_DIR), "-o", str(out), str(source)], check=True, timeout=60)


@pytest.fixture
def plugin_dir(tmp_path: pathlib.Path) -> pathlib.Path:
    d = tmp_path / "plugins"
    d.mkdir(exist_ok=True)
    compile_plugin(REPO / "Plugins" / "QualificationCheck" / "qualification_check.c", d / "libqualification-check.so")
    for name, body in BAD.items():
        src = tmp_path / f"{name}.c"
        src.write_text(TEMPLATE % {"name": name, "body": body, "abi": "99u" if name == "oldabi" else "ZHICHENG_PLUGIN_ABI_VERSION"})
        compile_plugin(src, d / f"lib{name}.so")
    return d


def plugins(d) -> dict:
    return {p["file"]: p for p in d.call("plugin.list")["plugins"]}


def submit_with_years(d, years: int) -> tuple:
    api = Api(d.http_port, "zhengzhou")
    info = d.info
    city = info["session"]
    person = expect(city.post("orgs/1/applicants", {"id_number": fresh_id_number(), "name": "吴老师"}), 201).json
    applicant = api.first_login(person["account"]["login"], person["password"])
    app = expect(applicant.post("applications", {"kind": "title", "year": 2026, "series": SERIES, "level": "中级", "title": "一级教师"}), 201).json
    for section in SECTIONS:
        content = f"现职年限：{years}" if section == "工作经历" else section
        expect(applicant.put(f"applications/{app['id']}/sections/{quote(section)}", {"内容": content}), 200)
    return applicant, app


def test_plugins_are_isolated_listed_and_reloaded(daemon_factory, plugin_dir, tmp_path):
    config = '[log]\nlevel = "info"\n[plugins]\ncall_timeout_seconds = 2\nmemory_limit_mib = 128\n'
    d = daemon_factory(config=config, args=[])
    d.plugin_dir = plugin_dir
    d.start()
    listed = plugins(d)
    assert listed["libqualification-check.so"]["state"] == "loaded"
    assert listed["libqualification-check.so"]["steps"] == [{"id": "qualification-years", "title": "任职年限自动审查", "at": "submit", "sections": ["工作经历"]}]
    assert listed["liboldabi.so"]["state"] == "refused" and "ABI version 99" in listed["liboldabi.so"]["detail"]
    for name in ("crasher", "hanger", "leaker", "hog", "garbage", "mute"):
        assert listed[f"lib{name}.so"]["state"] == "loaded"

    info = create_tenant(d, "zhengzhou", "4101", "郑州市")
    api = Api(d.http_port, "zhengzhou")
    city = api.first_login(info["admin_login"], info["admin_password"])
    approved_plan(city, city, 1, [{"series": SERIES, "level": "中级", "count": 9}])
    d.info = {"session": city}

    # Too few years: the C example returns it; every bad plugin is a failed step, not a failed daemon.
    applicant, app = submit_with_years(d, 3)
    shown = expect(applicant.post(f"applications/{app['id']}/submit"), 200).json
    assert shown["state"] == "returned"
    assert shown["returned"]["sections"] == ["工作经历"] and shown["returned"]["reason"] == "not_qualified"
    assert "不足4年" in shown["returned"]["comment"]
    trail = expect(applicant.get(f"applications/{app['id']}/trail"), 200).json["trail"]
    # Each automated step is named by its manifest's title, not by plugin and step ids.
    by_step = {t["reviewer"]: t["decision"] for t in trail if t["decision"].startswith("auto-")}
    assert by_step["任职年限自动审查"] == "auto-return", by_step
    for name in ("crasher", "hanger", "leaker", "hog", "garbage", "mute"):
        assert by_step[name] == "auto-failed", by_step
    # The applicant's page says so in Chinese; why, in the plugin host's words, is for the API, the log and 操作日志.
    page = api.raw("GET", f"/t/zhengzhou/applications/{app['id']}", headers={"Cookie": f"zc_session={applicant.cookie}"}).body.decode()
    trail = page[page.index('id="trail"'):]
    assert trail.count("<td>自动审查失败（转人工审查）</td><td></td>") == 6, trail
    assert not re.search(r"hung|exited|malformed|signal|deadline|faulty|answer", trail), trail
    assert d.call("ping") == {"pong": True}
    failures = [e for e in expect(city.get("audit?limit=100"), 200).json["entries"] if e["action"] == "plugin.step-failed"]
    assert {json.loads(e["detail"])["plugin"] for e in failures} == {"crasher", "hanger", "leaker", "hog", "garbage", "mute"}
    listed = plugins(d)
    assert "signal 11" in listed["libcrasher.so"]["detail"]
    assert "hung" in listed["libhanger.so"]["detail"]
    assert "MiB" in listed["libleaker.so"]["detail"]
    assert "MiB" in listed["libhog.so"]["detail"] and "hung" not in listed["libhog.so"]["detail"], listed["libhog.so"]
    assert "malformed" in listed["libgarbage.so"]["detail"]
    assert "kept running" in listed["libmute.so"]["detail"], listed["libmute.so"]
    assert all(listed[f"lib{n}.so"]["state"] == "faulty" for n in ("crasher", "hanger", "leaker", "hog", "garbage", "mute"))

    # Enough years: it passes the check and goes on to people (faulty plugins are skipped or fail again).
    applicant2, app2 = submit_with_years(d, 6)
    assert expect(applicant2.post(f"applications/{app2['id']}/submit"), 200).json["state"] == "in_review"

    # plugin.reload drops removed files and picks up new ones without a restart; SIGHUP does the same.
    pid = d.pid
    for name in ("crasher", "hanger", "leaker", "hog", "garbage", "mute"):
        (plugin_dir / f"lib{name}.so").unlink()
    after = {p["file"] for p in d.call("plugin.reload")["plugins"]}
    assert after == {"libqualification-check.so", "liboldabi.so"}
    (plugin_dir / "liboldabi.so").unlink()
    os.kill(pid, signal.SIGHUP)
    wait_until(lambda: set(plugins(d)) == {"libqualification-check.so"}, 20, "SIGHUP to reload plugins")
    assert d.pid == pid and d.alive()
    assert d.call("tenant.check", {"id": "zhengzhou"})["ok"] is True


# Where `make plugins` puts the shipped plugins (C and Swift); ZHICHENG_PLUGINS_DIR overrides it,
# e.g. for a `make plugins BUILD_DIR=...` into another build directory.
BUILT_PLUGINS = pathlib.Path(os.environ.get("ZHICHENG_PLUGINS_DIR") or REPO / ".build" / "plugins")
SHIPPED = {
    "libqualification-check.so": ("qualification-check", [{"id": "qualification-years", "title": "任职年限自动审查", "at": "submit", "sections": ["工作经历"]}]),
    "libexpert-recommendation.so": ("expert-recommendation", [{"id": "expert-eligibility", "title": "专家资格自动审查", "at": "expert-submit",
                                                                "sections": ["工作经历"]}]),
}


def test_shipped_c_and_swift_plugins_load_side_by_side(daemon_factory, tmp_path):
    """The plugins `make plugins` builds — the C example and the Swift ExpertRecommendation (its
    .so loaded from a copy in another directory, as an installed plugin would be) — both load."""
    d_plugins = tmp_path / "shipped-plugins"
    d_plugins.mkdir()
    for file in SHIPPED:
        built = BUILT_PLUGINS / file
        if not built.is_file():
            pytest.fail(f"{built} is missing: run `make plugins` first")
        shutil.copy2(built, d_plugins / file)
    d = daemon_factory(args=[])
    d.plugin_dir = d_plugins
    d.start()
    listed = plugins(d)
    assert set(listed) == set(SHIPPED), listed
    for file, (name, steps) in SHIPPED.items():
        p = listed[file]
        assert p["state"] == "loaded", p
        assert (p["name"], p["version"], p["abi"], p["steps"]) == (name, "1.0.0", 1, steps), p
    # The Swift plugin's helper answers as a loaded plugin after a reload too.
    assert {p["file"]: p["state"] for p in d.call("plugin.reload")["plugins"]} == {f: "loaded" for f in SHIPPED}
    # zhichengctl shows each step as id@where in its table.
    out = run_ctl(str(REPO / ".build" / "debug" / "zhichengctl"), "plugin", "list", socket_path=d.admin_socket)
    assert out.returncode == 0, out.stderr
    assert "expert-eligibility@expert-submit" in out.stdout and "qualification-years@submit" in out.stdout, out.stdout
    assert "loaded" in out.stdout and "{" not in out.stdout, out.stdout
    # And `status` names them with their state, as text, not JSON.
    out = run_ctl(str(REPO / ".build" / "debug" / "zhichengctl"), "status", socket_path=d.admin_socket)
    assert out.returncode == 0, out.stderr
    [row] = [l for l in out.stdout.splitlines() if l.startswith("plugins ")]
    assert sorted(row.split(None, 1)[1].split(", ")) == ["expert-recommendation (loaded)", "qualification-check (loaded)"], out.stdout


# The end of a test plugin's `call` that answers the text `%(answer)s`, and its descriptor.
ANSWERS = r"""
    static const char answer[] = "%(answer)s";
    char *r = malloc(sizeof answer);
    if (r) memcpy(r, answer, sizeof answer);
    return r;
}
static void free_result(char *r) { free(r); }
static const zhicheng_plugin_v1 plugin = { ZHICHENG_PLUGIN_ABI_VERSION, manifest, call, free_result };
"""


# A plugin whose step is in flight until the test lets it answer: it creates `started`, waits
# (at most ~20 s) for `go`, consumes it and answers. Gating on a file rather than sleeping
# keeps the call in flight for as long as the test needs, however slow the machine.
GATED = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "zhicheng_plugin.h"
static const char manifest[] = "{\"name\":\"slow\",\"version\":\"%(version)s\",\"steps\":[{\"id\":\"slow-step\",\"title\":\"slow\",\"at\":\"submit\"}]}";
static char *call(const char *step, const char *input) {
    (void)step; (void)input;
    %(wait)s
""" + ANSWERS + r"""const zhicheng_plugin_v1 *zhicheng_plugin_entry(void) { return &plugin; }
"""
WAIT_FOR_GO = r"""
    FILE *f = fopen("%(started)s", "w");
    if (f) fclose(f);
    for (int i = 0; i < 200 && access("%(go)s", F_OK) != 0; i++) usleep(100000);
    unlink("%(go)s");
"""
SLOW_V1_ANSWER = '{"decision":"return","sections":["工作经历"],"reason":"other","comment":"slow v1"}'
FAST_V2_ANSWER = '{"decision":"pass"}'


def c_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


class GatedPlugin:
    """libslow.so in the daemon's plugin dir: v1 returns the application once let go, v2 passes at once."""

    def __init__(self, tmp_path: pathlib.Path, plugin_dir: pathlib.Path):
        self.started, self.go = tmp_path / "slow-started", tmp_path / "slow-go"
        self.file = plugin_dir / "libslow.so"
        self.builds = {}
        for version, answer, wait in (("1", SLOW_V1_ANSWER, WAIT_FOR_GO % {"started": self.started, "go": self.go}), ("2", FAST_V2_ANSWER, "")):
            src = tmp_path / f"slow-v{version}.c"
            src.write_text(GATED % {"version": version, "answer": c_string(answer), "wait": wait}, encoding="utf-8")
            self.builds[version] = tmp_path / f"slow-v{version}.so"
            compile_plugin(src, self.builds[version])

    def install(self, version: str) -> None:
        """Replaces the file by rename, never in place, as `make plugins` does."""
        tmp = self.file.with_name(self.file.name + ".tmp")
        shutil.copyfile(self.builds[version], tmp)
        os.replace(tmp, self.file)


class Background:
    """Runs fn() in a thread; result() waits (bounded) and returns its value or raises its error."""

    def __init__(self, fn):
        self.value, self.error = None, None
        self.thread = threading.Thread(target=self._run, args=(fn,), daemon=True)
        self.thread.start()

    def _run(self, fn) -> None:
        try:
            self.value = fn()
        except BaseException as exc:  # noqa: BLE001 - re-raised in result()
            self.error = exc

    def result(self, timeout: float = 60):
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "the background call did not finish"
        if self.error is not None:
            raise self.error
        return self.value


def gated_daemon(daemon_factory, tmp_path: pathlib.Path) -> tuple:
    """A daemon whose only plugin is libslow.so v1, with a tenant and an approved plan."""
    plugin_dir = tmp_path / "gated-plugins"
    plugin_dir.mkdir()
    slow = GatedPlugin(tmp_path, plugin_dir)
    slow.install("1")
    d = daemon_factory(config='[log]\nlevel = "info"\n[plugins]\ncall_timeout_seconds = 60\n', args=[])
    d.plugin_dir = plugin_dir
    d.start()
    assert {f: (p["state"], p["version"]) for f, p in plugins(d).items()} == {"libslow.so": ("loaded", "1")}
    info = create_tenant(d, "zhengzhou", "4101", "郑州市")
    city = Api(d.http_port, "zhengzhou").first_login(info["admin_login"], info["admin_password"])
    approved_plan(city, city, 1, [{"series": SERIES, "level": "中级", "count": 9}])
    d.info = {"session": city}
    return d, slow


def submit_in_flight(d, slow: GatedPlugin) -> tuple:
    """Starts a submit in the background and returns once libslow.so v1 holds it in flight."""
    applicant, app = submit_with_years(d, 6)
    slow.started.unlink(missing_ok=True)
    call = Background(lambda: expect(applicant.post(f"applications/{app['id']}/submit"), 200).json)
    wait_until(lambda: slow.started.exists() or not call.thread.is_alive(), 30, "the slow step to start")
    assert slow.started.exists(), f"the submit finished without calling the slow step: {call.result()!r}"
    return applicant, app, call


def answered_by_v1(applicant, app, shown: dict) -> None:
    assert shown["state"] == "returned", shown
    assert shown["returned"]["sections"] == ["工作经历"] and "slow v1" in shown["returned"]["comment"], shown
    trail = expect(applicant.get(f"applications/{app['id']}/trail"), 200).json["trail"]
    auto = [t["decision"] for t in trail if t["decision"].startswith("auto-")]
    assert auto == ["auto-return"], trail


def test_reload_replaces_a_plugin_without_breaking_its_call_in_flight(daemon_factory, tmp_path):
    d, slow = gated_daemon(daemon_factory, tmp_path)
    applicant, app, call = submit_in_flight(d, slow)

    # v2 replaces v1 while v1's call is in flight: new calls go to v2 at once.
    slow.install("2")
    reloaded = {p["file"]: (p["state"], p["version"]) for p in d.call("plugin.reload")["plugins"]}
    assert reloaded == {"libslow.so": ("loaded", "2")}
    assert call.thread.is_alive(), "the slow call ended before it was let go"
    assert {f: (p["state"], p["version"]) for f, p in plugins(d).items()} == {"libslow.so": ("loaded", "2")}

    # The call in flight still gets v1's answer, and the old helper is stopped afterwards.
    slow.go.touch()
    answered_by_v1(applicant, app, call.result())
    wait_until(lambda: "retired plugin helper stopped after draining" in d.output(), 20, "the retired helper to stop")

    # The next submission (section fixed) is answered by v2.
    expect(applicant.put(f"applications/{app['id']}/sections/{quote('工作经历')}", {"内容": "现职年限：7"}), 200)
    assert expect(applicant.post(f"applications/{app['id']}/submit"), 200).json["state"] == "in_review"
    trail = expect(applicant.get(f"applications/{app['id']}/trail"), 200).json["trail"]
    # In time order: each automated step right after the submission it checked.
    assert [t["decision"] for t in trail] == ["submit", "auto-return", "submit", "auto-pass"], trail
    assert d.alive()


def test_reload_drops_a_plugin_after_its_call_in_flight(daemon_factory, tmp_path):
    d, slow = gated_daemon(daemon_factory, tmp_path)
    applicant, app, call = submit_in_flight(d, slow)

    slow.file.unlink()
    assert d.call("plugin.reload")["plugins"] == []
    assert call.thread.is_alive(), "the slow call ended before it was let go"
    assert plugins(d) == {}

    slow.go.touch()
    answered_by_v1(applicant, app, call.result())
    wait_until(lambda: "retired plugin helper stopped after draining" in d.output(), 20, "the retired helper to stop")

    # With the plugin gone, a resubmission has no automated step and goes to people.
    expect(applicant.put(f"applications/{app['id']}/sections/{quote('工作经历')}", {"内容": "现职年限：7"}), 200)
    assert expect(applicant.post(f"applications/{app['id']}/submit"), 200).json["state"] == "in_review"
    assert d.alive()


# A plugin that answers each call from its own input: it returns the application with the
# marker found in 工作经历 ("MARK-<n>") as its comment, after a short pause so that calls overlap
# in the helper's pipe. While the file `crash` exists, a call removes it and crashes instead.
ECHO = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "zhicheng_plugin.h"
static const char manifest[] = "{\"name\":\"echo\",\"version\":\"1\",\"steps\":[{\"id\":\"echo-step\",\"title\":\"echo\",\"at\":\"submit\"}]}";
static char *call(const char *step, const char *input) {
    (void)step;
    if (access("%(crash)s", F_OK) == 0) { unlink("%(crash)s"); volatile int *p = 0; *p = 1; }
    usleep(20000);
    const char *at = strstr(input, "MARK-");
    char marker[32] = "none";
    if (at) { size_t n = strspn(at, "MARK-0123456789"); if (n > 31) n = 31; memcpy(marker, at, n); marker[n] = 0; }
    char *r = malloc(256);
    if (r) snprintf(r, 256, "{\"decision\":\"return\",\"sections\":[\"工作经历\"],\"reason\":\"other\",\"comment\":\"%%s\"}", marker);
    return r;
}
static void free_result(char *r) { free(r); }
static const zhicheng_plugin_v1 plugin = { ZHICHENG_PLUGIN_ABI_VERSION, manifest, call, free_result };
const zhicheng_plugin_v1 *zhicheng_plugin_entry(void) { return &plugin; }
"""


def echo_daemon(daemon_factory, tmp_path: pathlib.Path, count: int) -> tuple:
    """A daemon whose only plugin is libecho.so, and `count` applications ready to submit, the n-th
    with MARK-n in a 工作经历 of over 60 KiB (more than one pipe write)."""
    plugin_dir = tmp_path / "echo-plugins"
    plugin_dir.mkdir()
    crash = tmp_path / "echo-crash"
    src = tmp_path / "echo.c"
    src.write_text(ECHO % {"crash": crash}, encoding="utf-8")
    compile_plugin(src, plugin_dir / "libecho.so")
    d = daemon_factory(config='[log]\nlevel = "info"\n[plugins]\ncall_timeout_seconds = 60\n', args=[])
    d.plugin_dir = plugin_dir
    d.start()
    info = create_tenant(d, "zhengzhou", "4101", "郑州市")
    city = Api(d.http_port, "zhengzhou").first_login(info["admin_login"], info["admin_password"])
    approved_plan(city, city, 1, [{"series": SERIES, "level": "中级", "count": count + 1}])
    api = Api(d.http_port, "zhengzhou")
    ready = []
    for n in range(count):
        person = expect(city.post("orgs/1/applicants", {"id_number": fresh_id_number(), "name": f"并发{n}"}), 201).json
        applicant = api.first_login(person["account"]["login"], person["password"])
        app = expect(applicant.post("applications", {"kind": "title", "year": 2026, "series": SERIES, "level": "中级", "title": "一级教师"}), 201).json
        for section in SECTIONS:
            content = f"MARK-{n:04d};" + "经历" * 10000 if section == "工作经历" else section
            expect(applicant.put(f"applications/{app['id']}/sections/{quote(section)}", {"内容": content}), 200)
        ready.append((n, applicant, app))
    return d, crash, ready


def submit_all_at_once(ready: list) -> None:
    """Submits every application at the same moment; each must come back returned by the echo
    plugin with its own marker."""
    barrier = threading.Barrier(len(ready))

    def submit(applicant, app):
        barrier.wait(30)
        return expect(applicant.post(f"applications/{app['id']}/submit"), 200).json

    calls = [(n, applicant, app, Background(lambda a=applicant, p=app: submit(a, p))) for n, applicant, app in ready]
    for n, applicant, app, call in calls:
        call.result(120)
        shown = expect(applicant.get(f"applications/{app['id']}"), 200).json
        trail = expect(applicant.get(f"applications/{app['id']}/trail"), 200).json["trail"]
        assert shown["state"] == "returned", (n, trail)
        assert shown["returned"]["comment"].endswith(f"MARK-{n:04d}"), (n, shown["returned"])


def test_concurrent_calls_each_get_their_own_answer(daemon_factory, tmp_path):
    """Many submits at once through one plugin helper: every application gets the answer to its own
    input (requests are never interleaved in the pipe, answers never swapped between calls), and
    the plugin stays loaded."""
    d, _, ready = echo_daemon(daemon_factory, tmp_path, 12)
    submit_all_at_once(ready)
    assert plugins(d)["libecho.so"]["state"] == "loaded", plugins(d)


def test_concurrent_calls_on_a_faulty_plugin_restart_it_once(daemon_factory, tmp_path):
    """After a crash, the first calls past the retry pause arrive together: one helper is started
    for all of them (a second start would kill the first one's helper), and each call is answered."""
    d, crash, ready = echo_daemon(daemon_factory, tmp_path, 7)
    (n0, first, first_app), rest = ready[0], ready[1:]
    crash.touch()
    expect(first.post(f"applications/{first_app['id']}/submit"), 200)
    trail = expect(first.get(f"applications/{first_app['id']}/trail"), 200).json["trail"]
    assert [t["decision"] for t in trail if t["decision"].startswith("auto-")] == ["auto-failed"], trail
    assert plugins(d)["libecho.so"]["state"] == "faulty" and not crash.exists()
    # The application's failed step is in the log, with the plugin, the tenant and why.
    failed = [l for l in d.output().splitlines() if "plugin step failed" in l]
    assert failed and "libecho.so" in failed[0] and "tenant.id=" in failed[0] and f"application.id={first_app['id']}" in failed[0] and "reason=" in failed[0], \
        d.output()[-3000:]
    time.sleep(5.5)  # PluginSupervisor.retryAfter
    loaded_before = d.output().count("plugin loaded")
    submit_all_at_once(rest)
    assert plugins(d)["libecho.so"]["state"] == "loaded", plugins(d)
    assert d.output().count("plugin loaded") == loaded_before + 1, d.output()[-3000:]


PEEK = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "zhicheng_plugin.h"
static const char manifest[] = "{\"name\":\"peek\",\"version\":\"0.1\",\"steps\":[{\"id\":\"peek\",\"title\":\"peek\",\"at\":\"submit\"%(sections)s}]}";
/* Sends the application back, saying which sections (of three looked for) it was given. */
static char *call(const char *step, const char *input) {
    (void)step;
    char *r = malloc(256);
    snprintf(r, 256, "{\"decision\":\"return\",\"sections\":[\"工作经历\"],\"reason\":\"other\",\"comment\":\"basic=%%d work=%%d results=%%d level=%%d\"}",
             strstr(input, "\"基本信息\"") != NULL, strstr(input, "\"工作经历\"") != NULL, strstr(input, "\"业绩成果\"") != NULL,
             strstr(input, "\"level\":\"中级\"") != NULL);
    return r;
}
static void free_result(char *r) { free(r); }
static const zhicheng_plugin_v1 plugin = { ZHICHENG_PLUGIN_ABI_VERSION, manifest, call, free_result };
const zhicheng_plugin_v1 *zhicheng_plugin_entry(void) { return &plugin; }
"""


def submitted_title_application(d, name: str, city_id: tuple[str, str, str] = ("zhengzhou", "4101", "郑州市")) -> tuple:
    """In a new city (郑州市 unless `city_id` says which) with an approved 中级 plan: an applicant
    `name`, whose title application has every section filled in and is submitted. Returns the
    applicant, the application and the submission's answer."""
    info = create_tenant(d, *city_id)
    tenant = city_id[0]
    city = Api(d.http_port, tenant).first_login(info["admin_login"], info["admin_password"])
    approved_plan(city, city, 1, [{"series": SERIES, "level": "中级", "count": 1}])
    person = expect(city.post("orgs/1/applicants", {"id_number": fresh_id_number(), "name": name}), 201).json
    applicant = Api(d.http_port, tenant).first_login(person["account"]["login"], person["password"])
    app = expect(applicant.post("applications", {"kind": "title", "year": 2026, "series": SERIES, "level": "中级", "title": "一级教师"}), 201).json
    for section in SECTIONS:
        expect(applicant.put(f"applications/{app['id']}/sections/{quote(section)}", {"内容": section}), 200)
    return applicant, app, expect(applicant.post(f"applications/{app['id']}/submit"), 200).json


def peek_daemon(daemon_factory, tmp_path: pathlib.Path, declared: str):
    """A started daemon whose only plugin is libpeek.so, its step's manifest ending in `declared`."""
    plugin_dir = tmp_path / "peek-plugins"
    plugin_dir.mkdir()
    src = tmp_path / "peek.c"
    src.write_text(PEEK % {"sections": declared}, encoding="utf-8")
    compile_plugin(src, plugin_dir / "libpeek.so")
    d = daemon_factory(args=[])
    d.plugin_dir = plugin_dir
    return d.start()


@pytest.mark.parametrize("declared,seen", [(',\\"sections\\":[\\"工作经历\\"]', "basic=0 work=1 results=0 level=1"),
                                           ("", "basic=1 work=1 results=1 level=1")])
def test_a_step_is_given_only_the_sections_it_declares(daemon_factory, tmp_path, declared: str, seen: str):
    """A manifest step naming `sections` gets only those (and the year, series, level, title);
    one naming none gets every section, as before."""
    d = peek_daemon(daemon_factory, tmp_path, declared)
    applicant, app, _ = submitted_title_application(d, "窥视")
    shown = expect(applicant.get(f"applications/{app['id']}"), 200).json
    assert shown["state"] == "returned" and shown["returned"]["comment"] == f"【peek】{seen}", shown["returned"]
    listed = plugins(d)["libpeek.so"]["steps"][0]
    assert listed["sections"] == (["工作经历"] if declared else None), listed


@pytest.mark.parametrize("declared", [',\\"sections\\":\\"工作经历\\"', ',\\"sections\\":[\\"工作经验\\"]', ',\\"sections\\":[1]'])
def test_a_step_declaring_sections_it_cannot_have_refuses_its_plugin(daemon_factory, tmp_path, declared: str):
    """`sections` must be a list of the application's section names: anything else refuses the
    plugin (named in plugin.list), rather than hand it every section, or none."""
    d = peek_daemon(daemon_factory, tmp_path, declared)
    listed = plugins(d)["libpeek.so"]
    assert listed["state"] == "refused" and "sections" in (listed["detail"] or ""), listed


@pytest.mark.parametrize("step,why", [(r'{\"id\":\"s\",\"title\":\"t\",\"at\":\"sumbit\"}', "at must be one of expert-submit, submit"),
                                      (r'{\"id\":\"s\",\"title\":\"t\"}', "at must be one of"),
                                      (r'{\"title\":\"t\",\"at\":\"submit\"}', "step 1: id must be a non-empty string"),
                                      (r'{\"id\":\"\",\"title\":\"t\",\"at\":\"submit\"}', "step 1: id must be")])
def test_a_step_the_daemon_would_never_run_refuses_its_plugin(daemon_factory, tmp_path, step: str, why: str):
    """A step with no id, or placed at a point the daemon does not know (a misspelt "submit"),
    would be listed as loaded and never run: the plugin is refused, saying why, and a title
    application is submitted without it."""
    plugin_dir = tmp_path / "bad-step-plugins"
    plugin_dir.mkdir()
    src = tmp_path / "bad_step.c"
    src.write_text(PEEK.replace(r'{\"id\":\"peek\",\"title\":\"peek\",\"at\":\"submit\"%(sections)s}', step), encoding="utf-8")
    compile_plugin(src, plugin_dir / "libbadstep.so")
    d = daemon_factory(args=[])
    d.plugin_dir = plugin_dir
    d.start()
    listed = plugins(d)["libbadstep.so"]
    assert listed["state"] == "refused" and why in (listed["detail"] or ""), listed
    _, _, submitted = submitted_title_application(d, "无插件")
    assert submitted["state"] == "in_review", submitted


def test_the_readme_c_example_builds_cleanly_and_loads(daemon_factory, tmp_path):
    """The plugin guide's C example is what a plugin developer copies first: it compiles with
    warnings as errors, loads, and its step is listed where the daemon runs it."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    guide = readme[readme.index("A review-step plugin is a shared object"):]
    source = guide[guide.index("```c\n") + 5:]
    source = source[:source.index("```")]
    src = tmp_path / "my_check.c"
    src.write_text(source, encoding="utf-8")
    plugin_dir = tmp_path / "readme-plugins"
    plugin_dir.mkdir()
    cc = shutil.which("cc") or shutil.which("gcc")
    built = subprocess.run([cc, "-O2", "-fPIC", "-shared", "-Wall", "-Werror", "-I", str(HEADER_DIR), "-o", str(plugin_dir / "libmy-check.so"), str(src)],
                           capture_output=True, text=True, timeout=60)
    assert built.returncode == 0, built.stderr
    d = daemon_factory(args=[])
    d.plugin_dir = plugin_dir
    d.start()
    listed = plugins(d)["libmy-check.so"]
    assert listed["state"] == "loaded" and [s["at"] for s in listed["steps"]] == ["submit"], listed



# A plugin with one `submit` step answering `answer`. When `prints`, its entry function and its
# call print to stdout (and flush). While the file `crash_first` exists, its entry function removes
# it and crashes instead of returning its descriptor: a start that fails once.
CUSTOM = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "zhicheng_plugin.h"
static const char manifest[] = "{\"name\":\"%(name)s\",\"version\":\"1\",\"steps\":[{\"id\":\"%(name)s-step\",\"title\":\"%(name)s\",\"at\":\"submit\"}]}";
static char *call(const char *step, const char *input) {
    (void)step; (void)input;
    if (%(prints)d) { printf("%(name)s prints during its call {\"ok\":true,\"output\":\"{}\"}\n"); fflush(stdout); }
""" + ANSWERS + r"""const zhicheng_plugin_v1 *zhicheng_plugin_entry(void) {
    if (%(prints)d) { printf("%(name)s prints while it starts\n"); fflush(stdout); }
    if (access("%(crash_first)s", F_OK) == 0) { unlink("%(crash_first)s"); volatile int *p = 0; *p = 1; }
    return &plugin;
}
"""
RETURNED = '{"decision":"return","sections":["工作经历"],"reason":"not_qualified","comment":"%s returned it"}'


def custom_plugin(tmp_path: pathlib.Path, out: pathlib.Path, name: str, answer: str, crash_first: pathlib.Path | None = None,
                  prints: bool = False) -> None:
    src = tmp_path / f"{name}.c"
    src.write_text(CUSTOM % {"name": name, "answer": c_string(answer), "crash_first": crash_first or tmp_path / "never", "prints": prints},
                   encoding="utf-8")
    compile_plugin(src, out)


def custom_daemon(daemon_factory, plugin_dir: pathlib.Path):
    d = daemon_factory(config='[log]\nlevel = "info"\n', args=[])
    d.plugin_dir = plugin_dir
    return d.start()


def auto_steps(applicant, app) -> list:
    trail = expect(applicant.get(f"applications/{app['id']}/trail"), 200).json["trail"]
    return [(t["reviewer"], t["decision"], t.get("comment")) for t in trail if t["decision"].startswith("auto-")]


@pytest.mark.parametrize("retry", ["reload", "later"])
def test_a_plugin_whose_first_start_fails_is_started_again(daemon_factory, tmp_path, retry: str):
    """A plugin that crashes in its entry function at its first start has no manifest, hence no
    step a call could restart it by: it is started again by plugin.reload (its file unchanged), or
    in the background by a submission once the pause after the failure is over, and its step then
    runs."""
    plugin_dir = tmp_path / "phoenix-plugins"
    plugin_dir.mkdir()
    crash_first = tmp_path / "phoenix-crash-first"
    crash_first.touch()
    custom_plugin(tmp_path, plugin_dir / "libphoenix.so", "phoenix", RETURNED % "phoenix", crash_first)
    d = custom_daemon(daemon_factory, plugin_dir)
    listed = plugins(d)["libphoenix.so"]
    assert listed["state"] == "faulty" and "did not start" in listed["detail"] and listed["steps"] == [], listed
    assert not crash_first.exists()

    if retry == "reload":
        reloaded = {p["file"]: p for p in d.call("plugin.reload")["plugins"]}["libphoenix.so"]
        assert reloaded["state"] == "loaded" and reloaded["name"] == "phoenix", reloaded
    else:
        time.sleep(5.5)  # PluginSupervisor.retryAfter, counted from the failure (before the daemon was ready)
        # A submission once the pause is over starts it again in the background: it goes on without
        # the plugin (a slow start holds up no submission), the ones after it have its step.
        _, _, first = submitted_title_application(d, "先到", ("luoyang", "4103", "洛阳市"))
        assert first["state"] == "in_review", first
        wait_until(lambda: plugins(d)["libphoenix.so"]["state"] == "loaded", 30, "the plugin started again in the background")
    applicant, app, shown = submitted_title_application(d, "重启")
    assert shown["state"] == "returned" and shown["returned"]["comment"] == "【phoenix】phoenix returned it", shown
    assert auto_steps(applicant, app) == [("phoenix", "auto-return", "phoenix returned it")]
    assert plugins(d)["libphoenix.so"]["state"] == "loaded"
    assert d.output().count("plugin loaded") == 1, d.output()[-3000:]


def test_what_a_plugin_prints_goes_to_the_log_not_into_its_answers(daemon_factory, tmp_path):
    """A plugin that printf()s to stdout as it starts and during each call (text that even looks
    like an answer) still hands over its manifest and its decisions, and stays loaded; the text is
    in the daemon's log."""
    plugin_dir = tmp_path / "printer-plugins"
    plugin_dir.mkdir()
    custom_plugin(tmp_path, plugin_dir / "libprinter.so", "printer", RETURNED % "printer", prints=True)
    d = custom_daemon(daemon_factory, plugin_dir)
    assert plugins(d)["libprinter.so"]["state"] == "loaded", plugins(d)
    applicant, app, shown = submitted_title_application(d, "打印")
    assert shown["state"] == "returned" and shown["returned"]["comment"] == "【printer】printer returned it", shown
    assert shown["returned"]["sections"] == ["工作经历"] and shown["returned"]["reason"] == "not_qualified", shown
    assert plugins(d)["libprinter.so"]["state"] == "loaded", plugins(d)
    wait_until(lambda: "printer prints during its call" in d.output(), 10, "the plugin's text in the log")
    assert "printer prints while it starts" in d.output()


@pytest.mark.parametrize("answer,why", [
    ('{"decision":"return","sections":["工作经历"],"reason":"not_qualifed","comment":"x"}', 'reason "not_qualifed": 退回原因应为：incomplete'),
    ('{"decision":"return","sections":["工作经验"],"reason":"not_qualified","comment":"x"}', 'sections ["工作经验"]: 退回时请选择有问题的部分（基本信息、'),
    ('{"decision":"return","sections":"工作经历","reason":"not_qualified","comment":"x"}', 'sections "工作经历": 退回时请选择'),
    ('{"decision":"return","sections":[],"reason":"incomplete","comment":"x"}', "sections []: "),
    ('{"decision":"return","sections":["工作经历"],"reason":"other","comment":"  "}', 'comment "  ": 原因为“其他”时请填写说明'),
    ('{"decision":"retrun"}', 'invalid decision "retrun": it must be "pass" or "return"'),
])
def test_a_decision_that_is_not_valid_is_a_failed_step(daemon_factory, tmp_path, answer: str, why: str):
    """A return with a misspelt reason, a section the application does not have or `sections` that
    is not a list of names is not carried out (no guessed reason, no return naming no section):
    the step fails, saying what was wrong, in the trail and the log; the application
    goes on to people and the plugin stays loaded."""
    plugin_dir = tmp_path / "sloppy-plugins"
    plugin_dir.mkdir()
    custom_plugin(tmp_path, plugin_dir / "libsloppy.so", "sloppy", answer)
    d = custom_daemon(daemon_factory, plugin_dir)
    applicant, app, shown = submitted_title_application(d, "马虎")
    assert shown["state"] == "in_review" and not shown.get("returned"), shown
    # Why is for the office (the plugin host's words), not for the applicant.
    [(title, decision, comment)] = auto_steps(applicant, app)
    assert (title, decision, comment) == ("sloppy", "auto-failed", ""), comment
    office = Api(d.http_port, "zhengzhou").sign_in("4101", NEW_PASSWORD)
    [(title, decision, comment)] = auto_steps(office, app)
    assert (title, decision) == ("sloppy", "auto-failed") and why in comment, comment
    assert plugins(d)["libsloppy.so"]["state"] == "loaded", plugins(d)
    logged = [line for line in d.output().splitlines() if "plugin step answered a decision that is not valid" in line]
    assert len(logged) == 1 and "plugin.file=libsloppy.so" in logged[0] and why.replace('"', '\\"') in logged[0], d.output()[-3000:]



def test_a_second_plugin_of_the_same_name_is_refused(daemon_factory, tmp_path):
    """Two files whose manifests give one name: the file that sorts first is loaded, the other is
    refused "same name as <file>" (logged) and runs no step. Remove the first and reload: the
    other loads. Bring the first back: it takes the name again, and the other is refused."""
    plugin_dir = tmp_path / "twin-plugins"
    plugin_dir.mkdir()
    built = tmp_path / "libtwin.so"
    custom_plugin(tmp_path, built, "twin", RETURNED % "twin")
    for file in ("libtwin-a.so", "libtwin-b.so"):
        shutil.copy2(built, plugin_dir / file)
    d = custom_daemon(daemon_factory, plugin_dir)
    listed = plugins(d)
    assert listed["libtwin-a.so"]["state"] == "loaded", listed
    assert (listed["libtwin-b.so"]["state"], listed["libtwin-b.so"]["detail"]) == ("refused", "same name as libtwin-a.so"), listed
    assert re.search(r"plugin refused.*same name as libtwin-a\.so|same name as libtwin-a\.so.*plugin refused", d.output()), d.output()[-3000:]
    applicant, app, shown = submitted_title_application(d, "双胞胎")
    assert auto_steps(applicant, app) == [("twin", "auto-return", "twin returned it")]

    (plugin_dir / "libtwin-a.so").unlink()
    assert {p["file"]: p["state"] for p in d.call("plugin.reload")["plugins"]} == {"libtwin-b.so": "loaded"}

    tmp = plugin_dir / "libtwin-a.so.tmp"
    shutil.copy2(built, tmp)
    os.replace(tmp, plugin_dir / "libtwin-a.so")
    reloaded = {p["file"]: p for p in d.call("plugin.reload")["plugins"]}
    assert reloaded["libtwin-a.so"]["state"] == "loaded", reloaded
    assert (reloaded["libtwin-b.so"]["state"], reloaded["libtwin-b.so"]["detail"]) == ("refused", "same name as libtwin-a.so"), reloaded
    assert {f: p["state"] for f, p in plugins(d).items()} == {"libtwin-a.so": "loaded", "libtwin-b.so": "refused"}


def metric(d, name: str, **labels: str) -> float | None:
    """The value of the sample `name{labels}` on the daemon's /metrics, None when it is not there."""
    for line in d.http_get("/metrics")[2].decode().splitlines():
        if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return None


def test_failed_steps_are_counted_by_plugin_on_metrics(daemon_factory, tmp_path):
    """`zhicheng_plugin_step_failures_total{plugin}` counts the steps of each plugin that failed
    (here one answering garbage, which is marked faulty, and one answering a decision that is
    not valid, which stays loaded); it is there at 0 for every loaded plugin from the start, so
    that an alert sees the first failure as an increase. A plugin whose step works counts none."""
    plugin_dir = tmp_path / "counted-plugins"
    plugin_dir.mkdir()
    custom_plugin(tmp_path, plugin_dir / "libsloppy.so", "sloppy", '{"decision":"retrun"}')
    custom_plugin(tmp_path, plugin_dir / "libsound.so", "sound", '{"decision":"pass"}')
    src = tmp_path / "garbage.c"
    src.write_text(TEMPLATE % {"name": "garbage", "body": BAD["garbage"], "abi": "ZHICHENG_PLUGIN_ABI_VERSION"})
    compile_plugin(src, plugin_dir / "libgarbage.so")
    d = custom_daemon(daemon_factory, plugin_dir)
    # By file name: a plugin has it before its manifest names it (one not started yet is listed so).
    for name in ("sloppy", "sound", "garbage"):
        assert metric(d, "zhicheng_plugin_step_failures_total", plugin=f"lib{name}.so") == 0, name

    _, _, shown = submitted_title_application(d, "计数")
    assert shown["state"] == "in_review", shown
    assert plugins(d)["libgarbage.so"]["state"] == "faulty" and plugins(d)["libsloppy.so"]["state"] == "loaded"
    assert metric(d, "zhicheng_plugin_step_failures_total", plugin="libsloppy.so") == 1
    assert metric(d, "zhicheng_plugin_step_failures_total", plugin="libgarbage.so") == 1
    assert metric(d, "zhicheng_plugin_step_failures_total", plugin="libsound.so") == 0


def test_a_removed_plugins_failure_count_leaves_metrics_at_the_next_scan(daemon_factory, tmp_path):
    """A plugin removed from the plugin dir loses its `zhicheng_plugin_step_failures_total`
    series at the next scan (`plugin.reload`, a config reload, SIGHUP), and so does a file the
    scan refuses (a second plugin of one name): they run no step. Put back, a plugin's series
    starts again at 0 (a new series; Prometheus reads it as a counter reset). The others keep
    theirs and their counts."""
    plugin_dir = tmp_path / "removed-plugins"
    plugin_dir.mkdir()
    built = tmp_path / "libsloppy.so"
    custom_plugin(tmp_path, built, "sloppy", '{"decision":"retrun"}')
    shutil.copy2(built, plugin_dir / "libsloppy.so")
    custom_plugin(tmp_path, plugin_dir / "libsound.so", "sound", '{"decision":"pass"}')
    d = custom_daemon(daemon_factory, plugin_dir)
    failures = lambda file: metric(d, "zhicheng_plugin_step_failures_total", plugin=file)  # noqa: E731
    submitted_title_application(d, "计数")
    assert (failures("libsloppy.so"), failures("libsound.so")) == (1, 0)

    (plugin_dir / "libsloppy.so").unlink()
    assert {p["file"] for p in d.call("plugin.reload")["plugins"]} == {"libsound.so"}
    assert (failures("libsloppy.so"), failures("libsound.so")) == (None, 0)

    # Put back: a new series at 0, counting again.
    shutil.copy2(built, plugin_dir / "libsloppy.so")
    d.call("plugin.reload")
    assert (failures("libsloppy.so"), failures("libsound.so")) == (0, 0)
    submitted_title_application(d, "再计数", ("luoyang", "4103", "洛阳市"))
    assert failures("libsloppy.so") == 1

    # A config reload scans too, and so does SIGHUP.
    (plugin_dir / "libsloppy.so").unlink()
    assert d.call("config.reload")["reloaded"] is True
    assert failures("libsloppy.so") is None
    shutil.copy2(built, plugin_dir / "libsloppy.so")
    os.kill(d.pid, signal.SIGHUP)
    wait_until(lambda: failures("libsloppy.so") == 0, 20, "SIGHUP to count the plugin put back")
    (plugin_dir / "libsloppy.so").unlink()
    os.kill(d.pid, signal.SIGHUP)
    wait_until(lambda: failures("libsloppy.so") is None, 20, "SIGHUP to drop the removed plugin's series")

    # Refused (the name of a plugin whose file sorts first): no series either.
    shutil.copy2(plugin_dir / "libsound.so", plugin_dir / "libsound-twin.so")
    # ("-" sorts before "."; the file that sorts first keeps the name.)
    assert {p["file"]: p["state"] for p in d.call("plugin.reload")["plugins"]} == {"libsound-twin.so": "loaded", "libsound.so": "refused"}
    assert (failures("libsound.so"), failures("libsound-twin.so")) == (None, 0)
    assert d.alive()
