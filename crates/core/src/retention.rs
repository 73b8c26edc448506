//! An account's retention as the API takes it: `{"mediaDays": n | null,
//! "interactionDays": n | null}` — days after an interaction arrives to keep its recording,
//! and the interaction itself; null keeps for ever. Both fields are required (a PUT says the
//! whole policy), each a whole number of days from 1 to [`MAX_DAYS`], and a recording cannot
//! outlive its interaction.

use crate::ApiError;
use serde_json::Value;

/// A hundred years.
pub const MAX_DAYS: i64 = 36_500;

/// (media days, interaction days) from the body, or the field at fault and why.
pub fn parse_retention(body: &Value) -> Result<(Option<i64>, Option<i64>), ApiError> {
    let map = body
        .as_object()
        .ok_or_else(|| ApiError::invalid("body", "must be a JSON object"))?;
    if let Some(key) = map
        .keys()
        .find(|k| *k != "mediaDays" && *k != "interactionDays")
    {
        return Err(ApiError::invalid(
            key.as_str(),
            format!("unknown field `{key}`; expected mediaDays, interactionDays"),
        ));
    }
    let days = |field: &str| -> Result<Option<i64>, ApiError> {
        match map.get(field) {
            None => Err(ApiError::invalid(
                field,
                "is required (null keeps for ever)",
            )),
            Some(Value::Null) => Ok(None),
            Some(v) => match v.as_i64() {
                Some(n) if (1..=MAX_DAYS).contains(&n) => Ok(Some(n)),
                _ => Err(ApiError::invalid(
                    field,
                    format!("must be null or a whole number of days from 1 to {MAX_DAYS}"),
                )),
            },
        }
    };
    let (media, interaction) = (days("mediaDays")?, days("interactionDays")?);
    if let (Some(m), Some(i)) = (media, interaction) {
        if m > i {
            return Err(ApiError::invalid(
                "mediaDays",
                "cannot be more than interactionDays: the recording goes with its interaction",
            ));
        }
    }
    Ok((media, interaction))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_whole_policy_of_days_or_nulls() {
        let cases = [
            (
                json!({"mediaDays": 30, "interactionDays": 365}),
                Ok((Some(30), Some(365))),
            ),
            (
                json!({"mediaDays": null, "interactionDays": 90}),
                Ok((None, Some(90))),
            ),
            (
                json!({"mediaDays": 7, "interactionDays": null}),
                Ok((Some(7), None)),
            ),
            (
                json!({"mediaDays": null, "interactionDays": null}),
                Ok((None, None)),
            ),
            (
                json!({"mediaDays": 30, "interactionDays": 30}),
                Ok((Some(30), Some(30))),
            ),
            (
                json!({"mediaDays": 31, "interactionDays": 30}),
                Err("mediaDays"),
            ),
            (
                json!({"mediaDays": 0, "interactionDays": null}),
                Err("mediaDays"),
            ),
            (
                json!({"mediaDays": 1.5, "interactionDays": null}),
                Err("mediaDays"),
            ),
            (
                json!({"mediaDays": "30", "interactionDays": null}),
                Err("mediaDays"),
            ),
            (
                json!({"mediaDays": null, "interactionDays": 36501}),
                Err("interactionDays"),
            ),
            (json!({"mediaDays": null}), Err("interactionDays")),
            (
                json!({"mediaDays": null, "interactionDays": null, "x": 1}),
                Err("x"),
            ),
            (json!([1]), Err("body")),
        ];
        for (body, want) in cases {
            let got = parse_retention(&body).map_err(|e| e.field.unwrap_or_default());
            assert_eq!(got, want.map_err(str::to_owned), "{body}");
        }
    }
}
