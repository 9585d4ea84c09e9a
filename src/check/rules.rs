//! Checking a rule or metric: its clauses, their order and their scopes.

use std::collections::HashMap;

use crate::ast::{self, ClauseKind, ExprKind, RuleDecl, RuleKind, Span, TemplatePart};
use crate::diagnostics::{did_you_mean, suggestion, ErrorCode, PolicyError};
use crate::ir::{Cite, Const, IrExpr, LetDef, RuleDef, Severity, TemplatePiece};
use crate::value::Value;

use super::expr::{Ctx, LetInfo, Scope};
use super::types::Type;
use super::Checker;

const RULE_ONLY: &[&str] = &[
    "severity", "group by", "require", "message", "dept", "key", "dataset",
];
const METRIC_ONLY: &[&str] = &["per", "ratio", "target"];
const SEVERITIES: &[&str] = &["error", "warning", "info"];

impl Checker<'_> {
    /// A message's text with a hole in an IME's full-width braces
    /// (`｛case.id｝`): it would print as written, the value lost from every
    /// finding. Taken as a hole meant only when what is inside is a name
    /// or field path whose name is known here (the `for` variable, a `let`,
    /// a parameter): `属于｛A｝类` stays text.
    fn full_width_holes(&mut self, text: &str, span: Span, scope: &Scope<'_>) {
        let mut rest = text;
        while let Some(open) = rest.find('｛') {
            let after = &rest[open + '｛'.len_utf8()..];
            let Some(close) = after.find('｝') else {
                return;
            };
            let inner = after[..close].trim();
            let path = inner.split('.').all(|p| {
                p.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                    && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            });
            let first = inner.split('.').next().unwrap_or_default();
            let known = scope.var.is_some_and(|(v, _)| v == first)
                || scope.lets.iter().any(|l| l.name == first)
                || self.param_index(first).is_some();
            if !inner.is_empty() && path && known {
                self.error(
                    PolicyError::new(
                        ErrorCode::Syntax,
                        span,
                        format!("`｛{inner}｝` is a hole in full-width braces"),
                    )
                    .label("printed as written, not its value")
                    .help(format!(
                        "write the braces half-width: `{{{inner}}}` (a brace meant as text is written `\\{{` and `\\}}`)"
                    )),
                );
            }
            rest = &after[close + '｝'.len_utf8()..];
        }
    }

    #[allow(clippy::too_many_lines)]
    pub(super) fn rule(
        &mut self,
        r: &RuleDecl,
        policy: &str,
        policy_effective: Option<chrono::NaiveDate>,
        file: &str,
    ) -> Option<RuleDef> {
        // Every `let` of the rule, known while it is checked: a name used
        // before its `let` is told where the `let` is.
        self.item_lets = r
            .clauses
            .iter()
            .filter_map(|c| match &c.kind {
                ClauseKind::Let { name, .. } => Some((name.name.clone(), name.span)),
                _ => None,
            })
            .collect();
        let def = self.rule_body(r, policy, policy_effective, file);
        self.item_lets.clear();
        def
    }

    fn rule_body(
        &mut self,
        r: &RuleDecl,
        policy: &str,
        policy_effective: Option<chrono::NaiveDate>,
        file: &str,
    ) -> Option<RuleDef> {
        let is_metric = r.kind == RuleKind::Metric;
        let what = if is_metric { "metric" } else { "rule" };
        let here = self.current;
        self.reported_vars.clear();
        self.current_rule = self
            .rule_index(&r.code.name)
            .filter(|&i| self.rule_codes[i].file == here);
        // Clauses that may appear once.
        let mut seen: HashMap<&'static str, Span> = HashMap::new();
        for c in &r.clauses {
            let kw = c.kind.keyword();
            let misplaced = if is_metric {
                RULE_ONLY.contains(&kw)
            } else {
                METRIC_ONLY.contains(&kw)
            };
            if misplaced {
                let help = if is_metric {
                    "a metric has `for`, `when`, `let`, `per`, `ratio`, `target`, `title` and `cite`"
                } else {
                    "`per`, `ratio` and `target` belong to metrics; a rule says what it requires with `require`"
                };
                self.error(
                    PolicyError::new(
                        ErrorCode::MisplacedClause,
                        c.span,
                        format!("`{kw}` does not belong in a {what}"),
                    )
                    .label(format!("not a {what} clause"))
                    .help(help),
                );
                continue;
            }
            if matches!(
                c.kind,
                ClauseKind::Let { .. } | ClauseKind::When(_) | ClauseKind::Cite(_)
            ) {
                continue;
            }
            if let Some(prev) = seen.get(kw) {
                self.error(
                    PolicyError::new(
                        ErrorCode::DuplicateClause,
                        c.span,
                        format!("`{kw}` is given twice in {what} {}", r.code.name),
                    )
                    .label("second")
                    .related(*prev, "first"),
                );
            } else {
                seen.insert(kw, c.span);
            }
        }

        // Data clauses, in order: they build the scope.
        let mut var: Option<(String, usize)> = None;
        let mut distinct = false;
        let mut lets_info: Vec<LetInfo> = Vec::new();
        let mut lets: Vec<LetDef> = Vec::new();
        let mut filters = Vec::new();
        let mut group_keys: Vec<(ast::Expr, Type)> = Vec::new();
        let mut group_irs = Vec::new();
        let mut group_filters = Vec::new();
        let mut require = None;
        let mut per = None;
        let mut ratio = None;
        let mut grouped = false;
        for c in &r.clauses {
            let ctx = if grouped { Ctx::Group } else { Ctx::Record };
            match &c.kind {
                ClauseKind::For {
                    var: v,
                    distinct: d,
                    dataset,
                } => {
                    if var.is_some() {
                        self.reported_vars.push(v.name.clone());
                        continue; // reported as a duplicate
                    }
                    if let Some(ds) = self.schema.dataset_index(&dataset.name) {
                        var = Some((v.name.clone(), ds));
                        distinct = *d;
                    } else {
                        self.unknown_dataset(dataset);
                        self.reported_vars.push(v.name.clone());
                    }
                }
                ClauseKind::Let { name, value } => {
                    let clash = lets_info.iter().any(|l| l.name == name.name)
                        || var.as_ref().is_some_and(|(v, _)| *v == name.name);
                    if clash {
                        self.error(
                            PolicyError::new(
                                ErrorCode::DuplicateName,
                                name.span,
                                format!("`{}` is already defined in this {what}", name.name),
                            )
                            .label("defined again")
                            .help("give the `let` another name"),
                        );
                    } else if self.param_index(&name.name).is_some() {
                        // The `let` would hide the parameter in this rule:
                        // `--param` would silently not reach it.
                        self.error(
                            PolicyError::new(
                                ErrorCode::DuplicateName,
                                name.span,
                                format!("`{}` is a parameter", name.name),
                            )
                            .label("hides the parameter")
                            .help(format!(
                                "give the `let` another name: under this one it would hide the parameter in this {what}, and `--param {}=…` would not change it",
                                name.name
                            )),
                        );
                    }
                    let scope = scope_of(var.as_ref(), &lets_info, ctx, &group_keys);
                    let (ir, ty) = self.check_expr(value, &scope);
                    // (A constant without a value was reported in the `let`.)
                    let number = match Self::fold(value, &scope) {
                        Some(Some(v)) if ty != Type::Error => Some(v),
                        _ => None,
                    };
                    lets_info.push(LetInfo {
                        name: name.name.clone(),
                        ty,
                        group_level: grouped,
                        number,
                    });
                    lets.push(LetDef {
                        name: name.name.clone(),
                        expr: ir,
                        group_level: grouped,
                    });
                }
                ClauseKind::When(e) => {
                    let scope = scope_of(var.as_ref(), &lets_info, ctx, &group_keys);
                    let ir = self.check_bool(e, &scope);
                    if grouped {
                        group_filters.push(ir);
                    } else {
                        filters.push(ir);
                    }
                }
                ClauseKind::GroupBy(keys) if !is_metric => {
                    if grouped {
                        continue;
                    }
                    let scope = scope_of(var.as_ref(), &lets_info, Ctx::Record, &[]);
                    for k in keys {
                        let (ir, ty) = self.check_expr(k, &scope);
                        if matches!(ty, Type::Record(_) | Type::List(_) | Type::Map(..)) {
                            let t = ty.display(self.schema).to_string();
                            self.type_error(
                                k,
                                format!("a group key must be a plain value, found {t}"),
                                "not groupable".into(),
                            );
                        }
                        group_irs.push(ir);
                        group_keys.push((k.clone(), ty));
                    }
                    grouped = true;
                }
                ClauseKind::Require(e) if !is_metric && require.is_none() => {
                    let scope = scope_of(var.as_ref(), &lets_info, ctx, &group_keys);
                    require = Some(self.check_bool(e, &scope));
                }
                ClauseKind::Per(e) if is_metric => {
                    let scope = scope_of(var.as_ref(), &lets_info, Ctx::Record, &[]);
                    let (ir, ty) = self.check_expr(e, &scope);
                    if !ty.is_stringy() && ty != Type::Error {
                        let t = ty.display(self.schema).to_string();
                        self.type_error(
                            e,
                            format!("`per` groups by a department name (string), found {t}"),
                            "not a string".into(),
                        );
                    }
                    per = Some(ir);
                }
                ClauseKind::Ratio(e) if is_metric => {
                    let scope = scope_of(var.as_ref(), &lets_info, Ctx::Record, &[]);
                    ratio = Some(self.check_bool(e, &scope));
                }
                _ => {}
            }
        }

        let Some((var_name, dataset)) = var.clone() else {
            if !r
                .clauses
                .iter()
                .any(|c| matches!(c.kind, ClauseKind::For { .. }))
            {
                self.missing(
                    r,
                    "for",
                    "say what the rule ranges over: `for case in cases`",
                );
            }
            // What needs no dataset is still checked: an unknown one hides
            // no other error of the rule.
            for c in &r.clauses {
                match &c.kind {
                    ClauseKind::Severity(id) => {
                        self.severity(id);
                    }
                    ClauseKind::Cite(list) => {
                        for ci in list {
                            self.citation(ci);
                        }
                    }
                    _ => {}
                }
            }
            return None;
        };
        if !is_metric
            && require.is_none()
            && !r
                .clauses
                .iter()
                .any(|c| matches!(c.kind, ClauseKind::Require(_)))
        {
            self.missing(
                r,
                "require",
                "say what must hold: `require case.channel != \"原单位\"`",
            );
        }
        if is_metric
            && ratio.is_none()
            && !r
                .clauses
                .iter()
                .any(|c| matches!(c.kind, ClauseKind::Ratio(_)))
        {
            self.missing(
                r,
                "ratio",
                "say what is counted: `ratio case.finished_at is not none`",
            );
        }

        // Metadata clauses see the final scope.
        let final_ctx = if grouped { Ctx::Group } else { Ctx::Record };
        let mut title = None;
        let mut severity = if is_metric {
            Some(Severity::Info)
        } else {
            None
        };
        let mut cites = Vec::new();
        let mut message = Vec::new();
        let mut dept = None;
        let mut key = None;
        let mut report_dataset = dataset;
        let mut target = None;
        for c in &r.clauses {
            let scope = scope_of(var.as_ref(), &lets_info, final_ctx, &group_keys);
            match &c.kind {
                ClauseKind::Title(s) => title = Some(s.value.clone()),
                ClauseKind::Severity(id) => {
                    if let Some(s) = self.severity(id) {
                        severity = Some(s);
                    }
                }
                ClauseKind::Cite(list) => {
                    for ci in list {
                        if let Some(cite) = self.citation(ci) {
                            cites.push(cite);
                        }
                    }
                }
                ClauseKind::Message(t) if !is_metric => {
                    let tscope = Scope {
                        template: true,
                        ..scope
                    };
                    for part in &t.parts {
                        match part {
                            TemplatePart::Text(s) => {
                                self.full_width_holes(s, t.span, &tscope);
                                message.push(TemplatePiece::Text(s.clone()));
                            }
                            TemplatePart::Hole(e) => {
                                let (ir, ty) = self.check_expr(e, &tscope);
                                self.check_hole(e, &ty);
                                message.push(TemplatePiece::Hole(ir));
                            }
                        }
                    }
                }
                ClauseKind::Dept(e) if !is_metric => {
                    let (ir, ty) = self.check_expr(e, &scope);
                    if !ty.is_stringy() && ty != Type::Error {
                        let t = ty.display(self.schema).to_string();
                        self.type_error(
                            e,
                            format!("`dept` is a department name (string), found {t}"),
                            "not a string".into(),
                        );
                    }
                    dept = Some(ir);
                }
                ClauseKind::Key(exprs) if !is_metric => {
                    key = Some(exprs.iter().map(|e| self.check_expr(e, &scope).0).collect());
                }
                ClauseKind::Dataset(id) if !is_metric => {
                    match self.schema.dataset_index(&id.name) {
                        Some(ds) => report_dataset = ds,
                        None => self.unknown_dataset(id),
                    }
                }
                ClauseKind::Target { value, .. }
                    if is_metric && matches!(value.kind, ast::ExprKind::Name(_)) =>
                {
                    // A region's target is no parameter: the report's
                    // weights file sets it.
                    self.type_error_help(
                        value,
                        "a target must be a literal value".into(),
                        "not a literal".into(),
                        "write the target as a value (`target >= 90%`); a region sets its own with `yimen report --weights F` (`targets: { M06: 95% }`), not with a parameter".into(),
                    );
                }
                ClauseKind::Target { op, value } if is_metric => {
                    if let Some(Const::Value(v)) =
                        self.const_of_type(value, &Type::Decimal, "a target")
                    {
                        let x = match v {
                            Value::Int(n) => n as f64,
                            Value::Decimal(x) => x,
                            _ => 0.0,
                        };
                        // A ratio's target: 0% to 100% (`target >= 90`,
                        // meant as 90%, was 9000%, never met).
                        let fits =
                            self.percent_fits(value, &Const::Value(Value::Decimal(x)), "a target")
                                && self.target_at_most_all(value, x);
                        if fits {
                            target = Some((*op, x));
                        }
                    }
                }
                _ => {}
            }
        }
        if !is_metric
            && !r
                .clauses
                .iter()
                .any(|c| matches!(c.kind, ClauseKind::Severity(_)))
        {
            self.missing(r, "severity", "add `severity error` (or warning, info)");
        }
        if !is_metric
            && !r
                .clauses
                .iter()
                .any(|c| matches!(c.kind, ClauseKind::Cite(_)))
        {
            self.missing(
                r,
                "cite",
                "every finding cites its legal basis: `cite gangnan-2017 \"四、(六)\"`",
            );
        }

        // The default department: the record's `dept`, or a group key that is it.
        if dept.is_none() && !is_metric {
            if let Some(fi) = self.schema.datasets[dataset].field_index("dept") {
                if grouped {
                    dept = group_keys
                        .iter()
                        .position(|(k, _)| is_var_field(k, &var_name, "dept"))
                        .map(IrExpr::GroupKey);
                } else {
                    dept = Some(IrExpr::Field {
                        base: Box::new(IrExpr::Var),
                        dataset,
                        field: fi,
                    });
                }
            }
        }

        // The catalogue's in-force dates are a rule's ("a rule applies to an
        // event record only if …"); a metric counts every record of the
        // period it is run for (`report --period`), its cites are its basis.
        // A policy's own `effective` date applies to both.
        let in_force = self
            .citations
            .filter(|_| !is_metric)
            .and_then(|reg| cites.iter().filter_map(|c| reg.in_force(&c.source)).min());
        let effective_from = match (in_force, policy_effective) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        Some(RuleDef {
            effective_from,
            kind: r.kind,
            code: r.code.name.clone(),
            name: r.name.name.clone(),
            title,
            docs: r.docs.clone(),
            severity: severity.unwrap_or(Severity::Error),
            cites,
            policy: policy.to_string(),
            file: file.to_string(),
            text: {
                let src = &self.sources[self.current].text;
                let start = r.code.span.start.min(src.len());
                let start = src[..start].rfind(['\n']).map_or(0, |i| i + 1);
                src.get(start..r.span.end).unwrap_or_default().to_string()
            },
            dataset,
            var: var_name,
            distinct,
            lets,
            filters,
            group_by: group_irs,
            group_filters,
            require,
            message,
            dept,
            key,
            report_dataset,
            per,
            ratio,
            target,
        })
    }

    /// A message hole shows one value, or a list of them (joined with
    /// `、`); a record or a map has no text of its own (it would print `…`).
    fn check_hole(&mut self, e: &ast::Expr, ty: &Type) {
        let shown = ty.display(self.schema).to_string();
        let text = crate::fmt::expr_to_string(e);
        let help = match ty {
            Type::Record(ds) => {
                let d = &self.schema.datasets[*ds];
                Some(d.key.first().map_or_else(
                    || format!("name one of its fields: `{text}.…`"),
                    |k| format!("name one of its fields: did you mean `{text}.{k}`?"),
                ))
            }
            Type::Map(..) => Some(format!("show one of its values: `{text}[key]`")),
            Type::List(t) if t.is_collection() => {
                Some("show a list of single values, or one value of its items".to_string())
            }
            _ => None,
        };
        let Some(help) = help else { return };
        self.type_error_help(
            e,
            format!("a message shows values, but `{text}` is {shown}, which has no text"),
            "not a single value".into(),
            help,
        );
    }

    /// A metric's target as a percentage written above 100% (`target >=
    /// 190%`): a ratio never reaches it, nor falls below it.
    fn target_at_most_all(&mut self, e: &ast::Expr, x: f64) -> bool {
        if x <= 1.0 {
            return true;
        }
        let text = crate::fmt::expr_to_string(e);
        self.error(
            PolicyError::new(
                ErrorCode::BadLiteral,
                e.span,
                format!("a target is a ratio, at most 100%: {text} is never met, or always"),
            )
            .label("above 100%")
            .help("write a percentage between 0% and 100%, such as 90%"),
        );
        false
    }

    fn missing(&mut self, r: &RuleDecl, clause: &str, help: &str) {
        let what = if r.kind == RuleKind::Metric {
            "metric"
        } else {
            "rule"
        };
        self.error(
            PolicyError::new(
                ErrorCode::MissingClause,
                r.code.span,
                format!("{what} {} has no `{clause}`", r.code.name),
            )
            .label(format!("`{clause}` missing"))
            .help(help),
        );
    }

    /// A `severity` clause's level, or its error.
    fn severity(&mut self, id: &ast::Ident) -> Option<Severity> {
        let s = Severity::parse(&id.name);
        if s.is_none() {
            self.error(
                PolicyError::new(
                    ErrorCode::UnknownSeverity,
                    id.span,
                    format!("unknown severity `{}`", id.name),
                )
                .label("not a severity")
                .help(
                    suggestion(&id.name, SEVERITIES)
                        .unwrap_or_else(|| "the severities are: error, warning, info".into()),
                ),
            );
        }
        s
    }

    fn citation(&mut self, ci: &ast::Citation) -> Option<Cite> {
        let Some(reg) = self.citations else {
            return Some(Cite {
                source: ci.source.name.clone(),
                clause: ci.clause.value.clone(),
            });
        };
        let source = &ci.source.name;
        if !reg.has_source(source) {
            let ids = reg.source_ids();
            let help = did_you_mean(source, ids.iter().map(String::as_str)).map_or_else(
                || format!("the sources are: {}", ids.join(", ")),
                |s| format!("did you mean `{s}`?"),
            );
            self.error(
                PolicyError::new(
                    ErrorCode::UnknownSource,
                    ci.source.span,
                    format!("unknown source document `{source}`"),
                )
                .label("not in the source registry")
                .help(help),
            );
            return None;
        }
        let clause = reg.normalize_clause(&ci.clause.value);
        if !reg.has_clause(source, &clause) {
            let help = reg
                .suggest_clause(source, &clause)
                .map(|s| format!("did you mean \"{s}\"?"));
            self.error(
                PolicyError::new(
                    ErrorCode::UnknownClause,
                    ci.clause.span,
                    format!("{source} has no clause \"{}\"", ci.clause.value),
                )
                .label("no such clause")
                .help_opt(help),
            );
            return None;
        }
        Some(Cite {
            source: source.clone(),
            clause,
        })
    }
}

