"""Grandpa: the finality authority set, and equivocation evidence (pallet index 3).

Overview
--------
The node's finality gadget (GRANDPA-style: prevote and precommit rounds, a block is final
when more than 2/3 of the authority weight precommits to it or a descendant) reads the voter
set from here: ``Grandpa.Authorities`` (ed25519 keys with weights) and ``Grandpa.CurrentSetId``,
both set at genesis from the chain spec (``grandpa.authorities``). The runtime API
``GrandpaApi_grandpa_authorities`` returns the set.

Equivocations (one authority signing two different votes of the same stage in one round) are
detected by the gadget, which hands the proofs to the next block author as inherent data
(identifier ``grandpae``). The author includes them in the mandatory inherent
``report_equivocations``; every importer re-checks each proof (`logic.check_equivocation_proof`)
-- an invalid or repeated proof makes the block invalid -- and the offence is recorded in
``Grandpa.Offences`` (with an ``EquivocationReported`` event) as evidence for later slashing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from deepshard.pallets.grandpa.logic import (
    AuthorityId,
    EquivocationProof,
    InvalidProof,
    check_equivocation_proof,
)
from deepshard.primitives.codec import H256, Enum, Struct, Vec, encode
from deepshard.primitives.hashing import StorageHasher, blake2_256
from deepshard.primitives.numeric import U32, U64
from deepshard.primitives.weights import DispatchClass, Weight
from deepshard.runtime.support import (
    GenesisConfig,
    OptionQuery,
    Origin,
    Pallet,
    PalletConfig,
    PalletError,
    StorageMap,
    StorageValue,
    ValueQuery,
    call,
    ensure_none,
    storage,
)
from deepshard.runtime.support.inherents import InherentData

__all__ = [
    "INHERENT_IDENTIFIER",
    "MAX_REPORTS_PER_BLOCK",
    "Config",
    "Event",
    "EquivocationReported",
    "Error",
    "InvalidEquivocationProof",
    "DuplicateOffenceReport",
    "TooManyReports",
    "Offence",
    "GrandpaGenesis",
    "Grandpa",
]

INHERENT_IDENTIFIER: Final = b"grandpae"
"""Inherent data identifier of the equivocation proofs a block author includes."""

MAX_REPORTS_PER_BLOCK: Final = 16
"""Most equivocation proofs one block may carry."""


class Config(PalletConfig):
    """Configuration of the Grandpa pallet."""

    max_authorities: int = 100
    """Most authorities the set may hold."""


class Event(Enum, type_path=("pallet_grandpa", "pallet", "Event")):
    """The `Event` enum of this pallet."""


class EquivocationReported(Event, index=0):
    """An authority signed two different votes in one round: the evidence is on chain."""

    offender: AuthorityId
    """The equivocating authority."""
    set_id: U64
    """Its authority set."""
    round: U64
    """The round."""


class Error(PalletError):
    """Error for the Grandpa pallet."""


class InvalidEquivocationProof(Error, index=0):
    """An equivocation proof given is invalid."""


class DuplicateOffenceReport(Error, index=1):
    """A given equivocation report is valid but already previously reported."""


class TooManyReports(Error, index=2):
    """More equivocation proofs than one block may carry."""


class Offence(Struct, type_path=("pallet_grandpa", "Offence")):
    """A recorded equivocation."""

    offender: AuthorityId
    """Who equivocated."""
    set_id: U64
    """In which set."""
    round: U64
    """In which round."""
    stage: U32
    """In which stage (0 prevote, 1 precommit)."""
    reported_at: U32
    """The block that recorded it."""


@dataclass(frozen=True, slots=True)
class GrandpaGenesis(GenesisConfig):
    """Genesis of the Grandpa pallet: the initial authorities and their weights."""

    authorities: tuple[tuple[AuthorityId, U64], ...] = ()
    """``(ed25519 key, weight)`` of each authority."""

    def build(self, pallet: Grandpa) -> None:
        """Validate the set, then store it as set 0.

        Raises:
            ValueError: a repeated key, a zero weight, or more than ``max_authorities``.
        """
        keys = [bytes(key) for key, _ in self.authorities]
        if len(set(keys)) != len(keys):
            raise ValueError("Grandpa genesis: an authority is listed twice")
        if any(int(weight) == 0 for _, weight in self.authorities):
            raise ValueError("Grandpa genesis: an authority has zero weight")
        if len(keys) > pallet.config.max_authorities:
            raise ValueError("Grandpa genesis: too many authorities")
        pallet.authorities.put(
            tuple((AuthorityId(key), U64(weight)) for key, weight in self.authorities)
        )
        pallet.current_set_id.put(U64(0))


def _report_weight(weights: Any, proofs: Any) -> Weight:
    del weights
    # A signature check per vote dominates: about 50 µs each on the reference machine.
    return Weight.from_parts(100_000_000 * len(proofs) + 10_000_000, 0)


class Grandpa(
    Pallet[Config],
    name="Grandpa",
    config=Config,
    event=Event,
    error=Error,
    genesis=GrandpaGenesis,
):
    """The Grandpa pallet (see the module docstring)."""

    INHERENT_IDENTIFIER: Final = INHERENT_IDENTIFIER
    """The identifier of the pallet's inherent data (`ProvideInherent`)."""
    INHERENT_CALL: Final = "report_equivocations"
    """The pallet's inherent call (`ProvideInherent`)."""

    authorities: StorageValue[Vec[tuple[AuthorityId, U64]], ValueQuery] = storage(
        default=(), doc="The current authority set: ed25519 keys and their weights."
    )
    current_set_id: StorageValue[U64, ValueQuery] = storage(
        default=U64(0),
        doc="The number of changes in the set of Grandpa authorities since genesis.",
    )
    offences: StorageMap[H256, Offence, OptionQuery] = storage(
        hasher=StorageHasher.IDENTITY,
        doc="Recorded equivocations, by the hash of (set id, round, stage, offender).",
    )

    @call(index=0, weight=_report_weight, dispatch_class=DispatchClass.Mandatory)
    def report_equivocations(self, origin: Origin, proofs: Vec[EquivocationProof]) -> None:
        """Record equivocation proofs gathered by the block author (an inherent).

        Each proof must be valid for the current set and not reported before; otherwise the
        block is invalid.
        """
        # Fails with BadOrigin, TooManyReports, InvalidEquivocationProof or
        # DuplicateOffenceReport; a mandatory inherent that fails invalidates the block.
        ensure_none(origin)
        if len(proofs) > MAX_REPORTS_PER_BLOCK:
            raise TooManyReports
        keys = tuple(bytes(key) for key, _ in self.authorities.get())
        set_id = int(self.current_set_id.get())
        number = int(self.ctx.block_number)
        for proof in proofs:
            try:
                check_equivocation_proof(proof, keys, set_id)
            except InvalidProof as error:
                raise InvalidEquivocationProof(str(error)) from error
            key = offence_key(proof)
            if self.offences.contains_key(key):
                raise DuplicateOffenceReport
            self.offences.insert(
                key,
                Offence(
                    offender=proof.offender,
                    set_id=proof.set_id,
                    round=proof.round,
                    stage=U32(int(proof.stage)),
                    reported_at=U32(number),
                ),
            )
            self.deposit_event(
                EquivocationReported(
                    offender=proof.offender, set_id=proof.set_id, round=proof.round
                )
            )

    # --- inherent (FRAME's ProvideInherent) ------------------------------------------------------

    def create_inherent(self, data: InherentData) -> dict[str, Any] | None:
        """Return the arguments of ``report_equivocations`` if the author has proofs."""
        proofs = data.get_data(INHERENT_IDENTIFIER, Vec[EquivocationProof])
        if not proofs:
            return None
        fresh = tuple(p for p in proofs if not self.offences.contains_key(offence_key(p)))
        return {"proofs": fresh[:MAX_REPORTS_PER_BLOCK]} if fresh else None

    def check_inherent(self, arguments: Mapping[str, Any], data: InherentData) -> None:
        """Nothing to compare with the importer's data: the call checks every proof itself."""
        del arguments, data

    def is_inherent(self, call_name: str) -> bool:
        """Whether the call `call_name` of this pallet is its inherent."""
        return call_name == self.INHERENT_CALL

    # --- helpers ---------------------------------------------------------------------------------

    def weighted_authorities(self) -> tuple[tuple[AuthorityId, U64], ...]:
        """The authority set with weights."""
        return tuple(self.authorities.get())


def offence_key(proof: EquivocationProof) -> H256:
    """The storage key of a proof's offence: one report per (set, round, stage, offender)."""
    return H256(
        blake2_256(
            encode(proof.set_id) + encode(proof.round) + encode(proof.stage) + bytes(proof.offender)
        )
    )
