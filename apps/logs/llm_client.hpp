#pragma once
// A client of an OpenAI-compatible chat endpoint (POST <url>/chat/completions), as served by
// vLLM, llama.cpp's server or a hosted API: the user points it at their own server. It keeps
// what a long run against a real server needs: a timeout per request, retries with
// exponential back-off on connection errors, 429 and 5xx answers, a request-rate limit, an
// API key read from an environment variable (never from the command line, where `ps` shows
// it), and a persistent cache of answers so that a rerun asks nothing twice. Safe to call
// from several tasks at once.

#include <cstddef>
#include <memory>
#include <string>

#include <tessera/error.hpp>

namespace tessera::logs {

struct ChatEndpoint {
  // The API root, e.g. http://127.0.0.1:8080/v1 (or the full .../chat/completions URL).
  std::string url;
  std::string model = "default";
  // The environment variable holding the API key; unset or empty: no Authorization header.
  std::string api_key_env = "OPENAI_API_KEY";
  double timeout_seconds = 60;     // per request (connect, send, receive)
  int retries = 3;                 // after the first attempt
  double backoff_seconds = 1;      // before the first retry; doubles after each
  double requests_per_second = 0;  // at most this many requests start per second; 0: no limit
  std::string cache_path;          // JSON lines {"key":..., "answer":...}; empty: no cache
  double temperature = 0;          // deterministic answers where the server allows
  int max_tokens = 128;
};

// The endpoint failed after its retries, or answered something that is not a chat
// completion. The message names the URL and the cause.
class ChatError : public Error {
 public:
  using Error::Error;
};

struct ChatStats {
  std::size_t requests = 0;  // HTTP requests sent (retries included)
  std::size_t retries = 0;
  std::size_t cache_hits = 0;
  std::size_t failures = 0;  // calls that threw ChatError
};

class ChatClient {
 public:
  // Throws InvalidArgument when the URL is not http(s)://host[:port][/path] or an option is
  // out of range, and when the cache file exists but is not the cache's format.
  explicit ChatClient(ChatEndpoint endpoint);
  ~ChatClient();
  ChatClient(const ChatClient&) = delete;
  ChatClient& operator=(const ChatClient&) = delete;

  // The assistant's reply to a system message and a user message. Throws ChatError.
  std::string complete(const std::string& system, const std::string& user);
  ChatStats stats() const;
  const ChatEndpoint& endpoint() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tessera::logs
