//! The grammar of filter rules.
//!
//! In: the tokens of a rule. Out: an [`Expr`], the semantic errors found on the way (unknown
//! attribute or operator, an operator the attribute does not take, a value of the wrong type),
//! and at most one syntax error, after which parsing stops.
//!
//! ```text
//! or      = and ("-or" and)*
//! and     = not ("-and" not)*
//! not     = "-not" not | primary
//! primary = "(" or ")" | attribute operator value
//! value   = string | word | "[" value ("," value)* "]"
//! ```

use super::attributes::{self, AttrKind, Attribute, Op, UNSUPPORTED_OPS, op_list};
use super::lexer::{Tok, Token};
use super::values::check_type;
use super::{Comparison, Expr, FilterError, MAX_NESTING, Subject, Value};

pub struct Parsed {
    pub expr: Option<Expr>,
    pub semantic: Vec<FilterError>,
    pub syntax: Option<FilterError>,
}

/// Parsing stopped at a syntax error (already recorded).
struct Stop;

type PResult<T> = Result<T, Stop>;

struct Parser<'a> {
    rule: &'a str,
    tokens: &'a [Token],
    pos: usize,
    subject: Subject,
    /// Parentheses and `-not`s currently open.
    depth: usize,
    semantic: Vec<FilterError>,
    syntax: Option<FilterError>,
}

pub fn parse(rule: &str, tokens: &[Token], subject: Subject) -> Parsed {
    let mut p = Parser {
        rule,
        tokens,
        pos: 0,
        subject,
        depth: 0,
        semantic: Vec::new(),
        syntax: None,
    };
    let expr = p.parse_or().ok().and_then(|e| p.finish().ok().map(|()| e));
    Parsed {
        expr,
        semantic: p.semantic,
        syntax: p.syntax,
    }
}

