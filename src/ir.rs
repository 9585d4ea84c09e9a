//! The checked program: what the checker hands to the engine.
//!
//! Names are resolved (datasets and fields are indexes into the schema,
//! parameters and `let`s are slots), types are known, and every construct
//! is one the engine can evaluate in time linear in the data.
//!
//! Invariant: an [`Program`] is only built from policies that checked
//! cleanly; the engine never meets an unknown name or an ill-typed operation.

use crate::ast::{CmpOp, IsTest, RuleKind};
use crate::check::types::Type;
use crate::value::Value;

#[derive(Clone, Debug)]
pub struct Program {
    pub policies: Vec<PolicyInfo>,
    pub params: Vec<ParamDef>,
    pub rules: Vec<RuleDef>,
    pub tests: Vec<TestDef>,
}

impl Program {
    pub fn rule(&self, code: &str) -> Option<&RuleDef> {
        self.rules.iter().find(|r| r.code == code)
    }

    pub fn param_index(&self, name: &str) -> Option<usize> {
        self.params.iter().position(|p| p.name == name)
    }
}

/// A policy file's header.
#[derive(Clone, Debug, Default)]
pub struct PolicyInfo {
    pub id: String,
    pub file: String,
    pub title: Option<String>,
    pub issuer: Option<String>,
    pub number: Option<String>,
    pub issued: Option<chrono::NaiveDate>,
    pub effective: Option<chrono::NaiveDate>,
    pub docs: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct ParamDef {
    pub name: String,
    pub ty: Type,
    /// Declared `percent` (a decimal shown as a percentage in messages).
    pub percent: bool,
    pub default: Option<Const>,
    pub docs: Vec<String>,
    pub file: String,
}

/// A constant: a cell value, a list or a map.
#[derive(Clone, Debug, PartialEq)]
pub enum Const {
    Value(Value),
    /// Shared, so that evaluating a constant never copies it.
    List(std::sync::Arc<Vec<Value>>),
    Map(std::sync::Arc<Vec<(Value, Value)>>),
}

impl std::fmt::Display for Const {
    /// The constant as a person reads it (`explain`'s parameters, the
    /// settings a run names): `45`, `[中心窗口, 综合窗口]`, `{基建: 住建局}`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let join = |parts: Vec<String>| parts.join(", ");
        match self {
            Const::Value(v) => write!(f, "{v}"),
            Const::List(l) => write!(f, "[{}]", join(l.iter().map(ToString::to_string).collect())),
            Const::Map(m) => write!(
                f,
                "{{{}}}",
                join(m.iter().map(|(k, v)| format!("{k}: {v}")).collect())
            ),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        Some(match s {
            "error" => Severity::Error,
            "warning" => Severity::Warning,
            "info" => Severity::Info,
            _ => return None,
        })
    }
}

/// A typed reference into the source registry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cite {
    pub source: String,
    /// Canonical clause id (`四、(六)`).
    pub clause: String,
}

#[derive(Clone, Debug)]
pub struct RuleDef {
    pub kind: RuleKind,
    pub code: String,
    pub name: String,
    pub title: Option<String>,
    pub docs: Vec<String>,
    pub severity: Severity,
    pub cites: Vec<Cite>,
    /// Event records dated before this are not checked: the earliest in-force
    /// date of the cited sources (or the policy's `effective` date if later).
    pub effective_from: Option<chrono::NaiveDate>,
    pub policy: String,
    pub file: String,
    /// The rule as written in its policy file (for `yimen explain`).
    pub text: String,
    /// The dataset ranged over (schema index) and its variable's name.
    pub dataset: usize,
    pub var: String,
    /// Each key once (its first row).
    pub distinct: bool,
    /// `let`s, in order; `LetRef(i)` refers to `lets[i]`.
    pub lets: Vec<LetDef>,
    /// `when`s before `group by` (or all, in a rule without groups).
    pub filters: Vec<IrExpr>,
    pub group_by: Vec<IrExpr>,
    /// `when`s after `group by`.
    pub group_filters: Vec<IrExpr>,
    pub require: Option<IrExpr>,
    pub message: Vec<TemplatePiece>,
    pub dept: Option<IrExpr>,
    pub key: Option<Vec<IrExpr>>,
    /// The dataset a finding is reported against (schema index).
    pub report_dataset: usize,
    /// Metrics.
    pub per: Option<IrExpr>,
    pub ratio: Option<IrExpr>,
    pub target: Option<(CmpOp, f64)>,
}

impl RuleDef {
    pub fn is_group(&self) -> bool {
        !self.group_by.is_empty()
    }
}

#[derive(Clone, Debug)]
pub struct LetDef {
    pub name: String,
    pub expr: IrExpr,
    /// Defined after `group by`: evaluated once per group.
    pub group_level: bool,
}

