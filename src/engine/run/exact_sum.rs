//! Sums that do not depend on the order of their terms: `sum()` over a
//! group is added up in chunks, on the fast path and on the reference path,
//! in whatever order the records reach each, and floating-point addition is
//! not associative (`(a + b) + c` and `b + (a + c)` of three amounts near
//! 10^11 differ in the fourth decimal place, which flipped a comparison at
//! a threshold between the two evaluators). A term is kept exactly: below
//! 10^17 as a whole number of 10^-18 read from its shortest decimal text
//! (an exported decimal has at most ten places), above it as the whole
//! number it is (a float that large has no fraction); the total is
//! converted once, from its decimal text, at the end: a sum of one term is
//! that term.

use std::cmp::Ordering;

/// Places kept below the point, and their scale.
const PLACES: usize = 18;
const SCALE: i128 = 1_000_000_000_000_000_000;
/// `units_of`'s shortcut holds for amounts below 2^39, in 10^-4.
const FAST_LIMIT: f64 = 5_497_558_138_880_000.0;
/// Terms at or above this magnitude are whole numbers (beyond 2^53).
const WHOLE: f64 = 1e17;
/// Terms at or above this magnitude do not fit in an i128: added as
/// floats (no export or computation of a county's holds such numbers).
const HUGE: f64 = 1.7e38;

/// A sum of integers and decimals, the same whatever the order of adding.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct ExactSum {
    /// Whole numbers: the integer terms and the decimal terms of 10^17 or
    /// more, and what the fractional part carried over.
    whole: i128,
    /// The other terms, in units of 10^-18.
    units: i128,
    /// The terms beyond an i128 and what overflowed (infinities, NaN).
    rest: Option<f64>,
}

/// A finite decimal below 10^17 as units of 10^-18, from its shortest
/// decimal text (a figure past the 18th place rounds half away from zero).
fn units_of(x: f64) -> i128 {
    // Most amounts have at most four places: when x is the float nearest
    // to k / 10^4, that is its shortest text, without formatting it, as
    // long as floats lie closer together than 10^-4 (below 2^39, 6.1e-5
    // apart; from 2^39 to 2^53 / 10^4 two 4-place decimals may share a
    // float, and the nearer is not always the shorter).
    let k = (x * 1e4).round();
    #[allow(clippy::cast_possible_truncation, clippy::float_cmp)]
    if k.abs() < FAST_LIMIT && k / 1e4 == x {
        return (k as i128) * (SCALE / 10_000);
    }
    units_of_text(x)
}

/// [`units_of`] from the shortest decimal text.
fn units_of_text(x: f64) -> i128 {
    let text = format!("{}", x.abs());
    let (whole, frac) = text.split_once('.').unwrap_or((&text, ""));
    let mut units = whole.parse::<i128>().unwrap_or(0) * SCALE;
    let digits = frac.as_bytes();
    let mut place = SCALE / 10;
    for d in digits.iter().take(PLACES) {
        units += i128::from(d - b'0') * place;
        place /= 10;
    }
    if digits.get(PLACES).is_some_and(|d| *d >= b'5') {
        units += 1;
    }
    if x < 0.0 {
        -units
    } else {
        units
    }
}

impl ExactSum {
    pub(super) fn add_int(&mut self, n: i64) {
        self.add_whole(i128::from(n));
    }

    pub(super) fn add_decimal(&mut self, x: f64) {
        if !x.is_finite() || x.abs() >= HUGE {
            self.add_rest(x);
        } else if x.abs() >= WHOLE {
            // (A float this large is a whole number, within an i128.)
            #[allow(clippy::cast_possible_truncation)]
            self.add_whole(x as i128);
        } else {
            self.add_units(units_of(x));
        }
    }

    fn add_whole(&mut self, n: i128) {
        match self.whole.checked_add(n) {
            Some(w) => self.whole = w,
            #[allow(clippy::cast_precision_loss)]
            None => self.add_rest(n as f64),
        }
    }

    fn add_units(&mut self, u: i128) {
        if let Some(total) = self.units.checked_add(u) {
            self.units = total;
        } else {
            // Carry both whole parts over: the fractions then fit.
            self.add_whole(self.units / SCALE);
            self.add_whole(u / SCALE);
            self.units = self.units % SCALE + u % SCALE;
        }
    }

    fn add_rest(&mut self, x: f64) {
        self.rest = Some(self.rest.map_or(x, |r| r + x));
    }

    pub(super) fn merge(&mut self, o: &ExactSum) {
        self.add_whole(o.whole);
        self.add_units(o.units);
        if let Some(x) = o.rest {
            self.add_rest(x);
        }
    }

    /// The sum with another's terms, as a new sum.
    pub(super) fn plus(mut self, o: &ExactSum) -> ExactSum {
        self.merge(o);
        self
    }

