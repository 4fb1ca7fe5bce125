//! The `aftercare` command line: parse, load config, call into the library.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use aftercare::Application;
use aftercare::config::{Config, Flags, process_env};
use aftercare::ids::StoreId;
use aftercare::startup;
use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(
    name = "aftercare",
    version = aftercare::version::LONG,
    about = "Post-purchase support sidecar for WooCommerce"
)]
struct Cli {
    /// Where the database, secrets and documents live.
    #[arg(long, global = true, env = "AFTERCARE_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// A TOML config file (see README: Configuration).
    #[arg(long, global = true, env = "AFTERCARE_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Receive WooCommerce webhooks and serve the API.
    Serve {
        /// Address to listen on [default: 127.0.0.1:8787]
        #[arg(long, env = "AFTERCARE_LISTEN")]
        listen: Option<SocketAddr>,
    },
    /// Copy the store's orders from the WooCommerce REST API into the mirror (resumable).
    Backfill {
        /// Store id [default: default]
        #[arg(long)]
        store: Option<String>,
        /// Only orders modified since this date (2026-01-31) or time (2026-01-31T12:00:00Z)
        #[arg(long, value_parser = aftercare::sync::parse_since)]
        since: Option<jiff::Timestamp>,
    },
    /// Create or repair the store's four order webhooks through the WooCommerce REST API.
    Connect {
        /// Store id [default: default]
        #[arg(long)]
        store: Option<String>,
        /// Where WooCommerce reaches aftercare [default: AFTERCARE_PUBLIC_URL]
        #[arg(long)]
        public_url: Option<String>,
    },
    /// Invoices and credit notes.
    Invoices {
        #[command(subcommand)]
        command: InvoicesCommand,
    },
    /// Copy the database (a consistent snapshot, taken while serving), the documents,
    /// photos and secrets into one file with a manifest of checksums.
    Backup {
        /// The backup file to write; it must not exist.
        #[arg(long)]
        out: PathBuf,
    },
    /// Unpack a backup into `--data-dir`, which must be new or empty, checking every file.
    Restore {
        /// The backup file.
        #[arg(long)]
        from: PathBuf,
    },
    /// Look at the configuration, the data dir, the database, the fonts, WooCommerce, the
    /// mail server, the tracking providers and the clock; say what is wrong and how to fix
    /// it. Changes nothing; exits 1 when something must be fixed.
    Doctor,
}

