"""The error hierarchy: one root, every error a `ValueError`, every error exported and tested."""

from __future__ import annotations

import re
from pathlib import Path

from deepshard.primitives import crypto
from deepshard.primitives.crypto import errors

ERRORS = [getattr(errors, name) for name in errors.__all__]
ABSTRACT = {"CryptoError", "Ss58Error"}


def test_one_root_and_value_errors() -> None:
    for error in ERRORS:
        assert issubclass(error, crypto.CryptoError)
        assert issubclass(error, ValueError)
        assert error.__doc__, error.__name__


def test_every_error_is_exported_by_the_package() -> None:
    for name in errors.__all__:
        assert getattr(crypto, name) is getattr(errors, name)
        assert name in crypto.__all__


def test_every_concrete_error_has_a_raising_test() -> None:
    sources = "\n".join(p.read_text(encoding="utf-8") for p in Path(__file__).parent.glob("*.py"))
    raised = set(re.findall(r"pytest\.raises\((\w+)", sources))
    missing = {e.__name__ for e in ERRORS} - ABSTRACT - raised
    assert not missing, f"errors without a pytest.raises test: {sorted(missing)}"
