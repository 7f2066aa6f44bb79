"""Read a PyTorch state dict saved in the legacy (pre-1.6, non-zip) format into numpy arrays,
without torch: the resemblyzer wheel ships its voice encoder's weights this way.

Layout: pickles of a magic number, the protocol version and system info, then the state dict
pickled with persistent ids for storages, then the list of storage keys, then each storage as
an int64 element count and its raw little-endian bytes.
"""

from __future__ import annotations

import pickle
import struct
from collections import OrderedDict
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

MAGIC = 0x1950A86A20F9469CFC6C
DTYPES = {"FloatStorage": np.float32, "DoubleStorage": np.float64, "LongStorage": np.int64,
          "IntStorage": np.int32, "HalfStorage": np.float16}


class _Storage:
    def __init__(self, key: str, dtype: type) -> None:
        self.key, self.dtype = key, dtype


class _Tensor:
    def __init__(self, storage: _Storage, offset: int, size: tuple[int, ...],
                 stride: tuple[int, ...]) -> None:
        self.storage, self.offset, self.size, self.stride = storage, offset, size, stride


def _rebuild_tensor(storage: _Storage, offset: int, size: tuple[int, ...],
                    stride: tuple[int, ...], *rest: Any) -> _Tensor:
    return _Tensor(storage, offset, tuple(size), tuple(stride))


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if module == "torch._utils" and name in {"_rebuild_tensor_v2", "_rebuild_tensor"}:
            return _rebuild_tensor
        if module == "torch" and name in DTYPES:
            return DTYPES[name]
        if module == "collections" and name == "OrderedDict":
            return OrderedDict
        raise pickle.UnpicklingError(f"unexpected {module}.{name} in a weights file")

    def persistent_load(self, saved_id: Any) -> _Storage:
        kind, dtype, key = saved_id[0], saved_id[1], saved_id[2]
        if kind != "storage":
            raise pickle.UnpicklingError(f"unexpected persistent id {kind!r}")
        return self.storages.setdefault(key, _Storage(key, dtype))

    storages: dict[str, _Storage]


def _read(f: BinaryIO) -> dict[str, Any]:
    if pickle.load(f) != MAGIC:
        raise ValueError("not a legacy PyTorch file")
    pickle.load(f)
    pickle.load(f)
    unpickler = _Unpickler(f)
    unpickler.storages = {}
    result = unpickler.load()
    keys = pickle.load(f)
    data: dict[str, np.ndarray] = {}
    for key in keys:
        storage = unpickler.storages[key]
        (count,) = struct.unpack("<q", f.read(8))
        dtype = np.dtype(storage.dtype)
        data[key] = np.frombuffer(f.read(count * dtype.itemsize), dtype=dtype)
    return _resolve(result, data)


def _resolve(value: Any, data: dict[str, np.ndarray]) -> Any:
    if isinstance(value, _Tensor):
        flat = data[value.storage.key]
        itemsize = flat.dtype.itemsize
        return np.lib.stride_tricks.as_strided(
            flat[value.offset:], shape=value.size,
            strides=tuple(s * itemsize for s in value.stride)).copy()
    if isinstance(value, dict):
        return {k: _resolve(v, data) for k, v in value.items()}
    return value


def load_state_dict(path: Path) -> dict[str, Any]:
    with path.open("rb") as f:
        return _read(f)
