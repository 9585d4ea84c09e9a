//! Cell parsing per the data contract, one form at a time, through the
//! public `read::cell` API.

use chrono::{NaiveDate, NaiveDateTime};
use yimen::read::cell::{parse, parse_datetime, CellParser};
use yimen::schema::{Field, Schema};
use yimen::value::Value;

fn field(ds: &str, name: &str) -> &'static Field {
    Schema::builtin()
        .dataset(ds)
        .and_then(|d| d.field(name))
        .unwrap_or_else(|| panic!("no field {ds}.{name}"))
}

fn dt(s: &str) -> Value {
    Value::DateTime(NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap())
}

fn date(y: i32, m: u32, d: u32) -> Value {
    Value::Date(NaiveDate::from_ymd_opt(y, m, d).unwrap())
}

#[test]
fn booleans() {
    let f = field("catalogue", "in_center");
    for t in [
        "是",
        "Y",
        "y",
        "yes",
        "TRUE",
        "true",
        "1",
        "√",
        "✓",
        " 是 ",
        "\u{a0}Ｙ",
    ] {
        assert_eq!(parse(f, t), Ok(Value::Bool(true)), "{t:?}");
    }
    for t in ["否", "N", "no", "false", "FALSE", "0", "×", "✗"] {
        assert_eq!(parse(f, t), Ok(Value::Bool(false)), "{t:?}");
    }
    let bad = parse(f, "也许").unwrap_err();
    assert_eq!(bad.expected, "bool");
    assert_eq!(parse(f, ""), Ok(Value::Empty));
    assert_eq!(parse(f, "NULL"), Ok(Value::Empty));
}

#[test]
fn datetimes_in_every_form() {
    let f = field("cases", "accepted_at");
    let want = dt("2025-03-01 09:30:00");
    for t in [
        "2025-03-01 09:30:00",
        "2025/3/1 9:30",
        "2025-03-01T09:30:00",
        "2025-03-01T09:30",
        "2025-03-01 09:30",
        "2025.03.01 09:30:00",
        "2025年3月1日 9时30分",
        "2025年3月1日9:30",
        "２０２５－０３－０１　０９：３０：００",
        "20250301093000",
        "2025-03-01 09:30:00.000",
    ] {
        assert_eq!(parse(f, t), Ok(want.clone()), "{t:?}");
    }
    // Date-only forms are midnight.
    for t in ["2025年3月1日", "2025-03-01", "2025/3/1", "20250301"] {
        assert_eq!(parse(f, t), Ok(dt("2025-03-01 00:00:00")), "{t:?}");
    }
    // A number written as text is no date: the contract reads Excel serial
    // numbers in xlsx number cells only (`1` was read as 1900-01-01).
    for t in ["45717", "45717.395833333336", "1", "12345", "2025.3", "0"] {
        let bad = parse(f, t).unwrap_err();
        assert_eq!(bad.expected, "datetime", "{t:?}");
        assert!(
            bad.message.starts_with("数字不是日期"),
            "{t:?}: {}",
            bad.message
        );
    }
    for t in [
        "2025-13-01",
        "2025-02-30",
        "2025-03-01 25:00",
        "昨天",
        "2025-03",
        "2025",
        "3/1/2025",
    ] {
        let bad = parse(f, t).unwrap_err();
        assert_eq!(bad.expected, "datetime", "{t:?}");
    }
    assert_eq!(
        parse(f, "2025-13-01").unwrap_err().message,
        "日期时间不存在"
    );
    assert_eq!(parse(f, "昨天").unwrap_err().message, "无法识别的日期时间");
    assert_eq!(parse(f, "—"), Ok(Value::Empty));
}

