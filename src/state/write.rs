//! The write actions' overlay: a plan being made, the plan on screen waiting for `y` (it scrolls
//! with j/k; only esc or n cancels; a vacuum also takes a typed retention, which re-plans with
//! that override), the job's progress (esc cancels), then what it did with the diagnostics
//! before / after. A write the table cannot take is refused before any plan is made. Keys, job
//! reports and the end of jobs are handled here.

use super::{AppState, Effect, Flow, Screen, is_movement, step_of};
use crate::event::{Input, InputKey, Intent, Seq, view};
use crate::jobs::maintain::Report;
use crate::jobs::{Job, Owner};
use crate::lake::maintain::Progress;
use crate::lake::maintain::run::{self, WriteKind, WritePlan, WriteRequest};

#[derive(Debug, Clone, PartialEq)]
pub enum Stage {
    Planning,
    Confirm(WritePlan),
    Running(WritePlan, Progress),
    Done(Vec<String>),
    Failed(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct WriteView {
    pub seq: Seq<view::Write>,
    pub request: WriteRequest,
    pub stage: Stage,
    /// Vacuum: a retention being typed (`24h`).
    pub typed: String,
    pub scroll: usize,
}

impl WriteView {
    pub fn kind(&self) -> WriteKind {
        self.request.kind
    }

    /// Can `y` run it now?
    pub fn runnable(&self) -> bool {
        matches!(&self.stage, Stage::Confirm(p) if p.refusal().is_none() && !p.is_empty()) && self.typed.is_empty()
    }
}

/// The table a write applies to (the topmost view's, else the selection), by its
/// `bucket.zone.table` name, with the partition under the diagnostics' cursor when one is shown.
fn target(state: &AppState) -> Option<WriteRequest> {
    let table = state.current_table()?;
    let catalog = &state.catalog;
    let name = catalog
        .tables()
        .find(|(_, t)| t.location == table.location)
        .map(|(n, _)| catalog.names_to(n.id).join("."))
        .unwrap_or_else(|| table.name.clone());
    let mut req = WriteRequest::new(WriteKind::Compact, name, table.clone());
    if let Some(Screen::Diag(d)) = state.screens.iter().rev().find(|s| !s.is_overlay())
        && let Some(o) = d.open.as_ref().filter(|o| o.diag.location == table.location)
    {
        let partition = match o.tab {
            super::diag::DiagTab::Partitions => o.diag.partitions.list.get(o.cursor).map(|p| p.name.clone()),
            super::diag::DiagTab::Findings => o.diag.findings.get(o.cursor).and_then(|f| f.partition.clone()),
            _ => None,
        };
        // One level of k=v picks the partition (deeper ones: the whole table).
        if let Some((k, v)) = partition
            .filter(|p| !p.contains('/'))
            .and_then(|p| p.split_once('=').map(|(k, v)| (k.to_string(), v.to_string())))
        {
            req.compact.partitions.push((k, v));
        }
    }
    Some(req)
}

/// `c` / `V` / `C`: refuse what the table cannot take, else make the plan.
pub fn open(state: &mut AppState, kind: WriteKind) -> Vec<Effect> {
    let Some(mut request) = target(state) else {
        state.error(format!("select a table to {}", kind.verb()));
        return Vec::new();
    };
    request.kind = kind;
    if kind != WriteKind::Compact {
        request.compact.partitions.clear();
    }
    if let Some(reason) = run::refusal(kind, &request.table) {
        state.error(format!("{} {}: refused: {reason}", kind.verb(), request.name));
        return Vec::new();
    }
    let seq = state.seqs.take();
    state.push(Screen::Write(Box::new(WriteView {
        seq,
        request: request.clone(),
        stage: Stage::Planning,
        typed: String::new(),
        scroll: 0,
    })));
    vec![Effect::Spawn(Job::PlanWrite { seq, request: Box::new(request) })]
}

fn cancel_job(v: &WriteView, state: &AppState) -> Vec<Effect> {
    state.jobs_of(&Owner::Write(v.seq)).into_iter().map(Effect::Cancel).collect()
}

pub fn on_input(v: &mut WriteView, state: &mut AppState, input: &Input) -> Flow {
    let intent = match input {
        Input::Intent(i) => Some(*i),
        _ => None,
    };
    // The plan and the outcome scroll in every stage.
    if let Some(i) = intent.filter(|i| is_movement(*i)) {
        let page = state.height.saturating_sub(8).max(1) as usize;
        let len = match &v.stage {
            Stage::Confirm(p) | Stage::Running(p, _) => crate::report::maintain::write_plan_lines(p, None).len(),
            Stage::Done(lines) => lines.len(),
            Stage::Planning | Stage::Failed(_) => 1,
        };
        // Long lines wrap on narrow screens: a few more lines than the text has.
        super::scroll_text(&mut v.scroll, len + len / 2, page, step_of(i, page));
        return Flow::done();
    }
    match &v.stage {
        // A running rewrite is cancelled, not abandoned: its job is told, and the overlay stays
        // until the job says it stopped.
        Stage::Running(..) => match intent {
            Some(Intent::Cancel | Intent::Quit) => {
                state.info("cancelling… (what was written is rolled back or finished, never half done)");
                Flow::Done(cancel_job(v, state))
            }
            _ => Flow::done(),
        },
        Stage::Planning => match intent {
            Some(Intent::Cancel | Intent::Back) => Flow::Close(cancel_job(v, state)),
            Some(Intent::Quit) => Flow::Pass,
            _ => Flow::done(),
        },
        Stage::Confirm(plan) => {
            let plan = plan.clone();
            confirm_input(v, state, input, plan)
        }
        // What it did is on screen: any key closes it (q still quits).
        Stage::Done(_) | Stage::Failed(_) => match intent {
            Some(Intent::Quit) => Flow::Pass,
            _ => Flow::Close(Vec::new()),
        },
    }
}

fn confirm_input(v: &mut WriteView, state: &mut AppState, input: &Input, plan: WritePlan) -> Flow {
    let vacuum = v.kind() == WriteKind::Vacuum;
    match input {
        Input::Intent(Intent::Confirm) if v.runnable() => {
            v.stage = Stage::Running(plan.clone(), Progress { phase: "starting".into(), ..Default::default() });
            Flow::Done(vec![Effect::Spawn(Job::RunWrite { seq: v.seq, request: Box::new(v.request.clone()), plan })])
        }
        Input::Intent(Intent::Confirm) => Flow::done(),
        Input::Intent(Intent::Cancel | Intent::Back) => {
            if !v.typed.is_empty() {
                v.typed.clear();
                return Flow::done();
            }
            state.info("not run: nothing was changed");
            Flow::Close(Vec::new())
        }
        Input::Intent(Intent::Quit) => Flow::Pass,
        // A retention typed for a vacuum: digits, then a unit.
        Input::Line(InputKey::Char(c))
            if vacuum && (c.is_ascii_digit() || (!v.typed.is_empty() && "hdm".contains(*c))) =>
        {
            v.typed.push(*c);
            Flow::done()
        }
        Input::Line(InputKey::Backspace) if vacuum => {
            v.typed.pop();
            Flow::done()
        }
        Input::Line(InputKey::Submit) if vacuum && !v.typed.is_empty() => {
            match crate::lake::maintain::delta::parse_retention(&v.typed) {
                Ok(d) => {
                    v.stage = Stage::Planning;
                    v.typed.clear();
                    v.scroll = 0;
                    v.request.retain = Some(d);
                    // A typed retention is the user's explicit override.
                    v.request.override_retention = true;
                    Flow::Done(vec![Effect::Spawn(Job::PlanWrite { seq: v.seq, request: Box::new(v.request.clone()) })])
                }
                Err(e) => {
                    state.error(e);
                    Flow::done()
                }
            }
        }
        // Other keys neither run nor cancel: a write is approved only with y.
        _ => Flow::done(),
    }
}

/// A report of this view's jobs; the location of the table when a write changed it.
pub fn on_report(v: &mut WriteView, _state: &mut AppState, r: Report) -> Option<String> {
    match r {
        Report::Planned { seq, result } if seq == v.seq => {
            v.stage = match result {
                Ok(p) => Stage::Confirm(p),
                Err(e) => Stage::Failed(e),
            };
            v.scroll = 0;
            None
        }
        Report::Progress { seq, progress } if seq == v.seq => {
            if let Stage::Running(_, old) = &mut v.stage {
                *old = progress;
            }
            None
        }
        Report::Done { seq, result } if seq == v.seq => {
            let changed = result.is_ok().then(|| v.request.table.location.clone());
            v.stage = match result {
                Ok(lines) => Stage::Done(lines),
                Err(e) => Stage::Failed(e),
            };
            v.scroll = 0;
            changed
        }
        _ => None,
    }
}

/// The job ended without a result (cancelled): say so.
pub fn job_ended(v: &mut WriteView, seq: Seq<view::Write>, cancelled: bool) {
    if v.seq == seq && matches!(v.stage, Stage::Running(..) | Stage::Planning) {
        v.stage = Stage::Failed(if cancelled {
            "cancelled: nothing was committed (Delta), or the partition in progress was rolled back (dataset)".into()
        } else {
            "the write stopped without a result; nothing was committed".into()
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::JobEvent;
    use crate::event::Msg;
    use crate::jobs::{JobId, JobKind};
    use crate::lake::maintain::run::ConvertPlan;
    use crate::state::testing::{loaded, press};
    use crate::state::update;
    use std::sync::Arc;

    fn convert_plan(files: u64, refusal: Option<&str>) -> WritePlan {
        WritePlan::Convert(Arc::new(ConvertPlan {
            table: "acme.bronze.events".into(),
            location: "file:///lake/acme/bronze/events/".into(),
            files,
            bytes: 10,
            partition_columns: vec![],
            refusal: refusal.map(str::to_string),
        }))
    }

    fn planned(plan: WritePlan) -> AppState {
        let mut s = loaded(&["acme/bronze/events:parquet"], false);
        press(&mut s, &[Intent::Enter, Intent::Enter]);
        let effects = press(&mut s, &[Intent::Convert]);
        let Some(Effect::Spawn(Job::PlanWrite { seq, .. })) = effects.first().cloned() else { panic!("{effects:?}") };
        update(&mut s, Report::Planned { seq, result: Ok(plan) }.into());
        s
    }

    #[test]
    fn y_runs_the_plan_scrolling_never_cancels_and_esc_does() {
        let mut s = planned(convert_plan(3, None));
        update(&mut s, Msg::Resize { width: 80, height: 10 });
        // j / k scroll a long plan; keys that mean nothing here change nothing.
        assert!(press(&mut s, &[Intent::Down, Intent::Down, Intent::Up]).is_empty());
        assert_eq!(s.write().unwrap().scroll, 1);
        update(&mut s, Msg::User(Input::Line(InputKey::Char('x'))));
        assert!(matches!(s.write().unwrap().stage, Stage::Confirm(_)), "only explicit keys cancel");
        let effects = press(&mut s, &[Intent::Confirm]);
        assert!(matches!(effects.as_slice(), [Effect::Spawn(Job::RunWrite { .. })]), "{effects:?}");
        assert!(matches!(s.write().unwrap().stage, Stage::Running(..)));

        let mut s = planned(convert_plan(3, None));
        press(&mut s, &[Intent::Cancel]);
        assert!(s.write().is_none());
        assert!(s.message.as_ref().unwrap().text.contains("nothing was changed"));
    }

    #[test]
    fn a_refused_plan_never_runs() {
        let mut s = planned(convert_plan(3, Some("refused: read-only")));
        assert!(press(&mut s, &[Intent::Confirm]).is_empty());
        assert!(matches!(s.write().unwrap().stage, Stage::Confirm(_)));
    }

    #[test]
    fn what_the_table_cannot_take_is_refused_before_any_plan() {
        let mut s = loaded(&["acme/raw/customers:csv", "acme/silver/orders:delta"], false);
        press(&mut s, &[Intent::Enter, Intent::Enter]);
        let effects = press(&mut s, &[Intent::Compact]);
        assert!(effects.is_empty(), "{effects:?}");
        assert!(s.write().is_none());
        let m = s.message.clone().unwrap().text;
        assert!(m.contains("refused") && m.contains("csv table"), "{m}");
        // Convert on a Delta table.
        press(&mut s, &[Intent::Back, Intent::Down, Intent::Enter]);
        assert!(press(&mut s, &[Intent::Convert]).is_empty());
        assert!(s.message.clone().unwrap().text.contains("already a Delta table"));
    }

    #[test]
    fn esc_cancels_a_running_job_and_the_overlay_says_what_happened() {
        let mut s = planned(convert_plan(3, None));
        press(&mut s, &[Intent::Confirm]);
        let seq = s.write().unwrap().seq;
        let started =
            JobEvent::Started { id: JobId(9), kind: JobKind::Write, label: "convert".into(), owner: Owner::Write(seq) };
        update(&mut s, Msg::Job(started));
        // Keys other than esc do not abandon a running rewrite.
        assert!(press(&mut s, &[Intent::Confirm, Intent::Back]).is_empty());
        let effects = press(&mut s, &[Intent::Cancel]);
        assert_eq!(effects, vec![Effect::Cancel(JobId(9))]);
        assert!(s.write().is_some(), "the overlay stays until the job stops");
        update(&mut s, Msg::Job(JobEvent::Finished { id: JobId(9), cancelled: true }));
        let Some(Stage::Failed(why)) = s.write().map(|m| m.stage.clone()) else { panic!() };
        assert!(why.contains("cancelled"), "{why}");
        // A late result for another run is dropped.
        update(&mut s, Report::Done { seq: Seq::new(seq.get() + 9), result: Ok(vec!["late".into()]) }.into());
        assert!(matches!(s.write().unwrap().stage, Stage::Failed(_)));
    }

    #[test]
    fn a_finished_write_refreshes_every_view_of_the_table() {
        let mut s = planned(convert_plan(3, None));
        let listing = s.listing;
        press(&mut s, &[Intent::Confirm]);
        let seq = s.write().unwrap().seq;
        let effects = update(&mut s, Report::Done { seq, result: Ok(vec!["converted".into()]) }.into());
        assert!(effects.iter().any(|e| matches!(e, Effect::Spawn(Job::Discover { .. }))), "{effects:?}");
        assert_ne!(s.listing, listing, "the lake is listed again");
    }
}
