//! Time zones of the IANA database, as a chrono [`TimeZone`].
//!
//! The zone rules come from the tz database bundled by `jiff` (its TZif files as one
//! block of bytes, read when a zone is first named), not from `chrono-tz`, whose tables
//! hold a pointer in every transition: the loader had to relocate all of them at
//! every start, about 1 MB of private memory for the one or two zones a config names.
//! Only the bundled database is read, never the system's, so a figure computed in a
//! zone does not depend on the machine.
//!
//! [`Tz`] is `Copy` like the type it replaces: each zone named is parsed once and kept
//! for the life of the process (a config names a handful).

use std::fmt;
use std::str::FromStr;
use std::sync::Mutex;

use chrono::{FixedOffset, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone};
use jiff::tz::{AmbiguousOffset, TimeZone as Rules};

/// One zone of the tz database (or UTC).
#[derive(Clone, Copy)]
pub struct Tz(&'static Zone);

struct Zone {
    name: &'static str,
    rules: Rules,
}

static UTC_ZONE: Zone = Zone {
    name: "UTC",
    rules: Rules::UTC,
};

/// Zones named so far, each parsed once.
static NAMED: Mutex<Vec<&'static Zone>> = Mutex::new(Vec::new());

impl Tz {
    pub const UTC: Tz = Tz(&UTC_ZONE);

    /// A zone the database is known to hold; for fixtures and tests.
    ///
    /// # Panics
    /// When the database has no zone of that name.
    pub fn named(name: &str) -> Tz {
        match name.parse() {
            Ok(tz) => tz,
            Err(e) => panic!("{e}"),
        }
    }

    /// The zone's IANA name, as the database spells it ("Europe/Berlin").
    pub fn name(&self) -> &'static str {
        self.0.name
    }

    fn offset_at(&self, seconds: i64) -> ZoneOffset {
        // The database's instants span years -9999..=9999; beyond them the offset at
        // the nearest end holds (chrono's range is wider).
        let min = jiff::Timestamp::MIN.as_second();
        let max = jiff::Timestamp::MAX.as_second();
        let at = jiff::Timestamp::from_second(seconds.clamp(min, max))
            .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        let info = self.0.rules.to_offset_info(at);
        ZoneOffset {
            zone: *self,
            fixed: fixed(info.offset()),
            abbreviation: Abbreviation::new(info.abbreviation()),
        }
    }

    /// The offset in force at the instant whose local time is `local` under `offset`.
    fn offset_of_local(&self, local: &NaiveDateTime, offset: jiff::tz::Offset) -> ZoneOffset {
        let utc = local.and_utc().timestamp() - i64::from(offset.seconds());
        self.offset_at(utc)
    }
}

fn fixed(offset: jiff::tz::Offset) -> FixedOffset {
    FixedOffset::east_opt(offset.seconds()).unwrap_or(FixedOffset::east_opt(0).expect("zero"))
}

impl FromStr for Tz {
    type Err = String;

    fn from_str(name: &str) -> Result<Tz, String> {
        if name == "UTC" {
            return Ok(Tz::UTC);
        }
        let mut named = NAMED
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(zone) = named.iter().find(|z| z.name == name) {
            return Ok(Tz(zone));
        }
        let rules = Rules::get(name)
            .map_err(|_| format!("'{name}' is not a time zone of the tz database"))?;
        // The database matches names without regard to case: keep its spelling, and
        // give every spelling of one zone the same entry.
        let canonical = rules.iana_name().unwrap_or(name).to_string();
        if let Some(zone) = named.iter().find(|z| z.name == canonical) {
            return Ok(Tz(zone));
        }
        let zone: &'static Zone = Box::leak(Box::new(Zone {
            name: Box::leak(canonical.into_boxed_str()),
            rules,
        }));
        named.push(zone);
        Ok(Tz(zone))
    }
}

impl PartialEq for Tz {
    fn eq(&self, other: &Tz) -> bool {
        self.0.name == other.0.name
    }
}

impl Eq for Tz {}

impl fmt::Debug for Tz {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.name)
    }
}

impl fmt::Display for Tz {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.name)
    }
}

/// A zone's offset at one instant, with its abbreviation ("CET"), which `%Z` prints.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ZoneOffset {
    zone: Tz,
    fixed: FixedOffset,
    abbreviation: Abbreviation,
}

/// An abbreviation kept inline ("CEST", "+0530"): the database's are at most 6
/// characters; a longer one is cut.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Abbreviation {
    bytes: [u8; 8],
    len: u8,
}

impl Abbreviation {
    fn new(text: &str) -> Abbreviation {
        let mut bytes = [0; 8];
        let mut len = 0;
        for c in text.chars() {
            if len + c.len_utf8() > bytes.len() {
                break;
            }
            c.encode_utf8(&mut bytes[len..]);
            len += c.len_utf8();
        }
        Abbreviation {
            bytes,
            len: len as u8,
        }
    }

    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or("")
    }
}

impl Offset for ZoneOffset {
    fn fix(&self) -> FixedOffset {
        self.fixed
    }
}

impl fmt::Debug for ZoneOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.abbreviation.as_str(), self.fixed)
    }
}

impl fmt::Display for ZoneOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.abbreviation.as_str())
    }
}

impl TimeZone for Tz {
    type Offset = ZoneOffset;

    fn from_offset(offset: &ZoneOffset) -> Tz {
        offset.zone
    }

    fn offset_from_local_date(&self, local: &NaiveDate) -> LocalResult<ZoneOffset> {
        self.offset_from_local_datetime(&local.and_time(NaiveTime::MIN))
    }

    fn offset_from_local_datetime(&self, local: &NaiveDateTime) -> LocalResult<ZoneOffset> {
        use chrono::{Datelike, Timelike};
        let civil = i16::try_from(local.year()).ok().and_then(|year| {
            jiff::civil::DateTime::new(
                year,
                local.month() as i8,
                local.day() as i8,
                local.hour() as i8,
                local.minute() as i8,
                local.second().min(59) as i8,
                0,
            )
            .ok()
        });
        let Some(civil) = civil else {
            // Outside the database's years: the offset of the nearest end, once.
            let guess = self.offset_at(local.and_utc().timestamp());
            return LocalResult::Single(self.offset_of_local(local, jiff_offset(guess.fixed)));
        };
        match self.0.rules.to_ambiguous_timestamp(civil).offset() {
            AmbiguousOffset::Unambiguous { offset } => {
                LocalResult::Single(self.offset_of_local(local, offset))
            }
            // The earlier instant first, as chrono orders them.
            AmbiguousOffset::Fold { before, after } => LocalResult::Ambiguous(
                self.offset_of_local(local, before),
                self.offset_of_local(local, after),
            ),
            AmbiguousOffset::Gap { .. } => LocalResult::None,
        }
    }

    fn offset_from_utc_date(&self, utc: &NaiveDate) -> ZoneOffset {
        self.offset_from_utc_datetime(&utc.and_time(NaiveTime::MIN))
    }

    fn offset_from_utc_datetime(&self, utc: &NaiveDateTime) -> ZoneOffset {
        self.offset_at(utc.and_utc().timestamp())
    }
}

fn jiff_offset(fixed: FixedOffset) -> jiff::tz::Offset {
    jiff::tz::Offset::from_seconds(fixed.local_minus_utc()).unwrap_or(jiff::tz::Offset::UTC)
}

#[cfg(test)]
#[path = "zone_tests.rs"]
mod tests;
