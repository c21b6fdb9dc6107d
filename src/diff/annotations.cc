// Rename annotations in DDL comments: `-- dbarch:renamed-from OLD` and sqldef's
// `-- @renamed from=OLD`, read from the files a catalog was built from. Each annotation names
// the object whose definition starts on its line (or on the next line, when the comment is
// alone on its line): a statement-level object, a column or constraint clause, or an enum
// label.
#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/strings.h"
#include "catalog/builder.h"
#include "diff/diff.h"

namespace dbarch::diff {
namespace {

using catalog::ObjectKind;
using catalog::QualifiedName;

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
  if (word.size() >= 2 && word.front() == '\'' && word.back() == '\'') {
    std::string out;
    for (size_t i = 1; i + 1 < word.size(); ++i) {
      out += word[i];
      if (word[i] == '\'' && i + 2 < word.size() && word[i + 1] == '\'') ++i;
    }
    return out;
  }
  return ToLower(word);
}

// The parts of a dotted name ("app"."Old", app.old(int)) unquoted; an argument list is cut.
std::vector<std::string> NameParts(std::string_view dotted) {
  std::vector<std::string> out;
  bool quoted = false;
  size_t start = 0;
  for (size_t i = 0; i <= dotted.size(); ++i) {
    if (i < dotted.size() && dotted[i] == '"') quoted = !quoted;
    if (i == dotted.size() || (!quoted && (dotted[i] == '.' || dotted[i] == '('))) {
      out.push_back(Unquote(dotted.substr(start, i - start)));
      if (i < dotted.size() && dotted[i] == '(') break;
      start = i + 1;
    }
  }
  return out;
}

// One annotation comment of a file.
struct Annotation {
  std::string old_name;  // as written
  size_t offset = 0;     // of the "--"
  size_t line = 0;       // 0-based line of the comment
  size_t target = 0;     // 0-based line of the object it names
  size_t code_end = 0;   // byte offset where the comment starts (code on the target line ends)
};

// The old name announced after "--" in `comment`, or "".
std::string OldNameIn(std::string_view comment) {
  size_t at = comment.find("dbarch:renamed-from");
  size_t skip = std::string_view("dbarch:renamed-from").size();
  if (at == std::string_view::npos) {
    at = comment.find("@renamed");
    if (at == std::string_view::npos) return "";
    size_t eq = comment.find("from=", at);
    if (eq == std::string_view::npos) return "";
    at = eq;
    skip = 5;
  }
  std::string_view rest = comment.substr(at + skip);
  while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t' || rest.front() == '=')) {
    rest.remove_prefix(1);
  }
  size_t end = 0;
  char quote = 0;
  int parens = 0;
  while (end < rest.size()) {
    char c = rest[end];
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '(') {
      ++parens;
    } else if (c == ')') {
      --parens;
    } else if (parens == 0 && (c == ' ' || c == '\t' || c == '\r' || c == ',' || c == ';')) {
      break;
    }
    ++end;
  }
  return std::string(rest.substr(0, end));
}

// Byte offsets of the start of each line.
std::vector<size_t> LineStarts(const std::string& text) {
  std::vector<size_t> out{0};
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') out.push_back(i + 1);
  }
  return out;
}

size_t LineOf(const std::vector<size_t>& starts, size_t offset) {
  return static_cast<size_t>(std::upper_bound(starts.begin(), starts.end(), offset) -
                             starts.begin()) -
         1;
}

// The "--" starting a comment on [begin, end) outside literals and quoted names, or npos.
// `quote` carries a string literal open across lines (a function body is skipped whole).
size_t CommentStart(const std::string& text, size_t begin, size_t end, char& quote) {
  for (size_t i = begin; i < end; ++i) {
    char c = text[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '-' && i + 1 < end && text[i + 1] == '-') {
      return i;
    }
  }
  return std::string::npos;
}

