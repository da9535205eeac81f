#include "logs/slot_reader.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <xgboost/c_api.h>
#include <nlohmann/json.hpp>

#include <tessera/error.hpp>

#include "logs/answer_candidates.hpp"
#include "logs/qa_data.hpp"

namespace tessera::logs {
namespace {

constexpr const char* kFormatName = "tessera-logqa-slot-reader";

void check(int status, const char* what) {
  if (status != 0) throw Error(std::string("XGBoost: ") + what + ": " + XGBGetLastError());
}

struct Matrix {
  DMatrixHandle handle = nullptr;
  ~Matrix() {
    if (handle != nullptr) XGDMatrixFree(handle);
  }
};

void append_rows(const std::vector<FeatureVector>& rows, std::vector<std::size_t>& indptr,
                 std::vector<unsigned>& indices, std::vector<float>& values) {
  for (const auto& row : rows) {
    for (const auto& [i, v] : row) {
      indices.push_back(i);
      values.push_back(v);
    }
    indptr.push_back(indices.size());
  }
}

void make_matrix(Matrix& m, const std::vector<std::size_t>& indptr,
                 const std::vector<unsigned>& indices, const std::vector<float>& values) {
  check(XGDMatrixCreateFromCSREx(indptr.data(), indices.data(), values.data(), indptr.size(),
                                 values.size(), kDenseFeatures + kHashBuckets, &m.handle),
        "cannot build the feature matrix");
}

}  // namespace

struct SlotReader::Impl {
  BoosterHandle booster = nullptr;
  SlotReaderOptions options;
  ~Impl() {
    if (booster != nullptr) XGBoosterFree(booster);
  }
};

SlotReader::SlotReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SlotReader::SlotReader(SlotReader&&) noexcept = default;
SlotReader& SlotReader::operator=(SlotReader&&) noexcept = default;
SlotReader::~SlotReader() = default;
const SlotReaderOptions& SlotReader::options() const {
  return impl_->options;
}

SlotReader SlotReader::train(const std::vector<ReadingExample>& examples,
                             const SlotReaderOptions& options, std::size_t* usable) {
  if (options.rounds < 1 || options.depth < 1 || !(options.eta > 0 && options.eta <= 1)) {
    throw InvalidArgument("slot reader: rounds and depth must be >= 1 and eta in (0, 1]");
  }
  std::vector<std::size_t> indptr{0};
  std::vector<unsigned> indices;
  std::vector<float> values, labels;
  std::vector<unsigned> groups;
  for (const auto& ex : examples) {
    const auto units = answer_units(ex.content, ex.event);
    const auto candidates = answer_candidates(ex.content, units);
    std::vector<float> y;
    bool any = false;
    for (const auto& c : candidates) {
      y.push_back(exact_match(c.text, ex.answer) ? 1.0f : 0.0f);
      any = any || y.back() > 0;
    }
    if (!any) continue;
    append_rows(candidate_features(ex.question, ex.content, units, candidates), indptr, indices,
                values);
    labels.insert(labels.end(), y.begin(), y.end());
    groups.push_back(static_cast<unsigned>(candidates.size()));
  }
  if (usable != nullptr) *usable = groups.size();
  if (groups.empty())
    throw InvalidArgument(
        "slot reader: no training example has its answer among its line's candidates");
  Matrix m;
  make_matrix(m, indptr, indices, values);
  check(XGDMatrixSetFloatInfo(m.handle, "label", labels.data(), labels.size()), "labels");
  check(XGDMatrixSetUIntInfo(m.handle, "group", groups.data(), groups.size()), "groups");
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  check(XGBoosterCreate(&m.handle, 1, &impl->booster), "cannot create a booster");
  const std::pair<const char*, std::string> params[] = {
      {"objective", "rank:pairwise"},
      {"eta", std::to_string(options.eta)},
      {"max_depth", std::to_string(options.depth)},
      {"tree_method", "exact"},
      {"nthread", "1"},  // the same trees on any machine
      {"seed", std::to_string(options.seed)},
      {"verbosity", "0"}};
  for (const auto& [key, value] : params)
    check(XGBoosterSetParam(impl->booster, key, value.c_str()), key);
  for (int it = 0; it < options.rounds; ++it)
    check(XGBoosterUpdateOneIter(impl->booster, it, m.handle), "training");
  return SlotReader(std::move(impl));
}

ReaderAnswer SlotReader::read(std::string_view question, std::string_view content,
                              std::string_view event) const {
  const auto units = answer_units(content, event);
  const auto candidates = answer_candidates(content, units);
  if (candidates.empty()) return {};
  std::vector<std::size_t> indptr{0};
  std::vector<unsigned> indices;
  std::vector<float> values;
  append_rows(candidate_features(question, content, units, candidates), indptr, indices, values);
  Matrix m;
  make_matrix(m, indptr, indices, values);
  bst_ulong length = 0;
  const float* scores = nullptr;
  check(XGBoosterPredict(impl_->booster, m.handle, 0, 0, 0, &length, &scores), "prediction");
  std::size_t best = 0;
  for (std::size_t i = 1; i < length; ++i) {
    if (scores[i] > scores[best]) best = i;  // ties: the earlier, shorter candidate
  }
  return {candidates[best].text, static_cast<double>(scores[best])};
}

void SlotReader::save(const std::string& path) const {
  bst_ulong length = 0;
  const char* raw = nullptr;
  check(XGBoosterSaveModelToBuffer(impl_->booster, R"({"format": "json"})", &length, &raw),
        "saving");
  nlohmann::json file = {{"format", kFormatName},
                         {"feature_version", kFeatureVersion},
                         {"options",
                          {{"rounds", impl_->options.rounds},
                           {"depth", impl_->options.depth},
                           {"eta", impl_->options.eta},
                           {"seed", impl_->options.seed},
                           {"read_lines", impl_->options.read_lines}}},
                         {"booster", nlohmann::json::parse(std::string_view(raw, length))}};
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << file.dump() << '\n';
  if (!out) throw InvalidArgument("slot reader: cannot write '" + path + "'");
}

SlotReader SlotReader::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InvalidArgument("slot reader: cannot open the model '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  nlohmann::json file;
  try {
    file = nlohmann::json::parse(text.str());
  } catch (const nlohmann::json::parse_error&) {
    throw InvalidArgument("slot reader: '" + path + "' is not JSON (truncated or not a model)");
  }
  if (!file.is_object() || file.value("format", "") != kFormatName) {
    throw InvalidArgument("slot reader: '" + path + "' is not a slot-reader model");
  }
  if (file.value("feature_version", 0) != kFeatureVersion) {
    throw InvalidArgument("slot reader: '" + path + "' has feature version " +
                          std::to_string(file.value("feature_version", 0)) + ", this build reads " +
                          std::to_string(kFeatureVersion) + ": train it again");
  }
  auto impl = std::make_unique<Impl>();
  const auto& o = file.at("options");
  impl->options = {o.value("rounds", 0), o.value("depth", 0), o.value("eta", 0.0),
                   o.value("seed", std::uint64_t{0}), std::max(1, o.value("read_lines", 1))};
  const std::string booster = file.at("booster").dump();
  check(XGBoosterCreate(nullptr, 0, &impl->booster), "cannot create a booster");
  check(XGBoosterLoadModelFromBuffer(impl->booster, booster.data(), booster.size()),
        ("cannot load the booster of '" + path + "'").c_str());
  return SlotReader(std::move(impl));
}

}  // namespace tessera::logs
