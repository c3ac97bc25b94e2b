//! Finds the installed libvyre-jit: $VYRE_PREFIX/lib when set, else
//! `pkg-config --variable=libdir vyre-jit` (honours PKG_CONFIG_PATH).
//! The program links the shared libraries and records their directory as
//! its rpath, so it runs without LD_LIBRARY_PATH.
use std::env;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=VYRE_PREFIX");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_PATH");
    let libdir = match env::var("VYRE_PREFIX") {
        Ok(prefix) if !prefix.is_empty() => format!("{prefix}/lib"),
        _ => {
            let out = Command::new("pkg-config")
                .args(["--variable=libdir", "vyre-jit"])
                .output()
                .expect("running pkg-config. Fix: install pkg-config or set VYRE_PREFIX");
            if !out.status.success() {
                panic!("pkg-config does not know vyre-jit. Fix: set PKG_CONFIG_PATH to <prefix>/lib/pkgconfig or VYRE_PREFIX to <prefix>");
            }
            String::from_utf8(out.stdout).expect("pkg-config output").trim().to_string()
        }
    };
    println!("cargo:rustc-link-search=native={libdir}");
    println!("cargo:rustc-link-lib=dylib=vyre-jit");
    println!("cargo:rustc-link-lib=dylib=vyre");
    println!("cargo:rustc-link-arg=-Wl,-rpath,{libdir}");
}
