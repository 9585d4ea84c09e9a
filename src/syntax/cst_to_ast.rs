//! The concrete syntax tree (pest pairs) → the AST.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use pest::iterators::{Pair, Pairs};

use super::Rule;
use crate::ast::{
    BinOp, Citation, Clause, ClauseKind, CmpOp, ExpectedRate, Expr, ExprKind, HeaderField, Ident,
    IsTest, Item, Literal, ParamDecl, PolicyFile, PolicyHeader, RuleDecl, RuleKind, Span, StrLit,
    Template, TemplatePart, TestDecl, TestStmt, TestStmtKind, TypeExpr,
};
use crate::diagnostics::{ErrorCode, PolicyError};

type Result<T> = std::result::Result<T, PolicyError>;

/// The span of a pair, without the white space and comments that pest's
/// implicit skipping leaves at its end (before an optional part that did not
/// match).
fn span_of(pair: &Pair<'_, Rule>) -> Span {
    let s = pair.as_span();
    let mut text = pair.as_str();
    loop {
        let trimmed = text.trim_end();
        let last_line = &trimmed[trimmed.rfind('\n').map_or(0, |i| i + 1)..];
        // (A `/` looked for first, as few lines have one: `contains("//")`
        // builds a searcher for its pattern at each call, and this runs for
        // every pair of every policy: 13% of an audit's start, 8.6% now.)
        if !(last_line.contains('/') && last_line.contains("//")) {
            text = trimmed;
            break;
        }
        match super::comments::collect_lexical(trimmed).last() {
            Some(c) if c.span.end >= trimmed.len() => text = &trimmed[..c.span.start],
            _ => {
                text = trimmed;
                break;
            }
        }
    }
    Span::new(s.start(), s.start() + text.len())
}

/// Keywords are matched as their own pairs; the converters skip them.
fn is_keyword(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::kw_policy
            | Rule::kw_param
            | Rule::kw_rule
            | Rule::kw_metric
            | Rule::kw_test
            | Rule::kw_title
            | Rule::kw_severity
            | Rule::kw_cite
            | Rule::kw_for
            | Rule::kw_in
            | Rule::kw_distinct
            | Rule::kw_let
            | Rule::kw_when
            | Rule::kw_group
            | Rule::kw_by
            | Rule::kw_require
            | Rule::kw_message
            | Rule::kw_dept
            | Rule::kw_key
            | Rule::kw_dataset
            | Rule::kw_per
            | Rule::kw_ratio
            | Rule::kw_target
            | Rule::kw_as_of
            | Rule::kw_expect
            | Rule::kw_no
            | Rule::kw_on
            | Rule::kw_undetermined
            | Rule::kw_and
            | Rule::kw_or
            | Rule::kw_not
            | Rule::kw_is
            | Rule::kw_none
            | Rule::kw_empty
            | Rule::kw_if
            | Rule::kw_then
            | Rule::kw_else
            | Rule::kw_valid_on
            | Rule::kw_true
            | Rule::kw_false
    )
}

/// An integer written beyond 64 bits.
fn too_large_integer(span: Span, text: &str) -> PolicyError {
    PolicyError::new(
        ErrorCode::BadLiteral,
        span,
        format!("the number `{text}` is too large"),
    )
    .label("does not fit in 64 bits")
}

fn internal(span: Span, what: &str) -> PolicyError {
    PolicyError::new(
        ErrorCode::Internal,
        span,
        format!("internal error: the parser and the syntax tree disagree ({what})"),
    )
    .label("here")
    .help("this is a bug in yimen; please report it with the policy text")
}

/// The children of a pair, keywords skipped, with checked access.
struct Cursor<'i> {
    pairs: std::iter::Peekable<Pairs<'i, Rule>>,
    span: Span,
}

impl<'i> Cursor<'i> {
    fn new(pair: &Pair<'i, Rule>) -> Self {
        Cursor {
            pairs: pair.clone().into_inner().peekable(),
            span: span_of(pair),
        }
    }

    fn skip_keywords(&mut self) {
        while self.pairs.peek().is_some_and(|p| is_keyword(p.as_rule())) {
            self.pairs.next();
        }
    }

