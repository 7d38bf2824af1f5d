"""A real headless Chromium driven over the DevTools protocol (websockets, no playwright download).

`open_page(path)` loads a file, collects console messages and uncaught exceptions, and can take a
full-page screenshot and evaluate JavaScript. Chromium is the Debian package (`make system-deps`).
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from websockets.sync.client import connect

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars", "--remote-debugging-port=0", "--window-size=1280,900"]


def chromium_executable() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def ensure_chromium() -> str:
    """The Debian package, installed when absent (as `make system-deps` does)."""
    found = chromium_executable()
    if found is None:
        subprocess.run(["make", "system-deps"], check=True, cwd=Path(__file__).resolve().parents[1])
        found = chromium_executable()
    assert found, "chromium kunne ikke installeres"
    return found


@dataclass
class Page:
    socket: object
    console: list[dict] = field(default_factory=list)
    exceptions: list[dict] = field(default_factory=list)
    _next_id: int = 0

    def send(self, method: str, params: dict | None = None, timeout: float = 60) -> dict:
        self._next_id += 1
        message_id = self._next_id
        self.socket.send(json.dumps({"id": message_id, "method": method, "params": params or {}}))
        deadline = time.monotonic() + timeout
        while True:
            message = json.loads(self.socket.recv(timeout=max(0.1, deadline - time.monotonic())))
            if message.get("id") == message_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self._event(message)

    def _event(self, message: dict) -> None:
        method, params = message.get("method"), message.get("params", {})
        if method == "Runtime.consoleAPICalled":
            self.console.append({"level": params.get("type"), "text": " ".join(
                str(a.get("value", a.get("description", ""))) for a in params.get("args", []))})
        elif method == "Log.entryAdded":
            entry = params.get("entry", {})
            self.console.append({"level": entry.get("level"), "text": entry.get("text", "")})
        elif method == "Runtime.exceptionThrown":
            self.exceptions.append(params.get("exceptionDetails", {}))

    def errors(self) -> list[dict]:
        return [m for m in self.console if m["level"] in ("error", "assert")] + self.exceptions

    def evaluate(self, expression: str):
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        return result["result"].get("value")

    def screenshot(self, target: Path) -> Path:
        """The whole page, not just the window."""
        metrics = self.send("Page.getLayoutMetrics")["cssContentSize"]
        clip = {"x": 0, "y": 0, "width": metrics["width"], "height": metrics["height"], "scale": 1}
        shot = self.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip},
                         timeout=180)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(base64.b64decode(shot["data"]))
        return target


def _debugging_port(profile: Path, process: subprocess.Popen, timeout: float = 60) -> int:
    port_file = profile / "DevToolsActivePort"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_file.is_file() and port_file.read_text().strip():
            return int(port_file.read_text().splitlines()[0])
        if process.poll() is not None:
            raise RuntimeError(f"chromium stoppede med kode {process.returncode}")
        time.sleep(0.1)
    raise TimeoutError("chromium åbnede ikke DevTools-porten")


@contextmanager
def open_page(path: Path) -> Iterator[Page]:
    executable = ensure_chromium()
    # Chromium's helper processes may still write to the profile for a moment after the browser has exited (CI:
    # "Directory not empty: 'Default'"), so the profile is removed after them, retried (`_remove_profile`).
    profile = Path(tempfile.mkdtemp(prefix="kpi-chromium-"))
    try:
        process = subprocess.Popen([executable, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            port = _debugging_port(profile, process)
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=30) as response:
                targets = json.loads(response.read())
            page_target = next(t for t in targets if t["type"] == "page")
            with connect(page_target["webSocketDebuggerUrl"], max_size=None, open_timeout=30) as socket:
                page = Page(socket)
                for domain in ("Page", "Runtime", "Log"):
                    page.send(f"{domain}.enable")
                page.send("Page.navigate", {"url": path.resolve().as_uri()})
                # wait for the load event, then let layout settle
                while page.evaluate("document.readyState") != "complete":
                    time.sleep(0.1)
                yield page
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    finally:
        _remove_profile(profile)


def _remove_profile(profile: Path, attempts: int = 20) -> None:
    """Remove a browser profile, retrying while a helper process that outlived the browser still writes to it."""
    for _ in range(attempts - 1):
        try:
            shutil.rmtree(profile)
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.25)
    shutil.rmtree(profile)
