"""cosine_similarity, pairwise_distance and pdist (torch.nn.functional names of the torch.*
ops)."""
from __future__ import annotations

from ember._ops.distance import cosine_similarity, pairwise_distance
from ember._ops.norms_legacy import pdist

__all__ = ["cosine_similarity", "pairwise_distance", "pdist"]
