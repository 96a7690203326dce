"""Identity: users, passwords, sessions, API keys, MFA, SSO and bearer tokens."""
