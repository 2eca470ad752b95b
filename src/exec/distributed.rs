//! DISTRIBUTED Map runs: each item (or batch) runs the processor as a child
//! execution with its own context object and no access to outer variables; the
//! parent history records only `MapRunStarted` and `MapRunSucceeded`/`MapRunFailed`.
//!
//! Items come from the state input (ItemsPath) or from an `ItemReader`, which is a
//! resolver call to the reader's resource (e.g. `arn:aws:states:::s3:getObject`):
//! the resolver returns either the items (an array) or the object's text, which is
//! parsed per `ReaderConfig.InputType` (JSON, JSONL, CSV).

use super::concurrent::{abort_in_order, Indexed};
use super::engine::{error_name, run_scope, Failure, Identity, Run, StateCx};
use super::history::{EventDetails, EventType, HistoryLevel};
use super::io;
use super::map::{self, Attempt};
use super::recorder::{Chain, Recorder};
use super::resolver::TaskRequest;
use super::vars::Vars;
use crate::data::context::{ContextObject, ExecutionContext};
use crate::definition::map::{Count, ItemBatcher, ItemReader, MapState};
use crate::definition::task::ResourceKind;
use crate::error::{names, StatesError};
use crate::value::{Map, Val};
use futures::stream::FuturesUnordered;
use futures::{FutureExt, StreamExt};
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

/// Runs a distributed Map once.
pub(crate) async fn run(
    cx: &StateCx<'_>,
    m: &MapState,
    input: &Val,
    ctx: &ContextObject,
) -> Result<Val, Attempt> {
    let run = cx.run;
    let direct = match &m.item_reader {
        None => Some(map::items(cx, m, input, ctx).map_err(map::evaluation_failed)?),
        Some(_) => None,
    };
    let limit = map::max_concurrency(cx, m, input, ctx)?;
    cx.record(
        EventType::MapStateStarted,
        EventDetails::MapStateStarted {
            length: direct.as_ref().map_or(0, Vec::len),
        },
    );
    let tolerance = map::tolerance(cx, m, input, ctx)?;
    let label: Arc<str> = match &m.label {
        Some(l) => l.clone(),
        None => Arc::from(short_id(run)),
    };
    let map_run_arn: Arc<str> = Arc::from(format!(
        "arn:aws:states:{}:{}:mapRun:{}/{}:{}",
        run.identity.region,
        run.identity.account,
        run.identity.state_machine_name,
        label,
        run.random.uuid_v4()
    ));
    cx.record(
        EventType::MapRunStarted,
        EventDetails::MapRunStarted {
            map_run_arn: map_run_arn.clone(),
        },
    );
    let run_failed = |f: Failure| -> Attempt {
        cx.record(
            EventType::MapRunFailed,
            EventDetails::Error {
                error: error_name(&f.error),
                cause: f.error.cause.clone(),
            },
        );
        Attempt::Failed(f)
    };

    let items = match direct {
        Some(items) => items,
        None => match &m.item_reader {
            Some(reader) => match read_items(cx, reader, input, ctx).await {
                Ok(items) => items,
                Err(Read::Fatal(f)) => return Err(Attempt::Fatal(f)),
                Err(Read::Failed(f)) => return Err(run_failed(f)),
            },
            None => Vec::new(),
        },
    };
    let mut inputs = Vec::with_capacity(items.len());
    let mut item_ctx = None;
    for (i, item) in items.into_iter().enumerate() {
        inputs.push(map::item_input(cx, m, input, ctx, &mut item_ctx, i, item)?);
    }
    let inputs = match &m.item_batcher {
        Some(b) => batch(cx, b, inputs, input, ctx)?,
        None => inputs,
    };

    let total = inputs.len();
    let mut results = vec![Val::Null; total];
    let mut pending = inputs.into_iter().enumerate();
    let mut set = FuturesUnordered::new();
    let mut failed = 0usize;
    let child = |index: usize, child_input: Val| {
        let label = label.clone();
        async move {
            let child = child_run(run, &label, index, &child_input);
            let chain = Chain::new(0);
            let mut vars = Vars::root();
            run_scope(&child, &m.processor, child_input, &mut vars, &chain, false).await
        }
    };
    loop {
        while set.len() < limit {
            match pending.next() {
                Some((i, v)) => set.push(Indexed::new(i, child(i, v))),
                None => break,
            }
        }
        let Some((i, r)) = set.next().await else {
            break;
        };
        match r {
            Ok(v) => {
                if let Some(slot) = results.get_mut(i) {
                    *slot = v;
                }
            }
            Err(f) => {
                failed += 1;
                if tolerance.exceeded(failed, total) {
                    abort_in_order(set);
                    return Err(run_failed(map::threshold_exceeded()));
                }
                if let Some(slot) = results.get_mut(i) {
                    *slot = f.error_output();
                }
            }
        }
    }
    cx.record(EventType::MapRunSucceeded, EventDetails::None);
    Ok(Val::array(results))
}

