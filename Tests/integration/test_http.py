"""HTTP skeleton (SPEC §5): /healthz, /metrics, per-tenant API root and UI, 404/503."""

from __future__ import annotations

import http.client
import json
import os
import re
import select
import signal
import socket
import time

import pytest

from conftest import Daemon, create_tenant, free_port, same_division, wait_until

CJK = re.compile(r"[\u4e00-\u9fff]")


def json_body(status_headers_body: tuple[int, dict[str, str], bytes]) -> dict:
    _, headers, body = status_headers_body
    assert "json" in headers.get("content-type", ""), headers
    return json.loads(body.decode("utf-8"))


def assert_error(resp: tuple[int, dict[str, str], bytes], status: int, code: str) -> None:
    assert resp[0] == status, (resp[0], resp[2][:300])
    body = json_body(resp)
    assert body["error"]["code"] == code, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"], body


def test_healthz(daemon: Daemon) -> None:
    resp = daemon.http_get("/healthz")
    assert resp[0] == 200
    assert json_body(resp) == {"status": "ok"}


def test_metrics(daemon: Daemon) -> None:
    create_tenant(daemon, "zhengzhou", "4101")
    daemon.call("ping")
    daemon.http_get("/healthz")
    daemon.http_get("/t/zhengzhou/api/v1/tenant")
    status, headers, body = daemon.http_get("/metrics")
    assert status == 200
    assert headers.get("content-type", "").startswith("text/plain"), headers
    text = body.decode("utf-8")
    for name in ("zhicheng_tenants_open", "zhicheng_admin_commands_total", "hb_requests", "zhicheng_relay_paused 0.0"):
        assert name in text, f"{name} missing from /metrics:\n{text[:3000]}"
    # Requests are counted and timed per route pattern, method and status; a refused one
    # (no session) is counted as an error of its route.
    daemon.http_get("/t/zhengzhou/api/v1/account")
    text = daemon.http_get("/metrics")[2].decode("utf-8")
    def sample(name: str, **labels: str) -> float:
        for line in text.splitlines():
            if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
                return float(line.rsplit(" ", 1)[1])
        raise AssertionError(f"no {name} with {labels} in /metrics:\n{text[:3000]}")
    assert sample("hb_requests", http_route="/healthz", http_request_method="GET", http_response_status_code="200") >= 1
    assert sample("hb_requests", http_route="/t/{tenant}/api/v1/tenant", http_response_status_code="200") >= 1
    assert sample("http_server_request_duration_count", http_route="/healthz") >= 1
    assert sample("hb_request_errors", http_route="/t/{tenant}/api/v1/account", error_type="401") >= 1
    # every sample line is "name{labels} value" or "name value"
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        assert re.match(r"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? [-+0-9.eEInfaN]+( \d+)?$", line), line


def test_open_http_connections_are_a_gauge(daemon: Daemon) -> None:
    """`zhicheng_http_connections` counts the HTTP connections open now: three kept open (each
    after one answer, as keep-alive clients do) and the scrape's own; closed, they are gone."""
    def open_now() -> float | None:
        for line in daemon.http_get("/metrics")[2].decode().splitlines():
            if line.startswith("zhicheng_http_connections "):
                return float(line.split()[1])
        return None

    assert wait_until(lambda: open_now() == 1, 10, "only the scrape's own connection open")
    kept = [http.client.HTTPConnection("127.0.0.1", daemon.http_port, timeout=10) for _ in range(3)]
    try:
        for conn in kept:
            conn.request("GET", "/healthz")
            assert conn.getresponse().read() == b'{"status":"ok"}'
        wait_until(lambda: open_now() == 4, 10, "three kept connections and the scrape's counted")
    finally:
        for conn in kept:
            conn.close()
    wait_until(lambda: open_now() == 1, 10, "the closed connections no longer counted")


def test_tenant_api_root(daemon: Daemon) -> None:
    create_tenant(daemon, "zhengzhou", "4101", "郑州市")
    resp = daemon.http_get("/t/zhengzhou/api/v1/tenant")
    assert resp[0] == 200, resp
    body = json_body(resp)
    assert body["id"] == "zhengzhou" and body["name"] == "郑州市" and body["kind"] == "city"
    assert same_division(body["division_code"], "4101")


