//! Assessment instruments the practice knows: score range and severity bands, one table for
//! validation (score ranges), the demo data (severity of generated scores) and the documents
//! (bands shaded behind each instrument's chart).
//!
//! An instrument not listed here is still accepted on import, with whatever score and severity
//! it comes with; it just has no known range and no bands to draw.

/// A closed range of scores with the severity it means, e.g. PHQ-9 `10..=14` "moderate".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeverityBand {
    /// Lowest score of the band.
    pub from: u16,
    /// Highest score of the band (inclusive).
    pub to: u16,
    /// The severity text, lower case as records carry it (`moderately severe`).
    pub label: &'static str,
}

/// A scored instrument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Instrument {
    /// As records name it: `PHQ-9`.
    pub name: &'static str,
    /// Scores run from 0 to this.
    pub max_score: u16,
    /// Contiguous from 0 to `max_score`, ascending; empty when the instrument has no
    /// established severity bands (PCL-5 has a cut-off, not bands).
    pub bands: &'static [SeverityBand],
}

const fn band(from: u16, to: u16, label: &'static str) -> SeverityBand {
    SeverityBand { from, to, label }
}

/// PHQ-9 (depression; Kroenke, Spitzer & Williams 2001).
pub const PHQ9: Instrument = Instrument {
    name: "PHQ-9",
    max_score: 27,
    bands: &[
        band(0, 4, "minimal"),
        band(5, 9, "mild"),
        band(10, 14, "moderate"),
        band(15, 19, "moderately severe"),
        band(20, 27, "severe"),
    ],
};

/// GAD-7 (anxiety; Spitzer et al. 2006).
pub const GAD7: Instrument = Instrument {
    name: "GAD-7",
    max_score: 21,
    bands: &[
        band(0, 4, "minimal"),
        band(5, 9, "mild"),
        band(10, 14, "moderate"),
        band(15, 21, "severe"),
    ],
};

/// PHQ-15 (somatic symptoms; Kroenke, Spitzer & Williams 2002).
pub const PHQ15: Instrument = Instrument {
    name: "PHQ-15",
    max_score: 30,
    bands: &[
        band(0, 4, "minimal"),
        band(5, 9, "low"),
        band(10, 14, "medium"),
        band(15, 30, "high"),
    ],
};

/// AUDIT (alcohol use; the WHO manual's four risk zones).
pub const AUDIT: Instrument = Instrument {
    name: "AUDIT",
    max_score: 40,
    bands: &[
        band(0, 7, "low risk"),
        band(8, 15, "hazardous"),
        band(16, 19, "harmful"),
        band(20, 40, "possible dependence"),
    ],
};

/// PCL-5 (PTSD symptoms): a 0–80 range and a suggested cut-off, no severity bands.
pub const PCL5: Instrument = Instrument {
    name: "PCL-5",
    max_score: 80,
    bands: &[],
};

/// Every known instrument.
pub const INSTRUMENTS: [Instrument; 5] = [PHQ9, GAD7, PHQ15, AUDIT, PCL5];

/// The instrument records call `name` (exact match), if known.
pub fn instrument(name: &str) -> Option<&'static Instrument> {
    INSTRUMENTS.iter().find(|i| i.name == name)
}

impl Instrument {
    /// The severity of `score`: its band's label; `None` without bands or above the range.
    pub fn severity(&self, score: u16) -> Option<&'static str> {
        self.bands
            .iter()
            .find(|b| b.from <= score && score <= b.to)
            .map(|b| b.label)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_cover_the_range_without_gaps_or_overlaps() {
        for i in INSTRUMENTS {
            if i.bands.is_empty() {
                continue;
            }
            assert_eq!(i.bands[0].from, 0, "{}", i.name);
            assert_eq!(i.bands[i.bands.len() - 1].to, i.max_score, "{}", i.name);
            for w in i.bands.windows(2) {
                assert_eq!(w[0].to + 1, w[1].from, "{}", i.name);
            }
            for b in i.bands {
                assert!(b.from <= b.to, "{} {}", i.name, b.label);
            }
        }
    }

    #[test]
    fn published_cut_offs() {
        let phq = [
            (0, "minimal"),
            (4, "minimal"),
            (5, "mild"),
            (9, "mild"),
            (10, "moderate"),
            (14, "moderate"),
            (15, "moderately severe"),
            (19, "moderately severe"),
            (20, "severe"),
            (27, "severe"),
        ];
        for (score, label) in phq {
            assert_eq!(PHQ9.severity(score), Some(label), "PHQ-9 {score}");
        }
        let gad = [
            (4, "minimal"),
            (5, "mild"),
            (14, "moderate"),
            (15, "severe"),
        ];
        for (score, label) in gad {
            assert_eq!(GAD7.severity(score), Some(label), "GAD-7 {score}");
        }
        assert_eq!(GAD7.severity(22), None, "above the range");
        assert_eq!(PCL5.severity(40), None, "no bands");
        assert_eq!(instrument("GAD-7"), Some(&GAD7));
        assert_eq!(instrument("gad-7"), None, "names match exactly");
    }
}
