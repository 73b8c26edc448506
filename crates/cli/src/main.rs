//! The `scorejar` executable: thin subcommands over the library crates.
//!
//! - `serve`: the HTTP API on the configured database (SQLite under `--data-dir` by default);
//! - `accounts create`, `credits add`, `users create`: admin commands on the same database,
//!   safe to run while `serve` runs. Each prints one JSON object on stdout;
//! - `config show`: the effective settings after every layer, secrets redacted.

mod admin;
mod backup;
mod config;
mod models;
mod pipeline;
mod settings;
mod speech;
mod sweeps;

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "scorejar",
    version,
    about = "Contact-center interactions in, transcripts and QA scores out."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Log lines as text for people, or as JSON objects, one a line, for log collectors
    /// [env: SCOREJAR_LOG_FORMAT].
    #[arg(long, global = true, value_enum, env = "SCOREJAR_LOG_FORMAT", default_value_t = LogFormat::Text)]
    log_format: LogFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

/// Options every subcommand shares: where the configuration and the data live.
#[derive(Args, Clone, Debug, Default)]
pub struct Common {
    /// TOML configuration file (keys as in docs/configuration.md).
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    /// Data directory for the embedded database, media and spool files [default: ./data].
    #[arg(long, global = true)]
    pub data_dir: Option<PathBuf>,
    /// Database URL; `postgres://…` selects PostgreSQL [env: DATABASE_URL].
    #[arg(long, global = true)]
    pub database_url: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Role {
    All,
    Api,
    Worker,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP API.
    Serve {
        #[command(flatten)]
        common: Common,
        /// Address to listen on [default: 127.0.0.1:8080].
        #[arg(long)]
        bind: Option<String>,
        /// What this process runs: the API, the background worker, or both.
        #[arg(long, value_enum, default_value_t = Role::All)]
        role: Role,
    },
    /// Run only the background worker (same as `serve --role worker`).
    Worker {
        #[command(flatten)]
        common: Common,
    },
    /// Manage accounts.
    Accounts {
        #[command(subcommand)]
        command: admin::AccountsCommand,
        #[command(flatten)]
        common: Common,
    },
    /// Manage credits.
    Credits {
        #[command(subcommand)]
        command: admin::CreditsCommand,
        #[command(flatten)]
        common: Common,
    },
    /// Manage users (for session login).
    Users {
        #[command(subcommand)]
        command: admin::UsersCommand,
        #[command(flatten)]
        common: Common,
    },
    /// Inspect the configuration.
    Config {
        #[command(subcommand)]
        command: config::ConfigCommand,
        #[command(flatten)]
        common: Common,
    },
    /// Install and list speech models (under <data-dir>/models).
    Models {
        #[command(subcommand)]
        command: models::ModelsCommand,
        #[command(flatten)]
        common: Common,
    },
    /// Copy the embedded SQLite database to a new file while the service runs.
    Backup {
        /// The file to write (must not exist yet).
        #[arg(long)]
        to: std::path::PathBuf,
        #[command(flatten)]
        common: Common,
    },
    /// Put a backup in place of the embedded SQLite database (stop the service first).
    Restore {
        /// A file written by `scorejar backup`.
        #[arg(long)]
        from: std::path::PathBuf,
        #[command(flatten)]
        common: Common,
    },
}

fn init_logging(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("SCOREJAR_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,tower_http=warn,sqlx=warn"));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => logs.init(),
        // Each line one object: time, level, message, fields, and the spans it happened in
        // (a request's `request_id`, a job's id and kind).
        LogFormat::Json => logs
            .json()
            .with_current_span(true)
            .with_span_list(true)
            .init(),
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    init_logging(cli.log_format);
    match cli.command {
        Command::Serve { common, bind, role } => {
            let mut settings = settings::load(&common)?;
            if let Some(bind) = bind {
                settings.bind = bind;
            }
            serve(settings, role).await
        }
        Command::Worker { common } => serve(settings::load(&common)?, Role::Worker).await,
        Command::Accounts { command, common } => {
            admin::accounts(command, settings::load(&common)?).await
        }
        Command::Credits { command, common } => {
            admin::credits(command, settings::load(&common)?).await
        }
        Command::Users { command, common } => admin::users(command, settings::load(&common)?).await,
        Command::Config { command, common } => config::run(command, settings::load(&common)?),
        Command::Models { command, common } => {
            models::run(command, settings::load(&common)?.data_dir).await
        }
        Command::Backup { to, common } => backup::run_backup(&settings::load(&common)?, &to),
        Command::Restore { from, common } => backup::run_restore(&settings::load(&common)?, &from),
    }
}

async fn serve(settings: scorejar_server::config::Settings, role: Role) -> anyhow::Result<()> {
    if role != Role::Worker {
        // Refuse bad JWT settings (an HS256 secret under 32 bytes) before touching anything.
        scorejar_server::auth::jwt::JwtVerifier::from_settings(&settings)?;
    }
    let store = settings::open_store(&settings).await?;
    if role != Role::Worker {
        if let Some(boot) =
            scorejar_server::bootstrap(store.as_ref(), settings.starter_credits).await?
        {
            println!(
                "Created the `default` account ({}) with {} credits.\nIts API token (shown once, keep it):\n\n    {}\n",
                boot.account_id, settings.starter_credits, boot.api_token
            );
        }
    }
    let media = settings::open_media(&settings)?;
    if role != Role::Worker {
        // What processes killed before this one left behind (see sweeps.rs).
        tokio::spawn(sweeps::sweep_at_start(
            store.clone(),
            media.as_ref().clone(),
            settings.data_dir.join("spool"),
        ));
    }
    let shutdown = tokio_util::sync::CancellationToken::new();
    let worker = if role == Role::Api {
        None
    } else {
        let worker = pipeline::build_worker(&settings, store.clone(), media.clone())?;
        Some(tokio::spawn(worker.run(shutdown.clone())))
    };
    if role == Role::Worker {
        shutdown_signal().await;
        shutdown.cancel();
    } else {
        let listener = tokio::net::TcpListener::bind(&settings.bind).await?;
        tracing::info!(bind = %settings.bind, database = store.backend(), ?role, "scorejar listening");
        let state = scorejar_server::AppState::new(store, media, settings)?;
        let stop = shutdown.clone();
        scorejar_server::serve_with_pages(listener, state, scorejar_web::pages(), async move {
            shutdown_signal().await;
            stop.cancel();
        })
        .await?;
    }
    if let Some(worker) = worker {
        shutdown.cancel();
        let _ = worker.await;
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
