//! Integration tests of scorejar-net. One binary (faster to link); every connection goes to
//! 127.0.0.1 servers started by the tests, reachable only through the allow-list.

mod blocked;
mod fetch;
mod redirects;
mod resolution;
mod support;
