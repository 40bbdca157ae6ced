"""SMT divergences (domain §5): the rules, their events, pair context and the trade plan."""
