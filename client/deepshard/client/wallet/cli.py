"""`deepshard wallet`: keys, balances, transfers and the Informants' roles, over RPC only.

Each command group lives in its own module (`keys`, `money`, `informants`, `training`,
`licences`...) and adds its
commands here; the wallet reaches a node only through `deepshard.client.rpc.client`.
"""

from __future__ import annotations

import typer

from deepshard.client.wallet import (
    informants,
    keys,
    licences,
    money,
    multisig,
    proxy,
    training,
)

__all__ = ["app"]

app = typer.Typer(
    help=(
        "Keys, balances, transfers, curation and votes: a wallet for Deepshard token holders.\n\n"
        "Every state-changing command previews (with the fee), asks to confirm (`--yes` skips, "
        "`--no` declines), unlocks the key, waits for finality under a spinner and prints a "
        "receipt; `--json` gives scripts one JSON document. Exit codes: 0 ok, 2 usage, "
        "3 declined, 4 key or password, 5 node, 6 the transaction failed on chain, 7 bad input, "
        "8 insufficient balance."
    ),
    no_args_is_help=True,
    rich_markup_mode="markdown",
)
keys.register(app)
money.register(app)
informants.register(app)
proxy.register(app)
multisig.register(app)
training.register(app)
licences.register(app)
