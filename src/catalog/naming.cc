#include "catalog/naming.h"

#include <algorithm>

namespace dbarch::catalog {

namespace {

// Largest prefix length <= len of `s` that does not split a UTF-8 character.
size_t ClipToCharBoundary(std::string_view s, size_t len) {
  if (len >= s.size()) return s.size();
  while (len > 0 && (static_cast<unsigned char>(s[len]) & 0xC0) == 0x80) --len;
  return len;
}

}  // namespace

std::string TruncateIdentifier(std::string_view ident) {
  return std::string(ident.substr(0, ClipToCharBoundary(ident, kMaxIdentifierBytes)));
}

std::string MakeObjectName(std::string_view name1, std::string_view name2,
                           std::string_view label) {
  // Separators and the label are never shortened; name1 and name2 share what is left.
  size_t overhead = (name2.empty() ? 0 : 1) + (label.empty() ? 0 : label.size() + 1);
  size_t avail = kMaxIdentifierBytes > overhead ? kMaxIdentifierBytes - overhead : 0;
  size_t n1 = name1.size();
  size_t n2 = name2.size();
  while (n1 + n2 > avail) {
    if (n1 > n2) {
      --n1;
    } else {
      --n2;
    }
  }
  n1 = ClipToCharBoundary(name1, n1);
  n2 = ClipToCharBoundary(name2, n2);
  std::string out(name1.substr(0, n1));
  if (!name2.empty()) {
    out += '_';
    out.append(name2.substr(0, n2));
  }
  if (!label.empty()) {
    out += '_';
    out.append(label);
  }
  return out;
}

std::string ChooseName(std::string_view name1, std::string_view name2, std::string_view label,
                       const std::function<bool(const std::string&)>& is_taken) {
  std::string modlabel(label);
  for (int pass = 1;; ++pass) {
    std::string candidate = MakeObjectName(name1, name2, modlabel);
    if (!is_taken(candidate)) return candidate;
    modlabel = std::string(label) + std::to_string(pass);
  }
}

std::string NameAddition(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) {
    if (!out.empty()) out += '_';
    out += n;
    if (out.size() >= kMaxIdentifierBytes) break;
  }
  if (out.size() > kMaxIdentifierBytes) out.resize(kMaxIdentifierBytes);
  return out;
}

std::string ExpressionColname(const std::string& expr) {
  size_t paren = expr.find('(');
  if (paren == std::string::npos || paren == 0) return "expr";
  std::string head = expr.substr(0, paren);
  for (char c : head) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.')) return "expr";
  }
  if (size_t dot = head.rfind('.'); dot != std::string::npos) head = head.substr(dot + 1);
  return head;
}

std::vector<std::string> IndexColumnNames(const std::vector<IndexKey>& keys,
                                          const std::vector<std::string>& include) {
  std::vector<std::string> names;
  for (const IndexKey& k : keys) {
    names.push_back(!k.column.empty() ? k.column : ExpressionColname(k.expression));
  }
  names.insert(names.end(), include.begin(), include.end());
  std::vector<std::string> unique;
  for (const std::string& n : names) {
    std::string cur = n;
    for (int i = 1; std::find(unique.begin(), unique.end(), cur) != unique.end(); ++i) {
      cur = n + std::to_string(i);
    }
    unique.push_back(cur);
  }
  return unique;
}

}  // namespace dbarch::catalog
