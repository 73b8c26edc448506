//! Giving the memory of finished whisper passes back to the operating system.
//!
//! Every pass builds a fresh whisper state — about 170 MB of caches and compute buffers
//! touched — and frees it when done. After a free that large, glibc raises its mmap threshold,
//! so later states are carved out of malloc's heaps (one arena per thread), and what they
//! leave behind on free stays part of the process. Measured here on the dev set's 5-minute
//! two-channel call: 606–660 MB at the peak, against 310 MB for the fixture call; with a trim
//! after each pass, 410–421 MB, for about 3 % more time (docs/transcription.md, "Memory").

/// Releases the allocator's free memory (a no-op where the C library is not glibc).
pub(crate) fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only hands back pages the allocator holds free; it is thread-safe.
    unsafe {
        libc::malloc_trim(0);
    }
}
