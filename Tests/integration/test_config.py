"""Configuration (SPEC §9): the TOML file, flags overriding it, bad config refused at start
with the offending key named."""

from __future__ import annotations

import pathlib
import re
import socket

import pytest

from conftest import REPO, Daemon, create_tenant, free_port, http_get, sha256_file


def _refused(d: Daemon) -> str:
    """Starts `d` with its bad configuration: it must exit 78 (EX_CONFIG) saying the
    configuration was refused, not crash (any other status, or a backtrace)."""
    d.start(wait=False)
    rc = d.wait_exit(timeout=30)
    err = d.stderr()
    assert rc == 78, f"bad config: exit {rc}, not 78; output:\n{d.output()[-2000:]}"
    assert "zhichengd: configuration refused" in err and "Fatal error" not in err and "Backtrace" not in err, err[-2000:]
    return err


BAD_KEYS = [
    ('[limits]\nmax_open_tenants = -1\n', "limits.max_open_tenants"),
    ('[limits]\nmax_open_tenants = 0\n', "limits.max_open_tenants"),
    ('[limits]\nmax_open_tenants = "many"\n', "limits.max_open_tenants"),
    ('[limits]\ntenant_idle_seconds = -5\n', "limits.tenant_idle_seconds"),
    ('[limits]\nupload_max_bytes = -1\n', "limits.upload_max_bytes"),
    ('[http]\nclient_timeout_seconds = 0\n', "http.client_timeout_seconds"),
    ('[http]\nclient_timeout_seconds = "30s"\n', "http.client_timeout_seconds"),
    ('[http]\nbody_min_bytes_per_second = -1\n', "http.body_min_bytes_per_second"),
    ('[http]\nsecure_cookies = "yes"\n', "http.secure_cookies"),
    ('[limits]\npassword_checks_queued = 2\n', "limits.password_checks_queued"),
    ('[auth]\nsession_idle_seconds = -1\n', "auth.session_idle_seconds"),
    ('[http]\nsecure_cookies = true\n', "http.secure_cookies"),
    ('[http]\ntrusted_proxies = "127.0.0.1"\n', "http.trusted_proxies"),
    ('[http]\ntrusted_proxies = ["localhost"]\n', "http.trusted_proxies"),
    ('[http]\ntrusted_proxies = ["10.0.0.0/33"]\n', "http.trusted_proxies"),
    ('[http]\ntrusted_proxies = ["2001:db8::/129"]\n', "http.trusted_proxies"),
    ('[http]\ntrusted_proxies = ["10.0.0.0/"]\n', "http.trusted_proxies"),
    ('[http]\ntrusted_proxies = [10]\n', "http.trusted_proxies"),
    ('[http]\ntrusted_proxies = ["127.0.0.1", "0.0.0.0/0"]\n', "http.trusted_proxies"),   # every client's word
    ('[http]\ntrusted_proxies = ["::/0"]\n', "http.trusted_proxies"),
    ('[backup]\nkeep = -1\n', "backup.keep"),
    ('[backup]\nkeep = "14"\n', "backup.keep"),
    ('[backup]\nkeep = 10001\n', "backup.keep"),
    ('[backup]\nkeep = 1.5\n', "backup.keep"),
    ('[backup]\nkeep = true\n', "backup.keep"),
    ('[backup]\nretain = 3\n', "backup.retain"),
    ('[log]\nlevel = "loud"\n', "log.level"),
    ('[log]\nlevel = 3\n', "log.level"),
    ('[admin]\nsocket_mode = "rwx"\n', "admin.socket_mode"),
    ('[admin]\nsocket_mode = "0999"\n', "admin.socket_mode"),
    ('[admin]\nallowed_uids = "root"\n', "admin.allowed_uids"),
    ('[admin]\nallowed_gids = [-1]\n', "admin.allowed_gids"),
    ('[calendar]\nholidays = "2026-10-01"\n', "calendar.holidays"),
    ('[calendar]\nholidays = ["2026-02-30"]\n', "calendar.holidays"),
    ('[calendar]\nholidays = ["10/01/2026"]\n', "calendar.holidays"),
    ('[calendar]\nworking_weekends = [20261010]\n', "calendar.working_weekends"),
    # 2026-10-09 is a Friday: only a weekend day can be made a working day.
    ('[calendar]\nworking_weekends = [2026-10-09]\n', "not a Saturday or Sunday"),
    ('[calendar]\nholidays = [2026-10-10]\nworking_weekends = ["2026-10-10"]\n', "both as a holiday"),
    ('[calendar]\nweekends = []\n', "calendar.weekends"),
]


