#include "workload/log_reader.h"

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>

#include "sql/parser.h"
#include "workload/log_input.h"
#include "workload/log_prefix.h"
#include "workload/query_mask.h"

namespace dbarch::workload {
namespace {

constexpr size_t kBlockBytes = 4 << 20;
// A record longer than this is cut at a line boundary anyway (a runaway statement).
constexpr size_t kMaxBlockBytes = 256 << 20;
// Distinct masks remembered per thread; the cache starts over beyond (memory bound when a
// log holds many distinct utility statements, which are never masked).
constexpr size_t kMaskCacheLimit = 100000;
constexpr size_t kDetectBytes = 1 << 20;
// Processes whose last untimed statement is remembered, per thread.
constexpr size_t kPendingLimit = 100000;

bool StartsWith(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && std::memcmp(s.data(), p.data(), p.size()) == 0;
}

uint64_t Hash(std::string_view s) { return std::hash<std::string_view>{}(s); }

// The number of '\n' in [begin, end): memchr is vectorized in libc, a byte loop is not at -O2.
uint64_t CountNewlines(const char* begin, const char* end) {
  uint64_t n = 0;
  while (begin < end) {
    const void* nl = std::memchr(begin, '\n', static_cast<size_t>(end - begin));
    if (nl == nullptr) break;
    ++n;
    begin = static_cast<const char*>(nl) + 1;
  }
  return n;
}

std::string Hex16(uint64_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i) {
    out[static_cast<size_t>(i)] = kDigits[v & 0xf];
    v >>= 4;
  }
  return out;
}

struct Block {
  size_t file_index = 0;
  uint64_t first_line = 1;
  std::string data;
  LogFormat format = LogFormat::kStderr;
  const LinePrefix* prefix = nullptr;
  // The file ends inside this block without a final newline: its last line is truncated.
  bool truncated_tail = false;
};

// A bounded queue of blocks from the reading thread to the parsing threads.
class BlockQueue {
 public:
  explicit BlockQueue(size_t capacity) : capacity_(capacity) {}
  void Push(std::unique_ptr<Block> b) {
    std::unique_lock<std::mutex> lock(mu_);
    not_full_.wait(lock, [&] { return blocks_.size() < capacity_; });
    blocks_.push_back(std::move(b));
    not_empty_.notify_one();
  }
  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    not_empty_.notify_all();
  }
  // nullptr once closed and drained.
  std::unique_ptr<Block> Pop() {
    std::unique_lock<std::mutex> lock(mu_);
    not_empty_.wait(lock, [&] { return closed_ || !blocks_.empty(); });
    if (blocks_.empty()) return nullptr;
    auto b = std::move(blocks_.front());
    blocks_.pop_front();
    not_full_.notify_one();
    return b;
  }

 private:
  std::mutex mu_;
  std::condition_variable not_full_;
  std::condition_variable not_empty_;
  std::deque<std::unique_ptr<Block>> blocks_;
  size_t capacity_;
  bool closed_ = false;
};

// One log entry (a record: its primary line plus DETAIL / STATEMENT lines) in any format.
struct Entry {
  std::string_view timestamp;
  std::string_view pid;
  std::string_view user;
  std::string_view database;
  std::string_view application;
  std::string_view severity;
  std::string_view message;
  std::string_view detail;
  std::string_view statement;
  uint64_t line = 0;
};

// The internal accumulator of one group in one thread.
struct Acc {
  LogGroup group;
  uint64_t first_error_pos = UINT64_MAX;  // (file index << 40) | line of first_error
  size_t last_usage[3] = {0, 0, 0};
};

struct MalformedAt {
  size_t file_index;
  uint64_t line;
  std::string reason;
};

void AddUsage(std::vector<UsageCount>& v, size_t& hint, std::string_view name, double ms) {
  if (hint < v.size() && v[hint].name == name) {
    ++v[hint].calls;
    v[hint].total_ms += ms;
    return;
  }
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i].name == name) {
      hint = i;
      ++v[i].calls;
      v[i].total_ms += ms;
      return;
    }
  }
  hint = v.size();
  v.push_back({std::string(name), 1, ms});
}

// Adds time to the entry `name` (counted as a call before, without its duration).
void AddUsageTime(std::vector<UsageCount>& v, std::string_view name, double ms) {
  for (UsageCount& u : v) {
    if (u.name == name) {
      u.total_ms += ms;
      return;
    }
  }
}

void MergeUsage(std::vector<UsageCount>& into, const std::vector<UsageCount>& from) {
  for (const UsageCount& u : from) {
    auto it = std::find_if(into.begin(), into.end(),
                           [&](const UsageCount& x) { return x.name == u.name; });
    if (it == into.end()) {
      into.push_back(u);
    } else {
      it->calls += u.calls;
      it->total_ms += u.total_ms;
    }
  }
}

void AddSample(std::vector<SampleStatement>& samples, size_t limit, SampleStatement s) {
  for (const SampleStatement& x : samples) {
    if (x.key == s.key && x.text == s.text && x.params == s.params) return;
  }
  auto pos = std::lower_bound(
      samples.begin(), samples.end(), s,
      [](const SampleStatement& a, const SampleStatement& b) { return a.key < b.key; });
  if (samples.size() >= limit && pos == samples.end()) return;
  samples.insert(pos, std::move(s));
  if (samples.size() > limit) samples.pop_back();
}

// Joins a multi-line text: the first line, then each continuation line without its tab.
class TextPieces {
 public:
  void Start(std::string_view first) {
    first_ = first;
    more_.clear();
    active_ = true;
  }
  void Add(std::string_view continuation) { more_.push_back(continuation); }
  bool active() const { return active_; }
  void Reset() {
    active_ = false;
    first_ = {};
    more_.clear();
  }
  std::string_view Text(std::string* buf) const {
    if (more_.empty()) return first_;
    buf->assign(first_);
    for (std::string_view l : more_) {
      buf->push_back('\n');
      buf->append(l.substr(1));
    }
    return *buf;
  }

