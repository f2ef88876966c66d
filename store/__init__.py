"""Access to PostgreSQL: the pool, transactions, and one module per aggregate with the SQL
beside the function that runs it."""
