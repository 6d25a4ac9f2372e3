"""The inference node: a licensed model version, unlocked from the chain, served over HTTP.

`licence` (no torch) checks that a licence for the node's account is recorded on chain, fetches
the version's ciphertext by CID, verifies it, opens and combines the keepers' delivered shares,
decrypts the bundle and checks it against the version the chain records. `engine` (torch) merges
the public base model with the licensed adapters and samples text; `api` serves it in the OpenAI
format (FastAPI); `chat` is the plain chat template. ``deepshard infer`` is the command.
Importing this package, `errors`, `chat`, `licence` or `cli` never imports torch.
"""
