"""Authentication: access tokens, the token endpoint, and the principal of a request."""
