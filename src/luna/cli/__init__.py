"""The ``luna`` command."""
