"""The people plugin: the `people:` config section and the `samantha people` commands."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel

from samantha import hookimpl

from .settings import PeopleSection

if TYPE_CHECKING:
    pass


@hookimpl
def samantha_config_sections() -> dict[str, type[BaseModel]]:
    return {"people": PeopleSection}


