"""The Deepshard client: node service, database, networking, RPC, wallet and explorer."""
