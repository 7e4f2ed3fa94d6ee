//! Links the adapter with 2 MiB of initial linear memory (the Rust default is about 1.1 MiB:
//! the 1 MiB stack and the data). Every call runs in a fresh instance whose memory the hub
//! resets to its initial size afterwards; a call that grows memory pays two `mprotect`s and a
//! TLB shootdown across the hub's threads for it. With the room a 100 KiB document needs there
//! from the start, such a call never grows memory: 104 → 95 µs per decode (BENCHMARKS.md).
//! Pages never touched cost nothing.

fn main() {
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        println!("cargo:rustc-link-arg-cdylib=--initial-memory=2097152");
    }
}
