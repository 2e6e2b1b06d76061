//! The pipeline end to end: paths → sources → AST → IR → Graph model, with every diagnostic.
//!
//! In: paths (`.capol` files or directories) or in-memory text, and the lock file. Out: a
//! [`Compilation`]. The only file-system reads of the compiler happen here.

use crate::ast;
use crate::check::{self, Options};
use crate::diag::{Diagnostic, Diagnostics};
use crate::emit;
use crate::files;
use crate::graph::model::Policy;
use crate::ir::PolicySet;
use crate::source::{SourceMap, Span};
use crate::symbols::lock::{LOCK_FILE_NAME, LockFile};
use crate::syntax;
use std::path::{Path, PathBuf};

/// Everything one compilation produced.
#[derive(Debug, Default)]
pub struct Compilation {
    pub sources: SourceMap,
    pub diagnostics: Diagnostics,
    pub files: Vec<ast::File>,
    pub set: PolicySet,
    /// The Graph bodies, ordered by display name. Empty when there are errors.
    pub policies: Vec<Policy>,
}

impl Compilation {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.has_errors()
    }

    /// Whether every error is a safety error (lockout, emergency access): such a project still
    /// compiles to policies that `what-if`, `test` and `analyze` evaluate (asking what a
    /// dangerous policy set does is never refused), though `compile` and `deploy` refuse it.
    pub fn only_safety_errors(&self) -> bool {
        self.has_errors()
            && self
                .diagnostics
                .items
                .iter()
                .filter(|d| d.is_error())
                .all(|d| SAFETY_CODES.contains(&d.code))
    }

    /// The policies to evaluate: the compiled ones, or, when the only errors are safety
    /// errors, the policies those errors are about. `None` when other errors leave nothing
    /// sound to evaluate.
    pub fn evaluable(&self) -> Option<Vec<Policy>> {
        if !self.has_errors() {
            Some(self.policies.clone())
        } else if self.only_safety_errors() {
            Some(emit::emit(&self.set))
        } else {
            None
        }
    }
}

/// The safety errors: what they protect is the tenant, not the meaning of the sources.
pub const SAFETY_CODES: &[&str] = &["E0208", "E0209"];

/// A problem with the command line or the file system that is not about a source's content.
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Every `.capol` file named or found beneath the paths, sorted, each once.
pub fn collect_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, UsageError> {
    collect_by_extension(paths, "capol")
}

