#pragma once
// Test helper: number of value changes per signal name in a VCD file (names without scope).
#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace ecg::rtl {

inline std::map<std::string, int> vcd_changes(const std::string& path) {
  std::ifstream in(path);
  std::map<std::string, std::string> id_to_name;
  std::map<std::string, int> changes;
  std::string line;
  bool body = false;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string tok;
    ls >> tok;
    if (tok == "$var") {
      std::string type, width, id, name;
      ls >> type >> width >> id >> name;
      id_to_name[id] = name;
    } else if (tok == "$enddefinitions") {
      body = true;
    } else if (body && !tok.empty() && tok[0] != '#' && tok[0] != '$') {
      std::string id;
      if (tok[0] == 'b') {
        ls >> id;
      } else {
        id = tok.substr(1);
      }
      auto it = id_to_name.find(id);
      if (it != id_to_name.end()) ++changes[it->second];
    }
  }
  return changes;
}


}  // namespace ecg::rtl
