"""junit.xml: one testcase per conformance test, named `<requirement id> <test>` (CI systems group by it).

Known deviations follow pytest's xfail convention (skipped, with the baseline's reason), so a CI widget of a
passing gate shows no failed test; unexpected deviations fail; suite errors are errors; untested tests are skipped
with why. A partial run's (--requirement, --category) suite is named "... (partial)" and holds only the tests it ran;
its properties say partial=true and gate=partial (or fail).
"""

from __future__ import annotations

from xml.etree import ElementTree as ET

from conformance.results.outcomes import Status
from conformance.results.result import RunResult
from conformance.safety.terminal import xml_safe


def xml_text(text: str | None) -> str:
    """Text a target may have sent, made fit for XML 1.0 (the file stays well-formed whatever the bytes were)."""
    return xml_safe(text or "")


def render(result: RunResult) -> str:
    """junit.xml of `result` (already redacted)."""
    cases = [(row, test) for row in result.requirements for test in row.test_results]
    failed = sum(1 for row, test in cases if test.status == Status.FAILED and not row.known_deviation)
    errors = sum(1 for _, test in cases if test.status == Status.ERROR)
    skipped = sum(
        1
        for row, test in cases
        if test.status in (Status.SKIPPED, Status.UNTESTED) or (test.status == Status.FAILED and row.known_deviation)
    )
    suite = ET.Element(
        "testsuite",
        name="iam-conformance ListSigningCertificates" + (" (partial)" if result.partial else ""),
        tests=str(len(cases)),
        failures=str(failed),
        errors=str(errors),
        skipped=str(skipped),
        time=f"{result.duration_s:.3f}",
    )
    properties = ET.SubElement(suite, "properties")
    seed = str(result.facts.seed) if result.facts.seed is not None else "unknown"
    for name, value in (
        ("verdict", str(result.verdict)),
        ("gate", result.gate_word),
        ("partial", "true" if result.partial else "false"),
        ("target", result.facts.target),
        ("hypothesis_seed", seed),
    ):
        ET.SubElement(properties, "property", name=name, value=xml_text(value))
    for row, test in cases:
        case = ET.SubElement(
            suite, "testcase", classname=f"{row.category}.{row.id}", name=xml_text(f"{row.id} {test.name}")
        )
        ET.SubElement(ET.SubElement(case, "properties"), "property", name="source", value=xml_text(row.source))
        first = row.failures[0].evidence if row.failures else {}
        if test.status == Status.FAILED and row.known_deviation:
            ET.SubElement(
                case, "skipped", type="pytest.xfail", message=xml_text(f"known deviation: {row.known_deviation}")
            )
        elif test.status == Status.FAILED:
            message = row.failures[0].line if row.failures else "failed"
            ET.SubElement(
                case, "failure", message=xml_text(message), type=str(first.get("check", "deviation"))
            ).text = xml_text(str(first.get("curl", "")))
        elif test.status == Status.ERROR:
            ET.SubElement(case, "error", message=xml_text(test.reason or "suite error"))
        elif test.status in (Status.SKIPPED, Status.UNTESTED):
            ET.SubElement(case, "skipped", message=xml_text(f"{test.status}: {test.reason or ''}"))
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"
