//! Typing and resolving expressions.

use crate::ast::{self, BinOp, CmpOp, Expr, ExprKind, Literal, Span};
use crate::diagnostics::{did_you_mean, ErrorCode, PolicyError};
use crate::ir::{AggFunc, ArithOp, Const, Func, IrExpr};
use crate::value::Value;

use super::types::Type;
use super::Checker;

/// Where an expression stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Ctx {
    /// No record: a parameter default, a test value.
    Const,
    /// One record at a time (`when`, `let`, `require` of a per-record rule).
    Record,
    /// One group at a time (after `group by`).
    Group,
    /// Inside an aggregate of a group: one record at a time again.
    Aggregate,
}

pub(super) struct LetInfo {
    pub name: String,
    pub ty: Type,
    pub group_level: bool,
    /// The `let`'s value when it is a constant number (`let z = 1 - 1`),
    /// followed by the checks for a zero divisor and 64-bit overflow.
    pub number: Option<Value>,
}

/// What names mean where an expression stands.
pub(super) struct Scope<'a> {
    pub var: Option<(&'a str, usize)>,
    pub lets: &'a [LetInfo],
    pub ctx: Ctx,
    pub group_keys: &'a [(Expr, Type)],
    /// In a message template: unknown names get the template's error code.
    pub template: bool,
}

impl Scope<'_> {
    fn with_ctx(&self, ctx: Ctx) -> Scope<'_> {
        Scope {
            var: self.var,
            lets: self.lets,
            ctx,
            group_keys: self.group_keys,
            template: self.template,
        }
    }
}

const FUNCTIONS: &[&str] = &[
    "date",
    "workdays",
    "days",
    "age",
    "add_years",
    "add_months",
    "add_days",
    "year",
    "month",
    "len",
    "contains",
    "coalesce",
    "count",
    "any",
    "all",
    "sum",
    "min",
    "max",
    "first",
    "ratio",
    "fires",
];

/// Strip parentheses, for comparing expressions with group keys.
fn unparen(e: &Expr) -> &Expr {
    match &e.kind {
        ExprKind::Paren(inner) => unparen(inner),
        _ => e,
    }
}

