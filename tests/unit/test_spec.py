"""The declarative spec: the catalogue is complete, and the parameter spec agrees with botocore's model
except for the differences it lists on purpose."""

import json
import re

import pytest
from botocore.loaders import Loader

from conformance.contract.spec import (
    CATEGORIES,
    EVIDENCE_LEVELS,
    Requirement,
    data_dir,
    error_codes,
    operation,
    requirements,
)

MODEL = Loader().load_service_model("iam", "service-2")
SHAPES = MODEL["shapes"]


def model_member(shape_name: str, member: str) -> dict:
    return SHAPES[SHAPES[shape_name]["members"][member]["shape"]]


def test_every_category_has_requirements_and_every_requirement_a_source_sentence():
    catalogue = requirements()
    assert {r.category for r in catalogue.values()} == set(CATEGORIES)
    for requirement in catalogue.values():
        assert requirement.source.strip() and requirement.title.strip(), requirement.id


RECORDED = data_dir("fixtures") / "recorded"
MANIFEST = {entry["file"]: entry for entry in json.loads((RECORDED / "manifest.json").read_text())["fixtures"]}


def cited_fixtures(text: str) -> set[str]:
    return set(re.findall(r"[\w.-]+\.(?:xml|txt|snapshot\.json)", text))


def test_every_requirement_states_what_it_stands_on():
    for requirement in requirements().values():
        assert requirement.evidence in EVIDENCE_LEVELS and requirement.evidence_source.strip(), requirement.id
    assert {r.evidence for r in requirements().values()} == set(EVIDENCE_LEVELS)


def test_recorded_requirements_cite_a_recording_of_this_action():
    """`recorded` means a real ListSigningCertificates response shows it: the cited fixture exists and is one."""
    for requirement in requirements().values():
        if requirement.evidence == "recorded":
            cited = cited_fixtures(requirement.evidence_source)
            assert cited, f"{requirement.id} cites no fixture"
            assert any(MANIFEST[f]["action"] == "ListSigningCertificates" for f in cited & set(MANIFEST)), (
                requirement.id
            )


def test_every_cited_fixture_is_in_the_manifest_and_on_disk():
    for requirement in requirements().values():
        for cited in cited_fixtures(requirement.evidence_source):
            assert cited in MANIFEST and (RECORDED / cited).is_file(), (requirement.id, cited)


def test_an_unknown_evidence_level_is_refused():
    with pytest.raises(ValueError, match="evidence"):
        Requirement("X-1", "shape", "t", "s", evidence="rumoured", evidence_source="a blog")
    with pytest.raises(ValueError, match="evidence_source"):
        Requirement("X-1", "shape", "t", "s", evidence="documented", evidence_source=" ")


@pytest.mark.parametrize("name", ["Marker", "MaxItems", "UserName"])
def test_request_parameters_agree_with_botocore(name):
    ours = operation().parameters[name]
    model = model_member("ListSigningCertificatesRequest", name)
    assert ours.type == model["type"]
    if ours.type == "integer":
        assert (ours.bound("minimum"), ours.bound("maximum")) == (model["min"], model["max"])
    else:
        assert (ours.bound("min_length"), ours.bound("max_length")) == (model["min"], model["max"])
        assert ours.bound("pattern") == model["pattern"]
    assert not ours.required and name not in SHAPES["ListSigningCertificatesRequest"].get("required", [])


def test_deliberate_differences_from_botocore_are_the_listed_ones():
    differences = {d["where"] for d in operation().botocore_differences}
    assert differences == {
        "response Marker",
        "SigningCertificate.Status",
        "ListSigningCertificatesResult.UserName",
        "UserName prose",
    }
    # Each listed difference is real: the model says what the list says it says.
    assert model_member("ListSigningCertificatesResponse", "Marker") == {"type": "string"}
    assert "Expired" in model_member("SigningCertificate", "Status")["enum"]
    assert "UserName" not in SHAPES["ListSigningCertificatesResponse"]["members"]
    # ... and everything else about the response agrees.
    ours = operation().response["Marker"]
    request_marker = operation().parameters["Marker"]
    assert ours.constraints == request_marker.constraints