#[test]
fn dates_take_the_date_of_a_datetime() {
    let f = field("staff", "birth_date");
    assert_eq!(parse(f, "1975-06-01"), Ok(date(1975, 6, 1)));
    assert_eq!(parse(f, "1975/6/1 00:00:00"), Ok(date(1975, 6, 1)));
    assert_eq!(parse(f, "1975年6月1日"), Ok(date(1975, 6, 1)));
    assert!(parse(f, "27546").is_err());
    // (As an xlsx number cell it is 1975-06-01.)
    assert_eq!(
        CellParser::new(f, None).parse_data(&calamine::Data::Float(27546.0)),
        Ok(date(1975, 6, 1))
    );
    assert_eq!(parse(f, "1975-02-29").unwrap_err().message, "日期不存在");
    assert_eq!(parse(f, "1975-02-29").unwrap_err().expected, "date");
    assert_eq!(
        parse_datetime("2024-02-29").map(|d| d.date()),
        Ok(NaiveDate::from_ymd_opt(2024, 2, 29).unwrap())
    );
}

/// A date outside 1900-2100 is a typo (`0025` for `2025`), not a date
/// before every rule's time: a data error, in text and as an Excel serial.
#[test]
fn a_date_outside_1900_to_2100_is_a_data_error() {
    let f = field("cases", "accepted_at");
    let bad = parse(f, "0025-03-03 09:00:00").unwrap_err();
    assert_eq!(bad.message, "年份超出 1900-2100, 可能是录入错误");
    assert_eq!(bad.expected, "datetime");
    assert!(parse(f, "2205/3/3").is_err());
    assert!(parse(f, "1900-01-01 00:00:00").is_ok());
    assert!(parse(f, "2100-12-31").is_ok());
    let birth = field("staff", "birth_date");
    assert!(parse(birth, "1899-12-31").is_err());
    // An Excel time without a date (0.5 is 12:00 on 1899-12-30).
    let p = CellParser::new(field("cases", "accepted_at"), None);
    assert!(p.parse_data(&calamine::Data::Float(0.5)).is_err());
    assert!(p.parse_data(&calamine::Data::Float(45_719.375)).is_ok());
}

#[test]
fn numbers_with_separators_and_units() {
    let days = field("catalogue", "legal_days");
    assert_eq!(parse(days, "20"), Ok(Value::Int(20)));
    assert_eq!(parse(days, "20个工作日"), Ok(Value::Int(20)));
    assert_eq!(parse(days, "20 天"), Ok(Value::Int(20)));
    assert_eq!(parse(days, "２０"), Ok(Value::Int(20)));
    assert_eq!(parse(days, "1,200"), Ok(Value::Int(1200)));
    assert_eq!(parse(days, "20.0"), Ok(Value::Int(20)));
    assert_eq!(parse(days, "20.5").unwrap_err().expected, "int");
    assert_eq!(parse(days, "二十").unwrap_err().expected, "int");
    let fee = field("catalogue", "fee_min");
    assert_eq!(parse(fee, "1,000元"), Ok(Value::Decimal(1000.0)));
    assert_eq!(parse(fee, "¥50.5"), Ok(Value::Decimal(50.5)));
    assert_eq!(parse(fee, "0.5万元"), Ok(Value::Decimal(5000.0)));
    assert_eq!(parse(fee, "-3"), Ok(Value::Decimal(-3.0)));
    assert!(parse(fee, "1e5").is_err());
    // Commas group thousands; anything else is no number (a decimal comma?).
    assert_eq!(parse(fee, "1,234,567.50"), Ok(Value::Decimal(1_234_567.5)));
    assert_eq!(parse(fee, "１，０００元"), Ok(Value::Decimal(1000.0)));
    assert_eq!(parse(fee, "1,00").unwrap_err().expected, "decimal");
    assert!(parse(fee, "12,3456").is_err());
    assert!(parse(fee, "1,000,00").is_err());
    assert!(parse(fee, "NaN").is_err());
    // Spaces and underscores group thousands too, one kind in a number,
    // and nothing groups after the point: the others are no numbers, not
    // the digits run together (`1 5` was 15, `1.234,50` was 1.2345).
    assert_eq!(parse(fee, "1 200"), Ok(Value::Decimal(1200.0)));
    assert_eq!(parse(fee, "1 234 567.5元"), Ok(Value::Decimal(1_234_567.5)));
    assert_eq!(parse(days, "1_000"), Ok(Value::Int(1000)));
    // A space after the sign or a run of spaces is one space, as in text
    // beyond ASCII (`1  200元`).
    assert_eq!(parse(fee, "- 500"), Ok(Value::Decimal(-500.0)));
    assert_eq!(parse(fee, "1  200"), Ok(Value::Decimal(1200.0)));
    assert_eq!(parse(fee, "1  200元"), Ok(Value::Decimal(1200.0)));
    for bad in [
        "1.234,50",
        "0.1,5",
        "1 5",
        "3 5元",
        "1_0",
        "1,234 567",
        "1.5 00",
    ] {
        assert_eq!(parse(fee, bad).unwrap_err().expected, "decimal", "{bad:?}");
    }
    for bad in ["2 0", "1 5天", "1_0"] {
        assert_eq!(parse(days, bad).unwrap_err().expected, "int", "{bad:?}");
    }
    // investment is in 万元: 元 values are scaled down.
    let inv = field("cases", "investment");
    assert_eq!(parse(inv, "500万元"), Ok(Value::Decimal(500.0)));
    assert_eq!(parse(inv, "5000元"), Ok(Value::Decimal(0.5)));
    assert_eq!(parse(inv, "1,200"), Ok(Value::Decimal(1200.0)));
}

