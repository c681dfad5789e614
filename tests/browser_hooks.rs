//! Browser tests of the lifecycle hooks (bindOnClick, onPageLoad, onAppLoad, bindDeclarative)
//! against the real local server. Each test uses its own channel names and closes them.
#![cfg(target_arch = "wasm32")]

mod support;

use support::api::{bind_declarative, bind_on_click, get_channel, on_app_load, on_page_load};
use support::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

// Small DOM helpers, built from source at run time: a JS module of their own would add one more
// script for the test page to fetch.
fn jsfn(args: &str, body: &str) -> js_sys::Function {
    js_sys::Function::new_with_args(args, body)
}

/// Creates an element (default a button) with attributes `attrs`, appends it to `parent`
/// (default document.body) and returns it.
fn add_element(attrs: &JsValue, parent: &JsValue, tag: &JsValue) -> web_sys::Element {
    jsfn(
        "attrs, parent, tag",
        "const el = document.createElement(tag || 'button');
         for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, v);
         el.textContent = 'test';
         (parent || document.body).appendChild(el);
         return el;",
    )
    .call3(&JsValue::NULL, attrs, parent, tag)
    .unwrap()
    .unchecked_into()
}

fn click(el: &JsValue) {
    jsfn("el", "el.click()").call1(&JsValue::NULL, el).unwrap();
}

fn remove(el: &JsValue) {
    jsfn("el", "el.remove()").call1(&JsValue::NULL, el).unwrap();
}

/// Dispatches a PageTransitionEvent ("pagehide" or "pageshow") on window.
fn page_transition(kind: &str, persisted: bool) {
    jsfn(
        "type, persisted",
        "window.dispatchEvent(new PageTransitionEvent(type, { persisted }))",
    )
    .call2(&JsValue::NULL, &kind.into(), &persisted.into())
    .unwrap();
}

/// A callback that records the first argument of each call.
struct Counter {
    calls: js_sys::Array,
    f: JsValue,
}

impl Counter {
    fn r#fn(&self) -> JsValue {
        self.f.clone()
    }
    fn calls(&self) -> js_sys::Array {
        self.calls.clone()
    }
}

fn counter() -> Counter {
    let calls = js_sys::Array::new();
    let f = jsfn("calls", "return (arg) => { calls.push(arg); }")
        .call1(&JsValue::NULL, &calls)
        .unwrap();
    Counter { calls, f }
}

/// Hook options {presence, onOpen?, onClose?}.
fn hook_options(presence: bool, on_open: &JsValue, on_close: &JsValue) -> JsValue {
    let o = js_sys::Object::new();
    set(&o, "presence", &presence.into());
    if !on_open.is_undefined() {
        set(&o, "onOpen", on_open);
    }
    if !on_close.is_undefined() {
        set(&o, "onClose", on_close);
    }
    o.into()
}

fn button(attrs: &str) -> web_sys::Element {
    add_element(&js(attrs), &JsValue::UNDEFINED, &JsValue::UNDEFINED)
}

fn is_open(name: &str) -> bool {
    !get_channel(name.into()).unwrap().is_undefined()
}

fn chan(name: &str) -> Chan {
    get_channel(name.into()).unwrap().unchecked_into()
}

