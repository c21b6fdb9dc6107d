#include "workload/server_config.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace dbarch::workload {
namespace {

namespace fs = std::filesystem;

constexpr int kMaxDepth = 10;  // the server's CONF_FILE_MAX_DEPTH

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.';
}

std::string Lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

Status ReadFile(const fs::path& path, bool missing_ok, int depth,
                std::map<std::string, std::string>& out);

Status ReadDir(const fs::path& dir, int depth, std::map<std::string, std::string>& out) {
  std::error_code ec;
  std::vector<fs::path> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.empty() || name[0] == '.' || name.size() < 5 ||
        name.compare(name.size() - 5, 5, ".conf") != 0) {
      continue;
    }
    if (it->is_regular_file(ec)) files.push_back(it->path());
  }
  if (ec) return Status::IOError("include_dir \"" + dir.string() + "\": " + ec.message());
  std::sort(files.begin(), files.end());
  for (const fs::path& f : files) {
    Status st = ReadFile(f, false, depth + 1, out);
    if (!st.ok()) return st;
  }
  return Status::OK();
}

Status ReadFile(const fs::path& path, bool missing_ok, int depth,
                std::map<std::string, std::string>& out) {
  if (depth > kMaxDepth) {
    return Status::InvalidArgument("could not open configuration file \"" + path.string() +
                                   "\": maximum nesting depth exceeded");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (missing_ok) return Status::OK();
    return Status::IOError("cannot read configuration file \"" + path.string() + "\"");
  }
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string text = buf.str();
  const fs::path dir = path.parent_path();
  auto resolve = [&](const std::string& p) {
    return fs::path(p).is_absolute() ? fs::path(p) : dir / p;
  };
  size_t pos = 0;
  int line_no = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line(text.data() + pos, (nl == std::string::npos ? text.size() : nl) - pos);
    pos = nl == std::string::npos ? text.size() + 1 : nl + 1;
    ++line_no;
    auto error = [&](const std::string& why) {
      return Status::InvalidArgument(path.string() + ":" + std::to_string(line_no) + ": " + why);
    };
    size_t i = 0;
    auto blanks = [&] {
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    };
    blanks();
    if (i == line.size() || line[i] == '#') continue;
    size_t name_start = i;
    while (i < line.size() && IsNameChar(line[i])) ++i;
    if (i == name_start) return error("syntax error near \"" + std::string(line.substr(i)) + "\"");
    std::string name = Lower(std::string(line.substr(name_start, i - name_start)));
    blanks();
    if (i < line.size() && line[i] == '=') {
      ++i;
      blanks();
    }
    std::string value;
    if (i < line.size() && line[i] == '\'') {
      ++i;
      bool closed = false;
      while (i < line.size()) {
        char c = line[i++];
        if (c == '\'') {
          if (i < line.size() && line[i] == '\'') {
            value.push_back('\'');
            ++i;
            continue;
          }
          closed = true;
          break;
        }
        if (c == '\\' && i < line.size()) {
          char e = line[i++];
          switch (e) {
            case 'n':
              value.push_back('\n');
              break;
            case 't':
              value.push_back('\t');
              break;
            case 'r':
              value.push_back('\r');
              break;
            case 'b':
              value.push_back('\b');
              break;
            case 'f':
              value.push_back('\f');
              break;
            default:
              value.push_back(e);
          }
          continue;
        }
        value.push_back(c);
      }
      if (!closed) return error("unterminated quoted string");
    } else {
      size_t v = i;
      while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r' &&
             line[i] != '#') {
        ++i;
      }
      value = std::string(line.substr(v, i - v));
      if (value.empty()) return error("syntax error: no value for \"" + name + "\"");
    }
    blanks();
    if (i < line.size() && line[i] != '#') {
      return error("syntax error near \"" + std::string(line.substr(i)) + "\"");
    }
    Status st = Status::OK();
    if (name == "include") {
      st = ReadFile(resolve(value), false, depth + 1, out);
    } else if (name == "include_if_exists") {
      st = ReadFile(resolve(value), true, depth + 1, out);
    } else if (name == "include_dir") {
      st = ReadDir(resolve(value), depth, out);
    } else {
      out[name] = value;
    }
    if (!st.ok()) return st;
  }
  return Status::OK();
}

}  // namespace

Result<std::map<std::string, std::string>> ReadServerConfig(const std::vector<std::string>& paths) {
  std::map<std::string, std::string> out;
  for (const std::string& p : paths) {
    Status st = ReadFile(p, false, 0, out);
    if (!st.ok()) return st;
  }
  return out;
}

std::string LogLinePrefixOf(const std::map<std::string, std::string>& settings) {
  auto it = settings.find("log_line_prefix");
  return it == settings.end() ? "%m [%p] " : it->second;
}

}  // namespace dbarch::workload