/// A count of days or pieces is never negative (`特别程序天数 -1` would hide
/// a day of delay): a data error, in a text cell, a spreadsheet number, or
/// through the cell parsers' in-place path; an amount of money may be
/// negative (a reversal).
#[test]
fn a_negative_count_is_a_data_error() {
    let suspended = field("cases", "suspended_days");
    let windows = field("units", "windows");
    for (f, t) in [
        (suspended, "-1"),
        (suspended, "-2天"),
        (suspended, "-1.0"),
        (windows, "-3"),
    ] {
        let bad = parse(f, t).unwrap_err();
        assert_eq!(bad.expected, "int", "{t:?}");
        assert!(bad.message.contains("不能为负数"), "{t:?}: {}", bad.message);
        let p = CellParser::new(f, None);
        let mut out = Value::Empty;
        assert!(p.parse_into(t, None, &mut out).is_err(), "{t:?}");
        assert_eq!(out, Value::Invalid, "{t:?}");
    }
    let p = CellParser::new(suspended, None);
    assert!(p.parse_data(&calamine::Data::Float(-1.0)).is_err());
    assert_eq!(p.parse_data(&calamine::Data::Float(0.0)), Ok(Value::Int(0)));
    assert_eq!(parse(suspended, "0"), Ok(Value::Int(0)));
    assert_eq!(
        parse(field("fees", "amount"), "-20"),
        Ok(Value::Decimal(-20.0))
    );
}

