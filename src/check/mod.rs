//! AST → checked program (`ast_to_ir`): every dataset, field, lookup,
//! parameter, function and citation resolved against the schema and the
//! source registry, every expression typed, before any data is read.
//!
//! Invariant: the checker never stops at the first error; it reports all of
//! a file's errors (an ill-typed part is typed `Error` so that one mistake is
//! reported once). A program is returned only when there are none.

pub(crate) mod expr;
mod items;
mod rules;
pub mod types;

use std::collections::HashMap;

use crate::ast::{PolicyFile, Span};
use crate::diagnostics::{ErrorCode, PolicyError, PolicySource};
use crate::ir::{ParamDef, Program};
use crate::schema::Schema;

/// The source registry as the checker sees it: which documents and clauses
/// exist. Citations of anything else are errors.
pub trait Citations {
    fn has_source(&self, id: &str) -> bool;
    fn has_clause(&self, source: &str, clause: &str) -> bool;
    fn source_ids(&self) -> Vec<String>;
    fn suggest_clause(&self, source: &str, clause: &str) -> Option<String>;
    /// The canonical form of a clause id (`四(六)` → `四、(六)`).
    fn normalize_clause(&self, clause: &str) -> String;
    /// The date a source document is in force from.
    fn in_force(&self, source: &str) -> Option<chrono::NaiveDate>;
}

/// A checked policy file's errors.
#[derive(Debug)]
pub struct FileErrors {
    pub file: usize,
    pub errors: Vec<PolicyError>,
}

/// What the first pass learns of every rule, so that `fires(…)` and test
/// expectations can refer to rules in any file.
#[derive(Clone, Debug)]
pub(crate) struct RuleCodeInfo {
    pub code: String,
    pub dataset: Option<usize>,
    pub is_group: bool,
    pub is_metric: bool,
    /// A metric with a `per` clause: its value is given per department too.
    pub has_per: bool,
    /// How many values a finding's key has (its `key` clause, its `group
    /// by`, or its dataset's key), when the dataset is known.
    pub key_len: Option<usize>,
    /// How many values its dataset's key has: an undetermined member of a
    /// group (its group key unknown) is keyed by its record.
    pub record_key_len: Option<usize>,
    pub file: usize,
    pub span: Span,
    /// The rule's kebab-case name and where it is written.
    pub name: String,
    pub name_span: Span,
}

pub(crate) struct Checker<'a> {
    pub schema: &'a Schema,
    pub citations: Option<&'a dyn Citations>,
    pub params: Vec<ParamDef>,
    pub rule_codes: Vec<RuleCodeInfo>,
    /// Each code's index in `rule_codes` (codes there are unique).
    code_index: HashMap<String, usize>,
    /// Each name's first index in `rule_codes`.
    name_index: HashMap<String, usize>,
    pub sources: &'a [PolicySource],
    errors: Vec<(usize, PolicyError)>,
    pub(crate) current: usize,
    /// The rule being checked (its index in `rule_codes`), for `fires` edges.
    pub(crate) current_rule: Option<usize>,
    /// Every `fires(…)`: (rule, rule it asks, file, span of the code).
    pub(crate) fires_edges: Vec<(usize, usize, usize, Span)>,
    /// `for` variables of the current rule whose `for` was already reported
    /// (an unknown dataset, a second `for`): their uses are not reported
    /// again as unknown names.
    pub(crate) reported_vars: Vec<String>,
    /// Every `let` of the rule being checked, with its name's span (empty
    /// outside a rule).
    pub(crate) item_lets: Vec<(String, Span)>,
    /// Test names seen, per file, with their span (a name is what
    /// `yimen test` reports a failure by).
    pub(crate) test_names: Vec<(usize, String, Span)>,
}

