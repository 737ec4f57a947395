"""jitloop: the jitted training engine shared by einspace, the neural operators and the memory experiments."""

from jitloop.data import Split, Splits, to_device

__all__ = ["Split", "Splits", "to_device"]
