//! The positional date reader agrees with the general one, and `parse_into`
//! and `parse_bytes_into` with `parse`.

use chrono::NaiveDate;

use super::{datetime_by_tokens, day_key, fast_numeric, fixed_width};

#[test]
fn positional_datetimes_agree_with_the_tokenizer() {
    let mut texts: Vec<String> = [
        "2025-03-01",
        "2025/3/1",
        "2025-03-01 09:30:00",
        "2025/8/11 16:40",
        "2025-03-01T09:30",
        "2025-3-1 9:5:7",
        "2024-02-29",
        "2025-02-29",
        "2025-02-30 10:00:00",
        "2025-13-01",
        "2025-03-01 24:00:00",
        "2025-03-01 23:59:60",
        "2025-03-01 23:60",
        "2025-03/01",
        "2025-003-01",
        "20251-03-01",
        "2025-03-01  09:30",
        "2025-03-01 09:30:00.5",
        "2025-03-01 09",
        "2025-03-01 09:",
        "2025-03-01T",
        "2025-03-01 ",
        "2025-",
        "2025",
        "25-03-01",
        "2025-03-01t09:30",
        "2025-03-01 09:30:00Z",
        // Fixed-width shapes, and near misses of them.
        "2025/03/01 09:30:00",
        "2025-03-01T09:30:00",
        "2025-03-01 09:30:0x",
        "2025-03-01 09:3a:00",
        "2025-03-01 09-30-00",
        "2025-03-01 09:30-00",
        "2025-03-0a",
        "2025-03/01 09:30",
        "2025-03-01x09:30",
        "2025-02-29 10:00",
        "2024-02-29 10:00:00",
        "2025-04-31",
        "+025-03-01",
    ]
    .iter()
    .map(ToString::to_string)
    .collect();
    // Every date and time of a few days, in several spellings.
    for (m, d, h, mi) in [(1, 1, 0, 0), (2, 28, 9, 5), (12, 31, 23, 59), (6, 9, 7, 30)] {
        texts.push(format!("2025-{m:02}-{d:02} {h:02}:{mi:02}:00"));
        texts.push(format!("2025/{m}/{d} {h}:{mi:02}"));
        texts.push(format!("2025-{m}-{d}T{h:02}:{mi:02}:{mi:02}"));
    }
    for t in &texts {
        let fast = fast_numeric(t.as_bytes());
        let general = datetime_by_tokens(t);
        if let Some(dt) = fast {
            assert_eq!(Ok(dt), general, "{t:?}");
        }
    }
    // The shapes it is for are read on the fast path, the fixed-width ones
    // by the word reader.
    for t in ["2025-03-01", "2025/8/11 16:40", "2025-03-01 09:30:00"] {
        assert!(fast_numeric(t.as_bytes()).is_some(), "{t:?}");
    }
    for t in [
        "2025-03-01",
        "2025/03/01 16:40",
        "2025-12-31T23:59:58",
        "1999-01-09 07:08",
    ] {
        let dt = fixed_width(t.as_bytes());
        assert!(dt.is_some(), "{t:?}");
        assert_eq!(dt.ok_or("none"), datetime_by_tokens(t), "{t:?}");
    }
}

