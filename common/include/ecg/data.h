#pragma once
// Where MIT-BIH lives and which records a named set means.
#include <string>
#include <vector>

namespace ecg {

// --data DIR, else $ECG_SIM_DATA, else data/mitdb, else ../shared/mitdb (relative to the
// working directory, then to the executable's source tree). Throws InputError if none exists.
std::string resolve_data_dir(const std::string& cli_value);

// "all" (48 records), "ds1", "ds2" (de Chazal 2004, paced 102 104 107 217 excluded), "paced",
// "afib" (records with AFIB episodes), or a comma-separated list "100,101".
// Unknown names or records not present in `data_dir` raise InputError; `flag` is the
// option the messages blame (inspect's is --record).
std::vector<std::string> resolve_records(const std::string& spec, const std::string& data_dir,
                                         const std::string& flag = "--records");

std::vector<std::string> record_set(const std::string& name);  // empty if not a named set
}  // namespace ecg
