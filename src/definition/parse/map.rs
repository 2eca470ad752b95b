//! Map states: the processor and its config, the item source (ItemsPath / Items /
//! ItemReader), ItemSelector, ItemBatcher, ResultWriter, concurrency, failure
//! tolerance and Label.

use super::document::{parse_nested, ScopeKind};
use super::fields::check_keys;
use super::retry::{parse_catch, parse_retry};
use super::values::{self, Obj};
use super::{compat, io, type_name, Ctx};
use crate::definition::jsonata::is_expression;
use crate::definition::machine::{MachineType, QueryLanguage};
use crate::definition::map::{
    Count, ItemBatcher, ItemReader, ItemSelector, MapMode, MapState, Percentage, ReaderConfig,
};
use crate::definition::validate::transitions::Targets;
use serde_json::Value;
use std::sync::Arc;

/// The longest Map `Label`.
const MAX_LABEL: usize = 40;
/// A bound for counts that AWS does not limit.
const MAX_COUNT: u64 = 1 << 53;

/// Parses a Map state's own fields.
pub(crate) fn parse_map(
    cx: &mut Ctx<'_>,
    o: Obj<'_>,
    ql: QueryLanguage,
    targets: &mut Targets<'_>,
) -> Option<MapState> {
    let before = cx.error_count();
    let (processor, mode) = processor(cx, o, ql);
    let items_path =
        match values::opt_str(cx, o, "ItemsPath").filter(|_| ql == QueryLanguage::JsonPath) {
            Some(s) => compat::reference(cx, &o.at("ItemsPath"), "ItemsPath", s).map(Some),
            None => Some(None),
        };
    let items = match o.get("Items").filter(|_| ql == QueryLanguage::Jsonata) {
        Some(v @ Value::Array(_)) => values::jsonata_value(cx, &o.at("Items"), v).map(Some),
        Some(v @ Value::String(s)) if is_expression(s) => {
            values::jsonata_value(cx, &o.at("Items"), v).map(Some)
        }
        Some(v) => {
            cx.error(
                &o.at("Items"),
                format!(
                    "The field 'Items' must be an ARRAY or a JSONata expression but was {}",
                    type_name(v)
                ),
            );
            None
        }
        None => Some(None),
    };
    let item_selector = item_selector(cx, o, ql);
    let max_concurrency = count(cx, o, "MaxConcurrency", "MaxConcurrencyPath", ql, MAX_COUNT);
    let tolerated_failure_count = count(
        cx,
        o,
        "ToleratedFailureCount",
        "ToleratedFailureCountPath",
        ql,
        MAX_COUNT,
    );
    let tolerated_failure_percentage = percentage(cx, o, ql);
    let item_reader = match o.get("ItemReader") {
        Some(v) => item_reader(cx, v, &o.at("ItemReader"), ql).map(Some),
        None => Some(None),
    };
    let item_batcher = match o.get("ItemBatcher") {
        Some(v) => item_batcher(cx, v, &o.at("ItemBatcher"), ql).map(Some),
        None => Some(None),
    };
    let result_writer = match o.get("ResultWriter") {
        Some(v) => result_writer(cx, v, &o.at("ResultWriter"), ql).map(Some),
        None => Some(None),
    };
    let label = match values::opt_plain_str(cx, o, "Label", ql) {
        Some(l) => label(cx, &o.at("Label"), l).map(Some),
        None => Some(None),
    };
    let retry = parse_retry(cx, o, ql);
    let catch = parse_catch(cx, o, ql, targets);
    if cx.error_count() != before {
        return None;
    }
    Some(MapState {
        processor: processor?,
        mode: mode?,
        items_path: items_path?,
        items: items?,
        item_selector: item_selector?,
        max_concurrency: max_concurrency?,
        tolerated_failure_count: tolerated_failure_count?,
        tolerated_failure_percentage: tolerated_failure_percentage?,
        item_reader: item_reader?,
        item_batcher: item_batcher?,
        result_writer: result_writer?,
        label: label?,
        retry: retry?,
        catch: catch?,
    })
}

