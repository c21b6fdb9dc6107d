#include "datagen/generator.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "base/strings.h"
#include "datagen/random.h"
#include "pg/connection.h"

namespace dbarch::datagen {

namespace {

using catalog::QualifiedName;

// --- word lists -----------------------------------------------------------------------------

constexpr const char* kFirst[] = {"Anna", "Ben", "Chloe", "David", "Elena", "Felix", "Grace", "Hugo",
                                  "Ines", "Jonas", "Klara", "Liam", "Mia", "Noah", "Olivia", "Paul",
                                  "Quinn", "Rosa", "Sven", "Tara", "Uma", "Victor", "Wen", "Yusuf", "Zoe",
                                  "Amir", "Bea", "Carlos", "Dana", "Emil", "Fatima", "Goran"};
constexpr const char* kLast[] = {"Smith", "Müller", "Garcia", "Rossi", "Dubois", "Nowak", "Jensen",
                                 "Silva", "Kowalski", "Novak", "Brown", "Schmidt", "Martin", "Lopez",
                                 "Bianchi", "Horvat", "Kim", "Nguyen", "Ivanova", "Okafor", "Haddad",
                                 "Larsen", "Meyer", "Costa", "Fischer", "Walsh", "Berg", "Petrov"};
constexpr const char* kWords[] = {"alpha", "amber", "atlas", "birch", "blue", "cedar", "coral", "delta",
                                  "ember", "fjord", "frost", "garnet", "harbor", "iris", "jade", "juniper",
                                  "kite", "lumen", "maple", "meadow", "nova", "oak", "onyx", "pearl",
                                  "quartz", "river", "sage", "slate", "spruce", "summit", "tide", "umber",
                                  "vale", "willow", "yarrow", "zenith", "copper", "linen", "orbit", "pine"};
constexpr const char* kCities[] = {"Berlin", "Lisbon", "Oslo", "Krakow", "Lyon", "Turin", "Ghent",
                                   "Porto", "Malmo", "Brno", "Graz", "Bilbao", "Leeds", "Cork", "Tartu",
                                   "Split", "Aarhus", "Utrecht", "Basel", "Plovdiv"};
constexpr const char* kStreets[] = {"Main St", "Oak Ave", "Harbor Rd", "Mill Lane", "Station Rd",
                                    "Park Ave", "Church St", "High St", "River Rd", "Elm St"};
constexpr const char* kCountries[] = {"DE", "FR", "NL", "PL", "ES", "IT", "SE", "DK", "PT", "AT",
                                      "BE", "CZ", "FI", "IE", "US", "GB", "CA", "NO", "CH", "EE"};
constexpr const char* kCurrencies[] = {"EUR", "USD", "GBP", "SEK", "PLN", "CHF", "DKK", "NOK"};

template <size_t N>
const char* Pick(const char* const (&list)[N], Rng& rng) {
  return list[rng.Next() % N];
}

// --- formatting ---------------------------------------------------------------------------

void CivilFromDays(int64_t z, int& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t yy = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int>(yy + (m <= 2));
}

void AppendInt(std::string& out, int64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;
  out.append(buf, static_cast<size_t>(end - buf));
}

// `width` decimal digits of v (zero-padded).
void AppendDigits(std::string& out, int64_t v, int width) {
  char buf[20];
  for (int i = width - 1; i >= 0; --i) {
    buf[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  out.append(buf, static_cast<size_t>(width));
}

void AppendDate(std::string& out, double epoch) {
  int64_t days = static_cast<int64_t>(std::floor(epoch / 86400.0));
  int y;
  unsigned m, d;
  CivilFromDays(days, y, m, d);
  AppendDigits(out, y, 4);
  out += '-';
  AppendDigits(out, m, 2);
  out += '-';
  AppendDigits(out, d, 2);
}

void AppendTimestamp(std::string& out, double epoch, bool tz) {
  double fl = std::floor(epoch);
  int64_t secs = static_cast<int64_t>(fl);
  int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
  int64_t rem = secs - days * 86400;
  int y;
  unsigned m, d;
  CivilFromDays(days, y, m, d);
  int64_t micros = static_cast<int64_t>((epoch - fl) * 1e6);
  if (micros > 999999) micros = 999999;
  AppendDigits(out, y, 4);
  out += '-';
  AppendDigits(out, m, 2);
  out += '-';
  AppendDigits(out, d, 2);
  out += ' ';
  AppendDigits(out, rem / 3600, 2);
  out += ':';
  AppendDigits(out, rem / 60 % 60, 2);
  out += ':';
  AppendDigits(out, rem % 60, 2);
  out += '.';
  AppendDigits(out, micros, 6);
  if (tz) out += "+00";
}

// A fixed-point decimal with `scale` digits after the point, without printf.
void AppendFixed(std::string& out, double v, int scale) {
  static const double kPow[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12};
  if (scale > 12 || std::fabs(v) > 9e15 / kPow[std::min(scale, 12)]) {
    char buf[64];
    int n = std::snprintf(buf, sizeof buf, "%.*f", scale, v);
    out.append(buf, static_cast<size_t>(n));
    return;
  }
  int64_t q = std::llround(v * kPow[scale]);
  if (q < 0) {
    out += '-';
    q = -q;
  }
  int64_t div = static_cast<int64_t>(kPow[scale]);
  AppendInt(out, q / div);
  if (scale > 0) {
    out += '.';
    AppendDigits(out, q % div, scale);
  }
}

// COPY text format: backslash, tab, newline and carriage return are escaped. The runs
// between them are appended whole (most values have none).
void AppendEscaped(std::string& out, std::string_view s) {
  size_t run = 0;
  for (size_t k = 0; k < s.size(); ++k) {
    char c = s[k];
    // All four are below 0x5d; most text is letters above it or spaces and digits.
    if (static_cast<unsigned char>(c) > '\\' || (c != '\\' && c != '\t' && c != '\n' && c != '\r')) continue;
    out.append(s.data() + run, k - run);
    out += '\\';
    out += c == '\\' ? '\\' : c == '\t' ? 't' : c == '\n' ? 'n' : 'r';
    run = k + 1;
  }
  out.append(s.data() + run, s.size() - run);
}

std::string Base36(uint64_t v, int min_digits = 1) {
  std::string s;
  do {
    s += "0123456789abcdefghijklmnopqrstuvwxyz"[v % 36];
    v /= 36;
  } while (v > 0);
  while (static_cast<int>(s.size()) < min_digits) s += '0';
  std::reverse(s.begin(), s.end());
  return s;
}

// Truncates to `max` characters (UTF-8 aware: never splits a character).
void TruncateChars(std::string& s, int max) {
  if (max < 0) return;
  int chars = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (chars == max) {
        s.resize(i);
        return;
      }
      ++chars;
    }
  }
}

int CharCount(const std::string& s) {
  int n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// --- per column state -------------------------------------------------------------------------

constexpr double kDefaultTimeLo = 1704067200;  // 2024-01-01
constexpr double kDefaultTimeHi = 1767225600;  // 2026-01-01

struct ColumnState {
  const ColumnPlan* plan = nullptr;
  Rng rng{0, 0};
  double lo = 0, hi = 0;  // effective inclusive bounds for numbers and times
  double step = 1;        // smallest distinct step (1 for ints, 10^-scale, 1 s)
  std::unique_ptr<Zipf> zipf;
  std::unique_ptr<Permutation> perm;
  std::vector<double> cumulative;  // choice weights
  std::vector<ColumnState> fields;  // composite attributes, a range's subtype
  bool numeric_like = false;        // a scalar number, date or time: the numeric path and row rules
  bool log_uniform = false;  // money-like and counts over a wide range: small values common
  double log_a = 0, log_b = 0;
};

bool IsTime(ValueKind k) {
  return k == ValueKind::kDate || k == ValueKind::kTimestamp || k == ValueKind::kTimestampTz;
}

// Kinds made as a number (bounds, distributions) and then formatted.
bool IsNumberKind(ValueKind k) {
  return k == ValueKind::kInt || k == ValueKind::kNumeric || k == ValueKind::kFloat || IsTime(k) ||
         k == ValueKind::kTime || k == ValueKind::kTimeTz;
}

void InitColumn(ColumnState& s, const ColumnPlan& c, uint64_t seed, const QualifiedName& table, int64_t rows) {
  s.plan = &c;
  s.rng = Rng(seed, StreamId(table.schema + "." + table.name + "." + c.name));
  s.numeric_like = IsNumberKind(c.kind) && !c.array;
  double lo = 0, hi = 0;
  switch (c.kind) {
    case ValueKind::kInt: {
      double max = c.int_bytes == 2 ? 32767 : c.int_bytes == 4 ? 2147483647.0 : 9.0e15;
      lo = 1;
      hi = std::min(max, std::max(1000000.0, static_cast<double>(rows) * 10));
      s.step = 1;
      if (c.lo && *c.lo < lo) lo = -max;
      break;
    }
    case ValueKind::kNumeric: {
      int scale = c.scale < 0 ? 2 : c.scale;
      s.step = std::pow(10.0, -scale);
      lo = 0;
      hi = 1000;
      if (c.precision > 0) {
        double max = std::pow(10.0, c.precision - scale) - s.step;
        hi = std::min(hi, max);
        if (c.lo && *c.lo < 0) lo = -max;
      }
      break;
    }
    case ValueKind::kFloat:
      lo = 0;
      hi = 1000;
      s.step = 0;
      break;
    case ValueKind::kDate:
      lo = kDefaultTimeLo;
      hi = kDefaultTimeHi;
      s.step = 86400;
      break;
    case ValueKind::kTimestamp:
    case ValueKind::kTimestampTz:
      lo = kDefaultTimeLo;
      hi = kDefaultTimeHi;
      s.step = 1e-6;
      break;
    case ValueKind::kTime:
    case ValueKind::kTimeTz:
      lo = 0;
      hi = 86399;
      s.step = 1;
      break;
    default:
      break;
  }
  if (c.lo) lo = *c.lo + (c.lo_exclusive ? (s.step > 0 ? s.step : 1e-9) : 0);
  if (c.hi) hi = *c.hi - (c.hi_exclusive ? (s.step > 0 ? s.step : 1e-9) : 0);
  if (c.lo && !c.hi && hi < lo) hi = lo + (IsTime(c.kind) ? (kDefaultTimeHi - kDefaultTimeLo) : 1000);
  if (c.hi && !c.lo && lo > hi) lo = hi - (IsTime(c.kind) ? (kDefaultTimeHi - kDefaultTimeLo) : 1000);
  if (hi < lo) hi = lo;
  s.lo = lo;
  s.hi = hi;
  if (c.kind != ValueKind::kInt && !IsTime(c.kind) && c.kind != ValueKind::kTime &&
      c.kind != ValueKind::kTimeTz && lo >= 0 && hi > 100 * std::max(lo, 1.0)) {
    s.log_uniform = true;
    s.log_a = std::log(std::max(lo, s.step > 0 ? s.step : 0.01) + 1);
    s.log_b = std::log(hi + 1);
  }
  uint64_t distinct = c.n_distinct > 0 ? static_cast<uint64_t>(c.n_distinct) : 0;
  if (c.distribution == Distribution::kZipf) {
    uint64_t n = distinct > 0 ? distinct
                 : !c.choices.empty() ? c.choices.size()
                 : s.step > 0 ? static_cast<uint64_t>(std::max(1.0, std::min((hi - lo) / s.step + 1, 1e12)))
                              : 1000000;
    s.zipf = std::make_unique<Zipf>(n, c.zipf_s);
  }
  if (c.unique || (c.n_distinct > 0 && !s.zipf)) {
    // Unique values, or n_distinct values each used: row i takes value perm(i) mod n.
    s.perm = std::make_unique<Permutation>(static_cast<uint64_t>(std::max<int64_t>(rows, 1)),
                                           s.rng.Next());
  }
  if (!c.choice_weights.empty()) {
    double sum = 0;
    for (double w : c.choice_weights) s.cumulative.push_back(sum += w);
  }
  s.fields.resize(c.fields.size());
  for (size_t k = 0; k < c.fields.size(); ++k) {
    InitColumn(s.fields[k], c.fields[k], seed, table, rows);
    // Its own stream: a field may share its name with a column.
    s.fields[k].rng = Rng(seed, StreamId(table.schema + "." + table.name + "." + c.name + "." +
                                         std::to_string(k) + "." + c.fields[k].name));
  }
}

// A number for row `i` of `rows` (before rules); bounds respected.
double NumberFor(ColumnState& s, int64_t i, int64_t rows, const std::vector<std::pair<double, double>>* ranges,
                 const std::vector<double>* weights = nullptr) {
  const ColumnPlan& c = *s.plan;
  double lo = s.lo, hi = s.hi;
  double u;  // position in [0, 1)
  if (ranges != nullptr && !ranges->empty()) {
    // Partition key: a position over the concatenated ranges.
    double total = 0;
    for (const auto& [a, b] : *ranges) total += b - a;
    double p = c.distribution == Distribution::kTimeSeries
                   ? (static_cast<double>(i) + s.rng.Uniform()) / static_cast<double>(std::max<int64_t>(rows, 1))
                   : s.rng.Uniform();
    if (weights != nullptr && weights->size() == ranges->size()) {
      // Each range gets its share of the rows (a live database's partition sizes).
      for (size_t r = 0; r < ranges->size(); ++r) {
        const auto& [a, b] = (*ranges)[r];
        double w = (*weights)[r];
        if (p < w || r + 1 == ranges->size()) {
          double within = w > 0 ? std::min(p / w, 1.0) : 0;
          return std::min(a + within * (b - a), b - (s.step > 0 ? s.step : 1e-6));
        }
        p -= w;
      }
    }
    double at = p * total;
    for (const auto& [a, b] : *ranges) {
      if (at < b - a) return std::min(a + at, b - (s.step > 0 ? s.step : 1e-6));
      at -= b - a;
    }
    return ranges->back().second - (s.step > 0 ? s.step : 1e-6);
  }
  if (c.unique && s.step > 0) {
    // Distinct by construction: a permutation of row numbers over the distinct steps.
    double span = std::floor((hi - lo) / s.step) + 1;
    double k = c.sequence || c.distribution == Distribution::kSequential || c.distribution == Distribution::kTimeSeries
                   ? static_cast<double>(i)
                   : static_cast<double>((*s.perm)(static_cast<uint64_t>(i)));
    if (span >= static_cast<double>(rows)) {
      double stride = c.distribution == Distribution::kTimeSeries ? std::floor(span / std::max<int64_t>(rows, 1)) : 1;
      return lo + k * std::max(1.0, stride) * s.step;
    }
    return lo + std::fmod(k, span) * s.step;
  }
  if (c.n_distinct > 0) {
    uint64_t k = s.zipf ? s.zipf->Sample(s.rng)
                        : (*s.perm)(static_cast<uint64_t>(i)) % static_cast<uint64_t>(c.n_distinct);
    u = (static_cast<double>(k) + 0.5) / static_cast<double>(c.n_distinct);
    return lo + u * (hi - lo);
  }
  switch (c.distribution) {
    case Distribution::kSequential:
      return std::min(hi, lo + static_cast<double>(i) * (s.step > 0 ? s.step : 1));
    case Distribution::kTimeSeries:
      u = (static_cast<double>(i) + s.rng.Uniform()) / static_cast<double>(std::max<int64_t>(rows, 1));
      return lo + std::min(u, 1.0) * (hi - lo);
    case Distribution::kNormal: {
      double mean = c.mean != 0 || c.stddev != 0 ? c.mean : (lo + hi) / 2;
      double sd = c.stddev > 0 ? c.stddev : (hi - lo) / 6;
      return std::clamp(mean + sd * s.rng.Normal(), lo, hi);
    }
    case Distribution::kZipf:
      return std::min(hi, lo + static_cast<double>(s.zipf->Sample(s.rng)) * (s.step > 0 ? s.step : 1));
    default:
      break;
  }
  // Money-like and counts: skewed towards small values (a log-uniform shape) when wide.
  if (s.log_uniform) return std::clamp(std::exp(s.log_a + s.rng.Uniform() * (s.log_b - s.log_a)) - 1, lo, hi);
  return lo + s.rng.Uniform() * (hi - lo);
}

double Quantize(const ColumnState& s, double v) {
  if (s.step <= 0) return v;
  double q = std::round((v - s.lo) / s.step) * s.step + s.lo;
  if (q > s.hi) q -= s.step;
  if (q < s.lo) q += s.step;
  return q;
}

void AppendNumber(std::string& out, const ColumnState& s, double v) {
  const ColumnPlan& c = *s.plan;
  switch (c.kind) {
    case ValueKind::kInt:
      AppendInt(out, static_cast<int64_t>(std::llround(v)));
      return;
    case ValueKind::kNumeric:
      AppendFixed(out, v, c.scale < 0 ? 2 : c.scale);
      return;
    case ValueKind::kFloat: {
      char buf[64];
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, 6);
      (void)ec;
      out.append(buf, static_cast<size_t>(end - buf));
      return;
    }
    case ValueKind::kDate:
      AppendDate(out, v);
      return;
    case ValueKind::kTimestamp:
    case ValueKind::kTimestampTz:
      AppendTimestamp(out, v, c.kind == ValueKind::kTimestampTz);
      return;
    case ValueKind::kTime:
    case ValueKind::kTimeTz: {
      auto secs = static_cast<int64_t>(v);
      AppendDigits(out, secs / 3600 % 24, 2);
      out += ':';
      AppendDigits(out, secs / 60 % 60, 2);
      out += ':';
      AppendDigits(out, secs % 60, 2);
      if (c.kind == ValueKind::kTimeTz) out += "+00";
      return;
    }
    default:
      return;
  }
}

// `rows` bounds the index of a unique value: its tail gets a fixed width, so that a random
// prefix plus a tail can never spell another prefix plus another tail.
std::string RegexValue(const std::vector<RegexAtom>& atoms, Rng& rng, bool unique, uint64_t index,
                       int64_t rows) {
  std::string s;
  bool fixed = std::all_of(atoms.begin(), atoms.end(), [](const RegexAtom& a) { return a.min == a.max; });
  if (unique && fixed) {
    // The index-th string of the language, in mixed radix (last atom fastest).
    std::vector<char> chars;
    for (auto it = atoms.rbegin(); it != atoms.rend(); ++it) {
      for (int k = 0; k < it->min; ++k) {
        chars.push_back(it->chars[index % it->chars.size()]);
        index /= it->chars.size();
      }
    }
    s.assign(chars.rbegin(), chars.rend());
    return s;
  }
  // Unique but not fixed-length: a distinct tail in the last atom's alphabet, which keeps
  // the value in the language when that atom may repeat; the random part leaves room for it.
  std::string tail;
  const RegexAtom& last = atoms.back();
  if (unique && last.max > 1) {
    uint64_t base = last.chars.size();
    int width = 1;
    for (double capacity = static_cast<double>(base); capacity < static_cast<double>(rows); capacity *= base) ++width;
    for (int k = 0; k < width; ++k) {
      tail += last.chars[index % base];
      index /= base;
    }
  }
  for (size_t k = 0; k < atoms.size(); ++k) {
    const RegexAtom& a = atoms[k];
    int hi = a.max;
    if (k + 1 == atoms.size() && !tail.empty()) hi = std::max(0, a.max - static_cast<int>(tail.size()));
    int lo = std::min(a.min, hi);
    if (k + 1 == atoms.size() && !tail.empty()) lo = std::max(0, a.min - static_cast<int>(tail.size()));
    lo = std::min(lo, hi);
    int n = lo == hi ? lo : static_cast<int>(rng.Between(std::max(lo, 1), hi));
    for (int j = 0; j < n; ++j) s += a.chars[rng.Next() % a.chars.size()];
  }
  s += tail;
  return s;
}

std::string TextValue(ColumnState& s, int64_t i, Rng& rng) {
  const ColumnPlan& c = *s.plan;
  std::string v;
  switch (c.text_kind) {
    case TextKind::kFirstName:
      v = Pick(kFirst, rng);
      break;
    case TextKind::kLastName:
      v = Pick(kLast, rng);
      break;
    case TextKind::kFullName:
      v = std::string(Pick(kFirst, rng)) + " " + Pick(kLast, rng);
      break;
    case TextKind::kEmail: {
      std::string first = ToLower(Pick(kFirst, rng));
      std::string last = ToLower(Pick(kLast, rng));
      if (last == "müller") last = "mueller";
      v = first + "." + last + std::to_string(rng.Between(1, 999)) + "@example.com";
      break;
    }
    case TextKind::kPhone: {
      char buf[24];
      std::snprintf(buf, sizeof buf, "+49 %03d %07d", static_cast<int>(rng.Between(150, 179)),
                    static_cast<int>(rng.Between(0, 9999999)));
      v = buf;
      break;
    }
    case TextKind::kStreet:
      v = std::to_string(rng.Between(1, 250)) + " " + Pick(kStreets, rng);
      break;
    case TextKind::kCity:
      v = Pick(kCities, rng);
      break;
    case TextKind::kCountryCode:
      v = c.max_length == 3 ? std::string(Pick(kCountries, rng)) + "X" : Pick(kCountries, rng);
      if (c.max_length < 0 || c.max_length > 3) v = Pick(kCountries, rng);
      break;
    case TextKind::kPostalCode: {
      char buf[8];
      std::snprintf(buf, sizeof buf, "%05d", static_cast<int>(rng.Between(1000, 99999)));
      v = buf;
      break;
    }
    case TextKind::kUrl:
      v = std::string("https://") + Pick(kWords, rng) + ".example.com/" + Pick(kWords, rng);
      break;
    case TextKind::kCurrency:
      v = Pick(kCurrencies, rng);
      break;
    case TextKind::kSlug:
      v = std::string(Pick(kWords, rng)) + "-" + Pick(kWords, rng);
      break;
    case TextKind::kUsername:
      v = ToLower(Pick(kFirst, rng)) + "_" + Pick(kWords, rng);
      break;
    case TextKind::kCode: {
      const char* alnum = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
      v = "";
      for (int k = 0; k < 8; ++k) v += alnum[rng.Next() % 32];
      break;
    }
    case TextKind::kHash: {
      const char* hex = "0123456789abcdef";
      for (int k = 0; k < 40; ++k) v += hex[rng.Next() % 16];
      break;
    }
    case TextKind::kSentence: {
      int target = c.text_length > 0 ? c.text_length : static_cast<int>(rng.Between(20, 80));
      if (c.max_length > 0) target = std::min(target, c.max_length);
      while (static_cast<int>(v.size()) < target) {
        if (!v.empty()) v += ' ';
        v += Pick(kWords, rng);
      }
      if (!v.empty()) v[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(v[0])));
      break;
    }
    case TextKind::kWord:
      v = std::string(Pick(kWords, rng)) + (c.max_length != 1 ? "" : "");
      if (c.text_length > 0) {
        while (static_cast<int>(v.size()) < c.text_length) v += std::string(" ") + Pick(kWords, rng);
      }
      break;
  }
  (void)i;
  return v;
}

// --- the other types, in their text input form (COPY-escaped by the caller) -----------------

// An element of an array, a composite field or a range bound, in double quotes: backslash
// and double quote are backslash-escaped, so any text survives the enclosing literal.
void AppendQuoted(std::string& out, std::string_view raw) {
  out += '"';
  for (char ch : raw) {
    if (ch == '"' || ch == '\\') out += '\\';
    out += ch;
  }
  out += '"';
}

void AppendHex(std::string& out, uint64_t v, int digits) {
  const char* hex = "0123456789abcdef";
  for (int k = digits - 1; k >= 0; --k) out += hex[(v >> (4 * k)) & 0xf];
}

void AppendHexByte(std::string& out, uint64_t v) { AppendHex(out, v & 0xff, 2); }

// A coordinate of a geometric value: two decimals in [0, 1000).
double Coord(Rng& rng) { return std::floor(rng.Uniform() * 100000) / 100; }

void AppendPoint(std::string& out, double x, double y) {
  out += '(';
  AppendFixed(out, x, 2);
  out += ',';
  AppendFixed(out, y, 2);
  out += ')';
}

// A number of the column's kind within its bounds. `unique` takes row i's distinct value
// (the column is a key); otherwise a plain draw, also for the elements of a unique array
// after its first.
double ElementNumber(ColumnState& s, int64_t i, int64_t rows, bool unique) {
  const ColumnPlan& c = *s.plan;
  double v =
      unique || !c.unique ? NumberFor(s, i, rows, nullptr) : s.lo + s.rng.Uniform() * (s.hi - s.lo);
  return Quantize(s, v);
}

// The step of a range's bounds: its subtype's grid, coarser for times (whole minutes or days).
double RangeStep(const ColumnState& sub, double span) {
  ValueKind k = sub.plan->kind;
  if (k == ValueKind::kDate) return 86400;
  if ((k == ValueKind::kTimestamp || k == ValueKind::kTimestampTz) && span >= 3600) return 60;
  return sub.step > 0 ? sub.step : 0.001;
}

// "[a,b)" with a < b on the subtype's grid (canonical for discrete subtypes).
void AppendRangeLiteral(std::string& out, const ColumnState& sub, double a, double b) {
  std::string bound;
  out += '[';
  AppendNumber(bound, sub, a);
  AppendQuoted(out, bound);
  out += ',';
  bound.clear();
  AppendNumber(bound, sub, b);
  AppendQuoted(out, bound);
  out += ')';
}

// A range inside the subtype's bounds: a start, then a length of up to 5 % of the span.
std::pair<double, double> RangeBounds(ColumnState& sub) {
  double span = sub.hi - sub.lo;
  double step = RangeStep(sub, span / 1000);
  double a = sub.lo + std::floor(sub.rng.Uniform() * span * 0.9 / step) * step;
  double b = a + std::max(step, std::floor(sub.rng.Uniform() * span * 0.05 / step) * step);
  return {a, b};
}

void AppendText(std::string& out, ColumnState& s, int64_t i, int64_t rows, bool unique,
                uint64_t index) {
  const ColumnPlan& c = *s.plan;
  std::string v;
  if (!c.regex.empty()) {
    v = RegexValue(c.regex, s.rng, unique, index, rows);
  } else {
    v = TextValue(s, i, s.rng);
    if (unique) {
      std::string tail = Base36(index);
      if (c.max_length > 0)
        TruncateChars(v, std::max(0, c.max_length - static_cast<int>(tail.size()) - 1));
      v += (v.empty() ? "" : "-") + tail;
    }
  }
  if (c.max_length > 0) TruncateChars(v, c.max_length);
  while (CharCount(v) < c.min_length) v += 'x';
  out += v;
}

// A JSON document of a plausible shape: an object with an id, a name, a flag, a score and,
// often, a tag list and a nested address.
void AppendJson(std::string& out, Rng& rng, int64_t i, bool unique, uint64_t index) {
  out += "{\"id\": ";
  AppendInt(out, unique ? static_cast<int64_t>(index) + 1 : i + 1);
  out += ", \"name\": \"";
  out += Pick(kFirst, rng);
  out += ' ';
  out += Pick(kLast, rng);
  out += "\", \"active\": ";
  out += rng.Chance(0.8) ? "true" : "false";
  out += ", \"score\": ";
  AppendFixed(out, static_cast<double>(rng.Between(0, 500)) / 100, 2);
  if (rng.Chance(0.7)) {
    out += ", \"tags\": [";
    int n = static_cast<int>(rng.Between(1, 3));
    for (int k = 0; k < n; ++k) {
      if (k) out += ", ";
      out += '"';
      out += Pick(kWords, rng);
      out += '"';
    }
    out += ']';
  }
  if (rng.Chance(0.5)) {
    out += ", \"address\": {\"city\": \"";
    out += Pick(kCities, rng);
    out += "\", \"country\": \"";
    out += Pick(kCountries, rng);
    out += "\"}";
  }
  out += '}';
}

void AppendValue(std::string& out, ColumnState& s, int64_t i, int64_t rows, bool unique,
                 uint64_t index);

// One value of the column's kind (an array's element; the whole value otherwise).
void AppendElement(std::string& out, ColumnState& s, int64_t i, int64_t rows, bool unique,
                   uint64_t index) {
  const ColumnPlan& c = *s.plan;
  Rng& rng = s.rng;
  if (!c.choices.empty()) {
    size_t k;
    if (unique) {
      k = static_cast<size_t>(index % c.choices.size());
    } else if (!s.cumulative.empty()) {
      double u = rng.Uniform() * s.cumulative.back();
      k = static_cast<size_t>(std::upper_bound(s.cumulative.begin(), s.cumulative.end(), u) -
                              s.cumulative.begin());
      k = std::min(k, c.choices.size() - 1);
    } else {
      k = static_cast<size_t>(rng.Next() % c.choices.size());
    }
    out += c.choices[k];
    return;
  }
  switch (c.kind) {
    case ValueKind::kInt:
    case ValueKind::kNumeric:
    case ValueKind::kFloat:
    case ValueKind::kDate:
    case ValueKind::kTimestamp:
    case ValueKind::kTimestampTz:
    case ValueKind::kTime:
    case ValueKind::kTimeTz:
      AppendNumber(out, s, ElementNumber(s, i, rows, unique));
      return;
    case ValueKind::kText:
      AppendText(out, s, i, rows, unique, index);
      return;
    case ValueKind::kBool:
      out += (unique ? (index & 1) != 0 : rng.Chance(0.5)) ? "t" : "f";
      return;
    case ValueKind::kUuid: {
      // Version 4 layout; a key keeps its row's distinct index in the last 48 bits.
      uint64_t a = rng.Next(), b = rng.Next();
      if (unique) b = (b & ~0xffffffffffffULL) | (index & 0xffffffffffffULL);
      a = (a & 0xffffffffffff0fffULL) | 0x4000ULL;
      b = (b & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
      AppendHex(out, a >> 32, 8);
      out += '-';
      AppendHex(out, (a >> 16) & 0xffff, 4);
      out += '-';
      AppendHex(out, a & 0xffff, 4);
      out += '-';
      AppendHex(out, b >> 48, 4);
      out += '-';
      AppendHex(out, b & 0xffffffffffffULL, 12);
      return;
    }
    case ValueKind::kJson:
      AppendJson(out, rng, i, unique, index);
      return;
    case ValueKind::kBytea:
      out += "\\x";
      if (unique) AppendHex(out, index, 16);
      AppendHex(out, rng.Next(), 16);
      return;
    case ValueKind::kInet:
      if (unique && index >= (uint64_t{1} << 24)) {
        out += "fd00::";
        AppendHex(out, index >> 32, 4);
        out += ':';
        AppendHex(out, (index >> 16) & 0xffff, 4);
        out += ':';
        AppendHex(out, index & 0xffff, 4);
        return;
      }
      {
        uint64_t host = unique ? index : static_cast<uint64_t>(rng.Between(1, 0xfffffe));
        out += "10.";
        AppendInt(out, static_cast<int64_t>((host >> 16) & 0xff));
        out += '.';
        AppendInt(out, static_cast<int64_t>((host >> 8) & 0xff));
        out += '.';
        AppendInt(out, static_cast<int64_t>(host & 0xff));
      }
      return;
    case ValueKind::kCidr: {
      // Networks with their host bits zero: 10.a.b.0/24, or /64 IPv6 ones past 65,536 keys.
      uint64_t net = unique ? index : static_cast<uint64_t>(rng.Between(0, 0xffff));
      if (net >= (uint64_t{1} << 16)) {
        out += "fd00:";
        AppendHex(out, (net >> 32) & 0xffff, 4);
        out += ':';
        AppendHex(out, (net >> 16) & 0xffff, 4);
        out += ':';
        AppendHex(out, net & 0xffff, 4);
        out += "::/64";
        return;
      }
      out += "10.";
      AppendInt(out, static_cast<int64_t>(net >> 8));
      out += '.';
      AppendInt(out, static_cast<int64_t>(net & 0xff));
      out += ".0/24";
      return;
    }
    case ValueKind::kMacaddr:
    case ValueKind::kMacaddr8: {
      // Locally administered (02:...), the rest from the key index or at random.
      int bytes = c.kind == ValueKind::kMacaddr ? 5 : 7;
      uint64_t v = unique ? index : rng.Next();
      out += "02";
      for (int k = bytes - 1; k >= 0; --k) {
        out += ':';
        AppendHexByte(out, v >> (8 * k));
      }
      return;
    }
    case ValueKind::kBit: {
      int n = c.bits > 0 ? c.bits
                         : (unique ? c.max_length
                                   : static_cast<int>(rng.Between(1, std::max(1, c.max_length))));
      for (int k = n - 1; k >= 0; --k) {
        bool one = unique && k < 64 ? ((index >> k) & 1) != 0 : rng.Chance(0.5);
        out += one ? '1' : '0';
      }
      return;
    }
    case ValueKind::kInterval:
      if (unique) {
        AppendInt(out, static_cast<int64_t>(index) + 1);
        out += " seconds";
        return;
      }
      AppendInt(out, rng.Between(0, 90));
      out += " days ";
      AppendDigits(out, rng.Between(0, 23), 2);
      out += ':';
      AppendDigits(out, rng.Between(0, 59), 2);
      out += ':';
      AppendDigits(out, rng.Between(0, 59), 2);
      return;
    case ValueKind::kMoney:
      // Amounts skewed towards small values; a key gets distinct whole units.
      AppendFixed(out,
                  unique
                      ? static_cast<double>(index) + static_cast<double>(rng.Between(0, 99)) / 100
                      : std::floor((std::exp(rng.Uniform() * std::log(10001.0)) - 1) * 100) / 100,
                  2);
      return;
    case ValueKind::kTsvector: {
      int n = static_cast<int>(rng.Between(2, 6));
      for (int k = 0; k < n; ++k) {
        if (k) out += ' ';
        out += Pick(kWords, rng);
      }
      if (unique) out += " k" + Base36(index);
      return;
    }
    case ValueKind::kTsquery:
      out += Pick(kWords, rng);
      out += rng.Chance(0.5) ? " & " : " | ";
      if (rng.Chance(0.3)) out += '!';
      out += Pick(kWords, rng);
      return;
    case ValueKind::kXml:
      out += "<item id=\"";
      AppendInt(out, unique ? static_cast<int64_t>(index) + 1 : i + 1);
      out += "\"><name>";
      out += Pick(kWords, rng);
      out += "</name><qty>";
      AppendInt(out, rng.Between(1, 20));
      out += "</qty></item>";
      return;
    case ValueKind::kPoint:
      AppendPoint(out, Coord(rng), Coord(rng));
      return;
    case ValueKind::kLine:
      // {A,B,C}: Ax + By + C = 0, A and B never both zero.
      out += '{';
      AppendInt(out, rng.Between(1, 9));
      out += ',';
      AppendInt(out, rng.Between(-9, 9));
      out += ',';
      AppendInt(out, rng.Between(-100, 100));
      out += '}';
      return;
    case ValueKind::kLseg:
      out += '[';
      AppendPoint(out, Coord(rng), Coord(rng));
      out += ',';
      AppendPoint(out, Coord(rng), Coord(rng));
      out += ']';
      return;
    case ValueKind::kBox: {
      double x = Coord(rng), y = Coord(rng);
      AppendPoint(out, x + static_cast<double>(rng.Between(1, 100)),
                  y + static_cast<double>(rng.Between(1, 100)));
      out += ',';
      AppendPoint(out, x, y);
      return;
    }
    case ValueKind::kPath: {
      bool closed = rng.Chance(0.3);
      out += closed ? '(' : '[';
      int n = static_cast<int>(rng.Between(2, 5));
      for (int k = 0; k < n; ++k) {
        if (k) out += ',';
        AppendPoint(out, Coord(rng), Coord(rng));
      }
      out += closed ? ')' : ']';
      return;
    }
    case ValueKind::kPolygon: {
      double x = Coord(rng), y = Coord(rng);
      double w = static_cast<double>(rng.Between(1, 50)),
             h = static_cast<double>(rng.Between(1, 50));
      out += '(';
      AppendPoint(out, x, y);
      out += ',';
      AppendPoint(out, x + w, y);
      out += ',';
      AppendPoint(out, x + w, y + h);
      out += ',';
      AppendPoint(out, x, y + h);
      out += ')';
      return;
    }
    case ValueKind::kCircle:
      out += '<';
      AppendPoint(out, Coord(rng), Coord(rng));
      out += ',';
      AppendInt(out, rng.Between(1, 50));
      out += '>';
      return;
    case ValueKind::kPgLsn: {
      // Increasing positions 40 bytes apart for a key; anywhere in the first 256 segments
      // of 4 GB otherwise.
      uint64_t lsn =
          unique ? 0x1000000 + index * 40
                 : (static_cast<uint64_t>(rng.Between(0, 255)) << 32) | (rng.Next() & 0xffffffff);
      char buf[32];
      int n = std::snprintf(buf, sizeof buf, "%X/%X", static_cast<unsigned>(lsn >> 32),
                            static_cast<unsigned>(lsn & 0xffffffff));
      out.append(buf, static_cast<size_t>(n));
      return;
    }
    case ValueKind::kRange: {
      auto [a, b] = RangeBounds(s.fields[0]);
      AppendRangeLiteral(out, s.fields[0], a, b);
      return;
    }
    case ValueKind::kMultirange: {
      // One to three disjoint ranges, in order, inside one range's span.
      ColumnState& sub = s.fields[0];
      auto [a, b] = RangeBounds(sub);
      int n = static_cast<int>(rng.Between(1, 3));
      double step = RangeStep(sub, (sub.hi - sub.lo) / 1000);
      double piece = std::max(step, std::floor((b - a) / (2 * n) / step) * step);
      out += '{';
      for (int k = 0; k < n; ++k) {
        if (k) out += ',';
        double from = a + 2 * k * piece;
        AppendRangeLiteral(out, sub, from, from + piece);
      }
      out += '}';
      return;
    }
    case ValueKind::kComposite: {
      out += '(';
      std::string field;
      for (size_t k = 0; k < s.fields.size(); ++k) {
        if (k) out += ',';
        field.clear();
        AppendValue(field, s.fields[k], i, rows, false, 0);
        AppendQuoted(out, field);
      }
      out += ')';
      return;
    }
    case ValueKind::kUnsupported:
      return;  // the plan refuses these columns
  }
}

// The whole value: an element, or for an array column one to four of them (box arrays are
// separated by ';', their type's delimiter). A unique array is unique by its first element.
void AppendValue(std::string& out, ColumnState& s, int64_t i, int64_t rows, bool unique,
                 uint64_t index) {
  if (!s.plan->array) {
    AppendElement(out, s, i, rows, unique, index);
    return;
  }
  char delimiter = s.plan->kind == ValueKind::kBox ? ';' : ',';
  int n = static_cast<int>(s.rng.Between(1, 4));
  std::string element;
  out += '{';
  for (int k = 0; k < n; ++k) {
    if (k) out += delimiter;
    element.clear();
    AppendElement(element, s, i, rows, unique && k == 0, index);
    AppendQuoted(out, element);
  }
  out += '}';
}

// --- key pools -----------------------------------------------------------------------------

// The values of one referenced column set of a generated table, as COPY text (composite
// keys joined by '\t'). A single sequence column is kept as a formula.
struct KeyPool {
  bool formula = false;
  int64_t start = 1, increment = 1, count = 0;
  std::vector<std::string> values;
  int64_t size() const { return formula ? count : static_cast<int64_t>(values.size()); }
  std::string at(int64_t k) const {
    if (formula) return std::to_string(start + k * increment);
    return values[static_cast<size_t>(k)];
  }
};

// "a\tb\tc" -> {"a", "b", "c"}: the parts of a pooled key.
std::vector<std::string> SplitTabs(const std::string& key) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (true) {
    size_t tab = key.find('\t', pos);
    out.push_back(key.substr(pos, tab == std::string::npos ? std::string::npos : tab - pos));
    if (tab == std::string::npos) break;
    pos = tab + 1;
  }
  return out;
}

std::string PoolKey(const QualifiedName& table, const std::vector<std::string>& cols) {
  return table.schema + "\x1f" + table.name + "\x1f" + Join(cols, "\x1f");
}

// --- sinks --------------------------------------------------------------------------------

class ConnectionSink : public RowSink {
 public:
  ConnectionSink(pg::Connection& conn, bool freeze) : conn_(conn), freeze_(freeze) {}
  Status Begin(const TablePlan& table, const std::string& columns) override {
    return conn_.BeginCopyIn("COPY " + table.name.Quoted() + " (" + columns + ") FROM STDIN" +
                             (freeze_ && !table.partitioned ? " WITH (FREEZE)" : ""));
  }
  Status Write(std::string_view text) override { return conn_.PutCopyData(text); }
  Result<int64_t> End() override { return conn_.EndCopyIn(); }
  Status Finish(const std::vector<std::string>& statements) override {
    for (const std::string& s : statements) DBARCH_RETURN_IF_ERROR(conn_.ExecScript(s));
    return Status::OK();
  }

