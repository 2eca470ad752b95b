//! Running branches and iterations side by side on the current task, with a
//! deterministic order for starting them and for aborting the ones still running.

use futures::stream::FuturesUnordered;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// A future tagged with its position (branch or item index).
pub(crate) struct Indexed<F> {
    pub(crate) index: usize,
    fut: Pin<Box<F>>,
}

impl<F: Future> Indexed<F> {
    pub(crate) fn new(index: usize, fut: F) -> Indexed<F> {
        Indexed {
            index,
            fut: Box::pin(fut),
        }
    }
}

impl<F: Future> Future for Indexed<F> {
    type Output = (usize, F::Output);

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let index = self.index;
        self.fut.as_mut().poll(cx).map(|out| (index, out))
    }
}

/// Polls `fut` once with the current task's context: `Ready` if it completed
/// without suspending. A pending future can then be moved into a
/// `FuturesUnordered`, whose first poll of it registers the set's own waker.
pub(crate) async fn poll_once<F: Future + Unpin>(fut: &mut F) -> Poll<F::Output> {
    futures::future::poll_fn(|cx| Poll::Ready(Pin::new(&mut *fut).poll(cx))).await
}

/// Drops the still-running futures in index order, so their `*Aborted` events are
/// recorded in branch/item order.
pub(crate) fn abort_in_order<F: Future>(set: FuturesUnordered<Indexed<F>>) {
    let mut rest: Vec<Indexed<F>> = set.into_iter().collect();
    rest.sort_by_key(|f| f.index);
    for f in rest {
        drop(f);
    }
}
