#include "core/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <ostream>
#include <sstream>
#include <stdexcept>

namespace pushbench {

Histogram::Histogram() {
  // HdrHistogram's layout (hdr_calculate_bucket_config): enough sub-buckets for 3 digits, doubling
  // buckets above them until the highest trackable value fits.
  const auto largest_single_unit = static_cast<std::int64_t>(2 * std::pow(10, significant_digits));
  const int sub_bucket_count_magnitude =
      static_cast<int>(std::ceil(std::log2(static_cast<double>(largest_single_unit))));
  sub_bucket_half_count_magnitude_ = std::max(sub_bucket_count_magnitude, 1) - 1;
  unit_magnitude_ = static_cast<int>(std::floor(std::log2(static_cast<double>(lowest_discernible))));
  sub_bucket_count_ = std::int64_t{1} << (sub_bucket_half_count_magnitude_ + 1);
  sub_bucket_half_count_ = sub_bucket_count_ / 2;
  sub_bucket_mask_ = (sub_bucket_count_ - 1) << unit_magnitude_;
  std::int64_t smallest_untrackable = sub_bucket_count_ << unit_magnitude_;
  bucket_count_ = 1;
  while (smallest_untrackable <= highest_trackable) {
    smallest_untrackable <<= 1;
    ++bucket_count_;
  }
  counts_.assign(static_cast<std::size_t>((bucket_count_ + 1) * sub_bucket_half_count_), 0);
}

std::size_t Histogram::index_of(std::int64_t value) const {
  const int pow2_ceiling = 64 - std::countl_zero(static_cast<std::uint64_t>(value | sub_bucket_mask_));
  const int bucket = pow2_ceiling - unit_magnitude_ - (sub_bucket_half_count_magnitude_ + 1);
  const std::int64_t sub_bucket = value >> (bucket + unit_magnitude_);
  return static_cast<std::size_t>(((bucket + 1) << sub_bucket_half_count_magnitude_) +
                                  (sub_bucket - sub_bucket_half_count_));
}

std::int64_t Histogram::value_from_index(std::size_t index) const {
  int bucket = static_cast<int>(index >> sub_bucket_half_count_magnitude_) - 1;
  std::int64_t sub_bucket = static_cast<std::int64_t>(index & (sub_bucket_half_count_ - 1)) + sub_bucket_half_count_;
  if (bucket < 0) {
    sub_bucket -= sub_bucket_half_count_;
    bucket = 0;
  }
  return sub_bucket << (bucket + unit_magnitude_);
}

std::int64_t Histogram::lowest_equivalent(std::int64_t value) const { return value_from_index(index_of(value)); }

std::int64_t Histogram::highest_equivalent(std::int64_t value) const {
  const std::size_t index = index_of(value);
  const int bucket = std::max(static_cast<int>(index >> sub_bucket_half_count_magnitude_) - 1, 0);
  return value_from_index(index) + (std::int64_t{1} << (bucket + unit_magnitude_)) - 1;
}

std::int64_t Histogram::median_equivalent(std::int64_t value) const {
  return (lowest_equivalent(value) + highest_equivalent(value) + 1) / 2;
}

void Histogram::record(std::int64_t value_ns) {
  if (value_ns < 0) value_ns = 0;
  if (value_ns > highest_trackable) {
    value_ns = highest_trackable;
    ++saturated_;
  }
  ++counts_[index_of(value_ns)];
  ++total_;
  min_ = std::min(min_, value_ns);
  max_ = std::max(max_, value_ns);
}

void Histogram::merge(const Histogram& other) {
  for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  total_ += other.total_;
  saturated_ += other.saturated_;
  if (other.total_) {
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
  }
}

double Histogram::mean() const {
  if (!total_) return 0;
  double sum = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    if (counts_[i])
      sum += static_cast<double>(counts_[i]) * static_cast<double>(median_equivalent(value_from_index(i)));
  }
  return sum / static_cast<double>(total_);
}

double Histogram::stddev() const {
  if (!total_) return 0;
  const double m = mean();
  double sum = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    if (!counts_[i]) continue;
    const double d = static_cast<double>(median_equivalent(value_from_index(i))) - m;
    sum += d * d * static_cast<double>(counts_[i]);
  }
  return std::sqrt(sum / static_cast<double>(total_));
}

std::int64_t Histogram::value_at_percentile(double percentile) const {
  if (!total_) return 0;
  const double p = std::clamp(percentile, 0.0, 100.0);
  const auto wanted =
      std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(p / 100.0 * static_cast<double>(total_))));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= wanted) return std::min(highest_equivalent(value_from_index(i)), max_);
  }
  return max_;
}

