"""A run's settings: checked before anything starts, resolved once by the process that owns the run, frozen, and
shipped as they are to every xdist worker (never through the environment).
"""

from __future__ import annotations

import importlib.util
import os
import random
import secrets
import time
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, cast

from botocore.credentials import Credentials

from conformance.errors import ConformanceError
from conformance.protocol.client import IamClient, Identity
from conformance.protocol.pace import Pace
from conformance.protocol.partitions import is_real_aws
from conformance.protocol.target import TargetError, resolve_endpoint, resolve_region
from conformance.safety.files import ReportDir, ReportDirError


class SettingsError(ConformanceError, ValueError):
    """The run cannot start with these options or this environment: exit 2 with this one-line reason."""


# The seed of a run in CI (CI set, no --seed): every CI run draws the same examples, and any machine replays them with
# --seed 0. A fixed seed rather than Hypothesis' derandomize, which hashes each test's source twice per test.
CI_SEED = 0


@dataclass(frozen=True)
class RunSettings:
    # What the user asked for (conformance.config.options)
    report_dir: str
    profile: str
    baseline: str | None
    strict_baseline: bool
    write_baseline: str | None
    read_only: bool
    allow_writes: bool
    stateful_sequences: int | None
    deadline: float
    strict_schema: bool
    keep_resources: bool
    allure: bool  # write allure-results/ (allure-pytest loaded, its results staged, redacted and moved)
    max_concurrency: int
    max_rps: float | None
    # What the run resolved, once
    endpoint: str | None  # None: the embedded moto, started by the owner of the run
    endpoint_origin: str  # where the endpoint came from (--endpoint-url, AWS_ENDPOINT_URL_IAM, ...)
    region: str  # the SigV4 credential scope's region
    run_id: str  # 8 hex digits: every user the run creates is named and pathed after it
    deadline_epoch: float  # wall clock (shared by every process) after which no request is sent
    seed: int | None  # None: none chosen (a run that could not start)
    seed_from_ci: bool = False  # CI_SEED, because CI is set and no seed was given
    access_key: str = ""
    secret_key: str = ""
    session_token: str | None = None
    target_label: str = ""
    region_origin: str = ""  # where the signing region came from (--region, the endpoint's partition, AWS_REGION...)
    target_name: str | None = None  # what the target is and which version, when the suite can tell (the embedded
    target_version: str | None = None  # moto): a family baseline (--baseline moto) picks that version's
    allure_staging: str | None = None  # where allure-pytest writes before the owner redacts and moves it
    population: dict[str, dict[str, Any]] | None = None  # the owner's users for every xdist worker (world.population)
    concurrency_chosen: bool = False  # --max-concurrency given: the preflight's round trip decides nothing
    pace_note: str = ""  # why the run sends one call at a time although nobody asked (conformance.run.preflight)
    known_good_credentials: bool = False  # a refusal of the caller's credentials is judged, not a reason to stop
    record_dir: str | None = None  # --record: where the run's recording goes (conformance.recording)
    selection: tuple[str, ...] = ()  # a partial run's requirements (--requirement, --category); () runs them all
    selection_asked: str = ""  # how it was asked for, as typed: "--requirement PAG-02 --category auth"
    wait_for_target: float | None = None  # seconds to wait for the target to answer before the run starts

    def to_wire(self) -> dict[str, Any]:
        """A plain dict for xdist's workerinput."""
        return asdict(self)

    @classmethod
    def from_wire(cls, wire: dict[str, Any]) -> RunSettings:
        known = {f.name for f in fields(cls)}
        given = {k: v for k, v in wire.items() if k in known}
        return cls(**given | {"selection": tuple(given.get("selection") or ())})

    def caller(self) -> Identity:
        """The caller's identity, signing with the run's credentials."""
        return Identity("caller", Credentials(self.access_key, self.secret_key, self.session_token))

    def monotonic_deadline(self) -> float:
        """The run's deadline is wall-clock (shared by every process); clients count in monotonic time."""
        return time.monotonic() + self.deadline_epoch - time.time()

    def client(self, deadline: float | None = None, pace: Pace | None = None) -> IamClient:
        """A client of the target signing as the caller, by default bounded by the run's deadline."""
        endpoint = cast(str, self.endpoint)  # the embedded moto's URL once it runs: no client is made before
        return IamClient(
            endpoint, self.region, self.caller(), self.monotonic_deadline() if deadline is None else deadline, pace
        )

    @property
    def caller_kind(self) -> str:
        """long-term | temporary | unknown: from the access key id's documented prefix (AKIA, ASIA), no request."""
        if self.session_token or self.access_key.startswith("ASIA"):
            return "temporary"
        return "long-term" if self.access_key.startswith("AKIA") else "unknown"

    @property
    def credential_kind(self) -> str:
        """The caller's kind of credentials, for reports."""
        return {
            "temporary": "temporary credentials with a session token (a user's own, a role's or a federated session)",
            "long-term": "a long-term access key (an IAM user's or the account root's)",
            "unknown": f"an access key of no AWS kind ({self.access_key[:4]}…), as emulators accept",
        }[self.caller_kind]


