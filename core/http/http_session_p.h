#pragma once
// Private to core/http: one connection of HttpServer, on Boost.Beast. Only http_server.cpp and
// http_session.cpp include this (Beast headers cost seconds per translation unit).
//
// A connection is a loop on its own strand: wait for a request (idle deadline) → read the head
// (head deadline, header limit) → ask the handler's plan → read the body into memory or a sink
// (body deadline on a separate timer, so that a late body can still be answered 408) → hand it
// to the handler → write the answer (write deadline) → again, or close. Errors answered before a
// body was read close the connection after draining what the client sends (lingering close).

#include "core/http/http_handler.h"
#include "core/http/http_server.h"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <vector>

namespace orrery::http::detail {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace asio = boost::asio;
using tcp = boost::asio::ip::tcp;

// What all connections of one server share. Outlives every Session (HttpServer::Impl destroys
// the io_context, and with it the sessions, first).
struct ServerState {
    ServerState(HttpHandler &h, HttpServerOptions o) : handler(h), options(std::move(o)) {}
    HttpHandler &handler;
    const HttpServerOptions options;
    bool loopbackOnly = false;
    std::atomic<bool> stopping{false};
    std::atomic<int> open{0};
    std::atomic<quint64> connections{0};
    std::atomic<quint64> requests{0};
    std::atomic<int> unanswered{0}; // handed to the handler, answer not yet written (stop() waits)
    std::atomic<quint64> refusedBodies{0};
    std::atomic<quint64> timeouts{0};
    std::atomic<quint64> malformed{0};
    std::atomic<quint64> unauthorized{0};
};

class Session : public std::enable_shared_from_this<Session> {
public:
    // The session shares the server's state: an answer callback (a batch answered on another
    // thread) can hold the last reference to a session after the server is gone.
    Session(tcp::socket socket, std::shared_ptr<ServerState> state);
    ~Session();
    // overCapacity: answer 503 and close instead of serving.
    void start(bool overCapacity);

private:
    void waitForRequest();
    void readHeader();
    void onHeader(beast::error_code ec);
    bool authorized() const;
    void startBody(qint64 limit);
    void readBody();
    void onBody(beast::error_code ec);
    void dispatch();
    void sendResponse(HttpResponse response);
    void sendError(int status, const QString &message);
    template <class Response>
    void write(std::shared_ptr<Response> response, qint64 size, bool close);
    void afterWrite(beast::error_code ec, bool close);
    void lingerClose();
    void drain();
    void closeNow();
    bool hostAllowed() const;
    std::chrono::milliseconds transferTime(int baseMs, qint64 bytes) const;

    std::shared_ptr<ServerState> m_keepState;
    ServerState &m_state;
    beast::tcp_stream m_stream;
    beast::flat_buffer m_buffer;
    asio::steady_timer m_bodyTimer;
    std::optional<bhttp::request_parser<bhttp::buffer_body>> m_parser;
    HttpRequest m_request;
    std::vector<char> m_chunk;  // staging for sinks and for draining
    qint64 m_bodyRead = 0;
    qint64 m_bodyLimit = 0;
    qint64 m_given = 0;         // bytes offered to the parser in the current read
    qint64 m_drained = 0;
    unsigned m_version = 11;
    bool m_keepAlive = false;
    bool m_bodyUnread = false;  // answered before reading the body: close after draining
    bool m_awaitingAnswer = false; // a request is with the handler: counted in unanswered
    bool m_bodyTimedOut = false;
};

} // namespace orrery::http::detail