fn is_logical(tok: &Tok, word: &str) -> bool {
    matches!(tok, Tok::Dash(w) if w.eq_ignore_ascii_case(word))
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<&'a Token> {
        self.tokens.get(self.pos)
    }

    fn previous(&self) -> Option<&'a Token> {
        self.pos.checked_sub(1).and_then(|i| self.tokens.get(i))
    }

    fn stop<T>(&mut self, error: FilterError) -> PResult<T> {
        if self.syntax.is_none() {
            self.syntax = Some(error);
        }
        Err(Stop)
    }

    fn eat_logical(&mut self, word: &str) -> bool {
        if self.peek().is_some_and(|t| is_logical(&t.tok, word)) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn finish(&mut self) -> PResult<()> {
        let Some(t) = self.peek() else { return Ok(()) };
        let error = match t.tok {
            Tok::RParen => FilterError::new(t.start, t.end, "unmatched `)`")
                .with_help("remove it, or add the `(` it closes"),
            _ => FilterError::new(
                t.start,
                t.end,
                format!("expected `-and` or `-or` before `{}`", t.text(self.rule)),
            )
            .with_help("join conditions with `-and` or `-or`"),
        };
        self.stop(error)
    }

    fn parse_or(&mut self) -> PResult<Expr> {
        let mut items = vec![self.parse_and()?];
        while self.eat_logical("or") {
            items.push(self.parse_and()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Expr::Or(items)
        })
    }

    fn parse_and(&mut self) -> PResult<Expr> {
        let mut items = vec![self.parse_not()?];
        while self.eat_logical("and") {
            items.push(self.parse_not()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Expr::And(items)
        })
    }

    /// Enter a parenthesis or a `-not`; stop at [`MAX_NESTING`] levels.
    fn nest(&mut self, at: &Token) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return self.stop(
                FilterError::new(
                    at.start,
                    at.end,
                    format!("the rule nests more than {MAX_NESTING} levels deep"),
                )
                .with_help("remove redundant parentheses or `-not`s"),
            );
        }
        Ok(())
    }

    fn parse_not(&mut self) -> PResult<Expr> {
        if let Some(t) = self.peek().filter(|t| is_logical(&t.tok, "not")) {
            self.pos += 1;
            self.nest(t)?;
            let inner = self.parse_not()?;
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(inner)));
        }
        self.parse_primary()
    }

    fn parse_primary(&mut self) -> PResult<Expr> {
        let Some(t) = self.peek() else {
            return self.missing_condition();
        };
        match &t.tok {
            Tok::LParen => {
                self.pos += 1;
                self.nest(t)?;
                let inner = self.parse_or()?;
                self.depth -= 1;
                match self.peek() {
                    Some(Token {
                        tok: Tok::RParen, ..
                    }) => {
                        self.pos += 1;
                        Ok(inner)
                    }
                    None => self.stop(
                        FilterError::new(t.start, t.end, "unclosed `(`")
                            .with_help("add the `)` that closes it"),
                    ),
                    Some(u) => self.stop(
                        FilterError::new(
                            u.start,
                            u.end,
                            format!(
                                "expected `-and`, `-or` or `)` before `{}`",
                                u.text(self.rule)
                            ),
                        )
                        .with_help("join conditions with `-and` or `-or`"),
                    ),
                }
            }
            Tok::Word(_) => self.parse_comparison(),
            Tok::Dash(w) if w.eq_ignore_ascii_case("and") || w.eq_ignore_ascii_case("or") => {
                let message = match self.previous() {
                    None => format!("the rule starts with `{}`", t.text(self.rule)),
                    Some(_) => format!("expected a condition before `{}`", t.text(self.rule)),
                };
                self.stop(
                    FilterError::new(t.start, t.end, message)
                        .with_help("put a condition on each side of it"),
                )
            }
            Tok::RParen => self.stop(
                FilterError::new(t.start, t.end, "expected a condition before `)`")
                    .with_help("parentheses hold a condition"),
            ),
            Tok::Str(_) => self.stop(
                FilterError::new(t.start, t.end, "expected an attribute, found a string")
                    .with_help("a condition starts with the attribute: `device.model -eq \"...\"`"),
            ),
            _ => self.stop(FilterError::new(
                t.start,
                t.end,
                format!("expected a condition, found `{}`", t.text(self.rule)),
            )),
        }
    }

    /// The rule ended where a condition should be.
    fn missing_condition<T>(&mut self) -> PResult<T> {
        let error = match self.previous() {
            Some(p) if matches!(&p.tok, Tok::Dash(_)) => FilterError::new(
                p.start,
                p.end,
                format!("dangling `{}`: no condition after it", p.text(self.rule)),
            )
            .with_help("add a condition after it, or remove it"),
            Some(p) => FilterError::new(p.start, p.end, "expected a condition after this"),
            None => FilterError::new(0, self.rule.len(), "the rule is empty"),
        };
        self.stop(error)
    }

    fn parse_comparison(&mut self) -> PResult<Expr> {
        let Some(attr_tok) = self.peek() else {
            return self.missing_condition();
        };
        self.pos += 1;
        let written = attr_tok.text(self.rule);
        let attribute = match attributes::resolve(written, self.subject) {
            Ok(a) => Some(a),
            Err(u) => {
                let mut e = FilterError::new(attr_tok.start, attr_tok.end, u.message);
                e.help = u.help;
                self.semantic.push(e);
                None
            }
        };
        let op = self.parse_operator(attr_tok, written)?;
        let (value, value_start, value_end) =
            self.parse_value(op.as_ref().map(|(_, t)| *t).unwrap_or(attr_tok))?;
        let (Some(attribute), Some((op, op_tok))) = (attribute, op) else {
            // Already reported; keep parsing for further errors with a placeholder.
            return Ok(Expr::Compare(Comparison {
                attribute: String::new(),
                kind: AttrKind::String,
                op: Op::Eq,
                value,
                start: attr_tok.start,
                end: value_end,
            }));
        };
        let value = self.check(
            &attribute,
            written,
            op,
            op_tok,
            value,
            value_start,
            value_end,
        );
        Ok(Expr::Compare(Comparison {
            attribute: attribute.name,
            kind: attribute.kind,
            op,
            value,
            start: attr_tok.start,
            end: value_end,
        }))
    }

    /// The operator after an attribute. `None` when it is unknown (reported, parsing goes on).
    fn parse_operator(
        &mut self,
        attr_tok: &'a Token,
        written: &str,
    ) -> PResult<Option<(Op, &'a Token)>> {
        let Some(t) = self.peek() else {
            return self.stop(
                FilterError::new(
                    attr_tok.start,
                    attr_tok.end,
                    format!("`{written}` needs an operator and a value"),
                )
                .with_help(format!("for example `{written} -eq \"...\"`")),
            );
        };
        let word = match &t.tok {
            Tok::Dash(w)
                if ["and", "or", "not"]
                    .iter()
                    .any(|l| w.eq_ignore_ascii_case(l)) =>
            {
                None
            }
            Tok::Dash(w) => Some(w.as_str()),
            Tok::Word(w) if Op::from_word(w).is_some() => Some(w.as_str()),
            _ => None,
        };
        let Some(word) = word else {
            return self.stop(
                FilterError::new(
                    t.start,
                    t.end,
                    format!(
                        "expected an operator after `{written}`, found `{}`",
                        t.text(self.rule)
                    ),
                )
                .with_help(
                    "compare the attribute with an operator such as `-eq`, `-startsWith` or `-in`",
                ),
            );
        };
        self.pos += 1;
        if let Some(op) = Op::from_word(word) {
            return Ok(Some((op, t)));
        }
        let text = t.text(self.rule);
        let dashed = format!("-{word}");
        let e = if let Some(u) = UNSUPPORTED_OPS
            .iter()
            .find(|u| u.eq_ignore_ascii_case(&dashed))
        {
            FilterError::new(
                t.start,
                t.end,
                format!("`{u}` is not supported in Conditional Access filters"),
            )
            .with_help(format!("use one of {}", op_list(&Op::ALL)))
        } else {
            let found = crate::diag::did_you_mean(&dashed, Op::ALL.iter().map(|o| o.keyword()));
            let help = crate::diag::suggestion_text(&found)
                .unwrap_or_else(|| format!("the operators are {}", op_list(&Op::ALL)));
            FilterError::new(t.start, t.end, format!("unknown operator `{text}`")).with_help(help)
        };
        self.semantic.push(e);
        Ok(None)
    }

    /// The value after an operator, with its byte span.
    fn parse_value(&mut self, after: &Token) -> PResult<(Value, usize, usize)> {
        let Some(t) = self.peek() else {
            let text = after.text(self.rule).to_string();
            return self.stop(
                FilterError::new(
                    after.start,
                    after.end,
                    format!("expected a value after `{text}`"),
                )
                .with_help("for example `\"Windows\"`, `True` or `[\"a\", \"b\"]`"),
            );
        };
        match &t.tok {
            Tok::Str(s) => {
                self.pos += 1;
                Ok((Value::Str(s.clone()), t.start, t.end))
            }
            Tok::Word(w) => {
                self.pos += 1;
                let value = bare_value(w);
                if matches!(value, Value::Str(_)) {
                    self.semantic.push(
                        FilterError::new(
                            t.start,
                            t.end,
                            format!("text values are quoted, `{w}` is not"),
                        )
                        .with_help(format!("write `\"{w}\"`")),
                    );
                }
                Ok((value, t.start, t.end))
            }
            Tok::LBracket => self.parse_list(t),
            _ => {
                let text = after.text(self.rule).to_string();
                self.stop(
                    FilterError::new(
                        t.start,
                        t.end,
                        format!(
                            "expected a value after `{text}`, found `{}`",
                            t.text(self.rule)
                        ),
                    )
                    .with_help("for example `\"Windows\"`, `True` or `[\"a\", \"b\"]`"),
                )
            }
        }
    }

    fn parse_list(&mut self, open: &Token) -> PResult<(Value, usize, usize)> {
        self.pos += 1;
        let mut items = Vec::new();
        loop {
            let Some(t) = self.peek() else {
                return self.stop(
                    FilterError::new(open.start, open.end, "unclosed `[`")
                        .with_help("close the list with `]`"),
                );
            };
            match &t.tok {
                Tok::RBracket if items.is_empty() => {
                    self.pos += 1;
                    self.semantic.push(
                        FilterError::new(open.start, t.end, "empty list")
                            .with_help("put at least one value in it"),
                    );
                    return Ok((Value::List(items), open.start, t.end));
                }
                Tok::Str(s) => items.push(s.clone()),
                Tok::Word(w) => {
                    self.semantic.push(
                        FilterError::new(
                            t.start,
                            t.end,
                            format!("list items are quoted strings, not `{w}`"),
                        )
                        .with_help(format!("write `\"{w}\"`")),
                    );
                    items.push(w.clone());
                }
                _ => {
                    return self.stop(
                        FilterError::new(
                            t.start,
                            t.end,
                            format!(
                                "expected a quoted string in the list, found `{}`",
                                t.text(self.rule)
                            ),
                        )
                        .with_help("write lists as `[\"a\", \"b\"]`"),
                    );
                }
            }
            self.pos += 1;
            match self.peek() {
                Some(Token {
                    tok: Tok::Comma, ..
                }) => self.pos += 1,
                Some(
                    c @ Token {
                        tok: Tok::RBracket, ..
                    },
                ) => {
                    self.pos += 1;
                    return Ok((Value::List(items), open.start, c.end));
                }
                Some(u) => {
                    return self.stop(
                        FilterError::new(
                            u.start,
                            u.end,
                            format!("expected `,` or `]`, found `{}`", u.text(self.rule)),
                        )
                        .with_help("separate list items with commas"),
                    );
                }
                None => {
                    return self.stop(
                        FilterError::new(open.start, open.end, "unclosed `[`")
                            .with_help("close the list with `]`"),
                    );
                }
            }
        }
    }

    /// Check the operator and the value against the attribute; returns the value normalised
    /// (`"True"` for a boolean attribute becomes `Value::Bool(true)`).
    #[allow(clippy::too_many_arguments)]
    fn check(
        &mut self,
        a: &Attribute,
        written: &str,
        op: Op,
        op_tok: &Token,
        value: Value,
        vs: usize,
        ve: usize,
    ) -> Value {
        if !a.ops.contains(&op) {
            // The value is not checked: what it should be depends on the operator.
            self.semantic.push(
                FilterError::new(
                    op_tok.start,
                    op_tok.end,
                    format!("`{}` cannot be used with `{written}`", op.keyword()),
                )
                .with_help(format!("`{written}` takes {}", op_list(a.ops))),
            );
            return value;
        }
        let mut errors = Vec::new();
        let value = match (&value, op.takes_list()) {
            (Value::Null, _) if !matches!(op, Op::Eq | Op::Ne) => {
                errors.push(FilterError::new(
                    vs,
                    ve,
                    "`null` can only be compared with `-eq` or `-ne`",
                ));
                value
            }
            (Value::Null, _) => value,
            (Value::List(_), false) => {
                errors.push(
                    FilterError::new(
                        vs,
                        ve,
                        format!("`{}` takes a single value, not a list", op.keyword()),
                    )
                    .with_help("use `-in` or `-notIn` to compare with a list"),
                );
                value
            }
            (Value::Str(_) | Value::Bool(_), true) => {
                errors.push(
                    FilterError::new(vs, ve, format!("`{}` takes a list", op.keyword())).with_help(
                        format!(
                            "write the values as a list: `{} [\"a\", \"b\"]`",
                            op.keyword()
                        ),
                    ),
                );
                value
            }
            _ => check_type(a, written, value, vs, ve, &mut errors),
        };
        self.semantic.extend(errors);
        value
    }
}

/// A value written without quotes.
fn bare_value(word: &str) -> Value {
    if word.eq_ignore_ascii_case("true") {
        Value::Bool(true)
    } else if word.eq_ignore_ascii_case("false") {
        Value::Bool(false)
    } else if word.eq_ignore_ascii_case("null") {
        Value::Null
    } else {
        Value::Str(word.to_string())
    }
}
