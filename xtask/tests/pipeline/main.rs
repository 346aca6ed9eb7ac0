//! The pipeline's steps one at a time, through the library's public API: import (extract,
//! rename), our names, the overlay, the doc text, the 3.1 -> 3.0 conversion, the error-body
//! merge and the generator's failure.

mod codegen;
mod error_responses;
mod import;
mod names;
mod normalize;
mod overlay;
mod prose;
mod rename;
