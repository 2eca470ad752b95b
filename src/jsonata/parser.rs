//! The Pratt parser (token stream → raw tree) and the post-parse pass that
//! turns `.`/`[`/`{`/`^`/`@`/`#` into paths with stages, as jsonata-js does.
//!
//! Both recurse once per nesting level on the caller's thread. Nodes travel boxed
//! (`Box<Node>` in and out), so results and `?` temporaries on the recursion path are
//! pointer-sized; nodes are unboxed only in leaf helpers.

// Boxed parameters are deliberate: see above.
#![allow(clippy::boxed_local)]

use super::ast::{BinOp, Group, Kind, LambdaDef, Node, SortTerm, Stage, TransformDef};
use super::error::Error;
use super::functions::{Builtin, Profile};
use super::lexer::{Lexer, Tok, Token};
use super::signature::Signature;
use std::collections::HashSet;
use std::sync::Arc;

/// The result of parsing: the processed tree and the parent-slot labels.
pub(crate) struct Parsed {
    pub root: Node,
}

/// Parses and post-processes `src`.
pub(crate) fn parse(src: &str, profile: Profile) -> Result<Parsed, Error> {
    let mut p = Parser {
        lexer: Lexer::new(src),
        tok: Token {
            tok: Tok::End,
            position: 0,
        },
        bound: HashSet::new(),
        depth: 0,
        stack_base: super::eval::stack_position(),
        cloned: 0,
    };
    p.advance(None, false)?;
    let raw = p.expression(0)?;
    if p.tok.tok != Tok::End {
        return Err(Error::new("S0201")
            .pos(p.tok.position)
            .token(tok_text(&p.tok.tok)));
    }
    let mut proc = Processor {
        stack_base: super::eval::stack_position(),
        slots: Vec::new(),
        bound: p.bound,
        profile,
    };
    let mut root = proc.process(raw)?;
    if matches!(root.kind, Kind::Parent(_)) || !root.seeking_parent.is_empty() {
        return Err(Error::new("S0217")
            .pos(root.position)
            .token(kind_name(&root)));
    }
    let slot_labels: Vec<Arc<str>> = proc
        .slots
        .iter()
        .map(|s| Arc::from(format!("!{}", s.label)))
        .collect();
    resolve_labels(&mut root, &slot_labels);
    Ok(Parsed { root: *root })
}

fn tok_text(t: &Tok) -> String {
    match t {
        Tok::Op(o) => o.to_string(),
        Tok::Name(n) | Tok::Var(n) | Tok::Str(n) => n.clone(),
        Tok::Num(n) => super::value::format_number(*n),
        Tok::Bool(b) => b.to_string(),
        Tok::Null => "null".into(),
        Tok::Regex(p, _) => p.clone(),
        Tok::End => "(end)".into(),
    }
}

fn lbp(t: &Tok) -> u32 {
    match t {
        Tok::Op(o) => match *o {
            "." => 75,
            "[" | "(" | "@" | "#" => 80,
            "{" => 70,
            "?" => 20,
            "+" | "-" | "&" => 50,
            "*" | "/" | "%" => 60,
            "=" | "<" | ">" | "^" | "!=" | "<=" | ">=" | "~>" | "in" | "??" | "?:" => 40,
            "and" => 30,
            "or" => 25,
            ":=" => 10,
            _ => 0,
        },
        _ => 0,
    }
}

/// Nesting bound for the parser (and, through the tree depth, every recursive pass).
const MAX_PARSE_DEPTH: usize = 120;

/// Stack bound for the parser and the post-parse pass (bytes), measured like
/// evaluation's: a backstop behind `MAX_PARSE_DEPTH`, which on its own keeps a debug
/// build well inside a 2 MiB thread.
const MAX_PARSE_STACK: usize = super::DEFAULT_MAX_STACK;

struct Parser<'a> {
    lexer: Lexer<'a>,
    tok: Token,
    bound: HashSet<Arc<str>>,
    depth: usize,
    stack_base: usize,
    /// Nodes copied so far by `?:` and `??`.
    cloned: usize,
}

/// Bound on the nodes `?:` and `??` may copy in one expression.
const MAX_CLONED_NODES: usize = 100_000;

