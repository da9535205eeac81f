#include "logs/leaf_index.hpp"

#include <algorithm>

namespace tessera::logs {

LeafIndex::LeafIndex(const Templates& templates, std::string_view wildcard)
    : templates_(templates), wildcard_(wildcard) {}

void LeafIndex::add(std::uint32_t cluster) {
  const auto& t = templates_[cluster];
  if (at_.size() < t.size()) at_.resize(t.size());
  for (std::size_t p = 0; p < t.size(); ++p) {
    if (t[p] == wildcard_) continue;
    // The key views the first member's token; remove() moves it when that one goes.
    Posting& posting = at_[p][std::string_view(t[p])];
    if (posting.many) {
      posting.many->push_back(cluster);
    } else if (posting.single == Posting::kNone) {
      posting.single = cluster;
    } else {
      posting.many = std::make_unique<std::vector<std::uint32_t>>(
          std::initializer_list<std::uint32_t>{posting.single, cluster});
      posting.single = Posting::kNone;
    }
  }
}

void LeafIndex::remove(std::uint32_t cluster, std::size_t position) {
  const std::string& token = templates_[cluster][position];
  Map& map = at_[position];
  auto it = map.find(std::string_view(token));
  if (it == map.end()) return;
  Posting& posting = it->second;
  if (!posting.many) {
    if (posting.single == cluster) map.erase(it);
    return;
  }
  auto& list = *posting.many;
  const auto found = std::lower_bound(list.begin(), list.end(), cluster);
  if (found == list.end() || *found != cluster) return;
  list.erase(found);
  const std::uint32_t keeper = list.front();
  if (list.size() == 1) {
    posting.single = keeper;
    posting.many.reset();
  }
  // The key must not view the token about to change: view a remaining member's instead.
  if (it->first.data() == token.data()) {
    auto node = map.extract(it);
    node.key() = std::string_view(templates_[keeper][position]);
    map.insert(std::move(node));
  }
}

void LeafIndex::candidates(std::span<const std::string_view> tokens, std::size_t leaf_size,
                           std::vector<std::uint32_t>& out, std::size_t& shared_by_all) const {
  out.clear();
  shared_by_all = 0;
  for (std::size_t p = 0; p < tokens.size() && p < at_.size(); ++p) {
    const auto it = at_[p].find(tokens[p]);
    if (it == at_[p].end()) continue;
    const Posting& posting = it->second;
    if (posting.size() == leaf_size) {
      ++shared_by_all;
    } else if (posting.many) {
      out.insert(out.end(), posting.many->begin(), posting.many->end());
    } else {
      out.push_back(posting.single);
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
}

}  // namespace tessera::logs
