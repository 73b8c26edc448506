//! Values crossing the neutral SQL boundary: [`Arg`] (a bound parameter, borrowed, typed even
//! when NULL because PostgreSQL types every parameter) and [`Row`] (a result row decoded into
//! owned [`Value`]s, read by column name).

use super::SqlError;
use std::sync::Arc;

/// A bound parameter. `None` is a NULL of that type.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Arg<'a> {
    Int(Option<i64>),
    Real(Option<f64>),
    Text(Option<&'a str>),
    Bool(Option<bool>),
    /// A list of texts, for the dialect-specific list forms (`= ANY($n)` on PostgreSQL,
    /// `IN (SELECT value FROM json_each($n))` on SQLite, which gets it as a JSON array).
    TextList(&'a [String]),
}

impl From<i64> for Arg<'_> {
    fn from(v: i64) -> Self {
        Arg::Int(Some(v))
    }
}

impl From<Option<i64>> for Arg<'_> {
    fn from(v: Option<i64>) -> Self {
        Arg::Int(v)
    }
}

impl From<f64> for Arg<'_> {
    fn from(v: f64) -> Self {
        Arg::Real(Some(v))
    }
}

impl From<Option<f64>> for Arg<'_> {
    fn from(v: Option<f64>) -> Self {
        Arg::Real(v)
    }
}

impl From<Option<bool>> for Arg<'_> {
    fn from(v: Option<bool>) -> Self {
        Arg::Bool(v)
    }
}

impl From<bool> for Arg<'_> {
    fn from(v: bool) -> Self {
        Arg::Bool(Some(v))
    }
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(v: &'a str) -> Self {
        Arg::Text(Some(v))
    }
}

impl<'a> From<&'a String> for Arg<'a> {
    fn from(v: &'a String) -> Self {
        Arg::Text(Some(v))
    }
}

impl<'a> From<Option<&'a str>> for Arg<'a> {
    fn from(v: Option<&'a str>) -> Self {
        Arg::Text(v)
    }
}

impl<'a> From<&'a Option<String>> for Arg<'a> {
    fn from(v: &'a Option<String>) -> Self {
        Arg::Text(v.as_deref())
    }
}

impl<'a> From<&'a [String]> for Arg<'a> {
    fn from(v: &'a [String]) -> Self {
        Arg::TextList(v)
    }
}

/// A column value as read.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Bool(bool),
}

/// One result row: its values in column order, and the column names shared by the rows of
/// one result.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    names: Arc<[String]>,
    values: Vec<Value>,
}

impl Row {
    pub(crate) fn new(names: Arc<[String]>, values: Vec<Value>) -> Row {
        Row { names, values }
    }

    /// The value of `column` converted to `T`; an unknown column or a value of another type is
    /// an error (the statement and the code reading it disagree).
    pub(crate) fn get<T: FromValue>(&self, column: &str) -> Result<T, SqlError> {
        let index = self
            .names
            .iter()
            .position(|n| n == column)
            .ok_or_else(|| SqlError::decode(format!("no column {column} in the result")))?;
        T::from_value(&self.values[index])
            .map_err(|why| SqlError::decode(format!("column {column}: {why}")))
    }
}

/// Conversion of a read [`Value`] into a Rust type.
pub(crate) trait FromValue: Sized {
    fn from_value(value: &Value) -> Result<Self, String>;
}

impl FromValue for i64 {
    fn from_value(value: &Value) -> Result<Self, String> {
        match value {
            Value::Int(i) => Ok(*i),
            Value::Bool(b) => Ok(i64::from(*b)),
            other => Err(format!("expected an integer, found {other:?}")),
        }
    }
}

impl FromValue for f64 {
    fn from_value(value: &Value) -> Result<Self, String> {
        match value {
            Value::Real(f) => Ok(*f),
            // SQLite hands back a REAL column holding a whole number as an integer.
            Value::Int(i) => Ok(*i as f64),
            other => Err(format!("expected a number, found {other:?}")),
        }
    }
}

impl FromValue for bool {
    fn from_value(value: &Value) -> Result<Self, String> {
        match value {
            Value::Bool(b) => Ok(*b),
            // SQLite stores booleans as 0 and 1.
            Value::Int(i) => Ok(*i != 0),
            other => Err(format!("expected a boolean, found {other:?}")),
        }
    }
}

impl FromValue for String {
    fn from_value(value: &Value) -> Result<Self, String> {
        match value {
            Value::Text(s) => Ok(s.clone()),
            other => Err(format!("expected text, found {other:?}")),
        }
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(value: &Value) -> Result<Self, String> {
        match value {
            Value::Null => Ok(None),
            other => T::from_value(other).map(Some),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(values: Vec<Value>) -> Row {
        let names: Vec<String> = (0..values.len()).map(|i| format!("c{i}")).collect();
        Row::new(names.into(), values)
    }

    #[test]
    fn values_convert_across_the_dialects_storage_forms() {
        let r = row(vec![
            Value::Int(1),
            Value::Bool(true),
            Value::Int(3),
            Value::Null,
            Value::Text("x".into()),
        ]);
        assert!(r.get::<bool>("c0").unwrap());
        assert!(r.get::<bool>("c1").unwrap());
        assert_eq!(r.get::<f64>("c2").unwrap(), 3.0);
        assert_eq!(r.get::<Option<i64>>("c3").unwrap(), None);
        assert_eq!(r.get::<String>("c4").unwrap(), "x");
        assert!(r.get::<i64>("c3").is_err(), "NULL is not an integer");
        assert!(r.get::<i64>("c4").is_err(), "text is not an integer");
        assert!(r.get::<i64>("missing").is_err());
    }
}
