//! The texts a dirty export's verdicts and data errors repeat are one
//! string each, not a copy per verdict: a column unreadable throughout
//! gives a data error and an undetermined verdict or more for every row
//! (a million rows held about 1 GB, a third of it in those copies).

mod common;

use yimen::audit::{audit_dir, Hooks};
use yimen::calendar::Calendar;
use yimen::engine::RunOptions;
use yimen::read::ReadOptions;
use yimen::schema::Schema;
use yimen::sources::SourceRegistry;
use yimen::text::Text;

/// A case log whose 受理时间 is unreadable in each of its three rows.
fn export() -> tempfile::TempDir {
    export_of(
        "C1,A1,民政局,中心窗口,待补录,2025-03-01 10:00:00\n\
         C2,A1,民政局,中心窗口,待补录,2025-03-02 10:00:00\n\
         C3,A1,民政局,中心窗口,待补录,2025-03-03 10:00:00\n",
    )
}

/// The one-item catalogue and a case log of `cases`.
fn export_of(cases: &str) -> tempfile::TempDir {
    common::folder(&[
        (
            "事项目录.csv",
            "事项编码,事项名称,是否进驻中心,法定办结时限,承诺办结时限\nA1,事项一,是,20,10\n",
        ),
        (
            "办件记录.csv",
            &format!("办件编号,事项编码,受理部门,受理渠道,受理时间,办结时间\n{cases}"),
        ),
    ])
}

fn audit(dir: &std::path::Path) -> yimen::engine::Audit {
    let schema = Schema::builtin();
    let sources = SourceRegistry::builtin();
    let (_, program) =
        yimen::policy::load_sources(yimen::builtin::sources(), schema, Some(sources))
            .expect("the shipped policies");
    let run_opts = RunOptions {
        as_of: chrono::NaiveDate::from_ymd_opt(2025, 12, 31).expect("a date"),
        params: yimen::params::resolve(&program, None, &[]).expect("parameters"),
        calendar: Calendar::official(),
        sources,
        period: None,
    };
    let read = ReadOptions {
        mapping: None,
        strict: false,
    };
    audit_dir(dir, &program, schema, &read, &run_opts, &Hooks::default()).expect("an audit")
}

/// Every text of `texts` is the first one's string (the same address).
fn one_string<'a>(what: &str, texts: impl IntoIterator<Item = &'a Text>) {
    let texts: Vec<&Text> = texts.into_iter().collect();
    assert!(texts.len() >= 2, "{what}: {} texts", texts.len());
    for t in &texts[1..] {
        assert!(Text::ptr_eq(texts[0], t), "{what}: {t} is a copy");
    }
}

#[test]
fn the_data_errors_of_a_column_share_their_texts() {
    let tmp = export();
    let a = audit(tmp.path());
    let errors: Vec<_> = a
        .data_errors
        .iter()
        .filter(|e| e.column.as_deref() == Some("受理时间"))
        .collect();
    assert_eq!(errors.len(), 3, "{:?}", a.data_errors);
    one_string("file", errors.iter().map(|e| &e.file));
    one_string("column", errors.iter().filter_map(|e| e.column.as_ref()));
    one_string(
        "expected",
        errors.iter().filter_map(|e| e.expected.as_ref()),
    );
    one_string("message", errors.iter().map(|e| &e.message));
    assert_eq!(errors[0].file, "办件记录.csv");
    assert_eq!(errors[0].value.as_deref(), Some("待补录"));
}

/// An enum column's unreadable cells: its message (naming the labels) and
/// its expected type are made once for the column, not for each cell.
#[test]
fn an_enum_column_s_data_errors_share_their_message() {
    let tmp = export_of(
        "C1,A1,民政局,网上大厅,2025-03-01 09:00:00,2025-03-01 10:00:00\n\
         C2,A1,民政局,邮寄,2025-03-02 09:00:00,2025-03-02 10:00:00\n",
    );
    let a = audit(tmp.path());
    let errors: Vec<_> = a
        .data_errors
        .iter()
        .filter(|e| e.column.as_deref() == Some("受理渠道"))
        .collect();
    assert_eq!(errors.len(), 2, "{:?}", a.data_errors);
    one_string("message", errors.iter().map(|e| &e.message));
    one_string(
        "expected",
        errors.iter().filter_map(|e| e.expected.as_ref()),
    );
    assert!(errors[0].message.starts_with("不是受理渠道的可识别取值"));
    assert!(errors[0].message.is_static());
    assert_eq!(errors[0].expected.as_deref(), Some("enum"));
}

#[test]
fn the_undetermined_verdicts_of_a_rule_share_their_texts() {
    let tmp = export();
    let a = audit(tmp.path());
    let h003: Vec<_> = a.undetermined.iter().filter(|u| u.code == "H003").collect();
    assert_eq!(
        h003.iter().map(|u| u.key[0].as_str()).collect::<Vec<_>>(),
        ["C1", "C2", "C3"]
    );
    one_string("code", h003.iter().map(|u| &u.code));
    one_string("dataset", h003.iter().map(|u| &u.dataset));
    one_string("missing", h003.iter().map(|u| &u.missing[0]));
    one_string("evidence file", h003.iter().map(|u| &u.evidence[0].file));
    assert_eq!(h003[0].missing, ["accepted_at"]);
    // Made once for the run and copied by every worker: interned (a copy
    // is a pointer's, with no reference count that two cores update).
    assert!(h003[0].code.is_static() && h003[0].dataset.is_static());
    assert!(h003[0].evidence[0].file.is_static());
    // Every rule's verdicts on the case log name it with the same string.
    let case_log: Vec<&Text> = a
        .undetermined
        .iter()
        .map(|u| &u.evidence[0].file)
        .filter(|f| *f == "办件记录.csv")
        .collect();
    assert!(case_log.len() > h003.len());
    one_string("evidence file of every rule", case_log);
}
