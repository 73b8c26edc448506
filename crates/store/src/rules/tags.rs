//! Tag references of an upload: a reference names the account's tags whose id equals it or
//! whose name equals it case-insensitively (names are compared lower-cased in Rust, so both
//! backends agree on what "the same name" is). Every tag found is linked once; a reference
//! that names none is ignored with a warning.

/// The lower-cased form tag names are stored and matched in (`tags.name_lower`).
pub(crate) fn name_key(name: &str) -> String {
    name.to_lowercase()
}

/// A found tag: its id and `name_lower`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FoundTag {
    pub id: String,
    pub name_lower: String,
}

/// `tags[i]: unknown tag "X" was ignored` for every reference that matched no found tag.
pub(crate) fn warnings(refs: &[String], found: &[FoundTag]) -> Vec<String> {
    refs.iter()
        .enumerate()
        .filter(|(_, r)| {
            let lower = name_key(r);
            !found.iter().any(|t| &t.id == *r || t.name_lower == lower)
        })
        .map(|(i, r)| format!("tags[{i}]: unknown tag \"{r}\" was ignored"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(id: &str, name_lower: &str) -> FoundTag {
        FoundTag {
            id: id.into(),
            name_lower: name_lower.into(),
        }
    }

    #[test]
    fn unknown_references_are_warned_about_by_position() {
        let refs: Vec<String> = ["VIP", "t-1", "nope", "vip", "Other"]
            .map(String::from)
            .to_vec();
        let found = [
            tag("t-1", "billing"),
            tag("t-2", "vip"),
            tag("t-3", "other"),
        ];
        let cases: [(&[String], &[FoundTag], Vec<&str>); 3] = [
            (
                &refs,
                &found,
                vec!["tags[2]: unknown tag \"nope\" was ignored"],
            ),
            (&[], &found, vec![]),
            (
                &refs[2..3],
                &[],
                vec!["tags[0]: unknown tag \"nope\" was ignored"],
            ),
        ];
        for (refs, found, expected) in cases {
            assert_eq!(warnings(refs, found), expected, "{refs:?}");
        }
    }

    #[test]
    fn names_match_case_insensitively_beyond_ascii() {
        assert_eq!(name_key("ÜBER Vip"), "über vip");
        assert!(warnings(&["Über".into()], &[tag("x", "über")]).is_empty());
    }
}
