// The HTML report of `dbarch workload --format html`: one self-contained page (inline CSS
// and inline SVG charts drawn here; no script, font, image or style sheet is loaded from
// anywhere, so it opens offline and from a mail attachment) with the log summary, a chart
// of statements per minute, a duration histogram, a bar chart of the top groups by total
// time and their table, the groups with errors, lock waits or temporary files, and the
// split by database, user and application. Pure function of its input (no clock): the same
// report gives the same bytes. Thread-safe.
#pragma once

#include <string>

#include "report/log_report.h"
#include "workload/log_reader.h"

namespace dbarch::report {

// The page. options.top: groups in the chart and the tables (0: 20). Every text from the
// log is HTML-escaped; elements carry stable ids ("summary", "queries-per-minute",
// "duration-histogram", "top-groups", "top-groups-table") for tests and scripts.
std::string LogReportToHtml(const workload::LogReport& report, const LogReportOptions& options);

}  // namespace dbarch::report
