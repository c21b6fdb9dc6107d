#include "workload/query_mask.h"

#include <cstddef>
#include <cstdint>

namespace dbarch::workload {
namespace {

bool IsIdentStart(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}
bool IsIdentChar(unsigned char c) { return IsIdentStart(c) || (c >= '0' && c <= '9') || c == '$'; }
bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }
bool IsBlank(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
std::string ToLowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = Lower(c);
  return out;
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

// End of a '...' string starting at `i` (the quote); `backslash` for E'' strings. npos when
// unterminated.
size_t EndOfQuoted(std::string_view s, size_t i, char quote, bool backslash) {
  for (size_t k = i + 1; k < s.size(); ++k) {
    if (backslash && s[k] == '\\') {
      ++k;
      continue;
    }
    if (s[k] == quote) {
      if (k + 1 < s.size() && s[k + 1] == quote) {
        ++k;
        continue;
      }
      return k + 1;
    }
  }
  return std::string_view::npos;
}

// If a dollar-quote opening tag ($$ or $tag$) starts at `i`, the end of the whole quoted
// text (npos when unterminated) and the tag length; otherwise returns 0.
size_t EndOfDollarQuoted(std::string_view s, size_t i, size_t* tag_len) {
  size_t k = i + 1;
  if (k < s.size() && IsDigit(static_cast<unsigned char>(s[k]))) return 0;
  while (k < s.size() && s[k] != '$') {
    unsigned char c = static_cast<unsigned char>(s[k]);
    if (!IsIdentChar(c) || c == '$') return 0;
    ++k;
  }
  if (k >= s.size()) return 0;
  std::string_view tag = s.substr(i, k - i + 1);
  *tag_len = tag.size();
  size_t close = s.find(tag, k + 1);
  if (close == std::string_view::npos) return std::string_view::npos;
  return close + tag.size();
}

// End of a numeric constant starting at `i` (digit, or '.' followed by a digit).
size_t EndOfNumber(std::string_view s, size_t i) {
  size_t k = i;
  while (k < s.size() && (IsDigit(static_cast<unsigned char>(s[k])) || s[k] == '.' || s[k] == '_'))
    ++k;
  if (k < s.size() && (s[k] == 'e' || s[k] == 'E')) {
    size_t e = k + 1;
    if (e < s.size() && (s[e] == '+' || s[e] == '-')) ++e;
    if (e < s.size() && IsDigit(static_cast<unsigned char>(s[e]))) {
      k = e;
      while (k < s.size() && IsDigit(static_cast<unsigned char>(s[k]))) ++k;
    }
  }
  return k;
}

// Skips blanks and comments from `i`.
size_t SkipBlanksAndComments(std::string_view s, size_t i) {
  while (i < s.size()) {
    if (IsBlank(static_cast<unsigned char>(s[i]))) {
      ++i;
    } else if (s.compare(i, 2, "--") == 0) {
      size_t nl = s.find('\n', i);
      i = nl == std::string_view::npos ? s.size() : nl + 1;
    } else if (s.compare(i, 2, "/*") == 0) {
      int depth = 0;
      size_t k = i;
      while (k < s.size()) {
        if (s.compare(k, 2, "/*") == 0) {
          ++depth;
          k += 2;
        } else if (s.compare(k, 2, "*/") == 0) {
          k += 2;
          if (--depth == 0) break;
        } else {
          ++k;
        }
      }
      i = k;
    } else {
      break;
    }
  }
  return i;
}

bool StartsMaskable(std::string_view sql) {
  size_t i = SkipBlanksAndComments(sql, 0);
  if (i < sql.size() && sql[i] == '(') return true;
  size_t k = i;
  while (k < sql.size() && IsIdentChar(static_cast<unsigned char>(sql[k]))) ++k;
  std::string_view word = sql.substr(i, k - i);
  for (std::string_view kw :
       {"select", "insert", "update", "delete", "merge", "with", "values", "table"}) {
    if (EqualsNoCase(word, kw)) return true;
  }
  return false;
}

}  // namespace

void MaskQuery(std::string_view sql, std::string* out) {
  out->clear();
  if (!StartsMaskable(sql)) {
    out->assign(sql);
    return;
  }
  out->reserve(sql.size());
  size_t i = 0;
  const size_t n = sql.size();
  auto blank = [&] {
    if (!out->empty() && out->back() != ' ') out->push_back(' ');
  };
  while (i < n) {
    unsigned char c = static_cast<unsigned char>(sql[i]);
    if (IsBlank(c)) {
      blank();
      ++i;
    } else if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
      blank();
      i = SkipBlanksAndComments(sql, i);
    } else if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
      blank();
      i = SkipBlanksAndComments(sql, i);
    } else if (c == '\'') {
      size_t end = EndOfQuoted(sql, i, '\'', false);
      if (end == std::string_view::npos) break;
      out->push_back('?');
      i = end;
    } else if (c == '"') {
      size_t end = EndOfQuoted(sql, i, '"', false);
      if (end == std::string_view::npos) break;
      out->append(sql.substr(i, end - i));
      i = end;
    } else if (c == '$') {
      if (i + 1 < n && IsDigit(static_cast<unsigned char>(sql[i + 1]))) {
        size_t k = i + 1;
        while (k < n && IsDigit(static_cast<unsigned char>(sql[k]))) ++k;
        out->push_back('?');
        i = k;
        continue;
      }
      size_t tag_len = 0;
      size_t end = EndOfDollarQuoted(sql, i, &tag_len);
      if (end == 0) {
        out->push_back('$');
        ++i;
      } else if (end == std::string_view::npos) {
        break;
      } else {
        out->push_back('?');
        i = end;
      }
    } else if (IsDigit(c) ||
               (c == '.' && i + 1 < n && IsDigit(static_cast<unsigned char>(sql[i + 1])))) {
      out->push_back('?');
      i = EndOfNumber(sql, i);
    } else if (IsIdentStart(c)) {
      size_t k = i;
      while (k < n && IsIdentChar(static_cast<unsigned char>(sql[k]))) ++k;
      std::string_view word = sql.substr(i, k - i);
      // E'..', B'..', X'..', N'..' and U&'..' / U&".." prefixes belong to the token after them.
      if (k < n && sql[k] == '\'' && word.size() == 1 &&
          (EqualsNoCase(word, "e") || EqualsNoCase(word, "b") || EqualsNoCase(word, "x") ||
           EqualsNoCase(word, "n"))) {
        size_t end = EndOfQuoted(sql, k, '\'', EqualsNoCase(word, "e"));
        if (end == std::string_view::npos) {
          i = k;
          break;
        }
        out->push_back('?');
        i = end;
      } else if (EqualsNoCase(word, "u") && k + 1 < n && sql[k] == '&' &&
                 (sql[k + 1] == '\'' || sql[k + 1] == '"')) {
        size_t end = EndOfQuoted(sql, k + 1, sql[k + 1], false);
        if (end == std::string_view::npos) {
          i = k;
          break;
        }
        if (sql[k + 1] == '\'') {
          out->push_back('?');
        } else {
          out->append(sql.substr(i, end - i));
        }
        i = end;
      } else {
        out->append(word);
        i = k;
      }
    } else {
      out->push_back(static_cast<char>(c));
      ++i;
    }
  }
  // An unterminated token: the rest verbatim, marked so it cannot equal a complete mask.
  if (i < n) {
    out->push_back('\x01');
    out->append(sql.substr(i));
  }
  while (!out->empty() && out->back() == ' ') out->pop_back();
}