 private:
  pg::Connection& conn_;
  bool freeze_;
};

class DirectorySink : public RowSink {
 public:
  explicit DirectorySink(std::string dir) : dir_(std::move(dir)) {}
  Status Begin(const TablePlan& table, const std::string& columns) override {
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    if (ec) return Status::IOError("cannot create \"" + dir_ + "\": " + ec.message());
    char prefix[16];
    std::snprintf(prefix, sizeof prefix, "%03d_", ++count_);
    std::string name = prefix + table.name.schema + "." + table.name.name + ".copy";
    std::string path = (std::filesystem::path(dir_) / name).string();
    out_.open(path, std::ios::binary | std::ios::trunc);
    if (!out_) return Status::IOError("cannot write \"" + path + "\"");
    script_ += "\\copy " + table.name.Quoted() + " (" + columns + ") FROM '" + name + "'\n";
    rows_ = 0;
    return Status::OK();
  }
  Status Write(std::string_view text) override {
    rows_ += std::count(text.begin(), text.end(), '\n');
    out_.write(text.data(), static_cast<std::streamsize>(text.size()));
    return out_ ? Status::OK() : Status::IOError("write failed in \"" + dir_ + "\"");
  }
  Result<int64_t> End() override {
    out_.close();
    if (!out_) return Status::IOError("write failed in \"" + dir_ + "\"");
    return rows_;
  }
  Status Finish(const std::vector<std::string>& statements) override {
    std::string script =
        "-- Generated by dbarch generate. Run from this directory: psql -v ON_ERROR_STOP=1 -f load.sql\n"
        "BEGIN;\n" + script_;
    for (const std::string& s : statements) script += s + ";\n";
    script += "COMMIT;\nANALYZE;\n";
    std::string path = (std::filesystem::path(dir_) / "load.sql").string();
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f << script;
    return f ? Status::OK() : Status::IOError("cannot write \"" + path + "\"");
  }

