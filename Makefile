# Zhicheng — build, run, test and benchmark. `make run` and `make test` set up a
# fresh Debian machine themselves (installing missing system packages as root).

SWIFT        ?= swift
PYTHON       ?= python3
BUILD_DIR    ?= .build
STATE        ?= .zhicheng
HTTP         ?= 127.0.0.1:8080

# System packages the build needs, and the extra ones tests and benchmarks use.
BUILD_DEBS   := libsqlite3-dev libsystemd-dev pkg-config gcc
TEST_DEBS    := sqlite3 systemd util-linux procps chromium chromium-driver fonts-noto-cjk
# Python modules the tests import, and the Debian packages that give them to the system
# python (which refuses `pip install`: PEP 668); any other python gets them from pip.
TEST_PY      := pytest:python3-pytest selenium:python3-selenium

.PHONY: all build release deps test-deps run test unit-test integration-test bench fuzz plugins install clean

all: build

# Installs whatever of the listed Debian packages is missing (needs root).
define ensure_debs
	@missing=""; for p in $(1); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		if [ "$$(id -u)" -ne 0 ]; then echo "run as root, or: sudo apt-get install -y$$missing" >&2; exit 1; fi; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
endef

deps:
	$(call ensure_debs,$(BUILD_DEBS))

test-deps: deps
	$(call ensure_debs,$(TEST_DEBS))
	@system=$$($(PYTHON) -c 'import sys; print(int(sys.prefix == "/usr"))'); \
	for pair in $(TEST_PY); do \
		module=$${pair%%:*}; deb=$${pair#*:}; \
		$(PYTHON) -c "import $$module" 2>/dev/null && continue; \
		if [ "$$system" = 1 ]; then \
			echo "installing: $$deb"; \
			if [ "$$(id -u)" -ne 0 ]; then echo "run as root, or: sudo apt-get install -y $$deb" >&2; exit 1; fi; \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$deb >/dev/null || \
				{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$deb >/dev/null; } || exit 1; \
		else \
			echo "installing: $$module (pip, into $(PYTHON)'s environment)"; \
			$(PYTHON) -m pip install -q $$module || exit 1; \
		fi; \
	done

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

# Builds every plugin under Plugins/ into .build/plugins/: C plugins with the system compiler,
# Swift plugins (`.dynamic` library products of Package.swift, listed here as Product:file-name)
# with SwiftPM. Their runpath names the toolchain's runtime directory, so the copies load from
# anywhere on this machine. A copy replaces the old file by rename, never in place, so a plugin
# host that still maps the old one is not hurt.
PLUGIN_CFLAGS := -O2 -fPIC -shared -Wall -Wextra -I Sources/CZhichengPlugin/include
SWIFT_PLUGINS := ExpertRecommendation:expert-recommendation
SWIFT_BUILD_FLAGS ?=
plugins:
	@mkdir -p $(BUILD_DIR)/plugins
	@for src in Plugins/*/*.c; do \
		name=$$(basename $$(dirname $$src) | sed 's/\([a-z0-9]\)\([A-Z]\)/\1-\2/g' | tr 'A-Z' 'a-z'); \
		cc $(PLUGIN_CFLAGS) -o $(BUILD_DIR)/plugins/lib$$name.so.tmp $$src && mv -f $(BUILD_DIR)/plugins/lib$$name.so.tmp $(BUILD_DIR)/plugins/lib$$name.so || exit 1; \
		echo "built $(BUILD_DIR)/plugins/lib$$name.so"; \
	done
	@bin=$$($(SWIFT) build --scratch-path $(BUILD_DIR) $(SWIFT_BUILD_FLAGS) --show-bin-path) || exit 1; \
	for plugin in $(SWIFT_PLUGINS); do \
		product=$${plugin%%:*}; name=$${plugin#*:}; out=$(BUILD_DIR)/plugins/lib$$name.so; \
		$(SWIFT) build --scratch-path $(BUILD_DIR) $(SWIFT_BUILD_FLAGS) --product $$product || exit 1; \
		cp $$bin/lib$$product.so $$out.tmp && mv -f $$out.tmp $$out || exit 1; \
		echo "built $$out"; \
	done

# Starts zhichengd in the foreground with its state in ./.zhicheng and the demo tenants.
run: build plugins
	@mkdir -p $(STATE)/run $(STATE)/data
	$(BUILD_DIR)/debug/zhichengd --data-dir $(STATE)/data --admin-socket $(STATE)/run/admin.sock \
		--http $(HTTP) --plugin-dir $(BUILD_DIR)/plugins --demo

# Every dependency is installed by now: pytest runs with CI set, so a missing binary or browser
# fails its tests instead of skipping them, and -rs prints why anything was skipped.
test: test-deps plugins
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	$(MAKE) --no-print-directory fuzz
	CI=$${CI:-1} $(PYTHON) -m pytest -q -rs -p no:cacheprovider Tests/integration

# libFuzzer over the parsers and validators of outside input (Sources/ZhichengFuzz), built
# with AddressSanitizer in its own build dir. Each target starts from its seed corpus in
# Tests/Fuzz/<target> plus what earlier runs here found (.build-fuzz/corpus/<target>), and
# runs FUZZ_RUNS inputs from a fixed seed: the same inputs on every fresh checkout. An input
# that crashes or breaks a property is saved under .build-fuzz/artifacts/ and fails the run;
# replay one with `.build/debug/ZhichengFuzz TARGET FILE`. `make fuzz FUZZ_RUNS=-1
# FUZZ_SECONDS=600` fuzzes for ten minutes a target instead.
FUZZ_BUILD   ?= .build-fuzz
FUZZ_TARGETS := admin-line json-writer csv validators uploads
FUZZ_RUNS    ?= 60000
FUZZ_SECONDS ?= 0
fuzz:
	@mkdir -p $(FUZZ_BUILD)/artifacts
	@echo "fuzz: building ZhichengFuzz with libFuzzer and AddressSanitizer into $(FUZZ_BUILD)"
	@$(SWIFT) build --build-path $(FUZZ_BUILD) --product ZhichengFuzz -Xswiftc -sanitize=fuzzer,address \
		-Xswiftc -parse-as-library -Xswiftc -DZHICHENG_FUZZ > $(FUZZ_BUILD)/build.log 2>&1 \
		|| { grep -v "Cannot export local symbol" $(FUZZ_BUILD)/build.log | tail -40; exit 1; }
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_BUILD)/corpus/$$t; \
		ZHICHENG_FUZZ_TARGET=$$t SWIFT_BACKTRACE=enable=no $(FUZZ_BUILD)/debug/ZhichengFuzz -seed=1 -runs=$(FUZZ_RUNS) \
			-max_total_time=$(FUZZ_SECONDS) -max_len=4096 -timeout=10 -rss_limit_mb=2048 -detect_leaks=0 -print_final_stats=1 \
			-artifact_prefix=$(FUZZ_BUILD)/artifacts/$$t- $(FUZZ_BUILD)/corpus/$$t Tests/Fuzz/$$t > $(FUZZ_BUILD)/$$t.log 2>&1; \
		status=$$?; \
		echo "fuzz $$t: $$(grep -o 'stat::number_of_executed_units: *[0-9]*' $(FUZZ_BUILD)/$$t.log | grep -o '[0-9]*$$') inputs, $$(grep -o 'cov: [0-9]*' $(FUZZ_BUILD)/$$t.log | tail -1), corpus $$(ls $(FUZZ_BUILD)/corpus/$$t | wc -l) files"; \
		if [ $$status -ne 0 ]; then grep -A3 -E "fuzz property broken|ERROR: (AddressSanitizer|libFuzzer)|Fatal error" $(FUZZ_BUILD)/$$t.log | head -20; \
			echo "fuzz $$t FAILED (exit $$status): see $(FUZZ_BUILD)/$$t.log and $(FUZZ_BUILD)/artifacts/" >&2; exit 1; fi; \
	done

bench: test-deps release
	$(PYTHON) bench/run.py

# Installs the binaries, the plugin C header, the shipped plugins, the systemd units and the
# example config under $(DESTDIR)$(PREFIX) (a package build sets DESTDIR). Builds first with
# CONFIG (release by default), the Swift plugins too. The config is not overwritten if one is
# already there; it is 0640 root:zhicheng (tmpfiles.d sets the group where the group did not
# exist yet). Example plugins go to share/zhicheng/examples/plugins/, not to the plugin dir:
# they impose example rules (QualificationCheck returns every title application whose 工作经历
# does not state 现职年限：N), which a province turns on only by copying them there.
# When the Swift runtime the binaries load lies outside /usr (a toolchain in /opt), the units'
# sandbox (NoExecPaths=/ ExecPaths=/usr) would refuse to map it: a drop-in for zhichengd.service
# and one for zhichengd-backup.service (which runs zhichengctl) add its directory.
PREFIX       ?= /usr
CONFIG       ?= release
SYSCONFDIR   ?= /etc
EXAMPLE_PLUGINS := qualification-check
UNIT_DIR      = $(DESTDIR)$(PREFIX)/lib/systemd/system
install: deps
	$(SWIFT) build -c $(CONFIG) --product zhichengd
	$(SWIFT) build -c $(CONFIG) --product zhichengctl
	@$(MAKE) --no-print-directory plugins SWIFT_BUILD_FLAGS="-c $(CONFIG)"
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/zhicheng/plugins \
		$(DESTDIR)$(PREFIX)/share/zhicheng/examples/plugins \
		$(UNIT_DIR) $(DESTDIR)$(PREFIX)/lib/sysusers.d $(DESTDIR)$(PREFIX)/lib/tmpfiles.d \
		$(DESTDIR)$(SYSCONFDIR)/zhicheng
	install -m 0755 $(BUILD_DIR)/$(CONFIG)/zhichengd $(BUILD_DIR)/$(CONFIG)/zhichengctl $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 Sources/CZhichengPlugin/include/zhicheng_plugin.h $(DESTDIR)$(PREFIX)/include/
	@for so in $(BUILD_DIR)/plugins/*.so; do \
		name=$$(basename $$so .so); name=$${name#lib}; \
		case " $(EXAMPLE_PLUGINS) " in *" $$name "*) dir=$(DESTDIR)$(PREFIX)/share/zhicheng/examples/plugins;; *) dir=$(DESTDIR)$(PREFIX)/lib/zhicheng/plugins;; esac; \
		echo "install -m 0755 $$so $$dir/"; install -m 0755 $$so $$dir/ || exit 1; \
	done
	@# An earlier version's second socket unit: zhichengd.socket listens on its port now.
	@if [ -e $(UNIT_DIR)/zhichengd-http.socket ]; then rm -f $(UNIT_DIR)/zhichengd-http.socket; \
		echo "removed $(UNIT_DIR)/zhichengd-http.socket (zhichengd.socket holds both listeners now): run systemctl stop zhichengd-http.socket; rm -f /etc/systemd/system/sockets.target.wants/zhichengd-http.socket; systemctl daemon-reload"; fi
	install -m 0644 systemd/zhichengd.service systemd/zhichengd.socket \
		systemd/zhichengd-backup.service systemd/zhichengd-backup.timer $(UNIT_DIR)/
	install -m 0644 systemd/sysusers.d/zhicheng.conf $(DESTDIR)$(PREFIX)/lib/sysusers.d/
	install -m 0644 systemd/tmpfiles.d/zhicheng.conf $(DESTDIR)$(PREFIX)/lib/tmpfiles.d/
	@runtime=$$(ldd $(BUILD_DIR)/$(CONFIG)/zhichengd | sed -n 's|.*=> \(/.*\)/libswiftCore\.so .*|\1|p'); \
	runtime=$${runtime:+$$(realpath "$$runtime")}; \
	for unit in zhichengd zhichengd-backup; do \
		dropin=$(UNIT_DIR)/$$unit.service.d; \
		case "$$runtime" in \
		""|/usr/*) rm -f $$dropin/swift-runtime.conf ;; \
		/home/*|/root/*|/run/*|/tmp/*|/var/tmp/*) echo "warning: the Swift runtime is in $$runtime, which the $$unit.service sandbox hides (ProtectHome=, PrivateTmp=): install the toolchain under /usr or /opt" >&2 ;; \
		*) install -d $$dropin && printf '%s\n' "# Written by make install: the Swift runtime zhichengd, zhichengctl and the Swift plugins load." \
			"[Service]" "ExecPaths=$$runtime" > $$dropin/swift-runtime.conf && echo "wrote $$dropin/swift-runtime.conf (ExecPaths=$$runtime)" ;; \
		esac; \
	done
	@config=$(DESTDIR)$(SYSCONFDIR)/zhicheng/zhichengd.toml; \
	if [ -e $$config ]; then echo "kept $$config"; \
	else install -m 0640 etc/zhicheng/zhichengd.toml $$config && echo "installed $$config"; fi; \
	if [ -z "$(DESTDIR)" ] && getent group zhicheng >/dev/null; then chgrp zhicheng $$config; fi
	@echo "installed under $(DESTDIR)$(PREFIX) (see systemd/README.md for the next steps)"

clean:
	rm -rf $(BUILD_DIR) $(STATE)
