// Random: deterministic pseudo-random numbers for data generation. Rng is xoshiro256**
// seeded through splitmix64, so a (seed, stream) pair always gives the same sequence on every
// platform; each table and column gets its own stream, so adding a column does not change
// the values of the others. Not thread-safe (one Rng per thread).
#pragma once

#include <cmath>
#include <cstdint>
#include <string_view>
#include <vector>

namespace dbarch::datagen {

inline uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// A stable 64-bit hash of a name (FNV-1a), for deriving per-table/column streams.
inline uint64_t StreamId(std::string_view name) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : name) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

class Rng {
 public:
  Rng(uint64_t seed, uint64_t stream) {
    uint64_t s = seed ^ (stream * 0x9e3779b97f4a7c15ULL);
    for (uint64_t& w : state_) w = SplitMix64(s);
  }

  uint64_t Next() {
    uint64_t result = Rotl(state_[1] * 5, 7) * 9;
    uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = Rotl(state_[3], 45);
    return result;
  }

  // Uniform in [0, 1).
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  // Uniform integer in [lo, hi] (requires lo <= hi).
  int64_t Between(int64_t lo, int64_t hi) {
    uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo) + 1;
    if (span == 0) return static_cast<int64_t>(Next());  // the whole 64-bit range
    return lo + static_cast<int64_t>(Next() % span);
  }
  bool Chance(double p) { return Uniform() < p; }
  // Standard normal (Box-Muller; one value per call, simplicity over speed).
  double Normal() {
    double u1 = Uniform();
    double u2 = Uniform();
    if (u1 < 1e-300) u1 = 1e-300;
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t state_[4];
};

// Zipf-distributed ranks in [0, n): rank k has probability proportional to 1 / (k+1)^s.
// Sampling by inverting the cumulative distribution of the continuous approximation (no
// table of n entries), so it works for n in the billions. s > 0, s != 1 handled; s == 1
// uses the logarithmic form.
class Zipf {
 public:
  Zipf(uint64_t n, double s) : n_(n == 0 ? 1 : n), s_(s) {
    if (std::fabs(s_ - 1.0) < 1e-9) {
      h_n_ = std::log(static_cast<double>(n_) + 1.0);
    } else {
      h_n_ = (std::pow(static_cast<double>(n_) + 1.0, 1.0 - s_) - 1.0) / (1.0 - s_);
    }
  }
  uint64_t Sample(Rng& rng) const {
    double u = rng.Uniform() * h_n_;
    double x;
    if (std::fabs(s_ - 1.0) < 1e-9) {
      x = std::exp(u) - 1.0;
    } else {
      x = std::pow(u * (1.0 - s_) + 1.0, 1.0 / (1.0 - s_)) - 1.0;
    }
    auto k = static_cast<uint64_t>(x);
    return k >= n_ ? n_ - 1 : k;
  }

 private:
  uint64_t n_;
  double s_;
  double h_n_;
};

// A bijection of [0, n) (a keyed permutation): i -> Permute(i) visits every value once, in
// an order that looks random. Cycle-walking over a 4-round Feistel network on the next
// power of two. Used for unique values that must not look sequential.
class Permutation {
 public:
  Permutation(uint64_t n, uint64_t key) : n_(n == 0 ? 1 : n) {
    int bits = 2;
    while ((uint64_t{1} << bits) < n_) ++bits;
    if (bits % 2) ++bits;
    half_ = bits / 2;
    mask_ = (uint64_t{1} << half_) - 1;
    uint64_t s = key;
    for (uint64_t& k : keys_) k = SplitMix64(s);
  }
  uint64_t operator()(uint64_t i) const {
    uint64_t x = i;
    do {
      x = Round(x);
    } while (x >= n_);
    return x;
  }

 private:
  uint64_t Round(uint64_t x) const {
    uint64_t l = x >> half_;
    uint64_t r = x & mask_;
    for (uint64_t k : keys_) {
      uint64_t f = (r * 0x9e3779b97f4a7c15ULL ^ k) >> 17;
      uint64_t nl = r;
      r = (l ^ f) & mask_;
      l = nl;
    }
    return (l << half_) | r;
  }
  uint64_t n_;
  int half_ = 1;
  uint64_t mask_ = 1;
  uint64_t keys_[4];
};

}  // namespace dbarch::datagen
