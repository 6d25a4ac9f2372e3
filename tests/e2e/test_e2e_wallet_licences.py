"""`deepshard wallet licence` and `keeper` against a dev node, with the real custody crypto.

The keepers' side (a ciphertext registered, shares delivered) is played with signed extrinsics
from py-substrate-interface, unmodified, so the wallet is checked against an independent
client; storage is read back the same way. The buyer finally opens the delivered shares with
the box key its wallet key derives and decrypts the registered ciphertext.
"""

from __future__ import annotations

import hashlib
import io
import json
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from substrateinterface import Keypair as SiKeypair
from substrateinterface import SubstrateInterface
from typer.testing import CliRunner

from deepshard.client.cli import app
from deepshard.offchain_workers.keeper import custody
from deepshard.primitives.crypto import Keypair
from deepshard.primitives.crypto.box_key import licence_box_keypair
from deepshard.runtime import configs

pytestmark = pytest.mark.e2e

UNIT = 10**12
CIPHERTEXT_CID = "0x01551220" + "c1" * 32
"""A CIDv1 (raw, sha2-256) standing for the pinned ciphertext."""
PLAINTEXT = b"the adapters of version 0 " * 4_000
runner = CliRunner()


class Wallet:
    """Runs ``deepshard wallet`` commands against one node and one keystore."""

    def __init__(self, keystore: Path, node: str) -> None:
        self.keystore = keystore
        self.node = node

    def __call__(self, *args: str, password: str = "pw") -> tuple[int, Any]:
        environ = {
            "DEEPSHARD_WALLET_PATH": str(self.keystore),
            "DEEPSHARD_NODE": self.node,
            "DEEPSHARD_WALLET_PASSWORD": password,
        }
        result = runner.invoke(app, ["wallet", *args], env=environ)
        output = result.output.strip()
        try:
            return result.exit_code, json.loads(output)
        except ValueError:
            return result.exit_code, output

    def ok(self, *args: str) -> Any:
        code, out = self(*args)
        assert code == 0, out
        return out

    def import_secret(self, name: str, secret: str) -> None:
        environ = {
            "DEEPSHARD_WALLET_PATH": str(self.keystore),
            "DEEPSHARD_WALLET_PASSWORD": "pw",
            "S": secret,
        }
        result = runner.invoke(
            app, ["wallet", "import", name, "--secret-env", "S", "--json"], env=environ
        )
        assert result.exit_code == 0, result.output

    def import_dev(self, name: str) -> None:
        self.import_secret(name.lower(), f"//{name}")


@pytest.fixture(scope="module")
def ws(dev_node: Any) -> Iterator[SubstrateInterface]:
    interface = SubstrateInterface(url=dev_node.ws_url)
    yield interface
    interface.close()


@pytest.fixture(scope="module")
def wallet(dev_node: Any, tmp_path_factory: pytest.TempPathFactory) -> Wallet:
    w = Wallet(tmp_path_factory.mktemp("wallet") / "keys", dev_node.ws_url)
    for name in ("Alice", "Bob"):
        w.import_dev(name)
    return w


def ours(name: str) -> Keypair:
    """Our key pair of ``//name`` (its box key is the one the wallet derives)."""
    return Keypair.from_uri(f"//{name}")


def submit(ws: SubstrateInterface, pallet: str, name: str, params: dict[str, Any], who: str) -> Any:
    """A signed extrinsic from ``//who`` through substrate-interface; it must succeed."""
    call = ws.compose_call(pallet, name, params)
    xt = ws.create_signed_extrinsic(call=call, keypair=SiKeypair.create_from_uri(f"//{who}"))
    receipt = ws.submit_extrinsic(xt, wait_for_inclusion=True)
    assert receipt.is_success, receipt.error_message
    return receipt