def test_tenant_ui(daemon: Daemon) -> None:
    create_tenant(daemon, "zhengzhou", "4101", "郑州市")
    status, headers, body = daemon.http_get("/t/zhengzhou/")
    assert status == 303 and headers.get("location") == "/t/zhengzhou/login", (status, headers)
    status, headers, body = daemon.http_get("/t/zhengzhou/login")
    assert status == 200
    assert headers.get("content-type", "").startswith("text/html"), headers
    html = body.decode("utf-8")
    assert "<html" in html.lower()
    assert CJK.search(html), "the web UI is not in Chinese"


@pytest.mark.parametrize("tenant", ["kaifeng", "A", "a", "x_y", "%2e%2e", "..", "a" * 40])
def test_unknown_or_invalid_tenant_404(daemon: Daemon, tenant: str) -> None:
    create_tenant(daemon, "zhengzhou", "4101")
    assert_error(daemon.http_get(f"/t/{tenant}/api/v1/tenant"), 404, "not_found")
    status, headers, body = daemon.http_get(f"/t/{tenant}/")
    # A browser gets a page in Chinese with the way back to the 地市 picker, not the API's JSON.
    assert status == 404 and headers.get("content-type", "").startswith("text/html"), headers
    assert "没有这个地市" in body.decode() and 'href="/"' in body.decode(), body[:500]


def test_suspended_tenant_503(daemon: Daemon) -> None:
    create_tenant(daemon, "zhengzhou", "4101")
    create_tenant(daemon, "luoyang", "4103")
    daemon.call("tenant.suspend", {"id": "zhengzhou"})
    assert_error(daemon.http_get("/t/zhengzhou/api/v1/tenant"), 503, "unavailable")
    status, headers, body = daemon.http_get("/t/zhengzhou/")
    assert status == 503 and headers.get("content-type", "").startswith("text/html"), headers
    assert "暂停服务" in body.decode(), body[:500]
    # the other tenant is not affected
    assert daemon.http_get("/t/luoyang/api/v1/tenant")[0] == 200
    daemon.call("tenant.resume", {"id": "zhengzhou"})
    assert daemon.http_get("/t/zhengzhou/api/v1/tenant")[0] == 200
    assert daemon.http_get("/t/zhengzhou/")[0] == 303
    assert daemon.http_get("/t/zhengzhou/login")[0] == 200


def test_unknown_path_404(daemon: Daemon) -> None:
    status, headers, body = daemon.http_get("/no/such/path")
    assert status == 404 and "页面不存在" in body.decode() and 'href="/"' in body.decode(), body[:500]
    create_tenant(daemon, "zhengzhou", "4101")
    resp = daemon.http_get("/t/zhengzhou/api/v1/no-such-endpoint")
    assert resp[0] == 404 and resp[1].get("content-type", "").startswith("application/json"), resp[1]
    # A page of the UI that does not exist: in Chinese, linking to the city's home page.
    status, headers, body = daemon.http_get("/t/zhengzhou/no-such-page")
    assert status == 404 and headers.get("content-type", "").startswith("text/html"), headers
    assert "没有这个页面" in body.decode() and 'href="/t/zhengzhou/"' in body.decode(), body[:500]
    # Under api/ but not api/v1/: no API there, a page not found (it was a 405 in the API's shape).
    for path in ("/t/zhengzhou/api/foo", "/t/zhengzhou/api"):
        status, headers, body = daemon.http_get(path)
        assert status == 404 and headers.get("content-type", "").startswith("text/html"), (path, status, headers)


def test_head_is_answered_wherever_get_is_with_no_body(daemon: Daemon) -> None:
    """HEAD (a load balancer's health check, `curl -I`) gets the GET's status and headers, its
    Content-Length included, and no body, also for an error; the connection's next answer is
    read intact (a body sent after a HEAD would be taken for its start). A path only POSTed to is
    405 for HEAD as for GET."""
    create_tenant(daemon, "zhengzhou", "4101")
    conn = http.client.HTTPConnection("127.0.0.1", daemon.http_port, timeout=10)
    try:
        for path, status in (("/healthz", 200), ("/t/zhengzhou/api/v1/reviews/queue", 401), ("/t/zhengzhou/", 303),
                             ("/no/such/path", 404), ("/t/zhengzhou/login", 200), ("/t/zhengzhou/api/v1/session", 405)):
            conn.request("GET", path)
            got = conn.getresponse()
            body = got.read()
            conn.request("HEAD", path)
            head = conn.getresponse()
            assert head.read() == b"" and head.status == got.status == status, (path, head.status, got.status)
            # (A 405's message names the method, HEAD or GET: one letter more.)
            expected = len(body) + (1 if status == 405 else 0)
            assert head.getheader("content-length") == str(expected) and got.getheader("content-length") == str(len(body)), (path, head.getheaders())
            assert head.getheader("content-type") == got.getheader("content-type"), path
        # The connection is still in step: the next answer is whole.
        conn.request("GET", "/healthz")
        last = conn.getresponse()
        assert (last.status, json.loads(last.read())) == (200, {"status": "ok"})
    finally:
        conn.close()


