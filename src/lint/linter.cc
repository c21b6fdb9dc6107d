#include "lint/linter.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <system_error>
#include <thread>

#include "base/strings.h"
#include "catalog/builder.h"
#include "catalog/naming.h"
#include "lint/rule.h"
#include "sql/parser.h"

namespace dbarch::lint {

namespace {

using catalog::QualifiedName;

// A `-- dbarch:ignore rule-id [reason]` comment.
struct Suppression {
  uint32_t line = 0;
  bool own_line = false;  // the comment is alone on its line: it covers the next statement
  uint32_t target_line = 0;  // own_line: the first line of the statement it covers
  std::string rule;
  uint32_t offset = 0;
  bool used = false;
};

std::vector<Suppression> FindSuppressions(const SourceFile& file) {
  std::vector<Suppression> out;
  const std::string& text = file.text();
  constexpr std::string_view kMarker = "dbarch:ignore";
  size_t pos = 0;
  while ((pos = text.find(kMarker, pos)) != std::string::npos) {
    // It must sit in a -- comment on its line.
    size_t line_start = text.rfind('\n', pos);
    line_start = line_start == std::string::npos ? 0 : line_start + 1;
    std::string_view before(text.data() + line_start, pos - line_start);
    size_t dash = before.find("--");
    if (dash == std::string_view::npos) {
      pos += kMarker.size();
      continue;
    }
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string_view rest(text.data() + pos + kMarker.size(), end - pos - kMarker.size());
    rest = Trim(rest);
    std::string rule(rest.substr(0, rest.find_first_of(" \t\r")));
    Suppression s;
    s.line = file.Locate(static_cast<uint32_t>(pos)).line;
    s.own_line = Trim(before.substr(0, dash)).empty();
    s.rule = rule;
    s.offset = static_cast<uint32_t>(line_start + dash);
    if (s.own_line) {
      uint32_t next = sql::SkipBlanksAndComments(text, static_cast<uint32_t>(end));
      s.target_line = file.Locate(next).line;
    }
    out.push_back(s);
    pos = end;
  }
  return out;
}

class CollectingEmitter : public Emitter {
 public:
  CollectingEmitter(const Rule& rule, const Config& config, std::vector<Finding>& out)
      : rule_(rule), config_(config), out_(out) {}

  void SetStatement(const SourceFile* file, const sql::Statement* stmt) {
    file_ = file;
    stmt_ = stmt;
  }
  void SetFile(const SourceFile* file) {
    file_ = file;
    stmt_ = nullptr;
  }

  void Report(int offset, std::string message, std::optional<std::string> fix) override {
    if (file_ == nullptr) return;
    uint32_t begin = stmt_ != nullptr ? stmt_->begin : 0;
    uint32_t end = stmt_ != nullptr ? stmt_->end : begin;
    if (offset >= 0) begin = static_cast<uint32_t>(offset);
    if (end < begin) end = begin;
    ReportAt(file_->Span(begin, end), std::move(message), std::move(fix));
    if (stmt_ != nullptr) {
      out_.back().statement_begin = stmt_->begin;
      out_.back().statement_end = stmt_->end;
    }
  }

  void ReportAtOrigin(const catalog::Origin& origin, std::string message,
                      std::optional<std::string> fix) override {
    ReportAt(origin.Where(), std::move(message), std::move(fix));
    out_.back().statement_begin = origin.span.begin;
    out_.back().statement_end = origin.span.end;
  }

  void ReportAt(const SourceSpan& span, std::string message,
                std::optional<std::string> fix) override {
    Finding f;
    f.rule = rule_.doc().id;
    f.severity = config_.SeverityOf(rule_.doc());
    f.message = std::move(message);
    f.span = span;
    f.fix = std::move(fix);
    out_.push_back(std::move(f));
  }

