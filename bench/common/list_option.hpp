#pragma once
// The benchmark programs' comma-separated list options ("--n 4096,8192").

#include <sstream>
#include <string>
#include <vector>

namespace tessera::bench {

// The non-empty items of a comma-separated list.
inline std::vector<std::string> split_list(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream in(list);
  for (std::string item; std::getline(in, item, ',');) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

}  // namespace tessera::bench
