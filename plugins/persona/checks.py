"""`samantha doctor`: does the language model endpoint answer, and is there room for memories?"""

from __future__ import annotations

from pathlib import Path

from samantha.checks import Check, CheckResult, disk_space, fail, ok, warn

from .runtime import memory_path
from .settings import Endpoint, ModelSettings, PersonaSection, resolve_endpoint

OFFLINE = "the offline self answers what the intents do not"


def model_check(settings: ModelSettings) -> Check:
    async def run() -> CheckResult:
        endpoint = resolve_endpoint(settings)
        if endpoint is None:
            state = "switched off" if not settings.enabled else "none configured"
            return ok(f"no language model ({state}): {OFFLINE}")
        return await _ask(endpoint, settings.timeout)

    return Check("language model", run, timeout=settings.timeout + 2)


async def _ask(endpoint: Endpoint, timeout: float) -> CheckResult:
    import openai

    where = endpoint.describe()["base_url"]
    client = openai.AsyncOpenAI(base_url=endpoint.base_url, api_key=endpoint.api_key,
                                max_retries=0, timeout=timeout)
    try:
        listed = [m.id async for m in client.models.list()]
    except openai.AuthenticationError:
        return fail(f"{where} refused the API key (401)",
                    "set persona.llm.api_key (`!secret openai_api_key`) or $OPENAI_API_KEY; "
                    f"meanwhile {OFFLINE}")
    except openai.APIConnectionError as err:
        return fail(f"{where} is unreachable: {err}",
                    "start the model server (e.g. `ollama serve`) or fix persona.llm.base_url; "
                    f"meanwhile {OFFLINE}")
    except openai.APIStatusError as err:
        if err.status_code == 404:  # some servers serve chat completions but no model list
            return warn(f"{where} answers but lists no models (404)",
                        "try a sentence with `samantha chat` to see the model answer")
        return fail(f"{where} answered {err.status_code}: {err.message}",
                    "see the model server's log")
    finally:
        await client.close()
    if endpoint.model not in listed:
        offered = ", ".join(listed[:5]) + (" ..." if len(listed) > 5 else "")
        return warn(f"{where} answers but does not list the model {endpoint.model!r} "
                    f"(it lists {offered or 'none'})",
                    "set persona.llm.model to one it serves")
    return ok(f"{endpoint.model} at {where}")


def persona_checks(section: PersonaSection, config_path: Path | None) -> list[Check]:
    checks = [model_check(section.llm)]
    if section.memory.path:  # the default place is the core's data directory, checked already
        memories = memory_path(section, config_path)
        checks.append(disk_space("the persona's memories", memories.parent))
    return checks
