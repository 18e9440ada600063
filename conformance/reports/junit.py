"""junit.xml: one testcase per conformance test, named `<requirement id> <test>` (CI systems group by it).

Known deviations follow pytest's xfail convention (skipped, with the baseline's reason), so a CI widget of a
passing gate shows no failed test; unexpected deviations fail; suite errors are errors; untested tests are skipped
with why.
"""

from __future__ import annotations

from xml.etree import ElementTree as ET

from conformance.safety.terminal import xml_safe


def xml_text(text: str | None) -> str:
    """Text a target may have sent, made fit for XML 1.0 (the file stays well-formed whatever the bytes were)."""
    return xml_safe(text or "")


def render(summary: dict) -> str:
    rows = summary["requirements"]
    cases = [(row, test) for row in rows for test in row.get("test_results", [])]
    failed = sum(1 for row, test in cases if test["status"] == "failed" and not row["known_deviation"])
    errors = sum(1 for _, test in cases if test["status"] == "error")
    skipped = sum(
        1
        for row, test in cases
        if test["status"] in ("skipped", "untested") or (test["status"] == "failed" and row["known_deviation"])
    )
    suite = ET.Element(
        "testsuite",
        name="iam-conformance ListSigningCertificates",
        tests=str(len(cases)),
        failures=str(failed),
        errors=str(errors),
        skipped=str(skipped),
        time=f"{summary['duration_s']:.3f}",
    )
    properties = ET.SubElement(suite, "properties")
    for name in ("verdict", "gate", "target", "hypothesis_seed"):
        ET.SubElement(properties, "property", name=name, value=xml_text(str(summary.get(name))))
    for row, test in cases:
        case = ET.SubElement(
            suite, "testcase", classname=f"{row['category']}.{row['id']}", name=xml_text(f"{row['id']} {test['name']}")
        )
        ET.SubElement(ET.SubElement(case, "properties"), "property", name="source", value=xml_text(row["source"]))
        status = test["status"]
        first = row["failures"][0]["evidence"] if row["failures"] else {}
        if status == "failed" and row["known_deviation"]:
            ET.SubElement(
                case, "skipped", type="pytest.xfail", message=xml_text(f"known deviation: {row['known_deviation']}")
            )
        elif status == "failed":
            message = f"expected {first.get('expected')}; got {first.get('actual')}" if first else "failed"
            ET.SubElement(
                case, "failure", message=xml_text(message), type=first.get("check", "deviation")
            ).text = xml_text(first.get("curl", ""))
        elif status == "error":
            ET.SubElement(case, "error", message=xml_text(test.get("reason") or "suite error"))
        elif status in ("skipped", "untested"):
            ET.SubElement(case, "skipped", message=xml_text(f"{status}: {test.get('reason') or ''}"))
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"
