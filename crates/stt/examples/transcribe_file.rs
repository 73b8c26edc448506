//! Transcribes one audio file with the built-in engine and prints the transcript, the
//! real-time factor and (given reference texts) the word error rate. Used by
//! `bench/transcribe`.
//!
//! ```sh
//! cargo run --release -p scorejar-stt --example transcribe_file -- \
//!   MODEL.bin AUDIO.wav [--threads N] [--beam N (default 5; 1 = greedy)] [--agent-channel N] [--language xx] \
//!   [--reference all.txt] [--reference-channel N=ch.txt ...] [--flash 0|1] [--fit-ctx 0|1] [--json]
//! ```

use scorejar_media::decode_to_pcm;
use scorejar_stt::wer::wer;
use scorejar_stt::whisper::{Sampling, WhisperEngine, WhisperSettings};
use scorejar_stt::{Hints, Transcriber};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // RUST_LOG=scorejar_stt=debug shows every whisper pass with its time.
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let mut args = std::env::args().skip(1);
    let model: PathBuf = args.next().expect("MODEL").into();
    let audio: PathBuf = args.next().expect("AUDIO").into();
    let mut threads = std::thread::available_parallelism().map_or(1, usize::from);
    let mut beam = 5usize;
    let mut hints = Hints::default();
    let mut reference: Option<String> = None;
    let mut channel_refs: Vec<(i64, String)> = Vec::new();
    let mut json = false;
    let mut flash: Option<bool> = None;
    let mut fit_ctx: Option<bool> = None;
    while let Some(arg) = args.next() {
        let mut value = || args.next().expect("a value");
        match arg.as_str() {
            "--threads" => threads = value().parse()?,
            "--beam" => beam = value().parse()?,
            "--agent-channel" => hints.agent_channel = value().parse()?,
            "--language" => hints.language = Some(value()),
            "--reference" => reference = Some(std::fs::read_to_string(value())?),
            "--reference-channel" => {
                let v = value();
                let (ch, path) = v.split_once('=').expect("N=path");
                channel_refs.push((ch.parse()?, std::fs::read_to_string(path)?));
            }
            "--json" => json = true,
            "--flash" => flash = Some(value() != "0"),
            "--fit-ctx" => fit_ctx = Some(value() != "0"),
            other => anyhow::bail!("unknown argument {other}"),
        }
    }
    let name = model
        .file_stem()
        .map_or("model".into(), |s| s.to_string_lossy().to_string());
    let mut settings = WhisperSettings::new(model, name, threads);
    settings.sampling = if beam > 1 {
        Sampling::Beam(beam)
    } else {
        Sampling::Greedy
    };
    settings.flash_attention = flash.unwrap_or(settings.flash_attention);
    settings.fit_audio_ctx = fit_ctx.unwrap_or(settings.fit_audio_ctx);
    let engine = WhisperEngine::load(settings).map_err(|e| anyhow::anyhow!("{e}"))?;
    let transcriber = Transcriber::new(Arc::new(engine));

    let spool = tempfile::tempdir()?;
    let started = Instant::now();
    let decoded = decode_to_pcm(&audio, spool.path())?;
    let decode_secs = started.elapsed().as_secs_f64();
    let transcript = transcriber
        .transcribe(&decoded, &hints)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let total_secs = started.elapsed().as_secs_f64();
    let duration = decoded.duration_secs();

    let mut report = serde_json::json!({
        "file": audio.display().to_string(),
        "audio_secs": duration,
        "channels": decoded.channels.len(),
        "decode_secs": decode_secs,
        "total_secs": total_secs,
        "rtf": duration / total_secs,
        "threads": threads,
        "beam": beam,
        "segments": transcript.segments.len(),
    });
    let join = |channel: Option<i64>| {
        transcript
            .segments
            .iter()
            .filter(|s| channel.is_none() || s.channel == channel)
            .map(|s| s.text.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    };
    if let Some(reference) = &reference {
        report["wer"] = wer(reference, &join(None)).into();
    }
    for (channel, reference) in &channel_refs {
        report[format!("wer_channel_{channel}")] = wer(reference, &join(Some(*channel))).into();
    }
    if json {
        println!("{report}");
    } else {
        println!("{}", transcript.text);
        eprintln!("{report:#}");
    }
    Ok(())
}