#[test]
fn a_date_read_again_is_the_date_of_its_own_bytes() {
    // Every day of 1950-2099 (and its datetime, and with `/`), read slot by
    // slot of the thread's table of dates read, twice: each is the date its
    // bytes say, never the one its slot held before (the same month day of
    // every fourth year, 37 or 38 days, take each slot in turn).
    let key = |d: &NaiveDate| {
        use chrono::Datelike;
        let year = u32::try_from(d.year()).expect("a year after 0");
        day_key(year, d.month(), d.day()).1
    };
    let first = NaiveDate::from_ymd_opt(1950, 1, 1).expect("a date");
    let mut days: Vec<(NaiveDate, String)> = first
        .iter_days()
        .take_while(|d| chrono::Datelike::year(d) < 2100)
        .map(|d| (d, d.format("%Y-%m-%d").to_string()))
        .collect();
    days.sort_by_key(|(d, _)| key(d));
    let at = chrono::NaiveTime::from_hms_opt(8, 30, 0).expect("a time");
    for _ in 0..2 {
        for (d, t) in &days {
            assert_eq!(
                fixed_width(t.as_bytes()),
                Some(d.and_time(chrono::NaiveTime::MIN)),
                "{t}"
            );
            let slashed = t.replace('-', "/");
            assert_eq!(
                fixed_width(slashed.as_bytes()).map(|x| x.date()),
                Some(*d),
                "{slashed}"
            );
            let timed = format!("{t} 08:30:00");
            assert_eq!(
                fixed_width(timed.as_bytes()),
                Some(d.and_time(at)),
                "{timed}"
            );
        }
    }
    // A day that does not exist, after one that does: none.
    assert!(fixed_width(b"2025-02-28").is_some());
    assert_eq!(fixed_width(b"2025-02-29"), None);
    // Leap days four years apart share a slot; the years between have none.
    for t in ["2024-02-29", "2028-02-29", "2024-02-29 23:59:59"] {
        assert_eq!(
            fixed_width(t.as_bytes()).ok_or("none"),
            datetime_by_tokens(t),
            "{t}"
        );
    }
    for t in ["2025-02-29", "2100-02-29", "2026-02-29 10:00"] {
        assert_eq!(fixed_width(t.as_bytes()), None, "{t}");
    }
}

#[test]
fn no_two_dates_share_a_key_and_four_years_no_slot() {
    let mut keys = std::collections::HashSet::new();
    let mut slots = std::collections::HashSet::new();
    for year in [0, 1, 2024, 2025, 2026, 2027, 9999] {
        for month in 1..=12 {
            for day in 1..=31 {
                let (key, slot) = day_key(year, month, day);
                assert_ne!(key, 0, "an empty slot's key");
                assert!(keys.insert(key), "{year}-{month}-{day}");
                assert!(slot < super::DAY_SLOTS);
                if (2024..2028).contains(&year) {
                    assert!(slots.insert(slot), "{year}-{month}-{day}");
                }
            }
        }
    }
    // (A month's 31 days in 32 places: one of them stays empty.)
    assert_eq!(slots.len(), 4 * 12 * 31);
}

/// A fixed xorshift: each call a number below its argument, the same
/// sequence in every run.
fn xorshift() -> impl FnMut(u64) -> u64 {
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    move |n| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % n
    }
}

#[test]
fn random_datetimes_agree_with_the_tokenizer() {
    // Date-time shapes with random numbers (out of range too), separators
    // and one random corruption now and then, by a fixed xorshift: wherever
    // the positional reader gives a value, the general reader gives the same.
    let mut next = xorshift();
    let mut fast_count = 0;
    for _ in 0..50_000 {
        let pad = next(2) == 0;
        let num = |v: u64, pad: bool| {
            if pad {
                format!("{v:02}")
            } else {
                v.to_string()
            }
        };
        let sep = ["-", "/", "."][next(3) as usize];
        let sep2 = if next(10) == 0 { "/" } else { sep };
        let mut t = format!(
            "{}{sep}{}{sep2}{}",
            [2024, 2025, 1999, 2100][next(4) as usize],
            num(next(14), pad),
            num(next(33), pad)
        );
        if next(3) > 0 {
            t.push_str([" ", "T", "t", "  "][next(4) as usize]);
            t.push_str(&num(next(26), pad));
            t.push(':');
            t.push_str(&num(next(62), pad));
            if next(2) == 0 {
                t.push(':');
                t.push_str(&num(next(62), pad));
            }
        }
        if next(8) == 0 {
            // One byte replaced by a digit, a letter or a separator.
            let i = next(t.len() as u64) as usize;
            if t.is_char_boundary(i) && t.is_char_boundary(i + 1) {
                let c = ["0", "9", "x", ":", "-", " ", ";", "?", "/", "@", "年", "０"]
                    [next(12) as usize];
                t.replace_range(i..=i, c);
            }
        }
        if let Some(dt) = fast_numeric(t.as_bytes()) {
            fast_count += 1;
            assert_eq!(Ok(dt), datetime_by_tokens(&t), "{t:?}");
        }
    }
    // The draw does reach the positional reader, often.
    assert!(fast_count > 5_000, "{fast_count}");
}

