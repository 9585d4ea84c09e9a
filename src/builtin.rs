//! The policies that ship with yimen, built into the binary so that
//! `yimen audit` and `yimen test` work from any directory.

use crate::diagnostics::PolicySource;

/// Every `policies/*.yimen` file (a test keeps this list equal to the directory).
pub const POLICIES: &[(&str, &str)] = &[
    (
        "policies/authorization.yimen",
        include_str!("../policies/authorization.yimen"),
    ),
    (
        "policies/catalogue.yimen",
        include_str!("../policies/catalogue.yimen"),
    ),
    (
        "policies/catalogue_diff.yimen",
        include_str!("../policies/catalogue_diff.yimen"),
    ),
    (
        "policies/entry.yimen",
        include_str!("../policies/entry.yimen"),
    ),
    (
        "policies/fees.yimen",
        include_str!("../policies/fees.yimen"),
    ),
    (
        "policies/handling.yimen",
        include_str!("../policies/handling.yimen"),
    ),
    (
        "policies/joint.yimen",
        include_str!("../policies/joint.yimen"),
    ),
    (
        "policies/metrics.yimen",
        include_str!("../policies/metrics.yimen"),
    ),
    (
        "policies/params.yimen",
        include_str!("../policies/params.yimen"),
    ),
    (
        "policies/publication.yimen",
        include_str!("../policies/publication.yimen"),
    ),
    (
        "policies/staff.yimen",
        include_str!("../policies/staff.yimen"),
    ),
];

/// The shipped policies as sources (named `policies/…`).
pub fn sources() -> Vec<PolicySource> {
    POLICIES
        .iter()
        .map(|(n, t)| PolicySource::new(*n, *t))
        .collect()
}

/// The rule and metric codes and the parameter names the shipped policies
/// define: a region's policy checked or run without them (`yimen audit
/// --policy local/`, `check-policy local/`) that uses one is told to load
/// them (`@builtin`), not offered a near name of its own.
pub struct ShippedNames {
    pub codes: Vec<(String, crate::ast::RuleKind)>,
    pub params: Vec<String>,
}

/// [`ShippedNames`], read once from the shipped texts (their syntax only:
/// a test keeps them free of errors).
pub fn shipped_names() -> &'static ShippedNames {
    static NAMES: std::sync::OnceLock<ShippedNames> = std::sync::OnceLock::new();
    NAMES.get_or_init(|| {
        let mut names = ShippedNames {
            codes: Vec::new(),
            params: Vec::new(),
        };
        for (_, text) in POLICIES {
            let Ok(file) = crate::syntax::text_to_ast(text) else {
                continue;
            };
            for item in file.items {
                match item {
                    crate::ast::Item::Rule(r) => names.codes.push((r.code.name, r.kind)),
                    crate::ast::Item::Param(p) => names.params.push(p.name.name),
                    _ => {}
                }
            }
        }
        names
    })
}

/// The help for a rule or metric code or a parameter `name` that the
/// loaded policies lack and the shipped ones define.
pub fn not_loaded_help(name: &str) -> Option<String> {
    let names = shipped_names();
    let what = match names.codes.iter().find(|(c, _)| c == name) {
        Some((_, crate::ast::RuleKind::Rule)) => "a rule",
        Some((_, crate::ast::RuleKind::Metric)) => "a metric",
        None if names.params.iter().any(|p| p == name) => "a parameter",
        None => return None,
    };
    Some(format!(
        "`{name}` is {what} of the shipped policies, which are not loaded: load them beside yours with `@builtin` (`yimen check-policy @builtin DIR`, `yimen test @builtin DIR`, `--policy @builtin --policy DIR` for audit, report and diff)"
    ))
}
