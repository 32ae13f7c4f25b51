#pragma once
// FraudGenerator: a seeded synthetic card-fraud dataset — the demo workspace's data, and the
// stream that monitoring replays and the continuous-training scenario shift.
//
// Each transaction first draws its label (fraud with the configured rate), then its features
// from label-conditional distributions that overlap: fraud is larger, more often online or
// abroad, farther from home, from younger accounts and in bursts — learnable, not trivial.
// An optional FraudShift changes the world from a given time on (amounts, the mix of channels
// and categories, the fraud rate, a merchant category never generated before), so a test knows
// exactly when drift begins and what it is.
// The same options and seed give the same bytes on every machine.

#include "core/common/status.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>
#include <QStringList>

#include <memory>

namespace orrery::common {
class JobContext;
}

namespace orrery::data {

struct FraudShift {
    QDateTime from;             // invalid: no shift
    double amountScale = 1.0;   // multiplies every amount from `from` on
    double onlineShare = -1.0;  // share of online transactions from `from` on (< 0: unchanged)
    double fraudRateScale = 1.0;
    // A merchant_category value the generator never makes otherwise (e.g. "crypto_exchange"):
    // from `from` on, each transaction gets it with probability newCategoryShare, drawn from a
    // stream of its own — so every other field of every row is what the shift without it gives.
    QString newCategory;
    double newCategoryShare = 0.0;
    bool isActive() const { return from.isValid(); }
};

// A shift's new category must be new (none of FraudGenerator::merchantCategories()), a CSV-safe
// name (letters, digits, '_', '-', '.'; at most 64 characters) and its share within [0, 1].
Status validateFraudShift(const FraudShift &shift);

struct FraudDataOptions {
    quint64 seed = 42;
    qint64 rows = 50000;
    QDateTime start = QDateTime(QDate(2026, 1, 1), QTime(0, 0), Qt::UTC);
    qint64 spanSeconds = 90LL * 24 * 3600; // timestamps spread evenly over this span
    double fraudRate = 0.01;
    int customers = 5000;
    FraudShift shift;
};

struct FraudTransaction {
    qint64 index = 0;
    QDateTime timestamp;
    QString customerId;
    double amount = 0.0;
    QString merchantCategory;
    QString channel;
    QString country;
    double distanceFromHomeKm = 0.0;
    int customerAge = 0; // 0: missing (a few percent of rows leave it empty)
    int accountAgeDays = 0;
    int transactionsLast24h = 0;
    bool isFraud = false;
};

class FraudGenerator {
public:
    explicit FraudGenerator(FraudDataOptions options);

    bool atEnd() const { return m_next >= m_options.rows; }
    FraudTransaction next();

    static QStringList columnNames();
    static QStringList merchantCategories(); // the values merchant_category takes without a shift
    static QByteArray csvHeader();
    static QByteArray csvLine(const FraudTransaction &t);

private:
    FraudDataOptions m_options;
    qint64 m_next = 0;
    // The generator's own Random lives in the .cpp to keep this header light.
    struct Impl;
    std::shared_ptr<Impl> m_impl;
};

// Writes the whole dataset as CSV, atomically; reports progress and stops on cancel.
Status writeFraudCsv(const QString &path, const FraudDataOptions &options, common::JobContext *job = nullptr);

} // namespace orrery::data
