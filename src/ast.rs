//! The abstract syntax tree of a policy file.
//!
//! Every node carries the [`Span`] of the text it came from, so that every
//! later diagnostic points at the policy. The tree is what `syntax` produces
//! and what `check` and `fmt` consume; nothing outside `syntax` sees pest.
//!
//! Invariant: two trees that differ only in their spans compare equal
//! ([`Span`]'s `PartialEq` is always true). The formatter relies on this to
//! prove that reformatting did not change the meaning of a file.

use std::fmt;

/// A byte range in the policy text.
#[derive(Clone, Copy, Default, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// The smallest span covering both.
    #[must_use]
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    pub fn len(self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }
}

/// Spans never take part in equality: see the module invariant.
impl PartialEq for Span {
    fn eq(&self, _: &Span) -> bool {
        true
    }
}

impl fmt::Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(s: Span) -> Self {
        (s.start, s.len()).into()
    }
}

/// A name as written, with its place.
#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// A parsed policy file.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyFile {
    pub items: Vec<Item>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    Policy(PolicyHeader),
    Param(ParamDecl),
    Rule(RuleDecl),
    Test(TestDecl),
}

/// `policy id { title "…" issuer "…" number "…" issued 2017-12-15 effective … }`.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyHeader {
    pub docs: Vec<String>,
    pub id: Ident,
    pub fields: Vec<HeaderField>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct HeaderField {
    pub name: Ident,
    pub value: Expr,
    pub span: Span,
}

/// `param name: type = default`.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamDecl {
    pub docs: Vec<String>,
    pub name: Ident,
    pub ty: TypeExpr,
    pub default: Option<Expr>,
    pub span: Span,
}

/// A type as written: `int`, `list<string>`, `map<string, string>`.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeExpr {
    pub name: Ident,
    pub args: Vec<TypeExpr>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleKind {
    Rule,
    Metric,
}

/// A rule or a metric: a code, a kebab-case name and clauses.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleDecl {
    pub kind: RuleKind,
    pub docs: Vec<String>,
    pub code: Ident,
    pub name: Ident,
    pub clauses: Vec<Clause>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Clause {
    pub kind: ClauseKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ClauseKind {
    Title(StrLit),
    Severity(Ident),
    Cite(Vec<Citation>),
    For {
        var: Ident,
        distinct: bool,
        dataset: Ident,
    },
    Let {
        name: Ident,
        value: Expr,
    },
    When(Expr),
    GroupBy(Vec<Expr>),
    Require(Expr),
    Message(Template),
    Dept(Expr),
    Key(Vec<Expr>),
    Dataset(Ident),
    Per(Expr),
    Ratio(Expr),
    Target {
        op: CmpOp,
        value: Expr,
    },
}

impl ClauseKind {
    /// The keyword that starts the clause, for messages.
    pub fn keyword(&self) -> &'static str {
        match self {
            ClauseKind::Title(_) => "title",
            ClauseKind::Severity(_) => "severity",
            ClauseKind::Cite(_) => "cite",
            ClauseKind::For { .. } => "for",
            ClauseKind::Let { .. } => "let",
            ClauseKind::When(_) => "when",
            ClauseKind::GroupBy(_) => "group by",
            ClauseKind::Require(_) => "require",
            ClauseKind::Message(_) => "message",
            ClauseKind::Dept(_) => "dept",
            ClauseKind::Key(_) => "key",
            ClauseKind::Dataset(_) => "dataset",
            ClauseKind::Per(_) => "per",
            ClauseKind::Ratio(_) => "ratio",
            ClauseKind::Target { .. } => "target",
        }
    }
}

/// `gangnan-2017 "四、(六)"`.
#[derive(Clone, Debug, PartialEq)]
pub struct Citation {
    pub source: Ident,
    pub clause: StrLit,
    pub span: Span,
}

/// A string literal, unescaped.
#[derive(Clone, Debug, PartialEq)]
pub struct StrLit {
    pub value: String,
    pub span: Span,
}

/// A message template: text and `{expr}` holes.
#[derive(Clone, Debug, PartialEq)]
pub struct Template {
    pub parts: Vec<TemplatePart>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TemplatePart {
    Text(String),
    Hole(Expr),
}

/// `test "…" { as_of …  param … = …  dataset { … }  expect … }`.
#[derive(Clone, Debug, PartialEq)]
pub struct TestDecl {
    pub docs: Vec<String>,
    pub name: StrLit,
    pub stmts: Vec<TestStmt>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TestStmt {
    pub kind: TestStmtKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TestStmtKind {
    AsOf(Expr),
    Param {
        name: Ident,
        value: Expr,
    },
    Fixture {
        dataset: Ident,
        fields: Vec<(Ident, Expr)>,
    },
    /// `expect [undetermined] CODE on ["k1", …]`.
    Expect {
        undetermined: bool,
        code: Ident,
        key: Vec<StrLit>,
    },
    /// `expect no [undetermined] CODE`.
    ExpectNone {
        undetermined: bool,
        code: Ident,
    },
    /// `expect CODE [for "dept"] = N / D | P% [undetermined U]`: a metric's
    /// value.
    ExpectMetric {
        code: Ident,
        dept: Option<StrLit>,
        value: ExpectedRate,
        /// `undetermined U`.
        undetermined: Option<u64>,
        /// The span of the value.
        value_span: Span,
    },
}

/// An expected metric value as written.
#[derive(Clone, Debug, PartialEq)]
pub enum ExpectedRate {
    /// `N / D`: the records counted in the numerator and the denominator.
    Counts { numerator: u64, denominator: u64 },
    /// `P%`: the percentage as written (digits and point, without `%`),
    /// matched to as many decimals as it has.
    Percent(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Lit(Literal),
    /// A variable, parameter, dataset or `let` name.
    Name(Ident),
    /// The audit date.
    AsOf,
    Field(Box<Expr>, Ident),
    /// `base[k1, k2] valid_on date`: a lookup in a dataset or a map parameter.
    Index {
        base: Box<Expr>,
        keys: Vec<Expr>,
        valid_on: Option<Box<Expr>>,
    },
    Call {
        func: Ident,
        args: Vec<Expr>,
    },
    /// A rule code as a call argument: `fires(H003)`.
    Code(Ident),
    Not(Box<Expr>),
    Neg(Box<Expr>),
    Binary {
        op: BinOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    Cmp {
        op: CmpOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    In {
        negated: bool,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    Is {
        negated: bool,
        test: IsTest,
        expr: Box<Expr>,
    },
    If {
        cond: Box<Expr>,
        then: Box<Expr>,
        els: Box<Expr>,
    },
    List(Vec<Expr>),
    Map(Vec<(Expr, Expr)>),
    Paren(Box<Expr>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    And,
    Or,
    Add,
    Sub,
    Mul,
    Div,
}

impl BinOp {
    pub fn as_str(self) -> &'static str {
        match self {
            BinOp::And => "and",
            BinOp::Or => "or",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IsTest {
    None,
    Empty,
}

/// A literal. Dates are checked to exist when the tree is built.
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    Str(String),
    Int(i64),
    /// A decimal as written (`12.50`), kept as text so that formatting is exact.
    Decimal(String),
    /// A percentage as written without the `%` (`90`, `12.5`).
    Percent(String),
    Bool(bool),
    Date(chrono::NaiveDate),
    DateTime(chrono::NaiveDateTime),
    None,
    /// A literal whose text is no value (a date that does not exist, a
    /// number past 64 bits), kept as written; its error is reported by the
    /// converter, and the checker types it as an error so that the rest of
    /// the file is still checked without a cascade.
    Invalid(String),
}
