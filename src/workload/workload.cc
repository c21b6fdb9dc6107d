#include "workload/workload.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>
#include <system_error>
#include <utility>

#include "base/strings.h"
#include "sql/parser.h"

namespace dbarch::workload {
namespace {

// Annotations found in the comment lines before one statement.
struct Annotations {
  std::optional<std::string> name;
  std::optional<double> weight;
  std::optional<std::vector<std::optional<std::string>>> params;
};

// Reads "-- key: value" lines of `file` in [begin, end) into `out`; a later line wins.
Status ReadAnnotations(const SourceFile& file, uint32_t begin, uint32_t end, Annotations& out) {
  std::string_view text = std::string_view(file.text()).substr(begin, end - begin);
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = std::min(text.find('\n', pos), text.size());
    std::string_view line = Trim(text.substr(pos, eol - pos));
    pos = eol + 1;
    if (StartsWith(line, ";")) line = Trim(line.substr(1));
    if (!StartsWith(line, "--")) continue;
    std::string_view body = Trim(line.substr(2));
    size_t colon = body.find(':');
    if (colon == std::string_view::npos) continue;
    std::string key = ToLower(Trim(body.substr(0, colon)));
    std::string_view value = Trim(body.substr(colon + 1));
    auto at = [&] {
      auto offset = static_cast<uint32_t>(begin + (line.data() - text.data()));
      return file.Span(offset, offset);
    };
    if (key == "name") {
      if (value.empty()) return Status::InvalidArgument("empty query name").WithSpan(at());
      out.name = std::string(value);
    } else if (key == "weight") {
      double w = 0;
      auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), w);
      if (ec != std::errc() || ptr != value.data() + value.size() || !std::isfinite(w) || w <= 0) {
        return Status::InvalidArgument("weight must be a positive number, got \"" +
                                       std::string(value) + "\"")
            .WithSpan(at());
      }
      out.weight = w;
    } else if (key == "params") {
      auto params = ParseParamList(value);
      if (!params.ok()) return std::move(params).TakeStatus().WithSpan(at());
      out.params = std::move(params).value();
    }
  }
  return Status::OK();
}

void Merge(const Annotations& from, Annotations& into) {
  if (from.name) into.name = from.name;
  if (from.weight) into.weight = from.weight;
  if (from.params) into.params = from.params;
}

Query MakeQuery(const SourceFile& file, const sql::Statement& stmt, const Annotations& a) {
  Query q;
  q.sql = file.text().substr(stmt.begin, stmt.end - stmt.begin);
  q.span = file.Span(stmt.begin, stmt.end);
  if (a.name) q.name = *a.name;
  if (a.weight) q.weight = *a.weight;
  if (a.params) {
    q.params = *a.params;
    q.has_params = true;
  }
  return q;
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("cannot read \"" + path + "\"");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return Status::IOError("error reading \"" + path + "\"");
  return buffer.str();
}

}  // namespace

Result<std::vector<std::optional<std::string>>> ParseParamList(std::string_view text) {
  std::vector<std::optional<std::string>> out;
  text = Trim(text);
  if (text.empty()) return out;
  size_t pos = 0;
  while (true) {
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t')) ++pos;
    if (pos < text.size() && text[pos] == '\'') {
      std::string value;
      ++pos;
      bool closed = false;
      while (pos < text.size()) {
        if (text[pos] == '\'') {
          if (pos + 1 < text.size() && text[pos + 1] == '\'') {
            value += '\'';
            pos += 2;
            continue;
          }
          ++pos;
          closed = true;
          break;
        }
        value += text[pos++];
      }
      if (!closed) return Status::InvalidArgument("unterminated quote in params");
      out.emplace_back(std::move(value));
      size_t comma = text.find(',', pos);
      if (!Trim(text.substr(pos, comma == std::string_view::npos ? text.npos : comma - pos))
               .empty()) {
        return Status::InvalidArgument("unexpected text after a quoted parameter");
      }
      if (comma == std::string_view::npos) break;
      pos = comma + 1;
    } else {
      size_t comma = text.find(',', pos);
      std::string_view value =
          Trim(text.substr(pos, comma == std::string_view::npos ? text.npos : comma - pos));
      if (ToLower(value) == "null") {
        out.emplace_back(std::nullopt);
      } else {
        out.emplace_back(std::string(value));
      }
      if (comma == std::string_view::npos) break;
      pos = comma + 1;
    }
  }
  return out;
}

