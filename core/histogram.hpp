#pragma once
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace pushbench {

// A latency histogram with HdrHistogram's bucket layout: 3 significant digits from 1 µs to 1 h
// (values in nanoseconds), constant-time record, exact merge of histograms with the same layout.
class Histogram {
 public:
  static constexpr std::int64_t lowest_discernible = 1000;              // 1 µs
  static constexpr std::int64_t highest_trackable = 3'600'000'000'000;  // 1 h
  static constexpr int significant_digits = 3;

  Histogram();

  // Values above the range are clamped to its top and counted in `saturated()`.
  void record(std::int64_t value_ns);
  void merge(const Histogram& other);

  std::uint64_t count() const { return total_; }
  std::int64_t min() const { return total_ ? min_ : 0; }
  std::int64_t max() const { return max_; }
  double mean() const;
  double stddev() const;
  std::uint64_t saturated() const { return saturated_; }
  // The value at `percentile` (0..100), as HdrHistogram reports it: the highest value that is
  // equivalent, at this precision, to the recorded one.
  std::int64_t value_at_percentile(double percentile) const;

  // {"lowest":..,"highest":..,"significant_digits":3,"total":..,"min":..,"max":..,"counts":[[i,c],..]}
  // Sparse bucket counts, so runs from many threads and processes can be merged later.
  std::string to_json() const;
  static Histogram from_json(const std::string& text);  // throws std::invalid_argument

  // HdrHistogram's percentile-distribution text (Value, Percentile, TotalCount, 1/(1-Percentile)
  // and the #[Mean ...] footer), values divided by `unit_ratio` (1e6: milliseconds).
  void write_percentiles(std::ostream& out, double unit_ratio, int ticks_per_half_distance = 5) const;

  // The layout, for tests: bucket index of a value and the range of values it stands for.
  std::size_t index_of(std::int64_t value) const;
  std::int64_t lowest_equivalent(std::int64_t value) const;
  std::int64_t highest_equivalent(std::int64_t value) const;

 private:
  std::int64_t value_from_index(std::size_t index) const;
  std::int64_t median_equivalent(std::int64_t value) const;

  int unit_magnitude_;
  int sub_bucket_half_count_magnitude_;
  std::int64_t sub_bucket_count_;
  std::int64_t sub_bucket_half_count_;
  std::int64_t sub_bucket_mask_;
  int bucket_count_;
  std::vector<std::uint64_t> counts_;
  std::uint64_t total_ = 0;
  std::uint64_t saturated_ = 0;
  std::int64_t min_ = INT64_MAX;
  std::int64_t max_ = 0;
};

}  // namespace pushbench
