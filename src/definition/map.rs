//! Map states: the item source, the processor, concurrency and failure tolerance.

use super::jsonata::JsonataValue;
use super::machine::{MachineType, Scope};
use super::retry::{Catcher, Retrier};
use crate::data::path::Path;
use crate::data::template::Template;
use crate::value::Val;
use std::sync::Arc;

/// A `Map` state's own fields.
#[derive(Debug)]
pub struct MapState {
    /// `ItemProcessor` (or the legacy `Iterator`).
    pub processor: Scope,
    /// `ProcessorConfig.Mode`.
    pub mode: MapMode,
    /// JSONPath `ItemsPath` (default `$`, applied after InputPath).
    pub items_path: Option<Path>,
    /// JSONata `Items`.
    pub items: Option<JsonataValue>,
    /// `ItemSelector` (or the legacy `Parameters`).
    pub item_selector: Option<ItemSelector>,
    /// `MaxConcurrency` / `MaxConcurrencyPath` (0 or absent: unbounded).
    pub max_concurrency: Option<Count>,
    /// `ToleratedFailureCount` / `…Path`.
    pub tolerated_failure_count: Option<Count>,
    /// `ToleratedFailurePercentage` / `…Path`.
    pub tolerated_failure_percentage: Option<Percentage>,
    /// `ItemReader`.
    pub item_reader: Option<ItemReader>,
    /// `ItemBatcher`.
    pub item_batcher: Option<ItemBatcher>,
    /// `ResultWriter` (kept as written).
    pub result_writer: Option<Val>,
    /// `Label` (distributed mode; part of the Map Run ARN).
    pub label: Option<Arc<str>>,
    /// `Retry`.
    pub retry: Vec<Retrier>,
    /// `Catch`.
    pub catch: Vec<Catcher>,
}

/// `ProcessorConfig.Mode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MapMode {
    /// Iterations run inside the parent execution (the default; also the legacy `Iterator`).
    Inline,
    /// Each item or batch runs as a child execution.
    Distributed {
        /// `ProcessorConfig.ExecutionType`.
        execution_type: MachineType,
    },
}

/// `ItemSelector` in either query language.
#[derive(Clone, Debug)]
pub enum ItemSelector {
    /// JSONPath template: `$` is the Map's effective input, `$$.Map.Item` the item.
    JsonPath(Template),
    /// JSONata value.
    Jsonata(JsonataValue),
}

/// A whole number given literally, by path, or by JSONata expression.
#[derive(Clone, Debug)]
pub enum Count {
    /// A literal.
    Literal(u64),
    /// A reference path resolved at run time.
    Path(Path),
    /// A JSONata expression.
    Jsonata(JsonataValue),
}

/// A percentage given literally, by path, or by JSONata expression.
#[derive(Clone, Debug)]
pub enum Percentage {
    /// A literal 0–100.
    Literal(f64),
    /// A reference path resolved at run time.
    Path(Path),
    /// A JSONata expression.
    Jsonata(JsonataValue),
}

/// `ItemReader`: items read through a resource (S3 in AWS; a resolver call here).
#[derive(Clone, Debug)]
pub struct ItemReader {
    /// `Resource`, e.g. `arn:aws:states:::s3:getObject`.
    pub resource: Arc<str>,
    /// `Parameters` (JSONPath) template.
    pub parameters: Option<Template>,
    /// `Arguments` (JSONata).
    pub arguments: Option<JsonataValue>,
    /// `ReaderConfig`.
    pub reader_config: ReaderConfig,
}

/// `ItemReader.ReaderConfig`.
#[derive(Clone, Debug, Default)]
pub struct ReaderConfig {
    /// `InputType`: CSV, JSON, JSONL, PARQUET, MANIFEST (absent: the object list / JSON).
    pub input_type: Option<Arc<str>>,
    /// `CSVHeaderLocation`: FIRST_ROW or GIVEN.
    pub csv_header_location: Option<Arc<str>>,
    /// `CSVHeaders` (with GIVEN).
    pub csv_headers: Vec<Arc<str>>,
    /// `CSVDelimiter`: COMMA, PIPE, SEMICOLON, SPACE, TAB.
    pub csv_delimiter: Option<Arc<str>>,
    /// `MaxItems` / `MaxItemsPath`.
    pub max_items: Option<Count>,
}

/// `ItemBatcher`.
#[derive(Clone, Debug)]
pub struct ItemBatcher {
    /// `MaxItemsPerBatch` / `…Path`.
    pub max_items_per_batch: Option<Count>,
    /// `MaxInputBytesPerBatch` / `…Path`.
    pub max_input_bytes_per_batch: Option<Count>,
    /// `BatchInput` (JSONPath template or JSONata value, kept as a template).
    pub batch_input: Option<Template>,
}
