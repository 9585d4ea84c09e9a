//! AST → canonical policy text (`yimen fmt`).
//!
//! Layout: two-space indentation, one clause per line, a blank line between
//! items, clauses in the order written (their order is meaningful), long
//! `and`/`or` chains and long lists or maps broken one element per line.
//! Comments are kept: each is re-attached to the item, clause or statement
//! it stands before, or after on the same line.
//!
//! Invariant: [`format_text`] re-parses its output and refuses to return it
//! unless the AST and the comments are unchanged; formatting is idempotent.

mod expr;

use std::collections::HashMap;

use crate::ast::{
    Clause, ClauseKind, Item, PolicyFile, PolicyHeader, RuleDecl, RuleKind, Span, TestDecl,
    TestStmtKind,
};
use crate::diagnostics::{ErrorCode, PolicyError};
use crate::syntax::comments::{self, Comment};
use crate::syntax::text_to_ast;

pub use expr::expr_to_string;
use expr::{quote, Printer};

const WIDTH: usize = 100;

/// Format a policy text. Errors: the text does not parse, or (a bug) the
/// formatted text would mean something else.
pub fn format_text(text: &str) -> Result<String, Vec<PolicyError>> {
    // Old Mac line breaks (a lone `\r`) end lines and comments as `\n` does
    // (the grammar's NEWLINE): as `\n`, byte for byte, so spans keep their
    // meaning and every line count below sees them.
    let unified;
    let text = if text.contains('\r') {
        unified = lone_cr_as_lf(text);
        unified.as_str()
    } else {
        text
    };
    let ast = text_to_ast(text)?;
    let comments = comments::collect(text);
    let out = format_ast(&ast, text, &comments);
    let check = |why: &str| {
        vec![PolicyError::new(
            ErrorCode::FormatChangedAst,
            Span::new(0, 0),
            format!("the formatter would change this file's meaning ({why}); nothing was written"),
        )
        .label("file not formatted")
        .help("this is a bug in yimen; please report it with the policy text")]
    };
    match text_to_ast(&out) {
        Ok(again) if again == ast => {}
        Ok(_) => return Err(check("the syntax tree differs")),
        Err(_) => return Err(check("the output does not parse")),
    }
    let kept: Vec<String> = comments::collect(&out)
        .into_iter()
        .map(|c| c.text)
        .collect();
    let orig: Vec<String> = comments.into_iter().map(|c| c.text).collect();
    if kept != orig {
        return Err(check("comments would be lost or reordered"));
    }
    Ok(out)
}

/// `text` with each `\r` that no `\n` follows replaced by `\n`.
fn lone_cr_as_lf(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        out.push(if c == '\r' && b.get(i + 1) != Some(&b'\n') {
            '\n'
        } else {
            c
        });
    }
    out
}

/// Where comments attach: before/after a node (by its start offset) or
/// before the closing brace of a block (by the block's end offset).
#[derive(Default)]
struct Attached {
    leading: HashMap<usize, Vec<String>>,
    trailing: HashMap<usize, String>,
    closing: HashMap<usize, Vec<String>>,
    /// After a block's closing brace, on its line (by the block's end).
    after_close: HashMap<usize, String>,
    end_of_file: Vec<String>,
}

#[derive(Clone, Copy)]
enum Anchor {
    /// A block, and where its head (`rule X001 name {`) is.
    Node(Span, usize),
    /// A node printed whole (a clause, a header field, a test statement, a
    /// parameter): a comment inside it moves above it.
    Leaf(Span),
    Close(Span),
}

