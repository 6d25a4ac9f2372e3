"""Substrate's base-16 Patricia-Merkle trie (`sp-trie`): codec, roots, incremental trie, proofs.

Introduction
------------
State roots, extrinsics roots and storage proofs of Deepshard equal Substrate's because this
package follows `sp_trie`'s `NodeCodec` byte for byte (layout without extension nodes, state
versions V0 and V1). Modules, from the bottom up:

* `version` -- `StateVersion`, the empty root and the V1 value-node threshold;
* `nibbles` -- nibble paths (hex strings) and their packing into nodes;
* `node` -- node encoding and decoding;
* `root` -- `trie_root` / `ordered_trie_root`: roots of a whole key/value set in one pass;
* `store` -- the `NodeStore` protocol and `MemoryNodeStore`;
* `incremental` -- `Trie`: reads, ordered iteration and batch updates over a store;
* `proof` -- `generate_proof` / `verify_proof`;
* `child` -- default child tries and the genesis state root.
"""

from deepshard.primitives.trie.child import (
    CHILD_STORAGE_KEY_PREFIX,
    DEFAULT_CHILD_STORAGE_KEY_PREFIX,
    child_trie_root,
    genesis_state_root,
    prefixed_child_storage_key,
    top_pairs_with_children,
)
from deepshard.primitives.trie.errors import InvalidNode, InvalidProof, MissingNode, TrieError
from deepshard.primitives.trie.incremental import Trie, TrieUpdate
from deepshard.primitives.trie.node import (
    Branch,
    Empty,
    Leaf,
    Node,
    child_reference,
    decode_node,
    encode_branch,
    encode_leaf,
    encode_node,
)
from deepshard.primitives.trie.proof import generate_proof, verify_proof
from deepshard.primitives.trie.root import ordered_trie_root, trie_root
from deepshard.primitives.trie.store import MemoryNodeStore, NodeStore
from deepshard.primitives.trie.version import (
    EMPTY_NODE,
    EMPTY_TRIE_ROOT,
    HASH_LENGTH,
    TRIE_VALUE_NODE_THRESHOLD,
    StateVersion,
)

__all__ = [
    "StateVersion",
    "EMPTY_NODE",
    "EMPTY_TRIE_ROOT",
    "HASH_LENGTH",
    "TRIE_VALUE_NODE_THRESHOLD",
    "trie_root",
    "ordered_trie_root",
    "NodeStore",
    "MemoryNodeStore",
    "Trie",
    "TrieUpdate",
    "generate_proof",
    "verify_proof",
    "CHILD_STORAGE_KEY_PREFIX",
    "DEFAULT_CHILD_STORAGE_KEY_PREFIX",
    "prefixed_child_storage_key",
    "child_trie_root",
    "top_pairs_with_children",
    "genesis_state_root",
    "Node",
    "Empty",
    "Leaf",
    "Branch",
    "encode_leaf",
    "encode_branch",
    "encode_node",
    "decode_node",
    "child_reference",
    "TrieError",
    "InvalidNode",
    "MissingNode",
    "InvalidProof",
]
