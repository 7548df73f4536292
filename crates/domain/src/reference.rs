//! Human ticket references such as `K7QX-42`.
//!
//! A reference is the creating replica's code plus that replica's own counter,
//! so PCs that create tickets while offline never hand out the same reference.
//! In local mode the code is drawn at random on `init`; in shared mode the
//! server hands out codes (unique by constraint) when a replica registers.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Crockford base32 without the easily confused letters I, L, O, U.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const CODE_LEN: usize = 4;

/// A replica's 4-character code; also its node number in the [`crate::Hlc`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReplicaCode(u32);

impl ReplicaCode {
    /// The code for a number below 32^4; higher bits are dropped.
    pub fn from_number(n: u32) -> Self {
        ReplicaCode(n % (32u32.pow(CODE_LEN as u32)))
    }

    pub fn number(self) -> u32 {
        self.0
    }
}

impl fmt::Display for ReplicaCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = [0u8; CODE_LEN];
        let mut n = self.0;
        for slot in buf.iter_mut().rev() {
            *slot = ALPHABET[(n % 32) as usize];
            n /= 32;
        }
        f.write_str(std::str::from_utf8(&buf).expect("ascii"))
    }
}

impl FromStr for ReplicaCode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if s.len() != CODE_LEN {
            return Err(format!("'{s}' is not a replica code; accepted: {CODE_LEN} characters of 0-9 A-Z without I L O U"));
        }
        let mut n = 0u32;
        for c in s.bytes() {
            let c = c.to_ascii_uppercase();
            let v = ALPHABET.iter().position(|&a| a == c).ok_or_else(|| {
                format!("'{s}' is not a replica code; accepted: 0-9 A-Z without I L O U")
            })?;
            n = n * 32 + v as u32;
        }
        Ok(ReplicaCode(n))
    }
}

/// A ticket's human reference: replica code and that replica's sequence number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
pub struct TicketRef {
    pub replica: ReplicaCode,
    pub number: u64,
}

impl fmt::Display for TicketRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.replica, self.number)
    }
}

impl FromStr for TicketRef {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let accepted = "accepted: a reference such as K7QX-42";
        let (code, num) = s
            .trim()
            .split_once('-')
            .ok_or_else(|| format!("'{s}' is not a ticket reference; {accepted}"))?;
        let replica = code
            .parse()
            .map_err(|_| format!("'{s}' is not a ticket reference; {accepted}"))?;
        let number = num
            .parse()
            .map_err(|_| format!("'{s}' is not a ticket reference; {accepted}"))?;
        Ok(TicketRef { replica, number })
    }
}

impl Serialize for TicketRef {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for TicketRef {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_read_case_insensitively() {
        for n in [0, 1, 31, 32, 1_000, 32u32.pow(4) - 1] {
            let c = ReplicaCode::from_number(n);
            assert_eq!(c.to_string().parse::<ReplicaCode>().unwrap(), c);
            assert_eq!(
                c.to_string().to_lowercase().parse::<ReplicaCode>().unwrap(),
                c
            );
        }
        assert_eq!(ReplicaCode::from_number(0).to_string(), "0000");
        assert!("ABCI".parse::<ReplicaCode>().is_err());
    }

    #[test]
    fn references_of_two_replicas_never_collide() {
        let a = TicketRef {
            replica: ReplicaCode::from_number(1),
            number: 5,
        };
        let b = TicketRef {
            replica: ReplicaCode::from_number(2),
            number: 5,
        };
        assert_ne!(a.to_string(), b.to_string());
        assert_eq!("0001-5".parse::<TicketRef>().unwrap(), a);
        assert!("0001".parse::<TicketRef>().is_err());
        assert!("0001-x".parse::<TicketRef>().is_err());
    }
}
