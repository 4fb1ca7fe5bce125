"""Headless Chromium driven over its DevTools pipe (--remote-debugging-pipe: commands on fd 3,
answers on fd 4, NUL-separated JSON), so screenshots need nothing beyond the Debian package."""

import base64
import json
import os
import signal
import subprocess
import tempfile


class Chromium:
    def __init__(self, work):
        self.profile = tempfile.mkdtemp(prefix="chromium-", dir=work)
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        def as_fds_3_and_4():
            # The child reads commands on fd 3 and writes answers on fd 4.
            r, w = os.dup(to_chrome_r), os.dup(from_chrome_w)
            os.dup2(r, 3)
            os.dup2(w, 4)

        self.proc = subprocess.Popen(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--no-first-run", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
             "--remote-debugging-pipe", f"--user-data-dir={self.profile}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            pass_fds=(3, 4), start_new_session=True, preexec_fn=as_fds_3_and_4)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buf = b""
        self._id = 0
        targets = self.call("Target.getTargets")["targetInfos"]
        page = next(t for t in targets if t["type"] == "page")
        self.session = self.call("Target.attachToTarget", targetId=page["targetId"], flatten=True)["sessionId"]
        self.call("Page.enable", session=True)

    def _send(self, msg):
        os.write(self._to_chrome, json.dumps(msg).encode() + b"\0")

    def _recv(self):
        while b"\0" not in self._buf:
            chunk = os.read(self._from_chrome, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed its DevTools pipe")
            self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method, session=False, **params):
        self._id += 1
        msg = {"id": self._id, "method": method, "params": params}
        if session:
            msg["sessionId"] = self.session
        self._send(msg)
        while True:
            m = self._recv()
            if m.get("id") == self._id:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})

    def wait_event(self, name):
        while True:
            m = self._recv()
            if m.get("method") == name:
                return m

    def set_cookies(self, jar, url):
        for c in jar:
            self.call("Network.setCookie", session=True, name=c.name, value=c.value, url=url, path=c.path or "/")

    def open(self, url, width):
        """Loads URL in a window WIDTH pixels wide and waits for its load event."""
        self.call("Emulation.setDeviceMetricsOverride", session=True, width=width, height=900,
                  deviceScaleFactor=1, mobile=width < 600)
        self.call("Page.navigate", session=True, url=url)
        self.wait_event("Page.loadEventFired")

    def capture(self, path, width):
        """Saves the whole page as it stands as a PNG."""
        metrics = self.call("Page.getLayoutMetrics", session=True)
        height = int(min(metrics["cssContentSize"]["height"], 6000))
        self.call("Emulation.setDeviceMetricsOverride", session=True, width=width, height=max(height, 400),
                  deviceScaleFactor=1, mobile=width < 600)
        shot = self.call("Page.captureScreenshot", session=True, format="png", captureBeyondViewport=True)
        with open(path, "wb") as f:
            f.write(base64.b64decode(shot["data"]))

    def shoot(self, url, path, width):
        self.open(url, width)
        self.capture(path, width)

    def html(self):
        r = self.call("Runtime.evaluate", session=True, expression="document.documentElement.outerHTML",
                      returnByValue=True)
        return r["result"]["value"]

    def evaluate(self, expression):
        r = self.call("Runtime.evaluate", session=True, expression=expression, returnByValue=True,
                      awaitPromise=True)
        return r["result"].get("value")

    def close(self):
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
        os.close(self._to_chrome)
        os.close(self._from_chrome)
