"""Runs a real ``kiln serve`` for the tests.

The kiln repository's bin/kiln.js (built with ``npm run build``) serves stories260K on loopback, with
KILN_HOME in a temporary folder and one API key. KILN_REPO, KILN_GOLDEN and KILN_NODE override where
the repository, the golden files and node are.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path
from typing import Any, Dict, Optional

SDK_ROOT = Path(__file__).resolve().parent.parent
REPO = Path(os.environ.get("KILN_REPO") or SDK_ROOT.parent.parent).resolve()
GOLDEN = Path(os.environ.get("KILN_GOLDEN") or REPO.parent / "shared" / "golden")
NODE = os.environ.get("KILN_NODE") or shutil.which("node") or "node"
KILN = REPO / "bin" / "kiln.js"
MODEL = REPO / "models" / "stories260k-f32.gguf"


def greedy_golden() -> Dict[str, Any]:
    """llama.cpp's greedy continuation of "Once upon a time" by stories260k-f32 (golden/greedy)."""
    return json.loads((GOLDEN / "greedy" / "stories260k-f32.json").read_text(encoding="utf-8"))


class KilnHome:
    def __init__(self) -> None:
        self.dir = tempfile.mkdtemp(prefix="kiln-sdk-python-")
        self.api_key = self.create_key("sdk-test")

    def create_key(self, name: str) -> str:
        """``kiln api-key create --name NAME``: the key it prints."""
        return self._kiln("api-key", "create", "--name", name).strip()

    def revoke_key(self, name: str) -> None:
        self._kiln("api-key", "revoke", name)

    def _kiln(self, *args: str) -> str:
        r = subprocess.run([NODE, str(KILN), *args], env=self.env(), capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"kiln {' '.join(args)} failed ({r.returncode}): {r.stderr}")
        return r.stdout

    def env(self) -> Dict[str, str]:
        return {**os.environ, "KILN_HOME": self.dir, "KILN_HOST": "", "KILN_PORT": ""}

    def remove(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


class Server:
    """``kiln serve --port PORT`` (0: a free one); ``url`` is the address it prints."""

    def __init__(self, home: KilnHome, port: int = 0) -> None:
        self.proc = subprocess.Popen(
            [NODE, str(KILN), "serve", "--port", str(port), "-m", str(MODEL), "--drain-timeout", "0"],
            env=home.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        m = re.match(r"^kiln listening on (http://\S+)$", line.strip())
        if not m:
            self.proc.kill()
            err = self.proc.stderr.read() if self.proc.stderr else ""
            raise RuntimeError(f"kiln serve did not print its address (got {line!r}): {err}")
        self.url: str = m.group(1)
        self.port = int(self.url.rsplit(":", 1)[1])

    def kill(self, sig: Optional[int] = signal.SIGKILL) -> None:
        """Stops the process (SIGKILL: the server vanishes without a goodbye) and waits for it."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig or signal.SIGKILL)
        self.proc.wait(timeout=30)
        for f in (self.proc.stdout, self.proc.stderr):
            if f:
                f.close()
