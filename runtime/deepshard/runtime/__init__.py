"""The Deepshard runtime: the FRAME-style support library, executive and runtime composition."""
