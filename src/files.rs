//! Reading files capol does not trust: sources, `capol.lock`, saved plans.
//!
//! In: a path, the project tree it must stay within, a byte limit. Out: the bytes, or a
//! [`Refusal`] that says where and what without ever quoting the file. Only regular files are
//! read: a symbolic link is followed only when it lands inside the project tree, never into
//! `/proc`, `/sys` or `/dev`; the file is opened without blocking (a FIFO cannot stall the run)
//! and checked again on the open handle; the limit is enforced on the bytes read, not on what
//! the metadata claims (`/proc` files report size 0, devices never end).

use std::io::Read;
use std::path::{Path, PathBuf};

/// Why a file was not read. `code` is a registered diagnostic code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub code: &'static str,
    pub message: String,
    pub help: &'static str,
}

/// Kernel and device trees: never sources, whatever a link says.
const SPECIAL_TREES: [&str; 3] = ["/proc", "/sys", "/dev"];

/// The project tree of the paths a command was given: the first path when it is a directory,
/// else the directory holding it (where `capol.lock` is looked for), canonical.
pub fn project_root(paths: &[PathBuf]) -> Option<PathBuf> {
    let first = paths.first()?;
    let dir = if first.is_dir() {
        first.clone()
    } else {
        match first.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        }
    };
    std::fs::canonicalize(dir).ok()
}

/// The current directory, canonical: the project tree when a command names none.
pub fn current_root() -> Option<PathBuf> {
    std::env::current_dir()
        .ok()
        .and_then(|d| std::fs::canonicalize(d).ok())
}

/// Whether `real` (canonical) is in a kernel or device tree.
pub fn is_special(real: &Path) -> bool {
    SPECIAL_TREES.iter().any(|t| real.starts_with(t))
}

/// Reads at most `limit` bytes of the regular file at `path`. When `path` is a symbolic link,
/// its target must be inside `root` (when given).
pub fn read_bounded(path: &Path, root: Option<&Path>, limit: usize) -> Result<Vec<u8>, Refusal> {
    let name = path.display();
    let link = std::fs::symlink_metadata(path).map_err(|e| cannot_read(path, &e))?;
    let real = std::fs::canonicalize(path).map_err(|e| cannot_read(path, &e))?;
    // Name a link's target as the link says it, not as resolved (no absolute paths, no pids).
    let shown = std::fs::read_link(path).unwrap_or_else(|_| real.clone());
    if is_special(&real) {
        return Err(special(path, &shown));
    }
    if link.file_type().is_symlink()
        && let Some(root) = root
        && !real.starts_with(root)
    {
        return Err(Refusal {
            code: "E0515",
            message: format!(
                "`{name}` is a symbolic link to `{}`, which is outside the project tree",
                shown.display(),
            ),
            help: "copy the file into the project (the directory of the first path, where capol.lock is), or link only to files inside it",
        });
    }
    let file = open_nonblocking(&real).map_err(|e| cannot_read(path, &e))?;
    let meta = file.metadata().map_err(|e| cannot_read(path, &e))?;
    if !meta.is_file() {
        return Err(not_regular(path, &meta));
    }
    let mut bytes = Vec::new();
    file.take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| cannot_read(path, &e))?;
    if bytes.len() > limit {
        return Err(Refusal {
            code: "E0003",
            message: format!(
                "`{name}` is larger than the limit of {}",
                crate::diag::size_text(limit)
            ),
            help: "split the policies over several files",
        });
    }
    Ok(bytes)
}

/// The first byte that no text file holds (a control character other than tab, line feed and
/// carriage return), as `(offset, line, column, byte)`; `None` for text. Columns count bytes.
pub fn control_byte(bytes: &[u8]) -> Option<(usize, usize, usize, u8)> {
    let at = bytes
        .iter()
        .position(|b| (*b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || *b == 0x7f)?;
    let before = &bytes[..at];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    Some((at, line, at - line_start + 1, bytes[at]))
}

/// The refusal for a file that is not text: where, and which byte, never the content.
pub fn not_text(path: &Path, bytes: &[u8]) -> Option<Refusal> {
    let (offset, line, col, b) = control_byte(bytes)?;
    Some(Refusal {
        code: "E0516",
        message: format!(
            "`{}` is not a text file: control byte 0x{b:02x} at line {line}, column {col} (offset {offset})",
            path.display()
        ),
        help: "a .capol file is plain UTF-8 text; capol does not show the content of other files",
    })
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

fn cannot_read(path: &Path, e: &std::io::Error) -> Refusal {
    let reason = match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    };
    Refusal {
        code: "E0002",
        message: format!("cannot read `{}`: {reason}", path.display()),
        help: "check the path and its permissions",
    }
}

fn special(path: &Path, real: &Path) -> Refusal {
    Refusal {
        code: "E0514",
        message: format!(
            "`{}` is not a regular file: it leads to `{}`, a kernel or device file",
            path.display(),
            real.display()
        ),
        help: "sources, lock files and plans must be regular files in the project",
    }
}

fn not_regular(path: &Path, meta: &std::fs::Metadata) -> Refusal {
    let ft = meta.file_type();
    let what = if ft.is_dir() {
        "a directory"
    } else {
        kind_of_special(&ft)
    };
    Refusal {
        code: "E0514",
        message: format!("`{}` is not a regular file: it is {what}", path.display()),
        help: "sources, lock files and plans must be regular files in the project",
    }
}

#[cfg(unix)]
fn kind_of_special(ft: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if ft.is_fifo() {
        "a named pipe (FIFO)"
    } else if ft.is_socket() {
        "a socket"
    } else if ft.is_char_device() || ft.is_block_device() {
        "a device"
    } else {
        "not a plain file"
    }
}

#[cfg(not(unix))]
fn kind_of_special(_: &std::fs::FileType) -> &'static str {
    "not a plain file"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_bytes_are_located() {
        assert_eq!(control_byte(b"policy \"x\"\n\tblock\r\n"), None);
        assert_eq!(control_byte(b"ab\ncd\0ef"), Some((5, 2, 3, 0)));
        assert_eq!(control_byte(b"\x7f"), Some((0, 1, 1, 0x7f)));
    }
}
