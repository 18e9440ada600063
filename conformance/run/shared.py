"""The users most checks list, made once by the run's owner for every xdist worker (conformance.world.population)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from conformance.protocol.pace import Pace
from conformance.world.cleanup import HOLDING_KINDS
from conformance.world.population import make, to_wire
from conformance.world.seeding import Seeder
from conformance.world.walking import Walker

if TYPE_CHECKING:
    from conformance.config.settings import RunSettings


class Shared:
    """The population the run's owner makes for its xdist workers (under its own path, `<run id>-owner`), and
    removes at the end, whatever the workers did."""

    def __init__(self, settings: RunSettings, learn_secret: Callable[[str], None]) -> None:
        self.settings = settings
        self.client = settings.client(pace=Pace(settings.max_concurrency, settings.max_rps))
        self.seeder = Seeder(self.client, f"{settings.run_id}-owner", learn_secret=learn_secret)

    def make(self) -> dict[str, dict[str, Any]]:
        return to_wire(make(self.seeder, Walker(self.client, self.seeder)))

    def remove(self) -> tuple[list[str], list[str]]:
        """(problems, users kept): --keep-resources keeps them, listed."""
        if self.settings.keep_resources:
            return [], [user.name for user in self.seeder.users]
        for user in self.seeder.users:  # a worker may have given one an access key and a policy (ID-01)
            user.may_hold = set(HOLDING_KINDS)
        return self.seeder.cleanup(), []