namespace {

// The constant token of `s` at `i` that normalization replaced; sets its value and returns
// its end, or npos when no constant starts there.
size_t LexConstant(std::string_view s, size_t i, ConstantValue* value) {
  const size_t n = s.size();
  if (i >= n) return std::string_view::npos;
  auto unquote = [&](size_t open, size_t end, bool backslash) {
    std::string text;
    for (size_t k = open + 1; k + 1 < end; ++k) {
      if (backslash && s[k] == '\\' && k + 2 < end) {
        char e = s[++k];
        text.push_back(e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e);
      } else if (s[k] == s[open] && k + 2 < end && s[k + 1] == s[open]) {
        text.push_back(s[k]);
        ++k;
      } else {
        text.push_back(s[k]);
      }
    }
    return text;
  };
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c == '\'') {
    size_t end = EndOfQuoted(s, i, '\'', false);
    if (end == std::string_view::npos) return end;
    value->text = unquote(i, end, false);
    return end;
  }
  if (c == '$') {
    size_t tag_len = 0;
    size_t end = EndOfDollarQuoted(s, i, &tag_len);
    if (end == 0 || end == std::string_view::npos) return std::string_view::npos;
    value->text = std::string(s.substr(i + tag_len, end - i - 2 * tag_len));
    return end;
  }
  size_t k = i;
  if (c == '-' || c == '+') {
    ++k;
    while (k < n && IsBlank(static_cast<unsigned char>(s[k]))) ++k;
  }
  if (k < n && (IsDigit(static_cast<unsigned char>(s[k])) ||
                (s[k] == '.' && k + 1 < n && IsDigit(static_cast<unsigned char>(s[k + 1]))))) {
    size_t end = EndOfNumber(s, k);
    value->text = (c == '-' ? "-" : "") + std::string(s.substr(k, end - k));
    return end;
  }
  if (!IsIdentStart(c)) return std::string_view::npos;
  while (k < n && IsIdentChar(static_cast<unsigned char>(s[k]))) ++k;
  std::string_view word = s.substr(i, k - i);
  if (k < n && s[k] == '\'' && word.size() == 1) {
    bool e = EqualsNoCase(word, "e");
    size_t end = EndOfQuoted(s, k, '\'', e);
    if (end == std::string_view::npos) return end;
    value->text = unquote(k, end, e);
    return end;
  }
  if (EqualsNoCase(word, "u") && k + 1 < n && s[k] == '&' && s[k + 1] == '\'') {
    size_t end = EndOfQuoted(s, k + 1, '\'', false);
    if (end == std::string_view::npos) return end;
    value->text = unquote(k + 1, end, false);
    return end;
  }
  if (EqualsNoCase(word, "null")) {
    value->is_null = true;
    return k;
  }
  if (EqualsNoCase(word, "true") || EqualsNoCase(word, "false")) {
    value->text = ToLowerAscii(word);
    return k;
  }
  return std::string_view::npos;
}

}  // namespace

