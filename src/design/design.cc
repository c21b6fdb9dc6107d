#include "design/design.h"

#include <algorithm>
#include <memory>
#include <set>

#include "advisor/advise.h"
#include "base/strings.h"
#include "datagen/load.h"
#include "datagen/plan.h"
#include "lint/config.h"
#include "lint/linter.h"
#include "measure/runner.h"
#include "pg/connection.h"
#include "pg/introspect.h"
#include "pg/vacuum.h"
#include "sandbox/sandbox.h"
#include "workload/workload.h"

namespace dbarch::design {

namespace {

constexpr const char *kDatabase = "dbarch_design";

void Progress(DesignListener *l, const std::string &m) {
  if (l) l->OnProgress(m);
}

// One progress line per advisor run: how much it searched, how long it took, what it chose.
std::string AdviseSummary(const advisor::AdviseResult &r) {
  std::string names;
  size_t chosen = 0;
  for (const advisor::AdviseIndex &i : r.indexes) {
    if (i.dropped) continue;
    ++chosen;
    names += (names.empty() ? ": " : "; ") + i.ddl;
  }
  return "advise: " + std::to_string(r.queries) + " queries, " + std::to_string(r.candidates) +
         " candidates, " + std::to_string(r.whatif_calls) + " what-if calls, " +
         std::to_string(static_cast<int64_t>(r.runtime_ms)) + " ms searching, " +
         std::to_string(chosen) + " index(es)" + names;
}

class Forward : public advisor::AdviseListener {
 public:
  explicit Forward(DesignListener *l) : l_(l) {}
  void OnProgress(const std::string &m) override { Progress(l_, "advise: " + m); }
  void OnWarning(const std::string &m) override {
    if (l_) l_->OnWarning("advise: " + m);
  }

