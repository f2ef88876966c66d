"""The promises every endpoint keeps (conventions.md), each built once as a mechanism."""