    /// The whole part and the fraction (in units, `0..SCALE`) of the exact
    /// total; `None` when the whole part overflows.
    fn parts(&self) -> Option<(i128, i128)> {
        let whole = self.whole.checked_add(self.units.div_euclid(SCALE))?;
        Some((whole, self.units.rem_euclid(SCALE)))
    }

    /// The total as a decimal, rounded once from its exact value.
    #[allow(clippy::cast_precision_loss)]
    pub(super) fn decimal(&self) -> f64 {
        let exact = match self.parts() {
            Some((whole, frac)) => decimal_of(whole, frac),
            None => self.whole as f64 + (self.units as f64) / 1e18,
        };
        self.rest.map_or(exact, |r| r + exact)
    }

    /// The total of integer terms as an integer (saturating at i64).
    #[allow(clippy::cast_possible_truncation)]
    pub(super) fn int(&self) -> i64 {
        if self.rest.is_some() {
            return self.decimal() as i64;
        }
        let whole = self.parts().map_or(self.whole, |(w, _)| w);
        i64::try_from(whole).unwrap_or(if whole < 0 { i64::MIN } else { i64::MAX })
    }
}

/// `whole + frac / 10^18` (`frac` in `0..SCALE`) as the nearest float,
/// through its decimal text.
fn decimal_of(whole: i128, frac: i128) -> f64 {
    let text = match (whole.cmp(&0), frac) {
        (Ordering::Less, f) if f > 0 => {
            // -3 + 0.25 = -2.75
            format!("-{}.{:018}", -(whole + 1), SCALE - f)
        }
        _ => format!("{whole}.{frac:018}"),
    };
    text.parse().unwrap_or(f64::NAN)
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
        assert_eq!(ab_c.decimal(), b_ac.decimal());
        assert_eq!(ab_c.decimal(), 1_023_384_380_394.22);
        // Beyond 10^17, and beyond the units' carry.
        let (x, y, z) = (1e30, -1e30, 1.712_345_678_901_234_5e28);
        assert_eq!(
            of(&[x, y]).plus(&of(&[z])).decimal(),
            of(&[x]).plus(&of(&[y, z])).decimal()
        );
        assert_eq!(of(&[x, y, z]).decimal(), z);
    }

    #[test]
    fn integers_stay_exact_past_two_to_the_fifty_three() {
        let mut s = ExactSum::default();
        s.add_int(9_007_199_254_740_993);
        s.add_int(1);
        assert_eq!(s.int(), 9_007_199_254_740_994);
    }

    #[test]
    fn one_term_is_its_own_sum() {
        for x in [
            134_364_244_112.4,
            0.1,
            -2.5,
            -0.25,
            1e-10,
            4e-11,
            999_999_999_999.99,
            1e25,
            -1e30,
            0.123_456_789_05,
        ] {
            assert_eq!(of(&[x]).decimal(), x, "{x}");
        }
        assert_eq!(of(&[1e30, 1e30]).decimal(), 2e30);
        assert_eq!(of(&[-3.0, 0.25]).decimal(), -2.75);
    }

    #[test]
    fn the_short_way_to_units_agrees_with_the_text() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..200_000 {
            // (A xorshift: amounts of 0-4 places, of every size.)
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let places = i32::try_from(x % 5).unwrap();
            let digits = i64::try_from((x >> 8) % 10_000_000_000_000_000).unwrap();
            let sign = if x & 1 == 0 { 1.0 } else { -1.0 };
            #[allow(clippy::cast_precision_loss)]
            let v = sign * digits as f64 / 10f64.powi(places);
            assert_eq!(super::units_of(v), super::units_of_text(v), "{v}");
        }
    }

    #[test]
    fn a_carry_of_two_large_parts_fits() {
        // (Two chunks whose fractional units are near i128's end: merging
        // them overflowed the carry.)
        let mut a = of(&[0.7]);
        let units = ExactSum {
            units: i128::MAX - 5,
            ..ExactSum::default()
        };
        a.merge(&units);
        a.merge(&units);
        let expected = 2.0 * (i128::MAX - 5) as f64 / 1e18 + 0.7;
        assert!(
            (a.decimal() - expected).abs() / expected < 1e-12,
            "{}",
            a.decimal()
        );
        // Amounts from 2^39 on, where two 4-place decimals may share a float.
        assert_eq!(of(&[721_630_924_386.68; 10]).decimal(), 7_216_309_243_866.8);
    }

    #[test]
    fn tenths_add_up_as_written() {
        assert_eq!(of(&[0.1, 0.2]).decimal(), 0.3);
        let mut s = of(&[f64::INFINITY, 1.0]);
        s.add_decimal(-2.0);
        assert!(s.decimal().is_infinite());
    }
}
