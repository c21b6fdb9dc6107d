// Rendering of `dbarch backup` results: the plan (text, JSON and the files it proposes:
// pgbackrest.conf, a postgresql.conf snippet, an /etc/cron.d file), the proof of `backup
// verify` (text, JSON) and the live check of `backup verify --dsn` (text, JSON). Pure
// functions of their inputs; thread-safe.
#pragma once

#include <string>

#include "ops/backup_plan.h"
#include "ops/backup_verify.h"

namespace dbarch::report {

std::string BackupPlanToText(const ops::BackupPlan& plan);
// {"meets_objectives", "objectives": {...}, "facts": {...}, "throughput": {...},
//  "checks": [{objective, target, expected, met, how}], "settings": [{name, current,
//  recommended, changes, needs_restart, reason}], "pgbackrest_conf", "schedule":
//  [{cron, user, command, comment}], "estimates": {...}, "monitoring": [...],
//  "runbook": {"full_restore": [{title, command}], "point_in_time": [...]}, "notes": [...]}
std::string BackupPlanToJson(const ops::BackupPlan& plan);
// postgresql.conf lines for the archive settings, each with its reason as a comment.
std::string BackupPlanConfSnippet(const ops::BackupPlan& plan);
// An /etc/cron.d file: the schedule with its comments.
std::string BackupPlanCronFile(const ops::BackupPlan& plan);

std::string VerifyToText(const ops::BackupVerifyResult& result);
// {"passed", "failure", "pgbackrest_version", "server_version_num", "target": {kind, value,
//  time, lsn}, "steps": [{name, ok, elapsed_ms, detail}], "tables": [{table,
//  rows_at_target, rows_at_end, restored_rows, checksum_at_target, restored_checksum,
//  matches}], "later_table_absent", "measured": {database_bytes, full_backup_ms, ...,
//  backup_bytes_per_s, restore_bytes_per_s, compression_ratio, archive_push_ms},
//  "rows_lost", "pgbackrest_conf"}
std::string VerifyToJson(const ops::BackupVerifyResult& result);

std::string LiveCheckToText(const ops::LiveCheckResult& result);
// {"ok", "problems": [...], "notes": [...], "archiving": {...}, "backups": {...}}
std::string LiveCheckToJson(const ops::LiveCheckResult& result);

}  // namespace dbarch::report
