#include "workload/log_prefix.h"

#include <algorithm>

namespace dbarch::workload {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// Escapes whose value has a fixed shape; the others run to the next literal text.
bool IsFixedShape(char e) {
  switch (e) {
    case 'm':
    case 't':
    case 's':
    case 'n':
    case 'p':
    case 'P':
    case 'l':
    case 'x':
    case 'c':
    case 'v':
    case 'e':
      return true;
    default:
      return false;
  }
}

// End of "YYYY-MM-DD HH:MM:SS[.mmm] TZ" at `i`, or npos.
size_t EndOfTimestamp(std::string_view s, size_t i, bool millis) {
  const size_t base = millis ? 23 : 19;
  if (i + base > s.size()) return std::string_view::npos;
  const char* p = s.data() + i;
  if (!(IsDigit(p[0]) && IsDigit(p[3]) && p[4] == '-' && p[7] == '-' && p[10] == ' ' &&
        p[13] == ':' && p[16] == ':'))
    return std::string_view::npos;
  if (millis && p[19] != '.') return std::string_view::npos;
  size_t k = i + base;
  // The time zone abbreviation (%Z): " UTC", " CET", " +03", " America/Sao_Paulo".
  if (k + 1 < s.size() && s[k] == ' ') {
    size_t z = k + 1;
    while (z < s.size() &&
           ((s[z] >= 'A' && s[z] <= 'Z') || (s[z] >= 'a' && s[z] <= 'z') || IsDigit(s[z]) ||
            s[z] == '+' || s[z] == '-' || s[z] == '/' || s[z] == '_')) {
      ++z;
    }
    // Not a zone: a severity ("LOG:") or other text follows the time.
    bool severity = z < s.size() && s[z] == ':' && z + 1 < s.size() && s[z + 1] == ' ';
    if (z > k + 1 && !severity) k = z;
  }
  return k;
}

size_t EndOfDigits(std::string_view s, size_t i) {
  size_t k = i;
  while (k < s.size() && IsDigit(s[k])) ++k;
  return k == i ? std::string_view::npos : k;
}

// "SEVERITY:  " at `i`: sets severity and message; false otherwise.
bool MatchSeverity(std::string_view line, size_t i, PrefixFields* out) {
  size_t k = i;
  while (k < line.size() && ((line[k] >= 'A' && line[k] <= 'Z') || IsDigit(line[k]))) ++k;
  if (k == i || k - i > 9 || k + 3 > line.size() || line[k] != ':' || line[k + 1] != ' ' ||
      line[k + 2] != ' ')
    return false;
  out->severity = line.substr(i, k - i);
  out->message = line.substr(k + 3);
  return true;
}

// Where "SEVERITY:  " starts in `line` (the first upper-case word followed by a colon and
// two blanks, at the start or after a blank); npos when there is none.
size_t FindSeverity(std::string_view line) {
  size_t at = 0;
  while ((at = line.find(":  ", at)) != std::string_view::npos) {
    size_t w = at;
    while (w > 0 && line[w - 1] >= 'A' && line[w - 1] <= 'Z') --w;
    while (w < at && IsDigit(line[w])) ++w;
    if (at - w >= 3 && at - w <= 9 && (w == 0 || line[w - 1] == ' ')) return w;
    at += 3;
  }
  return std::string_view::npos;
}

// A log_line_prefix that prints `instance` (the text before the severity of one line): time
// stamps become %m / %t, the first number %p and later ones %l (any number), "user@db" %u@%d,
// and the values of user=, db=, app=, client= keys their escapes; the rest stays literal.
// %q goes before the first session field, so lines of processes without a session match too.
std::string InferPrefix(std::string_view s) {
  std::string out;
  bool pid_seen = false;
  bool q_placed = false;
  auto session_field = [&](std::string_view escape) {
    if (!q_placed) {
      // Literal text right before the field belongs to the session part as well ("user=").
      size_t cut = out.size();
      while (cut > 0 && out[cut - 1] != ' ' && out[cut - 1] != ']' && out[cut - 1] != '%') --cut;
      if (cut > 0 && out[cut - 1] == '%') ++cut;  // never split an escape
      out.insert(cut, "%q");
      q_placed = true;
    }
    out += escape;
  };
  size_t i = 0;
  while (i < s.size()) {
    size_t end = EndOfTimestamp(s, i, true);
    if (end != std::string_view::npos) {
      out += "%m";
      i = end;
      continue;
    }
    end = EndOfTimestamp(s, i, false);
    if (end != std::string_view::npos) {
      out += "%t";
      i = end;
      continue;
    }
    char c = s[i];
    if (IsDigit(c) && (i == 0 || !IsHex(s[i - 1]))) {
      size_t k = EndOfDigits(s, i);
      if (k < s.size() && s[k] == '.' && k + 1 < s.size() && IsHex(s[k + 1])) {
        while (++k < s.size() && IsHex(s[k])) {
        }
        out += "%c";
      } else {
        out += pid_seen ? "%l" : "%p";
        pid_seen = true;
      }
      i = k;
      continue;
    }
    bool matched_key = false;
    for (auto [key, escape] : {std::pair{"user=", "%u"},
                               {"db=", "%d"},
                               {"database=", "%d"},
                               {"app=", "%a"},
                               {"application=", "%a"},
                               {"client=", "%h"},
                               {"host=", "%h"},
                               {"remote=", "%r"}}) {
      std::string_view k(key);
      if (s.compare(i, k.size(), k) == 0 && (i == 0 || !IsHex(s[i - 1]))) {
        out += k;
        i += k.size();
        size_t v = i;
        while (v < s.size() && s[v] != ',' && s[v] != ' ' && s[v] != ']') ++v;
        session_field(escape);
        i = v;
        matched_key = true;
        break;
      }
    }
    if (matched_key) continue;
    // user@database
    if (c != ' ' && c != '[' && c != ']') {
      size_t k = i;
      while (k < s.size() && s[k] != ' ' && s[k] != '@' && s[k] != ']') ++k;
      if (k < s.size() && s[k] == '@' && k > i) {
        size_t d = k + 1;
        while (d < s.size() && s[d] != ' ' && s[d] != ']' && s[d] != ':' && s[d] != ',') ++d;
        session_field("%u@%d");
        i = d;
        continue;
      }
    }
    if (c == '%') out += "%";
    out.push_back(c);
    ++i;
  }
  return out;
}

}  // namespace