fn processor(
    cx: &mut Ctx<'_>,
    o: Obj<'_>,
    ql: QueryLanguage,
) -> (Option<crate::definition::machine::Scope>, Option<MapMode>) {
    if values::exclusive(cx, o, "ItemProcessor", "Iterator") {
        return (None, None);
    }
    // The legacy `Iterator` takes the same shape (AWS accepts a ProcessorConfig in it).
    let key = if o.has("Iterator") {
        "Iterator"
    } else {
        "ItemProcessor"
    };
    let Some(v) = o.get(key) else {
        values::missing(cx, o.ptr, "ItemProcessor");
        return (None, None);
    };
    let ptr = o.at(key);
    let mode = match v.get("ProcessorConfig") {
        None => Some(MapMode::Inline),
        Some(Value::Object(map)) => {
            let pptr = super::pointer::join(&ptr, "ProcessorConfig");
            let pc = Obj { map, ptr: &pptr };
            check_keys(cx, pc, &["Mode", "ExecutionType"]);
            let mode = values::opt_enum(cx, pc, "Mode", &["INLINE", "DISTRIBUTED"]);
            let exec = values::opt_enum(cx, pc, "ExecutionType", &["STANDARD", "EXPRESS"]);
            match (mode, exec) {
                (Some("DISTRIBUTED"), Some(e)) => Some(MapMode::Distributed {
                    execution_type: if e == "EXPRESS" {
                        MachineType::Express
                    } else {
                        MachineType::Standard
                    },
                }),
                (Some("DISTRIBUTED"), None) => {
                    if !pc.has("ExecutionType") {
                        values::missing(cx, &pptr, "ExecutionType");
                    }
                    None
                }
                (None, _) if pc.has("Mode") => None,
                (_, None) if pc.has("ExecutionType") => None,
                _ => Some(MapMode::Inline),
            }
        }
        Some(other) => {
            values::wrong_type(
                cx,
                &super::pointer::join(&ptr, "ProcessorConfig"),
                "ProcessorConfig",
                "OBJECT",
                other,
            );
            None
        }
    };
    let scope = parse_nested(cx, v, &ptr, ql, ScopeKind::Processor);
    (scope, mode)
}

fn item_selector(cx: &mut Ctx<'_>, o: Obj<'_>, ql: QueryLanguage) -> Option<Option<ItemSelector>> {
    if values::exclusive(cx, o, "ItemSelector", "Parameters") {
        return None;
    }
    let (key, v) = match (o.get("ItemSelector"), o.get("Parameters")) {
        (Some(v), _) => ("ItemSelector", v),
        (None, Some(v)) if ql == QueryLanguage::JsonPath => ("Parameters", v),
        _ => return Some(None),
    };
    match ql {
        QueryLanguage::JsonPath => {
            compat::template(cx, &o.at(key), v).map(|t| Some(ItemSelector::JsonPath(t)))
        }
        QueryLanguage::Jsonata => {
            values::jsonata_value(cx, &o.at(key), v).map(|j| Some(ItemSelector::Jsonata(j)))
        }
    }
}

/// A whole-number field `key` (literal or JSONata) or its `…Path` (JSONPath).
fn count(
    cx: &mut Ctx<'_>,
    o: Obj<'_>,
    key: &str,
    path_key: &str,
    ql: QueryLanguage,
    max: u64,
) -> Option<Option<Count>> {
    if values::exclusive(cx, o, key, path_key) {
        return None;
    }
    if let Some(v) = o.get(key) {
        let ptr = o.at(key);
        return match values::literal_or_expr(cx, &ptr, v, ql)? {
            Err(e) => Some(Some(Count::Jsonata(e))),
            Ok(v) => values::int_value(cx, &ptr, key, v, 0, max).map(|n| Some(Count::Literal(n))),
        };
    }
    if ql == QueryLanguage::JsonPath && o.has(path_key) {
        let s = values::opt_str(cx, o, path_key)?;
        return compat::reference(cx, &o.at(path_key), path_key, s).map(|p| Some(Count::Path(p)));
    }
    Some(None)
}

