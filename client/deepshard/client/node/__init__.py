"""The Deepshard node: database, transaction pool, consensus, RPC and the service joining them."""
