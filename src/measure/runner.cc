#include "measure/runner.h"

#include <chrono>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "measure/plan_summary.h"

namespace dbarch::measure {
namespace {

// PostgreSQL's SQLSTATE for a statement cancelled by statement_timeout (query_canceled).
constexpr std::string_view kQueryCanceled = "57014";

// How one statement ended.
enum class Step { kOk, kTimeout, kError, kLost };

struct StepResult {
  Step step = Step::kOk;
  Status status;
  int64_t rows = 0;
  std::string first_cell;  // EXPLAIN's JSON text
};

StepResult Classify(pg::Connection& conn, const Result<pg::QueryResult>& result) {
  StepResult out;
  if (result.ok()) {
    out.rows = result->rows();
    if (result->rows() > 0 && result->columns() > 0) {
      out.first_cell = std::string(result->Get(0, 0));
    }
    return out;
  }
  out.status = result.status();
  if (out.status.code() == StatusCode::kConnection) {
    out.step = Step::kLost;
  } else if (conn.last_sqlstate() == kQueryCanceled) {
    out.step = Step::kTimeout;
  } else {
    out.step = Step::kError;
  }
  return out;
}

StepResult Execute(pg::Connection& conn, const workload::Query& q, std::string_view sql) {
  if (q.has_params) return Classify(conn, conn.ExecParams(sql, q.params));
  return Classify(conn, conn.Exec(sql));
}

StepResult ExecutePlain(pg::Connection& conn, const std::string& sql) {
  return Classify(conn, conn.Exec(sql));
}

// Measures one query; returns kLost's status when the connection is gone.
Result<QueryMeasurement> MeasureQuery(pg::Connection& conn, const workload::Query& q,
                                      const RunOptions& options) {
  auto now = [&options]() -> int64_t {
    if (options.now_ns) return options.now_ns();
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  };
  QueryMeasurement m;
  m.name = q.name;
  m.weight = q.weight;

  // Records a failed step; false when measuring this query must stop.
  auto failed = [&m](const StepResult& r, const std::string& context) {
    if (r.step == Step::kOk) return false;
    if (r.step == Step::kTimeout) {
      m.outcome = Outcome::kTimeout;
    } else {
      m.outcome = Outcome::kError;
      m.error = context.empty() ? r.status.message() : context + ": " + r.status.message();
    }
    return true;
  };

  bool in_transaction = false;
  if (options.rollback_each_query) {
    StepResult begin = ExecutePlain(conn, "BEGIN");
    if (begin.step == Step::kLost) return begin.status;
    if (failed(begin, "BEGIN")) return m;
    in_transaction = true;
  }
  bool stop = false;
  size_t setup_done = 0;
  for (const std::string& stmt : q.setup) {
    StepResult r = ExecutePlain(conn, stmt);
    if (r.step == Step::kLost) return r.status;
    if (failed(r, "setup")) {
      stop = true;
      break;
    }
    ++setup_done;
  }
  // One execution of `sql`; inside the transaction, undone right after (a savepoint: the
  // next run of a write sees the same data). The timing covers the statement only.
  auto execute = [&](const std::string& sql, int64_t* elapsed_ns) -> StepResult {
    if (in_transaction) {
      StepResult sp = ExecutePlain(conn, "SAVEPOINT dbarch_run");
      if (sp.step != Step::kOk) return sp;
    }
    const int64_t start = elapsed_ns != nullptr ? now() : 0;
    StepResult r = Execute(conn, q, sql);
    if (elapsed_ns != nullptr) *elapsed_ns = now() - start;
    if (in_transaction && r.step != Step::kLost) {
      StepResult undo = ExecutePlain(conn, "ROLLBACK TO SAVEPOINT dbarch_run");
      if (undo.step != Step::kOk && r.step == Step::kOk) return undo;
    }
    return r;
  };
  if (!stop) {
    StepResult warm = execute(q.sql, nullptr);
    if (warm.step == Step::kLost) return warm.status;
    stop = failed(warm, "");
  }
  for (int run = 0; !stop && run < options.runs; ++run) {
    int64_t elapsed = 0;
    StepResult r = execute(q.sql, &elapsed);
    if (r.step == Step::kLost) return r.status;
    if (failed(r, "")) {
      stop = true;
      break;
    }
    m.runs_ms.push_back(static_cast<double>(elapsed) / 1e6);
    m.rows = r.rows;
  }
  if (!stop) {
    m.median_ms = Median(m.runs_ms);
    m.p95_ms = Percentile(m.runs_ms, 95);
    StepResult explain = execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + q.sql, nullptr);
    if (explain.step == Step::kLost) return explain.status;
    if (explain.step == Step::kOk) {
      Result<PlanSummary> plan = SummarizeExplainJson(explain.first_cell);
      if (plan.ok()) m.plan = std::move(plan).value();
    }
  } else {
    m.runs_ms.clear();
  }
  if (in_transaction) {
    StepResult rollback = ExecutePlain(conn, "ROLLBACK");
    if (rollback.step == Step::kLost) return rollback.status;
  } else if (setup_done > 0 || q.setup.empty()) {
    // Teardown runs whenever the setup did (even after a timeout), so the next query sees
    // the database as it was.
    for (const std::string& stmt : q.teardown) {
      StepResult r = ExecutePlain(conn, stmt);
      if (r.step == Step::kLost) return r.status;
      if (m.outcome == Outcome::kOk && failed(r, "teardown")) break;
    }
  }
  return m;
}

}  // namespace

Result<WorkloadMeasurement> RunWorkload(pg::Connection& conn, const workload::Workload& workload,
                                        const RunOptions& options) {
  if (options.runs < 1) return Status::InvalidArgument("runs must be at least 1");
  if (options.timeout_ms <= 0) return Status::InvalidArgument("timeout must be positive");
  Status set = conn.ExecScript("SET statement_timeout = " + std::to_string(options.timeout_ms));
  if (!set.ok()) return set;

  WorkloadMeasurement out;
  out.label = options.label;
  out.runs = options.runs;
  out.timeout_ms = options.timeout_ms;
  for (const workload::Query& q : workload.queries) {
    if (options.on_query) options.on_query(q.name);
    DBARCH_ASSIGN_OR_RETURN(QueryMeasurement m, MeasureQuery(conn, q, options));
    if (m.outcome == Outcome::kOk) {
      out.weighted_total_ms += m.weight * m.median_ms;
    } else {
      out.complete = false;
    }
    out.queries.push_back(std::move(m));
  }
  return out;
}

}  // namespace dbarch::measure
