"""Faults a fake injects at a given rate, from a seeded RNG so a failing run can be replayed."""
from __future__ import annotations

import random
from dataclasses import dataclass

# "lost" is the nasty one: the write is applied, then the response never arrives.
FAULT_KINDS = ("429", "500", "503", "timeout", "lost")


@dataclass
class FaultPlan:
    """Answer about `rate` of requests with a fault; `seed` makes the sequence reproducible."""

    rate: float = 0.0
    seed: int = 0
    retry_after: int = 1
    kinds: tuple[str, ...] = FAULT_KINDS  # a served fake answers over a socket: status faults only

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self.injected: dict[str, int] = {}

    def roll(self, is_write: bool) -> str | None:
        """The fault to inject into this request, or None."""
        if self.rate <= 0 or self._rng.random() >= self.rate:
            return None
        kinds = self.kinds if is_write else tuple(k for k in self.kinds if k != "lost")
        kind = self._rng.choice(kinds)
        self.injected[kind] = self.injected.get(kind, 0) + 1
        return kind
