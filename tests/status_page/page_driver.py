#!/usr/bin/python3
"""One headless Chromium (Debian's chromium and chromedriver, through Selenium) driven line by
line: the status page's browser test (browser_test.cpp) writes one JSON command per line on
standard input and reads one JSON answer per line on standard output. Waiting is on
conditions in the page (WebDriverWait polling a JavaScript expression), never on sleeps.

Commands ({"cmd": ...}):
  open        {"url"}: loads the page; answers {"ok", "text" (the body's text, cut), "status" (the
              HTTP status of the document), "page" (whether the status page was drawn)}
  login       {"authorization"}: sends this Authorization header with every later request
              ("" stops); Chromium's Basic prompt never shows in headless mode
  wait        {"js", "timeout_ms"}: until the expression is true; {"ok", "ms"}
  eval        {"js"}: {"ok", "value"}
  screenshot  {"path", "width", "height", "scroll_to" (optional: an element's id, scrolled into
              view at that size)}: the page at that CSS size (DevTools emulation)
  quit
Run as root it passes --no-sandbox (Chromium refuses to start as root otherwise).
usage: page_driver.py USER_DATA_DIR (also used by tools/bench/status_page_latency.py)"""

import json
import os
import sys
import time

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait


def start_browser(user_data_dir):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--disable-gpu", "--disable-dev-shm-usage", "--ignore-certificate-errors",
                 "--no-first-run", "--disable-extensions", "--disable-background-networking",
                 f"--user-data-dir={user_data_dir}", "--window-size=1280,800"):
        options.add_argument(flag)
    if os.geteuid() == 0:
        options.add_argument("--no-sandbox")
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.execute_cdp_cmd("Network.enable", {})
    return driver


def run(driver, command):
    cmd = command["cmd"]
    if cmd == "open":
        driver.get(command["url"])
        return {"ok": True, "text": driver.execute_script("return document.body ? document.body.innerText : ''")[:2000],
                "status": driver.execute_script(
                    "const n = performance.getEntriesByType('navigation')[0]; return n ? n.responseStatus : 0"),
                "page": driver.execute_script("return document.getElementById('lanes') !== null")}
    if cmd == "login":
        headers = {"Authorization": command["authorization"]} if command["authorization"] else {}
        driver.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": headers})
        return {"ok": True}
    if cmd == "wait":
        started = time.monotonic()
        try:
            WebDriverWait(driver, command["timeout_ms"] / 1000, poll_frequency=0.005).until(
                lambda d: d.execute_script("try { return !!(" + command["js"] + "); } catch (e) { return false; }"))
            return {"ok": True, "ms": round((time.monotonic() - started) * 1000, 1)}
        except TimeoutException:
            return {"ok": False, "ms": round((time.monotonic() - started) * 1000, 1)}
    if cmd == "eval":
        return {"ok": True, "value": driver.execute_script("return (" + command["js"] + ");")}
    if cmd == "screenshot":
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": command["width"], "height": command["height"], "deviceScaleFactor": 1,
            "mobile": command["width"] < 600})
        if command.get("scroll_to"):
            driver.execute_script("document.getElementById(arguments[0]).scrollIntoView()", command["scroll_to"])
        # Let the page lay itself out at the new size before the capture.
        driver.execute_script("return new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));")
        driver.save_screenshot(command["path"])
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        return {"ok": True}
    return {"ok": False, "error": "unknown command " + cmd}


def main():
    driver = start_browser(sys.argv[1])
    print(json.dumps({"ok": True, "ready": True}), flush=True)
    try:
        for line in sys.stdin:
            command = json.loads(line)
            if command["cmd"] == "quit":
                break
            try:
                answer = run(driver, command)
            except Exception as error:  # the test fails on it, with the reason
                answer = {"ok": False, "error": f"{type(error).__name__}: {error}"}
            print(json.dumps(answer), flush=True)
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