impl Checker<'_> {
    /// The help for a rule code no loaded rule has: the shipped policies'
    /// (not loaded), or a near code of the loaded ones.
    pub(super) fn unknown_code_help(&self, code: &str) -> Option<String> {
        crate::builtin::not_loaded_help(code).or_else(|| {
            did_you_mean(code, self.rule_codes.iter().map(|r| r.code.as_str()))
                .map(|s| format!("did you mean `{s}`?"))
        })
    }

    fn unknown(scope: &Scope<'_>, code: ErrorCode) -> ErrorCode {
        if scope.template {
            ErrorCode::TemplateUnknownField
        } else {
            code
        }
    }

    pub(super) fn type_error(&mut self, e: &Expr, message: String, label: String) {
        self.error(PolicyError::new(ErrorCode::TypeMismatch, e.span, message).label(label));
    }

    pub(super) fn type_error_help(
        &mut self,
        e: &Expr,
        message: String,
        label: String,
        help: String,
    ) {
        self.error(
            PolicyError::new(ErrorCode::TypeMismatch, e.span, message)
                .label(label)
                .help(help),
        );
    }

    fn ty(&self, t: &Type) -> String {
        t.display(self.schema).to_string()
    }

    /// Check that `e` is a condition.
    pub(super) fn check_bool(&mut self, e: &Expr, scope: &Scope<'_>) -> IrExpr {
        let (ir, t) = self.check_expr(e, scope);
        if !t.fits(&Type::Bool) {
            let t = self.ty(&t);
            self.type_error(
                e,
                format!("expected a condition (bool), found {t}"),
                format!("this is {t}"),
            );
        }
        ir
    }

    pub(super) fn check_expr(&mut self, e: &Expr, scope: &Scope<'_>) -> (IrExpr, Type) {
        if scope.ctx == Ctx::Group {
            let target = unparen(e);
            if let Some(i) = scope
                .group_keys
                .iter()
                .position(|(k, _)| unparen(k) == target)
            {
                return (IrExpr::GroupKey(i), scope.group_keys[i].1.clone());
            }
        }
        match &e.kind {
            ExprKind::Lit(lit) => Self::literal(lit),
            ExprKind::Paren(inner) => self.check_expr(inner, scope),
            ExprKind::AsOf => (IrExpr::AsOf, Type::Date),
            ExprKind::Name(id) => self.name(e, id, scope),
            ExprKind::Field(base, field) => self.field(e, base, field, scope),
            ExprKind::Index {
                base,
                keys,
                valid_on,
            } => self.index(e, base, keys, valid_on.as_deref(), scope),
            ExprKind::Call { func, args } => self.call(e, func, args, scope),
            ExprKind::Code(code) => {
                self.type_error(
                    e,
                    format!("the rule code `{}` is not a value", code.name),
                    "a rule code is only an argument of `fires(…)`".into(),
                );
                (IrExpr::Const(Const::Value(Value::Empty)), Type::Error)
            }
            ExprKind::Not(inner) => {
                let ir = self.check_bool(inner, scope);
                (IrExpr::Not(Box::new(ir)), Type::Bool)
            }
            ExprKind::Neg(inner) => {
                let (ir, t) = self.check_expr(inner, scope);
                if !t.is_numeric() {
                    let shown = self.ty(&t);
                    self.type_error(
                        inner,
                        format!("cannot negate {shown}"),
                        "not a number".into(),
                    );
                    // (Reported once: what contains it is not checked against it.)
                    return (IrExpr::Neg(Box::new(ir)), Type::Error);
                }
                // (`-(-9223372036854775807 - 1)`: constant, and past 64 bits.)
                if matches!(Self::fold(inner, scope), Some(Some(Value::Int(i64::MIN)))) {
                    self.overflow(e.span);
                    return (IrExpr::Neg(Box::new(ir)), Type::Error);
                }
                (IrExpr::Neg(Box::new(ir)), t)
            }
            ExprKind::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs, scope),
            ExprKind::Cmp { op, lhs, rhs } => self.cmp(e, *op, lhs, rhs, scope),
            ExprKind::In { negated, lhs, rhs } => self.in_test(e, *negated, lhs, rhs, scope),
            ExprKind::Is {
                negated,
                test,
                expr,
            } => {
                let (ir, _) = self.check_expr(expr, scope);
                (
                    IrExpr::Is {
                        negated: *negated,
                        test: *test,
                        expr: Box::new(ir),
                    },
                    Type::Bool,
                )
            }
            ExprKind::If { cond, then, els } => {
                let c = self.check_bool(cond, scope);
                let (t_ir, t_ty) = self.check_expr(then, scope);
                let (e_ir, e_ty) = self.check_expr(els, scope);
                let ty = if let Some(t) = t_ty.join(&e_ty) {
                    t
                } else {
                    let (a, b) = (self.ty(&t_ty), self.ty(&e_ty));
                    self.type_error(
                        e,
                        format!("the branches of `if` have different types: {a} and {b}"),
                        "both branches must have one type".into(),
                    );
                    Type::Error
                };
                (IrExpr::If(Box::new(c), Box::new(t_ir), Box::new(e_ir)), ty)
            }
            ExprKind::List(items) => {
                let mut irs = Vec::new();
                let mut ty = Type::Null;
                for item in items {
                    let (ir, t) = self.check_expr(item, scope);
                    irs.push(ir);
                    if let Some(j) = ty.join(&t) {
                        ty = j;
                    } else {
                        let (a, b) = (self.ty(&ty), self.ty(&t));
                        self.type_error(
                            item,
                            format!("a list holds values of one type: {a} and {b} are mixed"),
                            format!("this is {b}"),
                        );
                    }
                }
                (IrExpr::List(irs), Type::List(Box::new(ty)))
            }
            ExprKind::Map(entries) => {
                let Some(c) = Self::const_value(e) else {
                    self.type_error(
                        e,
                        "a map's keys and values must be literals".into(),
                        "not a constant".into(),
                    );
                    return (IrExpr::Const(Const::Value(Value::Empty)), Type::Error);
                };
                let mut kt = Type::Null;
                let mut vt = Type::Null;
                self.repeated_map_keys(entries, &c);
                for (k, v) in entries {
                    let (_, t) = self.check_expr(k, scope);
                    kt = self.join_entry(kt, &t, k, "keys");
                    let (_, t) = self.check_expr(v, scope);
                    vt = self.join_entry(vt, &t, v, "values");
                }
                (IrExpr::Const(c), Type::Map(Box::new(kt), Box::new(vt)))
            }
        }
    }

    /// A key given twice in a map literal (equal in its matching form, as
    /// lookups compare texts): only the first would ever be found.
    fn repeated_map_keys(&mut self, entries: &[(Expr, Expr)], c: &Const) {
        let Const::Map(pairs) = c else { return };
        for (i, (k, _)) in pairs.iter().enumerate() {
            let first = pairs[..i]
                .iter()
                .position(|(p, _)| crate::engine::eval::compare(CmpOp::Eq, p, k) == Some(true));
            if let Some(f) = first {
                let key = &entries[i].0;
                self.error(
                    PolicyError::new(
                        ErrorCode::DuplicateName,
                        key.span,
                        format!(
                            "the key {} is given twice in this map",
                            crate::fmt::expr_to_string(key)
                        ),
                    )
                    .label("given again")
                    .related(entries[f].0.span, "first")
                    .help("a map has one value per key: only the first would ever be found; remove one"),
                );
            }
        }
    }

    /// The type of a map's keys (or values) so far joined with entry `e`'s
    /// type `t`; an entry of another type is an error (and the map's type
    /// stays the one of its other entries).
    fn join_entry(&mut self, so_far: Type, t: &Type, e: &ast::Expr, what: &str) -> Type {
        if let Some(j) = so_far.join(t) {
            return j;
        }
        let (a, b) = (self.ty(&so_far), self.ty(t));
        self.type_error(
            e,
            format!("a map holds {what} of one type: {a} and {b} are mixed"),
            format!("this is {b}"),
        );
        so_far
    }

    fn literal(lit: &Literal) -> (IrExpr, Type) {
        let (v, t) = match lit {
            Literal::Str(s) => (Value::str(s), Type::Str),
            Literal::Int(n) => (Value::Int(*n), Type::Int),
            Literal::Decimal(s) => (Value::Decimal(s.parse().unwrap_or(0.0)), Type::Decimal),
            Literal::Percent(s) => (
                Value::Decimal(s.parse::<f64>().unwrap_or(0.0) / 100.0),
                Type::Decimal,
            ),
            Literal::Bool(b) => (Value::Bool(*b), Type::Bool),
            Literal::Date(d) => (Value::Date(*d), Type::Date),
            Literal::DateTime(d) => (Value::DateTime(*d), Type::DateTime),
            Literal::None => (Value::Empty, Type::Null),
            // Reported by the converter; typed as an error, so not again.
            Literal::Invalid(_) => (Value::Invalid, Type::Error),
        };
        (IrExpr::Const(Const::Value(v)), t)
    }

    /// The constant a literal expression denotes (parameter defaults, test values).
    pub(super) fn const_value(e: &Expr) -> Option<Const> {
        match &e.kind {
            ExprKind::Lit(lit) => match Self::literal(lit).0 {
                IrExpr::Const(c) => Some(c),
                _ => None,
            },
            ExprKind::Paren(inner) => Self::const_value(inner),
            ExprKind::Neg(inner) => match Self::const_value(inner)? {
                Const::Value(Value::Int(n)) => Some(Const::Value(Value::Int(-n))),
                Const::Value(Value::Decimal(x)) => Some(Const::Value(Value::Decimal(-x))),
                _ => None,
            },
            ExprKind::List(items) => {
                let mut out = Vec::new();
                for i in items {
                    match Self::const_value(i)? {
                        Const::Value(v) => out.push(v),
                        _ => return None,
                    }
                }
                Some(Const::List(std::sync::Arc::new(out)))
            }
            ExprKind::Map(entries) => {
                let mut out = Vec::new();
                for (k, v) in entries {
                    match (Self::const_value(k)?, Self::const_value(v)?) {
                        (Const::Value(k), Const::Value(v)) => out.push((k, v)),
                        _ => return None,
                    }
                }
                Some(Const::Map(std::sync::Arc::new(out)))
            }
            _ => None,
        }
    }

    fn name(&mut self, e: &Expr, id: &ast::Ident, scope: &Scope<'_>) -> (IrExpr, Type) {
        let n = id.name.as_str();
        if let Some((var, ds)) = scope.var {
            if var == n {
                if scope.ctx == Ctx::Group {
                    self.group_key_error(e, scope);
                    return (IrExpr::Var, Type::Error);
                }
                return (IrExpr::Var, Type::Record(ds));
            }
        }
        if let Some(i) = scope.lets.iter().rposition(|l| l.name == n) {
            let l = &scope.lets[i];
            if scope.ctx == Ctx::Group && !l.group_level {
                self.group_key_error(e, scope);
                return (IrExpr::LetRef(i), Type::Error);
            }
            return (IrExpr::LetRef(i), l.ty.clone());
        }
        if let Some(i) = self.param_index(n) {
            return (IrExpr::Param(i), self.params[i].ty.clone());
        }
        if self.schema.dataset(n).is_some() {
            self.type_error(
                e,
                format!("`{n}` is a dataset, not a value"),
                "a dataset needs a lookup".into(),
            );
            return (IrExpr::Const(Const::Value(Value::Empty)), Type::Error);
        }
        if self.reported_vars.iter().any(|v| v == n) && scope.var.is_none_or(|(v, _)| v != n) {
            // The variable of a `for` already reported (unknown dataset):
            // one error is enough.
            return (IrExpr::Const(Const::Value(Value::Empty)), Type::Error);
        }
        let mut candidates: Vec<&str> = Vec::new();
        if let Some((var, _)) = scope.var {
            candidates.push(var);
        }
        candidates.extend(scope.lets.iter().map(|l| l.name.as_str()));
        candidates.extend(self.params.iter().map(|p| p.name.as_str()));
        let code = Self::unknown(scope, ErrorCode::UnknownName);
        // A `let` further down the rule being checked: known only in the
        // clauses after it.
        let later = self
            .item_lets
            .iter()
            .find(|(l, at)| l == n && at.start > id.span.start)
            .map(|(_, at)| *at);
        if let Some(at) = later {
            self.error(
                PolicyError::new(code, id.span, format!("`{n}` is used before its `let`"))
                    .label("used here")
                    .related(at, "defined here, later")
                    .help("a `let` is known in the clauses after it: move it above this use"),
            );
            return (IrExpr::Const(Const::Value(Value::Empty)), Type::Error);
        }
        let code_help = if self.rule_index(n).is_some() {
            // (A code is no value: whether its rule fires is.)
            Some(format!(
                "`{n}` is a rule code: `fires({n})` says whether it fires on the record"
            ))
        } else {
            crate::builtin::not_loaded_help(n)
        };
        let help = code_help
            .or_else(|| {
                // `True`, `None`, `AND`: the words of the language are lower-case.
                let lower = n.to_ascii_lowercase();
                (lower != n
                    && [
                        "true", "false", "none", "and", "or", "not", "in", "is", "empty", "if",
                        "then", "else", "as_of",
                    ]
                    .contains(&lower.as_str()))
                .then(|| {
                    format!("the words of the language are lower-case: did you mean `{lower}`?")
                })
            })
            .or_else(|| {
                // `ｃａｓｅ`: full-width letters (a Chinese input method's).
                let narrow: String = n
                    .chars()
                    .map(|c| match c {
                        '！'..='～' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                        c => c,
                    })
                    .collect();
                (narrow != n && narrow.is_ascii()).then(|| {
                    format!(
                        "`{n}` is written with full-width letters: write it half-width, `{narrow}`"
                    )
                })
            })
            .or_else(|| {
                did_you_mean(n, candidates.iter().copied()).map(|s| format!("did you mean `{s}`?"))
            })
            .or_else(|| {
                // A name in Chinese is a text that lost its quotes
                // (`case.channel != 原单位`): names are written in ASCII.
                (!n.is_ascii()).then(|| format!("a text is written in double quotes: \"{n}\""))
            });
        self.error(
            PolicyError::new(code, id.span, format!("unknown name `{n}`"))
                .label("not a variable, `let`, parameter or dataset")
                .help_opt(help.or_else(|| {
                    Some("names are the `for` variable, `let` names and parameters".to_string())
                })),
        );
        (IrExpr::Const(Const::Value(Value::Empty)), Type::Error)
    }

    fn group_key_error(&mut self, e: &Expr, scope: &Scope<'_>) {
        let keys: Vec<String> = scope
            .group_keys
            .iter()
            .map(|(k, _)| crate::fmt::expr_to_string(k))
            .collect();
        self.error(
            PolicyError::new(
                ErrorCode::GroupKeyNotAvailable,
                e.span,
                "a record value is used after `group by`, where only group keys and aggregates are available",
            )
            .label("not a group key")
            .help(format!(
                "use a group key ({}) or an aggregate such as `any(…)`, `count(…)`",
                keys.join(", ")
            )),
        );
    }

    fn field(
        &mut self,
        e: &Expr,
        base: &Expr,
        field: &ast::Ident,
        scope: &Scope<'_>,
    ) -> (IrExpr, Type) {
        // `case.channel` after `group by`: point at the whole field, not at `case`.
        if scope.ctx == Ctx::Group {
            if let ExprKind::Name(id) = &unparen(base).kind {
                if scope.var.is_some_and(|(v, _)| v == id.name) {
                    self.group_key_error(e, scope);
                    return (IrExpr::Const(Const::Value(Value::Empty)), Type::Error);
                }
            }
        }
        let (base_ir, base_ty) = self.check_expr(base, scope);
        match base_ty {
            Type::Record(ds) => {
                let dataset = &self.schema.datasets[ds];
                if let Some(fi) = dataset.field_index(&field.name) {
                    let t = Type::of_field(self.schema, ds, fi);
                    (
                        IrExpr::Field {
                            base: Box::new(base_ir),
                            dataset: ds,
                            field: fi,
                        },
                        t,
                    )
                } else {
                    let help = super::items::field_hint(dataset, &field.name);
                    let code = Self::unknown(scope, ErrorCode::UnknownField);
                    self.error(
                        PolicyError::new(
                            code,
                            field.span,
                            format!("dataset `{}` has no field `{}`", dataset.name, field.name),
                        )
                        .label("unknown field")
                        .help_opt(help.or_else(|| {
                            Some(format!(
                                "the fields of `{}` are: {}",
                                dataset.name,
                                dataset.field_names().collect::<Vec<_>>().join(", ")
                            ))
                        })),
                    );
                    (IrExpr::Const(Const::Value(Value::Empty)), Type::Error)
                }
            }
            Type::Error => (IrExpr::Const(Const::Value(Value::Empty)), Type::Error),
            other => {
                let t = self.ty(&other);
                self.type_error(
                    e,
                    format!("`.{}` needs a record, but this is {t}", field.name),
                    "not a record".into(),
                );
                (IrExpr::Const(Const::Value(Value::Empty)), Type::Error)
            }
        }
    }

    fn index(
        &mut self,
        e: &Expr,
        base: &Expr,
        keys: &[Expr],
        valid_on: Option<&Expr>,
        scope: &Scope<'_>,
    ) -> (IrExpr, Type) {
        let err = (IrExpr::Const(Const::Value(Value::Empty)), Type::Error);
        // A dataset lookup, unless the name is shadowed by a variable, let or parameter.
        if let ExprKind::Name(id) = &base.kind {
            let shadowed = scope.var.is_some_and(|(v, _)| v == id.name)
                || scope.lets.iter().any(|l| l.name == id.name)
                || self.param_index(&id.name).is_some();
            if !shadowed {
                if let Some(ds) = self.schema.dataset_index(&id.name) {
                    return self.lookup(e, ds, keys, valid_on, scope);
                }
                {
                    let help = super::items::dataset_hint(
                        self.schema,
                        &id.name,
                        self.schema
                            .dataset_names()
                            .chain(self.params.iter().map(|p| p.name.as_str())),
                    );
                    self.error(
                        PolicyError::new(
                            ErrorCode::UnknownDataset,
                            id.span,
                            format!("unknown dataset `{}`", id.name),
                        )
                        .label("no such dataset or map parameter")
                        .help_opt(help.or_else(|| {
                            Some(format!(
                                "the datasets are: {}",
                                self.schema.dataset_names().collect::<Vec<_>>().join(", ")
                            ))
                        })),
                    );
                    return err;
                }
            }
        }
        let (map_ir, map_ty) = self.check_expr(base, scope);
        match map_ty {
            Type::Map(kt, vt) => {
                if keys.len() != 1 {
                    self.error(
                        PolicyError::new(
                            ErrorCode::LookupArity,
                            e.span,
                            format!("a map is looked up by one key, not {}", keys.len()),
                        )
                        .label("one key expected"),
                    );
                    return err;
                }
                if let Some(v) = valid_on {
                    self.type_error(
                        v,
                        "`valid_on` applies to dataset lookups, not to maps".into(),
                        "not allowed here".into(),
                    );
                }
                let (k_ir, k_ty) = self.check_expr(&keys[0], scope);
                if !k_ty.comparable(&kt) {
                    let (a, b) = (self.ty(&k_ty), self.ty(&kt));
                    self.error(
                        PolicyError::new(
                            ErrorCode::LookupKeyType,
                            keys[0].span,
                            format!("this map's keys are {b}, but the key given is {a}"),
                        )
                        .label(format!("expected {b}")),
                    );
                }
                (
                    IrExpr::MapGet {
                        map: Box::new(map_ir),
                        key: Box::new(k_ir),
                    },
                    *vt,
                )
            }
            Type::Error => err,
            other => {
                let t = self.ty(&other);
                self.type_error(
                    e,
                    format!("cannot look up in {t}"),
                    "not a dataset or a map".into(),
                );
                err
            }
        }
    }

    fn lookup(
        &mut self,
        e: &Expr,
        ds: usize,
        keys: &[Expr],
        valid_on: Option<&Expr>,
        scope: &Scope<'_>,
    ) -> (IrExpr, Type) {
        let dataset = &self.schema.datasets[ds];
        let lookup_fields = dataset.lookup.clone();
        if keys.len() != lookup_fields.len() {
            let name = dataset.name.clone();
            self.error(
                PolicyError::new(
                    ErrorCode::LookupArity,
                    e.span,
                    format!(
                        "`{name}` is looked up by {} key{} ({}), but {} {} given",
                        lookup_fields.len(),
                        if lookup_fields.len() == 1 { "" } else { "s" },
                        lookup_fields.join(", "),
                        keys.len(),
                        if keys.len() == 1 { "is" } else { "are" },
                    ),
                )
                .label(format!("expected {} key(s)", lookup_fields.len()))
                .help(format!("write `{name}[{}]`", lookup_fields.join(", "))),
            );
        }
        let mut key_irs = Vec::new();
        for (i, k) in keys.iter().enumerate() {
            let (ir, t) = self.check_expr(k, scope);
            key_irs.push(ir);
            if let Some(fname) = lookup_fields.get(i) {
                let fi = self.schema.datasets[ds].field_index(fname).unwrap_or(0);
                let want = Type::of_field(self.schema, ds, fi);
                if !t.comparable(&want) {
                    let (a, b) = (self.ty(&t), self.ty(&want));
                    self.error(
                        PolicyError::new(
                            ErrorCode::LookupKeyType,
                            k.span,
                            format!(
                                "key `{fname}` of `{}` is {b}, but this is {a}",
                                self.schema.datasets[ds].name
                            ),
                        )
                        .label(format!("expected {b}")),
                    );
                }
            }
        }
        let valid_ir = valid_on.map(|v| {
            let (ir, t) = self.check_expr(v, scope);
            if self.schema.datasets[ds].valid.is_none() {
                self.type_error(
                    v,
                    format!(
                        "`{}` records have no validity period, so `valid_on` does not apply",
                        self.schema.datasets[ds].name
                    ),
                    "no validity period".into(),
                );
            } else if !t.fits(&Type::Date) {
                let t = self.ty(&t);
                self.error(
                    PolicyError::new(
                        ErrorCode::TypeMismatch,
                        v.span,
                        format!("`valid_on` needs a date, found {t}"),
                    )
                    .label(format!("this is {t}"))
                    .help("take the date of a datetime with `date(…)`"),
                );
            }
            Box::new(ir)
        });
        (
            IrExpr::Lookup {
                dataset: ds,
                keys: key_irs,
                valid_on: valid_ir,
            },
            Type::Record(ds),
        )
    }

    fn call(
        &mut self,
        e: &Expr,
        func: &ast::Ident,
        args: &[Expr],
        scope: &Scope<'_>,
    ) -> (IrExpr, Type) {
        let err = (IrExpr::Const(Const::Value(Value::Empty)), Type::Error);
        let name = func.name.as_str();
        let agg = match name {
            "count" => Some(AggFunc::Count),
            "any" => Some(AggFunc::Any),
            "all" => Some(AggFunc::All),
            "sum" => Some(AggFunc::Sum),
            "min" => Some(AggFunc::Min),
            "max" => Some(AggFunc::Max),
            "first" => Some(AggFunc::First),
            "ratio" => Some(AggFunc::Ratio),
            _ => None,
        };
        if let Some(agg) = agg {
            return self.aggregate(e, func, agg, args, scope);
        }
        if name == "fires" {
            return self.fires(e, args, scope);
        }
        let (f, arity): (Func, usize) = match name {
            "date" => (Func::Date, 1),
            "workdays" => (Func::Workdays, 2),
            "days" => (Func::Days, 2),
            "age" => (Func::Age, 2),
            "add_years" => (Func::AddYears, 2),
            "add_months" => (Func::AddMonths, 2),
            "add_days" => (Func::AddDays, 2),
            "year" => (Func::Year, 1),
            "month" => (Func::Month, 1),
            "len" => (Func::Len, 1),
            "contains" => (Func::Contains, 2),
            "coalesce" => (Func::Coalesce, 2),
            _ => {
                self.error(
                    PolicyError::new(
                        ErrorCode::UnknownFunction,
                        func.span,
                        format!("unknown function `{name}`"),
                    )
                    .label("no such function")
                    .help_opt(
                        did_you_mean(name, FUNCTIONS.iter().copied())
                            .map(|s| format!("did you mean `{s}`?"))
                            .or_else(|| {
                                Some(format!("the functions are: {}", FUNCTIONS.join(", ")))
                            }),
                    ),
                );
                for a in args {
                    self.check_expr(a, scope);
                }
                return err;
            }
        };
        if args.len() != arity {
            self.error(
                PolicyError::new(
                    ErrorCode::WrongArgumentCount,
                    e.span,
                    format!(
                        "`{name}` takes {arity} argument{}, but {} {} given",
                        if arity == 1 { "" } else { "s" },
                        args.len(),
                        if args.len() == 1 { "is" } else { "are" }
                    ),
                )
                .label(format!("{arity} expected")),
            );
            return err;
        }
        let checked: Vec<(IrExpr, Type)> = args.iter().map(|a| self.check_expr(a, scope)).collect();
        let dateish =
            |t: &Type| matches!(t, Type::Date | Type::DateTime | Type::Null | Type::Error);
        let date_only = |t: &Type| matches!(t, Type::Date | Type::Null | Type::Error);
        let intish = |t: &Type| matches!(t, Type::Int | Type::Null | Type::Error);
        let bad = |this: &mut Self, i: usize, want: &str| {
            let t = this.ty(&checked[i].1);
            this.error(
                PolicyError::new(
                    ErrorCode::TypeMismatch,
                    args[i].span,
                    format!("argument {} of `{name}` must be {want}, found {t}", i + 1),
                )
                .label(format!("this is {t}")),
            );
        };
        let ty = match f {
            Func::Date => {
                if !dateish(&checked[0].1) {
                    bad(self, 0, "a date or datetime");
                }
                Type::Date
            }
            Func::Workdays | Func::Days => {
                for i in 0..2 {
                    if !dateish(&checked[i].1) {
                        bad(self, i, "a date or datetime");
                    }
                }
                Type::Int
            }
            Func::Age => {
                for i in 0..2 {
                    if !dateish(&checked[i].1) {
                        bad(self, i, "a date");
                    }
                }
                Type::Int
            }
            Func::AddYears | Func::AddMonths | Func::AddDays => {
                if !date_only(&checked[0].1) {
                    bad(self, 0, "a date");
                }
                if !intish(&checked[1].1) {
                    bad(self, 1, "a whole number");
                }
                Type::Date
            }
            Func::Year | Func::Month => {
                if !dateish(&checked[0].1) {
                    bad(self, 0, "a date or datetime");
                }
                Type::Int
            }
            Func::Len => {
                if !(checked[0].1.is_stringy()
                    || matches!(checked[0].1, Type::List(_) | Type::Null | Type::Error))
                {
                    bad(self, 0, "a string or a list");
                }
                Type::Int
            }
            Func::Contains => {
                for i in 0..2 {
                    if !checked[i].1.fits(&Type::Str) {
                        bad(self, i, "a string");
                    }
                }
                Type::Bool
            }
            Func::Coalesce => {
                if let Some(t) = checked[0].1.join(&checked[1].1) {
                    t
                } else {
                    bad(
                        self,
                        1,
                        &format!("of the type of the first ({})", self.ty(&checked[0].1)),
                    );
                    Type::Error
                }
            }
        };
        (
            IrExpr::Call {
                func: f,
                args: checked.into_iter().map(|(ir, _)| ir).collect(),
            },
            ty,
        )
    }

    fn aggregate(
        &mut self,
        e: &Expr,
        func: &ast::Ident,
        agg: AggFunc,
        args: &[Expr],
        scope: &Scope<'_>,
    ) -> (IrExpr, Type) {
        let err = (IrExpr::Const(Const::Value(Value::Empty)), Type::Error);
        let name = func.name.as_str();
        if scope.ctx != Ctx::Group {
            let message = if scope.ctx == Ctx::Aggregate {
                format!("`{name}` inside another aggregate")
            } else {
                format!("the aggregate `{name}` is used outside a group rule")
            };
            self.error(
                PolicyError::new(ErrorCode::AggregateOutsideGroup, e.span, message)
                    .label("aggregates need a group")
                    .help("aggregates (count, any, all, sum, min, max, ratio) stand after `group by`, in `require`, `when`, `let` or `message`"),
            );
            return err;
        }
        let (min_args, max_args) = if agg == AggFunc::Count {
            (0, 1)
        } else {
            (1, 1)
        };
        if args.len() < min_args || args.len() > max_args {
            self.error(
                PolicyError::new(
                    ErrorCode::WrongArgumentCount,
                    e.span,
                    format!(
                        "`{name}` takes {} argument, but {} {} given",
                        if agg == AggFunc::Count {
                            "at most one"
                        } else {
                            "one"
                        },
                        args.len(),
                        if args.len() == 1 { "is" } else { "are" }
                    ),
                )
                .label("wrong number of arguments"),
            );
            return err;
        }
        let inner = scope.with_ctx(Ctx::Aggregate);
        let arg = args.first().map(|a| self.check_expr(a, &inner));
        let ty = match (agg, &arg) {
            (AggFunc::Count, None) => Type::Int,
            (AggFunc::Count | AggFunc::Any | AggFunc::All | AggFunc::Ratio, Some((_, t))) => {
                if !t.fits(&Type::Bool) {
                    let t = self.ty(t);
                    self.type_error(
                        &args[0],
                        format!("`{name}` needs a condition (bool), found {t}"),
                        format!("this is {t}"),
                    );
                }
                match agg {
                    AggFunc::Count => Type::Int,
                    AggFunc::Ratio => Type::Decimal,
                    _ => Type::Bool,
                }
            }
            // A value aggregate of the argument's type; a wrong type is
            // reported once, and what uses the result is not checked again.
            (AggFunc::Sum | AggFunc::Min | AggFunc::Max | AggFunc::First, Some((_, t))) => {
                let (fits, needs) = match agg {
                    AggFunc::Sum => (t.is_numeric(), "a number"),
                    AggFunc::First => (
                        !matches!(t, Type::List(_) | Type::Map(..) | Type::Record(_)),
                        "a value of a field",
                    ),
                    _ => (
                        !matches!(
                            t,
                            Type::Bool | Type::List(_) | Type::Map(..) | Type::Record(_)
                        ),
                        "a number, date or string",
                    ),
                };
                if fits {
                    t.clone()
                } else {
                    let t = self.ty(t);
                    self.type_error(
                        &args[0],
                        format!("`{name}` needs {needs}, found {t}"),
                        format!("this is {t}"),
                    );
                    Type::Error
                }
            }
            _ => Type::Error,
        };
        (
            IrExpr::Agg {
                func: agg,
                arg: arg.map(|(ir, _)| Box::new(ir)),
            },
            ty,
        )
    }

    fn fires(&mut self, e: &Expr, args: &[Expr], scope: &Scope<'_>) -> (IrExpr, Type) {
        let err = (IrExpr::Const(Const::Value(Value::Empty)), Type::Error);
        let [arg] = args else {
            self.error(
                PolicyError::new(
                    ErrorCode::WrongArgumentCount,
                    e.span,
                    "`fires` takes one rule code, as in `fires(H003)`",
                )
                .label("one rule code expected"),
            );
            return err;
        };
        let (ExprKind::Code(code) | ExprKind::Name(code)) = &arg.kind else {
            self.error(
                PolicyError::new(
                    ErrorCode::BadFires,
                    arg.span,
                    "`fires` takes a rule code, as in `fires(H003)`",
                )
                .label("not a rule code"),
            );
            return err;
        };
        let Some(idx) = self.rule_index(&code.name) else {
            let help = self.unknown_code_help(&code.name);
            self.error(
                PolicyError::new(
                    ErrorCode::BadFires,
                    code.span,
                    format!("no rule has the code `{}`", code.name),
                )
                .label("unknown rule code")
                .help_opt(help),
            );
            return err;
        };
        let target = &self.rule_codes[idx];
        let Some((_, ds)) = scope.var.filter(|_| scope.ctx != Ctx::Group) else {
            self.error(
                PolicyError::new(ErrorCode::BadFires, e.span, "`fires` needs the record it judges")
                    .label("no record here")
                    .help("use `fires(…)` in `when`, `require` or `ratio` of a rule or metric ranging over the same dataset, or inside an aggregate"),
            );
            return err;
        };
        if target.dataset != Some(ds) || target.is_group || target.is_metric {
            let why = if target.is_metric {
                "it is a metric".to_string()
            } else if target.is_group {
                "it is a group rule".to_string()
            } else {
                "it ranges over another dataset".to_string()
            };
            self.error(
                PolicyError::new(
                    ErrorCode::BadFires,
                    code.span,
                    format!("`{}` cannot judge this record: {why}", code.name),
                )
                .label("not a per-record rule over this dataset"),
            );
            return err;
        }
        if let Some(from) = self.current_rule {
            self.fires_edges.push((from, idx, self.current, code.span));
        }
        (IrExpr::Fires(idx), Type::Bool)
    }

    fn binary(&mut self, op: BinOp, lhs: &Expr, rhs: &Expr, scope: &Scope<'_>) -> (IrExpr, Type) {
        match op {
            BinOp::And | BinOp::Or => {
                let l = self.check_bool(lhs, scope);
                let r = self.check_bool(rhs, scope);
                let ir = if op == BinOp::And {
                    IrExpr::And(Box::new(l), Box::new(r))
                } else {
                    IrExpr::Or(Box::new(l), Box::new(r))
                };
                (ir, Type::Bool)
            }
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => {
                let (l, lt) = self.check_expr(lhs, scope);
                let (r, rt) = self.check_expr(rhs, scope);
                // An operand in error (reported here or below) makes the
                // result an error too, so that what contains it is not
                // reported again (`date(x) + 1 > as_of`: one mistake).
                let mut wrong = lt == Type::Error || rt == Type::Error;
                for (side, t) in [(lhs, &lt), (rhs, &rt)] {
                    if !t.is_numeric() {
                        wrong = true;
                        let t = self.ty(t);
                        let help = if matches!(t.as_str(), "date" | "datetime") {
                            Some(
                                "for dates use `days(a, b)`, `workdays(a, b)` or `add_days(d, n)`"
                                    .to_string(),
                            )
                        } else {
                            None
                        };
                        self.error(
                            PolicyError::new(
                                ErrorCode::TypeMismatch,
                                side.span,
                                format!("`{}` needs numbers, found {t}", op.as_str()),
                            )
                            .label(format!("this is {t}"))
                            .help_opt(help),
                        );
                    }
                }
                if !wrong && op != BinOp::Div {
                    // (`9223372036854775807 + 1`: constant, and past 64 bits.)
                    if let (Some(Some(Value::Int(a))), Some(Some(Value::Int(b)))) =
                        (Self::fold(lhs, scope), Self::fold(rhs, scope))
                    {
                        let fits = match op {
                            BinOp::Add => a.checked_add(b),
                            BinOp::Sub => a.checked_sub(b),
                            _ => a.checked_mul(b),
                        };
                        if fits.is_none() {
                            wrong = true;
                            self.overflow(Span::new(lhs.span.start, rhs.span.end));
                        }
                    }
                }
                if op == BinOp::Div && !wrong && Self::is_literal_zero(rhs, scope) {
                    wrong = true;
                    self.error(
                        PolicyError::new(
                            ErrorCode::DivisionByZero,
                            Span::new(lhs.span.end, rhs.span.end),
                            "division by zero",
                        )
                        .label("the divisor is zero")
                        .help("a division by zero has no value: the rule would be undetermined on every record"),
                    );
                }
                let ty = if wrong {
                    Type::Error
                } else if op != BinOp::Div && lt == Type::Int && rt == Type::Int {
                    Type::Int
                } else {
                    Type::Decimal
                };
                let aop = match op {
                    BinOp::Add => ArithOp::Add,
                    BinOp::Sub => ArithOp::Sub,
                    BinOp::Mul => ArithOp::Mul,
                    _ => ArithOp::Div,
                };
                (IrExpr::Arith(aop, Box::new(l), Box::new(r)), ty)
            }
        }
    }

    /// Constant arithmetic at `span` past 64 bits.
    fn overflow(&mut self, span: Span) {
        self.error(
            PolicyError::new(
                ErrorCode::BadLiteral,
                span,
                "this constant expression does not fit a 64-bit integer",
            )
            .label("overflows")
            .help("it has no value: the rule would be undetermined on every record (计算溢出)"),
        );
    }

    /// A constant zero (`0`, `0.0`, `0%`, `(-0)`, `1 - 1`, a `let` of one).
    fn is_literal_zero(e: &Expr, scope: &Scope<'_>) -> bool {
        match Self::fold(e, scope) {
            Some(Some(Value::Int(n))) => n == 0,
            Some(Some(Value::Decimal(x))) => x == 0.0,
            _ => false,
        }
    }

    /// The value of a constant number expression (literals, parentheses,
    /// `-`, `+ - * /`, the names of `let`s of such in `scope`): `None` when it
    /// is no constant number, `Some(None)` when it has no value (past 64 bits,
    /// a division by zero).
    #[allow(clippy::option_option)] // (Not constant; constant without a value; its value.)
    pub(super) fn fold(e: &Expr, scope: &Scope<'_>) -> Option<Option<Value>> {
        match &e.kind {
            ExprKind::Paren(inner) => Self::fold(inner, scope),
            // (Names resolve as `name` resolves them: the record variable
            // first, then the latest `let`.)
            ExprKind::Name(id) if scope.var.is_none_or(|(v, _)| v != id.name) => scope
                .lets
                .iter()
                .rev()
                .find(|l| l.name == id.name)?
                .number
                .clone()
                .map(Some),
            ExprKind::Neg(inner) => Some(match Self::fold(inner, scope)? {
                Some(Value::Int(n)) => n.checked_neg().map(Value::Int),
                Some(Value::Decimal(x)) => Some(Value::Decimal(-x)),
                _ => None,
            }),
            ExprKind::Binary { op, lhs, rhs }
                if matches!(op, BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div) =>
            {
                let (a, b) = (Self::fold(lhs, scope)?, Self::fold(rhs, scope)?);
                let (Some(a), Some(b)) = (a, b) else {
                    return Some(None);
                };
                let num = |v: &Value| match v {
                    Value::Int(n) => Some(*n as f64),
                    Value::Decimal(x) => Some(*x),
                    _ => None,
                };
                Some(match (op, &a, &b) {
                    (BinOp::Add, Value::Int(x), Value::Int(y)) => x.checked_add(*y).map(Value::Int),
                    (BinOp::Sub, Value::Int(x), Value::Int(y)) => x.checked_sub(*y).map(Value::Int),
                    (BinOp::Mul, Value::Int(x), Value::Int(y)) => x.checked_mul(*y).map(Value::Int),
                    _ => {
                        let (x, y) = (num(&a)?, num(&b)?);
                        let v = match op {
                            BinOp::Add => x + y,
                            BinOp::Sub => x - y,
                            BinOp::Mul => x * y,
                            _ if y == 0.0 => return Some(None),
                            _ => x / y,
                        };
                        Some(Value::Decimal(v))
                    }
                })
            }
            _ => match Self::const_value(e)? {
                Const::Value(v @ (Value::Int(_) | Value::Decimal(_))) => Some(Some(v)),
                _ => None,
            },
        }
    }

    /// An enum compared with a string literal it never takes.
    fn check_enum_literal(&mut self, ty: &Type, other: &Expr) {
        let Type::Enum(d, f) = ty else { return };
        let ExprKind::Lit(Literal::Str(s)) = &unparen(other).kind else {
            return;
        };
        let field = &self.schema.datasets[*d].fields[*f];
        if field.values.iter().any(|v| v == s) || field.value_aliases.contains_key(s) {
            return;
        }
        let help = did_you_mean(s, field.values.iter().map(String::as_str)).map_or_else(
            || {
                format!(
                    "the values of `{}` are: {}",
                    field.name,
                    field.values.join(", ")
                )
            },
            |c| format!("did you mean \"{c}\"?"),
        );
        let message = format!(
            "`{}.{}` never has the value \"{s}\"",
            self.schema.datasets[*d].name, field.name
        );
        self.error(
            PolicyError::new(ErrorCode::UnknownEnumValue, other.span, message)
                .label("not one of its values")
                .help(help),
        );
    }

    fn cmp(
        &mut self,
        e: &Expr,
        op: CmpOp,
        lhs: &Expr,
        rhs: &Expr,
        scope: &Scope<'_>,
    ) -> (IrExpr, Type) {
        let (l, lt) = self.check_expr(lhs, scope);
        let (r, rt) = self.check_expr(rhs, scope);
        let ir = IrExpr::Cmp(op, Box::new(l), Box::new(r));
        if lt == Type::Null || rt == Type::Null {
            self.none_compared(e, op, lhs, rhs, &lt);
            return (ir, Type::Bool);
        }
        if self.blank_compared(e, op, lhs, rhs) {
            return (ir, Type::Bool);
        }
        if lt != Type::Error && rt != Type::Error && (lt.is_collection() || rt.is_collection()) {
            self.collection_compared(e, op, (lhs, &lt), (rhs, &rt));
            return (ir, Type::Bool);
        }
        if lt.comparable(&rt) {
            self.check_enum_literal(&lt, rhs);
            self.check_enum_literal(&rt, lhs);
            if matches!(op, CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge)
                && (lt == Type::Bool || rt == Type::Bool)
            {
                self.type_error(
                    e,
                    format!("`{}` does not order booleans", op.as_str()),
                    "use == or !=".into(),
                );
            }
        } else {
            let (a, b) = (self.ty(&lt), self.ty(&rt));
            let help = match (&lt, &rt) {
                (Type::Date, Type::DateTime) | (Type::DateTime, Type::Date) => {
                    Some("take the date of the datetime with `date(…)`".to_string())
                }
                (Type::Date | Type::DateTime, t) | (t, Type::Date | Type::DateTime)
                    if t.is_stringy() =>
                {
                    Some("write a date literal without quotes: 2025-03-01".to_string())
                }
                (Type::Bool, t) | (t, Type::Bool) if t.is_stringy() => {
                    // `item.in_center == "是"`: the export's 是/否 are read
                    // as a yes/no value.
                    let flag = if lt == Type::Bool { lhs } else { rhs };
                    let x = crate::fmt::expr_to_string(flag);
                    Some(format!(
                        "`{x}` is a yes/no value (the export's 是/否 are read as one): write `{x}` for 是 and `not {x}` for 否"
                    ))
                }
                _ => None,
            };
            self.error(
                PolicyError::new(
                    ErrorCode::TypeMismatch,
                    e.span,
                    format!("cannot compare {a} with {b}"),
                )
                .label(format!("{a} {} {b}", op.as_str()))
                .help_opt(help),
            );
        }
        (ir, Type::Bool)
    }

    /// `x == none`, `x != none`, `none < 1`: a missing value compares with
    /// nothing, so the comparison would be undetermined on every record.
    fn none_compared(&mut self, e: &Expr, op: CmpOp, lhs: &Expr, rhs: &Expr, lt: &Type) {
        let other = if *lt == Type::Null { rhs } else { lhs };
        let x = if Self::const_value(other).is_some() {
            "x".to_string()
        } else {
            crate::fmt::expr_to_string(other)
        };
        let help = match op {
            CmpOp::Eq => format!("to test for a missing value, write `{x} is none`"),
            CmpOp::Ne => format!("to test for a present value, write `{x} is not none`"),
            _ => format!(
                "`none` has no order; test for a missing value with `{x} is none` or `{x} is not none`"
            ),
        };
        self.error(
            PolicyError::new(
                ErrorCode::TypeMismatch,
                e.span,
                format!(
                    "`{}` with `none` is never true or false: `none` is a missing value, and a comparison with a missing value is unknown",
                    op.as_str()
                ),
            )
            .label("compared with `none`")
            .help(help),
        );
    }

    /// `case.refusal_reason == ""`, `item.fee_standard != " "`: a cell with
    /// no text is read as an empty value, which compares with nothing, so
    /// a field compared with a blank text is never true (`==`) or never
    /// false (`!=`), and unknown on every empty cell. Whether reported.
    fn blank_compared(&mut self, e: &Expr, op: CmpOp, lhs: &Expr, rhs: &Expr) -> bool {
        fn unparen(e: &Expr) -> &Expr {
            match &e.kind {
                ExprKind::Paren(inner) => unparen(inner),
                _ => e,
            }
        }
        let blank = |x: &Expr| {
            matches!(&unparen(x).kind, ExprKind::Lit(Literal::Str(t))
                if crate::read::normalize::trim(t).is_empty())
        };
        let field = |x: &Expr| matches!(unparen(x).kind, ExprKind::Field(..));
        let other = match (blank(lhs), blank(rhs)) {
            (false, true) if field(lhs) => lhs,
            (true, false) if field(rhs) => rhs,
            _ => return false,
        };
        let (x, written) = (
            crate::fmt::expr_to_string(unparen(other)),
            if blank(lhs) { lhs } else { rhs },
        );
        let text = crate::fmt::expr_to_string(written);
        let help = match op {
            CmpOp::Eq => format!("to test for an empty cell, write `{x} is empty`"),
            CmpOp::Ne => format!("to test for a cell with text, write `{x} is not empty`"),
            _ => format!("test for an empty cell with `{x} is empty` or `{x} is not empty`"),
        };
        self.error(
            PolicyError::new(
                ErrorCode::TypeMismatch,
                e.span,
                format!(
                    "`{}` with {text} is never decided on an empty cell: a cell with no text is read as an empty value, not as the text {text}, and a comparison with an empty value is unknown",
                    op.as_str()
                ),
            )
            .label(format!("compared with {text}"))
            .help(help),
        );
        true
    }

    /// A list, map or record on either side of a comparison: they are no
    /// single values, and neither evaluator compares them.
    fn collection_compared(
        &mut self,
        e: &Expr,
        op: CmpOp,
        (lhs, lt): (&Expr, &Type),
        (rhs, rt): (&Expr, &Type),
    ) {
        let (a, b) = (self.ty(lt), self.ty(rt));
        let (coll, coll_ty, other, other_ty) = if lt.is_collection() {
            (lhs, lt, rhs, rt)
        } else {
            (rhs, rt, lhs, lt)
        };
        let what = match coll_ty {
            Type::List(_) => "lists",
            Type::Map(..) => "maps",
            _ => "records",
        };
        let (c, o) = (
            crate::fmt::expr_to_string(coll),
            crate::fmt::expr_to_string(other),
        );
        let ne = op == CmpOp::Ne;
        let help = match (coll_ty, other_ty) {
            (Type::List(_), t) if !t.is_collection() && matches!(op, CmpOp::Eq | CmpOp::Ne) => {
                format!(
                    "to test whether a value is one of the list's, write `{o} {}in {c}`",
                    if ne { "not " } else { "" }
                )
            }
            (Type::List(_), _) => {
                "to test whether a value is one of a list's, write `x in list`".to_string()
            }
            (Type::Map(..), _) => format!("look a value up in the map: `{c}[key]`"),
            (Type::Record(ds), _) => {
                let d = &self.schema.datasets[*ds];
                match d.key.first() {
                    Some(k) => format!("compare a field of the record: did you mean `{c}.{k}`?"),
                    None => "compare a field of the record".to_string(),
                }
            }
            _ => String::new(),
        };
        self.error(
            PolicyError::new(
                ErrorCode::TypeMismatch,
                e.span,
                format!(
                    "cannot compare {a} with {b}: {what} are not compared with `{}`",
                    op.as_str()
                ),
            )
            .label(format!("{a} {} {b}", op.as_str()))
            .help(help),
        );
    }

    fn in_test(
        &mut self,
        e: &Expr,
        negated: bool,
        lhs: &Expr,
        rhs: &Expr,
        scope: &Scope<'_>,
    ) -> (IrExpr, Type) {
        let (l, lt) = self.check_expr(lhs, scope);
        let (r, rt) = self.check_expr(rhs, scope);
        let elem = match &rt {
            Type::List(t) | Type::Map(t, _) => Some((**t).clone()),
            Type::Error | Type::Null => Some(Type::Error),
            _ => None,
        };
        if let Some(t) = elem {
            if !lt.comparable(&t) {
                let (a, b) = (self.ty(&lt), self.ty(&t));
                self.type_error(
                    e,
                    format!("cannot look for {a} among {b} values"),
                    format!("{a} in {}", self.ty(&rt)),
                );
            }
            if let ExprKind::List(items) = &unparen(rhs).kind {
                for item in items {
                    self.check_enum_literal(&lt, item);
                }
            }
        } else {
            let t = self.ty(&rt);
            self.type_error(
                rhs,
                format!("`in` needs a list or a map, found {t}"),
                format!("this is {t}"),
            );
        }
        (
            IrExpr::In {
                negated,
                item: Box::new(l),
                set: Box::new(r),
            },
            Type::Bool,
        )
    }
}
