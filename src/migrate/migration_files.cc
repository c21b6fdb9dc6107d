#include "migrate/migration_files.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <system_error>

#include "base/strings.h"
#include "migrate/checksum.h"
#include "sql/ast.h"
#include "sql/parser.h"

namespace dbarch::migrate {
namespace {

namespace fs = std::filesystem;

Result<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("cannot read \"" + path + "\"");
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) return Status::IOError("error reading \"" + path + "\"");
  return buf.str();
}

std::string Describe(std::string_view raw) {
  std::string out(raw);
  std::replace(out.begin(), out.end(), '_', ' ');
  return out;
}

bool EndsWithText(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

const char* KindWord(ScriptKind kind) {
  switch (kind) {
    case ScriptKind::kVersioned:
      return "migration";
    case ScriptKind::kUndo:
      return "undo script";
    case ScriptKind::kRepeatable:
      return "repeatable migration";
  }
  return "script";
}

// Why `node` cannot run inside a transaction block; empty when it can.
std::string NoTransactionReason(const sql::Node* node) {
  if (node == nullptr) return "";
  switch (node->node_case) {
    case PG_QUERY__NODE__NODE_INDEX_STMT:
      return node->index_stmt->concurrent ? "CREATE INDEX CONCURRENTLY" : "";
    case PG_QUERY__NODE__NODE_DROP_STMT:
      return node->drop_stmt->concurrent ? "DROP INDEX CONCURRENTLY" : "";
    case PG_QUERY__NODE__NODE_REINDEX_STMT:
      for (const sql::Node* p :
           sql::Nodes(node->reindex_stmt->n_params, node->reindex_stmt->params)) {
        if (p->node_case == PG_QUERY__NODE__NODE_DEF_ELEM &&
            std::string_view(p->def_elem->defname) == "concurrently") {
          return "REINDEX CONCURRENTLY";
        }
      }
      // REINDEX DATABASE / SYSTEM cannot run in a transaction block either.
      if (node->reindex_stmt->kind == PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_DATABASE ||
          node->reindex_stmt->kind == PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_SYSTEM) {
        return "REINDEX DATABASE";
      }
      return "";
    case PG_QUERY__NODE__NODE_VACUUM_STMT:
      return node->vacuum_stmt->is_vacuumcmd ? "VACUUM" : "";
    case PG_QUERY__NODE__NODE_CREATEDB_STMT:
      return "CREATE DATABASE";
    case PG_QUERY__NODE__NODE_DROPDB_STMT:
      return "DROP DATABASE";
    case PG_QUERY__NODE__NODE_ALTER_SYSTEM_STMT:
      return "ALTER SYSTEM";
    case PG_QUERY__NODE__NODE_CREATE_TABLE_SPACE_STMT:
      return "CREATE TABLESPACE";
    case PG_QUERY__NODE__NODE_DROP_TABLE_SPACE_STMT:
      return "DROP TABLESPACE";
    case PG_QUERY__NODE__NODE_CREATE_SUBSCRIPTION_STMT:
      return "CREATE SUBSCRIPTION";
    case PG_QUERY__NODE__NODE_DO_STMT:
      // A DO block that commits (a batched backfill, each batch its own transaction) fails
      // with "invalid transaction termination" inside a transaction block.
      for (const sql::Node* a : sql::Nodes(node->do_stmt->n_args, node->do_stmt->args)) {
        if (a->node_case != PG_QUERY__NODE__NODE_DEF_ELEM || a->def_elem->arg == nullptr ||
            std::string_view(a->def_elem->defname) != "as") {
          continue;
        }
        std::string body = ToLower(sql::StrVal(a->def_elem->arg));
        for (const char* word : {"commit", "rollback"}) {
          for (size_t at = body.find(word); at != std::string::npos; at = body.find(word, at + 1)) {
            size_t end = at + std::string_view(word).size();
            auto ident = [&](size_t i) {
              return i < body.size() &&
                     (std::isalnum(static_cast<unsigned char>(body[i])) || body[i] == '_');
            };
            if ((at == 0 || !ident(at - 1)) && !ident(end)) return "DO block with COMMIT";
          }
        }
      }
      return "";
    default:
      return "";
  }
}

// True when a string constant anywhere in `node` equals one of `values`.
bool UsesAnyString(const sql::Node* node, const std::set<std::string, std::less<>>& values) {
  if (node == nullptr) return false;
  if (node->node_case == PG_QUERY__NODE__NODE_A_CONST) {
    const PgQuery__AConst* c = node->a_const;
    return c->val_case == PG_QUERY__A__CONST__VAL_SVAL && c->sval != nullptr &&
           values.count(std::string_view(c->sval->sval)) > 0;
  }
  bool found = false;
  sql::ForEachChildNode(&node->base, [&](sql::Node* const& child) {
    if (!found) found = UsesAnyString(child, values);
  });
  return found;
}

}  // namespace

