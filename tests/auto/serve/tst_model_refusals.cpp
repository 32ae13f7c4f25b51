// A model that refuses some rows (a TorchScript model trained with data.unseen: error refuses a
// category it never saw) behind the real server on 127.0.0.1: when the rows of one request make
// the model refuse a batch of several requests, only that request is answered 400 with the
// model's reason — the others of the same batch get their own answers — and /metrics counts the
// 400 against the version (what a canary's analysis reads as its error rate). The warm-up sends
// the signature's sample values to a model that refuses the empty string.
#include "core/http/http_server.h"
#include "core/serve/inference_service.h"
#include "core/serve/serving_metrics.h"
#include "tests/auto/http/http_test_client.h"
#include "tests/auto/serve/fake_inference_model.h"

#include <QJsonArray>
#include <QtTest>

#include <thread>

using namespace orrery;
using orrery::testing::HttpReply;
using orrery::testing::HttpTestClient;

namespace {

QByteArray inferBody(double x0)
{
    return "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[" + QByteArray::number(x0) + ",1,1]}]}";
}

// One BYTES column that takes only "a" and "b" (as an exported model with data.unseen: error).
class StrictTextModel : public serve::InferenceModel {
public:
    explicit StrictTextModel(serve::ModelMetadata m) : m_metadata(std::move(m)) {}
    const serve::ModelMetadata &metadata() const override { return m_metadata; }
    Result<std::vector<serve::OutputTensor>> run(const std::vector<serve::InputTensor> &batch, int rows) const override
    {
        serve::OutputTensor y;
        y.name = QStringLiteral("y");
        y.rows = rows;
        for (int r = 0; r < rows; ++r) {
            const QString &v = batch.at(0).texts.at(size_t(r));
            if (v != QLatin1String("a") && v != QLatin1String("b"))
                return invalidArgument(QStringLiteral("unseen category '%1' in column 'c' (row %2)").arg(v).arg(r + 1));
            y.values.push_back(v == QLatin1String("a") ? 0.0 : 1.0);
        }
        return std::vector<serve::OutputTensor>{y};
    }

private:
    serve::ModelMetadata m_metadata;
};

quint64 counted(const QByteArray &metrics, const QByteArray &code)
{
    const QByteArray series = "orrery_requests_total{endpoint=\"m\",version=\"7\",code=\"" + code + "\"} ";
    const qsizetype at = metrics.indexOf(series);
    if (at < 0)
        return 0;
    const qsizetype end = metrics.indexOf('\n', at);
    return metrics.mid(at + series.size(), end - at - series.size()).toULongLong();
}

} // namespace

