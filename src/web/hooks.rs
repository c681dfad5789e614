//! Lifecycle hooks: tie a channel's life to a click, to the page, or to the app.
//!
//! Every hook shares a few long-lived callbacks (created once per page, like the runtime's
//! socket handlers): one click handler for all `bindOnClick` elements, one for all declarative
//! roots, and one each for `DOMContentLoaded`, `pagehide` and `pageshow`. A binding is an entry
//! in a registry; unbinding removes the entry and detaches the shared handler from the elements
//! no other binding uses, so nothing is left holding the elements.
//!
//! As in the runtime, the registry is borrowed only for short stretches that never call into the
//! app: a hook callback (`onOpen`, `onClose`, a channel listener run by opening) may bind,
//! unbind or close anything.

use std::cell::RefCell;

use js_sys::{Function, Object};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, Event, EventTarget, Node};

use crate::core::frame::quoted;
use crate::core::{ChannelOptions, ClientError};
use crate::web::read::{self, field};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(message: &str);
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error_with(message: &str, error: &JsValue);
}

/// Calls the app's hook callback `cb(arg)`; an exception it throws is reported, not propagated,
/// so that one faulty callback cannot stop a click or a page event from being handled.
fn call_hook(cb: &Function, arg: &JsValue) {
    if let Err(e) = cb.call1(&JsValue::UNDEFINED, arg) {
        console_error_with("xano-realtime: a hook callback threw", &e);
    }
}

/// What a click does to its channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClickAction {
    /// Opens the channel (nothing changes if it is open).
    Open,
    /// Closes the channel (nothing changes if it is not open).
    Close,
    /// Closes the channel if it is open, opens it otherwise.
    Toggle,
}

impl ClickAction {
    /// Reads the `action` argument of `bindOnClick`.
    pub fn read(v: &JsValue) -> Result<Self, ClientError> {
        match read::string(v, "action")?.as_str() {
            "open" => Ok(ClickAction::Open),
            "close" => Ok(ClickAction::Close),
            "toggle" => Ok(ClickAction::Toggle),
            other => Err(ClientError::bad_value(
                "action",
                format!(
                    "must be \"open\", \"close\" or \"toggle\", got {}",
                    quoted(other)
                ),
            )),
        }
    }
}

/// The options of a hook: the channel's options plus callbacks run each time the hook opens or
/// closes the channel.
#[derive(Clone, Default)]
pub struct HookOptions {
    /// Passed to `openChannel`.
    pub channel: ChannelOptions,
    /// `onOpen(channel)`.
    pub on_open: Option<Function>,
    /// `onClose(name)`.
    pub on_close: Option<Function>,
}

impl HookOptions {
    /// Reads a hook's `options` argument (a `ChannelOptions` with optional `onOpen`/`onClose`).
    pub fn read(options: &JsValue) -> Result<Self, ClientError> {
        let channel = crate::api::read_channel_options(options)?;
        let callback = |key: &str| -> Result<Option<Function>, ClientError> {
            let v = field(options, key);
            if read::absent(&v) {
                Ok(None)
            } else {
                read::function(&v, &format!("options.{key}")).map(Some)
            }
        };
        Ok(HookOptions {
            channel,
            on_open: callback("onOpen")?,
            on_close: callback("onClose")?,
        })
    }
}

struct ClickBinding {
    id: u64,
    elements: Vec<Element>,
    action: ClickAction,
    channel: String,
    options: HookOptions,
}

struct DeclarativeRoot {
    id: u64,
    root: EventTarget,
}

#[derive(Default)]
struct Registry {
    next_id: u64,
    clicks: Vec<ClickBinding>,
    roots: Vec<DeclarativeRoot>,
    /// `onPageLoad` channels, in call order.
    page: Vec<(String, HookOptions)>,
    page_listening: bool,
    /// Channels `onAppLoad` has opened.
    app: Vec<String>,
    /// The last click a declarative root handled, so that nested roots act on it once.
    last_declarative_event: Option<JsValue>,
}

