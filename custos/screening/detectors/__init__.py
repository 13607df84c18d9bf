"""One module per kind of thing the policy forbids; each returns Findings citing its clauses."""
