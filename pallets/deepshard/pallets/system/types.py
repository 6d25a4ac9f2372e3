"""Types of the System pallet: accounts, their balances data, and runtime-upgrade records."""

from __future__ import annotations

from deepshard.primitives.codec import Compact, Struct
from deepshard.primitives.numeric import U32, U128

__all__ = ["ExtraFlags", "AccountData", "AccountInfo", "LastRuntimeUpgradeInfo"]


class ExtraFlags(Struct, type_path=("pallet_balances", "types", "ExtraFlags"), unnamed=True):
    """Flags of an account's balance data (bit 127: "new logic" of FRAME's balances)."""

    bits: U128
    """The raw flag bits."""


NEW_LOGIC_FLAGS = ExtraFlags(bits=U128(1 << 127))
"""The flags FRAME's balances pallet sets on every account it has touched (new logic)."""


class AccountData(Struct, type_path=("pallet_balances", "types", "AccountData")):
    """The balances of an account, stored inside ``System.Account`` (FRAME's ``AccountStore``)."""

    free: U128
    """Balance the account can use (transfer, reserve, pay fees)."""
    reserved: U128
    """Balance set aside by other pallets (stakes, deposits, escrows); still owned."""
    frozen: U128
    """The part of the free balance that may not drop below this amount (locks)."""
    flags: ExtraFlags = NEW_LOGIC_FLAGS
    """Extra flags."""

    @property
    def total(self) -> U128:
        """Free plus reserved balance."""
        return self.free + self.reserved

    def with_free(self, free: U128) -> AccountData:
        """This data with its free balance set to `free` (``replace(self, free=free)``)."""
        return AccountData(free, self.reserved, self.frozen, self.flags)


EMPTY_ACCOUNT_DATA = AccountData(free=U128(0), reserved=U128(0), frozen=U128(0))
"""The balance data of an account that holds nothing."""


class AccountInfo(Struct, type_path=("frame_system", "AccountInfo")):
    """Information of an account: nonce, reference counters and balance data."""

    nonce: U32
    """Number of transactions the account has sent."""
    consumers: U32
    """Number of other modules that depend on the account existing (prevent reaping)."""
    providers: U32
    """Number of modules that allow the account to exist (e.g. a balance above the minimum)."""
    sufficients: U32
    """Number of modules that allow the account to exist on their own."""
    data: AccountData
    """The account's balances."""

    # Field-setting copies: ``dataclasses.replace`` spelled out, as these run on every
    # transaction (``replace`` walks the fields by name and costs about twice as much).

    def with_nonce(self, nonce: U32) -> AccountInfo:
        """This information with `nonce`."""
        return AccountInfo(nonce, self.consumers, self.providers, self.sufficients, self.data)

    def with_consumers(self, consumers: U32) -> AccountInfo:
        """This information with `consumers`."""
        return AccountInfo(self.nonce, consumers, self.providers, self.sufficients, self.data)

    def with_providers(self, providers: U32) -> AccountInfo:
        """This information with `providers`."""
        return AccountInfo(self.nonce, self.consumers, providers, self.sufficients, self.data)

    def with_data(self, data: AccountData) -> AccountInfo:
        """This information with the balances `data`."""
        return AccountInfo(self.nonce, self.consumers, self.providers, self.sufficients, data)


EMPTY_ACCOUNT_INFO = AccountInfo(
    nonce=U32(0),
    consumers=U32(0),
    providers=U32(0),
    sufficients=U32(0),
    data=EMPTY_ACCOUNT_DATA,
)
"""The information of an account that does not exist."""


class LastRuntimeUpgradeInfo(Struct, type_path=("frame_system", "LastRuntimeUpgradeInfo")):
    """The spec version and name of the runtime that last ran, to detect upgrades."""

    spec_version: Compact[U32]
    """`RuntimeVersion.spec_version`."""
    spec_name: str
    """`RuntimeVersion.spec_name`."""
