//! The canonical encoding of a challenge file and its SHA-256 (docs/challenge.md "The hash").
//!
//! Why canonical: the hash pins an *instance*, not a byte layout, so a file re-indented or with
//! its keys reordered by another tool keeps its hash, and any language with a JSON parser and
//! SHA-256 can check it. The encoding is the JSON Canonicalization Scheme (RFC 8785, "JCS"):
//!
//! - no whitespace; object members sorted by their keys compared as UTF-16 code units;
//! - strings escaped as ECMAScript's `JSON.stringify` does (`\"`, `\\`, `\b`, `\f`, `\n`, `\r`,
//!   `\t`, other control characters as `\u00xx` in lowercase hex, everything else literal);
//! - numbers as ECMAScript's `Number.prototype.toString`: the shortest decimal that round-trips
//!   to the same `f64`, `1.0` as `1`, `-0` as `0`, exponent form (`1e-7`, `1.5e+21`) below
//!   10⁻⁶ and from 10²¹ on.
//!
//! One deliberate difference from RFC 8785: an integer *literal* is written with all its
//! digits, as JSON integers are parsed exactly here (a seed may exceed 2⁵³). Every integer a
//! challenge file holds below 2⁵³ encodes identically under both rules.
//!
//! The hash is SHA-256 over the UTF-8 bytes of the canonical encoding of the file's top-level
//! object **without its `sha256` member**, written as 64 lowercase hex digits.

use serde_json::Value;
use sha2::{Digest, Sha256};
use std::fmt::Write as _;

/// The canonical (RFC 8785-style, module docs) encoding of a JSON value.
///
/// ```
/// use hardiff_bench::challenge::canonical::canonical_json;
/// let v: serde_json::Value = serde_json::from_str(r#"{"b": [1.0, -0.0, 1e-7, 0.5], "a": "x"}"#).unwrap();
/// assert_eq!(canonical_json(&v), r#"{"a":"x","b":[1,0,1e-7,0.5]}"#);
/// ```
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value);
    out
}

/// Lowercase hex SHA-256 of the canonical encoding of `object` without its `sha256` member
/// (the other members are hashed as they are). A value that is not an object is hashed whole.
pub fn instance_hash(object: &Value) -> String {
    let text = match object {
        Value::Object(map) => {
            let mut rest = map.clone();
            rest.remove("sha256");
            canonical_json(&Value::Object(rest))
        }
        other => canonical_json(other),
    };
    let digest = Sha256::digest(text.as_bytes());
    let mut hex = String::with_capacity(64);
    for b in digest {
        let _ = write!(hex, "{b:02x}");
    }
    hex
}

fn write_value(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                let _ = write!(out, "{u}");
            } else if let Some(i) = n.as_i64() {
                let _ = write!(out, "{i}");
            } else {
                // serde_json numbers are finite.
                out.push_str(&es_number(n.as_f64().unwrap_or(0.0)));
            }
        }
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut keys: Vec<(&String, Vec<u16>)> = map
                .keys()
                .map(|k| (k, k.encode_utf16().collect()))
                .collect();
            keys.sort_by(|a, b| a.1.cmp(&b.1));
            out.push('{');
            for (i, (k, _)) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, k);
                out.push(':');
                write_value(out, &map[k.as_str()]);
            }
            out.push('}');
        }
    }
}

fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// ECMAScript's `Number.prototype.toString` of a finite `f64` (ECMA-262 Number::toString with
/// radix 10): the shortest round-trip digits (Rust's `{:e}` gives them) placed by the decimal
/// exponent.
pub fn es_number(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        // -0 prints as 0; non-finite values cannot occur in JSON.
        return "0".into();
    }
    let sci = format!("{:e}", v.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let e: i64 = exp.parse().unwrap_or(0);
    let k = digits.len() as i64;
    let n = e + 1;
    let mut s = String::new();
    if v < 0.0 {
        s.push('-');
    }
    if k <= n && n <= 21 {
        s.push_str(&digits);
        s.extend(std::iter::repeat_n('0', (n - k) as usize));
    } else if 0 < n && n <= 21 {
        s.push_str(&digits[..n as usize]);
        s.push('.');
        s.push_str(&digits[n as usize..]);
    } else if -6 < n && n <= 0 {
        s.push_str("0.");
        s.extend(std::iter::repeat_n('0', (-n) as usize));
        s.push_str(&digits);
    } else {
        s.push_str(&digits[..1]);
        if k > 1 {
            s.push('.');
            s.push_str(&digits[1..]);
        }
        let _ = write!(s, "e{}{}", if n > 0 { '+' } else { '-' }, (n - 1).abs());
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_ecmascript() {
        // Reference values: ECMAScript String(x) (RFC 8785 appendix B and ECMA-262 examples).
        let cases = [
            (1.0, "1"),
            (-0.0, "0"),
            (0.5, "0.5"),
            (-1.25, "-1.25"),
            (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (123456789012345680000.0, "123456789012345680000"),
            (1e-6, "0.000001"),
            (1e-7, "1e-7"),
            (1.5e-7, "1.5e-7"),
            (0.1 + 0.2, "0.30000000000000004"),
            (5e-324, "5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (9007199254740992.0, "9007199254740992"),
            (333333333.3333333, "333333333.3333333"),
            (0.000001234, "0.000001234"),
        ];
        for (v, want) in cases {
            assert_eq!(es_number(v), want, "{v:e}");
        }
    }

    #[test]
    fn canonical_form_sorts_keys_and_escapes() {
        let v: Value = serde_json::from_str(
            "{\"z\": 1, \"a\": {\"y\": [true, null], \"b\": \"q\\\"\\n\\u0001é\"}, \"sha256\": \"x\"}",
        )
        .unwrap();
        assert_eq!(
            canonical_json(&v),
            "{\"a\":{\"b\":\"q\\\"\\n\\u0001é\",\"y\":[true,null]},\"sha256\":\"x\",\"z\":1}"
        );
    }

    #[test]
    fn hash_ignores_layout_and_its_own_field() {
        let a: Value = serde_json::from_str(r#"{"a": 1.0, "b": [0.25], "sha256": "old"}"#).unwrap();
        let b: Value = serde_json::from_str(r#"{ "b":[2.5e-1],"a":1 }"#).unwrap();
        assert_eq!(instance_hash(&a), instance_hash(&b));
        // SHA-256 of the bytes {"a":1,"b":[0.25]} (computed with sha256sum).
        assert_eq!(
            instance_hash(&b),
            "14343107090fa46175f3693be3b55a4e4b6da2d046d58da34d81b0b383962f5a"
        );
        let c: Value = serde_json::from_str(r#"{"a": 1, "b": [0.26]}"#).unwrap();
        assert_ne!(instance_hash(&a), instance_hash(&c));
    }
}
