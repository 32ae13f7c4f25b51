#pragma once
// Labelled production rows: what the served model saw (the prediction log's sampled inputs,
// core/monitor/prediction_log.h) joined with the true labels that came later (the feedback table,
// matched by prediction id), turned back into rows of the training dataset — the inputs' cells
// by the version's signature ("columns" of each input tensor name the dataset's columns), the
// label column from the feedback, the other columns as ct.yaml's `dataset.columns` fills them.
//
// Read: the labels of `endpoint` newer than a feedback id (the last data version the loop built
// took in those up to it), the newest label of each (prediction, row). A labelled row whose
// request's inputs were not sampled, or whose version has no signature with columns, cannot
// become a row: it is counted, never guessed at.
//
// Chosen by the dataset's policy: all of them; the recent ones (predicted within the window
// before now); or a sample of N drawn with the seed (the same rows for the same log and seed).
// Rows keep the log's order (prediction id, row).
//
// Cells are written as the dataset writes them: FP32 inputs as the shortest text that reads back
// as the same float (a whole number without a fraction), labels as numbers or their text, a
// missing value (NaN, null) as an empty cell.
//
// Threads: one reader on the thread of its Database.

#include "core/common/status.h"
#include "core/ct/ct_config.h"

#include <QHash>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <vector>

namespace orrery::store {
class Database;
}

namespace orrery::ct {

struct ProductionRow {
    qint64 predictionId = 0;
    int row = 0;
    qint64 time = 0; // the prediction's, ms since the epoch
    QStringList cells; // in the dataset's column order
    qint64 feedbackId = 0; // its label's (the newest label of the row)
};

struct ProductionRowsReport {
    qint64 labelled = 0;        // labelled rows read (the newest label of each)
    qint64 withoutInputs = 0;   // their request's inputs were not sampled
    qint64 unusable = 0;        // no signature with columns for the version, or inputs that do not fit it
    qint64 usable = 0;          // became rows
    qint64 chosen = 0;          // kept by the policy
    qint64 feedbackThrough = 0; // the newest feedback id read (the next version starts after it)
    QStringList emptyColumns;   // dataset columns nothing fills (left empty)
    QStringList problems;       // the first few reasons rows were unusable
};

class ProductionRowReader {
public:
    ProductionRowReader(store::Database &db, const CtConfig &config);

    // Rows for a dataset with `header`, from labels newer than `afterFeedbackId`.
    // InvalidArgument when the label column is not in the header.
    Result<std::vector<ProductionRow>> read(const QStringList &header, qint64 afterFeedbackId, ProductionRowsReport *report);

private:
    // The signature's input tensors: name → the dataset column of each of its columns (-1: none).
    Result<const QHash<QString, std::vector<int>> *> inputMap(const QString &version, const QStringList &header, QString *why);

    store::Database &m_db;
    const CtConfig &m_config;
    QHash<QString, QHash<QString, std::vector<int>>> m_maps; // version → input map
    QHash<QString, QString> m_unmappable;                  // version → why
};

// The policy's choice from `rows` (in the log's order), at `nowMs`.
std::vector<ProductionRow> chooseRows(std::vector<ProductionRow> rows, const DatasetConfig &dataset, qint64 nowMs);

// The shortest text of a float32 value that reads back as the same float; whole numbers without
// a fraction; NaN and infinities as "" (missing).
QString floatCell(double value);
// A label: whole numbers without a fraction, others in the shortest exact form.
QString numberCell(double value);

} // namespace orrery::ct
