//! Table-driven tests of the participant matching rules.

use super::*;

fn input(sid: Option<&str>, email: Option<&str>, name: Option<&str>) -> ParticipantInput {
    ParticipantInput {
        name: name.map(String::from),
        email: email.map(String::from),
        phone: None,
        source_identifier: sid.map(String::from),
    }
}

fn row(id: &str, sid: Option<&str>, email: Option<&str>, name: Option<&str>) -> ParticipantRow {
    ParticipantRow {
        id: id.into(),
        name: name.map(String::from),
        email: email.map(String::from),
        email_lower: email.map(str::to_lowercase),
        phone: None,
        source_identifier: sid.map(String::from),
    }
}

fn ids() -> impl FnMut() -> String {
    let mut n = 0;
    move || {
        n += 1;
        format!("new{n}")
    }
}

struct Case {
    name: &'static str,
    candidates: Vec<ParticipantRow>,
    agent: Option<ParticipantInput>,
    customer: Option<ParticipantInput>,
    expected: ParticipantPlan,
}

#[test]
fn matching_rules() {
    let cases = vec![
        Case {
            name: "nothing to resolve",
            candidates: vec![],
            agent: None,
            customer: None,
            expected: ParticipantPlan::default(),
        },
        Case {
            name: "unknown agent is created with every field",
            candidates: vec![],
            agent: Some(input(Some("a-7"), Some("Jane@Example.com"), Some("Jane"))),
            customer: None,
            expected: ParticipantPlan {
                agent_id: Some("new1".into()),
                inserts: vec![row("new1", Some("a-7"), Some("Jane@Example.com"), Some("Jane"))],
                ..Default::default()
            },
        },
        Case {
            name: "match by sourceIdentifier fills only missing fields",
            candidates: vec![row("p1", Some("a-7"), None, Some("Janet"))],
            agent: Some(input(Some("a-7"), Some("jane@example.com"), Some("Jane"))),
            customer: None,
            expected: ParticipantPlan {
                agent_id: Some("p1".into()),
                fills: vec![row("p1", Some("a-7"), Some("jane@example.com"), Some("Janet"))],
                                ..Default::default()
            },
        },
        Case {
            name: "match by e-mail, case-insensitive, fills the sourceIdentifier",
            candidates: vec![row("p1", None, Some("jane@example.com"), None)],
            agent: Some(input(Some("a-7"), Some("JANE@example.com"), None)),
            customer: None,
            expected: ParticipantPlan {
                agent_id: Some("p1".into()),
                fills: vec![row("p1", Some("a-7"), Some("jane@example.com"), None)],
                                ..Default::default()
            },
        },
        Case {
            name: "an e-mail of another participant is dropped with a warning",
            candidates: vec![
                row("p1", Some("a-7"), None, None),
                row("p2", Some("a-8"), Some("jane@example.com"), None),
            ],
            agent: Some(input(Some("a-7"), Some("jane@example.com"), None)),
            customer: None,
            expected: ParticipantPlan {
                agent_id: Some("p1".into()),
                referenced: vec!["p1".into()],
                warnings: vec![
                    "agent.email: jane@example.com already belongs to another participant; it was dropped"
                        .into(),
                ],
                ..Default::default()
            },
        },
        Case {
            name: "a matched participant keeps its own e-mail without a warning",
            candidates: vec![row("p1", Some("a-7"), Some("old@example.com"), Some("Jane"))],
            agent: Some(input(Some("a-7"), Some("new@example.com"), Some("Other"))),
            customer: None,
            expected: ParticipantPlan {
                agent_id: Some("p1".into()),
                referenced: vec!["p1".into()],
                ..Default::default()
            },
        },
        Case {
            name: "sourceIdentifier wins over e-mail",
            candidates: vec![
                row("p1", None, Some("x@example.com"), None),
                row("p2", Some("c-1"), None, None),
            ],
            agent: None,
            customer: Some(input(Some("c-1"), Some("x@example.com"), None)),
            expected: ParticipantPlan {
                customer_id: Some("p2".into()),
                referenced: vec!["p2".into()],
                warnings: vec![
                    "customer.email: x@example.com already belongs to another participant; it was dropped"
                        .into(),
                ],
                ..Default::default()
            },
        },
        Case {
            name: "customer reuses the participant just created for the agent",
            candidates: vec![],
            agent: Some(input(Some("same"), None, Some("A"))),
            customer: Some(input(Some("same"), Some("s@example.com"), Some("B"))),
            expected: ParticipantPlan {
                agent_id: Some("new1".into()),
                customer_id: Some("new1".into()),
                inserts: vec![row("new1", Some("same"), Some("s@example.com"), Some("A"))],
                ..Default::default()
            },
        },
        Case {
            name: "two new participants are inserted in key order; name-only is always new",
            candidates: vec![],
            agent: Some(input(Some("z-agent"), None, None)),
            customer: Some(input(None, None, Some("Bob"))),
            expected: ParticipantPlan {
                agent_id: Some("new1".into()),
                customer_id: Some("new2".into()),
                inserts: vec![
                    row("new2", None, None, Some("Bob")),
                    row("new1", Some("z-agent"), None, None),
                ],
                ..Default::default()
            },
        },
    ];
    for case in cases {
        let plan = plan(
            case.candidates,
            case.agent.as_ref(),
            case.customer.as_ref(),
            ids(),
        );
        assert_eq!(plan, case.expected, "{}", case.name);
    }
}

#[test]
fn lookup_keys_cover_both_sides() {
    let agent = input(Some("a-1"), Some("A@X.com"), None);
    let customer = input(None, Some("c@x.com"), Some("C"));
    let (sids, emails) = lookup_keys([Some(&agent), Some(&customer)]);
    assert_eq!(sids, ["a-1"]);
    assert_eq!(emails, ["a@x.com", "c@x.com"]);
    assert_eq!(lookup_keys([None, None]), (vec![], vec![]));
}