 private:
  const Rule& rule_;
  const Config& config_;
  std::vector<Finding>& out_;
  const SourceFile* file_ = nullptr;
  const sql::Statement* stmt_ = nullptr;
};

// The statements of one file that parse, with the trees that own them; syntax errors go to
// `errors` and the statements around them are kept.
struct ParsedFile {
  std::vector<sql::ParseTree> trees;
  std::vector<sql::Statement> statements;
};

ParsedFile ParseResilient(const SourceFile& file, std::vector<Status>& errors) {
  ParsedFile out;
  auto whole = sql::ParseTree::Parse(file);
  if (whole.ok()) {
    out.statements = whole->statements();
    out.trees.push_back(std::move(whole).value());
    return out;
  }
  // Parse statement by statement to find every bad one and keep the good ones. Each
  // statement is parsed in a copy of the text blanked outside it, so offsets stay exact.
  auto ranges = sql::SplitStatements(file);
  std::vector<sql::StatementRange> list;
  if (ranges.ok()) {
    list = *ranges;
  } else {
    errors.push_back(ranges.status());
    // Keep what comes before the unterminated literal.
    uint32_t stop = ranges.status().span() ? ranges.status().span()->begin : 0;
    SourceFile head(file.name(), file.text().substr(0, stop));
    auto partial = sql::SplitStatements(head);
    if (partial.ok()) {
      for (const auto& r : *partial) {
        if (r.end <= stop) list.push_back(r);
      }
      if (!list.empty()) list.pop_back();  // the literal's own statement
    }
  }
  for (const sql::StatementRange& r : list) {
    std::string padded(file.text().size(), ' ');
    std::copy(file.text().begin() + r.begin, file.text().begin() + r.end, padded.begin() + r.begin);
    SourceFile piece(file.name(), padded);
    auto tree = sql::ParseTree::Parse(piece);
    if (!tree.ok()) {
      Status st = tree.status();
      if (st.span()) {
        SourceSpan span = file.Span(st.span()->begin, st.span()->end);
        errors.push_back(Status::ParseError(st.message()).WithSpan(span));
      } else {
        errors.push_back(st);
      }
      continue;
    }
    for (const sql::Statement& s : tree->statements()) out.statements.push_back(s);
    out.trees.push_back(std::move(tree).value());
  }
  return out;
}

// Parses [begin, end) of `file` (a piece from ParseTree::ChunkStarts) like ParseResilient:
// when the piece does not parse, its statements are parsed one by one, so every bad one is
// reported and the good ones are kept.
ParsedFile ParseRangeResilient(const SourceFile& file, uint32_t begin, uint32_t end,
                               std::vector<Status>& errors) {
  ParsedFile out;
  auto tree = sql::ParseTree::ParseRange(file, begin, end);
  if (tree.ok()) {
    out.statements = tree->statements();
    out.trees.push_back(std::move(tree).value());
    return out;
  }
  auto ranges = sql::SplitStatements(file);
  if (!ranges.ok()) {
    errors.push_back(tree.status());
    return out;
  }
  for (const sql::StatementRange& r : *ranges) {
    if (r.begin < begin || r.begin >= end) continue;
    auto one = sql::ParseTree::ParseRange(file, r.begin, r.end);
    if (!one.ok()) {
      errors.push_back(one.status());
      continue;
    }
    for (const sql::Statement& st : one->statements()) out.statements.push_back(st);
    out.trees.push_back(std::move(one).value());
  }
  return out;
}

// A large file parsed piece by piece while it is linted. libpg_query's parse is about half
// the work of linting a large schema, while the catalog builder and the statement rules must
// see the statements one after the other, on one thread. So the pieces are taken in text
// order by a helper thread and by the linting thread itself (whenever the piece it needs next
// is not ready, it parses the next piece nobody has taken), and the linting thread goes
// through each piece's statements as soon as the piece is parsed.
class PipelinedParse {
 public:
  struct Piece {
    uint32_t begin = 0;
    uint32_t end = 0;
    ParsedFile parsed;
    std::vector<Status> errors;  // syntax errors of this piece, in text order
    bool done = false;
  };

  // Requires: `starts` from ParseTree::ChunkStarts(file, ...), at least two.
  PipelinedParse(const SourceFile& file, const std::vector<uint32_t>& starts) : file_(file) {
    pieces_.resize(starts.size());
    for (size_t k = 0; k < starts.size(); ++k) {
      pieces_[k].begin = starts[k];
      pieces_[k].end =
          k + 1 < starts.size() ? starts[k + 1] : static_cast<uint32_t>(file.text().size());
    }
    try {
      helper_ = std::thread([this] {
        while (ParseNext()) {
        }
      });
    } catch (const std::system_error&) {
      // No thread: Get() parses every piece itself.
    }
  }
  ~PipelinedParse() {
    next_ = pieces_.size();  // nothing more to take
    if (helper_.joinable()) helper_.join();
  }
  PipelinedParse(const PipelinedParse&) = delete;
  PipelinedParse& operator=(const PipelinedParse&) = delete;

