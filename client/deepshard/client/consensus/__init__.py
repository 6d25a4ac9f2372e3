"""Consensus on the client side: Aura slots and seals (authoring and verification)."""
