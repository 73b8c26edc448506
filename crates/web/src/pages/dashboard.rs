//! `GET /dashboard`: how the calls are going over the last 7, 30 or 90 days — average score
//! and pass rate over time, per scorecard and per agent, the questions that fail most, volume
//! by type and direction, the evaluations waiting for a reviewer and, for one scorecard, how
//! often reviewers kept the AI's answers (the API's agreement report). An AGENT sees the same
//! page over their own interactions only. Figures come from `scorejar_core::dashboard`.

use super::interactions::context_of;
use crate::charts::{bar_chart, BarInput, Chart};
use crate::session::Viewer;
use crate::views::{error_page, render};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use minijinja::context;
use scorejar_core::cursor::Cursor;
use scorejar_core::dashboard::{summarize, Figures, Summary};
use scorejar_core::model::Scorecard;
use scorejar_core::paging::PageRequest;
use scorejar_core::render::rfc3339;
use scorejar_server::routes::reviews::agreement_report;
use scorejar_server::AppState;
use scorejar_store::DashboardScope;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use time::{Duration, OffsetDateTime};

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/dashboard", get(dashboard))
}

/// The periods offered, in days; the first is the default.
const PERIODS: [i64; 3] = [30, 7, 90];
/// Scorecards offered in the selector (and named on the page).
const SCORECARDS_SHOWN: u32 = 100;

#[derive(Deserialize)]
struct Params {
    days: Option<String>,
    scorecard: Option<String>,
}

async fn dashboard(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(params): Query<Params>,
) -> Response {
    let days = match params.days.as_deref().filter(|d| !d.is_empty()) {
        None => PERIODS[0],
        Some(d) => match d.parse::<i64>() {
            Ok(d) if PERIODS.contains(&d) => d,
            _ => return error_page(400, "The period is 7, 30 or 90 days."),
        },
    };
    let scorecard = params.scorecard.filter(|s| !s.is_empty());
    let now = OffsetDateTime::now_utc();
    let scope = DashboardScope {
        since: Some(now - Duration::days(days)),
        scorecard_id: scorecard.clone(),
        agent_id: viewer.agent.clone(),
    };
    let store = &state.store;
    let first_cards = PageRequest::<Cursor>::first(SCORECARDS_SHOWN);
    let read = tokio::try_join!(
        store.evaluation_facts(&viewer.account_id, &scope),
        store.interaction_volume(&viewer.account_id, &scope),
        store.list_scorecards(&viewer.account_id, &first_cards),
    );
    let (facts, volume, scorecards) = match read {
        Ok(read) => read,
        Err(error) => {
            tracing::error!(%error, "reading the dashboard");
            return error_page(503, "The service is busy; try again in a moment.");
        }
    };
    let cards = &scorecards.data;
    if let Some(id) = &scorecard {
        if !cards.iter().any(|c| &c.id == id) {
            return error_page(404, "No such scorecard.");
        }
    }
    let summary = summarize(&facts, days, now);
    // Agreement is about the AI's answers against reviewers': a lead's view, for one card.
    let agreement = match (&scorecard, viewer.agent.is_none()) {
        (Some(id), true) => agreement_report(&state, &viewer.account_id, id)
            .await
            .ok()
            .map(|report| with_question_texts(report, cards)),
        _ => None,
    };
    let names = Names::of(cards);
    let view = json!({
        "days": days,
        "periods": PERIODS,
        "scorecard": scorecard,
        "scorecards": cards.iter().map(|c| json!({"id": c.id, "name": c.fields.name})).collect::<Vec<_>>(),
        "overall": figures_view(&summary.overall),
        "needsReview": summary.needs_review,
        "bucketDays": summary.bucket_days,
        "trend": trend_view(&summary),
        "scoreChart": score_chart(&summary),
        "passChart": pass_chart(&summary),
        "byScorecard": summary.scorecards.iter().map(|g| json!({
            "id": g.id, "name": names.scorecard(&g.id), "figures": figures_view(&g.figures),
        })).collect::<Vec<_>>(),
        "byAgent": summary.agents.iter().map(|g| json!({
            "id": g.id, "name": g.name, "figures": figures_view(&g.figures),
        })).collect::<Vec<_>>(),
        "questions": summary.questions.iter().take(scorejar_core::dashboard::LIST_LIMIT).map(|q| json!({
            "text": names.question(&q.scorecard_id, &q.question_id),
            "scorecard": names.scorecard(&q.scorecard_id),
            "passed": q.passed, "counted": q.counted,
            "rate": q.rate(), "percent": percent(q.rate()),
        })).collect::<Vec<_>>(),
        "volume": volume_view(&volume),
        "reviewQueue": summary.review_queue.iter().map(|i| {
            let f = &facts[*i];
            json!({
                "interactionId": f.interaction_id,
                "scorecard": names.scorecard(&f.scorecard_id),
                "agent": f.agent_name,
                "percentage": f.percentage.map(|p| format!("{p:.0}%")),
                "completedAt": rfc3339(f.completed_at),
            })
        }).collect::<Vec<_>>(),
        "agreement": agreement,
    });
    render(
        StatusCode::OK,
        "dashboard.html",
        context! { viewer => context_of(&viewer), dash => view },
    )
}

