"""`make bench`, part 2: review decisions and the reviewer's queue page over HTTP.

Imported by run.py (which runs it after the admin-socket steps); standard library
only, same rules as run.py: every process is started through run.Procs and killed
in a `finally`, every wait is bounded, timings are reported, never asserted.

  (e) review decisions per second over HTTP — POST .../applications/<id>/decision,
      each a durable write with its decision row and its hash-chained audit row —
      for 1 client and for 64 concurrent reviewers (64 handler accounts, one
      keep-alive connection each), against raw SQLite transactions of the same
      shape (UPDATE of an applications row + INSERT of a decision row + INSERT of a
      hash-chained audit row, WAL, synchronous=FULL, one transaction per commit,
      one writer) on the same file system in the same run;
  (f) a reviewer's queue page (GET .../reviews/queue) with 100,000 applications in
      the tenant, against GET /healthz of the same server, same client, same
      connections: requests per second, median and p99 latency; and, for
      information, the same queue at 10 rows per page (the fixed cost per request
      and the cost per row apart);
  (g) a `bdecide` reviewer's page at one connection, alone, during 16 connections
      of failing sign-ins (each a full password hash), and during a backup and a
      restore of the queue tenant: p99 and worst latency;
  (h) a failed sign-in's time at one connection, a real login (wrong password)
      against a made-up one, in turn: medians (they should not tell which
      logins exist).

Set-up: a fresh data dir; two tenants made through the admin socket and the
API (root admin, reviewers with their roles and series, an applicant whose real
draft application gives the stored `chain` JSON shape); then, with the daemon
stopped, applications (with their sections and 'submit' trail rows), applicant
accounts and sessions with known bearer tokens are written straight into the
tenant databases. Decisions and audit rows are written only by the daemon, and
`tenant.check` (integrity, foreign keys, audit chain) must pass afterwards.
"""

from __future__ import annotations

import datetime
import hashlib
import http.client
import json
import os
import random
import secrets
import shutil
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import run as R  # run.py registers itself under this name before importing us

DECIDE_TENANT = "bdecide"
QUEUE_TENANT = "bqueue"
DIVISION = "4101"
SERIES = "中小学教师"
SECTIONS = ["基本信息", "学历学位", "工作经历", "业绩成果", "论文著作", "获奖情况", "年度考核", "继续教育", "附件"]
NEW_PASSWORD = "Bench2024review"
AIM_GROUP_COMMIT = 1.5   # 64 reviewers vs raw one-transaction-per-commit
AIM_QUEUE_RATIO = 0.5    # queue page vs /healthz
SMALL_PAGE = 10          # rows of the informational smaller queue page (the aim row uses the API's default, 50)
RAW_ROWS = 60_000        # applications in the raw baseline's table (fixed, whatever --review-apps is)
# (series, level, title) that the catalog accepts; the first is the reviewers' series.
KINDS = [(SERIES, "中级", "一级教师"), (SERIES, "副高级", "高级教师"), ("工程技术人员", "中级", "工程师"),
         ("卫生技术人员（医疗类）", "中级", "主治医师"), ("会计人员", "中级", "会计师"),
         ("高等学校教师", "中级", "讲师"), ("农业技术人员", "中级", "农艺师")]

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECKS = "10X98765432"


def id_number(n: int) -> str:
    """A valid GB 11643 ID-card number, distinct for each n (birth date from n // 1000, sequence n % 1000)."""
    born = datetime.date(1970, 1, 1) + datetime.timedelta(days=n // 1000)
    first17 = f"410105{born:%Y%m%d}{n % 1000:03d}"
    return first17 + _ID_CHECKS[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS)) % 11]


def canonical(obj) -> str:
    """JSON as the daemon stores it (sorted keys, no spaces, UTF-8 text)."""
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def section_contents(n: int) -> dict[str, str]:
    """Plausible, smallish section contents (each a JSON object of text fields)."""
    return {
        "基本信息": canonical({"姓名": f"申报人{n:06d}", "性别": "女" if n % 2 else "男", "出生年月": f"{1970 + n % 30}-{1 + n % 12:02d}",
                           "民族": "汉族", "政治面貌": "群众", "现任职务": "教师", "参加工作时间": f"{1992 + n % 25}-09"}),
        "学历学位": canonical({"最高学历": "大学本科", "最高学位": "学士", "毕业院校": "河南师范大学", "所学专业": "汉语言文学", "毕业时间": "2007-07"}),
        "工作经历": canonical({"经历": "2007-09 至 2015-08 郑州市管城回族区某小学 语文教师；2015-09 至今 同校 语文教师、年级组长"}),
        "业绩成果": canonical({"成果": "近五年任教语文学科，所带班级成绩稳定，承担区级公开课两次，指导青年教师三名。"}),
        "论文著作": canonical({"论文": "《小学语文阅读教学中的提问策略》，河南教育，2021年第3期，独著"}),
        "获奖情况": canonical({"获奖": "2020年 区级优秀教师；2022年 市级优质课二等奖"}),
        "年度考核": canonical({"2021": "合格", "2022": "优秀", "2023": "合格", "2024": "合格", "2025": "优秀"}),
        "继续教育": canonical({"学时": "近五年累计 360 学时，均已登记"}),
    }


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process so far (all its threads), from /proc/PID/stat."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