 private:
  std::string dir_;
  std::ofstream out_;
  std::string script_;
  int count_ = 0;
  int64_t rows_ = 0;
};

// Write on a thread of its own, fed through a bounded queue of buffers: the generating thread
// makes the next megabyte while the previous ones go to the server.
class PipelinedSink : public RowSink {
 public:
  PipelinedSink(std::unique_ptr<RowSink> inner, int depth)
      : inner_(std::move(inner)), depth_(static_cast<size_t>(std::max(depth, 1))) {
    writer_ = std::thread([this] { Drain(); });
  }
  ~PipelinedSink() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    ready_.notify_all();
    writer_.join();
  }
  PipelinedSink(const PipelinedSink&) = delete;
  PipelinedSink& operator=(const PipelinedSink&) = delete;

  Status Begin(const TablePlan& table, const std::string& columns) override {
    DBARCH_RETURN_IF_ERROR(Idle());
    return inner_->Begin(table, columns);
  }
  Status Take(std::string& buf) override {
    std::string spare;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!spare_.empty()) {
        spare = std::move(spare_.back());
        spare_.pop_back();
      }
    }
    std::unique_lock<std::mutex> lock(mu_);
    space_.wait(lock, [&] { return queue_.size() < depth_ || !error_.ok(); });
    if (!error_.ok()) return error_;
    queue_.push_back(std::move(buf));
    buf = std::move(spare);
    buf.clear();
    ready_.notify_one();
    return Status::OK();
  }
  Status Write(std::string_view text) override {
    std::string buf;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!spare_.empty()) {
        buf = std::move(spare_.back());
        spare_.pop_back();
      }
    }
    buf.assign(text.data(), text.size());
    std::unique_lock<std::mutex> lock(mu_);
    space_.wait(lock, [&] { return queue_.size() < depth_ || !error_.ok(); });
    if (!error_.ok()) return error_;
    queue_.push_back(std::move(buf));
    ready_.notify_one();
    return Status::OK();
  }
  Result<int64_t> End() override {
    DBARCH_RETURN_IF_ERROR(Idle());
    return inner_->End();
  }
  Status Finish(const std::vector<std::string>& statements) override {
    DBARCH_RETURN_IF_ERROR(Idle());
    return inner_->Finish(statements);
  }

 private:
  // Waits until every queued buffer is written; the first write error, if any.
  Status Idle() {
    std::unique_lock<std::mutex> lock(mu_);
    space_.wait(lock, [&] { return queue_.empty() && !busy_; });
    return error_;
  }
  void Drain() {
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      ready_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping
      std::string buf = std::move(queue_.front());
      queue_.pop_front();
      busy_ = true;
      bool failed = !error_.ok();
      lock.unlock();
      // After a failure the COPY is over: the rest is dropped, the error stays.
      Status st = failed ? Status::OK() : inner_->Write(buf);
      lock.lock();
      busy_ = false;
      if (!st.ok() && error_.ok()) error_ = std::move(st);
      buf.clear();
      spare_.push_back(std::move(buf));
      space_.notify_all();
    }
  }

  std::unique_ptr<RowSink> inner_;
  const size_t depth_;
  std::mutex mu_;
  std::condition_variable ready_;  // a buffer is queued, or stop
  std::condition_variable space_;  // a buffer was written
  std::deque<std::string> queue_;
  std::vector<std::string> spare_;  // written buffers, reused
  bool busy_ = false;
  bool stop_ = false;
  Status error_ = Status::OK();
  std::thread writer_;
};

