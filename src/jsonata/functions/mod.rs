//! The function library: JSONata 2.0.6's built-ins plus Step Functions' additions,
//! resolved by name at compile time to a [`Builtin`] with a parsed signature.

pub(crate) mod array;
pub(crate) mod aws;
pub(crate) mod boolean;
pub(crate) mod datetime;
pub(crate) mod higher_order;
pub(crate) mod integer;
pub(crate) mod numeric;
pub(crate) mod object;
pub(crate) mod string;

use super::error::Error;
use super::eval::{Ctx, Env, R};
use super::signature::Signature;
use super::value::Value;
use std::sync::OnceLock;

/// Which function library an expression sees.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Profile {
    /// AWS Step Functions: JSONata 2.0.6 without `$eval`, plus `$partition`, `$range`,
    /// `$hash`, `$random([seed])`, `$uuid` and `$parse`.
    #[default]
    StepFunctions,
    /// Plain JSONata 2.0.6 (what the official test suite expects).
    Jsonata,
}

macro_rules! builtins {
    ($( $variant:ident = $name:literal, $sig:literal, $arity:literal, $profile:ident; )*) => {
        /// A library function, resolved at compile time.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub(crate) enum Builtin { $( $variant, )* }

        const TABLE: &[(Builtin, &str, &str, usize, Avail)] = &[
            $( (Builtin::$variant, $name, $sig, $arity, Avail::$profile), )*
        ];
    };
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Avail {
    Both,
    Plain,
    Aws,
}

builtins! {
    Sum = "sum", "<a<n>:n>", 1, Both;
    Count = "count", "<a:n>", 1, Both;
    Max = "max", "<a<n>:n>", 1, Both;
    Min = "min", "<a<n>:n>", 1, Both;
    Average = "average", "<a<n>:n>", 1, Both;
    String = "string", "<x-b?:s>", 1, Both;
    Substring = "substring", "<s-nn?:s>", 3, Both;
    SubstringBefore = "substringBefore", "<s-s:s>", 2, Both;
    SubstringAfter = "substringAfter", "<s-s:s>", 2, Both;
    Lowercase = "lowercase", "<s-:s>", 1, Both;
    Uppercase = "uppercase", "<s-:s>", 1, Both;
    Length = "length", "<s-:n>", 1, Both;
    Trim = "trim", "<s-:s>", 1, Both;
    Pad = "pad", "<s-ns?:s>", 3, Both;
    Match = "match", "<s-f<s:o>n?:a<o>>", 3, Both;
    Contains = "contains", "<s-(sf):b>", 2, Both;
    Replace = "replace", "<s-(sf)(sf)n?:s>", 4, Both;
    Split = "split", "<s-(sf)n?:a<s>>", 3, Both;
    Join = "join", "<a<s>s?:s>", 2, Both;
    FormatNumber = "formatNumber", "<n-so?:s>", 3, Both;
    FormatBase = "formatBase", "<n-n?:s>", 2, Both;
    FormatInteger = "formatInteger", "<n-s:s>", 2, Both;
    ParseInteger = "parseInteger", "<s-s:n>", 2, Both;
    Number = "number", "<(nsb)-:n>", 1, Both;
    Floor = "floor", "<n-:n>", 1, Both;
    Ceil = "ceil", "<n-:n>", 1, Both;
    Round = "round", "<n-n?:n>", 2, Both;
    Abs = "abs", "<n-:n>", 1, Both;
    Sqrt = "sqrt", "<n-:n>", 1, Both;
    Power = "power", "<n-n:n>", 2, Both;
    Random = "random", "<:n>", 0, Plain;
    RandomSeeded = "random", "<n?:n>", 0, Aws;
    Boolean = "boolean", "<x-:b>", 1, Both;
    Not = "not", "<x-:b>", 1, Both;
    Map = "map", "<af>", 2, Both;
    Zip = "zip", "<a+>", 0, Both;
    Filter = "filter", "<af>", 2, Both;
    Single = "single", "<af?>", 2, Both;
    Reduce = "reduce", "<afj?:j>", 3, Both;
    Sift = "sift", "<o-f?:o>", 2, Both;
    Keys = "keys", "<x-:a<s>>", 1, Both;
    Lookup = "lookup", "<x-s:x>", 2, Both;
    Append = "append", "<xx:a>", 2, Both;
    Exists = "exists", "<x:b>", 1, Both;
    Spread = "spread", "<x-:a<o>>", 1, Both;
    Merge = "merge", "<a<o>:o>", 1, Both;
    Reverse = "reverse", "<a:a>", 1, Both;
    Each = "each", "<o-f:a>", 2, Both;
    Error = "error", "<s?:x>", 1, Both;
    Assert = "assert", "<bs?:x>", 2, Both;
    Type = "type", "<x:s>", 1, Both;
    Sort = "sort", "<af?:a>", 2, Both;
    Shuffle = "shuffle", "<a:a>", 1, Both;
    Distinct = "distinct", "<x:x>", 1, Both;
    Base64Encode = "base64encode", "<s-:s>", 1, Both;
    Base64Decode = "base64decode", "<s-:s>", 1, Both;
    EncodeUrlComponent = "encodeUrlComponent", "<s-:s>", 1, Both;
    EncodeUrl = "encodeUrl", "<s-:s>", 1, Both;
    DecodeUrlComponent = "decodeUrlComponent", "<s-:s>", 1, Both;
    DecodeUrl = "decodeUrl", "<s-:s>", 1, Both;
    Eval = "eval", "<sx?:x>", 2, Plain;
    ToMillis = "toMillis", "<s-s?:n>", 2, Both;
    FromMillis = "fromMillis", "<n-s?s?:s>", 3, Both;
    Clone = "clone", "<(oa)-:o>", 1, Both;
    Now = "now", "<s?s?:s>", 2, Both;
    Millis = "millis", "<:n>", 0, Both;
    Partition = "partition", "<an:a>", 2, Aws;
    Range = "range", "<nnn?:a>", 3, Aws;
    Hash = "hash", "<s-s?:s>", 2, Aws;
    Uuid = "uuid", "<:s>", 0, Aws;
    Parse = "parse", "<s-:x>", 1, Aws;
}

fn signatures() -> &'static Vec<Signature> {
    static SIGS: OnceLock<Vec<Signature>> = OnceLock::new();
    SIGS.get_or_init(|| {
        TABLE
            .iter()
            .map(|(_, _, sig, _, _)| Signature::parse(sig).expect("built-in signature parses"))
            .collect()
    })
}

