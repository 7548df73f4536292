//! Hybrid logical clock: wall-clock milliseconds, a counter for events within
//! the same millisecond (or while the wall clock stands behind), and the
//! replica's number as a tie-breaker. Orders events across replicas for
//! last-writer-wins even when their wall clocks disagree.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
pub struct Hlc {
    pub millis: u64,
    pub counter: u32,
    pub node: u32,
}

impl Hlc {
    pub const ZERO: Hlc = Hlc {
        millis: 0,
        counter: 0,
        node: 0,
    };
}

/// Fixed-width hex, so that the text form sorts like the value (used as an
/// index key in the stores).
impl fmt::Display for Hlc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:012x}-{:08x}-{:08x}",
            self.millis, self.counter, self.node
        )
    }
}

impl FromStr for Hlc {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("hlc: '{s}' is not a clock value; accepted: 12-8-8 hex digits");
        let mut parts = s.split('-');
        let (Some(m), Some(c), Some(n), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        if m.len() != 12 || c.len() != 8 || n.len() != 8 {
            return Err(bad());
        }
        Ok(Hlc {
            millis: u64::from_str_radix(m, 16).map_err(|_| bad())?,
            counter: u32::from_str_radix(c, 16).map_err(|_| bad())?,
            node: u32::from_str_radix(n, 16).map_err(|_| bad())?,
        })
    }
}

impl Serialize for Hlc {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Hlc {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A replica's clock. Every new event takes [`Clock::tick`]; every event seen
/// from elsewhere goes through [`Clock::observe`], so later local events sort after it.
#[derive(Debug, Clone)]
pub struct Clock {
    last: Hlc,
    node: u32,
}

impl Clock {
    pub fn new(node: u32, last: Hlc) -> Self {
        Clock { last, node }
    }

    pub fn last(&self) -> Hlc {
        self.last
    }

    /// The next timestamp, strictly after every timestamp this clock issued or observed.
    pub fn tick(&mut self, now_millis: u64) -> Hlc {
        let next = if now_millis > self.last.millis {
            Hlc {
                millis: now_millis,
                counter: 0,
                node: self.node,
            }
        } else {
            Hlc {
                millis: self.last.millis,
                counter: self.last.counter + 1,
                node: self.node,
            }
        };
        self.last = next;
        next
    }

    pub fn observe(&mut self, seen: Hlc) {
        if seen > self.last {
            self.last = Hlc {
                node: self.node,
                ..seen
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_strictly_increasing_even_when_the_wall_clock_goes_back() {
        let mut c = Clock::new(7, Hlc::ZERO);
        let a = c.tick(1_000);
        let b = c.tick(1_000);
        let d = c.tick(500);
        assert!(a < b && b < d);
        assert_eq!(d.millis, 1_000);
    }

    #[test]
    fn observed_remote_time_is_overtaken() {
        let mut c = Clock::new(1, Hlc::ZERO);
        c.observe(Hlc {
            millis: 9_000,
            counter: 3,
            node: 2,
        });
        let t = c.tick(100);
        assert!(
            t > Hlc {
                millis: 9_000,
                counter: 3,
                node: 2
            }
        );
    }

    #[test]
    fn text_form_round_trips_and_sorts_like_the_value() {
        let a = Hlc {
            millis: 5,
            counter: 300,
            node: 1,
        };
        let b = Hlc {
            millis: 16,
            counter: 0,
            node: 0,
        };
        assert_eq!(a.to_string().parse::<Hlc>().unwrap(), a);
        assert!(a.to_string() < b.to_string());
        assert!("12-3".parse::<Hlc>().is_err());
    }
}
