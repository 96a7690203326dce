"""Security: headers and CSP, body limits, rate limits, secrets at rest, maintenance mode."""
