// FormatError: how a failed Status is shown to people (cli/ prints it on stderr). With a
// source position: "file:line:col: error: message", the source line with a caret under the
// position, then "hint: ..." when the status has one. Without the source text, only the
// "file:line:col: error: message" line (and the hint); without a span, "error: message".
// A message of several lines (PostgreSQL quotes the rest of the input after "unterminated
// quoted string at or near") is cut after its first line, marked " ...". Line and column
// are 1-based, the column counted in characters (report/ is the only place
// that turns byte offsets into line:col). Pure; thread-safe.
#pragma once

#include <string>

#include "base/source_span.h"
#include "base/status.h"

namespace dbarch::report {

// Formats a non-OK `status`. `file` is the source the span points into, or null when its
// text is not available (the span's own line and column are then used; when they are
// unknown too, its file name alone). `file` is used only when its name matches the span's
// file (or the span names no file). Every line ends in '\n'. Requires: !status.ok().
std::string FormatError(const Status& status, const SourceFile* file);

// "file:line:col" for a span (line/col from `file` when given and matching, else from the
// span); "file" when the position is unknown; "" when the span names no file.
std::string FormatLocation(const SourceSpan& span, const SourceFile* file);

}  // namespace dbarch::report