std::vector<Annotation> FindAnnotations(const std::string& text,
                                        const std::vector<size_t>& starts) {
  std::vector<Annotation> out;
  char quote = 0;
  for (size_t l = 0; l < starts.size(); ++l) {
    size_t begin = starts[l];
    size_t end = l + 1 < starts.size() ? starts[l + 1] - 1 : text.size();
    // Dollar-quoted bodies hold no annotations and may hold quotes: skip them.
    size_t at = CommentStart(text, begin, end, quote);
    if (at == std::string::npos) continue;
    std::string old = OldNameIn(std::string_view(text).substr(at + 2, end - at - 2));
    if (old.empty()) continue;
    Annotation a;
    a.old_name = old;
    a.offset = at;
    a.line = l;
    a.code_end = at;
    bool code_before = !Trim(std::string_view(text).substr(begin, at - begin)).empty();
    a.target = l;
    if (!code_before) {
      // The next line holding something other than blanks and comments.
      for (size_t n = l + 1; n < starts.size(); ++n) {
        size_t nb = starts[n];
        size_t ne = n + 1 < starts.size() ? starts[n + 1] - 1 : text.size();
        std::string_view line = Trim(std::string_view(text).substr(nb, ne - nb));
        if (line.empty() || StartsWith(line, "--")) continue;
        a.target = n;
        size_t c = text.find("--", nb);
        a.code_end = c != std::string::npos && c < ne ? c : ne;
        break;
      }
      if (a.target == l) continue;  // nothing follows
    }
    out.push_back(std::move(a));
  }
  return out;
}

// The first offset at or after `offset` that is not blank or inside a comment.
size_t SkipSpaceAndComments(const std::string& text, size_t offset) {
  while (offset < text.size()) {
    char c = text[offset];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++offset;
    } else if (text.compare(offset, 2, "--") == 0) {
      size_t nl = text.find('\n', offset);
      offset = nl == std::string::npos ? text.size() : nl + 1;
    } else if (text.compare(offset, 2, "/*") == 0) {
      size_t close = text.find("*/", offset + 2);
      offset = close == std::string::npos ? text.size() : close + 2;
    } else {
      break;
    }
  }
  return offset;
}

// Words of the statement starting at `offset` (identifiers, quoted names, punctuation), up
// to `max` words or the first ';'.
std::vector<std::string> Words(const std::string& text, size_t offset, size_t max) {
  std::vector<std::string> out;
  size_t i = offset;
  while (i < text.size() && out.size() < max) {
    i = SkipSpaceAndComments(text, i);
    if (i >= text.size() || text[i] == ';') break;
    size_t j = i;
    if (text[i] == '"') {
      j = i + 1;
      while (j < text.size() && !(text[j] == '"' && (j + 1 >= text.size() || text[j + 1] != '"')))
        j += text[j] == '"' ? 2 : 1;
      ++j;
    } else if (std::isalnum(static_cast<unsigned char>(text[i])) || text[i] == '_') {
      while (j < text.size() && (std::isalnum(static_cast<unsigned char>(text[j])) ||
                                 text[j] == '_' || text[j] == '$'))
        ++j;
    } else {
      j = i + 1;
    }
    out.emplace_back(text.substr(i, j - i));
    i = j;
  }
  return out;
}

bool WordIs(const std::vector<std::string>& w, size_t i, std::string_view keyword) {
  return i < w.size() && ToLower(w[i]) == keyword;
}

// A dotted name starting at word `i` ("a", ".", "b"): its parts (unquoted) and the next word.
std::pair<std::vector<std::string>, size_t> DottedAt(const std::vector<std::string>& w, size_t i) {
  std::vector<std::string> parts;
  while (i < w.size()) {
    parts.push_back(Unquote(w[i]));
    if (i + 1 < w.size() && w[i + 1] == ".") {
      i += 2;
    } else {
      ++i;
      break;
    }
  }
  return {parts, i};
}

struct Candidate {
  ObjectKind kind;
  QualifiedName name;  // object, or the member's table, or the label's type
  std::string member;  // column, constraint, trigger, policy, enum label, function arguments
};

class Reader {
 public:
  Reader(const catalog::Catalog& catalog, const std::string& file, const std::string& text)
      : cat_(catalog), file_(file), text_(text), starts_(LineStarts(text)) {}