def test_connections_beyond_the_limit_are_closed_and_the_others_served(daemon_factory) -> None:
    """`http.max_connections`: clients holding connections open (slow uploads, responses never
    read) cannot use up the daemon's descriptors. One more is closed at once; those open are
    still served, and room is made as they close."""
    d = daemon_factory(config='[http]\nmax_connections = 3\n').start()
    held = []
    try:
        for _ in range(3):
            conn = http.client.HTTPConnection("127.0.0.1", d.http_port, timeout=10)
            conn.request("GET", "/healthz")
            assert conn.getresponse().read() == b'{"status":"ok"}'
            held.append(conn)
        extra = http.client.HTTPConnection("127.0.0.1", d.http_port, timeout=10)
        with pytest.raises((http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError, http.client.BadStatusLine)):
            extra.request("GET", "/healthz")
            extra.getresponse().read()
        extra.close()
        held[0].request("GET", "/healthz")
        assert held[0].getresponse().status == 200, "an open connection is still served"
        held.pop().close()
        def room() -> bool:
            conn = http.client.HTTPConnection("127.0.0.1", d.http_port, timeout=10)
            try:
                conn.request("GET", "/healthz")
                return conn.getresponse().status == 200
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError, http.client.BadStatusLine):
                return False
            finally:
                conn.close()
        wait_until(room, 10, "a closed connection to make room")
        assert "limit of open connections" in d.output()
    finally:
        for conn in held:
            conn.close()


def _tcp_state(sock: socket.socket) -> int:
    """The socket's TCP state from TCP_INFO (1 is ESTABLISHED)."""
    return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)[0]


def _stalled_reader(port: int, path: str) -> socket.socket:
    """A client that pipelines requests and never reads the answers: a small receive window,
    and requests sent until the daemon stops taking them (its answers are stuck)."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(("127.0.0.1", port))
    s.setblocking(False)
    request = f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode() * 64
    deadline = time.monotonic() + 20
    quiet_since = time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - quiet_since < 1.0:
        try:
            s.send(request)
            quiet_since = time.monotonic()
        except BlockingIOError:
            time.sleep(0.02)
    assert _tcp_state(s) == 1, "the daemon keeps the connection while it cannot write"
    return s


def test_a_client_that_does_not_read_its_answers_is_closed_and_does_not_hold_the_stop(daemon_factory) -> None:
    """`http.client_timeout_seconds`: a response the client does not take (the connection stays
    unwritable) closes the connection. Before, one unauthenticated client that pipelined requests
    and never read held its connection for ever, past the idle timeout, and the daemon's stop with
    it until systemd's SIGKILL, before the WAL checkpoint."""
    # 5 s: the stalled reader checks its connection is still up after a second of quiet.
    d = daemon_factory(config='[http]\nclient_timeout_seconds = 5\n').start()
    create_tenant(d, "zz", "4101")
    s = _stalled_reader(d.http_port, "/t/zz/login")
    try:
        wait_until(lambda: _tcp_state(s) != 1, 30, "the daemon to close the stalled connection")
        metrics = d.http_get("/metrics")[2].decode()
        assert re.search(r'zhicheng_http_slow_clients_closed_total\{reason="write"\} 1\b', metrics), metrics[-2000:]
        assert d.http_get("/healthz")[0] == 200
    finally:
        s.close()
    # A second one, stalled when the stop comes: the stop waits for it no longer than the timeout.
    s = _stalled_reader(d.http_port, "/t/zz/login")
    try:
        os.kill(d.pid, signal.SIGTERM)
        assert d.wait_exit(timeout=30) == 0, d.output()[-3000:]
        assert "zhichengd stopped" in d.output()
    finally:
        s.close()


