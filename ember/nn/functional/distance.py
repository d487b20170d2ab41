"""cosine_similarity and pairwise_distance (torch.nn.functional names of the torch.* ops)."""
from __future__ import annotations

from ember._ops.distance import cosine_similarity, pairwise_distance

__all__ = ["cosine_similarity", "pairwise_distance"]
