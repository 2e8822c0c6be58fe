#pragma once
#include <iosfwd>
#include <string>

#include "clients/metric_schema.hpp"

namespace pushbench {

// The result object: the fields of result_schema(), in its order.
void write_result_json(std::ostream& out, const RunResult& result);

// The human summary for stderr.
void write_summary(std::ostream& out, const RunResult& result);

}  // namespace pushbench
