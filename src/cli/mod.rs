//! The command line: argument parsing and one module per subcommand.
//!
//! Invariant: exit code 0 = clean, 1 = findings (or, for `fmt --check`,
//! files that need formatting), 2 = a usage, policy or input error.

mod audit_cmd;
mod check_policy;
mod common;
mod diff_cmd;
mod explain_cmd;
mod fmt_cmd;
mod generate_cmd;
mod inspect_cmd;
mod report_cmd;
mod test_cmd;

use std::io::IsTerminal;
use std::path::PathBuf;

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::diagnostics::{render_human, JsonError, PolicySource};
use crate::policy::PolicyErrors;

#[derive(Parser, Debug)]
#[command(
    name = "yimen",
    version,
    about = "一门: 政务服务中心合规检查 (compliance checker for government service centres)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Audit an export folder: every violation with its evidence and the clause it breaks.
    Audit(audit_cmd::Args),
    /// The annual evaluation: metrics per department, scores, ranking.
    Report(report_cmd::Args),
    /// Show what each file of an export folder is read as, and what is skipped and why.
    Inspect(inspect_cmd::Args),
    /// Explain a rule: its documentation, definition, parameters and the text of its clauses.
    Explain(explain_cmd::Args),
    /// Check a change of the catalogue: the change rules and only the findings it introduced.
    Diff(diff_cmd::Args),
    /// Parse and check policy files against the schema and the source registry.
    CheckPolicy(check_policy::Args),
    /// Format policy files canonically (comments kept).
    Fmt(fmt_cmd::Args),
    /// Run the `test` blocks of the policies through the engine.
    ///
    /// A test's expectations: `expect H001 on ["C1"]` (the findings of a
    /// code are exactly those expected), `expect no H002`, `expect
    /// undetermined H003 on ["C5"]`, and a metric's value: `expect M04 = 2 /
    /// 3` (records counted), `expect M04 for "民政局" = 50%` (to the decimals
    /// written), with `undetermined N` when some of its records are.
    Test(test_cmd::Args),
    /// Write a deterministic, realistic export folder (examples, tests, benchmarks).
    Generate(generate_cmd::Args),
}

/// Report formats of `inspect` (`audit` has `output::AuditFormat`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TextOrJson {
    Text,
    Json,
}

/// Load `--map`, printing the error (exit code 2) if it cannot be used.
pub(crate) fn load_mapping(
    path: Option<&std::path::Path>,
    schema: &crate::schema::Schema,
) -> Result<Option<crate::read::Mapping>, u8> {
    match path
        .map(|p| crate::read::Mapping::load(p, schema))
        .transpose()
    {
        Ok(m) => Ok(m),
        Err(e) => {
            eprintln!("错误: {e}");
            Err(2)
        }
    }
}

/// Write a report to `--output` (atomically) or standard output.
pub(crate) fn emit(text: impl AsRef<[u8]>, output: Option<&std::path::Path>) -> Result<(), u8> {
    let text = text.as_ref();
    emit_with(&mut |w| w.write_all(text), output)
}

/// As [`emit`], the output written by `write` as it goes (through a
/// buffer), never held whole.
pub(crate) fn emit_with(
    write: &mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>,
    output: Option<&std::path::Path>,
) -> Result<(), u8> {
    use std::io::Write as _;
    if let Some(p) = output {
        return match fmt_cmd::write_atomically_with(p, write) {
            Ok(()) => Ok(()),
            // A pipe given as the output (`--output /dev/stdout | head`, a
            // named pipe) whose reader went away: as for standard output.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            Err(e) => {
                eprintln!("错误: 无法写入 {}: {e}", p.display());
                Err(2)
            }
        };
    }
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    match write(&mut out).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        // The reader went away (`yimen audit … | head`): it has what it
        // wanted, nothing to say.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => {
            eprintln!("错误: 无法写入标准输出: {e}");
            Err(2)
        }
    }
}

/// How errors are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ErrorFormat {
    Human,
    Json,
}

pub fn main() -> ExitCode {
    // Workers evaluate expressions recursively (at most `MAX_DEPTH` deep):
    // a generous stack for the global pool too (`yimen test`).
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(32 << 20)
        .build_global();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let code = match cli.command {
        Command::Audit(args) => audit_cmd::run_cmd(&args),
        Command::Inspect(args) => inspect_cmd::run(&args),
        Command::Report(args) => report_cmd::run(&args),
        Command::CheckPolicy(args) => check_policy::run(&args),
        Command::Explain(args) => explain_cmd::run(&args),
        Command::Diff(args) => diff_cmd::run(&args),
        Command::Fmt(args) => fmt_cmd::run(&args),
        Command::Test(args) => test_cmd::run(&args),
        Command::Generate(args) => generate_cmd::run(&args),
    };
    ExitCode::from(code)
}

/// Print policy errors to stderr (human) or stdout (json), as asked.
pub(crate) fn report_policy_errors(errs: &PolicyErrors, format: ErrorFormat) {
    match format {
        ErrorFormat::Human => {
            let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            let mut out = String::new();
            for f in &errs.errors {
                let src = &errs.sources[f.file];
                for e in &f.errors {
                    out.push_str(&render_human(e, src, color, 100));
                    out.push('\n');
                }
            }
            let n = errs.count();
            out.push_str(&format!(
                "错误: 共 {n} 处策略错误 ({n} policy error{})\n",
                if n == 1 { "" } else { "s" }
            ));
            eprint!("{out}");
        }
        ErrorFormat::Json => {
            let list: Vec<JsonError> = errs
                .errors
                .iter()
                .flat_map(|f| {
                    f.errors
                        .iter()
                        .map(|e| JsonError::new(e, &errs.sources[f.file]))
                })
                .collect();
            // Exit 2 follows whether or not stdout takes it.
            let _ = emit(format!("{}\n", serde_json::json!({ "errors": list })), None);
        }
    }
}

