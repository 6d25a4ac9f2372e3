"""Chain specifications: presets as data, genesis building and raw-spec inspection."""
