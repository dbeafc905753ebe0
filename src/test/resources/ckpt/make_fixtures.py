#!/usr/bin/env python3
"""Writes tiny torch-format checkpoints (torch.save zip layout, torch >= 1.6) without torch.

The pickles are made by the real `pickle` module: stub callables registered under the module names
torch uses (`torch._utils._rebuild_tensor_v2`, `torch.FloatStorage`, ...) make pickle write the same
GLOBAL opcodes, and `persistent_id` gives `('storage', torch.FloatStorage, key, 'cpu', numel)` as
torch/serialization.py `_save` does. expected.json holds each tensor's dtype, shape and little-endian
bytes (hex) in row-major order, computed here independently of the Java reader.

Run from this folder: python3 make_fixtures.py
"""
import collections
import io
import json
import pickle
import struct
import sys
import types
import zipfile

# ---- stubs named like torch's globals ----
torch = types.ModuleType("torch")
utils = types.ModuleType("torch._utils")
sys.modules["torch"] = torch
sys.modules["torch._utils"] = utils
torch._utils = utils


def _global(module, name, obj):
    obj.__module__ = module.__name__
    obj.__qualname__ = name
    obj.__name__ = name
    setattr(module, name, obj)
    return obj


def _rebuild_tensor_v2(*args):
    raise AssertionError("never called")


def _rebuild_parameter(*args):
    raise AssertionError("never called")


_global(utils, "_rebuild_tensor_v2", _rebuild_tensor_v2)
_global(utils, "_rebuild_parameter", _rebuild_parameter)
STORAGE = {}
for name, fmt, dtype in [("FloatStorage", "<f", "F32"), ("HalfStorage", "<e", "F16"),
                         ("BFloat16Storage", None, "BF16"), ("LongStorage", "<q", "I64"),
                         ("DoubleStorage", "<d", "F64")]:
    STORAGE[dtype] = (_global(torch, name, type(name, (), {})), fmt)


def bf16(x):
    return struct.pack("<I", struct.unpack("<I", struct.pack("<f", x))[0] >> 16)[:2]


def encode(dtype, values):
    cls, fmt = STORAGE[dtype]
    if dtype == "BF16":
        return b"".join(bf16(v) for v in values)
    return b"".join(struct.pack(fmt, v) for v in values)


class Storage:
    def __init__(self, key, dtype, values):
        self.key, self.dtype, self.values = key, dtype, list(values)
        self.data = encode(dtype, self.values)


class Tensor:
    """A view (offset, shape, strides in elements) of a Storage, pickled as torch.Tensor.__reduce_ex__ does."""

    def __init__(self, storage, shape, stride=None, offset=0):
        if stride is None:
            stride, n = [], 1
            for d in reversed(shape):
                stride.insert(0, n)
                n *= d
        self.storage, self.shape, self.stride, self.offset = storage, tuple(shape), tuple(stride), offset

    def __reduce_ex__(self, protocol):
        return (_rebuild_tensor_v2, (self.storage, self.offset, self.shape, self.stride, False,
                                     collections.OrderedDict()))

    def elements(self):
        out = []

        def walk(dim, pos):
            if dim == len(self.shape):
                out.append(pos)
                return
            for i in range(self.shape[dim]):
                walk(dim + 1, pos + i * self.stride[dim])

        walk(0, self.offset)
        size = len(STORAGE_BYTES[self.storage.dtype])
        return b"".join(self.storage.data[p * size:(p + 1) * size] for p in out)


STORAGE_BYTES = {"F32": b"1234", "F16": b"12", "BF16": b"12", "I64": b"12345678", "F64": b"12345678"}


class Parameter:
    def __init__(self, tensor):
        self.tensor = tensor

    def __reduce_ex__(self, protocol):
        return (_rebuild_parameter, (self.tensor, False, collections.OrderedDict()))


class TorchPickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, Storage):
            return ("storage", STORAGE[obj.dtype][0], obj.key, "cpu", len(obj.values))
        return None


def write_ckpt(path, obj, protocol=2, drop_storage=None, archive="archive"):
    buf = io.BytesIO()
    TorchPickler(buf, protocol=protocol).dump(obj)
    storages = {}
    collect(obj, storages)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr(archive + "/data.pkl", buf.getvalue())
        z.writestr(archive + "/byteorder", "little")
        for key, s in storages.items():
            if key != drop_storage:
                z.writestr(archive + "/data/" + key, s.data)
        z.writestr(archive + "/version", "3\n")


def collect(obj, out):
    if isinstance(obj, dict):
        for v in obj.values():
            collect(v, out)
    elif isinstance(obj, Parameter):
        collect(obj.tensor, out)
    elif isinstance(obj, Tensor):
        out[obj.storage.key] = obj.storage


def expected(obj, prefix=""):
    out = {}
    for k, v in obj.items():
        if isinstance(v, Parameter):
            v = v.tensor
        if isinstance(v, Tensor):
            out[prefix + k] = {"dtype": v.storage.dtype, "shape": list(v.shape), "hex": v.elements().hex()}
        elif isinstance(v, dict):
            out.update(expected(v, prefix + k + "."))
    return out


def state_dict(items):
    sd = collections.OrderedDict(items)
    sd._metadata = collections.OrderedDict([("", {"version": 1})])  # as nn.Module.state_dict() sets
    return sd


