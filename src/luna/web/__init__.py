"""The web app: marketing pages and the built single-page app, served by the API."""
