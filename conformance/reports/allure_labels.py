"""Allure results (via allure-pytest, when --alluredir is given): labels per requirement, evidence attached."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Protocol, cast

import pytest

from conformance.contract.spec import operation, requirements

if TYPE_CHECKING:
    from allure_commons.types import Severity


class _Labels(Protocol):
    """allure's decorators as this module calls them (allure-python leaves them unannotated); with allure-pytest
    loaded each returns a pytest mark."""

    def epic(self, *epics: str) -> pytest.MarkDecorator: ...
    def feature(self, *features: str) -> pytest.MarkDecorator: ...
    def story(self, *stories: str) -> pytest.MarkDecorator: ...
    def severity(self, severity_level: Severity) -> pytest.MarkDecorator: ...
    def link(self, url: str, *, name: str | None = None) -> pytest.MarkDecorator: ...
    def label(self, label_type: str, *labels: str) -> pytest.MarkDecorator: ...


class _Dynamic(Protocol):
    """allure.dynamic as this module calls it (unannotated too)."""

    def title(self, test_title: str) -> None: ...
    def description(self, test_description: str) -> None: ...


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
    labels = cast(_Labels, allure)
    for decorator in (
        labels.epic(operation().operation),
        labels.feature(requirement.category),
        labels.story(requirement_id),
        labels.severity(allure.severity_level(SEVERITY[requirement.category])),
        labels.link(PAGE_URL, name="API reference: ListSigningCertificates"),
        labels.label("requirement", f"{requirement_id}: {requirement.source}"),
    ):
        item.add_marker(decorator)


def title(requirement_id: str) -> None:
    """Name the running test after its requirement (allure-pytest only allows this while the test runs)."""
    import allure

    requirement = requirements()[requirement_id]
    dynamic = cast(_Dynamic, allure.dynamic)
    dynamic.title(f"{requirement_id}: {requirement.title}")
    dynamic.description(f"The page: \u201c{requirement.source}\u201d")


EVIDENCE = "evidence: "  # the name of an evidence attachment starts so (conformance.reports.allure_results)


def attach(evidence: dict[str, Any]) -> None:
    """The evidence as a JSON attachment, without its replay line: the line is built again from the redacted request
    as the results are moved into the report folder (a finished line is never redacted)."""
    import allure

    allure.attach(
        json.dumps({k: v for k, v in evidence.items() if k != "curl"}, indent=2, ensure_ascii=False),
        name=f"{EVIDENCE}{evidence.get('check')}",
        attachment_type=allure.attachment_type.JSON,
    )
