#include "workload/duration_sketch.h"

#include <algorithm>
#include <cmath>

namespace dbarch::workload {
namespace {

constexpr double kSmallestMs = 0.001;
constexpr double kGrowth = 1.02;
constexpr int kBuckets = 1200;  // 0.001 ms * 1.02^1200 is about 2e7 ms

}  // namespace

int DurationSketch::Bucket(double ms) {
  if (!(ms > kSmallestMs)) return 0;
  int b = static_cast<int>(std::ceil(std::log(ms / kSmallestMs) / std::log(kGrowth)));
  return std::clamp(b, 0, kBuckets - 1);
}

void DurationSketch::Add(double ms) {
  if (!(ms > 0)) ms = 0;
  if (buckets_.empty()) buckets_.assign(kBuckets, 0);
  ++buckets_[static_cast<size_t>(Bucket(ms))];
  if (count_ == 0 || ms < min_ms_) min_ms_ = ms;
  if (count_ == 0 || ms > max_ms_) max_ms_ = ms;
  ++count_;
}

void DurationSketch::Merge(const DurationSketch& other) {
  if (other.count_ == 0) return;
  if (buckets_.empty()) buckets_.assign(kBuckets, 0);
  for (size_t i = 0; i < buckets_.size(); ++i) buckets_[i] += other.buckets_[i];
  if (count_ == 0 || other.min_ms_ < min_ms_) min_ms_ = other.min_ms_;
  if (count_ == 0 || other.max_ms_ > max_ms_) max_ms_ = other.max_ms_;
  count_ += other.count_;
}

double DurationSketch::Quantile(double q) const {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  int64_t rank =
      std::max<int64_t>(1, static_cast<int64_t>(std::ceil(q * static_cast<double>(count_))));
  if (rank >= count_) return max_ms_;
  int64_t seen = 0;
  for (size_t i = 0; i < buckets_.size(); ++i) {
    seen += buckets_[i];
    if (seen >= rank) {
      // Bucket i holds (smallest * growth^(i-1), smallest * growth^i]; its middle in log
      // scale is within 1% of every value in it.
      double value = i == 0 ? 0 : kSmallestMs * std::pow(kGrowth, static_cast<double>(i) - 0.5);
      return std::clamp(value, min_ms_, max_ms_);
    }
  }
  return max_ms_;
}

}  // namespace dbarch::workload
