// Whether the database holds any node at all (data, accounts, sessions or audit events): the
// offline import (explorer.seed.bulk) replaces the whole database, so it refuses unless none.
// Returns: any (boolean). Params: none.
MATCH (n)
RETURN count(n) > 0 AS any
