"""Every signal of domain §5–§6 in one stream: the engine, indicator and derivatives rules, events."""
