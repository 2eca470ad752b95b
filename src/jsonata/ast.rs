//! The syntax tree: what the parser builds and the evaluator walks.
//!
//! As in jsonata-js, a node carries a kind plus the annotations that the
//! post-parse pass adds (predicates, stages, grouping, focus/index bindings,
//! parent-operator slots, keep-array flags).

use super::functions::Builtin;
use super::signature::Signature;
use std::sync::Arc;

/// Binary operators evaluated by `eval::operators`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Concat,
    And,
    Or,
    In,
    Range,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Mod => "%",
            BinOp::Eq => "=",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Concat => "&",
            BinOp::And => "and",
            BinOp::Or => "or",
            BinOp::In => "in",
            BinOp::Range => "..",
        }
    }
}

/// A lambda definition: shared by every closure created from it.
#[derive(Debug)]
pub(crate) struct LambdaDef {
    pub params: Vec<Arc<str>>,
    pub signature: Option<Signature>,
    pub body: Node,
    /// A tail-call thunk (created by tail-call optimisation).
    pub thunk: bool,
}

/// A transform `| pattern | update, delete |`.
#[derive(Debug)]
pub(crate) struct TransformDef {
    pub pattern: Node,
    pub update: Node,
    pub delete: Option<Node>,
}

/// One sort term of `^( ... )`.
#[derive(Debug)]
pub(crate) struct SortTerm {
    pub descending: bool,
    pub expr: Node,
}

/// A stage applied after a step: a filter predicate or a `#$i` index binding.
#[derive(Debug)]
pub(crate) enum Stage {
    Filter(Node),
    Index(Arc<str>),
}

/// A grouping `{ k: v, ... }` attached to a step or expression.
#[derive(Debug)]
pub(crate) struct Group {
    pub pairs: Vec<(Node, Node)>,
    pub position: usize,
}

/// The node kinds.
#[derive(Debug)]
pub(crate) enum Kind {
    Path(Vec<Node>),
    Binary(BinOp, Box<Node>, Box<Node>),
    Negate(Box<Node>),
    ArrayCons(Vec<Node>),
    ObjectCons(Vec<(Node, Node)>),
    Name(Arc<str>),
    Str(Arc<str>),
    Num(f64),
    Bool(bool),
    Null,
    Wildcard,
    Descendant,
    /// `%`: the slot index (resolved to a label after parsing).
    Parent(usize),
    Condition(Box<Node>, Box<Node>, Option<Box<Node>>),
    Block(Vec<Node>),
    Bind(Arc<str>, Box<Node>),
    Regex(Arc<regex::Regex>, Arc<str>),
    /// A function call: procedure, arguments.
    Call(Box<Node>, Vec<Node>),
    /// A partial application; `None` arguments are `?` placeholders.
    Partial(Box<Node>, Vec<Option<Node>>),
    Lambda(Arc<LambdaDef>),
    /// `$name`; `builtin` is the library function when the name is static.
    Variable(Arc<str>, Option<Builtin>),
    Apply(Box<Node>, Box<Node>),
    Transform(Arc<TransformDef>),
    /// Raw transform (before processing).
    RawTransform(Box<Node>, Box<Node>, Option<Box<Node>>),
    Sort(Vec<SortTerm>),
    // Raw forms, replaced by the post-parse pass.
    RawDot(Box<Node>, Box<Node>),
    RawFilter(Box<Node>, Box<Node>),
    RawGroup(Box<Node>, Vec<(Node, Node)>),
    RawSort(Box<Node>, Vec<SortTerm>),
    RawFocus(Box<Node>, Arc<str>),
    RawIndex(Box<Node>, Arc<str>),
}

/// A syntax-tree node.
#[derive(Debug)]
pub(crate) struct Node {
    pub kind: Kind,
    pub position: usize,
    pub keep_array: bool,
    pub keep_singleton_array: bool,
    pub consarray: bool,
    pub predicate: Vec<Stage>,
    pub stages: Vec<Stage>,
    pub group: Option<Box<Group>>,
    pub focus: Option<Arc<str>>,
    pub index: Option<Arc<str>>,
    pub tuple: bool,
    /// Parent-operator slot this step binds (its label is looked up at run time).
    pub ancestor: Option<usize>,
    pub seeking_parent: Vec<usize>,
    /// The resolved label of `ancestor` (or of the slot of a `%` node).
    pub label: Option<Arc<str>>,
}

impl Node {
    pub fn new(kind: Kind, position: usize) -> Node {
        Node {
            kind,
            position,
            keep_array: false,
            keep_singleton_array: false,
            consarray: false,
            predicate: Vec::new(),
            stages: Vec::new(),
            group: None,
            focus: None,
            index: None,
            tuple: false,
            ancestor: None,
            seeking_parent: Vec::new(),
            label: None,
        }
    }

    /// The name used in error messages for the procedure of a call.
    pub fn proc_name(&self) -> String {
        match &self.kind {
            Kind::Path(steps) => steps.first().map(|s| s.proc_name()).unwrap_or_default(),
            Kind::Name(n) | Kind::Variable(n, _) => n.to_string(),
            _ => String::new(),
        }
    }
}