def test_every_constraint_quotes_the_page():
    """Each constraint carries a sentence found verbatim on the page (a copy lives in fixtures/)."""
    page = " ".join((data_dir("fixtures") / "ListSigningCertificates-api-reference.txt").read_text().split())
    for parameter in [*operation().parameters.values(), *operation().response.values()]:
        for constraint in parameter.constraints:
            assert " ".join(constraint.source.split()) in page, constraint
        assert " ".join(parameter.source.split()) in page, parameter.name


def test_violations_cover_each_constraint_kind():
    p = operation().parameters
    assert [c.kind for c in p["MaxItems"].violations("0")] == ["minimum"]
    assert [c.kind for c in p["MaxItems"].violations("1001")] == ["maximum"]
    assert [c.kind for c in p["MaxItems"].violations("abc")] == ["type"]
    assert p["MaxItems"].violations("1") == [] and p["MaxItems"].violations("1000") == []
    assert [c.kind for c in p["UserName"].violations("x" * 129)] == ["max_length"]
    assert p["UserName"].violations("x" * 128) == []
    assert [c.kind for c in p["UserName"].violations("café")] == ["pattern"]  # \w is ASCII
    assert [c.kind for c in p["Marker"].violations("\u0100")] == ["pattern"]
    assert p["Marker"].violations("é ü+/=") == []


@pytest.mark.parametrize("path", sorted(data_dir("baselines").glob("*.json")), ids=lambda p: p.name)
def test_every_shipped_baseline_names_catalogued_requirements_with_a_reason(path):
    from conformance.results.baselines import load

    shipped = load(str(path))
    assert shipped.target and shipped.expected_failures
    assert all(len(reason) > 20 for reason in shipped.expected_failures.values())


def test_the_coverage_matrix_covers_the_page_and_names_real_requirements():
    from conformance.contract.spec import coverage, operation, requirements

    matrix = coverage()
    clauses = matrix["clauses"]
    named = " ".join(clause["clause"] for clause in clauses)
    spec = operation()
    for name in spec.parameters:
        assert f"{name} (request)" in named or any(c["clause"].startswith(name) for c in clauses), name
    for name in spec.response:
        assert f"{name} (response)" in named, name
    assert "Certificates (response)" in named and "IsTruncated (response)" in named
    used = {rid for clause in clauses for ids in clause["cells"].values() for rid in ids}
    assert used <= set(requirements()), used - set(requirements())
    assert set(requirements()) <= used, f"requirements no clause names: {set(requirements()) - used}"
    assert {c for clause in clauses for c in clause["cells"]} <= set(matrix["conditions"])
    page = (data_dir("fixtures") / "ListSigningCertificates-api-reference.txt").read_text()
    description = " ".join(page.split("Request Parameters")[0].splitlines()[3:])
    prose = [s.strip() for s in re.split(r"(?<=\.)\s+", description) if s.strip()]
    assert len(prose) == 5
    for sentence in prose:  # every sentence of the page's description is a clause's source
        assert any(sentence in clause["source"] for clause in clauses), sentence


def test_the_pages_error_codes_are_botocores_and_every_code_of_the_installed_model_is_accepted():
    from conformance.contract.spec import modelled_error_codes

    page = {"NoSuchEntity", "ServiceFailure"}  # the page's Errors section
    assert page <= modelled_error_codes() and page <= error_codes()
    # Read from the installed model whatever it holds today: a code botocore adds tomorrow is accepted tomorrow.
    modelled = {shape.get("error", {}).get("code", name) for name, shape in SHAPES.items() if shape.get("exception")}
    assert modelled == modelled_error_codes() and modelled <= error_codes()
    # Near misses stay out: the vocabulary is exact, case and suffix included.
    assert not {"NoSuchEntityException", "validationError", "InternalError"} & error_codes()


def test_a_code_is_iams_exactly_when_error_codes_holds_it_and_listed_codes_never_read_the_model():
    from conformance.contract import spec

    spec.modelled_error_codes.cache_clear()
    assert spec.is_iam_error_code("NoSuchEntity") and spec.is_iam_error_code("ValidationError")
    assert spec.modelled_error_codes.cache_info().currsize == 0  # listed: botocore's model not read
    modelled_only = sorted(spec.modelled_error_codes() - spec.listed_error_codes())
    assert modelled_only and all(spec.is_iam_error_code(code) for code in modelled_only)
    for code in ("NoSuchEntityException", "validationError", "InternalError", "", None):
        assert not spec.is_iam_error_code(code)
        assert code not in spec.error_codes()
