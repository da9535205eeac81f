// The Matrix Market reader on valid files, and on malformed ones: the error names the file
// and the line.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <spamm/matrix_market.hpp>
#include <spamm/matrix_source.hpp>
#include <tessera/error.hpp>

namespace tessera {
namespace {

namespace fs = std::filesystem;

class MatrixMarket : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tessera-mm-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    const fs::path p = dir_ / name;
    std::ofstream(p) << text;
    return p.string();
  }
  // The message of the error reading `text`, which must fail.
  std::string error_of(const std::string& text) {
    const std::string path = write("bad.mtx", text);
    try {
      spamm::read_matrix_market(path);
    } catch (const InvalidArgument& e) {
      return e.what();
    }
    ADD_FAILURE() << "accepted:\n" << text;
    return "";
  }
  fs::path dir_;
};

TEST_F(MatrixMarket, ReadsCoordinateGeneral) {
  const auto m = spamm::read_matrix_market(write("a.mtx",
                                                 "%%MatrixMarket matrix coordinate real general\n% "
                                                 "a comment\n\n3 2 3\n1 1 1.5\n3 2 -2\n2 1 4e1\n"));
  ASSERT_EQ(m.rows, 3u);
  ASSERT_EQ(m.cols, 2u);
  EXPECT_EQ(m.at(0, 0), 1.5);
  EXPECT_EQ(m.at(2, 1), -2.0);
  EXPECT_EQ(m.at(1, 0), 40.0);
  EXPECT_EQ(m.at(0, 1), 0.0);
}

TEST_F(MatrixMarket, ReadsSymmetricCoordinateAndArrays) {
  const auto s = spamm::read_matrix_market(
      write("s.mtx", "%%MatrixMarket matrix coordinate real symmetric\n2 2 2\n1 1 1\n2 1 5\n"));
  EXPECT_EQ(s.at(0, 1), 5.0);
  EXPECT_EQ(s.at(1, 0), 5.0);
  const auto g = spamm::read_matrix_market(
      write("g.mtx", "%%MatrixMarket matrix array real general\n2 2\n1\n2\n3\n4\n"));
  EXPECT_EQ(g.at(1, 0), 2.0);
  EXPECT_EQ(g.at(0, 1), 3.0);
  const auto y = spamm::read_matrix_market(
      write("y.mtx", "%%MatrixMarket matrix array integer symmetric\n2 2\n1\n2\n3\n"));
  EXPECT_EQ(y.at(0, 1), 2.0);
  EXPECT_EQ(y.at(1, 1), 3.0);
}

TEST_F(MatrixMarket, MalformedFilesNameTheFileAndLine) {
  const std::string bad = (dir_ / "bad.mtx").string();
  EXPECT_EQ(error_of(""), bad + ":0: empty file (expected a %%MatrixMarket header)");
  EXPECT_NE(error_of("3 3 1\n1 1 1\n").find(bad + ":1: expected a '%%MatrixMarket' header"),
            std::string::npos);
  EXPECT_NE(error_of("%%MatrixMarket matrix coordinate complex general\n1 1 1\n1 1 1 0\n")
                .find(":1: unsupported field 'complex'"),
            std::string::npos);
  EXPECT_NE(error_of("%%MatrixMarket matrix coordinate real general\n% c\n3 x 1\n")
                .find(bad + ":3: expected 'rows cols entries'"),
            std::string::npos);
  EXPECT_NE(error_of("%%MatrixMarket matrix coordinate real general\n2 2 1\n3 1 1.0\n")
                .find(bad + ":3: entry (3, 1) is outside the 2 x 2 matrix"),
            std::string::npos);
  EXPECT_NE(error_of("%%MatrixMarket matrix coordinate real general\n2 2 2\n1 1 1.0\n")
                .find(":3: expected 2 entries, found 1"),
            std::string::npos);
  EXPECT_NE(error_of("%%MatrixMarket matrix coordinate real general\n2 2 1\n1 1 1.0\n2 2 2.0\n")
                .find(":4: more entries than the size line announced"),
            std::string::npos);
  EXPECT_NE(error_of("%%MatrixMarket matrix coordinate real general\n2 2 1\n1 1 abc\n")
                .find(":3: expected 'row col value'"),
            std::string::npos);
  EXPECT_NE(error_of("%%MatrixMarket matrix array real general\n2 2\n1\n2\n3\n")
                .find("the array ends early: no value for (2, 2)"),
            std::string::npos);
  EXPECT_NE(error_of("%%MatrixMarket matrix coordinate real symmetric\n2 2 1\n1 2 1.0\n")
                .find(":3: a symmetric file lists the lower triangle only"),
            std::string::npos);
}

TEST_F(MatrixMarket, SpammNeedsASquareMatrixOfTheGivenOrder) {
  const std::string rect = write("r.mtx", "%%MatrixMarket matrix coordinate real general\n2 3 0\n");
  std::size_t n = 0;
  EXPECT_THROW(spamm::make_matrix(spamm::MatrixSpec::parse(rect), n), InvalidArgument);
  const std::string sq =
      write("q.mtx", "%%MatrixMarket matrix coordinate real general\n2 2 1\n2 1 7\n");
  n = 3;
  EXPECT_THROW(spamm::make_matrix(spamm::MatrixSpec::parse(sq), n), InvalidArgument);
  n = 0;
  const auto a = spamm::make_matrix(spamm::MatrixSpec::parse(sq), n);
  EXPECT_EQ(n, 2u);
  EXPECT_EQ(a[1], 7.0f);
  EXPECT_THROW(spamm::read_matrix_market((dir_ / "missing.mtx").string()), InvalidArgument);
}

}  // namespace
}  // namespace tessera
