//! The `statelang` command-line tool.

fn main() {
    eprintln!("statelang: no commands yet");
    std::process::exit(2);
}
