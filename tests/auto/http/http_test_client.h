#pragma once
// A blocking HTTP/1.1 client for tests and benchmarks, on Boost.Beast's parser (never a
// hand-written one): keep-alive requests, and raw bytes for the bad-input tests. Every operation
// has a deadline, so a server that hangs fails the test instead of hanging it.

#include <QByteArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QMap>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <optional>
#include <thread>
#include <utility>

namespace orrery::testing {

struct HttpReply {
    int status = 0;              // 0: no response (the server closed or the deadline passed)
    QByteArray body;
    QMap<QByteArray, QByteArray> headers; // lower-case names
    bool keepAlive = false;
    QString error;               // why there was no response
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
    QByteArray errorCode() const { return json().value(QStringLiteral("error_code")).toString().toUtf8(); }
};

class HttpTestClient {
public:
    explicit HttpTestClient(quint16 port, std::chrono::milliseconds deadline = std::chrono::seconds(20))
        : m_port(port), m_deadline(deadline) {}

    HttpReply request(const QByteArray &method, const QByteArray &target, const QByteArray &body = QByteArray(),
                      const QList<std::pair<QByteArray, QByteArray>> &headers = {})
    {
        namespace http = boost::beast::http;
        if (!m_stream && !connect())
            return failed(QStringLiteral("cannot connect"));
        http::request<http::string_body> req(http::string_to_verb(std::string(method.constData(), size_t(method.size()))),
                                             std::string(target.constData(), size_t(target.size())), 11);
        if (req.method() == http::verb::unknown)
            req.method_string(method.toStdString());
        req.set(http::field::host, "127.0.0.1:" + std::to_string(m_port));
        for (const auto &[name, value] : headers)
            req.set(name.toStdString(), value.toStdString());
        if (!body.isEmpty() || method == "POST" || method == "PUT") {
            req.body().assign(body.constData(), size_t(body.size()));
            if (!req.count(http::field::content_type))
                req.set(http::field::content_type, "application/json");
            req.prepare_payload();
        }
        m_stream->expires_after(m_deadline);
        boost::beast::error_code ec = run([&](auto done) { http::async_write(*m_stream, req, done); });
        if (ec)
            return dropped(QString::fromStdString(ec.message()));
        return readReply();
    }
    HttpReply get(const QByteArray &target) { return request("GET", target); }
    HttpReply post(const QByteArray &target, const QByteArray &json) { return request("POST", target, json); }

    // Sends `bytes` as they are on a fresh connection (in pieces of `piece` bytes, `pause` apart)
    // and reads one response, if one comes.
    HttpReply raw(const QByteArray &bytes, int piece = 0, std::chrono::milliseconds pause = std::chrono::milliseconds(0))
    {
        disconnect();
        if (!connect())
            return failed(QStringLiteral("cannot connect"));
        m_stream->expires_after(m_deadline);
        const int step = piece > 0 ? piece : int(bytes.size());
        for (int i = 0; i < bytes.size(); i += step) {
            const auto part = boost::asio::buffer(bytes.constData() + i, size_t(qMin(step, int(bytes.size()) - i)));
            const boost::beast::error_code ec = run([&](auto done) { boost::asio::async_write(*m_stream, part, done); });
            if (ec)
                break; // the server may answer and close before everything is sent
            if (pause.count() > 0)
                std::this_thread::sleep_for(pause);
        }
        return readReply();
    }

    // Writes `bytes` on the open connection and reads nothing.
    bool sendOnly(const QByteArray &bytes)
    {
        if (!m_stream)
            return false;
        m_stream->expires_after(m_deadline);
        return !run([&](auto done) { boost::asio::async_write(*m_stream, boost::asio::buffer(bytes.constData(), size_t(bytes.size())), done); });
    }

    // True when the server closes this connection within `wait` (a read ends in end of stream).
    bool serverClosed(std::chrono::milliseconds wait = std::chrono::seconds(5))
    {
        if (!m_stream)
            return true;
        char c;
        m_stream->expires_after(wait);
        const boost::beast::error_code ec = run([&](auto done) { m_stream->async_read_some(boost::asio::buffer(&c, 1), done); });
        return ec && ec != boost::beast::error::timeout;
    }

    bool connect()
    {
        m_stream.emplace(m_ioc);
        m_buffer.clear();
        m_stream->expires_after(m_deadline);
        const boost::asio::ip::tcp::endpoint to(boost::asio::ip::make_address("127.0.0.1"), m_port);
        const boost::beast::error_code ec = run([&](auto done) {
            m_stream->async_connect(to, [done](boost::beast::error_code e) { done(e, 0); });
        });
        if (ec) {
            m_stream.reset();
            return false;
        }
        m_stream->socket().set_option(boost::asio::ip::tcp::no_delay(true));
        return true;
    }
    void disconnect() { m_stream.reset(); }

private:
    // Runs one asynchronous operation to its end: Beast's deadlines (expires_after) apply only
    // to asynchronous operations, so the blocking calls are made of these.
    template <class Start>
    boost::beast::error_code run(Start start)
    {
        boost::beast::error_code result;
        start([&result](boost::beast::error_code ec, std::size_t) { result = ec; });
        m_ioc.restart();
        m_ioc.run();
        return result;
    }

    HttpReply readReply()
    {
        namespace http = boost::beast::http;
        boost::beast::error_code ec;
        std::optional<http::response_parser<http::string_body>> parser;
        m_stream->expires_after(m_deadline);
        for (;;) { // interim 1xx answers (100 Continue) come before the real one
            parser.emplace();
            parser->body_limit(std::numeric_limits<std::uint64_t>::max()); // not boost::none (Beast 1.74)
            parser->header_limit(1 << 20);
            ec = run([&](auto done) { http::async_read_header(*m_stream, m_buffer, *parser, done); });
            if (ec || parser->get().result_int() / 100 != 1)
                break;
        }
        if (!ec)
            ec = run([&](auto done) { http::async_read(*m_stream, m_buffer, *parser, done); });
        if (ec)
            return dropped(QString::fromStdString(ec.message()));
        HttpReply r;
        const auto &res = parser->get();
        r.status = int(res.result_int());
        r.body = QByteArray(res.body().data(), int(res.body().size()));
        for (const auto &f : res)
            r.headers.insert(QByteArray(f.name_string().data(), int(f.name_string().size())).toLower(),
                             QByteArray(f.value().data(), int(f.value().size())));
        r.keepAlive = res.keep_alive();
        if (!r.keepAlive)
            disconnect();
        return r;
    }
    HttpReply failed(const QString &why)
    {
        HttpReply r;
        r.error = why;
        return r;
    }
    HttpReply dropped(const QString &why)
    {
        disconnect();
        return failed(why);
    }

    boost::asio::io_context m_ioc;
    std::optional<boost::beast::tcp_stream> m_stream;
    boost::beast::flat_buffer m_buffer;
    quint16 m_port;
    std::chrono::milliseconds m_deadline;
};

} // namespace orrery::testing