impl Registry {
    fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }
}

/// The page's shared event handlers.
struct Handlers {
    click: Closure<dyn FnMut(Event)>,
    declarative: Closure<dyn FnMut(Event)>,
    page_loaded: Closure<dyn FnMut()>,
    page_hide: Closure<dyn FnMut()>,
    page_show: Closure<dyn FnMut(Event)>,
}

thread_local! {
    static REGISTRY: RefCell<Registry> = RefCell::default();
    static HANDLERS: Handlers = Handlers {
        click: Closure::new(on_click),
        declarative: Closure::new(on_declarative_click),
        page_loaded: Closure::new(|| open_page_channels("onPageLoad")),
        page_hide: Closure::new(on_page_hide),
        page_show: Closure::new(|event: Event| {
            if field(&event, "persisted").as_bool() == Some(true) {
                open_page_channels("onPageLoad (pageshow)");
            }
        }),
    };
}

fn with_registry<R>(f: impl FnOnce(&mut Registry) -> R) -> R {
    REGISTRY.with(|r| f(&mut r.borrow_mut()))
}

fn handler(pick: impl FnOnce(&Handlers) -> &JsValue) -> Function {
    HANDLERS.with(|h| pick(h).clone().unchecked_into())
}

fn document() -> Result<Document, ClientError> {
    web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| ClientError::bad_value("document", "is not available (not a web page)"))
}

fn report(context: &str, channel: &str, err: &ClientError) {
    console_error(&format!(
        "xano-realtime: {context} on channel {}: {err}",
        quoted(channel)
    ));
}

/// Opens `channel` for a hook and runs its `onOpen`.
pub fn open(channel: &str, options: &HookOptions) -> Result<JsValue, ClientError> {
    let handle = crate::api::open_named(channel, options.channel)?;
    if let Some(cb) = &options.on_open {
        call_hook(cb, &handle);
    }
    Ok(handle)
}

/// Closes `channel` for a hook and runs its `onClose`.
pub fn close(channel: &str, options: &HookOptions) {
    crate::api::close_named(channel);
    if let Some(cb) = &options.on_close {
        call_hook(cb, &JsValue::from_str(channel));
    }
}

fn perform(action: ClickAction, channel: &str, options: &HookOptions, context: &str) {
    let open_now = match action {
        ClickAction::Open => true,
        ClickAction::Close => false,
        ClickAction::Toggle => !crate::web::runtime::with_rt(|rt| rt.core.is_open(channel)),
    };
    if open_now {
        if let Err(err) = open(channel, options) {
            report(
                &format!("{context} could not open the channel"),
                channel,
                &err,
            );
        }
    } else {
        close(channel, options);
    }
}

// ---- bindOnClick ------------------------------------------------------------------------------

/// The elements `target` names: an element, or every element a CSS selector matches now.
pub fn click_targets(target: &JsValue) -> Result<Vec<Element>, ClientError> {
    if let Some(el) = target.dyn_ref::<Element>() {
        return Ok(vec![el.clone()]);
    }
    let Some(selector) = target.as_string() else {
        return Err(ClientError::wrong_type(
            "target",
            "an Element or a CSS selector string",
        ));
    };
    let list = document()?.query_selector_all(&selector).map_err(|_| {
        ClientError::bad_value(
            "target",
            format!("is not a valid CSS selector: {}", quoted(&selector)),
        )
    })?;
    let elements: Vec<Element> = (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into::<Element>().ok())
        .collect();
    if elements.is_empty() {
        return Err(ClientError::bad_value(
            "target",
            format!("selector {} matches no element", quoted(&selector)),
        ));
    }
    Ok(elements)
}

/// Binds clicks on `elements`; returns the unbind function.
pub fn bind_click(
    elements: Vec<Element>,
    action: ClickAction,
    channel: String,
    options: HookOptions,
) -> JsValue {
    let click = handler(|h| h.click.as_ref());
    for el in &elements {
        // The browser keeps one registration of the same function per element.
        let _ = el.add_event_listener_with_callback("click", &click);
    }
    let id = with_registry(|r| {
        let id = r.next_id();
        r.clicks.push(ClickBinding {
            id,
            elements,
            action,
            channel,
            options,
        });
        id
    });
    unbinder(move || unbind_click(id))
}