fn is_var_field(e: &ast::Expr, var: &str, field: &str) -> bool {
    match &e.kind {
        ExprKind::Field(base, f) => {
            f.name == field && matches!(&base.kind, ExprKind::Name(v) if v.name == var)
        }
        ExprKind::Paren(inner) => is_var_field(inner, var, field),
        _ => false,
    }
}

fn scope_of<'a>(
    var: Option<&'a (String, usize)>,
    lets: &'a [LetInfo],
    ctx: Ctx,
    group_keys: &'a [(ast::Expr, Type)],
) -> Scope<'a> {
    Scope {
        var: var.map(|(n, d)| (n.as_str(), *d)),
        lets,
        ctx,
        group_keys,
        template: false,
    }
}

/// Rewrite `Fires` indexes after the rules were put in code order.
pub(super) fn remap_fires(rule: &mut RuleDef, remap: &[usize]) {
    fn walk(e: &mut IrExpr, remap: &[usize]) {
        match e {
            IrExpr::Fires(i) => *i = remap.get(*i).copied().unwrap_or(*i),
            IrExpr::Field { base, .. } => walk(base, remap),
            IrExpr::Lookup { keys, valid_on, .. } => {
                for k in keys.iter_mut() {
                    walk(k, remap);
                }
                if let Some(v) = valid_on {
                    walk(v, remap);
                }
            }
            IrExpr::MapGet { map, key } => {
                walk(map, remap);
                walk(key, remap);
            }
            IrExpr::Call { args, .. } | IrExpr::List(args) => {
                for a in args.iter_mut() {
                    walk(a, remap);
                }
            }
            IrExpr::Agg { arg: Some(a), .. } | IrExpr::Not(a) | IrExpr::Neg(a) => walk(a, remap),
            IrExpr::Is { expr, .. } => walk(expr, remap),
            IrExpr::And(a, b)
            | IrExpr::Or(a, b)
            | IrExpr::Arith(_, a, b)
            | IrExpr::Cmp(_, a, b) => {
                walk(a, remap);
                walk(b, remap);
            }
            IrExpr::In { item, set, .. } => {
                walk(item, remap);
                walk(set, remap);
            }
            IrExpr::If(a, b, c) => {
                walk(a, remap);
                walk(b, remap);
                walk(c, remap);
            }
            IrExpr::Const(_)
            | IrExpr::Var
            | IrExpr::LetRef(_)
            | IrExpr::Param(_)
            | IrExpr::AsOf
            | IrExpr::Agg { arg: None, .. }
            | IrExpr::GroupKey(_) => {}
        }
    }
    let exprs = rule
        .lets
        .iter_mut()
        .map(|l| &mut l.expr)
        .chain(rule.filters.iter_mut())
        .chain(rule.group_by.iter_mut())
        .chain(rule.group_filters.iter_mut())
        .chain(rule.require.iter_mut())
        .chain(rule.dept.iter_mut())
        .chain(rule.key.iter_mut().flatten())
        .chain(rule.per.iter_mut())
        .chain(rule.ratio.iter_mut());
    for e in exprs {
        walk(e, remap);
    }
    for piece in &mut rule.message {
        if let TemplatePiece::Hole(e) = piece {
            walk(e, remap);
        }
    }
}
