//! The SQL pane: the editor, completion, the query history (browsed with Ctrl-P/N and searched
//! with Ctrl-R), the running query (progress as the job reports it), the estimate and the
//! actual figures, and the result grid (or an EXPLAIN plan) with its record view, filter and
//! copy. Its state lives in `AppState::sql` and is kept when the pane closes. Keys, job reports
//! and the end of jobs are handled here; running, estimating, exporting, copying and saving
//! history are effects.

use super::editor::{Editor, is_word_char};
use super::grid::Grid;
use super::input::{Edit, LineInput};
use super::{AppState, Effect, Flow, MessageLevel, Screen, is_movement, step_of};
use crate::event::{EditKey, Input, InputKey, Intent, Seq, Shared, view};
use crate::jobs::sql::{Report, SqlProgress};
use crate::jobs::{Job, Owner};
use crate::lake::sql::catalog::sql_names;
use crate::lake::sql::estimate::Estimate;
use crate::lake::sql::export::Format;
use crate::lake::{Catalog, TableEntry, TableFormat};

/// Queries kept in the history.
pub const HISTORY_MAX: usize = 1000;
/// Candidates listed by completion.
const COMPLETION_MAX: usize = 50;
/// Copies bigger than this are refused (terminals drop long OSC 52 sequences).
pub const COPY_MAX: usize = 4 << 20;