  size_t size() const { return pieces_.size(); }

  // Piece k, parsed. Pieces must be asked for in order.
  Piece& Get(size_t k) {
    while (true) {
      {
        std::unique_lock<std::mutex> lock(mu_);
        if (pieces_[k].done) return pieces_[k];
      }
      if (!ParseNext()) {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return pieces_[k].done; });
        return pieces_[k];
      }
    }
  }

 private:
  // Takes the next piece nobody has taken and parses it; false when none is left.
  bool ParseNext() {
    size_t k = next_++;
    if (k >= pieces_.size()) return false;
    std::vector<Status> errors;
    ParsedFile parsed = ParseRangeResilient(file_, pieces_[k].begin, pieces_[k].end, errors);
    std::lock_guard<std::mutex> lock(mu_);
    pieces_[k].parsed = std::move(parsed);
    pieces_[k].errors = std::move(errors);
    pieces_[k].done = true;
    cv_.notify_all();
    return true;
  }

  const SourceFile& file_;
  std::vector<Piece> pieces_;
  std::atomic<size_t> next_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  std::thread helper_;
};

// Files from this size on are parsed piece by piece while they are linted (PipelinedParse),
// in pieces of about kPieceBytes.
constexpr size_t kPipelineBytes = size_t{256} << 10;
constexpr size_t kPieceBytes = size_t{48} << 10;

// The relation that `stmt` just created (a table by CREATE TABLE, CREATE TABLE AS or SELECT
// INTO; a sequence; a view or materialized view), found by name in each schema and told
// apart by its origin: no scan of the whole catalog, which made linting a large schema
// quadratic.
std::optional<QualifiedName> CreatedRelation(const catalog::Catalog& cat, const SourceFile& file,
                                             const sql::Statement& stmt) {
  const sql::Node* n = stmt.node;
  const PgQuery__RangeVar* rv = nullptr;
  switch (n->node_case) {
    case PG_QUERY__NODE__NODE_CREATE_STMT:
      rv = n->create_stmt->relation;
      break;
    case PG_QUERY__NODE__NODE_CREATE_TABLE_AS_STMT:
      if (n->create_table_as_stmt->into != nullptr) rv = n->create_table_as_stmt->into->rel;
      break;
    case PG_QUERY__NODE__NODE_SELECT_STMT:
      if (n->select_stmt->into_clause != nullptr) rv = n->select_stmt->into_clause->rel;
      break;
    case PG_QUERY__NODE__NODE_CREATE_SEQ_STMT:
      rv = n->create_seq_stmt->sequence;
      break;
    case PG_QUERY__NODE__NODE_VIEW_STMT:
      rv = n->view_stmt->view;
      break;
    default:
      break;
  }
  if (rv == nullptr || rv->relname == nullptr) return std::nullopt;
  std::string name = catalog::TruncateIdentifier(rv->relname);
  auto here = [&](const catalog::Origin& o) {
    return o.span.file == file.name() && o.span.begin == stmt.begin;
  };
  auto made_here = [&](const QualifiedName& q) {
    if (auto t = cat.tables.find(q); t != cat.tables.end()) return here(t->second.origin);
    if (auto s = cat.sequences.find(q); s != cat.sequences.end()) return here(s->second.origin);
    if (auto v = cat.views.find(q); v != cat.views.end()) return here(v->second.origin);
    return false;
  };
  if (rv->schemaname != nullptr && *rv->schemaname != '\0') {
    QualifiedName q{rv->schemaname, name};
    if (made_here(q)) return q;
    return std::nullopt;
  }
  QualifiedName q{"public", name};
  if (made_here(q)) return q;
  for (const auto& [schema, unused] : cat.schemas) {
    q.schema = schema;
    if (made_here(q)) return q;
  }
  return std::nullopt;
}

bool SameFile(const SourceSpan& span, const std::set<std::string>& names) {
  // Called for every column of every table: one linted file is the common case.
  if (names.size() == 1) return span.file == *names.begin();
  return names.count(span.file) > 0;
}

