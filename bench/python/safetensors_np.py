"""Minimal safetensors reader and writer on numpy, with no dependency beyond numpy.

File layout: an 8-byte little-endian unsigned header length N, N bytes of UTF-8 JSON
``{"name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, ..., "__metadata__": {str: str}}``,
then the tensor bytes (little-endian, C order) at the given offsets relative to the end of the header.

``save(path, tensors, metadata=None)`` writes what the reference library writes: tensors sorted by
name (byte-wise UTF-8 order), laid end to end from offset 0, compact JSON with ``__metadata__`` first,
the header padded with spaces to a multiple of 8. float32 is written as F32; other float arrays are
converted to float32 unless ``keep_dtype=True``. ``load(path)`` returns ``(tensors, metadata)``:
tensors as numpy arrays in their stored dtype (F32, F64, F16, BF16 -> float32, I64, I32, I16, I8, U8,
BOOL), 0-d arrays for shape ``[]``.

Run ``/usr/bin/python3 bench/python/safetensors_np.py`` for a round-trip self-test; it prints
``safetensors round trip ok``. With a file argument it lists the file's tensors and metadata:
``/usr/bin/python3 bench/python/safetensors_np.py FILE.safetensors``.
"""

import json
import os
import struct
import sys

import numpy as np

_DTYPES = {
    "F64": np.dtype("<f8"),
    "F32": np.dtype("<f4"),
    "F16": np.dtype("<f2"),
    "I64": np.dtype("<i8"),
    "I32": np.dtype("<i4"),
    "I16": np.dtype("<i2"),
    "I8": np.dtype("i1"),
    "U8": np.dtype("u1"),
    "BOOL": np.dtype("?"),
}
_NAMES = {v: k for k, v in _DTYPES.items()}
MAX_HEADER = 100_000_000


def _dtype_name(a):
    dt = a.dtype.newbyteorder("<") if a.dtype.byteorder not in ("|", "=", "<") else a.dtype
    dt = np.dtype(dt.str.replace("=", "<"))
    if dt not in _NAMES:
        raise TypeError(f"safetensors_np: unsupported dtype {a.dtype}")
    return _NAMES[dt]


def save(path, tensors, metadata=None, keep_dtype=False):
    """Write {name: array} (and optional {str: str} metadata) to path, atomically (temp file + rename)."""
    arrays = {}
    for name, value in tensors.items():
        if name == "__metadata__":
            raise ValueError("'__metadata__' is reserved")
        a = np.asarray(value)
        if not keep_dtype and a.dtype.kind == "f":
            a = a.astype(np.float32)
        arrays[name] = a if a.flags.c_contiguous else a.copy(order="C")  # keeps 0-d arrays 0-d
    header = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in sorted(metadata.items())}
    offset = 0
    order = sorted(arrays, key=lambda n: n.encode("utf-8"))
    for name in order:
        a = arrays[name]
        n = a.size * a.dtype.itemsize
        header[name] = {"dtype": _dtype_name(a), "shape": list(a.shape), "data_offsets": [offset, offset + n]}
        offset += n
    raw = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    raw += b" " * (-len(raw) % 8)
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for name in order:
            a = arrays[name]
            f.write(a.astype(a.dtype.newbyteorder("<"), copy=False).tobytes(order="C"))
    os.replace(tmp, path)


def load(path):
    """Read path; returns (tensors: dict name -> numpy array in file order, metadata: dict)."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        raise ValueError(f"{path}: too short for the header length")
    (n,) = struct.unpack("<Q", data[:8])
    if n > MAX_HEADER or 8 + n > len(data):
        raise ValueError(f"{path}: header length {n} is invalid for a file of {len(data)} bytes")
    header = json.loads(data[8:8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", {}) or {}
    body = memoryview(data)[8 + n:]
    entries = sorted(header.items(), key=lambda kv: tuple(kv[1]["data_offsets"]))
    expected = 0
    tensors = {}
    for name, info in entries:
        begin, end = info["data_offsets"]
        shape = tuple(info["shape"])
        if begin != expected or end > len(body):
            raise ValueError(f"{path}: tensor '{name}' data_offsets {begin, end} do not tile the data")
        expected = end
        dname = info["dtype"]
        if dname == "BF16":
            raw = np.frombuffer(body[begin:end], dtype="<u2").astype(np.uint32) << 16
            a = raw.view(np.float32)
        elif dname in _DTYPES:
            a = np.frombuffer(body[begin:end], dtype=_DTYPES[dname]).copy()
        else:
            raise ValueError(f"{path}: tensor '{name}' has unsupported dtype {dname}")
        count = int(np.prod(shape)) if shape else 1
        if a.size != count:
            raise ValueError(f"{path}: tensor '{name}' shape {list(shape)} needs {count} elements, data holds {a.size}")
        tensors[name] = a.reshape(shape)
    if expected != len(body):
        raise ValueError(f"{path}: {len(body) - expected} trailing data bytes")
    return tensors, metadata


def _self_test():
    import tempfile
    rng = np.random.default_rng(0)
    tensors = {
        "b.weight": rng.standard_normal((3, 4, 2, 2)).astype(np.float32),
        "a.scalar": np.array(0.25, np.float32),
        "c.count": np.array(7, np.int64),
        "d.bytes": rng.integers(0, 2, (2, 5), dtype=np.uint8),
        "e.double": np.arange(3, dtype=np.float64),
    }
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "t.safetensors")
        save(p, tensors, {"width": "0.25", "model": "scn-r18"})
        back, meta = load(p)
        assert meta == {"width": "0.25", "model": "scn-r18"}, meta
        assert list(back) == sorted(tensors), list(back)
        for k, v in tensors.items():
            exp = v.astype(np.float32) if v.dtype.kind == "f" else v
            assert back[k].dtype == exp.dtype and back[k].shape == exp.shape and np.array_equal(back[k], exp), k
        with open(p, "rb") as f:
            (n,) = struct.unpack("<Q", f.read(8))
            assert n % 8 == 0 and f.read(n).startswith(b'{"__metadata__"')
    print("safetensors round trip ok")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        ts, md = load(sys.argv[1])
        for k, v in md.items():
            print(f"metadata {k} = {v}")
        for k, v in ts.items():
            print(f"{k:60s} {str(v.dtype):8s} {list(v.shape)}")
    else:
        _self_test()
