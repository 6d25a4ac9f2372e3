"""Deepshard pallets, one package each, declared with `deepshard.runtime.support`."""
