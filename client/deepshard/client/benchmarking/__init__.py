"""The benchmarking step (FRAME's ``benchmark pallet``): measure, fit, write ``weights.py``."""

from deepshard.client.benchmarking.fit import Fit, fit_linear
from deepshard.client.benchmarking.runner import Measurement, measure_suite
from deepshard.client.benchmarking.writer import render_weights_module

__all__ = ["Fit", "fit_linear", "Measurement", "measure_suite", "render_weights_module"]
