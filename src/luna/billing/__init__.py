"""Plans, entitlements, usage, subscriptions from Stripe and LemonSqueezy, invoices, dunning."""
