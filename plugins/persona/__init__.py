"""The persona engine: character, mood, memory, the language model and the offline self."""
