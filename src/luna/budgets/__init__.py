"""Spend controls: budgets that stop a run before it crosses them, and the workspace's
kill switch that stops every run at once."""