 private:
  std::string_view first_;
  std::vector<std::string_view> more_;
  bool active_ = false;
};

class Worker {
 public:
  explicit Worker(const LogReadOptions& options) : options_(options) {}

  void Process(const Block& block) {
    block_ = &block;
    switch (block.format) {
      case LogFormat::kCsv:
        ProcessCsv(block);
        break;
      case LogFormat::kJson:
        ProcessJson(block);
        break;
      default:
        ProcessStderr(block);
        break;
    }
  }

  std::vector<Acc> groups_;
  std::unordered_map<std::string, size_t> group_by_key_;
  LogSummary summary_;
  std::vector<MalformedAt> malformed_;
  std::map<std::string, TimeBucket, std::less<>> minutes_;

 private:
  // ----- formats -----

  void ProcessStderr(const Block& block) {
    const std::string& data = block.data;
    size_t end = data.size();
    uint64_t last_line =
        block.first_line + static_cast<uint64_t>(std::count(data.begin(), data.end(), '\n'));
    if (block.truncated_tail) {
      size_t nl = data.rfind('\n');
      end = nl == std::string::npos ? 0 : nl + 1;
      Malformed(last_line, "truncated last line (no newline at the end of the file)");
    }
    size_t pos = 0;
    uint64_t line_no = block.first_line;
    bool open = false;
    PrefixFields head;
    uint64_t head_line = 0;
    TextPieces* target = nullptr;
    message_.Reset();
    detail_.Reset();
    statement_.Reset();
    TextPieces ignored;
    auto flush = [&] {
      if (!open) return;
      Entry e;
      e.timestamp = head.timestamp;
      e.pid = head.pid;
      e.user = head.user;
      e.database = head.database;
      e.application = head.application;
      e.severity = head.severity;
      e.message = message_.Text(&message_buf_);
      if (detail_.active()) e.detail = detail_.Text(&detail_buf_);
      if (statement_.active()) e.statement = statement_.Text(&statement_buf_);
      e.line = head_line;
      HandleEntry(e);
      open = false;
      message_.Reset();
      detail_.Reset();
      statement_.Reset();
      target = nullptr;
    };
    PrefixFields f;
    while (pos < end) {
      const char* nlp = static_cast<const char*>(std::memchr(data.data() + pos, '\n', end - pos));
      size_t nl = nlp == nullptr ? end : static_cast<size_t>(nlp - data.data());
      std::string_view line(data.data() + pos, nl - pos);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (!line.empty() && line[0] == '\t') {
        if (target != nullptr) {
          target->Add(line);
        } else if (!open) {
          Malformed(line_no, "continuation line without a log entry before it");
        }
      } else if (line.empty()) {
        // blank lines carry nothing
      } else if (!block.prefix->Match(line, &f)) {
        flush();
        Malformed(line_no, "line does not match log_line_prefix '" + block.prefix->text() + "'");
      } else if (IsSecondary(f.severity)) {
        if (open && f.pid == head.pid) {
          if (f.severity == "DETAIL") {
            target = &detail_;
          } else if (f.severity == "STATEMENT") {
            target = &statement_;
          } else {
            target = &ignored;
          }
          target->Start(f.message);
        } else {
          // A DETAIL or STATEMENT whose entry is in another block or another process's
          // output: nothing to attach it to.
          target = nullptr;
        }
      } else {
        flush();
        head = f;
        head_line = line_no;
        open = true;
        message_.Start(f.message);
        target = &message_;
      }
      pos = nl + 1;
      ++line_no;
    }
    flush();
  }

  static bool IsSecondary(std::string_view sev) {
    return sev == "DETAIL" || sev == "STATEMENT" || sev == "HINT" || sev == "CONTEXT" ||
           sev == "QUERY" || sev == "LOCATION";
  }

  void ProcessCsv(const Block& block) {
    const std::string& data = block.data;
    size_t end = data.size();
    if (block.truncated_tail) {
      // The last row has no newline: it is cut off (or the file lost its last byte).
      size_t nl = LastRowEnd(data);
      uint64_t lines_before = static_cast<uint64_t>(
          std::count(data.begin(), data.begin() + static_cast<long>(nl), '\n'));
      Malformed(block.first_line + lines_before,
                "truncated last line (no newline at the end of the file)");
      end = nl;
    }
    size_t pos = 0;
    uint64_t line_no = block.first_line;
    std::string_view fields[32];
    while (pos < end) {
      uint64_t row_line = line_no;
      size_t nfields = 0;
      bool ok = true;
      while (true) {
        size_t start = pos;
        std::string_view value;
        if (pos < end && data[pos] == '"') {
          size_t k = pos + 1;
          bool escaped = false;
          while (true) {
            const char* q = static_cast<const char*>(std::memchr(data.data() + k, '"', end - k));
            if (q == nullptr) {
              k = end;
              ok = false;
              break;
            }
            size_t qi = static_cast<size_t>(q - data.data());
            if (qi + 1 < end && data[qi + 1] == '"') {
              escaped = true;
              k = qi + 2;
              continue;
            }
            k = qi + 1;
            break;
          }
          if (!ok) {
            pos = end;
            break;
          }
          std::string_view raw(data.data() + start + 1, k - start - 2);
          line_no += static_cast<uint64_t>(std::count(raw.begin(), raw.end(), '\n'));
          if (escaped && nfields < 32) {
            std::string& buf = csv_bufs_[nfields];
            buf.clear();
            for (size_t i = 0; i < raw.size(); ++i) {
              buf.push_back(raw[i]);
              if (raw[i] == '"') ++i;
            }
            value = buf;
          } else {
            value = raw;
          }
          pos = k;
        } else {
          while (pos < end && data[pos] != ',' && data[pos] != '\n') ++pos;
          value = std::string_view(data.data() + start, pos - start);
        }
        if (nfields < 32) fields[nfields] = value;
        ++nfields;
        if (pos < end && data[pos] == ',') {
          ++pos;
          continue;
        }
        if (pos < end && data[pos] == '\r') ++pos;
        if (pos < end && data[pos] != '\n') {
          ok = false;
          // Skip to the end of this physical line.
          const char* nlp =
              static_cast<const char*>(std::memchr(data.data() + pos, '\n', end - pos));
          pos = nlp == nullptr ? end : static_cast<size_t>(nlp - data.data());
        }
        if (pos < end) {
          ++pos;  // the newline
          ++line_no;
        }
        break;
      }
      if (!ok) {
        Malformed(row_line, "csvlog row does not parse (unbalanced quotes)");
        continue;
      }
      if (nfields < 23 || nfields > 32) {
        Malformed(row_line, "csvlog row has " + std::to_string(nfields) +
                                " fields, expected 26 (PostgreSQL 15) or 23");
        continue;
      }
      Entry e;
      e.timestamp = fields[0];
      e.user = fields[1];
      e.database = fields[2];
      e.pid = fields[3];
      e.severity = fields[11];
      e.message = fields[13];
      e.detail = fields[14];
      e.statement = fields[19];
      e.application = fields[22];
      e.line = row_line;
      HandleEntry(e);
    }
  }

