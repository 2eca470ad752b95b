//! The Pratt parser (token stream → raw tree) and the post-parse pass that
//! turns `.`/`[`/`{`/`^`/`@`/`#` into paths with stages, as jsonata-js does.

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
    Ok(Parsed { root })
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

/// Stack bound for the parser (bytes), measured like evaluation's.
const MAX_PARSE_STACK: usize = 24 << 20;

struct Parser<'a> {
    lexer: Lexer<'a>,
    tok: Token,
    bound: HashSet<Arc<str>>,
    depth: usize,
    stack_base: usize,
}

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

    fn expression(&mut self, rbp: u32) -> Result<Node, Error> {
        self.depth += 1;
        if self.depth > MAX_PARSE_DEPTH
            || super::eval::stack_position().abs_diff(self.stack_base) > MAX_PARSE_STACK
        {
            return Err(Error::new("S0201")
                .pos(self.tok.position)
                .token("(nesting too deep)")
                .message("Syntax error: expression nested too deeply"));
        }
        let t = self.advance(None, true)?;
        let mut left = self.nud(t)?;
        let mut chained = 0;
        while rbp < lbp(&self.tok.tok) {
            // Each infix application nests the tree one level deeper.
            chained += 1;
            self.depth += 1;
            if self.depth > MAX_PARSE_DEPTH {
                return Err(Error::new("S0201")
                    .pos(self.tok.position)
                    .token("(nesting too deep)")
                    .message("Syntax error: expression nested too deeply"));
            }
            let t = self.advance(None, false)?;
            left = self.led(t, left)?;
        }
        self.depth -= 1 + chained;
        Ok(left)
    }

    fn nud(&mut self, t: Token) -> Result<Node, Error> {
        let pos = t.position;
        let kind = match t.tok {
            Tok::Name(n) => Kind::Name(n.into()),
            Tok::Var(n) => Kind::Variable(n.into(), None),
            Tok::Str(s) => Kind::Str(s.into()),
            Tok::Num(n) => Kind::Num(n),
            Tok::Bool(b) => Kind::Bool(b),
            Tok::Null => Kind::Null,
            Tok::Regex(p, f) => {
                // The `regex` crate's syntax differs from JavaScript's: lookaround and
                // backreferences are not supported, and such patterns fail here (D3200).
                let mut pattern = String::new();
                if !f.is_empty() {
                    pattern.push_str("(?");
                    pattern.push_str(&f);
                    pattern.push(')');
                }
                pattern.push_str(&p);
                let re = regex::Regex::new(&pattern)
                    .map_err(|_| Error::new("D3200").pos(pos).value(p.clone()))?;
                Kind::Regex(Arc::new(re), p.into())
            }
            Tok::End => return Err(Error::new("S0207").pos(pos).token("(end)")),
            Tok::Op(op) => match op {
                "and" | "or" | "in" => Kind::Name(op.into()),
                "-" => {
                    let e = self.expression(70)?;
                    Kind::Negate(Box::new(e))
                }
                "*" => Kind::Wildcard,
                "**" => Kind::Descendant,
                "%" => Kind::Parent(0),
                "(" => {
                    let mut exprs = Vec::new();
                    while !self.is(")") {
                        exprs.push(self.expression(0)?);
                        if !self.is(";") {
                            break;
                        }
                        self.advance(Some(";"), false)?;
                    }
                    self.advance(Some(")"), true)?;
                    Kind::Block(exprs)
                }
                "[" => {
                    let mut items = Vec::new();
                    if !self.is("]") {
                        loop {
                            let mut item = self.expression(0)?;
                            if self.is("..") {
                                let rpos = self.tok.position;
                                self.advance(Some(".."), false)?;
                                let rhs = self.expression(0)?;
                                item = Node::new(
                                    Kind::Binary(BinOp::Range, Box::new(item), Box::new(rhs)),
                                    rpos,
                                );
                            }
                            items.push(item);
                            if !self.is(",") {
                                break;
                            }
                            self.advance(Some(","), false)?;
                        }
                    }
                    self.advance(Some("]"), true)?;
                    Kind::ArrayCons(items)
                }
                "{" => Kind::ObjectCons(self.object_pairs()?),
                "|" => {
                    let pattern = self.expression(0)?;
                    self.advance(Some("|"), false)?;
                    let update = self.expression(0)?;
                    let mut delete = None;
                    if self.is(",") {
                        self.advance(Some(","), false)?;
                        delete = Some(Box::new(self.expression(0)?));
                    }
                    self.advance(Some("|"), false)?;
                    Kind::RawTransform(Box::new(pattern), Box::new(update), delete)
                }
                _ => return Err(Error::new("S0211").pos(pos).token(op)),
            },
        };
        Ok(Node::new(kind, pos))
    }

    fn object_pairs(&mut self) -> Result<Vec<(Node, Node)>, Error> {
        let mut pairs = Vec::new();
        if !self.is("}") {
            loop {
                let k = self.expression(0)?;
                self.advance(Some(":"), false)?;
                let v = self.expression(0)?;
                pairs.push((k, v));
                if !self.is(",") {
                    break;
                }
                self.advance(Some(","), false)?;
            }
        }
        self.advance(Some("}"), true)?;
        Ok(pairs)
    }

    fn led(&mut self, t: Token, left: Node) -> Result<Node, Error> {
        let pos = t.position;
        let Tok::Op(op) = t.tok else {
            return Err(Error::new("S0201").pos(pos).token(tok_text(&t.tok)));
        };
        let bin = |o: BinOp| Some(o);
        let binop = match op {
            "+" => bin(BinOp::Add),
            "-" => bin(BinOp::Sub),
            "*" => bin(BinOp::Mul),
            "/" => bin(BinOp::Div),
            "%" => bin(BinOp::Mod),
            "=" => bin(BinOp::Eq),
            "!=" => bin(BinOp::Ne),
            "<" => bin(BinOp::Lt),
            "<=" => bin(BinOp::Le),
            ">" => bin(BinOp::Gt),
            ">=" => bin(BinOp::Ge),
            "&" => bin(BinOp::Concat),
            "and" => bin(BinOp::And),
            "or" => bin(BinOp::Or),
            "in" => bin(BinOp::In),
            _ => None,
        };
        if let Some(b) = binop {
            let rhs = self.expression(lbp(&Tok::Op(op)))?;
            return Ok(Node::new(
                Kind::Binary(b, Box::new(left), Box::new(rhs)),
                pos,
            ));
        }
        let kind = match op {
            "." => {
                let rhs = self.expression(75)?;
                Kind::RawDot(Box::new(left), Box::new(rhs))
            }
            "~>" => {
                let rhs = self.expression(40)?;
                Kind::Apply(Box::new(left), Box::new(rhs))
            }
            "(" => return self.call(left, pos),
            "[" => {
                if self.is("]") {
                    let mut left = left;
                    {
                        let mut step = &mut left;
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
                Kind::RawFilter(Box::new(left), Box::new(rhs))
            }
            "^" => {
                self.advance(Some("("), false)?;
                let mut terms = Vec::new();
                loop {
                    let mut descending = false;
                    if self.is("<") {
                        self.advance(Some("<"), false)?;
                    } else if self.is(">") {
                        descending = true;
                        self.advance(Some(">"), false)?;
                    }
                    let expr = self.expression(0)?;
                    terms.push(SortTerm { descending, expr });
                    if !self.is(",") {
                        break;
                    }
                    self.advance(Some(","), false)?;
                }
                self.advance(Some(")"), true)?;
                Kind::RawSort(Box::new(left), terms)
            }
            "{" => Kind::RawGroup(Box::new(left), self.object_pairs()?),
            ":=" => {
                let Kind::Variable(name, _) = &left.kind else {
                    return Err(Error::new("S0212")
                        .pos(left.position)
                        .token(left.proc_name()));
                };
                let name = name.clone();
                self.bound.insert(name.clone());
                let rhs = self.expression(9)?;
                Kind::Bind(name, Box::new(rhs))
            }
            "@" | "#" => {
                let rhs = self.expression(80)?;
                let Kind::Variable(name, _) = &rhs.kind else {
                    return Err(Error::new("S0214").pos(rhs.position).token(op));
                };
                if op == "@" {
                    Kind::RawFocus(Box::new(left), name.clone())
                } else {
                    Kind::RawIndex(Box::new(left), name.clone())
                }
            }
            "?" => {
                let then = self.expression(0)?;
                let mut els = None;
                if self.is(":") {
                    self.advance(Some(":"), false)?;
                    els = Some(Box::new(self.expression(0)?));
                }
                Kind::Condition(Box::new(left), Box::new(then), els)
            }
            "?:" => {
                let els = self.expression(0)?;
                // `a ?: b` is `a ? a : b`; the condition is evaluated twice as in jsonata-js.
                let copy = clone_raw(&left);
                Kind::Condition(Box::new(left), Box::new(copy), Some(Box::new(els)))
            }
            "??" => {
                let els = self.expression(39)?;
                let copy = clone_raw(&left);
                let exists = Node::new(
                    Kind::Call(
                        Box::new(Node::new(Kind::Variable("exists".into(), None), pos)),
                        vec![left],
                    ),
                    pos,
                );
                Kind::Condition(Box::new(exists), Box::new(copy), Some(Box::new(els)))
            }
            _ => return Err(Error::new("S0201").pos(pos).token(op)),
        };
        Ok(Node::new(kind, pos))
    }

    fn call(&mut self, left: Node, pos: usize) -> Result<Node, Error> {
        let mut args: Vec<Option<Node>> = Vec::new();
        let mut partial = false;
        if !self.is(")") {
            loop {
                if self.is("?") {
                    partial = true;
                    args.push(None);
                    self.advance(Some("?"), false)?;
                } else {
                    args.push(Some(self.expression(0)?));
                }
                if !self.is(",") {
                    break;
                }
                self.advance(Some(","), false)?;
            }
        }
        self.advance(Some(")"), true)?;
        let is_lambda =
            matches!(&left.kind, Kind::Name(n) if &**n == "function" || &**n == "\u{3bb}");
        if is_lambda {
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
            let mut signature = None;
            if self.is("<") {
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
                signature = Some(Signature::parse(&sig).map_err(|e| e.pos(sig_pos))?);
            }
            self.advance(Some("{"), false)?;
            let body = self.expression(0)?;
            self.advance(Some("}"), true)?;
            return Ok(Node::new(
                Kind::Lambda(Arc::new(LambdaDef {
                    params,
                    signature,
                    body,
                    thunk: false,
                })),
                pos,
            ));
        }
        let kind = if partial {
            Kind::Partial(Box::new(left), args)
        } else {
            Kind::Call(Box::new(left), args.into_iter().flatten().collect())
        };
        Ok(Node::new(kind, pos))
    }
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

    fn process(&mut self, expr: Node) -> Result<Node, Error> {
        if super::eval::stack_position().abs_diff(self.stack_base) > MAX_PARSE_STACK {
            return Err(Error::new("S0201")
                .pos(expr.position)
                .token("(nesting too deep)")
                .message("Syntax error: expression nested too deeply"));
        }
        self.process_inner(expr)
    }

    fn process_inner(&mut self, expr: Node) -> Result<Node, Error> {
        let keep_array = expr.keep_array;
        let pos = expr.position;
        let mut result = match expr.kind {
            Kind::RawDot(lhs, rhs) => {
                let lstep = self.process(*lhs)?;
                let mut result = if matches!(lstep.kind, Kind::Path(_)) {
                    lstep
                } else {
                    let parent_slot = if let Kind::Parent(s) = lstep.kind {
                        Some(s)
                    } else {
                        None
                    };
                    let mut r = path_of(lstep);
                    if let Some(s) = parent_slot {
                        r.seeking_parent = vec![s];
                    }
                    r
                };
                let mut rest = self.process(*rhs)?;
                if let Kind::Path(rsteps) = rest.kind {
                    steps_mut(&mut result).extend(rsteps);
                } else {
                    if !rest.predicate.is_empty() {
                        rest.stages = std::mem::take(&mut rest.predicate);
                    }
                    steps_mut(&mut result).push(rest);
                }
                let steps = steps_mut(&mut result);
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
                        Kind::Null => {
                            return Err(Error::new("S0213").pos(step.position).value("null"))
                        }
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
                self.resolve_ancestry(&mut result)?;
                result
            }
            Kind::RawFilter(lhs, rhs) => {
                let mut result = self.process(*lhs)?;
                let is_path = matches!(result.kind, Kind::Path(_));
                let predicate = self.process(*rhs)?;
                {
                    let step: &mut Node = if is_path {
                        steps_mut(&mut result).last_mut().expect("path has steps")
                    } else {
                        &mut result
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
                }
                result
            }
            Kind::RawGroup(lhs, pairs) => {
                let mut result = self.process(*lhs)?;
                if result.group.is_some() {
                    return Err(Error::new("S0210").pos(pos));
                }
                let mut out = Vec::new();
                for (k, v) in pairs {
                    out.push((self.process(k)?, self.process(v)?));
                }
                result.group = Some(Box::new(Group {
                    pairs: out,
                    position: pos,
                }));
                result
            }
            Kind::RawSort(lhs, terms) => {
                let result = self.process(*lhs)?;
                let mut result = if matches!(result.kind, Kind::Path(_)) {
                    result
                } else {
                    path_of(result)
                };
                let mut sort = Node::new(Kind::Sort(Vec::new()), pos);
                let mut out = Vec::new();
                for t in terms {
                    let e = self.process(t.expr)?;
                    Self::push_ancestry(&mut sort, &e);
                    out.push(SortTerm {
                        descending: t.descending,
                        expr: e,
                    });
                }
                sort.kind = Kind::Sort(out);
                steps_mut(&mut result).push(sort);
                self.resolve_ancestry(&mut result)?;
                result
            }
            Kind::RawFocus(lhs, name) => {
                let mut result = self.process(*lhs)?;
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
                result
            }
            Kind::RawIndex(lhs, name) => {
                let result = self.process(*lhs)?;
                let mut result = if matches!(result.kind, Kind::Path(_)) {
                    result
                } else {
                    let mut r = result;
                    if !r.predicate.is_empty() {
                        r.stages = std::mem::take(&mut r.predicate);
                    }
                    path_of(r)
                };
                let step = steps_mut(&mut result).last_mut().expect("path has steps");
                if step.stages.is_empty() {
                    step.index = Some(name);
                } else {
                    step.stages.push(Stage::Index(name));
                }
                step.tuple = true;
                result
            }
            Kind::Bind(name, rhs) => {
                let rhs = self.process(*rhs)?;
                let mut r = Node::new(Kind::Bind(name, Box::new(Node::new(Kind::Null, pos))), pos);
                Self::push_ancestry(&mut r, &rhs);
                r.kind = match r.kind {
                    Kind::Bind(n, _) => Kind::Bind(n, Box::new(rhs)),
                    k => k,
                };
                r
            }
            Kind::Apply(lhs, rhs) => {
                let l = self.process(*lhs)?;
                let r = self.process(*rhs)?;
                let keep = l.keep_array || r.keep_array;
                let mut n = Node::new(Kind::Apply(Box::new(l), Box::new(r)), pos);
                n.keep_array = keep;
                n
            }
            Kind::Binary(op, lhs, rhs) => {
                let l = self.process(*lhs)?;
                let r = self.process(*rhs)?;
                let mut n = Node::new(Kind::Null, pos);
                Self::push_ancestry(&mut n, &l);
                Self::push_ancestry(&mut n, &r);
                n.kind = Kind::Binary(op, Box::new(l), Box::new(r));
                n
            }
            Kind::ArrayCons(items) => {
                let mut n = Node::new(Kind::Null, pos);
                let mut out = Vec::new();
                for i in items {
                    let v = self.process(i)?;
                    Self::push_ancestry(&mut n, &v);
                    out.push(v);
                }
                n.kind = Kind::ArrayCons(out);
                n
            }
            Kind::ObjectCons(pairs) => {
                let mut n = Node::new(Kind::Null, pos);
                let mut out = Vec::new();
                for (k, v) in pairs {
                    let k = self.process(k)?;
                    Self::push_ancestry(&mut n, &k);
                    let v = self.process(v)?;
                    Self::push_ancestry(&mut n, &v);
                    out.push((k, v));
                }
                n.kind = Kind::ObjectCons(out);
                n
            }
            Kind::Negate(e) => {
                let e = self.process(*e)?;
                if let Kind::Num(x) = e.kind {
                    let mut n = e;
                    n.kind = Kind::Num(-x);
                    n
                } else {
                    let mut n = Node::new(Kind::Null, pos);
                    Self::push_ancestry(&mut n, &e);
                    n.kind = Kind::Negate(Box::new(e));
                    n
                }
            }
            Kind::Call(p, args) => {
                let mut n = Node::new(Kind::Null, pos);
                let mut out = Vec::new();
                for a in args {
                    let a = self.process(a)?;
                    Self::push_ancestry(&mut n, &a);
                    out.push(a);
                }
                let p = self.process(*p)?;
                n.kind = Kind::Call(Box::new(p), out);
                n
            }
            Kind::Partial(p, args) => {
                let mut n = Node::new(Kind::Null, pos);
                let mut out = Vec::new();
                for a in args {
                    match a {
                        Some(a) => {
                            let a = self.process(a)?;
                            Self::push_ancestry(&mut n, &a);
                            out.push(Some(a));
                        }
                        None => out.push(None),
                    }
                }
                let p = self.process(*p)?;
                n.kind = Kind::Partial(Box::new(p), out);
                n
            }
            Kind::Lambda(def) => {
                let def = Arc::try_unwrap(def).unwrap_or_else(|a| LambdaDef {
                    params: a.params.clone(),
                    signature: a.signature.clone(),
                    body: clone_raw(&a.body),
                    thunk: a.thunk,
                });
                let body = self.process(def.body)?;
                let body = tail_call_optimize(body);
                Node::new(
                    Kind::Lambda(Arc::new(LambdaDef {
                        params: def.params,
                        signature: def.signature,
                        body,
                        thunk: def.thunk,
                    })),
                    pos,
                )
            }
            Kind::Condition(c, t, e) => {
                let mut n = Node::new(Kind::Null, pos);
                let c = self.process(*c)?;
                Self::push_ancestry(&mut n, &c);
                let t = self.process(*t)?;
                Self::push_ancestry(&mut n, &t);
                let e = match e {
                    Some(e) => {
                        let e = self.process(*e)?;
                        Self::push_ancestry(&mut n, &e);
                        Some(Box::new(e))
                    }
                    None => None,
                };
                n.kind = Kind::Condition(Box::new(c), Box::new(t), e);
                n
            }
            Kind::RawTransform(p, u, d) => {
                let pattern = self.process(*p)?;
                let update = self.process(*u)?;
                let delete = match d {
                    Some(d) => Some(self.process(*d)?),
                    None => None,
                };
                Node::new(
                    Kind::Transform(Arc::new(TransformDef {
                        pattern,
                        update,
                        delete,
                    })),
                    pos,
                )
            }
            Kind::Block(exprs) => {
                let mut n = Node::new(Kind::Null, pos);
                let mut out = Vec::new();
                for e in exprs {
                    let part = self.process(e)?;
                    Self::push_ancestry(&mut n, &part);
                    let cons = part.consarray
                        || matches!(&part.kind, Kind::Path(s) if s.first().is_some_and(|f| f.consarray));
                    if cons {
                        n.consarray = true;
                    }
                    out.push(part);
                }
                n.kind = Kind::Block(out);
                n
            }
            Kind::Name(name) => {
                let mut step = Node::new(Kind::Name(name), pos);
                step.keep_array = keep_array;
                let mut r = path_of(step);
                if keep_array {
                    r.keep_singleton_array = true;
                }
                r
            }
            Kind::Parent(_) => {
                let id = self.slots.len();
                self.slots.push(Slot {
                    label: id,
                    level: 1,
                });
                Node::new(Kind::Parent(id), pos)
            }
            Kind::Variable(name, _) => {
                let builtin = if self.bound.contains(&name) {
                    None
                } else {
                    Builtin::lookup(&name, self.profile)
                };
                Node::new(Kind::Variable(name, builtin), pos)
            }
            other => Node::new(other, pos),
        };
        if keep_array {
            result.keep_array = true;
        }
        Ok(result)
    }
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
