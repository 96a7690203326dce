"""Runs and their steps: the durable run workflow, live streaming, replay."""