  Result<std::vector<Rename>> Read() {
    std::vector<Annotation> annotations = FindAnnotations(text_, starts_);
    if (annotations.empty()) return std::vector<Rename>{};
    Index();
    std::vector<Rename> out;
    SourceFile source(file_, text_);  // once: it indexes every line of the file
    for (const Annotation& a : annotations) {
      SourceSpan where =
          source.Span(static_cast<uint32_t>(a.offset), static_cast<uint32_t>(a.offset + 2));
      std::vector<Candidate> found = Statements(a.target);
      if (found.empty()) found = Members(a.target);
      if (found.empty()) found = Labels(a);
      if (found.empty()) found = ViewColumns(a);
      if (found.empty()) {
        return Status::InvalidArgument("rename annotation \"" + a.old_name +
                                       "\" is not on the line of an object's definition")
            .WithSpan(where)
            .WithHint(
                "put it at the end of the line where the object's definition starts, or "
                "alone on the line before it");
      }
      std::string or_constraint;
      if (found.size() == 2 && found[0].kind == ObjectKind::kColumn &&
          found[1].kind == ObjectKind::kConstraint && found[0].name == found[1].name) {
        or_constraint = found[1].member;  // a column and its inline constraint
        found.pop_back();
      }
      if (found.size() > 1) {
        return Status::InvalidArgument("rename annotation \"" + a.old_name +
                                       "\" is ambiguous: several objects start on its line")
            .WithSpan(where)
            .WithHint("put each definition on a line of its own");
      }
      const Candidate& c = found.front();
      Rename r;
      r.kind = c.kind;
      r.table = c.name;
      r.where = where;
      if (c.kind == ObjectKind::kType && !c.member.empty()) {
        r.column = c.member;
        r.old_name = Unquote(a.old_name);
        if (r.old_name != r.column) out.push_back(std::move(r));
        continue;
      }
      std::vector<std::string> parts = NameParts(a.old_name);
      r.old_name = parts.back();
      bool member = c.kind == ObjectKind::kColumn || c.kind == ObjectKind::kConstraint ||
                    c.kind == ObjectKind::kTrigger || c.kind == ObjectKind::kPolicy;
      if (member) {
        r.column = c.member;
        r.or_constraint = or_constraint;
        if (r.old_name != r.column) out.push_back(std::move(r));
        continue;
      }
      if (c.kind == ObjectKind::kFunction || c.kind == ObjectKind::kProcedure ||
          c.kind == ObjectKind::kAggregate) {
        r.column = c.member;
      }
      if (parts.size() >= 2 && c.kind != ObjectKind::kSchema &&
          parts[parts.size() - 2] != c.name.schema) {
        r.old_schema = parts[parts.size() - 2];
      }
      if (r.old_name != c.name.name || !r.old_schema.empty()) out.push_back(std::move(r));
    }
    return out;
  }

 private:
  size_t FirstCodeLine(size_t offset) const {
    return LineOf(starts_, SkipSpaceAndComments(text_, offset));
  }

  // Statement-level objects of this file by the line where their definition starts.
  void Index() {
    auto add = [&](const catalog::Origin& o, Candidate c) {
      if (o.span.file != file_) return;
      by_line_[FirstCodeLine(o.span.begin)].push_back(std::move(c));
    };
    for (const auto& [q, t] : cat_.tables) {
      add(t.origin, {ObjectKind::kTable, q, ""});
      for (const catalog::Column& c : t.columns) {
        if (c.origin.span.file == file_ && c.origin.clause_line != 0)
          members_[c.origin.clause_line - 1].push_back({ObjectKind::kColumn, q, c.name});
      }
      for (const catalog::Constraint& k : t.constraints) {
        if (k.origin.span.file == file_ && k.origin.clause_line != 0)
          members_[k.origin.clause_line - 1].push_back({ObjectKind::kConstraint, q, k.name});
      }
      // An identity column's SEQUENCE NAME clause: the sequence starts on the line of its name.
      for (const catalog::Column& c : t.columns) {
        if (c.identity_sequence.empty() || c.origin.span.file != file_ || c.origin.clause_line == 0)
          continue;
        size_t at = SequenceNameAt(c.origin.clause_begin, c.origin.clause_end);
        if (at == std::string::npos) continue;
        members_[LineOf(starts_, at)].push_back(
            {ObjectKind::kSequence, {q.schema, c.identity_sequence}, ""});
      }
    }
    for (const auto& [q, v] : cat_.views) {
      add(v.origin, {v.materialized ? ObjectKind::kMaterializedView : ObjectKind::kView, q, ""});
    }
    for (const auto& [q, i] : cat_.indexes) add(i.origin, {ObjectKind::kIndex, q, ""});
    for (const auto& [q, s] : cat_.sequences) add(s.origin, {ObjectKind::kSequence, q, ""});
    for (const auto& [q, t] : cat_.types) {
      add(t.origin,
          {t.kind == catalog::TypeKind::kDomain ? ObjectKind::kDomain : ObjectKind::kType, q, ""});
    }
    for (const auto& [q, c] : cat_.collations) add(c.origin, {ObjectKind::kCollation, q, ""});
    for (const auto& [key, f] : cat_.functions) {
      std::string sig = f.Signature();
      ObjectKind kind = f.aggregate      ? ObjectKind::kAggregate
                        : f.is_procedure ? ObjectKind::kProcedure
                                         : ObjectKind::kFunction;
      add(f.origin, {kind, f.name, sig.substr(f.name.Quoted().size())});
    }
  }

