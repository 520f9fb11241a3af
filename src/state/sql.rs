//! The SQL pane's state: the editor, completion, the query history (browsed with Ctrl-P/N and
//! searched with Ctrl-R), the running query (progress as the job reports it), the estimate and
//! the actual figures, and the result grid with its record view, filter and copy. Plain data:
//! running, estimating, exporting, copying and saving history are effects.

use super::editor::{Editor, is_word_char};
use super::grid::Grid;
use super::input::{Edit, LineInput};
use super::{AppState, Effect, MessageLevel};
use crate::action::{Action, EditKey, InputKey, SqlProgress};
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

/// What was asked and what came back, for the status lines.
#[derive(Debug, Clone, PartialEq)]
pub struct RunInfo {
    pub seq: u64,
    pub sql: String,
    pub running: bool,
    pub progress: SqlProgress,
    pub error: Option<String>,
    pub cancelled: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SqlPane {
    pub open: bool,
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
    pub seq: u64,
    pub run: Option<RunInfo>,
    pub result: Option<SqlResult>,
    pub estimate: Option<(u64, Result<Estimate, String>)>,
    /// Record view of the cursor's row: its scroll.
    pub record: Option<usize>,
    /// Table locations the editor names (their columns complete; their details load).
    pub referenced: Vec<String>,
    /// Rows the grid keeps (`[sql] max_rows`).
    pub max_rows: usize,
    pub export: Option<(String, u64)>,
    /// The plan text's first line shown.
    pub plan_scroll: usize,
}

impl SqlPane {
    pub fn new(history: Vec<String>, max_rows: usize) -> Self {
        SqlPane {
            open: false,
            editor: Editor::default(),
            focus: SqlFocus::Editor,
            completion: None,
            functions: Vec::new(),
            history,
            history_pos: None,
            draft: None,
            line: None,
            seq: 0,
            run: None,
            result: None,
            estimate: None,
            record: None,
            referenced: Vec::new(),
            max_rows,
            export: None,
            plan_scroll: 0,
        }
    }

