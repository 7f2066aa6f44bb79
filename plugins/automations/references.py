"""The rooms, devices and people automations name, for the house's reference check
(samantha.references): a typo is an error with file:line when the config is loaded, not a step
that fails the first time it runs."""

from __future__ import annotations

from samantha.plugins.automations.compiler import SECTION, _walk
from samantha.plugins.automations.models import Automations
from samantha.plugins.automations.spec import Spec
from samantha.references import References

# Step fields that name something declared elsewhere in the config.
FIELDS = {"room": "room", "device": "device", "person": "person"}


def automation_references(section: Automations | None) -> References:
    found = References()
    for index, automation in enumerate(section.root if section else []):
        for parent, name, i, path in _walk(automation, (SECTION, index)):
            item = getattr(parent, name) if i is None else getattr(parent, name)[i]
            if not isinstance(item, Spec):
                continue
            for field, kind in FIELDS.items():
                if field in type(item).model_fields:
                    accept = ["all"] if kind == "room" else []
                    found.refer_all(kind, getattr(item, field), (*path, field), accept=accept,
                                    template=True)
    return found
