"""Shopping and to-do lists: add, complete and remove items on a `todo` device.

The shopping-list intents use the list called "shopping list" (or with "shopping" in a name or
alias), else the only list of the house. Virtual lists keep their items in SQLite (see
`samantha.plugins.todo_store`); Home Assistant's `todo` entities are lists too.
"""

from __future__ import annotations

from collections.abc import Callable

from samantha import hookimpl, replies
from samantha.home import Device
from samantha.house import House
from samantha.intent_handling import IntentHandler, IntentRequest, Outcome, TargetError, called
from samantha.kinds import Kind

from .common import act, commands_for, of_kind


def _item(request: IntentRequest) -> str:
    return " ".join(str(request.words("item") or "").split())


def shopping_list(request: IntentRequest, doing: str) -> Device:
    everywhere = [d for d in request.house.home.devices.values() if d.kind is Kind.TODO]
    if not everywhere:
        raise TargetError(replies.sentence(f"I can't {doing}: no list is set up"))
    shopping = [d for d in everywhere
                if any("shopping" in n.casefold() for n in d.names())]
    if shopping:
        return shopping[0]
    if len(everywhere) == 1:
        return everywhere[0]
    names = replies.join([called(d) for d in everywhere], "or")
    raise TargetError(replies.sentence(
        f"I can't {doing}: there is no shopping list. Did you mean {names}?"))


def named_list(request: IntentRequest, doing: str) -> Device:
    return of_kind(request, Kind.TODO, doing)[0]


def _has(device: Device, item: str, *, open_only: bool) -> bool:
    for entry in device.state.get("items", []):
        if not isinstance(entry, dict):
            continue
        if str(entry.get("summary", "")).casefold() == item.casefold() and (
                not open_only or entry.get("status") != "completed"):
            return True
    return False


async def _add(request: IntentRequest, device: Device, item: str) -> Outcome:
    return await act(request, commands_for([device], "add_item", item=item),
                     f"Okay, I've added {item} to {called(device)}")


async def _complete(request: IntentRequest, device: Device, item: str,
                    action: str = "complete_item") -> Outcome:
    if not _has(device, item, open_only=action == "complete_item"):
        return request.outcome(replies.sentence(
            f"{item} isn't on {called(device)}"))
    done = "checked off" if action == "complete_item" else "removed"
    where = "on" if action == "complete_item" else "from"
    return await act(request, commands_for([device], action, item=item),
                     f"Okay, I've {done} {item} {where} {called(device)}")


def _item_handler(find: Callable[[IntentRequest, str], Device], doing: str,
                  action: str) -> IntentHandler:
    """A handler that does `action` with the spoken item on the list `find` picks."""
    async def handle(request: IntentRequest) -> Outcome:
        item = _item(request)
        if not item:
            return request.outcome("Which item?")
        device = find(request, doing.format(item=item))
        if action == "add_item":
            return await _add(request, device, item)
        return await _complete(request, device, item, action)
    return handle


HANDLERS: dict[str, IntentHandler] = {
    "HassShoppingListAddItem": _item_handler(
        shopping_list, "add {item} to the shopping list", "add_item"),
    "HassShoppingListCompleteItem": _item_handler(
        shopping_list, "check off {item} on the shopping list", "complete_item"),
    "HassListAddItem": _item_handler(named_list, "add {item} to a list", "add_item"),
    "HassListCompleteItem": _item_handler(named_list, "check off {item}", "complete_item"),
    "HassListRemoveItem": _item_handler(named_list, "remove {item}", "remove_item"),
}


@hookimpl
def samantha_intent_handlers(house: House) -> dict[str, IntentHandler]:
    return dict(HANDLERS)
