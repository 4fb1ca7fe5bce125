//! Accepting connections. Each connection must send a request's headers within
//! [`HEADER_TIMEOUT`] (also between the requests of a kept-alive connection), so slow or
//! idle clients cannot hold connections; at most [`MAX_CONNECTIONS`] are open at once, the
//! rest wait in the kernel's backlog. On shutdown the listener closes, connections just
//! accepted get to send their request, and open connections finish their request in flight.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// How long a client may take to send a request's headers, or stay idle between requests.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections open at once.
pub const MAX_CONNECTIONS: usize = 1024;
/// How long shutdown waits for requests in flight.
const DRAIN: Duration = Duration::from_secs(30);
/// How long shutdown waits for connections accepted but not yet sending their request: a
/// graceful shutdown closes a connection without a request in flight, and these would be
/// closed unanswered (the client's request already on its way). During a reload the next
/// configuration is accepting meanwhile.
const FIRST_REQUEST_GRACE: Duration = Duration::from_secs(2);

pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let graceful = GracefulShutdown::new();
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT)
        .keep_alive(true);
    let mut shutdown = std::pin::pin!(shutdown);
    // Connections that have not sent their first request yet.
    let waiting = Arc::new(AtomicUsize::new(0));
    loop {
        // Wait for a free slot first: over the cap, connections queue in the backlog.
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot.map_err(std::io::Error::other)?,
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: wait instead of spinning.
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let first = FirstRequest::new(&waiting);
        let on_request = first.clone();
        let service = router
            .clone()
            .layer(axum::Extension(ConnectInfo(peer)))
            .map_request(move |req: hyper::Request<Incoming>| {
                on_request.arrived();
                req.map(Body::new)
            });
        let connection =
            builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection ended with an error");
            }
            first.arrived();
            drop(slot);
        });
    }
    drop(listener);
    let grace = tokio::time::Instant::now() + FIRST_REQUEST_GRACE;
    while waiting.load(Ordering::Acquire) > 0 && tokio::time::Instant::now() < grace {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    if tokio::time::timeout(DRAIN, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still in flight after {DRAIN:?}; closing them");
    }
    Ok(())
}

/// Counts a connection among those waiting for their first request until it arrives (or
/// the connection ends first).
#[derive(Clone)]
struct FirstRequest {
    pending: Arc<AtomicBool>,
    waiting: Arc<AtomicUsize>,
}

impl FirstRequest {
    fn new(waiting: &Arc<AtomicUsize>) -> Self {
        waiting.fetch_add(1, Ordering::AcqRel);
        Self {
            pending: Arc::new(AtomicBool::new(true)),
            waiting: waiting.clone(),
        }
    }

    fn arrived(&self) {
        if self.pending.swap(false, Ordering::AcqRel) {
            self.waiting.fetch_sub(1, Ordering::AcqRel);
        }
    }
}
