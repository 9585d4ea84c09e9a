//! Sums that do not depend on the order of their terms: `sum()` over a
//! group is added up in chunks, on the fast path and on the reference path,
//! in whatever order the records reach each, and floating-point addition is
//! not associative (`(a + b) + c` and `b + (a + c)` of three amounts near
//! 10^11 differ in the fourth decimal place, which flipped a comparison at
//! a threshold between the two evaluators). Each term is kept as a whole
//! number of 10^-10 read from its shortest decimal text (the text an
//! export's decimal was read from, at most ten places: exact), and the
//! total is converted once, from its decimal text, at the end: a sum of
//! one term is that term.

/// Units of a term: 10^-10.
const PLACES: usize = 10;
const SCALE: i128 = 10_000_000_000;

/// A sum of integers and decimals, the same whatever the order of adding.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(super) struct ExactSum {
    /// The terms, in units of 10^-10.
    units: i128,
    /// The sum of the terms that are not finite or too large for `units`
    /// (beyond some 10^27): added as floats, the same in any order only
    /// when there is one such term (an export holds no such amounts).
    rest: Option<f64>,
}

/// A finite decimal as units of 10^-10, from its shortest decimal text
/// (a figure past the tenth place rounds half away from zero); `None`
/// beyond the range of `units`.
fn units_of(x: f64) -> Option<i128> {
    let text = format!("{}", x.abs());
    let (whole, frac) = text.split_once('.').unwrap_or((&text, ""));
    let mut units: i128 = whole.parse::<i128>().ok()?.checked_mul(SCALE)?;
    let digits = frac.as_bytes();
    let mut place = SCALE / 10;
    for d in digits.iter().take(PLACES) {
        units = units.checked_add(i128::from(d - b'0') * place)?;
        place /= 10;
    }
    if digits.get(PLACES).is_some_and(|d| *d >= b'5') {
        units = units.checked_add(1)?;
    }
    Some(if x < 0.0 { -units } else { units })
}

impl ExactSum {
    pub(super) fn add_int(&mut self, n: i64) {
        self.add_units(Some(i128::from(n) * SCALE), n as f64);
    }

    pub(super) fn add_decimal(&mut self, x: f64) {
        self.add_units(x.is_finite().then(|| units_of(x)).flatten(), x);
    }

    fn add_units(&mut self, units: Option<i128>, x: f64) {
        match units.and_then(|u| self.units.checked_add(u)) {
            Some(total) => self.units = total,
            None => self.rest = Some(self.rest.map_or(x, |r| r + x)),
        }
    }

    pub(super) fn merge(&mut self, o: &ExactSum) {
        if let Some(total) = self.units.checked_add(o.units) {
            self.units = total;
        } else {
            let x = decimal_of(o.units);
            self.rest = Some(self.rest.map_or(x, |r| r + x));
        }
        if let Some(x) = o.rest {
            self.rest = Some(self.rest.map_or(x, |r| r + x));
        }
    }

    /// The sum with another's terms, as a new sum.
    pub(super) fn plus(mut self, o: &ExactSum) -> ExactSum {
        self.merge(o);
        self
    }

    /// The total as a decimal, rounded once from its exact value.
    pub(super) fn decimal(&self) -> f64 {
        let exact = decimal_of(self.units);
        self.rest.map_or(exact, |r| r + exact)
    }

    /// The total of integer terms as an integer (saturating at i64).
    pub(super) fn int(&self) -> i64 {
        if let Some(r) = self.rest {
            #[allow(clippy::cast_possible_truncation)]
            return (r + decimal_of(self.units)) as i64;
        }
        let whole = self.units / SCALE;
        i64::try_from(whole).unwrap_or(if whole < 0 { i64::MIN } else { i64::MAX })
    }
}

/// Units of 10^-10 as the nearest float, through their decimal text.
fn decimal_of(units: i128) -> f64 {
    let sign = if units < 0 { "-" } else { "" };
    let abs = units.unsigned_abs();
    let scale = SCALE.unsigned_abs();
    format!("{sign}{}.{:010}", abs / scale, abs % scale)
        .parse()
        .unwrap_or(f64::NAN)
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
    fn one_term_is_its_own_sum_and_large_amounts_stay_exact() {
        for x in [
            134_364_244_112.4,
            0.1,
            -2.5,
            1e-10,
            999_999_999_999.99,
            1e25,
        ] {
            assert_eq!(of(&[x]).decimal(), x);
        }
        // Beyond the units' range: added as floats, not saturated.
        let huge = of(&[1e30, 1e30]).decimal();
        assert_eq!(huge, 2e30);
        assert_eq!(of(&[0.123_456_789_05]).decimal(), 0.123_456_789_1);
    }

    #[test]
    fn tenths_add_up_as_written() {
        assert_eq!(of(&[0.1, 0.2]).decimal(), 0.3);
        let mut s = of(&[f64::INFINITY, 1.0]);
        s.add_decimal(-2.0);
        assert!(s.decimal().is_infinite());
    }
}
