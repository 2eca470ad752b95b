//! JSON pointers (RFC 6901) in AWS's style: `/States/Charge/Retry/0/ErrorEquals`,
//! with `/` for the document root.

/// Appends one reference token to `ptr`, escaping `~` and `/`.
pub(crate) fn push(ptr: &mut String, segment: &str) {
    ptr.push('/');
    for c in segment.chars() {
        match c {
            '~' => ptr.push_str("~0"),
            '/' => ptr.push_str("~1"),
            _ => ptr.push(c),
        }
    }
}

/// `ptr` extended by one segment.
pub(crate) fn join(ptr: &str, segment: &str) -> String {
    let mut p = String::with_capacity(ptr.len() + segment.len() + 1);
    p.push_str(ptr);
    push(&mut p, segment);
    p
}

/// The location as AWS prints it: the empty pointer (the root) is `/`.
pub(crate) fn display(ptr: &str) -> &str {
    if ptr.is_empty() {
        "/"
    } else {
        ptr
    }
}

/// Splits a pointer into unescaped segments (`/` and `` give none).
pub(crate) fn segments(ptr: &str) -> Vec<String> {
    if ptr.is_empty() || ptr == "/" {
        return Vec::new();
    }
    ptr.strip_prefix('/')
        .unwrap_or(ptr)
        .split('/')
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_splits() {
        let p = join(&join("", "States"), "a/b~c");
        assert_eq!(p, "/States/a~1b~0c");
        assert_eq!(segments(&p), vec!["States", "a/b~c"]);
        assert_eq!(display(""), "/");
        assert!(segments("/").is_empty());
    }
}
