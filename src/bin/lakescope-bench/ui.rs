//! ui: frame times of the SQL pane, with the real state, views and theme drawn into a ratatui
//! test backend (the work of a frame short of the terminal's own I/O).
//!
//! - typing: a 40-line query in the editor (syntect highlighting of the visible lines every
//!   frame); each key is one `update` and one full draw. Reported: median, p99 and max per key.
//! - grid: 1,000,000 fetched rows (Arrow batches of 8,192 rows, 8 columns) in the results grid;
//!   each step is a page down (or a column right) and one full draw. Reported the same way.
//!
//! Target: under 16 ms per frame (60 frames a second).

use std::sync::Arc;
use std::time::{Duration, Instant};

use arrow::array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use lakescope::action::{Action, EditKey};
use lakescope::config::Config;
use lakescope::config::theme::Theme;
use lakescope::state::grid::Grid;
use lakescope::state::sql::{SqlFocus, SqlResult};
use lakescope::state::{self, AppState};
use lakescope::ui::{self, View};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn stats(mut v: Vec<Duration>) -> String {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let p99 = v[(v.len() * 99 / 100).min(v.len() - 1)];
    format!(
        "median {:.2} ms · p99 {:.2} ms · max {:.2} ms ({} frames)",
        ms(v[v.len() / 2]),
        ms(p99),
        ms(v[v.len() - 1]),
        v.len()
    )
}

fn grid_of(rows: usize) -> Grid {
    let schema = Arc::new(Schema::new(vec![
        Field::new("order_id", DataType::Int64, false),
        Field::new("customer", DataType::Utf8, false),
        Field::new("email", DataType::Utf8, false),
        Field::new("country", DataType::Utf8, false),
        Field::new("amount", DataType::Float64, false),
        Field::new("status", DataType::Utf8, false),
        Field::new("note", DataType::Utf8, true),
        Field::new("quantity", DataType::Int64, false),
    ]));
    let mut g = Grid::new(schema.clone());
    let mut batches = Vec::new();
    let mut start = 0usize;
    while start < rows {
        let n = (rows - start).min(8192);
        let ids: Vec<i64> = (start..start + n).map(|i| i as i64).collect();
        let cols: Vec<ArrayRef> = vec![
            Arc::new(Int64Array::from(ids.clone())),
            Arc::new(StringArray::from_iter_values(ids.iter().map(|i| format!("Customer {}", i % 9973)))),
            Arc::new(StringArray::from_iter_values(ids.iter().map(|i| format!("c{i}@example.com")))),
            Arc::new(StringArray::from_iter_values(ids.iter().map(|i| ["DE", "FR", "US"][(*i % 3) as usize]))),
            Arc::new(Float64Array::from_iter_values(ids.iter().map(|i| (*i % 100_000) as f64 / 100.0))),
            Arc::new(StringArray::from_iter_values(
                ids.iter().map(|i| ["NEW", "SHIPPED", "RETURNED"][(*i % 3) as usize]),
            )),
            Arc::new(StringArray::from_iter(
                ids.iter().map(|i| (i % 5 == 0).then(|| format!("{{\"gift\": {}}}", i % 2 == 0))),
            )),
            Arc::new(Int64Array::from_iter_values(ids.iter().map(|i| i % 9 + 1))),
        ];
        batches.push(RecordBatch::try_new(schema.clone(), cols).unwrap());
        start += n;
    }
    g.append(batches, rows as u64);
    g
}

pub fn bench_ui(rows: usize, width: u16, height: u16) {
    let config = Config::defaults();
    let theme = Theme::builtin("dark").unwrap();
    let mut state = AppState::new("bench".into(), "dark".into(), vec!["dark".into()], false, false);
    state::update(&mut state, Action::Resize { width, height });
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    let mut draw = |state: &AppState| {
        let t = Instant::now();
        terminal.draw(|f| ui::draw(f, &View { state, theme: &theme, keymap: &config.keymap })).unwrap();
        t.elapsed()
    };
    println!("terminal {width}x{height}, dark theme, views drawn into ratatui's test backend\n");

    // Typing into a 40-line query.
    state.sql.open = true;
    let query: String =
        (0..40).map(|i| format!("SELECT order_id, sum(amount) AS total_{i}, 'text {i}' -- note {i}\n")).collect();
    state.sql.editor.set_text(&query);
    draw(&state);
    let mut typing = Vec::new();
    for (i, c) in
        "WHERE country = 'DE' AND amount > 10.5 ORDER BY total DESC LIMIT 100 ".chars().cycle().take(400).enumerate()
    {
        let t = Instant::now();
        let key = if i % 50 == 49 { EditKey::Newline } else { EditKey::Char(c) };
        state::update(&mut state, Action::SqlEdit(key));
        draw(&state);
        typing.push(t.elapsed());
    }
    println!("typing (update + frame per key): {}", stats(typing));

    // Scrolling a grid of `rows` fetched rows.
    let t = Instant::now();
    let grid = grid_of(rows);
    println!("grid: {rows} rows built in {:.0} ms", t.elapsed().as_secs_f64() * 1000.0);
    state.sql.result = Some(SqlResult::Grid(Box::new(grid)));
    state.sql.focus = SqlFocus::Results;
    draw(&state);
    let mut scroll = Vec::new();
    for i in 0..600 {
        let t = Instant::now();
        let action = match i % 20 {
            19 => Action::ColumnRight,
            18 => Action::Bottom,
            17 => Action::Top,
            _ => Action::PageDown,
        };
        state::update(&mut state, action);
        draw(&state);
        scroll.push(t.elapsed());
    }
    println!("grid scroll (page / column / end, update + frame): {}", stats(scroll));
    let t = Instant::now();
    state::update(&mut state, Action::SortColumn);
    println!("sort of {rows} fetched rows by one column (local): {:.0} ms", t.elapsed().as_secs_f64() * 1000.0);
    let t = Instant::now();
    draw(&state);
    println!("first frame after the sort: {:.2} ms", t.elapsed().as_secs_f64() * 1000.0);
}