Result<LinePrefix> LinePrefix::Compile(std::string_view prefix) {
  LinePrefix out;
  out.text_ = std::string(prefix);
  for (size_t i = 0; i < prefix.size(); ++i) {
    char c = prefix[i];
    if (c != '%') {
      if (out.elements_.empty() || out.elements_.back().escape != 0) out.elements_.push_back({});
      out.elements_.back().literal.push_back(c);
      continue;
    }
    if (i + 1 >= prefix.size()) {
      return Status::InvalidArgument("log_line_prefix '" + out.text_ + "' ends with a lone '%'");
    }
    char e = prefix[++i];
    if (e == '%') {
      if (out.elements_.empty() || out.elements_.back().escape != 0) out.elements_.push_back({});
      out.elements_.back().literal.push_back('%');
      continue;
    }
    if (IsDigit(e) || e == '-') {
      return Status::InvalidArgument("log_line_prefix '" + out.text_ +
                                     "': padded escapes such as %10u are not supported");
    }
    static constexpr std::string_view kKnown = "audrhbpPtmniecl svxq";
    if (kKnown.find(e) == std::string_view::npos || e == ' ') {
      return Status::InvalidArgument("log_line_prefix '" + out.text_ + "': unknown escape '%" +
                                     std::string(1, e) + "'");
    }
    if (e == 'q') {
      out.q_index_ = out.elements_.size();
      out.elements_.push_back({'q', ""});
      continue;
    }
    if (!IsFixedShape(e) && !out.elements_.empty() && out.elements_.back().escape != 0 &&
        out.elements_.back().escape != 'q' && !IsFixedShape(out.elements_.back().escape)) {
      return Status::InvalidArgument(
          "log_line_prefix '" + out.text_ + "': %" + std::string(1, out.elements_.back().escape) +
          " and %" + std::string(1, e) + " follow each other without text between them");
    }
    out.elements_.push_back({e, ""});
  }
  return out;
}

