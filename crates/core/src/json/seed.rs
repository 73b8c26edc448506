//! The serde visitor behind [`super::parse`]: builds a `Value` following a [`Shape`].
//!
//! A rejection (NUL, too many entries, too deep) is stored in [`Ctx`] as the `ApiError` to
//! answer, and serde is stopped with a placeholder error that `parse` replaces by it.

use super::shape::{Shape, Unknown};
use super::{MAX_ANY_ITEMS, MAX_DEPTH};
use crate::error::ApiError;
use crate::text::{check_no_nul, nul_error};
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::fmt;

#[derive(Default)]
pub(super) struct Ctx {
    error: RefCell<Option<ApiError>>,
}

impl Ctx {
    fn fail<E: de::Error>(&self, err: ApiError) -> E {
        *self.error.borrow_mut() = Some(err);
        E::custom("rejected")
    }

    pub(super) fn take_error(&self) -> Option<ApiError> {
        self.error.borrow_mut().take()
    }
}

/// Where a value sits, as a linked list up to the root: paths are only rendered for errors.
pub(super) struct Node<'a> {
    parent: Option<&'a Node<'a>>,
    seg: Seg<'a>,
    depth: usize,
}

enum Seg<'a> {
    Root,
    Key(&'a str),
    Index(usize),
}

impl<'a> Node<'a> {
    pub(super) fn root() -> Self {
        Node {
            parent: None,
            seg: Seg::Root,
            depth: 0,
        }
    }

    fn child(&'a self, seg: Seg<'a>) -> Node<'a> {
        Node {
            parent: Some(self),
            seg,
            depth: self.depth + 1,
        }
    }

    /// `a.b[2].c`; empty at the root.
    fn path(&self) -> String {
        let mut out = self.parent.map(Node::path).unwrap_or_default();
        match self.seg {
            Seg::Root => {}
            Seg::Key(k) if out.is_empty() => out.push_str(k),
            Seg::Key(k) => {
                out.push('.');
                out.push_str(k);
            }
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
        }
        out
    }

    /// The path, or a word for the document itself.
    fn name(&self) -> String {
        let path = self.path();
        if path.is_empty() {
            "(body)".to_string()
        } else {
            path
        }
    }
}

pub(super) struct ValueSeed<'a> {
    ctx: &'a Ctx,
    shape: &'a Shape,
    node: &'a Node<'a>,
}

impl<'a> ValueSeed<'a> {
    pub(super) fn new(ctx: &'a Ctx, shape: &'a Shape, node: &'a Node<'a>) -> Self {
        Self { ctx, shape, node }
    }
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        // serde_json never hands over a non-finite float, so this is never Null.
        Ok(Value::from(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        self.visit_string(v.to_string())
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        check_no_nul(&self.node.name(), &v).map_err(|e| self.ctx.fail(e))?;
        Ok(Value::String(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let (items, max) = match *self.shape {
            Shape::Array { items, max } => (items, max),
            Shape::Any => {
                self.check_depth()?;
                (&Shape::Any, MAX_ANY_ITEMS)
            }
            // Not an array here: keep the kind for the reader's message, not the contents.
            _ => {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                return Ok(Value::Array(Vec::new()));
            }
        };
        let mut out = Vec::new();
        loop {
            let i = out.len();
            let child = self.node.child(Seg::Index(i));
            let Some(v) = seq.next_element_seed(ValueSeed::new(self.ctx, items, &child))? else {
                break;
            };
            if i == max {
                let path = self.node.name();
                return Err(self.ctx.fail(ApiError::invalid(
                    &path,
                    format!("`{path}` must have at most {max} entries, got more"),
                )));
            }
            out.push(v);
        }
        Ok(Value::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        match *self.shape {
            Shape::Object { unknown, .. } => {
                while let Some(key) = map.next_key::<String>()? {
                    match self.shape.field(&key) {
                        Some(shape) => {
                            let child = self.node.child(Seg::Key(&key));
                            let v = map.next_value_seed(ValueSeed::new(self.ctx, shape, &child))?;
                            out.insert(key, v);
                        }
                        None => {
                            map.next_value::<IgnoredAny>()?;
                            if unknown == Unknown::KeepKey {
                                self.check_key(&key)?;
                                out.insert(key, Value::Null);
                            }
                        }
                    }
                }
            }
            Shape::Map {
                values,
                max_keys,
                too_many,
            } => {
                while let Some(key) = map.next_key::<String>()? {
                    if out.len() == max_keys {
                        return Err(self.ctx.fail(too_many(&self.node.name(), max_keys)));
                    }
                    self.check_key(&key)?;
                    let child = self.node.child(Seg::Key(&key));
                    let v = map.next_value_seed(ValueSeed::new(self.ctx, values, &child))?;
                    out.insert(key, v);
                }
            }
            Shape::Any => {
                self.check_depth()?;
                while let Some(key) = map.next_key::<String>()? {
                    self.check_key(&key)?;
                    let child = self.node.child(Seg::Key(&key));
                    let v = map.next_value_seed(ValueSeed::new(self.ctx, &Shape::Any, &child))?;
                    out.insert(key, v);
                }
            }
            Shape::Scalar | Shape::Array { .. } => {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            }
        }
        Ok(Value::Object(out))
    }
}

impl ValueSeed<'_> {
    fn check_depth<E: de::Error>(&self) -> Result<(), E> {
        if self.node.depth >= MAX_DEPTH {
            let path = self.node.name();
            return Err(self.ctx.fail(ApiError::invalid(
                &path,
                format!("`{path}` is nested deeper than {MAX_DEPTH} levels"),
            )));
        }
        Ok(())
    }

    /// A kept key passes the NUL rule; the error names the object holding it.
    fn check_key<E: de::Error>(&self, key: &str) -> Result<(), E> {
        if key.contains('\0') {
            return Err(self.ctx.fail(nul_error(&self.node.name())));
        }
        Ok(())
    }
}
