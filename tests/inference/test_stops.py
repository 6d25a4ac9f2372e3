"""Stop sequences in a stream: what is shown never includes what the whole answer cuts.

`_first_stop` and `_held_back` (the engine's streaming rules) are checked against brute force
over random texts and stop sequences (hypothesis): replaying a text one character at a time,
the emitted prefix is always a prefix of the final answer, never contains a stop sequence, and
ends as the answer generation stops at (the text cut where the first stop sequence appears).
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

pytest.importorskip("torch")

from deepshard.offchain_workers.inference.engine import _first_stop, _held_back

ALPHABET = st.sampled_from("ab\nU:")


def _answer(text: str, stops: tuple[str, ...]) -> str:
    """Brute force: generation halts at the first character that completes any stop sequence;
    the answer is cut where the earliest stop sequence then present begins."""
    for end in range(len(text) + 1):
        cuts = [text[:end].find(s) for s in stops if s in text[:end]]
        if cuts:
            return text[: min(cuts)]
    return text


@given(
    st.text(ALPHABET, max_size=30), st.lists(st.text(ALPHABET, min_size=1, max_size=4), max_size=3)
)
def test_streaming_never_shows_what_the_answer_cuts(text: str, stop_list: list[str]) -> None:
    stops = tuple(stop_list)
    final = _answer(text, stops)
    emitted = 0
    shown = ""
    for end in range(1, len(text) + 1):
        seen = text[:end]
        cut = _first_stop(seen, stops, emitted)
        if cut is not None:
            shown += seen[emitted:cut]
            break
        safe = len(seen) - _held_back(seen, stops)
        if safe > emitted:
            shown += seen[emitted:safe]
            emitted = safe
        assert final.startswith(shown)
    else:
        shown += text[emitted:]
    assert shown == final
    assert not any(stop in shown for stop in stops)
