"""Wire types: what clients send and receive, as msgspec Structs."""