fn unbind_click(id: u64) {
    let detach: Vec<Element> = with_registry(|r| {
        let Some(pos) = r.clicks.iter().position(|b| b.id == id) else {
            return Vec::new();
        };
        let binding = r.clicks.remove(pos);
        binding
            .elements
            .into_iter()
            .filter(|el| !r.clicks.iter().any(|b| b.elements.contains(el)))
            .collect()
    });
    let click = handler(|h| h.click.as_ref());
    for el in detach {
        let _ = el.remove_event_listener_with_callback("click", &click);
    }
}

fn on_click(event: Event) {
    let Some(target) = event.current_target() else {
        return;
    };
    let target: &JsValue = target.as_ref();
    let actions: Vec<(ClickAction, String, HookOptions)> = with_registry(|r| {
        r.clicks
            .iter()
            .filter(|b| {
                b.elements.iter().any(|el| {
                    let el: &JsValue = el.as_ref();
                    el == target
                })
            })
            .map(|b| (b.action, b.channel.clone(), b.options.clone()))
            .collect()
    });
    for (action, channel, options) in actions {
        perform(action, &channel, &options, "bindOnClick");
    }
}

/// A function for JavaScript that runs `f` on its first call and does nothing after that. `f`
/// (and what it holds) is dropped by that first call; the small closure around it goes when the
/// JavaScript function is garbage-collected.
fn unbinder(f: impl FnOnce() + 'static) -> JsValue {
    let mut f = Some(f);
    Closure::<dyn FnMut()>::new(move || {
        if let Some(f) = f.take() {
            f();
        }
    })
    .into_js_value()
}

// ---- declarative bindings ---------------------------------------------------------------------

const DECLARATIVE: &str = "[data-realtime-open],[data-realtime-close],[data-realtime-toggle]";

/// Reads the `root` argument of `bindDeclarative` (absent: the document).
pub fn declarative_root(root: &JsValue) -> Result<EventTarget, ClientError> {
    if read::absent(root) {
        return Ok(document()?.into());
    }
    if root.is_instance_of::<Document>() || root.is_instance_of::<Element>() {
        return Ok(root.clone().unchecked_into());
    }
    Err(ClientError::wrong_type("root", "a Document or an Element"))
}

/// Starts applying the `data-realtime-*` attributes of the elements inside `root`, now and
/// later; returns the function that stops it.
///
/// One listener on the root handles the clicks of every element inside it (event delegation),
/// reading the attributes at the time of the click: elements added later, and attributes set or
/// changed later, need no extra work, and removed elements are not held.
pub fn bind_declarative(root: EventTarget) -> JsValue {
    let _ = root.add_event_listener_with_callback("click", &handler(|h| h.declarative.as_ref()));
    let id = with_registry(|r| {
        let id = r.next_id();
        r.roots.push(DeclarativeRoot { id, root });
        id
    });
    unbinder(move || {
        let detach = with_registry(|r| {
            let pos = r.roots.iter().position(|d| d.id == id)?;
            let root = r.roots.remove(pos).root;
            (!r.roots.iter().any(|d| d.root == root)).then_some(root)
        });
        if let Some(root) = detach {
            let _ = root
                .remove_event_listener_with_callback("click", &handler(|h| h.declarative.as_ref()));
        }
    })
}

