"""pagination over time: Hypothesis drives uploads, status changes, deletions and listings against a model.

Single calls miss what only a sequence shows (a delete that rewrites the other certificates' statuses, a quota
that counts deleted certificates). The model is what the suite did; after every step, every listing that
could have changed must equal it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from conformance.checks import Judge
from conformance.checks.failures import Deviation
from conformance.checks.pagination import (
    listing_matches_model,
    pages_within_max_items,
    truncation_flag_tells_the_truth,
    upload_refused_only_at_quota,
)
from conformance.config.profiles import STATEFUL
from conformance.protocol.client import Identity
from conformance.protocol.wire import Exchange
from conformance.suite import beside, requirement, runs_long
from conformance.suite.fixtures import Target
from conformance.world.seeding import SeededUser, Seeder
from conformance.world.walking import Walker

# Every test here runs beside the others (conformance.suite.side_by_side): its requests overlap theirs.
pytestmark = beside

MAX_USERS = 2
max_items_values = st.integers(1, 3) | st.integers(1, 1000)


@requirement("PAG-10")
@runs_long
def test_any_sequence_leaves_every_listing_equal_to_the_model(
    seeder: Seeder,
    walker: Walker,
    identity_of: Callable[[SeededUser], Identity],
    conformance_target: Target,
    judge: Judge,
) -> None:
    chosen = conformance_target.settings
    sequences, steps = STATEFUL[chosen.profile]
    sequences = chosen.stateful_sequences or sequences
    names = itertools.count()

    class SigningCertificates(RuleBasedStateMachine):
        """Each sequence starts from fresh users: the target's history must not leak into the next one."""

        users = Bundle("users")

        def __init__(self) -> None:
            super().__init__()
            self.model: dict[str, SeededUser] = {}  # user name -> its certificates and their statuses: the model
            self.keys: dict[str, Identity] = {}  # user name -> Identity of its own access key, made when first needed
            self.steps: list[str] = []  # what was called, for the report when an expectation breaks
            self.changed: set[str] = set()  # users whose certificates changed since the invariant last listed them

        def judge(self, check: Callable[..., list[str] | None], *args: object) -> None:
            try:
                judge(check, *args)
            except Deviation as deviation:
                deviation.steps = list(self.steps)
                raise

        def expected(self, name: str) -> dict[str, str]:
            return {c.certificate_id: c.status for c in self.model[name].certificates}

        def new_user(self) -> str:
            user = seeder.user(f"sm{next(names)}")
            self.model[user.name] = user
            self.steps.append(f"CreateUser {user.name}")
            return user.name

        @initialize(target=users)
        def first_user_at_quota(self) -> str:
            """Start where sequence bugs live: a user at real IAM's quota of 2 certificates, one Inactive."""
            name = self.new_user()
            for _ in range(2):
                self.upload(name)
            self.set_status(name, 0, "Inactive")
            return name

        @precondition(lambda self: len(self.model) < MAX_USERS)
        @rule(target=users)
        def another_user(self) -> str:
            return self.new_user()

        @rule(name=users)
        def upload(self, name: str) -> None:
            user = self.model[name]
            held = len(user.certificates)
            outcome = seeder.upload(user)
            self.changed.add(name)
            if isinstance(outcome, Exchange):
                self.steps.append(f"UploadSigningCertificate {name} -> HTTP {outcome.status}")
                self.judge(upload_refused_only_at_quota, outcome, held)
            else:
                self.steps.append(f"UploadSigningCertificate {name} -> {outcome.certificate_id}")

        @rule(name=users, pick=st.integers(0, 10), status=st.sampled_from(["Inactive", "Active"]))
        def set_status(self, name: str, pick: int, status: str) -> None:
            user = self.model[name]
            if user.certificates:
                certificate = user.certificates[pick % len(user.certificates)]
                seeder.set_status(user, certificate, status)
                self.changed.add(name)
                self.steps.append(f"UpdateSigningCertificate {name} {certificate.certificate_id} Status={status}")

        @rule(name=users, pick=st.integers(0, 10))
        def delete(self, name: str, pick: int) -> None:
            user = self.model[name]
            if user.certificates:
                # Counted from the end while set_status counts from the start: Hypothesis's simplest choices
                # then touch different certificates, where interactions between them show.
                certificate = user.certificates[-1 - pick % len(user.certificates)]
                seeder.delete_certificate(user, certificate)
                self.changed.add(name)
                self.steps.append(f"DeleteSigningCertificate {name} {certificate.certificate_id}")

        @rule(name=users, max_items=max_items_values)
        def list_every_page(self, name: str, max_items: int) -> None:
            walk = walker(name, max_items, cached=False)
            self.steps.append(f"ListSigningCertificates {name} MaxItems={max_items}, {len(walk.pages)} page(s)")
            self.judge(listing_matches_model, walk, self.expected(name))
            self.judge(pages_within_max_items, walk)
            self.judge(truncation_flag_tells_the_truth, walk, len(self.model[name].certificates))

        @rule(name=users)
        def list_with_own_key(self, name: str) -> None:
            if name not in self.keys:
                self.keys[name] = identity_of(self.model[name])
                self.steps.append(f"CreateAccessKey {name}")
            walk = walker(None, None, identity=self.keys[name], cached=False)
            walk.user_name = name
            self.steps.append(f"ListSigningCertificates (no UserName, signed by {name}'s key)")
            self.judge(listing_matches_model, walk, self.expected(name))

        @invariant()
        def every_changed_listing_equals_the_model(self) -> None:
            # An unchanged user's listing was checked when it last changed: listing it again would spend real
            # IAM's request budget on nothing new.
            for name in sorted(self.changed):
                self.steps.append(f"ListSigningCertificates {name}")
                self.judge(listing_matches_model, walker(name, None, cached=False), self.expected(name))
            self.changed.clear()

    run_state_machine_as_test(
        SigningCertificates,
        # One bug, shrunk, is the report; hunting several would multiply requests against the target.
        settings=settings(max_examples=sequences, stateful_step_count=steps, deadline=None, report_multiple_bugs=False),
    )
