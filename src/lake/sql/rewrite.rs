//! Time-travel table functions, rewritten before planning into the names the lake's schemas
//! resolve: `delta_version('silver.orders', 12)` becomes `silver."orders@v12"` and
//! `delta_as_of('silver.orders', '2026-01-01T00:00:00Z')` becomes
//! `silver."orders@2026-01-01T00:00:00Z"`. DataFusion's table functions are planned
//! synchronously; a Delta snapshot is loaded asynchronously, which the schema lookup allows.

use std::ops::ControlFlow;

use datafusion::sql::parser::Statement as DFStatement;
use datafusion::sql::sqlparser::ast::{
    FunctionArg, FunctionArgExpr, Ident, ObjectName, TableFactor, VisitMut, VisitorMut,
};

use super::catalog::AS_OF_MARK;

pub const VERSION_FN: &str = "delta_version";
pub const AS_OF_FN: &str = "delta_as_of";

struct Rewriter {
    error: Option<String>,
}

/// A literal argument's text: a string without its quotes, or a number.
fn literal(arg: &FunctionArg) -> Option<String> {
    let FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) = arg else { return None };
    let text = e.to_string();
    if let Some(inner) = text.strip_prefix('\'').and_then(|t| t.strip_suffix('\'')) {
        return Some(inner.replace("''", "'"));
    }
    text.parse::<u64>().ok().map(|n| n.to_string())
}

impl VisitorMut for Rewriter {
    type Break = ();

    fn pre_visit_table_factor(&mut self, factor: &mut TableFactor) -> ControlFlow<()> {
        let TableFactor::Table { name, args, .. } = factor else { return ControlFlow::Continue(()) };
        let Some(fn_args) = args.as_ref() else { return ControlFlow::Continue(()) };
        let func = name.to_string().to_ascii_lowercase();
        if func != VERSION_FN && func != AS_OF_FN {
            return ControlFlow::Continue(());
        }
        let usage = if func == VERSION_FN {
            format!("{VERSION_FN}('zone.table', 12)")
        } else {
            format!("{AS_OF_FN}('zone.table', '2026-01-01T00:00:00Z')")
        };
        let (table, at) = match fn_args.args.as_slice() {
            [t, a] => (literal(t), literal(a)),
            _ => (None, None),
        };
        let (Some(table), Some(at)) = (table, at) else {
            self.error = Some(format!(
                "{func} takes a table name and a {}: {usage}",
                if func == VERSION_FN { "version" } else { "timestamp" }
            ));
            return ControlFlow::Break(());
        };
        if func == VERSION_FN && at.parse::<u64>().is_err() {
            self.error = Some(format!("{func}: the version must be a number: {usage}"));
            return ControlFlow::Break(());
        }
        let mut parts: Vec<String> = table.split('.').map(|p| p.trim().trim_matches('"').to_string()).collect();
        if parts.is_empty() || parts.len() > 3 || parts.iter().any(String::is_empty) {
            self.error = Some(format!("{func}: '{table}' is not a table name (zone.table or bucket.zone.table)"));
            return ControlFlow::Break(());
        }
        let last = parts.pop().unwrap_or_default();
        let spec = if func == VERSION_FN { format!("v{at}") } else { at };
        parts.push(format!("{last}{AS_OF_MARK}{spec}"));
        *name = ObjectName::from(parts.into_iter().map(|p| Ident::with_quote('"', p)).collect::<Vec<_>>());
        *args = None;
        ControlFlow::Continue(())
    }
}

/// Rewrite the time-travel functions of a statement in place.
pub fn rewrite(statement: &mut DFStatement) -> Result<(), String> {
    let mut r = Rewriter { error: None };
    match statement {
        DFStatement::Statement(s) => {
            let _ = s.visit(&mut r);
        }
        DFStatement::Explain(e) => return rewrite(&mut e.statement),
        _ => {}
    }
    match r.error {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::sql::parser::DFParser;

    fn rewritten(sql: &str) -> Result<String, String> {
        let mut s = DFParser::parse_sql(sql).unwrap().pop_front().unwrap();
        rewrite(&mut s)?;
        Ok(s.to_string())
    }

    #[test]
    fn table_functions_become_names() {
        let s = rewritten("SELECT * FROM delta_version('silver.orders', 12) o").unwrap();
        assert!(s.starts_with(r#"SELECT * FROM "silver"."orders@v12""#) && s.ends_with(" o"), "{s}");
        let s = rewritten("SELECT count(*) FROM delta_as_of('acme.silver.orders', '2026-01-01T00:00:00Z')").unwrap();
        assert!(s.contains(r#""acme"."silver"."orders@2026-01-01T00:00:00Z""#), "{s}");
        let s = rewritten("SELECT * FROM a JOIN (SELECT * FROM delta_version('s.t', 1)) b ON true").unwrap();
        assert!(s.contains(r#""s"."t@v1""#), "{s}");
        assert!(rewritten("EXPLAIN SELECT * FROM delta_version('s.t', 2)").unwrap().contains(r#""t@v2""#));
    }

    #[test]
    fn bad_calls_say_how_to_call() {
        assert!(
            rewritten("SELECT * FROM delta_version('s.t')").unwrap_err().contains("delta_version('zone.table', 12)")
        );
        assert!(rewritten("SELECT * FROM delta_version('s.t', 'x')").unwrap_err().contains("must be a number"));
        assert!(rewritten("SELECT * FROM delta_as_of('', '2026-01-01')").unwrap_err().contains("not a table name"));
        // Other table functions are left to DataFusion.
        assert!(rewritten("SELECT * FROM generate_series(1, 3)").unwrap().contains("generate_series(1, 3)"));
    }
}
