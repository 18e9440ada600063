"""junit.xml with one testcase per conformance test, named by its requirement id (CI systems group by it)."""
from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree as ET

from conformance.spec import requirements


def write(path: Path, outcomes: dict[str, dict], known: set[str], duration_s: float) -> None:
    catalogue = requirements()
    cases = sorted(outcomes.items(), key=lambda item: (item[1]["requirement"], item[0]))
    failed = sum(1 for _, o in cases if o["status"] == "failed")
    skipped = sum(1 for _, o in cases if o["status"] == "skipped")
    suite = ET.Element("testsuite", name="iam-conformance ListSigningCertificates", tests=str(len(cases)),
                       failures=str(failed), errors="0", skipped=str(skipped), time=f"{duration_s:.3f}")
    for nodeid, outcome in cases:
        requirement = catalogue[outcome["requirement"]]
        test_name = nodeid.rsplit("::", 1)[-1]
        case = ET.SubElement(suite, "testcase", classname=f"{requirement.category}.{requirement.id}",
                             name=f"{requirement.id} {test_name}")
        ET.SubElement(case, "properties").append(ET.Element("property", name="source", value=requirement.source))
        if outcome["status"] == "failed":
            evidence = outcome["evidence"] or {}
            kind = "known deviation" if requirement.id in known else "failure"
            message = f"{kind}: expected {evidence.get('expected')}; got {evidence.get('actual')}" if evidence \
                else outcome["message"][:500]
            ET.SubElement(case, "failure", message=message, type=evidence.get("check", "failure")).text = \
                evidence.get("curl", outcome["message"])
        elif outcome["status"] == "skipped":
            ET.SubElement(case, "skipped", message=outcome["message"][:500])
    ET.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)
