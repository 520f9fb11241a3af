//! The write actions' overlay: a plan being made, the plan on screen waiting for `y` (anything
//! else cancels; a vacuum also takes a typed retention, which re-plans with that override), the
//! job's progress (Esc cancels), then what it did with the diagnostics before / after. Plain
//! data; results carry the sequence number they were asked for.

use std::sync::Arc;

use super::{AppState, Effect};
use crate::action::{Action, InputKey};
use crate::jobs::JobKind;
use crate::lake::TableEntry;
use crate::lake::maintain::Progress;
use crate::lake::maintain::delta::VacuumPlan;
use crate::lake::maintain::run::Planned;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MaintainKind {
    Compact,
    Vacuum,
    Convert,
}

impl MaintainKind {
    pub fn verb(self) -> &'static str {
        match self {
            MaintainKind::Compact => "compact",
            MaintainKind::Vacuum => "vacuum",
            MaintainKind::Convert => "convert to Delta",
        }
    }
}

/// A plan ready to run.
#[derive(Debug, Clone, PartialEq)]
pub enum MaintainPlan {
    Compact(Arc<Planned>),
    Vacuum(Arc<VacuumPlan>),
    Convert { lines: Vec<String>, refusal: Option<String> },
}

impl MaintainPlan {
    pub fn lines(&self) -> Vec<String> {
        match self {
            MaintainPlan::Compact(p) => crate::report::maintain::plan_lines(&p.plan),
            MaintainPlan::Vacuum(p) => crate::report::maintain::vacuum_lines(p),
            MaintainPlan::Convert { lines, refusal } => {
                lines.iter().cloned().chain(refusal.iter().map(|r| format!("  {r}"))).collect()
            }
        }
    }

    /// Why it cannot run, if it cannot.
    pub fn refusal(&self) -> Option<&str> {
        match self {
            MaintainPlan::Compact(p) => p.plan.refusal.as_deref(),
            MaintainPlan::Vacuum(p) => p.refusal.as_deref(),
            MaintainPlan::Convert { refusal, .. } => refusal.as_deref(),
        }
    }

