"""Machine-learning jobs of the off-chain workers: base model, LoRA trainer, scorer, curator.

Importing this package (or `corpus`, `canonical`, `codec`, `profile`, `curation`) never imports
torch: the node and the ``deepshard`` CLI start without it. The modules that need torch
(`base_model`, `trainer`, `scorer`, `curvature`, `adapters`) import it at their top and are only
imported lazily, from the worker jobs that use them. Install them with the ``ml`` extra.
"""