fn percent(share: f64) -> String {
    format!("{:.0}%", share * 100.0)
}

fn figures_view(f: &Figures) -> Value {
    json!({
        "count": f.count,
        "average": f.average.map(|a| format!("{a:.1}%")),
        "passRate": f.pass_rate.map(percent),
        "passShare": f.pass_rate,
    })
}

/// A bucket's label: its first day (`12-01`).
fn day_label(start: OffsetDateTime) -> String {
    format!("{:02}-{:02}", u8::from(start.month()), start.day())
}

fn trend_view(summary: &Summary) -> Vec<Value> {
    summary
        .trend
        .iter()
        .map(|b| {
            json!({
                "start": rfc3339(b.start),
                "label": day_label(b.start),
                "figures": figures_view(&b.figures),
            })
        })
        .collect()
}

fn score_chart(summary: &Summary) -> Chart {
    let bars = summary
        .trend
        .iter()
        .map(|b| BarInput {
            label: day_label(b.start),
            value: b.figures.average,
            text: b
                .figures
                .average
                .map(|a| format!("{a:.0}"))
                .unwrap_or_default(),
        })
        .collect();
    bar_chart(bars, 100.0, "%")
}

fn pass_chart(summary: &Summary) -> Chart {
    let bars = summary
        .trend
        .iter()
        .map(|b| BarInput {
            label: day_label(b.start),
            value: b.figures.pass_rate.map(|r| r * 100.0),
            text: b
                .figures
                .pass_rate
                .map(|r| format!("{:.0}", r * 100.0))
                .unwrap_or_default(),
        })
        .collect();
    bar_chart(bars, 100.0, "%")
}

fn volume_view(rows: &[scorejar_store::VolumeRow]) -> Value {
    let total: i64 = rows.iter().map(|r| r.count).sum();
    json!({
        "total": total,
        "rows": rows.iter().map(|r| json!({
            "type": r.interaction_type, "direction": r.direction, "count": r.count,
            "share": if total > 0 { r.count as f64 / total as f64 } else { 0.0 },
        })).collect::<Vec<_>>(),
    })
}

/// Scorecard names and question texts, by id.
struct Names {
    scorecards: HashMap<String, String>,
    questions: HashMap<(String, String), String>,
}

impl Names {
    fn of(cards: &[Scorecard]) -> Self {
        let mut questions = HashMap::new();
        for card in cards {
            for (id, text) in question_texts(&card.fields.sections) {
                questions.insert((card.id.clone(), id), text);
            }
        }
        Names {
            scorecards: cards
                .iter()
                .map(|c| (c.id.clone(), c.fields.name.clone()))
                .collect(),
            questions,
        }
    }

    fn scorecard(&self, id: &str) -> String {
        self.scorecards
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.to_owned())
    }

    /// The question's current text (its id when it is gone from the scorecard).
    fn question(&self, scorecard: &str, id: &str) -> String {
        self.questions
            .get(&(scorecard.to_owned(), id.to_owned()))
            .cloned()
            .unwrap_or_else(|| id.to_owned())
    }
}

/// (question id, text) of every question of a scorecard's sections.
fn question_texts(sections: &Value) -> Vec<(String, String)> {
    sections
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| s["questions"].as_array().into_iter().flatten())
        .filter_map(|q| Some((q["id"].as_str()?.to_owned(), q["text"].as_str()?.to_owned())))
        .collect()
}

/// The agreement report with each question's text and its shares as percentages.
fn with_question_texts(mut report: Value, cards: &[Scorecard]) -> Value {
    let texts: HashMap<String, String> = report["scorecardId"]
        .as_str()
        .and_then(|id| cards.iter().find(|c| c.id == id))
        .map(|card| question_texts(&card.fields.sections).into_iter().collect())
        .unwrap_or_default();
    let shown = |v: &mut Value| {
        v["agreedPercent"] = json!(v["agreed"].as_f64().map(percent));
        v["kappaText"] = json!(v["kappa"].as_f64().map(|k| format!("{k:.2}")));
    };
    shown(&mut report["overall"]);
    if let Some(questions) = report["questions"].as_array_mut() {
        for q in questions {
            let id = q["questionId"].as_str().unwrap_or_default().to_owned();
            q["text"] = json!(texts.get(&id).cloned().unwrap_or(id));
            shown(q);
        }
    }
    report
}