fn anchors(ast: &PolicyFile) -> Vec<Anchor> {
    let mut out = Vec::new();
    for item in &ast.items {
        match item {
            Item::Policy(h) => {
                out.push(Anchor::Node(h.span, h.id.span.start));
                out.extend(h.fields.iter().map(|f| Anchor::Leaf(f.span)));
                out.push(Anchor::Close(h.span));
            }
            Item::Param(p) => out.push(Anchor::Leaf(p.span)),
            Item::Rule(r) => {
                out.push(Anchor::Node(r.span, r.code.span.start));
                out.extend(r.clauses.iter().map(|c| Anchor::Leaf(c.span)));
                out.push(Anchor::Close(r.span));
            }
            Item::Test(t) => {
                out.push(Anchor::Node(t.span, t.name.span.start));
                out.extend(t.stmts.iter().map(|s| Anchor::Leaf(s.span)));
                out.push(Anchor::Close(t.span));
            }
        }
    }
    out
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count()
}

fn attach(ast: &PolicyFile, text: &str, comments: &[Comment]) -> Attached {
    let anchors = anchors(ast);
    let mut att = Attached::default();
    for c in comments {
        let line = line_of(text, c.span.start);
        // Inside a node printed whole (between the lines of a long
        // `require`): above that node, in order, so that no comment is
        // lost or moved past another.
        let inside = anchors.iter().find_map(|a| match a {
            Anchor::Leaf(s) if s.start < c.span.start && c.span.end <= s.end => Some(*s),
            _ => None,
        });
        if let Some(s) = inside {
            att.leading.entry(s.start).or_default().push(c.text.clone());
            continue;
        }
        // Inside a block's head, before its name (`rule // …⏎X901 r {`):
        // above the block, before any comment after its `{`.
        let in_head = anchors.iter().find_map(|a| match a {
            Anchor::Node(s, head) if s.start < c.span.start && c.span.end <= *head => Some(*s),
            _ => None,
        });
        if let Some(s) = in_head {
            att.leading.entry(s.start).or_default().push(c.text.clone());
            continue;
        }
        // After a block's closing brace on its line (`} // …`): there.
        let closed = anchors.iter().rev().find_map(|a| match a {
            Anchor::Close(s) if s.end <= c.span.start && line_of(text, s.end) == line => Some(*s),
            _ => None,
        });
        if let Some(s) = closed {
            if let std::collections::hash_map::Entry::Vacant(e) = att.after_close.entry(s.end) {
                e.insert(c.text.clone());
                continue;
            }
        }
        // Trailing: the last clause ending on this line before the comment,
        // or the block whose opening brace is on this line (`rule … { // …`).
        let trailing = anchors
            .iter()
            .rev()
            .find_map(|a| match a {
                Anchor::Leaf(s) if s.end <= c.span.start && line_of(text, s.end) == line => {
                    Some(*s)
                }
                _ => None,
            })
            .or_else(|| {
                anchors.iter().find_map(|a| match a {
                    Anchor::Node(s, head)
                        if *head < c.span.start
                            && c.span.end <= s.end
                            && line_of(text, *head) == line =>
                    {
                        Some(*s)
                    }
                    _ => None,
                })
            });
        if let Some(s) = trailing {
            if let std::collections::hash_map::Entry::Vacant(e) = att.trailing.entry(s.start) {
                e.insert(c.text.clone());
                continue;
            }
        }
        // Leading: the first node or closing brace after the comment.
        let next = anchors.iter().find(|a| match a {
            Anchor::Node(s, _) | Anchor::Leaf(s) => s.start >= c.span.end,
            Anchor::Close(s) => s.end > c.span.end,
        });
        match next {
            Some(Anchor::Node(s, _) | Anchor::Leaf(s)) => {
                att.leading.entry(s.start).or_default().push(c.text.clone());
            }
            Some(Anchor::Close(s)) => att.closing.entry(s.end).or_default().push(c.text.clone()),
            None => att.end_of_file.push(c.text.clone()),
        }
    }
    att
}

struct Out<'a> {
    buf: String,
    att: &'a Attached,
}