def selection_of(values: dict[str, Any]) -> tuple[tuple[str, ...], str]:
    """The requirements a partial run asked for (--requirement, --category: their union, in the catalogue's order)
    and how it asked; ((), "") for a whole run. An unknown id or category is a SettingsError naming close matches."""
    import difflib

    from conformance.contract.spec import CATEGORIES, requirements

    catalogue = requirements()
    ids = [str(given).strip().upper() for given in values.get("requirement") or ()]
    categories = [str(given).strip().lower() for given in values.get("category") or ()]
    for asked in ids:
        if asked not in catalogue:
            close = difflib.get_close_matches(asked, list(catalogue), n=3, cutoff=0.6)
            hint = (
                f"close matches: {', '.join(close)}"
                if close
                else "`iam-conformance run --help`: schemas/requirements.json"
            )
            raise SettingsError(f"--requirement {asked}: no such requirement ({hint})")
    for asked in categories:
        if asked not in CATEGORIES:
            close = difflib.get_close_matches(asked, CATEGORIES, n=2, cutoff=0.6)
            hint = f"close matches: {', '.join(close)}; " if close else ""
            raise SettingsError(f"--category {asked}: no such category ({hint}the categories: {', '.join(CATEGORIES)})")
    chosen = tuple(r.id for r in catalogue.values() if r.id in ids or r.category in categories)
    asked = " ".join(
        [*(f"--requirement {i}" for i in dict.fromkeys(ids)), *(f"--category {c}" for c in dict.fromkeys(categories))]
    )
    return chosen, asked


def check_options(values: dict[str, Any]) -> None:
    """Raise SettingsError for options that cannot work, before anything is started or sent."""
    selection_of(values)
    if values.get("read_only") and values.get("allow_writes"):
        raise SettingsError("--read-only and --allow-writes contradict each other: pass one")
    if values.get("endpoint_url") == "":
        raise SettingsError(
            "--endpoint-url is empty (an unset CI variable?): give a URL, or leave the option out "
            "to test the embedded moto"
        )
    try:
        endpoint, origin = resolve_endpoint(values.get("endpoint_url"))
    except TargetError as exc:
        raise SettingsError(str(exc)) from None
    if endpoint is None and importlib.util.find_spec("moto") is None:
        raise SettingsError(
            "no --endpoint-url (nor AWS_ENDPOINT_URL_IAM/AWS_ENDPOINT_URL) given, and the embedded moto "
            "needs the [moto] extra: pip install 'iam-conformance[moto]'"
        )
    if endpoint is None and values.get("keep_resources"):
        raise SettingsError(
            "--keep-resources needs a target that outlives the run (--endpoint-url); the embedded moto keeps nothing"
        )
    if endpoint is not None and is_real_aws(endpoint) and not (values.get("read_only") or values.get("allow_writes")):
        raise SettingsError(
            f"{endpoint} ({origin}) is real AWS: the suite creates (and deletes) users under "
            "/iam-conformance/ there. Pass --allow-writes to agree, or --read-only to run only the "
            "checks that create nothing"
        )
    write_to = values.get("write_baseline")
    if write_to is not None:
        folder = Path(os.path.abspath(write_to)).parent
        if not folder.is_dir():
            raise SettingsError(f"--write-baseline {write_to}: folder {folder} does not exist")
        if not os.access(folder, os.W_OK):
            raise SettingsError(f"--write-baseline {write_to}: folder {folder} is not writable")


def check_report_dir(values: dict[str, Any]) -> None:
    """The report folder (and the recording's, --record), created or verified now: a planted link or a file in its
    place stops the run before it starts (last of the checks: a run refused for another reason leaves nothing
    behind)."""
    for option, folder in (("--report-dir", values.get("report_dir") or "reports"), ("--record", values.get("record"))):
        if folder is None:
            continue
        try:
            ReportDir.open(folder).close()
        except ReportDirError as exc:
            raise SettingsError(f"{option}: {exc}") from None


