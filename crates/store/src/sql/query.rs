//! Statements assembled at run time (filtered lists, multi-row inserts): the text grows with
//! fixed fragments and `$n` placeholders, every user value becomes an owned parameter.

use super::Arg;

/// An owned parameter of a built [`Query`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Param {
    Int(i64),
    Real(f64),
    Text(String),
    OptText(Option<String>),
    Bool(bool),
}

impl Param {
    fn as_arg(&self) -> Arg<'_> {
        match self {
            Param::Int(i) => Arg::Int(Some(*i)),
            Param::Real(f) => Arg::Real(Some(*f)),
            Param::Text(s) => Arg::Text(Some(s)),
            Param::OptText(s) => Arg::Text(s.as_deref()),
            Param::Bool(b) => Arg::Bool(Some(*b)),
        }
    }
}

/// SQL text with its parameters, numbered in the order they are bound.
#[derive(Debug, Default, Clone)]
pub(crate) struct Query {
    pub sql: String,
    params: Vec<Param>,
}

impl Query {
    pub(crate) fn new(sql: &str) -> Query {
        Query {
            sql: sql.to_owned(),
            params: Vec::new(),
        }
    }

    /// Appends fixed SQL text (never user input).
    pub(crate) fn push(&mut self, sql: &str) -> &mut Self {
        self.sql.push_str(sql);
        self
    }

    /// Adds a parameter and returns its placeholder, to splice into the text.
    pub(crate) fn param(&mut self, param: Param) -> String {
        self.params.push(param);
        format!("${}", self.params.len())
    }

    pub(crate) fn args(&self) -> Vec<Arg<'_>> {
        self.params.iter().map(Param::as_arg).collect()
    }

    #[cfg(test)]
    pub(crate) fn params(&self) -> &[Param] {
        &self.params
    }
}
