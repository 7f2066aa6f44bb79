"""`samantha models download`: without NAME it lists models; without network it says what to do."""

from __future__ import annotations

import zipfile
from pathlib import Path

from harness.cli import samantha_cli
from harness.mosquitto import free_port


def test_without_a_name_it_lists_the_models(tmp_path: Path) -> None:
    out = samantha_cli("models", "download", "--dir", str(tmp_path))
    assert out.returncode == 2
    assert "vosk-model-small-en-us-0.15" in out.stdout and "English" in out.stdout
    assert "which model? e.g. samantha models download vosk-model-small-en-us-0.15" in out.stderr


def test_without_network_it_explains_where_to_put_the_model(tmp_path: Path) -> None:
    site = f"http://127.0.0.1:{free_port()}/vosk"
    out = samantha_cli("models", "download", "vosk-model-small-en-us-0.15", "--dir",
                       str(tmp_path), "--url", site)
    assert out.returncode == 2
    assert f"cannot reach {site}/vosk-model-small-en-us-0.15.zip" in out.stderr
    assert "--url file:///path/to/that/folder" in out.stderr
    assert f"{tmp_path / 'vosk-model-small-en-us-0.15'}/ holds the model" in out.stderr
    assert "Traceback" not in out.stderr


def test_a_zip_brought_by_hand_installs_from_a_file_url(tmp_path: Path) -> None:
    carried = tmp_path / "usb"
    carried.mkdir()
    with zipfile.ZipFile(carried / "vosk-model-tiny.zip", "w") as archive:
        archive.writestr("vosk-model-tiny/conf/model.conf", "--beam=10\n")
    models = tmp_path / "models"
    out = samantha_cli("models", "download", "vosk-model-tiny", "--dir", str(models),
                       "--url", carried.as_uri())
    assert out.returncode == 0, out.stderr
    assert (models / "vosk-model-tiny" / "conf" / "model.conf").read_text() == "--beam=10\n"
    missing = samantha_cli("models", "download", "vosk-model-none", "--dir", str(models),
                           "--url", carried.as_uri())
    assert missing.returncode == 2 and "no such file" in missing.stderr
