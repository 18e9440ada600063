"""The reports of `iam-conformance diff`: diff.json (DiffResult.to_dict), diff.html (the recorded and the new answer
side by side) and the console lines. Every value is redacted first, then neutralised for the terminal or escaped
for the page (jinja2 autoescape), never the reverse."""

from __future__ import annotations

import json
from typing import Any

from lxml import etree

from conformance.protocol.wire import UnreadableBody, parse_xml
from conformance.recording.differences import DiffResult
from conformance.reports.html import template
from conformance.safety.files import ReportDir, ReportDirError
from conformance.safety.redaction import Redactor
from conformance.safety.terminal import neutralise

CONSOLE_LINES = 25  # differences shown on the console; the reports hold them all
JSON, HTML = "diff.json", "diff.html"


def pretty(answer: dict[str, Any] | None) -> str:
    """An answer's body for reading: an XML document indented, any other body as it is."""
    if answer is None:
        return ""
    body = str(answer.get("body", ""))
    if not answer.get("xml"):
        return body
    try:
        root = parse_xml(body.encode("utf-8"))
    except UnreadableBody:
        return body
    etree.indent(root, space="  ")
    return etree.tostring(root, encoding="unicode")


def _neutral(value: Any) -> Any:
    if isinstance(value, str):
        return neutralise(value, keep_newlines=True)
    if isinstance(value, dict):
        return {k: _neutral(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_neutral(v) for v in value]
    return value


def page(shown: dict[str, Any]) -> str:
    """diff.html from diff.json's content (already redacted)."""
    for request in shown["differences"]:
        request["recorded_shown"] = pretty(request.get("recorded"))
        request["new_shown"] = pretty(request.get("new"))
    return template("diff.html.j2").render(d=_neutral(shown))


def write(result: DiffResult, redactor: Redactor, report_dir: str) -> str | None:
    """diff.json and diff.html into `report_dir`; why they could not be written, or None."""
    shown: dict[str, Any] = redactor.redact_data(result.to_dict())
    try:
        with ReportDir.open(report_dir) as folder:
            folder.write_text(JSON, json.dumps(shown, indent=2, ensure_ascii=False) + "\n")
            folder.write_text(HTML, page(json.loads(json.dumps(shown))))
    except (OSError, ReportDirError) as exc:
        return f"cannot write the reports into {report_dir}: {exc}"
    return None


def console_lines(result: DiffResult, redactor: Redactor, report_dir: str | None) -> list[str]:
    """Each contract difference (its requirement, check and broken expectation), each kind of behaviour difference
    once (how many requests, the first one's values), then where the reports are and the conclusion."""
    lines = []
    for request in result.contract:
        for finding in request.findings:
            after = f" (after the target refused {finding.after_refused_write})" if finding.after_refused_write else ""
            after += f" (known deviation: {finding.known})" if finding.known else ""
            lines.append(
                f"contract  #{request.seq:<4} {request.action} {finding.requirement} {finding.check}: "
                f"expected {finding.expected}; got {finding.actual}{after}"
            )
    for group in result.by_key():
        allowed = " (allowed)" if group["allowed"] else ""
        lines.append(
            f"behaviour {group['key']}: {group['requests']} request(s), first #{group['first']}: "
            f"{group['recorded']} -> {group['new']}{allowed}"
        )
    shown = [neutralise(redactor.redact(line))[:400] for line in lines[:CONSOLE_LINES]]
    if len(lines) > CONSOLE_LINES:
        shown.append(f"... ({len(lines) - CONSOLE_LINES} more lines in {HTML} and {JSON})")
    unjudged = result.manifest.judgments - result.judgments
    if unjudged > 0:
        why = neutralise(redactor.redact(result.not_judged[0]))[:200] if result.not_judged else "see diff.json"
        shown.append(f"{unjudged} judgment(s) of the recording could not be made again (first reason: {why})")
    if report_dir is not None:
        shown.append(f"reports in {report_dir}/")
    shown.append(neutralise(redactor.redact(result.conclusion)))
    return shown
