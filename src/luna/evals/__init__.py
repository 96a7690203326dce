"""Evaluation suites of an agent, their runs against versions and drafts, and the gate
they put on promoting a version to an environment."""