class FsyncCounter:
    """Counts the daemon's fsync + fdatasync calls with `perf stat` (kernel tracepoints,
    counting only: no sampling, negligible overhead) while it runs. Optional: without
    perf, or without permission for the tracepoints, the count is None."""

    EVENTS = "syscalls:sys_enter_fsync,syscalls:sys_enter_fdatasync"

    def __init__(self, procs: "R.Procs", pid: int, out: Path) -> None:
        self.procs, self.out, self.p = procs, out, None
        perf = shutil.which("perf")
        if perf is None:
            return
        try:
            out.unlink()
        except FileNotFoundError:
            pass
        self.p = procs.popen([perf, "stat", "-x,", "-o", str(out), "-e", self.EVENTS, "-p", str(pid)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.2)  # attaching takes a moment; nothing is measured before the client starts
        if self.p.poll() is not None:
            self.procs.forget(self.p)
            self.p = None

    def stop(self) -> int | None:
        if self.p is None:
            return None
        try:
            os.kill(self.p.pid, signal.SIGINT)  # perf stat prints its counts on SIGINT
            self.p.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
        R.Procs.kill(self.p, grace=0)
        self.procs.forget(self.p)
        total = 0
        try:
            for line in self.out.read_text().splitlines():
                parts = line.split(",")
                if len(parts) >= 3 and parts[2].startswith("syscalls:"):
                    if not parts[0].strip().isdigit():
                        return None  # <not counted> / <not supported>
                    total += int(parts[0])
        except OSError:
            return None
        return total


class Http:
    """A keep-alive JSON client for one tenant's API (bounded by a timeout)."""

    def __init__(self, port: int, tenant: str, timeout: float, token: str | None = None) -> None:
        self.port, self.tenant, self.timeout, self.token = port, tenant, timeout, token
        self.conn: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def call(self, method: str, path: str, body=None, expect: tuple[int, ...] = (200, 201, 204)):
        url = path if path.startswith("/") else f"/t/{self.tenant}/api/v1/{path}"
        headers = {}
        data = None
        if body is not None:
            data = json.dumps(body, ensure_ascii=False).encode()
            headers["Content-Type"] = "application/json"
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            try:
                self.conn.request(method, url, body=data, headers=headers)
                resp = self.conn.getresponse()
                raw = resp.read()
                break
            except (ConnectionError, http.client.RemoteDisconnected, http.client.CannotSendRequest) as e:
                self.close()
                if attempt:
                    raise R.BenchError(f"{method} {url}: {e}") from None
            except OSError as e:  # includes socket.timeout
                self.close()
                raise R.BenchError(f"{method} {url}: {e}") from None
        if resp.status not in expect:
            raise R.BenchError(f"{method} {url}: HTTP {resp.status}: {raw[:300].decode(errors='replace')}")
        if not raw:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            return raw

    def sign_in(self, login: str, password: str) -> None:
        """Signs in and, since first passwords are one-time, sets a new one (keeping this session)."""
        self.token = None
        try:
            s = self.call("POST", "session", {"login": login, "password": password})
        except R.BenchError as e:
            if "HTTP 404" in str(e):
                raise R.BenchError(f"{e} -- this daemon has no tenant JSON API (POST /t/<tenant>/api/v1/session); "
                                   f"is the binary older than the sources? (rebuild it, or pass --binary / ZHICHENGD)") from None
            raise
        self.token = s["token"]
        self.call("POST", "account/password", {"old_password": password, "new_password": NEW_PASSWORD})


class ReviewBench:
    def __init__(self, b: "R.Bench") -> None:
        self.b = b
        self.a = b.a
        self.out: dict = {}
        b.r["review"] = self.out
        self.work = b.work / "review-harness"  # tokens, the raw baseline's database, perf output
        self.tokens_file = self.work / "tokens.txt"

    # -- helpers

    def client(self, d: "R.Daemon", *args: str, seconds: float) -> dict:
        """One httpclient run, waited for; its JSON result with "exit" added."""
        return self.finish_client(self.background_client(d, *args), seconds)

    def background_client(self, d: "R.Daemon", *args: str) -> subprocess.Popen:
        """Starts an httpclient run; `finish_client` waits for it (bounded) and reads its result."""
        argv = [str(R.OUT / "httpclient"), "--port", str(d.http_port), "--timeout", str(self.a.request_timeout), *args]
        return self.b.procs.popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def finish_client(self, p: subprocess.Popen, seconds: float) -> dict:
        try:
            out, err = p.communicate(timeout=seconds + self.a.request_timeout + 30)
        except subprocess.TimeoutExpired:
            R.Procs.kill(p)
            p.communicate(timeout=5)
            raise R.BenchError(f"httpclient timed out after {seconds + self.a.request_timeout + 30:.0f} s") from None
        finally:
            self.b.procs.forget(p)
        try:
            x = json.loads(out.strip().splitlines()[-1])
        except (ValueError, IndexError):
            raise R.BenchError(f"httpclient printed no JSON (status {p.returncode}): {out[-300:]}{err[-300:]}") from None
        x["exit"] = p.returncode
        return x

    def measured(self, d: "R.Daemon", *args: str, seconds: float, fsyncs: bool = False) -> dict:
        """One httpclient run with the daemon's CPU time (and, if asked, its fsyncs) around it."""
        counter = FsyncCounter(self.b.procs, d.pid, self.work / "perf-stat.csv") if fsyncs and self.a.fsync_count else None
        cpu0 = cpu_seconds(d.pid)
        try:
            x = self.client(d, *args, seconds=seconds)
        finally:
            cpu1 = cpu_seconds(d.pid)
            n = counter.stop() if counter else None
        x["daemon_cpu_s"] = cpu1 - cpu0 if cpu0 is not None and cpu1 is not None else None
        x["fsyncs"] = n
        # Every request the daemon served in the window (warm-up and the last in flight too).
        x["served"] = x.get("requests", 0) + x.get("warmup_requests", 0) + x.get("late", 0)
        return x

    @staticmethod
    def check_client(what: str, x: dict) -> None:
        if x.get("exit") != 0:
            raise R.BenchError(f"{what}: {x.get('bad', 0)} bad responses, {x.get('transport_errors', 0)} transport errors"
                               f"{', timed out' if x.get('timed_out') else ''}; first bad: {x.get('first_bad')}; "
                               f"error: {x.get('error')}")

    def admin(self, d: "R.Daemon", cmd: str, args: dict, timeout: float | None = None) -> dict:
        reply, _ = R.admin_call(d.admin, cmd, args, timeout=timeout or self.a.request_timeout)
        if reply.get("ok") is not True:
            raise R.BenchError(f"{cmd}: {json.dumps(reply, ensure_ascii=False)[:300]}")
        return reply.get("result") or {}

    def db_path(self, d: "R.Daemon", tenant: str) -> Path:
        return d.data_dir / "tenants" / tenant / "tenant.sqlite"

    # -- step

    def run(self) -> None:
        a = self.a
        self.work.mkdir(parents=True, exist_ok=True)
        d = self.b.daemon("review")
        try:
            self.b.need(60, "review set-up")
            progress(f"review: set-up through the admin socket and the API ({a.review_clients} reviewers, "
                     f"{a.queue_children} units)")
            t = time.monotonic()
            d.start()
            setup = self.setup_api(d)
            d.check_alive("review set-up")
            stop = d.stop(timeout=self.b.stop_timeout())
            if stop.get("error"):
                raise R.BenchError(f"stop after set-up: {stop['error']}")
            self.out["setup_api_s"] = time.monotonic() - t

            t = time.monotonic()
            progress(f"  seeding {a.review_apps:,} applications to decide and {a.queue_apps:,} for the queue page "
                     f"straight into the tenant databases (daemon stopped)")
            self.seed_decide(d, setup)
            self.seed_queue(d, setup)
            self.out["seed_s"] = time.monotonic() - t
            progress(f"  seeded in {self.out['seed_s']:.1f} s")

            self.b.need(40, "review measurements")
            d.start()
            if not a.only_queue:
                self.measure_decisions(d, setup)
            self.measure_queue(d, setup)
            self.measure_stalls(d)
            self.measure_signin_timing(d)
            self.verify(d, setup)
        finally:
            stop = d.stop(timeout=self.b.stop_timeout())
            self.out["stop"] = stop
            if stop.get("error"):
                self.b.err("review: stop", stop["error"])
            if not a.keep:
                shutil.rmtree(d.data_dir, ignore_errors=True)

    # -- set-up through the API

    def setup_api(self, d: "R.Daemon") -> dict:
        a = self.a
        out: dict = {}
        clients: list[Http] = []
        try:
            for tenant in (DECIDE_TENANT, QUEUE_TENANT):
                created = self.admin(d, "tenant.create", {"id": tenant, "name": "评审基准" if tenant == DECIDE_TENANT else "队列基准",
                                                          "division_code": DIVISION})
                adm = Http(d.http_port, tenant, a.request_timeout)
                clients.append(adm)
                adm.sign_in(created["admin_login"], created["admin_password"])
                out[tenant] = {"admin": adm}

            # Decisions: 64 handlers at the root office, and one applicant whose real
            # draft gives the chain JSON the daemon writes.
            adm = out[DECIDE_TENANT]["admin"]
            handlers = []
            for i in range(a.review_clients):
                handlers.append(self.add_reviewer(adm, f"handler{i:03d}", ["handler"]))
            out[DECIDE_TENANT]["handlers"] = handlers
            r = adm.call("POST", "orgs/1/applicants", {"id_number": id_number(900001), "name": "基准申报人"})
            applicant = Http(d.http_port, DECIDE_TENANT, a.request_timeout)
            clients.append(applicant)
            applicant.sign_in(r["account"]["login"], r["password"])
            draft = applicant.call("POST", "applications", {"kind": "title", "year": 2026, "series": SERIES, "level": "中级", "title": "一级教师"})
            if draft.get("state") != "draft" or draft.get("route") != [1]:
                raise R.BenchError(f"unexpected draft application: {json.dumps(draft, ensure_ascii=False)[:300]}")
            out[DECIDE_TENANT]["applicant_id"] = r["account"]["id"]
            out[DECIDE_TENANT]["draft_id"] = draft["id"]

            # Queue page: units under the root office, and one handler at the root office.
            adm = out[QUEUE_TENANT]["admin"]
            units = []
            for i in range(a.queue_children):
                c = adm.call("POST", "orgs/1/children", {"name": f"基准单位{i + 1:02d}", "kind": "department"})
                units.append(c["org"]["id"])
            out[QUEUE_TENANT]["units"] = units
            out[QUEUE_TENANT]["reviewer"] = self.add_reviewer(adm, "queue.handler", ["handler"])
        finally:
            for c in clients:
                c.close()
        for tenant in (DECIDE_TENANT, QUEUE_TENANT):
            out[tenant].pop("admin", None)
        return out

    @staticmethod
    def add_reviewer(adm: Http, login: str, roles: list[str]) -> int:
        r = adm.call("POST", "orgs/1/staff", {"login": login, "name": f"审查员{login[-3:]}", "phone": ""})
        sid = r["account"]["id"]
        adm.call("POST", f"staff/{sid}/enable")
        adm.call("PUT", f"staff/{sid}/roles", {"roles": roles})
        adm.call("PUT", f"staff/{sid}/permissions", {"series": [SERIES], "sections": SECTIONS})
        return sid

    # -- seeding (daemon stopped)

    @staticmethod
    def open_seed(path: Path) -> sqlite3.Connection:
        if not path.exists():
            raise R.BenchError(f"{path} does not exist (tenant layout changed?)")
        con = sqlite3.connect(path, isolation_level=None, timeout=10)
        con.execute("PRAGMA synchronous=NORMAL")
        con.execute("PRAGMA foreign_keys=ON")
        return con

    @staticmethod
    def close_seed(con: sqlite3.Connection) -> None:
        if con.in_transaction:  # seeding failed half-way: its error is the one to report
            con.execute("ROLLBACK")
            con.close()
            return
        problems = con.execute("PRAGMA foreign_key_check").fetchmany(5)
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.close()
        if problems:
            raise R.BenchError(f"seeded rows break foreign keys: {problems}")

    @staticmethod
    def sessions(con: sqlite3.Connection, account_ids: list[int]) -> list[str]:
        """Signed-in sessions with known bearer tokens; the accounts' one-time passwords are taken as changed."""
        now = time.time()
        tokens = []
        for acc in account_ids:
            token = secrets.token_urlsafe(32)
            con.execute("INSERT INTO sessions (token_hash, account_id, csrf_token, created_at, expires_at, source) VALUES (?,?,?,?,?,?)",
                        (hashlib.sha256(token.encode()).hexdigest(), acc, secrets.token_urlsafe(32), now, now + 6 * 3600, "bench"))
            con.execute("UPDATE accounts SET must_change_password = 0 WHERE id = ?", (acc,))
            tokens.append(token)
        return tokens

    def chain_template(self, con: sqlite3.Connection, draft_id: int) -> dict:
        row = con.execute("SELECT chain FROM applications WHERE id = ?", (draft_id,)).fetchone()
        if not row:
            raise R.BenchError("the draft application made through the API is not in the database")
        chain = json.loads(row[0])
        for key in ("route", "state", "position", "stage"):
            if key not in chain:
                raise R.BenchError(f"the stored chain has no {key!r} (ReviewChain changed?): {row[0]}")
        self.out["chain_json"] = row[0]
        return chain

    @staticmethod
    def chain(template: dict, route: list[int], state: str, position: int = 0, stage: str = "handler",
              handler: int | None = None, reviewed: bool = False, province: bool = False) -> str:
        c = dict(template)
        c.update(route=route, state=state, position=position, stage=stage, endsInProvince=province)
        c["reviewedSinceSubmission"] = reviewed
        c.pop("handlerDecider", None)
        if handler is not None:
            c["handlerDecider"] = handler
        return canonical(c)

    def seed_decide(self, d: "R.Daemon", setup: dict) -> None:
        s = setup[DECIDE_TENANT]
        con = self.open_seed(self.db_path(d, DECIDE_TENANT))
        try:
            tmpl = self.chain_template(con, s["draft_id"])
            self.template = tmpl
            con.execute("BEGIN")
            tokens = self.sessions(con, s["handlers"])
            n = 0 if self.a.only_queue else self.a.review_apps
            now = time.time()
            chain = self.chain(tmpl, [1], "in_review")
            first = con.execute("SELECT coalesce(max(id), 0) + 1 FROM applications").fetchone()[0]
            applicant = s["applicant_id"]
            con.executemany(
                "INSERT INTO applications (id, applicant_id, org_id, kind, year, series, level, title, state, chain, current_org_id, stage, "
                "version, submissions, created_at, updated_at) VALUES (?, ?, 1, 'title', 2026, ?, '中级', '一级教师', 'in_review', ?, 1, 'handler', 1, 1, ?, ?)",
                ((first + i, applicant, SERIES, chain, now - 86400, now - 3600 + i * 1e-3) for i in range(n)))
            contents = section_contents(1)
            con.executemany("INSERT INTO application_sections (application_id, section, content, updated_at) VALUES (?, ?, ?, ?)",
                            ((first + i, name, text, now - 86400) for i in range(n) for name, text in contents.items()))
            con.executemany("INSERT INTO decisions (application_id, submission, org_id, stage, actor_id, decision, at) "
                            "VALUES (?, 1, NULL, NULL, ?, 'submit', ?)", ((first + i, applicant, now - 86400) for i in range(n)))
            con.execute("COMMIT")
            s["first_app"], s["apps"] = first, n
            self.tokens_file.write_text("".join(t + "\n" for t in tokens))
            s["tokens"] = tokens
        finally:
            self.close_seed(con)

    def seed_queue(self, d: "R.Daemon", setup: dict) -> None:
        a = self.a
        s = setup[QUEUE_TENANT]
        n, matching, units = a.queue_apps, min(a.queue_matching, a.queue_apps), s["units"]
        rng = random.Random(20260101)
        con = self.open_seed(self.db_path(d, QUEUE_TENANT))
        try:
            tmpl = self.template
            con.execute("BEGIN")
            s["token"] = self.sessions(con, [s["reviewer"]])[0]
            now = time.time()
            first_acc = con.execute("SELECT coalesce(max(id), 0) + 1 FROM accounts").fetchone()[0]
            # One applicant account per application, in the units.
            unit_of = [units[rng.randrange(len(units))] for _ in range(n)]
            con.executemany(
                "INSERT INTO accounts (id, org_id, login, name, kind, password_hash, must_change_password, enabled, created_at) "
                "VALUES (?, ?, ?, ?, 'applicant', '!', 1, 1, ?)",
                ((first_acc + i, unit_of[i], id_number(i), f"申报人{i:06d}", now - 90 * 86400) for i in range(n)))
            first = con.execute("SELECT coalesce(max(id), 0) + 1 FROM applications").fetchone()[0]
            # Where each application is: `matching` wait for this reviewer (root office,
            # handler step, the reviewer's series); ~10% more wait at the root office for
            # the leader or in other series; ~35% are being reviewed in the units; the
            # rest are drafts or finished (returned, rejected, withdrawn, at the
            # province or the committee).
            kinds = ["match"] * matching
            rest = n - matching
            for kind, share in (("root_other", 0.10), ("unit", 0.35), ("draft", 0.15)):
                kinds += [kind] * int(rest * share)
            kinds += ["done"] * (n - len(kinds))
            rng.shuffle(kinds)
            apps, sections, trail = [], [], []
            counts: dict[str, int] = {}
            waiting: list[int] = []
            for i, kind in enumerate(kinds):
                app_id, unit = first + i, unit_of[i]
                route = [unit, 1]
                series, level, title = KINDS[0] if kind == "match" else KINDS[rng.randrange(len(KINDS))]
                province = level == "副高级"
                created = now - rng.uniform(10, 90) * 86400
                updated = created + rng.uniform(0, 9) * 86400
                subs, stage, cur = 1, None, None
                if kind == "match":
                    waiting.append(app_id)
                    state, cur, stage = "in_review", 1, "handler"
                    ch = self.chain(tmpl, route, state, 1, "handler", reviewed=True, province=province)
                elif kind == "root_other":
                    state, cur = "in_review", 1
                    if rng.random() < 0.5 or series == SERIES:
                        stage = "leader"
                        ch = self.chain(tmpl, route, state, 1, "leader", handler=s["reviewer"], reviewed=True, province=province)
                    else:
                        stage = "handler"
                        ch = self.chain(tmpl, route, state, 1, "handler", reviewed=True, province=province)
                elif kind == "unit":
                    state, cur = "in_review", unit
                    stage = rng.choice(["handler", "leader"])
                    ch = self.chain(tmpl, route, state, 0, stage, handler=4242 if stage == "leader" else None,
                                    reviewed=stage == "leader", province=province)
                elif kind == "draft":
                    state, subs = "draft", 0
                    ch = self.chain(tmpl, route, state, province=province)
                else:
                    state = rng.choice(["returned", "rejected", "withdrawn", "at_committee"] + (["awaiting_province"] if province else []))
                    ch = self.chain(tmpl, route, state, reviewed=state != "withdrawn", province=province)
                counts[kind] = counts.get(kind, 0) + 1
                apps.append((app_id, first_acc + i, unit, series, level, title, state, ch, cur, stage, 1 + 2 * subs, subs, created, updated))
                if subs:
                    trail.append((app_id, first_acc + i, created + 3600))
                if cur == 1:  # what the root office's reviewers open: full contents
                    sections.extend((app_id, name, text, created) for name, text in section_contents(i).items())
            con.executemany(
                "INSERT INTO applications (id, applicant_id, org_id, kind, year, series, level, title, state, chain, current_org_id, stage, "
                "version, submissions, created_at, updated_at) VALUES (?, ?, ?, 'title', 2026, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", apps)
            con.executemany("INSERT INTO application_sections (application_id, section, content, updated_at) VALUES (?, ?, ?, ?)", sections)
            con.executemany("INSERT INTO decisions (application_id, submission, org_id, stage, actor_id, decision, at) "
                            "VALUES (?, 1, NULL, NULL, ?, 'submit', ?)", trail)
            con.execute("COMMIT")
            s["matching"] = matching
            s["waiting_ids"] = set(waiting)
            s["layout"] = counts
            self.out["queue_tenant"] = {"applications": n + 0, "matching": matching, "layout": counts,
                                        "section_rows": len(sections), "units": len(units)}
        finally:
            self.close_seed(con)
        self.out["db_bytes"] = {t: self.db_path(d, t).stat().st_size for t in (DECIDE_TENANT, QUEUE_TENANT)}

    # -- raw SQLite baseline

    def raw_prepare(self) -> sqlite3.Connection:
        """The raw baseline's database, on the same file system as the daemon's: the
        columns and indexes the decision touches, with as many applications."""
        path = self.work / "raw-baseline.sqlite"
        con = sqlite3.connect(path, isolation_level=None)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=FULL")
        con.executescript("""
            CREATE TABLE applications (id INTEGER PRIMARY KEY, applicant_id INTEGER NOT NULL, org_id INTEGER NOT NULL,
                series TEXT NOT NULL, level TEXT NOT NULL, title TEXT NOT NULL, state TEXT NOT NULL, chain TEXT NOT NULL,
                current_org_id INTEGER, stage TEXT, version INTEGER NOT NULL, submissions INTEGER NOT NULL, updated_at REAL NOT NULL,
                applicant_name TEXT NOT NULL, unit_name TEXT NOT NULL) STRICT;
            CREATE INDEX applications_queue ON applications(current_org_id, stage, series, id, level, title, submissions, version,
                applicant_name, unit_name) WHERE state = 'in_review';
            CREATE INDEX applications_quota ON applications(org_id, series, level, state);
            CREATE TABLE decisions (id INTEGER PRIMARY KEY, application_id INTEGER NOT NULL, submission INTEGER NOT NULL,
                org_id INTEGER, stage TEXT, actor_id INTEGER NOT NULL, decision TEXT NOT NULL, comment TEXT NOT NULL DEFAULT '',
                sections TEXT NOT NULL DEFAULT '[]', reason TEXT, at REAL NOT NULL) STRICT;
            CREATE INDEX decisions_application ON decisions(application_id, id);
            CREATE TABLE audit (seq INTEGER PRIMARY KEY, at REAL NOT NULL, actor TEXT NOT NULL, org_id INTEGER, action TEXT NOT NULL,
                target TEXT NOT NULL, detail TEXT NOT NULL, source TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL) STRICT;
        """)
        chain = self.chain(self.template, [1], "in_review")
        con.execute("BEGIN")
        con.executemany("INSERT INTO applications VALUES (?, 1, 1, ?, '中级', '一级教师', 'in_review', ?, 1, 'handler', 1, 1, ?, '申报人', '申报单位')",
                        ((i, SERIES, chain, time.time()) for i in range(1, RAW_ROWS + 1)))
        con.execute("COMMIT")
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # so that no run pays for checkpointing the seeding
        return con

    def raw_baseline(self, seconds: float, con_holder: dict) -> dict:
        """One writer, one transaction per decision: UPDATE the application, INSERT the
        decision, INSERT a hash-chained audit row; WAL, synchronous=FULL. The first
        `--warmup` seconds are not counted, as for the daemon."""
        con = con_holder["con"]
        leader = self.chain(self.template, [1], "in_review", 0, "leader", handler=2, reviewed=True)
        n, lat = 0, []
        t0 = time.monotonic() + self.a.warmup
        end = t0 + seconds
        while True:
            t = time.monotonic()
            if t >= end:
                break
            app = con_holder["next"] % RAW_ROWS + 1
            con_holder["next"] += 1
            now = time.time()
            con.execute("BEGIN IMMEDIATE")
            con.execute("UPDATE applications SET state = 'in_review', chain = ?, current_org_id = 1, stage = 'leader', "
                        "version = version + 1, updated_at = ? WHERE id = ?", (leader, now, app))
            con.execute("INSERT INTO decisions (application_id, submission, org_id, stage, actor_id, decision, comment, sections, reason, at) "
                        "VALUES (?, 1, 1, 'handler', 2, 'pass', '同意', '[]', NULL, ?)", (app, now))
            last = con.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
            seq, prev = (last[0] + 1, last[1]) if last else (1, "0" * 64)
            detail = '{"stage":"handler","comment":"同意"}'
            digest = hashlib.sha256(f"{prev}|{seq}|{now}|account:2|application.pass|application:{app}|{detail}".encode()).hexdigest()
            con.execute("INSERT INTO audit VALUES (?, ?, 'account:2 handler000', 1, 'application.pass', ?, ?, '127.0.0.1', ?, ?)",
                        (seq, now, f"application:{app}", detail, prev, digest))
            con.execute("COMMIT")
            if t >= t0:
                lat.append(time.monotonic() - t)
                n += 1
        dt = time.monotonic() - t0
        lat.sort()
        return {"transactions": n, "seconds": dt, "rps": n / dt if dt > 0 else None,
                "lat_us": {"p50": lat[len(lat) // 2] * 1e6 if lat else None, "p99": lat[int(0.99 * (len(lat) - 1))] * 1e6 if lat else None}}

    # -- decisions

    def measure_decisions(self, d: "R.Daemon", setup: dict) -> None:
        a = self.a
        s = setup[DECIDE_TENANT]
        path = f"/t/{DECIDE_TENANT}/api/v1/applications/{{id}}/decision"
        body = '{"decision":"pass","comment":"同意","version":1}'
        next_id, last_id = s["first_app"], s["first_app"] + s["apps"]

        # One decision by hand first: the route works and moves the application on.
        h = Http(d.http_port, DECIDE_TENANT, a.request_timeout, token=s["tokens"][0])
        try:
            v = h.call("POST", f"applications/{next_id}/decision", json.loads(body))
        finally:
            h.close()
        if not (isinstance(v, dict) and v.get("step") == "leader" and v.get("version") == 2):
            raise R.BenchError(f"a handler's pass did not move the application to the leader step: "
                               f"{json.dumps(v, ensure_ascii=False)[:300]}")
        next_id += 1
        decided = 1

        runs: dict[str, list] = {"raw": [], "c1": [], f"c{a.review_clients}": []}
        holder: dict = {"con": self.raw_prepare(), "next": 1}
        progress(f"review decisions: {a.review_rounds} round{'s' if a.review_rounds != 1 else ''} of raw SQLite ({a.review_seconds:g} s), then the daemon with 1 "
                 f"and {a.review_clients} clients ({a.review_seconds:g} s each after {a.warmup:g} s warm-up)")
        try:
            for rnd in range(a.review_rounds):
                self.b.need(3 * (a.review_seconds + a.warmup) + 40, "review decisions")
                order = ["raw", 1, a.review_clients] if rnd % 2 == 0 else [a.review_clients, 1, "raw"]
                line = []
                for who in order:
                    if who == "raw":
                        x = self.raw_baseline(a.review_seconds, holder)
                        runs["raw"].append(x)
                        line.append(f"raw {x['rps']:,.0f}/s")
                        continue
                    if next_id >= last_id:
                        raise R.BenchError(f"all {s['apps']:,} seeded applications were decided; raise --review-apps")
                    x = self.measured(d, "--conns", str(who), "--duration", str(a.review_seconds), "--warmup", str(a.warmup),
                                      "--method", "POST", "--path", path, "--body", body, "--tokens", str(self.tokens_file),
                                      "--ids", f"{next_id}:{last_id - next_id}", "--contains", '"step":"leader"',
                                      seconds=a.review_seconds + a.warmup, fsyncs=True)
                    next_id += x.get("ids_used", 0)
                    decided += x.get("ids_used", 0)
                    runs[f"c{who}"].append(x)
                    line.append(f"{who} client{'s' if who != 1 else ''} {x.get('rps', 0):,.0f}/s")
                    self.check_client(f"decisions, {who} clients", x)
                    if x.get("exhausted"):
                        self.b.warn("review decisions", f"seeded applications ran out during the {who}-client run "
                                                        f"(its rate is over a shorter time); raise --review-apps")
                    d.check_alive("review decisions")
                progress(f"  round {rnd + 1}: " + ", ".join(line))
        finally:
            if holder.get("con") is not None:
                holder["con"].close()
            s["decided"] = decided
            self.out["decisions_sent"] = decided
            raw_rps = R.median([x["rps"] for x in runs["raw"]])
            res: dict = {"raw": {"rps": raw_rps, "runs": runs["raw"],
                                 "p50_us": R.median([x["lat_us"]["p50"] for x in runs["raw"]])}}
            for key in ("c1", f"c{a.review_clients}"):
                rr = runs[key]
                if not rr:
                    continue
                rps = R.median([x["rps"] for x in rr])
                res[key] = {"conns": rr[0]["conns"], "rps": rps, "ratio": rps / raw_rps if rps and raw_rps else None,
                            "round_ratios": [x["rps"] / r["rps"] if r.get("rps") else None for x, r in zip(rr, runs["raw"])],
                            "p50_us": R.median([x["lat_us"]["p50"] for x in rr]),
                            "p99_us": R.median([x["lat_us"]["p99"] for x in rr]),
                            "per_fsync": R.median([x["ids_used"] / x["fsyncs"] if x.get("fsyncs") else None for x in rr]),
                            "cpu_ms": R.median([x["daemon_cpu_s"] * 1000 / x["ids_used"] if x.get("daemon_cpu_s") is not None
                                                and x.get("ids_used") else None for x in rr]),
                            "runs": rr}
            self.out["decisions"] = res

    # -- queue page

    def measure_queue(self, d: "R.Daemon", setup: dict) -> None:
        a = self.a
        s = setup[QUEUE_TENANT]
        qpath = f"/t/{QUEUE_TENANT}/api/v1/reviews/queue"
        token_file = self.work / "queue-token.txt"
        token_file.write_text(s["token"] + "\n")
        h = Http(d.http_port, QUEUE_TENANT, a.request_timeout, token=s["token"])
        try:
            t = time.monotonic()
            page = h.call("GET", "reviews/queue")
            first_s = time.monotonic() - t
        finally:
            h.close()
        # The first page of the queue, whatever its size: only applications waiting for
        # this reviewer, each at most once, at least one.
        rows = page.get("applications") if isinstance(page, dict) else None
        ids = [r.get("id") for r in rows] if isinstance(rows, list) and all(isinstance(r, dict) for r in rows) else None
        if not ids or len(set(ids)) != len(ids) or not set(ids) <= s["waiting_ids"] or any(r.get("step") != "handler" for r in rows):
            raise R.BenchError(f"queue page: expected up to {s['matching']} of the applications waiting for this handler, got "
                               f"{json.dumps(page, ensure_ascii=False)[:300]}")
        shown = sum(len(r.get("sections") or {}) for r in rows)
        self.out["queue_first"] = {"seconds": first_s, "rows": len(rows), "waiting": s["matching"], "sections_shown": shown,
                                   "row_keys": sorted(rows[0])}
        conns = str(a.queue_conns)
        progress(f"queue page: {a.review_rounds} interleaved round{'s' if a.review_rounds != 1 else ''} of {a.queue_seconds:g} s, {a.queue_conns} connections, "
                 f"GET reviews/queue (first page: {len(rows)} rows of {s['matching']} waiting, {a.queue_apps:,} in the tenant; "
                 f"first load {first_s * 1000:.0f} ms) vs GET /healthz")
        # Also, for information, a smaller page of the same queue: the per-request cost and
        # the per-row cost apart (the aim row is the default page).
        runs: dict[str, list] = {"queue": [], "hello": [], "small": []}
        try:
            for rnd in range(a.review_rounds):
                self.b.need(3 * (a.queue_seconds + a.warmup) + 30, "queue page")
                order = ["hello", "queue", "small"] if rnd % 2 == 0 else ["small", "queue", "hello"]
                for who in order:
                    if who == "hello":
                        x = self.measured(d, "--conns", conns, "--duration", str(a.queue_seconds), "--warmup", str(a.warmup),
                                          "--path", "/healthz", seconds=a.queue_seconds + a.warmup)
                    else:
                        x = self.measured(d, "--conns", conns, "--duration", str(a.queue_seconds), "--warmup", str(a.warmup),
                                          "--path", qpath + (f"?limit={SMALL_PAGE}" if who == "small" else ""), "--tokens", str(token_file),
                                          "--contains", '"applications":[', seconds=a.queue_seconds + a.warmup)
                    runs[who].append(x)
                    self.check_client(f"{who} ({a.queue_conns} conns)", x)
                    d.check_alive("queue page")
                q, hh = runs["queue"][-1] if runs["queue"] else {}, runs["hello"][-1] if runs["hello"] else {}
                sm = runs["small"][-1] if runs["small"] else {}
                progress(f"  round {rnd + 1}: queue {q.get('rps', 0):,.1f}/s (p50 {q.get('lat_us', {}).get('p50', 0) / 1000:.1f} ms), "
                         f"{SMALL_PAGE} rows {sm.get('rps', 0):,.1f}/s, healthz {hh.get('rps', 0):,.0f}/s (p50 {hh.get('lat_us', {}).get('p50', 0) / 1000:.2f} ms)")
        finally:
            qr = R.median([x["rps"] for x in runs["queue"]])
            hr = R.median([x["rps"] for x in runs["hello"]])
            sr = R.median([x["rps"] for x in runs["small"]])
            self.out["queue"] = {
                "conns": a.queue_conns, "rows": len(rows), "waiting": s["matching"], "applications": a.queue_apps,
                "queue_rps": qr, "hello_rps": hr, "ratio": qr / hr if qr and hr else None,
                "round_ratios": [q["rps"] / x["rps"] if x.get("rps") else None for q, x in zip(runs["queue"], runs["hello"])],
                "small_rows": SMALL_PAGE, "small_rps": sr, "small_ratio": sr / hr if sr and hr else None,
                "small_round_ratios": [q["rps"] / x["rps"] if x.get("rps") else None for q, x in zip(runs["small"], runs["hello"])],
                "queue_p50_us": R.median([x["lat_us"]["p50"] for x in runs["queue"]]),
                "queue_p99_us": R.median([x["lat_us"]["p99"] for x in runs["queue"]]),
                "hello_p50_us": R.median([x["lat_us"]["p50"] for x in runs["hello"]]),
                "hello_p99_us": R.median([x["lat_us"]["p99"] for x in runs["hello"]]),
                "page_bytes": R.median([x.get("body_bytes_avg") for x in runs["queue"]]),
                "queue_cpu_ms": R.median([x["daemon_cpu_s"] * 1000 / x["served"] if x.get("daemon_cpu_s") is not None and x.get("served")
                                          else None for x in runs["queue"]]),
                "hello_cpu_ms": R.median([x["daemon_cpu_s"] * 1000 / x["served"] if x.get("daemon_cpu_s") is not None and x.get("served")
                                          else None for x in runs["hello"]]),
                "runs": runs,
            }

    # -- stalls: one tenant's page while other work loads the daemon

    def measure_stalls(self, d: "R.Daemon") -> None:
        """A reviewer's page of the `bdecide` tenant at one connection: alone, during a burst of
        sign-ins (each a deliberately slow password hash), and during a backup and a restore of
        the 100,000-application tenant. Neither may hold the threads or the tenant store that
        every request needs; the figure to read is the page's worst latency."""
        self.b.need(30, "stalls")
        probe = ["--conns", "1", "--path", f"/t/{DECIDE_TENANT}/api/v1/reviews/queue?limit=5", "--tokens", str(self.tokens_file),
                 "--warmup", "0.2"]
        progress("stalls: a bdecide reviewer's page at 1 connection, alone / during 16 connections of failing sign-ins / "
                 "during backup and restore of bqueue")
        out: dict = {}
        alone = self.client(d, *probe, "--duration", "2", seconds=2.5)
        self.check_client("stalls: alone", alone)
        out["alone"] = alone
        burst = self.background_client(d, "--conns", "16", "--duration", "3.5", "--warmup", "0", "--method", "POST",
                                       "--path", f"/t/{DECIDE_TENANT}/api/v1/session", "--status", "401",
                                       # A made-up login each: one login is locked after five failures, and
                                       # then refused without a password check, which is what loads the daemon here.
                                       "--ids", "1:1000000", "--body", '{"login":"nobody-{id}","password":"not-the-password"}')
        try:
            time.sleep(0.5)
            during = self.client(d, *probe, "--duration", "2", seconds=2.5)
        finally:
            signins = self.finish_client(burst, 3.5)
        self.check_client("stalls: during sign-ins", during)
        self.check_client("stalls: the sign-ins", signins)
        out["signins"] = {"probe": during, "rps": signins.get("rps")}
        probe_run = self.background_client(d, *probe, "--duration", "6")
        steps: dict = {}
        try:
            time.sleep(0.5)
            t = time.monotonic()
            backup = self.admin(d, "tenant.backup", {"id": QUEUE_TENANT}, timeout=max(60.0, self.a.request_timeout))
            steps["backup_s"] = time.monotonic() - t
            self.admin(d, "tenant.suspend", {"id": QUEUE_TENANT})
            t = time.monotonic()
            self.admin(d, "tenant.restore", {"id": QUEUE_TENANT, "path": backup["path"]}, timeout=max(60.0, self.a.request_timeout))
            steps["restore_s"] = time.monotonic() - t
            self.admin(d, "tenant.resume", {"id": QUEUE_TENANT})
            steps["bytes"] = backup.get("bytes")
        finally:
            files = self.finish_client(probe_run, 6)
        self.check_client("stalls: during backup and restore", files)
        out["files"] = {"probe": files, **steps}
        self.out["stalls"] = out

        def lat(x: dict) -> str:
            return f"p99 {x['lat_us']['p99'] / 1000:.2f} ms, max {x['lat_us']['max'] / 1000:.1f} ms"

        progress(f"  alone {lat(alone)}; during {signins.get('rps', 0):,.0f} sign-ins/s {lat(during)}; during backup "
                 f"({steps['backup_s']:.2f} s) and restore ({steps['restore_s']:.2f} s) of {(steps.get('bytes') or 0) / 2**20:,.0f} MiB {lat(files)}")

    # -- a failed sign-in's time: does it tell whether the login exists?

    def measure_signin_timing(self, d: "R.Daemon") -> None:
        """A failed sign-in at one connection, a real login (a bdecide handler, wrong password)
        and a made-up one taken in turn, two tries each (below the lock-out): the answers are the
        same, and so should the time be (an account's count is a durable commit before the
        password check; a made-up login's counter is one too). Informational: the ratio says
        how far apart they are, in a run with the same hashing load."""
        self.b.need(15, "sign-in timing")
        c = Http(d.http_port, DECIDE_TENANT, self.a.request_timeout)
        times: dict[str, list[float]] = {"real": [], "made_up": []}
        try:
            for i in range(self.a.review_clients):
                for k in range(2):
                    for kind, login in (("real", f"handler{i:03d}"), ("made_up", f"timing-{i:03d}")):
                        t = time.perf_counter()
                        c.call("POST", "session", {"login": login, "password": f"wrong-{k}"}, expect=(401,))
                        times[kind].append(time.perf_counter() - t)
        finally:
            c.close()
        out = {kind: {"p50_ms": R.median(xs) * 1000, "n": len(xs)} for kind, xs in times.items()}
        self.out["signin_timing"] = out
        progress(f"sign-in timing: a failed sign-in, median of {out['real']['n']}: real login {out['real']['p50_ms']:.2f} ms, "
                 f"made-up login {out['made_up']['p50_ms']:.2f} ms")

    # -- afterwards: the daemon's own checks and the rows it wrote

    def verify(self, d: "R.Daemon", setup: dict) -> None:
        s = setup[DECIDE_TENANT]
        t = time.monotonic()
        checks = {}
        for tenant in (DECIDE_TENANT, QUEUE_TENANT):
            self.b.need(20, "tenant.check")
            rep = self.admin(d, "tenant.check", {"id": tenant}, timeout=max(30.0, self.a.request_timeout))
            checks[tenant] = rep
            if rep.get("ok") is not True:
                raise R.BenchError(f"tenant.check {tenant} after the run: {json.dumps(rep, ensure_ascii=False)[:400]}")
        self.out["tenant_check"] = {"seconds": time.monotonic() - t, **{k: v.get("ok") for k, v in checks.items()}}
        # Every decision sent was answered 200, so each must have left exactly one
        # decision row, one audit row and an application at the leader step.
        con = sqlite3.connect(f"file:{self.db_path(d, DECIDE_TENANT)}?mode=ro", uri=True, timeout=10)
        try:
            passes = con.execute("SELECT count(*) FROM decisions WHERE decision = 'pass'").fetchone()[0]
            audits = con.execute("SELECT count(*) FROM audit WHERE action = 'application.pass'").fetchone()[0]
            leaders = con.execute("SELECT count(*) FROM applications WHERE stage = 'leader'").fetchone()[0]
        finally:
            con.close()
        self.out["rows_written"] = {"decisions": passes, "audit": audits, "at_leader_step": leaders, "sent": s.get("decided", 0)}
        if not passes == audits == leaders == s.get("decided", 0):
            raise R.BenchError(f"after {s.get('decided')} decisions answered 200: {passes} pass rows in decisions, "
                               f"{audits} application.pass audit rows, {leaders} applications at the leader step")
        progress(f"  tenant.check ok for both tenants ({self.out['tenant_check']['seconds']:.1f} s); "
                 f"{passes:,} decisions -> {passes:,} decision rows and audit rows")


def progress(msg: str) -> None:
    R.progress(msg)


def step(b: "R.Bench") -> None:
    ReviewBench(b).run()


def summary_rows(r: dict, row) -> None:
    """Adds this part's rows to run.py's table."""
    rv = r.get("review") or {}
    dec = rv.get("decisions") or {}
    raw = dec.get("raw") or {}
    keys = [k for k in dec if k != "raw" and (dec[k] or {}).get("rps")]
    for key in keys:
        x = dec[key]
        many = x["conns"] > 1
        rr = [v for v in x.get("round_ratios", []) if v is not None]
        row(f"review decisions/s over HTTP, {x['conns']} client{'s' if many else ''}", f"{x['rps']:,.0f}/s",
            f"{raw['rps']:,.0f}/s raw SQLite txn" if raw.get("rps") else None, x.get("ratio"),
            f">= {AIM_GROUP_COMMIT}x raw" if many else "", (x["ratio"] >= AIM_GROUP_COMMIT if x.get("ratio") else None) if many else None,
            key=f"decide_ratio_c{x['conns']}", spread=(min(rr), max(rr)) if len(rr) > 1 else None)
        row(f"  decision latency p50 / p99, {x['conns']} client{'s' if many else ''}",
            f"{x['p50_us'] / 1000:.2f} / {x['p99_us'] / 1000:.2f} ms",
            f"{raw['p50_us'] / 1000:.2f} ms raw p50" if raw.get("p50_us") else None)
    if keys:
        xs = [dec[k] for k in keys]
        label = " / ".join(str(x["conns"]) for x in xs) + (" clients" if len(xs) > 1 or xs[0]["conns"] > 1 else " client")

        def both(field: str, fmt: str) -> str:
            return " / ".join("n/a" if x.get(field) is None else format(x[field], fmt) for x in xs)

        if len(xs) > 1 and xs[0].get("rps"):
            row(f"  decisions/s, {xs[-1]['conns']} clients vs 1", f"{xs[-1]['rps'] / xs[0]['rps']:.2f}x")
        row(f"  decisions per fsync, {label}", both("per_fsync", ".2f") + ("" if any(x.get("per_fsync") for x in xs)
                                                                                    else " (needs perf)"))
        row(f"  daemon CPU per decision, {label}", both("cpu_ms", ".2f") + " ms")
    q = rv.get("queue") or {}
    if q.get("queue_rps"):
        rr = [v for v in q.get("round_ratios", []) if v is not None]
        row(f"queue page req/s ({q['rows']} rows, {q['applications']:,} apps, {q['conns']} conns)", f"{q['queue_rps']:,.1f}/s",
            f"{q['hello_rps']:,.0f}/s /healthz", q["ratio"], f">= {AIM_QUEUE_RATIO}x /healthz",
            q["ratio"] >= AIM_QUEUE_RATIO if q.get("ratio") is not None else None, key="queue_ratio",
            spread=(min(rr), max(rr)) if len(rr) > 1 else None)
        if q.get("small_rps"):
            sr = [v for v in q.get("small_round_ratios", []) if v is not None]
            row(f"  same queue, {q['small_rows']} rows per page (information)", f"{q['small_rps']:,.1f}/s", f"{q['hello_rps']:,.0f}/s /healthz",
                q["small_ratio"], key="queue_small_ratio", spread=(min(sr), max(sr)) if len(sr) > 1 else None)
        row("  queue page latency p50 / p99", f"{q['queue_p50_us'] / 1000:.1f} / {q['queue_p99_us'] / 1000:.1f} ms",
            f"{q['hello_p50_us'] / 1000:.2f} / {q['hello_p99_us'] / 1000:.2f} ms /healthz")
        if q.get("queue_cpu_ms") is not None:
            row("  daemon CPU per request", f"{q['queue_cpu_ms']:.2f} ms per page ({(q.get('page_bytes') or 0) / 1024:,.0f} KiB)",
                f"{q['hello_cpu_ms'] * 1000:.0f} µs /healthz" if q.get("hello_cpu_ms") is not None else None)
    st = rv.get("stalls") or {}
    if st.get("alone"):
        def worst(x: dict) -> str:
            return f"{x['lat_us']['p99'] / 1000:.2f} / {x['lat_us']['max'] / 1000:.1f} ms"
        alone = worst(st["alone"]) + " alone"
        row("another tenant's page p99 / max, 1 conn, during sign-ins", worst(st["signins"]["probe"]), alone)
        row(f"  sign-ins/s meanwhile (16 conns, each a password hash)", f"{st['signins'].get('rps') or 0:,.0f}/s")
        f = st.get("files") or {}
        if f.get("probe"):
            row(f"  during backup + restore of bqueue ({(f.get('bytes') or 0) / 2**20:,.0f} MiB)", worst(f["probe"]), alone)
            row("  backup / restore took", f"{f['backup_s']:.2f} / {f['restore_s']:.2f} s")
    sg = rv.get("signin_timing") or {}
    if sg.get("real") and sg.get("made_up"):
        row("failed sign-in, median, 1 conn: real login (information)", f"{sg['real']['p50_ms']:.2f} ms",
            f"{sg['made_up']['p50_ms']:.2f} ms made-up login", sg["real"]["p50_ms"] / sg["made_up"]["p50_ms"], key="signin_timing_ratio")
