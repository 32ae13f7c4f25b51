// A small HTTP load generator for the serving benchmark (packaging/bench.sh serving), used for
// Orrery's server and the Python peer alike because wrk is not installed on these machines: like
// `wrk -t1 -c16 -s serve_load.lua` — one thread, C keep-alive connections, each sending the next
// request as soon as the previous answer is in (on a new connection when the server closes it,
// as wrk does), the body of shared/peers/serve_load.lua.
//
//   bench_serving PORT NAME [SECONDS=10] [CONNECTIONS=16] [PATH=/v2/models/m/infer] [BODY_FILE]
//   (BODY_FILE: another model's request, e.g. the demo's; default the peer MLP's)
//
// Waits (up to 60 s) for the server to answer one request, warms up for 1 s, then measures.
// Prints `bench NAME_rps V req/s`, `bench NAME_p50_ms`, `bench NAME_p99_ms`; exit 1 when any
// answer was not 200 or a connection failed.

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

const char *kBody = R"({"inputs":[{"name":"input-0","shape":[1,20],"datatype":"FP32","data":[0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1.0,-0.1,-0.2,-0.3,-0.4,-0.5,-0.6,-0.7,-0.8,-0.9,-1.0]}]})";

struct Load {
    asio::io_context ioc;
    tcp::endpoint to;
    http::request<http::string_body> request;
    Clock::time_point measureFrom, end;
    std::vector<double> latenciesMs;
    long errors = 0;
};

struct Connection : std::enable_shared_from_this<Connection> {
    Load &load;
    tcp::socket socket;
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    Clock::time_point sent;
    explicit Connection(Load &l) : load(l), socket(l.ioc) {}

    void start()
    {
        auto self = shared_from_this();
        beast::error_code ignored;
        socket.close(ignored);
        buffer.clear();
        socket.async_connect(load.to, [self](beast::error_code ec) {
            if (ec) {
                ++self->load.errors;
                return;
            }
            self->socket.set_option(tcp::no_delay(true));
            self->next();
        });
    }
    void next()
    {
        if (Clock::now() >= load.end)
            return;
        auto self = shared_from_this();
        sent = Clock::now();
        http::async_write(socket, load.request, [self](beast::error_code ec, std::size_t) {
            if (ec) {
                ++self->load.errors;
                return;
            }
            self->response = {};
            http::async_read(self->socket, self->buffer, self->response, [self](beast::error_code ec, std::size_t) {
                if (ec) {
                    ++self->load.errors;
                    return;
                }
                const auto now = Clock::now();
                if (self->response.result_int() != 200)
                    ++self->load.errors;
                else if (self->sent >= self->load.measureFrom)
                    self->load.latenciesMs.push_back(std::chrono::duration<double, std::milli>(now - self->sent).count());
                if (!self->response.keep_alive()) { // an HTTP/1.0 server (Werkzeug): a new connection, as wrk makes
                    if (now < self->load.end)
                        self->start();
                    return;
                }
                self->next();
            });
        });
    }
};

bool answersOnce(const tcp::endpoint &to, const http::request<http::string_body> &request)
{
    try {
        asio::io_context ioc;
        tcp::socket s(ioc);
        s.connect(to);
        http::write(s, request);
        beast::flat_buffer b;
        http::response<http::string_body> r;
        http::read(s, b, r);
        return r.result_int() == 200;
    } catch (const std::exception &) {
        return false;
    }
}

} // namespace

int main(int argc, char **argv)
{
    if (argc < 3) {
        std::fprintf(stderr, "usage: bench_serving PORT NAME [SECONDS] [CONNECTIONS] [PATH] [BODY_FILE]\n");
        return 2;
    }
    const int port = std::atoi(argv[1]);
    const std::string name = argv[2];
    const double seconds = argc > 3 ? std::atof(argv[3]) : 10;
    const int connections = argc > 4 ? std::atoi(argv[4]) : 16;
    const std::string path = argc > 5 ? argv[5] : "/v2/models/m/infer";

    Load load;
    load.to = tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port));
    load.request = http::request<http::string_body>(http::verb::post, path, 11);
    load.request.set(http::field::host, "127.0.0.1:" + std::to_string(port));
    load.request.set(http::field::content_type, "application/json");
    load.request.body() = kBody;
    if (argc > 6) {
        std::ifstream file(argv[6], std::ios::binary);
        if (!file) {
            std::fprintf(stderr, "bench_serving: cannot read %s\n", argv[6]);
            return 2;
        }
        load.request.body().assign(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
    }
    load.request.prepare_payload();

    const auto waitUntil = Clock::now() + std::chrono::seconds(60);
    while (!answersOnce(load.to, load.request)) {
        if (Clock::now() > waitUntil) {
            std::fprintf(stderr, "bench_serving: nothing answers 200 on 127.0.0.1:%d%s\n", port, path.c_str());
            return 1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    const auto start = Clock::now();
    load.measureFrom = start + std::chrono::seconds(1);
    load.end = load.measureFrom + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    for (int i = 0; i < connections; ++i)
        std::make_shared<Connection>(load)->start();
    load.ioc.run();
    auto &l = load.latenciesMs;
    std::sort(l.begin(), l.end());
    const double measured = std::chrono::duration<double>(load.end - load.measureFrom).count();
    auto pct = [&](double p) { return l.empty() ? 0.0 : l[std::min(l.size() - 1, static_cast<size_t>(p * double(l.size())))]; };
    std::printf("bench %s_rps %.0f req/s\n", name.c_str(), double(l.size()) / measured);
    std::printf("bench %s_p50_ms %.3f ms\n", name.c_str(), pct(0.50));
    std::printf("bench %s_p99_ms %.3f ms\n", name.c_str(), pct(0.99));
    if (load.errors > 0)
        std::fprintf(stderr, "bench_serving: %ld failed requests or connections\n", load.errors);
    return load.errors > 0 ? 1 : 0;
}
