"""Statement units of quotes, their similarity and grouping into statements (pure, no session)."""
