//! Checking the items around the rules: the policy header, parameters, the
//! first pass over rule codes, and tests.

use crate::ast::{
    self, ClauseKind, ExprKind, Item, Literal, PolicyFile, RuleKind, TestStmtKind, TypeExpr,
};
use crate::diagnostics::{did_you_mean, suggestion, ErrorCode, PolicyError};
use crate::ir::{Const, Expectation, ExpectedRate, ParamDef, PolicyInfo, TestDef};
use crate::schema::{Dataset, FieldType, Schema};
use crate::value::Value;

use super::expr::{Ctx, Scope};
use super::types::Type;
use super::{Checker, RuleCodeInfo};

const HEADER_FIELDS: &[&str] = &["title", "issuer", "number", "issued", "effective"];
const TYPES: &[&str] = &[
    "bool", "int", "decimal", "percent", "string", "date", "datetime", "list", "map",
];

impl Checker<'_> {
    pub(super) fn header(&mut self, file: &PolicyFile, name: &str) -> PolicyInfo {
        let headers: Vec<&ast::PolicyHeader> = file
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Policy(h) => Some(h),
                _ => None,
            })
            .collect();
        let mut info = PolicyInfo {
            file: name.to_string(),
            ..PolicyInfo::default()
        };
        let Some(h) = headers.first() else {
            self.error(
                PolicyError::new(
                    ErrorCode::PolicyHeader,
                    ast::Span::new(0, 0),
                    "the file has no `policy` header",
                )
                .label("a policy file starts with its header")
                .help("add `policy my_policy { title \"…\" }` at the top"),
            );
            return info;
        };
        for extra in &headers[1..] {
            self.error(
                PolicyError::new(
                    ErrorCode::PolicyHeader,
                    extra.id.span,
                    "a file has one `policy` header",
                )
                .label("second header")
                .related(h.id.span, "first header"),
            );
        }
        info.id.clone_from(&h.id.name);
        info.docs.clone_from(&h.docs);
        let mut seen: Vec<&str> = Vec::new();
        for f in &h.fields {
            let n = f.name.name.as_str();
            if seen.contains(&n) {
                self.error(
                    PolicyError::new(
                        ErrorCode::BadHeader,
                        f.name.span,
                        format!("`{n}` is given twice"),
                    )
                    .label("repeated"),
                );
                continue;
            }
            seen.push(n);
            let ExprKind::Lit(lit) = &f.value.kind else {
                continue;
            };
            match (n, lit) {
                ("title", Literal::Str(s)) => info.title = Some(s.clone()),
                ("issuer", Literal::Str(s)) => info.issuer = Some(s.clone()),
                ("number", Literal::Str(s)) => info.number = Some(s.clone()),
                ("issued", Literal::Date(d)) => info.issued = Some(*d),
                ("effective", Literal::Date(d)) => info.effective = Some(*d),
                // Reported when converted.
                ("title" | "issuer" | "number" | "issued" | "effective", Literal::Invalid(_)) => {}
                ("title" | "issuer" | "number", _) => self.type_error(
                    &f.value,
                    format!("the header's `{n}` is a string"),
                    "expected a string".into(),
                ),
                ("issued" | "effective", _) => self.type_error(
                    &f.value,
                    format!("the header's `{n}` is a date"),
                    "expected a date such as 2017-12-15".into(),
                ),
                _ => self.error(
                    PolicyError::new(
                        ErrorCode::BadHeader,
                        f.name.span,
                        format!("unknown header field `{n}`"),
                    )
                    .label("not a header field")
                    .help(suggestion(n, HEADER_FIELDS).unwrap_or_else(|| {
                        format!("the header fields are: {}", HEADER_FIELDS.join(", "))
                    })),
                ),
            }
        }
        info
    }

    pub(super) fn resolve_type(&mut self, t: &TypeExpr) -> Type {
        let n = t.name.name.as_str();
        let want_args = match n {
            "list" => 1,
            "map" => 2,
            _ => 0,
        };
        if !TYPES.contains(&n) {
            self.error(
                PolicyError::new(
                    ErrorCode::UnknownType,
                    t.name.span,
                    format!("unknown type `{n}`"),
                )
                .label("not a type")
                .help(
                    suggestion(n, TYPES)
                        .or_else(|| {
                            type_of_other_languages(n).map(|t| format!("did you mean `{t}`?"))
                        })
                        .unwrap_or_else(|| format!("the types are: {}", TYPES.join(", "))),
                ),
            );
            return Type::Error;
        }
        if t.args.len() != want_args {
            self.error(
                PolicyError::new(
                    ErrorCode::UnknownType,
                    t.span,
                    format!(
                        "`{n}` takes {want_args} type argument(s), found {}",
                        t.args.len()
                    ),
                )
                .label("wrong number of type arguments")
                .help("write list<string> or map<string, string>"),
            );
            return Type::Error;
        }
        match n {
            "bool" => Type::Bool,
            "int" => Type::Int,
            "decimal" | "percent" => Type::Decimal,
            "string" => Type::Str,
            "date" => Type::Date,
            "datetime" => Type::DateTime,
            "list" => Type::List(Box::new(self.element_type(&t.args[0], n))),
            _ => Type::Map(
                Box::new(self.element_type(&t.args[0], n)),
                Box::new(self.element_type(&t.args[1], n)),
            ),
        }
    }

    /// A type argument of a list or a map: a single value's type. A list or
    /// a map of lists or maps (`map<string, list<string>>`) is no type a
    /// value can be given in (a default, `--param`, `--params`), so it is
    /// refused here, not at run time.
    fn element_type(&mut self, t: &TypeExpr, outer: &str) -> Type {
        let ty = self.resolve_type(t);
        if matches!(ty, Type::List(_) | Type::Map(..)) {
            self.error(
                PolicyError::new(
                    ErrorCode::UnknownType,
                    t.span,
                    format!(
                        "a {outer} holds single values, not a `{}`",
                        t.name.name
                    ),
                )
                .label("a list or map inside a list or map")
                .help("a parameter is a single value, a list of single values (list<string>) or a map from single values to single values (map<string, int>); a rule needing more uses several parameters"),
            );
            return Type::Error;
        }
        ty
    }

    /// A constant of the wanted type, or an error at `e`.
    pub(super) fn const_of_type(
        &mut self,
        e: &ast::Expr,
        want: &Type,
        what: &str,
    ) -> Option<Const> {
        let scope = Scope {
            var: None,
            lets: &[],
            ctx: Ctx::Const,
            group_keys: &[],
            template: false,
        };
        let Some(c) = Self::const_value(e) else {
            // Not typed: a name here (a parameter included) is no mistake
            // of its own, only the reason the value is no literal.
            if let Some(text) = date_written_as_subtraction(e)
                .filter(|_| matches!(want, Type::Date | Type::DateTime))
            {
                self.error(
                    PolicyError::new(
                        ErrorCode::BadLiteral,
                        e.span,
                        format!("`{text}` is not a valid date"),
                    )
                    .label("not a date")
                    .help(
                        "write a date as year-month-day with a four-digit year, such as 2025-03-01",
                    ),
                );
            } else if !has_invalid_literal(e) {
                self.type_error(
                    e,
                    format!("{what} must be a literal value"),
                    "not a literal".into(),
                );
            }
            return None;
        };
        let (_, t) = self.check_expr(e, &scope);
        if !t.fits(want) {
            let (a, b) = (
                t.display(self.schema).to_string(),
                want.display(self.schema).to_string(),
            );
            self.type_error(
                e,
                format!("{what} must be {b}, found {a}"),
                format!("this is {a}"),
            );
            return None;
        }
        Some(match (c, want) {
            (Const::Value(Value::Int(n)), Type::Decimal) => Const::Value(Value::Decimal(n as f64)),
            (c, _) => c,
        })
    }

    /// A `percent` parameter's value in the policy (or a metric's target),
    /// refused as `--param` refuses it (`params::percent_misfit`): a
    /// negative one, and a bare number above 1 (`30`, meant as 30%, would
    /// be 3000%).
    pub(super) fn percent_fits(&mut self, e: &ast::Expr, c: &Const, what: &str) -> bool {
        let Const::Value(Value::Decimal(x)) = c else {
            return true;
        };
        let text = crate::fmt::expr_to_string(e);
        let misfit = crate::params::percent_misfit(*x, is_percent_literal(e));
        if misfit == Some(crate::params::PercentMisfit::Negative) {
            self.error(
                PolicyError::new(
                    ErrorCode::BadLiteral,
                    e.span,
                    format!("{what} is a percent, which cannot be negative: {text}"),
                )
                .label("negative")
                .help("write a percentage such as 30%, or a ratio between 0 and 1 such as 0.3"),
            );
            return false;
        }
        if misfit == Some(crate::params::PercentMisfit::OverOne) {
            let meant = crate::value::decimal_text(x / 100.0);
            self.error(
                PolicyError::new(
                    ErrorCode::BadLiteral,
                    e.span,
                    format!(
                        "{what} is a percent, and {text} is no ratio: it would mean {}%",
                        crate::value::decimal_text(x * 100.0)
                    ),
                )
                .label("a ratio above 1")
                .help(format!(
                    "write {text}% (that is {meant}), or a ratio between 0 and 1"
                )),
            );
            return false;
        }
        true
    }

    pub(super) fn declare_params(&mut self, file: &PolicyFile, name: &str) {
        for item in &file.items {
            let Item::Param(p) = item else { continue };
            if let Some(i) = self.param_index(&p.name.name) {
                let first = self.params[i].file.clone();
                self.error(
                    PolicyError::new(
                        ErrorCode::DuplicateName,
                        p.name.span,
                        format!("the parameter `{}` is declared twice", p.name.name),
                    )
                    .label("second declaration")
                    .help(format!(
                        "the first is in {first}; parameters are shared by all loaded policies"
                    )),
                );
                continue;
            }
            if self.schema.dataset(&p.name.name).is_some() {
                // Under a dataset's name the parameter would take the place
                // of the dataset in every policy loaded (`units[item.dept]`
                // in the shipped ones), each use an error far from here.
                self.error(
                    PolicyError::new(
                        ErrorCode::DuplicateName,
                        p.name.span,
                        format!("`{}` is the name of a dataset", p.name.name),
                    )
                    .label("hides the dataset")
                    .help(format!(
                        "give the parameter another name: under this one every lookup `{}[…]` of the loaded policies, the shipped ones too, would read the parameter",
                        p.name.name
                    )),
                );
                continue;
            }
            let ty = self.resolve_type(&p.ty);
            let percent = p.ty.name.name == "percent";
            let default = p.default.as_ref().and_then(|d| {
                let what = format!("the default of `{}`", p.name.name);
                let c = self.const_of_type(d, &ty, &what)?;
                (!percent || self.percent_fits(d, &c, &what)).then_some(c)
            });
            self.params.push(ParamDef {
                name: p.name.name.clone(),
                ty,
                percent,
                default,
                docs: p.docs.clone(),
                file: name.to_string(),
            });
        }
    }

    pub(super) fn declare_rules(&mut self, file: &PolicyFile, file_idx: usize) {
        for item in &file.items {
            let Item::Rule(r) = item else { continue };
            let code = r.code.name.as_str();
            let well_formed = match r.kind {
                RuleKind::Rule => code.len() == 4 && code[1..].chars().all(|c| c.is_ascii_digit()),
                RuleKind::Metric => {
                    code.len() == 3
                        && code.starts_with('M')
                        && code[1..].chars().all(|c| c.is_ascii_digit())
                }
            };
            if !well_formed {
                let (what, example) = match r.kind {
                    RuleKind::Rule => ("a rule code is a capital letter and three digits", "H001"),
                    RuleKind::Metric => ("a metric code is `M` and two digits", "M01"),
                };
                self.error(
                    PolicyError::new(
                        ErrorCode::BadCode,
                        r.code.span,
                        format!("`{code}` is not a valid code: {what}"),
                    )
                    .label("bad code")
                    .help(format!("for example `{example}`")),
                );
            }
            let name = r.name.name.as_str();
            if name.contains('_') || name.ends_with('-') || name.contains("--") {
                self.error(
                    PolicyError::new(
                        ErrorCode::BadCode,
                        r.name.span,
                        format!("`{name}` is not a kebab-case name"),
                    )
                    .label("names are lower case words joined by `-`")
                    .help(format!(
                        "write `{}`",
                        name.replace('_', "-").trim_end_matches('-')
                    )),
                );
            }
            if let Some(prev) = self.rule_index(code).map(|i| self.rule_codes[i].clone()) {
                let place = self.place(prev.file, prev.span);
                let mut e = PolicyError::new(
                    ErrorCode::DuplicateCode,
                    r.code.span,
                    format!("the code `{code}` is used twice"),
                )
                .label("second use")
                .help(format!(
                    "codes are stable identifiers and must be unique; the first use is at {place}"
                ));
                if prev.file == file_idx {
                    e = e.related(prev.span, "first use");
                }
                self.error(e);
                continue;
            }
            if let Some(prev) = self.rule_named(name).cloned() {
                let place = self.place(prev.file, prev.name_span);
                let mut e = PolicyError::new(
                    ErrorCode::DuplicateName,
                    r.name.span,
                    format!("the name `{name}` is already the name of {}", prev.code),
                )
                .label("second use")
                .help(format!(
                    "a name identifies one rule (`yimen explain {name}`); the first use is at {place}"
                ));
                if prev.file == file_idx {
                    e = e.related(prev.name_span, "first use");
                }
                self.error(e);
            }
            let mut dataset = None;
            let mut group_len = None;
            let mut key_clause_len = None;
            let mut has_per = false;
            for c in &r.clauses {
                match &c.kind {
                    ClauseKind::Per(_) => has_per = true,
                    ClauseKind::For { dataset: d, .. } => {
                        dataset = self.schema.dataset_index(&d.name);
                    }
                    ClauseKind::GroupBy(g) => group_len = Some(g.len()),
                    ClauseKind::Key(k) => key_clause_len = Some(k.len()),
                    _ => {}
                }
            }
            let record_key_len = dataset.map(|ds| {
                let d = &self.schema.datasets[ds];
                d.key.iter().filter(|k| d.field_index(k).is_some()).count()
            });
            let key_len = key_clause_len.or(group_len).or(record_key_len);
            self.declare_rule(RuleCodeInfo {
                code: code.to_string(),
                dataset,
                is_group: group_len.is_some(),
                is_metric: r.kind == RuleKind::Metric,
                has_per,
                key_len,
                record_key_len,
                file: file_idx,
                span: r.code.span,
                name: name.to_string(),
                name_span: r.name.span,
            });
        }
    }

    pub(super) fn unknown_dataset(&mut self, id: &ast::Ident) {
        let help =
            dataset_hint(self.schema, &id.name, self.schema.dataset_names()).unwrap_or_else(|| {
                format!(
                    "the datasets are: {}",
                    self.schema.dataset_names().collect::<Vec<_>>().join(", ")
                )
            });
        self.error(
            PolicyError::new(
                ErrorCode::UnknownDataset,
                id.span,
                format!("unknown dataset `{}`", id.name),
            )
            .label("no such dataset")
            .help(help),
        );
    }

    pub(super) fn test(&mut self, t: &ast::TestDecl, file: &str) -> TestDef {
        let here = self.current;
        let first = self
            .test_names
            .iter()
            .find(|(f, n, _)| *f == here && *n == t.name.value)
            .map(|(_, _, span)| *span);
        if let Some(first) = first {
            self.error(
                PolicyError::new(
                    ErrorCode::DuplicateName,
                    t.name.span,
                    format!("a test named \"{}\" is already in this file", t.name.value),
                )
                .label("second test of this name")
                .related(first, "the first")
                .help("give each test its own name: a failure is reported by it"),
            );
        } else {
            self.test_names
                .push((here, t.name.value.clone(), t.name.span));
        }
        let mut def = TestDef {
            name: t.name.value.clone(),
            file: file.to_string(),
            as_of: None,
            params: Vec::new(),
            fixtures: Vec::new(),
            expects: Vec::new(),
        };
        let mut as_of_at: Option<ast::Span> = None;
        let mut params_at: Vec<(&str, ast::Span)> = Vec::new();
        // Each code's expectations so far: (code, undetermined, none, where).
        let mut expects_at: Vec<(&str, bool, bool, ast::Span)> = Vec::new();
        for s in &t.stmts {
            match &s.kind {
                TestStmtKind::AsOf(e) => {
                    if let Some(first) = as_of_at {
                        self.error(
                            PolicyError::new(
                                ErrorCode::DuplicateClause,
                                s.span,
                                format!("`as_of` is given twice in the test \"{}\"", t.name.value),
                            )
                            .label("second")
                            .related(first, "first")
                            .help(
                                "a test runs on one audit date: remove one, or write another test",
                            ),
                        );
                        continue;
                    }
                    as_of_at = Some(s.span);
                    if let Some(Const::Value(Value::Date(d))) =
                        self.const_of_type(e, &Type::Date, "`as_of`")
                    {
                        def.as_of = Some(d);
                    }
                }
                TestStmtKind::Param { name, value } => {
                    if let Some(&(_, first)) = params_at.iter().find(|(n, _)| *n == name.name) {
                        self.error(
                            PolicyError::new(
                                ErrorCode::DuplicateClause,
                                s.span,
                                format!(
                                    "the parameter `{}` is set twice in the test \"{}\"",
                                    name.name, t.name.value
                                ),
                            )
                            .label("second")
                            .related(first, "first")
                            .help("a test gives a parameter one value: remove one, or write another test"),
                        );
                        continue;
                    }
                    params_at.push((&name.name, s.span));
                    let Some(i) = self.param_index(&name.name) else {
                        let help =
                            did_you_mean(&name.name, self.params.iter().map(|p| p.name.as_str()))
                                .map(|s| format!("did you mean `{s}`?"));
                        self.error(
                            PolicyError::new(
                                ErrorCode::UnknownParameter,
                                name.span,
                                format!("unknown parameter `{}`", name.name),
                            )
                            .label("no such parameter")
                            .help_opt(help),
                        );
                        continue;
                    };
                    let ty = self.params[i].ty.clone();
                    let what = format!("`{}`", name.name);
                    let Some(c) = self.const_of_type(value, &ty, &what) else {
                        continue;
                    };
                    if self.params[i].percent && !self.percent_fits(value, &c, &what) {
                        continue;
                    }
                    def.params.push((i, c));
                }
                TestStmtKind::Fixture { dataset, fields } => {
                    if let Some(rec) = self.fixture(dataset, fields) {
                        def.fixtures.push(rec);
                    }
                }
                TestStmtKind::Expect {
                    undetermined,
                    code,
                    key,
                } => {
                    self.expected_code(code);
                    self.contradicted(&mut expects_at, t, code, *undetermined, false, s.span);
                    self.expected_key(code, Some(key), *undetermined, s.span);
                    let key = key.iter().map(|k| k.value.clone()).collect();
                    let code = code.name.clone();
                    def.expects.push(if *undetermined {
                        Expectation::Undetermined { code, key }
                    } else {
                        Expectation::Finding { code, key }
                    });
                }
                TestStmtKind::ExpectMetric {
                    code,
                    dept,
                    value,
                    undetermined,
                    value_span,
                } => {
                    self.expected_code(code);
                    if let Some(rate) =
                        self.expected_metric(code, dept.as_ref(), value, *value_span)
                    {
                        def.expects.push(Expectation::Metric {
                            code: code.name.clone(),
                            dept: dept.as_ref().map(|d| d.value.clone()),
                            rate,
                            undetermined: undetermined.unwrap_or(0),
                        });
                    }
                }
                TestStmtKind::ExpectNone { undetermined, code } => {
                    self.expected_code(code);
                    self.contradicted(&mut expects_at, t, code, *undetermined, true, s.span);
                    self.expected_key(code, None, *undetermined, s.span);
                    let code = code.name.clone();
                    def.expects.push(if *undetermined {
                        Expectation::NoUndetermined { code }
                    } else {
                        Expectation::NoFinding { code }
                    });
                }
            }
        }
        // (An expectation the checker refused is reported already: the
        // test does expect something.)
        let expects_something = t.stmts.iter().any(|s| {
            matches!(
                s.kind,
                TestStmtKind::Expect { .. }
                    | TestStmtKind::ExpectNone { .. }
                    | TestStmtKind::ExpectMetric { .. }
            )
        });
        if !expects_something {
            self.error(
                PolicyError::new(
                    ErrorCode::MissingClause,
                    t.name.span,
                    format!("the test \"{}\" expects nothing, so it cannot fail", t.name.value),
                )
                .label("no `expect`")
                .help("say what the fixtures must give: `expect H001 on [\"C1\"]`, `expect no H001`, `expect undetermined H003 on [\"C5\"]`"),
            );
        }
        def
    }

    /// An expectation of `code` that an earlier one of the same test
    /// contradicts (`expect no H001` and `expect H001 on ["C1"]`; the same
    /// with `undetermined`): no run could pass the test, and `yimen test`
    /// would judge only one of them. `none`: this is an `expect no`.
    fn contradicted<'t>(
        &mut self,
        seen: &mut Vec<(&'t str, bool, bool, ast::Span)>,
        t: &ast::TestDecl,
        code: &'t ast::Ident,
        undetermined: bool,
        none: bool,
        span: ast::Span,
    ) {
        let other = seen
            .iter()
            .find(|&&(c, u, n, _)| c == code.name && u == undetermined && n != none);
        if let Some(&(_, _, _, first)) = other {
            let what = if undetermined {
                "undetermined verdicts"
            } else {
                "findings"
            };
            self.error(
                PolicyError::new(
                    ErrorCode::ContradictoryExpect,
                    span,
                    format!(
                        "the test \"{}\" expects both no {what} of {} and some",
                        t.name.value, code.name
                    ),
                )
                .label(if none { "expects none" } else { "expects some" })
                .related(first, if none { "expects some" } else { "expects none" })
                .help("no run can pass both: keep the one the fixtures should give"),
            );
        }
        seen.push((&code.name, undetermined, none, span));
    }

    /// An expected finding's key has as many values as the rule's findings
    /// have (else the test could never pass; an undetermined verdict of a
    /// group rule may also be keyed by its record), and a metric gives no
    /// findings at all.
    fn expected_key(
        &mut self,
        code: &ast::Ident,
        key: Option<&[ast::StrLit]>,
        undetermined: bool,
        span: ast::Span,
    ) {
        let Some(rule) = self.rule_index(&code.name).map(|i| &self.rule_codes[i]) else {
            return;
        };
        if rule.is_metric {
            let e = PolicyError::new(
                ErrorCode::ExpectKeyArity,
                code.span,
                format!("`{}` is a metric: it gives a rate, not findings", code.name),
            )
            .label("a metric")
            .help(format!(
                "expect its value: `expect {0} = 2 / 3` (records counted, numerator / denominator) or `expect {0} = 50%`",
                code.name
            ));
            self.error(e);
            return;
        }
        // (An unknown dataset is reported once, where the rule names it.)
        let (Some(n), Some(key), Some(_)) = (rule.key_len, key, rule.dataset) else {
            return;
        };
        let by_record = undetermined && rule.is_group && rule.record_key_len == Some(key.len());
        if key.len() != n && !by_record {
            let values = |k: usize| if k == 1 { "value" } else { "values" };
            let e = PolicyError::new(
                ErrorCode::ExpectKeyArity,
                span,
                format!(
                    "`{}` findings are keyed by {n} {}, this expectation gives {}",
                    code.name,
                    values(n),
                    key.len()
                ),
            )
            .label(format!("{} key {}", key.len(), values(key.len())))
            .help(format!(
                "write the key as the findings show it: {n} {} in `[…]`",
                values(n)
            ));
            self.error(e);
        }
    }

    /// An expected metric value names a metric (a department only of one
    /// with `per`) and a value a rate can have.
    fn expected_metric(
        &mut self,
        code: &ast::Ident,
        dept: Option<&ast::StrLit>,
        value: &ast::ExpectedRate,
        value_span: ast::Span,
    ) -> Option<ExpectedRate> {
        let rule = &self.rule_codes[self.rule_index(&code.name)?];
        if !rule.is_metric {
            let e = PolicyError::new(
                ErrorCode::ExpectKeyArity,
                code.span,
                format!("`{}` is a rule: it gives findings, not a rate", code.name),
            )
            .label("a rule")
            .help(format!(
                "expect its findings: `expect {0} on [\"…\"]`, or `expect no {0}`",
                code.name
            ));
            self.error(e);
            return None;
        }
        if let (Some(d), false) = (dept, rule.has_per) {
            let e = PolicyError::new(
                ErrorCode::ExpectKeyArity,
                d.span,
                format!(
                    "`{}` has no `per`: it gives the centre's value alone",
                    code.name
                ),
            )
            .label("no department's value to compare")
            .help(format!(
                "expect the centre's value: `expect {} = …`",
                code.name
            ));
            self.error(e);
            return None;
        }
        match value {
            ast::ExpectedRate::Counts {
                numerator,
                denominator,
            } => {
                if numerator > denominator {
                    self.error(
                        PolicyError::new(
                            ErrorCode::BadLiteral,
                            value_span,
                            format!("{numerator} / {denominator}: the numerator counts records of the denominator, so it is at most {denominator}"),
                        )
                        .label("more counted than there are")
                        .help("write the records the ratio holds for, then all the records counted: `2 / 3`"),
                    );
                    return None;
                }
                Some(ExpectedRate::Counts {
                    numerator: *numerator,
                    denominator: *denominator,
                })
            }
            ast::ExpectedRate::Percent(digits) => {
                let decimals = digits.split_once('.').map_or(0, |(_, f)| f.len());
                let scaled = digits.replace('.', "").parse::<u64>().ok();
                let within = u32::try_from(decimals).ok().filter(|&d| d <= 6);
                match (scaled, within) {
                    (Some(s), Some(d)) if s <= 100 * 10u64.pow(d) => Some(ExpectedRate::Percent {
                        scaled: s,
                        decimals: d,
                    }),
                    (_, None) => {
                        self.error(
                            PolicyError::new(
                                ErrorCode::BadLiteral,
                                value_span,
                                format!(
                                    "{digits}%: a metric's value is matched to at most 6 decimals"
                                ),
                            )
                            .label("too many decimals")
                            .help(
                                "write the records counted instead, exactly: `expect M04 = 2 / 3`",
                            ),
                        );
                        None
                    }
                    _ => {
                        self.error(
                            PolicyError::new(
                                ErrorCode::BadLiteral,
                                value_span,
                                format!("{digits}% is not a rate: a metric's value lies between 0% and 100%"),
                            )
                            .label("beyond 100%"),
                        );
                        None
                    }
                }
            }
        }
    }

    fn expected_code(&mut self, code: &ast::Ident) {
        if self.rule_index(&code.name).is_some() {
            return;
        }
        let help = self.unknown_code_help(&code.name);
        self.error(
            PolicyError::new(
                ErrorCode::UnknownExpectedCode,
                code.span,
                format!(
                    "the test expects `{}`, but no loaded rule has that code",
                    code.name
                ),
            )
            .label("unknown code")
            .help_opt(help),
        );
    }

    fn fixture(
        &mut self,
        dataset: &ast::Ident,
        fields: &[(ast::Ident, ast::Expr)],
    ) -> Option<(usize, Vec<Value>)> {
        let Some(ds) = self.schema.dataset_index(&dataset.name) else {
            self.unknown_dataset(dataset);
            return None;
        };
        let nfields = self.schema.datasets[ds].fields.len();
        let mut values = vec![Value::Empty; nfields];
        let mut given: Vec<(usize, ast::Span)> = Vec::new();
        for (name, e) in fields {
            let fi = self.schema.datasets[ds].field_index(&name.name);
            if let Some(&(_, first)) = given.iter().find(|(f, _)| Some(*f) == fi) {
                self.error(
                    PolicyError::new(
                        ErrorCode::DuplicateName,
                        name.span,
                        format!(
                            "`{}` is already given in this `{}` record",
                            name.name, dataset.name
                        ),
                    )
                    .label("given again")
                    .related(first, "first")
                    .help("a record has one value per field: remove one"),
                );
                continue;
            }
            let Some(fi) = fi else {
                let d = &self.schema.datasets[ds];
                let help = field_hint(d, &name.name);
                let msg = format!("dataset `{}` has no field `{}`", d.name, name.name);
                self.error(
                    PolicyError::new(ErrorCode::UnknownField, name.span, msg)
                        .label("unknown field")
                        .help_opt(help),
                );
                continue;
            };
            given.push((fi, name.span));
            let field_ty = Type::of_field(self.schema, ds, fi);
            // A date is accepted for a datetime field (midnight).
            let want = if field_ty == Type::DateTime
                && matches!(e.kind, ExprKind::Lit(Literal::Date(_)))
            {
                Type::Date
            } else {
                field_ty.clone()
            };
            let Some(Const::Value(v)) = self.const_of_type(e, &want, &format!("`{}`", name.name))
            else {
                continue;
            };
            // `""` is an empty cell, as the reader makes of one in an export
            // (so that a test models the export: `x is none` holds of it).
            if matches!(&v, Value::Str(s) if s.trim().is_empty()) {
                values[fi] = Value::Empty;
                continue;
            }
            let field = &self.schema.datasets[ds].fields[fi];
            if matches!(v, Value::Int(n) if n < 0)
                && crate::read::cell::is_count_unit(field.unit.as_deref())
            {
                // As in an export, where such a cell is a data error: a
                // test must not pin what no audit can see.
                let unit = field.unit.as_deref().unwrap_or_default();
                self.error(
                    PolicyError::new(
                        ErrorCode::BadLiteral,
                        e.span,
                        format!("`{}` counts {unit} and is never negative", name.name),
                    )
                    .label("a negative count")
                    .help(format!(
                        "in an export a negative `{}` is a data error, the rules needing it undetermined (not a count taken off): give 0 or more",
                        name.name
                    )),
                );
                continue;
            }
            let v = match (v, field.ty) {
                (Value::Date(d), FieldType::DateTime) => {
                    Value::DateTime(d.and_time(chrono::NaiveTime::MIN))
                }
                (Value::Str(s), FieldType::Enum) => {
                    let label = field.value_aliases.get(&*s).cloned();
                    if let Some(l) = label {
                        Value::str(&l)
                    } else {
                        if !field.values.iter().any(|x| **x == *s) {
                            let help = did_you_mean(&s, field.values.iter().map(String::as_str))
                                .map_or_else(
                                    || format!("the values are: {}", field.values.join(", ")),
                                    |c| format!("did you mean \"{c}\"?"),
                                );
                            let msg = format!(
                                "`{}.{}` never has the value \"{s}\"",
                                self.schema.datasets[ds].name, field.name
                            );
                            self.error(
                                PolicyError::new(ErrorCode::UnknownEnumValue, e.span, msg)
                                    .label("not one of its values")
                                    .help(help),
                            );
                        }
                        Value::Str(s)
                    }
                }
                (v, _) => v,
            };
            values[fi] = v;
        }
        // Empty cells take the field's default, as the reader does.
        for (fi, field) in self.schema.datasets[ds].fields.iter().enumerate() {
            if values[fi] == Value::Empty {
                if let Some(d) = &field.default {
                    values[fi] = match field.ty {
                        FieldType::Int => d.parse().map_or(Value::Empty, Value::Int),
                        FieldType::Decimal => d.parse().map_or(Value::Empty, Value::Decimal),
                        _ => Value::str(d),
                    };
                }
            }
        }
        Some((ds, values))
    }
}

