"""The HTTP side of Bilin: app factory, conventions, auth and routes."""