def main():
    golden = {}

    # 1. F32: plain, 0-d, a Parameter, two views sharing one storage (second at an offset)
    s0 = Storage("0", "F32", [0.5 * i - 1.25 for i in range(6)])
    s1 = Storage("1", "F32", [3.0e-38, -7.5, 1.0e30, 0.1])
    s2 = Storage("2", "F32", [42.0])
    s3 = Storage("3", "F32", [1.5, -2.5])
    f32 = state_dict([("a.weight", Tensor(s0, [2, 3])), ("b.first", Tensor(s1, [2])),
                      ("b.second", Tensor(s1, [2], offset=2)), ("scalar", Tensor(s2, [])),
                      ("param", Parameter(Tensor(s3, [2])))])
    write_ckpt("f32.ckpt", f32)
    golden["f32.ckpt"] = expected(f32)

    # 2. halves: F16 with subnormal, inf, -0, max; BF16; I64; F64
    h = Storage("0", "F16", [1.0, -2.0, 6.0e-8, float("inf"), -0.0, 65504.0])
    b = Storage("1", "BF16", [1.0, -3.140625, 1.0e-20, 256.0])
    i = Storage("2", "I64", [-1, 0, 2 ** 40])
    d = Storage("3", "F64", [0.1, -1.0e300])
    halves = state_dict([("h", Tensor(h, [3, 2])), ("bf", Tensor(b, [4])), ("ids", Tensor(i, [3])),
                         ("dbl", Tensor(d, [2]))])
    write_ckpt("f16.ckpt", halves)
    golden["f16.ckpt"] = expected(halves)
    golden["f16.ckpt"]["h"]["f32hex"] = b"".join(struct.pack("<f", v) for v in
                                                  struct.unpack("<6e", h.data)).hex()
    golden["f16.ckpt"]["bf"]["f32hex"] = b"".join(b"\0\0" + b.data[k:k + 2] for k in range(0, 8, 2)).hex()

    # 3. non-contiguous: a transpose, a strided slice at an offset, a zero-stride expand
    s = Storage("0", "F32", [float(k) for k in range(12)])
    t = Storage("1", "F32", [7.0])
    views = state_dict([("t", Tensor(s, [4, 3], stride=[1, 4])), ("slice", Tensor(s, [2, 2], stride=[6, 2], offset=1)),
                        ("expand", Tensor(t, [2, 3], stride=[0, 0]))])
    write_ckpt("transposed.ckpt", views)
    golden["transposed.ckpt"] = expected(views)

    # 4. a Lightning-style file: protocol 4, nested state_dict, non-tensor values, EMA and every component
    w = Storage("0", "F16", [0.25, 0.5, 0.75, 1.0])
    nested = {"epoch": 3, "global_step": 470000, "pytorch-lightning_version": "1.4.2",
              "state_dict": state_dict([
                  ("model.diffusion_model.conv_in.weight", Tensor(w, [2, 2])),
                  ("first_stage_model.decoder.conv_out.bias", Tensor(Storage("1", "F32", [1.0, 2.0]), [2])),
                  ("cond_stage_model.transformer.text_model.final_layer_norm.weight",
                   Tensor(Storage("2", "F32", [3.0]), [1])),
                  ("model_ema.decay", Tensor(Storage("3", "F32", [0.9999]), [])),
                  ("model_ema.diffusion_modelconv_inweight", Tensor(w, [2, 2])),
                  ("betas", Tensor(Storage("4", "F32", [0.00085, 0.012]), [2]))]),
              "lr": 1.0e-4}
    write_ckpt("nested.ckpt", nested, protocol=4, archive="sd-tiny")
    golden["nested.ckpt"] = expected(nested["state_dict"])

    # 5. hostile: a storage entry missing, a shape larger than its storage
    write_ckpt("missing_storage.ckpt", state_dict([("x", Tensor(Storage("0", "F32", [1.0]), [1]))]),
               drop_storage="0")
    write_ckpt("short_storage.ckpt", state_dict([("x", Tensor(Storage("0", "F32", [1.0, 2.0]), [3, 3]))]))

    # 6. malicious: what a checkpoint that runs a shell command looks like (hand-written: the real
    # os.system pickles as posix.system), and a pickle-in-pickle storage loader
    evil = (b"\x80\x02}q\x00X\x06\x00\x00\x00weightq\x01cos\nsystem\nq\x02X\x0a\x00\x00\x00echo pwned"
            b"q\x03\x85q\x04Rq\x05s.")
    with zipfile.ZipFile("malicious.ckpt", "w", zipfile.ZIP_STORED) as z:
        z.writestr("archive/data.pkl", evil)
        z.writestr("archive/version", "3\n")
    nested_pickle = (b"\x80\x04\x95\x2e\x00\x00\x00\x00\x00\x00\x00\x8c\x0dtorch.storage\x94"
                     b"\x8c\x10_load_from_bytes\x94\x93\x94C\x01x\x94\x85\x94R\x94.")
    with zipfile.ZipFile("load_from_bytes.ckpt", "w", zipfile.ZIP_STORED) as z:
        z.writestr("archive/data.pkl", nested_pickle)

    # 7. plain values for the unpickler, one file per protocol (protocol 2 pickles bytes via _codecs.encode)
    values = {"a": [1, -2, 300, 70000, -(2 ** 40), 2 ** 70, 1.5, "\u00e9", (None, True, False), ()],
              "b": b"xy", "c": {"d": "e" * 300}}
    for protocol in (2, 3, 4, 5):
        with open("values_p%d.pkl" % protocol, "wb") as f:
            pickle.dump(values, f, protocol=protocol)

    with open("expected.json", "w") as f:
        json.dump(golden, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
