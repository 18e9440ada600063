"""The CI examples start a target, run the suite, keep the reports and gate on the suite's exit code."""
import yaml

from conformance.spec import data_dir

EXAMPLES = data_dir("schemas").parent / "examples"


def commands(lines: list[str]) -> str:
    return "\n".join(lines)


def assert_gates(script: str) -> None:
    assert "moto_server" in script and "iam-conformance run --endpoint-url" in script
    run_line = next(line for line in script.splitlines() if "iam-conformance run" in line)
    # Nothing may swallow the exit code: it is the gate.
    assert "|| true" not in run_line and "; true" not in run_line and "set +e" not in script


def test_github_actions_workflow():
    workflow = yaml.safe_load((EXAMPLES / "github-actions.yml").read_text())
    steps = workflow["jobs"]["conformance"]["steps"]
    script = commands([step.get("run", "") for step in steps])
    assert_gates(script)
    gate = next(step for step in steps if "iam-conformance run" in step.get("run", ""))
    assert "continue-on-error" not in gate
    upload = next(step for step in steps if step.get("uses", "").startswith("actions/upload-artifact"))
    assert upload["if"] == "always()" and upload["with"]["path"] == "reports/"


def test_gitlab_ci_job():
    job = yaml.safe_load((EXAMPLES / "gitlab-ci.yml").read_text())["iam-conformance"]
    assert_gates(commands(job["script"]))
    assert "allow_failure" not in job
    assert job["artifacts"]["when"] == "always" and job["artifacts"]["reports"]["junit"] == "reports/junit.xml"
