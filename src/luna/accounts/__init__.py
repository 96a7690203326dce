"""Closing an account: what it takes from every team and domain the user is part of."""