std::optional<std::vector<ConstantValue>> ExtractConstants(std::string_view original,
                                                           std::string_view normalized) {
  std::vector<ConstantValue> values;
  size_t i = 0;
  size_t j = 0;
  while (j < normalized.size()) {
    if (normalized[j] == '$' && j + 1 < normalized.size() &&
        IsDigit(static_cast<unsigned char>(normalized[j + 1]))) {
      size_t k = j + 1;
      while (k < normalized.size() && IsDigit(static_cast<unsigned char>(normalized[k]))) ++k;
      std::string_view param = normalized.substr(j, k - j);
      size_t number = 0;
      for (char d : param.substr(1)) number = number * 10 + static_cast<size_t>(d - '0');
      if (number == 0 || number > 65535) return std::nullopt;
      if (values.size() < number) values.resize(number);
      if (original.compare(i, param.size(), param) == 0 &&
          (i + param.size() >= original.size() ||
           !IsDigit(static_cast<unsigned char>(original[i + param.size()])))) {
        i += param.size();  // a parameter of the original text
      } else {
        ConstantValue value;
        value.replaced = true;
        size_t end = LexConstant(original, i, &value);
        if (end == std::string_view::npos) return std::nullopt;
        values[number - 1] = std::move(value);
        i = end;
      }
      j = k;
    } else if (i < original.size() && original[i] == normalized[j]) {
      ++i;
      ++j;
    } else {
      return std::nullopt;
    }
  }
  if (i != original.size()) return std::nullopt;
  return values;
}

}  // namespace dbarch::workload
