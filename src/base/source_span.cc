#include "base/source_span.h"

#include <algorithm>

namespace dbarch {

namespace {

bool IsContinuationByte(unsigned char c) { return (c & 0xC0) == 0x80; }

}  // namespace

SourceFile::SourceFile(std::string name, std::string text)
    : name_(std::move(name)), text_(std::move(text)) {
  line_starts_.push_back(0);
  for (uint32_t i = 0; i < text_.size(); ++i) {
    if (text_[i] == '\n') line_starts_.push_back(i + 1);
  }
}

LineCol SourceFile::Locate(uint32_t offset) const {
  offset = std::min<uint32_t>(offset, static_cast<uint32_t>(text_.size()));
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  uint32_t line_index = static_cast<uint32_t>(it - line_starts_.begin()) - 1;
  uint32_t column = 1;
  for (uint32_t i = line_starts_[line_index]; i < offset; ++i) {
    if (!IsContinuationByte(static_cast<unsigned char>(text_[i]))) ++column;
  }
  return {line_index + 1, column};
}

SourceSpan SourceFile::Span(uint32_t begin, uint32_t end) const {
  LineCol lc = Locate(begin);
  return SourceSpan{name_, begin, end, lc.line, lc.column};
}

std::string_view SourceFile::Line(uint32_t line) const {
  if (line == 0 || line > line_starts_.size()) return {};
  uint32_t begin = line_starts_[line - 1];
  uint32_t end = line < line_starts_.size() ? line_starts_[line] - 1
                                            : static_cast<uint32_t>(text_.size());
  std::string_view v(text_.data() + begin, end - begin);
  if (!v.empty() && v.back() == '\r') v.remove_suffix(1);
  return v;
}

uint32_t CharPosToByteOffset(std::string_view text, int char_pos) {
  if (char_pos <= 1) return 0;
  int chars = 0;
  for (uint32_t i = 0; i < text.size(); ++i) {
    if (!IsContinuationByte(static_cast<unsigned char>(text[i]))) {
      if (++chars == char_pos) return i;
    }
  }
  return static_cast<uint32_t>(text.size());
}

std::string FormatSourceExcerpt(const SourceFile& file, uint32_t offset) {
  LineCol lc = file.Locate(offset);
  std::string_view line = file.Line(lc.line);
  std::string out = "  ";
  out.append(line);
  out += "\n  ";
  // The caret lines up under the character: keep tabs, blank everything else.
  uint32_t column = 1;
  for (size_t i = 0; i < line.size() && column < lc.column; ++i) {
    unsigned char c = static_cast<unsigned char>(line[i]);
    if (IsContinuationByte(c)) continue;
    out += c == '\t' ? '\t' : ' ';
    ++column;
  }
  out += "^\n";
  return out;
}

}  // namespace dbarch
