#include "core/http/http_connection.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <limits>
#include <optional>

namespace orrery::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::uint64_t kMaxBodyBytes = 64ULL * 1024 * 1024; // an answer larger than this is an error, not memory

// The errors that mean "the server had closed this connection before it read our request".
bool closedBeforeAnswer(const beast::error_code &ec)
{
    return ec == bhttp::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset
           || ec == asio::error::broken_pipe || ec == asio::error::connection_aborted;
}

} // namespace

QByteArray ConnectionReply::header(const QByteArray &lowerCaseName) const
{
    for (const auto &[name, value] : headers)
        if (name == lowerCaseName)
            return value;
    return QByteArray();
}

struct HttpConnection::Impl {
    asio::io_context ioc;
    std::optional<beast::tcp_stream> stream;
    beast::flat_buffer buffer;
    std::string host, port, hostHeader;
    QByteArray prefix;
    std::chrono::milliseconds timeout{10'000};
    quint64 connects = 0;

    // Runs one asynchronous operation to its end: Beast's deadlines (expires_at) apply only to
    // asynchronous operations, so the blocking calls are made of these.
    template <class Start>
    beast::error_code run(Start start)
    {
        beast::error_code result;
        start([&result](beast::error_code ec, auto &&...) { result = ec; });
        ioc.restart();
        ioc.run();
        return result;
    }

    QString where() const { return QString::fromStdString(hostHeader); }

    // Opens the connection by `deadline`; the error says why not.
    QString connect(Clock::time_point deadline, bool *timedOut)
    {
        stream.reset();
        buffer.clear();
        tcp::resolver resolver(ioc);
        beast::error_code ec;
        tcp::resolver::results_type endpoints;
        bool done = false;
        resolver.async_resolve(host, port, [&](beast::error_code e, tcp::resolver::results_type r) {
            ec = e;
            endpoints = std::move(r);
            done = true;
        });
        ioc.restart();
        ioc.run_until(deadline);
        if (!done) {
            resolver.cancel();
            ioc.restart();
            ioc.run();
            *timedOut = true;
            return QStringLiteral("cannot resolve %1 within %2 ms").arg(where()).arg(timeout.count());
        }
        if (ec)
            return QStringLiteral("cannot resolve %1: %2").arg(where(), QString::fromStdString(ec.message()));
        stream.emplace(ioc);
        stream->expires_at(deadline);
        ec = run([&](auto done) { stream->async_connect(endpoints, [done](beast::error_code e, const tcp::endpoint &) { done(e); }); });
        if (ec) {
            stream.reset();
            *timedOut = ec == beast::error::timeout;
            return *timedOut ? QStringLiteral("cannot connect to %1 within %2 ms").arg(where()).arg(timeout.count())
                             : QStringLiteral("cannot connect to %1: %2").arg(where(), QString::fromStdString(ec.message()));
        }
        stream->socket().set_option(tcp::no_delay(true));
        ++connects;
        return QString();
    }

    // One exchange on the open connection. `retryable` is set when it failed before any byte of
    // an answer came.
    ConnectionReply exchange(const bhttp::request<bhttp::string_body> &req, Clock::time_point deadline, bool *retryable)
    {
        ConnectionReply reply;
        *retryable = false;
        auto failed = [&](const beast::error_code &ec, const char *what) {
            stream.reset();
            reply.timedOut = ec == beast::error::timeout;
            reply.error = reply.timedOut ? QStringLiteral("no answer from %1 within %2 ms").arg(where()).arg(timeout.count())
                                         : QStringLiteral("%1 %2: %3").arg(QLatin1String(what), where(), QString::fromStdString(ec.message()));
            return reply;
        };
        stream->expires_at(deadline);
        beast::error_code ec = run([&](auto done) { bhttp::async_write(*stream, req, done); });
        if (ec) {
            *retryable = !(ec == beast::error::timeout);
            return failed(ec, "cannot send to");
        }
        std::optional<bhttp::response_parser<bhttp::string_body>> parser;
        for (;;) { // interim 1xx answers come before the real one
            parser.emplace();
            parser->body_limit(kMaxBodyBytes);
            parser->header_limit(1 << 20);
            ec = run([&](auto done) { bhttp::async_read_header(*stream, buffer, *parser, done); });
            if (ec) {
                *retryable = closedBeforeAnswer(ec) && !parser->got_some();
                return failed(ec, "no answer from");
            }
            if (parser->get().result_int() / 100 != 1)
                break;
        }
        ec = run([&](auto done) { bhttp::async_read(*stream, buffer, *parser, done); });
        if (ec)
            return failed(ec, "an incomplete answer from");
        const auto &res = parser->get();
        reply.status = int(res.result_int());
        reply.body = QByteArray(res.body().data(), qsizetype(res.body().size()));
        for (const auto &field : res)
            reply.headers.append({QByteArray(field.name_string().data(), qsizetype(field.name_string().size())).toLower(),
                                  QByteArray(field.value().data(), qsizetype(field.value().size()))});
        if (!res.keep_alive())
            stream.reset();
        return reply;
    }
};

HttpConnection::HttpConnection() : d(std::make_unique<Impl>()) {}
HttpConnection::~HttpConnection() = default;

Result<std::unique_ptr<HttpConnection>> HttpConnection::create(const QUrl &base, int timeoutMs)
{
    if (!base.isValid() || base.scheme() != QLatin1String("http") || base.host().isEmpty())
        return invalidArgument(QStringLiteral("'%1' is no http:// URL with a host (e.g. http://127.0.0.1:8080)").arg(base.toString()));
    if (timeoutMs < 1)
        return invalidArgument(QStringLiteral("a connection's timeout must be at least 1 ms, got %1").arg(timeoutMs));
    std::unique_ptr<HttpConnection> c(new HttpConnection());
    const int port = base.port(80);
    c->d->host = base.host().toStdString();
    c->d->port = std::to_string(port);
    const QString host = base.host().contains(QLatin1Char(':')) ? QLatin1Char('[') + base.host() + QLatin1Char(']') : base.host();
    c->d->hostHeader = (base.port() == -1 ? host : host + QLatin1Char(':') + QString::number(port)).toStdString();
    QByteArray prefix = base.path(QUrl::FullyEncoded).toUtf8();
    while (prefix.endsWith('/'))
        prefix.chop(1);
    c->d->prefix = prefix;
    c->d->timeout = std::chrono::milliseconds(timeoutMs);
    return c;
}

ConnectionReply HttpConnection::request(const QByteArray &method, const QByteArray &target, const QByteArray &body, const HeaderList &headers,
                                        const QByteArray &contentType)
{
    const Clock::time_point deadline = Clock::now() + d->timeout;
    const QByteArray path = d->prefix + target;
    bhttp::request<bhttp::string_body> req(bhttp::string_to_verb(method.toStdString()), std::string(path.constData(), size_t(path.size())), 11);
    if (req.method() == bhttp::verb::unknown)
        req.method_string(method.toStdString());
    req.set(bhttp::field::host, d->hostHeader);
    req.set(bhttp::field::user_agent, "Orrery/1");
    for (const auto &[name, value] : headers)
        req.set(beast::string_view(name.constData(), size_t(name.size())), beast::string_view(value.constData(), size_t(value.size())));
    if (!body.isEmpty() || method == "POST" || method == "PUT") {
        req.body().assign(body.constData(), size_t(body.size()));
        req.set(bhttp::field::content_type, beast::string_view(contentType.constData(), size_t(contentType.size())));
        req.prepare_payload();
    }
    for (int attempt = 0;; ++attempt) {
        const bool reused = d->stream.has_value();
        if (!reused) {
            bool timedOut = false;
            const QString error = d->connect(deadline, &timedOut);
            if (!error.isEmpty()) {
                ConnectionReply reply;
                reply.error = error;
                reply.timedOut = timedOut;
                return reply;
            }
        }
        bool retryable = false;
        ConnectionReply reply = d->exchange(req, deadline, &retryable);
        if (reply.status != 0 || !reused || !retryable || attempt > 0)
            return reply;
    }
}

quint64 HttpConnection::connects() const { return d->connects; }

void HttpConnection::close()
{
    d->stream.reset();
    d->buffer.clear();
}

} // namespace orrery::http