  // Offset just after the last newline that ends a row (outside quotes), 0 if none.
  static size_t LastRowEnd(const std::string& data) {
    size_t last = 0;
    bool quoted = false;
    for (size_t i = 0; i < data.size(); ++i) {
      if (data[i] == '"')
        quoted = !quoted;
      else if (data[i] == '\n' && !quoted)
        last = i + 1;
    }
    return last;
  }

  void ProcessJson(const Block& block) {
    const std::string& data = block.data;
    size_t end = data.size();
    uint64_t line_no = block.first_line;
    if (block.truncated_tail) {
      size_t nl = data.rfind('\n');
      end = nl == std::string::npos ? 0 : nl + 1;
      uint64_t last_line =
          block.first_line + static_cast<uint64_t>(std::count(data.begin(), data.end(), '\n'));
      Malformed(last_line, "truncated last line (no newline at the end of the file)");
    }
    size_t pos = 0;
    while (pos < end) {
      const char* nlp = static_cast<const char*>(std::memchr(data.data() + pos, '\n', end - pos));
      size_t nl = nlp == nullptr ? end : static_cast<size_t>(nlp - data.data());
      std::string_view line(data.data() + pos, nl - pos);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (!line.empty()) {
        Entry e;
        e.line = line_no;
        if (ParseJsonLine(line, &e)) {
          HandleEntry(e);
        } else {
          Malformed(line_no, "jsonlog line is not a JSON object");
        }
      }
      pos = nl + 1;
      ++line_no;
    }
  }