/// A number carries a unit of its field's kind only: money in a money
/// field, a quantity (days, counts) in any other; another kind is a data
/// error naming the unit (`5万元` is no number of working days).
#[test]
fn a_unit_of_another_kind_is_no_number() {
    let days = field("catalogue", "promised_days");
    assert_eq!(parse(days, "5天"), Ok(Value::Int(5)));
    assert_eq!(parse(days, "5日"), Ok(Value::Int(5)));
    let bad = parse(days, "5万元").unwrap_err();
    assert_eq!(bad.expected, "int");
    assert_eq!(bad.message, "单位“万元”不适用于本字段(本字段以工作日计)");
    assert!(parse(days, "5元").is_err());
    let fee = field("fees", "amount");
    assert_eq!(parse(fee, "5元"), Ok(Value::Decimal(5.0)));
    assert_eq!(
        parse(fee, "5天").unwrap_err().message,
        "单位“天”不适用于本字段(本字段以元计)"
    );
    assert!(parse(fee, "2个工作日").is_err());
    // A rate is no number: no word about the unit.
    assert_eq!(
        parse(field("catalogue", "fee_min"), "10元/件")
            .unwrap_err()
            .message,
        "无法识别的数值"
    );
    let staff = field("units", "front_staff");
    assert_eq!(parse(staff, "12人"), Ok(Value::Int(12)));
    assert!(parse(staff, "12元").is_err());
    assert_eq!(
        parse(staff, "12天"),
        Ok(Value::Int(12)),
        "quantities not told apart"
    );
    assert_eq!(parse(field("units", "windows"), "3个"), Ok(Value::Int(3)));
    let suspended = field("cases", "suspended_days");
    assert_eq!(parse(suspended, "3天"), Ok(Value::Int(3)));
    assert!(parse(suspended, "3万元").is_err());
    // A currency sign is money's mark too: `￥3` is no three days.
    for t in ["￥3", "¥10", " ￥1,200.00", "¥5天"] {
        let bad = parse(suspended, t).unwrap_err();
        assert!(
            bad.message.starts_with("货币符号“")
                && bad.message.ends_with("不适用于本字段(本字段以天计)"),
            "{t:?}: {}",
            bad.message
        );
    }
    assert_eq!(
        parse(days, "￥10").unwrap_err().message,
        "货币符号“￥”不适用于本字段(本字段以工作日计)"
    );
    assert_eq!(parse(fee, "￥1,200.50"), Ok(Value::Decimal(1200.5)));
    assert_eq!(parse(fee, "¥5"), Ok(Value::Decimal(5.0)));
}

#[test]
fn defaults_fill_empty_cells() {
    let f = field("cases", "suspended_days");
    assert_eq!(parse(f, ""), Ok(Value::Int(0)));
    assert_eq!(parse(f, "  "), Ok(Value::Int(0)));
    assert_eq!(parse(f, "3"), Ok(Value::Int(3)));
}

#[test]
fn enums_by_label_code_and_variant() {
    let kind = field("catalogue", "kind");
    for (t, want) in [
        ("行政许可", "行政许可"),
        ("1", "行政许可"),
        ("01", "行政许可"),
        (" 行政许可\u{3000}", "行政许可"),
        ("行政 许可", "行政许可"),
        ("20", "公共服务"),
        ("21", "公共服务"),
        ("公共服务事项", "公共服务"),
        ("10", "其他行政权力"),
        ("０７", "行政确认"),
    ] {
        assert_eq!(parse(kind, t), Ok(Value::str(want)), "{t:?}");
    }
    let bad = parse(kind, "99").unwrap_err();
    assert_eq!(bad.expected, "enum");
    assert!(bad.message.contains("行政许可"), "{}", bad.message);
    let depth = field("catalogue", "online_depth");
    for t in ["Ⅳ", "ⅳ", "IV", "iv", "4", "全程网办"] {
        assert_eq!(parse(depth, t), Ok(Value::str("全程网办")), "{t:?}");
    }
    let handling = field("catalogue", "handling_type");
    assert_eq!(parse(handling, "1"), Ok(Value::str("即办件")));
    assert_eq!(parse(handling, "2"), Ok(Value::str("承诺件")));
    assert_eq!(parse(handling, "01"), Ok(Value::str("即办件")));
    assert_eq!(parse(handling, "02"), Ok(Value::str("承诺件")));
    assert_eq!(parse(depth, "ⅰ"), Ok(Value::str("不能网办")));
}

#[test]
fn mapping_value_aliases_extend_the_schema() {
    let f = field("catalogue", "in_center");
    let extra = [
        ("已进驻".to_string(), "是".to_string()),
        ("未进驻".to_string(), "否".to_string()),
    ]
    .into();
    let p = CellParser::new(f, Some(&extra));
    assert_eq!(p.parse("已进驻"), Ok(Value::Bool(true)));
    assert_eq!(p.parse("未进驻"), Ok(Value::Bool(false)));
    let kind = field("catalogue", "kind");
    let extra = [("21".to_string(), "行政许可".to_string())].into();
    let p = CellParser::new(kind, Some(&extra));
    assert_eq!(
        p.parse("21"),
        Ok(Value::str("行政许可")),
        "the mapping wins over the schema"
    );
}