 private:
  DesignListener *l_;
};

// Lints `ddl` with the design's naming convention; findings at warning or above
// are an error.
Status LintDdl(const std::string &ddl, const std::string &name, std::vector<std::string> *info) {
  DBARCH_ASSIGN_OR_RETURN(lint::Config config,
                          lint::ParseConfig("design naming convention", NamingConventionYaml()));
  auto file = std::make_shared<const SourceFile>(name, ddl);
  lint::LintReport report = lint::LintSources({file}, nullptr, config);
  if (!report.errors.empty()) {
    return Status::Internal("the generated DDL does not parse: " + report.errors.front().message());
  }
  std::vector<std::string> bad;
  for (const lint::Finding &f : report.findings) {
    std::string line = std::to_string(f.span.line) + ":" + std::to_string(f.span.column) + ": " +
                       f.rule + ": " + f.message;
    if (f.severity >= lint::Severity::kWarning) {
      bad.push_back(line);
    } else if (info) {
      info->push_back(f.rule + ": " + f.message);
    }
  }
  if (!bad.empty()) {
    return Status::InvalidArgument("lint finds " + std::to_string(bad.size()) +
                                   " problem(s) at warning or above in " + name + ": " +
                                   Join(bad, "; "));
  }
  return Status::OK();
}

std::string WithoutConcurrently(std::string ddl) {
  const std::string c = " CONCURRENTLY";
  size_t pos = ddl.find(c);
  if (pos != std::string::npos) ddl.erase(pos, c.size());
  if (!ddl.empty() && ddl.back() == ';') ddl.pop_back();
  return ddl;
}

// Key column names of an advisor index ("placed_at desc" -> "placed_at").
std::vector<std::string> KeyColumns(const advisor::AdviseIndex &i) {
  std::vector<std::string> out;
  for (const std::string &c : i.columns) {
    size_t sp = c.find(' ');
    out.push_back(sp == std::string::npos ? c : c.substr(0, sp));
  }
  return out;
}

std::string Unqualified(const std::string &table) {
  size_t dot = table.rfind('.');
  return dot == std::string::npos ? table : table.substr(dot + 1);
}

}  // namespace

Result<DesignResult> RunDesign(const Model &model, const DesignOptions &options,
                               DesignListener *listener) {
  DesignResult result;
  result.model = model;
  result.scale = options.scale;
  result.runs = options.runs;
  BuildOptions build;
  build.scale = options.scale;
  build.seed = options.seed;
  DBARCH_ASSIGN_OR_RETURN(result.schema, BuildSchema(model, build));
  SchemaDesign &schema = result.schema;
  std::string ddl = schema.Ddl();

  Progress(listener, "linting the DDL");
  DBARCH_RETURN_IF_ERROR(LintDdl(ddl, "schema.sql", nullptr));

  Progress(listener, "starting a PostgreSQL 15 sandbox");
  DBARCH_ASSIGN_OR_RETURN(std::unique_ptr<sandbox::Sandbox> box,
                          sandbox::Sandbox::Start(sandbox::SandboxOptions{}));
  DBARCH_RETURN_IF_ERROR(box->CreateDatabase(kDatabase));
  pg::ConnectOptions copt;
  copt.conninfo = box->ConnInfo() + " dbname=" + kDatabase;
  copt.read_only = false;
  copt.statement_timeout_ms = 0;
  copt.lock_timeout_ms = 0;
  DBARCH_ASSIGN_OR_RETURN(pg::Connection conn, pg::Connection::Open(copt));
  {
    DBARCH_ASSIGN_OR_RETURN(pg::QueryResult v, conn.Exec("SELECT split_part(version(), ' ', 2)"));
    result.server = "PostgreSQL " + std::string(v.Get(0, 0));
  }

  Progress(listener, "loading the DDL");
  for (const std::string &stmt : schema.statements) {
    Status st = conn.ExecScript(stmt);
    if (!st.ok()) {
      return Status::InvalidArgument("the DDL does not load: " + st.message() +
                                     "\n  in: " + stmt.substr(0, stmt.find('\n')));
    }
  }

  DBARCH_ASSIGN_OR_RETURN(catalog::Catalog cat,
                          pg::IntrospectCatalog(conn, pg::IntrospectOptions{}));
  Progress(listener, "generating data");
  DBARCH_ASSIGN_OR_RETURN(datagen::Plan plan, datagen::BuildPlan(cat, schema.spec));
  // Lookup tables hold their rows from the DDL; columns referencing them draw
  // the values.
  std::map<std::string, std::vector<std::string>> lookups;
  for (const StatusChoice &c : schema.statuses) {
    if (c.storage == "lookup") lookups[c.type] = c.values;
  }
  plan.tables.erase(
      std::remove_if(plan.tables.begin(), plan.tables.end(),
                     [&](const datagen::TablePlan &t) { return lookups.count(t.name.name) > 0; }),
      plan.tables.end());
  for (datagen::TablePlan &t : plan.tables) {
    for (const datagen::ForeignKeyPlan &fk : t.fks) {
      auto it = lookups.find(fk.parent.name);
      if (it == lookups.end()) continue;
      for (int col : fk.columns) {
        t.columns[col].fk = -1;
        t.columns[col].choices = it->second;
        t.columns[col].choice_weights.clear();
      }
    }
    for (const std::string &w : t.warnings) {
      result.generator_warnings.push_back(t.name.Quoted() + ": " + w);
    }
  }
  DBARCH_ASSIGN_OR_RETURN(datagen::GenerateStats gen, datagen::LoadIntoServer(conn, plan));
  (void)gen;
  for (const datagen::TablePlan &t : plan.tables) {
    DBARCH_ASSIGN_OR_RETURN(pg::QueryResult r,
                            conn.Exec("SELECT count(*) FROM " + t.name.Quoted()));
    int64_t n = r.GetInt(0, 0);
    if (n != t.rows) {
      return Status::InvalidArgument("table " + t.name.Quoted() + " holds " + std::to_string(n) +
                                     " generated rows, expected " + std::to_string(t.rows));
    }
    result.loaded_rows[t.name.name] = n;
  }
  for (const auto &[table, values] : lookups) {
    result.loaded_rows[table] = static_cast<int64_t>(values.size());
  }
  for (const PartitionProposal &p : schema.partitions) {
    std::string parent = QualifiedName(schema.schema, p.table);
    DBARCH_ASSIGN_OR_RETURN(
        pg::QueryResult r,
        conn.Exec("SELECT c.relname, (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) "
                  "AS n FROM %s', c.oid::regclass), false, true, '')))[1]::text::bigint, "
                  "pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT' FROM pg_inherits i JOIN "
                  "pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = " +
                  QuoteLiteral(parent) + "::regclass ORDER BY 1"));
    PartitionLoad load;
    load.table = p.table;
    for (int i = 0; i < r.rows(); ++i) {
      int64_t n = r.GetInt(i, 1);
      load.rows += n;
      if (std::string(r.Get(i, 2)) == "t") {
        load.default_rows += n;
      } else if (n > 0) {
        ++load.partitions_with_rows;
      }
    }
    if (load.rows != result.loaded_rows[p.table]) {
      return Status::Internal("the partitions of " + parent + " hold " + std::to_string(load.rows) +
                              " rows, the table " + std::to_string(result.loaded_rows[p.table]));
    }
    result.partition_loads.push_back(load);
  }
  // Statistics, and the visibility map as autovacuum leaves it: index-only scans are costed
  // as on a live table.
  DBARCH_RETURN_IF_ERROR(pg::VacuumLoaded(conn, /*analyze=*/true).status());

  // The access-pattern workload, with parameter values taken from the generated
  // rows.
  workload::Workload wl;
  for (const PatternQuery &q : schema.queries) {
    workload::Query wq;
    wq.name = q.name;
    wq.weight = q.weight;
    wq.sql = q.sql;
    if (!q.param_sql.empty()) {
      auto r = conn.Exec(q.param_sql);
      if (!r.ok()) {
        return Status::InvalidArgument(
            "access pattern \"" + q.name +
            "\": picking parameter values failed: " + r.status().message());
      }
      if (r->rows() == 0) {
        return Status::InvalidArgument(
            "access pattern \"" + q.name +
            "\": the generated data has no row to take parameter values from");
      }
      for (int c = 0; c < r->columns(); ++c) {
        if (r->IsNull(0, c)) {
          wq.params.push_back(std::nullopt);
        } else {
          wq.params.push_back(std::string(r->Get(0, c)));
        }
      }
      wq.has_params = true;
    }
    wq.span.file = "access patterns";
    wl.queries.push_back(std::move(wq));
  }

  Progress(listener, "choosing indexes for the access patterns");
  advisor::AdviseRequest req;
  req.target = &conn;
  req.live = false;
  // No measured verification inside Advise(): its keep-or-drop decisions depend
  // on timings, and the design must be the same on every run; the design times
  // the queries itself below.
  req.verify_target = nullptr;
  req.catalog = &cat;
  req.workload = &wl;
  req.options.budget_mb = options.budget_mb;
  req.options.runs = std::max(3, options.runs / 2);
  req.options.timeout_ms = options.timeout_ms;
  Forward forward(listener);
  // The advisor searches from the schema as it stands; once its indexes are built (and the
  // foreign key indexes they replace dropped) another search can find more. Rounds go on
  // until a search adds nothing; the last round runs after the timed runs, on the schema
  // and data exactly as they are measured, and is what `advise` would add after the fact.
  std::set<std::string> dropped_fk;
  auto build_indexes = [&](const advisor::AdviseResult& advised) -> Result<size_t> {
    size_t added = 0;
    for (const advisor::AdviseIndex& ai : advised.indexes) {
      if (ai.dropped) continue;
      ++added;
      DesignIndex di;
      di.name = ai.name;
      di.table = Unqualified(ai.table);
      di.ddl = WithoutConcurrently(ai.ddl);
      di.rationale = ai.rationale;
      di.size_bytes = ai.size_bytes;
      for (const advisor::AdviseQueryEffect& h : ai.helps) di.helps.push_back(h.query);
      // A foreign key index the chosen index leads with becomes redundant: the chosen one
      // supports the foreign key too.
      std::vector<std::string> keys = KeyColumns(ai);
      if (ai.method == "btree" && ai.predicate.empty()) {
        for (const ForeignKeyIndex& fk : schema.fk_indexes) {
          if (fk.table != di.table || dropped_fk.count(fk.name)) continue;
          if (keys.size() >= fk.columns.size() &&
              std::equal(fk.columns.begin(), fk.columns.end(), keys.begin())) {
            dropped_fk.insert(fk.name);
            di.replaces = fk.name;
            Status st = conn.ExecScript("DROP INDEX " + QuoteIdent(fk.name));
            if (!st.ok()) return Status::Internal("dropping " + fk.name + ": " + st.message());
            break;
          }
        }
      }
      Status st = conn.ExecScript(di.ddl);
      if (!st.ok()) {
        return Status::InvalidArgument("index " + di.name + " does not build: " + st.message());
      }
      result.indexes.push_back(std::move(di));
    }
    DBARCH_RETURN_IF_ERROR(conn.ExecScript("VACUUM ANALYZE"));
    return added;
  };
  constexpr int kMaxRounds = 4;
  for (int round = 0;; ++round) {
    catalog::Catalog current;
    if (round > 0) {
      DBARCH_ASSIGN_OR_RETURN(current, pg::IntrospectCatalog(conn, pg::IntrospectOptions{}));
      req.catalog = &current;
    }
    DBARCH_ASSIGN_OR_RETURN(advisor::AdviseResult advised, advisor::Advise(req, &forward));
    Progress(listener, AdviseSummary(advised));
    DBARCH_ASSIGN_OR_RETURN(size_t added, build_indexes(advised));
    // Bounded like the rounds after the timed runs: an advisor that keeps finding an index
    // it then finds again would otherwise never stop.
    if (added == 0 || round + 1 >= kMaxRounds) break;
    Progress(listener, "asking the advisor again with " + std::to_string(result.indexes.size()) +
                           " index(es) built");
  }

  for (int pass = 0;; ++pass) {
    // The final DDL: the schema without the foreign key indexes a chosen index replaces, then
    // the chosen indexes.
    result.ddl.clear();
    for (const std::string& s : schema.statements) {
      bool skip = false;
      for (const ForeignKeyIndex& fk : schema.fk_indexes) {
        if (s == fk.ddl && dropped_fk.count(fk.name)) skip = true;
      }
      if (!skip) result.ddl += s + ";\n\n";
    }
    for (const DesignIndex& i : result.indexes) {
      result.ddl += "-- " + i.rationale + "\n" + i.ddl + ";\n\n";
    }
    Progress(listener, "linting the final DDL");
    result.lint_info.clear();
    DBARCH_RETURN_IF_ERROR(LintDdl(result.ddl, "schema.sql", &result.lint_info));

    Progress(listener, "timing the sample queries");
    measure::RunOptions ropt;
    ropt.runs = options.runs;
    ropt.timeout_ms = options.timeout_ms;
    ropt.label = "design";
    DBARCH_ASSIGN_OR_RETURN(measure::WorkloadMeasurement wm, measure::RunWorkload(conn, wl, ropt));
    // A plan on a partitioned table names each partition's index: name the parent's once.
    std::map<std::string, std::string> parent_index;
    {
      DBARCH_ASSIGN_OR_RETURN(
          pg::QueryResult r,
          conn.Exec("SELECT c.relname, p.relname FROM pg_inherits i JOIN pg_class c ON c.oid = "
                    "i.inhrelid JOIN pg_class p ON p.oid = i.inhparent WHERE c.relkind = 'i'"));
      for (int i = 0; i < r.rows(); ++i) parent_index[std::string(r.Get(i, 0))] = r.Get(i, 1);
    }
    result.timings.clear();
    for (size_t i = 0; i < wm.queries.size(); ++i) {
      const measure::QueryMeasurement& qm = wm.queries[i];
      if (qm.outcome != measure::Outcome::kOk) {
        return Status::InvalidArgument(
            "sample query of access pattern \"" + qm.name +
            "\" failed: " + (qm.outcome == measure::Outcome::kTimeout ? "timeout" : qm.error));
      }
      PatternTiming t;
      t.name = qm.name;
      t.kind = schema.queries[i].kind;
      t.frequency = schema.queries[i].frequency;
      t.weight = schema.queries[i].weight;
      t.sql = schema.queries[i].sql;
      for (const auto& p : wl.queries[i].params) t.params.push_back(p.value_or("NULL"));
      t.median_ms = qm.median_ms;
      t.p95_ms = qm.p95_ms;
      t.rows = qm.rows;
      if (qm.plan) {
        for (const std::string &name : qm.plan->indexes) {
          auto it = parent_index.find(name);
          std::string shown = it == parent_index.end() ? name : it->second + " (partitions)";
          if (std::find(t.indexes.begin(), t.indexes.end(), shown) == t.indexes.end()) {
            t.indexes.push_back(shown);
          }
        }
        t.plan_node = qm.plan->top_node;
      }
      result.timings.push_back(std::move(t));
    }

    Progress(listener, "asking advise what it would add after the fact");
    DBARCH_ASSIGN_OR_RETURN(result.catalog, pg::IntrospectCatalog(conn, pg::IntrospectOptions{}));
    req.catalog = &result.catalog;
    DBARCH_ASSIGN_OR_RETURN(advisor::AdviseResult after, advisor::Advise(req, &forward));
    Progress(listener, AdviseSummary(after));
    result.advise_after.clear();
    for (const advisor::AdviseIndex& ai : after.indexes) {
      if (!ai.dropped) result.advise_after.push_back(WithoutConcurrently(ai.ddl));
    }
    if (result.advise_after.empty() || pass + 1 >= kMaxRounds) break;
    // Take them into the design and measure again.
    DBARCH_ASSIGN_OR_RETURN(size_t added, build_indexes(after));
    (void)added;
  }
  DBARCH_RETURN_IF_ERROR(box->Stop());
  return result;
}

}  // namespace dbarch::design