impl Parser<'_> {
    fn is(&self, op: &str) -> bool {
        matches!(&self.tok.tok, Tok::Op(o) if *o == op)
    }

    /// Checks the current token is `expect` (if given), then reads the next one.
    fn advance(&mut self, expect: Option<&str>, infix: bool) -> Result<Token, Error> {
        if let Some(id) = expect {
            if !self.is(id) {
                let code = if self.tok.tok == Tok::End {
                    "S0203"
                } else {
                    "S0202"
                };
                return Err(Error::new(code)
                    .pos(self.tok.position)
                    .token(tok_text(&self.tok.tok))
                    .value(id));
            }
        }
        let next = self.lexer.next(infix)?;
        if let Tok::Op(o) = &next.tok {
            if matches!(*o, "!" | "~") {
                return Err(Error::new("S0204").pos(next.position).token(*o));
            }
        }
        Ok(std::mem::replace(&mut self.tok, next))
    }

    /// Counts one level of nesting; errors past the bound.
    #[inline(never)]
    fn enter(&mut self) -> Result<(), Error> {
        self.depth += 1;
        if self.depth > MAX_PARSE_DEPTH
            || super::eval::stack_position().abs_diff(self.stack_base) > MAX_PARSE_STACK
        {
            return Err(too_deep(self.tok.position));
        }
        Ok(())
    }

    // The parser recurses through `expression` → `prefix`/`infix` → one small function
    // per construct → `expression`. Every function on that cycle keeps few large
    // locals (unoptimised builds give each temporary its own stack slot), and the
    // dispatchers return their callee's result directly, so a nesting level costs a
    // few hundred bytes of stack in a debug build rather than kilobytes.

    fn expression(&mut self, rbp: u32) -> Result<Box<Node>, Error> {
        self.enter()?;
        let mut left = self.prefix()?;
        let mut chained = 0;
        while rbp < lbp(&self.tok.tok) {
            // Each infix application nests the tree one level deeper.
            chained += 1;
            self.enter()?;
            left = self.infix(left)?;
        }
        self.depth -= 1 + chained;
        Ok(left)
    }

    #[inline(never)]
    fn prefix(&mut self) -> Result<Box<Node>, Error> {
        let t = self.advance(None, true)?;
        self.nud(t)
    }

    #[inline(never)]
    fn infix(&mut self, left: Box<Node>) -> Result<Box<Node>, Error> {
        let t = self.advance(None, false)?;
        self.led(t, left)
    }

    #[inline(never)]
    fn nud(&mut self, t: Token) -> Result<Box<Node>, Error> {
        let pos = t.position;
        match t.tok {
            Tok::Op(op) => self.nud_op(op, pos),
            Tok::Regex(p, f) => regex_node(p, f, pos),
            Tok::End => Err(Error::new("S0207").pos(pos).token("(end)")),
            tok => Ok(node(literal_kind(tok), pos)),
        }
    }

    #[inline(never)]
    fn nud_op(&mut self, op: &'static str, pos: usize) -> Result<Box<Node>, Error> {
        match op {
            "and" | "or" | "in" => Ok(node(Kind::Name(op.into()), pos)),
            "-" => self.nud_negate(pos),
            "*" => Ok(node(Kind::Wildcard, pos)),
            "**" => Ok(node(Kind::Descendant, pos)),
            "%" => Ok(node(Kind::Parent(0), pos)),
            "(" => self.nud_block(pos),
            "[" => self.nud_array(pos),
            "{" => self.nud_object(pos),
            "|" => self.nud_transform(pos),
            _ => Err(Error::new("S0211").pos(pos).token(op)),
        }
    }

    #[inline(never)]
    fn nud_negate(&mut self, pos: usize) -> Result<Box<Node>, Error> {
        let e = self.expression(70)?;
        Ok(node(Kind::Negate(e), pos))
    }

    #[inline(never)]
    fn nud_block(&mut self, pos: usize) -> Result<Box<Node>, Error> {
        let mut exprs = Vec::new();
        while !self.is(")") {
            let e = self.expression(0)?;
            push_unboxed(&mut exprs, e);
            if !self.is(";") {
                break;
            }
            self.advance(Some(";"), false)?;
        }
        self.advance(Some(")"), true)?;
        Ok(node(Kind::Block(exprs), pos))
    }

    #[inline(never)]
    fn nud_array(&mut self, pos: usize) -> Result<Box<Node>, Error> {
        let mut items = Vec::new();
        if !self.is("]") {
            loop {
                let item = self.array_item()?;
                push_unboxed(&mut items, item);
                if !self.is(",") {
                    break;
                }
                self.advance(Some(","), false)?;
            }
        }
        self.advance(Some("]"), true)?;
        Ok(node(Kind::ArrayCons(items), pos))
    }

    /// One item of an array constructor: an expression or a range `a..b`.
    #[inline(never)]
    fn array_item(&mut self) -> Result<Box<Node>, Error> {
        let item = self.expression(0)?;
        if !self.is("..") {
            return Ok(item);
        }
        let rpos = self.tok.position;
        self.advance(Some(".."), false)?;
        let rhs = self.expression(0)?;
        Ok(node(Kind::Binary(BinOp::Range, item, rhs), rpos))
    }

    #[inline(never)]
    fn nud_object(&mut self, pos: usize) -> Result<Box<Node>, Error> {
        let pairs = self.object_pairs()?;
        Ok(node(Kind::ObjectCons(pairs), pos))
    }

    #[inline(never)]
    fn nud_transform(&mut self, pos: usize) -> Result<Box<Node>, Error> {
        let pattern = self.expression(0)?;
        self.advance(Some("|"), false)?;
        let update = self.expression(0)?;
        let mut delete = None;
        if self.is(",") {
            self.advance(Some(","), false)?;
            delete = Some(self.expression(0)?);
        }
        self.advance(Some("|"), false)?;
        Ok(node(Kind::RawTransform(pattern, update, delete), pos))
    }

    #[inline(never)]
    fn object_pairs(&mut self) -> Result<Vec<(Node, Node)>, Error> {
        let mut pairs = Vec::new();
        if !self.is("}") {
            loop {
                self.object_pair(&mut pairs)?;
                if !self.is(",") {
                    break;
                }
                self.advance(Some(","), false)?;
            }
        }
        self.advance(Some("}"), true)?;
        Ok(pairs)
    }

    #[inline(never)]
    fn object_pair(&mut self, pairs: &mut Vec<(Node, Node)>) -> Result<(), Error> {
        let k = self.expression(0)?;
        self.advance(Some(":"), false)?;
        let v = self.expression(0)?;
        push_pair(pairs, k, v);
        Ok(())
    }

    #[inline(never)]
    fn led(&mut self, t: Token, left: Box<Node>) -> Result<Box<Node>, Error> {
        let pos = t.position;
        let Tok::Op(op) = t.tok else {
            return Err(Error::new("S0201").pos(pos).token(tok_text(&t.tok)));
        };
        if let Some(b) = binop(op) {
            return self.led_binary(b, op, left, pos);
        }
        match op {
            "." => self.led_pair(75, left, pos, Kind::RawDot),
            "~>" => self.led_pair(40, left, pos, Kind::Apply),
            "(" => self.call(left, pos),
            "[" => self.led_filter(left, pos),
            "^" => self.led_sort(left, pos),
            "{" => self.led_group(left, pos),
            ":=" => self.led_bind(left, pos),
            "@" | "#" => self.led_focus(op, left, pos),
            "?" => self.led_condition(left, pos),
            "?:" => self.led_elvis(left, pos),
            "??" => self.led_coalesce(left, pos),
            _ => Err(Error::new("S0201").pos(pos).token(op)),
        }
    }

    #[inline(never)]
    fn led_binary(
        &mut self,
        b: BinOp,
        op: &'static str,
        left: Box<Node>,
        pos: usize,
    ) -> Result<Box<Node>, Error> {
        let rhs = self.expression(lbp(&Tok::Op(op)))?;
        Ok(node(Kind::Binary(b, left, rhs), pos))
    }

    #[inline(never)]
    fn led_pair(
        &mut self,
        rbp: u32,
        left: Box<Node>,
        pos: usize,
        make: fn(Box<Node>, Box<Node>) -> Kind,
    ) -> Result<Box<Node>, Error> {
        let rhs = self.expression(rbp)?;
        Ok(node(make(left, rhs), pos))
    }

    #[inline(never)]
    fn led_filter(&mut self, mut left: Box<Node>, pos: usize) -> Result<Box<Node>, Error> {
        if self.is("]") {
            {
                let mut step = &mut *left;
                while let Kind::RawFilter(l, _) = &mut step.kind {
                    step = l;
                }
                step.keep_array = true;
            }
            self.advance(Some("]"), false)?;
            return Ok(left);
        }
        let rhs = self.expression(0)?;
        self.advance(Some("]"), true)?;
        Ok(node(Kind::RawFilter(left, rhs), pos))
    }

    #[inline(never)]
    fn led_sort(&mut self, left: Box<Node>, pos: usize) -> Result<Box<Node>, Error> {
        self.advance(Some("("), false)?;
        let mut terms = Vec::new();
        loop {
            self.sort_term(&mut terms)?;
            if !self.is(",") {
                break;
            }
            self.advance(Some(","), false)?;
        }
        self.advance(Some(")"), true)?;
        Ok(node(Kind::RawSort(left, terms), pos))
    }

    #[inline(never)]
    fn sort_term(&mut self, terms: &mut Vec<SortTerm>) -> Result<(), Error> {
        let mut descending = false;
        if self.is("<") {
            self.advance(Some("<"), false)?;
        } else if self.is(">") {
            descending = true;
            self.advance(Some(">"), false)?;
        }
        let expr = self.expression(0)?;
        push_term(terms, descending, expr);
        Ok(())
    }

    #[inline(never)]
    fn led_group(&mut self, left: Box<Node>, pos: usize) -> Result<Box<Node>, Error> {
        let pairs = self.object_pairs()?;
        Ok(node(Kind::RawGroup(left, pairs), pos))
    }

    #[inline(never)]
    fn led_bind(&mut self, left: Box<Node>, pos: usize) -> Result<Box<Node>, Error> {
        let Kind::Variable(name, _) = &left.kind else {
            return Err(Error::new("S0212")
                .pos(left.position)
                .token(left.proc_name()));
        };
        let name = name.clone();
        drop(left);
        self.bound.insert(name.clone());
        let rhs = self.expression(9)?;
        Ok(node(Kind::Bind(name, rhs), pos))
    }

    #[inline(never)]
    fn led_focus(
        &mut self,
        op: &'static str,
        left: Box<Node>,
        pos: usize,
    ) -> Result<Box<Node>, Error> {
        let rhs = self.expression(80)?;
        let Kind::Variable(name, _) = &rhs.kind else {
            return Err(Error::new("S0214").pos(rhs.position).token(op));
        };
        let kind = if op == "@" {
            Kind::RawFocus(left, name.clone())
        } else {
            Kind::RawIndex(left, name.clone())
        };
        Ok(node(kind, pos))
    }

    #[inline(never)]
    fn led_condition(&mut self, left: Box<Node>, pos: usize) -> Result<Box<Node>, Error> {
        let then = self.expression(0)?;
        let mut els = None;
        if self.is(":") {
            self.advance(Some(":"), false)?;
            els = Some(self.expression(0)?);
        }
        Ok(node(Kind::Condition(left, then, els), pos))
    }

    /// `a ?: b` is `a ? a : b`; the condition is evaluated twice as in jsonata-js.
    #[inline(never)]
    fn led_elvis(&mut self, left: Box<Node>, pos: usize) -> Result<Box<Node>, Error> {
        let els = self.expression(0)?;
        let copy = self.clone_raw(&left)?;
        Ok(node(Kind::Condition(left, copy, Some(els)), pos))
    }

    /// `a ?? b` is `$exists(a) ? a : b`.
    #[inline(never)]
    fn led_coalesce(&mut self, left: Box<Node>, pos: usize) -> Result<Box<Node>, Error> {
        let els = self.expression(39)?;
        let copy = self.clone_raw(&left)?;
        let exists = node(
            Kind::Call(
                node(Kind::Variable("exists".into(), None), pos),
                vec![*left],
            ),
            pos,
        );
        Ok(node(Kind::Condition(exists, copy, Some(els)), pos))
    }

    /// Copies `n` for `?:`/`??`, within a budget: nested `((a ?: b) ?: c) ?: d`
    /// doubles the tree at each level, so the total copied is bounded.
    fn clone_raw(&mut self, n: &Node) -> Result<Box<Node>, Error> {
        let size = raw_size(n, MAX_CLONED_NODES.saturating_sub(self.cloned) + 1);
        self.cloned += size;
        if self.cloned > MAX_CLONED_NODES {
            return Err(Error::new("S0201")
                .pos(n.position)
                .token("(expression too large)")
                .message("Syntax error: expression too large"));
        }
        Ok(Box::new(clone_raw(n)))
    }

    #[inline(never)]
    fn call(&mut self, left: Box<Node>, pos: usize) -> Result<Box<Node>, Error> {
        let (args, partial) = self.call_args()?;
        let is_lambda =
            matches!(&left.kind, Kind::Name(n) if &**n == "function" || &**n == "\u{3bb}");
        if is_lambda {
            return self.lambda(args, pos);
        }
        let kind = if partial {
            Kind::Partial(left, args)
        } else {
            Kind::Call(left, args.into_iter().flatten().collect())
        };
        Ok(node(kind, pos))
    }

    /// The arguments of a call up to `)`; `None` for `?` placeholders.
    #[inline(never)]
    fn call_args(&mut self) -> Result<(Vec<Option<Node>>, bool), Error> {
        let mut args: Vec<Option<Node>> = Vec::new();
        let mut partial = false;
        if !self.is(")") {
            loop {
                if self.is("?") {
                    partial = true;
                    args.push(None);
                    self.advance(Some("?"), false)?;
                } else {
                    let a = self.expression(0)?;
                    push_arg(&mut args, a);
                }
                if !self.is(",") {
                    break;
                }
                self.advance(Some(","), false)?;
            }
        }
        self.advance(Some(")"), true)?;
        Ok((args, partial))
    }

    /// `function($a, $b)<sig>{ body }`, after the parameter list.
    #[inline(never)]
    fn lambda(&mut self, args: Vec<Option<Node>>, pos: usize) -> Result<Box<Node>, Error> {
        let mut params = Vec::new();
        for (i, a) in args.iter().enumerate() {
            match a.as_ref().map(|a| &a.kind) {
                Some(Kind::Variable(n, _)) => {
                    self.bound.insert(n.clone());
                    params.push(n.clone());
                }
                _ => {
                    let p = a.as_ref().map(|a| a.position).unwrap_or(pos);
                    return Err(Error::new("S0208").pos(p).value((i + 1).to_string()));
                }
            }
        }
        drop(args);
        let signature = if self.is("<") {
            Some(self.signature()?)
        } else {
            None
        };
        self.advance(Some("{"), false)?;
        let body = self.expression(0)?;
        self.advance(Some("}"), true)?;
        Ok(lambda_node(params, signature, body, pos))
    }

    #[inline(never)]
    fn signature(&mut self) -> Result<Signature, Error> {
        let sig_pos = self.tok.position;
        let mut depth = 1;
        let mut sig = String::from("<");
        while depth > 0 && !self.is("{") && self.tok.tok != Tok::End {
            self.advance(None, false)?;
            match &self.tok.tok {
                Tok::Op(">") => depth -= 1,
                Tok::Op("<") => depth += 1,
                _ => {}
            }
            sig.push_str(&tok_text(&self.tok.tok));
        }
        self.advance(Some(">"), false)?;
        Signature::parse(&sig).map_err(|e| e.pos(sig_pos))
    }
}