/// `parse_into` reads the commonest dates and datetimes without `parse`'s
/// layers: it gives what `parse` gives, for a datetime and a date field, on
/// every shape (the fast ones, near misses, padded, empty, impossible, out
/// of range).
#[test]
fn parse_into_datetimes_agree_with_parse() {
    use crate::schema::{Field, FieldType};
    for ty in [FieldType::DateTime, FieldType::Date] {
        let field = Field {
            name: "accepted_at".into(),
            ty,
            aliases: vec!["受理时间".into()],
            values: Vec::new(),
            value_aliases: std::collections::BTreeMap::new(),
            default: None,
            unit: None,
            none_words: false,
        };
        parse_into_agrees_on_datetimes(&super::CellParser::new(&field, None));
    }
}

fn parse_into_agrees_on_datetimes(parser: &super::CellParser) {
    use crate::value::Value;
    for t in [
        "2025-03-01 09:30:00",
        "2025-03-01",
        "2025/03/01 09:30",
        "2025-03-01T09:30:00",
        " 2025-03-01 09:30:00",
        "2025-03-01 09:30:00 ",
        "2025-02-29 10:00:00",
        "2025-03-01 24:00:00",
        "1899-12-31 10:00:00",
        "2101-01-01",
        "0000-01-01",
        "2025/8/11 16:40",
        "2025/8/1 9:05",
        "2025/8/1 9:05:07",
        "2025-8-1 9:05",
        "2025/8/1",
        "2025/8/1T9:05",
        "2025/2/30 10:00",
        "2025/8/11 16:60",
        "2025/8/11 16:40:5x",
        "2025/8/11  16:40",
        "2025/8-11 16:40",
        "2025/123/1 16:40",
        "1899/12/31 9:00",
        "２０２５/8/11 16:40",
        "2025年8月11日 16:40",
        "/",
        "",
        "无",
    ] {
        let mut out = Value::Empty;
        let into = parser.parse_into(t, None, &mut out).map(|()| out.clone());
        let direct = parser.parse(t);
        assert_eq!(format!("{into:?}"), format!("{direct:?}"), "{t:?}");
        // Read from the bytes: what `parse` gives, or nothing written.
        let mut by_bytes = Value::Invalid;
        if parser.parse_bytes_into(t.as_bytes(), None, false, &mut by_bytes) {
            assert_eq!(direct.as_ref().ok(), Some(&by_bytes), "{t:?}");
        } else {
            assert_eq!(by_bytes, Value::Invalid, "{t:?}");
            assert!(
                !matches!(
                    t,
                    "2025-03-01 09:30:00"
                        | "2025-03-01"
                        | "2025-03-01T09:30:00"
                        | "2025/8/11 16:40"
                        | "2025/8/1 9:05"
                        | "2025/8/1 9:05:07"
                        | "2025/8/1"
                ),
                "{t:?} is read from its bytes"
            );
        }
    }
}