// --- one table ----------------------------------------------------------------------------

class TableFiller {
 public:
  TableFiller(const Plan& plan, const TablePlan& t, std::map<std::string, KeyPool>& pools,
              const std::vector<std::vector<std::string>>& kept_sets)
      : plan_(plan), t_(t), pools_(pools), kept_sets_(kept_sets) {}

  Result<TableStats> Run(RowSink& sink, const ProgressFn& progress, int64_t& bytes,
                         double& sink_seconds) {
    auto t0 = std::chrono::steady_clock::now();
    TableStats stats;
    stats.name = t_.name;
    std::vector<std::string> cols;
    for (const ColumnPlan& c : t_.columns) {
      if (!c.omitted) cols.push_back(QuoteIdent(c.name));
    }
    int64_t rows = t_.rows;
    // FK parents.
    fk_pools_.assign(t_.fks.size(), nullptr);
    for (size_t f = 0; f < t_.fks.size(); ++f) {
      const ForeignKeyPlan& fk = t_.fks[f];
      if (fk.broken || fk.self) continue;
      auto it = pools_.find(PoolKey(fk.parent, fk.parent_columns));
      if (it == pools_.end()) continue;  // parent not generated: NULL or error below
      fk_pools_[f] = &it->second;
      if (it->second.size() == 0 && !fk.nullable) {
        return Status::InvalidArgument("table " + t_.name.Quoted() + " needs rows in " + fk.parent.Quoted() +
                                       " (foreign key " + QuoteIdent(fk.name) + "), which gets none");
      }
      if (fk.unique && it->second.size() < rows) rows = it->second.size();
    }
    // A unique column cannot hold more distinct values than its domain has.
    for (const ColumnPlan& c : t_.columns) {
      if (!c.unique || c.sequence || c.fk >= 0 || c.omitted) continue;
      double capacity = -1;
      if (!c.choices.empty()) {
        capacity = static_cast<double>(c.choices.size());
      } else if (c.kind == ValueKind::kBool && !c.array) {
        capacity = 2;
      } else if (c.kind == ValueKind::kBit && !c.array) {
        capacity = std::pow(2.0, c.bits > 0 ? c.bits : c.max_length);
      } else if (!c.regex.empty() &&
                 std::all_of(c.regex.begin(), c.regex.end(),
                             [](const RegexAtom& a) { return a.min == a.max; })) {
        capacity = 1;
        for (const RegexAtom& a : c.regex) capacity *= std::pow(static_cast<double>(a.chars.size()), a.min);
      }
      if (capacity >= 0 && capacity < static_cast<double>(rows)) {
        capped_.push_back(QuoteIdent(c.name) + " has only " + std::to_string(static_cast<int64_t>(capacity)) +
                          " distinct values");
        rows = static_cast<int64_t>(capacity);
      }
    }
    // Foreign keys in drawing order (most columns first), and for each the positions whose
    // column a larger key draws, with its parent rows indexed by their values there.
    fk_order_.clear();
    for (size_t f = 0; f < t_.fks.size(); ++f) fk_order_.push_back(f);
    std::stable_sort(fk_order_.begin(), fk_order_.end(), [&](size_t a, size_t b) {
      return t_.fks[a].columns.size() > t_.fks[b].columns.size();
    });
    fk_bound_.assign(t_.fks.size(), {});
    fk_match_.assign(t_.fks.size(), {});
    for (size_t f = 0; f < t_.fks.size(); ++f) {
      const ForeignKeyPlan& fk = t_.fks[f];
      for (size_t p = 0; p < fk.columns.size(); ++p) {
        if (t_.columns[fk.columns[p]].fk != static_cast<int>(f)) fk_bound_[f].push_back(p);
      }
      if (fk_bound_[f].empty() || fk_bound_[f].size() == fk.columns.size() || fk.self ||
          fk_pools_[f] == nullptr) {
        continue;
      }
      const KeyPool& pool = *fk_pools_[f];
      for (int64_t r = 0; r < pool.size(); ++r) {
        std::string row = pool.at(r);
        std::vector<std::string> parts = SplitTabs(row);
        std::string want;
        for (size_t p : fk_bound_[f]) {
          if (p < parts.size()) want += parts[p];
          want += '\x1f';
        }
        fk_match_[f][want].push_back(r);
      }
    }
    fk_zipf_.clear();
    fk_perm_.clear();
    for (size_t f = 0; f < t_.fks.size(); ++f) {
      uint64_t n = fk_pools_[f] != nullptr ? static_cast<uint64_t>(std::max<int64_t>(fk_pools_[f]->size(), 1)) : 1;
      fk_zipf_.push_back(std::make_unique<Zipf>(n, t_.fks[f].zipf_s));
      fk_perm_.push_back(std::make_unique<Permutation>(n, plan_.seed ^ StreamId(t_.fks[f].name)));
    }
    excl_cursors_.assign(t_.exclusions.size(), {});
    in_rules_.assign(t_.columns.size(), false);
    for (const RowRule& r : t_.rules) {
      for (int c : {r.a, r.b, r.target}) {
        if (c >= 0) in_rules_[c] = true;
      }
      for (const auto& [c, sign] : r.terms) in_rules_[c] = true;
    }
    states_.resize(t_.columns.size());
    for (size_t i = 0; i < t_.columns.size(); ++i) InitColumn(states_[i], t_.columns[i], plan_.seed, t_.name, rows);
    row_rng_ = Rng(plan_.seed, StreamId(t_.name.Quoted() + "#rows"));

    // Pools this table must keep for its children.
    std::vector<std::pair<KeyPool*, std::vector<int>>> keep;
    for (const std::vector<std::string>& set : kept_sets_) {
      KeyPool& pool = pools_[PoolKey(t_.name, set)];
      std::vector<int> idx;
      for (const std::string& n : set) {
        for (size_t i = 0; i < t_.columns.size(); ++i) {
          if (t_.columns[i].name == n) idx.push_back(static_cast<int>(i));
        }
      }
      if (idx.size() == 1 && t_.columns[idx[0]].sequence && t_.columns[idx[0]].fk < 0) {
        pool.formula = true;
        pool.start = t_.columns[idx[0]].seq_start;
        pool.increment = t_.columns[idx[0]].seq_increment;
        pool.count = 0;
        keep.emplace_back(&pool, idx);  // count updated per row
      } else {
        pool.values.reserve(static_cast<size_t>(rows));
        keep.emplace_back(&pool, idx);
      }
    }

    DBARCH_RETURN_IF_ERROR(sink.Begin(t_, Join(cols, ", ")));
    std::string buf;
    buf.reserve(1 << 20);
    values_.assign(t_.columns.size(), std::string());
    nulls_.assign(t_.columns.size(), false);
    numbers_.assign(t_.columns.size(), 0.0);
    std::vector<std::unordered_set<std::string>> seen(t_.unique_sets.size());
    std::unordered_set<std::string> seen_single_text;
    int64_t emitted = 0;
    // A key drawn within the values of a larger one has fewer combinations to choose from,
    // so a taken one is drawn again more often.
    bool any_bound = false;
    for (const std::vector<size_t>& b : fk_bound_) any_bound = any_bound || !b.empty();
    const int max_attempts = any_bound ? 64 : 12;
    for (int64_t i = 0; i < rows; ++i) {
      bool ok = false;
      for (int attempt = 0; attempt < max_attempts && !ok; ++attempt) {
        MakeRow(i, emitted, attempt);
        ok = !row_failed_;
        for (size_t u = 0; u < t_.unique_sets.size() && ok; ++u) {
          if (!UniqueApplies(u)) continue;
          std::string key;
          bool has_null = false;
          for (int col : t_.unique_sets[u]) {
            if (nulls_[col]) has_null = true;
            key += values_[col];
            key += '\x1f';
          }
          if (has_null) continue;  // NULLs are distinct
          if (seen[u].count(key)) ok = false;
        }
      }
      if (!ok) {
        ++stats.rejected;
        continue;
      }
      for (size_t u = 0; u < t_.unique_sets.size(); ++u) {
        if (!UniqueApplies(u)) continue;
        std::string key;
        bool has_null = false;
        for (int col : t_.unique_sets[u]) {
          if (nulls_[col]) has_null = true;
          key += values_[col];
          key += '\x1f';
        }
        if (!has_null) seen[u].insert(std::move(key));
      }
      // Row out.
      bool first = true;
      for (size_t c = 0; c < t_.columns.size(); ++c) {
        if (t_.columns[c].omitted) continue;
        if (!first) buf += '\t';
        first = false;
        if (nulls_[c]) {
          buf += "\\N";
        } else {
          buf += values_[c];
        }
      }
      buf += '\n';
      for (auto& [pool, idx] : keep) {
        if (pool->formula) {
          pool->count = emitted + 1;
          continue;
        }
        std::string key;
        for (size_t k = 0; k < idx.size(); ++k) {
          if (k) key += '\t';
          key += nulls_[idx[k]] ? "\\N" : values_[idx[k]];
        }
        pool->values.push_back(std::move(key));
      }
      ++emitted;
      if (buf.size() >= (1 << 20) - 4096) {
        bytes += static_cast<int64_t>(buf.size());
        auto w0 = std::chrono::steady_clock::now();
        DBARCH_RETURN_IF_ERROR(sink.Take(buf));
        sink_seconds +=
            std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
        if (buf.capacity() < (1 << 20)) buf.reserve(1 << 20);
      }
      if (progress && (emitted & 0x3fff) == 0) progress(t_.name, emitted, rows);
    }
    auto w0 = std::chrono::steady_clock::now();
    if (!buf.empty()) {
      bytes += static_cast<int64_t>(buf.size());
      DBARCH_RETURN_IF_ERROR(sink.Write(buf));
    }
    DBARCH_ASSIGN_OR_RETURN(int64_t loaded, sink.End());
    sink_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
    if (progress) progress(t_.name, emitted, rows);
    stats.rows = loaded;
    stats.notes = capped_;
    stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return stats;
  }