@pytest.mark.parametrize("text,key", BAD_KEYS, ids=[f"{k}-{i}" for i, (_, k) in enumerate(BAD_KEYS)])
def test_bad_config_file_refused(daemon_factory, text: str, key: str) -> None:
    err = _refused(daemon_factory(config=text))
    assert key in err, f"stderr does not name {key}:\n{err[-2000:]}"


@pytest.mark.parametrize("value", ['"not an address"', "8080", '"127.0.0.1:99999"'])
def test_bad_listen_address_refused(daemon_factory, value: str) -> None:
    # without --http so that the file's value is the one in force
    d = daemon_factory(config=f'[http]\nlisten = {value}\n',
                       flags=("config", "data-dir", "admin-socket", "plugin-dir"))
    err = _refused(d)
    assert "http.listen" in err, err[-2000:]


def test_bad_data_dir_type_refused(daemon_factory) -> None:
    d = daemon_factory(config='[paths]\ndata_dir = 5\n', flags=("config", "admin-socket", "http", "plugin-dir"))
    err = _refused(d)
    assert "paths.data_dir" in err, err[-2000:]


def test_toml_syntax_error_refused(daemon_factory) -> None:
    err = _refused(daemon_factory(config='[limits\nmax_open_tenants = = 3\n'))
    assert "line 1" in err, "the TOML error names where it is: " + err[-2000:]


def test_missing_config_file_refused(daemon_factory, tmp_path: pathlib.Path) -> None:
    d = daemon_factory(config=None)
    d.config_path = tmp_path / "does-not-exist.toml"
    err = _refused(d)
    assert "does-not-exist.toml" in err, err[-2000:]


@pytest.mark.parametrize("args,needle", [(["--log-level", "loud"], "level"), (["--http", "nonsense"], "http")])
def test_bad_flags_refused(daemon_factory, args: list[str], needle: str) -> None:
    err = _refused(daemon_factory(args=args))
    assert needle in err.lower(), err[-2000:]


def test_config_file_values_are_used(daemon_factory, tmp_path: pathlib.Path, sock_dir: pathlib.Path) -> None:
    port = free_port()
    sock = sock_dir / "from-config.sock"
    data = tmp_path / "cfg-data"
    backups = tmp_path / "cfg-backups"
    archive = tmp_path / "cfg-archive"
    config = (f'[http]\nlisten = "127.0.0.1:{port}"\n'
              f'[admin]\nsocket = "{sock}"\nsocket_mode = "0600"\n'
              f'[paths]\ndata_dir = "{data}"\nbackup_dir = "{backups}"\narchive_dir = "{archive}"\n'
              f'plugin_dir = "{tmp_path / "plugins"}"\n'
              '[limits]\nmax_open_tenants = 3\ntenant_idle_seconds = 60\nupload_max_bytes = 1048576\n'
              '[log]\nlevel = "debug"\n')
    d: Daemon = daemon_factory(config=config, flags=("config",), data_dir=data, admin_socket=sock, http_port=port)
    d.start()
    st = d.call("status")
    assert st["listeners"] == {"admin": str(sock), "http": f"127.0.0.1:{port}"}
    create_tenant(d, "zhengzhou", "4101")
    assert (data / "tenants" / "zhengzhou" / "tenant.sqlite").is_file()
    b = d.call("tenant.backup", {"id": "zhengzhou"})
    assert pathlib.Path(b["path"]).resolve().is_relative_to(backups.resolve())
    assert sha256_file(b["path"]) == b["sha256"]
    a = d.call("tenant.archive", {"id": "zhengzhou", "confirm": "zhengzhou"})
    assert pathlib.Path(a["archived_to"]).resolve().is_relative_to(archive.resolve())
    assert http_get(port, "/healthz")[0] == 200


