//! Input and output processing fields, in both query languages.

use super::jsonata::JsonataValue;
use crate::data::path::Path;
use crate::data::template::Template;

/// `InputPath` or `OutputPath`.
#[derive(Clone, Debug, Default)]
pub enum InputFilter {
    /// Absent, or `"$"`: the data passes unchanged (and uncopied).
    #[default]
    Identity,
    /// `null`: the data becomes `{}`.
    Empty,
    /// A path selecting part of the data.
    Path(Path),
}

/// `ResultPath`: where the result goes in the state's raw input.
#[derive(Clone, Debug, Default)]
pub enum ResultPath {
    /// Absent, or `"$"`: the result replaces the input.
    #[default]
    Replace,
    /// `null`: the result is discarded and the raw input passes through.
    Discard,
    /// A reference path to write the result at.
    At(Path),
}

/// A state's data processing.
#[derive(Clone, Debug)]
pub enum Io {
    /// JSONPath fields.
    JsonPath(JsonPathIo),
    /// JSONata fields.
    Jsonata(JsonataIo),
}

impl Default for Io {
    fn default() -> Io {
        Io::JsonPath(JsonPathIo::default())
    }
}

/// The JSONPath pipeline: InputPath → Parameters → work → ResultSelector → ResultPath → OutputPath.
/// Fields a state type does not accept are left at their defaults.
#[derive(Clone, Debug, Default)]
pub struct JsonPathIo {
    /// `InputPath`.
    pub input_path: InputFilter,
    /// `Parameters` (for Map: the legacy name of `ItemSelector`, stored there instead).
    pub parameters: Option<Template>,
    /// `ResultSelector` (Task, Parallel, Map).
    pub result_selector: Option<Template>,
    /// `ResultPath`.
    pub result_path: ResultPath,
    /// `OutputPath`.
    pub output_path: InputFilter,
}

/// The JSONata fields: `Arguments` (Task, Parallel) and `Output`.
#[derive(Clone, Debug, Default)]
pub struct JsonataIo {
    /// `Arguments`.
    pub arguments: Option<JsonataValue>,
    /// `Output`.
    pub output: Option<JsonataValue>,
}

/// `Assign`: variables to set when the state (or a Choice rule, or a Catcher) completes.
#[derive(Clone, Debug)]
pub enum Assign {
    /// JSONPath: a payload template (`"name.$": path | intrinsic`, literals).
    JsonPath(Template),
    /// JSONata: literals and `{% %}` strings at any depth.
    Jsonata(JsonataValue),
}
