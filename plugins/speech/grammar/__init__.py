"""Recognition grammars: a home's sentence templates compiled into a word graph.

`compiler` turns templates and the home's names into a graph, `graph` holds and searches it,
`spoken` says how text is spoken, `keeper` keeps the current grammar and decides what a
transcript becomes for the intent layer.
"""

from samantha.plugins.speech.grammar.graph import WordGraph
from samantha.plugins.speech.grammar.keeper import (
    Grammar,
    GrammarKeeper,
    HouseText,
    RoomGrammar,
    home_grammar,
    sentence_grammar,
    text_for_house,
)
from samantha.plugins.speech.grammar.spoken import english_number, normalize, spoken_numbers

__all__ = ["Grammar", "GrammarKeeper", "HouseText", "RoomGrammar", "WordGraph", "english_number",
           "home_grammar", "normalize", "sentence_grammar", "spoken_numbers", "text_for_house"]
