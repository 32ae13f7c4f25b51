#include "core/common/status.h"

#include <QtTest>

#include <memory>

using namespace orrery;

namespace {

Result<int> half(int n)
{
    if (n % 2)
        return invalidArgument(QStringLiteral("%1 is odd").arg(n));
    return n / 2;
}

// Two steps with ORRERY_ASSIGN_OR_RETURN: the first failure is returned as it is.
Result<int> quarter(int n)
{
    ORRERY_ASSIGN_OR_RETURN(const int h, half(n));
    ORRERY_ASSIGN_OR_RETURN(const int q, half(h));
    return q;
}

Status quarterInto(int n, int *out)
{
    ORRERY_ASSIGN_OR_RETURN(*out, quarter(n));
    return Status::ok();
}

int clampedAt(const QVector<int> &v, int i)
{
    ORRERY_ASSERT(i >= 0 && i < v.size(), return -1);
    return v[i];
}

} // namespace

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
    void assignOrReturnPassesValuesAndReturnsTheFirstError()
    {
        QCOMPARE(*quarter(12), 3);
        const Result<int> odd = quarter(6); // 6 → 3, then 3 is odd
        QCOMPARE(odd.status().code(), ErrorCode::InvalidArgument);
        QCOMPARE(odd.status().message(), QStringLiteral("3 is odd"));
        int out = -1;
        QVERIFY(quarterInto(8, &out).isOk());
        QCOMPARE(out, 2);
        QCOMPARE(quarterInto(5, &out).message(), QStringLiteral("5 is odd"));
        QCOMPARE(out, 2); // untouched by the failure
        // A move-only value is moved out of its Result.
        auto make = []() -> Result<std::unique_ptr<int>> { return std::make_unique<int>(7); };
        auto take = [&]() -> Result<int> {
            ORRERY_ASSIGN_OR_RETURN(std::unique_ptr<int> p, make());
            return *p;
        };
        QCOMPARE(*take(), 7);
    }

    void readingTheValueOfAnErrorIsASoftAssertion()
    {
        const int before = softAssertCount();
        Result<QString> bad(notFound(QStringLiteral("run 7")));
        QCOMPARE(bad.value(), QString()); // a T() stands in, not undefined behaviour
        QCOMPARE(softAssertCount(), before + 1);
        QCOMPARE(bad.status().code(), ErrorCode::NotFound); // the error is still the error
        QCOMPARE(clampedAt({1, 2, 3}, 1), 2);
        QCOMPARE(softAssertCount(), before + 1);
        QCOMPARE(clampedAt({1, 2, 3}, 3), -1);
        QCOMPARE(softAssertCount(), before + 2);
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