/// A boxed node: parser functions return boxes, so results and `?` temporaries stay
/// pointer-sized on the recursion path.
#[inline(never)]
fn node(kind: Kind, pos: usize) -> Box<Node> {
    Box::new(Node::new(kind, pos))
}

// Unboxing copies a node through the stack, so it happens in these leaf functions,
// never in a frame that stays live across the recursion.

#[inline(never)]
fn push_unboxed(v: &mut Vec<Node>, n: Box<Node>) {
    v.push(*n);
}

#[inline(never)]
fn push_pair(v: &mut Vec<(Node, Node)>, k: Box<Node>, val: Box<Node>) {
    v.push((*k, *val));
}

#[inline(never)]
fn push_term(v: &mut Vec<SortTerm>, descending: bool, expr: Box<Node>) {
    v.push(SortTerm {
        descending,
        expr: *expr,
    });
}

#[inline(never)]
fn push_arg(v: &mut Vec<Option<Node>>, n: Box<Node>) {
    v.push(Some(*n));
}

#[inline(never)]
fn lambda_node(
    params: Vec<Arc<str>>,
    signature: Option<Signature>,
    body: Box<Node>,
    pos: usize,
) -> Box<Node> {
    node(
        Kind::Lambda(Arc::new(LambdaDef {
            params,
            signature,
            body: *body,
            thunk: false,
        })),
        pos,
    )
}

