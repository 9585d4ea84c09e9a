//! Members counted by memo entry over a worker's chunks give their group
//! what each member's own add gives, in any order, across a bound.

use super::super::group_acc::{GroupAcc, Keep};
use super::super::kept_groups::KeptGroups;
use super::super::{AggInput, AggPlan, Partial};
use crate::engine::fast::BKey;
use crate::ir::AggFunc;
use crate::text::Text;

/// `any(c)` and `count(c)`: lists of 10 and 20 places.
fn plan() -> AggPlan<'static> {
    let funcs = [AggFunc::Any, AggFunc::Count];
    AggPlan {
        nodes: funcs.iter().map(|&f| (f, None)).collect(),
        same_as: vec![None; funcs.len()],
        keeps: funcs.iter().map(|&f| Keep::of(f)).collect(),
    }
}

/// The group's records, evidence and aggregates, as `yimen` reports them.
fn seen(g: &GroupAcc, plan: &AggPlan<'_>) -> String {
    format!("{:?} {:?}", g.evidence_rows(false), plan.values(&g.aggs))
}

/// The only group of `kept`'s rule slot 0, folded.
fn folded(kept: KeptGroups, plan: &AggPlan<'_>) -> String {
    let mut p = Partial {
        groups: vec![rustc_hash::FxHashMap::default()],
        ..Partial::default()
    };
    kept.fold_into(&mut p);
    assert_eq!(p.groups[0].len(), 1);
    p.groups[0].values().map(|g| seen(g, plan)).collect()
}

/// A worker's members of one entry: 60 in order over three chunks, then
/// places before the first ones kept (another source's rows, or a worker's
/// chunk met out of order), then more in order.
fn places() -> Vec<(u32, u32)> {
    let mut at: Vec<(u32, u32)> = (100..160).map(|r| (1, r)).collect();
    at.extend([(1, 5), (0, 9), (1, 7)]);
    at.extend((160..170).map(|r| (1, r)));
    at.push((0, 3));
    at
}

/// A member at `at` with `inputs` added to group `g` alone.
fn add_alone(g: &mut GroupAcc, plan: &AggPlan<'_>, inputs: &[AggInput], at: (u32, u32)) {
    g.add_record(at, Some(true));
    for (agg, ((func, _), input)) in g.aggs.iter_mut().zip(plan.nodes.iter().zip(inputs)) {
        agg.add(*func, Some(true), input, at);
    }
}

/// The members at [`places`] of memo entry 0, `inputs` each: counted by
/// entry for the group of 区民政局 in a worker's groups of one rule (each
/// one the count refuses added to the group alone, as a replay does), and
/// added one by one to a group of their own. The worker's groups, the
/// group's place there, and the group of their own.
fn count_both_ways(plan: &AggPlan<'_>, inputs: &[AggInput]) -> (KeptGroups, usize, GroupAcc) {
    let dept = Text::from("区民政局");
    let mut kept = KeptGroups::new(1);
    let g = kept.find_or_make(0, &[BKey::Str(&dept)], || {
        GroupAcc::new(Vec::new(), (1, 100), &plan.keeps)
    });
    let mut own = GroupAcc::new(Vec::new(), (1, 100), &plan.keeps);
    let mut alone = Vec::new();
    for at in places() {
        add_alone(&mut own, plan, inputs, at);
        let pending = &mut kept.pending[0];
        if !pending.add(0, at) && !pending.start(0, g, inputs, plan, at) {
            add_alone(kept.at(0, g), plan, inputs, at);
            alone.push(at);
        }
    }
    // (Those that come before the 20 places kept when these are full.)
    assert_eq!(alone, [(1, 5), (0, 9), (1, 7), (0, 3)]);
    (kept, g, own)
}

#[test]
fn members_counted_by_entry_give_the_group_their_own_adds_in_any_order() {
    let plan = plan();
    let inputs = [AggInput::Cond(Some(true)), AggInput::Cond(Some(true))];
    let (kept, _, own) = count_both_ways(&plan, &inputs);
    let expected = seen(&own, &plan);
    assert!(
        expected.contains("(0, 3), (0, 9), (1, 5), (1, 7), (1, 100)"),
        "{expected}"
    );
    assert_eq!(folded(kept, &plan), expected);
}

#[test]
fn members_counted_by_entry_join_their_group_before_a_bound_folds_it() {
    let plan = plan();
    let inputs = [AggInput::Cond(Some(true)), AggInput::Cond(Some(false))];
    let (mut kept, g, own) = count_both_ways(&plan, &inputs);
    // As many more groups by identity as the bound allows, strings of the
    // same text: folded by content into the one group, with no member.
    let copies: Vec<Text> = (0..super::super::kept_groups::MAX_KEPT)
        .map(|_| Text::from("区民政局"))
        .collect();
    for t in &copies {
        kept.find_or_make(0, &[BKey::Str(t)], || {
            GroupAcc::new(Vec::new(), (1, 100), &plan.keeps)
        });
    }
    kept.places(0).push(u32::try_from(g + 1).expect("a place"));
    kept.bound();
    assert!(kept.places(0).is_empty(), "folded: the places forgotten");
    assert_eq!(folded(kept, &plan), seen(&own, &plan));
}
