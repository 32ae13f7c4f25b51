// orrery-cli monitor drift end to end: exit statuses (0 no drift, 1 drift, 2 error), the JSON
// report's shape, the HTML report written and self-contained, and bad input named.

#include "tests/support/test_support.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <random>

using orrery::testing::readFile;
using orrery::testing::runCli;
using orrery::testing::writeFile;

namespace {

// amount (numeric), channel (category), flag (0/1), id (free text), label (0/1). `shift` moves
// amount by that many standard deviations and replaces atm by a new channel, crypto.
QByteArray table(std::mt19937_64 &rng, int rows, double shift, bool missingFlags = false)
{
    std::normal_distribution<double> amount(50 + 10 * shift, 10);
    std::discrete_distribution<int> channel({5, 3, 2});
    std::bernoulli_distribution flag(0.1), label(0.05);
    const char *channels[] = {"pos", "online", shift > 0 ? "crypto" : "atm"};
    QByteArray csv = "amount,channel,flag,id,label\n";
    for (int i = 0; i < rows; ++i)
        csv += QByteArray::number(amount(rng), 'f', 3) + ',' + channels[channel(rng)] + ','
               + (missingFlags && i % 10 == 0 ? QByteArray("NA") : QByteArray::number(int(flag(rng)))) + ",id" + QByteArray::number(i) + ','
               + QByteArray::number(int(label(rng))) + '\n';
    return csv;
}

} // namespace

class TestCliMonitorDrift : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void noDriftExitsZero();
    void driftExitsOneWithJson();
    void htmlReportIsSelfContained();
    void forcedTestAndColumns();
    void badInput();

private:
    QTemporaryDir m_dir;
    QString m_ref, m_same, m_moved;
};

void TestCliMonitorDrift::initTestCase()
{
    std::mt19937_64 rng(17);
    m_ref = writeFile(m_dir, QStringLiteral("ref.csv"), table(rng, 3000, 0));
    m_same = writeFile(m_dir, QStringLiteral("same.csv"), table(rng, 800, 0, true));
    m_moved = writeFile(m_dir, QStringLiteral("moved.csv"), table(rng, 800, 0.8));
}

void TestCliMonitorDrift::noDriftExitsZero()
{
    const auto r = runCli({QStringLiteral("monitor"), QStringLiteral("drift"), QStringLiteral("--reference"), m_ref, QStringLiteral("--current"), m_same, QStringLiteral("--label"), QStringLiteral("label")});
    QVERIFY2(r.code == 0, qPrintable(r.describe()));
    QVERIFY(r.out.contains(QStringLiteral("No drift in 4 features.")));
    QVERIFY(r.out.contains(QStringLiteral("skipped id:")));
    QVERIFY(r.out.contains(QStringLiteral("label (label)")));
}

void TestCliMonitorDrift::driftExitsOneWithJson()
{
    const auto r = runCli({QStringLiteral("monitor"), QStringLiteral("drift"), QStringLiteral("--reference"), m_ref, QStringLiteral("--current"), m_moved,
                           QStringLiteral("--label"), QStringLiteral("label"), QStringLiteral("--json")});
    QVERIFY2(r.code == 1, qPrintable(r.describe()));
    const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QCOMPARE(o.value(QStringLiteral("drift")).toBool(), true);
    QCOMPARE(o.value(QStringLiteral("drifted_features")).toArray(), (QJsonArray{QStringLiteral("amount"), QStringLiteral("channel")}));
    QCOMPARE(o.value(QStringLiteral("reference")).toObject().value(QStringLiteral("rows")).toInt(), 3000);
    QCOMPARE(o.value(QStringLiteral("current")).toObject().value(QStringLiteral("rows")).toInt(), 800);
    QCOMPARE(o.value(QStringLiteral("correction")).toObject().value(QStringLiteral("tests")).toInt(), 4);
    const QJsonArray features = o.value(QStringLiteral("features")).toArray();
    QCOMPARE(features.size(), 4);
    const QJsonObject amount = features[0].toObject();
    QCOMPARE(amount.value(QStringLiteral("name")).toString(), QStringLiteral("amount"));
    QCOMPARE(amount.value(QStringLiteral("type")).toString(), QStringLiteral("numeric"));
    QCOMPARE(amount.value(QStringLiteral("test")).toString(), QStringLiteral("wasserstein")); // reference > 1,000 rows
    QCOMPARE(amount.value(QStringLiteral("significance_test")).toString(), QStringLiteral("ks"));
    QVERIFY(amount.value(QStringLiteral("statistic")).toDouble() > 0.5);
    QVERIFY(amount.value(QStringLiteral("p_value_adjusted")).toDouble() < 1e-10);
    const QJsonObject channel = features[1].toObject();
    QCOMPARE(channel.value(QStringLiteral("type")).toString(), QStringLiteral("categorical"));
    QCOMPARE(channel.value(QStringLiteral("unseen_categories")).toArray(), QJsonArray{QStringLiteral("crypto")});
    QCOMPARE(channel.value(QStringLiteral("vanished_categories")).toArray(), QJsonArray{QStringLiteral("atm")});
    const QJsonObject flag = features[2].toObject();
    QCOMPARE(flag.value(QStringLiteral("type")).toString(), QStringLiteral("categorical")); // 0/1: counts, not an ECDF
    QCOMPARE(features[3].toObject().value(QStringLiteral("role")).toString(), QStringLiteral("label"));
    QCOMPARE(o.value(QStringLiteral("skipped")).toArray().size(), 1);
}

