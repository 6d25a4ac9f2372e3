"""Byte-level text codec of the bootstrapped base model (no tokenizer files needed).

Token ids ``0..255`` are the UTF-8 bytes; ``256`` is end-of-text (also used as padding and
beginning-of-sequence). A model directory declares it with ``"deepshard_tokenizer": "bytes"`` in
its ``config.json``; any other directory is read with its own Hugging Face tokenizer.
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["BYTE_VOCAB", "EOT", "TextCodec", "ByteCodec"]

EOT = 256
"""End-of-text token of the byte codec."""
BYTE_VOCAB = 257
"""Vocabulary size of the byte codec."""


class TextCodec(Protocol):
    """Turns text into token ids and back."""

    eot: int
    """The end-of-text id (separates documents, pads)."""

    def encode(self, text: str) -> list[int]:
        """Return the token ids of `text` (no special tokens)."""
        ...

    def decode(self, ids: list[int]) -> str:
        """Return the text of `ids` (special tokens dropped, bad UTF-8 replaced)."""
        ...


class ByteCodec:
    """UTF-8 bytes as tokens (module docs)."""

    eot = EOT

    def encode(self, text: str) -> list[int]:
        """Return the UTF-8 bytes of `text` as ids."""
        return list(text.encode())

    def decode(self, ids: list[int]) -> str:
        """Return the text of the byte ids (``EOT`` dropped)."""
        return bytes(i for i in ids if 0 <= i < EOT).decode(errors="replace")