bool IsQueryStatement(const sql::Node* node) {
  // SELECT ... INTO creates a table: setup, not a query.
  if (node != nullptr && node->node_case == PG_QUERY__NODE__NODE_SELECT_STMT) {
    return node->select_stmt->into_clause == nullptr;
  }
  return sql::IsQueryOrDml(node);
}

Result<Workload> ParseWorkload(const SourceFile& file) {
  DBARCH_ASSIGN_OR_RETURN(sql::ParseTree tree, sql::ParseTree::Parse(file));
  const std::vector<sql::Statement>& stmts = tree.statements();
  if (stmts.empty()) {
    return Status::InvalidArgument("no SQL statement in \"" + file.name() + "\"")
        .WithSpan(file.Span(0, 0));
  }
  std::vector<Annotations> notes(stmts.size());
  uint32_t gap_begin = 0;
  for (size_t i = 0; i < stmts.size(); ++i) {
    DBARCH_RETURN_IF_ERROR(ReadAnnotations(file, gap_begin, stmts[i].begin, notes[i]));
    gap_begin = stmts[i].end;
  }

  size_t selects = 0;
  size_t first_select = 0;
  for (size_t i = 0; i < stmts.size(); ++i) {
    if (!IsQueryStatement(stmts[i].node)) continue;
    if (selects++ == 0) first_select = i;
  }

  Workload out;
  if (selects == 1 && stmts.size() > 1) {
    // One query unit: the statements around the query are its setup and teardown.
    Annotations merged;
    for (const Annotations& a : notes) Merge(a, merged);
    Query q = MakeQuery(file, stmts[first_select], merged);
    for (size_t i = 0; i < stmts.size(); ++i) {
      if (i == first_select) continue;
      std::string text = file.text().substr(stmts[i].begin, stmts[i].end - stmts[i].begin);
      (i < first_select ? q.setup : q.teardown).push_back(std::move(text));
    }
    out.queries.push_back(std::move(q));
  } else if (selects > 1 && selects < stmts.size()) {
    for (size_t i = 0; i < stmts.size(); ++i) {
      if (IsQueryStatement(stmts[i].node)) continue;
      return Status::NotSupported(
                 "a workload file with setup or teardown statements must hold exactly one "
                 "query (SELECT, INSERT, UPDATE or DELETE); put the others in their own files")
          .WithSpan(file.Span(stmts[i].begin, stmts[i].end));
    }
  } else {
    for (size_t i = 0; i < stmts.size(); ++i) {
      out.queries.push_back(MakeQuery(file, stmts[i], notes[i]));
    }
  }

  std::string stem = std::filesystem::path(file.name()).stem().string();
  for (size_t k = 0; k < out.queries.size(); ++k) {
    Query& q = out.queries[k];
    if (!q.name.empty()) continue;
    q.name = out.queries.size() == 1 ? stem : stem + "#" + std::to_string(k + 1);
  }
  return out;
}

Result<Workload> LoadWorkload(const std::vector<std::string>& paths) {
  std::vector<std::string> files;
  for (const std::string& path : paths) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
      std::vector<std::string> found;
      for (const auto& entry : std::filesystem::directory_iterator(path, ec)) {
        if (entry.is_regular_file(ec) && entry.path().extension() == ".sql") {
          found.push_back(entry.path().string());
        }
      }
      if (ec) return Status::IOError("cannot list \"" + path + "\": " + ec.message());
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (std::filesystem::exists(path, ec)) {
      files.push_back(path);
    } else {
      return Status::IOError("workload path \"" + path + "\" does not exist");
    }
  }
  Workload out;
  for (const std::string& path : files) {
    DBARCH_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
    SourceFile file(path, std::move(text));
    DBARCH_ASSIGN_OR_RETURN(Workload one, ParseWorkload(file));
    for (Query& q : one.queries) out.queries.push_back(std::move(q));
  }
  if (out.queries.empty()) {
    return Status::InvalidArgument("the workload has no queries (no *.sql files in " +
                                   Join(paths, ", ") + ")");
  }
  return out;
}

}  // namespace dbarch::workload
