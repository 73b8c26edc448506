use super::*;
use time::macros::datetime;

const NOW: OffsetDateTime = datetime!(2026-12-05 18:00:00 UTC);

fn set(scopes: &[Scope]) -> ScopeSet {
    scopes.iter().copied().collect()
}

/// A refusal as the tables write it: (status, field).
type Refusal = (u16, &'static str);

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn scope_text_round_trips_and_refuses_unknown_names() {
    let cases: [(&str, Result<ScopeSet, ()>); 7] = [
        ("", Ok(ScopeSet::empty())),
        ("upload", Ok(set(&[Scope::Upload]))),
        ("admin read", Ok(set(&[Scope::Read, Scope::Admin]))),
        ("upload read evaluate scorecards admin", Ok(ScopeSet::all())),
        ("read  read ", Ok(set(&[Scope::Read]))),
        ("Read", Err(())),
        ("read write", Err(())),
    ];
    for (text, expected) in cases {
        assert_eq!(
            ScopeSet::from_text(text).map_err(|_| ()),
            expected,
            "{text:?}"
        );
    }
    assert_eq!(
        ScopeSet::all().to_text(),
        "upload read evaluate scorecards admin"
    );
    assert_eq!(
        set(&[Scope::Admin, Scope::Upload]).to_text(),
        "upload admin"
    );
    for scope in Scope::ALL {
        assert_eq!(Scope::parse(scope.as_str()), Some(scope));
    }
}

#[test]
fn require_scope_table() {
    let cases = [
        (ScopeSet::all(), Scope::Admin, true),
        (set(&[Scope::Read]), Scope::Read, true),
        (set(&[Scope::Read]), Scope::Upload, false),
        (set(&[Scope::Admin]), Scope::Read, false),
        (
            set(&[Scope::Upload, Scope::Evaluate]),
            Scope::Evaluate,
            true,
        ),
        (ScopeSet::empty(), Scope::Read, false),
    ];
    for (held, needed, ok) in cases {
        let result = require_scope(held, needed);
        assert_eq!(result.is_ok(), ok, "{held:?} needs {needed}");
        if let Err(e) = result {
            assert_eq!((e.status, e.code), (403, "insufficient_scope"));
            assert!(e.message.contains(needed.as_str()), "{}", e.message);
        }
    }
}

#[test]
fn grant_scopes_table() {
    let upload_read = set(&[Scope::Upload, Scope::Read]);
    // (creator holds, requested, Ok(granted) | Err((status, field)))
    type Asked = Option<Vec<String>>;
    let cases: Vec<(ScopeSet, Asked, Result<ScopeSet, Refusal>)> = vec![
        (ScopeSet::all(), None, Ok(ScopeSet::all())),
        (upload_read, None, Ok(upload_read)),
        (
            ScopeSet::all(),
            Some(names(&["read"])),
            Ok(set(&[Scope::Read])),
        ),
        (
            upload_read,
            Some(names(&["read", "upload", "read"])),
            Ok(upload_read),
        ),
        (
            upload_read,
            Some(names(&["read", "admin"])),
            Err((403, "scopes[1]")),
        ),
        (
            ScopeSet::all(),
            Some(names(&["read", "write"])),
            Err((400, "scopes[1]")),
        ),
        (
            ScopeSet::all(),
            Some(names(&["ADMIN"])),
            Err((400, "scopes[0]")),
        ),
        (ScopeSet::all(), Some(vec![]), Err((400, "scopes"))),
    ];
    for (held, requested, expected) in cases {
        let grantor = Grantor {
            scopes: held,
            expires_at: None,
        };
        let got = grant(grantor, requested.as_deref(), None, NOW)
            .map(|g| g.scopes)
            .map_err(|e| (e.status, e.field.unwrap_or_default()));
        let expected = expected.map_err(|(s, f)| (s, f.to_string()));
        assert_eq!(got, expected, "{held:?} asks {requested:?}");
    }
}

#[test]
fn grant_expiry_table() {
    let hour = Duration::hours(1);
    // (creator's expiry, requested, Ok(new expiry) | Err((status, field)))
    type Expiry = Option<OffsetDateTime>;
    let cases: Vec<(Expiry, Expiry, Result<Expiry, Refusal>)> = vec![
        (None, None, Ok(None)),
        (None, Some(NOW + hour), Ok(Some(NOW + hour))),
        (None, Some(NOW), Err((400, "expiresAt"))),
        (None, Some(NOW - hour), Err((400, "expiresAt"))),
        (Some(NOW + hour), None, Ok(Some(NOW + hour))),
        (Some(NOW + hour), Some(NOW + hour), Ok(Some(NOW + hour))),
        (Some(NOW + 2 * hour), Some(NOW + hour), Ok(Some(NOW + hour))),
        (
            Some(NOW + hour),
            Some(NOW + 2 * hour),
            Err((403, "expiresAt")),
        ),
    ];
    for (limit, requested, expected) in cases {
        let grantor = Grantor {
            scopes: ScopeSet::all(),
            expires_at: limit,
        };
        let got = grant(grantor, None, requested, NOW)
            .map(|g| g.expires_at)
            .map_err(|e| (e.status, e.field.unwrap_or_default()));
        let expected = expected.map_err(|(s, f)| (s, f.to_string()));
        assert_eq!(got, expected, "creator {limit:?} asks {requested:?}");
    }
}

#[test]
fn expiry_table() {
    let cases = [
        (None, false),
        (Some(NOW + Duration::seconds(1)), false),
        (Some(NOW), true),
        (Some(NOW - Duration::seconds(1)), true),
    ];
    for (expires_at, expired) in cases {
        assert_eq!(is_expired(expires_at, NOW), expired, "{expires_at:?}");
    }
}

#[test]
fn last_use_is_written_at_most_once_a_minute() {
    let cases = [
        (None, true),
        (Some(NOW), false),
        (Some(NOW - Duration::seconds(59)), false),
        (Some(NOW - Duration::seconds(60)), true),
        (Some(NOW - Duration::days(3)), true),
        // A clock that stepped back: the stored value is in the future; keep it.
        (Some(NOW + Duration::seconds(30)), false),
    ];
    for (last_used, write) in cases {
        assert_eq!(should_record_use(last_used, NOW), write, "{last_used:?}");
    }
}