Result<std::optional<MigrationScript>> ParseScriptName(const std::string& file_name) {
  std::string_view name = file_name;
  if (!EndsWithText(name, ".sql")) return std::optional<MigrationScript>();
  MigrationScript s;
  s.name = file_name;
  std::string_view version_text;
  if (EndsWithText(name, ".up.sql") || EndsWithText(name, ".down.sql")) {
    bool up = EndsWithText(name, ".up.sql");
    std::string_view stem = name.substr(0, name.size() - (up ? 7 : 9));
    size_t us = stem.find('_');
    version_text = stem.substr(0, us);
    if (version_text.empty() || !(version_text[0] >= '0' && version_text[0] <= '9')) {
      return std::optional<MigrationScript>();
    }
    s.kind = up ? ScriptKind::kVersioned : ScriptKind::kUndo;
    s.description = us == std::string_view::npos ? "" : Describe(stem.substr(us + 1));
  } else {
    std::string_view stem = name.substr(0, name.size() - 4);
    if (stem.size() < 3) return std::optional<MigrationScript>();
    char prefix = stem[0];
    size_t sep = stem.find("__");
    if (sep == std::string_view::npos) return std::optional<MigrationScript>();
    if (prefix == 'R' && sep == 1) {
      s.kind = ScriptKind::kRepeatable;
      s.description = Describe(stem.substr(3));
      if (s.description.empty()) {
        return Status::InvalidArgument("repeatable migration \"" + file_name +
                                       "\" has no description (R__<description>.sql)");
      }
      return std::optional<MigrationScript>(std::move(s));
    }
    if (prefix != 'V' && prefix != 'U') return std::optional<MigrationScript>();
    s.kind = prefix == 'V' ? ScriptKind::kVersioned : ScriptKind::kUndo;
    version_text = stem.substr(1, sep - 1);
    s.description = Describe(stem.substr(sep + 2));
  }
  Result<Version> v = Version::Parse(version_text);
  if (!v.ok()) {
    return Status::InvalidArgument("migration file \"" + file_name + "\": " + v.status().message());
  }
  s.version = std::move(v).value();
  return std::optional<MigrationScript>(std::move(s));
}

Result<MigrationDir> LoadMigrationDir(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return Status::IOError("migration folder \"" + dir + "\" is not a readable directory");
  }
  std::vector<std::string> names;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    std::string name = it->path().filename().string();
    if (EndsWithText(name, ".sql")) names.push_back(name);
  }
  if (ec) return Status::IOError("reading migration folder \"" + dir + "\": " + ec.message());
  std::sort(names.begin(), names.end());

  MigrationDir out;
  std::vector<MigrationScript> ups, downs;
  std::map<std::string, std::string> repeatable_names;  // description -> file
  for (const std::string& name : names) {
    DBARCH_ASSIGN_OR_RETURN(std::optional<MigrationScript> parsed, ParseScriptName(name));
    std::string path = (fs::path(dir) / name).string();
    if (!parsed) {
      return Status::InvalidArgument("\"" + path + "\" is not a migration file name")
          .WithHint(
              "name it V<version>__<description>.sql, U<version>__<description>.sql, "
              "R__<description>.sql or <version>_<description>.up.sql / .down.sql; files "
              "included with \\i belong in a subfolder");
    }
    DBARCH_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path));
    parsed->path = path;
    parsed->checksum = Sha256Hex(text);
    parsed->file = std::make_shared<const SourceFile>(path, std::move(text));
    switch (parsed->kind) {
      case ScriptKind::kVersioned:
        ups.push_back(std::move(*parsed));
        break;
      case ScriptKind::kUndo:
        downs.push_back(std::move(*parsed));
        break;
      case ScriptKind::kRepeatable: {
        auto [it, inserted] = repeatable_names.emplace(parsed->description, name);
        if (!inserted) {
          return Status::InvalidArgument("repeatable migrations \"" + it->second + "\" and \"" +
                                         name + "\" have the same description");
        }
        out.repeatable.push_back(std::move(*parsed));
        break;
      }
    }
  }
  auto by_version = [](const MigrationScript& a, const MigrationScript& b) {
    return *a.version < *b.version;
  };
  std::stable_sort(ups.begin(), ups.end(), by_version);
  std::stable_sort(downs.begin(), downs.end(), by_version);
  for (size_t i = 0; i < ups.size(); ++i) {
    if (i > 0 && *ups[i].version == *ups[i - 1].version) {
      return Status::InvalidArgument("migrations \"" + ups[i - 1].name + "\" and \"" + ups[i].name +
                                     "\" have the same version " + ups[i].version->text());
    }
  }
  for (MigrationScript& up : ups) {
    Version v = *up.version;
    out.versioned.push_back(Migration{std::move(v), std::move(up), std::nullopt});
  }
  for (size_t i = 0; i < downs.size(); ++i) {
    if (i > 0 && *downs[i].version == *downs[i - 1].version) {
      return Status::InvalidArgument("undo scripts \"" + downs[i - 1].name + "\" and \"" +
                                     downs[i].name + "\" have the same version " +
                                     downs[i].version->text());
    }
    auto it = std::find_if(out.versioned.begin(), out.versioned.end(),
                           [&](const Migration& m) { return m.version == *downs[i].version; });
    if (it == out.versioned.end()) {
      return Status::InvalidArgument(std::string(KindWord(downs[i].kind)) + " \"" + downs[i].name +
                                     "\" has no migration of version " + downs[i].version->text() +
                                     " to undo");
    }
    it->down = std::move(downs[i]);
  }
  std::sort(out.repeatable.begin(), out.repeatable.end(),
            [](const MigrationScript& a, const MigrationScript& b) {
              return std::tie(a.description, a.name) < std::tie(b.description, b.name);
            });
  return out;
}

