// SpanOfYamlMark: the SourceSpan of a position yaml-cpp reports (a YAML::Mark: 0-based line,
// column and character position), for errors in YAML files (lint config, generate spec).
// Header-only and templated on the mark type, so base/ does not link yaml-cpp.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>

#include "base/source_span.h"

namespace dbarch {

template <typename Mark>
SourceSpan SpanOfYamlMark(const std::string& path, const Mark& mark) {
  SourceSpan span;
  span.file = path;
  span.line = static_cast<uint32_t>(mark.line + 1);
  span.column = static_cast<uint32_t>(mark.column + 1);
  // Renderers place the caret from the byte offset: keep it in step with line:column.
  span.begin = span.end = static_cast<uint32_t>(std::max(mark.pos, 0));
  return span;
}

}  // namespace dbarch
