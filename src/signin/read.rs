//! The streaming reader of sign-in logs.
//!
//! In: bytes ([`std::io::Read`]) holding a Graph list response (`{"value": [...],
//! "@odata.nextLink": ...}`), several of them one after another (saved pages), a top-level array
//! of records, or JSON lines (one record per line). Out: each [`Record`] handed to a callback as
//! soon as it is read, and a [`ReadSummary`]. Nothing but the record being read is held: a
//! `value` array is walked element by element through a custom `SeqAccess` visitor, so a 2 GB
//! export needs the memory of one record (and the buffer), never of the file.

use super::record::Record;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;
use std::io::Read;

/// What the reader saw besides the records.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadSummary {
    /// Records handed to the callback.
    pub records: u64,
    /// The last `@odata.nextLink` of a list response: the export stopped before the last page.
    pub next_link: Option<String>,
}

/// The input is not JSON of a sign-in log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadError {
    pub message: String,
    /// 1-based line and column of the problem (0 when unknown).
    pub line: usize,
    pub column: usize,
    /// Records read (and handed on) before the problem.
    pub records: u64,
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "line {}, column {}: ", self.line, self.column)?;
        }
        write!(
            f,
            "{} (after {} record{})",
            self.message,
            self.records,
            if self.records == 1 { "" } else { "s" }
        )
    }
}

/// Reads every record of `input`, calling `on` with each. `input` should be buffered
/// (`BufReader`): the JSON reader asks it for one byte at a time.
pub fn read<R: Read>(input: R, on: &mut dyn FnMut(Record)) -> Result<ReadSummary, ReadError> {
    let mut de = serde_json::Deserializer::from_reader(input);
    let mut st = State {
        on,
        summary: ReadSummary::default(),
    };
    let mut values = 0u64;
    loop {
        // `end` only looks at whitespace: it succeeds at the end of the input.
        if de.end().is_ok() {
            break;
        }
        values += 1;
        if let Err(e) = TopLevel(&mut st).deserialize(&mut de) {
            return Err(ReadError {
                message: e
                    .to_string()
                    .split(" at line ")
                    .next()
                    .unwrap_or("")
                    .to_string(),
                line: e.line(),
                column: e.column(),
                records: st.summary.records,
            });
        }
    }
    if values == 0 {
        return Err(ReadError {
            message: "the sign-in log is empty".into(),
            line: 0,
            column: 0,
            records: 0,
        });
    }
    Ok(st.summary)
}

struct State<'a> {
    on: &'a mut dyn FnMut(Record),
    summary: ReadSummary,
}

impl State<'_> {
    fn emit(&mut self, r: Record) {
        self.summary.records += 1;
        (self.on)(r);
    }
}

/// One top-level JSON value: a list response, an array of records, or one record.
struct TopLevel<'s, 'a>(&'s mut State<'a>);

impl<'de> DeserializeSeed<'de> for TopLevel<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TopLevel<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a sign-in list response, an array of sign-ins, or one sign-in per line")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        Records(self.0).visit_seq(seq)
    }

    /// A list response streams its `value`; any other object is one record. Its other
    /// properties are kept (few and small: `@odata.context`, `@odata.nextLink`) until the object
    /// ends and tells which it was.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut rest = serde_json::Map::new();
        let mut list = false;
        while let Some(key) = map.next_key::<String>()? {
            if key == "value" && !list {
                list = true;
                map.next_value_seed(Records(&mut *self.0))?;
            } else if list && !key.starts_with("@odata.") {
                map.next_value::<IgnoredAny>()?;
            } else {
                let v: serde_json::Value = map.next_value()?;
                rest.insert(key, v);
            }
        }
        if list {
            self.0.summary.next_link = rest
                .get("@odata.nextLink")
                .and_then(|v| v.as_str())
                .map(str::to_string);
            return Ok(());
        }
        if rest.keys().all(|k| k.starts_with("@odata.")) {
            // An empty page or metadata only.
            return Ok(());
        }
        let record: Record = serde::Deserialize::deserialize(serde_json::Value::Object(rest))
            .map_err(de::Error::custom)?;
        self.0.emit(record);
        Ok(())
    }
}

/// An array of records, handed on one by one.
struct Records<'s, 'a>(&'s mut State<'a>);

impl<'de> DeserializeSeed<'de> for Records<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Records<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of sign-ins")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(r) = seq.next_element::<Record>()? {
            self.0.emit(r);
        }
        Ok(())
    }
}
