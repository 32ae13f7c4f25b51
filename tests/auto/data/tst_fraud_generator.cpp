#include "core/common/job.h"
#include "core/data/fraud_generator.h"

#include <QCryptographicHash>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace orrery;
using data::FraudDataOptions;
using data::FraudGenerator;

namespace {
struct Summary {
    qint64 rows = 0, fraud = 0, online = 0, missingAge = 0;
    double amount = 0;
    double fraudAmount = 0;
};
Summary summarise(FraudDataOptions o, const QDateTime &from = {}, const QDateTime &to = {})
{
    Summary s;
    FraudGenerator g(std::move(o));
    while (!g.atEnd()) {
        const auto t = g.next();
        if ((from.isValid() && t.timestamp < from) || (to.isValid() && t.timestamp >= to))
            continue;
        ++s.rows;
        s.fraud += t.isFraud;
        s.online += t.channel == QLatin1String("online");
        s.missingAge += t.customerAge == 0;
        s.amount += t.amount;
        if (t.isFraud)
            s.fraudAmount += t.amount;
    }
    return s;
}
} // namespace

class TstFraudGenerator : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    void aboutOnePercentFraud()
    {
        const Summary s = summarise({});
        QCOMPARE(s.rows, qint64(50000));
        // Binomial(50000, 0.01): sd ≈ 22; ±5 sd.
        QVERIFY2(s.fraud > 390 && s.fraud < 610, qPrintable(QString::number(s.fraud)));
        // Fraud is distinguishable: larger amounts on average.
        QVERIFY(s.fraudAmount / s.fraud > 3.0 * (s.amount - s.fraudAmount) / (s.rows - s.fraud));
        // Missing values exist (about 2% of ages), for the data tests.
        QVERIFY(s.missingAge > 500 && s.missingAge < 1500);
    }

    void sameSeedSameBytesOtherSeedOtherBytes()
    {
        FraudDataOptions o;
        o.rows = 5000;
        QVERIFY(data::writeFraudCsv(m_dir.filePath(QStringLiteral("a.csv")), o).isOk());
        QVERIFY(data::writeFraudCsv(m_dir.filePath(QStringLiteral("b.csv")), o).isOk());
        o.seed = 7;
        QVERIFY(data::writeFraudCsv(m_dir.filePath(QStringLiteral("c.csv")), o).isOk());
        auto hash = [&](const char *name) {
            QFile f(m_dir.filePath(QLatin1String(name)));
            f.open(QIODevice::ReadOnly);
            return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Md5).toHex();
        };
        QCOMPARE(hash("a.csv"), hash("b.csv"));
        QVERIFY(hash("a.csv") != hash("c.csv"));
    }

    void csvHasHeaderTypedColumnsAndOrderedTime()
    {
        FraudDataOptions o;
        o.rows = 1000;
        const QString path = m_dir.filePath(QStringLiteral("shape.csv"));
        QVERIFY(data::writeFraudCsv(path, o).isOk());
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readLine(), FraudGenerator::csvHeader());
        QDateTime previous;
        int lines = 0;
        while (!f.atEnd()) {
            const QList<QByteArray> cells = f.readLine().trimmed().split(',');
            QCOMPARE(cells.size(), FraudGenerator::columnNames().size());
            const QDateTime t = QDateTime::fromString(QString::fromLatin1(cells[1]), Qt::ISODate);
            QVERIFY(t.isValid());
            QVERIFY(!previous.isValid() || t >= previous);
            previous = t;
            bool ok = false;
            QVERIFY(cells[3].toDouble(&ok) > 0 && ok);
            QVERIFY(cells[11] == "0" || cells[11] == "1");
            ++lines;
        }
        QCOMPARE(lines, 1000);
        QVERIFY(previous < o.start.addSecs(o.spanSeconds));
    }

    void shiftChangesTheWorldFromItsTimeOn()
    {
        FraudDataOptions o;
        o.rows = 60000;
        const QDateTime mid = o.start.addSecs(o.spanSeconds / 2);
        o.shift.from = mid;
        o.shift.amountScale = 2.0;
        o.shift.onlineShare = 0.6;
        o.shift.fraudRateScale = 3.0;
        const Summary before = summarise(o, {}, mid);
        const Summary after = summarise(o, mid);
        QVERIFY(qAbs(before.rows - after.rows) < 100);
        const double amountRatio = (after.amount / after.rows) / (before.amount / before.rows);
        QVERIFY2(amountRatio > 1.8 && amountRatio < 2.2, qPrintable(QString::number(amountRatio)));
        QVERIFY(double(after.online) / after.rows > 0.55);
        QVERIFY(double(before.online) / before.rows < 0.35);
        QVERIFY2(after.fraud > 2 * before.fraud, qPrintable(QStringLiteral("%1 vs %2").arg(after.fraud).arg(before.fraud)));
        // Before the shift the data is exactly the unshifted data.
        FraudDataOptions plain = o;
        plain.shift = {};
        FraudGenerator g1(o), g2(plain);
        for (int i = 0; i < 1000; ++i)
            QCOMPARE(FraudGenerator::csvLine(g1.next()), FraudGenerator::csvLine(g2.next()));
    }

    // A merchant category the data never had, from the shift's time on: only there, at its
    // share, the same rows for the same seed, and every other field as the shift without it.
    void newCategoryFromTheShiftOn()
    {
        FraudDataOptions o;
        o.rows = 40000;
        const QDateTime mid = o.start.addSecs(o.spanSeconds / 2);
        o.shift.from = mid;
        o.shift.amountScale = 1.5;
        o.shift.newCategory = QStringLiteral("crypto_exchange");
        o.shift.newCategoryShare = 0.2;
        QVERIFY(!FraudGenerator::merchantCategories().contains(o.shift.newCategory));
        FraudDataOptions without = o;
        without.shift.newCategory.clear();
        without.shift.newCategoryShare = 0.0;

        FraudGenerator g(o), plain(without);
        qint64 before = 0, after = 0, fresh = 0;
        QDateTime firstFresh;
        while (!g.atEnd()) {
            const auto t = g.next();
            auto p = plain.next();
            if (t.timestamp < mid) {
                ++before;
                QVERIFY2(t.merchantCategory != o.shift.newCategory, qPrintable(t.timestamp.toString(Qt::ISODate)));
            } else {
                ++after;
                if (t.merchantCategory == o.shift.newCategory) {
                    ++fresh;
                    if (!firstFresh.isValid())
                        firstFresh = t.timestamp;
                    p.merchantCategory = o.shift.newCategory; // the one field it may change
                }
            }
            QCOMPARE(FraudGenerator::csvLine(t), FraudGenerator::csvLine(p));
        }
        QVERIFY(before > 19000 && after > 19000);
        // Binomial(~20000, 0.2): sd ≈ 57 rows, 0.003 of the share; ±0.02 is beyond 6 sd.
        const double share = double(fresh) / double(after);
        QVERIFY2(share > 0.18 && share < 0.22, qPrintable(QString::number(share)));
        QVERIFY(firstFresh >= mid && firstFresh < mid.addSecs(60 * 60));

        // Share 1: the first row at the shift's time has it, the last row before does not.
        o.shift.newCategoryShare = 1.0;
        FraudGenerator all(o);
        data::FraudTransaction last;
        bool reached = false;
        for (auto t = all.next(); !all.atEnd() && !reached; last = t, t = all.next()) {
            if (t.timestamp >= mid) {
                reached = true;
                QCOMPARE(t.merchantCategory, o.shift.newCategory);
                QVERIFY(last.timestamp.isValid() && last.timestamp < mid);
                QVERIFY(last.merchantCategory != o.shift.newCategory);
            }
        }
        QVERIFY(reached);

        // The same options and seed: the same bytes; another seed: other rows get it.
        o.shift.newCategoryShare = 0.2;
        const auto digest = [](FraudDataOptions options) {
            FraudGenerator gen(std::move(options));
            QCryptographicHash h(QCryptographicHash::Md5);
            while (!gen.atEnd())
                h.addData(FraudGenerator::csvLine(gen.next()));
            return h.result().toHex();
        };
        QCOMPARE(digest(o), digest(o));
        FraudDataOptions other = o;
        other.seed = 43;
        QVERIFY(digest(o) != digest(other));
    }

    void newCategoryMustBeNewNamedAndAShare_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<double>("share");
        QTest::addColumn<QString>("needle");
        QTest::newRow("existing") << QStringLiteral("travel") << 0.2 << QStringLiteral("'travel' is one of the merchant categories");
        QTest::newRow("comma") << QStringLiteral("crypto,exchange") << 0.2 << QStringLiteral("not a name of letters");
        QTest::newRow("share above 1") << QStringLiteral("crypto_exchange") << 1.5 << QStringLiteral("between 0 and 1");
        QTest::newRow("share below 0") << QStringLiteral("crypto_exchange") << -0.1 << QStringLiteral("between 0 and 1");
        QTest::newRow("share without a name") << QString() << 0.2 << QStringLiteral("needs the category's name");
    }
    void newCategoryMustBeNewNamedAndAShare()
    {
        QFETCH(QString, name);
        QFETCH(double, share);
        QFETCH(QString, needle);
        FraudDataOptions o;
        o.rows = 10;
        o.shift.from = o.start;
        o.shift.newCategory = name;
        o.shift.newCategoryShare = share;
        const Status s = data::validateFraudShift(o.shift);
        QCOMPARE(s.code(), ErrorCode::InvalidArgument);
        QVERIFY2(s.message().contains(needle), qPrintable(s.message()));
        const QString path = m_dir.filePath(QStringLiteral("refused.csv"));
        QCOMPARE(data::writeFraudCsv(path, o).code(), ErrorCode::InvalidArgument);
        QVERIFY(!QFile::exists(path));
    }

    void badOptionsRefused()
    {
        FraudDataOptions o;
        o.rows = 0;
        const Status s = data::writeFraudCsv(m_dir.filePath(QStringLiteral("none.csv")), o);
        QCOMPARE(s.code(), ErrorCode::InvalidArgument);
        QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("none.csv"))));
        o.rows = 10;
        o.fraudRate = 1.5;
        QCOMPARE(data::writeFraudCsv(m_dir.filePath(QStringLiteral("none.csv")), o).code(), ErrorCode::InvalidArgument);
    }

    void cancelLeavesNoFile()
    {
        FraudDataOptions o;
        o.rows = 5'000'000;
        const QString path = m_dir.filePath(QStringLiteral("cancelled.csv"));
        common::Job job(QStringLiteral("generate"), [&](common::JobContext &ctx) { return data::writeFraudCsv(path, o, &ctx); });
        job.start();
        QTRY_VERIFY(job.progressDone() > 0);
        job.cancel();
        QVERIFY(job.wait(10000));
        QCOMPARE(job.result().code(), ErrorCode::Cancelled);
        QVERIFY(!QFile::exists(path));
        QCOMPARE(QDir(m_dir.path()).entryList({QStringLiteral(".cancelled.csv.tmp-*")}, QDir::Hidden | QDir::Files).size(), 0);
    }
};

QTEST_GUILESS_MAIN(TstFraudGenerator)
#include "tst_fraud_generator.moc"
