// The entry the browser tests load (bundled by scripts/bundle-test-js.sh into one module, which
// the tests bind in tests/support/api.rs): the public API, and `attach` to connect it to the test
// binary's own instance of the wasm core.

export * from "./index.js";
export { attach } from "./shell/core.js";
