"""Usage: what workspaces' runs used (metering, the usage report) and what outlives the
runs (rollups written by data retention, which asks ``runs/`` to delete finished runs)."""
