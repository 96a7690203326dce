"""Chains: directed acyclic graphs of a workspace's agents, run as one durable whole."""
