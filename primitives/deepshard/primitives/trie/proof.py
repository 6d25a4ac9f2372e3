"""Storage proofs: the trie nodes that prove the values (or absence) of some keys.

Introduction
------------
A proof is the set of encoded nodes on the paths from the root to the keys, V1 value nodes
included: what Substrate's `StorageProof` holds and `state_getReadProof` returns (as a list,
in no particular order; we sort it). Verifying rebuilds a hash -> node map from the proof and
walks the same paths from the trusted root; any node that is needed but absent (removed,
altered, or from another trie) makes the proof invalid.
"""

from __future__ import annotations

from collections.abc import Iterable

from deepshard.primitives.hashing import blake2_256
from deepshard.primitives.trie.errors import InvalidNode, InvalidProof, MissingNode
from deepshard.primitives.trie.lookup import lookup
from deepshard.primitives.trie.store import NodeStore

__all__ = ["generate_proof", "verify_proof"]


def generate_proof(store: NodeStore, root: bytes, keys: Iterable[bytes]) -> list[bytes]:
    """Return the proof of `keys` in the trie `root` of `store`: its nodes, sorted, unique.

    Raises:
        MissingNode: a node on one of the paths is not in the store.
    """
    recorded: dict[bytes, bytes] = {}

    def fetch(node_hash: bytes) -> bytes:
        data = recorded.get(node_hash)
        if data is None:
            data = store.get(node_hash)
            if data is None:
                raise MissingNode(node_hash)
            recorded[node_hash] = data
        return data

    for key in keys:
        lookup(fetch, root, key)
    return sorted(recorded.values())


def verify_proof(
    root: bytes,
    proof: Iterable[bytes],
    keys: Iterable[bytes],
    *,
    allow_unused: bool = False,
) -> dict[bytes, bytes | None]:
    """Check `proof` against the trusted `root` and return each key's value (None if absent).

    Args:
        root: The state root the proof must hang from.
        proof: Encoded nodes, in any order.
        keys: The keys to read.
        allow_unused: Accept proof nodes that no key needs (a Substrate node may answer with a
            proof covering more keys). By default such nodes make the proof invalid.

    Raises:
        InvalidProof: a needed node is missing or altered, a node does not decode, or (unless
            `allow_unused`) the proof holds nodes none of the keys needs.
    """
    nodes = {blake2_256(node): node for node in proof}
    used: set[bytes] = set()

    def fetch(node_hash: bytes) -> bytes:
        data = nodes.get(node_hash)
        if data is None:
            raise InvalidProof(f"proof lacks node 0x{node_hash.hex()}")
        used.add(node_hash)
        return data

    result: dict[bytes, bytes | None] = {}
    for key in keys:
        try:
            result[key] = lookup(fetch, root, key)
        except InvalidNode as exc:
            raise InvalidProof(f"proof node does not decode: {exc}") from exc
    if not allow_unused and len(used) != len(nodes):
        raise InvalidProof(f"proof holds {len(nodes) - len(used)} node(s) no key needs")
    return result
