//! Parameter values for a run: the policies' defaults, overridden by a
//! region's YAML file (`--params FILE`) and then by `--param name=value`.
//!
//! YAML: a map of parameter names to values, optionally under `params:`:
//! ```yaml
//! params:
//!   age_limit: 50
//!   centre_channels: [中心窗口, 综合窗口, 自助终端]
//!   lead_for: { 基建: 发改局 }
//! ```

use std::path::Path;

use crate::check::types::Type;
use crate::diagnostics::did_you_mean;
use crate::ir::{Const, IrExpr, Program};
use crate::schema::{FieldType, Schema};
use crate::value::Value;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ParamError {
    #[error("未知参数 `{name}`{}", suggestion.as_ref().map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default())]
    Unknown {
        name: String,
        suggestion: Option<String>,
    },
    #[error("参数 `{name}` 应为 {expected}, 而不是 {value:?}")]
    BadValue {
        name: String,
        expected: String,
        value: String,
    },
    #[error("`--param` 应写作 name=value, 而不是 {0:?}")]
    BadSyntax(String),
    #[error("参数文件 {file}: {message}")]
    File { file: String, message: String },
    #[error("参数 `{0}` 没有默认值, 须用 --param 或参数文件给出")]
    NoValue(String),
    #[error(
        "参数 `{name}` 是百分比, {value} 不是比例: 写 {value}% (即 {meant}) 或 0 到 1 之间的小数"
    )]
    PercentOverOne {
        name: String,
        value: String,
        meant: String,
    },
    #[error("参数 `{name}` 是百分比, 不能为负数: {value}")]
    NegativePercent { name: String, value: String },
    #[error("参数 `{0}` 用 --param 给出了两次: 只能给一次")]
    GivenTwice(String),
    #[error("参数 `{name}` 的值 {value:?} 不是 {field} 的取值, 与它比较永远不会成立 (应为 {labels} 之一){}", suggestion.as_ref().map(|s| format!("; 是否想写 {s}?")).unwrap_or_default())]
    NotALabel {
        name: String,
        value: String,
        field: String,
        labels: String,
        suggestion: Option<String>,
    },
}

fn type_name(t: &Type) -> String {
    match t {
        Type::Bool => "bool".into(),
        Type::Int => "int".into(),
        Type::Decimal => "decimal".into(),
        Type::Str | Type::Enum(..) => "string".into(),
        Type::Date => "date".into(),
        Type::DateTime => "datetime".into(),
        Type::List(t) => format!("list<{}>", type_name(t)),
        Type::Map(k, v) => format!("map<{}, {}>", type_name(k), type_name(v)),
        Type::Record(_) | Type::Null | Type::Error => "value".into(),
    }
}