    fn next(&mut self) -> Option<Pair<'i, Rule>> {
        self.skip_keywords();
        self.pairs.next()
    }

    fn peek_rule(&mut self) -> Option<Rule> {
        self.skip_keywords();
        self.pairs.peek().map(Pair::as_rule)
    }

    fn expect(&mut self, rule: Rule) -> Result<Pair<'i, Rule>> {
        match self.next() {
            Some(p) if p.as_rule() == rule => Ok(p),
            Some(p) => Err(internal(
                span_of(&p),
                &format!("expected {rule:?}, found {:?}", p.as_rule()),
            )),
            None => Err(internal(
                self.span,
                &format!("expected {rule:?}, found nothing"),
            )),
        }
    }

    fn any(&mut self, what: &str) -> Result<Pair<'i, Rule>> {
        self.next()
            .ok_or_else(|| internal(self.span, &format!("expected {what}, found nothing")))
    }

    fn optional(&mut self, rule: Rule) -> Option<Pair<'i, Rule>> {
        if self.peek_rule() == Some(rule) {
            self.next()
        } else {
            None
        }
    }
}

/// Converters collect literal errors here and go on.
#[derive(Default)]
struct Ctx {
    errors: Vec<PolicyError>,
    /// How deep `expr` calls are nested now.
    depth: usize,
}

/// The deepest expression tree yimen accepts. Every later stage (checker,
/// formatter, evaluators) walks expressions recursively: a bound here keeps
/// them far from the end of any thread's stack. Real policies nest a few
/// levels; a chain of `and`s counts one level per operand.
pub(crate) const MAX_DEPTH: usize = 100;
/// Nested `expr` calls while converting (about ten per level of brackets).
const MAX_CALLS: usize = 10 * MAX_DEPTH;

fn too_deep(span: Span) -> PolicyError {
    PolicyError::new(
        ErrorCode::TooDeep,
        span,
        format!("表达式嵌套过深: 超过 {MAX_DEPTH} 层"),
    )
    .label("从这里开始嵌套过深")
    .help("拆成几个 let, 或用 `x in [..]` 代替一长串 `or`")
}