/// `parse_into` writes an enum's label, a yes/no and an integer in place
/// without `parse`'s layers: it gives what `parse_local` (enums) and
/// `parse` give, with and without a mapping's aliases, on the fast shapes
/// and on those that take the general path.
#[test]
fn parse_into_enums_yes_no_and_integers_agree_with_parse() {
    use crate::schema::{Field, FieldType};
    use crate::value::Value;
    use std::collections::BTreeMap;
    let field = |ty: FieldType, values: &[&str], unit: Option<&str>| Field {
        name: "f".into(),
        ty,
        aliases: vec!["字段".into()],
        values: values.iter().map(|v| (*v).to_string()).collect(),
        value_aliases: [("线上".to_string(), "网上".to_string())]
            .into_iter()
            .filter(|_| ty == FieldType::Enum)
            .collect(),
        default: None,
        unit: unit.map(Into::into),
        none_words: false,
    };
    let mapping: BTreeMap<String, String> = [
        ("现场".to_string(), "窗口".to_string()),
        ("不".to_string(), "否".to_string()),
        ("五".to_string(), "5".to_string()),
        // An export that codes 否 as 1: the alias comes before the reading.
        ("1".to_string(), "否".to_string()),
    ]
    .into_iter()
    .collect();
    let texts = [
        "窗口", "网上", " 网上 ", "线上", "现场", "邮寄", "是", "否", " 否", "Y", "yes", "×", "不",
        "也许", "12", " 7 ", "-3", "12天", "12.0", "12.5", "五", "1,200", "", " ", "/", "无", "1",
        "0", "N", "true", "false", "TRUE", "是 ", "1 ", "y",
    ];
    for ty in [FieldType::Enum, FieldType::Bool, FieldType::Int] {
        for unit in [None, Some("天")] {
            for extra in [None, Some(&mapping)] {
                let f = field(ty, &["窗口", "网上"], unit);
                let parser = super::CellParser::new(&f, extra);
                let local = parser.is_enum().then(|| parser.local_labels());
                for t in texts {
                    let mut out = Value::Invalid;
                    let into = parser
                        .parse_into(t, local.as_deref(), &mut out)
                        .map(|()| out.clone());
                    let direct = match &local {
                        Some(l) => parser.parse_local(t, l),
                        None => parser.parse(t),
                    };
                    assert_eq!(
                        format!("{into:?}"),
                        format!("{direct:?}"),
                        "{ty:?} {unit:?} mapping {} {t:?}",
                        extra.is_some()
                    );
                    if let (Ok(v), Err(_)) = (&into, &direct) {
                        panic!("{t:?}: {v:?} where parse fails");
                    }
                    // Read from the bytes (of UTF-8 text): a label as
                    // written, as `parse_local` reads it, and a yes/no in
                    // its commonest forms when no mapping alias may come
                    // first; nothing else.
                    let mut by_bytes = Value::Invalid;
                    let read = parser.parse_bytes_into(
                        t.as_bytes(),
                        local.as_deref(),
                        true,
                        &mut by_bytes,
                    );
                    if read {
                        assert_eq!(direct.as_ref().ok(), Some(&by_bytes), "{ty:?} {t:?}");
                    }
                    let label = ty == FieldType::Enum && matches!(t, "窗口" | "网上");
                    let yes_no = ty == FieldType::Bool
                        && extra.is_none()
                        && matches!(t, "是" | "否" | "Y" | "N" | "1" | "0" | "true" | "false");
                    assert_eq!(read, label || yes_no, "{ty:?} {t:?} read from its bytes");
                    // (Not from the bytes of a text in another encoding.)
                    assert!(!parser.parse_bytes_into(
                        t.as_bytes(),
                        local.as_deref(),
                        false,
                        &mut by_bytes
                    ));
                }
            }
        }
    }
}

/// An enum's labels are read from their bytes whatever their length (the
/// comparison takes texts of up to 3, 4 to 7, 8 to 16 and more bytes each
/// its own way), each as the label `parse_local` gives; a text that differs
/// from every label in one byte, or in its length, is not.
#[test]
fn enum_labels_of_every_length_are_read_from_their_bytes_and_nothing_else() {
    use crate::schema::{Field, FieldType};
    use crate::value::Value;
    let labels = [
        "A",
        "是",
        "网上",
        "原单位",
        "中心窗口",
        "综合窗口",
        "ABCDEFGHIJKLMNOP",
        "政务服务中心窗口",
    ];
    let f = Field {
        name: "f".into(),
        ty: FieldType::Enum,
        aliases: vec!["字段".into()],
        values: labels.iter().map(|v| (*v).to_string()).collect(),
        value_aliases: std::iter::empty().collect(),
        default: None,
        unit: None,
        none_words: false,
    };
    let parser = super::CellParser::new(&f, None);
    let local = parser.local_labels();
    let others = [
        "B",
        "否",
        "网下",
        "原单元",
        "中心大厅",
        "综合窗囗",
        "中心窗口 ",
        "ABCDEFGHIJKLMNOQ",
        "BBCDEFGHIJKLMNOP",
        "ABCDEFGHIJKLMNOPQ",
        "政务服务中心窗户",
        "政务服务大厅窗口",
        "",
    ];
    for t in labels.iter().chain(&others) {
        let mut out = Value::Invalid;
        let read = parser.parse_bytes_into(t.as_bytes(), Some(&local), true, &mut out);
        assert_eq!(read, labels.contains(t), "{t:?} read from its bytes");
        if read {
            assert_eq!(Ok(out), parser.parse_local(t, &local), "{t:?}");
            assert_eq!(parser.parse_local(t, &local), Ok(Value::str(t)), "{t:?}");
        }
    }
}