// Runs every rule's CheckCatalog over the final schema and appends the findings to `out` in
// rule order. Rules are const and only read the catalog, so they run on two threads when the
// machine has them (on a large schema the catalog rules are a fifth of the work); each rule
// writes to its own list, so the result does not depend on the scheduling.
void RunCatalogRules(const std::vector<const Rule*>& rules, const CatalogContext& ctx,
                     const Config& config, std::vector<Finding>& out) {
  std::vector<std::vector<Finding>> per_rule(rules.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < rules.size(); i = next++) {
      CollectingEmitter em(*rules[i], config, per_rule[i]);
      rules[i]->CheckCatalog(ctx, em);
    }
  };
  std::optional<std::thread> helper;
  if (std::thread::hardware_concurrency() > 1 && ctx.catalog->tables.size() >= 100) {
    try {
      helper.emplace(work);
    } catch (const std::system_error&) {
      // No thread: this one does all the rules.
    }
  }
  work();
  if (helper) helper->join();
  for (std::vector<Finding>& list : per_rule) {
    for (Finding& f : list) out.push_back(std::move(f));
  }
}

}  // namespace

LintReport LintSources(const std::vector<std::shared_ptr<const SourceFile>>& files,
                       const catalog::Catalog* schema, const Config& config) {
  LintReport report;
  catalog::BuildOptions build_options;
  build_options.keep_queries = false;
  catalog::CatalogBuilder builder(build_options);
  bool has_schema = schema != nullptr;
  if (schema != nullptr) builder.Reset(*schema);

  std::vector<const Rule*> rules;
  for (const auto& r : AllRules()) {
    if (config.IsEnabled(r->doc())) rules.push_back(r.get());
  }
  std::vector<Finding> raw;
  std::set<std::string> input_names;
  std::map<std::string, std::vector<Suppression>> suppressions;
  const Rule* unknown_object = FindRule("unknown-object");

  for (const auto& file : files) {
    report.files[file->name()] = file;
    input_names.insert(file->name());
    ++report.file_count;
    suppressions[file->name()] = FindSuppressions(*file);
    auto run_file_rules = [&](const std::vector<sql::Statement>& statements,
                              const catalog::Catalog& before) {
      FileContext fctx{file.get(), &statements, &before, &config};
      for (const Rule* rule : rules) {
        CollectingEmitter em(*rule, config, raw);
        em.SetFile(file.get());
        rule->CheckFile(fctx, em);
      }
    };
    std::set<QualifiedName> created;
    bool in_transaction = false;
    auto lint_statement = [&](const sql::Statement& stmt) {
      StatementContext ctx;
      ctx.file = file.get();
      ctx.stmt = &stmt;
      ctx.catalog = &builder.catalog();
      ctx.has_schema = has_schema;
      ctx.created_in_file = &created;
      ctx.in_transaction = in_transaction;
      ctx.config = &config;
      for (const Rule* rule : rules) {
        CollectingEmitter em(*rule, config, raw);
        em.SetStatement(file.get(), &stmt);
        rule->CheckStatement(ctx, em);
      }
      const sql::Node* n = stmt.node;
      if (n->node_case == PG_QUERY__NODE__NODE_TRANSACTION_STMT) {
        auto kind = n->transaction_stmt->kind;
        if (kind == PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_BEGIN ||
            kind == PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_START) {
          in_transaction = true;
        } else if (kind == PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_COMMIT ||
                   kind == PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_ROLLBACK) {
          in_transaction = false;
        }
      }
      Status st = builder.ApplyStatement(*file, stmt);
      if (!st.ok()) {
        // DDL the schema cannot take (unknown table in ALTER, duplicate object...). Without a
        // known schema this is expected (a lone migration file) and stays silent.
        if ((has_schema || !builder.catalog().tables.empty()) && unknown_object != nullptr &&
            config.IsEnabled(unknown_object->doc())) {
          CollectingEmitter em(*unknown_object, config, raw);
          em.SetStatement(file.get(), &stmt);
          int at = st.span() ? static_cast<int>(st.span()->begin) : -1;
          std::optional<std::string> fix;
          if (!st.hint().empty()) fix = st.hint();
          em.Report(at, st.message(), std::move(fix));
        }
      } else if (!has_schema) {
        // The schema is known once DDL has defined a relation (a SET or a query is not one).
        has_schema = !builder.catalog().tables.empty() || !builder.catalog().views.empty();
      }
      if (st.ok()) {
        if (auto q = CreatedRelation(builder.catalog(), *file, stmt)) created.insert(*q);
      }
    };

    std::vector<uint32_t> starts;
    if (file->text().size() >= kPipelineBytes && std::thread::hardware_concurrency() > 1) {
      starts = sql::ParseTree::ChunkStarts(*file, file->text().size() / kPieceBytes + 1);
    }
    if (starts.size() < 2) {
      ParsedFile parsed = ParseResilient(*file, report.errors);
      report.statement_count += parsed.statements.size();
      run_file_rules(parsed.statements, builder.catalog());
      for (const sql::Statement& stmt : parsed.statements) lint_statement(stmt);
      continue;
    }
    // File rules need every statement, and the schema as it was before the file: they run
    // last, on a copy of it.
    catalog::Catalog before = builder.catalog();
    std::vector<sql::Statement> all;
    PipelinedParse pipeline(*file, starts);
    for (size_t k = 0; k < pipeline.size(); ++k) {
      PipelinedParse::Piece& piece = pipeline.Get(k);
      for (Status& e : piece.errors) report.errors.push_back(std::move(e));
      for (const sql::Statement& stmt : piece.parsed.statements) {
        lint_statement(stmt);
        all.push_back(stmt);
      }
    }
    report.statement_count += all.size();
    run_file_rules(all, before);
  }

  CatalogContext cctx;
  cctx.catalog = &builder.catalog();
  cctx.config = &config;
  cctx.is_input = [&](const SourceSpan& span) { return SameFile(span, input_names); };
  RunCatalogRules(rules, cctx, config, raw);

  // Suppressions.
  for (Finding& f : raw) {
    auto it = suppressions.find(f.span.file);
    bool suppressed = false;
    if (it != suppressions.end()) {
      const SourceFile& file = *report.files[f.span.file];
      uint32_t first = f.span.line;
      uint32_t last = file.Locate(f.span.end > f.span.begin ? f.span.end - 1 : f.span.begin).line;
      // The statement around the finding: a comment before it or on one of its lines
      // covers all of it.
      uint32_t stmt_first = first;
      uint32_t stmt_last = last;
      if (f.statement_end > f.statement_begin) {
        stmt_first = file.Locate(f.statement_begin).line;
        stmt_last = file.Locate(f.statement_end - 1).line;
      }
      for (Suppression& s : it->second) {
        if (s.rule != f.rule && s.rule != "all") continue;
        bool covers = s.own_line ? (s.target_line >= first && s.target_line <= last) ||
                                       s.target_line == stmt_first
                                 : (s.line >= first && s.line <= last) ||
                                       (s.line >= stmt_first && s.line <= stmt_last);
        if (covers) {
          s.used = true;
          suppressed = true;
        }
      }
    }
    if (suppressed) {
      ++report.suppressed_count;
    } else {
      report.findings.push_back(std::move(f));
    }
  }
  const Rule* unused = FindRule("unused-suppression");
  if (unused != nullptr && config.IsEnabled(unused->doc())) {
    for (const auto& [name, list] : suppressions) {
      const SourceFile& file = *report.files[name];
      for (size_t i = 0; i < list.size(); ++i) {
        const Suppression& s = list[i];
        if (s.used || s.rule == "unused-suppression") continue;
        // A stale suppression can itself be suppressed: `-- dbarch:ignore unused-suppression`
        // on its line or alone on the line before it.
        bool silenced = false;
        for (Suppression& t : suppressions[name]) {
          if (&t == &s || t.rule != "unused-suppression") continue;
          if ((t.own_line && t.target_line == s.line) || (!t.own_line && t.line == s.line)) {
            t.used = true;
            silenced = true;
          }
        }
        if (silenced) {
          ++report.suppressed_count;
          continue;
        }
        CollectingEmitter em(*unused, config, report.findings);
        em.SetFile(&file);
        std::string msg = FindRule(s.rule) == nullptr && s.rule != "all"
                              ? "suppression names unknown rule \"" + s.rule + "\""
                              : "suppression of \"" + s.rule + "\" suppresses nothing";
        em.Report(static_cast<int>(s.offset), msg, std::string("remove the comment"));
      }
      for (const Suppression& t : list) {
        if (t.rule != "unused-suppression" || t.used) continue;
        CollectingEmitter em(*unused, config, report.findings);
        em.SetFile(&file);
        em.Report(static_cast<int>(t.offset), "suppression of \"unused-suppression\" suppresses nothing",
                  std::string("remove the comment"));
      }
    }
  }
  // Sorted by file (in input order), line, column, rule, message. The file's position is
  // looked up once per finding, not per comparison.
  std::map<std::string, size_t> order;
  for (size_t i = 0; i < files.size(); ++i) order.emplace(files[i]->name(), i);
  std::vector<std::pair<size_t, Finding>> keyed;
  keyed.reserve(report.findings.size());
  for (Finding& f : report.findings) {
    auto it = order.find(f.span.file);
    keyed.emplace_back(it != order.end() ? it->second : SIZE_MAX, std::move(f));
  }
  std::sort(keyed.begin(), keyed.end(), [](const auto& x, const auto& y) {
    const Finding& a = x.second;
    const Finding& b = y.second;
    return std::tie(x.first, a.span.line, a.span.column, a.rule, a.message) <
           std::tie(y.first, b.span.line, b.span.column, b.rule, b.message);
  });
  report.findings.clear();
  for (auto& [unused, f] : keyed) report.findings.push_back(std::move(f));
  return report;
}