def known_target(endpoint: str | None) -> tuple[str, str] | None:
    """(name, version) of the target, when the suite can tell: the embedded moto it starts itself. A target it did
    not start is whatever answers there."""
    if endpoint is not None or importlib.util.find_spec("moto") is None:
        return None
    from conformance.protocol.target import moto_version

    return "moto", moto_version()


def resolve(values: dict[str, Any], *, seed: int | None, in_ci: bool) -> RunSettings:
    """Settings for a run starting now. `seed`: an explicit seed (--seed or --hypothesis-seed), else CI_SEED when
    `in_ci`, else a random one. The baseline is kept as given (conformance.run.start resolves it); credentials and
    the target's label are filled in by the run's owner."""
    check_options(values)
    endpoint, origin = resolve_endpoint(values.get("endpoint_url"))
    seed_from_ci = seed is None and in_ci
    region, region_origin = resolve_region(values.get("region"), endpoint)
    target = known_target(endpoint)
    if seed is None:
        seed = CI_SEED if in_ci else random.getrandbits(32)
    selection, asked = selection_of(values)
    return RunSettings(
        # Absolute, but never resolved: a link in place of the folder or the file is refused when written, not followed
        report_dir=os.path.abspath(values.get("report_dir") or "reports"),
        profile=values["profile"],
        baseline=values.get("baseline"),
        strict_baseline=bool(values.get("strict_baseline")),
        write_baseline=values.get("write_baseline") and os.path.abspath(values["write_baseline"]),
        read_only=bool(values.get("read_only")),
        allow_writes=bool(values.get("allow_writes")),
        stateful_sequences=values.get("stateful_sequences"),
        deadline=float(values["deadline"]),
        strict_schema=bool(values.get("strict_schema")),
        keep_resources=bool(values.get("keep_resources")),
        allure=bool(values.get("allure")),
        max_concurrency=int(values.get("max_concurrency") or 8),
        concurrency_chosen=values.get("max_concurrency") is not None,
        max_rps=values.get("max_rps"),
        endpoint=endpoint,
        endpoint_origin=origin,
        region=region,
        region_origin=region_origin,
        run_id=secrets.token_hex(4),
        deadline_epoch=time.time() + float(values["deadline"]),
        seed=seed,
        seed_from_ci=seed_from_ci,
        target_label=endpoint or "",
        target_name=target[0] if target else None,
        target_version=target[1] if target else None,
        known_good_credentials=bool(values.get("known_good_credentials")),
        record_dir=str(Path(values["record"]).resolve()) if values.get("record") else None,
        selection=selection,
        selection_asked=asked,
        wait_for_target=values.get("wait_for_target"),
    )


def scope_line(settings: RunSettings) -> str:
    """What the run says about how it signs, before it starts: a refused signature is then easy to place."""
    return f"signing for iam in {settings.region} ({settings.region_origin or 'given'})"


def seed_line(settings: RunSettings, flag: str) -> str:
    """What the run says about its seed before it starts; `flag` replays it (--seed, or the plugin's --iam-seed)."""
    why = "CI is set: every CI run draws the same examples; " if settings.seed_from_ci else ""
    return f"Hypothesis seed {settings.seed} ({why}replay with {flag} {settings.seed})"


def unstarted(values: dict[str, Any], endpoint: str | None = None) -> RunSettings:
    """Settings of a run that could not start (valid options, but no target or credentials to run with): enough to
    write its reports, which say why."""
    return RunSettings(
        # Absolute, but never resolved: a link in place of the folder or the file is refused when written, not followed
        report_dir=os.path.abspath(values.get("report_dir") or "reports"),
        profile=values["profile"],
        baseline=None,
        strict_baseline=False,
        write_baseline=None,
        read_only=bool(values.get("read_only")),
        allow_writes=bool(values.get("allow_writes")),
        stateful_sequences=None,
        deadline=float(values["deadline"]),
        strict_schema=False,
        keep_resources=False,
        allure=False,
        max_concurrency=1,
        max_rps=None,
        endpoint=endpoint,
        endpoint_origin="",
        region="",
        run_id="",
        deadline_epoch=0.0,
        seed=values.get("seed"),
        target_label=endpoint or "",
    )
