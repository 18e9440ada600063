"""The users most checks list, made once per run: by the one process of a run, or (with xdist workers) by the run's
owner before the workers start, shipped to them in the run's settings, and deleted by the owner at the end."""
from __future__ import annotations

from dataclasses import asdict

from conformance.cleanup import HOLDING_KINDS
from conformance.pace import Pace, overlapped
from conformance.seeding import SeededUser, Seeder, UploadedCertificate
from conformance.walking import Walker

# By label: how many certificates each user gets (as many as the quota allows, up to 5: real IAM's is 2).
POPULATION = {"none": 0, "one": 1, "two": 2, "most": 5}


def make(seeder: Seeder, walker: Walker) -> dict[str, SeededUser]:
    """The users, made at once (each user's own calls in order), each listed once: once a listing shows what was
    uploaded (IAM is eventually consistent), the checks that call the target themselves see it too."""

    def one(label: str) -> SeededUser:
        user = seeder.fill(seeder.user(label), POPULATION[label])
        walker(user.name, None)
        return user

    return dict(zip(POPULATION, overlapped(seeder.client.pace, one, POPULATION)))


def to_wire(population: dict[str, SeededUser]) -> dict[str, dict]:
    return {label: {"name": user.name, "certificates": [asdict(c) for c in user.certificates]}
            for label, user in population.items()}


def from_wire(wire: dict[str, dict]) -> dict[str, SeededUser]:
    """The owner's users as a worker sees them: to list, never to delete (the owner does that)."""
    return {label: SeededUser(user["name"], [UploadedCertificate(**c) for c in user["certificates"]], may_hold=set())
            for label, user in wire.items()}


class Shared:
    """The population the run's owner makes for its xdist workers (under its own path, `<run id>-owner`), and
    removes at the end, whatever the workers did."""

    def __init__(self, settings, learn_secret) -> None:
        self.settings = settings
        self.client = settings.client(pace=Pace(settings.max_concurrency, settings.max_rps))
        self.seeder = Seeder(self.client, f"{settings.run_id}-owner", learn_secret=learn_secret)

    def make(self) -> dict[str, dict]:
        return to_wire(make(self.seeder, Walker(self.client, self.seeder)))

    def remove(self) -> tuple[list[str], list[str]]:
        """(problems, users kept): --keep-resources keeps them, listed."""
        if self.settings.keep_resources:
            return [], [user.name for user in self.seeder.users]
        for user in self.seeder.users:  # a worker may have given one an access key and a policy (ID-01)
            user.may_hold = set(HOLDING_KINDS)
        return self.seeder.cleanup(), []
