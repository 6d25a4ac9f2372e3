"""The Deepshard wallet (`deepshard wallet`): keys, balances, transfers, curation, votes.

* `balance`: the `Balance` amount type (DSH with 12 decimals, parsed with `Decimal`);
* `polkadot_json`, `keystore`: polkadot.js v3 key files in a 0600 keystore directory;
* `presenter`: commands return a `Report`, one presenter renders it as a table or JSON;
* `session`, `flow`: shared options and the preview → confirm → unlock → spinner → receipt flow;
* `keys`, `money`, `informants`: the command groups; `cli`: the `wallet` Typer app.

The wallet imports only `deepshard.primitives`, the chain client
(`deepshard.client.rpc.client`) and the content store (`deepshard.offchain_workers.content`).
"""
