use super::*;

fn row(values: Vec<Value>) -> Row {
    Row {
        file: 0,
        row: 2,
        values,
    }
}

/// A chunk's exclusions, checked for all its guarded rules at once, are each
/// guard's own record by record; a rule without a guard, or past the 64th
/// guarded one, is left to be checked record by record; a guard excluding
/// every record says so, one excluding all but one does not.
#[test]
fn exclusions_are_each_guard_s_own_for_up_to_64_rules() {
    let text = |s: &str| Value::Str(Text::from(s));
    // (channel, joint, project kind; then the department, 民政局 in each)
    let rows: Vec<Row> = [
        (text("原单位"), Value::Bool(false), Value::Empty),
        (text("综合窗口"), Value::Bool(true), text("基建")),
        (text("原单位\u{3000}"), Value::Invalid, text("  ")),
        (Value::Empty, Value::Bool(false), Value::Empty),
        (text("综合窗口"), Value::Bool(false), Value::Empty),
    ]
    .into_iter()
    .map(|(a, b, c)| row(vec![a, b, c, text("民政局")]))
    .collect();
    let shapes = [
        Guard::Text {
            field: 0,
            text: crate::text::intern("原单位"),
            eq: true,
        },
        Guard::Text {
            field: 0,
            text: crate::text::intern("综合窗口"),
            eq: false,
        },
        Guard::Flag { field: 1 },
        Guard::Is {
            field: 2,
            negated: true,
            test: IsTest::Empty,
        },
        // (Excludes every record: none is of 火星局.)
        Guard::Text {
            field: 3,
            text: crate::text::intern("火星局"),
            eq: true,
        },
    ];
    // 80 slots: a guard at each but every seventh, whose rule has none.
    let guards: Vec<Option<&Guard>> = (0..80)
        .map(|slot| (slot % 7 != 6).then(|| &shapes[slot % shapes.len()]))
        .collect();
    let ex = Exclusions::of(&guards, &rows);
    let mut checked = 0;
    for (slot, g) in guards.iter().enumerate() {
        let Some(g) = g else {
            assert!(!ex.checked(slot), "{slot}");
            continue;
        };
        checked += 1;
        if checked > 64 {
            assert!(!ex.checked(slot), "{slot}: past the 64th");
            continue;
        }
        assert!(ex.checked(slot), "{slot}");
        let mut met = TextsMet::default();
        let own: Vec<bool> = rows
            .iter()
            .map(|r| g.excludes(&r.values, &mut met))
            .collect();
        let found: Vec<bool> = (0..rows.len()).map(|i| ex.excludes(slot, i)).collect();
        assert_eq!(found, own, "{slot}");
        assert_eq!(ex.every(slot), own.iter().all(|&x| x), "{slot}");
    }
    assert!(checked > 64);
    // (Each shape excludes some record and keeps another; 火星局 all.)
    assert!(ex.every(4) && !ex.every(0) && !ex.every(1) && !ex.every(2) && !ex.every(3));
    // No guards to check: none checked.
    assert!(!Exclusions::of(&[None, None], &rows).checked(0));
}
