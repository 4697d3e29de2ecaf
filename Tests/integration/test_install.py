"""`make install` (SPEC §8: the plugin C header is installed with the package): into a DESTDIR it
puts the binaries, `zhicheng_plugin.h`, the shipped plugins, the systemd units and the example
config; a plugin compiled against the installed header alone loads in the installed daemon next to
the shipped ones; a second install keeps an edited config."""

from __future__ import annotations

import os
import pathlib
import subprocess

from conftest import REPO, CMD_TIMEOUT, clean_env

PLUGIN = r"""
#include <stdlib.h>
#include <string.h>
#include <zhicheng_plugin.h>
static const char manifest[] = "{\"name\":\"installed-header\",\"version\":\"2.0.0\",\"steps\":[{\"id\":\"noop\",\"title\":\"空检查\",\"at\":\"submit\"}]}";
static char *call(const char *step, const char *input) { (void)step; (void)input; return strdup("{\"decision\":\"pass\"}"); }
static void free_result(char *r) { free(r); }
static const zhicheng_plugin_v1 plugin = { ZHICHENG_PLUGIN_ABI_VERSION, manifest, call, free_result };
const zhicheng_plugin_v1 *zhicheng_plugin_entry(void) { return &plugin; }
"""


def make_install(dest: pathlib.Path) -> None:
    out = subprocess.run(["make", "-s", "install", f"DESTDIR={dest}", "CONFIG=debug"], cwd=REPO, capture_output=True, text=True,
                         timeout=CMD_TIMEOUT * 20, env=dict(clean_env(), PATH=os.environ.get("PATH", "")))
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]


def test_make_install_puts_everything_in_place(daemon_factory, tmp_path):
    dest = tmp_path / "root"
    # Over an earlier version's install: its second socket unit is taken away (zhichengd.socket listens on its port).
    old_unit = dest / "usr/lib/systemd/system/zhichengd-http.socket"
    old_unit.parent.mkdir(parents=True)
    old_unit.write_text("[Socket]\nListenStream=127.0.0.1:8080\n")
    make_install(dest)
    assert not old_unit.exists()
    for path in ("usr/bin/zhichengd", "usr/bin/zhichengctl", "usr/include/zhicheng_plugin.h",
                 "usr/lib/zhicheng/plugins/libexpert-recommendation.so",
                 "usr/lib/systemd/system/zhichengd.service", "usr/lib/systemd/system/zhichengd.socket",
                 "usr/lib/systemd/system/zhichengd-backup.service",
                 "usr/lib/systemd/system/zhichengd-backup.timer", "usr/lib/sysusers.d/zhicheng.conf",
                 "usr/lib/tmpfiles.d/zhicheng.conf", "etc/zhicheng/zhichengd.toml"):
        assert (dest / path).is_file(), path
    assert os.access(dest / "usr/bin/zhichengd", os.X_OK)
    assert (dest / "etc/zhicheng/zhichengd.toml").stat().st_mode & 0o777 == 0o640

    # A plugin built against the installed header alone.
    plugins = dest / "usr/lib/zhicheng/plugins"
    source = tmp_path / "installed_header.c"
    source.write_text(PLUGIN)
    # Only the DESTDIR's include dir is added: the repository's copy is not on the path.
    cc = subprocess.run(["cc", "-O2", "-fPIC", "-shared", "-Wall", "-Werror", "-I", str(dest / "usr/include"),
                         "-o", str(plugins / "libinstalled-header.so"), str(source)], capture_output=True, text=True, timeout=CMD_TIMEOUT)
    assert cc.returncode == 0, cc.stderr

    d = daemon_factory()
    d.bin, d.plugin_dir = str(dest / "usr/bin/zhichengd"), plugins   # the installed daemon and plugin dir
    d.start()
    listed = {p["name"]: p for p in d.call("plugin.list")["plugins"]}
    # The example plugin is installed beside, not into, the plugin dir: its made-up rule would
    # return every title application that does not state 现职年限.
    assert {name: p["state"] for name, p in listed.items()} == {
        "installed-header": "loaded", "expert-recommendation": "loaded"}, listed
    assert (dest / "usr/share/zhicheng/examples/plugins/libqualification-check.so").is_file()
    assert listed["installed-header"]["version"] == "2.0.0"

    # Installing again keeps the administrator's config.
    config = dest / "etc/zhicheng/zhichengd.toml"
    config.write_text(config.read_text() + "\n# edited by the administrator\n")
    make_install(dest)
    assert config.read_text().endswith("# edited by the administrator\n")


def test_installed_units_may_map_every_library_the_daemon_the_plugins_and_zhichengctl_load(tmp_path):
    """The units' sandbox lets a service map executable code only under ExecPaths= (NoExecPaths=/),
    and hides /home, /root and /tmp. Every shared library the installed daemon and plugins load
    (zhichengd.service), and zhichengctl (zhichengd-backup.service), must lie under an ExecPaths= of
    the installed unit or of its drop-ins: a Swift toolchain outside /usr (this machine's is in
    /opt) gets a drop-in for each from `make install`, or the service could not start."""
    dest = tmp_path / "root"
    make_install(dest)
    unit_dir = dest / "usr/lib/systemd/system"
    plugins = sorted((dest / "usr/lib/zhicheng/plugins").glob("*.so"))
    for unit, binaries in (("zhichengd.service", [dest / "usr/bin/zhichengd", *plugins]),
                           ("zhichengd-backup.service", [dest / "usr/bin/zhichengctl"])):
        files = [unit_dir / unit, *sorted((unit_dir / f"{unit}.d").glob("*.conf"))]
        exec_paths, no_exec = [], []
        for f in files:
            for line in f.read_text().splitlines():
                key, _, value = line.partition("=")
                if key.strip() == "ExecPaths":
                    exec_paths += value.split()
                elif key.strip() == "NoExecPaths":
                    no_exec += value.split()
        assert no_exec == ["/"] and "/usr" in exec_paths, (unit, no_exec, exec_paths)
        allowed = [os.path.realpath(p) for p in exec_paths]
        swift_runtime = None
        for binary in binaries:
            ldd = subprocess.run(["ldd", str(binary)], capture_output=True, text=True, timeout=CMD_TIMEOUT)
            assert ldd.returncode == 0, ldd.stderr
            for line in ldd.stdout.splitlines():
                if "=>" not in line or "not found" in line:
                    assert "not found" not in line, f"{binary.name}: {line.strip()}"
                    continue
                path = os.path.realpath(line.split("=>")[1].split("(")[0].strip())
                if not path.startswith("/"):
                    continue
                assert any(path == a or path.startswith(a + "/") for a in allowed), f"{unit}: {binary.name} loads {path}, outside ExecPaths={exec_paths}"
                assert not path.startswith(("/home/", "/root/", "/tmp/")), f"{unit}: {binary.name} loads {path}, which the sandbox hides"
                if os.path.basename(path) == "libswiftCore.so":
                    swift_runtime = os.path.dirname(path)
        assert swift_runtime is not None, f"{unit}: {binaries[0].name} does not load the Swift runtime dynamically: this test checks nothing"
        dropin = unit_dir / f"{unit}.d/swift-runtime.conf"
        assert dropin.is_file() == (not swift_runtime.startswith("/usr/")), (unit, swift_runtime, dropin.is_file())
