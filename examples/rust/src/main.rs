//! Runs a vyre wire blob (as Rust vyre's `Program::to_wire` writes it) on
//! vyre-jit's llvm-cpu backend through a hand-written `extern "C"` binding,
//! and checks the outputs.
//!
//!   vyre-jit-example PROGRAM.vir
//!
//! With the blob of vyre-ir.md §7.11 (tests/wire/spec-7.11-example.vir):
//! buffer `a` (u32, read) is the one input and `out` (u32, count 4, output)
//! gets `out[i] = a[i] + 1`, so a = [10, 20, 30, 40] gives [11, 21, 31, 41].
mod vyre_sys;

use std::ffi::{CStr, CString};
use std::ptr;
use vyre_sys::*;

/// Owns the C objects and frees them in the right order on every path.
struct Session {
    ctx: *mut vy_context,
    be: *mut vy_backend,
    prog: *mut vy_program,
}

impl Drop for Session {
    fn drop(&mut self) {
        unsafe {
            vy_program_destroy(self.prog);
            vy_backend_close(self.be);
            vy_context_destroy(self.ctx);
        }
    }
}

fn new_error() -> vy_error {
    vy_error { code: 0, rule: [0; 8], line: 0, col: 0, offset: 0, message: [0; 1024] }
}

fn check(st: vy_status, what: &str, err: &vy_error) -> Result<(), String> {
    if st == VY_OK {
        return Ok(());
    }
    let msg = unsafe { CStr::from_ptr(err.message.as_ptr()) };
    Err(format!("{what}: status {st}: {}", msg.to_string_lossy()))
}

/// Dispatches `blob` once on `backend` with `input` as its one input buffer;
/// returns the bytes of every returned buffer.
fn run(blob: &[u8], backend: &str, input: &[u32]) -> Result<Vec<Vec<u8>>, String> {
    let mut err = new_error();
    let mut s = Session { ctx: ptr::null_mut(), be: ptr::null_mut(), prog: ptr::null_mut() };
    // the header version the binding was written for; the library refuses another
    let opts = vy_context_options {
        header_version: VY_VERSION_NUMBER,
        alloc: ptr::null(),
        host_ops: ptr::null(),
        threads: 0,
    };
    let id = CString::new(backend).unwrap();
    unsafe {
        check(vy_context_create(&opts, &mut s.ctx, &mut err), "vy_context_create", &err)?;
        if vy_jit_register_backends(s.ctx) != VY_OK {
            return Err("vy_jit_register_backends failed".into());
        }
        check(vy_backend_open(s.ctx, id.as_ptr(), &mut s.be, &mut err), "vy_backend_open", &err)?;
        check(
            vy_wire_decode(blob.as_ptr(), blob.len(), ptr::null(), &mut s.prog, &mut err),
            "vy_wire_decode",
            &err,
        )?;
        let bytes: Vec<u8> = input.iter().flat_map(|v| v.to_le_bytes()).collect();
        let inputs = [vy_input { data: bytes.as_ptr().cast(), len: bytes.len() }];
        let mut outs = vy_outputs { count: 0, items: ptr::null_mut(), alloc: ptr::null() };
        let st = vy_dispatch(s.be, s.prog, inputs.as_ptr(), inputs.len(), ptr::null(), &mut outs, &mut err);
        check(st, "vy_dispatch", &err)?;
        let mut result = Vec::with_capacity(outs.count);
        for i in 0..outs.count {
            let b = &*outs.items.add(i);
            result.push(if b.len == 0 { Vec::new() } else { std::slice::from_raw_parts(b.data, b.len).to_vec() });
        }
        vy_outputs_free(&mut outs);
        Ok(result)
    }
}

fn main() {
    let path = std::env::args().nth(1).unwrap_or_else(|| {
        eprintln!("usage: vyre-jit-example PROGRAM.vir");
        std::process::exit(2)
    });
    let blob = std::fs::read(&path).unwrap_or_else(|e| {
        eprintln!("vyre-jit-example: {path}: {e}");
        std::process::exit(1)
    });
    let lib = unsafe { vy_version_number() };
    println!("libvyre-jit version number {lib}, binding written for {VY_VERSION_NUMBER}");
    let input = [10u32, 20, 30, 40];
    let expected = [11u32, 21, 31, 41]; // a[i] + 1, by hand
    let mut ok = true;
    for backend in ["reference", "llvm-cpu"] {
        match run(&blob, backend, &input) {
            Ok(outs) => {
                let out: Vec<u32> = outs[0].chunks_exact(4).map(|c| u32::from_le_bytes(c.try_into().unwrap())).collect();
                let good = outs.len() == 1 && out == expected;
                println!("{backend}: out = {out:?} {}", if good { "ok" } else { "WRONG" });
                ok &= good;
            }
            Err(e) => {
                eprintln!("vyre-jit-example: {backend}: {e}");
                ok = false;
            }
        }
    }
    std::process::exit(if ok { 0 } else { 1 });
}
