"""Clients of the outside services the API calls (WeChat). Each speaks its service's real
protocol over HTTP and turns its failures into problems a client of ours can act on."""
