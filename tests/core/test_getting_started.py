"""docs/getting-started.md works as written: its ```sh blocks run, in order, in an empty
directory, and print what the page says they print."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]
PAGE = ROOT / "docs" / "getting-started.md"
BLOCK = re.compile(r"^```sh\n(.*?)^```", re.S | re.M)
EXPECT = re.compile(r"^# expect: exit (\d+)", re.M)
# What the page's readers are told they will see, in the order they will see it.
SHOWN = [
    "Okay, the Kitchen Ceiling Light and the Counter Lights are on.",
    "myhouse/samantha.yaml: OK (2 rooms)",
    "devices[0].room: no room called 'Kitchn'",
    "did you mean 'Kitchen'?",
    "Okay, the Ceiling Light is on.",
    "understood HassTurnOn; 1 device command(s) sent",
    "myhouse/samantha.yaml: OK (1 automations)",
    "Enjoy the film.",
    "samantha_local_my_plugin",
    "Why did the lamp go to school? To become brighter.",
]


def test_the_page_runs_as_written(tmp_path: Path) -> None:
    blocks = BLOCK.findall(PAGE.read_text(encoding="utf-8"))
    assert len(blocks) >= 8
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
           "HOME": str(tmp_path), "SAMANTHA_CONFIG": ""}
    env.pop("SAMANTHA_CONFIG")
    output = ""
    for block in blocks:
        expected = EXPECT.search(block)
        # Each command of a block runs even after one fails; the block's status is the last's.
        done = subprocess.run(["bash", "-c", block], cwd=tmp_path, env=env, text=True,
                              capture_output=True, timeout=300, check=False)
        output += done.stdout + done.stderr
        want = int(expected.group(1)) if expected else 0
        assert done.returncode == want, f"{block}\n---\n{done.stdout}\n{done.stderr}"
    position = 0
    for text in SHOWN:
        found = output.find(text, position)
        assert found >= 0, f"{text!r} not printed (in order) by the page's commands:\n{output}"
        position = found