impl Out<'_> {
    fn leading(&mut self, span: Span, indent: &str) {
        if let Some(cs) = self.att.leading.get(&span.start) {
            for c in cs {
                self.buf.push_str(indent);
                self.buf.push_str(c);
                self.buf.push('\n');
            }
        }
    }

    /// End a line, with the node's trailing comment if it has one.
    fn end_line(&mut self, span: Span) {
        if let Some(c) = self.att.trailing.get(&span.start) {
            self.buf.push(' ');
            self.buf.push_str(c);
        }
        self.buf.push('\n');
    }

    fn closing(&mut self, span: Span) {
        if let Some(cs) = self.att.closing.get(&span.end) {
            for c in cs {
                self.buf.push_str("  ");
                self.buf.push_str(c);
                self.buf.push('\n');
            }
        }
        self.buf.push('}');
        if let Some(c) = self.att.after_close.get(&span.end) {
            self.buf.push(' ');
            self.buf.push_str(c);
        }
        self.buf.push('\n');
    }

    fn docs(&mut self, docs: &[String]) {
        for d in docs {
            if d.is_empty() {
                self.buf.push_str("///\n");
            } else {
                self.buf.push_str("/// ");
                self.buf.push_str(d);
                self.buf.push('\n');
            }
        }
    }
}

fn format_ast(ast: &PolicyFile, text: &str, comments: &[Comment]) -> String {
    let att = attach(ast, text, comments);
    let mut out = Out {
        buf: String::new(),
        att: &att,
    };
    for (i, item) in ast.items.iter().enumerate() {
        if i > 0 {
            out.buf.push('\n');
        }
        match item {
            Item::Policy(h) => header(&mut out, h),
            Item::Param(p) => {
                out.leading(p.span, "");
                out.docs(&p.docs);
                let head = format!("param {}: {}", p.name.name, expr::type_to_string(&p.ty));
                out.buf.push_str(&head);
                if let Some(d) = &p.default {
                    out.buf.push_str(" = ");
                    let pr = Printer::new(WIDTH.saturating_sub(head.len() + 3));
                    out.buf.push_str(&pr.block(d, ""));
                }
                out.end_line(p.span);
            }
            Item::Rule(r) => rule(&mut out, r),
            Item::Test(t) => test(&mut out, t),
        }
    }
    for c in &att.end_of_file {
        if !out.buf.is_empty() {
            out.buf.push('\n');
        }
        out.buf.push_str(c);
        out.buf.push('\n');
    }
    out.buf
}

fn header(out: &mut Out<'_>, h: &PolicyHeader) {
    out.leading(h.span, "");
    out.docs(&h.docs);
    out.buf.push_str(&format!("policy {} {{", h.id.name));
    out.end_line(h.span);
    for f in &h.fields {
        out.leading(f.span, "  ");
        out.buf
            .push_str(&format!("  {} {}", f.name.name, expr_to_string(&f.value)));
        out.end_line(f.span);
    }
    out.closing(h.span);
}

fn rule(out: &mut Out<'_>, r: &RuleDecl) {
    out.leading(r.span, "");
    out.docs(&r.docs);
    let kw = match r.kind {
        RuleKind::Rule => "rule",
        RuleKind::Metric => "metric",
    };
    out.buf
        .push_str(&format!("{kw} {} {} {{", r.code.name, r.name.name));
    out.end_line(r.span);
    for c in &r.clauses {
        out.leading(c.span, "  ");
        out.buf.push_str("  ");
        out.buf.push_str(&clause(c));
        out.end_line(c.span);
    }
    out.closing(r.span);
}

