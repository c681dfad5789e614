//! The command line of `xano-realtime-server`.

use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;

/// `--help` text.
pub const HELP: &str = "\
xano-realtime-server: a local Xano-compatible realtime server (legacy /rt/ protocol)

USAGE:
    xano-realtime-server [--listen 127.0.0.1:8787] [--canonical dev] [--config FILE.toml]
                         [--static DIR]... [--admin]

OPTIONS:
    --listen ADDR      Address to listen on (default 127.0.0.1:8787). Port 0 picks a free port.
                       Once listening, prints one line to stdout: `listening on http://ADDR`.
    --canonical NAME   Connection canonical: the WebSocket endpoint is /rt/NAME (default dev).
                       Other canonicals are refused with 404.
    --config FILE      Channel rules and auth tokens (TOML; see server/examples/realtime.toml).
                       With a config file, a channel that matches no rule is refused.
    --static DIR       Serve files from DIR on the same port (repeatable; first match wins).
    --admin            Enable the /admin/* test endpoints. Only allowed on a loopback address.
    -h, --help         Print this help.
    -V, --version      Print the version.

DEVELOPMENT DEFAULT (no --config):
    every channel is open to every client, presence on, history 100 messages,
    anonymous clients may join and send. No tokens are known: every client is anonymous.

The auth token is the WebSocket subprotocol; it is echoed back and never logged.
Logs go to stderr. SIGINT/SIGTERM close every socket with 1012, then exit 0.
";

/// Parsed command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Args {
    /// `--listen`
    pub listen: SocketAddr,
    /// `--canonical`
    pub canonical: String,
    /// `--config`
    pub config: Option<PathBuf>,
    /// `--static`, in order
    pub static_dirs: Vec<PathBuf>,
    /// `--admin`
    pub admin: bool,
}

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Run the server.
    Run(Args),
    /// Print [`HELP`].
    Help,
    /// Print the version.
    Version,
}

fn parse_addr(value: &str) -> Result<SocketAddr, String> {
    if let Ok(addr) = value.parse() {
        return Ok(addr);
    }
    // Allow host names such as localhost:8787.
    value
        .to_socket_addrs()
        .ok()
        .and_then(|mut it| it.next())
        .ok_or_else(|| format!("--listen: {value:?} is not an address like 127.0.0.1:8787"))
}

/// Parses the arguments (without the program name).
pub fn parse<I: IntoIterator<Item = String>>(args: I) -> Result<Command, String> {
    let mut out = Args {
        listen: SocketAddr::from(([127, 0, 0, 1], 8787)),
        canonical: "dev".to_string(),
        config: None,
        static_dirs: Vec::new(),
        admin: false,
    };
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| -> Result<String, String> {
            match inline.clone() {
                Some(v) => Ok(v),
                None => it.next().ok_or_else(|| format!("{name} needs a value")),
            }
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "-V" | "--version" => return Ok(Command::Version),
            "--listen" => out.listen = parse_addr(&value("--listen")?)?,
            "--canonical" => {
                let c = value("--canonical")?;
                if c.is_empty() || c.contains('/') {
                    return Err("--canonical must be a non-empty name without '/'".to_string());
                }
                out.canonical = c;
            }
            "--config" => out.config = Some(PathBuf::from(value("--config")?)),
            "--static" => out.static_dirs.push(PathBuf::from(value("--static")?)),
            "--admin" => {
                if inline.is_some() {
                    return Err("--admin takes no value".to_string());
                }
                out.admin = true;
            }
            other => return Err(format!("unknown argument {other:?} (see --help)")),
        }
    }
    Ok(Command::Run(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Result<Command, String> {
        parse(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn defaults_and_flags() {
        let Ok(Command::Run(a)) = run(&[]) else {
            panic!("defaults")
        };
        assert_eq!(a.listen.to_string(), "127.0.0.1:8787");
        assert_eq!(a.canonical, "dev");
        let Ok(Command::Run(a)) = run(&[
            "--listen=127.0.0.1:0",
            "--static",
            "a",
            "--static",
            "b",
            "--admin",
            "--canonical",
            "xyz",
        ]) else {
            panic!("flags")
        };
        assert_eq!(a.listen.port(), 0);
        assert_eq!(a.static_dirs, vec![PathBuf::from("a"), PathBuf::from("b")]);
        assert!(a.admin);
        assert_eq!(a.canonical, "xyz");
        assert!(run(&["--bogus"]).is_err());
        assert!(run(&["--listen"]).is_err());
        assert_eq!(run(&["--help"]), Ok(Command::Help));
    }
}