def _open_upload(port: int, tenant: str, length: int) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(f"POST /t/{tenant}/api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              f"Content-Length: {length}\r\n\r\n".encode())
    return s


def _closed_by_daemon(s: socket.socket, wait: float) -> bool:
    """True when the daemon closed (EOF or reset) within `wait` seconds without answering."""
    readable, _, _ = select.select([s], [], [], wait)
    if not readable:
        return False
    try:
        data = s.recv(4096)
    except ConnectionResetError:
        return True
    assert data == b"", f"expected the connection closed without an answer, got {data[:200]!r}"
    return True


def test_a_request_body_that_trickles_in_is_cut_off(daemon_factory) -> None:
    """A body that comes slower than `http.body_min_bytes_per_second` once the client's
    `client_timeout_seconds` are spent is cut off, even though bytes keep coming (one every
    0.3 s: Hummingbird's idle timeout, which counts whole HTTP parts, let it run for as long as
    the body's length allowed). The daemon goes on serving others. Its debug log line names the
    client as the audit log does: on an `[::]` listener an IPv4 client is `127.0.0.1` (not NIO's
    `[IPv6]::ffff:127.0.0.1/...:PORT`), its port in a key of its own."""
    port = free_port()
    d = daemon_factory(http_port=port, flags=("config", "data-dir", "admin-socket", "plugin-dir"), args=["--http", f"[::]:{port}"],
                       config='[http]\nclient_timeout_seconds = 2\nbody_min_bytes_per_second = 1024\n[log]\nlevel = "debug"\n').start()
    create_tenant(d, "zz", "4101")
    s = _open_upload(d.http_port, "zz", 100_000)
    client_port = s.getsockname()[1]
    try:
        s.sendall(b'{"login":"')
        deadline = time.monotonic() + 30
        closed = False
        while not closed and time.monotonic() < deadline:
            try:
                s.sendall(b"a")
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            closed = _closed_by_daemon(s, 0.3)
        assert closed, "a trickling body was still read after 30 s"
        metrics = d.http_get("/metrics")[2].decode()
        assert re.search(r'zhicheng_http_slow_clients_closed_total\{reason="body"\} 1\b', metrics), metrics[-2000:]
        assert d.http_get("/healthz")[0] == 200
        wait_until(lambda: "client too slow" in d.output(), 10, "the slow client's log line")
        logged = [line for line in d.output().splitlines() if "client too slow" in line]
        assert len(logged) == 1 and " peer=127.0.0.1 " in logged[0] + " " and f" peer.port={client_port}" in logged[0] \
            and "reason=body" in logged[0] and "ffff" not in logged[0], logged
    finally:
        s.close()


def test_a_slow_body_at_the_minimum_rate_is_served(daemon_factory) -> None:
    """A body slower than the timeout allows for its whole but at the minimum rate is read to its
    end and answered (a real sign-in, 401 for the unknown login): 6 KiB at about 2 KiB a second
    against a 1 s timeout and 1,024 bytes a second."""
    d = daemon_factory(config='[http]\nclient_timeout_seconds = 1\nbody_min_bytes_per_second = 1024\n').start()
    create_tenant(d, "zz", "4101")
    body = json.dumps({"login": "nobody", "password": "x" * 200, "pad": "p" * 6000}).encode()
    s = _open_upload(d.http_port, "zz", len(body))
    try:
        for i in range(0, len(body), 512):
            s.sendall(body[i:i + 512])
            time.sleep(0.25)
        s.settimeout(30)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = s.recv(4096)
            assert chunk, f"closed before answering: {answer!r}"
            answer += chunk
        assert answer.startswith(b"HTTP/1.1 401") or answer.startswith(b"HTTP/1.1 400"), answer[:200]
    finally:
        s.close()


def test_html_pages_carry_a_policy_without_scripts(daemon: Daemon) -> None:
    """The 地市 picker and a tenant's pages allow no script and nothing from elsewhere."""
    create_tenant(daemon, "zhengzhou", "4101")
    for path in ("/", "/t/zhengzhou/login"):
        status, headers, _ = daemon.http_get(path)
        assert status == 200, path
        policy = headers.get("content-security-policy", "")
        assert "script-src 'none'" in policy and "default-src 'self'" in policy and "frame-ancestors 'none'" in policy, (path, policy)


def test_the_city_picker_lists_the_active_tenants_from_the_registry(daemon: Daemon) -> None:
    """GET / (anyone): each active tenant with a link to its sign-in; a suspended one is left out.
    Read from the registry alone (it once counted every tenant's rows for each request)."""
    create_tenant(daemon, "zhengzhou", "4101", "郑州市")
    create_tenant(daemon, "luoyang", "4103", "洛阳市")
    daemon.call("tenant.suspend", {"id": "luoyang"})
    status, headers, body = daemon.http_get("/")
    page = body.decode("utf-8")
    assert status == 200 and "选择地市" in page, page[:500]
    assert '<a href="/t/zhengzhou/">郑州市</a>' in page and "洛阳市" not in page, page[-1500:]
