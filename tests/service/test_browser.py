"""End to end, in a real browser: headless Chromium, driven by Selenium, against `leitong serve`.

The issue's scenario: an agency logs in, uploads its recycled report as a .docx, sees 总复制比 and the
passages beside their 2024 source; another agency cannot open that check; the inspector uploads the
report to the archive, sees the year-over-year overview with it flagged, and opens its evidence.
Along the way: the dashboard, the users page, logging out, and the pages at phone width.

Every page is saved as a screenshot, named by step, to $LEITONG_SCREENSHOTS (default: a pytest
temporary folder), for a person to look at. On every page the browser's console must stay free of
errors (a Content-Security-Policy violation is one), no request may leave 127.0.0.1, and nothing may
overflow the window sideways.
"""

import base64
import json
import os
import pathlib
import re
import urllib.parse
import zipfile
from xml.sax.saxutils import escape

import pytest

from conftest import CORPORA, RECYCLED, USERS, Client, Server, make_archive

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.common.exceptions import StaleElementReferenceException  # noqa: E402
from selenium.webdriver.chrome.service import Service as ChromeService  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

CHROMIUM = os.environ.get("LEITONG_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("LEITONG_CHROMEDRIVER", "/usr/bin/chromedriver")
if not (pathlib.Path(CHROMIUM).exists() and pathlib.Path(CHROMEDRIVER).exists()):
    pytest.skip(f"needs {CHROMIUM} and {CHROMEDRIVER} (Debian: chromium, chromium-driver)", allow_module_level=True)

LUOHU = USERS["luohu"][1]          # 深圳市罗湖区民政局
SHAPINGBA = USERS["shapingba"][1]  # 重庆市沙坪坝区民政局
DESKTOP = (1280, 900)
PHONE = (390, 844)
WAIT = 60  # seconds; a check or an upload job takes about one

# A phrase of the 2025 report's own wording, which no other agency's page may show.
RECYCLED_WORDS = "罗湖区民政局坚持以习近平新时代中国特色社会主义思想为指导"


def write_docx(text_file, docx_file):
    """A minimal valid WordprocessingML document: one <w:p> per line of the text."""
    lines = pathlib.Path(text_file).read_text(encoding="utf-8").splitlines()
    paragraphs = "".join(
        f'<w:p><w:r><w:t xml:space="preserve">{escape(line)}</w:t></w:r></w:p>' if line else "<w:p/>"
        for line in lines)
    with zipfile.ZipFile(docx_file, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                   '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                   'wordprocessingml.document.main+xml"/></Types>')
        z.writestr("_rels/.rels",
                   '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                   '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                   'officeDocument" Target="word/document.xml"/></Relationships>')
        z.writestr("word/document.xml",
                   '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                   '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                   f"<w:body>{paragraphs}</w:body></w:document>")
    return docx_file


class Browser:
    """One Chromium (one person, one cookie jar) that records, page by page, its console messages and
    the URLs it requested, and saves numbered screenshots to a shared folder."""

    def __init__(self, who, server, shots, counter):
        self.who, self.server, self.shots, self.counter = who, server, shots, counter
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--lang=zh-CN",
                         "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update",
                         "--no-first-run", f"--window-size={DESKTOP[0]},{DESKTOP[1]}"):
            options.add_argument(argument)
        options.add_experimental_option("prefs", {"intl.accept_languages": "zh-CN,zh"})
        options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
        self.driver = webdriver.Chrome(service=ChromeService(CHROMEDRIVER), options=options)
        self.driver.execute_cdp_cmd("Network.enable", {})
        self.viewport(*DESKTOP)
        self.console = []    # (page, level, message)
        self.requests = []   # (page, url)
        self.statuses = {}   # url -> last HTTP status of a document
        self.overflows = []  # (step, scrollWidth, innerWidth)

    # --- navigation and waiting -------------------------------------------------------------
    def get(self, path):
        self.driver.get(self.server.base + path)
        self.wait_loaded()

    def wait(self, condition, timeout=WAIT, message=""):
        return WebDriverWait(self.driver, timeout, ignored_exceptions=(StaleElementReferenceException,)).until(
            condition, message)

    def wait_loaded(self):
        self.wait(lambda d: d.execute_script("return document.readyState") == "complete")

    def wait_path(self, pattern):
        self.wait(lambda d: re.fullmatch(pattern, urllib.parse.urlsplit(d.current_url).path),
                  message=f"{self.who}: never reached a path like {pattern}")
        self.wait_loaded()

    def path(self):
        split = urllib.parse.urlsplit(self.driver.current_url)
        return split.path + (f"?{split.query}" if split.query else "")

    def find(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def text(self, css="body"):
        return self.find(css).text

    def click(self, css):
        self.wait(EC.element_to_be_clickable((By.CSS_SELECTOR, css))).click()

    def click_link(self, text):
        self.wait(EC.element_to_be_clickable((By.LINK_TEXT, text))).click()

    def fill(self, css, value):
        field = self.find(css)
        field.clear()
        field.send_keys(value)

    def login(self, name, password=None):
        self.get("/login")
        self.fill("input[name=name]", name)
        self.fill("input[name=password]", password if password is not None else USERS[name][2])
        self.click("form.box button[type=submit]")
        self.wait(lambda d: urllib.parse.urlsplit(d.current_url).path != "/login"
                  or d.find_elements(By.CSS_SELECTOR, ".error"))
        self.refuse_foreign_origin()

    def refuse_foreign_origin(self):
        """A form of this site's own page must never be refused as another site's: a browser sends
        `Origin: null` on a form's POST when the page's Referrer-Policy is no-referrer."""
        errors = self.find_all(".error")
        assert not (errors and "请求来自其他网站" in errors[0].text), (
            f"{self.who}: a form of this site was refused as another site's ({errors[0].text}); the browser sent "
            f"`Origin: null` (Referrer-Policy: no-referrer makes it do so on every POST)")

    def submit(self, button, pattern):
        """Click a form's button; the browser must land on a path like pattern, not on an error."""
        before = self.driver.current_url
        self.click(button)
        self.wait(lambda d: re.fullmatch(pattern, urllib.parse.urlsplit(d.current_url).path)
                  or (d.current_url != before and d.execute_script("return document.readyState") == "complete"
                      and d.find_elements(By.CSS_SELECTOR, ".error")),
                  message=f"{self.who}: never reached a path like {pattern}")
        self.refuse_foreign_origin()
        errors = self.find_all(".error")
        assert not errors, f"{self.who}: {self.path()}: {errors[0].text}"
        self.wait_path(pattern)

    def logout(self):
        self.submit("nav.top form button[type=submit]", "/login")

    # --- viewport ---------------------------------------------------------------------------
    def viewport(self, width, height, mobile=False):
        """The layout viewport, exactly (a phone: a touch device that honours <meta viewport>)."""
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 2 if mobile else 1, "mobile": mobile})
        self.size = (width, height)

    # --- the record of each page ------------------------------------------------------------
    def collect(self, page):
        for entry in self.driver.get_log("browser"):
            self.console.append((page, entry["level"], entry["message"]))
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            params = message.get("params", {})
            if message["method"] == "Network.requestWillBeSent":
                self.requests.append((page, params["request"]["url"]))
            elif message["method"] == "Network.responseReceived" and params.get("type") == "Document":
                self.statuses[params["response"]["url"]] = params["response"]["status"]

    def overflow(self):
        """[the document's width, the window's]: at phone width the window is the emulated screen, as
        a phone's browser zooms out to show a page wider than the screen (and innerWidth grows)."""
        scroll_width, inner_width = self.driver.execute_script(
            "return [document.documentElement.scrollWidth, window.innerWidth]")
        return scroll_width, min(inner_width, self.size[0])

    def widest(self):
        """The elements that stick out past the window's right edge, outermost first (for the report)."""
        return self.driver.execute_script("""
            var out = [], width = arguments[0];
            function clipped(e) {  // inside a box that scrolls sideways (a table at phone width)
              for (var a = e.parentElement; a; a = a.parentElement)
                if (getComputedStyle(a).overflowX !== 'visible') return true;
              return false;
            }
            document.querySelectorAll('body *').forEach(function (e) {
              var r = e.getBoundingClientRect();
              if (r.right > width + 0.5 && !clipped(e) &&
                  !(e.parentElement && e.parentElement.getBoundingClientRect().right > width + 0.5))
                out.push(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string'
                         ? '.' + e.className.trim().split(/\\s+/).join('.') : '') + ' ' + Math.round(r.right) + 'px');
            });
            return out.slice(0, 5);""", self.size[0])

    def shot(self, step, full=True, check_overflow=True):
        """Screenshot `NN-step.png` (the whole page when full), then record the page's console and
        requests, and whether it overflows sideways."""
        self.wait_loaded()
        self.counter[0] += 1
        name = f"{self.counter[0]:02d}-{step}.png"
        scroll_width, inner_width = self.overflow()
        if check_overflow and scroll_width > inner_width:
            self.overflows.append((name, scroll_width, inner_width, self.widest()))
        width, height = self.size
        if full:
            height = max(height, self.driver.execute_script(
                "return Math.ceil(Math.max(document.documentElement.scrollHeight, document.body.scrollHeight))"))
        data = self.driver.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": full,
            "clip": {"x": 0, "y": 0, "width": max(width, scroll_width), "height": height, "scale": 1}})["data"]
        (self.shots / name).write_bytes(base64.b64decode(data))
        self.collect(f"{name} {self.path()}")
        return name

    def quit(self):
        try:
            self.collect("(end)")
        finally:
            self.driver.quit()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A server of its own over a fresh archive, so the other service tests see none of this."""
    folder = tmp_path_factory.mktemp("browser")
    running = Server(make_archive(folder), "--quiet")
    yield running, folder
    status = running.stop()
    assert status == 0, f"leitong serve exited with {status}: {running.stderr()}"


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    wanted = os.environ.get("LEITONG_SCREENSHOTS")
    folder = pathlib.Path(wanted) if wanted else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("[0-9][0-9]-*.png"):
        old.unlink()
    print(f"\nscreenshots: {folder}")
    return folder


@pytest.fixture(scope="module")
def steps():
    return [0]  # the screenshots' running number, across the tests of this file


@pytest.fixture
def browsers(site, shots, steps):
    """open(who) starts a fresh browser; at the end every one is checked for console errors,
    requests that leave 127.0.0.1 and pages wider than the window."""
    server, _ = site
    opened, counter = [], steps

    def open_browser(who):
        b = Browser(who, server, shots, counter)
        opened.append(b)
        return b

    open_browser.expected_errors = []  # (who, substring of the console message)
    yield open_browser
    problems = []
    for b in opened:
        b.quit()
        for page, level, message in b.console:
            expected = any(who == b.who and part in message for who, part in open_browser.expected_errors)
            if (level in ("SEVERE", "ERROR") or "Content Security Policy" in message) and not expected:
                problems.append(f"{b.who} console {level} on {page}: {message}")
        if not any(urllib.parse.urlsplit(url).port == server.port for _, url in b.requests):
            problems.append(f"{b.who}: no request to the server was recorded (is the performance log on?)")
        for page, url in b.requests:
            split = urllib.parse.urlsplit(url)
            if split.scheme in ("data", "about", "blob"):
                continue
            if split.hostname != "127.0.0.1" or split.port != server.port:
                problems.append(f"{b.who} requested {url} on {page}")
        for name, scroll_width, inner_width, widest in b.overflows:
            problems.append(f"{b.who}: {name} is {scroll_width} px wide in a {inner_width} px window: "
                            f"{', '.join(widest)}")
    assert not problems, "\n".join(problems)


def assert_evidence_page(b, file_name):
    """The evidence of the recycled report: 总复制比 above 70 %, and passages beside the 2024 report of
    深圳市罗湖区民政局."""
    b.wait(EC.visibility_of_element_located((By.ID, "copy-ratio")))
    card = b.find("#copy-ratio")
    assert "总复制比" in card.text
    ratio = float(card.find_element(By.CSS_SELECTOR, ".value").get_attribute("data-value"))
    assert ratio > 0.7, ratio
    shown = card.find_element(By.CSS_SELECTOR, ".value").text
    assert re.fullmatch(r"\d+\.\d%", shown) and float(shown[:-1]) > 70, shown
    assert b.text("#doc-file") == file_name
    sources = [row.text for row in b.find_all("#sources tr.source")]
    assert any(LUOHU in s and "2024" in s and "本单位往年" in s for s in sources), sources
    pairs = b.find_all("article.pair")
    assert pairs, "no passage pairs"
    beside_2024 = [p for p in pairs if f"{LUOHU} 2024" in p.find_element(By.TAG_NAME, "header").text]
    assert beside_2024, [p.find_element(By.TAG_NAME, "header").text for p in pairs[:5]]
    pair = beside_2024[0]
    left, right = pair.find_element(By.CSS_SELECTOR, ".left"), pair.find_element(By.CSS_SELECTOR, ".right")
    assert left.is_displayed() and right.is_displayed()
    assert "本报告" in left.text and "来源" in right.text
    assert len(left.text) > 20 and len(right.text) > 20
    # The full text is highlighted in the sources' colours, each mark linking to its passage.
    marks = b.find_all("#fulltext a.hl")
    assert marks, "nothing highlighted in the full text"
    target = marks[0].get_attribute("href").split("#")[1]
    assert target == "p" + marks[0].get_attribute("data-passage") and b.find_all(f"article.pair#{target}")
    assert marks[0].value_of_css_property("background-color") not in ("rgba(0, 0, 0, 0)", "transparent")


def test_agency_checks_a_docx_another_agency_cannot_see_it_the_inspector_flags_it(browsers, site, tmp_path):
    server, _ = site
    docx = write_docx(RECYCLED, tmp_path / "luohu-minzheng-2025.docx")

    # --- The agency of 罗湖 logs in (after one wrong password) and checks its draft. -------------
    luohu = browsers("luohu")
    luohu.get("/checks")
    luohu.wait_path("/login")  # not signed in: the login page
    assert "登录" in luohu.text("h1") and luohu.driver.title.startswith("登录")
    luohu.shot("login", full=False)
    luohu.login("luohu", "not-the-password")
    luohu.wait(EC.visibility_of_element_located((By.CSS_SELECTOR, ".error")))
    assert "用户名或密码不正确" in luohu.text(".error")
    assert luohu.find("input[name=name]").get_attribute("value") == "luohu"  # the name is kept
    browsers.expected_errors.append(("luohu", "/login - Failed to load resource: the server responded with a status "
                                              "of 401"))
    luohu.shot("login-wrong-password", full=False)
    luohu.login("luohu")
    luohu.wait_path("/checks")  # an agency lands on its checks
    assert LUOHU in luohu.text("nav.top") and "检测报告" in luohu.text("h1")
    assert "还没有检测记录" in luohu.text("main")
    assert not luohu.find_all("nav.top a[href='/users']")  # no inspector links for an agency
    luohu.shot("checks")

    luohu.find("#check-form input[type=file]").send_keys(str(docx))
    luohu.fill("#check-form input[name=year]", "2025")
    luohu.submit("#check-form button[type=submit]", r"/checks/[0-9a-f]{32}")
    check_path = luohu.path()
    assert_evidence_page(luohu, docx.name)
    assert LUOHU in luohu.text("nav.top")  # the evidence page keeps the site's navigation
    luohu.shot("evidence")

    luohu.click_link("检测报告")
    luohu.wait_path("/checks")
    row = luohu.find(f"#checks a[href='{check_path}']").find_element(By.XPATH, "./ancestor::tr")
    assert docx.name in row.text and "2025" in row.text and LUOHU in row.text
    listed_ratio = float(re.search(r"(\d+\.\d)%", row.text).group(1))
    assert listed_ratio > 70
    luohu.shot("checks-listed")

    # --- Another agency cannot open that check. ------------------------------------------------
    shapingba = browsers("shapingba")
    shapingba.login("shapingba")
    shapingba.wait_path("/checks")
    assert SHAPINGBA in shapingba.text("nav.top")
    assert not shapingba.find_all(f"a[href='{check_path}']")
    assert docx.name not in shapingba.text("main")
    shapingba.shot("other-agency-checks")
    shapingba.get(check_path)
    shapingba.collect("404")
    assert shapingba.statuses[server.base + check_path] == 404
    assert "404" in shapingba.text("h1") and "没有这次检测" in shapingba.text(".error")
    page = shapingba.driver.page_source
    for secret in (RECYCLED_WORDS, docx.name, "总复制比", LUOHU):
        assert secret not in page, secret
    browsers.expected_errors.append(("shapingba", f"{check_path} - Failed to load resource: the server responded "
                                                  "with a status of 404"))
    shapingba.shot("other-agency-404", full=False)

    # --- The inspector: dashboard, upload of the 2025 report, yoy, evidence, users. -------------
    inspector = browsers("inspector")
    inspector.login("inspector")
    inspector.wait_path("/")
    assert "档案库概览" in inspector.text("h1") and "检查人员" in inspector.text("nav.top")
    manifest_rows = len((CORPORA / "manifest.csv").read_text(encoding="utf-8").strip().splitlines()) - 1
    assert inspector.text("#documents") == str(manifest_rows)
    for link in ("概览", "检测", "上传报告", "样板文字", "雷同群组", "用户"):
        assert link in [a.text for a in inspector.find_all("nav.top a")], link
    assert "2025 年" not in inspector.text("#years")
    inspector.shot("dashboard")

    # The inspector sees every agency's checks, 罗湖's among them, and may open them.
    inspector.click_link("检测")
    inspector.wait_path("/checks")
    assert inspector.find_all(f"#checks a[href='{check_path}']")
    inspector.get(check_path)
    assert_evidence_page(inspector, docx.name)

    inspector.click_link("上传报告")
    inspector.wait_path("/upload")
    inspector.find("#upload-form input[type=file]").send_keys(str(docx))
    inspector.fill("#upload-form input[name=agency]", LUOHU)
    inspector.fill("#upload-form input[name=year]", "2025")
    assert inspector.find("#upload-form select[name=kind]").get_attribute("value") == "report"
    inspector.shot("upload-form")
    inspector.submit("#upload-form button[type=submit]", r"/jobs/[0-9a-f]+")
    job_path = inspector.path()
    # The job page refreshes itself every 2 s until the job ends.
    inspector.wait(lambda d: d.find_element(By.ID, "state").get_attribute("data-state") not in ("queued", "running"),
                   message="the upload job never finished")
    assert inspector.path() == job_path
    assert inspector.find("#state").get_attribute("data-state") == "done", inspector.text("main")
    assert inspector.text("#state") == "已完成"
    assert inspector.text("#added") == "1" and inspector.text("#refused-count") == "0"
    inspector.shot("upload-job-done")

    inspector.click_link("概览")
    inspector.wait_path("/")
    assert inspector.text("#documents") == str(manifest_rows + 1)
    assert job_path in [urllib.parse.urlsplit(a.get_attribute("href")).path for a in inspector.find_all("#jobs a")]
    inspector.click_link("2025 年")
    inspector.wait_path("/yoy")
    assert inspector.path() == "/yoy?year=2025"
    inspector.wait(EC.presence_of_element_located((By.CSS_SELECTOR, "#yoy tbody")))
    rows = [r for r in inspector.find_all("#yoy tbody tr") if r.find_elements(By.TAG_NAME, "td")[1].text == LUOHU]
    assert len(rows) == 1, [r.text for r in inspector.find_all("#yoy tbody tr")]
    row = rows[0]
    assert "flagged" in row.get_attribute("class").split()
    assert row.find_element(By.CSS_SELECTOR, ".tag.flag").text == "雷同"
    assert "2024" in row.text
    assert "1 份" in inspector.text("#flagged-count")
    inspector.shot("yoy")

    # The filters: only the flagged rows; then the agency search box.
    total = len(inspector.find_all("#yoy tbody tr"))
    inspector.click("#only-flagged")
    inspector.wait(lambda d: d.find_element(By.ID, "shown-count").text.startswith("显示"))
    flagged = len(inspector.find_all("#yoy tbody tr.flagged"))
    assert inspector.text("#shown-count") == f"显示 {flagged} / {total} 行"
    assert all(r.is_displayed() == ("flagged" in r.get_attribute("class").split())
               for r in inspector.find_all("#yoy tbody tr"))
    inspector.find("#agency-filter").send_keys("沙坪坝")
    inspector.wait(lambda d: d.find_element(By.ID, "shown-count").text == f"显示 0 / {total} 行")
    assert not row.is_displayed()
    inspector.find("#agency-filter").clear()
    inspector.find("#agency-filter").send_keys("罗湖")
    inspector.wait(lambda d: d.find_element(By.ID, "shown-count").text == f"显示 1 / {total} 行")
    assert row.is_displayed()
    inspector.shot("yoy-filtered")
    row.find_element(By.LINK_TEXT, "查看").click()
    inspector.wait_path(r"/yoy/2025/\d+")
    assert_evidence_page(inspector, docx.name)
    assert "检查人员" in inspector.text("nav.top")
    inspector.shot("yoy-evidence")

    for link, heading in (("样板文字", "样板文字"), ("雷同群组", "雷同群组")):
        inspector.click_link(link)
        inspector.wait(lambda d: heading in d.find_element(By.TAG_NAME, "h1").text)
        inspector.shot("boilerplate" if link == "样板文字" else "clusters")

    inspector.click_link("用户")
    inspector.wait_path("/users")
    users = {r.find_elements(By.TAG_NAME, "td")[0].text: r for r in inspector.find_all("#users tbody tr")}
    assert set(users) == set(USERS)
    assert LUOHU in users["luohu"].text and SHAPINGBA in users["shapingba"].text
    assert not users["inspector"].find_elements(By.TAG_NAME, "a")  # one cannot remove oneself
    remove = users["luohu"].find_elements(By.XPATH, ".//a[text()='删除…']")
    assert remove
    inspector.shot("users")
    # Removing asks first; cancelling keeps the account.
    remove[0].click()
    inspector.wait(lambda d: "删除用户" in d.find_element(By.TAG_NAME, "h1").text)
    assert "luohu" in inspector.text("main") and LUOHU in inspector.text("main")
    inspector.click_link("取消")
    inspector.wait_path("/users")
    assert "luohu" in inspector.text("#users")

    # --- Logging out ends the session: the login page, and the pages send one back to it. -------
    inspector.logout()
    inspector.get("/users")
    inspector.wait_path("/login")
    luohu.logout()
    luohu.get(check_path)
    luohu.wait_path("/login")
    luohu.shot("logged-out", full=False)


def test_pages_fit_a_phone(browsers, site, tmp_path):
    """The login, checks and evidence pages at 390 × 844: nothing wider than the screen."""
    server, _ = site
    client = Client(server)
    assert client.login("luohu").status == 200
    docx = write_docx(RECYCLED, tmp_path / "luohu-minzheng-2025.docx")
    reply = client.check(docx, year="2025")
    assert reply.status == 201, reply.text
    check_path = f"/checks/{reply.json()['id']}"

    phone = browsers("luohu-phone")
    phone.viewport(*PHONE, mobile=True)
    phone.get("/login")
    assert phone.driver.execute_script("return window.innerWidth") == PHONE[0]
    phone.shot("phone-login", full=False)
    phone.login("luohu")
    phone.wait_path("/checks")
    assert phone.find(f"#checks a[href='{check_path}']")
    phone.shot("phone-checks")
    phone.get(check_path)
    assert_evidence_page(phone, docx.name)
    # One column at phone width: the report's passage above its source, not beside it.
    pair = phone.find("article.pair")
    left, right = pair.find_element(By.CSS_SELECTOR, ".left"), pair.find_element(By.CSS_SELECTOR, ".right")
    assert right.location["y"] >= left.location["y"] + left.size["height"] - 1
    phone.shot("phone-evidence")
    phone.logout()
    phone.shot("phone-logged-out", full=False)