fn too_deep(pos: usize) -> Error {
    Error::new("S0201")
        .pos(pos)
        .token("(nesting too deep)")
        .message("Syntax error: expression nested too deeply")
}

fn binop(op: &str) -> Option<BinOp> {
    Some(match op {
        "+" => BinOp::Add,
        "-" => BinOp::Sub,
        "*" => BinOp::Mul,
        "/" => BinOp::Div,
        "%" => BinOp::Mod,
        "=" => BinOp::Eq,
        "!=" => BinOp::Ne,
        "<" => BinOp::Lt,
        "<=" => BinOp::Le,
        ">" => BinOp::Gt,
        ">=" => BinOp::Ge,
        "&" => BinOp::Concat,
        "and" => BinOp::And,
        "or" => BinOp::Or,
        "in" => BinOp::In,
        _ => return None,
    })
}

/// The kind of a name, variable or literal token.
fn literal_kind(tok: Tok) -> Kind {
    match tok {
        Tok::Name(n) => Kind::Name(n.into()),
        Tok::Var(n) => Kind::Variable(n.into(), None),
        Tok::Str(s) => Kind::Str(s.into()),
        Tok::Num(n) => Kind::Num(n),
        Tok::Bool(b) => Kind::Bool(b),
        _ => Kind::Null,
    }
}

/// A regex literal, compiled now.
#[inline(never)]
fn regex_node(p: String, f: String, pos: usize) -> Result<Box<Node>, Error> {
    // The `regex` crate's syntax differs from JavaScript's: lookaround and
    // backreferences are not supported, and such patterns fail here (D3200).
    let mut pattern = String::new();
    if !f.is_empty() {
        pattern.push_str("(?");
        pattern.push_str(&f);
        pattern.push(')');
    }
    pattern.push_str(&p);
    let re =
        regex::Regex::new(&pattern).map_err(|_| Error::new("D3200").pos(pos).value(p.clone()))?;
    Ok(node(Kind::Regex(Arc::new(re), p.into()), pos))
}

/// The number of nodes in a raw tree, counting no further than `limit`.
fn raw_size(n: &Node, limit: usize) -> usize {
    let mut count = 1;
    let mut visit = |c: &Node| {
        if count < limit {
            count += raw_size(c, limit - count);
        }
    };
    match &n.kind {
        Kind::Binary(_, l, r) | Kind::Apply(l, r) | Kind::RawDot(l, r) | Kind::RawFilter(l, r) => {
            visit(l);
            visit(r);
        }
        Kind::Negate(e) | Kind::Bind(_, e) | Kind::RawFocus(e, _) | Kind::RawIndex(e, _) => {
            visit(e)
        }
        Kind::ArrayCons(v) | Kind::Block(v) | Kind::Path(v) => v.iter().for_each(visit),
        Kind::ObjectCons(p) => p.iter().for_each(|(k, v)| {
            visit(k);
            visit(v);
        }),
        Kind::RawGroup(l, p) => {
            visit(l);
            p.iter().for_each(|(k, v)| {
                visit(k);
                visit(v);
            });
        }
        Kind::Condition(c, t, e) => {
            visit(c);
            visit(t);
            if let Some(e) = e {
                visit(e);
            }
        }
        Kind::RawTransform(p, u, d) => {
            visit(p);
            visit(u);
            if let Some(d) = d {
                visit(d);
            }
        }
        Kind::Call(p, a) => {
            visit(p);
            a.iter().for_each(visit);
        }
        Kind::Partial(p, a) => {
            visit(p);
            a.iter().flatten().for_each(visit);
        }
        Kind::Lambda(l) => visit(&l.body),
        Kind::Sort(t) => t.iter().for_each(|t| visit(&t.expr)),
        Kind::RawSort(l, t) => {
            visit(l);
            t.iter().for_each(|t| visit(&t.expr));
        }
        _ => {}
    }
    count
}

/// Clones a raw (unprocessed) expression; used by the `?:` and `??` operators.
fn clone_raw(n: &Node) -> Node {
    let b = |x: &Node| Box::new(clone_raw(x));
    let pairs = |ps: &Vec<(Node, Node)>| {
        ps.iter()
            .map(|(k, v)| (clone_raw(k), clone_raw(v)))
            .collect()
    };
    let kind = match &n.kind {
        Kind::Binary(o, l, r) => Kind::Binary(*o, b(l), b(r)),
        Kind::Negate(e) => Kind::Negate(b(e)),
        Kind::ArrayCons(v) => Kind::ArrayCons(v.iter().map(clone_raw).collect()),
        Kind::ObjectCons(p) => Kind::ObjectCons(pairs(p)),
        Kind::Name(s) => Kind::Name(s.clone()),
        Kind::Str(s) => Kind::Str(s.clone()),
        Kind::Num(x) => Kind::Num(*x),
        Kind::Bool(x) => Kind::Bool(*x),
        Kind::Null => Kind::Null,
        Kind::Wildcard => Kind::Wildcard,
        Kind::Descendant => Kind::Descendant,
        Kind::Parent(s) => Kind::Parent(*s),
        Kind::Condition(c, t, e) => Kind::Condition(b(c), b(t), e.as_ref().map(|e| b(e))),
        Kind::Block(v) => Kind::Block(v.iter().map(clone_raw).collect()),
        Kind::Bind(s, e) => Kind::Bind(s.clone(), b(e)),
        Kind::Regex(r, s) => Kind::Regex(r.clone(), s.clone()),
        Kind::Call(p, a) => Kind::Call(b(p), a.iter().map(clone_raw).collect()),
        Kind::Partial(p, a) => {
            Kind::Partial(b(p), a.iter().map(|x| x.as_ref().map(clone_raw)).collect())
        }
        Kind::Lambda(l) => Kind::Lambda(Arc::new(LambdaDef {
            params: l.params.clone(),
            signature: l.signature.clone(),
            body: clone_raw(&l.body),
            thunk: l.thunk,
        })),
        Kind::Variable(s, f) => Kind::Variable(s.clone(), *f),
        Kind::Apply(l, r) => Kind::Apply(b(l), b(r)),
        Kind::RawTransform(p, u, d) => Kind::RawTransform(b(p), b(u), d.as_ref().map(|d| b(d))),
        Kind::Transform(_) => Kind::Null,
        Kind::Sort(t) => Kind::Sort(
            t.iter()
                .map(|t| SortTerm {
                    descending: t.descending,
                    expr: clone_raw(&t.expr),
                })
                .collect(),
        ),
        Kind::Path(v) => Kind::Path(v.iter().map(clone_raw).collect()),
        Kind::RawDot(l, r) => Kind::RawDot(b(l), b(r)),
        Kind::RawFilter(l, r) => Kind::RawFilter(b(l), b(r)),
        Kind::RawGroup(l, p) => Kind::RawGroup(b(l), pairs(p)),
        Kind::RawSort(l, t) => Kind::RawSort(
            b(l),
            t.iter()
                .map(|t| SortTerm {
                    descending: t.descending,
                    expr: clone_raw(&t.expr),
                })
                .collect(),
        ),
        Kind::RawFocus(l, s) => Kind::RawFocus(b(l), s.clone()),
        Kind::RawIndex(l, s) => Kind::RawIndex(b(l), s.clone()),
    };
    let mut out = Node::new(kind, n.position);
    out.keep_array = n.keep_array;
    out
}

