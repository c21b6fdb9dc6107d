// A mergeable quantile sketch for statement durations: a histogram over logarithmic
// buckets 2% wide (from 1 microsecond to about 5 hours), so any quantile it returns is
// within 1% of a duration that was added, whatever the number of values. Memory is fixed
// (one counter per bucket, allocated at the first value). Used by log_reader.h per group.
// Not thread-safe: one owner; Merge combines the sketches of several threads.
#pragma once

#include <cstdint>
#include <vector>

namespace dbarch::workload {

class DurationSketch {
 public:
  // Adds one duration in milliseconds (negative counts as 0).
  void Add(double ms);
  // Adds every value of `other`.
  void Merge(const DurationSketch& other);
  // The q-quantile (0 <= q <= 1) in milliseconds: the representative value of the bucket
  // that holds the value of rank ceil(q * count), clamped to [min, max]. 0 when empty.
  double Quantile(double q) const;
  int64_t count() const { return count_; }
  double min_ms() const { return count_ == 0 ? 0 : min_ms_; }
  double max_ms() const { return max_ms_; }

 private:
  static int Bucket(double ms);
  std::vector<uint32_t> buckets_;  // empty until the first value
  int64_t count_ = 0;
  double min_ms_ = 0;
  double max_ms_ = 0;
};

}  // namespace dbarch::workload
