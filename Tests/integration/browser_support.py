"""Shared pieces of the browser tests: a headless Chromium driven by Selenium, images to upload,
and small page helpers. Screenshots go to .build/screenshots/."""

from __future__ import annotations

import os
import pathlib
import shutil
import struct
import tempfile
import zlib

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
SHOTS = REPO / ".build" / "screenshots"


def png_bytes(width: int = 64, height: int = 40, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A real PNG image (solid colour) built without any imaging library."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    row = b"\x00" + bytes(rgb) * width
    raw = row * height
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


@pytest.fixture
def browser():
    """Headless Chromium with Debian's chromedriver; always quit, also on failure."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        if os.environ.get("CI"):
            raise
        pytest.skip("selenium is not installed (make test installs it)")
    chromium = shutil.which("chromium")
    driver_path = shutil.which("chromedriver")
    if not chromium or not driver_path:
        if os.environ.get("CI"):
            pytest.fail("chromium and chromium-driver are required (make test installs them)")
        pytest.skip("chromium / chromedriver not installed")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1400,1000", "--lang=zh-CN"):
        options.add_argument(arg)
    # Chromium leaves its singleton socket directory (org.chromium.Chromium.*) in TMPDIR when a
    # headless run quits: give it a directory of its own, removed afterwards, not /tmp.
    scratch = tempfile.mkdtemp(prefix="zhicheng-chromium-")
    try:
        driver = webdriver.Chrome(service=Service(driver_path, env={**os.environ, "TMPDIR": scratch}), options=options)
        try:
            driver.set_page_load_timeout(30)
            driver.implicitly_wait(0)
            yield driver
        finally:
            driver.quit()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


class Pages:
    """Helpers that act like a person: fill a field, press a button, read the flash."""

    def __init__(self, driver, base: str, name: str):
        self.d = driver
        self.base = base
        self.name = name
        self.n = 0
        SHOTS.mkdir(parents=True, exist_ok=True)

    def shot(self, label: str) -> None:
        self.n += 1
        self.d.save_screenshot(str(SHOTS / f"{self.name}-{self.n:02d}-{label}.png"))

    def go(self, path: str) -> None:
        self.d.get(self.base + path)

    def by(self, css: str):
        from selenium.webdriver.common.by import By
        return self.d.find_element(By.CSS_SELECTOR, css)

    def all(self, css: str):
        from selenium.webdriver.common.by import By
        return self.d.find_elements(By.CSS_SELECTOR, css)

    def fill(self, css: str, value: str) -> None:
        field = self.by(css)
        field.clear()
        field.send_keys(value)

    def set_value(self, css: str, value: str) -> None:
        """Puts `value` in a control as a choice made in it would (with its `input` and `change`
        events): for a datetime-local input, which send_keys fills in the order of the browser's
        locale. The value must be one the control can hold (a browser empties one it cannot)."""
        field = self.by(css)
        taken = self.d.execute_script(
            "const f = arguments[0]; f.value = arguments[1];"
            " f.dispatchEvent(new Event('input', {bubbles: true})); f.dispatchEvent(new Event('change', {bubbles: true}));"
            " return f.value;", field, value)
        assert taken == value, (css, value, taken)

    def click(self, css: str) -> None:
        self.press(self.by(css))

    def press(self, element) -> None:
        """Clicks; a submit button's page load is waited for (bounded), so the next step sees the new page."""
        from selenium.webdriver.support.ui import WebDriverWait
        submits = element.tag_name == "button" and (element.get_attribute("type") or "submit") == "submit"
        old = self.by("html") if submits else None
        element.click()
        if old is not None:
            WebDriverWait(self.d, 20).until(lambda _: self._gone(old))
            WebDriverWait(self.d, 20).until(lambda d: d.execute_script("return document.readyState") == "complete")

    def follow(self, link) -> None:
        """Clicks a link and waits (bounded) for the new page."""
        from selenium.webdriver.support.ui import WebDriverWait
        old = self.by("html")
        link.click()
        WebDriverWait(self.d, 20).until(lambda _: self._gone(old))
        WebDriverWait(self.d, 20).until(lambda d: d.execute_script("return document.readyState") == "complete")

    @staticmethod
    def _gone(element) -> bool:
        from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
        try:
            element.is_enabled()
            return False
        except StaleElementReferenceException:
            return True
        except WebDriverException:
            # Newer Chromium reports a node of a replaced document this way.
            return True

    def flash_ok(self) -> str:
        found = self.all(".flash.ok")
        return found[0].text if found else ""

    def flash_error(self) -> str:
        found = self.all(".flash.error")
        return found[0].text if found else ""

    def login(self, login: str, password: str) -> None:
        self.go("login")
        self.fill("#login", login)
        self.fill("#password", password)
        self.click("#login-submit")

    def login_ok(self, login: str, password: str) -> None:
        self.login(login, password)
        assert not self.d.current_url.endswith("/login"), f"sign-in as {login} failed: {self.flash_error()!r}"

    def logout(self) -> None:
        self.click("header form button")
        assert self.d.current_url.endswith("/login"), f"sign-out failed at {self.d.current_url}: {self.d.page_source[:300]}"

    def change_password(self, old: str, new: str) -> None:
        assert self.d.current_url.endswith("/password"), self.d.current_url
        self.fill("#old_password", old)
        self.fill("#new_password", new)
        self.fill("#new_password2", new)
        self.click("#password-submit")
        assert not self.d.current_url.endswith("/password"), f"password change failed: {self.flash_error()!r}"
        assert "密码已修改" in self.flash_ok(), "the change is confirmed"

    def secret(self) -> tuple[str, str]:
        assert self.all("#secret-login"), f"no one-time password shown; error: {self.flash_error()!r} at {self.d.current_url}"
        return self.by("#secret-login").text, self.by("#secret-password").text


# Accessibility: what a screen reader is given, as the browser computes it.

def unnamed_controls(p: Pages) -> list[str]:
    """The visible form controls (those in a closed <details> too, opened for the check and
    closed again) whose accessible name, as Chromium computes it, is empty."""
    opened = p.d.execute_script(
        "const closed = Array.from(document.querySelectorAll('details:not([open])')); closed.forEach(d => d.open = true); return closed;")
    try:
        controls = p.all("input:not([type=hidden]), select, textarea, button")
        assert controls, f"no form controls on {p.d.current_url}"
        return [c.get_attribute("outerHTML")[:160] for c in controls if c.is_displayed() and not (c.accessible_name or "").strip()]
    finally:
        p.d.execute_script("arguments[0].forEach(d => d.open = false)", opened)


def loose_radio_groups(p: Pages) -> list[str]:
    """The radio groups (buttons of one name in one form) that are not alone in a fieldset
    named, as Chromium computes it, by its legend."""
    groups = p.d.execute_script("""
        const groups = new Map();
        for (const r of document.querySelectorAll('input[type=radio]')) {
            const key = (r.form ? Array.from(document.forms).indexOf(r.form) : -1) + '/' + r.name;
            if (!groups.has(key)) groups.set(key, []);
            groups.get(key).push(r);
        }
        return Array.from(groups, ([key, radios]) => {
            const homes = new Set(radios.map(r => r.closest('fieldset')));
            const home = homes.size === 1 ? radios[0].closest('fieldset') : null;
            const legend = home && home.querySelector(':scope > legend');
            const alone = home && Array.from(home.querySelectorAll('input:not([type=hidden]), select, textarea, button'))
                .every(c => c.type === 'radio' && c.name === radios[0].name);
            return [key, home, legend ? legend.textContent.trim() : '', !!alone];
        });""")
    loose = []
    for key, home, legend, alone in groups:
        if home is None or not legend or not alone or (home.accessible_name or "").strip() != legend:
            loose.append(f"{key}: legend {legend!r}, alone {alone}, named {home.accessible_name if home else None!r}")
    return loose


SHOWN_TEXT = """
    const el = arguments[0];
    // A text node is unseen when an element between it and `el` is not displayed, or shows
    // nothing of its content: clipped to nothing, or a box of at most 1 px that hides its
    // overflow (the .vh pattern). WebDriver's own .text counts such text as shown.
    const unseen = node => {
        for (let e = node.parentElement; e && e !== el.parentElement; e = e.parentElement) {
            const s = getComputedStyle(e), r = e.getBoundingClientRect();
            if (s.display === 'none' || s.visibility === 'hidden') return true;
            if (s.position === 'absolute' && s.clip === 'rect(0px, 0px, 0px, 0px)') return true;
            if (s.overflow === 'hidden' && r.width <= 1 && r.height <= 1) return true;
        }
        return false;
    };
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    let out = '';
    for (let n = walker.nextNode(); n; n = walker.nextNode()) if (!unseen(n)) out += n.data;
    return out.split(/\\s+/).filter(Boolean).join(' ');"""


def shown_text(p: Pages, element) -> str:
    """The words an element shows on screen, blanks as one space: WebDriver's .text without the
    visually hidden parts (a `.vh` span's), which .text includes (Selenium's visibility test
    reads no clip), on a line of its own."""
    return p.d.execute_script(SHOWN_TEXT, element)


def labels_without_their_text(p: Pages) -> list[str]:
    """The links, buttons and <summary>s with an aria-label (those in a closed <details> too,
    opened for the check and closed again) whose accessible name, as Chromium computes it, does
    not contain the words they show (WCAG 2.5.3 label in name; blanks read as one space)."""
    opened = p.d.execute_script(
        "const closed = Array.from(document.querySelectorAll('details:not([open])')); closed.forEach(d => d.open = true); return closed;")
    try:
        words = lambda text: " ".join((text or "").split())
        return [f"{c.get_attribute('outerHTML')[:160]}: {c.accessible_name!r} / {shown_text(p, c)!r}"
                for c in p.all("a[aria-label], button[aria-label], summary[aria-label]")
                if c.is_displayed() and shown_text(p, c) not in words(c.accessible_name)]
    finally:
        p.d.execute_script("arguments[0].forEach(d => d.open = false)", opened)


def assert_controls_named(p: Pages) -> None:
    """Every control named; every radio group in a fieldset of its own named by its legend;
    every aria-label of a link, button or summary saying the words it shows."""
    unnamed = unnamed_controls(p)
    assert not unnamed, f"controls without an accessible name on {p.d.current_url}: {unnamed}"
    unsaid = labels_without_their_text(p)
    assert not unsaid, f"aria-labels without their visible text on {p.d.current_url}: {unsaid}"
    loose = loose_radio_groups(p)
    assert not loose, f"radio groups outside a fieldset of their own on {p.d.current_url}: {loose}"


def assert_skip_link(p: Pages) -> None:
    """The page reloaded: the first Tab reaches 跳到主要内容, shown while focused, and Enter
    moves the focus to <main>, from where the next Tab goes on inside it."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait
    p.d.refresh()
    WebDriverWait(p.d, 20).until(lambda d: d.execute_script("return document.readyState") == "complete")
    ActionChains(p.d).send_keys(Keys.TAB).perform()
    focused = p.d.switch_to.active_element
    assert focused.text == "跳到主要内容" and focused.get_attribute("href").endswith("#main"), focused.get_attribute("outerHTML")
    assert focused.size["width"] > 10 and focused.size["height"] > 10, "the skip link is shown while it has the focus"
    ActionChains(p.d).send_keys(Keys.ENTER).perform()
    WebDriverWait(p.d, 10).until(lambda d: d.switch_to.active_element.get_attribute("id") == "main")
    ActionChains(p.d).send_keys(Keys.TAB).perform()
    assert p.d.execute_script("return document.querySelector('main').contains(document.activeElement)"), \
        p.d.switch_to.active_element.get_attribute("outerHTML")[:200]


def assert_refused(p: Pages, css: str) -> None:
    """The page answering a refused form: its title says 错误 first, and the control at fault
    (and only it) is marked invalid and described by the message."""
    assert p.d.title.startswith("错误："), p.d.title
    assert p.by("#flash-error").get_attribute("role") == "alert"
    marked = p.all("[aria-invalid=true]")
    assert [m.get_attribute("outerHTML")[:160] for m in marked] == [m.get_attribute("outerHTML")[:160] for m in p.all(css)], \
        (css, [m.get_attribute("outerHTML")[:160] for m in marked])
    for field in marked:
        assert field.get_attribute("aria-describedby") == "flash-error", field.get_attribute("outerHTML")