#[wasm_bindgen_test]
async fn bind_on_click_opens_and_closes_and_unbind_stops_it() {
    configure(None);
    let open_btn = button(r#"{"id":"hk-open"}"#);
    let close_btn = button(r#"{"class":"hk-close"}"#);
    let (opened, closed) = (counter(), counter());
    let unbind_open = bind_on_click(
        open_btn.clone().into(),
        "open".into(),
        "hk-click".into(),
        Some(hook_options(true, &opened.r#fn(), &JsValue::UNDEFINED)),
    )
    .unwrap();
    let unbind_close = bind_on_click(
        ".hk-close".into(),
        "close".into(),
        "hk-click".into(),
        Some(hook_options(false, &JsValue::UNDEFINED, &closed.r#fn())),
    )
    .unwrap();
    assert!(!is_open("hk-click"), "binding does not open");

    click(&open_btn);
    assert!(is_open("hk-click"));
    assert_eq!(opened.calls().length(), 1);
    let handed = opened.calls().get(0);
    assert!(js_sys::Object::is(
        &handed,
        &get_channel("hk-click".into()).unwrap()
    ));
    // The options reached openChannel: presence was asked for.
    next_frame(&chan("hk-click"), "presence_full", &JsValue::NULL).await;

    click(&close_btn);
    assert!(!is_open("hk-click"));
    assert_eq!(closed.calls().get(0).as_string().unwrap(), "hk-click");

    // Unbound: clicks do nothing; unbinding again is harmless.
    let unbind_open: js_sys::Function = unbind_open.unchecked_into();
    unbind_open.call0(&JsValue::NULL).unwrap();
    unbind_open.call0(&JsValue::NULL).unwrap();
    click(&open_btn);
    assert!(!is_open("hk-click"));
    assert_eq!(opened.calls().length(), 1);

    let unbind_close: js_sys::Function = unbind_close.unchecked_into();
    unbind_close.call0(&JsValue::NULL).unwrap();
    remove(&open_btn);
    remove(&close_btn);
}

#[wasm_bindgen_test]
async fn toggle_binds_every_element_a_selector_matches() {
    configure(None);
    let a = button(r#"{"class":"hk-toggle"}"#);
    let b = button(r#"{"class":"hk-toggle"}"#);
    let unbind: js_sys::Function =
        bind_on_click(".hk-toggle".into(), "toggle".into(), "hk-tog".into(), None)
            .unwrap()
            .unchecked_into();
    click(&a);
    assert!(is_open("hk-tog"));
    connected(&chan("hk-tog")).await;
    click(&b);
    assert!(!is_open("hk-tog"));
    click(&b);
    assert!(is_open("hk-tog"));
    assert_eq!(state(), "connecting", "close then reopen at once");
    connected(&chan("hk-tog")).await;
    click(&a);
    assert!(!is_open("hk-tog"));
    assert_eq!(state(), "idle");
    unbind.call0(&JsValue::NULL).unwrap();
    click(&a);
    assert!(!is_open("hk-tog"));
    remove(&a);
    remove(&b);
}

#[wasm_bindgen_test]
fn bad_click_bindings_are_refused_naming_the_argument() {
    let el: JsValue = button("{}").into();
    let ok_opts = || Some(JsValue::UNDEFINED);
    expect_error(
        bind_on_click(
            "#hk-nothing-here".into(),
            "open".into(),
            "c".into(),
            ok_opts(),
        ),
        "RangeError",
        "matches no element",
    );
    expect_error(
        bind_on_click("[[".into(), "open".into(), "c".into(), ok_opts()),
        "RangeError",
        "target",
    );
    expect_error(
        bind_on_click(42.into(), "open".into(), "c".into(), ok_opts()),
        "TypeError",
        "target",
    );
    expect_error(
        bind_on_click(JsValue::NULL, "open".into(), "c".into(), ok_opts()),
        "TypeError",
        "target",
    );
    expect_error(
        bind_on_click(el.clone(), "explode".into(), "c".into(), ok_opts()),
        "RangeError",
        "action",
    );
    expect_error(
        bind_on_click(el.clone(), JsValue::UNDEFINED, "c".into(), ok_opts()),
        "TypeError",
        "action",
    );
    expect_error(
        bind_on_click(el.clone(), "open".into(), "".into(), ok_opts()),
        "RangeError",
        "channel name",
    );
    expect_error(
        bind_on_click(el.clone(), "open".into(), 7.into(), ok_opts()),
        "TypeError",
        "channel name",
    );
    expect_error(
        bind_on_click(
            el.clone(),
            "open".into(),
            "c".into(),
            Some(js(r#"{"presence":"yes"}"#)),
        ),
        "TypeError",
        "options.presence",
    );
    expect_error(
        bind_on_click(
            el.clone(),
            "open".into(),
            "c".into(),
            Some(js(r#"{"onOpen":1}"#)),
        ),
        "TypeError",
        "options.onOpen",
    );
    expect_error(
        bind_on_click(el.clone(), "open".into(), "c".into(), Some("x".into())),
        "TypeError",
        "options",
    );
    expect_error(on_page_load("".into(), None), "RangeError", "channel name");
    expect_error(
        on_app_load("c".into(), Some(js(r#"{"onClose":"no"}"#))),
        "TypeError",
        "options.onClose",
    );
    expect_error(bind_declarative(Some("body".into())), "TypeError", "root");
    remove(&el);
}

#[wasm_bindgen_test]
async fn on_page_load_opens_at_once_closes_on_pagehide_and_reopens_from_the_bfcache() {
    configure(None);
    let (opened, closed) = (counter(), counter());
    // The test page has loaded: it opens at once.
    on_page_load(
        "hk-page".into(),
        Some(hook_options(true, &opened.r#fn(), &closed.r#fn())),
    )
    .unwrap();
    assert!(is_open("hk-page"));
    assert_eq!(opened.calls().length(), 1);
    let first = chan("hk-page");
    let status = record(&first, "connection_status");
    connected(&first).await;

    page_transition("pagehide", true);
    assert!(!is_open("hk-page"), "closed on pagehide");
    assert_eq!(closed.calls().get(0).as_string().unwrap(), "hk-page");
    assert_eq!(state(), "idle");
    assert_eq!(statuses(&status), ["connected"], "no disconnected");

    // A pageshow that is not from the back/forward cache changes nothing.
    page_transition("pageshow", false);
    assert!(!is_open("hk-page"));

    page_transition("pageshow", true);
    assert!(is_open("hk-page"), "reopened on pageshow from the bfcache");
    assert_eq!(opened.calls().length(), 2);
    let second = chan("hk-page");
    assert!(!js_sys::Object::is(&first, &second), "a new opening");
    next_frame(&second, "presence_full", &JsValue::NULL).await;

    // Leave the page state as found: hidden (closes it); tests never show it again.
    page_transition("pagehide", false);
    assert!(!is_open("hk-page"));
}

#[wasm_bindgen_test]
async fn on_app_load_opens_once_for_the_life_of_the_tab() {
    configure(None);
    let opened = counter();
    let opts = || Some(hook_options(false, &opened.r#fn(), &JsValue::UNDEFINED));
    on_app_load("hk-app".into(), opts()).unwrap();
    assert!(is_open("hk-app"));
    let ch = chan("hk-app");
    connected(&ch).await;
    on_app_load("hk-app".into(), opts()).unwrap();
    assert_eq!(opened.calls().length(), 1, "the second call does nothing");
    assert!(js_sys::Object::is(
        &ch,
        &get_channel("hk-app".into()).unwrap()
    ));

    ch.close();
    on_app_load("hk-app".into(), opts()).unwrap();
    assert!(
        !is_open("hk-app"),
        "not again, even after the app closed it"
    );
    assert_eq!(opened.calls().length(), 1);
    // openChannel still reopens it.
    let again = open("hk-app", false, false, false);
    again.close();
}

#[wasm_bindgen_test]
async fn declarative_bindings_work_for_existing_and_later_elements() {
    configure(None);
    let root = add_element(
        &JsValue::UNDEFINED,
        &JsValue::UNDEFINED,
        &JsValue::from_str("div"),
    );
    let root_js: JsValue = root.clone().into();
    let join = add_element(
        &js(r#"{"data-realtime-open":"hk-decl","data-realtime-presence":""}"#),
        &root_js,
        &JsValue::UNDEFINED,
    );
    let stop: js_sys::Function = bind_declarative(Some(root_js.clone()))
        .unwrap()
        .unchecked_into();
    // Also bound through the document: a click still acts once.
    let stop_doc: js_sys::Function = bind_declarative(None).unwrap().unchecked_into();

    click(&join);
    assert!(is_open("hk-decl"));
    // The presence flag reached openChannel.
    next_frame(&chan("hk-decl"), "presence_full", &JsValue::NULL).await;

    // Added later, with the click landing on a child element.
    let leave = add_element(
        &js(r#"{"data-realtime-close":"hk-decl"}"#),
        &root_js,
        &JsValue::UNDEFINED,
    );
    let inner = add_element(&js("{}"), &leave.clone().into(), &"span".into());
    click(&inner);
    assert!(!is_open("hk-decl"));

    let toggle = add_element(
        &js(r#"{"data-realtime-toggle":"hk-decl-t","data-realtime-history":""}"#),
        &root_js,
        &JsValue::UNDEFINED,
    );
    click(&toggle);
    assert!(is_open("hk-decl-t"), "toggled once, not twice");
    click(&toggle);
    assert!(!is_open("hk-decl-t"));

    // Attributes changed later are read at click time.
    toggle
        .set_attribute("data-realtime-toggle", "hk-decl-u")
        .unwrap();
    click(&toggle);
    assert!(is_open("hk-decl-u"));
    click(&toggle);
    assert!(!is_open("hk-decl-u"));

    // An invalid name in an attribute is reported, not thrown into the page.
    toggle.set_attribute("data-realtime-toggle", "").unwrap();
    click(&toggle);

    stop.call0(&JsValue::NULL).unwrap();
    stop.call0(&JsValue::NULL).unwrap();
    click(&join);
    assert!(is_open("hk-decl"), "the document binding still applies");
    click(&leave);
    assert!(!is_open("hk-decl"));
    stop_doc.call0(&JsValue::NULL).unwrap();
    click(&join);
    assert!(!is_open("hk-decl"), "stopped");
    remove(&root_js);
}

#[wasm_bindgen_test]
fn a_throwing_hook_callback_does_not_stop_the_click() {
    configure(None);
    let el = button("{}");
    let throws = jsfn("", "return () => { throw new Error('app bug'); }")
        .call0(&JsValue::NULL)
        .unwrap();
    let unbind: js_sys::Function = bind_on_click(
        el.clone().into(),
        "toggle".into(),
        "hk-throw".into(),
        Some(hook_options(false, &throws, &throws)),
    )
    .unwrap()
    .unchecked_into();
    click(&el);
    assert!(is_open("hk-throw"), "opened although onOpen threw");
    click(&el);
    assert!(!is_open("hk-throw"), "closed although onClose threw");
    unbind.call0(&JsValue::NULL).unwrap();
    remove(&el);
}
