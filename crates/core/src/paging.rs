//! Paging of the plain lists — `GET /api/v1/tokens`, `/tags`, `/scorecards`, `/credits` — with
//! the interaction list's rules, written once here:
//!
//! - the query string takes `limit` (1..=100, default 50) and `cursor` (a `nextCursor` of the
//!   same list) and nothing else: an unknown or repeated parameter is a 400 naming it; an empty
//!   value counts as absent;
//! - a page holds the rows strictly after the cursor in the list's order; the store fetches one
//!   row more than the page, and [`Page::from_rows`] turns that extra row into `nextCursor`
//!   (`None` on the last page).
//!
//! Cursors are opaque (base64url). Lists ordered by a time use [`Cursor`] (time, id); the tag
//! list, ordered by name, uses [`NameCursor`] (case-folded name, id). A cursor is only meaningful
//! on the list that returned it.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use crate::cursor::Cursor;
use crate::error::ApiError;
use crate::filters::{limit, DEFAULT_LIMIT, MAX_LIMIT};

/// Where a page starts and how long it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest<C> {
    /// 1..=100 once parsed; [`PageRequest::size`] clamps whatever else a caller builds.
    pub limit: u32,
    /// The page holds the rows strictly after this one; `None` = the first page.
    pub after: Option<C>,
}

impl<C> PageRequest<C> {
    /// The first `limit` rows.
    pub fn first(limit: u32) -> Self {
        PageRequest { limit, after: None }
    }

    /// The page size, within 1..=100.
    pub fn size(&self) -> usize {
        self.limit.clamp(1, MAX_LIMIT) as usize
    }

    /// How many rows to fetch: one more than the page, to learn whether another follows.
    pub fn fetch(&self) -> i64 {
        self.size() as i64 + 1
    }
}

impl<C> Default for PageRequest<C> {
    fn default() -> Self {
        Self::first(DEFAULT_LIMIT)
    }
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub data: Vec<T>,
    /// The `cursor` of the next page; `None` on the last.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// The page from the rows fetched for `request` (up to [`PageRequest::fetch`] of them, in
    /// list order): the first [`PageRequest::size`], and a cursor after the last of those when
    /// more rows were found.
    pub fn from_rows<C: PageCursor>(
        mut rows: Vec<T>,
        request: &PageRequest<C>,
        cursor_of: impl Fn(&T) -> C,
    ) -> Page<T> {
        let more = rows.len() > request.size();
        rows.truncate(request.size());
        let next_cursor = match rows.last() {
            Some(last) if more => Some(cursor_of(last).encode()),
            _ => None,
        };
        Page {
            data: rows,
            next_cursor,
        }
    }

    /// The same page with its rows converted.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            data: self.data.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
        }
    }
}

/// A cursor form a list pages by.
pub trait PageCursor: Sized {
    fn encode(&self) -> String;
    /// `None` for anything that is not a cursor of this form produced by this server.
    fn decode(s: &str) -> Option<Self>;
}

impl PageCursor for Cursor {
    fn encode(&self) -> String {
        Cursor::encode(self)
    }

    fn decode(s: &str) -> Option<Self> {
        Cursor::decode(s)
    }
}

/// Position in a list ordered by name: the case-folded name and the id of the last row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameCursor {
    /// The name as the list compares it (tags: lower-cased).
    pub name_key: String,
    pub id: String,
}

impl PageCursor for NameCursor {
    fn encode(&self) -> String {
        // `n:` keeps it apart from a time cursor; the id (a UUID) has no `:`, the name may.
        URL_SAFE_NO_PAD.encode(format!("n:{}:{}", self.id, self.name_key))
    }

    fn decode(s: &str) -> Option<Self> {
        let raw = URL_SAFE_NO_PAD.decode(s).ok()?;
        let text = String::from_utf8(raw).ok()?;
        let (id, name_key) = text.strip_prefix("n:")?.split_once(':')?;
        if id.is_empty() {
            return None;
        }
        Some(NameCursor {
            name_key: name_key.to_string(),
            id: id.to_string(),
        })
    }
}

