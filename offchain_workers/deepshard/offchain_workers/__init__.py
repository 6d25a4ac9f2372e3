"""Off-chain workers: curator, trainer, scorer and keeper processes that talk to a node over RPC."""