#[test]
fn strings_are_trimmed_not_rewritten() {
    let f = field("catalogue", "name");
    assert_eq!(
        parse(f, " 企业投资项目备案（技术改造）\u{a0}"),
        Ok(Value::str("企业投资项目备案（技术改造）"))
    );
    assert_eq!(parse(f, "-1"), Ok(Value::str("-1")));
    assert_eq!(parse(f, "无"), Ok(Value::str("无")));
    assert_eq!(parse(f, "\u{3000}"), Ok(Value::Empty));
}

/// A placeholder for "nothing" (`NULL`, `\N`, `-`, `—`, `/`, …) is an empty
/// cell in a text field as in a typed one (`不进驻批准文号` `－` is no
/// approval number, as `备案日期` `－` is no date), read one cell at a time or
/// through a column's shared strings.
#[test]
fn placeholders_are_empty_in_text_fields_too() {
    use yimen::read::cell::StrCache;
    let text = field("catalogue", "exemption_ref");
    let day = field("changes", "filed_at");
    let parser = CellParser::new(text, None);
    let mut cache = StrCache::default();
    for t in [
        "NULL", "null", "\\N", "-", "--", "—", "——", "/", "／", "－", " － ",
    ] {
        assert_eq!(parse(text, t), Ok(Value::Empty), "{t:?}");
        assert_eq!(parse(day, t), Ok(Value::Empty), "{t:?}");
        assert_eq!(
            parser.parse_shared(t, &mut cache, 16),
            Value::Empty,
            "{t:?}"
        );
    }
    assert_eq!(
        parser.parse_shared("国函〔2019〕1号", &mut cache, 16),
        Value::str("国函〔2019〕1号")
    );
}

/// In a document number's or a reason's column (`none_words` in the
/// schema) a word saying there is nothing is an empty cell: `不进驻批准文号:
/// 无` is no approval (E001 fires), `不予理由: 暂无` no reason (H005).
/// Elsewhere a word is content: `申请材料: 无` (no documents needed).
#[test]
fn a_word_for_nothing_is_empty_where_it_is_no_content() {
    use yimen::read::cell::StrCache;
    for (ds, f) in [
        ("catalogue", "exemption_ref"),
        ("changes", "approval_ref"),
        ("fees", "waiver_ref"),
        ("cases", "refusal_reason"),
        ("authorizations", "doc_ref"),
    ] {
        let field = field(ds, f);
        let parser = CellParser::new(field, None);
        let mut cache = StrCache::default();
        for t in ["无", "暂无", " 没有 ", "无批文"] {
            assert_eq!(parse(field, t), Ok(Value::Empty), "{f} {t:?}");
            assert_eq!(
                parser.parse_shared(t, &mut cache, 16),
                Value::Empty,
                "{f} {t:?}"
            );
        }
        assert_eq!(parse(field, "无锡市政府函"), Ok(Value::str("无锡市政府函")));
    }
    assert_eq!(
        parse(field("catalogue", "materials"), "无"),
        Ok(Value::str("无"))
    );
}

/// A column's shared strings: every cell reads back as its own text, and
/// a text found again is one string from then on, among thousands of
/// texts of every length, and long ones alike in their first and last
/// eight bytes (those share a slot of the table of texts found again).
#[test]
fn shared_strings_read_every_text_as_itself() {
    use yimen::read::cell::StrCache;
    use yimen::text::Text;
    let parser = CellParser::new(field("cases", "dept"), None);
    let mut cache = StrCache::default();
    let mut texts: Vec<String> = (0..3000).map(|i| format!("{i}")).collect();
    texts.extend((0..3000).map(|i| format!("区{i}局")));
    // (The same length, first and last eight bytes: only the middle differs.)
    texts.extend((0..100).map(|i| format!("区自然资源{i:03}审批局")));
    let mut seen: Vec<Option<Text>> = vec![None; texts.len()];
    for round in 0..3 {
        for (i, t) in texts.iter().enumerate() {
            let Value::Str(got) = parser.parse_shared(t, &mut cache, 100_000) else {
                panic!("{t:?} read as no text");
            };
            assert_eq!(got.as_str(), t, "round {round}");
            if round == 2 {
                let before = seen[i].as_ref().expect("seen in round 1");
                assert!(Text::ptr_eq(before, &got), "{t:?} another string");
            }
            seen[i] = Some(got);
        }
    }
}

