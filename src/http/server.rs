//! The process around the routes: binding, the background workers, graceful shutdown.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::sync::watch;

use super::{AppState, accept, app};
use crate::background::Services;
use crate::config::Config;
use crate::invoice::render::{FontSource, PdfRenderer};
use crate::store::Db;

/// A bound, ready-to-run service.
pub struct Application {
    listener: tokio::net::TcpListener,
    state: AppState,
    services: Services,
}

impl Application {
    /// Opens the database and binds the listener (port 0 picks a free port).
    pub async fn build(config: Config) -> anyhow::Result<Application> {
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.listen))?;
        Self::build_on(config, listener.into_std()?).await
    }

    /// [`build`](Self::build) on a listener already bound: a reload takes over the running
    /// service's socket, so that no connection finds the port closed.
    pub async fn build_on(
        config: Config,
        listener: std::net::TcpListener,
    ) -> anyhow::Result<Application> {
        let store_ids: Vec<&str> = config.stores.iter().map(|s| s.id.as_str()).collect();
        let db = Db::open(&config.database_path(), config.synchronous, &store_ids)?;
        listener.set_nonblocking(true)?;
        let listener = tokio::net::TcpListener::from_std(listener)?;
        // With port 0 the system picked one: URLs built from `listen` must use it.
        let mut config = config;
        config.listen = listener.local_addr()?;
        let fonts: Vec<FontSource> = config
            .invoices
            .fallback_fonts
            .iter()
            .map(|(path, face)| FontSource::with_face(path.clone(), *face))
            .collect();
        let renderer = PdfRenderer::new(&fonts)?;
        if renderer.fallbacks().is_empty() {
            tracing::warn!(
                "no CJK fallback font found: Korean, Japanese and Chinese text on invoices will show missing glyphs (install fonts-nanum or set invoices.fallback_fonts)"
            );
        }
        let state = AppState::new(config, db);
        let services = Services::new(
            state.config(),
            state.db().clone(),
            state.zones().clone(),
            state.metrics().clone(),
            Arc::new(renderer),
        );
        services.prepare().await?;
        Ok(Application {
            listener,
            state,
            services,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// Another handle on the listening socket, for the application a reload builds.
    pub fn socket(&self) -> std::io::Result<std::net::TcpListener> {
        use std::os::fd::AsFd as _;
        Ok(self.listener.as_fd().try_clone_to_owned()?.into())
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The background services `run_until_stopped` runs (tests drive the outbox with them).
    pub fn services(&self) -> &Services {
        &self.services
    }

    /// Serves until `shutdown` resolves, lets in-flight requests finish, then closes the
    /// database cleanly.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        self.run_until_stopped_after(shutdown, async {}).await
    }

    /// [`run_until_stopped`](Self::run_until_stopped), its background work held back until
    /// `previous_done`: after a reload the outbox, reconciliation and pollers of the old
    /// configuration finish before the new ones start (two runners would take the same jobs).
    pub async fn run_until_stopped_after(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
        previous_done: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let state = self.state.clone();
        let (stop_worker, stop) = watch::channel(false);
        let services = self.services;
        let background = tokio::spawn(async move {
            previous_done.await;
            services.run(stop).await;
        });
        let served = accept::serve(self.listener, app(self.state), shutdown).await;
        // In-flight requests are done; let the worker finish its job and the reconciler
        // stop between two writes, then close.
        let _ = stop_worker.send(true);
        let _ = background.await;
        state.db().close().await;
        served?;
        Ok(())
    }
}