struct Slot {
    label: usize,
    level: i64,
}

struct Processor {
    stack_base: usize,
    slots: Vec<Slot>,
    bound: HashSet<Arc<str>>,
    profile: Profile,
}

fn path_of(step: Node) -> Node {
    let pos = step.position;
    Node::new(Kind::Path(vec![step]), pos)
}

fn steps_mut(n: &mut Node) -> &mut Vec<Node> {
    match &mut n.kind {
        Kind::Path(s) => s,
        _ => unreachable!("steps_mut on a non-path"),
    }
}

impl Processor {
    fn push_ancestry(result: &mut Node, value: &Node) {
        result
            .seeking_parent
            .extend(value.seeking_parent.iter().copied());
        if let Kind::Parent(slot) = value.kind {
            result.seeking_parent.push(slot);
        }
    }

    fn seek_parent(&mut self, node: &mut Node, slot: usize) -> Result<(), Error> {
        match &mut node.kind {
            Kind::Name(_) | Kind::Wildcard => {
                self.slots[slot].level -= 1;
                if self.slots[slot].level == 0 {
                    if let Some(existing) = node.ancestor {
                        self.slots[slot].label = self.slots[existing].label;
                    }
                    node.ancestor = Some(slot);
                    node.tuple = true;
                }
            }
            Kind::Parent(_) => self.slots[slot].level += 1,
            Kind::Block(exprs) => {
                if let Some(last) = exprs.last_mut() {
                    self.seek_parent(last, slot)?;
                    node.tuple = true;
                }
            }
            Kind::Path(steps) => {
                let mut index = steps.len() as i64 - 1;
                if index >= 0 {
                    self.seek_parent(&mut steps[index as usize], slot)?;
                    index -= 1;
                }
                while self.slots[slot].level > 0 && index >= 0 {
                    self.seek_parent(&mut steps[index as usize], slot)?;
                    index -= 1;
                }
                node.tuple = true;
            }
            _ => {
                return Err(Error::new("S0217")
                    .pos(node.position)
                    .token(kind_name(node)));
            }
        }
        Ok(())
    }

    fn resolve_ancestry(&mut self, path: &mut Node) -> Result<(), Error> {
        let Kind::Path(steps) = &mut path.kind else {
            return Ok(());
        };
        let Some(last) = steps.last() else {
            return Ok(());
        };
        let mut slots = last.seeking_parent.clone();
        if let Kind::Parent(s) = last.kind {
            slots.push(s);
        }
        let mut unresolved = Vec::new();
        for slot in slots {
            let mut index = steps.len() as i64 - 2;
            while self.slots[slot].level > 0 {
                if index < 0 {
                    unresolved.push(slot);
                    break;
                }
                let mut i = index as usize;
                index -= 1;
                while index >= 0
                    && steps[i].focus.is_some()
                    && steps[index as usize].focus.is_some()
                {
                    i = index as usize;
                    index -= 1;
                }
                self.seek_parent(&mut steps[i], slot)?;
            }
        }
        path.seeking_parent.extend(unresolved);
        Ok(())
    }

    // The post-parse pass recurses once per tree level through `process` → one
    // function per node kind → `process`. As in the parser, nodes travel boxed and
    // every kind has its own (small) frame, so a level costs little stack in debug
    // builds.

    fn process(&mut self, mut expr: Box<Node>) -> Result<Box<Node>, Error> {
        if super::eval::stack_position().abs_diff(self.stack_base) > MAX_PARSE_STACK {
            return Err(too_deep(expr.position));
        }
        let keep_array = expr.keep_array;
        let kind = std::mem::replace(&mut expr.kind, Kind::Null);
        let mut result = self.process_kind(kind, expr)?;
        if keep_array {
            result.keep_array = true;
        }
        Ok(result)
    }

    /// Processes a node whose kind has been taken out of `raw` (left as `Null`);
    /// `raw` keeps the position and flags.
    #[inline(never)]
    fn process_kind(&mut self, kind: Kind, raw: Box<Node>) -> Result<Box<Node>, Error> {
        let pos = raw.position;
        let keep_array = raw.keep_array;
        drop(raw);
        match kind {
            Kind::RawDot(lhs, rhs) => self.p_dot(lhs, rhs),
            Kind::RawFilter(lhs, rhs) => self.p_filter(lhs, rhs, pos),
            Kind::RawGroup(lhs, pairs) => self.p_group(lhs, pairs, pos),
            Kind::RawSort(lhs, terms) => self.p_sort(lhs, terms, pos),
            Kind::RawFocus(lhs, name) => self.p_focus(lhs, name, keep_array, pos),
            Kind::RawIndex(lhs, name) => self.p_index(lhs, name),
            Kind::Bind(name, rhs) => self.p_bind(name, rhs, pos),
            Kind::Apply(lhs, rhs) => self.p_apply(lhs, rhs, pos),
            Kind::Binary(op, lhs, rhs) => self.p_binary(op, lhs, rhs, pos),
            Kind::ArrayCons(items) => self.p_array(items, pos),
            Kind::ObjectCons(pairs) => self.p_object(pairs, pos),
            Kind::Negate(e) => self.p_negate(e, pos),
            Kind::Call(p, args) => self.p_call(p, args, pos),
            Kind::Partial(p, args) => self.p_partial(p, args, pos),
            Kind::Lambda(def) => self.p_lambda(def, pos),
            Kind::Condition(c, t, e) => self.p_condition(c, t, e, pos),
            Kind::RawTransform(p, u, d) => self.p_transform(p, u, d, pos),
            Kind::Block(exprs) => self.p_block(exprs, pos),
            Kind::Name(name) => Ok(p_name(name, keep_array, pos)),
            Kind::Parent(_) => Ok(self.p_parent(pos)),
            Kind::Variable(name, _) => Ok(self.p_variable(name, pos)),
            other => Ok(node(other, pos)),
        }
    }

