//! Every key `docs/configuration.md` documents takes effect from a `--config` TOML file and from
//! a `SCOREJAR_…__…` environment variable, as `scorejar config show --format json` prints it.
//! The keys come from the document itself, so a new documented key that either layer cannot set
//! fails here; and every setting the binary has must be documented.

use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_scorejar");
const DOC: &str = include_str!("../../../docs/configuration.md");

/// Array-of-tables settings: their element keys are documented as `key[].field`. figment cannot
/// address one element from the environment (`__0__` would make a table, not an index), so an
/// element field is set there through the whole list as one value:
/// `SCOREJAR_LLM__PROVIDERS=[{name = "p0", base_url = "…", field = …}]`.
const LISTS_OF_TABLES: &[&str] = &["llm.providers"];
/// What an element of a list above needs before any other field can be shown on it.
const ELEMENT: &str = r#"{"name": "p0", "base_url": "http://p0.example/v1"}"#;
/// A `null` default says nothing of the type; these are numbers when set (the rest: text).
const NUMBERS_WHEN_SET: &[&str] = &["price_prompt_per_1k", "price_completion_per_1k"];
/// Enumerations take only their own words: a documented alternative to the default.
const CHOICES: &[(&str, &str)] = &[("structured_output", "json_object")];
/// Secrets are shown redacted, so only "set" (not the value) is visible.
const SECRETS: &[&str] = &["jwt_secret", "metrics_token"];

/// Runs `config show --format json` with only the given `SCOREJAR_*` variables (the test's own
/// environment's are removed) and, if given, a TOML `--config` file.
fn show(env: &[(String, String)], toml: Option<&str>) -> Result<Value, String> {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(BIN);
    cmd.args(["config", "show", "--format", "json"]);
    for (name, _) in std::env::vars() {
        if name.starts_with("SCOREJAR_") || name == "DATABASE_URL" {
            cmd.env_remove(name);
        }
    }
    cmd.envs(env.iter().map(|(k, v)| (k, v)));
    if let Some(toml) = toml {
        let path = dir.path().join("scorejar.toml");
        std::fs::write(&path, toml).unwrap();
        cmd.arg("--config").arg(path);
    }
    let out = cmd.output().unwrap();
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr)
            .lines()
            .next()
            .unwrap_or("")
            .into());
    }
    Ok(serde_json::from_slice(&out.stdout).unwrap())
}

/// The keys of the document's table: the first cell's backticked names. A name without a dot
/// after the first one is a sibling (`http.rate_limit.per_ip_per_sec` / `per_ip_burst`).
fn documented_keys() -> Vec<String> {
    let mut keys = Vec::new();
    for line in DOC.lines().filter(|l| l.starts_with("| `")) {
        let cell = line.split('|').nth(1).unwrap();
        let names: Vec<&str> = cell.split('`').skip(1).step_by(2).collect();
        let parent = names[0].rsplit_once('.').map_or("", |(p, _)| p);
        for name in names {
            if name.contains('.') || parent.is_empty() {
                keys.push(name.to_string());
            } else {
                keys.push(format!("{parent}.{name}"));
            }
        }
    }
    keys
}

fn env_name(key: &str) -> String {
    format!("SCOREJAR_{}", key.replace('.', "__").to_ascii_uppercase())
}

fn pointer(key: &str) -> String {
    format!("/{}", key.replace('.', "/"))
}

/// TOML (and figment's environment syntax for tables and lists) for a JSON value.
fn literal(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let fields: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{k} = {}", literal(v)))
                .collect();
            format!("{{{}}}", fields.join(", "))
        }
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(literal).collect();
            format!("[{}]", items.join(", "))
        }
        other => other.to_string(),
    }
}