#[derive(Subcommand)]
enum InvoicesCommand {
    /// Prove every number sequence has no gaps or duplicates and every archived PDF is
    /// intact; exits 1 on any problem.
    Audit,
    /// Write the PDFs issued between two dates (inclusive, shop time zone) into a ZIP
    /// with a CSV manifest.
    Export {
        /// First issue date, e.g. 2026-01-01.
        #[arg(long)]
        from: jiff::civil::Date,
        /// Last issue date, e.g. 2026-12-31.
        #[arg(long)]
        to: jiff::civil::Date,
        /// The ZIP file to write.
        #[arg(long)]
        out: PathBuf,
        /// Only this store's documents.
        #[arg(long)]
        store: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("start the async runtime");
    let flags = |listen| Flags {
        listen,
        data_dir: cli.data_dir.clone(),
        config: cli.config.clone(),
    };
    let result = match cli.command {
        Command::Serve { listen } => runtime.block_on(serve(flags(listen))),
        Command::Backfill { store, since } => runtime.block_on(async {
            let config = startup::load(&flags(None), &process_env)?;
            aftercare::cli::sync::backfill_command(config, store, since).await
        }),
        Command::Connect { store, public_url } => runtime.block_on(async {
            let config = startup::load(&flags(None), &process_env)?;
            aftercare::cli::sync::connect_command(config, store, public_url).await
        }),
        Command::Invoices { command } => invoices(flags(None), command),
        Command::Backup { out } => backup(flags(None), &out),
        Command::Restore { from } => restore(cli.data_dir.as_deref(), &from),
        Command::Doctor => runtime.block_on(async {
            let report = aftercare::doctor::examine(&flags(None), &process_env).await;
            print!("{}", report.render());
            if report.count(aftercare::doctor::Level::Fail) > 0 {
                Err(Failed.into())
            } else {
                Ok(())
            }
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.is::<Failed>() => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("aftercare: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// A command that ran and reported its own failure (nothing more to print).
#[derive(Debug, thiserror::Error)]
#[error("the command reported a failure")]
struct Failed;

fn invoices(flags: Flags, command: InvoicesCommand) -> anyhow::Result<()> {
    let config = startup::load(&flags, &process_env)?;
    let sources = aftercare::invoice::cli::Sources {
        database: config.database_path(),
        data_dir: &config.data_dir,
        zones: aftercare::shop::timezone::Zones::new(config.timezones.clone()),
        store_ids: config.stores.iter().map(|s| s.id.as_str()).collect(),
    };
    match command {
        InvoicesCommand::Audit => {
            if aftercare::invoice::cli::audit(&sources)? {
                Ok(())
            } else {
                Err(Failed.into())
            }
        }
        InvoicesCommand::Export {
            from,
            to,
            out,
            store,
        } => aftercare::invoice::cli::export(
            &sources,
            aftercare::invoice::cli::ExportArgs {
                from,
                to,
                out,
                store,
            },
        ),
    }
}

fn backup(flags: Flags, out: &std::path::Path) -> anyhow::Result<()> {
    let config = startup::load(&flags, &process_env)?;
    let summary = aftercare::backup::create(&config.data_dir, &config.database_path(), out)?;
    println!(
        "Backed up {} file(s), {} bytes, to {}",
        summary.files,
        summary.bytes,
        out.display()
    );
    Ok(())
}

fn restore(data_dir: Option<&std::path::Path>, from: &std::path::Path) -> anyhow::Result<()> {
    let Some(data_dir) = data_dir else {
        anyhow::bail!("say where to restore with --data-dir (a new or empty directory)");
    };
    let summary = aftercare::backup::restore(from, data_dir)?;
    println!(
        "Restored {} file(s), {} bytes, into {}; every checksum matches.",
        summary.files,
        summary.bytes,
        data_dir.display()
    );
    Ok(())
}

async fn serve(flags: Flags) -> anyhow::Result<()> {
    let config = startup::load(&flags, &process_env)?;
    let app = Application::build(config).await?;
    print_banner(app.state().config(), app.local_addr());
    let socket = app.socket()?;
    let (mut stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let mut running = tokio::spawn(app.run_until_stopped(async {
        let _ = stopped.await;
    }));
    let mut hangup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())?;
    let mut terminate = std::pin::pin!(shutdown_signal());
    loop {
        tokio::select! {
            () = &mut terminate => break,
            _ = hangup.recv() => {
                // A reload: the new configuration's application takes over the socket; the old
                // one finishes what it accepted; its background work ends before the new one's
                // starts. A configuration that does not load changes nothing.
                let next = match startup::load(&flags, &process_env) {
                    Ok(config) => Application::build_on(config, socket.try_clone()?).await,
                    Err(e) => Err(e.into()),
                };
                let next = match next {
                    Ok(next) => next,
                    Err(e) => {
                        tracing::error!("the reloaded configuration is refused, the running one stays: {e:#}");
                        continue;
                    }
                };
                let stores = next.state().config().stores.len();
                let (next_stop, next_stopped) = tokio::sync::oneshot::channel::<()>();
                let (previous_done, previous_waited) = tokio::sync::oneshot::channel::<()>();
                let next_running = tokio::spawn(next.run_until_stopped_after(
                    async {
                        let _ = next_stopped.await;
                    },
                    async {
                        let _ = previous_waited.await;
                    },
                ));
                let _ = std::mem::replace(&mut stop, next_stop).send(());
                let previous = std::mem::replace(&mut running, next_running);
                tokio::spawn(async move {
                    match previous.await {
                        Ok(Ok(())) => {}
                        Ok(Err(e)) => tracing::error!("the previous configuration stopped with an error: {e:#}"),
                        Err(e) => tracing::error!("the previous configuration's task failed: {e}"),
                    }
                    let _ = previous_done.send(());
                });
                tracing::info!(stores, "configuration reloaded");
            }
        }
    }
    // Closed now: new connections are refused rather than left waiting in the backlog.
    drop(socket);
    let _ = stop.send(());
    running.await??;
    tracing::info!("stopped cleanly");
    Ok(())
}

/// What a newcomer needs to connect WooCommerce; secrets stay in their file.
fn print_banner(config: &Config, addr: SocketAddr) {
    println!("aftercare is listening on http://{addr}");
    println!("Data directory: {}", config.data_dir.display());
    for store in &config.stores {
        println!(
            "Store `{}`: paste this delivery URL into WooCommerce > Settings > Advanced > Webhooks:\n  {}",
            store.id,
            aftercare::webhook::url::url(&config.base_url(), &store.id)
        );
    }
    if let Some(secrets) = &config.generated_secrets {
        let what = if secrets.fresh {
            "Generated the"
        } else {
            "Using the generated"
        };
        println!(
            "{what} `{}` store's webhook secret and API key (mode 0600): {}\n  \
             Use webhook_secret as the webhook's Secret and api_key in the WordPress plugin.",
            StoreId::default_store(),
            secrets.path.display()
        );
    }
    if config.public_url.is_none() && addr.ip().is_loopback() {
        println!(
            "Note: WordPress delivers webhooks only to public addresses on ports 80, 443 and 8080. \
             Put aftercare behind a reverse proxy (or use the aftercare plugin) and set AFTERCARE_PUBLIC_URL."
        );
    }
}

fn init_tracing() {
    let filter =
        EnvFilter::try_from_env("AFTERCARE_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colour codes only for a person at a terminal: a file or a log collector gets plain text.
        .with_ansi(std::io::stderr().is_terminal() && process_env("NO_COLOR").is_none());
    if process_env("AFTERCARE_LOG_FORMAT").as_deref() == Some("json") {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
