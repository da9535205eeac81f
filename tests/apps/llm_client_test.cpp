#include <gtest/gtest.h>

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <thread>

#include <logs/detect.hpp>
#include <logs/llm_client.hpp>
#include <logs/llm_detector.hpp>
#include <nlohmann/json.hpp>
#include <tessera/error.hpp>
#include <tessera/runtime.hpp>

namespace tessera::logs {
namespace {

using nlohmann::json;

// An OpenAI-compatible chat server on localhost whose behaviour each test sets.
class FakeChatServer {
 public:
  // Gets the request's body (JSON) and the request count so far; fills the response.
  using Handler = std::function<void(const json&, int, httplib::Response&)>;

  explicit FakeChatServer(Handler handler) : handler_(std::move(handler)) {
    server_.Post("/v1/chat/completions",
                 [this](const httplib::Request& req, httplib::Response& res) {
                   authorization_ = req.get_header_value("Authorization");
                   handler_(json::parse(req.body), ++requests_, res);
                 });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~FakeChatServer() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }
  int requests() const { return requests_; }
  std::string authorization() const { return authorization_; }

  static void reply(httplib::Response& res, const std::string& content) {
    const json body = {
        {"choices", json::array({{{"message", {{"role", "assistant"}, {"content", content}}}}})}};
    res.set_content(body.dump(), "application/json");
  }

 private:
  Handler handler_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::atomic<int> requests_{0};
  std::string authorization_;
};

ChatEndpoint endpoint_of(const FakeChatServer& server) {
  ChatEndpoint e;
  e.url = server.url();
  e.model = "test-model";
  e.api_key_env = "TESSERA_TEST_LLM_KEY";
  e.backoff_seconds = 0.01;
  e.timeout_seconds = 5;
  return e;
}

// The user message of a request.
std::string user_of(const json& body) {
  return body.at("messages").at(1).at("content").get<std::string>();
}

TEST(ChatClient, SendsTheChatRequestWithTheKeyAndReadsTheReply) {
  FakeChatServer server([](const json& body, int, httplib::Response& res) {
    EXPECT_EQ(body.at("model"), "test-model");
    EXPECT_EQ(body.at("messages").at(0).at("role"), "system");
    EXPECT_EQ(body.at("temperature"), 0);
    FakeChatServer::reply(res, "echo: " + user_of(body));
  });
  setenv("TESSERA_TEST_LLM_KEY", "secret", 1);
  ChatClient client(endpoint_of(server));
  unsetenv("TESSERA_TEST_LLM_KEY");
  EXPECT_EQ(client.complete("sys", "hello"), "echo: hello");
  EXPECT_EQ(server.authorization(), "Bearer secret");
  EXPECT_EQ(client.stats().requests, 1u);
}

TEST(ChatClient, RetriesServerErrorsAndRateLimitsThenSucceeds) {
  FakeChatServer server([](const json&, int n, httplib::Response& res) {
    if (n == 1) {
      res.status = 503;
    } else if (n == 2) {
      res.status = 429;
    } else {
      FakeChatServer::reply(res, "Answer: normal");
    }
  });
  ChatClient client(endpoint_of(server));
  EXPECT_EQ(client.complete("s", "u"), "Answer: normal");
  EXPECT_EQ(client.stats().requests, 3u);
  EXPECT_EQ(client.stats().retries, 2u);
}

TEST(ChatClient, GivesUpWithAClearErrorOnBadRequestsMalformedAnswersAndDeadServers) {
  FakeChatServer bad_request([](const json&, int, httplib::Response& res) { res.status = 400; });
  ChatClient a(endpoint_of(bad_request));
  try {
    a.complete("s", "u");
    FAIL() << "no error";
  } catch (const ChatError& e) {
    EXPECT_NE(std::string(e.what()).find("HTTP 400"), std::string::npos) << e.what();
  }
  EXPECT_EQ(bad_request.requests(), 1);  // a 400 is not retried
  FakeChatServer garbage([](const json&, int, httplib::Response& res) {
    res.set_content("{\"not\": \"a completion\"}", "application/json");
  });
  ChatClient b(endpoint_of(garbage));
  EXPECT_THROW(b.complete("s", "u"), ChatError);
  EXPECT_EQ(b.stats().failures, 1u);
  // Nothing listens on the port of a server that was stopped.
  std::string dead;
  {
    FakeChatServer gone([](const json&, int, httplib::Response&) {});
    dead = gone.url();
  }
  auto e = endpoint_of(bad_request);
  e.url = dead;
  e.retries = 1;
  ChatClient c(e);
  try {
    c.complete("s", "u");
    FAIL() << "no error";
  } catch (const ChatError& err) {
    EXPECT_NE(std::string(err.what()).find(dead), std::string::npos) << err.what();
  }
  EXPECT_EQ(c.stats().requests, 2u);
}

TEST(ChatClient, TimesOutASlowServer) {
  FakeChatServer slow([](const json&, int, httplib::Response& res) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    FakeChatServer::reply(res, "late");
  });
  auto e = endpoint_of(slow);
  e.timeout_seconds = 0.2;
  e.retries = 0;
  ChatClient client(e);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(client.complete("s", "u"), ChatError);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1400));
}