  // Reads the flat JSON object of one jsonlog line into `e` (views into the line or into
  // this worker's buffers).
  bool ParseJsonLine(std::string_view s, Entry* e) {
    size_t i = 0;
    auto skip = [&] {
      while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    };
    // Parses a string at i (the opening quote); escapes are decoded into `buf`.
    auto string_at = [&](std::string* buf, std::string_view* out) -> bool {
      if (i >= s.size() || s[i] != '"') return false;
      size_t start = ++i;
      bool escaped = false;
      while (true) {
        const void* q = std::memchr(s.data() + i, '"', s.size() - i);
        if (q == nullptr) return false;
        size_t qi = static_cast<size_t>(static_cast<const char*>(q) - s.data());
        // The quote ends the string unless an odd number of backslashes precedes it.
        size_t b = qi;
        while (b > start && s[b - 1] == '\\') --b;
        if (b < qi) escaped = true;
        i = qi;
        if ((qi - b) % 2 == 0) break;
        ++i;
      }
      if (!escaped && std::memchr(s.data() + start, '\\', i - start) != nullptr) escaped = true;
      std::string_view raw = s.substr(start, i - start);
      ++i;
      if (!escaped) {
        *out = raw;
        return true;
      }
      if (buf == nullptr) {
        *out = {};
        return true;
      }
      buf->clear();
      for (size_t k = 0; k < raw.size(); ++k) {
        char c = raw[k];
        if (c != '\\' || k + 1 >= raw.size()) {
          buf->push_back(c);
          continue;
        }
        char x = raw[++k];
        switch (x) {
          case 'n':
            buf->push_back('\n');
            break;
          case 't':
            buf->push_back('\t');
            break;
          case 'r':
            buf->push_back('\r');
            break;
          case 'b':
            buf->push_back('\b');
            break;
          case 'f':
            buf->push_back('\f');
            break;
          case 'u': {
            auto hex4 = [&](size_t at, uint32_t* v) {
              if (at + 4 > raw.size()) return false;
              auto r = std::from_chars(raw.data() + at, raw.data() + at + 4, *v, 16);
              return r.ec == std::errc() && r.ptr == raw.data() + at + 4;
            };
            uint32_t cp = 0;
            if (!hex4(k + 1, &cp)) return false;
            k += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF && k + 2 < raw.size() && raw[k + 1] == '\\' &&
                raw[k + 2] == 'u') {
              uint32_t lo = 0;
              if (hex4(k + 3, &lo) && lo >= 0xDC00 && lo <= 0xDFFF) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                k += 6;
              }
            }
            if (cp < 0x80) {
              buf->push_back(static_cast<char>(cp));
            } else if (cp < 0x800) {
              buf->push_back(static_cast<char>(0xC0 | (cp >> 6)));
              buf->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
            } else if (cp < 0x10000) {
              buf->push_back(static_cast<char>(0xE0 | (cp >> 12)));
              buf->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
              buf->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
            } else {
              buf->push_back(static_cast<char>(0xF0 | (cp >> 18)));
              buf->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
              buf->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
              buf->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
            }
            break;
          }
          default:
            buf->push_back(x);
            break;
        }
      }
      *out = *buf;
      return true;
    };
    skip();
    if (i >= s.size() || s[i] != '{') return false;
    ++i;
    skip();
    if (i < s.size() && s[i] == '}') return true;
    while (true) {
      skip();
      std::string_view key;
      if (!string_at(&key_buf_, &key)) return false;
      skip();
      if (i >= s.size() || s[i] != ':') return false;
      ++i;
      skip();
      std::string_view* dst = nullptr;
      std::string* buf = nullptr;
      if (key == "timestamp") {
        dst = &e->timestamp;
        buf = &json_bufs_[0];
      } else if (key == "user") {
        dst = &e->user;
        buf = &json_bufs_[1];
      } else if (key == "dbname") {
        dst = &e->database;
        buf = &json_bufs_[2];
      } else if (key == "pid") {
        dst = &e->pid;
        buf = &json_bufs_[3];
      } else if (key == "application_name") {
        dst = &e->application;
        buf = &json_bufs_[4];
      } else if (key == "error_severity") {
        dst = &e->severity;
        buf = &json_bufs_[5];
      } else if (key == "message") {
        dst = &e->message;
        buf = &json_bufs_[6];
      } else if (key == "detail") {
        dst = &e->detail;
        buf = &json_bufs_[7];
      } else if (key == "statement") {
        dst = &e->statement;
        buf = &json_bufs_[8];
      }
      std::string_view value;
      if (i < s.size() && s[i] == '"') {
        if (!string_at(buf, &value)) return false;
      } else {
        size_t start = i;
        while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ' ') ++i;
        value = s.substr(start, i - start);
        if (value.empty()) return false;
      }
      if (dst != nullptr) *dst = value;
      skip();
      if (i < s.size() && s[i] == ',') {
        ++i;
        continue;
      }
      if (i < s.size() && s[i] == '}') {
        ++i;
        skip();
        return i == s.size();
      }
      return false;
    }
  }

  // ----- entries -----

  void HandleEntry(const Entry& e) {
    if (!options_.database.empty() && e.database != options_.database) {
      ++summary_.other_database_entries;
      return;
    }
    if (!e.timestamp.empty()) {
      if (summary_.first_timestamp.empty() || e.timestamp < summary_.first_timestamp) {
        summary_.first_timestamp.assign(e.timestamp);
      }
      if (summary_.last_timestamp.empty() || e.timestamp > summary_.last_timestamp) {
        summary_.last_timestamp.assign(e.timestamp);
      }
    }
    minute_ = Minute(e.timestamp);
    std::string_view sev = e.severity;
    if (sev == "LOG") {
      HandleLog(e);
    } else if (sev == "ERROR" || sev == "FATAL" || sev == "PANIC") {
      ++summary_.errors;
      if (minute_) ++minute_->errors;
      if (!e.statement.empty()) {
        ++summary_.errors_with_statement;
        Acc& a = groups_[GroupIndex(e.statement)];
        Observe(a, e, e.statement, {});
        ++a.group.errors;
        uint64_t at = (static_cast<uint64_t>(block_->file_index) << 40) | e.line;
        if (at < a.first_error_pos) {
          a.first_error_pos = at;
          a.group.first_error.assign(e.message);
        }
      }
    }
  }

  void HandleLog(const Entry& e) {
    std::string_view m = e.message;
    if (StartsWith(m, "duration: ")) {
      m.remove_prefix(10);
      size_t ms_at = m.find(" ms");
      double ms = 0;
      if (ms_at == std::string_view::npos ||
          std::from_chars(m.data(), m.data() + ms_at, ms).ec != std::errc()) {
        Malformed(e.line, "duration entry without a number of milliseconds");
        return;
      }
      std::string_view rest = m.substr(ms_at + 3);
      if (rest.empty()) {
        auto it = pending_.find(std::string(e.pid));
        if (it == pending_.end()) {
          ++summary_.unattributed_durations;
          return;
        }
        Acc& a = groups_[it->second];
        AddTime(a, ms);
        if (minute_) {
          ++minute_->timed_statements;
          minute_->total_ms += ms;
        }
        AddUsageTime(a.group.by_database, e.database, ms);
        AddUsageTime(a.group.by_user, e.user, ms);
        AddUsageTime(a.group.by_application, e.application, ms);
        pending_.erase(it);
        return;
      }
      if (!StartsWith(rest, "  ")) return;
      rest.remove_prefix(2);
      HandleStatementText(e, rest, ms, true);
      return;
    }
    if (HandleStatementText(e, m, 0, false)) return;
    TimeBucket none;
    TimeBucket& minute = minute_ ? *minute_ : none;
    if (StartsWith(m, "connection authorized")) {
      ++summary_.connections;
      ++minute.connections;
    } else if (StartsWith(m, "disconnection: ")) {
      ++summary_.disconnections;
      ++minute.disconnections;
    } else if (StartsWith(m, "checkpoint starting")) {
      ++summary_.checkpoints;
      ++minute.checkpoints;
    } else if (StartsWith(m, "automatic vacuum") || StartsWith(m, "automatic analyze")) {
      ++summary_.autovacuums;
      ++minute.autovacuums;
    } else if (StartsWith(m, "temporary file: path ")) {
      ++summary_.temp_files;
      ++minute.temp_files;
      int64_t size = 0;
      size_t at = m.rfind(", size ");
      if (at != std::string_view::npos) {
        std::from_chars(m.data() + at + 7, m.data() + m.size(), size);
      }
      summary_.temp_bytes += size;
      minute.temp_bytes += size;
      if (!e.statement.empty()) {
        Acc& a = groups_[GroupIndex(e.statement)];
        Observe(a, e, e.statement, {});
        ++a.group.temp_files;
        a.group.temp_bytes += size;
      }
    } else if (StartsWith(m, "process ") &&
               m.find(" still waiting for ") != std::string_view::npos) {
      ++summary_.lock_waits;
      ++minute.lock_waits;
      if (!e.statement.empty()) {
        Acc& a = groups_[GroupIndex(e.statement)];
        Observe(a, e, e.statement, {});
        ++a.group.lock_waits;
      }
    }
  }

  // "statement: TEXT", "execute NAME: TEXT", "parse NAME: TEXT", "bind NAME: TEXT". True
  // when `m` is one of them.
  bool HandleStatementText(const Entry& e, std::string_view m, double ms, bool timed) {
    if (StartsWith(m, "statement: ")) {
      Call(e, m.substr(11), ms, timed, {});
      return true;
    }
    bool execute = StartsWith(m, "execute ");
    bool parse_or_bind = StartsWith(m, "parse ") || StartsWith(m, "bind ");
    if (!execute && !parse_or_bind) return false;
    size_t colon = m.find(": ");
    if (colon == std::string_view::npos) return false;
    if (parse_or_bind) {
      ++summary_.parse_bind;
      summary_.parse_bind_ms += ms;
      return true;
    }
    std::string_view params;
    if (StartsWith(e.detail, "parameters: ")) params = e.detail.substr(12);
    Call(e, m.substr(colon + 2), ms, timed, params);
    return true;
  }

  void AddTime(Acc& a, double ms) {
    ++a.group.timed_calls;
    a.group.total_ms += ms;
    a.group.durations.Add(ms);
    size_t b = 0;
    while (b < std::size(kDurationHistogramEdgesMs) && ms >= kDurationHistogramEdgesMs[b]) ++b;
    ++summary_.duration_histogram[b];
  }

  // The bucket of the minute `timestamp` falls in; null when it does not start with
  // "YYYY-MM-DD HH:MM". Consecutive entries mostly share a minute, so the last one is
  // remembered.
  TimeBucket* Minute(std::string_view timestamp) {
    if (timestamp.size() < 16) return nullptr;
    std::string_view key = timestamp.substr(0, 16);
    if (minute_cache_ != nullptr && key == minute_cache_->minute) return minute_cache_;
    static constexpr std::string_view kShape = "dddd-dd-dd dd:dd";
    for (size_t i = 0; i < kShape.size(); ++i) {
      bool digit = key[i] >= '0' && key[i] <= '9';
      if (kShape[i] == 'd' ? !digit : key[i] != kShape[i]) return nullptr;
    }
    auto it = minutes_.find(key);
    if (it == minutes_.end()) {
      it = minutes_.emplace(std::string(key), TimeBucket{}).first;
      it->second.minute = it->first;
    }
    minute_cache_ = &it->second;
    return minute_cache_;
  }

  void Call(const Entry& e, std::string_view text, double ms, bool timed, std::string_view params) {
    size_t index = GroupIndex(text);
    Acc& a = groups_[index];
    ++a.group.calls;
    if (minute_) {
      ++minute_->statements;
      if (timed) {
        ++minute_->timed_statements;
        minute_->total_ms += ms;
      }
    }
    if (timed) {
      AddTime(a, ms);
    } else {
      // Remembered for a bare "duration:" of the same process; bounded, as a log of many
      // short sessions without log_duration never consumes these.
      if (pending_.size() >= kPendingLimit) pending_.clear();
      pending_[std::string(e.pid)] = index;
    }
    double t = timed ? ms : 0;
    AddUsage(a.group.by_database, a.last_usage[0], e.database, t);
    AddUsage(a.group.by_user, a.last_usage[1], e.user, t);
    AddUsage(a.group.by_application, a.last_usage[2], e.application, t);
    Observe(a, e, text, params);
  }

  // Offers `text` (with its logged parameters) as a sample of the group.
  void Observe(Acc& a, const Entry& e, std::string_view text, std::string_view params) {
    // Sample selection: the statements with the smallest keys, a deterministic choice.
    uint64_t key = Hash(text) * 0x9E3779B97F4A7C15ull ^ Hash(params);
    auto& samples = a.group.samples;
    if (samples.size() >= sample_limit() && key >= samples.back().key) return;
    SampleStatement s;
    s.text.assign(text);
    if (!params.empty()) {
      auto values = ParseLoggedParameters(params);
      if (values) s.params = std::move(*values);
    }
    s.database.assign(e.database);
    s.user.assign(e.user);
    s.key = key;
    AddSample(samples, sample_limit(), std::move(s));
  }

  size_t sample_limit() const {
    return static_cast<size_t>(std::max(1, options_.samples_per_group));
  }

  size_t GroupIndex(std::string_view text) {
    MaskQuery(text, &mask_);
    auto hit = mask_cache_.find(mask_);
    if (hit != mask_cache_.end()) return hit->second;
    std::string key;
    bool parsed = true;
    auto fp = sql::Fingerprint(text);
    if (fp.ok()) {
      key = *fp;
    } else {
      parsed = false;
      key = "m" + Hex16(Hash(mask_)).substr(1);
    }
    size_t index;
    auto it = group_by_key_.find(key);
    if (it != group_by_key_.end()) {
      index = it->second;
    } else {
      index = groups_.size();
      groups_.emplace_back();
      groups_.back().group.fingerprint = key;
      groups_.back().group.parsed = parsed;
      group_by_key_.emplace(key, index);
    }
    if (mask_cache_.size() >= kMaskCacheLimit) mask_cache_.clear();
    mask_cache_.emplace(mask_, index);
    return index;
  }

  void Malformed(uint64_t line, std::string reason) {
    ++summary_.malformed_lines;
    if (malformed_.size() < static_cast<size_t>(std::max(0, options_.malformed_listed))) {
      malformed_.push_back({block_->file_index, line, std::move(reason)});
    } else if (!malformed_.empty()) {
      // Keep the first ones in file and line order.
      auto last = std::max_element(
          malformed_.begin(), malformed_.end(), [](const MalformedAt& a, const MalformedAt& b) {
            return std::tie(a.file_index, a.line) < std::tie(b.file_index, b.line);
          });
      if (std::tie(block_->file_index, line) < std::tie(last->file_index, last->line)) {
        *last = {block_->file_index, line, std::move(reason)};
      }
    }
  }

  const LogReadOptions& options_;
  const Block* block_ = nullptr;
  TimeBucket* minute_ = nullptr;  // the minute of the entry being handled; may be null
  TimeBucket* minute_cache_ = nullptr;
  std::string mask_;
  std::unordered_map<std::string, size_t> mask_cache_;
  std::unordered_map<std::string, size_t> pending_;  // pid -> group of its last statement
  TextPieces message_, detail_, statement_;
  std::string message_buf_, detail_buf_, statement_buf_, key_buf_;
  std::string csv_bufs_[32];
  std::string json_bufs_[9];
};

