"""Public, read-only, redacted share links for a finished run's replay."""
