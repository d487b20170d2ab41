"""The Workload record."""
from __future__ import annotations

import dataclasses
from typing import Callable


@dataclasses.dataclass
class Workload:
    name: str
    build: Callable          # build(lib) -> step(); lib is ember or torch
    budget: float | None = None   # the ratio the issues ask for (ember / best torch)