// ----- block cutting (reading thread) -----

bool LooksLikeSecondaryLine(std::string_view rest) {
  std::string_view head = rest.substr(0, std::min<size_t>(rest.size(), 512));
  size_t nl = head.find('\n');
  if (nl != std::string_view::npos) head = head.substr(0, nl);
  for (std::string_view marker :
       {"DETAIL:  ", "STATEMENT:  ", "HINT:  ", "CONTEXT:  ", "QUERY:  ", "LOCATION:  "}) {
    if (head.find(marker) != std::string_view::npos) return true;
  }
  return false;
}

// Where a block of `data` may end so that no log entry is split; 0 when no such place.
size_t FindCut(const std::string& data, LogFormat format) {
  if (data.empty()) return 0;
  if (format == LogFormat::kJson) {
    size_t nl = data.rfind('\n');
    return nl == std::string::npos ? 0 : nl + 1;
  }
  if (format == LogFormat::kCsv) {
    size_t quotes = static_cast<size_t>(std::count(data.begin(), data.end(), '"'));
    size_t after = 0;
    for (size_t i = data.size(); i-- > 0;) {
      if (data[i] == '"') {
        ++after;
      } else if (data[i] == '\n' && (quotes - after) % 2 == 0) {
        return i + 1;
      }
    }
    return 0;
  }
  // stderr: before a line that starts an entry (not a tab continuation, not a DETAIL or
  // STATEMENT line of the entry before it).
  size_t i = data.size();
  while (i > 0) {
    size_t nl = data.rfind('\n', i - 1);
    if (nl == std::string::npos) return 0;
    size_t next = nl + 1;
    std::string_view rest(data.data() + next, data.size() - next);
    bool complete = rest.find('\n') != std::string_view::npos || rest.size() >= 512;
    if (complete && !rest.empty() && rest[0] != '\t' && !LooksLikeSecondaryLine(rest)) return next;
    i = nl;
  }
  return 0;
}