fn short_id(run: &Run) -> String {
    run.random.uuid_v4().chars().take(8).collect()
}

/// A child execution: its own names, context object and (unrecorded) history; the
/// parent's resolver, clock, randomness and control (stopping the parent stops it).
fn child_run(parent: &Run, label: &str, index: usize, input: &Val) -> Run {
    let id = &parent.identity;
    let name = format!("{}-{index}", parent.random.uuid_v4());
    let sm_name = format!("{}/{label}", id.state_machine_name);
    let exec_arn = format!(
        "arn:aws:states:{}:{}:execution:{}:{}",
        id.region, id.account, sm_name, name
    );
    let sm_arn = format!("{}/{label}", id.state_machine_arn);
    let ctx = ExecutionContext {
        id: exec_arn.clone(),
        name: name.clone(),
        input: input.clone(),
        role_arn: id.role_arn.to_string(),
        start_millis: parent.clock.now_millis(),
        redrive_count: 0,
        state_machine_id: sm_arn.clone(),
        state_machine_name: sm_name.clone(),
    };
    Run {
        resolver: parent.resolver.clone(),
        clock: parent.clock.clone(),
        random: parent.random.clone(),
        limits: parent.limits,
        identity: Identity {
            region: id.region.clone(),
            account: id.account.clone(),
            role_arn: id.role_arn.clone(),
            state_machine_name: Arc::from(sm_name),
            state_machine_arn: Arc::from(sm_arn),
        },
        execution_val: ctx.execution_val(),
        state_machine_val: ctx.state_machine_val(),
        recorder: Arc::new(Recorder::new(HistoryLevel::None, parent.clock.clone())),
        control: parent.control.clone(),
        idle_yields: parent.idle_yields,
        retry_intervals: parent.retry_intervals.clone(),
        worker_name: parent.worker_name.clone(),
    }
}

/// How reading items failed.
enum Read {
    /// `States.Runtime` (a bad `MaxItemsPath`): no `MapRunFailed`.
    Fatal(Failure),
    /// `States.ItemReaderFailed`.
    Failed(Failure),
}

fn reader_failed(cause: impl Into<String>) -> Read {
    Read::Failed(Failure::new(StatesError::new(
        names::ITEM_READER_FAILED,
        cause,
    )))
}

/// Reads the items through the resolver and the ReaderConfig.
async fn read_items(
    cx: &StateCx<'_>,
    reader: &ItemReader,
    input: &Val,
    ctx: &ContextObject,
) -> Result<Vec<Val>, Read> {
    let run = cx.run;
    let params = match (&reader.parameters, &reader.arguments) {
        (Some(t), _) => io::template(cx, t, input, ctx).map_err(Read::Fatal)?,
        (None, Some(j)) => {
            super::jsonata::eval(cx, j, "Arguments", super::jsonata::States::new(input, ctx))
                .map_err(Read::Fatal)?
        }
        (None, None) => Val::empty_object(),
    };
    let max_items = match &reader.reader_config.max_items {
        None => None,
        Some(Count::Literal(n)) => Some(*n),
        Some(Count::Path(p)) => {
            let v = io::eval_path(cx, p, input, ctx).map_err(Read::Fatal)?;
            match map::integer(&v) {
                Some(n) if n < 0 => return Err(reader_failed("field MaxItems must be positive")),
                Some(n) => Some(n as u64),
                None => {
                    return Err(Read::Fatal(cx.runtime(format!(
                        "The MaxItemsPath field refers to value \"{}\" which is not a valid integer: {}",
                        io::shown(&v),
                        p.text()
                    ))))
                }
            }
        }
        Some(Count::Jsonata(j)) => {
            let v =
                super::jsonata::eval(cx, j, "MaxItems", super::jsonata::States::new(input, ctx))
                    .map_err(Read::Fatal)?;
            match map::integer(&v) {
                Some(n) if n >= 0 => Some(n as u64),
                _ => return Err(reader_failed("field MaxItems must be positive")),
            }
        }
    };
    let request = TaskRequest::new(
        reader.resource.clone(),
        ResourceKind::Custom,
        cx.state.name.clone(),
        params,
        ctx.to_val().into(),
    );
    let resolver = run.resolver.clone();
    let call = std::panic::catch_unwind(AssertUnwindSafe(|| resolver.invoke(request)));
    let body = match call {
        Ok(fut) => match AssertUnwindSafe(fut).catch_unwind().await {
            Ok(Ok(v)) => v,
            Ok(Err(e)) => {
                return Err(reader_failed(
                    e.cause.unwrap_or_else(|| e.error.into_owned()),
                ));
            }
            Err(_) => return Err(reader_failed("The item reader panicked.")),
        },
        Err(_) => return Err(reader_failed("The item reader panicked.")),
    };
    let config = &reader.reader_config;
    let input_type = config.input_type.as_deref().unwrap_or("");
    let mut items = match (&body, input_type) {
        (Val::Array(a), _) => a.items().to_vec(),
        (Val::String(text), "CSV") => csv_items(text, config)?,
        (Val::String(text), "JSONL") => {
            let mut out = Vec::new();
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                match Val::from_json_str(line) {
                    Ok(v) => out.push(v),
                    Err(e) => return Err(reader_failed(format!("Invalid JSON line: {e}"))),
                }
            }
            out
        }
        (Val::String(text), _) => match Val::from_json_str(text) {
            Ok(Val::Array(a)) => a.items().to_vec(),
            Ok(_) => return Err(reader_failed("Attempting to map over non-iterable node.")),
            Err(e) => return Err(reader_failed(format!("Invalid JSON: {e}"))),
        },
        _ => return Err(reader_failed("Attempting to map over non-iterable node.")),
    };
    if let Some(max) = max_items.filter(|m| *m > 0) {
        items.truncate(usize::try_from(max).unwrap_or(usize::MAX));
    }
    Ok(items)
}