impl Checker<'_> {
    pub(crate) fn error(&mut self, e: PolicyError) {
        self.errors.push((self.current, e));
    }

    /// The rule or metric declared with `code` (its index in `rule_codes`).
    pub(crate) fn rule_index(&self, code: &str) -> Option<usize> {
        self.code_index.get(code).copied()
    }

    /// The rule or metric declared first with `name`.
    pub(crate) fn rule_named(&self, name: &str) -> Option<&RuleCodeInfo> {
        self.name_index.get(name).map(|&i| &self.rule_codes[i])
    }

    /// Declares a rule or metric (its code not yet declared).
    pub(crate) fn declare_rule(&mut self, info: RuleCodeInfo) {
        let i = self.rule_codes.len();
        self.code_index.insert(info.code.clone(), i);
        self.name_index.entry(info.name.clone()).or_insert(i);
        self.rule_codes.push(info);
    }

    pub(crate) fn param_index(&self, name: &str) -> Option<usize> {
        self.params.iter().position(|p| p.name == name)
    }

    /// Rules that ask each other through `fires(…)` in a circle (K001 asks
    /// K002, which asks K001) would never be decided: the language has no
    /// recursion, so each `fires` on such a circle is an error.
    fn fires_cycles(&mut self) {
        let edges = self.fires_edges.clone();
        for &(from, to, file, span) in &edges {
            // A path from `to` back to `from`, by breadth-first search.
            let mut parent: std::collections::BTreeMap<usize, usize> =
                std::collections::BTreeMap::new();
            let mut queue = std::collections::VecDeque::from([to]);
            let mut found = to == from;
            while let Some(n) = queue.pop_front() {
                if found {
                    break;
                }
                for &(a, b, _, _) in &edges {
                    if a == n && b != to && !parent.contains_key(&b) {
                        parent.insert(b, n);
                        if b == from {
                            found = true;
                            break;
                        }
                        queue.push_back(b);
                    }
                }
            }
            if !found {
                continue;
            }
            let mut path = vec![from];
            let mut n = from;
            while n != to {
                match parent.get(&n) {
                    Some(&p) => {
                        path.push(p);
                        n = p;
                    }
                    None => break,
                }
            }
            path.reverse();
            let mut names: Vec<&str> = vec![self.rule_codes[from].code.as_str()];
            names.extend(path.iter().map(|&i| self.rule_codes[i].code.as_str()));
            if to == from {
                names.truncate(2);
            }
            let circle = names.join(" → ");
            let current = std::mem::replace(&mut self.current, file);
            self.error(
                PolicyError::new(
                    ErrorCode::BadFires,
                    span,
                    format!("`fires` forms a circle: {circle}"),
                )
                .label("this rule asks a rule that asks it back")
                .help(
                    "a rule's verdict cannot depend on itself; decide one of them without `fires`",
                ),
            );
            self.current = current;
        }
    }

    /// A verdict that goes through more than [`MAX_FIRES_DEPTH`] `fires`,
    /// one inside another (K001 asks K002, which asks K003 …): both
    /// evaluators stop there and leave it undetermined, so the chain is an
    /// error at the `fires` of the rule that starts it (one no rule asks),
    /// the longest chain named. (Circles are reported by
    /// [`Self::fires_cycles`] and not followed here.)
    fn fires_depth(&mut self) {
        fn longest(
            r: usize,
            edges: &[(usize, usize, usize, Span)],
            memo: &mut Vec<Option<usize>>,
            on_path: &mut Vec<bool>,
        ) -> usize {
            if let Some(l) = memo[r] {
                return l;
            }
            if on_path[r] {
                return 0;
            }
            on_path[r] = true;
            let l = edges
                .iter()
                .filter(|e| e.0 == r)
                .map(|e| 1 + longest(e.1, edges, memo, on_path))
                .max()
                .unwrap_or(0);
            on_path[r] = false;
            memo[r] = Some(l);
            l
        }
        let edges = self.fires_edges.clone();
        let n = self.rule_codes.len();
        let mut memo = vec![None; n];
        let mut on_path = vec![false; n];
        for root in 0..n {
            if edges.iter().any(|e| e.1 == root) {
                continue;
            }
            let depth = longest(root, &edges, &mut memo, &mut on_path);
            if depth <= MAX_FIRES_DEPTH {
                continue;
            }
            // The chain: from the root, each step to a rule whose own chain
            // is the longest.
            let mut chain = vec![root];
            let mut at = root;
            let mut first = None;
            while let Some(&(_, to, file, span)) = edges.iter().find(|e| {
                e.0 == at
                    && 1 + longest(e.1, &edges, &mut memo, &mut on_path) == memo[at].unwrap_or(0)
            }) {
                first.get_or_insert((file, span));
                chain.push(to);
                at = to;
            }
            let Some((file, span)) = first else { continue };
            let names: Vec<&str> = chain
                .iter()
                .map(|&i| self.rule_codes[i].code.as_str())
                .collect();
            let current = std::mem::replace(&mut self.current, file);
            self.error(
                PolicyError::new(
                    ErrorCode::BadFires,
                    span,
                    format!(
                        "`fires` goes {depth} deep: {}; at most {MAX_FIRES_DEPTH}",
                        names.join(" → ")
                    ),
                )
                .label("the chain of `fires` starts here")
                .help(format!(
                    "a verdict may go through at most {MAX_FIRES_DEPTH} `fires`, one inside another; decide a rule of the chain from the records instead"
                )),
            );
            self.current = current;
        }
    }

    /// `file:line:col` of a span in another file, for cross-file messages.
    pub(crate) fn place(&self, file: usize, span: Span) -> String {
        let src = &self.sources[file];
        let (line, col) = src.line_col(span.start);
        format!("{}:{line}:{col}", src.name)
    }
}

