"""Consistency checks of a chain database, run over one read transaction.

`verify_chain` re-hashes every node of the best block's state from its root (so the root
re-computes from what is stored), checks that the state root kept for the best block is the
one in its header, and walks the canonical index from genesis to the best block: every entry
present, headers and bodies stored, numbers and parent links consistent. With ``deep`` it also
walks every kept state, recounts every node's references from scratch and compares them with
the stored counts, looks for stored nodes nothing reaches, and checks that every block that
must keep its state does.

Re-hashing every node from the root is re-computing the root: a node's hash covers its
children's hashes and its values (inline, or by hash for V1 value nodes, which are re-hashed
too), so a state passes only if every byte of it is stored as it was committed.
"""

from __future__ import annotations

from collections import Counter

from deepshard.client.db.blocks import ChainTxn, decode_body, header_link
from deepshard.client.db.errors import CorruptDatabase
from deepshard.client.db.records import VerifyReport
from deepshard.client.db.store import RefCount
from deepshard.primitives.hashing import blake2_256
from deepshard.primitives.header import Header
from deepshard.primitives.trie import (
    EMPTY_TRIE_ROOT,
    HASH_LENGTH,
    Branch,
    Empty,
    TrieError,
    decode_node,
)

__all__ = ["verify_chain"]


class _Walker:
    """Walks states node by node, re-hashing each, counting references for the deep check."""

    def __init__(self, chain: ChainTxn, problems: list[str]) -> None:
        self.chain = chain
        self.problems = problems
        self.expanded: set[bytes] = set()
        self.values: set[bytes] = set()
        self.counts: Counter[bytes] = Counter()

    def _fetch(self, node_hash: bytes, what: str) -> bytes | None:
        data: bytes | None = self.chain.txn.get(node_hash, db=self.chain.t.nodes)
        if data is None:
            self.problems.append(f"{what} 0x{node_hash.hex()} is missing")
            return None
        if blake2_256(data) != node_hash:
            self.problems.append(f"{what} 0x{node_hash.hex()} does not hash to its key")
            return None
        return data

    def _stored_expanded(self, node_hash: bytes) -> bool:
        record: bytes | None = self.chain.txn.get(node_hash, db=self.chain.t.refs)
        return record is not None and RefCount.unpack(record)[1]

    def walk(self, root: bytes) -> None:
        """Check every node reachable from `root`; count the root as held once more."""
        if root == EMPTY_TRIE_ROOT:
            return
        self.counts[root] += 1
        stack = [root]
        while stack:
            node_hash = stack.pop()
            if node_hash in self.expanded:
                continue
            self.expanded.add(node_hash)
            data = self._fetch(node_hash, "trie node")
            if data is None:
                continue
            pending = [data]
            while pending:
                try:
                    node = decode_node(pending.pop())
                except TrieError as exc:
                    self.problems.append(f"trie node 0x{node_hash.hex()} does not decode: {exc}")
                    break
                if isinstance(node, Empty):
                    self.problems.append(f"trie node 0x{node_hash.hex()} holds an empty node")
                    break
                if node.value_hashed and node.value is not None:
                    value = node.value
                    self.counts[value] += 1
                    if value not in self.values:
                        self.values.add(value)
                        self._fetch(value, "value node")
                        if self._stored_expanded(value):
                            # Also stored as a trie node (same bytes): the store counts its
                            # children for as long as it exists, so the walk does too.
                            stack.append(value)
                if isinstance(node, Branch):
                    for child in node.children:
                        if child is None:
                            continue
                        if len(child) == HASH_LENGTH:
                            self.counts[child] += 1
                            stack.append(child)
                        else:
                            pending.append(child)