bool EndsWithName(const std::string& path, std::string_view ext) {
  std::string p = path;
  for (std::string_view z : {".gz", ".zst", ".zstd"}) {
    if (p.size() > z.size() && p.compare(p.size() - z.size(), z.size(), z) == 0) {
      p.resize(p.size() - z.size());
      break;
    }
  }
  return p.size() > ext.size() && p.compare(p.size() - ext.size(), ext.size(), ext) == 0;
}

LogFormat DetectFormat(const std::string& path, std::string_view head) {
  if (EndsWithName(path, ".csv")) return LogFormat::kCsv;
  if (EndsWithName(path, ".json")) return LogFormat::kJson;
  size_t i = 0;
  while (i < head.size() && (head[i] == ' ' || head[i] == '\n' || head[i] == '\r')) ++i;
  if (i < head.size() && head[i] == '{') return LogFormat::kJson;
  // csvlog rows start with "YYYY-MM-DD HH:MM:SS.mmm TZ," and have the severity as their
  // twelfth field.
  std::string_view first = head.substr(i, head.find('\n', i) - i);
  size_t comma = first.find(',');
  if (comma != std::string_view::npos && comma >= 23 && comma <= 40 && first.size() > 4 &&
      first[4] == '-') {
    size_t fields = static_cast<size_t>(std::count(first.begin(), first.end(), ','));
    if (fields >= 11 && first.find(",LOG,") != std::string_view::npos) return LogFormat::kCsv;
    if (fields >= 22) return LogFormat::kCsv;
  }
  return LogFormat::kStderr;
}

void MergeAcc(Acc& into, Acc&& from, size_t limit) {
  LogGroup& a = into.group;
  LogGroup& b = from.group;
  a.calls += b.calls;
  a.timed_calls += b.timed_calls;
  a.total_ms += b.total_ms;
  a.durations.Merge(b.durations);
  a.errors += b.errors;
  if (from.first_error_pos < into.first_error_pos) {
    into.first_error_pos = from.first_error_pos;
    a.first_error = std::move(b.first_error);
  }
  a.lock_waits += b.lock_waits;
  a.temp_files += b.temp_files;
  a.temp_bytes += b.temp_bytes;
  MergeUsage(a.by_database, b.by_database);
  MergeUsage(a.by_user, b.by_user);
  MergeUsage(a.by_application, b.by_application);
  for (SampleStatement& s : b.samples) AddSample(a.samples, limit, std::move(s));
}

void SortUsage(std::vector<UsageCount>& v, bool by_time) {
  std::sort(v.begin(), v.end(), [&](const UsageCount& a, const UsageCount& b) {
    if (by_time && a.total_ms != b.total_ms) return a.total_ms > b.total_ms;
    return a.name < b.name;
  });
}

}  // namespace

std::optional<std::vector<std::optional<std::string>>> ParseLoggedParameters(
    std::string_view text) {
  std::vector<std::optional<std::string>> out;
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] != '$') return std::nullopt;
    size_t k = i + 1;
    size_t number = 0;
    while (k < text.size() && text[k] >= '0' && text[k] <= '9') {
      number = number * 10 + static_cast<size_t>(text[k] - '0');
      ++k;
    }
    if (k == i + 1 || number == 0 || number > 65535 || text.compare(k, 3, " = ") != 0) {
      return std::nullopt;
    }
    k += 3;
    std::optional<std::string> value;
    if (text.compare(k, 4, "NULL") == 0) {
      k += 4;
    } else if (k < text.size() && text[k] == '\'') {
      std::string v;
      ++k;
      bool closed = false;
      while (k < text.size()) {
        if (text[k] == '\'') {
          if (k + 1 < text.size() && text[k + 1] == '\'') {
            v.push_back('\'');
            k += 2;
            continue;
          }
          ++k;
          closed = true;
          break;
        }
        v.push_back(text[k++]);
      }
      if (!closed) return std::nullopt;
      value = std::move(v);
    } else {
      return std::nullopt;
    }
    if (out.size() < number) out.resize(number);
    out[number - 1] = std::move(value);
    if (k == text.size()) break;
    if (text.compare(k, 2, ", ") != 0) return std::nullopt;
    i = k + 2;
  }
  return out;
}

