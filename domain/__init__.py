"""The rules of Bilin: pure Python, no I/O, no framework or driver imports."""