/// A value for the setting other than its default. Text looks like a number, since a text
/// setting must take the environment's value verbatim.
fn sample(field: &str, default: &Value, n: usize) -> Value {
    if let Some((_, choice)) = CHOICES.iter().find(|(name, _)| *name == field) {
        return json!(choice);
    }
    let value = match default {
        Value::Bool(b) => json!(!b),
        Value::Number(x) => json!(x.as_u64().expect("integer defaults") + 1 + n as u64),
        Value::Null if NUMBERS_WHEN_SET.contains(&field) => json!(0.25 + n as f64),
        Value::String(_) | Value::Null => json!(format!("7{n:03}")),
        // A list of numbers (`webhooks.retry_schedule_secs`), else of text (hosts).
        Value::Array(items) if items.first().is_some_and(Value::is_number) => {
            json!([n as u64 + 1, 2])
        }
        Value::Array(_) => json!([format!("h{n}.internal:8080")]),
        // A map of text (`media_storage_options`): one entry that looks like a bool.
        Value::Object(_) => json!({ "example_option": "true" }),
    };
    assert_ne!(&value, default, "{field}");
    value
}

struct Case {
    key: String,
    /// (variables, TOML file) setting the key.
    env: Vec<(String, String)>,
    toml: String,
    /// Where to look in the output and what must be there.
    at: String,
    want: Value,
}

fn case(key: &str, n: usize, defaults: &Value, element: &Value) -> Result<Case, String> {
    let element_field = LISTS_OF_TABLES
        .iter()
        .find_map(|list| Some((*list, key.strip_prefix(list)?.strip_prefix("[].")?)));
    if let Some((list, field)) = element_field {
        let default = element
            .get(field)
            .ok_or(format!("no field {field} in an element"))?;
        let mut value: Value = serde_json::from_str(ELEMENT).unwrap();
        value[field] = sample(field, default, n);
        return Ok(Case {
            key: key.into(),
            env: vec![(env_name(list), literal(&json!([value.clone()])))],
            toml: format!("[[{list}]]\n{field} = {}\n", literal(&value[field]))
                + &format!("{}\n", fields_but(&value, field)),
            at: format!("{}/0/{field}", pointer(list)),
            want: value[field].clone(),
        });
    }
    let default = defaults
        .pointer(&pointer(key))
        .ok_or(format!("`config show` has no {key}"))?;
    if LISTS_OF_TABLES.contains(&key) {
        let list: Value = json!([serde_json::from_str::<Value>(ELEMENT).unwrap()]);
        return Ok(Case {
            key: key.into(),
            env: vec![(env_name(key), literal(&list))],
            toml: format!("[[{key}]]\n{}\n", fields_but(&list[0], "")),
            at: pointer(key),
            want: json!([element]),
        });
    }
    let field = key.rsplit('.').next().unwrap();
    let value = sample(field, default, n);
    let (env_key, env_value, toml) = match &value {
        Value::Object(map) => {
            let (k, v) = map.iter().next().unwrap();
            let v = v.as_str().unwrap();
            (
                format!("{key}.{k}"),
                v.to_string(),
                format!("{key}.{k} = \"{v}\""),
            )
        }
        Value::String(s) => (key.into(), s.clone(), format!("{key} = {value}")),
        _ => (
            key.into(),
            literal(&value),
            format!("{key} = {}", literal(&value)),
        ),
    };
    let want = if SECRETS.contains(&key) {
        json!("<redacted>")
    } else {
        value
    };
    Ok(Case {
        key: key.into(),
        env: vec![(env_name(&env_key), env_value)],
        toml,
        at: pointer(key),
        want,
    })
}

/// `k = v` lines of a table's fields, but `skip`.
fn fields_but(table: &Value, skip: &str) -> String {
    let lines: Vec<String> = table
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| k.as_str() != skip)
        .map(|(k, v)| format!("{k} = {}", literal(v)))
        .collect();
    lines.join("\n")
}

/// The defaults, and the defaults of a list element holding only `ELEMENT`'s fields.
fn defaults() -> (Value, Value) {
    let defaults = show(&[], None).unwrap();
    let element: Value = serde_json::from_str(ELEMENT).unwrap();
    let toml = format!("[[llm.providers]]\n{}\n", fields_but(&element, ""));
    let with_one = show(&[], Some(&toml)).unwrap();
    (defaults, with_one["llm"]["providers"][0].clone())
}

