"""The Licences pallet's pure rules: the price of a version's weights, payment splits, purchases."""

from deepshard.pallets.licences import logic

__all__ = ["logic"]