    /// Processes a child held by value (in a `Vec`).
    #[inline(never)]
    fn process_item(&mut self, item: Node) -> Result<Box<Node>, Error> {
        self.process(Box::new(item))
    }

    #[inline(never)]
    fn p_dot(&mut self, lhs: Box<Node>, rhs: Box<Node>) -> Result<Box<Node>, Error> {
        let lstep = self.process(lhs)?;
        let mut result = path_start(lstep);
        let rest = self.process(rhs)?;
        dot_finish(&mut result, rest)?;
        self.resolve_ancestry(&mut result)?;
        Ok(result)
    }

    #[inline(never)]
    fn p_filter(&mut self, lhs: Box<Node>, rhs: Box<Node>, pos: usize) -> Result<Box<Node>, Error> {
        let mut result = self.process(lhs)?;
        let predicate = self.process(rhs)?;
        self.attach_filter(&mut result, predicate, pos)?;
        Ok(result)
    }

    #[inline(never)]
    fn attach_filter(
        &mut self,
        result: &mut Node,
        predicate: Box<Node>,
        pos: usize,
    ) -> Result<(), Error> {
        let predicate = *predicate;
        let is_path = matches!(result.kind, Kind::Path(_));
        let step: &mut Node = if is_path {
            steps_mut(result).last_mut().expect("path has steps")
        } else {
            result
        };
        if step.group.is_some() {
            return Err(Error::new("S0209").pos(pos));
        }
        if !predicate.seeking_parent.is_empty() {
            for &slot in &predicate.seeking_parent {
                if self.slots[slot].level == 1 {
                    self.seek_parent(step, slot)?;
                } else {
                    self.slots[slot].level -= 1;
                }
            }
            Self::push_ancestry(step, &predicate);
        }
        if is_path {
            step.stages.push(Stage::Filter(predicate));
        } else {
            step.predicate.push(Stage::Filter(predicate));
        }
        Ok(())
    }

    #[inline(never)]
    fn p_group(
        &mut self,
        lhs: Box<Node>,
        pairs: Vec<(Node, Node)>,
        pos: usize,
    ) -> Result<Box<Node>, Error> {
        let mut result = self.process(lhs)?;
        if result.group.is_some() {
            return Err(Error::new("S0210").pos(pos));
        }
        let out = self.process_pairs(pairs, None)?;
        result.group = Some(Box::new(Group {
            pairs: out,
            position: pos,
        }));
        Ok(result)
    }

    /// Processes key/value pairs, collecting ancestry into `into` if given.
    #[inline(never)]
    fn process_pairs(
        &mut self,
        pairs: Vec<(Node, Node)>,
        mut into: Option<&mut Node>,
    ) -> Result<Vec<(Node, Node)>, Error> {
        let mut out = Vec::with_capacity(pairs.len());
        for (k, v) in pairs {
            let k = self.process_item(k)?;
            if let Some(n) = into.as_deref_mut() {
                Self::push_ancestry(n, &k);
            }
            let v = self.process_item(v)?;
            if let Some(n) = into.as_deref_mut() {
                Self::push_ancestry(n, &v);
            }
            push_pair(&mut out, k, v);
        }
        Ok(out)
    }

    #[inline(never)]
    fn p_sort(
        &mut self,
        lhs: Box<Node>,
        terms: Vec<SortTerm>,
        pos: usize,
    ) -> Result<Box<Node>, Error> {
        let result = self.process(lhs)?;
        let mut result = if matches!(result.kind, Kind::Path(_)) {
            result
        } else {
            boxed_path_of(result)
        };
        let mut sort = node(Kind::Sort(Vec::new()), pos);
        let mut out = Vec::new();
        for t in terms {
            let e = self.process_item(t.expr)?;
            Self::push_ancestry(&mut sort, &e);
            push_term(&mut out, t.descending, e);
        }
        sort.kind = Kind::Sort(out);
        push_unboxed(steps_mut(&mut result), sort);
        self.resolve_ancestry(&mut result)?;
        Ok(result)
    }

    #[inline(never)]
    fn p_focus(
        &mut self,
        lhs: Box<Node>,
        name: Arc<str>,
        keep_array: bool,
        pos: usize,
    ) -> Result<Box<Node>, Error> {
        let mut result = self.process(lhs)?;
        let is_path = matches!(result.kind, Kind::Path(_));
        let step: &mut Node = if is_path {
            steps_mut(&mut result).last_mut().expect("path has steps")
        } else {
            &mut result
        };
        if !step.stages.is_empty() || !step.predicate.is_empty() {
            return Err(Error::new("S0215").pos(pos).token("@"));
        }
        if matches!(step.kind, Kind::Sort(_)) {
            return Err(Error::new("S0216").pos(pos).token("@"));
        }
        if keep_array {
            step.keep_array = true;
        }
        step.focus = Some(name);
        step.tuple = true;
        Ok(result)
    }

    #[inline(never)]
    fn p_index(&mut self, lhs: Box<Node>, name: Arc<str>) -> Result<Box<Node>, Error> {
        let result = self.process(lhs)?;
        let mut result = if matches!(result.kind, Kind::Path(_)) {
            result
        } else {
            let mut r = result;
            if !r.predicate.is_empty() {
                r.stages = std::mem::take(&mut r.predicate);
            }
            boxed_path_of(r)
        };
        let step = steps_mut(&mut result).last_mut().expect("path has steps");
        if step.stages.is_empty() {
            step.index = Some(name);
        } else {
            step.stages.push(Stage::Index(name));
        }
        step.tuple = true;
        Ok(result)
    }

    #[inline(never)]
    fn p_bind(&mut self, name: Arc<str>, rhs: Box<Node>, pos: usize) -> Result<Box<Node>, Error> {
        let rhs = self.process(rhs)?;
        let mut r = node(Kind::Null, pos);
        Self::push_ancestry(&mut r, &rhs);
        r.kind = Kind::Bind(name, rhs);
        Ok(r)
    }

