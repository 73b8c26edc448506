//! The `sections` of a scorecard: validated and normalised into the JSON that is stored.
//!
//! Normal form: every section is `{id, name, description?, questions}` (an input `title` is
//! stored as `name`); every question `{id, text, type, prompt?, naWhen?, answers? | min, max, step?,
//! rules?, weight?}`; every answer `{label, points, autoFail}` with `points: null` meaning N/A.
//! Missing ids are generated (`ids::new_id`); numbers are kept exactly as sent; `rules` is
//! stored as-is for the rules engine. Keys not listed here are dropped.

use std::collections::HashSet;

use serde_json::{json, Map, Value};

use super::limits::{
    MAX_ANSWERS, MAX_ID_CHARS, MAX_LABEL_CHARS, MAX_QUESTIONS, MAX_QUESTION_TEXT_CHARS,
    MAX_SECTIONS, MAX_SECTION_NAME_CHARS,
};
use super::QuestionType;
use crate::error::ApiError;
use crate::ids::new_id;
use crate::payload::fields::{
    as_array, as_bool, as_finite_f64, as_object, as_str, check_max_chars, check_max_items, index,
    is_blank, join, optional, optional_string, parse_enum, quote, required, required_text, wrong,
};

/// Ids seen so far, so duplicates are reported where they occur.
#[derive(Default)]
struct SeenIds {
    sections: HashSet<String>,
    questions: HashSet<String>,
    question_count: usize,
}

/// Validates `sections` (at JSON path `sections`) and returns the normal form and the number
/// of questions in it.
pub(super) fn normalise_sections(value: &Value) -> Result<(Value, usize), ApiError> {
    let path = "sections";
    let items = as_array(value, path)?;
    check_max_items(items, MAX_SECTIONS, path)?;
    let mut seen = SeenIds::default();
    let sections = items
        .iter()
        .enumerate()
        .map(|(i, item)| normalise_section(item, &index(path, i), &mut seen))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((Value::Array(sections), seen.question_count))
}

fn normalise_section(value: &Value, path: &str, seen: &mut SeenIds) -> Result<Value, ApiError> {
    let obj = as_object(value, path)?;
    let id = id_or_new(obj, path, &mut seen.sections, "section")?;
    let name_key = if optional(obj, "name").is_some() {
        "name"
    } else if optional(obj, "title").is_some() {
        "title"
    } else {
        return Err(ApiError::missing(join(path, "name")));
    };
    let name = required_text(obj, name_key, &join(path, name_key), MAX_SECTION_NAME_CHARS)?;
    let description = optional_string(
        obj,
        "description",
        &join(path, "description"),
        MAX_QUESTION_TEXT_CHARS,
    )?;

    let questions_path = join(path, "questions");
    let questions = match optional(obj, "questions") {
        Some(v) => as_array(v, &questions_path)?.as_slice(),
        None => &[],
    };
    let mut normal_questions = Vec::with_capacity(questions.len());
    for (i, question) in questions.iter().enumerate() {
        seen.question_count += 1;
        if seen.question_count > MAX_QUESTIONS {
            return Err(ApiError::invalid(
                &questions_path,
                format!("a scorecard may have at most {MAX_QUESTIONS} questions"),
            ));
        }
        normal_questions.push(normalise_question(
            question,
            &index(&questions_path, i),
            seen,
        )?);
    }

    let mut section = Map::new();
    section.insert("id".into(), Value::from(id));
    section.insert("name".into(), Value::from(name));
    if let Some(description) = description {
        section.insert("description".into(), Value::from(description));
    }
    section.insert("questions".into(), Value::Array(normal_questions));
    Ok(Value::Object(section))
}

fn normalise_question(value: &Value, path: &str, seen: &mut SeenIds) -> Result<Value, ApiError> {
    let obj = as_object(value, path)?;
    let id = id_or_new(obj, path, &mut seen.questions, "question")?;
    let text = required_text(obj, "text", &join(path, "text"), MAX_QUESTION_TEXT_CHARS)?;
    let type_path = join(path, "type");
    let kind = parse_enum(
        required(obj, "type", &type_path)?,
        &type_path,
        QuestionType::ALL,
        QuestionType::as_str,
    )?;
    let prompt = optional_string(
        obj,
        "prompt",
        &join(path, "prompt"),
        MAX_QUESTION_TEXT_CHARS,
    )?;
    let na_when = optional_string(
        obj,
        "naWhen",
        &join(path, "naWhen"),
        MAX_QUESTION_TEXT_CHARS,
    )?;

    let mut question = Map::new();
    question.insert("id".into(), Value::from(id));
    question.insert("text".into(), Value::from(text));
    question.insert("type".into(), Value::from(kind.as_str()));
    if let Some(prompt) = prompt {
        question.insert("prompt".into(), Value::from(prompt));
    }
    if let Some(na_when) = na_when {
        question.insert("naWhen".into(), Value::from(na_when));
    }
    match kind {
        QuestionType::Single | QuestionType::Multiple => {
            reject_keys(obj, path, &["min", "max", "step"], kind)?;
            let answers_path = join(path, "answers");
            let answers =
                normalise_answers(required(obj, "answers", &answers_path)?, &answers_path)?;
            question.insert("answers".into(), answers);
        }
        QuestionType::Slider => {
            reject_keys(obj, path, &["answers"], kind)?;
            for (key, bound) in slider_bounds(obj, path)? {
                question.insert(key.into(), bound);
            }
        }
    }
    if let Some(rules) = optional(obj, "rules") {
        let rules_path = join(path, "rules");
        if !(rules.is_object() || rules.is_array()) {
            return Err(wrong(&rules_path, "an object or an array", rules));
        }
        check_rules(&question, rules, &rules_path)?;
        question.insert("rules".into(), rules.clone());
    }
    if let Some(weight) = optional(obj, "weight") {
        let weight_path = join(path, "weight");
        if as_finite_f64(weight, &weight_path)? < 0.0 {
            return Err(wrong(&weight_path, "a number >= 0", weight));
        }
        question.insert("weight".into(), weight.clone());
    }
    Ok(Value::Object(question))
}

