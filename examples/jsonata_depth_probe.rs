//! Probes stack safety on a 2 MiB thread: `cargo run --example jsonata_depth_probe -- '<expr>'`.
use statelang::jsonata::{Bindings, Expression};
fn main() {
    let text = std::env::args().nth(1).unwrap_or_else(|| "1".into());
    let r = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || Expression::compile(&text).and_then(|e| e.evaluate(None, &Bindings::new())))
        .unwrap()
        .join()
        .unwrap();
    println!("{:?}", r.map_err(|e| e.code));
}
