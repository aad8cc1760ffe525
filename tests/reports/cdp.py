"""A minimal Chrome DevTools Protocol client over ``--remote-debugging-pipe``.

The pipe transport needs no port and no socket: Chromium reads commands from fd 3 and writes
replies and events to fd 4, each message a JSON object followed by a NUL byte. This is enough
to load a page, read its console, run a script, move the mouse and take a screenshot, without a
driver library or a downloaded browser build.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--mute-audio",
)
TIMEOUT = 60.0  # a ceiling so a hung browser fails the test instead of hanging the suite


def chromium_path() -> str | None:
    if os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    return shutil.which("chromium")


class CdpError(RuntimeError):
    pass


class Browser:
    """One headless Chromium process, driven over the debugging pipe."""

    def __init__(self, executable: str, user_data_dir: Path) -> None:
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def wire_pipe() -> None:  # in the child: fd 3 = commands in, fd 4 = replies out
            os.dup2(to_browser_r, 3)
            os.dup2(from_browser_w, 4)

        self.process = subprocess.Popen(
            [
                executable,
                *FLAGS,
                f"--user-data-dir={user_data_dir}",
                "--remote-debugging-pipe",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=wire_pipe,
            pass_fds=(3, 4),
            close_fds=True,
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer = b""
        self._next_id = 0
        self._replies: dict[int, dict[str, Any]] = {}
        self.events: list[dict[str, Any]] = []

    # --- transport ---

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise CdpError("timed out waiting for Chromium")
            ready, _, _ = select.select([self._from_browser], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise CdpError(f"Chromium closed the pipe (exit {self.process.poll()})")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message: dict[str, Any] = json.loads(raw)
        return message

    def send(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None
    ) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        wanted = self._next_id
        deadline = time.monotonic() + TIMEOUT
        while wanted not in self._replies:
            self._dispatch(self._read_message(deadline))
        reply = self._replies.pop(wanted)
        if "error" in reply:
            raise CdpError(f"{method}: {reply['error']}")
        result: dict[str, Any] = reply.get("result", {})
        return result

    def _dispatch(self, message: dict[str, Any]) -> None:
        if "id" in message:
            self._replies[message["id"]] = message
        else:
            self._on_event(message)

    def _on_event(self, event: dict[str, Any]) -> None:
        self.events.append(event)
        if event.get("method") == "Page.javascriptDialogOpening":
            # Dismiss at once, or the page (and every later command) would block on it.
            self.send("Page.handleJavaScriptDialog", {"accept": False}, event.get("sessionId"))

    def wait_for(self, method: str, session: str, seconds: float = TIMEOUT) -> dict[str, Any]:
        deadline = time.monotonic() + seconds
        while True:
            for event in self.events:
                if event.get("method") == method and event.get("sessionId") == session:
                    self.events.remove(event)
                    return event
            self._dispatch(self._read_message(deadline))

    def close(self) -> None:
        with contextlib.suppress(CdpError, OSError):
            self.send("Browser.close")
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)

    # --- pages ---

    def open(self, path: Path, width: int = 1280, height: int = 900) -> Page:
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for domain in ("Page", "Runtime", "Log"):
            self.send(f"{domain}.enable", session=session)
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            session,
        )
        page = Page(self, session, target)
        self.send("Page.navigate", {"url": path.resolve().as_uri()}, session)
        self.wait_for("Page.loadEventFired", session)
        page.evaluate("new Promise(r => requestAnimationFrame(() => r(true)))")
        return page


class Page:
    def __init__(self, browser: Browser, session: str, target: str) -> None:
        self.browser = browser
        self.session = session
        self.target = target

    def evaluate(self, expression: str) -> Any:
        reply = self.browser.send(
            "Runtime.evaluate",
            {
                "expression": expression,
                "returnByValue": True,
                "awaitPromise": True,
            },
            self.session,
        )
        if "exceptionDetails" in reply:
            raise CdpError(f"script failed: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def mouse_move(self, x: float, y: float) -> None:
        self.browser.send(
            "Input.dispatchMouseEvent", {"type": "mouseMoved", "x": x, "y": y}, self.session
        )

    def screenshot(self) -> bytes:
        data = self.browser.send("Page.captureScreenshot", {"format": "png"}, self.session)
        return base64.b64decode(data["data"])

    def events(self, *methods: str) -> list[dict[str, Any]]:
        return [
            e
            for e in self.browser.events
            if e.get("sessionId") == self.session and e.get("method") in methods
        ]

    def problems(self) -> list[str]:
        """Console errors, uncaught exceptions and browser log errors (CSP violations...)."""
        found = []
        for event in self.events(
            "Runtime.consoleAPICalled", "Runtime.exceptionThrown", "Log.entryAdded"
        ):
            params = event["params"]
            if event["method"] == "Runtime.consoleAPICalled":
                if params["type"] in ("error", "assert", "warning"):
                    found.append(f"console.{params['type']}: {params['args']}")
            elif event["method"] == "Runtime.exceptionThrown":
                found.append(f"exception: {params['exceptionDetails']}")
            elif params["entry"]["level"] in ("error", "warning"):
                found.append(f"log: {params['entry']['text']}")
        return found

    def close(self) -> None:
        self.browser.send("Target.closeTarget", {"targetId": self.target})