std::string Histogram::to_json() const {
  std::ostringstream out;
  out << "{\"lowest\":" << lowest_discernible << ",\"highest\":" << highest_trackable
      << ",\"significant_digits\":" << significant_digits << ",\"unit\":\"ns\",\"total\":" << total_
      << ",\"min\":" << min() << ",\"max\":" << max_ << ",\"saturated\":" << saturated_ << ",\"counts\":[";
  bool first = true;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    if (!counts_[i]) continue;
    out << (first ? "" : ",") << "[" << i << "," << counts_[i] << "]";
    first = false;
  }
  out << "]}";
  return out.str();
}

Histogram Histogram::from_json(const std::string& text) {
  // Reads back what to_json wrote; the layout fields must match this build's.
  const auto number_after = [&](const std::string& key) {
    const auto at = text.find("\"" + key + "\":");
    if (at == std::string::npos) throw std::invalid_argument("histogram JSON has no '" + key + "'");
    return std::stoll(text.substr(at + key.size() + 3));
  };
  if (number_after("lowest") != lowest_discernible || number_after("highest") != highest_trackable ||
      number_after("significant_digits") != significant_digits) {
    throw std::invalid_argument("histogram JSON has another layout");
  }
  Histogram h;
  h.total_ = static_cast<std::uint64_t>(number_after("total"));
  h.min_ = h.total_ ? number_after("min") : INT64_MAX;
  h.max_ = number_after("max");
  h.saturated_ = static_cast<std::uint64_t>(number_after("saturated"));
  std::size_t at = text.find("\"counts\":[");
  if (at == std::string::npos) throw std::invalid_argument("histogram JSON has no 'counts'");
  at += 10;
  std::uint64_t sum = 0;
  while ((at = text.find('[', at)) != std::string::npos) {
    std::size_t index = 0;
    std::uint64_t count = 0;
    if (std::sscanf(text.c_str() + at, "[%zu,%lu]", &index, &count) != 2 || index >= h.counts_.size()) {
      throw std::invalid_argument("histogram JSON has a bad count pair");
    }
    h.counts_[index] = count;
    sum += count;
    ++at;
  }
  if (sum != h.total_) throw std::invalid_argument("histogram JSON counts do not add up to its total");
  return h;
}

void Histogram::write_percentiles(std::ostream& out, double unit_ratio, int ticks_per_half_distance) const {
  char line[160];
  std::snprintf(line, sizeof line, "%12s %14s %10s %14s\n\n", "Value", "Percentile", "TotalCount", "1/(1-Percentile)");
  out << line;
  // HdrHistogram's percentile iterator: ever finer steps towards 100%, ending exactly there.
  std::uint64_t seen = 0;
  double next_percentile = 0;
  for (std::size_t i = 0; i < counts_.size() && total_; ++i) {
    if (!counts_[i]) continue;
    seen += counts_[i];
    const double reached = 100.0 * static_cast<double>(seen) / static_cast<double>(total_);
    while (next_percentile <= reached) {
      const double value = static_cast<double>(highest_equivalent(value_from_index(i))) / unit_ratio;
      const double fraction = next_percentile / 100.0;
      std::snprintf(line, sizeof line, "%12.3f %2.12f %10lu %14.2f\n", value, fraction,
                    static_cast<unsigned long>(seen), 1.0 / (1.0 - fraction));
      out << line;
      if (seen == total_) {  // like HdrHistogram: one tick in the last bucket, then 100% itself
        std::snprintf(line, sizeof line, "%12.3f %2.12f %10lu\n", value, 1.0, static_cast<unsigned long>(seen));
        out << line;
        break;
      }
      const double half_distance = std::pow(2, std::floor(std::log2(100.0 / (100.0 - next_percentile))) + 1);
      next_percentile += 100.0 / (ticks_per_half_distance * half_distance);
    }
  }
  std::snprintf(line, sizeof line, "#[Mean    = %12.3f, StdDeviation   = %12.3f]\n", mean() / unit_ratio,
                stddev() / unit_ratio);
  out << line;
  std::snprintf(line, sizeof line, "#[Max     = %12.3f, Total count    = %12lu]\n",
                static_cast<double>(max_) / unit_ratio, static_cast<unsigned long>(total_));
  out << line;
  std::snprintf(line, sizeof line, "#[Buckets = %12d, SubBuckets     = %12ld]\n", bucket_count_,
                static_cast<long>(sub_bucket_count_));
  out << line;
}

}  // namespace pushbench
