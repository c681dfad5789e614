//! `xano-realtime-server`: see `--help` and server/README.md.

use std::io::Write;
use std::process::ExitCode;

use xano_realtime_server::cli::{self, Command, HELP};
use xano_realtime_server::{start, Config, ServerOptions};

fn main() -> ExitCode {
    let args = match cli::parse(std::env::args().skip(1)) {
        Ok(Command::Run(args)) => args,
        Ok(Command::Help) => {
            print!("{HELP}");
            return ExitCode::SUCCESS;
        }
        Ok(Command::Version) => {
            println!("xano-realtime-server {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let config = match &args.config {
        Some(path) => match Config::load(path) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("error: config: {e}");
                return ExitCode::FAILURE;
            }
        },
        None => Config::development(),
    };
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let options = ServerOptions {
        listen: args.listen,
        canonical: args.canonical.clone(),
        config,
        static_dirs: args.static_dirs.clone(),
        admin: args.admin,
        ..ServerOptions::default()
    };
    runtime.block_on(async move {
        let mut server = match start(options).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        };
        {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "listening on {}", server.url());
            let _ = out.flush();
        }
        tracing::info!(
            addr = %server.addr,
            canonical = %args.canonical,
            config = args.config.as_ref().map(|p| p.display().to_string()).unwrap_or_else(|| "development default".to_string()),
            admin = args.admin,
            "listening; websocket endpoint {}",
            server.ws_url()
        );
        tokio::select! {
            r = server.wait() => {
                eprintln!("error: server stopped: {r:?}");
                ExitCode::FAILURE
            }
            _ = xano_realtime_server::shutdown_signal() => {
                server.shutdown().await;
                tracing::info!("stopped");
                ExitCode::SUCCESS
            }
        }
    })
}
