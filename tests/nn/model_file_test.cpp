#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <tessera/error.hpp>
#include <tessera/nn/model_file.hpp>

#include "nn_test_support.hpp"

namespace tessera::nn {
namespace {

class ModelFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("tessera_model_file_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  LanguageModel make() {
    auto tokenizer = Tokenizer::train(testing::toy_lines(), {.vocab_size = 60});
    auto config = testing::toy_config(tokenizer.vocab_size());
    torch::manual_seed(4);
    DecoderLM model(config);
    return LanguageModel{config, std::move(tokenizer), model, R"({"steps": 3})"};
  }
  std::string bytes_of(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  void write(const std::filesystem::path& p, const std::string& bytes) {
    std::ofstream(p, std::ios::binary) << bytes;
  }
  std::string load_error(const std::filesystem::path& p) {
    try {
      load_model(p);
    } catch (const InvalidArgument& e) {
      return e.what();
    }
    return "loaded";
  }
  std::filesystem::path dir_;
};

TEST_F(ModelFileTest, RoundTripKeepsConfigurationTokenizerAndWeights) {
  const auto lm = make();
  save_model(dir_ / "m.lm", lm);
  const auto back = load_model(dir_ / "m.lm");
  EXPECT_EQ(back.config, lm.config);
  EXPECT_EQ(back.tokenizer.serialized(), lm.tokenizer.serialized());
  EXPECT_NE(back.notes.find("\"steps\":3"), std::string::npos) << back.notes;
  const auto a = lm.model->parameters();
  const auto b = back.model->parameters();
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(torch::equal(a[i], b[i]));
}

TEST_F(ModelFileTest, DamagedFilesAreErrorsThatNameFileAndFault) {
  save_model(dir_ / "m.lm", make());
  const std::string good = bytes_of(dir_ / "m.lm");

  EXPECT_NE(load_error(dir_ / "missing.lm").find("missing.lm': cannot open"), std::string::npos);
  write(dir_ / "text.lm", "hello, I am not a model");
  EXPECT_NE(load_error(dir_ / "text.lm").find("not a Tessera language model"), std::string::npos);
  write(dir_ / "short.lm", good.substr(0, good.size() / 2));
  EXPECT_NE(load_error(dir_ / "short.lm").find("truncated"), std::string::npos);
  std::string flipped = good;
  flipped[flipped.size() / 2] ^= 0x5a;
  write(dir_ / "flipped.lm", flipped);
  EXPECT_NE(load_error(dir_ / "flipped.lm").find("corrupt"), std::string::npos);
  std::string version = good;
  version[9] = 7;  // the u32 after the signature
  write(dir_ / "v7.lm", version);
  EXPECT_NE(load_error(dir_ / "v7.lm").find("format version 7"), std::string::npos);
}

TEST_F(ModelFileTest, TokenizerOrWeightsThatDoNotMatchTheConfiguration) {
  auto lm = make();
  auto other = Tokenizer::train(testing::toy_lines(), {.vocab_size = 40});
  LanguageModel mismatched{lm.config, std::move(other), lm.model, ""};
  save_model(dir_ / "tok.lm", mismatched);
  EXPECT_NE(load_error(dir_ / "tok.lm").find("its tokenizer has"), std::string::npos)
      << load_error(dir_ / "tok.lm");

  auto wider = lm.config;
  wider.d_ff = 48;
  torch::manual_seed(1);
  LanguageModel shapes{wider, std::move(lm.tokenizer), DecoderLM(lm.config), ""};
  save_model(dir_ / "shape.lm", shapes);
  EXPECT_NE(load_error(dir_ / "shape.lm").find("in the file but"), std::string::npos)
      << load_error(dir_ / "shape.lm");
}

TEST_F(ModelFileTest, WeightsWithAdaptersDoNotLoadAsTheBareModel) {
  auto lm = make();
  apply_lora(*lm.model, {.rank = 2, .alpha = 4, .targets = {"q"}});
  save_model(dir_ / "lora.lm", lm);
  EXPECT_NE(load_error(dir_ / "lora.lm").find("lora_a', which the configuration has not"),
            std::string::npos)
      << load_error(dir_ / "lora.lm");
}

}  // namespace
}  // namespace tessera::nn
