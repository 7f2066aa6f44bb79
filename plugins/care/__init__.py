"""Care: what the house does on its own initiative (speaking first, learning habits)."""
