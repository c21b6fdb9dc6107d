// psql scripts: SQL files as projects keep them, with psql meta-commands (\set, \i, \ir,
// \if, \connect, \echo ...), :variables and COPY ... FROM stdin data blocks, turned into
// plain SQL that the PostgreSQL grammar accepts, the way psql itself would run them.
//
// Meta-commands and COPY data are replaced by blanks in a copy of the text (newlines kept),
// so every statement keeps its byte offset, line and column in the original file; an
// interpolated :variable whose value is longer than its reference shifts the rest of its
// line. An included file (\i, \ir) becomes its own part, so positions in it are its own.
// What cannot be modelled (a shell escape, \gexec, \copy, data rows, \connect to another
// database) is skipped with a note; it is never a syntax error.
//
// Used by catalog/ (schema files), lint/ and cli/ (sandbox loads). Stateless; thread-safe.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "base/source_span.h"
#include "base/status.h"

namespace dbarch::sql {

// Something in a script that dbarch skipped or handled differently from psql.
struct ScriptNote {
  SourceSpan span;  // file, offsets, line and column of the meta-command or statement
  std::string message;
  // True when psql would have run something here that the expanded text leaves out (COPY
  // data, \copy, \gexec, \gset, \connect, shell commands, \prompt); false for what only
  // shows output or sets psql options. A runner that executes the text must stop on it.
  bool skips_execution = false;
};

// One piece of plain SQL in execution order: the text of `file` with everything that is not
// SQL blanked out. Offsets into it are offsets into the original file.
// A variable reference in SQL text (:name, :'name', :"name") replaced by its value.
struct ScriptSubstitution {
  uint32_t begin = 0;  // the value in the part's text, padding included
  uint32_t end = 0;
  std::string name;       // the variable
  std::string reference;  // the reference as written (":'name'"), never longer than end - begin
};

struct ScriptPart {
  SourceFile file;
  std::vector<ScriptSubstitution> substitutions;  // in text order
};

// A reference in SQL text to a variable that is not set: psql sends it as written, which
// the server rejects (or, for a bare :name, may read as something else). A bare :name
// inside square brackets (an array slice a[1:n]) is not counted.
struct UnsetVariable {
  SourceSpan span;  // the reference in its file
  std::string name;
  std::string reference;  // as written
};

struct PsqlScript {
  std::vector<ScriptPart> parts;
  std::vector<ScriptNote> notes;
  std::vector<UnsetVariable> unset_variables;  // in execution order
};

struct PsqlOptions {
  // Reads an included file (\i, \ir), given the path as psql would open it (relative \i
  // paths are relative to the working directory, \ir paths to the including file).
  // Without a reader, an include is an error.
  std::function<Result<SourceFile>(const std::string& path)> read_file;
  // psql variables set before the script runs (as `psql -v NAME=VALUE`).
  std::map<std::string, std::string> variables;
  // Nesting limit for includes; a deeper include is an error (psql would recurse forever).
  int max_include_depth = 16;
};

// Expands `file` as psql would run it. Errors (kParseError with the span of the
// meta-command): an unterminated \if, an \else or \endif without \if, a non-boolean \if
// expression, an include that cannot be read or nests too deep. A text without any
// meta-command, variable reference or COPY FROM stdin comes back as one part equal to it.
Result<PsqlScript> ExpandPsqlScript(const SourceFile& file, const PsqlOptions& options);

}  // namespace dbarch::sql