/// Parses the decoded query pairs of a plain list (see the module rules).
pub fn parse_page<C: PageCursor>(pairs: &[(String, String)]) -> Result<PageRequest<C>, ApiError> {
    let mut request = PageRequest::default();
    let mut seen: Vec<&str> = Vec::new();
    for (name, value) in pairs {
        let param = match name.as_str() {
            "limit" => "limit",
            "cursor" => "cursor",
            _ => {
                return Err(ApiError::bad_request(
                    "unknown_parameter",
                    format!("unknown query parameter `{name}`; supported: limit, cursor"),
                )
                .with_field(name))
            }
        };
        if value.is_empty() {
            continue;
        }
        if seen.contains(&param) {
            return Err(ApiError::invalid(
                name,
                format!("`{name}` is given more than once"),
            ));
        }
        seen.push(param);
        if param == "limit" {
            request.limit = limit(value)?;
        } else {
            request.after = Some(C::decode(value).ok_or_else(|| {
                ApiError::invalid(
                    "cursor",
                    "`cursor` is not a `nextCursor` returned by this list",
                )
            })?);
        }
    }
    Ok(request)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(q: &[(&str, &str)]) -> Vec<(String, String)> {
        q.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn error_of<C: PageCursor + std::fmt::Debug>(q: &[(&str, &str)]) -> (String, Option<String>) {
        let e = parse_page::<C>(&pairs(q)).unwrap_err();
        (e.code.to_string(), e.field)
    }

    #[test]
    fn limit_and_cursor_parse() {
        let c = Cursor {
            occurred_at_us: 1_750_000_000_000_000,
            id: "0190-abc".into(),
        };
        let got = parse_page::<Cursor>(&pairs(&[("limit", "7"), ("cursor", &c.encode())])).unwrap();
        assert_eq!(
            got,
            PageRequest {
                limit: 7,
                after: Some(c)
            }
        );
        assert_eq!(parse_page::<Cursor>(&[]).unwrap(), PageRequest::first(50));
        assert_eq!(
            parse_page::<Cursor>(&pairs(&[("limit", ""), ("cursor", "")])).unwrap(),
            PageRequest::first(50),
            "an empty value is absent"
        );
        assert_eq!(
            parse_page::<Cursor>(&pairs(&[("limit", "100")]))
                .unwrap()
                .limit,
            100
        );
    }

    #[test]
    fn bad_parameters_are_named() {
        let name = NameCursor {
            name_key: "vip".into(),
            id: "t1".into(),
        };
        let time = Cursor {
            occurred_at_us: 1,
            id: "x".into(),
        };
        type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);
        let cases: [Case; 7] = [
            (&[("bogus", "1")], "unknown_parameter", "bogus"),
            (&[("limit", "0")], "invalid_field", "limit"),
            (&[("limit", "101")], "invalid_field", "limit"),
            (&[("limit", "-1")], "invalid_field", "limit"),
            (&[("limit", "5"), ("limit", "6")], "invalid_field", "limit"),
            (&[("cursor", "!!")], "invalid_field", "cursor"),
            (&[("cursor", &time.encode())], "invalid_field", "cursor"),
        ];
        for (q, code, field) in cases {
            assert_eq!(
                error_of::<NameCursor>(q),
                (code.to_string(), Some(field.to_string())),
                "{q:?}"
            );
        }
        assert_eq!(
            error_of::<Cursor>(&[("cursor", &name.encode())])
                .1
                .as_deref(),
            Some("cursor"),
            "a tag cursor is not a time cursor"
        );
    }

    #[test]
    fn name_cursors_round_trip_and_reject_garbage() {
        for name_key in ["vip", "a:b:c", "", "ünïcode"] {
            let c = NameCursor {
                name_key: name_key.into(),
                id: "0190-abc".into(),
            };
            assert_eq!(NameCursor::decode(&c.encode()), Some(c));
        }
        for bad in ["", "!!!", "bjo", "bjp2aXA"] {
            assert_eq!(NameCursor::decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_page_is_the_first_rows_and_a_cursor_when_more_follow() {
        let request = PageRequest::<Cursor>::first(3);
        let cursor_of = |n: &i64| Cursor {
            occurred_at_us: *n,
            id: n.to_string(),
        };
        let full = Page::from_rows(vec![1, 2, 3, 4], &request, cursor_of);
        assert_eq!(full.data, [1, 2, 3]);
        assert_eq!(full.next_cursor, Some(cursor_of(&3).encode()));
        let last = Page::from_rows(vec![1, 2, 3], &request, cursor_of);
        assert_eq!((last.data.len(), last.next_cursor), (3, None));
        let empty = Page::from_rows(Vec::new(), &request, cursor_of);
        assert_eq!((empty.data.len(), empty.next_cursor), (0, None));
        assert_eq!(PageRequest::<Cursor>::first(0).size(), 1);
        assert_eq!(PageRequest::<Cursor>::first(1000).fetch(), 101);
    }
}