 private:
  // Fills values_/nulls_ for row i (`emitted` rows are out so far; `attempt` > 0 retries
  // a row whose composite key was taken).
  void MakeRow(int64_t i, int64_t emitted, int attempt) {
    const size_t n = t_.columns.size();
    for (size_t c = 0; c < n; ++c) {
      const ColumnPlan& p = t_.columns[c];
      ColumnState& s = states_[c];
      if (attempt > 0 && p.sequence) continue;  // keep the row's sequence value
      std::string& out = values_[c];
      out.clear();
      nulls_[c] = false;
      if (p.omitted) continue;
      if (p.fk >= 0) continue;  // below
      if (p.sequence) {
        double v = static_cast<double>(p.seq_start + emitted * p.seq_increment);
        numbers_[c] = v;
        AppendInt(out, static_cast<int64_t>(v));
        continue;
      }
      if (p.null_fraction > 0 && s.rng.Chance(p.null_fraction)) {
        nulls_[c] = true;
        continue;
      }
      if (p.kind == ValueKind::kUnsupported) {
        nulls_[c] = true;  // only with null_fraction 1: the plan refuses it otherwise
        continue;
      }
      if (p.array || (p.choices.empty() && !s.numeric_like && p.kind != ValueKind::kText)) {
        // Every other type (and arrays of any): its text form, then COPY-escaped — except
        // the forms made of letters, digits and punctuation only, which go out as they are.
        uint64_t index = p.unique && s.perm ? (*s.perm)(static_cast<uint64_t>(i)) : 0;
        if (!p.array && p.fields.empty() && p.kind != ValueKind::kBytea) {
          AppendValue(out, s, i, t_.rows, p.unique, index);
          continue;
        }
        raw_.clear();
        AppendValue(raw_, s, i, t_.rows, p.unique, index);
        AppendEscaped(out, raw_);
        continue;
      }
      if (!p.choices.empty()) {
        size_t k;
        if (p.unique) {
          k = static_cast<size_t>((*s.perm)(static_cast<uint64_t>(i)) % p.choices.size());
        } else if (!s.cumulative.empty()) {
          double u = s.rng.Uniform() * s.cumulative.back();
          k = static_cast<size_t>(std::upper_bound(s.cumulative.begin(), s.cumulative.end(), u) - s.cumulative.begin());
          if (k >= p.choices.size()) k = p.choices.size() - 1;
        } else if (s.zipf) {
          k = static_cast<size_t>(s.zipf->Sample(s.rng) % p.choices.size());
        } else {
          k = static_cast<size_t>(s.rng.Next() % p.choices.size());
        }
        AppendEscaped(out, p.choices[k]);
        if (s.numeric_like) numbers_[c] = std::atof(p.choices[k].c_str());
        continue;
      }
      if (s.numeric_like) {
        const std::vector<std::pair<double, double>>* ranges =
            p.partition_ranges >= 0 && t_.partition ? &t_.partition->ranges : nullptr;
        const std::vector<double>* weights =
            p.partition_ranges >= 0 && t_.partition ? &t_.partition->weights : nullptr;
        double v = Quantize(s, NumberFor(s, i, t_.rows, ranges, weights));
        for (const std::string& ne : p.not_equal) {
          double bad = IsTime(p.kind) ? ParseTimestamp(ne).value_or(NAN) : std::atof(ne.c_str());
          if (v == bad) v = v + (s.step > 0 ? s.step : 1) <= s.hi ? v + (s.step > 0 ? s.step : 1) : v - (s.step > 0 ? s.step : 1);
        }
        numbers_[c] = v;
        continue;  // formatted after the row rules
      }
      switch (p.kind) {
        case ValueKind::kText: {
          std::string v;
          Rng* rng = &s.rng;
          Rng distinct_rng(0, 0);
          std::string distinct_tail;
          if (p.n_distinct > 0) {
            // Value k of n_distinct: the same text every time k comes up, distinct from the
            // others by its tail.
            uint64_t k = s.zipf ? s.zipf->Sample(s.rng)
                                : (*s.perm)(static_cast<uint64_t>(i)) % static_cast<uint64_t>(p.n_distinct);
            distinct_rng = Rng(plan_.seed, StreamId(p.name) ^ (k * 0x9e3779b97f4a7c15ULL));
            rng = &distinct_rng;
            if (p.regex.empty()) distinct_tail = "-" + Base36(k);
          }
          uint64_t index = p.unique ? (*s.perm)(static_cast<uint64_t>(i)) : 0;
          if (!p.regex.empty()) {
            v = RegexValue(p.regex, *rng, p.unique, index, t_.rows);
          } else {
            v = TextValue(s, i, *rng);
            if (p.unique) {
              std::string tail = Base36(index);
              if (p.text_kind == TextKind::kEmail) {
                size_t at = v.find('@');
                v = v.substr(0, at) + "." + tail + v.substr(at);
              } else {
                if (p.max_length > 0) TruncateChars(v, std::max(0, p.max_length - static_cast<int>(tail.size()) - 1));
                v += (v.empty() ? "" : "-") + tail;
              }
            }
          }
          for (int tries = 0; tries < 8; ++tries) {
            bool bad = std::find(p.not_equal.begin(), p.not_equal.end(), v) != p.not_equal.end();
            if (!bad) break;
            v = TextValue(s, i, s.rng);
          }
          if (!distinct_tail.empty()) {
            if (p.max_length > 0) TruncateChars(v, std::max(0, p.max_length - static_cast<int>(distinct_tail.size())));
            v += distinct_tail;
          }
          if (p.max_length > 0) TruncateChars(v, p.max_length);
          while (CharCount(v) < p.min_length) v += 'x';
          AppendEscaped(out, v);
          break;
        }
        default:
          nulls_[c] = true;
      }
    }
    // Foreign keys, those with the most columns first: a column shared with a smaller key
    // (tenant_id) is drawn by the larger one, and the smaller key's parent row is then drawn
    // among the rows that agree with it.
    row_failed_ = false;
    for (size_t f : fk_order_) {
      const ForeignKeyPlan& fk = t_.fks[f];
      const std::vector<size_t>& bound = fk_bound_[f];
      bool owns_any = false;
      for (int col : fk.columns) owns_any = owns_any || t_.columns[col].fk == static_cast<int>(f);
      if (!owns_any) continue;  // every column drawn by a larger key
      bool null = fk.broken;
      std::string key;
      bool bound_null = false;
      for (size_t p : bound) bound_null = bound_null || nulls_[fk.columns[p]];
      if (!null && !bound.empty() && !bound_null && !fk.self) {
        // The parent rows whose values in the bound columns are those already drawn.
        std::string want;
        for (size_t p : bound) {
          want += values_[fk.columns[p]];
          want += '\x1f';
        }
        auto it = fk_match_[f].find(want);
        const KeyPool* pool = fk_pools_[f];
        if (it == fk_match_[f].end() || pool == nullptr) {
          if (fk.nullable) {
            null = true;
          } else {
            row_failed_ = true;  // no parent agrees: the row is drawn again
            continue;
          }
        } else {
          const std::vector<int64_t>& rows = it->second;
          uint64_t k = row_rng_.Next() % static_cast<uint64_t>(rows.size());
          key = pool->at(rows[static_cast<size_t>(k)]);
        }
      } else if (!null && fk.self) {
        if (emitted == 0 || (fk.nullable && row_rng_.Chance(0.2))) {
          null = true;
        } else {
          // An earlier row of this table: its values of the referenced columns.
          int64_t k = static_cast<int64_t>(row_rng_.Next() % static_cast<uint64_t>(emitted));
          key = SelfKey(fk, k);
          null = key.empty();
        }
      } else if (!null) {
        const KeyPool* pool = fk_pools_[f];
        if (pool == nullptr || pool->size() == 0 ||
            (fk.nullable && t_.columns[fk.columns[0]].null_fraction > 0 &&
             row_rng_.Chance(t_.columns[fk.columns[0]].null_fraction))) {
          null = true;
        } else {
          uint64_t n = static_cast<uint64_t>(pool->size());
          uint64_t k;
          if (fk.unique) {
            k = (*fk_perm_[f])(static_cast<uint64_t>(i)) % n;
          } else if (fk.distribution == Distribution::kUniform) {
            k = row_rng_.Next() % n;
          } else {
            k = (*fk_perm_[f])(fk_zipf_[f]->Sample(row_rng_) % n);
          }
          if (attempt > 0 && !fk.unique) k = (k + static_cast<uint64_t>(attempt) * 7919) % n;
          key = pool->at(static_cast<int64_t>(k));
        }
      }
      // Split the key over the columns this key draws (the key holds every column's part).
      size_t pos = 0;
      for (size_t p = 0; p < fk.columns.size(); ++p) {
        int col = fk.columns[p];
        size_t tab = null ? std::string::npos : key.find('\t', pos);
        std::string part =
            null ? "" : key.substr(pos, tab == std::string::npos ? std::string::npos : tab - pos);
        pos = tab == std::string::npos ? key.size() : tab + 1;
        if (t_.columns[col].fk != static_cast<int>(f)) continue;
        std::string& out = values_[col];
        out.clear();
        if (null) {
          nulls_[col] = true;
          continue;
        }
        nulls_[col] = part == "\\N";
        out = part;
        if (in_rules_[col]) numbers_[col] = std::atof(part.c_str());
      }
    }
    // Exclusion constraints: each key value's ranges follow one another without overlap.
    for (size_t e = 0; e < t_.exclusions.size(); ++e) {
      const ExclusionPlan& ex = t_.exclusions[e];
      int col = ex.range_column;
      if (col >= 0 && nulls_[col]) continue;
      std::string key;
      bool null_key = false;
      for (size_t k = 0; k < ex.equal_columns.size(); ++k) {
        int kc = ex.equal_columns[k];
        const std::optional<std::string>& null_as = ex.equal_null_as[k];
        if (nulls_[kc] && null_as) {
          key += *null_as;
        } else {
          null_key = null_key || nulls_[kc];
          key += values_[kc];
        }
        key += '\x1f';
      }
      if (null_key) continue;  // NULL = x is never true: no conflict
      ColumnState& sub = col >= 0 ? states_[col].fields[0] : states_[ex.from_column];
      // The average step per row: the whole span for one sequence of ranges, ten spans'
      // worth spread over the keys when there are keys (past the upper bound is fine for
      // times and wide integers; a hot key just runs later).
      double span = sub.hi - sub.lo;
      double avg = span / static_cast<double>(std::max<int64_t>(t_.rows, 1)) *
                   (ex.equal_columns.empty() ? 1 : 10);
      double step = RangeStep(sub, avg);
      auto [it, fresh] = excl_cursors_[e].try_emplace(key, sub.lo);
      double a = it->second + std::floor(sub.rng.Uniform() * avg * 0.3 / step) * step;
      double b =
          a + std::max(step, std::floor((0.2 + sub.rng.Uniform()) * avg * 0.6 / step) * step);
      it->second = b;
      if (col < 0) {
        // A range built from two columns: both set, the next one starting after this one.
        numbers_[ex.from_column] = a;
        numbers_[ex.to_column] = b;
        nulls_[ex.from_column] = nulls_[ex.to_column] = false;
        if (ex.upper_inclusive) it->second = b + step;
        continue;
      }
      raw_.clear();
      if (t_.columns[col].kind == ValueKind::kMultirange) raw_ += '{';
      AppendRangeLiteral(raw_, sub, a, b);
      if (t_.columns[col].kind == ValueKind::kMultirange) raw_ += '}';
      values_[col].clear();
      AppendEscaped(values_[col], raw_);
    }
    // Row rules on numbers.
    for (const RowRule& r : t_.rules) {
      if (r.kind == RowRule::kSum) {
        const ColumnPlan& target = t_.columns[r.target];
        if (target.kind != ValueKind::kNumeric && target.kind != ValueKind::kInt) continue;
        int scale = target.kind == ValueKind::kInt ? 0 : (target.scale < 0 ? 2 : target.scale);
        double mult = std::pow(10.0, scale);
        int64_t sum = 0;
        bool any_null = false;
        for (const auto& [col, sign] : r.terms) {
          if (nulls_[col]) any_null = true;
          sum += sign * static_cast<int64_t>(std::llround(numbers_[col] * mult));
        }
        if (any_null) {
          nulls_[r.target] = true;
        } else {
          numbers_[r.target] = static_cast<double>(sum) / mult;
          nulls_[r.target] = false;
        }
        continue;
      }
      if (!states_[r.a].numeric_like || !states_[r.b].numeric_like) continue;
      if (nulls_[r.a] || nulls_[r.b]) continue;
      double& a = numbers_[r.a];
      double& b = numbers_[r.b];
      bool a_fk = t_.columns[r.a].fk >= 0 || t_.columns[r.a].sequence;
      bool b_fk = t_.columns[r.b].fk >= 0 || t_.columns[r.b].sequence;
      double step = std::max(states_[r.a].step, states_[r.b].step);
      if (step <= 0) step = 1e-6;
      if (r.kind == RowRule::kNotEqual) {
        bool same = std::llround(a / step) == std::llround(b / step);
        if (same && !a_fk) a = a + step <= states_[r.a].hi ? a + step : a - step;
        else if (same && !b_fk) b = b + step <= states_[r.b].hi ? b + step : b - step;
        continue;
      }
      bool strict = r.kind == RowRule::kLess;
      // Compare on the output grid: 0.15000000000000002 and 0.15 print alike.
      auto grid = [&](double x) { return std::llround(x / step); };
      if (strict ? grid(a) < grid(b) : grid(a) <= grid(b)) continue;
      if (!a_fk && !b_fk) {
        std::swap(a, b);
        if (strict && grid(a) == grid(b)) {
          if (b + step <= states_[r.b].hi) b += step;
          else a -= step;
        }
      } else if (!a_fk) {
        a = strict ? b - step : b;
      } else if (!b_fk) {
        b = strict ? a + step : a;
      }
    }
    // Format numbers.
    for (size_t c = 0; c < n; ++c) {
      const ColumnPlan& p = t_.columns[c];
      if (p.omitted || nulls_[c] || !states_[c].numeric_like || p.fk >= 0 || p.sequence || !p.choices.empty()) {
        continue;
      }
      values_[c].clear();
      AppendNumber(values_[c], states_[c], numbers_[c]);
    }
  }

