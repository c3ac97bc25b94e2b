//! A hand-written binding of the part of vyre-jit's C API this example uses
//! (include/vyre/status.h, context.h, wire.h, backend.h, jit.h). Struct
//! layouts are #[repr(C)] copies of the headers of vyre-jit 0.1.
#![allow(non_camel_case_types, dead_code)]

use std::os::raw::{c_char, c_int, c_void};

/// VY_VERSION_NUMBER of the headers this binding was written from (version.h).
pub const VY_VERSION_NUMBER: c_int = 1000; // 0 * 1000000 + 1 * 1000 + 0

/// vy_status: a C enum, int-sized; VY_OK is 0.
pub type vy_status = c_int;
pub const VY_OK: vy_status = 0;

#[repr(C)]
pub struct vy_error {
    pub code: vy_status,
    pub rule: [c_char; 8],
    pub line: u32,
    pub col: u32,
    pub offset: u64,
    pub message: [c_char; 1024],
}

#[repr(C)]
pub struct vy_input {
    pub data: *const c_void,
    pub len: usize,
}

#[repr(C)]
pub struct vy_bytes {
    pub data: *mut u8,
    pub len: usize,
    pub cap: usize,
    pub alloc: *const c_void,
}

#[repr(C)]
pub struct vy_outputs {
    pub count: usize,
    pub items: *mut vy_bytes,
    pub alloc: *const c_void,
}

#[repr(C)]
pub struct vy_context_options {
    pub header_version: c_int,
    pub alloc: *const c_void,
    pub host_ops: *const c_void,
    pub threads: u32,
}

/// Opaque handles.
#[repr(C)]
pub struct vy_context {
    _private: [u8; 0],
}
#[repr(C)]
pub struct vy_backend {
    _private: [u8; 0],
}
#[repr(C)]
pub struct vy_program {
    _private: [u8; 0],
}

extern "C" {
    pub fn vy_version_number() -> c_int;
    pub fn vy_context_create(
        opts: *const vy_context_options,
        out: *mut *mut vy_context,
        err: *mut vy_error,
    ) -> vy_status;
    pub fn vy_context_destroy(ctx: *mut vy_context);
    pub fn vy_jit_register_backends(ctx: *mut vy_context) -> vy_status;
    pub fn vy_backend_open(
        ctx: *mut vy_context,
        id: *const c_char,
        out: *mut *mut vy_backend,
        err: *mut vy_error,
    ) -> vy_status;
    pub fn vy_backend_close(be: *mut vy_backend);
    pub fn vy_wire_decode(
        data: *const u8,
        len: usize,
        alloc: *const c_void,
        out: *mut *mut vy_program,
        err: *mut vy_error,
    ) -> vy_status;
    pub fn vy_program_destroy(p: *mut vy_program);
    pub fn vy_dispatch(
        be: *mut vy_backend,
        p: *const vy_program,
        inputs: *const vy_input,
        ninputs: usize,
        cfg: *const c_void,
        out: *mut vy_outputs,
        err: *mut vy_error,
    ) -> vy_status;
    pub fn vy_outputs_free(out: *mut vy_outputs);
}
