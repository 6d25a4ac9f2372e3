"""State pruning at finalization: the finality window and displaced forks.

Introduction
------------
Without ``archive`` the database keeps the states of

* every block that is not finalized and may still become so (descendants of the finalized
  block), and
* the last ``prune_depth`` finalized blocks (numbers ``f - prune_depth + 1`` .. ``f``).

When finality moves to block ``f``, `prune_window` releases the canonical states numbered
``f - prune_depth`` and below that are still kept (``prune_from`` in meta remembers where the
previous run stopped), and `drop_displaced` takes every leaf whose fork leaves the canonical
chain below ``f`` out of the leaf set and releases the states of that fork's blocks: they can
never be finalized. Headers, bodies and justifications are never deleted. Releasing a state
drops one reference to its root (`RefCountingNodeStore.release`), which deletes exactly the
nodes no other kept state reaches.

In archive mode nothing is released; displaced forks still leave the leaf set.
"""

from __future__ import annotations

from deepshard.client.db.blocks import ChainTxn
from deepshard.client.db.schema import META_PRUNE_FROM, pack_u32, unpack_u32
from deepshard.client.db.store import RefCountingNodeStore
from deepshard.primitives.codec import H256

__all__ = ["release_state", "prune_window", "drop_displaced"]


def release_state(chain: ChainTxn, store: RefCountingNodeStore, block_hash: bytes) -> bool:
    """Stop keeping a block's state; return whether it was kept."""
    root = chain.state_root(block_hash)
    if root is None:
        return False
    chain.delete_state(block_hash)
    store.release(root)
    return True


def prune_window(
    chain: ChainTxn, store: RefCountingNodeStore, finalized_number: int, prune_depth: int
) -> int:
    """Release the finalized canonical states that fell out of the window; return how many."""
    raw = chain.meta(META_PRUNE_FROM)
    start = 0 if raw is None else unpack_u32(raw)
    end = finalized_number - prune_depth  # the highest number to release
    released = 0
    for number in range(start, end + 1):
        block_hash = chain.canonical(number)
        if block_hash is not None and release_state(chain, store, block_hash):
            released += 1
    if end + 1 > start:
        chain.put_meta(META_PRUNE_FROM, pack_u32(end + 1))
    return released


def drop_displaced(
    chain: ChainTxn,
    store: RefCountingNodeStore,
    finalized_number: int,
    *,
    archive: bool,
) -> list[H256]:
    """Remove the leaves of forks that branch off below the finalized block; return them.

    Without `archive`, the states of those forks' blocks are released too.
    """
    displaced: list[H256] = []
    for leaf, number in chain.leaves():
        if chain.is_canonical(leaf, number):
            continue
        route, _, ancestor_number = chain.branch(leaf, number)
        if ancestor_number >= finalized_number:
            continue
        chain.remove_leaf(leaf)
        displaced.append(leaf)
        if not archive:
            for block_hash in route:
                release_state(chain, store, block_hash)
    return displaced