std::optional<double> SecondsBetween(std::string_view first, std::string_view last) {
  auto parse = [](std::string_view t) -> std::optional<double> {
    // Epoch seconds (%n).
    if (t.size() >= 10 && t.find('-') == std::string_view::npos) {
      double v = 0;
      if (std::from_chars(t.data(), t.data() + t.size(), v).ec == std::errc()) return v;
      return std::nullopt;
    }
    if (t.size() < 19) return std::nullopt;
    auto num = [&](size_t at, size_t len) {
      int v = 0;
      std::from_chars(t.data() + at, t.data() + at + len, v);
      return v;
    };
    int y = num(0, 4), mo = num(5, 2), d = num(8, 2);
    int h = num(11, 2), mi = num(14, 2), s = num(17, 2);
    double frac = 0;
    if (t.size() > 20 && t[19] == '.') {
      size_t e = 20;
      while (e < t.size() && t[e] >= '0' && t[e] <= '9') ++e;
      std::from_chars(t.data() + 19, t.data() + e, frac);
    }
    // Days since 1970-01-01 of a proleptic Gregorian date (the civil-from-days inverse).
    int yy = mo <= 2 ? y - 1 : y;
    int era = (yy >= 0 ? yy : yy - 399) / 400;
    int yoe = yy - era * 400;
    int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    double days = static_cast<double>(era) * 146097 + doe - 719468;
    return days * 86400 + h * 3600 + mi * 60 + s + frac;
  };
  auto a = parse(first);
  auto b = parse(last);
  if (!a || !b) return std::nullopt;
  return *b - *a;
}

