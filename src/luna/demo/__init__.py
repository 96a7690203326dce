"""Demo workspaces: sample agents, weeks of usage and recorded runs, no provider needed."""