def test_flags_override_config(daemon_factory, tmp_path: pathlib.Path, sock_dir: pathlib.Path) -> None:
    cfg_port = free_port()
    cfg_sock = sock_dir / "cfg.sock"
    cfg_data = tmp_path / "cfg-data"
    config = (f'[http]\nlisten = "127.0.0.1:{cfg_port}"\n[admin]\nsocket = "{cfg_sock}"\n'
              f'[paths]\ndata_dir = "{cfg_data}"\n[log]\nlevel = "info"\n')
    d: Daemon = daemon_factory(config=config, args=["--log-level", "debug"])  # flags for socket/http/data dir
    d.start()
    st = d.call("status")
    assert st["listeners"] == {"admin": str(d.admin_socket), "http": f"127.0.0.1:{d.http_port}"}
    assert not cfg_sock.exists(), "the config's socket was bound although --admin-socket overrides it"
    create_tenant(d, "zhengzhou", "4101")
    assert d.tenant_db("zhengzhou").is_file()
    assert not (cfg_data / "tenants").exists()


def test_reload_keeps_old_config_on_error(daemon_factory) -> None:
    d: Daemon = daemon_factory(config='[limits]\nmax_open_tenants = 2\n').start()
    d.write_config('[limits]\nmax_open_tenants = "two"\n')
    resp = d.request("config.reload")
    assert resp["ok"] is False and resp["error"]["code"] == "invalid", resp
    assert "limits.max_open_tenants" in resp["error"]["message"]
    # the old limit is still in force
    for n, code in enumerate(["4101", "4102", "4103", "4104"]):
        create_tenant(d, f"city-{n}", code)
        d.call("tenant.check", {"id": f"city-{n}"})
    assert d.call("status")["tenants"]["open"] <= 2


def test_reload_applies_a_new_holiday_calendar_to_results_recorded_after_it(daemon_factory) -> None:
    """公示 counts working days: the holidays and working weekends of `[calendar]` change the
    period's end, and a reload applies a new list to the next result. Settings that are read only
    at start are reported as needing a restart instead of being silently ignored."""
    import datetime
    from zoneinfo import ZoneInfo

    from api_support import Api, expect
    from test_api_committee import City

    china = ZoneInfo("Asia/Shanghai")
    d: Daemon = daemon_factory(config='[limits]\npublicity_working_days = 3\n').start()
    info = create_tenant(d, "zhengzhou", "4101", "郑州市")
    api = Api(d.http_port, "zhengzhou")
    city = City(d, api, api.first_login(info["admin_login"], info["admin_password"]))
    expect(city.admin.post("committees", {"name": "评委会", "series": ["中小学教师"], "levels": ["中级"]}), 201)

    def ends(today: datetime.date, holidays: set[datetime.date] = frozenset(), weekend: datetime.date | None = None) -> datetime.datetime:
        """Midnight (China time) after the third working day after `today`."""
        n, day = 0, today
        while n < 3:
            day += datetime.timedelta(days=1)
            if (day.weekday() < 5 and day not in holidays) or day == weekend:
                n += 1
        return datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(0, 0), china)

    def recorded(app_id: int, expected) -> None:
        """Records a result; its 公示 ends as `expected(today)` says (for the day before and after
        the request: a result recorded at midnight may count from either)."""
        before = datetime.datetime.now(china).date()
        until = expect(city.admin.post(f"applications/{app_id}/result", {"result": "通过"}), 200).json["publicity_until"]
        after = datetime.datetime.now(china).date()
        got = datetime.datetime.fromisoformat(until.replace("Z", "+00:00"))
        assert got in {expected(before), expected(after)}, (got, expected(before))

    _, a = city.passed_application("中级", "一级教师")
    recorded(a["id"], ends)

    # The next three working days become holidays, and the next weekend day a working day.
    today = datetime.datetime.now(china).date()
    holidays = {day for n in range(1, 6) if (day := today + datetime.timedelta(days=n)).weekday() < 5}
    weekend = next(day for n in range(1, 8) if (day := today + datetime.timedelta(days=n)).weekday() >= 5)
    d.write_config('[limits]\npublicity_working_days = 3\nupload_max_bytes = 2048\n[calendar]\nholidays = [%s]\nworking_weekends = [%s]\n'
                   % (", ".join(x.isoformat() for x in sorted(holidays)), weekend.isoformat()))
    reloaded = d.call("config.reload")
    assert reloaded["restart_required"] == ["limits.upload_max_bytes"], reloaded
    assert d.call("config.reload")["restart_required"] == ["limits.upload_max_bytes"], "still pending after another reload"
    _, b = city.passed_application("中级", "一级教师")
    recorded(b["id"], lambda t: ends(t, holidays, weekend))
    assert ends(today, holidays, weekend) != ends(today), "the calendar changed the end"


