// A compiled PostgreSQL log_line_prefix: matches the prefix of one stderr log line and
// returns the fields it carries (timestamp, process id, user, database, application...)
// and where the message ("LOG:  ...") starts. Handles every escape of PostgreSQL 15's
// log_line_prefix (%a %u %d %r %h %b %p %P %t %m %n %i %e %c %l %s %v %x %q %%) and literal
// text; after %q a line of a process without a session (checkpointer, autovacuum launcher)
// ends the prefix there, as the server does. Also detects the prefix of a log from its
// first lines. Used by log_reader.cc. Immutable after Compile; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace dbarch::workload {

// The fields of one line's prefix, as views into the line. Empty when the prefix has no
// such escape or the line omitted it (after %q).
struct PrefixFields {
  std::string_view timestamp;    // %m, %t or %n
  std::string_view pid;          // %p
  std::string_view session;      // %c
  std::string_view user;         // %u
  std::string_view database;     // %d
  std::string_view application;  // %a
  std::string_view host;         // %h or %r
  std::string_view severity;     // LOG, ERROR, STATEMENT, DETAIL...
  std::string_view message;      // the rest of the line after "SEVERITY:  "
};

class LinePrefix {
 public:
  // Compiles `prefix` (the value of log_line_prefix, without quotes). kInvalidArgument for
  // an unknown escape, a padded escape (%10u) or two variable-width escapes in a row (such
  // as %u%d, which no reader can split).
  static Result<LinePrefix> Compile(std::string_view prefix);

  // Detects the prefix from sample lines (the first lines of a log; continuation lines
  // starting with a tab are ignored): the common log_line_prefix settings are tried and the
  // one that matches the most lines wins. kInvalidArgument when none matches at least half
  // of them (the message says to pass --prefix).
  static Result<LinePrefix> Detect(const std::vector<std::string_view>& lines);

  // Matches `line` (without its newline). True and `*out` filled when the prefix and a
  // "SEVERITY:  " marker follow each other; false for a line that does not match.
  bool Match(std::string_view line, PrefixFields* out) const;

  const std::string& text() const { return text_; }

 private:
  struct Element {
    char escape = 0;      // 0: literal text
    std::string literal;  // for literals
  };
  bool MatchFrom(std::string_view line, size_t element_end, PrefixFields* out) const;

  std::string text_;
  std::vector<Element> elements_;
  size_t q_index_ = static_cast<size_t>(-1);  // index of the %q element; -1: none
};

}  // namespace dbarch::workload
