r"""The chat template: OpenAI messages as the plain text a base model without special tokens reads.

A byte-level base model has no special tokens and was never tuned on a chat format, so the
template is plain, readable text a reader of transcripts would recognise::

    {system and developer messages, each followed by a blank line}
    User: {content}
    Assistant: {content}
    User: {content}
    Assistant:

Each message is one ``Role: content`` line (content newlines kept); the prompt ends with
``Assistant:`` and the answer is what the model writes after it. ``\nUser:`` is always a stop
sequence, so the model's continuation of the dialogue into the next user turn is cut there.
The same template is used for a Hugging Face base model (``--base-model``), whose own chat
template, if any, is not applied.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from deepshard.offchain_workers.inference.errors import BadRequest

__all__ = ["ROLES", "CHAT_STOP", "Message", "render_chat"]

ROLES: Final = ("system", "developer", "user", "assistant")
"""The message roles the template accepts (``developer`` is OpenAI's newer ``system``)."""
CHAT_STOP: Final = "\nUser:"
"""The stop sequence every chat completion has."""
_SPEAKER: Final = {"user": "User", "assistant": "Assistant"}


@dataclass(frozen=True, slots=True)
class Message:
    """One chat message: its role and its text."""

    role: str
    """One of `ROLES`."""
    content: str
    """Its text."""


def render_chat(messages: Sequence[Message]) -> str:
    """Return the prompt of `messages` (module docs).

    Raises:
        BadRequest: no messages, an unknown role, or no user message.
    """
    # Verify there is something to answer.
    if not messages:
        raise BadRequest("messages must not be empty", "messages")
    if not any(m.role == "user" for m in messages):
        raise BadRequest("messages need at least one user message", "messages")
    parts = []
    for i, m in enumerate(messages):
        if m.role not in ROLES:
            raise BadRequest(f"role {m.role!r} is not one of {', '.join(ROLES)}", f"messages.{i}")
        if m.role in {"system", "developer"}:
            parts.append(f"{m.content}\n\n")
        else:
            parts.append(f"{_SPEAKER[m.role]}: {m.content}\n")
    parts.append("Assistant:")
    return "".join(parts)