#[test]
fn spreadsheet_cells_keep_their_types() {
    use calamine::Data;
    let s = Schema::builtin();
    let p = |ds: &str, f: &str| CellParser::new(s.dataset(ds).unwrap().field(f).unwrap(), None);
    assert_eq!(
        p("units", "windows").parse_data(&Data::Float(2.0)),
        Ok(Value::Int(2))
    );
    assert_eq!(
        p("catalogue", "code").parse_data(&Data::Float(511_602_000_000.0)),
        Ok(Value::str("511602000000"))
    );
    assert_eq!(
        p("catalogue", "kind").parse_data(&Data::Float(1.0)),
        Ok(Value::str("行政许可"))
    );
    assert_eq!(
        p("staff", "start_date").parse_data(&Data::Float(45717.0)),
        Ok(date(2025, 3, 1))
    );
    assert_eq!(
        p("catalogue", "in_center").parse_data(&Data::Bool(true)),
        Ok(Value::Bool(true))
    );
    assert_eq!(
        p("catalogue", "in_center").parse_data(&Data::Int(0)),
        Ok(Value::Bool(false))
    );
    assert!(p("units", "windows")
        .parse_data(&Data::Error(calamine::CellErrorType::NA))
        .is_err());
}

/// A schema's unit is a known mark, on a number field.
#[test]
fn a_schema_unit_is_a_known_mark_of_a_number_field() {
    let schema = |field: &str| {
        format!("datasets:\n  t:\n    title: T\n    key: [a]\n    fields:\n      a: {field}\n")
    };
    for bad in ["{ type: int, unit: 公斤 }", "{ type: string, unit: 元 }"] {
        let err = Schema::from_yaml("s.yaml", &schema(bad))
            .err()
            .unwrap_or_else(|| panic!("{bad} accepted"))
            .to_string();
        assert!(
            err.contains("a number field's unit: 万元、元、个工作日"),
            "{err}"
        );
    }
    assert!(Schema::from_yaml("s.yaml", &schema("{ type: decimal, unit: 万元 }")).is_ok());
}

#[test]
fn a_time_with_its_utc_offset_is_taken_to_beijing_time() {
    let f = field("cases", "accepted_at");
    for (t, expected) in [
        ("2025-03-01T09:30:00+08:00", "2025-03-01 09:30:00"),
        ("2025-03-01 09:30:00 +0800", "2025-03-01 09:30:00"),
        ("2025-03-01T09:30+08", "2025-03-01 09:30:00"),
        ("2025-03-01T01:30:00Z", "2025-03-01 09:30:00"),
        // Late in the day in UTC is the next day in Beijing.
        ("2025-03-01T20:00:00Z", "2025-03-02 04:00:00"),
        ("2025-03-01T09:30:00-05:00", "2025-03-01 22:30:00"),
        ("2025-03-01T09:30:00.000+08:00", "2025-03-01 09:30:00"),
    ] {
        assert_eq!(parse(f, t), Ok(dt(expected)), "{t:?}");
    }
    // A span of time, an offset out of range, a date alone: no offsets.
    for t in [
        "2025-03-01 09:30-10:00",
        "2025-03-01T09:30:00+25:00",
        "2025-03-01T09:30:00+8",
    ] {
        assert!(parse(f, t).is_err(), "{t:?} read as {:?}", parse(f, t));
    }
    assert_eq!(
        parse(field("staff", "birth_date"), "1975-06-01"),
        Ok(date(1975, 6, 1))
    );
}