  // Whether unique set u binds the current row (a partial unique index's condition).
  bool UniqueApplies(size_t u) const {
    if (u >= t_.unique_when.size() || t_.unique_when[u].column < 0) return true;
    const TablePlan::UniqueWhen& when = t_.unique_when[u];
    if (nulls_[when.column]) return when.value == "\\N";
    return values_[when.column] == when.value;
  }

  // The referenced columns' text of an earlier row of this table (self-reference).
  std::string SelfKey(const ForeignKeyPlan& fk, int64_t row) {
    std::string key;
    for (size_t p = 0; p < fk.parent_columns.size(); ++p) {
      int col = -1;
      for (size_t i = 0; i < t_.columns.size(); ++i) {
        if (t_.columns[i].name == fk.parent_columns[p]) col = static_cast<int>(i);
      }
      if (col < 0 || !t_.columns[col].sequence) return "";
      if (p) key += '\t';
      key += std::to_string(t_.columns[col].seq_start + row * t_.columns[col].seq_increment);
    }
    return key;
  }

  const Plan& plan_;
  const TablePlan& t_;
  std::map<std::string, KeyPool>& pools_;
  const std::vector<std::vector<std::string>>& kept_sets_;
  std::vector<const KeyPool*> fk_pools_;
  std::vector<size_t> fk_order_;               // foreign keys, most columns first
  std::vector<std::vector<size_t>> fk_bound_;  // per key: positions a larger key draws
  // Per key with bound positions: the bound values ("v1\x1fv2\x1f") -> parent pool rows.
  std::vector<std::unordered_map<std::string, std::vector<int64_t>>> fk_match_;
  bool row_failed_ = false;  // MakeRow found no parent row agreeing with the drawn values
  std::vector<std::string> capped_;
  std::vector<std::unique_ptr<Zipf>> fk_zipf_;
  std::vector<std::unique_ptr<Permutation>> fk_perm_;
  std::vector<ColumnState> states_;
  Rng row_rng_{0, 0};
  std::vector<std::string> values_;
  std::vector<bool> nulls_;
  std::vector<bool> in_rules_;  // the column takes part in a row rule: keep its number
  std::vector<double> numbers_;
  std::string raw_;  // a value's text before COPY escaping
  std::vector<std::unordered_map<std::string, double>> excl_cursors_;  // per exclusion: key -> end
};

}  // namespace