    #[inline(never)]
    fn p_apply(&mut self, lhs: Box<Node>, rhs: Box<Node>, pos: usize) -> Result<Box<Node>, Error> {
        let l = self.process(lhs)?;
        let r = self.process(rhs)?;
        let keep = l.keep_array || r.keep_array;
        let mut n = node(Kind::Apply(l, r), pos);
        n.keep_array = keep;
        Ok(n)
    }

    #[inline(never)]
    fn p_binary(
        &mut self,
        op: BinOp,
        lhs: Box<Node>,
        rhs: Box<Node>,
        pos: usize,
    ) -> Result<Box<Node>, Error> {
        let l = self.process(lhs)?;
        let r = self.process(rhs)?;
        let mut n = node(Kind::Null, pos);
        Self::push_ancestry(&mut n, &l);
        Self::push_ancestry(&mut n, &r);
        n.kind = Kind::Binary(op, l, r);
        Ok(n)
    }

    /// Processes a list of children, collecting their ancestry into `n`.
    #[inline(never)]
    fn process_list(&mut self, items: Vec<Node>, n: &mut Node) -> Result<Vec<Node>, Error> {
        let mut out = Vec::with_capacity(items.len());
        for i in items {
            let v = self.process_item(i)?;
            Self::push_ancestry(n, &v);
            push_unboxed(&mut out, v);
        }
        Ok(out)
    }

    #[inline(never)]
    fn p_array(&mut self, items: Vec<Node>, pos: usize) -> Result<Box<Node>, Error> {
        let mut n = node(Kind::Null, pos);
        let out = self.process_list(items, &mut n)?;
        n.kind = Kind::ArrayCons(out);
        Ok(n)
    }

    #[inline(never)]
    fn p_object(&mut self, pairs: Vec<(Node, Node)>, pos: usize) -> Result<Box<Node>, Error> {
        let mut n = node(Kind::Null, pos);
        let out = self.process_pairs(pairs, Some(&mut n))?;
        n.kind = Kind::ObjectCons(out);
        Ok(n)
    }

    #[inline(never)]
    fn p_negate(&mut self, e: Box<Node>, pos: usize) -> Result<Box<Node>, Error> {
        let mut e = self.process(e)?;
        if let Kind::Num(x) = e.kind {
            e.kind = Kind::Num(-x);
            return Ok(e);
        }
        let mut n = node(Kind::Null, pos);
        Self::push_ancestry(&mut n, &e);
        n.kind = Kind::Negate(e);
        Ok(n)
    }

    #[inline(never)]
    fn p_call(&mut self, p: Box<Node>, args: Vec<Node>, pos: usize) -> Result<Box<Node>, Error> {
        let mut n = node(Kind::Null, pos);
        let out = self.process_list(args, &mut n)?;
        let p = self.process(p)?;
        n.kind = Kind::Call(p, out);
        Ok(n)
    }

    #[inline(never)]
    fn p_partial(
        &mut self,
        p: Box<Node>,
        args: Vec<Option<Node>>,
        pos: usize,
    ) -> Result<Box<Node>, Error> {
        let mut n = node(Kind::Null, pos);
        let mut out = Vec::new();
        for a in args {
            match a {
                Some(a) => {
                    let a = self.process_item(a)?;
                    Self::push_ancestry(&mut n, &a);
                    push_arg(&mut out, a);
                }
                None => out.push(None),
            }
        }
        let p = self.process(p)?;
        n.kind = Kind::Partial(p, out);
        Ok(n)
    }

    #[inline(never)]
    fn p_lambda(&mut self, def: Arc<LambdaDef>, pos: usize) -> Result<Box<Node>, Error> {
        let def = Arc::try_unwrap(def).unwrap_or_else(|a| LambdaDef {
            params: a.params.clone(),
            signature: a.signature.clone(),
            body: clone_raw(&a.body),
            thunk: a.thunk,
        });
        let LambdaDef {
            params,
            signature,
            body,
            thunk,
        } = def;
        let body = self.process_item(body)?;
        let body = tail_call_optimize(*body);
        Ok(node(
            Kind::Lambda(Arc::new(LambdaDef {
                params,
                signature,
                body,
                thunk,
            })),
            pos,
        ))
    }

    #[inline(never)]
    fn p_condition(
        &mut self,
        c: Box<Node>,
        t: Box<Node>,
        e: Option<Box<Node>>,
        pos: usize,
    ) -> Result<Box<Node>, Error> {
        let mut n = node(Kind::Null, pos);
        let c = self.process(c)?;
        Self::push_ancestry(&mut n, &c);
        let t = self.process(t)?;
        Self::push_ancestry(&mut n, &t);
        let e = match e {
            Some(e) => {
                let e = self.process(e)?;
                Self::push_ancestry(&mut n, &e);
                Some(e)
            }
            None => None,
        };
        n.kind = Kind::Condition(c, t, e);
        Ok(n)
    }

    #[inline(never)]
    fn p_transform(
        &mut self,
        p: Box<Node>,
        u: Box<Node>,
        d: Option<Box<Node>>,
        pos: usize,
    ) -> Result<Box<Node>, Error> {
        let pattern = self.process(p)?;
        let update = self.process(u)?;
        let delete = match d {
            Some(d) => Some(self.process(d)?),
            None => None,
        };
        Ok(transform_node(pattern, update, delete, pos))
    }

    #[inline(never)]
    fn p_block(&mut self, exprs: Vec<Node>, pos: usize) -> Result<Box<Node>, Error> {
        let mut n = node(Kind::Null, pos);
        let mut out = Vec::with_capacity(exprs.len());
        for e in exprs {
            let part = self.process_item(e)?;
            Self::push_ancestry(&mut n, &part);
            let cons = part.consarray
                || matches!(&part.kind, Kind::Path(s) if s.first().is_some_and(|f| f.consarray));
            if cons {
                n.consarray = true;
            }
            push_unboxed(&mut out, part);
        }
        n.kind = Kind::Block(out);
        Ok(n)
    }

    #[inline(never)]
    fn p_parent(&mut self, pos: usize) -> Box<Node> {
        let id = self.slots.len();
        self.slots.push(Slot {
            label: id,
            level: 1,
        });
        node(Kind::Parent(id), pos)
    }

    #[inline(never)]
    fn p_variable(&mut self, name: Arc<str>, pos: usize) -> Box<Node> {
        let builtin = if self.bound.contains(&name) {
            None
        } else {
            Builtin::lookup(&name, self.profile)
        };
        node(Kind::Variable(name, builtin), pos)
    }
}

#[inline(never)]
fn p_name(name: Arc<str>, keep_array: bool, pos: usize) -> Box<Node> {
    let mut step = Node::new(Kind::Name(name), pos);
    step.keep_array = keep_array;
    let mut r = Box::new(path_of(step));
    if keep_array {
        r.keep_singleton_array = true;
    }
    r
}