pub(crate) fn single_error(src: &PolicySource, e: crate::diagnostics::PolicyError) -> PolicyErrors {
    PolicyErrors {
        sources: vec![src.clone()],
        errors: vec![crate::check::FileErrors {
            file: 0,
            errors: vec![e],
        }],
    }
}

/// Names the shipped policies among `--policy` paths, so that a region adds
/// its rules to them: `--policy @builtin --policy 本地规则/`.
pub const BUILTIN_POLICIES: &str = "@builtin";

/// The policies named by `paths` (`@builtin`: the shipped ones), or the
/// shipped ones when there are none, checked against the built-in schema and
/// the source registry: the built-in documents plus those in a `sources/`
/// folder beside the policies (a region's own documents, which its rules
/// cite).
pub(crate) fn load_policies(
    paths: &[PathBuf],
) -> Result<(Vec<PolicySource>, crate::ir::Program), PolicyErrors> {
    let schema = crate::schema::Schema::builtin();
    let builtin = paths.is_empty() || paths.iter().any(|p| p.as_os_str() == BUILTIN_POLICIES);
    let local: Vec<PathBuf> = paths
        .iter()
        .filter(|p| p.as_os_str() != BUILTIN_POLICIES)
        .cloned()
        .collect();
    // Each `sources/` folder once, however its policies were named (a
    // folder, its files one by one, `./x` and `x`).
    let mut source_dirs: Vec<PathBuf> = local
        .iter()
        .filter_map(|p| {
            let dir = if p.is_dir() { p.as_path() } else { p.parent()? };
            let s = dir.join("sources");
            s.is_dir().then(|| std::fs::canonicalize(&s).unwrap_or(s))
        })
        .collect();
    source_dirs.sort();
    source_dirs.dedup();
    // A broken document of a `sources/` folder is reported with the
    // policies' own errors, checked against the documents that could be
    // used (it hid every other error).
    // The documents read while the policies are read and parsed (each a
    // good part of the start; neither reads the other).
    let (installed, read) = rayon::join(
        || crate::sources::SourceRegistry::install_local(&source_dirs),
        || {
            read_sources(builtin, &local).map(|sources| {
                let parsed = crate::policy::parse_sources(&sources);
                (sources, parsed)
            })
        },
    );
    let registry = match &installed {
        Ok(r) => *r,
        Err((usable, _)) => usable,
    };
    let loaded = read.and_then(|(sources, parsed)| {
        crate::policy::load_parsed(sources, parsed, schema, Some(registry))
    });
    let Err((_, broken)) = installed else {
        return loaded;
    };
    // The documents the broken files were to define (each is named after
    // its id): a citation of one is no further error.
    let meant: Vec<String> = broken
        .iter()
        .filter_map(|e| {
            Some(
                std::path::Path::new(&e.file)
                    .file_stem()?
                    .to_string_lossy()
                    .into_owned(),
            )
        })
        .collect();
    let mut errors = source_file_errors(broken);
    if let Err(mut policy) = loaded {
        for f in &mut policy.errors {
            f.errors.retain(|e| {
                e.code != crate::diagnostics::ErrorCode::UnknownSource
                    || !meant
                        .iter()
                        .any(|id| e.message == format!("unknown source document `{id}`"))
            });
        }
        policy.errors.retain(|f| !f.errors.is_empty());
        errors.append(policy);
    }
    Err(errors)
}

/// The texts of the policies: the shipped ones when `builtin`, and those
/// of `local`.
fn read_sources(builtin: bool, local: &[PathBuf]) -> Result<Vec<PolicySource>, PolicyErrors> {
    let mut sources = if builtin {
        crate::builtin::sources()
    } else {
        Vec::new()
    };
    if !local.is_empty() {
        // A file whose text is already loaded (the shipped policies named
        // both as `@builtin` and by their folder) defines nothing new:
        // loading it again made every code of it a duplicate.
        for s in crate::policy::read_paths(local)? {
            if !sources.iter().any(|t| t.text == s.text) {
                sources.push(s);
            }
        }
    }
    Ok(sources)
}

/// The documents of `sources/` folders that cannot be used, each error in
/// its file, at the place it names when it can be told.
fn source_file_errors(errors: Vec<crate::sources::SourceFileError>) -> PolicyErrors {
    use crate::check::FileErrors;
    use crate::diagnostics::{ErrorCode, PolicyError, PolicySource};
    let mut out = PolicyErrors {
        sources: Vec::new(),
        errors: Vec::new(),
    };
    for (i, e) in errors.into_iter().enumerate() {
        let span = e.error.span_in(&e.text);
        let (start, end) = span.unwrap_or((0, 0));
        let error = PolicyError::new(
            ErrorCode::BadSourceFile,
            crate::ast::Span::new(start, end),
            format!("本地文件登记 (sources/) 有误: {}", e.error),
        )
        .label(if span.is_some() { "这里" } else { "这个文件" })
        .help("a source document is a YAML file in UTF-8 named after its id (`local-2024.yaml`): `id`, `title`, `issuer`, `issued` and `in_force` (YYYY-MM-DD) and `clauses` (each `- id: \"一、\"` with its `text`); `number`, `seed` and `note` may be left out");
        out.sources.push(PolicySource::new(
            crate::policy::display_path(std::path::Path::new(&e.file)),
            e.text,
        ));
        out.errors.push(FileErrors {
            file: i,
            errors: vec![error],
        });
    }
    out
}
