"""The dag-pb block format (codec 0x70): a node of ordered links plus opaque data.

Encoding follows the dag-pb specification's canonical form, which Kubo and @ipld/dag-pb both
write: links (field 2) before data (field 1), link fields in the order Hash, Name, Tsize, and
links sorted by the bytes of their names.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from deepshard.offchain_workers.content import protobuf as pb

__all__ = ["PBLink", "PBNode", "encode_node", "decode_node"]


@dataclass(frozen=True, slots=True)
class PBLink:
    """One link: the binary CID of the child, an optional name and the child's cumulative size."""

    hash: bytes
    name: str | None = ""
    tsize: int | None = None

    @property
    def name_bytes(self) -> bytes:
        """The UTF-8 bytes of the name (empty when there is none)."""
        return (self.name or "").encode()


@dataclass(frozen=True, slots=True)
class PBNode:
    """A dag-pb node: links and an optional data payload (a UnixFS message, for UnixFS)."""

    links: tuple[PBLink, ...] = field(default_factory=tuple)
    data: bytes | None = None


def _encode_link(link: PBLink) -> bytes:
    out = bytearray(pb.key(1, pb.LEN))
    out += pb.encode_varint(len(link.hash)) + link.hash
    if link.name is not None:
        name = link.name_bytes
        out += pb.key(2, pb.LEN) + pb.encode_varint(len(name)) + name
    if link.tsize is not None:
        out += pb.key(3, pb.VARINT) + pb.encode_varint(link.tsize)
    return bytes(out)


def encode_node(node: PBNode, *, sort_links: bool = True) -> bytes:
    """Serialise ``node`` canonically (links sorted by name bytes unless told otherwise)."""
    links = sorted(node.links, key=lambda ln: ln.name_bytes) if sort_links else node.links
    out = bytearray()
    for link in links:
        body = _encode_link(link)
        out += pb.key(2, pb.LEN) + pb.encode_varint(len(body)) + body
    if node.data is not None:
        out += pb.key(1, pb.LEN) + pb.encode_varint(len(node.data)) + node.data
    return bytes(out)


def _decode_link(buf: bytes) -> PBLink:
    hash_: bytes | None = None
    name: str | None = None
    tsize: int | None = None
    for number, wire, value in pb.fields(buf):
        if number == 1 and wire == pb.LEN and isinstance(value, bytes):
            hash_ = value
        elif number == 2 and wire == pb.LEN and isinstance(value, bytes):
            name = value.decode("utf-8")
        elif number == 3 and wire == pb.VARINT and isinstance(value, int):
            tsize = value
        else:
            raise ValueError(f"unexpected field {number} in a dag-pb link")
    if hash_ is None:
        raise ValueError("dag-pb link without a hash")
    return PBLink(hash_, name, tsize)


def decode_node(buf: bytes) -> PBNode:
    """Parse a dag-pb block.

    Raises:
        ValueError: not a well-formed dag-pb node (unknown fields, bad UTF-8, missing hashes).
    """
    links: list[PBLink] = []
    data: bytes | None = None
    for number, wire, value in pb.fields(buf):
        if number == 2 and wire == pb.LEN and isinstance(value, bytes):
            links.append(_decode_link(value))
        elif number == 1 and wire == pb.LEN and isinstance(value, bytes):
            if data is not None:
                raise ValueError("dag-pb node with two data fields")
            data = value
        else:
            raise ValueError(f"unexpected field {number} in a dag-pb node")
    return PBNode(tuple(links), data)