    /// Nothing to do.
    pub fn is_empty(&self) -> bool {
        match self {
            MaintainPlan::Compact(p) => p.plan.is_empty() && p.leftovers.is_empty(),
            MaintainPlan::Vacuum(p) => p.files.is_empty(),
            MaintainPlan::Convert { .. } => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Stage {
    Planning,
    Confirm(MaintainPlan),
    Running(MaintainPlan, Progress),
    Done(Vec<String>),
    Failed(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct MaintainView {
    pub seq: u64,
    pub kind: MaintainKind,
    pub name: String,
    pub table: TableEntry,
    pub partition: Option<(String, String)>,
    pub stage: Stage,
    /// Vacuum: a retention being typed (`24h`).
    pub typed: String,
    pub scroll: usize,
}

fn next_seq(state: &mut AppState) -> u64 {
    state.maintain_seq += 1;
    state.maintain_seq
}

/// The table an action applies to: the diagnostics' open table, the inspected or history table,
/// else the selection. With the partition under the cursor when the diagnostics show one.
/// A table (its `bucket.zone.table` name and entry) and maybe one `(column, value)` partition.
type Target = (String, TableEntry, Option<(String, String)>);

fn target(state: &AppState) -> Option<Target> {
    let catalog = &state.catalog;
    let find = |loc: &str| {
        catalog.tables().find(|(_, t)| t.location == loc).map(|(n, t)| (catalog.names_to(n.id).join("."), t.clone()))
    };
    if let Some(d) = &state.diag {
        let o = d.open.as_ref()?;
        let (name, t) = find(&o.diag.location)?;
        let partition = match o.tab {
            super::diag::DiagTab::Partitions => o.diag.partitions.list.get(o.cursor).map(|p| p.name.clone()),
            super::diag::DiagTab::Findings => o.diag.findings.get(o.cursor).and_then(|f| f.partition.clone()),
            _ => None,
        };
        // One level of k=v picks the partition (deeper ones: the whole table).
        let partition = partition.and_then(|p| {
            if p.contains('/') { None } else { p.split_once('=').map(|(k, v)| (k.to_string(), v.to_string())) }
        });
        return Some((name, t, partition));
    }
    if let Some(h) = &state.history {
        return find(&h.table.location).map(|(n, t)| (n, t, None));
    }
    if let Some(i) = &state.inspector {
        return find(&i.table.location).map(|(n, t)| (n, t, None));
    }
    let id = state.selected()?;
    let t = state.selected_table()?.clone();
    Some((catalog.names_to(id).join("."), t, None))
}

/// `c` / `V` / `C`: make the plan.
pub fn open(state: &mut AppState, kind: MaintainKind) -> Vec<Effect> {
    let Some((name, table, partition)) = target(state) else {
        state.error(format!("select a table to {}", kind.verb()));
        return Vec::new();
    };
    let seq = next_seq(state);
    state.maintain = Some(MaintainView {
        seq,
        kind,
        name: name.clone(),
        table: table.clone(),
        partition: partition.clone(),
        stage: Stage::Planning,
        typed: String::new(),
        scroll: 0,
    });
    vec![Effect::PlanMaintain { seq, kind, name, table: Box::new(table), partition, retain: None }]
}

/// Does the overlay take this action?
pub fn takes(state: &AppState, action: &Action) -> bool {
    state.maintain.is_some()
        && matches!(
            action,
            Action::MaintainKey(_) | Action::Cancel | Action::Resize { .. } | Action::Up | Action::Down | Action::Quit
        )
}

fn job_of(state: &AppState, seq: u64) -> Option<crate::jobs::JobId> {
    state.jobs.iter().find(|j| j.kind == JobKind::Maintain && j.ticket == seq).map(|j| j.id)
}

pub fn update(state: &mut AppState, action: Action) -> Vec<Effect> {
    let Some(v) = state.maintain.as_mut() else { return Vec::new() };
    let seq = v.seq;
    match (&v.stage, action) {
        (_, Action::Up) => v.scroll = v.scroll.saturating_sub(1),
        (_, Action::Down) => v.scroll += 1,
        (_, Action::Resize { .. }) => {}
        // A running rewrite is cancelled, not abandoned: its job is told, and the overlay
        // stays until the job says it stopped.
        (Stage::Running(..), Action::Cancel | Action::MaintainKey(InputKey::Cancel) | Action::Quit) => {
            if let Some(id) = job_of(state, seq) {
                state.info("cancelling… (what was written is rolled back or finished, never half done)".to_string());
                return vec![Effect::CancelJob(id)];
            }
        }
        (Stage::Running(..), _) => {}
        (Stage::Planning, Action::Cancel | Action::MaintainKey(InputKey::Cancel) | Action::Quit) => {
            let job = job_of(state, seq);
            state.maintain = None;
            return job.map(Effect::CancelJob).into_iter().collect();
        }
        (Stage::Planning, _) => {}
        (Stage::Confirm(plan), Action::MaintainKey(k)) => {
            let plan = plan.clone();
            let vacuum = v.kind == MaintainKind::Vacuum;
            match k {
                InputKey::Char('y') if v.typed.is_empty() && plan.refusal().is_none() && !plan.is_empty() => {
                    let (kind, name, table, partition) = (v.kind, v.name.clone(), v.table.clone(), v.partition.clone());
                    v.stage = Stage::Running(plan.clone(), Progress { phase: "starting".into(), ..Default::default() });
                    return vec![Effect::RunMaintain { seq, kind, name, table: Box::new(table), partition, plan }];
                }
                InputKey::Char(c) if vacuum && (c.is_ascii_digit() || (!v.typed.is_empty() && "hdm".contains(c))) => {
                    v.typed.push(c)
                }
                InputKey::Backspace if vacuum => {
                    v.typed.pop();
                }
                InputKey::Submit if vacuum && !v.typed.is_empty() => {
                    match crate::lake::maintain::delta::parse_retention(&v.typed) {
                        Ok(d) => {
                            let (name, table) = (v.name.clone(), v.table.clone());
                            v.stage = Stage::Planning;
                            v.typed.clear();
                            return vec![Effect::PlanMaintain {
                                seq,
                                kind: MaintainKind::Vacuum,
                                name,
                                table: Box::new(table),
                                partition: None,
                                retain: Some(d),
                            }];
                        }
                        Err(e) => state.error(e),
                    }
                }
                _ => {
                    state.maintain = None;
                    state.info("not run: nothing was changed".to_string());
                }
            }
        }
        (Stage::Confirm(_), _) => {
            state.maintain = None;
            state.info("not run: nothing was changed".to_string());
        }
        (Stage::Done(_) | Stage::Failed(_), _) => state.maintain = None,
    }
    Vec::new()
}

pub fn planned(state: &mut AppState, seq: u64, result: Result<MaintainPlan, String>) {
    let Some(v) = state.maintain.as_mut().filter(|v| v.seq == seq) else { return };
    v.stage = match result {
        Ok(p) => Stage::Confirm(p),
        Err(e) => Stage::Failed(e),
    };
    v.scroll = 0;
}

pub fn progress(state: &mut AppState, seq: u64, p: Progress) {
    if let Some(v) = state.maintain.as_mut().filter(|v| v.seq == seq)
        && let Stage::Running(_, old) = &mut v.stage
    {
        *old = p;
    }
}

/// A finished action; `true` when it changed the lake (the listing is made again).
pub fn done(state: &mut AppState, seq: u64, result: Result<Vec<String>, String>) -> bool {
    let Some(v) = state.maintain.as_mut().filter(|v| v.seq == seq) else { return false };
    let finished = result.is_ok();
    v.stage = match result {
        Ok(lines) => Stage::Done(lines),
        Err(e) => Stage::Failed(e),
    };
    v.scroll = 0;
    finished
}

/// The job ended without a result (cancelled): say so.
pub fn job_ended(state: &mut AppState, seq: u64) {
    if let Some(v) = state.maintain.as_mut().filter(|v| v.seq == seq)
        && matches!(v.stage, Stage::Running(..) | Stage::Planning)
    {
        v.stage = Stage::Failed(
            "cancelled: nothing was committed (Delta), or the partition in progress was rolled back (dataset)".into(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::JobId;
    use crate::state::update;

    fn view(stage: Stage) -> AppState {
        let mut s = crate::state::diag::tests::state_with_tables();
        let table = s.catalog.tables().next().map(|(_, t)| t.clone()).unwrap();
        s.maintain = Some(MaintainView {
            seq: 3,
            kind: MaintainKind::Convert,
            name: "b.z.t".into(),
            table,
            partition: None,
            stage,
            typed: String::new(),
            scroll: 0,
        });
        s
    }

    fn convert_plan(refusal: Option<&str>) -> MaintainPlan {
        MaintainPlan::Convert { lines: vec!["convert".into()], refusal: refusal.map(str::to_string) }
    }

    #[test]
    fn y_runs_the_plan_and_anything_else_cancels() {
        let mut s = view(Stage::Confirm(convert_plan(None)));
        let effects = update(&mut s, Action::MaintainKey(InputKey::Char('y')));
        assert!(matches!(effects.as_slice(), [Effect::RunMaintain { seq: 3, .. }]), "{effects:?}");
        assert!(matches!(s.maintain.as_ref().unwrap().stage, Stage::Running(..)));
        let mut s = view(Stage::Confirm(convert_plan(None)));
        assert!(update(&mut s, Action::MaintainKey(InputKey::Char('n'))).is_empty());
        assert!(s.maintain.is_none());
        // A refused plan never runs.
        let mut s = view(Stage::Confirm(convert_plan(Some("refused: read-only"))));
        assert!(update(&mut s, Action::MaintainKey(InputKey::Char('y'))).is_empty());
        assert!(s.maintain.is_none());
    }

    #[test]
    fn esc_cancels_a_running_job_and_the_overlay_says_what_happened() {
        let mut s = view(Stage::Running(convert_plan(None), Progress::default()));
        update(
            &mut s,
            Action::JobStarted { id: JobId(9), kind: JobKind::Maintain, label: "convert".into(), ticket: 3 },
        );
        // Keys other than Esc do not abandon a running rewrite.
        assert!(update(&mut s, Action::MaintainKey(InputKey::Char('y'))).is_empty());
        let effects = update(&mut s, Action::MaintainKey(InputKey::Cancel));
        assert_eq!(effects, vec![Effect::CancelJob(JobId(9))]);
        assert!(s.maintain.is_some(), "the overlay stays until the job stops");
        update(&mut s, Action::JobFinished { id: JobId(9), cancelled: true });
        let Some(Stage::Failed(why)) = s.maintain.as_ref().map(|m| m.stage.clone()) else { panic!() };
        assert!(why.contains("cancelled"), "{why}");
        // A late result for another run is dropped.
        done(&mut s, 99, Ok(vec!["late".into()]));
        assert!(matches!(s.maintain.as_ref().unwrap().stage, Stage::Failed(_)));
    }
}
