//! Errors of compiling and evaluating JSONata: jsonata-js codes and messages.

use std::fmt;

/// A JSONata compile or evaluation error, shaped as jsonata-js reports them.
#[derive(Clone, Debug, PartialEq)]
pub struct JsonataError {
    /// The jsonata-js error code (`"S0201"`, `"T1006"`, `"D3030"`, ...).
    pub code: String,
    /// The message, as jsonata-js words it where practical.
    pub message: String,
    /// The character offset in the expression the error refers to, if known.
    pub position: Option<usize>,
    /// The token the error refers to, if any.
    pub token: Option<String>,
}

impl fmt::Display for JsonataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for JsonataError {}

/// An error under construction (boxed: results stay small, and so do stack frames).
#[derive(Clone, Debug)]
pub(crate) struct Error(Box<ErrorData>);

impl std::ops::Deref for Error {
    type Target = ErrorData;
    fn deref(&self) -> &ErrorData {
        &self.0
    }
}

impl std::ops::DerefMut for Error {
    fn deref_mut(&mut self) -> &mut ErrorData {
        &mut self.0
    }
}

/// The code plus the values its message template refers to.
#[derive(Clone, Debug)]
pub(crate) struct ErrorData {
    pub code: &'static str,
    pub position: Option<usize>,
    pub token: Option<String>,
    pub value: Option<String>,
    pub value2: Option<String>,
    pub index: Option<usize>,
    /// A message given by the expression (`$error`, `$assert`).
    pub message: Option<String>,
}

impl Error {
    pub fn new(code: &'static str) -> Error {
        Error(Box::new(ErrorData {
            code,
            position: None,
            token: None,
            value: None,
            value2: None,
            index: None,
            message: None,
        }))
    }
    pub fn pos(mut self, p: usize) -> Error {
        self.position = Some(p);
        self
    }
    pub fn token(mut self, t: impl Into<String>) -> Error {
        self.token = Some(t.into());
        self
    }
    pub fn value(mut self, v: impl Into<String>) -> Error {
        self.value = Some(v.into());
        self
    }
    pub fn value2(mut self, v: impl Into<String>) -> Error {
        self.value2 = Some(v.into());
        self
    }
    pub fn index(mut self, i: usize) -> Error {
        self.index = Some(i);
        self
    }
    pub fn message(mut self, m: impl Into<String>) -> Error {
        self.message = Some(m.into());
        self
    }

    /// The public error, with the message filled in from jsonata-js's template.
    pub fn into_public(self) -> JsonataError {
        let message = match &self.message {
            Some(m) => m.clone(),
            None => {
                let template = template(self.code);
                let mut out = String::new();
                let mut rest = template;
                while let Some(start) = rest.find("{{") {
                    out.push_str(&rest[..start]);
                    let after = &rest[start + 2..];
                    let Some(end) = after.find("}}") else {
                        out.push_str(&rest[start..]);
                        rest = "";
                        break;
                    };
                    let key = &after[..end];
                    let sub = match key {
                        "token" => self.token.clone(),
                        "value" => self.value.clone(),
                        "value2" => self.value2.clone(),
                        "index" => self.index.map(|i| i.to_string()),
                        _ => None,
                    };
                    out.push_str(sub.as_deref().unwrap_or(""));
                    rest = &after[end + 2..];
                }
                out.push_str(rest);
                out
            }
        };
        JsonataError {
            code: self.code.to_string(),
            message,
            position: self.position,
            token: self.0.token,
        }
    }
}

