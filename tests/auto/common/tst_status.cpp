#include "core/common/status.h"

#include <QtTest>

using namespace orrery;

class TstStatus : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void okStatus()
    {
        const Status s;
        QVERIFY(s.isOk());
        QCOMPARE(s.code(), ErrorCode::Ok);
        QCOMPARE(s.toString(), QStringLiteral("ok"));
    }
    void errorKeepsCodeThroughContext()
    {
        const Status s = notFound(QStringLiteral("run 7")).withContext(QStringLiteral("runs show"));
        QVERIFY(!s.isOk());
        QCOMPARE(s.code(), ErrorCode::NotFound);
        QCOMPARE(s.message(), QStringLiteral("runs show: run 7"));
        QCOMPARE(s.toString(), QStringLiteral("not found: runs show: run 7"));
    }
    void resultHoldsValueOrStatus()
    {
        Result<int> good(42);
        QVERIFY(good.isOk());
        QCOMPARE(*good, 42);
        Result<int> bad(invalidArgument(QStringLiteral("lr must be > 0")));
        QVERIFY(!bad.isOk());
        QCOMPARE(bad.status().code(), ErrorCode::InvalidArgument);
    }
    void resultFromOkStatusIsAnError()
    {
        // A Result must never claim success without a value.
        Result<QString> r{Status::ok()};
        QVERIFY(!r.isOk());
        QCOMPARE(r.status().code(), ErrorCode::Internal);
    }
    void tryMacroReturnsEarly()
    {
        int reached = 0;
        auto f = [&]() -> Status {
            ORRERY_TRY(Status::ok());
            ++reached;
            ORRERY_TRY(busy(QStringLiteral("held")));
            ++reached;
            return Status::ok();
        };
        const Status s = f();
        QCOMPARE(s.code(), ErrorCode::Busy);
        QCOMPARE(reached, 1);
    }
};

QTEST_GUILESS_MAIN(TstStatus)
#include "tst_status.moc"
