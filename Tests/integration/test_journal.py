"""Structured logging to journald: with JOURNAL_STREAM naming its stderr, the daemon sends
native journal entries (MESSAGE, PRIORITY, SYSLOG_IDENTIFIER, CODE_*, metadata as upper-case
fields) to /run/systemd/journal/socket instead of writing lines to stderr.

There is no journald in the test sandbox, so the test binds that datagram socket itself
(only when nothing else owns the path) and reads what the daemon sends."""

from __future__ import annotations

import os
import pathlib
import socket

import pytest

from conftest import clean_env

JOURNAL_DIR = pathlib.Path("/run/systemd/journal")
JOURNAL_SOCKET = JOURNAL_DIR / "socket"


@pytest.fixture
def fake_journal():
    if os.geteuid() != 0:
        pytest.skip("binding /run/systemd/journal/socket needs root")
    if JOURNAL_SOCKET.exists():
        pytest.skip("a journal socket already exists on this machine; not replacing it")
    JOURNAL_DIR.mkdir(parents=True, exist_ok=True)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(JOURNAL_SOCKET))
    sock.settimeout(10)
    try:
        yield sock
    finally:
        sock.close()
        JOURNAL_SOCKET.unlink(missing_ok=True)


def parse_native(datagram: bytes) -> dict[str, str]:
    """Parses the journal's native protocol (FIELD=value lines; binary-safe form unused here)."""
    fields: dict[str, str] = {}
    for line in datagram.decode("utf-8", "replace").split("\n"):
        if "=" in line:
            key, value = line.split("=", 1)
            fields[key] = value
    return fields


def test_logs_go_to_the_journal_with_structured_fields(daemon_factory, fake_journal):
    d = daemon_factory()
    d.stderr_path.write_bytes(b"")
    st = os.stat(d.stderr_path)
    d.env = clean_env(JOURNAL_STREAM=f"{st.st_dev}:{st.st_ino}")
    d.start()
    d.call("tenant.create", {"id": "zhengzhou", "name": "郑州市", "division_code": "4101"})

    entries = []
    while True:
        fields = parse_native(fake_journal.recv(65536))
        entries.append(fields)
        if fields.get("MESSAGE") == "tenant created":
            break
    created = entries[-1]
    assert created["SYSLOG_IDENTIFIER"] == "zhichengd"
    assert created["PRIORITY"] == "5"  # notice
    assert created["TENANT_ID"] == "zhengzhou"
    assert created["TENANT_KIND"] == "city"
    assert created["CODE_FILE"] and created["CODE_LINE"].isdigit()
    assert any(e.get("MESSAGE") == "zhichengd ready" and e.get("PRIORITY") == "5" for e in entries)
    # Nothing was written to stderr as lines: the journal got it all.
    assert "tenant created" not in d.stderr()


def test_a_stale_journal_stream_means_stderr(daemon_factory):
    d = daemon_factory(env=clean_env(JOURNAL_STREAM="1:1"))
    d.start()
    d.call("tenant.create", {"id": "kaifeng", "name": "开封市", "division_code": "4102"})
    d.terminate()
    assert "tenant created" in d.stderr()


def test_a_configuration_refused_at_start_is_a_critical_journal_entry_naming_the_key(daemon_factory, fake_journal):
    """Refused before logging was set up, the message went to stderr as a plain line, which
    journald stores at the stream's priority (info): `journalctl -p err` did not show why the
    unit failed. It is a journal entry at critical (2), with the key."""
    d = daemon_factory(config="[limits]\nmax_open_tenants = 0\n")
    d.stderr_path.write_bytes(b"")
    st = os.stat(d.stderr_path)
    d.env = clean_env(JOURNAL_STREAM=f"{st.st_dev}:{st.st_ino}")
    d.start(wait=False)
    assert d.wait_exit(timeout=30) == 78
    fields = parse_native(fake_journal.recv(65536))
    # The reason in the message itself, which `journalctl -p err` and `systemctl status` show.
    assert fields["MESSAGE"].startswith("configuration refused: ") and "max_open_tenants" in fields["MESSAGE"] and fields["PRIORITY"] == "2", fields
    assert fields["CONFIG_KEY"] == "limits.max_open_tenants", fields