fn on_declarative_click(event: Event) {
    let Some(root) = event.current_target() else {
        return;
    };
    let start: Option<Element> = event.target().and_then(|t| match t.dyn_into::<Element>() {
        Ok(el) => Some(el),
        Err(t) => t.dyn_ref::<Node>().and_then(|n| n.parent_element()),
    });
    let Some(el) = start.and_then(|s| s.closest(DECLARATIVE).ok().flatten()) else {
        return;
    };
    if let Some(root) = root.dyn_ref::<Node>() {
        if !root.contains(Some(&el)) {
            return;
        }
    }
    // Nested roots (or the document and an element inside it) see the same click: act once.
    let seen = with_registry(|r| {
        let ev: &JsValue = event.as_ref();
        if r.last_declarative_event
            .as_ref()
            .is_some_and(|last| Object::is(last, ev))
        {
            true
        } else {
            r.last_declarative_event = Some(ev.clone());
            false
        }
    });
    if seen {
        return;
    }
    let flag = |name: &str| {
        el.get_attribute(name)
            .is_some_and(|v| !v.eq_ignore_ascii_case("false"))
    };
    let options = HookOptions {
        channel: ChannelOptions {
            presence: flag("data-realtime-presence"),
            history: flag("data-realtime-history"),
            queue_offline_actions: flag("data-realtime-queue"),
        },
        on_open: None,
        on_close: None,
    };
    for (attribute, action) in [
        ("data-realtime-close", ClickAction::Close),
        ("data-realtime-open", ClickAction::Open),
        ("data-realtime-toggle", ClickAction::Toggle),
    ] {
        let Some(channel) = el.get_attribute(attribute) else {
            continue;
        };
        let channel = channel.trim();
        match crate::core::config::check_channel_name(channel) {
            Ok(()) => perform(action, channel, &options, attribute),
            Err(err) => report(attribute, channel, &err),
        }
    }
}

// ---- onPageLoad -------------------------------------------------------------------------------

/// Whether the document has been parsed (`readyState` is not "loading").
fn document_loaded() -> bool {
    document().is_ok_and(|d| d.ready_state() != "loading")
}

/// Registers `channel` to be open while the page is shown; opens it at once if the document has
/// loaded. Calling it again for the same channel replaces its options.
pub fn on_page_load(channel: String, options: HookOptions) -> Result<(), ClientError> {
    let document = document()?;
    let install = with_registry(|r| {
        match r.page.iter_mut().find(|(name, _)| *name == channel) {
            Some(entry) => entry.1 = options.clone(),
            None => r.page.push((channel.clone(), options.clone())),
        }
        !std::mem::replace(&mut r.page_listening, true)
    });
    if install {
        if let Some(window) = web_sys::window() {
            let _ = window
                .add_event_listener_with_callback("pagehide", &handler(|h| h.page_hide.as_ref()));
            let _ = window
                .add_event_listener_with_callback("pageshow", &handler(|h| h.page_show.as_ref()));
        }
        let _ = document.add_event_listener_with_callback(
            "DOMContentLoaded",
            &handler(|h| h.page_loaded.as_ref()),
        );
    }
    if document_loaded() {
        open(&channel, &options)?;
    }
    Ok(())
}

fn page_channels() -> Vec<(String, HookOptions)> {
    with_registry(|r| r.page.clone())
}

fn open_page_channels(context: &str) {
    for (channel, options) in page_channels() {
        if let Err(err) = open(&channel, &options) {
            report(
                &format!("{context} could not open the channel"),
                &channel,
                &err,
            );
        }
    }
}

fn on_page_hide() {
    for (channel, options) in page_channels() {
        close(&channel, &options);
    }
}

// ---- onAppLoad --------------------------------------------------------------------------------

/// Opens `channel` the first time it is called for that name; later calls do nothing.
pub fn on_app_load(channel: String, options: HookOptions) -> Result<(), ClientError> {
    if with_registry(|r| r.app.contains(&channel)) {
        return Ok(());
    }
    // Recorded before opening, so that an `onOpen` calling `onAppLoad` again is a no-op; undone
    // when the channel could not be opened, so that the app may try again.
    with_registry(|r| r.app.push(channel.clone()));
    if let Err(err) = open(&channel, &options) {
        with_registry(|r| r.app.retain(|c| *c != channel));
        return Err(err);
    }
    Ok(())
}
