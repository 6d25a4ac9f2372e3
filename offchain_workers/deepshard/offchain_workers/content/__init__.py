"""The content store: IPFS files and blocks with Kubo-identical CIDs, verified on every read."""