  // Objects whose statement starts on `line`: those with an origin, and CREATE SCHEMA /
  // TRIGGER / POLICY read from the text (the model keeps no origin for them).
  std::vector<Candidate> Statements(size_t line) {
    std::vector<Candidate> out;
    auto it = by_line_.find(line);
    if (it != by_line_.end()) out = it->second;
    if (!out.empty()) return out;
    size_t begin = SkipSpaceAndComments(text_, starts_[line]);
    if (begin >= text_.size() || LineOf(starts_, begin) != line) return out;
    std::vector<std::string> w = Words(text_, begin, 64);
    if (!WordIs(w, 0, "create")) return out;
    size_t i = 1;
    if (WordIs(w, i, "or") && WordIs(w, i + 1, "replace")) i += 2;
    if (WordIs(w, i, "schema")) {
      ++i;
      if (WordIs(w, i, "if")) i += 3;
      if (i < w.size() && !WordIs(w, i, "authorization")) {
        std::string name = Unquote(w[i]);
        if (cat_.schemas.count(name) > 0) out.push_back({ObjectKind::kSchema, {"", name}, ""});
      }
      return out;
    }
    bool trigger = false;
    if (WordIs(w, i, "constraint")) ++i;
    if (WordIs(w, i, "trigger"))
      trigger = true;
    else if (!WordIs(w, i, "policy"))
      return out;
    ++i;
    if (i >= w.size()) return out;
    std::string name = Unquote(w[i]);
    size_t on = i + 1;
    while (on < w.size() && !WordIs(w, on, "on")) ++on;
    if (on + 1 >= w.size()) return out;
    auto [parts, next] = DottedAt(w, on + 1);
    (void)next;
    for (const auto& [q, t] : cat_.tables) {
      if (q.name != parts.back() || (parts.size() > 1 && q.schema != parts[parts.size() - 2]))
        continue;
      if (trigger) {
        for (const catalog::Trigger& tr : t.triggers) {
          if (tr.name == name) out.push_back({ObjectKind::kTrigger, q, name});
        }
      } else {
        for (const catalog::Policy& p : t.policies) {
          if (p.name == name) out.push_back({ObjectKind::kPolicy, q, name});
        }
      }
    }
    return out;
  }

  // The offset of the name after SEQUENCE NAME in text_[begin, end), or npos.
  size_t SequenceNameAt(size_t begin, size_t end) const {
    end = std::min(end, text_.size());
    auto word_at = [&](size_t i, std::string_view word) {
      if (i + word.size() > end) return false;
      for (size_t k = 0; k < word.size(); ++k) {
        if (std::tolower(static_cast<unsigned char>(text_[i + k])) != word[k]) return false;
      }
      size_t after = i + word.size();
      return after >= end ||
             !(std::isalnum(static_cast<unsigned char>(text_[after])) || text_[after] == '_');
    };
    char quote = 0;
    for (size_t i = begin; i < end; ++i) {
      char ch = text_[i];
      if (quote != 0) {
        if (ch == quote) quote = 0;
        continue;
      }
      if (ch == '\'' || ch == '"') {
        quote = ch;
        continue;
      }
      if (ch == '-' && i + 1 < end && text_[i + 1] == '-') {
        size_t nl = text_.find('\n', i);
        if (nl == std::string::npos || nl >= end) return std::string::npos;
        i = nl;
        continue;
      }
      bool boundary = i == begin || !(std::isalnum(static_cast<unsigned char>(text_[i - 1])) ||
                                      text_[i - 1] == '_');
      if (!boundary || !word_at(i, "sequence")) continue;
      size_t n = SkipSpaceAndComments(text_, i + 8);
      if (!word_at(n, "name")) continue;
      size_t name = SkipSpaceAndComments(text_, n + 4);
      return name < end ? name : std::string::npos;
    }
    return std::string::npos;
  }

