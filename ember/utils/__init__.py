"""ember.utils (torch.utils)."""
