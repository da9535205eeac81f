#pragma once
// An inverted index over the templates of one Drain leaf (templates of one length): per
// token position, which clusters have which token there. Drain compares a line with every
// template of its leaf; on logs where some message never reaches the similarity threshold
// (BGL's register dumps, each value fresh), a leaf collects many thousands of templates and
// that scan dominates. With the index, a line costs one lookup per token: the clusters it
// shares a token with at a position that not every cluster shares are the only candidates,
// and every other cluster's similarity is the count of positions that all clusters share.
// Internal to the Drain implementation.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace tessera::logs {

class LeafIndex {
 public:
  using Templates = std::vector<std::vector<std::string>>;

  // `templates` is the Drain's (the index keeps views of their tokens), `wildcard` its "<*>".
  LeafIndex(const Templates& templates, std::string_view wildcard);

  // Indexes the non-wildcard tokens of a cluster (its id above every indexed one).
  void add(std::uint32_t cluster);
  // Forgets the token of `cluster` at `position`: call before that token changes.
  void remove(std::uint32_t cluster, std::size_t position);

  // The clusters (of `leaf_size`) that have one of the line's tokens at its position where
  // some other cluster does not, ascending, and the number of positions at which every
  // cluster has the line's token.
  void candidates(std::span<const std::string_view> tokens, std::size_t leaf_size,
                  std::vector<std::uint32_t>& out, std::size_t& shared_by_all) const;

 private:
  // The clusters with one token at one position: one inline, more in a sorted list.
  struct Posting {
    static constexpr std::uint32_t kNone = UINT32_MAX;
    std::uint32_t single = kNone;
    std::unique_ptr<std::vector<std::uint32_t>> many;
    std::size_t size() const { return many ? many->size() : (single == kNone ? 0 : 1); }
  };
  using Map = std::unordered_map<std::string_view, Posting>;
  const Templates& templates_;
  std::string_view wildcard_;
  std::vector<Map> at_;  // per position
};

}  // namespace tessera::logs
