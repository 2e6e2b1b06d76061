//! The projects an editor has open: which files belong together, their current text, and the
//! latest analysis of each.
//!
//! In: opened, changed and closed documents (paths and text). Out: per project, a fresh
//! [`Analysis`] (the driver's [`Compilation`] of every file, open buffers taking the place of
//! their files on disk, plus the name [`Index`]).
//!
//! A file's project is the nearest directory above it holding `capol.toml` or `capol.lock`
//! (not above the editor's workspace folder), else the file's own directory: every `.capol`
//! file beneath is compiled together, as `capol check DIR` does. Files on disk are read once
//! and kept; a keystroke re-checks the project from memory.

use super::index::Index;
use crate::check::Options;
use crate::diag::Diagnostics;
use crate::driver::{self, Compilation};
use crate::source::{FileId, SourceMap};
use crate::symbols::lock::{LOCK_FILE_NAME, LockFile};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// One compilation of a project, with what the editor features need to read it.
pub struct Analysis {
    pub compilation: Compilation,
    /// The path of each file of the source map, by [`FileId`].
    pub paths: Vec<PathBuf>,
    pub lock: Option<LockFile>,
    pub index: Index,
}

impl Analysis {
    pub fn file_id(&self, path: &Path) -> Option<FileId> {
        self.paths
            .iter()
            .position(|p| p == path)
            .map(|i| FileId(i as u32))
    }
    pub fn path(&self, id: FileId) -> Option<&Path> {
        self.paths.get(id.0 as usize).map(PathBuf::as_path)
    }
    pub fn text(&self, id: FileId) -> &str {
        self.compilation
            .sources
            .get(id)
            .map_or("", |f| f.text.as_str())
    }
}

struct Project {
    /// Texts read from disk (open buffers are kept apart, in [`Workspace::open`]); `None` for a
    /// file that could not be read as text (the driver then reports why).
    disk: BTreeMap<PathBuf, Option<String>>,
    loaded: bool,
    dirty: bool,
    analysis: Option<Analysis>,
    /// The files diagnostics were last published for (to clear the ones that are fixed).
    published: BTreeSet<PathBuf>,
}

#[derive(Default)]
pub struct Workspace {
    /// Workspace folders the editor named: a project never reaches above one.
    pub folders: Vec<PathBuf>,
    open: HashMap<PathBuf, String>,
    projects: BTreeMap<PathBuf, Project>,
    pub options: Options,
}

impl Workspace {
    /// The root directory of the project `path` belongs to.
    pub fn root_of(&self, path: &Path) -> PathBuf {
        let own = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut dir = Some(own.as_path());
        while let Some(d) = dir {
            if d.join("capol.toml").is_file() || d.join(LOCK_FILE_NAME).is_file() {
                return d.to_path_buf();
            }
            if self.folders.iter().any(|f| f == d) || d.join(".git").exists() {
                break;
            }
            dir = d.parent();
        }
        own
    }

    pub fn open(&mut self, path: PathBuf, text: String) {
        self.open.insert(path.clone(), text);
        self.touch(&path);
    }

    pub fn text(&self, path: &Path) -> Option<&str> {
        self.open.get(path).map(String::as_str)
    }

    pub fn change(&mut self, path: &Path, f: impl FnOnce(&mut String)) {
        if let Some(t) = self.open.get_mut(path) {
            f(t);
        }
        self.touch(path);
    }

    pub fn close(&mut self, path: &Path) {
        self.open.remove(path);
        self.reload(path);
    }

    /// A file changed on disk (saved, created, deleted): read the project again.
    pub fn reload(&mut self, path: &Path) {
        let root = self.root_of(path);
        if let Some(p) = self.projects.get_mut(&root) {
            p.loaded = false;
            p.dirty = true;
        }
    }

    fn touch(&mut self, path: &Path) {
        let root = self.root_of(path);
        let p = self.projects.entry(root).or_insert_with(|| Project {
            disk: BTreeMap::new(),
            loaded: false,
            dirty: true,
            analysis: None,
            published: BTreeSet::new(),
        });
        p.dirty = true;
    }

    /// The fresh analysis of the project holding `path`.
    pub fn analysis(&mut self, path: &Path) -> Option<&Analysis> {
        let root = self.root_of(path);
        if !self.projects.contains_key(&root) {
            self.touch(path);
        }
        self.refresh(&root);
        self.projects.get(&root)?.analysis.as_ref()
    }

    /// Analyse every project changed since the last call. Out: per file, its diagnostics to
    /// publish (an empty list clears a file that had some).
    pub fn flush(&mut self) -> Vec<(PathBuf, Vec<lsp_types::Diagnostic>)> {
        let dirty: Vec<PathBuf> = self
            .projects
            .iter()
            .filter(|(_, p)| p.dirty)
            .map(|(r, _)| r.clone())
            .collect();
        let mut out = Vec::new();
        for root in dirty {
            self.refresh(&root);
            let Some(p) = self.projects.get_mut(&root) else {
                continue;
            };
            let Some(a) = &p.analysis else { continue };
            let mut by_file = super::diagnostics::by_file(a);
            for old in &p.published {
                by_file.entry(old.clone()).or_default();
            }
            p.published = by_file
                .iter()
                .filter(|(_, d)| !d.is_empty())
                .map(|(f, _)| f.clone())
                .collect();
            out.extend(by_file);
        }
        out
    }

    fn refresh(&mut self, root: &Path) {
        let Some(p) = self.projects.get_mut(root) else {
            return;
        };
        if !p.dirty && p.analysis.is_some() {
            return;
        }
        if !p.loaded {
            p.disk = read_disk(root);
            p.loaded = true;
        }
        let mut paths: BTreeSet<PathBuf> = p.disk.keys().cloned().collect();
        for open in self.open.keys() {
            if open.starts_with(root) && is_source(open) {
                paths.insert(open.clone());
            }
        }
        let mut sources = SourceMap::new();
        let mut diags = Diagnostics::new();
        let mut order = Vec::new();
        for path in paths {
            match self.open.get(&path).or_else(|| p.disk.get(&path)?.as_ref()) {
                Some(text) => {
                    sources.add(path.display().to_string(), text.clone());
                }
                None => driver::load(std::slice::from_ref(&path), &mut sources, &mut diags),
            }
            order.push(path);
        }
        let lock_path = root.join(LOCK_FILE_NAME);
        let lock = if lock_path.is_file() {
            let before = sources.len();
            let lock = driver::load_lock(&lock_path, &mut sources, &mut diags);
            if sources.len() > before {
                order.push(lock_path);
            }
            lock
        } else {
            None
        };
        let compilation = driver::compile_sources(sources, lock.as_ref(), &self.options, diags);
        let index = Index::build(&compilation.files);
        p.analysis = Some(Analysis {
            compilation,
            paths: order,
            lock,
            index,
        });
        p.dirty = false;
    }
}

fn is_source(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("capol"))
}

/// Every `.capol` file beneath `root`, read (`None`: not readable as UTF-8 text of a size the
/// compiler takes).
fn read_disk(root: &Path) -> BTreeMap<PathBuf, Option<String>> {
    // A directory without any .capol file is an error for the CLI; here it is an empty project
    // (the open buffer, not yet saved, is its only file).
    let files = driver::collect_files(&[root.to_path_buf()]).unwrap_or_default();
    files
        .into_iter()
        .map(|f| {
            let text = std::fs::read_to_string(&f)
                .ok()
                .filter(|t| t.len() <= crate::syntax::MAX_SOURCE_BYTES);
            (f, text)
        })
        .collect()
}