std::unique_ptr<RowSink> MakeConnectionSink(pg::Connection& conn, bool freeze) {
  return std::make_unique<ConnectionSink>(conn, freeze);
}

std::unique_ptr<RowSink> MakeDirectorySink(const std::string& dir) {
  return std::make_unique<DirectorySink>(dir);
}

std::unique_ptr<RowSink> MakePipelinedSink(std::unique_ptr<RowSink> inner, int depth) {
  return std::make_unique<PipelinedSink>(std::move(inner), depth);
}

Result<GenerateStats> Generate(const Plan& plan, RowSink& sink, const ProgressFn& progress) {
  auto t0 = std::chrono::steady_clock::now();
  GenerateStats stats;
  // Which column sets of which table are referenced (their values are kept).
  std::map<QualifiedName, std::vector<std::vector<std::string>>> kept;
  for (const TablePlan& t : plan.tables) {
    for (const ForeignKeyPlan& fk : t.fks) {
      if (fk.broken || fk.self) continue;
      auto& sets = kept[fk.parent];
      if (std::find(sets.begin(), sets.end(), fk.parent_columns) == sets.end()) sets.push_back(fk.parent_columns);
    }
  }
  std::map<std::string, KeyPool> pools;
  std::vector<std::string> finish;
  static const std::vector<std::vector<std::string>> kNone;
  for (const TablePlan& t : plan.tables) {
    auto it = kept.find(t.name);
    TableFiller filler(plan, t, pools, it == kept.end() ? kNone : it->second);
    DBARCH_ASSIGN_OR_RETURN(TableStats ts,
                            filler.Run(sink, progress, stats.bytes, stats.sink_seconds));
    stats.rows += ts.rows;
    // Sequences continue after the generated values.
    for (const ColumnPlan& c : t.columns) {
      if (!c.sequence || c.fk >= 0 || ts.rows == 0) continue;
      int64_t last = c.seq_start + (ts.rows - 1) * c.seq_increment;
      finish.push_back("SELECT pg_catalog.setval(pg_catalog.pg_get_serial_sequence(" +
                       QuoteLiteral(t.name.Quoted()) + ", " + QuoteLiteral(c.name) + "), " +
                       std::to_string(last) + ")");
    }
    stats.tables.push_back(std::move(ts));
    // Keys of tables nobody references later are no longer needed.
  }
  DBARCH_RETURN_IF_ERROR(sink.Finish(finish));
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return stats;
}

}  // namespace dbarch::datagen