fn clause(c: &Clause) -> String {
    let pr = |head: &str| Printer::new(WIDTH.saturating_sub(head.len() + 3));
    let with_expr =
        |head: &str, e: &crate::ast::Expr| format!("{head} {}", pr(head).block(e, "  "));
    match &c.kind {
        ClauseKind::Title(s) => format!("title {}", quote(&s.value)),
        ClauseKind::Severity(id) => format!("severity {}", id.name),
        ClauseKind::Cite(list) => {
            let parts: Vec<String> = list
                .iter()
                .map(|ci| format!("{} {}", ci.source.name, quote(&ci.clause.value)))
                .collect();
            let one = format!("cite {}", parts.join(", "));
            if one.chars().count() + 2 <= WIDTH {
                one
            } else {
                format!("cite {}", parts.join(",\n       "))
            }
        }
        ClauseKind::For {
            var,
            distinct,
            dataset,
        } => format!(
            "for {} in {}{}",
            var.name,
            if *distinct { "distinct " } else { "" },
            dataset.name
        ),
        ClauseKind::Let { name, value } => with_expr(&format!("let {} =", name.name), value),
        ClauseKind::When(e) => with_expr("when", e),
        ClauseKind::GroupBy(keys) => format!(
            "group by {}",
            keys.iter()
                .map(expr_to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        ClauseKind::Require(e) => with_expr("require", e),
        ClauseKind::Message(t) => format!("message {}", expr::template_to_string(t)),
        ClauseKind::Dept(e) => with_expr("dept", e),
        ClauseKind::Key(keys) => format!(
            "key {}",
            keys.iter()
                .map(expr_to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        ClauseKind::Dataset(id) => format!("dataset {}", id.name),
        ClauseKind::Per(e) => with_expr("per", e),
        ClauseKind::Ratio(e) => with_expr("ratio", e),
        ClauseKind::Target { op, value } => {
            format!("target {} {}", op.as_str(), expr_to_string(value))
        }
    }
}

fn test(out: &mut Out<'_>, t: &TestDecl) {
    out.leading(t.span, "");
    out.docs(&t.docs);
    out.buf
        .push_str(&format!("test {} {{", quote(&t.name.value)));
    out.end_line(t.span);
    for s in &t.stmts {
        out.leading(s.span, "  ");
        let line = match &s.kind {
            TestStmtKind::AsOf(e) => format!("as_of {}", expr_to_string(e)),
            TestStmtKind::Param { name, value } => {
                format!("param {} = {}", name.name, expr_to_string(value))
            }
            TestStmtKind::Fixture { dataset, fields } => {
                let parts: Vec<String> = fields
                    .iter()
                    .map(|(n, v)| format!("{}: {}", n.name, expr_to_string(v)))
                    .collect();
                let one = format!("{} {{ {} }}", dataset.name, parts.join(", "));
                if parts.is_empty() {
                    format!("{} {{}}", dataset.name)
                } else if one.chars().count() + 2 <= WIDTH {
                    one
                } else {
                    format!("{} {{\n    {},\n  }}", dataset.name, parts.join(",\n    "))
                }
            }
            TestStmtKind::Expect {
                undetermined,
                code,
                key,
            } => format!(
                "expect {}{} on [{}]",
                if *undetermined { "undetermined " } else { "" },
                code.name,
                key.iter()
                    .map(|k| quote(&k.value))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            TestStmtKind::ExpectNone { undetermined, code } => format!(
                "expect no {}{}",
                if *undetermined { "undetermined " } else { "" },
                code.name
            ),
            TestStmtKind::ExpectMetric {
                code,
                dept,
                value,
                undetermined,
                ..
            } => {
                let mut line = format!("expect {}", code.name);
                if let Some(d) = dept {
                    line.push_str(&format!(" for {}", quote(&d.value)));
                }
                match value {
                    crate::ast::ExpectedRate::Counts {
                        numerator,
                        denominator,
                    } => line.push_str(&format!(" = {numerator} / {denominator}")),
                    crate::ast::ExpectedRate::Percent(p) => line.push_str(&format!(" = {p}%")),
                }
                if let Some(n) = undetermined {
                    line.push_str(&format!(" undetermined {n}"));
                }
                line
            }
        };
        out.buf.push_str("  ");
        out.buf.push_str(&line);
        out.end_line(s.span);
    }
    out.closing(t.span);
}
