"""Primitives: SCALE codec, checked numerics, hashing, keys and the Substrate trie.

This layer depends on nothing else in Deepshard; everything else depends on it.
"""
