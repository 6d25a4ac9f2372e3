"""The development accounts, in both schemes, against published addresses."""

from __future__ import annotations

import pytest

from deepshard.primitives.crypto import (
    DEV_ACCOUNT_NAMES,
    Keypair,
    KeyType,
    UnknownDevAccount,
    dev_keypair,
    dev_keypairs,
)

# sr25519 //Name and //Name//stash as subkey prints them; ed25519 //Name are the GRANDPA keys of
# Substrate dev chains. Alice/Bob/Charlie ed25519 appear in several published chain specs; all
# entries were re-checked against @polkadot/keyring 13.5.9 (vectors_polkadot_js.json).
PUBLISHED = {
    "Alice": (
        "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY",
        "5GNJqTPyNqANBkUVMN1LPPrxXnFouWXoe2wNSmmEoLctxiZY",
        "5FA9nQDVg267DEd8m1ZypXLBnvN7SFxYwV7ndqSYGiN9TTpu",
    ),
    "Bob": (
        "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty",
        "5HpG9w8EBLe5XCrbczpwq5TSXvedjrBGCwqxK1iQ7qUsSWFc",
        "5GoNkf6WdbxCFnPdAnYYQyCjAKPJgLNxXwPjwTh6DGg6gN3E",
    ),
    "Charlie": (
        "5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y",
        "5Ck5SLSHYac6WFt5UZRSsdJjwmpSZq85fd5TRNAdZQVzEAPT",
        "5DbKjhNLpqX3zqZdNBc9BGb4fHU1cRBaDhJUskrvkwfraDi6",
    ),
    "Dave": (
        "5DAAnrj7VHTznn2AWBemMuyBwZWs6FNFjdyVXUeYum3PTXFy",
        "5HKPmK9GYtE1PSLsS1qiYU9xQ9Si1NcEhdeCq9sw5bqu4ns8",
        "5ECTwv6cZ5nJQPk6tWfaTrEk8YH2L7X1VT4EL5Tx2ikfFwb7",
    ),
    "Eve": (
        "5HGjWAeFDfFCWPsjFQdVV2Msvz2XtMktvgocEZcCj68kUMaw",
        "5FCfAonRZgTFrTd9HREEyeJjDpT397KMzizE6T3DvebLFE7n",
        "5Ck2miBfCe1JQ4cY3NDsXyBaD6EcsgiVmEFTWwqNSs25XDEq",
    ),
    "Ferdie": (
        "5CiPPseXPECbkjWCa6MnjNokrgYjMqmKndv2rSnekmSK2DjL",
        "5CRmqmsiNFExV6VbdmPJViVxrWmkaXXvBrSX8oqBT8R9vmWk",
        "5E2BmpVFzYGd386XRCZ76cDePMB3sfbZp5ZKGUsrG1m6gomN",
    ),
}


@pytest.mark.parametrize("name", DEV_ACCOUNT_NAMES)
def test_published_addresses(name: str) -> None:
    sr, sr_stash, ed = PUBLISHED[name]
    assert dev_keypair(name).ss58_address() == sr
    assert dev_keypair(name, stash=True).ss58_address() == sr_stash
    assert dev_keypair(f"{name}//stash").ss58_address() == sr_stash
    assert dev_keypair(name.lower(), KeyType.ED25519).ss58_address() == ed


def test_same_as_the_uri_and_cached() -> None:
    assert dev_keypair("Alice") == Keypair.from_uri("//Alice")
    assert dev_keypair("Alice") is dev_keypair("ALICE")
    assert dev_keypair("Eve", KeyType.ED25519, stash=True) == Keypair.from_uri(
        "//Eve//stash", KeyType.ED25519
    )
    assert [k.ss58_address() for k in dev_keypairs()] == [v[0] for v in PUBLISHED.values()]
    assert len(dev_keypairs(KeyType.ED25519, stash=True)) == 6


def test_unknown_dev_account() -> None:
    with pytest.raises(UnknownDevAccount, match="'Mallory' is not a development account"):
        dev_keypair("Mallory")
