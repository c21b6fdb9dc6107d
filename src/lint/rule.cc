#include "lint/rule.h"

#include <algorithm>
#include <cstring>

namespace dbarch::lint {

// Defined in the registry that CMake generates from the files in rules/ (one
// `MakeRule_<file stem>()` per file): no hand-kept list to forget, no static initialisers.
void RegisterAllRules(std::vector<std::unique_ptr<Rule>>& out);

const std::vector<std::unique_ptr<Rule>>& AllRules() {
  static const std::vector<std::unique_ptr<Rule>> rules = [] {
    std::vector<std::unique_ptr<Rule>> out;
    RegisterAllRules(out);
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
      return std::strcmp(a->doc().id, b->doc().id) < 0;
    });
    return out;
  }();
  return rules;
}

const Rule* FindRule(std::string_view id) {
  for (const auto& r : AllRules()) {
    if (id == r->doc().id) return r.get();
  }
  return nullptr;
}

}  // namespace dbarch::lint
