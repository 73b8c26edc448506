"""faster-whisper on one fixture, the way bench/transcribe compares it with scorejar.

Prints one JSON line: audio seconds, wall seconds (decode + transcribe, model load excluded),
real-time factor, and WER per channel (two-channel files are split and each channel
transcribed on its own, as scorejar does).

usage: faster_whisper_run.py MODEL_DIR AUDIO [--beam N] [--threads N] [--compute int8]
                             [--reference all.txt] [--reference-channel N=ch.txt ...]
"""
import argparse
import json
import time

from faster_whisper import WhisperModel
from faster_whisper.audio import decode_audio
from wer import wer


def main():
    p = argparse.ArgumentParser()
    p.add_argument("model_dir")
    p.add_argument("audio")
    p.add_argument("--beam", type=int, default=5)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--compute", default="int8")
    p.add_argument("--reference")
    p.add_argument("--reference-channel", action="append", default=[])
    a = p.parse_args()

    model = WhisperModel(a.model_dir, device="cpu", compute_type=a.compute, cpu_threads=a.threads)
    started = time.perf_counter()
    stereo = bool(a.reference_channel)
    audio = decode_audio(a.audio, split_stereo=stereo)
    channels = list(audio) if stereo else [audio]
    texts = []
    for samples in channels:
        segments, _info = model.transcribe(samples, beam_size=a.beam, language="en")
        texts.append(" ".join(s.text.strip() for s in segments))
    wall = time.perf_counter() - started
    seconds = len(channels[0]) / 16000.0
    report = {
        "engine": "faster-whisper",
        "file": a.audio,
        "audio_secs": seconds,
        "total_secs": wall,
        "rtf": seconds / wall,
        "beam": a.beam,
        "compute": a.compute,
        "threads": a.threads,
    }
    if a.reference:
        report["wer"] = wer(open(a.reference).read(), " ".join(texts))
    for spec in a.reference_channel:
        ch, path = spec.split("=", 1)
        report[f"wer_channel_{ch}"] = wer(open(path).read(), texts[int(ch)])
    print(json.dumps(report))


if __name__ == "__main__":
    main()