def verify_chain(chain: ChainTxn, *, deep: bool = False) -> VerifyReport:
    """Check the database seen by `chain` (a read transaction); see the module notes.

    Raises:
        CorruptDatabase: with every problem found.
    """
    problems: list[str] = []
    heads = chain.heads()
    if heads is None:
        raise CorruptDatabase(["the database has no genesis"])
    genesis, best, finalized = heads
    best_raw = chain.header_bytes(best)
    finalized_number = chain.number(finalized)
    if best_raw is None or finalized_number is None:
        raise CorruptDatabase(["the best or finalized header is missing"])
    best_header = Header.decode(best_raw)
    best_number = int(best_header.number)
    if finalized_number > best_number:
        problems.append(f"finalized #{finalized_number} is above best #{best_number}")
    if chain.canonical(finalized_number) != finalized:
        problems.append(f"finalized block #{finalized_number} is not canonical")
    if chain.canonical(0) != genesis:
        problems.append("canonical #0 is not the genesis")

    # The canonical chain, genesis to best: complete and linked.
    expected = 0
    previous: bytes | None = None
    for number, block_hash in chain.canonical_entries():
        if number != expected:
            problems.append(f"canonical index jumps from #{expected - 1} to #{number}")
            expected = number
        raw = chain.header_bytes(block_hash)
        if raw is None:
            problems.append(f"canonical #{number} 0x{block_hash.hex()} has no header")
        elif blake2_256(raw) != block_hash:
            problems.append(f"canonical #{number}: header does not hash to 0x{block_hash.hex()}")
        else:
            parent, header_number = header_link(raw)
            if header_number != number:
                problems.append(f"canonical #{number} holds a header numbered #{header_number}")
            if previous is not None and parent != previous:
                problems.append(f"canonical #{number} does not link to canonical #{number - 1}")
        body = chain.body_bytes(block_hash)
        if body is None:
            problems.append(f"canonical #{number} 0x{block_hash.hex()} has no body")
        elif deep:
            try:
                decode_body(body)
            except CorruptDatabase as exc:
                problems.append(f"canonical #{number}: {exc}")
        previous = block_hash
        expected += 1
    if expected != best_number + 1 or previous != best:
        problems.append(f"the canonical index does not end at the best block #{best_number}")

    # The best state: kept, rooted as the header says, every node present and hashing right.
    walker = _Walker(chain, problems)
    root = chain.state_root(best)
    if root is None:
        problems.append("the best block's state is not kept")
    elif root != best_header.state_root:
        problems.append("the best block's kept state root differs from its header's")
    else:
        walker.walk(root)
    if chain.state_root(finalized) is None:
        problems.append("the finalized block's state is not kept")
    states_checked = 1

    if deep and not problems:
        states_checked = _deep_checks(chain, walker, best, finalized_number, problems)

    if problems:
        raise CorruptDatabase(problems)
    return VerifyReport(
        best=best,
        best_number=best_number,
        canonical_blocks=expected,
        nodes_checked=len(walker.expanded) + len(walker.values),
        states_checked=states_checked,
        deep=deep,
    )


def _deep_checks(
    chain: ChainTxn, walker: _Walker, best: bytes, finalized_number: int, problems: list[str]
) -> int:
    """Walk every kept state and compare the recounted references with the stored ones."""
    states = 0
    for block_hash, root in chain.kept_states():
        states += 1
        raw = chain.header_bytes(block_hash)
        if raw is None:
            problems.append(f"a state is kept for unknown block 0x{block_hash.hex()}")
            continue
        if Header.decode(raw).state_root != root:
            problems.append(f"block 0x{block_hash.hex()}: kept root differs from its header's")
        if block_hash != best:
            walker.walk(root)
    # Every block above the finalized one on the canonical chain, and every leaf, keeps its
    # state (non-finalized states are never pruned).
    for number, block_hash in chain.canonical_entries():
        if number > finalized_number and chain.state_root(block_hash) is None:
            problems.append(f"non-finalized canonical #{number} lost its state")
    for leaf, number in chain.leaves():
        if chain.state_root(leaf) is None:
            problems.append(f"leaf #{number} 0x{leaf.hex()} lost its state")
    # Stored counts equal recounted ones; nothing stored is unreachable.
    seen = 0
    cursor = chain.txn.cursor(db=chain.t.refs)
    for node_hash, record in cursor.iternext(keys=True, values=True):
        seen += 1
        count, expanded = RefCount.unpack(record)
        want = walker.counts.get(node_hash, 0)
        if want == 0:
            problems.append(f"node 0x{node_hash.hex()} is stored but nothing references it")
        elif count != want:
            problems.append(f"node 0x{node_hash.hex()} counts {count} references, has {want}")
        if expanded != (node_hash in walker.expanded):
            problems.append(f"node 0x{node_hash.hex()} has a wrong expansion flag")
    if seen != len(walker.counts):
        problems.append(f"{len(walker.counts) - seen} referenced node(s) have no count record")
    nodes = chain.txn.stat(chain.t.nodes)["entries"]
    if nodes != seen:
        problems.append(f"{nodes} nodes stored but {seen} count records")
    return states