def test_quote_buy_serve_and_decrypt(wallet: Wallet, ws: SubstrateInterface) -> None:
    alice = SiKeypair.create_from_uri("//Alice").ss58_address
    bob = SiKeypair.create_from_uri("//Bob").ss58_address
    charlie = SiKeypair.create_from_uri("//Charlie").ss58_address
    base = int(configs.LICENCES.base_price)

    # A quote: version 0 has no value behind it, and nothing is on sale yet.
    quote = wallet.ok("licence", "price", "0", "--json")
    assert (quote["price"], quote["on_sale"]) == (base, False)
    code, out = wallet("licence", "price", "99", "--json")
    assert (code, out["error"]) == (7, "InvalidInput")
    code, out = wallet("licence", "buy", "0", "--from", "alice", "--yes", "--json")
    assert code == 6, out
    assert out["error"] == "Licences.NoCiphertext"
    assert "No ciphertext is registered" in out["docs"]
    assert out["submitted"] is False

    # Keepers: Bob bonds through the wallet, Charlie through substrate-interface.
    bonded = wallet.ok("keeper", "bond", "1000", "--from", "bob", "--yes", "--json")
    assert "Licences.KeeperBonded" in bonded["events"]
    bob_box = licence_box_keypair(ours("Bob"))
    keeper = ws.query("Licences", "Keepers", [bob]).value
    assert keeper["bond"] == 1_000 * UNIT
    assert keeper["box_key"] == "0x" + bob_box[1].hex()
    assert wallet.ok("keeper", "status", "bob", "--json")["box_key"] == "0x" + bob_box[1].hex()
    charlie_box = licence_box_keypair(ours("Charlie"))
    submit(
        ws,
        "Licences",
        "bond_keeper",
        {"amount": 1_000 * UNIT, "box_key": "0x" + charlie_box[1].hex()},
        "Charlie",
    )

    # Bob encrypts the weights, splits the key 2 of 2 and registers them.
    key = secrets.token_bytes(custody.KEY_SIZE)
    sink = io.BytesIO()
    custody.encrypt_stream(io.BytesIO(PLAINTEXT), sink, key, chunk_size=1 << 14)
    ciphertext = sink.getvalue()
    shares = custody.split_key(key, 2, 2)
    sealed = [
        [bob, "0x" + custody.seal_share(shares[0], bob_box[1]).hex()],
        [charlie, "0x" + custody.seal_share(shares[1], charlie_box[1]).hex()],
    ]
    submit(
        ws,
        "Licences",
        "register_ciphertext",
        {
            "version": 0,
            "cid": CIPHERTEXT_CID,
            "sha256": "0x" + hashlib.sha256(ciphertext).hexdigest(),
            "threshold": 2,
            "shares": sealed,
        },
        "Bob",
    )
    quote = wallet.ok("licence", "price", "0", "--json")
    assert (quote["on_sale"], quote["threshold"], quote["keepers"]) == (True, 2, 2)

    # The slippage guard: a max price below the quote is refused by name, nothing submitted.
    nonce = ws.get_account_nonce(alice)
    code, out = wallet(
        "licence", "buy", "0", "--from", "alice", "--max-price", "999", "--yes", "--json"
    )
    assert code == 6, out
    assert out["error"] == "Licences.PriceAboveMax"
    assert "above the buyer's `max_price`" in out["docs"]
    assert out["submitted"] is False
    assert ws.get_account_nonce(alice) == nonce

    # A wrong password, an unknown key and an empty account are refused before anything is sent.
    code, out = wallet("licence", "buy", "0", "--from", "alice", "--yes", password="wrong")
    assert code == 4
    assert "wrong password" in out
    code, out = wallet("licence", "buy", "0", "--from", "nobody", "--yes")
    assert code == 4
    assert "no key 'nobody'" in out
    wallet.import_secret("poor", "0x" + "42" * 32)
    code, out = wallet("licence", "buy", "0", "--from", "poor", "--yes", "--json")
    assert (code, out["error"]) == (8, "InsufficientBalance")
    assert ws.get_account_nonce(alice) == nonce

    bought = wallet.ok("licence", "buy", "0", "--from", "alice", "--yes", "--json")
    assert "Licences.PurchaseOpened" in bought["events"]
    assert bought["price"] == base
    alice_box = licence_box_keypair(ours("Alice"))
    assert bought["box_key"] == "0x" + alice_box[1].hex()
    purchase_id = bought["purchase_id"]
    holds = ws.query("Balances", "Holds", [alice]).value
    assert [h["amount"] for h in holds] == [base]  # the escrow, held on the buyer
    (listed,) = wallet.ok("licence", "list", "alice", "--json")
    assert (listed["purchase_id"], listed["phase"], listed["licensed"]) == (
        purchase_id,
        "Open",
        False,
    )

    # Each keeper opens its own share and re-seals it to the buyer's box key.
    for who, secret in (("Bob", bob_box[0]), ("Charlie", charlie_box[0])):
        account = SiKeypair.create_from_uri(f"//{who}").ss58_address
        mine = ws.query("Licences", "KeeperShares", [0, account]).value
        share = custody.open_share(bytes.fromhex(mine[2:]), secret)
        resealed = custody.seal_share(share, alice_box[1])
        submit(
            ws,
            "Licences",
            "deliver_share",
            {"purchase_id": purchase_id, "sealed_share": "0x" + resealed.hex()},
            who,
        )
    (listed,) = wallet.ok("licence", "list", "alice", "--json")
    assert (listed["phase"], listed["licensed"], len(listed["deliveries"])) == ("Served", True, 2)
    assert ws.query("Licences", "LicencesOf", [alice, 0]).value == purchase_id
    code, out = wallet("licence", "buy", "0", "--from", "alice", "--yes", "--json")
    assert (code, out["error"]) == (6, "Licences.AlreadyLicensed")

    # The buyer opens the delivered shares with its wallet key's box key and decrypts.
    purchase = ws.query("Licences", "Purchases", [purchase_id]).value
    opened = [
        custody.open_share(bytes.fromhex(sealed_hex[2:]), alice_box[0])
        for _, sealed_hex in purchase["deliveries"]
    ]
    plain = io.BytesIO()
    custody.decrypt_stream(io.BytesIO(ciphertext), plain, custody.combine_shares(opened))
    assert plain.getvalue() == PLAINTEXT
    with pytest.raises(custody.CustodyError):
        custody.decrypt_stream(
            io.BytesIO(ciphertext), io.BytesIO(), custody.combine_shares(opened[:1])
        )
