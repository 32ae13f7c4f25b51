#pragma once
// ReplayStream: the transactions `orrery-cli demo replay` sends — the demo's FraudGenerator
// (core/data/fraud_generator.h) with a seed of its own, its timestamps continuing after the
// workspace's dataset at the dataset's density, and the generator's FraudShift from a given row
// on, so a test knows exactly which request is the first shifted one.
//
// The same seed, timeline, shift row and request sizes give the same rows on every machine,
// however fast the server answers: rows are drawn in request order, never by wall-clock time.

#include "core/common/status.h"
#include "core/data/fraud_generator.h"

#include <QDateTime>
#include <QString>

#include <vector>

namespace orrery::demo {

// The world after the shift: what FraudShift changes (core/data/fraud_generator.h).
struct ReplayShift {
    double amountScale = 2.5;    // every amount × this
    double onlineShare = 0.8;    // share of online transactions
    double fraudRateScale = 1.5; // fraud rate × this (×3 moves every feature fraud correlates with)
    // A merchant category the demo's data never had, in this share of the shifted transactions
    // (empty: none). A model trained with data.unseen: error refuses the requests that hold it.
    QString newCategory = QString();
    double newCategoryShare = 0.0;
};

// "amount=2.5,online=0.8,fraud=1.5,category=crypto_exchange:0.2" — any of the four, in any
// order; the others keep their defaults (no new category). `amount=1,online=0.28,fraud=1,
// category=NAME:SHARE` is the unshifted world plus the new category (0.28 is the generator's own
// online share of legitimate transactions; fraud's is higher and stays). InvalidArgument names
// the bad part and the form.
Result<ReplayShift> parseReplayShift(const QString &text);
// "amount x2.5, online share 0.8, fraud rate x1.5" and, with one, ", new category crypto_exchange
// in 20% of transactions"
QString replayShiftText(const ReplayShift &shift);

// Where the replayed transactions' timestamps go: after the dataset the model was trained on,
// one transaction every stepSeconds (the dataset's own density).
struct ReplayTimeline {
    QDateTime start;         // the first replayed transaction's time (UTC)
    qint64 stepSeconds = 156;
    QString source;          // what it continues: the dataset's path, or the demo's default span
};

// The timeline after `datasetCsv` (the demo's data/transactions.csv: its first and last rows'
// transaction_id and timestamp). A file that is missing or not the demo's format gives the
// timeline after the demo's default dataset (2026-01-01 + 90 days, 50,000 rows). The step is at
// least 2 s: a row's timestamp jitters by up to 1 s, and the shift must begin exactly at its row.
ReplayTimeline timelineAfter(const QString &datasetCsv);

class ReplayStream {
public:
    // `shiftFromRow` < 0: no shift; otherwise rows from that index on (0-based) are shifted.
    ReplayStream(quint64 seed, const ReplayTimeline &timeline, qint64 shiftFromRow = -1, const ReplayShift &shift = {});

    std::vector<data::FraudTransaction> next(int rows);
    qint64 rowsMade() const { return m_rows; }
    // A row's cells in data::FraudGenerator::columnNames()' order, as the dataset's CSV has them.
    static QList<QByteArray> cells(const data::FraudTransaction &t);

private:
    data::FraudGenerator m_generator;
    qint64 m_rows = 0;
};

} // namespace orrery::demo
