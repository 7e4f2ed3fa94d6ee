//! The Java SDK's header construction, reproduced byte for byte (`VnptService`, §9.2).
//!
//! The SDK keeps a `java.util.HashMap<String, String>` per service object: `timestamp` and
//! `systemid` are put when the object is created, then each call puts `Content-Type` and the
//! keys of the caller's JSON header argument. Nothing is ever removed, so a reused service
//! object also resends the keys of its earlier calls. Headers, `sign-header-key` and the Gson
//! `JsonObject` that becomes `sign-header` are all produced by iterating that map, so their
//! order is Java's bucket order, which [`SdkHeaderMap::ordered`] computes.

use crate::gateway::vxp::sign::{PREFIX, VxpSecret, hash_header};

/// `User-Agent` of the Java SDK.
pub const USER_AGENT: &str = "JAVASDKAgent/1.0.0 XRoad/VPCP";

/// `XroadVnpt-version` of the Java SDK.
pub const VERSION: &str = "3.0.201608";

/// The SDK's header map: insertion order plus Java `HashMap` iteration order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SdkHeaderMap {
    /// Entries in first-insertion order; `put` on an existing key replaces in place, as Java does.
    entries: Vec<(String, String)>,
}

impl SdkHeaderMap {
    /// A fresh service object's map: `timestamp`, then `systemid` (the constructor's order).
    pub fn new(timestamp: &str, system_id: &str) -> SdkHeaderMap {
        let mut map = SdkHeaderMap::default();
        map.put("timestamp", timestamp);
        map.put("systemid", system_id);
        map
    }

    /// `HashMap.put`: a new key goes to the end of its bucket, an existing one keeps its place.
    pub fn put(&mut self, key: &str, value: &str) {
        match self.entries.iter_mut().find(|(k, _)| k == key) {
            Some(entry) => entry.1 = value.to_owned(),
            None => self.entries.push((key.to_owned(), value.to_owned())),
        }
    }

    /// The entries in the order a Java 8+ `HashMap` iterates them.
    ///
    /// Buckets are visited by index `(h ^ h >>> 16) & (capacity - 1)` over `String.hashCode()`;
    /// within a bucket, insertion order (resizes split buckets preserving it). The capacity is
    /// 16, doubled whenever the size exceeds three quarters of it. Treeified bins (8+ keys in
    /// one bucket of a table of 64+) never occur with the SDK's dozen keys.
    pub fn ordered(&self) -> Vec<(&str, &str)> {
        let mut capacity = 16usize;
        while self.entries.len() > capacity / 4 * 3 {
            capacity *= 2;
        }
        let mut out: Vec<(usize, &str, &str)> = self
            .entries
            .iter()
            .map(|(k, v)| (bucket(k, capacity), k.as_str(), v.as_str()))
            .collect();
        out.sort_by_key(|(b, _, _)| *b); // stable: insertion order within a bucket
        out.into_iter().map(|(_, k, v)| (k, v)).collect()
    }
}

/// Java's `String.hashCode()`: `s[0]*31^(n-1) + … + s[n-1]` over UTF-16 code units, wrapping.
pub fn java_string_hash(s: &str) -> i32 {
    s.encode_utf16().fold(0i32, |h, unit| {
        h.wrapping_mul(31).wrapping_add(i32::from(unit))
    })
}

fn bucket(key: &str, capacity: usize) -> usize {
    let h = java_string_hash(key) as u32;
    ((h ^ (h >> 16)) as usize) & (capacity - 1)
}

/// A string as Gson's `JsonWriter` writes it (the writer `JsonElement.toString()` uses, which is
/// not HTML-safe): `"` `\` and control characters escaped, `\u2028`/`\u2029` too, the rest raw.
pub fn gson_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Gson's compact rendering of a `JsonArray` of strings, e.g. `["000.00.00.H41"]`.
pub fn gson_string_array(items: &[&str]) -> String {
    let parts: Vec<String> = items.iter().map(|s| gson_string(s)).collect();
    format!("[{}]", parts.join(","))
}

