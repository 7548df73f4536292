//! The three languages of Guichet's notifications and tray.

use serde::{Deserialize, Serialize};

/// A UI language. Anything Guichet does not translate falls back to English.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Fr,
    De,
}

impl Lang {
    /// All languages, for tests and pickers.
    pub const ALL: [Lang; 3] = [Lang::En, Lang::Fr, Lang::De];

    /// `"fr"` → French, `"de"` → German, anything else → English.
    ///
    /// Case-insensitive, and only the primary subtag counts, so a locale
    /// such as `"fr-CH"`, `"de_AT.UTF-8"` or `"FR"` picks its language too.
    pub fn parse(s: &str) -> Lang {
        let primary = s
            .trim()
            .split(['-', '_', '.', '@'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match primary.as_str() {
            "fr" => Lang::Fr,
            "de" => Lang::De,
            _ => Lang::En,
        }
    }

    /// The code `parse` accepts: `"en"`, `"fr"` or `"de"`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
            Lang::De => "de",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_codes_locales_and_fallback() {
        assert_eq!(Lang::parse("en"), Lang::En);
        assert_eq!(Lang::parse("fr"), Lang::Fr);
        assert_eq!(Lang::parse("de"), Lang::De);
        assert_eq!(Lang::parse("FR"), Lang::Fr);
        assert_eq!(Lang::parse("fr-CH"), Lang::Fr);
        assert_eq!(Lang::parse("de_AT.UTF-8"), Lang::De);
        assert_eq!(Lang::parse("it"), Lang::En);
        assert_eq!(Lang::parse(""), Lang::En);
        assert_eq!(Lang::parse("french"), Lang::En);
        for l in Lang::ALL {
            assert_eq!(Lang::parse(l.code()), l);
        }
    }
}
