#include "sql/psql_script.h"

#include <filesystem>
#include <optional>
#include <utility>

#include "sql/parser.h"

namespace dbarch::sql {

namespace {

bool IsIdentStart(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

bool IsIdentChar(unsigned char c) { return IsIdentStart(c) || (c >= '0' && c <= '9') || c == '$'; }

bool IsVarChar(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// The variable a reference names: ":'name'", ":\"name\"" or ":name" -> "name".
std::string VariableName(std::string_view reference) {
  std::string_view v = reference.substr(1);
  if (!v.empty() && (v.front() == '\'' || v.front() == '"')) v = v.substr(1, v.size() - 2);
  return std::string(v);
}

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f'; }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// psql's ParseVariableBool: an unambiguous prefix of true/false/yes/no, on/off, 1/0.
std::optional<bool> ParseBool(const std::string& value) {
  std::string v = Lower(value);
  if (v.empty()) return std::nullopt;
  auto prefix_of = [&](std::string_view word, size_t min) {
    return v.size() >= min && v.size() <= word.size() && word.substr(0, v.size()) == v;
  };
  if (prefix_of("true", 1) || prefix_of("yes", 1) || prefix_of("on", 2) || v == "1") return true;
  if (prefix_of("false", 1) || prefix_of("no", 1) || prefix_of("off", 2) || v == "0") return false;
  return std::nullopt;
}

std::string QuoteLiteral(const std::string& v) {
  std::string out;
  bool backslash = v.find('\\') != std::string::npos;
  // As psql's PQescapeLiteral: a space first, so that E'...' never joins a word before it.
  if (backslash) out += " E";
  out += '\'';
  for (char c : v) {
    if (c == '\'' || (backslash && c == '\\')) out += c;
    out += c;
  }
  out += '\'';
  return out;
}

std::string QuoteIdent(const std::string& v) {
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += c;
    out += c;
  }
  out += '"';
  return out;
}

// Commands that only print, format or time output in psql: nothing to do for a schema.
bool IsOutputOnly(const std::string& cmd) {
  static const char* const kOutput[] = {"echo", "qecho", "warn", "pset", "timing", "o", "out",
                                        "x", "a", "t", "H", "T", "f", "C", "encoding",
                                        "conninfo", "errverbose", "setenv", "cd", "restrict",
                                        "unrestrict", "q", "quit", "r", "reset", "p", "print"};
  for (const char* c : kOutput) {
    if (cmd == c) return true;
  }
  return false;
}

// Commands that end the query buffer and send it, like a semicolon.
bool EndsQuery(const std::string& cmd) {
  return cmd == "g" || cmd == "gx" || cmd == "gexec" || cmd == "gset" || cmd == "gdesc" ||
         cmd == "crosstabview" || cmd == "watch";
}

struct Conditional {
  bool outer_active = true;  // every enclosing branch is taken
  bool taken = false;        // some branch of this \if has been taken
  bool active = false;       // the current branch is taken
  bool seen_else = false;
  uint32_t begin = 0;  // offset of the \if, for "unterminated" errors
};

class Expander {
 public:
  explicit Expander(const PsqlOptions& options) : options_(options), vars_(options.variables) {}

  Status Run(const SourceFile& file, int depth);
  PsqlScript Take() { return std::move(script_); }

 private:
  // The state of one file's scan.
  struct Scan {
    const SourceFile* file = nullptr;
    std::string_view text;
    std::string buf;  // the plain SQL produced so far (offsets as in `text` but for shifts)
    size_t blank_prefix = 0;  // buf[0, blank_prefix) belongs to an earlier part
    size_t stmt_begin = std::string::npos;      // in text: first token of the pending statement
    size_t stmt_buf_begin = std::string::npos;  // the same in buf
    int paren_depth = 0;
    int bracket_depth = 0;  // inside [ ]: a bare :name may be an array slice bound
    std::vector<Conditional> conds;
    std::vector<ScriptSubstitution> substitutions;  // of the current part
    bool changed = false;  // buf differs from text
  };

  bool Active(const Scan& s) const {
    return s.conds.empty() || (s.conds.back().outer_active && s.conds.back().active);
  }
  void Note(const Scan& s, size_t begin, size_t end, std::string message,
            bool skips_execution = false) {
    script_.notes.push_back(
        ScriptNote{s.file->Span(static_cast<uint32_t>(begin), static_cast<uint32_t>(end)),
                   std::move(message), skips_execution});
  }
  Status Error(const Scan& s, size_t begin, size_t end, const std::string& message) const {
    return Status::ParseError(message).WithSpan(
        s.file->Span(static_cast<uint32_t>(begin), static_cast<uint32_t>(end)));
  }
  // Appends text[begin, end) to buf, blanked (newlines kept) unless `keep`.
  static void Copy(Scan& s, size_t begin, size_t end, bool keep) {
    if (keep) {
      s.buf.append(s.text.substr(begin, end - begin));
      return;
    }
    for (size_t i = begin; i < end; ++i) s.buf += s.text[i] == '\n' ? '\n' : ' ';
    if (end > begin) s.changed = true;
  }
  void FlushPart(Scan& s) {
    script_.parts.push_back(
        ScriptPart{SourceFile(s.file->name(), s.buf), std::move(s.substitutions)});
    s.substitutions.clear();
    for (char& c : s.buf) {
      if (c != '\n') c = ' ';
    }
    s.blank_prefix = s.buf.size();
  }

  size_t SkipQuoted(std::string_view text, size_t i, char quote, bool backslash_escapes) const;
  size_t SkipDollarQuote(std::string_view text, size_t i) const;
  Status MetaCommand(Scan& s, size_t begin, size_t* next, int depth);
  size_t SkipCopyData(Scan& s, size_t from);
  bool StatementIsCopyFromStdin(const Scan& s, size_t end) const;
  // Reads the arguments of a meta-command in text[begin, end), interpolating variables.
  std::vector<std::string> Arguments(Scan& s, size_t begin, size_t end, bool* backtick);
  // A set variable's value at a reference; false when text[i] starts no reference to a set
  // variable. `unset` (may be null) receives the name of a well-formed reference to a
  // variable that is not set (:{?name} is a test, never unset).
  bool Interpolate(const std::string_view text, size_t i, size_t* consumed, std::string* value,
                   std::string* unset = nullptr);

  const PsqlOptions& options_;
  std::map<std::string, std::string> vars_;
  PsqlScript script_;
};

size_t Expander::SkipQuoted(std::string_view text, size_t i, char quote,
                            bool backslash_escapes) const {
  ++i;
  while (i < text.size()) {
    char c = text[i];
    if (backslash_escapes && c == '\\' && i + 1 < text.size()) {
      i += 2;
      continue;
    }
    if (c == quote) {
      if (i + 1 < text.size() && text[i + 1] == quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    ++i;
  }
  return text.size();
}

// At a '$': the offset past the dollar-quoted string that starts here, or `i` when it is not
// the start of one ($1 parameters, identifiers with $).
size_t Expander::SkipDollarQuote(std::string_view text, size_t i) const {
  size_t j = i + 1;
  if (j < text.size() && text[j] != '$') {
    if (!IsIdentStart(static_cast<unsigned char>(text[j]))) return i;
    while (j < text.size() && text[j] != '$' &&
           (IsIdentStart(static_cast<unsigned char>(text[j])) || (text[j] >= '0' && text[j] <= '9'))) {
      ++j;
    }
  }
  if (j >= text.size() || text[j] != '$') return i;
  std::string_view tag = text.substr(i, j - i + 1);
  size_t close = text.find(tag, j + 1);
  return close == std::string_view::npos ? text.size() : close + tag.size();
}

// :name, :'name', :"name" and :{?name} at text[i] == ':'. False when it is not a reference
// to a set variable (psql then leaves the text as it is).
bool Expander::Interpolate(std::string_view text, size_t i, size_t* consumed, std::string* value,
                           std::string* unset) {
  size_t j = i + 1;
  if (j >= text.size()) return false;
  char c = text[j];
  if (c == '\'' || c == '"') {
    size_t k = j + 1;
    while (k < text.size() && IsVarChar(static_cast<unsigned char>(text[k]))) ++k;
    if (k == j + 1 || k >= text.size() || text[k] != c) return false;
    auto it = vars_.find(std::string(text.substr(j + 1, k - j - 1)));
    if (it == vars_.end()) {
      if (unset != nullptr) *unset = text.substr(j + 1, k - j - 1);
      *consumed = k + 1 - i;
      return false;
    }
    *value = c == '\'' ? QuoteLiteral(it->second) : QuoteIdent(it->second);
    *consumed = k + 1 - i;
    return true;
  }
  if (c == '{' && j + 1 < text.size() && text[j + 1] == '?') {
    size_t k = j + 2;
    while (k < text.size() && IsVarChar(static_cast<unsigned char>(text[k]))) ++k;
    if (k == j + 2 || k >= text.size() || text[k] != '}') return false;
    *value = vars_.count(std::string(text.substr(j + 2, k - j - 2))) ? "TRUE" : "FALSE";
    *consumed = k + 1 - i;
    return true;
  }
  size_t k = j;
  while (k < text.size() && IsVarChar(static_cast<unsigned char>(text[k]))) ++k;
  if (k == j) return false;
  auto it = vars_.find(std::string(text.substr(j, k - j)));
  if (it == vars_.end()) {
    if (unset != nullptr) *unset = text.substr(j, k - j);
    *consumed = k - i;
    return false;
  }
  *value = it->second;
  *consumed = k - i;
  return true;
}

std::vector<std::string> Expander::Arguments(Scan& s, size_t begin, size_t end, bool* backtick) {
  std::vector<std::string> args;
  std::string_view text = s.text;
  size_t i = begin;
  while (i < end) {
    while (i < end && IsBlank(text[i])) ++i;
    if (i >= end) break;
    std::string arg;
    while (i < end && !IsBlank(text[i])) {
      char c = text[i];
      if (c == '\'') {
        ++i;
        while (i < end) {
          if (text[i] == '\'' && i + 1 < end && text[i + 1] == '\'') {
            arg += '\'';
            i += 2;
          } else if (text[i] == '\'') {
            ++i;
            break;
          } else if (text[i] == '\\' && i + 1 < end) {
            char e = text[i + 1];
            arg += e == 'n' ? '\n' : e == 't' ? '\t' : e;
            i += 2;
          } else {
            arg += text[i++];
          }
        }
      } else if (c == '"') {
        size_t close = SkipQuoted(text.substr(0, end), i, '"', false);
        arg.append(text.substr(i, close - i));
        i = close;
      } else if (c == '`') {
        size_t close = text.find('`', i + 1);
        if (close == std::string_view::npos || close > end) close = end;
        *backtick = true;
        i = close < end ? close + 1 : end;
      } else if (c == ':') {
        size_t consumed = 0;
        std::string value;
        if (Interpolate(text.substr(0, end), i, &consumed, &value)) {
          arg += value;
          i += consumed;
        } else {
          arg += c;
          ++i;
        }
      } else {
        arg += c;
        ++i;
      }
    }
    args.push_back(std::move(arg));
  }
  return args;
}

// Whether the pending statement, ending at text offset `end` (its ';'), is a COPY ... FROM
// STDIN: its data rows follow in the script.
bool Expander::StatementIsCopyFromStdin(const Scan& s, size_t end) const {
  if (s.stmt_begin == std::string::npos) return false;
  std::string_view text = s.text;
  std::vector<std::string> words;
  size_t i = s.stmt_begin;
  while (i < end && words.size() < 64) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (IsIdentStart(c)) {
      size_t j = i;
      while (j < end && IsIdentChar(static_cast<unsigned char>(text[j]))) ++j;
      words.push_back(Lower(text.substr(i, j - i)));
      i = j;
    } else if (c == '\'' || c == '"') {
      i = SkipQuoted(text.substr(0, end), i, static_cast<char>(c), false);
    } else if (c == '(') {
      // A COPY (query) TO ...: never FROM STDIN; skip the query's words.
      int depth = 0;
      for (; i < end; ++i) {
        if (text[i] == '(') ++depth;
        if (text[i] == ')' && --depth == 0) break;
      }
      ++i;
    } else {
      ++i;
    }
  }
  if (words.empty() || words[0] != "copy") return false;
  for (size_t k = 1; k + 1 < words.size(); ++k) {
    if (words[k] == "from" && words[k + 1] == "stdin") return true;
  }
  return false;
}

// Blanks the data rows of a COPY FROM STDIN, from the line after `from` through the line
// "\." (or the end of the text). Returns the offset after them.
size_t Expander::SkipCopyData(Scan& s, size_t from) {
  std::string_view text = s.text;
  size_t line = text.find('\n', from);
  if (line == std::string_view::npos) return from;
  Copy(s, from, line + 1, true);
  size_t i = line + 1;
  while (i < text.size()) {
    size_t eol = text.find('\n', i);
    size_t stop = eol == std::string_view::npos ? text.size() : eol;
    std::string_view row = text.substr(i, stop - i);
    if (!row.empty() && row.back() == '\r') row.remove_suffix(1);
    size_t next = eol == std::string_view::npos ? text.size() : eol + 1;
    Copy(s, i, next, false);
    i = next;
    if (row == "\\.") break;
  }
  return i;
}

Status Expander::MetaCommand(Scan& s, size_t begin, size_t* next, int depth) {
  std::string_view text = s.text;
  size_t i = begin + 1;
  size_t name_end = i;
  if (name_end < text.size() && IsVarChar(static_cast<unsigned char>(text[name_end]))) {
    while (name_end < text.size() && IsVarChar(static_cast<unsigned char>(text[name_end]))) {
      ++name_end;
    }
  } else if (name_end < text.size() && text[name_end] != '\n') {
    ++name_end;
  }
  std::string cmd(text.substr(i, name_end - i));
  // Arguments run to the end of the line or to a "\\" separator.
  size_t end = text.find('\n', name_end);
  if (end == std::string_view::npos) end = text.size();
  size_t sep = text.find("\\\\", name_end);
  size_t after = end;
  if (sep != std::string_view::npos && sep < end) {
    end = sep;
    after = sep + 2;
  }
  *next = after;
  const bool active = Active(s);
  std::string shown = "\\" + cmd;

  // Conditionals are followed even inside branches that are not taken.
  if (cmd == "if" || cmd == "elif" || cmd == "else" || cmd == "endif") {
    Copy(s, begin, after, false);
    auto truth = [&]() -> Result<bool> {
      bool backtick = false;
      std::vector<std::string> args = Arguments(s, name_end, end, &backtick);
      std::string expr;
      for (const std::string& a : args) expr += a;
      std::optional<bool> b = ParseBool(expr);
      if (!b.has_value()) {
        return Error(s, begin, end,
                     "unrecognized value \"" + expr + "\" for " + shown +
                         " expression: Boolean expected");
      }
      return *b;
    };
    if (cmd == "if") {
      Conditional c;
      c.outer_active = active;
      c.begin = static_cast<uint32_t>(begin);
      if (active) {
        DBARCH_ASSIGN_OR_RETURN(bool b, truth());
        c.active = b;
        c.taken = b;
      }
      s.conds.push_back(c);
      return Status::OK();
    }
    if (s.conds.empty()) return Error(s, begin, end, shown + ": no matching \\if");
    Conditional& c = s.conds.back();
    if (cmd == "endif") {
      s.conds.pop_back();
      return Status::OK();
    }
    if (c.seen_else) return Error(s, begin, end, shown + ": cannot occur after \\else");
    if (cmd == "else") {
      c.seen_else = true;
      c.active = c.outer_active && !c.taken;
      c.taken = true;
      return Status::OK();
    }
    c.active = false;
    if (c.outer_active && !c.taken) {
      DBARCH_ASSIGN_OR_RETURN(bool b, truth());
      c.active = b;
      c.taken = b;
    }
    return Status::OK();
  }
  if (!active) {
    Copy(s, begin, after, false);
    return Status::OK();
  }

  bool backtick = false;
  std::vector<std::string> args = Arguments(s, name_end, end, &backtick);
  if (backtick) Note(s, begin, end, shown + ": backquoted shell commands are not run", true);

  if (EndsQuery(cmd)) {
    // The meta-command sends the query buffer: it ends the statement like a semicolon.
    if (s.stmt_begin != std::string::npos) {
      s.buf += ';';
      s.changed = true;
      Copy(s, begin + 1, after, false);
      s.stmt_begin = s.stmt_buf_begin = std::string::npos;
      s.paren_depth = 0;
    } else {
      Copy(s, begin, after, false);
    }
    if (cmd == "gexec") {
      Note(s, begin, end,
           "\\gexec: the statements it would run from the query's result are not "
           "known without running it; they are not in the model",
           true);
    } else if (cmd == "gset") {
      Note(s, begin, end, "\\gset: variables set from a query's result are left unset", true);
    }
    return Status::OK();
  }

  Copy(s, begin, after, false);
  if (cmd == "set") {
    if (args.empty()) return Status::OK();
    std::string value;
    for (size_t k = 1; k < args.size(); ++k) value += args[k];
    vars_[args[0]] = value;
    return Status::OK();
  }
  if (cmd == "unset") {
    if (!args.empty()) vars_.erase(args[0]);
    return Status::OK();
  }
  if (cmd == "i" || cmd == "include" || cmd == "ir" || cmd == "include_relative") {
    if (args.empty()) return Error(s, begin, end, shown + ": missing required argument");
    std::string path = args[0];
    bool relative = cmd == "ir" || cmd == "include_relative";
    if (relative && !std::filesystem::path(path).is_absolute()) {
      std::filesystem::path dir = std::filesystem::path(s.file->name()).parent_path();
      if (!dir.empty()) path = (dir / path).lexically_normal().string();
    }
    if (depth + 1 > options_.max_include_depth) {
      return Error(s, begin, end,
                   shown + " " + args[0] + ": includes nest more than " +
                       std::to_string(options_.max_include_depth) + " deep");
    }
    if (!options_.read_file) {
      return Error(s, begin, end, shown + ": included files cannot be read here");
    }
    auto included = options_.read_file(path);
    if (!included.ok()) {
      return Error(s, begin, end, shown + " " + args[0] + ": " + included.status().message());
    }
    if (s.stmt_begin != std::string::npos) {
      Note(s, begin, end, shown + ": the statement before it has no terminating semicolon");
    }
    FlushPart(s);
    return Run(*included, depth + 1);
  }
  if (cmd == "connect" || cmd == "c") {
    std::string db = args.empty() || args[0] == "-" ? "the same database" : "database \"" + args[0] + "\"";
    Note(s, begin, end,
         shown + ": psql would run what follows in " + db +
             "; dbarch reads every statement into one model",
         true);
    return Status::OK();
  }
  if (cmd == "copy") {
    Note(s, begin, end, "\\copy: client-side data copy skipped (dbarch reads the schema)", true);
    return Status::OK();
  }
  if (cmd == "!") {
    Note(s, begin, end, "\\!: shell command not run", true);
    return Status::OK();
  }
  if (cmd == "prompt") {
    std::string var = args.empty() ? "" : args.back();
    Note(s, begin, end, "\\prompt: interactive input skipped; variable \"" + var + "\" left unset",
         true);
    return Status::OK();
  }
  if (IsOutputOnly(cmd)) {
    Note(s, begin, end, shown + ": psql output command skipped");
    return Status::OK();
  }
  Note(s, begin, end, shown + ": psql meta-command skipped (it does not change the schema)");
  return Status::OK();
}

Status Expander::Run(const SourceFile& file, int depth) {
  Scan s;
  s.file = &file;
  s.text = file.text();
  std::string_view text = s.text;
  s.buf.reserve(text.size());
  size_t i = 0;
  size_t copied = 0;  // text[copied, i) is still to be appended to buf as it is
  auto flush_plain = [&](size_t upto) {
    if (upto > copied) Copy(s, copied, upto, Active(s));
    copied = upto;
  };
  auto start_token = [&](size_t at) {
    if (s.stmt_begin == std::string::npos && Active(s)) {
      s.stmt_begin = at;
      s.stmt_buf_begin = s.buf.size() + (at - copied);
    }
  };
  while (i < text.size()) {
    char c = text[i];
    if (IsBlank(c)) {
      ++i;
    } else if ((c == '-' && i + 1 < text.size() && text[i + 1] == '-') ||
               (c == '/' && i + 1 < text.size() && text[i + 1] == '*')) {
      // Backslashes in comments are not meta-commands.
      i = SkipBlanksAndComments(text, static_cast<uint32_t>(i));
    } else if (c == '\'') {
      start_token(i);
      bool escapes = i > 0 && (text[i - 1] == 'E' || text[i - 1] == 'e') &&
                     (i < 2 || !IsIdentChar(static_cast<unsigned char>(text[i - 2])));
      i = SkipQuoted(text, i, '\'', escapes);
    } else if (c == '"') {
      start_token(i);
      i = SkipQuoted(text, i, '"', false);
    } else if (c == '$' && (i == 0 || !IsIdentChar(static_cast<unsigned char>(text[i - 1])))) {
      start_token(i);
      size_t j = SkipDollarQuote(text, i);
      i = j == i ? i + 1 : j;
    } else if (c == '\\') {
      flush_plain(i);
      size_t next = i;
      DBARCH_RETURN_IF_ERROR(MetaCommand(s, i, &next, depth));
      i = copied = next;
    } else if (c == ':' && Active(s)) {
      if (i + 1 < text.size() && text[i + 1] == ':') {
        i += 2;
        continue;
      }
      size_t consumed = 0;
      std::string value;
      std::string unset;
      if (Interpolate(text, i, &consumed, &value, &unset)) {
        start_token(i);
        flush_plain(i);
        ScriptSubstitution sub;
        sub.begin = static_cast<uint32_t>(s.buf.size());
        s.buf += value;
        // Pad a shorter value so that the rest of the line keeps its columns.
        for (size_t k = value.size(); k < consumed; ++k) s.buf += ' ';
        sub.end = static_cast<uint32_t>(s.buf.size());
        sub.reference = text.substr(i, consumed);
        sub.name = VariableName(sub.reference);
        s.substitutions.push_back(std::move(sub));
        s.changed = true;
        i = copied = i + consumed;
      } else {
        bool bare = !unset.empty() && text[i + 1] != '\'' && text[i + 1] != '"';
        if (!unset.empty() && !(bare && s.bracket_depth > 0)) {
          script_.unset_variables.push_back(UnsetVariable{
              s.file->Span(static_cast<uint32_t>(i), static_cast<uint32_t>(i + consumed)), unset,
              std::string(text.substr(i, consumed))});
        }
        ++i;
      }
    } else if (c == ';' && Active(s)) {
      if (s.paren_depth == 0) {
        if (StatementIsCopyFromStdin(s, i)) {
          flush_plain(i + 1);
          for (size_t k = s.stmt_buf_begin; k < s.buf.size(); ++k) {
            if (s.buf[k] != '\n') s.buf[k] = ' ';
          }
          s.changed = true;
          Note(s, s.stmt_begin, i + 1,
               "COPY ... FROM stdin: its data rows are skipped (dbarch reads the schema)", true);
          i = copied = SkipCopyData(s, i + 1);
        } else {
          ++i;
        }
        s.stmt_begin = s.stmt_buf_begin = std::string::npos;
      } else {
        ++i;
      }
    } else {
      start_token(i);
      if (c == '(') ++s.paren_depth;
      if (c == ')' && s.paren_depth > 0) --s.paren_depth;
      if (c == '[') ++s.bracket_depth;
      if (c == ']' && s.bracket_depth > 0) --s.bracket_depth;
      ++i;
    }
  }
  flush_plain(text.size());
  if (!s.conds.empty()) {
    return Error(s, s.conds.back().begin, s.conds.back().begin + 3,
                 "\\if without a matching \\endif at the end of the file");
  }
  if (!s.changed && s.blank_prefix == 0) {
    script_.parts.push_back(ScriptPart{file});
  } else {
    script_.parts.push_back(
        ScriptPart{SourceFile(file.name(), std::move(s.buf)), std::move(s.substitutions)});
  }
  return Status::OK();
}

}  // namespace

Result<PsqlScript> ExpandPsqlScript(const SourceFile& file, const PsqlOptions& options) {
  Expander expander(options);
  DBARCH_RETURN_IF_ERROR(expander.Run(file, 0));
  return expander.Take();
}

}  // namespace dbarch::sql
