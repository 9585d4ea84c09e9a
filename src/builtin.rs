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
