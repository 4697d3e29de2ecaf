"""The client's address behind a reverse proxy (`http.trusted_proxies`): recorded as the source of
a sign-in's audit entry. `X-Forwarded-For` counts only when the connection comes from a trusted
proxy, and then its right-most address that is not itself a trusted proxy is the client's; from
any other peer (and with no proxies configured, the default) the header is ignored, so that a
client cannot write its own address into the audit log. A reload applies a new list; a bad one is
refused naming the key and the running list kept. The request's id is always the daemon's own,
even from a trusted proxy (which passes on whatever its client sent, unless told to overwrite it):
a client must not choose the id its log lines are found by."""

from __future__ import annotations

import http.client
import json

from api_support import NEW_PASSWORD, Api, db_rows, expect
from conftest import IO_TIMEOUT, Daemon, create_tenant, free_port

TENANT = "zhengzhou"


def sign_in(d: Daemon, login: str, source_ip: str = "127.0.0.1", headers: dict[str, str] | None = None) -> tuple[int, dict[str, str]]:
    """Signs in through the API from `source_ip` (any 127.x address is this machine's), with
    `headers` added: (status, response headers)."""
    conn = http.client.HTTPConnection("127.0.0.1", d.http_port, timeout=IO_TIMEOUT, source_address=(source_ip, 0))
    try:
        body = json.dumps({"login": login, "password": NEW_PASSWORD}).encode()
        conn.request("POST", f"/t/{TENANT}/api/v1/session", body=body, headers={"Content-Type": "application/json", **(headers or {})})
        r = conn.getresponse()
        r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}
    finally:
        conn.close()


def recorded_source(admin, login: str, source_ip: str = "127.0.0.1", headers: dict[str, str] | None = None) -> str:
    """The source the audit log records for a sign-in of `login` made as `sign_in` says."""
    before = expect(admin.get("audit?limit=1"), 200).json["entries"][0]["seq"]
    status, _ = sign_in(admin.api.daemon, login, source_ip, headers)
    assert status == 200, status
    entries = [e for e in expect(admin.get("audit?limit=20"), 200).json["entries"] if e["seq"] > before and e["action"] == "session.create"]
    assert len(entries) == 1, entries
    return entries[0]["source"]


def city(d: Daemon):
    info = create_tenant(d, TENANT, "4101", "郑州市")
    api = Api(d.http_port, TENANT)
    api.daemon = d
    return api.first_login(info["admin_login"], info["admin_password"]), info["admin_login"]


def test_a_forwarded_address_counts_only_from_a_trusted_proxy(daemon_factory) -> None:
    d = daemon_factory(config='[http]\ntrusted_proxies = ["127.0.0.2", "10.0.0.0/8"]\n').start()
    admin, login = city(d)
    spoofed = {"X-Forwarded-For": "203.0.113.7"}
    # Not from a trusted proxy: the header is ignored.
    assert recorded_source(admin, login, "127.0.0.1", spoofed) == "127.0.0.1"
    assert recorded_source(admin, login, "127.0.0.3", {"X-Forwarded-For": "127.0.0.2"}) == "127.0.0.3"
    # From the trusted proxy: the address it forwarded; without the header, the proxy itself.
    assert recorded_source(admin, login, "127.0.0.2", spoofed) == "203.0.113.7"
    assert recorded_source(admin, login, "127.0.0.2") == "127.0.0.2"
    # Through two trusted proxies: the right-most address that is not one; what the client wrote
    # itself (left of it) does not count, in one header or over several.
    assert recorded_source(admin, login, "127.0.0.2", {"X-Forwarded-For": "198.51.100.9, 203.0.113.7, 10.1.2.3"}) == "203.0.113.7"
    assert recorded_source(admin, login, "127.0.0.2", {"X-Forwarded-For": "2001:db8::1 , 10.1.2.3"}) == "2001:db8::1"
    # A chain ending in something that is not an address: the last address read.
    assert recorded_source(admin, login, "127.0.0.2", {"X-Forwarded-For": "unknown, 10.1.2.3"}) == "10.1.2.3"

    # With proxies listed, only theirs say that the request came over HTTPS (the session cookie
    # is then `Secure`); another peer's X-Forwarded-Proto is ignored like its X-Forwarded-For.
    for source, secure in (("127.0.0.2", True), ("127.0.0.1", False)):
        status, headers = sign_in(d, login, source, {"X-Forwarded-Proto": "https"})
        assert status == 200 and "zc_session=" in headers.get("set-cookie", "") and ("; Secure" in headers["set-cookie"]) == secure, (source, headers)

    # The request id is the daemon's own, whoever sent one: through the proxy too (nginx passes a
    # client's header on unless told otherwise), so that nobody picks the id of their own log lines.
    for source in ("127.0.0.2", "127.0.0.1"):
        status, headers = sign_in(d, login, source, {"X-Request-Id": "nginx-4f2a9c"})
        assert status == 200 and headers.get("x-request-id") not in (None, "nginx-4f2a9c"), (source, headers)


