// Rename annotations in DDL comments: `-- dbarch:renamed-from OLD` and sqldef's
// `-- @renamed from=OLD`, read from the files a catalog was built from.
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/strings.h"
#include "catalog/builder.h"
#include "diff/diff.h"

namespace dbarch::diff {
namespace {

// The line of `text` holding byte `offset` as [begin, end).
std::pair<size_t, size_t> LineAt(const std::string& text, size_t offset) {
  offset = std::min(offset, text.size());
  size_t begin = text.rfind('\n', offset == 0 ? 0 : offset - 1);
  begin = begin == std::string::npos || offset == 0 ? 0 : begin + 1;
  size_t end = text.find('\n', offset);
  if (end == std::string::npos) end = text.size();
  return {begin, end};
}

// An identifier as written (quoted or not) -> its stored spelling.
std::string Unquote(std::string_view word) {
  if (word.size() >= 2 && word.front() == '"' && word.back() == '"') {
    std::string out;
    for (size_t i = 1; i + 1 < word.size(); ++i) {
      out += word[i];
      if (word[i] == '"' && i + 2 < word.size() && word[i + 1] == '"') ++i;
    }
    return out;
  }
  return ToLower(word);
}

// The old name announced in `line` (a source line), or "".
std::string OldNameIn(std::string_view line) {
  size_t comment = line.find("--");
  if (comment == std::string_view::npos) return "";
  std::string_view rest = line.substr(comment + 2);
  size_t at = rest.find("dbarch:renamed-from");
  size_t skip = std::string_view("dbarch:renamed-from").size();
  if (at == std::string_view::npos) {
    at = rest.find("@renamed");
    if (at == std::string_view::npos) return "";
    size_t eq = rest.find("from=", at);
    if (eq == std::string_view::npos) return "";
    at = eq;
    skip = 5;
  }
  rest = rest.substr(at + skip);
  while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t' || rest.front() == '=')) {
    rest.remove_prefix(1);
  }
  size_t end = 0;
  bool quoted = false;
  while (end < rest.size()) {
    char c = rest[end];
    if (c == '"') quoted = !quoted;
    if (!quoted && (c == ' ' || c == '\t' || c == '\r' || c == ',' || c == ';')) break;
    ++end;
  }
  return std::string(rest.substr(0, end));
}

// The annotation on the line of `offset` or on a comment-only line just before it.
std::string AnnotationAt(const std::string& text, size_t offset) {
  auto [begin, end] = LineAt(text, offset);
  std::string found = OldNameIn(std::string_view(text).substr(offset, end - offset));
  if (!found.empty()) return found;
  if (begin == 0) return "";
  auto [pbegin, pend] = LineAt(text, begin - 1);
  std::string_view prev = Trim(std::string_view(text).substr(pbegin, pend - pbegin));
  if (StartsWith(prev, "--")) return OldNameIn(prev);
  return "";
}

// "schema.name" or "name" (each part quoted or not) -> the last part, unquoted.
std::string LastPart(const std::string& dotted) {
  bool quoted = false;
  size_t dot = std::string::npos;
  for (size_t i = 0; i < dotted.size(); ++i) {
    if (dotted[i] == '"') quoted = !quoted;
    if (!quoted && dotted[i] == '.') dot = i;
  }
  return Unquote(dot == std::string::npos ? dotted : dotted.substr(dot + 1));
}

}  // namespace

std::vector<Rename> RenameAnnotationsInText(const catalog::Catalog& catalog,
                                            const std::string& file, const std::string& text) {
  std::vector<Rename> out;
  for (const auto& [q, t] : catalog.tables) {
    if (t.origin.span.file != file) continue;
    std::string old = AnnotationAt(text, t.origin.span.begin);
    if (!old.empty()) {
      std::string name = LastPart(old);
      if (name != q.name) out.push_back(Rename{catalog::ObjectKind::kTable, q, "", name});
    }
    for (const catalog::Column& c : t.columns) {
      if (c.origin.span.file != file || c.origin.clause_line == 0) continue;
      // Only the column's own line: a table annotation on the CREATE TABLE line is not one.
      auto [begin, end] = LineAt(text, c.origin.clause_begin);
      auto [tbegin, tend] = LineAt(text, t.origin.span.begin);
      if (begin == tbegin) continue;
      std::string col_old = AnnotationAt(text, c.origin.clause_begin);
      if (col_old.empty()) continue;
      std::string name = LastPart(col_old);
      if (name != c.name) out.push_back(Rename{catalog::ObjectKind::kColumn, q, c.name, name});
    }
  }
  return out;
}

Result<std::vector<Rename>> ReadRenameAnnotations(const catalog::Catalog& catalog) {
  std::map<std::string, bool> files;
  for (const auto& [q, t] : catalog.tables) {
    const std::string& f = t.origin.span.file;
    if (!f.empty() && f.front() != '<') files[f] = true;
  }
  std::vector<Rename> out;
  for (const auto& [file, unused] : files) {
    Result<SourceFile> source = catalog::ReadSourceFile(file);
    if (!source.ok()) return source.status();
    for (Rename& r : RenameAnnotationsInText(catalog, file, source->text())) {
      out.push_back(std::move(r));
    }
  }
  return out;
}

}  // namespace dbarch::diff
