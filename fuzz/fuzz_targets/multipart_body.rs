//! Bytes → the multipart reader of uploads (`scorejar-multipart`, the code the server runs,
//! with the file part counted instead of spooled). Input: one byte choosing a chunk size, the
//! Content-Type header up to the first `\n`, then the body. Never a panic, never a wait for
//! input that is all there, and the body read in one piece or in chunks of that size comes to
//! the same outcome (multipart boundaries split across network reads are the classic bug).
#![no_main]

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use scorejar_multipart::{read_in_memory, Outcome, ReadError};

fuzz_target!(|data: &[u8]| {
    let Some((&size, rest)) = data.split_first() else {
        return;
    };
    let Some(eol) = rest.iter().position(|&b| b == b'\n') else {
        return;
    };
    let Ok(content_type) = std::str::from_utf8(&rest[..eol]) else {
        return;
    };
    let body = &rest[eol + 1..];
    let whole = read_in_memory(vec![Bytes::copy_from_slice(body)], content_type);
    let size = usize::from(size).max(1);
    let chunks = body.chunks(size).map(Bytes::copy_from_slice).collect();
    let pieces = read_in_memory(chunks, content_type);
    assert_eq!(summary(&whole), summary(&pieces), "in chunks of {size}");
});

fn summary(outcome: &Outcome) -> String {
    match outcome {
        Ok((payload, file)) => format!("ok {payload} {file:?}"),
        Err(ReadError::Invalid(e)) => format!("refused {} {} {:?}", e.status, e.code, e.field),
        Err(ReadError::Body(e)) => format!("unreadable {e}"),
    }
}
