"""Runs engine settings over the dev set and prints, per setting, total wall time, real-time
factor, the set's word error rate (all errors over all reference words) and the largest peak
memory of one file, so settings are chosen on many files instead of on the shared fixtures
(which then check the choice).

usage: run.py DEVSET_DIR TRANSCRIBE_FILE_BIN FW_PYTHON FW_SCRIPT CT2_DIR F16_MODEL Q8_MODEL
              Q8_HEAD_MODEL KIND ROW...
KIND: mono or call (the 12 dialogues), long-mono or long-call (all of them as one recording).
A ROW is `fw:BEAM[:COMPUTE]` (faster-whisper, int8 unless COMPUTE says, e.g. float32) or
`sj:MODEL:BEAM:FLASH:FIT` (MODEL f16, q8_0 or q8_0-head).
"""
import glob
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from wer import words  # noqa: E402


def main():
    devset, bin_, fw_py, fw_script, ct2, m16, m8, mh, kind, *rows = sys.argv[1:]
    models = {"f16": m16, "q8_0": m8, "q8_0-head": mh}
    threads = str(os.cpu_count())
    if kind.startswith("long-"):
        devset, kind = f"{devset}/long", kind[len("long-"):]
    files = sorted(glob.glob(f"{devset}/*_mono16k.wav" if kind == "mono" else f"{devset}/*_call_8k_ulaw.wav"))
    print(f"{len(files)} {kind} files in {devset}, {threads} threads")
    for row in rows:
        secs = audio = errors = total = 0.0
        peak_kb = 0
        per_channel = {}
        for f in files:
            stem = f.rsplit("_", 2 if kind == "mono" else 3)[0]
            refs = {}
            if kind == "mono":
                refs["all"] = open(f"{stem}.txt").read()
                ref_args = ["--reference", f"{stem}.txt"]
            else:
                refs["0"] = open(f"{stem}_agent_ch0.txt").read()
                refs["1"] = open(f"{stem}_customer_ch1.txt").read()
                ref_args = ["--reference-channel", f"0={stem}_agent_ch0.txt",
                            "--reference-channel", f"1={stem}_customer_ch1.txt"]
            parts = row.split(":")
            if parts[0] == "fw":
                compute = parts[2] if len(parts) > 2 else "int8"
                cmd = [fw_py, fw_script, ct2, f, "--beam", parts[1], "--compute", compute,
                       "--threads", threads] + ref_args
            else:
                model = models[parts[1]]
                cmd = [bin_, model, f, "--beam", parts[2], "--flash", parts[3], "--fit-ctx", parts[4],
                       "--threads", threads, "--json"] + ref_args
            run = subprocess.run(["/usr/bin/time", "-f", "PEAK %M"] + cmd, capture_output=True,
                                 text=True, check=True)
            d = json.loads([l for l in run.stdout.splitlines() if l.startswith("{")][-1])
            peak_kb = max(peak_kb, int(run.stderr.rsplit("PEAK ", 1)[1].split()[0]))
            secs += d["total_secs"]
            audio += d["audio_secs"]
            for key, ref in refs.items():
                n = len(words(ref))
                w = d["wer"] if key == "all" else d[f"wer_channel_{key}"]
                errors += w * n
                total += n
                if key != "all":
                    e, t = per_channel.get(key, (0.0, 0))
                    per_channel[key] = (e + w * n, t + n)
        extra = "".join(f", ch{k} {100 * e / t:.1f} %" for k, (e, t) in sorted(per_channel.items()))
        print(f"{row:24} wall {secs:6.2f} s  speed {audio / secs:5.1f}x  WER {100 * errors / total:5.2f} % ({round(errors)} of {int(total)} words{extra})  peak {peak_kb // 1024} MB", flush=True)


main()
