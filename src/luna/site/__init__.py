"""The public site: landing page, pricing, legal pages and changelog, as complete HTML."""
