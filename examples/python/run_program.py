#!/usr/bin/env python3
"""Runs a vyre program from Python through ctypes and prints its outputs.

    python3 run_program.py [LIBDIR]

LIBDIR is where libvyre-jit.so is installed (default: the loader's search
path). The program, in vyre-jit's text format, scales and offsets a u32
buffer in place (data[i] = data[i] * k + 1); it runs on every backend the
machine has (vy_context_backend_count), and the outputs are checked against
the same arithmetic done here in Python.
"""
import ctypes
import struct
import sys
from ctypes import POINTER, Structure, byref, c_char, c_char_p, c_int, c_size_t, c_uint8, c_uint32, c_uint64, c_void_p

PROGRAM = b"""
program workgroup(64) {
  buffer data: u32 read_write @0
  buffer k: u32 uniform @1 count(1)
  region vyre.program.root {
    let i = gid.x
    if i < len(data) {
      data[i] = data[i] * k[0] + 1
    }
  }
}
"""

# VY_VERSION_NUMBER of include/vyre/version.h this script was written from
VY_VERSION_NUMBER = 1000


class VyError(Structure):  # vy_error, status.h
    _fields_ = [("code", c_int), ("rule", c_char * 8), ("line", c_uint32), ("col", c_uint32),
                ("offset", c_uint64), ("message", c_char * 1024)]


class VyInput(Structure):  # vy_input
    _fields_ = [("data", c_void_p), ("len", c_size_t)]


class VyBytes(Structure):  # vy_bytes
    _fields_ = [("data", POINTER(c_uint8)), ("len", c_size_t), ("cap", c_size_t), ("alloc", c_void_p)]


class VyOutputs(Structure):  # vy_outputs
    _fields_ = [("count", c_size_t), ("items", POINTER(VyBytes)), ("alloc", c_void_p)]


class VyContextOptions(Structure):  # vy_context_options, context.h
    _fields_ = [("header_version", c_int), ("alloc", c_void_p), ("host_ops", c_void_p), ("threads", c_uint32)]


def load(libdir):
    lib = ctypes.CDLL((libdir + "/" if libdir else "") + "libvyre-jit.so")
    sigs = {
        "vy_version_string": (c_char_p, []),
        "vy_text_parse": (c_int, [c_char_p, c_size_t, c_char_p, c_void_p, POINTER(c_void_p), POINTER(VyError)]),
        "vy_program_destroy": (None, [c_void_p]),
        "vy_context_create": (c_int, [POINTER(VyContextOptions), POINTER(c_void_p), POINTER(VyError)]),
        "vy_context_destroy": (None, [c_void_p]),
        "vy_jit_register_backends": (c_int, [c_void_p]),
        "vy_context_backend_count": (c_size_t, [c_void_p]),
        "vy_context_backend_id": (c_char_p, [c_void_p, c_size_t]),
        "vy_context_probe_backend": (c_int, [c_void_p, c_char_p, POINTER(VyError)]),
        "vy_backend_open": (c_int, [c_void_p, c_char_p, POINTER(c_void_p), POINTER(VyError)]),
        "vy_backend_close": (None, [c_void_p]),
        "vy_dispatch": (c_int, [c_void_p, c_void_p, POINTER(VyInput), c_size_t, c_void_p, POINTER(VyOutputs),
                                POINTER(VyError)]),
        "vy_outputs_free": (None, [POINTER(VyOutputs)]),
    }
    for name, (res, args) in sigs.items():
        fn = getattr(lib, name)
        fn.restype, fn.argtypes = res, args
    return lib


class VyreFailure(Exception):
    pass


def check(status, what, err):
    if status != 0:
        raise VyreFailure(f"{what}: status {status}: {err.message.decode()}")


def main():
    lib = load(sys.argv[1] if len(sys.argv) > 1 else "")
    err = VyError()
    print("vyre-jit", lib.vy_version_string().decode())

    prog = c_void_p()
    check(lib.vy_text_parse(PROGRAM, len(PROGRAM), b"scale.vy", None, byref(prog), byref(err)), "parse", err)
    opts = VyContextOptions(header_version=VY_VERSION_NUMBER)  # the library refuses other headers
    ctx = c_void_p()
    check(lib.vy_context_create(byref(opts), byref(ctx), byref(err)), "context", err)
    check(lib.vy_jit_register_backends(ctx), "register backends", err)

    data = list(range(100))
    k = 3
    expected = [(v * k + 1) % 2**32 for v in data]  # computed here, independently
    data_bytes = struct.pack(f"<{len(data)}I", *data)
    k_bytes = struct.pack("<I", k)
    inputs = (VyInput * 2)(VyInput(ctypes.cast(ctypes.c_char_p(data_bytes), c_void_p), len(data_bytes)),
                           VyInput(ctypes.cast(ctypes.c_char_p(k_bytes), c_void_p), len(k_bytes)))
    failures = 0
    try:
        for i in range(lib.vy_context_backend_count(ctx)):
            backend_id = lib.vy_context_backend_id(ctx, i)
            if lib.vy_context_probe_backend(ctx, backend_id, byref(err)) != 0:
                print(f"{backend_id.decode()}: not available here ({err.message.decode()})")
                continue
            be = c_void_p()
            outs = VyOutputs()
            check(lib.vy_backend_open(ctx, backend_id, byref(be), byref(err)), "open", err)
            try:
                check(lib.vy_dispatch(be, prog, inputs, 2, None, byref(outs), byref(err)), "dispatch", err)
                out = outs.items[0]
                values = list(struct.unpack(f"<{out.len // 4}I", ctypes.string_at(out.data, out.len)))
                lib.vy_outputs_free(byref(outs))
            finally:
                lib.vy_backend_close(be)
            good = values == expected
            failures += not good
            print(f"{backend_id.decode()}: data = {values[:6]} ... {values[-2:]} {'ok' if good else 'WRONG'}")
    finally:
        lib.vy_context_destroy(ctx)
        lib.vy_program_destroy(prog)
    return 1 if failures else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except VyreFailure as e:
        print("run_program.py:", e, file=sys.stderr)
        sys.exit(1)