/// Every file with extension `ext` found beneath the directories among `paths` (hidden entries
/// and `target/` skipped), plus the files named explicitly whatever their extension; sorted,
/// each once. A directory without any such file is an error. A symbolic link to a directory
/// is followed only when it stays inside the project tree and does not lead back to a directory
/// being walked (a loop).
pub fn collect_by_extension(paths: &[PathBuf], ext: &str) -> Result<Vec<PathBuf>, UsageError> {
    let root = files::project_root(paths);
    let mut out = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p)
            .map_err(|e| UsageError(format!("cannot read `{}`: {}", p.display(), io_reason(&e))))?;
        if meta.is_dir() {
            let before = out.len();
            let mut open = Vec::new();
            walk(p, ext, root.as_deref(), &mut open, &mut out)?;
            if out.len() == before {
                return Err(UsageError(format!(
                    "no .{ext} files under `{}`",
                    p.display()
                )));
            }
        } else {
            out.push(p.clone());
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// `open`: the canonical directories being walked (this one's ancestors), to refuse loops.
fn walk(
    dir: &Path,
    ext: &str,
    root: Option<&Path>,
    open: &mut Vec<PathBuf>,
    out: &mut Vec<PathBuf>,
) -> Result<(), UsageError> {
    let real = std::fs::canonicalize(dir).map_err(|e| {
        UsageError(format!(
            "cannot read `{}`: {}",
            dir.display(),
            io_reason(&e)
        ))
    })?;
    if open.contains(&real) {
        return Err(UsageError(format!(
            "`{}` is a symbolic link back to a directory already being read: capol does not follow link loops",
            dir.display(),
        )));
    }
    let is_link = std::fs::symlink_metadata(dir).is_ok_and(|m| m.file_type().is_symlink());
    if is_link && (files::is_special(&real) || root.is_some_and(|r| !real.starts_with(r))) {
        let target = std::fs::read_link(dir).unwrap_or(real);
        return Err(UsageError(format!(
            "`{}` is a symbolic link to `{}`, outside the project tree: capol reads only files inside it",
            dir.display(),
            target.display()
        )));
    }
    let entries = std::fs::read_dir(dir).map_err(|e| {
        UsageError(format!(
            "cannot read `{}`: {}",
            dir.display(),
            io_reason(&e)
        ))
    })?;
    open.push(real);
    let mut list: Vec<PathBuf> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    list.sort();
    for path in list {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with('.') || name == "target" {
            continue;
        }
        if path.is_dir() {
            walk(&path, ext, root, open, out)?;
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case(ext))
        {
            // Whatever it is (a link, a FIFO, a device), `load` reads it safely or says why not.
            out.push(path);
        }
    }
    open.pop();
    Ok(())
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// `CA001 Require MFA for admins` → `ca001-require-mfa-for-admins`: the display name in lower
/// case, runs of other characters as one `-` (file names for `compile -o` and `import`).
pub fn slug(name: &str) -> String {
    let mut s = String::new();
    for ch in name.chars() {
        if ch.is_alphanumeric() {
            s.extend(ch.to_lowercase());
        } else if !s.ends_with('-') && !s.is_empty() {
            s.push('-');
        }
    }
    while s.ends_with('-') {
        s.pop();
    }
    if s.is_empty() { "policy".into() } else { s }
}

/// Read the files into a source map, as [`load_in`] with the current directory as the project
/// tree.
pub fn load(files: &[PathBuf], sources: &mut SourceMap, diags: &mut Diagnostics) {
    load_in(files, files::current_root().as_deref(), sources, diags);
}

/// Read the files into a source map through [`files::read_bounded`]: regular files only,
/// symbolic links only into `root`, at most [`syntax::MAX_SOURCE_BYTES`] bytes read. A file
/// that cannot be read, is too large, holds control bytes or is not UTF-8 becomes a diagnostic;
/// it is then added empty (or, for UTF-8 errors, with the text before the bad byte), so the
/// diagnostic has somewhere to point and never shows what is not text.
pub fn load_in(
    files: &[PathBuf],
    root: Option<&Path>,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
) {
    for path in files {
        let name = path.display().to_string();
        let bytes = match files::read_bounded(path, root, syntax::MAX_SOURCE_BYTES) {
            Ok(b) => b,
            Err(r) => {
                let id = sources.add(name.clone(), "");
                diags.push(refusal(r, Span::new(id, 0, 0), "this file"));
                continue;
            }
        };
        if let Some(r) = files::not_text(path, &bytes) {
            let id = sources.add(name.clone(), "");
            diags.push(refusal(
                r,
                Span::new(id, 0, 0),
                "not shown: this is not a text file",
            ));
            continue;
        }
        match String::from_utf8(bytes) {
            Ok(text) => {
                sources.add(name, text);
            }
            Err(e) => {
                let valid = e.utf8_error().valid_up_to();
                let text = String::from_utf8_lossy(&e.as_bytes()[..valid]).into_owned();
                let id = sources.add(name.clone(), text);
                diags.push(
                    Diagnostic::new("E0002", format!("`{name}` is not UTF-8 text"))
                        .at(
                            Span::new(id, valid, valid),
                            format!("invalid byte at offset {valid}"),
                        )
                        .help("save the file as UTF-8; a .capol file is plain text"),
                );
            }
        }
    }
}

/// A refused read as a diagnostic at `span`.
fn refusal(r: files::Refusal, span: Span, label: &str) -> Diagnostic {
    Diagnostic::new(r.code, r.message)
        .at(span, label)
        .help(r.help)
}

/// Find `capol.lock`: the explicit path, or `capol.lock` in the directory of the first path.
pub fn find_lock(paths: &[PathBuf], explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = explicit {
        return Some(p.to_path_buf());
    }
    let first = paths.first()?;
    let dir = if first.is_dir() {
        first.clone()
    } else {
        first.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    let candidate = if dir.as_os_str().is_empty() {
        PathBuf::from(LOCK_FILE_NAME)
    } else {
        dir.join(LOCK_FILE_NAME)
    };
    candidate.is_file().then_some(candidate)
}

/// The largest lock file read (a lock of every object a tenant's policies can name is far
/// smaller).
pub const MAX_LOCK_BYTES: usize = 8 * 1024 * 1024;

/// Read and check a lock file (untrusted, like a source: [`files::read_bounded`], then
/// [`crate::symbols::lock_check`]); problems become diagnostics located in it. `None` when the
/// file as a whole is unusable (`E0300`); otherwise the sound entries, the refused ones listed
/// in [`LockFile::refused`].
pub fn load_lock(
    path: &Path,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
) -> Option<LockFile> {
    let name = path.display().to_string();
    let root = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(files::current_root, |p| std::fs::canonicalize(p).ok());
    let unreadable = |r: files::Refusal, sources: &mut SourceMap, diags: &mut Diagnostics| {
        let id = sources.add(name.clone(), "");
        diags.push(
            Diagnostic::new(
                if r.code == "E0002" { "E0300" } else { r.code },
                format!("lock file: {}", r.message),
            )
            .at(Span::new(id, 0, 0), "this file")
            .help("run `capol resolve` to write it again"),
        );
    };
    let bytes = match files::read_bounded(path, root.as_deref(), MAX_LOCK_BYTES) {
        Ok(b) => b,
        Err(r) => {
            unreadable(r, sources, diags);
            return None;
        }
    };
    if let Some(r) = files::not_text(path, &bytes) {
        unreadable(r, sources, diags);
        return None;
    }
    let Ok(text) = String::from_utf8(bytes) else {
        let r = files::Refusal {
            code: "E0300",
            message: format!("`{name}` is not UTF-8 text"),
            help: "",
        };
        unreadable(r, sources, diags);
        return None;
    };
    match crate::symbols::lock_check::parse_checked(&text) {
        Ok((lock, problems)) => {
            if !problems.is_empty() {
                let id = sources.add(name.clone(), text);
                for p in problems {
                    diags.push(lock_problem(&p, Span::new(id, p.offset, p.offset)));
                }
            }
            Some(lock)
        }
        Err(e) => {
            let id = sources.add(name.clone(), text);
            diags.push(
                Diagnostic::new(
                    "E0300",
                    format!("lock file `{name}` is invalid: {}", e.message),
                )
                .at(Span::new(id, e.offset, e.offset), "here")
                .help("run `capol resolve` to write it again; do not edit it by hand"),
            );
            None
        }
    }
}

fn lock_problem(p: &crate::symbols::lock::LockError, at: Span) -> Diagnostic {
    let (label, help) = match p.code {
        "E0513" => (
            "no tenant id",
            "run `capol resolve` against the tenant to write the lock file again",
        ),
        _ => (
            "this entry is refused",
            "run `capol resolve` to look the name up again; never edit ids in capol.lock by hand",
        ),
    };
    Diagnostic::new(p.code, format!("capol.lock: {}", p.message))
        .at(at, label)
        .help(help)
        .note("ids in capol.lock reach Graph unchanged: capol accepts only well-formed object ids there")
}

/// Parse, check and emit every source in the map.
pub fn compile_sources(
    sources: SourceMap,
    lock: Option<&LockFile>,
    opts: &Options,
    mut diags: Diagnostics,
) -> Compilation {
    let mut files = Vec::new();
    // Files that could not be loaded (unreadable, not UTF-8, too large) and invalid lock files
    // are in the map only so that their diagnostic has somewhere to point: parsing what is
    // there would only add errors that follow from the first.
    let unloaded: Vec<_> = diags
        .items
        .iter()
        .filter(|d| {
            matches!(
                d.code,
                "E0002"
                    | "E0003"
                    | "E0300"
                    | "E0510"
                    | "E0511"
                    | "E0513"
                    | "E0514"
                    | "E0515"
                    | "E0516"
            )
        })
        .filter_map(|d| d.primary.as_ref().map(|l| l.span.file))
        .collect();
    for (id, f) in sources.files() {
        if unloaded.contains(&id) || f.name.ends_with(LOCK_FILE_NAME) && !f.name.ends_with(".capol")
        {
            continue;
        }
        let (ast, ds) = syntax::parse(id, &f.text);
        let syntax_errors = ds.has_errors();
        diags.extend(ds.items);
        if let Some(ast) = ast {
            if !syntax_errors && ast.items.is_empty() {
                diags.push(
                    Diagnostic::new(
                        "W0001",
                        format!("`{}` holds no policy and no declaration", f.name),
                    )
                    .at(Span::new(id, 0, 0), "empty file")
                    .help("add a policy, or delete the file"),
                );
            }
            files.push(ast);
        }
    }
    let (set, ds) = check::check(&files, &sources, lock, opts);
    diags.extend(ds.items);
    diags.sort();
    diags.cap(crate::diag::CAP_PER_CODE, crate::diag::CAP_TOTAL);
    let policies = if diags.has_errors() {
        Vec::new()
    } else {
        emit::emit(&set)
    };
    Compilation {
        sources,
        diagnostics: diags,
        files,
        set,
        policies,
    }
}

/// Compile paths as the CLI does.
pub fn compile_paths(
    paths: &[PathBuf],
    lock: Option<&Path>,
    opts: &Options,
) -> Result<Compilation, UsageError> {
    let files = collect_files(paths)?;
    let mut sources = SourceMap::new();
    let mut diags = Diagnostics::new();
    load_in(
        &files,
        files::project_root(paths).as_deref(),
        &mut sources,
        &mut diags,
    );
    let lock_path = find_lock(paths, lock);
    let lock = lock_path
        .as_deref()
        .and_then(|p| load_lock(p, &mut sources, &mut diags));
    Ok(compile_sources(sources, lock.as_ref(), opts, diags))
}

/// Compile in-memory sources: `(file name, text)` pairs. For tests, benchmarks and tools.
pub fn compile_str(files: &[(&str, &str)], lock: Option<&LockFile>, opts: &Options) -> Compilation {
    let mut sources = SourceMap::new();
    for (name, text) in files {
        sources.add(*name, *text);
    }
    compile_sources(sources, lock, opts, Diagnostics::new())
}

/// The names the tenant must answer (for `capol resolve`): see [`check::unresolved`].
pub use crate::check::unresolved::{Unresolved, unresolved_names};
