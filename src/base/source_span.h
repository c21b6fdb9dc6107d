// SourceSpan and SourceFile: where a piece of SQL came from. Positions are 0-based byte
// offsets everywhere inside dbarch; SourceFile turns them into 1-based line and column
// (counted in characters, so non-ASCII text points at the right place) for reports.
// SourceFile is immutable after construction and safe to share between threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace dbarch {

// A half-open byte range [begin, end) in a named source. `file` is the name the user gave
// (a path, "<stdin>", or "<server>"); empty when unknown.
struct SourceSpan {
  std::string file;
  uint32_t begin = 0;
  uint32_t end = 0;
  // 1-based line and column of `begin`, filled by SourceFile::Locate; 0 when unknown.
  uint32_t line = 0;
  uint32_t column = 0;
};

struct LineCol {
  uint32_t line = 0;    // 1-based
  uint32_t column = 0;  // 1-based, in UTF-8 characters
};

class SourceFile {
 public:
  SourceFile(std::string name, std::string text);

  const std::string& name() const { return name_; }
  const std::string& text() const { return text_; }

  // 1-based line and character column of byte `offset` (clamped to the text).
  LineCol Locate(uint32_t offset) const;
  // A span of [begin, end) with line and column filled in.
  SourceSpan Span(uint32_t begin, uint32_t end) const;
  // The text of 1-based line `line` without its newline; empty if out of range.
  std::string_view Line(uint32_t line) const;

 private:
  std::string name_;
  std::string text_;
  std::vector<uint32_t> line_starts_;  // byte offset of each line's first byte
};

// Converts a 1-based character position (as libpg_query's cursorpos) in UTF-8 `text`
// to a 0-based byte offset; positions past the end map to text.size().
uint32_t CharPosToByteOffset(std::string_view text, int char_pos);

// The source line holding byte `offset` and a caret under it, each indented by two
// spaces and ending in a newline: "  SELECT 1 +\n             ^\n".
std::string FormatSourceExcerpt(const SourceFile& file, uint32_t offset);

}  // namespace dbarch