impl Builtin {
    /// The function named `name` in `profile`.
    pub fn lookup(name: &str, profile: Profile) -> Option<Builtin> {
        TABLE
            .iter()
            .find(|(_, n, _, _, avail)| {
                *n == name
                    && match avail {
                        Avail::Both => true,
                        Avail::Plain => profile == Profile::Jsonata,
                        Avail::Aws => profile == Profile::StepFunctions,
                    }
            })
            .map(|(b, ..)| *b)
    }

    fn index(self) -> usize {
        TABLE
            .iter()
            .position(|(b, ..)| *b == self)
            .expect("every builtin is in the table")
    }

    /// The parsed signature.
    pub fn signature(self) -> &'static Signature {
        &signatures()[self.index()]
    }

    /// The number of arguments higher-order functions pass it.
    pub fn arity(self) -> usize {
        TABLE[self.index()].3
    }
}

fn arg(args: &[Option<Value>], i: usize) -> Option<Value> {
    args.get(i).cloned().flatten()
}

/// Calls a built-in with validated arguments.
pub(crate) fn call(
    ctx: &mut Ctx,
    b: Builtin,
    args: Vec<Option<Value>>,
    input: Option<&Value>,
    env: &Env,
) -> R {
    use Builtin as B;
    let a0 = arg(&args, 0);
    let a1 = arg(&args, 1);
    let a2 = arg(&args, 2);
    let a3 = arg(&args, 3);
    match b {
        B::Sum => numeric::sum(a0),
        B::Count => Ok(Some(Value::Number(
            a0.map(|v| v.items().len()).unwrap_or(0) as f64,
        ))),
        B::Max => numeric::max_min(a0, true),
        B::Min => numeric::max_min(a0, false),
        B::Average => numeric::average(a0),
        B::String => match a0 {
            None => Ok(None),
            Some(v) => Ok(Some(Value::String(
                string::to_string(&v, matches!(a1, Some(Value::Bool(true))))?.into(),
            ))),
        },
        B::Substring => string::substring(a0, a1, a2),
        B::SubstringBefore => string::substring_before(a0, a1),
        B::SubstringAfter => string::substring_after(a0, a1),
        B::Lowercase => Ok(a0.and_then(|v| v.as_str().map(|s| Value::str(&s.to_lowercase())))),
        B::Uppercase => Ok(a0.and_then(|v| v.as_str().map(|s| Value::str(&s.to_uppercase())))),
        B::Length => {
            Ok(a0.and_then(|v| v.as_str().map(|s| Value::Number(s.chars().count() as f64))))
        }
        B::Trim => Ok(a0.and_then(|v| v.as_str().map(|s| Value::str(&string::trim(s))))),
        B::Pad => string::pad(a0, a1, a2),
        B::Match => string::match_fn(ctx, a0, a1, a2, env),
        B::Contains => string::contains(ctx, a0, a1, env),
        B::Replace => string::replace(ctx, a0, a1, a2, a3, env),
        B::Split => string::split(ctx, a0, a1, a2, env),
        B::Join => string::join(a0, a1),
        B::FormatNumber => numeric::format_number(a0, a1, a2),
        B::FormatBase => numeric::format_base(a0, a1),
        B::FormatInteger => integer::format_integer(a0, a1),
        B::ParseInteger => integer::parse_integer(a0, a1),
        B::Number => numeric::number(a0),
        B::Floor => numeric::unary(a0, f64::floor),
        B::Ceil => numeric::unary(a0, f64::ceil),
        B::Round => numeric::round(a0, a1),
        B::Abs => numeric::unary(a0, f64::abs),
        B::Sqrt => numeric::sqrt(a0),
        B::Power => numeric::power(a0, a1),
        B::Random => Ok(Some(Value::Number(ctx.random().next_f64()))),
        B::RandomSeeded => aws::random(ctx, a0),
        B::Boolean => Ok(boolean::to_bool(a0.as_ref()).map(Value::Bool)),
        B::Not => Ok(boolean::to_bool(a0.as_ref()).map(|b| Value::Bool(!b))),
        B::Map => higher_order::map(ctx, a0, a1, env),
        B::Zip => array::zip(&args),
        B::Filter => higher_order::filter(ctx, a0, a1, env),
        B::Single => higher_order::single(ctx, a0, a1, env),
        B::Reduce => higher_order::reduce(ctx, a0, a1, a2, env),
        B::Sift => higher_order::sift(ctx, a0, a1, env),
        B::Keys => Ok(Some(object::keys(a0.as_ref()))),
        B::Lookup => Ok(a1
            .as_ref()
            .and_then(|k| k.as_str())
            .and_then(|k| super::eval::lookup_field(a0.as_ref(), k))),
        B::Append => Ok(super::eval::append(a0, a1)),
        B::Exists => Ok(Some(Value::Bool(a0.is_some()))),
        B::Spread => Ok(object::spread(a0)),
        B::Merge => Ok(object::merge(a0)),
        B::Reverse => Ok(a0.map(|v| {
            let mut items = v.items();
            items.reverse();
            Value::array(items)
        })),
        B::Each => higher_order::each(ctx, a0, a1, env),
        B::Error => Err(Error::new("D3137").message(
            a0.and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_else(|| "$error() function evaluated".into()),
        )),
        B::Assert => {
            if matches!(a0, Some(Value::Bool(true))) {
                Ok(None)
            } else {
                Err(Error::new("D3141").message(
                    a1.and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_else(|| "$assert() statement failed".into()),
                ))
            }
        }
        B::Type => Ok(a0.map(|v| Value::str(object::type_of(&v)))),
        B::Sort => higher_order::sort(ctx, a0, a1, env),
        B::Shuffle => Ok(a0.map(|v| {
            let mut items = v.items();
            for i in (1..items.len()).rev() {
                let j = (ctx.random().next_f64() * (i + 1) as f64) as usize;
                items.swap(i, j.min(i));
            }
            Value::array(items)
        })),
        B::Distinct => Ok(array::distinct(a0)),
        B::Base64Encode => string::base64_encode(a0),
        B::Base64Decode => string::base64_decode(a0),
        B::EncodeUrlComponent => string::encode_url(a0, true),
        B::EncodeUrl => string::encode_url(a0, false),
        B::DecodeUrlComponent => string::decode_url(a0, true),
        B::DecodeUrl => string::decode_url(a0, false),
        B::Eval => eval_fn(ctx, a0, a1, input, env),
        B::ToMillis => datetime::to_millis(a0, a1),
        B::FromMillis => datetime::from_millis(a0, a1, a2),
        B::Clone => Ok(a0.map(|v| super::eval::deep_clone(&v))),
        B::Now => datetime::from_millis(Some(Value::Number(ctx.now_millis as f64)), a0, a1),
        B::Millis => Ok(Some(Value::Number(ctx.now_millis as f64))),
        B::Partition => aws::partition(a0, a1),
        B::Range => aws::range(a0, a1, a2),
        B::Hash => aws::hash(a0, a1),
        B::Uuid => Ok(Some(Value::str(&ctx.random().uuid_v4()))),
        B::Parse => aws::parse(a0),
    }
}

fn eval_fn(
    ctx: &mut Ctx,
    expr: Option<Value>,
    focus: Option<Value>,
    input: Option<&Value>,
    env: &Env,
) -> R {
    let Some(Value::String(src)) = expr else {
        return Ok(None);
    };
    let parsed = super::parser::parse(&src, ctx.profile).map_err(|e| {
        let p = e.into_public();
        Error::new("D3120").value(p.message)
    })?;
    let focus = focus.or_else(|| input.cloned());
    ctx.evaluate(&parsed.root, focus.as_ref(), env)
        .map_err(|e| {
            let p = e.clone().into_public();
            Error::new("D3121").value(p.message)
        })
}
