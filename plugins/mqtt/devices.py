"""`MqttDevices`: follows discovery, YAML devices, states and availability; sends commands.

This is the surface the home model glues to: listeners for added/updated/removed entities
and state changes, `room_for(entity)`, and `await command(unique_id, Command)`.
Bad input (malformed discovery, unparsable state) is logged once per topic and ignored.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from samantha.plugins.mqtt.client import Message, MqttClient, MqttRefusedError, Subscription
from samantha.plugins.mqtt.codec import (
    Command,
    StateError,
    decode_state,
    encode_command,
)
from samantha.plugins.mqtt.discovery import (
    CONFIG_MODELS,
    DiscoveredEntity,
    DiscoveryError,
    build_entity,
    parse_discovery,
)
from samantha.plugins.mqtt.payloads import MAX_STATE_BYTES, short
from samantha.plugins.mqtt.problems import ProblemLog
from samantha.plugins.mqtt.settings import GenericDevice, MqttSettings
from samantha.plugins.mqtt.templates import TemplateError, compile_template

log = logging.getLogger(__name__)

EntityListener = Callable[[DiscoveredEntity], None]
StateListener = Callable[[DiscoveredEntity, dict[str, Any]], None]


def generic_entity(device: GenericDevice) -> DiscoveredEntity:
    """A DiscoveredEntity for a device declared in YAML (no discovery)."""
    options: dict[str, Any] = {
        "name": device.name,
        "unique_id": device.resolved_unique_id,
        "platform": device.kind,
        **device.options,
    }
    for key in ("state_topic", "command_topic"):
        if getattr(device, key) is not None:
            options[key] = getattr(device, key)
    if device.kind in ("light", "switch", "fan", "binary_sensor", "scene"):
        options.setdefault("payload_on", device.payload_on)
        options.setdefault("payload_off", device.payload_off)
    if device.kind == "switch":
        options.setdefault("state_on", device.state_on)
        options.setdefault("state_off", device.state_off)
    if device.value_json_key:
        key = "state_value_template" if device.kind in ("light", "fan") else "value_template"
        options.setdefault(key, "{{ value_json[" + repr(device.value_json_key) + "] }}")
    options = {k: v for k, v in options.items() if v is not None}
    config = CONFIG_MODELS[device.kind].model_validate(options)
    return build_entity(config, f"yaml/{device.resolved_unique_id}", source="yaml")


class MqttDevices:
    def __init__(self, client: MqttClient, settings: MqttSettings) -> None:
        self.client = client
        self.settings = settings
        self.entities: dict[str, DiscoveredEntity] = {}
        self.states: dict[str, dict[str, Any]] = {}
        self.available: dict[str, bool | None] = {}
        self.on_added: list[EntityListener] = []
        self.on_updated: list[EntityListener] = []
        self.on_removed: list[EntityListener] = []
        self.on_state: list[StateListener] = []
        self.on_availability: list[EntityListener] = []
        # Set when no discovery message is being handled; handling is synchronous now, so it
        # always is (kept for the provider's settle step, which waits on it).
        self.idle = asyncio.Event()
        self.idle.set()
        self._by_key: dict[str, set[str]] = {}
        self._topic_subs: dict[str, Subscription] = {}
        self._topic_users: dict[str, set[str]] = {}
        self.problems = ProblemLog(log)
        # Entities whose state topics the broker or paho refused: they cannot report state.
        self.refused: dict[str, str] = {}
        # state_topics is computed from the config on every call; a state message (the hot
        # path of every command's echo) must not pay for that.
        self.state_topics: dict[str, frozenset[str]] = {}
        self._avail_topics: dict[str, frozenset[str]] = {}
        self._last: dict[str, Message] = {}
        self._own_prefix = f"{settings.base_topic}_"
        client.on_subscription_refused.append(self._subscription_refused)

    async def start(self) -> None:
        for device in self.settings.devices:
            try:
                entity = generic_entity(device)
            except ValueError as exc:  # pydantic's ValidationError is a ValueError
                log.error("MQTT device %r from the config is left out: %s", device.name,
                          short(str(exc), 400))
                continue
            self._add(entity)
        if self.settings.discovery:
            prefix = self.settings.discovery_prefix
            await self.client.subscribe(f"{prefix}/+/+/config", self._discovery_message)
            await self.client.subscribe(f"{prefix}/+/+/+/config", self._discovery_message)

    def room_for(self, entity: DiscoveredEntity) -> str | None:
        """The Samantha room: config mapping by unique_id, entity name, full name, device
        name or area (case-insensitive), else the suggested area itself."""
        if entity.source == "yaml":
            for device in self.settings.devices:
                if device.resolved_unique_id == entity.unique_id and device.room:
                    return device.room
        mapping = {k.casefold(): v for k, v in self.settings.rooms.items()}
        device_name = entity.device.name if entity.device else None
        for key in (
            entity.unique_id, entity.name, entity.entity_name, device_name, entity.suggested_area
        ):
            if key and key.casefold() in mapping:
                return mapping[key.casefold()]
        return entity.suggested_area

    async def command(
        self, unique_id: str, command: Command, *, wait: bool = False
    ) -> list[asyncio.Future[None]]:
        """Encode and queue a command (persistent, QoS1, in order).

        Returns the delivery futures; with wait=True also awaits the broker's PUBACKs.
        Raises KeyError for an unknown entity, CommandError if it cannot do that.
        """
        entity = self.entities[unique_id]
        messages = encode_command(entity, command, self.states.get(unique_id))
        futures = [self.client.send_command(m.topic, m.payload, retain=m.retain,
                                               repeatable=m.repeatable) for m in messages]
        if wait:
            await asyncio.gather(*futures)
        return futures

    # -- discovery ----------------------------------------------------------------------

    def _discovery_message(self, message: Message) -> None:
        # Handled synchronously, as the message is read: in arrival order (a removal cannot
        # overtake its add), and nothing piles up, so a flood costs CPU, not memory; the
        # broker holds what the house has not read yet.
        self._on_discovery(message)

    def _on_discovery(self, message: Message) -> None:
        prefix = self.settings.discovery_prefix
        try:
            result = parse_discovery(message.topic, message.payload, prefix)
        except DiscoveryError as exc:
            self._report(message.topic, "discovery", f"ignored discovery message: {exc.reason}")
            return
        key = result.topic.key
        fresh = {e.unique_id: e for e in result.entities if not self._is_own(e)}
        for gone in self._by_key.get(key, set()) - fresh.keys():
            self._remove(gone)
        room = self.settings.max_entities - len(self.entities)
        new = [uid for uid in fresh if uid not in self.entities]
        if len(new) > room:
            # A flood of distinct valid configs must not grow the house without end.
            self._report(message.topic, "limit", f"ignored discovery message: more than "
                         f"{self.settings.max_entities} entities (mqtt.max_entities)")
            for uid in new:
                fresh.pop(uid)
        if fresh:
            self._by_key[key] = set(fresh)
        else:
            self._by_key.pop(key, None)  # removed: forget the key too
        for entity in fresh.values():
            for problem in entity.problems:
                self._report(message.topic, problem, f"{entity.unique_id}: {problem}")
            self._add(entity)

    def _is_own(self, entity: DiscoveredEntity) -> bool:
        # Our own room entities come back to us through the same discovery prefix.
        return entity.unique_id.startswith(self._own_prefix) and entity.source == "discovery"

    def _add(self, entity: DiscoveredEntity) -> None:
        old = self.entities.get(entity.unique_id)
        if old == entity:
            return
        self.entities[entity.unique_id] = entity
        self.state_topics[entity.unique_id] = frozenset(entity.state_topics)
        self._avail_topics[entity.unique_id] = frozenset(entity.availability_topics)
        old_topics = set(old.state_topics + old.availability_topics) if old else set()
        new_topics = set(entity.state_topics + entity.availability_topics)
        for topic in old_topics - new_topics:
            self._release(topic, entity.unique_id)
        for topic in new_topics - old_topics:
            self._follow(topic, entity.unique_id)
        listeners = self.on_updated if old else self.on_added
        for listener in listeners:
            _safe(listener, entity)

    def _remove(self, unique_id: str) -> None:
        entity = self.entities.pop(unique_id, None)
        self.state_topics.pop(unique_id, None)
        self._avail_topics.pop(unique_id, None)
        self.states.pop(unique_id, None)
        self.available.pop(unique_id, None)
        self.refused.pop(unique_id, None)
        if entity is None:
            return
        for topic in set(entity.state_topics + entity.availability_topics):
            self._release(topic, unique_id)
        for listener in self.on_removed:
            _safe(listener, entity)

    def _follow(self, topic: str, unique_id: str) -> None:
        # Registered before subscribing: the retained state may arrive before the SUBACK.
        users = self._topic_users.setdefault(topic, set())
        users.add(unique_id)
        if topic in self._topic_subs:
            if topic in self._last:
                # The broker sent the retained state only to the first entity on this topic
                # (e.g. a Zigbee2MQTT light and its sensors share one topic): replay it.
                self._on_state_message(self._last[topic], only=unique_id)
            return
        try:
            sub = self.client.subscribe_nowait(topic, self._on_state_message)
        except MqttRefusedError as exc:
            # Discovery validated the topic already; this is the last line of defence (e.g.
            # a device declared in the config): this device goes without state, alone.
            users.discard(unique_id)
            if not users:
                self._topic_users.pop(topic, None)
            self._refuse(unique_id, topic, str(exc))
            return
        self._topic_subs[topic] = sub

    def _release(self, topic: str, unique_id: str) -> None:
        users = self._topic_users.get(topic, set())
        users.discard(unique_id)
        if not users:
            self._topic_users.pop(topic, None)
            self._last.pop(topic, None)
            sub = self._topic_subs.pop(topic, None)
            if sub is not None:
                sub.cancel_nowait()

    # -- states ---------------------------------------------------------------------------

    def _subscription_refused(self, topic: str, reason: str) -> None:
        for unique_id in sorted(self._topic_users.get(topic, ())):
            self._refuse(unique_id, topic, f"the broker refused the subscription to "
                         f"{short(topic)}: {reason}")

    def _refuse(self, unique_id: str, topic: str, reason: str) -> None:
        entity = self.entities.get(unique_id)
        name = entity.name if entity else unique_id
        self.refused[unique_id] = reason
        self._report(topic, f"refused {unique_id}", f"device {name!r} ({unique_id}): {reason}")

    def health(self) -> dict[str, Any]:
        """Devices that cannot be reached or followed, and the bad input seen so far."""
        return {
            "entities": len(self.entities),
            "max_entities": self.settings.max_entities,
            "unavailable": sorted(uid for uid, ok in self.available.items() if ok is False),
            "refused": dict(self.refused),
            **self.problems.summary(),
        }

    def _on_state_message(self, message: Message, only: str | None = None) -> None:
        if len(message.payload) > MAX_STATE_BYTES:
            # Neither kept (as the topic's last message) nor decoded.
            self._report(message.topic, "size", f"ignored state message of "
                         f"{len(message.payload)} bytes (limit {MAX_STATE_BYTES})")
            return
        if only is None:
            self._last[message.topic] = message
        users = [only] if only else list(self._topic_users.get(message.topic, ()))
        for unique_id in users:
            entity = self.entities.get(unique_id)
            if entity is None:
                continue
            if message.topic in self._avail_topics[unique_id]:
                self._availability(entity, message)
            if message.topic not in self.state_topics[unique_id]:
                continue
            try:
                update = decode_state(entity, message.topic, message.payload)
            except StateError as exc:
                self._report(message.topic, unique_id, f"ignored state for {unique_id}: {exc}")
                continue
            if not update:
                continue
            state = self.states.setdefault(unique_id, {})
            state.update(update)
            for listener in self.on_state:
                _safe(listener, entity, dict(state))

    def _availability(self, entity: DiscoveredEntity, message: Message) -> None:
        for item in entity.availability:
            if item.topic != message.topic:
                continue
            text = message.text
            if item.value_template:
                try:
                    text = str(compile_template(item.value_template).render_value(text))
                except TemplateError as exc:
                    self._report(message.topic, "availability", str(exc))
                    return
            if text == item.payload_available:
                self.available[entity.unique_id] = True
            elif text == item.payload_not_available:
                self.available[entity.unique_id] = False
            else:
                continue
            for listener in self.on_availability:
                _safe(listener, entity)

    def _report(self, topic: str, kind: str, text: str) -> None:
        # Once per (topic, kind): a device that keeps sending garbage must not flood the log.
        self.problems.report(topic, kind, text)


def _safe(listener: Callable[..., None], *args: Any) -> None:
    try:
        listener(*args)
    except Exception:
        log.exception("MQTT device listener %r failed", listener)
