// Starts `capol lsp` for .capol files. The server does the work: diagnostics, completion,
// hover, definition, references, rename, formatting and quick fixes.
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration('capol').get('server.path') || 'capol';
  const server = { command, args: ['lsp'] };
  client = new LanguageClient(
    'capol',
    'capol',
    { run: server, debug: server },
    {
      documentSelector: [{ scheme: 'file', language: 'capol' }],
      synchronize: {
        fileEvents: vscode.workspace.createFileSystemWatcher('**/{*.capol,capol.lock,capol.toml}'),
      },
    },
  );
  context.subscriptions.push({ dispose: () => client && client.stop() });
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