TEST(ChatClient, CachesAnswersAcrossRunsAndPacesRequests) {
  FakeChatServer server([](const json& body, int, httplib::Response& res) {
    FakeChatServer::reply(res, "re: " + user_of(body));
  });
  const auto cache = std::filesystem::temp_directory_path() / "tessera-llm-cache-test.jsonl";
  std::filesystem::remove(cache);
  auto e = endpoint_of(server);
  e.cache_path = cache.string();
  e.requests_per_second = 50;
  {
    ChatClient client(e);
    const auto start = std::chrono::steady_clock::now();
    for (const char* q : {"a", "b", "c", "a"}) client.complete("s", q);
    EXPECT_EQ(client.stats().requests, 3u);
    EXPECT_EQ(client.stats().cache_hits, 1u);
    EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(35));
  }
  ChatClient again(e);  // a rerun reads the cache file
  EXPECT_EQ(again.complete("s", "b"), "re: b");
  EXPECT_EQ(server.requests(), 3);
  std::ofstream(cache) << "not json\n";
  EXPECT_THROW(ChatClient{e}, InvalidArgument);
  std::filesystem::remove(cache);
}

TEST(ChatClient, RefusesBadUrlsAndOptions) {
  ChatEndpoint e;
  for (const char* url : {"", "localhost:8080", "ftp://host/v1", "http://"}) {
    e.url = url;
    EXPECT_THROW(ChatClient{e}, InvalidArgument) << url;
  }
  e.url = "http://127.0.0.1:1/v1";
  e.timeout_seconds = 0;
  EXPECT_THROW(ChatClient{e}, InvalidArgument);
}

TEST(LlmDetector, ParsesAnswersRobustly) {
  EXPECT_EQ(parse_llm_answer("Answer: abnormal\nThe node failed."), LlmVerdict::abnormal);
  EXPECT_EQ(parse_llm_answer("**Answer:** Normal"), LlmVerdict::normal);
  EXPECT_EQ(parse_llm_answer("answer - \"ABNORMAL\""), LlmVerdict::abnormal);
  EXPECT_EQ(parse_llm_answer("The sequence looks anomalous to me."), LlmVerdict::abnormal);
  EXPECT_EQ(parse_llm_answer("This is normal behaviour."), LlmVerdict::normal);
  EXPECT_EQ(parse_llm_answer("I cannot tell."), LlmVerdict::malformed);
  EXPECT_EQ(parse_llm_answer(""), LlmVerdict::malformed);
}

EventLog tiny_log() {
  EventLog log;
  log.templates = {"job <*> started", "kernel panic on <*>", "job <*> done"};
  for (int w = 0; w < 6; ++w) {
    const bool bad = w == 2 || w == 5;
    for (std::uint32_t e : {0u, bad ? 1u : 2u, 2u, 2u}) {
      log.events.push_back(e);
      log.anomalous.push_back(bad && e == 1 ? 1 : 0);
      log.line_ids.push_back(log.events.size());
    }
  }
  return log;
}

TEST(LlmDetector, PromptsShowTheWindowsMessagesAndCollapseRepeats) {
  const auto log = tiny_log();
  const auto p = loggpt_prompt(log, Window{8, 12, true});
  EXPECT_NE(p.system.find("Answer: abnormal"), std::string::npos);
  EXPECT_EQ(p.user,
            "1. job <*> started\n2. kernel panic on <*>\n3. job <*> done  (repeated 2 times)\n");
  const auto cut = loggpt_prompt(log, Window{0, 4, false}, 1);
  EXPECT_EQ(cut.user, "1. job <*> started\n(3 more lines left out)\n");
}

// End to end through detect(): a server that calls a window abnormal when it shows a panic
// and answers one window with prose; the verdicts, the F1 and the malformed count follow.
TEST(LlmDetector, DetectsThroughAnEndpointAndCountsMalformedAnswers) {
  FakeChatServer server([](const json& body, int, httplib::Response& res) {
    const std::string user = user_of(body);
    if (user.find("panic") != std::string::npos) {
      FakeChatServer::reply(res, "Answer: abnormal");
    } else if (user.find("(repeated 3 times)") != std::string::npos) {
      FakeChatServer::reply(res, "Hmm, hard to say.");
    } else {
      FakeChatServer::reply(res, "Answer: normal");
    }
  });
  Runtime rt{Config{}.with_ncpu(2).without_env()};
  DetectOptions options;
  options.method = "llm";
  options.window = WindowSpec::parse("count:4");
  options.llm = endpoint_of(server);
  const auto report = detect(rt, tiny_log(), Split{8, 12, 24}, options);
  EXPECT_EQ(report.test_windows, 3u);
  EXPECT_EQ(report.test.tp, 1u);
  EXPECT_EQ(report.test.fp, 0u);
  EXPECT_EQ(report.malformed_answers, 2u);  // the two normal test windows repeat "done"
  EXPECT_EQ(report.failed_windows, 0u);
  EXPECT_EQ(report.llm.requests, 2u);  // windows with the same prompt are asked once
}

TEST(LlmDetector, StopsWithTheEndpointsErrorWhenItIsDown) {
  std::string dead;
  {
    FakeChatServer gone([](const json&, int, httplib::Response&) {});
    dead = gone.url();
  }
  Runtime rt{Config{}.with_ncpu(2).without_env()};
  ChatEndpoint e;
  e.url = dead;
  e.retries = 0;
  ChatClient client(e);
  const auto log = tiny_log();
  const auto windows = make_windows(log, 0, log.size(), WindowSpec::parse("count:4"));
  EXPECT_THROW(llm_detect(rt, client, log, windows), ChatError);
  EXPECT_LE(client.stats().requests, windows.size());
}

}  // namespace
}  // namespace tessera::logs
