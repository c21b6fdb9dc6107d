// The cli's access to the terminal and to output files: the only code that writes to stdout
// and stderr. Errors go to stderr formatted by report/ (file:line:col, source line, caret,
// hint); progress lines go to stderr only when it is a terminal, so pipes and tests see
// only results and errors. Output is written whole or not at all: a command renders its
// result into a string first and calls WriteResult once. Single-threaded use (main thread).
#pragma once

#include <string>

#include "base/source_span.h"
#include "base/status.h"
#include "cli/exit_codes.h"
#include "sql/psql_script.h"

namespace dbarch::cli {

// True when stderr is a terminal (progress lines are shown).
bool StderrIsTerminal();

// "dbarch: <message>" on stderr when it is a terminal; nothing otherwise.
void Progress(const std::string& message);

// "dbarch: warning: <message>" on stderr.
void Warn(const std::string& message);

// "file:line:col: note: <message>" on stderr: what reading a psql script skipped.
void ReportNote(const sql::ScriptNote& note);

// Prints `status` (not OK) on stderr: with a source position as "file:line:col: error: ..."
// plus the source line and a caret when `file` (may be null) holds that source, or when the
// span's file can be read again from disk; otherwise "dbarch: error: ...". Returns the exit
// code for it (ExitCodeFor).
ExitCode ReportError(const Status& status, const SourceFile* file = nullptr);

// "dbarch: error: <message>" plus a usage pointer on stderr; returns ExitCode::kUsage.
ExitCode ReportUsageError(const std::string& message, const std::string& help_command);

// Writes `text` to stdout (`path` empty or "-") or to the file `path`, replacing it only
// once the whole text is written (a temporary file renamed into place). kIO naming the path
// on failure.
Status WriteResult(const std::string& text, const std::string& path);

}  // namespace dbarch::cli
