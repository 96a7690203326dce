"""Logging, request context, tracing propagation and, later, metrics and alerts."""