def test_without_trusted_proxies_the_header_is_ignored_and_a_reload_applies_a_new_list(daemon_factory) -> None:
    d = daemon_factory().start()
    admin, login = city(d)
    assert recorded_source(admin, login, "127.0.0.1", {"X-Forwarded-For": "203.0.113.7"}) == "127.0.0.1"
    # No proxies listed: X-Forwarded-Proto is believed from anyone, as before the list existed.
    status, headers = sign_in(d, login, "127.0.0.1", {"X-Forwarded-Proto": "https"})
    assert status == 200 and "; Secure" in headers.get("set-cookie", ""), headers

    d.write_config('[http]\ntrusted_proxies = ["127.0.0.0/8"]\n')
    assert d.call("config.reload")["restart_required"] == []
    assert recorded_source(admin, login, "127.0.0.1", {"X-Forwarded-For": "203.0.113.7, 127.0.0.5"}) == "203.0.113.7"

    # A bad list is refused, naming the key; the running one stays in force.
    d.write_config('[http]\ntrusted_proxies = ["127.0.0.0/33"]\n')
    refused = d.request("config.reload")
    assert refused["ok"] is False and "http.trusted_proxies" in refused["error"]["message"], refused
    assert recorded_source(admin, login, "127.0.0.1", {"X-Forwarded-For": "203.0.113.8"}) == "203.0.113.8"

    d.write_config('[log]\nlevel = "info"\n')
    d.call("config.reload")
    assert recorded_source(admin, login, "127.0.0.1", {"X-Forwarded-For": "203.0.113.9"}) == "127.0.0.1"


def test_an_ipv4_client_of_an_ipv6_listener_is_recorded_as_ipv4(daemon_factory) -> None:
    """Listening on `[::]:PORT` (one socket for IPv6 and IPv4), an IPv4 client's peer address is
    IPv4-mapped (`::ffff:127.0.0.1`): it is recorded as `127.0.0.1`, in the audit log and the
    session, as on an IPv4 listener and as a trusted proxy's forwarded address is, so that one
    client is one source. A peer that is not a trusted proxy is recorded the same way."""
    port = free_port()
    d = daemon_factory(http_port=port, flags=("config", "data-dir", "admin-socket", "plugin-dir"), args=["--http", f"[::]:{port}"],
                       config='[http]\ntrusted_proxies = ["127.0.0.2"]\n').start()
    assert d.call("status")["listeners"]["http"].startswith("::"), d.call("status")["listeners"]
    admin, login = city(d)
    assert recorded_source(admin, login, "127.0.0.1") == "127.0.0.1"
    assert recorded_source(admin, login, "127.0.0.3", {"X-Forwarded-For": "203.0.113.7"}) == "127.0.0.3"
    # The trusted proxy, IPv4-mapped too, is known; what it forwards is recorded as it says.
    assert recorded_source(admin, login, "127.0.0.2", {"X-Forwarded-For": "203.0.113.7"}) == "203.0.113.7"
    assert recorded_source(admin, login, "127.0.0.2", {"X-Forwarded-For": "::ffff:203.0.113.8"}) == "203.0.113.8"
    assert recorded_source(admin, login, "127.0.0.2") == "127.0.0.2"
    sources = {s for (s,) in db_rows(d.tenant_db(TENANT), "SELECT source FROM sessions")}
    assert sources == {"127.0.0.1", "127.0.0.3", "203.0.113.7", "203.0.113.8", "127.0.0.2"}, sources
    # With no proxies listed (the default), the same.
    d.write_config('[log]\nlevel = "info"\n')
    d.call("config.reload")
    assert recorded_source(admin, login, "127.0.0.2", {"X-Forwarded-For": "203.0.113.7"}) == "127.0.0.2"
    assert not [s for (s,) in db_rows(d.tenant_db(TENANT), "SELECT source FROM audit") if "ffff" in s]
