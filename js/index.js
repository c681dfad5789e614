// The package's public API (API.md §1): what `import { … } from "xano-realtime"` gives, beside the
// default export `init()` that js/package.js adds. Every name here is documented where it is
// defined and typed in js/xano_realtime.d.ts.

export {
  Channel,
  configure,
  setAuthToken,
  openChannel,
  closeChannel,
  getChannel,
  connectionState,
  onConnectionState,
  clientStats,
} from "./api/client.js";
export { bindOnClick, onPageLoad, onAppLoad, bindDeclarative } from "./api/hooks.js";
export { XanoClient, XanoRealtimeChannel } from "./api/compat.js";
