#pragma once
// The run report of schema/report.schema.json (in this repository), built in one place for every
// mode. make_report() fills every required key: what the network and the metrics know
// (classes, accuracy, confusion, per_class, hardware.weight_storage_bytes/ops_per_beat);
// hardware numbers that only a timed backend knows (clock_mhz, latency_cycles, latency_us,
// throughput_fps) are null until set_latency() or a backend's fill_report() provides them.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ecg/metrics.h"
#include "ecg/qnet.h"

namespace ecg {

nlohmann::json make_report(const Network& net, const std::string& mode, const std::vector<std::string>& records,
                           const std::string& split, const Metrics& metrics);

// hardware.clock_mhz, latency_cycles and latency_us {min, mean, max} from per-beat cycles.
void set_latency(nlohmann::json& report, const std::vector<std::uint64_t>& cycles, double clock_mhz);

// sim.wall_s and sim.beats_per_s.
void set_sim_timing(nlohmann::json& report, double wall_s, std::size_t beats);

// Fails early, before a long run, when `path` cannot be written (its folder is missing or
// not writable, or it is a folder): InputError "<flag> <path>: <problem>".
void check_output_path(const std::string& path, const std::string& flag);

// (Writing is ecg::write_file_atomic of common/include/ecg/npy.h: temp file + rename.)

// Checks `doc` against the subset of JSON Schema that report.schema.json uses (type,
// required, properties, additionalProperties, items, enum, minimum, maximum) and returns one
// line per problem ("hardware.clock_mhz: null, expected number"); empty when it conforms.
// Hand-written because Debian packages no C++ JSON Schema validator; tests of every mode use it.
std::vector<std::string> schema_problems(const nlohmann::json& doc, const nlohmann::json& schema);

}  // namespace ecg