LintReport LintScripts(const std::vector<std::shared_ptr<const SourceFile>>& sources,
                       const catalog::Catalog* schema, const Config& config,
                       const std::function<void(const sql::ScriptNote&)>& on_note) {
  // Each file as psql runs it: meta-commands and COPY data blanked, \i includes (read from
  // disk) as parts of their own. Excerpts come from the files as written.
  std::vector<std::shared_ptr<const SourceFile>> files;
  std::map<std::string, std::shared_ptr<const SourceFile>> originals;
  std::vector<Status> script_errors;
  for (const auto& original : sources) {
    sql::PsqlOptions psql;
    psql.read_file = [&originals](const std::string& p) -> Result<SourceFile> {
      DBARCH_ASSIGN_OR_RETURN(SourceFile included, catalog::ReadSourceFile(p));
      originals.emplace(p, std::make_shared<const SourceFile>(included));
      return included;
    };
    auto script = sql::ExpandPsqlScript(*original, psql);
    originals.emplace(original->name(), original);
    if (!script.ok()) {
      // A broken \if or include: an input error of this file; the others are linted.
      script_errors.push_back(script.status());
      continue;
    }
    if (on_note) {
      for (const sql::ScriptNote& note : script->notes) on_note(note);
    }
    for (sql::ScriptPart& part : script->parts) {
      files.push_back(std::make_shared<const SourceFile>(std::move(part.file)));
    }
  }
  LintReport report = LintSources(files, schema, config);
  for (Status& st : script_errors) report.errors.push_back(std::move(st));
  for (auto& [name, file] : report.files) {
    if (auto it = originals.find(name); it != originals.end()) file = it->second;
  }
  return report;
}

Result<LintReport> Lint(const LintOptions& options) {
  catalog::Catalog base;
  const catalog::Catalog* schema = options.schema;
  if (!options.schema_paths.empty()) {
    catalog::CatalogBuilder builder;
    if (options.schema != nullptr) builder.Reset(*options.schema);
    DBARCH_RETURN_IF_ERROR(catalog::ApplyPaths(builder, options.schema_paths, options.on_note));
    base = builder.Finish();
    schema = &base;
  }
  DBARCH_ASSIGN_OR_RETURN(std::vector<std::string> names, catalog::ExpandSqlPaths(options.paths));
  std::vector<std::shared_ptr<const SourceFile>> files;
  for (const std::string& n : names) {
    auto f = catalog::ReadSourceFile(n);
    if (!f.ok()) return f.status();
    files.push_back(std::make_shared<const SourceFile>(std::move(f).value()));
  }
  return LintScripts(files, schema, options.config, options.on_note);
}

}  // namespace dbarch::lint
