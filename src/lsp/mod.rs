//! `capol lsp`: a Language Server Protocol server over stdio.
//!
//! In: JSON-RPC messages from an editor (`lsp-server` frames them). Out: diagnostics as you
//! type for the whole project a file belongs to, completion, hover, definition, references,
//! rename, formatting and did-you-mean code actions. Every answer reads the project's latest
//! [`project::Analysis`]; changes are coalesced: diagnostics are recomputed once the queue of
//! incoming messages is empty, and before any request that needs them.

// `WorkspaceEdit::changes` is a `HashMap<Uri, _>` in lsp-types; its URIs are never mutated.
#![allow(clippy::mutable_key_type)]

mod complete;
mod context;
mod diagnostics;
mod edit;
mod hover;
mod index;
mod project;
mod text;
mod uri;

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{self as n, Notification as _};
use lsp_types::request::{self as r, Request as _};
use lsp_types::*;
use serde_json::Value;
use std::collections::HashMap;
use std::path::PathBuf;

pub use project::Workspace;

/// Serve on stdin/stdout until the editor says `exit`.
pub fn run_stdio() -> Result<(), String> {
    let (connection, io_threads) = Connection::stdio();
    let caps = serde_json::to_value(capabilities()).map_err(|e| e.to_string())?;
    let init = connection
        .initialize(caps)
        .map_err(|e| format!("initialisation failed: {e}"))?;
    let mut server = Server::new(&init);
    for msg in &connection.receiver {
        match msg {
            Message::Request(req) => {
                if connection
                    .handle_shutdown(&req)
                    .map_err(|e| e.to_string())?
                {
                    break;
                }
                let resp = server.request(req);
                send(&connection, Message::Response(resp))?;
            }
            Message::Notification(not) => {
                if not.method == n::Exit::METHOD {
                    break;
                }
                server.notify(not);
            }
            Message::Response(_) => {}
        }
        if connection.receiver.is_empty() {
            for not in server.flush() {
                send(&connection, Message::Notification(not))?;
            }
        }
    }
    drop(connection);
    io_threads.join().map_err(|e| e.to_string())
}

fn send(c: &Connection, m: Message) -> Result<(), String> {
    c.sender
        .send(m)
        .map_err(|_| "the editor closed the connection".to_string())
}

pub fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(PositionEncodingKind::UTF16),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                ..TextDocumentSyncOptions::default()
            },
        )),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![",".into(), "\"".into()]),
            ..CompletionOptions::default()
        }),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: WorkDoneProgressOptions::default(),
        })),
        document_formatting_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..CodeActionOptions::default()
        })),
        ..ServerCapabilities::default()
    }
}

/// The server's state between messages, independent of the transport (the benchmark drives it
/// directly).
pub struct Server {
    pub workspace: Workspace,
}

type Answer = Result<Value, (ErrorCode, String)>;

fn params<P: serde::de::DeserializeOwned>(v: Value) -> Result<P, (ErrorCode, String)> {
    serde_json::from_value(v).map_err(|e| (ErrorCode::InvalidParams, e.to_string()))
}

fn json<T: serde::Serialize>(v: T) -> Answer {
    serde_json::to_value(v).map_err(|e| (ErrorCode::InternalError, e.to_string()))
}

fn path_of(u: &Uri) -> Result<PathBuf, (ErrorCode, String)> {
    uri::to_path(u).ok_or_else(|| {
        (
            ErrorCode::InvalidParams,
            format!("`{}` is not a file", u.as_str()),
        )
    })
}

impl Server {
    /// A server for the workspace folders the `initialize` parameters name.
    pub fn new(init: &Value) -> Server {
        let mut workspace = Workspace::default();
        let p: InitializeParams = serde_json::from_value(init.clone()).unwrap_or_default();
        for f in p.workspace_folders.unwrap_or_default() {
            if let Some(path) = uri::to_path(&f.uri) {
                workspace.folders.push(path);
            }
        }
        Server { workspace }
    }

    pub fn notify(&mut self, not: Notification) {
        // A notification cannot be answered: one the server cannot read is dropped, as the
        // protocol asks.
        let _ = self.try_notify(not);
    }

