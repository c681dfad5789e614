//! Reading the app's arguments off JavaScript values, with errors that name the argument.

use js_sys::Reflect;
use wasm_bindgen::{JsCast, JsValue};

use crate::core::ClientError;

/// `obj[key]`; undefined when `obj` is not an object or reading throws (a hostile getter).
pub fn field(obj: &JsValue, key: &str) -> JsValue {
    if !obj.is_object() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// Whether a value counts as absent (`undefined` or `null`).
pub fn absent(v: &JsValue) -> bool {
    v.is_undefined() || v.is_null()
}

/// An options object: absent gives `None`; anything but a plain object is a TypeError.
pub fn options_object(v: &JsValue, argument: &str) -> Result<Option<JsValue>, ClientError> {
    if absent(v) {
        Ok(None)
    } else if v.is_object() && !js_sys::Array::is_array(v) && !v.is_function() {
        Ok(Some(v.clone()))
    } else {
        Err(ClientError::wrong_type(argument, "an object"))
    }
}

/// A required string.
pub fn string(v: &JsValue, argument: &str) -> Result<String, ClientError> {
    v.as_string()
        .ok_or_else(|| ClientError::wrong_type(argument, "a string"))
}

/// An optional string (absent gives `None`).
pub fn opt_string(v: &JsValue, argument: &str) -> Result<Option<String>, ClientError> {
    if absent(v) {
        Ok(None)
    } else {
        string(v, argument).map(Some)
    }
}

/// An optional boolean (absent gives `None`).
pub fn opt_bool(v: &JsValue, argument: &str) -> Result<Option<bool>, ClientError> {
    if absent(v) {
        Ok(None)
    } else {
        v.as_bool()
            .map(Some)
            .ok_or_else(|| ClientError::wrong_type(argument, "a boolean"))
    }
}

/// An optional number (absent gives `None`).
pub fn opt_number(v: &JsValue, argument: &str) -> Result<Option<f64>, ClientError> {
    if absent(v) {
        Ok(None)
    } else {
        v.as_f64()
            .map(Some)
            .ok_or_else(|| ClientError::wrong_type(argument, "a number"))
    }
}

/// A required function.
pub fn function(v: &JsValue, argument: &str) -> Result<js_sys::Function, ClientError> {
    v.dyn_ref::<js_sys::Function>()
        .cloned()
        .ok_or_else(|| ClientError::wrong_type(argument, "a function"))
}

/// A channel name: a non-empty string that the core accepts.
pub fn channel_name(v: &JsValue) -> Result<String, ClientError> {
    let name = string(v, "channel name")?;
    crate::core::config::check_channel_name(&name)?;
    Ok(name)
}

/// The JavaScript error for a client error: `TypeError`, `RangeError` or `Error`.
pub fn to_js_error(err: &ClientError) -> JsValue {
    let message = err.to_string();
    match err.kind() {
        crate::core::ErrorKind::Type => js_sys::TypeError::new(&message).into(),
        crate::core::ErrorKind::Range => js_sys::RangeError::new(&message).into(),
        crate::core::ErrorKind::State => js_sys::Error::new(&message).into(),
    }
}