bool LinePrefix::MatchFrom(std::string_view line, size_t element_end, PrefixFields* out) const {
  size_t pos = 0;
  for (size_t k = 0; k < element_end; ++k) {
    const Element& el = elements_[k];
    if (el.escape == 0) {
      if (line.compare(pos, el.literal.size(), el.literal) != 0) return false;
      pos += el.literal.size();
      continue;
    }
    size_t end = std::string_view::npos;
    switch (el.escape) {
      case 'q':
        continue;
      case 'm':
      case 't':
      case 's':
        end = EndOfTimestamp(line, pos, el.escape == 'm');
        break;
      case 'n': {
        end = EndOfDigits(line, pos);
        if (end != std::string_view::npos && end < line.size() && line[end] == '.') {
          end = EndOfDigits(line, end + 1);
        }
        break;
      }
      case 'p':
      case 'P':
      case 'l':
      case 'x':
        end = EndOfDigits(line, pos);
        // %P is empty for a process that is not a parallel worker.
        if (end == std::string_view::npos && el.escape == 'P') end = pos;
        break;
      case 'c': {
        size_t k2 = pos;
        while (k2 < line.size() && (IsHex(line[k2]) || line[k2] == '.')) ++k2;
        end = k2 == pos ? std::string_view::npos : k2;
        break;
      }
      case 'v': {
        size_t k2 = pos;
        while (k2 < line.size() && (IsDigit(line[k2]) || line[k2] == '/')) ++k2;
        end = k2;
        break;
      }
      case 'e': {
        end = pos + 5 <= line.size() ? pos + 5 : std::string_view::npos;
        break;
      }
      default: {
        // Variable width: up to the next literal text, or to the severity marker when the
        // prefix ends here.
        const Element* next = nullptr;
        for (size_t n = k + 1; n < element_end; ++n) {
          if (elements_[n].escape == 0) {
            next = &elements_[n];
            break;
          }
          if (elements_[n].escape != 'q') break;
        }
        if (next != nullptr) {
          end = line.find(next->literal, pos);
        } else {
          end = line.find(' ', pos);
        }
        break;
      }
    }
    if (end == std::string_view::npos || end > line.size()) return false;
    std::string_view value = line.substr(pos, end - pos);
    switch (el.escape) {
      case 'm':
      case 't':
      case 'n':
        if (out->timestamp.empty()) out->timestamp = value;
        break;
      case 'p':
        out->pid = value;
        break;
      case 'c':
        out->session = value;
        break;
      case 'u':
        out->user = value;
        break;
      case 'd':
        out->database = value;
        break;
      case 'a':
        out->application = value;
        break;
      case 'h':
      case 'r':
        out->host = value;
        break;
      default:
        break;
    }
    pos = end;
  }
  return MatchSeverity(line, pos, out);
}

bool LinePrefix::Match(std::string_view line, PrefixFields* out) const {
  *out = PrefixFields{};
  if (MatchFrom(line, elements_.size(), out)) return true;
  if (q_index_ != static_cast<size_t>(-1)) {
    *out = PrefixFields{};
    return MatchFrom(line, q_index_, out);
  }
  return false;
}

Result<LinePrefix> LinePrefix::Detect(const std::vector<std::string_view>& lines) {
  static constexpr std::string_view kCandidates[] = {
      "%m [%p] %q%u@%d ",
      "%m [%p] ",
      "%t [%p] ",
      "%t [%p] %q%u@%d ",
      "%m [%p] %q%u@%d %a ",
      "%m [%p] %q[%u@%d] ",
      "%m [%p-%l] %q%u@%d ",
      "%t [%p-%l] %q%u@%d ",
      "%m [%p]: [%l-1] %quser=%u,db=%d,app=%a,client=%h ",
      "%t [%p]: [%l-1] %quser=%u,db=%d,app=%a,client=%h ",
      "%m [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ",
      "%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ",
      "%m [%p]: [%l-1] %quser=%u,db=%d ",
      "%t [%p]: [%l-1] %quser=%u,db=%d ",
      "%m [%p]: [%l-1] ",
      "%t [%p]: [%l-1] ",
      "%t:%r:%u@%d:[%p]:",
      "%m:%r:%u@%d:[%p]:",
      "%m [%p] %q%u@%d %x ",
      "%m [%p] %x %q%u@%d ",
      "%m %c %l %q%u@%d ",
      "%m %p ",
      "%t %p ",
      "%m ",
      "%t ",
      "",
  };
  std::vector<std::string_view> sample;
  for (std::string_view l : lines) {
    if (!l.empty() && l[0] != '\t') sample.push_back(l);
  }
  if (sample.empty()) {
    return Status::InvalidArgument("no log lines to detect the log_line_prefix from");
  }
  const LinePrefix* best = nullptr;
  size_t best_count = 0;
  std::vector<LinePrefix> compiled;
  compiled.reserve(std::size(kCandidates) + 1);
  // The prefix inferred from the longest prefix text among the sample lines competes with
  // the common settings (and wins ties: it names every field it saw).
  std::string_view longest;
  for (std::string_view l : sample) {
    size_t at = FindSeverity(l);
    if (at != std::string_view::npos && at <= 300 && at > longest.size()) longest = l.substr(0, at);
  }
  if (!longest.empty()) {
    auto inferred = Compile(InferPrefix(longest));
    if (inferred.ok()) compiled.push_back(std::move(inferred).value());
  }
  for (std::string_view c : kCandidates) {
    auto p = Compile(c);
    if (p.ok()) compiled.push_back(std::move(p).value());
  }
  for (const LinePrefix& p : compiled) {
    size_t count = 0;
    PrefixFields fields;
    for (std::string_view l : sample) count += p.Match(l, &fields) ? 1 : 0;
    if (count > best_count) {  // ties: the earlier (more specific) candidate wins
      best_count = count;
      best = &p;
    }
  }
  if (best == nullptr || best_count * 2 < sample.size()) {
    return Status::InvalidArgument(
        "could not detect the log_line_prefix of the log: pass it with --prefix "
        "(the value of log_line_prefix in postgresql.conf)");
  }
  return *best;
}

}  // namespace dbarch::workload
