"""Use cases: each runs in the transaction it is given, loads state through the store, asks
the domain what to do, writes the result and its event."""
