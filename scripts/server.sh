# Sourced by the scripts: start_server ARGS... starts the built local server on a free loopback
# port and sets SERVER_ADDR (host:port) and SERVER_PID; stop_server stops it. Logs go to $SERVER_LOG.
SERVER_BIN=${XANO_RT_SERVER_BIN:-target/debug/xano-realtime-server}

start_server() {
  SERVER_LOG=$(mktemp /tmp/xano-rt-server.XXXXXX.log)
  local fifo
  fifo=$(mktemp -u /tmp/xano-rt-server.XXXXXX.fifo)
  mkfifo "$fifo"
  "$SERVER_BIN" --listen 127.0.0.1:0 "$@" >"$fifo" 2>"$SERVER_LOG" &
  SERVER_PID=$!
  local line
  if ! read -r -t 20 line <"$fifo"; then
    echo "the server did not start; its log:" >&2
    cat "$SERVER_LOG" >&2
    rm -f "$fifo"
    return 1
  fi
  rm -f "$fifo"
  SERVER_ADDR=${line#listening on http://}
  export SERVER_ADDR SERVER_PID SERVER_LOG
}

stop_server() {
  if [ -n "${SERVER_PID:-}" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
  fi
}
