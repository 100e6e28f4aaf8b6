// The report format is the project's own file, schema/report.schema.json. Where the project
// folder also holds a shared copy of the format (shared/schema/report.schema.json beside this
// checkout), this test checks that ours accepts every key the shared one defines, so the two
// cannot drift apart. CMake registers it only when that file exists (a user's clone has none).
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

using nlohmann::json;

namespace {

json load(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open");
  std::stringstream ss;
  ss << in.rdbuf();
  return json::parse(ss.str());
}

std::set<std::string> types(const json& s) {
  std::set<std::string> out;
  if (auto t = s.find("type"); t != s.end()) {
    if (t->is_string()) out.insert(t->get<std::string>());
    for (const auto& alt : t->is_array() ? *t : json::array()) out.insert(alt.get<std::string>());
  }
  return out;
}

// Problems that would make `ours` reject a value `theirs` accepts, at every level that
// `theirs` describes: a key it defines that ours lacks, a type or enum value ours does not
// allow, a key ours requires that it does not, a tighter minimum/maximum.
void compare(const json& theirs, const json& ours, const std::string& path, std::vector<std::string>& out) {
  const std::string where = path.empty() ? "(top level)" : path;
  const auto t_types = types(theirs), o_types = types(ours);
  if (!o_types.empty()) {
    for (const auto& t : t_types)
      if (!o_types.count(t) && !(t == "integer" && o_types.count("number")))
        out.push_back(where + ": type " + t + " not accepted");
    if (t_types.empty()) out.push_back(where + ": ours restricts the type, the shared schema does not");
  }
  if (auto oe = ours.find("enum"); oe != ours.end()) {
    if (!theirs.contains("enum")) out.push_back(where + ": ours has an enum, the shared schema does not");
    for (const auto& v : theirs.value("enum", json::array()))
      if (std::find(oe->begin(), oe->end(), v) == oe->end()) out.push_back(where + ": enum value " + v.dump() + " missing");
  }
  for (const char* bound : {"minimum", "maximum"})
    if (ours.contains(bound) && ours[bound] != theirs.value(bound, json()))
      out.push_back(where + ": " + bound + " differs");
  const auto t_req = theirs.value("required", json::array());
  for (const auto& k : ours.value("required", json::array()))
    if (std::find(t_req.begin(), t_req.end(), k) == t_req.end())
      out.push_back(where + ": ours requires " + k.dump() + ", the shared schema does not");
  const json t_props = theirs.value("properties", json::object()), o_props = ours.value("properties", json::object());
  for (auto it = t_props.begin(); it != t_props.end(); ++it) {
    const std::string sub = path.empty() ? it.key() : path + "." + it.key();
    if (!o_props.contains(it.key()))
      out.push_back(sub + ": defined by the shared schema, missing from ours");
    else
      compare(it.value(), o_props[it.key()], sub, out);
  }
  for (const char* child : {"items", "additionalProperties"})
    if (theirs.contains(child) && theirs[child].is_object()) {
      if (!ours.contains(child) || !ours[child].is_object())
        out.push_back(where + "." + child + ": missing from ours");
      else
        compare(theirs[child], ours[child], where + "." + child, out);
    }
}

TEST(ReportSchema, AcceptsEveryKeyOfTheSharedSchema) {
  const json ours = load(ECG_REPORT_SCHEMA), theirs = load(ECG_SHARED_REPORT_SCHEMA);
  std::vector<std::string> problems;
  compare(theirs, ours, "", problems);
  for (const auto& p : problems) ADD_FAILURE() << ECG_REPORT_SCHEMA << ": " << p;
}

TEST(ReportSchema, DriftCheckCatchesAMissingKeyAndANarrowedType) {
  const json theirs = load(ECG_SHARED_REPORT_SCHEMA);
  json ours = theirs;
  ours["properties"]["hardware"]["properties"].erase("gops_per_w");
  ours["properties"]["beats"]["type"] = "string";
  ours["properties"]["mode"]["enum"].erase(ours["properties"]["mode"]["enum"].begin());
  ours["required"].push_back("extra");
  std::vector<std::string> problems;
  compare(theirs, ours, "", problems);
  EXPECT_EQ(problems, (std::vector<std::string>{"(top level): ours requires \"extra\", the shared schema does not",
                                                "beats: type integer not accepted",
                                                "hardware.gops_per_w: defined by the shared schema, missing from ours",
                                                "mode: enum value \"golden\" missing"}));
}

}  // namespace