fn template(code: &str) -> &'static str {
    match code {
        "S0101" => "String literal must be terminated by a matching quote",
        "S0102" => "Number out of range: {{token}}",
        "S0103" => "Unsupported escape sequence: \\{{value}}",
        "S0104" => "The escape sequence \\u must be followed by 4 hex digits",
        "S0105" => "Quoted property name must be terminated with a backquote (`)",
        "S0106" => "Comment has no closing tag",
        "S0201" => "Syntax error: {{token}}",
        "S0202" => "Expected {{value}}, got {{token}}",
        "S0203" => "Expected {{value}} before end of expression",
        "S0204" => "Unknown operator: {{token}}",
        "S0205" => "Unexpected token: {{token}}",
        "S0206" => "Unknown expression type: {{token}}",
        "S0207" => "Unexpected end of expression",
        "S0208" => "Parameter {{value}} of function definition must be a variable name (start with $)",
        "S0209" => "A predicate cannot follow a grouping expression in a step",
        "S0210" => "Each step can only have one grouping expression",
        "S0211" => "The symbol {{token}} cannot be used as a unary operator",
        "S0212" => "The left side of := must be a variable name (start with $)",
        "S0213" => "The literal value {{value}} cannot be used as a step within a path expression",
        "S0214" => "The right side of {{token}} must be a variable name (start with $)",
        "S0215" => "A context variable binding must precede any predicates on a step",
        "S0216" => "A context variable binding must precede the 'order-by' clause on a step",
        "S0217" => "The object representing the 'parent' cannot be derived from this expression",
        "S0301" => "Empty regular expressions are not allowed",
        "S0302" => "No terminating / in regular expression",
        "S0402" => "Choice groups containing parameterized types are not supported",
        "S0401" => "Type parameters can only be applied to functions and arrays",
        "S0500" => "Attempted to evaluate an expression containing syntax error(s)",
        "T0410" => "Argument {{index}} of function {{token}} does not match function signature",
        "T0411" => "Context value is not a compatible type with argument {{index}} of function {{token}}",
        "T0412" => "Argument {{index}} of function {{token}} must be an array of {{type}}",
        "D1001" => "Number out of range: {{value}}",
        "D1002" => "Cannot negate a non-numeric value: {{value}}",
        "T1003" => "Key in object structure must evaluate to a string; got: {{value}}",
        "D1004" => "Regular expression matches zero length string",
        "T1005" => "Attempted to invoke a non-function. Did you mean ${{{token}}}?",
        "T1006" => "Attempted to invoke a non-function",
        "T1007" => "Attempted to partially apply a non-function. Did you mean ${{{token}}}?",
        "T1008" => "Attempted to partially apply a non-function",
        "D1009" => "Multiple key definitions evaluate to same key: {{value}}",
        "T1010" => "The matcher function argument passed to function {{token}} does not return the correct object structure",
        "T2001" => "The left side of the {{token}} operator must evaluate to a number",
        "T2002" => "The right side of the {{token}} operator must evaluate to a number",
        "T2003" => "The left side of the range operator (..) must evaluate to an integer",
        "T2004" => "The right side of the range operator (..) must evaluate to an integer",
        "D2005" => "The left side of := must be a variable name (start with $)",
        "T2006" => "The right side of the function application operator ~> must be a function",
        "T2007" => "Type mismatch when comparing values {{value}} and {{value2}} in order-by clause",
        "T2008" => "The expressions within an order-by clause must evaluate to numeric or string values",
        "T2009" => "The values {{value}} and {{value2}} either side of operator {{token}} must be of the same data type",
        "T2010" => "The expressions either side of operator {{token}} must evaluate to numeric or string values",
        "T2011" => "The insert/update clause of the transform expression must evaluate to an object: {{value}}",
        "T2012" => "The delete clause of the transform expression must evaluate to a string or array of strings: {{value}}",
        "T2013" => "The transform expression clones the input object using the $clone() function.  This has been overridden in the current scope by a non-function.",
        "D2014" => "The size of the sequence allocated by the range operator (..) must not exceed 1e6.  Attempted to allocate {{value}}.",
        "D3001" => "Attempting to invoke string function on Infinity or NaN",
        "D3010" => "Second argument of replace function cannot be an empty string",
        "D3011" => "Fourth argument of replace function must evaluate to a positive number",
        "D3012" => "Attempted to replace a matched string with a non-string value",
        "D3020" => "Third argument of split function must evaluate to a positive number",
        "D3030" => "Unable to cast value to a number: {{value}}",
        "D3040" => "Third argument of match function must evaluate to a positive number",
        "D3050" => "The second argument of reduce function must be a function with at least two arguments",
        "D3060" => "The sqrt function cannot be applied to a negative number: {{value}}",
        "D3061" => "The power function has resulted in a value that cannot be represented as a JSON number: base={{value}}, exponent={{exp}}",
        "D3070" => "The single argument form of the sort function can only be applied to an array of strings or an array of numbers.  Use the second argument to specify a comparison function",
        "D3080" => "The picture string must only contain a maximum of two sub-pictures",
        "D3081" => "The sub-picture must not contain more than one instance of the 'decimal-separator' character",
        "D3100" => "The radix of the formatBase function must be between 2 and 36.  It was given {{value}}",
        "D3110" => "The argument of the toMillis function must be an ISO 8601 formatted timestamp. Given {{value}}",
        "D3120" => "Syntax error in expression passed to function eval: {{value}}",
        "D3121" => "Dynamic error evaluating the expression passed to function eval: {{value}}",
        "D3130" => "Formatting or parsing an integer as a sequence starting with {{value}} is not supported by this implementation",
        "D3133" => "The 'name' modifier can only be applied to months and days in the date/time picture string, not {{value}}",
        "D3137" => "{{{message}}}",
        "D3138" => "The $single() function expected exactly 1 matching result.  Instead it matched more.",
        "D3139" => "The $single() function expected exactly 1 matching result.  Instead it matched 0.",
        "D3140" => "Malformed URL passed to ${{{functionName}}}(): {{value}}",
        "D3141" => "{{{message}}}",
        "U1001" => "Stack overflow error: Check for non-terminating recursive function.  Consider rewriting as tail-recursive.",
        "U1002" => "Expression evaluation timeout: Check for infinite loop",
        "D3200" => "Unsupported regular expression: {{value}}",
        _ => "Error",
    }
}