/// The depth of an expression tree, without recursion (the tree may be
/// deeper than recursion can go).
fn depth_of<'a>(e: &'a Expr) -> usize {
    let mut deepest = 0;
    let mut stack: Vec<(&'a Expr, usize)> = vec![(e, 1usize)];
    while let Some((e, d)) = stack.pop() {
        deepest = deepest.max(d);
        let mut push = |c: &'a Expr| stack.push((c, d + 1));
        match &e.kind {
            ExprKind::Lit(_) | ExprKind::Name(_) | ExprKind::AsOf | ExprKind::Code(_) => {}
            ExprKind::Field(b, _) | ExprKind::Not(b) | ExprKind::Neg(b) | ExprKind::Paren(b) => {
                push(b);
            }
            ExprKind::Is { expr, .. } => push(expr),
            ExprKind::Index {
                base,
                keys,
                valid_on,
            } => {
                push(base);
                keys.iter().for_each(&mut push);
                if let Some(v) = valid_on {
                    push(v);
                }
            }
            ExprKind::Call { args, .. } => args.iter().for_each(&mut push),
            ExprKind::Binary { lhs, rhs, .. }
            | ExprKind::Cmp { lhs, rhs, .. }
            | ExprKind::In { lhs, rhs, .. } => {
                push(lhs);
                push(rhs);
            }
            ExprKind::If { cond, then, els } => {
                push(cond);
                push(then);
                push(els);
            }
            ExprKind::List(items) => items.iter().for_each(&mut push),
            ExprKind::Map(entries) => {
                for (k, v) in entries {
                    push(k);
                    push(v);
                }
            }
        }
    }
    deepest
}

/// The file's AST, when the conversion went through, with the errors of
/// literals that are no value (a date that does not exist …): the tree then
/// holds them as [`Literal::Invalid`], so that the checker can still check
/// the rest. `None` (with the internal error) when it did not.
pub(super) fn file(mut pairs: Pairs<'_, Rule>) -> (Option<PolicyFile>, Vec<PolicyError>) {
    let mut ctx = Ctx::default();
    let result = (|| {
        let file = pairs
            .next()
            .ok_or_else(|| internal(Span::default(), "no file"))?;
        let mut items = Vec::new();
        for pair in file.into_inner() {
            match pair.as_rule() {
                Rule::policy_decl => items.push(Item::Policy(ctx.policy(&pair)?)),
                Rule::param_decl => items.push(Item::Param(ctx.param(&pair)?)),
                Rule::rule_decl => items.push(Item::Rule(ctx.rule(&pair, RuleKind::Rule)?)),
                Rule::metric_decl => items.push(Item::Rule(ctx.rule(&pair, RuleKind::Metric)?)),
                Rule::test_decl => items.push(Item::Test(ctx.test(&pair)?)),
                Rule::EOI => {}
                other => return Err(internal(span_of(&pair), &format!("item {other:?}"))),
            }
        }
        Ok(PolicyFile { items })
    })();
    match result {
        Ok(f) => (Some(f), ctx.errors),
        Err(e) => {
            ctx.errors.push(e);
            (None, ctx.errors)
        }
    }
}

pub(super) fn standalone_expr(
    mut pairs: Pairs<'_, Rule>,
) -> std::result::Result<Expr, Vec<PolicyError>> {
    let mut ctx = Ctx::default();
    let result = (|| {
        let top = pairs
            .next()
            .ok_or_else(|| internal(Span::default(), "no expression"))?;
        let mut c = Cursor::new(&top);
        let e = c.expect(Rule::expr)?;
        ctx.expr(&e)
    })();
    match result {
        Ok(e) if ctx.errors.is_empty() => Ok(e),
        Ok(_) => Err(ctx.errors),
        Err(e) => {
            ctx.errors.push(e);
            Err(ctx.errors)
        }
    }
}

impl Ctx {
    fn docs(pair: &Pair<'_, Rule>) -> Vec<String> {
        pair.clone()
            .into_inner()
            .filter(|p| p.as_rule() == Rule::doc_line)
            .map(|line| {
                let text = line
                    .into_inner()
                    .next()
                    .map(|t| t.as_str().to_string())
                    .unwrap_or_default();
                // `/// text`: drop the one space after the slashes.
                text.strip_prefix(' ')
                    .unwrap_or(&text)
                    .trim_end()
                    .to_string()
            })
            .collect()
    }

    fn ident(pair: &Pair<'_, Rule>) -> Ident {
        Ident {
            name: pair.as_str().to_string(),
            span: span_of(pair),
        }
    }

    fn policy(&mut self, pair: &Pair<'_, Rule>) -> Result<PolicyHeader> {
        let mut c = Cursor::new(pair);
        let docs = Self::docs(&c.expect(Rule::docs)?);
        let id = Self::ident(&c.expect(Rule::ident)?);
        let mut fields = Vec::new();
        while let Some(f) = c.optional(Rule::header_field) {
            let mut fc = Cursor::new(&f);
            let name = Self::ident(&fc.expect(Rule::field_name)?);
            let value = self.literal(&fc.any("a literal")?)?;
            fields.push(HeaderField {
                name,
                value,
                span: span_of(&f),
            });
        }
        Ok(PolicyHeader {
            docs,
            id,
            fields,
            span: span_of(pair),
        })
    }

    fn param(&mut self, pair: &Pair<'_, Rule>) -> Result<ParamDecl> {
        let mut c = Cursor::new(pair);
        let docs = Self::docs(&c.expect(Rule::docs)?);
        let name = Self::ident(&c.expect(Rule::ident)?);
        let ty = Self::type_expr(&c.expect(Rule::type_expr)?)?;
        let default = match c.optional(Rule::expr) {
            Some(e) => Some(self.expr(&e)?),
            None => None,
        };
        Ok(ParamDecl {
            docs,
            name,
            ty,
            default,
            span: span_of(pair),
        })
    }

    fn type_expr(pair: &Pair<'_, Rule>) -> Result<TypeExpr> {
        Self::type_expr_at(pair, 1)
    }

    /// A type, at most [`MAX_DEPTH`] levels of arguments deep.
    fn type_expr_at(pair: &Pair<'_, Rule>, depth: usize) -> Result<TypeExpr> {
        if depth > MAX_DEPTH {
            return Err(too_deep(span_of(pair)));
        }
        let mut c = Cursor::new(pair);
        let name = Self::ident(&c.expect(Rule::ident)?);
        let mut args = Vec::new();
        while let Some(a) = c.optional(Rule::type_expr) {
            args.push(Self::type_expr_at(&a, depth + 1)?);
        }
        Ok(TypeExpr {
            name,
            args,
            span: span_of(pair),
        })
    }

    fn rule(&mut self, pair: &Pair<'_, Rule>, kind: RuleKind) -> Result<RuleDecl> {
        let mut c = Cursor::new(pair);
        let docs = Self::docs(&c.expect(Rule::docs)?);
        let code = Self::ident(&c.expect(Rule::code)?);
        let name = Self::ident(&c.expect(Rule::rule_name)?);
        let mut clauses = Vec::new();
        while let Some(cl) = c.next() {
            clauses.push(self.clause(&cl)?);
        }
        Ok(RuleDecl {
            kind,
            docs,
            code,
            name,
            clauses,
            span: span_of(pair),
        })
    }

    fn exprs(&mut self, c: &mut Cursor<'_>) -> Result<Vec<Expr>> {
        let mut out = Vec::new();
        while let Some(e) = c.optional(Rule::expr) {
            out.push(self.expr(&e)?);
        }
        Ok(out)
    }

    fn clause(&mut self, pair: &Pair<'_, Rule>) -> Result<Clause> {
        let mut c = Cursor::new(pair);
        let kind = match pair.as_rule() {
            Rule::title_clause => ClauseKind::Title(self.string(&c.expect(Rule::string_lit)?)?),
            Rule::severity_clause => ClauseKind::Severity(Self::ident(&c.expect(Rule::ident)?)),
            Rule::cite_clause => {
                let mut cites = Vec::new();
                while let Some(ci) = c.optional(Rule::citation) {
                    let mut cc = Cursor::new(&ci);
                    let source = Self::ident(&cc.expect(Rule::source_id)?);
                    let clause = self.string(&cc.expect(Rule::string_lit)?)?;
                    cites.push(Citation {
                        source,
                        clause,
                        span: span_of(&ci),
                    });
                }
                ClauseKind::Cite(cites)
            }
            Rule::for_clause => {
                let var = Self::ident(&c.expect(Rule::ident)?);
                let distinct = c.optional(Rule::distinct).is_some();
                let dataset = Self::ident(&c.expect(Rule::ident)?);
                ClauseKind::For {
                    var,
                    distinct,
                    dataset,
                }
            }
            Rule::let_clause => {
                let name = Self::ident(&c.expect(Rule::ident)?);
                let value = self.expr(&c.expect(Rule::expr)?)?;
                ClauseKind::Let { name, value }
            }
            Rule::when_clause => ClauseKind::When(self.expr(&c.expect(Rule::expr)?)?),
            Rule::group_clause => ClauseKind::GroupBy(self.exprs(&mut c)?),
            Rule::require_clause => ClauseKind::Require(self.expr(&c.expect(Rule::expr)?)?),
            Rule::message_clause => ClauseKind::Message(self.template(&c.expect(Rule::template)?)?),
            Rule::dept_clause => ClauseKind::Dept(self.expr(&c.expect(Rule::expr)?)?),
            Rule::key_clause => ClauseKind::Key(self.exprs(&mut c)?),
            Rule::dataset_clause => ClauseKind::Dataset(Self::ident(&c.expect(Rule::ident)?)),
            Rule::per_clause => ClauseKind::Per(self.expr(&c.expect(Rule::expr)?)?),
            Rule::ratio_clause => ClauseKind::Ratio(self.expr(&c.expect(Rule::expr)?)?),
            Rule::target_clause => {
                let op = Self::cmp_op(&c.expect(Rule::cmp_op)?)?;
                let value = self.expr(&c.expect(Rule::expr)?)?;
                ClauseKind::Target { op, value }
            }
            other => return Err(internal(span_of(pair), &format!("clause {other:?}"))),
        };
        Ok(Clause {
            kind,
            span: span_of(pair),
        })
    }

    fn test(&mut self, pair: &Pair<'_, Rule>) -> Result<TestDecl> {
        let mut c = Cursor::new(pair);
        let docs = Self::docs(&c.expect(Rule::docs)?);
        let name = self.string(&c.expect(Rule::string_lit)?)?;
        let mut stmts = Vec::new();
        while let Some(s) = c.next() {
            let mut sc = Cursor::new(&s);
            let kind = match s.as_rule() {
                Rule::as_of_stmt => TestStmtKind::AsOf(self.expr(&sc.expect(Rule::expr)?)?),
                Rule::param_set => {
                    let name = Self::ident(&sc.expect(Rule::ident)?);
                    let value = self.expr(&sc.expect(Rule::expr)?)?;
                    TestStmtKind::Param { name, value }
                }
                Rule::fixture => {
                    let dataset = Self::ident(&sc.expect(Rule::ident)?);
                    let mut fields = Vec::new();
                    while let Some(f) = sc.optional(Rule::field_init) {
                        let mut fc = Cursor::new(&f);
                        let name = Self::ident(&fc.expect(Rule::field_name)?);
                        let value = self.expr(&fc.expect(Rule::expr)?)?;
                        fields.push((name, value));
                    }
                    TestStmtKind::Fixture { dataset, fields }
                }
                Rule::expect_stmt => {
                    let inner = sc.any("an expectation")?;
                    if inner.as_rule() == Rule::expect_metric {
                        stmts.push(TestStmt {
                            kind: self.expect_metric(&inner)?,
                            span: span_of(&s),
                        });
                        continue;
                    }
                    let mut ic = Cursor::new(&inner);
                    let undetermined = ic.optional(Rule::undetermined).is_some();
                    let code = Self::ident(&ic.expect(Rule::code)?);
                    match inner.as_rule() {
                        Rule::expect_none => TestStmtKind::ExpectNone { undetermined, code },
                        Rule::expect_some => {
                            let list = ic.expect(Rule::key_list)?;
                            let mut lc = Cursor::new(&list);
                            let mut key = Vec::new();
                            while let Some(k) = lc.optional(Rule::string_lit) {
                                key.push(self.string(&k)?);
                            }
                            TestStmtKind::Expect {
                                undetermined,
                                code,
                                key,
                            }
                        }
                        other => {
                            return Err(internal(span_of(&inner), &format!("expect {other:?}")))
                        }
                    }
                }
                other => return Err(internal(span_of(&s), &format!("test statement {other:?}"))),
            };
            stmts.push(TestStmt {
                kind,
                span: span_of(&s),
            });
        }
        Ok(TestDecl {
            docs,
            name,
            stmts,
            span: span_of(pair),
        })
    }

    // ------------------------------------------------------------------
    // Expressions

    /// An expression: converted within [`MAX_CALLS`] nested calls, and (at
    /// the outermost call) checked to be at most [`MAX_DEPTH`] deep.
    fn expr(&mut self, pair: &Pair<'_, Rule>) -> Result<Expr> {
        if self.depth >= MAX_CALLS {
            return Err(too_deep(span_of(pair)));
        }
        self.depth += 1;
        let e = self.expr_inner(pair);
        self.depth -= 1;
        let e = e?;
        if self.depth == 0 && depth_of(&e) > MAX_DEPTH {
            return Err(too_deep(e.span));
        }
        Ok(e)
    }

    fn expr_inner(&mut self, pair: &Pair<'_, Rule>) -> Result<Expr> {
        let span = span_of(pair);
        match pair.as_rule() {
            Rule::expr => {
                let mut c = Cursor::new(pair);
                let inner = c.any("an expression")?;
                self.expr(&inner)
            }
            Rule::or_expr | Rule::and_expr | Rule::add_expr | Rule::mul_expr => {
                self.left_assoc(pair)
            }
            Rule::not_expr => {
                let mut c = Cursor::new(pair);
                let first = c.any("an expression")?;
                if first.as_rule() == Rule::not_op {
                    let operand = self.expr(&c.any("an operand of `not`")?)?;
                    Ok(Expr {
                        kind: ExprKind::Not(Box::new(operand)),
                        span,
                    })
                } else {
                    self.expr(&first)
                }
            }
            Rule::cmp_expr => self.cmp(pair),
            Rule::unary => {
                let mut c = Cursor::new(pair);
                let mut negs = Vec::new();
                while let Some(n) = c.optional(Rule::neg) {
                    if negs.len() >= MAX_DEPTH {
                        return Err(too_deep(span_of(&n)));
                    }
                    negs.push(span_of(&n));
                }
                let mut e = self.expr(&c.expect(Rule::postfix)?)?;
                for neg in negs.into_iter().rev() {
                    let s = neg.to(e.span);
                    e = Expr {
                        kind: ExprKind::Neg(Box::new(e)),
                        span: s,
                    };
                }
                Ok(e)
            }
            Rule::postfix => self.postfix(pair),
            _ => self.primary(pair),
        }
    }

    fn left_assoc(&mut self, pair: &Pair<'_, Rule>) -> Result<Expr> {
        let mut c = Cursor::new(pair);
        let mut lhs = self.expr(&c.any("an operand")?)?;
        let mut operands = 1;
        // Keywords `and`/`or` are skipped by the cursor; the operator is known from the rule.
        let fixed = match pair.as_rule() {
            Rule::or_expr => Some(BinOp::Or),
            Rule::and_expr => Some(BinOp::And),
            _ => None,
        };
        loop {
            let op = match fixed {
                Some(op) => {
                    if c.peek_rule().is_none() {
                        break;
                    }
                    op
                }
                None => match c.next() {
                    None => break,
                    Some(op) => match op.as_str() {
                        "+" => BinOp::Add,
                        "-" => BinOp::Sub,
                        "*" => BinOp::Mul,
                        "/" => BinOp::Div,
                        other => return Err(internal(span_of(&op), &format!("operator {other}"))),
                    },
                },
            };
            let rhs = self.expr(&c.any("an operand")?)?;
            let span = lhs.span.to(rhs.span);
            operands += 1;
            if operands > MAX_DEPTH {
                return Err(too_deep(span));
            }
            lhs = Expr {
                kind: ExprKind::Binary {
                    op,
                    lhs: Box::new(lhs),
                    rhs: Box::new(rhs),
                },
                span,
            };
        }
        Ok(lhs)
    }

    fn cmp_op(pair: &Pair<'_, Rule>) -> Result<CmpOp> {
        Ok(match pair.as_str() {
            "==" => CmpOp::Eq,
            "!=" => CmpOp::Ne,
            "<" => CmpOp::Lt,
            "<=" => CmpOp::Le,
            ">" => CmpOp::Gt,
            ">=" => CmpOp::Ge,
            other => return Err(internal(span_of(pair), &format!("comparison {other}"))),
        })
    }

    fn cmp(&mut self, pair: &Pair<'_, Rule>) -> Result<Expr> {
        let span = span_of(pair);
        let mut c = Cursor::new(pair);
        let lhs = self.expr(&c.any("an operand")?)?;
        let Some(tail) = c.next() else {
            return Ok(lhs);
        };
        let mut tc = Cursor::new(&tail);
        let kind = match tail.as_rule() {
            Rule::cmp_tail => {
                let op = Self::cmp_op(&tc.expect(Rule::cmp_op)?)?;
                let rhs = self.expr(&tc.any("an operand")?)?;
                ExprKind::Cmp {
                    op,
                    lhs: Box::new(lhs),
                    rhs: Box::new(rhs),
                }
            }
            Rule::in_tail => {
                let negated = tc.optional(Rule::negated).is_some();
                let rhs = self.expr(&tc.any("a list")?)?;
                ExprKind::In {
                    negated,
                    lhs: Box::new(lhs),
                    rhs: Box::new(rhs),
                }
            }
            Rule::is_tail => {
                let negated = tc.optional(Rule::negated).is_some();
                let test = match tc.any("`none` or `empty`")?.as_rule() {
                    Rule::none_test => IsTest::None,
                    Rule::empty_test => IsTest::Empty,
                    other => return Err(internal(span_of(&tail), &format!("is-test {other:?}"))),
                };
                ExprKind::Is {
                    negated,
                    test,
                    expr: Box::new(lhs),
                }
            }
            other => return Err(internal(span_of(&tail), &format!("comparison {other:?}"))),
        };
        Ok(Expr { kind, span })
    }

    fn postfix(&mut self, pair: &Pair<'_, Rule>) -> Result<Expr> {
        let mut c = Cursor::new(pair);
        let mut e = self.primary(&c.any("an operand")?)?;
        let mut suffixes = 0;
        while let Some(suffix) = c.next() {
            let span = e.span.to(span_of(&suffix));
            suffixes += 1;
            if suffixes > MAX_DEPTH {
                return Err(too_deep(span));
            }
            let mut sc = Cursor::new(&suffix);
            let kind = match suffix.as_rule() {
                Rule::field_suffix => {
                    ExprKind::Field(Box::new(e), Self::ident(&sc.expect(Rule::field_name)?))
                }
                Rule::index_suffix => {
                    let keys = self.exprs(&mut sc)?;
                    let valid_on = match sc.optional(Rule::valid_on) {
                        Some(v) => {
                            let mut vc = Cursor::new(&v);
                            Some(Box::new(self.expr(&vc.expect(Rule::postfix)?)?))
                        }
                        None => None,
                    };
                    ExprKind::Index {
                        base: Box::new(e),
                        keys,
                        valid_on,
                    }
                }
                other => return Err(internal(span_of(&suffix), &format!("suffix {other:?}"))),
            };
            e = Expr { kind, span };
        }
        Ok(e)
    }

    fn primary(&mut self, pair: &Pair<'_, Rule>) -> Result<Expr> {
        let span = span_of(pair);
        let mut c = Cursor::new(pair);
        let kind = match pair.as_rule() {
            Rule::paren => ExprKind::Paren(Box::new(self.expr(&c.expect(Rule::expr)?)?)),
            Rule::if_expr => {
                let cond = self.expr(&c.expect(Rule::expr)?)?;
                let then = self.expr(&c.expect(Rule::expr)?)?;
                let els = self.expr(&c.expect(Rule::expr)?)?;
                ExprKind::If {
                    cond: Box::new(cond),
                    then: Box::new(then),
                    els: Box::new(els),
                }
            }
            Rule::call => {
                let func = Self::ident(&c.expect(Rule::field_name)?);
                let mut args = Vec::new();
                while let Some(a) = c.next() {
                    if a.as_rule() == Rule::code_arg {
                        args.push(Expr {
                            kind: ExprKind::Code(Self::ident(&a)),
                            span: span_of(&a),
                        });
                    } else {
                        args.push(self.expr(&a)?);
                    }
                }
                ExprKind::Call { func, args }
            }
            Rule::list_lit => ExprKind::List(self.exprs(&mut c)?),
            Rule::map_lit => {
                let mut entries = Vec::new();
                while let Some(entry) = c.optional(Rule::map_entry) {
                    let mut ec = Cursor::new(&entry);
                    let k = self.expr(&ec.expect(Rule::expr)?)?;
                    let v = self.expr(&ec.expect(Rule::expr)?)?;
                    entries.push((k, v));
                }
                ExprKind::Map(entries)
            }
            Rule::as_of_ref => ExprKind::AsOf,
            Rule::name => ExprKind::Name(Self::ident(&c.expect(Rule::ident)?)),
            _ => return self.literal(pair),
        };
        Ok(Expr { kind, span })
    }

    /// `expect CODE [for "dept"] = N / D | P% [undetermined U]`.
    fn expect_metric(&mut self, pair: &Pair<'_, Rule>) -> Result<TestStmtKind> {
        let mut c = Cursor::new(pair);
        let code = Self::ident(&c.expect(Rule::code)?);
        let dept = match c.optional(Rule::metric_dept) {
            Some(d) => Some(self.string(&Cursor::new(&d).expect(Rule::string_lit)?)?),
            None => None,
        };
        let v = c.any("a metric value")?;
        let value_span = span_of(&v);
        let value = match v.as_rule() {
            Rule::fraction => {
                let mut fc = Cursor::new(&v);
                let numerator = self.count(&fc.expect(Rule::int_lit)?);
                let denominator = self.count(&fc.expect(Rule::int_lit)?);
                ExpectedRate::Counts {
                    numerator,
                    denominator,
                }
            }
            Rule::percent_lit => {
                ExpectedRate::Percent(v.as_str().trim_end_matches('%').to_string())
            }
            other => return Err(internal(value_span, &format!("metric value {other:?}"))),
        };
        let undetermined = match c.optional(Rule::metric_undetermined) {
            Some(u) => {
                let n = Cursor::new(&u).expect(Rule::int_lit)?;
                Some(self.count(&n))
            }
            None => None,
        };
        Ok(TestStmtKind::ExpectMetric {
            code,
            dept,
            value,
            undetermined,
            value_span,
        })
    }

    /// A count of records written in a test (`2` in `2 / 3`).
    fn count(&mut self, pair: &Pair<'_, Rule>) -> u64 {
        let text = pair.as_str();
        text.parse::<u64>().unwrap_or_else(|_| {
            self.errors.push(too_large_integer(span_of(pair), text));
            0
        })
    }

    fn literal(&mut self, pair: &Pair<'_, Rule>) -> Result<Expr> {
        let span = span_of(pair);
        let text = pair.as_str();
        let lit = match pair.as_rule() {
            Rule::string_lit => Literal::Str(self.string(pair)?.value),
            Rule::int_lit => {
                if let Ok(n) = text.parse::<i64>() {
                    Literal::Int(n)
                } else {
                    self.errors.push(too_large_integer(span, text));
                    Literal::Invalid(text.to_string())
                }
            }
            Rule::decimal_lit | Rule::percent_lit => {
                let digits = text.trim_end_matches('%');
                if digits.parse::<f64>().is_ok_and(f64::is_finite) {
                    if pair.as_rule() == Rule::decimal_lit {
                        Literal::Decimal(text.to_string())
                    } else {
                        Literal::Percent(digits.to_string())
                    }
                } else {
                    self.errors.push(
                        PolicyError::new(
                            ErrorCode::BadLiteral,
                            span,
                            format!("the number {} is too large", abbreviated(text)),
                        )
                        .label("beyond what a decimal holds"),
                    );
                    Literal::Invalid(text.to_string())
                }
            }
            Rule::bool_lit => Literal::Bool(text == "true"),
            Rule::none_lit => Literal::None,
            Rule::date_lit => {
                if let Some(d) = parse_date(text) {
                    Literal::Date(d)
                } else {
                    self.errors.push(bad_date(span, text, "date"));
                    Literal::Invalid(text.to_string())
                }
            }
            Rule::datetime_lit => {
                if let Some(d) = parse_datetime(text) {
                    Literal::DateTime(d)
                } else {
                    self.errors.push(bad_date(span, text, "datetime"));
                    Literal::Invalid(text.to_string())
                }
            }
            other => return Err(internal(span, &format!("literal {other:?}"))),
        };
        Ok(Expr {
            kind: ExprKind::Lit(lit),
            span,
        })
    }

    fn string(&mut self, pair: &Pair<'_, Rule>) -> Result<StrLit> {
        let span = span_of(pair);
        let mut c = Cursor::new(pair);
        let inner = c.expect(Rule::str_inner)?;
        let value = self.unescape(inner.as_str(), span_of(&inner));
        Ok(StrLit { value, span })
    }

    fn unescape(&mut self, raw: &str, span: Span) -> String {
        let mut out = String::with_capacity(raw.len());
        let mut chars = raw.char_indices();
        while let Some((i, ch)) = chars.next() {
            if ch != '\\' {
                out.push(ch);
                continue;
            }
            match chars.next() {
                Some((_, 'n')) => out.push('\n'),
                Some((_, 't')) => out.push('\t'),
                Some((_, 'u')) => {
                    let rest: String = chars
                        .by_ref()
                        .skip(1)
                        .take_while(|&(_, c)| c != '}')
                        .map(|(_, c)| c)
                        .collect();
                    match u32::from_str_radix(&rest, 16).ok().and_then(char::from_u32) {
                        Some(c) => out.push(c),
                        None => self.errors.push(
                            PolicyError::new(
                                ErrorCode::BadLiteral,
                                Span::new(span.start + i, span.start + i + rest.len() + 4),
                                format!("`\\u{{{rest}}}` is not a Unicode character"),
                            )
                            .label("not a character"),
                        ),
                    }
                }
                Some((_, other)) => out.push(other),
                None => {}
            }
        }
        out
    }

    fn template(&mut self, pair: &Pair<'_, Rule>) -> Result<Template> {
        let mut parts = Vec::new();
        for part in pair.clone().into_inner() {
            match part.as_rule() {
                Rule::tpl_text => {
                    let text = self.unescape(part.as_str(), span_of(&part));
                    if let Some(TemplatePart::Text(prev)) = parts.last_mut() {
                        prev.push_str(&text);
                    } else {
                        parts.push(TemplatePart::Text(text));
                    }
                }
                Rule::tpl_hole => {
                    let mut hc = Cursor::new(&part);
                    parts.push(TemplatePart::Hole(self.expr(&hc.expect(Rule::expr)?)?));
                }
                other => return Err(internal(span_of(&part), &format!("template {other:?}"))),
            }
        }
        Ok(Template {
            parts,
            span: span_of(pair),
        })
    }
}

/// A literal in a message: in backquotes, by its ends when long (a number
/// of hundreds of digits).
fn abbreviated(text: &str) -> String {
    let n = text.chars().count();
    if n <= 24 {
        return format!("`{text}`");
    }
    let head: String = text.chars().take(10).collect();
    let tail: String = text.chars().skip(n - 6).collect();
    format!("`{head}…{tail}` ({n} characters)")
}

fn bad_date(span: Span, text: &str, what: &str) -> PolicyError {
    PolicyError::new(
        ErrorCode::BadLiteral,
        span,
        format!("`{text}` is not a valid {what}"),
    )
    .label("no such day or time")
    .help(if what == "date" {
        "write dates as YYYY-MM-DD, for example 2025-03-01"
    } else {
        "write datetimes as YYYY-MM-DDTHH:MM[:SS], for example 2025-03-01T09:30:00"
    })
}

fn parse_date(text: &str) -> Option<NaiveDate> {
    let mut it = text.split('-');
    let y = it.next()?.parse().ok()?;
    let m = it.next()?.parse().ok()?;
    let d = it.next()?.parse().ok()?;
    NaiveDate::from_ymd_opt(y, m, d)
}

fn parse_datetime(text: &str) -> Option<NaiveDateTime> {
    let (date, time) = text.split_once('T')?;
    let date = parse_date(date)?;
    let mut it = time.split(':');
    let h = it.next()?.parse().ok()?;
    let mi = it.next()?.parse().ok()?;
    let s = match it.next() {
        Some(s) => s.parse().ok()?,
        None => 0,
    };
    Some(date.and_time(NaiveTime::from_hms_opt(h, mi, s)?))
}

#[cfg(test)]
#[path = "span_of_tests.rs"]
mod tests;
