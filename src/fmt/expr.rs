//! Printing expressions, types, strings and templates.
//!
//! Parentheses are printed exactly where the AST has `Paren` nodes and
//! nowhere else, so the printed text parses back to the same tree.

use crate::ast::{BinOp, Expr, ExprKind, IsTest, Literal, Template, TemplatePart, TypeExpr};

/// A string literal, escaped.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    escape_into(&mut out, s, false);
    out.push('"');
    out
}

fn escape_into(out: &mut String, s: &str, template: bool) {
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '{' if template => out.push_str("\\{"),
            '}' if template => out.push_str("\\}"),
            // Other control characters (a CR cannot stand in a string), the
            // invisible bidirectional marks and the blanks other than the
            // space are written as escapes.
            c if c.is_control() || is_bidi_control(c) || is_unusual_blank(c) => {
                out.push_str(&format!("\\u{{{:X}}}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
}

/// The bidirectional formatting characters (U+202A-U+202E, U+2066-U+2069),
/// which can make source text read differently from what it is.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The characters that show as nothing or as a space but are none: the
/// no-break and other typographic spaces, the ideographic space `　`, the
/// zero-width ones and the byte order mark. Written raw, `"\u{200B}"`
/// would read as `""` and `"\u{3000}"` as `" "`.
fn is_unusual_blank(c: char) -> bool {
    matches!(
        c,
        '\u{00A0}'
            | '\u{00AD}'
            | '\u{1680}'
            | '\u{180E}'
            | '\u{2000}'..='\u{200F}'
            | '\u{2028}'..='\u{202F}'
            | '\u{205F}'..='\u{2064}'
            | '\u{3000}'
            | '\u{FEFF}'
    )
}

pub fn template_to_string(t: &Template) -> String {
    let mut out = String::from("\"");
    for part in &t.parts {
        match part {
            TemplatePart::Text(s) => escape_into(&mut out, s, true),
            TemplatePart::Hole(e) => {
                out.push('{');
                out.push_str(&expr_to_string(e));
                out.push('}');
            }
        }
    }
    out.push('"');
    out
}

pub fn type_to_string(t: &TypeExpr) -> String {
    if t.args.is_empty() {
        t.name.name.clone()
    } else {
        let args: Vec<String> = t.args.iter().map(type_to_string).collect();
        format!("{}<{}>", t.name.name, args.join(", "))
    }
}

fn literal(l: &Literal) -> String {
    match l {
        Literal::Str(s) => quote(s),
        Literal::Int(n) => n.to_string(),
        Literal::Decimal(s) => s.clone(),
        Literal::Percent(s) => format!("{s}%"),
        Literal::Bool(b) => b.to_string(),
        Literal::Date(d) => d.format("%Y-%m-%d").to_string(),
        Literal::DateTime(d) => d.format("%Y-%m-%dT%H:%M:%S").to_string(),
        Literal::None => "none".into(),
        Literal::Invalid(text) => text.clone(),
    }
}

/// An expression on one line.
pub fn expr_to_string(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Lit(l) => literal(l),
        ExprKind::Name(id) => id.name.clone(),
        ExprKind::AsOf => "as_of".into(),
        ExprKind::Field(base, f) => format!("{}.{}", expr_to_string(base), f.name),
        ExprKind::Index {
            base,
            keys,
            valid_on,
        } => {
            let keys: Vec<String> = keys.iter().map(expr_to_string).collect();
            let mut s = format!("{}[{}]", expr_to_string(base), keys.join(", "));
            if let Some(v) = valid_on {
                s.push_str(" valid_on ");
                s.push_str(&expr_to_string(v));
            }
            s
        }
        ExprKind::Call { func, args } => {
            let args: Vec<String> = args.iter().map(expr_to_string).collect();
            format!("{}({})", func.name, args.join(", "))
        }
        ExprKind::Code(c) => c.name.clone(),
        ExprKind::Not(inner) => format!("not {}", expr_to_string(inner)),
        ExprKind::Neg(inner) => format!("-{}", expr_to_string(inner)),
        ExprKind::Binary { op, lhs, rhs } => {
            format!(
                "{} {} {}",
                expr_to_string(lhs),
                op.as_str(),
                expr_to_string(rhs)
            )
        }
        ExprKind::Cmp { op, lhs, rhs } => {
            format!(
                "{} {} {}",
                expr_to_string(lhs),
                op.as_str(),
                expr_to_string(rhs)
            )
        }
        ExprKind::In { negated, lhs, rhs } => format!(
            "{} {}in {}",
            expr_to_string(lhs),
            if *negated { "not " } else { "" },
            expr_to_string(rhs)
        ),
        ExprKind::Is {
            negated,
            test,
            expr,
        } => format!(
            "{} is {}{}",
            expr_to_string(expr),
            if *negated { "not " } else { "" },
            match test {
                IsTest::None => "none",
                IsTest::Empty => "empty",
            }
        ),
        ExprKind::If { cond, then, els } => format!(
            "if {} then {} else {}",
            expr_to_string(cond),
            expr_to_string(then),
            expr_to_string(els)
        ),
        ExprKind::List(items) => {
            let items: Vec<String> = items.iter().map(expr_to_string).collect();
            format!("[{}]", items.join(", "))
        }
        ExprKind::Map(entries) => {
            let entries: Vec<String> = entries
                .iter()
                .map(|(k, v)| format!("{}: {}", expr_to_string(k), expr_to_string(v)))
                .collect();
            format!("{{{}}}", entries.join(", "))
        }
        ExprKind::Paren(inner) => format!("({})", expr_to_string(inner)),
    }
}

/// Prints an expression that may be broken over lines when it is too wide.
pub struct Printer {
    width: usize,
}

impl Printer {
    pub fn new(width: usize) -> Self {
        Printer { width }
    }

    /// The expression, broken over lines if it does not fit; continuation
    /// lines are indented two spaces more than `indent`.
    pub fn block(&self, e: &Expr, indent: &str) -> String {
        let one = expr_to_string(e);
        if one.chars().count() <= self.width && !one.contains('\n') {
            return one;
        }
        let cont = format!("{indent}  ");
        match &e.kind {
            ExprKind::Binary {
                op: op @ (BinOp::And | BinOp::Or),
                ..
            } => {
                let mut operands = Vec::new();
                flatten(e, *op, &mut operands);
                let mut out = expr_to_string(operands[0]);
                for o in &operands[1..] {
                    out.push('\n');
                    out.push_str(&cont);
                    out.push_str(op.as_str());
                    out.push(' ');
                    out.push_str(&expr_to_string(o));
                }
                out
            }
            ExprKind::List(items) if !items.is_empty() => {
                let lines: Vec<String> = items
                    .iter()
                    .map(|i| format!("{cont}{},", expr_to_string(i)))
                    .collect();
                format!("[\n{}\n{indent}]", lines.join("\n"))
            }
            ExprKind::Map(entries) if !entries.is_empty() => {
                let lines: Vec<String> = entries
                    .iter()
                    .map(|(k, v)| format!("{cont}{}: {},", expr_to_string(k), expr_to_string(v)))
                    .collect();
                format!("{{\n{}\n{indent}}}", lines.join("\n"))
            }
            _ => one,
        }
    }
}

/// The operands of a left-associated chain of one operator.
fn flatten<'a>(e: &'a Expr, op: BinOp, out: &mut Vec<&'a Expr>) {
    match &e.kind {
        ExprKind::Binary { op: o, lhs, rhs } if *o == op => {
            flatten(lhs, op, out);
            out.push(rhs);
        }
        _ => out.push(e),
    }
}
