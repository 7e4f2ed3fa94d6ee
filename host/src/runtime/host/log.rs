//! Adapter logging: the `host.log` import and the guest's stdout/stderr, both turned into
//! `tracing` events tagged with the adapter's name and version, under one rate limit per
//! adapter generation so a chatty or hostile adapter cannot flood the hub's log.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Instant;

use bytes::Bytes;
use parking_lot::Mutex;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamResult};

/// Severity of an adapter log line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Trace.
    Trace,
    /// Debug.
    Debug,
    /// Info.
    Info,
    /// Warn.
    Warn,
    /// Error.
    Error,
}

/// Longest line kept; the rest is cut (guests may print megabytes without a newline).
const MAX_LINE: usize = 4 * 1024;

/// Emits an adapter's log lines, at most `burst` at once and `per_second` on average.
#[derive(Debug)]
pub struct AdapterLog {
    adapter: Arc<str>,
    bucket: Mutex<Bucket>,
    dropped: AtomicU64,
    burst: f64,
    per_second: f64,
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    refilled: Instant,
}

impl AdapterLog {
    /// A log for adapter `adapter` (`name@version`).
    pub fn new(adapter: Arc<str>, burst: u32, per_second: u32) -> Self {
        Self {
            adapter,
            bucket: Mutex::new(Bucket {
                tokens: f64::from(burst),
                refilled: Instant::now(),
            }),
            dropped: AtomicU64::new(0),
            burst: f64::from(burst),
            per_second: f64::from(per_second),
        }
    }

    /// Lines dropped by the rate limit so far.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    fn admit(&self) -> bool {
        let mut b = self.bucket.lock();
        let now = Instant::now();
        let elapsed = now.duration_since(b.refilled).as_secs_f64();
        b.tokens = (b.tokens + elapsed * self.per_second).min(self.burst);
        b.refilled = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// Emits one line from the adapter, if the rate limit allows.
    pub fn line(&self, level: Level, source: &'static str, text: &str) {
        if !self.admit() {
            let n = self.dropped.fetch_add(1, Ordering::Relaxed) + 1;
            // Say so once per thousand, so the operator knows lines are missing.
            if n == 1 || n.is_multiple_of(1000) {
                tracing::warn!(target: "truc::adapter", adapter = %self.adapter, dropped = n, "adapter log rate limit reached; lines dropped");
            }
            return;
        }
        let text = truncate(text);
        let adapter = &*self.adapter;
        match level {
            Level::Trace => tracing::trace!(target: "truc::adapter", adapter, source, "{text}"),
            Level::Debug => tracing::debug!(target: "truc::adapter", adapter, source, "{text}"),
            Level::Info => tracing::info!(target: "truc::adapter", adapter, source, "{text}"),
            Level::Warn => tracing::warn!(target: "truc::adapter", adapter, source, "{text}"),
            Level::Error => tracing::error!(target: "truc::adapter", adapter, source, "{text}"),
        }
    }
}

fn truncate(text: &str) -> &str {
    if text.len() <= MAX_LINE {
        return text;
    }
    let mut end = MAX_LINE;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// The guest's stdout or stderr: bytes are split into lines and sent to [`AdapterLog`].
#[derive(Clone, Debug)]
pub struct GuestOutput {
    log: Arc<AdapterLog>,
    stream: &'static str,
}

impl GuestOutput {
    /// The guest's stdout (info level).
    pub fn stdout(log: Arc<AdapterLog>) -> Self {
        Self {
            log,
            stream: "stdout",
        }
    }

    /// The guest's stderr (warn level: Rust panics print here).
    pub fn stderr(log: Arc<AdapterLog>) -> Self {
        Self {
            log,
            stream: "stderr",
        }
    }

    fn sink(&self) -> LineSink {
        LineSink {
            out: self.clone(),
            buf: Vec::new(),
        }
    }
}

impl IsTerminal for GuestOutput {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for GuestOutput {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.sink())
    }

    fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
        Box::new(self.sink())
    }
}

struct LineSink {
    out: GuestOutput,
    buf: Vec<u8>,
}

impl LineSink {
    fn push(&mut self, data: &[u8]) {
        for &b in data {
            if b == b'\n' {
                self.emit();
            } else if self.buf.len() < MAX_LINE {
                self.buf.push(b);
            }
        }
    }

    fn emit(&mut self) {
        let line = String::from_utf8_lossy(&self.buf);
        let level = if self.out.stream == "stderr" {
            Level::Warn
        } else {
            Level::Info
        };
        self.out
            .log
            .line(level, self.out.stream, line.trim_end_matches('\r'));
        self.buf.clear();
    }
}

impl Drop for LineSink {
    fn drop(&mut self) {
        if !self.buf.is_empty() {
            self.emit();
        }
    }
}

#[wasmtime_wasi::async_trait]
impl Pollable for LineSink {
    async fn ready(&mut self) {}
}

impl OutputStream for LineSink {
    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        self.push(&bytes);
        Ok(())
    }

    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        Ok(64 * 1024)
    }
}

impl tokio::io::AsyncWrite for LineSink {
    fn poll_write(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        self.push(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rate_limit_drops_lines_beyond_the_burst() {
        let log = AdapterLog::new("x@1.0.0".into(), 5, 1);
        for i in 0..20 {
            log.line(Level::Info, "log", &format!("line {i}"));
        }
        assert!(
            (14..=15).contains(&log.dropped()),
            "about 15 of 20 dropped, got {}",
            log.dropped()
        );
    }

    #[test]
    fn long_lines_are_cut_on_a_character_boundary() {
        let s = "đ".repeat(MAX_LINE);
        let t = truncate(&s);
        assert!(t.len() <= MAX_LINE);
        assert!(t.chars().all(|c| c == 'đ'));
    }
}
