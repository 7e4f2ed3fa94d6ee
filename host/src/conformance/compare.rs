//! Field-by-field comparison of canonical messages, so a failed round trip names the field
//! that changed (`document.subject`, `attachments[0].body`) instead of "not equal".

use serde_json::Value;

use crate::runtime::CanonicalMessage;

/// The first difference between two canonical messages, as `path: left ≠ right`; `None` when
/// they carry the same package and the same attachment bytes.
pub fn first_difference(a: &CanonicalMessage, b: &CanonicalMessage) -> Option<String> {
    // The model is plain data and always serializes; a failure would be a bug, shown as such.
    let left = serde_json::to_value(&a.package).unwrap_or_else(|e| Value::String(e.to_string()));
    let right = serde_json::to_value(&b.package).unwrap_or_else(|e| Value::String(e.to_string()));
    if let Some(d) = diff(&left, &right, &mut String::new()) {
        return Some(d);
    }
    if a.bodies.len() != b.bodies.len() {
        return Some(format!(
            "attachment bodies: {} ≠ {}",
            a.bodies.len(),
            b.bodies.len()
        ));
    }
    for (i, (x, y)) in a.bodies.iter().zip(&b.bodies).enumerate() {
        match (x.sha256(), y.sha256()) {
            (Ok(hx), Ok(hy)) if hx == hy => {}
            (Ok(hx), Ok(hy)) => {
                return Some(format!(
                    "attachments[{i}].body: sha256 {} ≠ {}",
                    hex::encode(hx),
                    hex::encode(hy)
                ));
            }
            (Err(e), _) | (_, Err(e)) => {
                return Some(format!("attachments[{i}].body: cannot be read: {e}"));
            }
        }
    }
    None
}

/// Whether two lists of messages are the same, or the first difference.
pub fn first_difference_in(a: &[CanonicalMessage], b: &[CanonicalMessage]) -> Option<String> {
    if a.len() != b.len() {
        return Some(format!("number of messages: {} ≠ {}", a.len(), b.len()));
    }
    a.iter()
        .zip(b)
        .enumerate()
        .find_map(|(i, (x, y))| first_difference(x, y).map(|d| format!("message {}: {d}", i + 1)))
}

fn diff(a: &Value, b: &Value, path: &mut String) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                let d = diff(
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                    path,
                );
                path.truncate(len);
                if d.is_some() {
                    return d;
                }
            }
            None
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            x.iter().zip(y).enumerate().find_map(|(i, (p, q))| {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                let d = diff(p, q, path);
                path.truncate(len);
                d
            })
        }
        (Value::Array(x), Value::Array(y)) => Some(format!(
            "{}: {} items ≠ {} items",
            shown(path),
            x.len(),
            y.len()
        )),
        _ if a == b => None,
        _ => Some(format!("{}: {} ≠ {}", shown(path), short(a), short(b))),
    }
}

fn shown(path: &str) -> &str {
    if path.is_empty() { "(package)" } else { path }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 80 {
        format!("{}…", s.chars().take(80).collect::<String>())
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_first_differing_field_is_named_with_its_path() {
        let a =
            json!({"kind": "document", "from": {"organ_name": "A"}, "to": [{"id": 1}, {"id": 2}]});
        let b =
            json!({"kind": "document", "from": {"organ_name": "A"}, "to": [{"id": 1}, {"id": 3}]});
        assert_eq!(
            diff(&a, &b, &mut String::new()).as_deref(),
            Some("to[1].id: 2 ≠ 3")
        );
        let c = json!({"kind": "document", "from": {"organ_name": "B"}, "to": []});
        assert_eq!(
            diff(&a, &c, &mut String::new()).as_deref(),
            Some("from.organ_name: \"A\" ≠ \"B\"")
        );
        assert_eq!(diff(&a, &a, &mut String::new()), None);
    }

    #[test]
    fn a_missing_field_differs_from_a_present_one() {
        let a = json!({"x": 1});
        let b = json!({});
        assert_eq!(
            diff(&a, &b, &mut String::new()).as_deref(),
            Some("x: 1 ≠ null")
        );
    }
}
