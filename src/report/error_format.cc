#include "report/error_format.h"

#include <string>

namespace dbarch::report {

namespace {

// `file` when it holds the text the span points into.
const SourceFile* Matching(const SourceSpan& span, const SourceFile* file) {
  if (file == nullptr) return nullptr;
  if (!span.file.empty() && span.file != file->name()) return nullptr;
  return file;
}

}  // namespace

std::string FormatLocation(const SourceSpan& span, const SourceFile* file) {
  const SourceFile* source = Matching(span, file);
  std::string name = !span.file.empty() ? span.file : (source != nullptr ? source->name() : "");
  uint32_t line = span.line;
  uint32_t column = span.column;
  if (source != nullptr) {
    LineCol lc = source->Locate(span.begin);
    line = lc.line;
    column = lc.column;
  }
  if (name.empty()) return "";
  if (line == 0) return name;
  return name + ":" + std::to_string(line) + ":" + std::to_string(column);
}

std::string FormatError(const Status& status, const SourceFile* file) {
  std::string out;
  const SourceFile* source = nullptr;
  if (status.span().has_value()) {
    const SourceSpan& span = *status.span();
    std::string where = FormatLocation(span, file);
    if (!where.empty()) out += where + ": ";
    source = Matching(span, file);
  }
  // Some server messages quote the rest of the input ("unterminated quoted string at or
  // near ..." runs to the end of the file): show their first line only.
  const std::string& message = status.message();
  size_t newline = message.find('\n');
  out += "error: ";
  out += newline == std::string::npos ? message : message.substr(0, newline) + " ...";
  out += "\n";
  if (source != nullptr) out += FormatSourceExcerpt(*source, status.span()->begin);
  if (!status.hint().empty()) out += "hint: " + status.hint() + "\n";
  return out;
}

}  // namespace dbarch::report
