//! A group's evidence rows and extremes are the same however its records
//! are split into parts, in whatever order they come and merge.

use super::{GroupAcc, Keep};
use crate::engine::eval::AggInput;
use crate::ir::AggFunc;
use crate::value::Value;

/// The aggregates of the group: `any(c)`, `all(c)`, `count()`, `ratio(c)`,
/// `max(x)`, `min(x)`, `sum(x)`.
const FUNCS: [AggFunc; 7] = [
    AggFunc::Any,
    AggFunc::All,
    AggFunc::Count,
    AggFunc::Ratio,
    AggFunc::Max,
    AggFunc::Min,
    AggFunc::Sum,
];

/// Record `i`'s condition, value and membership.
fn record(i: u32) -> (Option<bool>, Option<Value>, Option<bool>) {
    let cond = match i % 7 {
        0 => None,
        1 | 4 => Some(true),
        _ => Some(false),
    };
    // Repeated values: the extreme is held by several records.
    let value = (i % 11 != 0).then(|| Value::Int(i64::from(i % 13)));
    let member = if i % 17 == 0 { None } else { Some(true) };
    (cond, value, member)
}

fn group(records: &[u32]) -> GroupAcc {
    let keeps: Vec<Keep> = FUNCS.iter().map(|&f| Keep::of(f)).collect();
    let mut g = GroupAcc::new(Vec::new(), (0, 0), &keeps);
    for &i in records {
        let at = (i / 100, i % 100);
        let (cond, value, member) = record(i);
        g.add_record(at, member);
        for (acc, func) in g.aggs.iter_mut().zip(FUNCS) {
            let input = match func {
                AggFunc::Count => AggInput::Present,
                AggFunc::Max | AggFunc::Min | AggFunc::Sum => AggInput::Value(value.clone()),
                _ => AggInput::Cond(cond),
            };
            acc.add(func, member, &input, at);
        }
        if cond.is_none() || value.is_none() || member.is_none() {
            g.add_unknown(at);
        }
    }
    g
}

/// What a verdict reads of a group: its evidence rows, the aggregates'
/// values and ranges.
fn seen(g: &GroupAcc) -> String {
    let values: Vec<String> = g
        .aggs
        .iter()
        .zip(FUNCS)
        .map(|(a, f)| {
            format!(
                "{:?} {:?}",
                a.value(f, f != AggFunc::Count),
                a.range(f, true)
            )
        })
        .collect();
    format!("{:?} {:?}", g.evidence_rows(true), values)
}

#[test]
fn evidence_rows_do_not_depend_on_the_order_of_records_or_parts() {
    let records: Vec<u32> = (1..400).collect();
    let whole = seen(&group(&records));
    let mut x: u64 = 11;
    for _ in 0..50 {
        let mut shuffled = records.clone();
        for i in (1..shuffled.len()).rev() {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            shuffled.swap(i, (x >> 33) as usize % (i + 1));
        }
        // Split into parts at random places, merged in a random order.
        let cut1 = (x >> 20) as usize % shuffled.len();
        let cut2 = cut1 + (x >> 40) as usize % (shuffled.len() - cut1);
        let mut parts: Vec<GroupAcc> =
            [&shuffled[..cut1], &shuffled[cut1..cut2], &shuffled[cut2..]]
                .iter()
                .map(|p| group(p))
                .collect();
        if x % 2 == 0 {
            parts.reverse();
        }
        let mut merged = parts.remove(0);
        for p in parts {
            merged.merge(p);
        }
        assert_eq!(seen(&merged), whole);
    }
}

#[test]
fn each_aggregate_keeps_the_first_records_that_make_its_value() {
    let records: Vec<u32> = (1..400).collect();
    let g = group(&records);
    let at = |i: u32| (i / 100, i % 100);
    let first = |pred: &dyn Fn(u32) -> bool, n: usize| -> Vec<(u32, u32)> {
        records
            .iter()
            .copied()
            .filter(|&i| pred(i))
            .take(n)
            .map(at)
            .collect()
    };
    let certain = |i: u32| record(i).2 == Some(true);
    let holds = |i: u32| certain(i) && record(i).0 == Some(true);
    let fails = |i: u32| certain(i) && record(i).0 == Some(false);
    assert_eq!(g.aggs[0].held, first(&holds, 5), "any");
    assert!(g.aggs[0].failed.is_empty(), "any");
    assert_eq!(g.aggs[1].failed, first(&fails, 5), "all");
    assert_eq!(g.aggs[2].held, first(&certain, 20), "count()");
    assert_eq!(g.aggs[3].held, first(&holds, 5), "ratio");
    assert_eq!(g.aggs[3].failed, first(&fails, 5), "ratio");
    // The max (12) first held by record 12, the min (0) by record 13.
    assert_eq!(g.aggs[4].max, Some((Value::Int(12), at(12))));
    assert_eq!(g.aggs[5].min, Some((Value::Int(0), at(13))));
    assert!(g.aggs[6].evidence().next().is_none(), "sum");
    let (rows, records_of) = g.evidence_rows(false);
    assert_eq!(records_of, 399);
    assert_eq!(rows.first(), Some(&at(1)));
}

/// The order extremes are kept in is a strict weak order over mixed
/// integers and decimals: -0 ties with 0 and with the integer 0 (it sorted
/// below 0 as a decimal while tying with the integer: a cycle), and any NaN
/// (a computed one is negative on x86) is above every number.
#[test]
fn extremes_are_ordered_without_cycles() {
    use super::less;
    let values = [
        Value::Decimal(-0.0),
        Value::Int(0),
        Value::Decimal(0.0),
        Value::Decimal(f64::NAN),
        Value::Decimal(-f64::NAN),
        Value::Int(9_007_199_254_740_993),
        Value::Decimal(9_007_199_254_740_992.0),
        Value::Int(i64::MIN),
        Value::Decimal(-1.5),
    ];
    let equal = |a: &Value, b: &Value| !less(a, b) && !less(b, a);
    for a in &values {
        assert!(!less(a, a), "{a:?}");
        for b in &values {
            for c in &values {
                if less(a, b) && less(b, c) {
                    assert!(less(a, c), "{a:?} < {b:?} < {c:?}");
                }
                if equal(a, b) && equal(b, c) {
                    assert!(equal(a, c), "{a:?} = {b:?} = {c:?}");
                }
            }
        }
    }
    assert!(equal(&Value::Decimal(-0.0), &Value::Decimal(0.0)));
    assert!(less(&Value::Int(i64::MAX), &Value::Decimal(-f64::NAN)));
}