/// Splits one CSV record (RFC 4180 quoting).
fn csv_record(line: &str, delimiter: char) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    field.push('"');
                    chars.next();
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
        } else if c == '"' && field.is_empty() {
            quoted = true;
        } else if c == delimiter {
            fields.push(std::mem::take(&mut field));
        } else {
            field.push(c);
        }
    }
    fields.push(field);
    fields
}

/// CSV rows as objects of strings keyed by header; short rows are padded with `""`,
/// extra fields dropped.
fn csv_items(text: &str, config: &crate::definition::map::ReaderConfig) -> Result<Vec<Val>, Read> {
    let delimiter = match config.csv_delimiter.as_deref() {
        Some("PIPE") => '|',
        Some("SEMICOLON") => ';',
        Some("SPACE") => ' ',
        Some("TAB") => '\t',
        _ => ',',
    };
    let mut lines = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect::<Vec<_>>();
    if lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    let mut rows = lines.into_iter();
    let headers: Vec<String> = if config.csv_header_location.as_deref() == Some("GIVEN") {
        config.csv_headers.iter().map(|h| h.to_string()).collect()
    } else {
        match rows.next() {
            Some(first) => csv_record(first, delimiter),
            None => return Ok(Vec::new()),
        }
    };
    let mut seen = std::collections::HashSet::new();
    if !headers.iter().all(|h| seen.insert(h.as_str())) {
        return Err(reader_failed("CSV headers cannot contain duplicates."));
    }
    let mut items = Vec::new();
    for line in rows {
        let fields = csv_record(line, delimiter);
        let mut obj = Map::with_capacity(headers.len());
        for (i, h) in headers.iter().enumerate() {
            let v = fields.get(i).cloned().unwrap_or_default();
            obj.insert(Arc::from(h.as_str()), Val::string(v));
        }
        items.push(Val::object(obj));
    }
    Ok(items)
}

/// Groups the item inputs into `{"Items": [...], "BatchInput": ...}` batches.
fn batch(
    cx: &StateCx<'_>,
    b: &ItemBatcher,
    inputs: Vec<Val>,
    input: &Val,
    ctx: &ContextObject,
) -> Result<Vec<Val>, Failure> {
    // An absent or zero limit is no limit.
    let limit = |c: Option<&Count>, field: &str| -> Result<usize, Failure> {
        Ok(map::count(cx, c, field, input, ctx)?
            .filter(|n| *n > 0)
            .map_or(usize::MAX, |n| usize::try_from(n).unwrap_or(usize::MAX)))
    };
    let max_items = limit(b.max_items_per_batch.as_ref(), "MaxItemsPerBatch")?;
    let max_bytes = limit(
        b.max_input_bytes_per_batch.as_ref(),
        "MaxInputBytesPerBatch",
    )?;
    let batch_input = match &b.batch_input {
        Some(t) => Some(io::template(cx, t, input, ctx)?),
        None => None,
    };
    let wrap = |items: Vec<Val>| {
        let mut m = Map::with_capacity(2);
        m.insert(Arc::from("Items"), Val::array(items));
        if let Some(bi) = &batch_input {
            m.insert(Arc::from("BatchInput"), bi.clone());
        }
        Val::object(m)
    };
    let mut batches = Vec::new();
    let mut current: Vec<Val> = Vec::new();
    let mut bytes = 0usize;
    for item in inputs {
        let len = item.json_len() + 1;
        if !current.is_empty() && (current.len() >= max_items || bytes + len > max_bytes) {
            batches.push(wrap(std::mem::take(&mut current)));
            bytes = 0;
        }
        bytes += len;
        current.push(item);
    }
    if !current.is_empty() {
        batches.push(wrap(current));
    }
    Ok(batches)
}

#[cfg(test)]
mod tests {
    use super::csv_record;

    #[test]
    fn csv_records_split_and_unquote() {
        assert_eq!(csv_record("a,b,,c", ','), ["a", "b", "", "c"]);
        assert_eq!(
            csv_record("\"x,y\",\"he said \"\"hi\"\"\"", ','),
            ["x,y", "he said \"hi\""]
        );
        assert_eq!(csv_record("   ", ','), ["   "]);
    }
}
