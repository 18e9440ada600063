"""The users most checks list, made once per run: by the one process of a run, or (with xdist workers) by the run's
owner before the workers start, shipped to them in the run's settings, and deleted by the owner at the end."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from conformance.checks.observations import UploadedCertificate
from conformance.protocol.pace import overlapped
from conformance.world.seeding import SeededUser, Seeder
from conformance.world.walking import Walker

# By label: how many certificates each user gets (as many as the quota allows, up to 5: real IAM's is 2).
POPULATION = {"none": 0, "one": 1, "two": 2, "most": 5}
# The line ends of each user's certificate bodies: one user's in CR LF, which a listing must give back as uploaded
# (a CR the target turns into anything else shows); the others' in LF, as PEM writers write them.
LINE_ENDINGS = {"two": "\r\n"}


def make(seeder: Seeder, walker: Walker) -> dict[str, SeededUser]:
    """The users, made at once (each user's own calls in order), each listed once: once a listing shows what was
    uploaded (IAM is eventually consistent), the checks that call the target themselves see it too."""

    def one(label: str) -> SeededUser:
        user = seeder.fill(seeder.user(label), POPULATION[label], LINE_ENDINGS.get(label, "\n"))
        walker(user.name, None)
        return user

    return dict(zip(POPULATION, overlapped(seeder.client.pace, one, POPULATION), strict=False))


def to_wire(population: dict[str, SeededUser]) -> dict[str, dict[str, Any]]:
    return {
        label: {"name": user.name, "certificates": [asdict(c) for c in user.certificates]}
        for label, user in population.items()
    }


def from_wire(wire: dict[str, dict[str, Any]]) -> dict[str, SeededUser]:
    """The owner's users as a worker sees them: to list, never to delete (the owner does that)."""
    return {
        label: SeededUser(user["name"], [UploadedCertificate(**c) for c in user["certificates"]], may_hold=set())
        for label, user in wire.items()
    }
