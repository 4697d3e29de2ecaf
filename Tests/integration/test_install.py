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
    make_install(dest)
    for path in ("usr/bin/zhichengd", "usr/bin/zhichengctl", "usr/include/zhicheng_plugin.h",
                 "usr/lib/zhicheng/plugins/libqualification-check.so", "usr/lib/zhicheng/plugins/libexpert-recommendation.so",
                 "usr/lib/systemd/system/zhichengd.service", "usr/lib/systemd/system/zhichengd.socket",
                 "usr/lib/systemd/system/zhichengd-http.socket", "usr/lib/sysusers.d/zhicheng.conf",
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
    assert {name: p["state"] for name, p in listed.items()} == {
        "installed-header": "loaded", "qualification-check": "loaded", "expert-recommendation": "loaded"}, listed
    assert listed["installed-header"]["version"] == "2.0.0"

    # Installing again keeps the administrator's config.
    config = dest / "etc/zhicheng/zhichengd.toml"
    config.write_text(config.read_text() + "\n# edited by the administrator\n")
    make_install(dest)
    assert config.read_text().endswith("# edited by the administrator\n")
