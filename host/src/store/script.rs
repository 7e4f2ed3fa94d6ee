//! Several write statements sent as one: on SQLite a single round trip to the connection's
//! worker thread (SQLite runs every statement of a query text, and binds `$N` placeholders by
//! number across all of them), on PostgreSQL one statement after the other, since its
//! extended protocol takes one statement per query. Each statement is written with its own
//! `$1…$n`; the script renumbers them. The ingest writer, the node's one serial path into a
//! SQLite store, spends its time in round trips, not in SQLite: a document's rows went from
//! a dozen round trips to a few (decision 0013).

use sqlx::any::AnyArguments;
use sqlx::{AnyConnection, Arguments, AssertSqlSafe};

/// One bound value.
#[derive(Clone, Debug)]
pub enum Value {
    /// An integer.
    Int(i64),
    /// An integer or NULL.
    OptInt(Option<i64>),
    /// Text.
    Text(String),
    /// Text or NULL.
    OptText(Option<String>),
    /// Bytes.
    Bytes(Vec<u8>),
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}

impl From<Option<i64>> for Value {
    fn from(v: Option<i64>) -> Self {
        Value::OptInt(v)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_owned())
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}

impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::Text(v.clone())
    }
}

impl From<Option<&str>> for Value {
    fn from(v: Option<&str>) -> Self {
        Value::OptText(v.map(str::to_owned))
    }
}

impl From<Option<String>> for Value {
    fn from(v: Option<String>) -> Self {
        Value::OptText(v)
    }
}

impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Self {
        Value::Bytes(v)
    }
}

/// Write statements to run in order, in the caller's transaction.
#[derive(Debug, Default)]
pub struct Script {
    statements: Vec<(String, Vec<Value>)>,
}

impl Script {
    /// An empty script.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a statement numbering its placeholders `$1…$n` for `values`. The text must be the
    /// hub's own (no input in it) and hold no `$` other than placeholders.
    pub fn push(&mut self, sql: impl Into<String>, values: Vec<Value>) {
        self.statements.push((sql.into(), values));
    }

    /// Whether nothing was added.
    pub fn is_empty(&self) -> bool {
        self.statements.is_empty()
    }

    /// Runs the statements: in one round trip on SQLite, one by one elsewhere. The first
    /// failure stops the script; the caller's transaction (or savepoint) undoes the rest.
    pub async fn execute(self, conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
        if self.statements.is_empty() {
            return Ok(());
        }
        if conn.backend_name() == "SQLite" {
            let mut text = String::new();
            let mut args = AnyArguments::default();
            let mut offset = 0;
            for (sql, values) in self.statements {
                text.push_str(&renumber(&sql, offset));
                text.push_str(";\n");
                offset += values.len();
                for v in values {
                    add(&mut args, v)?;
                }
            }
            sqlx::query_with(AssertSqlSafe(text), args)
                .execute(&mut *conn)
                .await?;
        } else {
            for (sql, values) in self.statements {
                let mut args = AnyArguments::default();
                for v in values {
                    add(&mut args, v)?;
                }
                sqlx::query_with(AssertSqlSafe(sql), args)
                    .execute(&mut *conn)
                    .await?;
            }
        }
        Ok(())
    }
}

/// Binds `v` as the next argument.
pub(crate) fn add(args: &mut AnyArguments, v: Value) -> Result<(), sqlx::Error> {
    let added = match v {
        Value::Int(i) => args.add(i),
        Value::OptInt(i) => args.add(i),
        Value::Text(s) => args.add(s),
        Value::OptText(s) => args.add(s),
        Value::Bytes(b) => args.add(b),
    };
    added.map_err(sqlx::Error::Encode)
}

/// `sql` with each placeholder `$k` written `$(k + offset)`.
fn renumber(sql: &str, offset: usize) -> String {
    if offset == 0 {
        return sql.to_owned();
    }
    let mut out = String::with_capacity(sql.len() + 16);
    let mut chars = sql.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c != '$' {
            out.push(c);
            continue;
        }
        let start = i + 1;
        let mut end = start;
        while let Some((j, d)) = chars.peek().copied() {
            if d.is_ascii_digit() {
                end = j + 1;
                chars.next();
            } else {
                break;
            }
        }
        match sql[start..end].parse::<usize>() {
            Ok(k) => out.push_str(&format!("${}", k + offset)),
            Err(_) => out.push('$'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_renumbered_after_the_earlier_statements() {
        assert_eq!(
            renumber("INSERT INTO t (a, b) VALUES ($1, $2), ($1, $10)", 3),
            "INSERT INTO t (a, b) VALUES ($4, $5), ($4, $13)"
        );
        assert_eq!(renumber("SELECT $1", 0), "SELECT $1");
        assert_eq!(renumber("SELECT '$' || $2", 1), "SELECT '$' || $3");
    }
}
