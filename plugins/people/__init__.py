"""People: who lives here, who is speaking, and what the house remembers of each conversation."""