namespace {

// `part`'s text with each substituted value replaced by its reference as written (padded with
// blanks to the value's length), so offsets stay those of the text sent.
std::string ShownText(const sql::ScriptPart& part) {
  std::string out(part.file.text());
  for (const sql::ScriptSubstitution& sub : part.substitutions) {
    for (uint32_t k = sub.begin; k < sub.end; ++k) {
      size_t at = k - sub.begin;
      out[k] = at < sub.reference.size() ? sub.reference[at] : ' ';
    }
  }
  return out;
}

}  // namespace

std::string RedactVariables(std::string message, const ScriptVariables& variables) {
  // Each value as it is and as a quoted literal or identifier spells it (quotes and
  // backslashes doubled), longer texts first, so that a value inside another is not
  // replaced within it.
  auto doubled = [](const std::string& v, const std::string& chars) {
    std::string out;
    for (char c : v) {
      if (chars.find(c) != std::string::npos) out += c;
      out += c;
    }
    return out;
  };
  std::vector<std::pair<std::string, std::string>> forms;  // text, shown instead
  for (const auto& [name, value] : variables) {
    if (value.empty()) continue;
    std::string shown = ":'" + name + "'";
    for (const std::string& form :
         {value, doubled(value, "'"), doubled(value, "\"\""), doubled(value, "'\\")}) {
      forms.emplace_back(form, shown);
    }
  }
  std::stable_sort(forms.begin(), forms.end(),
                   [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
  for (const auto& [form, shown] : forms) {
    for (size_t at = message.find(form); at != std::string::npos;
         at = message.find(form, at + shown.size())) {
      message.replace(at, form.size(), shown);
    }
  }
  return message;
}

Result<PreparedScript> PrepareScript(const MigrationScript& script,
                                     const ScriptVariables& variables) {
  sql::PsqlOptions options;
  options.variables = variables;
  options.read_file = [](const std::string& path) -> Result<SourceFile> {
    DBARCH_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path));
    return SourceFile(path, std::move(text));
  };
  Result<sql::PsqlScript> expansion = sql::ExpandPsqlScript(*script.file, options);
  if (!expansion.ok()) {
    // A meta-command's error quotes its arguments (\if :name), values included.
    const Status st = expansion.status();
    if (variables.empty()) return st;
    Status shown = Status::ParseError(RedactVariables(st.message(), variables));
    if (st.span()) (void)std::move(shown).WithSpan(*st.span());
    return std::move(shown).WithHint(RedactVariables(st.hint(), variables));
  }
  sql::PsqlScript expanded = std::move(expansion).value();
  for (const sql::ScriptNote& note : expanded.notes) {
    if (note.skips_execution) {
      return Status::NotSupported("not supported in a migration file: " + note.message)
          .WithSpan(note.span)
          .WithHint("the runner sends the file's SQL statements only; psql would have run this");
    }
  }
  if (!expanded.unset_variables.empty()) {
    const sql::UnsetVariable& u = expanded.unset_variables.front();
    std::string also;
    for (size_t k = 1; k < expanded.unset_variables.size(); ++k) {
      const sql::UnsetVariable& v = expanded.unset_variables[k];
      if (v.name != u.name && also.find("\"" + v.name + "\"") == std::string::npos) {
        also += (also.empty() ? "" : ", ") + ("\"" + v.name + "\"");
      }
    }
    return Status::NotFound("psql variable \"" + u.name + "\" is not set (" + u.reference + ")" +
                            (also.empty() ? "" : "; not set either: " + also))
        .WithSpan(u.span)
        .WithHint("give it to the runner: --var " + u.name + "=VALUE, a line " + u.name +
                  "=VALUE in a --var-file, or the environment variable DBARCH_VAR_" + u.name);
  }
  PreparedScript out;
  out.notes = std::move(expanded.notes);
  // Enum values added so far in this file, and where.
  std::set<std::string, std::less<>> added_values;
  for (sql::ScriptPart& part : expanded.parts) {
    // `sent` is what the server gets; `file` (references as written) is what anything shows.
    std::shared_ptr<const SourceFile> sent = std::make_shared<const SourceFile>(part.file);
    auto file = part.substitutions.empty()
                    ? sent
                    : std::make_shared<const SourceFile>(part.file.name(), ShownText(part));
    DBARCH_ASSIGN_OR_RETURN(std::vector<sql::StatementRange> ranges, sql::SplitStatements(*sent));
    Result<sql::ParseTree> parsed = sql::ParseTree::Parse(*sent);
    if (!parsed.ok()) {
      // The server's grammar quotes the text near the error: show the references instead.
      const Status st = parsed.status();
      if (part.substitutions.empty()) return st;
      Status shown = Status::ParseError(RedactVariables(st.message(), variables));
      if (st.span()) (void)std::move(shown).WithSpan(file->Span(st.span()->begin, st.span()->end));
      return std::move(shown).WithHint(RedactVariables(st.hint(), variables));
    }
    sql::ParseTree tree = std::move(parsed).value();
    std::map<uint32_t, const sql::Node*> node_at;
    for (const sql::Statement& st : tree.statements()) node_at[st.begin] = st.node;
    for (const sql::StatementRange& r : ranges) {
      ScriptStatement st;
      st.file = file;
      st.begin = r.begin;
      st.end = r.end;
      st.sql = sent->text().substr(r.begin, r.end - r.begin);
      // A reference longer than its value at the end of the statement reaches past it; a
      // value longer than its reference leaves blanks in its place.
      uint32_t shown_end = r.end;
      for (const sql::ScriptSubstitution& sub : part.substitutions) {
        if (sub.begin < r.end && sub.end > shown_end) shown_end = sub.end;
      }
      st.shown_sql = file->text().substr(r.begin, shown_end - r.begin);
      if (file != sent) st.shown_sql.erase(st.shown_sql.find_last_not_of(" \t\n\r") + 1);
      auto it = node_at.find(r.begin);
      const sql::Node* node = it == node_at.end() ? nullptr : it->second;
      if (node != nullptr && node->node_case == PG_QUERY__NODE__NODE_TRANSACTION_STMT) {
        return Status::NotSupported("transaction control in a migration file")
            .WithSpan(file->Span(r.begin, r.end))
            .WithHint(
                "remove BEGIN / COMMIT: dbarch runs each file in its own transaction, or "
                "statement by statement when the file holds statements that cannot run in one");
      }
      if (node != nullptr && node->node_case == PG_QUERY__NODE__NODE_COPY_STMT &&
          !node->copy_stmt->is_program &&
          (node->copy_stmt->filename == nullptr || node->copy_stmt->filename[0] == '\0')) {
        return Status::NotSupported("COPY from stdin or to stdout in a migration file")
            .WithSpan(file->Span(r.begin, r.end))
            .WithHint("load data with INSERT, or COPY from a file the server can read");
      }
      std::string reason = NoTransactionReason(node);
      if (!reason.empty()) st.needs_autocommit = true;
      if (node != nullptr && node->node_case == PG_QUERY__NODE__NODE_INDEX_STMT &&
          node->index_stmt->concurrent && node->index_stmt->idxname != nullptr &&
          node->index_stmt->idxname[0] != '\0') {
        const PgQuery__RangeVar* rel = node->index_stmt->relation;
        std::string schema = rel != nullptr && rel->schemaname != nullptr ? rel->schemaname : "";
        st.concurrent_index =
            schema.empty() ? QuoteIdent(node->index_stmt->idxname)
                           : QuoteIdent(schema) + "." + QuoteIdent(node->index_stmt->idxname);
      }
      if (reason.empty() && !added_values.empty() && UsesAnyString(node, added_values)) {
        reason = "use of an enum value added earlier in the file";
      }
      if (!reason.empty() && out.transactional) {
        out.transactional = false;
        out.reason = reason;
        out.reason_statement = out.statements.size();
      }
      if (node != nullptr && node->node_case == PG_QUERY__NODE__NODE_ALTER_ENUM_STMT &&
          node->alter_enum_stmt->new_val != nullptr && node->alter_enum_stmt->new_val[0] != '\0' &&
          (node->alter_enum_stmt->old_val == nullptr ||
           node->alter_enum_stmt->old_val[0] == '\0')) {
        added_values.insert(node->alter_enum_stmt->new_val);
      }
      out.statements.push_back(std::move(st));
    }
  }
  return out;
}

}  // namespace dbarch::migrate
