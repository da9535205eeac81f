#include <gtest/gtest.h>

#include <tessera/error.hpp>
#include <tessera/nn/model_config.hpp>
#include <tessera/nn/transformer.hpp>

namespace tessera::nn {
namespace {

TEST(ModelConfig, NamedSizesSpanTwoHundredTimesInParameters) {
  const auto names = model_sizes();
  ASSERT_GE(names.size(), 4u);
  const auto tiny = model_size(names.front(), 1000);
  const auto large = model_size(names.back(), 1000);
  EXPECT_NEAR(static_cast<double>(tiny.decoder_parameters()), 1e5, 0.5e5);
  EXPECT_NEAR(static_cast<double>(large.decoder_parameters()), 2e7, 0.3e7);
}

TEST(ModelConfig, ParameterCountMatchesTheModule) {
  for (const auto& name : model_sizes()) {
    if (name == "large") continue;  // same formula; skip the 20 M allocation
    const auto config = model_size(name, 300);
    DecoderLM model(config);
    EXPECT_EQ(count_parameters(*model), config.decoder_parameters()) << name;
  }
}

TEST(ModelConfig, JsonRoundTrip) {
  const auto config = model_size("small", 777);
  EXPECT_EQ(ModelConfig::from_json(config.to_json(), "test"), config);
}

TEST(ModelConfig, ErrorsNameTheBadField) {
  EXPECT_THROW(
      {
        try {
          model_size("huge", 100);
        } catch (const InvalidArgument& e) {
          EXPECT_NE(std::string(e.what()).find("unknown model size 'huge' (known: tiny"),
                    std::string::npos);
          throw;
        }
      },
      InvalidArgument);
  ModelConfig c = model_size("tiny", 100);
  c.n_heads = 5;
  EXPECT_THROW(c.validate(), InvalidArgument);
  try {
    ModelConfig::from_json(R"({"vocab": 10, "context": 8})", "file.lm");
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_NE(
        std::string(e.what()).find("file.lm: model configuration lacks the integer 'd_model'"),
        std::string::npos)
        << e.what();
  }
  EXPECT_THROW(ModelConfig::from_json("not json", "x"), InvalidArgument);
}

}  // namespace
}  // namespace tessera::nn