Result<LogReport> ReadLogs(const std::vector<std::string>& paths, const LogReadOptions& options) {
  if (paths.empty()) return Status::InvalidArgument("no log files given");
  std::optional<LinePrefix> given_prefix;
  if (!options.prefix.empty()) {
    DBARCH_ASSIGN_OR_RETURN(LinePrefix p, LinePrefix::Compile(options.prefix));
    given_prefix = std::move(p);
  }
  int threads = options.threads > 0
                    ? options.threads
                    : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::vector<std::unique_ptr<Worker>> workers;
  for (int i = 0; i < threads; ++i) workers.push_back(std::make_unique<Worker>(options));
  BlockQueue queue(static_cast<size_t>(threads) * 2 + 1);
  std::vector<std::thread> pool;
  for (auto& w : workers) {
    pool.emplace_back([&queue, worker = w.get()] {
      while (auto block = queue.Pop()) worker->Process(*block);
    });
  }

  // The reading side runs on this thread.
  std::vector<std::unique_ptr<LinePrefix>> prefixes;
  uint64_t total_bytes = 0;
  uint64_t done_before = 0;
  uint64_t decompressed = 0;
  uint64_t lines = 0;
  Status status = Status::OK();
  std::vector<std::unique_ptr<LogInput>> inputs;
  for (const std::string& path : paths) {
    auto in = LogInput::Open(path);
    if (!in.ok()) {
      status = in.status();
      break;
    }
    total_bytes += (*in)->size_bytes();
    inputs.push_back(std::move(in).value());
  }
  for (size_t fi = 0; status.ok() && fi < inputs.size(); ++fi) {
    LogInput& in = *inputs[fi];
    const std::string& path = paths[fi];
    std::string carry;
    bool eof = false;
    auto fill = [&](size_t want) -> Status {
      while (!eof && carry.size() < want) {
        size_t old = carry.size();
        carry.resize(old + kBlockBytes);
        auto n = in.Read(carry.data() + old, kBlockBytes);
        if (!n.ok()) return n.status();
        carry.resize(old + *n);
        if (*n == 0) eof = true;
      }
      return Status::OK();
    };
    status = fill(kBlockBytes);
    if (!status.ok()) break;
    LogFormat format =
        options.format != LogFormat::kAuto ? options.format : DetectFormat(path, carry);
    const LinePrefix* prefix = nullptr;
    if (format == LogFormat::kStderr) {
      if (given_prefix) {
        prefix = &*given_prefix;
      } else {
        std::vector<std::string_view> sample;
        std::string_view head(carry.data(), std::min(carry.size(), kDetectBytes));
        size_t p = 0;
        while (p < head.size() && sample.size() < 2000) {
          size_t nl = head.find('\n', p);
          if (nl == std::string_view::npos) break;
          sample.push_back(head.substr(p, nl - p));
          p = nl + 1;
        }
        if (sample.empty() && !head.empty()) sample.push_back(head);
        if (sample.empty()) {
          continue;  // an empty file
        }
        auto detected = LinePrefix::Detect(sample);
        if (!detected.ok()) {
          status = std::move(detected).TakeStatus();
          status = Status::InvalidArgument(path + ": " + status.message());
          break;
        }
        prefixes.push_back(std::make_unique<LinePrefix>(std::move(detected).value()));
        prefix = prefixes.back().get();
      }
    }
    uint64_t line = 1;
    while (status.ok()) {
      size_t cut = 0;
      if (eof) {
        cut = carry.size();
      } else {
        cut = FindCut(carry, format);
        if (cut == 0 && carry.size() < kMaxBlockBytes) {
          status = fill(carry.size() + kBlockBytes);
          continue;
        }
        if (cut == 0) {
          size_t nl = carry.rfind('\n');
          cut = nl == std::string::npos ? carry.size() : nl + 1;
        }
      }
      if (cut == 0) break;
      auto block = std::make_unique<Block>();
      block->file_index = fi;
      block->first_line = line;
      block->format = format;
      block->prefix = prefix;
      // The block takes the buffer; only the (short) rest after the cut is copied back.
      std::string rest(carry.data() + cut, carry.size() - cut);
      block->data = std::move(carry);
      block->data.resize(cut);
      carry = std::move(rest);
      block->truncated_tail = eof && carry.empty() && block->data.back() != '\n';
      uint64_t n = CountNewlines(block->data.data(), block->data.data() + block->data.size());
      line += n;
      lines += n + (block->truncated_tail ? 1 : 0);
      decompressed += block->data.size();
      queue.Push(std::move(block));
      if (options.on_progress) options.on_progress(done_before + in.consumed_bytes(), total_bytes);
      if (eof && carry.empty()) break;
      status = fill(kBlockBytes);
    }
    done_before += in.consumed_bytes();
  }
  queue.Close();
  for (std::thread& t : pool) t.join();
  if (!status.ok()) return status;

  // Merge the threads' groups by key, in a fixed order so the result does not depend on
  // which thread parsed which block.
  size_t limit = static_cast<size_t>(std::max(1, options.samples_per_group));
  std::map<std::string, Acc> merged;
  LogReport report;
  LogSummary& sum = report.summary;
  std::vector<MalformedAt> malformed;
  std::map<std::string, TimeBucket> minutes;
  for (auto& w : workers) {
    for (Acc& a : w->groups_) {
      auto it = merged.find(a.group.fingerprint);
      if (it == merged.end()) {
        merged.emplace(a.group.fingerprint, std::move(a));
      } else {
        MergeAcc(it->second, std::move(a), limit);
      }
    }
    const LogSummary& s = w->summary_;
    sum.parse_bind += s.parse_bind;
    sum.parse_bind_ms += s.parse_bind_ms;
    sum.unattributed_durations += s.unattributed_durations;
    sum.errors += s.errors;
    sum.errors_with_statement += s.errors_with_statement;
    sum.connections += s.connections;
    sum.disconnections += s.disconnections;
    sum.checkpoints += s.checkpoints;
    sum.autovacuums += s.autovacuums;
    sum.lock_waits += s.lock_waits;
    sum.temp_files += s.temp_files;
    sum.temp_bytes += s.temp_bytes;
    sum.malformed_lines += s.malformed_lines;
    sum.other_database_entries += s.other_database_entries;
    if (!s.first_timestamp.empty() &&
        (sum.first_timestamp.empty() || s.first_timestamp < sum.first_timestamp)) {
      sum.first_timestamp = s.first_timestamp;
    }
    if (!s.last_timestamp.empty() &&
        (sum.last_timestamp.empty() || s.last_timestamp > sum.last_timestamp)) {
      sum.last_timestamp = s.last_timestamp;
    }
    for (MalformedAt& m : w->malformed_) malformed.push_back(std::move(m));
    for (size_t b = 0; b < kDurationHistogramBuckets; ++b) {
      sum.duration_histogram[b] += s.duration_histogram[b];
    }
    for (const auto& [key, from] : w->minutes_) {
      TimeBucket& into = minutes[key];
      into.minute = key;
      into.statements += from.statements;
      into.timed_statements += from.timed_statements;
      into.total_ms += from.total_ms;
      into.errors += from.errors;
      into.lock_waits += from.lock_waits;
      into.temp_files += from.temp_files;
      into.temp_bytes += from.temp_bytes;
      into.connections += from.connections;
      into.disconnections += from.disconnections;
      into.checkpoints += from.checkpoints;
      into.autovacuums += from.autovacuums;
    }
  }
  for (auto& [key, bucket] : minutes) sum.per_minute.push_back(std::move(bucket));
  std::sort(malformed.begin(), malformed.end(), [](const MalformedAt& a, const MalformedAt& b) {
    return std::tie(a.file_index, a.line) < std::tie(b.file_index, b.line);
  });
  if (malformed.size() > static_cast<size_t>(std::max(0, options.malformed_listed))) {
    malformed.resize(static_cast<size_t>(std::max(0, options.malformed_listed)));
  }
  for (MalformedAt& m : malformed) {
    sum.malformed.push_back({paths[m.file_index] == "-" ? "<stdin>" : paths[m.file_index], m.line,
                             std::move(m.reason)});
  }
  sum.files = paths;
  sum.bytes = decompressed;
  sum.lines = lines;
  if (auto secs = SecondsBetween(sum.first_timestamp, sum.last_timestamp)) {
    sum.covered_seconds = *secs;
  }

  for (auto& [key, acc] : merged) {
    LogGroup& g = acc.group;
    if (!g.samples.empty()) {
      const std::string& text = g.samples.front().text;
      auto normalized = sql::NormalizeQuery(text);
      g.normalized = normalized.ok() ? std::move(normalized).value() : text;
    }
    if (g.samples.size() > static_cast<size_t>(std::max(0, options.samples_per_group))) {
      g.samples.resize(static_cast<size_t>(std::max(0, options.samples_per_group)));
    }
    SortUsage(g.by_database, false);
    SortUsage(g.by_user, false);
    SortUsage(g.by_application, false);
    sum.statements += g.calls;
    sum.timed_statements += g.timed_calls;
    sum.total_ms += g.total_ms;
    MergeUsage(sum.by_database, g.by_database);
    MergeUsage(sum.by_user, g.by_user);
    MergeUsage(sum.by_application, g.by_application);
    report.groups.push_back(std::move(g));
  }
  SortUsage(sum.by_database, true);
  SortUsage(sum.by_user, true);
  SortUsage(sum.by_application, true);
  std::sort(report.groups.begin(), report.groups.end(), [](const LogGroup& a, const LogGroup& b) {
    if (a.total_ms != b.total_ms) return a.total_ms > b.total_ms;
    if (a.calls != b.calls) return a.calls > b.calls;
    return a.fingerprint < b.fingerprint;
  });
  return report;
}

}  // namespace dbarch::workload
