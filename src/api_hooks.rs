//! The lifecycle hooks' JavaScript exports (API.md §1, "Lifecycle hooks"): argument checking and
//! conversion; the behaviour lives in `web::hooks`.

use wasm_bindgen::prelude::*;

use crate::core::ClientError;
use crate::web::hooks::{self, ClickAction, HookOptions};
use crate::web::read::{self, to_js_error};

#[wasm_bindgen(typescript_custom_section)]
const TS_HOOK_TYPES: &'static str = r#"
/** Options of a lifecycle hook: the channel's options, plus callbacks run by the hook. */
export interface HookOptions extends ChannelOptions {
  /**
   * Called with the `Channel` each time the hook opens the channel (also when it was open
   * already, and again after a reopen): the place to add listeners, since closing a channel
   * drops them. `Channel.on` keeps one registration of the same function, so adding the same
   * listeners again is harmless.
   */
  onOpen?: (channel: Channel) => void;
  /** Called with the channel's name each time the hook closes the channel. */
  onClose?: (name: string) => void;
}

/** What a click does: open the channel, close it, or open it when closed and close it when open. */
export type ClickAction = "open" | "close" | "toggle";
"#;

fn throw(err: ClientError) -> JsValue {
    to_js_error(&err)
}

fn hook_options(options: Option<JsValue>) -> Result<HookOptions, JsValue> {
    HookOptions::read(&options.unwrap_or_default()).map_err(throw)
}

/// Opens, closes or toggles a channel when an element is clicked.
///
/// `target` is an element, or a CSS selector: every element it matches at the time of the call
/// is bound (elements added later are not; see `bindDeclarative` for that). `options` are the
/// channel's options, with optional `onOpen(channel)` / `onClose(name)` callbacks run after each
/// open or close the click performs. A click whose open fails (e.g. before `configure`) reports
/// the error on the console.
///
/// Returns the unbind function: it removes the click listeners and releases the elements;
/// calling it again does nothing. It does not close the channel.
///
/// Throws a `TypeError` or `RangeError` naming the argument when `target` is neither an element
/// nor a string, the selector is invalid or matches no element, `action` is not "open", "close"
/// or "toggle", the channel name is not valid, or an option has the wrong type.
#[wasm_bindgen(js_name = bindOnClick, unchecked_return_type = "() => void")]
pub fn bind_on_click(
    #[wasm_bindgen(unchecked_param_type = "Element | string")] target: JsValue,
    #[wasm_bindgen(unchecked_param_type = "ClickAction")] action: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] channel: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "HookOptions")] options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let action = ClickAction::read(&action).map_err(throw)?;
    let channel = read::channel_name(&channel).map_err(throw)?;
    let options = hook_options(options)?;
    let elements = hooks::click_targets(&target).map_err(throw)?;
    Ok(hooks::bind_click(elements, action, channel, options))
}

/// Keeps a channel open while the page is shown: opens it when the document has loaded (at once
/// if it already has, i.e. `document.readyState` is not "loading"), closes it on `pagehide`, and
/// opens it again on a `pageshow` from the back/forward cache (`event.persisted`).
///
/// `options` are the channel's options, with optional `onOpen(channel)` / `onClose(name)`
/// callbacks run after each open and close, so that listeners can be added again after a
/// reopen. Calling it again for the same channel replaces its options (and opens it if the
/// document has loaded).
///
/// Throws when an argument is wrong, or when opening at once fails (e.g. before `configure`);
/// a later open that fails reports the error on the console.
#[wasm_bindgen(js_name = onPageLoad)]
pub fn on_page_load(
    #[wasm_bindgen(unchecked_param_type = "string")] channel: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "HookOptions")] options: Option<JsValue>,
) -> Result<(), JsValue> {
    let channel = read::channel_name(&channel).map_err(throw)?;
    let options = hook_options(options)?;
    hooks::on_page_load(channel, options).map_err(throw)
}

/// Opens a channel once for the life of the tab (at once, with `options` and its optional
/// `onOpen(channel)` callback). Later calls for the same channel do nothing, even if the app has
/// closed the channel meanwhile: reopen it with `openChannel` then. When the first open fails
/// (it throws, e.g. before `configure`), nothing is recorded and a later call tries again.
///
/// Throws when an argument is wrong or the channel cannot be opened.
#[wasm_bindgen(js_name = onAppLoad)]
pub fn on_app_load(
    #[wasm_bindgen(unchecked_param_type = "string")] channel: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "HookOptions")] options: Option<JsValue>,
) -> Result<(), JsValue> {
    let channel = read::channel_name(&channel).map_err(throw)?;
    let options = hook_options(options)?;
    hooks::on_app_load(channel, options).map_err(throw)
}

/// Applies declarative bindings for no-code pages: a click on an element inside `root` (default
/// `document`) with `data-realtime-open="NAME"`, `data-realtime-close="NAME"` or
/// `data-realtime-toggle="NAME"` opens, closes or toggles channel NAME. The flags
/// `data-realtime-presence`, `data-realtime-history` and `data-realtime-queue` on the same element
/// set the channel's `presence`, `history` and `queueOfflineActions` (present means true, unless
/// the value is "false").
///
/// Elements added later, and attributes changed later, work too: one listener on `root` reads
/// the attributes of the clicked element (or its nearest ancestor that has them) at click time.
/// A click on a nested element acts once even when several bound roots contain it.
///
/// Returns the function that stops it; calling it again does nothing. Throws a `TypeError` when
/// `root` is neither a Document nor an Element.
#[wasm_bindgen(js_name = bindDeclarative, unchecked_return_type = "() => void")]
pub fn bind_declarative(
    #[wasm_bindgen(unchecked_optional_param_type = "Document | Element")] root: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let root = hooks::declarative_root(&root.unwrap_or_default()).map_err(throw)?;
    Ok(hooks::bind_declarative(root))
}