    fn try_notify(&mut self, not: Notification) -> Result<(), (ErrorCode, String)> {
        match not.method.as_str() {
            n::DidOpenTextDocument::METHOD => {
                let p: DidOpenTextDocumentParams = params(not.params)?;
                self.workspace
                    .open(path_of(&p.text_document.uri)?, p.text_document.text);
            }
            n::DidChangeTextDocument::METHOD => {
                let p: DidChangeTextDocumentParams = params(not.params)?;
                let path = path_of(&p.text_document.uri)?;
                self.workspace.change(&path, |t| {
                    for c in p.content_changes {
                        match c.range {
                            None => *t = c.text,
                            Some(r) => {
                                let s = text::offset(t, r.start);
                                let e = text::offset(t, r.end).max(s);
                                t.replace_range(s..e, &c.text);
                            }
                        }
                    }
                });
            }
            n::DidCloseTextDocument::METHOD => {
                let p: DidCloseTextDocumentParams = params(not.params)?;
                self.workspace.close(&path_of(&p.text_document.uri)?);
            }
            n::DidSaveTextDocument::METHOD => {
                let p: DidSaveTextDocumentParams = params(not.params)?;
                self.workspace.reload(&path_of(&p.text_document.uri)?);
            }
            n::DidChangeWatchedFiles::METHOD => {
                let p: DidChangeWatchedFilesParams = params(not.params)?;
                for c in p.changes {
                    self.workspace.reload(&path_of(&c.uri)?);
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// The diagnostics of every project changed since the last flush.
    pub fn flush(&mut self) -> Vec<Notification> {
        self.workspace
            .flush()
            .into_iter()
            .filter_map(|(path, diagnostics)| {
                let p = PublishDiagnosticsParams {
                    uri: uri::from_path(&path)?,
                    diagnostics,
                    version: None,
                };
                Some(Notification::new(
                    n::PublishDiagnostics::METHOD.to_string(),
                    p,
                ))
            })
            .collect()
    }

    pub fn request(&mut self, req: Request) -> Response {
        let id: RequestId = req.id.clone();
        match self.answer(req) {
            Ok(v) => Response::new_ok(id, v),
            Err((code, msg)) => Response::new_err(id, code as i32, msg),
        }
    }

    fn answer(&mut self, req: Request) -> Answer {
        match req.method.as_str() {
            r::Completion::METHOD => {
                let p: CompletionParams = params(req.params)?;
                let (path, pos) = doc_pos(&p.text_document_position)?;
                let Some(a) = self.workspace.analysis(&path) else {
                    return json(Value::Null);
                };
                let Some(id) = a.file_id(&path) else {
                    return json(Value::Null);
                };
                let src = a.text(id);
                let items = complete::complete(a, src, text::offset(src, pos));
                json(CompletionResponse::Array(items))
            }
            r::HoverRequest::METHOD => {
                let p: HoverParams = params(req.params)?;
                let (path, pos) = doc_pos(&p.text_document_position_params)?;
                let Some((a, id, offset)) = self.locate(&path, pos) else {
                    return json(Value::Null);
                };
                let Some((md, (s, e))) = hover::hover(a, id, offset) else {
                    return json(Value::Null);
                };
                json(Hover {
                    contents: HoverContents::Markup(MarkupContent {
                        kind: MarkupKind::Markdown,
                        value: md,
                    }),
                    range: Some(text::range(a.text(id), s, e)),
                })
            }
            r::GotoDefinition::METHOD => {
                let p: GotoDefinitionParams = params(req.params)?;
                let (path, pos) = doc_pos(&p.text_document_position_params)?;
                let Some((a, id, offset)) = self.locate(&path, pos) else {
                    return json(Value::Null);
                };
                match edit::definition(a, id, offset).and_then(|pl| location(a, &pl)) {
                    Some(l) => json(GotoDefinitionResponse::Scalar(l)),
                    None => json(Value::Null),
                }
            }
            r::References::METHOD => {
                let p: ReferenceParams = params(req.params)?;
                let (path, pos) = doc_pos(&p.text_document_position)?;
                let Some((a, id, offset)) = self.locate(&path, pos) else {
                    return json(Value::Null);
                };
                let locs: Vec<Location> =
                    edit::references(a, id, offset, p.context.include_declaration)
                        .iter()
                        .filter_map(|pl| location(a, pl))
                        .collect();
                json(locs)
            }
            r::PrepareRenameRequest::METHOD => {
                let p: TextDocumentPositionParams = params(req.params)?;
                let (path, pos) = doc_pos(&p)?;
                let Some((a, id, offset)) = self.locate(&path, pos) else {
                    return json(Value::Null);
                };
                match edit::renameable(a, id, offset) {
                    Ok(o) => json(PrepareRenameResponse::RangeWithPlaceholder {
                        range: text::range(a.text(id), o.span.start, o.span.end),
                        placeholder: o.name.clone(),
                    }),
                    Err(msg) => Err((ErrorCode::RequestFailed, msg)),
                }
            }
            r::Rename::METHOD => {
                let p: RenameParams = params(req.params)?;
                let (path, pos) = doc_pos(&p.text_document_position)?;
                let Some((a, id, offset)) = self.locate(&path, pos) else {
                    return json(Value::Null);
                };
                let edits = edit::rename(a, id, offset, &p.new_name)
                    .map_err(|m| (ErrorCode::RequestFailed, m))?;
                let mut changes = HashMap::new();
                for (file, list) in edits {
                    let Some(fid) = a.file_id(&file) else {
                        continue;
                    };
                    let Some(u) = uri::from_path(&file) else {
                        continue;
                    };
                    let src = a.text(fid);
                    let te = list
                        .into_iter()
                        .map(|(s, t)| TextEdit::new(text::range(src, s.start, s.end), t))
                        .collect();
                    changes.insert(u, te);
                }
                json(WorkspaceEdit::new(changes))
            }
            r::Formatting::METHOD => {
                let p: DocumentFormattingParams = params(req.params)?;
                let path = path_of(&p.text_document.uri)?;
                let Some(src) = self.workspace.text(&path) else {
                    return json(Value::Null);
                };
                match edit::format(src) {
                    Some(out) => json(vec![TextEdit::new(text::range(src, 0, src.len()), out)]),
                    None => json(Vec::<TextEdit>::new()),
                }
            }
            r::CodeActionRequest::METHOD => {
                let p: CodeActionParams = params(req.params)?;
                let path = path_of(&p.text_document.uri)?;
                let Some(a) = self.workspace.analysis(&path) else {
                    return json(Value::Null);
                };
                let Some(id) = a.file_id(&path) else {
                    return json(Value::Null);
                };
                let src = a.text(id);
                let (s, e) = (
                    text::offset(src, p.range.start),
                    text::offset(src, p.range.end),
                );
                let by_file = diagnostics::by_file(a);
                let shown = by_file.get(&path);
                let actions: Vec<CodeActionOrCommand> = edit::fixes(a, id, s, e)
                    .into_iter()
                    .map(|f| {
                        let range = text::range(src, f.span.start, f.span.end);
                        let mut changes = HashMap::new();
                        changes.insert(
                            p.text_document.uri.clone(),
                            vec![TextEdit::new(range, f.text)],
                        );
                        let diag = shown.and_then(|ds| {
                            let d = a.compilation.diagnostics.items.get(f.diagnostic)?;
                            ds.iter()
                                .find(|x| {
                                    x.range == range
                                        && x.code == Some(NumberOrString::String(d.code.into()))
                                })
                                .cloned()
                        });
                        CodeActionOrCommand::CodeAction(CodeAction {
                            title: f.title,
                            kind: Some(CodeActionKind::QUICKFIX),
                            diagnostics: diag.map(|d| vec![d]),
                            edit: Some(WorkspaceEdit::new(changes)),
                            is_preferred: None,
                            ..CodeAction::default()
                        })
                    })
                    .collect();
                json(actions)
            }
            other => Err((
                ErrorCode::MethodNotFound,
                format!("capol lsp does not answer `{other}`"),
            )),
        }
    }

    fn locate(
        &mut self,
        path: &std::path::Path,
        pos: Position,
    ) -> Option<(&project::Analysis, crate::source::FileId, usize)> {
        let a = self.workspace.analysis(path)?;
        let id = a.file_id(path)?;
        let offset = text::offset(a.text(id), pos);
        Some((a, id, offset))
    }
}

fn doc_pos(p: &TextDocumentPositionParams) -> Result<(PathBuf, Position), (ErrorCode, String)> {
    Ok((path_of(&p.text_document.uri)?, p.position))
}

fn location(a: &project::Analysis, (path, span): &edit::Place) -> Option<Location> {
    let id = a.file_id(path)?;
    Some(Location::new(
        uri::from_path(path)?,
        text::range(a.text(id), span.start, span.end),
    ))
}