#[test]
fn every_documented_key_is_set_from_the_environment_and_from_a_file() {
    let (defaults, element) = defaults();
    let keys = documented_keys();
    assert!(keys.len() > 60, "the table was not found: {keys:?}");
    let mut failures = Vec::new();
    for (n, key) in keys.iter().enumerate() {
        let case = match case(key, n, &defaults, &element) {
            Ok(case) => case,
            Err(e) => {
                failures.push(format!("{key}: {e}"));
                continue;
            }
        };
        for (layer, got) in [
            ("environment", show(&case.env, None)),
            ("file", show(&[], Some(&case.toml))),
        ] {
            match got.map(|v| v.pointer(&case.at).cloned()) {
                Ok(Some(got)) if got == case.want => {}
                other => failures.push(format!(
                    "{} from the {layer} ({:?} / {:?}): want {} at {}, got {other:?}",
                    case.key, case.env, case.toml, case.want, case.at
                )),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The other direction: a setting nobody documented is a setting nobody can find.
#[test]
fn every_setting_is_documented() {
    let (defaults, element) = defaults();
    let documented: BTreeSet<String> = documented_keys().into_iter().collect();
    let mut leaves = Vec::new();
    collect_leaves("", &defaults, &mut leaves);
    for list in LISTS_OF_TABLES {
        for field in element.as_object().unwrap().keys() {
            leaves.push(format!("{list}[].{field}"));
        }
    }
    let missing: Vec<&String> = leaves.iter().filter(|k| !documented.contains(*k)).collect();
    assert!(
        missing.is_empty(),
        "not in docs/configuration.md: {missing:?}"
    );
}

/// Dotted names of the scalars, lists and (empty) maps under `value`.
fn collect_leaves(prefix: &str, value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (k, v) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                collect_leaves(&key, v, out);
            }
        }
        _ => out.push(prefix.to_string()),
    }
}

fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn text_settings_take_the_value_verbatim_quotes_included() {
    let got = show(
        &vars(&[
            ("SCOREJAR_JWT_ISSUER", "\"quoted\""),
            ("SCOREJAR_JWT_AUDIENCE", "12345"),
            ("SCOREJAR_MEDIA_STORAGE_OPTIONS__AWS_ALLOW_HTTP", "true"),
            ("SCOREJAR_BILLING__EVALUATION_PER_MINUTE", "2"),
        ]),
        None,
    )
    .unwrap();
    assert_eq!(got["jwt_issuer"], "\"quoted\"");
    assert_eq!(got["jwt_audience"], "12345");
    assert_eq!(got["media_storage_options"]["aws_allow_http"], "true");
    assert_eq!(got["billing"]["evaluation_per_minute"], 2);
}

#[test]
fn variables_that_are_not_settings_do_not_stop_the_start_up() {
    let got = show(
        &vars(&[
            ("SCOREJAR_LOG", "debug"),
            ("SCOREJAR_TEST_PG_URL", "postgres://x@localhost/test"),
            ("DATABASE_URL", "postgres://app@db/scorejar"),
        ]),
        None,
    )
    .unwrap();
    assert_eq!(got["database_url"], "postgres://app@db/scorejar");
}

#[test]
fn a_misspelt_setting_stops_the_start_up_naming_its_variable() {
    let err = show(
        &vars(&[("SCOREJAR_BILLING__EVALUATION_PER_MINUT", "2")]),
        None,
    )
    .unwrap_err();
    assert!(err.contains("evaluation_per_minut"), "{err}");
    let err = show(&vars(&[("SCOREJAR_WORKER__CONCURRENCY", "many")]), None).unwrap_err();
    assert!(err.contains("SCOREJAR_WORKER__CONCURRENCY"), "{err}");
}

#[test]
fn show_redacts_secrets() {
    let out = Command::new(BIN)
        .args(["config", "show"])
        .env(
            "SCOREJAR_JWT_SECRET",
            "a-jwt-secret-that-is-long-enough-32b",
        )
        .env("DATABASE_URL", "postgres://app:hunter2@db/scorejar")
        .env(
            "SCOREJAR_MEDIA_STORAGE_OPTIONS__AWS_SECRET_ACCESS_KEY",
            "s3cr3t",
        )
        .output()
        .unwrap();
    assert!(out.status.success());
    let toml = String::from_utf8(out.stdout).unwrap();
    for secret in ["a-jwt-secret", "hunter2", "s3cr3t"] {
        assert!(!toml.contains(secret), "{secret} in {toml}");
    }
    assert!(
        toml.contains("postgres://app:<redacted>@db/scorejar"),
        "{toml}"
    );
}