def test_a_reload_reports_what_differs_from_the_running_daemon(daemon_factory, tmp_path) -> None:
    """restart_required compares with what the daemon started with: a plugin dir changed is a
    path needing a restart, and a change reverted needs none, however many reloads came between."""
    d = daemon_factory(config='[log]\nlevel = "info"\n', flags=("config", "data-dir", "admin-socket", "http")).start()
    elsewhere = tmp_path / "other-plugins"
    elsewhere.mkdir()
    d.write_config(f'[log]\nlevel = "info"\n[paths]\nplugin_dir = "{elsewhere}"\n')
    assert d.call("config.reload")["restart_required"] == ["paths.plugin_dir"]
    assert d.call("config.reload")["restart_required"] == ["paths.plugin_dir"]
    d.write_config('[log]\nlevel = "info"\n')
    assert d.call("config.reload")["restart_required"] == []
    d.write_config('[log]\nlevel = "info"\n[plugins]\nmemory_limit_mib = 64\n')
    assert d.call("config.reload")["restart_required"] == ["plugins.memory_limit_mib"]
    d.write_config('[log]\nlevel = "info"\n[http]\nclient_timeout_seconds = 10\nbody_min_bytes_per_second = 0\nsecure_cookies = "always"\n')
    assert d.call("config.reload")["restart_required"] == ["http.client_timeout_seconds", "http.body_min_bytes_per_second", "http.secure_cookies"]


def test_the_shipped_example_config_is_accepted_and_documents_every_key(daemon_factory) -> None:
    """etc/zhicheng/zhichengd.toml is what `make install` puts in /etc: the daemon starts with it
    (its paths and listeners overridden by flags, as here), and it names the same keys as the
    README's configuration table, every one of which the daemon reads."""
    example = REPO / "etc/zhicheng/zhichengd.toml"
    d = daemon_factory(config=example.read_text(encoding="utf-8"))
    d.start()
    assert d.call("ping") == {"pong": True}
    d.terminate()

    keys, section = set(), None
    for line in example.read_text(encoding="utf-8").splitlines():
        bare = line.lstrip("# ").strip()
        if re.fullmatch(r"\[[a-z_]+\]", line.strip()):
            section = line.strip()[1:-1]
        elif section and re.match(r"[a-z_]+ = ", bare) and not bare.startswith(("holidays = [2026", "working_weekends = [2026")):
            keys.add(f"{section}.{bare.split(' = ')[0]}")
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("| key | default | meaning |"):]
    table = table[:table.index("\n\n")]
    documented = {k for row in table.splitlines()[2:] for k in re.findall(r"`([a-z_]+\.[a-z_]+)`", row.split("|")[1])}
    assert keys == documented, f"only in the example: {sorted(keys - documented)}; only in the README: {sorted(documented - keys)}"


@pytest.mark.parametrize("via", ["flag", "config"])
def test_an_http_port_taken_is_refused_naming_the_address_and_the_setting(daemon_factory, via: str) -> None:
    """A port another process listens on: the daemon exits 1 naming the address and where it
    was set (--http, or http.listen in the config file), with the system's reason; not NIO's
    `bind(descriptor:ptr:bytes:): Address already in use) (errno: 98)`, which names neither."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        if via == "flag":
            d = daemon_factory(http_port=port)
        else:
            d = daemon_factory(config=f'[log]\nlevel = "info"\n[http]\nlisten = "127.0.0.1:{port}"\n',
                               flags=("config", "data-dir", "admin-socket", "plugin-dir"))
        d.start(wait=False)
        rc = d.wait_exit(timeout=60)
    err = d.stderr()
    assert rc == 1, (rc, err[-2000:])
    setting = "(--http)" if via == "flag" else f"(http.listen in {d.config_path} / --http)"
    line = f"zhichengd: cannot start: unavailable: HTTP listener 127.0.0.1:{port} {setting} cannot be bound: Address already in use"
    assert line in err.splitlines(), err[-2000:]
    assert "errno" not in err and "descriptor" not in err, err[-2000:]
