"""Allure results (via allure-pytest, when --alluredir is given): labels per requirement, evidence attached."""

from __future__ import annotations

import json

import pytest

from conformance.contract.spec import operation, requirements

PAGE_URL = "https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListSigningCertificates.html"
# Where a deviation hurts most: identity and auth decide whose data is shown, pagination whether all of it is.
SEVERITY = {
    "auth": "critical",
    "identity": "critical",
    "pagination": "critical",
    "shape": "normal",
    "parameters": "normal",
    "errors": "normal",
    "protocol": "normal",
}


def enabled(config: pytest.Config) -> bool:
    return bool(getattr(config.option, "allure_report_dir", None))


def label(item: pytest.Item, requirement_id: str) -> None:
    import allure

    requirement = requirements()[requirement_id]
    for decorator in (
        allure.epic(operation().operation),
        allure.feature(requirement.category),
        allure.story(requirement_id),
        allure.severity(allure.severity_level(SEVERITY[requirement.category])),
        allure.link(PAGE_URL, name="API reference: ListSigningCertificates"),
        allure.label("requirement", f"{requirement_id}: {requirement.source}"),
    ):
        item.add_marker(decorator)


def title(requirement_id: str) -> None:
    """Name the running test after its requirement (allure-pytest only allows this while the test runs)."""
    import allure

    requirement = requirements()[requirement_id]
    allure.dynamic.title(f"{requirement_id}: {requirement.title}")
    allure.dynamic.description(f"The page: \u201c{requirement.source}\u201d")


def attach(evidence: dict) -> None:
    import allure

    allure.attach(
        json.dumps(evidence, indent=2, ensure_ascii=False),
        name=f"evidence: {evidence.get('check')}",
        attachment_type=allure.attachment_type.JSON,
    )
    if "curl" in evidence:
        allure.attach(evidence["curl"], name="reproduce with curl", attachment_type=allure.attachment_type.TEXT)
