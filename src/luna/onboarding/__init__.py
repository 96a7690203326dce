"""The guided first steps of a workspace: pick an agent, connect a model, run it."""