/// A scalar of the wanted type from text (a YAML scalar or a `--param` value).
fn scalar_from_text(raw: &str, ty: &Type) -> Option<Value> {
    // One pair of quotes around the value is YAML's, not the value's.
    let s = raw.trim();
    let s = ['"', '\'']
        .iter()
        .find_map(|&q| s.strip_prefix(q).and_then(|t| t.strip_suffix(q)))
        .unwrap_or(s);
    Some(match ty {
        Type::Bool => match s {
            "true" | "True" | "TRUE" | "是" | "1" => Value::Bool(true),
            "false" | "False" | "FALSE" | "否" | "0" => Value::Bool(false),
            _ => return None,
        },
        Type::Int => Value::Int(s.parse().ok()?),
        Type::Decimal => match s.strip_suffix('%') {
            Some(p) => Value::Decimal(plain_decimal(p.trim())? / 100.0),
            None => Value::Decimal(plain_decimal(s)?),
        },
        Type::Str | Type::Enum(..) => Value::str(s),
        Type::Date => Value::Date(chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?),
        Type::DateTime => Value::DateTime(
            chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S")
                .or_else(|_| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S"))
                .ok()?,
        ),
        _ => return None,
    })
}

/// A decimal written as digits with an optional sign and point (`1000`,
/// `-0.5`, `.5`): not `NaN`, `inf` or an exponent (`1e400` is infinite,
/// `1e-400` zero), which `f64`'s parser takes and no rule could use.
pub(crate) fn plain_decimal(s: &str) -> Option<f64> {
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    let digits = body.bytes().filter(u8::is_ascii_digit).count();
    let points = body.bytes().filter(|&b| b == b'.').count();
    if digits == 0 || points > 1 || digits + points != body.len() {
        return None;
    }
    s.parse::<f64>().ok().filter(|x| x.is_finite())
}

fn yaml_scalar_text(v: &serde_yaml::Value) -> Option<String> {
    match v {
        serde_yaml::Value::String(s) => Some(s.clone()),
        serde_yaml::Value::Number(n) => Some(n.to_string()),
        serde_yaml::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn const_from_yaml(v: &serde_yaml::Value, ty: &Type) -> Option<Const> {
    match ty {
        Type::List(t) => {
            let seq = v.as_sequence()?;
            let items: Option<Vec<Value>> = seq
                .iter()
                .map(|x| scalar_from_text(&yaml_scalar_text(x)?, t))
                .collect();
            Some(Const::List(std::sync::Arc::new(items?)))
        }
        Type::Map(k, t) => {
            let map = v.as_mapping()?;
            let mut out = Vec::new();
            for (a, b) in map {
                out.push((
                    scalar_from_text(&yaml_scalar_text(a)?, k)?,
                    scalar_from_text(&yaml_scalar_text(b)?, t)?,
                ));
            }
            Some(Const::Map(std::sync::Arc::new(out)))
        }
        _ => scalar_from_text(&yaml_scalar_text(v)?, ty).map(Const::Value),
    }
}

/// A `--param` value: a literal of the language (`50`, `90%`, `["a", "b"]`,
/// `{"基建": "发改局"}`), or bare text for a string parameter.
fn const_from_cli(raw: &str, ty: &Type) -> Option<Const> {
    if !matches!(ty, Type::List(_) | Type::Map(..)) {
        // A scalar as written: YAML would take `0x10` for 16 and `1e-400`
        // for 0.
        return scalar_from_text(raw, ty).map(Const::Value);
    }
    if let Ok(v) = serde_yaml::from_str::<serde_yaml::Value>(&crate::read::bounded_yaml(raw)) {
        if let Some(c) = const_from_yaml(&v, ty) {
            return Some(c);
        }
    }
    scalar_from_text(raw, ty).map(Const::Value)
}

/// A `percent` parameter's value, as given in `raw`: a ratio (`0.3`) or a
/// percentage (`30%`); a bare number above 1 (`30`, meant as 30%, read
/// 3000%) and a negative one are errors.
fn check_percent(program: &Program, i: usize, raw: &str, value: &Const) -> Result<(), ParamError> {
    let p = &program.params[i];
    let Const::Value(Value::Decimal(x)) = value else {
        return Ok(());
    };
    if !p.percent {
        return Ok(());
    }
    let raw = raw.trim();
    match percent_misfit(*x, raw.ends_with('%')) {
        Some(PercentMisfit::Negative) => Err(ParamError::NegativePercent {
            name: p.name.clone(),
            value: raw.to_string(),
        }),
        Some(PercentMisfit::OverOne) => Err(ParamError::PercentOverOne {
            name: p.name.clone(),
            value: raw.to_string(),
            meant: format!("{}", x / 100.0),
        }),
        None => Ok(()),
    }
}

/// Why a `percent` value is refused, wherever it is given (`--param`, a
/// parameters file, the policy's default, a test).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PercentMisfit {
    /// Below zero.
    Negative,
    /// Above 1 written without `%` (`30`, meant as 30%, would be 3000%).
    OverOne,
}

/// The misfit of percent value `x`, `with_sign` when written with `%`.
pub(crate) fn percent_misfit(x: f64, with_sign: bool) -> Option<PercentMisfit> {
    if x < 0.0 {
        Some(PercentMisfit::Negative)
    } else if x > 1.0 && !with_sign {
        Some(PercentMisfit::OverOne)
    } else {
        None
    }
}

fn find(program: &Program, name: &str) -> Result<usize, ParamError> {
    program
        .param_index(name)
        .ok_or_else(|| ParamError::Unknown {
            name: name.to_string(),
            suggestion: did_you_mean(name, program.params.iter().map(|p| p.name.as_str())),
        })
}

/// The values of every parameter of `program`.
/// Where a parameter meets an enum field: its values must be the field's
/// labels, or the comparison can never hold (`case.channel in
/// centre_channels` with `窗口X`).
#[derive(Clone, Copy)]
enum EnumUse {
    /// `field in param`, `field == param`: the value or each element.
    Values(usize, usize),
    /// `param[field]`: the map's keys.
    Keys(usize, usize),
}

/// Each parameter's uses against enum fields, over every rule.
fn enum_uses(program: &Program, schema: &Schema) -> Vec<(usize, EnumUse)> {
    let enum_field = |e: &IrExpr| match e {
        IrExpr::Field { dataset, field, .. } => schema
            .datasets
            .get(*dataset)
            .and_then(|d| d.fields.get(*field))
            .filter(|f| f.ty == FieldType::Enum)
            .map(|_| (*dataset, *field)),
        _ => None,
    };
    let mut uses = Vec::new();
    for rule in &program.rules {
        for root in rule.exprs() {
            root.any(&mut |e| {
                let (param, other, keys) = match e {
                    IrExpr::In { item, set, .. } => match &**set {
                        IrExpr::Param(i) => (Some(*i), &**item, false),
                        _ => (None, e, false),
                    },
                    IrExpr::Cmp(crate::ast::CmpOp::Eq | crate::ast::CmpOp::Ne, a, b) => {
                        match (&**a, &**b) {
                            (IrExpr::Param(i), x) | (x, IrExpr::Param(i)) => (Some(*i), x, false),
                            _ => (None, e, false),
                        }
                    }
                    IrExpr::MapGet { map, key } => match &**map {
                        IrExpr::Param(i) => (Some(*i), &**key, true),
                        _ => (None, e, false),
                    },
                    _ => (None, e, false),
                };
                if let (Some(i), Some((d, f))) = (param, enum_field(other)) {
                    uses.push((
                        i,
                        if keys {
                            EnumUse::Keys(d, f)
                        } else {
                            EnumUse::Values(d, f)
                        },
                    ));
                }
                false
            });
        }
    }
    uses
}

/// The values given for the parameters in `given` (by index) that an enum
/// field they are compared with can never hold: an error naming the value,
/// the field's labels and the closest one.
pub fn check_enum_values(
    program: &Program,
    schema: &Schema,
    values: &[Option<Const>],
    given: &[bool],
) -> Result<(), ParamError> {
    let uses = enum_uses(program, schema);
    for (i, value) in values.iter().enumerate() {
        if given.get(i).copied().unwrap_or(false) {
            if let Some(e) = not_a_label(program, schema, &uses, i, value.as_ref()) {
                return Err(e);
            }
        }
    }
    Ok(())
}

/// The first value of parameter `i` that an enum field it is compared with
/// (`uses`, from [`enum_uses`]) can never hold.
fn not_a_label(
    program: &Program,
    schema: &Schema,
    uses: &[(usize, EnumUse)],
    i: usize,
    value: Option<&Const>,
) -> Option<ParamError> {
    for (_, u) in uses.iter().filter(|(p, _)| *p == i) {
        let (d, f, keys) = match *u {
            EnumUse::Values(d, f) => (d, f, false),
            EnumUse::Keys(d, f) => (d, f, true),
        };
        let field = &schema.datasets[d].fields[f];
        let texts: Vec<String> = match (value, keys) {
            (Some(Const::Value(Value::Str(s))), false) => vec![s.to_string()],
            (Some(Const::List(l)), false) => l.iter().map(ToString::to_string).collect(),
            (Some(Const::Map(m)), true) => m.iter().map(|(k, _)| k.to_string()).collect(),
            _ => Vec::new(),
        };
        if let Some(t) = texts.into_iter().find(|t| !field.values.contains(t)) {
            return Some(ParamError::NotALabel {
                name: program.params[i].name.clone(),
                field: format!("{}.{}", schema.datasets[d].name, field.name),
                labels: field.values.join("、"),
                suggestion: did_you_mean(&t, field.values.iter().map(String::as_str)),
                value: t,
            });
        }
    }
    None
}

/// The 1-based line of the first `name:` key in a YAML text.
/// The text of a parameters file with each repeat of a name (one the YAML
/// reader refuses, at its line) blanked to a comment, and an error for
/// each, in the words [`crate::read::yaml_message`] gives the first.
fn without_repeated_names(text: &str) -> (String, Vec<String>) {
    let mut text = text.to_string();
    let mut problems = Vec::new();
    // (At most as many repeats as lines; each pass blanks one.)
    for _ in 0..text.lines().count() {
        let Err(e) = crate::read::yaml_keys_once(&text) else {
            break;
        };
        let Some(line) = e.location().map(|l| l.line()) else {
            break;
        };
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        match lines.get_mut(line.wrapping_sub(1)) {
            Some(l) if !l.trim_start().starts_with('#') => *l = format!("# {l}"),
            _ => break,
        }
        problems.push(crate::read::yaml_message(&e));
        text = lines.join("\n");
    }
    (text, problems)
}

fn line_of_key(text: &str, name: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            let t = l.trim_start().trim_start_matches("- ");
            t.strip_prefix(name)
                .or_else(|| t.strip_prefix(&format!("\"{name}\"")))
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
        .map(|i| i + 1)
}

pub fn resolve(
    program: &Program,
    file: Option<&Path>,
    cli: &[String],
) -> Result<Vec<Option<Const>>, ParamError> {
    let mut values: Vec<Option<Const>> = program.params.iter().map(|p| p.default.clone()).collect();
    let mut given = vec![false; values.len()];
    let mut on_cli = vec![false; values.len()];
    if let Some(path) = file {
        let fname = path.display().to_string();
        let text = crate::read::small_config_file(path).map_err(|e| ParamError::File {
            file: fname.clone(),
            message: e.to_string(),
        })?;
        // A name written twice is an error at its line, and the file's
        // other errors are reported with it: each repeat's line is set
        // aside and the rest read (a repeat whose value runs on over more
        // lines leaves the rest unreadable: then the repeat alone).
        let (text, mut problems) = without_repeated_names(&text);
        let doc: serde_yaml::Value =
            crate::read::yaml_from_str(&text).map_err(|e| ParamError::File {
                file: fname.clone(),
                message: problems
                    .first()
                    .cloned()
                    .unwrap_or_else(|| crate::read::yaml_message(&e)),
            })?;
        let body = doc.get("params").unwrap_or(&doc);
        // An empty file (or one of comments only) sets nothing: a regional
        // settings file starts as a template.
        let map = match body {
            serde_yaml::Value::Null => serde_yaml::Mapping::new(),
            other => other
                .as_mapping()
                .cloned()
                .ok_or_else(|| ParamError::File {
                    file: fname.clone(),
                    message: "应为参数名到值的映射 (a map of parameter names to values)".into(),
                })?,
        };
        // Every entry is checked: the errors of a file are reported
        // together, one line each, not one per run.
        let uses = enum_uses(program, Schema::builtin());
        for (k, v) in &map {
            let name = yaml_scalar_text(k).unwrap_or_default();
            // Errors in the file name the line of the name.
            let at_line = |e: ParamError| match line_of_key(&text, &name) {
                Some(line) => format!("第 {line} 行: {e}"),
                None => e.to_string(),
            };
            let i = match find(program, &name) {
                Ok(i) => i,
                Err(e) => {
                    problems.push(at_line(e));
                    continue;
                }
            };
            given[i] = true;
            let ty = &program.params[i].ty;
            let shown = serde_yaml::to_string(v)
                .unwrap_or_default()
                .trim()
                .to_string();
            let checked = const_from_yaml(v, ty)
                .ok_or_else(|| ParamError::BadValue {
                    name: name.clone(),
                    expected: type_name(ty),
                    value: shown.clone(),
                })
                .and_then(|value| check_percent(program, i, &shown, &value).map(|()| value));
            // (A value an enum field never holds is the file's error too,
            // at its line.)
            let checked = checked.and_then(|value| {
                match not_a_label(program, Schema::builtin(), &uses, i, Some(&value)) {
                    Some(e) => Err(e),
                    None => Ok(value),
                }
            });
            match checked {
                Ok(value) => values[i] = Some(value),
                Err(e) => problems.push(at_line(e)),
            }
        }
        if !problems.is_empty() {
            // One error a line, each written as the command writes an
            // error (`错误: ` before the first).
            return Err(ParamError::File {
                message: problems.join(&format!("\n错误: 参数文件 {fname}: ")),
                file: fname,
            });
        }
    }
    for arg in cli {
        let (name, raw) = arg
            .split_once('=')
            .ok_or_else(|| ParamError::BadSyntax(arg.clone()))?;
        let name = name.trim();
        if name.is_empty() {
            return Err(ParamError::BadSyntax(arg.clone()));
        }
        let i = find(program, name)?;
        // (The file's value is overridden; a second `--param` of the same
        // name is a mistake, not an override: which one was meant?)
        if on_cli[i] {
            return Err(ParamError::GivenTwice(name.to_string()));
        }
        on_cli[i] = true;
        given[i] = true;
        let ty = &program.params[i].ty;
        let value = const_from_cli(raw, ty).ok_or_else(|| ParamError::BadValue {
            name: name.to_string(),
            expected: type_name(ty),
            value: raw.to_string(),
        })?;
        check_percent(program, i, raw, &value)?;
        values[i] = Some(value);
    }
    for (i, v) in values.iter().enumerate() {
        if v.is_none() {
            return Err(ParamError::NoValue(program.params[i].name.clone()));
        }
    }
    check_enum_values(program, Schema::builtin(), &values, &given)?;
    Ok(values)
}