#[derive(Clone, Debug)]
pub enum TemplatePiece {
    Text(String),
    Hole(IrExpr),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Func {
    Date,
    Workdays,
    Days,
    Age,
    AddYears,
    AddMonths,
    AddDays,
    Year,
    Month,
    Len,
    Contains,
    Coalesce,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AggFunc {
    Count,
    Any,
    All,
    Sum,
    Min,
    Max,
    /// The value in the group's first record in file order (a duplicated
    /// code "counts once, as its first row").
    First,
    Ratio,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
}

#[derive(Clone, Debug, PartialEq)]
// (A tag byte of its own: matching it is one load, not a decoding of the
// niche in a vector's capacity, on every node the evaluators visit.)
#[repr(u8)]
pub enum IrExpr {
    Const(Const),
    /// The record ranged over.
    Var,
    Field {
        base: Box<IrExpr>,
        dataset: usize,
        field: usize,
    },
    LetRef(usize),
    Param(usize),
    AsOf,
    Lookup {
        dataset: usize,
        keys: Vec<IrExpr>,
        valid_on: Option<Box<IrExpr>>,
    },
    MapGet {
        map: Box<IrExpr>,
        key: Box<IrExpr>,
    },
    Call {
        func: Func,
        args: Vec<IrExpr>,
    },
    Agg {
        func: AggFunc,
        arg: Option<Box<IrExpr>>,
    },
    /// The i-th `group by` value of the current group.
    GroupKey(usize),
    /// The verdict of another rule on the current record.
    Fires(usize),
    Not(Box<IrExpr>),
    Neg(Box<IrExpr>),
    And(Box<IrExpr>, Box<IrExpr>),
    Or(Box<IrExpr>, Box<IrExpr>),
    Arith(ArithOp, Box<IrExpr>, Box<IrExpr>),
    Cmp(CmpOp, Box<IrExpr>, Box<IrExpr>),
    In {
        negated: bool,
        item: Box<IrExpr>,
        set: Box<IrExpr>,
    },
    Is {
        negated: bool,
        test: IsTest,
        expr: Box<IrExpr>,
    },
    If(Box<IrExpr>, Box<IrExpr>, Box<IrExpr>),
    List(Vec<IrExpr>),
}

#[derive(Clone, Debug)]
pub struct TestDef {
    pub name: String,
    pub file: String,
    pub as_of: Option<chrono::NaiveDate>,
    pub params: Vec<(usize, Const)>,
    /// Fixture records: dataset index and the values in schema field order.
    pub fixtures: Vec<(usize, Vec<Value>)>,
    pub expects: Vec<Expectation>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Expectation {
    Finding {
        code: String,
        key: Vec<String>,
    },
    Undetermined {
        code: String,
        key: Vec<String>,
    },
    NoFinding {
        code: String,
    },
    NoUndetermined {
        code: String,
    },
    /// A metric's value, the centre's (`dept` `None`) or a department's,
    /// and how many of its records are undetermined.
    Metric {
        code: String,
        dept: Option<String>,
        rate: ExpectedRate,
        undetermined: u64,
    },
}

/// An expected metric value.
#[derive(Clone, Debug, PartialEq)]
pub enum ExpectedRate {
    /// Records in the numerator and the denominator (`0 / 0`: n/a).
    Counts { numerator: u64, denominator: u64 },
    /// A percentage as written, `scaled` = the percentage times
    /// 10^`decimals` (66.7% is 667 with 1 decimal), matched to as many
    /// decimals (see `testing::percent_matches`).
    Percent { scaled: u64, decimals: u32 },
}

impl IrExpr {
    /// The direct sub-expressions, for walks over the tree.
    pub fn children(&self) -> Vec<&IrExpr> {
        match self {
            IrExpr::Field { base, .. } => vec![base],
            IrExpr::Lookup { keys, valid_on, .. } => {
                keys.iter().chain(valid_on.as_deref()).collect()
            }
            IrExpr::MapGet { map, key } => vec![map, key],
            IrExpr::Call { args, .. } | IrExpr::List(args) => args.iter().collect(),
            IrExpr::Agg { arg: Some(a), .. }
            | IrExpr::Not(a)
            | IrExpr::Neg(a)
            | IrExpr::Is { expr: a, .. } => vec![a],
            IrExpr::And(a, b)
            | IrExpr::Or(a, b)
            | IrExpr::Arith(_, a, b)
            | IrExpr::Cmp(_, a, b) => vec![a, b],
            IrExpr::In { item, set, .. } => vec![item, set],
            IrExpr::If(a, b, c) => vec![a, b, c],
            IrExpr::Const(_)
            | IrExpr::Var
            | IrExpr::LetRef(_)
            | IrExpr::Param(_)
            | IrExpr::AsOf
            | IrExpr::Agg { arg: None, .. }
            | IrExpr::GroupKey(_)
            | IrExpr::Fires(_) => Vec::new(),
        }
    }

    /// Does any node of the tree satisfy `f`?
    pub fn any(&self, f: &mut impl FnMut(&IrExpr) -> bool) -> bool {
        let mut stack = vec![self];
        while let Some(e) = stack.pop() {
            if f(e) {
                return true;
            }
            stack.extend(e.children());
        }
        false
    }
}

impl RuleDef {
    /// Every expression of the rule: lets, filters, keys, require, message …
    pub fn exprs(&self) -> impl Iterator<Item = &IrExpr> {
        self.judged_exprs()
            .chain(self.message.iter().filter_map(|p| match p {
                TemplatePiece::Hole(e) => Some(e),
                TemplatePiece::Text(_) => None,
            }))
    }

    /// Every expression that decides or places the rule's verdicts: all
    /// but its message's holes.
    pub fn judged_exprs(&self) -> impl Iterator<Item = &IrExpr> {
        self.lets
            .iter()
            .map(|l| &l.expr)
            .chain(&self.filters)
            .chain(&self.group_by)
            .chain(&self.group_filters)
            .chain(&self.require)
            .chain(&self.dept)
            .chain(self.key.iter().flatten())
            .chain(&self.per)
            .chain(&self.ratio)
    }
}