/// The rules engine's check of `rules` against the question it answers (its labels, its
/// kind): a scorecard is never saved with rules that cannot run.
fn check_rules(question: &Map<String, Value>, rules: &Value, path: &str) -> Result<(), ApiError> {
    let spec = crate::scoring::card::question_from_stored(&Value::Object(question.clone()))
        .map_err(|e| ApiError::invalid(path, format!("`{path}`: {e}")))?;
    crate::evaluation::rules::parse(rules, path, &spec.kind)
        .map(|_| ())
        .map_err(|e| ApiError::invalid(&e.path, format!("`{}` {}", e.path, e.message)))
}

/// `min`/`max` (required, `min < max`) and `step` (optional, `0 < step <= max - min`),
/// returned as the JSON numbers that were sent.
fn slider_bounds(
    obj: &Map<String, Value>,
    path: &str,
) -> Result<Vec<(&'static str, Value)>, ApiError> {
    let number = |key: &str| -> Result<(f64, Value), ApiError> {
        let field = join(path, key);
        let value = required(obj, key, &field)?;
        Ok((as_finite_f64(value, &field)?, value.clone()))
    };
    let (min, min_json) = number("min")?;
    let (max, max_json) = number("max")?;
    if min >= max {
        let field = join(path, "max");
        return Err(ApiError::invalid(
            &field,
            format!("`{field}` ({max}) must be greater than `min` ({min})"),
        ));
    }
    let mut bounds = vec![("min", min_json), ("max", max_json)];
    if let Some(step) = optional(obj, "step") {
        let field = join(path, "step");
        let size = as_finite_f64(step, &field)?;
        if size <= 0.0 || size > max - min {
            return Err(wrong(&field, "a number > 0 and at most `max - min`", step));
        }
        bounds.push(("step", step.clone()));
    }
    Ok(bounds)
}

fn normalise_answers(value: &Value, path: &str) -> Result<Value, ApiError> {
    let items = as_array(value, path)?;
    if items.is_empty() {
        return Err(ApiError::invalid(
            path,
            format!("`{path}` must have at least one answer"),
        ));
    }
    check_max_items(items, MAX_ANSWERS, path)?;
    let mut labels = HashSet::new();
    let mut answers = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let answer_path = index(path, i);
        let obj = as_object(item, &answer_path)?;
        let label_path = join(&answer_path, "label");
        let label = required_text(obj, "label", &label_path, MAX_LABEL_CHARS)?;
        if !labels.insert(label.clone()) {
            return Err(ApiError::invalid(
                &label_path,
                format!(
                    "`{label_path}` {} is used by another answer of this question",
                    quote(&label)
                ),
            ));
        }
        let points = match optional(obj, "points") {
            Some(p) => {
                as_finite_f64(p, &join(&answer_path, "points"))?;
                p.clone()
            }
            None => Value::Null,
        };
        let auto_fail = optional(obj, "autoFail")
            .map(|v| as_bool(v, &join(&answer_path, "autoFail")))
            .transpose()?
            .unwrap_or(false);
        answers.push(json!({"label": label, "points": points, "autoFail": auto_fail}));
    }
    Ok(Value::Array(answers))
}

/// Keys that do not belong to questions of `kind` are a mistake worth reporting.
fn reject_keys(
    obj: &Map<String, Value>,
    path: &str,
    keys: &[&str],
    kind: QuestionType,
) -> Result<(), ApiError> {
    match keys.iter().find(|k| optional(obj, k).is_some()) {
        Some(key) => {
            let field = join(path, key);
            Err(ApiError::invalid(
                &field,
                format!("`{field}` is not allowed on a {kind} question"),
            ))
        }
        None => Ok(()),
    }
}

/// The given `id` (non-blank string, unique among `seen`) or a fresh one.
fn id_or_new(
    obj: &Map<String, Value>,
    path: &str,
    seen: &mut HashSet<String>,
    what: &str,
) -> Result<String, ApiError> {
    let field = join(path, "id");
    let id = match optional(obj, "id") {
        Some(v) => {
            let id = as_str(v, &field)?;
            if is_blank(id) {
                return Err(ApiError::invalid(
                    &field,
                    format!("`{field}` must not be empty"),
                ));
            }
            check_max_chars(id, MAX_ID_CHARS, &field)?;
            id.to_string()
        }
        None => new_id(),
    };
    if !seen.insert(id.clone()) {
        return Err(ApiError::invalid(
            &field,
            format!("`{field}` {} is already used by another {what}", quote(&id)),
        ));
    }
    Ok(id)
}