pub const KEYWORDS: &[&str] = &[
    "SELECT",
    "FROM",
    "WHERE",
    "GROUP BY",
    "ORDER BY",
    "HAVING",
    "LIMIT",
    "OFFSET",
    "JOIN",
    "LEFT JOIN",
    "RIGHT JOIN",
    "FULL JOIN",
    "INNER JOIN",
    "CROSS JOIN",
    "ON",
    "USING",
    "AS",
    "AND",
    "OR",
    "NOT",
    "IN",
    "IS NULL",
    "IS NOT NULL",
    "LIKE",
    "ILIKE",
    "BETWEEN",
    "CASE",
    "WHEN",
    "THEN",
    "ELSE",
    "END",
    "DISTINCT",
    "UNION ALL",
    "UNION",
    "INTERSECT",
    "EXCEPT",
    "WITH",
    "OVER",
    "PARTITION BY",
    "ASC",
    "DESC",
    "NULLS FIRST",
    "NULLS LAST",
    "CAST",
    "TRY_CAST",
    "INTERVAL",
    "EXPLAIN",
    "EXPLAIN ANALYZE",
    "SHOW TABLES",
    "DESCRIBE",
    "TRUE",
    "FALSE",
    "NULL",
    "DATE",
    "TIMESTAMP",
    "VALUES",
    "EXISTS",
    "FILTER",
    "WINDOW",
    "ROWS",
    "RANGE",
    "UNNEST",
    "QUALIFY",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqlFocus {
    Editor,
    Results,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CandidateKind {
    Column,
    Table,
    Keyword,
    Function,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub text: String,
    pub kind: CandidateKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub items: Vec<Candidate>,
    pub selected: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// Ctrl-R: search the history.
    Search,
    /// `/` in the results: filter the fetched rows.
    Filter,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SqlLine {
    pub kind: LineKind,
    pub input: LineInput,
    /// Search: the history entry shown (index into `history`).
    pub hit: Option<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SqlResult {
    Grid(Box<Grid>),
    /// EXPLAIN: the plan as text, one (plan type, lines) per row.
    Plan(Vec<(String, Vec<String>)>),
}

impl SqlResult {
    /// An EXPLAIN plan as lines: each plan type, then its lines indented.
    pub fn plan_lines(plan: &[(String, Vec<String>)]) -> Vec<String> {
        let mut out = Vec::new();
        for (kind, lines) in plan {
            out.push(format!("{kind}:"));
            out.extend(lines.iter().map(|l| format!("  {l}")));
        }
        out
    }
}

/// What was asked and what came back, for the status lines.
#[derive(Debug, Clone, PartialEq)]
pub struct RunInfo {
    pub seq: Seq<view::Sql>,
    pub sql: String,
    pub running: bool,
    pub progress: SqlProgress,
    pub error: Option<String>,
    pub cancelled: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SqlPane {
    pub editor: Editor,
    pub focus: SqlFocus,
    pub completion: Option<Completion>,
    /// Function names of the engine (arrive when it is ready).
    pub functions: Vec<String>,
    /// Past queries, oldest first.
    pub history: Vec<String>,
    /// Browsing the history: the entry shown, and the text it replaced.
    pub history_pos: Option<usize>,
    pub draft: Option<String>,
    pub line: Option<SqlLine>,
    pub seq: Seq<view::Sql>,
    pub run: Option<RunInfo>,
    pub result: Option<SqlResult>,
    /// The estimate of the statement as it was when estimated (`sql`): stale once the text
    /// changes.
    pub estimate: Option<(Seq<view::Sql>, String, Result<Estimate, String>)>,
    /// Record view of the cursor's row: its scroll.
    pub record: Option<usize>,
    /// Table locations the editor names (their columns complete; their details load).
    pub referenced: Vec<String>,
    /// Rows the grid keeps (`[sql] max_rows`).
    pub max_rows: usize,
    pub export: Option<(String, u64)>,
    /// The plan text's first line shown, and its first column (plan lines are long).
    pub plan_scroll: usize,
    pub plan_col: usize,
}

impl SqlPane {
    pub fn new(history: Vec<String>, max_rows: usize) -> Self {
        SqlPane {
            editor: Editor::default(),
            focus: SqlFocus::Editor,
            completion: None,
            functions: Vec::new(),
            history,
            history_pos: None,
            draft: None,
            line: None,
            seq: Seq::default(),
            run: None,
            result: None,
            estimate: None,
            record: None,
            referenced: Vec::new(),
            max_rows,
            export: None,
            plan_scroll: 0,
            plan_col: 0,
        }
    }

    pub fn running(&self) -> bool {
        self.run.as_ref().is_some_and(|r| r.running)
    }

    /// The estimate, if it is of the statement in the editor now.
    pub fn current_estimate(&self) -> Option<&Result<Estimate, String>> {
        let text = statement(&self.editor.text());
        self.estimate.as_ref().filter(|(_, sql, _)| *sql == text).map(|(_, _, e)| e)
    }

    pub fn grid(&self) -> Option<&Grid> {
        match &self.result {
            Some(SqlResult::Grid(g)) => Some(g),
            _ => None,
        }
    }

    fn grid_mut(&mut self) -> Option<&mut Grid> {
        match &mut self.result {
            Some(SqlResult::Grid(g)) => Some(g),
            _ => None,
        }
    }
}

/// Editor lines shown (the rest of the body is the results).
pub fn editor_rows(state: &AppState) -> usize {
    let body = state.height.saturating_sub(2) as usize;
    (body / 3).clamp(3, 12)
}

/// Result rows shown: the body minus the editor, its borders, the run line and the grid header.
pub fn grid_rows(state: &AppState) -> usize {
    let body = state.height.saturating_sub(2) as usize;
    body.saturating_sub(editor_rows(state) + 2 + 1 + 2 + 1).max(1)
}

/// The query `s` opens for a table: as of `version` (from the history view), else as of the
/// time-travel choice on it, else its latest version.
pub fn table_query(state: &AppState, table: &TableEntry, version: Option<u64>) -> String {
    let name = sql_names(&state.catalog)
        .into_iter()
        .find(|(_, t)| t.location == table.location)
        .map(|(n, _)| n)
        .unwrap_or_else(|| table.name.clone());
    let travel = state.as_of_for(&table.location);
    let as_of = version.map(crate::lake::delta::diff::AsOf::Version).or(travel);
    let from = match as_of.filter(|_| table.format == TableFormat::Delta) {
        Some(a) => match &a {
            crate::lake::delta::diff::AsOf::Version(v) => format!("delta_version('{name}', {v})"),
            crate::lake::delta::diff::AsOf::Timestamp(ts) => format!("delta_as_of('{name}', '{ts}')"),
        },
        None => name,
    };
    format!("SELECT *\nFROM {from}\nLIMIT 100")
}

/// `S` / `s`: open the pane (on a query of the current table for `s`); `S` again closes it.
pub fn open_from(state: &mut AppState, intent: Intent) -> Vec<Effect> {
    let mut effects = Vec::new();
    if intent == Intent::QueryTable {
        // From the history: the version under the cursor; else the current table.
        let (table, version) = match state.screens.iter().rev().find(|s| !s.is_overlay()) {
            Some(Screen::History(h)) => (Some(h.table.clone()), h.selected().map(|e| e.version)),
            _ => (state.current_table(), None),
        };
        let Some(t) = table else {
            state.error("select a table to query");
            return Vec::new();
        };
        let q = table_query(state, &t, version);
        effects.extend(set_text_keeping_draft(state, &q));
        state.sql.focus = SqlFocus::Editor;
    }
    effects.extend(open(state));
    effects
}

/// Replace the editor's text; an unrun draft goes to the history first (Ctrl-P brings it back).
fn set_text_keeping_draft(state: &mut AppState, text: &str) -> Vec<Effect> {
    let draft = state.sql.editor.text();
    let draft = draft.trim();
    let mut effects = Vec::new();
    let ran = state.sql.run.as_ref().is_some_and(|r| r.sql == statement(draft));
    if !draft.is_empty() && draft != text.trim() && !ran && state.sql.history.last().map(String::as_str) != Some(draft)
    {
        state.sql.history.push(draft.to_string());
        effects.push(Effect::SaveQuery(draft.to_string()));
        state.info("your draft is in the query history (ctrl-p brings it back)");
    }
    state.sql.editor.set_text(text);
    state.sql.history_pos = None;
    effects
}

/// Open the pane (keeping its text) and get the engine ready.
pub fn open(state: &mut AppState) -> Vec<Effect> {
    if state.sql_open() {
        // Bring it to the top.
        state.push(Screen::Sql);
        return Vec::new();
    }
    state.push(Screen::Sql);
    if state.sql.functions.is_empty() {
        vec![Effect::Spawn(Job::PrepareSql { catalog: Shared::new(state.catalog.clone()) })]
    } else {
        Vec::new()
    }
}

/// `:sql [QUERY]`: open the pane; with a query, run it.
pub fn command(state: &mut AppState, arg: &str) -> Vec<Effect> {
    let mut effects = open(state);
    if !arg.is_empty() {
        effects.extend(set_text_keeping_draft(state, arg));
        state.sql.focus = SqlFocus::Editor;
        effects.extend(run(state));
    }
    effects
}

pub fn on_input(state: &mut AppState, input: &Input) -> Flow {
    match input {
        Input::Line(key) => {
            line_input(state, *key);
            Flow::done()
        }
        Input::Edit(key) => {
            edit(state, *key);
            Flow::done()
        }
        Input::Command(_) => Flow::Pass,
        Input::Intent(intent) => intent_input(state, *intent),
    }
}

fn intent_input(state: &mut AppState, intent: Intent) -> Flow {
    let rows = grid_rows(state);
    let mut effects = Vec::new();
    match intent {
        Intent::Sql => return Flow::Close(Vec::new()),
        Intent::QueryTable => return Flow::Done(open_from(state, intent)),
        Intent::Complete => complete(state),
        Intent::RunQuery => effects.extend(run(state)),
        Intent::Estimate => effects.extend(estimate(state)),
        Intent::SearchHistory => {
            let p = &mut state.sql;
            match p.line.as_mut() {
                // Again: the next older match.
                Some(l) if l.kind == LineKind::Search => {
                    let from = l.hit.unwrap_or(p.history.len());
                    l.hit = search(&p.history, &l.input.text, from).or(l.hit);
                }
                _ => {
                    p.completion = None;
                    p.line = Some(SqlLine { kind: LineKind::Search, input: LineInput::default(), hit: None });
                }
            }
        }
        Intent::HistoryPrev | Intent::HistoryNext => {
            let p = &mut state.sql;
            if p.history.is_empty() {
                return Flow::done();
            }
            let pos = match (intent, p.history_pos) {
                (Intent::HistoryPrev, None) => Some(p.history.len() - 1),
                (Intent::HistoryPrev, Some(i)) => Some(i.saturating_sub(1)),
                (_, Some(i)) if i + 1 < p.history.len() => Some(i + 1),
                _ => None,
            };
            if p.history_pos.is_none() {
                p.draft = Some(p.editor.text());
            }
            p.history_pos = pos;
            let text = match pos {
                Some(i) => p.history[i].clone(),
                None => p.draft.take().unwrap_or_default(),
            };
            p.editor.set_text(&text);
        }
        Intent::SwitchPane => {
            state.sql.completion = None;
            state.sql.focus = match state.sql.focus {
                SqlFocus::Editor if state.sql.result.is_some() => SqlFocus::Results,
                _ => SqlFocus::Editor,
            };
        }
        Intent::Cancel => return cancel(state),
        Intent::Back => {
            if state.sql.record.is_some() {
                state.sql.record = None;
            } else {
                state.sql.focus = SqlFocus::Editor;
            }
        }
        Intent::Enter if state.sql.grid().is_some_and(|g| !g.is_empty()) => {
            state.sql.record = if state.sql.record.is_some() { None } else { Some(0) };
        }
        i if is_movement(i) => {
            let step = step_of(i, rows);
            let p = &mut state.sql;
            if let Some(scroll) = p.record.as_mut() {
                *scroll = (*scroll as isize + step.clamp(-1000, 1000)).max(0) as usize;
            } else if let Some(SqlResult::Plan(plan)) = &p.result {
                let len = SqlResult::plan_lines(plan).len();
                super::scroll_text(&mut p.plan_scroll, len, rows, step.clamp(-100_000, 100_000));
            } else if let Some(g) = p.grid_mut() {
                g.move_rows(step, rows);
            }
        }
        Intent::ColumnLeft | Intent::ColumnRight | Intent::FirstColumn | Intent::LastColumn => {
            let width = state.width.saturating_sub(2) as usize;
            let step = match intent {
                Intent::ColumnLeft => -1,
                Intent::ColumnRight => 1,
                Intent::FirstColumn => isize::MIN / 2,
                _ => isize::MAX / 2,
            };
            let p = &mut state.sql;
            if let Some(SqlResult::Plan(plan)) = &p.result {
                // Plans scroll sideways by a few characters.
                let longest = SqlResult::plan_lines(plan).iter().map(|l| l.chars().count()).max().unwrap_or(0);
                let max = longest.saturating_sub(width / 2) as isize;
                p.plan_col = (p.plan_col as isize).saturating_add(step.saturating_mul(8)).clamp(0, max.max(0)) as usize;
            } else if let Some(g) = p.grid_mut() {
                g.move_cols(step, width);
            }
        }
        Intent::SortColumn => {
            if let Some(g) = state.sql.grid_mut()
                && let Err(e) = g.toggle_sort()
            {
                state.error(e);
            }
        }
        Intent::FilterRows => {
            if let Some(g) = state.sql.grid() {
                let text = g.filter.clone();
                state.sql.line =
                    Some(SqlLine { kind: LineKind::Filter, input: LineInput::with_text(&text), hit: None });
            }
        }
        Intent::CopyCell | Intent::CopyRow | Intent::CopyAll => effects.extend(copy(state, intent)),
        Intent::Export => {
            if state.sql.run.as_ref().is_some_and(|r| r.error.is_none() && !r.running) {
                super::overlay::open_command(state, "export ");
            } else {
                state.error(
                    "run a query first; export runs it again and writes every row (:export FILE.csv|json|parquet)",
                );
            }
        }
        _ => return Flow::Pass,
    }
    Flow::Done(effects)
}

fn copy(state: &mut AppState, intent: Intent) -> Vec<Effect> {
    let p = &state.sql;
    let (text, what) = if let Some(SqlResult::Plan(plan)) = &p.result {
        // An EXPLAIN plan is copied whole, whichever copy key.
        (SqlResult::plan_lines(plan).join("\n"), "the plan".to_string())
    } else {
        let Some(g) = p.grid() else { return Vec::new() };
        if g.is_empty() {
            return Vec::new();
        }
        match intent {
            Intent::CopyCell => (g.cell(g.row, g.col).unwrap_or_default(), "cell".to_string()),
            Intent::CopyRow => (g.tsv(g.row..g.row + 1, false), "row".to_string()),
            _ => (g.tsv(0..g.len(), true), crate::lake::units::plural(g.len() as u64, "row")),
        }
    };
    if text.len() > COPY_MAX {
        state.error(format!(
            "{what} is {} of text, more than a terminal takes through OSC 52; export it instead (x)",
            crate::lake::units::bytes(text.len() as u64)
        ));
        Vec::new()
    } else {
        state.info(format!("copied {what} ({}) to the clipboard", crate::lake::units::bytes(text.len() as u64)));
        vec![Effect::Copy(text)]
    }
}

pub fn on_report(state: &mut AppState, r: Report) -> Vec<Effect> {
    match r {
        Report::Ready(Ok(functions)) => state.sql.functions = functions,
        Report::Ready(Err(e)) => state.error(e),
        Report::Estimated { seq, result } => {
            if seq == state.sql.seq {
                let sql = state.sql.run.as_ref().filter(|r| r.seq == seq).map(|r| r.sql.clone());
                let sql = sql.unwrap_or_else(|| statement(&state.sql.editor.text()));
                state.sql.estimate = Some((seq, sql, result));
            }
        }
        Report::Started { seq, schema } => {
            if seq != state.sql.seq {
                return Vec::new();
            }
            let explain =
                schema.fields().len() == 2 && schema.field(0).name() == "plan_type" && schema.field(1).name() == "plan";
            state.sql.result =
                Some(if explain { SqlResult::Plan(Vec::new()) } else { SqlResult::Grid(Box::new(Grid::new(schema))) });
            state.sql.plan_scroll = 0;
            state.sql.plan_col = 0;
            state.sql.record = None;
        }
        Report::Rows { seq, batches, progress } => {
            if seq != state.sql.seq {
                return Vec::new();
            }
            if let Some(r) = state.sql.run.as_mut() {
                r.progress = progress;
            }
            match state.sql.result.as_mut() {
                Some(SqlResult::Grid(g)) => g.append(batches, progress.rows),
                Some(SqlResult::Plan(lines)) => {
                    for b in &batches {
                        for r in 0..b.num_rows() {
                            let kind = super::grid::cell_text(b.column(0).as_ref(), r).unwrap_or_default();
                            let text = super::grid::cell_text(b.column(1).as_ref(), r).unwrap_or_default();
                            lines.push((kind, text.lines().map(str::to_string).collect()));
                        }
                    }
                }
                None => {}
            }
        }
        Report::Done { seq, progress, error } => {
            if seq != state.sql.seq {
                return Vec::new();
            }
            if let Some(r) = state.sql.run.as_mut() {
                r.running = false;
                r.progress = progress;
                r.error = error.clone();
            }
            if let Some(g) = state.sql.grid_mut() {
                g.total = g.total.max(progress.rows);
            }
            // A result (rows, or a plan) takes the keys: j/k, h/l, y move through it, not the text.
            let has_result = match &state.sql.result {
                Some(SqlResult::Grid(g)) => !g.is_empty(),
                Some(SqlResult::Plan(p)) => !p.is_empty(),
                None => false,
            };
            if error.is_none() && has_result {
                state.sql.focus = SqlFocus::Results;
            }
        }
        Report::Export { path, rows, result } => match result {
            None => state.sql.export = Some((path, rows)),
            Some(Ok(())) => {
                state.sql.export = None;
                state.info(format!("exported {} to {path}", crate::lake::units::plural(rows, "row")));
            }
            Some(Err(e)) => {
                state.sql.export = None;
                state.error(format!("export to {path} failed: {e}"));
            }
        },
    }
    Vec::new()
}

/// `:export FILE`: run the last query again and write every row. A relative name is written in
/// the directory lakescope was started in, and the message says the full path.
pub fn export(state: &mut AppState, arg: &str) -> Vec<Effect> {
    let Some(sql) = state.sql.run.as_ref().filter(|r| r.error.is_none()).map(|r| r.sql.clone()) else {
        state.error("run a query first (:export FILE.csv|json|parquet writes its whole result)");
        return Vec::new();
    };
    let arg = arg.trim();
    if arg.is_empty() {
        state.error("export to a .csv, .json or .parquet file (:export /tmp/result.parquet)");
        return Vec::new();
    }
    let path = expand(arg);
    let Some(format) = Format::from_path(&path) else {
        state.error(format!("{}: export to a .csv, .json or .parquet file", path.display()));
        return Vec::new();
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty() && !d.is_dir()) {
        state.error(format!("cannot export to {}: the folder {} does not exist", path.display(), dir.display()));
        return Vec::new();
    }
    state.sql.export = Some((path.display().to_string(), 0));
    vec![Effect::Spawn(Job::Export { sql, path, format, catalog: Shared::new(state.catalog.clone()) })]
}

/// A path as typed: `~/` is the home folder, a relative one is under the working directory.
fn expand(arg: &str) -> std::path::PathBuf {
    let p = std::path::PathBuf::from(arg);
    let p = match (p.strip_prefix("~"), dirs::home_dir()) {
        (Ok(rest), Some(home)) => home.join(rest),
        _ => p,
    };
    if p.is_absolute() { p } else { std::env::current_dir().map(|d| d.join(&p)).unwrap_or(p) }
}

/// Esc: close the completion, else cancel the query, else close the record view, else back to
/// the editor, else close the pane.
fn cancel(state: &mut AppState) -> Flow {
    let p = &mut state.sql;
    if p.completion.take().is_some() {
        return Flow::done();
    }
    if p.running() {
        let seq = p.seq;
        return Flow::Done(state.jobs_of(&Owner::Sql(seq)).into_iter().map(Effect::Cancel).collect());
    }
    if p.record.take().is_some() {
        return Flow::done();
    }
    if p.focus == SqlFocus::Results {
        p.focus = SqlFocus::Editor;
        return Flow::done();
    }
    Flow::Close(Vec::new())
}

fn edit(state: &mut AppState, key: EditKey) {
    let height = editor_rows(state);
    let p = &mut state.sql;
    if let Some(c) = p.completion.as_mut() {
        match key {
            EditKey::Up => {
                c.selected = c.selected.checked_sub(1).unwrap_or(c.items.len() - 1);
                return;
            }
            EditKey::Down => {
                c.selected = (c.selected + 1) % c.items.len();
                return;
            }
            EditKey::Newline => {
                let text = c.items[c.selected].text.clone();
                p.editor.replace_word(&text);
                p.completion = None;
                p.referenced = referenced(&state.catalog, &p.editor.text());
                return;
            }
            _ => p.completion = None,
        }
    }
    if p.editor.apply(key) {
        p.history_pos = None;
        p.draft = None;
    }
    p.editor.scroll_to_cursor(height);
}

/// The statement as it runs: trimmed, without a trailing `;`.
pub fn statement(text: &str) -> String {
    text.trim().trim_end_matches(';').trim().to_string()
}

/// The start of a run: a fresh sequence number, the history saved, the result cleared.
fn begin(state: &mut AppState) -> Option<(Seq<view::Sql>, String)> {
    let sql = statement(&state.sql.editor.text());
    if sql.is_empty() {
        state.error("nothing to run: type a query (s on a table in the browser starts one)");
        return None;
    }
    state.sql.seq = state.seqs.take();
    state.sql.completion = None;
    state.sql.referenced = referenced(&state.catalog, &sql);
    Some((state.sql.seq, sql))
}

fn run(state: &mut AppState) -> Vec<Effect> {
    let mut effects = Vec::new();
    // A new run replaces the one still going.
    if state.sql.running() {
        effects.extend(state.jobs_of(&Owner::Sql(state.sql.seq)).into_iter().map(Effect::Cancel));
    }
    let Some((seq, sql)) = begin(state) else { return effects };
    let p = &mut state.sql;
    if p.history.last() != Some(&sql) {
        p.history.push(sql.clone());
        if p.history.len() > HISTORY_MAX {
            let extra = p.history.len() - HISTORY_MAX;
            p.history.drain(..extra);
        }
        effects.push(Effect::SaveQuery(sql.clone()));
    }
    p.history_pos = None;
    p.draft = None;
    p.run = Some(RunInfo {
        seq,
        sql: sql.clone(),
        running: true,
        progress: SqlProgress::default(),
        error: None,
        cancelled: false,
    });
    p.estimate = None;
    p.result = None;
    p.record = None;
    let catalog = Shared::new(state.catalog.clone());
    effects.push(Effect::Spawn(Job::Query { seq, sql, max_rows: p.max_rows, catalog }));
    effects
}

fn estimate(state: &mut AppState) -> Vec<Effect> {
    if state.sql.running() {
        state.error("a query is running (esc cancels it)");
        return Vec::new();
    }
    let Some((seq, sql)) = begin(state) else { return Vec::new() };
    state.sql.estimate = None;
    vec![Effect::Spawn(Job::Estimate { seq, sql, catalog: Shared::new(state.catalog.clone()) })]
}

/// A job of the pane ended: a cancel or a failure without a result is shown.
pub fn job_ended(state: &mut AppState, seq: Seq<view::Sql>, cancelled: bool) {
    let p = &mut state.sql;
    if let Some(r) = p.run.as_mut().filter(|r| r.seq == seq && r.running) {
        r.running = false;
        r.cancelled = cancelled;
        if !cancelled && r.error.is_none() {
            r.error = Some("the query ended without a result".into());
        }
    }
    if p.estimate.is_none() && p.seq == seq && !cancelled && p.run.as_ref().is_none_or(|r| r.seq != seq) {
        p.estimate = Some((seq, statement(&p.editor.text()), Err("the estimate ended without a result".into())));
    }
}

fn line_input(state: &mut AppState, key: InputKey) {
    let Some(line) = state.sql.line.as_mut() else { return };
    let edit = line.input.apply(key);
    let kind = line.kind;
    match (kind, edit) {
        (LineKind::Search, Edit::Changed) => {
            let hit = search(&state.sql.history, &line.input.text, state.sql.history.len());
            line.hit = hit;
        }
        (LineKind::Search, Edit::Submit) => {
            let hit = line.hit;
            state.sql.line = None;
            if let Some(i) = hit {
                let text = state.sql.history[i].clone();
                state.sql.editor.set_text(&text);
            }
        }
        (LineKind::Filter, Edit::Changed) => {
            let text = line.input.text.clone();
            if let Some(g) = state.sql.grid_mut()
                && let Err(e) = g.set_filter(&text)
            {
                state.message = Some(super::Message { text: e, level: MessageLevel::Error });
            }
        }
        (LineKind::Filter, Edit::Submit) => state.sql.line = None,
        (LineKind::Filter, Edit::Cancel) => {
            state.sql.line = None;
            if let Some(g) = state.sql.grid_mut() {
                let _ = g.set_filter("");
            }
        }
        (_, Edit::Cancel) => state.sql.line = None,
        (_, Edit::Moved) => {}
    }
}

/// The newest history entry before `before` containing `text` (case-insensitive).
pub fn search(history: &[String], text: &str, before: usize) -> Option<usize> {
    let needle = text.to_lowercase();
    history[..before.min(history.len())].iter().rposition(|q| q.to_lowercase().contains(&needle))
}

/// Locations of the tables a query names (by their SQL names).
pub fn referenced(catalog: &Catalog, sql: &str) -> Vec<String> {
    let lower = sql.to_lowercase();
    let words: Vec<&str> = lower.split(|c: char| !is_word_char(c)).filter(|w| !w.is_empty()).collect();
    let mut out = Vec::new();
    for (name, t) in sql_names(catalog) {
        let n = name.to_lowercase();
        if words.iter().any(|w| *w == n || w.trim_matches('"') == n) && !out.contains(&t.location) {
            out.push(t.location.clone());
        }
    }
    out
}

/// Complete the word before the cursor: one candidate is inserted, several open a list.
fn complete(state: &mut AppState) {
    let (word, _) = state.sql.editor.word_before_cursor();
    let text = state.sql.editor.text();
    state.sql.referenced = referenced(&state.catalog, &text);
    let items = candidates(state, &word);
    let p = &mut state.sql;
    match items.len() {
        0 => {
            p.completion = None;
            let what = if word.is_empty() { "here".to_string() } else { format!("for {word:?}") };
            state.message = Some(super::Message { text: format!("no completion {what}"), level: MessageLevel::Info });
        }
        1 => {
            p.editor.replace_word(&items[0].text);
            p.completion = None;
            // A table just completed: its columns load for the next completion.
            p.referenced = referenced(&state.catalog, &p.editor.text());
        }
        _ => p.completion = Some(Completion { items, selected: 0 }),
    }
}

/// Candidates for `word`: columns of the tables the query names, tables, keywords, functions.
pub fn candidates(state: &AppState, word: &str) -> Vec<Candidate> {
    let lower = word.to_lowercase();
    let starts = |s: &str| s.to_lowercase().starts_with(&lower);
    let mut out: Vec<Candidate> = Vec::new();
    let push = |text: String, kind: CandidateKind, out: &mut Vec<Candidate>| {
        if !out.iter().any(|c| c.text == text) {
            out.push(Candidate { text, kind });
        }
    };
    // `alias.col` / `table.col`: complete the part after the dot with columns.
    let (prefix, last) = match word.rsplit_once('.') {
        Some((p, l)) => (Some(p), l.to_lowercase()),
        None => (None, lower.clone()),
    };
    for loc in &state.sql.referenced {
        if let Some(super::DetailSlot::Ready(d)) = state.details.get(loc) {
            for c in &d.columns {
                let name = crate::lake::sql::catalog::quote_ident(&c.name);
                if name.to_lowercase().starts_with(&last) {
                    let text = match prefix {
                        Some(p) => format!("{p}.{name}"),
                        None => name,
                    };
                    push(text, CandidateKind::Column, &mut out);
                }
            }
        }
    }
    for (name, _) in sql_names(&state.catalog) {
        if starts(&name) || (prefix.is_none() && name.rsplit('.').next().is_some_and(starts)) {
            push(name, CandidateKind::Table, &mut out);
        }
    }
    if prefix.is_none() && !word.is_empty() {
        for k in KEYWORDS {
            if starts(k) {
                push(k.to_string(), CandidateKind::Keyword, &mut out);
            }
        }
        for f in &state.sql.functions {
            if starts(f) {
                push(f.clone(), CandidateKind::Function, &mut out);
            }
        }
    }
    out.truncate(COMPLETION_MAX);
    out
}

/// The history file's text for `queries` (one JSON string per line, multi-line queries safe).
pub fn history_lines(queries: &[String]) -> String {
    queries.iter().filter_map(|q| serde_json::to_string(q).ok()).map(|l| l + "\n").collect()
}

/// Parse a history file; unreadable lines are skipped, the newest `HISTORY_MAX` kept.
pub fn parse_history(text: &str) -> Vec<String> {
    let mut out: Vec<String> = text.lines().filter_map(|l| serde_json::from_str::<String>(l).ok()).collect();
    out.dedup();
    if out.len() > HISTORY_MAX {
        out.drain(..out.len() - HISTORY_MAX);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Msg;
    use crate::state::testing::{loaded, press};
    use crate::state::update;

    fn typed(s: &mut AppState, text: &str) {
        for c in text.chars() {
            update(s, Msg::User(Input::Edit(EditKey::Char(c))));
        }
    }

    #[test]
    fn s_opens_a_query_of_the_table_and_keeps_an_unrun_draft() {
        let mut s = loaded(&["acme/silver/orders:delta"], false);
        let effects = press(&mut s, &[Intent::Sql]);
        assert!(matches!(effects.as_slice(), [Effect::Spawn(Job::PrepareSql { .. })]), "{effects:?}");
        typed(&mut s, "SELECT 1 -- my draft");
        press(&mut s, &[Intent::Cancel]);
        assert!(!s.sql_open(), "esc closes the pane, keeping its text");
        press(&mut s, &[Intent::Enter, Intent::Enter]);
        let effects = press(&mut s, &[Intent::QueryTable]);
        assert!(s.sql.editor.text().contains("FROM silver.orders"), "{}", s.sql.editor.text());
        assert_eq!(s.sql.history.last().map(String::as_str), Some("SELECT 1 -- my draft"));
        assert!(effects.iter().any(|e| matches!(e, Effect::SaveQuery(q) if q.contains("my draft"))), "{effects:?}");
        // The same query again is not a draft to keep.
        let n = s.sql.history.len();
        press(&mut s, &[Intent::Cancel, Intent::QueryTable]);
        assert_eq!(s.sql.history.len(), n);
    }

    #[test]
    fn a_run_replaces_the_result_and_drops_reports_of_older_runs() {
        let mut s = loaded(&["acme/silver/orders:delta"], false);
        press(&mut s, &[Intent::Sql]);
        typed(&mut s, "SELECT 1");
        let effects = press(&mut s, &[Intent::RunQuery]);
        let Some(Effect::Spawn(Job::Query { seq, .. })) =
            effects.iter().find(|e| matches!(e, Effect::Spawn(_))).cloned()
        else {
            panic!("{effects:?}")
        };
        assert!(s.sql.running());
        // A second run: the first one's reports no longer land.
        let effects = press(&mut s, &[Intent::RunQuery]);
        assert!(effects.iter().any(|e| matches!(e, Effect::Spawn(Job::Query { .. }))));
        update(&mut s, Report::Done { seq, progress: SqlProgress::default(), error: Some("old".into()) }.into());
        assert!(s.sql.running(), "the old run's end does not end the new one");
        assert_eq!(s.sql.run.as_ref().unwrap().error, None);
    }

    #[test]
    fn an_estimate_is_shown_only_for_the_text_it_was_made_for() {
        let mut s = loaded(&["acme/silver/orders:delta"], false);
        press(&mut s, &[Intent::Sql]);
        typed(&mut s, "SELECT 1");
        let effects = press(&mut s, &[Intent::Estimate]);
        let Some(Effect::Spawn(Job::Estimate { seq, .. })) = effects.first().cloned() else { panic!("{effects:?}") };
        let e = Estimate { files: 1, bytes: 10, gets: 2, partitions: 0, memory_scans: 0, scans: 1 };
        update(&mut s, Report::Estimated { seq, result: Ok(e) }.into());
        assert!(s.sql.current_estimate().is_some());
        typed(&mut s, "0");
        assert!(s.sql.current_estimate().is_none(), "the text changed: the estimate is of another query");
    }

    #[test]
    fn an_explain_plan_takes_the_focus_and_scrolls_sideways() {
        let mut s = loaded(&["acme/silver/orders:delta"], false);
        press(&mut s, &[Intent::Sql]);
        typed(&mut s, "EXPLAIN SELECT 1");
        let effects = press(&mut s, &[Intent::RunQuery]);
        let Some(Effect::Spawn(Job::Query { seq, .. })) =
            effects.iter().find(|e| matches!(e, Effect::Spawn(_))).cloned()
        else {
            panic!()
        };
        s.sql.result = Some(SqlResult::Plan(vec![("physical_plan".into(), vec!["x".repeat(300)])]));
        update(&mut s, Report::Done { seq, progress: SqlProgress::default(), error: None }.into());
        assert_eq!(s.sql.focus, SqlFocus::Results);
        press(&mut s, &[Intent::ColumnRight, Intent::ColumnRight]);
        assert_eq!(s.sql.plan_col, 16);
        let effects = press(&mut s, &[Intent::CopyCell]);
        assert!(matches!(effects.as_slice(), [Effect::Copy(t)] if t.contains(&"x".repeat(300))), "{effects:?}");
    }

    #[test]
    fn export_refuses_a_missing_folder_and_resolves_a_relative_name() {
        let mut s = loaded(&["acme/silver/orders:delta"], false);
        s.sql.run = Some(RunInfo {
            seq: Seq::new(1),
            sql: "SELECT 1".into(),
            running: false,
            progress: SqlProgress::default(),
            error: None,
            cancelled: false,
        });
        assert!(export(&mut s, "/no/such/folder/out.csv").is_empty());
        assert!(s.message.as_ref().unwrap().text.contains("does not exist"));
        let effects = export(&mut s, "out.parquet");
        let Some(Effect::Spawn(Job::Export { path, .. })) = effects.first() else { panic!("{effects:?}") };
        assert!(path.is_absolute() && path.ends_with("out.parquet"), "{}", path.display());
        assert!(export(&mut s, "out.txt").is_empty(), "an unknown format is refused");
    }
}
