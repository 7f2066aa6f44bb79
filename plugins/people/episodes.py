"""Episodes found by meaning: "what did we talk about regarding the interview?" finds the
conversation about tomorrow's job interview, though it never says "interview" the same way.

Each episode's sentence vector (all-MiniLM-L6-v2, as memories: recall.py) is kept in the
memory file (table `episode_vectors`, erased with the episode); episodes condensed before, or
by a house without the model, get theirs the first time they are searched. Without the model,
episodes sharing a content word with the question are found. Only the asker's own episodes are
ever searched: a guest has none.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime

import numpy as np

from .conversations import Conversations, Episode
from .recall import Embedder, encode, from_blob, save_vectors

log = logging.getLogger(__name__)

MIN_SIMILARITY = 0.25  # on the topic alone: unrelated episodes score below 0.2
# For HOUSE DATA a looser net: the model judges relevance itself, a miss costs more than a few
# tokens ("meet the hiring manager" is 0.24 from "a job interview at the bank").
IN_PROMPT_SIMILARITY = 0.2
# How a question about a conversation is framed says nothing about its topic; left in, "what
# did we talk about" matches every summary that says someone "talked about" something.
FRAMING = re.compile(
    r"\b(what|which|when|where|did|do|does|we|i|you|us|me|talk(ed|ing)?|speak|spoke|chat(ted)?"
    r"|say|said|tell|told|discuss(ed)?|about|regarding|concerning|on|the|a|an|remember|again"
    r"|last|time|that|conversation|recently|lately)\b", re.IGNORECASE)
# The extractive summary's opening ("Anna talked in the Kitchen (Tuesday 18:02): ") is the
# same for every episode; only what follows is its topic.
OPENING = re.compile(r"^.{1,80}? talked in the .{1,80}? \(\w+ \d{1,2}:\d{2}\): ")
SHORT_WORDS = 3
NEW_VECTORS_PER_SEARCH = 32  # about 0.5 s of CPU at most


def topic_of(question: str) -> str:
    """The topic of a question about a conversation ("what did we say about my mum" -> "my
    mum"), or the question itself when nothing is left."""
    rest = " ".join(FRAMING.sub(" ", question.replace("?", " ")).split())
    return rest or question


def text_of(episode: Episode) -> str:
    return OPENING.sub("", episode.summary)


def _words(text: str) -> set[str]:
    return {w.removesuffix("s") for w in re.findall(r"[a-z']+", text.casefold())
            if len(w) > SHORT_WORDS}


class EpisodeSearch:
    def __init__(self, conversations: Conversations, embedder: Embedder | None) -> None:
        self.conversations = conversations
        self.embedder = embedder

    def search(self, question: str, person: str, limit: int = 3, topic: str | None = None,
               least: float = MIN_SIMILARITY) -> list[Episode]:
        """`person`'s episodes about the question (or `topic`, when it is known), best first;
        by meaning, an episode needs a similarity of at least `least` or a shared word."""
        if limit <= 0:
            return []
        episodes = self.conversations.episodes(person, limit=500)
        if not episodes:
            return []
        topic = topic or topic_of(question)
        similarities = self._similarities(topic, episodes)
        wanted = _words(topic)
        scored = []
        for index, episode in enumerate(episodes):
            overlap = len(wanted & _words(text_of(episode)))
            if similarities is not None:
                similarity = float(similarities[index])
                if np.isnan(similarity):
                    similarity = 0.0
                if similarity < least and not overlap:
                    continue
                score = similarity + 0.03 * overlap
            elif overlap:
                score = float(overlap)
            else:
                continue
            scored.append((score, episode.ended, episode))
        scored.sort(key=lambda s: (s[0], s[1]), reverse=True)
        return [episode for _, _, episode in scored[:limit]]

    def _encode(self, texts: list[str]) -> np.ndarray | None:
        return encode(self.embedder, texts)

    def _similarities(self, topic: str, episodes: list[Episode]) -> np.ndarray | None:
        if self.embedder is None:
            return None
        model = self.embedder.name
        store = self.conversations.store
        ids = [e.id for e in episodes]
        marks = ",".join("?" * len(ids))
        stored = {row[0]: from_blob(row[1]) for row in self.conversations.db.execute(
            f"SELECT episode_id, vector FROM episode_vectors WHERE model = ? "
            f"AND episode_id IN ({marks})", (model, *ids))}
        # The newest first, a batch at a time: a long history written before the model (or by
        # another) is caught up over a few searches, never in one long pause of the turn.
        missing = [e for e in episodes if e.id not in stored][:NEW_VECTORS_PER_SEARCH]
        if missing:
            vectors = self._encode([text_of(e) for e in missing])
            if vectors is None:
                return None
            new = {e.id: v for e, v in zip(missing, vectors, strict=True)}
            stored.update(new)
            with store.transaction() as db:
                save_vectors(db, "episode_vectors", "episode_id", model, new)
        asked = self._encode([topic])
        if asked is None:
            return None
        # Episodes still without a vector are found by their words this time.
        blank = np.full(asked.shape[1], np.nan, dtype=np.float32)
        return np.stack([stored.get(e.id, blank) for e in episodes]) @ asked[0]


def describe(episode: Episode, room_name: str, now: float) -> str:
    """One spoken line about an episode: when, where, what about, how they seemed."""
    day = datetime.fromtimestamp(episode.ended)
    ago = (datetime.fromtimestamp(now).date() - day.date()).days
    when = {0: "Earlier today", 1: "Yesterday"}.get(ago, f"On {day:%A %-d %B}")
    text = text_of(episode).rstrip(". ")
    seemed = f"; you seemed {episode.mood}" if episode.mood else ""
    # The extractive summary is the person's own words; the model's is about them.
    told = "you told me: " if episode.how == "extractive" else ""
    return f"{when} in the {room_name}, {told}{text}{seemed}."
