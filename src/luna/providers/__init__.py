"""Model providers, their encrypted credentials, and the Pydantic AI models built from them."""
