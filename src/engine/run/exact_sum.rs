//! Sums that do not depend on the order of their terms: `sum()` over a
//! group is added up in chunks, on the fast path and on the reference path,
//! in whatever order the records reach each, and floating-point addition is
//! not associative (`(a + b) + c` and `b + (a + c)` of three amounts near
//! 10^11 differ in the fourth decimal place, which flipped a comparison at
//! a threshold between the two evaluators). Each term is kept as a whole
//! number of 10^-10 (an exported decimal has at most ten places, so its
//! sum is exact), the total converted once at the end.

/// Units of a term: 10^-10.
const SCALE: f64 = 1e10;
const SCALE_INT: i128 = 10_000_000_000;

/// A sum of integers and decimals, the same whatever the order of adding.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(super) struct ExactSum {
    /// The finite terms, in units of 10^-10.
    units: i128,
    /// The sum of the terms that are not finite (infinities, NaN), which
    /// is the same in any order; `None` without such a term.
    special: Option<f64>,
}

impl ExactSum {
    pub(super) fn add_int(&mut self, n: i64) {
        self.units = self.units.saturating_add(i128::from(n) * SCALE_INT);
    }

    pub(super) fn add_decimal(&mut self, x: f64) {
        if x.is_finite() {
            // (`as` saturates a value beyond i128, some 10^28.)
            #[allow(clippy::cast_possible_truncation)]
            let units = (x * SCALE).round() as i128;
            self.units = self.units.saturating_add(units);
        } else {
            self.special = Some(self.special.map_or(x, |s| s + x));
        }
    }

    pub(super) fn merge(&mut self, o: &ExactSum) {
        self.units = self.units.saturating_add(o.units);
        if let Some(x) = o.special {
            self.special = Some(self.special.map_or(x, |s| s + x));
        }
    }

    /// The sum with another's terms, as a new sum.
    pub(super) fn plus(mut self, o: &ExactSum) -> ExactSum {
        self.merge(o);
        self
    }

    /// The total as a decimal.
    #[allow(clippy::cast_precision_loss)]
    pub(super) fn decimal(&self) -> f64 {
        let finite = (self.units as f64) / SCALE;
        self.special.map_or(finite, |s| s + finite)
    }

    /// The total of integer terms as an integer (saturating at i64).
    pub(super) fn int(&self) -> i64 {
        let whole = self.units / SCALE_INT;
        i64::try_from(whole).unwrap_or(if whole < 0 { i64::MIN } else { i64::MAX })
    }
}

// Exact equality of floats is what these tests are about.
#[cfg(test)]
#[allow(clippy::float_cmp)]
mod tests {
    use super::ExactSum;

    fn of(xs: &[f64]) -> ExactSum {
        let mut s = ExactSum::default();
        for x in xs {
            s.add_decimal(*x);
        }
        s
    }

    #[test]
    fn the_order_of_terms_does_not_change_the_sum() {
        let (a, b, c) = (129_584_177_260.04, 129_584_177_260.04, 764_216_025_874.14);
        // Floating point: (a + b) + c and b + (a + c) differ.
        assert_ne!((a + b) + c, b + (a + c));
        let ab_c = of(&[a, b]).plus(&of(&[c]));
        let b_ac = of(&[b]).plus(&of(&[a, c]));
        assert_eq!(ab_c, b_ac);
        assert_eq!(ab_c.decimal(), 1_023_384_380_394.22);
    }

    #[test]
    fn integers_stay_exact_past_two_to_the_fifty_three() {
        let mut s = ExactSum::default();
        s.add_int(9_007_199_254_740_993);
        s.add_int(1);
        assert_eq!(s.int(), 9_007_199_254_740_994);
    }

    #[test]
    fn tenths_add_up_as_written() {
        assert_eq!(of(&[0.1, 0.2]).decimal(), 0.3);
        let mut s = of(&[f64::INFINITY, 1.0]);
        s.add_decimal(-2.0);
        assert!(s.decimal().is_infinite());
    }
}