/// The most `fires` a verdict may go through, one inside another (the
/// checker refuses a longer chain; the evaluators stop past it: a rule
/// reached through this many `fires` is evaluated, its own `fires` not).
pub const MAX_FIRES_DEPTH: usize = 8;

/// Check parsed policy files together (codes and parameters are global).
///
/// `files[i]` is the AST of `sources[i]`.
pub fn ast_to_ir(
    sources: &[PolicySource],
    files: &[PolicyFile],
    schema: &Schema,
    citations: Option<&dyn Citations>,
) -> Result<Program, Vec<FileErrors>> {
    let mut checker = Checker {
        schema,
        citations,
        params: Vec::new(),
        rule_codes: Vec::new(),
        code_index: HashMap::new(),
        name_index: HashMap::new(),
        sources,
        errors: Vec::new(),
        current: 0,
        current_rule: None,
        fires_edges: Vec::new(),
        reported_vars: Vec::new(),
        item_lets: Vec::new(),
        test_names: Vec::new(),
    };
    let mut policies = Vec::new();
    for (i, file) in files.iter().enumerate() {
        checker.current = i;
        policies.push(checker.header(file, &sources[i].name));
        checker.declare_params(file, &sources[i].name);
    }
    for (i, file) in files.iter().enumerate() {
        checker.current = i;
        checker.declare_rules(file, i);
    }
    let mut rules = Vec::new();
    let mut tests = Vec::new();
    for (i, file) in files.iter().enumerate() {
        checker.current = i;
        let policy_id = policies[i].id.clone();
        for item in &file.items {
            match item {
                crate::ast::Item::Rule(r) => {
                    if let Some(def) =
                        checker.rule(r, &policy_id, policies[i].effective, &sources[i].name)
                    {
                        rules.push(def);
                    }
                }
                crate::ast::Item::Test(t) => {
                    tests.push(checker.test(t, &sources[i].name));
                }
                crate::ast::Item::Policy(_) | crate::ast::Item::Param(_) => {}
            }
        }
    }
    checker.fires_cycles();
    checker.fires_depth();
    if checker.errors.is_empty() {
        // Rules are kept in code order so that every listing is deterministic;
        // `fires` indexes refer to `rule_codes`, which is in declaration order,
        // so remap them.
        let order: Vec<String> = checker.rule_codes.iter().map(|r| r.code.clone()).collect();
        rules.sort_by(|a, b| a.code.cmp(&b.code));
        let sorted: HashMap<&str, usize> = rules
            .iter()
            .enumerate()
            .map(|(i, r)| (r.code.as_str(), i))
            .collect();
        let remap: Vec<usize> = order
            .iter()
            .map(|c| sorted.get(c.as_str()).copied().unwrap_or(0))
            .collect();
        for r in &mut rules {
            rules::remap_fires(r, &remap);
        }
        Ok(Program {
            policies,
            params: checker.params,
            rules,
            tests,
        })
    } else {
        let mut out: Vec<FileErrors> = Vec::new();
        for (file, e) in checker.errors {
            match out.iter_mut().find(|f| f.file == file) {
                Some(f) => f.errors.push(e),
                None => out.push(FileErrors {
                    file,
                    errors: vec![e],
                }),
            }
        }
        out.sort_by_key(|f| f.file);
        for f in &mut out {
            f.errors.sort_by_key(|e| (e.span.start, e.span.end));
        }
        Err(out)
    }
}
