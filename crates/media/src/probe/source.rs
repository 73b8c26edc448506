//! Bounded random access to the file being probed.
//!
//! Rules: every read names its offset and is checked against the file length first, so a
//! truncated file becomes `ProbeError::NotMedia` with a reason instead of an I/O error; reads
//! are capped by the caller (`read_up_to`) so memory stays bounded whatever the file claims.

use std::io::{Read, Seek, SeekFrom};

use super::ProbeError;

pub(crate) struct Source<R> {
    inner: R,
    len: u64,
}

impl<R: Read + Seek> Source<R> {
    pub fn new(mut inner: R) -> Result<Self, ProbeError> {
        let len = inner.seek(SeekFrom::End(0))?;
        Ok(Source { inner, len })
    }

    pub fn len(&self) -> u64 {
        self.len
    }

    /// Fills `buf` from `offset`; NotMedia naming `what` when the file ends first.
    pub fn read_at(&mut self, offset: u64, buf: &mut [u8], what: &str) -> Result<(), ProbeError> {
        let end = offset.checked_add(buf.len() as u64);
        if end.is_none_or(|end| end > self.len) {
            return Err(ProbeError::NotMedia(format!(
                "the file ends inside the {what} (truncated or corrupt)"
            )));
        }
        self.inner.seek(SeekFrom::Start(offset))?;
        self.inner.read_exact(buf)?;
        Ok(())
    }

    /// Reads a fixed-size array from `offset`.
    pub fn array_at<const N: usize>(
        &mut self,
        offset: u64,
        what: &str,
    ) -> Result<[u8; N], ProbeError> {
        let mut buf = [0u8; N];
        self.read_at(offset, &mut buf, what)?;
        Ok(buf)
    }

    /// Reads up to `max` bytes from `offset`, fewer when the file ends sooner.
    pub fn read_up_to(&mut self, offset: u64, max: usize) -> Result<Vec<u8>, ProbeError> {
        let available = self.len.saturating_sub(offset);
        let n = usize::try_from(available).map_or(max, |a| a.min(max));
        let mut buf = vec![0u8; n];
        if n > 0 {
            self.inner.seek(SeekFrom::Start(offset))?;
            self.inner.read_exact(&mut buf)?;
        }
        Ok(buf)
    }
}

/// Milliseconds for `units` ticks of a `per_second` clock; `None` when the clock is zero or
/// the result does not fit.
pub(crate) fn ticks_to_ms(units: u64, per_second: u64) -> Option<i64> {
    if per_second == 0 {
        return None;
    }
    let ms = u128::from(units) * 1000 / u128::from(per_second);
    i64::try_from(ms).ok()
}

/// A sample rate stored as a float, when it is a plausible audio rate.
pub(crate) fn rate_from_f64(rate: f64) -> Option<u32> {
    (1.0..10_000_000.0)
        .contains(&rate)
        .then(|| rate.round() as u32)
}

/// Builds a NotMedia error.
pub(crate) fn not_media(reason: impl Into<String>) -> ProbeError {
    ProbeError::NotMedia(reason.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    #[test]
    fn reads_are_checked_against_the_length() {
        let mut src = Source::new(Cursor::new(b"0123456789".to_vec())).unwrap();
        assert_eq!(src.len(), 10);
        assert_eq!(&src.array_at::<3>(7, "tail").unwrap(), b"789");
        let err = src.array_at::<4>(7, "fmt chunk").unwrap_err();
        assert!(err.to_string().contains("fmt chunk"), "{err}");
        assert!(matches!(
            src.array_at::<1>(u64::MAX, "x"),
            Err(ProbeError::NotMedia(_))
        ));
        assert_eq!(src.read_up_to(8, 100).unwrap(), b"89");
        assert_eq!(src.read_up_to(20, 100).unwrap(), b"");
        assert_eq!(src.read_up_to(0, 3).unwrap(), b"012");
    }

    #[test]
    fn converts_ticks() {
        assert_eq!(ticks_to_ms(16_000, 8_000), Some(2_000));
        assert_eq!(ticks_to_ms(1, 3), Some(333));
        assert_eq!(ticks_to_ms(1, 3000), Some(0));
        assert_eq!(ticks_to_ms(5, 0), None);
        assert_eq!(ticks_to_ms(u64::MAX, 1), None);
    }

    #[test]
    fn float_rates() {
        assert_eq!(rate_from_f64(48_000.0), Some(48_000));
        assert_eq!(rate_from_f64(22_050.4), Some(22_050));
        for bad in [0.0, -8000.0, f64::NAN, f64::INFINITY, 1e12] {
            assert_eq!(rate_from_f64(bad), None, "{bad}");
        }
    }
}