    pub fn running(&self) -> bool {
        self.run.as_ref().is_some_and(|r| r.running)
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
    let travel = state.as_of.as_ref().filter(|a| a.location == table.location).map(|a| a.as_of.clone());
    let as_of = version.map(crate::lake::delta_diff::AsOf::Version).or(travel);
    let from = match as_of.filter(|_| table.format == TableFormat::Delta) {
        Some(a) => match &a {
            crate::lake::delta_diff::AsOf::Version(v) => format!("delta_version('{name}', {v})"),
            crate::lake::delta_diff::AsOf::Timestamp(ts) => format!("delta_as_of('{name}', '{ts}')"),
        },
        None => name,
    };
    format!("SELECT *\nFROM {from}\nLIMIT 100")
}

/// Does the SQL pane take this action? Its own reports always; while it is open, the user's keys
/// too (but not quitting, help, the command line and the like). Reports of other views' jobs (a
/// history still loading under the pane) go on to those views.
pub fn takes(state: &AppState, action: &Action) -> bool {
    matches!(
        action,
        Action::QueryTable
            | Action::Sql
            | Action::SqlEdit(_)
            | Action::SqlReady(_)
            | Action::SqlEstimated { .. }
            | Action::SqlStarted { .. }
            | Action::SqlRows { .. }
            | Action::SqlDone { .. }
            | Action::SqlExport { .. }
    ) || (state.sql.open
        && state.mode == super::Mode::Browse
        && super::is_user_action(action)
        && !matches!(
            action,
            Action::Quit
                | Action::Help
                | Action::CommandLine
                | Action::Requests
                | Action::CycleTheme
                | Action::RunCommand(_)
        ))
}

/// Open the pane (keeping its text) and get the engine ready.
pub fn open(state: &mut AppState) -> Vec<Effect> {
    state.sql.open = true;
    if state.sql.functions.is_empty() { vec![Effect::PrepareSql] } else { Vec::new() }
}

pub fn update(state: &mut AppState, action: Action) -> Vec<Effect> {
    let mut effects = Vec::new();
    let rows = grid_rows(state);
    match action {
        Action::Sql => {
            if state.sql.open {
                state.sql.open = false;
            } else {
                effects.extend(open(state));
            }
        }
        Action::QueryTable => {
            // From the history: the version under the cursor; from the inspector: its table.
            let (table, version) = match (&state.history, &state.inspector) {
                (Some(h), _) => (Some(h.table.clone()), h.selected().map(|e| e.version)),
                (None, Some(i)) => (Some(i.table.clone()), None),
                (None, None) => (state.selected_table().cloned(), None),
            };
            let Some(t) = table else {
                state.error("select a table to query");
                return effects;
            };
            let q = table_query(state, &t, version);
            state.sql.editor.set_text(&q);
            state.sql.focus = SqlFocus::Editor;
            effects.extend(open(state));
        }
        Action::SqlReady(functions) => state.sql.functions = functions,
        Action::SqlEstimated { seq, result } if seq == state.sql.seq => state.sql.estimate = Some((seq, result)),
        Action::SqlStarted { seq, schema } => {
            if seq != state.sql.seq {
                return effects;
            }
            let explain =
                schema.fields().len() == 2 && schema.field(0).name() == "plan_type" && schema.field(1).name() == "plan";
            state.sql.result =
                Some(if explain { SqlResult::Plan(Vec::new()) } else { SqlResult::Grid(Box::new(Grid::new(schema))) });
            state.sql.plan_scroll = 0;
            state.sql.record = None;
        }
        Action::SqlRows { seq, batches, progress } => {
            if seq != state.sql.seq {
                return effects;
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
        Action::SqlDone { seq, progress, error } => {
            if seq != state.sql.seq {
                return effects;
            }
            if let Some(r) = state.sql.run.as_mut() {
                r.running = false;
                r.progress = progress;
                r.error = error.clone();
            }
            if let Some(g) = state.sql.grid_mut() {
                g.total = g.total.max(progress.rows);
            }
            if error.is_none() && state.sql.grid().is_some_and(|g| !g.is_empty()) {
                state.sql.focus = SqlFocus::Results;
            }
        }
        Action::SqlExport { path, rows, result } => match result {
            None => state.sql.export = Some((path, rows)),
            Some(Ok(())) => {
                state.sql.export = None;
                state.info(format!("exported {} to {path}", crate::units::plural(rows, "row")));
            }
            Some(Err(e)) => {
                state.sql.export = None;
                state.error(format!("export to {path} failed: {e}"));
            }
        },
        Action::Input(key) => line_input(state, key, &mut effects),
        Action::SqlEdit(key) => edit(state, key),
        Action::Complete => complete(state),
        Action::RunQuery => effects.extend(run(state)),
        Action::Estimate => effects.extend(estimate(state)),
        Action::SearchHistory => {
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
        Action::HistoryPrev | Action::HistoryNext => {
            let p = &mut state.sql;
            if p.history.is_empty() {
                return effects;
            }
            let pos = match (action, p.history_pos) {
                (Action::HistoryPrev, None) => Some(p.history.len() - 1),
                (Action::HistoryPrev, Some(i)) => Some(i.saturating_sub(1)),
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
        Action::SwitchPane => {
            state.sql.completion = None;
            state.sql.focus = match state.sql.focus {
                SqlFocus::Editor if state.sql.result.is_some() => SqlFocus::Results,
                _ => SqlFocus::Editor,
            };
        }
        Action::Cancel => cancel(state, &mut effects),
        Action::Back => {
            if state.sql.record.is_some() {
                state.sql.record = None;
            } else {
                state.sql.focus = SqlFocus::Editor;
            }
        }
        Action::Enter if state.sql.grid().is_some_and(|g| !g.is_empty()) => {
            state.sql.record = if state.sql.record.is_some() { None } else { Some(0) };
        }
        Action::Up | Action::Down | Action::PageUp | Action::PageDown | Action::Top | Action::Bottom => {
            let step: isize = match action {
                Action::Up => -1,
                Action::Down => 1,
                Action::PageUp => -(rows as isize),
                Action::PageDown => rows as isize,
                Action::Top => isize::MIN / 2,
                _ => isize::MAX / 2,
            };
            let p = &mut state.sql;
            if let Some(scroll) = p.record.as_mut() {
                *scroll = (*scroll as isize + step.clamp(-1000, 1000)).max(0) as usize;
            } else if let Some(SqlResult::Plan(_)) = &p.result {
                p.plan_scroll = (p.plan_scroll as isize + step.clamp(-100_000, 100_000)).max(0) as usize;
            } else if let Some(g) = p.grid_mut() {
                g.move_rows(step, rows);
            }
        }
        Action::ColumnLeft | Action::ColumnRight | Action::FirstColumn | Action::LastColumn => {
            let width = state.width.saturating_sub(2) as usize;
            if let Some(g) = state.sql.grid_mut() {
                g.move_cols(
                    match action {
                        Action::ColumnLeft => -1,
                        Action::ColumnRight => 1,
                        Action::FirstColumn => isize::MIN / 2,
                        _ => isize::MAX / 2,
                    },
                    width,
                );
            }
        }
        Action::SortColumn => {
            if let Some(g) = state.sql.grid_mut()
                && let Err(e) = g.toggle_sort()
            {
                state.error(e);
            }
        }
        Action::FilterRows => {
            if let Some(g) = state.sql.grid() {
                let text = g.filter.clone();
                state.sql.line =
                    Some(SqlLine { kind: LineKind::Filter, input: LineInput::with_text(&text), hit: None });
            }
        }
        Action::CopyCell | Action::CopyRow | Action::CopyAll => {
            let Some(g) = state.sql.grid() else { return effects };
            if g.is_empty() {
                return effects;
            }
            let (text, what) = match action {
                Action::CopyCell => (g.cell(g.row, g.col).unwrap_or_default(), "cell".to_string()),
                Action::CopyRow => (g.tsv(g.row..g.row + 1, false), "row".to_string()),
                _ => (g.tsv(0..g.len(), true), format!("{} rows", crate::units::count(g.len() as u64))),
            };
            if text.len() > COPY_MAX {
                state.error(format!(
                    "{what} is {} of text, more than a terminal takes through OSC 52; export it instead (x)",
                    crate::units::bytes(text.len() as u64)
                ));
            } else {
                state.info(format!(
                    "copied {what} as TSV ({}) to the clipboard",
                    crate::units::bytes(text.len() as u64)
                ));
                effects.push(Effect::Copy(text));
            }
        }
        Action::Export => {
            if state.sql.run.as_ref().is_some_and(|r| r.error.is_none() && !r.running) {
                state.mode = super::Mode::Command;
                state.input = LineInput::with_text("export ");
            } else {
                state.error(
                    "run a query first; export runs it again and writes every row (:export FILE.csv|json|parquet)",
                );
            }
        }
        Action::Mark
        | Action::Diff
        | Action::NextTab
        | Action::PrevTab
        | Action::Inspect
        | Action::History
        | Action::Filter
        | Action::Refresh => {}
        _ => {}
    }
    effects
}

/// `:export FILE`: run the last query again and write every row.
pub fn export(state: &mut AppState, arg: &str) -> Vec<Effect> {
    let Some(sql) = state.sql.run.as_ref().filter(|r| r.error.is_none()).map(|r| r.sql.clone()) else {
        state.error("run a query first (:export FILE.csv|json|parquet writes its whole result)");
        return Vec::new();
    };
    let path = std::path::PathBuf::from(arg.trim());
    let Some(format) = Format::from_path(&path) else {
        state.error("export to a .csv, .json or .parquet file (:export /tmp/result.parquet)");
        return Vec::new();
    };
    state.sql.export = Some((path.display().to_string(), 0));
    vec![Effect::ExportSql { sql, path, format }]
}

fn cancel(state: &mut AppState, effects: &mut Vec<Effect>) {
    let p = &mut state.sql;
    if p.completion.take().is_some() {
        return;
    }
    if p.running() {
        if let Some(job) = state.jobs.iter().find(|j| j.kind == crate::jobs::JobKind::Sql && j.ticket == p.seq) {
            effects.push(Effect::CancelJob(job.id));
        }
        return;
    }
    if p.record.take().is_some() {
        return;
    }
    if p.focus == SqlFocus::Results {
        p.focus = SqlFocus::Editor;
        return;
    }
    p.open = false;
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

/// The start of a run: a fresh sequence number, the history saved, the result cleared.
fn begin(state: &mut AppState) -> Option<(u64, String)> {
    let sql = state.sql.editor.text().trim().trim_end_matches(';').trim().to_string();
    if sql.is_empty() {
        state.error("nothing to run: type a query (s on a table in the browser starts one)");
        return None;
    }
    state.sql.seq += 1;
    state.sql.completion = None;
    state.sql.referenced = referenced(&state.catalog, &sql);
    Some((state.sql.seq, sql))
}

fn run(state: &mut AppState) -> Vec<Effect> {
    let mut effects = Vec::new();
    // A new run replaces the one still going.
    if state.sql.running() {
        let old = state.sql.seq;
        effects.extend(
            state
                .jobs
                .iter()
                .filter(|j| j.kind == crate::jobs::JobKind::Sql && j.ticket == old)
                .map(|j| Effect::CancelJob(j.id)),
        );
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
    effects.push(Effect::RunSql { seq, sql, max_rows: p.max_rows });
    effects
}

fn estimate(state: &mut AppState) -> Vec<Effect> {
    if state.sql.running() {
        state.error("a query is running (esc cancels it)");
        return Vec::new();
    }
    let Some((seq, sql)) = begin(state) else { return Vec::new() };
    state.sql.estimate = None;
    vec![Effect::EstimateSql { seq, sql }]
}

/// The job of the current run ended: a cancel or a failure without a result is shown.
pub fn job_ended(state: &mut AppState, seq: u64, cancelled: bool) {
    let p = &mut state.sql;
    if let Some(r) = p.run.as_mut().filter(|r| r.seq == seq && r.running) {
        r.running = false;
        r.cancelled = cancelled;
        if !cancelled && r.error.is_none() {
            r.error = Some("the query ended without a result".into());
        }
    }
    if p.estimate.is_none() && p.seq == seq && !cancelled && p.run.as_ref().is_none_or(|r| r.seq != seq) {
        p.estimate = Some((seq, Err("the estimate ended without a result".into())));
    }
}

fn line_input(state: &mut AppState, key: InputKey, effects: &mut Vec<Effect>) {
    let _ = effects;
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
