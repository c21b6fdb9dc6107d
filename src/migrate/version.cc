#include "migrate/version.h"

#include <algorithm>

namespace dbarch::migrate {

Result<Version> Version::Parse(std::string_view text) {
  Version v;
  std::string part;
  bool in_part = false;
  auto bad = [&]() {
    return Status::InvalidArgument("bad version \"" + std::string(text) +
                                   "\": expected digits separated by '.' or '_' (1.2.10)");
  };
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      if (!(part.empty() && c == '0')) part += c;
      in_part = true;
      v.text_ += c;
    } else if (c == '.' || c == '_') {
      if (!in_part) return bad();
      v.parts_.push_back(part);
      part.clear();
      in_part = false;
      v.text_ += '.';
    } else {
      return bad();
    }
  }
  if (!in_part) return bad();
  v.parts_.push_back(part);
  // Trailing zero parts do not change the version (1.0 == 1).
  while (v.parts_.size() > 1 && v.parts_.back().empty()) v.parts_.pop_back();
  return v;
}

int Version::Compare(const Version& other) const {
  size_t n = std::max(parts_.size(), other.parts_.size());
  static const std::string kZero;
  for (size_t i = 0; i < n; ++i) {
    const std::string& a = i < parts_.size() ? parts_[i] : kZero;
    const std::string& b = i < other.parts_.size() ? other.parts_[i] : kZero;
    if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
    int c = a.compare(b);
    if (c != 0) return c < 0 ? -1 : 1;
  }
  return 0;
}

}  // namespace dbarch::migrate
