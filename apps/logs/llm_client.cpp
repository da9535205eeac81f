#include "logs/llm_client.hpp"

#include <httplib.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <thread>
#include <unordered_map>

#include <nlohmann/json.hpp>

namespace tessera::logs {
namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

struct ParsedUrl {
  std::string origin;  // scheme://host[:port]
  std::string path;    // of the completions resource
};

ParsedUrl parse_url(const std::string& url) {
  const auto bad = [&](const char* why) {
    return InvalidArgument("llm endpoint '" + url + "': " + why +
                           " (expected http://host[:port]/v1 or https://...)");
  };
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) throw bad("no scheme");
  const std::string scheme = url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") throw bad("the scheme is not http or https");
  const std::size_t host_begin = scheme_end + 3;
  const std::size_t path_begin = url.find('/', host_begin);
  ParsedUrl p;
  p.origin = url.substr(0, path_begin);
  if (p.origin.size() <= host_begin) throw bad("no host");
  std::string path = path_begin == std::string::npos ? "" : url.substr(path_begin);
  while (!path.empty() && path.back() == '/') path.pop_back();
  const std::string resource = "/chat/completions";
  if (path.size() < resource.size() ||
      path.compare(path.size() - resource.size(), resource.size(), resource) != 0) {
    path += resource;
  }
  p.path = path;
  return p;
}

// Logs are not always valid UTF-8: bad bytes become U+FFFD rather than an exception.
std::string dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

bool retryable(int status) {
  return status == 408 || status == 429 || status >= 500;
}

}  // namespace

struct ChatClient::Impl {
  ChatEndpoint endpoint;
  ParsedUrl url;
  std::string api_key;
  mutable std::mutex mutex;  // guards what follows
  ChatStats stats;
  std::unordered_map<std::string, std::string> cache;
  std::ofstream cache_out;
  Clock::time_point next_start = Clock::now();

  std::string cache_key(const std::string& system, const std::string& user) const {
    return dump(
        json::array({endpoint.model, endpoint.temperature, endpoint.max_tokens, system, user}));
  }

  void load_cache() {
    std::ifstream in(endpoint.cache_path);
    std::size_t line_no = 0;
    for (std::string line; std::getline(in, line);) {
      ++line_no;
      if (line.empty()) continue;
      const json entry = json::parse(line, nullptr, /*allow_exceptions=*/false);
      if (!entry.is_object() || !entry.contains("key") || !entry.contains("answer") ||
          !entry["key"].is_string() || !entry["answer"].is_string()) {
        throw InvalidArgument("llm cache '" + endpoint.cache_path + "': line " +
                              std::to_string(line_no) + " is not {\"key\":..., \"answer\":...}");
      }
      cache[entry["key"].get<std::string>()] = entry["answer"].get<std::string>();
    }
    cache_out.open(endpoint.cache_path, std::ios::app);
    if (!cache_out) throw InvalidArgument("llm cache '" + endpoint.cache_path + "': cannot write");
  }

  // Waits for this request's turn under the rate limit.
  void pace() {
    if (endpoint.requests_per_second <= 0) return;
    Clock::time_point start;
    {
      std::lock_guard lock(mutex);
      start = std::max(next_start, Clock::now());
      next_start = start + std::chrono::duration_cast<Clock::duration>(
                               std::chrono::duration<double>(1.0 / endpoint.requests_per_second));
    }
    std::this_thread::sleep_until(start);
  }

  std::string request(const std::string& body) {
    httplib::Client client(url.origin);
    const auto timeout = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::duration<double>(endpoint.timeout_seconds));
    client.set_connection_timeout(timeout);
    client.set_read_timeout(timeout);
    client.set_write_timeout(timeout);
    httplib::Headers headers;
    if (!api_key.empty()) headers.emplace("Authorization", "Bearer " + api_key);
    const std::string where = url.origin + url.path;
    std::string last_error;
    double backoff = endpoint.backoff_seconds;
    for (int attempt = 0; attempt <= endpoint.retries; ++attempt) {
      if (attempt > 0) {
        std::this_thread::sleep_for(std::chrono::duration<double>(backoff));
        backoff *= 2;
        std::lock_guard lock(mutex);
        ++stats.retries;
      }
      pace();
      {
        std::lock_guard lock(mutex);
        ++stats.requests;
      }
      const auto res = client.Post(url.path, headers, body, "application/json");
      if (!res) {
        last_error = "no answer (" + httplib::to_string(res.error()) + ")";
        continue;
      }
      if (res->status == 200) return res->body;
      last_error = "HTTP " + std::to_string(res->status) + ": " + res->body.substr(0, 200);
      if (!retryable(res->status)) break;
    }
    throw ChatError("llm endpoint " + where + ": " + last_error);
  }

  std::string reply_of(const std::string& body) const {
    const json answer = json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (answer.is_object() && answer.contains("choices") && answer["choices"].is_array() &&
        !answer["choices"].empty()) {
      const json& choice = answer["choices"][0];
      if (choice.contains("message") && choice["message"].is_object() &&
          choice["message"].contains("content") && choice["message"]["content"].is_string()) {
        return choice["message"]["content"].get<std::string>();
      }
    }
    throw ChatError("llm endpoint " + url.origin + url.path +
                    ": the answer is not a chat completion: " + body.substr(0, 200));
  }
};

ChatClient::ChatClient(ChatEndpoint endpoint) : impl_(std::make_unique<Impl>()) {
  if (!(endpoint.timeout_seconds > 0)) throw InvalidArgument("llm: the timeout must be positive");
  if (endpoint.retries < 0) throw InvalidArgument("llm: retries must be 0 or more");
  if (!(endpoint.backoff_seconds >= 0)) throw InvalidArgument("llm: back-off must be >= 0");
  if (!(endpoint.requests_per_second >= 0)) {
    throw InvalidArgument("llm: the request rate must be >= 0 (0: no limit)");
  }
  impl_->url = parse_url(endpoint.url);
  if (!endpoint.api_key_env.empty()) {
    if (const char* key = std::getenv(endpoint.api_key_env.c_str())) impl_->api_key = key;
  }
  impl_->endpoint = std::move(endpoint);
  if (!impl_->endpoint.cache_path.empty()) impl_->load_cache();
}

ChatClient::~ChatClient() = default;

std::string ChatClient::complete(const std::string& system, const std::string& user) {
  auto& st = *impl_;
  const std::string key = st.cache_key(system, user);
  {
    std::lock_guard lock(st.mutex);
    if (const auto it = st.cache.find(key); it != st.cache.end()) {
      ++st.stats.cache_hits;
      return it->second;
    }
  }
  const json body = {
      {"model", st.endpoint.model},
      {"messages", json::array({{{"role", "system"}, {"content", system}},
                                {{"role", "user"}, {"content", user}}})},
      {"temperature", st.endpoint.temperature},
      {"max_tokens", st.endpoint.max_tokens},
  };
  std::string reply;
  try {
    reply = st.reply_of(st.request(dump(body)));
  } catch (const ChatError&) {
    std::lock_guard lock(st.mutex);
    ++st.stats.failures;
    throw;
  }
  std::lock_guard lock(st.mutex);
  st.cache[key] = reply;
  if (st.cache_out.is_open()) {
    st.cache_out << dump(json{{"key", key}, {"answer", reply}}) << '\n' << std::flush;
  }
  return reply;
}

ChatStats ChatClient::stats() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->stats;
}

const ChatEndpoint& ChatClient::endpoint() const noexcept {
  return impl_->endpoint;
}

}  // namespace tessera::logs