/// `204-03-01` or `2025-12-731`: three whole numbers joined by `-`, which
/// the grammar reads as subtractions since no date has that form; the text
/// as written (leading zeros of month and day restored).
fn date_written_as_subtraction(e: &ast::Expr) -> Option<String> {
    let int = |e: &ast::Expr| match e.kind {
        ExprKind::Lit(Literal::Int(n)) => Some(n),
        _ => None,
    };
    let ExprKind::Binary {
        op: ast::BinOp::Sub,
        lhs,
        rhs,
    } = &e.kind
    else {
        return None;
    };
    let ExprKind::Binary {
        op: ast::BinOp::Sub,
        lhs: y,
        rhs: m,
    } = &lhs.kind
    else {
        return None;
    };
    Some(format!("{}-{:02}-{:02}", int(y)?, int(m)?, int(rhs)?))
}

/// A percentage as written, `30%` (in parentheses, negated or not).
fn is_percent_literal(e: &ast::Expr) -> bool {
    match &e.kind {
        ExprKind::Lit(lit) => matches!(lit, Literal::Percent(_)),
        ExprKind::Paren(x) | ExprKind::Neg(x) => is_percent_literal(x),
        _ => false,
    }
}

/// Whether a literal that is no value (`2025-02-30`, reported when the
/// AST is built) stands anywhere in `e`.
fn has_invalid_literal(e: &ast::Expr) -> bool {
    match &e.kind {
        ExprKind::Lit(lit) => matches!(lit, Literal::Invalid(_)),
        ExprKind::Name(_) | ExprKind::AsOf | ExprKind::Code(_) => false,
        ExprKind::Field(x, _)
        | ExprKind::Not(x)
        | ExprKind::Neg(x)
        | ExprKind::Paren(x)
        | ExprKind::Is { expr: x, .. } => has_invalid_literal(x),
        ExprKind::Index {
            base,
            keys,
            valid_on,
        } => {
            has_invalid_literal(base)
                || keys.iter().any(has_invalid_literal)
                || valid_on.as_deref().is_some_and(has_invalid_literal)
        }
        ExprKind::Call { args: xs, .. } | ExprKind::List(xs) => xs.iter().any(has_invalid_literal),
        ExprKind::Binary { lhs, rhs, .. }
        | ExprKind::Cmp { lhs, rhs, .. }
        | ExprKind::In { lhs, rhs, .. } => has_invalid_literal(lhs) || has_invalid_literal(rhs),
        ExprKind::If { cond, then, els } => {
            has_invalid_literal(cond) || has_invalid_literal(then) || has_invalid_literal(els)
        }
        ExprKind::Map(entries) => entries
            .iter()
            .any(|(k, v)| has_invalid_literal(k) || has_invalid_literal(v)),
    }
}

