"""Running a report's replay line as a person who pastes it would, with a stub curl: what bash thinks of it and what it
runs. Every simple command bash runs (in command substitutions too: set -T) is logged by a DEBUG trap; the stub curl,
alone on PATH, writes down its arguments."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

from lxml import etree, html

# The stub: its arguments, NUL-separated (no argument can hold a NUL), one file per call.
STUB = """#!/bin/bash
printf '%s\\0' "$@" > "$0.call.$$"
"""
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "AKIDSTUB", "AWS_SECRET_ACCESS_KEY": "stub-secret-of-the-person-pasting"}


@dataclass(frozen=True)
class Ran:
    parses: bool  # bash -n accepts it
    commands: list[str]  # every simple command bash ran, as its DEBUG trap saw it
    curl_calls: list[list[str]]  # the stub curl's arguments, one list per call
    stderr: str


class Bash:
    """A folder with the stub curl, and `run(line)`."""

    def __init__(self, folder: Path) -> None:
        import shutil

        self.folder = folder
        self.bin = folder / "bin"
        self.bin.mkdir(parents=True, exist_ok=True)
        stub = self.bin / "curl"
        self.bash = shutil.which("bash") or "/bin/bash"
        stub.write_text(STUB.replace("/bin/bash", self.bash))
        stub.chmod(0o755)

    def run(self, line: str) -> Ran:
        checked = subprocess.run([self.bash, "--norc", "--noprofile", "-n"], input=line, text=True, capture_output=True)
        log = self.folder / "commands.log"
        for stale in (log, *self.bin.glob("curl.call.*")):
            stale.unlink(missing_ok=True)
        script = self.folder / "pasted.sh"
        # The trap is set on the prelude's last line: from there on, only what the pasted line runs is logged.
        script.write_text(f'set -T\ntrap \'printf "%s\\0" "$BASH_COMMAND" >> {log}\' DEBUG\n{line}\n')
        env = {"PATH": str(self.bin), "HOME": str(self.folder), **CREDENTIALS}
        done = subprocess.run(
            [self.bash, "--norc", "--noprofile", str(script)], env=env, capture_output=True, text=True, timeout=30
        )
        commands = [c for c in (log.read_text() if log.exists() else "").split("\0") if c]
        calls = [call.read_text().split("\0")[:-1] for call in self.bin.glob("curl.call.*")]
        return Ran(checked.returncode == 0, commands, calls, done.stderr)

    def assert_one_curl(self, line: str) -> list[str]:
        """`line` parses, and runs curl once and nothing else; returns curl's arguments."""
        ran = self.run(line)
        assert ran.parses, (line, ran.stderr)
        assert len(ran.commands) == 1 and ran.commands[0].startswith("curl "), (line, ran.commands, ran.stderr)
        assert len(ran.curl_calls) == 1, (line, ran.curl_calls, ran.stderr)
        return ran.curl_calls[0]


def replay_lines(report_dir: Path) -> dict[str, list[str]]:
    """Every replay line in every report of a run's folder, by file: summary.json, report.html, junit.xml and the
    allure-results' curl attachments."""
    found: dict[str, list[str]] = {}
    summary = json.loads((report_dir / "summary.json").read_text(encoding="utf-8"))
    found["summary.json"] = [
        f["evidence"]["curl"]
        for r in summary["requirements"]
        for f in r["failures"]
        if f.get("evidence") and "curl" in f["evidence"]
    ]
    page = html.fromstring((report_dir / "report.html").read_bytes())
    found["report.html"] = [pre.text_content() for pre in page.iter("pre") if pre.text_content().startswith("curl ")]
    junit = etree.parse(str(report_dir / "junit.xml"))
    found["junit.xml"] = [f.text for f in junit.iter("failure") if f.text and f.text.startswith("curl ")]
    allure = report_dir / "allure-results"
    if allure.is_dir():
        for path in sorted(allure.glob("*-curl.txt")):
            found[f"allure-results/{path.name}"] = [path.read_text(encoding="utf-8")]
    return found
