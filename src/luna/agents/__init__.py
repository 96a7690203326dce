"""Agents: definitions and their versions, the built-in catalog, scaffolding."""
