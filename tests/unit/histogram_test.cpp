#include "core/histogram.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <sstream>

namespace pushbench {
namespace {

// 3 significant digits: a reported value is within 1/1000 (plus the 1 µs floor) of the exact one.
void expect_within_precision(std::int64_t reported, std::int64_t exact) {
  const double tolerance = std::max(static_cast<double>(exact) * 1e-3, 1024.0);
  EXPECT_NEAR(static_cast<double>(reported), static_cast<double>(exact), tolerance) << "exact " << exact;
}

std::int64_t exact_percentile(std::vector<std::int64_t> values, double p) {
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(values.size())));
  return values[std::max<std::size_t>(rank, 1) - 1];
}

TEST(Histogram, LayoutMatchesHdrHistogram) {
  Histogram h;
  // 1 µs lowest, 3 digits: 2048 sub-buckets of 512 ns at the bottom.
  EXPECT_EQ(h.index_of(0), 0u);
  EXPECT_EQ(h.lowest_equivalent(1000), 512u);
  EXPECT_EQ(h.highest_equivalent(1000), 1023);
  EXPECT_EQ(h.lowest_equivalent(1'000'000), 999'936);  // still in the first bucket: 512 ns steps
  EXPECT_EQ(h.highest_equivalent(1'000'000), 1'000'447);
  for (std::int64_t v : {1'000LL, 123'456LL, 10'000'000LL, 3'599'999'999'999LL}) {
    EXPECT_LE(h.lowest_equivalent(v), v);
    EXPECT_GE(h.highest_equivalent(v), v);
    EXPECT_LE(static_cast<double>(h.highest_equivalent(v) - h.lowest_equivalent(v)), std::max(v / 1000.0, 1024.0));
  }
}

TEST(Histogram, PercentilesMatchExactPercentilesOfRandomSamples) {
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> latency(std::log(2e6), 1.5);  // ~2 ms median, long tail
  std::vector<std::int64_t> values;
  Histogram h;
  for (int i = 0; i < 200000; ++i) {
    const auto v =
        std::clamp<std::int64_t>(static_cast<std::int64_t>(latency(rng)), 1000, Histogram::highest_trackable);
    values.push_back(v);
    h.record(v);
  }
  EXPECT_EQ(h.count(), values.size());
  for (double p : {0.0, 1.0, 50.0, 90.0, 99.0, 99.9, 99.99, 100.0}) {
    expect_within_precision(h.value_at_percentile(p), exact_percentile(values, p));
  }
  EXPECT_EQ(h.min(), *std::min_element(values.begin(), values.end()));
  EXPECT_EQ(h.max(), *std::max_element(values.begin(), values.end()));
  double sum = 0;
  for (auto v : values) sum += static_cast<double>(v);
  EXPECT_NEAR(h.mean(), sum / static_cast<double>(values.size()), sum / static_cast<double>(values.size()) * 1e-3);
}

TEST(Histogram, MergeEqualsRecordingEverythingInOne) {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<std::int64_t> dist(1000, 5'000'000'000);
  Histogram all, a, b, c;
  for (int i = 0; i < 30000; ++i) {
    const auto v = dist(rng);
    all.record(v);
    (i % 3 == 0 ? a : i % 3 == 1 ? b : c).record(v);
  }
  a.merge(b);
  a.merge(c);
  EXPECT_EQ(a.to_json(), all.to_json());
  for (double p : {50.0, 99.0, 99.9}) EXPECT_EQ(a.value_at_percentile(p), all.value_at_percentile(p));
}

TEST(Histogram, JsonRoundTripAllowsMergingAcrossProcesses) {
  Histogram h;
  for (std::int64_t v = 1000; v < 100'000'000; v = v * 3 / 2) h.record(v);
  const Histogram back = Histogram::from_json(h.to_json());
  EXPECT_EQ(back.to_json(), h.to_json());
  EXPECT_THROW(Histogram::from_json("{}"), std::invalid_argument);
  std::string tampered = h.to_json();
  tampered.replace(tampered.find("\"total\":") + 8, 1, "9");
  EXPECT_THROW(Histogram::from_json(tampered), std::invalid_argument);
}

TEST(Histogram, OutOfRangeValuesAreClampedAndCounted) {
  Histogram h;
  h.record(-5);
  h.record(Histogram::highest_trackable * 2);
  EXPECT_EQ(h.count(), 2u);
  EXPECT_EQ(h.saturated(), 1u);
  EXPECT_EQ(h.max(), Histogram::highest_trackable);
}

TEST(Histogram, PercentileDistributionTextHasHdrHistogramColumnsAndFooter) {
  Histogram h;
  for (int i = 1; i <= 1000; ++i) h.record(i * 1000000LL);
  std::ostringstream out;
  h.write_percentiles(out, 1e6);
  const std::string text = out.str();
  EXPECT_EQ(text.find("       Value     Percentile TotalCount 1/(1-Percentile)\n\n"), 0u) << text.substr(0, 80);
  EXPECT_NE(text.find("#[Mean    =      500.500, StdDeviation   ="), std::string::npos);
  EXPECT_NE(text.find("#[Max     =     1000.000, Total count    =         1000]"), std::string::npos);
  EXPECT_NE(text.find("#[Buckets ="), std::string::npos);
  EXPECT_NE(text.find("1.000000000000       1000\n"), std::string::npos) << "ends at 100%";
  EXPECT_NE(text.find("0.500000000000"), std::string::npos);
}

}  // namespace
}  // namespace pushbench