#[inline(never)]
fn boxed_path_of(step: Box<Node>) -> Box<Node> {
    Box::new(path_of(*step))
}

/// The left side of `.` as a path (a `%` step seeks its parent).
#[inline(never)]
fn path_start(lstep: Box<Node>) -> Box<Node> {
    if matches!(lstep.kind, Kind::Path(_)) {
        return lstep;
    }
    let parent_slot = if let Kind::Parent(s) = lstep.kind {
        Some(s)
    } else {
        None
    };
    let mut r = boxed_path_of(lstep);
    if let Some(s) = parent_slot {
        r.seeking_parent = vec![s];
    }
    r
}

/// Appends the right side of `.` to the path `result` and checks its steps.
#[inline(never)]
fn dot_finish(result: &mut Node, rest: Box<Node>) -> Result<(), Error> {
    let mut rest = *rest;
    if let Kind::Path(rsteps) = rest.kind {
        steps_mut(result).extend(rsteps);
    } else {
        if !rest.predicate.is_empty() {
            rest.stages = std::mem::take(&mut rest.predicate);
        }
        steps_mut(result).push(rest);
    }
    let steps = steps_mut(result);
    for step in steps.iter_mut() {
        match &step.kind {
            Kind::Num(n) => {
                return Err(Error::new("S0213")
                    .pos(step.position)
                    .value(super::value::format_number(*n)))
            }
            Kind::Bool(b) => {
                return Err(Error::new("S0213").pos(step.position).value(b.to_string()))
            }
            Kind::Null => return Err(Error::new("S0213").pos(step.position).value("null")),
            Kind::Str(s) => step.kind = Kind::Name(s.clone()),
            _ => {}
        }
    }
    let keep = steps.iter().any(|s| s.keep_array);
    if let Some(first) = steps.first_mut() {
        if matches!(first.kind, Kind::ArrayCons(_)) {
            first.consarray = true;
        }
    }
    if let Some(last) = steps.last_mut() {
        if matches!(last.kind, Kind::ArrayCons(_)) {
            last.consarray = true;
        }
    }
    if keep {
        result.keep_singleton_array = true;
    }
    Ok(())
}

#[inline(never)]
fn transform_node(
    pattern: Box<Node>,
    update: Box<Node>,
    delete: Option<Box<Node>>,
    pos: usize,
) -> Box<Node> {
    node(
        Kind::Transform(Arc::new(TransformDef {
            pattern: *pattern,
            update: *update,
            delete: delete.map(|d| *d),
        })),
        pos,
    )
}

fn kind_name(n: &Node) -> &'static str {
    match n.kind {
        Kind::Path(_) => "path",
        Kind::Binary(..) => "binary",
        Kind::Negate(_) | Kind::ArrayCons(_) | Kind::ObjectCons(_) => "unary",
        Kind::Str(_) => "string",
        Kind::Num(_) => "number",
        Kind::Bool(_) | Kind::Null => "value",
        Kind::Condition(..) => "condition",
        Kind::Call(..) => "function",
        Kind::Partial(..) => "partial",
        Kind::Lambda(_) => "lambda",
        Kind::Variable(..) => "variable",
        Kind::Regex(..) => "regex",
        Kind::Apply(..) => "apply",
        Kind::Bind(..) => "bind",
        Kind::Transform(..) => "transform",
        Kind::Sort(_) => "sort",
        Kind::Descendant => "descendant",
        Kind::Parent(_) => "parent",
        _ => "expression",
    }
}

fn tail_call_optimize(expr: Node) -> Node {
    let mut expr = expr;
    match expr.kind {
        Kind::Call(..) if expr.predicate.is_empty() => {
            let pos = expr.position;
            Node::new(
                Kind::Lambda(Arc::new(LambdaDef {
                    params: Vec::new(),
                    signature: None,
                    body: expr,
                    thunk: true,
                })),
                pos,
            )
        }
        Kind::Condition(c, t, e) => {
            let t = Box::new(tail_call_optimize(*t));
            let e = e.map(|e| Box::new(tail_call_optimize(*e)));
            expr.kind = Kind::Condition(c, t, e);
            expr
        }
        Kind::Block(mut exprs) => {
            if let Some(last) = exprs.pop() {
                exprs.push(tail_call_optimize(last));
            }
            expr.kind = Kind::Block(exprs);
            expr
        }
        _ => expr,
    }
}

/// Replaces parent-slot ids with their final labels (stored on the nodes).
fn resolve_labels(n: &mut Node, labels: &[Arc<str>]) {
    if let Kind::Parent(s) = n.kind {
        n.label = labels.get(s).cloned();
    }
    if let Some(a) = n.ancestor {
        n.label = labels.get(a).cloned();
    }
    for st in n.predicate.iter_mut().chain(n.stages.iter_mut()) {
        if let Stage::Filter(f) = st {
            resolve_labels(f, labels);
        }
    }
    if let Some(g) = &mut n.group {
        for (k, v) in g.pairs.iter_mut() {
            resolve_labels(k, labels);
            resolve_labels(v, labels);
        }
    }
    match &mut n.kind {
        Kind::Path(v) | Kind::ArrayCons(v) | Kind::Block(v) => {
            v.iter_mut().for_each(|x| resolve_labels(x, labels))
        }
        Kind::Binary(_, l, r) | Kind::Apply(l, r) => {
            resolve_labels(l, labels);
            resolve_labels(r, labels);
        }
        Kind::Negate(e) | Kind::Bind(_, e) => resolve_labels(e, labels),
        Kind::ObjectCons(p) => p.iter_mut().for_each(|(k, v)| {
            resolve_labels(k, labels);
            resolve_labels(v, labels);
        }),
        Kind::Condition(c, t, e) => {
            resolve_labels(c, labels);
            resolve_labels(t, labels);
            if let Some(e) = e {
                resolve_labels(e, labels);
            }
        }
        Kind::Call(p, a) => {
            resolve_labels(p, labels);
            a.iter_mut().for_each(|x| resolve_labels(x, labels));
        }
        Kind::Partial(p, a) => {
            resolve_labels(p, labels);
            a.iter_mut()
                .flatten()
                .for_each(|x| resolve_labels(x, labels));
        }
        Kind::Lambda(def) => {
            if let Some(d) = Arc::get_mut(def) {
                resolve_labels(&mut d.body, labels);
            }
        }
        Kind::Transform(def) => {
            if let Some(d) = Arc::get_mut(def) {
                resolve_labels(&mut d.pattern, labels);
                resolve_labels(&mut d.update, labels);
                if let Some(x) = &mut d.delete {
                    resolve_labels(x, labels);
                }
            }
        }
        Kind::Sort(terms) => terms
            .iter_mut()
            .for_each(|t| resolve_labels(&mut t.expr, labels)),
        _ => {}
    }
}