fn percentage(cx: &mut Ctx<'_>, o: Obj<'_>, ql: QueryLanguage) -> Option<Option<Percentage>> {
    let (key, path_key) = (
        "ToleratedFailurePercentage",
        "ToleratedFailurePercentagePath",
    );
    if values::exclusive(cx, o, key, path_key) {
        return None;
    }
    if let Some(v) = o.get(key) {
        let ptr = o.at(key);
        return match values::literal_or_expr(cx, &ptr, v, ql)? {
            Err(e) => Some(Some(Percentage::Jsonata(e))),
            Ok(_) => {
                values::opt_number(cx, o, key, 0.0, 100.0).map(|f| Some(Percentage::Literal(f)))
            }
        };
    }
    if ql == QueryLanguage::JsonPath && o.has(path_key) {
        let s = values::opt_str(cx, o, path_key)?;
        return compat::reference(cx, &o.at(path_key), path_key, s)
            .map(|p| Some(Percentage::Path(p)));
    }
    Some(None)
}

/// `Label`: 1–40 characters, none of the characters AWS forbids.
fn label(cx: &mut Ctx<'_>, ptr: &str, l: &str) -> Option<Arc<str>> {
    let len = l.chars().count();
    if len == 0 || len > MAX_LABEL {
        cx.error(
            ptr,
            format!("The field 'Label' must be 1 to {MAX_LABEL} characters long, but has {len}"),
        );
        return None;
    }
    const FORBIDDEN: &str = "?*<>{}[]:;,\\|^~$#%&\"`";
    if let Some(bad) = l.chars().find(|&c| {
        c.is_whitespace()
            || FORBIDDEN.contains(c)
            || (c as u32) <= 0x1f
            || (0x7f..=0x9f).contains(&(c as u32))
    }) {
        cx.error(
            ptr,
            format!(
                "The field 'Label' contains a forbidden character {bad:?}: whitespace, control characters and {FORBIDDEN} are not allowed"
            ),
        );
        return None;
    }
    Some(Arc::from(l))
}

fn as_obj<'a>(cx: &mut Ctx<'_>, v: &'a Value, ptr: &'a str, field: &str) -> Option<Obj<'a>> {
    match v {
        Value::Object(map) => Some(Obj { map, ptr }),
        _ => {
            values::wrong_type(cx, ptr, field, "OBJECT", v);
            None
        }
    }
}

fn item_reader(cx: &mut Ctx<'_>, v: &Value, ptr: &str, ql: QueryLanguage) -> Option<ItemReader> {
    let o = as_obj(cx, v, ptr, "ItemReader")?;
    let before = cx.error_count();
    let lang = match ql {
        QueryLanguage::JsonPath => "Parameters",
        QueryLanguage::Jsonata => "Arguments",
    };
    check_keys(cx, o, &["Resource", "ReaderConfig", lang]);
    if !o.has("Resource") {
        values::missing(cx, ptr, "Resource");
    }
    let resource = values::opt_plain_str(cx, o, "Resource", ql);
    let parameters = match (ql, o.get("Parameters")) {
        (QueryLanguage::JsonPath, Some(p)) => compat::template(cx, &o.at("Parameters"), p),
        _ => None,
    };
    let arguments = match (ql, o.get("Arguments")) {
        (QueryLanguage::Jsonata, Some(a)) => io::arguments(cx, &o.at("Arguments"), a),
        _ => None,
    };
    let mut reader_config = ReaderConfig::default();
    if let Some(rc) = o.get("ReaderConfig") {
        let rptr = o.at("ReaderConfig");
        if let Some(r) = as_obj(cx, rc, &rptr, "ReaderConfig") {
            let mut allowed = vec![
                "InputType",
                "CSVHeaderLocation",
                "CSVHeaders",
                "CSVDelimiter",
                "MaxItems",
                "ManifestType",
                "ItemsPointer",
            ];
            if ql == QueryLanguage::JsonPath {
                allowed.push("MaxItemsPath");
            }
            check_keys(cx, r, &allowed);
            let s = |x: Option<&str>| x.map(Arc::from);
            reader_config.input_type = s(values::opt_enum(
                cx,
                r,
                "InputType",
                &["CSV", "JSON", "JSONL", "PARQUET", "MANIFEST"],
            ));
            reader_config.csv_header_location = s(values::opt_enum(
                cx,
                r,
                "CSVHeaderLocation",
                &["FIRST_ROW", "GIVEN"],
            ));
            reader_config.csv_delimiter = s(values::opt_enum(
                cx,
                r,
                "CSVDelimiter",
                &["COMMA", "PIPE", "SEMICOLON", "SPACE", "TAB"],
            ));
            if let Some(headers) = values::opt_array(cx, r, "CSVHeaders") {
                for (i, h) in headers.iter().enumerate() {
                    match h.as_str() {
                        Some(h) => reader_config.csv_headers.push(Arc::from(h)),
                        None => values::wrong_type(
                            cx,
                            &super::pointer::join(&r.at("CSVHeaders"), &i.to_string()),
                            "CSVHeaders",
                            "STRING",
                            h,
                        ),
                    }
                }
            }
            if reader_config.csv_header_location.as_deref() == Some("GIVEN")
                && reader_config.csv_headers.is_empty()
            {
                cx.error(
                    &rptr,
                    "'CSVHeaders' must be a non-empty array when 'CSVHeaderLocation' is GIVEN",
                );
            }
            reader_config.max_items =
                count(cx, r, "MaxItems", "MaxItemsPath", ql, 100_000_000).flatten();
        }
    }
    if cx.error_count() != before {
        return None;
    }
    Some(ItemReader {
        resource: Arc::from(resource?),
        parameters,
        arguments,
        reader_config,
    })
}

