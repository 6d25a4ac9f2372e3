"""Poison-detection benchmark: does the chain's aggregation slash the right trainers?

Run ``python -m bench.poison_detection [--quick]``; see `__main__` for the factors and output.
"""