class TstModelRefusals : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void aRefusedRequestFailsAloneInItsBatch()
    {
        serve::ServeOptions o;
        o.endpoint = QStringLiteral("m");
        o.maxBatch = 3;        // the batch runs when the three one-row requests are queued…
        o.maxDelayMs = 600000; // …and not before: they meet whatever the machine's load
        serve::InferenceService service(o);
        http::HttpServerOptions h;
        h.threads = 3;
        http::HttpServer server(service, h);
        QVERIFY(server.start().isOk());
        auto model = std::make_shared<orrery::testing::FakeModel>();
        service.setModel(model, QStringLiteral("7"));

        const double x0[] = {1, -1, 2}; // x0 = -1: the fake model refuses the input
        std::vector<HttpReply> replies(3);
        std::vector<std::thread> clients;
        for (int i = 0; i < 3; ++i)
            clients.emplace_back([&, i] { replies[size_t(i)] = HttpTestClient(server.port()).post("/v2/models/m/infer", inferBody(x0[i])); });
        for (auto &t : clients)
            t.join();

        for (int i : {0, 2}) {
            QCOMPARE(replies[size_t(i)].status, 200);
            QCOMPARE(replies[size_t(i)].json().value(QStringLiteral("outputs")).toArray()[0].toObject().value(QStringLiteral("data")).toArray(),
                     (QJsonArray{x0[i] + 2, 2 * x0[i]}));
        }
        QCOMPARE(replies[1].status, 400);
        QCOMPARE(replies[1].json().value(QStringLiteral("error")).toString(), QStringLiteral("x0 must not be -1"));
        // One call on the three requests together, refused; then each request alone.
        const std::vector<int> calls = model->batches();
        QCOMPARE(calls.size(), size_t(4));
        QCOMPARE(calls[0], 3);
        QCOMPARE(calls[1] + calls[2] + calls[3], 3);

        const QByteArray metrics = HttpTestClient(server.port()).get("/metrics").body;
        QCOMPARE(counted(metrics, "200"), quint64(2));
        QCOMPARE(counted(metrics, "400"), quint64(1));
        const auto versions = service.endpointMetrics(QStringLiteral("m"));
        QCOMPARE(versions.size(), size_t(1));
        const serve::VersionSnapshot snapshot = versions.front()->snapshot();
        QCOMPARE(snapshot.answered, quint64(3));
        QCOMPARE(snapshot.failed, quint64(1));
        server.stop();
    }

    void aBatchTheModelFailsIsNotRunAgain()
    {
        // A failure that is not the input's (500) fails the batch's requests once: running each
        // alone would only multiply a broken model's work.
        serve::ServeOptions o;
        o.endpoint = QStringLiteral("m");
        o.maxBatch = 2;
        o.maxDelayMs = 600000;
        serve::InferenceService service(o);
        http::HttpServerOptions h;
        h.threads = 2;
        http::HttpServer server(service, h);
        QVERIFY(server.start().isOk());
        auto model = std::make_shared<orrery::testing::FakeModel>();
        service.setModel(model, QStringLiteral("7"));
        std::vector<HttpReply> replies(2);
        std::vector<std::thread> clients;
        for (int i = 0; i < 2; ++i)
            clients.emplace_back([&, i] { replies[size_t(i)] = HttpTestClient(server.port()).post("/v2/models/m/infer", inferBody(i == 0 ? -2 : 1)); });
        for (auto &t : clients)
            t.join();
        QCOMPARE(replies[0].status, 500);
        QCOMPARE(replies[1].status, 500);
        QCOMPARE(model->batches(), std::vector<int>{2});
        server.stop();
    }

    void warmUpSendsTheSignaturesSample()
    {
        const QJsonObject input{{QStringLiteral("name"), QStringLiteral("categorical")}, {QStringLiteral("dtype"), QStringLiteral("BYTES")},
                                {QStringLiteral("shape"), QJsonArray{-1, 1}}, {QStringLiteral("unseen"), QStringLiteral("error")},
                                {QStringLiteral("sample"), QJsonArray{QStringLiteral("b")}}};
        const QJsonObject output{{QStringLiteral("name"), QStringLiteral("y")}, {QStringLiteral("dtype"), QStringLiteral("FP32")},
                                 {QStringLiteral("shape"), QJsonArray{-1, 1}}};
        auto metadata = serve::metadataFromSignature({{QStringLiteral("inputs"), QJsonArray{input}}, {QStringLiteral("outputs"), QJsonArray{output}}});
        QVERIFY2(metadata.isOk(), qPrintable(metadata.status().message()));
        QCOMPARE(metadata->inputs[0].sample, QStringList{QStringLiteral("b")});
        QVERIFY2(serve::warmUp(StrictTextModel(*metadata)).isOk(), "the sample is a value the model takes");
        // Without a sample the warm-up sends empty strings, which this model refuses: the reason
        // a strict export names its sample.
        serve::ModelMetadata bare = *metadata;
        bare.inputs[0].sample.clear();
        const Status refused = serve::warmUp(StrictTextModel(bare));
        QCOMPARE(refused.code(), ErrorCode::InvalidArgument);
        QVERIFY2(refused.message().contains(QStringLiteral("unseen category '' in column 'c'")), qPrintable(refused.message()));
    }
};

QTEST_GUILESS_MAIN(TstModelRefusals)
#include "tst_model_refusals.moc"