fn item_batcher(cx: &mut Ctx<'_>, v: &Value, ptr: &str, ql: QueryLanguage) -> Option<ItemBatcher> {
    let o = as_obj(cx, v, ptr, "ItemBatcher")?;
    let before = cx.error_count();
    let mut allowed = vec!["MaxItemsPerBatch", "MaxInputBytesPerBatch", "BatchInput"];
    if ql == QueryLanguage::JsonPath {
        allowed.extend(["MaxItemsPerBatchPath", "MaxInputBytesPerBatchPath"]);
    }
    check_keys(cx, o, &allowed);
    let max_items_per_batch = count(
        cx,
        o,
        "MaxItemsPerBatch",
        "MaxItemsPerBatchPath",
        ql,
        MAX_COUNT,
    );
    let max_input_bytes_per_batch = count(
        cx,
        o,
        "MaxInputBytesPerBatch",
        "MaxInputBytesPerBatchPath",
        ql,
        262_144,
    );
    let batch_input = match o.get("BatchInput") {
        Some(b) => compat::template(cx, &o.at("BatchInput"), b),
        None => None,
    };
    if cx.error_count() != before {
        return None;
    }
    Some(ItemBatcher {
        max_items_per_batch: max_items_per_batch?,
        max_input_bytes_per_batch: max_input_bytes_per_batch?,
        batch_input,
    })
}

fn result_writer(
    cx: &mut Ctx<'_>,
    v: &Value,
    ptr: &str,
    ql: QueryLanguage,
) -> Option<crate::value::Val> {
    let o = as_obj(cx, v, ptr, "ResultWriter")?;
    let before = cx.error_count();
    let lang = match ql {
        QueryLanguage::JsonPath => "Parameters",
        QueryLanguage::Jsonata => "Arguments",
    };
    check_keys(cx, o, &["Resource", "WriterConfig", lang]);
    values::opt_plain_str(cx, o, "Resource", ql);
    if let Some(p) = o
        .get("Parameters")
        .filter(|_| ql == QueryLanguage::JsonPath)
    {
        compat::template(cx, &o.at("Parameters"), p);
    }
    if let Some(a) = o.get("Arguments").filter(|_| ql == QueryLanguage::Jsonata) {
        io::arguments(cx, &o.at("Arguments"), a);
    }
    if let Some(wc) = o.get("WriterConfig") {
        let wptr = o.at("WriterConfig");
        if let Some(w) = as_obj(cx, wc, &wptr, "WriterConfig") {
            check_keys(cx, w, &["OutputType", "Transformation"]);
            values::opt_enum(cx, w, "OutputType", &["JSON", "JSONL"]);
            values::opt_enum(cx, w, "Transformation", &["NONE", "COMPACT", "FLATTEN"]);
        }
    }
    (cx.error_count() == before).then(|| v.into())
}