  // An output column of a view or materialized view written on `a.target` inside its
  // statement (not on its first line): the last word before the comment on that line (`name
  // AS full_name,` -> full_name), when the view has an output column of that name.
  std::vector<Candidate> ViewColumns(const Annotation& a) const {
    std::vector<Candidate> out;
    std::string_view code = Trim(std::string_view(text_).substr(
        starts_[a.target], a.code_end > starts_[a.target] ? a.code_end - starts_[a.target] : 0));
    while (!code.empty() && (code.back() == ',' || code.back() == ' ' || code.back() == '\t'))
      code.remove_suffix(1);
    if (code.empty()) return out;
    size_t start = code.size();
    if (code.back() == '"') {
      size_t open = code.rfind('"', code.size() - 2);
      if (open == std::string_view::npos) return out;
      start = open;
    } else {
      while (start > 0 && (std::isalnum(static_cast<unsigned char>(code[start - 1])) ||
                           code[start - 1] == '_' || code[start - 1] == '$'))
        --start;
    }
    if (start == code.size()) return out;
    std::string column = Unquote(code.substr(start));
    for (const auto& [q, v] : cat_.views) {
      if (v.origin.span.file != file_) continue;
      size_t first = FirstCodeLine(v.origin.span.begin);
      size_t last = LineOf(starts_, std::min<size_t>(v.origin.span.end, text_.size()));
      if (a.target <= first || a.target > last) continue;
      if (std::find(v.columns.begin(), v.columns.end(), column) != v.columns.end())
        out.push_back({ObjectKind::kColumn, q, column});
    }
    return out;
  }

  std::vector<Candidate> Members(size_t line) const {
    auto it = members_.find(line);
    return it == members_.end() ? std::vector<Candidate>{} : it->second;
  }

  // An enum label written on `a.target` inside its CREATE TYPE (not on its first line).
  std::vector<Candidate> Labels(const Annotation& a) const {
    std::vector<Candidate> out;
    for (const auto& [q, t] : cat_.types) {
      if (t.kind != catalog::TypeKind::kEnum || t.origin.span.file != file_) continue;
      size_t first = FirstCodeLine(t.origin.span.begin);
      size_t last = LineOf(starts_, std::min<size_t>(t.origin.span.end, text_.size()));
      if (a.target <= first || a.target > last) continue;
      // The string literals before the comment on that line.
      size_t i = starts_[a.target];
      while (i < a.code_end) {
        if (text_[i] != '\'') {
          ++i;
          continue;
        }
        size_t j = i + 1;
        std::string label;
        while (j < a.code_end) {
          if (text_[j] == '\'') {
            if (j + 1 < a.code_end && text_[j + 1] == '\'') {
              label += '\'';
              j += 2;
              continue;
            }
            break;
          }
          label += text_[j++];
        }
        if (std::find(t.labels.begin(), t.labels.end(), label) != t.labels.end())
          out.push_back({ObjectKind::kType, q, label});
        i = j + 1;
      }
    }
    return out;
  }

  const catalog::Catalog& cat_;
  const std::string& file_;
  const std::string& text_;
  std::vector<size_t> starts_;
  std::map<size_t, std::vector<Candidate>> by_line_;  // 0-based line -> statement objects
  std::map<size_t, std::vector<Candidate>> members_;  // 0-based line -> column/constraint
};

}  // namespace

Result<std::vector<Rename>> CheckedRenameAnnotationsInText(const catalog::Catalog& catalog,
                                                           const std::string& file,
                                                           const std::string& text) {
  return Reader(catalog, file, text).Read();
}

std::vector<Rename> RenameAnnotationsInText(const catalog::Catalog& catalog,
                                            const std::string& file, const std::string& text) {
  auto found = CheckedRenameAnnotationsInText(catalog, file, text);
  return found.ok() ? *found : std::vector<Rename>{};
}

Result<std::vector<Rename>> ReadRenameAnnotations(const catalog::Catalog& catalog) {
  std::map<std::string, bool> files;
  auto note = [&](const catalog::Origin& o) {
    const std::string& f = o.span.file;
    if (!f.empty() && f.front() != '<') files[f] = true;
  };
  for (const auto& [q, t] : catalog.tables) note(t.origin);
  for (const auto& [q, v] : catalog.views) note(v.origin);
  for (const auto& [q, i] : catalog.indexes) note(i.origin);
  for (const auto& [q, s] : catalog.sequences) note(s.origin);
  for (const auto& [q, t] : catalog.types) note(t.origin);
  for (const auto& [q, c] : catalog.collations) note(c.origin);
  for (const auto& [k, f] : catalog.functions) note(f.origin);
  for (const catalog::OtherObject& o : catalog.others) note(o.origin);
  std::vector<Rename> out;
  for (const auto& [file, unused] : files) {
    Result<SourceFile> source = catalog::ReadSourceFile(file);
    if (!source.ok()) return source.status();
    DBARCH_ASSIGN_OR_RETURN(std::vector<Rename> found,
                            CheckedRenameAnnotationsInText(catalog, file, source->text()));
    for (Rename& r : found) out.push_back(std::move(r));
  }
  return out;
}

}  // namespace dbarch::diff