/// The request headers the SDK sends for this map, in wire order, ending with `Content-Length`.
///
/// `content_type_first` reproduces `sendEdoc`, whose `HttpURLConnection` already holds a
/// `Content-Type` (the overwritten multipart one) in first position.
pub fn headers(
    map: &SdkHeaderMap,
    secret: &VxpSecret,
    content_type_first: bool,
    body_len: usize,
) -> Vec<(String, String)> {
    let ordered = map.ordered();
    let mut out: Vec<(String, String)> = Vec::with_capacity(ordered.len() + 8);
    if content_type_first && let Some((_, v)) = ordered.iter().find(|(k, _)| *k == "Content-Type") {
        out.push(("Content-Type".to_owned(), (*v).to_owned()));
    }
    let mut sign_header = String::from("{");
    let mut keys: Vec<&str> = Vec::with_capacity(ordered.len());
    for (i, (k, v)) in ordered.iter().enumerate() {
        if *k == "Content-Type" && !content_type_first {
            out.push(("Content-Type".to_owned(), (*v).to_owned()));
        }
        out.push((format!("{PREFIX}{k}"), (*v).to_owned()));
        if i > 0 {
            sign_header.push(',');
        }
        sign_header.push_str(&gson_string(&format!("{PREFIX}{k}")));
        sign_header.push(':');
        sign_header.push_str(&gson_string(v));
        keys.push(k);
    }
    sign_header.push('}');
    let hash = hash_header(secret, sign_header.as_bytes());
    out.push((format!("{PREFIX}sign-header-key"), keys.join(";")));
    out.push((format!("{PREFIX}sign-header"), sign_header));
    out.push((format!("{PREFIX}hash-header"), hash));
    out.push(("User-Agent".to_owned(), USER_AGENT.to_owned()));
    out.push((format!("{PREFIX}version"), VERSION.to_owned()));
    out.push(("Content-Length".to_owned(), body_len.to_string()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_string_hash_matches_known_java_values() {
        // Values Java prints for "".hashCode(), "a".hashCode(), … (the last two wrap past i32).
        assert_eq!(java_string_hash(""), 0);
        assert_eq!(java_string_hash("a"), 97);
        assert_eq!(
            java_string_hash("Aa"),
            java_string_hash("BB"),
            "Java's classic collision"
        );
        assert_eq!(java_string_hash("hello world"), 1_794_106_052);
        assert_eq!(java_string_hash("Content-Type"), 949_037_134);
    }

    #[test]
    fn map_order_reproduces_the_traced_orders() {
        let mut send = SdkHeaderMap::new("t", "s");
        for k in [
            "Content-Type",
            "from",
            "servicetype",
            "messagetype",
            "to",
            "hash-file",
        ] {
            send.put(k, "v");
        }
        let keys: Vec<&str> = send.ordered().into_iter().map(|(k, _)| k).collect();
        assert_eq!(
            keys,
            [
                "systemid",
                "servicetype",
                "messagetype",
                "hash-file",
                "from",
                "to",
                "timestamp",
                "Content-Type"
            ]
        );
        let mut update = SdkHeaderMap::new("t", "s");
        for k in ["Content-Type", "docId", "status"] {
            update.put(k, "v");
        }
        let keys: Vec<&str> = update.ordered().into_iter().map(|(k, _)| k).collect();
        assert_eq!(
            keys,
            ["systemid", "docId", "timestamp", "Content-Type", "status"]
        );
    }

    #[test]
    fn put_replaces_in_place_and_a_big_map_is_ordered_by_a_bigger_table() {
        let mut m = SdkHeaderMap::new("t1", "s");
        m.put("timestamp", "t2");
        assert_eq!(m.entries.len(), 2);
        assert!(m.ordered().contains(&("timestamp", "t2")));
        for i in 0..11 {
            m.put(&format!("k{i}"), "v");
        }
        // 13 entries: capacity 32, so a key's bucket uses 5 bits of the spread hash.
        let ordered = m.ordered();
        let buckets: Vec<usize> = ordered.iter().map(|(k, _)| bucket(k, 32)).collect();
        assert!(buckets.windows(2).all(|w| w[0] <= w[1]), "{buckets:?}");
        assert_eq!(ordered.len(), 13);
    }

    #[test]
    fn gson_escaping_matches_json_element_to_string() {
        assert_eq!(
            gson_string(r#"["000.00.00.H41"]"#),
            r#""[\"000.00.00.H41\"]""#
        );
        assert_eq!(
            gson_string("a\\b\n\u{1}\u{2028}</>&='"),
            "\"a\\\\b\\n\\u0001\\u2028</>&='\""
        );
        assert_eq!(gson_string("Sở"), "\"Sở\"");
        assert_eq!(gson_string_array(&["a", "b\"c"]), r#"["a","b\"c"]"#);
    }
}
