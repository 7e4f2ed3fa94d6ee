//! Read+validate throughput of the edXML reader, and its peak memory on a 100 MiB attachment.
//!
//! `cargo bench --bench edxml_read` prints figures; nothing is asserted about time. Targets
//! (issue "edXML codec"): ≥ 200 MB/s streaming read; peak RSS < 32 MiB for a 100 MiB attachment.

use std::io::{self, BufReader, Read};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use base64::Engine;
use truc::edxml::{
    Attachment, Document, Limits, MemorySink, NullSink, Organ, Package, Sha256, ValidationContext,
    read, read_bytes, validate, write_to_vec,
};

/// At least this much attachment (whole blocks, so 102 MiB).
const ATTACHMENT_BYTES: u64 = 100 << 20;
/// Random bytes per repeated block; a multiple of 3 so blocks concatenate into valid base64.
const BLOCK: usize = 3 << 20;

fn repo_root() -> PathBuf {
    PathBuf::from(option_env!("TRUC_REPO_ROOT").unwrap_or(env!("CARGO_MANIFEST_DIR")))
}

/// Serves a base64 block once, then `left` more times: the generator behind the big package.
struct Repeat {
    block: Vec<u8>,
    pos: usize,
    left: usize,
}

impl Read for Repeat {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.pos == self.block.len() {
            if self.left == 0 {
                return Ok(0);
            }
            self.left -= 1;
            self.pos = 0;
        }
        let n = out.len().min(self.block.len() - self.pos);
        out[..n].copy_from_slice(&self.block[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// Canonical package text before and after the attachment's base64.
fn package_halves() -> (String, String) {
    let mut doc = Document {
        from: Organ {
            organ_id: "000.00.00.G22".parse().ok(),
            ..Organ::default()
        },
        to: vec![Organ {
            organ_id: "000.00.00.H41".parse().ok(),
            ..Organ::default()
        }],
        subject: "Benchmark".into(),
        document_id: "000.00.00.G22,2018/09/28,1/VPCP".parse().ok(),
        ..Document::default()
    };
    doc.attachments.push(Attachment {
        content_id: "big".into(),
        name: "big.pdf".into(),
        description: String::new(),
        content_type: "application/pdf".into(),
        format: None,
        size: 0,
        sha256: Sha256::of(b""),
        zipped: false,
    });
    let mut store = MemorySink::new();
    store.insert("big", Vec::new());
    let xml = write_to_vec(&Package::Document(Box::new(doc)), &store).expect("write the skeleton");
    let xml = String::from_utf8(xml).expect("UTF-8");
    let marker = "QCVN_102_2016\">";
    let at = xml
        .find(&format!("{marker}</edXML:ContentTransferEncoded>"))
        .expect("content element")
        + marker.len();
    (xml[..at].to_owned(), xml[at..].to_owned())
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn mb_per_s(bytes: u64, t: Duration) -> f64 {
    bytes as f64 / 1e6 / t.as_secs_f64()
}

fn streaming_100_mib() {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let raw: Vec<u8> = (0..BLOCK)
        .map(|_| {
            // xorshift64: incompressible, deterministic content.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 32) as u8
        })
        .collect();
    let block = base64::engine::general_purpose::STANDARD
        .encode(&raw)
        .into_bytes();
    let repeats = (ATTACHMENT_BYTES as usize).div_ceil(BLOCK);
    drop(raw);
    let (head, tail) = package_halves();
    let total = head.len() as u64 + (block.len() * repeats) as u64 + tail.len() as u64;
    let body = Repeat {
        block,
        pos: 0,
        left: repeats - 1,
    };
    let input =
        BufReader::with_capacity(64 << 10, head.as_bytes().chain(body).chain(tail.as_bytes()));
    let rss_before = peak_rss_kib().unwrap_or(0);
    let start = Instant::now();
    let pkg = read(input, &mut NullSink, &Limits::default()).expect("read the generated package");
    let problems = validate(&pkg, &ValidationContext::now());
    let t = start.elapsed();
    let decoded = match &pkg {
        Package::Document(d) => d.attachments[0].size,
        Package::Status(_) => 0,
    };
    assert_eq!(
        decoded,
        (BLOCK * repeats) as u64,
        "the whole attachment was decoded"
    );
    println!(
        "edxml_read/streaming: {:.1} MiB package ({} MiB attachment) in {:.3} s: {:.0} MB/s input, {:.0} MB/s decoded; {} problems",
        total as f64 / 1048576.0,
        decoded >> 20,
        t.as_secs_f64(),
        mb_per_s(total, t),
        mb_per_s(decoded, t),
        problems.len()
    );
    match peak_rss_kib() {
        Some(kib) => println!(
            "edxml_read/streaming: peak RSS (VmHWM) {:.1} MiB for the process, {:.1} MiB before reading (target < 32 MiB)",
            kib as f64 / 1024.0,
            rss_before as f64 / 1024.0
        ),
        None => println!("edxml_read/streaming: peak RSS unavailable (no /proc/self/status)"),
    }
}

fn sample_edoc_new() {
    let path = repo_root().join("tests/data/vpcp-sdk/edoc_new.edxml");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let ctx = ValidationContext::now();
    let mut runs = 0u64;
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(2) {
        let pkg = read_bytes(&bytes, &mut NullSink, &Limits::default()).expect("read the sample");
        std::hint::black_box(validate(&pkg, &ctx));
        runs += 1;
    }
    let t = start.elapsed();
    println!(
        "edxml_read/edoc_new.edxml: {} runs of {} bytes (zipped attachment, unzipped on the way) in {:.3} s: {:.0} MB/s, {:.2} ms per package",
        runs,
        bytes.len(),
        t.as_secs_f64(),
        mb_per_s(bytes.len() as u64 * runs, t),
        t.as_secs_f64() * 1000.0 / runs as f64
    );
}

fn main() {
    // Streaming first, so the process's peak RSS reflects it rather than the sample loop.
    streaming_100_mib();
    sample_edoc_new();
}
