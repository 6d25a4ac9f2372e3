"""`deepshard.runtime.support`: the FRAME analogue pallets are declared with.

* `pallet` -- the `Pallet` base class, `GenesisConfig`, hooks;
* `config` -- `PalletConfig` and exported `constant`s;
* `storage` -- `StorageValue`, `StorageMap`, `StorageDoubleMap`, `StorageNMap`, `storage`;
* `call` -- the `call` decorator;
* `errors` -- `DispatchError`, `PalletError`, `ensure`;
* `origin` -- `Origin`, `Signed`, `ROOT`, `NONE`, `ensure_signed` ...;
* `overlay` -- the transactional storage `Overlay`;
* `context` -- the per-block execution `Context`;
* `runtime` -- `Runtime` composition, outer call and event enums, dispatch;
* `testing` -- `TestExternalities`, `assert_noop`, `assert_last_event`.
"""

from deepshard.runtime.support.call import CallInfo, call
from deepshard.runtime.support.config import PalletConfig, constant
from deepshard.runtime.support.context import Context, DepositedEvent, Phase
from deepshard.runtime.support.errors import (
    ArithmeticError,
    ArithmeticErrorKind,
    BadOrigin,
    CannotLookup,
    ConsumerRemaining,
    DispatchError,
    NoProviders,
    Other,
    PalletError,
    TokenError,
    TokenErrorKind,
    TooManyConsumers,
    ensure,
)
from deepshard.runtime.support.origin import (
    NONE,
    ROOT,
    NoneOrigin,
    Origin,
    Root,
    Signed,
    ensure_none,
    ensure_root,
    ensure_signed,
)
from deepshard.runtime.support.overlay import MemoryBackend, Overlay, StateBackend
from deepshard.runtime.support.pallet import GenesisConfig, NoGenesis, Pallet
from deepshard.runtime.support.runtime import (
    DispatchMeta,
    OuterCall,
    OuterOrigin,
    PalletEntry,
    Runtime,
)
from deepshard.runtime.support.storage import (
    OptionQuery,
    RuntimeType,
    StorageDoubleMap,
    StorageMap,
    StorageNMap,
    StorageValue,
    ValueQuery,
    storage,
)

__all__ = [
    "Pallet",
    "GenesisConfig",
    "NoGenesis",
    "PalletConfig",
    "constant",
    "call",
    "CallInfo",
    "storage",
    "StorageValue",
    "StorageMap",
    "StorageDoubleMap",
    "StorageNMap",
    "ValueQuery",
    "OptionQuery",
    "DispatchError",
    "PalletError",
    "Other",
    "CannotLookup",
    "BadOrigin",
    "ConsumerRemaining",
    "NoProviders",
    "TooManyConsumers",
    "TokenError",
    "TokenErrorKind",
    "ArithmeticError",
    "ArithmeticErrorKind",
    "ensure",
    "Origin",
    "Signed",
    "Root",
    "NoneOrigin",
    "ROOT",
    "NONE",
    "ensure_signed",
    "ensure_root",
    "ensure_none",
    "Overlay",
    "StateBackend",
    "MemoryBackend",
    "Context",
    "Phase",
    "DepositedEvent",
    "Runtime",
    "PalletEntry",
    "DispatchMeta",
    "OuterCall",
    "OuterOrigin",
    "RuntimeType",
]
