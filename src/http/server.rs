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
        let store_ids: Vec<&str> = config.stores.iter().map(|s| s.id.as_str()).collect();
        let db = Db::open(&config.database_path(), config.synchronous, &store_ids)?;
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.listen))?;
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
        let state = self.state.clone();
        let (stop_worker, stop) = watch::channel(false);
        let background = tokio::spawn(self.services.run(stop));
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