/// A plain decimal is read from its bytes, and in place, to the bit as
/// `parse` reads it (`plain_decimal`): on the shapes a fee ledger writes,
/// their near misses, and 300,000 generated texts (digits around a point
/// and a sign, of every length either side of the limits, and strings of
/// digits, points and signs); a column with aliases or a unit of its own
/// reads every cell the general way.
#[test]
fn plain_decimals_agree_with_parse_to_the_bit() {
    use crate::schema::{Field, FieldType};
    use crate::value::Value;
    let field = Field {
        name: "amount".into(),
        ty: FieldType::Decimal,
        aliases: vec!["收费金额".into()],
        values: Vec::new(),
        value_aliases: std::collections::BTreeMap::new(),
        default: None,
        unit: Some("元".into()),
        none_words: false,
    };
    let parser = super::CellParser::new(&field, None);
    let same = |a: &Result<Value, super::BadCell>, b: &Result<Value, super::BadCell>| match (a, b) {
        (Ok(Value::Decimal(x)), Ok(Value::Decimal(y))) => x.to_bits() == y.to_bits(),
        _ => format!("{a:?}") == format!("{b:?}"),
    };
    // Whether `t` is read from its bytes, checking both fast reads.
    let check = |t: &str| -> bool {
        let direct = parser.parse(t);
        let mut out = Value::Empty;
        let into = parser.parse_into(t, None, &mut out).map(|()| out.clone());
        assert!(same(&into, &direct), "{t:?}: {into:?} against {direct:?}");
        let mut by_bytes = Value::Invalid;
        let read = parser.parse_bytes_into(t.as_bytes(), None, true, &mut by_bytes);
        if read {
            assert!(
                same(&Ok(by_bytes), &direct),
                "{t:?} by bytes against {direct:?}"
            );
        } else {
            assert_eq!(by_bytes, Value::Invalid, "{t:?}");
        }
        read
    };
    for t in [
        "30.00",
        "0",
        "150",
        "-12.5",
        "-0",
        "-0.0",
        "0.0000000001",
        "007.50",
        "999999999999999",
        "99999999999999.9",
        "0.1",
        "0.3",
        "1234567.891",
        "900719925474.993",
    ] {
        assert!(
            parser.reads_bytes(false),
            "a decimal column is read by bytes"
        );
        assert!(check(t), "{t:?} is read from its bytes");
    }
    for t in [
        "9999999999999999",
        "1.00000000001",
        "5.",
        ".5",
        "+5",
        "-.5",
        "--5",
        "-",
        "",
        "5.5.5",
        "1,200",
        " 5",
        "5 ",
        "１２",
        "¥5",
        "5元",
        "1e5",
        "0x10",
        "12345678901234567",
        "NaN",
    ] {
        assert!(!check(t), "{t:?} takes the general path");
    }
    // Generated: digits around a point, with and without a sign.
    let mut next = xorshift();
    let mut read = 0;
    for _ in 0..200_000 {
        let mut t = String::new();
        if next(3) == 0 {
            t.push('-');
        }
        for _ in 0..next(18) {
            t.push(char::from(b'0' + next(10) as u8));
        }
        if next(4) != 0 {
            t.push('.');
            for _ in 0..next(13) {
                t.push(char::from(b'0' + next(10) as u8));
            }
        }
        read += usize::from(check(&t));
    }
    assert!(
        read > 50_000,
        "most generated decimals are read by bytes ({read})"
    );
    for _ in 0..100_000 {
        let t: String = (0..=next(18))
            .map(|_| char::from(b"0123456789.-+ ,"[next(15) as usize]))
            .collect();
        check(&t);
    }
    // Aliases, or a column's own unit, come before any reading.
    let mapping: std::collections::BTreeMap<String, String> =
        [("0".to_string(), "5".to_string())].into_iter().collect();
    for other in [
        super::CellParser::new(&field, Some(&mapping)),
        super::CellParser::new(&field, None).with_column_unit("万元"),
    ] {
        assert!(!other.reads_bytes(false));
        let mut v = Value::Invalid;
        assert!(!other.parse_bytes_into(b"30.00", None, true, &mut v));
        let mut out = Value::Empty;
        let into = other.parse_into("0", None, &mut out).map(|()| out.clone());
        assert!(same(&into, &other.parse("0")), "{into:?}");
    }
}