/// "Did you mean" for a field name that is not one: a field spelled
/// nearly so, or the field whose column header the author wrote.
pub(super) fn field_hint(d: &Dataset, name: &str) -> Option<String> {
    did_you_mean(name, d.field_names())
        .map(|s| format!("did you mean `{s}`?"))
        .or_else(|| {
            d.field_for_header(name).map(|f| {
                format!(
                    "`{name}` is a column header; a policy names the field: did you mean `{f}`?"
                )
            })
        })
}

/// "Did you mean" for a dataset name that is not one: a name spelled
/// nearly so (among `names`), or the dataset whose Chinese title the
/// author wrote.
pub(super) fn dataset_hint<'a>(
    schema: &Schema,
    name: &str,
    names: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    did_you_mean(name, names)
        .map(|s| format!("did you mean `{s}`?"))
        .or_else(|| {
            schema.dataset_for_title(name).map(|d| {
                format!("`{name}` is a dataset's Chinese title; a policy names the dataset: did you mean `{d}`?")
            })
        })
}

/// The yimen type for a type name of other languages, or a truncated one
/// (`integer`, `integr`, `float`, `text`, `boolean`, `timestamp`).
fn type_of_other_languages(name: &str) -> Option<&'static str> {
    let n = name.to_ascii_lowercase();
    let starts = |p: &[&str]| p.iter().any(|p| n.starts_with(p));
    if starts(&["int", "i64", "i32", "long", "整数"]) {
        Some("int")
    } else if starts(&[
        "float", "double", "real", "num", "dec", "f64", "money", "小数", "金额",
    ]) {
        Some("decimal")
    } else if starts(&["str", "text", "varchar", "char", "文本", "字符"]) {
        Some("string")
    } else if starts(&["bool", "布尔"]) {
        Some("bool")
    } else if starts(&["timestamp", "time", "时间"]) {
        Some("datetime")
    } else if starts(&["日期"]) {
        Some("date")
    } else if starts(&["百分", "percentage", "pct"]) {
        Some("percent")
    } else if starts(&["array", "vec", "列表"]) {
        Some("list")
    } else if starts(&["dict", "hash", "object", "映射"]) {
        Some("map")
    } else {
        None
    }
}
