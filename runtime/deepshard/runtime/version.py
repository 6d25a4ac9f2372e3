"""The Deepshard runtime's version (``Core_version``, ``state_getRuntimeVersion``).

It lives apart from the runtime composition because the System pallet's configuration exports
it as the ``System.Version`` constant, as FRAME's ``type Version = Version`` does, and
`deepshard.runtime.configs` is imported by the composition.
"""

from __future__ import annotations

from typing import Final

from deepshard.primitives.numeric import U8, U32
from deepshard.primitives.version import RuntimeVersion, api_id

__all__ = ["VERSION"]

VERSION: Final = RuntimeVersion(
    spec_name="deepshard",
    impl_name="deepshard-python",
    authoring_version=U32(1),
    spec_version=U32(101),
    impl_version=U32(1),
    apis=(
        (api_id("Core"), U32(5)),
        (api_id("Metadata"), U32(2)),
        (api_id("BlockBuilder"), U32(6)),
        (api_id("TaggedTransactionQueue"), U32(3)),
        (api_id("AuraApi"), U32(1)),
        (api_id("GrandpaApi"), U32(3)),
        (api_id("AccountNonceApi"), U32(1)),
        (api_id("TransactionPaymentApi"), U32(4)),
        (api_id("LicencesApi"), U32(1)),
    ),
    transaction_version=U32(1),
    system_version=U8(1),
)
"""The runtime version: state trie V1, extrinsics root V0 (``system_version`` 1).

``spec_version`` history: 100 first release; 101 metadata V15, ``System.Version``, the FRAME
``Balances`` storage items ``Account``, ``Locks`` and ``Reserves``; the Grandpa (3),
Treasury (7), Utility (8), Multisig (9), Proxy (10), Informants (20), Training (21) and
Licences (22) pallets, with the ``LicencesApi`` runtime API."""