void TestCliMonitorDrift::htmlReportIsSelfContained()
{
    const QString html = m_dir.filePath(QStringLiteral("out/report.html"));
    QDir().mkpath(m_dir.filePath(QStringLiteral("out")));
    const auto r = runCli({QStringLiteral("monitor"), QStringLiteral("drift"), QStringLiteral("--reference"), m_ref, QStringLiteral("--current"), m_moved, QStringLiteral("--html"), html});
    QVERIFY2(r.code == 1, qPrintable(r.describe()));
    const QString text = QString::fromUtf8(readFile(html));
    QVERIFY(text.startsWith(QStringLiteral("<!DOCTYPE html>")));
    QVERIFY(text.trimmed().endsWith(QStringLiteral("</html>")));
    QCOMPARE(text.count(QStringLiteral("<svg")), 4); // one chart per compared feature
    // Nothing fetched: no script, no link, no external source of any kind.
    QVERIFY(!text.contains(QStringLiteral("<script"), Qt::CaseInsensitive));
    QVERIFY(!text.contains(QStringLiteral("<link"), Qt::CaseInsensitive));
    QVERIFY(!text.contains(QRegularExpression(QStringLiteral("(src|href)\\s*=|url\\(|@import"), QRegularExpression::CaseInsensitiveOption)));
    QVERIFY(text.contains(QStringLiteral("crypto")));
    // Written atomically: no temporary file left beside it.
    QCOMPARE(QDir(m_dir.filePath(QStringLiteral("out"))).entryList(QDir::Files), QStringList{QStringLiteral("report.html")});
    // Large inputs do not make the file large: its size follows the features, not the rows.
    QVERIFY(text.size() < 40000);
}

void TestCliMonitorDrift::forcedTestAndColumns()
{
    const auto r = runCli({QStringLiteral("monitor"), QStringLiteral("drift"), QStringLiteral("--reference"), m_ref, QStringLiteral("--current"), m_moved,
                           QStringLiteral("--test"), QStringLiteral("psi"), QStringLiteral("--columns"), QStringLiteral("amount,flag"), QStringLiteral("--json")});
    QVERIFY2(r.code == 1, qPrintable(r.describe()));
    const QJsonArray features = QJsonDocument::fromJson(r.out.toUtf8()).object().value(QStringLiteral("features")).toArray();
    QCOMPARE(features.size(), 2);
    QCOMPARE(features[0].toObject().value(QStringLiteral("test")).toString(), QStringLiteral("psi"));
    QCOMPARE(features[0].toObject().value(QStringLiteral("threshold")).toDouble(), 0.2);
    QVERIFY(features[0].toObject().value(QStringLiteral("drift")).toBool());
    QVERIFY(!features[1].toObject().value(QStringLiteral("drift")).toBool());
}

void TestCliMonitorDrift::badInput()
{
    const QStringList base{QStringLiteral("monitor"), QStringLiteral("drift")};
    // A missing file is named.
    auto r = runCli(base + QStringList{QStringLiteral("--reference"), m_dir.filePath(QStringLiteral("nope.csv")), QStringLiteral("--current"), m_same});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains(QStringLiteral("nope.csv")), qPrintable(r.err));
    // No column in common.
    const QString other = writeFile(m_dir, QStringLiteral("other.csv"), "x,y\n1,2\n3,4\n");
    r = runCli(base + QStringList{QStringLiteral("--reference"), m_ref, QStringLiteral("--current"), other});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains(QStringLiteral("no column in common")), qPrintable(r.err));
    // Numeric in one file, text in the other: the column and both files are named.
    const QString texty = writeFile(m_dir, QStringLiteral("texty.csv"), "amount,channel\nlots,pos\nsome,atm\nfew,pos\n");
    r = runCli(base + QStringList{QStringLiteral("--reference"), m_ref, QStringLiteral("--current"), texty});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains(QStringLiteral("column 'amount' is numeric in the reference")) && r.err.contains(QStringLiteral("texty.csv")), qPrintable(r.err));
    // A --columns name one file lacks.
    r = runCli(base + QStringList{QStringLiteral("--reference"), m_ref, QStringLiteral("--current"), m_same, QStringLiteral("--columns"), QStringLiteral("amount,nothere")});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains(QStringLiteral("column 'nothere' is not in the reference")), qPrintable(r.err));
    // An unknown test, and missing options.
    r = runCli(base + QStringList{QStringLiteral("--reference"), m_ref, QStringLiteral("--current"), m_same, QStringLiteral("--test"), QStringLiteral("t-test")});
    QCOMPARE(r.code, 2);
    QVERIFY(r.err.contains(QStringLiteral("t-test")));
    r = runCli(base + QStringList{QStringLiteral("--reference"), m_ref});
    QCOMPARE(r.code, 2);
    // A malformed CSV is named with its line.
    const QString broken = writeFile(m_dir, QStringLiteral("broken.csv"), "amount,channel\n1,\"pos\n");
    r = runCli(base + QStringList{QStringLiteral("--reference"), m_ref, QStringLiteral("--current"), broken});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains(QStringLiteral("broken.csv:2")), qPrintable(r.err));
}

QTEST_GUILESS_MAIN(TestCliMonitorDrift)
#include "tst_cli_monitor_drift.moc"
